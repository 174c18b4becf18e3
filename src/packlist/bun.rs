//! What `bun pm pack` / `bun publish` (bun 1.4, `pack_command.zig`) ships. Its rules,
//! learned from its source and checked against the real bun:
//!
//! - Only regular files and folders are seen (symlinks and special files never ship).
//!   `package.json` always ships; the root `node_modules` only through bundled dependencies.
//! - At the root, `package.json`, `LICENSE`, `LICENCE`, `README` and `NAME.*` of those (and
//!   `CHANGELOG*` for the ignore files) are never excluded (case-sensitive on Linux); the
//!   root lockfiles (`package-lock.json`, `yarn.lock`, `pnpm-lock.yaml`, `bun.lockb`,
//!   `bun.lock`) always are.
//! - Default excludes, matched against the entry name at any depth: `.*.swp`, `._*`,
//!   `.DS_Store`, `.gitignore`, `.npmignore`, `.lock-wscript`, `.svn`, `.wafpickle-*`, `CVS`,
//!   `npm-debug.log`, `.env.production`, `bunfig.toml` (an ignore file's `!` can bring these
//!   back) and `.git`, `.hg`, `.npmrc` (never).
//! - Without `files`: each folder's `.npmignore` (else `.gitignore`) applies to its subtree;
//!   a line with a slash other than at its end matches the path from that folder, one
//!   without matches the name; the last matching line wins; an excluded folder is not
//!   entered unless a `!` line with a path could name something in it. Matching is
//!   case-sensitive.
//! - With `files` (an array of strings; anything else, `[]` included, is refused): an
//!   entry matches the path from the package root (`**/x` matches the name at any depth).
//!   A matching file ships with no default exclude or ignore file consulted; a matching
//!   folder ships whole, minus the default excludes, the ignore files inside it and the
//!   `!` entries of `files`, which always win over plain ones.
//! - `main`, `bin` and `browser` are not forced in.
//! - `bundleDependencies` (array, or `true` for every `dependencies` key) ship from the root
//!   `node_modules` with their own `dependencies` and `optionalDependencies`, found by walking
//!   up `node_modules` folders; any other value is refused. One whose entry is a symlink to
//!   a folder ships as that package packs itself; one of `dependencies` with no folder
//!   there is refused.

use super::glob::{Dialect, Glob};
use super::PacklistError;
use crate::snapshot::{join, EntryKind, Snapshot};
use serde_json::Value;

/// A line of an ignore file or a `files` entry, as bun's `Pattern.fromUTF8` reads it.
struct Pat {
    glob: Glob,
    negated: bool,
    /// A slash at the start or in the middle: match the path, not the name.
    rel_path: bool,
    dirs_only: bool,
    /// Began with `**/`: match the name at any depth (for `files`).
    leading_globstar: bool,
    /// The pattern once its markers are stripped (what `glob` compiles).
    source: String,
}

impl Pat {
    /// `None` for a pattern that is empty once its markers are stripped.
    fn new(raw: &str) -> Result<Option<Pat>, String> {
        let mut rest = raw;
        let before = rest.len();
        rest = rest.trim_start_matches('!');
        let negated = rest.len() != before;
        if rest.is_empty() {
            return Ok(None);
        }
        let mut leading_globstar = false;
        if let Some(r) = rest.strip_prefix("**/") {
            rest = r;
            if rest.is_empty() {
                return Ok(None);
            }
            leading_globstar = true;
        }
        let dirs_only = rest.ends_with('/');
        if dirs_only {
            rest = &rest[..rest.len() - 1];
            if rest.is_empty() {
                return Ok(None);
            }
        }
        let rel_path = if let Some(r) = rest.strip_prefix('/') {
            rest = r;
            if rest.is_empty() {
                return Ok(None);
            }
            true
        } else {
            rest.find('/').is_some_and(|i| i != rest.len() - 1)
        };
        Ok(Some(Pat {
            glob: Glob::new(rest, Dialect::Bun)?,
            negated,
            rel_path,
            dirs_only,
            leading_globstar,
            source: rest.to_string(),
        }))
    }

