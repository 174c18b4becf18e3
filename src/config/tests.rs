//! Unit tests of reading and applying the config.

use super::*;
use crate::report::{Finding, Severity};

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("leakgate.toml"))
}

fn err(text: &str) -> ConfigError {
    parse(text).expect_err("should be an error")
}

fn day(s: &str) -> Date {
    Date::parse(s).unwrap()
}

#[test]
fn default_toml_parses() {
    let c = parse(DEFAULT_TOML).unwrap();
    assert!(c.allow.is_empty());
    assert_eq!(c.hooks.on_error, OnError::Block);
}

#[test]
fn fixed_spellings_work() {
    let c = parse(
        r#"
codenames = ["Nightjar"]

[sourcemaps]
allow-without-sources-content = true

[[allow]]
path = "lib/fixtures/registry-token.js"
rule = "allow/unused"
reason = "fake token used by the login tests"
"#,
    )
    .unwrap();
    assert_eq!(c.codenames, vec!["Nightjar"]);
    assert!(c.sourcemaps.allow_without_sources_content);
    assert_eq!(c.allow.len(), 1);
    assert_eq!(c.allow[0].line, 7);
    assert_eq!(
        c.allow[0].path.as_deref(),
        Some("lib/fixtures/registry-token.js")
    );
}

#[test]
fn unknown_key_suggests() {
    let e = err("[sourcemaps]\nallow-without-source-content = true\n");
    assert_eq!((e.line, e.column), (2, 1));
    assert!(
        e.message
            .contains("did you mean `allow-without-sources-content`?"),
        "{e}"
    );
    assert!(e.to_string().starts_with("leakgate.toml:2:1: "), "{e}");
    let e = err("codename = []\n");
    assert!(e.message.contains("did you mean `codenames`?"), "{e}");
    let e = err("zzzzzz = 1\n");
    assert!(e.message.contains("expected one of"), "{e}");
}

#[test]
fn wrong_type_names_expected() {
    let e = err("[sourcemaps]\nallow-without-sources-content = \"yes\"\n");
    assert_eq!((e.line, e.column), (2, 33));
    assert!(
        e.message.contains("must be true or false, found a string"),
        "{e}"
    );
    let e = err("codenames = \"Nightjar\"\n");
    assert!(e.message.contains("must be an array"), "{e}");
}

#[test]
fn bad_glob() {
    let e = err("[files]\ndeny = [\"ok/*\", \"lib/[\"]\n");
    assert_eq!((e.line, e.column), (2, 17));
    assert!(e.message.contains("invalid glob `lib/[`"), "{e}");
}

#[test]
fn bad_regex() {
    let e = err("[[secrets.patterns]]\nid = \"acme-key\"\nregex = \"acme_(\"\n");
    assert_eq!((e.line, e.column), (3, 9));
    assert!(e.message.starts_with("invalid regex: "), "{e}");
    assert!(!e.message.contains('\n'), "{e}");
}

#[test]
fn bad_date() {
    let e = err("[[allow]]\npath = \"a\"\nreason = \"r\"\nexpires = \"2026-02-30\"\n");
    assert_eq!((e.line, e.column), (4, 11));
    assert!(e.message.contains("2026-02 has 28 days"), "{e}");
    // A native TOML date works.
    let c = parse("[[allow]]\npath = \"a\"\nreason = \"r\"\nexpires = 2026-02-28\n").unwrap();
    assert_eq!(c.allow[0].expires.as_deref(), Some("2026-02-28"));
    let e = err("[[allow]]\npath = \"a\"\nreason = \"r\"\nexpires = 2026-02-28T10:00:00Z\n");
    assert!(e.message.contains("YYYY-MM-DD"), "{e}");
}

#[test]
fn allow_without_reason() {
    let e = err("codenames = []\n\n[[allow]]\npath = \"a.js\"\n");
    assert_eq!(e.line, 3, "{e}");
    assert!(e.message.contains("no `reason`"), "{e}");
    let e = err("[[allow]]\npath = \"a.js\"\nreason = \"  \"\n");
    assert!(e.message.contains("empty"), "{e}");
}

