//! `leakgate pre-commit` end to end: real repositories in temp dirs, real `git add`, the
//! built binary run in the repository (and once through a real `git commit` hook).

mod common;

use common::TempRepo;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

const PKG: &str = r#"{
  "name": "@acme/cli",
  "version": "1.0.0",
  "files": ["dist/*.js"],
  "main": "dist/cli.js",
  "scripts": {
    "build": "bun build src/cli.ts --outdir dist --target node"
  }
}
"#;

/// A fake GitHub token (random characters, never a real credential).
fn token() -> String {
    format!("ghp_{}", "Xk9qP2mZr7LwT4vB8nY3cH6jD1sF5gA0eR2u")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
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

fn base_repo() -> TempRepo {
    let repo = TempRepo::new();
    repo.write("package.json", PKG)
        .write("src/cli.ts", "export const x = 1;\n")
        .write(".gitignore", "node_modules\ndist/\n.env\n")
        .commit_all("init");
    repo
}

fn assert_clean(run: &Run) {
    assert_eq!(
        run.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert!(
        run.stdout.trim().is_empty(),
        "expected no output, got:\n{}",
        run.stdout
    );
}

fn assert_blocked(run: &Run, rule: &str, location: &str) {
    assert_eq!(
        run.code, 1,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert!(
        run.stdout.contains(&format!("error[{rule}]")),
        "expected error[{rule}] in:\n{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(location),
        "expected {location} in:\n{}",
        run.stdout
    );
    assert!(run.stdout.contains("--no-verify"), "{}", run.stdout);
}

// ---- the leak stories -------------------------------------------------------------------

#[test]
fn story_bun_sourcemap_added_to_build_script() {
    let repo = base_repo();
    repo.write(
        "package.json",
        PKG.replace("--target node", "--target node --sourcemap"),
    );
    repo.stage_all();
    let run = precommit(&repo, &[]);
    assert_blocked(&run, "bundler/sourcemap-enabled", "package.json:7:");
    assert!(run.stdout.contains("Bun"), "{}", run.stdout);
    assert!(
        run.stdout.contains("embeds the original sources"),
        "{}",
        run.stdout
    );
}

#[test]
fn story_files_removed() {
    let repo = base_repo();
    repo.write(
        "package.json",
        PKG.replace("  \"files\": [\"dist/*.js\"],\n", ""),
    );
    repo.stage_all();
    assert_blocked(
        &precommit(&repo, &[]),
        "package-json/files-removed",
        "package.json:1:1",
    );
}

#[test]
fn story_map_line_deleted_from_npmignore() {
    let repo = TempRepo::new();
    let pkg = PKG.replace("  \"files\": [\"dist/*.js\"],\n", "");
    repo.write("package.json", &pkg)
        .write(".npmignore", "src/\n*.map\n.env\n")
        .commit_all("init");
    repo.write(".npmignore", "src/\n.env\n").stage_all();
    let run = precommit(&repo, &[]);
    assert_blocked(&run, "ignore-file/protection-removed", ".npmignore");
    assert!(run.stdout.contains("`*.map` (line 2"), "{}", run.stdout);
}

#[test]
fn story_empty_npmignore_over_gitignore_hiding_env() {
    let repo = TempRepo::new();
    let pkg = PKG.replace("  \"files\": [\"dist/*.js\"],\n", "");
    repo.write("package.json", &pkg)
        .write(".gitignore", "node_modules\n.env\n")
        .commit_all("init");
    repo.write(".env", "API_KEY=x\n"); // present in the working tree, ignored by git
    repo.write(".npmignore", "").stage_all();
    let run = precommit(&repo, &[]);
    assert_blocked(
        &run,
        "ignore-file/npmignore-over-gitignore",
        ".npmignore:1:1",
    );
    assert!(run.stdout.contains("`.env`"), "{}", run.stdout);
}

// ---- benign commits: no output at all -------------------------------------------------

#[test]
fn benign_version_bump() {
    let repo = base_repo();
    repo.write("package.json", PKG.replace("1.0.0", "1.0.1"))
        .stage_all();
    assert_clean(&precommit(&repo, &[]));
}

#[test]
fn benign_narrowing_files() {
    let repo = base_repo();
    repo.write("package.json", PKG.replace("dist/*.js", "dist/cli.js"))
        .stage_all();
    assert_clean(&precommit(&repo, &[]));
}

#[test]
fn benign_adding_map_to_npmignore() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        PKG.replace("  \"files\": [\"dist/*.js\"],\n", ""),
    )
    .write(".npmignore", "src/\n")
    .commit_all("init");
    repo.write(".npmignore", "src/\n*.map\n").stage_all();
    assert_clean(&precommit(&repo, &[]));
}

#[test]
fn benign_sourcemap_none() {
    let repo = base_repo();
    repo.write(
        "scripts/build.ts",
        "await Bun.build({ entrypoints: ['src/cli.ts'], outdir: 'dist', sourcemap: \"none\" });\n",
    )
    .stage_all();
    assert_clean(&precommit(&repo, &[]));
}

#[test]
fn nothing_staged_is_quiet() {
    let repo = base_repo();
    assert_clean(&precommit(&repo, &[]));
}

// ---- what "staged" means ---------------------------------------------------------------

#[test]
fn only_the_staged_version_counts() {
    // Risky edit in the working tree, benign one staged: passes.
    let repo = base_repo();
    repo.write("package.json", PKG.replace("1.0.0", "1.0.1"))
        .stage_all();
    repo.write(
        "package.json",
        PKG.replace("--target node", "--target node --sourcemap"),
    );
    assert_clean(&precommit(&repo, &[]));
    // Risky edit staged, then fixed in the working tree only: still blocked.
    let repo = base_repo();
    repo.write(
        "package.json",
        PKG.replace("--target node", "--target node --sourcemap"),
    )
    .stage_all();
    repo.write("package.json", PKG);
    assert_blocked(
        &precommit(&repo, &[]),
        "bundler/sourcemap-enabled",
        "package.json:7:",
    );
}

#[test]
fn partial_staging_with_add_p_sees_only_the_staged_hunk() {
    let repo = TempRepo::new();
    let lines: Vec<String> = (0..40).map(|i| format!("line {i}")).collect();
    repo.write("notes.txt", lines.join("\n") + "\n")
        .commit_all("init");
    let mut edited = lines.clone();
    edited[1] = "line 1 edited".into();
    edited[38] = format!("const t = \"{}\";", token());
    repo.write("notes.txt", edited.join("\n") + "\n");
    // Stage only the first hunk (the harmless one) with `git add -p`.
    let mut child = std::process::Command::new("git")
        .args(["add", "-p", "notes.txt"])
        .current_dir(repo.path())
        .env("HOME", repo.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"y\nn\n").unwrap();
    assert!(child.wait().unwrap().success());
    let staged = repo.git(&["show", ":notes.txt"]);
    assert!(staged.contains("line 1 edited") && !staged.contains("ghp_"));
    assert_clean(&precommit(&repo, &[]));
    // Now stage the secret too.
    repo.stage_all();
    let run = precommit(&repo, &[]);
    assert_blocked(&run, "secret/github-token", "notes.txt:39:");
    assert!(!run.stdout.contains(&token()), "secrets are redacted");
}

#[test]
fn secrets_only_in_added_lines() {
    let repo = TempRepo::new();
    repo.write("config.js", format!("const t = \"{}\";\n", token()))
        .commit_all("init");
    repo.write(
        "config.js",
        format!("const t = \"{}\";\nconst y = 2;\n", token()),
    )
    .stage_all();
    assert_clean(&precommit(&repo, &[]));
}

#[test]
fn initial_commit_reviews_everything_staged() {
    let repo = TempRepo::new();
    repo.write("package.json", PKG).write(".env", "SECRET=1\n");
    repo.git(&["add", "-f", "package.json", ".env"]);
    let run = precommit(&repo, &[]);
    assert_blocked(&run, "file/denied", ".env is staged");
}

#[test]
fn staged_map_with_sources_hit_and_without_near_miss() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sourcemaps");
    let with = std::fs::read(fixtures.join("esbuild-linked/index.js.map")).unwrap();
    let without =
        std::fs::read(fixtures.join("esbuild-linked-no-sources-content/index.js.map")).unwrap();
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        PKG.replace(r#"["dist/*.js"]"#, r#"["dist/*.js", "lib"]"#),
    )
    .write("src/cli.ts", "export const x = 1;\n")
    .commit_all("init");
    repo.write("lib/index.js.map", &without);
    repo.git(&["add", "-f", "lib/index.js.map"]);
    assert_clean(&precommit(&repo, &[]));
    repo.write("lib/index.js.map", &with);
    repo.git(&["add", "-f", "lib/index.js.map"]);
    let run = precommit(&repo, &[]);
    assert_blocked(&run, "sourcemap/sources-content", "lib/index.js.map");
    assert!(run.stdout.contains("would publish it"), "{}", run.stdout);
}

