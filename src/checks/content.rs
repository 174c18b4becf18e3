//! The content judge: the one place that decides what a file's bytes are, whoever reads
//! them. The audit (files a package would ship), the pre-commit review (staged blobs) and the
//! pre-push check (file versions in the pushed commits) all come here, so a file gets the
//! same rule id, the same place and the same evidence wherever leakgate meets it, and one
//! `[[allow]]` entry covers it everywhere.
//!
//! - [`denied`]: a credentials file by name (`file/denied`).
//! - [`Judge`]: the content checks (secrets, and for what ships, codenames and leakgate's
//!   own config) over a whole buffer, a stream of chunks (big files, bounded memory), or a
//!   repository file that may be a source map: each embedded source judged on its own as
//!   `MAP!SOURCE`, the rest of the JSON around them.
//! - [`committed_map`]: a repository file that is a source map embedding sources
//!   (`sourcemap/sources-content`, as for a shipped map; a note when no package ships it).
//!
//! The package-level judgement of shipped maps (visibility, sources the package ships
//! anyway, older revisions) stays in [`super::sourcemap`], which calls back here for the
//! text of each embedded source.

use super::files::{excused, DenyList, FILE_DENIED};
use super::sourcemap::{self, scan, SOURCEMAP_SOURCES_CONTENT};
use super::{embedded_text, scan_outside, stream_chunks, ContentCheck, SourcesMarker};
use crate::report::{Finding, Severity};
use rayon::prelude::*;
use std::io::Read;

/// Where judged bytes come from: it picks which content checks apply and how a finding
/// words where the file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A file a package would ship (a packlist's file, a tarball's entry).
    Packed,
    /// A blob the pre-commit hook reviews.
    Staged,
    /// A file version in the commits a push sends.
    PushedBlob,
}

impl Origin {
    /// Whether the bytes are what a package ships. Codenames and leakgate's own config are
    /// judged there only: the team's sources and leakgate.toml name codenames on purpose.
    pub fn ships(self) -> bool {
        self == Origin::Packed
    }

    /// How a message says where the file is: `ships`, `is staged`, `is pushed`.
    pub fn verb(self) -> &'static str {
        match self {
            Origin::Packed => "ships",
            Origin::Staged => "is staged",
            Origin::PushedBlob => "is pushed",
        }
    }
}

/// `file/denied` for `path` when its name says it holds credentials (the built-in list or
/// the team's `[files] deny` globs). A test fixture or a development certificate is a
/// warning that says why (never for the team's own globs); the help says how to undo it
/// where the file is.
pub fn denied(deny: &DenyList, path: &str, origin: Origin) -> Option<Finding> {
    let reason = deny.reason(path)?;
    let why = excused(path, reason);
    let severity = if why.is_some() {
        Severity::Warning
    } else {
        Severity::Error
    };
    let (why, help) = match origin {
        Origin::Packed => (
            why.map(|w| format!(" ({w})")),
            "keep it out of the package (`files` in package.json or .npmignore)".to_string(),
        ),
        Origin::Staged => (
            why.map(|w| format!("; {w}")),
            format!("unstage it (`git restore --staged {path}`) and add it to .gitignore"),
        ),
        Origin::PushedBlob => (
            why.map(|w| format!("; {w}")),
            "remove it from the pushed commits before pushing (`git rebase -i`, or \
             `git filter-repo` for older history)"
                .to_string(),
        ),
    };
    let message = format!(
        "{path} {}: {reason}{}",
        origin.verb(),
        why.unwrap_or_default()
    );
    Some(
        Finding::new(&FILE_DENIED, message)
            .severity(severity)
            .file(path)
            .help(help),
    )
}

/// A file at least this big is scanned in pieces on every core.
const PARALLEL_SCAN_MIN: usize = 8 * 1024 * 1024;

