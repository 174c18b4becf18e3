//! The source-map rules on the repository's fixtures: real outputs of every bundler and the
//! hand-made edge cases (`tests/fixtures/sourcemaps/README.md`).

use super::*;
use crate::config::SourcemapSettings;
use std::path::{Path, PathBuf};

/// The fixtures directory, inside the repository.
pub(crate) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sourcemaps")
}

fn walk(dir: &Path, rel: &str, out: &mut Vec<(String, PathBuf)>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().into_string().unwrap();
        let r = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if e.file_type().unwrap().is_dir() {
            walk(&e.path(), &r, out);
        } else {
            out.push((r, e.path()));
        }
    }
}

/// A package made of fixture directories mounted at package paths.
struct Pkg {
    files: Vec<(String, PathBuf)>,
    visibility: Visibility,
    settings: SourcemapSettings,
}

impl Pkg {
    fn new(mounts: &[(&str, &str)]) -> Pkg {
        let mut files = Vec::new();
        for (fixture, at) in mounts {
            let mut found = Vec::new();
            walk(&fixtures().join(fixture), "", &mut found);
            for (rel, full) in found {
                let path = if at.is_empty() {
                    rel
                } else {
                    format!("{at}/{rel}")
                };
                files.push((path, full));
            }
        }
        Pkg {
            files,
            visibility: Visibility::Proprietary,
            settings: SourcemapSettings::default(),
        }
    }

    fn without(mut self, path: &str) -> Pkg {
        self.files.retain(|(p, _)| p != path);
        self
    }

    fn run(&self) -> (Vec<Finding>, Vec<String>) {
        let by_path: HashMap<String, PathBuf> = self.files.iter().cloned().collect();
        let sizes = self
            .files
            .iter()
            .map(|(p, f)| (p.clone(), std::fs::metadata(f).unwrap().len()));
        let view = PackageView::new(
            self.visibility,
            &self.settings,
            sizes,
            Box::new(move |p: &str| by_path.get(p).and_then(|f| std::fs::read(f).ok())),
        );
        let mut findings = Vec::new();
        let names = std::sync::Mutex::new(Vec::new());
        for (path, full) in &self.files {
            let bytes = std::fs::read(full).unwrap();
            check_file(&view, path, &bytes, true, &mut findings, &|e: Embedded<
                '_,
            >| {
                names.lock().unwrap().push(e.name);
                Vec::new()
            });
        }
        let mut names = names.into_inner().unwrap();
        // Judged in parallel: the order is the caller's to choose.
        names.sort();
        (findings, names)
    }
}

fn rules(findings: &[Finding], rule: &str) -> Vec<String> {
    let mut v: Vec<String> = findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| format!("{} {}", f.file.as_deref().unwrap_or(""), f.message))
        .collect();
    v.sort();
    v
}

fn leak(findings: &[Finding]) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| f.rule == "sourcemap/sources-content")
        .collect()
}

#[test]
fn every_embedding_bundler_output_is_a_leak() {
    // (fixture, file that should be reported, embedded own sources)
    let cases = [
        ("esbuild-linked", "dist/index.js.map", 5),
        ("esbuild-inline", "dist/index.js", 5),
        ("esbuild-external", "dist/index.js.map", 5),
        ("bun-linked", "dist/index.js.map", 5),
        ("bun-external", "dist/index.js.map", 5),
        ("bun-inline", "dist/index.js", 5),
        ("vite-hidden", "dist/index.mjs.map", 5),
        ("vite-inline", "dist/index.mjs", 5),
        ("rolldown-inline", "dist/index.js", 5),
        ("rollup-true-ts-inlineSources", "dist/index.js.map", 5),
        ("tsup-inline", "dist/index.js", 5),
        ("terser-inline-chained", "dist/index.js", 5),
        ("tsc5-inlineSourceMap-inlineSources", "dist/index.js", 1),
        ("tsc7-sourceMap-inlineSources", "dist/config.js.map", 1),
        ("swc-inline", "dist/index.js", 1),
        ("esbuild-css-inline", "dist/report.css", 1),
        ("esbuild-css-linked", "dist/report.css.map", 1),
        ("handmade-index-map", "dist/index.js.map", 5),
        ("handmade-xssi-prefix", "dist/index.js.map", 5),
        ("handmade-renamed-map", "dist/debug-info.json", 5),
        ("handmade-legacy-at", "dist/index.js.map", 5),
        ("handmade-data-url-percent-encoded", "dist/index.js", 5),
        ("handmade-data-url-charset-variants", "dist/other.js", 5),
        ("handmade-data-url-charset-variants", "dist/index.js", 5),
        ("handmade-wasm-custom-section", "dist/module.wasm.map", 1),
        ("webpack-eval-source-map", "dist/index.js", 5),
        ("webpack-inline-source-map", "dist/index.js", 5),
        ("webpack-source-map", "dist/index.js.map", 5),
        ("rspack-hidden-source-map", "dist/index.js.map", 5),
        ("parcel-default", "dist/index.js.map", 6),
        ("ncc-s", "dist/index.js.map", 4),
        ("babel-inline", "dist/index.js", 1),
    ];
    for (fixture, file, count) in cases {
        let (findings, _) = Pkg::new(&[(fixture, "dist")]).run();
        let hit = leak(&findings)
            .into_iter()
            .find(|f| f.file.as_deref() == Some(file))
            .unwrap_or_else(|| {
                panic!("{fixture}: no sources-content finding on {file}: {findings:#?}")
            });
        assert_eq!(hit.severity, Severity::Error, "{fixture}");
        let expect = format!("embeds {count} original source");
        assert!(hit.message.contains(&expect), "{fixture}: {}", hit.message);
    }
}

