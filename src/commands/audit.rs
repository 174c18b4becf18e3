//! `leakgate audit`.

use super::{CmdResult, Globals};

/// Arguments of `leakgate audit`.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: &Args, _globals: &Globals) -> CmdResult {
    anyhow::bail!("`leakgate audit` is not built yet")
}
