//! Which files `npm pack` (npm 11.19, npm-packlist 10.0.4) would ship from a package
//! directory of a snapshot. Pure: knows nothing of git or of checks.
//!
//! The rules are written down in `docs/npm-pack-rules.md`.

pub mod bun;
pub mod bundle;
pub mod glob;
pub mod manifest;
pub mod pattern;
pub mod prefilter;
pub mod publish_config;
pub mod publisher;
pub mod rules;
pub mod tarname;
pub mod walk;
pub mod yarn;

pub use publisher::Publisher;

use crate::snapshot::{join, EntryKind, Snapshot, SnapshotError};
use std::collections::HashSet;

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
    /// The folder the files are packed from: `dir`, or the sub-folder pnpm packs instead
    /// when `publishConfig.directory` names one (each file's `source` is `from/path`).
    pub from: String,
    /// The parsed package.json.
    pub manifest: serde_json::Value,
    /// Files, sorted bytewise by `path`.
    pub files: Vec<PackedFile>,
    /// Whose pack this is: a fix checked by packing again must pack the same way.
    pub publisher: Publisher,
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
    /// npm pack`): ancestor ignore files from this root down are applied (docs/npm-pack-rules.md §9.2).
    /// `None` lets [`pack`] detect it the way npm does.
    pub workspace_root: Option<String>,
    /// Don't detect an enclosing workspace root (like `npm pack ./dir` from elsewhere).
    pub standalone: bool,
    /// Only the paths are wanted (`leakgate files` without `--json`): the walk lists
    /// directories without a stat per entry, and every [`PackedFile`]'s `size` and `mode`
    /// are left 0. Bundled dependencies are still listed fully.
    pub names_only: bool,
    /// Whose pack to reproduce (npm unless said otherwise).
    pub publisher: Publisher,
}

