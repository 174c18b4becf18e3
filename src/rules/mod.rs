//! Rule identity: what a rule is ([`Rule`]), how serious its findings are by default
//! ([`Severity`]) and the old names it still answers to ([`Alias`]).
//!
//! Each rule is a `static` [`Rule`] declared beside the check that raises it (for example
//! `checks::sourcemap::SOURCES_CONTENT`); a check raises it with
//! `Finding::new(&SOURCES_CONTENT, message)`, so a rule is named by a typed reference, never
//! by a string a typo could break. [`registry`] is the one list of every rule and alias:
//! `leakgate explain`, SARIF's rule table and the config's rule-id validation read it
//! through [`all`], [`find`] and [`canonical`].
//!
//! This module depends on nothing else in the crate. Only [`registry`] names the rule
//! statics of the modules that declare them (data only: it calls none of their code), so
//! every layer, `report` included, can use rule identity without importing the checks.

pub mod registry;

use serde::{Deserialize, Serialize};

/// How serious a finding is. `Error` findings block a commit or a push.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational; never blocks.
    Note,
    /// Printed, never blocks.
    Warning,
    /// Blocks the hook (exit code 1).
    Error,
}

impl Severity {
    /// The lowercase name used in reports and in `leakgate.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One rule: its id and what `leakgate explain` says about it. Declared once, as a
/// `static`, beside the check that raises it, and listed once in [`registry`].
#[derive(Debug)]
pub struct Rule {
    /// Stable id, `area/kebab-name`: what findings, `leakgate.toml` and SARIF call it.
    pub id: &'static str,
    /// Severity unless the check or the config says otherwise.
    pub default_severity: Severity,
    /// One line: what it catches.
    pub summary: &'static str,
    /// A paragraph: what it catches and why it matters.
    pub explanation: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

/// Rules are compared by id: ids are unique (a test in [`registry`] proves it).
impl PartialEq for Rule {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for Rule {}

/// An old id of a rule. `[rules]`, `[[package]] rules`, `[[allow]] rule` and `leakgate
/// explain` accept it and mean the rule; findings are only ever reported under the rule's id.
#[derive(Debug)]
pub struct Alias {
    /// The old id.
    pub id: &'static str,
    /// The rule it names.
    pub rule: &'static Rule,
    /// Why it is an alias (shown by `leakgate explain` for the old id).
    pub note: &'static str,
}

/// Every rule of leakgate, in the order `explain --list` shows them.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    registry::RULES.iter().copied()
}

/// Every alias of a rule id.
pub fn aliases() -> impl Iterator<Item = &'static Alias> {
    registry::ALIASES.iter().copied()
}

/// The alias `id`, when it is one.
pub fn alias(id: &str) -> Option<&'static Alias> {
    aliases().find(|a| a.id == id)
}

/// The rule id `id` means: the rule's id for an alias, else `id` itself.
pub fn canonical(id: &str) -> &str {
    alias(id).map_or(id, |a| a.rule.id)
}

/// The rule with this id (or with this alias).
pub fn find(id: &str) -> Option<&'static Rule> {
    let id = canonical(id);
    all().find(|r| r.id == id)
}
