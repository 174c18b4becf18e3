//! JSON and JSONC with positions: the reviews must say on which line a key sits.
//!
//! serde_json validates and reports errors with line:col; it can't say where a value came
//! from, so a small parser (run only on text serde_json accepted) builds a tree whose nodes
//! carry byte offsets. JSONC (tsconfig, .swcrc) is first blanked: comments and trailing
//! commas become spaces, newlines stay, so every offset and line:col still points into
//! the original text.

use std::fmt;

/// A JSON value with the byte offset where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Byte offset of the value's first character in the original text.
    pub offset: usize,
    /// The value.
    pub value: Value,
}

/// A JSON value whose children carry offsets.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as written.
    Num(String),
    /// A string (decoded).
    Str(String),
    /// An array.
    Arr(Vec<Node>),
    /// An object: (key, offset of the key, value), in order; duplicates kept.
    Obj(Vec<(String, usize, Node)>),
}

impl Node {
    /// The member `key` of an object (the last one, as `JSON.parse` keeps).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.member(key).map(|(_, n)| n)
    }

    /// The member `key` with the offset of its key.
    pub fn member(&self, key: &str) -> Option<(usize, &Node)> {
        match &self.value {
            Value::Obj(members) => members
                .iter()
                .rev()
                .find(|(k, _, _)| k == key)
                .map(|(_, off, n)| (*off, n)),
            _ => None,
        }
    }

    /// Follows a path of object keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// Object members (empty for other values).
    pub fn members(&self) -> &[(String, usize, Node)] {
        match &self.value {
            Value::Obj(m) => m,
            _ => &[],
        }
    }

    /// Array items (empty for other values).
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Arr(a) => a,
            _ => &[],
        }
    }

    /// Every string leaf under this node with its offset (object keys excluded).
    pub fn strings(&self) -> Vec<(&str, usize)> {
        let mut out = Vec::new();
        self.collect_strings(&mut out);
        out
    }

    fn collect_strings<'a>(&'a self, out: &mut Vec<(&'a str, usize)>) {
        match &self.value {
            Value::Str(s) => out.push((s, self.offset)),
            Value::Arr(items) => items.iter().for_each(|n| n.collect_strings(out)),
            Value::Obj(members) => members.iter().for_each(|(_, _, n)| n.collect_strings(out)),
            _ => {}
        }
    }
}

/// A parse error with a 1-based position in the original text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The parser's message.
    pub message: String,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// A parsed document: the original text and its tree.
#[derive(Clone, Debug)]
pub struct Doc {
    /// The original text (offsets point into it).
    pub text: String,
    /// The root value.
    pub root: Node,
}

impl Doc {
    /// Parses strict JSON (after a byte-order mark, which npm skips too).
    pub fn parse(text: &str) -> Result<Doc, JsonError> {
        match text.strip_prefix('\u{feff}') {
            Some(rest) => parse_inner(text, &format!("   {rest}")),
            None => parse_inner(text, text),
        }
    }

    /// Parses JSONC: `//` and `/* */` comments and trailing commas allowed (and a
    /// byte-order mark, which TypeScript skips).
    pub fn parse_jsonc(text: &str) -> Result<Doc, JsonError> {
        let mut blanked = blank_jsonc(text);
        if let Some(rest) = blanked.strip_prefix('\u{feff}') {
            blanked = format!("   {rest}");
        }
        parse_inner(text, &blanked)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        line_col(&self.text, offset)
    }

    /// The root as a `serde_json::Value` (for `Config::visibility`).
    pub fn to_serde(&self) -> serde_json::Value {
        to_serde(&self.root)
    }
}

/// The byte-order mark Windows editors write first; npm, tsc and serde_json's callers in
/// `leakgate audit` skip it, so the reviews do too.
const BOM: &str = "\u{feff}";

pub use crate::text::line_col;

/// 1-based column, in characters, of byte `byte` of `line_text`; on the first line a
/// byte-order mark is not a column (editors don't show it).
fn column(line_text: &str, byte: usize, first_line: bool) -> usize {
    let mut b = byte.min(line_text.len());
    while !line_text.is_char_boundary(b) {
        b -= 1;
    }
    let before = &line_text[..b];
    let before = match first_line {
        true => before.strip_prefix(BOM).unwrap_or(before),
        false => before,
    };
    before.chars().count() + 1
}

