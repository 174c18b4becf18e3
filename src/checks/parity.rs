//! `pack/publisher-differs`: the files one publisher would ship and another would not.
//!
//! A repository that publishes with pnpm, yarn or bun is judged by what that tool ships;
//! a team that switches tools, or whose CI publishes with another one than the lockfile
//! says, would ship something else. One finding per package says how the two lists differ
//! (a count and the first few paths, never one finding per file): a note, or a warning
//! when a differing file is a source map or one the audit's own checks judge at warning
//! or above (a denied file, a secret). Those judgements are the audit's, not repeated here.

use super::{audit_package, package_label, AuditError, Checks};
use crate::config::Config;
use crate::packlist::{self, PackOptions, PackedFile, Packlist, Publisher};
use crate::report::{Finding, Severity};
use crate::rules::Rule;
use crate::snapshot::Snapshot;
use std::collections::HashSet;

/// `pack/publisher-differs`: the repository's publisher and npm would ship different files.
pub static PACK_PUBLISHER_DIFFERS: Rule = Rule {
    id: "pack/publisher-differs",
    default_severity: Severity::Note,
    summary: "the repository's publisher and npm (or the tool the lockfile names) would ship \
        different files",
    explanation: "npm, pnpm, yarn and bun each decide for themselves what goes in the \
        tarball (docs/publishers.md): npm applies a workspace root's .gitignore to every \
        member, pnpm only to a member with no .npmignore or `files` of its own, yarn and bun \
        never; yarn and bun ship the contents of a folder a `files` \
        glob matches, pnpm publishes the folder `publishConfig.directory` names... leakgate \
        judges what the repository's publisher ships; this finding lists, per package, the \
        files that would ship under it but not under the other tool, and the other way round, \
        so a team that switches tools, or whose CI publishes with a different one, sees the \
        difference. It is a note, and a warning when a differing file is a source map or \
        something the audit judges at warning or above (a denied file, a secret).",
    fix: "Make the package's `files` (or .npmignore) say exactly what ships, so every tool \
        packs the same list; or set `[publish] tool` in leakgate.toml to the tool that really \
        publishes. `leakgate files DIR --publisher TOOL` shows each tool's list.",
};

/// At most this many paths of each side are named in the message.
const SHOWN: usize = 3;

/// The tool to compare `judged` with: npm when the repository publishes with another
/// tool; the detected tool when the config says npm but the repository's lockfile or
/// `packageManager` names another; else none.
pub fn counterpart(judged: Publisher, detected: Publisher) -> Option<Publisher> {
    if judged != Publisher::Npm {
        Some(Publisher::Npm)
    } else if detected != Publisher::Npm {
        Some(detected)
    } else {
        None
    }
}

