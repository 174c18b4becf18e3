//! leakgate's packlist per publisher against the real tools (tests named `publisher_*` need
//! pnpm 12.26, yarn 4.18 and bun 1.4, installed by `scripts/publishers.sh` on first use):
//! every packlist fixture and a seeded batch of random packages are packed by each tool and
//! by `leakgate::packlist::pack` with that publisher, and the lists must be equal; where a
//! tool refuses, leakgate must refuse too. `LEAKGATE_PACKLIST_SEED` replays a random run.
//! yarn, a node process per call, packs the fixtures that can't tell the difference as the
//! workspaces of one project (`yarn_batchable`); the others one by one.

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
const KNOWN_GAPS: &[(&str, &str)] = &[];

/// The named traps of `tests/fixtures/publishers.txt`.
fn traps() -> Vec<Fixture> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/publishers.txt");
    fixture::parse(&std::fs::read_to_string(path).expect("read publisher traps"))
}

fn run_fixtures(publisher: Publisher) {
    let Some(tools) = common::publisher_tools() else {
        return;
    };
    let mut all = fixture::all();
    all.extend(traps());
    // yarn starts a node process per call: the fixtures whose answer can't depend on being
    // a project of their own are packed in one yarn project, by one process.
    let mut batched: Vec<(String, Option<String>)> = Vec::new();
    if publisher == Publisher::Yarn {
        let (batch, single): (Vec<Fixture>, Vec<Fixture>) =
            all.into_iter().partition(yarn_batchable);
        // Workspace names are unique in a project (the batch's root is `root`).
        let mut seen = std::collections::HashSet::from(["\"root\"".to_string()]);
        let (batch, rest): (Vec<Fixture>, Vec<Fixture>) = batch
            .into_iter()
            .partition(|fx| seen.insert(manifest_of(fx)["name"].to_string()));
        eprintln!(
            "yarn: {} fixtures packed in one project, {} alone",
            batch.len(),
            single.len() + rest.len()
        );
        batched = yarn_fixture_batch(tools, &batch);
        all = single;
        all.extend(rest);
    }
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
    let mut results = results;
    results.extend(batched);
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

/// The fixture's root package.json, parsed (`Null` when it has none or it doesn't parse).
fn manifest_of(fx: &Fixture) -> serde_json::Value {
    fx.items
        .iter()
        .find_map(|i| match i {
            fixture::Item::File(p, c) if p == "package.json" => serde_json::from_slice(c).ok(),
            _ => None,
        })
        .unwrap_or(serde_json::Value::Null)
}

/// Whether yarn packs `fx` the same as a workspace of a bigger project as it does as a
/// project of its own: packed at its root, no yarn files (lockfile, `.yarnrc.yml`,
/// `.yarn`, `.pnp.*`), no `node_modules`, symlinks or special files, and a manifest that
/// `yarn install` takes without the registry (a valid public name, a version, no
/// dependencies, no workspaces, not private) and that leakgate packs (a refusal would stop
/// the whole batch: those run alone).
fn yarn_batchable(fx: &Fixture) -> bool {
    if !fx.cwd.is_empty() {
        return false;
    }
    let yarn_file = |p: &str| {
        p.split('/').any(|seg| {
            let l = seg.to_ascii_lowercase();
            l == "yarn.lock"
                || l == ".yarnrc.yml"
                || l == ".yarn"
                || l.starts_with(".pnp")
                || l == "node_modules"
        })
    };
    for item in &fx.items {
        match item {
            fixture::Item::File(p, _) | fixture::Item::Dir(p) if !yarn_file(p) => {}
            _ => return false,
        }
    }
    let m = manifest_of(fx);
    let Some(obj) = m.as_object() else {
        return false;
    };
    let name_ok = obj["name"].as_str().is_some_and(|n| {
        !n.is_empty()
            && n.len() < 100
            && n.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-._".contains(&b))
            && !n.starts_with(['.', '_'])
    });
    let plain = [
        "dependencies",
        "devDependencies",
        "optionalDependencies",
        "peerDependencies",
        "bundleDependencies",
        "bundledDependencies",
        "workspaces",
        "packageManager",
        "private",
        "resolutions",
        "dependenciesMeta",
        "peerDependenciesMeta",
    ]
    .iter()
    .all(|k| !obj.contains_key(*k));
    if !(name_ok && plain && obj.get("version").is_some_and(|v| v.is_string())) {
        return false;
    }
    let dir = tempfile::tempdir().unwrap();
    fx.materialize(dir.path());
    ours(&Worktree::new(dir.path()), "", Publisher::Yarn, true).is_ok()
}

/// The `yarn_batchable` fixtures as workspaces `packages/fNNNN` of one yarn project,
/// packed by one `yarn workspaces foreach pack`, each compared with leakgate.
fn yarn_fixture_batch(
    tools: &common::PublisherTools,
    batch: &[Fixture],
) -> Vec<(String, Option<String>)> {
    if batch.is_empty() {
        return Vec::new();
    }
    let dir = tempfile::Builder::new()
        .prefix("leakgate-pub-yarn-")
        .tempdir()
        .unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{"name":"root","private":true,"workspaces":["packages/*"]}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("yarn.lock"), "").unwrap();
    for (i, fx) in batch.iter().enumerate() {
        fx.materialize(&dir.path().join(format!("packages/f{i:04}")));
    }
    let answers = yarn_batch(&tools.yarn, dir.path());
    batch
        .iter()
        .enumerate()
        .map(|(i, fx)| {
            let folder = format!("f{i:04}");
            let answer = match answers.iter().find(|(n, _)| *n == folder) {
                Some((_, files)) => Answer::Files(files.clone()),
                None => Answer::Refused("yarn did not pack it".into()),
            };
            let verdict = compare(
                dir.path(),
                &format!("packages/{folder}"),
                Publisher::Yarn,
                &answer,
            );
            (fx.name.clone(), verdict)
        })
        .collect()
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

// ---------------------------------------------------------------------------------------
// The seeded random packages (the npm differential's generator) against each tool.

/// The seed CI runs; `LEAKGATE_PACKLIST_SEED=<n>|random` explores.
const DEFAULT_SEED: u64 = 20_261_207;

fn seed_and_cases() -> (u64, usize) {
    let seed: u64 = match std::env::var("LEAKGATE_PACKLIST_SEED").as_deref() {
        Ok("random") => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
        Ok(s) => s
            .trim()
            .parse()
            .expect("LEAKGATE_PACKLIST_SEED: a number or `random`"),
        Err(_) => DEFAULT_SEED,
    };
    let cases = std::env::var("LEAKGATE_PUBLISHER_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(240);
    (seed, cases)
}

/// `yarn workspaces foreach pack` over a project whose workspaces are `packages/*`: one
/// node process answers the whole batch. Returns (package folder name, files).
fn yarn_batch(yarn: &Path, root: &Path) -> Vec<(String, Vec<String>)> {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut cmd = std::process::Command::new("node");
        cmd.arg(yarn).args(args).current_dir(root);
        for (k, v) in [
            ("HOME", home.path().to_str().unwrap()),
            ("YARN_IGNORE_PATH", "1"),
            ("YARN_ENABLE_TELEMETRY", "0"),
            ("YARN_ENABLE_GLOBAL_CACHE", "0"),
            ("NO_COLOR", "1"),
        ] {
            cmd.env(k, v);
        }
        cmd.env_remove("CI");
        let out = cmd.output().expect("run yarn");
        assert!(
            out.status.success(),
            "yarn {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&["install"]);
    let text = run(&[
        "workspaces",
        "foreach",
        "-A",
        "--no-private",
        "pack",
        "--dry-run",
        "--json",
    ]);
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if let Some(base) = v["base"].as_str() {
            let name = base.rsplit('/').next().unwrap_or_default().to_string();
            out.push((name, Vec::new()));
        } else if let (Some(p), Some(last)) = (v["location"].as_str(), out.last_mut()) {
            last.1.push(p.to_string());
        }
    }
    for (_, files) in &mut out {
        files.sort();
    }
    out
}

fn run_random(publisher: Publisher) {
    let Some(tools) = common::publisher_tools() else {
        return;
    };
    let (seed, cases) = seed_and_cases();
    // yarn packs each workspace in a node process of its own: half the batch keeps the
    // run near a minute.
    let cases = if publisher == Publisher::Yarn {
        cases.div_ceil(2)
    } else {
        cases
    };
    eprintln!("random {publisher} differential: LEAKGATE_PACKLIST_SEED={seed} ({cases} cases)");
    let mut rng = random::Rng::new(seed);
    let members: Vec<Fixture> = (0..cases)
        .map(|i| random::random_package(&mut rng, &format!("c{i:04}")))
        .collect();
    let dir = tempfile::Builder::new()
        .prefix("leakgate-pub-rand-")
        .tempdir()
        .unwrap();
    let mut failures = Vec::new();
    let mut check = |fx: &Fixture, rel: &str, answer: &Answer| {
        if let Some(why) = compare(dir.path(), rel, publisher, answer) {
            failures.push(format!("{}\n{why}", random::describe(fx)));
        }
    };
    if publisher == Publisher::Yarn {
        std::fs::write(
            dir.path().join("package.json"),
            r#"{"name":"root","private":true,"workspaces":["packages/*"]}"#,
        )
        .unwrap();
        std::fs::write(dir.path().join("yarn.lock"), "").unwrap();
        for fx in &members {
            let at = dir.path().join("packages").join(&fx.name);
            fx.materialize(&at);
            // A member's own yarn.lock makes it a project of its own, and yarn refuses one
            // it can't parse (the generator writes the path as content): keep it empty.
            if at.join("yarn.lock").is_file() {
                std::fs::write(at.join("yarn.lock"), "").unwrap();
            }
        }
        let answers = yarn_batch(&tools.yarn, dir.path());
        for fx in &members {
            let answer = match answers.iter().find(|(n, _)| *n == fx.name) {
                Some((_, files)) => Answer::Files(files.clone()),
                None => Answer::Refused("yarn did not pack it".into()),
            };
            check(fx, &format!("packages/{}", fx.name), &answer);
        }
    } else {
        for fx in &members {
            fx.materialize(&dir.path().join(&fx.name));
        }
        let per = cases.div_ceil(2).max(1);
        let halves: Vec<&[Fixture]> = members.chunks(per).collect();
        let root = dir.path();
        let answers: Vec<(usize, Answer)> = std::thread::scope(|s| {
            let handles: Vec<_> = halves
                .iter()
                .enumerate()
                .map(|(h, half)| {
                    let half: &[Fixture] = half;
                    s.spawn(move || {
                        half.iter()
                            .enumerate()
                            .map(|(i, fx)| {
                                (h * per + i, ask(tools, publisher, &root.join(&fx.name)))
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("tool thread"))
                .collect()
        });
        for (i, answer) in answers {
            check(&members[i], &members[i].name, &answer);
        }
    }
    assert!(
        failures.is_empty(),
        "LEAKGATE_PACKLIST_SEED={seed}: {} of {cases} random packages differ from the real \
         {publisher} (each printed as a fixture for tests/fixtures/packlist.txt):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn publisher_pnpm_random_packages_match_real_pnpm() {
    run_random(Publisher::Pnpm);
}

#[test]
fn publisher_yarn_random_packages_match_real_yarn() {
    run_random(Publisher::Yarn);
}

#[test]
fn publisher_bun_random_packages_match_real_bun() {
    run_random(Publisher::Bun);
}

// ---------------------------------------------------------------------------------------
// Detection, `[publish] tool`, and the commands that judge with the publisher (no tools
// needed: these check leakgate's own choices).

fn doctor_publisher_line(repo: &common::TempRepo) -> String {
    let out = repo.leakgate().arg("doctor").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .find(|l| l.contains("publisher"))
        .unwrap_or_else(|| panic!("doctor shows no publisher:\n{text}"))
        .to_string()
}

#[test]
fn detection_follows_config_then_package_manager_then_lockfiles() {
    let repo = common::TempRepo::new();
    repo.write("package.json", r#"{"name":"p","version":"1.0.0"}"#);
    assert!(doctor_publisher_line(&repo).contains("npm 11.19"));
    // yarn.lock alone is yarn classic, which packs like npm.
    repo.write("yarn.lock", "");
    assert!(doctor_publisher_line(&repo).contains("npm 11.19"));
    repo.write(".yarnrc.yml", "nodeLinker: node-modules\n");
    let line = doctor_publisher_line(&repo);
    assert!(
        line.contains("yarn 4.18") && line.contains(".yarnrc.yml"),
        "{line}"
    );
    repo.write("pnpm-lock.yaml", "lockfileVersion: '9.0'\n");
    assert!(doctor_publisher_line(&repo).contains("pnpm 12.26"));
    // packageManager beats lockfiles; its hash is not shown.
    repo.write(
        "package.json",
        r#"{"name":"p","version":"1.0.0","packageManager":"bun@1.4.5+sha512.abcdef"}"#,
    );
    let line = doctor_publisher_line(&repo);
    assert!(
        line.contains("bun 1.4") && line.contains("\"bun@1.4.5\""),
        "{line}"
    );
    repo.write(
        "package.json",
        r#"{"name":"p","version":"1.0.0","packageManager":"yarn@1.22.22"}"#,
    );
    assert!(doctor_publisher_line(&repo).contains("npm 11.19"));
    // The config beats everything.
    repo.write("leakgate.toml", "[publish]\ntool = \"pnpm\"\n");
    let line = doctor_publisher_line(&repo);
    assert!(
        line.contains("pnpm 12.26") && line.contains("leakgate.toml"),
        "{line}"
    );
}

#[test]
fn a_bad_publish_tool_is_a_config_error_at_its_position() {
    let repo = common::TempRepo::new();
    repo.write("package.json", r#"{"name":"p","version":"1.0.0"}"#);
    repo.write("leakgate.toml", "[publish]\ntool = \"pnmp\"\n");
    let out = repo.leakgate().arg("audit").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("leakgate.toml:2:8"), "{err}");
    assert!(err.contains("pnmp") && err.contains("\"pnpm\""), "{err}");
    repo.write("leakgate.toml", "[publish]\ntools = \"pnpm\"\n");
    let out = repo.leakgate().arg("audit").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("tool"));
}

/// yarn matches a `files` entry without `/` at any depth: under yarn,
/// `fixtures/settings.json` ships and the denied file blocks; under npm it stays home and the
/// audit passes.
#[test]
fn audit_judges_what_the_configured_publisher_ships() {
    let repo = common::TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"p","version":"1.0.0","files":["index.js","settings.json"]}"#,
    );
    repo.write("index.js", "module.exports = 1;\n");
    repo.write("fixtures/settings.json", "{}\n");
    for (tool, code) in [("yarn", 1), ("npm", 0)] {
        repo.write(
            "leakgate.toml",
            format!("[publish]\ntool = \"{tool}\"\n\n[files]\ndeny = [\"settings.json\"]\n"),
        );
        let out = repo
            .leakgate()
            .args(["audit", "--format", "json"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        assert_eq!(out.status.code(), Some(code), "{tool}: {v}");
        let notes = v["notes"].to_string();
        assert!(notes.contains(&format!("publisher: {tool}")), "{notes}");
        let denied = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "file/denied" && f["file"] == "fixtures/settings.json");
        assert_eq!(denied, tool == "yarn", "{tool}: {v}");
    }
}

/// `files --publisher` on one tree: each tool's own traps, no real tool needed.
#[test]
fn files_publisher_flag_lists_each_tools_answer() {
    let repo = common::TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"p","version":"1.0.0","files":["index.js","template-*"]}"#,
    );
    repo.write("index.js", "");
    repo.write("template-vue/main.js", "");
    repo.write("CHANGELOG.md", "");
    let run = |tool: &str| {
        let out = repo
            .leakgate()
            .args(["files", "--publisher", tool])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{tool}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(run("npm"), "index.js\npackage.json\n");
    assert_eq!(run("pnpm"), "index.js\npackage.json\n");
    assert_eq!(
        run("yarn"),
        "CHANGELOG.md\nindex.js\npackage.json\ntemplate-vue/main.js\n"
    );
    assert_eq!(run("bun"), "index.js\npackage.json\ntemplate-vue/main.js\n");
    let out = repo
        .leakgate()
        .args(["files", "--publisher", "deno"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // bun refuses `files: []`; so does leakgate for bun, with the file named.
    repo.write(
        "package.json",
        r#"{"name":"p","version":"1.0.0","files":[]}"#,
    );
    let out = repo
        .leakgate()
        .args(["files", "--publisher", "bun"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("package.json:1:1") && err.contains("files"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------
// `pack/publisher-differs` in audit and pre-push.

/// A pnpm monorepo whose member has an `.npmignore` of its own: npm still applies the
/// root `.gitignore` to it, pnpm doesn't (it reads the root's rules only for a member with
/// neither `.npmignore` nor `files`).
fn pnpm_monorepo(repo: &common::TempRepo, root_gitignore: &str) {
    repo.write(
        "package.json",
        r#"{"name":"root","version":"1.0.0","private":true,"workspaces":["packages/*"]}"#,
    );
    repo.write("pnpm-workspace.yaml", "packages:\n  - packages/*\n");
    repo.write("pnpm-lock.yaml", "lockfileVersion: '9.0'\n");
    repo.write(".gitignore", root_gitignore);
    repo.write(
        "packages/a/package.json",
        r#"{"name":"@acme/a","version":"1.0.0","main":"index.js"}"#,
    );
    repo.write("packages/a/.npmignore", "test/\n");
    repo.write("packages/a/index.js", "module.exports = 1;\n");
}

fn differs_findings(v: &serde_json::Value) -> Vec<serde_json::Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "pack/publisher-differs")
        .cloned()
        .collect()
}

fn audit_json(repo: &common::TempRepo) -> (Option<i32>, serde_json::Value) {
    let out = repo
        .leakgate()
        .args(["audit", "--format", "json"])
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), v)
}

/// Hit: the member ships `debug.log` under pnpm only (a note); with `.env` the differing
/// file is denied and the finding is a warning. The real pnpm and npm agree that exactly
/// these files differ. Near miss: nothing in the root `.gitignore` touches the member, no
/// finding.
#[test]
fn publisher_differs_is_one_finding_per_package_in_audit() {
    let repo = common::TempRepo::new();
    pnpm_monorepo(&repo, "node_modules\n*.log\n");
    repo.write("packages/a/debug.log", "started\n");
    repo.commit_all("init");
    let (code, v) = audit_json(&repo);
    assert_eq!(code, Some(0), "{v}");
    let found = differs_findings(&v);
    assert_eq!(found.len(), 1, "{v}");
    assert_eq!(found[0]["severity"], "note", "{v}");
    assert_eq!(found[0]["package"], "@acme/a", "{v}");
    let message = found[0]["message"].as_str().unwrap();
    assert_eq!(
        message,
        "1 file would ship under pnpm but not under npm: debug.log"
    );

    // A denied file among the differences makes it a warning (the audit's own finding on
    // it stands beside it).
    repo.write(".gitignore", "node_modules\n*.log\n.env\n");
    repo.write("packages/a/.env", "TOKEN=placeholder\n");
    repo.commit_all("env");
    let (_, v) = audit_json(&repo);
    let found = differs_findings(&v);
    assert_eq!(found.len(), 1, "one finding per package, not per file: {v}");
    assert_eq!(found[0]["severity"], "warning", "{v}");
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("2 files would ship under pnpm but not under npm: .env, debug.log")
            && message.contains(".env: file/denied"),
        "{message}"
    );
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "file/denied" && f["file"] == ".env"),
        "{v}"
    );

    // The real tools say the same (where they are installed).
    if let Some(tools) = common::publisher_tools() {
        common::require_npm();
        let member = repo.join("packages/a");
        let pnpm = match real::pnpm(&tools.pnpm, &member) {
            Answer::Files(f) => f,
            other => panic!("pnpm: {other:?}"),
        };
        let out = std::process::Command::new("npm")
            .args(["pack", "--dry-run", "--json", "--ignore-scripts"])
            .current_dir(&member)
            .output()
            .unwrap();
        let npm: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let npm: Vec<String> = npm[0]["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_string())
            .collect();
        let only_pnpm: Vec<&String> = pnpm.iter().filter(|p| !npm.contains(p)).collect();
        let only_npm: Vec<&String> = npm.iter().filter(|p| !pnpm.contains(p)).collect();
        assert_eq!(
            only_pnpm,
            [".env", "debug.log"],
            "pnpm {pnpm:?} npm {npm:?}"
        );
        assert!(only_npm.is_empty(), "pnpm {pnpm:?} npm {npm:?}");
    }

    // Near miss: the same repository whose root rules don't touch the member.
    let repo = common::TempRepo::new();
    pnpm_monorepo(&repo, "node_modules\n");
    repo.write("packages/a/README.md", "# a\n");
    repo.commit_all("init");
    let (code, v) = audit_json(&repo);
    assert_eq!(code, Some(0), "{v}");
    assert!(differs_findings(&v).is_empty(), "{v}");
    assert!(v["notes"].to_string().contains("publisher: pnpm"), "{v}");
}

/// pre-push judges the pushed packages the same way; `[publish] tool = "npm"` in a pnpm
/// repository compares with pnpm (the tool the lockfile names) instead.
#[test]
fn publisher_differs_in_pre_push_and_against_the_detected_tool() {
    let repo = common::TempRepo::new();
    pnpm_monorepo(&repo, "node_modules\n*.log\n");
    repo.write("packages/a/debug.log", "started\n");
    repo.commit_all("init");
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let line = format!(
        "refs/heads/main {head} refs/heads/main {}\n",
        "0".repeat(40)
    );
    let out = repo
        .leakgate()
        .args(["-v", "pre-push", "origin", "x"])
        .write_stdin(line)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("pack/publisher-differs")
            && text.contains("1 file would ship under pnpm but not under npm: debug.log"),
        "{text}"
    );

    repo.write("leakgate.toml", "[publish]\ntool = \"npm\"\n");
    let (_, v) = audit_json(&repo);
    let found = differs_findings(&v);
    assert_eq!(found.len(), 1, "{v}");
    assert_eq!(
        found[0]["message"], "1 file would ship under pnpm but not under npm: debug.log",
        "{v}"
    );
}

/// `publishConfig.directory` (no real tool needed; the differential fixtures
/// `pub-publish-directory-*` check the same against pnpm): pnpm packs the sub-folder by its
/// own package.json, npm packs the package; a directory outside the package is refused at
/// its position, under pnpm only.
#[test]
fn files_publisher_pnpm_packs_the_publish_directory() {
    let repo = common::TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"p","version":"1.0.0","publishConfig":{"directory":"dist"}}"#,
    );
    repo.write("src/index.ts", "");
    repo.write(
        "dist/package.json",
        r#"{"name":"p","version":"1.0.0","files":["index.js"],"publishConfig":{"bin":"cli.js"}}"#,
    );
    repo.write("dist/index.js", "");
    repo.write("dist/cli.js", "");
    repo.write("dist/other.js", "");
    let run = |tool: &str| {
        let out = repo
            .leakgate()
            .args(["files", "--publisher", tool])
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_eq!(
        run("pnpm"),
        (
            Some(0),
            "cli.js\nindex.js\npackage.json\n".into(),
            String::new()
        )
    );
    let (code, npm, _) = run("npm");
    assert_eq!(code, Some(0));
    assert!(
        npm.contains("src/index.ts\n") && npm.contains("dist/other.js\n"),
        "{npm}"
    );
    repo.write(
        "package.json",
        "{\"name\":\"p\",\"version\":\"1.0.0\",\n \"publishConfig\": {\"directory\": \"../out\"}}",
    );
    let (code, _, err) = run("pnpm");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("package.json:2:20") && err.contains("\"../out\""),
        "{err}"
    );
    assert_eq!(run("npm").0, Some(0));
}
