//! The project's own leakgate, from npm (`npm i -D leakgate`): whether the root package.json
//! lists it, which package manager the repository uses (to name the right command), and
//! which version its `node_modules` holds. The hooks run `node_modules/.bin/leakgate` before
//! any leakgate on `PATH`, so a teammate gets the pinned version from the usual install.

use std::path::{Path, PathBuf};

/// The package managers whose commands leakgate suggests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PackageManager {
    /// npm (also the default when nothing says otherwise).
    Npm,
    /// pnpm.
    Pnpm,
    /// Yarn (classic or berry: the commands are the same).
    Yarn,
    /// Bun.
    Bun,
}

impl PackageManager {
    /// The command that adds leakgate to devDependencies.
    pub fn add_dev(self) -> &'static str {
        match self {
            PackageManager::Npm => "npm i -D leakgate",
            PackageManager::Pnpm => "pnpm add -D leakgate",
            PackageManager::Yarn => "yarn add -D leakgate",
            PackageManager::Bun => "bun add -d leakgate",
        }
    }

    /// The command that installs what package.json lists.
    pub fn install(self) -> &'static str {
        match self {
            PackageManager::Npm => "npm install",
            PackageManager::Pnpm => "pnpm install",
            PackageManager::Yarn => "yarn install",
            PackageManager::Bun => "bun install",
        }
    }

    /// The lockfile to commit with package.json.
    pub fn lockfile(self) -> &'static str {
        match self {
            PackageManager::Npm => "package-lock.json",
            PackageManager::Pnpm => "pnpm-lock.yaml",
            PackageManager::Yarn => "yarn.lock",
            PackageManager::Bun => "bun.lock",
        }
    }

    fn from_name(name: &str) -> Option<PackageManager> {
        Some(match name {
            "npm" => PackageManager::Npm,
            "pnpm" => PackageManager::Pnpm,
            "yarn" => PackageManager::Yarn,
            "bun" => PackageManager::Bun,
            _ => return None,
        })
    }
}

/// Where package.json lists leakgate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Listed {
    /// Not at all.
    No,
    /// In `devDependencies`, with this spec (`^0.1.0`, `0.1.0`, `file:…`).
    Dev(String),
    /// In `dependencies` (so everyone who installs the package gets leakgate too).
    Prod(String),
}

impl Listed {
    /// The version spec, when listed.
    pub fn spec(&self) -> Option<&str> {
        match self {
            Listed::No => None,
            Listed::Dev(s) | Listed::Prod(s) => Some(s),
        }
    }
}

/// A work tree with a package.json at its root.
#[derive(Clone, Debug)]
pub struct Project {
    /// The package manager its `packageManager` field or lockfile names (npm otherwise).
    pub manager: PackageManager,
    /// Where its package.json lists leakgate.
    pub listed: Listed,
}

