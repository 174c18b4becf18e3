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

/// One pattern list (yarn's `{accept, reject}` pair) as it is filled.
#[derive(Default)]
struct Lists {
    accept: Vec<Pat>,
    reject: Vec<Pat>,
}

impl Lists {
    /// The list ready to match: each side split into its negated and plain patterns.
    fn build(self) -> Result<Built, String> {
        Ok(Built {
            accept: Side::new(self.accept)?,
            reject: Side::new(self.reject)?,
        })
    }
}

/// A built pattern list.
struct Built {
    accept: Side,
    reject: Side,
}

/// One side of a list: the negated patterns and the plain ones.
struct Side {
    negated: Group,
    plain: Group,
}

impl Side {
    fn new(pats: Vec<Pat>) -> Result<Side, String> {
        let (negated, plain): (Vec<Pat>, Vec<Pat>) = pats.into_iter().partition(|p| p.negated);
        Ok(Side {
            negated: Group::new(negated)?,
            plain: Group::new(plain)?,
        })
    }

    /// `2`: a negated pattern matched; `1`: a plain one did; `0`: none.
    fn verdict(&self, path: &Path) -> u8 {
        if self.negated.any(path) {
            2
        } else if self.plain.any(path) {
            1
        } else {
            0
        }
    }
}

/// Patterns matched together: literal and inverted ones one by one (a literal is a
/// string comparison), the other globs as one `RegexSet` per target (basename or whole
/// path), so a path costs one regex pass per group, not one per pattern.
#[derive(Default)]
struct Group {
    /// Literal or inverted patterns, matched by [`Pat::matches`].
    direct: Vec<Pat>,
    /// Globs against the basename: their texts (micromatch's equality test comes first)
    /// and their regexes as one set.
    base_texts: Vec<String>,
    base_set: Option<regex::RegexSet>,
    /// Globs against the whole path.
    path_texts: Vec<String>,
    path_set: Option<regex::RegexSet>,
}

impl Group {
    fn new(pats: Vec<Pat>) -> Result<Group, String> {
        let mut g = Group::default();
        let (mut base_src, mut path_src) = (Vec::new(), Vec::new());
        for p in pats {
            if p.literal || p.invert {
                g.direct.push(p);
            } else if p.basename {
                base_src.push(p.src);
                g.base_texts.push(p.text);
            } else {
                path_src.push(p.src);
                g.path_texts.push(p.text);
            }
        }
        let set = |src: Vec<String>, texts: &[String]| -> Result<Option<regex::RegexSet>, String> {
            if src.is_empty() {
                return Ok(None);
            }
            regex::RegexSet::new(&src).map(Some).map_err(|e| {
                // Name the pattern that fails on its own, as a single compile would.
                src.iter()
                    .zip(texts)
                    .find_map(|(s, t)| Glob::compile(t, s).err())
                    .unwrap_or_else(|| format!("patterns: {e}"))
            })
        };
        g.base_set = set(base_src, &g.base_texts)?;
        g.path_set = set(path_src, &g.path_texts)?;
        Ok(g)
    }

