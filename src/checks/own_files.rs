//! leakgate's own files in a package: its config (`leakgate.toml`) and its lock
//! (`leakgate.lock`).
//!
//! Both name what leakgate guards, on purpose: the config lists the codenames, the lock lists
//! every shipped path. So the `codename` rule never judges them (a codename in a shipped
//! file's name is reported for that file). What does matter is a shipped config that names
//! codenames in plain text: the package then publishes the very list it guards
//! (`config/codenames-shipped`).

use super::codename::{CodenameError, Matcher};
use super::drift::LOCK_FILE;
use crate::config::{plain_codename_entries, Config, FILE_NAME};
use crate::report::{Finding, Severity};
use crate::rules::Rule;
use std::ops::Range;
use std::sync::Arc;

/// `config/codenames-shipped`: a shipped leakgate.toml names internal codenames in plain text
pub static CONFIG_CODENAMES_SHIPPED: Rule = Rule {
    id: "config/codenames-shipped",
    default_severity: Severity::Error,
    summary: "a shipped leakgate.toml names internal codenames in plain text",
    explanation: "leakgate.toml lists the codenames that must never ship. When the package \
    ships the file itself (no `files` field, or a broad one), every installer can read the \
    whole list: the one file that names every unreleased product at once. Reported for a \
    shipped file named leakgate.toml whose `codenames` has plaintext entries, or that \
    names one of the configured codenames anywhere else (a comment, a reason). Entries \
    stored as `sha256:SALT:HEX` don't count: they don't reveal the name. The `codename` \
    rule itself never judges leakgate.toml or leakgate.lock, which name codenames and \
    shipped paths on purpose.",
    fix: "Keep leakgate.toml out of the package (`\"!leakgate.toml\"` in package.json \
    `files`, or a `/leakgate.toml` line in the package's .npmignore when it has no \
    `files`), and store confidential codenames as `sha256:SALT:HEX` \
    (`printf '%s%s' SALT word | sha256sum`).",
};

/// The last path component.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Whether `label` (a packed path; `a!b` names a file inside a file) is one of leakgate's
/// own files, by name at any depth: `--config` may name a leakgate.toml anywhere.
pub fn is_own_file(label: &str) -> bool {
    !label.contains('!') && matches!(file_name(label), FILE_NAME | LOCK_FILE)
}

/// Whether `label` is a leakgate config (`leakgate.toml` at any depth).
pub fn is_config(label: &str) -> bool {
    !label.contains('!') && file_name(label) == FILE_NAME
}

/// Where the text of a leakgate.toml names codenames in plain text: its plaintext
/// `codenames` entries, plus every place the configured codenames (`configured`, plain or
/// hashed) occur in it. Byte ranges, sorted, without overlaps.
pub fn plain_codenames(bytes: &[u8], configured: Option<&Matcher>) -> Vec<Range<usize>> {
    let mut out = std::str::from_utf8(bytes)
        .map(plain_codename_entries)
        .unwrap_or_default();
    if let Some(m) = configured {
        out.extend(m.find(bytes).into_iter().map(|(_, _, r)| r));
    }
    out.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    out.dedup_by(|b, a| b.start < a.end);
    out
}

/// `config/codenames-shipped`: a content check, so it judges a packed leakgate.toml wherever
/// one is read (a package, a tarball).
#[derive(Debug)]
pub struct ShippedConfig {
    /// The run's own codenames, when it has any.
    configured: Option<Arc<Matcher>>,
}

impl ShippedConfig {
    /// The check for a run with `config` (its codenames also count when a shipped
    /// leakgate.toml mentions them outside `codenames`).
    pub fn new(config: &Config) -> Result<ShippedConfig, CodenameError> {
        let m = Matcher::new(config)?;
        Ok(Self::with_matcher((!m.is_empty()).then(|| Arc::new(m))))
    }

    /// The check with the run's codename matcher, already compiled (`None`: no codenames).
    pub fn with_matcher(configured: Option<Arc<Matcher>>) -> ShippedConfig {
        ShippedConfig { configured }
    }

