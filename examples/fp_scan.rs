//! Runs the content checks of `checks::{secrets, files, codename, size}` over unpacked
//! package directories (`tar xzf pkg.tgz` gives `package/`), for the false-positive corpus
//! (`scripts/fp-corpus.sh`). Prints one tab-separated line per finding:
//! `PACKAGE\tRULE\tFILE:LINE:COL\tREDACTED`, then one `#size` line per package and a
//! `#total` line with bytes read and the scan time.
//!
//! Usage: `cargo run --example fp_scan -- DIR...` (each DIR holds a package.json).

use leakgate::checks::{files, secrets};
use leakgate::config::Config;
use leakgate::packlist::{PackedFile, Packlist};
use std::path::Path;
use std::time::{Duration, Instant};

fn walk(root: &Path, dir: &Path, out: &mut Vec<PackedFile>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let Ok(meta) = e.metadata() else { continue };
        if meta.is_dir() {
            walk(root, &path, out);
        } else if meta.is_file() {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push(PackedFile {
                path: rel.clone(),
                source: rel,
                size: meta.len(),
                mode: 0o644,
            });
        }
    }
}

fn main() {
    let config = Config::default();
    let scanner = secrets::Scanner::new(&config).expect("scanner");
    let mut bytes_read = 0u64;
    let mut scan_time = Duration::ZERO;
    let mut read_time = Duration::ZERO;
    for dir in std::env::args().skip(1) {
        let root = Path::new(&dir);
        let manifest: serde_json::Value = std::fs::read(root.join("package.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(serde_json::Value::Null);
        let mut list = Vec::new();
        walk(root, root, &mut list);
        list.sort_by(|a, b| a.path.cmp(&b.path));
        let packlist = Packlist {
            publisher: leakgate::packlist::Publisher::Npm,
            dir: dir.clone(),
            from: dir.clone(),
            manifest,
            files: list,
        };
        let name = packlist.name().unwrap_or(&dir).to_string();
        for f in files::check(&packlist, &config) {
            println!(
                "{name}\t{}\t{}\t{}",
                f.rule,
                f.file.as_deref().unwrap_or(""),
                f.message
            );
        }
        let largest = packlist.files.iter().max_by_key(|f| f.size);
        println!(
            "#size\t{name}\t{}\t{}\t{}\t{}",
            packlist.files.len(),
            packlist.total_size(),
            largest.map_or("", |f| f.path.as_str()),
            largest.map_or(0, |f| f.size)
        );
        for f in &packlist.files {
            let t = Instant::now();
            let Ok(bytes) = std::fs::read(root.join(&f.path)) else {
                continue;
            };
            read_time += t.elapsed();
            bytes_read += bytes.len() as u64;
            let t = Instant::now();
            let found = scanner.findings(&f.path, &bytes);
            scan_time += t.elapsed();
            for x in found {
                println!(
                    "{name}\t{}\t{}:{}:{}\t{}",
                    x.rule,
                    f.path,
                    x.line.unwrap_or(0),
                    x.column.unwrap_or(0),
                    x.evidence.unwrap_or_default()
                );
            }
        }
    }
    println!(
        "#total\t{bytes_read} bytes\tread {:.0} ms\tscan {:.0} ms",
        read_time.as_secs_f64() * 1000.0,
        scan_time.as_secs_f64() * 1000.0
    );
}
