//! Snapshots (git trees, the index, tarballs, overlays) read the same files as the working
//! tree for the same content; git helpers report what git reports.

mod common;

use common::TempRepo;
use leakgate::snapshot::{EntryKind, GitTree, Overlay, Snapshot, Worktree};
use std::collections::BTreeMap;

/// Everything a snapshot holds: path → (kind, size, mode, digest of the contents of a file
/// or the target of a link).
type Listing = BTreeMap<String, (EntryKind, u64, u32, Option<String>)>;

/// A short printable digest of some bytes (so a failed comparison stays readable).
fn digest(bytes: &[u8]) -> String {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(24)]).into_owned();
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h = (h ^ *b as u64).wrapping_mul(0x100000001b3);
    }
    format!("{head:?}… len={} fnv={h:016x}", bytes.len())
}

fn d(bytes: &[u8]) -> Option<String> {
    Some(digest(bytes))
}

/// Walks `snap` from `dir`, skipping `.git`, recording each entry and each file's bytes.
fn walk(snap: &dyn Snapshot, dir: &str) -> Listing {
    let mut out = Listing::new();
    let mut stack = vec![dir.to_string()];
    while let Some(dir) = stack.pop() {
        for entry in snap.read_dir(&dir).unwrap() {
            if dir.is_empty() && entry.name == ".git" {
                continue;
            }
            let path = leakgate::snapshot::join(&dir, &entry.name);
            // lstat agrees with the listing.
            let stat = snap.lstat(&path).unwrap().expect("listed entry has lstat");
            assert_eq!(
                stat,
                entry,
                "lstat({path}) differs from read_dir in {}",
                snap.describe()
            );
            let content = match entry.kind {
                EntryKind::Dir => {
                    stack.push(path.clone());
                    None
                }
                EntryKind::File => d(&snap.read(&path).unwrap()),
                EntryKind::Symlink => d(snap.read_link(&path).unwrap().as_bytes()),
                EntryKind::Other => None,
            };
            // Directory modes depend on the umask on disk; git has none. Compare files only.
            let mode = if entry.kind == EntryKind::Dir {
                0
            } else {
                entry.mode
            };
            let size = if entry.kind == EntryKind::Dir {
                0
            } else {
                entry.size
            };
            out.insert(path, (entry.kind, size, mode, content));
        }
    }
    out
}

fn chmod(repo: &TempRepo, rel: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(repo.join(rel), std::fs::Permissions::from_mode(mode)).unwrap();
}

fn symlink(repo: &TempRepo, target: &str, rel: &str) {
    std::os::unix::fs::symlink(target, repo.join(rel)).unwrap();
}

/// A repository with files of every kind git stores, committed.
fn varied_repo() -> TempRepo {
    let repo = TempRepo::new();
    repo.write("package.json", r#"{"name":"x","version":"1.0.0"}"#)
        .write("README.md", "# x\n")
        .write("empty.txt", "")
        .write("bin/cli.js", "#!/usr/bin/env node\n")
        .write("dist/a/b/c/deep.js", "deep();\n")
        .write("dist/index.js", "module.exports = 1;\n")
        .write("dist/index.js.map", vec![b'x'; 70_000])
        .write("src/ünïcode name.ts", "export {}\n")
        .write("binary.bin", [0u8, 159, 146, 150, 255, 0, 1]);
    chmod(&repo, "bin/cli.js", 0o755);
    chmod(&repo, "README.md", 0o644);
    symlink(&repo, "dist/index.js", "main.js");
    symlink(&repo, "../dist", "bin/dist-link");
    symlink(&repo, "/etc/passwd", "escape");
    repo.commit_all("varied");
    repo
}

#[test]
fn git_tree_matches_worktree() {
    let repo = varied_repo();
    let disk = walk(&Worktree::new(repo.path()), "");
    let head = GitTree::open(repo.path(), "HEAD").unwrap();
    assert_eq!(walk(&head, ""), disk);
    // Spot checks, so a bug shared by both sides can't hide.
    let cli = head.lstat("bin/cli.js").unwrap().unwrap();
    assert_eq!((cli.kind, cli.mode, cli.size), (EntryKind::File, 0o755, 20));
    let link = head.lstat("main.js").unwrap().unwrap();
    assert_eq!((link.kind, link.size), (EntryKind::Symlink, 0));
    assert_eq!(head.read_link("main.js").unwrap(), "dist/index.js");
    assert_eq!(
        head.lstat("dist/a/b").unwrap().unwrap().kind,
        EntryKind::Dir
    );
    assert_eq!(head.lstat("dist/nope").unwrap(), None);
    assert_eq!(head.lstat("README.md/x").unwrap(), None);
    assert_eq!(head.describe(), "HEAD");
}

#[test]
fn git_tree_follows_symlinks_inside_the_tree_only() {
    let repo = varied_repo();
    let head = GitTree::open(repo.path(), "HEAD").unwrap();
    assert_eq!(head.read("main.js").unwrap(), b"module.exports = 1;\n");
    // Through a symlinked directory.
    assert_eq!(
        head.read("bin/dist-link/a/b/c/deep.js").unwrap(),
        b"deep();\n"
    );
    // A link out of the tree is never followed.
    let err = head.read("escape").unwrap_err().to_string();
    assert!(err.contains("outside"), "{err}");
    assert!(head.read("dist").is_err(), "a directory is not readable");
    let missing = head.read("nope.js").unwrap_err().to_string();
    assert!(missing.contains("nope.js"), "{missing}");
}

#[test]
fn git_tree_reads_any_revision() {
    let repo = TempRepo::new();
    repo.write("a.txt", "one\n").commit_all("first");
    let first = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    repo.write("a.txt", "two\n").write("pkg/b.txt", "b\n");
    repo.commit_all("second");
    repo.git(&["tag", "v2"]);
    repo.write("a.txt", "three (not committed)\n");

    let old = GitTree::open(repo.path(), &first).unwrap();
    assert_eq!(old.read("a.txt").unwrap(), b"one\n");
    assert!(old.lstat("pkg").unwrap().is_none());
    let parent = GitTree::open(repo.path(), "HEAD^").unwrap();
    assert_eq!(parent.read("a.txt").unwrap(), b"one\n");
    let tag = GitTree::open(repo.path(), "v2").unwrap();
    assert_eq!(tag.read("a.txt").unwrap(), b"two\n");
    let branch = GitTree::open(repo.path(), "refs/heads/main").unwrap();
    assert_eq!(branch.read("pkg/b.txt").unwrap(), b"b\n");
    // A tree-ish naming a subdirectory.
    let sub = GitTree::open(repo.path(), "HEAD:pkg").unwrap();
    assert_eq!(sub.read("b.txt").unwrap(), b"b\n");
    // From a subdirectory of the work tree.
    let nested = GitTree::open(repo.join("pkg"), "HEAD").unwrap();
    assert_eq!(nested.read("a.txt").unwrap(), b"two\n");

    let err = GitTree::open(repo.path(), "no-such-branch").err().unwrap();
    assert!(err.to_string().contains("no-such-branch"), "{err}");
}

#[test]
fn git_tree_head_of_empty_repo_is_none() {
    let repo = TempRepo::new();
    assert!(GitTree::head(repo.path()).unwrap().is_none());
    repo.write("x", "1").commit_all("init");
    let head = GitTree::head(repo.path()).unwrap().unwrap();
    assert_eq!(head.read("x").unwrap(), b"1");
    let not_repo = tempfile::tempdir().unwrap();
    let err = GitTree::head(not_repo.path()).err().unwrap().to_string();
    assert!(err.contains("not a git repository"), "{err}");
}

#[test]
fn git_tree_submodule_is_other() {
    let sub = TempRepo::new();
    sub.write("s.txt", "s").commit_all("sub");
    let repo = TempRepo::new();
    repo.write("a", "a").commit_all("a");
    let sha = sub.git(&["rev-parse", "HEAD"]).trim().to_string();
    // A gitlink without cloning: update-index --cacheinfo 160000.
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{sha},vendor/sub"),
    ]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "gitlink"]);
    let head = GitTree::open(repo.path(), "HEAD").unwrap();
    let entry = head.lstat("vendor/sub").unwrap().unwrap();
    assert_eq!(
        (entry.kind, entry.size, entry.mode),
        (EntryKind::Other, 0, 0)
    );
    let listed = head.read_dir("vendor").unwrap();
    assert_eq!(listed, vec![entry]);
}