/// Each piece of a big file is scanned this far past its end, so a match that starts in the
/// piece and runs on (a private key block: at most 16 KiB) is still seen whole.
const PIECE_OVERLAP: usize = 64 * 1024;

/// The content checks that apply to one origin, ready to judge bytes.
pub struct Judge<'a> {
    checks: Vec<&'a dyn ContentCheck>,
}

/// A file judged as it streamed past ([`Judge::stream`]).
pub struct Streamed {
    /// The content checks' findings, at the file's own lines.
    pub findings: Vec<Finding>,
    /// Whether it was read as a source map (by name, or JSON that opens like one).
    pub map: bool,
    /// For a map: whether its raw JSON showed an embedded source.
    pub embeds: bool,
    /// The last chunk (the file's tail, for annotations such as `sourceMappingURL`).
    pub tail: Vec<u8>,
}

/// A repository file judged whole ([`Judge::file`]).
pub struct Judged {
    /// Findings in the file itself (for a map: in its JSON outside the embedded sources).
    pub findings: Vec<Finding>,
    /// For a source map: each embedded source with its findings; `None` for other files.
    pub sources: Option<Vec<EmbeddedSource>>,
}

/// One source embedded in a map, judged on its own.
pub struct EmbeddedSource {
    /// Its name after `MAP!` (see [`embedded_sources`]).
    pub name: String,
    /// Its text.
    pub text: String,
    /// The content checks' findings, at the source's own lines, labelled `MAP!NAME`.
    pub findings: Vec<Finding>,
}

impl<'a> Judge<'a> {
    /// The checks of `checks` that apply to bytes from `origin` (see [`Origin::ships`]).
    pub fn new(checks: impl IntoIterator<Item = &'a dyn ContentCheck>, origin: Origin) -> Self {
        Judge {
            checks: checks
                .into_iter()
                .filter(|c| origin.ships() || c.applies_to_history())
                .collect(),
        }
    }

    /// Every check's findings for `bytes`, labelled `label`.
    pub fn text(&self, label: &str, bytes: &[u8]) -> Vec<Finding> {
        self.checks
            .iter()
            .flat_map(|c| c.check(label, bytes))
            .collect()
    }