#[test]
fn allow_must_say_what() {
    let e = err("[[allow]]\nreason = \"because\"\n");
    assert!(e.message.contains("would allow everything"), "{e}");
}

#[test]
fn hook_warnings() {
    assert_eq!(parse("").unwrap().hooks.warnings, HookWarnings::Summary);
    let c = parse("[hooks]\nwarnings = \"full\"\n").unwrap();
    assert_eq!(c.hooks.warnings, HookWarnings::Full);
    let c = parse("[hooks]\nwarnings = \"summary\"\n").unwrap();
    assert_eq!(c.hooks.warnings, HookWarnings::Summary);
    let e = err("[hooks]\nwarnings = \"all\"\n");
    assert_eq!((e.line, e.column), (2, 12));
    assert!(
        e.message.contains(
            "unknown `hooks.warnings` value `all`; expected one of \"summary\", \"full\""
        ),
        "{e}"
    );
    assert!(e.to_string().starts_with("leakgate.toml:2:12: "), "{e}");
    let e = err("[hooks]\nwarnings = true\n");
    assert_eq!((e.line, e.column), (2, 12));
    assert!(
        e.message.contains("must be one of \"summary\", \"full\""),
        "{e}"
    );
    let e = err("[hooks]\nwarning = \"full\"\n");
    assert!(e.message.contains("did you mean `warnings`?"), "{e}");
}

#[test]
fn unknown_rules_and_severities() {
    let e = err("[rules]\n\"allow/unsued\" = \"off\"\n");
    assert!(e.message.contains("did you mean `allow/unused`?"), "{e}");
    let e = err("[rules]\n\"allow/unused\" = \"fatal\"\n");
    assert!(e.message.contains("\"error\", \"warning\", \"off\""), "{e}");
    assert_eq!((e.line, e.column), (2, 18));
    // A custom secret pattern's id is a known rule.
    let c = parse(
        "[rules]\n\"secret/acme-key\" = \"warning\"\n[[secrets.patterns]]\nid = \"acme-key\"\nregex = \"acme_[a-z0-9]{32}\"\n",
    )
    .unwrap();
    assert_eq!(c.rules.get("secret/acme-key"), Some(&Level::Warning));
}

#[test]
fn codenames_validated() {
    let hashed = Codename::hash("s4lt", "Nightjar");
    let c = parse(&format!("codenames = [\"Nightjar\", \"{hashed}\"]\n")).unwrap();
    assert_eq!(
        c.codenames_parsed()[1],
        Codename::Hashed {
            salt: "s4lt".into(),
            hex: hashed.rsplit(':').next().unwrap().into()
        }
    );
    let e = err("codenames = [\"sha256:salt:abc\"]\n");
    assert!(e.message.contains("64 hex digits"), "{e}");
    assert_eq!((e.line, e.column), (1, 14));
}

#[test]
fn sizes() {
    assert_eq!(parse_size("10 MB").unwrap(), 10_000_000);
    assert_eq!(parse_size("512KiB").unwrap(), 524_288);
    assert_eq!(parse_size("1.5 GB").unwrap(), 1_500_000_000);
    assert_eq!(parse_size("2048").unwrap(), 2048);
    assert!(parse_size("10 parsecs").is_err());
    assert!(parse_size("0").is_err());
    let c = parse("[size]\nmax-file = \"10 MB\"\nmax-package = 1000\n").unwrap();
    assert_eq!(c.size.max_file, Some(10_000_000));
    assert_eq!(c.size.max_package, Some(1000));
    let e = err("[size]\nmax-file = true\n");
    assert!(e.message.contains("a size"), "{e}");
}

#[test]
fn syntax_errors_have_positions() {
    let e = err("codenames = [\n\"a\",\n\"b\"\n[x]\n");
    assert!(e.message.starts_with("invalid TOML"), "{e}");
    assert!(e.line >= 3, "{e}");
}

#[test]
fn check_collects_every_error() {
    let errors = Config::check(
        "bogus = 1\n[files]\ndeny = [\"[\"]\n",
        Path::new("leakgate.toml"),
    );
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].line, 1);
    assert_eq!(errors[1].line, 3);
}

fn finding(rule: &str, path: &str) -> Finding {
    Finding::named(rule, "m")
        .severity(Severity::Error)
        .package("@acme/cli")
        .file(path)
}

