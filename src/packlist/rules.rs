//! Rule sets: compiled ignore-file lines and the synthetic sets npm-packlist injects
//! (DEFAULT, STRICT and the `files`-derived `package.json` set; docs/npm-pack-rules.md §5.4–5.6).

use super::pattern::Pattern;
pub use super::prefilter::{Candidates, Passed};
use super::prefilter::{Prefilter, Table};
use super::PacklistError;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The default exclusions injected into every walker (npm-packlist's `defaults`).
pub const DEFAULT_RULES: &[&str] = &[
    ".npmignore",
    ".gitignore",
    "**/.git",
    "**/.svn",
    "**/.hg",
    "**/CVS",
    "**/.git/**",
    "**/.svn/**",
    "**/.hg/**",
    "**/CVS/**",
    "/.lock-wscript",
    "/.wafpickle-*",
    "/build/config.gypi",
    "npm-debug.log",
    "**/.npmrc",
    ".*.swp",
    ".DS_Store",
    "**/.DS_Store/**",
    "._*",
    "**/._*/**",
    "*.orig",
    "/archived-packages/**",
];

/// The forced includes and excludes of a package root, after the `files` file entries and
/// before `browser`/`main`/`bin` (npm-packlist's `strict` array).
const PACKAGE_STRICT: &[&str] = &[
    "/.git",
    "!/package.json",
    "!/readme{,.*[^~$]}",
    "!/copying{,.*[^~$]}",
    "!/license{,.*[^~$]}",
    "!/licence{,.*[^~$]}",
    "/.git",
    "/node_modules",
    ".npmrc",
    "/package-lock.json",
    "/yarn.lock",
    "/pnpm-lock.yaml",
    "/bun.lockb",
];

/// One compiled rule with a cheap pre-check on the entry's path.
#[derive(Debug)]
pub struct Rule {
    /// The compiled minimatch pattern.
    pub pat: Pattern,
    /// `pat.negate()`, cached.
    pub negate: bool,
    /// `pat.has_short_part()` (ignore-walk's `isRelative` test), cached.
    pub short: bool,
    /// Necessary conditions for a match, from its brace expansions (see [`Prefilter`]).
    pub prefilter: Prefilter,
}

/// An ordered list of rules from one source.
#[derive(Debug, Default)]
pub struct RuleSet {
    /// The rules, in file order (shared: the same line compiles once per process).
    pub rules: Vec<Arc<Rule>>,
    /// The rules' prefilters as one table of segment checks.
    filter: Table,
}

/// Every line compiled so far. A monorepo's packages repeat the same lines (npm's defaults,
/// the strict set, `!/dist/index.js`, a shared .gitignore) hundreds of times, and compiling a
/// minimatch pattern costs far more than looking it up.
fn compiled(line: &str) -> Result<Arc<Rule>, super::pattern::PatternError> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Rule>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(rule) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(line) {
        return Ok(rule.clone());
    }
    let pat = Pattern::new(line)?;
    let rule = Arc::new(Rule {
        negate: pat.negate(),
        short: pat.has_short_part(),
        prefilter: Prefilter::from_pattern(&pat),
        pat,
    });
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(line.to_string(), rule.clone());
    Ok(rule)
}

impl RuleSet {
    /// Compiles `text` as ignore-walk reads an ignore file: split on `\r?\n`, trim the JS
    /// way, drop empty lines and `#` comments. `source` names the file in errors.
    pub fn parse(source: &str, text: &str) -> Result<RuleSet, PacklistError> {
        let mut rules = Vec::new();
        for raw in text.split('\n') {
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            let line = super::pattern::js_trim(raw);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let rule = compiled(line).map_err(|e| PacklistError::Rules {
                file: source.to_string(),
                message: format!("pattern `{}`: {e}", shorten(line)),
            })?;
            rules.push(rule);
        }
        Ok(RuleSet::new(rules))
    }

    /// Compiles synthetic lines (joined with `\n` first, exactly like `injectRules`).
    pub fn from_lines<S: AsRef<str>>(source: &str, lines: &[S]) -> Result<RuleSet, PacklistError> {
        let text: Vec<&str> = lines.iter().map(|l| l.as_ref()).collect();
        RuleSet::parse(source, &text.join("\n"))
    }

