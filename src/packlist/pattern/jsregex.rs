//! A small backtracking engine for the JavaScript regular expressions minimatch builds for
//! one path segment (`new RegExp('^' + src + '$', 'i' or 'iu')`).
//!
//! Why not the `regex` crate: minimatch's sources use negative lookahead (`!(…)` extglobs
//! and the `.`/`..` guard), and JavaScript's case-insensitive matching is not Unicode simple
//! case folding unless the `u` flag is set: without it, the regex runs over UTF-16 code
//! units and compares `toUpperCase` of each unit (never mapping non-ASCII onto ASCII), so
//! `ſ` does not match `s` and `?` matches half of an emoji. This engine does both modes.
//!
//! Syntax errors JavaScript would raise (minimatch then throws) are errors here: a
//! quantifier with nothing to repeat, and, in `u` mode, identity escapes of non-syntax
//! characters such as `\-` outside a class.

use regex_syntax::hir::{Class as HirClass, ClassUnicode, ClassUnicodeRange, HirKind};
use std::cell::Cell;
use std::sync::OnceLock;

/// A compiled segment regex.
#[derive(Debug)]
pub(super) struct JsRegex {
    alts: Vec<Vec<Node>>,
    unicode: bool,
    /// Canonical units every match starts with / ends with (non-`u`, one anchored
    /// alternative): a cheap rejection before any backtracking.
    prefix: Vec<u32>,
    suffix: Vec<u32>,
}

#[derive(Debug)]
enum Node {
    /// A literal unit, already canonicalised (non-`u` mode).
    Unit(u32),
    /// A set of units/code points.
    Set(Box<CharSet>),
    Start,
    End,
    Group(Vec<Vec<Node>>),
    Look {
        negative: bool,
        alts: Vec<Vec<Node>>,
    },
    Repeat {
        alts: Vec<Vec<Node>>,
        min: u32,
        max: u32,
        greedy: bool,
    },
}

const INF: u32 = u32::MAX;

/// A character class: sorted, merged ranges, and whether the class is negated. In `u` mode
/// the ranges are already closed under case folding; in non-`u` mode membership is tested
/// through the canonicalisation table.
#[derive(Debug)]
struct CharSet {
    ranges: Vec<(u32, u32)>,
    negated: bool,
    /// Non-`u` mode: test the units that canonicalise alike too.
    fold_units: bool,
}

