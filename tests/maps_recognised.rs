//! What a browser, node or a bundler reads as a source map, leakgate reads as one (issue 13,
//! class 5): a `version` of `3.0`, `"3"` or none; a whole map saved under `.js`, `.mjs`,
//! `.css`; inline maps in `.jsx`, `.ts`, `.html`; a repeated `sourcesContent` key whose last
//! copy is empty; codenames and tokens in the map's own JSON (`sources`, `x_*` keys); an
//! embedded source starting with NUL. Each variant is audited through the real binary.

mod common;

use base64::Engine;
use common::TempRepo;

fn fake_ghp() -> String {
    common::fake_ghp(0x2545_F491_4F6C_DD1D)
}

const SOURCE: &str = "export function login(user: string) {\\n  return fetch('/api/login');\\n}\\n";

/// A map whose `version` member is `version` (raw JSON, or nothing).
fn map_json(version: Option<&str>) -> String {
    let v = version
        .map(|v| format!("\"version\":{v},"))
        .unwrap_or_default();
    format!(
        "{{{v}\"sources\":[\"../src/login.ts\"],\"sourcesContent\":[\"{SOURCE}\"],\"names\":[],\"mappings\":\"AAAA\"}}"
    )
}

fn inline(json: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(json);
    format!("data:application/json;base64,{b64}")
}

/// A proprietary package shipping `dist/` with `file` holding `contents`.
fn audit(file: &str, contents: &str, config: Option<&str>) -> (i32, String) {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"@acme/cli","version":"1.0.0","license":"UNLICENSED","files":["dist"]}"#,
    )
    .write(file, contents);
    if let Some(c) = config {
        repo.write("leakgate.toml", c);
    }
    let out = repo.leakgate().args(["audit", "-v"]).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn assert_sources_leak(file: &str, contents: &str) {
    let (code, text) = audit(file, contents, None);
    assert_eq!(code, 1, "{file}: {text}");
    assert!(
        text.contains("error[sourcemap/sources-content]"),
        "{file}: {text}"
    );
}

#[test]
fn inline_maps_whatever_their_version() {
    for version in [Some("3"), Some("3.0"), Some("\"3\""), None] {
        let js = format!(
            "console.log(1);\n//# sourceMappingURL={}\n",
            inline(&map_json(version))
        );
        assert_sources_leak("dist/cli.js", &js);
    }
}

#[test]
fn whole_maps_saved_under_other_extensions() {
    for name in [
        "dist/cli.js",
        "dist/cli.mjs",
        "dist/app.css",
        "dist/debug.json",
    ] {
        assert_sources_leak(name, &map_json(Some("3")));
    }
    // Near miss: JSON that mentions `mappings` but is no map (no `sources`).
    let (code, text) = audit(
        "dist/config.js",
        r#"{"mappings":{"a":"b"},"version":3}"#,
        None,
    );
    assert_eq!(code, 0, "{text}");
}

#[test]
fn inline_maps_in_jsx_ts_and_html() {
    let url = inline(&map_json(Some("3")));
    assert_sources_leak(
        "dist/App.jsx",
        &format!("export const App = () => null;\n//# sourceMappingURL={url}\n"),
    );
    assert_sources_leak(
        "dist/index.ts",
        &format!("export const x = 1;\n//# sourceMappingURL={url}\n"),
    );
    assert_sources_leak(
        "dist/index.html",
        &format!(
            "<!doctype html><html><body><script>\nconsole.log(1);\n//# sourceMappingURL={url}\n</script></body></html>\n"
        ),
    );
}

#[test]
fn a_repeated_sources_content_key_hides_nothing() {
    let json = format!(
        "{{\"version\":3,\"sources\":[\"../src/login.ts\"],\"sourcesContent\":[\"{SOURCE}\"],\"mappings\":\"AAAA\",\"sourcesContent\":[]}}"
    );
    assert_sources_leak("dist/cli.js.map", &json);
}

