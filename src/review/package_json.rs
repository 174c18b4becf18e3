//! `package-json/*`: edits of package.json that change what npm publishes.

use super::json::{Doc, Node};
use super::npmrc::{self, Registries};
use super::{PackageCtx, ReviewError, StagedReader};
use crate::report::Finding;

/// Parses a staged package.json; a parse error names `file:line:col`.
pub fn parse(path: &str, text: &str) -> Result<Doc, ReviewError> {
    Doc::parse(text).map_err(|e| ReviewError::json(path, e))
}

fn is_private(doc: &Doc) -> bool {
    doc.root.get("private").and_then(Node::as_bool) == Some(true)
}

/// `name` or `version` missing or empty: `npm pack` and `npm publish` refuse the package
/// (a workspace root, an app), so its file rules can't leak anything.
fn lacks_name_or_version(doc: &Doc) -> Option<&'static str> {
    ["name", "version"].into_iter().find(|key| {
        !doc.root
            .get(key)
            .and_then(Node::as_str)
            .is_some_and(|v| !v.is_empty())
    })
}

/// npm would never publish this manifest.
fn never_published(doc: &Doc) -> bool {
    is_private(doc) || lacks_name_or_version(doc).is_some()
}

/// Reviews a package.json edit (`old` = HEAD's text, `new` = staged text). `staged` reads
/// the staged `.npmrc` files, whose registries `publishConfig` is compared with.
pub fn review(
    path: &str,
    old: Option<&str>,
    new: Option<&str>,
    pkg: &PackageCtx,
    staged: StagedReader<'_>,
) -> Result<Vec<Finding>, ReviewError> {
    let Some(new) = new else {
        return Ok(Vec::new()); // the package is gone: nothing left to publish
    };
    let new = parse(path, new)?;
    // HEAD's version may be broken; the commit is fixing it then, and there's no baseline.
    let old = old.and_then(|t| Doc::parse(t).ok());
    let mut out = Vec::new();
    let at = |f: Finding, doc: &Doc, offset: usize| {
        let (l, c) = doc.line_col(offset);
        f.at(l, c)
    };
    let Some(old) = old else {
        return Ok(out);
    };
    if never_published(&old) && !never_published(&new) {
        // What made it publishable: `private` dropped, or the missing name/version added.
        let (message, key) = if is_private(&old) {
            match new.root.member("private") {
                Some(_) => (
                    "`private` set to false: `npm publish` will now publish this package",
                    "private",
                ),
                None => (
                    "`private: true` removed: `npm publish` will now publish this package",
                    "private",
                ),
            }
        } else {
            let key = lacks_name_or_version(&old).unwrap_or("version");
            let message = if key == "name" {
                "`name` added to a package that isn't private: `npm publish` will now publish it"
            } else {
                "`version` added to a package that isn't private: `npm publish` will now publish it"
            };
            (message, key)
        };
        let f = pkg.finding(&crate::review::PACKAGE_JSON_PRIVATE_REMOVED, path, message);
        let off = new.root.member(key).map_or(new.root.offset, |m| m.0);
        out.push(at(f, &new, off));
    }
    if never_published(&new) {
        return Ok(out);
    }
    files_rules(path, &old, &new, pkg, &mut out);
    publish_config(path, &old, &new, pkg, &mut out);
    publish_registries(path, &old, &new, pkg, staged, &mut out);
    guards(path, &old, &new, pkg, &mut out);
    entries(path, &old, &new, pkg, &mut out);
    Ok(out)
}

/// What a package.json's `files` field means to npm.
#[derive(Debug, PartialEq, Eq)]
enum Files {
    /// No `files`: npm packs everything the ignore files don't exclude.
    Absent,
    /// An array: the allow-list (its string entries).
    List,
    /// Anything else (what it is, what npm does with it). npm-packlist only reads a truthy
    /// value and iterates it: `null`, `false`, `0` and `""` are ignored (everything ships),
    /// a string is read one character at a time (`"*"` is the pattern `*`: everything
    /// ships), and an object, `true` or a number makes `npm pack` fail. None of them is an
    /// allow-list.
    NotAnArray(&'static str, &'static str),
}

