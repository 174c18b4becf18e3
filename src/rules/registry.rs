//! The one list of every rule and alias leakgate has: one line each, in the order
//! `leakgate explain --list` and SARIF's rule table show them.
//!
//! A rule is declared beside the check that raises it (a `pub static` [`Rule`]); listing it
//! here is what makes `explain`, SARIF and the `[rules]`/`[[allow]]` validation know it.
//! This is the only file of [`crate::rules`] that names anything above it, and it names
//! data only (statics), never code.

use super::{Alias, Rule};
use crate::checks::{codename, drift, files, own_files, parity, secrets, size, sourcemap, tarball};
use crate::{checks, config, review};

/// Every rule.
pub static RULES: &[&Rule] = &[
    &config::ALLOW_UNUSED,
    &config::ALLOW_EXPIRED,
    &sourcemap::SOURCEMAP_SOURCES_CONTENT,
    &sourcemap::SOURCEMAP_SOURCES_DIFFER,
    &sourcemap::SOURCEMAP_FILE,
    &sourcemap::SOURCEMAP_EXTERNAL_URL,
    &sourcemap::SOURCEMAP_DANGLING_URL,
    &sourcemap::SOURCEMAP_LOCAL_PATHS,
    &sourcemap::SOURCEMAP_INVALID,
    &checks::PACK_LIFECYCLE_SCRIPTS,
    &secrets::SECRET_PRIVATE_KEY,
    &secrets::SECRET_AWS_ACCESS_KEY,
    &secrets::SECRET_AWS_SECRET_KEY,
    &secrets::SECRET_GITHUB_TOKEN,
    &secrets::SECRET_GITLAB_TOKEN,
    &secrets::SECRET_NPM_TOKEN,
    &secrets::SECRET_NPMRC_AUTH_TOKEN,
    &secrets::SECRET_CONNECTION_STRING,
    &secrets::SECRET_SLACK_WEBHOOK,
    &secrets::SECRET_SLACK_TOKEN,
    &secrets::SECRET_STRIPE_KEY,
    &secrets::SECRET_GOOGLE_API_KEY,
    &secrets::SECRET_ANTHROPIC_KEY,
    &secrets::SECRET_OPENAI_KEY,
    &secrets::SECRET_GCP_SERVICE_ACCOUNT,
    &secrets::SECRET_JWT,
    &secrets::SECRET_SUPABASE_SERVICE_KEY,
    &secrets::SECRET_AZURE_STORAGE_KEY,
    &secrets::SECRET_SENDGRID_KEY,
    &secrets::SECRET_DIGITALOCEAN_TOKEN,
    &secrets::SECRET_HEROKU_KEY,
    &secrets::SECRET_SENTRY_TOKEN,
    &secrets::SECRET_SENTRY_DSN,
    &secrets::SECRET_VERCEL_TOKEN,
    &secrets::SECRET_GOOGLE_OAUTH_SECRET,
    &secrets::SECRET_TWILIO_KEY,
    &secrets::SECRET_DATADOG_KEY,
    &secrets::SECRET_MAILGUN_KEY,
    &secrets::SECRET_CLOUDFLARE_TOKEN,
    &secrets::SECRET_GENERIC_SECRET,
    &files::FILE_DENIED,
    &files::FILE_ARCHIVE,
    &files::FILE_SOURCES,
    &codename::CODENAME,
    &own_files::CONFIG_CODENAMES_SHIPPED,
    &size::PACK_SIZE,
    &drift::PACK_DRIFT,
    &tarball::PACK_UNSAFE_ENTRY,
    &parity::PACK_PUBLISHER_DIFFERS,
    &review::PACKAGE_JSON_FILES_REMOVED,
    &review::PACKAGE_JSON_FILES_WIDENED,
    &review::PACKAGE_JSON_PRIVATE_REMOVED,
    &review::PACKAGE_JSON_PUBLISH_CONFIG,
    &review::PACKAGE_JSON_GUARD_REMOVED,
    &review::PACKAGE_JSON_ENTRY_IN_SOURCES,
    &review::IGNORE_FILE_NPMIGNORE_DELETED,
    &review::IGNORE_FILE_PROTECTION_REMOVED,
    &review::IGNORE_FILE_REINCLUDE,
    &review::IGNORE_FILE_NPMIGNORE_OVER_GITIGNORE,
    &review::BUNDLER_SOURCEMAP_ENABLED,
    &review::COMMIT_EXPOSES_FILES,
];

