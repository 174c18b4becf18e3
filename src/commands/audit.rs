//! `leakgate audit`: the dry-run pack audit. For each package, what `npm pack` would ship
//! (the packlist), judged by every pack-content rule.

use super::output::Mode;
use super::{CmdResult, Globals};
use crate::checks::{self, Checks};
use crate::config::Config;
use crate::packlist::{self, PackOptions};
use crate::report::Report;
use crate::snapshot::memo::Memo;
use crate::snapshot::tarball::Tarball;
use crate::snapshot::worktree::Worktree;
use crate::snapshot::Snapshot;
use anyhow::Context;
use std::path::{Path, PathBuf};

/// Arguments of `leakgate audit`.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    /// Package directories to audit (default: every package of the repository).
    #[arg(value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Also audit every workspace member of the packages given (or of the root).
    #[arg(long)]
    pub workspaces: bool,
    /// Audit a real tarball (from `npm pack`, or downloaded from the registry) instead.
    #[arg(long, value_name = "FILE.tgz", conflicts_with_all = ["dirs", "workspaces"])]
    pub tarball: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: &Args, globals: &Globals) -> CmdResult {
    let cwd = std::env::current_dir().context("current directory")?;
    let root = repo_root(&cwd);
    let config = Config::discover(&root, globals.config.as_deref())?;
    let mut report = Report::default();
    if let Some(tgz) = &args.tarball {
        audit_tarball(tgz, &root, &config, &mut report)?;
        return finish(report, &config, globals, Mode::Command);
    }
    let checks = checks_for(&root, &config)?;

    // The root's walk lists its workspaces' directories too: remember the listings.
    let snapshot = Memo::new(Worktree::new(&root));
    let named: Vec<String> = args
        .dirs
        .iter()
        .map(|d| relative_dir(&root, &cwd, d))
        .collect::<anyhow::Result<_>>()?;
    let complete = named.is_empty();
    let (dirs, explicit) = if named.is_empty() || args.workspaces {
        let mut dirs = discover(&snapshot)?;
        dirs.extend(named.iter().cloned());
        dirs.sort();
        dirs.dedup();
        (dirs, named)
    } else {
        (named.clone(), named)
    };
    audit_dirs(&snapshot, &dirs, &explicit, &config, &checks, &mut report)?;
    if complete {
        report.findings = config.apply_complete(std::mem::take(&mut report.findings));
        super::output::emit(&report, globals, Mode::Command)?;
        return Ok(super::output::exit_for(&report));
    }
    finish(report, &config, globals, Mode::Command)
}

/// Audits a real tarball: every file it holds ships; its unsafe entries are findings too.
/// Scripts already ran when it was packed, so `pack/lifecycle-scripts` does not apply.
/// The repository's lock, when it has one, applies to the package of the same name (a
/// tarball has no directory in the repository); a tarball of another package is not drift.
fn audit_tarball(
    tgz: &Path,
    root: &Path,
    config: &Config,
    report: &mut Report,
) -> anyhow::Result<()> {
    let checks = Checks::new(config)?;
    let tarball = Tarball::open(tgz)?;
    let packlist = checks::tarball::packlist(&tarball)?;
    let name = checks::package_label(&packlist);
    let mut findings = checks::tarball::entry_findings(&tarball);
    for f in &mut findings {
        f.package = Some(name.clone());
    }
    findings.extend(
        checks::audit_package(&tarball, &packlist, config, &checks)?
            .into_iter()
            .filter(|f| f.rule != "pack/lifecycle-scripts"),
    );
    if let Some(lock) = checks::drift::Lock::load(&root.join(checks::drift::LOCK_FILE))? {
        let locked_dir = lock
            .packages
            .iter()
            .find(|(_, p)| p.name.is_some() && p.name.as_deref() == packlist.name())
            .map(|(dir, _)| dir.clone());
        if let Some(dir) = locked_dir {
            findings.extend(checks::drift::check(&packlist, &dir, &lock, config));
        }
    }
    report.notes.push(format!(
        "audited {name}{} ({}): {}, {}",
        packlist
            .version()
            .map(|v| format!("@{v}"))
            .unwrap_or_default(),
        tgz.display(),
        crate::report::count(packlist.files.len(), "file"),
        checks::sourcemap::human_bytes(packlist.total_size())
    ));
    report.findings.extend(findings);
    Ok(())
}

