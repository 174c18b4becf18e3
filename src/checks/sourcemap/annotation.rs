//! Finding the `sourceMappingURL` of a generated file without parsing it (ECMA-426
//! "extract a source map URL … without parsing"), for JavaScript, CSS and WebAssembly.
//!
//! JavaScript: lines are split on LF, CR, CRLF, U+2028 and U+2029; within a line, `//`
//! comments, single-line `/* */` comments and whitespace are skipped; anything else is code
//! and forgets the URL seen so far. A comment matching `^[@#]\s*sourceMappingURL=(\S*?)\s*$`
//! sets it. So the last *trailing* annotation wins, and an annotation inside a template
//! literal followed by more code is no link. Because a line's effect is independent of the
//! lines before it, the walk runs from the end and stops at the first line that has one:
//! big bundles are judged by their tail.

use std::ops::Range;

/// A `sourceMappingURL` found in a generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// The URL as written.
    pub url: String,
    /// Byte range of the URL in the file.
    pub span: Range<usize>,
}

impl Annotation {
    /// 1-based line of the annotation in `src` (counts LF only; for messages).
    pub fn line(&self, src: &[u8]) -> u32 {
        let n = memchr::memchr_iter(b'\n', &src[..self.span.start.min(src.len())]).count();
        u32::try_from(n + 1).unwrap_or(u32::MAX)
    }
}

/// Which comment syntax the file uses.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Lang {
    Js,
    Css,
}

/// The effective `sourceMappingURL` of a JavaScript file.
pub fn js_annotation(src: &[u8]) -> Option<Annotation> {
    trailing(src, Lang::Js)
}

/// The effective `sourceMappingURL` of a CSS file (`/*# sourceMappingURL=… */` only).
pub fn css_annotation(src: &[u8]) -> Option<Annotation> {
    trailing(src, Lang::Css)
}

/// What one line does to the URL seen so far.
enum Effect {
    /// Blank, or only non-matching comments.
    Nothing,
    /// Code after the last matching comment: no URL.
    Reset,
    /// The last thing that counts is an annotation (range within the line).
    Url(Range<usize>),
}

fn trailing(src: &[u8], lang: Lang) -> Option<Annotation> {
    let mut end = src.len();
    loop {
        let (start, next_end) = line_before(src, end);
        match line_effect(&src[start..end], lang) {
            Effect::Nothing => {}
            Effect::Reset => return None,
            Effect::Url(r) => {
                let span = start + r.start..start + r.end;
                return Some(Annotation {
                    url: String::from_utf8_lossy(&src[span.clone()]).into_owned(),
                    span,
                });
            }
        }
        match next_end {
            Some(e) => end = e,
            None => return None,
        }
    }
}

/// The line ending at `end`: its start, and the end of the previous line (`None` at the
/// top of the file).
fn line_before(src: &[u8], end: usize) -> (usize, Option<usize>) {
    let mut pos = end;
    // U+2028 and U+2029 are E2 80 A8 / E2 80 A9 in UTF-8: look for their lead byte.
    while let Some(p) = memchr::memrchr3(b'\n', b'\r', 0xE2, &src[..pos]) {
        match src[p] {
            b'\n' => {
                let prev = if p > 0 && src[p - 1] == b'\r' {
                    p - 1
                } else {
                    p
                };
                return (p + 1, Some(prev));
            }
            b'\r' => return (p + 1, Some(p)),
            _ if p + 3 <= end && src[p + 1] == 0x80 && matches!(src[p + 2], 0xA8 | 0xA9) => {
                return (p + 3, Some(p));
            }
            _ => pos = p,
        }
    }
    (0, None)
}

/// Length of the ECMAScript white space (not a line terminator) at `s[0..]`, if any.
fn ws_len(s: &[u8]) -> usize {
    match s {
        [b' ' | b'\t' | 0x0B | 0x0C, ..] => 1,
        [0xC2, 0xA0, ..] => 2,                                // NBSP
        [0xEF, 0xBB, 0xBF, ..] => 3,                          // BOM
        [0xE1, 0x9A, 0x80, ..] => 3,                          // U+1680
        [0xE2, 0x80, 0x80..=0x8A | 0xAF, ..] => 3,            // U+2000..200A, U+202F
        [0xE2, 0x81, 0x9F, ..] | [0xE3, 0x80, 0x80, ..] => 3, // U+205F, U+3000
        _ => 0,
    }
}

