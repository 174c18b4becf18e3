//! End-to-end tests of `leakgate audit` and `leakgate pre-push`: real packages in temp git
//! repositories, the bundler fixtures of `tests/fixtures/sourcemaps`, a local bare remote
//! pushed to with real git, and `npm pack` as the oracle of what ships.

mod common;

use common::TempRepo;
use std::path::{Path, PathBuf};

/// The source-map fixtures inside the repository (`tests/fixtures/sourcemaps/README.md`).
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sourcemaps")
}

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(rel)).unwrap()
}

const PROPRIETARY: &str = r#"{"name":"@acme/cli","version":"2.1.88","license":"SEE LICENSE IN README.md","bin":{"acme":"dist/cli.js"},"files":["dist"]}"#;

/// The Claude Code shape: Bun-built `dist/cli.js` + `dist/cli.js.map` with sourcesContent,
/// `files: ["dist"]`, dist gitignored, proprietary licence.
fn leaky_package(repo: &TempRepo, dir: &str) {
    let p = |rel: &str| {
        if dir.is_empty() {
            rel.to_string()
        } else {
            format!("{dir}/{rel}")
        }
    };
    repo.write(&p("package.json"), PROPRIETARY);
    repo.write(&p("README.md"), "# acme\n");
    repo.write(&p(".gitignore"), "dist/\nnode_modules/\n");
    repo.write(&p("src/index.ts"), fixture("capycli-src/src/index.ts"));
    let js = String::from_utf8(fixture("bun-linked/index.js"))
        .unwrap()
        .replace(
            "sourceMappingURL=index.js.map",
            "sourceMappingURL=cli.js.map",
        );
    repo.write(&p("dist/cli.js"), js);
    repo.write(&p("dist/cli.js.map"), fixture("bun-linked/index.js.map"));
}

fn clean_package(repo: &TempRepo) {
    repo.write(
        "package.json",
        r#"{"name":"ok","version":"1.0.0","license":"MIT","files":["dist"]}"#,
    );
    repo.write(".gitignore", "dist/\n");
    repo.write("src/index.ts", "export const x = 1;\n");
    repo.write("dist/index.js", "exports.x = 1;\n");
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn both(o: &std::process::Output) -> String {
    format!("{}{}", stdout(o), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn audit_blocks_the_claude_code_pattern() {
    let repo = TempRepo::new();
    leaky_package(&repo, "");
    repo.commit_all("init");
    let out = repo.leakgate().arg("audit").output().unwrap();
    let text = both(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("sourcemap/sources-content"), "{text}");
    assert!(text.contains("dist/cli.js.map"), "{text}");
    assert!(text.contains("embeds 5 original sources"), "{text}");
    assert!(text.contains("@acme/cli"), "{text}");
    // The codename and the fake token inside the embedded config.ts are found and named.
    let json = repo
        .leakgate()
        .args(["audit", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let files: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["file"].as_str().map(str::to_string))
        .collect();
    assert!(files.iter().any(|f| f == "dist/cli.js.map"), "{files:?}");
}

#[test]
fn audit_passes_a_clean_package_and_open_source_maps_only_warn() {
    let repo = TempRepo::new();
    clean_package(&repo);
    repo.commit_all("init");
    let out = repo.leakgate().arg("audit").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));

    // An open-source package shipping the same map: a warning, not a block.
    let repo = TempRepo::new();
    leaky_package(&repo, "");
    repo.write(
        "package.json",
        r#"{"name":"capycli","version":"1.0.0","license":"MIT","repository":"github:acme/capycli","files":["dist"]}"#,
    );
    repo.commit_all("init");
    let out = repo.leakgate().arg("audit").output().unwrap();
    let text = both(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("warning[sourcemap/sources-content]"),
        "{text}"
    );
}

#[test]
fn audit_reports_off_package_urls_and_dangling_maps() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"x","version":"1.0.0","files":["dist"]}"#,
    );
    repo.write("dist/cli.js", fixture("handmade-remote-archive-url/cli.js"));
    repo.write(
        "dist/cli.js.map",
        fixture("handmade-remote-archive-url/cli.js.map"),
    );
    repo.write("dist/other.js", "x;\n//# sourceMappingURL=other.js.map\n");
    repo.commit_all("init");
    let out = repo.leakgate().arg("audit").output().unwrap();
    let text = both(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("error[sourcemap/external-url]"), "{text}");
    assert!(
        text.contains("an archive in a Cloudflare R2 storage bucket"),
        "{text}"
    );
    assert!(text.contains("warning[sourcemap/dangling-url]"), "{text}");
    assert!(
        !text.contains("sourcemap/sources-content"),
        "map embeds nothing: {text}"
    );
}

#[test]
fn config_can_silence_and_raise_rules() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"x","version":"1.0.0","files":["dist"]}"#,
    );
    repo.write(
        "dist/index.js",
        fixture("esbuild-linked-no-sources-content/index.js"),
    );
    repo.write(
        "dist/index.js.map",
        fixture("esbuild-linked-no-sources-content/index.js.map"),
    );
    repo.commit_all("init");
    let out = repo.leakgate().arg("audit").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(both(&out).contains("warning[sourcemap/file]"));
    repo.write("leakgate.toml", "[rules]\n\"sourcemap/file\" = \"error\"\n");
    let out = repo.leakgate().arg("audit").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    repo.write(
        "leakgate.toml",
        "[sourcemaps]\nallow-without-sources-content = true\n",
    );
    let out = repo.leakgate().arg("audit").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(!both(&out).contains("sourcemap/file"), "{}", both(&out));
}

