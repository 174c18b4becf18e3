//! `leakgate uninstall`.

use super::{CmdResult, Globals};

/// Arguments of `leakgate uninstall`.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: &Args, _globals: &Globals) -> CmdResult {
    anyhow::bail!("`leakgate uninstall` is not built yet")
}
