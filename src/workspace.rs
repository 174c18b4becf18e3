//! Package discovery: the root package, npm/yarn/bun `workspaces` (array or
//! `{packages: [...]}`), `pnpm-workspace.yaml`, and the innermost package of a path.
//!
//! Workspace patterns resolve like `@npmcli/map-workspaces` does (node-glob, case-sensitive,
//! `*`/`**` skip dot directories, `node_modules` never searched, a match needs a
//! `package.json`), so the packlist can reproduce npm's workspace behaviour (docs/npm-pack-rules.md §9).

use crate::packlist::manifest::parse_json;
use crate::packlist::PacklistError;
use crate::snapshot::{join, EntryKind, Snapshot, SnapshotError};
use rayon::prelude::*;
use serde_json::Value;

/// One package of a repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    /// The package directory in the snapshot (`""` = the snapshot root).
    pub dir: String,
    /// `name` from package.json.
    pub name: Option<String>,
    /// `version` from package.json.
    pub version: Option<String>,
    /// `"private": true`: npm refuses to publish it.
    pub private: bool,
    /// Whether this is the repository's root package (not a workspace member).
    pub root: bool,
    /// Why this member's package.json could not be read (`file:line:col: message`). Such a
    /// member is kept, not fatal: npm can't pack it either, and test fixtures that are broken
    /// on purpose live under workspace globs like `playground/**`.
    pub broken: Option<String>,
}

impl Package {
    /// Why npm would never publish this package, or `None` when it would: a package.json
    /// that doesn't parse, no `name`, no `version` (npm pack refuses: "Invalid package,
    /// must have name and version"), or `"private": true` (npm publish refuses).
    pub fn unpublishable(&self) -> Option<Unpublishable> {
        // `private` first: it is the author's stated intent, the others are symptoms.
        if let Some(e) = &self.broken {
            Some(Unpublishable::Broken(e.clone()))
        } else if self.private {
            Some(Unpublishable::Private)
        } else if self.name.is_none() {
            Some(Unpublishable::NoName)
        } else if self.version.is_none() {
            Some(Unpublishable::NoVersion)
        } else {
            None
        }
    }

    /// Why `npm pack` would refuse it (private packages can be packed, not published).
    pub fn unpackable(&self) -> Option<Unpublishable> {
        match self.unpublishable()? {
            Unpublishable::Private if self.name.is_none() => Some(Unpublishable::NoName),
            Unpublishable::Private if self.version.is_none() => Some(Unpublishable::NoVersion),
            Unpublishable::Private => None,
            other => Some(other),
        }
    }

    /// Whether `npm pack` can pack it at all.
    pub fn packable(&self) -> bool {
        self.unpackable().is_none()
    }

    /// The name, else the directory (`.` for the root): see [`label`].
    pub fn label(&self) -> &str {
        label(self.name.as_deref(), &self.dir)
    }
}

/// How reports name a package: its name, else its directory ([`show_dir`]). The audit, the
/// hooks and `leakgate fix` all name packages this way.
pub fn label<'a>(name: Option<&'a str>, dir: &'a str) -> &'a str {
    name.unwrap_or_else(|| show_dir(dir))
}

/// A package directory as messages show it: `.` for the repository's root.
pub fn show_dir(dir: &str) -> &str {
    if dir.is_empty() {
        "."
    } else {
        dir
    }
}

/// Why npm would never publish a package ([`Package::unpublishable`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unpublishable {
    /// Its package.json doesn't parse (the parser's `file:line:col: message`).
    Broken(String),
    /// No `name` (npm pack refuses).
    NoName,
    /// No `version` (npm pack refuses).
    NoVersion,
    /// `"private": true` (npm publish refuses).
    Private,
}

impl std::fmt::Display for Unpublishable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unpublishable::Broken(e) => write!(f, "its package.json doesn't parse ({e})"),
            Unpublishable::NoName => f.write_str("no `name`, npm can't pack it"),
            Unpublishable::NoVersion => f.write_str("no `version`, npm can't pack it"),
            Unpublishable::Private => f.write_str("private package, npm won't publish it"),
        }
    }
}

