//! What `yarn pack` (berry 4.18, `@yarnpkg/plugin-pack`'s `genPackList`) ships from a
//! workspace. Its rules, learned from its source and checked against the real yarn:
//!
//! - Every path is matched as an absolute path from the package (`/lib/a.js`) with
//!   micromatch `{dot: true, nocase: true}`; a pattern without `/` matches the basename at any
//!   depth, one with a `/` anywhere is resolved against the folder of the file it comes from.
//! - A global list first: accept `/package.json`, `/readme`, `/readme.*`, `/license*`,
//!   `/licence*`, `/changelog`, `/changelog.*`; reject `/package.tgz`, `.github`, `.git`,
//!   `.hg`, `node_modules`, `.npmignore`, `.gitignore`, `.#*`, `.DS_Store`, `.yarnrc.yml`,
//!   the project's lockfile and yarn folders when they sit inside the package, and every other
//!   workspace of the project inside it. Folders are judged by the global list alone.
//! - Then per file the lists in order: the nearest folder's `.npmignore` (else `.gitignore`),
//!   its parents', and last the manifest list (accept `main`, `module`, `browser`, `bin`
//!   targets and the `files` entries; reject `/*` when `files` is set). In each list a
//!   negated pattern that matches wins over a plain one; the first list with an opinion
//!   decides. A folder the lists exclude is still entered, with a final `**/*` reject, so a
//!   later accept brings files back.
//! - Symlinks are packed as links (even dangling ones); other special files are skipped.

use super::glob::{Dialect, Glob};
use super::PacklistError;
use crate::snapshot::{join, EntryKind, Snapshot};
use serde_json::Value;

/// What yarn knows about the project around the package.
#[derive(Clone, Debug, Default)]
pub struct YarnContext {
    /// Paths relative to the package (no leading `/`) that the global list rejects
    /// because they are the project's own files (lockfile, `.yarn/cache`, ...) or other
    /// workspaces inside the package.
    pub rejected: Vec<String>,
    /// The project's yarn.lock when it is neither empty nor a lockfile yarn can parse.
    pub unreadable_lockfile: Option<String>,
}

/// One pattern list (yarn's `{accept, reject}` pair).
#[derive(Default)]
struct Lists {
    accept: Vec<Pat>,
    reject: Vec<Pat>,
}

/// One pattern: negated or not, matched against the basename or the whole path.
struct Pat {
    negated: bool,
    /// A second leading `!` that micromatch itself reads: the match is inverted.
    invert: bool,
    basename: bool,
    /// The text as given to micromatch (which first tries plain equality).
    text: String,
    /// No glob characters: matching is a case-insensitive comparison (no regex run).
    literal: bool,
    glob: Glob,
}

/// Whether micromatch would read `s` as a plain string (no glob or escape characters).
fn is_literal(s: &str) -> bool {
    !s.contains(['*', '?', '[', ']', '{', '}', '(', ')', '!', '+', '@', '\\'])
}

impl Pat {
    /// yarn's `normalizePattern`: a leading `!` is kept aside; a pattern holding a `/` is
    /// resolved against `cwd` (an absolute folder such as `/` or `/lib`).
    fn new(raw: &str, cwd: &str) -> Result<Pat, String> {
        let (negated, rest) = match raw.strip_prefix('!') {
            Some(r) => (true, r),
            None => (false, raw),
        };
        let (basename, text) = if rest.contains('/') {
            (false, resolve(cwd, rest))
        } else {
            (true, rest.to_string())
        };
        // micromatch reads one more leading `!` as its own negation.
        let (invert, text) = match text.strip_prefix('!') {
            Some(t) if basename => (true, t.to_string()),
            _ => (false, text),
        };
        let glob = Glob::new(&text, Dialect::Yarn)?;
        Ok(Pat {
            negated,
            invert,
            basename,
            literal: is_literal(&text),
            text,
            glob,
        })
    }

    fn matches(&self, path: &str) -> bool {
        let target = if self.basename {
            path.rsplit('/').next().unwrap_or(path)
        } else {
            path
        };
        let hit = if self.literal && target.is_ascii() && self.text.is_ascii() {
            target.eq_ignore_ascii_case(&self.text)
        } else {
            target == self.text || self.glob.is_match(target)
        };
        hit != self.invert
    }
}

/// node's `path.posix.resolve(cwd, p)` for an absolute `cwd`.
fn resolve(cwd: &str, p: &str) -> String {
    let joined = if p.starts_with('/') {
        p.to_string()
    } else {
        format!("{cwd}/{p}")
    };
    let mut out: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    format!("/{}", out.join("/"))
}

