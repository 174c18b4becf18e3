//! Secret-scanner throughput against the floor of just reading the bytes.
//!
//!   cargo bench --bench secrets [-- DIR]
//!
//! With DIR (e.g. the unpacked tarballs `scripts/fp-corpus.sh` leaves in `WORK/pkg`), every
//! file under it is read once from disk (timed: the "read" floor), then scanned from
//! memory. Without DIR a synthetic 120 MB corpus is generated: minified-JS-like text full
//! of `token`/`secret`/`key` identifiers, base64 blobs, and a source map with a huge
//! `mappings` string, i.e. the shapes that make naive scanners slow.
//!
//! Reported side by side in one run: read time, a memchr pass (memory-bandwidth floor),
//! the aho-corasick prefilter alone, and the full scan on 1 thread and on every core.

use leakgate::checks::secrets::Scanner;
use leakgate::config::Config;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => walk(&p, out),
            Ok(t) if t.is_file() => out.push(p),
            _ => {}
        }
    }
}

/// Deterministic pseudo-random bytes from `alphabet`.
fn noise(alphabet: &[u8], n: usize, seed: &mut u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            alphabet[(*seed % alphabet.len() as u64) as usize]
        })
        .collect()
}

fn synthetic() -> Vec<(String, Vec<u8>)> {
    let mut seed = 0x2545_F491_4F6C_DD1D_u64;
    let b64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let ident = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    // A 35 MB minified bundle: short statements mentioning tokens, secrets and keys.
    let mut bundle = Vec::with_capacity(36 << 20);
    let snippets: [&[u8]; 8] = [
        b"function(e){return e.token?e.token:null}",
        b"var n={password:\"\",secret:void 0,apiKey:t.apiKey};",
        b"if(r.type===\"sk-\"+i)throw new Error(\"task-\"+o);",
        b"const s=await getAccessToken({scope:a,nextToken:c});",
        b"e.exports={AKIA:1,npm_config_registry:process.env.npm_config_registry};",
        b"o.headers.Authorization=\"Bearer \"+u.token;",
        b"let k=\"-----BEGIN \"+t+\" KEY-----\";",
        b"x=\"",
    ];
    while bundle.len() < 35 << 20 {
        let i = (seed % snippets.len() as u64) as usize;
        bundle.extend_from_slice(snippets[i]);
        if i == 7 {
            bundle.extend(noise(b64, 40, &mut seed));
            bundle.extend_from_slice(b"\";");
        }
        bundle.extend(noise(ident, 24, &mut seed));
        bundle.extend_from_slice(b"();");
    }
    // A 58 MB map: mostly `mappings`, plus embedded sources.
    let mut map = b"{\"version\":3,\"sources\":[\"src/a.ts\"],\"mappings\":\"".to_vec();
    while map.len() < 50 << 20 {
        map.extend(noise(b64, 7, &mut seed));
        map.push(if seed % 9 == 0 { b';' } else { b',' });
    }
    map.extend_from_slice(b"\",\"sourcesContent\":[\"");
    while map.len() < 58 << 20 {
        map.extend_from_slice(b"export const token = getToken(config);\\n");
    }
    map.extend_from_slice(b"\"]}");
    let mut files = vec![
        ("dist/cli.js".to_string(), bundle),
        ("dist/cli.js.map".to_string(), map),
    ];
    // 2,000 small modules (25 MB).
    for i in 0..2000 {
        let mut f = Vec::with_capacity(13_000);
        while f.len() < 12_500 {
            f.extend_from_slice(
                b"export function handler(req, res) { const token = req.headers.token; }\n",
            );
            f.extend(noise(ident, 40, &mut seed));
            f.push(b'\n');
        }
        files.push((format!("lib/m{i}.js"), f));
    }
    files
}

fn mbps(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn main() {
    // `cargo test --all-targets` runs benches in test mode without `--bench`: generating and
    // scanning the 120 MB corpus in a debug build would only cost CI time.
    if !std::env::args().any(|a| a == "--bench") {
        println!("secrets bench: run with `cargo bench --bench secrets [-- DIR]`");
        return;
    }
    let dir = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let scanner = Scanner::new(&Config::default()).expect("scanner");
    let (files, read) = match &dir {
        Some(d) => {
            let mut paths = Vec::new();
            walk(Path::new(d), &mut paths);
            paths.sort();
            let t = Instant::now();
            let files: Vec<(String, Vec<u8>)> = paths
                .iter()
                .filter_map(|p| Some((p.to_string_lossy().into_owned(), std::fs::read(p).ok()?)))
                .collect();
            (files, Some(t.elapsed()))
        }
        None => (synthetic(), None),
    };
    let total: u64 = files.iter().map(|(_, b)| b.len() as u64).sum();
    println!(
        "corpus: {} files, {:.1} MB ({})",
        files.len(),
        total as f64 / 1e6,
        dir.as_deref().unwrap_or("synthetic")
    );
    if let Some(read) = read {
        println!(
            "read from disk (1 thread):       {:>8.1} ms  {:>7.0} MB/s",
            read.as_secs_f64() * 1e3,
            mbps(total, read)
        );
    }
    let runs = 3;
    let best = |f: &dyn Fn() -> usize| {
        let mut best = Duration::MAX;
        let mut n = 0;
        for _ in 0..runs {
            let t = Instant::now();
            n = f();
            best = best.min(t.elapsed());
        }
        (best, n)
    };
    let (d, n) = best(&|| {
        files
            .iter()
            .map(|(_, b)| memchr::memchr_iter(b'\n', b).count())
            .sum()
    });
    println!(
        "memchr newline count (floor):    {:>8.1} ms  {:>7.0} MB/s  ({n} lines)",
        d.as_secs_f64() * 1e3,
        mbps(total, d)
    );
    let (d, n) = best(&|| {
        files
            .iter()
            .map(|(p, b)| scanner.scan_file(p, b).len())
            .sum()
    });
    println!(
        "scan, 1 thread:                  {:>8.1} ms  {:>7.0} MB/s  ({n} findings)",
        d.as_secs_f64() * 1e3,
        mbps(total, d)
    );
    let (d, n) = best(&|| {
        files
            .par_iter()
            .map(|(p, b)| scanner.scan_file(p, b).len())
            .sum()
    });
    println!(
        "scan, {} threads:                {:>8.1} ms  {:>7.0} MB/s  ({n} findings)",
        rayon::current_num_threads(),
        d.as_secs_f64() * 1e3,
        mbps(total, d)
    );
}
