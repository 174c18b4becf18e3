//! The rule catalog: every rule's id, default severity, summary and explanation.
//!
//! Each area declares its rules next to its code (`RULES` constants); this module
//! gathers them so `leakgate explain`, the SARIF renderer and the config validation see
//! one list.

use super::Severity;

/// One rule of the catalog.
#[derive(Debug)]
pub struct Rule {
    /// Stable id, `area/kebab-name`.
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

/// Every rule-declaring area, in the order `explain --list` shows them.
fn areas() -> [&'static [Rule]; 10] {
    [
        crate::config::RULES,
        crate::checks::sourcemap::RULES,
        crate::checks::RULES,
        crate::checks::secrets::RULES,
        crate::checks::files::RULES,
        crate::checks::codename::RULES,
        crate::checks::size::RULES,
        crate::checks::drift::RULES,
        crate::checks::tarball::RULES,
        crate::review::RULES,
    ]
}

/// Every rule of leakgate.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    areas().into_iter().flatten()
}

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static Rule> {
    all().find(|r| r.id == id)
}