#[test]
fn git_tree_is_usable_from_many_threads() {
    let repo = varied_repo();
    let head = GitTree::open(repo.path(), "HEAD").unwrap();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..20 {
                    assert_eq!(
                        head.read("dist/index.js").unwrap(),
                        b"module.exports = 1;\n"
                    );
                }
            });
        }
    });
}

#[test]
fn overlay_replaces_adds_and_removes() {
    let repo = varied_repo();
    let disk = Worktree::new(repo.path());
    let overlay = Overlay::new(&disk)
        .with_file("package.json", b"{\"name\":\"y\"}".to_vec(), 0o644)
        .with_file("new/dir/added.js", b"added".to_vec(), 0o755)
        .with_file("dist/a/extra.js", b"e".to_vec(), 0o644)
        .without("dist/index.js.map")
        .without("src")
        .with_label("working tree + staged");
    assert_eq!(overlay.describe(), "working tree + staged");

    let mut expected = walk(&disk, "");
    expected.insert(
        "package.json".into(),
        (EntryKind::File, 12, 0o644, d(b"{\"name\":\"y\"}")),
    );
    expected.insert("new".into(), (EntryKind::Dir, 0, 0, None));
    expected.insert("new/dir".into(), (EntryKind::Dir, 0, 0, None));
    expected.insert(
        "new/dir/added.js".into(),
        (EntryKind::File, 5, 0o755, d(b"added")),
    );
    expected.insert(
        "dist/a/extra.js".into(),
        (EntryKind::File, 1, 0o644, d(b"e")),
    );
    expected.remove("dist/index.js.map");
    expected.retain(|k, _| k != "src" && !k.starts_with("src/"));
    assert_eq!(walk(&overlay, ""), expected);

    assert!(overlay.lstat("src/ünïcode name.ts").unwrap().is_none());
    assert!(overlay.read("src/ünïcode name.ts").is_err());
    assert!(overlay.read_dir("src").is_err());
    assert!(overlay.read("dist/index.js.map").is_err());
    // Untouched files still come from the base; symlinks still resolve.
    assert_eq!(overlay.read("main.js").unwrap(), b"module.exports = 1;\n");
    // The base is unchanged.
    assert_eq!(
        disk.read("package.json").unwrap(),
        br#"{"name":"x","version":"1.0.0"}"#
    );
}

#[test]
fn overlay_file_over_directory_and_directory_over_file() {
    let repo = TempRepo::new();
    repo.write("d/inner.txt", "i").write("f", "file");
    let disk = Worktree::new(repo.path());
    let overlay = Overlay::new(&disk)
        .with_file("d", b"now a file".to_vec(), 0o644)
        .with_file("f/child", b"c".to_vec(), 0o644);
    assert_eq!(overlay.lstat("d").unwrap().unwrap().kind, EntryKind::File);
    assert!(overlay.lstat("d/inner.txt").unwrap().is_none());
    assert!(overlay.read_dir("d").is_err());
    assert_eq!(overlay.read("d").unwrap(), b"now a file");
    assert_eq!(overlay.lstat("f").unwrap().unwrap().kind, EntryKind::Dir);
    let names: Vec<String> = overlay
        .read_dir("f")
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(names, vec!["child".to_string()]);
    let root = overlay.read_dir("").unwrap();
    let f = root.iter().find(|e| e.name == "f").unwrap();
    assert_eq!(f.kind, EntryKind::Dir);
    let d = root.iter().find(|e| e.name == "d").unwrap();
    assert_eq!((d.kind, d.size), (EntryKind::File, 10));
}

#[test]
fn overlay_over_git_tree_and_shared_base() {
    let repo = varied_repo();
    let head = GitTree::open(repo.path(), "HEAD").unwrap();
    let a = Overlay::new(&head).with_file("package.json", b"A".to_vec(), 0o644);
    let b = Overlay::new(&head).without("package.json");
    assert_eq!(a.read("package.json").unwrap(), b"A");
    assert!(b.lstat("package.json").unwrap().is_none());
    assert!(!b
        .read_dir("")
        .unwrap()
        .iter()
        .any(|e| e.name == "package.json"));
    let link = Overlay::new(&head).with_symlink("alias.js", "dist/index.js");
    assert_eq!(link.read("alias.js").unwrap(), b"module.exports = 1;\n");
    assert_eq!(
        link.lstat("alias.js").unwrap().unwrap().kind,
        EntryKind::Symlink
    );
}

// ---------------------------------------------------------------------------------------
// Git helpers: the staged change, ranges, commits.

use leakgate::snapshot::changes::{self, ChangeStatus, GitRepo, StagedView};

/// (status, path) pairs, sorted, for compact assertions.
fn summary(changes: &[leakgate::snapshot::Change]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = changes
        .iter()
        .map(|c| {
            let status = match &c.status {
                ChangeStatus::Added => "A".to_string(),
                ChangeStatus::Modified => "M".to_string(),
                ChangeStatus::Deleted => "D".to_string(),
                ChangeStatus::Renamed { from } => format!("R<{from}"),
                ChangeStatus::Copied { from } => format!("C<{from}"),
                ChangeStatus::TypeChanged => "T".to_string(),
                ChangeStatus::Unmerged => "U".to_string(),
            };
            (status, c.path.clone())
        })
        .collect();
    out.sort();
    out
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    out.sort();
    out
}

