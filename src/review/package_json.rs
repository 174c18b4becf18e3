//! `package-json/*`: edits of package.json that change what npm publishes.

use super::json::{Doc, Node};
use super::risky::glob_categories;
use super::{PackageCtx, ReviewError};
use crate::report::{Finding, Severity};

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

/// Reviews a package.json edit (`old` = HEAD's text, `new` = staged text).
pub fn review(
    path: &str,
    old: Option<&str>,
    new: Option<&str>,
    pkg: &PackageCtx,
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
        let f = pkg.finding("package-json/private-removed", path, message);
        let off = new.root.member(key).map_or(new.root.offset, |m| m.0);
        out.push(at(f, &new, off));
    }
    if never_published(&new) {
        return Ok(out);
    }
    files_rules(path, &old, &new, pkg, &mut out);
    publish_config(path, &old, &new, pkg, &mut out);
    guards(path, &old, &new, pkg, &mut out);
    entries(path, &old, &new, pkg, &mut out);
    Ok(out)
}

fn norm(entry: &str) -> String {
    entry
        .trim()
        .trim_start_matches("./")
        .trim_start_matches('/')
        .trim_end_matches('/')
        .to_string()
}

fn files_list(doc: &Doc) -> Option<Vec<(String, usize)>> {
    let node = doc.root.get("files")?;
    Some(
        node.items()
            .iter()
            .filter_map(|n| n.as_str().map(|s| (s.to_string(), n.offset)))
            .collect(),
    )
}

/// True when the old positive entry already let in everything `entry` lets in.
fn covered(entry: &str, olds: &[String]) -> bool {
    let e = norm(entry);
    olds.iter().any(|o| {
        let o = norm(o);
        if o == e || e.starts_with(&format!("{o}/")) {
            return true;
        }
        globset::GlobBuilder::new(&o)
            .literal_separator(true)
            .case_insensitive(true)
            .build()
            .map(|g| g.compile_matcher().is_match(&e))
            .unwrap_or(false)
    })
}

fn is_broad(entry: &str) -> bool {
    let e = norm(entry);
    matches!(e.as_str(), "" | "*" | "**" | "**/*" | "." | "*/**" | "*.*") || e.starts_with("**/*")
}

fn files_rules(path: &str, old: &Doc, new: &Doc, pkg: &PackageCtx, out: &mut Vec<Finding>) {
    let Some(old_files) = files_list(old) else {
        return; // no allow-list before: `files` can only narrow
    };
    let Some(new_files) = files_list(new) else {
        let line = old.line_col(old.root.member("files").map_or(0, |m| m.0)).0;
        out.push(
            pkg.finding(
                "package-json/files-removed",
                path,
                format!(
                    "`files` removed (it was at line {line} of HEAD's package.json): npm now packs \
                     every file no .npmignore/.gitignore excludes"
                ),
            )
            .at(1, 1)
            .help(
                "restore `files`, listing only what the package needs; check with `leakgate files`",
            ),
        );
        return;
    };
    let old_pos: Vec<String> = old_files
        .iter()
        .filter(|(s, _)| !s.starts_with('!'))
        .map(|(s, _)| s.clone())
        .collect();
    let new_set: Vec<String> = new_files.iter().map(|(s, _)| norm(s)).collect();
    for (entry, off) in &new_files {
        if entry.starts_with('!') || covered(entry, &old_pos) {
            continue;
        }
        let cats = glob_categories(entry);
        let (sev, why) = if is_broad(entry) {
            (
                pkg.severity(),
                " (a broad glob: it packs nearly everything)".to_string(),
            )
        } else if !cats.is_empty() {
            (pkg.severity(), format!(" (it matches {})", cats.join(", ")))
        } else {
            (Severity::Warning, String::new())
        };
        let (l, c) = new.line_col(*off);
        out.push(
            pkg.finding(
                "package-json/files-widened",
                path,
                format!("`files` gains \"{entry}\"{why}"),
            )
            .severity(sev)
            .at(l, c)
            .help("list exact files or narrow globs (`dist/*.js`); check with `leakgate files`"),
        );
    }
    for (entry, _) in old_files.iter().filter(|(s, _)| s.starts_with('!')) {
        if new_set.contains(&norm(entry)) {
            continue;
        }
        let cats = glob_categories(entry.trim_start_matches('!'));
        let sev = if cats.is_empty() {
            Severity::Warning
        } else {
            pkg.severity()
        };
        let off = new.root.member("files").map_or(0, |m| m.0);
        let (l, c) = new.line_col(off);
        let what = if cats.is_empty() {
            String::new()
        } else {
            format!(": {} ship again", cats.join(", "))
        };
        out.push(
            pkg.finding(
                "package-json/files-widened",
                path,
                format!("`files` drops the negation \"{entry}\"{what}"),
            )
            .severity(sev)
            .at(l, c)
            .help(format!("put \"{entry}\" back into `files`")),
        );
    }
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
                "package-json/publish-config",
                path,
                "`publishConfig.access` set to \"public\": the package will be world-readable",
            )
            .at(l, c)
            .help("revert it unless the package is meant to be public"),
        );
    }
    let (or, nr) = (get(old, "registry"), get(new, "registry"));
    if or != nr && (or.is_some() || nr.is_some()) {
        let to = nr
            .clone()
            .unwrap_or_else(|| "the default registry (registry.npmjs.org)".into());
        let from = or.unwrap_or_else(|| "the default registry".into());
        let (l, c) = new.line_col(off("registry"));
        out.push(
            pkg.finding(
                "package-json/publish-config",
                path,
                format!("`publishConfig.registry` changed from {from} to {to}"),
            )
            .at(l, c)
            .help("revert it unless publishing there is intended"),
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
                "package-json/guard-removed",
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
                "package-json/entry-in-sources",
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
        review("package.json", Some(old), Some(new), &ctx())
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
    fn files_widened_by_broad_glob_and_dropped_negation() {
        let widened = BASE.replace("[\"dist/*.js\", \"!dist/*.map\"]", "[\"dist\"]");
        let r = rules(BASE, &widened);
        assert!(r.iter().any(|x| x.0 == "package-json/files-widened"
            && x.1 == Severity::Warning
            && x.2 == Some(4)));
        assert!(r
            .iter()
            .any(|x| x.0 == "package-json/files-widened" && x.1 == Severity::Error));
        let star = BASE.replace("\"dist/*.js\",", "\"dist/*.js\", \"**/*\",");
        assert!(rules(BASE, &star)
            .iter()
            .any(|x| x.0 == "package-json/files-widened" && x.1 == Severity::Error));
        // A new entry the old globs already covered widens nothing.
        let covered = BASE.replace("\"dist/*.js\",", "\"dist/*.js\", \"dist/cli.js\",");
        assert!(rules(BASE, &covered).is_empty());
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
        )
        .unwrap_err();
        assert_eq!(err.file, "pkg/package.json");
        assert_eq!(err.line, 3);
        assert!(err.to_string().starts_with("pkg/package.json:3:"));
    }
}
