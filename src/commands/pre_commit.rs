//! `leakgate pre-commit`: review the staged change (the index against HEAD, never the
//! working-tree copies) and block risky edits with file, line and fix.
//!
//! Exit codes: 0 nothing blocking, 1 blocking findings, 2 a staged file leakgate can't
//! read (a package.json or tsconfig that doesn't parse), a config error, or an internal
//! error (which blocks unless `[hooks] on-error = "allow"`, and always prints the bypass).
//!
//! `--amend` detection: git runs the hook before it knows the new commit, and it exports
//! nothing that says "amend" (`GIT_REFLOG_ACTION` is unset for `git commit`). So leakgate
//! looks at the processes above it (`/proc/<pid>/cmdline`, up to 8 levels, which covers
//! shims, `sh -c` and the pre-commit framework): the first `git … commit` process found
//! decides, amend when it carries `--amend` (or an unambiguous prefix like `--am`).
//! Where there is no `/proc` (macOS, the BSDs, Git for Windows), one `ps -A -o pid= -o
//! ppid= -o args=` gives the same walk (its arguments are joined by spaces, so a message
//! holding ` --amend ` reads as an amend: the stricter review). When neither works (Git for
//! Windows' `ps` has no `-o`), the review is against HEAD and an `unchecked:` note says so
//! and how to say it is an amend. `LEAKGATE_AMEND=1`/`0` and `--amend` on the command line
//! override the detection. `LEAKGATE_TEST_NO_PROC=1` makes leakgate act as if `/proc` were
//! missing (the tests of the fallback).

use super::{output, CmdResult, Exit, Globals};
use crate::config::{Config, OnError};
use crate::report::Report;
use crate::review::staged::{self, Options};
use crate::snapshot::changes::PendingDiff;
use crate::snapshot::GitRepo;
use anyhow::Context;

/// Arguments of `leakgate pre-commit`.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    /// Review as `git commit --amend` would write the commit (against HEAD^). Detected
    /// from the calling git process when not given.
    #[arg(long)]
    pub amend: bool,
}

/// The bypass every blocked or failed run prints.
const BYPASS: &str = "to commit anyway (after checking), bypass the hook: git commit --no-verify";

/// Runs the command.
pub fn run(args: &Args, globals: &Globals) -> CmdResult {
    if super::skipped_by_env("pre-commit") {
        return Ok(Exit::Clean);
    }
    let cwd = std::env::current_dir().context("current directory")?;
    // git reads the index while leakgate looks for `--amend`, opens the repository and
    // loads its config (an amend, rare, throws that answer away).
    let mut pending = (!args.amend).then(|| PendingDiff::start(&cwd)).flatten();
    let detected = if args.amend {
        Amend::Yes
    } else {
        detect_amend()
    };
    let amend = detected == Amend::Yes;
    if amend {
        if let Some(p) = pending.take() {
            p.discard();
        }
    }
    let repo = match GitRepo::discover(&cwd) {
        Ok(repo) => repo,
        Err(e) => return internal(anyhow::Error::new(e), OnError::Block),
    };
    let config = Config::discover(repo.workdir(), globals.config.as_deref())?;
    let opts = Options {
        amend,
        verbose: globals.verbose > 0,
    };
    let review = match staged::review_staged_from(&repo, &config, &opts, pending) {
        Ok(r) => r,
        Err(e) => return internal(anyhow::Error::new(e), config.hooks.on_error),
    };
    if !review.errors.is_empty() {
        for e in &review.errors {
            eprintln!("error: {}", crate::report::terminal::escape(&e.to_string()));
        }
        eprintln!(
            "  = help: leakgate can't review a staged file it can't read; fix it and `git add` it again"
        );
        eprintln!("  = note: {BYPASS}");
        return Ok(Exit::Usage);
    }
    let mut findings = crate::report::repeats::fold(config.apply(review.findings));
    staged::sort(&mut findings);
    let mut report = Report {
        findings,
        notes: review.notes,
    };
    if detected == Amend::Unknown {
        report.notes.push(crate::report::unchecked(
            "leakgate could not tell whether this is `git commit --amend` (no /proc, and `ps` \
             does not list parent processes here), so it reviewed the change against HEAD; \
             when amending, commit with LEAKGATE_AMEND=1 to review it against HEAD^",
        ));
    }
    if report.has_blocking() {
        report.notes.push(BYPASS.to_string());
    }
    output::emit(&report, globals, output::Mode::Hook(config.hooks.warnings))?;
    Ok(output::exit_for(&report))
}

/// An internal error: say what failed and how to get past it; block unless the team
/// configured `on-error = "allow"`.
fn internal(e: anyhow::Error, on_error: OnError) -> CmdResult {
    eprintln!(
        "error: leakgate pre-commit could not review this commit: {}",
        output::error_text(&e)
    );
    match on_error {
        OnError::Block => {
            eprintln!("  = note: {BYPASS}");
            Ok(Exit::Usage)
        }
        OnError::Allow => {
            eprintln!("  = note: letting the commit through ([hooks] on-error = \"allow\")");
            Ok(Exit::Clean)
        }
    }
}

/// Whether the commit being made amends HEAD.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Amend {
    /// `git commit --amend` (or `--amend` given, or `LEAKGATE_AMEND=1`).
    Yes,
    /// A new commit (or no `git commit` among the parent processes).
    No,
    /// The parent processes could not be read (no `/proc`, no usable `ps`).
    Unknown,
}

