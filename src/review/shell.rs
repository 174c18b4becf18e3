//! Source-map flags in shell command lines: package.json scripts and shell files.
//!
//! A command line is split into simple commands (`&&`, `||`, `;`, `|`, `&`, newlines,
//! parentheses) and words (quotes respected, so `echo "--sourcemap"` is one argument of
//! `echo`). Runners (`npx`, `bunx`, `pnpm exec`, `yarn`, `cross-env`, `env`, `FOO=1`) are
//! skipped to find the tool; then each tool's own flags decide whether maps are on and
//! whether they embed the sources (each bundler's CLI documentation; its options and defaults
//! are listed in the team's source-map research notes, §1).

/// Whether a map embeds the original sources (`sourcesContent`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Embeds {
    /// No sources embedded (tsc without `inlineSources`, `nosources-`, `sourcesContent: false`).
    No,
    /// Depends on the plugin chain or on a condition leakgate can't evaluate.
    Maybe,
    /// The sources are embedded.
    Yes,
}

impl Embeds {
    /// Words for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Embeds::Yes => "embeds the original sources",
            Embeds::Maybe => "may embed the original sources",
            Embeds::No => "lists the sources without embedding them",
        }
    }
}

/// A source-map switch found on a command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapFlag {
    /// The bundler (`Bun`, `esbuild`, `tsc`, …).
    pub tool: &'static str,
    /// The flag as written (`--sourcemap=inline`), or the command for on-by-default tools.
    pub flag: String,
    /// The map mode (`linked`, `inline`, …).
    pub mode: String,
    /// Whether the sources end up in the map.
    pub embeds: Embeds,
    /// Byte offset of the flag in the command line.
    pub offset: usize,
}

#[derive(Clone, Debug)]
struct Word {
    text: String,
    offset: usize,
}

/// Splits a command line into simple commands made of words.
fn simple_commands(line: &str) -> Vec<Vec<Word>> {
    let b = line.as_bytes();
    let mut cmds = vec![Vec::new()];
    let mut cur = String::new();
    let mut start: Option<usize> = None;
    let mut i = 0;
    let flush = |cur: &mut String, start: &mut Option<usize>, cmds: &mut Vec<Vec<Word>>| {
        if let Some(s) = start.take() {
            cmds.last_mut().unwrap().push(Word {
                text: std::mem::take(cur),
                offset: s,
            });
        }
    };
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' => flush(&mut cur, &mut start, &mut cmds),
            b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'`' => {
                flush(&mut cur, &mut start, &mut cmds);
                cmds.push(Vec::new());
            }
            b'#' if start.is_none() => {
                // A comment runs to the end of the line.
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'\\' if i + 1 < b.len() => {
                start.get_or_insert(i);
                // The escaped character whole: a byte would split `\é` and leave `i`
                // inside it.
                let ch = line[i + 1..].chars().next().unwrap_or('\\');
                if ch != '\n' {
                    cur.push(ch);
                }
                i += 1 + ch.len_utf8();
                continue;
            }
            b'\'' | b'"' => {
                start.get_or_insert(i);
                let q = c;
                i += 1;
                let s = i;
                while i < b.len() && b[i] != q {
                    if q == b'"' && b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                cur.push_str(&line[s..i.min(b.len())]);
            }
            _ => {
                start.get_or_insert(i);
                // Push the whole UTF-8 character.
                let ch_len = line[i..].chars().next().map_or(1, char::len_utf8);
                cur.push_str(&line[i..i + ch_len]);
                i += ch_len;
                continue;
            }
        }
        i += 1;
    }
    flush(&mut cur, &mut start, &mut cmds);
    cmds.retain(|c| !c.is_empty());
    cmds
}

