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
use crate::workspace::{Package, Unpublishable};
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
    /// Repeat it to audit several in one report (`npm pack --workspaces`' tarballs).
    #[arg(long, value_name = "FILE.tgz", conflicts_with_all = ["dirs", "workspaces"])]
    pub tarball: Vec<PathBuf>,
    /// With --tarball: the package's directory in the repository, so findings (and SARIF
    /// locations) name repository paths (`packages/foo/dist/x.js`). Default: the package of
    /// the repository with the tarball's name, if there is one.
    #[arg(long, value_name = "DIR", requires = "tarball")]
    pub package_dir: Option<PathBuf>,
    /// Audit the package in the current directory as npm would pack it now: the publish
    /// guard's command (`leakgate install --publish-guard`), run by npm's postpack script.
    #[arg(long, conflicts_with_all = ["dirs", "workspaces", "tarball"])]
    pub packed: bool,
}

/// Runs the command.
pub fn run(args: &Args, globals: &Globals) -> CmdResult {
    if args.packed {
        let mut here = args.clone();
        here.packed = false;
        here.dirs = vec![PathBuf::from(".")];
        let exit = run(&here, globals)?;
        // Under npm's postpack, say what stopped the publish (npm then prints its own error).
        if exit == super::Exit::Blocked
            && std::env::var("npm_lifecycle_event").as_deref() == Ok("postpack")
        {
            eprintln!(
                "leakgate: the publish guard stopped `npm {}`: fix the findings above, or \
                 allow them in leakgate.toml with a reason (`leakgate explain RULE`)",
                std::env::var("npm_command").unwrap_or_else(|_| "publish".into())
            );
        }
        return Ok(exit);
    }
    let cwd = std::env::current_dir().context("current directory")?;
    let root = repo_root(&cwd);
    let config = Config::discover(&root, globals.config.as_deref())?;
    let mut report = Report::default();
    if !args.tarball.is_empty() {
        if args.package_dir.is_some() && args.tarball.len() > 1 {
            anyhow::bail!(
                "--package-dir names the directory of one tarball; with several, leave it out \
                 (each tarball maps to the repository's package of the same name)"
            );
        }
        let dir = match &args.package_dir {
            Some(d) => Some(
                relative_dir(&root, &cwd, d)?
                    .with_context(|| format!("{}: not inside the repository", d.display()))?,
            ),
            None => None,
        };
        for tgz in &args.tarball {
            audit_tarball(tgz, &root, dir.clone(), &config, &mut report)?;
        }
        return finish(report, &config, globals, Mode::Command);
    }
    let checks = checks_for(&root, &config)?;

    // The root's walk lists its workspaces' directories too: remember the listings.
    let snapshot = Memo::new(Worktree::new(&root));
    let mut outside: Vec<PathBuf> = Vec::new();
    let mut named: Vec<String> = Vec::new();
    for d in &args.dirs {
        match relative_dir(&root, &cwd, d)? {
            Some(rel) => named.push(rel),
            None => outside.push(cwd.join(d)),
        }
    }
    let complete = args.dirs.is_empty();
    let packages = if complete || args.workspaces {
        let mut packages = discover(&snapshot, &mut report)?;
        for dir in &named {
            if !packages.iter().any(|p| &p.dir == dir) {
                packages.push(package_at(&snapshot, dir)?);
            }
        }
        packages.sort_by(|a, b| a.dir.cmp(&b.dir));
        packages
    } else {
        named
            .iter()
            .map(|d| package_at(&snapshot, d))
            .collect::<anyhow::Result<_>>()?
    };
    if packages.is_empty() && outside.is_empty() {
        report.notes.push(format!(
            "{}: no package.json at the root and no workspaces; nothing to audit (name the \
             package directories: `leakgate audit DIR...`)",
            root.display()
        ));
    }
    audit_packages(&snapshot, &packages, &named, &config, &checks, &mut report)?;
    for dir in outside {
        audit_elsewhere(&dir, &config, &checks, &mut report)?;
    }
    if complete {
        report.findings = crate::report::repeats::fold(
            config.apply_complete(std::mem::take(&mut report.findings)),
        );
        super::output::emit(&report, globals, Mode::Command)?;
        return Ok(super::output::exit_for(&report));
    }
    finish(report, &config, globals, Mode::Command)
}

