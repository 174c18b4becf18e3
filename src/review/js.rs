//! A tolerant JavaScript/TypeScript tokenizer and property finder for bundler configs.
//!
//! Bundler configs are code, so leakgate does not evaluate them; it finds the property
//! assignments that matter (`sourcemap: true`, `devtool: 'source-map'`,
//! `config.devtool = …`) with the object path around them (`build.sourcemap`) and the
//! call they are an argument of (`Bun.build({...})`). Strings, comments, regex literals
//! and template literals are tokenized properly so that text inside them never counts.

/// A token kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// An identifier or keyword.
    Ident(String),
    /// A string literal (or a template without substitutions), decoded loosely.
    Str(String),
    /// A template literal with substitutions (its value is unknown).
    Template,
    /// A number.
    Num,
    /// A regular expression literal.
    Regex,
    /// Punctuation (`{`, `=>`, `?.`, …), one or more characters.
    Punct(String),
}

/// A token and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// The kind and value.
    pub tok: Tok,
    /// Byte offset in the source.
    pub offset: usize,
}

const REGEX_AFTER_KEYWORDS: &[&str] = &[
    "return",
    "typeof",
    "instanceof",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
    "case",
    "do",
    "else",
    "yield",
    "await",
];

/// Keywords whose parenthesized condition is followed by a statement: after the `)` that
/// closes it, `/` starts a regular expression, not a division (`if (x) /re/.test(y)`).
const CONDITION_KEYWORDS: &[&str] = &["if", "while", "for", "with"];

/// True when the `(` about to be pushed after `out` opens a statement's condition:
/// `if (`, `while (`, `for (`, `for await (`, `with (`, but not a method called `.if(`.
fn opens_condition(out: &[Token]) -> bool {
    let ident = |i: usize| match out.get(i).map(|t| &t.tok) {
        Some(Tok::Ident(id)) => Some(id.as_str()),
        _ => None,
    };
    let member = |i: usize| {
        i > 0
            && matches!(out.get(i - 1).map(|t| &t.tok), Some(Tok::Punct(p)) if p == "." || p == "?.")
    };
    let Some(last) = out.len().checked_sub(1) else {
        return false;
    };
    match ident(last) {
        Some("await") if last > 0 => ident(last - 1) == Some("for") && !member(last - 1),
        Some(kw) => CONDITION_KEYWORDS.contains(&kw) && !member(last),
        None => false,
    }
}

