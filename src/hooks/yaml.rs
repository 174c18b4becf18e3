//! A reader for the block-style YAML that hook managers' configs are written in (lefthook),
//! into a `serde_json::Value`: enough to ask "is there a `run:` under `pre-commit:
//! commands:`" from the file's structure instead of searching its text, where a comment or
//! another key's value would answer yes.
//!
//! Supported: block mappings and sequences (`- ` items, also `- key: v` items), plain,
//! single- and double-quoted scalars, `true`/`false`, `|`/`>` block scalars, `#` comments,
//! a leading `---`. Not supported, and read as an opaque string: flow collections (`{…}`,
//! `[…]`), anchors, aliases and tags. Indentation that fits no structure (a tab, a line
//! deeper than its parent allows) makes the whole document unreadable (`None`): a caller
//! then knows nothing and must not assume leakgate runs.

use serde_json::{Map, Value};

/// One content line: its indentation and its text (comment removed, trailing blanks cut).
#[derive(Clone, Debug)]
struct Line {
    indent: usize,
    text: String,
    /// The raw line (for block scalars, whose `#` is text).
    raw: String,
}

/// Parses `text`; `None` when it is not block YAML this reader understands.
pub fn parse(text: &str) -> Option<Value> {
    let mut lines = Vec::new();
    for raw in text.lines() {
        if raw.trim() == "---" && lines.is_empty() {
            continue;
        }
        if raw.trim() == "..." {
            break;
        }
        let indent = raw.len() - raw.trim_start_matches(' ').len();
        let rest = &raw[indent..];
        if rest.starts_with('\t') {
            return None;
        }
        let text = strip_comment(rest).trim_end().to_string();
        lines.push(Line {
            indent,
            text,
            raw: raw.to_string(),
        });
    }
    let mut p = Parser { lines, i: 0 };
    p.skip_blank();
    if p.i >= p.lines.len() {
        return Some(Value::Null);
    }
    let indent = p.lines[p.i].indent;
    let v = p.block(indent)?;
    p.skip_blank();
    (p.i >= p.lines.len()).then_some(v)
}

struct Parser {
    lines: Vec<Line>,
    i: usize,
}

impl Parser {
    fn skip_blank(&mut self) {
        while self.i < self.lines.len() && self.lines[self.i].text.is_empty() {
            self.i += 1;
        }
    }

    /// The next content line, if any.
    fn peek(&mut self) -> Option<&Line> {
        self.skip_blank();
        self.lines.get(self.i)
    }

    /// A mapping or a sequence whose lines start at `indent`.
    fn block(&mut self, indent: usize) -> Option<Value> {
        let line = self.peek()?;
        if is_item(&line.text) {
            self.sequence(indent)
        } else {
            self.mapping(indent)
        }
    }

    fn sequence(&mut self, indent: usize) -> Option<Value> {
        let mut items = Vec::new();
        while let Some(line) = self.peek() {
            if line.indent != indent || !is_item(&line.text) {
                break;
            }
            let rest = line.text[1..].trim_start().to_string();
            let offset = line.text.len() - rest.len();
            if rest.is_empty() {
                self.i += 1;
                items.push(self.nested(indent)?);
            } else if split_key(&rest).is_some() || is_item(&rest) {
                // `- key: v` (or `- - x`): the item is a block starting at the key's column.
                let at = indent + offset;
                self.lines[self.i].indent = at;
                self.lines[self.i].text = rest;
                items.push(self.block(at)?);
            } else {
                self.i += 1;
                items.push(scalar(&rest));
            }
        }
        Some(Value::Array(items))
    }

    fn mapping(&mut self, indent: usize) -> Option<Value> {
        let mut map = Map::new();
        while let Some(line) = self.peek() {
            if line.indent < indent {
                break;
            }
            if line.indent > indent || is_item(&line.text) {
                return None; // deeper than its parent allows, or a list inside a mapping
            }
            let (key, rest) = split_key(&line.text)?;
            let (key, rest) = (unquote(key), rest.to_string());
            self.i += 1;
            let value = if rest.is_empty() {
                self.nested(indent)?
            } else if is_block_scalar(&rest) {
                self.block_scalar(indent, rest.starts_with('>'))
            } else {
                scalar(&rest)
            };
            map.insert(key, value);
        }
        Some(Value::Object(map))
    }

    /// The value after `key:` with nothing on its line: a deeper block, a sequence at the
    /// same indentation (`key:\n- a`), or null.
    fn nested(&mut self, indent: usize) -> Option<Value> {
        match self.peek() {
            Some(l) if l.indent > indent => {
                let at = l.indent;
                self.block(at)
            }
            Some(l) if l.indent == indent && is_item(&l.text) => self.sequence(indent),
            _ => Some(Value::Null),
        }
    }