    /// Whether this path pattern could name something inside the folder `rel` (relative
    /// to its ignore file's folder): each of the folder's segments matches the pattern's
    /// segment at that place, and the pattern goes deeper (a `**` segment reaches anywhere).
    fn may_reach_into(&self, rel: &str) -> bool {
        if self.leading_globstar {
            return true;
        }
        let segs: Vec<&str> = self.source.split('/').collect();
        for (i, part) in rel.split('/').enumerate() {
            let Some(seg) = segs.get(i) else {
                return false;
            };
            if *seg == "**" {
                return true;
            }
            if i + 1 == segs.len() {
                return false;
            }
            if !Glob::new(seg, Dialect::Bun).map_or(true, |g| g.is_match(part)) {
                return false;
            }
        }
        true
    }
}

/// The default excludes: (name pattern, whether an ignore file's `!` can bring it back).
const DEFAULTS: &[(&str, bool)] = &[
    (".*.swp", true),
    ("._*", true),
    (".DS_Store", true),
    (".git", false),
    (".gitignore", true),
    (".hg", false),
    (".npmignore", true),
    (".npmrc", false),
    (".lock-wscript", true),
    (".svn", true),
    (".wafpickle-*", true),
    ("CVS", true),
    ("npm-debug.log", true),
    (".env.production", true),
    ("bunfig.toml", true),
];

/// Lockfiles never packed from the package root.
const ROOT_LOCKFILES: &[&str] = &[
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lockb",
    "bun.lock",
];

/// The compiled defaults (once per process).
fn defaults() -> &'static [(Glob, bool)] {
    static D: std::sync::OnceLock<Vec<(Glob, bool)>> = std::sync::OnceLock::new();
    D.get_or_init(|| {
        DEFAULTS
            .iter()
            .map(|(p, o)| {
                (
                    Glob::new(p, Dialect::Bun).expect("bun's defaults compile"),
                    *o,
                )
            })
            .collect()
    })
}

/// `NAME` or `NAME.something` (case-sensitive).
fn special_or_variant(file: &str, name: &str) -> bool {
    file == name
        || (file.len() > name.len() + 1
            && file.starts_with(name)
            && file.as_bytes()[name.len()] == b'.')
}

/// Files that ship from the package root whatever `files` and the ignore files say.
fn unconditional(name: &str) -> bool {
    name.len() > 5
        && (name == "package.json"
            || special_or_variant(name, "LICENSE")
            || special_or_variant(name, "LICENCE")
            || special_or_variant(name, "README"))
}

/// The ignore patterns of one folder and its depth (root = 1).
struct IgnoreFile {
    pats: Vec<Pat>,
    depth: usize,
    has_rel_path: bool,
}

/// `subpath` relative to the folder of an ignore file at `depth` (the root's is 1).
fn below_ignore_file(subpath: &str, depth: usize) -> &str {
    let mut rel = subpath;
    for _ in 1..depth {
        if let Some(i) = rel.find('/') {
            rel = &rel[i + 1..];
        }
    }
    rel
}