fn line_effect(line: &[u8], lang: Lang) -> Effect {
    let mut effect = Effect::Nothing;
    let mut i = 0;
    while i < line.len() {
        let w = ws_len(&line[i..]);
        if w > 0 {
            i += w;
            continue;
        }
        let rest = &line[i..];
        if lang == Lang::Js && rest.starts_with(b"//") {
            if let Some(r) = match_annotation(&rest[2..]) {
                effect = hit(i + 2, r);
            }
            return effect;
        }
        if rest.starts_with(b"/*") {
            let Some(close) = memchr::memmem::find(&rest[2..], b"*/") else {
                return effect; // unclosed: the rest of the line is comment
            };
            if let Some(r) = match_annotation(&rest[2..2 + close]) {
                effect = hit(i + 2, r);
            }
            i += 2 + close + 2;
            continue;
        }
        // Code: forget any URL so far and skip to the next possible comment start.
        effect = Effect::Reset;
        i += 1;
        i += memchr::memchr(b'/', &line[i..]).unwrap_or(line.len() - i);
    }
    effect
}

fn hit(base: usize, r: Range<usize>) -> Effect {
    Effect::Url(base + r.start..base + r.end)
}

/// `^[@#]\s*sourceMappingURL=(\S*?)\s*$` on a comment's text; the URL's range. A URL with a
/// quote or backtick in it is code that merely looks like a comment (a decoy): no match.
fn match_annotation(comment: &[u8]) -> Option<Range<usize>> {
    if !matches!(comment.first(), Some(b'@' | b'#')) {
        return None;
    }
    let mut i = 1;
    while i < comment.len() && is_space(comment, i) > 0 {
        i += is_space(comment, i);
    }
    let key = b"sourceMappingURL=";
    if !comment[i..].starts_with(key) {
        return None;
    }
    let start = i + key.len();
    let mut end = start;
    while end < comment.len() && is_space(comment, end) == 0 {
        end += 1;
    }
    let mut j = end;
    while j < comment.len() {
        let w = is_space(comment, j);
        if w == 0 {
            return None;
        }
        j += w;
    }
    if comment[start..end]
        .iter()
        .any(|c| matches!(c, b'"' | b'\'' | b'`'))
    {
        return None;
    }
    Some(start..end)
}

/// `\s` of a JavaScript regex (white space and line terminators) at `s[i..]`.
fn is_space(s: &[u8], i: usize) -> usize {
    match &s[i..] {
        [b'\n' | b'\r', ..] => 1,
        [0xE2, 0x80, 0xA8 | 0xA9, ..] => 3,
        rest => ws_len(rest),
    }
}

/// Inline maps anywhere in a JavaScript file (webpack's `eval-source-map` puts one per
/// module inside `eval('…')` strings, and Babel's `both` mode leaves an inline map above a
/// linked one): the range of each `data:` URL following `sourceMappingURL=`. A URL ends at
/// whitespace, a quote or a backslash (an escape inside the string literal).
pub fn embedded_data_urls(src: &[u8]) -> Vec<Range<usize>> {
    let needle = b"sourceMappingURL=data:";
    let finder = memchr::memmem::Finder::new(needle);
    let mut out = Vec::new();
    for pos in finder.find_iter(src) {
        let start = pos + needle.len() - b"data:".len();
        let len = src[start..]
            .iter()
            .position(|c| c.is_ascii_whitespace() || matches!(c, b'"' | b'\'' | b'`' | b'\\'))
            .unwrap_or(src.len() - start);
        out.push(start..start + len);
    }
    out
}

/// The URL in a WebAssembly module's `sourceMappingURL` custom section, if any.
///
/// The tool-conventions format stores the URL as a length-prefixed byte vector; some
/// writers store the raw bytes. Both are accepted: the length prefix is used when it
/// describes exactly the rest of the section.
pub fn wasm_annotation(bytes: &[u8]) -> Option<String> {
    if !bytes.starts_with(b"\0asm") || bytes.len() < 8 {
        return None;
    }
    let mut i = 8;
    while i < bytes.len() {
        let id = bytes[i];
        i += 1;
        let (size, used) = leb128(&bytes[i..])?;
        i += used;
        let end = i.checked_add(size as usize)?;
        let section = bytes.get(i..end)?;
        if id == 0 {
            let (name_len, used) = leb128(section)?;
            let name_end = used.checked_add(name_len as usize)?;
            if section.get(used..name_end) == Some(b"sourceMappingURL") {
                let payload = &section[name_end..];
                let url = match leb128(payload) {
                    Some((n, u)) if u + n as usize == payload.len() => &payload[u..],
                    _ => payload,
                };
                return Some(String::from_utf8_lossy(url).into_owned());
            }
        }
        i = end;
    }
    None
}

