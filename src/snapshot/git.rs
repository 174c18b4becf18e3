//! Any commit or tree of a git repository as a snapshot (read through git2).
//!
//! Modes come from the tree's filemodes: `100644` → `0o644`, `100755` → `0o755`, `120000` →
//! [`EntryKind::Symlink`] (`0o777`, as `lstat` reports links), `160000` (a submodule's
//! gitlink) → [`EntryKind::Other`] (mode 0, size 0), a tree → [`EntryKind::Dir`] (`0o755`).
//! Sizes come from the object database's header, so listing never inflates a blob.
//!
//! Symlinks: [`Snapshot::lstat`] reports the link (size 0, as the working tree does), [`Snapshot::read_link`] returns the target text exactly as git stores it, and
//! [`Snapshot::open`] resolves the link *inside the tree* (see
//! [`super::resolve_symlinks`]); a link that leaves the tree is an error, never followed.

use super::{Entry, EntryKind, Result, Snapshot, SnapshotError};
use git2::{ObjectType, Oid, Repository, Tree};
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// git filemodes as stored in trees and the index.
pub(crate) mod filemode {
    /// A directory (tree).
    pub const TREE: u32 = 0o040000;
    /// A symbolic link.
    pub const LINK: u32 = 0o120000;
}

/// Maps a git filemode to the snapshot's kind and Unix mode bits.
pub(crate) fn kind_and_mode(filemode: u32) -> (EntryKind, u32) {
    match filemode & 0o170000 {
        0o040000 => (EntryKind::Dir, 0o755),
        0o120000 => (EntryKind::Symlink, 0o777),
        0o160000 => (EntryKind::Other, 0),
        // git stores only 644 and 755 (old repositories may hold 664: treat as 644).
        0o100000 if filemode & 0o111 != 0 => (EntryKind::File, 0o755),
        0o100000 => (EntryKind::File, 0o644),
        _ => (EntryKind::Other, 0),
    }
}

/// Turns a git2 error into a snapshot error that names what was being done.
pub(crate) fn git_err(what: &str, err: git2::Error) -> SnapshotError {
    SnapshotError::Other(format!("{what}: {}", err.message()))
}

/// A small pool of open repositories. `git2::Repository` is `Send` but not `Sync`; rather
/// than serialize every read through one handle, each caller borrows a handle (opening a
/// new one when all are busy) and gives it back, so parallel readers don't wait on a lock.
pub(crate) struct RepoPool {
    git_dir: PathBuf,
    /// The work tree when it is not the one the git dir implies (`$GIT_WORK_TREE`).
    workdir: Option<PathBuf>,
    idle: Mutex<Vec<Repository>>,
}

/// Opens the repository git would use from `dir`: `$GIT_DIR` when it is set (a hook run by
/// `git --git-dir=X --work-tree=Y`, or the variables exported), with `$GIT_WORK_TREE` as
/// its work tree; otherwise the repository found upwards from `dir`.
///
/// libgit2's `FROM_ENV` reads `GIT_INDEX_FILE` and the object directories, but `GIT_DIR`
/// only when given no start path (git2 always passes one), ignores `GIT_WORK_TREE` when the
/// repository says `core.bare = true` (git lets it override that: a bare repository with a
/// separate work tree is the usual dotfiles setup), and takes a relative `GIT_WORK_TREE`
/// from the git dir (git: from the current directory; hooks get `GIT_WORK_TREE=.`). So
/// both are applied here, relative to the current directory as git does.
pub fn open_repository(dir: &Path) -> std::result::Result<Repository, git2::Error> {
    // libgit2 re-hashes every object it reads (SHA-1 with collision detection): a tenth of
    // a first push's time. git's own readers (`cat-file`, `diff`) don't, and leakgate
    // judges the bytes it reads whatever their hash: `git fsck` is the integrity check.
    static NO_REHASH: std::sync::Once = std::sync::Once::new();
    NO_REHASH.call_once(|| git2::opts::strict_hash_verification(false));
    let env_path = |name: &str| -> Option<PathBuf> {
        let value = std::env::var_os(name).filter(|v| !v.is_empty())?;
        let cwd = std::env::current_dir().unwrap_or_default();
        Some(cwd.join(value))
    };
    let start = env_path("GIT_DIR").unwrap_or_else(|| dir.to_path_buf());
    let repo = Repository::open_ext(
        &start,
        git2::RepositoryOpenFlags::FROM_ENV,
        std::iter::empty::<&std::ffi::OsStr>(),
    )?;
    if let Some(work_tree) = env_path("GIT_WORK_TREE") {
        let work_tree = work_tree.canonicalize().unwrap_or(work_tree);
        repo.set_workdir(&work_tree, false)?;
    }
    Ok(repo)
}

