//! Rule sets: compiled ignore-file lines and the synthetic sets npm-packlist injects
//! (DEFAULT, STRICT and the `files`-derived `package.json` set; spec §5.4–5.6).

use super::pattern::Pattern;
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

/// One compiled rule with a cheap pre-check on the entry's name.
#[derive(Debug)]
pub struct Rule {
    /// The compiled minimatch pattern.
    pub pat: Pattern,
    /// `pat.negate()`, cached.
    pub negate: bool,
    /// `pat.has_short_part()` (ignore-walk's `isRelative` test), cached.
    pub short: bool,
    /// A necessary condition for a non-partial match of a path without trailing `/`.
    pub prefilter: Prefilter,
}

/// Necessary conditions for a non-partial match, derived conservatively from the rule
/// text (no conditions when unsure): every non-globstar segment of the pattern consumes
/// exactly one path segment, so each must be satisfiable by some segment of the path.
#[derive(Debug, Clone, Default)]
pub struct Prefilter {
    checks: Option<Checks>,
}

#[derive(Debug, Clone)]
struct Checks {
    /// The pattern ends in `/`: it only matches paths ending in `/`.
    trailing_slash: bool,
    /// The condition on the last path segment, when the pattern's last segment is plain.
    last: Option<SegCheck>,
    /// One condition per non-globstar segment.
    all: Vec<SegCheck>,
}

/// A literal prefix/suffix condition on one path segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegCheck {
    prefix: String,
    suffix: String,
    min_len: usize,
}

impl SegCheck {
    fn from_segment(seg: &str) -> Option<SegCheck> {
        if seg.is_empty() || seg == "**" || !seg.is_ascii() {
            return None;
        }
        let first = seg.find(['*', '?']);
        let last = seg.rfind(['*', '?']);
        let (prefix, suffix) = match (first, last) {
            (Some(f), Some(l)) => (&seg[..f], &seg[l + 1..]),
            _ => (seg, ""),
        };
        let min_len = match first {
            Some(_) => prefix.len() + suffix.len(),
            None => seg.len(),
        };
        Some(SegCheck {
            prefix: prefix.to_ascii_lowercase(),
            suffix: suffix.to_ascii_lowercase(),
            min_len,
        })
    }

    /// Whether `seg` (ASCII) may match.
    fn admits(&self, seg: &str) -> bool {
        let b = seg.as_bytes();
        b.len() >= self.min_len
            && b.len() >= self.prefix.len()
            && b.len() >= self.suffix.len()
            && b[..self.prefix.len()].eq_ignore_ascii_case(self.prefix.as_bytes())
            && b[b.len() - self.suffix.len()..].eq_ignore_ascii_case(self.suffix.as_bytes())
    }
}

impl Prefilter {
    /// Derives the conditions from a rule line; none for anything but plain segments of
    /// literals, `*` and `?`.
    fn from_line(line: &str) -> Prefilter {
        let body = line.trim_start_matches('!');
        if body.is_empty() || body.contains(['{', '}', '[', ']', '(', ')', '\\']) {
            return Prefilter::default();
        }
        let segs: Vec<&str> = body.split('/').filter(|s| !s.is_empty()).collect();
        if segs.is_empty() || segs.iter().any(|s| *s == "." || *s == "..") {
            return Prefilter::default();
        }
        let mut all = Vec::new();
        for s in &segs {
            if *s == "**" {
                continue;
            }
            match SegCheck::from_segment(s) {
                Some(c) => all.push(c),
                None => return Prefilter::default(),
            }
        }
        let trailing_slash = body.ends_with('/');
        let last = segs.last().and_then(|l| SegCheck::from_segment(l));
        Prefilter {
            checks: Some(Checks {
                trailing_slash,
                last,
                all,
            }),
        }
    }
}

/// The most distinct segment checks one rule set keeps as bits; rules needing more are
/// always tried.
const MAX_CHECKS: usize = 64;

/// What one rule's prefilter needs, as bits of its set's table of segment checks.
#[derive(Debug, Clone, Copy)]
struct Need {
    /// No conditions: the rule is always tried.
    unchecked: bool,
    /// Only paths ending in `/` can match.
    trailing_slash: bool,
    /// Checks each of which some segment of the path must pass.
    all: u64,
    /// The check the last segment must pass in a match without trailing `/` (0: none).
    last: u64,
}

/// The segments an entry offers a rule set's prefilter: the bits of the set's checks passed
/// by some segment of its path, and those passed by its name (the last segment).
#[derive(Debug, Clone, Copy, Default)]
pub struct Passed {
    /// Checks passed by some segment of the path.
    pub path: u64,
    /// Checks passed by the name.
    pub name: u64,
}

