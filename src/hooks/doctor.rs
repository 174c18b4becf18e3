//! `doctor`'s checks of the hooks: is leakgate installed where git looks, would git run it,
//! which manager is in charge, which binary the hook would call. The config check lives in
//! the command (it belongs to `config`); printing too.

use super::block::Freshness;
use super::manager::{self, Manager};
use super::repo::Repo;
use super::state::State;
use super::{husky, is_executable, lefthook, npm, shim, Hook};
use std::path::{Path, PathBuf};

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Fine.
    Ok,
    /// Works, but worth knowing or fixing.
    Warn,
    /// leakgate would not run (or not as intended): doctor exits 1.
    Fail,
}

impl Status {
    /// `ok`, `warn`, `fail`.
    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

/// One line of doctor's report.
#[derive(Clone, Debug)]
pub struct Check {
    /// The outcome.
    pub status: Status,
    /// What was checked (`pre-commit`, `binary`…).
    pub topic: String,
    /// What was found, and the fix when it is not ok.
    pub detail: String,
}

fn check(status: Status, topic: &str, detail: impl Into<String>) -> Check {
    Check {
        status,
        topic: topic.to_string(),
        detail: detail.into(),
    }
}

/// Checks the repository's hooks (not the binary or config: see [`binary`]).
pub fn hooks(repo: &Repo) -> Vec<Check> {
    let mut out = Vec::new();
    let from = match &repo.hooks_path {
        Some(hp) => format!(
            "core.hooksPath = {} ({} config, {})",
            hp.value, hp.scope, hp.origin
        ),
        None => "git's default".to_string(),
    };
    out.push(check(
        Status::Ok,
        "repository",
        format!(
            "work tree {}; git runs hooks from {} ({from})",
            repo.work_tree.display(),
            repo.hooks_dir.display()
        ),
    ));
    if let Some(hp) = &repo.hooks_path {
        if hp.scope == "global" || hp.scope == "system" {
            out.push(check(
                Status::Warn,
                "core.hooksPath",
                format!(
                    "set in the {} git config ({}): it applies to every repository on this \
                     machine and shadows each one's .git/hooks",
                    hp.scope, hp.origin
                ),
            ));
        }
        if !repo.hooks_dir.is_dir() {
            out.push(check(
                Status::Fail,
                "core.hooksPath",
                format!(
                    "{} does not exist, so git runs no hooks at all: run `leakgate install`",
                    repo.hooks_dir.display()
                ),
            ));
        }
    }
    let manager = manager::detect(repo);
    out.push(check(Status::Ok, "hook manager", manager.name()));
    // State-recorded plain shims tell doctor that `install --plain` was used in a managed repo.
    let state = State::load(&repo.common_dir).unwrap_or_default();
    let plain_installed = Hook::ALL
        .iter()
        .any(|h| shim::read_shim(&repo.hooks_dir.join(h.name())).is_some());
    for hook in Hook::ALL {
        let c = match &manager {
            _ if plain_installed => plain(repo, hook, &state),
            Manager::Plain | Manager::PreCommit { .. } => plain(repo, hook, &state),
            Manager::Husky {
                dir,
                legacy,
                active,
            } => husky_hook(repo, hook, dir, *legacy, *active),
            Manager::Lefthook { config } => lefthook_hook(repo, hook, config),
        };
        out.push(c);
    }
    if let Manager::PreCommit { config } = &manager {
        let text = std::fs::read_to_string(config).unwrap_or_default();
        if text.contains("leakgate") && plain_installed {
            out.push(check(
                Status::Warn,
                "pre-commit framework",
                format!(
                    "{} also runs leakgate, and leakgate's own shims are installed: it runs \
                     twice; `leakgate uninstall` removes the shims",
                    repo.display(config)
                ),
            ));
        }
    }
    out
}

/// A plain shim in the hooks dir git uses.
fn plain(repo: &Repo, hook: Hook, state: &State) -> Check {
    let name = hook.name();
    let path = repo.hooks_dir.join(name);
    let shown = repo.display(&path);
    let chained = shim::chained_path(&path);
    if let Some(bytes) = shim::read_shim(&path) {
        if !is_executable(&path) {
            return check(
                Status::Fail,
                name,
                format!("{shown} is leakgate's shim but not executable, so git skips it: run `leakgate install`"),
            );
        }
        let mut detail = format!("leakgate's shim at {shown}; git runs it");
        let mut status = Status::Ok;
        if !shim::is_unedited(hook, &bytes, state.find(&path, hook)) {
            status = Status::Warn;
            detail.push_str("; it was edited or is from another leakgate version (`leakgate install --force` rewrites it)");
        } else if bytes != hook.shim().as_bytes() {
            status = Status::Warn;
            detail.push_str(
                "; it is an earlier leakgate version's shim (`leakgate install` updates it)",
            );
        }
        if shim::exists(&chained) {
            if is_executable(&chained) {
                detail.push_str(&format!(
                    "; it runs the previous hook first ({})",
                    repo.display(&chained)
                ));
            } else {
                detail.push_str(&format!(
                    "; the previous hook ({}) is not executable and is not run, as before",
                    repo.display(&chained)
                ));
            }
        }
        return check(status, name, detail);
    }
    if shim::exists(&path) {
        let what = std::fs::read(&path)
            .map(|b| manager::describe_foreign(&b))
            .unwrap_or("a hook leakgate did not write");
        let moved = [".old", ".legacy"]
            .iter()
            .map(|s| PathBuf::from(format!("{}{s}", path.display())))
            .find(|p| shim::read_shim(p).is_some());
        let mut detail =
            format!("{shown} is {what}, not leakgate's shim, so leakgate does not run");
        if let Some(m) = moved {
            detail.push_str(&format!(
                "; leakgate's shim was moved to {} by another installer",
                repo.display(&m)
            ));
        }
        if shim::exists(&chained) {
            detail.push_str(&format!(
                "; {} still holds the hook leakgate chained",
                repo.display(&chained)
            ));
        }
        detail.push_str(": run `leakgate uninstall` then `leakgate install`");
        return check(Status::Fail, name, detail);
    }
    let default = repo.default_hooks_dir().join(name);
    if default != path && shim::read_shim(&default).is_some() {
        let hp = repo.hooks_path.as_ref().map_or(String::new(), |h| {
            format!(" (core.hooksPath = {}, {} config)", h.value, h.scope)
        });
        return check(
            Status::Fail,
            name,
            format!(
                "leakgate is installed in {} but git runs hooks from {}{hp}: it is shadowed; \
                 run `leakgate install` again",
                repo.display(&default),
                repo.display(&repo.hooks_dir)
            ),
        );
    }
    check(
        Status::Fail,
        name,
        format!("not installed ({shown} does not exist): run `leakgate install`"),
    )
}

fn husky_hook(repo: &Repo, hook: Hook, dir: &Path, legacy: bool, active: bool) -> Check {
    let name = hook.name();
    let script = dir.join(name);
    if !husky::has_block(hook, dir) {
        return check(
            Status::Fail,
            name,
            format!(
                "{} has no leakgate block: run `leakgate install`",
                repo.display(&script)
            ),
        );
    }
    if !active {
        return check(
            Status::Fail,
            name,
            format!(
                "{} has the leakgate block, but husky is not active in this clone \
                 (core.hooksPath is unset): run `npx husky` (or `npm install`)",
                repo.display(&script)
            ),
        );
    }
    if !legacy && !repo.hooks_dir.join(name).is_file() {
        return check(
            Status::Fail,
            name,
            format!(
                "{} has the leakgate block, but husky's {} is missing: run `npx husky`",
                repo.display(&script),
                repo.display(&repo.hooks_dir.join(name))
            ),
        );
    }
    if legacy && !is_executable(&script) {
        return check(
            Status::Fail,
            name,
            format!(
                "{} is not executable, so git skips it: chmod +x it",
                repo.display(&script)
            ),
        );
    }
    let shown = repo.display(&script);
    stale(
        husky::freshness(hook, dir),
        name,
        format!("husky runs the leakgate block in {shown}"),
    )
}

fn lefthook_hook(repo: &Repo, hook: Hook, config: &Path) -> Check {
    let name = hook.name();
    let Some(entry) = lefthook::runs_leakgate(hook, config) else {
        return check(
            Status::Fail,
            name,
            format!(
                "{} does not run leakgate for {name}: run `leakgate install`",
                repo.display(config)
            ),
        );
    };
    let installed = std::fs::read(repo.hooks_dir.join(name))
        .is_ok_and(|b| String::from_utf8_lossy(&b).contains("lefthook"));
    if !installed {
        return check(
            Status::Fail,
            name,
            format!(
                "{} runs leakgate, but lefthook's {name} hook is not in {}: run `lefthook install`",
                repo.display(config),
                repo.display(&repo.hooks_dir)
            ),
        );
    }
    if hook == Hook::PrePush && !entry.use_stdin {
        return check(
            Status::Warn,
            name,
            "lefthook runs leakgate pre-push without `use_stdin: true`: leakgate can't see the pushed refs",
        );
    }
    stale(
        lefthook::freshness(hook, config),
        name,
        format!("lefthook runs leakgate ({})", repo.display(config)),
    )
}

/// An ok check, or a warning when leakgate's block is an earlier version's or edited.
fn stale(freshness: Option<Freshness>, topic: &str, detail: String) -> Check {
    match freshness {
        Some(Freshness::Previous) => check(
            Status::Warn,
            topic,
            format!(
                "{detail}; the block is an earlier leakgate version's: `leakgate install` \
                 updates it (then commit it)"
            ),
        ),
        Some(Freshness::Edited) => check(
            Status::Warn,
            topic,
            format!(
                "{detail}; the block differs from this version's (edited, or written by \
                 another leakgate version): `leakgate install --force` rewrites it"
            ),
        ),
        Some(Freshness::Current) | None => check(Status::Ok, topic, detail),
    }
}

/// Where the hooks' binary was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// `LEAKGATE_BIN`.
    Env,
    /// The project's own `node_modules/.bin/leakgate` (`npm i -D leakgate`).
    NodeModules,
    /// `PATH`.
    Path,
    /// `$CARGO_HOME/bin` or `~/.cargo/bin`.
    Cargo,
}