#[test]
fn maps_without_sources_are_no_leak() {
    for fixture in [
        "esbuild-linked-no-sources-content",
        "handmade-sourcescontent-all-null",
        "rollup-true",
        "rollup-inline",
        "rollup-hidden",
        "rspack-nosources-source-map",
        "webpack-nosources-source-map",
        "tsc5-sourceMap",
        "tsc7-inlineSourceMap",
        "tsc5-declarationMap",
        "vite-true-exclude-sources",
        "swc-true-no-sources-content",
        "terser-url",
        "webpack-eval",
        "esbuild-none",
        "bun-none",
    ] {
        let (findings, names) = Pkg::new(&[(fixture, "dist")]).run();
        assert!(leak(&findings).is_empty(), "{fixture}: {findings:#?}");
        assert!(names.is_empty(), "{fixture}: {names:?}");
    }
}

#[test]
fn sources_the_package_ships_anyway_are_not_leaked() {
    // The original src/*.ts ship beside dist/: the embedded copies reveal nothing new.
    let (findings, names) =
        Pkg::new(&[("esbuild-linked", "dist"), ("capycli-src/src", "src")]).run();
    assert!(leak(&findings).is_empty(), "{findings:#?}");
    assert!(names.is_empty());
    // Near miss: one source missing from the package is reported, alone.
    let (findings, _) = Pkg::new(&[("esbuild-linked", "dist"), ("capycli-src/src", "src")])
        .without("src/config.ts")
        .run();
    let hits = leak(&findings);
    assert_eq!(hits.len(), 1);
    assert!(
        hits[0].message.contains("embeds 1 original source"),
        "{}",
        hits[0].message
    );
    assert!(
        hits[0].message.contains("src/config.ts"),
        "{}",
        hits[0].message
    );
}

#[test]
fn open_source_packages_get_a_warning() {
    let mut pkg = Pkg::new(&[("esbuild-linked", "dist")]);
    pkg.visibility = Visibility::Open;
    let (findings, _) = pkg.run();
    let hits = leak(&findings);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].severity, Severity::Warning);
}

#[test]
fn embedded_sources_are_handed_over_for_scanning() {
    let (_, names) = Pkg::new(&[("esbuild-linked", "dist")]).run();
    assert!(
        names.contains(&"dist/index.js.map!src/config.ts".to_string()),
        "{names:?}"
    );
    assert_eq!(names.len(), 5);
}

