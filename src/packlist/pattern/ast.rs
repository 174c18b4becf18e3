//! One path segment of a glob turned into JavaScript regular-expression source, exactly as
//! minimatch 10.2.5's `AST` (ast.js) and `parseClass` (brace-expressions.js) do it, for the
//! options leakgate uses (`dot: true`, `nocase: true`, extglobs on).
//!
//! The port keeps minimatch's shape on purpose, because its output has quirks npm's answers
//! depend on: extglob "adoption" and "usurping" (`+(a|@(b|c))` is `+(a|b|c)`), negated
//! extglobs copying everything after them into their alternatives, an extglob with an empty
//! body turning back into literal text, `emptyExt` set whenever the last alternative ends
//! empty, the ordering of the `.`/`..` guard. Strings are UTF-16 code units like in
//! JavaScript, because character classes work per code unit there.
//!
//! The output is regex *source*; `jsregex` parses and runs it.

/// A UTF-16 string.
pub(super) type U16s = Vec<u16>;

/// What `toMMPattern` gives for a segment.
pub(super) enum MmPattern {
    /// No magic: the segment compares with `===` against this (unescaped) string.
    Str(String),
    /// A regular expression: `^source$` with the `i` flag, and `u` when `unicode`.
    Regex {
        /// The source between `^` and `$`.
        source: U16s,
        /// Whether minimatch adds the `u` flag (a POSIX class needs `\p{…}`).
        unicode: bool,
    },
}

/// `toMMPattern` for one segment (not `**`, not empty). Fails where node overflows its
/// stack: extglobs nested more than `MAX_NESTING` deep.
pub(super) fn to_mm_pattern(segment: &str) -> Result<MmPattern, String> {
    let glob: U16s = segment.encode_utf16().collect();
    let mut ast = Ast::new();
    ast.parse_ast(&glob, ROOT, 0, 0);
    if ast.too_deep {
        return Err(format!(
            "extglobs nested more than {MAX_NESTING} deep (minimatch overflows its stack)"
        ));
    }
    let src = ast.regexp_source(ROOT, None);
    if ast.too_big || src.re.len() > MAX_COPIED {
        return Err(format!(
            "negated extglobs that expand past {MAX_COPIED} copied parts (each `!(…)` copies \
             the rest of the segment into its alternatives: minimatch builds a regular \
             expression of millions of characters, which takes it minutes)"
        ));
    }
    // With nocase, any character that has case makes it a regex.
    let cased = segment.to_uppercase() != segment.to_lowercase();
    if !(src.has_magic || ast.nodes[ROOT].has_magic == Some(true) || cased) {
        return Ok(MmPattern::Str(String::from_utf16_lossy(&src.body)));
    }
    Ok(MmPattern::Regex {
        source: src.re,
        unicode: src.uflag,
    })
}

/// How many nodes and UTF-16 units `fill_negs` may copy (and how long the regex source may
/// grow) before a segment is refused. A negated extglob copies everything after it into each
/// of its alternatives, and copies nest: a 664-byte line of 27 `!(…)` made minimatch build a
/// 16.6-million-character regex (25 s) and this port run out of memory (found by the
/// `pattern` fuzz target). Real patterns copy a few dozen.
const MAX_COPIED: usize = 1 << 18;

/// How deep extglobs may nest. node 20 with its default stack throws "Maximum call stack
/// size exceeded" somewhere between 858 (`*(`) and 1528 (`?(`) levels, depending on the
/// type; 500 keeps our own recursion well inside a 2 MiB thread stack.
const MAX_NESTING: usize = 500;

const ROOT: usize = 0;
/// minimatch's `maxExtglobRecursion` default.
const MAX_EXT_DEPTH: usize = 2;

const fn u(c: char) -> u16 {
    c as u16
}

fn s16(s: &str) -> U16s {
    s.encode_utf16().collect()
}

const START_NO_TRAVERSAL: &str = r"(?!(?:^|/)\.\.?(?:$|/))";
const START_NO_DOT: &str = r"(?!\.)";
const QMARK: &str = "[^/]";
const STAR: &str = "[^/]*?";
const STAR_NO_EMPTY: &str = "[^/]+?";

#[derive(Clone)]
enum Part {
    Str(U16s),
    Node(usize),
}

struct Node {
    ty: Option<u16>,
    parent: Option<usize>,
    parent_index: usize,
    has_magic: Option<bool>,
    uflag: bool,
    /// Index into `Ast::parts`: minimatch sometimes makes two nodes share one array.
    parts: usize,
    empty_ext: bool,
}

struct Ast {
    nodes: Vec<Node>,
    parts: Vec<Vec<Part>>,
    negs: Vec<usize>,
    filled_negs: bool,
    /// Current extglob nesting while parsing, and whether it ever passed `MAX_NESTING`.
    nesting: usize,
    too_deep: bool,
    /// Nodes and units copied by `fill_negs` so far, and whether that passed `MAX_COPIED`
    /// (copying stops then).
    copied: usize,
    too_big: bool,
}

struct Source {
    re: U16s,
    body: U16s,
    has_magic: bool,
    uflag: bool,
}

fn is_ext_type(c: u16) -> bool {
    matches!(c, 0x21 | 0x3f | 0x2b | 0x2a | 0x40) // ! ? + * @
}

