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

/// The first packaging change that keeps every shipped `.map` file out of `packlist`'s
/// package, verified by packing again with it; `None` when no candidate works (the map is
/// forced in, say, as a `main` or `bin` target).
pub fn exclude_maps(snapshot: &dyn Snapshot, packlist: &Packlist) -> Option<String> {
    let dir = packlist.dir.as_str();
    let manifest_path = join(dir, "package.json");
    let works = |overlay: &Overlay<&dyn Snapshot>| -> bool {
        packlist::pack(overlay, dir, &PackOptions::default())
            .is_ok_and(|list| !list.files.iter().any(|f| is_map(&f.path)))
    };

    if let Some(Value::Array(files)) = packlist.manifest.get("files") {
        // With `files`, a root .npmignore can't take back what an entry names: the
        // negation goes into `files` itself.
        let mut manifest = packlist.manifest.clone();
        let mut entries = files.clone();
        entries.push(Value::String("!**/*.map".into()));
        manifest["files"] = Value::Array(entries);
        let mut overlay = Overlay::new(snapshot);
        overlay.set(
            &manifest_path,
            file(serde_json::to_vec_pretty(&manifest).ok()?),
        );
        return works(&overlay).then(|| {
            "add `\"!**/*.map\"` to `files` in package.json (checked: no map ships then)".into()
        });
    }

    let npmignore = join(dir, ".npmignore");
    let gitignore = join(dir, ".gitignore");
    let existing = snapshot.read(&npmignore).ok();
    let (text, how) = match &existing {
        Some(old) => (
            with_line(old, "*.map"),
            "add `*.map` to .npmignore (checked: no map ships then)".to_string(),
        ),
        None => match snapshot.read(&gitignore).ok() {
            // A new .npmignore replaces the .gitignore for npm: carry its lines over, or
            // whatever it kept out starts shipping.
            Some(git) => (
                with_line(&git, "*.map"),
                "create .npmignore with the lines of .gitignore plus `*.map` (npm reads \
                 .npmignore instead of .gitignore once it exists; checked: no map ships then)"
                    .to_string(),
            ),
            None => (
                b"*.map\n".to_vec(),
                "create .npmignore with `*.map` (checked: no map ships then)".to_string(),
            ),
        },
    };
    let mut overlay = Overlay::new(snapshot);
    overlay.set(&npmignore, file(text));
    works(&overlay).then_some(how)
}

/// The option that turns embedded sources off in the bundler `manifest` builds with, or
/// `None` when leakgate can't tell which bundler that is (or it can't: Bun).
pub fn bundler_option(manifest: &Value) -> Option<&'static str> {
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
    let has_dep = |name: &str| {
        ["devDependencies", "dependencies"].iter().any(|k| {
            manifest
                .get(*k)
                .and_then(Value::as_object)
                .is_some_and(|d| d.contains_key(name))
        })
    };
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

fn is_map(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".map")
}

fn file(bytes: Vec<u8>) -> Replacement {
    Replacement::File { bytes, mode: 0o644 }
}

fn with_line(text: &[u8], line: &str) -> Vec<u8> {
    let mut out = text.to_vec();
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    out.extend_from_slice(line.as_bytes());
    out.push(b'\n');
    out
}
