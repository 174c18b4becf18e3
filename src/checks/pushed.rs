//! The file versions a push sends, judged whether or not a package ships them: a secret or
//! a credentials file is a leak wherever it is pushed, and a committed map embedding sources
//! is judged by the package that would publish it (a note when none would). This catches
//! commits made with `git commit --no-verify`. Each version is judged by the content judge
//! ([`super::content`]), as the audit and the pre-commit review judge the same file.

use super::content::{self, Embeds, Judge, Origin};
use super::{Checks, WHOLE_FILE_LIMIT};
use crate::config::{Config, Visibility};
use crate::packlist::{self, PackOptions};
use crate::report::{Finding, Severity};
use crate::snapshot::changes::{ChangeStatus, GitRepo, PushedObject, RemoteHas};
use crate::snapshot::worktree::Worktree;
use crate::snapshot::{Snapshot, SnapshotError};
use crate::workspace::Package;
use std::collections::{BTreeSet, HashMap, HashSet};

/// At most this many bytes of pushed file versions are read whole in one push; past it,
/// they are streamed.
pub const MAX_HISTORY_BYTES: u64 = 1 << 30;

/// A file version the push sends, and how it gets there (`commit 1a2b3c4d5`, or
/// `tag refs/tags/x` for a tag of a tree or a blob).
#[derive(Clone, Debug)]
pub struct PushedBlob {
    /// How it is pushed, appended to each finding's message.
    pub via: String,
    /// Its path in the repository (or the tag's name for a tag of a blob).
    pub path: String,
    /// Its blob id.
    pub oid: String,
}

