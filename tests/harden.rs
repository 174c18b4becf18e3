//! Issue 13, "no way around the gate": each evasion a reviewer found, through the built
//! binary on real repositories (a hit that must be caught and a near miss that must pass).

mod common;

use common::TempRepo;

const PKG: &str = r#"{
  "name": "@acme/cli",
  "version": "1.0.0",
  "files": ["dist/*.js"],
  "main": "dist/cli.js"
}
"#;

/// The private registry the repository's `.npmrc` names for the `@acme` scope.
const NPMRC: &str = "@acme:registry=https://npm.acme.internal/\n";

struct Run {
    code: i32,
    stdout: String,
}

fn run(repo: &TempRepo, args: &[&str]) -> Run {
    let out = repo
        .leakgate()
        .args(args)
        .env("LEAKGATE_AMEND", "0")
        .output()
        .expect("run leakgate");
    let stderr = String::from_utf8_lossy(&out.stderr);
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: format!("{}{stderr}", String::from_utf8_lossy(&out.stdout)),
    }
}

fn precommit(repo: &TempRepo) -> Run {
    run(repo, &["pre-commit", "-v"])
}

fn assert_reports(run: &Run, needle: &str, code: i32) {
    assert!(
        run.stdout.contains(needle),
        "expected {needle} in:\n{}",
        run.stdout
    );
    assert_eq!(run.code, code, "{}", run.stdout);
}

