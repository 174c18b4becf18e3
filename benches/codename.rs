//! Codename matching at scale: 2,000 codenames against 2,000 packages, the way an audit of
//! a big workspace runs it (issue 13: the matcher was rebuilt for every package, 20 s).
//!
//!   cargo bench --bench codename [-- CODENAMES PACKAGES]
//!
//! Prints, side by side: building the matcher once, running the audit's packlist checks
//! (the codename check on file names among them) over every package, and scanning one
//! 1 MB file's contents, each with the per-unit cost.

use leakgate::checks::{codename::Matcher, Checks};
use leakgate::config::Config;
use leakgate::packlist::{PackedFile, Packlist};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// `n` distinct codename-like words (letters only, 6 to 11 of them).
fn codenames(n: usize) -> Vec<String> {
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    (0..n)
        .map(|i| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = 6 + (seed % 6) as usize;
            let mut w: String = (0..len)
                .map(|k| (b'a' + ((seed >> (k * 5)) % 26) as u8) as char)
                .collect();
            w.push_str(&format!("{}", (b'a' + (i % 26) as u8) as char));
            w
        })
        .collect()
}

/// A package of 40 files whose names contain none of the codenames.
fn packlist(i: usize) -> Packlist {
    let files = (0..40)
        .map(|f| PackedFile {
            path: format!("dist/chunk-{f:03}-{i}.js"),
            source: format!("packages/pkg-{i}/dist/chunk-{f:03}-{i}.js"),
            size: 1000,
            mode: 0o644,
        })
        .collect();
    Packlist {
        publisher: leakgate::packlist::Publisher::Npm,
        dir: format!("packages/pkg-{i}"),
        from: format!("packages/pkg-{i}"),
        manifest: serde_json::json!({"name": format!("@acme/pkg-{i}"), "version": "1.0.0"}),
        files,
    }
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .min()
        .unwrap()
}

fn main() {
    // `cargo test --all-targets` runs benches in test mode with `--bench` absent: stay quick.
    if !std::env::args().any(|a| a == "--bench") {
        println!("codename bench: run with `cargo bench --bench codename [-- CODENAMES PACKAGES]`");
        return;
    }
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n_names = args.first().copied().unwrap_or(2_000);
    let n_pkgs = args.get(1).copied().unwrap_or(2_000);
    let config = Config {
        codenames: codenames(n_names),
        ..Config::default()
    };
    let build = best_of(5, || Matcher::new(&config).unwrap());
    println!("{n_names} codenames, {n_pkgs} packages of 40 files (best of 5 unless noted)");
    println!("  build the matcher once:            {build:>10.2?}");

    let checks = Checks::new(&config).unwrap();
    let packages: Vec<Packlist> = (0..n_pkgs).map(packlist).collect();
    let t = Instant::now();
    let mut found = 0;
    for p in &packages {
        for check in &checks.packlist {
            found += check(p, &config).len();
        }
    }
    let all = t.elapsed();
    assert_eq!(found, 0, "no package names a codename");
    println!(
        "  packlist checks, every package:    {all:>10.2?} ({:.2?} per package, 1 run)",
        all / n_pkgs as u32
    );

    let m = Matcher::new(&config).unwrap();
    let text: Vec<u8> = b"const value = computeSomething(input, options); // plain code\n"
        .iter()
        .copied()
        .cycle()
        .take(1 << 20)
        .collect();
    let scan = best_of(5, || m.find(&text));
    println!("  scan 1 MiB of code:                {scan:>10.2?}");
}
