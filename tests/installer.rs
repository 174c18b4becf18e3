//! The installer end to end: real git repositories in temp dirs, real `git commit` and
//! `git push` firing the installed hooks. Where the leakgate binary's own checks don't
//! matter, `LEAKGATE_BIN` points at a recording stand-in script (git is always real).

mod common;

use common::TempRepo;
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

const SHIM_PRE_COMMIT: &str = include_str!("../hooks/pre-commit");
const SHIM_PRE_PUSH: &str = include_str!("../hooks/pre-push");
/// lefthook's `run:` lines: the project's node_modules/.bin/leakgate first, then PATH's.
const LEFTHOOK_PRE_COMMIT: &str = "if [ -x node_modules/.bin/leakgate ]; then node_modules/.bin/leakgate pre-commit; else leakgate pre-commit; fi";
const LEFTHOOK_PRE_PUSH: &str = "if [ -x node_modules/.bin/leakgate ]; then node_modules/.bin/leakgate pre-push {1} {2}; else leakgate pre-push {1} {2}; fi";

/// Every file under `dir` (recursively) with its bytes and mode; symlinks by target.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, u32)> {
    let mut out = BTreeMap::new();
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, (Vec<u8>, u32)>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            let rel = p.strip_prefix(root).unwrap().to_path_buf();
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&p).unwrap();
                out.insert(
                    rel,
                    (target.into_os_string().into_encoded_bytes(), 0o120000),
                );
            } else if meta.is_dir() {
                out.insert(rel, (Vec::new(), meta.permissions().mode()));
                walk(root, &p, out);
            } else {
                out.insert(rel, (std::fs::read(&p).unwrap(), meta.permissions().mode()));
            }
        }
    }
    walk(dir, dir, &mut out);
    out
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

fn write_exec(path: &Path, text: &str, mode: u32) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A stand-in for the leakgate binary: records its arguments and stdin under `log`, then
/// exits with the code in `log/exit` (0 when absent).
fn fake_leakgate(log: &Path) -> PathBuf {
    let bin = log.join("fake-leakgate");
    write_exec(
        &bin,
        &format!(
            "#!/bin/sh\nlog='{}'\nprintf '%s\\n' \"$@\" > \"$log/leakgate-$1.args\"\ncat > \"$log/leakgate-$1.stdin\"\nprintf 'ran\\n' >> \"$log/leakgate-$1.count\"\nexit $(cat \"$log/exit\" 2>/dev/null || echo 0)\n",
            log.display()
        ),
        0o755,
    );
    bin
}

