//! `pack/drift` and `leakgate.lock`: what each package is expected to ship.
//!
//! The lock sits at the repository root and is committed. It records, per package
//! directory, the paths the package ships and their total unpacked size. It is
//! deterministic (packages sorted by directory, paths sorted bytewise, no timestamps,
//! no tool versions), so re-running `leakgate lock` on an unchanged tree rewrites it byte
//! for byte and it never churns in review.
//!
//! Where a lock exists, `pack/drift` reports a packed path the lock doesn't list (after
//! collapsing build hashes: `chunk-3f9a1c2b.js` matches a locked `chunk-77aa01de.js`)
//! and a package whose total size grew beyond `[drift] max-growth` times the recorded
//! size. The March 2026 leak grew its package about 6x by adding one file.
//!
//! The lock never counts itself: when the root package ships `leakgate.lock`, the lock can't
//! hold its own size (writing the size changes it) and listing itself would make the first
//! `leakgate lock` (no lock on disk yet) differ from the second. So `lock` records, and
//! `pack/drift` judges, the root package without its `leakgate.lock` ([`is_lock_itself`]).

use crate::config::Config;
use crate::packlist::Packlist;
use crate::report::{Finding, Severity};
use crate::rules::Rule;
use crate::text::line_col;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The lock's file name, at the repository root.
pub const LOCK_FILE: &str = "leakgate.lock";

/// The lock format version this leakgate writes and reads.
pub const LOCK_VERSION: u32 = 1;

/// Findings listed one by one before the rest are summed up in one.
const MAX_LISTED: usize = 20;

/// `pack/drift`: a package ships paths leakgate.lock doesn't list, or grew beyond [drift] max-growth
pub static PACK_DRIFT: Rule = Rule {
    id: "pack/drift",
    default_severity: Severity::Error,
    summary: "a package ships paths leakgate.lock doesn't list, or grew beyond [drift] max-growth",
    explanation: "leakgate.lock (written by `leakgate lock`, committed) records what each \
    package is expected to ship: its paths and total size. A push that adds an unexpected \
    path (a `.map`, a `.env`, a `src/` tree) or grows the package past `[drift] max-growth` \
    times the recorded size (default 1.5) is reported. Content-hashed build names \
    (`chunk-3f9a1c2b.js`) are compared by shape, so rebuilding doesn't trip it. A package \
    the lock doesn't know is a warning. The lock never counts itself: a root package that \
    ships `leakgate.lock` is recorded and judged without it, so one `leakgate lock` \
    settles it.",
    fix: "If the change is intended, run `leakgate lock` and commit leakgate.lock with it; \
    otherwise keep the new files out of the package (`files` in package.json or \
    .npmignore).",
};

/// What the lock records for one package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockedPackage {
    /// The package name when it was locked (for readers; packages are keyed by `dir`).
    pub name: Option<String>,
    /// Total unpacked size in bytes.
    pub size: u64,
    /// Shipped paths, sorted bytewise.
    pub files: Vec<String>,
}

/// The whole lock: packages keyed by their directory relative to the repository root
/// (`.` for the root package).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lock {
    /// Packages by directory.
    pub packages: BTreeMap<String, LockedPackage>,
}

/// A lock that can't be read, naming the file and, for syntax errors, line and column.
pub type LockError = crate::text::InputError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLock {
    version: u32,
    #[serde(default)]
    package: Vec<RawPackage>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPackage {
    dir: String,
    #[serde(default)]
    name: Option<String>,
    size: u64,
    #[serde(default)]
    files: Vec<String>,
}

/// Whether `path` (package-relative) of the package at `package_dir` (relative to the
/// repository root, or a lock key) is the lock itself: `leakgate.lock` at the root of the
/// repository's root package, the only place leakgate reads it from.
pub fn is_lock_itself(package_dir: &str, path: &str) -> bool {
    path == LOCK_FILE && dir_key(package_dir) == "."
}

/// The packed files the lock speaks about: all but the lock itself.
fn tracked<'a>(
    packlist: &'a Packlist,
    package_dir: &'a str,
) -> impl Iterator<Item = &'a crate::packlist::PackedFile> {
    packlist
        .files
        .iter()
        .filter(move |f| !is_lock_itself(package_dir, &f.path))
}

/// The key of a package directory: `/`-separated, no `./` or trailing `/`, `.` for the root.
pub fn dir_key(dir: &str) -> String {
    let d = dir.replace('\\', "/");
    let d = d.trim_start_matches("./").trim_matches('/');
    if d.is_empty() || d == "." {
        ".".to_string()
    } else {
        d.to_string()
    }
}

