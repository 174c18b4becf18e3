//! `leakgate pre-push`.

use super::{CmdResult, Globals};

/// Arguments of `leakgate pre-push`.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: &Args, _globals: &Globals) -> CmdResult {
    anyhow::bail!("`leakgate pre-push` is not built yet")
}