    /// [`text`](Self::text) for a whole file. A big single file (a 35 MB bundle) would keep
    /// one core busy while the other has nothing left: it is cut into pieces that start at
    /// line beginnings and scanned in parallel; each piece keeps only the findings that start
    /// in its own lines, and their line numbers are shifted to the file's.
    pub fn whole(&self, label: &str, bytes: &[u8]) -> Vec<Finding> {
        // Binary is judged on the file's own start, not on a piece's.
        if bytes.len() < PARALLEL_SCAN_MIN || super::secrets::is_binary(bytes) {
            return self.text(label, bytes);
        }
        let pieces = rayon::current_num_threads().max(2) * 2;
        let target = bytes.len().div_ceil(pieces);
        let mut starts = vec![0usize];
        while let Some(&last) = starts.last() {
            let want = last + target;
            if want >= bytes.len() {
                break;
            }
            match memchr::memchr(b'\n', &bytes[want..]) {
                Some(nl) if want + nl + 1 < bytes.len() => starts.push(want + nl + 1),
                _ => break,
            }
        }
        let mut lines_before = Vec::with_capacity(starts.len());
        let mut count = 0u32;
        for (i, &start) in starts.iter().enumerate() {
            if i > 0 {
                count += memchr::memchr_iter(b'\n', &bytes[starts[i - 1]..start]).count() as u32;
            }
            lines_before.push(count);
        }
        starts
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, &start)| {
                let end = starts.get(i + 1).copied().unwrap_or(bytes.len());
                // Scan on to the end of the line that ends the overlap.
                let ext = match bytes.get(end..(end + PIECE_OVERLAP).min(bytes.len())) {
                    Some(rest) if !rest.is_empty() => {
                        let limit = end + rest.len();
                        memchr::memchr(b'\n', &bytes[limit..]).map_or(bytes.len(), |n| limit + n)
                    }
                    _ => end,
                };
                let own_lines = memchr::memchr_iter(b'\n', &bytes[start..end]).count() as u32;
                let base = lines_before[i];
                let last_own_line = if end == bytes.len() {
                    u32::MAX
                } else {
                    own_lines
                };
                self.text(label, &bytes[start..ext])
                    .into_iter()
                    .filter(move |f| f.line.map_or(true, |l| l <= last_own_line))
                    .map(move |mut f| {
                        f.line = f.line.map(|l| l + base);
                        f
                    })
            })
            .collect()
    }

    /// Judges a file too big to hold, in fixed chunks ([`stream_chunks`]): memory stays at
    /// a chunk whatever its size. A source map this big can't be parsed in bounded memory,
    /// so its raw JSON is watched as it streams past for an embedded source
    /// ([`SourcesMarker`]).
    pub fn stream(&self, path: &str, reader: &mut dyn Read) -> std::io::Result<Streamed> {
        let mut findings = Vec::new();
        let mut marker = SourcesMarker::default();
        let mut map: Option<bool> = None;
        let tail = stream_chunks(reader, |chunk, lines_before| {
            let is_map = *map.get_or_insert_with(|| {
                sourcemap::kind(path) == sourcemap::FileKind::Map || scan::might_be_map(chunk)
            });
            if is_map {
                marker.feed(chunk);
            }
            findings.extend(self.text(path, chunk).into_iter().map(|mut f| {
                f.line = f.line.map(|l| l.saturating_add(lines_before));
                f
            }));
        })?;
        Ok(Streamed {
            findings,
            map: map == Some(true),
            embeds: marker.found(),
            tail,
        })
    }

    /// Judges a repository file held whole (staged, pushed). A source map (by name, or JSON
    /// that reads as one under another name) is read as the audit reads it: each embedded
    /// source on its own, at its own lines (`dist/cli.js.map!src/auth.ts:12:7`), and the
    /// rest of the JSON around them (`sources`, `names` and `x_*` keys ship too). Any
    /// other file is judged whole.
    pub fn file(&self, path: &str, bytes: &[u8]) -> Judged {
        let Some(map) = read_map(path, bytes) else {
            return Judged {
                findings: self.whole(path, bytes),
                sources: None,
            };
        };
        let sources = embedded_sources(path, bytes, &map)
            .into_iter()
            .map(|(name, text)| {
                let findings = self.text(&format!("{path}!{name}"), &embedded_text(&text));
                EmbeddedSource {
                    name,
                    text,
                    findings,
                }
            })
            .collect();
        Judged {
            findings: scan_outside(bytes, &map.masked, &|piece| self.text(path, piece)),
            sources: Some(sources),
        }
    }
}

/// `bytes` as a source map, when `path` is named like one or its JSON reads as one.
pub fn read_map(path: &str, bytes: &[u8]) -> Option<scan::SourceMap> {
    let named = sourcemap::kind(path) == sourcemap::FileKind::Map;
    if !named && !scan::might_be_map(bytes) {
        return None;
    }
    scan::parse(bytes)
        .ok()
        .filter(|m| named || m.looks_like_map())
}

/// The sources `map` (the parsed `bytes` of the map at `path`) embeds: each one's name, as
/// the audit names it after `MAP!` ([`sourcemap::embedded_name`]), and its text.
pub fn embedded_sources(path: &str, bytes: &[u8], map: &scan::SourceMap) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for leaf in map.leaves() {
        let n = leaf
            .sources
            .len()
            .max(leaf.sources_content.as_ref().map_or(0, Vec::len));
        for i in 0..n {
            let Some(range) = leaf.content(i) else {
                continue;
            };
            let (_, name) = sourcemap::embedded_name(path, leaf, i);
            out.push((name, scan::decode_string(&bytes[range.clone()])));
        }
    }
    out
}

