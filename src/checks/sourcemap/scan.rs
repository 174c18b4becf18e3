//! A streaming, key-aware walk over source-map JSON that never decodes `mappings`.
//!
//! An audit needs `sources`, `sourceRoot`, `file` and whether (and how much) each source is
//! embedded in `sourcesContent`; decoding the VLQ `mappings` (what the `sourcemap` crate always
//! does) costs ~12x the instructions and ~4x the memory for nothing. This walk jumps over
//! strings with `memchr` (only unescaped quotes stop it), keeps `sourcesContent` entries as
//! byte ranges into the caller's buffer (decoded on demand), and recurses into index maps'
//! `sections`. Memory: the caller's buffer plus the small `sources` list.

use std::ops::Range;

/// Deepest JSON nesting accepted (index maps inside index maps, or hostile input).
const MAX_DEPTH: usize = 64;

/// Why a buffer is not a readable source map: what was expected and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at byte {offset}")]
pub struct MapError {
    /// Byte offset into the buffer given to [`parse`].
    pub offset: usize,
    /// What was wrong.
    pub message: String,
}

impl MapError {
    /// 1-based line and column of the error in `buf`.
    pub fn line_col(&self, buf: &[u8]) -> (usize, usize) {
        let before = &buf[..self.offset.min(buf.len())];
        let line = memchr::memchr_iter(b'\n', before).count() + 1;
        let col_start = memchr::memrchr(b'\n', before).map_or(0, |p| p + 1);
        (line, self.offset.min(buf.len()) - col_start + 1)
    }
}

/// One `sourcesContent` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// `null` (or a non-string value, which consumers treat as missing).
    Null,
    /// A string: the byte range of its escaped body (without the quotes) in the buffer.
    Text(Range<usize>),
}

/// What an audit needs to know about one (regular or index) source map.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceMap {
    /// `version` when it is a number (the format requires 3).
    pub version: Option<u64>,
    /// `file`.
    pub file: Option<String>,
    /// `sourceRoot`.
    pub source_root: Option<String>,
    /// `sources` (`None` entries are JSON `null`).
    pub sources: Vec<Option<String>>,
    /// True when the `sources` key was present.
    pub has_sources: bool,
    /// `sourcesContent`: `None` when the key is absent (or `null`).
    pub sources_content: Option<Vec<Content>>,
    /// True when a `mappings` key was present (its value is skipped, never decoded).
    pub has_mappings: bool,
    /// Index maps: the `map` of each section (sections with only a `url` are listed in
    /// `section_urls`). `None` for a regular map.
    pub sections: Option<Vec<SourceMap>>,
    /// Index maps: `url` members of sections (older drafts; not in ECMA-426).
    pub section_urls: Vec<String>,
    /// Byte ranges of the buffer that hold embedded source text (`sourcesContent` string
    /// bodies) and `mappings` values, at every depth; set on the map [`parse`] returns. The
    /// rest of the JSON (`sources`, `names`, `file`, `sourceRoot`, `x_*` extensions) is
    /// ordinary text to scan; these ranges are judged as sources, or are VLQ noise.
    pub masked: Vec<Range<usize>>,
}

impl SourceMap {
    /// True when this parses as a source map by content: `version` plus either
    /// `mappings` and `sources`, or `sections` (the sniffing rule for maps under other names).
    ///
    /// `version` is not required: browsers, node and bundlers read a map whose `version` is
    /// `3.0`, `"3"` or missing, so a scanner that insisted would miss what they read.
    pub fn looks_like_map(&self) -> bool {
        (self.has_mappings && self.has_sources) || self.sections.is_some()
    }

    /// Every regular map in this one: itself, or its sections' maps (recursively).
    pub fn leaves(&self) -> Vec<&SourceMap> {
        let mut out = Vec::new();
        self.collect_leaves(&mut out);
        out
    }

