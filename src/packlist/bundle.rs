//! Bundled dependencies (docs/npm-pack-rules.md §8): after a package is walked, each bundled dependency
//! that resolves node-style through `node_modules` is walked as its own package root,
//! and so are its own production and optional dependencies, each at most once.

use super::manifest::{self, Manifest};
use super::walk::{self, PackageWalk, Shared};
use super::PacklistError;
use crate::snapshot::{join, EntryKind, Snapshot};
use serde_json::Value;
use std::collections::HashSet;

/// A node-style nesting deeper than this is a symlink loop (real trees are far shallower).
const MAX_NESTING: usize = 64;

/// One package whose bundle list still has to be gathered.
struct Pending {
    /// The package's location in the snapshot (a link path for symlinked packages).
    dir: String,
    manifest: Manifest,
    /// The project root (its list is `bundleDependencies`; its dev edges count).
    is_root: bool,
    /// A link target: a "top" node whose devDependencies also make edges.
    is_top: bool,
}

/// Walks the bundled dependencies of the package at `root_dir` and reports each file as
/// a path relative to `root_dir`.
pub fn gather(
    snap: &dyn Snapshot,
    shared: &Shared,
    root_dir: &str,
    root_manifest: &Manifest,
    emit: &mut dyn FnMut(walk::Found),
) -> Result<(), PacklistError> {
    // Nothing is bundled unless the root names it (deeper packages are only reached through
    // the root's bundle): skip the workspace lookup, which reads every member's manifest.
    if root_manifest.bundle.is_empty() {
        return Ok(());
    }
    let mut seen: HashSet<String> = HashSet::new();
    seen.insert(root_dir.to_string());
    let mut queue = vec![Pending {
        dir: root_dir.to_string(),
        manifest: root_manifest.clone(),
        is_root: true,
        is_top: true,
    }];
    let workspace_names = workspace_names(snap, root_dir, &root_manifest.value);
    while let Some(p) = queue.pop() {
        for name in bundle_names(&p) {
            if !has_bundlable_edge(&p, &name, &workspace_names) {
                continue;
            }
            let Some((dep_dir, is_link)) = resolve(snap, root_dir, &p.dir, &name)? else {
                continue;
            };
            if !seen.insert(dep_dir.clone()) {
                continue;
            }
            if dep_dir.matches("node_modules").count() > MAX_NESTING {
                continue;
            }
            let m = dep_manifest(snap, &dep_dir)?;
            let spec = PackageWalk {
                dir: dep_dir.clone(),
                manifest: &m,
                root_kinds: if is_link { walk::FULL } else { walk::BUNDLED },
                sub_kinds: walk::SUB,
                extra_defaults: Vec::new(),
                is_bundle: true,
                names_only: false,
                pnpm: false,
            };
            let prefix = relative_to(root_dir, &dep_dir);
            walk::walk_package(snap, shared, &spec, &mut |f| {
                emit(walk::Found {
                    rel: join(&prefix, &f.rel),
                    ..f
                })
            })?;
            queue.push(Pending {
                dir: dep_dir,
                manifest: m,
                is_root: false,
                is_top: is_link,
            });
        }
    }
    Ok(())
}

fn relative_to(root: &str, path: &str) -> String {
    if root.is_empty() {
        path.to_string()
    } else {
        path.strip_prefix(root)
            .map(|r| r.trim_start_matches('/').to_string())
            .unwrap_or_else(|| path.to_string())
    }
}

