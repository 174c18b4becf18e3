//! What the human output shows, end to end: errors first and in full, a rule's many warnings
//! in one package as one group (`leakgate audit`) or one counting line (the hooks), `-v` and
//! `[hooks] warnings = "full"` to see them, JSON and SARIF with every finding, and a summary
//! line at the end of every run that prints. Real git repositories, a local bare remote
//! pushed to with real git.

mod common;

use common::TempRepo;
use std::path::Path;

/// How many maps the open-source package ships: far over the grouping threshold.
const MAPS: usize = 12;

/// The hooks' counting line for the package's warnings (two per map).
fn summary_line(errors: &str) -> String {
    format!(
        "leakgate: {errors}, {} warnings in 1 package \
         (run with -v or set [hooks] warnings = \"full\" to see them)",
        2 * MAPS
    )
}

/// An open-source package (MIT, public repository) whose gitignored build ships `MAPS`
/// bundles, each with a map embedding its source: `sourcemap/file` and
/// `sourcemap/sources-content` warn once per map.
fn open_source_package(repo: &TempRepo) {
    repo.write(
        "package.json",
        r#"{"name":"capycli","version":"1.0.0","license":"MIT","repository":"github:acme/capycli","files":["dist"]}"#,
    );
    repo.write(".gitignore", "dist/\n");
    for i in 0..MAPS {
        let source = format!("export const a{i} = {i};\n");
        repo.write(&format!("src/m{i:02}.ts"), &source);
        repo.write(
            &format!("dist/m{i:02}.js"),
            format!("exports.a{i} = {i};\n//# sourceMappingURL=m{i:02}.js.map\n"),
        );
        let map = serde_json::json!({
            "version": 3,
            "file": format!("m{i:02}.js"),
            "sources": [format!("../src/m{i:02}.ts")],
            "sourcesContent": [source],
            "mappings": "AAAA",
        });
        repo.write(&format!("dist/m{i:02}.js.map"), map.to_string());
    }
}

