//! Help lines that work for this package (issue 15): the packaging fix leakgate offers for a
//! shipped map is one it checked with its packlist engine, and applying it makes the finding
//! go away; an inline map gets the bundler's option, never "exclude *.map".

mod common;

use common::{fixture, TempRepo};

fn audit(repo: &TempRepo) -> (i32, String) {
    let out = repo.leakgate().args(["audit", "-v"]).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// Every `= help:` line of the first `rule` finding (one fix per line), joined.
fn help_of(text: &str, rule: &str) -> String {
    let at = text
        .find(&format!("[{rule}]"))
        .unwrap_or_else(|| panic!("no {rule} in {text}"));
    text[at..]
        .lines()
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter(|l| l.trim_start().starts_with("= help:"))
        .collect::<Vec<_>>()
        .join("\n")
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

/// What the real `npm pack --dry-run` would ship from the repository root, sorted.
fn npm_ships(repo: &TempRepo) -> Vec<String> {
    common::require_npm();
    let out = std::process::Command::new("npm")
        .args(["pack", "--dry-run", "--json", "--ignore-scripts"])
        .current_dir(repo.path())
        .env("npm_config_userconfig", repo.join(".no-npmrc"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut files: Vec<String> = v[0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    files.sort();
    files
}

fn fix(repo: &TempRepo, args: &[&str]) -> (i32, String) {
    let out = repo.leakgate().arg("fix").args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// `leakgate fix` (needs npm, the oracle): the map negation goes into `files` in the
/// manifest's own layout, and afterwards npm ships exactly what it did minus the map.
#[test]
fn npm_fix_writes_the_files_negation_in_place_and_npm_agrees() {
    let repo = TempRepo::new();
    let manifest = "{\n  \"name\": \"@acme/cli\",\n  \"version\": \"1.0.0\",\n  \"license\": \"UNLICENSED\",\n  \"files\": [\n    \"dist\"\n  ]\n}\n";
    repo.write("package.json", manifest)
        .write("dist/index.js", fixture("esbuild-linked/index.js"))
        .write("dist/index.js.map", fixture("esbuild-linked/index.js.map"))
        .commit_all("build");
    let before = npm_ships(&repo);
    assert!(
        before.contains(&"dist/index.js.map".to_string()),
        "{before:?}"
    );

    // Without --yes (and no terminal to ask on) the diff shows and nothing is written.
    let (code, text) = fix(&repo, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("-    \"dist\"\n+    \"dist\",\n"), "{text}");
    assert!(text.contains("+    \"!**/*.map\"\n"), "{text}");
    assert!(text.contains("rerun with --yes"), "{text}");
    assert_eq!(repo.read("package.json"), manifest.as_bytes());

    let (code, text) = fix(&repo, &["--yes"]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(
        String::from_utf8(repo.read("package.json")).unwrap(),
        "{\n  \"name\": \"@acme/cli\",\n  \"version\": \"1.0.0\",\n  \"license\": \"UNLICENSED\",\n  \"files\": [\n    \"dist\",\n    \"!**/*.map\"\n  ]\n}\n"
    );
    let after = npm_ships(&repo);
    let expected: Vec<String> = before
        .into_iter()
        .filter(|p| p != "dist/index.js.map")
        .collect();
    assert_eq!(after, expected);
    let (code, text) = audit(&repo);
    assert!(!text.contains("sourcemap/sources-content"), "{text}");
    assert_eq!(code, 0, "{text}");
    // Nothing left to do.
    let (_, text) = fix(&repo, &["--yes"]);
    assert!(text.contains("nothing to fix"), "{text}");
}

/// Without `files`, npm reads `.gitignore` until a `.npmignore` exists: the new
/// `.npmignore` carries the `.gitignore` lines over, so nothing else starts shipping.
#[test]
fn npm_fix_creates_npmignore_from_gitignore_and_npm_agrees() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"cli","version":"1.0.0","license":"UNLICENSED"}"#,
    )
    .write(".gitignore", "notes.txt\n")
    .write("notes.txt", "internal notes\n")
    .write("dist/index.js", fixture("esbuild-linked/index.js"))
    .write("dist/index.js.map", fixture("esbuild-linked/index.js.map"))
    .write(".env", "TOKEN=1\n");
    let before = npm_ships(&repo);
    assert!(before.contains(&".env".to_string()), "{before:?}");
    let (code, text) = fix(&repo, &["--yes"]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(
        String::from_utf8(repo.read(".npmignore")).unwrap(),
        "notes.txt\n*.map\n/.env\n"
    );
    let after = npm_ships(&repo);
    let expected: Vec<String> = before
        .into_iter()
        .filter(|p| p != "dist/index.js.map" && p != ".env")
        .collect();
    assert_eq!(after, expected);
    assert!(!after.contains(&"notes.txt".to_string()));
}

/// Near miss: a denied file named in `files` survives any later negation under npm, so
/// no negation is offered for it; the maps beside it are still fixed, and `--dry-run`
/// writes nothing.
#[test]
fn a_path_named_in_files_is_left_for_a_human() {
    let repo = TempRepo::new();
    let manifest = r#"{"name":"cli","version":"1.0.0","files":["dist", ".env"]}"#;
    repo.write("package.json", manifest)
        .write("dist/index.js", fixture("esbuild-linked/index.js"))
        .write("dist/index.js.map", fixture("esbuild-linked/index.js.map"))
        .write(".env", "TOKEN=1\n");
    let (code, text) = fix(&repo, &["--dry-run"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(r#"+{"name":"cli","version":"1.0.0","files":["dist", ".env", "!**/*.map"]}"#),
        "{text}"
    );
    assert!(
        text.contains("keeps .env out without changing what else ships"),
        "{text}"
    );
    assert_eq!(repo.read("package.json"), manifest.as_bytes());
}

#[test]
fn a_stylesheet_map_gets_the_css_compilers_option_not_the_js_bundlers() {
    // A real shape: Sass compiles the CSS with `--embed-sources` while Vite (a dev
    // dependency) builds something else; the CSS map's fix is Sass's, the JS map's Vite's.
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"@acme/ui","version":"1.0.0","license":"UNLICENSED","files":["dist"],
"scripts":{"css":"sass --style expanded --source-map --embed-sources scss/:dist/css/"},
"devDependencies":{"vite":"^7.0.0","sass":"^1.90.0"}}"#,
    )
    .write("dist/css/ui.css", "a{color:red}\n/*# sourceMappingURL=ui.css.map */\n")
    .write(
        "dist/css/ui.css.map",
        r#"{"version":3,"sources":["../../scss/ui.scss"],"sourcesContent":["$c: red; a { color: $c; }"],"mappings":"AAAA"}"#,
    );
    let (code, text) = audit(&repo);
    assert_eq!(code, 1, "{text}");
    let help = help_of(&text, "sourcemap/sources-content");
    assert!(
        help.contains("Sass: drop `--embed-sources`") && !help.contains("Vite"),
        "{help}"
    );
    // Near miss: a JavaScript map in the same package gets the bundler's option.
    repo.remove("dist/css/ui.css").remove("dist/css/ui.css.map");
    repo.write("dist/index.js", fixture("esbuild-linked/index.js"))
        .write("dist/index.js.map", fixture("esbuild-linked/index.js.map"));
    let (_, text) = audit(&repo);
    let help = help_of(&text, "sourcemap/sources-content");
    assert!(
        help.contains("Vite: `build.rollupOptions.output.sourcemapExcludeSources: true`")
            && !help.contains("Sass"),
        "{help}"
    );
}
