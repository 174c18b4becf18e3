//! Ignore-file patterns with npm's exact semantics: a port of the part of minimatch 10.2.5
//! that npm-packlist 10.0.4 and ignore-walk 8 use, with their fixed options
//! `{matchBase: true, dot: true, flipNegate: true, nocase: true}`, posix paths and the
//! default optimisation level 1. The rules are §6 of `docs/npm-pack-rules.md`.
//!
//! Pipeline for one line (`Pattern::new`):
//! 1. a leading run of `!` sets `negate` when its length is odd (`!!x` is positive, and
//!    `!(keep).txt` is the negation of `(keep).txt`);
//! 2. brace expansion (`braces`), duplicates removed;
//! 3. each expansion split on `/+` (`/x` starts with an empty segment, `x/` ends with one);
//! 4. level-1 optimisation: `**/**` → `**`, `x/..` → nothing (`.` segments stay, so `./a`
//!    never matches `a`);
//! 5. each segment compiled: `**` is the globstar; a segment without magic and without
//!    cased letters compares exactly; otherwise minimatch's regex source is built (`ast`)
//!    and run by `jsregex`, with minimatch's own shortcuts (`*`, `*.ext`, `??`, `*.*`,
//!    `.*`) used where minimatch uses them, because they differ from the regex at the edges
//!    (`*\.js` means "ends in `\.js`" there).
//!
//! Known differences from minimatch, all unreachable in practice: a pathological segment
//! that needs more than two million backtracking steps is reported as not matching (node
//! would keep going), numeric brace sequences beyond 1e21 print differently, Unicode
//! tables follow Rust's Unicode version rather than node's ICU, and a segment whose negated
//! extglobs copy more than 262,144 parts into each other is a pattern error (minimatch
//! spends minutes building a regex of millions of characters; leakgate ran out of memory).

mod ast;
mod braces;
mod jsregex;

use jsregex::JsRegex;

/// minimatch rejects patterns longer than this many UTF-16 units.
const MAX_PATTERN_LENGTH: usize = 64 * 1024;

/// One compiled ignore-file line.
#[derive(Debug)]
pub struct Pattern {
    source: String,
    negate: bool,
    kind: Kind,
    short_part: bool,
    /// The brace expansions of the line after its leading `!`s (empty for a comment or
    /// the empty pattern).
    expansions: Vec<String>,
}

#[derive(Debug)]
enum Kind {
    /// Starts with `#`: matches nothing.
    Comment,
    /// The empty pattern: matches only the empty path.
    Empty,
    /// The compiled alternatives (minimatch's `set`).
    Set(Vec<Alternative>),
}

/// One brace expansion, split and compiled.
#[derive(Debug)]
struct Alternative {
    segments: Vec<Segment>,
    has_globstar: bool,
}

/// One compiled path segment.
#[derive(Debug)]
enum Segment {
    /// `**`.
    Globstar,
    /// No magic and no case: compared with `==`.
    Exact(String),
    /// A case-insensitive literal (the regex is `^literal$`): canonical UTF-16 units.
    Literal(Vec<u32>),
    /// One of minimatch's shortcut tests.
    Fast(Fast),
    /// A real regex.
    Regex(Box<JsRegex>),
}

/// minimatch's `fastTest` functions for `dot: true, nocase: true`.
#[derive(Debug)]
enum Fast {
    /// `*`, `**…*` (not a whole-segment `**`): any name but `.` and `..`.
    Star,
    /// `*ext`: lower-cased name ends with the lower-cased `ext`.
    StarExt(String),
    /// `??…ext`: UTF-16 length equals the pattern's, not `.`/`..`, ends with `ext`.
    Qmarks { len: usize, ext: String },
    /// `*.*`: contains a dot, not `.`/`..`.
    StarDotStar,
    /// `.*`: starts with a dot, not `.`/`..`.
    DotStar,
}

