//! Bash-like brace expansion, as minimatch 10.2.5 does it through brace-expansion 5.0.9 and
//! balanced-match 4.0.4: `a{b,c}d`, nested sets, `{1..3}`, `{a..e..2}`, zero padding, and
//! the rules for sets that do not expand (`{a}`, `{2..}`, a leading `{}`).
//!
//! brace-expansion protects `\\`, `\{`, `\}`, `\,` and `\.` by swapping them for random
//! marker strings before it works and back after. Here a marker is a token outside the
//! Unicode range, so no input can collide with one. A side effect we must keep: after an
//! expansion a `\\` pair comes back as a single `\` and `\{` as a bare `{`.

/// One unit of the working string: a UTF-32 code point, or one of the escape markers.
type Tok = u32;

const ESC_SLASH: Tok = 0x11_0000;
const ESC_OPEN: Tok = 0x11_0001;
const ESC_CLOSE: Tok = 0x11_0002;
const ESC_COMMA: Tok = 0x11_0003;
const ESC_PERIOD: Tok = 0x11_0004;

/// brace-expansion's `EXPANSION_MAX`: the most results kept.
const MAX: usize = 100_000;
/// brace-expansion's `EXPANSION_MAX_LENGTH`: the most UTF-16 units held at once.
const MAX_LENGTH: usize = 4_000_000;
/// The UTF-16 length of one of brace-expansion's marker strings (`\0SLASH0.123…\0`); only
/// used to account for `MAX_LENGTH`, which no realistic line reaches.
const MARKER_LEN: usize = 26;

const OPEN: Tok = '{' as Tok;
const CLOSE: Tok = '}' as Tok;
const COMMA: Tok = ',' as Tok;

/// How deep brace sets may nest. brace-expansion recurses once per level (node throws
/// "Maximum call stack size exceeded" from about 4,000 levels of `{a,`); so does
/// [`expand_`], and 500 keeps it well inside a 2 MiB thread stack, like the extglob limit.
pub(super) const MAX_NESTING: usize = 500;

/// Brace sets nested more than [`MAX_NESTING`] deep.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct TooDeep;

/// minimatch's `braceExpand`: the pattern itself when it holds no `{…}` without a nested
/// `{` (its ReDoS-safe shortcut test), otherwise every expansion, in order (at most
/// brace-expansion's 100,000, as npm keeps them).
pub(super) fn brace_expand(pattern: &str) -> Result<Vec<String>, TooDeep> {
    if !has_brace_set(pattern) {
        return Ok(vec![pattern.to_string()]);
    }
    expand(pattern)
}

/// `/\{(?:(?!\{).)*\}/`: a `{`, then characters that are neither `{` nor a line terminator,
/// then `}`.
fn has_brace_set(pattern: &str) -> bool {
    let mut open = false;
    for c in pattern.chars() {
        match c {
            '{' => open = true,
            '}' if open => return true,
            '\n' | '\r' | '\u{2028}' | '\u{2029}' => open = false,
            _ => {}
        }
    }
    false
}

/// brace-expansion's `expand`.
fn expand(s: &str) -> Result<Vec<String>, TooDeep> {
    if s.is_empty() {
        return Ok(Vec::new());
    }
    let mut toks: Vec<Tok> = Vec::with_capacity(s.len());
    let rest = if let Some(rest) = s.strip_prefix("{}") {
        // Bash keeps a leading `{}` literally; brace-expansion escapes it.
        toks.push(ESC_OPEN);
        toks.push(ESC_CLOSE);
        rest
    } else {
        s
    };
    escape_into(rest, &mut toks);
    Ok(expand_(toks, true, 0)?
        .into_iter()
        .map(|t| unescape(&t))
        .collect())
}

fn escape_into(s: &str, out: &mut Vec<Tok>) {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let marker = match chars.peek() {
                Some('\\') => Some(ESC_SLASH),
                Some('{') => Some(ESC_OPEN),
                Some('}') => Some(ESC_CLOSE),
                Some(',') => Some(ESC_COMMA),
                Some('.') => Some(ESC_PERIOD),
                _ => None,
            };
            if let Some(m) = marker {
                chars.next();
                out.push(m);
                continue;
            }
        }
        out.push(c as Tok);
    }
}