/// The files `npm pack --ignore-scripts` would ship from `dir` in `snapshot`.
///
/// Follows npm 11.19 / npm-packlist 10.0.4 exactly (rules in `docs/npm-pack-rules.md`):
/// the walk with its per-directory rule sets, the `files` field, forced and strict files,
/// workspace quirks, bundled dependencies and node-tar's name rewriting.
pub fn pack(
    snapshot: &dyn Snapshot,
    dir: &str,
    options: &PackOptions,
) -> Result<Packlist, PacklistError> {
    let package_dir = dir.trim_matches('/');
    let (mut manifest_path, bytes) = read_manifest(snapshot, package_dir, options.publisher)?;
    let mut value = manifest::parse_json(&manifest_path, &bytes)?;
    // pnpm packs the folder `publishConfig.directory` names, by that folder's own
    // package.json (with its `publishConfig` keys hoisted); npm, yarn and bun don't.
    let mut from = package_dir.to_string();
    if options.publisher == Publisher::Pnpm {
        if let Some(sub) = publish_config::pnpm_directory(&manifest_path, &bytes, &value)? {
            from = join_path(package_dir, &sub);
            let (path, bytes) = read_manifest(snapshot, &from, options.publisher)?;
            value = manifest::parse_json(&path, &bytes)?;
            manifest_path = path;
        }
        publish_config::pnpm_hoist(&mut value);
    }
    let dir = from.as_str();
    for key in ["name", "version"] {
        if !value.get(key).is_some_and(manifest::truthy) {
            return Err(PacklistError::Manifest {
                file: manifest_path,
                line: 1,
                column: 1,
                message: format!(
                    "`{key}` is missing (npm pack: Invalid package, must have name and version)"
                ),
            });
        }
    }
    match options.publisher {
        Publisher::Npm | Publisher::Pnpm => {}
        Publisher::Yarn => {
            let ctx = publisher::yarn_context(snapshot, dir);
            let list = yarn::pack_list(snapshot, dir, &value, &ctx)?;
            let paths = list.into_iter().map(|(p, _)| p).collect();
            return other_tool_list(snapshot, dir, value, paths, options);
        }
        Publisher::Bun => {
            let paths = bun::pack_list(snapshot, dir, &value)?;
            return other_tool_list(snapshot, dir, value, paths, options);
        }
    }
    let pnpm = options.publisher == Publisher::Pnpm;
    let mut m = manifest::read(&manifest_path, value)?;
    if pnpm {
        let forced = pnpm_manifest(&mut m);
        m.bin = pnpm_strict_targets(snapshot, dir, &forced)?;
    } else {
        expand_directories_bin(snapshot, dir, &mut m)?;
    }

    // A root whose workspaces resolve reads every sub-directory's package.json as an
    // ignore file (docs/npm-pack-rules.md §9.1).
    let ws = if pnpm {
        Vec::new()
    } else {
        crate::workspace::npm_workspaces(snapshot, dir, &m.value).map_err(discover_err)?
    };
    let sub_kinds = if ws.is_empty() { walk::SUB } else { walk::FULL };

    // Packed as a workspace member: the ancestors' ignore files join DEFAULT (docs/npm-pack-rules.md §9.2).
    // pnpm reads the ignore files from its workspace root (`pnpm-workspace.yaml`) down,
    // unless the member has its own .npmignore or a `files` list.
    let ws_root = if pnpm {
        if options.standalone
            || m.files.is_some()
            || snapshot.kind(&join_path(dir, ".npmignore"))?.is_some()
        {
            None
        } else {
            pnpm_workspace_root(snapshot, dir)?
        }
    } else if options.standalone {
        None
    } else if let Some(r) = &options.workspace_root {
        Some(r.trim_matches('/').to_string())
    } else {
        crate::workspace::enclosing_workspace_root(snapshot, dir).map_err(discover_err)?
    };
    let extra_defaults = match ws_root {
        Some(root) if root != dir => ancestor_ignores(snapshot, &root, dir)?,
        _ => Vec::new(),
    };

    let shared = if pnpm {
        walk::Shared::get_pnpm()
    } else {
        walk::Shared::get()
    };
    let spec = walk::PackageWalk {
        dir: dir.to_string(),
        manifest: &m,
        root_kinds: walk::FULL,
        sub_kinds,
        extra_defaults,
        is_bundle: false,
        names_only: options.names_only,
        pnpm,
    };
    let packed = |f: walk::Found| {
        let source = join(dir, &f.rel);
        // node-tar only ever strips a prefix: the same length means the same name, so the
        // path the walk built is moved rather than copied. pnpm writes names as they are.
        let path = match tarname::tar_name(&f.rel) {
            _ if pnpm => f.rel,
            same if same.len() == f.rel.len() => f.rel,
            rewritten => rewritten.to_string(),
        };
        PackedFile {
            path,
            source,
            size: f.size,
            mode: f.mode,
        }
    };
    // The walk finds each path once; a bundled dependency may repeat one (the first wins).
    let mut files: Vec<PackedFile> = Vec::new();
    walk::walk_package(snapshot, shared, &spec, &mut |f| files.push(packed(f)))?;
    let mut bundled: Vec<PackedFile> = Vec::new();
    if pnpm {
        pnpm_root_license(snapshot, dir, &mut files, options)?;
        pnpm_bundled(snapshot, dir, &m.value, &mut bundled, options)?;
    } else {
        bundle::gather(snapshot, shared, dir, &m, &mut |f| bundled.push(packed(f)))?;
    }
    if !bundled.is_empty() {
        let mut seen: HashSet<String> = files.iter().map(|f| f.source.clone()).collect();
        files.extend(
            bundled
                .into_iter()
                .filter(|f| seen.insert(f.source.clone())),
        );
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Packlist {
        dir: package_dir.to_string(),
        from,
        manifest: m.value,
        files,
        publisher: options.publisher,
    })
}

/// The path and bytes of `dir`'s package.json; a missing one is a manifest error naming
/// the tool that would fail.
fn read_manifest(
    snapshot: &dyn Snapshot,
    dir: &str,
    publisher: Publisher,
) -> Result<(String, Vec<u8>), PacklistError> {
    let manifest_path = join(dir, "package.json");
    match snapshot.read(&manifest_path) {
        Ok(b) => Ok((manifest_path, b)),
        Err(SnapshotError::NotFound { .. }) => Err(PacklistError::Manifest {
            file: manifest_path,
            line: 1,
            column: 1,
            message: format!(
                "no package.json here ({} needs one)",
                publisher.pack_command()
            ),
        }),
        Err(e) => Err(e.into()),
    }
}

