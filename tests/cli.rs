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
