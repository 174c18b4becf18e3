//! The walk's prefilter: cheap necessary conditions for a rule to match an entry, so that
//! most entries are judged by a few bit tests instead of minimatch (npm's walk matches every
//! entry against every rule of every ancestor walker; a workspace root has hundreds).
//!
//! Each rule gets conditions from its brace expansions: in an expansion every non-globstar
//! segment consumes exactly one path segment, so the literal text before its first magic
//! character and after its last must start and end some segment of the path (its last
//! segment, the entry's name, for the pattern's last). A rule set interns its rules'
//! distinct conditions into a table of at most 64 checks; an entry passes a set of bits.

use super::pattern::Pattern;
use super::rules::Rule;
use std::sync::Arc;

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
    pub(super) fn from_pattern(pat: &Pattern) -> Prefilter {
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

/// A rule set's prefilter: its distinct segment checks and what each rule needs of them.
#[derive(Debug, Default)]
pub struct Table {
    /// The distinct segment checks of the rules' prefilters.
    checks: Vec<SegCheck>,
    /// Per rule, what it needs of `checks`.
    needs: Vec<Need>,
}

impl Table {
    /// The table of `rules`' prefilters.
    pub(super) fn new(rules: &[Arc<Rule>]) -> Table {
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
        Table {
            checks: table,
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
        self.checks
            .iter()
            .enumerate()
            .filter(|(_, c)| c.admits(segment))
            .fold(0, |bits, (i, _)| bits | 1 << i)
    }

    /// The checks some non-empty segment of `path` passes.
    pub fn path_bits(&self, path: &str) -> u64 {
        if self.checks.is_empty() {
            return 0;
        }
        path.split('/')
            .filter(|s| !s.is_empty())
            .fold(0, |bits, s| bits | self.segment_bits(s))
    }

    /// [`may_match`](Self::may_match) of every rule (up to the 64th) in each mode at once;
    /// `rules` are the ones the table was made of.
    pub fn candidates(&self, rules: &[Arc<Rule>], passed: Passed) -> Candidates {
        let mut c = Candidates::default();
        for (j, (need, rule)) in self.needs.iter().zip(rules).take(64).enumerate() {
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

    /// Could rule `j` (negated when `negate`) match any of the forms `filterEntry` tries for an entry whose
    /// segments passed `passed`? (`slash`: the entry is tried as `name/`; `partial`: a
    /// directory tried partially, where a negated rule may match a mere prefix.) False only
    /// when it certainly cannot.
    pub fn may_match(
        &self,
        j: usize,
        negate: bool,
        passed: Passed,
        partial: bool,
        slash: bool,
    ) -> bool {
        let Some(alts) = &self.needs[j] else {
            return true;
        };
        if partial && negate {
            return true;
        }
        if slash || partial {
            alts.iter().any(|a| a.all_passed(passed))
        } else {
            alts.iter().any(|a| a.file_passed(passed))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packlist::rules::RuleSet;

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
        let table = Table::new(&set.rules);
        assert_eq!(table.checks.len(), 2, "{:?}", table.checks);
        // More distinct checks than bits: the rules past the table are always tried.
        let many: String = (0..70).map(|i| format!("f{i}.txt\n")).collect();
        let set = RuleSet::parse("x", &many).unwrap();
        assert_eq!(Table::new(&set.rules).checks.len(), MAX_CHECKS);
        let passed = Passed {
            path: set.path_bits("other"),
            name: set.segment_bits("other"),
        };
        assert!(!set.may_match(0, passed, false, false));
        assert!(set.may_match(69, passed, false, false));
    }
}