#[test]
fn file_rule_and_its_setting() {
    let (findings, _) = Pkg::new(&[("esbuild-linked-no-sources-content", "dist")]).run();
    assert_eq!(rules(&findings, "sourcemap/file").len(), 1);
    let mut pkg = Pkg::new(&[("esbuild-linked-no-sources-content", "dist")]);
    pkg.settings.allow_without_sources_content = true;
    let (findings, _) = pkg.run();
    assert!(rules(&findings, "sourcemap/file").is_empty());
    // The setting does not silence maps that embed sources.
    let mut pkg = Pkg::new(&[("esbuild-linked", "dist")]);
    pkg.settings.allow_without_sources_content = true;
    let (findings, _) = pkg.run();
    assert_eq!(rules(&findings, "sourcemap/file").len(), 1);
    // No map, no finding.
    let (findings, _) = Pkg::new(&[("esbuild-none", "dist")]).run();
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn external_urls_are_errors_and_archives_in_buckets_are_loud() {
    let (findings, _) = Pkg::new(&[("handmade-remote-archive-url", "dist")]).run();
    let ext = rules(&findings, "sourcemap/external-url");
    assert_eq!(ext.len(), 2, "{ext:#?}");
    assert!(
        ext[0].starts_with("dist/cli.js ") && ext[0].contains("Cloudflare R2"),
        "{ext:?}"
    );
    assert!(
        ext[1].starts_with("dist/cli.js.map ")
            && ext[1].contains("an archive in a Cloudflare R2 storage bucket"),
        "{ext:?}"
    );
    let (findings, _) = Pkg::new(&[("handmade-url-outside-package", "dist")]).run();
    let ext = rules(&findings, "sourcemap/external-url");
    assert_eq!(ext.len(), 2, "{ext:#?}");
    assert!(ext[0].contains("absolute path"), "{ext:?}");
    assert!(ext[1].contains("climbs out of the package"), "{ext:?}");
    for fixture in [
        "rolldown-file-baseurl",
        "webpack-plugin-absolute-url",
        "esbuild-linked-source-root",
    ] {
        let (findings, _) = Pkg::new(&[(fixture, "dist")]).run();
        assert_eq!(
            rules(&findings, "sourcemap/external-url").len(),
            1,
            "{fixture}: {findings:#?}"
        );
    }
    // Near miss: relative URLs to shipped maps.
    let (findings, _) = Pkg::new(&[("esbuild-linked", "dist")]).run();
    assert!(rules(&findings, "sourcemap/external-url").is_empty());
}

#[test]
fn dangling_urls_follow_the_effective_annotation() {
    for fixture in [
        "esbuild-linked",
        "handmade-multiple-annotations",
        "handmade-crlf-whitespace",
        "handmade-not-trailing",
        "handmade-wasm-custom-section",
        "babel-both",
    ] {
        let (findings, _) = Pkg::new(&[(fixture, "dist")]).run();
        assert!(
            rules(&findings, "sourcemap/dangling-url").is_empty(),
            "{fixture}: {findings:#?}"
        );
    }
    let (findings, _) = Pkg::new(&[("handmade-crlf-whitespace", "dist")])
        .without("dist/index.js.map")
        .run();
    let d = rules(&findings, "sourcemap/dangling-url");
    assert_eq!(d.len(), 1);
    assert!(d[0].contains("dist/index.js.map"), "{d:?}");
    let (findings, _) = Pkg::new(&[("handmade-wasm-custom-section", "dist")])
        .without("dist/module.wasm.map")
        .run();
    assert_eq!(rules(&findings, "sourcemap/dangling-url").len(), 1);
}

#[test]
fn local_paths_in_sources() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.js.map"),
        r#"{"version":3,"sources":["/home/alice/acme/src/a.ts","../src/b.ts"],"mappings":""}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.js.map"),
        r#"{"version":3,"sources":["webpack://x/./src/a.ts","../src/b.ts"],"mappings":""}"#,
    )
    .unwrap();
    let settings = SourcemapSettings::default();
    let view = empty_open_view(&settings);
    let mut out = Vec::new();
    for name in ["a.js.map", "b.js.map"] {
        let bytes = std::fs::read(dir.path().join(name)).unwrap();
        check_file(&view, name, &bytes, true, &mut out, &|_| Vec::new());
    }
    let lp = rules(&out, "sourcemap/local-paths");
    assert_eq!(lp.len(), 1, "{lp:?}");
    assert!(
        lp[0].starts_with("a.js.map ") && lp[0].contains("/home/alice"),
        "{lp:?}"
    );
}

/// An open-source package that ships nothing else (no file to compare embedded sources with).
fn empty_open_view(settings: &SourcemapSettings) -> PackageView<'_> {
    PackageView::new(
        Visibility::Open,
        settings,
        Vec::new(),
        Box::new(|_: &str| None),
    )
}

