//! `leakgate install`.

use super::{CmdResult, Exit, Globals};
use crate::hooks::install::{self, Options, Outcome};
use std::path::PathBuf;

/// Arguments of `leakgate install`.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    /// The repository (any directory in its work tree); default: the current directory.
    #[arg(long, value_name = "DIR")]
    pub repo: Option<PathBuf>,
    /// Overwrite a leakgate shim or block that somebody edited.
    #[arg(long)]
    pub force: bool,
    /// Write plain git hook shims even when husky, lefthook or the pre-commit framework is
    /// detected.
    #[arg(long)]
    pub plain: bool,
    /// Also add the publish guard to the package.json in the current directory: a
    /// `postpack` script running `leakgate audit --packed`, which stops `npm publish` when
    /// the package leaks (an existing postpack is kept, after it; `leakgate uninstall` puts
    /// it back).
    #[arg(long)]
    pub publish_guard: bool,
}

/// Runs the command.
pub fn run(args: &Args, globals: &Globals) -> CmdResult {
    let dir = args.repo.clone().unwrap_or_else(|| PathBuf::from("."));
    let publish_guard = match args.publish_guard {
        true => Some(package_dir()?),
        false => None,
    };
    let outcome = install::install(
        &dir,
        Options {
            force: args.force,
            plain: args.plain,
            publish_guard,
        },
    )?;
    print_outcome("install", &outcome, globals);
    if let Some((path, snippet)) = &outcome.manual {
        eprintln!(
            "error: leakgate is not wired up yet: add this to {}, then run `leakgate doctor`:\n\n{snippet}",
            path.display()
        );
        return Ok(Exit::Usage);
    }
    Ok(Exit::Clean)
}

/// The current directory, which must hold the package.json the publish guard goes in.
pub(crate) fn package_dir() -> anyhow::Result<PathBuf> {
    let cwd = std::env::current_dir()?;
    let cwd = cwd.canonicalize().unwrap_or(cwd);
    if !cwd.join("package.json").is_file() {
        anyhow::bail!(
            "{}: no package.json here; run `leakgate install --publish-guard` in the directory \
             of the package you publish",
            cwd.display()
        );
    }
    Ok(cwd)
}

/// Prints what install or uninstall did, one line per file, then the notes.
pub(crate) fn print_outcome(verb: &str, outcome: &Outcome, globals: &Globals) {
    if globals.quiet {
        return;
    }
    let repo = &outcome.repo;
    println!(
        "leakgate {verb}: {} (hooks dir {}; hook manager: {})",
        repo.work_tree.display(),
        repo.display(&repo.hooks_dir),
        outcome.manager.name()
    );
    if outcome.steps.is_empty() {
        println!("  nothing of leakgate's was there");
    }
    for step in &outcome.steps {
        println!(
            "  {:<10} {}: {}",
            step.what,
            repo.display(&step.path),
            step.message
        );
    }
    for note in &outcome.notes {
        println!("  note: {note}");
    }
}