#[test]
fn severity_overrides() {
    let c = parse("[rules]\n\"allow/unused\" = \"off\"\n\"allow/expired\" = \"error\"\n").unwrap();
    let out = c.apply_on(
        vec![
            finding("allow/unused", "a").severity(Severity::Warning),
            finding("allow/expired", "b").severity(Severity::Warning),
        ],
        day("2026-01-01"),
        false,
    );
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].rule, "allow/expired");
    assert_eq!(out[0].severity, Severity::Error);
}

#[test]
fn allow_by_path_rule_package_fingerprint() {
    let fp = crate::report::redact::fingerprint(b"secret");
    let c = parse(&format!(
        r#"
[[allow]]
path = "lib/fixtures/*.js"
rule = "allow/unused"
reason = "fixtures"

[[allow]]
package = "@acme/*"
fingerprint = "{fp}"
reason = "known value"
"#
    ))
    .unwrap();
    let hit = finding("allow/unused", "lib/fixtures/token.js");
    let other_rule = finding("allow/expired", "lib/fixtures/token.js");
    let other_path = finding("allow/unused", "lib/real.js");
    let by_fp = finding("allow/expired", "x.js").evidence(b"secret");
    let wrong_fp = finding("allow/expired", "x.js").evidence(b"other");
    let out = c.apply_on(
        vec![hit, other_rule, other_path, by_fp, wrong_fp],
        day("2026-01-01"),
        true,
    );
    let files: Vec<_> = out
        .iter()
        .map(|f| (f.rule.as_str(), f.file.as_deref().unwrap()))
        .collect();
    assert_eq!(
        files,
        vec![
            ("allow/expired", "lib/fixtures/token.js"),
            ("allow/unused", "lib/real.js"),
            ("allow/expired", "x.js"),
        ]
    );
}

#[test]
fn repo_path_wins_over_file() {
    let c = parse("[[allow]]\npath = \"packages/cli/dist/*.js\"\nreason = \"r\"\n").unwrap();
    let f = finding("allow/unused", "dist/a.js").repo_path("packages/cli/dist/a.js");
    assert!(c.apply_on(vec![f], day("2026-01-01"), false).is_empty());
    let f = finding("allow/unused", "dist/a.js").repo_path("packages/other/dist/a.js");
    assert_eq!(c.apply_on(vec![f], day("2026-01-01"), false).len(), 1);
}

#[test]
fn expired_entries_stop_allowing_and_say_so() {
    let c = parse(
        "codenames = []\n[[allow]]\npath = \"a.js\"\nreason = \"temp\"\nexpires = \"2026-01-31\"\n",
    )
    .unwrap();
    // On the last day it still allows.
    let out = c.apply_on(
        vec![finding("allow/unused", "a.js")],
        day("2026-01-31"),
        true,
    );
    assert!(out.is_empty(), "{out:?}");
    // The day after, the finding is back and the entry is reported.
    let out = c.apply_on(
        vec![finding("allow/unused", "a.js")],
        day("2026-02-01"),
        false,
    );
    assert_eq!(out.len(), 2, "{out:?}");
    assert_eq!(out[0].rule, "allow/unused");
    assert_eq!(out[1].rule, "allow/expired");
    assert_eq!(out[1].line, Some(2));
    assert_eq!(out[1].file.as_deref(), Some("leakgate.toml"));
    assert!(out[1].message.contains("2026-01-31"), "{}", out[1].message);
}

#[test]
fn unused_only_on_complete_runs() {
    let c = parse("[[allow]]\npath = \"never.js\"\nreason = \"r\"\n").unwrap();
    assert!(c.apply_on(vec![], day("2026-01-01"), false).is_empty());
    let out = c.apply_on(vec![], day("2026-01-01"), true);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].rule, "allow/unused");
    assert_eq!(out[0].line, Some(1));
}

