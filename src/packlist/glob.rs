//! Glob patterns as yarn berry (micromatch/picomatch, `{dot: true, nocase: true}`) and bun
//! (its own case-sensitive matcher) read them, compiled to one anchored regex each. npm's
//! minimatch dialect lives in [`super::pattern`]; these two differ from it in details
//! (`a/**` also matches `a`, no `matchBase` of their own), so they get their own compiler.

use regex::Regex;

/// Which tool's glob dialect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// picomatch as yarn calls it: dotfiles match `*`, case-insensitive.
    Yarn,
    /// bun's matcher: dotfiles match `*`, case-sensitive.
    Bun,
}

/// One compiled glob.
#[derive(Clone, Debug)]
pub struct Glob {
    re: Regex,
}

impl Glob {
    /// Compiles `pattern` (without any leading `!`) in `dialect`.
    pub fn new(pattern: &str, dialect: Dialect) -> Result<Glob, String> {
        Glob::compile(pattern, &Glob::source(pattern, dialect)?)
    }

    /// The anchored regex, flags included, that `pattern` compiles to, without compiling
    /// it: several can be compiled together as one `regex::RegexSet`, and a pattern that is
    /// a plain string never needs its regex at all. Errors are the pattern's own (brace
    /// sets nested too deep).
    pub fn source(pattern: &str, dialect: Dialect) -> Result<String, String> {
        let mut body = String::with_capacity(pattern.len() * 2 + 8);
        translate(pattern, &mut body, 0)?;
        let flags = if dialect == Dialect::Yarn {
            "(?si)"
        } else {
            "(?s)"
        };
        Ok(format!("{flags}^(?:{body})$"))
    }

    /// Compiles a [`Glob::source`] of `pattern` (named in the error).
    pub fn compile(pattern: &str, source: &str) -> Result<Glob, String> {
        let re = Regex::new(source).map_err(|e| format!("pattern `{pattern}`: {e}"))?;
        Ok(Glob { re })
    }

    /// Whether the whole of `path` matches.
    pub fn is_match(&self, path: &str) -> bool {
        self.re.is_match(path)
    }
}

/// Brace sets nest at most this deep (a pathological pattern is an error, not a stack
/// overflow).
const MAX_NESTING: usize = 64;

/// Appends the regex for `pat` to `out`.
fn translate(pat: &str, out: &mut String, depth: usize) -> Result<(), String> {
    if depth > MAX_NESTING {
        return Err(format!("brace sets nested more than {MAX_NESTING} deep"));
    }
    let segs: Vec<&str> = pat.split('/').collect();
    let last = segs.len() - 1;
    for (i, seg) in segs.iter().enumerate() {
        if *seg == "**" {
            // A globstar segment: any number of whole segments, including none.
            match (i == 0, i == last) {
                (true, true) => out.push_str(".*"),
                (true, false) => out.push_str("(?:[^/]*(?:/[^/]*)*/)?"),
                (false, true) => {
                    // `a/**` matches `a` and everything below it.
                    if out.ends_with('/') {
                        out.pop();
                    }
                    out.push_str("(?:/.*)?");
                }
                // Right after the root of an absolute pattern (`/**/x`), micromatch wants
                // at least one folder: `/**/x` does not match `/x`.
                (false, false) if i == 1 && segs[0].is_empty() => out.push_str("(?:[^/]*/)+"),
                (false, false) => out.push_str("(?:[^/]*/)*"),
            }
            continue;
        }
        segment(seg, out, depth)?;
        if i != last {
            out.push('/');
        }
    }
    Ok(())
}

/// One path segment: `*`, `?`, `[...]`, `{a,b}`, `\x` escapes, extglobs `@( )` `+( )`
/// `*( )` `?( )`; anything else literal.
fn segment(seg: &str, out: &mut String, depth: usize) -> Result<(), String> {
    let chars: Vec<char> = seg.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if i + 1 < chars.len() => {
                push_literal(chars[i + 1], out);
                i += 2;
                continue;
            }
            '*' | '?' | '+' | '@' if chars.get(i + 1) == Some(&'(') => {
                if let Some(end) = closing(&chars, i + 1, '(', ')') {
                    let inner: String = chars[i + 2..end].iter().collect();
                    out.push_str("(?:");
                    for (k, alt) in split_top(&inner, '|').iter().enumerate() {
                        if k > 0 {
                            out.push('|');
                        }
                        segment(alt, out, depth + 1)?;
                    }
                    out.push(')');
                    match c {
                        '*' => out.push('*'),
                        '?' => out.push('?'),
                        '+' => out.push('+'),
                        _ => {}
                    }
                    i = end + 1;
                    continue;
                }
            }
            _ => {}
        }
        match c {
            '*' => {
                while chars.get(i + 1) == Some(&'*') {
                    i += 1;
                }
                out.push_str("[^/]*");
            }
            '?' => out.push_str("[^/]"),
            '[' => match class(&chars, i) {
                Some((re, end)) => {
                    out.push_str(&re);
                    i = end;
                }
                None => push_literal('[', out),
            },
            '{' => match closing(&chars, i, '{', '}') {
                Some(end) => {
                    let inner: String = chars[i + 1..end].iter().collect();
                    let alts = split_top(&inner, ',');
                    if alts.len() < 2 {
                        if let Some(range) = numeric_range(&inner) {
                            out.push_str(&range);
                        } else {
                            push_literal('{', out);
                            segment(&inner, out, depth + 1)?;
                            push_literal('}', out);
                        }
                    } else {
                        out.push_str("(?:");
                        for (k, alt) in alts.iter().enumerate() {
                            if k > 0 {
                                out.push('|');
                            }
                            // An alternative may hold slashes (`{a,b/c}`).
                            translate(alt, out, depth + 1)?;
                        }
                        out.push(')');
                    }
                    i = end;
                }
                None => push_literal('{', out),
            },
            other => push_literal(other, out),
        }
        i += 1;
    }
    Ok(())
}

