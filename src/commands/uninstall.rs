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
    /// Also remove the publish guard from the package.json in the current directory, even
    /// when this clone's `leakgate install` did not add it.
    #[arg(long)]
    pub publish_guard: bool,
}

/// Runs the command.
pub fn run(args: &Args, globals: &Globals) -> CmdResult {
    let dir = args.repo.clone().unwrap_or_else(|| PathBuf::from("."));
    let publish_guard = match args.publish_guard {
        true => Some(super::install::package_dir()?),
        false => None,
    };
    let outcome = install::uninstall(&dir, args.force, publish_guard.as_deref())?;
    super::install::print_outcome("uninstall", &outcome, globals);
    Ok(Exit::Clean)
}