fn unescape(toks: &[Tok]) -> String {
    toks.iter()
        .map(|&t| match t {
            ESC_SLASH => '\\',
            ESC_OPEN => '{',
            ESC_CLOSE => '}',
            ESC_COMMA => ',',
            ESC_PERIOD => '.',
            c => char::from_u32(c).unwrap_or('\u{fffd}'),
        })
        .collect()
}

/// The JavaScript `length` of a token string.
fn js_len(toks: &[Tok]) -> usize {
    toks.iter()
        .map(|&t| match t {
            0..=0xffff => 1,
            0x1_0000..=0x10_ffff => 2,
            _ => MARKER_LEN,
        })
        .sum()
}

fn index_of(s: &[Tok], t: Tok, from: usize) -> Option<usize> {
    s.get(from..)?
        .iter()
        .position(|&c| c == t)
        .map(|i| i + from)
}

struct Balanced {
    pre: Vec<Tok>,
    body: Vec<Tok>,
    post: Vec<Tok>,
}

/// balanced-match's `balanced('{', '}', str)`.
fn balanced(s: &[Tok]) -> Option<Balanced> {
    let (start, end) = range(s)?;
    Some(Balanced {
        pre: s[..start].to_vec(),
        body: s[start + 1..end].to_vec(),
        post: s[end + 1..].to_vec(),
    })
}

/// balanced-match's `range`: the first balanced `{…}` pair, with its peculiar handling of
/// unbalanced input (`{{a}` gives the inner pair, `{a}}` the first).
fn range(s: &[Tok]) -> Option<(usize, usize)> {
    let find = |t: Tok, from: isize| -> isize {
        index_of(s, t, from.max(0) as usize).map_or(-1, |i| i as isize)
    };
    let mut ai = find(OPEN, 0);
    let mut bi = find(CLOSE, ai + 1);
    let mut i = ai;
    if !(ai >= 0 && bi > 0) {
        return None;
    }
    let mut begs: Vec<isize> = Vec::new();
    let mut left = s.len() as isize;
    let mut right: Option<isize> = None;
    let mut result = None;
    while i >= 0 && result.is_none() {
        if i == ai {
            begs.push(i);
            ai = find(OPEN, i + 1);
        } else if begs.len() == 1 {
            let r = begs.pop().expect("one start");
            result = Some((r as usize, bi as usize));
        } else {
            if let Some(beg) = begs.pop() {
                if beg < left {
                    left = beg;
                    right = Some(bi);
                }
            }
            bi = find(CLOSE, i + 1);
        }
        i = if ai < bi && ai >= 0 { ai } else { bi };
    }
    if result.is_none() && !begs.is_empty() {
        if let Some(r) = right {
            result = Some((left as usize, r as usize));
        }
    }
    result
}

fn split_on(s: &[Tok], sep: Tok) -> Vec<Vec<Tok>> {
    s.split(|&t| t == sep).map(|p| p.to_vec()).collect()
}

/// brace-expansion's `parseCommaParts`: split on top-level commas, keeping nested sets whole.
/// brace-expansion recurses once per sibling set (`{x,{a}{b}{c}…}`); this loops instead, so a
/// 64 KiB line of siblings can't exhaust the stack: each round's first piece continues the
/// last part of the rounds before it, exactly as the recursion's `p[last] += postParts.shift()`.
fn parse_comma_parts(s: &[Tok]) -> Vec<Vec<Tok>> {
    if s.is_empty() {
        return vec![Vec::new()];
    }
    let mut parts: Vec<Vec<Tok>> = Vec::new();
    let join = |parts: &mut Vec<Vec<Tok>>, mut pieces: Vec<Vec<Tok>>| match parts.last_mut() {
        Some(last) => {
            last.extend(pieces.remove(0));
            parts.extend(pieces);
        }
        None => *parts = pieces,
    };
    let mut rest = s.to_vec();
    loop {
        let Some(m) = balanced(&rest) else {
            join(&mut parts, split_on(&rest, COMMA));
            return parts;
        };
        let mut p = split_on(&m.pre, COMMA);
        let last = p.last_mut().expect("split gives one part");
        last.push(OPEN);
        last.extend_from_slice(&m.body);
        last.push(CLOSE);
        join(&mut parts, p);
        if m.post.is_empty() {
            return parts;
        }
        rest = m.post;
    }
}

