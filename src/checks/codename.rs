//! `codename`: the team's internal codenames in shipped file contents and names.
//!
//! Entries of `codenames` in leakgate.toml are plaintext words, or `sha256:SALT:HEX` where
//! HEX is the sha256 of SALT followed by the lowercased word, so the config that guards a
//! codename doesn't leak it. Matching is ASCII case-insensitive on word boundaries, where a
//! camelCase hump, `_`, `-`, `.`, digits and punctuation all separate words: `tengu` is found
//! in `TENGU_API`, `tenguEnabled` and `use-tengu.js`, not in `pretengu` or `tengus`.
//!
//! Plaintext entries go through one aho-corasick automaton. Hashed entries can't be
//! searched for, so each candidate word of the file (3 to 40 ASCII letters/digits; every
//! sub-word of a camelCase or snake identifier and the whole run) is hashed once per file
//! and compared; the words of a file repeat, so a cache keeps that to one hash per
//! distinct word. Hashed codenames are therefore single words.
//!
//! leakgate's own files (`leakgate.toml`, `leakgate.lock`) are never judged: they name the
//! codenames and the shipped paths on purpose. A shipped config that names them in plain
//! text is `config/codenames-shipped` ([`super::own_files`]).

use crate::config::{Codename, Config};
use crate::packlist::Packlist;
use crate::report::{Finding, Severity};
use crate::rules::Rule;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::ops::Range;

/// `codename`: an internal codename (from `codenames` in leakgate.toml) in a shipped file or file name
pub static CODENAME: Rule = Rule {
    id: "codename",
    default_severity: Severity::Error,
    summary:
        "an internal codename (from `codenames` in leakgate.toml) in a shipped file or file name",
    explanation: "Unreleased product and model names leak through string constants, feature \
    flags, comments and file names long before the announcement. leakgate matches the \
    team's `codenames` case-insensitively on word boundaries (camelCase humps, `_`, `-` \
    and digits separate words). Entries may be stored as `sha256:SALT:HEX` (sha256 of SALT \
    followed by the lowercased word) so the config does not itself reveal them.",
    fix: "Remove or rename the codename in the shipped file (feature flags and comments \
    included), or keep the file out of the package. Generate a hashed entry with \
    `printf '%s%s' SALT word | sha256sum`.",
};

/// Shortest and longest word hashed against `sha256:` entries.
const HASHED_MIN: usize = 3;
const HASHED_MAX: usize = 40;

/// A `codenames` entry leakgate can't use.
#[derive(Debug, thiserror::Error)]
#[error("{file}: codenames entry {index}: {message}")]
pub struct CodenameError {
    /// The config file.
    pub file: String,
    /// 1-based position of the entry in the list.
    pub index: usize,
    /// What is wrong.
    pub message: String,
}

/// One hashed entry.
#[derive(Debug)]
struct Hashed {
    salt: Vec<u8>,
    digest: [u8; 32],
}

/// Finds the configured codenames; build once per run, share across threads.
#[derive(Debug)]
pub struct Matcher {
    plain: Option<AhoCorasick>,
    hashed: Vec<Hashed>,
}