    fn collect_leaves<'a>(&'a self, out: &mut Vec<&'a SourceMap>) {
        match &self.sections {
            Some(sections) => sections.iter().for_each(|s| s.collect_leaves(out)),
            None => out.push(self),
        }
    }

    /// The content of source `index`, when embedded (a string entry).
    pub fn content(&self, index: usize) -> Option<&Range<usize>> {
        match self.sources_content.as_ref()?.get(index)? {
            Content::Text(r) => Some(r),
            Content::Null => None,
        }
    }
}

/// Parses a source map from `buf`, skipping a UTF-8 BOM and an XSSI `)]}'` first line.
pub fn parse(buf: &[u8]) -> Result<SourceMap, MapError> {
    let mut p = Parser {
        b: buf,
        i: body_start(buf),
        masked: Vec::new(),
    };
    p.ws();
    if p.peek() != Some(b'{') {
        return Err(p.err("expected `{` (a source map is a JSON object)"));
    }
    let mut map = p.map(0)?;
    p.ws();
    if p.i < buf.len() {
        return Err(p.err("unexpected data after the JSON object"));
    }
    map.masked = std::mem::take(&mut p.masked);
    Ok(map)
}

/// Cheap pre-check before [`parse`] for files that are not named `*.map`: the first
/// non-blank byte opens an object (or an XSSI prefix) and the text mentions `"mappings"`
/// or `"sections"`.
pub fn might_be_map(buf: &[u8]) -> bool {
    let start = body_start(buf);
    let first = buf[start..].iter().find(|b| !b.is_ascii_whitespace());
    first == Some(&b'{')
        && (memchr::memmem::find(&buf[start..], b"\"mappings\"").is_some()
            || memchr::memmem::find(&buf[start..], b"\"sections\"").is_some())
}

/// Where the JSON starts: after a BOM, and after the first line when it starts with `)]}'`
/// (the XSSI guard ECMA-426 tells consumers to skip).
fn body_start(buf: &[u8]) -> usize {
    let mut i = if buf.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    if buf[i..].starts_with(b")]}'") {
        i = memchr::memchr(b'\n', &buf[i..]).map_or(buf.len(), |p| i + p + 1);
    }
    i
}

/// Decodes the escaped body of a JSON string (as returned in [`Content::Text`]). Invalid
/// UTF-8 and lone surrogates become U+FFFD: the text is for scanning and comparing.
pub fn decode_string(raw: &[u8]) -> String {
    if memchr::memchr(b'\\', raw).is_none() {
        return String::from_utf8_lossy(raw).into_owned();
    }
    let mut out: Vec<u8> = Vec::with_capacity(raw.len());
    let mut i = 0;
    // One iterator over every backslash (escapes are dense in sources: one `\n` per line);
    // a backslash that an escape consumed (`\\`) is skipped.
    for at in memchr::memchr_iter(b'\\', raw) {
        if at < i {
            continue;
        }
        out.extend_from_slice(&raw[i..at]);
        i = at + 1;
        let Some(&esc) = raw.get(i) else { break };
        i += 1;
        match esc {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'u' => {
                let (ch, used) = decode_u_escape(&raw[i..]);
                i += used;
                let mut tmp = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
            }
            other => out.push(other), // `"`, `\\`, `/` and (leniently) anything else
        }
    }
    if i < raw.len() {
        out.extend_from_slice(&raw[i..]);
    }
    match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// Decodes the `XXXX` after `\u` (and a following `\uXXXX` low surrogate); returns the
/// character and how many bytes were used.
fn decode_u_escape(rest: &[u8]) -> (char, usize) {
    let hex = |s: &[u8]| -> Option<u32> {
        let s = std::str::from_utf8(s.get(..4)?).ok()?;
        u32::from_str_radix(s, 16).ok()
    };
    let Some(hi) = hex(rest) else {
        return (char::REPLACEMENT_CHARACTER, 0);
    };
    if (0xD800..0xDC00).contains(&hi) && rest.get(4..6) == Some(b"\\u") {
        if let Some(lo) = hex(&rest[6..]) {
            if (0xDC00..0xE000).contains(&lo) {
                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                return (char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER), 10);
            }
        }
    }
    (char::from_u32(hi).unwrap_or(char::REPLACEMENT_CHARACTER), 4)
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
    /// See [`SourceMap::masked`].
    masked: Vec<Range<usize>>,
}