/// Drops runners and environment assignments before the tool's name.
fn strip_runners(words: &[Word]) -> &[Word] {
    let mut w = words;
    loop {
        let Some(first) = w.first() else { return w };
        let name = basename(&first.text);
        let is_assign = first.text.contains('=')
            && !first.text.starts_with('-')
            && first.text.split('=').next().is_some_and(|k| {
                !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            });
        if is_assign {
            w = &w[1..];
            continue;
        }
        match name {
            "npx" | "bunx" | "pnpx" | "cross-env" | "env" | "time" | "exec" | "nice" => {
                w = &w[1..];
                // npx's own flags (`-y`, `--yes`, `-p pkg`).
                while let Some(f) = w.first() {
                    if f.text == "-p" || f.text == "--package" {
                        w = &w[w.len().min(2)..];
                    } else if f.text.starts_with('-') {
                        w = &w[1..];
                    } else {
                        break;
                    }
                }
            }
            "pnpm" | "yarn" | "npm" | "bun"
                if w.get(1).is_some_and(|s| {
                    matches!(s.text.as_str(), "exec" | "dlx" | "x" | "run" | "--")
                }) =>
            {
                w = &w[2..];
                while w.first().is_some_and(|f| f.text == "--") {
                    w = &w[1..];
                }
            }
            "yarn" | "pnpm"
                if w.get(1).is_some_and(|s| {
                    !s.text.starts_with('-')
                        && !matches!(s.text.as_str(), "build" | "run" | "install" | "add")
                }) =>
            {
                // `yarn tsc ...` runs a binary.
                w = &w[1..];
            }
            _ => return w,
        }
    }
}

fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// A flag `name` in `--name`, `--name=V` or `--name V` form (V among `values`).
struct Found {
    value: Option<String>,
    offset: usize,
    text: String,
}

/// How a CLI reads grouped single-letter flags (`-cm`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Groups {
    /// No grouping: `-cm` is not `-c -m`.
    No,
    /// Any letter of an all-letter group is a flag, in any order (rollup's yargs-parser,
    /// rolldown, ncc's `arg`: `-cm` and `-mc` both turn maps on; verified with the CLIs).
    Anywhere,
    /// commander (swc, Babel): letters are flags until one that takes a value; the rest of
    /// the group is that value (`-Ds` is `-D -s`, `-sD` is `-s D`, `-sinline` is `-s inline`).
    ValueEnds,
}

fn find_flag(args: &[Word], names: &[&str], values: &[&str]) -> Option<Found> {
    find_flag_grouped(args, names, values, Groups::No)
}

/// The short flag `-x` of `names` inside a group word (`-cm`), if `w` is one: the value
/// written in the group, or the next word when the letter ends the group.
fn in_group(
    args: &[Word],
    i: usize,
    letter: char,
    values: &[&str],
    groups: Groups,
) -> Option<Found> {
    let w = &args[i];
    let letters = w.text.strip_prefix('-').filter(|l| !l.starts_with('-'))?;
    if letters.chars().count() < 2 {
        return None; // `-m` itself: the plain form
    }
    let next_value = || {
        args.get(i + 1)
            .map(|n| n.text.as_str())
            .filter(|n| values.contains(n))
            .map(str::to_string)
    };
    let (value, text) = match groups {
        Groups::No => return None,
        Groups::Anywhere => {
            if !letters.chars().all(|c| c.is_ascii_alphabetic()) || !letters.contains(letter) {
                return None;
            }
            let value = letters.ends_with(letter).then(next_value).flatten();
            (value, w.text.clone())
        }
        Groups::ValueEnds => {
            let at = letters.find(letter)?;
            if !letters[..at].chars().all(|c| c.is_ascii_alphabetic()) {
                return None;
            }
            let rest = &letters[at + 1..];
            if rest.is_empty() {
                (next_value(), w.text.clone())
            } else if values.contains(&rest) {
                (Some(rest.to_string()), w.text.clone())
            } else {
                return None; // `-sD`: an invalid value, which the tool refuses
            }
        }
    };
    let text = match &value {
        Some(v) if !text.ends_with(v.as_str()) => format!("{text} {v}"),
        _ => text,
    };
    Some(Found {
        value,
        offset: w.offset,
        text,
    })
}