/// A pattern line as yarn adds it to a list: trimmed, blank and `#` lines dropped.
fn add(list: &mut Vec<Pat>, line: &str, cwd: &str, source: &str) -> Result<(), PacklistError> {
    let line = super::pattern::js_trim(line);
    if line.is_empty() || line.starts_with('#') {
        return Ok(());
    }
    let pat = Pat::new(line, cwd).map_err(|message| PacklistError::Rules {
        file: source.to_string(),
        message,
    })?;
    list.push(pat);
    Ok(())
}

/// `2`: a negated pattern matched; `1`: a plain one did; `0`: none.
fn verdict(path: &str, list: &[Pat]) -> u8 {
    if list.iter().any(|p| p.negated && p.matches(path)) {
        2
    } else if list.iter().any(|p| !p.negated && p.matches(path)) {
        1
    } else {
        0
    }
}

/// yarn's `isIgnored`.
fn ignored(path: &str, global: &Lists, lists: Option<&[&Lists]>) -> bool {
    match verdict(path, &global.accept) {
        0 => {}
        v => return v == 2,
    }
    match verdict(path, &global.reject) {
        0 => {}
        v => return v == 1,
    }
    for l in lists.unwrap_or(&[]) {
        match verdict(path, &l.accept) {
            0 => {}
            v => return v == 2,
        }
        match verdict(path, &l.reject) {
            0 => {}
            v => return v == 1,
        }
    }
    false
}

/// The string values of a `bin`/`browser`-like field (an array reads as an object keyed by
/// index, as `Object.entries` sees it).
fn strings_of(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Object(m)) => m
            .values()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// yarn reads each `bin` key as a package ident (`name` or `@scope/name`) and refuses the
/// manifest when one is not.
fn check_bin_keys(manifest: &Value, source: &str) -> Result<(), PacklistError> {
    let Some(Value::Object(m)) = manifest.get("bin") else {
        return Ok(());
    };
    for key in m.keys() {
        let (scope, name) = match key.strip_prefix('@') {
            Some(rest) => match rest.split_once('/') {
                Some((s, n)) => (Some(s), n),
                None => (None, key.as_str()),
            },
            None => (None, key.as_str()),
        };
        let ok = scope.map_or(true, |s| !s.is_empty() && !s.contains('/'))
            && !name.is_empty()
            && !name.contains('/')
            && !name.contains('@');
        if !ok {
            return Err(PacklistError::Manifest {
                file: source.to_string(),
                line: 1,
                column: 1,
                message: format!(
                    "`bin` key `{key}` is not a package name (yarn pack: Invalid ident)"
                ),
            });
        }
    }
    Ok(())
}

