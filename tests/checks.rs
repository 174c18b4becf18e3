//! End to end: the content checks (secrets, denied files, codenames, size, drift) through
//! the real binary in real git repositories, and `leakgate lock`.

mod common;

use common::TempRepo;

fn fake_ghp() -> String {
    common::fake_ghp(0x9E37_79B9_7F4A_7C15)
}

fn package(repo: &TempRepo, extra: &str) {
    repo.write(
        "package.json",
        format!(
            "{{\"name\":\"@acme/cli\",\"version\":\"1.0.0\",\"license\":\"UNLICENSED\",\"files\":[\"dist\"]{extra}}}\n"
        ),
    )
    .write("dist/index.js", "console.log('hello');\n");
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn audit_reports_secrets_redacted_and_denied_files() {
    let repo = TempRepo::new();
    package(&repo, "");
    let token = fake_ghp();
    repo.write("dist/auth.js", format!("const t = \"{token}\";\n"))
        .write("dist/.env", "DB_PASSWORD=hunter2\n");
    let out = repo.leakgate().args(["audit", "."]).output().unwrap();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("secret/github-token"), "{all}");
    assert!(all.contains("dist/auth.js:1:"), "{all}");
    assert!(all.contains("file/denied"), "{all}");
    assert!(
        !all.contains(&token[4..]),
        "the token must be redacted: {all}"
    );
}

/// Files of 1 MiB and more are mapped rather than read: a secret at the end of a 3 MB bundle
/// is still found on its own line, and a map of the same size is still judged whole. Big
/// files are judged first, but findings keep the packlist's (path) order.
#[test]
fn big_mapped_files_are_audited_whole() {
    let repo = TempRepo::new();
    package(&repo, "");
    let token = fake_ghp();
    let mut bundle = "var a = 1;\n".repeat(300_000);
    bundle.push_str(&format!("const t = \"{token}\";\n"));
    repo.write("dist/bundle.js", &bundle)
        .write("dist/a.js", format!("const t = \"{token}\";\n"));
    let source = "export const x = 1;\n".repeat(60_000);
    let map = format!(
        "{{\"version\":3,\"sources\":[\"../src/big.ts\"],\"sourcesContent\":[{}],\"mappings\":\"AAAA\"}}",
        serde_json::to_string(&source).unwrap()
    );
    assert!(map.len() > 1 << 20);
    repo.write("dist/big.js.map", &map);
    let out = repo.leakgate().args(["audit", "."]).output().unwrap();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    let small = all.find("dist/a.js:1:").expect("the small file's finding");
    let big = all
        .find("dist/bundle.js:300001:")
        .expect("the bundle's finding");
    assert!(small < big, "findings in path order: {all}");
    assert!(all.contains("sourcemap/sources-content"), "{all}");
    assert!(all.contains("src/big.ts"), "{all}");
}

#[test]
fn audit_near_miss_placeholders_pass() {
    let repo = TempRepo::new();
    package(&repo, "");
    repo.write(
        "dist/config.js",
        "const npmrc = `//registry.npmjs.org/:_authToken=${NPM_TOKEN}`;\n\
         const key = 'AKIAIOSFODNN7EXAMPLE';\nconst re = /-----BEGIN PRIVATE KEY-----/;\n",
    )
    .write("dist/.env.example", "DB_PASSWORD=\n");
    let out = repo.leakgate().args(["audit", "."]).output().unwrap();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(!all.contains("secret/"), "{all}");
    assert!(!all.contains("file/denied"), "{all}");
}

#[test]
fn codenames_hashed_in_config_are_found_in_contents_and_names() {
    let repo = TempRepo::new();
    package(&repo, "");
    let hashed = leakgate::config::Codename::hash("pepper", "Kairos");
    repo.write("leakgate.toml", format!("codenames = [\"{hashed}\"]\n"))
        .write(
            "dist/kairos-mode.js",
            "export const enableKairosMode = true;\n",
        );
    let out = repo.leakgate().args(["audit", "."]).output().unwrap();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert_eq!(all.matches("[codename]").count(), 2, "{all}");
    assert!(
        !all.to_lowercase().contains("kairos ") && !all.contains("Kairos"),
        "{all}"
    );
}

/// A package without `files` ships leakgate.toml: plaintext codenames in it publish the list
/// (`config/codenames-shipped`, not `codename`); hashed ones, or none, are fine.
#[test]
fn shipped_config_naming_codenames_in_plain_text_blocks() {
    let hashed = leakgate::config::Codename::hash("pepper", "Nightjar");
    let cases = [
        ("codenames = [\"Nightjar\"]\n".to_string(), true),
        (format!("codenames = [\"{hashed}\"]\n"), false),
        ("[drift]\nmax-growth = 2.0\n".to_string(), false),
    ];
    for (config, blocked) in cases {
        let repo = TempRepo::new();
        repo.write(
            "package.json",
            "{\"name\":\"@acme/cli\",\"version\":\"1.0.0\",\"license\":\"UNLICENSED\"}\n",
        )
        .write("index.js", "module.exports = 1;\n")
        .write("leakgate.toml", &config);
        let out = repo.leakgate().args(["audit", "."]).output().unwrap();
        let all = text(&out);
        assert!(!all.contains("[codename]"), "{config}: {all}");
        assert!(!all.contains("Nightjar"), "{config}: {all}");
        if blocked {
            assert_eq!(out.status.code(), Some(1), "{config}: {all}");
            assert!(all.contains("error[config/codenames-shipped]"), "{all}");
            assert!(all.contains("leakgate.toml:1:15"), "{all}");
        } else {
            assert_eq!(out.status.code(), Some(0), "{config}: {all}");
            assert!(!all.contains("config/codenames-shipped"), "{config}: {all}");
        }
    }
}

