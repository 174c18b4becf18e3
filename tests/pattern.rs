//! Differential test of `leakgate::packlist::pattern` against the real minimatch that npm
//! ships (npm-packlist's matcher), run through `node`.
//!
//! Thousands of (pattern, path, partial) triples come from a seeded grammar that exercises
//! every feature the port claims: negation, braces, anchoring, trailing slashes, globstars,
//! `*`/`?`, classes (ranges, negation, POSIX, unclosed), extglobs (nested, negated, empty),
//! escapes, dotfiles, case differences and non-ASCII text. All are evaluated by ONE node
//! process and every answer (match, `negate`, the short-part test, throwing) is compared.
//!
//! Fixed seeds run every time, plus one fresh seed; a failure prints the seed, and
//! `LEAKGATE_PATTERN_SEED=<n>` replays it.

use leakgate::packlist::pattern::Pattern;
use serde_json::{json, Value};
use std::io::Write;
use std::process::Command;

/// splitmix64: small, deterministic, good enough to drive a grammar.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "lib",
    "dist",
    "a",
    "b",
    "ab",
    "x",
    "Lib",
    "README",
    "readme",
    "md",
    "js",
    "map",
    ".git",
    ".env",
    "node_modules",
    "é",
    "É",
    "ß",
    "SS",
    "ſ",
    "s",
    "k",
    "\u{212a}",
    "😀",
    "a b",
    "#x",
    "1",
    "22",
    "-",
    ".",
    "..",
    "σ",
    "Σ",
    "İ",
    "i",
];

/// One atom of a segment: the glob text and a name it is meant to match (often does).
fn atom(r: &mut Rng) -> (String, String) {
    let w = |r: &mut Rng| r.pick(WORDS).to_string();
    match r.below(30) {
        0..=6 => {
            let s = w(r);
            (s.clone(), s)
        }
        7 => ("*".into(), w(r)),
        8 => ("?".into(), r.pick(&["a", "B", ".", "é", "😀", "-"]).into()),
        9 => (
            "*.js".into(),
            r.pick(&["a.js", "B.JS", ".js", "x.jsx", "😀.js"]).into(),
        ),
        10 => {
            let (p, s) = r.pick2(&[
                ("[abc]", "b"),
                ("[!abc]", "d"),
                ("[^abc]", "A"),
                ("[a-c]", "B"),
                ("[z-a]", "a"),
                ("[[:alpha:]]", "é"),
                ("[[:digit:]x]", "5"),
                ("[[:upper:]]", "q"),
                ("[[:space:]]", " "),
                ("[[:xdigit:]]", "F"),
                ("[[:ascii:]]", "~"),
                ("[ab", "[ab"),
                ("[]]", "]"),
                ("[\\]]", "]"),
                ("[a-]", "-"),
                ("[!]", "!"),
                ("[é-ü]", "Ö"),
                ("[😀]", "😀"),
                ("[.]", "."),
                ("[_]", "_"),
                ("[a-[:alpha:]]", "a"),
            ]);
            (p.into(), s.into())
        }
        11 => {
            let (p, s) = r.pick2(&[
                ("@(a|b)", "b"),
                ("*(a|b)", "abab"),
                ("+(a|.b)", ".ba"),
                ("?(c)", ""),
                ("!(a|b)", "c"),
                ("!(a)", "a"),
                ("+(a|*(b|c))", "abc"),
                ("@(a|?(b))", ""),
                ("!(x!(y))", "q"),
                ("@()", "@()"),
                ("*()", ""),
                ("!()", "z"),
                ("x@(", "x@("),
                ("@(a|b", "@(a|b"),
                ("!(a|)", "b"),
                ("?(a|@(b|c))", "c"),
                ("@(!(a)|b)", "c"),
                ("*(a|b)*(c)", "abc"),
                ("@([ab]|c)", "A"),
                ("+(@(a|b))", "ab"),
                ("!(*.js)", "x.js"),
                ("@(x|!(y))", "y"),
                ("*(*(a))", "aa"),
            ]);
            (p.into(), s.into())
        }
        12 => {
            let (p, s) = r.pick2(&[
                ("\\*", "*"),
                ("\\[", "["),
                ("\\\\", "\\"),
                ("\\#", "#"),
                ("\\!", "!"),
                ("\\a", "a"),
                ("\\", "\\"),
                ("\\.", "."),
            ]);
            (p.into(), s.into())
        }
        13 => {
            let (p, s) = r.pick2(&[
                ("{a,b}", "b"),
                ("{1..3}", "2"),
                ("{a..c}", "c"),
                ("{a}", "{a}"),
                ("{,x}", "x"),
                ("{a,{b,c}}", "c"),
                ("${a,b}", "${a,b}"),
                ("{01..3}", "02"),
                ("{3..1..2}", "1"),
                ("{x,}", ""),
                ("{}", "{}"),
                ("{a,b}{c,d}", "bd"),
                ("{.js,.map}", ".map"),
                ("\\{a,b}", "{a,b}"),
            ]);
            (p.into(), s.into())
        }
        14 => (".*".into(), r.pick(&[".x", "..", ".", "x"]).into()),
        15 => ("*.*".into(), r.pick(&["a.b", "ab", "."]).into()),
        16 => ("??".into(), r.pick(&["ab", "😀", "a"]).into()),
        17 => ("*\\.js".into(), r.pick(&["a.js", "a\\.js"]).into()),
        18 => ("(keep)".into(), "(keep)".into()),
        _ => {
            let s = w(r);
            let up = if r.chance(50) {
                s.to_uppercase()
            } else {
                s.to_lowercase()
            };
            (s, up)
        }
    }
}

