//! Differential test of the tarball reader against npm's own: malformed and unusual archives
//! are written byte by byte, extracted by the real node-tar (`tar@7` from the registry, as
//! `npm install` extracts a package: `strip: 1`, links filtered out), and the files leakgate
//! would audit must be exactly the files node-tar writes, with the same bytes.

mod common;

use leakgate::snapshot::{Snapshot, Tarball};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A header block: `name` (raw, up to 100 bytes), type, size field, link name, ustar
/// `prefix`; `cksum` false writes a wrong checksum.
fn header(
    name: &[u8],
    typeflag: u8,
    size: u64,
    link: &[u8],
    prefix: &[u8],
    cksum: bool,
) -> Vec<u8> {
    let mut b = vec![0u8; 512];
    b[..name.len()].copy_from_slice(name);
    b[100..107].copy_from_slice(b"0000644");
    b[108..115].copy_from_slice(b"0000000");
    b[116..123].copy_from_slice(b"0000000");
    b[124..135].copy_from_slice(format!("{size:011o}").as_bytes());
    b[136..147].copy_from_slice(b"14670001000");
    b[156] = typeflag;
    b[157..157 + link.len()].copy_from_slice(link);
    b[257..265].copy_from_slice(b"ustar\x0000");
    b[345..345 + prefix.len()].copy_from_slice(prefix);
    b[148..156].fill(b' ');
    let sum: u32 = b.iter().map(|&x| u32::from(x)).sum::<u32>() + u32::from(!cksum);
    b[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    b
}

fn padded(data: &[u8]) -> Vec<u8> {
    let mut v = data.to_vec();
    v.resize(data.len().div_ceil(512) * 512, 0);
    v
}

/// A regular file entry.
fn file(name: &str, data: &[u8]) -> Vec<u8> {
    let mut v = header(name.as_bytes(), b'0', data.len() as u64, b"", b"", true);
    v.extend(padded(data));
    v
}

/// A PAX record `<len> key=value\n`.
fn pax_record(key: &str, value: &str) -> String {
    let body = format!(" {key}={value}\n");
    let mut n = body.len() + 1;
    while format!("{n}{body}").len() != n {
        n += 1;
    }
    format!("{n}{body}")
}

fn meta(typeflag: u8, data: &[u8]) -> Vec<u8> {
    let mut v = header(b"././@meta", typeflag, data.len() as u64, b"", b"", true);
    v.extend(padded(data));
    v
}

const ZERO: [u8; 512] = [0; 512];
const MAP: &[u8] = br#"{"version":3,"sources":["../src/auth.ts"],"sourcesContent":["export const k = 1;"],"mappings":"AAAA"}"#;
const TOKEN: &[u8] = b"export GITHUB_TOKEN=ghp_Zq8vN3kLmP2xR7tY4wB9cD1fG6hJ0sA5eU2i\n";
const MANIFEST: &[u8] = br#"{"name":"@acme/tgz","version":"1.0.0","license":"UNLICENSED"}"#;

/// The archives: (name, tar bytes).
fn archives() -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    let base = || file("package/package.json", MANIFEST);

    // A lone zero block mid-archive, entries after it: node-tar reads on.
    let mut t = base();
    t.extend(ZERO);
    t.extend(file("package/dist/cli.js.map", MAP));
    t.extend(file("package/deploy.sh", TOKEN));
    t.extend(ZERO);
    t.extend(ZERO);
    t.extend(file("package/after-eof.js", b"never extracted\n"));
    out.push(("lone-zero-block", t));

    // Duplicate names: the last one wins.
    let mut t = base();
    t.extend(file("package/a.js", b"first\n"));
    t.extend(file("package/a.js", TOKEN));
    t.extend(ZERO.repeat(2));
    out.push(("duplicates", t));

    // PAX: a path override (over a ustar name and prefix), a size override, a global
    // header whose path is ignored, successive headers merged.
    let mut t = base();
    let pax = pax_record("path", "package/dist/real.js.map");
    t.extend(meta(b'x', pax.as_bytes()));
    let mut h = header(b"decoy.js", b'0', MAP.len() as u64, b"", b"package", true);
    h.extend(padded(MAP));
    t.extend(h);
    t.extend(meta(
        b'g',
        pax_record("path", "package/global.js").as_bytes(),
    ));
    t.extend(meta(b'x', pax_record("size", "5").as_bytes()));
    t.extend(meta(
        b'x',
        pax_record("path", "package/sized.js").as_bytes(),
    ));
    let mut h = header(b"package/other.js", b'0', 999, b"", b"", true);
    h.extend(padded(b"sized"));
    t.extend(h);
    t.extend(ZERO.repeat(2));
    out.push(("pax", t));

    // Long names: GNU `L`, and a ustar prefix (155 bytes when byte 475 is set).
    let mut t = base();
    let long = format!("package/{}/deep.js", "d".repeat(120));
    t.extend(meta(b'L', format!("{long}\0").as_bytes()));
    t.extend(file("package/short.js", TOKEN));
    let prefix = format!("package/{}", "p".repeat(147));
    let mut h = header(b"tail.js", b'0', 4, b"", prefix.as_bytes(), true);
    h.extend(padded(b"tail"));
    t.extend(h);
    t.extend(ZERO.repeat(2));
    out.push(("long-names", t));

    // Headers node-tar skips one block at a time: a bad checksum, a file with a link
    // name, an empty name; then valid entries (the bad ones' data blocks are read as
    // headers and skipped too).
    let mut t = base();
    let mut bad = header(b"package/bad.js", b'0', 3, b"", b"", false);
    bad.extend(padded(b"bad"));
    t.extend(bad);
    t.extend(header(
        b"package/linked.js",
        b'0',
        0,
        b"elsewhere",
        b"",
        true,
    ));
    t.extend(header(b"", b'0', 0, b"", b"", true));
    t.extend(file("package/ok.js", b"ok\n"));
    t.extend(header(b"package/dir-by-slash/", b'0', 0, b"", b"", true));
    t.extend(file("package/dir-by-slash/inner.js", b"in\n"));
    t.extend(ZERO.repeat(2));
    out.push(("skipped-headers", t));

    // Types node-tar doesn't extract: sparse files; links are filtered out by npm.
    let mut t = base();
    let mut s = header(b"package/sparse.bin", b'S', 512, b"", b"", true);
    s.extend(padded(&[b'S'; 512]));
    t.extend(s);
    t.extend(header(b"package/ln.js", b'2', 0, b"ok.js", b"", true));
    t.extend(file("package/ok.js", b"ok\n"));
    t.extend(ZERO.repeat(2));
    out.push(("types", t));
    out
}

