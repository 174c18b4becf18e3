//! Files too big to read whole are streamed and judged, never passed unread (issue 13,
//! class 7): a staged source map over the 64 MiB whole-read limit that embeds sources and
//! holds a token blocks the commit; the same size without sources or token passes.

mod common;

use common::TempRepo;

fn fake_ghp() -> String {
    common::fake_ghp(0x1234_5678_9ABC_DEF1)
}

/// A source map of about `mb` MiB: `sources` count entries, each embedded (or `null`), the
/// token (if any) inside the last embedded source, one line as bundlers write them.
fn big_map(mb: usize, embed: bool, token: Option<&str>) -> Vec<u8> {
    let per = 16 * 1024;
    let n = mb * 1024 * 1024 / per + 1;
    let mut out = String::with_capacity(mb * 1024 * 1024 + 4096);
    out.push_str("{\"version\":3,\"sources\":[");
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!("\"src/m{i}.ts\""));
    }
    out.push_str("],\"sourcesContent\":[");
    let body = "export const value = 1;\\n".repeat(per / 26);
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        if !embed {
            out.push_str("null");
            continue;
        }
        out.push('"');
        out.push_str(&body);
        if i + 1 == n {
            if let Some(t) = token {
                out.push_str(&format!("const t = '{t}';\\n"));
            }
        }
        out.push('"');
    }
    if !embed {
        // Still a big file: the size must come from somewhere.
        out.push_str("],\"x_pad\":\"");
        out.push_str(&"A".repeat(mb * 1024 * 1024));
        out.push('"');
        out.push('}');
        return out.into_bytes();
    }
    out.push_str("],\"mappings\":\"AAAA\"}");
    out.into_bytes()
}

fn precommit(repo: &TempRepo) -> (i32, String) {
    let out = repo
        .leakgate()
        .args(["pre-commit", "-v"])
        .env("LEAKGATE_AMEND", "0")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn a_staged_map_over_the_whole_read_limit_is_streamed_and_judged() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"@acme/cli","version":"1.0.0","license":"UNLICENSED","files":["dist"]}"#,
    )
    .commit_all("init");
    let token = fake_ghp();
    repo.write("dist/cli.js.map", big_map(72, true, Some(&token)));
    repo.git(&["add", "-f", "dist/cli.js.map"]);
    let (code, text) = precommit(&repo);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("error[secret/github-token]"), "{text}");
    assert!(text.contains("error[sourcemap/sources-content]"), "{text}");
    assert!(text.contains("judged streaming"), "{text}");
    assert!(!text.contains(&token[4..]), "redacted: {text}");

    // Near miss: as big, no embedded source and no token.
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"@acme/cli","version":"1.0.0","license":"UNLICENSED","files":["dist"]}"#,
    )
    .commit_all("init");
    repo.write("dist/cli.js.map", big_map(72, false, None));
    repo.git(&["add", "-f", "dist/cli.js.map"]);
    let (code, text) = precommit(&repo);
    assert_eq!(code, 0, "{text}");
}

/// A shipped map over the 256 MiB whole-read limit is judged by its streamed raw JSON: it
/// embeds sources, so it blocks as any map with sources does (it used to be an unread
/// `sourcemap/invalid`).
#[test]
fn a_shipped_map_over_the_whole_read_limit_is_judged_streaming() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"@acme/cli","version":"1.0.0","license":"UNLICENSED","files":["dist"]}"#,
    )
    .write("dist/cli.js.map", big_map(290, true, None));
    let out = repo.leakgate().arg("audit").output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("error[sourcemap/sources-content]"), "{text}");
    assert!(text.contains("judged streaming"), "{text}");
    assert!(!text.contains("sourcemap/invalid"), "{text}");
}