fn leb128(b: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, &byte) in b.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn js(s: &str) -> Option<String> {
        js_annotation(s.as_bytes()).map(|a| a.url)
    }

    #[test]
    fn last_trailing_annotation_wins() {
        assert_eq!(
            js("x;\n//# sourceMappingURL=a.js.map\n"),
            Some("a.js.map".into())
        );
        assert_eq!(
            js("x;\n//@ sourceMappingURL=a.js.map"),
            Some("a.js.map".into())
        );
        assert_eq!(
            js("//# sourceMappingURL=stale.map\nx;\n//# sourceMappingURL=b.map\n// tail\n\n"),
            Some("b.map".into())
        );
        assert_eq!(
            js("x;\n//# sourceMappingURL=a.map\n//# sourceMappingURL=b.map"),
            Some("b.map".into())
        );
        assert_eq!(
            js("x; /*# sourceMappingURL=c.map */ "),
            Some("c.map".into())
        );
        assert_eq!(
            js("x;\n//# debugId=abc\n//# sourceMappingURL=a.map"),
            Some("a.map".into())
        );
    }

    #[test]
    fn code_after_the_annotation_means_no_link() {
        assert_eq!(js("//# sourceMappingURL=a.map\nx;\n"), None);
        assert_eq!(
            js("const t = `\n//# sourceMappingURL=decoy.js.map\n`;\n"),
            None
        );
        assert_eq!(js("s = \"//# sourceMappingURL=decoy.map\";"), None);
        assert_eq!(js("//# sourceMappingURL=a b\n"), None);
        assert_eq!(js("// sourceMappingURL=a.map"), None);
        assert_eq!(js(""), None);
    }

    #[test]
    fn every_line_terminator_and_blank_form_counts() {
        assert_eq!(
            js("x;\r\n//#   sourceMappingURL=a.map   \r\n"),
            Some("a.map".into())
        );
        assert_eq!(js("x;\r//# sourceMappingURL=a.map\r"), Some("a.map".into()));
        assert_eq!(
            js("x;\u{2028}//# sourceMappingURL=a.map"),
            Some("a.map".into())
        );
        assert_eq!(
            js("x;\u{2029}//# sourceMappingURL=a.map\u{2029}"),
            Some("a.map".into())
        );
        // A terminator inside the comment's line ends it: `x` on the next line is code.
        assert_eq!(js("//# sourceMappingURL=a.map\u{2028}x"), None);
    }

    #[test]
    fn css_takes_block_comments_only() {
        let css = |s: &str| css_annotation(s.as_bytes()).map(|a| a.url);
        assert_eq!(
            css("a{}\n/*# sourceMappingURL=r.css.map */\n"),
            Some("r.css.map".into())
        );
        assert_eq!(css("a{}\n//# sourceMappingURL=r.css.map\n"), None);
    }

    #[test]
    fn line_numbers_are_reported() {
        let src = b"a\nb\n//# sourceMappingURL=x.map\n";
        assert_eq!(js_annotation(src).unwrap().line(src), 3);
    }

    #[test]
    fn data_urls_inside_strings_are_found() {
        let src = br#"eval('x\n//# sourceMappingURL=data:application/json;base64,eyJ9\n//# sourceURL=y');"#;
        let found = embedded_data_urls(src);
        assert_eq!(found.len(), 1);
        assert_eq!(&src[found[0].clone()], b"data:application/json;base64,eyJ9");
    }

    #[test]
    fn wasm_custom_section_both_forms() {
        let mut raw = b"\0asm\x01\0\0\0\0\x20\x10sourceMappingURLmodule.wasm.map".to_vec();
        assert_eq!(wasm_annotation(&raw).as_deref(), Some("module.wasm.map"));
        raw = b"\0asm\x01\0\0\0\0\x15\x10sourceMappingURL\x03a.m".to_vec();
        raw[9] = (raw.len() - 10) as u8;
        assert_eq!(wasm_annotation(&raw).as_deref(), Some("a.m"));
        assert_eq!(wasm_annotation(b"\0asm\x01\0\0\0\x01\x01\x00"), None);
        assert_eq!(wasm_annotation(b"\0asm\x01\0\0\0\0\xff"), None);
    }
}