#[test]
fn audit_handles_bad_input_without_panicking() {
    let repo = TempRepo::new();
    repo.write("package.json", r#"{"name":"x","version":"1.0.0"}"#);
    repo.write(
        "dist/broken.js.map",
        "{\n  \"version\": 3,\n  \"sources\": [\"a.ts\" oops\n",
    );
    repo.write("dist/blob.bin", [0u8, 159, 146, 150, 255, 0, 1]);
    repo.write(
        "dist/latin1.js",
        b"var s = '\xe9\xe8';\n//# sourceMappingURL=latin1.js.map\n",
    );
    // A 2 GB sparse file: streamed (binary, so only its first chunk is read), never whole.
    let big = std::fs::File::create(repo.join("dist/huge.dat")).unwrap();
    big.set_len(2 << 30).unwrap();
    let out = repo.leakgate().arg("audit").output().unwrap();
    let text = both(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("sourcemap/invalid"), "{text}");
    assert!(
        text.contains("dist/broken.js.map:3:"),
        "position of the error: {text}"
    );
    assert!(!text.contains("panicked"), "{text}");

    // A package.json that is not JSON is an input error (exit 2) naming the file.
    let repo = TempRepo::new();
    repo.write("package.json", "{ not json");
    let out = repo.leakgate().arg("audit").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(both(&out).contains("package.json"), "{}", both(&out));
}

#[test]
fn private_packages_are_skipped_unless_named() {
    let repo = TempRepo::new();
    leaky_package(&repo, "");
    repo.write(
        "package.json",
        r#"{"name":"@acme/cli","version":"1.0.0","private":true,"files":["dist"]}"#,
    );
    repo.commit_all("init");
    let out = repo.leakgate().arg("audit").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(both(&out).contains("private package"), "{}", both(&out));
    let out = repo.leakgate().args(["audit", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
}

#[test]
fn package_skip_matches_name_and_path_globs() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"root","version":"1.0.0","private":true,"workspaces":["packages/*"]}"#,
    );
    leaky_package(&repo, "packages/cli");
    repo.commit_all("init");
    let audit = || repo.leakgate().args(["audit"]).output().unwrap();
    assert_eq!(audit().status.code(), Some(1), "{}", both(&audit()));
    for entry in [
        "[[package]]\npath = \"packages/*\"\nskip = true\n",
        "[[package]]\nname = \"@acme/*\"\nskip = true\n",
    ] {
        repo.write("leakgate.toml", entry);
        let out = audit();
        assert_eq!(out.status.code(), Some(0), "{entry}: {}", both(&out));
        assert!(
            both(&out).contains("skip = true"),
            "{entry}: {}",
            both(&out)
        );
    }
    // Near miss: a glob that matches another directory skips nothing.
    repo.write(
        "leakgate.toml",
        "[[package]]\npath = \"apps/*\"\nskip = true\n",
    );
    assert_eq!(audit().status.code(), Some(1));
}

