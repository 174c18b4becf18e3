//! `leakgate lock`.

use super::{CmdResult, Globals};

/// Arguments of `leakgate lock`.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: &Args, _globals: &Globals) -> CmdResult {
    anyhow::bail!("`leakgate lock` is not built yet")
}
