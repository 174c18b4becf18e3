//! Where a leak in a bundle came from, and repeated hits folded into one finding: the
//! audit of a real esbuild bundle (from `tests/fixtures/sourcemaps/`) in a real repository.

mod common;

use common::{fixture, TempRepo};

/// A proprietary package shipping esbuild's minified bundle of the fixture CLI; the map
/// stays home (`files` takes only `*.js`) but is on disk, and `codenames` names the
/// confidential model name that src/config.ts line 3 holds.
fn esbuild_package(with_map: bool) -> TempRepo {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"capycli","version":"1.0.0","license":"UNLICENSED","files":["dist/*.js"]}"#,
    )
    .write("leakgate.toml", "codenames = [\"Capybara\"]\n")
    .write("dist/index.js", fixture("esbuild-linked-minify/index.js"));
    if with_map {
        repo.write(
            "dist/index.js.map",
            fixture("esbuild-linked-minify/index.js.map"),
        );
    }
    repo.commit_all("build");
    repo
}

#[test]
fn a_codename_in_a_bundle_is_placed_at_its_original_source() {
    let repo = esbuild_package(true);
    let out = repo.leakgate().args(["audit", "."]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let arrow = text
        .lines()
        .find(|l| l.contains("--> dist/index.js:"))
        .unwrap_or_else(|| panic!("no location line: {text}"));
    assert!(arrow.ends_with("(from src/config.ts:3)"), "{arrow}");

    let json = repo
        .leakgate()
        .args(["audit", ".", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let codename = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "codename")
        .expect("a codename finding");
    assert_eq!(codename["origin"], "src/config.ts:3");
}

#[test]
fn without_a_map_the_bundle_location_stands_alone() {
    let repo = esbuild_package(false);
    let out = repo.leakgate().args(["audit", "."]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let arrow = text
        .lines()
        .find(|l| l.contains("--> dist/index.js:2:"))
        .unwrap_or_else(|| panic!("no location line for the codename: {text}"));
    assert!(!arrow.contains("(from "), "{arrow}");
}

#[test]
fn one_codename_repeated_in_a_file_is_one_finding_with_every_place() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"app","version":"1.0.0","files":["dist"]}"#,
    )
    .write("leakgate.toml", "codenames = [\"Tengu\", \"Kappa\"]\n")
    .write(
        "dist/index.js",
        "// Tengu 1\n// Tengu 2\n// Kappa\nlet tengu = 3; // Tengu\n",
    )
    .commit_all("build");
    let out = repo.leakgate().args(["audit", "."]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    // `Tengu` three times (same bytes) is one finding; `tengu` and `Kappa` are other bytes.
    assert_eq!(text.matches("error[codename]").count(), 3, "{text}");
    assert!(
        text.contains("also at: 2:4, 4:19 (3 places in all)"),
        "{text}"
    );
    assert!(text.contains("3 errors, 0 warnings"), "{text}");

    let json = repo
        .leakgate()
        .args(["audit", ".", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let folded: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["also_at"].as_array().is_some_and(|a| !a.is_empty()))
        .collect();
    assert_eq!(folded.len(), 1, "{v:#}");
    assert_eq!(folded[0]["line"], 1);
    assert_eq!(
        folded[0]["also_at"],
        serde_json::json!([{ "line": 2, "column": 4 }, { "line": 4, "column": 19 }])
    );
}