trait Pick2 {
    fn pick2<'a>(&mut self, items: &[(&'a str, &'a str)]) -> (&'a str, &'a str);
}

impl Pick2 for Rng {
    fn pick2<'a>(&mut self, items: &[(&'a str, &'a str)]) -> (&'a str, &'a str) {
        items[self.below(items.len())]
    }
}

/// Tokens for free-form noise: every glob metacharacter, extglob openers, POSIX classes,
/// case pairs (ASCII and not), astral characters.
const NOISE: &[&str] = &[
    "a",
    "b",
    "A",
    "B",
    "x",
    ".",
    ".",
    "*",
    "*",
    "?",
    "[",
    "]",
    "!",
    "^",
    "-",
    "\\",
    "(",
    ")",
    "{",
    "}",
    "|",
    "@",
    "+",
    ",",
    "/",
    "/",
    ":",
    "é",
    "É",
    "ſ",
    "s",
    "S",
    "😀",
    " ",
    "#",
    "$",
    "~",
    "1",
    "2",
    "!(",
    "@(",
    "+(",
    "*(",
    "?(",
    "**",
    "..",
    "[:alpha:]",
    "[:upper:]",
    "[:digit:]",
    "[:space:]",
    "[:graph:]",
    "\u{212a}",
    "k",
    "ß",
    "Σ",
    "σ",
    "ς",
    "İ",
    "i",
    "\u{3000}",
    "\r",
    "\u{2028}",
    "{a,b}",
    "{1..2}",
];

fn noise(r: &mut Rng, max: usize) -> String {
    (0..1 + r.below(max))
        .map(|_| NOISE[r.below(NOISE.len())])
        .collect()
}

