//! The GitHub Action's steps, run here as the script the action calls
//! (`scripts/ci-audit.sh`) against a real `npm pack` in a temporary monorepo: a clean
//! package passes with a valid SARIF log, a leaking source map fails it with a result at the
//! map's path in the repository. Needs npm (the oracle for what a release uploads).

mod common;

use common::{require_npm, TempRepo};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A monorepo whose workspace `packages/foo` ships `dist/x.js` and its map; the map embeds
/// its sources (a leak) when `leak` is set.
fn monorepo(leak: bool) -> TempRepo {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{ "name": "root", "private": true, "workspaces": ["packages/*"] }"#,
    );
    repo.write(
        "packages/foo/package.json",
        r#"{ "name": "@acme/foo", "version": "1.0.0", "files": ["dist"] }"#,
    );
    repo.write(
        "packages/foo/dist/x.js",
        "export const x = 1;\n//# sourceMappingURL=x.js.map\n",
    );
    let map = if leak {
        r#"{"version":3,"sources":["../src/x.ts"],"sourcesContent":["export const x: number = 1; // internal pricing rules\n"],"mappings":"AAAA","names":[]}"#
    } else {
        r#"{"version":3,"sources":["../src/x.ts"],"mappings":"AAAA","names":[]}"#
    };
    repo.write("packages/foo/dist/x.js.map", map);
    // A private workspace (an example app) npm packs but never publishes: its leaking map
    // is no part of the release.
    repo.write(
        "packages/example/package.json",
        r#"{ "name": "example-app", "version": "0.0.0", "private": true }"#,
    );
    repo.write(
        "packages/example/app.js.map",
        r#"{"version":3,"sources":["app.ts"],"sourcesContent":["secret business logic"],"mappings":"AAAA"}"#,
    );
    repo.commit_all("init");
    repo
}

