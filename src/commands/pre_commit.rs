//! `leakgate pre-commit`.

use super::{CmdResult, Globals};

/// Arguments of `leakgate pre-commit`.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: &Args, _globals: &Globals) -> CmdResult {
    anyhow::bail!("`leakgate pre-commit` is not built yet")
}