/// Tokenizes `src`, skipping comments. Never fails: unterminated constructs end at EOF.
pub fn tokenize(src: &str) -> Vec<Token> {
    let b = src.as_bytes();
    let mut out: Vec<Token> = Vec::new();
    // For each open `(`: whether it opened a statement's condition.
    let mut parens: Vec<bool> = Vec::new();
    // Whether the last `)` closed a condition (meaningful while it is the last token).
    let mut closed_condition = false;
    // Brace depths at which a template literal's `${` was opened.
    let mut template_stack: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                i += 1;
            }
            i = (i + 2).min(b.len());
            continue;
        }
        if c == b'"' || c == b'\'' {
            let (s, end) = read_string(src, i);
            out.push(Token {
                tok: Tok::Str(s),
                offset: start,
            });
            i = end;
            continue;
        }
        if c == b'`' || (c == b'}' && template_stack.last() == Some(&depth)) {
            if c == b'}' {
                template_stack.pop();
                depth = depth.saturating_sub(1);
            }
            // Scan template text until the closing backtick or a `${`.
            i += 1;
            let text_start = i;
            let mut subst = false;
            while i < b.len() {
                match b[i] {
                    b'\\' => i += 2,
                    b'`' => break,
                    b'$' if b.get(i + 1) == Some(&b'{') => {
                        subst = true;
                        break;
                    }
                    _ => i += 1,
                }
            }
            let i_end = i.min(b.len());
            if subst {
                depth += 1;
                template_stack.push(depth);
                i = i_end + 2;
                if c == b'`' {
                    out.push(Token {
                        tok: Tok::Template,
                        offset: start,
                    });
                }
            } else {
                i = (i_end + 1).min(b.len());
                if c == b'`' {
                    out.push(Token {
                        tok: Tok::Str(src[text_start..i_end].to_string()),
                        offset: start,
                    });
                }
            }
            continue;
        }
        if c == b'/' && regex_allowed(out.last(), closed_condition) {
            i += 1;
            let mut in_class = false;
            while i < b.len() && b[i] != b'\n' {
                match b[i] {
                    b'\\' => i += 1,
                    b'[' => in_class = true,
                    b']' => in_class = false,
                    b'/' if !in_class => break,
                    _ => {}
                }
                i += 1;
            }
            i += 1;
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Regex,
                offset: start,
            });
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c >= 0x80 {
            while i < b.len()
                && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$' || b[i] >= 0x80)
            {
                i += 1;
            }
            while !src.is_char_boundary(i) {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Ident(src[start..i].to_string()),
                offset: start,
            });
            continue;
        }
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.' || b[i] == b'_') {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Num,
                offset: start,
            });
            continue;
        }
        // Punctuation: a few multi-character operators matter (`=>`, `===`, `?.`, `...`).
        let rest = &src[i..];
        let p = [
            "===", "!==", "...", "=>", "==", "!=", "?.", "??", "&&", "||",
        ]
        .iter()
        .find(|p| rest.starts_with(**p))
        .map_or(1, |p| p.len());
        let p = if rest.is_char_boundary(p) { p } else { 1 };
        match c {
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b'(' => parens.push(opens_condition(&out)),
            b')' => closed_condition = parens.pop().unwrap_or(false),
            _ => {}
        }
        out.push(Token {
            tok: Tok::Punct(rest[..p].to_string()),
            offset: start,
        });
        i += p;
    }
    out
}

/// Whether a `/` after `prev` starts a regex. `closed_condition`: the `)` that `prev` may
/// be closed an `if`/`while`/`for`/`with` condition, after which a statement (and so a
/// regex) begins; any other `)` ends an expression, and `/` divides it.
fn regex_allowed(prev: Option<&Token>, closed_condition: bool) -> bool {
    match prev.map(|t| &t.tok) {
        None => true,
        Some(Tok::Ident(id)) => REGEX_AFTER_KEYWORDS.contains(&id.as_str()),
        Some(Tok::Str(_)) | Some(Tok::Num) | Some(Tok::Regex) | Some(Tok::Template) => false,
        Some(Tok::Punct(p)) if p == ")" => closed_condition,
        Some(Tok::Punct(p)) => p != "]",
    }
}

fn read_string(src: &str, start: usize) -> (String, usize) {
    let b = src.as_bytes();
    let q = b[start];
    let mut i = start + 1;
    let mut s = String::new();
    while i < b.len() && b[i] != q && b[i] != b'\n' {
        if b[i] == b'\\' && i + 1 < b.len() {
            i += 1;
        }
        let ch = src[i..].chars().next().unwrap_or('?');
        s.push(ch);
        i += ch.len_utf8();
    }
    (s, (i + 1).min(b.len()))
}

/// The value of a property, as far as leakgate can tell without running code.
#[derive(Clone, Debug, PartialEq)]
pub enum PropValue {
    /// `true` / `false`.
    Bool(bool),
    /// A string literal.
    Str(String),
    /// An expression: the literals it contains (`isProd ? 'source-map' : false`).
    Expr {
        /// String literals in the expression.
        strings: Vec<String>,
        /// Boolean literals in the expression.
        bools: Vec<bool>,
    },
}

/// One property found in the code.
#[derive(Clone, Debug, PartialEq)]
pub struct Prop {
    /// The key (`sourcemap`).
    pub key: String,
    /// Byte offset of the key.
    pub offset: usize,
    /// Enclosing object keys and calls, outermost first: `["call:defineConfig", "build"]`.
    pub path: Vec<String>,
    /// An id of the object literal holding it (siblings share it).
    pub object: usize,
    /// The value.
    pub value: PropValue,
}

