//! `leakgate pre-push REMOTE URL`: the pre-push hook. Reads git's ref lines on stdin,
//! finds the packages the pushed commits touch and audits them as `npm publish` would ship
//! them from the working tree now; also checks the pushed commits themselves (secrets,
//! denied files, maps embedding sources), which catches commits made with `--no-verify`.

use super::audit::repo_root;
use super::output::Mode;
use super::{CmdResult, Exit, Globals};
use crate::checks;
use crate::checks::packages::{audit_packages, discover};
use crate::checks::pushed::{self, package_for_path, PushedRef, MAX_PUSHED_COMMITS};
use crate::config::{Config, OnError};
use crate::report::Report;
use crate::snapshot::changes::{GitRepo, RemoteHas};
use crate::snapshot::worktree::Worktree;
use anyhow::Context;
use std::collections::BTreeSet;
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

/// The refs to check (deletions push nothing).
fn ranges(updates: &[RefUpdate]) -> Vec<PushedRef> {
    let mut out = Vec::new();
    for u in updates {
        if is_zero(&u.local_sha) {
            continue; // a deletion pushes nothing
        }
        out.push(PushedRef {
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
                out.push(PushedRef {
                    name: to.trim().to_string(),
                    local: to.trim().to_string(),
                    remote: from,
                });
            }
        }
    }
    out
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
    let checks = checks::Checks::for_repository(root, config)?;

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

    // The commits pushed, the file versions they send and every path they touch.
    let pushed::Sent {
        commits,
        blobs,
        touched,
    } = pushed::sent(&repo, &ranges, known, &mut report.notes)?;

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
    report.findings.extend(checks::pushed::check_blobs(
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
            vec![PushedRef {
                name: "refs/heads/main".into(),
                local: a.clone(),
                remote: None
            }],
            "deletions skipped, new branch has no base"
        );
        let e = parse_stdin("x y\n").unwrap_err().to_string();
        assert!(e.contains("<stdin>:1"), "{e}");
    }
}
