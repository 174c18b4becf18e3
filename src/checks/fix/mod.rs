//! Help lines that work for this package: a packaging fix is offered only after the
//! packlist engine, run in memory over the package with the fix applied, shows that it
//! removes what the finding is about. A bundler fix names the option of the bundler the
//! package actually builds with.
//!
//! Why: a templated "add `*.map` to .npmignore" does nothing when package.json has a `files`
//! field that the map matches, and silently stops npm from reading the `.gitignore` when the
//! package has no `.npmignore` yet.

use crate::packlist::{self, PackOptions, Packlist};
use crate::snapshot::{join, Overlay, Replacement, Snapshot};
use serde_json::Value;

pub mod edit;

/// What a packaging fix keeps out of the package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exclusion {
    /// Every `.map` file.
    Maps,
    /// These packed paths (relative to the package).
    Paths(Vec<String>),
}

impl Exclusion {
    fn removes(&self, path: &str) -> bool {
        match self {
            Exclusion::Maps => is_map(path),
            Exclusion::Paths(paths) => paths.iter().any(|p| p == path),
        }
    }

    /// The `files` entries that exclude it (negations, as npm reads them).
    fn files_entries(&self) -> Vec<String> {
        match self {
            Exclusion::Maps => vec!["!**/*.map".into()],
            Exclusion::Paths(paths) => paths.iter().map(|p| format!("!{p}")).collect(),
        }
    }

    /// The `.npmignore` lines that exclude it (anchored at the package root).
    fn ignore_lines(&self) -> Vec<String> {
        match self {
            Exclusion::Maps => vec!["*.map".into()],
            Exclusion::Paths(paths) => paths.iter().map(|p| format!("/{p}")).collect(),
        }
    }
}

/// A change to one file of a package, checked by packing again with it: the package then
/// ships exactly what it shipped before minus what the fix is for.
#[derive(Clone, Debug)]
pub struct PackagingFix {
    /// The file to write, relative to the snapshot root.
    pub path: String,
    /// Its content now (`None`: the fix creates it).
    pub before: Option<Vec<u8>>,
    /// Its content with the fix.
    pub after: Vec<u8>,
    /// What the fix does, for a help line: `add "!**/*.map" to files in package.json`.
    pub summary: String,
    /// The packed paths it keeps out.
    pub removes: Vec<String>,
}

/// The first packaging change that keeps everything `what` names out of `packlist`'s
/// package and changes nothing else it ships, verified by packing again with it; `None`
/// when nothing is to be removed or no candidate works (a map forced in as a `main` or
/// `bin` target, a path named in `files` that a later negation can't take back, say).
pub fn exclusion(
    snapshot: &dyn Snapshot,
    packlist: &Packlist,
    what: &[Exclusion],
) -> Option<PackagingFix> {
    let removed = |path: &str| what.iter().any(|w| w.removes(path));
    let removes: Vec<String> = packlist
        .files
        .iter()
        .filter(|f| removed(&f.path))
        .map(|f| f.path.clone())
        .collect();
    if removes.is_empty() {
        return None;
    }
    let expected: Vec<&str> = packlist
        .files
        .iter()
        .map(|f| f.path.as_str())
        .filter(|p| !removed(p))
        .collect();
    let dir = packlist.dir.as_str();
    let works = |path: &str, bytes: &[u8]| -> bool {
        let mut overlay = Overlay::new(snapshot);
        overlay.set(path, file(bytes.to_vec()));
        packlist::pack(
            &overlay,
            dir,
            &PackOptions {
                publisher: packlist.publisher,
                ..PackOptions::default()
            },
        )
        .is_ok_and(|list| {
            list.files
                .iter()
                .map(|f| f.path.as_str())
                .eq(expected.iter().copied())
        })
    };

    // The package.json and ignore files that decide are those of the folder packed (pnpm's
    // `publishConfig.directory`), which the `works` re-pack of `dir` reaches again.
    let from = packlist.from.as_str();
    let manifest_path = join(from, "package.json");
    if let Some(Value::Array(_)) = packlist.manifest.get("files") {
        // With `files`, a root .npmignore can't take back what an entry names: the
        // negation goes into `files` itself, written into the text as it is laid out.
        let text = String::from_utf8(snapshot.read(&manifest_path).ok()?).ok()?;
        let doc = crate::review::json::Doc::parse(&text).ok()?;
        let open = doc.root.get("files")?.offset;
        let entries: Vec<String> = what.iter().flat_map(Exclusion::files_entries).collect();
        let encoded: Vec<String> = entries
            .iter()
            .map(|e| serde_json::to_string(e).unwrap_or_default())
            .collect();
        let after = edit::append_to_array(&text, open, &encoded)?;
        let shown = encoded.join(", ");
        return works(&manifest_path, after.as_bytes()).then(|| PackagingFix {
            path: manifest_path.clone(),
            before: Some(text.into_bytes()),
            after: after.into_bytes(),
            summary: format!("add `{shown}` to `files` in package.json"),
            removes: removes.clone(),
        });
    }

    let npmignore = join(from, ".npmignore");
    let gitignore = join(from, ".gitignore");
    let lines: Vec<String> = what.iter().flat_map(Exclusion::ignore_lines).collect();
    let shown = lines.join("`, `");
    let existing = snapshot.read(&npmignore).ok();
    let (after, summary) = match &existing {
        Some(old) => (
            edit::append_lines(old, &lines),
            format!("add `{shown}` to .npmignore"),
        ),
        None => match snapshot.read(&gitignore).ok() {
            // A new .npmignore replaces the .gitignore for npm: carry its lines over, or
            // whatever it kept out starts shipping.
            Some(git) => (
                edit::append_lines(&git, &lines),
                format!(
                    "create .npmignore with the lines of .gitignore plus `{shown}` (npm reads \
                     .npmignore instead of .gitignore once it exists)"
                ),
            ),
            None => (
                edit::append_lines(b"", &lines),
                format!("create .npmignore with `{shown}`"),
            ),
        },
    };
    works(&npmignore, &after).then(|| PackagingFix {
        path: npmignore.clone(),
        before: existing,
        after,
        summary,
        removes,
    })
}