#[test]
fn npm_pack_ships_the_map_the_audit_blocks() {
    common::require_npm();
    let repo = TempRepo::new();
    leaky_package(&repo, "");
    repo.commit_all("init");
    let out = std::process::Command::new("npm")
        .args(["pack", "--dry-run", "--json", "--ignore-scripts"])
        .current_dir(repo.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths: Vec<&str> = v[0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&"dist/cli.js.map"), "npm ships: {paths:?}");
    let audit = repo
        .leakgate()
        .args(["audit", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(audit.status.code(), Some(1));
}

// ---------------------------------------------------------------- pre-push

/// A bare repository in a temp dir, to push to.
fn bare_remote() -> tempfile::TempDir {
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
    remote
}

/// A repository with a local bare remote and a pre-push hook running this leakgate.
fn repo_with_remote() -> (TempRepo, tempfile::TempDir) {
    let repo = TempRepo::new();
    let remote = bare_remote();
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

fn push(repo: &TempRepo, args: &[&str]) -> std::process::Output {
    let mut a = vec!["push"];
    a.extend_from_slice(args);
    repo.git_output(&a)
}

#[test]
fn real_git_push_is_blocked_by_a_leaking_package_and_a_clean_one_pushes() {
    let (repo, _remote) = repo_with_remote();
    leaky_package(&repo, "");
    repo.commit_all("release");
    let out = push(&repo, &["-q", "origin", "main"]);
    let text = both(&out);
    assert!(!out.status.success(), "push should be blocked: {text}");
    assert!(text.contains("sourcemap/sources-content"), "{text}");
    assert!(text.contains("dist/cli.js.map"), "{text}");
    assert!(text.contains("@acme/cli"), "{text}");
    let remote_has = repo.git_output(&["ls-remote", "origin", "main"]);
    assert!(
        stdout(&remote_has).trim().is_empty(),
        "nothing reached the remote"
    );

    // Fix: stop shipping the map; the push goes through.
    repo.write(
        "package.json",
        r#"{"name":"@acme/cli","version":"2.1.89","license":"SEE LICENSE IN README.md","files":["dist/**/*.js"]}"#,
    );
    repo.commit_all("don't ship maps");
    let out = push(&repo, &["-q", "origin", "main"]);
    assert!(out.status.success(), "{}", both(&out));

    // A clean package in a fresh repo pushes.
    let (repo, _remote) = repo_with_remote();
    clean_package(&repo);
    repo.commit_all("init");
    let out = push(&repo, &["-q", "origin", "main"]);
    assert!(out.status.success(), "{}", both(&out));
}

#[test]
fn pre_push_catches_secrets_committed_with_no_verify() {
    let (repo, _remote) = repo_with_remote();
    clean_package(&repo);
    repo.commit_all("init");
    assert!(push(&repo, &["-q", "origin", "main"]).status.success());
    // Added then removed: still in the pushed history.
    repo.write(
        "scripts/deploy.sh",
        "export GITHUB_TOKEN=ghp_Zq8vN3kLmP2xR7tY4wB9cD1fG6hJ0sA5eU2i\n",
    );
    repo.commit_all("oops");
    repo.remove("scripts/deploy.sh");
    repo.write(".env", "SECRET=1\n");
    repo.commit_all("remove it");
    let out = push(&repo, &["-q", "origin", "main"]);
    let text = both(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("secret/"), "{text}");
    assert!(text.contains("scripts/deploy.sh"), "{text}");
    assert!(text.contains("file/denied"), "{text}");
    assert!(
        !text.contains("Zq8vN3kLmP2xR7tY4wB9cD1fG6hJ0sA5eU2i"),
        "secret printed: {text}"
    );
}

#[test]
fn pre_push_checks_codenames_in_what_ships_not_in_history() {
    let (repo, _remote) = repo_with_remote();
    clean_package(&repo);
    repo.write("leakgate.toml", "codenames = [\"Orchid\"]\n");
    // Unshipped sources and the config name the codename on purpose: no finding.
    repo.write("src/flags.ts", "// Orchid: the unreleased agent mode\n");
    repo.commit_all("init");
    let out = push(&repo, &["-q", "origin", "main"]);
    assert!(out.status.success(), "{}", both(&out));
    // A shipped (built, gitignored) file that names it blocks the next push of the package.
    repo.write("dist/index.js", "exports.mode = 'orchid';\n");
    repo.write(
        "package.json",
        r#"{"name":"ok","version":"1.0.1","license":"MIT","files":["dist"]}"#,
    );
    repo.commit_all("1.0.1");
    let out = push(&repo, &["-q", "origin", "main"]);
    let text = both(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("error[codename]"), "{text}");
    assert!(text.contains("dist/index.js"), "{text}");
    assert!(!text.contains("src/flags.ts"), "{text}");
}

#[test]
fn first_push_of_long_history_checks_the_newest_commits_and_says_so() {
    let (repo, _remote) = repo_with_remote();
    // 2,050 commits in one git process: the first adds .env, the second removes it.
    let mut script = String::new();
    for i in 0..2_050 {
        let (path, body) = match i {
            0 => (".env", "SECRET=1\n".to_string()),
            _ => ("log.txt", format!("{i}\n")),
        };
        script.push_str(&format!(
            "commit refs/heads/main\ncommitter A <a@example.com> {} +0000\ndata 2\nc\n",
            1_700_000_000 + i
        ));
        if i == 1 {
            script.push_str("D .env\n");
        }
        script.push_str(&format!(
            "M 100644 inline {path}\ndata {}\n{body}\n",
            body.len()
        ));
    }
    let mut child = std::process::Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(repo.path())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    repo.git(&["reset", "-q", "--hard", "main"]);
    let out = push(&repo, &["-q", "origin", "main"]);
    let text = both(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("2050 commits are new to the remote; checked the newest 2000"),
        "{text}"
    );
    assert!(!text.contains(".env"), "{text}");
}

#[test]
fn push_to_a_second_remote_checks_commits_only_the_first_has() {
    let (repo, _origin) = repo_with_remote();
    clean_package(&repo);
    repo.write(".env", "SECRET=1\n");
    repo.commit_all("init, with a .env");
    // The private remote took it (hook bypassed): origin/main now holds the commit.
    repo.git(&["push", "-q", "--no-verify", "origin", "main"]);
    assert!(repo.git(&["rev-parse", "origin/main"]).trim().len() >= 40);

    // A new public remote has none of it: the push checks the commit and blocks.
    let public = bare_remote();
    repo.git(&["remote", "add", "public", public.path().to_str().unwrap()]);
    let out = push(&repo, &["-q", "public", "main"]);
    let text = both(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("file/denied"), "{text}");
    assert!(text.contains(".env"), "{text}");
    assert!(
        stdout(&repo.git_output(&["ls-remote", "public"]))
            .trim()
            .is_empty(),
        "nothing reached the public remote"
    );

    // Pushing to a URL (no remote name, no tracking refs): every commit is checked, and
    // the note says why.
    let by_url = bare_remote();
    let out = push(&repo, &["-q", by_url.path().to_str().unwrap(), "main"]);
    let text = both(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("file/denied"), "{text}");
    assert!(text.contains("not a named remote"), "{text}");

    // Origin itself already has it: nothing new to check there.
    repo.write("README.md", "# ok\n");
    repo.commit_all("docs");
    let out = push(&repo, &["-q", "origin", "main"]);
    assert!(out.status.success(), "{}", both(&out));
}

/// A byte-order mark at the start of package.json (npm accepts it) doesn't make a
/// proprietary package's committed map a mere warning.
#[test]
fn pre_push_reads_a_package_json_with_a_bom() {
    let (repo, _remote) = repo_with_remote();
    leaky_package(&repo, "");
    repo.write("package.json", format!("\u{feff}{PROPRIETARY}"));
    repo.write(".gitignore", "node_modules/\n"); // dist/ committed
    repo.commit_all("release");
    let out = push(&repo, &["-q", "origin", "main"]);
    let text = both(&out);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("error[sourcemap/sources-content]: dist/cli.js.map is pushed and embeds"),
        "{text}"
    );
}

#[test]
fn pre_push_stdin_forms() {
    let repo = TempRepo::new();
    clean_package(&repo);
    repo.commit_all("init");
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let zero = "0".repeat(40);
    // Empty stdin: nothing to check.
    let out = repo.pre_push(&[], "");
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    // A deletion pushes nothing.
    let line = format!("(delete) {zero} refs/heads/old {head}\n");
    let out = repo.pre_push(&[], line);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    // Garbage on stdin is an internal error: exit 2 with the bypass.
    let out = repo.pre_push(&[], "nonsense\n");
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(
        both(&out).contains("git push --no-verify"),
        "{}",
        both(&out)
    );
    // ... unless the team lets pushes through on errors.
    repo.write("leakgate.toml", "[hooks]\non-error = \"allow\"\n");
    let out = repo.pre_push(&[], "nonsense\n");
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    std::fs::remove_file(repo.join("leakgate.toml")).unwrap();

    // The pre-commit framework's environment, with a leaking package in the range.
    leaky_package(&repo, "");
    repo.commit_all("leak");
    let tip = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let out = repo
        .leakgate()
        .args(["pre-push", "origin", "x"])
        .env("PRE_COMMIT_FROM_REF", &head)
        .env("PRE_COMMIT_TO_REF", &tip)
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    // A tag pointing at it, pushed as git would say it.
    let out = repo.pre_push(&[], common::push_line("refs/tags/v1", &tip, None));
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
}

/// A tag may point at a blob or a tree (`git tag key $(git hash-object -w id_rsa)`): pushing
/// it sends that object, so its content is checked; it is no error.
#[test]
fn pre_push_checks_tags_pointing_at_blobs_and_trees() {
    let (repo, _remote) = repo_with_remote();
    clean_package(&repo);
    repo.commit_all("init");
    assert!(push(&repo, &["-q", "origin", "main"]).status.success());
    let hash = |text: &str| {
        repo.write("tmp-blob", text);
        let oid = repo
            .git(&["hash-object", "-w", "tmp-blob"])
            .trim()
            .to_string();
        repo.remove("tmp-blob");
        oid
    };
    let pre_push = |tag: &str, oid: &str| repo.pre_push(&[], common::push_line(tag, oid, None));

    // A harmless blob passes; one holding a token blocks.
    let plain = hash("just notes\n");
    let out = pre_push("refs/tags/notes", &plain);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let secret = hash("export GITHUB_TOKEN=ghp_Zq8vN3kLmP2xR7tY4wB9cD1fG6hJ0sA5eU2i\n");
    let out = pre_push("refs/tags/key", &secret);
    let text = both(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("secret/github-token"), "{text}");
    assert!(text.contains("refs/tags/key"), "{text}");

    // A tree: every file in it, by its path in the tree.
    repo.write("conf/.env", "SECRET=1\n");
    repo.git(&["add", "-f", "conf/.env"]);
    let tree = repo.git(&["write-tree"]).trim().to_string();
    repo.git(&["rm", "-q", "--cached", "conf/.env"]);
    let out = pre_push("refs/tags/snap", &tree);
    let text = both(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("file/denied") && text.contains("conf/.env"),
        "{text}"
    );

    // An annotated tag of a blob, through a real push.
    repo.git(&["tag", "-a", "-m", "k", "k2", &secret]);
    let out = push(&repo, &["-q", "origin", "k2"]);
    let text = both(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("secret/github-token"), "{text}");
    repo.git(&["tag", "notes2", &plain]);
    let out = push(&repo, &["-q", "origin", "notes2"]);
    assert!(out.status.success(), "{}", both(&out));
}

#[test]
fn pre_push_audits_only_the_packages_the_push_touches() {
    let (repo, _remote) = repo_with_remote();
    repo.write(
        "package.json",
        r#"{"name":"mono","version":"1.0.0","private":true,"workspaces":["packages/*"]}"#,
    );
    leaky_package(&repo, "packages/cli");
    repo.write(
        "packages/lib/package.json",
        r#"{"name":"@acme/lib","version":"1.0.0","license":"MIT"}"#,
    );
    repo.write("packages/lib/index.js", "module.exports = 1;\n");
    repo.commit_all("init");
    // Pretend the remote already has this history: a later push touching only lib passes.
    repo.git(&["push", "-q", "--no-verify", "origin", "main"]);
    repo.write("packages/lib/index.js", "module.exports = 2;\n");
    repo.commit_all("lib only");
    let out = push(&repo, &["-q", "origin", "main"]);
    assert!(
        out.status.success(),
        "cli untouched by this push: {}",
        both(&out)
    );
    // Touching cli blocks.
    repo.write("packages/cli/src/index.ts", "export const y = 2;\n");
    repo.commit_all("cli");
    let out = push(&repo, &["-q", "origin", "main"]);
    assert!(!out.status.success(), "{}", both(&out));
    assert!(both(&out).contains("packages/cli") || both(&out).contains("@acme/cli"));
}

// ---------------------------------------------------------------- audit --tarball

/// `npm pack` of the package in `repo` (no scripts), into a temp dir; returns the tarball.
fn npm_pack(repo: &TempRepo, dest: &Path) -> PathBuf {
    common::require_npm();
    let out = std::process::Command::new("npm")
        .args(["pack", "--json", "--ignore-scripts", "--pack-destination"])
        .arg(dest)
        .current_dir(repo.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", both(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    dest.join(v[0]["filename"].as_str().unwrap())
}

fn audit_tarball(cwd: &Path, tgz: &Path) -> std::process::Output {
    common::leakgate()
        .current_dir(cwd)
        .args(["audit", "--tarball"])
        .arg(tgz)
        .output()
        .unwrap()
}

#[test]
fn npm_audit_tarball_blocks_a_published_leak_and_passes_a_clean_one() {
    let dest = tempfile::tempdir().unwrap();
    let repo = TempRepo::new();
    leaky_package(&repo, "");
    repo.write(
        "package.json",
        PROPRIETARY.replace(
            "\"files\"",
            "\"scripts\":{\"prepack\":\"bun run build\"},\"files\"",
        ),
    );
    let tgz = npm_pack(&repo, dest.path());
    let out = audit_tarball(dest.path(), &tgz);
    let text = both(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("error[sourcemap/sources-content]"), "{text}");
    assert!(text.contains("dist/cli.js.map"), "{text}");
    assert!(text.contains("@acme/cli@2.1.88"), "{text}");
    // The scripts already ran when it was packed: no lifecycle warning for a tarball.
    assert!(!text.contains("pack/lifecycle-scripts"), "{text}");
    // Nothing was extracted next to it.
    assert_eq!(std::fs::read_dir(dest.path()).unwrap().count(), 1);

    let repo = TempRepo::new();
    clean_package(&repo);
    let tgz = npm_pack(&repo, dest.path());
    let out = audit_tarball(dest.path(), &tgz);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(stdout(&out).contains("audited ok@1.0.0"), "{}", both(&out));
}

fn write_tgz(path: &Path, entries: &[(&str, tar::EntryType, &[u8], Option<&str>)]) {
    let mut tar = Vec::new();
    for (name, kind, data, link) in entries {
        let mut h = tar::Header::new_old();
        // Raw names: the tar crate refuses `..` through its safe setters.
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.set_entry_type(*kind);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        if let Some(l) = link {
            h.as_old_mut().linkname[..l.len()].copy_from_slice(l.as_bytes());
        }
        h.set_cksum();
        tar.extend_from_slice(h.as_bytes());
        tar.extend_from_slice(data);
        tar.resize(tar.len().div_ceil(512) * 512, 0);
    }
    tar.resize(tar.len() + 1024, 0);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &tar).unwrap();
    std::fs::write(path, gz.finish().unwrap()).unwrap();
}

#[test]
fn audit_tarball_reports_hostile_entries_and_never_writes_them() {
    use tar::EntryType as T;
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let tgz = work.join("hostile.tgz");
    let manifest = br#"{"name":"hostile","version":"1.0.0","license":"MIT"}"#;
    type TarEntry<'a> = (&'a str, T, &'a [u8], Option<&'a str>);
    let clean: Vec<TarEntry> = vec![
        ("package/package.json", T::Regular, manifest, None),
        (
            "package/index.js",
            T::Regular,
            b"module.exports = 1;\n",
            None,
        ),
    ];
    let mut hostile = clean.clone();
    hostile.extend([
        ("package/../../evil.js", T::Regular, &b"evil"[..], None),
        ("/abs.js", T::Regular, b"abs", None),
        ("package/passwd", T::Symlink, b"", Some("/etc/passwd")),
    ]);
    write_tgz(&tgz, &hostile);
    let out = audit_tarball(&work, &tgz);
    let text = both(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    for needle in ["package/../../evil.js", "/abs.js", "package/passwd"] {
        assert!(
            text.lines()
                .any(|l| l.contains("error[pack/unsafe-entry]") && l.contains(needle)),
            "no pack/unsafe-entry for {needle}: {text}"
        );
    }
    assert!(text.contains("audited hostile@1.0.0"), "{text}");
    assert!(!dir.path().join("evil.js").exists() && !work.join("evil.js").exists());

    // Near miss: the same package without the hostile entries is clean.
    write_tgz(&tgz, &clean);
    let out = audit_tarball(&work, &tgz);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
}

#[test]
fn audit_tarball_bad_input_is_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.tgz");
    write_tgz(
        &good,
        &[(
            "package/package.json",
            tar::EntryType::Regular,
            br#"{"name":"x","version":"1.0.0"}"#,
            None,
        )],
    );
    let bytes = std::fs::read(&good).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated.tgz",
            bytes[..bytes.len() / 2].to_vec(),
            "truncated.tgz",
        ),
        (
            "garbage.tgz",
            b"this is not gzip at all".to_vec(),
            "garbage.tgz",
        ),
        ("empty.tgz", Vec::new(), "empty.tgz"),
    ];
    for (name, data, needle) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, data).unwrap();
        let out = audit_tarball(dir.path(), &p);
        let err = both(&out);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(needle), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
    // A tarball without package.json, a bad package.json, a missing file.
    let p = dir.path().join("nomanifest.tgz");
    write_tgz(
        &p,
        &[("package/index.js", tar::EntryType::Regular, b"1", None)],
    );
    let out = audit_tarball(dir.path(), &p);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(both(&out).contains("no package.json"), "{}", both(&out));
    let p = dir.path().join("badjson.tgz");
    write_tgz(
        &p,
        &[(
            "package/package.json",
            tar::EntryType::Regular,
            b"{\"name\": ",
            None,
        )],
    );
    let out = audit_tarball(dir.path(), &p);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(
        both(&out).contains("package/package.json:1:"),
        "{}",
        both(&out)
    );
    let out = audit_tarball(dir.path(), &dir.path().join("missing.tgz"));
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(both(&out).contains("missing.tgz"), "{}", both(&out));
}

