//! `leakgate init`: write the commented default `leakgate.toml` at the repository root.

use super::{CmdResult, Exit, Globals};
use crate::config::{DEFAULT_TOML, FILE_NAME};
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
    }
    Ok(Exit::Clean)
}
