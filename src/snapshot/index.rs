//! The index (the staged tree) as a snapshot: what `git commit` would commit right now.
//!
//! - Entries are the index's stage-0 entries; their bytes are the staged blobs, never the
//!   working copies (after `git add -p` the snapshot shows what was staged).
//! - Sizes come from the object database header of each blob (the index's own size field
//!   is the working file's size at staging time, which clean filters and CRLF conversion
//!   make differ from the blob).
//! - Directories are synthesized from paths. `lstat` and `open` use the index's binary
//!   search by path; the directory map is built only on the first `read_dir`.
//! - Intent-to-add entries (`git add -N`) are left out: git commits nothing for them.
//! - Conflicted paths (stages 1-3, no stage 0) show "our" version (stage 2) when there is
//!   one, and are absent otherwise (deleted on our side); [`IndexSnapshot::conflicts`]
//!   lists them, since a commit can't be made until they are resolved.
//! - A hook's `GIT_INDEX_FILE` (set by `git commit <paths>` and `git commit -a`, which
//!   stage into a temporary index) is honoured by [`IndexSnapshot::open`].
//! - Symlinks are reported as such; `open` resolves them inside the index (see
//!   [`super::resolve_symlinks`]).
//!
//! The index is parsed when the snapshot is built (libgit2 reads the whole file); for the
//! pre-commit hook's few paths [`super::changes::StagedView`] avoids even that.

use super::git::{entry_for, git_err, RepoPool};
use super::{Entry, EntryKind, Result, Snapshot, SnapshotError};
use git2::{Index, IndexEntry, Oid};
use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// `GIT_INDEX_ENTRY_INTENT_TO_ADD` in an entry's extended flags.
const INTENT_TO_ADD: u16 = 1 << 13;

/// A child in the synthesized directory map: a subdirectory or an entry's (mode, oid).
#[derive(Clone, Copy)]
enum Child {
    Dir,
    Leaf(u32, Oid),
}

/// A `git2::Index` that may move between threads.
struct SendIndex(Index);

// SAFETY: libgit2 objects may be used from any thread as long as only one thread uses them at
// a time (libgit2's threading rules); every access goes through the `Mutex` in
// `IndexSnapshot`. The index is opened standalone (`Index::open`), so it shares no
// repository handle with anything else.
unsafe impl Send for SendIndex {}

/// The staged tree of a repository.
pub struct IndexSnapshot {
    pool: RepoPool,
    index: Mutex<SendIndex>,
    index_path: PathBuf,
    dirs: OnceLock<HashMap<String, Vec<(String, Child)>>>,
}

impl IndexSnapshot {
    /// The index of the repository containing `repo_dir` (or `$GIT_INDEX_FILE` when set,
    /// relative paths taken from the work tree root as git does in hooks).
    pub fn open(repo_dir: impl AsRef<Path>) -> Result<Self> {
        let pool = RepoPool::discover(repo_dir.as_ref())?;
        let path = match std::env::var_os("GIT_INDEX_FILE") {
            Some(file) if !file.is_empty() => {
                let file = PathBuf::from(file);
                if file.is_absolute() {
                    file
                } else {
                    let base = pool.with(|repo| {
                        Ok(repo
                            .workdir()
                            .map(Path::to_path_buf)
                            .unwrap_or_else(|| repo.path().to_path_buf()))
                    })?;
                    base.join(file)
                }
            }
            _ => pool.git_dir().join("index"),
        };
        Self::open_file_in(pool, path)
    }

    /// The index file `index_path` read against the objects of the repository containing
    /// `repo_dir`.
    pub fn open_file(repo_dir: impl AsRef<Path>, index_path: impl Into<PathBuf>) -> Result<Self> {
        let pool = RepoPool::discover(repo_dir.as_ref())?;
        Self::open_file_in(pool, index_path.into())
    }

    fn open_file_in(pool: RepoPool, index_path: PathBuf) -> Result<Self> {
        let shown = index_path.display().to_string();
        // A repository before its first `git add` has no index file: an empty index.
        let index = if index_path.exists() {
            Index::open(&index_path).map_err(|e| git_err(&shown, e))?
        } else {
            Index::new().map_err(|e| git_err(&shown, e))?
        };
        Ok(IndexSnapshot {
            pool,
            index: Mutex::new(SendIndex(index)),
            index_path,
            dirs: OnceLock::new(),
        })
    }

