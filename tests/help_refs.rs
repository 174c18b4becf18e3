//! Every reference the CLI prints resolves for someone who has only the binary: the pages
//! `leakgate help TOPIC` prints are the repository's docs, compiled in; no printed text
//! points at `docs/…` or a checkout; `init`'s config and doctor's missing-binary advice name
//! `leakgate help` topics that exist.

mod common;

use common::{leakgate, TempRepo};
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn stdout(args: &[&str]) -> (i32, String, String) {
    let out = leakgate().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_topics_print_the_docs_and_commands_their_help() {
    for (topic, file) in [
        ("config", "docs/config.md"),
        ("ci", "docs/ci.md"),
        ("hooks", "docs/hooks.md"),
        ("install", "docs/install.md"),
        ("performance", "docs/performance.md"),
    ] {
        let (code, out, _) = stdout(&["help", topic]);
        assert_eq!(code, 0, "help {topic}");
        let want = std::fs::read_to_string(Path::new(ROOT).join(file)).unwrap();
        assert_eq!(out, want, "help {topic}");
    }
    let (code, schema, _) = stdout(&["help", "schema"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&schema).expect("the schema is JSON");
    assert_eq!(v["additionalProperties"], false);
    // A command name: that command's help.
    let (code, audit, _) = stdout(&["help", "audit"]);
    assert_eq!(code, 0);
    assert!(
        audit.contains("--tarball") && audit.contains("--packed"),
        "{audit}"
    );
    // No argument: the main help, then the topics.
    let (code, list, _) = stdout(&["help"]);
    assert_eq!(code, 0);
    assert!(
        list.contains("Usage: leakgate") && list.contains("  ci "),
        "{list}"
    );
    // Unknown: exit 2 with the way out.
    let (code, _, err) = stdout(&["help", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("no help topic or command `nope`"), "{err}");
}

/// String literals of src/ (outside test modules), the hook scripts and the config template
/// never send a user to a path of leakgate's repository; every `leakgate help X` they name
/// exists.
#[test]
fn printed_references_resolve_without_the_repository() {
    let mut texts: Vec<(String, String)> = Vec::new();
    let mut stack = vec![Path::new(ROOT).join("src")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap().to_string();
                texts.push((p.display().to_string(), code));
            }
        }
    }
    for f in [
        "hooks/pre-commit",
        "hooks/pre-push",
        "hooks/husky-pre-commit",
        "hooks/husky-pre-push",
        "config/default.toml",
    ] {
        texts.push((
            f.to_string(),
            std::fs::read_to_string(Path::new(ROOT).join(f)).unwrap(),
        ));
    }
    let mut named = std::collections::BTreeSet::new();
    for (file, text) in &texts {
        let rust = file.ends_with(".rs");
        for (n, line) in text.lines().enumerate() {
            let t = line.trim_start();
            // Rust comments are not printed (doc comments of clap args are: kept).
            if rust && t.starts_with("//") && !t.starts_with("///") {
                continue;
            }
            if rust && t.starts_with("///") && !text.contains("clap::") {
                continue;
            }
            // The pages compiled in are what `leakgate help` prints.
            if line.contains("include_str!(") {
                continue;
            }
            for bad in [
                "docs/config.md",
                "docs/leakgate.schema.json",
                "docs/json-format.md",
                "leakgate checkout",
                "see the README",
            ] {
                assert!(!line.contains(bad), "{file}:{}: `{bad}` in: {line}", n + 1);
            }
            let mut rest = line;
            while let Some(i) = rest.find("leakgate help ") {
                rest = &rest[i + "leakgate help ".len()..];
                let word: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                if !word.is_empty() && word != "TOPIC" {
                    named.insert(word);
                }
            }
        }
    }
    assert!(
        named.contains("config") && named.contains("install"),
        "{named:?}"
    );
    for topic in named {
        let (code, out, err) = stdout(&["help", &topic]);
        assert_eq!(
            code, 0,
            "`leakgate help {topic}` is printed but fails: {err}"
        );
        assert!(!out.is_empty());
    }
}

#[test]
fn init_and_doctor_point_at_help_topics() {
    let repo = TempRepo::new();
    repo.leakgate().arg("init").assert().success();
    let toml = String::from_utf8(repo.read("leakgate.toml")).unwrap();
    assert!(toml.contains("Reference: `leakgate help config`"), "{toml}");
    assert!(
        toml.contains("leakgate help schema > leakgate.schema.json"),
        "{toml}"
    );

    // doctor without any leakgate the hooks could find.
    let home = tempfile::tempdir().unwrap();
    let out = repo
        .leakgate()
        .arg("doctor")
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", home.path())
        .env("CARGO_HOME", home.path())
        .env_remove("LEAKGATE_BIN")
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("the hooks would not find leakgate"), "{said}");
    assert!(said.contains("`leakgate help install`"), "{said}");
    assert!(!said.contains("checkout"), "{said}");
}
