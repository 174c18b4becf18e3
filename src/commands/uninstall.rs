//! `leakgate uninstall`.

use super::{CmdResult, Exit, Globals};
use crate::hooks::install;
use std::path::PathBuf;

/// Arguments of `leakgate uninstall`.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    /// The repository (any directory in its work tree); default: the current directory.
    #[arg(long, value_name = "DIR")]
    pub repo: Option<PathBuf>,
    /// Also remove a leakgate shim or block that somebody edited.
    #[arg(long)]
    pub force: bool,
}

/// Runs the command.
pub fn run(args: &Args, globals: &Globals) -> CmdResult {
    let dir = args.repo.clone().unwrap_or_else(|| PathBuf::from("."));
    let outcome = install::uninstall(&dir, args.force)?;
    super::install::print_outcome("uninstall", &outcome, globals);
    Ok(Exit::Clean)
}
