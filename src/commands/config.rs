//! `leakgate config`.

use super::{CmdResult, Globals};

/// Arguments of `leakgate config`.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: &Args, _globals: &Globals) -> CmdResult {
    anyhow::bail!("`leakgate config` is not built yet")
}
