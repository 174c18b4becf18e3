//! Help lines that work for this package (issue 15): the packaging fix leakgate offers for a
//! shipped map is one it checked with its packlist engine, and applying it makes the finding
//! go away; an inline map gets the bundler's option, never "exclude *.map".

mod common;

use common::TempRepo;
use std::path::Path;

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/sourcemaps")
            .join(rel),
    )
    .unwrap()
}

fn audit(repo: &TempRepo) -> (i32, String) {
    let out = repo.leakgate().args(["audit", "-v"]).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn help_of(text: &str, rule: &str) -> String {
    let at = text
        .find(&format!("[{rule}]"))
        .unwrap_or_else(|| panic!("no {rule} in {text}"));
    text[at..]
        .lines()
        .find(|l| l.trim_start().starts_with("= help:"))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn with_files_the_fix_is_a_files_negation_and_it_works() {
    let repo = TempRepo::new();
    let manifest = |files: &str| {
        format!(
            r#"{{"name":"@acme/cli","version":"1.0.0","license":"UNLICENSED","devDependencies":{{"esbuild":"^0.28.0"}},"files":{files}}}"#
        )
    };
    repo.write("package.json", manifest(r#"["dist"]"#))
        .write(".npmignore", "# has no effect on what `files` names\n")
        .write("dist/index.js", fixture("esbuild-linked/index.js"))
        .write("dist/index.js.map", fixture("esbuild-linked/index.js.map"));
    let (code, text) = audit(&repo);
    assert_eq!(code, 1, "{text}");
    let help = help_of(&text, "sourcemap/sources-content");
    assert!(help.contains("`\"!**/*.map\"` to `files`"), "{help}");
    assert!(!help.contains(".npmignore"), "{help}");
    assert!(
        help.contains("esbuild: `--sources-content=false`"),
        "{help}"
    );
    assert!(!help.contains("Bun"), "{help}");
    // The offered fix, applied: no map finding is left.
    repo.write("package.json", manifest(r#"["dist", "!**/*.map"]"#));
    let (code, text) = audit(&repo);
    assert_eq!(code, 0, "{text}");
    assert!(
        !text.contains("sourcemap/sources-content") && !text.contains("sourcemap/file"),
        "{text}"
    );
}

#[test]
fn without_npmignore_the_fix_carries_the_gitignore_over() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"@acme/cli","version":"1.0.0","license":"UNLICENSED","scripts":{"build":"rollup -c"}}"#,
    )
    .write(".gitignore", "notes/\n")
    .write("notes/plan.md", "internal\n")
    .write("index.js", fixture("esbuild-linked/index.js"))
    .write("index.js.map", fixture("esbuild-linked/index.js.map"));
    let (_, text) = audit(&repo);
    let help = help_of(&text, "sourcemap/sources-content");
    assert!(
        help.contains("create .npmignore with the lines of .gitignore plus `*.map`"),
        "{help}"
    );
    assert!(
        help.contains("Rollup: `output.sourcemapExcludeSources: true`"),
        "{help}"
    );
    // Applied as said: the map is gone and what .gitignore kept home still is.
    repo.write(".npmignore", "notes/\n*.map\n");
    let (code, text) = audit(&repo);
    assert_eq!(code, 0, "{text}");
    let out = repo.leakgate().arg("files").output().unwrap();
    let files = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        !files.contains("notes/plan.md") && !files.contains(".map"),
        "{files}"
    );
}

#[test]
fn an_inline_map_gets_the_bundlers_option_not_an_exclusion() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"@acme/cli","version":"1.0.0","license":"UNLICENSED","files":["dist"],"scripts":{"build":"bun build src/cli.ts --outdir dist --sourcemap=inline"}}"#,
    )
    .write("dist/index.js", fixture("bun-inline/index.js"));
    let (code, text) = audit(&repo);
    assert_eq!(code, 1, "{text}");
    let help = help_of(&text, "sourcemap/sources-content");
    assert!(
        help.contains("inline map: build the published files without Bun's `--sourcemap`"),
        "{help}"
    );
    assert!(!help.contains("*.map"), "{help}");
}
