//! Text from input made safe to print on a terminal.
//!
//! File names, map `sources` entries, package names and config values are chosen by
//! whoever wrote the package; printed raw, an ESC sequence or a carriage return can erase
//! or overwrite the line that reports a finding (`a\x1b[2K\rclean.js` shows as
//! `clean.js`), and a bidi override can reverse what follows it. The human renderer shows
//! every such character escaped, in Rust's notation; JSON and SARIF keep the exact string
//! (their serializer writes controls as `\u001b` escapes).

use std::borrow::Cow;
use std::fmt::Write as _;

/// True for a character that must not reach a terminal raw: C0 and C1 controls, DEL, and
/// the Unicode bidi controls (embeddings and overrides U+202A-U+202E, isolates
/// U+2066-U+2069, and the marks U+200E, U+200F, U+061C).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// `text` with every [`is_unsafe`] character escaped: `\n`, `\r`, `\t`, `\x1b` for other
/// ASCII controls, `\u{202e}` beyond ASCII. Borrowed when there is nothing to escape.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) && (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`escape`] into an owned string.
pub fn escaped(text: &str) -> String {
    escape(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_escaped() {
        assert_eq!(escape("a\x1b[2K\rclean.js"), r"a\x1b[2K\rclean.js");
        assert_eq!(escape("x\u{202e}y\u{2066}z"), r"x\u{202e}y\u{2066}z");
        assert_eq!(escape("\u{9b}31m\x7f\x00"), r"\u{9b}31m\x7f\x00");
        assert_eq!(escape("line\nnext\ttab"), r"line\nnext\ttab");
    }

    #[test]
    fn plain_text_is_borrowed() {
        for s in [
            "dist/cli.js.map",
            "café ünïcode 名前",
            "`--sourcemap` → maps",
        ] {
            assert!(matches!(escape(s), Cow::Borrowed(_)), "{s}");
        }
    }
}
