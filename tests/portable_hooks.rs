//! The hook scripts outside bash-on-Linux: run under `dash` and `bash --posix` (the strict
//! POSIX shells closest to macOS's `sh` and Git for Windows' sh), with a Windows-style
//! `LEAKGATE_BIN` (through `cygpath`, as MSYS has it), a `leakgate.exe` in cargo's bin, a
//! CRLF leakgate.toml, and no GNU-only tools; `--amend` detected without `/proc`.

mod common;

use common::TempRepo;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const HOOKS: [&str; 4] = [
    "hooks/pre-commit",
    "hooks/pre-push",
    "hooks/husky-pre-commit",
    "hooks/husky-pre-push",
];

/// The shells to try: `dash` when installed (CI images have it; Debian's /bin/sh), and
/// bash in POSIX mode.
fn shells() -> Vec<Vec<&'static str>> {
    let mut shells = vec![vec!["bash", "--posix"]];
    if Command::new("dash").arg("-c").arg(":").status().is_ok() {
        shells.push(vec!["dash"]);
    } else {
        eprintln!("note: no dash here; bash --posix only");
    }
    shells
}

/// A repository with a clean package; `risky` stages a build that turns source maps on.
fn repo() -> TempRepo {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        "{\n  \"name\": \"@acme/cli\",\n  \"version\": \"1.0.0\",\n  \"files\": [\"dist/*.js\"],\n  \"scripts\": { \"build\": \"bun build src/cli.ts --outdir dist --target node\" }\n}\n",
    )
    .write("src/cli.ts", "export const x = 1;\n")
    .commit_all("init");
    repo
}

fn risky(repo: &TempRepo) {
    let pkg = String::from_utf8(repo.read("package.json")).unwrap();
    repo.write(
        "package.json",
        pkg.replace("--target node", "--target node --sourcemap"),
    )
    .stage_all();
}

/// Runs a hook script with `shell` in the work tree as git would (cwd = top, args).
fn run_hook(
    shell: &[&str],
    repo: &TempRepo,
    script: &str,
    args: &[&str],
    env: &[(&str, &str)],
    path: Option<&str>,
) -> Output {
    let mut cmd = Command::new(shell[0]);
    cmd.args(&shell[1..])
        .arg(Path::new(ROOT).join(script))
        .args(args)
        .current_dir(repo.path())
        .env("NO_COLOR", "1")
        .env("HOME", repo.path())
        .env_remove("LEAKGATE_BIN")
        .env_remove("LEAKGATE_SKIP")
        .env_remove("CARGO_HOME");
    if let Some(p) = path {
        cmd.env("PATH", p);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run the shell")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_leakgate"))
}

/// A PATH holding only what the hooks need besides leakgate (git, awk, grep, …): the
/// directories of those tools, never the one leakgate was built in.
fn path_without_leakgate() -> String {
    std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .filter(|d| !Path::new(d).join("leakgate").exists())
        .collect::<Vec<_>>()
        .join(":")
}

#[test]
fn hook_scripts_parse_under_posix_shells_and_use_no_gnu_only_tools() {
    for shell in shells() {
        for hook in HOOKS {
            let out = Command::new(shell[0])
                .args(&shell[1..])
                .arg("-n")
                .arg(Path::new(ROOT).join(hook))
                .output()
                .unwrap();
            assert!(out.status.success(), "{shell:?} -n {hook}: {}", text(&out));
        }
    }
    // Constructs that break under macOS's bash 3.2 / BSD tools or Git for Windows' sh.
    let banned = [
        (" [[ ", "bash-only test"),
        ("function ", "bash-only function syntax"),
        ("local ", "not POSIX"),
        ("$'", "bash-only quoting"),
        ("echo -e", "not portable"),
        ("sed -i", "GNU and BSD differ"),
        ("readlink -f", "not on macOS 12"),
        ("realpath", "not on older macOS"),
        ("grep -P", "not in BSD grep"),
        ("stat -c", "GNU only"),
        ("date -d", "GNU only"),
        ("/proc/", "no /proc on macOS or Windows"),
        ("mktemp -d --", "GNU long option"),
        ("<<<", "bash-only here-string"),
        ("${!", "bash-only indirection"),
        ("pipefail", "not in POSIX sh"),
    ];
    for hook in HOOKS {
        let script = std::fs::read_to_string(Path::new(ROOT).join(hook)).unwrap();
        assert!(!script.contains('\r'), "{hook} has CRLF line ends");
        for line in script.lines().filter(|l| !l.trim_start().starts_with('#')) {
            for (pattern, why) in banned {
                assert!(
                    !line.contains(pattern),
                    "{hook}: `{pattern}` ({why}) in: {line}"
                );
            }
        }
    }
}