/// The binary a hook would run, resolved as the shims and husky blocks do: `LEAKGATE_BIN`,
/// then `node_modules/.bin/leakgate` at the top of the work tree, then `PATH`, then
/// `$CARGO_HOME/bin`, then `~/.cargo/bin`. (lefthook's entries skip `LEAKGATE_BIN` and
/// cargo's directory.)
pub fn hook_binary(work_tree: &Path) -> Option<(PathBuf, Source)> {
    if let Some(b) = std::env::var_os("LEAKGATE_BIN").filter(|b| !b.is_empty()) {
        return Some((PathBuf::from(b), Source::Env));
    }
    let project = npm::bin(work_tree);
    if is_executable(&project) {
        return Some((project, Source::NodeModules));
    }
    if let Some(p) = on_path() {
        return Some((p, Source::Path));
    }
    let mut dirs = Vec::new();
    if let Some(c) = std::env::var_os("CARGO_HOME").filter(|c| !c.is_empty()) {
        dirs.push(PathBuf::from(c));
    }
    if let Some(h) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(h).join(".cargo"));
    }
    dirs.into_iter()
        .map(|d| d.join("bin").join("leakgate"))
        .find(|p| is_executable(p))
        .map(|p| (p, Source::Cargo))
}

/// `leakgate` on `PATH`, if any.
pub fn on_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|d| !d.as_os_str().is_empty())
        .map(|d| d.join("leakgate"))
        .find(|p| is_executable(p))
}