impl CharSet {
    fn contains_raw(&self, c: u32) -> bool {
        self.ranges
            .binary_search_by(|&(lo, hi)| {
                if hi < c {
                    std::cmp::Ordering::Less
                } else if lo > c {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
    }

    fn matches(&self, c: u32) -> bool {
        let mut hit = self.contains_raw(c);
        if !hit && self.fold_units {
            hit = equivalents(c).any(|x| self.contains_raw(x));
        }
        hit != self.negated
    }
}

/// Why a regex could not be built (JavaScript would throw a `SyntaxError`).
#[derive(Debug)]
pub(super) struct RegexError(pub(super) String);

/// A subject string: UTF-16 code units (non-`u`) or code points (`u`).
pub(super) trait Subject {
    fn len(&self) -> usize;
    fn at(&self, i: usize) -> u32;
}

impl Subject for [u8] {
    fn len(&self) -> usize {
        <[u8]>::len(self)
    }
    fn at(&self, i: usize) -> u32 {
        self[i] as u32
    }
}

impl Subject for [u32] {
    fn len(&self) -> usize {
        <[u32]>::len(self)
    }
    fn at(&self, i: usize) -> u32 {
        self[i]
    }
}

/// Past this many steps a match attempt gives up (and reports no match) instead of running
/// for ever on a pathological pattern; JavaScript would grind on. No real ignore line
/// comes near it.
const STEP_LIMIT: u32 = 2_000_000;

/// Past this much stack a match attempt gives up (no match) rather than overflow: the
/// continuations nest once per node passed, so only a name of many hundreds of characters
/// against a backtracking glob gets near it (file names stop at 255 bytes on most systems).
const STACK_BUDGET: usize = 512 * 1024;

struct Run<'a, S: Subject + ?Sized> {
    s: &'a S,
    steps: Cell<u32>,
    /// The address of a local in the outermost frame: the stack used is measured from it.
    base: usize,
}

/// An address inside the current stack frame.
#[inline(always)]
fn stack_addr() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

impl JsRegex {
    /// Parses `'^' + source + '$'` (string concatenation, like minimatch: an unescaped `|`
    /// in the source splits the anchors between alternatives) with flag `i`, and `u` if
    /// `unicode`.
    pub(super) fn new(source: &[u16], unicode: bool) -> Result<JsRegex, RegexError> {
        let mut full = Vec::with_capacity(source.len() + 2);
        full.push(u16::from(b'^'));
        full.extend_from_slice(source);
        full.push(u16::from(b'$'));
        let units: Vec<u32> = if unicode {
            char::decode_utf16(full.iter().copied())
                .map(|r| r.map_or_else(|e| e.unpaired_surrogate() as u32, |c| c as u32))
                .collect()
        } else {
            full.iter().map(|&u| u as u32).collect()
        };
        let mut p = Parser {
            s: &units,
            i: 0,
            unicode,
        };
        let alts = p.disjunction()?;
        if p.i < units.len() {
            return Err(RegexError("Unmatched ')'".into()));
        }
        let (prefix, suffix) = if !unicode && alts.len() == 1 {
            affixes(&alts[0])
        } else {
            (Vec::new(), Vec::new())
        };
        Ok(JsRegex {
            alts,
            unicode,
            prefix,
            suffix,
        })
    }

    /// Whether the regex is `^` + literal units + `$` (non-`u`): returns the canonical units.
    pub(super) fn as_literal(&self) -> Option<Vec<u32>> {
        if self.unicode || self.alts.len() != 1 {
            return None;
        }
        let seq = &self.alts[0];
        if seq.len() < 2
            || !matches!(seq[0], Node::Start)
            || !matches!(seq[seq.len() - 1], Node::End)
        {
            return None;
        }
        seq[1..seq.len() - 1]
            .iter()
            .map(|n| match n {
                Node::Unit(u) => Some(*u),
                _ => None,
            })
            .collect()
    }

    /// Tests a path segment.
    pub(super) fn test(&self, s: &str) -> bool {
        if s.is_ascii() {
            let b = s.as_bytes();
            // Non-ASCII units never canonicalise to ASCII, so they cannot match here.
            let same = |x: &u8, u: &u32| x.to_ascii_uppercase() as u32 == *u;
            if b.len() < self.prefix.len().max(self.suffix.len())
                || !b.iter().zip(&self.prefix).all(|(x, u)| same(x, u))
                || !b
                    .iter()
                    .rev()
                    .zip(self.suffix.iter().rev())
                    .all(|(x, u)| same(x, u))
            {
                return false;
            }
            return self.run(b);
        }
        let units: Vec<u32> = if self.unicode {
            s.chars().map(|c| c as u32).collect()
        } else {
            s.encode_utf16().map(|u| u as u32).collect()
        };
        self.run(&units[..])
    }

    fn run<S: Subject + ?Sized>(&self, s: &S) -> bool {
        let r = Run {
            s,
            steps: Cell::new(0),
            base: stack_addr(),
        };
        // `RegExp.test` searches: an alternative without `^` may match anywhere.
        let anchored = self
            .alts
            .iter()
            .all(|a| matches!(a.first(), Some(Node::Start)));
        let last = if anchored { 0 } else { s.len() };
        (0..=last).any(|start| r.alts(&self.alts, start, &mut |_| true))
    }
}

/// The literal units an anchored sequence must start and end with: after `^` (lookaheads
/// are zero-width, so they are skipped) and before a final `$`.
fn affixes(seq: &[Node]) -> (Vec<u32>, Vec<u32>) {
    let Some((Node::Start, rest)) = seq.split_first() else {
        return (Vec::new(), Vec::new());
    };
    let prefix = rest
        .iter()
        .skip_while(|n| matches!(n, Node::Look { .. }))
        .map_while(|n| match n {
            Node::Unit(u) => Some(*u),
            _ => None,
        })
        .collect();
    let suffix = match rest.split_last() {
        Some((Node::End, body)) => {
            let mut v: Vec<u32> = body
                .iter()
                .rev()
                .map_while(|n| match n {
                    Node::Unit(u) => Some(*u),
                    _ => None,
                })
                .collect();
            v.reverse();
            v
        }
        _ => Vec::new(),
    };
    (prefix, suffix)
}

impl<S: Subject + ?Sized> Run<'_, S> {
    /// Whether the recursion has used up its stack budget.
    fn deep(&self) -> bool {
        stack_addr().abs_diff(self.base) > STACK_BUDGET
    }

    fn tick(&self) -> bool {
        let n = self.steps.get() + 1;
        self.steps.set(n);
        n < STEP_LIMIT
    }

    fn alts(&self, alts: &[Vec<Node>], pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        alts.iter().any(|seq| self.seq(seq, pos, k))
    }

    fn seq(&self, seq: &[Node], pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        if !self.tick() {
            return false;
        }
        let Some((first, rest)) = seq.split_first() else {
            return k(pos);
        };
        if rest.is_empty() {
            return self.node(first, pos, k);
        }
        if self.deep() {
            return false;
        }
        self.node(first, pos, &mut |p| self.seq(rest, p, k))
    }

    fn node(&self, n: &Node, pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        let len = self.s.len();
        match n {
            Node::Unit(c) => pos < len && canon(self.s.at(pos)) == *c && k(pos + 1),
            Node::Set(set) => pos < len && set.matches(self.s.at(pos)) && k(pos + 1),
            Node::Start => pos == 0 && k(pos),
            Node::End => pos == len && k(pos),
            Node::Group(alts) => self.alts(alts, pos, k),
            Node::Look { negative, alts } => {
                let found = self.alts(alts, pos, &mut |_| true);
                found != *negative && k(pos)
            }
            Node::Repeat {
                alts,
                min,
                max,
                greedy,
            } => self.repeat(alts, *min, *max, *greedy, pos, k),
        }
    }

    /// ECMAScript's RepeatMatcher (an iteration that matches empty ends the loop).
    fn repeat(
        &self,
        alts: &[Vec<Node>],
        min: u32,
        max: u32,
        greedy: bool,
        pos: usize,
        k: &mut dyn FnMut(usize) -> bool,
    ) -> bool {
        if max == 0 {
            return k(pos);
        }
        if !self.tick() {
            return false;
        }
        let next_min = min.saturating_sub(1);
        let next_max = if max == INF { INF } else { max - 1 };
        let body = |k: &mut dyn FnMut(usize) -> bool| {
            if self.deep() {
                return false;
            }
            self.alts(alts, pos, &mut |p| {
                if min == 0 && p == pos {
                    return false;
                }
                self.repeat(alts, next_min, next_max, greedy, p, k)
            })
        };
        if min != 0 {
            return body(k);
        }
        // Clippy reads `||` as commutative; the order is the point (greedy tries more first).
        #[allow(clippy::if_same_then_else)]
        if greedy {
            body(k) || k(pos)
        } else {
            k(pos) || body(k)
        }
    }
}

struct Parser<'a> {
    s: &'a [u32],
    i: usize,
    unicode: bool,
}

