//! Unit tests of the minimatch port. Expected values were produced by minimatch 10.2.5 itself
//! (`new Minimatch(p, {matchBase, dot, flipNegate, nocase}).match(path, partial)`); the
//! differential test in `tests/pattern.rs` checks thousands more against the live module.

use super::*;

/// (pattern, path, partial, expected)
const CASES: &[(&str, &str, bool, bool)] = &[
    ("!!x", "x", false, true),
    ("!(keep).txt", "(keep).txt", false, true),
    ("!(keep).txt", "keep.txt", false, false),
    ("!x", "x", false, true),
    ("a{b,c}d", "abd", false, true),
    ("a{b,c}d", "abcd", false, false),
    ("a{b,c{d,e}f}g", "acefg", false, true),
    ("f{1..3}", "f2", false, true),
    ("f{1..3}", "f4", false, false),
    ("{a..c}.js", "b.js", false, true),
    ("{a..c}.js", "d.js", false, false),
    ("a{b}c", "a{b}c", false, true),
    ("a{b}c", "abc", false, false),
    ("readme{,.*[^~$]}", "README.md", false, true),
    ("readme{,.*[^~$]}", "readme.md~", false, false),
    ("readme{,.*[^~$]}", "readme.", false, false),
    ("readme{,.*[^~$]}", "lib/readme", false, true),
    ("/readme{,.*[^~$]}", "readme", false, false),
    ("/readme{,.*[^~$]}", "lib/readme", false, false),
    ("lib", "lib", false, true),
    ("lib", "a/b/lib", false, true),
    ("lib", "lib/", false, true),
    ("lib", "lib/x.js", false, false),
    ("lib/", "lib", false, false),
    ("lib/", "lib/", false, true),
    ("/lib", "lib", false, false),
    ("/lib", "/lib", false, true),
    ("/lib", "/lib/x", false, false),
    ("/lib", "/lib/x", true, false),
    ("a//b", "a/b", false, true),
    ("a/b", "a//b", false, true),
    ("./a.js", "a.js", false, false),
    ("./a.js", "./a.js", false, true),
    ("a/../b", "b", false, true),
    ("a/x/../b", "a/b", false, true),
    ("**/x", "x", false, true),
    ("**/x", "a/b/x", false, true),
    ("**/x", "a/./x", false, false),
    ("a/**", "a", false, false),
    ("a/**", "a", true, true),
    ("a/**", "a/", false, true),
    ("a/**", "a/b/c", false, true),
    ("a/**/b", "a/b", false, true),
    ("a/**/b", "a/x/y/b", false, true),
    ("a/**/b", "a/x/y/b/", false, true),
    ("a/**/**/b", "a/b", false, true),
    ("a/*", "a/b/", false, true),
    ("a/*", "a/b/c", false, false),
    ("a/*", "a", true, true),
    ("*.js", ".js", false, true),
    ("*.js", "X.JS", false, true),
    ("*", ".", false, false),
    ("*", "..", false, false),
    ("*", ".hidden", false, true),
    ("?", ".", false, false),
    ("??", "ab", false, true),
    ("??.js", "ab.js", false, true),
    (".*", ".env", false, true),
    (".*", "..", false, false),
    ("*.*", "a.b", false, true),
    ("*.*", "ab", false, false),
    ("[abc]", "B", false, true),
    ("[!abc]", "d", false, true),
    ("[^abc]", "a", false, false),
    ("[a-c]x", "bX", false, true),
    ("[z-a]", "a", false, false),
    ("[[:digit:]]x", "5x", false, true),
    ("[[:alpha:]]", "é", false, true),
    ("[[:upper:]]", "a", false, true),
    ("[abc", "[abc", false, true),
    ("[abc", "a", false, false),
    ("@(a|b)", "b", false, true),
    ("@(a|b)", "ab", false, false),
    ("*(a|b)", "abab", false, true),
    ("*(a|b)", ".", false, false),
    ("+(a|b)", "aab", false, true),
    ("+(a|b)", "", false, false),
    ("?(a|b)", "a", false, true),
    ("?(a|b)", "ab", false, false),
    ("!(a|b)", "c", false, false),
    ("!(a|b)", "a", false, false),
    ("x!(a|b)y", "xcy", false, true),
    ("x!(a|b)y", "xay", false, false),
    ("\\*", "*", false, true),
    ("\\*", "a", false, false),
    ("\\#x", "#x", false, true),
    ("a\\\\b", "a\\b", false, true),
    ("FOO.JS", "foo.js", false, true),
    ("ſ", "s", false, false),
    ("é", "É", false, true),
    ("node_modules", "NODE_MODULES", false, true),
    ("*.JS", "dir/A.js", false, true),
    ("a/b", "a/b/c", true, false),
    ("a/b/c", "a/b", true, true),
    ("a/b/c", "a/x", true, false),
    ("/a/*/c", "/a", true, true),
    ("**", "a/b", false, true),
    ("**", ".", false, false),
    ("@()", "@()", false, true),
    ("x!(a|)", "xz", false, true),
    ("!(x!(y))", "q", false, false),
    ("*\\.js", "a.js", false, false),
    ("*\\.js", "a\\.js", false, true),
    ("?", "😀", false, false),
    ("??", "😀", false, true),
    ("[😀]", "😀", false, false),
    ("a?", "a😀", false, false),
    // An escaped `|` stays unescaped in minimatch's regex source: it splits `^…$`, and the
    // `$` alternative matches any string.
    ("b^\\|$", "b^$", false, true),
    ("x\\|", "anything", false, true),
];