/// Why discovery failed.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    /// A package.json is unreadable or invalid.
    #[error(transparent)]
    Manifest(#[from] PacklistError),
    /// A workspace configuration is malformed (`file:line: message`).
    #[error("{file}:{line}: {message}")]
    Config {
        /// The configuration file.
        file: String,
        /// 1-based line (0 when not applicable).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The snapshot failed.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
}

/// Reads and parses `dir/package.json`; `Ok(None)` if there is none.
pub fn read_manifest(snapshot: &dyn Snapshot, dir: &str) -> Result<Option<Value>, DiscoverError> {
    let path = join(dir, "package.json");
    match snapshot.kind(&path)? {
        Some(EntryKind::File | EntryKind::Symlink) => {}
        _ => return Ok(None),
    }
    let bytes = match snapshot.read(&path) {
        Ok(b) => b,
        Err(SnapshotError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    Ok(Some(parse_json(&path, &bytes)?))
}

/// The package described by manifest `v` at `dir`. `name` and `version` count as npm
/// counts them: a non-empty string (anything else fails `npm pack`).
pub fn package_from(dir: &str, v: &Value, root: bool) -> Package {
    let s = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Package {
        dir: dir.to_string(),
        name: s("name"),
        version: s("version"),
        private: v.get("private").and_then(Value::as_bool).unwrap_or(false),
        root,
        broken: None,
    }
}

/// Every package of the repository in `snapshot`: the root (if it has a package.json)
/// and the members of its npm/yarn/bun workspaces and `pnpm-workspace.yaml`, sorted by
/// directory.
pub fn discover(snapshot: &dyn Snapshot) -> Result<Vec<Package>, DiscoverError> {
    discover_in(snapshot, "")
}

/// [`discover`] for the repository whose root is directory `root` of `snapshot`: the
/// packages' `dir`s are relative to `root`, the paths in errors are snapshot paths.
pub fn discover_in(snapshot: &dyn Snapshot, root: &str) -> Result<Vec<Package>, DiscoverError> {
    let root = root.trim_matches('/');
    let mut out = Vec::new();
    let mut patterns: Vec<String> = Vec::new();
    if let Some(v) = read_manifest(snapshot, root)? {
        out.push(package_from("", &v, true));
        patterns.extend(workspace_patterns(&v));
    }
    let pnpm = join(root, "pnpm-workspace.yaml");
    if let Some(EntryKind::File) = snapshot.kind(&pnpm)? {
        let text = String::from_utf8_lossy(&snapshot.read(&pnpm)?).into_owned();
        patterns.extend(pnpm_packages(&pnpm, &text)?);
    }
    let dirs: Vec<String> = resolve_patterns(snapshot, root, &patterns)?
        .into_iter()
        .filter(|d| {
            !out.iter()
                .any(|p| crate::packlist::join_path(root, &p.dir) == *d)
        })
        .collect();
    let relative = |dir: &str| -> String {
        if root.is_empty() {
            dir.to_string()
        } else {
            dir[root.len() + 1..].to_string()
        }
    };
    // Hundreds of members' manifests: read and parse them on every core; the first error
    // in directory order is the one reported, whichever thread met it.
    let members: Vec<Result<Option<Package>, DiscoverError>> = dirs
        .par_iter()
        .map(|dir| match read_manifest(snapshot, dir) {
            Ok(m) => Ok(m.map(|v| package_from(&relative(dir), &v, false))),
            Err(DiscoverError::Manifest(e)) => Ok(Some(Package {
                dir: relative(dir),
                name: None,
                version: None,
                private: false,
                root: false,
                broken: Some(e.to_string()),
            })),
            Err(e) => Err(e),
        })
        .collect();
    for m in members {
        out.extend(m?);
    }
    out.sort_by(|a, b| a.dir.cmp(&b.dir));
    Ok(out)
}

/// Names that more than one package uses, each with the directories that use it, in
/// directory order. npm refuses such a workspace set ("must not have multiple workspaces
/// with the same name"), and a name no longer says which package is meant.
pub fn duplicate_names(packages: &[Package]) -> Vec<(&str, Vec<&str>)> {
    let mut by_name: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for p in packages {
        if let Some(n) = &p.name {
            by_name.entry(n).or_default().push(&p.dir);
        }
    }
    by_name.into_iter().filter(|(_, d)| d.len() > 1).collect()
}

/// The innermost package whose directory contains `path` (a snapshot path).
pub fn package_for_path<'a>(packages: &'a [Package], path: &str) -> Option<&'a Package> {
    packages
        .iter()
        .filter(|p| {
            p.dir.is_empty()
                || path == p.dir
                || (path.starts_with(&p.dir) && path.as_bytes().get(p.dir.len()) == Some(&b'/'))
        })
        .max_by_key(|p| p.dir.len())
}

/// The patterns of a package.json `workspaces` field (the array, or `packages` of the
/// object form); empty when absent or malformed.
pub fn workspace_patterns(manifest: &Value) -> Vec<String> {
    let ws = match manifest.get("workspaces") {
        Some(Value::Object(o)) => o.get("packages"),
        other => other,
    };
    match ws {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// The workspace directories npm resolves for the package at `root` (arborist's
/// `tree.workspaces`, docs/npm-pack-rules.md §9.1), sorted.
pub fn npm_workspaces(
    snapshot: &dyn Snapshot,
    root: &str,
    manifest: &Value,
) -> Result<Vec<String>, DiscoverError> {
    let patterns = workspace_patterns(manifest);
    if patterns.is_empty() {
        return Ok(Vec::new());
    }
    resolve_patterns(snapshot, root, &patterns)
}

/// Implicit workspace detection (`@npmcli/config` `loadLocalPrefix`, docs/npm-pack-rules.md §9.2): the
/// nearest ancestor of `dir` whose package.json `workspaces` resolve to `dir`.
/// Unreadable ancestor manifests are skipped, as npm skips them.
pub fn enclosing_workspace_root(
    snapshot: &dyn Snapshot,
    dir: &str,
) -> Result<Option<String>, DiscoverError> {
    let mut cur = dir.to_string();
    while !cur.is_empty() {
        cur = match cur.rfind('/') {
            Some(i) => cur[..i].to_string(),
            None => String::new(),
        };
        let manifest = match read_manifest(snapshot, &cur) {
            Ok(Some(m)) => m,
            Ok(None) | Err(DiscoverError::Manifest(_)) => continue,
            Err(e) => return Err(e),
        };
        if manifest.get("workspaces").is_none() {
            continue;
        }
        if npm_workspaces(snapshot, &cur, &manifest)?
            .iter()
            .any(|w| w == dir)
        {
            return Ok(Some(cur));
        }
    }
    Ok(None)
}

/// The `packages:` list of a pnpm-workspace.yaml (block or flow style), read by hand.
pub fn pnpm_packages(file: &str, text: &str) -> Result<Vec<String>, DiscoverError> {
    let mut out = Vec::new();
    let mut in_packages = false;
    for (i, raw) in text.lines().enumerate() {
        let line = strip_yaml_comment(raw);
        if line.trim().is_empty() {
            continue;
        }
        let indented = line.starts_with([' ', '\t']);
        if !indented {
            in_packages = false;
            if let Some(rest) = line.strip_prefix("packages:") {
                let rest = rest.trim();
                if rest.is_empty() {
                    in_packages = true;
                } else if let Some(inner) = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']'))
                {
                    for item in inner.split(',') {
                        let item = unquote(item.trim());
                        if !item.is_empty() {
                            out.push(item);
                        }
                    }
                } else {
                    return Err(DiscoverError::Config {
                        file: file.to_string(),
                        line: i + 1,
                        message: "`packages` must be a list of globs".into(),
                    });
                }
            }
            continue;
        }
        if in_packages {
            let t = line.trim();
            match t.strip_prefix('-') {
                Some(item) => {
                    let item = unquote(item.trim());
                    if !item.is_empty() {
                        out.push(item);
                    }
                }
                None => {
                    return Err(DiscoverError::Config {
                        file: file.to_string(),
                        line: i + 1,
                        message: "expected a `- glob` item under `packages:`".into(),
                    })
                }
            }
        }
    }
    Ok(out)
}

fn strip_yaml_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev_space = true;
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '#' && prev_space => return &line[..i],
            None => {}
        }
        prev_space = c == ' ' || c == '\t';
    }
    line
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    for q in ['\'', '"'] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return s[1..s.len() - 1].to_string();
        }
    }
    s.to_string()
}