#[test]
fn package_overrides_and_skip() {
    let c = parse(
        r#"
[[package]]
name = "@acme/*"
visibility = "open"

[[package]]
path = "packages/internal-*"
visibility = "proprietary"
skip = true
"#,
    )
    .unwrap();
    let open_manifest = serde_json::json!({"name": "@acme/cli"});
    assert_eq!(
        c.visibility("packages/cli", &open_manifest),
        Visibility::Open
    );
    let m = serde_json::json!({"name": "@acme/x", "license": "MIT", "repository": "a/b"});
    assert_eq!(
        c.visibility("packages/internal-x", &m),
        Visibility::Proprietary
    );
    assert!(c.skips(Some("zzz"), "packages/internal-tools"));
    assert!(!c.skips(Some("@acme/cli"), "packages/cli"));
    // No entry: inferred.
    let m = serde_json::json!({"name": "other", "license": "MIT", "repository": "a/b"});
    assert_eq!(c.visibility("libs/other", &m), Visibility::Open);
    let e = err("[[package]]\nvisibility = \"open\"\n");
    assert!(e.message.contains("needs a `name` or a `path`"), "{e}");
}

#[test]
fn denied_globs() {
    let c = parse("[files]\ndeny = [\"*.sqlite\", \"internal/\"]\n").unwrap();
    assert_eq!(c.denied_by("data/x.sqlite"), Some("*.sqlite"));
    assert_eq!(c.denied_by("internal/notes.md"), Some("internal/"));
    assert_eq!(c.denied_by("src/index.js"), None);
}

#[test]
fn effective_config_round_trips() {
    let text = r#"
codenames = ["Nightjar"]
[rules]
"allow/unused" = "off"
[size]
max-file = "1 MB"
[[allow]]
path = "a.js"
reason = "r"
expires = "2030-01-01"
[[package]]
name = "x"
skip = true
"#;
    let c = parse(text).unwrap();
    let printed = c.to_toml();
    let again = parse(&printed).unwrap_or_else(|e| panic!("{e}\n{printed}"));
    assert_eq!(again.to_toml(), printed);
    assert!(printed.contains("max-file = 1000000"), "{printed}");
}

#[test]
fn per_package_rule_overrides() {
    let c = parse(
        r#"
[rules]
"allow/unused" = "warning"

[[package]]
name = "@acme/docs"
rules = { "allow/unused" = "off" }

[[package]]
path = "packages/strict-*"
[package.rules]
"allow/unused" = "error"
"#,
    )
    .unwrap();
    let f = |pkg: &str, path: &str| {
        Finding::new(&crate::config::ALLOW_UNUSED, "m")
            .severity(Severity::Warning)
            .package(pkg)
            .repo_path(path)
    };
    let out = c.apply_on(
        vec![
            f("@acme/docs", "docs/a.js"),
            f("@acme/strict", "packages/strict-one/dist/a.js"),
            f("@acme/other", "packages/other/dist/a.js"),
        ],
        day("2026-01-01"),
        false,
    );
    let got: Vec<_> = out
        .iter()
        .map(|f| (f.package.as_deref().unwrap(), f.severity))
        .collect();
    assert_eq!(
        got,
        vec![
            ("@acme/strict", Severity::Error),
            ("@acme/other", Severity::Warning)
        ]
    );
    let e = err("[[package]]\nname = \"x\"\nrules = { \"allow/unusd\" = \"off\" }\n");
    assert!(e.message.contains("did you mean `allow/unused`?"), "{e}");
}

#[test]
fn plain_codename_entries_are_found_hashes_are_not() {
    let hashed = Codename::hash("s4lt", "Kairos");
    let text = format!(
        "# Nightjar in a comment is not an entry\ncodenames = [\n  \"Nightjar\",\n  \"{hashed}\",\n  'Orchid',\n]\n"
    );
    let found: Vec<&str> = plain_codename_entries(&text)
        .into_iter()
        .map(|r| &text[r])
        .collect();
    assert_eq!(found, ["Nightjar", "Orchid"]);
    // Near misses: hashes only, none at all, an empty list, text that isn't TOML.
    assert!(plain_codename_entries(&format!("codenames = [\"{hashed}\"]\n")).is_empty());
    assert!(plain_codename_entries("[rules]\n").is_empty());
    assert!(plain_codename_entries("codenames = []\n").is_empty());
    assert!(plain_codename_entries("codenames = [\"Nightjar\"\n").is_empty());
}