#[test]
fn staged_changes_add_modify_delete_rename_typechange() {
    let repo = TempRepo::new();
    let long = "a line that makes the file long enough for rename detection\n".repeat(20);
    repo.write("keep.txt", "keep\n")
        .write("mod.txt", "before\n")
        .write("del.txt", "delete me\n")
        .write("old/name.js", &long)
        .write("kind", "a file\n")
        .write("bin.sh", "#!/bin/sh\n");
    repo.commit_all("base");
    repo.write("mod.txt", "after\n")
        .write("new/added.txt", "new\n");
    repo.remove("del.txt");
    std::fs::create_dir_all(repo.join("renamed")).unwrap();
    repo.git(&["mv", "old/name.js", "renamed/name.js"]);
    repo.remove("kind");
    symlink(&repo, "keep.txt", "kind");
    chmod(&repo, "bin.sh", 0o755);
    // Unstaged noise that must not show up.
    repo.write("untracked.txt", "u");
    repo.stage_all();
    repo.write("keep.txt", "edited but not staged\n");

    let changes = changes::staged_changes(repo.path()).unwrap();
    assert_eq!(
        summary(&changes),
        pairs(&[
            ("A", "new/added.txt"),
            ("A", "untracked.txt"),
            ("D", "del.txt"),
            ("M", "bin.sh"),
            ("M", "mod.txt"),
            ("R<old/name.js", "renamed/name.js"),
            ("T", "kind"),
        ])
    );
    let bin = changes.iter().find(|c| c.path == "bin.sh").unwrap();
    assert_eq!((bin.old_mode, bin.new_mode), (0o100644, 0o100755));
    let kind = changes.iter().find(|c| c.path == "kind").unwrap();
    assert_eq!((kind.old_mode, kind.new_mode), (0o100644, 0o120000));
    let del = changes.iter().find(|c| c.path == "del.txt").unwrap();
    assert!(del.old_oid.is_some() && del.new_oid.is_none() && del.new_mode == 0);
    // The oids are git's.
    let m = changes.iter().find(|c| c.path == "mod.txt").unwrap();
    assert_eq!(
        m.new_oid.as_deref().unwrap(),
        repo.git(&["rev-parse", ":mod.txt"]).trim()
    );
    assert_eq!(
        m.old_oid.as_deref().unwrap(),
        repo.git(&["rev-parse", "HEAD:mod.txt"]).trim()
    );
}

#[test]
fn staged_view_reads_staged_not_worktree_bytes() {
    let repo = TempRepo::new();
    repo.write("package.json", "{\"v\":1}\n")
        .write(".npmignore", "*.map\n")
        .write("old.txt", "rename me please, I am long enough\n".repeat(10));
    repo.commit_all("base");
    // Partial staging: stage v2, then keep editing the working copy.
    repo.write("package.json", "{\"v\":2}\n");
    repo.git(&["add", "package.json"]);
    repo.write("package.json", "{\"v\":3, \"unstaged\":true}\n");
    repo.git(&["mv", "old.txt", "new.txt"]);
    repo.git(&["rm", "-q", ".npmignore"]);

    let git = GitRepo::discover(repo.path()).unwrap();
    let view = StagedView::new(&git, Some("HEAD"), git.staged_changes().unwrap());
    assert_eq!(
        view.staged_file("package.json").unwrap().unwrap(),
        (0o100644, b"{\"v\":2}\n".to_vec())
    );
    assert_eq!(
        view.base_file("package.json").unwrap().unwrap().1,
        b"{\"v\":1}\n"
    );
    assert!(view.staged_file(".npmignore").unwrap().is_none());
    assert_eq!(view.base_file(".npmignore").unwrap().unwrap().1, b"*.map\n");
    assert!(view.staged_file("old.txt").unwrap().is_none());
    assert!(view.staged_file("new.txt").unwrap().is_some());
    assert!(view.staged_file("never-existed").unwrap().is_none());
    // Agrees with git for every path.
    assert_eq!(
        view.staged_file("new.txt").unwrap().unwrap().1,
        repo.git(&["cat-file", "blob", ":new.txt"]).into_bytes()
    );
}

#[test]
fn staged_changes_initial_commit_and_intent_to_add() {
    let repo = TempRepo::new();
    repo.write("a.txt", "a").write("dir/b.txt", "b");
    repo.stage_all();
    repo.write("later.txt", "only intended");
    repo.git(&["add", "-N", "later.txt"]);
    let git = GitRepo::discover(repo.path()).unwrap();
    assert_eq!(git.resolve("HEAD").unwrap(), None);
    let changes = git.staged_changes().unwrap();
    // Intent-to-add is not staged content: git won't commit it.
    assert_eq!(
        summary(&changes),
        pairs(&[("A", "a.txt"), ("A", "dir/b.txt")])
    );
    let view = StagedView::new(&git, None, changes);
    assert_eq!(view.staged_file("dir/b.txt").unwrap().unwrap().1, b"b");
    assert!(view.base_file("a.txt").unwrap().is_none());
}

#[test]
fn staged_changes_against_parent_for_amend() {
    let repo = TempRepo::new();
    repo.write("a.txt", "1").commit_all("first");
    repo.write("b.txt", "2").commit_all("second");
    repo.write("c.txt", "3").stage_all();
    // Against HEAD: only c. Against HEAD^ (what `--amend` will commit): b and c.
    assert_eq!(
        summary(&changes::staged_changes(repo.path()).unwrap()),
        pairs(&[("A", "c.txt")])
    );
    assert_eq!(
        summary(&changes::staged_changes_against(repo.path(), "HEAD^").unwrap()),
        pairs(&[("A", "b.txt"), ("A", "c.txt")])
    );
    // Amending a root commit: everything is new.
    let root = TempRepo::new();
    root.write("x", "x").commit_all("root");
    root.write("y", "y").stage_all();
    assert_eq!(
        summary(&changes::staged_changes_against(root.path(), "HEAD^").unwrap()),
        pairs(&[("A", "x"), ("A", "y")])
    );
    let err = changes::staged_changes_against(repo.path(), "nope-branch").unwrap_err();
    assert!(err.to_string().contains("nope-branch"), "{err}");
}

