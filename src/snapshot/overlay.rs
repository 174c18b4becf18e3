//! A base snapshot (usually the working tree) with some paths replaced by other bytes or
//! marked absent. The pre-commit review packs "working tree + HEAD's package.json and
//! ignore files" and "working tree + the staged ones" and compares the two lists.
//!
//! Rules, in order, for a path `p`:
//! 1. `p` is hidden when one of its ancestors is replaced by a file/symlink or marked absent
//!    (a directory marked absent takes its whole subtree with it).
//! 2. A replacement at `p` itself wins over the base.
//! 3. A directory that holds a (non-hidden) replacement exists, even when the base lacks it
//!    or has a file there.
//! 4. Otherwise the base answers.

use super::{Contents, Entry, EntryKind, Result, Snapshot, SnapshotError};
use std::collections::{BTreeMap, HashMap};
use std::io::Read;

/// What a path becomes in an [`Overlay`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Replacement {
    /// A regular file with these bytes and Unix mode bits (`0o644`, `0o755`).
    File {
        /// The contents.
        bytes: Vec<u8>,
        /// Unix mode bits.
        mode: u32,
    },
    /// A symlink with this target text (resolved inside the overlay when opened).
    Symlink {
        /// The target as stored.
        target: String,
    },
    /// The path (and, for a directory, everything below it) does not exist.
    Absent,
}

/// A base snapshot with some paths replaced or removed.
pub struct Overlay<B: Snapshot> {
    base: B,
    changes: BTreeMap<String, Replacement>,
    label: Option<String>,
}

impl<B: Snapshot> Overlay<B> {
    /// An overlay that changes nothing yet.
    pub fn new(base: B) -> Self {
        Overlay {
            base,
            changes: BTreeMap::new(),
            label: None,
        }
    }

    /// The snapshot underneath.
    pub fn base(&self) -> &B {
        &self.base
    }

    /// Sets what `path` becomes (replacing any earlier replacement of the same path).
    pub fn set(&mut self, path: &str, replacement: Replacement) -> &mut Self {
        self.changes
            .insert(path.trim_matches('/').to_string(), replacement);
        self
    }

    /// Replaces (or adds) a regular file.
    pub fn with_file(mut self, path: &str, bytes: impl Into<Vec<u8>>, mode: u32) -> Self {
        self.set(
            path,
            Replacement::File {
                bytes: bytes.into(),
                mode,
            },
        );
        self
    }

    /// Replaces (or adds) a symlink.
    pub fn with_symlink(mut self, path: &str, target: &str) -> Self {
        self.set(
            path,
            Replacement::Symlink {
                target: target.to_string(),
            },
        );
        self
    }

    /// Marks `path` (a file, or a directory with everything below it) absent.
    pub fn without(mut self, path: &str) -> Self {
        self.set(path, Replacement::Absent);
        self
    }

    /// Names the overlay in messages (`working tree + staged package.json`).
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// The replacements, by path.
    pub fn changes(&self) -> &BTreeMap<String, Replacement> {
        &self.changes
    }

    /// True when an ancestor of `path` is replaced by a non-directory or marked absent.
    fn hidden(&self, path: &str) -> bool {
        let mut end = 0;
        while let Some(i) = path[end..].find('/') {
            let ancestor = &path[..end + i];
            if self.changes.contains_key(ancestor) {
                return true;
            }
            end += i + 1;
        }
        false
    }

    /// The non-hidden replacements strictly below directory `dir`.
    fn below<'a>(&'a self, dir: &str) -> impl Iterator<Item = (&'a str, &'a Replacement)> + 'a {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        self.changes
            .range(prefix.clone()..)
            .take_while(move |(k, _)| k.starts_with(&prefix))
            .filter(|(k, _)| !k.is_empty())
            .map(|(k, v)| (k.as_str(), v))
            .filter(move |(k, v)| **v != Replacement::Absent && !self.hidden(k))
    }

    /// True when a replacement below `dir` makes it a directory.
    fn implied_dir(&self, dir: &str) -> bool {
        self.below(dir).next().is_some()
    }

    fn not_found(&self, path: &str) -> SnapshotError {
        SnapshotError::NotFound {
            path: path.to_string(),
            snapshot: self.describe(),
        }
    }
}

fn replacement_entry(name: &str, replacement: &Replacement) -> Option<Entry> {
    match replacement {
        Replacement::File { bytes, mode } => Some(Entry {
            name: name.to_string(),
            kind: EntryKind::File,
            size: bytes.len() as u64,
            mode: *mode,
        }),
        Replacement::Symlink { .. } => Some(Entry {
            name: name.to_string(),
            kind: EntryKind::Symlink,
            size: 0,
            mode: 0o777,
        }),
        Replacement::Absent => None,
    }
}