/// How much a repository source map embeds, for [`committed_map`]'s message.
pub enum Embeds {
    /// Parsed: this many sources, this many bytes of text.
    Counted(usize, u64),
    /// Streamed (too big to parse): its raw JSON showed a source; the file's size.
    Streamed(u64),
}

/// `sourcemap/sources-content` for a repository file (staged or pushed) that is a source
/// map embedding sources, the rule a shipped map with sources gets: one id, one `[[allow]]`
/// entry wherever the map is met. When no package ships it (`ships == Some(false)`: a test
/// fixture, a private app's build) it is a note, since it exposes nothing the repository
/// doesn't already hold; else `severity`, the caller's verdict for the package that would
/// ship it.
pub fn committed_map(
    path: &str,
    origin: Origin,
    embeds: Embeds,
    ships: Option<bool>,
    severity: Severity,
) -> Finding {
    let how_much = match embeds {
        Embeds::Counted(count, bytes) => format!(
            "{} original source{} ({})",
            crate::text::thousands(count),
            if count == 1 { "" } else { "s" },
            crate::text::human_bytes(bytes)
        ),
        Embeds::Streamed(size) => format!(
            "original sources ({}, judged streaming: too big to parse whole)",
            crate::text::human_bytes(size)
        ),
    };
    let what = format!("{path} {} and embeds {how_much}", origin.verb());
    let finding = match ships {
        Some(false) => Finding::new(
            &SOURCEMAP_SOURCES_CONTENT,
            format!("{what}; no package ships it"),
        )
        .severity(Severity::Note)
        .help("nothing to do unless it should not be in the repository"),
        _ => {
            let tail = if ships == Some(true) {
                ", and its package would publish it"
            } else {
                ""
            };
            let help = match origin {
                Origin::Staged => format!(
                    "unstage it (`git restore --staged {path}`) and add `*.map` to .gitignore, \
                     or keep maps out of the package"
                ),
                Origin::Packed | Origin::PushedBlob => {
                    "don't commit build output with maps; build without sourcesContent, and \
                     remove the map from history"
                        .to_string()
                }
            };
            Finding::new(&SOURCEMAP_SOURCES_CONTENT, format!("{what}{tail}"))
                .severity(severity)
                .help(help)
        }
    };
    finding.file(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::secrets::Scanner;
    use crate::config::Config;

    const TOKEN: &str = "ghp_Zq8vN3kLmP2xR7tY4wB9cD1fG6hJ0sA5eU2i";

    fn map_with_token() -> String {
        serde_json::json!({
            "version": 3,
            "sources": ["../src/auth.ts", "../src/main.ts"],
            "sourcesContent": [format!("export const a = 1;\nconst T = \"{TOKEN}\";\n"), "x();\n"],
            "mappings": "AAAA",
            "names": []
        })
        .to_string()
    }

    #[test]
    fn a_denied_file_is_one_rule_at_every_origin_and_a_template_is_none() {
        let deny = DenyList::new(&Config::default());
        for origin in [Origin::Packed, Origin::Staged, Origin::PushedBlob] {
            let f = denied(&deny, "config/.env", origin).expect("denied");
            assert!(f.is(&FILE_DENIED), "{origin:?}");
            assert_eq!(f.severity, Severity::Error);
            assert!(f
                .message
                .starts_with(&format!("config/.env {}", origin.verb())));
            assert!(denied(&deny, "config/.env.example", origin).is_none());
        }
        // A fixture is there on purpose: a warning that says so.
        let f = denied(&deny, "test/fixtures/id_rsa", Origin::Staged).unwrap();
        assert_eq!(f.severity, Severity::Warning);
    }

    #[test]
    fn a_repository_map_is_judged_source_by_source_as_the_audit_names_them() {
        let scanner = Scanner::new(&Config::default()).unwrap();
        let judge = Judge::new([&scanner as &dyn ContentCheck], Origin::PushedBlob);
        let map = map_with_token();
        let judged = judge.file("dist/cli.js.map", map.as_bytes());
        let sources = judged.sources.expect("read as a map");
        assert_eq!(sources.len(), 2);
        assert_eq!(sources[0].name, "src/auth.ts");
        let f = &sources[0].findings[0];
        assert_eq!(f.file.as_deref(), Some("dist/cli.js.map!src/auth.ts"));
        assert_eq!((f.line, f.column), (Some(2), Some(12)));
        assert!(sources[1].findings.is_empty());
        assert!(judged.findings.is_empty(), "{:?}", judged.findings);
        // Near miss: the same JSON under a name that isn't a map's, without `mappings`, is
        // a plain file, judged whole.
        let plain = map.replace("\"mappings\":\"AAAA\",", "");
        let judged = judge.file("dist/data.json", plain.as_bytes());
        assert!(judged.sources.is_none());
        assert_eq!(judged.findings.len(), 1);
        assert_eq!(judged.findings[0].file.as_deref(), Some("dist/data.json"));
    }

    #[test]
    fn streaming_finds_what_a_whole_read_finds_and_sees_embedded_sources() {
        let scanner = Scanner::new(&Config::default()).unwrap();
        let judge = Judge::new([&scanner as &dyn ContentCheck], Origin::Staged);
        let map = map_with_token();
        let streamed = judge
            .stream("dist/cli.js.map", &mut map.as_bytes())
            .unwrap();
        assert!(streamed.map && streamed.embeds);
        assert_eq!(streamed.findings.len(), 1);
        let text = format!("a\nb\nconst t = \"{TOKEN}\";\n");
        let streamed = judge.stream("dist/a.js", &mut text.as_bytes()).unwrap();
        assert!(!streamed.map && !streamed.embeds);
        let whole = judge.whole("dist/a.js", text.as_bytes());
        assert_eq!(streamed.findings, whole);
        assert_eq!(whole[0].line, Some(3));
    }

    #[test]
    fn history_origins_leave_out_what_only_matters_when_shipped() {
        let config = Config {
            codenames: vec!["Nightjar".into()],
            ..Config::default()
        };
        let checks = crate::checks::Checks::new(&config).unwrap();
        let all = || checks.content.iter().map(|c| c.as_ref());
        let text = b"const product = 'Nightjar';\n";
        let packed = Judge::new(all(), Origin::Packed).text("dist/a.js", text);
        assert!(packed
            .iter()
            .any(|f| f.is(&super::super::codename::CODENAME)));
        for origin in [Origin::Staged, Origin::PushedBlob] {
            assert!(Judge::new(all(), origin).text("dist/a.js", text).is_empty());
        }
    }

    #[test]
    fn a_committed_map_is_the_shipped_maps_rule_and_a_note_when_nothing_ships_it() {
        let map = |origin, ships, severity| {
            committed_map(
                "a.js.map",
                origin,
                Embeds::Counted(2, 2048),
                ships,
                severity,
            )
        };
        let f = map(Origin::Staged, Some(true), Severity::Error);
        assert!(f.is(&SOURCEMAP_SOURCES_CONTENT));
        assert_eq!(f.severity, Severity::Error);
        assert!(
            f.message.ends_with("its package would publish it"),
            "{}",
            f.message
        );
        let f = map(Origin::PushedBlob, None, Severity::Warning);
        assert_eq!(f.severity, Severity::Warning);
        let f = map(Origin::PushedBlob, Some(false), Severity::Error);
        assert!(f.is(&SOURCEMAP_SOURCES_CONTENT));
        assert_eq!(f.severity, Severity::Note);
        assert!(
            f.message
                .contains("is pushed and embeds 2 original sources (2.0 kB); no package ships it"),
            "{}",
            f.message
        );
    }
}
