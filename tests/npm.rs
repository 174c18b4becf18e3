//! The npm packages: versions in step with Cargo.toml, the platform packages generated from
//! the template, and the launcher (`npm/leakgate/bin/leakgate.js`) run by the real `node`:
//! it finds the platform package, passes arguments, stdin and the exit status or signal
//! through, honours LEAKGATE_BINARY_PATH, and says what to do when there is no binary.
//!
//! `LEAKGATE_NPM_SMOKE=1` also runs `scripts/npm-smoke.sh` (a release build, then installs
//! with npm, pnpm, yarn and bun, fetching them and husky from the npm registry).

use serde_json::Value;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn platforms() -> Vec<Value> {
    json(&Path::new(ROOT).join("npm/platforms.json"))
        .as_array()
        .unwrap()
        .clone()
}

/// Whether `node` runs here (CI installs it with npm; the packlist tests need it too).
fn have_node() -> bool {
    Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The launcher and every platform package move with the crate's version, and the launcher
/// lists exactly the platforms of npm/platforms.json.
#[test]
fn npm_package_versions_match_cargo() {
    let version = env!("CARGO_PKG_VERSION");
    let main = json(&Path::new(ROOT).join("npm/leakgate/package.json"));
    assert_eq!(main["name"], "leakgate");
    assert_eq!(main["version"], version, "npm/leakgate/package.json");
    assert_eq!(main["bin"]["leakgate"], "bin/leakgate.js");
    let deps = main["optionalDependencies"].as_object().unwrap();
    let want: Vec<String> = platforms()
        .iter()
        .map(|p| format!("@leakgate/{}", p["name"].as_str().unwrap()))
        .collect();
    let have: Vec<String> = deps.keys().cloned().collect();
    assert_eq!(have, want);
    for (name, spec) in deps {
        assert_eq!(spec, version, "{name}");
    }
    assert!(
        !main.as_object().unwrap().contains_key("scripts"),
        "no install scripts"
    );
}

/// `scripts/npm-packages.js build` makes one package per platform from the template, with
/// the os/cpu/libc fields package managers select by, and the binary only where given.
#[test]
fn npm_platform_packages_are_generated_from_the_template() {
    if !have_node() {
        eprintln!("skipped: no node");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let fake = out.path().join("fake-leakgate");
    std::fs::write(&fake, "#!/bin/sh\necho fake\n").unwrap();
    let run = Command::new("node")
        .arg(Path::new(ROOT).join("scripts/npm-packages.js"))
        .arg("build")
        .arg(out.path().join("pkgs"))
        .arg("--binary")
        .arg(format!("linux-x64-gnu={}", fake.display()))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let version = env!("CARGO_PKG_VERSION");
    for p in platforms() {
        let name = p["name"].as_str().unwrap();
        let dir = out.path().join("pkgs").join(name);
        let m = json(&dir.join("package.json"));
        assert_eq!(m["name"], format!("@leakgate/{name}"));
        assert_eq!(m["version"], version);
        assert_eq!(m["os"], serde_json::json!([p["os"]]));
        assert_eq!(m["cpu"], serde_json::json!([p["cpu"]]));
        match p.get("libc") {
            Some(libc) => assert_eq!(m["libc"], serde_json::json!([libc])),
            None => assert!(m.get("libc").is_none(), "{name}"),
        }
        assert!(
            m.get("bin").is_none(),
            "{name}: only the launcher is linked"
        );
        assert_eq!(
            m["preferUnplugged"], true,
            "{name}: yarn PnP must unplug it"
        );
        let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
        assert!(readme.contains(p["target"].as_str().unwrap()), "{readme}");
        let binary = dir.join("bin").join(if name.starts_with("win32") {
            "leakgate.exe"
        } else {
            "leakgate"
        });
        assert_eq!(binary.exists(), name == "linux-x64-gnu", "{name}");
    }
    let main = json(&out.path().join("pkgs/leakgate/package.json"));
    assert_eq!(
        main,
        json(&Path::new(ROOT).join("npm/leakgate/package.json"))
    );
    assert!(out.path().join("pkgs/leakgate/bin/leakgate.js").is_file());

    // `check` agrees the committed package.json is in step.
    let check = Command::new("node")
        .arg(Path::new(ROOT).join("scripts/npm-packages.js"))
        .arg("check")
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

/// A node_modules with the launcher installed as npm lays it out; `platform` (if any) gets
/// a stand-in binary that records its arguments and stdin, then exits with $CODE or kills
/// itself with $SIGNAL.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(platform: Option<&str>) -> Project {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("node_modules/leakgate");
        std::fs::create_dir_all(pkg.join("bin")).unwrap();
        std::fs::copy(
            Path::new(ROOT).join("npm/leakgate/package.json"),
            pkg.join("package.json"),
        )
        .unwrap();
        std::fs::copy(
            Path::new(ROOT).join("npm/leakgate/bin/leakgate.js"),
            pkg.join("bin/leakgate.js"),
        )
        .unwrap();
        let project = Project { dir };
        if let Some(p) = platform {
            project.add_platform(p);
        }
        project
    }

    fn add_platform(&self, name: &str) {
        let dir = self.dir.path().join("node_modules/@leakgate").join(name);
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        std::fs::write(
            dir.join("package.json"),
            format!("{{\"name\":\"@leakgate/{name}\",\"version\":\"0.0.0\"}}"),
        )
        .unwrap();
        let log = self.dir.path().display();
        let bin = dir.join("bin/leakgate");
        std::fs::write(
            &bin,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"{name}\" \"$@\" > '{log}/args'\ncat > '{log}/stdin'\n\
                 [ -n \"$SIGNAL\" ] && kill -\"$SIGNAL\" $$\nexit ${{CODE:-0}}\n"
            ),
        )
        .unwrap();
        // Mode 644, as some extractors leave it: the launcher makes it executable.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o644)).unwrap();
    }

    fn launcher(&self) -> PathBuf {
        self.dir
            .path()
            .join("node_modules/leakgate/bin/leakgate.js")
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
        let mut cmd = Command::new("node");
        cmd.arg(self.launcher())
            .args(args)
            .env_remove("LEAKGATE_BINARY_PATH")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default()
    }
}

