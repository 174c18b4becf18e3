//! `leakgate doctor`.

use super::{CmdResult, Globals};

/// Arguments of `leakgate doctor`.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: &Args, _globals: &Globals) -> CmdResult {
    anyhow::bail!("`leakgate doctor` is not built yet")
}
