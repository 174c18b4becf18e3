//! The bodies of the fuzz targets (`fuzz/fuzz_targets/*.rs`), shared with the corpus replay
//! test (`tests/fuzz_replay.rs`) so the two cannot drift: the fuzzer calls these on nightly,
//! `cargo test` replays every committed input through them on stable.
//!
//! Each body takes arbitrary bytes, drives one reader of untrusted input through its real
//! entry points, and panics (an `assert!`) when a property that must hold for every input
//! fails: offsets inside the input and on character boundaries, errors that name a line and
//! column, a streaming reader that agrees with the whole-buffer one, a reader that stops for
//! good after an error. A panic, an abort or a hang is a finding.
//!
//! Not part of leakgate's interface: hidden from the docs, no stability promise.

use crate::checks::sourcemap::{self, annotation, data_url, scan, url};
use crate::config::{pathglob, Config, SourcemapSettings, Visibility};
use crate::packlist::{manifest, pattern::Pattern};
use crate::review::{self, js, shell, PackageCtx};
use crate::snapshot::tar_reader::TarReader;
use std::path::Path;

/// A target's body.
pub type Body = fn(&[u8]);

/// The fuzz targets by name, for the replay test (`fuzz/seeds/<name>/`,
/// `fuzz/regressions/<name>/`).
pub const TARGETS: &[(&str, Body)] = &[
    ("package_json", package_json),
    ("pattern", pattern),
    ("sourcemap", sourcemap),
    ("tar", tar),
    ("config", config),
    ("js", js_tokens),
    ("shell", shell_line),
];

/// The input as text, or nothing (every reader below takes `&str` after its own UTF-8
/// check, done elsewhere).
fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// Splits text at its first NUL: `(old, new)` for the readers that compare two versions.
fn two_versions(t: &str) -> (Option<&str>, &str) {
    match t.split_once('\0') {
        Some((old, new)) => (Some(old), new),
        None => (None, t),
    }
}

/// `offset` is inside `s` (or at its end) and on a character boundary.
fn assert_boundary(s: &str, offset: usize, what: &str) {
    assert!(
        offset <= s.len() && s.is_char_boundary(offset),
        "{what}: offset {offset} is not a character boundary of a {}-byte input",
        s.len()
    );
}

/// An error position is 1-based and inside the text (the line after the last newline at
/// most; column counted in characters or bytes, so at most the bytes plus one).
fn assert_position(t: &str, line: usize, column: usize, what: &str) {
    let lines = t.bytes().filter(|&b| b == b'\n').count() + 1;
    assert!(
        line >= 1 && line <= lines + 1,
        "{what}: line {line} of {lines}"
    );
    assert!(
        column >= 1 && column <= t.len() + 1,
        "{what}: column {column}"
    );
}

/// package.json: the staged-manifest reader (`review::package_json`, the whole review of
/// an edit from a NUL-separated old and new text) and the packlist's manifest reader
/// (`manifest::parse_json` + `manifest::read`, which compiles `files`).
pub fn package_json(data: &[u8]) {
    if let Ok(value) = manifest::parse_json("package.json", data) {
        let _ = manifest::read("package.json", value);
    }
    let Some(t) = text(data) else { return };
    let (old, new) = two_versions(t);
    if let Err(e) = review::package_json::parse("package.json", new) {
        assert_position(new, e.line, e.column, "package.json parse error");
    }
    let staged = |_: &str| -> Option<String> { None };
    for pkg in [PackageCtx::none(), private_ctx()] {
        match review::review_file("package.json", old, Some(new), &pkg, &staged) {
            Ok(findings) => {
                for f in findings {
                    if let Some(line) = f.line {
                        assert_position(new, line as usize, 1, "package.json finding");
                    }
                }
            }
            Err(e) => assert_position(new, e.line, e.column, "package.json review error"),
        }
    }
}

fn private_ctx() -> PackageCtx {
    PackageCtx {
        dir: "packages/a".into(),
        name: Some("@acme/a".into()),
        private: false,
        visibility: Visibility::Open,
        has_files: true,
    }
}

