//! Snapshots: read-only trees of files. Nothing else in leakgate touches the filesystem
//! or git for file contents.
//!
//! Paths are relative to the snapshot root, `/`-separated, with `""` for the root itself.

pub mod changes;
pub mod git;
pub mod index;
pub mod memo;
pub mod overlay;
pub mod tar_reader;
pub mod tarball;
pub mod worktree;

pub use changes::{Change, ChangeStatus, GitRepo, PushedObject, RemoteHas, StagedView};
pub use git::GitTree;
pub use index::IndexSnapshot;
pub use memo::Memo;
pub use overlay::{Overlay, Replacement};
pub use tarball::{Tarball, TarballOptions};
pub use worktree::Worktree;

use std::io::Read;
use std::sync::Arc;

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

    /// [`read_dir`](Self::read_dir) for callers that need only names and kinds: snapshots on
    /// disk skip the per-entry stat and leave `size` and `mode` at 0 (a walk of 10,000 files
    /// spends most of its time in `statx` otherwise). The default lists fully.
    fn read_dir_kinds(&self, dir: &str) -> Result<Vec<Entry>> {
        self.read_dir(dir)
    }

    /// The entry at `path` without following a final symlink; `None` if absent.
    fn lstat(&self, path: &str) -> Result<Option<Entry>>;

    /// The kind of the entry at `path` (not following a final symlink), `None` if absent:
    /// [`lstat`](Self::lstat) for callers that need no size or mode, which a caching
    /// snapshot can answer from a kinds-only listing of the parent.
    fn kind(&self, path: &str) -> Result<Option<EntryKind>> {
        Ok(self.lstat(path)?.map(|e| e.kind))
    }

    /// [`read_dir`](Self::read_dir) (or [`read_dir_kinds`](Self::read_dir_kinds) when
    /// `names_only`) behind a shared pointer, so a caching snapshot hands out the listing it
    /// keeps instead of a copy of every name.
    fn listing(&self, dir: &str, names_only: bool) -> Result<Arc<Vec<Entry>>> {
        let entries = if names_only {
            self.read_dir_kinds(dir)?
        } else {
            self.read_dir(dir)?
        };
        Ok(Arc::new(entries))
    }

    /// Opens `path` for streaming reads, following symlinks where the snapshot can.
    fn open(&self, path: &str) -> Result<Box<dyn Read + Send + '_>>;

    /// The target of the symlink at `path`, as stored (not resolved).
    ///
    /// The default says the snapshot has no symlinks; snapshots that can hold them override it.
    fn read_link(&self, path: &str) -> Result<String> {
        Err(SnapshotError::Other(format!(
            "{path}: not a symlink in {}",
            self.describe()
        )))
    }

    /// When `path` is cheap to read only in order (a tarball's big entries, read by
    /// decompressing the archive up to them): its place in that order. A caller reading many
    /// files reads the ones with a key one at a time, in key order, and the archive is
    /// decompressed once for all of them instead of once for each. `None` (the default):
    /// any order costs the same.
    fn sequential_key(&self, path: &str) -> Option<u64> {
        let _ = path;
        None
    }

    /// Reads the whole file at `path` (follows symlinks where the snapshot can).
    fn read(&self, path: &str) -> Result<Vec<u8>> {
        read_all(&mut *self.open(path)?, path, 0)
    }

    /// Reads at most `limit` bytes from the start of `path`.
    fn read_prefix(&self, path: &str, limit: u64) -> Result<Vec<u8>> {
        read_all(&mut self.open(path)?.take(limit), path, 0)
    }

    /// The whole file at `path`, which the caller expects to be about `size` bytes (a
    /// hint: the buffer is sized by it, the file's real length wins). Snapshots on disk map
    /// big files instead of copying them ([`Contents::Mapped`]); the rest read them.
    fn contents(&self, path: &str, size: u64) -> Result<Contents> {
        read_all(&mut *self.open(path)?, path, size).map(Contents::Read)
    }
}

/// Everything `reader` (the file at `path`) holds, in a buffer sized for `size_hint` bytes.
pub(crate) fn read_all(reader: &mut dyn Read, path: &str, size_hint: u64) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(usize::try_from(size_hint).unwrap_or(0));
    reader
        .read_to_end(&mut out)
        .map_err(|source| SnapshotError::Io {
            path: path.to_string(),
            source,
        })?;
    Ok(out)
}

/// A whole file's bytes, from [`Snapshot::contents`].
pub enum Contents {
    /// Copied into memory.
    Read(Vec<u8>),
    /// Mapped from disk: a big file costs no copy and no fresh memory (reading a 60 MB map
    /// into a new buffer spends more time zeroing and copying pages than judging it).
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for Contents {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Contents::Read(bytes) => bytes,
            Contents::Mapped(map) => map,
        }
    }
}

