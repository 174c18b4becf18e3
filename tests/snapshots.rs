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
