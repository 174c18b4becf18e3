//! Which hook manager, if any, owns the repository's hooks.

use super::repo::Repo;
use std::path::{Path, PathBuf};

/// lefthook's config file names, in lefthook's lookup order.
pub const LEFTHOOK_CONFIGS: &[&str] = &[
    "lefthook.yml",
    ".lefthook.yml",
    "lefthook.yaml",
    ".lefthook.yaml",
    ".config/lefthook.yml",
    ".config/lefthook.yaml",
    "lefthook.json",
    ".lefthook.json",
    "lefthook.toml",
    ".lefthook.toml",
];

/// The pre-commit framework's config file.
pub const PRE_COMMIT_CONFIG: &str = ".pre-commit-config.yaml";

/// Who runs the repository's hooks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Manager {
    /// Plain git hooks (possibly in a `core.hooksPath` dir): leakgate writes its shims.
    Plain,
    /// husky: leakgate adds a block to the committed `.husky/<hook>` scripts.
    Husky {
        /// The `.husky` directory holding the committed scripts.
        dir: PathBuf,
        /// husky v5-8 (`core.hooksPath=.husky`, scripts source `_/husky.sh`) rather than v9.
        legacy: bool,
        /// `core.hooksPath` points at husky (husky was installed in this clone).
        active: bool,
    },
    /// lefthook: leakgate adds its commands to the lefthook config.
    Lefthook {
        /// The config file.
        config: PathBuf,
    },
    /// The pre-commit framework: leakgate chains its hook script like any other, and
    /// suggests the `.pre-commit-config.yaml` entry instead.
    PreCommit {
        /// `.pre-commit-config.yaml`.
        config: PathBuf,
    },
}

impl Manager {
    /// A short name for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Manager::Plain => "none (plain git hooks)",
            Manager::Husky { legacy: false, .. } => "husky (v9)",
            Manager::Husky { legacy: true, .. } => "husky (v5-8)",
            Manager::Lefthook { .. } => "lefthook",
            Manager::PreCommit { .. } => "the pre-commit framework",
        }
    }
}

/// Detects the manager: husky (by `core.hooksPath`, or a `.husky` dir husky has not yet
/// activated), then lefthook (a config file), then the pre-commit framework, else plain.
pub fn detect(repo: &Repo) -> Manager {
    let hooks = &repo.hooks_dir;
    let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
    if repo.hooks_path.is_some() {
        if name(hooks).as_deref() == Some("_") {
            if let Some(parent) = hooks.parent() {
                if name(parent).as_deref() == Some(".husky") {
                    return Manager::Husky {
                        dir: parent.to_path_buf(),
                        legacy: false,
                        active: true,
                    };
                }
            }
        }
        if name(hooks).as_deref() == Some(".husky") {
            return Manager::Husky {
                dir: hooks.clone(),
                legacy: true,
                active: true,
            };
        }
    }
    let husky = repo.work_tree.join(".husky");
    if repo.hooks_path.is_none() && husky.is_dir() {
        let legacy = husky.join("_").join("husky.sh").is_file() && !husky.join("_/h").is_file()
            || husky_scripts_source_husky_sh(&husky);
        return Manager::Husky {
            dir: husky,
            legacy,
            active: false,
        };
    }
    if let Some(config) = lefthook_config(&repo.work_tree) {
        return Manager::Lefthook { config };
    }
    let pre_commit = repo.work_tree.join(PRE_COMMIT_CONFIG);
    if pre_commit.is_file() {
        return Manager::PreCommit { config: pre_commit };
    }
    Manager::Plain
}

/// The lefthook config in `work_tree`, if any.
pub fn lefthook_config(work_tree: &Path) -> Option<PathBuf> {
    LEFTHOOK_CONFIGS
        .iter()
        .map(|n| work_tree.join(n))
        .find(|p| p.is_file())
}

fn husky_scripts_source_husky_sh(dir: &Path) -> bool {
    ["pre-commit", "pre-push", "commit-msg"]
        .iter()
        .any(|h| std::fs::read_to_string(dir.join(h)).is_ok_and(|t| t.contains("_/husky.sh")))
}

/// What a hook file that is not leakgate's looks like it belongs to (for doctor).
pub fn describe_foreign(bytes: &[u8]) -> &'static str {
    let text = String::from_utf8_lossy(bytes);
    if text.contains("lefthook") {
        "lefthook's hook"
    } else if text.contains("pre-commit.com") || text.contains("hook-impl") {
        "the pre-commit framework's hook"
    } else if text.contains("husky") {
        "husky's hook"
    } else {
        "a hook leakgate did not write"
    }
}