/// [`find_flag`] for a CLI that also reads single-letter flags grouped as `groups` says.
fn find_flag_grouped(
    args: &[Word],
    names: &[&str],
    values: &[&str],
    groups: Groups,
) -> Option<Found> {
    let mut found = None;
    for (i, w) in args.iter().enumerate() {
        for name in names {
            let short = name
                .strip_prefix('-')
                .filter(|n| n.len() == 1)
                .and_then(|n| n.chars().next());
            if let Some(f) = short.and_then(|l| in_group(args, i, l, values, groups)) {
                found = Some(f);
                continue;
            }
            if w.text == *name {
                let next = args.get(i + 1).map(|n| n.text.as_str());
                let value = next.filter(|n| values.contains(n)).map(|n| n.to_string());
                let text = match &value {
                    Some(v) => format!("{name} {v}"),
                    None => name.to_string(),
                };
                found = Some(Found {
                    value,
                    offset: w.offset,
                    text,
                });
            } else if let Some(v) = w
                .text
                .strip_prefix(name)
                .and_then(|rest| rest.strip_prefix('='))
            {
                found = Some(Found {
                    value: Some(v.to_string()),
                    offset: w.offset,
                    text: w.text.clone(),
                });
            }
        }
    }
    found // the last occurrence wins, as in every CLI parser
}

fn has_word(args: &[Word], pred: impl Fn(&str) -> bool) -> bool {
    args.iter().any(|w| pred(&w.text))
}

fn off_value(v: &str) -> bool {
    matches!(v, "false" | "none" | "0" | "no")
}