    /// [`parse`](Self::parse), shared: the same text yields the same set for the rest of the
    /// process. A monorepo's members repeat the same synthetic sets (npm's strict list plus
    /// `!/dist/index.js`, the `files` rules) and ignore files hundreds of times.
    pub fn cached(source: &str, text: &str) -> Result<Arc<RuleSet>, PacklistError> {
        static CACHE: OnceLock<Mutex<HashMap<String, Arc<RuleSet>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        if let Some(set) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(text) {
            return Ok(set.clone());
        }
        // Errors are not kept: each source that holds the text reports its own.
        let set = Arc::new(RuleSet::parse(source, text)?);
        cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(text.to_string(), set.clone());
        Ok(set)
    }

    /// [`from_lines`](Self::from_lines), shared like [`cached`](Self::cached).
    pub fn cached_lines<S: AsRef<str>>(
        source: &str,
        lines: &[S],
    ) -> Result<Arc<RuleSet>, PacklistError> {
        let text: Vec<&str> = lines.iter().map(|l| l.as_ref()).collect();
        RuleSet::cached(source, &text.join("\n"))
    }

    /// The set of these rules, with the check table of their prefilters.
    fn new(rules: Vec<Arc<Rule>>) -> RuleSet {
        RuleSet {
            filter: Table::new(&rules),
            rules,
        }
    }

    /// The checks of this set's prefilter table that `segment` passes ([`Table`]).
    pub fn segment_bits(&self, segment: &str) -> u64 {
        self.filter.segment_bits(segment)
    }

    /// The checks some non-empty segment of `path` passes.
    pub fn path_bits(&self, path: &str) -> u64 {
        self.filter.path_bits(path)
    }

    /// The rules (up to the 64th) that may match an entry that passed `passed`, per mode.
    pub fn candidates(&self, passed: Passed) -> Candidates {
        self.filter.candidates(&self.rules, passed)
    }

    /// Could rule `j` match any of the forms `filterEntry` tries for an entry that passed
    /// `passed`? False only when it certainly cannot.
    pub fn may_match(&self, j: usize, passed: Passed, partial: bool, slash: bool) -> bool {
        self.filter
            .may_match(j, self.rules[j].negate, passed, partial, slash)
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 60 {
        let head: String = s.chars().take(57).collect();
        format!("{head}...")
    } else {
        s.to_string()
    }
}

/// The inputs of a package walker's STRICT and `package.json` sets (docs/npm-pack-rules.md §5.5).
pub struct PackageRules {
    /// The `package.json` rule set (`*` + inverted dir/pattern entries), if `files` exists.
    pub files_set: Option<Vec<String>>,
    /// The STRICT lines.
    pub strict: Vec<String>,
    /// Files listed explicitly, relative to the package (requiredFiles).
    pub required: Vec<String>,
}

/// What an explicit `files` entry names on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// Exists but is neither (symlink, fifo, ...).
    Other,
    /// Does not exist (the entry is a pattern).
    Missing,
}

/// Turns the manifest inputs into the package walker's rule lines. `lstat` answers what a
/// `files` entry (with leading `!`s removed) names, relative to the package directory.
pub fn package_rules(
    files: Option<&[String]>,
    main: Option<&str>,
    browser: Option<&str>,
    bin: &[String],
    lstat: impl FnMut(&str) -> Target,
) -> PackageRules {
    package_rules_as(files, main, browser, bin, lstat, false)
}