fn err<T>(m: &str) -> Result<T, RegexError> {
    Err(RegexError(m.to_string()))
}

const SYNTAX_CHARS: &str = "^$\\.*+?()[]{}|/";

impl Parser<'_> {
    fn peek(&self) -> Option<u32> {
        self.s.get(self.i).copied()
    }

    fn peek_is(&self, c: char) -> bool {
        self.peek() == Some(c as u32)
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek_is(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn disjunction(&mut self) -> Result<Vec<Vec<Node>>, RegexError> {
        let mut alts = vec![self.alternative()?];
        while self.eat('|') {
            alts.push(self.alternative()?);
        }
        Ok(alts)
    }

    fn alternative(&mut self) -> Result<Vec<Node>, RegexError> {
        let mut nodes = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' as u32 || c == ')' as u32 {
                break;
            }
            self.term(&mut nodes)?;
        }
        Ok(nodes)
    }

    fn is_quantifier_start(&self) -> bool {
        match self.peek().and_then(char::from_u32) {
            Some('*' | '+' | '?') => true,
            Some('{') => self.brace_quantifier_len().is_some(),
            _ => false,
        }
    }

    /// Length of a `{n}`, `{n,}` or `{n,m}` at the cursor.
    fn brace_quantifier_len(&self) -> Option<(usize, u32, u32)> {
        let rest = &self.s[self.i..];
        let mut j = 1;
        let digits = |j: &mut usize| -> Option<u32> {
            let st = *j;
            let mut v: u64 = 0;
            while *j < rest.len() && (b'0' as u32..=b'9' as u32).contains(&rest[*j]) {
                v = (v * 10 + (rest[*j] - b'0' as u32) as u64).min(INF as u64 - 1);
                *j += 1;
            }
            (*j > st).then_some(v as u32)
        };
        let min = digits(&mut j)?;
        let max = if rest.get(j) == Some(&(',' as u32)) {
            j += 1;
            digits(&mut j).unwrap_or(INF)
        } else {
            min
        };
        (rest.get(j) == Some(&('}' as u32))).then_some((j + 1, min, max))
    }

    fn term(&mut self, nodes: &mut Vec<Node>) -> Result<(), RegexError> {
        let c = self.peek().expect("caller checked");
        let ch = char::from_u32(c).unwrap_or('\u{fffd}');
        self.i += 1;
        let (atom, quantifiable) = match ch {
            '^' => (Node::Start, false),
            '$' => (Node::End, false),
            '(' => {
                if self.peek_is('?') {
                    self.i += 1;
                    let kind = self.peek().and_then(char::from_u32);
                    self.i += 1;
                    let alts = self.disjunction()?;
                    if !self.eat(')') {
                        return err("Unterminated group");
                    }
                    match kind {
                        Some(':') => (Node::Group(alts), true),
                        Some('=') => (
                            Node::Look {
                                negative: false,
                                alts,
                            },
                            !self.unicode,
                        ),
                        Some('!') => (
                            Node::Look {
                                negative: true,
                                alts,
                            },
                            !self.unicode,
                        ),
                        _ => return err("Invalid group"),
                    }
                } else {
                    let alts = self.disjunction()?;
                    if !self.eat(')') {
                        return err("Unterminated group");
                    }
                    (Node::Group(alts), true)
                }
            }
            '[' => (self.class()?, true),
            '.' => (
                Node::Set(Box::new(CharSet {
                    ranges: vec![(0x0a, 0x0a), (0x0d, 0x0d), (0x2028, 0x2029)],
                    negated: true,
                    fold_units: false,
                })),
                true,
            ),
            '\\' => (self.atom_escape()?, true),
            '*' | '+' | '?' => return err("Nothing to repeat"),
            '{' if self.unicode => return err("Lone quantifier brackets"),
            '{' => {
                self.i -= 1;
                if self.brace_quantifier_len().is_some() {
                    return err("Nothing to repeat");
                }
                self.i += 1;
                (self.literal(c), true)
            }
            '}' | ']' if self.unicode => return err("Lone quantifier brackets"),
            _ => (self.literal(c), true),
        };
        if !self.is_quantifier_start() {
            nodes.push(atom);
            return Ok(());
        }
        if !quantifiable {
            return err("Nothing to repeat");
        }
        let (min, max) = match self.peek().and_then(char::from_u32) {
            Some('*') => {
                self.i += 1;
                (0, INF)
            }
            Some('+') => {
                self.i += 1;
                (1, INF)
            }
            Some('?') => {
                self.i += 1;
                (0, 1)
            }
            _ => {
                let (len, min, max) = self.brace_quantifier_len().expect("checked");
                if max < min {
                    return err("numbers out of order in {} quantifier");
                }
                self.i += len;
                (min, max)
            }
        };
        let greedy = !self.eat('?');
        let alts = match atom {
            Node::Group(alts) => alts,
            other => vec![vec![other]],
        };
        nodes.push(Node::Repeat {
            alts,
            min,
            max,
            greedy,
        });
        Ok(())
    }

    /// A literal character as a node: canonicalised (non-`u`) or a folded set (`u`).
    fn literal(&self, c: u32) -> Node {
        if self.unicode {
            Node::Set(Box::new(unicode_set(&[Item::Range(c, c)], false)))
        } else {
            Node::Unit(canon(c))
        }
    }

    fn atom_escape(&mut self) -> Result<Node, RegexError> {
        match self.escape(false)? {
            Item::Range(c, _) => Ok(self.literal(c)),
            item => Ok(Node::Set(Box::new(self.make_set(&[item], false)))),
        }
    }

    /// One escape after a `\` (inside a class when `in_class`).
    fn escape(&mut self, in_class: bool) -> Result<Item, RegexError> {
        let Some(c) = self.peek() else {
            return err("\\ at end of pattern");
        };
        self.i += 1;
        let ch = char::from_u32(c).unwrap_or('\u{fffd}');
        let single = |v: u32| Ok(Item::Range(v, v));
        match ch {
            't' => single(9),
            'n' => single(10),
            'v' => single(11),
            'f' => single(12),
            'r' => single(13),
            'b' if in_class => single(8),
            '0' if !self
                .peek()
                .is_some_and(|d| (b'0' as u32..=b'9' as u32).contains(&d)) =>
            {
                single(0)
            }
            'd' => Ok(Item::Digit(false)),
            'D' => Ok(Item::Digit(true)),
            'w' => Ok(Item::Word(false)),
            'W' => Ok(Item::Word(true)),
            's' => Ok(Item::Space(false)),
            'S' => Ok(Item::Space(true)),
            'x' => {
                let hex = self.hex(2);
                match hex {
                    Some(v) => single(v),
                    None if self.unicode => err("Invalid escape"),
                    None => single('x' as u32),
                }
            }
            'u' => {
                let hex = self.hex(4);
                match hex {
                    Some(v) => single(v),
                    None if self.unicode => err("Invalid Unicode escape"),
                    None => single('u' as u32),
                }
            }
            'p' | 'P' if self.unicode => {
                if !self.eat('{') {
                    return err("Invalid property name");
                }
                let st = self.i;
                while self.peek().is_some_and(|c| c != '}' as u32) {
                    self.i += 1;
                }
                let name: String = self.s[st..self.i]
                    .iter()
                    .filter_map(|&c| char::from_u32(c))
                    .collect();
                if !self.eat('}') {
                    return err("Invalid property name");
                }
                Ok(Item::Property(name, ch == 'P'))
            }
            '-' if in_class && self.unicode => single(c),
            _ if self.unicode => {
                if SYNTAX_CHARS.contains(ch) {
                    single(c)
                } else {
                    err("Invalid escape")
                }
            }
            '1'..='9' | 'b' | 'B' | 'k' | 'c' if !in_class => err("unsupported escape"),
            _ => single(c),
        }
    }

    fn hex(&mut self, n: usize) -> Option<u32> {
        let digits = self.s.get(self.i..self.i + n)?;
        let mut v = 0;
        for &d in digits {
            v = v * 16 + char::from_u32(d)?.to_digit(16)?;
        }
        self.i += n;
        Some(v)
    }

    fn class_atom(&mut self) -> Result<Item, RegexError> {
        let c = self
            .peek()
            .ok_or_else(|| RegexError("Unterminated character class".into()))?;
        self.i += 1;
        if c == '\\' as u32 {
            self.escape(true)
        } else {
            Ok(Item::Range(c, c))
        }
    }

    fn class(&mut self) -> Result<Node, RegexError> {
        let negated = self.eat('^');
        let mut items = Vec::new();
        loop {
            match self.peek() {
                None => return err("Unterminated character class"),
                Some(c) if c == ']' as u32 => {
                    self.i += 1;
                    break;
                }
                _ => {}
            }
            let a = self.class_atom()?;
            if self.peek_is('-')
                && self.s.get(self.i + 1) != Some(&(']' as u32))
                && self.s.get(self.i + 1).is_some()
            {
                self.i += 1;
                let b = self.class_atom()?;
                match (&a, &b) {
                    (Item::Range(lo, _), Item::Range(hi, _)) => {
                        if lo > hi {
                            return err("Range out of order in character class");
                        }
                        items.push(Item::Range(*lo, *hi));
                    }
                    _ if self.unicode => return err("Invalid character class"),
                    _ => {
                        items.push(a);
                        items.push(Item::Range('-' as u32, '-' as u32));
                        items.push(b);
                    }
                }
            } else {
                items.push(a);
            }
        }
        Ok(Node::Set(Box::new(self.make_set(&items, negated))))
    }

    fn make_set(&self, items: &[Item], negated: bool) -> CharSet {
        if self.unicode {
            return unicode_set(items, negated);
        }
        let mut ranges = Vec::new();
        for item in items {
            item.push_ranges(&mut ranges, false);
        }
        CharSet {
            ranges: normalize(ranges),
            negated,
            fold_units: true,
        }
    }
}