/// The names to bundle: the root's `bundleDependencies`; for a bundled package, all of
/// its `dependencies` and `optionalDependencies`.
fn bundle_names(p: &Pending) -> Vec<String> {
    if p.is_root {
        return p.manifest.bundle.clone();
    }
    let keys = |k: &str| -> Vec<String> {
        p.manifest
            .value
            .get(k)
            .and_then(Value::as_object)
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    let mut names = keys("dependencies");
    names.extend(keys("optionalDependencies"));
    names
}

/// Whether arborist's edge for `name` exists and is neither `peer` nor `dev`. Later
/// dependency types overwrite earlier ones (peer < prod < optional < dev); workspace
/// edges are never overwritten.
fn has_bundlable_edge(p: &Pending, name: &str, workspaces: &[String]) -> bool {
    let has = |k: &str| {
        p.manifest
            .value
            .get(k)
            .and_then(Value::as_object)
            .is_some_and(|o| o.contains_key(name))
    };
    if p.is_root && workspaces.iter().any(|w| w == name) {
        return true;
    }
    if p.is_top && has("devDependencies") {
        return false;
    }
    has("optionalDependencies") || has("dependencies")
}

fn workspace_names(snap: &dyn Snapshot, root: &str, manifest: &Value) -> Vec<String> {
    let Ok(dirs) = crate::workspace::npm_workspaces(snap, root, manifest) else {
        return Vec::new();
    };
    dirs.iter()
        .map(|d| {
            crate::workspace::read_manifest(snap, d)
                .ok()
                .flatten()
                .and_then(|v| v.get("name").and_then(Value::as_str).map(str::to_string))
                .unwrap_or_else(|| manifest::posix_basename(d).to_string())
        })
        .collect()
}

/// Node-style resolution of `name` from the package at `from`: `from/node_modules/name`,
/// then the enclosing packages' `node_modules`, up to the project root. Returns the
/// location and whether it is a symlink.
fn resolve(
    snap: &dyn Snapshot,
    root: &str,
    from: &str,
    name: &str,
) -> Result<Option<(String, bool)>, PacklistError> {
    if !valid_name(name) {
        return Ok(None);
    }
    let mut cur = from.to_string();
    loop {
        let candidate = join(&join(&cur, "node_modules"), name);
        if let Some(e) = snap.lstat(&candidate)? {
            match e.kind {
                EntryKind::Dir => return Ok(Some((candidate, false))),
                // A link to a directory (a dangling or file link is no package).
                EntryKind::Symlink if snap.read_dir(&candidate).is_ok() => {
                    return Ok(Some((candidate, true)));
                }
                _ => {}
            }
        }
        if cur == root {
            return Ok(None);
        }
        match parent_package(&cur) {
            Some(p) if p.len() >= root.len() => cur = p,
            _ => return Ok(None),
        }
    }
}

/// `a/node_modules/b` → `a`; `a/node_modules/@s/b` → `a`.
fn parent_package(dir: &str) -> Option<String> {
    let idx = dir.rfind("/node_modules/").or_else(|| {
        dir.starts_with("node_modules/")
            .then_some(0)
            .map(|_| usize::MAX)
    })?;
    if idx == usize::MAX {
        return Some(String::new());
    }
    Some(dir[..idx].to_string())
}

fn valid_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('/').collect();
    let ok = |s: &str| !s.is_empty() && s != "." && s != ".." && !s.contains('\\');
    match parts.as_slice() {
        [one] => ok(one),
        [scope, pkg] => scope.starts_with('@') && ok(scope) && ok(pkg),
        _ => false,
    }
}

/// The dependency's package.json as arborist reads it (`{}` when missing or invalid).
fn dep_manifest(snap: &dyn Snapshot, dir: &str) -> Result<Manifest, PacklistError> {
    let path = join(dir, "package.json");
    let value = snap
        .read(&path)
        .ok()
        .and_then(|b| manifest::parse_json(&path, &b).ok())
        .unwrap_or(Value::Object(Default::default()));
    manifest::read(&path, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_of_nested_packages() {
        assert_eq!(parent_package("node_modules/a").as_deref(), Some(""));
        assert_eq!(parent_package("node_modules/@s/a").as_deref(), Some(""));
        assert_eq!(
            parent_package("pkg/node_modules/a/node_modules/b").as_deref(),
            Some("pkg/node_modules/a")
        );
        assert_eq!(parent_package("pkg"), None);
    }

    #[test]
    fn names() {
        assert!(valid_name("@s/a"));
        assert!(!valid_name("a/b"));
        assert!(!valid_name(".."));
    }
}
