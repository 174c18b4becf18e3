//! Audit benchmarks (issue 5), run with `cargo bench --bench audit`:
//!
//! 1. a ~60 MB source map with sourcesContent (esbuild/Bun shape: pretty-printed, ~1,900
//!    sources): leakgate's streaming scan vs a `serde_json` parse into a typed struct that
//!    skips the big fields (`IgnoredAny`), both over the same in-memory buffer; target ≤ 2x.
//! 2. the whole `audit_package` of a big package (2,093 files, ~118 MB incl. a 35 MB
//!    bundle and its ~58 MB map) vs reading every packed file once on one thread; target ≤ 2x.
//!
//! Plain `harness = false` with best-of-N wall times (no extra dependencies); the workload
//! is generated into a temp dir, deterministic.

use leakgate::checks::{audit_package, sourcemap, Checks};
use leakgate::config::Config;
use leakgate::packlist::{PackOptions, PackedFile, Packlist};
use leakgate::snapshot::worktree::Worktree;
use leakgate::snapshot::Snapshot;
use serde::de::IgnoredAny;
use serde::Deserialize;
use std::path::Path;
use std::time::{Duration, Instant};

/// A deterministic pseudo-random TypeScript-looking file of about `len` bytes.
fn source_text(seed: u64, len: usize) -> String {
    let mut s = String::with_capacity(len + 128);
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let words = [
        "const",
        "export",
        "function",
        "return",
        "await",
        "import",
        "\"config\"",
        "if",
        "=>",
        "user",
        "token",
        "value",
    ];
    while s.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let indent = (x % 4) as usize * 2;
        s.push_str(&" ".repeat(indent));
        for k in 0..(3 + x % 6) {
            s.push_str(words[((x >> (k * 4)) % words.len() as u64) as usize]);
            s.push(' ');
        }
        s.push_str(&format!("v{};\n", x % 100_000));
    }
    s
}

/// A pretty-printed esbuild/Bun-style map embedding `n` sources of ~`each` bytes.
fn big_map(n: usize, each: usize) -> Vec<u8> {
    let sources: Vec<String> = (0..n)
        .map(|i| format!("../src/dir{}/file{i}.ts", i % 300))
        .collect();
    let contents: Vec<String> = (0..n).map(|i| source_text(i as u64, each)).collect();
    let mappings: String = (0..n * 40)
        .map(|i| if i % 7 == 0 { ";" } else { "AAAA," })
        .collect();
    let mut out = String::from("{\n  \"version\": 3,\n  \"sources\": ");
    out.push_str(&serde_json::to_string(&sources).unwrap());
    out.push_str(",\n  \"sourcesContent\": ");
    out.push_str(&serde_json::to_string(&contents).unwrap());
    out.push_str(",\n  \"mappings\": ");
    out.push_str(&serde_json::to_string(&mappings).unwrap());
    out.push_str(",\n  \"names\": [\"sourcesContent\", \"a\"],\n  \"debugId\": \"0123456789abcdef0123456789abcdef\"\n}\n");
    out.into_bytes()
}

/// The serde baseline from the research: what a typed parse that skips big fields costs.
#[derive(Deserialize)]
#[allow(dead_code)]
struct Minimal {
    version: Option<IgnoredAny>,
    file: Option<String>,
    #[serde(rename = "sourceRoot")]
    source_root: Option<String>,
    sources: Option<Vec<Option<String>>>,
    #[serde(rename = "sourcesContent")]
    sources_content: Option<Vec<Option<IgnoredAny>>>,
    mappings: Option<IgnoredAny>,
    sections: Option<IgnoredAny>,
}

