//! The pre-commit hook's git work on a large repository, side by side with its floor.
//!
//! `cargo bench --bench staged_changes` generates (with `benches/gen_big_repo.sh`) a
//! repository of 100,000 committed files (`LEAKGATE_BENCH_FILES` to change it) where 3 small
//! files are staged, one of them a package.json, then reports the median wall time of:
//!
//! - the floor: `git diff --cached --name-only` (a process, as a hook would run it);
//! - `GitRepo::staged_changes` (one `git diff-index --cached -z -M` process, parsed);
//! - the same plus reading the HEAD and staged versions of the changed package.json
//!   through `StagedView` (everything git-related the review needs);
//! - for reference, git2's plain HEAD-tree-to-index diff and a full `IndexSnapshot`
//!   open + one lookup (libgit2 parses the whole index).
//!
//! Without `--bench` (as `cargo test --all-targets` runs it) it does a quick smoke run on
//! a 2,000-file repository so the harness itself stays tested.

use leakgate::snapshot::changes::{GitRepo, StagedView};
use leakgate::snapshot::{IndexSnapshot, Snapshot};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Runs `f` `warmup` + `runs` times and returns the median of the timed runs.
fn time(runs: usize, mut f: impl FnMut()) -> Duration {
    for _ in 0..3 {
        f();
    }
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

fn git_floor(repo: &Path) {
    let out = Command::new("git")
        .args(["diff", "--cached", "--name-only"])
        .current_dir(repo)
        .output()
        .expect("git");
    assert!(out.status.success());
    assert_eq!(out.stdout.iter().filter(|b| **b == b'\n').count(), 3);
}

fn staged(repo: &Path) {
    let git = GitRepo::discover(repo).unwrap();
    let changes = git.staged_changes().unwrap();
    assert_eq!(changes.len(), 3, "{changes:?}");
}

fn staged_and_read(repo: &Path) {
    let git = GitRepo::discover(repo).unwrap();
    let changes = git.staged_changes().unwrap();
    let view = StagedView::new(&git, Some("HEAD"), changes);
    let path = "packages/pkg-042/package.json";
    let head = view.base_file(path).unwrap().unwrap();
    let staged = view.staged_file(path).unwrap().unwrap();
    assert_ne!(head.1, staged.1);
    // An unchanged ignore file: staged = HEAD, one tree lookup.
    assert!(view
        .staged_file("packages/pkg-042/.npmignore")
        .unwrap()
        .is_none());
}

fn git2_tree_to_index(repo: &Path) {
    let r = git2::Repository::open(repo).unwrap();
    let head = r.head().unwrap().peel_to_tree().unwrap();
    let index = r.index().unwrap();
    let diff = r
        .diff_tree_to_index(Some(&head), Some(&index), None)
        .unwrap();
    assert_eq!(diff.deltas().len(), 3);
}

fn index_snapshot_lookup(repo: &Path) {
    let index = IndexSnapshot::open(repo).unwrap();
    assert!(index
        .lstat("packages/pkg-042/package.json")
        .unwrap()
        .is_some());
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let files: usize = if bench {
        std::env::var("LEAKGATE_BENCH_FILES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100_000)
    } else {
        2_000
    };
    let runs = if bench { 30 } else { 3 };
    let tmp = tempfile::Builder::new()
        .prefix("leakgate-bench-")
        .tempdir()
        .expect("tempdir");
    let repo = tmp.path().join("repo");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/gen_big_repo.sh");
    eprintln!("generating {files} files in {} …", repo.display());
    let status = Command::new("bash")
        .arg(&script)
        .arg(&repo)
        .arg(files.to_string())
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run gen_big_repo.sh");
    assert!(status.success(), "gen_big_repo.sh failed");

    let floor = time(runs, || git_floor(&repo));
    let rows = [
        ("git diff --cached --name-only (floor)", floor),
        ("GitRepo::staged_changes", time(runs, || staged(&repo))),
        (
            "staged_changes + HEAD/staged package.json",
            time(runs, || staged_and_read(&repo)),
        ),
        (
            "git2 diff_tree_to_index (reference)",
            time(runs.min(10), || git2_tree_to_index(&repo)),
        ),
        (
            "IndexSnapshot::open + lstat (reference)",
            time(runs.min(10), || index_snapshot_lookup(&repo)),
        ),
    ];
    println!("staged change on a {files}-file repository, 3 files staged (median of {runs}):");
    for (name, t) in rows {
        println!(
            "  {name:<45} {:>8.1} ms  {:>5.2}x floor",
            t.as_secs_f64() * 1e3,
            t.as_secs_f64() / floor.as_secs_f64()
        );
    }
}
