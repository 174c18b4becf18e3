//! Where a repository's hooks live, asked of git itself.
//!
//! `git rev-parse --git-path hooks` is the ground truth: it applies `core.hooksPath` from
//! every config scope (relative values are relative to the work tree root, `~` expanded),
//! sends linked worktrees to the common dir and submodules to `.git/modules/<name>`.
//! Re-implementing that is how other installers end up writing hooks git never runs.

use super::{HookError, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A non-bare repository, seen from one of its work trees.
#[derive(Clone, Debug)]
pub struct Repo {
    /// Root of the work tree (where git runs hooks).
    pub work_tree: PathBuf,
    /// This work tree's git dir (`.git`, `.git/worktrees/<name>`, `.git/modules/<name>`).
    pub git_dir: PathBuf,
    /// The dir shared by all worktrees (where `hooks/` lives unless `core.hooksPath` says otherwise).
    pub common_dir: PathBuf,
    /// The directory git runs hooks from.
    pub hooks_dir: PathBuf,
    /// The effective `core.hooksPath`, if set anywhere.
    pub hooks_path: Option<HooksPath>,
}

/// The effective `core.hooksPath` and where it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HooksPath {
    /// The value as written.
    pub value: String,
    /// `local`, `global`, `system`, `worktree` or `command`.
    pub scope: String,
    /// The file it was read from (`file:.git/config`), as git prints it.
    pub origin: String,
}

impl Repo {
    /// Finds the repository containing `dir`.
    ///
    /// Errors: `dir` missing, not in a repository, a bare repository, or inside `.git`.
    pub fn discover(dir: &Path) -> Result<Repo> {
        if !dir.is_dir() {
            return Err(HookError::NoSuchDir(dir.to_path_buf()));
        }
        let out = git_raw(
            dir,
            &["rev-parse", "--is-bare-repository", "--is-inside-work-tree"],
        )?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            if stderr.contains("not a git repository") {
                return Err(HookError::NotARepo(dir.to_path_buf()));
            }
            return Err(HookError::Git {
                args: "rev-parse --is-bare-repository".into(),
                message: stderr.trim().to_string(),
            });
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let mut lines = text.lines();
        let bare = lines.next() == Some("true");
        let in_work_tree = lines.next() == Some("true");
        if bare {
            return Err(HookError::Bare(dir.to_path_buf()));
        }
        if !in_work_tree {
            return Err(HookError::InsideGitDir(dir.to_path_buf()));
        }
        let paths = git(
            dir,
            &[
                "rev-parse",
                "--path-format=absolute",
                "--show-toplevel",
                "--git-dir",
                "--git-common-dir",
                "--git-path",
                "hooks",
            ],
        )?;
        let mut lines = paths.lines().map(PathBuf::from);
        let (Some(work_tree), Some(git_dir), Some(common_dir), Some(hooks_dir)) =
            (lines.next(), lines.next(), lines.next(), lines.next())
        else {
            return Err(HookError::Git {
                args: "rev-parse --show-toplevel --git-dir --git-common-dir --git-path hooks"
                    .into(),
                message: format!("unexpected output {paths:?}"),
            });
        };
        let hooks_path = hooks_path(dir)?;
        Ok(Repo {
            work_tree,
            git_dir,
            common_dir,
            hooks_dir,
            hooks_path,
        })
    }

    /// The hooks dir git uses when `core.hooksPath` is unset.
    pub fn default_hooks_dir(&self) -> PathBuf {
        self.common_dir.join("hooks")
    }

    /// Runs git in the work tree and returns its trimmed stdout.
    pub fn git(&self, args: &[&str]) -> Result<String> {
        git(&self.work_tree, args)
    }

    /// `path` relative to the work tree when it is inside it (for messages).
    pub fn display(&self, path: &Path) -> String {
        match path.strip_prefix(&self.work_tree) {
            Ok(rel) if !rel.as_os_str().is_empty() => rel.display().to_string(),
            _ => path.display().to_string(),
        }
    }
}

/// The effective `core.hooksPath` seen from `dir`, with its scope and origin.
pub fn hooks_path(dir: &Path) -> Result<Option<HooksPath>> {
    let out = git_raw(
        dir,
        &[
            "config",
            "--show-scope",
            "--show-origin",
            "--get",
            "core.hooksPath",
        ],
    )?;
    // `git config --get` exits 1 when the key is unset.
    if out.status.code() == Some(1) {
        return Ok(None);
    }
    if !out.status.success() {
        return Err(HookError::Git {
            args: "config --get core.hooksPath".into(),
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.trim_end_matches(['\n', '\r']);
    let mut parts = line.splitn(3, '\t');
    let (Some(scope), Some(origin), Some(value)) = (parts.next(), parts.next(), parts.next())
    else {
        return Ok(None);
    };
    Ok(Some(HooksPath {
        value: value.to_string(),
        scope: scope.to_string(),
        origin: origin.to_string(),
    }))
}

/// Runs git in `dir`; returns trimmed stdout, or an error carrying git's stderr.
pub fn git(dir: &Path, args: &[&str]) -> Result<String> {
    let out = git_raw(dir, args)?;
    if !out.status.success() {
        return Err(HookError::Git {
            args: args.join(" "),
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .trim_end_matches(['\n', '\r'])
        .to_string())
}

/// Runs git in `dir` and returns its raw output.
pub fn git_raw(dir: &Path, args: &[&str]) -> Result<std::process::Output> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| HookError::Git {
            args: args.join(" "),
            message: format!("cannot run git: {e}"),
        })
}