/// Why a line cannot be compiled: minimatch would throw, so npm fails.
#[derive(Debug, thiserror::Error)]
pub enum PatternError {
    /// Longer than minimatch's 64 KiB limit (counted in UTF-16 units, like JavaScript).
    #[error("pattern is too long ({len} UTF-16 units, the limit is 65536)")]
    TooLong {
        /// The length in UTF-16 units.
        len: usize,
    },
    /// Brace sets nested deeper than leakgate expands (brace-expansion recurses per level,
    /// and node overflows its stack from about 4,000).
    #[error(
        "brace sets nested more than {} deep (brace-expansion overflows its stack)",
        braces::MAX_NESTING
    )]
    BracesTooDeep,
    /// The regular expression minimatch builds is invalid JavaScript (it throws).
    #[error("invalid pattern `{pattern}`: {message}")]
    InvalidRegex {
        /// The offending line.
        pattern: String,
        /// JavaScript's complaint.
        message: String,
    },
}

impl Pattern {
    /// Compiles one (already trimmed, non-comment) line: leading `!` count → negate, brace
    /// expansion, split on /+, level-1 optimisation, segment compilation.
    pub fn new(line: &str) -> Result<Pattern, PatternError> {
        let len = line.encode_utf16().count();
        if len > MAX_PATTERN_LENGTH {
            return Err(PatternError::TooLong { len });
        }
        let mut pattern = Pattern {
            source: line.to_string(),
            negate: false,
            kind: Kind::Comment,
            short_part: false,
            expansions: Vec::new(),
        };
        if line.starts_with('#') {
            return Ok(pattern);
        }
        if line.is_empty() {
            pattern.kind = Kind::Empty;
            return Ok(pattern);
        }
        let bangs = line.len() - line.trim_start_matches('!').len();
        pattern.negate = bangs % 2 == 1;
        let rest = &line[bangs..];

        // Duplicates dropped in order, by hash: up to brace-expansion's 100,000 results,
        // a linear scan per result was quadratic (a line of twenty `{a,b}` sets took 35 s).
        let mut seen = std::collections::HashSet::new();
        let glob_set: Vec<String> = braces::brace_expand(rest)
            .map_err(|braces::TooDeep| PatternError::BracesTooDeep)?
            .into_iter()
            .filter(|e| seen.insert(e.clone()))
            .collect();
        let glob_parts: Vec<Vec<&str>> = glob_set
            .iter()
            .map(|g| level_one_optimize(slash_split(g)))
            .collect();
        pattern.short_part = glob_parts.iter().any(|p| {
            let limit = if p.last().is_some_and(|s| !s.is_empty()) {
                1
            } else {
                2
            };
            p.len() <= limit
        });
        let mut set = Vec::with_capacity(glob_parts.len());
        for parts in &glob_parts {
            let mut segments = Vec::with_capacity(parts.len());
            for seg in parts {
                segments.push(compile_segment(seg).map_err(|message| {
                    PatternError::InvalidRegex {
                        pattern: line.to_string(),
                        message,
                    }
                })?);
            }
            set.push(Alternative {
                has_globstar: segments.iter().any(|s| matches!(s, Segment::Globstar)),
                segments,
            });
        }
        pattern.kind = Kind::Set(set);
        pattern.expansions = glob_set;
        Ok(pattern)
    }

    /// The brace expansions of the line (after its leading `!`s, duplicates removed), in
    /// minimatch's order; empty for a comment or the empty pattern.
    pub fn expansions(&self) -> &[String] {
        &self.expansions
    }

    /// The line as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The line's negation (odd number of leading `!`).
    pub fn negate(&self) -> bool {
        self.negate
    }

    /// ignore-walk's `isRelative` test: some glob part has length <= 1, or <= 2 when its last
    /// segment is empty (trailing slash).
    pub fn has_short_part(&self) -> bool {
        self.short_part
    }