#[test]
fn an_old_rule_id_means_its_rule_everywhere() {
    // `staged/denied-file` is an alias of `file/denied`: `[rules]`, `[[package]] rules` and
    // `[[allow]] rule` accept it and act on `file/denied` findings (commit, push, package).
    let c = parse(
        r#"
[rules]
"staged/denied-file" = "warning"

[[package]]
name = "@acme/quiet"
rules = { "staged/denied-file" = "off" }

[[allow]]
rule = "staged/denied-file"
path = ".env"
reason = "fixture"
"#,
    )
    .unwrap();
    assert_eq!(c.rules.get("file/denied"), Some(&Level::Warning));
    let today = day("2026-01-01");
    let at_env = finding("file/denied", ".env").repo_path(".env");
    assert!(c.apply_on(vec![at_env], today, true).is_empty());
    // Near misses: another file stays (as a warning), another rule at `.env` stays.
    let out = c.apply_on(
        vec![
            finding("file/denied", "keys/id_rsa").repo_path("keys/id_rsa"),
            finding("allow/unused", ".env").repo_path(".env"),
        ],
        today,
        false,
    );
    let kept: Vec<_> = out.iter().map(|f| (f.rule.as_str(), f.severity)).collect();
    assert_eq!(
        kept,
        [
            ("file/denied", Severity::Warning),
            ("allow/unused", Severity::Error)
        ]
    );
    let quiet = finding("file/denied", "a.pem").package("@acme/quiet");
    assert!(c.apply_on(vec![quiet], today, false).is_empty());
}

#[test]
fn an_alias_and_its_rule_set_twice_is_an_error() {
    let e = err("[rules]\n\"file/denied\" = \"off\"\n\"staged/denied-file\" = \"warning\"\n");
    assert!(
        e.message.contains("same rule (`file/denied`)"),
        "{}",
        e.message
    );
    assert_eq!(e.line, 3);
    // A typo of the old id is still a typo.
    let e = err("[rules]\n\"staged/denied-files\" = \"off\"\n");
    assert!(e.message.contains("unknown rule"), "{}", e.message);
}

#[test]
fn unknown_key_deep_in_a_table_array_names_its_place() {
    let errors = Config::check(
        "[secrets]\n\n[[secrets.patterns]]\nid = \"acme-key\"\nregexp = \"acme_[a-z]+\"\n",
        Path::new("leakgate.toml"),
    );
    let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        shown,
        [
            "leakgate.toml:3:1: a `[[secrets.patterns]]` entry needs a `regex`",
            "leakgate.toml:5:1: unknown key `regexp` in `secrets.patterns`: did you mean `regex`?"
        ]
    );
    // In an inline table of a [[package]] entry.
    let e = err("[[package]]\nname = \"x\"\nrules = 3\n");
    assert_eq!((e.line, e.column), (3, 9), "{e}");
    assert!(
        e.message
            .starts_with("`package.rules` must be a table of rule ids"),
        "{e}"
    );
    // The line each entry records is not a key a user can set.
    let e = err("[[allow]]\npath = \"a\"\nreason = \"r\"\nline = 3\n");
    assert_eq!((e.line, e.column), (4, 1), "{e}");
    assert!(e.message.contains("unknown key `line` in `allow`"), "{e}");
}

#[test]
fn wrong_types_deep_in_tables_name_the_key() {
    let e = err("[[package]]\nname = \"x\"\nrules = { \"allow/unused\" = 1 }\n");
    assert_eq!((e.line, e.column), (3, 28), "{e}");
    assert!(
        e.message
            .contains("`package.rules.\"allow/unused\"` must be one of \"error\", \"warning\", \"off\", found an integer"),
        "{e}"
    );
    let e = err("[[secrets.patterns]]\nid = \"k\"\nregex = \"k\"\nkeywords = [\"a\", 2]\n");
    assert_eq!((e.line, e.column), (4, 18), "{e}");
    assert!(
        e.message.contains(
            "each entry of `secrets.patterns.keywords` must be a string, found an integer"
        ),
        "{e}"
    );
    let e = err("[drift]\nmax-growth = 0.5\n");
    assert_eq!((e.line, e.column), (2, 14), "{e}");
    assert_eq!(
        e.message,
        "`drift.max-growth` must be a number >= 1.0 (1.5 = 50% growth), found 0.5"
    );
    let e = err("[drift]\nmax-growth = \"2\"\n");
    assert!(e.message.ends_with("found a string"), "{e}");
    let e = err("[publish]\ntool = \"npx\"\n");
    assert_eq!((e.line, e.column), (2, 8), "{e}");
    assert!(
        e.message.contains(
            "unknown `publish.tool` value `npx`; expected one of \"npm\", \"pnpm\", \"yarn\", \"bun\""
        ),
        "{e}"
    );
    let e = err("[[package]]\npath = \"p\"\nvisibility = \"public\"\n");
    assert!(
        e.message.contains("`package.visibility` value `public`"),
        "{e}"
    );
}