fn files_kind(doc: &Doc) -> Files {
    use super::json::Value;
    const IGNORED: &str = "npm ignores it: every file no .npmignore/.gitignore excludes ships";
    const FAILS: &str = "`npm pack` fails on it, and it keeps nothing out for a tool that \
                         skips it";
    match doc.root.get("files").map(|n| &n.value) {
        None => Files::Absent,
        Some(Value::Arr(_)) => Files::List,
        Some(Value::Null) => Files::NotAnArray("null", IGNORED),
        Some(Value::Bool(false)) => Files::NotAnArray("false", IGNORED),
        Some(Value::Bool(true)) => Files::NotAnArray("true", FAILS),
        Some(Value::Num(n)) if n.parse::<f64>().is_ok_and(|v| v == 0.0) => {
            Files::NotAnArray("0", IGNORED)
        }
        Some(Value::Num(_)) => Files::NotAnArray("a number", FAILS),
        Some(Value::Str(s)) if s.is_empty() => Files::NotAnArray("an empty string", IGNORED),
        Some(Value::Str(_)) => Files::NotAnArray(
            "a string",
            "npm reads a string one character at a time, each character a pattern (`*` lets \
             in every file)",
        ),
        Some(Value::Obj(_)) => Files::NotAnArray("an object", FAILS),
    }
}

/// `files` removed, or replaced by something that is not an array (which npm doesn't read
/// as an allow-list either). Widening an array is judged by what it lets in, with the
/// packs of the exposure review ([`super::exposure`]), not here by its syntax.
fn files_rules(path: &str, old: &Doc, new: &Doc, pkg: &PackageCtx, out: &mut Vec<Finding>) {
    if files_kind(old) != Files::List {
        return; // no allow-list before: `files` can only narrow
    }
    let message = match files_kind(new) {
        Files::List => return,
        Files::Absent => {
            let line = old.line_col(old.root.member("files").map_or(0, |m| m.0)).0;
            format!(
                "`files` removed (it was at line {line} of HEAD's package.json): npm now packs \
                 every file no .npmignore/.gitignore excludes"
            )
        }
        Files::NotAnArray(what, how) => {
            format!("`files` is {what}, not an array, so no longer an allow-list: {how}")
        }
    };
    let (l, c) = match new.root.member("files") {
        Some((off, _)) => new.line_col(off),
        None => (1, 1),
    };
    out.push(
        pkg.finding(&crate::review::PACKAGE_JSON_FILES_REMOVED, path, message)
            .at(l, c)
            .help("restore `files` as an array listing only what the package needs; check with `leakgate files`"),
    );
}

fn publish_config(path: &str, old: &Doc, new: &Doc, pkg: &PackageCtx, out: &mut Vec<Finding>) {
    let get = |d: &Doc, k: &str| {
        d.root
            .path(&["publishConfig", k])
            .and_then(Node::as_str)
            .map(str::to_string)
    };
    let off = |k: &str| {
        new.root
            .get("publishConfig")
            .and_then(|p| p.member(k))
            .map(|m| m.0)
            .or_else(|| new.root.member("publishConfig").map(|m| m.0))
            .unwrap_or(0)
    };
    let (oa, na) = (get(old, "access"), get(new, "access"));
    if na.as_deref() == Some("public") && oa.as_deref() != Some("public") {
        let (l, c) = new.line_col(off("access"));
        out.push(
            pkg.finding(
                &crate::review::PACKAGE_JSON_PUBLISH_CONFIG,
                path,
                "`publishConfig.access` set to \"public\": the package will be world-readable",
            )
            .at(l, c)
            .help("revert it unless the package is meant to be public"),
        );
    }
}

/// The registry keys of a `publishConfig` npm reads when publishing: `registry` and any
/// `@scope:registry` (npm flattens keys matching `/@.*:registry$/i` over its config).
fn registry_keys(doc: &Doc) -> Vec<String> {
    doc.root
        .get("publishConfig")
        .map(|p| {
            p.members()
                .iter()
                .map(|(k, _, _)| k.clone())
                .filter(|k| k == "registry" || is_scope_registry_key(k))
                .collect()
        })
        .unwrap_or_default()
}