/// The first packaging change that keeps every shipped `.map` file out of `packlist`'s
/// package (and nothing else), as a help line; `None` when no candidate works.
pub fn exclude_maps(snapshot: &dyn Snapshot, packlist: &Packlist) -> Option<String> {
    exclusion(snapshot, packlist, &[Exclusion::Maps])
        .map(|fix| format!("{} (checked: no map ships then)", fix.summary))
}

/// The package's scripts (joined) and a test for a dependency, what the option finders read.
fn build_tools(manifest: &Value) -> (String, impl Fn(&str) -> bool + '_) {
    let scripts: String = manifest
        .get("scripts")
        .and_then(Value::as_object)
        .map(|s| {
            s.values()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default();
    let has_dep = move |name: &str| {
        ["devDependencies", "dependencies"].iter().any(|k| {
            manifest
                .get(*k)
                .and_then(Value::as_object)
                .is_some_and(|d| d.contains_key(name))
        })
    };
    (scripts, has_dep)
}

/// The option that turns embedded sources off in the bundler `manifest` builds with, or
/// `None` when leakgate can't tell which bundler that is (or it can't: Bun).
pub fn bundler_option(manifest: &Value) -> Option<&'static str> {
    let (scripts, has_dep) = build_tools(manifest);
    let uses = |tool: &str, dep: &str| scripts.contains(tool) || has_dep(dep);
    // Most specific first: tsup and Vite run esbuild/Rollup underneath.
    if scripts.contains("bun build") {
        return Some("build the published files without Bun's `--sourcemap` (Bun always embeds sources in its maps)");
    }
    if uses("tsup", "tsup") {
        return Some("tsup: the map embeds sources whenever `sourcemap` is on; turn it off for the published build");
    }
    if uses("vite", "vite") {
        return Some("Vite: `build.rollupOptions.output.sourcemapExcludeSources: true`");
    }
    if uses("rollup", "rollup") {
        return Some("Rollup: `output.sourcemapExcludeSources: true`");
    }
    if uses("webpack", "webpack") {
        return Some("webpack: a `nosources-` devtool (`nosources-source-map`)");
    }
    if uses("esbuild", "esbuild") {
        return Some("esbuild: `--sources-content=false` (`sourcesContent: false`)");
    }
    if uses("tsc", "typescript") {
        return Some("tsc: drop `inlineSources` from tsconfig.json");
    }
    None
}

/// The same for a stylesheet's map (`.css.map`, or a map inline in a `.css`): those come
/// from the CSS compiler, not from the JavaScript bundler the package may also use.
pub fn stylesheet_option(manifest: &Value) -> Option<&'static str> {
    let (scripts, has_dep) = build_tools(manifest);
    if scripts.contains("--embed-sources") {
        return Some(
            "Sass: drop `--embed-sources` from the `sass` command in package.json's scripts",
        );
    }
    if scripts.contains("--source-map-include-source") {
        return Some("Less: drop `--source-map-include-source` from the `lessc` command");
    }
    if scripts.contains("sass ") || has_dep("sass") {
        return Some("Sass: build without `--embed-sources` (`sourceMapIncludeSources: false`)");
    }
    if scripts.contains("postcss") || has_dep("postcss") {
        return Some("PostCSS: `map: { sourcesContent: false }`");
    }
    None
}

/// Whether `path` (a map, or a file with an inline map) belongs to a stylesheet.
pub fn is_stylesheet_map(path: &str) -> bool {
    let path = path.to_ascii_lowercase();
    [".css.map", ".css", ".scss.map", ".less.map"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

fn is_map(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".map")
}

fn file(bytes: Vec<u8>) -> Replacement {
    Replacement::File { bytes, mode: 0o644 }
}