/// The version a leakgate binary reports (`leakgate 0.1.0` → `0.1.0`), `None` when it
/// doesn't answer `--version`.
fn version_of(bin: &Path) -> Option<String> {
    let out = std::process::Command::new(bin)
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace().last().map(str::to_string)
}

/// Checks the binary the hooks would call (path, version, where it was found) and, in a
/// project with a package.json, that it is the version the project pins.
pub fn binary(work_tree: &Path, this_version: &str) -> Vec<Check> {
    let project = npm::project(work_tree);
    let Some((bin, source)) = hook_binary(work_tree) else {
        let how = match &project {
            Some(p) if p.listed.spec().is_some() => format!(
                "package.json lists leakgate: run `{}` (other ways: `leakgate help install`)",
                p.manager.install()
            ),
            Some(p) => format!(
                "`{}` (other ways: `leakgate help install`)",
                p.manager.add_dev()
            ),
            None => "install it with `npm i -g leakgate`, or put it on PATH or in \
                     LEAKGATE_BIN (`leakgate help install` says where to get it)"
                .to_string(),
        };
        return vec![check(
            Status::Fail,
            "binary",
            format!(
                "the hooks would not find leakgate (LEAKGATE_BIN, node_modules/.bin, PATH, \
                 $CARGO_HOME/bin, ~/.cargo/bin): {how}"
            ),
        )];
    };
    if !is_executable(&bin) {
        return vec![check(
            Status::Fail,
            "binary",
            format!(
                "{} (from LEAKGATE_BIN) is not an executable file",
                bin.display()
            ),
        )];
    }
    let Some(version) = version_of(&bin) else {
        return vec![check(
            Status::Fail,
            "binary",
            format!(
                "{} does not answer `--version`: reinstall it",
                bin.display()
            ),
        )];
    };
    let mut status = Status::Ok;
    let from = match source {
        Source::Env => "LEAKGATE_BIN",
        Source::NodeModules => "the project's node_modules",
        Source::Path => "PATH",
        Source::Cargo => "cargo's bin directory",
    };
    let mut detail = format!(
        "the hooks run {} (version {version}, from {from})",
        bin.display()
    );
    match (source, on_path()) {
        // The project's own is found by its path; another on PATH is for other repositories.
        (Source::NodeModules, _) => {}
        (_, Some(p)) if same_file(&p, &bin) => detail.push_str(", the one on PATH"),
        (_, Some(p)) => {
            status = Status::Warn;
            detail.push_str(&format!("; PATH has another one: {}", p.display()));
        }
        (_, None) => {
            status = Status::Warn;
            detail.push_str("; leakgate is not on PATH (GUI git clients may not find it either)");
        }
    }
    if version != this_version {
        status = Status::Warn;
        detail.push_str(&format!("; this doctor is {this_version}"));
    }
    let mut out = vec![check(status, "binary", detail)];
    if let Some(project) = project {
        out.push(pinned(work_tree, &project, &version, source));
    }
    out
}