/// One member of a class.
enum Item {
    Range(u32, u32),
    Digit(bool),
    Word(bool),
    Space(bool),
    Property(String, bool),
}

fn complement(ranges: Vec<(u32, u32)>, top: u32) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut next = 0u32;
    for (lo, hi) in normalize(ranges) {
        if lo > next {
            out.push((next, lo - 1));
        }
        next = hi.saturating_add(1);
    }
    if next <= top {
        out.push((next, top));
    }
    out
}

impl Item {
    fn push_ranges(&self, out: &mut Vec<(u32, u32)>, unicode: bool) {
        let top = if unicode { 0x10ffff } else { 0xffff };
        let (base, neg): (Vec<(u32, u32)>, bool) = match self {
            Item::Range(a, b) => {
                out.push((*a, *b));
                return;
            }
            Item::Digit(n) => (vec![(0x30, 0x39)], *n),
            Item::Word(n) => (
                vec![(0x30, 0x39), (0x41, 0x5a), (0x5f, 0x5f), (0x61, 0x7a)],
                *n,
            ),
            Item::Space(n) => (
                (0..=0xffffu32)
                    .filter(|&c| super::ast::is_js_space(c as u16))
                    .map(|c| (c, c))
                    .collect(),
                *n,
            ),
            Item::Property(name, n) => (property_ranges(name), *n),
        };
        if neg {
            out.extend(complement(base, top));
        } else {
            out.extend(base);
        }
    }
}