#[test]
fn the_maps_own_json_is_scanned_outside_the_sources() {
    // A codename in `sources` names (the file name of an internal module).
    let json = "{\"version\":3,\"sources\":[\"../src/nightjar/bridge.ts\"],\"names\":[],\"mappings\":\"AAAA\"}";
    let (code, text) = audit(
        "dist/cli.js.map",
        json,
        Some("codenames = [\"Nightjar\"]\n"),
    );
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("codename"), "{text}");
    // A token in an `x_` extension key.
    let token = fake_ghp();
    let json = format!(
        "{{\"version\":3,\"sources\":[\"a.ts\"],\"names\":[],\"mappings\":\"AAAA\",\"x_upload\":{{\"token\":\"{token}\"}}}}"
    );
    let (code, text) = audit("dist/cli.js.map", &json, None);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("secret/github-token"), "{text}");
    assert!(!text.contains(&token[4..]), "redacted: {text}");
    // Near miss: the same map without the token or codename.
    let json = "{\"version\":3,\"sources\":[\"a.ts\"],\"names\":[],\"mappings\":\"AAAA\"}";
    let (code, text) = audit(
        "dist/cli.js.map",
        json,
        Some("codenames = [\"Nightjar\"]\n"),
    );
    assert_eq!(code, 0, "{text}");
}

#[test]
fn an_embedded_source_starting_with_nul_is_still_text() {
    let token = fake_ghp();
    let json = format!(
        "{{\"version\":3,\"sources\":[\"a.ts\"],\"sourcesContent\":[\"\\u0000const t = '{token}';\\n\"],\"mappings\":\"AAAA\"}}"
    );
    let (code, text) = audit("dist/cli.js.map", &json, None);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("secret/github-token"), "{text}");
}

/// A `sourceMappingURL` pointing at a dev server on the build machine exposes nothing; one
/// on a real host still is reported.
#[test]
fn a_localhost_map_url_is_no_external_url() {
    for url in [
        "http://localhost:5173/assets/cli.js.map",
        "http://127.0.0.1:8080/cli.js.map",
        "http://[::1]:3000/cli.js.map",
        "http://app.localhost/cli.js.map",
    ] {
        let (code, text) = audit(
            "dist/cli.js",
            &format!("console.log(1);\n//# sourceMappingURL={url}\n"),
            None,
        );
        assert_eq!(code, 0, "{url}: {text}");
        assert!(!text.contains("sourcemap/external-url"), "{url}: {text}");
    }
    let (_, text) = audit(
        "dist/cli.js",
        "console.log(1);\n//# sourceMappingURL=https://cdn.acme.io/cli.js.map\n",
        None,
    );
    assert!(text.contains("sourcemap/external-url"), "{text}");
}

/// A token inside an embedded source of a staged map is reported where the audit reports
/// it: `MAP!SOURCE:line:col` in the source, not a column of the map's one-line JSON. A map
/// rebuilt around a token HEAD's map already held says nothing new about it.
#[test]
fn a_staged_map_names_secrets_at_their_embedded_source() {
    let token = fake_ghp();
    let map = |extra: &str| {
        format!(
            "{{\"version\":3,\"sources\":[\"../src/auth.ts\"],\"sourcesContent\":[\"// auth\\n{extra}export const t = \\\"{token}\\\";\\n\"],\"names\":[],\"mappings\":\"AAAA\"}}"
        )
    };
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"@acme/cli","version":"1.0.0","license":"UNLICENSED","files":["dist"]}"#,
    )
    .commit_all("init");
    repo.write("dist/cli.js.map", map("")).stage_all();
    let out = repo.leakgate().arg("pre-commit").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("--> dist/cli.js.map!src/auth.ts:2:19"),
        "{text}"
    );
    let audit = repo.leakgate().arg("audit").output().unwrap();
    let audit = String::from_utf8_lossy(&audit.stdout).into_owned();
    assert!(
        audit.contains("--> dist/cli.js.map!src/auth.ts:2:19"),
        "the audit names the same place: {audit}"
    );

    // Near miss: HEAD's map already embeds the token; the new build adds a comment line
    // above it. The token's line is not new, so the commit adds no secret.
    repo.git(&["commit", "-q", "--no-verify", "-m", "map"]);
    repo.write("dist/cli.js.map", map("// more\\n")).stage_all();
    let out = repo.leakgate().arg("pre-commit").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!text.contains("secret/github-token"), "{text}");
}