fn to_serde(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Num(n) => serde_json::from_str(n).unwrap_or(J::Null),
        Value::Str(s) => J::String(s.clone()),
        Value::Arr(items) => J::Array(items.iter().map(to_serde).collect()),
        Value::Obj(members) => J::Object(
            members
                .iter()
                .map(|(k, _, v)| (k.clone(), to_serde(v)))
                .collect(),
        ),
    }
}

fn parse_inner(original: &str, clean: &str) -> Result<Doc, JsonError> {
    // A leading byte-order mark becomes three spaces: serde_json rejects the mark, and
    // blanks keep every offset pointing into the original text.
    let unmarked;
    let clean = match clean.strip_prefix(BOM) {
        Some(rest) => {
            unmarked = format!("   {rest}");
            unmarked.as_str()
        }
        None => clean,
    };
    // serde_json is the judge of validity and the source of the error messages.
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(clean) {
        let line = e.line().max(1);
        // serde_json counts columns in bytes; convert to characters on that line.
        let line_text = original.lines().nth(line - 1).unwrap_or("");
        let column = column(line_text, e.column().saturating_sub(1), line == 1);
        let message = strip_position(&e.to_string());
        return Err(JsonError {
            line,
            column,
            message,
        });
    }
    let mut p = Parser {
        s: clean.as_bytes(),
        src: clean,
        i: 0,
    };
    let root = p.value().ok_or_else(|| JsonError {
        line: 1,
        column: 1,
        message: "unreadable JSON".into(),
    })?;
    Ok(Doc {
        text: original.to_string(),
        root,
    })
}