/// A pattern line and a few paths meant to hit or nearly hit it.
fn case(r: &mut Rng) -> Case {
    if r.chance(25) {
        // Free-form noise: exercises the parsers on inputs no grammar anticipates.
        let pat = noise(r, 14);
        let paths = (0..6)
            .map(|_| {
                let f = if r.chance(50) {
                    noise(r, 8)
                } else {
                    pat.chars()
                        .filter(|c| !"*?[]!(){}|@+\\".contains(*c))
                        .collect()
                };
                (f, r.chance(40))
            })
            .collect();
        return (pat, paths);
    }
    let mut pat = String::new();
    let mut sample: Vec<String> = Vec::new();
    match r.below(10) {
        0 => pat.push('!'),
        1 => pat.push_str("!!"),
        _ => {}
    }
    match r.below(8) {
        0 => pat.push('/'),
        1 => {
            pat.push_str("./");
            sample.push(".".into());
        }
        _ => {}
    }
    let nseg = 1 + r.below(3) + usize::from(r.chance(15));
    for i in 0..nseg {
        if i > 0 {
            pat.push_str(if r.chance(8) { "//" } else { "/" });
        }
        if r.chance(14) {
            pat.push_str("**");
            for _ in 0..r.below(3) {
                sample.push(r.pick(WORDS).into());
            }
            continue;
        }
        if r.chance(4) {
            pat.push_str("..");
            sample.pop();
            continue;
        }
        let mut seg = String::new();
        let mut s = String::new();
        for _ in 0..1 + r.below(3) {
            let (p, m) = atom(r);
            seg.push_str(&p);
            s.push_str(&m);
        }
        pat.push_str(&seg);
        sample.push(s);
    }
    match r.below(8) {
        0 => pat.push('/'),
        1 => pat.push_str("/**"),
        _ => {}
    }
    let mut paths = Vec::new();
    for _ in 0..6 {
        let mut segs = sample.clone();
        match r.below(8) {
            0 => segs.insert(0, r.pick(WORDS).into()),
            1 if !segs.is_empty() => {
                segs.pop();
            }
            2 => segs.push(r.pick(WORDS).into()),
            3 => segs = vec![r.pick(WORDS).into(), r.pick(WORDS).into()],
            _ => {}
        }
        let mut path = segs.join(if r.chance(5) { "//" } else { "/" });
        if r.chance(25) {
            path = flip_case(&path, r);
        }
        if r.chance(20) {
            path.insert(0, '/');
        }
        if r.chance(20) {
            path.push('/');
        }
        if r.chance(3) {
            path = "/".into();
        }
        paths.push((path, r.chance(40)));
    }
    (pat, paths)
}

fn flip_case(s: &str, r: &mut Rng) -> String {
    s.chars()
        .map(|c| {
            if r.chance(50) {
                c.to_uppercase().collect::<String>()
            } else {
                c.to_lowercase().collect::<String>()
            }
        })
        .collect()
}

/// The node program: reads the cases, prints one answer per pattern.
const NODE_SCRIPT: &str = r#"
const path = require('path');
const fs = require('fs');
const mm = require(path.join(process.argv[2], 'npm/node_modules/minimatch'));
const pkg = require(path.join(process.argv[2], 'npm/node_modules/minimatch/package.json'));
if (pkg.version !== '10.2.5') { console.error('minimatch ' + pkg.version + ', expected 10.2.5'); }
const opts = {matchBase: true, dot: true, flipNegate: true, nocase: true};
const cases = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const out = cases.map(([p, paths]) => {
  let m;
  try { m = new mm.Minimatch(p, opts); } catch (e) { return {error: String(e.message)}; }
  return {
    negate: m.negate,
    short: m.globParts.some(part => part.length <= (part.slice(-1)[0] ? 1 : 2)),
    results: paths.map(([f, partial]) => m.match(f, partial)),
  };
});
process.stdout.write(JSON.stringify({version: pkg.version, out}));
"#;

/// npm's global `node_modules`: next to node's own prefix in a standard install (fast),
/// otherwise what `npm root -g` says (slow: npm takes a second or two to start).
fn npm_root() -> String {
    if let Ok(out) = Command::new("node")
        .args([
            "-p",
            "require('path').join(process.execPath, '../../lib/node_modules')",
        ])
        .output()
    {
        let dir = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if std::path::Path::new(&dir)
            .join("npm/node_modules/minimatch")
            .is_dir()
        {
            return dir;
        }
    }
    let out = Command::new("npm").args(["root", "-g"]).output().expect(
        "npm is required for this test (the oracle is npm's own minimatch) but could not be run",
    );
    assert!(
        out.status.success(),
        "`npm root -g` failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_string()
}

fn run_node(cases: &Value) -> Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("cases.json");
    let script = dir.path().join("oracle.js");
    std::fs::write(&input, serde_json::to_vec(cases).expect("json")).expect("write cases");
    std::fs::File::create(&script)
        .and_then(|mut f| f.write_all(NODE_SCRIPT.as_bytes()))
        .expect("write script");
    let out = Command::new("node")
        .arg(&script)
        .arg(npm_root())
        .arg(&input)
        .output()
        .expect("node is required for this test (it runs npm's minimatch) but could not be run");
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("node printed JSON");
    assert_eq!(v["version"], "10.2.5", "npm's minimatch is not 10.2.5");
    v["out"].clone()
}