/// Audits a package directory outside the current repository (another repository's, or one
/// in none) from its own root, so npm's upward workspace lookups see what npm would.
fn audit_elsewhere(
    dir: &Path,
    config: &Config,
    checks: &Checks,
    report: &mut Report,
) -> anyhow::Result<()> {
    let dir = dir
        .canonicalize()
        .with_context(|| format!("{}: no such directory", dir.display()))?;
    let root = repo_root(&dir);
    let snapshot = Memo::new(Worktree::new(&root));
    let rel = relative_dir(&root, &root, &dir)?.unwrap_or_default();
    let package = package_at(&snapshot, &rel)?;
    let mut sub = Report::default();
    audit_packages(&snapshot, &[package], &[rel], config, checks, &mut sub)?;
    report.notes.extend(
        sub.notes
            .drain(..)
            .map(|n| format!("{n} [in {}]", root.display())),
    );
    report.findings.append(&mut sub.findings);
    Ok(())
}

/// The package whose package.json is in `dir` of `snapshot` (a named directory).
pub(super) fn package_at(snapshot: &dyn Snapshot, dir: &str) -> anyhow::Result<Package> {
    match crate::workspace::read_manifest(snapshot, dir) {
        Ok(Some(v)) => Ok(crate::workspace::package_from(dir, &v, dir.is_empty())),
        Ok(None) => anyhow::bail!("{}: no package.json in this directory", show(dir)),
        Err(crate::workspace::DiscoverError::Manifest(e)) => Ok(Package {
            dir: dir.to_string(),
            name: None,
            version: None,
            private: false,
            root: dir.is_empty(),
            broken: Some(e.to_string()),
        }),
        Err(e) => Err(e.into()),
    }
}

