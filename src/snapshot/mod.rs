//! Snapshots: read-only trees of files. Nothing else in leakgate touches the filesystem
//! or git for file contents.
//!
//! Paths are relative to the snapshot root, `/`-separated, with `""` for the root itself.

pub mod worktree;

use std::io::Read;

/// What kind of entry a path is (as `lstat` would say: symlinks are not followed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link (never followed when listing).
    Symlink,
    /// A FIFO, socket, device or a git submodule (gitlink).
    Other,
}

/// One entry of a directory listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The name inside its directory (no slash).
    pub name: String,
    /// The kind, without following symlinks.
    pub kind: EntryKind,
    /// Size in bytes (0 for directories).
    pub size: u64,
    /// Unix mode bits (`0o644`, `0o755`, …).
    pub mode: u32,
}

/// Errors a snapshot can report. Each names the path it concerns.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The path does not exist in this snapshot.
    #[error("{path}: not found in {snapshot}")]
    NotFound {
        /// The missing path.
        path: String,
        /// What snapshot was asked.
        snapshot: String,
    },
    /// Reading failed.
    #[error("{path}: {source}")]
    Io {
        /// The path being read.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file name that is not valid UTF-8 (leakgate reports it rather than guess).
    #[error(
        "{path}: file name is not valid UTF-8; rename it (leakgate can't judge what it can't name)"
    )]
    NonUtf8Name {
        /// The lossy rendering of the path.
        path: String,
    },
    /// Anything else (git, tar, ...), with a message that names the path.
    #[error("{0}")]
    Other(String),
}

/// Result alias for snapshot operations.
pub type Result<T, E = SnapshotError> = std::result::Result<T, E>;

/// A read-only tree of files.
pub trait Snapshot: Send + Sync {
    /// A short description for messages: `working tree`, `HEAD`, `index`, `pkg.tgz`.
    fn describe(&self) -> String;

    /// The direct children of directory `dir`, in no particular order.
    fn read_dir(&self, dir: &str) -> Result<Vec<Entry>>;

    /// The entry at `path` without following a final symlink; `None` if absent.
    fn lstat(&self, path: &str) -> Result<Option<Entry>>;

    /// Opens `path` for streaming reads, following symlinks where the snapshot can.
    fn open(&self, path: &str) -> Result<Box<dyn Read + Send + '_>>;

    /// Reads the whole file at `path` (follows symlinks where the snapshot can).
    fn read(&self, path: &str) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.open(path)?
            .read_to_end(&mut out)
            .map_err(|source| SnapshotError::Io {
                path: path.to_string(),
                source,
            })?;
        Ok(out)
    }

    /// Reads at most `limit` bytes from the start of `path`.
    fn read_prefix(&self, path: &str, limit: u64) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.open(path)?
            .take(limit)
            .read_to_end(&mut out)
            .map_err(|source| SnapshotError::Io {
                path: path.to_string(),
                source,
            })?;
        Ok(out)
    }
}

/// Joins a directory path and a name (`""` is the root).
pub fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}