/// The project at `work_tree`, `None` when it has no package.json or one that doesn't parse
/// (the audit reports that one; install and doctor just have nothing to suggest).
pub fn project(work_tree: &Path) -> Option<Project> {
    let text = std::fs::read_to_string(work_tree.join("package.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let spec = |field: &str| {
        json.get(field)
            .and_then(|deps| deps.get("leakgate"))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let listed = match (spec("devDependencies"), spec("dependencies")) {
        (Some(s), _) => Listed::Dev(s),
        (None, Some(s)) => Listed::Prod(s),
        (None, None) => Listed::No,
    };
    let declared = json
        .get("packageManager")
        .and_then(|v| v.as_str())
        .and_then(|v| PackageManager::from_name(v.split('@').next().unwrap_or("")));
    let manager = declared.unwrap_or_else(|| by_lockfile(work_tree));
    Some(Project { manager, listed })
}

/// The package manager whose lockfile is at the root (npm when there is none).
fn by_lockfile(work_tree: &Path) -> PackageManager {
    let has = |name: &str| work_tree.join(name).is_file();
    if has("pnpm-lock.yaml") {
        PackageManager::Pnpm
    } else if has("yarn.lock") {
        PackageManager::Yarn
    } else if has("bun.lock") || has("bun.lockb") {
        PackageManager::Bun
    } else {
        PackageManager::Npm
    }
}

/// What install tells a project whose package.json does not list leakgate in devDependencies,
/// `None` when there is nothing to say.
pub fn install_note(work_tree: &Path) -> Option<String> {
    let project = project(work_tree)?;
    let pm = project.manager;
    match project.listed {
        Listed::Dev(_) => None,
        Listed::No => Some(format!(
            "package.json does not list leakgate, so a teammate's hooks find it only if they \
             install it themselves: `{}` adds it to devDependencies (commit package.json and \
             {}); their `{}` then brings the same version, and the hooks run \
             node_modules/.bin/leakgate",
            pm.add_dev(),
            pm.lockfile(),
            pm.install()
        )),
        Listed::Prod(_) => Some(format!(
            "package.json lists leakgate in dependencies, so everyone who installs this package \
             gets it too: move it to devDependencies (`{}`)",
            pm.add_dev()
        )),
    }
}

/// `node_modules/.bin/leakgate` at the root of the work tree (what the hooks try first).
pub fn bin(work_tree: &Path) -> PathBuf {
    work_tree.join("node_modules").join(".bin").join("leakgate")
}

/// The version of leakgate in the work tree's `node_modules`, if installed.
pub fn installed_version(work_tree: &Path) -> Option<String> {
    let path = work_tree.join("node_modules/leakgate/package.json");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    json.get("version")?.as_str().map(str::to_string)
}

/// Whether `version` satisfies the package.json spec, for the specs that pin a version
/// (`1.2.3`, `=1.2.3`, `^1.2.3`, `~1.2.3`, `>=1.2.3`); `None` for anything else (tags,
/// `file:`, `workspace:`, compound ranges), which only the package manager can judge.
pub fn satisfies(spec: &str, version: &str) -> Option<bool> {
    let spec = spec.trim();
    let (op, rest) = ["^", "~", ">=", "="]
        .iter()
        .find_map(|op| spec.strip_prefix(op).map(|r| (*op, r)))
        .unwrap_or(("", spec));
    let want = parse(rest.trim().trim_start_matches('v'))?;
    let have = parse(version.trim().trim_start_matches('v'))?;
    Some(match op {
        "" | "=" => have == want,
        ">=" => have >= want,
        "~" => have >= want && have.0 == want.0 && have.1 == want.1,
        // ^: the left-most non-zero part stays the same.
        _ => {
            have >= want
                && have.0 == want.0
                && (want.0 > 0 || have.1 == want.1)
                && (want.0 > 0 || want.1 > 0 || have.2 == want.2)
        }
    })
}

/// `major.minor.patch[-pre]` → (major, minor, patch, pre); a pre-release sorts before its
/// release (empty `pre` is the release).
type Version = (u64, u64, u64, PreRelease);

/// A pre-release tag where "no tag" sorts last.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct PreRelease(bool, String);

fn parse(v: &str) -> Option<Version> {
    let (core, pre) = match v.split_once('-') {
        Some((c, p)) => (c, p.split('+').next().unwrap_or("")),
        None => (v.split('+').next().unwrap_or(v), ""),
    };
    let mut parts = core.split('.');
    let mut num = || parts.next()?.parse::<u64>().ok();
    let version = (num()?, num()?, num()?);
    if parts.next().is_some() {
        return None;
    }
    Some((
        version.0,
        version.1,
        version.2,
        PreRelease(pre.is_empty(), pre.to_string()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_that_pin_a_version() {
        assert_eq!(satisfies("0.1.0", "0.1.0"), Some(true));
        assert_eq!(satisfies("0.1.0", "0.1.1"), Some(false));
        assert_eq!(satisfies("^0.1.0", "0.1.4"), Some(true));
        assert_eq!(satisfies("^0.1.0", "0.2.0"), Some(false));
        assert_eq!(satisfies("^1.2.0", "1.9.0"), Some(true));
        assert_eq!(satisfies("^1.2.0", "1.1.9"), Some(false));
        assert_eq!(satisfies("^0.0.3", "0.0.4"), Some(false));
        assert_eq!(satisfies("~1.2.3", "1.2.9"), Some(true));
        assert_eq!(satisfies("~1.2.3", "1.3.0"), Some(false));
        assert_eq!(satisfies(">=0.1.0", "2.0.0"), Some(true));
        assert_eq!(satisfies("=v0.1.0", "0.1.0"), Some(true));
        assert_eq!(satisfies("0.2.0", "0.2.0-rc.1"), Some(false));
        assert_eq!(satisfies("^0.2.0-rc.1", "0.2.0"), Some(true));
    }

    #[test]
    fn other_specs_are_left_to_the_package_manager() {
        for spec in [
            "latest",
            "file:../leakgate-0.1.0.tgz",
            "workspace:*",
            "^0.1 || ^0.2",
            "*",
            "0.1",
        ] {
            assert_eq!(satisfies(spec, "0.1.0"), None, "{spec}");
        }
    }

    #[test]
    fn package_manager_and_listing_from_the_work_tree() {
        let dir = tempfile::tempdir().unwrap();
        assert!(project(dir.path()).is_none());
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write("package.json", "{\"name\":\"app\"}");
        let p = project(dir.path()).unwrap();
        assert_eq!((p.manager, p.listed), (PackageManager::Npm, Listed::No));
        let note = install_note(dir.path()).unwrap();
        assert!(
            note.contains("`npm i -D leakgate`") && note.contains("package-lock.json"),
            "{note}"
        );
        write("pnpm-lock.yaml", "");
        assert_eq!(project(dir.path()).unwrap().manager, PackageManager::Pnpm);
        assert!(install_note(dir.path())
            .unwrap()
            .contains("`pnpm add -D leakgate`"));
        write(
            "package.json",
            "{\"packageManager\":\"bun@1.2.0\",\"dependencies\":{\"leakgate\":\"^0.1.0\"}}",
        );
        let p = project(dir.path()).unwrap();
        assert_eq!(
            (p.manager, p.listed),
            (PackageManager::Bun, Listed::Prod("^0.1.0".into()))
        );
        assert!(install_note(dir.path())
            .unwrap()
            .contains("move it to devDependencies (`bun add -d leakgate`)"));
        write(
            "package.json",
            "{\"devDependencies\":{\"leakgate\":\"0.1.0\"}}",
        );
        assert_eq!(install_note(dir.path()), None);
        write("package.json", "{ not json");
        assert!(project(dir.path()).is_none());
    }
}