/// [`package_rules`] for npm (`pnpm: false`) or pnpm, which reads `files` with its `!`
/// entries last (a negation always wins), names explicit files as a .gitignore line would
/// (`x.js` at any depth, `lib/x.js` only at that path), and does not normalize `.`/`..`
/// segments.
pub fn package_rules_as(
    files: Option<&[String]>,
    main: Option<&str>,
    browser: Option<&str>,
    bin: &[String],
    mut lstat: impl FnMut(&str) -> Target,
    pnpm: bool,
) -> PackageRules {
    // pnpm matches `.git` and `.npmrc` by exact name elsewhere, not through these rules.
    let mut strict: Vec<String> = PACKAGE_STRICT
        .iter()
        .filter(|l| !pnpm || !matches!(**l, "/.git" | ".npmrc"))
        .map(|s| s.to_string())
        .collect();
    let base_len = strict.len();
    let mut required = Vec::new();
    // pnpm: a named file's later `!` still wins (its exclusions follow its inclusions).
    let mut negated_files: Vec<String> = Vec::new();
    let files_set = files.map(|files| {
        let mut ignores = Vec::new();
        for entry in files {
            let mut file = entry.clone();
            if file.starts_with("./") {
                file.remove(0);
            }
            if file.ends_with("/*") {
                file.push('*');
            }
            let inverse = format!("!{file}");
            let target = file.trim_start_matches('!');
            let odd = pnpm && target.split('/').any(|s| s == "." || s == "..");
            match if odd { Target::Missing } else { lstat(target) } {
                Target::File if pnpm && !file.starts_with('!') => {
                    // As in a .gitignore: a name without a slash matches at any depth
                    // (`d.js` also ships `dist/d.js` once `dist` is entered), one with a
                    // slash only at that path.
                    let anchor = if file.contains('/') { "/" } else { "" };
                    strict.insert(0, format!("!{anchor}{}", file.trim_start_matches('/')));
                    required.push(file.strip_prefix('/').unwrap_or(&file).to_string());
                }
                Target::File if pnpm => negated_files.push(inverse),
                Target::File => {
                    strict.insert(0, inverse);
                    required.push(file.strip_prefix('/').unwrap_or(&file).to_string());
                }
                Target::Dir => {
                    ignores.push(inverse.clone());
                    ignores.push(format!("{inverse}/**"));
                }
                Target::Other => {}
                Target::Missing => ignores.push(inverse),
            }
        }
        let mut set = vec!["*".to_string()];
        set.extend(ignores);
        set
    });
    // A named file a `!` entry also names is not handed down as required either.
    required.retain(|r: &String| {
        let r = r.trim_start_matches('/');
        !negated_files
            .iter()
            .any(|n| n.trim_start_matches('!').trim_start_matches('/') == r)
    });
    let firsts = strict.len() - base_len;
    for (k, line) in negated_files.into_iter().enumerate() {
        strict.insert(firsts + k, line);
    }
    if let Some(b) = browser {
        strict.push(format!("!/{b}"));
    }
    if let Some(m) = main {
        strict.push(format!("!/{m}"));
    }
    for b in bin {
        strict.push(format!("!/{b}"));
    }
    PackageRules {
        files_set,
        strict,
        required,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_is_one_set_and_errors_name_their_own_file() {
        let a = RuleSet::cached("a/.npmignore", "dist/*.map\n*.log").unwrap();
        let b = RuleSet::cached("b/.gitignore", "dist/*.map\n*.log").unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        // Synthetic lines are joined with `\n`, as `injectRules` does, then looked up alike.
        let c = RuleSet::cached_lines("c", &["dist/*.map", "*.log"]).unwrap();
        assert!(Arc::ptr_eq(&a, &c));
        assert!(!Arc::ptr_eq(&a, &RuleSet::cached("d", "*.log\n").unwrap()));
        // Errors are not kept: each file holding a bad line is named in its own error.
        let long = "x".repeat(70_000);
        for file in ["one/.npmignore", "two/.npmignore"] {
            match RuleSet::cached(file, &long) {
                Err(PacklistError::Rules { file: named, .. }) => assert_eq!(named, file),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn js_trim_and_comments() {
        let set = RuleSet::parse("x", "\u{feff} a.js \r\n# c\n\n  \u{a0}b\u{3000}\n").unwrap();
        assert_eq!(set.rules.len(), 2);
    }

    #[test]
    fn files_become_rules() {
        let files = vec![
            "./lib".to_string(),
            "dist/*".to_string(),
            "a.js".to_string(),
            "!b.js".to_string(),
        ];
        let r = package_rules(Some(&files), Some("x.js"), None, &[], |p| match p {
            "/lib" => Target::Dir,
            "a.js" | "b.js" => Target::File,
            _ => Target::Missing,
        });
        assert_eq!(
            r.files_set.unwrap(),
            vec!["*", "!/lib", "!/lib/**", "!dist/**"]
        );
        assert_eq!(&r.strict[..2], &["!!b.js", "!a.js"]);
        assert_eq!(r.strict.last().unwrap(), "!/x.js");
        assert_eq!(r.required, vec!["a.js", "!b.js"]);
    }
}