/// The files `yarn pack` would ship from `dir`, relative to it, sorted bytewise. Symlinks
/// are included (yarn packs them as links).
pub fn pack_list(
    snap: &dyn Snapshot,
    dir: &str,
    manifest: &Value,
    ctx: &YarnContext,
) -> Result<Vec<(String, EntryKind)>, PacklistError> {
    let source = join(dir, "package.json");
    check_bin_keys(manifest, &source)?;
    if let Some(lock) = &ctx.unreadable_lockfile {
        return Err(PacklistError::Rules {
            file: lock.clone(),
            message: "not a lockfile yarn can read (yarn pack stops here)".into(),
        });
    }
    let mut global = Lists::default();
    for p in [
        "/package.json",
        "/readme",
        "/readme.*",
        "/license",
        "/license.*",
        "/licence",
        "/licence.*",
        "/changelog",
        "/changelog.*",
    ] {
        add(&mut global.accept, p, "/", "<yarn>")?;
    }
    for p in [
        "/package.tgz",
        ".github",
        ".git",
        ".hg",
        "node_modules",
        ".npmignore",
        ".gitignore",
        ".#*",
        ".DS_Store",
        ".yarnrc.yml",
    ] {
        add(&mut global.reject, p, "/", "<yarn>")?;
    }
    for r in &ctx.rejected {
        let text = format!("/{r}");
        let pat = Pat {
            negated: false,
            invert: false,
            basename: false,
            glob: Glob::new(&glob_escape(&text), Dialect::Yarn).map_err(|message| {
                PacklistError::Rules {
                    file: source.clone(),
                    message,
                }
            })?,
            literal: false,
            text,
        };
        global.reject.push(pat);
    }

    // The manifest list: publishConfig overrides main/module/browser/bin.
    let pc = manifest.get("publishConfig");
    let field = |k: &str| {
        pc.and_then(|p| p.get(k))
            .filter(|v| !v.is_null())
            .or_else(|| manifest.get(k))
    };
    let mut own = Lists::default();
    for k in ["main", "module"] {
        if let Some(Value::String(s)) = field(k) {
            own.accept.push(literal(&resolve("/", s), &source)?);
        }
    }
    match field("browser") {
        Some(Value::String(s)) => own.accept.push(literal(&resolve("/", s), &source)?),
        Some(Value::Object(m)) => {
            for (k, v) in m {
                own.accept.push(literal(&resolve("/", k), &source)?);
                if let Some(s) = v.as_str() {
                    own.accept.push(literal(&resolve("/", s), &source)?);
                }
            }
        }
        _ => {}
    }
    let bin = field("bin");
    let bins = match bin {
        // A string bin needs a name to be kept (yarn drops it otherwise).
        Some(Value::String(_)) if manifest.get("name").and_then(Value::as_str).is_none() => {
            Vec::new()
        }
        other => strings_of(other),
    };
    for b in bins {
        own.accept.push(literal(&resolve("/", &b), &source)?);
    }
    let files: Option<Vec<String>> = match manifest.get("files") {
        Some(Value::Array(a)) => Some(
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
        ),
        _ => None,
    };
    let explicit = files.is_some();
    if let Some(files) = &files {
        add(&mut own.reject, "/*", "/", &source)?;
        for f in files {
            add(&mut own.accept, f, "/", &source)?;
        }
    }

    let mut out = Vec::new();
    // (path relative to the package, list stack: innermost first)
    // (path, kind from the parent's listing, lists): no stat per entry.
    let mut stack: Vec<(String, EntryKind, Vec<std::sync::Arc<Lists>>)> = vec![(
        String::new(),
        EntryKind::Dir,
        vec![std::sync::Arc::new(own)],
    )];
    while let Some((rel, kind, lists)) = stack.pop() {
        let abs = format!("/{rel}");
        let snap_path = super::join_path(dir, &rel);
        let is_root = rel.is_empty();
        let refs: Vec<&Lists> = lists.iter().map(|l| l.as_ref()).collect();
        let judged = if kind == EntryKind::Dir {
            None
        } else {
            Some(&refs[..])
        };
        if ignored(&abs, &global, judged) {
            continue;
        }
        match kind {
            EntryKind::Dir => {
                let entries = snap.read_dir_kinds(&snap_path)?;
                let has = |n: &str| (!explicit || !is_root) && entries.iter().any(|e| e.name == n);
                let file = if has(".npmignore") {
                    Some(".npmignore")
                } else if has(".gitignore") {
                    Some(".gitignore")
                } else {
                    None
                };
                let mut next = lists.clone();
                if let Some(name) = file {
                    let path = join(&snap_path, name);
                    let bytes = snap.read(&path)?;
                    let text = String::from_utf8_lossy(&bytes);
                    let mut l = Lists::default();
                    for line in text.split('\n') {
                        add(&mut l.reject, line, &abs_dir(&rel), &path)?;
                    }
                    next.insert(0, std::sync::Arc::new(l));
                }
                if !is_root && ignored(&abs, &global, Some(&refs[..])) {
                    let mut all = Lists::default();
                    add(&mut all.reject, "**/*", "/", "<yarn>")?;
                    next = lists.clone();
                    next.push(std::sync::Arc::new(all));
                }
                for e in entries.iter() {
                    stack.push((join(&rel, &e.name), e.kind, next.clone()));
                }
            }
            EntryKind::File | EntryKind::Symlink => out.push((rel, kind)),
            EntryKind::Other => {}
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// The folder `rel` as yarn's absolute path (`/` for the package root).
fn abs_dir(rel: &str) -> String {
    format!("/{rel}")
}

/// A manifest path as an accept pattern (yarn passes it to micromatch as is, so glob
/// characters in it are live).
fn literal(abs: &str, source: &str) -> Result<Pat, PacklistError> {
    Ok(Pat {
        negated: false,
        invert: false,
        basename: false,
        text: abs.to_string(),
        literal: is_literal(abs),
        glob: Glob::new(abs, Dialect::Yarn).map_err(|message| PacklistError::Rules {
            file: source.to_string(),
            message,
        })?,
    })
}

/// Escapes glob characters so a path matches only itself.
fn glob_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '*' | '?' | '[' | ']' | '{' | '}' | '(' | ')' | '!' | '\\' | '@' | '+'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_like_node() {
        assert_eq!(resolve("/", "lib/"), "/lib");
        assert_eq!(resolve("/", "./lib//x.js"), "/lib/x.js");
        assert_eq!(resolve("/lib", "x/.."), "/lib");
        assert_eq!(resolve("/lib", "/dist"), "/dist");
        assert_eq!(resolve("/", "../../x"), "/x");
    }

    #[test]
    fn negation_wins_inside_a_list() {
        let mut l = Lists::default();
        add(&mut l.accept, "dist", "/", "t").unwrap();
        add(&mut l.accept, "!dist", "/", "t").unwrap();
        assert_eq!(verdict("/dist", &l.accept), 2);
        assert_eq!(verdict("/lib/dist", &l.accept), 2);
        assert_eq!(verdict("/x", &l.accept), 0);
    }
}