impl Lock {
    /// Parses lock text; `file` names it in errors.
    pub fn parse(text: &str, file: &Path) -> Result<Lock, LockError> {
        let err = |offset: Option<usize>, message: String| {
            let (line, column) = offset.map_or((1, 1), |o| line_col(text, o));
            LockError {
                file: file.display().to_string(),
                line: line as usize,
                column: column as usize,
                message,
            }
        };
        let raw: RawLock = toml::from_str(text)
            .map_err(|e| err(e.span().map(|s| s.start), e.message().to_string()))?;
        if raw.version != LOCK_VERSION {
            return Err(err(
                None,
                format!(
                    "lock version {} is not supported (this leakgate reads version {LOCK_VERSION}); \
                    run `leakgate lock` to rewrite it",
                    raw.version
                ),
            ));
        }
        let mut lock = Lock::default();
        for p in raw.package {
            let key = dir_key(&p.dir);
            let mut files = p.files;
            files.sort();
            files.dedup();
            let entry = LockedPackage {
                name: p.name,
                size: p.size,
                files,
            };
            if lock.packages.insert(key.clone(), entry).is_some() {
                return Err(err(
                    None,
                    format!(
                        "package dir \"{key}\" is listed twice; run `leakgate lock` to rewrite it"
                    ),
                ));
            }
        }
        Ok(lock)
    }

    /// Reads the lock at `path`; `Ok(None)` when there is none (drift is then not checked).
    pub fn load(path: &Path) -> Result<Option<Lock>, LockError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Lock::parse(&text, path).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(LockError {
                file: path.display().to_string(),
                line: 1,
                column: 1,
                message: format!("cannot read the lock: {e}"),
            }),
        }
    }

    /// The entry for a package directory.
    pub fn package(&self, dir: &str) -> Option<&LockedPackage> {
        self.packages.get(&dir_key(dir))
    }

    /// Records (or replaces) what `packlist` ships, under its directory, without the lock
    /// itself ([`is_lock_itself`]); returns the entry.
    pub fn record(&mut self, packlist: &Packlist) -> &LockedPackage {
        let mut files: Vec<String> = tracked(packlist, &packlist.dir)
            .map(|f| f.path.clone())
            .collect();
        files.sort();
        files.dedup();
        let key = dir_key(&packlist.dir);
        self.packages.insert(
            key.clone(),
            LockedPackage {
                name: packlist.name().map(str::to_string),
                size: tracked(packlist, &packlist.dir).map(|f| f.size).sum(),
                files,
            },
        );
        &self.packages[&key]
    }

    /// The lock as TOML: a fixed header, then packages sorted by directory with their
    /// paths sorted bytewise, one per line (diffs show exactly the paths that changed).
    pub fn render(&self) -> String {
        let q = |s: &str| toml::Value::String(s.to_string()).to_string();
        let mut out = String::new();
        out.push_str(
            "# leakgate.lock: what each package is expected to ship. Written by `leakgate lock`;\n\
             # commit it. `pack/drift` reports packed paths not listed here and packages that grew\n\
             # past `[drift] max-growth` times their recorded size.\n",
        );
        out.push_str(&format!("version = {LOCK_VERSION}\n"));
        for (dir, p) in &self.packages {
            out.push_str("\n[[package]]\n");
            out.push_str(&format!("dir = {}\n", q(dir)));
            if let Some(name) = &p.name {
                out.push_str(&format!("name = {}\n", q(name)));
            }
            out.push_str(&format!("size = {}\n", p.size));
            if p.files.is_empty() {
                out.push_str("files = []\n");
            } else {
                out.push_str("files = [\n");
                for f in &p.files {
                    out.push_str(&format!("    {},\n", q(f)));
                }
                out.push_str("]\n");
            }
        }
        out
    }
}

/// A path with content hashes collapsed to `*`, so a rebuild with new hashes has the same
/// shape: `assets/index-BdQq_4o1.js` → `assets/index-*.js`, `dist/chunk.3f9a1c2b.mjs` →
/// `dist/chunk.*.mjs`. A hash is a run of 8+ `[A-Za-z0-9_]` after `-` or `.` and before
/// `.` that has a digit or switches case at least three times (not a word).
pub fn path_shape(path: &str) -> String {
    if !path.is_ascii() {
        return path.to_string();
    }
    let b = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        out.push(c as char);
        i += 1;
        if c != b'-' && c != b'.' {
            continue;
        }
        let start = i;
        let mut j = i;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
            j += 1;
        }
        let run = &b[start..j];
        let followed_by_ext = b.get(j) == Some(&b'.');
        let digits = run.iter().any(u8::is_ascii_digit);
        let switches = run
            .windows(2)
            .filter(|w| w[0].is_ascii_lowercase() != w[1].is_ascii_lowercase())
            .count();
        if run.len() >= 8 && followed_by_ext && (digits || switches >= 3) {
            out.push('*');
            i = j;
        }
    }
    out
}