/// Whether the commit being made is `git commit --amend` (see the module docs).
pub fn detect_amend() -> Amend {
    match std::env::var("LEAKGATE_AMEND").as_deref() {
        Ok("1") | Ok("true") => return Amend::Yes,
        Ok("0") | Ok("false") => return Amend::No,
        _ => {}
    }
    let no_proc = std::env::var_os("LEAKGATE_TEST_NO_PROC").is_some_and(|v| v == "1")
        || !std::path::Path::new("/proc/self/stat").exists();
    let table = if no_proc {
        match ps_table() {
            Some(t) => Some(t),
            None => return Amend::Unknown,
        }
    } else {
        None
    };
    let info = |pid: u32| -> Option<(u32, Option<Vec<String>>)> {
        match &table {
            Some(t) => t.get(&pid).map(|(ppid, args)| (*ppid, Some(args.clone()))),
            None => parent_pid(pid).map(|ppid| (ppid, None)),
        }
    };
    let mut pid = std::process::id();
    for _ in 0..8 {
        let Some((ppid, _)) = info(pid) else {
            return Amend::No;
        };
        if ppid <= 1 {
            return Amend::No;
        }
        let args = match &table {
            Some(_) => info(ppid).and_then(|(_, a)| a),
            None => cmdline(ppid),
        };
        if let Some(amend) = args.as_deref().and_then(git_commit_amend) {
            return if amend { Amend::Yes } else { Amend::No };
        }
        pid = ppid;
    }
    Amend::No
}

/// Every process's parent and arguments from one `ps` run (POSIX options: macOS, the
/// BSDs, Linux without /proc mounted); `None` when `ps` is missing or refuses them.
fn ps_table() -> Option<std::collections::HashMap<u32, (u32, Vec<String>)>> {
    let out = std::process::Command::new("ps")
        .args(["-A", "-o", "pid=", "-o", "ppid=", "-o", "args="])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let table = parse_ps(&String::from_utf8_lossy(&out.stdout));
    (!table.is_empty()).then_some(table)
}

/// Parses `ps -o pid= -o ppid= -o args=` lines: `  PID  PPID ARGS…`.
fn parse_ps(text: &str) -> std::collections::HashMap<u32, (u32, Vec<String>)> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let pid = words.next()?.parse().ok()?;
            let ppid = words.next()?.parse().ok()?;
            Some((pid, (ppid, words.map(str::to_string).collect())))
        })
        .collect()
}

/// For a `git … commit …` argument list, whether it amends; `None` for other processes.
pub fn git_commit_amend(args: &[String]) -> Option<bool> {
    let prog = args.first()?;
    let base = prog.rsplit('/').next().unwrap_or(prog);
    if base != "git" {
        return None;
    }
    // Skip git's own options (`-C dir`, `-c k=v`, `--no-pager`) to find the subcommand.
    let mut i = 1;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "-C" || a == "-c" || a == "--git-dir" || a == "--work-tree" {
            i += 2;
        } else if a.starts_with('-') {
            i += 1;
        } else {
            break;
        }
    }
    if args.get(i).map(String::as_str) != Some("commit") {
        return None;
    }
    // Options of `git commit` that take the next argument as their value (a message
    // reading "--amend" is not the flag).
    const VALUED: &[&str] = &[
        "-m",
        "-F",
        "-C",
        "-c",
        "-t",
        "--message",
        "--file",
        "--template",
        "--author",
        "--date",
        "--reuse-message",
        "--reedit-message",
        "--fixup",
        "--squash",
        "--trailer",
        "--cleanup",
        "--pathspec-from-file",
    ];
    let mut rest = args[i + 1..].iter();
    while let Some(a) = rest.next() {
        let a = a.as_str();
        if a == "--" {
            break;
        }
        if VALUED.contains(&a) {
            rest.next();
        } else if a.len() >= 4 && "--amend".starts_with(a) {
            return Some(true);
        }
    }
    Some(false)
}

fn parent_pid(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so split after the
    // last `)`.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

fn cmdline(pid: u32) -> Option<Vec<String>> {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    Some(
        raw.split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn amend_is_read_from_git_commit_arguments() {
        assert_eq!(
            git_commit_amend(&v(&["git", "commit", "--amend", "-m", "x"])),
            Some(true)
        );
        assert_eq!(
            git_commit_amend(&v(&["/usr/bin/git", "-C", "r", "commit", "--am"])),
            Some(true)
        );
        assert_eq!(
            git_commit_amend(&v(&["git", "commit", "-m", "--amend"])),
            Some(false)
        );
        assert_eq!(
            git_commit_amend(&v(&["git", "commit", "-qm", "x", "--amend"])),
            Some(true)
        );
        assert_eq!(
            git_commit_amend(&v(&["git", "commit", "-m", "x", "--", "--amend"])),
            Some(false)
        );
        assert_eq!(git_commit_amend(&v(&["git", "commit", "-a"])), Some(false));
        assert_eq!(git_commit_amend(&v(&["git", "push"])), None);
        assert_eq!(git_commit_amend(&v(&["sh", "-c", "commit --amend"])), None);
    }

    #[test]
    fn ps_lines_give_parent_and_arguments() {
        let t = parse_ps("  1 0 /sbin/init\n 42   1 git commit --amend -m x\nPID PPID ARGS\n");
        assert_eq!(t.len(), 2);
        assert_eq!(t[&42].0, 1);
        assert_eq!(git_commit_amend(&t[&42].1), Some(true));
    }

    #[test]
    fn parent_pid_reads_proc() {
        let me = std::process::id();
        assert!(parent_pid(me).is_some_and(|p| p > 0 && p != me));
    }
}
