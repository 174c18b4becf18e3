//! `leakgate init`: write the commented default `leakgate.toml` at the repository root, and
//! warn when a package would ship it (its codenames and allow list would be published).

use super::{CmdResult, Exit, Globals};
use crate::config::{DEFAULT_TOML, FILE_NAME};
use crate::packlist::{self, PackOptions};
use crate::snapshot::worktree::Worktree;
use crate::snapshot::{join, Snapshot};
use std::path::{Path, PathBuf};

/// Arguments of `leakgate init`.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    /// Overwrite an existing leakgate.toml.
    #[arg(long)]
    pub force: bool,
}

/// The root of the git work tree containing `start` (or the nearest ancestor with a `.git`
/// when libgit2 can't open it), or `None` outside a repository.
pub fn repo_root(start: &Path) -> Option<PathBuf> {
    super::work_tree_root(start).or_else(|| {
        start
            .ancestors()
            .find(|d| d.join(".git").exists())
            .map(Path::to_path_buf)
    })
}

/// The repository root of the current directory, or the current directory outside a repository.
pub fn root_or_cwd() -> anyhow::Result<PathBuf> {
    let cwd = std::env::current_dir()?;
    Ok(repo_root(&cwd).unwrap_or(cwd))
}

/// Runs the command.
pub fn run(args: &Args, globals: &Globals) -> CmdResult {
    let path = match &globals.config {
        Some(p) => p.clone(),
        None => root_or_cwd()?.join(FILE_NAME),
    };
    if path.exists() && !args.force {
        eprintln!(
            "error: {} already exists; not overwriting it (use `leakgate init --force` to replace it)",
            path.display()
        );
        return Ok(Exit::Usage);
    }
    std::fs::write(&path, DEFAULT_TOML)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    if !globals.quiet {
        println!("wrote {}", path.display());
        println!("edit it, then check it with `leakgate config --check`; commit it so the team shares it");
        warn_if_shipped(&path);
    }
    Ok(Exit::Clean)
}

/// A package that would ship the config.
#[derive(Debug, PartialEq, Eq)]
struct ShippedIn {
    /// The package's name, else its directory (`.` for the root).
    package: String,
    /// How to keep the file out of this package.
    help: String,
}

/// Prints a warning per package that would ship the config just written at `path` (a
/// check that can't run, a package.json that doesn't parse say, is a note: init itself
/// succeeded).
fn warn_if_shipped(path: &Path) {
    let Some((root, rel)) = std::fs::canonicalize(path).ok().and_then(|abs| {
        let dir = abs.parent()?;
        // Outside a repository init writes into the current directory: judge that.
        let root = repo_root(dir).unwrap_or_else(|| dir.to_path_buf());
        let rel = abs.strip_prefix(&root).ok()?.to_str()?.replace('\\', "/");
        Some((root, rel))
    }) else {
        return;
    };
    match packages_shipping(&Worktree::new(&root), &rel) {
        Ok(found) => {
            for s in found {
                eprintln!(
                    "warning: {rel} would ship in package {}: npm pack includes it, and with it \
                     the codenames and allow entries you add",
                    s.package
                );
                eprintln!("  = help: {}", s.help);
            }
        }
        Err(e) => eprintln!("note: could not check whether a package would ship {rel}: {e:#}"),
    }
}

/// The packages of the repository in `snapshot` whose packlist holds `rel` (a file path
/// relative to the snapshot root): the root package and workspace members whose directory
/// contains it, unless private (npm won't publish those).
fn packages_shipping(snapshot: &dyn Snapshot, rel: &str) -> anyhow::Result<Vec<ShippedIn>> {
    let mut out = Vec::new();
    for p in crate::workspace::discover(snapshot)? {
        let inside = p.dir.is_empty()
            || rel
                .strip_prefix(p.dir.as_str())
                .is_some_and(|r| r.starts_with('/'));
        if p.private || !inside {
            continue;
        }
        let list = packlist::pack(snapshot, &p.dir, &PackOptions::default())?;
        if !list.files.iter().any(|f| f.source == rel) {
            continue;
        }
        let inner = rel[p.dir.len()..].trim_start_matches('/');
        let dir = if p.dir.is_empty() {
            "."
        } else {
            p.dir.as_str()
        };
        out.push(ShippedIn {
            package: match &p.name {
                Some(n) => format!("{n} ({dir})"),
                None => dir.to_string(),
            },
            help: keep_out(
                snapshot,
                &p.dir,
                inner,
                list.manifest.get("files").is_some(),
            ),
        });
    }
    Ok(out)
}

/// How to keep `inner` (relative to the package at `dir`) out of that package. With a
/// `files` field npm reads no .npmignore at the package root, so the fix goes in `files`;
/// without one, in the package's .npmignore (creating one makes npm stop reading the
/// .gitignore beside it: say so).
fn keep_out(snapshot: &dyn Snapshot, dir: &str, inner: &str, has_files: bool) -> String {
    let manifest = join(dir, "package.json");
    if has_files {
        return format!(
            "add \"!{inner}\" to `files` in {manifest} (or narrow the entry that matches it)"
        );
    }
    let npmignore = join(dir, ".npmignore");
    let gitignore = join(dir, ".gitignore");
    let exists = |p: &str| matches!(snapshot.kind(p), Ok(Some(_)));
    let mut help = format!("add a `/{inner}` line to {npmignore}");
    if !exists(&npmignore) && exists(&gitignore) {
        help.push_str(&format!(
            " (a new .npmignore makes npm stop reading {gitignore}: copy its lines into it), or \
             a `files` allow-list to {manifest}"
        ));
    } else if !exists(&npmignore) {
        help.push_str(&format!(", or a `files` allow-list to {manifest}"));
    }
    help
}