/// Resolves workspace globs under `root` to member directories that hold a package.json.
fn resolve_patterns(
    snapshot: &dyn Snapshot,
    root: &str,
    patterns: &[String],
) -> Result<Vec<String>, DiscoverError> {
    let mut positive = Vec::new();
    let mut negative = Vec::new();
    for p in patterns {
        let bangs = p.len() - p.trim_start_matches('!').len();
        let body = p[bangs..].replace('\\', "/");
        let body = strip_dot_slash(&body);
        let segs: Vec<Vec<String>> = expand_braces(body)
            .into_iter()
            .map(|alt| {
                alt.split('/')
                    .filter(|s| !s.is_empty() && *s != ".")
                    .map(str::to_string)
                    .collect()
            })
            .collect();
        if bangs % 2 == 1 {
            negative.extend(segs);
        } else {
            positive.extend(segs);
        }
    }
    let mut found: Vec<String> = Vec::new();
    for pat in &positive {
        glob_dirs(snapshot, root, pat, &mut found)?;
    }
    found.sort();
    found.dedup();
    let mut out = Vec::new();
    for rel in found {
        let segs: Vec<&str> = rel.split('/').collect();
        if negative.iter().any(|n| match_segments(n, &segs, true)) {
            continue;
        }
        let dir = crate::packlist::join_path(root, &rel);
        if let Some(EntryKind::File | EntryKind::Symlink) =
            snapshot.kind(&join(&dir, "package.json"))?
        {
            out.push(dir);
        }
    }
    Ok(out)
}

