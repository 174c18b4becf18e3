//! Golden snapshots of what a user sees: the whole `audit` output in each format (human,
//! JSON, SARIF) and a blocked `pre-commit`, for one package with one leak of each kind.
//! Where the other tests pick at substrings, these show every line, so a change to wording,
//! order, grouping or a JSON key is a visible diff in review.
//!
//! Regenerate after an intended change with `LEAKGATE_BLESS=1 cargo test --test cli_golden`
//! and read the diff before committing it.

mod common;

use common::{fixture, TempRepo};

/// The output with what differs between runs made stable: the temp directory and the
/// version of the binary.
fn normalize(text: &str, repo: &TempRepo) -> String {
    let dir = repo.path().to_string_lossy().into_owned();
    let canonical = repo
        .path()
        .canonicalize()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    text.replace(&canonical, "<REPO>")
        .replace(&dir, "<REPO>")
        .replace(env!("CARGO_PKG_VERSION"), "<VERSION>")
}

fn check(name: &str, actual: &str) {
    common::assert_golden(
        &format!("tests/golden/cli/{name}"),
        actual,
        "cargo test --test cli_golden",
    );
}

/// A proprietary CLI that ships esbuild's map with its sources, an `.env`, a token in the
/// bundle and an internal codename three times.
fn leaky_package() -> TempRepo {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        "{\n  \"name\": \"@acme/cli\",\n  \"version\": \"1.2.3\",\n  \"license\": \"UNLICENSED\",\n  \"files\": [\"dist\", \".env\"]\n}\n",
    )
    .write("leakgate.toml", "codenames = [\"Tengu\"]\n")
    .write("dist/index.js", fixture("esbuild-linked/index.js"))
    .write("dist/index.js.map", fixture("esbuild-linked/index.js.map"))
    .write(
        "dist/extra.js",
        format!(
            "// Tengu build\nexport const t = \"{}\";\n// Tengu again\n// Tengu\n",
            common::fake_ghp(7)
        ),
    )
    .write(".env", "API_URL=https://example.invalid\n")
    .commit_all("release");
    repo
}

fn run(repo: &TempRepo, args: &[&str]) -> (i32, String) {
    let out = repo.leakgate().args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), normalize(&text, repo))
}

#[test]
fn audit_human_output() {
    let repo = leaky_package();
    let (code, text) = run(&repo, &["audit"]);
    assert_eq!(code, 1, "{text}");
    check("audit.txt", &text);
}

#[test]
fn audit_json_output() {
    let repo = leaky_package();
    let (code, text) = run(&repo, &["audit", "--format", "json"]);
    assert_eq!(code, 1, "{text}");
    serde_json::from_str::<serde_json::Value>(&text).expect("valid JSON");
    check("audit.json", &text);
}

#[test]
fn audit_sarif_output() {
    let repo = leaky_package();
    let (code, text) = run(&repo, &["audit", "--format", "sarif"]);
    assert_eq!(code, 1, "{text}");
    serde_json::from_str::<serde_json::Value>(&text).expect("valid SARIF JSON");
    check("audit.sarif", &text);
}

#[test]
fn blocked_pre_commit_output() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        "{\n  \"name\": \"@acme/cli\",\n  \"version\": \"1.2.3\",\n  \"license\": \"UNLICENSED\",\n  \"files\": [\"dist\"]\n}\n",
    )
    .commit_all("init");
    repo.write(
        "package.json",
        "{\n  \"name\": \"@acme/cli\",\n  \"version\": \"1.2.3\",\n  \"license\": \"UNLICENSED\"\n}\n",
    )
    .write("dist/index.js", fixture("esbuild-linked/index.js"))
    .write("dist/index.js.map", fixture("esbuild-linked/index.js.map"))
    .write(".env.production", format!("GITHUB_TOKEN={}\n", common::fake_ghp(11)))
    .stage_all();
    let (code, text) = run(&repo, &["pre-commit"]);
    assert_eq!(code, 1, "{text}");
    check("pre-commit.txt", &text);
}