fn is_scope_registry_key(key: &str) -> bool {
    // Bytes, not `&key[..]`: the cut may fall inside a character (`@acme:registry-ӌ…`
    // panicked; found by the `package_json` fuzz target). JavaScript's `/i` without `u`
    // folds no non-ASCII letter to ASCII, so comparing bytes ignoring ASCII case is exact.
    let suffix = b":registry";
    let key = key.as_bytes();
    key.first() == Some(&b'@')
        && key.len() > suffix.len() + 1
        && key[key.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// The scope of a package name (`@acme` of `@acme/cli`).
fn scope_of(name: &str) -> Option<&str> {
    name.starts_with('@')
        .then(|| name.split_once('/').map(|(s, _)| s))
        .flatten()
}

/// The staged `.npmrc` files that configure where this package publishes: the package
/// directory's, then the repository root's.
fn registries(path: &str, staged: StagedReader<'_>) -> Registries {
    let dir = super::parent_dir(path);
    let mut paths = vec![crate::snapshot::join(dir, ".npmrc")];
    if !dir.is_empty() {
        paths.push(".npmrc".to_string());
    }
    Registries::new(
        paths
            .into_iter()
            .filter_map(|p| staged(&p).map(|text| (p, text))),
    )
}

/// `publishConfig.registry` or `publishConfig["@scope:registry"]` added or changed to a
/// registry other than the one the repository's `.npmrc` names for that scope, or to the
/// public registry; or removed so that the package falls back to the public registry.
/// npm layers `publishConfig` over `.npmrc`, so such a key silently overrides the private
/// registry a team configured.
fn publish_registries(
    path: &str,
    old: &Doc,
    new: &Doc,
    pkg: &PackageCtx,
    staged: StagedReader<'_>,
    out: &mut Vec<Finding>,
) {
    let mut keys = registry_keys(new);
    for k in registry_keys(old) {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    if keys.is_empty() {
        return;
    }
    let get = |d: &Doc, k: &str| {
        d.root
            .path(&["publishConfig", k])
            .and_then(Node::as_str)
            .map(str::to_string)
    };
    let name = new.root.get("name").and_then(Node::as_str).unwrap_or("");
    let regs = registries(path, staged);
    for key in keys {
        let (was, now) = (get(old, &key), get(new, &key));
        let public = |v: &Option<String>| v.as_deref().is_some_and(npmrc::is_public);
        if was.as_deref().map(npmrc::normalize) == now.as_deref().map(npmrc::normalize)
            || (public(&was) && public(&now))
        {
            continue; // the same registry, spelled differently at most
        }
        // Where this key's publishes would go without it.
        let scope = if key == "registry" {
            scope_of(name).map(str::to_string)
        } else {
            Some(key[..key.len() - ":registry".len()].to_ascii_lowercase())
        };
        let (configured, source) = regs.registry_for(scope.as_deref());
        let label = if key == "registry" {
            "`publishConfig.registry`".to_string()
        } else {
            format!("`publishConfig[\"{key}\"]`")
        };
        let instead = match (&source, &scope) {
            (Some(file), Some(s)) => {
                format!("not to {configured}, which {file} configures for {s}")
            }
            (Some(file), None) => format!("not to {configured}, which {file} configures"),
            (None, _) => "and no .npmrc of the repository configures a registry for it".to_string(),
        };
        let message = match &now {
            Some(url) if npmrc::is_public(url) => {
                format!("{label} sends the package to the public registry ({url}), {instead}")
            }
            Some(url) if npmrc::normalize(url) != npmrc::normalize(&configured) => {
                format!("{label} sends the package to {url}, {instead}")
            }
            Some(_) => continue, // the registry .npmrc already configures
            None if npmrc::is_public(&configured) => {
                format!(
                    "{label} removed: the package now publishes to the public registry \
                     ({configured})"
                )
            }
            None => continue, // it falls back to the registry .npmrc configures
        };
        let off = new
            .root
            .get("publishConfig")
            .and_then(|p| p.member(&key))
            .map(|m| m.0)
            .or_else(|| new.root.member("publishConfig").map(|m| m.0))
            .unwrap_or(0);
        let (l, c) = new.line_col(off);
        out.push(
            pkg.finding(&crate::review::PACKAGE_JSON_PUBLISH_CONFIG, path, message)
                .at(l, c)
                .help(match &source {
                    Some(file) => format!(
                        "remove the key (publishing then follows {file}) unless publishing \
                         there is intended"
                    ),
                    None => "revert it unless publishing there is intended".to_string(),
                }),
        );
    }
}

fn guards(path: &str, old: &Doc, new: &Doc, pkg: &PackageCtx, out: &mut Vec<Finding>) {
    for name in ["prepublishOnly", "prepack", "prepublish"] {
        let script = |d: &Doc| {
            d.root
                .path(&["scripts", name])
                .and_then(Node::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let Some(was) = script(old) else { continue };
        if script(new).is_some() {
            continue;
        }
        let off = new.root.member("scripts").map_or(0, |m| m.0);
        let (l, c) = new.line_col(off);
        out.push(
            pkg.finding(
                &crate::review::PACKAGE_JSON_GUARD_REMOVED,
                path,
                format!("the `{name}` script (`{was}`) was removed: it ran before every publish"),
            )
            .at(l, c)
            .help(format!("restore `\"{name}\": \"{was}\"`")),
        );
    }
}

/// True for a path into the original sources (`src/…`, `.ts`/`.tsx` but not `.d.ts`).
pub fn is_source_path(p: &str) -> bool {
    let p = p.trim_start_matches("./").to_ascii_lowercase();
    let decl = p.ends_with(".d.ts") || p.ends_with(".d.mts") || p.ends_with(".d.cts");
    if decl {
        return false;
    }
    let ts = [".ts", ".tsx", ".mts", ".cts"]
        .iter()
        .any(|e| p.ends_with(e));
    ts || p == "src" || p.starts_with("src/") || p.contains("/src/")
}

fn entry_strings(doc: &Doc) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    for field in ["main", "bin", "exports"] {
        let Some(node) = doc.root.get(field) else {
            continue;
        };
        collect_entries(field, node, &mut out);
    }
    out
}

fn collect_entries(field: &str, node: &Node, out: &mut Vec<(String, String, usize)>) {
    match &node.value {
        super::json::Value::Str(s) => out.push((field.to_string(), s.clone(), node.offset)),
        super::json::Value::Arr(items) => items.iter().for_each(|n| collect_entries(field, n, out)),
        super::json::Value::Obj(members) => {
            for (k, _, v) in members {
                if k == "types" || k == "typings" {
                    continue; // declarations point at .d.ts next to sources legitimately
                }
                collect_entries(field, v, out);
            }
        }
        _ => {}
    }
}

fn entries(path: &str, old: &Doc, new: &Doc, pkg: &PackageCtx, out: &mut Vec<Finding>) {
    let olds: Vec<String> = entry_strings(old).into_iter().map(|e| e.1).collect();
    for (field, value, off) in entry_strings(new) {
        if !is_source_path(&value) || olds.contains(&value) {
            continue;
        }
        let (l, c) = new.line_col(off);
        out.push(
            pkg.finding(
                &crate::review::PACKAGE_JSON_ENTRY_IN_SOURCES,
                path,
                format!("`{field}` now points into the sources (\"{value}\"): npm always packs it"),
            )
            .at(l, c)
            .help("point it at the built output (e.g. `dist/index.js`)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Visibility;
    use crate::report::Severity;

    fn ctx() -> PackageCtx {
        PackageCtx {
            dir: String::new(),
            name: Some("@acme/cli".into()),
            private: false,
            visibility: Visibility::Proprietary,
            has_files: true,
        }
    }

    fn rules(old: &str, new: &str) -> Vec<(String, Severity, Option<u32>)> {
        review("package.json", Some(old), Some(new), &ctx(), &|_| None)
            .unwrap()
            .into_iter()
            .map(|f| (f.rule, f.severity, f.line))
            .collect()
    }

    const BASE: &str = r#"{
  "name": "@acme/cli",
  "version": "1.0.0",
  "files": ["dist/*.js", "!dist/*.map"],
  "main": "dist/cli.js",
  "scripts": {"build": "bun build src/cli.ts --outdir dist", "prepublishOnly": "leakgate audit"},
  "publishConfig": {"registry": "https://npm.acme.internal"}
}"#;

    #[test]
    fn version_bump_is_quiet() {
        assert!(rules(BASE, &BASE.replace("1.0.0", "1.0.1")).is_empty());
    }

    #[test]
    fn files_removed_hit_and_narrowing_near_miss() {
        let removed = BASE.replace("\"files\": [\"dist/*.js\", \"!dist/*.map\"],\n", "");
        let r = rules(BASE, &removed);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].0, "package-json/files-removed");
        assert_eq!(r[0].1, Severity::Error);
        let narrowed = BASE.replace("\"dist/*.js\"", "\"dist/cli.js\"");
        assert!(rules(BASE, &narrowed).is_empty());
    }

    #[test]
    fn files_not_an_array_is_a_removal_and_widening_is_left_to_the_packs() {
        for (value, says) in [
            ("null", "npm ignores it"),
            ("false", "npm ignores it"),
            ("0", "npm ignores it"),
            ("\"\"", "npm ignores it"),
            ("\"*\"", "one character at a time"),
            ("{}", "`npm pack` fails"),
            ("true", "`npm pack` fails"),
        ] {
            let new = BASE.replace("[\"dist/*.js\", \"!dist/*.map\"]", value);
            let found = review("package.json", Some(BASE), Some(&new), &ctx(), &|_| None).unwrap();
            assert_eq!(found.len(), 1, "{value}");
            assert_eq!(found[0].rule, "package-json/files-removed");
            assert_eq!(
                (found[0].severity, found[0].line),
                (Severity::Error, Some(4))
            );
            assert!(
                found[0].message.contains(says),
                "{value}: {}",
                found[0].message
            );
        }
        // No allow-list before: nothing to remove.
        let null = BASE.replace("[\"dist/*.js\", \"!dist/*.map\"]", "null");
        assert!(rules(&null, &BASE.replace(", \"!dist/*.map\"", "")).is_empty());
        // A wider array is the exposure review's to judge (by what it lets in).
        let widened = BASE.replace("[\"dist/*.js\", \"!dist/*.map\"]", "[\"dist\"]");
        assert!(rules(BASE, &widened).is_empty());
    }

    #[test]
    fn private_removed_hit_and_near_miss() {
        let private = BASE.replace("\"version\"", "\"private\": true,\n  \"version\"");
        let r = rules(&private, BASE);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].0, "package-json/private-removed");
        let set_false = private.replace("\"private\": true", "\"private\": false");
        assert_eq!(rules(&private, &set_false)[0].2, Some(3));
        // Still private: nothing else is judged either.
        let still = private.replace("\"files\": [\"dist/*.js\", \"!dist/*.map\"],\n", "");
        assert!(rules(&private, &still).is_empty());
    }

    #[test]
    fn publish_config_hits_and_near_miss() {
        let public = BASE.replace(
            "{\"registry\": \"https://npm.acme.internal\"}",
            "{\"registry\": \"https://npm.acme.internal\", \"access\": \"public\"}",
        );
        assert_eq!(rules(BASE, &public)[0].0, "package-json/publish-config");
        let moved = BASE.replace("npm.acme.internal", "registry.npmjs.org");
        assert_eq!(rules(BASE, &moved)[0].0, "package-json/publish-config");
        let restricted = BASE.replace(
            "{\"registry\": \"https://npm.acme.internal\"}",
            "{\"registry\": \"https://npm.acme.internal\", \"access\": \"restricted\"}",
        );
        assert!(rules(BASE, &restricted).is_empty());
    }

    #[test]
    fn publish_config_registries_against_npmrc() {
        let pkg_json =
            |config: &str| format!("{{\"name\": \"@acme/cli\", \"version\": \"1.0.0\"{config}}}");
        let npmrc = |p: &str| {
            (p == "packages/cli/.npmrc").then(|| "@acme:registry=https://npm.acme.internal/".into())
        };
        let judge = |old: &str, new: &str| {
            review(
                "packages/cli/package.json",
                Some(old),
                Some(new),
                &ctx(),
                &npmrc,
            )
            .unwrap()
            .into_iter()
            .map(|f| f.message)
            .collect::<Vec<_>>()
        };
        let none = pkg_json("");
        let scoped = |url: &str| {
            pkg_json(&format!(
                ", \"publishConfig\": {{\"@ACME:registry\": \"{url}\"}}"
            ))
        };
        // The scoped key overrides the package directory's .npmrc: reported, with both.
        let hit = judge(&none, &scoped("https://registry.npmjs.org"));
        assert_eq!(hit.len(), 1, "{hit:?}");
        assert!(hit[0].contains("public registry") && hit[0].contains("packages/cli/.npmrc"));
        // The same registry as .npmrc: nothing.
        assert!(judge(&none, &scoped("https://NPM.acme.internal")).is_empty());
        // Removing the key falls back to .npmrc's registry: nothing; without that .npmrc,
        // to the public registry: reported.
        let private = scoped("https://npm.acme.internal/");
        assert!(judge(&private, &none).is_empty());
        let bare = review("package.json", Some(&private), Some(&none), &ctx(), &|_| {
            None
        })
        .unwrap();
        assert!(bare[0].message.contains("removed"), "{:?}", bare[0].message);
    }

    #[test]
    fn guard_removed_hit_and_near_miss() {
        let gone = BASE.replace(", \"prepublishOnly\": \"leakgate audit\"", "");
        assert_eq!(rules(BASE, &gone)[0].0, "package-json/guard-removed");
        let changed = BASE.replace("leakgate audit", "leakgate audit && npm test");
        assert!(rules(BASE, &changed).is_empty());
    }

    #[test]
    fn entry_in_sources_hit_and_near_miss() {
        let src = BASE.replace("\"main\": \"dist/cli.js\"", "\"main\": \"src/cli.ts\"");
        assert_eq!(rules(BASE, &src)[0].0, "package-json/entry-in-sources");
        let types = BASE.replace(
            "\"main\": \"dist/cli.js\"",
            "\"main\": \"dist/cli.js\", \"exports\": {\".\": {\"types\": \"./src/cli.d.ts\", \"default\": \"./dist/cli.js\"}}",
        );
        assert!(rules(BASE, &types).is_empty());
    }

    #[test]
    fn parse_error_names_line_and_column() {
        let err = review(
            "pkg/package.json",
            None,
            Some("{\n  \"name\": \"x\",\n}"),
            &ctx(),
            &|_| None,
        )
        .unwrap_err();
        assert_eq!(err.file, "pkg/package.json");
        assert_eq!(err.line, 3);
        assert!(err.to_string().starts_with("pkg/package.json:3:"));
    }
}

#[cfg(test)]
mod registry_key_tests {
    use super::is_scope_registry_key;

    /// Regression (fuzz target `package_json`): a key whose last nine bytes start inside a
    /// character panicked (exit 101) instead of being read as no registry key.
    #[test]
    fn scope_registry_keys_with_non_ascii_text() {
        assert!(!is_scope_registry_key(
            "@acme:registry-\u{4cc}\u{688}rcemap"
        ));
        assert!(!is_scope_registry_key("@acme\u{4cc}:registr\u{e9}"));
        assert!(is_scope_registry_key("@\u{e9}cme:REGISTRY"));
        assert!(is_scope_registry_key("@acme:registry"));
        // JavaScript's `/i` without `u` folds no non-ASCII letter to ASCII: `ſ` is not `s`.
        assert!(!is_scope_registry_key("@acme:regi\u{17f}try"));
    }
}