/// `pattern.replace(/^\.?\/+/, '')`.
fn strip_dot_slash(p: &str) -> &str {
    let q = p
        .strip_prefix('.')
        .filter(|r| r.starts_with('/'))
        .unwrap_or(p);
    if q.starts_with('/') {
        q.trim_start_matches('/')
    } else {
        p
    }
}

/// Directories under `root` matching the segment pattern `pat` (relative paths).
fn glob_dirs(
    snapshot: &dyn Snapshot,
    root: &str,
    pat: &[String],
    found: &mut Vec<String>,
) -> Result<(), DiscoverError> {
    // (relative dir, index of the next pattern segment)
    let mut stack: Vec<(String, usize)> = vec![(String::new(), 0)];
    let mut seen = std::collections::HashSet::new();
    while let Some((rel, pi)) = stack.pop() {
        if !seen.insert((rel.clone(), pi)) {
            continue;
        }
        if pi == pat.len() {
            if !rel.is_empty() {
                found.push(rel);
            }
            continue;
        }
        let seg = pat[pi].as_str();
        if seg == "**" {
            // Zero directories...
            stack.push((rel.clone(), pi + 1));
        }
        let dir = crate::packlist::join_path(root, &rel);
        // Names and kinds are all a glob needs (no stat per entry on disk).
        let entries = match snapshot.listing(&dir, true) {
            Ok(e) => e,
            Err(SnapshotError::NotFound { .. }) => continue,
            Err(SnapshotError::Io { source, .. })
                if matches!(
                    source.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) =>
            {
                continue
            }
            Err(e) => return Err(e.into()),
        };
        for e in entries.iter() {
            if e.name == "node_modules" {
                continue;
            }
            if seg == "**" {
                // ...or one more (never through symlinks, never into dot directories).
                if e.kind == EntryKind::Dir && !e.name.starts_with('.') {
                    stack.push((join(&rel, &e.name), pi));
                }
            } else if e.kind == EntryKind::Dir && wildcard(seg, &e.name, false) {
                stack.push((join(&rel, &e.name), pi + 1));
            }
        }
    }
    Ok(())
}

fn match_segments(pat: &[String], path: &[&str], dot: bool) -> bool {
    let Some((first, rest)) = pat.split_first() else {
        return path.is_empty();
    };
    if first == "**" {
        return (0..=path.len()).any(|k| match_segments(rest, &path[k..], dot));
    }
    match path.split_first() {
        Some((p, prest)) => wildcard(first, p, dot) && match_segments(rest, prest, dot),
        None => false,
    }
}

