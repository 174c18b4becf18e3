//! Auditing a real tarball (`leakgate audit --tarball FILE.tgz`): "is what we already
//! published leaking?". What ships is exactly what the archive holds, so the packlist is every
//! file under the tarball's package directory; the archive's own hostile or odd entries
//! (`..`, absolute paths, links) are findings of `pack/unsafe-entry`.

use crate::packlist::{manifest, PackedFile, Packlist};
use crate::report::{Finding, Severity};
use crate::rules::Rule;
use crate::snapshot::tarball::Tarball;
use crate::snapshot::{join, EntryKind, Snapshot};

/// `pack/unsafe-entry`: the tarball has an entry that escapes the package or that npm never packs
pub static PACK_UNSAFE_ENTRY: Rule = Rule {
    id: "pack/unsafe-entry",
    default_severity: Severity::Error,
    summary: "the tarball has an entry that escapes the package or that npm never packs",
    explanation: "`npm pack` writes only regular files under `package/`. An entry named with \
    `..`, an absolute path or a drive letter, a hard link out of the package, a symbolic \
    link, or an entry below a file would, extracted by a careless tool, write or point \
    outside the install directory: the archive was not made by npm, or was tampered with. \
    leakgate never writes or follows such entries; it reports them.",
    fix: "Rebuild the tarball with `npm pack` from a clean checkout, and find out who or what \
    produced this one before publishing it (or, if it is published, deprecating it).",
};

/// Why a tarball can't be audited (beyond the snapshot's own read errors).
#[derive(Debug, thiserror::Error)]
pub enum TarballError {
    /// No `package.json` where npm puts it.
    #[error(
        "{tarball}: no package.json in the tarball (looked for {path}); is it an npm package?"
    )]
    NoManifest {
        /// The tarball on disk.
        tarball: String,
        /// Where the manifest was looked for.
        path: String,
    },
    /// package.json does not parse, or a read failed.
    #[error("{tarball}: {message}")]
    Read {
        /// The tarball on disk.
        tarball: String,
        /// What failed (names the file inside the tarball).
        message: String,
    },
}

/// Every regular file under the tarball's package directory, as a packlist whose paths are
/// relative to that directory (symbolic links are reported by [`entry_findings`], not
/// listed: npm never packs them and leakgate never follows them out).
pub fn packlist(tarball: &Tarball) -> Result<Packlist, TarballError> {
    let shown = tarball.path().display().to_string();
    let read_err = |e: crate::snapshot::SnapshotError| TarballError::Read {
        tarball: shown.clone(),
        message: e.to_string(),
    };
    let dir = tarball.package_dir().to_string();
    let manifest_path = join(&dir, "package.json");
    let text = match tarball.lstat(&manifest_path).map_err(read_err)? {
        Some(e) if e.kind == EntryKind::File => tarball.read(&manifest_path).map_err(read_err)?,
        _ => {
            return Err(TarballError::NoManifest {
                tarball: shown,
                path: manifest_path,
            })
        }
    };
    let manifest = manifest::parse_json(&manifest_path, &text).map_err(|e| TarballError::Read {
        tarball: shown.clone(),
        message: e.to_string(),
    })?;

    let mut files = Vec::new();
    // Iterative, so a deep archive can't overflow the stack.
    let mut pending = vec![dir.clone()];
    while let Some(current) = pending.pop() {
        for entry in tarball.read_dir(&current).map_err(read_err)? {
            let source = join(&current, &entry.name);
            match entry.kind {
                EntryKind::Dir => pending.push(source),
                EntryKind::File => {
                    let path = source
                        .strip_prefix(&dir)
                        .map(|p| p.trim_start_matches('/'))
                        .unwrap_or(&source)
                        .to_string();
                    files.push(PackedFile {
                        path,
                        source,
                        size: entry.size,
                        mode: entry.mode,
                    });
                }
                EntryKind::Symlink | EntryKind::Other => {}
            }
        }
    }
    files.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    Ok(Packlist {
        from: dir.clone(),
        dir,
        manifest,
        files,
        publisher: crate::packlist::Publisher::Npm,
    })
}

/// `pack/unsafe-entry` findings: the entries the tarball reader skipped (its warnings) and
/// the links it lists under the package directory.
pub fn entry_findings(tarball: &Tarball) -> Vec<Finding> {
    let shown = tarball.path().display().to_string();
    let mut out: Vec<Finding> = tarball
        .warnings()
        .iter()
        .map(|w| {
            Finding::new(&PACK_UNSAFE_ENTRY, w.clone())
                .file(shown.as_str())
                .help("npm never writes such an entry: rebuild the tarball with `npm pack`")
        })
        .collect();
    let mut pending = vec![tarball.package_dir().to_string()];
    while let Some(current) = pending.pop() {
        let Ok(entries) = tarball.read_dir(&current) else {
            continue;
        };
        for entry in entries {
            let path = join(&current, &entry.name);
            match entry.kind {
                EntryKind::Dir => pending.push(path),
                EntryKind::Symlink => {
                    let target = tarball.read_link(&path).unwrap_or_default();
                    out.push(
                        Finding::new(
                            &PACK_UNSAFE_ENTRY,
                            format!(
                                "{path} is a symbolic link to {target:?}; npm never packs links"
                            ),
                        )
                        .file(shown.as_str())
                        .help(
                            "npm never writes such an entry: rebuild the tarball with `npm pack`",
                        ),
                    );
                }
                EntryKind::File | EntryKind::Other => {}
            }
        }
    }
    out
}