/// `combine`: every `acc[a] + pre + values[v]`, capped in count and total length.
fn combine(
    acc: &[Vec<Tok>],
    pre: &[Tok],
    values: &[Vec<Tok>],
    drop_empties: bool,
) -> Vec<Vec<Tok>> {
    let mut out = Vec::new();
    let mut length = 0;
    for a in acc {
        for v in values {
            if out.len() >= MAX {
                return out;
            }
            let mut e = Vec::with_capacity(a.len() + pre.len() + v.len());
            e.extend_from_slice(a);
            e.extend_from_slice(pre);
            e.extend_from_slice(v);
            if drop_empties && e.is_empty() {
                continue;
            }
            let l = js_len(&e);
            if length + l > MAX_LENGTH {
                return out;
            }
            length += l;
            out.push(e);
        }
    }
    out
}

fn plain(toks: &[Tok]) -> Option<String> {
    toks.iter()
        .map(|&t| {
            if t <= 0x7f {
                Some(t as u8 as char)
            } else {
                None
            }
        })
        .collect()
}

/// `^-?\d+$` for one piece of a numeric sequence.
fn is_int(s: &str) -> bool {
    let d = s.strip_prefix('-').unwrap_or(s);
    !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())
}

fn is_alpha(s: &str) -> bool {
    s.len() == 1 && s.as_bytes()[0].is_ascii_alphabetic()
}

/// `/^-?\d+\.\.-?\d+(?:\.\.-?\d+)?$/` and `/^[a-zA-Z]\.\.[a-zA-Z](?:\.\.-?\d+)?$/`.
fn sequence_kind(body: &[Tok]) -> Option<(bool, String)> {
    let s = plain(body)?;
    let parts: Vec<&str> = s.split("..").collect();
    if parts.len() != 2 && parts.len() != 3 {
        return None;
    }
    if parts.len() == 3 && !is_int(parts[2]) {
        return None;
    }
    if is_int(parts[0]) && is_int(parts[1]) {
        Some((false, s))
    } else if is_alpha(parts[0]) && is_alpha(parts[1]) {
        Some((true, s))
    } else {
        None
    }
}

/// `numeric`: a decimal number, or the first character's code for a letter.
fn numeric(s: &str) -> f64 {
    if is_int(s) {
        // parseInt of a long digit string rounds the way f64 parsing does.
        s.parse::<f64>().unwrap_or(0.0)
    } else {
        s.chars().next().map_or(0.0, |c| c as u32 as f64)
    }
}

/// JavaScript `String(n)` for the integers a sequence produces (below 1e21).
fn js_int_string(n: f64) -> String {
    if n == 0.0 {
        "0".to_string()
    } else {
        format!("{n:.0}")
    }
}

/// `expandSequence`.
fn expand_sequence(body: &str, alpha: bool) -> Vec<Vec<Tok>> {
    let n: Vec<&str> = body.split("..").collect();
    let x = numeric(n[0]);
    let y = numeric(n[1]);
    let width = n[0].len().max(n[1].len());
    let mut incr = if n.len() == 3 {
        numeric(n[2]).abs().max(1.0)
    } else {
        1.0
    };
    let reverse = y < x;
    if reverse {
        incr = -incr;
    }
    let pad = n.iter().any(|p| {
        let d = p.strip_prefix('-').unwrap_or(p).as_bytes();
        d.len() >= 2 && d[0] == b'0' && d[1].is_ascii_digit()
    });
    let mut out = Vec::new();
    let mut length = 0;
    let mut i = x;
    while (if reverse { i >= y } else { i <= y }) && out.len() < MAX {
        let c: String = if alpha {
            match char::from_u32(i as u32) {
                Some('\\') | None => String::new(),
                Some(c) => c.to_string(),
            }
        } else {
            let mut c = js_int_string(i);
            if pad && width > c.len() {
                let z = "0".repeat(width - c.len());
                c = if i < 0.0 {
                    format!("-{z}{}", &c[1..])
                } else {
                    format!("{z}{c}")
                };
            }
            c
        };
        if length + c.len() > MAX_LENGTH {
            break;
        }
        length += c.len();
        out.push(c.chars().map(|c| c as Tok).collect());
        i += incr;
    }
    out
}