#[test]
fn shims_block_and_pass_under_posix_shells() {
    let bin = bin();
    let bin = bin.to_str().unwrap();
    for shell in shells() {
        for hook in ["hooks/pre-commit", "hooks/husky-pre-commit"] {
            let repo = repo();
            let out = run_hook(&shell, &repo, hook, &[], &[("LEAKGATE_BIN", bin)], None);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{shell:?} {hook}: {}",
                text(&out)
            );
            risky(&repo);
            let out = run_hook(&shell, &repo, hook, &[], &[("LEAKGATE_BIN", bin)], None);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{shell:?} {hook}: {}",
                text(&out)
            );
            assert!(
                text(&out).contains("bundler/sourcemap-enabled"),
                "{shell:?} {hook}: {}",
                text(&out)
            );
        }
        // pre-push reads the ref lines on stdin: a push that deletes a branch checks nothing.
        for hook in ["hooks/pre-push", "hooks/husky-pre-push"] {
            let repo = repo();
            let mut cmd = Command::new(shell[0]);
            cmd.args(&shell[1..])
                .arg(Path::new(ROOT).join(hook))
                .args(["origin", "https://example.invalid/acme.git"])
                .current_dir(repo.path())
                .env("LEAKGATE_BIN", bin)
                .env("NO_COLOR", "1")
                .stdin(std::process::Stdio::piped());
            let mut child = cmd
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(
                    format!(
                        "(delete) {z} refs/heads/old {z}\n",
                        z = "0000000000000000000000000000000000000000"
                    )
                    .as_bytes(),
                )
                .unwrap();
            let out = child.wait_with_output().unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{shell:?} {hook}: {}",
                text(&out)
            );
        }
    }
}

/// Git for Windows: LEAKGATE_BIN as a Windows path, which MSYS's `cygpath -u` turns into a
/// path its sh can run; cargo's bin holds `leakgate.exe`.
#[test]
fn windows_paths_and_exe_suffix_are_found() {
    let tools = tempfile::tempdir().unwrap();
    // A cygpath that maps the one Windows path of this test to the real binary, and says
    // what it was asked (to prove the hook asked).
    let log = tools.path().join("cygpath.log");
    std::fs::write(
        tools.path().join("cygpath"),
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\n[ \"$2\" = 'C:\\tools\\leakgate.exe' ] && printf '%s\\n' '{}' && exit 0\nprintf '%s\\n' \"$2\"\n",
            log.display(),
            bin().display()
        ),
    )
    .unwrap();
    make_executable(&tools.path().join("cygpath"));
    let path = format!("{}:{}", tools.path().display(), path_without_leakgate());
    for shell in shells() {
        for hook in ["hooks/pre-commit", "hooks/husky-pre-commit"] {
            let repo = repo();
            risky(&repo);
            let out = run_hook(
                &shell,
                &repo,
                hook,
                &[],
                &[("LEAKGATE_BIN", r"C:\tools\leakgate.exe")],
                Some(&path),
            );
            assert_eq!(
                out.status.code(),
                Some(1),
                "{shell:?} {hook}: {}",
                text(&out)
            );
            assert!(
                text(&out).contains("bundler/sourcemap-enabled"),
                "{}",
                text(&out)
            );
        }
    }
    let asked = std::fs::read_to_string(&log).unwrap();
    assert!(asked.contains(r"-u C:\tools\leakgate.exe"), "{asked}");

    // leakgate.exe in ~/.cargo/bin, nothing on PATH, no LEAKGATE_BIN.
    for shell in shells() {
        for hook in ["hooks/pre-commit", "hooks/husky-pre-commit"] {
            let repo = repo();
            let cargo_bin = repo.join(".cargo/bin");
            std::fs::create_dir_all(&cargo_bin).unwrap();
            std::os::unix::fs::symlink(bin(), cargo_bin.join("leakgate.exe")).unwrap();
            repo.write(".gitignore", ".cargo/\n");
            risky(&repo);
            let out = run_hook(
                &shell,
                &repo,
                hook,
                &[],
                &[],
                Some(&path_without_leakgate()),
            );
            assert_eq!(
                out.status.code(),
                Some(1),
                "{shell:?} {hook}: {}",
                text(&out)
            );
            assert!(
                text(&out).contains("bundler/sourcemap-enabled"),
                "{}",
                text(&out)
            );
        }
    }
}