#[test]
fn matches_like_minimatch() {
    let mut bad = Vec::new();
    for &(p, path, partial, want) in CASES {
        let got = Pattern::new(p).expect("compiles").matches(path, partial);
        if got != want {
            bad.push(format!(
                "{p:?} vs {path:?} partial={partial}: got {got}, want {want}"
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn negation_counts_bangs() {
    assert!(Pattern::new("!x").unwrap().negate());
    assert!(!Pattern::new("!!x").unwrap().negate());
    assert!(Pattern::new("!!!x").unwrap().negate());
    assert!(!Pattern::new("x").unwrap().negate());
    // `!(keep).txt` is the negation of the literal `(keep).txt`, not an extglob.
    let p = Pattern::new("!(keep).txt").unwrap();
    assert!(p.negate());
    assert!(p.matches("(KEEP).txt", false));
    assert!(!p.matches("other.txt", false));
}

#[test]
fn short_parts_for_is_relative() {
    assert!(Pattern::new("foo").unwrap().has_short_part());
    assert!(Pattern::new("foo/").unwrap().has_short_part());
    assert!(Pattern::new("!*.js").unwrap().has_short_part());
    assert!(!Pattern::new("/foo").unwrap().has_short_part());
    assert!(!Pattern::new("a/b").unwrap().has_short_part());
    assert!(!Pattern::new("a/b/").unwrap().has_short_part());
    // One short brace alternative is enough.
    assert!(Pattern::new("{a/b,c}").unwrap().has_short_part());
    // `x/..` optimises to nothing: the part is `['']`.
    assert!(Pattern::new("x/..").unwrap().has_short_part());
}

#[test]
fn comments_and_empty() {
    let c = Pattern::new("#x").unwrap();
    assert!(!c.matches("#x", false));
    assert!(!c.has_short_part());
    let e = Pattern::new("").unwrap();
    assert!(e.matches("", false));
    assert!(!e.matches("a", false));
    // `!` alone: negated empty pattern, matches only paths without a name.
    let b = Pattern::new("!").unwrap();
    assert!(b.negate());
    assert!(!b.matches("a", false));
}

#[test]
fn too_long_and_invalid() {
    let long = "a".repeat(64 * 1024 + 1);
    assert!(matches!(
        Pattern::new(&long),
        Err(PatternError::TooLong { .. })
    ));
    assert!(Pattern::new(&"a".repeat(64 * 1024)).is_ok());
    // minimatch throws here: `\-` is an invalid escape once a POSIX class adds the u flag.
    assert!(matches!(
        Pattern::new("[[:alpha:]]-x"),
        Err(PatternError::InvalidRegex { .. })
    ));
}

#[test]
fn parse_rules_like_ignore_walk() {
    let text =
        "\u{feff}# comment\r\n  lib/  \r\n\n\u{3000}*.map\u{a0}\n#x\n\\#y\na.js # not a comment\n";
    let rules = parse_rules(text).unwrap();
    let sources: Vec<&str> = rules.iter().map(|r| r.source()).collect();
    assert_eq!(sources, ["lib/", "*.map", "\\#y", "a.js # not a comment"]);
    assert!(rules[2].matches("#y", false));
    // U+0085 is not JavaScript whitespace.
    assert_eq!(parse_rules("\u{85}x").unwrap()[0].source(), "\u{85}x");
}

#[test]
fn split_and_match_base() {
    // A single-segment alternative matches the last non-empty segment.
    let p = Pattern::new("*.map").unwrap();
    assert!(p.matches("dist/deep/cli.js.map", false));
    assert!(p.matches("dist/x.map/", false));
    assert!(!p.matches("dist/x.map/y", false));
    // Anchored and multi-segment patterns do not.
    assert!(!Pattern::new("/x.map").unwrap().matches("dist/x.map", false));
    assert!(Pattern::new("dist/*.map")
        .unwrap()
        .matches("dist/a.map", false));
    assert!(!Pattern::new("dist/*.map")
        .unwrap()
        .matches("x/dist/a.map", false));
}

#[test]
fn pathological_input_neither_overflows_nor_hangs() {
    // Run on a thread with the default 2 MiB stack, like rayon's workers.
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            // minimatch itself throws on extglobs nested this deep (its stack overflows).
            let deep = format!("{}a{}", "*(".repeat(2000), ")".repeat(2000));
            assert!(matches!(
                Pattern::new(&deep),
                Err(PatternError::InvalidRegex { .. })
            ));
            // Nested 300 deep it compiles, as in minimatch, and matches like `*(a)`.
            let ok = format!("{}a{}", "*(".repeat(300), ")".repeat(300));
            assert!(Pattern::new(&ok).unwrap().matches("aaa", false));
            // A very long segment against a backtracking glob.
            let long = "ab".repeat(1000);
            let p = Pattern::new("*(a|b)*(b|a)x").unwrap();
            assert!(!p.matches(&long, false));
            // Names up to the usual 255-byte limit still match through deep backtracking.
            let name = format!("{}c", "ab".repeat(127));
            assert!(Pattern::new("*(a|b)c").unwrap().matches(&name, false));
            assert!(Pattern::new("*a*b*a*b*a*b*c")
                .unwrap()
                .matches(&name, false));
            // A long glob against a short name.
            let p = Pattern::new(&"?a".repeat(20_000)).unwrap();
            assert!(!p.matches("xa", false));
        })
        .expect("spawn")
        .join()
        .expect("no overflow or panic");
}

#[test]
fn plain_literals_compile_as_minimatch_does() {
    // Every printable ASCII character, alone, leading, inside and trailing a segment, and
    // the JSON lines a workspace root reads as ignore rules: the shortcut and the full
    // compilation must agree wherever the shortcut applies.
    let mut segments: Vec<String> = vec![
        "\"name\":\"@mono".into(),
        "p1\"".into(),
        "\"version\":\"1.0.0\"".into(),
        "index.js\"".into(),
        "a@b".into(),
        "x!y+z".into(),
        "README.md".into(),
        "12-3_4".into(),
    ];
    for c in (0x20u8..0x7f).map(char::from) {
        for s in [
            format!("{c}"),
            format!("{c}ab"),
            format!("a{c}b"),
            format!("ab{c}"),
        ] {
            segments.push(s);
        }
    }
    let mut shortcut = 0;
    for seg in &segments {
        if seg.contains('/') {
            continue;
        }
        let Some(fast) = plain_literal(seg) else {
            continue;
        };
        shortcut += 1;
        let full = compile_magic(seg).unwrap();
        assert_eq!(format!("{fast:?}"), format!("{full:?}"), "segment {seg:?}");
    }
    assert!(
        shortcut > 200,
        "the shortcut applied to only {shortcut} segments"
    );
    assert!(plain_literal(".npmrc").is_none());
    assert!(plain_literal("a+(b)").is_none());
    assert!(plain_literal("a*").is_none());
}

/// Regression (fuzz target `pattern`): a 664-byte line of 27 nested `!(…)` made each negated
/// extglob copy the rest of the segment into its alternatives, copies of copies, until the
/// process ran out of memory (minimatch builds a 16.6-million-character regex from it in
/// 25 s). It is a pattern error now, quickly; a line with a few negated extglobs still
/// compiles and matches as minimatch does.
#[test]
fn runaway_negated_extglob_copies_are_a_pattern_error() {
    // The fuzzer's input, as found.
    let line = concat!(
        "+(a|*\u{0}\u{0}\\\u{0}#\u{0}\\\u{0}))?!(x).@+(b|c9)!(x).@(sj|t.NPMIGNO*(a|*(",
        "b|c))?!(x).@+(b|c9))?!(x).@+(b|c9b\u{1}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}.j",
        "s.NPMIGmd\u{1}\u{0}|*(b|c))?!(x).@+(b|c9))?!(x).@+(b|c9)!(x).@(sj|t.NPMIGmd",
        "\u{1}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}-z^?!(x).@(sj|t.NPMIGN\u{0}\u{0}\u{0}]|*(",
        "b|c))?!(x).@+(b|c9))?!(x).@+(b|+(a|*\u{0}\u{0}\\\u{0}#\u{0}\\\u{0}))?!(x).@+",
        "(b|c9)!(x).@(sj|t.NPMIGNO*(a|*(b|c))?!(x).@+(b|c9))?!(x).@+(b|c9)!(x).@(sj|t",
        ".NPMIGmd\u{1}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}-z^?!(x).@(sj|t.NPMIGNO*(a|*",
        "(b|c))?!(x).@+(b|c9))?!(x).@+(b|+(a|*\u{0}\u{0}\\\u{0}#\u{0}\\\u{0}))?!(x).@",
        "+(b|c9)!(x).@(sj|t.NPMIGNO*(a|*(b|c))?!(x).@+(b|c8))?!(x).@+(b|c9)!(x).@(sj|",
        "t.NPMIGmd\u{1}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}-z^?!(x).@(sj|t.NPMIGNO*(a|*(b|c",
        "))?!(x).@+(b|c9))?!(x).@+(b|c9)!c9)!(x).@(sj|t.NP\u{d}IGmd\u{1}.NPMI////////",
        "////////////////////////////GNRE[\u{0}}\u{0}bbbc.js",
    );
    let started = std::time::Instant::now();
    let err = Pattern::new(line).expect_err("too many copies");
    assert!(err.to_string().contains("negated extglobs"), "{err}");
    // Bounded work, not minutes (generous: debug build, shared machine).
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());

    // Near miss: the same shapes a few times compile, and match like minimatch:
    // `x!(a|b)y` matches `xcy`, not `xay`.
    let p = Pattern::new("x!(a|b)y!(c)z").expect("compiles");
    assert!(p.matches("xcydz", false));
    assert!(!p.matches("xaydz", false));
    assert!(!p.matches("xcycz", false));
    Pattern::new("+(a|*(b|c))?!(x).@+(b|c9)!(x).@(sj|t)").expect("a few copies compile");
}
