//! One module per subcommand: each wires the library together and is the only place
//! that prints.

pub mod audit;
pub mod config;
pub mod doctor;
pub mod explain;
pub mod files;
pub mod fix;
pub mod help;
pub mod init;
pub mod install;
pub mod lock;
pub mod output;
pub mod pre_commit;
pub mod pre_push;
pub mod uninstall;

use std::path::{Path, PathBuf};

/// The root of the git work tree containing `start`, or `None` outside a repository (or in
/// a bare one). Found with libgit2, honouring `GIT_DIR`/`GIT_WORK_TREE` as git does:
/// spawning `git rev-parse --show-toplevel` cost more than auditing a small package.
pub fn work_tree_root(start: &Path) -> Option<PathBuf> {
    let repo = crate::snapshot::git::open_repository(start).ok()?;
    // libgit2 ends the work tree with a `/`; `components` drops it.
    repo.workdir().map(|w| w.components().collect())
}

/// Output format of reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    /// rustc/ruff-style diagnostics.
    #[default]
    Human,
    /// Versioned JSON (`leakgate help json`).
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

/// When to colour human output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Options every subcommand shares.
#[derive(Clone, Debug, Default)]
pub struct Globals {
    /// `--config PATH`: use this config instead of `<repo>/leakgate.toml`.
    pub config: Option<PathBuf>,
    /// `--format`.
    pub format: Format,
    /// `--color`.
    pub color: ColorChoice,
    /// `-q`: only blocking findings and errors.
    pub quiet: bool,
    /// `-v` count.
    pub verbose: u8,
}

/// How a command ended; main turns it into the process exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Nothing blocking (0).
    Clean,
    /// Blocking findings (1).
    Blocked,
    /// Usage, config or input error (2).
    Usage,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> i32 {
        match self {
            Exit::Clean => 0,
            Exit::Blocked => 1,
            Exit::Usage => 2,
        }
    }
}

/// The result every command returns; an `Err` is reported and exits 2.
pub type CmdResult = anyhow::Result<Exit>;

/// `LEAKGATE_SKIP=1 git commit …`: the hooks skip their check once and say so. The shims
/// handle it before starting the binary; this covers hook managers that call the binary
/// directly (lefthook, the pre-commit framework).
pub fn skipped_by_env(hook: &str) -> bool {
    let skip = std::env::var("LEAKGATE_SKIP").is_ok_and(|v| v.trim() == "1");
    if skip {
        eprintln!("leakgate: LEAKGATE_SKIP=1: skipping the {hook} check");
    }
    skip
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_tree_root_is_found_from_below_and_absent_outside() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        let deep = root.join("packages/a/src");
        std::fs::create_dir_all(&deep).unwrap();
        let outside = dir.path().join("plain");
        std::fs::create_dir_all(&outside).unwrap();
        git2::Repository::init(&root).unwrap();
        let canon = |p: &Path| p.canonicalize().unwrap();
        assert_eq!(
            canon(&work_tree_root(&deep).unwrap()),
            canon(&root),
            "no trailing slash, same directory"
        );
        assert!(!work_tree_root(&deep)
            .unwrap()
            .to_string_lossy()
            .ends_with('/'));
        assert_eq!(work_tree_root(&outside), None);
        // A bare repository has no work tree.
        let bare = dir.path().join("bare.git");
        git2::Repository::init_bare(&bare).unwrap();
        assert_eq!(work_tree_root(&bare), None);
    }
}