/// Reads a folder's `.npmignore`, else its `.gitignore`.
fn read_ignore(
    snap: &dyn Snapshot,
    dir: &str,
    names: &[crate::snapshot::Entry],
    depth: usize,
) -> Result<Option<IgnoreFile>, PacklistError> {
    let pick = [".npmignore", ".gitignore"].into_iter().find(|n| {
        names
            .iter()
            .any(|e| e.name == *n && e.kind != EntryKind::Dir)
    });
    let Some(name) = pick else {
        return Ok(None);
    };
    let path = join(dir, name);
    let bytes = match snap.read(&path) {
        Ok(b) => b,
        Err(crate::snapshot::SnapshotError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes));
    let mut pats = Vec::new();
    let mut has_rel_path = false;
    for line in text.split('\n').filter(|l| !l.is_empty()) {
        if line.starts_with('#') {
            continue;
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let pat = Pat::new(line).map_err(|message| PacklistError::Rules {
            file: path.clone(),
            message,
        })?;
        if let Some(p) = pat {
            has_rel_path |= p.rel_path;
            pats.push(p);
        }
    }
    if pats.is_empty() {
        return Ok(None);
    }
    Ok(Some(IgnoreFile {
        pats,
        depth,
        has_rel_path,
    }))
}

/// bun's `isExcluded` for an entry of a folder at `depth`: `Some(true)` excluded,
/// `Some(false)` not; `None` excluded for good (`.git`, `.hg`, `.npmrc`, root lockfiles: no
/// `!` brings them back, so such a folder is not entered). `inherited`: the entry sits in an
/// excluded folder, so it stays out unless a `!` line names it.
fn excluded(
    name: &str,
    subpath: &str,
    is_dir: bool,
    depth: usize,
    ignores: &[&IgnoreFile],
    inherited: bool,
) -> Option<bool> {
    if depth == 1 {
        if unconditional(name) || special_or_variant(name, "CHANGELOG") {
            return Some(false);
        }
        if ROOT_LOCKFILES.contains(&name) {
            return None;
        }
    }
    let mut ignored = inherited;
    for (glob, can_override) in defaults() {
        if glob.is_match(name) {
            if !can_override {
                return None;
            }
            ignored = true;
            break;
        }
    }
    for ig in ignores {
        let mut rel = subpath;
        if ig.has_rel_path {
            for _ in 1..ig.depth {
                if let Some(i) = rel.find('/') {
                    rel = &rel[i + 1..];
                }
            }
        }
        for p in &ig.pats {
            if p.dirs_only && !is_dir {
                continue;
            }
            let target = if p.rel_path && !p.leading_globstar {
                rel
            } else {
                name
            };
            if p.glob.is_match(target) {
                ignored = !p.negated;
            }
        }
    }
    Some(ignored)
}

/// Why bun refuses to pack.
fn refusal(file: &str, message: &str) -> PacklistError {
    PacklistError::Manifest {
        file: file.to_string(),
        line: 1,
        column: 1,
        message: format!("{message} (bun pm pack refuses this package)"),
    }
}

/// The files `bun pm pack` would ship from `dir`, relative to it, sorted bytewise.
pub fn pack_list(
    snap: &dyn Snapshot,
    dir: &str,
    manifest: &Value,
) -> Result<Vec<String>, PacklistError> {
    let source = join(dir, "package.json");
    let bundled = bundled_names(manifest, &source)?;
    // bun refuses a bundled dependency of `dependencies` with no folder (or link to one)
    // in `node_modules` (one of another group, or of none, it skips).
    if let Some(deps) = manifest.get("dependencies").and_then(Value::as_object) {
        for name in bundled.iter().filter(|n| deps.contains_key(n.as_str())) {
            let found = locate(snap, dir, &format!("node_modules/{name}"))?;
            if matches!(found, None | Some(Bundled::Broken)) {
                return Err(refusal(
                    &source,
                    &format!("bundled dependency \"{name}\" is not installed"),
                ));
            }
        }
    }
    let mut out = vec!["package.json".to_string()];
    own_files(snap, dir, manifest, &mut out)?;
    gather_bundled(snap, dir, &bundled, &mut out)?;
    out.sort();
    out.dedup();
    Ok(out)
}

/// A package's own files, `package.json` aside: by `files` or the ignore files, and its
/// `bin` targets (not its bundled dependencies).
fn own_files(
    snap: &dyn Snapshot,
    dir: &str,
    manifest: &Value,
    out: &mut Vec<String>,
) -> Result<(), PacklistError> {
    let source = join(dir, "package.json");
    match manifest.get("files") {
        None => walk_all(snap, dir, "", 1, &[], out, true)?,
        Some(Value::Array(a)) if !a.is_empty() && a.iter().all(Value::is_string) => {
            let mut includes = Vec::new();
            let mut excludes = Vec::new();
            for entry in a.iter().filter_map(Value::as_str) {
                let normalized = normalize(entry);
                let pat = Pat::new(&normalized).map_err(|m| refusal(&source, &m))?;
                match pat {
                    Some(p) if p.negated => excludes.push(p),
                    Some(p) => includes.push(p),
                    None => {}
                }
            }
            walk_files(snap, dir, &includes, &excludes, out)?;
        }
        Some(_) => {
            return Err(refusal(
                &source,
                "expected `files` to be an array of string values",
            ))
        }
    }
    add_bins(snap, dir, manifest, out)
}

/// bun ships its `bin` targets (a string, or an object's string values) whatever `files`
/// and the ignore files say; without `bin`, every file below `directories.bin`.
fn add_bins(
    snap: &dyn Snapshot,
    dir: &str,
    manifest: &Value,
    out: &mut Vec<String>,
) -> Result<(), PacklistError> {
    let push_file = |rel: String, out: &mut Vec<String>| -> Result<(), PacklistError> {
        // Forced, but never out of `.git`/`.hg` or an `.npmrc`.
        if rel.is_empty()
            || rel.split('/').any(|s| s == ".git" || s == ".hg")
            || rel.rsplit('/').next() == Some(".npmrc")
        {
            return Ok(());
        }
        if snap.lstat(&super::join_path(dir, &rel))?.map(|e| e.kind) == Some(EntryKind::File) {
            out.push(rel);
        }
        Ok(())
    };
    match manifest.get("bin") {
        Some(Value::String(s)) => return push_file(rooted(s), out),
        Some(Value::Object(m)) => {
            for v in m.values().filter_map(Value::as_str) {
                push_file(rooted(v), out)?;
            }
            return Ok(());
        }
        Some(_) => return Ok(()),
        None => {}
    }
    let Some(bin_dir) = manifest
        .get("directories")
        .and_then(|d| d.get("bin"))
        .and_then(Value::as_str)
    else {
        return Ok(());
    };
    let base = rooted(bin_dir);
    let mut stack = vec![base];
    while let Some(folder) = stack.pop() {
        let path = super::join_path(dir, &folder);
        let Ok(entries) = snap.read_dir_kinds(&path) else {
            continue;
        };
        for e in entries.iter() {
            let sub = super::join_path(&folder, &e.name);
            match e.kind {
                EntryKind::File => out.push(sub),
                EntryKind::Dir => stack.push(sub),
                _ => {}
            }
        }
    }
    Ok(())
}

/// A manifest path resolved from the package root (`../x` stays inside: `x`).
fn rooted(p: &str) -> String {
    let mut segs: Vec<&str> = Vec::new();
    for s in p.split('/') {
        match s {
            "" | "." => {}
            ".." => {
                segs.pop();
            }
            s => segs.push(s),
        }
    }
    segs.join("/")
}

/// bun's posix `normalizeBuf`: `.` segments and doubled slashes go, `..` pops a segment, a
/// leading `/` and a trailing `/` stay.
fn normalize(p: &str) -> String {
    let abs = p.starts_with('/');
    let trailing = p.len() > 1 && p.ends_with('/');
    let mut segs: Vec<&str> = Vec::new();
    for s in p.split('/') {
        match s {
            "" | "." => {}
            ".." => {
                if segs.last().is_some_and(|l| *l != "..") {
                    segs.pop();
                } else if !abs {
                    segs.push("..");
                }
            }
            s => segs.push(s),
        }
    }
    let mut out = String::new();
    if abs {
        out.push('/');
    }
    out.push_str(&segs.join("/"));
    if trailing && !segs.is_empty() {
        out.push('/');
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// `iterateProjectTree` (no `files`) and `addEntireTree` (a folder `files` included):
/// everything under `rel` (at `depth`) that the defaults and ignore files let through.
/// `skip_root_modules`: the walk's own root drops a `node_modules` folder.
fn walk_all(
    snap: &dyn Snapshot,
    dir: &str,
    rel: &str,
    depth: usize,
    base: &[&IgnoreFile],
    out: &mut Vec<String>,
    is_project_root: bool,
) -> Result<(), PacklistError> {
    // (folder, depth, ignore files in force)
    let mut owned: Vec<IgnoreFile> = Vec::new();
    let mut stack: Vec<(String, usize, Vec<usize>, bool)> =
        vec![(rel.to_string(), depth, Vec::new(), false)];
    let start_depth = depth;
    while let Some((folder, d, scope, inherited)) = stack.pop() {
        let path = super::join_path(dir, &folder);
        let entries = snap.read_dir_kinds(&path)?;
        let mut scope = scope;
        if let Some(ig) = read_ignore(snap, &path, &entries, d)? {
            owned.push(ig);
            scope.push(owned.len() - 1);
        }
        let ignores: Vec<&IgnoreFile> = base
            .iter()
            .copied()
            .chain(scope.iter().map(|&i| &owned[i]))
            .collect();
        let mut subdirs = Vec::new();
        for e in entries.iter() {
            let is_dir = match e.kind {
                EntryKind::File => false,
                EntryKind::Dir => true,
                _ => continue,
            };
            let sub = join(&folder, &e.name);
            if d == 1 && is_project_root && (e.name == "package.json" || e.name == "node_modules") {
                continue;
            }
            if d == start_depth && !is_project_root && is_dir && e.name == "node_modules" {
                continue;
            }
            let Some(out_now) = excluded(&e.name, &sub, is_dir, d, &ignores, inherited) else {
                continue;
            };
            if is_dir {
                // An excluded folder is still entered when a `!` line with a path could
                // name something in it (`!dist/x.js` reopens `dist`, not `lib`).
                let reopen = out_now
                    && ignores.iter().any(|ig| {
                        let rel = below_ignore_file(&sub, ig.depth);
                        ig.pats
                            .iter()
                            .any(|p| p.negated && p.rel_path && p.may_reach_into(rel))
                    });
                if !out_now || reopen {
                    subdirs.push((sub, out_now));
                }
            } else if !out_now {
                out.push(sub);
            }
        }
        for (s, out_now) in subdirs {
            stack.push((s, d + 1, scope.clone(), out_now));
        }
    }
    Ok(())
}

/// `iterateIncludedProjectTree`: files and folders the `files` entries name.
fn walk_files(
    snap: &dyn Snapshot,
    dir: &str,
    includes: &[Pat],
    excludes: &[Pat],
    out: &mut Vec<String>,
) -> Result<(), PacklistError> {
    let mut included_dirs: Vec<(String, usize)> = Vec::new();
    let mut stack: Vec<(String, usize)> = vec![(String::new(), 1)];
    while let Some((folder, d)) = stack.pop() {
        let entries = snap.read_dir_kinds(&super::join_path(dir, &folder))?;
        for e in entries.iter() {
            let is_dir = match e.kind {
                EntryKind::File => false,
                EntryKind::Dir => true,
                _ => continue,
            };
            let sub = join(&folder, &e.name);
            // `.git`, `.hg`, `.npmrc` and the root lockfiles stay out even when named.
            if excluded(&e.name, &sub, is_dir, d, &[], false).is_none() {
                continue;
            }
            let mut included = false;
            let mut always = false;
            if d == 1 {
                if e.name == "package.json" || e.name == "node_modules" {
                    continue;
                }
                if !is_dir && unconditional(&e.name) {
                    included = true;
                    always = true;
                }
            }
            if !included {
                for inc in includes {
                    if inc.dirs_only && !is_dir {
                        continue;
                    }
                    let target = if inc.leading_globstar { &e.name } else { &sub };
                    if inc.glob.is_match(target) {
                        included = true;
                    }
                }
            }
            if included && !always {
                for exc in excludes {
                    if exc.dirs_only && !is_dir {
                        continue;
                    }
                    let target = if exc.leading_globstar { &e.name } else { &sub };
                    if exc.glob.is_match(target) {
                        included = false;
                    }
                }
            }
            if !included {
                if is_dir {
                    stack.push((sub, d + 1));
                }
                continue;
            }
            if is_dir {
                included_dirs.push((sub, d + 1));
            } else {
                out.push(sub);
            }
        }
    }
    // The `!` entries, as plain patterns applied from the root of each included folder.
    let negated = IgnoreFile {
        pats: excludes
            .iter()
            .map(|p| Pat {
                glob: p.glob.clone(),
                negated: false,
                rel_path: p.rel_path,
                dirs_only: p.dirs_only,
                leading_globstar: p.leading_globstar,
                source: p.source.clone(),
            })
            .collect(),
        depth: 1,
        has_rel_path: false,
    };
    let base: Vec<&IgnoreFile> = if negated.pats.is_empty() {
        Vec::new()
    } else {
        vec![&negated]
    };
    for (sub, d) in included_dirs {
        walk_all(snap, dir, &sub, d, &base, out, false)?;
    }
    Ok(())
}

/// The bundled dependency names, or bun's refusal for a field of the wrong type.
fn bundled_names(manifest: &Value, source: &str) -> Result<Vec<String>, PacklistError> {
    for field in ["bundledDependencies", "bundleDependencies"] {
        let Some(v) = manifest.get(field) else {
            continue;
        };
        return match v {
            Value::Array(a) => {
                let mut names = Vec::new();
                for item in a {
                    match item.as_str() {
                        Some(s) => names.push(s.to_string()),
                        None => {
                            return Err(refusal(
                                source,
                                &format!(
                                    "expected `{field}` to be a boolean or an array of strings"
                                ),
                            ))
                        }
                    }
                }
                Ok(names)
            }
            Value::Bool(true) => Ok(manifest
                .get("dependencies")
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()),
            Value::Bool(false) => Ok(Vec::new()),
            _ => Err(refusal(
                source,
                &format!("expected `{field}` to be a boolean or an array of strings"),
            )),
        };
    }
    Ok(Vec::new())
}

/// The bundled dependencies' files (`iterateBundledDeps`). A dependency whose
/// `node_modules` entry is a folder ships whole (minus the default excludes and its own
/// `node_modules`); one whose entry is a symlink to a folder (a linked package) ships as
/// that package would pack itself: by its own `files` or ignore files, with its `bin`
/// targets, its `package.json` if it has one, and not its own bundled dependencies (checked
/// with bun 1.4). Either way its `dependencies` and `optionalDependencies` follow.
fn gather_bundled(
    snap: &dyn Snapshot,
    dir: &str,
    names: &[String],
    out: &mut Vec<String>,
) -> Result<(), PacklistError> {
    if names.is_empty() {
        return Ok(());
    }
    let nm = super::join_path(dir, "node_modules");
    if snap.kind(&nm)? != Some(EntryKind::Dir) {
        return Ok(());
    }
    let mut seen: std::collections::HashSet<String> = Default::default();
    // (path from the package as bun sees it, through links; where it really is; depth)
    let mut queue: Vec<(String, Bundled, usize)> = Vec::new();
    for name in names {
        let sub = format!("node_modules/{name}");
        if let Some(found) = locate(snap, dir, &sub)?.filter(Bundled::usable) {
            if seen.insert(sub.clone()) {
                queue.push((sub, found, 2));
            }
        }
    }
    while let Some((sub, found, d)) = queue.pop() {
        let real = match &found {
            Bundled::Folder(r) | Bundled::Linked(r) => r.clone(),
            Bundled::Broken | Bundled::Outside => continue,
        };
        // The dependency's own dependencies, nearest node_modules first.
        let json = snap
            .read(&join(&real, "package.json"))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok());
        for group in ["dependencies", "optionalDependencies"] {
            let Some(deps) = json
                .as_ref()
                .and_then(|j| j.get(group))
                .and_then(Value::as_object)
            else {
                continue;
            };
            for dep in deps.keys() {
                let mut base = sub.clone();
                loop {
                    let cand = format!("{base}/node_modules/{dep}");
                    if let Some(f) = locate(snap, dir, &cand)?.filter(Bundled::usable) {
                        if seen.insert(cand.clone()) {
                            let depth = cand.matches('/').count() + 1;
                            queue.push((cand, f, depth));
                        }
                        break;
                    }
                    match base.rfind("/node_modules/") {
                        Some(i) => base.truncate(i),
                        None => {
                            let top = format!("node_modules/{dep}");
                            if base != "node_modules" && !seen.contains(&top) {
                                if let Some(f) = locate(snap, dir, &top)?.filter(Bundled::usable) {
                                    seen.insert(top.clone());
                                    queue.push((top, f, 2));
                                }
                            }
                            break;
                        }
                    }
                }
            }
        }
        match found {
            Bundled::Folder(real) => walk_bundle(snap, &real, &sub, d, out)?,
            Bundled::Broken | Bundled::Outside => {}
            Bundled::Linked(real) => {
                let manifest = json.unwrap_or(Value::Null);
                let mut own = Vec::new();
                if snap.kind(&join(&real, "package.json"))? == Some(EntryKind::File) {
                    own.push("package.json".to_string());
                }
                own_files(snap, &real, &manifest, &mut own)?;
                out.extend(own.into_iter().map(|f| format!("{sub}/{f}")));
            }
        }
    }
    Ok(())
}

/// Where a bundled dependency's folder really is in the snapshot.
enum Bundled {
    /// A folder: walked whole.
    Folder(String),
    /// A symlink to a folder: packed as that package.
    Linked(String),
    /// A symlink that dangles inside the snapshot or names something else than a folder.
    Broken,
    /// A symlink that leaves the snapshot or loops: leakgate does not follow it (bun
    /// would follow one out of the package).
    Outside,
}

impl Bundled {
    /// Whether there is a folder to pack.
    fn usable(&self) -> bool {
        !matches!(self, Bundled::Broken | Bundled::Outside)
    }
}

/// The bundled dependency at `sub` of the package at `dir` (a path that may pass through
/// linked packages), or `None` when there is nothing there.
fn locate(snap: &dyn Snapshot, dir: &str, sub: &str) -> Result<Option<Bundled>, PacklistError> {
    let (parent, name) = match sub.rfind('/') {
        Some(i) => (&sub[..i], &sub[i + 1..]),
        None => ("", sub),
    };
    let Ok(real_parent) = crate::snapshot::resolve_symlinks(snap, &super::join_path(dir, parent))
    else {
        return Ok(None);
    };
    let path = join(&real_parent, name);
    Ok(match snap.lstat(&path)?.map(|e| e.kind) {
        Some(EntryKind::Dir) => Some(Bundled::Folder(path)),
        Some(EntryKind::Symlink) => match crate::snapshot::resolve_symlinks(snap, &path) {
            Ok(real) if snap.kind(&real)? == Some(EntryKind::Dir) => Some(Bundled::Linked(real)),
            Ok(_) | Err(crate::snapshot::SnapshotError::NotFound { .. }) => Some(Bundled::Broken),
            Err(_) => Some(Bundled::Outside),
        },
        _ => None,
    })
}

/// `addBundledDep`'s walk of the folder at `real`, listed under `sub`: everything but the
/// dependency's own `node_modules` and the default excludes.
fn walk_bundle(
    snap: &dyn Snapshot,
    real: &str,
    sub: &str,
    depth: usize,
    out: &mut Vec<String>,
) -> Result<(), PacklistError> {
    // (path inside the dependency, depth)
    let mut stack = vec![(String::new(), depth)];
    while let Some((folder, d)) = stack.pop() {
        let entries = snap.read_dir_kinds(&super::join_path(real, &folder))?;
        for e in entries.iter() {
            let is_dir = match e.kind {
                EntryKind::File => false,
                EntryKind::Dir => true,
                _ => continue,
            };
            if d == depth && e.name == "node_modules" {
                continue;
            }
            let inner = join(&folder, &e.name);
            let path = join(sub, &inner);
            if excluded(&e.name, &path, is_dir, d, &[], false) != Some(false) {
                continue;
            }
            if is_dir {
                stack.push((inner, d + 1));
            } else {
                out.push(path);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_read_like_bun() {
        let p = Pat::new("!**/dist/").unwrap().unwrap();
        assert!(p.negated && p.leading_globstar && p.dirs_only && !p.rel_path);
        let p = Pat::new("/lib").unwrap().unwrap();
        assert!(p.rel_path && p.glob.is_match("lib"));
        let p = Pat::new("lib/x.js").unwrap().unwrap();
        assert!(p.rel_path);
        assert!(Pat::new("!").unwrap().is_none());
        assert!(Pat::new("**/").unwrap().is_none());
    }

    #[test]
    fn root_specials_are_case_sensitive() {
        assert!(unconditional("README.md"));
        assert!(!unconditional("Readme.md"));
        assert!(unconditional("LICENSE"));
        assert!(unconditional("README"));
        assert!(!unconditional("x.md"));
        assert!(special_or_variant("CHANGELOG.md", "CHANGELOG"));
    }

    #[test]
    fn normalize_like_bun() {
        assert_eq!(normalize("./lib"), "lib");
        assert_eq!(normalize("lib//x.js"), "lib/x.js");
        assert_eq!(normalize("lib/x/.."), "lib");
        assert_eq!(normalize("/dist/"), "/dist/");
    }
}
