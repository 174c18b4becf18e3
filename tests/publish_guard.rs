//! The publish guard, against the real npm: which lifecycle scripts `npm publish --dry-run`
//! runs and in what order (the reason the guard is a `postpack` script), that a failing
//! postpack stops the publish, and that `leakgate install --publish-guard` blocks a
//! leaking package's publish, lets a clean one through, and goes away on uninstall leaving
//! package.json byte for byte as it was. Needs npm. (`--dry-run` still asks the registry
//! whether the version exists: the packages are named in a scope nobody publishes to.)

mod common;

use common::{require_npm, TempRepo};
use std::path::Path;
use std::process::{Command, Output};

/// `npm publish --dry-run` in `dir`, with `node_modules/.bin` (where the guard finds
/// leakgate, as after `npm i -D leakgate`) set up by the caller.
fn publish_dry_run(dir: &Path) -> Output {
    Command::new("npm")
        .args(["publish", "--dry-run", "--ignore-scripts=false"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run npm")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The order npm runs a publish's scripts in, and where a failure stops it.
#[test]
fn npm_publish_dry_run_runs_postpack_last_before_the_upload() {
    require_npm();
    let dir = tempfile::tempdir().unwrap();
    let log = |name: &str| format!("node -e \"require('fs').appendFileSync('log', '{name}\\n')\"");
    let names = [
        "prepublishOnly",
        "prepack",
        "prepare",
        "postpack",
        "publish",
        "postpublish",
    ];
    let scripts: serde_json::Map<String, serde_json::Value> = names
        .iter()
        .map(|n| (n.to_string(), log(n).into()))
        .collect();
    let manifest = serde_json::json!({ "name": "@leakgate-tests/lc-order-probe", "version": "1.0.0", "scripts": scripts });
    std::fs::write(dir.path().join("package.json"), manifest.to_string()).unwrap();
    let out = publish_dry_run(dir.path());
    assert!(out.status.success(), "{}", text(&out));
    let ran = std::fs::read_to_string(dir.path().join("log")).unwrap();
    assert_eq!(
        ran.lines().collect::<Vec<_>>(),
        names,
        "npm's order changed"
    );

    // A failing postpack aborts: nothing after it runs, and npm exits non-zero.
    std::fs::remove_file(dir.path().join("log")).unwrap();
    let mut manifest = manifest;
    manifest["scripts"]["postpack"] = format!("{} && exit 7", log("postpack")).into();
    std::fs::write(dir.path().join("package.json"), manifest.to_string()).unwrap();
    let out = publish_dry_run(dir.path());
    assert!(!out.status.success(), "{}", text(&out));
    let ran = std::fs::read_to_string(dir.path().join("log")).unwrap();
    assert_eq!(
        ran.lines().collect::<Vec<_>>(),
        ["prepublishOnly", "prepack", "prepare", "postpack"]
    );
}

/// A package whose `prepack` builds `dist/` (so the map exists only once npm packs: the
/// guard must see built files), with leakgate where `npm i -D leakgate` puts it.
fn package(leak: bool) -> TempRepo {
    let repo = TempRepo::new();
    let map = if leak {
        r#"{"version":3,"sources":["../src/index.ts"],"sourcesContent":["export const rules = 'internal';\n"],"mappings":"AAAA","names":[]}"#
    } else {
        r#"{"version":3,"sources":["../src/index.ts"],"mappings":"AAAA","names":[]}"#
    };
    repo.write("build.js", format!(
        "const fs = require('fs');\nfs.mkdirSync('dist', {{ recursive: true }});\n\
         fs.writeFileSync('dist/index.js', 'export const rules = 1;\\n//# sourceMappingURL=index.js.map\\n');\n\
         fs.writeFileSync('dist/index.js.map', {map:?});\n"
    ));
    repo.write(
        "package.json",
        "{\n    \"name\": \"@leakgate-tests/guarded-pkg\",\n    \"version\": \"1.0.0\",\n    \"files\": [\"dist\"],\n    \"scripts\": {\n        \"prepack\": \"node build.js\",\n        \"postpack\": \"node -e \\\"console.log('cleanup')\\\"\"\n    }\n}\n",
    );
    repo.write(".gitignore", "dist/\nnode_modules/\n");
    repo.commit_all("init");
    let bin = repo.join("node_modules/.bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_leakgate"), bin.join("leakgate")).unwrap();
    repo
}

#[test]
fn npm_publish_guard_blocks_a_leaking_publish_and_passes_a_clean_one() {
    require_npm();
    let leaking = package(true);
    let before = leaking.read("package.json");
    let out = leaking
        .leakgate()
        .args(["install", "--publish-guard"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("publish guard"), "{}", text(&out));
    let manifest = String::from_utf8(leaking.read("package.json")).unwrap();
    assert!(
        manifest.contains(
            r#""postpack": "leakgate audit --packed && node -e \"console.log('cleanup')\"""#
        ),
        "{manifest}"
    );
    let out = publish_dry_run(leaking.path());
    let all = text(&out);
    assert!(!out.status.success(), "the leak was published: {all}");
    assert!(all.contains("error[sourcemap/sources-content]"), "{all}");
    assert!(
        all.contains("the publish guard stopped `npm publish`"),
        "{all}"
    );
    assert!(
        !all.contains("+ @leakgate-tests/guarded-pkg@1.0.0"),
        "{all}"
    );

    let clean = package(false);
    clean
        .leakgate()
        .args(["install", "--publish-guard"])
        .assert()
        .success();
    let out = publish_dry_run(clean.path());
    let all = text(&out);
    assert!(out.status.success(), "{all}");
    // The previous postpack still ran, after the guard.
    assert!(all.contains("cleanup"), "{all}");
    assert!(all.contains("+ @leakgate-tests/guarded-pkg@1.0.0"), "{all}");

    // Uninstall puts package.json back byte for byte.
    leaking.leakgate().arg("uninstall").assert().success();
    assert_eq!(
        String::from_utf8(leaking.read("package.json")).unwrap(),
        String::from_utf8(before).unwrap()
    );
}

/// Round trips on manifests of different shapes: install twice changes nothing the second
/// time; uninstall restores the exact bytes; a guard this clone did not add stays unless
/// named with `uninstall --publish-guard`.
#[test]
fn publish_guard_install_uninstall_round_trip_is_byte_identical() {
    let shapes = [
        "{\n  \"name\": \"a\",\n  \"version\": \"1.0.0\"\n}\n",
        "{\n\t\"name\": \"a\",\n\t\"scripts\": {\n\t\t\"build\": \"tsc\"\n\t},\n\t\"version\": \"1.0.0\"\n}",
        "{\"name\":\"a\",\"scripts\":{\"postpack\":\"rimraf \\\"tmp\\\" \\u0026\\u0026 echo done\"}}\n",
        "{\r\n    \"name\": \"a\",\r\n    \"scripts\": {}\r\n}\r\n",
    ];
    for shape in shapes {
        let repo = TempRepo::new();
        repo.write("package.json", shape);
        repo.leakgate()
            .args(["install", "--publish-guard"])
            .assert()
            .success();
        let installed = repo.read("package.json");
        let v: serde_json::Value = serde_json::from_slice(&installed).unwrap();
        let script = v["scripts"]["postpack"].as_str().unwrap();
        assert!(script.starts_with("leakgate audit --packed"), "{script}");
        repo.leakgate()
            .args(["install", "--publish-guard"])
            .assert()
            .success();
        assert_eq!(repo.read("package.json"), installed, "second install");
        repo.leakgate().arg("uninstall").assert().success();
        assert_eq!(
            String::from_utf8(repo.read("package.json")).unwrap(),
            shape,
            "uninstall of\n{}",
            String::from_utf8_lossy(&installed)
        );
    }

    // A guard committed by a teammate: plain uninstall leaves it, --publish-guard removes it.
    let repo = TempRepo::new();
    let committed = "{\n  \"name\": \"a\",\n  \"scripts\": {\n    \"build\": \"tsc\",\n    \"postpack\": \"leakgate audit --packed && echo hi\"\n  }\n}\n";
    repo.write("package.json", committed);
    repo.leakgate().arg("uninstall").assert().success();
    assert_eq!(
        String::from_utf8(repo.read("package.json")).unwrap(),
        committed
    );
    repo.leakgate()
        .args(["uninstall", "--publish-guard"])
        .assert()
        .success();
    assert_eq!(
        String::from_utf8(repo.read("package.json")).unwrap(),
        committed.replace("leakgate audit --packed && ", "")
    );
}

#[test]
fn publish_guard_bad_package_json_is_a_located_error() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        "{\n  \"name\": \"a\",\n  \"scripts\": \"tsc\"\n}\n",
    );
    let out = repo
        .leakgate()
        .args(["install", "--publish-guard"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("package.json:3:3: `scripts` is not an object"),
        "{err}"
    );
    // Nothing changed.
    assert_eq!(
        repo.read("package.json"),
        b"{\n  \"name\": \"a\",\n  \"scripts\": \"tsc\"\n}\n"
    );
    // No package.json in the current directory.
    let repo = TempRepo::new();
    let out = repo
        .leakgate()
        .args(["install", "--publish-guard"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no package.json here"));
}
