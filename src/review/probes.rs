//! Probe files: synthetic risky files (a map, a `.ts` source, an `.env`, a key) placed in
//! the directories a `files` edit reaches, so the exposure review can ask npm's own rules
//! what the edit lets in, even before anything is built.
//!
//! A `files` widening is judged by what it makes publishable, not by how it is spelled:
//! `["dist/*.js"]` → `["dist"]` and → `["dist/*"]` both let `dist/cli.js.map` in, while
//! `"!dist/*.map"` → `"!**/*.map"` lets nothing in. At commit time `dist/` is usually not
//! built yet, so the real files can't tell; the probes stand in for what a build puts
//! there. Both packs of the exposure review (HEAD's rules and the staged ones) see the same
//! probes, so only a rule change can move one across, and a probe never replaces a real
//! file or turns a real file into a directory.

use crate::snapshot::{join, EntryKind, Overlay, Replacement, Snapshot};
use std::collections::BTreeMap;

/// Probe names, relative to each probed directory, with the kind of leak they stand for
/// (the category names of [`super::risky::CATEGORIES`]).
const PROBES: &[(&str, &str)] = &[
    ("source maps", "cli.js.map"),
    ("source maps", "index.mjs.map"),
    ("source maps", "index.cjs.map"),
    ("source maps", "style.css.map"),
    ("original sources", "index.ts"),
    ("original sources", "app.tsx"),
    ("original sources", "cli.mts"),
    ("original sources", "src/index.ts"),
    ("env files", ".env"),
    ("env files", ".env.local"),
    ("env files", ".env.production"),
    ("keys and credentials", "id_rsa"),
    ("keys and credentials", "id_ed25519"),
    ("keys and credentials", "server.pem"),
    ("keys and credentials", "private.key"),
    ("keys and credentials", "cert.p12"),
];

/// At most this many directories are probed per package (a `files` list of hundreds of
/// literal paths would otherwise cost a syscall per probe each).
const MAX_DIRS: usize = 64;

/// The probes of one package: repository path → category.
#[derive(Debug, Default)]
pub struct Probes {
    paths: BTreeMap<String, &'static str>,
}

impl Probes {
    /// Probes for a package at `pkg_dir` whose `files` entries (old and new, negations
    /// included) are `entries`: in the package root and in every directory an entry names
    /// literally (`dist` of `dist/*.js`; `dist` itself when it is a directory, or is absent
    /// and looks like one: no `.` in its name). `base` is the snapshot the probes are added
    /// to; paths it already holds are left alone.
    pub fn for_files<'e>(
        pkg_dir: &str,
        entries: impl IntoIterator<Item = &'e str>,
        base: &dyn Snapshot,
    ) -> Probes {
        let kind = |rel: &str| base.kind(&join(pkg_dir, rel)).ok().flatten();
        let mut dirs: Vec<String> = vec![String::new()];
        for entry in entries {
            for dir in literal_dirs(entry, &kind) {
                if dirs.len() < MAX_DIRS && !dirs.contains(&dir) {
                    dirs.push(dir);
                }
            }
        }
        let mut paths = BTreeMap::new();
        for dir in dirs {
            if !can_hold_files(&dir, &kind) {
                continue;
            }
            for (category, name) in PROBES {
                let rel = join(&dir, name);
                // Every ancestor of the probe must be a directory or absent, and the probe
                // itself absent (`src/index.ts` under a file named `src` is skipped).
                if kind(&rel).is_none() && can_hold_files(crate::snapshot::parent(&rel), &kind) {
                    paths.insert(join(pkg_dir, &rel), *category);
                }
            }
        }
        Probes { paths }
    }

    /// True when there is nothing to probe.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// Adds the probes (empty files) to `overlay`.
    pub fn apply<S: Snapshot>(&self, overlay: &mut Overlay<S>) {
        for path in self.paths.keys() {
            overlay.set(
                path,
                Replacement::File {
                    bytes: Vec::new(),
                    mode: 0o644,
                },
            );
        }
    }

    /// The category of the probe at repository path `path`; `None` for a real file.
    pub fn category(&self, path: &str) -> Option<&'static str> {
        self.paths.get(path).copied()
    }
}

/// True for a pattern character: the segment is a glob, not a directory name.
fn is_magic(c: char) -> bool {
    matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '(' | ')' | '\\')
}

/// The directories (package-relative) an entry names literally.
fn literal_dirs(entry: &str, kind: &dyn Fn(&str) -> Option<EntryKind>) -> Vec<String> {
    let entry = entry.trim().trim_start_matches('!');
    let mut out = Vec::new();
    let mut path = String::new();
    let segments: Vec<&str> = entry
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    for (i, seg) in segments.iter().enumerate() {
        if seg.contains(is_magic) || *seg == ".." || *seg == "node_modules" || *seg == ".git" {
            return out;
        }
        path = join(&path, seg);
        let last = i + 1 == segments.len();
        let is_dir = match kind(&path) {
            Some(EntryKind::Dir) => true,
            Some(_) => false,
            // Not there yet (unbuilt output): a name without a dot is taken for a directory.
            None => !last || !seg.contains('.'),
        };
        if !is_dir {
            return out;
        }
        out.push(path.clone());
    }
    out
}

/// True when `dir` and its ancestors are directories or absent in the snapshot.
fn can_hold_files(dir: &str, kind: &dyn Fn(&str) -> Option<EntryKind>) -> bool {
    let mut path = String::new();
    for seg in dir.split('/').filter(|s| !s.is_empty()) {
        path = join(&path, seg);
        match kind(&path) {
            Some(EntryKind::Dir) => {}
            Some(_) => return false,
            None => return true, // nothing below an absent directory exists either
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(dirs: &[&str], files: &[&str]) -> impl Fn(&str) -> Option<EntryKind> {
        let dirs: Vec<String> = dirs.iter().map(|s| s.to_string()).collect();
        let files: Vec<String> = files.iter().map(|s| s.to_string()).collect();
        move |p: &str| {
            if dirs.iter().any(|d| d == p) {
                Some(EntryKind::Dir)
            } else if files.iter().any(|f| f == p) {
                Some(EntryKind::File)
            } else {
                None
            }
        }
    }

    #[test]
    fn literal_directories_of_entries() {
        let k = kinds(&["lib"], &["README.md", "bin"]);
        assert_eq!(literal_dirs("dist/*.js", &k), vec!["dist"]);
        assert_eq!(literal_dirs("./dist/", &k), vec!["dist"]);
        assert_eq!(
            literal_dirs("!dist/esm/*.map", &k),
            vec!["dist", "dist/esm"]
        );
        assert_eq!(literal_dirs("lib/cli.js", &k), vec!["lib"]);
        assert!(literal_dirs("README.md", &k).is_empty());
        assert!(literal_dirs("bin", &k).is_empty(), "a file named bin");
        assert!(literal_dirs("**/*.js", &k).is_empty());
        assert!(literal_dirs("{dist,lib}", &k).is_empty());
        assert!(literal_dirs("../x", &k).is_empty());
    }

    #[test]
    fn probes_never_shadow_real_files() {
        let k = kinds(&["dist"], &["dist/cli.js.map", "src"]);
        assert!(can_hold_files("dist", &k));
        assert!(!can_hold_files("src", &k));
        assert!(can_hold_files("new/deeper", &k));
    }
}