/// `adoptionMap`, `adoptionWithSpaceMap` and `adoptionAnyMap`.
#[derive(Clone, Copy)]
enum AdoptMap {
    Plain,
    WithSpace,
    Any,
}

fn can_adopt_type_in(parent: u16, child: u16, map: AdoptMap) -> bool {
    let list: &[char] = match (map, parent as u8 as char) {
        (AdoptMap::Plain, '!') => &['@'],
        (AdoptMap::Plain, '?') => &['?', '@'],
        (AdoptMap::Plain, '@') => &['@'],
        (AdoptMap::Plain, '*') => &['*', '+', '?', '@'],
        (AdoptMap::Plain, '+') => &['+', '@'],
        (AdoptMap::WithSpace, '!') => &['?'],
        (AdoptMap::WithSpace, '@') => &['?'],
        (AdoptMap::WithSpace, '+') => &['?', '*'],
        (AdoptMap::Any, '!') => &['?', '@'],
        (AdoptMap::Any, '?') => &['?', '@'],
        (AdoptMap::Any, '@') => &['?', '@'],
        (AdoptMap::Any, '*') => &['*', '+', '?', '@'],
        (AdoptMap::Any, '+') => &['+', '@', '?', '*'],
        _ => &[],
    };
    list.iter().any(|&c| u(c) == child)
}

/// `usurpMap`: the type a lone child extglob gives its parent.
fn usurp_type(parent: u16, child: u16) -> Option<u16> {
    let t = match (parent as u8 as char, child as u8 as char) {
        ('!', '!') => '@',
        ('?', '*') | ('?', '+') => '*',
        ('@', c @ ('!' | '?' | '@' | '*' | '+')) => c,
        ('+', '?') | ('+', '*') => '*',
        _ => return None,
    };
    Some(u(t))
}

impl Ast {
    fn new() -> Ast {
        let mut ast = Ast {
            nodes: Vec::new(),
            parts: Vec::new(),
            negs: Vec::new(),
            filled_negs: false,
            nesting: 0,
            too_deep: false,
            copied: 0,
            too_big: false,
        };
        ast.new_node(None, None);
        ast
    }

    fn new_node(&mut self, ty: Option<u16>, parent: Option<usize>) -> usize {
        let id = self.nodes.len();
        let parent_index = parent.map_or(0, |p| self.parts_of(p).len());
        self.parts.push(Vec::new());
        self.nodes.push(Node {
            ty,
            parent,
            parent_index,
            has_magic: ty.map(|_| true),
            uflag: false,
            parts: self.parts.len() - 1,
            empty_ext: false,
        });
        if ty == Some(u('!')) && !self.filled_negs {
            self.negs.push(id);
        }
        id
    }

    fn parts_of(&self, id: usize) -> &Vec<Part> {
        &self.parts[self.nodes[id].parts]
    }

    fn parts_of_mut(&mut self, id: usize) -> &mut Vec<Part> {
        let p = self.nodes[id].parts;
        &mut self.parts[p]
    }

    fn is_ext(&self, id: usize) -> bool {
        self.nodes[id].ty.is_some()
    }

    /// `push`: empty strings are skipped.
    fn push(&mut self, id: usize, part: Part) {
        if let Part::Str(s) = &part {
            if s.is_empty() {
                return;
            }
        }
        self.parts_of_mut(id).push(part);
    }

    fn part_is_neg(&self, part: Option<&Part>) -> bool {
        matches!(part, Some(Part::Node(n)) if self.nodes[*n].ty == Some(u('!')))
    }

    fn is_start(&self, id: usize) -> bool {
        if id == ROOT {
            return true;
        }
        let Some(parent) = self.nodes[id].parent else {
            return true;
        };
        if !self.is_start(parent) {
            return false;
        }
        let pi = self.nodes[id].parent_index;
        if pi == 0 {
            return true;
        }
        let pp = self.parts_of(parent);
        (0..pi).all(|i| self.part_is_neg(pp.get(i)))
    }

    fn is_end(&self, id: usize) -> bool {
        if id == ROOT {
            return true;
        }
        let Some(parent) = self.nodes[id].parent else {
            return true;
        };
        if self.nodes[parent].ty == Some(u('!')) {
            return true;
        }
        if !self.is_end(parent) {
            return false;
        }
        if self.nodes[id].ty.is_none() {
            return true;
        }
        self.nodes[id].parent_index as isize == self.parts_of(parent).len() as isize - 1
    }

    fn to_string(&self, id: usize) -> U16s {
        let mut out = U16s::new();
        let ty = self.nodes[id].ty;
        if let Some(t) = ty {
            out.push(t);
            out.push(u('('));
        }
        for (i, p) in self.parts_of(id).iter().enumerate() {
            if ty.is_some() && i > 0 {
                out.push(u('|'));
            }
            match p {
                Part::Str(s) => out.extend_from_slice(s),
                Part::Node(n) => out.extend(self.to_string(*n)),
            }
        }
        if ty.is_some() {
            out.push(u(')'));
        }
        out
    }

    /// One level deeper of `parse_ast`, giving up (to the end of input) past `MAX_NESTING`.
    fn parse_nested(&mut self, s: &[u16], ext: usize, pos: usize, ext_depth: usize) -> usize {
        if self.nesting >= MAX_NESTING {
            self.too_deep = true;
            return s.len();
        }
        self.nesting += 1;
        let i = self.parse_ast(s, ext, pos, ext_depth);
        self.nesting -= 1;
        i
    }