/// A glob segment (`*`, `?`, `[...]`, literals, `\` escapes) against one name.
/// Without `dot`, wildcards do not match a leading `.`.
fn wildcard(pat: &str, name: &str, dot: bool) -> bool {
    if !dot && name.starts_with('.') && !pat.starts_with('.') {
        return false;
    }
    let p: Vec<char> = pat.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Iterative matcher with single-star backtracking.
    let (mut pi, mut ni) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ni));
                    pi += 1;
                    continue;
                }
                '?' => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                '[' => {
                    if let Some((ok, next)) = class(&p, pi, n[ni]) {
                        if ok {
                            pi = next;
                            ni += 1;
                            continue;
                        }
                    } else if n[ni] == '[' {
                        pi += 1;
                        ni += 1;
                        continue;
                    }
                }
                '\\' if pi + 1 < p.len() && p[pi + 1] == n[ni] => {
                    pi += 2;
                    ni += 1;
                    continue;
                }
                c if c == n[ni] => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, sn)) => {
                pi = sp + 1;
                ni = sn + 1;
                star = Some((sp, sn + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A `[...]` class at `p[start]`: whether `c` matches and where the class ends;
/// `None` if unclosed (then `[` is literal).
fn class(p: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = i < p.len() && (p[i] == '!' || p[i] == '^');
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == ']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
            if p[i] <= c && c <= p[i + 2] {
                matched = true;
            }
            i += 3;
        } else {
            if p[i] == c {
                matched = true;
            }
            i += 1;
        }
    }
    None
}

/// Bash-style brace expansion of `{a,b}` alternatives (nested allowed).
fn expand_braces(p: &str) -> Vec<String> {
    let chars: Vec<char> = p.chars().collect();
    let mut depth = 0;
    let mut open = None;
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '{' => {
                if depth == 0 {
                    open = Some(i);
                }
                depth += 1;
            }
            '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    let o = open.unwrap_or(0);
                    let inner: String = chars[o + 1..i].iter().collect();
                    let mut alts = Vec::new();
                    let mut d = 0;
                    let mut cur = String::new();
                    for ch in inner.chars() {
                        match ch {
                            ',' if d == 0 => alts.push(std::mem::take(&mut cur)),
                            '{' => {
                                d += 1;
                                cur.push(ch)
                            }
                            '}' => {
                                d -= 1;
                                cur.push(ch)
                            }
                            _ => cur.push(ch),
                        }
                    }
                    alts.push(cur);
                    if alts.len() < 2 {
                        continue;
                    }
                    let pre: String = chars[..o].iter().collect();
                    let post: String = chars[i + 1..].iter().collect();
                    return alts
                        .into_iter()
                        .flat_map(|a| expand_braces(&format!("{pre}{a}{post}")))
                        .collect();
                }
            }
            _ => {}
        }
    }
    vec![p.to_string()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard("*", "abc", false));
        assert!(!wildcard("*", ".hidden", false));
        assert!(wildcard(".*", ".hidden", false));
        assert!(wildcard("a?c", "abc", false));
        assert!(wildcard("[a-c]x", "bx", false));
        assert!(!wildcard("[!a-c]x", "bx", false));
        assert!(wildcard("pkg-*", "pkg-one", false));
        assert!(!wildcard("pkg-*", "Pkg-one", false));
    }

    #[test]
    fn pnpm_yaml() {
        let text = "# c\npackages:\n  - 'packages/*'\n  - \"apps/**\" # x\n  - '!**/test/**'\ncatalog:\n  a: 1\n";
        assert_eq!(
            pnpm_packages("f", text).unwrap(),
            vec!["packages/*", "apps/**", "!**/test/**"]
        );
        assert_eq!(
            pnpm_packages("f", "packages: ['a/*', b]\n").unwrap(),
            vec!["a/*", "b"]
        );
    }

    #[test]
    fn innermost_package() {
        let pk = |d: &str| Package {
            dir: d.into(),
            name: None,
            version: None,
            private: false,
            root: d.is_empty(),
            broken: None,
        };
        let pkgs = vec![pk(""), pk("packages/a"), pk("packages/ab")];
        assert_eq!(
            package_for_path(&pkgs, "packages/ab/x").unwrap().dir,
            "packages/ab"
        );
        assert_eq!(
            package_for_path(&pkgs, "packages/a").unwrap().dir,
            "packages/a"
        );
        assert_eq!(package_for_path(&pkgs, "other").unwrap().dir, "");
    }

    #[test]
    fn braces() {
        assert_eq!(expand_braces("{a,b}/*"), vec!["a/*", "b/*"]);
        assert_eq!(expand_braces("x"), vec!["x"]);
    }
}