/// Ignore patterns: the first line is compiled as one pattern (and as a whole ignore file),
/// the other lines are paths matched against it. Properties: compiling is deterministic
/// (a re-compile gives the same answers), and a leading `!!` changes nothing (minimatch
/// counts leading `!`s by parity).
pub fn pattern(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let _ = crate::packlist::pattern::parse_rules(t);
    let (line, paths) = t.split_once('\n').unwrap_or((t, ""));
    let Ok(p) = Pattern::new(line) else { return };
    let again = Pattern::new(line).expect("a pattern that compiled once compiles again");
    // Only for a line that is neither empty nor a comment: minimatch decides those before
    // it counts `!`s (`!!` is the pattern "", `!!#x` is no comment).
    let bang = (!line.is_empty() && !line.starts_with('#'))
        .then(|| Pattern::new(&format!("!!{line}")).ok())
        .flatten();
    assert_eq!(p.negate(), again.negate());
    assert_eq!(p.has_short_part(), again.has_short_part());
    for path in paths.split('\n').take(64) {
        for partial in [false, true] {
            let hit = p.matches(path, partial);
            assert_eq!(
                hit,
                again.matches(path, partial),
                "re-compiled `{line}` disagrees on `{path}`"
            );
            if let Some(b) = &bang {
                assert_eq!(b.negate(), p.negate(), "`!!{line}` flips the negation");
                assert_eq!(
                    hit,
                    b.matches(path, partial),
                    "`!!{line}` and `{line}` disagree on `{path}`"
                );
            }
        }
    }
    let staged = |_: &str| -> Option<String> { None };
    let _ = review::review_file(".npmignore", None, Some(t), &PackageCtx::none(), &staged);
}

/// The names a packed file is checked under: the first byte of the input picks one.
const MAP_PATHS: &[&str] = &[
    "dist/index.js.map",
    "dist/index.js",
    "dist/style.css",
    "dist/mod.wasm",
    "dist/data.txt",
    "dist/page.html",
];

/// Source maps: the map parser, the inline-comment and `data:` URL readers, the whole
/// per-file check (map file, inline map, map under another name), and the streamed
/// `sourcesContent` marker, which must agree with itself however the stream is cut.
pub fn sourcemap(data: &[u8]) {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let path = MAP_PATHS[usize::from(pick) % MAP_PATHS.len()];

    match scan::parse(bytes) {
        Ok(map) => {
            for r in &map.masked {
                assert!(r.start <= r.end && r.end <= bytes.len(), "masked {r:?}");
            }
            for leaf in map.leaves() {
                for i in 0..leaf.sources.len() {
                    if let Some(r) = leaf.content(i) {
                        assert!(r.end <= bytes.len(), "content {r:?}");
                        let _ = scan::decode_string(&bytes[r.clone()]);
                    }
                }
                for s in leaf.sources.iter().flatten() {
                    let _ = url::classify(s, path);
                    let _ = url::local_path_kind(s);
                    let _ = url::display_source(s);
                }
            }
        }
        Err(e) => {
            assert!(e.offset <= bytes.len(), "error offset {}", e.offset);
            let (line, col) = e.line_col(bytes);
            assert!(line >= 1 && col >= 1);
        }
    }
    for a in [
        annotation::js_annotation(bytes),
        annotation::css_annotation(bytes),
    ]
    .into_iter()
    .flatten()
    {
        assert!(a.span.end <= bytes.len(), "annotation span {:?}", a.span);
        let _ = a.line(bytes);
        let _ = url::classify(&a.url, path);
        let _ = data_url::decode(&a.url);
    }
    for r in annotation::embedded_data_urls(bytes) {
        assert!(r.end <= bytes.len(), "data URL range {r:?}");
        if let Ok(u) = std::str::from_utf8(&bytes[r]) {
            let _ = data_url::decode(u);
        }
    }
    let _ = annotation::wasm_annotation(bytes);
    if let Some(t) = text(bytes) {
        let _ = data_url::decode(t);
        let _ = url::classify(t, path);
        let _ = url::resolve("dist", t);
    }

    let settings = SourcemapSettings::default();
    let files = [
        (path.to_string(), bytes.len() as u64),
        ("dist/index.js".to_string(), 3),
        ("src/index.ts".to_string(), 3),
    ];
    let owned = bytes.to_vec();
    let view = sourcemap::PackageView::new(
        Visibility::Proprietary,
        &settings,
        files,
        Box::new(move |p: &str| (p == path).then(|| owned.clone())),
    );
    let embedded = |e: sourcemap::Embedded<'_>| {
        assert!(!e.name.is_empty());
        Vec::new()
    };
    for whole in [true, false] {
        let mut out = Vec::new();
        if let Some(masked) = sourcemap::check_file(&view, path, bytes, whole, &mut out, &embedded)
        {
            let _ = crate::checks::scan_outside(bytes, &masked, &|piece| {
                assert!(piece.len() >= 4);
                Vec::new()
            });
        }
    }

    // The streamed marker: one feed, and the same bytes cut at two places.
    let mut whole = crate::checks::SourcesMarker::default();
    whole.feed(bytes);
    let cut = usize::from(pick).min(bytes.len());
    let cut2 = (cut + bytes.len()) / 2;
    let mut pieces = crate::checks::SourcesMarker::default();
    for chunk in [&bytes[..cut], &bytes[cut..cut2], &bytes[cut2..]] {
        pieces.feed(chunk);
    }
    assert_eq!(
        whole.found(),
        pieces.found(),
        "the streamed marker depends on where the stream is cut ({cut}, {cut2})"
    );
}