#[test]
fn staged_changes_reports_conflicts_and_leaves_git_untouched() {
    let repo = TempRepo::new();
    repo.write("f.txt", "base\n").commit_all("base");
    repo.git(&["checkout", "-q", "-b", "other"]);
    repo.write("f.txt", "theirs\n").commit_all("theirs");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("f.txt", "ours\n").commit_all("ours");
    let merge = repo.git_output(&["merge", "-q", "other"]);
    assert!(!merge.status.success(), "the merge must conflict");
    // A stat-dirty file that a refreshing git command would rewrite the index for.
    repo.write("g.txt", "g").git(&["add", "g.txt"]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    repo.write("g.txt", "g");
    let index_before = repo.read(".git/index");

    let changes = changes::staged_changes(repo.path()).unwrap();
    let f: Vec<_> = changes.iter().filter(|c| c.path == "f.txt").collect();
    assert!(
        f.iter().any(|c| c.status == ChangeStatus::Unmerged),
        "{changes:?}"
    );
    let git = GitRepo::discover(repo.path()).unwrap();
    let view = StagedView::new(&git, Some("HEAD"), changes);
    assert!(view.staged_file("f.txt").unwrap().is_none());
    assert_eq!(
        repo.read(".git/index"),
        index_before,
        "the index was rewritten"
    );
}

#[test]
fn changed_paths_and_commit_changes() {
    let repo = TempRepo::new();
    repo.write("a", "1").write("pkg/b", "2").commit_all("one");
    let one = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    repo.write("pkg/b", "3")
        .write("pkg/c", "4")
        .commit_all("two");
    repo.remove("a");
    repo.commit_all("three");
    let git = GitRepo::discover(repo.path()).unwrap();
    assert_eq!(
        summary(&git.changed_paths(Some(&one), "HEAD").unwrap()),
        pairs(&[("D", "a"), ("M", "pkg/b"), ("A", "pkg/c")])
    );
    assert_eq!(
        summary(&changes::changed_paths(repo.path(), None, &one).unwrap()),
        pairs(&[("A", "a"), ("A", "pkg/b")])
    );
    assert_eq!(
        summary(&git.commit_changes("HEAD^").unwrap()),
        pairs(&[("M", "pkg/b"), ("A", "pkg/c")])
    );
    assert_eq!(
        summary(&git.commit_changes(&one).unwrap()),
        pairs(&[("A", "a"), ("A", "pkg/b")])
    );
}

#[test]
fn commits_changes_answers_each_commit_as_commit_changes_does() {
    // One `diff-tree --stdin` for many commits must give each commit exactly what its own
    // diff against its first parent gives: a root, a rename (two paths in git's output), an
    // empty commit (no output at all), a merge (first parent only) and a path that looks
    // like a commit id.
    let repo = TempRepo::new();
    repo.write("a.txt", "alpha\n".repeat(20))
        .write("0123456789abcdef0123456789abcdef01234567", "hex-named\n")
        .commit_all("root");
    repo.git(&["mv", "a.txt", "renamed.txt"]);
    repo.git(&["commit", "-q", "-m", "rename"]);
    repo.git(&["commit", "-q", "--allow-empty", "-m", "empty"]);
    repo.git(&["checkout", "-q", "-b", "side"]);
    repo.write("side.txt", "s\n").commit_all("side");
    repo.git(&["checkout", "-q", "-"]);
    repo.write("main.txt", "m\n").commit_all("main");
    repo.git(&["merge", "-q", "--no-ff", "-m", "merge", "side"]);
    let commits: Vec<String> = repo
        .git(&["rev-list", "HEAD"])
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(commits.len(), 6);
    let git = GitRepo::discover(repo.path()).unwrap();
    let batch = git.commits_changes(&commits).unwrap();
    assert_eq!(batch.len(), commits.len());
    for (c, changes) in commits.iter().zip(&batch) {
        assert_eq!(
            summary(changes),
            summary(&git.commit_changes(c).unwrap()),
            "commit {c}"
        );
    }
    // The merge brings side.txt relative to its first parent; the empty commit nothing.
    assert_eq!(summary(&batch[0]), pairs(&[("A", "side.txt")]));
    assert!(batch.iter().any(Vec::is_empty));
    assert!(batch
        .iter()
        .flatten()
        .any(|c| matches!(&c.status, ChangeStatus::Renamed { from } if from == "a.txt")));
}

#[test]
fn a_blob_batch_streams_blob_after_blob_whatever_is_left_unread() {
    use std::io::Read;
    let repo = TempRepo::new();
    let big = "0123456789".repeat(50_000); // past any pipe buffer
    repo.write("a.txt", &big)
        .write("b.txt", "bravo\n")
        .write("c.txt", "")
        .commit_all("blobs");
    let oid = |p: &str| {
        repo.git(&["rev-parse", &format!("HEAD:{p}")])
            .trim()
            .to_string()
    };
    let git = GitRepo::discover(repo.path()).unwrap();
    let mut batch = git.blob_batch().unwrap();
    // Read 10 bytes of a, then b: b comes whole and exact.
    let mut head = [0u8; 10];
    batch
        .open(&oid("a.txt"))
        .unwrap()
        .read_exact(&mut head)
        .unwrap();
    assert_eq!(&head, b"0123456789");
    let mut text = String::new();
    batch
        .open(&oid("b.txt"))
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, "bravo\n");
    // An empty blob, then a whole big one.
    let mut empty = Vec::new();
    batch
        .open(&oid("c.txt"))
        .unwrap()
        .read_to_end(&mut empty)
        .unwrap();
    assert!(empty.is_empty());
    let mut all = Vec::new();
    batch
        .open(&oid("a.txt"))
        .unwrap()
        .read_to_end(&mut all)
        .unwrap();
    assert_eq!(all, big.as_bytes());
    // A tree is no blob: an error, and the batch goes on.
    let tree = repo.git(&["rev-parse", "HEAD^{tree}"]).trim().to_string();
    assert!(batch.open(&tree).is_err());
    text.clear();
    batch
        .open(&oid("b.txt"))
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, "bravo\n");
    // A missing object is an error too.
    assert!(batch.open(&"1".repeat(40)).is_err());
}

