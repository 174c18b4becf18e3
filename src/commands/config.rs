//! `leakgate config`: print the effective configuration, or check it.

use super::{CmdResult, Exit, Globals};
use crate::config::{Config, FILE_NAME};
use std::io::Write as _;

/// Arguments of `leakgate config`.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    /// Only validate the config: print every error (file:line:col) and exit 2 if any.
    #[arg(long)]
    pub check: bool,
}

/// Runs the command. `--format json` (or sarif) prints the effective config as JSON.
pub fn run(args: &Args, globals: &Globals) -> CmdResult {
    let root = super::init::root_or_cwd()?;
    let path = match &globals.config {
        Some(p) => Some(p.clone()),
        None => Some(root.join(FILE_NAME)).filter(|p| p.is_file()),
    };
    let mut out = String::new();
    if args.check {
        let Some(path) = path else {
            if !globals.quiet {
                println!(
                    "no {FILE_NAME} at {}: using the built-in defaults",
                    root.display()
                );
            }
            return Ok(Exit::Clean);
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let shown = crate::config::shown_path(&path);
        let errors = Config::check(&text, &shown);
        if errors.is_empty() {
            if !globals.quiet {
                println!("{}: ok", shown.display());
            }
            return Ok(Exit::Clean);
        }
        for e in &errors {
            eprintln!("error: {e}");
        }
        let n = errors.len();
        eprintln!(
            "{} {} in {}",
            n,
            if n == 1 { "error" } else { "errors" },
            shown.display()
        );
        return Ok(Exit::Usage);
    }
    let config = match &path {
        Some(p) => Config::load(p)?,
        None => Config::default(),
    };
    if globals.format != super::Format::Human {
        out.push_str(&serde_json::to_string_pretty(&config)?);
        out.push('\n');
    } else {
        match &path {
            Some(p) => out.push_str(&format!(
                "# effective configuration: {} with defaults filled in\n",
                crate::config::shown_path(p).display()
            )),
            None => out.push_str(&format!(
                "# effective configuration: built-in defaults (no {FILE_NAME} at {})\n",
                root.display()
            )),
        }
        out.push_str(&config.to_toml());
    }
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other?,
    }
    Ok(Exit::Clean)
}
