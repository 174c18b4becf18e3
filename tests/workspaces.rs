//! Packages npm would never publish (issue 12): a versionless private workspace root, an app
//! with no version, a member whose package.json is broken on purpose. They are skipped with a
//! note, never an error, while the members that would publish are still found and judged;
//! `files --workspaces` lists them unpacked; duplicate names are said plainly.

mod common;

use common::{fixture, TempRepo};

fn both(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// npm workspaces under a private root with no version (vite's, turbo's, most monorepos'),
/// a public member that ships a map with sources, a private member and a test fixture
/// matched by `packages/**` whose package.json is invalid JSON.
fn monorepo(repo: &TempRepo) {
    repo.write(
        "package.json",
        r#"{"name":"monorepo","private":true,"workspaces":["packages/*","packages/*/test/fixtures/*"]}"#,
    )
    .write(
        "packages/cli/package.json",
        r#"{"name":"@acme/cli","version":"1.0.0","license":"UNLICENSED","files":["dist"]}"#,
    )
    .write("packages/cli/dist/cli.js", fixture("esbuild-linked/index.js"))
    .write("packages/cli/dist/index.js.map", fixture("esbuild-linked/index.js.map"))
    .write(
        "packages/web/package.json",
        r#"{"name":"web","private":true,"scripts":{"build":"vite build --sourcemap"}}"#,
    )
    .write("packages/app/package.json", r#"{"name":"app","dependencies":{"react":"^19"}}"#)
    .write("packages/cli/test/fixtures/bad/package.json", "{ \"name\": \"bad\", ")
    .commit_all("init");
}

#[test]
fn audit_skips_unpublishable_packages_and_still_judges_the_members() {
    let repo = TempRepo::new();
    monorepo(&repo);
    let out = repo.leakgate().arg("audit").output().unwrap();
    let text = both(&out);
    // The member that would publish is judged: its map with sources blocks.
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("error[sourcemap/sources-content]"), "{text}");
    assert!(!text.contains("is missing"), "{text}");
    // Root, versionless app, private app and broken fixture: past three, one line says how
    // many; -v has no effect on that, but the names of the first three are there.
    assert!(
        text.contains("skipped 4 packages npm would never publish"),
        "{text}"
    );
    let out = repo
        .leakgate()
        .args([
            "audit",
            "packages/app",
            "packages/cli/test/fixtures/bad",
            ".",
        ])
        .output()
        .unwrap();
    let text = both(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("skipped app (packages/app): no `version`, npm can't pack it"),
        "{text}"
    );
    assert!(
        text.contains("skipped packages/cli/test/fixtures/bad: its package.json doesn't parse"),
        "{text}"
    );
    // A private root named explicitly still can't be packed without a version.
    assert!(
        text.contains("skipped monorepo (.): no `version`"),
        "{text}"
    );

    // Without the leak, the same repository passes.
    repo.write(
        "packages/cli/package.json",
        r#"{"name":"@acme/cli","version":"1.0.0","license":"UNLICENSED","files":["dist/*.js"]}"#,
    );
    let out = repo.leakgate().arg("audit").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
}

#[test]
fn files_workspaces_lists_unpackable_packages_without_packing_them() {
    let repo = TempRepo::new();
    monorepo(&repo);
    let out = repo
        .leakgate()
        .args(["files", "--workspaces"])
        .output()
        .unwrap();
    let text = both(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("# monorepo . (private): not packed (no `version`"),
        "{text}"
    );
    assert!(text.contains("# @acme/cli packages/cli: "), "{text}");
    assert!(text.contains("dist/index.js.map"), "{text}");

    let out = repo
        .leakgate()
        .args(["files", "--workspaces", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = v["packages"].as_array().unwrap();
    let root = &packages[0];
    assert_eq!(root["skipped"], "no `version`, npm can't pack it");
    assert_eq!(root["entryCount"], 0);
    // `dir` is an absolute path (it lost its leading `/` once).
    let real = repo.path().canonicalize().unwrap();
    assert_eq!(root["dir"].as_str().unwrap(), real.to_str().unwrap());
    let cli = packages
        .iter()
        .find(|p| p["name"] == "@acme/cli")
        .expect("the member is listed");
    assert!(cli.get("skipped").is_none(), "{cli}");
    assert!(cli["dir"].as_str().unwrap().starts_with('/'), "{cli}");

    // Asking for an unpackable one by name says why, exit 2.
    let out = repo
        .leakgate()
        .args(["files", "-w", "monorepo"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(both(&out).contains("no `version`"), "{}", both(&out));
}

#[test]
fn duplicate_member_names_are_said_plainly() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"root","private":true,"workspaces":["a","b"]}"#,
    )
    .write("a/package.json", r#"{"name":"same","version":"1.0.0"}"#)
    .write("b/package.json", r#"{"name":"same","version":"2.0.0"}"#)
    .commit_all("init");
    let out = repo.leakgate().arg("audit").output().unwrap();
    let text = both(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("2 packages are named `same` (a, b)"),
        "{text}"
    );
    assert!(
        text.contains("audited same (a)") && text.contains("audited same (b)"),
        "{text}"
    );
    // `-w same` can't pick one: it says so and names the directories.
    let out = repo
        .leakgate()
        .args(["files", "-w", "same"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(both(&out).contains("`-w a`"), "{}", both(&out));
    let out = repo.leakgate().args(["files", "-w", "b"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
}

#[test]
fn audit_dir_outside_the_current_repository() {
    let here = TempRepo::new();
    here.write("package.json", r#"{"name":"here","version":"1.0.0"}"#)
        .commit_all("init");
    let there = TempRepo::new();
    there
        .write(
            "package.json",
            r#"{"name":"@acme/there","version":"1.0.0","license":"UNLICENSED","files":["dist"]}"#,
        )
        .write("dist/index.js.map", fixture("esbuild-linked/index.js.map"))
        .commit_all("init");
    let out = here
        .leakgate()
        .arg("audit")
        .arg(there.path())
        .output()
        .unwrap();
    let text = both(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("sourcemap/sources-content"), "{text}");
    assert!(!text.contains("outside the repository"), "{text}");
    // A plain directory, in no repository at all.
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(
        plain.path().join("package.json"),
        r#"{"name":"plain","version":"1.0.0"}"#,
    )
    .unwrap();
    let out = here
        .leakgate()
        .arg("audit")
        .arg(plain.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(both(&out).contains("audited plain"), "{}", both(&out));
}

/// A private root with no version and an empty repository around it: nothing to judge is
/// no error, and a repository with no package at all says what to do.
#[test]
fn nothing_to_audit_is_said_not_an_error() {
    let repo = TempRepo::new();
    repo.write("README.md", "# go project\n").commit_all("init");
    let out = repo.leakgate().arg("audit").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(both(&out).contains("nothing to audit"), "{}", both(&out));
    // Nor for `files --workspaces`: an empty list, and a note saying why.
    let out = repo
        .leakgate()
        .args(["files", "--workspaces", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["packages"], serde_json::json!([]));
    assert!(both(&out).contains("nothing to list"), "{}", both(&out));
}