/// Every source-map switch on a command line (a package.json script or a shell line).
pub fn map_flags(line: &str) -> Vec<MapFlag> {
    let mut out = Vec::new();
    for cmd in simple_commands(line) {
        let words = strip_runners(&cmd);
        let Some(first) = words.first() else { continue };
        let tool = basename(&first.text);
        let args = &words[1..];
        let sub = args.first().map(|w| w.text.as_str());
        let mut push = |tool: &'static str, f: Found, mode: String, embeds: Embeds| {
            out.push(MapFlag {
                tool,
                flag: f.text,
                mode,
                embeds,
                offset: f.offset,
            })
        };
        match (tool, sub) {
            ("bun", Some("build")) => {
                if let Some(f) = find_flag(
                    args,
                    &["--sourcemap"],
                    &["linked", "inline", "external", "none"],
                ) {
                    let mode = f.value.clone().unwrap_or_else(|| "linked".into());
                    if !off_value(&mode) {
                        push("Bun", f, mode, Embeds::Yes);
                    }
                }
            }
            ("esbuild", _) => {
                if let Some(f) = find_flag(args, &["--sourcemap"], &[]) {
                    let mode = f.value.clone().unwrap_or_else(|| "linked".into());
                    if !off_value(&mode) {
                        let embeds = if has_word(args, |w| w == "--sources-content=false") {
                            Embeds::No
                        } else {
                            Embeds::Yes
                        };
                        push("esbuild", f, mode, embeds);
                    }
                }
            }
            ("tsc" | "tsgo", _) => {
                let map = find_flag(args, &["--sourceMap", "--inlineSourceMap"], &["true"]);
                let sources = find_flag(args, &["--inlineSources"], &["true", "false"]);
                if let Some(f) = map.filter(|f| f.value.as_deref() != Some("false")) {
                    let inline = f.text.starts_with("--inlineSourceMap");
                    let embeds = match sources {
                        Some(s) if s.value.as_deref() != Some("false") => Embeds::Yes,
                        _ => Embeds::No,
                    };
                    let mode = if inline { "inline" } else { "linked" }.to_string();
                    let f = match (embeds, find_flag(args, &["--inlineSources"], &["true"])) {
                        (Embeds::Yes, Some(s)) => Found {
                            text: format!("{} {}", f.text, s.text),
                            ..f
                        },
                        _ => f,
                    };
                    push("tsc", f, mode, embeds);
                }
            }
            ("webpack" | "webpack-cli" | "rspack", _) => {
                if let Some(f) = find_flag(args, &["--devtool"], &[]) {
                    let v = f.value.clone().unwrap_or_default();
                    let v = if v.is_empty() {
                        // `--devtool source-map`: the value is the next word.
                        args.iter()
                            .skip_while(|w| w.offset != f.offset)
                            .nth(1)
                            .map(|w| w.text.clone())
                            .unwrap_or_default()
                    } else {
                        v
                    };
                    if !v.is_empty() && !off_value(&v) && !v.contains("nosources") {
                        let t = if tool == "rspack" {
                            "rspack"
                        } else {
                            "webpack"
                        };
                        let f = Found {
                            text: format!("--devtool {v}"),
                            ..f
                        };
                        push(t, f, v, Embeds::Yes);
                    }
                }
            }
            ("rollup" | "rolldown", _) => {
                let names: &[&str] = if tool == "rollup" {
                    &["-m", "--sourcemap"]
                } else {
                    &["-s", "--sourcemap"]
                };
                let values = &["inline", "hidden", "true", "false"];
                if let Some(f) = find_flag_grouped(args, names, values, Groups::Anywhere) {
                    let mode = f.value.clone().unwrap_or_else(|| "linked".into());
                    if !off_value(&mode) {
                        let embeds =
                            if has_word(args, |w| w.starts_with("--sourcemapExcludeSources")) {
                                Embeds::No
                            } else {
                                Embeds::Yes
                            };
                        let t = if tool == "rollup" {
                            "Rollup"
                        } else {
                            "Rolldown"
                        };
                        push(t, f, mode, embeds);
                    }
                }
            }
            ("vite", Some("build")) => {
                if let Some(f) = find_flag(
                    args,
                    &["--sourcemap"],
                    &["true", "inline", "hidden", "false"],
                ) {
                    let mode = f.value.clone().unwrap_or_else(|| "true".into());
                    if !off_value(&mode) {
                        push("Vite", f, mode, Embeds::Yes);
                    }
                }
            }
            ("tsup", _) => {
                if let Some(f) = find_flag(args, &["--sourcemap"], &["inline"]) {
                    let mode = f.value.clone().unwrap_or_else(|| "linked".into());
                    if !off_value(&mode) {
                        push("tsup", f, mode, Embeds::Yes);
                    }
                }
            }
            ("ncc", _) => {
                if let Some(f) =
                    find_flag_grouped(args, &["-s", "--source-map"], &[], Groups::Anywhere)
                {
                    push("ncc", f, "linked".into(), Embeds::Yes);
                }
            }
            ("swc", _) => {
                if let Some(f) = find_flag_grouped(
                    args,
                    &["-s", "--source-maps"],
                    &["true", "inline", "false"],
                    Groups::ValueEnds,
                ) {
                    let mode = f.value.clone().unwrap_or_else(|| "true".into());
                    if !off_value(&mode) {
                        push("swc", f, mode, Embeds::Yes);
                    }
                }
            }
            ("babel", _) => {
                if let Some(f) = find_flag_grouped(
                    args,
                    &["-s", "--source-maps"],
                    &["true", "inline", "both", "false"],
                    Groups::ValueEnds,
                ) {
                    let mode = f.value.clone().unwrap_or_else(|| "true".into());
                    if !off_value(&mode) {
                        push("Babel", f, mode, Embeds::Yes);
                    }
                }
            }
            // Parcel writes maps unless told not to.
            ("parcel", Some("build")) if !has_word(args, |w| w == "--no-source-maps") => {
                let f = Found {
                    value: None,
                    offset: first.offset,
                    text: "parcel build (maps on by default)".into(),
                };
                push("Parcel", f, "linked".into(), Embeds::Maybe);
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tools(line: &str) -> Vec<(&'static str, String, Embeds)> {
        map_flags(line)
            .into_iter()
            .map(|f| (f.tool, f.mode, f.embeds))
            .collect()
    }

    #[test]
    fn bun_bare_flag_is_linked() {
        let f = map_flags("bun build ./src/cli.ts --outdir dist --sourcemap");
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].tool, f[0].mode.as_str()), ("Bun", "linked"));
        assert_eq!(f[0].offset, 37);
        assert_eq!(tools("bun build x --sourcemap=inline")[0].1, "inline");
        assert_eq!(tools("bun build x --sourcemap external")[0].1, "external");
        assert!(tools("bun build x --sourcemap=none").is_empty());
        assert!(tools("bun build x").is_empty());
    }

    #[test]
    fn quotes_and_other_commands_do_not_fool_it() {
        assert!(tools("echo 'bun build --sourcemap'").is_empty());
        assert!(tools("node build.js --sourcemap").is_empty());
        assert_eq!(
            tools("rm -rf dist && npx esbuild src/x.ts --sourcemap").len(),
            1
        );
        assert!(tools("# bun build --sourcemap").is_empty());
    }

    #[test]
    fn grouped_short_flags() {
        // rollup (yargs-parser), rolldown and ncc (arg) read `-cm` as `-c -m` whatever the
        // order; commander (swc, Babel) too, but a letter after `-s` is its value.
        for line in [
            "rollup -cm",
            "rollup -mc",
            "rollup -wcm --bundleConfigAsCjs",
        ] {
            assert_eq!(
                tools(line),
                [("Rollup", "linked".into(), Embeds::Yes)],
                "{line}"
            );
        }
        assert_eq!(tools("rollup -cm hidden")[0].1, "hidden");
        assert_eq!(tools("rolldown -cs")[0].0, "Rolldown");
        assert_eq!(tools("rolldown -sc")[0].0, "Rolldown");
        assert_eq!(tools("ncc build src/index.ts -ms")[0].0, "ncc");
        assert_eq!(tools("ncc build src/index.ts -sm")[0].0, "ncc");
        assert_eq!(tools("swc src -d dist -Ds")[0].0, "swc");
        assert_eq!(tools("babel src -d lib -Ds inline")[0].1, "inline");
        assert_eq!(tools("babel src -d lib -Dsinline")[0].1, "inline");
        let f = map_flags("npx rollup -cm");
        assert_eq!((f[0].flag.as_str(), f[0].offset), ("-cm", 11));
        // Near misses: groups without the letter, the letter as another flag's value, and
        // commander reading `-sD` as `-s D` (not a mode: swc and Babel refuse it).
        assert!(tools("rollup -cw").is_empty());
        assert!(tools("rollup -c --sourcemap false").is_empty());
        assert!(tools("rolldown -c -d dist").is_empty());
        assert!(tools("babel src -sD").is_empty());
        assert!(tools("swc src -d dist -D").is_empty());
        assert!(tools("ncc build src/index.ts -m").is_empty());
    }

    #[test]
    fn each_tool_flag() {
        assert_eq!(
            tools("esbuild a.ts --sourcemap --sources-content=false")[0].2,
            Embeds::No
        );
        assert_eq!(tools("tsc --sourceMap")[0].2, Embeds::No);
        assert_eq!(tools("tsc --sourceMap --inlineSources")[0].2, Embeds::Yes);
        assert!(tools("tsc -p .").is_empty());
        assert_eq!(tools("webpack --devtool source-map")[0].0, "webpack");
        assert!(tools("webpack --devtool nosources-source-map").is_empty());
        assert!(tools("webpack --devtool=false").is_empty());
        assert_eq!(tools("rollup -c -m")[0].0, "Rollup");
        assert_eq!(tools("vite build --sourcemap")[0].0, "Vite");
        assert!(tools("vite build --sourcemap false").is_empty());
        assert_eq!(tools("tsup src/index.ts --sourcemap")[0].0, "tsup");
        assert_eq!(tools("ncc build src/index.ts -s")[0].0, "ncc");
        assert_eq!(tools("swc src -d dist -s")[0].0, "swc");
        assert_eq!(tools("babel src -d lib -s inline")[0].1, "inline");
        assert!(tools("babel src -d lib").is_empty());
        assert_eq!(
            tools("cross-env NODE_ENV=production bun build x --sourcemap")[0].0,
            "Bun"
        );
        assert_eq!(tools("parcel build src/index.html")[0].0, "Parcel");
        assert!(tools("parcel build src/index.html --no-source-maps").is_empty());
    }

    #[test]
    fn non_ascii_anywhere_never_panics() {
        let seeds = [
            "bun build ./src/index.ts --sourcemap=external --outdir dist",
            "esbuild src/a.ts --sourcemap \\\n  --outfile=dist/a.js",
            "tsc -p tsconfig.json && echo 'done' \"x\" # comment",
            "FOO=bar npx -y tsup --sourcemap",
        ];
        for seed in seeds {
            for v in crate::test_support::non_ascii_variants(seed) {
                let _ = map_flags(&v);
            }
        }
        // An escaped non-ASCII character is that character.
        let cmds = simple_commands("echo a\\é b");
        assert_eq!(cmds[0][1].text, "aé");
    }
}