/// A map with sources that no package ships (a test fixture of a library that works on
/// maps) is a note, never a block: the sources it holds are the repository's anyway.
#[test]
fn staged_map_no_package_ships_is_a_note() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sourcemaps");
    let with = std::fs::read(fixtures.join("esbuild-linked/index.js.map")).unwrap();
    let repo = base_repo();
    repo.write("test/fixtures/index.js.map", &with);
    repo.git(&["add", "-f", "test/fixtures/index.js.map"]);
    let run = precommit(&repo, &["-v"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("error["), "{}", run.stdout);
    assert!(run.stdout.contains("no package ships it"), "{}", run.stdout);
    // The same map in a private package (an app) ships nowhere either.
    let app = TempRepo::new();
    app.write("package.json", r#"{"name":"web","private":true}"#)
        .commit_all("init");
    app.write("dist/index.js.map", &with);
    app.git(&["add", "-f", "dist/index.js.map"]);
    let run = precommit(&app, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// A merge being committed (`git merge --no-commit`, or a conflicted merge the user then
/// commits) is reviewed as git will write it: the index against HEAD, the first parent. So a
/// risky edit merged in from a branch is caught; a merge that brings in only benign changes
/// stays quiet.
#[test]
fn merges_are_reviewed_against_the_first_parent() {
    let repo = base_repo();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write(
        "package.json",
        PKG.replace("  \"files\": [\"dist/*.js\"],\n", ""),
    );
    repo.commit_all("drop files");
    repo.git(&["checkout", "-q", "-"]);
    repo.write("src/other.ts", "export const y = 2;\n");
    repo.commit_all("unrelated work");
    repo.git(&["merge", "--no-commit", "--no-ff", "-q", "feature"]);
    assert_blocked(
        &precommit(&repo, &[]),
        "package-json/files-removed",
        "package.json",
    );
    repo.git(&["merge", "--abort"]);

    // Near miss: merging a benign branch.
    repo.git(&["checkout", "-q", "-b", "docs"]);
    repo.write("README.md", "# docs\n");
    repo.commit_all("docs");
    repo.git(&["checkout", "-q", "-"]);
    repo.write("src/third.ts", "export const z = 3;\n");
    repo.commit_all("more work");
    repo.git(&["merge", "--no-commit", "--no-ff", "-q", "docs"]);
    assert_clean(&precommit(&repo, &[]));
}

#[test]
fn rename_of_npmignore_is_its_deletion() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        PKG.replace("  \"files\": [\"dist/*.js\"],\n", ""),
    )
    .write(".npmignore", "*.map\nsrc/\n")
    .commit_all("init");
    repo.git(&["mv", ".npmignore", ".npmignore.bak"]);
    assert_blocked(
        &precommit(&repo, &[]),
        "ignore-file/npmignore-deleted",
        ".npmignore",
    );
}

#[test]
fn deleting_a_config_and_binary_files_are_fine() {
    let repo = base_repo();
    repo.write(
        "tsconfig.json",
        "{ \"compilerOptions\": { \"sourceMap\": true, \"inlineSources\": true } }",
    )
    .write(
        "logo.png",
        [0x89u8, b'P', b'N', b'G', 0, 0, 0, 13, 0xff, 0xfe],
    )
    .commit_all("more");
    repo.remove("tsconfig.json");
    repo.write("logo.png", [0x89u8, b'P', b'N', b'G', 0, 1, 2, 3])
        .stage_all();
    assert_clean(&precommit(&repo, &[]));
}

#[test]
fn submodules_are_skipped() {
    let sub = base_repo();
    let repo = base_repo();
    let url = sub.path().to_str().unwrap();
    let out = repo.git_output(&[
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        url,
        "vendor/sub",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_clean(&precommit(&repo, &[]));
}

#[test]
fn unparsable_staged_package_json_exits_2_with_position() {
    let repo = base_repo();
    repo.write("package.json", PKG.replace("\"1.0.0\",", "\"1.0.0\""))
        .stage_all();
    let run = precommit(&repo, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("package.json:4:"), "{}", run.stderr);
    assert!(run.stderr.contains("--no-verify"), "{}", run.stderr);
}

#[test]
fn broken_manifest_under_a_workspace_glob_is_a_note_unless_the_commit_breaks_it() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name": "tools", "private": true, "workspaces": ["packages/**"]}"#,
    )
    .write("packages/cli/package.json", PKG)
    .commit_all("init");
    // A fixture broken on purpose, which `packages/**` takes for a member: added broken,
    // then edited while still broken. npm can't pack it, so nothing can leak from it.
    let fixture = "packages/cli/test/fixtures/bad/package.json";
    repo.write(fixture, "{\"name\": \"bad\",}\n").stage_all();
    let run = precommit(&repo, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains(&format!("note: unchecked: {fixture}:1:")),
        "{}",
        run.stdout
    );
    repo.git(&["commit", "-q", "--no-verify", "-m", "fixture"]);
    repo.write(fixture, "{\"name\": \"still-bad\",}\n")
        .stage_all();
    assert_eq!(precommit(&repo, &[]).code, 0);
    repo.git(&["commit", "-q", "--no-verify", "-m", "fixture"]);

    // A member whose package.json parsed until this commit: exit 2, as at the root.
    repo.write(
        "packages/cli/package.json",
        PKG.replace("\"1.0.0\",", "\"1.0.0\""),
    )
    .stage_all();
    let run = precommit(&repo, &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("packages/cli/package.json:4:"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_byte_order_mark_in_package_json_is_read_as_npm_reads_it() {
    let repo = TempRepo::new();
    repo.write("package.json", format!("\u{feff}{PKG}"))
        .write("src/cli.ts", "export const x = 1;\n")
        .commit_all("init");
    repo.write(
        "package.json",
        format!("\u{feff}{}", PKG.replace("1.0.0", "1.0.1")),
    )
    .stage_all();
    assert_clean(&precommit(&repo, &[]));
    // ...and reviewed: `files` removed still blocks, at the line it was on.
    repo.write(
        "package.json",
        format!(
            "\u{feff}{}",
            PKG.replace("  \"files\": [\"dist/*.js\"],\n", "")
        ),
    )
    .stage_all();
    assert_blocked(
        &precommit(&repo, &[]),
        "package-json/files-removed",
        "line 4",
    );
}

#[test]
fn unparsable_staged_tsconfig_exits_2() {
    let repo = base_repo();
    repo.write(
        "tsconfig.json",
        "{\n  \"compilerOptions\": {\n    \"sourceMap\": true\n    \"outDir\": \"dist\"\n  }\n}\n",
    )
    .stage_all();
    let run = precommit(&repo, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("tsconfig.json:4:"), "{}", run.stderr);
}

/// npm, tsc and `leakgate audit` accept a byte-order mark at the start of package.json and
/// tsconfig.json (Windows editors write one): the review reads them too, and its positions
/// count columns as the editor shows them (the mark is invisible).
#[test]
fn staged_package_json_and_tsconfig_with_a_bom_are_reviewed() {
    const BOM: &str = "\u{feff}";
    let repo = base_repo();
    repo.write(
        "package.json",
        format!(
            "{BOM}{}",
            PKG.replace("--target node", "--target node --sourcemap")
        ),
    )
    .stage_all();
    let run = precommit(&repo, &[]);
    assert_blocked(&run, "bundler/sourcemap-enabled", "package.json:7:64");

    // On line 1 the column doesn't count the mark.
    let repo = base_repo();
    repo.write(
        "tsconfig.json",
        format!("{BOM}{{\"compilerOptions\": {{\"sourceMap\": true, \"inlineSources\": true}}}}\n"),
    )
    .stage_all();
    let run = precommit(&repo, &[]);
    assert_ne!(run.code, 2, "{}", run.stderr);
    assert!(run.stdout.contains("tsconfig.json:1:"), "{}", run.stdout);
    assert!(!run.stdout.contains("expected value"), "{}", run.stdout);

    // The exposure review reads both versions as well: `files` widened to all of dist.
    let repo = base_repo();
    repo.write("package.json", format!("{BOM}{PKG}"))
        .commit_all("a mark");
    built_dist(&repo);
    repo.write(
        "package.json",
        format!("{BOM}{}", PKG.replace("[\"dist/*.js\"]", "[\"dist\"]")),
    )
    .stage_all();
    let run = precommit(&repo, &[]);
    assert_blocked(&run, "commit/exposes-files", "package.json:4:3");

    // A broken file with a mark still says where, in the editor's columns.
    let repo = base_repo();
    repo.write("tsconfig.json", format!("{BOM}{{\"a\": }}\n"))
        .stage_all();
    let run = precommit(&repo, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("tsconfig.json:1:7:"), "{}", run.stderr);
}

#[test]
fn amend_reviews_against_the_parent() {
    let repo = base_repo();
    repo.write(
        "package.json",
        PKG.replace("--target node", "--target node --sourcemap"),
    );
    repo.commit_all("risky, committed with --no-verify");
    // A plain commit on top sees nothing staged…
    assert_clean(&precommit(&repo, &[]));
    // …but amending that commit rewrites it: its change is reviewed again.
    let run = precommit(&repo, &["--amend"]);
    assert_blocked(&run, "bundler/sourcemap-enabled", "package.json:7:");
    let out = repo
        .leakgate()
        .arg("pre-commit")
        .env("LEAKGATE_AMEND", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn private_packages_are_not_judged() {
    let repo = TempRepo::new();
    let pkg = PKG.replace("\"version\"", "\"private\": true,\n  \"version\"");
    repo.write("package.json", &pkg).commit_all("init");
    repo.write(
        "package.json",
        pkg.replace("--target node", "--target node --sourcemap"),
    )
    .stage_all();
    assert_clean(&precommit(&repo, &[]));
}

#[test]
fn open_source_packages_get_warnings() {
    let repo = TempRepo::new();
    let pkg = PKG.replace(
        "\"version\"",
        "\"license\": \"MIT\",\n  \"repository\": \"github:acme/cli\",\n  \"version\"",
    );
    repo.write("package.json", &pkg).commit_all("init");
    repo.write(
        "package.json",
        pkg.replace("--target node", "--target node --sourcemap"),
    )
    .stage_all();
    // The hook counts the warning in its summary line; -v (or `[hooks] warnings = "full"`)
    // prints it.
    let run = precommit(&repo, &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_warnings_counted(&run, 1);
    for (args, config) in [
        (&["-v"][..], None),
        (&[][..], Some("[hooks]\nwarnings = \"full\"\n")),
    ] {
        if let Some(c) = config {
            repo.write("leakgate.toml", c);
        }
        let run = precommit(&repo, args);
        assert_eq!(run.code, 0, "{}", run.stdout);
        assert!(
            run.stdout.contains("warning[bundler/sourcemap-enabled]"),
            "{args:?} {config:?}: {}",
            run.stdout
        );
    }
}

/// The hook's human output by default: no warning printed, one line counting them.
fn assert_warnings_counted(run: &Run, n: usize) {
    assert!(!run.stdout.contains("warning["), "{}", run.stdout);
    let warnings = if n == 1 { "warning" } else { "warnings" };
    assert_eq!(
        run.stdout.trim_end().lines().last(),
        Some(
            format!(
                "leakgate: 0 errors, {n} {warnings} in 1 package \
                 (run with -v or set [hooks] warnings = \"full\" to see them)"
            )
            .as_str()
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn config_turns_a_rule_off() {
    let repo = base_repo();
    repo.write(
        "leakgate.toml",
        "[rules]\n\"bundler/sourcemap-enabled\" = \"off\"\n",
    );
    repo.write(
        "package.json",
        PKG.replace("--target node", "--target node --sourcemap"),
    )
    .stage_all();
    assert_clean(&precommit(&repo, &[]));
}

// ---- nothing lost ------------------------------------------------------------------------

/// sha256 of every file under `root` (the work tree, the index and all of `.git`).
fn fingerprint(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let ft = entry.file_type().unwrap();
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            if ft.is_dir() {
                stack.push(path);
            } else if ft.is_file() {
                let digest = Sha256::digest(std::fs::read(&path).unwrap());
                out.insert(rel, format!("{digest:x}"));
            } else {
                out.insert(rel, "special".into());
            }
        }
    }
    out
}

#[test]
fn index_worktree_and_git_dir_are_byte_identical_after_runs() {
    let repo = base_repo();
    // A staged risky edit, a different unstaged edit on top, and an untracked file: the
    // states a careless tool would "clean up" with a stash or a temporary index.
    repo.write(
        "package.json",
        PKG.replace("--target node", "--target node --sourcemap"),
    )
    .stage_all();
    repo.write("package.json", PKG.replace("1.0.0", "9.9.9"));
    repo.write("untracked.txt", "x");
    // Make the index stat-dirty so a refreshing git would rewrite it.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    repo.write("src/cli.ts", "export const x = 1;\n");
    let before = fingerprint(repo.path());
    assert!(before.contains_key(".git/index"));
    assert_eq!(precommit(&repo, &[]).code, 1);
    assert_eq!(
        before,
        fingerprint(repo.path()),
        "a blocking run changed files"
    );
    repo.write("package.json", PKG.replace("\"1.0.0\",", "\"1.0.0\""))
        .stage_all();
    let before2 = fingerprint(repo.path());
    assert_eq!(precommit(&repo, &[]).code, 2);
    assert_eq!(
        before2,
        fingerprint(repo.path()),
        "a failing run changed files"
    );
}

// ---- through a real `git commit` ----------------------------------------------------

#[test]
fn real_git_commit_through_a_hook_blocks_and_amend_is_detected() {
    let repo = base_repo();
    let bin = assert_cmd::cargo::cargo_bin("leakgate");
    let hook = format!("#!/bin/sh\nexec \"{}\" pre-commit\n", bin.display());
    let hook_path = repo.join(".git/hooks/pre-commit");
    std::fs::write(&hook_path, hook).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook_path, std::fs::Permissions::from_mode(0o755)).unwrap();

    repo.write(
        "package.json",
        PKG.replace("--target node", "--target node --sourcemap"),
    )
    .stage_all();
    let out = repo.git_output(&["commit", "-q", "-m", "risky"]);
    assert!(!out.status.success(), "the hook must block");
    // git sends a pre-commit hook's stdout to stderr.
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("bundler/sourcemap-enabled"), "{said}");

    // Commit it anyway, then amend only the message: the amended commit still holds the
    // risky change (reviewed against HEAD^), so the hook blocks the amend too.
    repo.git(&["commit", "-q", "--no-verify", "-m", "risky"]);
    let out = repo.git_output(&["commit", "-q", "--amend", "-m", "reworded"]);
    assert!(
        !out.status.success(),
        "amend must be reviewed against HEAD^"
    );
    // A normal empty commit on top has nothing risky staged.
    let out = repo.git_output(&["commit", "-q", "--allow-empty", "-m", "empty"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

// ---- commit/exposes-files ----------------------------------------------------------------

/// A Bun-style map with embedded sources (the leak's shape), as built output in dist/.
fn built_dist(repo: &TempRepo) {
    repo.write(
        "dist/cli.js",
        "console.log(1);\n//# sourceMappingURL=cli.js.map\n",
    );
    repo.write(
        "dist/cli.js.map",
        r#"{"version":3,"sources":["../src/cli.ts","../src/auth.ts"],"sourcesContent":["export const x = 1;","export const k = 2;"],"mappings":"AAAA"}"#,
    );
}

#[test]
fn exposure_map_with_sources_blocks() {
    let repo = base_repo();
    built_dist(&repo); // gitignored build output, present in the working tree
    repo.write("package.json", PKG.replace("[\"dist/*.js\"]", "[\"dist\"]"))
        .stage_all();
    let run = precommit(&repo, &[]);
    assert_blocked(&run, "commit/exposes-files", "package.json");
    assert!(
        run.stdout
            .contains("makes 1 file publishable: dist/cli.js.map (")
            && run.stdout.contains("embeds 2 sources"),
        "{}",
        run.stdout
    );
}

#[test]
fn exposure_env_through_empty_npmignore() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        PKG.replace("  \"files\": [\"dist/*.js\"],\n", ""),
    )
    .write(".gitignore", "node_modules\n.env\n")
    .write("index.js", "module.exports = 1;\n")
    .commit_all("init");
    repo.write(".env", "API_KEY=x\n");
    repo.write(".npmignore", "").stage_all();
    let run = precommit(&repo, &[]);
    assert_blocked(&run, "commit/exposes-files", "package.json");
    assert!(run.stdout.contains(".env ("), "{}", run.stdout);
}

#[test]
fn exposure_of_a_value_the_scanner_calls_harmless_warns_and_names_why() {
    // A browser Maps key is public by design (a warning at audit), so exposing the file that
    // holds it is a warning too; the same file with a server-side key blocks.
    let maps_key = "AIzaSyD3fQ7kLm2Np9Rt5Vx8Zb1Cd4Ef6Gh0JkM";
    let repo = base_repo();
    // dist/ is ignored build output; adding `dist/maps/*.js` newly publishes dist/maps/.
    repo.write(
        "dist/maps/map.js",
        format!("const GOOGLE_MAPS_API_KEY = '{maps_key}';\n"),
    )
    .write(
        "package.json",
        PKG.replace("[\"dist/*.js\"]", "[\"dist/*.js\", \"dist/maps/*.js\"]"),
    )
    .stage_all();
    let run = precommit(&repo, &["-v"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains("warning[commit/exposes-files]")
            && run
                .stdout
                .contains("holds a value like a secret (secret/google-api-key:"),
        "{}",
        run.stdout
    );
    repo.write(
        "dist/maps/map.js",
        format!("const vision = new Client({{ key: '{maps_key}' }});\n"),
    )
    .stage_all();
    let run = precommit(&repo, &[]);
    assert_blocked(&run, "commit/exposes-files", "package.json");
    assert!(
        run.stdout
            .contains("holds a secret (secret/google-api-key)"),
        "{}",
        run.stdout
    );
}

#[test]
fn exposure_of_a_harmless_file_warns_and_narrowing_is_quiet_unless_verbose() {
    let repo = base_repo();
    repo.write("README.md", "# cli\n")
        .write("CHANGES.txt", "1.0.0\n")
        .commit_all("docs");
    repo.write(
        "package.json",
        PKG.replace("[\"dist/*.js\"]", "[\"dist/*.js\", \"CHANGES.txt\"]"),
    )
    .stage_all();
    // commit/exposes-files, counted (the new entry lets in nothing risky, so `files` itself
    // is not reported: package-json/files-widened judges what an entry lets in).
    assert_warnings_counted(&precommit(&repo, &[]), 1);
    let run = precommit(&repo, &["-v"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains("warning[commit/exposes-files]")
            && run
                .stdout
                .contains("makes 1 file publishable: CHANGES.txt (6 B)"),
        "{}",
        run.stdout
    );
    repo.git(&["commit", "-q", "--no-verify", "-m", "changes"]);
    // Narrowing back: quiet, and -v mentions what is no longer published.
    repo.write("package.json", PKG).stage_all();
    assert_clean(&precommit(&repo, &[]));
    let run = precommit(&repo, &["-v"]);
    assert!(
        run.stdout.contains("unpublishable: CHANGES.txt"),
        "{}",
        run.stdout
    );
}

#[test]
fn exposure_of_leakgate_toml_with_plain_codenames_blocks_hashed_ones_warn() {
    let hashed = leakgate::config::Codename::hash("s4lt", "Nightjar");
    for (codenames, blocked) in [
        ("\"Nightjar\"".to_string(), true),
        (format!("\"{hashed}\""), false),
    ] {
        let repo = base_repo();
        repo.write("leakgate.toml", format!("codenames = [{codenames}]\n"))
            .commit_all("config");
        repo.write(
            "package.json",
            PKG.replace("[\"dist/*.js\"]", "[\"dist/*.js\", \"*.toml\"]"),
        )
        .stage_all();
        // -v: the hashed case is a warning, which the hook otherwise only counts.
        let run = precommit(&repo, &["-v"]);
        assert!(
            run.stdout.contains("publishable: leakgate.toml ("),
            "{}",
            run.stdout
        );
        // The config names the codename on purpose: never `mentions an internal codename`.
        assert!(
            !run.stdout.contains("mentions an internal codename"),
            "{}",
            run.stdout
        );
        let plain = run
            .stdout
            .contains("names internal codenames in plain text");
        assert_eq!(plain, blocked, "{}", run.stdout);
        assert_eq!(run.code, i32::from(blocked), "{}", run.stdout);
        assert!(!run.stdout.contains("Nightjar"), "{}", run.stdout);
    }
}

// ---- the bypass line, through the installed shim -----------------------------------------

/// Installs leakgate's own hooks (`leakgate install`) in `repo`.
fn install_hooks(repo: &TempRepo) {
    let out = repo
        .leakgate()
        .arg("install")
        .output()
        .expect("run install");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `git commit` in `repo` with the shim finding the binary at `bin`; returns (ok, stderr).
fn git_commit_with_bin(repo: &TempRepo, bin: &Path) -> (bool, String) {
    let out = std::process::Command::new("git")
        .args(["commit", "-q", "-m", "change"])
        .current_dir(repo.path())
        .env("LEAKGATE_BIN", bin)
        .env("LEAKGATE_AMEND", "0")
        .env("NO_COLOR", "1")
        .env_remove("LEAKGATE_SKIP")
        .output()
        .expect("run git commit");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bypass_is_printed_once_through_the_installed_shim() {
    let repo = base_repo();
    install_hooks(&repo);
    let bin = assert_cmd::cargo::cargo_bin("leakgate");

    // Exit 2 (a staged package.json that doesn't parse): the binary names the file and the
    // bypass; the shim adds nothing (it speaks only when the binary is missing or crashes).
    repo.write("package.json", PKG.replace("\"1.0.0\",", "\"1.0.0\""))
        .stage_all();
    let (ok, said) = git_commit_with_bin(&repo, &bin);
    assert!(!ok, "exit 2 blocks: {said}");
    assert!(said.contains("package.json:4:"), "{said}");
    assert_eq!(said.matches("--no-verify").count(), 1, "{said}");

    // Exit 1 (blocking findings): the report carries the bypass, once.
    repo.write(
        "package.json",
        PKG.replace("--target node", "--target node --sourcemap"),
    )
    .stage_all();
    let (ok, said) = git_commit_with_bin(&repo, &bin);
    assert!(!ok, "findings block: {said}");
    assert!(said.contains("bundler/sourcemap-enabled"), "{said}");
    assert_eq!(said.matches("--no-verify").count(), 1, "{said}");

    // Run directly (no shim), the binary prints the bypass itself on exit 2.
    repo.write("package.json", PKG.replace("\"1.0.0\",", "\"1.0.0\""))
        .stage_all();
    let run = precommit(&repo, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("--no-verify").count(),
        1,
        "{}",
        run.stderr
    );
}

#[test]
fn shim_prints_the_bypass_when_the_binary_is_missing_or_crashes() {
    let repo = base_repo();
    install_hooks(&repo);
    repo.write("src/extra.ts", "export const x = 1;\n")
        .stage_all();

    let (ok, said) = git_commit_with_bin(&repo, &repo.join("no-such-leakgate"));
    assert!(!ok, "a missing binary blocks by default: {said}");
    assert!(said.contains("binary was not found"), "{said}");
    assert_eq!(said.matches("--no-verify").count(), 1, "{said}");

    // A binary killed by a signal (what a crash looks like to the shim).
    let crashing = repo.join("crashing-leakgate");
    std::fs::write(&crashing, "#!/bin/sh\nkill -SEGV $$\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&crashing, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (ok, said) = git_commit_with_bin(&repo, &crashing);
    assert!(!ok, "a crash blocks: {said}");
    assert!(said.contains("leakgate failed (exit"), "{said}");
    assert_eq!(said.matches("--no-verify").count(), 1, "{said}");
}

// ---- the leak stories and the benign commits through `leakgate install`'s hook -----------

/// A repository with leakgate's hooks installed, `files` dropped from PKG when `files` is
/// false, plus `extra` committed files; returns it with the binary's path.
fn hooked_repo(files: bool, extra: &[(&str, &str)]) -> TempRepo {
    let repo = TempRepo::new();
    let pkg = if files {
        PKG.to_string()
    } else {
        PKG.replace("  \"files\": [\"dist/*.js\"],\n", "")
    };
    repo.write("package.json", pkg)
        .write("src/cli.ts", "export const x = 1;\n");
    for (path, text) in extra {
        repo.write(path, text);
    }
    repo.commit_all("init");
    install_hooks(&repo);
    repo
}

#[test]
fn leak_stories_are_blocked_by_a_real_git_commit_and_benign_commits_pass_silently() {
    let bin = assert_cmd::cargo::cargo_bin("leakgate");
    let blocked = |repo: &TempRepo, rule: &str| {
        let (ok, said) = git_commit_with_bin(repo, &bin);
        assert!(!ok, "{rule}: the commit must be blocked:\n{said}");
        assert!(said.contains(&format!("error[{rule}]")), "{said}");
        assert_eq!(said.matches("--no-verify").count(), 1, "{said}");
        // Blocked means not committed: the change is still staged.
        assert!(!repo.git(&["diff", "--cached", "--name-only"]).is_empty());
    };
    let passes = |repo: &TempRepo, what: &str| {
        let (ok, said) = git_commit_with_bin(repo, &bin);
        assert!(ok, "{what}: the commit must go through:\n{said}");
        assert!(
            said.trim().is_empty(),
            "{what}: expected no output:\n{said}"
        );
        assert!(repo.git(&["diff", "--cached", "--name-only"]).is_empty());
    };
    let gitignore = [(".gitignore", "node_modules\ndist/\n.env\n")];

    // Bun `--sourcemap` added to the build script; then the benign version bump.
    let repo = hooked_repo(true, &gitignore);
    repo.write(
        "package.json",
        PKG.replace("--target node", "--target node --sourcemap"),
    )
    .stage_all();
    blocked(&repo, "bundler/sourcemap-enabled");
    repo.write("package.json", PKG.replace("1.0.0", "1.0.1"))
        .stage_all();
    passes(&repo, "version bump");

    // `files` removed; then the benign narrowing of `files`.
    let repo = hooked_repo(true, &gitignore);
    repo.write(
        "package.json",
        PKG.replace("  \"files\": [\"dist/*.js\"],\n", ""),
    )
    .stage_all();
    blocked(&repo, "package-json/files-removed");
    repo.write("package.json", PKG.replace("dist/*.js", "dist/cli.js"))
        .stage_all();
    passes(&repo, "narrowing files");

    // `*.map` deleted from .npmignore; then the benign re-adding of it.
    let repo = hooked_repo(false, &[(".npmignore", "src/\n*.map\n.env\n")]);
    repo.write(".npmignore", "src/\n.env\n").stage_all();
    blocked(&repo, "ignore-file/protection-removed");
    repo.write(".npmignore", "src/\n*.map\n.env\n*.tsbuildinfo\n")
        .stage_all();
    passes(&repo, "adding a line to .npmignore");

    // An empty .npmignore over a .gitignore that hid `.env`; then `sourcemap: "none"`.
    let repo = hooked_repo(false, &[(".gitignore", "node_modules\n.env\n")]);
    repo.write(".env", "API_KEY=x\n").write(".npmignore", "");
    repo.git(&["add", ".npmignore"]);
    blocked(&repo, "ignore-file/npmignore-over-gitignore");
    repo.git(&["rm", "-q", "--cached", ".npmignore"]);
    repo.write(
        "scripts/build.ts",
        "await Bun.build({ entrypoints: ['src/cli.ts'], outdir: 'dist', sourcemap: \"none\" });\n",
    );
    repo.git(&["add", "scripts/build.ts"]);
    passes(&repo, "sourcemap: \"none\"");
}

// ---- package-json/*: a hit and a near-miss each, end to end --------------------------------

#[test]
fn package_json_rules_hit_and_near_miss() {
    // (rule, the risky package.json, a near miss that must pass quietly)
    let base = r#"{
  "name": "@acme/cli",
  "version": "1.0.0",
  "private": true,
  "files": ["dist"],
  "main": "dist/cli.js",
  "publishConfig": { "access": "restricted" },
  "scripts": { "prepublishOnly": "npm run check", "build": "tsc" }
}
"#;
    let cases: &[(&str, String, String)] = &[
        (
            "package-json/files-widened",
            base.replace("[\"dist\"]", "[\"dist\", \"src\"]"),
            base.replace("[\"dist\"]", "[\"dist/cli.js\"]"),
        ),
        (
            "package-json/private-removed",
            base.replace("  \"private\": true,\n", ""),
            base.replace("1.0.0", "1.1.0"),
        ),
        (
            "package-json/publish-config",
            base.replace("\"restricted\"", "\"public\""),
            base.replace(
                "\"access\": \"restricted\"",
                "\"access\": \"restricted\", \"tag\": \"next\"",
            ),
        ),
        (
            "package-json/guard-removed",
            base.replace("\"prepublishOnly\": \"npm run check\", ", ""),
            base.replace("npm run check", "npm run check && npm test"),
        ),
        (
            "package-json/entry-in-sources",
            base.replace("dist/cli.js", "src/cli.ts"),
            base.replace("dist/cli.js", "dist/index.js"),
        ),
    ];
    for (rule, hit, miss) in cases {
        // `private: true` keeps the package-wide judgement away from every rule but
        // private-removed itself; so, for the others, start from a public package.
        let public = |s: &str| {
            if *rule == "package-json/private-removed" {
                s.to_string()
            } else {
                s.replace("  \"private\": true,\n", "")
            }
        };
        let repo = TempRepo::new();
        repo.write("package.json", public(base))
            .write("src/cli.ts", "export const x = 1;\n")
            .commit_all("init");
        repo.write("package.json", public(hit)).stage_all();
        let run = precommit(&repo, &[]);
        assert!(
            run.stdout.contains(&format!("[{rule}]")),
            "{rule}: expected a finding in:\n{}\n{}",
            run.stdout,
            run.stderr
        );
        assert!(run.stdout.contains("package.json:"), "{}", run.stdout);
        repo.write("package.json", public(miss)).stage_all();
        let run = precommit(&repo, &[]);
        assert!(
            !run.stdout.contains(&format!("[{rule}]")),
            "{rule}: near miss reported:\n{}",
            run.stdout
        );
        assert_eq!(run.code, 0, "{rule}: near miss blocks:\n{}", run.stdout);
    }
}

#[test]
fn staged_denied_file_hit_and_example_near_miss() {
    let repo = base_repo();
    repo.write(".env.example", "API_KEY=\n");
    repo.git(&["add", ".env.example"]);
    assert_clean(&precommit(&repo, &[]));
    repo.write(".env.production", "API_KEY=1\n");
    repo.git(&["add", "-f", ".env.production"]);
    assert_blocked(
        &precommit(&repo, &[]),
        "file/denied",
        ".env.production is staged",
    );
}

#[test]
fn npmignore_reinclude_hit_and_unrelated_negation_near_miss() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        PKG.replace("  \"files\": [\"dist/*.js\"],\n", ""),
    )
    .write(".npmignore", "src/\n*.map\n")
    .commit_all("init");
    repo.write(".npmignore", "src/\n*.map\n!README.md\n")
        .stage_all();
    assert_clean(&precommit(&repo, &[]));
    repo.write(".npmignore", "src/\n*.map\n!dist/*.map\n")
        .stage_all();
    assert_blocked(
        &precommit(&repo, &[]),
        "ignore-file/reinclude",
        ".npmignore:3:",
    );
}

/// `git --git-dir=X --work-tree=Y commit` (a bare repository with a separate work tree, as
/// dotfiles setups do, or `GIT_DIR`/`GIT_WORK_TREE` in the environment) runs the hook with
/// those variables set: the review reads that repository and work tree, as git does.
#[test]
fn separate_git_dir_and_work_tree_are_reviewed() {
    let top = tempfile::tempdir().unwrap();
    let git_dir = top.path().join("store.git");
    let work = top.path().join("work");
    let elsewhere = top.path().join("elsewhere");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    let git = |cwd: &Path, env: &[(&str, &Path)], args: &[&str]| {
        let mut cmd = std::process::Command::new("git");
        cmd.current_dir(cwd)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", top.path())
            .env("NO_COLOR", "1")
            .env_remove("LEAKGATE_SKIP")
            .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
            .args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    let flags = [
        format!("--git-dir={}", git_dir.display()),
        format!("--work-tree={}", work.display()),
    ];
    let with_flags = |args: &[&str]| {
        let mut a: Vec<&str> = flags.iter().map(String::as_str).collect();
        a.extend_from_slice(args);
        git(&work, &[], &a)
    };
    let init = git(
        top.path(),
        &[],
        &["init", "-q", "--bare", "-b", "main", "store.git"],
    );
    assert!(init.status.success());
    let bin = assert_cmd::cargo::cargo_bin("leakgate");
    let hook = git_dir.join("hooks/pre-commit");
    std::fs::write(
        &hook,
        format!("#!/bin/sh\nexec '{}' pre-commit\n", bin.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();

    std::fs::write(work.join("package.json"), PKG).unwrap();
    std::fs::write(work.join("src.ts"), "export const x = 1;\n").unwrap();
    assert!(with_flags(&["add", "-A"]).status.success());
    let out = with_flags(&["commit", "-q", "-m", "init"]);
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "a clean commit was stopped: {text}");

    // A leak is blocked with the finding, not an error about a missing repository.
    std::fs::write(
        work.join("package.json"),
        PKG.replace("--target node", "--target node --sourcemap"),
    )
    .unwrap();
    assert!(with_flags(&["add", "-A"]).status.success());
    let out = with_flags(&["commit", "-q", "-m", "leak"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("error[bundler/sourcemap-enabled]"), "{text}");

    // The same through the environment, from a directory outside the work tree.
    let env = [
        ("GIT_DIR", git_dir.as_path()),
        ("GIT_WORK_TREE", work.as_path()),
    ];
    let out = git(&elsewhere, &env, &["commit", "-q", "-m", "leak"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("error[bundler/sourcemap-enabled]"), "{text}");
    let out = git(
        &elsewhere,
        &env,
        &["commit", "-q", "--no-verify", "-m", "leak"],
    );
    assert!(out.status.success());
}