/// Every alias (an old id that still names a rule).
pub static ALIASES: &[&Alias] = &[&files::STAGED_DENIED_FILE, &sourcemap::STAGED_SOURCEMAP];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    /// `area/kebab-name` (or the lone `codename`).
    fn well_formed(id: &str) -> bool {
        let kebab = |s: &str| {
            !s.is_empty()
                && s.split('-').all(|w| {
                    !w.is_empty()
                        && w.bytes()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                })
        };
        match id.split_once('/') {
            Some((area, name)) => kebab(area) && kebab(name),
            None => id == "codename",
        }
    }

    #[test]
    fn ids_are_unique_well_formed_and_every_rule_is_explained() {
        assert!(!well_formed("Secret/x") && !well_formed("a/b/c") && !well_formed("a/-b"));
        let mut seen = BTreeSet::new();
        for r in RULES {
            assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
            assert!(
                well_formed(r.id),
                "rule id `{}` is not area/kebab-name",
                r.id
            );
            assert!(
                r.explanation.len() > r.summary.len() / 2,
                "{}: the explanation should say more than the summary",
                r.id
            );
            for (what, text) in [
                ("summary", r.summary),
                ("explanation", r.explanation),
                ("fix", r.fix),
            ] {
                assert!(!text.trim().is_empty(), "{} has no {what}", r.id);
            }
        }
        for a in ALIASES {
            assert!(well_formed(a.id), "alias `{}` is not area/kebab-name", a.id);
            assert!(
                seen.insert(a.id),
                "alias {} is also a rule or another alias",
                a.id
            );
        }
    }

    #[test]
    fn aliases_name_registered_rules() {
        for a in ALIASES {
            let rule = crate::rules::find(a.id).expect("an alias names a registered rule");
            assert_eq!(rule, a.rule);
            assert!(!a.note.trim().is_empty());
        }
        let denied = &crate::checks::files::FILE_DENIED;
        assert_eq!(crate::rules::canonical("staged/denied-file"), denied.id);
        assert_eq!(crate::rules::canonical(denied.id), denied.id);
        assert_eq!(
            crate::rules::canonical("secret/acme-key"),
            "secret/acme-key"
        );
        assert!(crate::rules::find("staged/denied-fil").is_none());
    }

    /// The static each line of [`RULES`] names (`FILE_DENIED` for `&files::FILE_DENIED,`),
    /// read from this file's own text, in order.
    fn static_names() -> Vec<&'static str> {
        let text = include_str!("registry.rs");
        let start = text.find("pub static RULES").unwrap();
        let end = start + text[start..].find("\n];").unwrap();
        text[start..end]
            .lines()
            .filter_map(|l| l.trim().strip_prefix('&')?.strip_suffix(','))
            .map(|path| path.rsplit("::").next().unwrap())
            .collect()
    }

    /// Every `.rs` file under `dir`, with its text.
    fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                sources(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push((
                    p.display().to_string(),
                    std::fs::read_to_string(&p).unwrap(),
                ));
            }
        }
    }

    /// How often `word` stands alone in `text` (`CODENAME`, not inside
    /// `CONFIG_CODENAMES_SHIPPED`).
    fn words(text: &str, word: &str) -> usize {
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        text.match_indices(word)
            .filter(|(at, _)| {
                !ident(text[..*at].chars().next_back())
                    && !ident(text[at + word.len()..].chars().next())
            })
            .count()
    }

    /// A rule that nothing raises is dead text in `explain`; one that no test names can
    /// break unnoticed. Code raises a rule through its static (`Finding::new(&FILE_DENIED,
    /// …)`), so "raised" is: some code besides the declaration and this list names the
    /// static. "Tested" is: a test names the id (the integration tests, the golden CLI
    /// outputs under tests/, or a unit test module), as the JSON a user sees spells it.
    #[test]
    fn every_rule_is_raised_by_code_and_named_by_a_test() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut code = Vec::new();
        sources(&root.join("src"), &mut code);
        let (mut production, mut tests) = (String::new(), String::new());
        for (path, text) in &code {
            if path.ends_with("registry.rs") {
                continue;
            }
            let file = path.rsplit('/').next().unwrap();
            let split = if file.starts_with("tests") || path.contains("/test_support") {
                0
            } else {
                text.find("#[cfg(test)]").unwrap_or(text.len())
            };
            production.push_str(&text[..split]);
            tests.push_str(&text[split..]);
        }
        let mut stack = vec![root.join("tests")];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if let Ok(text) = std::fs::read_to_string(&p) {
                    tests.push_str(&text);
                }
            }
        }
        let names = static_names();
        assert_eq!(names.len(), RULES.len(), "one line per rule: {names:?}");
        for (name, rule) in names.iter().zip(RULES) {
            let declared = format!("pub static {name}: Rule");
            let declaration = production.matches(&declared).count()
                + production
                    .matches(&format!("    {name},\n    \"{}\"", rule.id))
                    .count();
            assert_eq!(declaration, 1, "{name} is not declared as {}", rule.id);
            let uses = words(&production, name);
            assert!(
                uses > 1,
                "{} ({name}) is declared but nothing raises it",
                rule.id
            );
            assert!(
                tests.contains(&format!("\"{}\"", rule.id)),
                "no test names {}",
                rule.id
            );
        }
    }
}