/// Runs the action's script in `dir` with the built leakgate and a GITHUB_OUTPUT file.
fn ci_audit(dir: &Path, args: &[&str]) -> (Output, String) {
    let outputs = dir.join("github-output.txt");
    let _ = std::fs::remove_file(&outputs);
    std::fs::create_dir_all(dir.join("tmp")).unwrap();
    let out = Command::new("bash")
        .arg(Path::new(ROOT).join("scripts/ci-audit.sh"))
        .args(args)
        .current_dir(dir)
        .env("LEAKGATE", env!("CARGO_BIN_EXE_leakgate"))
        .env("GITHUB_OUTPUT", &outputs)
        .env_remove("RUNNER_TEMP")
        .env("TMPDIR", dir.join("tmp"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run ci-audit.sh");
    let written = std::fs::read_to_string(&outputs).unwrap_or_default();
    (out, written)
}

fn sarif(path: PathBuf) -> Value {
    let text = std::fs::read_to_string(&path).expect("the SARIF log was written");
    serde_json::from_str(&text).expect("the SARIF log is valid JSON")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn npm_ci_audit_passes_a_clean_pack_with_a_valid_sarif_log() {
    require_npm();
    let repo = monorepo(false);
    let (out, outputs) = ci_audit(repo.path(), &["--workspaces", "--sarif", "out.sarif"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let log = sarif(repo.join("out.sarif"));
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "leakgate");
    // The clean map still ships (a warning, which neither blocks nor goes missing).
    let results = run["results"].as_array().unwrap();
    assert!(results.iter().all(|r| r["level"] != "error"), "{results:?}");
    assert!(outputs.contains("exit-code=0"), "{outputs}");
    assert!(
        text(&out).contains("skipped example-app-0.0.0.tgz: a private package"),
        "{}",
        text(&out)
    );
    assert!(
        outputs.contains(&format!("sarif={}", repo.join("out.sarif").display())),
        "{outputs}"
    );
    // The tarballs went to a temporary directory, not into the work tree.
    assert!(!repo.join("packages/foo/acme-foo-1.0.0.tgz").exists());
    assert!(!repo.join("acme-foo-1.0.0.tgz").exists());
}

#[test]
fn npm_ci_audit_fails_a_leaking_map_at_its_repository_path() {
    require_npm();
    let repo = monorepo(true);
    let (out, outputs) = ci_audit(repo.path(), &["--workspaces"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    // The human report is in the log too.
    assert!(all.contains("error[sourcemap/sources-content]"), "{all}");
    assert!(outputs.contains("exit-code=1"), "{outputs}");
    // By default the log goes to the temporary directory, never into the package.
    assert!(outputs.contains(&format!(
        "sarif={}",
        repo.join("tmp/leakgate.sarif").display()
    )));
    let log = sarif(repo.join("tmp/leakgate.sarif"));
    let results = log["runs"][0]["results"].as_array().unwrap();
    let leak = results
        .iter()
        .find(|r| r["ruleId"] == "sourcemap/sources-content")
        .unwrap_or_else(|| panic!("no sources-content result: {results:?}"));
    assert_eq!(leak["level"], "error");
    let location = &leak["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(location["uri"], "packages/foo/dist/x.js.map");
    assert_eq!(location["uriBaseId"], "%SRCROOT%");
    let fingerprint = leak["partialFingerprints"]["leakgate/v1"].as_str().unwrap();
    assert_eq!(fingerprint.len(), 64);
    // Every result carries one, and two different findings don't share it.
    let mut ids: Vec<&str> = results
        .iter()
        .map(|r| r["partialFingerprints"]["leakgate/v1"].as_str().unwrap())
        .collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n);

    // `fail-on: never` reports the same and lets the job go on.
    let (out, _) = ci_audit(repo.path(), &["--workspaces", "--fail-on", "never"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("error[sourcemap/sources-content]"));
}

#[test]
fn npm_ci_audit_single_package_and_bad_input() {
    require_npm();
    let repo = monorepo(true);
    let pkg = repo.join("packages/foo");
    // The package's own directory: the same path in the repository.
    let (out, _) = ci_audit(&pkg, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let log = sarif(pkg.join("tmp/leakgate.sarif"));
    let uris: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(uris.contains(&"packages/foo/dist/x.js.map"), "{uris:?}");
    // No package.json, an unknown option: exit 2 with a message.
    let (out, _) = ci_audit(&repo.join("packages"), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("no package.json here"),
        "{}",
        text(&out)
    );
    let (out, _) = ci_audit(repo.path(), &["--fail-on", "sometimes"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("--fail-on must be error or never"));
}

/// The action is the script: it calls it, passes every input it declares, and uploads what
/// the script wrote with `partialFingerprints` intact (no rewriting step in between).
#[test]
fn action_yml_is_a_thin_wrapper_of_the_script() {
    let action = std::fs::read_to_string(Path::new(ROOT).join("action.yml")).unwrap();
    assert!(action.contains("using: composite"));
    assert!(action.contains("\"$GITHUB_ACTION_PATH/scripts/ci-audit.sh\" \"$@\""));
    assert!(action.contains("github/codeql-action/upload-sarif@"));
    assert!(action.contains("sarif_file: ${{ steps.audit.outputs.sarif }}"));
    // Every `inputs.X` used is declared under `inputs:`.
    let declared: Vec<&str> = action
        .split("\ninputs:\n")
        .nth(1)
        .unwrap()
        .split("\noutputs:")
        .next()
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   ") && l.ends_with(':'))
        .map(|l| l.trim().trim_end_matches(':'))
        .collect();
    assert!(declared.contains(&"working-directory"), "{declared:?}");
    for used in action.split("inputs.").skip(1) {
        let name: String = used
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        assert!(
            declared.contains(&name.as_str()),
            "inputs.{name} is not declared"
        );
    }
    // The script is executable, so the action can run it directly.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(Path::new(ROOT).join("scripts/ci-audit.sh"))
            .unwrap()
            .permissions()
            .mode();
        assert_ne!(mode & 0o111, 0);
    }
}

/// A tarball whose package no longer matches a repository package by name: its findings
/// keep the tarball's paths unless `--package-dir` says where it lives; several
/// tarballs make one report, and `--package-dir` with several is a usage error.
#[test]
fn npm_tarball_paths_follow_package_dir() {
    require_npm();
    let repo = monorepo(true);
    let packs = tempfile::tempdir().unwrap();
    let out = Command::new("npm")
        .args(["pack", "--pack-destination"])
        .arg(packs.path())
        .current_dir(repo.join("packages/foo"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let tgz = packs.path().join("acme-foo-1.0.0.tgz");
    // The package is renamed in the repository: the name no longer finds its directory.
    repo.write(
        "packages/foo/package.json",
        r#"{ "name": "@acme/renamed", "version": "1.0.0", "files": ["dist"] }"#,
    );
    let uri = |extra: &[&str]| {
        let out = common::leakgate()
            .current_dir(repo.path())
            .args(["audit", "--format", "sarif", "--tarball"])
            .arg(&tgz)
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        let log: Value = serde_json::from_slice(&out.stdout).unwrap();
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // Unmapped: the path inside the tarball, as before.
    assert_eq!(uri(&[]), "package/dist/x.js.map");
    assert_eq!(
        uri(&["--package-dir", "packages/foo"]),
        "packages/foo/dist/x.js.map"
    );

    // Two tarballs, one report (the same tarball twice: twice the findings).
    let out = common::leakgate()
        .current_dir(repo.path())
        .args(["audit", "--format", "json", "--tarball"])
        .arg(&tgz)
        .arg("--tarball")
        .arg(&tgz)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let leaks = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "sourcemap/sources-content")
        .count();
    assert_eq!(leaks, 2, "{doc}");
    let out = common::leakgate()
        .current_dir(repo.path())
        .args(["audit", "--package-dir", "packages/foo", "--tarball"])
        .arg(&tgz)
        .arg("--tarball")
        .arg(&tgz)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("--package-dir names the directory of one tarball"));
}
