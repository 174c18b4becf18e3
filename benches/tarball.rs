//! `leakgate audit --tarball` on a tarball too big to keep in memory, run with
//! `cargo bench --bench tarball`.
//!
//! The workload: 450 entries of 1 MiB of generated JavaScript (450 MiB unpacked); the first
//! 256 MiB are kept in memory by the index pass, the other entries are read again from the
//! archive. Before they were read in archive order from one decompression, each was read by
//! decompressing the archive from its start (19 s for 450 entries; 203 s for a 1.2 MB
//! tarball of big compressible entries). Printed: the index pass and the whole audit, best
//! of N, next to the floor (one `gunzip` of the archive to nowhere), and how many times the
//! archive was decompressed (2: the index, then every big entry in order).
//!
//! `LEAKGATE_BENCH_ENTRIES` and `LEAKGATE_BENCH_ENTRY_KIB` change the shape.

use leakgate::checks::{audit_package, tarball, Checks};
use leakgate::config::Config;
use leakgate::snapshot::Tarball;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// About `len` bytes of JavaScript-looking text, different for each `seed`.
fn js(seed: u64, len: usize) -> Vec<u8> {
    let mut s = String::with_capacity(len + 64);
    let mut x = seed.wrapping_mul(6364136223846793005) | 1;
    while s.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.push_str(&format!(
            "export const v{} = await load(\"m{}\", {{ size: {} }});\n",
            x % 100_000,
            x % 977,
            x % 4096
        ));
    }
    s.into_bytes()
}

fn header(name: &str, size: u64) -> [u8; 512] {
    let mut b = [0u8; 512];
    b[..name.len()].copy_from_slice(name.as_bytes());
    b[100..107].copy_from_slice(b"0000644");
    b[124..135].copy_from_slice(format!("{size:011o}").as_bytes());
    b[156] = b'0';
    b[257..265].copy_from_slice(b"ustar\x0000");
    b[148..156].fill(b' ');
    let sum: u32 = b.iter().map(|&x| u32::from(x)).sum();
    b[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    b
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let out = f();
        best = best.min(t.elapsed());
        last = Some(out);
    }
    (best, last.expect("at least one run"))
}

fn main() {
    // `cargo test --all-targets` runs benches without `--bench`: a small shape, quickly.
    let full = std::env::args().any(|a| a == "--bench");
    let entries = env_or("LEAKGATE_BENCH_ENTRIES", if full { 450 } else { 20 });
    let kib = env_or("LEAKGATE_BENCH_ENTRY_KIB", if full { 1024 } else { 64 });
    if !full {
        println!(
            "tarball bench: a small smoke run; `cargo bench --bench tarball` for the real one"
        );
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big.tgz");
    {
        let file = std::fs::File::create(&path).expect("create");
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        let manifest = br#"{"name":"big","version":"1.0.0","license":"MIT"}"#;
        let mut put = |name: &str, data: &[u8]| {
            gz.write_all(&header(name, data.len() as u64)).unwrap();
            gz.write_all(data).unwrap();
            gz.write_all(&vec![0u8; data.len().next_multiple_of(512) - data.len()])
                .unwrap();
        };
        put("package/package.json", manifest);
        for i in 0..entries {
            put(
                &format!("package/dist/chunk-{i:03}.js"),
                &js(i as u64, kib << 10),
            );
        }
        gz.write_all(&[0u8; 1024]).unwrap();
        gz.finish().unwrap();
    }
    let packed = std::fs::metadata(&path).unwrap().len();
    println!(
        "tarball: {entries} entries of {kib} KiB ({} MiB unpacked), {:.1} MiB packed",
        (entries * kib) >> 10,
        packed as f64 / (1 << 20) as f64
    );

    let (floor, _) = best_of(3, || {
        let file = std::fs::File::open(&path).unwrap();
        let mut gz = flate2::read::MultiGzDecoder::new(std::io::BufReader::new(file));
        let mut buf = vec![0u8; 1 << 16];
        while gz.read(&mut buf).unwrap() > 0 {}
    });
    let (index, _) = best_of(3, || Tarball::open(&path).unwrap());
    let config = Config::default();
    let checks = Checks::new(&config).unwrap();
    let (audit, passes) = best_of(3, || {
        let t = Tarball::open(&path).unwrap();
        let packlist = tarball::packlist(&t).unwrap();
        let findings = audit_package(&t, &packlist, &config, &checks).unwrap();
        std::hint::black_box(findings);
        t.decompressions()
    });
    println!("floor, one gunzip to nowhere:  {floor:>10.2?}");
    println!("index pass (Tarball::open):    {index:>10.2?}");
    println!(
        "open + packlist + audit:       {audit:>10.2?}  ({:.2}x the floor; decompressed {passes} times)",
        audit.as_secs_f64() / floor.as_secs_f64()
    );
}