/// Whether the hooks run the version package.json pins (`npm` line of doctor).
fn pinned(work_tree: &Path, project: &npm::Project, running: &str, source: Source) -> Check {
    let pm = project.manager;
    let Some(spec) = project.listed.spec() else {
        return check(
            Status::Warn,
            "npm",
            format!(
                "package.json does not list leakgate: `{}` pins it, so teammates get it from \
                 `{}`",
                pm.add_dev(),
                pm.install()
            ),
        );
    };
    let field = match project.listed {
        npm::Listed::Prod(_) => "dependencies",
        _ => "devDependencies",
    };
    let pin = format!("package.json pins leakgate {spec:?} ({field})");
    let installed = npm::installed_version(work_tree);
    let Some(installed) = installed else {
        return check(
            Status::Warn,
            "npm",
            format!(
                "{pin} but node_modules has no leakgate: run `{}` (the hooks run version \
                 {running} meanwhile)",
                pm.install()
            ),
        );
    };
    if npm::satisfies(spec, &installed) == Some(false) {
        return check(
            Status::Warn,
            "npm",
            format!(
                "{pin} but node_modules has {installed}: run `{}`",
                pm.install()
            ),
        );
    }
    if installed != running {
        let why = match source {
            Source::Env => "LEAKGATE_BIN overrides it",
            Source::NodeModules => {
                "node_modules/.bin/leakgate runs another binary (LEAKGATE_BINARY_PATH?)"
            }
            Source::Path | Source::Cargo => {
                "node_modules/.bin/leakgate is missing or not executable"
            }
        };
        return check(
            Status::Warn,
            "npm",
            format!(
                "{pin}, node_modules has {installed}, but the hooks run version {running}: {why}"
            ),
        );
    }
    check(
        Status::Ok,
        "npm",
        format!("{pin}; node_modules has {installed}, the version the hooks run"),
    )
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}