fn normalize(mut ranges: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    ranges.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
    for (lo, hi) in ranges {
        match out.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

fn property_ranges(name: &str) -> Vec<(u32, u32)> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(&format!("\\p{{{name}}}"));
    match hir.as_ref().map(|h| h.kind()) {
        Ok(HirKind::Class(HirClass::Unicode(cls))) => cls
            .ranges()
            .iter()
            .map(|r| (r.start() as u32, r.end() as u32))
            .collect(),
        _ => Vec::new(),
    }
}

/// A `u`-mode set closed under simple case folding (JavaScript's `iu` semantics), then
/// negated if needed.
fn unicode_set(items: &[Item], negated: bool) -> CharSet {
    let mut ranges = Vec::new();
    for item in items {
        item.push_ranges(&mut ranges, true);
    }
    let mut cls = ClassUnicode::new(ranges.iter().filter_map(|&(lo, hi)| {
        // Lone surrogates cannot be chars; a path never contains them either.
        let lo = char::from_u32(lo).or_else(|| char::from_u32(lo.max(0xe000)))?;
        let hi = char::from_u32(hi).or_else(|| char::from_u32(hi.min(0xd7ff)))?;
        (lo <= hi).then(|| ClassUnicodeRange::new(lo, hi))
    }));
    cls.case_fold_simple();
    CharSet {
        ranges: cls
            .ranges()
            .iter()
            .map(|r| (r.start() as u32, r.end() as u32))
            .collect(),
        negated,
        fold_units: false,
    }
}

/// JavaScript's non-`u` `Canonicalize`: the `toUpperCase` of a code unit if that is one
/// code unit and does not map non-ASCII onto ASCII.
pub(super) fn canon(c: u32) -> u32 {
    if c < 0x80 {
        return (c as u8).to_ascii_uppercase() as u32;
    }
    tables().canon[c as usize & 0xffff] as u32
}

struct Tables {
    canon: Vec<u16>,
    /// For each canonical unit shared by several units: all of them (sorted by canon).
    classes: Vec<(u16, u16)>,
}

fn compute_canon(c: u16) -> u16 {
    let Some(ch) = char::from_u32(c as u32) else {
        return c;
    };
    let mut up = ch.to_uppercase();
    let (Some(first), None) = (up.next(), up.next()) else {
        return c;
    };
    let cu = first as u32;
    if cu > 0xffff || (c >= 0x80 && cu < 0x80) {
        return c;
    }
    cu as u16
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let canon: Vec<u16> = (0..=0xffffu32).map(|c| compute_canon(c as u16)).collect();
        let mut classes: Vec<(u16, u16)> = canon
            .iter()
            .enumerate()
            .map(|(c, &k)| (k, c as u16))
            .collect();
        classes.sort_unstable();
        Tables { canon, classes }
    })
}