#[cfg(test)]
thread_local! {
    /// How many matchers this thread compiled (tests check that a run compiles one).
    static BUILDS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many matchers the current thread has compiled (for tests).
#[cfg(test)]
pub(crate) fn builds_on_this_thread() -> usize {
    BUILDS.with(std::cell::Cell::get)
}

impl Matcher {
    /// Compiles `config.codenames`. Errors name the config and the entry: an empty entry,
    /// a `sha256:` entry without `SALT:HEX` or whose HEX is not 64 hex digits.
    pub fn new(config: &Config) -> Result<Matcher, CodenameError> {
        let file = config
            .source
            .as_ref()
            .map_or_else(|| "<defaults>".to_string(), |p| p.display().to_string());
        #[cfg(test)]
        BUILDS.with(|b| b.set(b.get() + 1));
        let mut plain = Vec::new();
        let mut hashed = Vec::new();
        for (i, entry) in config.codenames.iter().enumerate() {
            let err = |message: &str| CodenameError {
                file: file.clone(),
                index: i + 1,
                message: message.to_string(),
            };
            match Codename::parse(entry).map_err(|m| err(&m))? {
                Codename::Hashed { salt, hex } => hashed.push(Hashed {
                    salt: salt.into_bytes(),
                    digest: parse_hex32(&hex)
                        .ok_or_else(|| err("the digest must be 64 hex digits"))?,
                }),
                Codename::Plain(word) => plain.push(word),
            }
        }
        let plain = if plain.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&plain)
                    .map_err(|e| CodenameError {
                        file: file.clone(),
                        index: 0,
                        message: e.to_string(),
                    })?,
            )
        };
        Ok(Matcher { plain, hashed })
    }

    /// True when no codename is configured (callers can skip reading files).
    pub fn is_empty(&self) -> bool {
        self.plain.is_none() && self.hashed.is_empty()
    }

    /// Every codename occurrence in `bytes`: (1-based line, 1-based column in characters,
    /// byte range), sorted by position.
    pub fn find(&self, bytes: &[u8]) -> Vec<(u32, u32, Range<usize>)> {
        let ranges = self.ranges(bytes);
        let starts: Vec<usize> = ranges.iter().map(|r| r.start).collect();
        super::secrets::line_columns(bytes, &starts)
            .into_iter()
            .zip(ranges)
            .map(|((l, c), r)| (l, c, r))
            .collect()
    }

    /// The codename occurrences in a path (`/`, `.` and `-` separate words), as byte ranges.
    pub fn find_in_name(&self, path: &str) -> Vec<Range<usize>> {
        self.ranges(path.as_bytes())
    }

    /// Findings for the contents of `file` (the label used in reports). Evidence is
    /// redacted: the report must not spread the codename it guards. None for leakgate's
    /// own files.
    pub fn findings(&self, file: &str, bytes: &[u8]) -> Vec<Finding> {
        if self.is_empty()
            || super::own_files::is_own_file(file)
            || super::secrets::is_binary(bytes)
        {
            return Vec::new();
        }
        self.find(bytes)
            .into_iter()
            .map(|(line, column, range)| {
                Finding::new(&CODENAME, format!("internal codename in {file}"))
                    .file(file)
                    .at(line, column)
                    .help(CODENAME.fix)
                    .evidence(&bytes[range])
            })
            .collect()
    }

    /// Findings for codenames in the names of the packed files of `packlist`.
    pub fn check_names(&self, packlist: &Packlist) -> Vec<Finding> {
        let package = packlist
            .name()
            .map(str::to_string)
            .unwrap_or_else(|| packlist.dir.clone());
        let mut out = Vec::new();
        for f in &packlist.files {
            if super::own_files::is_own_file(&f.path) {
                continue;
            }
            if let Some(r) = self.find_in_name(&f.path).into_iter().next() {
                out.push(
                    Finding::new(
                        &CODENAME,
                        format!("internal codename in the file name {}", f.path),
                    )
                    .package(&package)
                    .file(&f.path)
                    .help(CODENAME.fix)
                    .evidence(&f.path.as_bytes()[r]),
                );
            }
        }
        out
    }

    /// Byte ranges of every occurrence, sorted, non-overlapping.
    fn ranges(&self, bytes: &[u8]) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        if let Some(ac) = &self.plain {
            for m in ac.find_iter(bytes) {
                if is_word_start(bytes, m.start()) && is_word_end(bytes, m.end()) {
                    out.push(m.start()..m.end());
                }
            }
        }
        if !self.hashed.is_empty() {
            self.hashed_ranges(bytes, &mut out);
            out.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
            out.dedup_by(|b, a| b.start < a.end);
        }
        out
    }

    /// Hashes every candidate word once and records the matching occurrences.
    fn hashed_ranges(&self, bytes: &[u8], out: &mut Vec<Range<usize>>) {
        let salted: Vec<Sha256> = self
            .hashed
            .iter()
            .map(|h| {
                let mut s = Sha256::new();
                s.update(&h.salt);
                s
            })
            .collect();
        let mut cache: HashMap<Vec<u8>, bool> = HashMap::new();
        let mut lower = Vec::with_capacity(HASHED_MAX);
        let mut check = |range: Range<usize>, out: &mut Vec<Range<usize>>| {
            let len = range.len();
            if !(HASHED_MIN..=HASHED_MAX).contains(&len) {
                return;
            }
            lower.clear();
            lower.extend(bytes[range.clone()].iter().map(u8::to_ascii_lowercase));
            let hit = match cache.get(&lower) {
                Some(&hit) => hit,
                None => {
                    let hit = self.hashed.iter().zip(&salted).any(|(h, s)| {
                        let mut s = s.clone();
                        s.update(&lower);
                        s.finalize().as_slice() == h.digest
                    });
                    cache.insert(lower.clone(), hit);
                    hit
                }
            };
            if hit {
                out.push(range);
            }
        };
        let mut i = 0;
        while i < bytes.len() {
            if !bytes[i].is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                i += 1;
            }
            // A run glued to non-ASCII letters is not a whole ASCII word.
            if (start > 0 && bytes[start - 1] >= 0x80) || (i < bytes.len() && bytes[i] >= 0x80) {
                continue;
            }
            if i - start > 2 * HASHED_MAX {
                continue;
            }
            check(start..i, out);
            let mut sub = start;
            for j in start + 1..i {
                if boundary_between(bytes[j - 1], bytes[j]) {
                    check(sub..j, out);
                    sub = j;
                }
            }
            if sub > start {
                check(sub..i, out);
            }
        }
    }
}

/// True when a word boundary lies between two adjacent bytes of an identifier.
fn boundary_between(a: u8, b: u8) -> bool {
    !continues(a, b)
}

