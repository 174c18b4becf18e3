//! A snapshot that remembers what it has read, for runs that walk the same directories
//! several times: packing a workspace root walks every member's directory, and then each
//! member is packed on its own; the audit and the pre-push hook pack the same trees again.
//!
//! Directory listings are kept whole and handed out shared ([`Snapshot::listing`]).
//! Kinds-only listings answer `read_dir_kinds`, [`Snapshot::kind`] and that a name is absent;
//! full ones `lstat` too. A `kind` asked of a path whose parent was never listed is kept as
//! well (discovery asks it of each member's package.json several times). Manifests and
//! ignore files (small, read by every walk that passes them) are kept after the first read,
//! nothing else, so memory stays bounded by the tree's shape.
//! Errors are not kept: the next call asks the inner snapshot again, and gets the same error.
//! Only for the length of one run: the cache never notices a file that changes under it.

use super::{Contents, Entry, EntryKind, Result, Snapshot};
use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex};

/// Manifests and ignore files up to this size are kept after the first `read`.
pub const MAX_KEPT_FILE: usize = 64 * 1024;

/// The files every pack walk reads again: kept; any other file is read through.
fn worth_keeping(path: &str) -> bool {
    matches!(
        path.rsplit('/').next(),
        Some("package.json" | ".npmignore" | ".gitignore")
    )
}

/// A caching view of another snapshot.
pub struct Memo<S> {
    inner: S,
    dirs: Mutex<HashMap<String, Arc<Vec<Entry>>>>,
    /// Listings without sizes and modes ([`Snapshot::read_dir_kinds`]); never used for `lstat`.
    kinds: Mutex<HashMap<String, Arc<Vec<Entry>>>>,
    files: Mutex<HashMap<String, Arc<Vec<u8>>>>,
    /// What [`Snapshot::kind`] learnt from the inner snapshot for paths whose parent was not
    /// listed (workspace discovery asks for each member's package.json several times).
    kinds_of: Mutex<HashMap<String, Option<EntryKind>>>,
}

impl<S: Snapshot> Memo<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        Memo {
            inner,
            dirs: Mutex::new(HashMap::new()),
            kinds: Mutex::new(HashMap::new()),
            files: Mutex::new(HashMap::new()),
            kinds_of: Mutex::new(HashMap::new()),
        }
    }

    fn full_listing(&self, dir: &str) -> Option<Arc<Vec<Entry>>> {
        lock(&self.dirs).get(dir).cloned()
    }

    /// A kept listing of `dir`, full or kinds-only.
    fn any_listing(&self, dir: &str) -> Option<Arc<Vec<Entry>>> {
        self.full_listing(dir)
            .or_else(|| lock(&self.kinds).get(dir).cloned())
    }

    fn shared_kinds(&self, dir: &str) -> Result<Arc<Vec<Entry>>> {
        match self.any_listing(dir) {
            Some(entries) => Ok(entries),
            None => Ok(keep(&self.kinds, dir, self.inner.read_dir_kinds(dir)?)),
        }
    }

    fn shared_full(&self, dir: &str) -> Result<Arc<Vec<Entry>>> {
        match self.full_listing(dir) {
            Some(entries) => Ok(entries),
            None => Ok(keep(&self.dirs, dir, self.inner.read_dir(dir)?)),
        }
    }
}

/// `path` split into its parent directory and a name a listing can answer for.
fn parent_and_name(path: &str) -> Option<(&str, &str)> {
    let (parent, name) = match path.rsplit_once('/') {
        Some((p, n)) => (p, n),
        None => ("", path),
    };
    (!name.is_empty() && name != "." && name != "..").then_some((parent, name))
}

/// Keeps the listing of `dir` in `map` and hands it out.
fn keep(
    map: &Mutex<HashMap<String, Arc<Vec<Entry>>>>,
    dir: &str,
    entries: Vec<Entry>,
) -> Arc<Vec<Entry>> {
    let entries = Arc::new(entries);
    lock(map).insert(dir.to_string(), entries.clone());
    entries
}

