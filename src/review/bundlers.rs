//! `bundler/sourcemap-enabled`: staged configs and scripts that turn source maps on or
//! make them embed the sources.
//!
//! Each kind of file is read for real (JSON, JSONC, TOML, shell words, JS tokens), its
//! source-map settings extracted for HEAD's and for the staged text, and a setting is
//! reported when the staged text has it on (or embedding sources) and HEAD's didn't.
//! The table of options, for people: `docs/bundler-sourcemaps.md`.

use super::js::{self, PropValue};
use super::json::{line_col, Doc, Node, Value};
use super::shell::{map_flags, Embeds};
use super::{file_name, parent_dir, PackageCtx, ReviewError, StagedReader};
use crate::report::{Finding, Severity};

/// What kind of build input a path is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// package.json: scripts, Parcel `targets`, `babel`, `tsup`.
    PackageJson,
    /// tsconfig*.json / jsconfig*.json (JSONC, `extends`).
    Tsconfig,
    /// `.swcrc`.
    Swcrc,
    /// `.babelrc`, `.babelrc.json`, `babel.config.json`.
    BabelJson,
    /// `bunfig.toml`.
    Bunfig,
    /// A shell script.
    Shell,
    /// A JS/TS config or build script.
    Js(JsKind),
}

/// Which tool a JS/TS file configures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsKind {
    /// vite.config.*
    Vite,
    /// rollup.config.*
    Rollup,
    /// rolldown.config.*
    Rolldown,
    /// webpack*.config.* / webpack.*.js
    Webpack,
    /// rspack*.config.*
    Rspack,
    /// next.config.*
    Next,
    /// tsup.config.*
    Tsup,
    /// babel.config.js / .babelrc.js
    Babel,
    /// A build script calling `Bun.build` or esbuild.
    Script,
}

const JS_EXTS: &[&str] = &["js", "mjs", "cjs", "ts", "mts", "cts"];

/// The kind of build input `path` is, if any.
pub fn kind_of(path: &str) -> Option<Kind> {
    if path.split('/').any(|s| s == "node_modules") {
        return None;
    }
    let name = file_name(path);
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "package.json" => return Some(Kind::PackageJson),
        ".swcrc" => return Some(Kind::Swcrc),
        ".babelrc" | ".babelrc.json" | "babel.config.json" => return Some(Kind::BabelJson),
        "bunfig.toml" => return Some(Kind::Bunfig),
        _ => {}
    }
    if (lower.starts_with("tsconfig") || lower.starts_with("jsconfig")) && lower.ends_with(".json")
    {
        return Some(Kind::Tsconfig);
    }
    let (stem, ext) = lower.rsplit_once('.')?;
    if matches!(ext, "sh" | "bash") {
        return Some(Kind::Shell);
    }
    if !JS_EXTS.contains(&ext) {
        return None;
    }
    let js = if stem.starts_with("vite.config") {
        JsKind::Vite
    } else if stem.starts_with("rollup.config") {
        JsKind::Rollup
    } else if stem.starts_with("rolldown.config") {
        JsKind::Rolldown
    } else if stem.starts_with("webpack") {
        JsKind::Webpack
    } else if stem.starts_with("rspack") {
        JsKind::Rspack
    } else if stem.starts_with("next.config") {
        JsKind::Next
    } else if stem.starts_with("tsup.config") {
        JsKind::Tsup
    } else if stem.starts_with("babel.config") || stem.starts_with(".babelrc") {
        JsKind::Babel
    } else if ["build", "bundle", "esbuild", "compile", "release", "bun"]
        .iter()
        .any(|w| stem.contains(w))
        || parent_dir(path)
            .split('/')
            .any(|s| matches!(s, "scripts" | "build" | "tools" | "config"))
    {
        JsKind::Script
    } else {
        return None;
    };
    Some(Kind::Js(js))
}

/// One source-map switch that is on.
#[derive(Clone, Debug)]
struct Setting {
    /// Stable identity for matching HEAD's and the staged settings.
    ident: String,
    bundler: &'static str,
    /// How it reads (`` `sourcemap: true` ``, `` `--sourcemap` in script `build` ``).
    what: String,
    offset: usize,
    embeds: Embeds,
    conditional: bool,
}

