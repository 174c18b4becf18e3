//! The rule catalog: every rule's id, default severity, summary and explanation.
//!
//! Each area declares its rules next to its code (`RULES` constants); this module
//! gathers them so `leakgate explain`, the SARIF renderer and the config validation see
//! one list. A rule that was renamed keeps its old id as an [`Alias`], declared beside the
//! rule, so leakgate.toml files written for the old id keep working.

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

/// An old id of a rule. `[rules]`, `[[package]] rules`, `[[allow]] rule` and `leakgate
/// explain` accept it and mean the rule; findings are only ever reported under the rule's id.
#[derive(Debug)]
pub struct Alias {
    /// The old id.
    pub id: &'static str,
    /// The id of the rule it names.
    pub rule: &'static str,
    /// Why it is an alias (shown by `leakgate explain` for the old id).
    pub note: &'static str,
}

/// Every rule-declaring area, in the order `explain --list` shows them.
fn areas() -> [&'static [Rule]; 12] {
    [
        crate::config::RULES,
        crate::checks::sourcemap::RULES,
        crate::checks::RULES,
        crate::checks::secrets::RULES,
        crate::checks::files::RULES,
        crate::checks::codename::RULES,
        crate::checks::own_files::RULES,
        crate::checks::size::RULES,
        crate::checks::drift::RULES,
        crate::checks::tarball::RULES,
        crate::checks::parity::RULES,
        crate::review::RULES,
    ]
}

/// Every rule of leakgate.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    areas().into_iter().flatten()
}

/// Every alias-declaring area.
fn alias_areas() -> [&'static [Alias]; 1] {
    [crate::checks::files::ALIASES]
}

/// Every alias of a rule id.
pub fn aliases() -> impl Iterator<Item = &'static Alias> {
    alias_areas().into_iter().flatten()
}

/// The alias `id`, when it is one.
pub fn alias(id: &str) -> Option<&'static Alias> {
    aliases().find(|a| a.id == id)
}

/// The rule id `id` means: the rule's id for an alias, else `id` itself.
pub fn canonical(id: &str) -> &str {
    alias(id).map_or(id, |a| a.rule)
}

/// The rule with this id (or with this alias).
pub fn find(id: &str) -> Option<&'static Rule> {
    let id = canonical(id);
    all().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_name_rules_and_are_not_rules() {
        for a in aliases() {
            let rule = find(a.id).expect("an alias names a rule of the catalog");
            assert_eq!(rule.id, a.rule);
            assert!(all().all(|r| r.id != a.id), "{} is both", a.id);
            assert!(!a.note.trim().is_empty());
        }
        assert_eq!(canonical("staged/denied-file"), "file/denied");
        assert_eq!(canonical("file/denied"), "file/denied");
        assert_eq!(canonical("secret/acme-key"), "secret/acme-key");
        assert!(find("staged/denied-fil").is_none());
    }
}
