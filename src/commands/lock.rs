//! `leakgate lock [DIR...] [--check]`: record what each package ships in `leakgate.lock`.
//!
//! Without DIRs every public package of the repository is recorded and entries of packages
//! that no longer exist are dropped; with DIRs only those packages are (re)recorded and the
//! rest of the lock is kept. `--check` writes nothing and exits 1 when the lock is missing
//! or differs from what would be written (for CI). The root package's own `leakgate.lock`
//! is never recorded (see [`crate::checks::drift`]), so one run settles the lock.

use super::audit::repo_root;
use super::{CmdResult, Exit, Globals};
use crate::checks::drift::{dir_key, Lock, LOCK_FILE};
use crate::packlist::{self, PackOptions};
use crate::snapshot::worktree::Worktree;
use anyhow::{bail, Context};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `leakgate lock`.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    /// Package directories to record (default: every public package in the repository).
    #[arg(value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Write nothing; exit 1 if leakgate.lock is missing or out of date.
    #[arg(long)]
    pub check: bool,
}

/// Runs the command.
pub fn run(args: &Args, globals: &Globals) -> CmdResult {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let root = repo_root(&cwd);
    // The config is read so that a broken leakgate.toml is reported here too (exit 2).
    let config = crate::config::Config::discover(&root, globals.config.as_deref())?;
    let lock_path = root.join(LOCK_FILE);
    let old = Lock::load(&lock_path)?;
    let explicit = !args.dirs.is_empty();
    let dirs: Vec<String> = if explicit {
        args.dirs
            .iter()
            .map(|d| relative_dir(&root, &cwd.join(d)))
            .collect::<anyhow::Result<_>>()?
    } else {
        discover_packages(&root)?
    };
    let snapshot = Worktree::new(&root);
    let mut lock = if explicit {
        old.clone().unwrap_or_default()
    } else {
        Lock::default()
    };
    let mut recorded = Vec::new();
    let (publisher, source) =
        packlist::publisher::for_repository(&snapshot, "", config.publish.tool);
    eprintln!("{}", packlist::publisher::describe(publisher, &source));
    let options = PackOptions {
        publisher,
        ..PackOptions::default()
    };
    for dir in &dirs {
        let pack_dir = if dir == "." { "" } else { dir.as_str() };
        let list = packlist::pack(&snapshot, pack_dir, &options)
            .with_context(|| format!("cannot compute what {dir} would ship"))?;
        let private = list.manifest.get("private").and_then(|v| v.as_bool()) == Some(true);
        if private && !explicit {
            continue;
        }
        let entry = lock.record(&list);
        recorded.push((
            dir_key(dir),
            list.name().unwrap_or("").to_string(),
            entry.files.len(),
            entry.size,
        ));
    }
    let text = lock.render();
    let mut out = std::io::stdout().lock();
    if args.check {
        let current = std::fs::read_to_string(&lock_path).ok();
        if current.as_deref() == Some(text.as_str()) {
            writeln!(
                out,
                "{LOCK_FILE} is up to date ({} packages)",
                lock.packages.len()
            )?;
            return Ok(Exit::Clean);
        }
        let what = match &old {
            None => "missing".to_string(),
            Some(old) => describe_changes(old, &lock),
        };
        writeln!(
            out,
            "{LOCK_FILE} is out of date: {what}\n  = help: run `leakgate lock` and commit {LOCK_FILE}"
        )?;
        return Ok(Exit::Blocked);
    }
    std::fs::write(&lock_path, &text)
        .with_context(|| format!("cannot write {}", lock_path.display()))?;
    for (dir, name, files, size) in &recorded {
        let label = if name.is_empty() {
            dir.clone()
        } else {
            format!("{name} ({dir})")
        };
        writeln!(
            out,
            "recorded {label}: {}, {}",
            crate::report::count(*files, "file"),
            crate::text::human_bytes(*size)
        )?;
    }
    writeln!(out, "wrote {LOCK_FILE} ({} packages)", lock.packages.len())?;
    Ok(Exit::Clean)
}

/// `dir` as a lock key relative to `root`; an error if it is outside the repository.
fn relative_dir(root: &Path, dir: &Path) -> anyhow::Result<String> {
    let root_c = root
        .canonicalize()
        .with_context(|| format!("{}: cannot resolve", root.display()))?;
    let dir_c = dir
        .canonicalize()
        .with_context(|| format!("{}: no such directory", dir.display()))?;
    let Ok(rel) = dir_c.strip_prefix(&root_c) else {
        bail!(
            "{}: outside the repository at {}",
            dir.display(),
            root.display()
        );
    };
    let rel = rel.to_string_lossy().replace('\\', "/");
    Ok(dir_key(&rel))
}

/// Every package directory of the repository (relative, `.` for the root): the root
/// package and its npm/yarn/bun/pnpm workspace members.
fn discover_packages(root: &Path) -> anyhow::Result<Vec<String>> {
    let packages = crate::workspace::discover(&Worktree::new(root))?;
    if packages.is_empty() {
        bail!(
            "{}: no package.json at the repository root and no workspaces; name the package \
            directories: `leakgate lock DIR...`",
            root.display()
        );
    }
    // Only what npm would publish has contents to lock: a versionless workspace root, a
    // private app or a broken fixture would fail `npm pack` (or never be published).
    Ok(packages
        .into_iter()
        .filter(|p| p.unpublishable().is_none())
        .map(|p| dir_key(&p.dir))
        .collect())
}

/// One line saying which packages changed and how.
fn describe_changes(old: &Lock, new: &Lock) -> String {
    let mut parts = Vec::new();
    for (dir, p) in &new.packages {
        match old.packages.get(dir) {
            None => parts.push(format!("{dir} is not recorded")),
            Some(o) if o != p => {
                let added = p.files.iter().filter(|f| !o.files.contains(f)).count();
                let removed = o.files.iter().filter(|f| !p.files.contains(f)).count();
                parts.push(format!(
                    "{dir}: {added} paths added, {removed} removed, size {} → {}",
                    o.size, p.size
                ));
            }
            _ => {}
        }
    }
    for dir in old
        .packages
        .keys()
        .filter(|d| !new.packages.contains_key(*d))
    {
        parts.push(format!("{dir} no longer exists"));
    }
    if parts.is_empty() {
        "formatting differs".to_string()
    } else {
        parts.join("; ")
    }
}