/// A pattern line and its (path, partial) probes.
type Case = (String, Vec<(String, bool)>);

fn generate(seed: u64, n: usize) -> Vec<Case> {
    let mut r = Rng(seed);
    (0..n).map(|_| case(&mut r)).collect()
}

#[test]
fn npm_minimatch_differential() {
    let fresh = std::env::var("LEAKGATE_PATTERN_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    let seeds = [1u64, 2, 3, 0xdead_beef, fresh];
    // `LEAKGATE_PATTERN_CASES` raises the count for a long exploratory run.
    let per_seed = std::env::var("LEAKGATE_PATTERN_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let mut all: Vec<(u64, Case)> = Vec::new();
    for &seed in &seeds {
        for c in generate(seed, per_seed) {
            all.push((seed, c));
        }
    }
    let input: Value = all
        .iter()
        .map(|(_, (p, paths))| {
            json!([
                p,
                paths
                    .iter()
                    .map(|(f, part)| json!([f, part]))
                    .collect::<Vec<_>>()
            ])
        })
        .collect();
    let answers = run_node(&input);
    let answers = answers.as_array().expect("array");
    assert_eq!(answers.len(), all.len());

    let mut failures = Vec::new();
    let mut compared = 0;
    let mut hits = 0;
    for ((seed, (p, paths)), want) in all.iter().zip(answers) {
        let got = Pattern::new(p);
        if let Some(e) = want.get("error") {
            if got.is_ok() {
                failures.push(format!(
                    "[seed {seed}] {p:?}: minimatch throws ({e}), we compile"
                ));
            }
            continue;
        }
        let pat = match got {
            Ok(pat) => pat,
            Err(e) => {
                failures.push(format!(
                    "[seed {seed}] {p:?}: we fail ({e}), minimatch compiles"
                ));
                continue;
            }
        };
        if Some(pat.negate()) != want["negate"].as_bool() {
            failures.push(format!("[seed {seed}] {p:?}: negate {}", pat.negate()));
        }
        if Some(pat.has_short_part()) != want["short"].as_bool() {
            failures.push(format!(
                "[seed {seed}] {p:?}: has_short_part {}",
                pat.has_short_part()
            ));
        }
        for ((f, partial), w) in paths
            .iter()
            .zip(want["results"].as_array().expect("results"))
        {
            compared += 1;
            let g = pat.matches(f, *partial);
            hits += usize::from(g);
            if Some(g) != w.as_bool() {
                failures.push(format!(
                    "[seed {seed}] {p:?} vs {f:?} partial={partial}: we say {g}, minimatch {w}"
                ));
            }
        }
    }
    assert!(compared > 10_000, "only {compared} comparisons");
    // The grammar must produce plenty of hits, or the test proves little.
    assert!(hits * 10 > compared, "only {hits} hits in {compared}");
    assert!(
        failures.is_empty(),
        "{} disagreements with minimatch (replay with LEAKGATE_PATTERN_SEED=<seed>):\n{}",
        failures.len(),
        failures
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The walk's prefilter may skip a rule only when the rule cannot match: over the same
/// grammar (its braces, classes, extglobs, escapes, case and non-ASCII text), every path a
/// compiled pattern matches in full must be admitted by the prefilter of its rule set
/// (as a file, or as `name/` when the path ends in `/`). Needs no node.
#[test]
fn prefilter_never_rejects_a_match() {
    use leakgate::packlist::rules::{Passed, RuleSet};
    let mut checked = 0;
    let mut rejected = 0;
    let mut failures = Vec::new();
    for seed in [1u64, 2, 3, 0xdead_beef, 42, 7] {
        for (p, paths) in generate(seed, 1500) {
            let Ok(set) = RuleSet::parse("grammar", &p) else {
                continue;
            };
            if set.rules.len() != 1 {
                continue;
            }
            for (f, _) in &paths {
                // The walk only asks about entries, which have a name.
                let Some(name) = f.split('/').rfind(|s| !s.is_empty()) else {
                    continue;
                };
                let slash = f.ends_with('/');
                let passed = Passed {
                    path: set.path_bits(f),
                    name: set.segment_bits(name),
                };
                let admitted = set.may_match(0, passed, false, slash);
                rejected += usize::from(!admitted);
                if set.rules[0].pat.matches(f, false) {
                    checked += 1;
                    if !admitted {
                        failures.push(format!("[seed {seed}] {p:?} matches {f:?}"));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} matches rejected by the prefilter:\n{}",
        failures.len(),
        failures[..failures.len().min(30)].join("\n")
    );
    eprintln!("{checked} matches admitted, {rejected} probes rejected");
    assert!(checked > 2_000, "only {checked} matches checked");
    // A prefilter that admits everything would pass trivially.
    assert!(
        rejected > 3_000,
        "the prefilter rejected only {rejected} probes"
    );
}

/// Lines of unclosed (and some closed) classes: runs of `[`, `[a`, `[!`, POSIX classes,
/// escapes and ranges, up to thousands of brackets long, against npm's minimatch (needs
/// node and npm). An unclosed `[` is a literal character there; leakgate used to find that
/// out by scanning to the end of the line from every `[` (quadratic), and now remembers the
/// scan states that lead nowhere; this checks the answers did not move.
#[test]
fn unclosed_classes_match_like_minimatch() {
    const ATOMS: &[&str] = &[
        "[",
        "[",
        "[a",
        "[!",
        "[^",
        "]",
        "\\[",
        "\\",
        "-",
        "a",
        "B",
        "[:alpha:]",
        ":",
        ".",
        "*",
        "?",
        "é",
    ];
    let mut r = Rng(0x5eed_c1a5);
    let mut cases: Vec<Case> = Vec::new();
    for i in 0..1500 {
        // Mostly short lines (every shape), a few long ones (the quadratic shape; minimatch
        // itself is slow on them: 4,096 `[` take it 39 s, so they stay short of that).
        let n = if i % 300 == 0 { 300 } else { 1 + r.below(12) };
        let line: String = (0..n).map(|_| r.pick(ATOMS)).collect();
        // Probes: the line itself, without its brackets, its first characters, a letter.
        let plain: String = line.chars().filter(|c| *c != '[' && *c != ']').collect();
        let head: String = line.chars().take(3).collect();
        let mut paths = vec![
            (line.clone(), false),
            (plain, false),
            (head, true),
            ("a".to_string(), false),
            (line.replace('\\', ""), false),
        ];
        paths.push((format!("dir/{line}"), false));
        cases.push((line, paths));
    }
    let input: Value = cases
        .iter()
        .map(|(p, paths)| {
            json!([
                p,
                paths
                    .iter()
                    .map(|(f, part)| json!([f, part]))
                    .collect::<Vec<_>>()
            ])
        })
        .collect();
    let answers = run_node(&input);
    let answers = answers.as_array().expect("array");
    assert_eq!(answers.len(), cases.len());
    let mut failures = Vec::new();
    let mut hits = 0;
    for ((p, paths), want) in cases.iter().zip(answers) {
        let shown: String = p.chars().take(60).collect();
        let pat = match (Pattern::new(p), want.get("error")) {
            (Ok(pat), None) => pat,
            (Err(_), Some(_)) => continue,
            (got, want) => {
                failures.push(format!("{shown:?}: we {:?}, minimatch {want:?}", got.err()));
                continue;
            }
        };
        for ((f, partial), w) in paths
            .iter()
            .zip(want["results"].as_array().expect("results"))
        {
            let g = pat.matches(f, *partial);
            hits += usize::from(g);
            if Some(g) != w.as_bool() {
                let f: String = f.chars().take(60).collect();
                failures.push(format!("{shown:?} vs {f:?}: we say {g}, minimatch {w}"));
            }
        }
    }
    assert!(hits > 1000, "only {hits} matches: the probes prove little");
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures[..failures.len().min(30)].join("\n")
    );
}
