//! Micro-benchmark of the minimatch port: how fast typical ignore rules compile and match
//! typical package paths, the way ignore-walk's `filterEntry` calls them.
//!
//! Run: `cargo bench --bench pattern`. Prints compile time per rule, and time per
//! `matches` call for each kind of rule (literal, `*.ext`, anchored, globstar, braces,
//! extglob), for the whole rule list against a generated package tree, and how long two
//! hostile brace lines and lines of unclosed `[` classes take to compile.

use leakgate::packlist::pattern::{parse_rules, Pattern};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// npm-packlist's DEFAULT rules plus a root STRICT set and a realistic `.npmignore`.
const RULES: &str = "\
.npmignore
.gitignore
**/.git
**/.svn
**/.hg
**/CVS
**/.git/**
**/.svn/**
**/.hg/**
**/CVS/**
/.lock-wscript
/.wafpickle-*
/build/config.gypi
npm-debug.log
**/.npmrc
.*.swp
.DS_Store
**/.DS_Store/**
._*
**/._*/**
*.orig
/archived-packages/**
/.git
!/package.json
!/readme{,.*[^~$]}
!/copying{,.*[^~$]}
!/license{,.*[^~$]}
!/licence{,.*[^~$]}
/node_modules
.npmrc
/package-lock.json
/yarn.lock
/pnpm-lock.yaml
/bun.lockb
!/dist/index.js
*.map
src/
/coverage
**/__tests__/**
*.{ts,tsx}
!*.d.ts
.env*
tsconfig*.json
@(docs|examples)
!(keep).txt
";

/// A package-like tree: dist chunks, sources, tests, dotfiles, node_modules.
fn paths() -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..600 {
        out.push(format!("dist/chunks/chunk-{i:04x}.js"));
        out.push(format!("dist/chunks/chunk-{i:04x}.js.map"));
    }
    for i in 0..200 {
        out.push(format!("src/components/Widget{i}.tsx"));
        out.push(format!("src/components/__tests__/Widget{i}.test.tsx"));
    }
    for i in 0..300 {
        out.push(format!("node_modules/pkg{i}/package.json"));
    }
    for name in [
        "package.json",
        "README.md",
        "LICENSE",
        ".env",
        ".env.local",
        ".npmrc",
        ".gitignore",
        "tsconfig.json",
        "docs/guide.md",
        "lib/Ünïcødé.js",
    ] {
        out.push(name.to_string());
    }
    out
}

fn time<F: FnMut() -> usize>(label: &str, calls: usize, mut f: F) {
    // Warm up, then take the best of five runs (the machine is shared).
    black_box(f());
    let mut best = Duration::MAX;
    let mut hits = 0;
    for _ in 0..5 {
        let t = Instant::now();
        hits = black_box(f());
        best = best.min(t.elapsed());
    }
    let per = best.as_nanos() as f64 / calls as f64;
    println!(
        "{label:<44} {calls:>9} calls  {per:>8.1} ns/call  ({hits} hits, {:.2} ms)",
        best.as_secs_f64() * 1e3
    );
}

fn main() {
    let paths = paths();

    let t = Instant::now();
    let mut rules = Vec::new();
    for _ in 0..100 {
        rules = parse_rules(RULES).expect("rules compile");
    }
    println!(
        "compile: {} rules in {:.1} µs per rule",
        rules.len(),
        t.elapsed().as_secs_f64() * 1e6 / (100.0 * rules.len() as f64)
    );

    let single = |line: &str| Pattern::new(line).expect("compiles");
    for (label, p) in [
        (
            "literal (npm-debug.log, matchBase)",
            single("npm-debug.log"),
        ),
        ("anchored literal (/node_modules)", single("/node_modules")),
        ("*.ext (*.map)", single("*.map")),
        ("globstar (**/.git/**)", single("**/.git/**")),
        ("braces (!/readme{,.*[^~$]})", single("!/readme{,.*[^~$]}")),
        (
            "class+extglob (@(docs|examples))",
            single("@(docs|examples)"),
        ),
        ("negated extglob segment (x!(a|b)y)", single("x!(a|b)y")),
    ] {
        time(label, paths.len() * 2, || {
            paths
                .iter()
                .map(|f| usize::from(p.matches(f, false)) + usize::from(p.matches(f, true)))
                .sum()
        });
    }

    // Hostile lines (issue 13): twenty `{a,b}` sets expand to 2^20, of which brace-expansion
    // keeps 100,000 (npm takes ~20 s over this line; deduplicating the expansions with a
    // linear scan each made leakgate take 35 s).
    for (label, line) in [
        (
            "compile {a,b} x 20 (100,000 expansions)",
            "{a,b}".repeat(20),
        ),
        ("compile {a,b} x 16 (65,536 expansions)", "{a,b}".repeat(16)),
    ] {
        let t = Instant::now();
        let p = single(&line);
        println!(
            "{label:<44} {:>9.1} ms ({} alternatives)",
            t.elapsed().as_secs_f64() * 1e3,
            p.expansions().len()
        );
    }

    // Unclosed classes (issue 13): every `[` used to scan to the end of the line looking for
    // its `]`, so `[[[[…` and `[a[a[a…` were quadratic (64 Ki of them: minutes). Linear now:
    // the time per character stays flat as the line grows.
    for (name, unit) in [("[", "["), ("[a", "[a"), ("[!", "[!"), ("[\\[", "[\\[")] {
        for len in [4_096usize, 16_384, 65_536] {
            let line = unit.repeat(len / unit.len());
            let t = Instant::now();
            let p = single(&line);
            let took = t.elapsed();
            black_box(p.matches(&line, false));
            println!(
                "{:<44} {:>9.2} ms ({:>6.1} ns/char)",
                format!("compile unclosed {name} x {}", len / unit.len()),
                took.as_secs_f64() * 1e3,
                took.as_nanos() as f64 / len as f64
            );
        }
    }

    // ignore-walk's first two probes for every entry and every rule: "/entry" and "entry".
    let slashed: Vec<String> = paths.iter().map(|p| format!("/{p}")).collect();
    time(
        "all rules x all paths (/entry, entry)",
        paths.len() * rules.len() * 2,
        || {
            let mut hits = 0;
            for (f, sf) in paths.iter().zip(&slashed) {
                for r in &rules {
                    hits += usize::from(r.matches(sf, false) || r.matches(f, false));
                }
            }
            hits
        },
    );
}
