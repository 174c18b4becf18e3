//! The record of what `leakgate install` did, so `uninstall` can undo exactly that.
//!
//! Kept at `<git common dir>/leakgate/install.toml`: per clone (shared by its linked
//! worktrees), never committed, never in a hooks dir somebody else manages. Written
//! deterministically and only when it changes, so a second install changes no byte.

use super::{io_err, Hook, HookError, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What kind of change an entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A shim file written into a hooks directory.
    Shim,
    /// A marked block in a husky hook script (`.husky/<hook>`).
    HuskyBlock,
    /// A marked block in a lefthook config file.
    LefthookBlock,
    /// The publish guard in a package.json (`hook` is `postpack`).
    PublishGuard,
}

/// One change install made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Entry {
    /// The hook (`pre-commit`, `pre-push`).
    pub hook: String,
    /// What was changed.
    pub kind: Kind,
    /// The file written or edited (absolute).
    pub path: PathBuf,
    /// SHA-256 of the bytes leakgate wrote (the shim, or the block), to tell an edit apart.
    pub sha256: String,
    /// Where the hook that was there before now lives (shims only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chained: Option<PathBuf>,
    /// The file did not exist before install (uninstall deletes it if nothing else is left).
    #[serde(default, skip_serializing_if = "is_false")]
    pub created: bool,
    /// Install created the directory holding `path` (uninstall removes it if empty).
    #[serde(default, skip_serializing_if = "is_false")]
    pub created_dir: bool,
    /// Install added a final newline to the file before its block.
    #[serde(default, skip_serializing_if = "is_false")]
    pub newline_added: bool,
    /// Install wrote this header (shebang, husky.sh line) when it created the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// How the publish guard was added to package.json, so uninstall reverses exactly that.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish_guard: Option<super::publish_guard::Added>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The whole state file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// Format version.
    #[serde(default)]
    pub version: u32,
    /// One entry per change, sorted by (path, hook).
    #[serde(default, rename = "entry")]
    pub entries: Vec<Entry>,
}

const HEADER: &str = "# Written by `leakgate install`; read by `leakgate uninstall` and \
`leakgate doctor`.\n# It records what install changed so uninstall can undo exactly that. \
Do not edit.\n";

impl State {
    /// The state file of a repository.
    pub fn path(common_dir: &Path) -> PathBuf {
        common_dir.join("leakgate").join("install.toml")
    }

    /// Reads the state (empty when there is none).
    pub fn load(common_dir: &Path) -> Result<State> {
        let path = State::path(common_dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::default()),
            Err(e) => return Err(io_err(&path)(e)),
        };
        toml::from_str(&text).map_err(|e| HookError::State {
            path: path.clone(),
            message: e.message().to_string(),
        })
    }

    /// The entry for `hook` at `path`, if any.
    pub fn find(&self, path: &Path, hook: Hook) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.path == path && e.hook == hook.name())
    }

    /// Replaces (or adds) the entry for its path and hook.
    pub fn put(&mut self, entry: Entry) {
        self.entries
            .retain(|e| !(e.path == entry.path && e.hook == entry.hook));
        self.entries.push(entry);
    }

    /// Removes the entry for `hook` at `path`.
    pub fn remove(&mut self, path: &Path, hook: Hook) {
        self.entries
            .retain(|e| !(e.path == path && e.hook == hook.name()));
    }

    /// Writes the state if its bytes changed; deletes the file (and its dir) when empty.
    pub fn save(&mut self, common_dir: &Path) -> Result<()> {
        let path = State::path(common_dir);
        if self.entries.is_empty() {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_err(&path)(e)),
            }
            if let Some(dir) = path.parent() {
                // Only if empty: somebody may keep other files there.
                let _ = std::fs::remove_dir(dir);
            }
            return Ok(());
        }
        self.version = 1;
        self.entries
            .sort_by(|a, b| (&a.path, &a.hook).cmp(&(&b.path, &b.hook)));
        let body = toml::to_string(self).map_err(|e| HookError::State {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let text = format!("{HEADER}{body}");
        if std::fs::read(&path).ok().as_deref() == Some(text.as_bytes()) {
            return Ok(());
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        }
        std::fs::write(&path, text).map_err(io_err(&path))
    }
}