/// The `pack/publisher-differs` finding for one package, when `other` would ship a
/// different list than `judged` (the audited packlist, whose findings are `audited`).
/// Files are told apart by their path in the snapshot, so a file both tools ship under
/// different names (pnpm's `publishConfig.directory`) is no difference.
pub fn check(
    snapshot: &dyn Snapshot,
    judged: &Packlist,
    audited: &[Finding],
    other: Publisher,
    config: &Config,
    checks: &Checks,
) -> Result<Option<Finding>, AuditError> {
    let package = package_label(judged);
    let tool = judged.publisher;
    let options = PackOptions {
        publisher: other,
        ..PackOptions::default()
    };
    let theirs = match packlist::pack(snapshot, &judged.dir, &options) {
        Ok(list) => list,
        Err(e) => {
            return Ok(Some(
                Finding::new(
                    &PACK_PUBLISHER_DIFFERS,
                    format!(
                        "`{}` would refuse this package, which `{}` packs: {e}",
                        other.pack_command(),
                        tool.pack_command()
                    ),
                )
                .package(&package)
                .help(PACK_PUBLISHER_DIFFERS.fix),
            ))
        }
    };
    let ours: HashSet<&str> = judged.files.iter().map(|f| f.source.as_str()).collect();
    let mine: HashSet<&str> = theirs.files.iter().map(|f| f.source.as_str()).collect();
    let only_ours: Vec<&PackedFile> = judged
        .files
        .iter()
        .filter(|f| !mine.contains(f.source.as_str()))
        .collect();
    let only_theirs: Vec<PackedFile> = theirs
        .files
        .iter()
        .filter(|f| !ours.contains(f.source.as_str()))
        .cloned()
        .collect();
    if only_ours.is_empty() && only_theirs.is_empty() {
        return Ok(None);
    }

    // What the audit already said about the files only `tool` ships; the files only
    // `other` ships were not audited, so the same checks judge them now.
    let mut risky: Vec<(String, String)> = Vec::new();
    let only_ours_sources: HashSet<&str> = only_ours.iter().map(|f| f.source.as_str()).collect();
    note_risky(audited, &only_ours_sources, &mut risky);
    if !only_theirs.is_empty() {
        let sources: HashSet<&str> = only_theirs.iter().map(|f| f.source.as_str()).collect();
        let sub = Packlist {
            dir: theirs.dir.clone(),
            from: theirs.from.clone(),
            manifest: theirs.manifest.clone(),
            files: only_theirs.clone(),
            publisher: other,
        };
        let found = audit_package(snapshot, &sub, config, checks)?;
        note_risky(&found, &sources, &mut risky);
    }
    for f in only_ours.iter().copied().chain(only_theirs.iter()) {
        if super::sourcemap::kind(&f.path) == super::sourcemap::FileKind::Map
            && !risky.iter().any(|(p, _)| *p == f.source)
        {
            risky.push((f.source.clone(), "a source map".to_string()));
        }
    }

    let side = |files: Vec<&str>, a: Publisher, b: Publisher| -> Option<String> {
        if files.is_empty() {
            return None;
        }
        let shown: Vec<&str> = files.iter().take(SHOWN).copied().collect();
        let more = match files.len().saturating_sub(SHOWN) {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        Some(format!(
            "{} would ship under {a} but not under {b}: {}{more}",
            crate::report::count(files.len(), "file"),
            shown.join(", ")
        ))
    };
    let parts: Vec<String> = [
        side(
            only_ours.iter().map(|f| f.path.as_str()).collect(),
            tool,
            other,
        ),
        side(
            only_theirs.iter().map(|f| f.path.as_str()).collect(),
            other,
            tool,
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut message = parts.join("; ");
    let severity = if risky.is_empty() {
        Severity::Note
    } else {
        risky.sort();
        let (path, why) = &risky[0];
        let more = match risky.len() - 1 {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        message.push_str(&format!(" (among them {path}: {why}{more})"));
        Severity::Warning
    };
    Ok(Some(
        Finding::new(&PACK_PUBLISHER_DIFFERS, message)
            .severity(severity)
            .package(&package)
            .help(PACK_PUBLISHER_DIFFERS.fix),
    ))
}

/// Adds to `risky` each file of `sources` that a finding at warning or above is about,
/// with that finding's rule.
fn note_risky(findings: &[Finding], sources: &HashSet<&str>, risky: &mut Vec<(String, String)>) {
    for f in findings {
        let Some(repo) = f.repo_path.as_deref() else {
            continue;
        };
        let repo = repo.split('!').next().unwrap_or(repo);
        if f.severity >= Severity::Warning
            && sources.contains(repo)
            && !risky.iter().any(|(p, _)| p == repo)
        {
            risky.push((repo.to_string(), f.rule.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::Worktree;

    fn write(root: &std::path::Path, files: &[(&str, &str)]) {
        for (p, c) in files {
            let path = root.join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, c).unwrap();
        }
    }

    fn run(root: &std::path::Path, dir: &str, tool: Publisher) -> Option<Finding> {
        let snap = Worktree::new(root);
        let config = Config::default();
        let checks = Checks::new(&config).unwrap();
        let options = PackOptions {
            publisher: tool,
            ..PackOptions::default()
        };
        let list = packlist::pack(&snap, dir, &options).unwrap();
        let audited = audit_package(&snap, &list, &config, &checks).unwrap();
        check(&snap, &list, &audited, Publisher::Npm, &config, &checks).unwrap()
    }

    #[test]
    fn counterpart_is_npm_or_the_detected_tool() {
        assert_eq!(
            counterpart(Publisher::Pnpm, Publisher::Pnpm),
            Some(Publisher::Npm)
        );
        assert_eq!(
            counterpart(Publisher::Npm, Publisher::Yarn),
            Some(Publisher::Yarn)
        );
        assert_eq!(counterpart(Publisher::Npm, Publisher::Npm), None);
    }

    /// npm applies the workspace root's .gitignore to the member; pnpm doesn't when the
    /// member has an .npmignore of its own, so `debug.log` ships under pnpm only: a note
    /// (nothing judged risky).
    #[test]
    fn a_member_file_only_pnpm_ships_is_a_note() {
        let t = tempfile::tempdir().unwrap();
        write(
            t.path(),
            &[
                (
                    "package.json",
                    r#"{"name":"root","version":"1.0.0","private":true,"workspaces":["packages/*"]}"#,
                ),
                ("pnpm-workspace.yaml", "packages:\n  - packages/*\n"),
                (".gitignore", "*.log\n"),
                (
                    "packages/a/package.json",
                    r#"{"name":"a","version":"1.0.0"}"#,
                ),
                ("packages/a/.npmignore", "test/\n"),
                ("packages/a/index.js", "module.exports = 1;\n"),
                ("packages/a/debug.log", "started\n"),
            ],
        );
        let f = run(t.path(), "packages/a", Publisher::Pnpm).expect("a finding");
        assert_eq!(f.rule, "pack/publisher-differs");
        assert_eq!(f.severity, Severity::Note, "{}", f.message);
        assert!(
            f.message
                .contains("1 file would ship under pnpm but not under npm: debug.log"),
            "{}",
            f.message
        );
        assert_eq!(f.package.as_deref(), Some("a"));
    }

    /// The same member without the root rule: both ship the same files, no finding.
    #[test]
    fn the_same_list_under_both_is_no_finding() {
        let t = tempfile::tempdir().unwrap();
        write(
            t.path(),
            &[
                (
                    "package.json",
                    r#"{"name":"root","version":"1.0.0","private":true,"workspaces":["packages/*"]}"#,
                ),
                ("pnpm-workspace.yaml", "packages:\n  - packages/*\n"),
                (".gitignore", "node_modules\n"),
                (
                    "packages/a/package.json",
                    r#"{"name":"a","version":"1.0.0"}"#,
                ),
                ("packages/a/.npmignore", "test/\n"),
                ("packages/a/index.js", "module.exports = 1;\n"),
            ],
        );
        assert!(run(t.path(), "packages/a", Publisher::Pnpm).is_none());
    }

    /// A map only one side ships, and a private key only the other ships: a warning that
    /// names the first risky file; both sides are counted and the paths capped.
    #[test]
    fn a_map_or_a_judged_file_on_either_side_is_a_warning() {
        let t = tempfile::tempdir().unwrap();
        write(
            t.path(),
            &[
                (
                    "package.json",
                    r#"{"name":"p","version":"1.0.0","files":["index.js","template-*"]}"#,
                ),
                ("index.js", "module.exports = 1;\n"),
                (
                    "template-a/x.js.map",
                    r#"{"version":3,"sources":[],"mappings":""}"#,
                ),
                ("template-b/1.js", ""),
                ("template-b/2.js", ""),
                ("template-b/3.js", ""),
            ],
        );
        let f = run(t.path(), "", Publisher::Bun).expect("a finding");
        assert_eq!(f.severity, Severity::Warning, "{}", f.message);
        assert!(
            f.message.contains(
                "4 files would ship under bun but not under npm: template-a/x.js.map, \
                 template-b/1.js, template-b/2.js and 1 more"
            ),
            "{}",
            f.message
        );
        assert!(
            f.message.contains("(among them template-a/x.js.map: "),
            "{}",
            f.message
        );
    }

    /// bun does not force `main` in: npm ships the key `main` names, bun doesn't. The
    /// audit never saw it (bun is judged), so the parity check judges it: a warning.
    #[test]
    fn a_denied_file_only_npm_ships_is_a_warning() {
        let t = tempfile::tempdir().unwrap();
        write(
            t.path(),
            &[
                (
                    "package.json",
                    r#"{"name":"p","version":"1.0.0","files":["index.js"],"main":"server.pem"}"#,
                ),
                ("index.js", "module.exports = 1;\n"),
                ("server.pem", "not really a key\n"),
            ],
        );
        let f = run(t.path(), "", Publisher::Bun).expect("a finding");
        assert_eq!(f.severity, Severity::Warning, "{}", f.message);
        assert!(
            f.message
                .starts_with("1 file would ship under npm but not under bun: server.pem"),
            "{}",
            f.message
        );
        assert!(
            f.message.contains("server.pem: file/denied"),
            "{}",
            f.message
        );
    }
}