    /// minimatch's `match(path, partial)` with flipNegate: true iff some alternative matches,
    /// whatever `negate` says.
    pub fn matches(&self, path: &str, partial: bool) -> bool {
        let set = match &self.kind {
            Kind::Comment => return false,
            Kind::Empty => return path.is_empty(),
            Kind::Set(set) => set,
        };
        if partial && path == "/" {
            return true;
        }
        // Split only if a multi-segment alternative needs it; matchBase alternatives only
        // need the last non-empty segment, found by scanning back.
        let mut filename: Option<&str> = None;
        let mut buf: [&str; 24] = [""; 24];
        let mut heap: Vec<&str> = Vec::new();
        let mut split: Option<usize> = None;
        for alt in set {
            let hit = if alt.segments.len() == 1 {
                let f = *filename.get_or_insert_with(|| last_name(path));
                match_one(&[f], alt, partial)
            } else {
                let n = *split.get_or_insert_with(|| {
                    split_into(path, &mut buf).unwrap_or_else(|| {
                        heap = SlashSplit::new(path).collect();
                        usize::MAX
                    })
                });
                let file: &[&str] = if n == usize::MAX { &heap } else { &buf[..n] };
                match_one(file, alt, partial)
            };
            if hit {
                return true;
            }
        }
        false
    }
}

/// Splits ignore-file text into compiled rules the way ignore-walk does: split on /\r?\n/,
/// JavaScript trim() (incl. U+FEFF and all Unicode whitespace), drop empty and `#` lines.
pub fn parse_rules(text: &str) -> Result<Vec<Pattern>, PatternError> {
    text.split('\n')
        .map(|l| js_trim(l.strip_suffix('\r').unwrap_or(l)))
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(Pattern::new)
        .collect()
}

/// JavaScript's `String.prototype.trim`: WhiteSpace and LineTerminator at both ends.
pub fn js_trim(s: &str) -> &str {
    s.trim_matches(|c: char| (c as u32) < 0x10000 && ast::is_js_space(c as u16))
}

/// The last non-empty segment of `path` (`""` when there is none): minimatch's matchBase
/// `filename`.
fn last_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    }
}

/// Splits `path` on `/+` into `buf`; `None` when it has more segments than `buf` holds.
fn split_into<'a>(path: &'a str, buf: &mut [&'a str]) -> Option<usize> {
    let mut n = 0;
    for s in SlashSplit::new(path) {
        *buf.get_mut(n)? = s;
        n += 1;
    }
    Some(n)
}

/// `p.split(/\/+/)` without allocating.
struct SlashSplit<'a> {
    rest: Option<&'a str>,
}

impl<'a> SlashSplit<'a> {
    fn new(s: &'a str) -> Self {
        SlashSplit { rest: Some(s) }
    }
}

impl<'a> Iterator for SlashSplit<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        let s = self.rest?;
        match s.find('/') {
            None => {
                self.rest = None;
                Some(s)
            }
            Some(i) => {
                let after = s[i..].trim_start_matches('/');
                self.rest = Some(after);
                Some(&s[..i])
            }
        }
    }
}

fn slash_split(s: &str) -> Vec<&str> {
    SlashSplit::new(s).collect()
}

/// minimatch's `levelOneOptimize`.
fn level_one_optimize(parts: Vec<&str>) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::with_capacity(parts.len());
    for part in parts {
        let prev = out.last().copied();
        if part == "**" && prev == Some("**") {
            continue;
        }
        if part == ".." {
            if let Some(p) = prev {
                if !p.is_empty() && p != ".." && p != "." && p != "**" {
                    out.pop();
                    continue;
                }
            }
        }
        out.push(part);
    }
    if out.is_empty() {
        out.push("");
    }
    out
}