#[test]
fn size_limit_blocks_and_default_does_not() {
    let repo = TempRepo::new();
    package(&repo, "");
    repo.write("dist/big.js", "x".repeat(5_000));
    let out = repo.leakgate().args(["audit", "."]).output().unwrap();
    assert!(!text(&out).contains("pack/size"), "{}", text(&out));
    repo.write("leakgate.toml", "[size]\nmax-file = 4000\n");
    let out = repo.leakgate().args(["audit", "."]).output().unwrap();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains("pack/size") && all.contains("dist/big.js"),
        "{all}"
    );
}

#[test]
fn lock_is_deterministic_and_drift_blocks_a_new_map() {
    let repo = TempRepo::new();
    package(&repo, "");
    let out = repo.leakgate().arg("lock").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let first = repo.read("leakgate.lock");
    let lock = String::from_utf8_lossy(&first).to_string();
    assert!(
        lock.contains("\"dist/index.js\"") && lock.contains("\"package.json\""),
        "{lock}"
    );
    assert!(
        lock.contains("dir = \".\"") && lock.contains("name = \"@acme/cli\""),
        "{lock}"
    );
    // Rewriting an unchanged tree is byte-identical; --check agrees.
    repo.leakgate().arg("lock").output().unwrap();
    assert_eq!(repo.read("leakgate.lock"), first);
    let out = repo.leakgate().args(["lock", "--check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // The leak: a big map appears next to the bundle.
    repo.write(
        "dist/index.js.map",
        format!(
            "{{\"version\":3,\"sources\":[],\"mappings\":\"{}\"}}",
            "A".repeat(4000)
        ),
    );
    let out = repo.leakgate().args(["audit", "."]).output().unwrap();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains("pack/drift") && all.contains("dist/index.js.map"),
        "{all}"
    );
    assert!(all.contains("grew"), "{all}");
    let out = repo.leakgate().args(["lock", "--check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("out of date"), "{}", text(&out));
    assert_eq!(repo.read("leakgate.lock"), first, "--check writes nothing");
}

/// Without `files` the root package ships leakgate.lock and leakgate.toml too: the lock leaves
/// itself out, so one `lock` settles it (`--check` and the audit agree at once), while the
/// config is an ordinary shipped file.
#[test]
fn lock_settles_in_one_run_when_the_lock_itself_ships() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        "{\"name\":\"@acme/cli\",\"version\":\"1.0.0\",\"license\":\"UNLICENSED\"}\n",
    )
    .write("index.js", "module.exports = 1;\n")
    .write("leakgate.toml", "[drift]\nmax-growth = 1.5\n");
    let out = repo.leakgate().arg("lock").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let first = String::from_utf8(repo.read("leakgate.lock")).unwrap();
    assert!(!first.contains("\"leakgate.lock\""), "{first}");
    assert!(first.contains("\"leakgate.toml\""), "{first}");
    let files = repo.leakgate().args(["files", "."]).output().unwrap();
    assert!(text(&files).contains("leakgate.lock"), "it does ship");

    let out = repo.leakgate().args(["lock", "--check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = repo.leakgate().args(["audit", "."]).output().unwrap();
    assert!(!text(&out).contains("pack/drift"), "{}", text(&out));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    repo.leakgate().arg("lock").output().unwrap();
    assert_eq!(
        String::from_utf8(repo.read("leakgate.lock")).unwrap(),
        first
    );

    // Near miss: leakgate.toml is not exempt; a new file next to it is drift.
    repo.write("notes.md", "internal\n");
    let out = repo.leakgate().args(["lock", "--check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let out = repo.leakgate().args(["audit", "."]).output().unwrap();
    assert!(
        text(&out).contains("notes.md ships but is not in leakgate.lock"),
        "{}",
        text(&out)
    );
}

#[test]
fn lock_records_workspace_members_and_skips_private_ones() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        "{\"name\":\"root\",\"version\":\"1.0.0\",\"private\":true,\"workspaces\":[\"packages/*\"]}\n",
    )
    .write("packages/a/package.json", "{\"name\":\"a\",\"version\":\"1.0.0\"}\n")
    .write("packages/a/index.js", "1\n")
    .write("packages/b/package.json", "{\"name\":\"b\",\"version\":\"1.0.0\"}\n")
    .write("packages/b/index.js", "2\n");
    let out = repo.leakgate().arg("lock").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let lock = String::from_utf8_lossy(&repo.read("leakgate.lock")).to_string();
    let a = lock.find("dir = \"packages/a\"").expect("a recorded");
    let b = lock.find("dir = \"packages/b\"").expect("b recorded");
    assert!(a < b, "{lock}");
    assert!(
        !lock.contains("dir = \".\""),
        "private root skipped: {lock}"
    );
    // Re-recording one package keeps the other.
    repo.write("packages/a/extra.js", "3\n");
    let out = repo
        .leakgate()
        .args(["lock", "packages/a"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let lock = String::from_utf8_lossy(&repo.read("leakgate.lock")).to_string();
    assert!(
        lock.contains("\"extra.js\"") && lock.contains("dir = \"packages/b\""),
        "{lock}"
    );
}

#[test]
fn a_broken_lock_is_an_input_error_naming_the_file() {
    let repo = TempRepo::new();
    package(&repo, "");
    repo.write("leakgate.lock", "version = 1\n[[package]]\ndir = 3\n");
    let out = repo.leakgate().args(["audit", "."]).output().unwrap();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("leakgate.lock:3:"), "{all}");
    let out = repo.leakgate().arg("lock").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}