// ------------------------------------------- .npmrc and denied files, at commit and at push

/// [`repo_with_remote`] plus a pre-commit hook running this leakgate, so `git commit` (without
/// `--no-verify`) goes through the real review.
fn repo_with_hooks() -> (TempRepo, tempfile::TempDir) {
    let (repo, remote) = repo_with_remote();
    let bin = assert_cmd::cargo::cargo_bin("leakgate");
    let hook = repo.join(".git/hooks/pre-commit");
    std::fs::write(
        &hook,
        format!("#!/bin/sh\nexec '{}' pre-commit\n", bin.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    (repo, remote)
}

/// `git commit -q -m msg` through the hooks (stdout and stderr joined).
fn commit(repo: &TempRepo, msg: &str) -> (bool, String) {
    let out = repo.git_output(&["commit", "-q", "-m", msg]);
    (out.status.success(), both(&out))
}

/// A project .npmrc of settings only: what teams commit on purpose.
const NPMRC_SETTINGS: &str = "package-lock=false\n\
    @acme:registry=https://npm.acme.dev/\n\
    //npm.acme.dev/:_authToken=${NPM_TOKEN}\n\
    //registry.npmjs.org/:_authToken=$NPM_TOKEN\n";

/// A made-up registry token (random characters, never a real credential).
const NPMRC_LITERAL: &str = "Qm7Xv2LpR9tKz4WcN8bYh3Jd";

#[test]
fn npmrc_of_settings_passes_commit_and_push_a_literal_token_blocks_both() {
    let (repo, _remote) = repo_with_hooks();
    clean_package(&repo);
    repo.commit_all("init");
    assert!(push(&repo, &["-q", "origin", "main"]).status.success());

    // Settings and ${ENV} references, at the root and nested: committed and pushed.
    repo.write(".npmrc", NPMRC_SETTINGS)
        .write("tools/release/.npmrc", NPMRC_SETTINGS);
    repo.stage_all();
    let (ok, text) = commit(&repo, "npmrc");
    assert!(ok, "a settings-only .npmrc was blocked at commit: {text}");
    let out = push(&repo, &["-q", "origin", "main"]);
    assert!(out.status.success(), "blocked at push: {}", both(&out));

    // A literal token on line 5: the same rule, file, line and column at both hooks.
    repo.write(
        ".npmrc",
        format!("{NPMRC_SETTINGS}//npm.acme.dev/:_authToken={NPMRC_LITERAL}\n"),
    );
    repo.stage_all();
    let (ok, text) = commit(&repo, "token");
    assert!(!ok, "the commit went through: {text}");
    assert!(text.contains("error[secret/npmrc-auth-token]"), "{text}");
    assert!(text.contains(".npmrc:5:28"), "{text}");
    assert!(!text.contains("file/denied"), "judged by content: {text}");
    assert!(!text.contains(NPMRC_LITERAL), "printed the token: {text}");

    repo.git(&["commit", "-q", "--no-verify", "-m", "token"]);
    let out = push(&repo, &["-q", "origin", "main"]);
    let text = both(&out);
    assert!(!out.status.success(), "the push went through: {text}");
    assert!(text.contains("error[secret/npmrc-auth-token]"), "{text}");
    assert!(text.contains(".npmrc:5:28"), "{text}");
    assert!(!text.contains("file/denied"), "judged by content: {text}");
    assert!(!text.contains(NPMRC_LITERAL), "printed the token: {text}");
}

#[test]
fn one_allow_entry_covers_a_denied_file_at_commit_and_at_push() {
    let (repo, _remote) = repo_with_hooks();
    clean_package(&repo);
    repo.commit_all("init");
    assert!(push(&repo, &["-q", "origin", "main"]).status.success());

    repo.write(".env", "API_URL=https://api.acme.dev\n");
    repo.git(&["add", ".env"]);
    let (ok, text) = commit(&repo, "env");
    assert!(!ok, "{text}");
    assert!(
        text.contains("error[file/denied]") && text.contains(".env is staged"),
        "{text}"
    );
    // Settings help: no credential value was judged, so nothing to rotate.
    assert!(!text.contains("rotate"), "{text}");

    // One entry, read from the working tree by both hooks.
    let allow =
        "[[allow]]\nrule = \"file/denied\"\npath = \".env\"\nreason = \"public settings only\"\n";
    repo.write("leakgate.toml", allow);
    let (ok, text) = commit(&repo, "env");
    assert!(ok, "the allow entry didn't cover the commit: {text}");

    // Without it the push is blocked by the same rule for the same file...
    std::fs::rename(repo.join("leakgate.toml"), repo.join("leakgate.off")).unwrap();
    let out = push(&repo, &["-q", "origin", "main"]);
    let text = both(&out);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("error[file/denied]") && text.contains(".env is pushed"),
        "{text}"
    );
    // ...and with it the push goes through.
    std::fs::rename(repo.join("leakgate.off"), repo.join("leakgate.toml")).unwrap();
    let out = push(&repo, &["-q", "origin", "main"]);
    assert!(out.status.success(), "{}", both(&out));
}

#[test]
fn npmrc_in_a_tarball_is_judged_by_content() {
    use tar::EntryType as T;
    let dir = tempfile::tempdir().unwrap();
    let tgz = dir.path().join("pkg.tgz");
    let manifest = br#"{"name":"pkg","version":"1.0.0","license":"MIT"}"#;
    let with_token = format!("{NPMRC_SETTINGS}//npm.acme.dev/:_authToken={NPMRC_LITERAL}\n");
    for (npmrc, blocked) in [(NPMRC_SETTINGS, false), (with_token.as_str(), true)] {
        write_tgz(
            &tgz,
            &[
                ("package/package.json", T::Regular, manifest, None),
                ("package/.npmrc", T::Regular, npmrc.as_bytes(), None),
            ],
        );
        let out = audit_tarball(dir.path(), &tgz);
        let text = both(&out);
        assert!(!text.contains("file/denied"), "{text}");
        if blocked {
            assert_eq!(out.status.code(), Some(1), "{text}");
            assert!(text.contains("error[secret/npmrc-auth-token]"), "{text}");
            assert!(text.contains(".npmrc:5:28"), "{text}");
        } else {
            assert_eq!(out.status.code(), Some(0), "{text}");
        }
    }
}

// ---------------------------------------------------------------- non-ASCII names

/// Ordinary non-ASCII names (`abcdé.js.map`, `Ärger.ts`, `索引.js.map`, an escaped `\é` in a
/// build script) are judged by audit, pre-commit, pre-push and `audit --tarball`: findings
/// and exit 1, never a panic (exit 101, which `on-error = "allow"` would have let through).
#[test]
fn non_ascii_names_are_judged_everywhere_never_a_panic() {
    let (repo, _remote) = repo_with_remote();
    let map = r#"{"version":3,"sources":["Ärger.ts","C:/Users/Jürgen/src/索引.ts"],"sourcesContent":["export const a = 1;","export const b = 2;"],"mappings":""}"#;
    let files: [(&str, &str); 5] = [
        (
            "package.json",
            r#"{"name":"@acme/ärger","version":"1.0.0","license":"UNLICENSED","scripts":{"build":"bun build src/\\é.ts --sourcemap=external"},"files":["dist"]}"#,
        ),
        ("dist/a.js", "x;\n//# sourceMappingURL=abcdé.js.map\n"),
        ("dist/abcdé.js.map", map),
        ("dist/索引.js.map", map),
        ("dist/b.js", "y;\n//# sourceMappingURL=Ä\n"),
    ];
    for (path, text) in files {
        repo.write(path, text);
    }
    repo.write("leakgate.toml", "[hooks]\non-error = \"allow\"\n");
    let judged = |out: &std::process::Output| {
        let text = both(out);
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert!(!text.contains("panicked"), "{text}");
        text
    };

    let text = judged(&repo.leakgate().arg("audit").output().unwrap());
    assert!(text.contains("dist/abcdé.js.map"), "{text}");
    assert!(text.contains("dist/索引.js.map"), "{text}");
    assert!(text.contains("Ärger.ts"), "{text}");
    assert!(text.contains("sourcemap/local-paths"), "{text}");

    repo.stage_all();
    let text = judged(&repo.leakgate().arg("pre-commit").output().unwrap());
    assert!(text.contains("bundler/sourcemap-enabled"), "{text}");

    repo.git(&["commit", "-q", "--no-verify", "-m", "ärger"]);
    let out = push(&repo, &["-q", "origin", "main"]);
    let text = both(&out);
    assert!(!out.status.success(), "{text}");
    assert!(!text.contains("panicked"), "{text}");
    assert!(text.contains("dist/索引.js.map"), "{text}");

    let dest = tempfile::tempdir().unwrap();
    let tgz = dest.path().join("ärger.tgz");
    let entries: Vec<(String, tar::EntryType, &[u8], Option<&str>)> = files
        .iter()
        .map(|(p, t)| {
            (
                format!("package/{p}"),
                tar::EntryType::Regular,
                t.as_bytes(),
                None,
            )
        })
        .collect();
    let entries: Vec<_> = entries
        .iter()
        .map(|(p, k, t, l)| (p.as_str(), *k, *t, *l))
        .collect();
    write_tgz(&tgz, &entries);
    let text = judged(&audit_tarball(dest.path(), &tgz));
    assert!(text.contains("dist/索引.js.map"), "{text}");
}

/// `git --git-dir=X --work-tree=Y push` runs pre-push with `GIT_DIR`/`GIT_WORK_TREE` set:
/// it checks that repository's commits and that work tree's packages.
#[test]
fn pre_push_with_a_separate_git_dir_and_work_tree() {
    let top = tempfile::tempdir().unwrap();
    let git_dir = top.path().join("store.git");
    let work = top.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let remote = bare_remote();
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .current_dir(&work)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", top.path())
            .env("NO_COLOR", "1")
            .env("GIT_DIR", &git_dir)
            .env("GIT_WORK_TREE", &work)
            .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap()
    };
    assert!(git(&["init", "-q", "-b", "main"]).status.success());
    assert!(
        git(&["remote", "add", "origin", remote.path().to_str().unwrap()])
            .status
            .success()
    );
    let bin = assert_cmd::cargo::cargo_bin("leakgate");
    let hook = git_dir.join("hooks/pre-push");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(
        &hook,
        format!("#!/bin/sh\nexec '{}' pre-push \"$@\"\n", bin.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();

    std::fs::write(
        work.join("package.json"),
        r#"{"name":"ok","version":"1.0.0","license":"MIT"}"#,
    )
    .unwrap();
    std::fs::write(work.join("index.js"), "exports.x = 1;\n").unwrap();
    assert!(git(&["add", "-A"]).status.success());
    assert!(git(&["commit", "-q", "--no-verify", "-m", "init"])
        .status
        .success());
    let out = git(&["push", "-q", "origin", "main"]);
    assert!(out.status.success(), "{}", both(&out));

    std::fs::write(work.join(".env"), "SECRET=1\n").unwrap();
    assert!(git(&["add", "-A"]).status.success());
    assert!(git(&["commit", "-q", "--no-verify", "-m", "env"])
        .status
        .success());
    let out = git(&["push", "-q", "origin", "main"]);
    let text = both(&out);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("file/denied") && text.contains(".env"),
        "{text}"
    );
}

/// A blobless partial clone (`git clone --filter=blob:none`) lacks the blobs of old commits
/// until git fetches them on demand. Pushing its history to a new remote must judge those
/// blobs (fetched from the promisor, as `git push` itself would), not stop on "object not
/// found"; a repository that is merely missing objects gets a plain message, exit 2.
#[test]
fn pre_push_in_a_partial_clone_fetches_missing_blobs_and_judges_them() {
    let origin = TempRepo::new();
    origin.git(&["config", "uploadpack.allowFilter", "true"]);
    origin.git(&["config", "uploadpack.allowAnySHA1InWant", "true"]);
    clean_package(&origin);
    origin.write(
        "scripts/deploy.sh",
        format!("export GITHUB_TOKEN={}\n", common::fake_ghp(41)),
    );
    origin.commit_all("deploy script");
    origin.remove("scripts/deploy.sh");
    origin.commit_all("remove it");

    let clone_dir = tempfile::tempdir().unwrap();
    let dst = clone_dir.path().join("partial");
    let out = std::process::Command::new("git")
        .args(["clone", "-q", "--filter=blob:none"])
        .arg(format!("file://{}", origin.path().display()))
        .arg(&dst)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(&dst)
            .output()
            .unwrap()
    };
    // The token's blob is not in the clone yet.
    let blob = String::from_utf8(git(&["rev-parse", "HEAD~1:scripts/deploy.sh"]).stdout)
        .unwrap()
        .trim()
        .to_string();
    let listed =
        String::from_utf8(git(&["rev-list", "--objects", "--all", "--missing=print"]).stdout)
            .unwrap();
    assert!(
        listed.contains(&format!("?{blob}")),
        "blob should be missing: {listed}"
    );

    let public = tempfile::tempdir().unwrap();
    let bare = public.path().join("pub.git");
    assert!(std::process::Command::new("git")
        .args(["init", "-q", "--bare"])
        .arg(&bare)
        .status()
        .unwrap()
        .success());
    assert!(git(&["remote", "add", "public", &bare.to_string_lossy()])
        .status
        .success());
    let head = String::from_utf8(git(&["rev-parse", "HEAD"]).stdout).unwrap();
    let line = format!(
        "refs/heads/main {} refs/heads/main {}\n",
        head.trim(),
        "0".repeat(40)
    );
    let out = common::leakgate()
        .current_dir(&dst)
        .args(["pre-push", "public", &bare.to_string_lossy()])
        .write_stdin(line.clone())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("secret/github-token"), "{text}");
    assert!(text.contains("scripts/deploy.sh"), "{text}");

    // Near miss: the same clone with the promisor forgotten is just missing objects.
    let broken = clone_dir.path().join("broken");
    let out = std::process::Command::new("git")
        .args(["clone", "-q", "--filter=blob:none"])
        .arg(format!("file://{}", origin.path().display()))
        .arg(&broken)
        .output()
        .unwrap();
    assert!(out.status.success());
    for key in [
        "remote.origin.promisor",
        "extensions.partialclone",
        "remote.origin.partialclonefilter",
    ] {
        let _ = std::process::Command::new("git")
            .args(["config", "--unset", key])
            .current_dir(&broken)
            .output();
    }
    let out = common::leakgate()
        .current_dir(&broken)
        .args(["pre-push", "public", &bare.to_string_lossy()])
        .write_stdin(line)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("object missing from this repository"), "{err}");
    assert!(err.contains("--no-verify"), "{err}");
}