/// Reviews one staged file for source-map switches.
pub fn review(
    path: &str,
    old: Option<&str>,
    new: Option<&str>,
    pkg: &PackageCtx,
    staged: StagedReader<'_>,
) -> Result<Vec<Finding>, ReviewError> {
    let Some(kind) = kind_of(path) else {
        return Ok(Vec::new());
    };
    let Some(new) = new else {
        return Ok(Vec::new()); // a deleted config turns nothing on
    };
    let new_settings = settings(kind, path, new, staged, true)?.unwrap_or_default();
    if new_settings.is_empty() {
        return Ok(Vec::new());
    }
    let old_settings = match old {
        Some(old) => settings(kind, path, old, staged, false)
            .ok()
            .flatten()
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let mut out = Vec::new();
    for s in new_settings {
        let before = old_settings.iter().find(|o| o.ident == s.ident);
        let worse = match before {
            None => true,
            Some(o) => o.embeds < s.embeds,
        };
        if !worse {
            continue;
        }
        let (l, c) = line_col(new, s.offset);
        let cond = if s.conditional {
            " (conditionally)"
        } else {
            ""
        };
        let became = match before {
            Some(_) => format!("now {}", s.embeds.describe()),
            None => format!(
                "turns on {} source maps{cond}; the map {}",
                s.bundler,
                s.embeds.describe()
            ),
        };
        let sev = if s.embeds == Embeds::No {
            Severity::Warning
        } else {
            pkg.severity()
        };
        out.push(
            pkg.finding(
                &crate::review::BUNDLER_SOURCEMAP_ENABLED,
                path,
                format!("{} {became}", s.what),
            )
            .severity(sev)
            .at(l, c)
            .help(help_for(s.bundler)),
        );
    }
    Ok(out)
}

fn help_for(bundler: &str) -> &'static str {
    match bundler {
        "Bun" => "Bun always embeds sources: drop `--sourcemap`/`sourcemap` for published builds (or `=none`), or keep `*.map` out of the package",
        "esbuild" => "set `sourcemap: false`, or `sourcesContent: false`, or keep `*.map` out of the package",
        "tsc" => "remove `inlineSources` (tsc maps then list sources without embedding them), or turn maps off",
        "webpack" | "rspack" => "use `devtool: false` or a `nosources-` devtool for published builds",
        "Rollup" | "Rolldown" | "Vite" => "set `sourcemap: false`, or `sourcemapExcludeSources: true`",
        "swc" => "set `sourceMaps: false`, or `inlineSourcesContent: false`",
        "Parcel" => "set `\"sourceMap\": false` on the target (or `--no-source-maps`)",
        "Next.js" => "keep `productionBrowserSourceMaps` off for deployments that ship",
        _ => "turn source maps off for published builds, or keep `*.map` out of the package",
    }
}

/// The settings that are on in `text`; `Ok(None)` when the file is not a build input
/// after all. Parse errors are errors only for the staged text (`strict`).
fn settings(
    kind: Kind,
    path: &str,
    text: &str,
    staged: StagedReader<'_>,
    strict: bool,
) -> Result<Option<Vec<Setting>>, ReviewError> {
    Ok(Some(match kind {
        Kind::Shell => shell_settings(text),
        Kind::PackageJson => {
            let doc = Doc::parse(text).map_err(|e| ReviewError::json(path, e))?;
            package_json_settings(&doc)
        }
        Kind::Tsconfig => {
            let doc = Doc::parse_jsonc(text).map_err(|e| ReviewError::json(path, e))?;
            tsconfig_settings(path, &doc, staged)
        }
        Kind::Swcrc => {
            let doc = Doc::parse_jsonc(text).map_err(|e| ReviewError::json(path, e))?;
            swcrc_settings(&doc)
        }
        Kind::BabelJson => {
            let doc = Doc::parse_jsonc(text).map_err(|e| ReviewError::json(path, e))?;
            let mut out = Vec::new();
            babel_json(&doc.root, "", &mut out);
            out
        }
        Kind::Bunfig => bunfig_settings(path, text)?,
        Kind::Js(js) => {
            let _ = strict;
            js_settings(js, text)
        }
    }))
}

