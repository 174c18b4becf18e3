//! `leakgate explain`.

use super::{CmdResult, Globals};

/// Arguments of `leakgate explain`.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: &Args, _globals: &Globals) -> CmdResult {
    anyhow::bail!("`leakgate explain` is not built yet")
}
