//! `leakgate init`.

use super::{CmdResult, Globals};

/// Arguments of `leakgate init`.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: &Args, _globals: &Globals) -> CmdResult {
    anyhow::bail!("`leakgate init` is not built yet")
}
