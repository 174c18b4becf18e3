//! Registering leakgate's git hooks: finding the hooks directory the way git does, chaining
//! the hooks already there, cooperating with hook managers (husky, lefthook, the pre-commit
//! framework), undoing all of it, and diagnosing why a hook would not run.
//!
//! What `install` does, by layout (see [`manager::Manager`]):
//! - plain git hooks (`.git/hooks`, a `core.hooksPath` dir, a worktree's common dir, a
//!   submodule's `.git/modules/…/hooks`): writes the shim (`hooks/pre-commit`,
//!   `hooks/pre-push`, compiled in). A hook that was there is renamed to
//!   `<hook>.leakgate-chained` (a rename keeps bytes, mode and inode) and the shim runs it
//!   first with the same arguments and stdin.
//! - husky: a marked block in the committed `.husky/<hook>` files, shared by the team.
//! - lefthook: a marked block in `lefthook.yml`, or the snippet printed when the YAML cannot
//!   be edited safely.
//!
//! What was done is recorded in `<git common dir>/leakgate/install.toml` ([`state`]), which
//! `uninstall` and `doctor` read; `install.lock` next to it keeps two runs apart ([`lock`]). Nothing here prints: commands do.

pub mod block;
pub mod doctor;
pub mod husky;
pub mod install;
pub mod lefthook;
pub mod lock;
pub mod manager;
pub mod npm;
pub mod previous;
pub mod publish_guard;
pub mod repo;
pub mod shim;
pub mod state;
pub mod yaml;

use std::path::{Path, PathBuf};

/// The hooks leakgate registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Hook {
    /// `pre-commit`: reviews the staged change.
    PreCommit,
    /// `pre-push`: audits the packages the pushed commits touch.
    PrePush,
}

impl Hook {
    /// Both hooks, in the order they are installed and reported.
    pub const ALL: [Hook; 2] = [Hook::PreCommit, Hook::PrePush];

    /// The git hook name (also the leakgate subcommand it runs).
    pub fn name(self) -> &'static str {
        match self {
            Hook::PreCommit => "pre-commit",
            Hook::PrePush => "pre-push",
        }
    }

    /// The shim script written into a hooks directory.
    pub fn shim(self) -> &'static str {
        match self {
            Hook::PreCommit => include_str!("../../hooks/pre-commit"),
            Hook::PrePush => include_str!("../../hooks/pre-push"),
        }
    }

    /// The command that skips this hook once.
    pub fn bypass(self) -> &'static str {
        match self {
            Hook::PreCommit => "git commit --no-verify",
            Hook::PrePush => "git push --no-verify",
        }
    }

    /// Parses a hook name.
    pub fn from_name(name: &str) -> Option<Hook> {
        Hook::ALL.into_iter().find(|h| h.name() == name)
    }
}

/// Suffix of the file a pre-existing hook is moved to while leakgate's shim sits in its place.
pub const CHAINED_SUFFIX: &str = ".leakgate-chained";

/// First line of a marked block leakgate adds to files it shares with others.
pub const BLOCK_START: &str = "# >>> leakgate >>>";
/// Last line of a marked block.
pub const BLOCK_END: &str = "# <<< leakgate <<<";

/// Everything that can stop install, uninstall or doctor. All of them exit 2.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// The directory does not exist.
    #[error("{0} is not a directory")]
    NoSuchDir(PathBuf),
    /// Not inside any git repository.
    #[error(
        "{0} is not inside a git repository: run this in a clone's work tree, or pass --repo DIR"
    )]
    NotARepo(PathBuf),
    /// A bare repository: no commits are made there, so there is nothing to hook.
    #[error(
        "{0} is a bare repository: nobody commits there, so leakgate has nothing to hook; \
         install it in a clone that has a work tree"
    )]
    Bare(PathBuf),
    /// Inside `.git` rather than the work tree.
    #[error("{0} is inside a .git directory, not a work tree: run this from the work tree")]
    InsideGitDir(PathBuf),
    /// A file leakgate wrote was changed since.
    #[error(
        "{0} was edited after leakgate installed it, so leakgate leaves it alone; \
         move your changes elsewhere, or rerun with --force to overwrite them"
    )]
    Edited(PathBuf),
    /// Something is in the way (explained in the message).
    #[error("{path}: {message}")]
    Conflict {
        /// The file in the way.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Running git failed.
    #[error("`git {args}` failed: {message}")]
    Git {
        /// The git arguments.
        args: String,
        /// git's stderr, or why it could not run.
        message: String,
    },
    /// A file leakgate must edit does not parse (or is not shaped as expected).
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
        /// What is wrong.
        message: String,
    },
    /// The install state file could not be parsed.
    #[error("{path}: {message} (delete it and run `leakgate install` again)")]
    State {
        /// The state file.
        path: PathBuf,
        /// The parse error.
        message: String,
    },
}

/// A `Result` with [`HookError`].
pub type Result<T> = std::result::Result<T, HookError>;

/// Wraps an io error with the path it is about.
pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> HookError + '_ {
    move |source| HookError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Hex SHA-256 of some bytes (what the state file records of what leakgate wrote).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// True when `path` is an executable regular file (or symlink to one), as git requires.
pub fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// Sets `path`'s mode (no-op off Unix).
pub(crate) fn set_mode(path: &Path, mode: u32) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(io_err(path))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}
