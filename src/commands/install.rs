//! `leakgate install`.

use super::{CmdResult, Globals};

/// Arguments of `leakgate install`.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: &Args, _globals: &Globals) -> CmdResult {
    anyhow::bail!("`leakgate install` is not built yet")
}
