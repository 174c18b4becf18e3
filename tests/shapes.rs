//! The shapes real JavaScript repositories have, end to end: npm, pnpm, yarn and bun
//! workspaces with private, nameless or versionless roots; Next.js and Vite apps; a library
//! that commits its `dist/` with maps; a settings-only `.npmrc`; husky and lefthook; broken
//! fixture manifests. Each is built in a temp dir, `leakgate install` registers the real hooks,
//! and real `git commit` and `git push` (to a local bare remote) run them, with the built
//! binary found on `PATH` as a teammate's shell would find it. In every shape a dependency
//! bump and a source edit are committed and pushed without an error or a warning printed,
//! `leakgate audit` and `leakgate files --workspaces` exit 0, and where a shape can leak, a
//! real leak still blocks the commit and, committed with `--no-verify`, the push.

mod common;

use common::{fixture, TempRepo};
use serde_json::json;
use std::path::Path;

/// esbuild's bundle of the fixture CLI without a map (what a build without maps writes).
fn bundle_without_map() -> Vec<u8> {
    fixture("esbuild-none/index.js")
}

/// A bundler's output with a linked map embedding every source (`tool` is a fixture
/// directory holding `index.js` and `index.js.map`), renamed to `name.js` and `name.js.map`
/// (the annotation follows).
fn bundle_with_map(tool: &str, name: &str) -> (String, Vec<u8>) {
    let js = String::from_utf8(fixture(&format!("{tool}/index.js")))
        .unwrap()
        .replace(
            "sourceMappingURL=index.js.map",
            &format!("sourceMappingURL={name}.js.map"),
        );
    (js, fixture(&format!("{tool}/index.js.map")))
}