/// Finds `key: value` properties of object literals and `x.key = value` assignments.
pub fn properties(src: &str) -> Vec<Prop> {
    let toks = tokenize(src);
    // Frames: for each open bracket, the path segment it adds (if any) and an id.
    struct Frame {
        segment: Option<String>,
        id: usize,
        open: char,
    }
    let mut frames: Vec<Frame> = Vec::new();
    let mut next_id = 1usize;
    let mut out = Vec::new();
    let path_of = |frames: &[Frame]| -> Vec<String> {
        frames.iter().filter_map(|f| f.segment.clone()).collect()
    };
    let punct =
        |i: usize, p: &str| matches!(toks.get(i), Some(Token { tok: Tok::Punct(q), .. }) if q == p);
    for i in 0..toks.len() {
        match &toks[i].tok {
            Tok::Punct(p) if p == "{" || p == "[" || p == "(" => {
                let open = p.chars().next().unwrap();
                let segment = if open == '(' {
                    callee(&toks, i).map(|c| format!("call:{c}"))
                } else if open == '{' && i >= 2 && punct(i - 1, ":") {
                    key_at(&toks, i - 2)
                } else {
                    None
                };
                frames.push(Frame {
                    segment,
                    id: next_id,
                    open,
                });
                next_id += 1;
            }
            Tok::Punct(p) if p == "}" || p == "]" || p == ")" => {
                frames.pop();
            }
            Tok::Ident(_) | Tok::Str(_) => {
                let in_object = frames.last().is_some_and(|f| f.open == '{');
                let after_sep = i > 0 && (punct(i - 1, "{") || punct(i - 1, ","));
                if in_object && after_sep && punct(i + 1, ":") {
                    if let Some(key) = key_at(&toks, i) {
                        out.push(Prop {
                            key,
                            offset: toks[i].offset,
                            path: path_of(&frames),
                            object: frames.last().map_or(0, |f| f.id),
                            value: value_at(&toks, i + 2),
                        });
                    }
                } else if i > 0 && punct(i - 1, ".") && punct(i + 1, "=") {
                    if let Tok::Ident(key) = &toks[i].tok {
                        out.push(Prop {
                            key: key.clone(),
                            offset: toks[i].offset,
                            path: path_of(&frames),
                            object: 0,
                            value: value_at(&toks, i + 2),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn key_at(toks: &[Token], i: usize) -> Option<String> {
    match &toks.get(i)?.tok {
        Tok::Ident(s) | Tok::Str(s) => Some(s.clone()),
        _ => None,
    }
}

/// The dotted callee before a `(` at index `i` (`Bun.build`, `esbuild.context`).
fn callee(toks: &[Token], i: usize) -> Option<String> {
    let mut parts = Vec::new();
    let mut j = i;
    while j > 0 {
        j -= 1;
        match &toks[j].tok {
            Tok::Ident(s) => {
                parts.push(s.clone());
                if j > 0 && matches!(&toks[j - 1].tok, Tok::Punct(p) if p == "." || p == "?.") {
                    j -= 1;
                    continue;
                }
                break;
            }
            _ => break,
        }
    }
    if parts.is_empty() {
        return None;
    }
    parts.reverse();
    Some(parts.join("."))
}

/// The value starting at token `i`, up to the next `,` / `;` / closing bracket at depth 0.
fn value_at(toks: &[Token], i: usize) -> PropValue {
    let mut depth = 0i32;
    let mut strings = Vec::new();
    let mut bools = Vec::new();
    let mut count = 0;
    let mut j = i;
    while j < toks.len() {
        match &toks[j].tok {
            Tok::Punct(p) if matches!(p.as_str(), "{" | "[" | "(") => depth += 1,
            Tok::Punct(p) if matches!(p.as_str(), "}" | "]" | ")") => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            Tok::Punct(p) if depth == 0 && (p == "," || p == ";") => break,
            Tok::Str(s) => strings.push(s.clone()),
            Tok::Ident(id) if id == "true" => bools.push(true),
            Tok::Ident(id) if id == "false" => bools.push(false),
            _ => {}
        }
        count += 1;
        j += 1;
    }
    if count == 1 {
        if let [s] = strings.as_slice() {
            return PropValue::Str(s.clone());
        }
        if let [b] = bools.as_slice() {
            return PropValue::Bool(*b);
        }
    }
    PropValue::Expr { strings, bools }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_properties_with_paths() {
        let src =
            "export default defineConfig({\n  build: { sourcemap: true, outDir: 'dist' },\n})";
        let props = properties(src);
        let sm = props.iter().find(|p| p.key == "sourcemap").unwrap();
        assert_eq!(sm.path, vec!["call:defineConfig", "build"]);
        assert_eq!(sm.value, PropValue::Bool(true));
        assert_eq!(crate::review::json::line_col(src, sm.offset), (2, 12));
    }

    #[test]
    fn strings_comments_regexes_and_templates_do_not_count() {
        let src = r#"
            // sourcemap: true
            /* devtool: 'source-map' */
            const s = "sourcemap: true";
            const r = /sourcemap: true/g;
            const t = `devtool: 'source-map' ${ "x" } sourcemap: true`;
            const a = 4 / 2, b = { sourcemap: 'none' };
        "#;
        let props = properties(src);
        assert_eq!(props.len(), 1, "{props:?}");
        assert_eq!(props[0].value, PropValue::Str("none".into()));
    }

    #[test]
    fn a_regex_after_a_control_condition_is_a_regex() {
        // `)` closing `if (…)` / `while (…)` / `for (…)` / `with (…)` is followed by a
        // statement, so `/` starts a regex there; a quote inside it must not open a string
        // that swallows the rest of the file.
        for head in [
            "if (x)",
            "while (x)",
            "for (;;)",
            "for await (const a of b)",
            "with (x)",
        ] {
            let src = format!(
                "{head} /'/.test(y); export default {{ build: {{ sourcemap: true }} }} // '"
            );
            let props = properties(&src);
            assert!(
                props
                    .iter()
                    .any(|p| p.key == "sourcemap" && p.value == PropValue::Bool(true)),
                "{head}: {props:?}"
            );
        }
        // Near misses: `)` of a call or of a grouping is followed by a division, and a
        // method named `if` is a call, not a condition.
        for src in [
            "const a = f(x) / 2; const b = { sourcemap: 'none' };",
            "const a = (x) /'/'; const b = { sourcemap: 'none' };",
            "const a = o.if(x) / 2 / 1; const b = { sourcemap: 'none' };",
        ] {
            let props = properties(src);
            assert_eq!(props.len(), 1, "{src}: {props:?}");
            assert_eq!(props[0].value, PropValue::Str("none".into()), "{src}");
        }
    }

    #[test]
    fn assignments_calls_and_expressions() {
        let src = "await Bun.build({ entrypoints: ['a'], sourcemap: prod ? 'linked' : 'none' });\nconfig.devtool = 'source-map';";
        let props = properties(src);
        let sm = props.iter().find(|p| p.key == "sourcemap").unwrap();
        assert_eq!(sm.path, vec!["call:Bun.build"]);
        assert_eq!(
            sm.value,
            PropValue::Expr {
                strings: vec!["linked".into(), "none".into()],
                bools: vec![]
            }
        );
        let dt = props.iter().find(|p| p.key == "devtool").unwrap();
        assert_eq!(dt.value, PropValue::Str("source-map".into()));
    }

    #[test]
    fn non_ascii_anywhere_never_panics() {
        let seed =
            "export default { build: { sourcemap: true, 'x': `t${1}` /* c */ }, y: /re/g } // e";
        for v in crate::test_support::non_ascii_variants(seed) {
            let _ = tokenize(&v);
            let _ = properties(&v);
        }
    }
}
