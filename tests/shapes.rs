//! The shapes real JavaScript repositories have, end to end: npm, pnpm, yarn and bun
//! workspaces with private, nameless or versionless roots; Next.js and Vite apps; a library
//! that commits its `dist/` with maps; a settings-only `.npmrc`; husky and lefthook; broken
//! fixture manifests. Each is built in a temp dir, `leakgate install` registers the real hooks,
//! and real `git commit` and `git push` (to a local bare remote) run them, with the built
//! binary found on `PATH` as a teammate's shell would find it. In every shape a harmless
//! commit and its push pass without an error or a warning, `leakgate audit` and
//! `leakgate files --workspaces` exit 0, and where a shape can leak, a real leak still blocks.

mod common;

use common::TempRepo;
use serde_json::json;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// A source-map fixture (`tests/fixtures/sourcemaps/README.md`).
fn fixture(rel: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sourcemaps")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// esbuild's bundle of the fixture CLI without a map (what a build without maps writes).
fn bundle_without_map() -> Vec<u8> {
    fixture("esbuild-none/index.js")
}

/// esbuild's bundle and its linked map embedding all five sources, written as `name.js` and
/// `name.js.map` (the annotation renamed to match).
fn bundle_with_map(name: &str) -> (String, Vec<u8>) {
    let js = String::from_utf8(fixture("esbuild-linked/index.js"))
        .unwrap()
        .replace(
            "sourceMappingURL=index.js.map",
            &format!("sourceMappingURL={name}.js.map"),
        );
    (js, fixture("esbuild-linked/index.js.map"))
}

/// A made-up GitHub token (random characters, never a real credential).
fn fake_github_token() -> String {
    format!("ghp_{}", "Rk3vN8qLw2Zp5Tx9Yb4Mc7Hd1Jf6Gs0Ae2u")
}

/// What a command printed and how it exited.
struct Run {
    code: Option<i32>,
    text: String,
}

impl Run {
    fn of(out: std::process::Output) -> Run {
        Run {
            code: out.status.code(),
            text: format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }
}

/// A run that passed and said nothing alarming: exit 0, no `error[`/`warning[` diagnostic,
/// no `error:` line, no panic.
#[track_caller]
fn assert_quiet(run: &Run, what: &str) {
    assert_eq!(run.code, Some(0), "{what}: expected exit 0:\n{}", run.text);
    for bad in ["error[", "warning[", "error:", "panicked", "--no-verify"] {
        assert!(
            !run.text.contains(bad),
            "{what}: `{bad}` in the output:\n{}",
            run.text
        );
    }
}

/// A run blocked by `rule` (exit 1, the full error printed).
#[track_caller]
fn assert_blocked(run: &Run, rule: &str, what: &str) {
    assert_eq!(run.code, Some(1), "{what}: expected exit 1:\n{}", run.text);
    assert!(
        run.text.contains(&format!("error[{rule}]")),
        "{what}: expected error[{rule}]:\n{}",
        run.text
    );
    assert!(!run.text.contains("panicked"), "{what}:\n{}", run.text);
}

/// One repository shape: a real git repository with a local bare remote `origin`.
struct Shape {
    repo: TempRepo,
    remote: tempfile::TempDir,
}

impl Shape {
    fn new() -> Shape {
        let repo = TempRepo::new();
        let remote = tempfile::Builder::new()
            .prefix("leakgate-remote-")
            .tempdir()
            .unwrap();
        let out = std::process::Command::new("git")
            .args(["init", "-q", "--bare", "-b", "main"])
            .arg(remote.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap();
        assert!(out.status.success());
        repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
        Shape { repo, remote }
    }

    fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> &Self {
        self.repo.write(rel, contents);
        self
    }

    /// Writes `value` as a package.json-style file (2-space indent, trailing newline).
    fn json(&self, rel: &str, value: serde_json::Value) -> &Self {
        let mut text = serde_json::to_string_pretty(&value).unwrap();
        text.push('\n');
        self.write(rel, text)
    }

    /// Replaces `from` (which must be there) by `to` in a file.
    fn edit(&self, rel: &str, from: &str, to: &str) -> &Self {
        let text = String::from_utf8(self.repo.read(rel)).unwrap();
        assert!(text.contains(from), "{rel} has no `{from}`:\n{text}");
        self.write(rel, text.replacen(from, to, 1))
    }

    fn read(&self, rel: &str) -> String {
        String::from_utf8(self.repo.read(rel)).unwrap()
    }

    /// The first commit, made before leakgate is installed (a repository that exists).
    fn initial_commit(&self) {
        self.repo.commit_all("init");
    }

    /// `leakgate ARGS` in the repository, with the same git environment as the hooks.
    fn leakgate(&self, args: &[&str]) -> Run {
        Run::of(
            self.repo
                .leakgate()
                .args(args)
                .env("HOME", self.repo.path())
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .output()
                .unwrap(),
        )
    }

    /// `leakgate install`; returns what it said.
    fn install(&self) -> String {
        let run = self.leakgate(&["install"]);
        assert_eq!(run.code, Some(0), "install failed:\n{}", run.text);
        run.text
    }

    /// Real git in the repository as a developer runs it: the shims find the built binary
    /// on PATH (no LEAKGATE_BIN), nothing skips them.
    fn git(&self, args: &[&str]) -> Run {
        Run::of(self.git_command(args).output().unwrap())
    }

    fn git_command(&self, args: &[&str]) -> std::process::Command {
        let bin_dir = assert_cmd::cargo::cargo_bin("leakgate")
            .parent()
            .unwrap()
            .to_path_buf();
        let mut path = vec![bin_dir];
        if let Some(p) = std::env::var_os("PATH") {
            path.extend(std::env::split_paths(&p));
        }
        let mut cmd = std::process::Command::new("git");
        cmd.args(args)
            .current_dir(self.repo.path())
            .env("PATH", std::env::join_paths(path).unwrap())
            .env("HOME", self.repo.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("NO_COLOR", "1")
            .env_remove("LEAKGATE_BIN")
            .env_remove("LEAKGATE_SKIP")
            .env_remove("LEAKGATE_AMEND");
        cmd
    }

    /// `git add -A && git commit -m MSG` through the hooks.
    fn commit(&self, msg: &str) -> Run {
        self.repo.stage_all();
        self.git(&["commit", "-q", "-m", msg])
    }

    /// `git push origin main` through the hooks.
    fn push(&self) -> Run {
        self.git(&["push", "-q", "origin", "main"])
    }

    /// The commit the remote's `main` points at (empty when it has none).
    fn remote_main(&self) -> String {
        let out = std::process::Command::new("git")
            .args(["rev-parse", "-q", "--verify", "refs/heads/main"])
            .current_dir(self.remote.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn head(&self) -> String {
        self.repo.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    /// Commits the working tree through the hooks and pushes it: both pass and say nothing
    /// alarming, and the remote has the commit.
    #[track_caller]
    fn commit_and_push_quietly(&self, what: &str) {
        let run = self.commit(what);
        assert_quiet(&run, &format!("commit `{what}`"));
        assert!(
            run.text.trim().is_empty(),
            "commit `{what}`: a harmless commit prints nothing:\n{}",
            run.text
        );
        let run = self.push();
        assert_quiet(&run, &format!("push after `{what}`"));
        assert_eq!(self.remote_main(), self.head(), "push after `{what}`");
    }

    /// `leakgate audit` and `leakgate files --workspaces` (human and JSON) exit 0 and say
    /// nothing alarming; returns the audit's and the listing's output.
    #[track_caller]
    fn audit_and_list_pass(&self) -> (String, String) {
        let audit = self.leakgate(&["audit"]);
        assert_quiet(&audit, "leakgate audit");
        let files = self.leakgate(&["files", "--workspaces"]);
        assert_quiet(&files, "leakgate files --workspaces");
        let json = self.leakgate(&["files", "--workspaces", "--json"]);
        assert_eq!(json.code, Some(0), "files --workspaces --json:\n{}", json.text);
        (audit.text, files.text)
    }

    /// A commit through the hooks that must be blocked by `rule`; the change stays staged
    /// and HEAD doesn't move.
    #[track_caller]
    fn commit_blocked(&self, msg: &str, rule: &str) -> Run {
        let head = self.head();
        let run = self.commit(msg);
        assert_blocked(&run, rule, &format!("commit `{msg}`"));
        assert!(run.text.contains("git commit --no-verify"), "{}", run.text);
        assert_eq!(self.head(), head, "the blocked commit was made");
        run
    }

    /// `git commit --no-verify` (what someone in a hurry does), then a push that must be
    /// blocked by `rule` with nothing reaching the remote.
    #[track_caller]
    fn push_blocked_after_no_verify(&self, msg: &str, rule: &str) -> Run {
        self.repo.stage_all();
        self.repo.git(&["commit", "-q", "--no-verify", "-m", msg]);
        let before = self.remote_main();
        let run = self.push();
        assert_blocked(&run, rule, &format!("push of `{msg}`"));
        assert!(run.text.contains("git push --no-verify"), "{}", run.text);
        assert_eq!(self.remote_main(), before, "the blocked push reached the remote");
        run
    }
}

/// The usual root `.gitignore` of a JavaScript repository: build output is not committed.
const GITIGNORE: &str = "node_modules/\ndist/\n.env\n.env.local\ncoverage/\n*.log\n";

/// A published (not private) package at `dir` with a proprietary licence, `files` listing
/// its built bundle, a gitignored `dist/` built without maps, and its TypeScript sources.
fn public_member(shape: &Shape, dir: &str, name: &str) {
    shape
        .json(
            &format!("{dir}/package.json"),
            json!({
                "name": name,
                "version": "1.4.0",
                "description": "The command-line tool",
                "license": "SEE LICENSE IN LICENSE",
                "bin": {"acme": "dist/cli.js"},
                "files": ["dist/cli.js"],
                "scripts": {
                    "build": "esbuild src/cli.ts --bundle --platform=node --outfile=dist/cli.js",
                    "test": "vitest run"
                },
                "dependencies": {"commander": "^12.0.0", "picocolors": "^1.0.0"},
                "devDependencies": {"esbuild": "^0.21.5", "vitest": "^1.6.0"}
            }),
        )
        .write(&format!("{dir}/LICENSE"), "Copyright Acme Corp. All rights reserved.\n")
        .write(&format!("{dir}/README.md"), format!("# {name}\n"))
        .write(
            &format!("{dir}/src/cli.ts"),
            "import { Command } from 'commander';\n\nnew Command('acme').parse();\n",
        )
        .write(&format!("{dir}/dist/cli.js"), bundle_without_map());
}

/// A private package at `dir` (an internal library, never published).
fn private_member(shape: &Shape, dir: &str, name: &str) {
    shape
        .json(
            &format!("{dir}/package.json"),
            json!({
                "name": name,
                "version": "0.0.0",
                "private": true,
                "main": "src/index.ts",
                "dependencies": {"zod": "^3.23.0"}
            }),
        )
        .write(
            &format!("{dir}/src/index.ts"),
            "export const limits = { retries: 3 };\n",
        );
}

/// The harmless day-to-day commits every shape gets: a dependency bump in `manifest`, then a
/// source edit in `source`, each committed and pushed through the hooks without a sound.
#[track_caller]
fn harmless_commits(shape: &Shape, manifest: &str, from: &str, to: &str, source: &str) {
    shape.edit(manifest, from, to);
    shape.commit_and_push_quietly(&format!("bump {from} to {to} in {manifest}"));
    let text = shape.read(source);
    shape.write(source, format!("{text}// TODO: retry on timeouts\n"));
    shape.commit_and_push_quietly(&format!("edit {source}"));
}

// ---- 1. npm workspaces, versionless private root -----------------------------------------

#[test]
fn npm_workspaces_with_a_versionless_private_root() {
    let shape = Shape::new();
    shape
        .json(
            "package.json",
            json!({
                "name": "monorepo",
                "private": true,
                "workspaces": ["packages/*"],
                "scripts": {"build": "npm run build --workspaces"},
                "devDependencies": {"typescript": "^5.4.5"}
            }),
        )
        .write(".gitignore", GITIGNORE)
        .write("package-lock.json", "{\"lockfileVersion\": 3, \"packages\": {}}\n");
    public_member(&shape, "packages/cli", "@acme/cli");
    private_member(&shape, "packages/internal", "@acme/internal");
    shape.initial_commit();
    shape.install();
    // The first push of the existing history.
    let run = shape.push();
    assert_quiet(&run, "first push");

    harmless_commits(
        &shape,
        "packages/cli/package.json",
        "\"commander\": \"^12.0.0\"",
        "\"commander\": \"^12.1.0\"",
        "packages/cli/src/cli.ts",
    );
    harmless_commits(
        &shape,
        "package.json",
        "\"typescript\": \"^5.4.5\"",
        "\"typescript\": \"^5.5.2\"",
        "packages/internal/src/index.ts",
    );
    let (audit, files) = shape.audit_and_list_pass();
    assert!(audit.contains("audited @acme/cli"), "{audit}");
    assert!(audit.contains("monorepo"), "the root is skipped with a note: {audit}");
    assert!(files.contains("packages/cli"), "{files}");

    // The leak: the build now writes maps that embed every source, and `files` widens to
    // the whole `dist/`.
    let (js, map) = bundle_with_map("cli");
    shape
        .write("packages/cli/dist/cli.js", js)
        .write("packages/cli/dist/cli.js.map", map)
        .edit(
            "packages/cli/package.json",
            "\"files\": [\n    \"dist/cli.js\"\n  ]",
            "\"files\": [\n    \"dist\"\n  ]",
        );
    let run = shape.commit_blocked("ship all of dist", "commit/exposes-files");
    assert!(run.text.contains("dist/cli.js.map (4.5 kB, embeds 5 sources)"), "{}", run.text);
    let run = shape.push_blocked_after_no_verify("ship all of dist", "sourcemap/sources-content");
    assert!(run.text.contains("dist/cli.js.map"), "{}", run.text);
    assert!(run.text.contains("@acme/cli"), "{}", run.text);
    assert_eq!(shape.leakgate(&["audit"]).code, Some(1));
}