/// `pack/drift` for one package against the lock: unexpected paths (error), growth past
/// `max-growth` (error), or a package the lock doesn't know (warning). `package_dir` is
/// the package directory relative to the repository root (the lock's key).
pub fn check(packlist: &Packlist, package_dir: &str, lock: &Lock, config: &Config) -> Vec<Finding> {
    let package = packlist
        .name()
        .map(str::to_string)
        .unwrap_or_else(|| dir_key(package_dir));
    let Some(locked) = lock.package(package_dir) else {
        return vec![Finding::new(
            &PACK_DRIFT,
            format!(
                "package directory {} is not in {LOCK_FILE}",
                dir_key(package_dir)
            ),
        )
        .severity(Severity::Warning)
        .package(&package)
        .help("Run `leakgate lock` and commit leakgate.lock to record what this package ships.")];
    };
    let mut out = Vec::new();
    let exact: BTreeSet<&str> = locked.files.iter().map(String::as_str).collect();
    let shapes: BTreeSet<String> = locked.files.iter().map(|f| path_shape(f)).collect();
    let new: Vec<&crate::packlist::PackedFile> = tracked(packlist, package_dir)
        .filter(|f| !exact.contains(f.path.as_str()) && !shapes.contains(&path_shape(&f.path)))
        .collect();
    let help = PACK_DRIFT.fix;
    for f in new.iter().take(MAX_LISTED) {
        out.push(
            Finding::new(
                &PACK_DRIFT,
                format!(
                    "{} ships but is not in {LOCK_FILE} ({})",
                    f.path,
                    crate::text::human_bytes(f.size)
                ),
            )
            .package(&package)
            .file(&f.path)
            .help(help),
        );
    }
    if new.len() > MAX_LISTED {
        let rest = &new[MAX_LISTED..];
        let bytes: u64 = rest.iter().map(|f| f.size).sum();
        out.push(
            Finding::new(
                &PACK_DRIFT,
                format!(
                    "and {} more paths not in {LOCK_FILE} ({})",
                    rest.len(),
                    crate::text::human_bytes(bytes)
                ),
            )
            .package(&package)
            .help(help),
        );
    }
    let total: u64 = tracked(packlist, package_dir).map(|f| f.size).sum();
    let limit = config.drift.max_growth;
    if locked.size > 0 && (total as f64) > (locked.size as f64) * limit {
        out.push(
            Finding::new(
                &PACK_DRIFT,
                format!(
                    "the package grew {:.1}x since {LOCK_FILE} ({} → {}), over [drift] max-growth = {limit}",
                    total as f64 / locked.size as f64,
                    crate::text::human_bytes(locked.size),
                    crate::text::human_bytes(total)
                ),
            )
            .package(&package)
            .help(help),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packlist::PackedFile;

    fn packlist(dir: &str, files: &[(&str, u64)]) -> Packlist {
        Packlist {
            publisher: crate::packlist::Publisher::Npm,
            dir: dir.into(),
            from: dir.into(),
            manifest: serde_json::json!({"name": "@acme/cli", "version": "1.0.0"}),
            files: files
                .iter()
                .map(|(p, s)| PackedFile {
                    path: p.to_string(),
                    source: format!("{dir}/{p}"),
                    size: *s,
                    mode: 0o644,
                })
                .collect(),
        }
    }

    fn locked(files: &[(&str, u64)]) -> Lock {
        let mut lock = Lock::default();
        lock.record(&packlist("packages/cli", files));
        lock
    }

    #[test]
    fn render_is_sorted_deterministic_and_round_trips() {
        let mut lock = locked(&[("package.json", 10), ("README.md", 5), ("dist/cli.js", 100)]);
        lock.record(&packlist("", &[("weird \"name\".js", 1)]));
        let text = lock.render();
        assert!(!text.contains("20"), "no dates: {text}");
        let cli = text.find("dir = \"packages/cli\"").unwrap();
        let root = text.find("dir = \".\"").unwrap();
        assert!(root < cli, "sorted by dir: {text}");
        let readme = text.find("\"README.md\"").unwrap();
        let dist = text.find("\"dist/cli.js\"").unwrap();
        assert!(readme < dist);
        let back = Lock::parse(&text, Path::new(LOCK_FILE)).unwrap();
        assert_eq!(back, lock);
        assert_eq!(back.render(), text);
        assert_eq!(back.package("./packages/cli/").unwrap().size, 115);
    }

    #[test]
    fn bad_locks_name_file_line_and_column() {
        let e = Lock::parse(
            "version = 1\n[[package]]\ndir = 3\nsize = 1\n",
            Path::new(LOCK_FILE),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("leakgate.lock:3:"), "{e}");
        let e = Lock::parse("version = 9\n", Path::new(LOCK_FILE))
            .unwrap_err()
            .to_string();
        assert!(e.contains("version 9"), "{e}");
        assert!(Lock::parse("version = 1\nextra = true\n", Path::new(LOCK_FILE)).is_err());
    }

    #[test]
    fn missing_lock_loads_as_none() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Lock::load(&dir.path().join(LOCK_FILE)).unwrap().is_none());
    }

    #[test]
    fn unexpected_path_and_growth_are_errors() {
        let lock = locked(&[("package.json", 1_000), ("dist/cli.js", 9_000_000)]);
        let now = packlist(
            "packages/cli",
            &[
                ("package.json", 1_000),
                ("dist/cli.js", 9_000_000),
                ("dist/cli.js.map", 50_000_000),
            ],
        );
        let f = check(&now, "packages/cli", &lock, &Config::default());
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[0].file.as_deref(), Some("dist/cli.js.map"));
        assert!(f[1].message.contains("grew 6.6x"), "{}", f[1].message);
        assert!(f.iter().all(Finding::is_blocking));
    }

    #[test]
    fn same_shape_and_modest_growth_pass() {
        let lock = locked(&[("package.json", 1_000), ("dist/chunk-3f9a1c2b.js", 10_000)]);
        let now = packlist(
            "packages/cli",
            &[("package.json", 1_000), ("dist/chunk-a81d00ef.js", 15_500)],
        );
        // 11,000 -> 16,500 bytes: exactly the default 1.5x is fine; past a lower limit is not.
        assert!(check(&now, "packages/cli", &lock, &Config::default()).is_empty());
        let mut c = Config::default();
        c.drift.max_growth = 1.2;
        assert_eq!(check(&now, "packages/cli", &lock, &c).len(), 1);
    }

    #[test]
    fn unknown_package_is_a_warning() {
        let lock = locked(&[("package.json", 1)]);
        let f = check(
            &packlist("other", &[("a.js", 1)]),
            "other",
            &lock,
            &Config::default(),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
    }

    #[test]
    fn many_new_paths_are_summed_up() {
        let lock = locked(&[("package.json", 1)]);
        let files: Vec<(String, u64)> = (0..30).map(|i| (format!("src/f{i}.ts"), 10)).collect();
        let refs: Vec<(&str, u64)> = files.iter().map(|(p, s)| (p.as_str(), *s)).collect();
        let mut all = refs.clone();
        all.push(("package.json", 1));
        let f = check(
            &packlist("packages/cli", &all),
            "packages/cli",
            &lock,
            &Config::default(),
        );
        assert_eq!(f.len(), MAX_LISTED + 2, "20 listed, 1 summary, 1 growth");
        assert!(f[MAX_LISTED].message.contains("10 more"));
    }

    #[test]
    fn the_root_packages_lock_is_not_counted_a_members_file_of_that_name_is() {
        let files = [("package.json", 100), ("leakgate.lock", 5_000)];
        let mut lock = Lock::default();
        let root = lock.record(&packlist("", &files));
        assert_eq!(
            (root.files.as_slice(), root.size),
            (&["package.json".to_string()][..], 100)
        );
        // The lock grew (it lists more packages) and is still not drift.
        let grown = packlist("", &[("package.json", 100), ("leakgate.lock", 90_000)]);
        assert!(check(&grown, "", &lock, &Config::default()).is_empty());
        // Near miss: a member's own `leakgate.lock` is an ordinary shipped file.
        let member = lock.record(&packlist("packages/cli", &files)).clone();
        assert_eq!(member.files.len(), 2);
        assert_eq!(member.size, 5_100);
        let mut lock = Lock::default();
        lock.record(&packlist("packages/cli", &[("package.json", 100)]));
        let f = check(
            &packlist("packages/cli", &files),
            "packages/cli",
            &lock,
            &Config::default(),
        );
        assert_eq!(f[0].file.as_deref(), Some("leakgate.lock"), "{f:?}");
    }

    #[test]
    fn shapes() {
        assert_eq!(path_shape("assets/index-BdQq_4o1.js"), "assets/index-*.js");
        assert_eq!(path_shape("dist/chunk.3f9a1c2b.mjs"), "dist/chunk.*.mjs");
        assert_eq!(path_shape("dist/my-component.js"), "dist/my-component.js");
        assert_eq!(path_shape("dist/use-Something.js"), "dist/use-Something.js");
        assert_eq!(path_shape("src/cli.ts"), "src/cli.ts");
    }
}
