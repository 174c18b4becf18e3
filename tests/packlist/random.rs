//! The seeded randomized differential test: random package trees (dotfiles, case
//! variants, depths, symlinks), random `files`, `main`/`bin` and ignore files, all made
//! members of one workspace root so one `npm pack --workspaces` call answers a batch.
//! Members packed that way get the ancestor-ignore semantics of docs/npm-pack-rules.md §9.2, so the root and
//! `packages/` never hold ignore files and leakgate packs each member with the same
//! workspace context. `LEAKGATE_PACKLIST_SEED=<n>` replays a run, `LEAKGATE_PACKLIST_CASES`
//! sets its size (default 320).
#![allow(dead_code)]

use super::fixture::{npm_pack, Fixture, Item};
use leakgate::packlist::{pack, PackOptions};
use leakgate::snapshot::Worktree;
use std::collections::BTreeSet;

/// splitmix64: small, seedable, good enough for test generation.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const DIRS: &[&str] = &[
    "lib",
    "Lib",
    "dist",
    "src",
    "docs",
    "test",
    "build",
    "a",
    "B",
    "deep",
    ".hidden",
    "node_modules",
    "CVS",
    ".git",
    "archived-packages",
    "@scope",
    "dist-esm",
    ".DS_Store",
    "sub dir",
    "ä",
];

const FILES: &[&str] = &[
    "index.js",
    "c.js",
    "C.JS",
    "x.map",
    "x.js.map",
    "README.md",
    "readme",
    "LICENSE",
    "license.txt",
    ".env",
    ".DS_Store",
    "a.orig",
    "core",
    "config.gypi",
    "package-lock.json",
    "yarn.lock",
    ".npmrc",
    "._x",
    "keep.md",
    "notes.md",
    "ä.js",
    "sp ace.txt",
    "[id].js",
    "x.min.js",
    "npm-debug.log",
    "types.d.ts",
    "bun.lock",
    "a",
    "B.md",
    ".eslintrc",
    "README.md~",
    "CHANGELOG.md",
    "i.js",
    "d.js",
];

const IGNORE_LINES: &[&str] = &[
    "*.map",
    "dist",
    "dist/",
    "/dist",
    "!dist/index.js",
    "lib",
    "!lib",
    "*.js",
    "!*.js",
    "**/*.md",
    "test/",
    "docs",
    "!docs/keep.md",
    "*",
    "!README.md",
    ".env",
    "*.orig",
    "!*.orig",
    "node_modules",
    "build/",
    "src/**",
    "!src/c.js",
    "a",
    "/a",
    "B",
    "c.JS",
    "**/x.map",
    "deep/**/c.js",
    "# comment",
    "",
    "!.npmignore",
    ".*",
    "!.hidden",
    "lib/*.js",
    "[ab]",
    "*.min.js",
    "!*.min.js",
    "?.js",
    "{a,B}",
    "!lib/index.js",
    "core",
    "!core",
    "LIB/",
    "/lib/",
    "**/test",
    "!**/keep.md",
    "*.d.ts",
    "!*.d.ts",
    " spaced.js ",
    "!.DS_Store",
    "!.gitignore",
    "!node_modules",
    "deep",
    "sub dir",
];

const FILES_ENTRIES: &[&str] = &[
    "*.js",
    "dist-*",
    "**/*.map",
    "lib/**",
    "!lib/index.js",
    "docs",
    "*",
    "README.md",
    ".npmrc",
    "lib/*",
    "./lib",
    "/dist",
    "dist/",
    "!*.map",
    "!dist",
    "src/{a,B}",
    "li?",
    "*/index.js",
    "[id].js",
    "LIB",
    "!README.md",
    "deep/**/*.js",
    ".env",
    "!.env",
    "node_modules",
    "package-lock.json",
    ".DS_Store",
    "build/config.gypi",
    "!./lib",
    "**/*",
    "lib/*/",
    "lib/./index.js",
    "lib/x/..",
    "lib//index.js",
    "keep.md",
];