    /// Paths with unresolved merge conflicts.
    pub fn conflicts(&self) -> Vec<String> {
        let guard = self.lock();
        let index = &guard.0;
        let mut out: Vec<String> = index
            .iter()
            .filter(|e| stage(e) != 0)
            .map(|e| String::from_utf8_lossy(&e.path).into_owned())
            .collect();
        out.dedup();
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SendIndex> {
        self.index.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The entry for file path `path` (stage 0, or "ours" for a conflict), skipping
    /// intent-to-add entries: (filemode, oid).
    fn leaf(&self, path: &str) -> Option<(u32, Oid)> {
        if path.is_empty() {
            return None;
        }
        let guard = self.lock();
        let index = &guard.0;
        let entry = index
            .get_path(Path::new(path), 0)
            .or_else(|| index.get_path(Path::new(path), 2))?;
        if entry.flags_extended & INTENT_TO_ADD != 0 {
            return None;
        }
        Some((entry.mode, entry.id))
    }

    /// True when some (visible) entry lives below directory `dir`.
    fn is_dir(&self, dir: &str) -> bool {
        if dir.is_empty() {
            return true;
        }
        let prefix = format!("{dir}/");
        let guard = self.lock();
        let index = &guard.0;
        let Ok(mut i) = index.find_prefix(prefix.as_str()) else {
            return false;
        };
        // Skip entries that don't count (intent-to-add, conflict stages other than ours).
        while let Some(entry) = index.get(i) {
            if !entry.path.starts_with(prefix.as_bytes()) {
                return false;
            }
            if visible(&entry) {
                return true;
            }
            i += 1;
        }
        false
    }

    fn dirs(&self) -> Result<&HashMap<String, Vec<(String, Child)>>> {
        if let Some(dirs) = self.dirs.get() {
            return Ok(dirs);
        }
        let mut dirs: HashMap<String, Vec<(String, Child)>> = HashMap::new();
        dirs.insert(String::new(), Vec::new());
        {
            let guard = self.lock();
            let index = &guard.0;
            for entry in index.iter() {
                if !visible(&entry) {
                    continue;
                }
                let path = String::from_utf8(entry.path.clone()).map_err(|_| {
                    SnapshotError::NonUtf8Name {
                        path: String::from_utf8_lossy(&entry.path).into_owned(),
                    }
                })?;
                // Register each missing ancestor directory once, deepest first.
                let mut child = path.as_str();
                let mut leaf = Some(Child::Leaf(entry.mode, entry.id));
                loop {
                    let parent = super::parent(child);
                    let name = super::base_name(child).to_string();
                    let known = dirs.contains_key(parent);
                    let slot = dirs.entry(parent.to_string()).or_default();
                    slot.push((name, leaf.take().unwrap_or(Child::Dir)));
                    if known || parent.is_empty() {
                        break;
                    }
                    child = parent;
                }
            }
        }
        Ok(self.dirs.get_or_init(|| dirs))
    }

    fn not_found(&self, path: &str) -> SnapshotError {
        SnapshotError::NotFound {
            path: path.to_string(),
            snapshot: self.describe(),
        }
    }
}

fn stage(entry: &IndexEntry) -> u16 {
    (entry.flags >> 12) & 3
}

/// Stage 0 or "ours", and not intent-to-add.
fn visible(entry: &IndexEntry) -> bool {
    matches!(stage(entry), 0 | 2) && entry.flags_extended & INTENT_TO_ADD == 0
}

impl Snapshot for IndexSnapshot {
    fn describe(&self) -> String {
        format!("index {}", self.index_path.display())
    }

    fn read_dir(&self, dir: &str) -> Result<Vec<Entry>> {
        let children = self.dirs()?.get(dir).ok_or_else(|| self.not_found(dir))?;
        self.pool.with(|repo| {
            children
                .iter()
                .map(|(name, child)| match child {
                    Child::Dir => Ok(Entry {
                        name: name.clone(),
                        kind: EntryKind::Dir,
                        size: 0,
                        mode: 0o755,
                    }),
                    Child::Leaf(mode, oid) => {
                        entry_for(repo, name, *mode, *oid, &super::join(dir, name))
                    }
                })
                .collect()
        })
    }

    fn lstat(&self, path: &str) -> Result<Option<Entry>> {
        if let Some((mode, oid)) = self.leaf(path) {
            return self
                .pool
                .with(|repo| entry_for(repo, super::base_name(path), mode, oid, path))
                .map(Some);
        }
        if self.is_dir(path) {
            return Ok(Some(Entry {
                name: super::base_name(path).to_string(),
                kind: EntryKind::Dir,
                size: 0,
                mode: 0o755,
            }));
        }
        Ok(None)
    }

    fn read_link(&self, path: &str) -> Result<String> {
        match self.leaf(path) {
            Some((mode, oid)) if mode & 0o170000 == 0o120000 => {
                let bytes = self
                    .pool
                    .with(|repo| RepoPool::blob_bytes(repo, oid, path))?;
                String::from_utf8(bytes).map_err(|_| SnapshotError::NonUtf8Name {
                    path: format!("{path} -> (target)"),
                })
            }
            Some(_) => Err(SnapshotError::Other(format!(
                "{path}: not a symlink in {}",
                self.describe()
            ))),
            None => Err(self.not_found(path)),
        }
    }

    fn open(&self, path: &str) -> Result<Box<dyn Read + Send + '_>> {
        let real = match self.leaf(path) {
            Some((mode, oid)) if mode & 0o170000 == 0o100000 => {
                let bytes = self
                    .pool
                    .with(|repo| RepoPool::blob_bytes(repo, oid, path))?;
                return Ok(Box::new(Cursor::new(bytes)));
            }
            Some((mode, _)) if mode & 0o170000 == 0o160000 => {
                return Err(SnapshotError::Other(format!(
                    "{path}: is a submodule in {}",
                    self.describe()
                )))
            }
            _ if self.is_dir(path) => {
                return Err(SnapshotError::Other(format!(
                    "{path}: is a directory in {}",
                    self.describe()
                )))
            }
            _ => super::resolve_symlinks(self, path)?,
        };
        match self.leaf(&real) {
            Some((mode, oid)) if mode & 0o170000 == 0o100000 => {
                let bytes = self
                    .pool
                    .with(|repo| RepoPool::blob_bytes(repo, oid, path))?;
                Ok(Box::new(Cursor::new(bytes)))
            }
            _ => Err(SnapshotError::Other(format!(
                "{path}: not a regular file in {}",
                self.describe()
            ))),
        }
    }
}