/// A repository with a local bare remote and a pre-push hook running this leakgate.
fn repo_with_remote() -> (TempRepo, tempfile::TempDir) {
    let repo = TempRepo::new();
    let remote = tempfile::Builder::new()
        .prefix("leakgate-remote-")
        .tempdir()
        .unwrap();
    let st = std::process::Command::new("git")
        .args(["init", "-q", "--bare", "-b", "main"])
        .arg(remote.path())
        .status()
        .unwrap();
    assert!(st.success());
    repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    let bin = assert_cmd::cargo::cargo_bin("leakgate");
    let hook = repo.join(".git/hooks/pre-push");
    std::fs::write(
        &hook,
        format!("#!/bin/sh\nexec '{}' pre-push \"$@\"\n", bin.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    (repo, remote)
}

/// `git push origin main` through the hook; (exit status, stdout + stderr).
fn push(repo: &TempRepo) -> (bool, String) {
    let out = repo.git_output(&["push", "-q", "origin", "main"]);
    (out.status.success(), text(&out))
}

/// `leakgate pre-push` run directly with `args`, as git would run it for a first push of HEAD.
fn pre_push(repo: &TempRepo, args: &[&str]) -> std::process::Output {
    repo.pre_push(args, repo.first_push_line())
}

fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn last_line(text: &str) -> &str {
    text.trim_end().lines().last().unwrap_or("")
}

#[test]
fn pre_push_counts_an_open_source_packages_map_warnings_in_one_line() {
    let (repo, _remote) = repo_with_remote();
    open_source_package(&repo);
    repo.commit_all("init");
    // -v (run as git would, before the push): every map, each with its location, and no
    // counting line.
    let out = pre_push(&repo, &["-v"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let verbose = stdout(&out);
    for i in 0..MAPS {
        let located = format!("  --> dist/m{i:02}.js.map\n");
        assert_eq!(verbose.matches(&located).count(), 2, "{located}: {verbose}");
    }
    assert!(!verbose.contains("to see them"), "{verbose}");
    assert_eq!(last_line(&verbose), "leakgate: 0 errors, 24 warnings");

    let (ok, out) = push(&repo);
    assert!(ok, "warnings never block: {out}");
    assert_eq!(
        out.lines().filter(|l| l.contains("warning")).count(),
        1,
        "{out}"
    );
    assert!(out.lines().any(|l| l == summary_line("0 errors")), "{out}");
    assert!(!out.contains("dist/m"), "no per-file lines: {out}");
    // What was audited is for -v: a push that passes prints only its summary line.
    assert!(!out.contains("note: audited capycli"), "{out}");
}

#[test]
fn pre_push_prints_a_real_error_in_full_before_any_warning() {
    let (repo, _remote) = repo_with_remote();
    open_source_package(&repo);
    repo.write("dist/.env", "API_KEY=1\n"); // built output, gitignored, but it ships
    repo.commit_all("init");
    let (ok, out) = push(&repo);
    assert!(!ok, "the .env blocks: {out}");
    let error = out.find("error[file/denied]: dist/.env ships").expect(&out);
    assert!(out[error..].contains("  --> dist/.env\n"), "{out}");
    assert!(out[error..].contains("   = package: capycli\n"), "{out}");
    assert!(out[error..].contains("   = help: "), "{out}");
    assert!(!out.contains("warning["), "warnings only counted: {out}");
    assert!(out.lines().any(|l| l == summary_line("1 error")), "{out}");
    assert!(
        out.find(&summary_line("1 error")).unwrap() > error,
        "the count comes last: {out}"
    );

    // Shown, the warnings still come after the error.
    for args in [&["-v"][..], &[]] {
        if args.is_empty() {
            repo.write("leakgate.toml", "[hooks]\nwarnings = \"full\"\n");
        }
        let out = pre_push(&repo, args);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        let shown = stdout(&out);
        let error = shown.find("error[file/denied]").expect(&shown);
        let warning = shown.find("warning[").expect(&shown);
        assert!(error < warning, "{args:?}: {shown}");
    }
}

#[test]
fn hooks_warnings_full_prints_them_grouped_like_audit() {
    let (repo, _remote) = repo_with_remote();
    open_source_package(&repo);
    repo.write("leakgate.toml", "[hooks]\nwarnings = \"full\"\n");
    repo.commit_all("init");
    let (ok, out) = push(&repo);
    assert!(ok, "{out}");
    let audit = repo.leakgate().arg("audit").output().unwrap();
    let audit = stdout(&audit);
    // The embedded sources' bytes in all: what the group says the maps expose.
    let exposed: usize = (0..MAPS)
        .map(|i| format!("export const a{i} = {i};\n").len())
        .sum();
    for text in [&out, &audit] {
        assert!(
            text.contains(&format!(
                "warning[sourcemap/sources-content]: {MAPS} files ({exposed} B exposed): \
                 dist/m00.js.map, dist/m01.js.map and {} more\n",
                MAPS - 2
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "warning[sourcemap/file]: {MAPS} files: dist/m00.js.map, dist/m01.js.map and {} more\n",
                MAPS - 2
            )),
            "{text}"
        );
        assert_eq!(
            text.matches("= help: open-source package").count(),
            1,
            "{text}"
        );
        assert!(!text.contains("  --> dist/m"), "{text}");
        assert!(!text.contains("to see them"), "{text}");
    }
    assert_eq!(last_line(&audit), "0 errors, 24 warnings");
    assert!(out.contains("leakgate: 0 errors, 24 warnings\n"), "{out}");
}

#[test]
fn json_and_sarif_keep_every_finding_ungrouped() {
    let (repo, _remote) = repo_with_remote();
    open_source_package(&repo);
    repo.commit_all("init");
    let per_rule = |findings: Vec<(String, String)>| {
        for rule in ["sourcemap/file", "sourcemap/sources-content"] {
            let mut files: Vec<&str> = findings
                .iter()
                .filter(|(r, _)| r == rule)
                .map(|(_, f)| f.as_str())
                .collect();
            files.sort();
            files.dedup();
            assert_eq!(files.len(), MAPS, "{rule}: {findings:?}");
        }
    };
    let json = |args: &[&str]| -> Vec<(String, String)> {
        let v: serde_json::Value =
            serde_json::from_slice(&args_output(&repo, args).stdout).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["file"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    per_rule(json(&["audit", "--format", "json"]));
    let out = pre_push(&repo, &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["warnings"], 2 * MAPS, "{v}");
    assert_eq!(v["findings"].as_array().unwrap().len(), 2 * MAPS, "{v}");

    let sarif = args_output(&repo, &["audit", "--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let results: Vec<(String, String)> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(results.len(), 2 * MAPS, "{v}");
    per_rule(results);
}

fn args_output(repo: &TempRepo, args: &[&str]) -> std::process::Output {
    repo.leakgate().args(args).output().unwrap()
}

/// A `.tgz` like `npm pack` writes: every entry under `package/`.
fn write_tgz(path: &Path, entries: &[(&str, &[u8])]) {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for (name, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        builder
            .append_data(&mut h, format!("package/{name}"), *data)
            .unwrap();
    }
    let gz = builder.into_inner().unwrap();
    std::fs::write(path, gz.finish().unwrap()).unwrap();
}

#[test]
fn audit_tarball_of_a_clean_package_ends_with_a_summary_line() {
    let dir = tempfile::tempdir().unwrap();
    let tgz = dir.path().join("ok-1.0.0.tgz");
    write_tgz(
        &tgz,
        &[
            (
                "package.json",
                br#"{"name":"ok","version":"1.0.0","license":"MIT"}"#,
            ),
            ("index.js", b"module.exports = 1;\n"),
        ],
    );
    let out = common::leakgate()
        .current_dir(dir.path())
        .args(["audit", "--tarball"])
        .arg(&tgz)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let shown = stdout(&out);
    assert!(shown.contains("note: audited ok@1.0.0"), "{shown}");
    assert_eq!(last_line(&shown), "0 errors, 0 warnings", "{shown}");
}