    fn any(&self, p: &Path) -> bool {
        let (path, base) = (p.full, p.base);
        if self.direct.iter().any(|d| d.matches(path, base, p.ascii)) {
            return true;
        }
        if let Some(set) = &self.base_set {
            if self.base_texts.iter().any(|t| t == base) || set.is_match(base) {
                return true;
            }
        }
        if let Some(set) = &self.path_set {
            if self.path_texts.iter().any(|t| t == path) || set.is_match(path) {
                return true;
            }
        }
        false
    }
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
    /// The regex the pattern compiles to ([`Glob::source`]).
    src: String,
    /// The compiled regex, only where [`Pat::matches`] may need it (an inverted pattern,
    /// a literal that is not ASCII); the other globs run in their group's `RegexSet`.
    glob: Option<Glob>,
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
        let src = Glob::source(&text, Dialect::Yarn)?;
        Pat::with(negated, invert, basename, is_literal(&text), text, src)
    }

    /// A pattern from its parts; compiles its regex only where [`Pat::matches`] may run it.
    fn with(
        negated: bool,
        invert: bool,
        basename: bool,
        literal: bool,
        text: String,
        src: String,
    ) -> Result<Pat, String> {
        let glob = if invert || (literal && !text.is_ascii()) {
            Some(Glob::compile(&text, &src)?)
        } else {
            None
        };
        Ok(Pat {
            negated,
            invert,
            basename,
            text,
            literal,
            src,
            glob,
        })
    }

    /// Whether the pattern matches `path`, whose basename is `base` (`ascii`: both are
    /// ASCII). A glob that is not literal nor inverted is matched by its group's set,
    /// never here.
    fn matches(&self, path: &str, base: &str, ascii: bool) -> bool {
        let target = if self.basename { base } else { path };
        let hit = if self.literal && ascii && self.glob.is_none() {
            target.eq_ignore_ascii_case(&self.text)
        } else {
            target == self.text || self.glob.as_ref().is_some_and(|g| g.is_match(target))
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

/// A path as the lists match it: yarn's absolute path and its basename, found once.
#[derive(Clone, Copy)]
struct Path<'a> {
    full: &'a str,
    base: &'a str,
    /// Whether `full` (so `base` too) is ASCII: literals then compare ignoring ASCII case.
    ascii: bool,
}

impl<'a> Path<'a> {
    fn new(full: &'a str) -> Path<'a> {
        let base = match full.as_bytes().iter().rposition(|&b| b == b'/') {
            Some(i) => &full[i + 1..],
            None => full,
        };
        Path {
            full,
            base,
            ascii: full.is_ascii(),
        }
    }
}

/// The first opinion of a list: `Some(true)` ignored, `Some(false)` kept.
fn opinion(path: &Path, list: &Built) -> Option<bool> {
    match list.accept.verdict(path) {
        0 => {}
        v => return Some(v == 2),
    }
    match list.reject.verdict(path) {
        0 => None,
        v => Some(v == 1),
    }
}

/// The ignore files' lists in force in a folder, innermost first (a shared tail: a
/// folder's entries share its chain, none is copied).
struct Chain {
    list: Built,
    parent: Option<std::sync::Arc<Chain>>,
}

/// yarn's `isIgnored` for a file: the global list, then the ignore files' lists
/// (innermost first), the manifest list, and the reject-all list of an excluded folder.
fn file_ignored(
    path: &Path,
    global: &Built,
    chain: Option<&Chain>,
    own: &Built,
    all: Option<&Built>,
) -> bool {
    if let Some(v) = opinion(path, global) {
        return v;
    }
    lists_ignore(path, chain, own, all)
}

/// The lists after the global one (see [`file_ignored`]).
fn lists_ignore(path: &Path, chain: Option<&Chain>, own: &Built, all: Option<&Built>) -> bool {
    let mut cur = chain;
    while let Some(c) = cur {
        if let Some(v) = opinion(path, &c.list) {
            return v;
        }
        cur = c.parent.as_deref();
    }
    if let Some(v) = opinion(path, own) {
        return v;
    }
    all.and_then(|a| opinion(path, a)).unwrap_or(false)
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
    // The project's own files and other workspaces: paths compared as strings (a
    // case-insensitive comparison, as the escaped glob yarn builds for them matches).
    for r in &ctx.rejected {
        let text = format!("/{r}");
        let rules = |message| PacklistError::Rules {
            file: source.clone(),
            message,
        };
        let src = Glob::source(&glob_escape(&text), Dialect::Yarn).map_err(rules)?;
        let pat = Pat::with(false, false, false, true, text, src).map_err(rules)?;
        global.reject.push(pat);
    }
    let built = |l: Lists, file: &str| {
        l.build().map_err(|message| PacklistError::Rules {
            file: file.to_string(),
            message,
        })
    };
    let global = built(global, "<yarn>")?;

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

    let own = built(own, &source)?;
    let mut all = Lists::default();
    add(&mut all.reject, "**/*", "/", "<yarn>")?;
    let all = built(all, "<yarn>")?;

    let mut out = Vec::new();
    // (yarn's absolute path `/rel`, kind from the parent's listing (no stat per entry),
    // the ignore files' chain, whether an excluded folder's reject-all list is in force).
    type Entry = (String, EntryKind, Option<std::sync::Arc<Chain>>, bool);
    let mut stack: Vec<Entry> = vec![("/".to_string(), EntryKind::Dir, None, false)];
    while let Some((abs, kind, chain, rejected_all)) = stack.pop() {
        let is_root = abs == "/";
        let all_list = rejected_all.then_some(&all);
        match kind {
            EntryKind::Dir => {
                // Folders are judged by the global list alone.
                let global_says = opinion(&Path::new(&abs), &global);
                if global_says == Some(true) {
                    continue;
                }
                let rel = &abs[1..];
                let snap_path = super::join_path(dir, rel);
                let entries = snap.read_dir_kinds(&snap_path)?;
                let has = |n: &str| (!explicit || !is_root) && entries.iter().any(|e| e.name == n);
                let file = if has(".npmignore") {
                    Some(".npmignore")
                } else if has(".gitignore") {
                    Some(".gitignore")
                } else {
                    None
                };
                let own_file = match file {
                    Some(name) => {
                        let path = join(&snap_path, name);
                        let bytes = snap.read(&path)?;
                        let text = String::from_utf8_lossy(&bytes);
                        let mut l = Lists::default();
                        for line in text.split('\n') {
                            add(&mut l.reject, line, &abs_dir(rel), &path)?;
                        }
                        Some(built(l, &path)?)
                    }
                    None => None,
                };
                // An excluded folder is still entered, with its parent's lists and a final
                // reject-all (its own ignore file, read above, is dropped): a later accept
                // brings files back. A folder the global list accepts is not excluded.
                let excluded = !is_root
                    && global_says.is_none()
                    && lists_ignore(&Path::new(&abs), chain.as_deref(), &own, all_list);
                let (next, next_all) = match own_file {
                    _ if excluded => (chain, true),
                    Some(list) => (
                        Some(std::sync::Arc::new(Chain {
                            list,
                            parent: chain,
                        })),
                        rejected_all,
                    ),
                    None => (chain, rejected_all),
                };
                let prefix = if is_root { "" } else { abs.as_str() };
                for e in entries.iter() {
                    let mut child = String::with_capacity(prefix.len() + 1 + e.name.len());
                    child.push_str(prefix);
                    child.push('/');
                    child.push_str(&e.name);
                    stack.push((child, e.kind, next.clone(), next_all));
                }
            }
            EntryKind::File | EntryKind::Symlink => {
                if !file_ignored(&Path::new(&abs), &global, chain.as_deref(), &own, all_list) {
                    let mut rel = abs;
                    rel.remove(0);
                    out.push((rel, kind));
                }
            }
            EntryKind::Other => {}
        }
    }
    // Paths are unique: an unstable sort is enough.
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// The folder `rel` as yarn's absolute path (`/` for the package root).
fn abs_dir(rel: &str) -> String {
    format!("/{rel}")
}

/// A manifest path as an accept pattern (yarn passes it to micromatch as is, so glob
/// characters in it are live).
fn literal(abs: &str, source: &str) -> Result<Pat, PacklistError> {
    let rules = |message| PacklistError::Rules {
        file: source.to_string(),
        message,
    };
    let src = Glob::source(abs, Dialect::Yarn).map_err(rules)?;
    Pat::with(false, false, false, is_literal(abs), abs.to_string(), src).map_err(rules)
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
        let l = l.build().unwrap();
        assert_eq!(l.accept.verdict(&Path::new("/dist")), 2);
        assert_eq!(l.accept.verdict(&Path::new("/lib/dist")), 2);
        assert_eq!(l.accept.verdict(&Path::new("/x")), 0);
    }

    /// Globs run as one set answer as each would alone: the basename ones on the name,
    /// the others on the path, micromatch's equality test first, case ignored.
    #[test]
    fn grouped_globs_match_like_single_ones() {
        let mut l = Lists::default();
        for p in ["*.log", "/readme.*", "[id].js", "lib/**/*.map", "CHANGES"] {
            add(&mut l.reject, p, "/", "t").unwrap();
        }
        let l = l.build().unwrap();
        for (path, hit) in [
            ("/a/DEBUG.LOG", 1),
            ("/README.md", 1),
            ("/docs/readme.md", 0),
            ("/[id].js", 1),
            ("/lib/x/y.js.map", 1),
            ("/lib/y.js.map", 1),
            ("/src/y.js.map", 0),
            ("/other", 0),
            ("/x/changes", 1),
        ] {
            assert_eq!(l.reject.verdict(&Path::new(path)), hit, "{path}");
        }
    }
}
