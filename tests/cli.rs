//! End-to-end tests of the CLI surface.

mod common;

#[test]
fn help_lists_every_command() {
    let out = common::leakgate().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for cmd in [
        "audit",
        "files",
        "pre-commit",
        "pre-push",
        "lock",
        "install",
        "uninstall",
        "doctor",
        "init",
        "explain",
        "config",
    ] {
        assert!(text.contains(cmd), "--help does not list {cmd}: {text}");
    }
}

#[test]
fn unknown_option_is_a_usage_error() {
    let out = common::leakgate().arg("--no-such-flag").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// README's set-up command ends with scripts/demo.sh: it must really show both hooks blocking
/// the leak (the script exits non-zero when a step misbehaves) with the binary under test.
#[test]
fn demo_script_blocks_the_leak_at_commit_and_push() {
    let home = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("sh")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/demo.sh"))
        .env("LEAKGATE_BIN", assert_cmd::cargo::cargo_bin("leakgate"))
        .env("HOME", home.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("TMPDIR", home.path())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("every step behaved as expected"), "{text}");
    assert!(text.contains("error[bundler/sourcemap-enabled]"), "{text}");
    assert!(text.contains("error[sourcemap/sources-content]"), "{text}");
    assert!(text.contains("error[codename]"), "{text}");
    assert!(!text.contains("UNEXPECTED"), "{text}");
    // Nothing left behind in its temporary directory.
    assert_eq!(std::fs::read_dir(home.path()).unwrap().count(), 0);
}

/// Hook managers that call the binary directly (lefthook, the pre-commit framework) get
/// `LEAKGATE_SKIP=1` from the binary itself: skipped once, and said.
#[test]
fn leakgate_skip_is_honoured_by_the_binary_too() {
    let repo = common::TempRepo::new();
    repo.write("package.json", r#"{"name":"x","version":"1.0.0"}"#);
    repo.commit_all("init");
    repo.write(".env", "API_TOKEN=s3cr3t-value-for-tests\n");
    repo.git(&["add", ".env"]);
    let out = repo.leakgate().arg("pre-commit").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = repo
        .leakgate()
        .arg("pre-commit")
        .env("LEAKGATE_SKIP", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("LEAKGATE_SKIP=1: skipping the pre-commit check"),
        "{err}"
    );
    let out = repo
        .leakgate()
        .args(["pre-push", "origin", "x"])
        .env("LEAKGATE_SKIP", "1")
        .write_stdin("refs/heads/main 1111111111111111111111111111111111111111 refs/heads/main 0000000000000000000000000000000000000000\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("skipping the pre-push check"), "{err}");
}

/// `leakgate completions SHELL` prints a completion script that knows the subcommands.
#[test]
fn completions_for_each_shell() {
    for (shell, marker) in [
        ("bash", "_leakgate()"),
        ("zsh", "#compdef leakgate"),
        ("fish", "complete -c leakgate"),
        ("elvish", "edit:completion:arg-completer[leakgate]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = common::leakgate()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains(marker),
            "{shell}: {marker:?} not in the script"
        );
        assert!(
            text.contains("pre-commit") && text.contains("doctor"),
            "{shell}"
        );
    }
    let out = common::leakgate()
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