impl RepoPool {
    /// Opens the repository git would use from `dir` ([`open_repository`]).
    pub(crate) fn discover(dir: &Path) -> Result<Self> {
        let repo = open_repository(dir)
            .map_err(|e| git_err(&format!("{}: not a git repository", dir.display()), e))?;
        let git_dir = repo.path().to_path_buf();
        // Handles opened later by path alone must see the same work tree.
        let implied = Repository::open(&git_dir)
            .ok()
            .and_then(|r| r.workdir().map(Path::to_path_buf));
        let workdir = repo
            .workdir()
            .filter(|w| implied.as_deref() != Some(*w))
            .map(Path::to_path_buf);
        Ok(RepoPool {
            git_dir,
            workdir,
            idle: Mutex::new(vec![repo]),
        })
    }

    /// The `.git` directory (a linked worktree's own one, which holds its index).
    pub(crate) fn git_dir(&self) -> &Path {
        &self.git_dir
    }

    /// Runs `f` with a repository handle from the pool.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&Repository) -> Result<T>) -> Result<T> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let repo = match idle {
            Some(repo) => repo,
            None => {
                let shown = || self.git_dir.display().to_string();
                let repo = Repository::open(&self.git_dir).map_err(|e| git_err(&shown(), e))?;
                if let Some(w) = &self.workdir {
                    repo.set_workdir(w, false)
                        .map_err(|e| git_err(&shown(), e))?;
                }
                repo
            }
        };
        let out = f(&repo);
        self.idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(repo);
        out
    }

    /// The size of a blob from the object database header (cheap: no inflation for packed
    /// objects beyond the header).
    pub(crate) fn blob_size(repo: &Repository, oid: Oid, path: &str) -> Result<u64> {
        let odb = repo.odb().map_err(|e| git_err(path, e))?;
        let (size, _) = odb.read_header(oid).map_err(|e| git_err(path, e))?;
        Ok(size as u64)
    }

    /// The bytes of a blob. git2 has no streaming read for packed objects, so the blob is
    /// read whole (git itself does the same for blobs it has to inflate).
    pub(crate) fn blob_bytes(repo: &Repository, oid: Oid, path: &str) -> Result<Vec<u8>> {
        let blob = repo.find_blob(oid).map_err(|e| git_err(path, e))?;
        Ok(blob.content().to_vec())
    }
}

/// One commit's (or tree's) files.
pub struct GitTree {
    pool: RepoPool,
    tree: Oid,
    label: String,
}

impl GitTree {
    /// The tree of `revspec` (`HEAD`, a sha, a ref, `HEAD^`, `v1.0:packages/cli`…) in the
    /// repository containing `repo_dir`.
    pub fn open(repo_dir: impl AsRef<Path>, revspec: &str) -> Result<Self> {
        let pool = RepoPool::discover(repo_dir.as_ref())?;
        let tree = pool.with(|repo| {
            let obj = repo
                .revparse_single(revspec)
                .map_err(|e| git_err(&format!("{revspec}: unknown revision"), e))?;
            let tree = obj
                .peel_to_tree()
                .map_err(|e| git_err(&format!("{revspec}: not a commit or tree"), e))?;
            Ok(tree.id())
        })?;
        Ok(GitTree {
            pool,
            tree,
            label: revspec.to_string(),
        })
    }

    /// HEAD's tree, or `None` when the branch has no commit yet (an initial commit).
    pub fn head(repo_dir: impl AsRef<Path>) -> Result<Option<Self>> {
        let pool = RepoPool::discover(repo_dir.as_ref())?;
        let tree = pool.with(|repo| match repo.head() {
            Ok(head) => {
                let tree = head.peel_to_tree().map_err(|e| git_err("HEAD", e))?;
                Ok(Some(tree.id()))
            }
            Err(e)
                if e.code() == git2::ErrorCode::UnbornBranch
                    || e.code() == git2::ErrorCode::NotFound =>
            {
                Ok(None)
            }
            Err(e) => Err(git_err("HEAD", e)),
        })?;
        Ok(tree.map(|tree| GitTree {
            pool,
            tree,
            label: "HEAD".to_string(),
        }))
    }

    /// The tree with id `tree` (a tree or commit id) in the repository containing `repo_dir`.
    pub fn from_oid(repo_dir: impl AsRef<Path>, id: &str) -> Result<Self> {
        Self::open(repo_dir, id)
    }

    /// The id of the tree this snapshot reads.
    pub fn tree_id(&self) -> String {
        self.tree.to_string()
    }