/// Implements `Snapshot` for a pointer type by forwarding every method to the pointee.
macro_rules! forward_snapshot {
    ($(#[$doc:meta])* $ptr:ty) => {
        $(#[$doc])*
        impl<T: Snapshot + ?Sized> Snapshot for $ptr {
            fn describe(&self) -> String {
                (**self).describe()
            }
            fn read_dir(&self, dir: &str) -> Result<Vec<Entry>> {
                (**self).read_dir(dir)
            }
            fn read_dir_kinds(&self, dir: &str) -> Result<Vec<Entry>> {
                (**self).read_dir_kinds(dir)
            }
            fn lstat(&self, path: &str) -> Result<Option<Entry>> {
                (**self).lstat(path)
            }
            fn kind(&self, path: &str) -> Result<Option<EntryKind>> {
                (**self).kind(path)
            }
            fn listing(&self, dir: &str, names_only: bool) -> Result<Arc<Vec<Entry>>> {
                (**self).listing(dir, names_only)
            }
            fn open(&self, path: &str) -> Result<Box<dyn Read + Send + '_>> {
                (**self).open(path)
            }
            fn read_link(&self, path: &str) -> Result<String> {
                (**self).read_link(path)
            }
            fn sequential_key(&self, path: &str) -> Option<u64> {
                (**self).sequential_key(path)
            }
            fn read(&self, path: &str) -> Result<Vec<u8>> {
                (**self).read(path)
            }
            fn read_prefix(&self, path: &str, limit: u64) -> Result<Vec<u8>> {
                (**self).read_prefix(path, limit)
            }
            fn contents(&self, path: &str, size: u64) -> Result<Contents> {
                (**self).contents(path, size)
            }
        }
    };
}

forward_snapshot!(
    /// A shared reference to a snapshot is a snapshot (so two overlays can share one base).
    &T
);
forward_snapshot!(
    /// A boxed snapshot is a snapshot (so callers can choose the kind at run time).
    Box<T>
);

/// Joins a directory path and a name (`""` is the root).
pub fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        return name.to_string();
    }
    // By hand: every path of a walk is built here, and `format!` costs ~10x a copy.
    let mut path = String::with_capacity(dir.len() + 1 + name.len());
    path.push_str(dir);
    path.push('/');
    path.push_str(name);
    path
}

/// Normalizes a relative path: drops `.` and empty components and a leading `./`.
/// Returns `None` for anything that could leave the root: `..`, absolute paths, drive
/// prefixes (`C:`) and backslashes (which Windows would treat as separators).
pub fn normalize(path: &str) -> Option<String> {
    if path.starts_with('/') || path.contains('\\') {
        return None;
    }
    let mut parts = Vec::new();
    for (i, part) in path.split('/').enumerate() {
        match part {
            "" | "." => {}
            ".." => return None,
            p if i == 0 && p.len() >= 2 && p.as_bytes()[1] == b':' => return None,
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The parent directory of `path` (`""` for a top-level name).
pub fn parent(path: &str) -> &str {
    path.rfind('/').map(|i| &path[..i]).unwrap_or("")
}

/// The last component of `path`.
pub fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Resolves every symlink in `path` *inside* `snapshot`: the result names a non-symlink
/// entry of the same snapshot. A link that is absolute, climbs above the root, dangles or
/// loops (more than 40 hops, as Linux allows) is an error: snapshots that aren't the disk
/// never follow a link out of themselves (a hostile tarball's `x -> /etc/passwd`).
pub fn resolve_symlinks(snapshot: &dyn Snapshot, path: &str) -> Result<String> {
    use std::collections::VecDeque;
    let mut pending: VecDeque<String> = path.split('/').map(str::to_string).collect();
    let mut resolved: Vec<String> = Vec::new();
    let mut hops = 0;
    while let Some(part) = pending.pop_front() {
        match part.as_str() {
            "" | "." => continue,
            ".." => {
                if resolved.pop().is_none() {
                    return Err(SnapshotError::Other(format!(
                        "{path}: a symlink points outside {}",
                        snapshot.describe()
                    )));
                }
                continue;
            }
            _ => {}
        }
        resolved.push(part);
        let current = resolved.join("/");
        match snapshot.lstat(&current)? {
            Some(entry) if entry.kind == EntryKind::Symlink => {
                hops += 1;
                if hops > 40 {
                    return Err(SnapshotError::Other(format!(
                        "{path}: too many levels of symbolic links in {}",
                        snapshot.describe()
                    )));
                }
                let target = snapshot.read_link(&current)?;
                if target.starts_with('/') {
                    return Err(SnapshotError::Other(format!(
                        "{path}: symlink {current} -> {target} points outside {}",
                        snapshot.describe()
                    )));
                }
                resolved.pop();
                for part in target.split('/').rev() {
                    pending.push_front(part.to_string());
                }
            }
            Some(_) => {}
            None => {
                return Err(SnapshotError::NotFound {
                    path: path.to_string(),
                    snapshot: snapshot.describe(),
                })
            }
        }
    }
    Ok(resolved.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_rejects_escapes() {
        assert_eq!(normalize("./package/a//b/").as_deref(), Some("package/a/b"));
        assert_eq!(normalize("a/./b").as_deref(), Some("a/b"));
        assert_eq!(normalize("../x"), None);
        assert_eq!(normalize("a/../../x"), None);
        assert_eq!(normalize("/etc/passwd"), None);
        assert_eq!(normalize("C:/x"), None);
        assert_eq!(normalize("c:x"), None);
        assert_eq!(normalize("a\\..\\b"), None);
        assert_eq!(normalize("ab:c").as_deref(), Some("ab:c"));
    }

    #[test]
    fn parent_and_base() {
        assert_eq!(parent("a/b/c"), "a/b");
        assert_eq!(parent("a"), "");
        assert_eq!(base_name("a/b/c"), "c");
        assert_eq!(base_name("a"), "a");
    }
}
