//! `install` and `uninstall` for a whole repository: pick the layout, apply it to both hooks,
//! keep the state file.

use super::lock::InstallLock;
use super::manager::{self, Manager};
use super::repo::Repo;
use super::state::{Kind, State};
use super::{husky, lefthook, npm, shim, Hook, HookError, Result};
use std::path::{Path, PathBuf};

/// Options of `install`.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Overwrite a shim or block somebody edited.
    pub force: bool,
    /// Write plain shims into git's hooks dir even when a hook manager is detected.
    pub plain: bool,
    /// Also add the publish guard to the package.json of this directory
    /// ([`super::publish_guard`]).
    pub publish_guard: Option<PathBuf>,
}

/// One thing done (or found) for one file.
#[derive(Clone, Debug)]
pub struct Step {
    /// What it is about: a hook's name, or `publish guard`.
    pub what: &'static str,
    /// The file.
    pub path: PathBuf,
    /// What happened, for the user.
    pub message: String,
}

/// What `install` or `uninstall` did.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The repository.
    pub repo: Repo,
    /// The layout used.
    pub manager: Manager,
    /// What was done, file by file.
    pub steps: Vec<Step>,
    /// Advice for the user (husky not active, pre-commit framework entry…).
    pub notes: Vec<String>,
    /// Config the user must add by hand (lefthook config leakgate could not edit safely);
    /// when set, leakgate is not wired up yet.
    pub manual: Option<(PathBuf, String)>,
}

impl Outcome {
    /// An outcome with nothing done yet.
    fn new(repo: &Repo, manager: &Manager) -> Self {
        Outcome {
            repo: repo.clone(),
            manager: manager.clone(),
            steps: Vec::new(),
            notes: Vec::new(),
            manual: None,
        }
    }
}

/// Registers both hooks in the repository containing `dir`.
pub fn install(dir: &Path, opts: Options) -> Result<Outcome> {
    let repo = Repo::discover(dir)?;
    // Held until the state is saved: the checks below decide what the renames do.
    let _lock = InstallLock::acquire(&repo.common_dir)?;
    let manager = if opts.plain {
        Manager::Plain
    } else {
        manager::detect(&repo)
    };
    let mut state = State::load(&repo.common_dir)?;
    let mut out = Outcome::new(&repo, &manager);
    let result = (|| -> Result<()> {
        // First: a package.json leakgate can't edit stops install before any hook changes.
        if let Some(dir) = &opts.publish_guard {
            let path = dir.join("package.json");
            let message = super::publish_guard::install(&path, &mut state)?;
            out.steps.push(Step {
                what: "publish guard",
                path,
                message,
            });
        }
        match &manager {
            Manager::Plain | Manager::PreCommit { .. } => {
                for hook in Hook::ALL {
                    let message = shim::install(hook, &repo.hooks_dir, &mut state, opts.force)?;
                    out.steps.push(Step {
                        what: hook.name(),
                        path: repo.hooks_dir.join(hook.name()),
                        message,
                    });
                }
                // Shims in a directory like `.githooks` are new files of the work tree.
                let in_work_tree = repo.hooks_dir.starts_with(&repo.work_tree)
                    && !repo.hooks_dir.starts_with(&repo.common_dir)
                    && !repo.hooks_dir.starts_with(&repo.git_dir);
                if in_work_tree {
                    out.notes.push(format!(
                        "the hooks directory {} is inside the work tree, so the shims show in \
                         `git status`: commit them to share them with the team (each clone \
                         still needs the leakgate binary), or list them in .git/info/exclude",
                        repo.display(&repo.hooks_dir)
                    ));
                }
                if let Manager::PreCommit { config } = &manager {
                    out.notes.push(format!(
                        "{} uses the pre-commit framework; leakgate chained its hook scripts. \
                         To run leakgate from the framework instead, add the `leakgate` and \
                         `leakgate-pre-push` hooks to it (`leakgate help hooks`) and run \
                         `leakgate uninstall`.",
                        repo.display(config)
                    ));
                }
            }
            Manager::Husky {
                dir,
                legacy,
                active,
            } => {
                for hook in Hook::ALL {
                    let message = husky::install(hook, dir, *legacy, &mut state, opts.force)?;
                    out.steps.push(Step {
                        what: hook.name(),
                        path: dir.join(hook.name()),
                        message,
                    });
                }
                out.notes.push(husky_sharing_note(&repo, dir));
                if !active {
                    out.notes.push(
                        "husky is not active in this clone (core.hooksPath is unset), so git \
                         does not run .husky scripts yet: run `npx husky` (or `npm install`)"
                            .into(),
                    );
                }
            }
            Manager::Lefthook { config } => {
                let mut manual = String::new();
                let mut why = Vec::new();
                for hook in Hook::ALL {
                    match lefthook::install(hook, config, &mut state, opts.force) {
                        Ok(message) => out.steps.push(Step {
                            what: hook.name(),
                            path: config.clone(),
                            message,
                        }),
                        Err(HookError::Conflict { message, .. }) => {
                            why.push(format!("{}: {message}", hook.name()));
                            manual.push_str(&lefthook::snippet(hook));
                        }
                        Err(e) => return Err(e),
                    }
                }
                if manual.is_empty() {
                    out.notes.push(format!(
                        "commit {} so the team runs leakgate too; run `lefthook install` if \
                         lefthook's hooks are not installed in this clone",
                        repo.display(config)
                    ));
                } else {
                    out.notes.push(format!(
                        "leakgate did not edit {} ({}); add the snippet below to it by hand",
                        repo.display(config),
                        why.join("; ")
                    ));
                    out.manual = Some((config.clone(), manual));
                }
            }
        }
        if let Some(note) = npm::install_note(&repo.work_tree) {
            out.notes.push(note);
        }
        Ok(())
    })();
    // Record what was done even when a later step failed, so uninstall can undo it.
    state.save(&repo.common_dir)?;
    result?;
    Ok(out)
}