    /// The lines of a `|` or `>` scalar: every following line deeper than the key, blank
    /// lines included.
    fn block_scalar(&mut self, indent: usize, folded: bool) -> Value {
        let mut parts: Vec<String> = Vec::new();
        let mut base: Option<usize> = None;
        while let Some(l) = self.lines.get(self.i) {
            self.i += 1;
            if l.raw.trim().is_empty() {
                parts.push(String::new());
                continue;
            }
            if l.indent <= indent {
                self.i -= 1;
                break;
            }
            let b = *base.get_or_insert(l.indent);
            parts.push(l.raw.get(b.min(l.indent)..).unwrap_or("").to_string());
        }
        let sep = if folded { " " } else { "\n" };
        Value::String(parts.join(sep).trim_end().to_string())
    }
}

/// A sequence item line (`- x`, or `-` alone).
fn is_item(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

fn is_block_scalar(rest: &str) -> bool {
    let mut c = rest.chars();
    matches!(c.next(), Some('|' | '>')) && c.all(|c| matches!(c, '-' | '+' | '0'..='9'))
}

/// `key: rest` (or `key:` at the end), with the key possibly quoted; `None` for a scalar.
fn split_key(text: &str) -> Option<(&str, &str)> {
    let b = text.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'"' | b'\'')) {
        i = closing_quote(text, 0)? + 1;
    }
    while i < b.len() {
        if b[i] == b':' && (i + 1 == b.len() || b[i + 1] == b' ') {
            return Some((text[..i].trim_end(), text[i + 1..].trim()));
        }
        i += 1;
    }
    None
}

/// The byte index of the quote closing the one at `start`.
fn closing_quote(text: &str, start: usize) -> Option<usize> {
    let b = text.as_bytes();
    let q = b[start];
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' if q == b'"' => i += 1,
            c if c == q && q == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 1,
            c if c == q => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The line without its comment: `#` at the start or after a blank, outside quotes.
fn strip_comment(line: &str) -> &str {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' | b'\''
                if i == 0 || matches!(b[i - 1], b' ' | b':' | b'-' | b'[' | b'{' | b',') =>
            {
                match closing_quote(line, i) {
                    Some(end) => i = end,
                    None => return line,
                }
            }
            b'#' if i == 0 || b[i - 1] == b' ' => return &line[..i],
            _ => {}
        }
        i += 1;
    }
    line
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    if s.len() >= 2 && s.starts_with('\'') && s.ends_with('\'') {
        return s[1..s.len() - 1].replace("''", "'");
    }
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        let inner = &s[1..s.len() - 1];
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(o) => out.push(o),
                    None => {}
                }
            } else {
                out.push(c);
            }
        }
        return out;
    }
    s.to_string()
}

fn scalar(s: &str) -> Value {
    match s {
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        "~" | "null" | "Null" | "NULL" => Value::Null,
        _ => Value::String(unquote(s)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn block_mappings_sequences_and_scalars() {
        let text = "---\n# top\npre-commit:\n  parallel: true\n  commands:\n    lint:   # c\n      run: eslint {staged_files} # why\n      glob: \"*.{js,ts}\"\n    'quoted key':\n      run: 'it''s'\n  jobs:\n    - name: a\n      run: x\n    -\n      run: y\n    - z\nlist:\n- 1\n- two\nscript:\n  run: |\n    echo a # not a comment\n\n    echo b\n  after: 1\n";
        assert_eq!(
            parse(text).unwrap(),
            json!({
                "pre-commit": {
                    "parallel": true,
                    "commands": {
                        "lint": {"run": "eslint {staged_files}", "glob": "*.{js,ts}"},
                        "quoted key": {"run": "it's"}
                    },
                    "jobs": [{"name": "a", "run": "x"}, {"run": "y"}, "z"]
                },
                "list": ["1", "two"],
                "script": {"run": "echo a # not a comment\n\necho b", "after": "1"}
            })
        );
    }

    #[test]
    fn flow_style_is_opaque_and_bad_indentation_unreadable() {
        assert_eq!(
            parse("pre-commit: {commands: {x: {run: leakgate pre-commit}}}\n").unwrap(),
            json!({"pre-commit": "{commands: {x: {run: leakgate pre-commit}}}"})
        );
        assert_eq!(parse("a:\n  b: 1\n    c: 2\n"), None);
        assert_eq!(parse("a:\n\tb: 1\n"), None);
        assert_eq!(parse("# only a comment\n").unwrap(), Value::Null);
    }

    #[test]
    fn non_ascii_anywhere_never_panics() {
        let seed = "pre-commit:\n  commands:\n    l:\n      run: \"a\\\"b\" # c\n  jobs:\n    - run: 'x''y'\n";
        for v in crate::test_support::non_ascii_variants(seed) {
            let _ = parse(&v);
        }
    }
}
