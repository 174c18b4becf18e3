//! Which files `npm pack` (npm 11.19, npm-packlist 10.0.4) would ship from a package
//! directory of a snapshot. Pure: knows nothing of git or of checks.
//!
//! The spec is `research/npm-packlist-spec.md` in the shared folder.

pub mod pattern;

use crate::snapshot::Snapshot;

/// One file the tarball would contain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackedFile {
    /// The path inside the tarball, minus `package/` (after node-tar's name rewriting).
    pub path: String,
    /// The path of the file in the snapshot (relative to the snapshot root).
    pub source: String,
    /// Size in bytes.
    pub size: u64,
    /// Unix mode bits.
    pub mode: u32,
}

/// The result of a pack computation.
#[derive(Clone, Debug)]
pub struct Packlist {
    /// The package directory in the snapshot (`""` = snapshot root).
    pub dir: String,
    /// The parsed package.json.
    pub manifest: serde_json::Value,
    /// Files, sorted bytewise by `path`.
    pub files: Vec<PackedFile>,
}

impl Packlist {
    /// `name` from package.json.
    pub fn name(&self) -> Option<&str> {
        self.manifest.get("name").and_then(|v| v.as_str())
    }

    /// `version` from package.json.
    pub fn version(&self) -> Option<&str> {
        self.manifest.get("version").and_then(|v| v.as_str())
    }

    /// Total unpacked size in bytes.
    pub fn total_size(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

/// Why a packlist could not be computed (npm would fail too, or leakgate can't read).
#[derive(Debug, thiserror::Error)]
pub enum PacklistError {
    /// package.json is missing, unparsable or lacks name/version; `line`/`column` are 1-based.
    #[error("{file}:{line}:{column}: {message}")]
    Manifest {
        /// Path of the package.json in the snapshot.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// An ignore file or pattern npm would choke on.
    #[error("{file}: {message}")]
    Rules {
        /// The ignore file or package.json.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The snapshot failed.
    #[error(transparent)]
    Snapshot(#[from] crate::snapshot::SnapshotError),
}

/// Options that change the walk (how npm was invoked).
#[derive(Clone, Debug, Default)]
pub struct PackOptions {
    /// The workspace root when the package is packed as a workspace member (`cd member &&
    /// npm pack`): ancestor ignore files from this root down are applied (spec §9.2).
    /// `None` lets [`pack`] detect it the way npm does.
    pub workspace_root: Option<String>,
    /// Don't detect an enclosing workspace root (like `npm pack ./dir` from elsewhere).
    pub standalone: bool,
}

/// The files `npm pack --ignore-scripts` would ship from `dir` in `snapshot`.
pub fn pack(
    snapshot: &dyn Snapshot,
    dir: &str,
    options: &PackOptions,
) -> Result<Packlist, PacklistError> {
    let _ = (snapshot, dir, options);
    todo!("packlist: being built")
}