/// A list another tool computed (paths relative to `dir`), as a [`Packlist`]: sizes and
/// modes from the snapshot unless only names are wanted.
fn other_tool_list(
    snapshot: &dyn Snapshot,
    dir: &str,
    manifest: serde_json::Value,
    paths: Vec<String>,
    options: &PackOptions,
) -> Result<Packlist, PacklistError> {
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let source = join_path(dir, &path);
        let (size, mode) = if options.names_only {
            (0, 0)
        } else {
            match snapshot.lstat(&source)? {
                Some(e) => (e.size, e.mode),
                None => (0, 0),
            }
        };
        files.push(PackedFile {
            path,
            source,
            size,
            mode,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Packlist {
        dir: dir.to_string(),
        from: dir.to_string(),
        manifest,
        files,
        publisher: options.publisher,
    })
}

/// pnpm forces `main`, `bin` and `browser` in after the walk (exact paths, `./` dropped),
/// never through the walk's rules; a `files` that is not an array is no `files` at all.
/// Returns the forced paths and clears them from the manifest the walk sees.
fn pnpm_manifest(m: &mut manifest::Manifest) -> Vec<String> {
    let strip = |s: &str| s.strip_prefix("./").unwrap_or(s).to_string();
    let mut forced = Vec::new();
    for key in ["main", "browser"] {
        if let Some(s) = m.value.get(key).and_then(|v| v.as_str()) {
            forced.push(strip(s));
        }
    }
    match m.value.get("bin") {
        Some(serde_json::Value::String(s)) => forced.push(strip(s)),
        Some(serde_json::Value::Object(o)) => {
            forced.extend(o.values().filter_map(|v| v.as_str()).map(strip))
        }
        _ => {}
    }
    if !m.value.get("files").is_some_and(|f| f.is_array()) {
        m.files = None;
    }
    m.main = None;
    m.bin = Vec::new();
    m.browser = None;
    forced
}

/// The forced paths pnpm's walk also treats as named (so a folder an ignore file drops is
/// reopened for them, as npm does): those that exist as regular files at exactly that
/// path and are not always excluded.
fn pnpm_strict_targets(
    snapshot: &dyn Snapshot,
    dir: &str,
    forced: &[String],
) -> Result<Vec<String>, PacklistError> {
    let mut out = Vec::new();
    for t in forced {
        let rel = t.trim_start_matches('/');
        if rel.is_empty()
            || rel.contains('\\')
            || rel
                .split('/')
                .any(|s| s.is_empty() || s == "." || s == "..")
            || pnpm_always_excluded(rel)
        {
            continue;
        }
        if snapshot.lstat(&join_path(dir, rel))?.map(|e| e.kind) == Some(EntryKind::File) {
            // A literal path: glob characters are escaped for the walk's matcher.
            let mut lit = String::with_capacity(rel.len());
            for c in rel.chars() {
                if matches!(
                    c,
                    '*' | '?' | '[' | ']' | '{' | '}' | '(' | ')' | '!' | '+' | '@'
                ) {
                    lit.push('\\');
                }
                lit.push(c);
            }
            out.push(lit);
        }
    }
    Ok(out)
}

/// What pnpm never ships, whatever forces it: `.npmrc`, VCS folders, `node_modules`, the
/// lockfiles at the package root, and below the root `npm-debug.log` and `*.orig` (a
/// forced `npm-debug.log` or `a.orig` at the root ships, and so does a forced lockfile in
/// a sub-folder, as its default rules anchor lockfiles to the root: checked with pnpm
/// 12.26).
fn pnpm_always_excluded(rel: &str) -> bool {
    let base = rel.rsplit('/').next().unwrap_or(rel);
    let nested = rel.contains('/');
    base == ".npmrc"
        || (!nested && ["package-lock.json", "yarn.lock", "pnpm-lock.yaml"].contains(&rel))
        || rel
            .split('/')
            .any(|s| [".git", ".svn", ".hg", "CVS"].contains(&s))
        || (nested && (base == "npm-debug.log" || base.ends_with(".orig")))
        || rel == "node_modules"
        || rel.starts_with("node_modules/")
}

/// The nearest folder above `dir` holding `pnpm-workspace.yaml`.
fn pnpm_workspace_root(
    snapshot: &dyn Snapshot,
    dir: &str,
) -> Result<Option<String>, PacklistError> {
    let mut cur = dir.to_string();
    while !cur.is_empty() {
        cur = match cur.rfind('/') {
            Some(i) => cur[..i].to_string(),
            None => String::new(),
        };
        if snapshot
            .kind(&join_path(&cur, "pnpm-workspace.yaml"))?
            .is_some()
        {
            return Ok(Some(cur));
        }
    }
    Ok(None)
}

/// pnpm packs a workspace member that has no license file of its own with the workspace
/// root's (the nearest folder above holding `pnpm-workspace.yaml`), under the root's name.
fn pnpm_root_license(
    snapshot: &dyn Snapshot,
    dir: &str,
    files: &mut Vec<PackedFile>,
    options: &PackOptions,
) -> Result<(), PacklistError> {
    let is_license = |name: &str| {
        let l = name.to_ascii_lowercase();
        l.starts_with("license") || l.starts_with("licence")
    };
    if dir.is_empty()
        || files
            .iter()
            .any(|f| !f.path.contains('/') && is_license(&f.path))
    {
        return Ok(());
    }
    let mut cur = dir.to_string();
    while !cur.is_empty() {
        cur = match cur.rfind('/') {
            Some(i) => cur[..i].to_string(),
            None => String::new(),
        };
        if snapshot
            .kind(&join_path(&cur, "pnpm-workspace.yaml"))?
            .is_none()
        {
            continue;
        }
        let mut entries: Vec<_> = snapshot
            .read_dir(&cur)?
            .into_iter()
            .filter(|e| e.kind == EntryKind::File && is_license(&e.name))
            .collect();
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        if let Some(e) = entries.into_iter().next() {
            let (size, mode) = if options.names_only {
                (0, 0)
            } else {
                (e.size, e.mode)
            };
            files.push(PackedFile {
                path: e.name.clone(),
                source: join_path(&cur, &e.name),
                size,
                mode,
            });
        }
        break;
    }
    Ok(())
}

/// pnpm's bundled dependencies: every name of `bundleDependencies` (an array, or `true`
/// for all `dependencies`) found in a `node_modules` from the package up to the package
/// itself, with their own `dependencies` and `optionalDependencies`, each packed as a
/// package of its own.
fn pnpm_bundled(
    snapshot: &dyn Snapshot,
    dir: &str,
    manifest: &serde_json::Value,
    out: &mut Vec<PackedFile>,
    options: &PackOptions,
) -> Result<(), PacklistError> {
    let raw = manifest
        .get("bundleDependencies")
        .or_else(|| manifest.get("bundledDependencies"));
    let names: Vec<String> = match raw {
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(serde_json::Value::Bool(true)) => manifest
            .get("dependencies")
            .and_then(|d| d.as_object())
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let mut queue: std::collections::VecDeque<(String, String)> =
        names.into_iter().map(|n| (n, String::new())).collect();
    let mut seen: HashSet<String> = HashSet::new();
    let mut depth = 0usize;
    while let Some((name, from)) = queue.pop_front() {
        depth += 1;
        if depth > 10_000 || name.is_empty() || name.split('/').any(|s| s == ".." || s.is_empty()) {
            continue;
        }
        // Resolve like node: from `from` up to the package root.
        let mut cur = from.clone();
        let found = loop {
            let cand = join_path(&cur, &format!("node_modules/{name}"));
            let pj = join_path(dir, &join_path(&cand, "package.json"));
            if snapshot.kind(&pj)? == Some(EntryKind::File) {
                break Some(cand);
            }
            if cur.is_empty() {
                break None;
            }
            cur = match cur.rfind("/node_modules/") {
                Some(i) => cur[..i].to_string(),
                None => String::new(),
            };
        };
        let Some(rel) = found else { continue };
        if !seen.insert(rel.clone()) {
            continue;
        }
        let dep_dir = join_path(dir, &rel);
        let dep_manifest = snapshot
            .read(&join(&dep_dir, "package.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .unwrap_or(serde_json::Value::Null);
        if let Ok(list) = pack(
            snapshot,
            &dep_dir,
            &PackOptions {
                standalone: true,
                names_only: options.names_only,
                publisher: Publisher::Pnpm,
                workspace_root: None,
            },
        ) {
            for f in list.files {
                if f.path.starts_with("node_modules/") {
                    continue;
                }
                out.push(PackedFile {
                    path: format!("{rel}/{}", f.path),
                    ..f
                });
            }
        }
        for group in ["dependencies", "optionalDependencies"] {
            if let Some(o) = dep_manifest.get(group).and_then(|d| d.as_object()) {
                for k in o.keys() {
                    queue.push_back((k.clone(), rel.clone()));
                }
            }
        }
    }
    Ok(())
}

/// Joins two snapshot paths, either of which may be `""` (unlike `snapshot::join`, whose
/// second argument is a name).
pub fn join_path(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (_, true) => a.to_string(),
        (true, false) => b.to_string(),
        (false, false) => join(a, b),
    }
}

fn discover_err(e: crate::workspace::DiscoverError) -> PacklistError {
    match e {
        crate::workspace::DiscoverError::Manifest(m) => m,
        crate::workspace::DiscoverError::Snapshot(s) => PacklistError::Snapshot(s),
        other => PacklistError::Rules {
            file: String::new(),
            message: other.to_string(),
        },
    }
}

/// `readOutOfTreeIgnoreFiles`: for each directory from the workspace root down to the
/// member's parent, the contents of the first of `.npmignore`/`.gitignore` that exists.
fn ancestor_ignores(
    snapshot: &dyn Snapshot,
    root: &str,
    member: &str,
) -> Result<Vec<String>, PacklistError> {
    let mut dirs = vec![root.to_string()];
    let rest = if root.is_empty() {
        member
    } else {
        member
            .strip_prefix(root)
            .unwrap_or(member)
            .trim_start_matches('/')
    };
    let parts: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let mut cur = root.to_string();
    for p in parts.iter().take(parts.len().saturating_sub(1)) {
        cur = join(&cur, p);
        dirs.push(cur.clone());
    }
    let mut out = Vec::new();
    for d in dirs {
        for name in [".npmignore", ".gitignore"] {
            let path = join(&d, name);
            let Some(kind) = snapshot.kind(&path)? else {
                continue;
            };
            if kind == EntryKind::Dir {
                return Err(PacklistError::Rules {
                    file: path,
                    message: "is a directory, not an ignore file (npm pack fails here with EISDIR)"
                        .into(),
                });
            }
            match snapshot.read(&path) {
                Ok(bytes) => {
                    out.push(String::from_utf8_lossy(&bytes).into_owned());
                    break;
                }
                // A dangling symlink reads as ENOENT, which npm skips.
                Err(SnapshotError::NotFound { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(out)
}

/// `directories.bin` (only when `bin` is absent): every non-dot entry under that
/// directory, found like `glob('**')` (dot entries skipped, symlinked dirs not entered),
/// becomes a bin target.
fn expand_directories_bin(
    snapshot: &dyn Snapshot,
    dir: &str,
    m: &mut manifest::Manifest,
) -> Result<(), PacklistError> {
    let Some(bin_dir) = m.directories_bin.clone() else {
        return Ok(());
    };
    let base = bin_dir.trim_end_matches('/');
    if base.split('/').any(|s| s == "..") {
        return Ok(());
    }
    let start = if base.is_empty() {
        dir.to_string()
    } else {
        join(dir, base)
    };
    let mut targets: Vec<(String, String)> = Vec::new();
    let mut stack = vec![String::new()];
    while let Some(rel) = stack.pop() {
        let entries = match snapshot.read_dir(&join_path(&start, &rel)) {
            Ok(e) => e,
            Err(_) => continue,
        };
        for e in entries {
            if e.name.starts_with('.') {
                continue;
            }
            let child = join(&rel, &e.name);
            if e.kind == EntryKind::Dir {
                stack.push(child.clone());
            }
            let name = manifest::posix_basename(&child).to_string();
            let target = format!("{bin_dir}/{}", manifest::secure_and_unixify(&child));
            match targets.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = target,
                None => targets.push((name, target)),
            }
        }
    }
    m.bin = targets.into_iter().map(|(_, t)| t).collect();
    Ok(())
}
