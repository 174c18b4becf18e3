//! `leakgate pre-push REMOTE URL`: the pre-push hook. Reads git's ref lines on stdin,
//! finds the packages the pushed commits touch and audits them as `npm publish` would ship
//! them from the working tree now; also checks the pushed commits themselves (secrets,
//! denied files, maps embedding sources), which catches commits made with `--no-verify`.

use super::audit::{audit_packages, checks_for, discover, repo_root};
use super::output::Mode;
use super::{CmdResult, Exit, Globals};
use crate::checks::{self, sourcemap};
use crate::config::{Config, OnError, Visibility};
use crate::packlist::{self, PackOptions};
use crate::report::{Finding, Report, Severity};
use crate::snapshot::changes::{ChangeStatus, GitRepo, PushedObject, RemoteHas};
use crate::snapshot::worktree::Worktree;
use crate::snapshot::Snapshot;
use crate::workspace::Package;
use anyhow::Context;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::{IsTerminal, Read};
use std::path::Path;

/// Arguments of `leakgate pre-push` (git passes the remote's name and URL).
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    /// The remote's name (`origin`), as git passes it.
    pub remote: Option<String>,
    /// The remote's URL, as git passes it.
    pub url: Option<String>,
}

/// One line git writes on the hook's stdin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefUpdate {
    /// `refs/heads/main`, `refs/tags/v1`, or `(delete)`.
    pub local_ref: String,
    /// The commit pushed (all zeros for a deletion).
    pub local_sha: String,
    /// The ref updated on the remote.
    pub remote_ref: String,
    /// What the remote has now (all zeros when the ref is new there).
    pub remote_sha: String,
}

fn is_zero(sha: &str) -> bool {
    sha.is_empty() || sha.bytes().all(|c| c == b'0')
}

/// Parses git's pre-push stdin (`<local ref> <local sha> <remote ref> <remote sha>` lines);
/// blank lines are ignored, anything else malformed is an error naming the line.
pub fn parse_stdin(text: &str) -> anyhow::Result<Vec<RefUpdate>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            [] => {}
            [lr, ls, rr, rs] => out.push(RefUpdate {
                local_ref: lr.to_string(),
                local_sha: ls.to_string(),
                remote_ref: rr.to_string(),
                remote_sha: rs.to_string(),
            }),
            _ => anyhow::bail!(
                "<stdin>:{}: expected `<local ref> <local sha> <remote ref> <remote sha>`, got `{line}`",
                i + 1
            ),
        }
    }
    Ok(out)
}

/// Runs the hook. Internal errors print the bypass and exit 2 (or let the push through
/// when `[hooks] on-error = "allow"`).
pub fn run(args: &Args, globals: &Globals) -> CmdResult {
    // Always drain stdin first: git may block writing to a hook that exits early.
    let mut input = String::new();
    if !std::io::stdin().is_terminal() {
        let mut raw = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut raw);
        input = String::from_utf8_lossy(&raw).into_owned();
    }
    if super::skipped_by_env("pre-push") {
        return Ok(Exit::Clean);
    }
    let cwd = std::env::current_dir().context("current directory")?;
    let root = repo_root(&cwd);
    let config = match Config::discover(&root, globals.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return Ok(internal_error(&anyhow::Error::from(e), OnError::Block)),
    };
    match run_hook(args, globals, &root, &config, &input) {
        Ok(exit) => Ok(exit),
        Err(e) => Ok(internal_error(&e, config.hooks.on_error)),
    }
}

fn internal_error(e: &anyhow::Error, on_error: OnError) -> Exit {
    eprintln!(
        "error: leakgate pre-push failed: {}",
        super::output::error_text(e)
    );
    match on_error {
        OnError::Allow => {
            eprintln!("note: [hooks] on-error = \"allow\": letting the push through unchecked");
            Exit::Clean
        }
        OnError::Block => {
            eprintln!("help: fix the error above, or push without the hook: git push --no-verify");
            Exit::Usage
        }
    }
}