/// Secrets, denied files and maps embedding sources in the file versions `blobs` a push
/// sends. `all` are the repository's packages (their working-tree state decides whether a
/// map ships and how serious it is). Versions that can't be read are named in a note.
pub fn check_blobs(
    repo: &GitRepo,
    worktree: &Worktree,
    all: &[Package],
    blobs: &[PushedBlob],
    config: &Config,
    checks: &Checks,
    notes: &mut Vec<String>,
) -> Result<Vec<Finding>, SnapshotError> {
    let packages: Vec<String> = all.iter().map(|p| p.dir.clone()).collect();
    let mut shipped = HashMap::new();
    let mut budget = MAX_HISTORY_BYTES;
    let deny = super::files::DenyList::new(config);
    let judge = Judge::new(
        checks.content.iter().map(|c| c.as_ref()),
        Origin::PushedBlob,
    );
    let mut unread: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    // Streamed versions go through one `git cat-file --batch`, started on first need.
    let mut batch = None;
    for PushedBlob { via, path, oid } in blobs {
        let tag = |mut f: Finding| {
            f.message = format!("{} ({via})", f.message);
            f.repo_path = Some(path.clone());
            f
        };
        if let Some(f) = content::denied(&deny, path, Origin::PushedBlob) {
            out.push(tag(f));
        }
        let mut map_finding = |embeds: Embeds| {
            let ships = ships_now(worktree, all, path, &mut shipped);
            let severity = match visibility_of(worktree, &packages, path, config) {
                Some(Visibility::Proprietary) => Severity::Error,
                Some(Visibility::Open) | None => Severity::Warning,
            };
            content::committed_map(path, Origin::PushedBlob, embeds, ships, severity)
        };
        let size = repo.blob_size(oid)?;
        if size > WHOLE_FILE_LIMIT || size > budget {
            // Too big to read whole (or past the push's read budget): streamed, in bounded
            // memory, rather than left unread.
            if batch.is_none() {
                batch = repo.blob_batch().ok();
            }
            let streamed = match batch.as_mut() {
                Some(b) => b.open(oid).and_then(|mut r| {
                    judge
                        .stream(path, &mut r)
                        .map_err(|source| SnapshotError::Io {
                            path: path.clone(),
                            source,
                        })
                }),
                None => Err(SnapshotError::Other(
                    "git cat-file --batch did not start".into(),
                )),
            };
            if streamed.is_err() {
                // Where git's output stands is unknown now: the next blob gets a new batch.
                batch = None;
            }
            match streamed {
                Ok(streamed) => {
                    out.extend(streamed.findings.into_iter().map(&tag));
                    if streamed.embeds {
                        let f = map_finding(Embeds::Streamed(size)).exposes(size);
                        out.push(tag(f));
                    }
                }
                Err(_) => unread.push(path),
            }
            continue;
        }
        budget -= size;
        let bytes = repo.blob(oid)?;
        let judged = judge.file(path, &bytes);
        if let Some(sources) = judged.sources {
            if !sources.is_empty() {
                let exposed: u64 = sources.iter().map(|s| s.text.len() as u64).sum();
                let f = map_finding(Embeds::Counted(sources.len(), exposed)).exposes(exposed);
                out.push(tag(f));
            }
            for s in sources {
                out.extend(s.findings.into_iter().map(&tag));
            }
        }
        out.extend(judged.findings.into_iter().map(&tag));
    }
    if !unread.is_empty() {
        notes.push(crate::report::unchecked(format_args!(
            "{} pushed file version{} not read (over {} each or {} in all): {}",
            unread.len(),
            if unread.len() == 1 { "" } else { "s" },
            crate::text::human_bytes(WHOLE_FILE_LIMIT),
            crate::text::human_bytes(MAX_HISTORY_BYTES),
            unread
                .iter()
                .take(5)
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(out)
}

/// At most this many pushed commits are checked in one push (newest first).
pub const MAX_PUSHED_COMMITS: usize = 2_000;

/// One pushed ref to check: what is pushed and what the remote has at that ref.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushedRef {
    /// The ref as the user knows it (`refs/tags/v1`), for messages.
    pub name: String,
    /// The object pushed (a commit, or a tag of any object).
    pub local: String,
    /// What the remote has there now (`None`: the ref is new to it).
    pub remote: Option<String>,
}

/// What a push sends.
pub struct Sent {
    /// The commits new to the remote, newest first (at most [`MAX_PUSHED_COMMITS`]).
    pub commits: Vec<String>,
    /// Each file version they send once, with how it gets there.
    pub blobs: Vec<PushedBlob>,
    /// Every path the commits touch (old and new names).
    pub touched: BTreeSet<String>,
}

/// What pushing `refs` sends to a remote that has what `known` says: the commits it lacks,
/// the file versions in them, and the paths they touch. A tag may also point at a tree or a
/// blob (`git tag key $(git hash-object -w id_rsa)`): the push sends that object, so its
/// files are pushed file versions too (they belong to no package). Past
/// [`MAX_PUSHED_COMMITS`] (a first push of old history), the newest are kept and a note
/// says what was left out.
pub fn sent(
    repo: &GitRepo,
    refs: &[PushedRef],
    known: RemoteHas<'_>,
    notes: &mut Vec<String>,
) -> Result<Sent, SnapshotError> {
    // The objects each ref sends: a commit's new history, or a tagged tree's or blob's files.
    let mut commits: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut blobs: Vec<PushedBlob> = Vec::new();
    let mut seen_blobs: HashSet<String> = HashSet::new();
    for r in refs {
        let via = || format!("tag {}", r.name);
        match repo.pushed_object(&r.local)? {
            PushedObject::Commit => {
                for c in repo.commits_in_range(&r.local, r.remote.as_deref(), known)? {
                    if seen.insert(c.clone()) {
                        commits.push(c);
                    }
                }
            }
            PushedObject::Tree(tree) => {
                for ch in repo.changed_paths(None, &tree)? {
                    match ch.new_oid {
                        Some(oid) if is_file(ch.new_mode) && seen_blobs.insert(oid.clone()) => {
                            blobs.push(PushedBlob {
                                via: via(),
                                path: ch.path,
                                oid,
                            })
                        }
                        _ => {}
                    }
                }
            }
            PushedObject::Blob(oid) => {
                if seen_blobs.insert(oid.clone()) {
                    blobs.push(PushedBlob {
                        via: "a tag of a blob".into(),
                        path: r.name.clone(),
                        oid,
                    });
                }
            }
        }
    }
    // A first push of old history to a new remote (nothing to compare with) would read it
    // all: check the newest commits and say what was left out.
    if commits.len() > MAX_PUSHED_COMMITS {
        notes.push(crate::report::unchecked(format!(
            "{} commits are new to the remote; checked the newest {MAX_PUSHED_COMMITS} \
             (older history: `git fetch` so leakgate knows what the remote has, or review it once \
             with a history scanner)",
            commits.len()
        )));
        commits.truncate(MAX_PUSHED_COMMITS);
    }
    let mut touched: BTreeSet<String> = BTreeSet::new();
    for (c, changes) in commits.iter().zip(repo.commits_changes(&commits)?) {
        for ch in changes {
            touched.insert(ch.path.clone());
            touched.insert(ch.old_path().to_string());
            if ch.status == ChangeStatus::Deleted || !is_file(ch.new_mode) {
                continue;
            }
            if let Some(oid) = ch.new_oid.clone() {
                if seen_blobs.insert(oid.clone()) {
                    blobs.push(PushedBlob {
                        via: format!("commit {}", &c[..c.len().min(9)]),
                        path: ch.path.clone(),
                        oid,
                    });
                }
            }
        }
    }
    Ok(Sent {
        commits,
        blobs,
        touched,
    })
}

/// A regular file's git mode (not a symlink, submodule or tree).
fn is_file(mode: u32) -> bool {
    mode & 0o170000 == 0o100000
}

/// The innermost package directory containing `path`.
pub fn package_for_path<'a>(packages: &'a [String], path: &str) -> Option<&'a str> {
    packages
        .iter()
        .filter(|d| {
            d.is_empty()
                || path == d.as_str()
                || (path.starts_with(d.as_str()) && path.as_bytes().get(d.len()) == Some(&b'/'))
        })
        .max_by_key(|d| d.len())
        .map(String::as_str)
}

/// Whether the file at repository path `path` ships from its package as the working tree
/// stands: `Some(false)` when it is in no package npm would publish (private, no name or
/// version, a package.json that doesn't parse) or its package's packlist leaves it out;
/// `None` when the packlist can't be computed. Each package is packed once (`lists`).
fn ships_now(
    worktree: &Worktree,
    all: &[Package],
    path: &str,
    lists: &mut HashMap<String, Option<HashSet<String>>>,
) -> Option<bool> {
    let dirs: Vec<String> = all.iter().map(|p| p.dir.clone()).collect();
    let Some(dir) = package_for_path(&dirs, path) else {
        return Some(false);
    };
    let package = all.iter().find(|p| p.dir == dir)?;
    if package.unpublishable().is_some() {
        return Some(false);
    }
    let list = lists.entry(dir.to_string()).or_insert_with(|| {
        // The repository's publisher as detected from the worktree (`[publish] tool` is
        // applied by the audit of touched packages; this only asks whether a file ships).
        let options = PackOptions {
            publisher: packlist::publisher::detect(worktree, "").0,
            ..PackOptions::default()
        };
        packlist::pack(worktree, dir, &options)
            .ok()
            .map(|l| l.files.into_iter().map(|f| f.source).collect())
    });
    list.as_ref().map(|files| files.contains(path))
}

/// The visibility of the package containing `path` (its package.json in the working tree);
/// `None` outside any package.
fn visibility_of(
    worktree: &Worktree,
    packages: &[String],
    path: &str,
    config: &Config,
) -> Option<Visibility> {
    let dir = package_for_path(packages, path)?;
    let bytes = worktree
        .read(&crate::snapshot::join(dir, "package.json"))
        .ok()?;
    // As npm reads it (a byte-order mark skipped): an unreadable manifest says nothing.
    let manifest = crate::packlist::manifest::parse_json(dir, &bytes).ok()?;
    Some(config.visibility(dir, &manifest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visibility_reads_a_manifest_with_a_byte_order_mark() {
        let dir = tempfile::tempdir().unwrap();
        let manifest =
            r#"{"name": "a", "version": "1.0.0", "license": "MIT", "repository": "x/y"}"#;
        std::fs::write(
            dir.path().join("package.json"),
            format!("\u{feff}{manifest}"),
        )
        .unwrap();
        let worktree = Worktree::new(dir.path());
        let config = Config::default();
        let packages = vec![String::new()];
        assert_eq!(
            visibility_of(&worktree, &packages, "dist/a.js.map", &config),
            Some(Visibility::Open)
        );
        std::fs::write(dir.path().join("package.json"), "\u{feff}{").unwrap();
        assert_eq!(
            visibility_of(&worktree, &packages, "dist/a.js.map", &config),
            None
        );
    }

    #[test]
    fn innermost_package_wins() {
        let pk = vec![String::new(), "packages/cli".to_string()];
        assert_eq!(
            package_for_path(&pk, "packages/cli/dist/a.js"),
            Some("packages/cli")
        );
        assert_eq!(package_for_path(&pk, "packages/cli-x/a.js"), Some(""));
        assert_eq!(package_for_path(&pk[1..], "README.md"), None);
    }
}