#[test]
fn commits_in_range_for_updates_and_new_branches() {
    let remote = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("git")
        .args(["init", "-q", "--bare"])
        .arg(remote.path())
        .status()
        .unwrap();
    assert!(status.success());
    let repo = TempRepo::new();
    repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    repo.write("a", "1").commit_all("c1");
    repo.write("a", "2").commit_all("c2");
    repo.git(&["push", "-q", "origin", "main"]);
    let pushed = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    repo.write("a", "3").commit_all("c3");
    repo.write("a", "4").commit_all("c4");
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let c3 = repo.git(&["rev-parse", "HEAD^"]).trim().to_string();

    let origin = changes::RemoteHas::TrackingRefs("origin");
    // An update: local ^remote.
    let update = changes::commits_in_range(repo.path(), &head, Some(&pushed), origin).unwrap();
    assert_eq!(update, vec![head.clone(), c3.clone()]);
    // A new branch: what origin's remote-tracking refs don't reach.
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("f", "f").commit_all("c5");
    let tip = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let new_branch = changes::commits_in_range(repo.path(), &tip, None, origin).unwrap();
    assert_eq!(new_branch, vec![tip.clone(), head.clone(), c3.clone()]);
    // Matches git rev-list.
    let expected: Vec<String> = repo
        .git(&["rev-list", &tip, "--not", "--remotes=origin"])
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(new_branch, expected);
    // A remote sha this clone has never seen: fall back to the remote-tracking refs.
    let unknown = "1234567890123456789012345678901234567890";
    assert_eq!(
        changes::commits_in_range(repo.path(), &tip, Some(unknown), origin).unwrap(),
        expected
    );
    // Nothing new.
    assert!(
        changes::commits_in_range(repo.path(), &pushed, Some(&pushed), origin)
            .unwrap()
            .is_empty()
    );
    // Another remote's refs say nothing about what this one has: all five commits are new
    // to `public`, and to a URL.
    let all: Vec<String> = repo
        .git(&["rev-list", &tip])
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(all.len(), 5);
    for known in [
        changes::RemoteHas::TrackingRefs("public"),
        changes::RemoteHas::Nothing,
    ] {
        assert_eq!(
            changes::commits_in_range(repo.path(), &tip, None, known).unwrap(),
            all,
            "{known:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// The index.

use leakgate::snapshot::IndexSnapshot;

#[test]
fn index_matches_worktree_when_all_staged() {
    let repo = varied_repo();
    repo.write("staged-only/new.txt", "new\n");
    repo.remove("README.md");
    repo.stage_all();
    let disk = walk(&Worktree::new(repo.path()), "");
    let index = IndexSnapshot::open(repo.path()).unwrap();
    assert_eq!(walk(&index, ""), disk);
    assert_eq!(
        walk(&index, "dist"),
        walk(&Worktree::new(repo.path()), "dist")
    );
    assert_eq!(index.read("main.js").unwrap(), b"module.exports = 1;\n");
    assert!(index.read("escape").is_err());
    assert!(index.lstat("README.md").unwrap().is_none());
    assert_eq!(index.lstat("dist/a").unwrap().unwrap().kind, EntryKind::Dir);
    assert!(index.lstat("dist/a/b/c/deep.js/x").unwrap().is_none());
    assert!(index.read_dir("nope").is_err());
    assert!(index.read("dist").is_err());
}

#[test]
fn index_shows_staged_bytes_after_partial_staging() {
    let repo = TempRepo::new();
    repo.write("package.json", "{\"v\":1}\n").commit_all("base");
    repo.write("package.json", "{\"v\":2}\n");
    repo.git(&["add", "package.json"]);
    repo.write("package.json", "{\"v\":3,\"more\":true}\n");
    repo.write("untracked.txt", "u");
    let index = IndexSnapshot::open(repo.path()).unwrap();
    assert_eq!(index.read("package.json").unwrap(), b"{\"v\":2}\n");
    let entry = index.lstat("package.json").unwrap().unwrap();
    assert_eq!(
        (entry.kind, entry.size, entry.mode),
        (EntryKind::File, 8, 0o644)
    );
    assert!(index.lstat("untracked.txt").unwrap().is_none());
    let names: Vec<String> = index
        .read_dir("")
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(names, vec!["package.json".to_string()]);
}

#[test]
fn index_of_fresh_repo_initial_staging_and_intent_to_add() {
    let repo = TempRepo::new();
    // No index file at all yet.
    let empty = IndexSnapshot::open(repo.path()).unwrap();
    assert!(empty.read_dir("").unwrap().is_empty());
    assert!(empty.lstat("x").unwrap().is_none());
    repo.write("a/b.txt", "b").write("c.txt", "c");
    repo.stage_all();
    repo.write("ita.txt", "intent only");
    repo.git(&["add", "-N", "ita.txt"]);
    repo.write("ita-dir/x.txt", "x");
    repo.git(&["add", "-N", "ita-dir/x.txt"]);
    let index = IndexSnapshot::open(repo.path()).unwrap();
    let mut names: Vec<String> = index
        .read_dir("")
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    names.sort();
    assert_eq!(names, vec!["a".to_string(), "c.txt".to_string()]);
    assert!(index.lstat("ita.txt").unwrap().is_none());
    assert!(index.lstat("ita-dir").unwrap().is_none());
    assert_eq!(index.read("a/b.txt").unwrap(), b"b");
}

#[test]
fn index_conflicts_show_ours() {
    let repo = TempRepo::new();
    repo.write("f.txt", "base\n")
        .write("gone.txt", "g\n")
        .commit_all("base");
    repo.git(&["checkout", "-q", "-b", "other"]);
    repo.write("f.txt", "theirs\n")
        .write("gone.txt", "changed by them\n");
    repo.commit_all("theirs");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("f.txt", "ours\n");
    repo.remove("gone.txt");
    repo.commit_all("ours");
    assert!(!repo.git_output(&["merge", "-q", "other"]).status.success());
    let index = IndexSnapshot::open(repo.path()).unwrap();
    assert_eq!(
        index.conflicts(),
        vec!["f.txt".to_string(), "gone.txt".to_string()]
    );
    assert_eq!(index.read("f.txt").unwrap(), b"ours\n");
    // Deleted on our side: absent.
    assert!(index.lstat("gone.txt").unwrap().is_none());
    let listed = index.read_dir("").unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
}

#[test]
fn index_from_a_temporary_index_file() {
    let repo = TempRepo::new();
    repo.write("a.txt", "committed\n").commit_all("base");
    repo.write("a.txt", "in the temporary index\n");
    let tmp_index = repo.join(".git/next-index");
    std::fs::copy(repo.join(".git/index"), &tmp_index).unwrap();
    let status = std::process::Command::new("git")
        .args(["add", "a.txt"])
        .current_dir(repo.path())
        .env("GIT_INDEX_FILE", &tmp_index)
        .status()
        .unwrap();
    assert!(status.success());
    let main_index = IndexSnapshot::open(repo.path()).unwrap();
    assert_eq!(main_index.read("a.txt").unwrap(), b"committed\n");
    let next = IndexSnapshot::open_file(repo.path(), &tmp_index).unwrap();
    assert_eq!(next.read("a.txt").unwrap(), b"in the temporary index\n");
}

// ---------------------------------------------------------------------------------------
// Tarballs.

use leakgate::snapshot::{Tarball, TarballOptions};
use std::io::{Read, Write};

/// Packs `dir` with the real npm; returns the tarball path and npm's file list
/// (path → (size, mode)).
fn npm_pack(
    dir: &std::path::Path,
    dest: &std::path::Path,
) -> (std::path::PathBuf, BTreeMap<String, (u64, u32)>) {
    common::require_npm();
    let out = std::process::Command::new("npm")
        .args(["pack", "--json", "--ignore-scripts", "--pack-destination"])
        .arg(dest)
        .current_dir(dir)
        .output()
        .expect("run npm");
    assert!(
        out.status.success(),
        "npm pack failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("npm pack --json");
    let filename = json[0]["filename"].as_str().unwrap();
    let files = json[0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                (
                    f["size"].as_u64().unwrap(),
                    f["mode"].as_u64().unwrap() as u32,
                ),
            )
        })
        .collect();
    (dest.join(filename), files)
}

fn tarball_files(t: &Tarball) -> BTreeMap<String, (u64, u32)> {
    let dir = t.package_dir().to_string();
    walk(t, &dir)
        .into_iter()
        .filter(|(_, v)| v.0 == EntryKind::File)
        .map(|(k, v)| (k[dir.len() + 1..].to_string(), (v.1, v.2)))
        .collect()
}

#[test]
fn npm_pack_tarball_matches_npm_and_worktree() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"@acme/tgz","version":"1.2.3","bin":{"tgz":"bin/cli.js"},"files":["dist","bin"]}"#,
    )
    .write("bin/cli.js", "#!/usr/bin/env node\nrequire('../dist/index.js')\n")
    .write("dist/index.js", "module.exports = 42;\n")
    .write("dist/deep/a/b/c.js", "c\n")
    .write("dist/index.js.map", "{\"version\":3,\"sources\":[],\"mappings\":\"\"}".repeat(500))
    .write("dist/empty.txt", "")
    .write("src/secret.ts", "not shipped\n");
    chmod(&repo, "bin/cli.js", 0o755);
    let dest = tempfile::tempdir().unwrap();
    let (tgz, npm_files) = npm_pack(repo.path(), dest.path());

    let tarball = Tarball::open(&tgz).unwrap();
    assert_eq!(tarball.package_dir(), "package");
    assert!(tarball.warnings().is_empty(), "{:?}", tarball.warnings());
    assert_eq!(tarball_files(&tarball), npm_files);
    assert!(npm_files.contains_key("dist/deep/a/b/c.js"));
    assert!(!npm_files.contains_key("src/secret.ts"));
    // Same bytes as the working tree, whether kept in memory or streamed from the archive.
    let streamed = Tarball::open_with(
        &tgz,
        TarballOptions {
            max_memory_file: 16,
            ..TarballOptions::default()
        },
    )
    .unwrap();
    let disk = Worktree::new(repo.path());
    for path in npm_files.keys() {
        let want = disk.read(path).unwrap();
        assert_eq!(
            tarball.read(&format!("package/{path}")).unwrap(),
            want,
            "{path}"
        );
        assert_eq!(
            streamed.read(&format!("package/{path}")).unwrap(),
            want,
            "{path} (streamed)"
        );
    }
    assert_eq!(
        streamed
            .read_prefix("package/dist/index.js.map", 11)
            .unwrap(),
        b"{\"version\":"
    );
    let bin = tarball.lstat("package/bin/cli.js").unwrap().unwrap();
    assert_eq!(bin.mode & 0o111, 0o111, "executable bit kept");
    assert!(tarball.read("package/src/secret.ts").is_err());
}