/// One random member package, as a fixture (so a failure prints a replayable fixture).
pub fn random_package(rng: &mut Rng, name: &str) -> Fixture {
    let mut files: BTreeSet<String> = BTreeSet::new();
    let mut dirs: BTreeSet<String> = BTreeSet::new();
    let mut items: Vec<Item> = Vec::new();
    let n = 3 + rng.below(22);
    for _ in 0..n {
        let depth = 1 + rng.below(4);
        let mut path = String::new();
        let mut ok = true;
        for d in 0..depth {
            let seg = if d + 1 == depth {
                *rng.pick(FILES)
            } else {
                *rng.pick(DIRS)
            };
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(seg);
            if d + 1 < depth && files.contains(&path) {
                ok = false;
                break;
            }
        }
        if !ok || dirs.contains(&path) || files.contains(&path) || path == "package.json" {
            continue;
        }
        let parent_ok = path
            .match_indices('/')
            .all(|(i, _)| !files.contains(&path[..i]));
        if !parent_ok {
            continue;
        }
        for (i, _) in path.match_indices('/') {
            dirs.insert(path[..i].to_string());
        }
        files.insert(path.clone());
        items.push(Item::File(path.clone(), format!("{path}\n").into_bytes()));
    }
    // Ignore files in the member root and in random directories.
    let mut ignore_dirs: Vec<String> = vec![String::new()];
    ignore_dirs.extend(dirs.iter().cloned());
    for dir in &ignore_dirs {
        for fname in [".npmignore", ".gitignore"] {
            if !rng.chance(if dir.is_empty() { 35 } else { 12 }) {
                continue;
            }
            let path = if dir.is_empty() {
                fname.to_string()
            } else {
                format!("{dir}/{fname}")
            };
            if files.contains(&path) || dirs.contains(&path) {
                continue;
            }
            let lines: Vec<&str> = (0..rng.below(5)).map(|_| *rng.pick(IGNORE_LINES)).collect();
            let sep = if rng.chance(20) { "\r\n" } else { "\n" };
            files.insert(path.clone());
            items.push(Item::File(path, lines.join(sep).into_bytes()));
        }
    }
    // Symlinks: to files, directories, nowhere, and loops.
    if rng.chance(25) {
        let all: Vec<String> = files.iter().chain(dirs.iter()).cloned().collect();
        for i in 0..1 + rng.below(2) {
            let at = if dirs.is_empty() || rng.chance(50) {
                format!("link{i}")
            } else {
                format!(
                    "{}/link{i}",
                    rng.pick(&dirs.iter().cloned().collect::<Vec<_>>())
                )
            };
            let target = match rng.below(4) {
                0 => "nowhere".to_string(),
                1 => ".".to_string(),
                _ if !all.is_empty() => {
                    let depth = at.matches('/').count();
                    format!("{}{}", "../".repeat(depth), rng.pick(&all))
                }
                _ => "..".to_string(),
            };
            if files.contains(&at) || dirs.contains(&at) {
                continue;
            }
            files.insert(at.clone());
            items.push(Item::Symlink(at, target));
        }
    }
    // package.json
    let real: Vec<String> = files
        .iter()
        .filter(|f| {
            items
                .iter()
                .any(|i| matches!(i, Item::File(p, _) if p == *f))
        })
        .cloned()
        .collect();
    let mut pj = serde_json::json!({ "name": name, "version": "1.0.0" });
    if rng.chance(45) {
        let mut entries = Vec::new();
        for _ in 0..1 + rng.below(4) {
            let entry = if !real.is_empty() && rng.chance(50) {
                let f = rng.pick(&real).clone();
                let cut: Vec<&str> = f.split('/').collect();
                let keep = 1 + rng.below(cut.len());
                let mut e = cut[..keep].join("/");
                match rng.below(8) {
                    0 => e = format!("./{e}"),
                    1 => e = format!("/{e}"),
                    2 => e.push('/'),
                    3 => e = format!("!{e}"),
                    4 => e.push_str("/*"),
                    _ => {}
                }
                e
            } else {
                rng.pick(FILES_ENTRIES).to_string()
            };
            entries.push(entry);
        }
        pj["files"] = serde_json::json!(entries);
    }
    if !real.is_empty() && rng.chance(25) {
        let m = rng.pick(&real).clone();
        pj["main"] = serde_json::json!(if rng.chance(30) { format!("./{m}") } else { m });
    }
    if !real.is_empty() && rng.chance(15) {
        let b = rng.pick(&real).clone();
        pj["bin"] = if rng.chance(50) {
            serde_json::json!(format!("./{b}"))
        } else {
            serde_json::json!({ "tool": b })
        };
    }
    if !real.is_empty() && rng.chance(8) {
        pj["browser"] = serde_json::json!(rng.pick(&real).clone());
    }
    items.insert(
        0,
        Item::File("package.json".into(), pj.to_string().into_bytes()),
    );
    Fixture {
        name: name.to_string(),
        cwd: String::new(),
        items,
    }
}