    /// `#parseAST`.
    fn parse_ast(&mut self, s: &[u16], ast: usize, pos: usize, ext_depth: usize) -> usize {
        let mut escaping = false;
        let mut in_brace = false;
        let mut brace_start = usize::MAX;
        let mut brace_neg = false;
        if self.nodes[ast].ty.is_none() {
            let mut i = pos;
            let mut acc = U16s::new();
            while i < s.len() {
                let c = s[i];
                i += 1;
                if escaping || c == u('\\') {
                    escaping = !escaping;
                    acc.push(c);
                    continue;
                }
                if in_brace {
                    if i == brace_start.wrapping_add(1) {
                        if c == u('^') || c == u('!') {
                            brace_neg = true;
                        }
                    } else if c == u(']') && !(i == brace_start.wrapping_add(2) && brace_neg) {
                        in_brace = false;
                    }
                    acc.push(c);
                    continue;
                } else if c == u('[') {
                    in_brace = true;
                    brace_start = i;
                    brace_neg = false;
                    acc.push(c);
                    continue;
                }
                if is_ext_type(c) && s.get(i) == Some(&u('(')) && ext_depth <= MAX_EXT_DEPTH {
                    self.push(ast, Part::Str(std::mem::take(&mut acc)));
                    let ext = self.new_node(Some(c), Some(ast));
                    i = self.parse_nested(s, ext, i, ext_depth + 1);
                    self.push(ast, Part::Node(ext));
                    continue;
                }
                acc.push(c);
            }
            self.push(ast, Part::Str(acc));
            return i;
        }

        // An extglob; `pos` is at its `(`.
        let mut i = pos + 1;
        let mut part = self.new_node(None, Some(ast));
        let mut parts: Vec<usize> = Vec::new();
        let mut acc = U16s::new();
        while i < s.len() {
            let c = s[i];
            i += 1;
            if escaping || c == u('\\') {
                escaping = !escaping;
                acc.push(c);
                continue;
            }
            if in_brace {
                if i == brace_start.wrapping_add(1) {
                    if c == u('^') || c == u('!') {
                        brace_neg = true;
                    }
                } else if c == u(']') && !(i == brace_start.wrapping_add(2) && brace_neg) {
                    in_brace = false;
                }
                acc.push(c);
                continue;
            } else if c == u('[') {
                in_brace = true;
                brace_start = i;
                brace_neg = false;
                acc.push(c);
                continue;
            }
            let ty = self.nodes[ast].ty.expect("extglob");
            let adoptable = can_adopt_type_in(ty, c, AdoptMap::Any);
            if is_ext_type(c)
                && s.get(i) == Some(&u('('))
                && (ext_depth <= MAX_EXT_DEPTH || adoptable)
            {
                let depth_add = if adoptable { 0 } else { 1 };
                self.push(part, Part::Str(std::mem::take(&mut acc)));
                let ext = self.new_node(Some(c), Some(part));
                self.push(part, Part::Node(ext));
                i = self.parse_nested(s, ext, i, ext_depth + depth_add);
                continue;
            }
            if c == u('|') {
                self.push(part, Part::Str(std::mem::take(&mut acc)));
                parts.push(part);
                part = self.new_node(None, Some(ast));
                continue;
            }
            if c == u(')') {
                if acc.is_empty() && self.parts_of(ast).is_empty() {
                    self.nodes[ast].empty_ext = true;
                }
                self.push(part, Part::Str(std::mem::take(&mut acc)));
                for p in parts {
                    self.push(ast, Part::Node(p));
                }
                self.push(ast, Part::Node(part));
                return i;
            }
            acc.push(c);
        }
        // Unfinished extglob: it is literal text after all.
        self.nodes[ast].ty = None;
        self.nodes[ast].has_magic = None;
        self.parts.push(vec![Part::Str(s[pos - 1..].to_vec())]);
        self.nodes[ast].parts = self.parts.len() - 1;
        i
    }

    fn only_ext_grandchild(&self, id: usize, child: &Part) -> Option<usize> {
        let Part::Node(c) = child else { return None };
        if self.nodes[*c].ty.is_some() || self.parts_of(*c).len() != 1 || !self.is_ext(id) {
            return None;
        }
        match self.parts_of(*c)[0] {
            Part::Node(gc) if self.nodes[gc].ty.is_some() => Some(gc),
            _ => None,
        }
    }

    fn can_adopt(&self, id: usize, child: &Part, map: AdoptMap) -> bool {
        match self.only_ext_grandchild(id, child) {
            Some(gc) => can_adopt_type_in(
                self.nodes[id].ty.expect("ext"),
                self.nodes[gc].ty.expect("ext"),
                map,
            ),
            None => false,
        }
    }

    fn can_usurp(&self, id: usize, child: &Part) -> bool {
        if self.parts_of(id).len() != 1 {
            return false;
        }
        match self.only_ext_grandchild(id, child) {
            Some(gc) => usurp_type(
                self.nodes[id].ty.expect("ext"),
                self.nodes[gc].ty.expect("ext"),
            )
            .is_some(),
            None => false,
        }
    }