/// Bundlers' own code builds inline annotations in strings (terser, webpack, vite, babel,
/// ts-node ship such code): a data URL in the code that doesn't decode to a map is not a map
/// and not a finding; the file's real trailing annotation still has to read.
#[test]
fn code_that_builds_data_urls_is_not_an_invalid_map() {
    let settings = SourcemapSettings::default();
    let view = empty_open_view(&settings);
    let builder: &[u8] = br#"function addMap(code, map) {
  code += "
//# sourceMappingURL=data:application/json;charset=utf-8;base64," + toBase64(map);
  return `${code}
//# sourceMappingURL=data:application/json;base64,${encode(map)}`;
}
module.exports = addMap;
"#;
    let mut out = Vec::new();
    check_file(&view, "lib/minify.js", builder, true, &mut out, &|_| {
        Vec::new()
    });
    assert!(out.is_empty(), "{out:#?}");
    // Near miss: the same code whose own trailing annotation is broken.
    let mut broken = builder.to_vec();
    broken.extend_from_slice(b"//# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9u\n");
    check_file(&view, "lib/minify.js", &broken, true, &mut out, &|_| {
        Vec::new()
    });
    assert_eq!(rules(&out, "sourcemap/invalid").len(), 1, "{out:#?}");
}

#[test]
fn broken_maps_are_reported_with_a_position() {
    let settings = SourcemapSettings::default();
    let view = empty_open_view(&settings);
    let mut out = Vec::new();
    check_file(
        &view,
        "dist/x.js.map",
        b"{\n \"version\": 3,\n oops",
        true,
        &mut out,
        &|_| Vec::new(),
    );
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].rule, "sourcemap/invalid");
    assert_eq!((out[0].line, out[0].column), (Some(3), Some(2)));
    // Binary garbage named .map, and a broken inline map.
    out.clear();
    check_file(
        &view,
        "dist/y.map",
        &[0xff, 0xfe, 0, 1, 2],
        true,
        &mut out,
        &|_| Vec::new(),
    );
    check_file(
        &view,
        "dist/z.js",
        b"x;\n//# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9u\n",
        true,
        &mut out,
        &|_| Vec::new(),
    );
    assert_eq!(rules(&out, "sourcemap/invalid").len(), 2, "{out:#?}");
    // Non-UTF-8 JavaScript and JSON that is not a map are not maps.
    out.clear();
    check_file(
        &view,
        "dist/w.js",
        &[0xff, 0xfe, b'\n', 0x80],
        true,
        &mut out,
        &|_| Vec::new(),
    );
    check_file(
        &view,
        "package.json",
        br#"{"name":"x","version":"1.0.0"}"#,
        true,
        &mut out,
        &|_| Vec::new(),
    );
    assert!(out.is_empty(), "{out:#?}");
}

#[test]
fn numbers_read_well() {
    assert_eq!(thousands(1906), "1,906");
    assert_eq!(thousands(12), "12");
    assert_eq!(thousands(1_234_567), "1,234,567");
    assert_eq!(human_bytes(60_123_456), "60.1 MB");
    assert_eq!(human_bytes(512), "512 B");
}

/// Ordinary names are not ASCII (`abcdé.js.map`, `Ärger.ts`, `索引.js.map`): a non-ASCII
/// character in every position of an annotation, an inline map, a map's `sources`,
/// `sourceRoot` and `file`, and the packed path, is judged (never a panic), and the real
/// cases give the findings an ASCII name would.
#[test]
fn non_ascii_anywhere_is_judged_without_panicking() {
    use crate::test_support::non_ascii_variants;
    let settings = SourcemapSettings::default();
    let shipped = ["dist/abcdé.js.map", "dist/索引.js.map", "dist/a.js"];
    let view = PackageView::new(
        Visibility::Proprietary,
        &settings,
        shipped.iter().map(|p| (p.to_string(), 10)),
        Box::new(|_: &str| None),
    );
    let map = r#"{"version":3,"file":"a.js","sourceRoot":"webpack://ns/","sources":["webpack:///./src/a.ts","C:/Users/u/b.ts","/home/u/c.ts","https://x.r2.dev/s.zip"],"sourcesContent":["a","b","c",null],"mappings":""}"#;
    let inline = format!(
        "x;\n//# sourceMappingURL=data:application/json;charset=utf-8,{}\n",
        map.replace('"', "%22")
    );
    let seeds: [(&str, String); 4] = [
        (
            "dist/a.js",
            "x;\n//# sourceMappingURL=abcd.js.map\n".to_string(),
        ),
        (
            "dist/a.css",
            "a{}\n/*# sourceMappingURL=https://x.example/a.css.map */\n".to_string(),
        ),
        ("dist/a.js.map", map.to_string()),
        ("dist/i.js", inline),
    ];
    let mut out = Vec::new();
    for (path, text) in &seeds {
        for v in non_ascii_variants(text) {
            check_file(&view, path, v.as_bytes(), true, &mut out, &|_| Vec::new());
        }
        for p in non_ascii_variants(path) {
            check_file(&view, &p, text.as_bytes(), true, &mut out, &|_| Vec::new());
        }
    }

    // The field's cases: a shipped non-ASCII map name is no dangling URL; `Ärger.ts` is an
    // embedded source like any other.
    let run = |path: &str, text: &str| {
        let mut out = Vec::new();
        check_file(&view, path, text.as_bytes(), true, &mut out, &|_| {
            Vec::new()
        });
        out
    };
    let out = run("dist/a.js", "x;\n//# sourceMappingURL=abcdé.js.map\n");
    assert!(out.is_empty(), "{out:#?}");
    let out = run("dist/a.js", "x;\n//# sourceMappingURL=gone-é.js.map\n");
    assert_eq!(rules(&out, "sourcemap/dangling-url").len(), 1, "{out:#?}");
    let out = run(
        "dist/索引.js.map",
        r#"{"version":3,"sources":["Ärger.ts"],"sourcesContent":["x"],"mappings":""}"#,
    );
    assert_eq!(leak(&out).len(), 1, "{out:#?}");
    assert!(leak(&out)[0].message.contains("Ärger.ts"), "{out:#?}");
}