/// This machine's platform package, as the launcher names it (glibc assumed on Linux).
fn this_platform() -> Option<&'static str> {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => Some("linux-x64-gnu"),
        ("linux", "aarch64") => Some("linux-arm64-gnu"),
        ("macos", "x86_64") => Some("darwin-x64"),
        ("macos", "aarch64") => Some("darwin-arm64"),
        _ => None,
    }
}

fn is_glibc() -> bool {
    // The machine's node tells (as the launcher asks it).
    Command::new("node")
        .args([
            "-p",
            "!!process.report.getReport().header.glibcVersionRuntime",
        ])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "true")
}

#[test]
fn npm_launcher_runs_the_platform_binary_with_args_stdin_and_exit_code() {
    let usable = have_node() && (cfg!(target_os = "macos") || is_glibc());
    let Some(platform) = this_platform().filter(|_| usable) else {
        eprintln!("skipped: no node, or a platform this test doesn't name");
        return;
    };
    let p = Project::new(Some(platform));
    let out = p.run(
        &["pre-push", "origin", "a b"],
        &[("CODE", "0")],
        "refs/heads/main 1 refs/heads/main 2\n",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        p.read("args"),
        format!("{platform}\npre-push\norigin\na b\n")
    );
    assert_eq!(p.read("stdin"), "refs/heads/main 1 refs/heads/main 2\n");
    for code in ["1", "2", "3"] {
        let out = p.run(&["pre-commit"], &[("CODE", code)], "");
        assert_eq!(out.status.code(), Some(code.parse().unwrap()));
    }
    // Killed by a signal: the launcher dies of the same signal.
    let out = p.run(&["pre-commit"], &[("SIGNAL", "TERM")], "");
    assert_eq!(out.status.signal(), Some(15), "{:?}", out.status);
    let out = p.run(&["pre-commit"], &[("SIGNAL", "INT")], "");
    assert_eq!(out.status.signal(), Some(2), "{:?}", out.status);
}

/// On glibc Linux the static musl build is a fallback when the glibc one isn't installed.
#[test]
fn npm_launcher_falls_back_to_the_musl_build_on_glibc() {
    if !(have_node() && cfg!(target_os = "linux") && is_glibc()) {
        eprintln!("skipped: not glibc Linux with node");
        return;
    }
    let arch = if cfg!(target_arch = "aarch64") {
        "arm64"
    } else {
        "x64"
    };
    let p = Project::new(None);
    p.add_platform(&format!("linux-{arch}-musl"));
    let out = p.run(&["--version"], &[], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(p.read("args").starts_with(&format!("linux-{arch}-musl\n")));
}

#[test]
fn npm_launcher_without_a_platform_package_says_what_to_do() {
    if !have_node() {
        eprintln!("skipped: no node");
        return;
    }
    let p = Project::new(None);
    let out = p.run(&["pre-commit"], &[], "");
    assert_eq!(out.status.code(), Some(127));
    let err = String::from_utf8_lossy(&out.stderr);
    if let Some(platform) = this_platform() {
        assert!(err.contains(&format!("@leakgate/{platform}")), "{err}");
        assert!(err.contains("is not installed"), "{err}");
    }
    assert!(err.contains("--omit=optional"), "{err}");
    assert!(err.contains("cargo"), "{err}");
    assert!(err.contains("LEAKGATE_BINARY_PATH"), "{err}");
}

#[test]
fn npm_launcher_honours_leakgate_binary_path() {
    if !have_node() {
        eprintln!("skipped: no node");
        return;
    }
    let p = Project::new(None);
    let real = assert_cmd::cargo::cargo_bin("leakgate");
    let out = p.run(
        &["--version"],
        &[("LEAKGATE_BINARY_PATH", real.to_str().unwrap())],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("leakgate {}", env!("CARGO_PKG_VERSION"))
    );
    let missing = p.dir.path().join("nope");
    let out = p.run(
        &["--version"],
        &[("LEAKGATE_BINARY_PATH", missing.to_str().unwrap())],
        "",
    );
    assert_eq!(out.status.code(), Some(127));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
}

/// The whole npm route with the real package managers (see scripts/npm-smoke.sh). Opt-in:
/// it builds the release binary and fetches pnpm, yarn, bun and husky from the npm registry.
/// Ignored (counted as such, not as a pass) unless asked for:
/// `cargo test --test npm -- --ignored npm_smoke`.
#[test]
#[ignore = "builds a release binary and installs pnpm, yarn, bun: cargo test --test npm -- --ignored"]
fn npm_smoke_script_when_asked() {
    let out = Command::new("bash")
        .arg(Path::new(ROOT).join("scripts/npm-smoke.sh"))
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("npm-smoke: all passed"), "{text}");
}
