//! `secret/<kind>`: credentials in shipped files, staged lines and embedded sources.
//!
//! How it stays fast: one case-sensitive aho-corasick pass over the whole buffer finds the
//! keywords (`ghp_`, `AKIA`, `-----BEGIN `, `token`, …); a clean file costs just that pass.
//! Each hit runs its kind's regex *anchored at the hit* over a short window, then the
//! boundary, placeholder, example and entropy filters of [`filters`]. Nothing scans a
//! whole line of a minified bundle.
//!
//! How it stays quiet: token prefixes need boundaries (`AKIA` inside base64, `sk-` inside
//! `task-`), placeholders and vendors' documented example keys are dropped, private keys
//! need a real body between BEGIN and END, generic assignments need a secret-like name, a
//! quoted (or env-style) value, mixed characters and entropy, and the `mappings` string of
//! a source map is never searched.
//!
//! Used by the audit (shipped files and sources embedded in maps) and by the pre-commit
//! review (added lines of staged files), so both report the same ids.

mod filters;
mod rules;

pub use filters::shannon_entropy;

use crate::config::Config;
use crate::report::{Finding, Severity};
use crate::rules::Rule;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::bytes::Regex;
use rules::{Validate, BUILTINS};
use std::ops::Range;

/// How many leading bytes [`is_binary`] looks at (git's heuristic).
pub const BINARY_SNIFF_LEN: usize = 8 * 1024;

/// True when `bytes` looks binary: a NUL byte in the first 8 KiB (what git and ripgrep use).
/// Binary files are not scanned; text embedded in them (a map's `sourcesContent`) is
/// passed to the scanner separately by the source-map check.
pub fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(BINARY_SNIFF_LEN)]).is_some()
}

/// One secret found by [`Scanner::scan`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretMatch {
    /// The rule id, `secret/<kind>` (built-in kinds or a `[[secrets.patterns]]` id).
    pub rule: String,
    /// 1-based line of the secret's first byte.
    pub line: u32,
    /// 1-based column (in characters) of the secret's first byte.
    pub column: u32,
    /// Byte range of the secret itself (not the variable name around it) in the buffer.
    pub range: Range<usize>,
    /// `Error` for a credential; `Warning` when the value is public by design, a fixture or
    /// too weak to judge (then [`why`](Self::why) says which).
    pub severity: Severity,
    /// Why a match is not blocking, for the message (`None` for errors).
    pub why: Option<&'static str>,
}

/// A confirmed candidate: where, which kind (when the rule that found it reports it under
/// a more specific one), how serious and why.
struct Hit {
    range: Range<usize>,
    kind: Option<&'static Rule>,
    severity: Severity,
    why: Option<&'static str>,
}

impl Hit {
    fn error(range: Range<usize>) -> Hit {
        Hit {
            range,
            kind: None,
            severity: Severity::Error,
            why: None,
        }
    }

    fn warning(range: Range<usize>, why: &'static str) -> Hit {
        Hit {
            range,
            kind: None,
            severity: Severity::Warning,
            why: Some(why),
        }
    }

    fn kind(mut self, kind: &'static Rule) -> Hit {
        self.kind = Some(kind);
        self
    }
}

/// One raw match: rule index, range, line, column, severity, why.
struct Raw {
    rule: usize,
    range: Range<usize>,
    line: u32,
    column: u32,
    severity: Severity,
    why: Option<&'static str>,
}

/// Where a buffer sits, for the rules that judge by place.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Code and configuration: every rule at full strength.
    Code,
    /// Documentation, examples and type declarations: `generic-secret` is off.
    Docs,
    /// Tests and fixtures: `generic-secret` is off and the other kinds are warnings (test
    /// suites ship key fixtures on purpose).
    Fixture,
}

impl Place {
    fn of(path: &str) -> Place {
        if is_fixture_path(path) {
            Place::Fixture
        } else if is_sample_path(path) {
            Place::Docs
        } else {
            Place::Code
        }
    }
}

/// Why a database URL or Google key in documentation is a warning.
const WHY_DOCS: &str = "in documentation, where such URLs and browser keys are usually \
    examples; if it is a real one, rotate it";

/// What a test fixture's key is called in messages.
const WHY_FIXTURE: &str = "under a test or fixture path: test suites ship such keys on purpose; \
    if it is a real one, rotate it";

/// A `[[secrets.patterns]]` entry leakgate can't use; names the config file and the entry.
#[derive(Debug, thiserror::Error)]
#[error("{file}: [[secrets.patterns]] id = \"{id}\": {message}")]
pub struct ScannerError {
    /// The config file (or `<defaults>`).
    pub file: String,
    /// The pattern's id.
    pub id: String,
    /// What is wrong.
    pub message: String,
}

/// How a compiled rule is checked.
enum Check {
    /// A built-in kind: anchored at the keyword.
    BuiltIn(&'static rules::BuiltIn),
    /// A team pattern: searched on the line around a keyword (or the whole buffer).
    Custom,
}

/// A rule ready to run.
struct Compiled {
    id: String,
    what: String,
    regex: LazyRegex,
    check: Check,
}

/// A regex compiled the first time a keyword sends text its way. Most runs (a pre-commit of
/// three small files) hit no keyword at all, and compiling every built-in kind would cost
/// more than the whole scan.
struct LazyRegex {
    source: String,
    compiled: std::sync::OnceLock<Regex>,
}

impl LazyRegex {
    /// A built-in pattern, compiled on first use.
    fn deferred(source: String) -> LazyRegex {
        LazyRegex {
            source,
            compiled: std::sync::OnceLock::new(),
        }
    }

    /// An already compiled pattern (the team's own, checked when the config loads).
    fn ready(regex: Regex) -> LazyRegex {
        let compiled = std::sync::OnceLock::new();
        let source = regex.as_str().to_string();
        let _ = compiled.set(regex);
        LazyRegex { source, compiled }
    }

    fn get(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            Regex::new(&self.source).expect("built-in secret regexes compile (unit-tested)")
        })
    }
}

