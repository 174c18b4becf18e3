//! Text edits that keep the user's formatting: an entry appended to a JSON array in place
//! (indentation, key order, comments elsewhere and the final newline untouched), lines
//! appended to an ignore file, and the unified diff `leakgate fix` shows before it writes.

/// `text` with `entries` (already JSON-encoded strings) appended to the array that starts
/// at byte `open` (its `[`), laid out like the items already there: one per line at their
/// indentation when they sit on lines of their own, else `, `-separated on the same line.
/// `None` when `open` is not the start of a well-formed array.
pub fn append_to_array(text: &str, open: usize, entries: &[String]) -> Option<String> {
    let bytes = text.as_bytes();
    if bytes.get(open) != Some(&b'[') {
        return None;
    }
    let close = matching_close(bytes, open)?;
    let inner = &text[open + 1..close];
    let last_end = open + 1 + inner.trim_end().len();
    let first_item = inner.len() - inner.trim_start().len();
    let empty = inner.trim().is_empty();
    let mut out = String::with_capacity(text.len() + 32);
    if empty {
        out.push_str(&text[..open + 1]);
        out.push_str(&entries.join(", "));
        out.push_str(&text[close..]);
        return Some(out);
    }
    let leading = &inner[..first_item];
    let separator = match leading.rfind('\n') {
        // Items on their own lines: the same newline style and indentation.
        Some(nl) => {
            let eol = if leading[..nl].ends_with('\r') {
                "\r\n"
            } else {
                "\n"
            };
            format!(",{eol}{}", &leading[nl + 1..])
        }
        None => ", ".to_string(),
    };
    out.push_str(&text[..last_end]);
    for e in entries {
        out.push_str(&separator);
        out.push_str(e);
    }
    out.push_str(&text[last_end..]);
    Some(out)
}

/// The offset of the `]` closing the array opened at `open`, skipping strings.
fn matching_close(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate().skip(open) {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return (b == b']').then_some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// `text` with `lines` appended, each on its own line, in the file's newline style.
pub fn append_lines(text: &[u8], lines: &[String]) -> Vec<u8> {
    let crlf = text.windows(2).any(|w| w == b"\r\n");
    let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    let mut out = text.to_vec();
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.extend_from_slice(eol);
    }
    for l in lines {
        out.extend_from_slice(l.as_bytes());
        out.extend_from_slice(eol);
    }
    out
}

/// A unified diff of `before` (absent: a new file) and `after`, with three lines of
/// context, as `git diff` would print it for `path`. The fixes only insert lines, so the
/// changed region is the one between the common prefix and the common suffix.
pub fn unified_diff(path: &str, before: Option<&str>, after: &str) -> String {
    let old: Vec<&str> = before.map(|b| b.lines().collect()).unwrap_or_default();
    let new: Vec<&str> = after.lines().collect();
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    const CONTEXT: usize = 3;
    let start = prefix.saturating_sub(CONTEXT);
    let old_end = (old.len() - suffix + CONTEXT).min(old.len());
    let new_end = (new.len() - suffix + CONTEXT).min(new.len());
    let mut out = match before {
        Some(_) => format!("--- a/{path}\n+++ b/{path}\n"),
        None => format!("--- /dev/null\n+++ b/{path}\n"),
    };
    let range = |from: usize, to: usize| {
        let len = to - from;
        let first = if len == 0 { from } else { from + 1 };
        format!("{first},{len}")
    };
    out.push_str(&format!(
        "@@ -{} +{} @@\n",
        range(start, old_end),
        range(start, new_end)
    ));
    for l in &old[start..prefix] {
        out.push_str(&format!(" {l}\n"));
    }
    for l in &old[prefix..old.len() - suffix] {
        out.push_str(&format!("-{l}\n"));
    }
    for l in &new[prefix..new.len() - suffix] {
        out.push_str(&format!("+{l}\n"));
    }
    for l in &old[old.len() - suffix..old_end] {
        out.push_str(&format!(" {l}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_files(text: &str) -> usize {
        text.find("\"files\"").unwrap() + text[text.find("\"files\"").unwrap()..].find('[').unwrap()
    }

    #[test]
    fn items_on_their_own_lines_get_a_line_at_their_indentation() {
        let text = "{\n    \"name\": \"a\",\n    \"files\": [\n        \"dist\",\n        \"bin\"\n    ],\n    \"x\": 1\n}\n";
        let out = append_to_array(text, at_files(text), &["\"!**/*.map\"".into()]).unwrap();
        assert_eq!(
            out,
            "{\n    \"name\": \"a\",\n    \"files\": [\n        \"dist\",\n        \"bin\",\n        \"!**/*.map\"\n    ],\n    \"x\": 1\n}\n"
        );
        let crlf = text.replace('\n', "\r\n");
        let out = append_to_array(&crlf, at_files(&crlf), &["\"!x\"".into()]).unwrap();
        assert!(
            out.contains("\"bin\",\r\n        \"!x\"\r\n    ]"),
            "{out:?}"
        );
    }

    #[test]
    fn inline_arrays_stay_inline_and_brackets_in_strings_are_skipped() {
        let text = r#"{"files": ["dist/[a]", "x]"], "main": "a.js"}"#;
        let out = append_to_array(text, at_files(text), &["\"!**/*.map\"".into()]).unwrap();
        assert_eq!(
            out,
            r#"{"files": ["dist/[a]", "x]", "!**/*.map"], "main": "a.js"}"#
        );
        let empty = r#"{"files": []}"#;
        let out = append_to_array(empty, at_files(empty), &["\"a\"".into()]).unwrap();
        assert_eq!(out, r#"{"files": ["a"]}"#);
        assert_eq!(append_to_array(text, 0, &["\"a\"".into()]), None);
    }

    #[test]
    fn lines_keep_the_file_newline_style() {
        assert_eq!(append_lines(b"a\nb", &["*.map".into()]), b"a\nb\n*.map\n");
        assert_eq!(append_lines(b"a\r\n", &["x".into()]), b"a\r\nx\r\n");
        assert_eq!(append_lines(b"", &["x".into()]), b"x\n");
    }

    #[test]
    fn the_diff_shows_the_inserted_lines_with_context() {
        let before = "1\n2\n3\n4\n5\n6\n";
        let after = "1\n2\n3\n4\nnew\n5\n6\n";
        assert_eq!(
            unified_diff("p", Some(before), after),
            "--- a/p\n+++ b/p\n@@ -2,5 +2,6 @@\n 2\n 3\n 4\n+new\n 5\n 6\n"
        );
        assert_eq!(
            unified_diff(".npmignore", None, "*.map\n"),
            "--- /dev/null\n+++ b/.npmignore\n@@ -0,0 +1,1 @@\n+*.map\n"
        );
    }
}