impl Parser<'_> {
    fn err(&self, message: &str) -> MapError {
        let found = match self.peek() {
            None => "end of file".to_string(),
            Some(c) if c.is_ascii_graphic() => format!("`{}`", c as char),
            Some(c) => format!("byte 0x{c:02x}"),
        };
        MapError {
            offset: self.i,
            message: format!("{message}, found {found}"),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn expect(&mut self, c: u8, what: &str) -> Result<(), MapError> {
        self.ws();
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err(what))
        }
    }

    /// At a `"`: returns the body range and moves past the closing quote. Only quotes stop
    /// the search; a quote preceded by an odd run of backslashes is escaped.
    fn string(&mut self) -> Result<Range<usize>, MapError> {
        let start = self.i + 1;
        let mut from = start;
        loop {
            let Some(off) = memchr::memchr(b'"', &self.b[from..]) else {
                self.i = self.b.len();
                return Err(MapError {
                    offset: start - 1,
                    message: "unterminated string".into(),
                });
            };
            let q = from + off;
            let backslashes = self.b[start..q]
                .iter()
                .rev()
                .take_while(|&&c| c == b'\\')
                .count();
            if backslashes % 2 == 0 {
                self.i = q + 1;
                return Ok(start..q);
            }
            from = q + 1;
        }
    }

    fn string_value(&mut self) -> Result<String, MapError> {
        let r = self.string()?;
        Ok(decode_string(&self.b[r]))
    }

    /// Skips any JSON value without building it. Containers are walked with an explicit
    /// stack so hostile nesting can't overflow ours.
    fn skip_value(&mut self) -> Result<(), MapError> {
        let mut stack: Vec<u8> = Vec::new();
        loop {
            self.ws();
            match self.peek() {
                Some(b'"') => {
                    self.string()?;
                }
                Some(open @ (b'{' | b'[')) => {
                    stack.push(if open == b'{' { b'}' } else { b']' });
                    self.i += 1;
                    continue;
                }
                Some(close @ (b'}' | b']')) if stack.last() == Some(&close) => {
                    stack.pop();
                    self.i += 1;
                }
                Some(c) if c == b'-' || c.is_ascii_alphanumeric() => {
                    while let Some(c) = self.peek() {
                        if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'+' | b'.') {
                            self.i += 1;
                        } else {
                            break;
                        }
                    }
                }
                _ => return Err(self.err("expected a JSON value")),
            }
            if stack.is_empty() {
                return Ok(());
            }
            // Inside a container: a separator, or its end, or (objects) a key's colon.
            self.ws();
            match self.peek() {
                Some(b',' | b':') => self.i += 1,
                Some(b'}' | b']') => {}
                _ => return Err(self.err("expected `,` or the end of the array/object")),
            }
        }
    }

    /// Walks `[` item, item… `]`, calling `item` at each element's first byte.
    fn array(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<(), MapError>,
    ) -> Result<(), MapError> {
        self.expect(b'[', "expected `[`")?;
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.ws();
            item(self)?;
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(self.err("expected `,` or `]` in array")),
            }
        }
    }

    /// Walks `{ "key": value, … }`, calling `field` with the decoded key at each value.
    fn object(
        &mut self,
        mut field: impl FnMut(&mut Self, &str) -> Result<(), MapError>,
    ) -> Result<(), MapError> {
        self.expect(b'{', "expected `{`")?;
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(self.err("expected a quoted key"));
            }
            let key = self.string_value()?;
            self.expect(b':', "expected `:` after key")?;
            self.ws();
            field(self, &key)?;
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(self.err("expected `,` or `}` in object")),
            }
        }
    }

    fn opt_string(&mut self) -> Result<Option<String>, MapError> {
        if self.peek() == Some(b'"') {
            Ok(Some(self.string_value()?))
        } else {
            self.skip_value()?;
            Ok(None)
        }
    }

    fn map(&mut self, depth: usize) -> Result<SourceMap, MapError> {
        if depth > MAX_DEPTH {
            return Err(self.err("index map sections nested too deeply"));
        }
        let mut m = SourceMap::default();
        self.object(|p, key| {
            match key {
                "version" => {
                    let start = p.i;
                    p.skip_value()?;
                    // `3`, `3.0` and `"3"` all mean 3 to the consumers that read maps.
                    m.version = std::str::from_utf8(&p.b[start..p.i])
                        .ok()
                        .map(|s| s.trim().trim_matches('"'))
                        .and_then(|s| s.parse::<f64>().ok())
                        .filter(|v| v.fract() == 0.0 && *v >= 0.0)
                        .map(|v| v as u64);
                }
                "file" => m.file = p.opt_string()?,
                "sourceRoot" => m.source_root = p.opt_string()?,
                "mappings" => {
                    m.has_mappings = true;
                    let start = p.i;
                    p.skip_value()?;
                    p.masked.push(start..p.i);
                }
                "sources" if p.peek() == Some(b'[') => {
                    m.has_sources = true;
                    let mut sources = Vec::new();
                    p.array(|p| {
                        sources.push(p.opt_string()?);
                        Ok(())
                    })?;
                    // A repeated key: `JSON.parse` keeps the last, but every copy is in the
                    // shipped bytes; keep the longer list so nothing listed goes unjudged.
                    if sources.len() >= m.sources.len() {
                        m.sources = sources;
                    }
                }
                "sourcesContent" if p.peek() == Some(b'[') => {
                    let mut contents = Vec::new();
                    p.array(|p| {
                        if p.peek() == Some(b'"') {
                            let body = p.string()?;
                            p.masked.push(body.clone());
                            contents.push(Content::Text(body));
                        } else {
                            p.skip_value()?;
                            contents.push(Content::Null);
                        }
                        Ok(())
                    })?;
                    // A repeated key whose last copy is empty (`"sourcesContent":[…],
                    // "sourcesContent":[]`) hides nothing: the first copy still ships.
                    let texts =
                        |c: &[Content]| c.iter().filter(|c| matches!(c, Content::Text(_))).count();
                    let keep_old = m
                        .sources_content
                        .as_deref()
                        .is_some_and(|old| texts(old) > texts(&contents));
                    if !keep_old {
                        m.sources_content = Some(contents);
                    }
                }
                "sections" if p.peek() == Some(b'[') => {
                    let mut sections = Vec::new();
                    let mut urls = Vec::new();
                    p.array(|p| {
                        if p.peek() != Some(b'{') {
                            return Err(p.err("expected a section object"));
                        }
                        p.object(|p, key| {
                            match key {
                                "map" if p.peek() == Some(b'{') => sections.push(p.map(depth + 1)?),
                                "url" => {
                                    if let Some(u) = p.opt_string()? {
                                        urls.push(u);
                                    }
                                }
                                _ => p.skip_value()?,
                            }
                            Ok(())
                        })
                    })?;
                    m.sections = Some(sections);
                    m.section_urls = urls;
                }
                _ => p.skip_value()?,
            }
            Ok(())
        })?;
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(buf: &[u8], m: &SourceMap, i: usize) -> String {
        decode_string(&buf[m.content(i).unwrap().clone()])
    }

    #[test]
    fn reads_sources_and_contents_in_any_key_order() {
        let a = br#"{"version":3,"sources":["a.ts",null],"sourcesContent":["x\n\"y\"",null],"mappings":"AAAA","names":[]}"#;
        let b = br#"{"mappings":"AAAA","sourcesContent":["x\n\"y\"",null],"sources":["a.ts",null],"version":3}"#;
        for buf in [&a[..], &b[..]] {
            let m = parse(buf).unwrap();
            assert_eq!(m.version, Some(3));
            assert_eq!(m.sources, vec![Some("a.ts".into()), None]);
            assert_eq!(text(buf, &m, 0), "x\n\"y\"");
            assert!(m.content(1).is_none());
            assert!(m.looks_like_map());
        }
    }

    #[test]
    fn absent_null_and_all_null_contents_differ() {
        let absent = parse(br#"{"version":3,"sources":["a"],"mappings":""}"#).unwrap();
        assert_eq!(absent.sources_content, None);
        let null =
            parse(br#"{"version":3,"sources":["a"],"sourcesContent":null,"mappings":""}"#).unwrap();
        assert_eq!(null.sources_content, None);
        let all_null =
            parse(br#"{"version":3,"sources":["a"],"sourcesContent":[null],"mappings":""}"#)
                .unwrap();
        assert_eq!(all_null.sources_content, Some(vec![Content::Null]));
    }

    #[test]
    fn escaped_quotes_and_backslashes_end_strings_correctly() {
        let buf = br#"{"version":3,"sources":["a\\"],"sourcesContent":["\\\"\\"],"mappings":"","x":"\u00e9\ud83d\ude00"}"#;
        let m = parse(buf).unwrap();
        assert_eq!(m.sources, vec![Some("a\\".into())]);
        assert_eq!(text(buf, &m, 0), "\\\"\\");
        assert_eq!(decode_string(br"\u00e9\ud83d\ude00"), "é😀");
    }

    #[test]
    fn index_maps_recurse_into_sections() {
        let buf = br#"{"version":3,"file":"x.js","sections":[{"offset":{"line":0,"column":0},"map":{"version":3,"sources":["s.ts"],"sourcesContent":["code"],"mappings":"A"}},{"offset":{"line":9,"column":0},"url":"other.map"}]}"#;
        let m = parse(buf).unwrap();
        assert!(m.looks_like_map());
        let leaves = m.leaves();
        assert_eq!(leaves.len(), 1);
        assert_eq!(text(buf, leaves[0], 0), "code");
        assert_eq!(m.section_urls, vec!["other.map".to_string()]);
    }

    #[test]
    fn xssi_prefix_and_bom_are_skipped() {
        let m = parse(b")]}'\n{\"version\":3,\"sources\":[],\"mappings\":\"\"}").unwrap();
        assert!(m.looks_like_map());
        assert!(parse(b"\xEF\xBB\xBF{\"version\":3}").is_ok());
    }

    #[test]
    fn broken_json_is_an_error_with_a_position() {
        let buf = b"{\n  \"version\": 3,\n  \"sources\": [\"a\" \"b\"]\n}";
        let e = parse(buf).unwrap_err();
        assert_eq!(e.line_col(buf), (3, 19));
        assert!(parse(b"not json").is_err());
        assert!(parse(b"{\"version\":3,\"sources\":[\"a").is_err());
        assert!(parse(b"{\"a\":1} trailing").is_err());
        assert!(parse(b"").is_err());
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(format!("{{\"x\":{deep}}}").as_bytes()).is_ok());
    }

    #[test]
    fn sniffing_needs_version_mappings_and_sources() {
        let pkg = parse(br#"{"name":"x","version":"1.0.0"}"#).unwrap();
        assert!(!pkg.looks_like_map());
        let no_sources = parse(br#"{"version":3,"mappings":""}"#).unwrap();
        assert!(!no_sources.looks_like_map());
        assert!(might_be_map(b"  {\"mappings\":\"\"}"));
        assert!(!might_be_map(b"[\"mappings\"]"));
    }
}