/// minimatch's `parse` for one segment.
fn compile_segment(seg: &str) -> Result<Segment, String> {
    if seg == "**" {
        return Ok(Segment::Globstar);
    }
    if seg.is_empty() {
        return Ok(Segment::Exact(String::new()));
    }
    if let Some(literal) = plain_literal(seg) {
        return Ok(literal);
    }
    compile_magic(seg)
}

/// What [`compile_magic`] makes of a segment that is plainly literal, without building and
/// parsing its regex: a workspace root reads every member's package.json as an ignore file,
/// and each JSON line is a new pattern of mostly literal segments.
///
/// Plain means ASCII without anything minimatch's parser treats specially (`*`, `?`,
/// classes, escapes, extglob openers, braces left over from expansion) and not starting
/// with `.` (minimatch guards those against `.`/`..` traversal in the regex).
fn plain_literal(seg: &str) -> Option<Segment> {
    let b = seg.as_bytes();
    let special = |i: usize| match b[i] {
        b'*' | b'?' | b'[' | b']' | b'(' | b')' | b'|' | b'\\' | b'{' | b'}' => true,
        b'!' | b'+' | b'@' => b.get(i + 1) == Some(&b'('),
        c => !(0x20..0x7f).contains(&c),
    };
    if b.first() == Some(&b'.') || (0..b.len()).any(special) {
        return None;
    }
    // With nocase, a letter makes minimatch build `^literal$` with the `i` flag, whose
    // canonical units are the upper-cased ASCII bytes; without one it compares exactly.
    Some(if b.iter().any(u8::is_ascii_alphabetic) {
        Segment::Literal(
            b.iter()
                .map(|c| u32::from(c.to_ascii_uppercase()))
                .collect(),
        )
    } else {
        Segment::Exact(seg.to_string())
    })
}

/// A segment compiled the way minimatch does: its shortcut tests, or its regex.
fn compile_magic(seg: &str) -> Result<Segment, String> {
    let fast = fast_test(seg);
    let (source, unicode) = match ast::to_mm_pattern(seg)? {
        ast::MmPattern::Str(s) => return Ok(Segment::Exact(s)),
        ast::MmPattern::Regex { source, unicode } => (source, unicode),
    };
    // minimatch builds (and may throw on) the regex even when a shortcut replaces its test.
    let re = JsRegex::new(&source, unicode).map_err(|e| e.0)?;
    if let Some(f) = fast {
        return Ok(Segment::Fast(f));
    }
    if let Some(lit) = re.as_literal() {
        return Ok(Segment::Literal(lit));
    }
    Ok(Segment::Regex(Box::new(re)))
}

/// The characters `[^+@!?*[(]` allowed in a shortcut's extension.
fn ext_char_ok(c: char) -> bool {
    !matches!(c, '+' | '@' | '!' | '?' | '*' | '[' | '(')
}

/// minimatch's shortcut regexes, tried in its order.
fn fast_test(seg: &str) -> Option<Fast> {
    let stars = seg.len() - seg.trim_start_matches('*').len();
    if stars > 0 {
        let ext = &seg[stars..];
        if ext.is_empty() {
            return Some(Fast::Star);
        }
        if ext.chars().all(ext_char_ok) {
            return Some(Fast::StarExt(js_lower(ext)));
        }
        // `^\*+\.\*+$`
        if let Some(after) = ext.strip_prefix('.') {
            if !after.is_empty() && after.bytes().all(|b| b == b'*') {
                return Some(Fast::StarDotStar);
            }
        }
        return None;
    }
    let qmarks = seg.len() - seg.trim_start_matches('?').len();
    if qmarks > 0 {
        let ext = &seg[qmarks..];
        if ext.chars().all(ext_char_ok) {
            return Some(Fast::Qmarks {
                len: seg.encode_utf16().count(),
                ext: js_lower(ext),
            });
        }
        return None;
    }
    if let Some(after) = seg.strip_prefix('.') {
        if !after.is_empty() && after.bytes().all(|b| b == b'*') {
            return Some(Fast::DotStar);
        }
    }
    None
}