fn embrace(s: Vec<Tok>) -> Vec<Tok> {
    let mut out = Vec::with_capacity(s.len() + 2);
    out.push(OPEN);
    out.extend(s);
    out.push(CLOSE);
    out
}

/// `/,(?!,).*\}/`: a comma not followed by a comma, then a `}` later on the same line.
fn has_comma_then_close(post: &[Tok]) -> bool {
    for (i, &t) in post.iter().enumerate() {
        if t != COMMA || post.get(i + 1) == Some(&COMMA) {
            continue;
        }
        for &u in &post[i + 1..] {
            match u {
                CLOSE => return true,
                0x0a | 0x0d | 0x2028 | 0x2029 => break,
                _ => {}
            }
        }
    }
    false
}

/// brace-expansion's iterative `expand_`; `depth` counts the brace sets it is inside of
/// (it recurses into each set's members).
fn expand_(mut s: Vec<Tok>, mut is_top: bool, depth: usize) -> Result<Vec<Vec<Tok>>, TooDeep> {
    if depth > MAX_NESTING {
        return Err(TooDeep);
    }
    let mut acc: Vec<Vec<Tok>> = vec![Vec::new()];
    let mut drop_empties = false;
    let mut first_group = true;
    loop {
        let Some(m) = balanced(&s) else {
            return Ok(combine(&acc, &s, &[Vec::new()], drop_empties));
        };
        if m.pre.last() == Some(&('$' as Tok)) {
            let mut lit = m.pre.clone();
            lit.extend(embrace(m.body.clone()));
            acc = combine(&acc, &lit, &[Vec::new()], drop_empties && m.post.is_empty());
            first_group = false;
            if m.post.is_empty() {
                break;
            }
            s = m.post;
            continue;
        }
        let seq = sequence_kind(&m.body);
        let is_options = m.body.contains(&COMMA);
        if seq.is_none() && !is_options {
            if has_comma_then_close(&m.post) {
                // `{a},b}`: the first `}` is literal; try again with it escaped.
                let mut next = m.pre.clone();
                next.push(OPEN);
                next.extend_from_slice(&m.body);
                next.push(ESC_CLOSE);
                next.extend_from_slice(&m.post);
                s = next;
                is_top = true;
                continue;
            }
            let mut lit = m.pre.clone();
            lit.extend(embrace(m.body.clone()));
            lit.extend_from_slice(&m.post);
            return Ok(combine(&acc, &lit, &[Vec::new()], drop_empties));
        }
        if first_group {
            drop_empties = is_top && seq.is_none();
            first_group = false;
        }
        let values: Vec<Vec<Tok>> = if let Some((alpha, body)) = &seq {
            expand_sequence(body, *alpha)
        } else {
            let mut n = parse_comma_parts(&m.body);
            if n.len() == 1 {
                // x{{a,b}}y ==> x{a}y x{b}y
                n = expand_(n.remove(0), false, depth + 1)?
                    .into_iter()
                    .map(embrace)
                    .collect();
                if n.len() == 1 {
                    let mut lit = m.pre.clone();
                    lit.extend_from_slice(&n[0]);
                    acc = combine(&acc, &lit, &[Vec::new()], drop_empties && m.post.is_empty());
                    if m.post.is_empty() {
                        break;
                    }
                    s = m.post;
                    continue;
                }
            }
            let drops_empties = drop_empties
                && m.post.is_empty()
                && m.pre.is_empty()
                && acc.iter().all(|a| a.is_empty());
            let mut values = Vec::new();
            let mut values_len = 0;
            'outer: for part in n {
                for v in expand_(part, false, depth + 1)? {
                    if drops_empties && v.is_empty() {
                        continue;
                    }
                    let l = js_len(&v);
                    if values.len() >= MAX || values_len + l > MAX_LENGTH {
                        break 'outer;
                    }
                    values_len += l;
                    values.push(v);
                }
            }
            values
        };
        acc = combine(&acc, &m.pre, &values, drop_empties && m.post.is_empty());
        if m.post.is_empty() {
            break;
        }
        s = m.post;
    }
    Ok(acc)
}