fn assert_quiet_about(run: &Run, rule: &str) {
    assert!(
        !run.stdout.contains(rule),
        "unexpected {rule} in:\n{}",
        run.stdout
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
}

// ---- 1. publishing redirected to the public registry ---------------------------------------

fn npmrc_repo(npmrc_at: &str) -> TempRepo {
    let repo = TempRepo::new();
    repo.write("package.json", PKG)
        .write(npmrc_at, NPMRC)
        .write("src/cli.ts", "export const x = 1;\n")
        .commit_all("init");
    repo
}

fn with_publish_config(config: &str) -> String {
    PKG.replace(
        "  \"main\"",
        &format!("  \"publishConfig\": {config},\n  \"main\""),
    )
}

#[test]
fn scoped_publish_config_registry_to_the_public_registry_blocks() {
    let repo = npmrc_repo(".npmrc");
    repo.write(
        "package.json",
        with_publish_config(r#"{ "@acme:registry": "https://registry.npmjs.org/" }"#),
    )
    .stage_all();
    let run = precommit(&repo);
    assert_reports(&run, "error[package-json/publish-config]", 1);
    assert!(run.stdout.contains("package.json:5:"), "{}", run.stdout);
    assert!(run.stdout.contains("public registry"), "{}", run.stdout);
}

#[test]
fn publish_config_registry_elsewhere_than_npmrc_blocks() {
    let repo = npmrc_repo(".npmrc");
    repo.write(
        "package.json",
        with_publish_config(r#"{ "registry": "https://npm.example.net/" }"#),
    )
    .stage_all();
    let run = precommit(&repo);
    assert_reports(&run, "error[package-json/publish-config]", 1);
    assert!(
        run.stdout.contains("https://npm.acme.internal/"),
        "{}",
        run.stdout
    );
}

#[test]
fn publish_config_registry_same_as_npmrc_is_quiet() {
    // The root's .npmrc and a package directory's: both count.
    for at in [".npmrc", "packages/cli/.npmrc"] {
        let repo = TempRepo::new();
        let dir = if at == ".npmrc" { "" } else { "packages/cli/" };
        repo.write(&format!("{dir}package.json"), PKG)
            .write(at, NPMRC)
            .commit_all("init");
        for config in [
            // The same URL, spelled without the trailing slash.
            r#"{ "@acme:registry": "https://npm.acme.internal" }"#,
            r#"{ "registry": "https://npm.acme.internal/", "tag": "next" }"#,
        ] {
            repo.write(&format!("{dir}package.json"), with_publish_config(config))
                .stage_all();
            assert_quiet_about(&precommit(&repo), "publish-config");
        }
    }
}

// ---- 2. `files` evasions -----------------------------------------------------------------

/// A package with `files: ["dist/*.js"]` and no build output yet (the usual state of a
/// checkout at commit time: `dist/` is built later, by CI or `prepack`).
fn files_repo() -> TempRepo {
    let repo = TempRepo::new();
    repo.write("package.json", PKG)
        .write("src/cli.ts", "export const x = 1;\n")
        .write(".gitignore", "node_modules\ndist/\n")
        .commit_all("init");
    repo
}

fn with_files(files: &str) -> String {
    PKG.replace("[\"dist/*.js\"]", files)
}

#[test]
fn non_array_files_is_a_removal() {
    // npm ignores a falsy `files` and reads a string one character at a time (`"*"` is
    // the pattern `*`): each ships every file, as if `files` were gone.
    for files in ["null", "false", "\"*\"", "{ \"dist\": true }"] {
        let repo = files_repo();
        repo.write("package.json", with_files(files)).stage_all();
        let run = precommit(&repo);
        assert_reports(&run, "error[package-json/files-removed]", 1);
        assert!(
            run.stdout.contains("package.json:4:"),
            "{files}: {}",
            run.stdout
        );
    }
}

#[test]
fn npm_ignores_null_and_false_files() {
    // The oracle for the rule above: the real npm ships everything for these.
    common::require_npm();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("dist")).unwrap();
    std::fs::write(dir.path().join("dist/a.js.map"), "{}").unwrap();
    for files in ["null", "false", "\"*\""] {
        std::fs::write(
            dir.path().join("package.json"),
            format!("{{\"name\":\"x\",\"version\":\"1.0.0\",\"files\":{files}}}"),
        )
        .unwrap();
        let out = std::process::Command::new("npm")
            .args(["pack", "--dry-run", "--json", "--ignore-scripts"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("\"dist/a.js.map\""), "{files}: {text}");
    }
}

#[test]
fn widening_to_a_directory_blocks_like_its_glob() {
    // Nothing is built yet, so no real file changes sides: the verdict comes from what
    // the new `files` would let in, by npm's rules.
    for files in [
        "[\"dist\"]",
        "[\"dist/*\"]",
        "[\"./dist/\"]",
        "[\"dist/*.js\", \"dist/**\"]",
    ] {
        let repo = files_repo();
        repo.write("package.json", with_files(files)).stage_all();
        let run = precommit(&repo);
        assert_reports(&run, "error[package-json/files-widened]", 1);
        assert!(
            run.stdout.contains("source maps"),
            "{files}: {}",
            run.stdout
        );
        assert!(
            run.stdout.contains("package.json:4:"),
            "{files}: {}",
            run.stdout
        );
    }
}

#[test]
fn files_changes_that_let_nothing_risky_in_are_quiet() {
    let repo = TempRepo::new();
    let base = with_files("[\"dist/*.js\", \"!dist/*.map\"]");
    repo.write("package.json", &base).commit_all("init");
    for files in [
        // The negation is broader now: it still keeps maps out.
        "[\"dist/*.js\", \"!**/*.map\"]",
        // New entries that only let in declarations and more JavaScript.
        "[\"dist/*.js\", \"dist/*.d.ts\", \"!dist/*.map\"]",
        "[\"dist/**/*.js\", \"!dist/*.map\"]",
    ] {
        repo.write("package.json", with_files(files)).stage_all();
        assert_quiet_about(&precommit(&repo), "files-widened");
    }
}

// ---- 3. review gaps: a regex after a condition, grouped short flags ------------------------

#[test]
fn vite_config_hiding_sourcemap_behind_a_regex_after_if_blocks() {
    let repo = files_repo();
    repo.write(
        "vite.config.js",
        "const y = process.env.MODE;\nif (y) /'/.test(y); export default { build: { sourcemap: true } } // '\n",
    )
    .stage_all();
    let run = precommit(&repo);
    assert_reports(&run, "error[bundler/sourcemap-enabled]", 1);
    assert!(run.stdout.contains("vite.config.js:2:"), "{}", run.stdout);
    // Near miss: the same shape with maps off.
    repo.write(
        "vite.config.js",
        "const y = process.env.MODE;\nif (y) /'/.test(y); export default { build: { sourcemap: false } } // '\n",
    )
    .stage_all();
    assert_quiet_about(&precommit(&repo), "sourcemap-enabled");
}

#[test]
fn rollup_grouped_short_flags_in_a_script_block() {
    for (script, hit) in [
        ("rollup -cm", true),
        ("rollup -mc", true),
        ("rollup -c -m", true),
        ("rollup -cw", false),
    ] {
        let repo = files_repo();
        repo.write(
            "package.json",
            PKG.replace(
                "  \"main\"",
                &format!("  \"scripts\": {{ \"build\": \"{script}\" }},\n  \"main\""),
            ),
        )
        .stage_all();
        let run = precommit(&repo);
        if hit {
            assert_reports(&run, "error[bundler/sourcemap-enabled]", 1);
            assert!(run.stdout.contains("Rollup"), "{script}: {}", run.stdout);
        } else {
            assert_quiet_about(&run, "sourcemap-enabled");
        }
    }
}

// ---- 4. terminal safety ----------------------------------------------------------------------

/// A fake GitHub token (random characters, never a real credential).
fn token() -> String {
    format!("ghp_{}", "Xk9qP2mZr7LwT4vB8nY3cH6jD1sF5gA0eR2u")
}

#[test]
fn control_characters_from_input_never_reach_the_terminal() {
    let repo = TempRepo::new();
    // No `files`: everything ships. The file name erases the line and returns the cursor,
    // so a raw print would show only `clean.js`; the map's source name and the package
    // name carry a bidi override and an escape sequence.
    let evil = "a\x1b[2K\rclean.js";
    let pkg = "{\"name\": \"cli\u{202e}sj.x\", \"version\": \"1.0.0\"}\n";
    let map = format!(
        r#"{{"version":3,"sources":["src/\u001b]0;title\u0007auth.ts"],"sourcesContent":["export const t = '{}';"],"mappings":"AAAA"}}"#,
        token()
    );
    repo.write("package.json", pkg)
        .write(evil, format!("const t = '{}';\n", token()))
        .write("cli.js.map", map)
        .commit_all("init");
    let out = repo.leakgate().arg("audit").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    for raw in ['\x1b', '\r', '\x07', '\u{202e}'] {
        assert!(!text.contains(raw), "raw {raw:?} printed:\n{text}");
    }
    assert!(text.contains(r"a\x1b[2K\rclean.js:1:"), "{text}");
    assert!(text.contains(r"src/\x1b]0;title\x07auth.ts"), "{text}");
    assert!(text.contains(r"cli\u{202e}sj.x"), "{text}");
    // Machine formats keep the exact strings (as JSON escapes).
    for format in ["json", "sarif"] {
        let out = repo
            .leakgate()
            .args(["audit", "--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !text.contains('\x1b') && !text.contains('\r'),
            "{format}: {text}"
        );
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(
            doc.to_string().contains("a\\u001b[2K\\rclean.js"),
            "{format}: {doc}"
        );
    }
}

// ---- 5. resource use: patterns that exhaust time or stack ------------------------------------

fn files_of(repo: &TempRepo) -> (i32, String, String) {
    let out = repo.leakgate().args(["files", "."]).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn deeply_nested_brace_sets_are_a_pattern_error_not_a_crash() {
    let nested = format!("{}b{}", "{a,".repeat(5_000), "}".repeat(5_000));
    // In an ignore file…
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        "{\"name\": \"x\", \"version\": \"1.0.0\"}\n",
    )
    .write("index.js", "1;\n")
    .write(".npmignore", format!("*.map\n{nested}\n"));
    let (code, _, stderr) = files_of(&repo);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(".npmignore: pattern `{a,{a,") && stderr.contains("brace sets nested"),
        "{stderr}"
    );
    // …and in `files`.
    repo.remove(".npmignore").write(
        "package.json",
        format!("{{\"name\": \"x\", \"version\": \"1.0.0\", \"files\": [\"{nested}\"]}}\n"),
    );
    let (code, _, stderr) = files_of(&repo);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("package.json") && stderr.contains("brace sets nested"),
        "{stderr}"
    );
    // Near miss: 400 levels expand like npm's (to `a` and `b`).
    let fine = format!("{}b{}", "{a,".repeat(400), "}".repeat(400));
    repo.write(
        "package.json",
        format!("{{\"name\": \"x\", \"version\": \"1.0.0\", \"files\": [\"{fine}\"]}}\n"),
    )
    .write("a", "")
    .write("b", "")
    .write("c", "");
    let (code, stdout, stderr) = files_of(&repo);
    assert_eq!(
        (code, stdout.as_str()),
        (0, "a\nb\npackage.json\n"),
        "{stderr}"
    );
}

#[test]
fn a_million_brace_expansions_give_npms_first_hundred_thousand() {
    // Twenty `{a,b}` sets: 2^20 expansions, of which brace-expansion (and so npm) keeps the
    // first 100,000: `aaaa…` is among them, `bbbb…` and `abab…` are not (checked with
    // `npm pack --dry-run`, which takes 20 s over it). Deduplicating them was quadratic.
    let repo = TempRepo::new();
    let entry = "{a,b}".repeat(20);
    repo.write(
        "package.json",
        format!(
            "{{\"name\": \"x\", \"version\": \"1.0.0\", \"files\": [\"{entry}\", \"dist\"]}}\n"
        ),
    )
    .write("dist/a.js", "1;\n");
    for name in [
        "aaaaaaaaaaaaaaaaaaaa",
        "bbbbbbbbbbbbbbbbbbbb",
        "abababababababababab",
    ] {
        repo.write(name, "");
    }
    let (code, stdout, stderr) = files_of(&repo);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "aaaaaaaaaaaaaaaaaaaa\ndist/a.js\npackage.json\n");
}

#[test]
fn a_staged_rule_leakgate_cannot_compile_stops_the_commit_instead_of_passing_it() {
    // `files` widened to the whole of `dist`, and a `dist/.npmignore` whose one line
    // leakgate refuses (brace sets nested 600 deep; npm reads it): the packs that judge
    // the widening can't run, which must not let the commit through unreviewed.
    let repo = files_repo();
    let deep = format!("{}b{}", "{a,".repeat(600), "}".repeat(600));
    repo.write("package.json", with_files("[\"dist\"]"))
        .write("dist/.npmignore", format!("{deep}\n"));
    repo.git(&["add", "-f", "package.json", "dist/.npmignore"]);
    let run = precommit(&repo);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stdout.contains("dist/.npmignore: pattern `{a,{a,")
            && run.stdout.contains("brace sets nested")
            && run.stdout.contains("--no-verify"),
        "{}",
        run.stdout
    );
    // The same line as a `files` entry.
    let repo = files_repo();
    repo.write(
        "package.json",
        with_files(&format!("[\"dist/*.js\", \"{deep}\"]")),
    )
    .stage_all();
    let run = precommit(&repo);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stdout.contains("brace sets nested"), "{}", run.stdout);
}