/// A poisoned lock only means another thread panicked mid-insert of a complete value.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl<S: Snapshot> Snapshot for Memo<S> {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn read_dir(&self, dir: &str) -> Result<Vec<Entry>> {
        Ok(self.shared_full(dir)?.as_ref().clone())
    }

    fn read_dir_kinds(&self, dir: &str) -> Result<Vec<Entry>> {
        Ok(self.shared_kinds(dir)?.as_ref().clone())
    }

    fn listing(&self, dir: &str, names_only: bool) -> Result<Arc<Vec<Entry>>> {
        if names_only {
            self.shared_kinds(dir)
        } else {
            self.shared_full(dir)
        }
    }

    fn kind(&self, path: &str) -> Result<Option<EntryKind>> {
        if let Some((parent, name)) = parent_and_name(path) {
            if let Some(entries) = self.any_listing(parent) {
                return Ok(entries.iter().find(|e| e.name == name).map(|e| e.kind));
            }
        }
        if let Some(kind) = lock(&self.kinds_of).get(path) {
            return Ok(*kind);
        }
        let kind = self.inner.kind(path)?;
        lock(&self.kinds_of).insert(path.to_string(), kind);
        Ok(kind)
    }

    fn lstat(&self, path: &str) -> Result<Option<Entry>> {
        if let Some((parent, name)) = parent_and_name(path) {
            if let Some(entries) = self.full_listing(parent) {
                return Ok(entries.iter().find(|e| e.name == name).cloned());
            }
            // A kinds-only listing can't give a size, but it can say a name is absent (the
            // ignore files a workspace member looks for in every ancestor mostly are).
            let absent = lock(&self.kinds)
                .get(parent)
                .is_some_and(|entries| !entries.iter().any(|e| e.name == name));
            if absent {
                return Ok(None);
            }
        }
        self.inner.lstat(path)
    }

    fn open(&self, path: &str) -> Result<Box<dyn Read + Send + '_>> {
        if let Some(bytes) = lock(&self.files).get(path).cloned() {
            return Ok(Box::new(std::io::Cursor::new(ArcBytes(bytes))));
        }
        self.inner.open(path)
    }

    fn read_link(&self, path: &str) -> Result<String> {
        self.inner.read_link(path)
    }

    fn read(&self, path: &str) -> Result<Vec<u8>> {
        if let Some(bytes) = lock(&self.files).get(path) {
            return Ok(bytes.as_ref().clone());
        }
        let bytes = self.inner.read(path)?;
        if bytes.len() <= MAX_KEPT_FILE && worth_keeping(path) {
            lock(&self.files).insert(path.to_string(), Arc::new(bytes.clone()));
        }
        Ok(bytes)
    }

    fn read_prefix(&self, path: &str, limit: u64) -> Result<Vec<u8>> {
        if let Some(bytes) = lock(&self.files).get(path) {
            let end = bytes
                .len()
                .min(usize::try_from(limit).unwrap_or(usize::MAX));
            return Ok(bytes[..end].to_vec());
        }
        self.inner.read_prefix(path, limit)
    }

    fn contents(&self, path: &str, size: u64) -> Result<Contents> {
        if let Some(bytes) = lock(&self.files).get(path) {
            return Ok(Contents::Read(bytes.as_ref().clone()));
        }
        self.inner.contents(path, size)
    }
}

/// Shared bytes readable through a `Cursor`.
struct ArcBytes(Arc<Vec<u8>>);

impl AsRef<[u8]> for ArcBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::worktree::Worktree;

    #[test]
    fn kinds_come_from_names_only_listings_and_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::write(dir.path().join("a/b/package.json"), "{}").unwrap();
        let memo = Memo::new(Worktree::new(dir.path()));
        let listed = memo.listing("a", true).unwrap();
        assert_eq!(listed.len(), 1);
        // Shared, not copied: the same listing again.
        assert!(Arc::ptr_eq(&listed, &memo.listing("a", true).unwrap()));
        // Asked of a path whose parent was never listed: from disk once, then kept.
        assert_eq!(
            memo.kind("a/b/package.json").unwrap(),
            Some(EntryKind::File)
        );
        std::fs::remove_dir_all(dir.path().join("a")).unwrap();
        assert_eq!(memo.kind("a/b").unwrap(), Some(EntryKind::Dir));
        assert_eq!(memo.kind("a/x").unwrap(), None);
        assert_eq!(
            memo.kind("a/b/package.json").unwrap(),
            Some(EntryKind::File)
        );
        // A names-only listing has no sizes: lstat goes to the disk, which has lost it.
        assert!(memo.lstat("a/b").unwrap().is_none());
    }

    #[test]
    fn answers_from_memory_after_the_first_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("lib")).unwrap();
        std::fs::write(dir.path().join("lib/a.js"), "a").unwrap();
        std::fs::write(dir.path().join("package.json"), "{}").unwrap();
        let memo = Memo::new(Worktree::new(dir.path()));
        let mut names: Vec<String> = memo
            .read_dir("")
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        names.sort();
        assert_eq!(names, ["lib", "package.json"]);
        assert_eq!(memo.read("package.json").unwrap(), b"{}");

        // Changed underneath: the memo keeps what it saw (one run = one view).
        std::fs::remove_dir_all(dir.path().join("lib")).unwrap();
        std::fs::write(dir.path().join("package.json"), "{\"x\":1}").unwrap();
        assert_eq!(memo.read_dir("").unwrap().len(), 2);
        assert_eq!(memo.lstat("lib").unwrap().unwrap().kind, EntryKind::Dir);
        assert_eq!(memo.read("package.json").unwrap(), b"{}");
        let mut text = String::new();
        memo.open("package.json")
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "{}");
        assert_eq!(memo.read_prefix("package.json", 1).unwrap(), b"{");
        // Not listed yet: asks the disk, which says it's gone; errors are not kept.
        assert!(memo.lstat("lib/a.js").unwrap().is_none());
        assert!(memo.read("lib/a.js").is_err());
        // Only manifests and ignore files are kept.
        std::fs::write(dir.path().join("x.js"), "1").unwrap();
        assert_eq!(memo.read("x.js").unwrap(), b"1");
        std::fs::write(dir.path().join("x.js"), "2").unwrap();
        assert_eq!(memo.read("x.js").unwrap(), b"2");
        assert!(memo.lstat("missing").unwrap().is_none());
    }
}