/// A pre-existing hook that records its arguments and stdin, exiting with `code`.
fn old_hook(log: &Path, name: &str, code: i32) -> String {
    format!(
        "#!/bin/sh\n# the team's own {name} hook\nprintf '%s\\n' \"$@\" > '{log}/old-{name}.args'\ncat > '{log}/old-{name}.stdin'\nexit {code}\n",
        log = log.display()
    )
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Test harness: a repo, a log dir, and a fake binary; git runs with the repo as HOME (as
/// tests/common does), so global config is the test's own.
struct H {
    repo: TempRepo,
    log: tempfile::TempDir,
    bin: PathBuf,
}

impl H {
    fn new() -> H {
        let repo = TempRepo::new();
        let log = tempfile::tempdir().unwrap();
        let bin = fake_leakgate(log.path());
        H { repo, log, bin }
    }

    fn log(&self, name: &str) -> PathBuf {
        self.log.path().join(name)
    }

    /// `leakgate ARGS` in `dir` with the test's git environment.
    fn lg_in(&self, dir: &Path, args: &[&str]) -> Output {
        common::leakgate()
            .args(args)
            .current_dir(dir)
            .env("HOME", self.repo.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap()
    }

    fn lg(&self, args: &[&str]) -> Output {
        self.lg_in(self.repo.path(), args)
    }

    /// Real git in `dir`, hooks using the fake leakgate.
    fn git_in(&self, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = std::process::Command::new("git");
        cmd.args(args)
            .current_dir(dir)
            .env("HOME", self.repo.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("LEAKGATE_BIN", &self.bin)
            .env_remove("LEAKGATE_SKIP");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    fn git(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        self.git_in(self.repo.path(), args, env)
    }

    /// `git commit` of a new file through the hooks.
    fn commit(&self, file: &str, env: &[(&str, &str)]) -> Output {
        self.repo.write(file, "x\n");
        self.repo.git(&["add", file]);
        self.git(&["commit", "-q", "-m", file], env)
    }

    /// A local bare remote named `origin`.
    fn add_remote(&self) -> tempfile::TempDir {
        let remote = tempfile::tempdir().unwrap();
        let out = std::process::Command::new("git")
            .args(["init", "-q", "--bare"])
            .arg(remote.path())
            .output()
            .unwrap();
        assert!(out.status.success());
        self.repo
            .git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
        remote
    }
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed ({:?}):\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn plain_repo_install_twice_then_uninstall() {
    let h = H::new();
    let git_dir = h.repo.join(".git");
    let before = snapshot(&git_dir);
    let out = ok(&h.lg(&["install"]));
    assert!(
        out.contains("pre-commit") && out.contains("installed"),
        "{out}"
    );
    let hooks = git_dir.join("hooks");
    assert_eq!(read(&hooks.join("pre-commit")), SHIM_PRE_COMMIT);
    assert_eq!(read(&hooks.join("pre-push")), SHIM_PRE_PUSH);
    assert_eq!(mode(&hooks.join("pre-commit")), 0o755);
    assert!(git_dir.join("leakgate/install.toml").is_file());

    // A second install changes no byte (hooks, config, state).
    let installed = snapshot(&git_dir);
    let out = ok(&h.lg(&["install"]));
    assert!(out.contains("already installed"), "{out}");
    assert_eq!(snapshot(&git_dir), installed);

    // The hooks really fire.
    ok(&h.commit("a.txt", &[]));
    assert_eq!(read(&h.log("leakgate-pre-commit.args")), "pre-commit\n");

    let remove_log = snapshot(&git_dir);
    drop(remove_log);
    ok(&h.lg(&["uninstall"]));
    let after = snapshot(&git_dir);
    // Only git's own bookkeeping of the commit changed; hooks and leakgate's state are back.
    let hooks_of = |s: &BTreeMap<PathBuf, (Vec<u8>, u32)>| {
        s.iter()
            .filter(|(p, _)| p.starts_with("hooks") || p.starts_with("leakgate"))
            .map(|(p, v)| (p.clone(), v.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(hooks_of(&after), hooks_of(&before));
    assert_eq!(
        after.get(Path::new("config")),
        before.get(Path::new("config"))
    );
}

#[test]
fn existing_hooks_are_chained_with_args_and_stdin_and_restored() {
    let h = H::new();
    let hooks = h.repo.join(".git/hooks");
    let pc = old_hook(h.log.path(), "pre-commit", 0);
    let pp = old_hook(h.log.path(), "pre-push", 0);
    write_exec(&hooks.join("pre-commit"), &pc, 0o750);
    write_exec(&hooks.join("pre-push"), &pp, 0o700);
    let before = snapshot(&hooks);

    let out = ok(&h.lg(&["install"]));
    assert!(out.contains("pre-commit.leakgate-chained"), "{out}");
    assert_eq!(read(&hooks.join("pre-commit.leakgate-chained")), pc);
    assert_eq!(mode(&hooks.join("pre-commit.leakgate-chained")), 0o750);
    let installed = snapshot(&hooks);
    ok(&h.lg(&["install"]));
    assert_eq!(
        snapshot(&hooks),
        installed,
        "second install changed the hooks dir"
    );

    ok(&h.commit("a.txt", &[]));
    assert!(
        h.log("old-pre-commit.args").exists(),
        "the old pre-commit did not run"
    );
    assert!(
        h.log("leakgate-pre-commit.args").exists(),
        "leakgate did not run"
    );

    let _remote = h.add_remote();
    ok(&h.git(&["push", "-q", "origin", "main"], &[]));
    let old_stdin = read(&h.log("old-pre-push.stdin"));
    let lg_stdin = read(&h.log("leakgate-pre-push.stdin"));
    assert!(old_stdin.starts_with("refs/heads/main "), "{old_stdin:?}");
    assert_eq!(
        old_stdin, lg_stdin,
        "both hooks must read the same ref lines"
    );
    let url = _remote.path().to_str().unwrap();
    assert_eq!(
        read(&h.log("old-pre-push.args")),
        format!("origin\n{url}\n")
    );
    assert_eq!(
        read(&h.log("leakgate-pre-push.args")),
        format!("pre-push\norigin\n{url}\n")
    );

    ok(&h.lg(&["uninstall"]));
    assert_eq!(
        snapshot(&hooks),
        before,
        "uninstall must restore byte for byte, modes too"
    );
}

#[test]
fn a_failing_chained_hook_still_blocks() {
    let h = H::new();
    let hooks = h.repo.join(".git/hooks");
    write_exec(
        &hooks.join("pre-commit"),
        &old_hook(h.log.path(), "pre-commit", 3),
        0o755,
    );
    write_exec(
        &hooks.join("pre-push"),
        &old_hook(h.log.path(), "pre-push", 4),
        0o755,
    );
    ok(&h.lg(&["install"]));
    let out = h.commit("a.txt", &[]);
    assert!(
        !out.status.success(),
        "the old hook's failure must block the commit"
    );
    assert!(h.log("old-pre-commit.args").exists());
    h.repo.git(&["commit", "-q", "--no-verify", "-m", "a"]);
    let _remote = h.add_remote();
    let out = h.git(&["push", "-q", "origin", "main"], &[]);
    assert!(
        !out.status.success(),
        "the old pre-push's failure must block the push"
    );
}

#[test]
fn leakgate_findings_and_internal_errors_block() {
    let h = H::new();
    ok(&h.lg(&["install"]));
    std::fs::write(h.log("exit"), "1").unwrap();
    let out = h.commit("a.txt", &[]);
    assert_eq!(out.status.code(), Some(1));
    // Exit 2: leakgate explained the error and the bypass itself; the shim only blocks.
    std::fs::write(h.log("exit"), "2").unwrap();
    let out = h.commit("b.txt", &[]);
    assert!(!out.status.success());
    assert!(!stderr(&out).contains("--no-verify"), "{}", stderr(&out));
    // Anything else is a crash: the shim blocks and names the bypass.
    std::fs::write(h.log("exit"), "101").unwrap();
    let out = h.commit("b.txt", &[]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("leakgate failed (exit 101)") && err.contains("git commit --no-verify"),
        "{err}"
    );
    // on-error = "allow" lets it through, saying so.
    h.repo.write(
        "leakgate.toml",
        "[hooks]\non-error = \"allow\" # team choice\n",
    );
    let out = h.commit("c.txt", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("on-error"));
}

#[test]
fn leakgate_skip_skips_with_a_printed_line() {
    let h = H::new();
    ok(&h.lg(&["install"]));
    std::fs::write(h.log("exit"), "1").unwrap();
    let out = h.commit("a.txt", &[("LEAKGATE_SKIP", "1")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("LEAKGATE_SKIP=1: skipping the pre-commit check"));
    assert!(!h.log("leakgate-pre-commit.args").exists());
}

#[test]
fn missing_binary_blocks_unless_require_binary_is_false() {
    let h = H::new();
    ok(&h.lg(&["install"]));
    let missing = h.log.path().join("no-such-leakgate");
    let env = [
        ("LEAKGATE_BIN", missing.to_str().unwrap()),
        ("PATH", "/usr/bin:/bin"),
        ("CARGO_HOME", h.log.path().to_str().unwrap()),
    ];
    let env_home = [("HOME", h.log.path().to_str().unwrap())];
    let mut all: Vec<(&str, &str)> = env.to_vec();
    all.extend(env_home);
    let out = h.commit("a.txt", &all);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("binary was not found") && err.contains("install.sh"),
        "{err}"
    );
    assert!(err.contains("git commit --no-verify"), "{err}");

    h.repo.write(
        "leakgate.toml",
        "codenames = []\n\n[hooks]\nrequire-binary = false\n",
    );
    let out = h.commit("b.txt", &all);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("continuing without the check"));
}

#[test]
fn an_edited_shim_is_not_overwritten_without_force() {
    let h = H::new();
    ok(&h.lg(&["install"]));
    let shim = h.repo.join(".git/hooks/pre-commit");
    let mut text = read(&shim);
    text.push_str("echo my edit\n");
    std::fs::write(&shim, &text).unwrap();
    let out = h.lg(&["install"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("was edited") && stderr(&out).contains("--force"));
    assert_eq!(read(&shim), text);
    ok(&h.lg(&["install", "--force"]));
    assert_eq!(read(&shim), SHIM_PRE_COMMIT);
}

#[test]
fn not_a_repo_and_bare_repo_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for cmd in ["install", "uninstall", "doctor"] {
        let out = common::leakgate()
            .args([cmd, "--repo"])
            .arg(dir.path())
            .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        assert!(
            stderr(&out).contains("not inside a git repository"),
            "{}",
            stderr(&out)
        );
    }
    let bare = tempfile::tempdir().unwrap();
    std::process::Command::new("git")
        .args(["init", "-q", "--bare"])
        .arg(bare.path())
        .output()
        .unwrap();
    for cmd in ["install", "uninstall", "doctor"] {
        let out = common::leakgate()
            .args([cmd, "--repo"])
            .arg(bare.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        assert!(stderr(&out).contains("bare repository"), "{}", stderr(&out));
    }
}

impl H {
    /// Runs `leakgate doctor` in the repository, asserts its exit code and that the
    /// line about `topic` contains `needle`; returns the output for further checks.
    fn doctor_expect(&self, code: i32, topic: &str, needle: &str) -> Output {
        let out = self.doctor(self.repo.path());
        assert_eq!(out.status.code(), Some(code), "{}", stdout(&out));
        let line = doctor_line(&out, topic);
        assert!(
            line.contains(needle),
            "{needle:?} not in {line:?}:\n{}",
            stdout(&out)
        );
        out
    }

    /// `leakgate doctor` with the real binary as the hooks' binary.
    fn doctor(&self, dir: &Path) -> Output {
        common::leakgate()
            .args(["doctor"])
            .current_dir(dir)
            .env("HOME", self.repo.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("LEAKGATE_BIN", assert_cmd::cargo::cargo_bin("leakgate"))
            .output()
            .unwrap()
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The doctor line about `topic`.
fn doctor_line(out: &Output, topic: &str) -> String {
    stdout(out)
        .lines()
        .find(|l| l.split_whitespace().nth(1) == Some(topic))
        .unwrap_or_else(|| panic!("no {topic} line in:\n{}", stdout(out)))
        .to_string()
}

#[test]
fn doctor_plain_repo() {
    let h = H::new();
    let out = h.doctor_expect(1, "pre-commit", "fail");
    assert!(doctor_line(&out, "pre-commit").contains("not installed"));
    let out = ok(&h.lg(&["install"]));
    assert!(!out.contains("inside the work tree"), "{out}");
    let out = h.doctor(h.repo.path());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(doctor_line(&out, "pre-push").starts_with("  ok"));
    assert!(doctor_line(&out, "config").contains("built-in defaults"));
    assert!(doctor_line(&out, "hook").contains("none (plain git hooks)"));

    // Not executable: git would skip it.
    let shim = h.repo.join(".git/hooks/pre-push");
    std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o644)).unwrap();
    h.doctor_expect(1, "pre-push", "not executable");
    ok(&h.lg(&["install"]));
    assert_eq!(mode(&shim), 0o755);

    // Shadowed: core.hooksPath set after install.
    h.repo.git(&["config", "core.hooksPath", ".githooks"]);
    h.doctor_expect(1, "pre-commit", "shadowed");
    h.repo.git(&["config", "--unset", "core.hooksPath"]);

    // An invalid config fails, naming the file.
    h.repo.write("leakgate.toml", "[hooks]\nno-such-key = 1\n");
    h.doctor_expect(1, "config", "leakgate.toml:2");
}

#[test]
fn hooks_path_outside_the_repo_with_an_existing_hook() {
    let h = H::new();
    let shared = tempfile::tempdir().unwrap();
    let hooks = shared.path().join("team-hooks");
    let pc = old_hook(h.log.path(), "pre-commit", 0);
    write_exec(&hooks.join("pre-commit"), &pc, 0o755);
    h.repo
        .git(&["config", "core.hooksPath", hooks.to_str().unwrap()]);
    let before = snapshot(shared.path());
    ok(&h.lg(&["install"]));
    assert_eq!(read(&hooks.join("pre-commit")), SHIM_PRE_COMMIT);
    assert_eq!(read(&hooks.join("pre-push")), SHIM_PRE_PUSH);
    assert!(!h.repo.join(".git/hooks/pre-commit").exists());
    ok(&h.commit("a.txt", &[]));
    assert!(h.log("old-pre-commit.args").exists());
    assert!(h.log("leakgate-pre-commit.args").exists());
    h.doctor_expect(0, "pre-commit", "runs the previous hook first");
    ok(&h.lg(&["uninstall"]));
    assert_eq!(snapshot(shared.path()), before);
}

#[test]
fn hooks_path_dir_created_by_install_is_removed_by_uninstall() {
    let h = H::new();
    h.repo.git(&["config", "core.hooksPath", ".githooks"]);
    let out = ok(&h.lg(&["install"]));
    assert!(out.contains(".githooks is inside the work tree"), "{out}");
    assert!(h.repo.join(".githooks/pre-commit").is_file());
    ok(&h.commit("a.txt", &[]));
    assert!(h.log("leakgate-pre-commit.args").exists());
    ok(&h.lg(&["uninstall"]));
    assert!(!h.repo.join(".githooks").exists());
}

#[test]
fn global_hooks_path_is_used_and_reported() {
    let h = H::new();
    let global = tempfile::tempdir().unwrap();
    let hooks = global.path().join("hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    // HOME is the repo dir for git here (tests/common); its .gitconfig is the global config.
    std::process::Command::new("git")
        .args(["config", "--global", "core.hooksPath"])
        .arg(&hooks)
        .env("HOME", h.repo.path())
        .output()
        .unwrap();
    ok(&h.lg(&["install"]));
    assert!(hooks.join("pre-commit").is_file());
    let out = h.doctor_expect(0, "core.hooksPath", "warn");
    assert!(doctor_line(&out, "core.hooksPath").contains("global"));
}

#[test]
fn linked_worktree_installs_into_the_common_dir() {
    let h = H::new();
    h.repo.write("init.txt", "init").commit_all("init");
    let wt_parent = tempfile::tempdir().unwrap();
    let wt = wt_parent.path().join("wt");
    h.repo.git(&[
        "worktree",
        "add",
        "-q",
        "-b",
        "feature",
        wt.to_str().unwrap(),
    ]);
    ok(&h.lg_in(&wt, &["install"]));
    assert_eq!(read(&h.repo.join(".git/hooks/pre-commit")), SHIM_PRE_COMMIT);
    assert!(h.repo.join(".git/leakgate/install.toml").is_file());
    std::fs::write(wt.join("w.txt"), "w").unwrap();
    ok(&h.git_in(&wt, &["add", "w.txt"], &[]));
    ok(&h.git_in(&wt, &["commit", "-q", "-m", "w"], &[]));
    assert!(h.log("leakgate-pre-commit.args").exists());
    let out = h.doctor(&wt);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    ok(&h.lg_in(&wt, &["uninstall"]));
    assert!(!h.repo.join(".git/hooks/pre-commit").exists());
}

#[test]
fn submodule_installs_into_its_modules_dir() {
    let h = H::new();
    let lib = TempRepo::new();
    lib.write("lib.txt", "lib").commit_all("lib");
    h.repo.git(&[
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        lib.path().to_str().unwrap(),
        "sub",
    ]);
    let sub = h.repo.join("sub");
    ok(&h.lg_in(&sub, &["install"]));
    let hooks = h.repo.join(".git/modules/sub/hooks");
    assert_eq!(read(&hooks.join("pre-commit")), SHIM_PRE_COMMIT);
    assert!(!h.repo.join(".git/hooks/pre-commit").exists());
    ok(&h.git_in(&sub, &["config", "user.name", "Test"], &[]));
    ok(&h.git_in(&sub, &["config", "user.email", "test@example.com"], &[]));
    std::fs::write(sub.join("s.txt"), "s").unwrap();
    ok(&h.git_in(&sub, &["add", "s.txt"], &[]));
    ok(&h.git_in(&sub, &["commit", "-q", "-m", "s"], &[]));
    assert!(h.log("leakgate-pre-commit.args").exists());
    let out = h.doctor(&sub);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    ok(&h.lg_in(&sub, &["uninstall"]));
    assert!(!hooks.join("pre-commit").exists());
}

/// husky v9's runtime, as husky writes it: `core.hooksPath=.husky/_`, per-hook shims in `_/`
/// that source `_/h`, which runs `.husky/<hook>` with `sh -e`, arguments and stdin.
fn fake_husky_v9(repo: &TempRepo) {
    repo.write(".husky/_/.gitignore", "*");
    write_exec(
        &repo.join(".husky/_/h"),
        "#!/usr/bin/env sh\nn=$(basename \"$0\")\ns=$(dirname \"$(dirname \"$0\")\")/$n\n[ ! -f \"$s\" ] && exit 0\n[ \"${HUSKY-}\" = \"0\" ] && exit 0\nsh -e \"$s\" \"$@\"\nc=$?\n[ $c != 0 ] && echo \"husky - $n script failed (code $c)\"\nexit $c\n",
        0o644,
    );
    for hook in ["pre-commit", "pre-push", "commit-msg"] {
        write_exec(
            &repo.join(&format!(".husky/_/{hook}")),
            "#!/usr/bin/env sh\n. \"${0%/*}/h\"",
            0o755,
        );
    }
    repo.git(&["config", "core.hooksPath", ".husky/_"]);
}

#[test]
fn husky_gets_a_marked_block_in_the_committed_scripts() {
    let h = H::new();
    fake_husky_v9(&h.repo);
    let team_pc = format!("echo lint > '{}/team-pre-commit'\n", h.log.path().display());
    h.repo.write(".husky/pre-commit", &team_pc);
    let before = snapshot(&h.repo.join(".husky"));
    let git_before = snapshot(&h.repo.join(".git/hooks"));

    let out = ok(&h.lg(&["install"]));
    assert!(out.contains("husky (v9)"), "{out}");
    let pc = read(&h.repo.join(".husky/pre-commit"));
    assert!(pc.starts_with("# >>> leakgate >>>\n"), "{pc}");
    assert!(
        pc.ends_with(&format!("# <<< leakgate <<<\n{team_pc}")),
        "{pc}"
    );
    let pp = read(&h.repo.join(".husky/pre-push"));
    assert!(pp.contains("\"$leakgate_bin\" pre-push \"$@\" <\"$leakgate_in\""));
    assert_eq!(
        snapshot(&h.repo.join(".git/hooks")),
        git_before,
        "husky mode leaves .git/hooks alone"
    );
    let installed = snapshot(&h.repo.join(".husky"));
    ok(&h.lg(&["install"]));
    assert_eq!(snapshot(&h.repo.join(".husky")), installed);

    ok(&h.commit("a.txt", &[]));
    assert!(
        h.log("team-pre-commit").exists(),
        "the team's husky command still runs"
    );
    assert_eq!(read(&h.log("leakgate-pre-commit.args")), "pre-commit\n");

    // pre-push: leakgate and the team's command after the block read the same ref lines.
    let pp_text = format!(
        "{pp}cat > '{}/team-pre-push.stdin'\n",
        h.log.path().display()
    );
    std::fs::write(h.repo.join(".husky/pre-push"), &pp_text).unwrap();
    let _remote = h.add_remote();
    ok(&h.git(&["push", "-q", "origin", "main"], &[]));
    let lg_stdin = read(&h.log("leakgate-pre-push.stdin"));
    assert!(lg_stdin.starts_with("refs/heads/main "), "{lg_stdin:?}");
    assert_eq!(read(&h.log("team-pre-push.stdin")), lg_stdin);

    // A blocking leakgate blocks the commit through husky.
    std::fs::write(h.log("exit"), "1").unwrap();
    assert!(!h.commit("b.txt", &[]).status.success());

    h.doctor_expect(0, "hook", "husky");

    std::fs::write(h.repo.join(".husky/pre-push"), &pp).unwrap();
    ok(&h.lg(&["uninstall"]));
    assert_eq!(
        snapshot(&h.repo.join(".husky")),
        before,
        "block removed, created file deleted"
    );
}

#[test]
fn husky_not_yet_active_in_this_clone() {
    let h = H::new();
    h.repo.write(".husky/pre-commit", "npm test\n");
    let out = ok(&h.lg(&["install"]));
    assert!(out.contains("npx husky"), "{out}");
    h.doctor_expect(1, "pre-commit", "not active");
}

/// What install says about sharing the husky scripts matches what git says of them:
/// committed, gitignored (the blocks then work in this clone only), or not committed yet.
#[test]
fn husky_sharing_note_says_what_is_true() {
    let committed = H::new();
    fake_husky_v9(&committed.repo);
    committed.repo.write(".husky/pre-commit", "npm test\n");
    committed.repo.git(&["add", ".husky/pre-commit"]);
    committed
        .repo
        .git(&["commit", "-q", "--no-verify", "-m", "husky"]);
    let out = ok(&committed.lg(&["install"]));
    assert!(out.contains("the husky scripts are committed"), "{out}");

    let ignored = H::new();
    fake_husky_v9(&ignored.repo);
    ignored.repo.write(".gitignore", ".husky/\n");
    ignored.repo.write(".husky/pre-commit", "npm test\n");
    let out = ok(&ignored.lg(&["install"]));
    assert!(out.contains("is gitignored here"), "{out}");
    assert!(!out.contains("are committed"), "{out}");

    let fresh = H::new();
    fake_husky_v9(&fresh.repo);
    fresh.repo.write(".husky/pre-commit", "npm test\n");
    let out = ok(&fresh.lg(&["install"]));
    assert!(out.contains("is not committed yet"), "{out}");
    assert!(!out.contains("are committed"), "{out}");
}

#[test]
fn lefthook_config_gets_the_commands() {
    let h = H::new();
    let original = "# team hooks\npre-commit:\n  parallel: true\n  commands:\n    lint:\n      run: eslint {staged_files}\n";
    h.repo.write("lefthook.yml", original);
    let out = ok(&h.lg(&["install"]));
    assert!(out.contains("lefthook"), "{out}");
    let text = read(&h.repo.join("lefthook.yml"));
    assert!(
        text.contains(&format!(
            "    leakgate:\n      run: {LEFTHOOK_PRE_COMMIT}\n"
        )),
        "{text}"
    );
    assert!(text.contains(&format!("pre-push:\n  commands:\n    leakgate:\n      run: {LEFTHOOK_PRE_PUSH}\n      use_stdin: true\n")), "{text}");
    assert!(!h.repo.join(".git/hooks/pre-commit").exists());
    ok(&h.lg(&["install"]));
    assert_eq!(read(&h.repo.join("lefthook.yml")), text);
    // lefthook itself isn't installed in this clone: doctor says so.
    h.doctor_expect(1, "pre-commit", "lefthook install");
    ok(&h.lg(&["uninstall"]));
    assert_eq!(read(&h.repo.join("lefthook.yml")), original);

    // A config that already runs leakgate by hand is left as it is.
    let by_hand = format!("{original}    leakgate:\n      run: leakgate pre-commit\n");
    h.repo.write("lefthook.yml", &by_hand);
    let out = ok(&h.lg(&["install"]));
    assert!(out.contains("already runs leakgate"), "{out}");
    assert!(read(&h.repo.join("lefthook.yml")).starts_with(&by_hand));
}

#[test]
fn lefthook_config_that_cannot_be_edited_gets_the_snippet() {
    let h = H::new();
    let original = "pre-push: {commands: {test: {run: npm test}}}\n";
    h.repo.write(".lefthook.yml", original);
    let out = h.lg(&["install"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("use_stdin: true"), "{}", stderr(&out));
    let text = read(&h.repo.join(".lefthook.yml"));
    // pre-commit could still be added safely; pre-push was left alone.
    assert!(text.starts_with(original));
    ok(&h.lg(&["uninstall"]));
    assert_eq!(read(&h.repo.join(".lefthook.yml")), original);
}

/// `./install.sh` as a user runs it: from the repository to protect, with only cargo and git.
/// `--debug` keeps the build cheap (it reuses this test run's debug artifacts); `PREFIX`
/// keeps the binary out of the real `~/.cargo/bin`.
#[test]
fn install_sh_builds_installs_and_registers_hooks() {
    let h = H::new();
    let prefix = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("install.sh");
    let run = || {
        std::process::Command::new("sh")
            .arg(&script)
            .arg("--debug")
            .current_dir(h.repo.path())
            .env("PREFIX", prefix.path())
            .env("HOME", h.repo.path())
            // HOME is the test's (for git's global config); keep rustup and cargo on the
            // real toolchain and registry cache.
            .env("CARGO_HOME", real_home_dir("CARGO_HOME", ".cargo"))
            .env("RUSTUP_HOME", real_home_dir("RUSTUP_HOME", ".rustup"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap()
    };
    let out = run();
    let text = ok(&out);
    let bin = prefix.path().join("bin/leakgate");
    assert!(bin.is_file(), "{text}");
    assert!(text.contains("registering the hooks"), "{text}");
    assert_eq!(read(&h.repo.join(".git/hooks/pre-commit")), SHIM_PRE_COMMIT);
    // Re-runnable, and the second run changes no hook byte.
    let hooks = snapshot(&h.repo.join(".git"));
    let text = ok(&run());
    assert!(text.contains("already installed"), "{text}");
    assert_eq!(snapshot(&h.repo.join(".git")), hooks);
}

/// `$VAR`, else `$HOME/<dir>` of the real HOME.
fn real_home_dir(var: &str, dir: &str) -> std::ffi::OsString {
    std::env::var_os(var).unwrap_or_else(|| {
        let home = std::env::var_os("HOME").expect("HOME");
        Path::new(&home).join(dir).into_os_string()
    })
}

#[test]
fn pre_push_without_a_chained_hook_gets_the_ref_lines_and_skip_drains_them() {
    let h = H::new();
    ok(&h.lg(&["install"]));
    ok(&h.commit("a.txt", &[]));
    let _remote = h.add_remote();
    ok(&h.git(&["push", "-q", "origin", "main"], &[]));
    let stdin = read(&h.log("leakgate-pre-push.stdin"));
    let head = h.repo.git(&["rev-parse", "HEAD"]);
    assert_eq!(
        stdin,
        format!(
            "refs/heads/main {} refs/heads/main {}\n",
            head.trim(),
            "0".repeat(40)
        )
    );
    std::fs::write(h.log("exit"), "1").unwrap();
    ok(&h.commit("b.txt", &[("LEAKGATE_SKIP", "1")]));
    let out = h.git(&["push", "-q", "origin", "main"], &[("LEAKGATE_SKIP", "1")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("skipping the pre-push check"));
    assert!(!h
        .git(&["push", "-q", "origin", "HEAD:other"], &[])
        .status
        .success());
}

#[test]
fn a_non_executable_or_symlinked_hook_is_kept_as_it_was() {
    let h = H::new();
    let hooks = h.repo.join(".git/hooks");
    // Not executable: git never ran it, so the shim doesn't either; uninstall keeps its mode.
    write_exec(
        &hooks.join("pre-commit"),
        &old_hook(h.log.path(), "pre-commit", 1),
        0o644,
    );
    // A symlink to a script kept elsewhere stays a symlink.
    let target = h.log.path().join("team-pre-push");
    write_exec(&target, &old_hook(h.log.path(), "pre-push", 0), 0o755);
    std::os::unix::fs::symlink(&target, hooks.join("pre-push")).unwrap();
    let before = snapshot(&hooks);
    let out = ok(&h.lg(&["install"]));
    assert!(out.contains("not executable"), "{out}");
    ok(&h.commit("a.txt", &[]));
    assert!(!h.log("old-pre-commit.args").exists());
    let _remote = h.add_remote();
    ok(&h.git(&["push", "-q", "origin", "main"], &[]));
    assert!(
        h.log("old-pre-push.args").exists(),
        "the symlinked hook runs"
    );
    ok(&h.lg(&["uninstall"]));
    assert_eq!(snapshot(&hooks), before);
}

#[test]
fn a_shim_replaced_by_another_installer_is_reported_not_clobbered() {
    let h = H::new();
    let hooks = h.repo.join(".git/hooks");
    write_exec(
        &hooks.join("pre-commit"),
        &old_hook(h.log.path(), "pre-commit", 0),
        0o755,
    );
    ok(&h.lg(&["install"]));
    // What `lefthook install` does: our shim becomes pre-commit.old, its own takes the name.
    std::fs::rename(hooks.join("pre-commit"), hooks.join("pre-commit.old")).unwrap();
    let lefthook = "#!/bin/sh\n# lefthook's hook\nexit 0\n";
    write_exec(&hooks.join("pre-commit"), lefthook, 0o755);
    let out = h.lg(&["install"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("another tool replaced"),
        "{}",
        stderr(&out)
    );
    let out = h.doctor(h.repo.path());
    assert_eq!(out.status.code(), Some(1));
    let line = doctor_line(&out, "pre-commit");
    assert!(
        line.contains("lefthook's hook") && line.contains("pre-commit.old"),
        "{line}"
    );
    assert_eq!(read(&hooks.join("pre-commit")), lefthook);
}

#[test]
fn pre_commit_framework_hooks_are_chained_with_a_note() {
    let h = H::new();
    h.repo.write(".pre-commit-config.yaml", "repos: []\n");
    let framework = format!(
        "#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\n# ID: 138fd403232d2ddd5efb44317e38bf03\nprintf '%s\\n' \"$@\" > '{}/old-pre-commit.args'\n",
        h.log.path().display()
    );
    write_exec(&h.repo.join(".git/hooks/pre-commit"), &framework, 0o755);
    let out = ok(&h.lg(&["install"]));
    assert!(
        out.contains("pre-commit framework") && out.contains("leakgate-pre-push"),
        "{out}"
    );
    ok(&h.commit("a.txt", &[]));
    assert!(h.log("old-pre-commit.args").exists());
    assert!(h.log("leakgate-pre-commit.args").exists());
    ok(&h.lg(&["uninstall"]));
    assert_eq!(read(&h.repo.join(".git/hooks/pre-commit")), framework);
}

#[test]
fn husky_v5_to_v8_layout() {
    let h = H::new();
    h.repo.write(".husky/_/husky.sh", "#!/usr/bin/env sh\n");
    let team = format!(
        "#!/usr/bin/env sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n\necho lint > '{}/team-pre-commit'\n",
        h.log.path().display()
    );
    write_exec(&h.repo.join(".husky/pre-commit"), &team, 0o755);
    h.repo.git(&["config", "core.hooksPath", ".husky"]);
    let before = snapshot(&h.repo.join(".husky"));
    let out = ok(&h.lg(&["install"]));
    assert!(out.contains("husky (v5-8)"), "{out}");
    let pc = read(&h.repo.join(".husky/pre-commit"));
    assert!(
        pc.starts_with(
            "#!/usr/bin/env sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n# >>> leakgate >>>\n"
        ),
        "{pc}"
    );
    let pp = h.repo.join(".husky/pre-push");
    assert!(read(&pp)
        .starts_with("#!/usr/bin/env sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n# >>> leakgate"));
    assert_eq!(mode(&pp), 0o755, "git runs v5-8 scripts directly");
    ok(&h.commit("a.txt", &[]));
    assert!(h.log("team-pre-commit").exists());
    assert!(h.log("leakgate-pre-commit.args").exists());
    let _remote = h.add_remote();
    ok(&h.git(&["push", "-q", "origin", "main"], &[]));
    assert!(read(&h.log("leakgate-pre-push.stdin")).starts_with("refs/heads/main "));
    ok(&h.lg(&["uninstall"]));
    assert_eq!(snapshot(&h.repo.join(".husky")), before);
}

#[test]
fn uninstall_refuses_an_edited_shim_without_force() {
    let h = H::new();
    let hooks = h.repo.join(".git/hooks");
    let pc = old_hook(h.log.path(), "pre-commit", 0);
    write_exec(&hooks.join("pre-commit"), &pc, 0o755);
    ok(&h.lg(&["install"]));
    let shim = hooks.join("pre-commit");
    std::fs::write(&shim, format!("{SHIM_PRE_COMMIT}echo edited\n")).unwrap();
    let out = h.lg(&["uninstall"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("was edited"), "{}", stderr(&out));
    ok(&h.lg(&["uninstall", "--force"]));
    assert_eq!(read(&shim), pc);
    assert!(!hooks.join("pre-commit.leakgate-chained").exists());
    assert!(!h.repo.join(".git/leakgate").exists());
}

#[test]
fn plain_flag_ignores_the_manager_and_doctor_sees_lefthook_installed() {
    let h = H::new();
    h.repo.write(
        "lefthook.yml",
        "pre-push:\n  commands:\n    leakgate:\n      run: leakgate pre-push {1} {2}\n      use_stdin: true\npre-commit:\n  commands:\n    leakgate:\n      run: leakgate pre-commit\n",
    );
    // What `lefthook install` leaves in .git/hooks.
    for hook in ["pre-commit", "pre-push"] {
        write_exec(
            &h.repo.join(&format!(".git/hooks/{hook}")),
            &format!("#!/bin/sh\n# lefthook's hook\ncall_lefthook run \"{hook}\" \"$@\"\n"),
            0o755,
        );
    }
    h.doctor_expect(0, "pre-push", "lefthook runs leakgate");

    let out = ok(&h.lg(&["install", "--plain"]));
    assert!(out.contains("none (plain git hooks)"), "{out}");
    assert_eq!(read(&h.repo.join(".git/hooks/pre-commit")), SHIM_PRE_COMMIT);
    assert!(h
        .repo
        .join(".git/hooks/pre-commit.leakgate-chained")
        .is_file());
}

#[test]
fn doctor_sees_husky_shims_missing() {
    let h = H::new();
    fake_husky_v9(&h.repo);
    ok(&h.lg(&["install"]));
    std::fs::remove_file(h.repo.join(".husky/_/pre-push")).unwrap();
    let out = h.doctor_expect(1, "pre-push", "npx husky");
    assert!(doctor_line(&out, "pre-commit").starts_with("  ok"));
}

/// The real thing for pre-push: hooks installed by the real binary, fired by a real
/// `git push` to a local bare remote, running the real `leakgate pre-push` audit.
#[test]
fn end_to_end_push_through_the_real_pre_push() {
    let h = H::new();
    let real = assert_cmd::cargo::cargo_bin("leakgate");
    let env = [("LEAKGATE_BIN", real.to_str().unwrap())];
    h.repo.write(
        "package.json",
        r#"{ "name": "@acme/tool", "version": "1.0.0", "main": "index.js" }"#,
    );
    h.repo.write("index.js", "module.exports = 1;\n");
    h.repo.commit_all("package");
    ok(&h.lg(&["install"]));
    let _remote = h.add_remote();

    let out = h.git(&["push", "-q", "origin", "main"], &env);
    assert!(
        out.status.success(),
        "a clean push was blocked: {}",
        stderr(&out)
    );

    // A .env that would ship in the package: the push is blocked.
    h.repo.write(".env", "API_TOKEN=s3cr3t-value-for-tests\n");
    h.repo.commit_all("env");
    let out = h.git(&["push", "-q", "origin", "main"], &env);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // git passes pre-push's stdout through on its own stdout.
    let err = format!("{}{}", stdout(&out), stderr(&out));
    assert!(err.contains("file/denied") && err.contains(".env"), "{err}");
    let remote_head = h.git(&["ls-remote", "origin", "refs/heads/main"], &[]);
    assert!(!stdout(&remote_head).contains(&h.repo.git(&["rev-parse", "HEAD"]).trim().to_string()));
}

/// The real thing for pre-commit: a real `git commit` through the installed hook and the
/// real `leakgate pre-commit` review.
#[test]
fn end_to_end_commit_through_the_real_pre_commit() {
    let h = H::new();
    let real = assert_cmd::cargo::cargo_bin("leakgate");
    let env = [("LEAKGATE_BIN", real.to_str().unwrap())];
    h.repo.write(
        "package.json",
        r#"{ "name": "@acme/tool", "version": "1.0.0", "main": "index.js" }"#,
    );
    h.repo.write("index.js", "module.exports = 1;\n");
    h.repo.commit_all("package");
    ok(&h.lg(&["install"]));

    h.repo.write("index.js", "module.exports = 2;\n");
    h.repo.git(&["add", "index.js"]);
    let out = h.git(&["commit", "-q", "-m", "harmless"], &env);
    assert!(
        out.status.success(),
        "a harmless commit was blocked: {}",
        stderr(&out)
    );

    let head = h.repo.git(&["rev-parse", "HEAD"]);
    h.repo.write(".env", "API_TOKEN=s3cr3t-value-for-tests\n");
    h.repo.git(&["add", ".env"]);
    let out = h.git(&["commit", "-q", "-m", "env"], &env);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        all.contains("error[file/denied]") && all.contains("--no-verify"),
        "{all}"
    );
    assert_eq!(
        h.repo.git(&["rev-parse", "HEAD"]),
        head,
        "no commit was made"
    );
}

/// When leakgate can't run the check (here: an invalid leakgate.toml), the commit and the
/// push are blocked and the bypass is said once, by the binary, not again by the shim.
#[test]
fn a_hook_error_blocks_and_names_the_bypass_once() {
    let h = H::new();
    let real = assert_cmd::cargo::cargo_bin("leakgate");
    let env = [("LEAKGATE_BIN", real.to_str().unwrap())];
    h.repo.write("index.js", "module.exports = 1;\n");
    h.repo.commit_all("init");
    ok(&h.lg(&["install"]));
    let _remote = h.add_remote();
    h.repo.write("leakgate.toml", "[hooks]\nno-such-key = 1\n");

    let out = h.commit("a.txt", &env);
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("leakgate.toml:2"), "{all}");
    assert_eq!(all.matches("git commit --no-verify").count(), 1, "{all}");

    let out = h.git(&["push", "-q", "origin", "main"], &env);
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert_ne!(out.status.code(), Some(0), "{all}");
    assert_eq!(all.matches("git push --no-verify").count(), 1, "{all}");

    // A crash (not leakgate's own exit 2) still gets the shim's bypass line.
    let crash = h.repo.path().join("crash.sh");
    std::fs::write(&crash, "#!/bin/sh\nexit 101\n").unwrap();
    std::fs::set_permissions(&crash, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = h.commit("b.txt", &[("LEAKGATE_BIN", crash.to_str().unwrap())]);
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("leakgate failed (exit 101)"), "{all}");
    assert_eq!(all.matches("git commit --no-verify").count(), 1, "{all}");
}

/// The shims and husky blocks leakgate wrote before the hooks looked in node_modules/.bin.
fn previous(name: &str) -> String {
    read(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/fixtures/hooks/previous/{name}")),
    )
}

/// A repository set up by an earlier leakgate (or a teammate's clone of one: no install
/// state) gets this version's shims and blocks from a plain `install`, in place; a second
/// install changes nothing; an edited old shim is still refused without --force.
#[test]
fn install_upgrades_what_an_earlier_version_wrote_in_place() {
    // Plain shims, no state file (a lost .git/leakgate, or shims committed in .githooks).
    let h = H::new();
    for hook in ["pre-commit", "pre-push"] {
        write_exec(
            &h.repo.join(&format!(".git/hooks/{hook}")),
            &previous(hook),
            0o755,
        );
    }
    h.doctor_expect(0, "pre-commit", "earlier leakgate version's shim");
    let out = ok(&h.lg(&["install"]));
    assert!(out.contains("updated the shim to this version"), "{out}");
    assert_eq!(read(&h.repo.join(".git/hooks/pre-commit")), SHIM_PRE_COMMIT);
    assert_eq!(read(&h.repo.join(".git/hooks/pre-push")), SHIM_PRE_PUSH);
    assert!(!h
        .repo
        .join(".git/hooks/pre-commit.leakgate-chained")
        .exists());
    let installed = snapshot(&h.repo.join(".git"));
    let out = ok(&h.lg(&["install"]));
    assert!(out.contains("already installed"), "{out}");
    assert_eq!(snapshot(&h.repo.join(".git")), installed);
    ok(&h.commit("a.txt", &[]));
    assert!(h.log("leakgate-pre-commit.args").exists());

    let edited = H::new();
    let shim = edited.repo.join(".git/hooks/pre-commit");
    write_exec(
        &shim,
        &format!("{}echo mine\n", previous("pre-commit")),
        0o755,
    );
    let out = edited.lg(&["install"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("was edited"), "{}", stderr(&out));

    // husky: the old blocks committed in .husky/, as a teammate's clone has them.
    let h = H::new();
    fake_husky_v9(&h.repo);
    let team = "npm test\n";
    h.repo.write(
        ".husky/pre-commit",
        format!("{}{team}", previous("husky-pre-commit")),
    );
    h.repo.write(
        ".husky/pre-push",
        format!("{}{team}", previous("husky-pre-push")),
    );
    h.doctor_expect(0, "pre-commit", "earlier leakgate version's");
    let out = ok(&h.lg(&["install"]));
    assert!(
        out.contains("updated the leakgate block to this version"),
        "{out}"
    );
    let pc = read(&h.repo.join(".husky/pre-commit"));
    assert_eq!(pc, format!("{}{team}", husky_block("pre-commit")));
    assert_eq!(
        read(&h.repo.join(".husky/pre-push")),
        format!("{}{team}", husky_block("pre-push"))
    );
    let installed = snapshot(&h.repo.join(".husky"));
    ok(&h.lg(&["install"]));
    assert_eq!(snapshot(&h.repo.join(".husky")), installed);
    h.doctor_expect(0, "pre-commit", "husky runs the leakgate block");
    ok(&h.lg(&["uninstall"]));
    assert_eq!(read(&h.repo.join(".husky/pre-commit")), team);

    // lefthook: the old `run: leakgate pre-commit` block.
    let h = H::new();
    let old = "# >>> leakgate pre-commit >>>\npre-commit:\n  commands:\n    leakgate:\n      run: leakgate pre-commit\n# <<< leakgate pre-commit <<<\n";
    h.repo.write("lefthook.yml", old);
    let out = ok(&h.lg(&["install"]));
    assert!(
        out.contains("updated the leakgate block to this version"),
        "{out}"
    );
    let text = read(&h.repo.join("lefthook.yml"));
    assert!(
        text.starts_with(&format!("# >>> leakgate pre-commit >>>\npre-commit:\n  commands:\n    leakgate:\n      run: {LEFTHOOK_PRE_COMMIT}\n# <<< leakgate pre-commit <<<\n")),
        "{text}"
    );
    ok(&h.lg(&["install"]));
    assert_eq!(read(&h.repo.join("lefthook.yml")), text);
}

fn husky_block(hook: &str) -> &'static str {
    match hook {
        "pre-commit" => include_str!("../hooks/husky-pre-commit"),
        _ => include_str!("../hooks/husky-pre-push"),
    }
}

impl H {
    /// Real git in the repository with no LEAKGATE_BIN, and a PATH without leakgate, so
    /// the hooks find the binary on their own.
    fn git_unpinned(&self, args: &[&str], extra: &[(&str, &str)]) -> Output {
        let mut cmd = std::process::Command::new("git");
        cmd.args(args)
            .current_dir(self.repo.path())
            .env("HOME", self.log.path())
            .env("GIT_CONFIG_GLOBAL", self.repo.join(".gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("PATH", "/usr/bin:/bin")
            .env_remove("CARGO_HOME")
            .env_remove("LEAKGATE_BIN")
            .env_remove("LEAKGATE_SKIP");
        for (k, v) in extra {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    /// Puts the recording stand-in at node_modules/.bin/leakgate, as `npm i -D leakgate`
    /// would put the launcher there.
    fn npm_install_fake(&self) {
        let bin = self.repo.join("node_modules/.bin/leakgate");
        std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
        std::fs::copy(&self.bin, &bin).unwrap();
        self.repo.write(".gitignore", "node_modules/\n");
    }
}

/// The project's own leakgate (node_modules/.bin at the top of the work tree) is what the
/// shims and the husky block run when LEAKGATE_BIN is unset and nothing is on PATH; an
/// explicit LEAKGATE_BIN still wins.
#[test]
fn hooks_run_the_projects_node_modules_leakgate() {
    let h = H::new();
    h.npm_install_fake();
    ok(&h.lg(&["install"]));
    h.repo.write("a.txt", "x\n");
    h.repo.git(&["add", "a.txt"]);
    let out = h.git_unpinned(&["commit", "-q", "-m", "a"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(read(&h.log("leakgate-pre-commit.args")), "pre-commit\n");

    // Exit 1 from it blocks.
    std::fs::write(h.log("exit"), "1").unwrap();
    h.repo.write("b.txt", "x\n");
    h.repo.git(&["add", "b.txt"]);
    assert!(!h
        .git_unpinned(&["commit", "-q", "-m", "b"], &[])
        .status
        .success());

    // LEAKGATE_BIN, when set, is used instead.
    let other = tempfile::tempdir().unwrap();
    let other_bin = fake_leakgate(other.path());
    let out = h.git_unpinned(
        &["commit", "-q", "-m", "b"],
        &[("LEAKGATE_BIN", other_bin.to_str().unwrap())],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(other.path().join("leakgate-pre-commit.args").exists());

    // The husky block does the same.
    let h = H::new();
    fake_husky_v9(&h.repo);
    h.npm_install_fake();
    ok(&h.lg(&["install"]));
    h.repo.write("a.txt", "x\n");
    h.repo.git(&["add", "a.txt"]);
    let out = h.git_unpinned(&["commit", "-q", "-m", "a"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(read(&h.log("leakgate-pre-commit.args")), "pre-commit\n");
}

/// Without any binary, a repository with a package.json is told the npm route: `npm i -D
/// leakgate` when package.json doesn't list it, the install command when it does.
#[test]
fn missing_binary_message_names_the_npm_route() {
    for husky in [false, true] {
        let h = H::new();
        if husky {
            fake_husky_v9(&h.repo);
        }
        h.repo
            .write("package.json", "{\"name\":\"app\",\"private\":true}\n");
        ok(&h.lg(&["install"]));
        h.repo.write("a.txt", "x\n");
        h.repo.git(&["add", "a.txt"]);
        let out = h.git_unpinned(&["commit", "-q", "-m", "a"], &[]);
        assert!(!out.status.success());
        let err = stderr(&out);
        assert!(err.contains("npm i -D leakgate"), "{err}");
        assert!(err.contains("install.sh"), "{err}");

        h.repo.write(
            "package.json",
            "{\"name\":\"app\",\"devDependencies\":{\"leakgate\":\"^0.1.0\"}}\n",
        );
        let out = h.git_unpinned(&["commit", "-q", "-m", "a"], &[]);
        assert!(!out.status.success());
        let err = stderr(&out);
        assert!(
            err.contains("npm install (package.json lists leakgate"),
            "{err}"
        );
        assert!(!err.contains("npm i -D"), "{err}");
    }
}

/// install says how to pin leakgate in a package.json that doesn't list it, with the
/// repository's own package manager; nothing when devDependencies has it.
#[test]
fn install_says_how_to_add_leakgate_to_dev_dependencies() {
    let h = H::new();
    h.repo.write("package.json", "{\"name\":\"app\"}\n");
    let out = ok(&h.lg(&["install"]));
    assert!(
        out.contains("`npm i -D leakgate` adds it to devDependencies"),
        "{out}"
    );
    h.repo.write("yarn.lock", "");
    let out = ok(&h.lg(&["install"]));
    assert!(
        out.contains("`yarn add -D leakgate`") && out.contains("yarn.lock"),
        "{out}"
    );
    h.repo.remove("yarn.lock");
    h.repo.write("pnpm-lock.yaml", "");
    assert!(ok(&h.lg(&["install"])).contains("`pnpm add -D leakgate`"));
    h.repo.write(
        "package.json",
        "{\"name\":\"app\",\"devDependencies\":{\"leakgate\":\"^0.1.0\"}}\n",
    );
    let out = ok(&h.lg(&["install"]));
    assert!(!out.contains("leakgate`"), "{out}");
}

/// doctor names the binary the hooks run and its version, and compares it with what
/// package.json pins and node_modules holds.
#[test]
fn doctor_reports_the_project_binary_and_the_pin() {
    let h = H::new();
    ok(&h.lg(&["install"]));
    // The real binary as the project's node_modules/.bin/leakgate (npm links the launcher
    // there; what matters here is what answers --version).
    let version = env!("CARGO_PKG_VERSION");
    let bin = h.repo.join("node_modules/.bin/leakgate");
    std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin("leakgate"), &bin).unwrap();
    h.repo.write(
        "node_modules/leakgate/package.json",
        format!("{{\"name\":\"leakgate\",\"version\":\"{version}\"}}"),
    );
    h.repo.write(
        "package.json",
        format!("{{\"devDependencies\":{{\"leakgate\":\"^{version}\"}}}}"),
    );
    let doctor = || {
        common::leakgate()
            .arg("doctor")
            .current_dir(h.repo.path())
            .env("HOME", h.repo.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("PATH", "/usr/bin:/bin")
            .env_remove("LEAKGATE_BIN")
            .env_remove("CARGO_HOME")
            .output()
            .unwrap()
    };
    let out = doctor();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let line = doctor_line(&out, "binary");
    assert!(line.starts_with("  ok"), "{line}");
    assert!(
        line.contains(&format!(
            "node_modules/.bin/leakgate (version {version}, from the project's node_modules)"
        )),
        "{line}"
    );
    let line = doctor_line(&out, "npm");
    assert!(
        line.starts_with("  ok") && line.contains("the version the hooks run"),
        "{line}"
    );

    // A pin node_modules doesn't satisfy (package.json bumped, install not run yet).
    h.repo.write(
        "package.json",
        "{\"devDependencies\":{\"leakgate\":\"99.0.0\"}}",
    );
    let out = doctor();
    let line = doctor_line(&out, "npm");
    assert!(line.starts_with("  warn"), "{line}");
    assert!(
        line.contains(&format!("node_modules has {version}: run `npm install`")),
        "{line}"
    );

    // node_modules without leakgate: the hooks fall back to another binary, and doctor says
    // which version that is.
    std::fs::remove_dir_all(h.repo.join("node_modules")).unwrap();
    h.repo.write(
        "package.json",
        format!("{{\"devDependencies\":{{\"leakgate\":\"{version}\"}}}}"),
    );
    let out = h.doctor(h.repo.path());
    let line = doctor_line(&out, "npm");
    assert!(
        line.contains("node_modules has no leakgate: run `npm install`"),
        "{line}"
    );
    assert!(
        doctor_line(&out, "binary").contains("from LEAKGATE_BIN"),
        "{out:?}"
    );
}

/// A panic is a bug, never a verdict: through the real shims, with `[hooks] on-error =
/// "allow"`, a panic on the main thread (pre-commit) or on a worker judging a packed file
/// (pre-push) blocks and prints the bypass; `leakgate audit` exits 2. (Debug builds panic
/// where `LEAKGATE_DEBUG_PANIC` says.)
#[test]
fn a_panic_blocks_the_hooks_even_with_on_error_allow() {
    let h = H::new();
    let real = assert_cmd::cargo::cargo_bin("leakgate");
    h.repo.write(
        "package.json",
        r#"{ "name": "@acme/tool", "version": "1.0.0", "main": "index.js" }"#,
    );
    h.repo.write("index.js", "module.exports = 1;\n");
    h.repo
        .write("leakgate.toml", "[hooks]\non-error = \"allow\"\n");
    h.repo.commit_all("package");
    ok(&h.lg(&["install"]));
    let _remote = h.add_remote();
    let bin = real.to_str().unwrap();

    let env = [
        ("LEAKGATE_BIN", bin),
        ("LEAKGATE_DEBUG_PANIC", "pre-commit"),
    ];
    let out = h.commit("a.txt", &env);
    let err = stderr(&out);
    assert!(!out.status.success(), "the commit went through: {err}");
    assert!(err.contains("bug in leakgate"), "{err}");
    assert!(err.contains("git commit --no-verify"), "{err}");
    assert!(!err.contains("letting the commit through"), "{err}");

    let env = [("LEAKGATE_BIN", bin), ("LEAKGATE_DEBUG_PANIC", "index.js")];
    let out = h.git(&["push", "-q", "origin", "main"], &env);
    let err = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!out.status.success(), "the push went through: {err}");
    assert!(err.contains("LEAKGATE_DEBUG_PANIC at index.js"), "{err}");
    assert!(err.contains("git push --no-verify"), "{err}");
    assert!(!err.contains("letting the push through"), "{err}");
    let remote_head = h.git(&["ls-remote", "origin"], &[]);
    assert!(stdout(&remote_head).trim().is_empty(), "nothing was pushed");

    let out = common::leakgate()
        .arg("audit")
        .current_dir(h.repo.path())
        .env("LEAKGATE_DEBUG_PANIC", "index.js")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// Two `leakgate install` at once must not lose the user's own hook: without a lock, both
/// saw it, both renamed `pre-commit` to `pre-commit.leakgate-chained`, and the second rename
/// moved the first one's shim over the user's hook. Install and uninstall hold an exclusive
/// lock in the git dir, so the second waits for the first.
#[test]
fn concurrent_installs_keep_the_users_hook() {
    let bin = assert_cmd::cargo::cargo_bin("leakgate");
    for round in 0..3 {
        let h = H::new();
        let own = old_hook(h.log.path(), "pre-commit", 0);
        let hooks = h.repo.join(".git/hooks");
        write_exec(&hooks.join("pre-commit"), &own, 0o755);
        let children: Vec<_> = (0..3)
            .map(|_| {
                std::process::Command::new(&bin)
                    .arg("install")
                    .current_dir(h.repo.path())
                    .env("HOME", h.repo.path())
                    .env("GIT_CONFIG_NOSYSTEM", "1")
                    // Debug builds wait here between seeing the user's hook and moving it.
                    .env("LEAKGATE_DEBUG_PAUSE", "install-chain:150")
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}: {}", stderr(&out));
        }
        let chained = hooks.join("pre-commit.leakgate-chained");
        assert_eq!(
            std::fs::read_to_string(&chained).unwrap_or_default(),
            own,
            "round {round}: the user's hook was lost"
        );
        assert_eq!(
            read(&hooks.join("pre-commit")),
            SHIM_PRE_COMMIT,
            "round {round}"
        );
        assert!(!h.repo.join(".git/leakgate/install.lock").exists());
    }
}

/// Text that merely mentions `leakgate pre-commit` (a comment, another command's value,
/// another hook's section) is not an entry that runs it: install adds the entries and
/// doctor reports them missing until then. Only a `run:` of an entry under `<hook>:
/// commands:` (or a `jobs:` item) counts, and pre-push's needs its own `use_stdin: true`.
#[test]
fn lefthook_mentions_of_leakgate_are_not_entries() {
    let h = H::new();
    let original = "# TODO: run leakgate pre-commit and leakgate pre-push here\n\
pre-commit:\n  commands:\n    lint:\n      run: eslint  # later: leakgate pre-commit\n      glob: \"leakgate pre-commit\"\n\
pre-push:\n  commands:\n    test:\n      run: npm test\n      use_stdin: true\n\
post-checkout:\n  commands:\n    x:\n      run: leakgate pre-push {1} {2}\n";
    h.repo.write("lefthook.yml", original);
    for hook in ["pre-commit", "pre-push"] {
        write_exec(
            &h.repo.join(&format!(".git/hooks/{hook}")),
            &format!("#!/bin/sh\n# lefthook's hook\ncall_lefthook run \"{hook}\" \"$@\"\n"),
            0o755,
        );
    }
    h.doctor_expect(1, "pre-commit", "does not run leakgate");
    h.doctor_expect(1, "pre-push", "does not run leakgate");
    let out = ok(&h.lg(&["install"]));
    assert!(!out.contains("already runs leakgate"), "{out}");
    let text = read(&h.repo.join("lefthook.yml"));
    assert!(
        text.contains("    leakgate:\n      run: if [ -x node_modules/.bin/leakgate ]; then node_modules/.bin/leakgate pre-commit; else leakgate pre-commit; fi\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "    leakgate:\n      run: if [ -x node_modules/.bin/leakgate ]; then node_modules/.bin/leakgate pre-push {1} {2}; else leakgate pre-push {1} {2}; fi\n      use_stdin: true\n"
        ),
        "{text}"
    );
    h.doctor_expect(0, "pre-commit", "lefthook runs leakgate");
    h.doctor_expect(0, "pre-push", "lefthook runs leakgate");

    // A real entry by hand counts; without its own use_stdin (another command's doesn't
    // count), doctor warns.
    let by_hand = "pre-commit:\n  commands:\n    gate:\n      run: leakgate pre-commit\npre-push:\n  commands:\n    test:\n      run: npm test\n      use_stdin: true\n    gate:\n      run: npx leakgate pre-push {1} {2}\n";
    h.repo.write("lefthook.yml", by_hand);
    h.doctor_expect(0, "pre-push", "without `use_stdin: true`");
    h.doctor_expect(0, "pre-commit", "lefthook runs leakgate");
}