fn best(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn bench_map() {
    let buf = big_map(1_900, 31_000);
    let scan = best(9, || {
        let m = sourcemap::scan::parse(&buf).unwrap();
        assert_eq!(m.sources_content.as_ref().unwrap().len(), 1_900);
    });
    let serde = best(9, || {
        let m: Minimal = serde_json::from_slice(&buf).unwrap();
        assert_eq!(m.sources_content.unwrap().len(), 1_900);
    });
    // Judging = scan + decoding every embedded source (what the rule does to compare and
    // hand sources to the secret scanner).
    let judge = best(5, || {
        let m = sourcemap::scan::parse(&buf).unwrap();
        let total: usize = (0..m.sources.len())
            .filter_map(|i| m.content(i))
            .map(|r| sourcemap::scan::decode_string(&buf[r.clone()]).len())
            .sum();
        assert!(total > 50_000_000);
    });
    println!(
        "map {:.1} MB: leakgate scan {:.1} ms, scan+decode all sources {:.1} ms, serde IgnoredAny {:.1} ms (scan/serde = {:.2}x)",
        buf.len() as f64 / 1e6,
        ms(scan),
        ms(judge),
        ms(serde),
        scan.as_secs_f64() / serde.as_secs_f64()
    );
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

fn bench_package() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // 2,090 small files (~12 KB each, ~25 MB), a 35 MB bundle, its ~58 MB map, package.json.
    for i in 0..2_090 {
        write(
            root,
            &format!("dist/chunks/c{i}.js"),
            source_text(i as u64 + 7, 12_000).as_bytes(),
        );
    }
    let mut bundle = source_text(1, 35_000_000);
    bundle.push_str("//# sourceMappingURL=cli.js.map\n");
    write(root, "dist/cli.js", bundle.as_bytes());
    write(root, "dist/cli.js.map", &big_map(1_900, 30_000));
    write(root, "package.json", br#"{"name":"@bench/cli","version":"1.0.0","license":"SEE LICENSE IN README.md","files":["dist"]}"#);
    let mut files = Vec::new();
    let mut stack = vec![String::new()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(root.join(&d)).unwrap() {
            let e = e.unwrap();
            let p = leakgate::snapshot::join(&d, &e.file_name().into_string().unwrap());
            if e.file_type().unwrap().is_dir() {
                stack.push(p);
            } else {
                files.push(PackedFile {
                    path: p.clone(),
                    source: p,
                    size: e.metadata().unwrap().len(),
                    mode: 0o644,
                });
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let total: u64 = files.iter().map(|f| f.size).sum();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("package.json")).unwrap()).unwrap();
    let packlist = Packlist {
        publisher: leakgate::packlist::Publisher::Npm,
        dir: String::new(),
        from: String::new(),
        manifest,
        files,
    };
    let snap = Worktree::new(root);
    let read = best(5, || {
        let n: usize = packlist
            .files
            .iter()
            .map(|f| std::fs::read(root.join(&f.source)).unwrap().len())
            .sum();
        assert_eq!(n as u64, total);
    });
    // The same files as the audit gets them (big ones mapped, not copied), each touched by a
    // newline count: what reading costs leakgate itself, reported beside the read(2) floor.
    let mapped = best(5, || {
        let n: usize = packlist
            .files
            .iter()
            .map(|f| {
                let bytes = snap.contents(&f.source, f.size).unwrap();
                memchr::memchr_iter(b'\n', &bytes).count()
            })
            .sum();
        assert!(n > 0);
    });
    let config = Config::default();
    let checks = Checks::new(&config).unwrap();
    let mut findings = 0;
    let audit = best(5, || {
        let f = audit_package(&snap, &packlist, &config, &checks).unwrap();
        findings = f.len();
    });
    // What `leakgate audit DIR` does end to end: compute the packlist, build the checks (a
    // fresh scanner compiles its regexes on first use) and audit.
    let whole = best(5, || {
        let packed = leakgate::packlist::pack(&snap, "", &PackOptions::default()).unwrap();
        assert_eq!(packed.files.len(), packlist.files.len());
        let checks = Checks::new(&config).unwrap();
        let f = audit_package(&snap, &packed, &config, &checks).unwrap();
        assert_eq!(f.len(), findings);
    });
    println!(
        "package {} files, {:.1} MB: read all (1 thread) {:.1} ms, audit_package {:.1} ms (audit/read = {:.2}x), {} findings",
        packlist.files.len(),
        total as f64 / 1e6,
        ms(read),
        ms(audit),
        audit.as_secs_f64() / read.as_secs_f64(),
        findings
    );
    println!(
        "  packlist + fresh checks + audit_package {:.1} ms (whole/read = {:.2}x)",
        ms(whole),
        whole.as_secs_f64() / read.as_secs_f64()
    );
    println!(
        "  (for comparison: the same files mapped where >= 1 MiB and touched, 1 thread, {:.1} ms; audit/that = {:.2}x)",
        ms(mapped),
        audit.as_secs_f64() / mapped.as_secs_f64()
    );
}

fn main() {
    // `cargo test --all-targets` runs benches in test mode with `--bench` absent: stay quick.
    if !std::env::args().any(|a| a == "--bench") {
        println!("audit bench: run with `cargo bench --bench audit`");
        return;
    }
    bench_map();
    bench_package();
}