    /// The finding for a shipped leakgate.toml at `label` (none for other files, or when it
    /// names no codename in plain text). One per file, at the first place; evidence redacted.
    pub fn findings(&self, label: &str, bytes: &[u8]) -> Vec<Finding> {
        if !is_config(label) {
            return Vec::new();
        }
        let found = plain_codenames(bytes, self.configured.as_deref());
        let Some(first) = found.first() else {
            return Vec::new();
        };
        let (line, column) = super::secrets::line_columns(bytes, &[first.start])[0];
        let n = found.len();
        vec![Finding::new(
            &CONFIG_CODENAMES_SHIPPED,
            format!(
                "{label} ships and names internal codenames in plain text ({n} place{})",
                if n == 1 { "" } else { "s" }
            ),
        )
        .file(label)
        .at(line, column)
        .help(CONFIG_CODENAMES_SHIPPED.fix)
        .evidence(&bytes[first.clone()])]
    }
}

impl super::ContentCheck for ShippedConfig {
    fn check(&self, label: &str, bytes: &[u8]) -> Vec<Finding> {
        self.findings(label, bytes)
    }

    /// The team's committed config names its codenames on purpose: only shipping it leaks.
    fn applies_to_history(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Codename;

    fn check(codenames: &[&str], label: &str, text: &str) -> Vec<Finding> {
        let config = Config {
            codenames: codenames.iter().map(|s| s.to_string()).collect(),
            ..Config::default()
        };
        ShippedConfig::new(&config)
            .unwrap()
            .findings(label, text.as_bytes())
    }

    #[test]
    fn plaintext_entries_in_a_shipped_config_are_one_finding_at_the_first() {
        let text = "# policy\ncodenames = [\"Nightjar\", \"Orchid\"]\n";
        let f = check(&["Nightjar", "Orchid"], "leakgate.toml", text);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].rule, "config/codenames-shipped");
        assert_eq!(f[0].severity, Severity::Error);
        assert_eq!((f[0].line, f[0].column), (Some(2), Some(15)));
        assert!(f[0].message.contains("2 places"), "{}", f[0].message);
        assert!(!f[0].message.contains("Nightjar"));
        assert!(!f[0].evidence.as_deref().unwrap_or("").contains("Nightjar"));
        // Another repository's config in a tarball: its own list counts, whatever this run's.
        assert_eq!(check(&[], "packages/x/leakgate.toml", text).len(), 1);
    }

    #[test]
    fn hashed_entries_and_other_files_are_near_misses() {
        let hashed = Codename::hash("s4lt", "Nightjar");
        let text = format!("codenames = [\"{hashed}\"]\n[rules]\n\"file/archive\" = \"off\"\n");
        assert!(check(&[&hashed], "leakgate.toml", &text).is_empty());
        assert!(check(&[], "leakgate.toml", "[rules]\n").is_empty());
        // Not a leakgate config: the `codename` rule's business.
        let plain = "codenames = [\"Nightjar\"]\n";
        assert!(check(&["Nightjar"], "config/app.toml", plain).is_empty());
        assert!(check(&["Nightjar"], "dist/x.map!leakgate.toml", plain).is_empty());
    }

    #[test]
    fn a_hashed_codename_named_elsewhere_in_the_config_counts() {
        let hashed = Codename::hash("s4lt", "Nightjar");
        let text = format!("# nightjar ships in Q3\ncodenames = [\"{hashed}\"]\n");
        let f = check(&[&hashed], "leakgate.toml", &text);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((f[0].line, f[0].column), (Some(1), Some(3)));
    }

    #[test]
    fn own_files_by_name() {
        for p in [
            "leakgate.toml",
            "leakgate.lock",
            "packages/cli/leakgate.toml",
        ] {
            assert!(is_own_file(p), "{p}");
        }
        for p in [
            "leakgate.toml.bak",
            "my-leakgate.lock",
            "a.map!leakgate.toml",
        ] {
            assert!(!is_own_file(p), "{p}");
        }
    }
}