/// An ordered list of rules from one source.
#[derive(Debug, Default)]
pub struct RuleSet {
    /// The rules, in file order (shared: the same line compiles once per process).
    pub rules: Vec<Arc<Rule>>,
    /// The distinct segment checks of the rules' prefilters.
    table: Vec<SegCheck>,
    /// Per rule, what it needs of the table.
    needs: Vec<Need>,
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
        prefilter: Prefilter::from_line(line),
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
        let mut table: Vec<SegCheck> = Vec::new();
        let mut bit = |check: &SegCheck| -> Option<u64> {
            let i = match table.iter().position(|c| c == check) {
                Some(i) => i,
                None if table.len() < MAX_CHECKS => {
                    table.push(check.clone());
                    table.len() - 1
                }
                None => return None,
            };
            Some(1 << i)
        };
        let always = Need {
            unchecked: true,
            trailing_slash: false,
            all: 0,
            last: 0,
        };
        let needs = rules
            .iter()
            .map(|rule| {
                let Some(c) = &rule.prefilter.checks else {
                    return always;
                };
                let mut all = 0;
                for check in &c.all {
                    match bit(check) {
                        Some(b) => all |= b,
                        None => return always,
                    }
                }
                let last = match &c.last {
                    Some(check) => match bit(check) {
                        Some(b) => b,
                        None => return always,
                    },
                    None => 0,
                };
                Need {
                    unchecked: false,
                    trailing_slash: c.trailing_slash,
                    all,
                    last,
                }
            })
            .collect();
        RuleSet {
            rules,
            table,
            needs,
        }
    }

    /// The checks of this set's table that `segment` passes (all of them for a segment that
    /// is not ASCII: the checks compare ASCII case-insensitively, JavaScript's case rules
    /// are wider).
    pub fn segment_bits(&self, segment: &str) -> u64 {
        if !segment.is_ascii() {
            return u64::MAX;
        }
        self.table
            .iter()
            .enumerate()
            .filter(|(_, c)| c.admits(segment))
            .fold(0, |bits, (i, _)| bits | 1 << i)
    }

    /// The checks some non-empty segment of `path` passes.
    pub fn path_bits(&self, path: &str) -> u64 {
        if self.table.is_empty() {
            return 0;
        }
        path.split('/')
            .filter(|s| !s.is_empty())
            .fold(0, |bits, s| bits | self.segment_bits(s))
    }

    /// Could rule `j` match any of the forms `filterEntry` tries for an entry whose
    /// segments passed `passed`? (`slash`: the entry is tried as `name/`; `partial`: a
    /// directory tried partially, where a negated rule may match a mere prefix.) False only
    /// when it certainly cannot.
    #[inline]
    pub fn may_match(&self, j: usize, passed: Passed, partial: bool, slash: bool) -> bool {
        let need = self.needs[j];
        if need.unchecked || (partial && self.rules[j].negate) {
            return true;
        }
        if need.all & !passed.path != 0 {
            return false;
        }
        slash
            || partial
            || (!need.trailing_slash && (need.last == 0 || passed.name & need.last != 0))
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

/// The inputs of a package walker's STRICT and `package.json` sets (spec §5.5).
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
    mut lstat: impl FnMut(&str) -> Target,
) -> PackageRules {
    let mut strict: Vec<String> = PACKAGE_STRICT.iter().map(|s| s.to_string()).collect();
    let mut required = Vec::new();
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
            match lstat(file.trim_start_matches('!')) {
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

    /// Whether the one rule of `line` may match `path` as a file (`partial`/`slash` off).
    fn file(line: &str, path: &str) -> bool {
        may(line, path, false, false)
    }

    /// Whether the one rule of `line` may match `path` in the given mode.
    fn may(line: &str, path: &str, partial: bool, slash: bool) -> bool {
        let set = RuleSet::parse("x", line).unwrap();
        let name = path.rsplit('/').next().unwrap();
        let passed = Passed {
            path: set.path_bits(path),
            name: set.segment_bits(name),
        };
        set.may_match(0, passed, partial, slash)
    }

    #[test]
    fn prefilter_is_conservative() {
        assert!(file("*.orig", "x/a.ORIG"));
        assert!(!file("*.orig", "a.js"));
        assert!(file("**/.git/**", "a/.git/x"));
        assert!(!file("**/.git/**", "a/b/x"));
        assert!(may("**/.git/**", "a/.git", false, true));
        assert!(!may("**/.git/**", "a/b", false, true));
        assert!(!file("lib/", "lib"));
        assert!(may("lib/", "x/lib", false, true));
        assert!(may("lib/", "x/lib", true, false));
        assert!(Prefilter::from_line("{a,b}").checks.is_none());
        assert!(file("{a,b}", "c"));
        assert!(file("/build/config.gypi", "build/config.gypi"));
        assert!(!file("/build/config.gypi", "lib/config.gypi"));
        assert!(!file("a*a", "a"));
        assert!(file("a*a", "aa"));
        // A segment that is not ASCII may pass any check (JavaScript case folding).
        assert!(file("*.orig", "x/\u{e9}"));
        assert!(file("/build/config.gypi", "b\u{fc}ild/config.gypi"));
        // Negated rules are always tried partially; positive ones are still filtered.
        assert!(may("!docs/keep.md", "lib", true, false));
        assert!(!may("docs/keep.md", "lib", true, false));
    }

    #[test]
    fn the_check_table_is_shared_and_bounded() {
        let set = RuleSet::parse("x", "*.js\n**/*.js\nlib/*.js\n").unwrap();
        assert_eq!(set.table.len(), 2, "{:?}", set.table);
        // More distinct checks than bits: the rules past the table are always tried.
        let many: String = (0..70).map(|i| format!("f{i}.txt\n")).collect();
        let set = RuleSet::parse("x", &many).unwrap();
        assert_eq!(set.table.len(), MAX_CHECKS);
        let passed = Passed {
            path: set.path_bits("other"),
            name: set.segment_bits("other"),
        };
        assert!(!set.may_match(0, passed, false, false));
        assert!(set.may_match(69, passed, false, false));
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
