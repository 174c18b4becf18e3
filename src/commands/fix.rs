//! `leakgate fix`: applies the packaging fixes the audit's help lines offer (maps and
//! denied files kept out through `files` or `.npmignore`), after showing the diff.
//!
//! Every fix is checked before it is offered: the package, packed in memory with the
//! change, ships exactly what it shipped before minus the files the fix is for. Edits keep
//! the file's layout (indentation, key order, newline style). Nothing is written without
//! `--yes` or a "y" at the prompt; leaks that packaging can't fix (secrets in code, inline
//! maps) are listed with what to do instead.

use super::audit::{package_at, relative_dir, repo_root};
use super::{CmdResult, Exit, Globals};
use crate::checks::fix::{self, edit, Exclusion, PackagingFix};
use crate::checks::packages::discover;
use crate::checks::{self, package_label};
use crate::config::Config;
use crate::packlist::{self, PackOptions};
use crate::report::{Finding, Report, Severity};
use crate::snapshot::memo::Memo;
use crate::snapshot::worktree::Worktree;
use anyhow::Context;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Arguments of `leakgate fix`.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    /// Package directories to fix (default: every package of the repository).
    #[arg(value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Apply the fixes without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Show the fixes and write nothing.
    #[arg(long, conflicts_with = "yes")]
    pub dry_run: bool,
}

/// A package's fix with the findings it answers.
struct Planned {
    package: String,
    fix: PackagingFix,
}

/// Runs the command.
pub fn run(args: &Args, globals: &Globals) -> CmdResult {
    let cwd = std::env::current_dir().context("current directory")?;
    let root = repo_root(&cwd);
    let config = Config::discover(&root, globals.config.as_deref())?;
    let checks = crate::checks::Checks::for_repository(&root, &config)?;
    let snapshot = Memo::new(Worktree::new(&root));
    let packages = if args.dirs.is_empty() {
        // Duplicate-name notes are the audit's to give.
        discover(&snapshot, &mut Report::default())?
    } else {
        let mut named = Vec::new();
        for d in &args.dirs {
            let rel = relative_dir(&root, &cwd, d)?.with_context(|| {
                format!(
                    "{}: outside this repository; run `leakgate fix` in its own",
                    d.display()
                )
            })?;
            named.push(package_at(&snapshot, &rel)?);
        }
        named
    };

    let (publisher, _) = packlist::publisher::for_repository(&snapshot, "", config.publish.tool);
    let options = PackOptions {
        publisher,
        ..PackOptions::default()
    };
    let mut planned: Vec<Planned> = Vec::new();
    let mut unfixed: Vec<String> = Vec::new();
    for package in packages.iter().filter(|p| p.unpublishable().is_none()) {
        if config.skips(package.name.as_deref(), &package.dir) {
            continue;
        }
        let packlist = packlist::pack(&snapshot, &package.dir, &options)?;
        let findings = config.apply(checks::audit_package(
            &snapshot, &packlist, &config, &checks,
        )?);
        let label = package_label(&packlist);
        let wanted = exclusions(&findings);
        if wanted.is_empty() {
            continue;
        }
        // All at once if that works; else the first that works alone (a path named in
        // `files` can't be negated away, but the maps beside it still can).
        let chosen = fix::exclusion(&snapshot, &packlist, &wanted)
            .map(|fix| (fix, Vec::new()))
            .or_else(|| {
                wanted.iter().enumerate().find_map(|(i, w)| {
                    let fix = fix::exclusion(&snapshot, &packlist, std::slice::from_ref(w))?;
                    let mut rest = wanted.clone();
                    rest.remove(i);
                    Some((fix, rest))
                })
            });
        let left = match chosen {
            Some((fix, rest)) => {
                planned.push(Planned {
                    package: label.clone(),
                    fix,
                });
                rest
            }
            None => wanted,
        };
        if !left.is_empty() {
            unfixed.push(format!(
                "{label}: no change to `files` or .npmignore keeps {} out without changing \
                 what else ships (a path named in `files` must be removed from it by hand)",
                describe(&left)
            ));
        }
    }

    let mut out = std::io::stdout().lock();
    for p in &planned {
        let before = p.fix.before.as_deref().map(String::from_utf8_lossy);
        let after = String::from_utf8_lossy(&p.fix.after);
        writeln!(
            out,
            "{}: {} (keeps {} out; nothing else changes)",
            p.package,
            p.fix.summary,
            crate::report::count(p.fix.removes.len(), "file")
        )?;
        // Escaped line by line: file names and lines come from the user's files.
        for line in edit::unified_diff(&p.fix.path, before.as_deref(), &after).lines() {
            writeln!(out, "{}", crate::report::terminal::escape(line))?;
        }
        writeln!(out)?;
    }
    for u in &unfixed {
        writeln!(out, "note: {}", crate::report::terminal::escape(u))?;
    }
    if planned.is_empty() {
        if unfixed.is_empty() {
            writeln!(
                out,
                "nothing to fix: no package ships a map or a denied file that packaging rules \
                 could keep out"
            )?;
        }
        return Ok(Exit::Clean);
    }
    if args.dry_run {
        return Ok(Exit::Clean);
    }
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            writeln!(out, "nothing written: rerun with --yes to apply")?;
            return Ok(Exit::Clean);
        }
        write!(
            out,
            "apply {}? [y/N] ",
            crate::report::count(planned.len(), "change")
        )?;
        out.flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            writeln!(out, "nothing written")?;
            return Ok(Exit::Clean);
        }
    }
    for p in &planned {
        write_checked(&root, &p.fix)?;
        writeln!(out, "wrote {}", p.fix.path)?;
    }
    Ok(Exit::Clean)
}