    fn grandchild(&self, child: usize) -> usize {
        match self.parts_of(child)[0] {
            Part::Node(gc) => gc,
            Part::Str(_) => unreachable!("checked by can_adopt"),
        }
    }

    fn adopt(&mut self, id: usize, child: usize, index: usize) {
        let gc = self.grandchild(child);
        let gc_parts = self.parts_of(gc).clone();
        for p in &gc_parts {
            if let Part::Node(n) = p {
                self.nodes[*n].parent = Some(id);
            }
        }
        self.parts_of_mut(id).splice(index..index + 1, gc_parts);
    }

    fn adopt_with_space(&mut self, id: usize, child: usize, index: usize) {
        let gc = self.grandchild(child);
        let blank = self.new_node(None, Some(gc));
        // Pushed directly: `push` would skip the empty string.
        self.parts_of_mut(blank).push(Part::Str(U16s::new()));
        self.push(gc, Part::Node(blank));
        self.adopt(id, child, index);
    }

    fn usurp(&mut self, id: usize, child: usize) {
        let gc = self.grandchild(child);
        let nt = usurp_type(
            self.nodes[id].ty.expect("ext"),
            self.nodes[gc].ty.expect("ext"),
        )
        .expect("checked by can_usurp");
        self.nodes[id].parts = self.nodes[gc].parts;
        let ids: Vec<usize> = self
            .parts_of(id)
            .iter()
            .filter_map(|p| match p {
                Part::Node(n) => Some(*n),
                Part::Str(_) => None,
            })
            .collect();
        for n in ids {
            self.nodes[n].parent = Some(id);
        }
        self.nodes[id].ty = Some(nt);
        self.nodes[id].empty_ext = false;
    }

    fn flatten(&mut self, id: usize) {
        if !self.is_ext(id) {
            let kids: Vec<usize> = self
                .parts_of(id)
                .iter()
                .filter_map(|p| match p {
                    Part::Node(n) => Some(*n),
                    Part::Str(_) => None,
                })
                .collect();
            for k in kids {
                self.flatten(k);
            }
            return;
        }
        let mut iterations = 0;
        loop {
            let mut done = true;
            let mut i = 0;
            while i < self.parts_of(id).len() {
                let c = self.parts_of(id)[i].clone();
                if let Part::Node(cn) = c {
                    self.flatten(cn);
                    if self.can_adopt(id, &c, AdoptMap::Plain) {
                        done = false;
                        self.adopt(id, cn, i);
                    } else if self.can_adopt(id, &c, AdoptMap::WithSpace) {
                        done = false;
                        self.adopt_with_space(id, cn, i);
                    } else if self.can_usurp(id, &c) {
                        done = false;
                        self.usurp(id, cn);
                    }
                }
                i += 1;
            }
            iterations += 1;
            if done || iterations >= 10 {
                break;
            }
        }
    }

    fn copy_in(&mut self, id: usize, part: &Part) {
        self.copied += match part {
            Part::Str(s) => s.len() + 1,
            Part::Node(_) => 1,
        };
        if self.copied > MAX_COPIED {
            self.too_big = true;
        }
        if self.too_big {
            return;
        }
        match part {
            Part::Str(s) => self.push(id, Part::Str(s.clone())),
            Part::Node(n) => {
                let c = self.clone_node(*n, id);
                self.push(id, Part::Node(c));
            }
        }
    }

    fn clone_node(&mut self, n: usize, parent: usize) -> usize {
        let c = self.new_node(self.nodes[n].ty, Some(parent));
        let parts = self.parts_of(n).clone();
        for p in &parts {
            self.copy_in(c, p);
        }
        c
    }

    /// `#fillNegs`: everything after a `!(…)` is appended to each of its alternatives, so
    /// the negative lookahead sees the rest of the segment.
    fn fill_negs(&mut self) {
        if self.filled_negs {
            return;
        }
        self.filled_negs = true;
        while let Some(n) = self.negs.pop() {
            if self.too_big {
                return;
            }
            if self.nodes[n].ty != Some(u('!')) {
                continue;
            }
            let mut p = n;
            let mut pp = self.nodes[p].parent;
            while let Some(ppi) = pp {
                let mut i = self.nodes[p].parent_index + 1;
                while self.nodes[ppi].ty.is_none() && i < self.parts_of(ppi).len() {
                    let sibling = self.parts_of(ppi)[i].clone();
                    let alts = self.parts_of(n).clone();
                    for alt in alts {
                        if let Part::Node(a) = alt {
                            self.copy_in(a, &sibling);
                        }
                    }
                    i += 1;
                }
                p = ppi;
                pp = self.nodes[p].parent;
            }
        }
    }

