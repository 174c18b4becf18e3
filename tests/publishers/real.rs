//! Asking the real publishers what they would pack: `pnpm pack --dry-run --json`,
//! `yarn pack --dry-run --json` (berry, `YARN_IGNORE_PATH=1`) and `bun pm pack` into a temp
//! folder (its dry run names bundled dependencies without their files, so the tarball is
//! listed instead).
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// What a tool said about one package directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The tarball's paths (minus `package/`), sorted bytewise.
    Files(Vec<String>),
    /// The tool refused to pack; its message.
    Refused(String),
}

/// An environment with no user configuration: a fresh HOME, no colour, no telemetry.
fn clean(cmd: &mut Command, home: &Path) {
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("NO_COLOR", "1")
        .env("FORCE_COLOR", "0")
        .env_remove("CI")
        .env_remove("npm_config_user_agent")
        .env("PNPM_CONFIG_MANAGE_PACKAGE_MANAGER_VERSIONS", "false")
        .env("YARN_IGNORE_PATH", "1")
        .env("YARN_ENABLE_TELEMETRY", "0")
        .env("YARN_ENABLE_GLOBAL_CACHE", "0")
        .env("DO_NOT_TRACK", "1");
}

fn home() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("leakgate-pubhome-")
        .tempdir()
        .unwrap()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

/// `pnpm pack --dry-run --json` in `dir`.
pub fn pnpm(pnpm: &Path, dir: &Path) -> Answer {
    let home = home();
    let mut cmd = Command::new(pnpm);
    cmd.args(["pack", "--dry-run", "--json"]).current_dir(dir);
    clean(&mut cmd, home.path());
    let out = cmd.output().expect("run pnpm");
    if !out.status.success() {
        return Answer::Refused(tool_message(&out));
    }
    let v: serde_json::Value = match serde_json::from_slice(&out.stdout) {
        Ok(v) => v,
        Err(e) => panic!(
            "pnpm printed no JSON in {} ({e}): {}",
            dir.display(),
            String::from_utf8_lossy(&out.stdout)
        ),
    };
    let pkg = if v.is_array() { &v[0] } else { &v };
    let files = pkg["files"]
        .as_array()
        .unwrap_or_else(|| panic!("pnpm JSON without files: {v}"))
        .iter()
        .map(|f| f["path"].as_str().unwrap_or_default().to_string())
        .collect();
    Answer::Files(sorted(files))
}

/// `yarn pack --dry-run --json` in `dir` (the caller makes it a yarn project: a yarn.lock).
pub fn yarn(yarn: &Path, dir: &Path) -> Answer {
    let home = home();
    let mut cmd = Command::new("node");
    cmd.arg(yarn)
        .args(["pack", "--dry-run", "--json"])
        .current_dir(dir);
    clean(&mut cmd, home.path());
    let out = cmd.output().expect("run yarn");
    if !out.status.success() {
        return Answer::Refused(tool_message(&out));
    }
    let mut files = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if let Some(p) = v["location"].as_str() {
            files.push(p.to_string());
        }
    }
    Answer::Files(sorted(files))
}

/// `bun pm pack --ignore-scripts` into a temp folder, then the tarball's entries.
pub fn bun(bun: &Path, dir: &Path) -> Answer {
    let home = home();
    let dest = home.path().join("out");
    std::fs::create_dir_all(&dest).unwrap();
    let mut cmd = Command::new(bun);
    cmd.args(["pm", "pack", "--ignore-scripts", "--destination"])
        .arg(&dest)
        .current_dir(dir);
    clean(&mut cmd, home.path());
    let out = cmd.output().expect("run bun");
    if !out.status.success() {
        return Answer::Refused(tool_message(&out));
    }
    let tgz = std::fs::read_dir(&dest)
        .unwrap()
        .flatten()
        .find(|e| e.path().extension().is_some_and(|x| x == "tgz"))
        .unwrap_or_else(|| panic!("bun made no tarball in {}", dir.display()))
        .path();
    let list = Command::new("tar")
        .args(["--quoting-style=literal", "-tzf"])
        .arg(&tgz)
        .output()
        .expect("run tar");
    assert!(list.status.success(), "tar -tzf {}", tgz.display());
    let files = String::from_utf8_lossy(&list.stdout)
        .lines()
        .filter(|l| !l.ends_with('/'))
        .map(|l| l.strip_prefix("package/").unwrap_or(l).to_string())
        .collect();
    Answer::Files(sorted(files))
}

fn tool_message(out: &std::process::Output) -> String {
    let mut s = String::from_utf8_lossy(&out.stderr).into_owned();
    s.push_str(&String::from_utf8_lossy(&out.stdout));
    s.trim().to_string()
}