/// serde_json appends " at line L column C"; the reviews print the position themselves.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Replaces JSONC comments and trailing commas with spaces, keeping newlines and offsets.
pub fn blank_jsonc(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    let mut in_str = false;
    while i < b.len() {
        let c = b[i];
        if in_str {
            match c {
                b'\\' => i += 1,
                b'"' => in_str = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => in_str = true,
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    out[i] = b' ';
                    i += 1;
                }
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let start = i;
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                let end = (i + 2).min(b.len());
                for o in &mut out[start..end] {
                    if *o != b'\n' && *o != b'\r' {
                        *o = b' ';
                    }
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    // Trailing commas: a comma followed (after blanks) by `}` or `]`.
    let mut in_str = false;
    let mut i = 0;
    while i < out.len() {
        let c = out[i];
        if in_str {
            match c {
                b'\\' => i += 1,
                b'"' => in_str = false,
                _ => {}
            }
        } else if c == b'"' {
            in_str = true;
        } else if c == b',' {
            let next = out[i + 1..]
                .iter()
                .find(|c| !c.is_ascii_whitespace())
                .copied();
            if matches!(next, Some(b'}') | Some(b']')) {
                out[i] = b' ';
            }
        }
        i += 1;
    }
    // Only ASCII bytes outside strings were replaced by ASCII spaces, but a comment may
    // have held multi-byte characters: every byte of those became a space, still UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// A parser for text serde_json already accepted: it never has to report errors.
struct Parser<'a> {
    s: &'a [u8],
    src: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn value(&mut self) -> Option<Node> {
        self.ws();
        let offset = self.i;
        let value = match *self.s.get(self.i)? {
            b'{' => {
                self.i += 1;
                let mut members = Vec::new();
                loop {
                    self.ws();
                    match *self.s.get(self.i)? {
                        b'}' => {
                            self.i += 1;
                            break;
                        }
                        b',' => self.i += 1,
                        _ => {
                            let key_off = self.i;
                            let key = self.string()?;
                            self.ws();
                            self.i += 1; // ':'
                            let v = self.value()?;
                            members.push((key, key_off, v));
                        }
                    }
                }
                Value::Obj(members)
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.ws();
                    match *self.s.get(self.i)? {
                        b']' => {
                            self.i += 1;
                            break;
                        }
                        b',' => self.i += 1,
                        _ => items.push(self.value()?),
                    }
                }
                Value::Arr(items)
            }
            b'"' => Value::Str(self.string()?),
            b't' => {
                self.i += 4;
                Value::Bool(true)
            }
            b'f' => {
                self.i += 5;
                Value::Bool(false)
            }
            b'n' => {
                self.i += 4;
                Value::Null
            }
            _ => {
                let start = self.i;
                while self.i < self.s.len()
                    && matches!(
                        self.s[self.i],
                        b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
                    )
                {
                    self.i += 1;
                }
                Value::Num(self.src[start..self.i].to_string())
            }
        };
        Some(Node { offset, value })
    }

    fn string(&mut self) -> Option<String> {
        let start = self.i;
        self.i += 1;
        while self.i < self.s.len() {
            match self.s[self.i] {
                b'\\' => self.i += 2,
                b'"' => {
                    self.i += 1;
                    return serde_json::from_str(&self.src[start..self.i]).ok();
                }
                _ => self.i += 1,
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_point_at_keys_and_values() {
        let doc = Doc::parse("{\n  \"a\": {\"b\": [1, \"x\"]},\n  \"c\": true\n}").unwrap();
        let (koff, c) = doc.root.member("c").unwrap();
        assert_eq!(doc.line_col(koff), (3, 3));
        assert_eq!(c.as_bool(), Some(true));
        let b = doc.root.path(&["a", "b"]).unwrap();
        assert_eq!(b.items()[1].as_str(), Some("x"));
    }

    #[test]
    fn a_byte_order_mark_is_skipped_as_npm_and_typescript_skip_it() {
        let text = "\u{feff}{\"name\": \"a\",\n  \"files\": [\"dist\"]\n}\n";
        for doc in [Doc::parse(text).unwrap(), Doc::parse_jsonc(text).unwrap()] {
            let (off, name) = doc.root.member("name").unwrap();
            assert_eq!(name.as_str(), Some("a"));
            assert_eq!(doc.line_col(off), (1, 2));
            let (off, _) = doc.root.member("files").unwrap();
            assert_eq!(doc.line_col(off), (2, 3));
        }
        // Only a leading one: anywhere else it is not JSON.
        assert!(Doc::parse("{\"a\": 1}\u{feff}").is_err());
        assert!(Doc::parse("").is_err());
    }

    #[test]
    fn jsonc_comments_and_trailing_commas_keep_positions() {
        let text = "{\n  // \"sourceMap\": true,\n  /* é */ \"inlineSources\": true, // x\n}";
        let doc = Doc::parse_jsonc(text).unwrap();
        assert!(doc.root.get("sourceMap").is_none());
        let (off, _) = doc.root.member("inlineSources").unwrap();
        assert_eq!(doc.line_col(off), (3, 11));
    }

    #[test]
    fn comment_markers_inside_strings_are_text() {
        let doc = Doc::parse_jsonc(r#"{"a": "http://x/*y*/", "b": "c,}"}"#).unwrap();
        assert_eq!(doc.root.get("a").unwrap().as_str(), Some("http://x/*y*/"));
        assert_eq!(doc.root.get("b").unwrap().as_str(), Some("c,}"));
    }

    #[test]
    fn errors_carry_line_and_column() {
        let err = Doc::parse("{\n  \"a\": 1,\n  \"b\" 2\n}").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("expected"), "{}", err.message);
        assert!(!err.message.contains("at line"));
        // Strict JSON rejects what JSONC accepts.
        assert!(Doc::parse("{\"a\": 1,}").is_err());
        assert!(Doc::parse_jsonc("{\"a\": 1,}").is_ok());
    }

    #[test]
    fn non_ascii_anywhere_never_panics() {
        let seed = "{\"name\": \"a\", // c\n \"files\": [\"dist\", 1.5e3, true, null], /* d */ }";
        for v in crate::test_support::non_ascii_variants(seed) {
            let _ = Doc::parse(&v);
            let _ = Doc::parse_jsonc(&v);
            let _ = blank_jsonc(&v);
            for i in 0..=v.len() + 1 {
                let _ = line_col(&v, i);
            }
        }
    }
}