    /// Calls `f` with the tree object of directory `dir` (`None` when absent or not a dir).
    fn with_dir<T>(
        &self,
        repo: &Repository,
        dir: &str,
        f: impl FnOnce(&Tree<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        let root = repo
            .find_tree(self.tree)
            .map_err(|e| git_err(&self.label, e))?;
        if dir.is_empty() {
            return f(&root).map(Some);
        }
        let entry = match root.get_path(Path::new(dir)) {
            Ok(entry) => entry,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(git_err(dir, e)),
        };
        if entry.kind() != Some(ObjectType::Tree) {
            return Ok(None);
        }
        let tree = repo.find_tree(entry.id()).map_err(|e| git_err(dir, e))?;
        f(&tree).map(Some)
    }

    fn not_found(&self, path: &str) -> SnapshotError {
        SnapshotError::NotFound {
            path: path.to_string(),
            snapshot: self.describe(),
        }
    }

    /// The tree entry at `path`: (filemode, oid).
    fn lookup(&self, repo: &Repository, path: &str) -> Result<Option<(u32, Oid)>> {
        if path.is_empty() {
            return Ok(Some((filemode::TREE, self.tree)));
        }
        let root = repo
            .find_tree(self.tree)
            .map_err(|e| git_err(&self.label, e))?;
        match root.get_path(Path::new(path)) {
            Ok(entry) => Ok(Some((entry.filemode() as u32, entry.id()))),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(git_err(path, e)),
        }
    }
}

/// Builds an [`Entry`] from a filemode and oid, reading the size from the odb header.
pub(crate) fn entry_for(
    repo: &Repository,
    name: &str,
    filemode: u32,
    oid: Oid,
    path: &str,
) -> Result<Entry> {
    let (kind, mode) = kind_and_mode(filemode);
    let size = match kind {
        // Symlinks report 0, as the working tree does (`Entry::size` counts file bytes).
        EntryKind::File => RepoPool::blob_size(repo, oid, path)?,
        _ => 0,
    };
    Ok(Entry {
        name: name.to_string(),
        kind,
        size,
        mode,
    })
}

fn utf8_name(dir: &str, raw: &[u8]) -> Result<String> {
    String::from_utf8(raw.to_vec()).map_err(|_| SnapshotError::NonUtf8Name {
        path: super::join(dir, &String::from_utf8_lossy(raw)),
    })
}

impl Snapshot for GitTree {
    fn describe(&self) -> String {
        self.label.clone()
    }

    fn read_dir(&self, dir: &str) -> Result<Vec<Entry>> {
        self.pool
            .with(|repo| {
                self.with_dir(repo, dir, |tree| {
                    let mut out = Vec::with_capacity(tree.len());
                    for item in tree.iter() {
                        let name = utf8_name(dir, item.name_bytes())?;
                        let path = super::join(dir, &name);
                        out.push(entry_for(
                            repo,
                            &name,
                            item.filemode() as u32,
                            item.id(),
                            &path,
                        )?);
                    }
                    Ok(out)
                })
            })?
            .ok_or_else(|| self.not_found(dir))
    }

    fn lstat(&self, path: &str) -> Result<Option<Entry>> {
        self.pool.with(|repo| match self.lookup(repo, path)? {
            Some((filemode, oid)) => {
                entry_for(repo, super::base_name(path), filemode, oid, path).map(Some)
            }
            None => Ok(None),
        })
    }

    fn read_link(&self, path: &str) -> Result<String> {
        self.pool.with(|repo| match self.lookup(repo, path)? {
            Some((filemode, oid)) if filemode & 0o170000 == filemode::LINK => {
                let bytes = RepoPool::blob_bytes(repo, oid, path)?;
                String::from_utf8(bytes).map_err(|_| SnapshotError::NonUtf8Name {
                    path: format!("{path} -> (target)"),
                })
            }
            Some(_) => Err(SnapshotError::Other(format!(
                "{path}: not a symlink in {}",
                self.label
            ))),
            None => Err(self.not_found(path)),
        })
    }

    fn open(&self, path: &str) -> Result<Box<dyn Read + Send + '_>> {
        let direct = self.pool.with(|repo| match self.lookup(repo, path)? {
            Some((filemode, oid)) if filemode & 0o170000 == 0o100000 => {
                RepoPool::blob_bytes(repo, oid, path).map(Some)
            }
            Some((filemode, _)) if filemode & 0o170000 == filemode::TREE => Err(
                SnapshotError::Other(format!("{path}: is a directory in {}", self.label)),
            ),
            _ => Ok(None),
        })?;
        if let Some(bytes) = direct {
            return Ok(Box::new(Cursor::new(bytes)));
        }
        // Absent, a symlink, or below a symlinked directory: resolve inside the tree.
        let real = super::resolve_symlinks(self, path)?;
        let bytes = self.pool.with(|repo| match self.lookup(repo, &real)? {
            Some((filemode, oid)) if filemode & 0o170000 == 0o100000 => {
                RepoPool::blob_bytes(repo, oid, path)
            }
            _ => Err(SnapshotError::Other(format!(
                "{path}: not a regular file in {}",
                self.label
            ))),
        })?;
        Ok(Box::new(Cursor::new(bytes)))
    }
}