/// The tar reader: every entry's body lies inside the stream and is no longer than its
/// header says, and after an error (or the end) no entry follows.
pub fn tar(data: &[u8]) {
    let mut r = TarReader::new(data);
    let mut buf = [0u8; 700];
    let mut stopped = false;
    for _ in 0..10_000 {
        match r.next_entry() {
            Ok(Some(h)) => {
                assert!(!stopped, "an entry after an error or the end: {h:?}");
                assert!(!h.path.is_empty(), "an entry without a path");
                assert!(h.offset <= data.len() as u64, "offset {}", h.offset);
                let mut read = 0u64;
                loop {
                    match r.read_body(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => read += n as u64,
                        Err(_) => {
                            stopped = true;
                            break;
                        }
                    }
                }
                assert!(read <= h.size, "read {read} of a {}-byte body", h.size);
                if !stopped {
                    assert_eq!(read, h.size, "a body read short without an error");
                    assert!(h.offset + h.size <= data.len() as u64);
                }
            }
            Ok(None) => {
                if stopped {
                    break;
                }
                stopped = true;
            }
            Err(_) => stopped = true,
        }
        let _ = r.take_warnings();
    }
}

/// leakgate.toml: every error names a line and column inside the text, `parse` fails
/// exactly when `check` finds errors, and a config that reads prints (`leakgate config`)
/// as TOML that reads back. Also the `[files] deny` glob compiler, one line at a time.
pub fn config(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let file = Path::new("leakgate.toml");
    let errors = Config::check(t, file);
    for e in &errors {
        assert_position(t, e.line, e.column, "config error");
        assert_eq!(e.file, "leakgate.toml");
    }
    match Config::parse(t, file) {
        Ok(config) => {
            assert!(errors.is_empty(), "parse accepted what check refused");
            let printed = config.to_toml();
            if let Err(e) = Config::parse(&printed, file) {
                panic!("`leakgate config` prints TOML it can't read back: {e}\n{printed}");
            }
            let _ = config.denied();
            let _ = config.codenames_parsed();
            let _ = config.visibility("", &serde_json::Value::Null);
        }
        Err(e) => {
            assert!(!errors.is_empty(), "check found nothing parse refused");
            assert_position(t, e.line, e.column, "config parse error");
        }
    }
    for line in t.lines().take(16) {
        if let Ok(g) = pathglob::compile(line) {
            let set = pathglob::set([g]);
            let _ = pathglob::matches(&set, line);
            let _ = pathglob::matches(&set, &pathglob::normalize(line));
        }
        let _ = pathglob::compile_name(line);
    }
}

/// The JavaScript tokenizer and property finder, and the bundler-config review that uses
/// them: offsets increase and sit on character boundaries.
pub fn js_tokens(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let mut last = 0;
    for tok in js::tokenize(t) {
        assert_boundary(t, tok.offset, "token");
        assert!(tok.offset >= last, "tokens out of order at {}", tok.offset);
        assert!(tok.offset < t.len(), "a token at the end of input");
        last = tok.offset;
    }
    for p in js::properties(t) {
        assert_boundary(t, p.offset, "property");
    }
    let (old, new) = two_versions(t);
    let staged = |_: &str| -> Option<String> { None };
    for path in [
        "vite.config.ts",
        "webpack.config.js",
        "tsconfig.json",
        ".swcrc",
    ] {
        if let Err(e) = review::bundlers::review(path, old, Some(new), &private_ctx(), &staged) {
            assert_position(new, e.line, e.column, "bundler config error");
        }
    }
}

/// Shell command lines (package.json scripts, `.sh` files): flag offsets sit on character
/// boundaries inside the line.
pub fn shell_line(data: &[u8]) {
    let Some(t) = text(data) else { return };
    for f in shell::map_flags(t) {
        assert_boundary(t, f.offset, "flag");
        assert!(!f.tool.is_empty());
    }
    let (old, new) = two_versions(t);
    let staged = |_: &str| -> Option<String> { None };
    let _ = review::bundlers::review("scripts/build.sh", old, Some(new), &private_ctx(), &staged);
    let script = serde_json::json!({
        "name": "a",
        "version": "1.0.0",
        "scripts": { "build": new },
    })
    .to_string();
    let _ = review::bundlers::review("package.json", None, Some(&script), &private_ctx(), &staged);
}