fn shell_settings(text: &str) -> Vec<Setting> {
    let mut out = Vec::new();
    let mut base = 0;
    for line in text.split_inclusive('\n') {
        for f in map_flags(line) {
            out.push(Setting {
                ident: format!("{}:{}:{:?}", f.tool, f.mode, f.embeds),
                bundler: f.tool,
                what: format!("`{}` ({})", f.flag, f.tool),
                offset: base + f.offset,
                embeds: f.embeds,
                conditional: false,
            });
        }
        base += line.len();
    }
    out
}

fn package_json_settings(doc: &Doc) -> Vec<Setting> {
    let mut out = Vec::new();
    if let Some(scripts) = doc.root.get("scripts") {
        for (name, _, node) in scripts.members() {
            let Some(cmd) = node.as_str() else { continue };
            for f in map_flags(cmd) {
                // The flag's offset in the decoded string approximates its place in the
                // raw JSON string (exact unless escapes precede it); +1 for the quote.
                out.push(Setting {
                    ident: format!("script:{name}:{}:{}", f.tool, f.mode),
                    bundler: f.tool,
                    what: format!("`{}` in script `{name}`", f.flag),
                    offset: node.offset + 1 + f.offset,
                    embeds: f.embeds,
                    conditional: false,
                });
            }
        }
    }
    // Parcel: maps are on unless a target says `"sourceMap": false`.
    if let Some(targets) = doc.root.get("targets") {
        for (name, koff, target) in targets.members() {
            let sm = target.member("sourceMap");
            let embeds = match sm.map(|m| &m.1.value) {
                Some(Value::Bool(false)) => continue,
                Some(Value::Obj(_)) => {
                    match sm
                        .and_then(|m| m.1.get("inlineSources"))
                        .and_then(Node::as_bool)
                    {
                        Some(false) => Embeds::No,
                        _ => Embeds::Maybe,
                    }
                }
                _ => Embeds::Maybe,
            };
            out.push(Setting {
                ident: format!("parcel:{name}"),
                bundler: "Parcel",
                what: format!("Parcel target `{name}` without `\"sourceMap\": false`"),
                offset: sm.map_or(*koff, |m| m.0),
                embeds,
                conditional: false,
            });
        }
    }
    if let Some(babel) = doc.root.get("babel") {
        babel_json(babel, "babel.", &mut out);
    }
    if let Some((off, sm)) = doc.root.get("tsup").and_then(|t| t.member("sourcemap")) {
        if json_on(sm) {
            out.push(Setting {
                ident: "tsup".into(),
                bundler: "tsup",
                what: "`tsup.sourcemap`".into(),
                offset: off,
                embeds: Embeds::Yes,
                conditional: false,
            });
        }
    }
    out
}

/// `true` or any string but "none"/"false".
fn json_on(node: &Node) -> bool {
    match &node.value {
        Value::Bool(b) => *b,
        Value::Str(s) => !matches!(s.as_str(), "none" | "false" | ""),
        _ => false,
    }
}

fn babel_json(node: &Node, prefix: &str, out: &mut Vec<Setting>) {
    for (k, off, v) in node.members() {
        if (k == "sourceMaps" || k == "sourceMap") && json_on(v) {
            out.push(Setting {
                ident: format!("babel:{prefix}{k}"),
                bundler: "Babel",
                what: format!("`{prefix}{k}`"),
                offset: *off,
                embeds: Embeds::Yes,
                conditional: false,
            });
        } else {
            babel_json(v, &format!("{prefix}{k}."), out);
        }
    }
    for (i, item) in node.items().iter().enumerate() {
        babel_json(item, &format!("{prefix}{i}."), out);
    }
}

fn swcrc_settings(doc: &Doc) -> Vec<Setting> {
    let roots: Vec<&Node> = match &doc.root.value {
        Value::Arr(items) => items.iter().collect(),
        _ => vec![&doc.root],
    };
    let mut out = Vec::new();
    for (i, root) in roots.into_iter().enumerate() {
        if let Some((off, sm)) = root.member("sourceMaps") {
            if json_on(sm) {
                let embeds =
                    if root.get("inlineSourcesContent").and_then(Node::as_bool) == Some(false) {
                        Embeds::No
                    } else {
                        Embeds::Yes
                    };
                out.push(Setting {
                    ident: format!("swc:{i}"),
                    bundler: "swc",
                    what: "`sourceMaps`".into(),
                    offset: off,
                    embeds,
                    conditional: false,
                });
            }
        }
    }
    out
}