    /// `toRegExpSource`.
    fn regexp_source(&mut self, id: usize, allow_dot: Option<bool>) -> Source {
        let dot = allow_dot.unwrap_or(true);
        if id == ROOT {
            self.flatten(ROOT);
            self.fill_negs();
        }
        if !self.is_ext(id) {
            let no_empty = self.is_start(id)
                && self.is_end(id)
                && !self.parts_of(id).iter().any(|p| matches!(p, Part::Node(_)));
            let mut src = U16s::new();
            let mut i = 0;
            while i < self.parts_of(id).len() {
                let part = self.parts_of(id)[i].clone();
                let r = match part {
                    Part::Str(p) => parse_glob(&p, self.nodes[id].has_magic, no_empty),
                    Part::Node(n) => self.regexp_source(n, allow_dot),
                };
                let node = &mut self.nodes[id];
                node.has_magic = Some(node.has_magic.unwrap_or(false) || r.has_magic);
                node.uflag = node.uflag || r.uflag;
                src.extend(r.re);
                i += 1;
            }
            let mut start: &str = "";
            let parts = self.parts_of(id);
            if self.is_start(id) {
                if let Some(Part::Str(first)) = parts.first() {
                    let dot_trav_allowed = parts.len() == 1
                        && (first[..] == s16(".")[..] || first[..] == s16("..")[..]);
                    if !dot_trav_allowed {
                        let aps =
                            |i: usize| matches!(src.get(i), Some(&c) if c == u('[') || c == u('.'));
                        let need_no_trav = (dot && aps(0))
                            || (src.starts_with(&s16(r"\.")) && aps(2))
                            || (src.starts_with(&s16(r"\.\.")) && aps(4));
                        let need_no_dot = !dot && !allow_dot.unwrap_or(false) && aps(0);
                        start = if need_no_trav {
                            START_NO_TRAVERSAL
                        } else if need_no_dot {
                            START_NO_DOT
                        } else {
                            ""
                        };
                    }
                }
            }
            let end = if self.is_end(id)
                && self.filled_negs
                && self.nodes[id].parent.map(|p| self.nodes[p].ty) == Some(Some(u('!')))
            {
                r"(?:$|\/)"
            } else {
                ""
            };
            let mut re = s16(start);
            re.extend_from_slice(&src);
            re.extend(s16(end));
            let node = &mut self.nodes[id];
            let has_magic = node.has_magic.unwrap_or(false);
            node.has_magic = Some(has_magic);
            return Source {
                re,
                body: unescape(&src),
                has_magic,
                uflag: node.uflag,
            };
        }

        let ty = self.nodes[id].ty.expect("ext");
        let repeated = ty == u('*') || ty == u('+');
        let start = if ty == u('!') { "(?:(?!(?:" } else { "(?:" };
        let mut body = self.parts_to_regexp(id, dot);
        if self.is_start(id) && self.is_end(id) && body.is_empty() && ty != u('!') {
            // An extglob that is the whole segment must match something: it is literal.
            let s = self.to_string(id);
            self.parts.push(vec![Part::Str(s.clone())]);
            let node = &mut self.nodes[id];
            node.parts = self.parts.len() - 1;
            node.ty = None;
            node.has_magic = None;
            return Source {
                body: unescape(&s),
                re: s,
                has_magic: false,
                uflag: false,
            };
        }
        // `dot` is always true for leakgate, so the "body with dots allowed" never differs.
        let body_dot_allowed = if !repeated || allow_dot == Some(true) || dot {
            U16s::new()
        } else {
            let b = self.parts_to_regexp(id, true);
            if b == body {
                U16s::new()
            } else {
                b
            }
        };
        if !body_dot_allowed.is_empty() {
            let mut b = s16("(?:");
            b.extend_from_slice(&body);
            b.extend(s16(")(?:"));
            b.extend_from_slice(&body_dot_allowed);
            b.extend(s16(")*?"));
            body = b;
        }
        let is_start = self.is_start(id);
        let final_: U16s = if ty == u('!') && self.nodes[id].empty_ext {
            let mut f = if is_start && !dot {
                s16(START_NO_DOT)
            } else {
                U16s::new()
            };
            f.extend(s16(STAR_NO_EMPTY));
            f
        } else {
            let close: U16s = if ty == u('!') {
                let mut c = s16("))");
                if is_start && !dot && allow_dot != Some(true) {
                    c.extend(s16(START_NO_DOT));
                }
                c.extend(s16(STAR));
                c.push(u(')'));
                c
            } else if ty == u('@') {
                s16(")")
            } else if ty == u('?') {
                s16(")?")
            } else if ty == u('+') && !body_dot_allowed.is_empty() {
                s16(")")
            } else if ty == u('*') && !body_dot_allowed.is_empty() {
                s16(")?")
            } else {
                vec![u(')'), ty]
            };
            let mut f = s16(start);
            f.extend_from_slice(&body);
            f.extend(close);
            f
        };
        let node = &mut self.nodes[id];
        let has_magic = node.has_magic.unwrap_or(false);
        node.has_magic = Some(has_magic);
        Source {
            re: final_,
            body: unescape(&body),
            has_magic,
            uflag: node.uflag,
        }
    }

    fn parts_to_regexp(&mut self, id: usize, dot: bool) -> U16s {
        let start_end = self.is_start(id) && self.is_end(id);
        let mut out = U16s::new();
        let mut first = true;
        let mut i = 0;
        while i < self.parts_of(id).len() {
            let Part::Node(n) = self.parts_of(id)[i] else {
                i += 1;
                continue;
            };
            let r = self.regexp_source(n, Some(dot));
            self.nodes[id].uflag = self.nodes[id].uflag || r.uflag;
            i += 1;
            if start_end && r.re.is_empty() {
                continue;
            }
            if !first {
                out.push(u('|'));
            }
            first = false;
            out.extend(r.re);
        }
        out
    }
}