/// One pushed ref to check: what is pushed and what the remote has at that ref.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Pushed {
    /// The ref as the user knows it (`refs/tags/v1`), for messages.
    name: String,
    /// The object pushed (a commit, or a tag of any object).
    local: String,
    /// What the remote has there now (`None`: the ref is new to it).
    remote: Option<String>,
}

/// The refs to check (deletions push nothing).
fn ranges(updates: &[RefUpdate]) -> Vec<Pushed> {
    let mut out = Vec::new();
    for u in updates {
        if is_zero(&u.local_sha) {
            continue; // a deletion pushes nothing
        }
        out.push(Pushed {
            name: u.local_ref.clone(),
            local: u.local_sha.clone(),
            remote: (!is_zero(&u.remote_sha)).then(|| u.remote_sha.clone()),
        });
    }
    // The pre-commit framework passes the range in the environment instead of stdin.
    if out.is_empty() && updates.is_empty() {
        if let Ok(to) = std::env::var("PRE_COMMIT_TO_REF") {
            if !to.trim().is_empty() {
                let from = std::env::var("PRE_COMMIT_FROM_REF")
                    .ok()
                    .filter(|f| !is_zero(f.trim()))
                    .map(|f| f.trim().to_string());
                out.push(Pushed {
                    name: to.trim().to_string(),
                    local: to.trim().to_string(),
                    remote: from,
                });
            }
        }
    }
    out
}

/// A file version the push sends, and how it gets there (`commit 1a2b3c4d5`, or
/// `tag refs/tags/x` for a tag of a tree or a blob).
struct PushedBlob {
    via: String,
    path: String,
    oid: String,
}

/// The name of the remote pushed to: git's first argument (the URL again when pushing to a
/// URL), or the pre-commit framework's `PRE_COMMIT_REMOTE_NAME`.
fn remote_name(args: &Args) -> Option<String> {
    args.remote
        .clone()
        .or_else(|| std::env::var("PRE_COMMIT_REMOTE_NAME").ok())
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
}