/// Appends an entry with a raw name (the tar crate's safe setters refuse hostile ones).
fn raw_entry<W: Write>(
    builder: &mut tar::Builder<W>,
    name: &str,
    kind: tar::EntryType,
    data: &[u8],
    link: Option<&str>,
) {
    let mut header = tar::Header::new_gnu();
    let bytes = name.as_bytes();
    header.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
    if let Some(link) = link {
        header.as_old_mut().linkname[..link.len()].copy_from_slice(link.as_bytes());
    }
    header.set_entry_type(kind);
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    builder.append(&header, data).unwrap();
}

fn gzip(tar_bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(tar_bytes).unwrap();
    enc.finish().unwrap()
}

#[test]
fn tarball_skips_hostile_entries_and_never_follows_links_out() {
    use tar::EntryType as T;
    let mut b = tar::Builder::new(Vec::new());
    raw_entry(&mut b, "package/package.json", T::Regular, b"{}", None);
    raw_entry(&mut b, "../evil.txt", T::Regular, b"evil", None);
    raw_entry(&mut b, "/abs.txt", T::Regular, b"abs", None);
    raw_entry(&mut b, "C:/drive.txt", T::Regular, b"drive", None);
    raw_entry(&mut b, "package/../../escape.txt", T::Regular, b"esc", None);
    raw_entry(&mut b, "package\\..\\..\\win.txt", T::Regular, b"win", None);
    raw_entry(&mut b, "package/./ok/file.txt", T::Regular, b"ok", None);
    raw_entry(
        &mut b,
        "package/passwd",
        T::Symlink,
        b"",
        Some("/etc/passwd"),
    );
    raw_entry(&mut b, "package/up", T::Symlink, b"", Some("../../outside"));
    raw_entry(
        &mut b,
        "package/alias",
        T::Symlink,
        b"",
        Some("ok/file.txt"),
    );
    raw_entry(&mut b, "package/hard", T::Link, b"", Some("../etc/shadow"));
    raw_entry(
        &mut b,
        "package/hard-ok",
        T::Link,
        b"",
        Some("package/ok/file.txt"),
    );
    raw_entry(
        &mut b,
        "package/ok/file.txt/under-a-file",
        T::Regular,
        b"x",
        None,
    );
    let dir = tempfile::tempdir().unwrap();
    let tgz = dir.path().join("hostile.tgz");
    std::fs::write(&tgz, gzip(&b.into_inner().unwrap())).unwrap();

    let t = Tarball::open(&tgz).unwrap();
    let warnings = t.warnings().join("\n");
    for name in [
        "../evil.txt",
        "/abs.txt",
        "C:/drive.txt",
        "package/../../escape.txt",
        "win.txt",
        "package/hard",
        "under-a-file",
    ] {
        assert!(warnings.contains(name), "no warning for {name}: {warnings}");
    }
    assert_eq!(t.package_dir(), "package");
    let mut names: Vec<String> = walk(&t, "").into_keys().collect();
    names.sort();
    assert_eq!(
        names,
        [
            "package",
            "package/alias",
            "package/hard-ok",
            "package/ok",
            "package/ok/file.txt",
            "package/package.json",
            "package/passwd",
            "package/up"
        ]
    );
    assert_eq!(t.read("package/alias").unwrap(), b"ok");
    assert_eq!(t.read("package/hard-ok").unwrap(), b"ok");
    assert_eq!(t.read_link("package/passwd").unwrap(), "/etc/passwd");
    let err = t.read("package/passwd").unwrap_err().to_string();
    assert!(err.contains("outside"), "{err}");
    let err = t.read("package/up").unwrap_err().to_string();
    assert!(err.contains("outside"), "{err}");
    // Nothing was written anywhere.
    let mut left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    left.sort();
    assert_eq!(left, vec![std::ffi::OsString::from("hostile.tgz")]);
    for p in ["evil.txt", "escape.txt", "abs.txt"] {
        assert!(!dir.path().parent().unwrap().join(p).exists());
    }
}

fn small_tgz(dir: &std::path::Path) -> std::path::PathBuf {
    let mut b = tar::Builder::new(Vec::new());
    for i in 0..50 {
        let data = format!("file {i} ").repeat(200);
        raw_entry(
            &mut b,
            &format!("pkg/f{i}.txt"),
            tar::EntryType::Regular,
            data.as_bytes(),
            None,
        );
    }
    let path = dir.join("ok.tgz");
    std::fs::write(&path, gzip(&b.into_inner().unwrap())).unwrap();
    path
}

#[test]
fn tarball_truncated_or_corrupt_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let good = small_tgz(dir.path());
    let t = Tarball::open(&good).unwrap();
    assert_eq!(t.package_dir(), "pkg");
    assert_eq!(
        t.read("pkg/f3.txt").unwrap(),
        "file 3 ".repeat(200).as_bytes()
    );

    let bytes = std::fs::read(&good).unwrap();
    for (name, bad) in [
        ("half.tgz", bytes[..bytes.len() / 2].to_vec()),
        ("no-trailer.tgz", bytes[..bytes.len() - 4].to_vec()),
        ("flipped.tgz", {
            let mut b = bytes.clone();
            let mid = b.len() / 2;
            for x in &mut b[mid..mid + 16] {
                *x ^= 0x5a;
            }
            b
        }),
        ("not-gzip.tgz", b"just some text, not a tarball".to_vec()),
        ("empty.tgz", Vec::new()),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bad).unwrap();
        let err = Tarball::open(&path)
            .err()
            .unwrap_or_else(|| panic!("{name} opened"))
            .to_string();
        assert!(err.contains(name), "error does not name the file: {err}");
    }
    let missing = Tarball::open(dir.path().join("missing.tgz"))
        .err()
        .unwrap()
        .to_string();
    assert!(missing.contains("missing.tgz"), "{missing}");
}