/// `regExpEscape` for one code unit: `[-[\]{}()*+?.,\\^$|#\s]` get a backslash.
fn regexp_escape_push(out: &mut U16s, c: u16) {
    if b"-[]{}()*+?.,\\^$|#".contains(&(c as u8)) && c < 0x80 || is_js_space(c) {
        out.push(u('\\'));
    }
    out.push(c);
}

/// JavaScript's `\s`.
pub(super) fn is_js_space(c: u16) -> bool {
    matches!(
        c,
        0x09..=0x0d
            | 0x20
            | 0xa0
            | 0x1680
            | 0x2000..=0x200a
            | 0x2028
            | 0x2029
            | 0x202f
            | 0x205f
            | 0x3000
            | 0xfeff
    )
}

fn is_line_terminator(c: u16) -> bool {
    matches!(c, 0x0a | 0x0d | 0x2028 | 0x2029)
}

/// `#parseGlob`: a run of plain glob text (no extglobs) to regex source.
fn parse_glob(glob: &[u16], has_magic: Option<bool>, no_empty: bool) -> Source {
    const RE_SPECIALS: &[u8] = b"().*{}+?[]^$\\!";
    let mut escaping = false;
    let mut re = U16s::new();
    let mut uflag = false;
    let mut in_star = false;
    let mut magic = has_magic.unwrap_or(false);
    let all_stars = !glob.is_empty() && glob.iter().all(|&c| c == u('*'));
    let mut dead = DeadEnds::new(glob.len());
    let mut i = 0;
    while i < glob.len() {
        let c = glob[i];
        if escaping {
            escaping = false;
            if c < 0x80 && RE_SPECIALS.contains(&(c as u8)) {
                re.push(u('\\'));
            }
            re.push(c);
            i += 1;
            continue;
        }
        if c == u('*') {
            if !in_star {
                in_star = true;
                re.extend(s16(if no_empty && all_stars {
                    STAR_NO_EMPTY
                } else {
                    STAR
                }));
                magic = true;
            }
            i += 1;
            continue;
        }
        in_star = false;
        if c == u('\\') {
            if i == glob.len() - 1 {
                re.extend(s16(r"\\"));
            } else {
                escaping = true;
            }
            i += 1;
            continue;
        }
        if c == u('[') {
            let class = parse_class(glob, i, &mut dead);
            if class.consumed > 0 {
                re.extend(class.src);
                uflag = uflag || class.uflag;
                i += class.consumed;
                magic = magic || class.magic;
                continue;
            }
        }
        if c == u('?') {
            re.extend(s16(QMARK));
            magic = true;
            i += 1;
            continue;
        }
        regexp_escape_push(&mut re, c);
        i += 1;
    }
    Source {
        re,
        body: unescape(glob),
        has_magic: magic,
        uflag,
    }
}

struct Class {
    src: U16s,
    uflag: bool,
    consumed: usize,
    magic: bool,
}

/// POSIX classes: name, translation, needs `u`, goes in the negated half.
const POSIX_CLASSES: &[(&str, &str, bool, bool)] = &[
    ("[:alnum:]", r"\p{L}\p{Nl}\p{Nd}", true, false),
    ("[:alpha:]", r"\p{L}\p{Nl}", true, false),
    ("[:ascii:]", r"\x00-\x7f", false, false),
    ("[:blank:]", r"\p{Zs}\t", true, false),
    ("[:cntrl:]", r"\p{Cc}", true, false),
    ("[:digit:]", r"\p{Nd}", true, false),
    ("[:graph:]", r"\p{Z}\p{C}", true, true),
    ("[:lower:]", r"\p{Ll}", true, false),
    ("[:print:]", r"\p{C}", true, false),
    ("[:punct:]", r"\p{P}", true, false),
    ("[:space:]", r"\p{Z}\t\r\n\v\f", true, false),
    ("[:upper:]", r"\p{Lu}", true, false),
    ("[:word:]", r"\p{L}\p{Nl}\p{Nd}\p{Pc}", true, false),
    ("[:xdigit:]", "A-Fa-f0-9", false, false),
];

fn brace_escape_push(out: &mut U16s, c: u16) {
    if c == u('[') || c == u(']') || c == u('\\') || c == u('-') {
        out.push(u('\\'));
    }
    out.push(c);
}

/// `lit` (ASCII) at `s[at..]`, compared unit by unit: it runs at every `[` and `-` of a
/// class, so it allocates nothing.
fn starts_with_at(s: &[u16], at: usize, lit: &str) -> bool {
    s.get(at..at + lit.len()).is_some_and(|rest| {
        rest.iter()
            .zip(lit.bytes())
            .all(|(&a, b)| a == u16::from(b))
    })
}

/// The scan states of [`parse_class`] known to lead to the end of the glob without a
/// closing `]`, so that a later `[` whose scan reaches one of them stops there.
///
/// minimatch (and this port, before) scans from every `[` to the end of the glob when the
/// class is unclosed, so `[[[[…` or `[a[a[a…` took quadratic time: 64 Ki of them was
/// billions of steps. Past its first character, a class scan's future depends only on its
/// position, whether an escape is pending and whether a range is open (not on where it
/// started), so a state one failed scan went through fails for every scan: each state is
/// walked by at most one failed scan, and the parse is linear.
struct DeadEnds {
    /// Bit `escaping | range_open << 1` of position `i`.
    bits: Vec<u8>,
}