fn run_hook(
    args: &Args,
    globals: &Globals,
    root: &Path,
    config: &Config,
    input: &str,
) -> CmdResult {
    let hook = Mode::Hook(config.hooks.warnings);
    let updates = parse_stdin(input)?;
    let ranges = ranges(&updates);
    let mut report = Report::default();
    if ranges.is_empty() {
        report
            .notes
            .push("nothing pushed that leakgate checks".into());
        return super::audit::finish(report, config, globals, hook);
    }
    let repo = GitRepo::discover(root)?;
    let checks = checks_for(root, config)?;

    // What the remote already has: only the refs of the remote pushed to count (a commit on
    // a private `origin` is new to a `public` remote). A push to a URL has no name and no
    // remote-tracking refs, so nothing counts and every commit of the pushed refs is checked.
    let name = remote_name(args);
    let known = match name.as_deref() {
        Some(n) if repo.is_remote(n) => RemoteHas::TrackingRefs(n),
        _ => RemoteHas::Nothing,
    };
    if known == RemoteHas::Nothing
        && ranges
            .iter()
            .any(|r| !r.remote.as_deref().is_some_and(|r| repo.has_commit(r)))
    {
        report.notes.push(format!(
            "pushing to {}, not a named remote: leakgate can't tell what it already has, so \
             every commit of the pushed refs is checked (up to the newest {MAX_PUSHED_COMMITS})",
            name.as_deref()
                .or(args.url.as_deref())
                .map_or("a remote git didn't name".to_string(), |n| format!("`{n}`"))
        ));
    }

    // The commits pushed, and every path they touch. A tag may also point at a tree or a
    // blob (`git tag key $(git hash-object -w id_rsa)`): the push sends that object, so its
    // files are checked as pushed file versions (they belong to no package).
    let mut commits: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut blobs: Vec<PushedBlob> = Vec::new();
    let mut seen_blobs: HashSet<String> = HashSet::new();
    for r in &ranges {
        let via = || format!("tag {}", r.name);
        match repo.pushed_object(&r.local)? {
            PushedObject::Commit => {
                for c in repo.commits_in_range(&r.local, r.remote.as_deref(), known)? {
                    if seen.insert(c.clone()) {
                        commits.push(c);
                    }
                }
            }
            PushedObject::Tree(tree) => {
                for ch in repo.changed_paths(None, &tree)? {
                    match ch.new_oid {
                        Some(oid) if is_file(ch.new_mode) && seen_blobs.insert(oid.clone()) => {
                            blobs.push(PushedBlob {
                                via: via(),
                                path: ch.path,
                                oid,
                            })
                        }
                        _ => {}
                    }
                }
            }
            PushedObject::Blob(oid) => {
                if seen_blobs.insert(oid.clone()) {
                    blobs.push(PushedBlob {
                        via: "a tag of a blob".into(),
                        path: r.name.clone(),
                        oid,
                    });
                }
            }
        }
    }
    // A first push of old history to a new remote (nothing to compare with) would read it
    // all: check the newest commits and say what was left out.
    if commits.len() > MAX_PUSHED_COMMITS {
        report.notes.push(crate::report::unchecked(format!(
            "{} commits are new to the remote; checked the newest {MAX_PUSHED_COMMITS} \
             (older history: `git fetch` so leakgate knows what the remote has, or review it once \
             with a history scanner)",
            commits.len()
        )));
        commits.truncate(MAX_PUSHED_COMMITS);
    }
    let mut touched: BTreeSet<String> = BTreeSet::new();
    for c in &commits {
        for ch in repo.commit_changes(c)? {
            touched.insert(ch.path.clone());
            touched.insert(ch.old_path().to_string());
            if ch.status == ChangeStatus::Deleted || !is_file(ch.new_mode) {
                continue;
            }
            if let Some(oid) = ch.new_oid.clone() {
                if seen_blobs.insert(oid.clone()) {
                    blobs.push(PushedBlob {
                        via: format!("commit {}", &c[..c.len().min(9)]),
                        path: ch.path.clone(),
                        oid,
                    });
                }
            }
        }
    }

    // The packages those paths belong to, audited from the working tree.
    let worktree = Worktree::new(root);
    let all = discover(&worktree, &mut report)?;
    let packages: Vec<String> = all.iter().map(|p| p.dir.clone()).collect();
    let mut dirs: BTreeSet<String> = BTreeSet::new();
    for path in &touched {
        if let Some(dir) = package_for_path(&packages, path) {
            dirs.insert(dir.to_string());
        }
    }
    let touched_packages: Vec<_> = all
        .iter()
        .filter(|p| dirs.contains(&p.dir))
        .cloned()
        .collect();
    audit_packages(
        &worktree,
        &touched_packages,
        &[],
        config,
        &checks,
        &mut report,
    )?;

    // The commits themselves.
    report.findings.extend(check_commits(
        &repo,
        &worktree,
        &all,
        &blobs,
        config,
        &checks,
        &mut report.notes,
    )?);
    report.notes.push(format!(
        "checked {} pushed commit{} touching {} path{}",
        commits.len(),
        if commits.len() == 1 { "" } else { "s" },
        touched.len(),
        if touched.len() == 1 { "" } else { "s" }
    ));
    let exit = super::audit::finish(report, config, globals, hook)?;
    if exit == Exit::Blocked && !globals.quiet {
        eprintln!(
            "leakgate: push blocked. Fix the errors above (or allow them in leakgate.toml with a reason); \
             `git push --no-verify` skips the hook."
        );
    }
    Ok(exit)
}

/// The innermost package directory containing `path`.
fn package_for_path<'a>(packages: &'a [String], path: &str) -> Option<&'a str> {
    packages
        .iter()
        .filter(|d| {
            d.is_empty()
                || path == d.as_str()
                || (path.starts_with(d.as_str()) && path.as_bytes().get(d.len()) == Some(&b'/'))
        })
        .max_by_key(|d| d.len())
        .map(String::as_str)
}