/// True when `b` continues the word that `a` ends: two letters without a lower→upper
/// camel hump, or two digits. Non-ASCII bytes count as (lowercase) letters.
fn continues(a: u8, b: u8) -> bool {
    let letter = |c: u8| c.is_ascii_alphabetic() || c >= 0x80;
    (letter(a) && letter(b) && !(a.is_ascii_lowercase() && b.is_ascii_uppercase()))
        || (a.is_ascii_digit() && b.is_ascii_digit())
}

fn is_word_start(bytes: &[u8], at: usize) -> bool {
    at == 0 || !continues(bytes[at - 1], bytes[at])
}

fn is_word_end(bytes: &[u8], end: usize) -> bool {
    end >= bytes.len() || end == 0 || !continues(bytes[end - 1], bytes[end])
}

fn parse_hex32(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, chunk) in hex.as_bytes().chunks(2).enumerate() {
        let s = std::str::from_utf8(chunk).ok()?;
        out[i] = u8::from_str_radix(s, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(entries: &[&str]) -> Matcher {
        let config = Config {
            codenames: entries.iter().map(|s| s.to_string()).collect(),
            ..Config::default()
        };
        Matcher::new(&config).unwrap()
    }

    fn hashed(salt: &str, word: &str) -> String {
        let mut s = Sha256::new();
        s.update(salt.as_bytes());
        s.update(word.to_lowercase().as_bytes());
        let hex: String = s.finalize().iter().map(|b| format!("{b:02x}")).collect();
        format!("sha256:{salt}:{hex}")
    }

    fn found(m: &Matcher, text: &str) -> Vec<String> {
        m.find(text.as_bytes())
            .into_iter()
            .map(|(_, _, r)| text[r].to_string())
            .collect()
    }

    #[test]
    fn plaintext_hits_on_word_boundaries() {
        let m = matcher(&["Tengu"]);
        assert_eq!(
            found(&m, "const TENGU_API = tenguEnabled && use-tengu; // tengu"),
            ["TENGU", "tengu", "tengu", "tengu"]
        );
        let hits = m.find(b"a\nx tengu");
        assert_eq!((hits[0].0, hits[0].1), (2, 3));
    }

    #[test]
    fn plaintext_near_misses() {
        let m = matcher(&["tengu"]);
        assert!(found(&m, "pretengu tengus TENGUAPI").is_empty());
    }

    #[test]
    fn hashed_hits_and_near_misses() {
        let m = matcher(&[&hashed("s4lt", "Kairos")]);
        assert_eq!(
            found(&m, "enableKairosMode(); KAIROS_FLAG; kairos"),
            ["Kairos", "KAIROS", "kairos"]
        );
        assert!(found(&m, "kairosdb ekairos kairo").is_empty());
        // The wrong salt never matches.
        let other = matcher(&[&hashed("other", "kairos").replace("other", "salt")]);
        assert!(found(&other, "kairos").is_empty());
    }

    #[test]
    fn names() {
        let m = matcher(&["tengu", &hashed("", "capybara")]);
        assert_eq!(m.find_in_name("dist/tengu-worker.js"), vec![5..10]);
        assert_eq!(m.find_in_name("assets/capybara.png").len(), 1);
        assert!(m.find_in_name("dist/tengus.js").is_empty());
    }

    #[test]
    fn findings_are_redacted() {
        let m = matcher(&["tengu"]);
        let f = m.findings("dist/cli.js", b"flag('tengu')");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule, "codename");
        assert!(!f[0].message.contains("tengu"));
        assert!(!f[0].evidence.as_ref().unwrap().contains("tengu"));
    }

    #[test]
    fn leakgates_own_files_are_never_judged() {
        let m = matcher(&["tengu"]);
        let text = b"codenames = [\"tengu\"]\nfiles = [\"dist/tengu.js\"]\n";
        for own in [
            "leakgate.toml",
            "leakgate.lock",
            "packages/cli/leakgate.toml",
        ] {
            assert!(m.findings(own, text).is_empty(), "{own}");
        }
        // Near misses: any other file, even one named like them.
        for other in [
            "config.toml",
            "leakgate.toml.orig",
            "dist/x.map!leakgate.toml",
        ] {
            assert_eq!(m.findings(other, text).len(), 2, "{other}");
        }
    }

    #[test]
    fn bad_entries_are_errors() {
        let c = Config {
            codenames: vec!["ok".into(), "sha256:salt:nothex".into()],
            source: Some("leakgate.toml".into()),
            ..Config::default()
        };
        let e = Matcher::new(&c).unwrap_err().to_string();
        assert!(e.contains("leakgate.toml") && e.contains("entry 2"), "{e}");
        let c = Config {
            codenames: vec!["  ".into()],
            ..Config::default()
        };
        assert!(Matcher::new(&c).is_err());
    }
}