/// compilerOptions of a tsconfig after its `extends` chain (within the repository).
fn tsconfig_settings(path: &str, doc: &Doc, staged: StagedReader<'_>) -> Vec<Setting> {
    let mut opts: Vec<(String, bool)> = Vec::new();
    collect_ts_options(path, &doc.root, staged, &mut opts, 0);
    let get = |k: &str| {
        opts.iter()
            .rev()
            .find(|(key, _)| key == k)
            .map(|(_, v)| *v)
            .unwrap_or(false)
    };
    let map = get("sourceMap") || get("inlineSourceMap");
    if !map {
        return Vec::new();
    }
    let inline_sources = get("inlineSources");
    let co = doc.root.get("compilerOptions");
    let local = |k: &str| co.and_then(|c| c.member(k)).map(|m| m.0);
    let (offset, what) = if inline_sources && local("inlineSources").is_some() {
        (
            local("inlineSources").unwrap(),
            "`inlineSources: true`".to_string(),
        )
    } else if let Some(off) = local("sourceMap").or(local("inlineSourceMap")) {
        let key = if local("sourceMap").is_some() {
            "sourceMap"
        } else {
            "inlineSourceMap"
        };
        (off, format!("`{key}: true`"))
    } else {
        let off = doc.root.member("extends").map_or(0, |m| m.0);
        (
            off,
            "`extends` (the base config sets source maps)".to_string(),
        )
    };
    vec![Setting {
        ident: "tsc".into(),
        bundler: "tsc",
        what,
        offset,
        embeds: if inline_sources {
            Embeds::Yes
        } else {
            Embeds::No
        },
        conditional: false,
    }]
}

fn collect_ts_options(
    path: &str,
    root: &Node,
    staged: StagedReader<'_>,
    out: &mut Vec<(String, bool)>,
    depth: usize,
) {
    if depth < 8 {
        let bases: Vec<&str> = match root.get("extends").map(|n| &n.value) {
            Some(Value::Str(s)) => vec![s.as_str()],
            Some(Value::Arr(items)) => items.iter().filter_map(Node::as_str).collect(),
            _ => Vec::new(),
        };
        for base in bases {
            // Only relative bases live in the repository; package bases are published
            // configs (`@tsconfig/node20`) leakgate doesn't follow.
            if !(base.starts_with("./") || base.starts_with("../")) {
                continue;
            }
            let Some(resolved) = crate::checks::sourcemap::url::resolve(parent_dir(path), base)
            else {
                continue;
            };
            let candidates = if resolved.ends_with(".json") {
                vec![resolved.clone()]
            } else {
                vec![
                    format!("{resolved}.json"),
                    format!("{resolved}/tsconfig.json"),
                ]
            };
            for cand in candidates {
                if let Some(text) = staged(&cand) {
                    if let Ok(doc) = Doc::parse_jsonc(&text) {
                        collect_ts_options(&cand, &doc.root, staged, out, depth + 1);
                    }
                    break;
                }
            }
        }
    }
    if let Some(co) = root.get("compilerOptions") {
        for key in ["sourceMap", "inlineSourceMap", "inlineSources"] {
            if let Some(v) = co.get(key).and_then(Node::as_bool) {
                out.push((key.to_string(), v));
            }
        }
    }
}

fn bunfig_settings(path: &str, text: &str) -> Result<Vec<Setting>, ReviewError> {
    #[derive(serde::Deserialize)]
    struct Bunfig {
        serve: Option<Serve>,
    }
    #[derive(serde::Deserialize)]
    struct Serve {
        #[serde(rename = "static")]
        static_: Option<Static>,
    }
    #[derive(serde::Deserialize)]
    struct Static {
        sourcemap: Option<toml::Spanned<toml::Value>>,
    }
    let cfg: Bunfig = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        ReviewError {
            file: path.to_string(),
            line: line as usize,
            column: column as usize,
            message: e.message().to_string(),
        }
    })?;
    let Some(sm) = cfg.serve.and_then(|s| s.static_).and_then(|s| s.sourcemap) else {
        return Ok(Vec::new());
    };
    let on = match sm.get_ref() {
        toml::Value::Boolean(b) => *b,
        toml::Value::String(s) => !matches!(s.as_str(), "none" | "false"),
        _ => false,
    };
    Ok(if on {
        vec![Setting {
            ident: "bunfig:serve.static".into(),
            bundler: "Bun",
            what: "`[serve.static] sourcemap` (Bun.serve HTML bundles)".into(),
            offset: sm.span().start,
            embeds: Embeds::Yes,
            conditional: false,
        }]
    } else {
        Vec::new()
    })
}

