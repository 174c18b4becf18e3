//! Findings and the renderers (human, JSON, SARIF). Rule identity (ids, severities, the
//! registry of every rule) is [`crate::rules`], a leaf this module builds on.

pub mod group;
pub mod human;
pub mod json;
pub mod redact;
pub mod repeats;
pub mod sarif;
pub mod terminal;

use serde::{Deserialize, Serialize};

use crate::rules::Rule;
/// Severities belong to rule identity ([`crate::rules`]); re-exported here because every
/// renderer and most callers meet them through findings.
pub use crate::rules::Severity;

/// One thing a check found. Every check in leakgate reports through this type.
///
/// `file` is relative to the package (or to the repository for commit-level rules) and uses
/// `!` to name a file inside a file: `dist/cli.js.map!src/auth.ts`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable rule id, `area/kebab-name` (see [`crate::rules`]).
    pub rule: String,
    /// Severity after the check's own judgement; config overrides are applied later.
    pub severity: Severity,
    /// The package name (or directory when it has no name) the finding belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// The file, relative to the package root (`a!b` for a file embedded in a file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// One-line message.
    pub message: String,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The matched text, already redacted (never a whole secret).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// sha256 (hex) of the matched bytes, for `[[allow]] fingerprint = ...`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Path of the file relative to the repository root, used to match `[[allow]] path`.
    #[serde(skip)]
    pub repo_path: Option<String>,
    /// Bytes this finding would make public (a map's embedded sources, a file's size), where
    /// a check has such a measure: human output puts the biggest errors first and a group
    /// of findings says how much it exposes in all. Not serialized: JSON and SARIF carry
    /// the message, which already says it.
    #[serde(skip)]
    pub exposed: Option<u64>,
    /// The other places (line, column) of the same hit in the same file, when
    /// [`repeats::fold`] folded them into this finding (empty otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_at: Vec<(u32, u32)>,
    /// Where the text at this location came from (`src/auth.ts:12`), when a source map of
    /// the bundle places it (see `checks::origin`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

impl Finding {
    /// A finding of `rule`, with the rule's default severity.
    pub fn new(rule: &'static Rule, message: impl Into<String>) -> Self {
        Self::with_id(rule.id.to_string(), rule.default_severity, message.into())
    }

    /// A finding of the rule named `id` at run time (a team's `secret/<id>` pattern, a
    /// test): the registry's default severity for a known id, else `Error`, so an unknown
    /// id never silences anything. Checks name their own rules with [`Finding::new`].
    pub fn named(id: &str, message: impl Into<String>) -> Self {
        let severity = crate::rules::find(id).map_or(Severity::Error, |r| r.default_severity);
        Self::with_id(id.to_string(), severity, message.into())
    }

    /// Whether this finding is of `rule`.
    pub fn is(&self, rule: &Rule) -> bool {
        self.rule == rule.id
    }

    fn with_id(rule: String, severity: Severity, message: String) -> Self {
        Finding {
            rule,
            severity,
            package: None,
            file: None,
            line: None,
            column: None,
            message,
            help: None,
            evidence: None,
            fingerprint: None,
            repo_path: None,
            exposed: None,
            also_at: Vec::new(),
            origin: None,
        }
    }

    /// Sets the severity.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Sets the package.
    pub fn package(mut self, package: impl Into<String>) -> Self {
        self.package = Some(package.into());
        self
    }

    /// Sets the file.
    pub fn file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// Sets line and column (1-based).
    pub fn at(mut self, line: u32, column: u32) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets redacted evidence and the fingerprint of the raw matched bytes.
    pub fn evidence(mut self, raw: &[u8]) -> Self {
        self.evidence = Some(redact::redact(raw));
        self.fingerprint = Some(redact::fingerprint(raw));
        self
    }

    /// Sets the repository-relative path used by `[[allow]] path` globs.
    pub fn repo_path(mut self, path: impl Into<String>) -> Self {
        self.repo_path = Some(path.into());
        self
    }

    /// Sets how many bytes the finding would make public (see [`Finding::exposed`]).
    pub fn exposes(mut self, bytes: u64) -> Self {
        self.exposed = Some(bytes);
        self
    }

    /// How many places this finding stands for (1 unless [`repeats::fold`] folded others in).
    pub fn occurrences(&self) -> usize {
        1 + self.also_at.len()
    }

    /// True when this finding blocks (exit code 1).
    pub fn is_blocking(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Notes saying that part of the input went unchecked start with this. A hook prints them
/// even when it prints no other note: a user must know what leakgate did not read.
pub const UNCHECKED: &str = "unchecked: ";

/// `text` as a note that says part of the input went unchecked (see [`UNCHECKED`]).
pub fn unchecked(text: impl std::fmt::Display) -> String {
    format!("{UNCHECKED}{text}")
}

/// What a command found: findings plus plain notes (e.g. "skipped private package").
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// Every finding, after config overrides and allow entries.
    pub findings: Vec<Finding>,
    /// Informational lines that are not findings.
    pub notes: Vec<String>,
}

impl Report {
    /// True when any finding blocks.
    pub fn has_blocking(&self) -> bool {
        self.findings.iter().any(Finding::is_blocking)
    }
}

/// Renders a report as rustc-style text without colour (see [`human`] for options).
pub fn render_plain(report: &Report) -> String {
    human::render(report, human::Options::default())
}

/// `n` and the noun, plural unless `n` is 1: `1 file`, `3 files`.
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}