/// A denied file under a test or fixture path is judged as it is in a package: a warning
/// that says why, at commit and at push; the same file elsewhere still blocks both.
#[test]
fn test_fixture_env_files_warn_at_commit_and_push_and_others_block() {
    let (repo, _remote) = repo_with_remote();
    clean_package(&repo);
    repo.commit_all("init");
    assert!(push(&repo, &["-q", "origin", "main"]).status.success());

    repo.write(
        "packages/app/test/fixtures/.env",
        "PUBLIC_URL=http://localhost\n",
    )
    .stage_all();
    let out = repo.leakgate().args(["pre-commit", "-v"]).output().unwrap();
    let text = both(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("warning[file/denied]"), "{text}");
    assert!(text.contains("test or fixture path"), "{text}");
    repo.git(&["commit", "-q", "--no-verify", "-m", "fixture"]);
    let out = push(&repo, &["-q", "origin", "main"]);
    assert!(out.status.success(), "{}", both(&out));

    // Near miss: the same file beside the app's code blocks.
    repo.write("packages/app/.env", "PUBLIC_URL=http://localhost\n")
        .stage_all();
    let out = repo.leakgate().arg("pre-commit").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    repo.git(&["commit", "-q", "--no-verify", "-m", "env"]);
    let out = push(&repo, &["-q", "origin", "main"]);
    let text = both(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("error[file/denied]"), "{text}");
}