#[test]
fn tarball_gzip_bomb_is_capped() {
    // 24 MiB of zeros compresses to ~24 KiB; cap the reader at 4 MiB.
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    {
        let mut b = tar::Builder::new(&mut enc);
        let mut header = tar::Header::new_gnu();
        header.set_path("package/zeros.bin").unwrap();
        header.set_size(24 << 20);
        header.set_mode(0o644);
        header.set_cksum();
        b.append(&header, std::io::repeat(0).take(24 << 20))
            .unwrap();
        b.finish().unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.tgz");
    std::fs::write(&path, enc.finish().unwrap()).unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() < 1 << 20);
    let opts = TarballOptions {
        max_decompressed: 4 << 20,
        ..TarballOptions::default()
    };
    let err = Tarball::open_with(&path, opts).err().unwrap().to_string();
    assert!(err.contains("bomb.tgz") && err.contains("cap"), "{err}");
    // Under the default cap it opens, and the big entry is streamed, not kept.
    let t = Tarball::open(&path).unwrap();
    let mut n = 0u64;
    let mut r = t.open("package/zeros.bin").unwrap();
    let mut buf = vec![0u8; 1 << 16];
    let zeros = vec![0u8; 1 << 16];
    loop {
        let k = r.read(&mut buf).unwrap();
        if k == 0 {
            break;
        }
        assert!(buf[..k] == zeros[..k]);
        n += k as u64;
    }
    assert_eq!(n, 24 << 20);
}

/// Peak resident memory of this process, from /proc.
fn peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace()
        .nth(1)
        .unwrap()
        .parse::<u64>()
        .unwrap()
        * 1024
}

#[test]
fn tarball_large_entry_is_streamed_and_a_sparse_one_is_reported() {
    // 512 MiB of zeros ending in a block of `Z`: ~0.5 MiB compressed.
    const REAL: u64 = 512 << 20;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    {
        let mut b = tar::Builder::new(&mut enc);
        let mut header = tar::Header::new_gnu();
        header.set_path("package/huge.bin").unwrap();
        header.set_size(REAL);
        header.set_mode(0o644);
        header.set_cksum();
        let data = std::io::repeat(0)
            .take(REAL - 512)
            .chain(std::io::repeat(b'Z').take(512));
        b.append(&header, data).unwrap();
        // A GNU sparse file: node-tar skips the type, so npm never extracts it; leakgate
        // lists it neither and says so.
        let mut sparse = tar::Header::new_gnu();
        sparse.set_path("package/sparse.bin").unwrap();
        sparse.set_entry_type(tar::EntryType::GNUSparse);
        sparse.set_size(512);
        sparse.set_mode(0o644);
        sparse.set_cksum();
        b.append(&sparse, &[b'S'; 512][..]).unwrap();
        raw_entry(
            &mut b,
            "package/after.txt",
            tar::EntryType::Regular,
            b"after",
            None,
        );
        b.finish().unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.tgz");
    std::fs::write(&path, enc.finish().unwrap()).unwrap();

    let t = Tarball::open(&path).unwrap();
    let entry = t.lstat("package/huge.bin").unwrap().unwrap();
    assert_eq!((entry.kind, entry.size), (EntryKind::File, REAL));
    assert_eq!(t.read("package/after.txt").unwrap(), b"after");
    assert_eq!(t.lstat("package/sparse.bin").unwrap(), None);
    assert!(
        t.warnings()
            .iter()
            .any(|w| w.contains("package/sparse.bin")),
        "{:?}",
        t.warnings()
    );
    let mut r = t.open("package/huge.bin").unwrap();
    let mut buf = vec![0u8; 1 << 20];
    let (mut n, mut zs) = (0u64, 0u64);
    loop {
        let k = r.read(&mut buf).unwrap();
        if k == 0 {
            break;
        }
        zs += memchr::memchr_iter(b'Z', &buf[..k]).count() as u64;
        n += k as u64;
    }
    assert_eq!((n, zs), (REAL, 512));
    let peak = peak_rss_bytes();
    assert!(
        peak < 400 << 20,
        "peak RSS {} MiB: the entry was held in memory",
        peak >> 20
    );
    // Dropping a reader half-way stops the helper thread (no hang).
    let mut r = t.open("package/huge.bin").unwrap();
    r.read_exact(&mut buf).unwrap();
    drop(r);
}

/// The audit of a tarball whose entries are too big to keep in memory reads them in archive
/// order from one decompression: two passes in all (the index, then the entries), where
/// reading each one by decompressing the archive up to it made 1 + one per entry (450
/// entries: 19 s; a 1.2 MB tarball of big compressible entries: 203 s). Counted, not timed.
#[test]
fn tarball_audit_reads_big_entries_in_one_pass() {
    const ENTRIES: usize = 40;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    {
        let mut b = tar::Builder::new(&mut enc);
        let manifest = br#"{"name":"big","version":"1.0.0","license":"UNLICENSED"}"#;
        raw_entry(
            &mut b,
            "package/package.json",
            tar::EntryType::Regular,
            manifest,
            None,
        );
        for i in 0..ENTRIES {
            let mut data = format!("// chunk {i}\n").repeat(6_000).into_bytes();
            if i == ENTRIES - 1 {
                data.extend_from_slice(
                    b"export GITHUB_TOKEN=ghp_Zq8vN3kLmP2xR7tY4wB9cD1fG6hJ0sA5eU2i\n",
                );
            }
            let name = format!("package/dist/chunk-{i:02}.js");
            raw_entry(&mut b, &name, tar::EntryType::Regular, &data, None);
        }
        b.finish().unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.tgz");
    std::fs::write(&path, enc.finish().unwrap()).unwrap();
    // Keep only the manifest in memory: every chunk is read again from the archive.
    let opts = TarballOptions {
        max_memory_file: 1024,
        ..TarballOptions::default()
    };
    let t = Tarball::open_with(&path, opts).unwrap();
    assert_eq!(t.decompressions(), 1);
    let config = leakgate::config::Config::default();
    let checks = leakgate::checks::Checks::new(&config).unwrap();
    let packlist = leakgate::checks::tarball::packlist(&t).unwrap();
    assert_eq!(packlist.files.len(), ENTRIES + 1);
    let findings = leakgate::checks::audit_package(&t, &packlist, &config, &checks).unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f.rule == "secret/github-token"
                && f.file.as_deref() == Some("dist/chunk-39.js")),
        "the last entry was read: {findings:#?}"
    );
    assert_eq!(t.decompressions(), 2, "one pass for all {ENTRIES} entries");
    // Out of order still works (a new pass), and the first pass serves the rest.
    let last = t.read("package/dist/chunk-39.js").unwrap();
    let first = t.read("package/dist/chunk-00.js").unwrap();
    assert!(last.ends_with(b"eU2i\n") && first.starts_with(b"// chunk 0\n"));
    // Entries are found again by their offsets: another file there is an error, not
    // somebody else's bytes.
    let mut other = std::fs::read(&path).unwrap();
    other.extend_from_slice(&[0; 10]);
    std::fs::write(&path, other).unwrap();
    let err = t.read("package/dist/chunk-01.js").unwrap_err().to_string();
    assert!(err.contains("changed while being read"), "{err}");
}

