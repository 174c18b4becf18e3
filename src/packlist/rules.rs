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

/// Necessary conditions for a non-partial match, derived conservatively from the rule's
/// brace expansions (no conditions when unsure): in each expansion every non-globstar
/// segment consumes exactly one path segment, so each must be satisfiable by some segment of
/// the path; the rule can match only if some expansion can.
#[derive(Debug, Clone, Default)]
pub struct Prefilter {
    /// One set of checks per expansion; `None` when some expansion has none.
    alts: Option<Vec<Checks>>,
}

#[derive(Debug, Clone)]
struct Checks {
    /// The pattern ends in `/`: it only matches paths ending in `/`.
    trailing_slash: bool,
    /// The condition on the last path segment.
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

/// Characters that may make a segment more than a literal: wildcards, classes, escapes,
/// extglobs, and braces or bars left over from expansion (all treated as magic, which only
/// weakens the check).
fn is_magic(c: char) -> bool {
    matches!(
        c,
        '*' | '?' | '[' | ']' | '(' | ')' | '\\' | '{' | '}' | '|' | '!' | '+' | '@'
    )
}

impl SegCheck {
    /// The check of one pattern segment: the literal text before its first magic character
    /// and after its last must start and end the path segment (whatever lies between
    /// matches zero or more characters). A segment without magic must be that literal.
    fn from_segment(seg: &str) -> Option<SegCheck> {
        if seg.is_empty() || seg == "**" || !seg.is_ascii() {
            return None;
        }
        let (prefix, suffix, min_len) = match (seg.find(is_magic), seg.rfind(is_magic)) {
            (Some(f), Some(l)) => (&seg[..f], &seg[l + 1..], f + seg.len() - l - 1),
            _ => (seg, "", seg.len()),
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

impl Checks {
    /// The checks of one brace expansion (leading `!`s already removed); none when it
    /// has `.` or `..` segments (level-one optimisation rewrites those) or is empty.
    fn from_expansion(body: &str) -> Option<Checks> {
        let segs: Vec<&str> = body.split('/').filter(|s| !s.is_empty()).collect();
        if segs.is_empty() || segs.iter().any(|s| *s == "." || *s == "..") {
            return None;
        }
        let all = segs
            .iter()
            .filter(|s| **s != "**")
            .map(|s| SegCheck::from_segment(s))
            .collect::<Option<Vec<_>>>()?;
        Some(Checks {
            trailing_slash: body.ends_with('/'),
            last: segs.last().and_then(|l| SegCheck::from_segment(l)),
            all,
        })
    }
}

impl Prefilter {
    /// Derives the conditions from a compiled pattern's brace expansions.
    fn from_pattern(pat: &Pattern) -> Prefilter {
        let expansions = pat.expansions();
        if expansions.is_empty() {
            return Prefilter::default();
        }
        Prefilter {
            alts: expansions
                .iter()
                .map(|e| Checks::from_expansion(e))
                .collect(),
        }
    }
}

/// The most distinct segment checks one rule set keeps as bits; rules needing more are
/// always tried.
const MAX_CHECKS: usize = 64;

/// What one rule's prefilter needs, as bits of its set's table of segment checks: `None`
/// when the rule is always tried, else one [`AltNeed`] per brace expansion.
type Need = Option<Vec<AltNeed>>;

/// What one brace expansion of a rule needs.
#[derive(Debug, Clone, Copy)]
struct AltNeed {
    /// Only paths ending in `/` can match.
    trailing_slash: bool,
    /// Checks each of which some segment of the path must pass.
    all: u64,
    /// The check the last segment must pass in a match without trailing `/` (0: none).
    last: u64,
}

impl AltNeed {
    /// Every segment check is passed by some segment.
    fn all_passed(&self, passed: Passed) -> bool {
        self.all & !passed.path == 0
    }

    /// A match of the entry without trailing `/` is possible.
    fn file_passed(&self, passed: Passed) -> bool {
        self.all_passed(passed)
            && !self.trailing_slash
            && (self.last == 0 || passed.name & self.last != 0)
    }
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

/// The rules of one set that may match one entry, a bit per rule (bit `j` for rule `j`;
/// rules past the 64th are always tried), for each way `filterEntry` tries it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Candidates {
    /// As a file (or a directory's `exact` test without trailing `/`).
    pub file: u64,
    /// As a directory tried partially.
    pub partial: u64,
    /// As `name/`.
    pub slash: u64,
}

impl Candidates {
    /// The mask for one way of trying the entry.
    #[inline]
    pub fn mask(&self, partial: bool, slash: bool) -> u64 {
        if partial {
            self.partial
        } else if slash {
            self.slash
        } else {
            self.file
        }
    }
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
        let needs = rules
            .iter()
            .map(|rule| -> Need {
                rule.prefilter
                    .alts
                    .as_ref()?
                    .iter()
                    .map(|c| {
                        let mut all = 0;
                        for check in &c.all {
                            all |= bit(check)?;
                        }
                        let last = match &c.last {
                            Some(check) => bit(check)?,
                            None => 0,
                        };
                        Some(AltNeed {
                            trailing_slash: c.trailing_slash,
                            all,
                            last,
                        })
                    })
                    .collect()
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

    /// [`may_match`](Self::may_match) of every rule (up to the 64th) in each mode at once.
    pub fn candidates(&self, passed: Passed) -> Candidates {
        let mut c = Candidates::default();
        for (j, (need, rule)) in self.needs.iter().zip(&self.rules).take(64).enumerate() {
            let bit = 1u64 << j;
            let Some(alts) = need else {
                c.file |= bit;
                c.partial |= bit;
                c.slash |= bit;
                continue;
            };
            if alts.iter().any(|a| a.all_passed(passed)) {
                c.partial |= bit;
                c.slash |= bit;
                if alts.iter().any(|a| a.file_passed(passed)) {
                    c.file |= bit;
                }
            } else if rule.negate {
                c.partial |= bit;
            }
        }
        c
    }

    /// Could rule `j` match any of the forms `filterEntry` tries for an entry whose
    /// segments passed `passed`? (`slash`: the entry is tried as `name/`; `partial`: a
    /// directory tried partially, where a negated rule may match a mere prefix.) False only
    /// when it certainly cannot.
    pub fn may_match(&self, j: usize, passed: Passed, partial: bool, slash: bool) -> bool {
        let Some(alts) = &self.needs[j] else {
            return true;
        };
        if partial && self.rules[j].negate {
            return true;
        }
        if slash || partial {
            alts.iter().any(|a| a.all_passed(passed))
        } else {
            alts.iter().any(|a| a.file_passed(passed))
        }
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
        // Brace expansions: the rule may match if one of them may.
        assert!(!file("{a,b}", "c"));
        assert!(file("{a,b}", "x/B"));
        assert!(file("readme{,.*[^~$]}", "README"));
        assert!(file("readme{,.*[^~$]}", "lib/readme.md"));
        assert!(!file("readme{,.*[^~$]}", "src/m1.ts"));
        assert!(!file("!/readme{,.*[^~$]}", "src/m1.ts"));
        // Classes, escapes and extglobs keep their literal ends.
        let json = r#"{"name":"@mono/p1","files":["dist"]}"#;
        assert!(!file(json, "dist/m1.js"));
        assert!(file(json, r#""files":d"#));
        assert!(file("a[bc]d.js", "abd.js"));
        assert!(!file("a[bc]d.js", "abd.ts"));
        assert!(file("x+(a|b)y", "xay"));
        assert!(!file("x+(a|b)y", "xa"));
        assert!(file("a\\*b", "a*b"));
        assert!(file("@(a)", "a"));
        // A `.` or `..` segment: no conditions.
        assert!(file("./a/../b", "c"));
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
    fn candidates_agree_with_may_match() {
        let text = "*.orig\n!docs/keep.md\nlib/\n/build/config.gypi\n{a,b}\n**/.git/**\n";
        let set = RuleSet::parse("x", text).unwrap();
        for path in [
            "a.orig",
            "docs/keep.md",
            "x/lib",
            "build/config.gypi",
            "a/.git",
            "q",
        ] {
            let name = path.rsplit('/').next().unwrap();
            let passed = Passed {
                path: set.path_bits(path),
                name: set.segment_bits(name),
            };
            let c = set.candidates(passed);
            for (partial, slash) in [(false, false), (true, false), (false, true)] {
                for j in 0..set.rules.len() {
                    assert_eq!(
                        c.mask(partial, slash) & (1 << j) != 0,
                        set.may_match(j, passed, partial, slash),
                        "rule {j} on {path} (partial {partial}, slash {slash})"
                    );
                }
            }
        }
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