/// Secrets, denied files and maps embedding sources in the file versions the push sends.
/// A committed map that no package ships (a test fixture, a private app's build) is a
/// note, as it is at commit: it exposes nothing the repository doesn't already hold.
fn check_commits(
    repo: &GitRepo,
    worktree: &Worktree,
    all: &[Package],
    blobs: &[PushedBlob],
    config: &Config,
    checks: &checks::Checks,
    notes: &mut Vec<String>,
) -> anyhow::Result<Vec<Finding>> {
    let packages: Vec<String> = all.iter().map(|p| p.dir.clone()).collect();
    let packages = packages.as_slice();
    let mut shipped = HashMap::new();
    let mut budget = MAX_HISTORY_BYTES;
    let deny = checks::files::DenyList::new(config);
    let mut unread: Vec<&str> = Vec::new();
    let history_checks: Vec<&dyn checks::ContentCheck> = checks
        .content
        .iter()
        .map(|c| c.as_ref())
        .filter(|c| c.applies_to_history())
        .collect();
    let mut out = Vec::new();
    for PushedBlob { via, path, oid } in blobs {
        let tag = |mut f: Finding| {
            f.message = format!("{} ({via})", f.message);
            f.repo_path = Some(path.clone());
            f
        };
        if let Some(reason) = deny.reason(path) {
            // The same judgement as in a package: a test suite's fixture or a dev tool's
            // certificate is there on purpose (a warning that says so; content rules still
            // judge what it holds).
            let (severity, why) = match checks::files::excused(path, reason) {
                Some(why) => (Severity::Warning, format!("; {why}")),
                None => (Severity::Error, String::new()),
            };
            out.push(tag(Finding::new(
                &crate::checks::files::FILE_DENIED,
                format!("{path} is pushed: {reason}{why}"),
            )
            .severity(severity)
            .file(path.as_str())
            .help("remove it from the pushed commits before pushing (`git rebase -i`, or `git filter-repo` for older history)")));
        }
        let size = repo.blob_size(oid)?;
        if size > checks::WHOLE_FILE_LIMIT || size > budget {
            // Too big to read whole (or past the push's read budget): streamed, in bounded
            // memory, rather than left unread.
            match stream_blob(repo, path, oid, &history_checks) {
                Ok((found, embeds)) => {
                    out.extend(found.into_iter().map(&tag));
                    if embeds {
                        let what = format!(
                            "{path} is a committed source map embedding original sources ({}, judged streaming)",
                            crate::text::human_bytes(size)
                        );
                        let ships = ships_now(worktree, all, path, &mut shipped);
                        let visibility = visibility_of(worktree, packages, path, config);
                        let finding = committed_map_finding(what, ships, visibility);
                        out.push(tag(finding.file(path.as_str()).exposes(size)));
                    }
                }
                Err(_) => unread.push(path),
            }
            continue;
        }
        budget -= size;
        let bytes = repo.blob(oid)?;
        let label = path.as_str();
        let mut embedded_count = 0usize;
        let mut embedded_bytes = 0u64;
        let mut embedded_findings = Vec::new();
        // A map under any name (`cli.js` holding a map's JSON) is read as a map.
        let is_map = sourcemap::kind(path) == sourcemap::FileKind::Map
            || sourcemap::scan::might_be_map(&bytes);
        let mut parsed_map = false;
        let mut masked = Vec::new();
        if is_map {
            if let Ok(map) = sourcemap::scan::parse(&bytes) {
                if map.looks_like_map() || sourcemap::kind(path) == sourcemap::FileKind::Map {
                    parsed_map = true;
                    masked = map.masked.clone();
                    for leaf in map.leaves() {
                        for (i, s) in leaf.sources.iter().enumerate() {
                            let Some(r) = leaf.content(i) else { continue };
                            embedded_count += 1;
                            let text = sourcemap::scan::decode_string(&bytes[r.clone()]);
                            embedded_bytes += text.len() as u64;
                            let name = s
                                .as_deref()
                                .map(sourcemap::url::display_source)
                                .unwrap_or_else(|| format!("<source {i}>"));
                            let text = checks::embedded_text(&text);
                            for c in history_checks.iter() {
                                embedded_findings.extend(c.check(&format!("{path}!{name}"), &text));
                            }
                        }
                    }
                }
            }
        }
        if parsed_map {
            if embedded_count > 0 {
                let what = format!(
                    "{path} is a committed source map embedding {embedded_count} original source{}",
                    if embedded_count == 1 { "" } else { "s" }
                );
                let ships = ships_now(worktree, all, path, &mut shipped);
                let visibility = visibility_of(worktree, packages, path, config);
                let finding = committed_map_finding(what, ships, visibility);
                out.push(tag(finding.file(label).exposes(embedded_bytes)));
            }
            out.extend(embedded_findings.into_iter().map(&tag));
            // The rest of the JSON (`sources`, `names`, `x_*` keys) ships too.
            let rest = checks::scan_outside(&bytes, &masked, &|piece| {
                history_checks
                    .iter()
                    .flat_map(|c| c.check(label, piece))
                    .collect()
            });
            out.extend(rest.into_iter().map(&tag));
        } else {
            for c in history_checks.iter() {
                out.extend(c.check(label, &bytes).into_iter().map(&tag));
            }
        }
    }
    if !unread.is_empty() {
        notes.push(crate::report::unchecked(format_args!(
            "{} pushed file version{} not read (over {} each or {} in all): {}",
            unread.len(),
            if unread.len() == 1 { "" } else { "s" },
            crate::text::human_bytes(checks::WHOLE_FILE_LIMIT),
            crate::text::human_bytes(MAX_HISTORY_BYTES),
            unread
                .iter()
                .take(5)
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(out)
}

/// Whether the file at repository path `path` ships from its package as the working tree
/// stands: `Some(false)` when it is in no package npm would publish (private, no name or
/// version, a package.json that doesn't parse) or its package's packlist leaves it out;
/// `None` when the packlist can't be computed. Each package is packed once (`lists`).
fn ships_now(
    worktree: &Worktree,
    all: &[Package],
    path: &str,
    lists: &mut HashMap<String, Option<HashSet<String>>>,
) -> Option<bool> {
    let dirs: Vec<String> = all.iter().map(|p| p.dir.clone()).collect();
    let Some(dir) = package_for_path(&dirs, path) else {
        return Some(false);
    };
    let package = all.iter().find(|p| p.dir == dir)?;
    if package.unpublishable().is_some() {
        return Some(false);
    }
    let list = lists.entry(dir.to_string()).or_insert_with(|| {
        let options = PackOptions {
            publisher: publisher_of(worktree),
            ..PackOptions::default()
        };
        packlist::pack(worktree, dir, &options)
            .ok()
            .map(|l| l.files.into_iter().map(|f| f.source).collect())
    });
    list.as_ref().map(|files| files.contains(path))
}

/// The finding for a pushed source map that embeds sources (`what` says which and how
/// much): a note when no package ships it (a test fixture: the sources are the
/// repository's anyway), else by the package's visibility.
fn committed_map_finding(
    what: String,
    ships: Option<bool>,
    visibility: Option<Visibility>,
) -> Finding {
    if ships == Some(false) {
        return Finding::new(
            &crate::checks::sourcemap::SOURCEMAP_SOURCES_CONTENT,
            format!("{what}; no package ships it"),
        )
        .severity(Severity::Note)
        .help("nothing to do unless it should not be in the repository");
    }
    let severity = match visibility {
        Some(Visibility::Proprietary) => Severity::Error,
        Some(Visibility::Open) | None => Severity::Warning,
    };
    Finding::new(&crate::checks::sourcemap::SOURCEMAP_SOURCES_CONTENT, what)
        .severity(severity)
        .help("don't commit build output with maps; build without sourcesContent, and remove the map from history")
}

/// Streams one pushed blob through the history checks; also says whether it is a source map
/// that embeds sources (judged by its raw JSON, since it is too big to parse whole).
fn stream_blob(
    repo: &GitRepo,
    path: &str,
    oid: &str,
    history_checks: &[&dyn checks::ContentCheck],
) -> anyhow::Result<(Vec<Finding>, bool)> {
    let mut reader = repo.open_blob(oid)?;
    let mut found = Vec::new();
    let mut marker = checks::SourcesMarker::default();
    let mut is_map: Option<bool> = None;
    checks::stream_chunks(&mut reader, |chunk, lines_before| {
        let map = *is_map.get_or_insert_with(|| {
            sourcemap::kind(path) == sourcemap::FileKind::Map
                || sourcemap::scan::might_be_map(chunk)
        });
        if map {
            marker.feed(chunk);
        }
        for c in history_checks {
            for mut f in c.check(path, chunk) {
                f.line = f.line.map(|l| l.saturating_add(lines_before));
                found.push(f);
            }
        }
    })?;
    Ok((found, marker.found()))
}

/// A regular file's git mode (not a symlink, submodule or tree).
fn is_file(mode: u32) -> bool {
    mode & 0o170000 == 0o100000
}

/// At most this many pushed commits are checked in one push (newest first).
pub const MAX_PUSHED_COMMITS: usize = 2_000;

/// At most this many bytes of pushed file versions are read in one push.
pub const MAX_HISTORY_BYTES: u64 = 1 << 30;

/// The visibility of the package containing `path` (its package.json in the working tree);
/// `None` outside any package.
fn visibility_of(
    worktree: &Worktree,
    packages: &[String],
    path: &str,
    config: &Config,
) -> Option<Visibility> {
    let dir = package_for_path(packages, path)?;
    let bytes = worktree
        .read(&crate::snapshot::join(dir, "package.json"))
        .ok()?;
    // As npm reads it (a byte-order mark skipped): an unreadable manifest says nothing.
    let manifest = crate::packlist::manifest::parse_json(dir, &bytes).ok()?;
    Some(config.visibility(dir, &manifest))
}

/// The repository's publisher as detected from the worktree (`[publish] tool` is applied by
/// the audit of touched packages; this is for the shipped-or-not test of pushed files).
fn publisher_of(worktree: &Worktree) -> packlist::Publisher {
    packlist::publisher::detect(worktree, "").0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdin_lines_parse_and_bad_lines_name_their_number() {
        let z = "0".repeat(40);
        let a = "a".repeat(40);
        let text =
            format!("refs/heads/main {a} refs/heads/main {z}\n\n(delete) {z} refs/heads/old {a}\n");
        let u = parse_stdin(&text).unwrap();
        assert_eq!(u.len(), 2);
        let r = ranges(&u);
        assert_eq!(
            r,
            vec![Pushed {
                name: "refs/heads/main".into(),
                local: a.clone(),
                remote: None
            }],
            "deletions skipped, new branch has no base"
        );
        let e = parse_stdin("x y\n").unwrap_err().to_string();
        assert!(e.contains("<stdin>:1"), "{e}");
    }

    #[test]
    fn visibility_reads_a_manifest_with_a_byte_order_mark() {
        let dir = tempfile::tempdir().unwrap();
        let manifest =
            r#"{"name": "a", "version": "1.0.0", "license": "MIT", "repository": "x/y"}"#;
        std::fs::write(
            dir.path().join("package.json"),
            format!("\u{feff}{manifest}"),
        )
        .unwrap();
        let worktree = Worktree::new(dir.path());
        let config = Config::default();
        let packages = vec![String::new()];
        assert_eq!(
            visibility_of(&worktree, &packages, "dist/a.js.map", &config),
            Some(Visibility::Open)
        );
        std::fs::write(dir.path().join("package.json"), "\u{feff}{").unwrap();
        assert_eq!(
            visibility_of(&worktree, &packages, "dist/a.js.map", &config),
            None
        );
    }

    #[test]
    fn innermost_package_wins() {
        let pk = vec![String::new(), "packages/cli".to_string()];
        assert_eq!(
            package_for_path(&pk, "packages/cli/dist/a.js"),
            Some("packages/cli")
        );
        assert_eq!(package_for_path(&pk, "packages/cli-x/a.js"), Some(""));
        assert_eq!(package_for_path(&pk[1..], "README.md"), None);
    }
}