/// `contents` gives the same bytes as `read` whichever way it gets them: a big working-tree
/// file is mapped, a small one read; an overlay's replacement wins over a big file on disk,
/// and a file it does not replace comes from the base (mapped too).
#[test]
fn contents_maps_big_files_and_respects_overlays() {
    use leakgate::snapshot::{Contents, Memo};
    let dir = tempfile::tempdir().unwrap();
    let big: Vec<u8> = (0..3 << 20).map(|i| b'a' + (i % 26) as u8).collect();
    std::fs::write(dir.path().join("big.js"), &big).unwrap();
    std::fs::write(dir.path().join("big.map"), &big[1..]).unwrap();
    std::fs::write(dir.path().join("small.js"), b"small").unwrap();
    let disk = Worktree::new(dir.path());

    let mapped = disk.contents("big.js", big.len() as u64).unwrap();
    assert!(matches!(mapped, Contents::Mapped(_)));
    assert_eq!(&mapped[..], &big[..]);
    let small = disk.contents("small.js", 5).unwrap();
    assert!(matches!(small, Contents::Read(_)));
    assert_eq!(&small[..], b"small");
    // The size is only a hint: a wrong one still gives the whole file.
    assert_eq!(&disk.contents("small.js", 1 << 30).unwrap()[..], b"small");
    assert_eq!(disk.contents("big.js", 0).unwrap().len(), big.len());
    assert!(disk.contents("missing.js", 1).is_err());

    let overlay = Overlay::new(&disk)
        .with_file("big.js", b"staged".to_vec(), 0o644)
        .without("small.js");
    assert_eq!(&overlay.contents("big.js", 6).unwrap()[..], b"staged");
    assert!(overlay.contents("small.js", 5).is_err());
    let base = overlay.contents("big.map", big.len() as u64 - 1).unwrap();
    assert!(matches!(base, Contents::Mapped(_)));
    assert_eq!(&base[..], &big[1..]);

    let memo = Memo::new(&disk);
    assert_eq!(memo.read("small.js").unwrap(), b"small");
    assert_eq!(&memo.contents("small.js", 5).unwrap()[..], b"small");
    assert_eq!(&memo.contents("big.js", 0).unwrap()[..], &big[..]);
}

/// A names-and-kinds listing agrees with the full one on every name and kind (files,
/// directories, symlinks, FIFOs) and leaves sizes out; a `Memo` answers it from a full
/// listing it already has.
#[test]
fn read_dir_kinds_agrees_with_read_dir() {
    use leakgate::snapshot::Memo;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("a.js"), b"12345").unwrap();
    std::fs::create_dir(root.join("lib")).unwrap();
    std::os::unix::fs::symlink("a.js", root.join("link.js")).unwrap();
    std::os::unix::fs::symlink("lib", root.join("link-dir")).unwrap();
    let fifo = std::process::Command::new("mkfifo")
        .arg(root.join("pipe"))
        .status()
        .unwrap();
    assert!(fifo.success());
    let disk = Worktree::new(root);
    let sorted = |mut v: Vec<leakgate::snapshot::Entry>| {
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    };
    let full = sorted(disk.read_dir("").unwrap());
    let kinds = sorted(disk.read_dir_kinds("").unwrap());
    let shape = |v: &[leakgate::snapshot::Entry]| -> Vec<(String, EntryKind)> {
        v.iter().map(|e| (e.name.clone(), e.kind)).collect()
    };
    assert_eq!(shape(&kinds), shape(&full));
    assert_eq!(
        shape(&kinds),
        [
            ("a.js".to_string(), EntryKind::File),
            ("lib".to_string(), EntryKind::Dir),
            ("link-dir".to_string(), EntryKind::Symlink),
            ("link.js".to_string(), EntryKind::Symlink),
            ("pipe".to_string(), EntryKind::Other),
        ]
    );
    assert!(kinds.iter().all(|e| e.size == 0 && e.mode == 0));
    assert_eq!(full[0].size, 5);
    assert!(disk.read_dir_kinds("missing").is_err());

    let memo = Memo::new(&disk);
    assert_eq!(memo.read_dir_kinds("").unwrap().len(), 5);
    memo.read_dir("").unwrap();
    let a = memo
        .read_dir_kinds("")
        .unwrap()
        .into_iter()
        .find(|e| e.name == "a.js")
        .unwrap();
    assert_eq!(a.size, 5, "a full listing it holds is the better answer");
    // lstat is never answered from a kinds-only listing (it would say size 0).
    let memo = Memo::new(&disk);
    memo.read_dir_kinds("").unwrap();
    assert_eq!(memo.lstat("a.js").unwrap().unwrap().size, 5);
}

/// The same file written twice under one extracted name (`package/./dist/x.js` and
/// `package/dist/x.js`, as some publishing tools write it) is no warning: both extract to
/// the same bytes. Different bytes under one name stay a warning (the later entry replaces
/// what a reviewer saw first).
#[test]
fn tarball_duplicates_with_the_same_bytes_are_no_warning() {
    use tar::EntryType as T;
    let build = |second: &[u8]| {
        let mut b = tar::Builder::new(Vec::new());
        raw_entry(&mut b, "package/package.json", T::Regular, b"{}", None);
        raw_entry(
            &mut b,
            "package/./dist/x.js",
            T::Regular,
            b"let x = 1;\n",
            None,
        );
        raw_entry(&mut b, "package/dist/x.js", T::Regular, second, None);
        gzip(&b.into_inner().unwrap())
    };
    let dir = tempfile::tempdir().unwrap();
    let same = dir.path().join("same.tgz");
    std::fs::write(&same, build(b"let x = 1;\n")).unwrap();
    let t = Tarball::open(&same).unwrap();
    assert!(t.warnings().is_empty(), "{:?}", t.warnings());
    assert_eq!(t.read("package/dist/x.js").unwrap(), b"let x = 1;\n");

    let other = dir.path().join("other.tgz");
    std::fs::write(&other, build(b"let x = 2;\n")).unwrap();
    let t = Tarball::open(&other).unwrap();
    assert!(
        t.warnings()
            .iter()
            .any(|w| w.contains("duplicate entry `package/dist/x.js`")),
        "{:?}",
        t.warnings()
    );
    assert_eq!(t.read("package/dist/x.js").unwrap(), b"let x = 2;\n");
}
