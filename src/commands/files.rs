//! `leakgate files`.

use super::{CmdResult, Globals};

/// Arguments of `leakgate files`.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: &Args, _globals: &Globals) -> CmdResult {
    anyhow::bail!("`leakgate files` is not built yet")
}