/// What the findings ask packaging to keep out: every map when a `.map` file ships (a map
/// rule on a `.map` file), and each denied file by path.
fn exclusions(findings: &[Finding]) -> Vec<Exclusion> {
    let live = |f: &&Finding| f.severity >= Severity::Warning;
    let map_file = |f: &&Finding| {
        f.rule.starts_with("sourcemap/")
            && f.file
                .as_deref()
                .is_some_and(|p| !p.contains('!') && p.to_ascii_lowercase().ends_with(".map"))
    };
    let mut out = Vec::new();
    if findings.iter().filter(live).any(|f| map_file(&f)) {
        out.push(Exclusion::Maps);
    }
    let mut denied: Vec<String> = findings
        .iter()
        .filter(live)
        .filter(|f| f.is(&crate::checks::files::FILE_DENIED))
        .filter_map(|f| f.file.clone())
        .filter(|p| !p.contains('!'))
        .collect();
    denied.sort();
    denied.dedup();
    if !denied.is_empty() {
        out.push(Exclusion::Paths(denied));
    }
    out
}

fn describe(wanted: &[Exclusion]) -> String {
    wanted
        .iter()
        .map(|w| match w {
            Exclusion::Maps => "its source maps".to_string(),
            Exclusion::Paths(p) => p.join(", "),
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Writes the fix, refusing when the file changed since it was read (another editor, a
/// second fix of the same file): what was checked is what gets written, or nothing.
fn write_checked(root: &Path, fix: &PackagingFix) -> anyhow::Result<()> {
    let path = root.join(&fix.path);
    let now = std::fs::read(&path).ok();
    if now != fix.before {
        anyhow::bail!(
            "{}: changed since leakgate read it; nothing written to it (run `leakgate fix` again)",
            fix.path
        );
    }
    let tmp = path.with_file_name(format!(
        ".{}.leakgate-fix",
        path.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    ));
    std::fs::write(&tmp, &fix.after).with_context(|| format!("{}: write", tmp.display()))?;
    if let Ok(meta) = std::fs::metadata(&path) {
        std::fs::set_permissions(&tmp, meta.permissions())?;
    }
    std::fs::rename(&tmp, &path).with_context(|| format!("{}: write", path.display()))?;
    Ok(())
}
