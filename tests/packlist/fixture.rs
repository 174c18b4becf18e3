//! Fixture packages for the packlist differential tests, described in a small text format
//! (`tests/fixtures/packlist.txt`) and materialized in temp dirs.
//!
//! ```text
//! === name                one fixture per header
//! # comment
//! @cwd packages/a         the directory to pack (default: the fixture root)
//! package.json = {...}    a file with this content (`\n`, `\t`, `\\` escapes)
//! lib/a.js                a file whose content is its own path
//! empty/                  an empty directory
//! link -> target          a symlink
//! pipe @fifo              a FIFO
//! ```
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// One fixture package.
#[derive(Clone, Debug)]
pub struct Fixture {
    pub name: String,
    pub cwd: String,
    pub items: Vec<Item>,
}

/// One thing to create.
#[derive(Clone, Debug)]
pub enum Item {
    File(String, Vec<u8>),
    Dir(String),
    Symlink(String, String),
    Fifo(String),
}

fn unescape(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push(b'\n'),
                Some('r') => out.push(b'\r'),
                Some('t') => out.push(b'\t'),
                Some('\\') => out.push(b'\\'),
                Some('u') if chars.as_str().starts_with('{') => {
                    let rest = chars.as_str();
                    let end = rest.find('}').expect("unclosed \\u{");
                    let code = u32::from_str_radix(&rest[1..end], 16).expect("hex");
                    let mut b = [0; 4];
                    out.extend(char::from_u32(code).unwrap().encode_utf8(&mut b).as_bytes());
                    for _ in 0..=end {
                        chars.next();
                    }
                }
                Some(o) => {
                    out.push(b'\\');
                    let mut b = [0; 4];
                    out.extend(o.encode_utf8(&mut b).as_bytes());
                }
                None => out.push(b'\\'),
            }
        } else {
            let mut b = [0; 4];
            out.extend(c.encode_utf8(&mut b).as_bytes());
        }
    }
    out
}

/// `\u{XXXX}` escapes in a path (other backslashes are literal there).
fn unescape_path(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("\\u{") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find('}').expect("unclosed \\u{") + i;
        let code = u32::from_str_radix(&rest[i + 3..end], 16).expect("hex");
        out.push(char::from_u32(code).unwrap());
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Parses the fixture file.
pub fn parse(text: &str) -> Vec<Fixture> {
    let mut out: Vec<Fixture> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("=== ") {
            out.push(Fixture {
                name: name.trim().to_string(),
                cwd: String::new(),
                items: Vec::new(),
            });
            continue;
        }
        if line.trim().is_empty() || line.starts_with("# ") || line == "#" {
            continue;
        }
        let fx = out.last_mut().expect("fixture line before any === header");
        if let Some(cwd) = line.strip_prefix("@cwd ") {
            fx.cwd = cwd.trim().to_string();
        } else if let Some((path, content)) = line.split_once(" = ") {
            fx.items
                .push(Item::File(unescape_path(path), unescape(content)));
        } else if let Some((path, target)) = line.split_once(" -> ") {
            fx.items
                .push(Item::Symlink(unescape_path(path), target.to_string()));
        } else if let Some(path) = line.strip_suffix(" @fifo") {
            fx.items.push(Item::Fifo(unescape_path(path)));
        } else if let Some(path) = line.strip_suffix('/') {
            fx.items.push(Item::Dir(unescape_path(path)));
        } else {
            let path = unescape_path(line);
            let content = format!("{path}\n").into_bytes();
            fx.items.push(Item::File(path, content));
        }
    }
    for fx in &mut out {
        let pj = if fx.cwd.is_empty() {
            "package.json".to_string()
        } else {
            format!("{}/package.json", fx.cwd)
        };
        let has = fx
            .items
            .iter()
            .any(|i| matches!(i, Item::File(p, _) if *p == pj));
        if !has {
            fx.items.insert(
                0,
                Item::File(
                    pj,
                    format!("{{\"name\":\"{}\",\"version\":\"1.0.0\"}}\n", fx.name).into_bytes(),
                ),
            );
        }
    }
    out
}

/// The fixture file of the repository.
pub fn all() -> Vec<Fixture> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/packlist.txt");
    let text = std::fs::read_to_string(&path).expect("read fixtures");
    let fx = parse(&text);
    let mut names = std::collections::HashSet::new();
    for f in &fx {
        assert!(names.insert(f.name.clone()), "duplicate fixture {}", f.name);
    }
    fx
}

impl Fixture {
    /// Creates the fixture under `root`.
    pub fn materialize(&self, root: &Path) {
        for item in &self.items {
            match item {
                Item::File(p, content) => {
                    let full = root.join(p);
                    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
                    std::fs::write(&full, content).unwrap();
                }
                Item::Dir(p) => std::fs::create_dir_all(root.join(p)).unwrap(),
                Item::Symlink(p, target) => {
                    let full = root.join(p);
                    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
                    std::os::unix::fs::symlink(target, &full).unwrap();
                }
                Item::Fifo(p) => {
                    let full = root.join(p);
                    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
                    let st = std::process::Command::new("mkfifo")
                        .arg(&full)
                        .status()
                        .unwrap();
                    assert!(st.success());
                }
            }
        }
    }

    /// The directory to pack inside a materialized fixture.
    pub fn pack_dir(&self, root: &Path) -> PathBuf {
        if self.cwd.is_empty() {
            root.to_path_buf()
        } else {
            root.join(&self.cwd)
        }
    }
}

/// Runs `npm pack --dry-run --json --ignore-scripts` (plus `extra` args) in `dir` and
/// returns, per packed package, its name and its file paths sorted bytewise.
pub fn npm_pack(dir: &Path, extra: &[&str]) -> Result<Vec<(String, Vec<String>)>, String> {
    let out = std::process::Command::new("npm")
        .args(["pack", "--dry-run", "--json", "--ignore-scripts"])
        .args(extra)
        .current_dir(dir)
        .env("npm_config_update_notifier", "false")
        .env("npm_config_fund", "false")
        .env("npm_config_audit", "false")
        .env("npm_config_loglevel", "error")
        .output()
        .map_err(|e| format!("cannot run npm: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "npm pack failed in {}: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "npm printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })?;
    let mut res = Vec::new();
    for pkg in v.as_array().ok_or("npm JSON is not an array")? {
        let name = pkg["name"].as_str().unwrap_or("").to_string();
        let mut files: Vec<String> = pkg["files"]
            .as_array()
            .ok_or("npm JSON has no files")?
            .iter()
            .map(|f| f["path"].as_str().unwrap_or("").to_string())
            .collect();
        files.sort();
        res.push((name, files));
    }
    Ok(res)
}

/// The golden file of a fixture.
pub fn golden_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/packlist")
        .join(format!("{name}.json"))
}

/// Reads a golden file: npm's file list for the fixture.
pub fn read_golden(name: &str) -> Vec<String> {
    let path = golden_path(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run scripts/regen-packlist-golden.sh",
            path.display()
        )
    });
    let v: serde_json::Value = serde_json::from_str(&text).expect("golden JSON");
    v["files"]
        .as_array()
        .expect("golden files")
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect()
}

/// Writes a golden file.
pub fn write_golden(name: &str, files: &[String]) {
    let path = golden_path(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    // Keys in byte order, so regenerating changes only what npm changed.
    let v = serde_json::json!({ "files": files, "fixture": name, "npm": "11.19.1" });
    std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap() + "\n").unwrap();
}