/// A leakgate.toml saved with CRLF line ends (Windows editors, autocrlf) still configures
/// the hooks: `require-binary = false` lets a commit through when there is no binary.
#[test]
fn crlf_config_is_read_by_the_hooks() {
    for shell in shells() {
        for hook in ["hooks/pre-commit", "hooks/husky-pre-commit"] {
            let repo = repo();
            repo.write("leakgate.toml", "[hooks]\r\nrequire-binary = false\r\n");
            let out = run_hook(
                &shell,
                &repo,
                hook,
                &[],
                &[],
                Some(&path_without_leakgate()),
            );
            assert_eq!(
                out.status.code(),
                Some(0),
                "{shell:?} {hook}: {}",
                text(&out)
            );
            assert!(
                text(&out).contains("continuing without the check"),
                "{}",
                text(&out)
            );
            // The near miss: the same file saying true blocks, and says where to get leakgate.
            repo.write("leakgate.toml", "[hooks]\r\nrequire-binary = true\r\n");
            let out = run_hook(
                &shell,
                &repo,
                hook,
                &[],
                &[],
                Some(&path_without_leakgate()),
            );
            assert_eq!(
                out.status.code(),
                Some(1),
                "{shell:?} {hook}: {}",
                text(&out)
            );
            let said = text(&out);
            assert!(said.contains("npm i -D leakgate"), "{said}");
            assert!(!said.contains("leakgate checkout"), "{said}");
        }
    }
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// `git commit --amend` through a real hook with /proc out of the picture: `ps` finds the
/// git process; without a usable `ps` the hook says it could not tell.
#[test]
fn amend_is_detected_without_proc() {
    let bin = bin();
    let hooks = |repo: &TempRepo| {
        let hook = format!("#!/bin/sh\nexec \"{}\" pre-commit\n", bin.display());
        let path = repo.join(".git/hooks/pre-commit");
        std::fs::write(&path, hook).unwrap();
        make_executable(&path);
    };
    let repo = repo();
    hooks(&repo);
    risky(&repo);
    repo.git(&["commit", "-q", "--no-verify", "-m", "risky"]);
    let amend = |env: &[(&str, &str)]| {
        let mut cmd = Command::new("git");
        cmd.args(["commit", "-q", "--amend", "-m", "reworded"])
            .current_dir(repo.path())
            .env("NO_COLOR", "1")
            .env("LEAKGATE_TEST_NO_PROC", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    // Through `ps`: the amended commit still holds the risky change, so it is blocked.
    let out = amend(&[]);
    assert!(!out.status.success(), "amend not detected: {}", text(&out));
    assert!(
        text(&out).contains("bundler/sourcemap-enabled"),
        "{}",
        text(&out)
    );

    // No `ps` on PATH (a directory with git alone): reviewed against HEAD, with the note.
    let only_git = tempfile::tempdir().unwrap();
    let git = String::from_utf8(
        Command::new("sh")
            .args(["-c", "command -v git"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    std::os::unix::fs::symlink(git.trim(), only_git.path().join("git")).unwrap();
    let path = only_git.path().to_str().unwrap().to_string();
    let out = amend(&[("PATH", &path)]);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("could not tell whether this is `git commit --amend`")
            && said.contains("LEAKGATE_AMEND=1"),
        "{said}"
    );
    // And the way out it names works.
    let out = amend(&[("PATH", &path), ("LEAKGATE_AMEND", "1")]);
    assert!(!out.status.success(), "{}", text(&out));
}

/// The lefthook entries `leakgate install` writes run under POSIX shells too (lefthook runs
/// `run:` with `sh`, Git for Windows' included): the project's own leakgate first.
#[test]
fn lefthook_run_commands_work_under_posix_shells() {
    let repo = repo();
    repo.write(
        "lefthook.yml",
        "pre-commit:\n  commands:\n    lint:\n      run: echo lint\n",
    );
    repo.leakgate().arg("install").assert().success();
    let yml = String::from_utf8(repo.read("lefthook.yml")).unwrap();
    let run = yml
        .lines()
        .map(str::trim)
        .find(|l| {
            l.starts_with("run: if [ -x node_modules/.bin/leakgate ]") && l.contains("pre-commit")
        })
        .unwrap_or_else(|| panic!("no leakgate run line in\n{yml}"))
        .trim_start_matches("run: ")
        .to_string();
    let bin_dir = repo.join("node_modules/.bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    std::os::unix::fs::symlink(bin(), bin_dir.join("leakgate")).unwrap();
    repo.write(".gitignore", "node_modules/\n");
    for shell in shells() {
        let sh = |cmd: &str| {
            Command::new(shell[0])
                .args(&shell[1..])
                .arg("-c")
                .arg(cmd)
                .current_dir(repo.path())
                .env("NO_COLOR", "1")
                .env("PATH", path_without_leakgate())
                .output()
                .unwrap()
        };
        repo.git(&["reset", "-q", "--hard"]);
        repo.write(".gitignore", "node_modules/\n");
        repo.stage_all();
        let out = sh(&run);
        assert_eq!(out.status.code(), Some(0), "{shell:?}: {}", text(&out));
        risky(&repo);
        let out = sh(&run);
        assert_eq!(out.status.code(), Some(1), "{shell:?}: {}", text(&out));
        assert!(
            text(&out).contains("bundler/sourcemap-enabled"),
            "{}",
            text(&out)
        );
    }
}
