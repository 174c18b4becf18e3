//! leakgate's packlist per publisher against the real tools (tests named `publisher_*` need
//! pnpm 12.26, yarn 4.18 and bun 1.4, installed by `scripts/publishers.sh` on first use):
//! every packlist fixture and a seeded batch of random packages are packed by each tool and
//! by `leakgate::packlist::pack` with that publisher, and the lists must be equal; where a
//! tool refuses, leakgate must refuse too. `LEAKGATE_PACKLIST_SEED` replays a random run.

mod common;
#[path = "packlist/fixture.rs"]
mod fixture;
#[path = "packlist/random.rs"]
mod random;
#[path = "publishers/real.rs"]
mod real;

use fixture::Fixture;
use leakgate::packlist::{pack, PackOptions, PacklistError, Publisher};
use leakgate::snapshot::Worktree;
use real::Answer;
use std::path::Path;

/// Used by the random generator's npm runner (not called here).
fn names_only_list(snap: &Worktree, dir: &str) -> Result<Vec<String>, PacklistError> {
    ours(snap, dir, Publisher::Npm, true)
}

/// Used by the random generator's npm runner (not called here).
fn diff(expected: &[String], actual: &[String]) -> String {
    let missing: Vec<_> = expected.iter().filter(|e| !actual.contains(e)).collect();
    let extra: Vec<_> = actual.iter().filter(|a| !expected.contains(a)).collect();
    format!("the tool ships but leakgate misses: {missing:?}\nleakgate ships but the tool doesn't: {extra:?}")
}

fn ours(
    snap: &Worktree,
    dir: &str,
    publisher: Publisher,
    names_only: bool,
) -> Result<Vec<String>, PacklistError> {
    let options = PackOptions {
        publisher,
        names_only,
        ..PackOptions::default()
    };
    Ok(pack(snap, dir, &options)?
        .files
        .into_iter()
        .map(|f| f.path)
        .collect())
}

/// Compares leakgate with a tool's answer for the package at `dir` of `root`; `None` when
/// they agree.
fn compare(root: &Path, dir: &str, publisher: Publisher, tool: &Answer) -> Option<String> {
    let snap = Worktree::new(root);
    let full = ours(&snap, dir, publisher, false);
    if let Ok(list) = &full {
        match ours(&snap, dir, publisher, true) {
            Ok(names) if names == *list => {}
            other => return Some(format!("the names-only walk differs: {other:?}")),
        }
    }
    match (tool, full) {
        (Answer::Files(t), Ok(o)) if *t == o => None,
        (Answer::Refused(_), Err(_)) => None,
        (Answer::Files(t), Ok(o)) => Some(diff(t, &o)),
        (Answer::Files(t), Err(e)) => Some(format!("leakgate refused ({e}); the tool packs {t:?}")),
        (Answer::Refused(m), Ok(o)) => Some(format!(
            "the tool refused ({}); leakgate packs {o:?}",
            m.lines().last().unwrap_or_default()
        )),
    }
}

/// One tool's answer for a materialized package directory.
fn ask(tools: &common::PublisherTools, publisher: Publisher, dir: &Path) -> Answer {
    match publisher {
        Publisher::Pnpm => real::pnpm(&tools.pnpm, dir),
        Publisher::Yarn => {
            // Outside a yarn project, an empty yarn.lock makes the package one.
            if !dir.join("yarn.lock").exists() {
                std::fs::write(dir.join("yarn.lock"), "").unwrap();
            }
            real::yarn(&tools.yarn, dir)
        }
        Publisher::Bun => real::bun(&tools.bun, dir),
        Publisher::Npm => unreachable!("npm has its own differential test"),
    }
}

/// Fixtures where leakgate's list for a publisher still differs from the real tool's. Each
/// is a known gap (docs/publishers.md, "Not yet reproduced"); the test fails when one of
/// them starts to agree, so the list only shrinks.
const KNOWN_GAPS: &[(&str, &str)] = &[
    // bun 1.4 follows a bundled dependency's symlink and packs it by its own `files`.
    ("bun", "bundled-symlinked"),
];

fn run_fixtures(publisher: Publisher) {
    let Some(tools) = common::publisher_tools() else {
        return;
    };
    let all = fixture::all();
    // Two threads: the tools start slowly (yarn is a node process of its own per call).
    let halves: Vec<Vec<Fixture>> = all
        .chunks(all.len().div_ceil(2))
        .map(|c| c.to_vec())
        .collect();
    let results: Vec<(String, Option<String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = halves
            .iter()
            .map(|half| {
                s.spawn(move || {
                    half.iter()
                        .map(|fx| {
                            let dir = tempfile::Builder::new()
                                .prefix("leakgate-pub-")
                                .tempdir()
                                .unwrap();
                            fx.materialize(dir.path());
                            let answer = ask(tools, publisher, &fx.pack_dir(dir.path()));
                            (
                                fx.name.clone(),
                                compare(dir.path(), &fx.cwd, publisher, &answer),
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("fixture thread"))
            .collect()
    });
    let known: Vec<&str> = KNOWN_GAPS
        .iter()
        .filter(|(p, _)| *p == publisher.name())
        .map(|(_, n)| *n)
        .collect();
    let mut failures = Vec::new();
    for (name, verdict) in &results {
        match (verdict, known.contains(&name.as_str())) {
            (None, false) | (Some(_), true) => {}
            (Some(why), false) => failures.push(format!("{name}:\n{why}")),
            (None, true) => failures.push(format!(
                "{name}: now agrees with {publisher}; remove it from KNOWN_GAPS"
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) differ from the real {publisher}:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn publisher_pnpm_every_fixture_matches_real_pnpm() {
    run_fixtures(Publisher::Pnpm);
}

#[test]
fn publisher_yarn_every_fixture_matches_real_yarn() {
    run_fixtures(Publisher::Yarn);
}

#[test]
fn publisher_bun_every_fixture_matches_real_bun() {
    run_fixtures(Publisher::Bun);
}