/// Prints a fixture in the fixture-file format (paste it into tests/fixtures/packlist.txt).
pub fn describe(fx: &Fixture) -> String {
    let mut s = format!("=== {}\n", fx.name);
    for item in &fx.items {
        match item {
            Item::File(p, c) => {
                let c = String::from_utf8_lossy(c)
                    .replace('\\', "\\\\")
                    .replace('\n', "\\n")
                    .replace('\r', "\\r");
                s.push_str(&format!("{p} = {c}\n"));
            }
            Item::Dir(p) => s.push_str(&format!("{p}/\n")),
            Item::Symlink(p, t) => s.push_str(&format!("{p} -> {t}\n")),
            Item::Fifo(p) => s.push_str(&format!("{p} @fifo\n")),
        }
    }
    s
}

/// The seed CI runs (see `run_differential`).
const DEFAULT_SEED: u64 = 20_261_123;

/// Generates the cases, asks npm once per batch, and compares every member.
pub fn run_differential() {
    // CI runs a fixed seed so a red run always means a change broke something; set
    // `LEAKGATE_PACKLIST_SEED=random` to explore new cases (a failure prints its seed).
    let seed: u64 = match std::env::var("LEAKGATE_PACKLIST_SEED").as_deref() {
        Ok("random") => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
        Ok(s) => s
            .trim()
            .parse()
            .expect("LEAKGATE_PACKLIST_SEED must be a number or `random`"),
        Err(_) => DEFAULT_SEED,
    };
    let cases: usize = std::env::var("LEAKGATE_PACKLIST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(320);
    eprintln!("randomized packlist differential: LEAKGATE_PACKLIST_SEED={seed} ({cases} cases)");
    let mut rng = Rng::new(seed);
    let members: Vec<Fixture> = (0..cases)
        .map(|i| random_package(&mut rng, &format!("c{i:04}")))
        .collect();
    // Two workspace roots, one npm process each, in parallel (two cores).
    let batches: Vec<Vec<Fixture>> = members
        .chunks(cases.div_ceil(2).max(1))
        .map(|c| c.to_vec())
        .collect();
    let handles: Vec<_> = batches
        .into_iter()
        .map(|batch| {
            std::thread::spawn(move || {
                let dir = tempfile::Builder::new()
                    .prefix("leakgate-packlist-rand-")
                    .tempdir()
                    .unwrap();
                std::fs::write(
                    dir.path().join("package.json"),
                    r#"{"name":"root","version":"1.0.0","private":true,"workspaces":["packages/*"]}"#,
                )
                .unwrap();
                for fx in &batch {
                    fx.materialize(&dir.path().join("packages").join(&fx.name));
                }
                let npm = npm_pack(dir.path(), &["--workspaces"]);
                (dir, batch, npm)
            })
        })
        .collect();
    let mut failures = Vec::new();
    for h in handles {
        let (dir, batch, npm) = h.join().expect("npm thread");
        let npm = npm.unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let snap = Worktree::new(dir.path());
        for fx in &batch {
            let Some((_, expected)) = npm.iter().find(|(n, _)| *n == fx.name) else {
                failures.push(format!("{}: npm did not pack it", fx.name));
                continue;
            };
            let ours = pack(
                &snap,
                &format!("packages/{}", fx.name),
                &PackOptions::default(),
            )
            .map(|l| l.files.into_iter().map(|f| f.path).collect::<Vec<_>>());
            let dir_of = format!("packages/{}", fx.name);
            match ours {
                Ok(ours) if ours == *expected => match super::names_only_list(&snap, &dir_of) {
                    Ok(names) if names == ours => {}
                    Ok(names) => failures.push(format!(
                        "{}\nthe names-only walk differs: {}",
                        describe(fx),
                        super::diff(&ours, &names)
                    )),
                    Err(e) => {
                        failures.push(format!("{}\nthe names-only walk failed: {e}", describe(fx)))
                    }
                },
                Ok(ours) => failures.push(format!(
                    "{}\n{}",
                    describe(fx),
                    super::diff(expected, &ours)
                )),
                Err(e) => failures.push(format!("{}\nleakgate failed: {e}", describe(fx))),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "LEAKGATE_PACKLIST_SEED={seed}: {} of {cases} random packages differ from npm \
         (each is printed as a fixture you can paste into tests/fixtures/packlist.txt):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