/// Every unit whose canonical form equals that of `c` (including `c`).
fn equivalents(c: u32) -> impl Iterator<Item = u32> {
    let (lo, hi) = if c < 0x80 {
        let b = c as u8;
        (b.to_ascii_lowercase() as u32, b.to_ascii_uppercase() as u32)
    } else {
        (c, c)
    };
    let ascii = (c < 0x80).then_some([lo, hi]);
    let rest: &'static [(u16, u16)] = if !(0x80..=0xffff).contains(&c) {
        &[]
    } else {
        let t = tables();
        let k = t.canon[c as usize];
        let start = t.classes.partition_point(|&(kk, _)| kk < k);
        let end = t.classes.partition_point(|&(kk, _)| kk <= k);
        &t.classes[start..end]
    };
    ascii
        .into_iter()
        .flatten()
        .chain(rest.iter().map(|&(_, u)| u as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(src: &str, u: bool, s: &str) -> bool {
        let src: Vec<u16> = src.encode_utf16().collect();
        JsRegex::new(&src, u).expect("valid").test(s)
    }

    #[test]
    fn basics() {
        assert!(t(r"[^/]*?\.js", false, "A.JS"));
        assert!(!t(r"[^/]*?\.js", false, "a.jsx"));
        assert!(t(r"(?!(?:^|/)\.\.?(?:$|/))[^/]*?", false, ".x"));
        assert!(!t(r"(?!(?:^|/)\.\.?(?:$|/))[^/]*?", false, ".."));
        assert!(t("(?:a|b)+", false, "abba"));
        assert!(!t("(?:a|b)+", false, ""));
        assert!(t(
            r"x(?:(?!(?:ay(?:$|\/)|by(?:$|\/)))[^/]*?)y",
            false,
            "xcy"
        ));
        assert!(!t(
            r"x(?:(?!(?:ay(?:$|\/)|by(?:$|\/)))[^/]*?)y",
            false,
            "xay"
        ));
    }

    #[test]
    fn case_folding_modes() {
        // Non-u: ſ (U+017F) upper-cases to S, but non-ASCII never maps onto ASCII.
        assert!(!t("s", false, "ſ"));
        assert!(t("é", false, "É"));
        // u mode: simple case folding makes ſ and s equal, and K (Kelvin) and k.
        assert!(t("[s\\p{Nd}]", true, "ſ"));
        assert!(t("[k\\p{Nd}]", true, "\u{212a}"));
        // Non-u `?` is one UTF-16 unit: an emoji needs two.
        assert!(!t("[^/]", false, "😀"));
        assert!(t("[^/][^/]", false, "😀"));
        assert!(t("[^/]", true, "😀"));
    }

    #[test]
    fn errors_like_javascript() {
        let bad =
            |s: &str, u: bool| JsRegex::new(&s.encode_utf16().collect::<Vec<_>>(), u).is_err();
        assert!(bad(r"[\p{L}]\-x", true));
        assert!(!bad(r"a\-x", false));
        assert!(bad("*a", false));
        assert!(bad("(?!a)*", true));
        assert!(!bad("(?!a)*", false));
    }
}