/// A made-up GitHub token (random characters, never a real credential).
fn fake_github_token() -> String {
    format!("ghp_{}", "Rk3vN8qLw2Zp5Tx9Yb4Mc7Hd1Jf6Gs0Ae2uW")
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
    /// Pushes count warnings by design (an open-source package shipping its maps); every
    /// other shape's harmless pushes count none.
    push_warns: std::cell::Cell<bool>,
    /// A `leakgate` on PATH that logs its arguments to `calls.log` beside it and runs the
    /// built binary: proof that a hook ran even when it rightly printed nothing.
    logger: tempfile::TempDir,
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
        let logger = tempfile::Builder::new()
            .prefix("leakgate-logger-")
            .tempdir()
            .unwrap();
        let real = assert_cmd::cargo::cargo_bin("leakgate");
        let script = logger.path().join("leakgate");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
                logger.path().join("calls.log").display(),
                real.display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        Shape {
            repo,
            remote,
            push_warns: std::cell::Cell::new(false),
            logger,
        }
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
        let mut path = vec![self.logger.path().to_path_buf()];
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
        Run::of(cmd.output().unwrap())
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
    /// alarming, and the remote has the commit. Returns what the commit and the push said.
    #[track_caller]
    fn commit_and_push_quietly(&self, what: &str) -> (Run, Run) {
        let commit = self.commit(what);
        assert_quiet(&commit, &format!("commit `{what}`"));
        let push = self.push();
        assert_quiet(&push, &format!("push after `{what}`"));
        // The pre-push hook ran (silently: a harmless push prints nothing).
        let calls =
            std::fs::read_to_string(self.logger.path().join("calls.log")).unwrap_or_default();
        assert!(
            calls
                .lines()
                .last()
                .is_some_and(|l| l.starts_with("pre-push")),
            "push after `{what}`: did the hook run? calls: {calls}\n{}",
            push.text
        );
        assert_eq!(self.remote_main(), self.head(), "push after `{what}`");
        (commit, push)
    }

    /// `leakgate audit` and `leakgate files --workspaces` (human and JSON) exit 0 without an
    /// error or a panic; returns the audit's and the listing's output.
    #[track_caller]
    fn audit_and_list_pass(&self) -> (String, String) {
        let audit = self.leakgate(&["audit"]);
        assert_eq!(audit.code, Some(0), "leakgate audit:\n{}", audit.text);
        for bad in ["error[", "error:", "panicked"] {
            assert!(
                !audit.text.contains(bad),
                "leakgate audit: `{bad}`:\n{}",
                audit.text
            );
        }
        let files = self.leakgate(&["files", "--workspaces"]);
        assert_quiet(&files, "leakgate files --workspaces");
        let json = self.leakgate(&["files", "--workspaces", "--json"]);
        assert_eq!(
            json.code,
            Some(0),
            "files --workspaces --json:\n{}",
            json.text
        );
        serde_json::from_str::<serde_json::Value>(&json.text).expect("files --json is JSON");
        (audit.text, files.text)
    }

    /// [`Shape::audit_and_list_pass`], and the audit has no warning either.
    #[track_caller]
    fn audit_and_list_pass_silently(&self) -> (String, String) {
        let (audit, files) = self.audit_and_list_pass();
        assert!(!audit.contains("warning["), "leakgate audit:\n{audit}");
        (audit, files)
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
        assert_eq!(
            self.remote_main(),
            before,
            "the blocked push reached the remote"
        );
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
        .write(
            &format!("{dir}/LICENSE"),
            "Copyright Acme Corp. All rights reserved.\n",
        )
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
/// The pre-commit hook says nothing about them at all.
#[track_caller]
fn harmless_commits(shape: &Shape, manifest: &str, from: &str, to: &str, source: &str) {
    shape.edit(manifest, from, to);
    silent_commit(shape, &format!("bump {from} to {to} in {manifest}"));
    let text = shape.read(source);
    shape.write(source, format!("{text}// TODO: retry on timeouts\n"));
    silent_commit(shape, &format!("edit {source}"));
}

/// [`Shape::commit_and_push_quietly`], the commit printed nothing and the push counted no
/// warning (unless the shape warns by design).
#[track_caller]
fn silent_commit(shape: &Shape, what: &str) {
    let (commit, push) = shape.commit_and_push_quietly(what);
    assert!(
        commit.text.trim().is_empty(),
        "commit `{what}` printed something:\n{}",
        commit.text
    );
    if !shape.push_warns.get() {
        // Nothing found, nothing printed: not even a summary line.
        assert!(
            push.text.trim().is_empty(),
            "push after `{what}` printed something:\n{}",
            push.text
        );
    }
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
        .write(
            "package-lock.json",
            "{\"lockfileVersion\": 3, \"packages\": {}}\n",
        );
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
    let (audit, files) = shape.audit_and_list_pass_silently();
    assert!(audit.contains("audited @acme/cli"), "{audit}");
    assert!(
        audit.contains("skipped monorepo (.): private package, npm won't publish it"),
        "the root is skipped with a note: {audit}"
    );
    assert!(files.contains("packages/cli"), "{files}");

    // The leak: the build now writes maps that embed every source, and `files` widens to
    // the whole `dist/`.
    let (js, map) = bundle_with_map("esbuild-linked", "cli");
    shape
        .write("packages/cli/dist/cli.js", js)
        .write("packages/cli/dist/cli.js.map", map)
        .edit(
            "packages/cli/package.json",
            "\"files\": [\n    \"dist/cli.js\"\n  ]",
            "\"files\": [\n    \"dist\"\n  ]",
        );
    let run = shape.commit_blocked("ship all of dist", "commit/exposes-files");
    assert!(
        run.text
            .contains("dist/cli.js.map (4.5 kB, embeds 5 sources)"),
        "{}",
        run.text
    );
    let run = shape.push_blocked_after_no_verify("ship all of dist", "sourcemap/sources-content");
    assert!(run.text.contains("dist/cli.js.map"), "{}", run.text);
    assert!(run.text.contains("@acme/cli"), "{}", run.text);
    assert_eq!(shape.leakgate(&["audit"]).code, Some(1));
}

// ---- 2. pnpm workspace, nameless root ------------------------------------------------------

#[test]
fn pnpm_workspace_with_a_nameless_root() {
    let shape = Shape::new();
    shape
        .json(
            "package.json",
            json!({
                "private": true,
                "packageManager": "pnpm@9.4.0",
                "scripts": {"build": "pnpm -r build", "lint": "eslint ."},
                "devDependencies": {"eslint": "^9.5.0", "turbo": "^2.0.4"}
            }),
        )
        .write(
            "pnpm-workspace.yaml",
            "packages: ['packages/*', 'apps/*']\ncatalog:\n  react: ^18.3.1\n",
        )
        .write(
            "pnpm-lock.yaml",
            "lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n\nimporters:\n\n  .: {}\n",
        )
        .write(".gitignore", GITIGNORE)
        .write(".npmrc", "auto-install-peers=true\nstrict-peer-dependencies=false\n");
    // A public UI library built by tsup, maps off.
    shape
        .json(
            "packages/ui/package.json",
            json!({
                "name": "@acme/ui",
                "version": "2.3.1",
                "license": "UNLICENSED",
                "main": "dist/index.js",
                "files": ["dist"],
                "scripts": {"build": "tsup"},
                "peerDependencies": {"react": "catalog:"},
                "devDependencies": {"tsup": "^8.1.0"}
            }),
        )
        .write(
            "packages/ui/tsup.config.ts",
            "import { defineConfig } from 'tsup';\n\nexport default defineConfig({\n  entry: ['src/index.ts'],\n  format: ['cjs'],\n  sourcemap: false,\n  clean: true,\n});\n",
        )
        .write("packages/ui/src/index.ts", "export const Button = 'button';\n")
        .write("packages/ui/dist/index.js", bundle_without_map());
    // Apps: a private one without a version, and one with neither name nor version.
    shape
        .json(
            "apps/web/package.json",
            json!({"name": "web", "private": true, "scripts": {"dev": "vite"},
                   "dependencies": {"@acme/ui": "workspace:*", "react": "catalog:"}}),
        )
        .write(
            "apps/web/src/main.tsx",
            "import { Button } from '@acme/ui';\nconsole.log(Button);\n",
        )
        .json(
            "apps/docs/package.json",
            json!({"private": true, "scripts": {"dev": "astro dev"}}),
        )
        .write("apps/docs/src/index.md", "# Docs\n");
    shape.initial_commit();
    shape.install();
    assert_quiet(&shape.push(), "first push");

    harmless_commits(
        &shape,
        "packages/ui/package.json",
        "\"tsup\": \"^8.1.0\"",
        "\"tsup\": \"^8.2.3\"",
        "apps/web/src/main.tsx",
    );
    harmless_commits(
        &shape,
        "package.json",
        "\"turbo\": \"^2.0.4\"",
        "\"turbo\": \"^2.0.6\"",
        "packages/ui/src/index.ts",
    );
    let (audit, files) = shape.audit_and_list_pass_silently();
    assert!(audit.contains("audited @acme/ui"), "{audit}");
    for dir in ["apps/web", "apps/docs", "packages/ui"] {
        assert!(files.contains(dir), "{dir} not listed:\n{files}");
    }

    // The leak: tsup's maps turned on (they embed every source) and built.
    shape.edit(
        "packages/ui/tsup.config.ts",
        "sourcemap: false",
        "sourcemap: true",
    );
    shape.commit_blocked("maps for debugging", "bundler/sourcemap-enabled");
    let (js, map) = bundle_with_map("tsup-sourcemap", "index");
    shape
        .write("packages/ui/dist/index.js", js)
        .write("packages/ui/dist/index.js.map", map);
    let run = shape.push_blocked_after_no_verify("maps for debugging", "sourcemap/sources-content");
    assert!(run.text.contains("@acme/ui"), "{}", run.text);
}

// ---- 3. yarn workspaces, object form, .yarnrc.yml ----------------------------------------

#[test]
fn yarn_workspaces_in_object_form() {
    let shape = Shape::new();
    shape
        .json(
            "package.json",
            json!({
                "name": "acme",
                "private": true,
                "packageManager": "yarn@4.3.1",
                "workspaces": {"packages": ["packages/*", "tools/*"], "nohoist": ["**/react-native"]},
                "devDependencies": {"prettier": "^3.3.2"}
            }),
        )
        .write(
            ".yarnrc.yml",
            "nodeLinker: node-modules\nyarnPath: .yarn/releases/yarn-4.3.1.cjs\nnpmScopes:\n  acme:\n    npmRegistryServer: \"https://npm.acme.example\"\n    npmAuthToken: \"${NPM_TOKEN}\"\n",
        )
        .write(".yarn/releases/yarn-4.3.1.cjs", "#!/usr/bin/env node\n/* yarn 4.3.1 */\n")
        .write("yarn.lock", "__metadata:\n  version: 8\n  cacheKey: 10c0\n")
        .write(".gitignore", format!("{GITIGNORE}.yarn/*\n!.yarn/releases\n"));
    shape
        .json(
            "packages/sdk/package.json",
            json!({
                "name": "@acme/sdk",
                "version": "0.9.2",
                "license": "MIT",
                "main": "dist/index.js",
                "types": "dist/index.d.ts",
                "files": ["dist/*.js", "dist/*.d.ts"],
                "dependencies": {"ky": "^1.3.0"}
            }),
        )
        .write(
            "packages/sdk/src/client.ts",
            "export const endpoint = process.env.ACME_API ?? 'https://api.acme.example';\n",
        )
        .write("packages/sdk/dist/index.js", bundle_without_map())
        .write(
            "packages/sdk/dist/index.d.ts",
            "export declare const endpoint: string;\n",
        );
    private_member(&shape, "tools/scripts", "@acme/scripts");
    shape.initial_commit();
    shape.install();
    assert_quiet(&shape.push(), "first push");

    harmless_commits(
        &shape,
        "packages/sdk/package.json",
        "\"ky\": \"^1.3.0\"",
        "\"ky\": \"^1.4.0\"",
        "packages/sdk/src/client.ts",
    );
    harmless_commits(
        &shape,
        ".yarnrc.yml",
        "nodeLinker: node-modules",
        "nodeLinker: node-modules\nenableTelemetry: false",
        "tools/scripts/src/index.ts",
    );
    let (audit, _) = shape.audit_and_list_pass_silently();
    assert!(audit.contains("audited @acme/sdk"), "{audit}");

    // The leak: a real-looking token pasted into the sources.
    shape.write(
        "packages/sdk/src/client.ts",
        format!(
            "export const endpoint = 'https://api.acme.example';\nexport const token = '{}';\n",
            fake_github_token()
        ),
    );
    let run = shape.commit_blocked("hardcode the token for now", "secret/github-token");
    assert!(
        !run.text.contains(&fake_github_token()),
        "printed the token: {}",
        run.text
    );
    let run =
        shape.push_blocked_after_no_verify("hardcode the token for now", "secret/github-token");
    assert!(
        run.text.contains("packages/sdk/src/client.ts"),
        "{}",
        run.text
    );
}

// ---- 4. bun workspaces, array form, bun.lock ----------------------------------------------

#[test]
fn bun_workspaces_with_a_text_lockfile() {
    let shape = Shape::new();
    shape
        .json(
            "package.json",
            json!({
                "name": "capy",
                "private": true,
                "workspaces": ["packages/*"],
                "devDependencies": {"@types/bun": "^1.1.6"}
            }),
        )
        // Bun's text lockfile is JSONC (trailing commas).
        .write(
            "bun.lock",
            "{\n  \"lockfileVersion\": 1,\n  \"workspaces\": {\n    \"\": {\n      \"name\": \"capy\",\n    },\n  },\n  \"packages\": {},\n}\n",
        )
        .write("bunfig.toml", "[install]\nexact = true\n")
        .write(".gitignore", GITIGNORE);
    shape
        .json(
            "packages/cli/package.json",
            json!({
                "name": "@capy/cli",
                "version": "0.3.1",
                "license": "SEE LICENSE IN README.md",
                "bin": {"capy": "dist/cli.js"},
                "files": ["dist"],
                "scripts": {"build": "bun build src/cli.ts --outdir dist --target node"},
                "dependencies": {"citty": "^0.1.6"}
            }),
        )
        .write("packages/cli/README.md", "# capy\nProprietary.\n")
        .write("packages/cli/src/cli.ts", "console.log('capy');\n")
        .write("packages/cli/dist/cli.js", fixture("bun-none/index.js"));
    private_member(&shape, "packages/shared", "@capy/shared");
    shape.initial_commit();
    shape.install();
    assert_quiet(&shape.push(), "first push");

    harmless_commits(
        &shape,
        "packages/cli/package.json",
        "\"citty\": \"^0.1.6\"",
        "\"citty\": \"^0.1.7\"",
        "packages/cli/src/cli.ts",
    );
    shape.audit_and_list_pass_silently();

    // The March 2026 leak: `--sourcemap` in the build script, then a build that writes the map.
    shape.edit(
        "packages/cli/package.json",
        "--target node",
        "--target node --sourcemap",
    );
    let run = shape.commit_blocked("debuggable builds", "bundler/sourcemap-enabled");
    assert!(
        run.text.contains("packages/cli/package.json"),
        "{}",
        run.text
    );
    let (js, map) = bundle_with_map("bun-linked", "cli");
    shape
        .write("packages/cli/dist/cli.js", js)
        .write("packages/cli/dist/cli.js.map", map);
    let run = shape.push_blocked_after_no_verify("debuggable builds", "sourcemap/sources-content");
    assert!(run.text.contains("@capy/cli"), "{}", run.text);
}

// ---- 5. a Next.js app and a Vite app, no version ------------------------------------------

/// An app at the repository root as its framework's scaffold writes it, minus the version:
/// npm can't pack it. Its build output (gitignored) holds maps that embed every source.
struct App {
    manifest: serde_json::Value,
    gitignore: &'static str,
    config: &'static str,
    config_text: &'static str,
    /// The config edit that turns browser source maps on: (from, to).
    maps_on: (&'static str, &'static str),
    source: &'static str,
    /// Where the build wrote a bundle and its map.
    built: &'static str,
    bump: (&'static str, &'static str),
}

fn nextjs_app() -> App {
    App {
        manifest: json!({
            "name": "site",
            "scripts": {"dev": "next dev", "build": "next build", "start": "next start"},
            "dependencies": {"next": "14.2.4", "react": "^18.3.1", "react-dom": "^18.3.1"},
            "devDependencies": {"typescript": "^5.4.5", "@types/react": "^18.3.3"}
        }),
        gitignore: "/node_modules\n/.next/\n/out/\n.env*.local\nnext-env.d.ts\n*.tsbuildinfo\n",
        config: "next.config.js",
        config_text: "/** @type {import('next').NextConfig} */\nconst nextConfig = {\n  reactStrictMode: true,\n};\n\nmodule.exports = nextConfig;\n",
        maps_on: (
            "reactStrictMode: true,",
            "reactStrictMode: true,\n  productionBrowserSourceMaps: true,",
        ),
        source: "app/page.tsx",
        built: ".next/static/chunks/app/page-3f9a1c2b",
        bump: ("\"next\": \"14.2.4\"", "\"next\": \"14.2.5\""),
    }
}

fn vite_app() -> App {
    App {
        manifest: json!({
            "name": "dashboard",
            "type": "module",
            "scripts": {"dev": "vite", "build": "tsc -b && vite build", "preview": "vite preview"},
            "dependencies": {"react": "^18.3.1", "react-dom": "^18.3.1"},
            "devDependencies": {"@vitejs/plugin-react": "^4.3.1", "typescript": "^5.2.2", "vite": "^5.3.1"}
        }),
        gitignore: "node_modules\ndist\ndist-ssr\n*.local\n",
        config: "vite.config.ts",
        config_text: "import { defineConfig } from 'vite'\nimport react from '@vitejs/plugin-react'\n\n// https://vitejs.dev/config/\nexport default defineConfig({\n  plugins: [react()],\n})\n",
        maps_on: (
            "plugins: [react()],",
            "plugins: [react()],\n  build: { sourcemap: true },",
        ),
        source: "src/App.tsx",
        built: "dist/assets/index-DiwrgTda",
        bump: ("\"vite\": \"^5.3.1\"", "\"vite\": \"^5.3.4\""),
    }
}

fn app_shape(app: &App) -> Shape {
    let shape = Shape::new();
    let (js, map) = bundle_with_map("esbuild-linked", "page");
    shape
        .json("package.json", app.manifest.clone())
        .write(".gitignore", app.gitignore)
        .write(app.config, app.config_text)
        .write(
            "tsconfig.json",
            "{\n  \"compilerOptions\": {\n    \"target\": \"ES2020\",\n    /* Bundler mode */\n    \"moduleResolution\": \"bundler\",\n    \"jsx\": \"react-jsx\",\n    \"strict\": true,\n  },\n  \"include\": [\"src\", \"app\"],\n}\n",
        )
        .write(app.source, "export default function Page() {\n  return null;\n}\n")
        .write(".env.example", "NEXT_PUBLIC_API_URL=https://api.example.com\n")
        .write(format!("{}.js", app.built).as_str(), js)
        .write(format!("{}.js.map", app.built).as_str(), map);
    shape.initial_commit();
    shape.install();
    assert_quiet(&shape.push(), "first push");
    shape
}

#[test]
fn nextjs_and_vite_apps_without_a_version() {
    for app in [nextjs_app(), vite_app()] {
        let shape = app_shape(&app);
        // Browser maps turned on, and the tsconfig edited: the package can't be published,
        // so the bundler rules have nothing to say.
        shape.edit(app.config, app.maps_on.0, app.maps_on.1);
        shape.edit(
            "tsconfig.json",
            "\"strict\": true,",
            "\"strict\": true,\n    \"sourceMap\": true,",
        );
        silent_commit(&shape, &format!("source maps in {}", app.config));
        harmless_commits(&shape, "package.json", app.bump.0, app.bump.1, app.source);
        let (audit, files) = shape.audit_and_list_pass_silently();
        assert!(audit.contains("no `version`, npm can't pack it"), "{audit}");
        assert!(!files.contains(".map"), "{files}");

        // The leak that matters for an app: it becomes publishable (maps on, no `files`).
        let name = app.manifest["name"].as_str().unwrap().to_string();
        shape.edit(
            "package.json",
            &format!("\"name\": \"{name}\","),
            &format!("\"name\": \"{name}\",\n  \"version\": \"1.0.0\","),
        );
        let run = shape.commit_blocked("version the app", "package-json/private-removed");
        assert!(run.text.contains("package.json:3:"), "{}", run.text);
    }
}

// ---- 6. a library that commits dist/ and its maps (open source, on purpose) ---------------

const LIBRARY: &str = r#"{
  "name": "tiny-table",
  "version": "3.1.0",
  "description": "A tiny table formatter",
  "license": "MIT",
  "repository": {
    "type": "git",
    "url": "git+https://github.com/acme/tiny-table.git"
  },
  "main": "dist/index.js",
  "files": ["dist"],
  "scripts": {
    "build": "rollup -c"
  },
  "devDependencies": {
    "rollup": "^4.18.0"
  }
}
"#;

/// The map rollup writes for the library, with `extra` appended to the embedded config.ts.
fn library_map(extra: &str) -> String {
    let mut map: serde_json::Value =
        serde_json::from_slice(&fixture("rollup-true-ts-inlineSources/index.js.map")).unwrap();
    let i = map["sources"]
        .as_array()
        .unwrap()
        .iter()
        .position(|s| s.as_str().unwrap().ends_with("config.ts"))
        .unwrap();
    let content = map["sourcesContent"][i].as_str().unwrap().to_string();
    map["sourcesContent"][i] = json!(format!("{content}{extra}"));
    map.to_string()
}

#[test]
fn library_committing_dist_and_maps_on_purpose() {
    let shape = Shape::new();
    shape
        .write("package.json", LIBRARY)
        .write(".gitignore", "node_modules/\ncoverage/\n")
        .write(
            "rollup.config.mjs",
            "export default {\n  input: 'src/index.ts',\n  output: { file: 'dist/index.js', format: 'cjs', sourcemap: true },\n};\n",
        )
        .write("src/config.ts", "export const retries = 3;\n")
        .write("src/index.ts", "export { retries } from './config';\n")
        .write("LICENSE", "MIT License\n\nCopyright (c) Acme\n")
        .write("dist/index.js", fixture("rollup-true-ts-inlineSources/index.js"))
        .write("dist/index.js.map", library_map(""));
    shape.initial_commit();
    shape.install();
    shape.push_warns.set(true);
    let run = shape.push();
    assert_quiet(&run, "first push");
    // The maps ship and embed the sources on purpose: counted, never printed by the hook.
    assert!(run.text.contains("warnings in 1 package"), "{}", run.text);

    harmless_commits(
        &shape,
        "package.json",
        "\"^4.18.0\"",
        "\"^4.18.1\"",
        "src/index.ts",
    );
    // A rebuild: the committed map changes. The hook counts its warning in one line.
    shape.write("dist/index.js.map", library_map("// rebuilt\n"));
    let (commit, _) = shape.commit_and_push_quietly("rebuild");
    assert!(
        commit
            .text
            .trim()
            .starts_with("leakgate: 0 errors, 1 warning in 1 package"),
        "{}",
        commit.text
    );
    let (audit, _) = shape.audit_and_list_pass();
    assert!(
        audit.contains("warning[sourcemap/sources-content]"),
        "{audit}"
    );

    // The leak: a token in the sources, and so inside the committed map too.
    let line = format!("export const token = '{}';\n", fake_github_token());
    let config = shape.read("src/config.ts");
    shape
        .write("src/config.ts", format!("{config}{line}"))
        .write("dist/index.js.map", library_map(&line));
    let run = shape.commit_blocked("inline the token", "secret/github-token");
    assert!(run.text.contains("src/config.ts:2"), "{}", run.text);
    let run = shape.push_blocked_after_no_verify("inline the token", "secret/github-token");
    assert!(run.text.contains("dist/index.js.map!"), "{}", run.text);
    assert!(!run.text.contains(&fake_github_token()), "{}", run.text);
}

// ---- 7. a committed settings-only .npmrc ------------------------------------------------

const NPMRC: &str = "package-lock=false\n@acme:registry=https://npm.acme.example/\n//npm.acme.example/:_authToken=${NPM_TOKEN}\n";

#[test]
fn committed_settings_only_npmrc() {
    let shape = Shape::new();
    shape
        .json(
            "package.json",
            json!({
                "name": "@acme/billing-client",
                "version": "4.2.0",
                "license": "UNLICENSED",
                "main": "lib/index.js",
                "files": ["lib"],
                "publishConfig": {"registry": "https://npm.acme.example/"},
                "dependencies": {"undici": "^6.19.2"}
            }),
        )
        .write(".npmrc", NPMRC)
        .write(".gitignore", GITIGNORE)
        .write("lib/index.js", "module.exports = { charge() {} };\n");
    shape.initial_commit();
    shape.install();
    assert_quiet(&shape.push(), "first push");

    harmless_commits(
        &shape,
        "package.json",
        "\"^6.19.2\"",
        "\"^6.19.5\"",
        "lib/index.js",
    );
    // The .npmrc itself edited, still settings only.
    shape.edit(
        ".npmrc",
        "package-lock=false\n",
        "package-lock=false\nsave-exact=true\n",
    );
    silent_commit(&shape, "save exact versions");
    shape.audit_and_list_pass_silently();

    // The leak: a literal token where the reference was.
    shape.edit(
        ".npmrc",
        "_authToken=${NPM_TOKEN}",
        "_authToken=Qm7Xv2LpR9tKz4WcN8bYh3Jd",
    );
    let run = shape.commit_blocked("token for CI", "secret/npmrc-auth-token");
    assert!(run.text.contains(".npmrc:4:"), "{}", run.text);
    let run = shape.push_blocked_after_no_verify("token for CI", "secret/npmrc-auth-token");
    assert!(
        !run.text.contains("Qm7Xv2LpR9tKz4WcN8bYh3Jd"),
        "{}",
        run.text
    );
}

// ---- 8. husky v9: .husky/ committed, and .husky/ gitignored --------------------------------

fn write_exec(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// What `npx husky` (v9) leaves in a clone: `core.hooksPath=.husky/_` and, in `_/` (which
/// husky keeps out of git with its own `.gitignore`), per-hook shims sourcing `_/h`, which
/// runs `.husky/<hook>` with `sh -e`, the arguments and stdin.
fn activate_husky_v9(shape: &Shape) {
    shape.write(".husky/_/.gitignore", "*");
    write_exec(
        &shape.repo.join(".husky/_/h"),
        "#!/usr/bin/env sh\nn=$(basename \"$0\")\ns=$(dirname \"$(dirname \"$0\")\")/$n\n[ ! -f \"$s\" ] && exit 0\n[ \"${HUSKY-}\" = \"0\" ] && exit 0\nsh -e \"$s\" \"$@\"\nc=$?\n[ $c != 0 ] && echo \"husky - $n script failed (code $c)\"\nexit $c\n",
    );
    for hook in ["pre-commit", "pre-push", "commit-msg"] {
        write_exec(
            &shape.repo.join(&format!(".husky/_/{hook}")),
            "#!/usr/bin/env sh\n. \"${0%/*}/h\"",
        );
    }
    shape.repo.git(&["config", "core.hooksPath", ".husky/_"]);
}

/// A single-package repository using husky; `.husky/` committed or gitignored.
fn husky_shape(committed: bool) -> Shape {
    let shape = Shape::new();
    public_member(&shape, ".", "@acme/cli");
    let gitignore = if committed {
        GITIGNORE.to_string()
    } else {
        format!("{GITIGNORE}.husky/\n")
    };
    shape
        .write(".gitignore", gitignore)
        .write(".husky/pre-commit", "test -f package.json\n")
        .edit(
            "package.json",
            "\"test\": \"vitest run\"",
            "\"test\": \"vitest run\",\n    \"prepare\": \"husky\"",
        )
        .edit(
            "package.json",
            "\"esbuild\": \"^0.21.5\"",
            "\"esbuild\": \"^0.21.5\",\n    \"husky\": \"^9.0.11\"",
        );
    shape.initial_commit();
    activate_husky_v9(&shape);
    let said = shape.install();
    assert!(said.contains("husky (v9)"), "{said}");
    shape
}

#[test]
fn husky_committed_and_husky_gitignored() {
    for committed in [true, false] {
        let shape = husky_shape(committed);
        let pc = shape.read(".husky/pre-commit");
        assert!(pc.contains("# >>> leakgate >>>"), "{pc}");
        assert!(
            pc.ends_with("test -f package.json\n"),
            "the team's line stays: {pc}"
        );
        if committed {
            // The edited husky scripts are shared with the team by a commit, through them.
            let status = shape.repo.git(&["status", "--porcelain"]);
            assert!(status.contains(".husky/pre-commit"), "{status}");
            silent_commit(&shape, "run leakgate from husky");
        } else {
            assert_eq!(shape.repo.git(&["status", "--porcelain"]), "");
            assert_quiet(&shape.push(), "first push");
        }
        harmless_commits(
            &shape,
            "package.json",
            "\"commander\": \"^12.0.0\"",
            "\"commander\": \"^12.1.0\"",
            "src/cli.ts",
        );
        shape.audit_and_list_pass_silently();

        // The leak, through husky: an .env with a key is committed by `git add -A`.
        shape.write(".gitignore", GITIGNORE.replace(".env\n", ""));
        shape.write(".env", "STRIPE_KEY=from-the-vault\n");
        let run = shape.commit_blocked("wip", "file/denied");
        assert!(
            run.text.contains("husky - pre-commit script failed"),
            "{}",
            run.text
        );
        let run = shape.push_blocked_after_no_verify("wip", "file/denied");
        assert!(run.text.contains(".env is pushed"), "{}", run.text);
    }
}

// ---- 9. lefthook --------------------------------------------------------------------------

/// A stand-in for the hook `lefthook install` writes, and for `lefthook run HOOK`: runs each
/// `run:` command listed under the hook in lefthook.yml with `sh -c`, `{1}` and `{2}` being
/// the hook's arguments and stdin the ref lines git gave (what `use_stdin: true` asks for).
const LEFTHOOK_RUNNER: &str = r#"#!/bin/sh
hook=$(basename "$0")
input=$(mktemp) || exit 1
trap 'rm -f "$input" "$input.cmds"' EXIT
cat > "$input"
awk -v h="$hook" '
  /^[^ #]/ { inhook = ($0 == h ":"); next }
  inhook && /^ +run: / { sub(/^ +run: /, ""); print }
' lefthook.yml > "$input.cmds"
status=0
while IFS= read -r cmd; do
  cmd=$(printf '%s' "$cmd" | sed 's/{1}/"$1"/g; s/{2}/"$2"/g')
  sh -c "$cmd" lefthook "$@" < "$input" || status=1
done < "$input.cmds"
exit $status
"#;

#[test]
fn lefthook() {
    let shape = Shape::new();
    public_member(&shape, ".", "@acme/cli");
    shape
        .write(".gitignore", GITIGNORE)
        .write(
            "lefthook.yml",
            "# https://lefthook.dev\npre-commit:\n  parallel: true\n  commands:\n    typecheck:\n      glob: \"*.{ts,tsx}\"\n      run: test -f tsconfig.json || true\n",
        );
    shape.initial_commit();
    let said = shape.install();
    assert!(said.contains("lefthook"), "{said}");
    let config = shape.read("lefthook.yml");
    // The project's own node_modules/.bin/leakgate first, else the one on PATH.
    assert!(config.contains("else leakgate pre-commit; fi"), "{config}");
    assert!(
        config.contains("else leakgate pre-push {1} {2}; fi"),
        "{config}"
    );
    // What `lefthook install` does in each clone.
    for hook in ["pre-commit", "pre-push"] {
        write_exec(
            &shape.repo.join(&format!(".git/hooks/{hook}")),
            LEFTHOOK_RUNNER,
        );
    }
    silent_commit(&shape, "run leakgate from lefthook");
    harmless_commits(
        &shape,
        "package.json",
        "\"picocolors\": \"^1.0.0\"",
        "\"picocolors\": \"^1.0.1\"",
        "src/cli.ts",
    );
    shape.audit_and_list_pass_silently();

    // The leak: maps on and shipped.
    let (js, map) = bundle_with_map("esbuild-linked", "cli");
    shape
        .write("dist/cli.js", js)
        .write("dist/cli.js.map", map)
        .edit(
            "package.json",
            "\"dist/cli.js\"\n  ]",
            "\"dist/cli.js\",\n    \"dist/cli.js.map\"\n  ]",
        );
    shape.commit_blocked("ship the map", "commit/exposes-files");
    shape.push_blocked_after_no_verify("ship the map", "sourcemap/sources-content");
}

// ---- 10. broken fixture manifests ----------------------------------------------------------

#[test]
fn broken_fixture_manifests_never_break_a_run() {
    let shape = Shape::new();
    shape
        .json(
            "package.json",
            json!({"name": "tools", "private": true, "workspaces": ["packages/**"]}),
        )
        .write(".gitignore", GITIGNORE);
    public_member(&shape, "packages/parser", "@acme/parser");
    // Fixtures broken on purpose, outside the workspace globs and inside them.
    let fixtures = |base: &str| {
        shape
            .write(
                &format!("{base}/invalid-json/package.json"),
                "{\n  \"name\": \"broken\",\n  \"version\": \n",
            )
            .write(
                &format!("{base}/bom/package.json"),
                "\u{feff}{\"name\": \"bom-fixture\", \"version\": \"1.0.0\", \"private\": true}\n",
            )
            .write(
                &format!("{base}/no-name/package.json"),
                "{\"version\": \"1.0.0\"}\n",
            )
            .write(&format!("{base}/no-name/index.js"), "module.exports = 1;\n");
    };
    fixtures("test/fixtures");
    fixtures("packages/parser/test/fixtures");
    // The parser's own manifest was last saved by an editor that writes a byte-order mark
    // (npm skips it).
    let manifest = shape.read("packages/parser/package.json");
    shape.write(
        "packages/parser/package.json",
        format!("\u{feff}{manifest}"),
    );
    shape.initial_commit();
    shape.install();
    assert_quiet(&shape.push(), "first push");

    harmless_commits(
        &shape,
        "packages/parser/package.json",
        "\"commander\": \"^12.0.0\"",
        "\"commander\": \"^12.1.0\"",
        "packages/parser/src/cli.ts",
    );
    let (audit, files) = shape.audit_and_list_pass_silently();
    assert!(audit.contains("audited @acme/parser"), "{audit}");
    // The broken member is listed, its package.json named as every error names it.
    assert!(
        files.contains(
            "# (unnamed) packages/parser/test/fixtures/invalid-json: not packed (its package.json \
             doesn't parse (packages/parser/test/fixtures/invalid-json/package.json:4:1: "
        ),
        "{files}"
    );
    let repo_path = shape.repo.path().to_str().unwrap().trim_start_matches('/');
    assert!(!files.contains(repo_path), "{files}");

    // Fixtures edited and added, outside the workspace glob and under it: broken on purpose,
    // and the commits are harmless. What doesn't parse gets a note; a BOM parses (npm strips
    // it), so it is reviewed like any package.json.
    for base in ["test/fixtures", "packages/parser/test/fixtures"] {
        shape.edit(
            &format!("{base}/bom/package.json"),
            "\"1.0.0\"",
            "\"1.0.1\"",
        );
        shape.edit(
            &format!("{base}/invalid-json/package.json"),
            "broken",
            "still-broken",
        );
        shape.write(
            &format!("{base}/trailing-comma/package.json"),
            "{\"name\": \"x\",}\n",
        );
        let (commit, _) = shape.commit_and_push_quietly(&format!("fixtures in {base}"));
        assert!(
            commit
                .text
                .contains(&format!("{base}/invalid-json/package.json:4:1")),
            "{}",
            commit.text
        );
        assert!(!commit.text.contains("bom/package.json"), "{}", commit.text);
    }
    shape.audit_and_list_pass_silently();

    // A source-map fixture (the parser reads maps): no package ships it, so the commit and
    // the push each count it as a note and let it through (`-v` says why).
    let map = "packages/parser/test/fixtures/maps/esbuild.js.map";
    shape.write(map, fixture("esbuild-linked/index.js.map"));
    shape.repo.stage_all();
    let verbose = shape.leakgate(&["pre-commit", "-v"]);
    assert_eq!(verbose.code, Some(0), "{}", verbose.text);
    assert!(
        verbose.text.contains(&format!(
            "note[sourcemap/sources-content]: {map} is staged and embeds 5 original sources"
        )) && verbose.text.contains("no package ships it"),
        "{}",
        verbose.text
    );
    let before = shape.remote_main();
    let commit = shape.commit("a source-map fixture");
    assert_quiet(&commit, "commit of a source-map fixture");
    let refs = format!(
        "refs/heads/main {} refs/heads/main {before}\n",
        shape.head()
    );
    let verbose = Run::of(
        shape
            .repo
            .leakgate()
            .args(["pre-push", "-v", "origin", "x"])
            .write_stdin(refs)
            .output()
            .unwrap(),
    );
    assert_eq!(verbose.code, Some(0), "{}", verbose.text);
    assert!(
        verbose.text.contains(&format!(
            "note[sourcemap/sources-content]: {map} is pushed and embeds 5 original sources"
        )) && verbose.text.contains("no package ships it (commit "),
        "{}",
        verbose.text
    );
    let push = shape.push();
    assert_quiet(&push, "push of a source-map fixture");
    for run in [&commit, &push] {
        assert!(
            run.text
                .contains("leakgate: 0 errors, 0 warnings and 1 note"),
            "{}",
            run.text
        );
    }
    assert_eq!(shape.remote_main(), shape.head());

    // The gate still works: the parser drops its `files` allow-list.
    shape.edit(
        "packages/parser/package.json",
        "\"files\": [\n    \"dist/cli.js\"\n  ],\n",
        "",
    );
    shape.commit_blocked("ship everything", "package-json/files-removed");
}
