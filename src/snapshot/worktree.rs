//! The working tree (or any directory on disk) as a snapshot.

use super::{Entry, EntryKind, Result, Snapshot, SnapshotError};
use rayon::prelude::*;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A directory on disk.
#[derive(Clone, Debug)]
pub struct Worktree {
    root: PathBuf,
}

/// Directories with at least this many entries are stat'ed on several threads.
const PARALLEL_STAT_MIN: usize = 256;

impl Worktree {
    /// A snapshot rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Worktree { root: root.into() }
    }

    /// The directory this snapshot reads.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn full(&self, path: &str) -> PathBuf {
        if path.is_empty() {
            self.root.clone()
        } else {
            self.root.join(path)
        }
    }
}

fn io_err(path: &str, source: std::io::Error) -> SnapshotError {
    SnapshotError::Io {
        path: path.to_string(),
        source,
    }
}

fn entry_from_metadata(name: String, meta: &fs::Metadata) -> Entry {
    use std::os::unix::fs::PermissionsExt;
    let ft = meta.file_type();
    let kind = if ft.is_symlink() {
        EntryKind::Symlink
    } else if ft.is_file() {
        EntryKind::File
    } else if ft.is_dir() {
        EntryKind::Dir
    } else {
        EntryKind::Other
    };
    Entry {
        name,
        kind,
        size: if kind == EntryKind::File {
            meta.len()
        } else {
            0
        },
        mode: meta.permissions().mode() & 0o7777,
    }
}

impl Snapshot for Worktree {
    fn describe(&self) -> String {
        format!("working tree {}", self.root.display())
    }

    fn read_dir(&self, dir: &str) -> Result<Vec<Entry>> {
        let rd = fs::read_dir(self.full(dir)).map_err(|e| io_err(dir, e))?;
        let mut items = Vec::new();
        for item in rd {
            let item = item.map_err(|e| io_err(dir, e))?;
            let name =
                item.file_name()
                    .into_string()
                    .map_err(|raw| SnapshotError::NonUtf8Name {
                        path: super::join(dir, &raw.to_string_lossy()),
                    })?;
            items.push((name, item));
        }
        let stat = |(name, item): (String, fs::DirEntry)| {
            let meta = item
                .metadata()
                .map_err(|e| io_err(&super::join(dir, &name), e))?;
            Ok(entry_from_metadata(name, &meta))
        };
        // One stat per entry is most of a walk's cost (sizes and modes are part of the
        // answer); a big directory (2,000 chunks in dist/) spreads them over the cores.
        if items.len() >= PARALLEL_STAT_MIN {
            items.into_par_iter().map(stat).collect()
        } else {
            items.into_iter().map(stat).collect()
        }
    }

    fn lstat(&self, path: &str) -> Result<Option<Entry>> {
        match fs::symlink_metadata(self.full(path)) {
            Ok(meta) => {
                let name = path.rsplit('/').next().unwrap_or(path).to_string();
                Ok(Some(entry_from_metadata(name, &meta)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) if e.raw_os_error() == Some(20) => Ok(None), // ENOTDIR: a parent is a file
            Err(e) => Err(io_err(path, e)),
        }
    }

    fn read_link(&self, path: &str) -> Result<String> {
        let target = fs::read_link(self.full(path)).map_err(|e| io_err(path, e))?;
        target
            .into_os_string()
            .into_string()
            .map_err(|raw| SnapshotError::NonUtf8Name {
                path: format!("{path} -> {}", raw.to_string_lossy()),
            })
    }

    fn open(&self, path: &str) -> Result<Box<dyn Read + Send + '_>> {
        let file = fs::File::open(self.full(path)).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                SnapshotError::NotFound {
                    path: path.to_string(),
                    snapshot: self.describe(),
                }
            } else {
                io_err(path, e)
            }
        })?;
        Ok(Box::new(file))
    }
}