/// Removes what install added in the repository containing `dir` and restores chained hooks
/// and the package.json scripts the publish guard was chained to. `publish_guard` names a
/// package directory whose guard goes even when this clone's install did not add it.
pub fn uninstall(dir: &Path, force: bool, publish_guard: Option<&Path>) -> Result<Outcome> {
    let repo = Repo::discover(dir)?;
    let _lock = InstallLock::acquire(&repo.common_dir)?;
    let manager = manager::detect(&repo);
    let mut state = State::load(&repo.common_dir)?;
    let mut out = Outcome::new(&repo, &manager);
    let result = (|| -> Result<()> {
        // First what the state records, then whatever of leakgate's is still where it would
        // be (the state may be missing, e.g. a hooks dir shared with another clone).
        let mut targets: Vec<(Kind, Hook, PathBuf)> = state
            .entries
            .iter()
            .filter_map(|e| Some((e.kind, Hook::from_name(&e.hook)?, e.path.clone())))
            .collect();
        for hook in Hook::ALL {
            for dir in [repo.hooks_dir.clone(), repo.default_hooks_dir()] {
                targets.push((Kind::Shim, hook, dir.join(hook.name())));
            }
            if let Manager::Husky { dir, .. } = &manager {
                targets.push((Kind::HuskyBlock, hook, dir.join(hook.name())));
            }
            if let Manager::Lefthook { config } = &manager {
                targets.push((Kind::LefthookBlock, hook, config.clone()));
            }
        }
        let mut guards: Vec<PathBuf> = state
            .entries
            .iter()
            .filter(|e| e.kind == Kind::PublishGuard)
            .map(|e| e.path.clone())
            .collect();
        let named = publish_guard.map(|d| d.join("package.json"));
        guards.extend(named.clone());
        guards.dedup();
        for path in guards {
            let stateless = named.as_ref() == Some(&path);
            if let Some(message) = super::publish_guard::uninstall(&path, &mut state, stateless)? {
                out.steps.push(Step {
                    what: "publish guard",
                    path,
                    message,
                });
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for (kind, hook, path) in targets {
            if !seen.insert((hook, path.clone())) {
                continue;
            }
            let done = match kind {
                Kind::Shim => {
                    let dir = path.parent().unwrap_or(Path::new("."));
                    shim::uninstall(hook, dir, &mut state, force)?
                }
                Kind::HuskyBlock => {
                    let dir = path.parent().unwrap_or(Path::new("."));
                    husky::uninstall(hook, dir, &mut state, force)?
                }
                Kind::LefthookBlock => lefthook::uninstall(hook, &path, &mut state, force)?,
                Kind::PublishGuard => None,
            };
            if let Some(message) = done {
                out.steps.push(Step {
                    what: hook.name(),
                    path,
                    message,
                });
            }
        }
        Ok(())
    })();
    state.save(&repo.common_dir)?;
    result?;
    Ok(out)
}

/// What to tell the user about sharing the husky scripts, from what git says of them:
/// committed (commit the blocks), gitignored (the blocks work in this clone only), or new.
fn husky_sharing_note(repo: &Repo, dir: &Path) -> String {
    let shown = repo.display(dir);
    let script = dir.join(Hook::PreCommit.name());
    let script = script.to_string_lossy();
    let tracked = super::repo::git_raw(
        &repo.work_tree,
        &["ls-files", "--error-unmatch", "--", &script],
    )
    .is_ok_and(|o| o.status.success());
    if tracked {
        return "the husky scripts are committed: commit the leakgate blocks so the team runs \
                them too"
            .into();
    }
    let ignored = super::repo::git_raw(&repo.work_tree, &["check-ignore", "-q", "--", &script])
        .is_ok_and(|o| o.status.success());
    if ignored {
        format!(
            "{shown} is gitignored here: the leakgate blocks work in this clone only; each \
             teammate runs `leakgate install` (or stop ignoring {shown} and commit it)"
        )
    } else {
        format!("{shown} is not committed yet: commit it so the team runs the leakgate blocks too")
    }
}