/// JavaScript's `toLowerCase`.
fn js_lower(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        s.to_lowercase()
    }
}

/// `f.toLowerCase().endsWith(ext)` with `ext` already lower-cased.
fn lower_ends_with(f: &str, ext: &str) -> bool {
    if f.is_ascii() {
        let (f, e) = (f.as_bytes(), ext.as_bytes());
        f.len() >= e.len() && f[f.len() - e.len()..].eq_ignore_ascii_case(e)
    } else {
        f.to_lowercase().ends_with(ext)
    }
}

impl Fast {
    fn test(&self, f: &str) -> bool {
        let not_dots = f != "." && f != "..";
        match self {
            Fast::Star => !f.is_empty() && not_dots,
            Fast::StarExt(ext) => lower_ends_with(f, ext),
            Fast::Qmarks { len, ext } => {
                let flen = if f.is_ascii() {
                    f.len()
                } else {
                    f.encode_utf16().count()
                };
                flen == *len && not_dots && (ext.is_empty() || lower_ends_with(f, ext))
            }
            Fast::StarDotStar => not_dots && f.contains('.'),
            Fast::DotStar => not_dots && f.starts_with('.'),
        }
    }
}

impl Segment {
    /// One path segment against one pattern segment (never called with `Globstar`).
    fn test(&self, f: &str) -> bool {
        match self {
            Segment::Globstar => false,
            Segment::Exact(s) => f == s,
            Segment::Literal(units) => literal_eq(f, units),
            Segment::Fast(fast) => fast.test(f),
            Segment::Regex(re) => re.test(f),
        }
    }
}

/// Case-insensitive comparison with JavaScript's non-`u` canonicalisation.
fn literal_eq(f: &str, units: &[u32]) -> bool {
    if f.is_ascii() {
        // Non-ASCII units never canonicalise to ASCII, so lengths and bytes must line up.
        let b = f.as_bytes();
        return b.len() == units.len()
            && b.iter()
                .zip(units)
                .all(|(&c, &u)| c.to_ascii_uppercase() as u32 == u);
    }
    let mut n = 0;
    for (i, c) in f.encode_utf16().enumerate() {
        if i >= units.len() || jsregex::canon(c as u32) != units[i] {
            return false;
        }
        n = i + 1;
    }
    n == units.len()
}

/// The three-valued result of minimatch's globstar body search (`true`, `false`, `null`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tri {
    True,
    False,
    Null,
}

/// minimatch's `maxGlobstarRecursion` default.
const MAX_GLOBSTAR_RECURSION: usize = 200;

fn is_dots(f: &str) -> bool {
    f == "." || f == ".."
}

/// `matchOne`.
fn match_one(file: &[&str], alt: &Alternative, partial: bool) -> bool {
    if alt.has_globstar {
        match_globstar(file, &alt.segments, partial)
    } else {
        match_plain(file, 0, &alt.segments, partial)
    }
}

/// `#matchOne`: segment by segment, no globstars; `file` is matched from `fi`.
fn match_plain(file: &[&str], fi: usize, pattern: &[Segment], partial: bool) -> bool {
    let mut fi = fi;
    let mut pi = 0;
    while fi < file.len() && pi < pattern.len() {
        if !pattern[pi].test(file[fi]) {
            return false;
        }
        fi += 1;
        pi += 1;
    }
    if fi == file.len() && pi == pattern.len() {
        true
    } else if fi == file.len() {
        partial
    } else {
        // Pattern exhausted: only one trailing '' path segment may be left.
        fi + 1 == file.len() && file[fi].is_empty()
    }
}

