//! `leakgate doctor`: is leakgate installed here, would git run it, with which binary and
//! config. Exit 1 when something is wrong.

use super::{CmdResult, Exit, Globals};
use crate::config::Config;
use crate::hooks::doctor::{self, Check, Status};
use crate::hooks::repo::Repo;
use std::path::PathBuf;

/// Arguments of `leakgate doctor`.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    /// The repository (any directory in its work tree); default: the current directory.
    #[arg(long, value_name = "DIR")]
    pub repo: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: &Args, globals: &Globals) -> CmdResult {
    let dir = args.repo.clone().unwrap_or_else(|| PathBuf::from("."));
    let repo = Repo::discover(&dir)?;
    let mut checks = doctor::hooks(&repo);
    checks.extend(doctor::binary(&repo.work_tree, env!("CARGO_PKG_VERSION")));
    checks.push(config_check(&repo, globals));
    checks.push(publisher_check(&repo, globals));
    let fails = checks.iter().filter(|c| c.status == Status::Fail).count();
    let warns = checks.iter().filter(|c| c.status == Status::Warn).count();
    println!("leakgate doctor: {}", repo.work_tree.display());
    for c in &checks {
        if globals.quiet && c.status == Status::Ok {
            continue;
        }
        println!("  {:<5} {:<15} {}", c.status.label(), c.topic, c.detail);
    }
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    if fails == 0 {
        println!("all good ({})", plural(warns, "warning"));
        Ok(Exit::Clean)
    } else {
        println!("{}, {}", plural(fails, "problem"), plural(warns, "warning"));
        Ok(Exit::Blocked)
    }
}

/// Which tool publishes this repository, and so whose pack leakgate reproduces.
fn publisher_check(repo: &Repo, globals: &Globals) -> Check {
    let configured = Config::discover(&repo.work_tree, globals.config.as_deref())
        .ok()
        .and_then(|c| c.publish.tool);
    let snap = crate::snapshot::Worktree::new(&repo.work_tree);
    let (p, source) = crate::packlist::publisher::for_repository(&snap, "", configured);
    Check {
        status: Status::Ok,
        topic: "publisher".into(),
        detail: format!(
            "{} {} (from {source}): leakgate judges what `{}` ships",
            p.name(),
            p.version(),
            p.pack_command()
        ),
    }
}

fn config_check(repo: &Repo, globals: &Globals) -> Check {
    let (status, detail) = match Config::discover(&repo.work_tree, globals.config.as_deref()) {
        Ok(c) => match &c.source {
            Some(p) => (Status::Ok, format!("{} is valid", repo.display(p))),
            None => (
                Status::Ok,
                "no leakgate.toml: built-in defaults (`leakgate init` writes one)".to_string(),
            ),
        },
        Err(e) => (Status::Fail, e.to_string()),
    };
    Check {
        status,
        topic: "config".into(),
        detail,
    }
}