/// The secret scanner: built once per run (compiling is the expensive part), shared by
/// every thread (`Scanner: Send + Sync`).
pub struct Scanner {
    rules: Vec<Compiled>,
    prefilter: Keywords,
    /// For each prefilter pattern, the rules it triggers and where their keyword starts
    /// relative to the hit (non-zero for a keyword inside a longer one: `password` in
    /// `_password`; the prefilter reports only the longest keyword at a position).
    triggers: Vec<Vec<(usize, usize)>>,
    /// Index of the `generic-secret` rule (switched off in docs, tests and examples).
    generic: usize,
    /// Rule index of each built-in kind, for hits reported under a more specific kind.
    kinds: Vec<(&'static str, usize)>,
    /// Custom rules without keywords: searched over every text buffer.
    unanchored: Vec<usize>,
}

impl std::fmt::Debug for Scanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field(
                "rules",
                &self.rules.iter().map(|r| &r.id).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Scanner {
    /// The built-in kinds plus the team's `[[secrets.patterns]]`.
    ///
    /// Errors name the config file and the pattern: an invalid regex, an id that is not
    /// kebab-case, or an id that shadows a built-in kind.
    pub fn new(config: &Config) -> Result<Scanner, ScannerError> {
        let file = config
            .source
            .as_ref()
            .map_or_else(|| "<defaults>".to_string(), |p| p.display().to_string());
        let mut rules = Vec::new();
        let mut keywords: Vec<String> = Vec::new();
        let mut triggers: Vec<Vec<usize>> = Vec::new();
        let mut add_keyword = |kw: &str, rule: usize| match keywords.iter().position(|k| k == kw) {
            Some(i) => triggers[i].push(rule),
            None => {
                keywords.push(kw.to_string());
                triggers.push(vec![rule]);
            }
        };
        for b in BUILTINS {
            let regex = LazyRegex::deferred(format!("^(?:{})", b.regex));
            let idx = rules.len();
            rules.push(Compiled {
                id: b.rule.id.to_string(),
                what: b.what.to_string(),
                regex,
                check: Check::BuiltIn(b),
            });
            for kw in b.keywords {
                add_keyword(kw, idx);
            }
        }
        let mut unanchored = Vec::new();
        for p in &config.secrets.patterns {
            let err = |message: String| ScannerError {
                file: file.clone(),
                id: p.id.clone(),
                message,
            };
            let kebab = !p.id.is_empty()
                && p.id
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
            if !kebab {
                return Err(err(
                    "the id must be kebab-case (`[a-z0-9-]+`); findings are reported as secret/<id>"
                        .into(),
                ));
            }
            if BUILTINS.iter().any(|b| b.kind() == p.id) {
                return Err(err(format!(
                    "`secret/{}` is a built-in kind; choose another id",
                    p.id
                )));
            }
            let regex = LazyRegex::ready(
                Regex::new(&p.regex).map_err(|e| err(format!("invalid regex: {e}")))?,
            );
            let idx = rules.len();
            rules.push(Compiled {
                id: format!("secret/{}", p.id),
                what: p
                    .description
                    .clone()
                    .unwrap_or_else(|| format!("secret ({})", p.id)),
                regex,
                check: Check::Custom,
            });
            let kws: Vec<&String> = p.keywords.iter().filter(|k| !k.is_empty()).collect();
            if kws.is_empty() {
                unanchored.push(idx);
            }
            for kw in kws {
                add_keyword(kw, idx);
            }
        }
        // Each keyword also triggers the rules of every keyword it contains.
        let triggers: Vec<Vec<(usize, usize)>> = keywords
            .iter()
            .map(|k| {
                let mut t = Vec::new();
                for (j, inner) in keywords.iter().enumerate() {
                    for (offset, _) in k.match_indices(inner.as_str()) {
                        t.extend(triggers[j].iter().map(|&r| (offset, r)));
                    }
                }
                t.sort_unstable();
                t.dedup();
                t
            })
            .collect();
        // Leftmost-longest, not overlapping: see `Keywords` for which searcher runs.
        let prefilter = Keywords::new(&keywords).map_err(|e| ScannerError {
            file: file.clone(),
            id: "<keywords>".into(),
            message: e.to_string(),
        })?;
        let generic = rules
            .iter()
            .position(|r| r.id == SECRET_GENERIC_SECRET.id)
            .expect("generic-secret is built in");
        let kinds = BUILTINS
            .iter()
            .enumerate()
            .map(|(i, b)| (b.rule.id, i))
            .collect();
        Ok(Scanner {
            rules,
            prefilter,
            triggers,
            generic,
            kinds,
            unanchored,
        })
    }

    /// Every secret in `bytes`, sorted by position, with line and column.
    ///
    /// Binary buffers ([`is_binary`]) return nothing. Overlapping matches of several kinds
    /// are reported once, as the most specific kind.
    pub fn scan(&self, bytes: &[u8]) -> Vec<SecretMatch> {
        self.to_matches(self.scan_raw(bytes, Place::Code))
    }

    /// [`scan`](Self::scan) for a file at `path` (relative, `/`-separated; for an embedded
    /// source the part after the last `!` counts). In documentation, tests, examples,
    /// fixtures and type declarations (`README.md`, `test/`, `*.spec.ts`, `examples/`,
    /// `*.examples.json`, `*.d.ts`) the heuristic `generic-secret` kind is off: values there
    /// are samples. Every vendor-token kind still applies: a real `ghp_` token in a README
    /// is still a leak; under a test or fixture path (`test/`, `fixtures/`, `*.test.js`) it
    /// is a warning that says so. The pre-commit review and the audit both call this.
    pub fn scan_file(&self, path: &str, bytes: &[u8]) -> Vec<SecretMatch> {
        self.to_matches(self.scan_raw(bytes, Place::of(path)))
    }

    fn to_matches(&self, raw: Vec<Raw>) -> Vec<SecretMatch> {
        raw.into_iter()
            .map(|r| SecretMatch {
                rule: self.rules[r.rule].id.clone(),
                line: r.line,
                column: r.column,
                range: r.range,
                severity: r.severity,
                why: r.why,
            })
            .collect()
    }

    /// [`scan`](Self::scan) turned into findings for `file` (the label used in reports,
    /// e.g. `dist/cli.js` or `dist/cli.js.map!src/auth.ts`), with redacted evidence and
    /// the fingerprint `[[allow]]` entries take. Package and repository path are left to
    /// the caller.
    pub fn findings(&self, file: &str, bytes: &[u8]) -> Vec<Finding> {
        self.scan_raw(bytes, Place::of(file))
            .into_iter()
            .map(|m| {
                let r = &self.rules[m.rule];

                let message = match m.why {
                    Some(why) => format!("{} in {file} ({why})", r.what),
                    None => format!("{} in {file}", r.what),
                };
                let finding = match r.check {
                    Check::BuiltIn(b) => Finding::new(b.rule, message).help(b.rule.fix),
                    Check::Custom => Finding::named(&r.id, message).help(CUSTOM_FIX),
                };
                finding
                    .severity(m.severity)
                    .file(file)
                    .at(m.line, m.column)
                    .evidence(&bytes[m.range])
            })
            .collect()
    }

    /// Raw matches, deduplicated and sorted.
    fn scan_raw(&self, bytes: &[u8], place: Place) -> Vec<Raw> {
        if bytes.is_empty() || is_binary(bytes) {
            return Vec::new();
        }
        let generic = place == Place::Code;
        let skip = mappings_ranges(bytes);
        let mut found: Vec<(usize, Range<usize>)> = Vec::new();
        // Severity and reason of the built-in hits, by position in `found`.
        let mut judged: Vec<(Severity, Option<&'static str>)> = Vec::new();
        // Custom rules scan a window per hit; remember how far each has looked.
        let mut custom_seen: Vec<usize> = vec![0; self.rules.len()];
        for hit in self.prefilter.find_iter(bytes) {
            if skip.iter().any(|r| r.contains(&hit.start())) {
                continue;
            }
            for &(offset, ri) in &self.triggers[hit.pattern().as_usize()] {
                if ri == self.generic && !generic {
                    continue;
                }
                let rule = &self.rules[ri];
                match rule.check {
                    Check::BuiltIn(b) => {
                        let Some(at) = (hit.start() + offset).checked_sub(b.back) else {
                            continue;
                        };
                        if let Some(h) = confirm_builtin(b, rule.regex.get(), bytes, at) {
                            let ri = h.kind.map_or(ri, |k| self.kind_index(k));
                            let doc_sample = [&SECRET_CONNECTION_STRING, &SECRET_GOOGLE_API_KEY]
                                .iter()
                                .any(|r| self.rules[ri].id == r.id);
                            let (severity, why) = match (h.severity, place) {
                                (Severity::Error, Place::Fixture) => {
                                    (Severity::Warning, Some(WHY_FIXTURE))
                                }
                                (Severity::Error, Place::Docs) if doc_sample => {
                                    (Severity::Warning, Some(WHY_DOCS))
                                }
                                _ => (h.severity, h.why),
                            };
                            judged.resize(found.len(), (Severity::Error, None));
                            judged.push((severity, why));
                            found.push((ri, h.range));
                        }
                    }
                    Check::Custom => {
                        let at = hit.start() + offset;
                        if at < custom_seen[ri] {
                            continue;
                        }
                        let (start, end) = line_window(bytes, at, hit.end(), 1024);
                        custom_seen[ri] = end;
                        collect_custom(rule.regex.get(), bytes, start..end, ri, &mut found);
                    }
                }
            }
        }
        for &ri in &self.unanchored {
            collect_custom(
                self.rules[ri].regex.get(),
                bytes,
                0..bytes.len(),
                ri,
                &mut found,
            );
        }
        judged.resize(found.len(), (Severity::Error, None));
        let mut found: Vec<(usize, Range<usize>, Severity, Option<&'static str>)> = found
            .into_iter()
            .zip(judged)
            .map(|((ri, r), (sev, why))| (ri, r, sev, why))
            .collect();
        // Most specific first at equal positions; drop anything overlapping a kept match.
        found.sort_by_key(|(ri, r, _, _)| (r.start, *ri, std::cmp::Reverse(r.end)));
        let mut kept: Vec<(usize, Range<usize>, Severity, Option<&'static str>)> = Vec::new();
        for m in found {
            if kept.last().is_some_and(|last| m.1.start < last.1.end) {
                continue;
            }
            kept.push(m);
        }
        let starts: Vec<usize> = kept.iter().map(|m| m.1.start).collect();
        line_columns(bytes, &starts)
            .into_iter()
            .zip(kept)
            .map(|((line, column), (rule, range, severity, why))| Raw {
                rule,
                range,
                line,
                column,
                severity,
                why,
            })
            .collect()
    }

    /// The rule index of the built-in kind `kind`.
    fn kind_index(&self, kind: &Rule) -> usize {
        self.kinds
            .iter()
            .find(|(k, _)| *k == kind.id)
            .map(|(_, i)| *i)
            .expect("kinds named by validation are built in")
    }
}

/// The keyword search in front of every rule: one pass over the buffer, every keyword at
/// once, leftmost-longest.
///
/// Where the CPU has it, aho-corasick's packed (Teddy) searcher is used on its own: the
/// automaton's front end runs the same Teddy as a prefilter and then re-verifies each
/// candidate with its DFA, which costs more than the search itself in a bundle that says
/// `token` every other line (-20% on the audit bench's keyword pass). The automaton is the
/// fallback (no SIMD, or too many team keywords for Teddy).
enum Keywords {
    Packed(aho_corasick::packed::Searcher),
    /// The keywords split by length. Teddy fingerprints as many bytes of every literal as
    /// the shortest one has (at most 4): six 3-byte keywords (`sk-`, `://`, `eyJ`, `SG.`,
    /// `glp`, `xox`) made all 64 fingerprints 3 bytes, which ordinary code matches far more
    /// often (a candidate to verify every few bytes). The long keywords get a 4-byte
    /// searcher of their own and the few short ones a small one, merged leftmost-longest:
    /// about half the keyword pass (docs/performance.md).
    ByLength(Box<[KeywordPart; 2]>),
    Automaton(AhoCorasick),
}

/// One searcher of [`Keywords::ByLength`] and the index, among all keywords, of each of its
/// patterns.
struct KeywordPart {
    searcher: aho_corasick::packed::Searcher,
    global: Vec<usize>,
}

/// Teddy's longest fingerprint, in bytes.
const TEDDY_FINGERPRINT: usize = 4;

impl Keywords {
    fn new(keywords: &[String]) -> Result<Keywords, aho_corasick::BuildError> {
        let searcher = |indices: &[usize]| {
            aho_corasick::packed::Config::new()
                .match_kind(aho_corasick::packed::MatchKind::LeftmostLongest)
                .builder()
                .extend(indices.iter().map(|&i| &keywords[i]))
                .build()
        };
        let (long, short): (Vec<usize>, Vec<usize>) =
            (0..keywords.len()).partition(|&i| keywords[i].len() >= TEDDY_FINGERPRINT);
        if !long.is_empty() && !short.is_empty() {
            if let (Some(l), Some(s)) = (searcher(&long), searcher(&short)) {
                return Ok(Keywords::ByLength(Box::new([
                    KeywordPart {
                        searcher: l,
                        global: long,
                    },
                    KeywordPart {
                        searcher: s,
                        global: short,
                    },
                ])));
            }
        }
        let all: Vec<usize> = (0..keywords.len()).collect();
        if let Some(s) = searcher(&all).filter(|_| !keywords.is_empty()) {
            return Ok(Keywords::Packed(s));
        }
        AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(keywords)
            .map(Keywords::Automaton)
    }

    /// Every keyword match in `bytes`, left to right.
    fn find_iter<'s, 'h>(&'s self, bytes: &'h [u8]) -> KeywordHits<'s, 'h> {
        match self {
            Keywords::Packed(s) => KeywordHits::Packed(s.find_iter(bytes)),
            Keywords::ByLength(parts) => KeywordHits::Merged(Merged {
                parts,
                bytes,
                at: 0,
                next: [None, None],
            }),
            Keywords::Automaton(ac) => KeywordHits::Automaton(ac.find_iter(bytes)),
        }
    }
}

/// The matches of [`Keywords::find_iter`].
enum KeywordHits<'s, 'h> {
    Packed(aho_corasick::packed::FindIter<'s, 'h>),
    Merged(Merged<'s, 'h>),
    Automaton(aho_corasick::FindIter<'s, 'h>),
}

/// Leftmost-longest over both parts of [`Keywords::ByLength`], as one searcher of all the
/// keywords gives it: the earliest start wins, the longer match at the same start, and the
/// search resumes at its end (a part's match that starts before that is looked for again).
struct Merged<'s, 'h> {
    parts: &'s [KeywordPart; 2],
    bytes: &'h [u8],
    at: usize,
    /// Each part's next match at or after an earlier `at`; `Some(None)`: it has no more.
    next: [Option<Option<aho_corasick::Match>>; 2],
}

impl Iterator for Merged<'_, '_> {
    type Item = aho_corasick::Match;

    fn next(&mut self) -> Option<aho_corasick::Match> {
        if self.at > self.bytes.len() {
            return None;
        }
        for (i, part) in self.parts.iter().enumerate() {
            let stale = match self.next[i] {
                None => true,
                Some(Some(m)) => m.start() < self.at,
                Some(None) => false,
            };
            if stale {
                let span = aho_corasick::Span::from(self.at..self.bytes.len());
                self.next[i] = Some(part.searcher.find_in(self.bytes, span));
            }
        }
        let pick = |i: usize| {
            self.next[i]
                .flatten()
                .map(|m| (m.start(), std::cmp::Reverse(m.end()), i))
        };
        let (_, _, i) = [pick(0), pick(1)].into_iter().flatten().min()?;
        let m = self.next[i].flatten()?;
        self.at = m.end();
        let global = self.parts[i].global[m.pattern().as_usize()];
        Some(aho_corasick::Match::new(
            aho_corasick::PatternID::must(global),
            m.span(),
        ))
    }
}

impl Iterator for KeywordHits<'_, '_> {
    type Item = aho_corasick::Match;

    fn next(&mut self) -> Option<aho_corasick::Match> {
        match self {
            KeywordHits::Packed(it) => it.next(),
            KeywordHits::Merged(it) => it.next(),
            KeywordHits::Automaton(it) => it.next(),
        }
    }
}

/// 1-based (line, column) of each offset in `starts` (sorted ascending); columns count
/// characters, not bytes. One pass over the buffer for all offsets.
pub fn line_columns(bytes: &[u8], starts: &[usize]) -> Vec<(u32, u32)> {
    let mut out = Vec::with_capacity(starts.len());
    let mut pos = 0usize;
    let mut line = 1u32;
    let mut line_start = 0usize;
    for &start in starts {
        let start = start.min(bytes.len());
        if start >= pos {
            for nl in memchr::memchr_iter(b'\n', &bytes[pos..start]) {
                line += 1;
                line_start = pos + nl + 1;
            }
            pos = start;
        }
        let column = 1 + bytes[line_start..start.max(line_start)]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count() as u32;
        out.push((line, column));
    }
    out
}

/// Help for team-defined patterns (built-ins take theirs from their rule).
const CUSTOM_FIX: &str =
    "Remove the credential from the file, rotate it (treat it as leaked once it \
    has been pushed or published), and load it from the environment or a secret store at run time.";

/// Runs a built-in kind at a keyword hit; returns the secret if it is one.
fn confirm_builtin(b: &rules::BuiltIn, regex: &Regex, bytes: &[u8], at: usize) -> Option<Hit> {
    if at > 0 && (b.left)(bytes[at - 1]) {
        return None;
    }
    // Most hits of the generic names in minified code (`e.token?`, `getAccessToken(`) are no
    // assignment at all: reject them without running the regex (the check accepts a strict
    // superset of what the assignment regexes match).
    let gate = match b.validate {
        Validate::Generic => generic_value_may_follow(bytes, at),
        Validate::AwsSecret => assignment_follows(bytes, at),
        _ => true,
    };
    if !gate {
        return None;
    }
    let window = &bytes[at..bytes.len().min(at + b.window)];
    let caps = regex.captures(window)?;
    if b.validate == Validate::PrivateKey {
        let header_end = at + caps.get(0)?.end();
        let range = private_key_block(bytes, at, header_end)?;
        if filters::is_published_sample_key(&bytes[range.clone()]) {
            return None;
        }
        return Some(match dev_certificate_key(bytes, &range) {
            Some(why) => Hit::warning(range, why),
            None => Hit::error(range),
        });
    }
    if b.validate == Validate::ServiceAccount {
        return service_account_key(bytes, at).map(Hit::error);
    }
    let s = caps.name("s")?;
    let range = at + s.start()..at + s.end();
    if range.end < bytes.len() && (b.right)(bytes[range.end]) {
        return None;
    }
    let secret = &bytes[range.clone()];
    if filters::is_known_example(secret) {
        return None;
    }
    match b.validate {
        Validate::Token => {
            if filters::is_placeholder(secret) {
                return None;
            }
            // A Firebase web app's config ships its API key to every browser by design;
            // access is governed by security rules, not by the key.
            if b.rule == &SECRET_GOOGLE_API_KEY && filters::in_firebase_web_config(bytes, at) {
                return Some(Hit {
                    severity: Severity::Note,
                    ..Hit::warning(range, WHY_FIREBASE)
                });
            }
            if b.rule == &SECRET_GOOGLE_API_KEY && filters::maps_key_context(bytes, at) {
                return Some(Hit::warning(range, WHY_MAPS));
            }
            Some(Hit::error(range))
        }
        Validate::AwsSecret => {
            let rest = caps.name("rest").map_or(&b""[..], |m| m.as_bytes());
            let mut name = ident_before(bytes, at).to_ascii_lowercase();
            name.extend(rest.iter().map(u8::to_ascii_lowercase));
            let ok = (filters::contains(&name, b"aws") || filters::contains(&name, b"access"))
                && !filters::is_placeholder(secret)
                && secret.iter().any(u8::is_ascii_lowercase)
                && secret.iter().any(u8::is_ascii_uppercase)
                && filters::shannon_entropy(secret) >= 4.0;
            ok.then(|| Hit::error(range))
        }
        Validate::Npmrc => {
            (npmrc_line(bytes, at) && npmrc_value(secret)).then(|| Hit::error(range))
        }
        Validate::ConnString => {
            let host = caps.name("host").map_or(&b""[..], |m| m.as_bytes());
            let user = caps.name("user").map_or(&b""[..], |m| m.as_bytes());
            let scheme = scheme_before(bytes, at);
            if filters::is_local_host(host) || !filters::connection_password(secret) {
                return None;
            }
            if filters::is_database_scheme(scheme) {
                return Some(Hit::error(range));
            }
            // A Sentry DSN with its secret key: `https://<32 hex>:<32 hex>@host/project`.
            // The public DSN (no `:secret`) never matches the regex.
            let hex32 = |v: &[u8]| v.len() == 32 && v.iter().all(u8::is_ascii_hexdigit);
            let web = scheme.eq_ignore_ascii_case(b"https") || scheme.eq_ignore_ascii_case(b"http");
            (web && hex32(user) && hex32(secret))
                .then(|| Hit::error(range).kind(&SECRET_SENTRY_DSN))
        }
        Validate::Generic => {
            let keyword = &bytes[at..at + 4];
            let password_like = keyword.eq_ignore_ascii_case(b"pass");
            let rest = caps.name("rest").map_or(&b""[..], |m| m.as_bytes());
            let quote = caps.name("q").map_or(&b""[..], |m| m.as_bytes());
            let before = ident_before(bytes, at);
            // An unquoted value with an `=` inside (not base64 padding) is a chain of
            // assignments in minified code (`a.Password=_.Message=…`), not an env value.
            let inner_eq = quote.is_empty()
                && secret
                    .iter()
                    .rposition(|&b| b != b'=')
                    .is_some_and(|last| secret[..last].contains(&b'='));
            if inner_eq
                || filters::name_is_metadata(rest)
                || filters::prefix_is_metadata(before)
                || !generic_shape(bytes, at, quote, range.end)
            {
                return None;
            }
            // The whole name: `twilio_auth` + `token` + `_prod`.
            let keyword_end = caps.name("rest").map_or(0, |m| m.start());
            let mut name = before.to_ascii_lowercase();
            name.extend(
                bytes[at..at + keyword_end]
                    .iter()
                    .map(u8::to_ascii_lowercase),
            );
            name.extend(rest.iter().map(u8::to_ascii_lowercase));
            // A vendor in the name and the vendor's key format: that vendor's kind, whatever
            // the generic value tests say (a Heroku key is a UUID).
            if let Some(kind) = filters::vendor_kind(&name, secret) {
                return Some(Hit::error(range).kind(kind));
            }
            // A JWT-looking value the jwt kind didn't take is truncated or unsigned.
            if secret.starts_with(b"eyJ")
                || !filters::generic_value_is_secret(secret, password_like)
                || filters::is_public_identifier(secret)
                || filters::is_docsearch_key(bytes, at)
            {
                return None;
            }
            if let Some(why) = filters::public_by_name(&name) {
                return Some(Hit::warning(range, why));
            }
            if ternary_fallback(bytes, at - before.len()) {
                return Some(Hit::warning(range, WHY_FALLBACK));
            }
            if let Some(why) = filters::public_by_context(bytes, at) {
                return Some(Hit::warning(range, why));
            }
            if near_installed_app_client_id(bytes, at) {
                return Some(Hit::warning(range, WHY_INSTALLED_APP));
            }
            if !filters::generic_value_is_strong(secret, password_like) {
                return Some(Hit::warning(range, filters::WHY_WEAK));
            }
            Some(Hit::error(range))
        }
        Validate::Jwt => judge_jwt(secret).map(|j| match j {
            Jwt::Credential => Hit::error(range),
            Jwt::ServiceRole => Hit::error(range).kind(&SECRET_SUPABASE_SERVICE_KEY),
            Jwt::Expired => Hit::warning(range, "expired: its `exp` claim is in the past"),
            Jwt::NoClaims => Hit::warning(
                range,
                "it carries no registered claim (no issuer, subject, audience, expiry or \
                role): a sample or locally emulated token, not one an identity provider issued",
            ),
        }),
        Validate::AzureKey => {
            let ok = !filters::is_placeholder(secret) && filters::shannon_entropy(secret) >= 4.5;
            ok.then(|| Hit::error(range))
        }
        Validate::OAuthSecret => {
            if filters::is_placeholder(secret) {
                return None;
            }
            Some(if near_installed_app_client_id(bytes, at) {
                Hit::warning(range, WHY_INSTALLED_APP)
            } else {
                Hit::error(range)
            })
        }
        Validate::PrivateKey | Validate::ServiceAccount => unreachable!("handled above"),
    }
}

/// Why a default in a conditional is a warning.
const WHY_FALLBACK: &str = "the default a conditional falls back to when the caller passes no \
    key (`key ? key : '…'`): an SDK's shared key that every user of the package gets";

/// True when the name starting at `name_start` is the second branch of a conditional
/// (`isValid(t) ? t : '…'`): the `:` is no assignment and the literal is a fallback.
fn ternary_fallback(bytes: &[u8], name_start: usize) -> bool {
    let from = name_start.saturating_sub(200);
    let before = bytes[from..name_start].trim_ascii_end();
    before.last() == Some(&b'?')
}

/// Why a Google Maps key is a warning.
const WHY_MAPS: &str = "a Google Maps key (the code around it names Maps): Maps JavaScript keys \
    ship to every browser by design; make sure it is restricted by HTTP referrer";

/// Why a Firebase web config's API key is a note.
const WHY_FIREBASE: &str = "the `apiKey` of a Firebase web config (authDomain and projectId \
    beside it): public by design, every browser gets it; restrict it by HTTP referrer and \
    guard the data with security rules";

/// Why a Google OAuth client secret next to its client id is not blocking.
const WHY_INSTALLED_APP: &str = "the client secret of an OAuth installed application, next to \
    its `.apps.googleusercontent.com` client id: Google documents that installed apps cannot \
    keep it confidential and it grants nothing without a user's consent; if this is a web \
    server's client, rotate it";

/// True when a Google OAuth client id (`….apps.googleusercontent.com`) sits within 1 KiB of
/// `at`: a CLI's or desktop app's client, whose secret ships to every user by design.
fn near_installed_app_client_id(bytes: &[u8], at: usize) -> bool {
    let from = at.saturating_sub(1024);
    let to = (at + 1024).min(bytes.len());
    filters::contains(&bytes[from..to], b".apps.googleusercontent.com")
}

/// What a JWT candidate turned out to be.
enum Jwt {
    /// A signed token: a bearer credential until it expires.
    Credential,
    /// A Supabase `service_role` key: bypasses row-level security.
    ServiceRole,
    /// Its `exp` lies in the past.
    Expired,
    /// No registered claim at all: a sample or an emulator's token.
    NoClaims,
}

/// A JWT is a credential when its header and payload decode to JSON objects, the header
/// names a signing algorithm other than `none`, and the signature is long enough to be one
/// (the shortest, HS256, is 43 characters). Truncated documentation tokens (`eyJhbGci…`,
/// `….abc`), the widely copied jwt.io sample and Supabase `anon` keys (public by design:
/// they ship in every browser bundle) are not.
fn judge_jwt(token: &[u8]) -> Option<Jwt> {
    use base64::Engine;
    let mut parts = token.split(|&b| b == b'.');
    let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if signature.len() < 32 || filters::is_placeholder(signature) {
        return None;
    }
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let decode = |part: &[u8]| -> Option<serde_json::Map<String, serde_json::Value>> {
        let raw = engine.decode(part).ok()?;
        match serde_json::from_slice(&raw).ok()? {
            serde_json::Value::Object(o) => Some(o),
            _ => None,
        }
    };
    let header = decode(header)?;
    let claims = decode(payload)?;
    let alg = header.get("alg")?.as_str()?;
    if alg.eq_ignore_ascii_case("none") || filters::is_known_example(signature) {
        return None;
    }
    let role = claims.get("role").and_then(|r| r.as_str());
    if role == Some("anon") {
        return None;
    }
    if let Some(exp) = claims.get("exp").and_then(|e| e.as_f64()) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        if exp < now {
            return Some(Jwt::Expired);
        }
    }
    const REGISTERED: &[&str] = &[
        "iss",
        "sub",
        "aud",
        "exp",
        "nbf",
        "iat",
        "jti",
        "role",
        "scope",
        "scp",
        "azp",
        "client_id",
        "uid",
        "user_id",
        "email",
        "tid",
        "oid",
    ];
    if !REGISTERED.iter().any(|c| claims.contains_key(*c)) {
        return Some(Jwt::NoClaims);
    }
    Some(if role == Some("service_role") {
        Jwt::ServiceRole
    } else {
        Jwt::Credential
    })
}

/// The private key of a Google service-account JSON around the `service_account` at `at`:
/// a `"private_key"` field within the same few KiB whose value is a real PEM block.
fn service_account_key(bytes: &[u8], at: usize) -> Option<Range<usize>> {
    let from = at.saturating_sub(4096);
    let to = (at + 4096).min(bytes.len());
    let near = &bytes[from..to];
    let field = memchr::memmem::find(near, b"private_key\"")
        .or_else(|| memchr::memmem::find(near, b"private_key\\\""))?;
    let begin = from + field + memchr::memmem::find(&near[field..], b"-----BEGIN ")?;
    let header = &bytes[begin..bytes.len().min(begin + 64)];
    let header_end = begin + memchr::memmem::find(&header[11..], b"-----")? + 11 + 5;
    let range = private_key_block(bytes, begin, header_end)?;
    (!filters::is_published_sample_key(&bytes[range.clone()])).then_some(range)
}

/// Why a private key block is a development certificate's key shipped on purpose, when it
/// is: a self-signed certificate, or one naming `localhost`, within 8 KiB of it (a dev
/// server's or test client's HTTPS pair).
fn dev_certificate_key(bytes: &[u8], key: &Range<usize>) -> Option<&'static str> {
    let from = key.start.saturating_sub(8192);
    let to = (key.end + 8192).min(bytes.len());
    let near = &bytes[from..to];
    if !filters::contains(near, b"-----BEGIN CERTIFICATE-----") {
        return None;
    }
    let certs = crate::checks::dev_certs::pem_certificates(near);
    if certs
        .iter()
        .any(|d| crate::checks::dev_certs::is_self_signed(d))
    {
        return Some(crate::checks::dev_certs::WHY_SELF_SIGNED);
    }
    certs
        .iter()
        .any(|d| filters::contains(d, b"localhost"))
        .then_some(
            "the key of a `localhost` certificate shipped beside it: a development \
            server's HTTPS pair that secures nothing outside this machine",
        )
}

/// The URL scheme right before the `://` at `at` (`mongodb+srv`), at most 16 bytes; empty
/// when a word character glues it to something longer (`xpostgres`).
fn scheme_before(bytes: &[u8], at: usize) -> &[u8] {
    let from = at.saturating_sub(17);
    let start = bytes[from..at]
        .iter()
        .rposition(|&b| !(b.is_ascii_alphanumeric() || b == b'+'))
        .map_or(from, |i| from + i + 1);
    if start == from && from > 0 && bytes[from - 1].is_ascii_alphanumeric() {
        return b"";
    }
    &bytes[start..at]
}

/// The identifier characters right before `at` (the `client` of `clientSecret`), at most
/// 64 bytes.
fn ident_before(bytes: &[u8], at: usize) -> &[u8] {
    let from = at.saturating_sub(64);
    let start = bytes[from..at]
        .iter()
        .rposition(|&b| !(filters::is_word(b) || b == b'-' || b == b'.'))
        .map_or(from, |i| from + i + 1);
    &bytes[start..at]
}

/// True for paths of tests and fixtures (`test/`, `__fixtures__/`, `*.test.js`,
/// `*.spec.ts`), where test suites keep keys and tokens on purpose.
pub fn is_fixture_path(path: &str) -> bool {
    let path = path.rsplit('!').next().unwrap_or(path).to_ascii_lowercase();
    let name = path.rsplit('/').next().unwrap_or(&path);
    const DIRS: &[&str] = &[
        "test",
        "tests",
        "__tests__",
        "__mocks__",
        "__fixtures__",
        "spec",
        "specs",
        "fixtures",
        "fixture",
        "testdata",
        "test-data",
        "e2e",
    ];
    // Named test suites: `runtime_tests/`, `integration-tests/`, `api_fixtures/`.
    const DIR_SUFFIXES: &[&str] = &[
        "_tests",
        "-tests",
        "_test",
        "-test",
        "_fixtures",
        "-fixtures",
    ];
    [".test.", ".spec.", "-test.", "_test."]
        .iter()
        .any(|p| name.contains(p))
        || path
            .split('/')
            .rev()
            .skip(1)
            .any(|d| DIRS.contains(&d) || DIR_SUFFIXES.iter().any(|s| d.ends_with(s)))
}

/// True for paths of documentation, tests, examples, fixtures and type declarations,
/// where assignments to `password`/`token` are samples: every fixture path
/// ([`is_fixture_path`]) plus documents, declarations, examples and stories.
pub fn is_sample_path(path: &str) -> bool {
    if is_fixture_path(path) {
        return true;
    }
    let path = path.rsplit('!').next().unwrap_or(path).to_ascii_lowercase();
    let name = path.rsplit('/').next().unwrap_or(&path);
    const EXTS: &[&str] = &[
        ".md",
        ".markdown",
        ".mdx",
        ".rst",
        ".adoc",
        ".txt",
        ".d.ts",
        ".d.mts",
        ".d.cts",
        ".examples.json",
        ".example.json",
    ];
    const DIRS: &[&str] = &["example", "examples", "docs", "doc", "samples"];
    const NAME_PARTS: &[&str] = &[".stories.", ".example.", ".sample."];
    EXTS.iter().any(|e| name.ends_with(e))
        || NAME_PARTS.iter().any(|p| name.contains(p))
        || path.split('/').rev().skip(1).any(|d| DIRS.contains(&d))
}

/// True when, after the name starting at `at`, an assignment operator (`=`, `:`, `:=`, `=>`,
/// `,`) follows that is not `==`: the cheap gate in front of the assignment regexes.
fn assignment_follows(bytes: &[u8], at: usize) -> bool {
    value_start(bytes, at).is_some()
}

/// Where the assigned value starts, when an assignment follows the name at `at` (see
/// [`assignment_follows`]).
fn value_start(bytes: &[u8], at: usize) -> Option<usize> {
    let end = bytes.len().min(at + 64);
    let mut i = at;
    while i < end && (filters::is_word(bytes[i]) || bytes[i] == b'.' || bytes[i] == b'-') {
        i += 1;
    }
    if i < end && matches!(bytes[i], b'"' | b'\'' | b'`') {
        i += 1;
    }
    if i < end && bytes[i] == b']' {
        i += 1;
    }
    while i < end && matches!(bytes[i], b' ' | b'\t') {
        i += 1;
    }
    match bytes.get(i) {
        Some(b':') if bytes.get(i + 1) == Some(&b'=') => i += 2,
        Some(b'=') if bytes.get(i + 1) == Some(&b'>') => i += 2,
        Some(b':' | b'=' | b',') => i += 1,
        _ => return None,
    }
    while i < bytes.len() && matches!(bytes[i], b' ' | b'\t') {
        i += 1;
    }
    (!matches!(bytes.get(i), None | Some(b'=' | b'>' | b'\n' | b'\r'))).then_some(i)
}

/// The cheap gate in front of the generic regex: a quoted value, or an unquoted one on an
/// env/ini-style line (what [`generic_shape`] will demand anyway). In minified code most
/// `token:`/`secret:` hits assign an identifier (`apiKey:t.apiKey`) and stop here, before
/// the regex (whose bounded backtracker costs far more per call than this).
fn generic_value_may_follow(bytes: &[u8], at: usize) -> bool {
    let Some(i) = value_start(bytes, at) else {
        return false;
    };
    matches!(bytes.get(i), Some(b'"' | b'\'' | b'`')) || env_style_prefix(bytes, at)
}

/// The name at `at` starts its line (after indentation and an optional `export `), with
/// only name characters before it: `DB_PASSWORD=…`, `export API_TOKEN=…`.
fn env_style_prefix(bytes: &[u8], at: usize) -> bool {
    let Some(start) = line_start(bytes, at, 200) else {
        return false;
    };
    let mut prefix = bytes[start..at].trim_ascii_start();
    if let Some(rest) = prefix.strip_prefix(b"export ") {
        prefix = rest.trim_ascii_start();
    }
    prefix
        .iter()
        .all(|&b| filters::is_word(b) || b == b'.' || b == b'-')
}

/// A quoted value must end at its closing quote; an unquoted one is only a value on an
/// env/ini/YAML-style line (`DB_PASSWORD=…` at the start of the line) and must end there.
fn generic_shape(bytes: &[u8], at: usize, quote: &[u8], end: usize) -> bool {
    let next = bytes.get(end).copied();
    if let Some(&q) = quote.first() {
        return next == Some(q);
    }
    if !matches!(next, None | Some(b'\n' | b'\r' | b' ' | b'\t' | b'#')) {
        return false;
    }
    env_style_prefix(bytes, at)
}

/// The start of the line containing `at`, if it is within `max` bytes.
fn line_start(bytes: &[u8], at: usize, max: usize) -> Option<usize> {
    let from = at.saturating_sub(max);
    match memchr::memrchr(b'\n', &bytes[from..at]) {
        Some(i) => Some(from + i + 1),
        None if from == 0 => Some(0),
        None => None,
    }
}

/// `_authToken=` counts only on an npmrc-style line: at the line start, or after a
/// `//registry.host/path/:` scope (also inside a template string that writes an .npmrc).
fn npmrc_line(bytes: &[u8], at: usize) -> bool {
    let Some(start) = line_start(bytes, at, 300) else {
        return false;
    };
    let prefix = bytes[start..at].trim_ascii_start();
    prefix.is_empty()
        || (prefix.starts_with(b"//")
            && prefix.ends_with(b":")
            && !prefix
                .iter()
                .any(|b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'`')))
}

/// An `.npmrc` value that is a credential, not `${NPM_TOKEN}` or a placeholder.
fn npmrc_value(value: &[u8]) -> bool {
    !value.starts_with(b"$")
        && !value.starts_with(b"%")
        && !filters::is_placeholder(value)
        && filters::shannon_entropy(value) >= 2.5
}

/// Confirms a private key block starting at `start` whose header ends at `header_end`:
/// an END marker within 16 KiB and, between them, only base64 lines (plus `Key: value`
/// headers of encrypted PEM and PGP) with enough random material to be a key. PEM
/// headers inside regexes, parsers and docs (`-----BEGIN PRIVATE KEY-----\n...`) fail.
fn private_key_block(bytes: &[u8], start: usize, header_end: usize) -> Option<Range<usize>> {
    let limit = bytes.len().min(header_end + 16 * 1024);
    let rel = memchr::memmem::find(&bytes[header_end..limit], b"-----END ")?;
    let body_end = header_end + rel;
    let marker_tail = &bytes[body_end + 9..bytes.len().min(body_end + 9 + 64)];
    let close = memchr::memmem::find(marker_tail, b"-----")?;
    let end = body_end + 9 + close + 5;
    let body = &bytes[header_end..body_end];
    let mut material = Vec::with_capacity(body.len());
    let mut i = 0;
    let mut line = Vec::new();
    let flush = |line: &mut Vec<u8>, material: &mut Vec<u8>| -> bool {
        let t = line.trim_ascii();
        let ok = t.is_empty()
            || t.contains(&b':')
            || t.iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
        if ok && !t.contains(&b':') {
            material.extend_from_slice(t);
        }
        line.clear();
        ok
    };
    while i < body.len() {
        let b = body[i];
        // `\n` / `\r` escapes: the key sits inside a JSON or JS string.
        if b == b'\\' && matches!(body.get(i + 1), Some(b'n' | b'r')) {
            if !flush(&mut line, &mut material) {
                return None;
            }
            i += 2;
            continue;
        }
        if b == b'\n' {
            if !flush(&mut line, &mut material) {
                return None;
            }
        } else {
            line.push(b);
        }
        i += 1;
    }
    if !flush(&mut line, &mut material) {
        return None;
    }
    let real = material.len() >= 64 && filters::shannon_entropy(&material) >= 4.5;
    real.then_some(start..end)
}

/// The line around a hit, clipped to `cap` bytes on each side.
fn line_window(bytes: &[u8], start: usize, end: usize, cap: usize) -> (usize, usize) {
    let lo = start.saturating_sub(cap);
    let from = memchr::memrchr(b'\n', &bytes[lo..start]).map_or(lo, |i| lo + i + 1);
    let hi = bytes.len().min(end + cap);
    let to = memchr::memchr(b'\n', &bytes[end..hi]).map_or(hi, |i| end + i);
    (from, to)
}

/// Adds every match of a team regex in `window` (its `secret` or first group, else the
/// whole match).
fn collect_custom(
    regex: &Regex,
    bytes: &[u8],
    window: Range<usize>,
    rule: usize,
    found: &mut Vec<(usize, Range<usize>)>,
) {
    let base = window.start;
    for caps in regex.captures_iter(&bytes[window]) {
        let m = caps
            .name("secret")
            .or_else(|| caps.get(1))
            .or_else(|| caps.get(0));
        if let Some(m) = m.filter(|m| !m.is_empty()) {
            if !filters::is_known_example(m.as_bytes()) {
                found.push((rule, base + m.start()..base + m.end()));
            }
        }
    }
}

/// The `"mappings": "…"` string values of a source map: base64-VLQ that can contain any
/// token prefix by chance and never holds a secret.
fn mappings_ranges(bytes: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for at in memchr::memmem::find_iter(bytes, b"\"mappings\"") {
        let mut i = at + 10;
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\r' | b'\n' | b':') {
            i += 1;
        }
        if bytes.get(i) != Some(&b'"') {
            continue;
        }
        let start = i + 1;
        // VLQ mappings never contain `"` or `\`, so the first quote closes the string.
        let end = memchr::memchr(b'"', &bytes[start..]).map_or(bytes.len(), |e| start + e);
        out.push(start..end);
    }
    out
}

/// Declares the rule of one built-in kind: an error unless a check says otherwise.
macro_rules! secret_rule {
    ($name:ident, $id:literal, $summary:literal, $explanation:literal, $fix:expr) => {
        #[doc = concat!("`", $id, "`: ", $summary, ".")]
        pub static $name: Rule = Rule {
            id: $id,
            default_severity: Severity::Error,
            summary: $summary,
            explanation: $explanation,
            fix: $fix,
        };
    };
}

/// Rotation advice shared by the token kinds.
const ROTATE: &str = "Revoke and rotate the credential now (treat it as leaked once it was pushed \
    or published), delete it from the file, and read it from the environment or a secret store at \
    run time. If it is a documented example or a test fixture, add an [[allow]] entry with its \
    fingerprint and a reason.";

// The secret rules, one per built-in kind (`rules::BUILTINS` says how each is found).
secret_rule!(
    SECRET_PRIVATE_KEY,
    "secret/private-key",
    "a private key block (PEM, OpenSSH, PGP) with real key material",
    "A `-----BEGIN … PRIVATE KEY-----` block whose body is base64 key material, up to its END \
    marker. Anyone with the file can impersonate the key's owner (TLS server, SSH user, JWT \
    issuer, signer). Headers alone (in regexes or key-parsing code), dummy bodies and the sample \
    keys vendors publish in their API references (matched by the fingerprint of the key \
    material) are not reported. A key beside a self-signed or `localhost` certificate (a \
    dev tool's HTTPS pair) or under a test or fixture path is a warning that says so.",
    "Remove the key from the package, replace it (generate a new key pair and revoke the old \
    certificate or authorized_keys entry), and load keys from a file outside the package or a \
    secret store."
);
secret_rule!(
    SECRET_AWS_ACCESS_KEY,
    "secret/aws-access-key",
    "an AWS access key id (AKIA…, ASIA…)",
    "AWS access key ids start with AKIA (long-term), ASIA (temporary), ABIA or ACCA, followed \
    by 16 base32 characters. Together with the secret key they sign AWS API calls. AWS's \
    documented `…EXAMPLE` keys and ids inside longer base64 blobs are not reported.",
    ROTATE
);
secret_rule!(
    SECRET_AWS_SECRET_KEY,
    "secret/aws-secret-key",
    "an AWS secret access key assigned to an aws_secret / secretAccessKey name",
    "A 40-character AWS secret access key in an assignment to a name such as \
    `aws_secret_access_key` or `secretAccessKey`. With the key id it grants the IAM user's \
    permissions.",
    ROTATE
);
secret_rule!(
    SECRET_GITHUB_TOKEN,
    "secret/github-token",
    "a GitHub token (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)",
    "GitHub personal access, OAuth, user-to-server, server-to-server and refresh tokens. A \
    leaked token acts as its owner on GitHub: private repositories, packages, workflows.",
    ROTATE
);
secret_rule!(
    SECRET_GITLAB_TOKEN,
    "secret/gitlab-token",
    "a GitLab token (glpat-, glptt-, gldt-, glrt-)",
    "GitLab personal access, pipeline trigger, deploy and runner tokens.",
    ROTATE
);
secret_rule!(
    SECRET_NPM_TOKEN,
    "secret/npm-token",
    "an npm access token (npm_…)",
    "npm granular and classic access tokens. A leaked publish token lets anyone publish new \
    versions of your packages: the start of a supply-chain attack.",
    ROTATE
);
secret_rule!(
    SECRET_NPMRC_AUTH_TOKEN,
    "secret/npmrc-auth-token",
    "an .npmrc-style `_authToken=`, `_auth=` or `_password=` with a literal value",
    "An npmrc line (`//registry.npmjs.org/:_authToken=…`) with the credential written out. \
    References such as `${NPM_TOKEN}` are how it should look and are not reported.",
    "Replace the value with an environment reference (`_authToken=${NPM_TOKEN}`), revoke the \
    token, and keep .npmrc files with credentials out of the package and the repository."
);
secret_rule!(
    SECRET_CONNECTION_STRING,
    "secret/connection-string",
    "a database or message-broker URL with a password (postgres://user:pass@host, …)",
    "A `postgres://`, `mysql://`, `mariadb://`, `mongodb://`, `mongodb+srv://`, `redis://`, \
    `rediss://` or `amqp://` URL whose user-info holds a literal password. Whoever reads it \
    can connect to the database or broker. A URL without a password (`user@host`), a \
    reference (`${DB_PASSWORD}`, `$PASS`, `%PASS%`), a placeholder (`password`, `<pass>`, \
    `xxx`) or a host that is local or reserved for examples (`localhost`, `127.0.0.1`, \
    `host.docker.internal`, `*.local`, `example.com`, `*.test`) is not reported.",
    "Change the password on the server, remove the URL from the file, and read it from the \
    environment (`DATABASE_URL`) at run time."
);
secret_rule!(
    SECRET_SLACK_WEBHOOK,
    "secret/slack-webhook",
    "a Slack incoming webhook URL",
    "https://hooks.slack.com/services/T…/B…/… URLs let anyone post into the channel.",
    ROTATE
);
secret_rule!(
    SECRET_SLACK_TOKEN,
    "secret/slack-token",
    "a Slack bot, user, app or refresh token (xoxb-, xoxp-, xapp-, …)",
    "Slack API tokens read and write the workspace's messages as the bot or user.",
    ROTATE
);
secret_rule!(
    SECRET_STRIPE_KEY,
    "secret/stripe-key",
    "a Stripe live secret or restricted key (sk_live_, rk_live_)",
    "Live Stripe keys move real money: charges, refunds, payouts. Test keys (`sk_test_`) and \
    publishable keys (`pk_`) are not reported.",
    ROTATE
);
secret_rule!(
    SECRET_GOOGLE_API_KEY,
    "secret/google-api-key",
    "a Google API key (AIza…)",
    "Google Cloud / Firebase / Maps API keys. Some are meant for browsers but must then be \
    restricted by referrer; unrestricted keys are billed to your project.",
    ROTATE
);
secret_rule!(
    SECRET_ANTHROPIC_KEY,
    "secret/anthropic-key",
    "an Anthropic API key (sk-ant-…)",
    "Anthropic API and admin keys, billed to your organisation.",
    ROTATE
);
secret_rule!(
    SECRET_OPENAI_KEY,
    "secret/openai-key",
    "an OpenAI API key (sk-proj-…, sk-…T3BlbkFJ…)",
    "OpenAI project, service-account, admin and legacy user keys, billed to your organisation.",
    ROTATE
);
secret_rule!(
    SECRET_GCP_SERVICE_ACCOUNT,
    "secret/gcp-service-account",
    "a Google Cloud / Firebase Admin service-account key file (JSON with a private key)",
    "A service-account key file: `\"type\": \"service_account\"` and, in the same JSON \
    object, a `private_key` with real key material (Firebase Admin SDK credentials are the \
    same file, with a `firebase-adminsdk` client email). It acts as the service account on \
    every Google Cloud API the account may use, with no user in the loop.",
    "Delete the key in the Google Cloud console (IAM → Service accounts → Keys), remove the \
    file from the package, and use workload identity or a key read from a secret store at \
    run time."
);
secret_rule!(
    SECRET_JWT,
    "secret/jwt",
    "a signed JSON Web Token (header and payload decode, real signature)",
    "A `header.payload.signature` token whose header and payload decode to JSON and whose \
    signature is long enough to be real: a bearer credential for whatever issued it until \
    it expires. Truncated documentation tokens, unsigned (`alg: none`) tokens, the jwt.io \
    sample and Supabase `anon` keys (public by design) are not reported; expired tokens \
    are a warning.",
    ROTATE
);
secret_rule!(
    SECRET_SUPABASE_SERVICE_KEY,
    "secret/supabase-service-key",
    "a Supabase service-role key (JWT with role service_role) or secret key (sb_secret_…)",
    "Service-role keys bypass row-level security: whoever holds one reads and writes every \
    table. The `anon` and `sb_publishable_` keys are public by design and not reported.",
    ROTATE
);
secret_rule!(
    SECRET_AZURE_STORAGE_KEY,
    "secret/azure-storage-key",
    "an Azure storage account or Service Bus key in a connection string (AccountKey=…)",
    "The `AccountKey=` of a storage connection string or the `SharedAccessKey=` of a \
    Service Bus / Event Hubs one: full access to the account or namespace. The storage \
    emulator's published development key is not reported.",
    ROTATE
);
secret_rule!(
    SECRET_SENDGRID_KEY,
    "secret/sendgrid-key",
    "a SendGrid API key (SG.…)",
    "SendGrid keys send mail as your domain (phishing with your reputation) and read \
    contact lists, depending on their scopes.",
    ROTATE
);
secret_rule!(
    SECRET_DIGITALOCEAN_TOKEN,
    "secret/digitalocean-token",
    "a DigitalOcean personal, OAuth or refresh token (dop_v1_, doo_v1_, dor_v1_)",
    "DigitalOcean API tokens create, read and destroy droplets, databases and volumes.",
    ROTATE
);
secret_rule!(
    SECRET_HEROKU_KEY,
    "secret/heroku-key",
    "a Heroku API key (HRKU-…, or a UUID assigned to a heroku-named variable)",
    "Heroku API keys deploy, scale and read the config vars (often every other secret) of \
    the owner's apps.",
    ROTATE
);
secret_rule!(
    SECRET_SENTRY_TOKEN,
    "secret/sentry-token",
    "a Sentry auth token (sntryu_…, sntrys_…)",
    "User and organisation auth tokens of Sentry's API: they read events (with whatever \
    personal data they hold) and upload releases and source maps.",
    ROTATE
);
secret_rule!(
    SECRET_SENTRY_DSN,
    "secret/sentry-dsn",
    "a Sentry DSN with its secret key (https://public:secret@host/project)",
    "The legacy DSN form whose user-info holds the project's secret key next to the public \
    one. The usual public DSN (`https://<key>@o1.ingest.sentry.io/1`) carries no secret, \
    ships in every browser bundle on purpose and is not reported.",
    "Regenerate the project's client keys in Sentry and use the public DSN (without the \
    `:secret` part) in code that ships."
);
secret_rule!(
    SECRET_VERCEL_TOKEN,
    "secret/vercel-token",
    "a Vercel token or API key (vcp_, vci_, vca_, vcr_, vck_, or a vercel-named 24-character token)",
    "Vercel tokens deploy and read the environment variables of the owner's projects.",
    ROTATE
);
secret_rule!(
    SECRET_GOOGLE_OAUTH_SECRET,
    "secret/google-oauth-secret",
    "a Google OAuth client secret (GOCSPX-…)",
    "The secret of an OAuth client. A web server's client secret must stay on the server. \
    Next to an `.apps.googleusercontent.com` client id (a CLI's or desktop app's \
    installed-application client) it is a warning: Google documents that installed \
    applications cannot keep it confidential, and it grants nothing without a user's \
    consent.",
    "For a web server's client: reset the secret in the Google Cloud console and read it \
    from the environment. For an installed application: allow it with an [[allow]] entry \
    (its fingerprint and the reason)."
);
secret_rule!(
    SECRET_TWILIO_KEY,
    "secret/twilio-key",
    "a Twilio auth token or API key secret (32 characters under a twilio-named variable)",
    "Twilio credentials send SMS and place calls billed to the account, and read message \
    logs.",
    ROTATE
);
secret_rule!(
    SECRET_DATADOG_KEY,
    "secret/datadog-key",
    "a Datadog API or application key (32/40 hex under a datadog or DD_-named variable)",
    "API keys submit data to the organisation; application keys read it through the API. \
    Browser client tokens (`pub…`, under a `clientToken` name) are public by design: a warning.",
    ROTATE
);
secret_rule!(
    SECRET_MAILGUN_KEY,
    "secret/mailgun-key",
    "a Mailgun API key (key-… or the current 32-8-8 hex form under a mailgun-named variable)",
    "Mailgun private API keys send mail from the account's domains and read its logs.",
    ROTATE
);
secret_rule!(
    SECRET_CLOUDFLARE_TOKEN,
    "secret/cloudflare-token",
    "a Cloudflare API token or global API key (under a cloudflare- or CF_-named variable)",
    "Cloudflare API tokens and global keys change DNS, Workers and firewall settings of \
    the account's zones.",
    ROTATE
);
secret_rule!(
    SECRET_GENERIC_SECRET,
    "secret/generic-secret",
    "a high-entropy value assigned to a password/secret/token/api_key-like name",
    "A quoted (or env-file) value assigned to a name containing password, secret, token, \
    api_key, access_key or auth_key, long and random enough to be a credential (mixed \
    characters, Shannon entropy ≥ 3.5 bits per character; passwords: 8+ characters of three \
    classes). Names about a secret (`tokenType`, `passwordField`), references \
    (`process.env.X`, `${VAR}`), paths, URLs, placeholders and public identifiers \
    (`tokenAddress: \"0x…\"`, ARNs) are not reported. A name is weak evidence, so only a \
    strong value blocks (20+ random characters of mixed case and digits, 32+ hex, or a \
    10+ character password of three classes); a weaker one is a warning, and so is a key \
    the code calls public, a default or shared key an SDK hands to every user, and a \
    telemetry or error-reporting client key (the vendor named around it). With a vendor \
    in the name and that vendor's key format it is reported as that vendor's kind.",
    ROTATE
);

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_public;
#[cfg(test)]
mod tests_vendors;