/// The checks for a run in the repository at `root`: the standard set plus the lock.
pub fn checks_for(root: &Path, config: &Config) -> anyhow::Result<Checks> {
    let mut checks = Checks::new(config)?;
    checks.lock = checks::drift::Lock::load(&root.join(checks::drift::LOCK_FILE))?;
    Ok(checks)
}

/// Audits the packages at `dirs` of `snapshot` into `report` (findings not yet filtered by
/// the config). Private packages are skipped with a note unless named in `explicit`.
pub fn audit_dirs(
    snapshot: &dyn Snapshot,
    dirs: &[String],
    explicit: &[String],
    config: &Config,
    checks: &Checks,
    report: &mut Report,
) -> anyhow::Result<()> {
    for dir in dirs {
        if config.skips(None, dir) {
            report
                .notes
                .push(format!("skipped {} ([[package]] skip = true)", show(dir)));
            continue;
        }
        let packlist = packlist::pack(snapshot, dir, &PackOptions::default())?;
        let name = checks::package_label(&packlist);
        if config.skips(packlist.name(), dir) {
            report
                .notes
                .push(format!("skipped {name} ([[package]] skip = true)"));
            continue;
        }
        let private = packlist.manifest.get("private").and_then(|v| v.as_bool()) == Some(true);
        if private && !explicit.contains(dir) {
            report.notes.push(format!(
                "skipped {name} ({}): private package, npm won't publish it (name its directory to audit it anyway)",
                show(dir)
            ));
            continue;
        }
        let findings = checks::audit_package(snapshot, &packlist, config, checks)?;
        report.notes.push(format!(
            "audited {name} ({}): {}, {}",
            show(dir),
            crate::report::count(packlist.files.len(), "file"),
            checks::sourcemap::human_bytes(packlist.total_size())
        ));
        report.findings.extend(findings);
    }
    Ok(())
}

/// Applies the config, prints the report (as `mode` says) and picks the exit code.
pub fn finish(mut report: Report, config: &Config, globals: &Globals, mode: Mode) -> CmdResult {
    report.findings = config.apply(std::mem::take(&mut report.findings));
    super::output::emit(&report, globals, mode)?;
    Ok(super::output::exit_for(&report))
}

fn show(dir: &str) -> &str {
    if dir.is_empty() {
        "."
    } else {
        dir
    }
}

/// The repository's top directory, or `cwd` outside git.
pub fn repo_root(cwd: &Path) -> PathBuf {
    super::work_tree_root(cwd).unwrap_or_else(|| cwd.to_path_buf())
}

/// `dir` (relative to `cwd`, or absolute) as a `/`-separated path relative to `root`.
fn relative_dir(root: &Path, cwd: &Path, dir: &Path) -> anyhow::Result<String> {
    let abs = cwd.join(dir);
    let abs = abs
        .canonicalize()
        .with_context(|| format!("{}: no such directory", dir.display()))?;
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let rel = abs.strip_prefix(&root).map_err(|_| {
        anyhow::anyhow!(
            "{}: outside the repository {}",
            dir.display(),
            root.display()
        )
    })?;
    if !abs.join("package.json").is_file() {
        anyhow::bail!("{}: no package.json in this directory", dir.display());
    }
    Ok(rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/"))
}

/// Every package directory of the repository (the root and its workspaces, see
/// [`crate::workspace::discover`]).
pub fn discover(snapshot: &dyn Snapshot) -> anyhow::Result<Vec<String>> {
    Ok(crate::workspace::discover(snapshot)?
        .into_iter()
        .map(|p| p.dir)
        .collect())
}