/// Audits a real tarball: every file it holds ships; its unsafe entries are findings too.
/// Scripts already ran when it was packed, so `pack/lifecycle-scripts` does not apply.
/// The repository's lock, when it has one, applies to the package of the same name (a
/// tarball has no directory in the repository); a tarball of another package is not drift.
///
/// Findings name repository paths when the tarball's package directory is known (`dir`, or
/// the repository's package of the same name): `package/dist/x.js` of the tarball is
/// `packages/foo/dist/x.js`, what code scanning and `[[allow]] path` expect.
fn audit_tarball(
    tgz: &Path,
    root: &Path,
    dir: Option<String>,
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
    let dir = dir.or_else(|| {
        let name = packlist.name()?;
        let packages = crate::workspace::discover(&Worktree::new(root)).ok()?;
        let found = packages
            .into_iter()
            .find(|p| p.name.as_deref() == Some(name))?;
        Some(found.dir)
    });
    if let Some(dir) = &dir {
        for f in &mut findings {
            if let Some(file) = &f.file {
                f.repo_path = Some(crate::snapshot::join(dir, file));
            }
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
        crate::text::human_bytes(packlist.total_size())
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

/// Audits `packages` of `snapshot` into `report` (findings not yet filtered by the config).
/// A package npm would never publish (no name or version, a package.json that doesn't
/// parse, `private`) is skipped with a note; a private one named in `explicit` is audited
/// anyway (npm can pack it).
pub fn audit_packages(
    snapshot: &dyn Snapshot,
    packages: &[Package],
    explicit: &[String],
    config: &Config,
    checks: &Checks,
    report: &mut Report,
) -> anyhow::Result<()> {
    let mut skipped: Vec<String> = Vec::new();
    // Judge what the repository's publisher would ship (`[publish] tool`, else detected).
    let (publisher, source) =
        packlist::publisher::for_repository(snapshot, "", config.publish.tool);
    if !packages.is_empty() {
        report
            .notes
            .push(packlist::publisher::describe(publisher, &source));
    }
    let options = PackOptions {
        publisher,
        ..PackOptions::default()
    };
    // What another tool would ship instead (`pack/publisher-differs`): npm when the
    // repository publishes with another tool, or the detected tool when the config says npm.
    let detected = match source {
        packlist::publisher::Source::Config => packlist::publisher::detect(snapshot, "").0,
        _ => publisher,
    };
    let counterpart = checks::parity::counterpart(publisher, detected);
    for package in packages {
        let dir = &package.dir;
        if config.skips(package.name.as_deref(), dir) {
            report.notes.push(format!(
                "skipped {} ([[package]] skip = true)",
                package.label()
            ));
            continue;
        }
        // A directory named on the command line is audited if npm can pack it at all.
        let why = if explicit.contains(dir) {
            package.unpackable()
        } else {
            package.unpublishable()
        };
        if let Some(why) = why {
            let hint = if why == Unpublishable::Private && package.packable() {
                " (name its directory to audit it anyway)"
            } else {
                ""
            };
            skipped.push(match &package.name {
                Some(name) => format!("{name} ({}): {why}{hint}", show(dir)),
                None => format!("{}: {why}{hint}", show(dir)),
            });
            continue;
        }
        let packlist = packlist::pack(snapshot, dir, &options)?;
        let mut findings = checks::audit_package(snapshot, &packlist, config, checks)?;
        if let Some(other) = counterpart {
            findings.extend(checks::parity::check(
                snapshot, &packlist, &findings, other, config, checks,
            )?);
        }
        report.notes.push(format!(
            "audited {} ({}): {}, {}",
            checks::package_label(&packlist),
            show(dir),
            crate::report::count(packlist.files.len(), "file"),
            crate::text::human_bytes(packlist.total_size())
        ));
        report.findings.extend(findings);
    }
    report.notes.extend(skipped_notes(skipped));
    Ok(())
}

/// Skipped packages listed one by one up to this many; past it, one line says how many.
/// A monorepo's private apps, examples and fixtures number in the hundreds.
const SKIPPED_LISTED: usize = 3;

fn skipped_notes(skipped: Vec<String>) -> Vec<String> {
    if skipped.len() <= SKIPPED_LISTED {
        return skipped
            .into_iter()
            .map(|s| format!("skipped {s}"))
            .collect();
    }
    let first: Vec<&str> = skipped
        .iter()
        .take(SKIPPED_LISTED)
        .map(|s| s.split([' ', ':']).next().unwrap_or(s))
        .collect();
    vec![format!(
        "skipped {} packages npm would never publish (private, or no name or version): {} and {} more",
        skipped.len(),
        first.join(", "),
        skipped.len() - SKIPPED_LISTED
    )]
}

/// Applies the config, prints the report (as `mode` says) and picks the exit code.
pub fn finish(mut report: Report, config: &Config, globals: &Globals, mode: Mode) -> CmdResult {
    report.findings =
        crate::report::repeats::fold(config.apply(std::mem::take(&mut report.findings)));
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

/// `dir` (relative to `cwd`, or absolute) as a `/`-separated path relative to `root`;
/// `None` when it lies outside `root` (another repository, or none).
pub(super) fn relative_dir(root: &Path, cwd: &Path, dir: &Path) -> anyhow::Result<Option<String>> {
    let abs = cwd.join(dir);
    let abs = abs
        .canonicalize()
        .with_context(|| format!("{}: no such directory", dir.display()))?;
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let Ok(rel) = abs.strip_prefix(&root) else {
        return Ok(None);
    };
    if !abs.join("package.json").is_file() {
        anyhow::bail!("{}: no package.json in this directory", dir.display());
    }
    Ok(Some(
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
    ))
}

/// Every package of the repository (the root and its workspaces, see
/// [`crate::workspace::discover`]). Names that several packages share are a note: npm
/// refuses such a workspace set, and leakgate judges each package by its directory.
pub fn discover(snapshot: &dyn Snapshot, report: &mut Report) -> anyhow::Result<Vec<Package>> {
    let packages = crate::workspace::discover(snapshot)?;
    for (name, dirs) in crate::workspace::duplicate_names(&packages) {
        report.notes.push(format!(
            "{} packages are named `{name}` ({}): npm refuses a workspace set with duplicate \
             names; each is judged by its directory",
            dirs.len(),
            dirs.iter().map(|d| show(d)).collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(packages)
}