/// `#matchGlobstar`.
fn match_globstar(file: &[&str], pattern: &[Segment], partial: bool) -> bool {
    let is_gs = |s: &Segment| matches!(s, Segment::Globstar);
    let firstgs = pattern.iter().position(is_gs).expect("has a globstar");
    let lastgs = pattern.iter().rposition(is_gs).expect("has a globstar");
    let head = &pattern[..firstgs];
    let (body, tail): (&[Segment], &[Segment]) = if partial {
        (&pattern[firstgs + 1..], &[])
    } else {
        (
            &pattern[(firstgs + 1).min(lastgs)..lastgs],
            &pattern[lastgs + 1..],
        )
    };
    let mut file_index = 0;
    if !head.is_empty() {
        let end = head.len().min(file.len());
        if !match_plain(&file[..end], 0, head, partial) {
            return false;
        }
        file_index += head.len();
    }
    let mut file_tail_match = 0;
    if !tail.is_empty() {
        if tail.len() + file_index > file.len() {
            return false;
        }
        let tail_start = file.len() - tail.len();
        if match_plain(file, tail_start, tail, partial) {
            file_tail_match = tail.len();
        } else {
            if file.last() != Some(&"") || file_index + tail.len() == file.len() {
                return false;
            }
            if !match_plain(file, tail_start - 1, tail, partial) {
                return false;
            }
            file_tail_match = tail.len() + 1;
        }
    }
    if body.is_empty() {
        let mut saw_some = file_tail_match > 0;
        let end = file.len().saturating_sub(file_tail_match);
        for f in file.iter().take(end).skip(file_index) {
            saw_some = true;
            if is_dots(f) {
                return false;
            }
        }
        return partial || saw_some;
    }
    // Body sections between globstars, each with the last file index it may start at.
    let mut sections: Vec<(&[Segment], isize)> = Vec::new();
    let mut start = 0;
    for (i, s) in body.iter().enumerate() {
        if is_gs(s) {
            sections.push((&body[start..i], 0));
            start = i + 1;
        }
    }
    sections.push((&body[start..], 0));
    let file_length = (file.len() - file_tail_match) as isize;
    // Each section's last start index. minimatch pairs section j with the count of
    // non-globstar parts *before* section n-1-j (its `nonGsPartsSums[i--]`); odd, but it
    // is what decides the answers, so it is kept.
    let mut sums = vec![0isize];
    let mut count = 0isize;
    for s in body {
        if is_gs(s) {
            sums.push(count);
        } else {
            count += 1;
        }
    }
    let n = sections.len();
    for (j, s) in sections.iter_mut().enumerate() {
        s.1 = file_length - (sums[n - 1 - j] + s.0.len() as isize);
    }
    body_sections(
        file,
        &sections,
        file_index,
        0,
        partial,
        0,
        file_tail_match > 0,
    ) == Tri::True
}

/// `#matchGlobStarBodySections`.
fn body_sections(
    file: &[&str],
    sections: &[(&[Segment], isize)],
    mut file_index: usize,
    body_index: usize,
    partial: bool,
    depth: usize,
    mut saw_tail: bool,
) -> Tri {
    let Some(&(body, after)) = sections.get(body_index) else {
        for f in &file[file_index.min(file.len())..] {
            saw_tail = true;
            if is_dots(f) {
                return Tri::False;
            }
        }
        return if saw_tail { Tri::True } else { Tri::False };
    };
    while file_index as isize <= after {
        let end = (file_index + body.len()).min(file.len());
        let m = match_plain(&file[..end], file_index, body, partial);
        if m && depth < MAX_GLOBSTAR_RECURSION {
            let sub = body_sections(
                file,
                sections,
                file_index + body.len(),
                body_index + 1,
                partial,
                depth + 1,
                saw_tail,
            );
            if sub != Tri::False {
                return sub;
            }
        }
        if file.get(file_index).is_some_and(|f| is_dots(f)) {
            return Tri::False;
        }
        file_index += 1;
    }
    if partial {
        Tri::True
    } else {
        Tri::Null
    }
}

#[cfg(test)]
mod tests;