fn push_literal(c: char, out: &mut String) {
    let mut buf = [0; 4];
    out.push_str(&regex::escape(c.encode_utf8(&mut buf)));
}

/// The index of the bracket closing the one at `open` (nesting counted, escapes skipped).
fn closing(chars: &[char], open: usize, o: char, c: char) -> Option<usize> {
    let mut depth = 0;
    let mut i = open;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 1,
            x if x == o => depth += 1,
            x if x == c => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Splits on `sep` outside any brackets.
fn split_top(s: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut depth = 0i32;
    let mut escaped = false;
    for ch in s.chars() {
        if escaped {
            escaped = false;
        } else if ch == '\\' {
            escaped = true;
        } else if matches!(ch, '{' | '(' | '[') {
            depth += 1;
        } else if matches!(ch, '}' | ')' | ']') {
            depth -= 1;
        } else if ch == sep && depth == 0 {
            parts.push(String::new());
            continue;
        }
        parts.last_mut().expect("one part").push(ch);
    }
    parts
}

/// `{1..3}` as an alternation (bounded, so a huge range can't blow up the regex).
fn numeric_range(inner: &str) -> Option<String> {
    let (a, b) = inner.split_once("..")?;
    let (a, b): (i64, i64) = (a.parse().ok()?, b.parse().ok()?);
    let (lo, hi) = (a.min(b), a.max(b));
    if hi - lo > 1000 {
        return None;
    }
    let alts: Vec<String> = (lo..=hi).map(|n| n.to_string()).collect();
    Some(format!("(?:{})", alts.join("|")))
}

/// A `[...]` class starting at `start`: its regex and the index of its `]`.
fn class(chars: &[char], start: usize) -> Option<(String, usize)> {
    let mut i = start + 1;
    let mut re = String::from("[");
    if matches!(chars.get(i), Some('!') | Some('^')) {
        re.push('^');
        i += 1;
    }
    let first = i;
    while i < chars.len() {
        let c = chars[i];
        if c == ']' && i > first {
            if re.len() == 1 || re == "[^" {
                return None;
            }
            // A class never matches the separator.
            if re.starts_with("[^") {
                re.push('/');
            }
            re.push(']');
            return Some((re, i));
        }
        if c == '[' && chars.get(i + 1) == Some(&':') {
            let rest: String = chars[i..].iter().collect();
            if let Some(end) = rest.find(":]") {
                let name = &rest[2..end];
                let set = match name {
                    "alpha" => "a-zA-Z",
                    "digit" => "0-9",
                    "alnum" => "a-zA-Z0-9",
                    "upper" => "A-Z",
                    "lower" => "a-z",
                    "space" => r"\s",
                    "word" => r"\w",
                    "xdigit" => "0-9a-fA-F",
                    _ => "",
                };
                if !set.is_empty() {
                    re.push_str(set);
                    i += end + 2;
                    continue;
                }
            }
        }
        match c {
            '\\' if i + 1 < chars.len() => {
                re.push_str(&regex::escape(&chars[i + 1].to_string()));
                i += 2;
                continue;
            }
            '-' => re.push('-'),
            '[' | ']' | '^' | '&' | '~' => {
                re.push('\\');
                re.push(c);
            }
            _ => re.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yarn(p: &str, s: &str) -> bool {
        Glob::new(p, Dialect::Yarn).unwrap().is_match(s)
    }

    #[test]
    fn stars_globstars_and_case() {
        assert!(yarn("/lib/**", "/lib"));
        assert!(yarn("/lib/**", "/lib/a/b.js"));
        assert!(!yarn("/lib/**", "/library"));
        assert!(!yarn("/**/*.map", "/a.map"));
        assert!(yarn("/a/**/*.map", "/a/b.map"));
        assert!(yarn("/**/*.map", "/x/y/A.MAP"));
        assert!(!yarn("/*", "/a/b"));
        assert!(yarn("*.js", ".x.js"));
        assert!(yarn("/src/{a,B}", "/src/b"));
        assert!(yarn("[id].js", "i.js"));
        assert!(!yarn("[id].js", "[id].js"));
        assert!(yarn("/a/{1..3}.js", "/a/2.js"));
        assert!(!Glob::new("*.JS", Dialect::Bun).unwrap().is_match("a.js"));
        assert!(Glob::new("[!a]", Dialect::Bun).unwrap().is_match("b"));
        assert!(!Glob::new("[!a]", Dialect::Bun).unwrap().is_match("/"));
    }

    #[test]
    fn odd_patterns_compile_or_error() {
        for p in [
            "[",
            "{",
            "a{b",
            "[]",
            "\\",
            "@(a|b",
            "{a,{b,c}}",
            "[[:alpha:]]",
        ] {
            let _ = Glob::new(p, Dialect::Yarn);
        }
        let deep = "{".repeat(100) + &"}".repeat(100);
        let _ = Glob::new(&deep, Dialect::Yarn);
    }
}
