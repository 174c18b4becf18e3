//! Test helpers shared by the integration tests: real git repositories in temp dirs and
//! the built `leakgate` binary run through `assert_cmd`.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::process::Output;
use tempfile::TempDir;

/// A real git repository in a temporary directory (deleted on drop).
pub struct TempRepo {
    dir: TempDir,
}

impl TempRepo {
    /// `git init` in a fresh temp dir, with a user identity and `main` as the branch.
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("leakgate-test-")
            .tempdir()
            .expect("tempdir");
        let repo = TempRepo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.name", "Test"]);
        repo.git(&["config", "user.email", "test@example.com"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo
    }

    /// The work tree root.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Absolute path of `rel` inside the repository.
    pub fn join(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes a file (creating parent directories).
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> &Self {
        let path = self.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, contents).expect("write");
        self
    }

    /// Reads a file.
    pub fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.join(rel)).expect("read")
    }

    /// Removes a file.
    pub fn remove(&self, rel: &str) -> &Self {
        std::fs::remove_file(self.join(rel)).expect("remove");
        self
    }

    /// Runs git in the repository and asserts it succeeded; returns stdout.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.git_output(args);
        assert!(
            out.status.success(),
            "git {:?} failed: {}",
            args,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs git in the repository and returns its raw output (success not checked).
    pub fn git_output(&self, args: &[&str]) -> Output {
        std::process::Command::new("git")
            .args(args)
            .current_dir(self.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", self.path())
            .output()
            .expect("run git")
    }

    /// `git add -A`.
    pub fn stage_all(&self) -> &Self {
        self.git(&["add", "-A"]);
        self
    }

    /// `git add -A && git commit -m msg --no-verify`.
    pub fn commit_all(&self, msg: &str) -> &Self {
        self.stage_all();
        self.git(&["commit", "-q", "--no-verify", "-m", msg]);
        self
    }

    /// The built `leakgate` binary, run in the repository with colour off.
    pub fn leakgate(&self) -> Command {
        let mut cmd = leakgate();
        cmd.current_dir(self.path());
        cmd
    }

    /// `leakgate pre-push origin x` with `args` after them, fed `stdin` as git feeds the
    /// hook its ref lines (see [`push_line`]).
    pub fn pre_push(&self, args: &[&str], stdin: impl Into<Vec<u8>>) -> Output {
        self.leakgate()
            .args(["pre-push", "origin", "x"])
            .args(args)
            .write_stdin(stdin)
            .output()
            .unwrap()
    }

    /// The ref line git writes for a first push of HEAD to `main` (nothing there yet).
    pub fn first_push_line(&self) -> String {
        let head = self.git(&["rev-parse", "HEAD"]).trim().to_string();
        push_line("refs/heads/main", &head, None)
    }
}

/// One line of git's pre-push stdin: `local_ref` at `sha` pushed to the same ref, which the
/// remote has at `remote` (`None`: a new ref there, all zeros).
pub fn push_line(local_ref: &str, sha: &str, remote: Option<&str>) -> String {
    let zero = "0".repeat(40);
    let remote = remote.unwrap_or(&zero);
    format!("{local_ref} {sha} {local_ref} {remote}\n")
}

/// The built `leakgate` binary with a clean environment for colour.
pub fn leakgate() -> Command {
    let mut cmd = Command::cargo_bin("leakgate").expect("leakgate binary");
    cmd.env("NO_COLOR", "1").env_remove("LEAKGATE_SKIP");
    cmd
}

/// True when `npm` is on PATH. Tests named `npm_*` need it: they fail (not skip) without it,
/// because CI must have it.
pub fn require_npm() {
    let ok = std::process::Command::new("npm")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        ok,
        "this test needs the real `npm` on PATH (it is the oracle for `npm pack`)"
    );
}

/// Compares `actual` with the committed file `relative` (to the crate root), or writes it
/// there when `LEAKGATE_BLESS` is set. `rerun` is the test command that regenerates it, named
/// in the failure with the first line that differs.
pub fn assert_golden(relative: &str, actual: &str, rerun: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    if std::env::var_os("LEAKGATE_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!("{relative} is missing: run LEAKGATE_BLESS=1 {rerun}");
    });
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{relative} differs at line {} (LEAKGATE_BLESS=1 {rerun} to accept, then review the diff):\n--- expected\n{expected}\n--- actual\n{actual}",
            first + 1
        );
    }
}

/// The bytes of `rel` under `tests/fixtures/sourcemaps/` (real bundler outputs, see its
/// README), e.g. `fixture("esbuild-linked/index.js.map")`.
pub fn fixture(rel: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sourcemaps")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A generated GitHub-token-shaped string (never a real credential), different per `seed`.
pub fn fake_ghp(seed: u64) -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut x: u64 = seed | 1;
    let body: String = (0..36)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            alphabet[(x % 62) as usize] as char
        })
        .collect();
    format!("ghp_{body}")
}

/// The real publishers installed by `scripts/publishers.sh` (pnpm 12.26, yarn 4.18 as
/// `@yarnpkg/cli-dist`, bun 1.4), once per test binary; the script's lock file lets several
/// binaries ask at once. Tests named `publisher_*` need them: they fail when the tools can't
/// be installed, except that they may skip (loudly) when the registry is unreachable and
/// `CI` is unset. `None` = skip.
pub fn publisher_tools() -> Option<&'static PublisherTools> {
    static TOOLS: std::sync::OnceLock<Option<PublisherTools>> = std::sync::OnceLock::new();
    TOOLS
        .get_or_init(|| {
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/publishers.sh");
            let out = std::process::Command::new("bash")
                .arg(&script)
                .output()
                .expect("run scripts/publishers.sh");
            let stderr = String::from_utf8_lossy(&out.stderr);
            match out.status.code() {
                Some(0) => {}
                Some(3) if std::env::var_os("CI").is_none() => {
                    eprintln!(
                        "\n*** SKIPPING publisher differential: the package registry is \
                         unreachable and CI is unset ***\n{stderr}"
                    );
                    return None;
                }
                _ => panic!(
                    "scripts/publishers.sh could not install pnpm, yarn and bun ({}):\n{stderr}",
                    out.status
                ),
            }
            let text = String::from_utf8_lossy(&out.stdout);
            let get = |name: &str| -> PathBuf {
                text.lines()
                    .find_map(|l| l.strip_prefix(&format!("{name}=")))
                    .map(PathBuf::from)
                    .unwrap_or_else(|| panic!("scripts/publishers.sh printed no {name}: {text}"))
            };
            Some(PublisherTools {
                pnpm: get("pnpm"),
                yarn: get("yarn"),
                bun: get("bun"),
            })
        })
        .as_ref()
}

/// Paths of the real publishers (see [`publisher_tools`]).
pub struct PublisherTools {
    /// The pnpm executable.
    pub pnpm: PathBuf,
    /// yarn berry's `yarn.js` (run with node).
    pub yarn: PathBuf,
    /// The bun executable.
    pub bun: PathBuf,
}