fn dir_entry(name: &str) -> Entry {
    Entry {
        name: name.to_string(),
        kind: EntryKind::Dir,
        size: 0,
        mode: 0o755,
    }
}

impl<B: Snapshot> Snapshot for Overlay<B> {
    fn describe(&self) -> String {
        match &self.label {
            Some(label) => label.clone(),
            None => format!(
                "{} (with {} paths replaced)",
                self.base.describe(),
                self.changes.len()
            ),
        }
    }

    fn read_dir(&self, dir: &str) -> Result<Vec<Entry>> {
        if self.hidden(dir) {
            return Err(self.not_found(dir));
        }
        let implied = self.implied_dir(dir);
        let mut entries: HashMap<String, Entry> = HashMap::new();
        match self.changes.get(dir) {
            // Replaced by a file or a symlink, or removed: not a directory any more.
            Some(_) if !dir.is_empty() => return Err(self.not_found(dir)),
            _ => match self.base.read_dir(dir) {
                Ok(base) => {
                    for entry in base {
                        entries.insert(entry.name.clone(), entry);
                    }
                }
                // A directory only the overlay creates.
                Err(_) if implied => {}
                Err(e) => return Err(e),
            },
        }
        let prefix_len = if dir.is_empty() { 0 } else { dir.len() + 1 };
        // Direct replacements (including removals) of children.
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        for (path, replacement) in self
            .changes
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
        {
            let rest = &path[prefix_len..];
            if rest.is_empty() || rest.contains('/') {
                continue;
            }
            match replacement_entry(rest, replacement) {
                Some(entry) => {
                    entries.insert(rest.to_string(), entry);
                }
                None => {
                    entries.remove(rest);
                }
            }
        }
        // Directories created (or turned into directories) by deeper replacements.
        for (path, _) in self.below(dir) {
            let rest = &path[prefix_len..];
            if let Some(slash) = rest.find('/') {
                let name = &rest[..slash];
                let is_dir = entries.get(name).is_some_and(|e| e.kind == EntryKind::Dir);
                if !is_dir {
                    entries.insert(name.to_string(), dir_entry(name));
                }
            }
        }
        Ok(entries.into_values().collect())
    }

    fn lstat(&self, path: &str) -> Result<Option<Entry>> {
        if path.is_empty() {
            return self.base.lstat(path);
        }
        if self.hidden(path) {
            return Ok(None);
        }
        match self.changes.get(path) {
            Some(replacement) => Ok(replacement_entry(super::base_name(path), replacement)),
            None if self.implied_dir(path) => match self.base.lstat(path)? {
                Some(entry) if entry.kind == EntryKind::Dir => Ok(Some(entry)),
                _ => Ok(Some(dir_entry(super::base_name(path)))),
            },
            None => self.base.lstat(path),
        }
    }

    fn read_link(&self, path: &str) -> Result<String> {
        if self.hidden(path) {
            return Err(self.not_found(path));
        }
        match self.changes.get(path) {
            Some(Replacement::Symlink { target }) => Ok(target.clone()),
            Some(Replacement::Absent) => Err(self.not_found(path)),
            Some(Replacement::File { .. }) => Err(SnapshotError::Other(format!(
                "{path}: not a symlink in {}",
                self.describe()
            ))),
            None => self.base.read_link(path),
        }
    }

    fn open(&self, path: &str) -> Result<Box<dyn Read + Send + '_>> {
        if self.hidden(path) {
            // An ancestor may be a replaced symlink to a directory: resolve inside.
            let real = super::resolve_symlinks(self, path)?;
            if real != path {
                return self.open(&real);
            }
            return Err(self.not_found(path));
        }
        match self.changes.get(path) {
            Some(Replacement::File { bytes, .. }) => Ok(Box::new(bytes.as_slice())),
            Some(Replacement::Symlink { .. }) => {
                let real = super::resolve_symlinks(self, path)?;
                self.open(&real)
            }
            Some(Replacement::Absent) => Err(self.not_found(path)),
            None if self.implied_dir(path) => Err(SnapshotError::Other(format!(
                "{path}: is a directory in {}",
                self.describe()
            ))),
            None => self.base.open(path),
        }
    }

    fn contents(&self, path: &str, size: u64) -> Result<Contents> {
        let replaced =
            self.hidden(path) || self.changes.contains_key(path) || self.implied_dir(path);
        if replaced {
            return super::read_all(&mut *self.open(path)?, path, size).map(Contents::Read);
        }
        self.base.contents(path, size)
    }
}