#[cfg(test)]
mod tests {
    use super::{brace_expand, TooDeep, MAX_NESTING};

    fn ex(p: &str) -> Vec<String> {
        brace_expand(p).unwrap()
    }

    #[test]
    fn sets_and_nesting() {
        assert_eq!(ex("a{b,c}d"), ["abd", "acd"]);
        assert_eq!(ex("a{b,c{d,e}f}g"), ["abg", "acdfg", "acefg"]);
        assert_eq!(ex("{a,b}{c,d}"), ["ac", "ad", "bc", "bd"]);
        assert_eq!(ex("readme{,.*[^~$]}"), ["readme", "readme.*[^~$]"]);
        assert_eq!(ex("a{,b}"), ["a", "ab"]);
        assert_eq!(ex("x{{a,b}}y"), ["x{a}y", "x{b}y"]);
    }

    #[test]
    fn sequences() {
        assert_eq!(ex("{1..3}"), ["1", "2", "3"]);
        assert_eq!(ex("{3..1}"), ["3", "2", "1"]);
        assert_eq!(ex("{a..c}"), ["a", "b", "c"]);
        assert_eq!(ex("{01..3}"), ["01", "02", "03"]);
        assert_eq!(ex("{1..7..3}"), ["1", "4", "7"]);
        assert_eq!(ex("{-1..1}"), ["-1", "0", "1"]);
    }

    #[test]
    fn invalid_sets_stay_literal() {
        assert_eq!(ex("a{b}c"), ["a{b}c"]);
        assert_eq!(ex("a{2..}b"), ["a{2..}b"]);
        assert_eq!(ex("{}"), ["{}"]);
        assert_eq!(ex("a{b"), ["a{b"]);
        assert_eq!(ex("${a,b}"), ["${a,b}"]);
        assert_eq!(ex("{a},b}"), ["a}", "b"]);
    }

    #[test]
    fn nesting_is_bounded_instead_of_overflowing_the_stack() {
        let nested = |n: usize| format!("{}b{}", "{a,".repeat(n), "}".repeat(n));
        // `a` once per level (minimatch drops the repeats later), then `b`.
        let ok = ex(&nested(MAX_NESTING));
        assert_eq!(
            (ok.len(), ok.last().map(String::as_str)),
            (MAX_NESTING + 1, Some("b"))
        );
        // 20,000 levels (the 64 KiB line limit allows ~16,000) overflowed the main
        // thread's stack; node throws from ~4,000.
        assert_eq!(brace_expand(&nested(MAX_NESTING + 1)), Err(TooDeep));
        assert_eq!(brace_expand(&nested(16_000)), Err(TooDeep));
        let single = |n: usize| format!("{}a,b{}", "{".repeat(n), "}".repeat(n));
        assert_eq!(brace_expand(&single(16_000)), Err(TooDeep));
        // A long chain of sibling sets is no nesting at all.
        assert_eq!(ex(&format!("{{x,{}}}", "{a}".repeat(6_000))).len(), 2);
    }

    #[test]
    fn escapes_come_back_changed() {
        // Without a brace set nothing is touched…
        assert_eq!(ex("a\\\\b"), ["a\\\\b"]);
        // …with one, `\\` comes back as one backslash and `\,` as a comma.
        assert_eq!(ex("a\\\\{b,c}"), ["a\\b", "a\\c"]);
        assert_eq!(ex("{a\\,b,c}"), ["a,b", "c"]);
    }
}
