//! End-to-end tests of the foundation: `init`, `explain`, `config`, the rule catalog, the
//! config schema, allow entries and the JSON/SARIF report shapes.

mod common;

use common::TempRepo;
use leakgate::config::schema::{self, Kind};
use leakgate::config::{Config, Date, DEFAULT_TOML};
use leakgate::report::{json, sarif, Finding, Report, Severity};
use leakgate::rules;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

// ---------------------------------------------------------------------------------------
// init

#[test]
fn init_writes_the_default_at_the_repo_root_and_refuses_to_overwrite() {
    let repo = TempRepo::new();
    repo.write("packages/cli/package.json", "{}");
    // Run from a subdirectory: the file still lands at the root.
    let out = repo
        .leakgate()
        .current_dir(repo.join("packages/cli"))
        .arg("init")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(repo.read("leakgate.toml"), DEFAULT_TOML.as_bytes());
    assert!(!repo.join("packages/cli/leakgate.toml").exists());

    // A second init refuses and leaves the (edited) file alone.
    repo.write("leakgate.toml", "codenames = [\"Mine\"]\n");
    let out = repo.leakgate().arg("init").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(repo.read("leakgate.toml"), b"codenames = [\"Mine\"]\n");

    // --force overwrites.
    let out = repo.leakgate().args(["init", "--force"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(repo.read("leakgate.toml"), DEFAULT_TOML.as_bytes());

    // And what init wrote is a valid config.
    let out = repo
        .leakgate()
        .args(["config", "--check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// `init` with `args` in `repo`: (exit code, stderr).
fn init(repo: &TempRepo, args: &[&str]) -> (Option<i32>, String) {
    let out = repo.leakgate().args(args).output().unwrap();
    (out.status.code(), stderr(&out))
}

#[test]
fn init_warns_when_the_package_would_ship_the_config_and_how_to_keep_it_out() {
    let repo = TempRepo::new();
    repo.write("package.json", r#"{"name":"@acme/cli","version":"1.0.0"}"#)
        .write(".gitignore", "dist/\n");
    let (code, err) = init(&repo, &["init"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("warning: leakgate.toml would ship in package @acme/cli (.)"),
        "{err}"
    );
    // No `files`: the package's .npmignore, and what creating one does to .gitignore.
    assert!(
        err.contains("add a `/leakgate.toml` line to .npmignore"),
        "{err}"
    );
    assert!(err.contains("stop reading .gitignore"), "{err}");
    // Following the help keeps it out.
    repo.write(".npmignore", "dist/\n/leakgate.toml\n");
    let (_, err) = init(&repo, &["init", "--force"]);
    assert!(!err.contains("warning"), "{err}");

    // With `files`, a root .npmignore has no effect: the fix goes in `files`.
    repo.write(
        "package.json",
        r#"{"name":"@acme/cli","version":"1.0.0","files":["*"]}"#,
    );
    let (_, err) = init(&repo, &["init", "--force"]);
    assert!(
        err.contains("add \"!leakgate.toml\" to `files` in package.json"),
        "{err}"
    );
    assert!(!err.contains(".npmignore"), "{err}");
    repo.write(
        "package.json",
        r#"{"name":"@acme/cli","version":"1.0.0","files":["*","!leakgate.toml"]}"#,
    );
    let (_, err) = init(&repo, &["init", "--force"]);
    assert!(!err.contains("warning"), "{err}");

    // Near misses: a `files` list that doesn't match it, a private package.
    for manifest in [
        r#"{"name":"@acme/cli","version":"1.0.0","files":["dist"]}"#,
        r#"{"name":"@acme/cli","version":"1.0.0","private":true}"#,
    ] {
        repo.write("package.json", manifest).remove(".npmignore");
        let (code, err) = init(&repo, &["init", "--force"]);
        assert_eq!(code, Some(0), "{err}");
        assert!(!err.contains("warning"), "{manifest}: {err}");
        repo.write(".npmignore", "");
    }
}

#[test]
fn init_warns_for_the_workspace_member_whose_directory_holds_the_config() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"root","private":true,"workspaces":["packages/*"]}"#,
    )
    .write(
        "packages/cli/package.json",
        r#"{"name":"@acme/cli","version":"1.0.0"}"#,
    )
    .write(
        "packages/web/package.json",
        r#"{"name":"@acme/web","version":"1.0.0"}"#,
    );
    // At the (private) root no package ships it.
    let (code, err) = init(&repo, &["init"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("warning"), "{err}");
    // Inside a member, that member does (and only it).
    let (code, err) = init(&repo, &["--config", "packages/cli/leakgate.toml", "init"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("would ship in package @acme/cli (packages/cli)")
            && err.contains("add a `/leakgate.toml` line to packages/cli/.npmignore"),
        "{err}"
    );
    assert!(!err.contains("@acme/web"), "{err}");
}

#[test]
fn init_outside_a_repository_uses_the_current_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::leakgate()
        .current_dir(dir.path())
        .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap())
        .arg("init")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.path().join("leakgate.toml").is_file());
}

// ---------------------------------------------------------------------------------------
// The rule registry and explain

#[test]
fn explain_works_for_every_rule() {
    for r in rules::all() {
        let out = common::leakgate().args(["explain", r.id]).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "explain {}: {}",
            r.id,
            stderr(&out)
        );
        let text = stdout(&out);
        assert!(text.starts_with(r.id), "{text}");
        assert!(
            text.contains(&format!("default severity: {}", r.default_severity)),
            "{text}"
        );
        assert!(text.contains(r.summary), "{text}");
        assert!(text.contains(r.fix), "{text}");
        assert!(text.contains("[[allow]]"), "{text}");
        assert!(text.contains(&format!("rule = \"{}\"", r.id)), "{text}");
        assert!(text.contains("reason = "), "{text}");
    }
}

#[test]
fn explain_an_old_rule_id_names_the_rule_it_means() {
    let out = common::leakgate()
        .args(["explain", "staged/denied-file"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("staged/denied-file is another name for file/denied"),
        "{text}"
    );
    assert!(
        text.contains("file/denied (default severity: error)"),
        "{text}"
    );
    assert!(text.contains("rule = \"file/denied\""), "{text}");
    let out = common::leakgate()
        .args(["explain", "staged/denied-file", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["id"], "file/denied");
    assert_eq!(v["alias"]["id"], "staged/denied-file");
    // The rule's own text says so too; an id that is neither is still unknown.
    let out = common::leakgate()
        .args(["explain", "file/denied"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("`staged/denied-file`"),
        "{}",
        stdout(&out)
    );
    let out = common::leakgate()
        .args(["explain", "staged/denied"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn explain_allow_snippet_is_valid_config() {
    let r = rules::all().next().unwrap();
    let snippet = leakgate::commands::explain::allow_snippet(r.id);
    let config = Config::parse(&snippet, Path::new("leakgate.toml")).unwrap();
    assert_eq!(config.allow[0].rule.as_deref(), Some(r.id));
}

#[test]
fn explain_list_shows_every_rule_with_its_severity() {
    let out = common::leakgate()
        .args(["explain", "--list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for r in rules::all() {
        let line = text
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(r.id))
            .unwrap_or_else(|| panic!("{} missing from --list:\n{text}", r.id));
        assert!(line.starts_with(r.default_severity.as_str()), "{line}");
    }
    let out = common::leakgate()
        .args(["explain", "--list", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), rules::all().count());
}

#[test]
fn explain_knows_the_teams_own_secret_patterns() {
    let repo = TempRepo::new();
    repo.write(
        "leakgate.toml",
        "[[secrets.patterns]]\nid = \"acme-key\"\nregex = 'acme_[a-z0-9]{32}'\ndescription = \"Acme internal API key\"\n",
    );
    let out = repo
        .leakgate()
        .args(["explain", "secret/acme-key"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Acme internal API key"), "{text}");
    assert!(text.contains("rule = \"secret/acme-key\""), "{text}");
}

#[test]
fn explain_unknown_rule_suggests_and_exits_2() {
    let out = common::leakgate()
        .args(["explain", "allow/unsued"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean `allow/unused`?"),
        "{}",
        stderr(&out)
    );
    let out = common::leakgate().arg("explain").output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "no rule and no --list is a usage error"
    );
}

// ---------------------------------------------------------------------------------------
// config errors: each names leakgate.toml:LINE:COL and exits 2

/// Writes `toml` as the repo's leakgate.toml and asserts both `config --check` and
/// `config` fail with exit 2 naming `leakgate.toml:LINE:COL` and `needle`.
fn assert_config_error(toml: &str, line_col: &str, needle: &str) {
    let repo = TempRepo::new();
    repo.write("leakgate.toml", toml);
    for args in [&["config", "--check"][..], &["config"][..]] {
        let out = repo.leakgate().args(args).output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?} on {toml:?}: {err}");
        let prefix = format!("leakgate.toml:{line_col}: ");
        assert!(
            err.contains(&prefix),
            "{args:?}: expected {prefix:?} in {err}"
        );
        assert!(
            err.contains(needle),
            "{args:?}: expected {needle:?} in {err}"
        );
    }
}

#[test]
fn config_unknown_key_suggests() {
    assert_config_error(
        "[sourcemaps]\nallow-without-source-content = true\n",
        "2:1",
        "did you mean `allow-without-sources-content`?",
    );
    assert_config_error(
        "codename = [\"Nightjar\"]\n",
        "1:1",
        "did you mean `codenames`?",
    );
}

#[test]
fn config_wrong_type() {
    assert_config_error(
        "[hooks]\nrequire-binary = \"yes\"\n",
        "2:18",
        "must be true or false, found a string",
    );
}

#[test]
fn config_bad_glob() {
    assert_config_error(
        "[[allow]]\npath = \"lib/[oops\"\nreason = \"r\"\n",
        "2:8",
        "invalid glob",
    );
}

#[test]
fn config_bad_regex() {
    assert_config_error(
        "[[secrets.patterns]]\nid = \"acme\"\nregex = \"acme_([a-z]\"\n",
        "3:9",
        "invalid regex",
    );
}

#[test]
fn config_bad_date() {
    assert_config_error(
        "[[allow]]\npath = \"a.js\"\nreason = \"r\"\nexpires = \"2026-13-01\"\n",
        "4:11",
        "YYYY-MM-DD",
    );
    assert_config_error(
        "[[allow]]\npath = \"a.js\"\nreason = \"r\"\nexpires = \"2025-02-29\"\n",
        "4:11",
        "28 days",
    );
}

#[test]
fn config_allow_without_reason() {
    assert_config_error(
        "codenames = []\n\n[[allow]]\npath = \"lib/fixtures/token.js\"\nrule = \"allow/unused\"\n",
        "3:1",
        "no `reason`",
    );
}

#[test]
fn config_unknown_rule_and_severity() {
    assert_config_error(
        "[rules]\n\"allow/unsued\" = \"off\"\n",
        "2:1",
        "did you mean `allow/unused`?",
    );
    assert_config_error(
        "[rules]\n\"allow/unused\" = \"loud\"\n",
        "2:18",
        "expected one of \"error\", \"warning\", \"off\"",
    );
}

#[test]
fn config_check_lists_every_error() {
    let repo = TempRepo::new();
    repo.write("leakgate.toml", "bogus = 1\n[files]\ndeny = [\"[\"]\n");
    let out = repo
        .leakgate()
        .args(["config", "--check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("leakgate.toml:1:1:"), "{err}");
    assert!(err.contains("leakgate.toml:3:9:"), "{err}");
    assert!(err.contains("2 errors"), "{err}");
}

#[test]
fn config_prints_the_effective_config_from_a_subdirectory() {
    let repo = TempRepo::new();
    repo.write(
        "leakgate.toml",
        "codenames = [\"Nightjar\"]\n[size]\nmax-file = \"2 MB\"\n",
    );
    repo.write("sub/dir/x.txt", "");
    let out = repo
        .leakgate()
        .current_dir(repo.join("sub/dir"))
        .arg("config")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("codenames = [\"Nightjar\"]"), "{text}");
    assert!(text.contains("max-file = 2000000"), "{text}");
    assert!(
        text.contains("max-growth = 1.5"),
        "defaults are filled in: {text}"
    );
    // What it prints is itself a valid config.
    Config::parse(&text, Path::new("printed.toml")).unwrap();
    let out = repo
        .leakgate()
        .args(["config", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["codenames"][0], "Nightjar");
    assert_eq!(v["size"]["max-file"], 2_000_000);
}

#[test]
fn explicit_config_path_is_used() {
    let repo = TempRepo::new();
    repo.write("team/policy.toml", "bogus = true\n");
    let out = repo
        .leakgate()
        .args(["--config", "team/policy.toml", "config", "--check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("team/policy.toml:1:1:"),
        "{}",
        stderr(&out)
    );
    let out = repo
        .leakgate()
        .args(["--config", "missing.toml", "config"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing.toml"), "{}", stderr(&out));
}

// ---------------------------------------------------------------------------------------
// allow entries

#[test]
fn expired_allow_warns_and_stops_allowing() {
    let repo = TempRepo::new();
    repo.write(
        "leakgate.toml",
        "[[allow]]\npath = \"lib/fixtures/token.js\"\nreason = \"fake token for tests\"\nexpires = \"2026-03-01\"\n",
    );
    let config = Config::discover(repo.path(), None).unwrap();
    let finding = || {
        Finding::named("secret/npm-token", "npm access token")
            .severity(Severity::Error)
            .file("lib/fixtures/token.js")
    };
    let before = config.apply_on(vec![finding()], Date::parse("2026-03-01").unwrap(), true);
    assert!(before.is_empty(), "allowed until its last day: {before:?}");
    let after = config.apply_on(vec![finding()], Date::parse("2026-03-02").unwrap(), false);
    let rules: Vec<&str> = after.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules, ["secret/npm-token", "allow/expired"]);
    assert_eq!(
        after[0].severity,
        Severity::Error,
        "the finding blocks again"
    );
    assert_eq!(after[1].severity, Severity::Warning);
    assert_eq!(after[1].line, Some(1));
    assert!(after[1].message.contains("expired on 2026-03-01"));
}

// ---------------------------------------------------------------------------------------
// Report formats

fn sample_report() -> Report {
    Report {
        findings: vec![
            Finding::named(
                "sourcemap/sources-content",
                "dist/cli.js.map embeds 3 sources",
            )
            .severity(Severity::Error)
            .package("@acme/cli")
            .file("dist/cli.js.map")
            .repo_path("packages/cli/dist/cli.js.map")
            .help("stop embedding sources"),
            Finding::named("secret/npm-token", "npm access token in an embedded source")
                .severity(Severity::Error)
                .package("@acme/cli")
                .file("dist/cli.js.map!src/auth.ts")
                .at(12, 7)
                .evidence(b"npm_abcdefghijklmnopqrstuvwxyz0123456789"),
            Finding::named("sourcemap/file", "a map ships").severity(Severity::Warning),
        ],
        notes: vec!["skipped private package @acme/internal".into()],
    }
}

#[test]
fn json_report_has_the_documented_shape() {
    let v: Value = serde_json::from_str(&json::render(&sample_report())).unwrap();
    assert_eq!(v["version"], 1);
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 3);
    let keys = [
        "rule",
        "severity",
        "blocking",
        "package",
        "file",
        "path",
        "line",
        "column",
        "message",
        "help",
        "evidence",
        "fingerprint",
        "origin",
        "also_at",
    ];
    for f in findings {
        let obj = f.as_object().unwrap();
        let got: BTreeSet<&str> = obj.keys().map(String::as_str).collect();
        assert_eq!(got, keys.iter().copied().collect(), "keys of {f}");
    }
    assert_eq!(findings[1]["file"], "dist/cli.js.map!src/auth.ts");
    assert_eq!(findings[1]["line"], 12);
    assert!(!findings[1]["evidence"]
        .as_str()
        .unwrap()
        .contains("abcdefghij"));
    assert_eq!(v["notes"][0], "skipped private package @acme/internal");
    assert_eq!(v["summary"]["errors"], 2);
    assert_eq!(v["summary"]["warnings"], 1);
    assert_eq!(v["summary"]["blocking"], true);
    // The document says the same.
    let doc = std::fs::read_to_string("docs/json-format.md").unwrap();
    for k in keys {
        assert!(
            doc.contains(&format!("`{k}`")),
            "docs/json-format.md misses `{k}`"
        );
    }
}

#[test]
fn sarif_report_has_the_sarif_shape() {
    let v: Value = serde_json::from_str(&sarif::render(&sample_report())).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let rules = runs[0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.len() >= rules::all().count());
    for r in rules {
        assert!(r["id"].is_string());
        assert!(!r["help"]["text"].as_str().unwrap().is_empty(), "{r}");
        assert!(r["shortDescription"]["text"].is_string());
    }
    let results = runs[0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    for res in results {
        let id = res["ruleId"].as_str().unwrap();
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], id);
        assert!(["error", "warning", "note"].contains(&res["level"].as_str().unwrap()));
        assert!(res["message"]["text"].is_string());
        assert!(res["locations"].is_array());
    }
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "packages/cli/dist/cli.js.map"
    );
    assert_eq!(
        results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "dist/cli.js.map"
    );
    assert_eq!(results[1]["properties"]["innerPath"], "src/auth.ts");
    assert_eq!(results[2]["level"], "warning");
    // No secret survives in any renderer.
    let all = format!(
        "{}{}{}",
        sarif::render(&sample_report()),
        json::render(&sample_report()),
        leakgate::report::render_plain(&sample_report())
    );
    assert!(!all.contains("abcdefghijklmnop"));
}

// ---------------------------------------------------------------------------------------
// The config schema: docs/leakgate.schema.json, the parser and config/default.toml agree

/// Every key path of the parser's schema: `sourcemaps.allow-without-sources-content`,
/// `allow[].reason`, ...
fn parser_keys(keys: &[schema::Key], prefix: &str, out: &mut BTreeSet<String>) {
    for k in keys {
        let path = format!("{prefix}{}", k.name);
        out.insert(path.clone());
        match &k.kind {
            Kind::Table(sub) => parser_keys(sub, &format!("{path}."), out),
            Kind::TableArray(sub) => parser_keys(sub, &format!("{path}[]."), out),
            Kind::Value(_) | Kind::Map(_) => {}
        }
    }
}

fn json_schema_keys(node: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    let Some(props) = node.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, sub) in props {
        let path = format!("{prefix}{name}");
        out.insert(path.clone());
        if sub["type"] == "array" && sub["items"]["type"] == "object" {
            json_schema_keys(&sub["items"], &format!("{path}[]."), out);
        } else if sub["type"] == "object" {
            json_schema_keys(sub, &format!("{path}."), out);
        }
    }
}

#[test]
fn json_schema_lists_exactly_the_parsers_keys() {
    let text = std::fs::read_to_string("docs/leakgate.schema.json").unwrap();
    let schema_json: Value = serde_json::from_str(&text).unwrap();
    let mut from_schema = BTreeSet::new();
    json_schema_keys(&schema_json, "", &mut from_schema);
    let mut from_parser = BTreeSet::new();
    parser_keys(schema::ROOT, "", &mut from_parser);
    assert_eq!(from_schema, from_parser);
    assert_eq!(schema_json["additionalProperties"], false);
}

/// A config that sets every key the parser knows.
const FULL_EXAMPLE: &str = r#"
codenames = ["Nightjar", "sha256:s4lt:0000000000000000000000000000000000000000000000000000000000000000"]

[rules]
"sourcemap/file" = "error"
"allow/unused" = "off"
"secret/acme-key" = "warning"

[sourcemaps]
allow-without-sources-content = true

[[secrets.patterns]]
id = "acme-key"
regex = 'acme_[a-z0-9]{32}'
keywords = ["acme_"]
description = "Acme internal API key"

[files]
deny = ["*.sqlite", "internal-docs/"]

[size]
max-file = "10 MB"
max-package = 50000000

[drift]
max-growth = 2.0

[hooks]
on-error = "allow"
require-binary = false
warnings = "full"

[publish]
tool = "pnpm"

[[package]]
name = "@acme/*"
path = "packages/*"
visibility = "proprietary"
skip = false
rules = { "sourcemap/file" = "warning" }

[[allow]]
rule = "secret/npm-token"
package = "@acme/cli"
path = "lib/fixtures/registry-token.js"
fingerprint = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
reason = "fake token used by the login tests"
expires = "2030-12-31"
"#;

#[test]
fn a_full_example_sets_every_key_and_parses() {
    let config =
        Config::parse(FULL_EXAMPLE, Path::new("leakgate.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.secrets.patterns[0].id, "acme-key");
    assert_eq!(config.size.max_file, Some(10_000_000));
    assert_eq!(config.drift.max_growth, 2.0);
    assert!(!config.hooks.require_binary);
    assert_eq!(config.hooks.warnings, leakgate::config::HookWarnings::Full);
    assert_eq!(
        config.publish.tool,
        Some(leakgate::packlist::Publisher::Pnpm)
    );
    assert_eq!(config.allow[0].expires.as_deref(), Some("2030-12-31"));
    // Every key of the parser appears in the example.
    let mut keys = BTreeSet::new();
    parser_keys(schema::ROOT, "", &mut keys);
    for k in keys {
        let leaf = k.rsplit(['.', ']']).next().unwrap();
        assert!(
            FULL_EXAMPLE.contains(&format!("{leaf} ="))
                || FULL_EXAMPLE.contains(&format!("[{leaf}]"))
                || FULL_EXAMPLE.contains(&format!("[[{leaf}]]"))
                || FULL_EXAMPLE.contains(&format!(".{leaf}]]"))
                || FULL_EXAMPLE.contains(&format!("[[{leaf}."))
                || FULL_EXAMPLE.contains(&format!("[{leaf}]")),
            "the full example does not set `{k}`"
        );
    }
}

/// The keys of a JSON object (and of its declared tables and entries, as `parser_keys`
/// names them), following the declaration only to know where to descend.
fn struct_keys(v: &Value, keys: &[schema::Key], prefix: &str, out: &mut BTreeSet<String>) {
    for (name, sub) in v.as_object().into_iter().flatten() {
        let path = format!("{prefix}{name}");
        out.insert(path.clone());
        match keys.iter().find(|k| k.name == name).map(|k| &k.kind) {
            Some(Kind::Table(sub_keys)) => struct_keys(sub, sub_keys, &format!("{path}."), out),
            Some(Kind::TableArray(sub_keys)) => {
                for entry in sub.as_array().into_iter().flatten() {
                    struct_keys(entry, sub_keys, &format!("{path}[]."), out);
                }
            }
            _ => {}
        }
    }
}

/// The structs serde fills hold exactly the declared keys: a field without a declaration
/// would never be read, a declaration without a field never stored.
#[test]
fn the_config_structs_hold_exactly_the_declared_keys() {
    let config = Config::parse(FULL_EXAMPLE, Path::new("leakgate.toml")).unwrap();
    let mut from_structs = BTreeSet::new();
    struct_keys(
        &serde_json::to_value(&config).unwrap(),
        schema::ROOT,
        "",
        &mut from_structs,
    );
    let mut declared = BTreeSet::new();
    parser_keys(schema::ROOT, "", &mut declared);
    assert_eq!(from_structs, declared);
}

#[test]
fn the_default_config_documents_every_key() {
    Config::parse(DEFAULT_TOML, Path::new("config/default.toml")).unwrap();
    let mut keys = BTreeSet::new();
    parser_keys(schema::ROOT, "", &mut keys);
    for k in keys {
        let leaf = k.rsplit(['.', ']']).next().unwrap();
        assert!(
            DEFAULT_TOML.contains(&format!("{leaf} ="))
                || DEFAULT_TOML.contains(&format!("[{leaf}]"))
                || DEFAULT_TOML.contains(&format!("[[{leaf}]]"))
                || DEFAULT_TOML.contains(&format!(".{leaf}]]"))
                || DEFAULT_TOML.contains(&format!("[[{leaf}."))
                || DEFAULT_TOML.contains(&format!("[{leaf}]")),
            "config/default.toml does not document `{k}`"
        );
    }
    // The docs reference too.
    let doc = std::fs::read_to_string("docs/config.md").unwrap();
    let mut keys = BTreeSet::new();
    parser_keys(schema::ROOT, "", &mut keys);
    for k in keys {
        let leaf = k.rsplit(['.', ']']).next().unwrap();
        assert!(doc.contains(leaf), "docs/config.md does not document `{k}`");
    }
}