impl DeadEnds {
    fn new(len: usize) -> DeadEnds {
        DeadEnds {
            bits: vec![0; len + 1],
        }
    }

    fn bit(escaping: bool, range_open: bool) -> u8 {
        1 << (usize::from(escaping) | usize::from(range_open) << 1)
    }

    fn contains(&self, i: usize, escaping: bool, range_open: bool) -> bool {
        self.bits
            .get(i)
            .is_some_and(|b| b & Self::bit(escaping, range_open) != 0)
    }

    fn insert(&mut self, i: usize, escaping: bool, range_open: bool) {
        if let Some(b) = self.bits.get_mut(i) {
            *b |= Self::bit(escaping, range_open);
        }
    }
}

/// `parseClass`: a `[…]` at `pos` to regex source, or `consumed == 0` when unclosed.
/// `dead` is shared by every call on the same glob (see [`DeadEnds`]).
fn parse_class(glob: &[u16], pos: usize, dead: &mut DeadEnds) -> Class {
    let mut ranges: Vec<U16s> = Vec::new();
    let mut negs: Vec<U16s> = Vec::new();
    let mut i = pos + 1;
    let mut saw_start = false;
    let mut uflag = false;
    let mut escaping = false;
    let mut negate = false;
    let mut end_pos = pos;
    let mut range_start: Option<u16> = None;
    let poisoned = |len: usize| Class {
        src: s16("$."),
        uflag: false,
        consumed: len - pos,
        magic: true,
    };
    // The states this scan went through (past its first character), marked dead if it
    // turns out unclosed.
    let mut visited: Vec<(usize, bool, bool)> = Vec::new();
    let unclosed = Class {
        src: U16s::new(),
        uflag: false,
        consumed: 0,
        magic: false,
    };
    'outer: while i < glob.len() {
        if saw_start && i > pos + 1 {
            let state = (i, escaping, range_start.is_some());
            if dead.contains(state.0, state.1, state.2) {
                break;
            }
            visited.push(state);
        }
        let c = glob[i];
        if (c == u('!') || c == u('^')) && i == pos + 1 {
            negate = true;
            i += 1;
            continue;
        }
        if c == u(']') && saw_start && !escaping {
            end_pos = i + 1;
            break;
        }
        saw_start = true;
        if c == u('\\') && !escaping {
            escaping = true;
            i += 1;
            continue;
        }
        if c == u('[') && !escaping {
            for &(cls, unip, needs_u, neg) in POSIX_CLASSES {
                if starts_with_at(glob, i, cls) {
                    if range_start.is_some() {
                        return poisoned(glob.len());
                    }
                    i += cls.len();
                    if neg {
                        negs.push(s16(unip));
                    } else {
                        ranges.push(s16(unip));
                    }
                    uflag = uflag || needs_u;
                    continue 'outer;
                }
            }
        }
        escaping = false;
        if let Some(rs) = range_start.take() {
            let mut r = U16s::new();
            if c > rs {
                brace_escape_push(&mut r, rs);
                r.push(u('-'));
                brace_escape_push(&mut r, c);
                ranges.push(r);
            } else if c == rs {
                brace_escape_push(&mut r, c);
                ranges.push(r);
            }
            i += 1;
            continue;
        }
        if starts_with_at(glob, i + 1, "-]") {
            let mut r = U16s::new();
            brace_escape_push(&mut r, c);
            brace_escape_push(&mut r, u('-'));
            ranges.push(r);
            i += 2;
            continue;
        }
        if starts_with_at(glob, i + 1, "-") {
            range_start = Some(c);
            i += 2;
            continue;
        }
        let mut r = U16s::new();
        brace_escape_push(&mut r, c);
        ranges.push(r);
        i += 1;
    }
    if end_pos <= pos {
        for (at, escaping, range_open) in visited {
            dead.insert(at, escaping, range_open);
        }
        return unclosed;
    }
    if ranges.is_empty() && negs.is_empty() {
        return poisoned(glob.len());
    }
    // `[_]` is just `_`: one literal character is not magic.
    if negs.is_empty() && ranges.len() == 1 && !negate {
        let r = &ranges[0];
        let single = match r.len() {
            1 => !is_line_terminator(r[0]),
            2 => r[0] == u('\\') && !is_line_terminator(r[1]),
            _ => false,
        };
        if single {
            let mut src = U16s::new();
            regexp_escape_push(&mut src, *r.last().expect("non-empty"));
            return Class {
                src,
                uflag: false,
                consumed: end_pos - pos,
                magic: false,
            };
        }
    }
    let mut sranges = s16("[");
    if negate {
        sranges.push(u('^'));
    }
    sranges.extend(ranges.concat());
    sranges.push(u(']'));
    let mut snegs = s16("[");
    if !negate {
        snegs.push(u('^'));
    }
    snegs.extend(negs.concat());
    snegs.push(u(']'));
    let src = if !ranges.is_empty() && !negs.is_empty() {
        let mut s = s16("(");
        s.extend(sranges);
        s.push(u('|'));
        s.extend(snegs);
        s.push(u(')'));
        s
    } else if !ranges.is_empty() {
        sranges
    } else {
        snegs
    };
    Class {
        src,
        uflag,
        consumed: end_pos - pos,
        magic: true,
    }
}

