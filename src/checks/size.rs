//! `pack/size`: a packed file or the whole package over the team's limits.
//!
//! There is no default limit. The most-downloaded packages legitimately ship native
//! binaries of 100+ MB (`@next/swc-*`, `@swc/core-*`, `@biomejs/cli-*`) and unpack to
//! 20-150 MB (`typescript`, `next`), so any default low enough to catch a leak would block
//! some of them; size *growth* is what gave the March 2026 leak away, and `pack/drift`
//! catches that against the committed lock. Teams set `[size] max-file` / `max-package`
//! (bytes) for their own packages; `docs/false-positives.md` records the sizes measured on
//! real tarballs.

use crate::config::Config;
use crate::packlist::Packlist;
use crate::report::{Finding, Severity};
use crate::rules::Rule;
use crate::text::human_bytes;

/// `pack/size`: a packed file or the whole package is larger than `[size]` in leakgate.toml allows
pub static PACK_SIZE: Rule = Rule {
    id: "pack/size",
    default_severity: Severity::Error,
    summary: "a packed file or the whole package is larger than `[size]` in leakgate.toml allows",
    explanation: "Teams that know their package's shape set `[size] max-file` and \
    `max-package` (bytes, unpacked). A file or package over the limit usually means \
    something unintended ships: a source map with embedded sources (the March 2026 leak \
    was a 59.8 MB map), a vendored binary, test fixtures. No limit applies by default.",
    fix: "Find the unexpected file with `leakgate files DIR` and keep it out of the package \
    (`files` or .npmignore), or raise the limit in leakgate.toml if the growth is intended.",
};

/// `pack/size` findings for one package: each file over `max-file`, then the package
/// if its total unpacked size is over `max-package`.
pub fn check(packlist: &Packlist, config: &Config) -> Vec<Finding> {
    let package = packlist
        .name()
        .map(str::to_string)
        .unwrap_or_else(|| packlist.dir.clone());
    let mut out = Vec::new();
    if let Some(max) = config.size.max_file {
        for f in packlist.files.iter().filter(|f| f.size > max) {
            out.push(
                Finding::new(
                    &PACK_SIZE,
                    format!(
                        "{} is {}, over the {} per-file limit",
                        f.path,
                        human_bytes(f.size),
                        human_bytes(max)
                    ),
                )
                .package(&package)
                .file(&f.path)
                .exposes(f.size)
                .help(PACK_SIZE.fix),
            );
        }
    }
    if let Some(max) = config.size.max_package {
        let total = packlist.total_size();
        if total > max {
            let largest = packlist
                .files
                .iter()
                .max_by_key(|f| f.size)
                .map(|f| format!("; largest file {} ({})", f.path, human_bytes(f.size)))
                .unwrap_or_default();
            out.push(
                Finding::new(
                    &PACK_SIZE,
                    format!(
                        "the package unpacks to {} in {} files, over the {} limit{largest}",
                        human_bytes(total),
                        packlist.files.len(),
                        human_bytes(max)
                    ),
                )
                .package(&package)
                .help(PACK_SIZE.fix),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packlist::PackedFile;

    fn packlist(files: &[(&str, u64)]) -> Packlist {
        Packlist {
            publisher: crate::packlist::Publisher::Npm,
            dir: "".into(),
            from: "".into(),
            manifest: serde_json::json!({"name": "big", "version": "1.0.0"}),
            files: files
                .iter()
                .map(|(p, s)| PackedFile {
                    path: p.to_string(),
                    source: p.to_string(),
                    size: *s,
                    mode: 0o644,
                })
                .collect(),
        }
    }

    fn limits(file: Option<u64>, package: Option<u64>) -> Config {
        let mut c = Config::default();
        c.size.max_file = file;
        c.size.max_package = package;
        c
    }

    #[test]
    fn no_default_limit() {
        let p = packlist(&[("huge.node", 200_000_000)]);
        assert!(check(&p, &Config::default()).is_empty());
    }

    #[test]
    fn file_over_limit_and_just_under() {
        let p = packlist(&[("dist/cli.js.map", 59_800_001), ("dist/cli.js", 10_000_000)]);
        let f = check(&p, &limits(Some(10_000_000), None));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].file.as_deref(), Some("dist/cli.js.map"));
        assert!(f[0].message.contains("59.8 MB"), "{}", f[0].message);
        assert!(f[0].is_blocking());
    }

    #[test]
    fn package_over_limit_and_at_limit() {
        let p = packlist(&[("a", 600), ("b", 400)]);
        assert!(check(&p, &limits(None, Some(1000))).is_empty());
        let f = check(&p, &limits(None, Some(999)));
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("largest file a"), "{}", f[0].message);
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(12), "12 B");
        assert_eq!(human_bytes(812_000), "812.0 kB");
        assert_eq!(human_bytes(59_800_000), "59.8 MB");
    }
}