/// Whether a JS value turns a switch on: `(on, conditional)`.
fn js_on(value: &PropValue, off: impl Fn(&str) -> bool) -> Option<bool> {
    match value {
        PropValue::Bool(b) => b.then_some(false),
        PropValue::Str(s) => (!off(s)).then_some(false),
        PropValue::Expr { strings, bools } => {
            let any = strings.iter().any(|s| !off(s)) || bools.iter().any(|b| *b);
            any.then_some(true)
        }
    }
}

fn plain_off(s: &str) -> bool {
    matches!(s, "none" | "false" | "")
}

fn devtool_off(s: &str) -> bool {
    plain_off(s) || s.contains("nosources")
}

fn js_settings(kind: JsKind, text: &str) -> Vec<Setting> {
    let props = js::properties(text);
    let sibling_true = |obj: usize, key: &str| {
        props
            .iter()
            .any(|p| p.object == obj && p.key == key && p.value == PropValue::Bool(true))
    };
    let sibling_false = |obj: usize, key: &str| {
        props
            .iter()
            .any(|p| p.object == obj && p.key == key && p.value == PropValue::Bool(false))
    };
    let script_bundler = if text.contains("Bun.build") {
        Some("Bun")
    } else if text.contains("esbuild") {
        Some("esbuild")
    } else {
        None
    };
    let mut out = Vec::new();
    let mut seen: std::collections::HashMap<String, usize> = Default::default();
    for p in &props {
        let (bundler, embeds, off): (&'static str, Embeds, fn(&str) -> bool) =
            match (kind, p.key.as_str()) {
                (JsKind::Vite, "sourcemap") if p.path.iter().any(|s| s == "build") => {
                    let excl = props.iter().any(|q| {
                        q.key == "sourcemapExcludeSources" && q.value == PropValue::Bool(true)
                    });
                    (
                        "Vite",
                        if excl { Embeds::No } else { Embeds::Yes },
                        plain_off,
                    )
                }
                (JsKind::Rollup | JsKind::Rolldown, "sourcemap") => {
                    let e = if sibling_true(p.object, "sourcemapExcludeSources") {
                        Embeds::No
                    } else {
                        Embeds::Yes
                    };
                    let b = if kind == JsKind::Rollup {
                        "Rollup"
                    } else {
                        "Rolldown"
                    };
                    (b, e, plain_off)
                }
                (JsKind::Webpack | JsKind::Rspack | JsKind::Next, "devtool") => {
                    let b = if kind == JsKind::Rspack {
                        "rspack"
                    } else {
                        "webpack"
                    };
                    (b, Embeds::Yes, devtool_off)
                }
                (JsKind::Next, "productionBrowserSourceMaps") => {
                    ("Next.js", Embeds::Yes, plain_off)
                }
                (JsKind::Tsup, "sourcemap") => ("tsup", Embeds::Yes, plain_off),
                (JsKind::Babel, "sourceMaps" | "sourceMap") => ("Babel", Embeds::Yes, plain_off),
                (JsKind::Script, "sourcemap") => match script_bundler {
                    Some("Bun") => ("Bun", Embeds::Yes, plain_off),
                    Some(_) => {
                        let e = if sibling_false(p.object, "sourcesContent") {
                            Embeds::No
                        } else {
                            Embeds::Yes
                        };
                        ("esbuild", e, plain_off)
                    }
                    None => continue,
                },
                _ => continue,
            };
        let Some(conditional) = js_on(&p.value, off) else {
            continue;
        };
        let shown = match &p.value {
            PropValue::Bool(b) => b.to_string(),
            PropValue::Str(s) => format!("'{s}'"),
            PropValue::Expr { .. } => "…".to_string(),
        };
        let mut path = p
            .path
            .iter()
            .filter(|s| !s.starts_with("call:"))
            .cloned()
            .collect::<Vec<_>>();
        path.push(p.key.clone());
        let key = path.join(".");
        let n = seen.entry(key.clone()).or_default();
        *n += 1;
        out.push(Setting {
            ident: format!("{bundler}:{key}#{n}"),
            bundler,
            what: format!("`{}: {shown}`", p.key),
            offset: p.offset,
            embeds,
            conditional,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Visibility;

    fn ctx(vis: Visibility) -> PackageCtx {
        PackageCtx {
            dir: String::new(),
            name: Some("@acme/cli".into()),
            private: false,
            visibility: vis,
            has_files: false,
        }
    }

    fn run(path: &str, old: Option<&str>, new: &str) -> Vec<Finding> {
        review(path, old, Some(new), &ctx(Visibility::Proprietary), &|_| {
            None
        })
        .unwrap()
    }

    #[test]
    fn bun_flag_in_script_hit_none_near_miss_and_open_source_warning() {
        let old = r#"{"name":"a","version":"1.0.0","scripts":{"build":"bun build src/cli.ts --outdir dist"}}"#;
        let new = old.replace("--outdir dist", "--outdir dist --sourcemap");
        let f = run("package.json", Some(old), &new);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule, "bundler/sourcemap-enabled");
        assert_eq!(f[0].severity, Severity::Error);
        assert!(f[0].message.contains("Bun"), "{}", f[0].message);
        assert_eq!(
            f[0].column,
            Some(new.find("--sourcemap").unwrap() as u32 + 1)
        );
        let none = old.replace("--outdir dist", "--outdir dist --sourcemap=none");
        assert!(run("package.json", Some(old), &none).is_empty());
        let open = review(
            "package.json",
            Some(old),
            Some(&new),
            &ctx(Visibility::Open),
            &|_| None,
        )
        .unwrap();
        assert_eq!(open[0].severity, Severity::Warning);
        // Unchanged flag: no finding.
        assert!(run("package.json", Some(&new), &new).is_empty());
    }

    #[test]
    fn bun_build_api_in_script_hit_and_none_near_miss() {
        let old = "await Bun.build({\n  entrypoints: ['./src/cli.ts'],\n  outdir: './dist',\n});\n";
        let new = old.replace(
            "outdir: './dist',",
            "outdir: './dist',\n  sourcemap: 'linked',",
        );
        let f = run("scripts/build.ts", Some(old), &new);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].line, Some(4));
        let none = old.replace(
            "outdir: './dist',",
            "outdir: './dist', sourcemap: \"none\",",
        );
        assert!(run("scripts/build.ts", Some(old), &none).is_empty());
        let commented = old.replace(
            "outdir: './dist',",
            "outdir: './dist', // sourcemap: 'linked',",
        );
        assert!(run("scripts/build.ts", Some(old), &commented).is_empty());
    }

    #[test]
    fn tsconfig_inline_sources_via_extends() {
        let base = "{ \"compilerOptions\": { \"sourceMap\": true } }";
        let staged = |p: &str| (p == "tsconfig.base.json").then(|| base.to_string());
        let old = "{\n  // build config\n  \"extends\": \"./tsconfig.base.json\",\n  \"compilerOptions\": { \"outDir\": \"dist\", },\n}";
        let new = old.replace(
            "\"outDir\": \"dist\",",
            "\"outDir\": \"dist\",\n    \"inlineSources\": true,",
        );
        let f = review(
            "tsconfig.json",
            Some(old),
            Some(&new),
            &ctx(Visibility::Proprietary),
            &staged,
        )
        .unwrap();
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].line, Some(5));
        assert!(f[0].message.contains("embeds"));
        // Without a map, inlineSources does nothing.
        let f = review(
            "tsconfig.json",
            Some(old),
            Some(&new),
            &ctx(Visibility::Proprietary),
            &|_| None,
        )
        .unwrap();
        assert!(f.is_empty());
        // A map without inlineSources: a warning (no sources embedded).
        let map = old.replace(
            "\"outDir\": \"dist\",",
            "\"outDir\": \"dist\", \"sourceMap\": true,",
        );
        let f = run("tsconfig.json", Some(old), &map);
        assert_eq!(f[0].severity, Severity::Warning);
    }

    #[test]
    fn broken_tsconfig_is_an_error_with_position() {
        let err = review(
            "tsconfig.json",
            None,
            Some("{\n  \"compilerOptions\": {\n    \"sourceMap\": true\n    \"x\": 1\n  }\n}"),
            &ctx(Visibility::Proprietary),
            &|_| None,
        )
        .unwrap_err();
        assert_eq!((err.file.as_str(), err.line), ("tsconfig.json", 4));
    }

    #[test]
    fn webpack_devtool_hit_and_nosources_near_miss() {
        let old = "module.exports = { mode: 'production', devtool: false };";
        let new = old.replace("devtool: false", "devtool: 'source-map'");
        assert_eq!(run("webpack.config.js", Some(old), &new).len(), 1);
        let nos = old.replace("devtool: false", "devtool: 'nosources-source-map'");
        assert!(run("webpack.config.js", Some(old), &nos).is_empty());
        let cond = old.replace("devtool: false", "devtool: isDev ? 'eval' : false");
        assert!(run("webpack.prod.js", Some(old), &cond)[0]
            .message
            .contains("conditionally"));
    }

    #[test]
    fn vite_rollup_esbuild_exclusions() {
        let v = "export default defineConfig({ build: { sourcemap: true } })";
        assert_eq!(run("vite.config.ts", None, v).len(), 1);
        let css = "export default defineConfig({ css: { devSourcemap: true } })";
        assert!(run("vite.config.ts", None, css).is_empty());
        let r_old = "export default { output: { file: 'x.js', sourcemap: true, sourcemapExcludeSources: true } }";
        assert!(run("rollup.config.mjs", None, r_old)
            .iter()
            .all(|f| f.severity == Severity::Warning));
        let r_new = r_old.replace(", sourcemapExcludeSources: true", "");
        let f = run("rollup.config.mjs", Some(r_old), &r_new);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("now embeds"), "{}", f[0].message);
        let e = "import * as esbuild from 'esbuild';\nawait esbuild.build({ sourcemap: true, sourcesContent: false });";
        assert_eq!(run("build.mjs", None, e)[0].severity, Severity::Warning);
    }

    #[test]
    fn json_configs_swc_babel_parcel_next_tsup_bunfig() {
        assert_eq!(run(".swcrc", None, "{ \"sourceMaps\": true }").len(), 1);
        assert_eq!(
            run(
                ".swcrc",
                None,
                "{ \"sourceMaps\": true, \"inlineSourcesContent\": false }"
            )[0]
            .severity,
            Severity::Warning
        );
        assert!(run(".swcrc", None, "{ \"sourceMaps\": false }").is_empty());
        assert_eq!(
            run(
                ".babelrc",
                None,
                "{ \"env\": { \"production\": { \"sourceMaps\": \"inline\" } } }"
            )
            .len(),
            1
        );
        let p_old = r#"{"name":"a","version":"1.0.0","targets":{"main":{"sourceMap":false}}}"#;
        let p_new = r#"{"name":"a","version":"1.0.0","targets":{"main":{}}}"#;
        assert_eq!(run("package.json", Some(p_old), p_new).len(), 1);
        assert!(run("package.json", Some(p_new), p_old).is_empty());
        assert_eq!(
            run(
                "next.config.mjs",
                None,
                "export default { productionBrowserSourceMaps: true }"
            )
            .len(),
            1
        );
        assert!(run(
            "next.config.mjs",
            None,
            "export default { productionBrowserSourceMaps: false }"
        )
        .is_empty());
        assert_eq!(
            run(
                "tsup.config.ts",
                None,
                "export default defineConfig({ sourcemap: true })"
            )
            .len(),
            1
        );
        assert_eq!(
            run(
                "bunfig.toml",
                None,
                "[serve.static]\nsourcemap = \"linked\"\n"
            )[0]
            .line,
            Some(2)
        );
        assert!(run(
            "bunfig.toml",
            None,
            "[serve.static]\nsourcemap = \"none\"\n"
        )
        .is_empty());
    }

    #[test]
    fn shell_files_and_kinds() {
        let f = run(
            "scripts/release.sh",
            Some("#!/bin/sh\nbun build src/cli.ts\n"),
            "#!/bin/sh\nbun build src/cli.ts --sourcemap=external\n",
        );
        assert_eq!(f[0].line, Some(2));
        assert_eq!(kind_of("src/components/Button.tsx"), None);
        assert_eq!(kind_of("node_modules/x/vite.config.js"), None);
        assert_eq!(
            kind_of("apps/web/vite.config.mts"),
            Some(Kind::Js(JsKind::Vite))
        );
        assert_eq!(kind_of("tsconfig.build.json"), Some(Kind::Tsconfig));
    }
}