/// minimatch's `unescape` (default options): `[x]` → `x` unless the `[` is escaped, then
/// `\x` → `x` for any `x` but `/`.
pub(super) fn unescape(s: &[u16]) -> U16s {
    // Pass 1: /((?!\\).|^)\[([^/\\])\]/g → '$1$2'.
    let mut a = U16s::with_capacity(s.len());
    let mut i = 0;
    let class_at = |j: usize| -> bool {
        j + 2 < s.len()
            && s[j] == u('[')
            && s[j + 1] != u('/')
            && s[j + 1] != u('\\')
            && s[j + 2] == u(']')
    };
    while i < s.len() {
        // Alternative 1: one character that is neither `\` nor a line terminator, then `[c]`.
        if s[i] != u('\\') && !is_line_terminator(s[i]) && class_at(i + 1) {
            a.push(s[i]);
            a.push(s[i + 2]);
            i += 4;
            continue;
        }
        // Alternative 2: `^` then `[c]`.
        if i == 0 && class_at(0) {
            a.push(s[1]);
            i += 3;
            continue;
        }
        a.push(s[i]);
        i += 1;
    }
    // Pass 2: /\\([^/])/g → '$1'.
    let mut b = U16s::with_capacity(a.len());
    let mut i = 0;
    while i < a.len() {
        if a[i] == u('\\') && i + 1 < a.len() && a[i + 1] != u('/') {
            b.push(a[i + 1]);
            i += 2;
            continue;
        }
        b.push(a[i]);
        i += 1;
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn re(seg: &str) -> String {
        match to_mm_pattern(seg).expect("compiles") {
            MmPattern::Str(s) => format!("={s}"),
            MmPattern::Regex { source, unicode } => {
                format!(
                    "/{}/{}",
                    String::from_utf16_lossy(&source),
                    if unicode { "u" } else { "" }
                )
            }
        }
    }

    /// `parse_class` with the dead ends of earlier scans gives exactly what a fresh scan
    /// gives, at every `[` of many generated globs (the dead-end memo only ever stops a scan
    /// that would have found no `]`).
    #[test]
    fn shared_dead_ends_never_change_a_class() {
        const ATOMS: &[&str] = &[
            "[",
            "[",
            "]",
            "\\",
            "!",
            "^",
            "-",
            "a",
            "z",
            "[:alpha:]",
            ":",
            "/",
            "é",
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut unclosed = 0;
        for _ in 0..20_000 {
            let len = 1 + (next() % 16) as usize;
            let text: String = (0..len)
                .map(|_| ATOMS[(next() % ATOMS.len() as u64) as usize])
                .collect();
            let glob = s16(&text);
            let mut shared = DeadEnds::new(glob.len());
            for pos in (0..glob.len()).filter(|&p| glob[p] == u('[')) {
                let fresh = parse_class(&glob, pos, &mut DeadEnds::new(glob.len()));
                let memo = parse_class(&glob, pos, &mut shared);
                assert_eq!(
                    (fresh.consumed, &fresh.src, fresh.magic, fresh.uflag),
                    (memo.consumed, &memo.src, memo.magic, memo.uflag),
                    "{text:?} at {pos}"
                );
                unclosed += usize::from(fresh.consumed == 0);
            }
        }
        assert!(unclosed > 10_000, "only {unclosed} unclosed classes tried");
    }

    /// An unclosed `[` is a literal character, as in minimatch, however many there are (a
    /// line of 65,536 of them used to take minutes: every `[` scanned to the end).
    #[test]
    fn unclosed_classes_are_literal() {
        for line in ["[".repeat(65_536), "[!".repeat(32_768)] {
            match to_mm_pattern(&line).expect("compiles") {
                MmPattern::Str(s) => assert!(s == line, "not the line itself"),
                MmPattern::Regex { .. } => panic!("no magic, no case: a plain string"),
            }
        }
        // A cased letter makes it a case-insensitive regex, of escaped (literal) brackets.
        let line = "[a".repeat(32_768);
        let MmPattern::Regex { source, .. } = to_mm_pattern(&line).expect("compiles") else {
            panic!("a cased letter makes a regex");
        };
        let src = String::from_utf16_lossy(&source);
        assert!(src.ends_with(&r"\[a".repeat(32_768)), "{}", &src[..80]);
        assert_eq!(src.matches('[').count(), src.matches(r"\[").count());
    }

    #[test]
    fn sources_match_minimatch() {
        // Expected values are what minimatch 10.2.5 prints for `mm.set` with our options.
        assert_eq!(re("*.js"), r"/(?!(?:^|/)\.\.?(?:$|/))[^/]*?\.js/");
        assert_eq!(re(".git"), r"/\.git/");
        assert_eq!(re("@(a|b)"), "/(?:a|b)/");
        assert_eq!(re(r"\#1"), "=#1");
        assert_eq!(
            re("x!(a|b)y"),
            r"/x(?:(?!(?:ay(?:$|\/)|by(?:$|\/)))[^/]*?)y/"
        );
        assert_eq!(re("+(a|*(b|c))"), "/(?:a|b|c)+/");
        assert_eq!(re("(keep).txt"), r"/\(keep\)\.txt/");
        assert_eq!(re("123"), "=123");
        assert_eq!(
            re("[[:alpha:]]x"),
            r"/(?!(?:^|/)\.\.?(?:$|/))[\p{L}\p{Nl}]x/u"
        );
    }
}