fn gzip(tar: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, tar).unwrap();
    gz.finish().unwrap()
}

/// Every regular file under `dir`, by `/`-separated relative path.
fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let t = e.file_type().unwrap();
            if t.is_dir() {
                pending.push(e.path());
            } else if t.is_file() {
                let rel = e
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(e.path()).unwrap());
            }
        }
    }
    out
}

/// The files leakgate audits in the tarball: its packlist, with each file's bytes.
fn leakgate_files(tgz: &Path) -> BTreeMap<String, Vec<u8>> {
    let t = Tarball::open(tgz).unwrap();
    let packlist = leakgate::checks::tarball::packlist(&t).unwrap();
    packlist
        .files
        .iter()
        .map(|f| (f.path.clone(), t.read(&f.source).unwrap()))
        .collect()
}

/// `tar@7` installed from the registry into a temp dir; returns its module path.
fn node_tar(dir: &Path) -> PathBuf {
    let out = std::process::Command::new("npm")
        .args([
            "install",
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--prefix",
        ])
        .arg(dir)
        .arg("tar@7")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "npm install tar@7: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir.join("node_modules/tar")
}

#[test]
fn npm_tarball_entries_match_node_tar_extraction() {
    common::require_npm();
    let work = tempfile::tempdir().unwrap();
    let tar_module = node_tar(&work.path().join("mod"));
    // How pacote (npm's fetcher) extracts a package: `package/` stripped, links dropped.
    let script = r#"
const tar = require(process.argv[1]);
tar.x({ file: process.argv[2], cwd: process.argv[3], strip: 1, sync: true,
        filter: (p, e) => !/Link$/.test(e.type), onwarn: () => {} });
"#;
    for (name, tar_bytes) in archives() {
        let tgz = work.path().join(format!("{name}.tgz"));
        std::fs::write(&tgz, gzip(&tar_bytes)).unwrap();
        let dest = work.path().join(name);
        std::fs::create_dir_all(&dest).unwrap();
        let out = std::process::Command::new("node")
            .arg("-e")
            .arg(script)
            .arg(&tar_module)
            .arg(&tgz)
            .arg(&dest)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: node-tar failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let npm = files_under(&dest);
        let ours = leakgate_files(&tgz);
        assert_eq!(
            ours.keys().collect::<Vec<_>>(),
            npm.keys().collect::<Vec<_>>(),
            "{name}: leakgate audits other files than npm extracts"
        );
        for (path, bytes) in &npm {
            assert_eq!(&ours[path], bytes, "{name}: {path} differs");
        }
    }
}

/// What the differential test pins down, end to end: the map and the token after a lone
/// zero block are audited (they were never read: exit 0), and the headers node-tar skips
/// are reported.
#[test]
fn audit_tarball_reads_past_a_lone_zero_block() {
    let dir = tempfile::tempdir().unwrap();
    for (name, tar_bytes) in archives() {
        let tgz = dir.path().join(format!("{name}.tgz"));
        std::fs::write(&tgz, gzip(&tar_bytes)).unwrap();
        let out = common::leakgate()
            .current_dir(dir.path())
            .args(["audit", "--tarball"])
            .arg(&tgz)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        match name {
            "lone-zero-block" => {
                assert_eq!(out.status.code(), Some(1), "{text}");
                assert!(text.contains("error[sourcemap/sources-content]"), "{text}");
                assert!(text.contains("secret/github-token"), "{text}");
                assert!(!text.contains("after-eof.js"), "{text}");
            }
            "skipped-headers" => {
                assert_eq!(out.status.code(), Some(1), "{text}");
                assert!(text.contains("bad checksum"), "{text}");
            }
            _ => assert_ne!(out.status.code(), Some(2), "{name}: {text}"),
        }
    }
}