/// A package of in-memory files, judged like [`Pkg::run`].
fn run_in_memory(files: &[(&str, &str)]) -> Vec<Finding> {
    let settings = SourcemapSettings::default();
    let owned: HashMap<String, Vec<u8>> = files
        .iter()
        .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
        .collect();
    let view = PackageView::new(
        Visibility::Proprietary,
        &settings,
        owned.iter().map(|(p, b)| (p.clone(), b.len() as u64)),
        Box::new(|p: &str| owned.get(p).cloned()),
    );
    let mut out = Vec::new();
    for (path, text) in files {
        check_file(&view, path, text.as_bytes(), true, &mut out, &|_| {
            Vec::new()
        });
    }
    out
}

/// A map left from an earlier build embeds an older `lib/util.js`, and the package ships
/// the newer one at that path: "differs", a warning, not a leak of unshipped sources.
#[test]
fn an_older_revision_of_a_shipped_file_differs_and_is_no_leak() {
    let shipped = "export function add(a, b) {\n  return a + b;\n}\n\nexport function sub(a, b) {\n  return a - b;\n}\n";
    let older = "export function add(a, b) {\n  return a + b;\n}\n\nexport function sub(a, b) {\n  return b - a;\n}\n";
    let map = |content: &str| {
        format!(
            r#"{{"version":3,"file":"util.min.js","sources":["util.js"],"sourcesContent":[{}],"mappings":""}}"#,
            serde_json::to_string(content).unwrap()
        )
    };
    let out = run_in_memory(&[
        ("lib/util.js", shipped),
        ("lib/util.min.js", "x"),
        ("lib/util.min.js.map", &map(older)),
    ]);
    assert!(leak(&out).is_empty(), "{out:#?}");
    let differs = rules(&out, "sourcemap/sources-differ");
    assert_eq!(differs.len(), 1, "{out:#?}");
    assert!(differs[0].contains("lib/util.js"), "{differs:?}");
    let f = out
        .iter()
        .find(|f| f.rule == "sourcemap/sources-differ")
        .unwrap();
    assert_eq!(f.severity, Severity::Warning);

    // Near miss: text unlike the shipped file at that path (original sources hidden under a
    // shipped name) is the leak it looks like.
    let proprietary = "const secretAlgorithm = () => 42;\nmodule.exports = { secretAlgorithm };\n";
    let out = run_in_memory(&[
        ("lib/util.js", shipped),
        ("lib/util.min.js", "x"),
        ("lib/util.min.js.map", &map(proprietary)),
    ]);
    assert_eq!(leak(&out).len(), 1, "{out:#?}");
    assert!(rules(&out, "sourcemap/sources-differ").is_empty());

    // Near miss: a map's sources never count as a revision of the map's own bundle.
    let out = run_in_memory(&[
        ("lib/util.js", shipped),
        (
            "lib/util.js.map",
            &format!(
                r#"{{"version":3,"sources":["util.js"],"sourcesContent":[{}],"mappings":""}}"#,
                serde_json::to_string(older).unwrap()
            ),
        ),
    ]);
    assert_eq!(leak(&out).len(), 1, "{out:#?}");
}