#[test]
fn bad_dates_have_positions() {
    let e = err("[[allow]]\npath = \"a\"\nreason = \"r\"\nexpires = \"31/12/2026\"\n");
    assert_eq!((e.line, e.column), (4, 11), "{e}");
    assert!(e.message.contains("expected YYYY-MM-DD"), "{e}");
    let e = err("[[allow]]\npath = \"a\"\nreason = \"r\"\nexpires = 2026-13-01\n");
    assert_eq!(e.line, 4, "{e}");
    let e = err("[[allow]]\npath = \"a\"\nreason = \"r\"\nexpires = 20261231\n");
    assert_eq!((e.line, e.column), (4, 11), "{e}");
    assert!(
        e.message
            .contains("`allow.expires` must be a date YYYY-MM-DD, found an integer"),
        "{e}"
    );
}

#[test]
fn duplicate_secret_ids_point_at_the_second() {
    let e = err(
        "[[secrets.patterns]]\nid = \"k\"\nregex = \"a\"\n\n[[secrets.patterns]]\nid = \"k\"\nregex = \"b\"\n",
    );
    assert_eq!((e.line, e.column), (6, 6), "{e}");
    assert!(
        e.message
            .contains("duplicate `secrets.patterns.id` \"k\": line 2 sets it already"),
        "{e}"
    );
    // Different ids: both read.
    let c = parse(
        "[[secrets.patterns]]\nid = \"k\"\nregex = \"a\"\n[[secrets.patterns]]\nid = \"j\"\nregex = \"b\"\n",
    )
    .unwrap();
    assert_eq!(c.secrets.patterns.len(), 2);
}

#[test]
fn an_empty_file_reads_as_the_defaults() {
    let c = parse("").unwrap();
    assert_eq!(c.to_toml(), Config::default().to_toml());
    assert_eq!(c.drift.max_growth, 1.5);
    assert_eq!(c.hooks.on_error, OnError::Block);
    assert!(c.hooks.require_binary);
    assert_eq!(c.hooks.warnings, HookWarnings::Summary);
    assert!(c.codenames.is_empty() && c.files.deny.is_empty());
    assert_eq!(c.size.max_file, None);
    assert!(c.publish.tool.is_none());
    // The one settings struct built on its own elsewhere agrees with the declaration.
    assert_eq!(
        SourcemapSettings::default().allow_without_sources_content,
        c.sourcemaps.allow_without_sources_content
    );
    // A default fills in beside a key that is set, and entries get theirs.
    let c = parse("[hooks]\nwarnings = \"full\"\n[[package]]\nname = \"x\"\n").unwrap();
    assert!(c.hooks.require_binary);
    assert!(!c.packages[0].skip);
    assert_eq!(c.packages[0].line, 3);
}

#[test]
fn values_are_read_in_normal_form() {
    let c = parse(&format!(
        "[[allow]]\nfingerprint = \"sha256:{}\"\nreason = \"r\"\n[drift]\nmax-growth = 2\n",
        "AB".repeat(32)
    ))
    .unwrap();
    assert_eq!(c.allow[0].fingerprint.as_deref(), Some(&*"ab".repeat(32)));
    assert_eq!(c.drift.max_growth, 2.0);
    let e = err("[size]\nmax-file = \"10000000000 GB\"\n");
    assert_eq!((e.line, e.column), (2, 12), "{e}");
    assert!(e.message.contains("larger than"), "{e}");
}
