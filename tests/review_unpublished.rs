//! The pre-commit review of packages npm would never publish (issue 12): a web app with no
//! version, a private workspace root, a test fixture whose package.json is broken on purpose.
//! Their edits can't leak; the moment one becomes publishable is what gets reviewed. Also:
//! `commit/exposes-files` points at the staged file and line that caused it.

mod common;

use common::TempRepo;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn text(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

fn precommit(repo: &TempRepo, extra: &[&str]) -> Run {
    let out = repo
        .leakgate()
        .arg("pre-commit")
        .args(extra)
        .env("LEAKGATE_AMEND", "0")
        .output()
        .expect("run leakgate");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A Vite app with no version, not marked private: turning source maps on is its own
/// business (npm can't pack it); giving it a version makes it publishable, and that is
/// what the review reports.
#[test]
fn a_versionless_app_may_turn_maps_on_and_becoming_publishable_is_reported() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{
  "name": "web",
  "scripts": { "build": "vite build" }
}
"#,
    )
    .write("vite.config.ts", "export default { build: {} };\n")
    .commit_all("init");
    repo.write(
        "vite.config.ts",
        "export default { build: { sourcemap: true } };\n",
    )
    .stage_all();
    let run = precommit(&repo, &["-v"]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(
        !run.stdout.contains("bundler/sourcemap-enabled"),
        "{}",
        run.text()
    );
    repo.git(&["commit", "-q", "--no-verify", "-m", "maps"]);

    // The near-miss's counterpart: a version makes npm publish it.
    repo.write(
        "package.json",
        r#"{
  "name": "web",
  "version": "1.0.0",
  "scripts": { "build": "vite build" }
}
"#,
    )
    .stage_all();
    let run = precommit(&repo, &[]);
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(
        run.stdout.contains("error[package-json/private-removed]"),
        "{}",
        run.text()
    );
    assert!(run.stdout.contains("`version` added"), "{}", run.text());
    assert!(run.stdout.contains("package.json:3:"), "{}", run.text());
}

/// Dropping `private` from a versionless workspace root publishes nothing: quiet.
#[test]
fn dropping_private_from_a_versionless_root_is_quiet() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        "{\n  \"name\": \"mono\",\n  \"private\": true,\n  \"workspaces\": [\"packages/*\"]\n}\n",
    )
    .commit_all("init");
    repo.write(
        "package.json",
        "{\n  \"name\": \"mono\",\n  \"workspaces\": [\"packages/*\"]\n}\n",
    )
    .stage_all();
    let run = precommit(&repo, &["-v"]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(!run.stdout.contains("private-removed"), "{}", run.text());
}

/// A fixture package.json broken on purpose (a parser's test case) doesn't stop the commit;
/// the root's package.json broken does (exit 2 with file:line:col).
#[test]
fn broken_fixture_manifest_is_a_note_broken_root_is_an_error() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"@acme/parser","version":"1.0.0","files":["dist"]}"#,
    )
    .commit_all("init");
    repo.write("test/fixtures/invalid-pkg/package.json", "{ \"name\": ")
        .stage_all();
    let run = precommit(&repo, &["-v"]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(run.text().contains("not reviewed"), "{}", run.text());
    repo.git(&["commit", "-q", "--no-verify", "-m", "fixture"]);

    repo.write(
        "package.json",
        "{\"name\":\"@acme/parser\",\n\"version\": }",
    )
    .stage_all();
    let run = precommit(&repo, &[]);
    assert_eq!(run.code, 2, "{}", run.text());
    assert!(run.text().contains("package.json:2:"), "{}", run.text());
    assert!(run.text().contains("--no-verify"), "{}", run.text());
}

/// A member of the root's workspaces with a broken manifest is a real package: exit 2.
#[test]
fn broken_workspace_member_manifest_is_an_error() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"mono","private":true,"workspaces":["packages/*"]}"#,
    )
    .write(
        "packages/a/package.json",
        r#"{"name":"a","version":"1.0.0"}"#,
    )
    .commit_all("init");
    repo.write("packages/a/package.json", "{\"name\":\"a\",\n\"version\": ")
        .stage_all();
    let run = precommit(&repo, &[]);
    assert_eq!(run.code, 2, "{}", run.text());
    assert!(
        run.text().contains("packages/a/package.json:"),
        "{}",
        run.text()
    );
}

/// The exposure finding names the `.npmignore` line that caused it, not package.json.
#[test]
fn exposes_files_points_at_the_npmignore_line_that_caused_it() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"lib","version":"1.0.0","license":"MIT"}"#,
    )
    .write(".npmignore", "# keep these home\nnotes/\n*.log\n")
    .write("notes/plan.md", "internal plan\n")
    .write("index.js", "module.exports = 1;\n")
    .commit_all("init");
    repo.write(".npmignore", "# keep these home\n*.log\n")
        .stage_all();
    let run = precommit(&repo, &["-v"]);
    assert!(
        run.stdout
            .contains("makes 1 file publishable: notes/plan.md"),
        "{}",
        run.text()
    );
    assert!(run.stdout.contains("--> .npmignore"), "{}", run.text());

    // A `files` edit: the finding points at the `files` key of the staged package.json.
    let repo = TempRepo::new();
    let manifest = |files: &str| {
        format!("{{\n  \"name\": \"lib\",\n  \"version\": \"1.0.0\",\n  \"files\": {files}\n}}\n")
    };
    repo.write("package.json", manifest(r#"["index.js"]"#))
        .write("notes/plan.md", "internal plan\n")
        .write("index.js", "module.exports = 1;\n")
        .commit_all("init");
    repo.write("package.json", manifest(r#"["index.js", "notes"]"#))
        .stage_all();
    let run = precommit(&repo, &["-v"]);
    assert!(
        run.stdout
            .contains("makes 1 file publishable: notes/plan.md"),
        "{}",
        run.text()
    );
    assert!(run.stdout.contains("--> package.json:4:"), "{}", run.text());
}
