//! The publish guard: a `postpack` script in package.json that runs `leakgate audit
//! --packed` and so stops `npm publish` when the package about to ship leaks.
//!
//! Why `postpack`: `npm publish` runs prepublishOnly, then packs (prepack, prepare,
//! postpack), then uploads, then runs publish and postpublish (checked against the real npm
//! by `tests/publish_guard.rs`, `--dry-run` included). prepublishOnly runs before a build
//! done in prepack or prepare; publish and postpublish run after the upload. postpack is
//! the last script before the upload and the first one that sees every built file, and a
//! non-zero exit there aborts the publish. It runs on `npm pack` too, which is welcome.
//!
//! The edit is textual so package.json keeps its indentation, newlines and key order: an
//! existing postpack is chained (`leakgate audit --packed && <previous>`: the guard first, so
//! a cleanup in the previous script can't remove what it must see), a missing one is
//! appended to `scripts` (created when absent). `undo` reverses exactly that edit, from what
//! [`Added`] recorded; [`remove`] removes the guard from a package.json without a record (a
//! guard another clone installed).

use super::state::{Entry, Kind, State};
use super::{io_err, HookError};
use crate::review::json::{Doc, Node, Value};
use std::path::Path;

/// The guard command.
pub const GUARD: &str = "leakgate audit --packed";
/// The npm script it goes in.
pub const SCRIPT: &str = "postpack";

/// What `add` did, so `undo` can reverse it byte for byte (kept in the install state).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Added {
    /// The guard was already there; nothing changed.
    Already,
    /// An existing postpack was chained; this is its original JSON string literal.
    Chained(String),
    /// `postpack` was appended to a non-empty `scripts`.
    Appended,
    /// `scripts` (holding only the guard) was appended to the root object.
    AppendedScripts,
    /// An empty `scripts` got the guard; this is the text that was between its braces.
    Filled(String),
    /// An empty root object got `scripts`; this is the text that was between its braces.
    FilledRoot(String),
}

/// Why package.json could not be edited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

fn err(doc_text: &str, offset: usize, message: impl Into<String>) -> EditError {
    let (line, column) = crate::review::json::line_col(doc_text, offset);
    EditError {
        line,
        column,
        message: message.into(),
    }
}

fn parse(text: &str) -> Result<Doc, EditError> {
    let doc = Doc::parse(text).map_err(|e| EditError {
        line: e.line as u32,
        column: e.column as u32,
        message: e.message,
    })?;
    if !matches!(doc.root.value, Value::Obj(_)) {
        return Err(err(
            text,
            doc.root.offset,
            "package.json is not a JSON object",
        ));
    }
    Ok(doc)
}

/// Whether a postpack value already runs the guard.
pub fn runs_guard(script: &str) -> bool {
    script == GUARD || script.starts_with(&format!("{GUARD} && "))
}

/// Adds the guard to package.json `text`: the new text and what was done.
pub fn add(text: &str) -> Result<(String, Added), EditError> {
    let doc = parse(text)?;
    let root = &doc.root;
    let Some((scripts_key, scripts)) = root.member("scripts") else {
        let value = format!("{{{{NL}}\"{SCRIPT}\": {}{{NL0}}}}", json_str(GUARD));
        let (new, added) = insert_member(text, root, 0, "scripts", &value);
        let added = match added {
            Added::Filled(inner) => Added::FilledRoot(inner),
            _ => Added::AppendedScripts,
        };
        return Ok((new, added));
    };
    let Value::Obj(_) = scripts.value else {
        return Err(err(text, scripts_key, "`scripts` is not an object"));
    };
    match scripts.get(SCRIPT) {
        Some(node) => {
            let Some(current) = node.as_str() else {
                return Err(err(text, node.offset, "`scripts.postpack` is not a string"));
            };
            if runs_guard(current) {
                return Ok((text.to_string(), Added::Already));
            }
            let end = value_end(text, node);
            let raw = text[node.offset..end].to_string();
            let chained = json_str(&format!("{GUARD} && {current}"));
            let new = format!("{}{chained}{}", &text[..node.offset], &text[end..]);
            Ok((new, Added::Chained(raw)))
        }
        None => Ok(insert_member(text, scripts, 1, SCRIPT, &json_str(GUARD))),
    }
}

/// Reverses `add` on `text` (package.json as it is now). `None` when the guard is no longer
/// what `add` wrote (somebody edited it, or removed it): the caller leaves the file alone.
pub fn undo(text: &str, added: &Added) -> Result<Option<String>, EditError> {
    let doc = parse(text)?;
    let root = &doc.root;
    let Some(scripts) = root.get("scripts") else {
        return Ok(None);
    };
    let Some(node) = scripts.get(SCRIPT) else {
        return Ok(None);
    };
    let current = node.as_str().unwrap_or_default();
    let alone = current == GUARD && scripts.members().len() == 1;
    Ok(match added {
        Added::Already => Some(text.to_string()),
        Added::Chained(raw) => {
            let previous: String = serde_json::from_str(raw).unwrap_or_default();
            if current != format!("{GUARD} && {previous}") {
                return Ok(None);
            }
            let end = value_end(text, node);
            Some(format!("{}{raw}{}", &text[..node.offset], &text[end..]))
        }
        Added::Appended if current == GUARD => Some(remove_member(text, scripts, SCRIPT)),
        Added::AppendedScripts if alone => Some(remove_member(text, root, "scripts")),
        Added::Filled(inner) if alone => Some(replace_inner(text, scripts, inner)),
        Added::FilledRoot(inner) if alone && root.members().len() == 1 => {
            Some(replace_inner(text, root, inner))
        }
        _ => None,
    })
}

/// `text` with what is between the braces of `obj` replaced by `inner`.
fn replace_inner(text: &str, obj: &Node, inner: &str) -> String {
    let end = value_end(text, obj);
    format!("{}{inner}{}", &text[..obj.offset + 1], &text[end - 1..])
}

/// Removes the guard from `text` without a record of how it got there: a postpack that is
/// the guard alone is removed, a chained one gets its previous command back. `None` when
/// there is no guard.
pub fn remove(text: &str) -> Result<Option<String>, EditError> {
    let doc = parse(text)?;
    let Some(scripts) = doc.root.get("scripts") else {
        return Ok(None);
    };
    let Some(node) = scripts.get(SCRIPT) else {
        return Ok(None);
    };
    let Some(current) = node.as_str() else {
        return Ok(None);
    };
    if current == GUARD {
        return Ok(Some(remove_member(text, scripts, SCRIPT)));
    }
    match current.strip_prefix(&format!("{GUARD} && ")) {
        Some(previous) => {
            let end = value_end(text, node);
            Ok(Some(format!(
                "{}{}{}",
                &text[..node.offset],
                json_str(previous),
                &text[end..]
            )))
        }
        None => Ok(None),
    }
}

fn parse_error(path: &Path, e: EditError) -> HookError {
    HookError::Parse {
        path: path.to_path_buf(),
        line: e.line,
        column: e.column,
        message: e.message,
    }
}

/// Adds the guard to `package_json` and records how in `state`; the message for the user.
pub fn install(package_json: &Path, state: &mut State) -> super::Result<String> {
    let text = std::fs::read_to_string(package_json).map_err(io_err(package_json))?;
    let (new, added) = add(&text).map_err(|e| parse_error(package_json, e))?;
    if added == Added::Already {
        return Ok(format!("`{SCRIPT}` already runs `{GUARD}`"));
    }
    std::fs::write(package_json, &new).map_err(io_err(package_json))?;
    let message = match &added {
        Added::Chained(_) => format!("`{SCRIPT}` now runs `{GUARD}` before what it ran"),
        _ => format!("added `\"{SCRIPT}\": \"{GUARD}\"` to scripts"),
    };
    state.entries.push(Entry {
        hook: SCRIPT.to_string(),
        kind: Kind::PublishGuard,
        path: package_json.to_path_buf(),
        sha256: super::sha256_hex(GUARD.as_bytes()),
        chained: None,
        created: false,
        created_dir: false,
        newline_added: false,
        header: None,
        publish_guard: Some(added),
    });
    Ok(message)
}

/// Removes the guard install recorded for `package_json`, restoring what was there; without
/// a record (`stateless`), removes a guard found there anyway. `None` when nothing was done.
pub fn uninstall(
    package_json: &Path,
    state: &mut State,
    stateless: bool,
) -> super::Result<Option<String>> {
    let recorded = state
        .entries
        .iter()
        .find(|e| e.kind == Kind::PublishGuard && e.path == package_json)
        .and_then(|e| e.publish_guard.clone());
    if recorded.is_none() && !stateless {
        return Ok(None);
    }
    let text = match std::fs::read_to_string(package_json) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            state
                .entries
                .retain(|e| !(e.kind == Kind::PublishGuard && e.path == package_json));
            return Ok(None);
        }
        Err(e) => return Err(io_err(package_json)(e)),
    };
    let new = match &recorded {
        Some(added) => undo(&text, added),
        None => remove(&text),
    }
    .map_err(|e| parse_error(package_json, e))?;
    state
        .entries
        .retain(|e| !(e.kind == Kind::PublishGuard && e.path == package_json));
    let Some(new) = new else {
        return Ok(recorded.map(|_| {
            format!(
                "`{SCRIPT}` was changed since install, so leakgate left it alone: remove \
                 `{GUARD}` from it by hand if you want it gone"
            )
        }));
    };
    if new == text {
        return Ok(None);
    }
    std::fs::write(package_json, &new).map_err(io_err(package_json))?;
    Ok(Some(match recorded {
        Some(Added::Chained(_)) => format!("`{SCRIPT}` runs what it ran before install again"),
        _ => format!("removed `{GUARD}` from `{SCRIPT}`"),
    }))
}

/// A JSON string literal, escaped as `JSON.stringify` does.
fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Appends `"key": value` to `obj` (at nesting `depth`, the root being 0), copying the
/// separators the file already uses. `value` may hold `{NL}` / `{NL0}`: a newline and the
/// indentation of a member one level deeper / at the level of `key` (for a new object).
fn insert_member(text: &str, obj: &Node, depth: usize, key: &str, value: &str) -> (String, Added) {
    let (newline, unit) = layout(text);
    let indent = |level: usize| match newline {
        Some(nl) => format!("{nl}{}", unit.repeat(level)),
        None => String::new(),
    };
    let mut value = value
        .replace("{NL}", &indent(depth + 2))
        .replace("{NL0}", &indent(depth + 1));
    if newline.is_none() {
        value = value.replace(": ", ":");
    }
    match obj.members().last() {
        Some((_, last_off, last)) => {
            // The separators of the last member: the whitespace before its key, its colon.
            let ws_start = text[..*last_off]
                .trim_end_matches([' ', '\t', '\r', '\n'])
                .len();
            let sep = &text[ws_start..*last_off];
            let key_end = string_end(text, *last_off).unwrap_or(last.offset);
            let colon = &text[key_end..last.offset];
            let at = value_end(text, last);
            let member = format!(",{sep}{}{colon}{value}", json_str(key));
            (
                format!("{}{member}{}", &text[..at], &text[at..]),
                Added::Appended,
            )
        }
        None => {
            let end = value_end(text, obj);
            let inner = text[obj.offset + 1..end - 1].to_string();
            let colon = if newline.is_some() { ": " } else { ":" };
            let filled = format!(
                "{}{}{colon}{value}{}",
                indent(depth + 1),
                json_str(key),
                indent(depth)
            );
            (replace_inner(text, obj, &filled), Added::Filled(inner))
        }
    }
}

/// The file's newline (`None` when minified) and indentation unit, from the whitespace
/// before the root's first key (two spaces when it can't tell).
fn layout(text: &str) -> (Option<&'static str>, String) {
    let body = text.trim_start_matches('\u{feff}').trim_start();
    let after = body.strip_prefix('{').unwrap_or(body);
    let ws: String = after
        .chars()
        .take_while(|c| c.is_ascii_whitespace())
        .collect();
    let Some(nl_at) = ws.rfind('\n') else {
        return (None, String::new());
    };
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let unit = ws[nl_at + 1..].to_string();
    (
        Some(newline),
        if unit.is_empty() { "  ".into() } else { unit },
    )
}

/// Removes member `key` of `obj` with the separator that came with it.
fn remove_member(text: &str, obj: &Node, key: &str) -> String {
    let members = obj.members();
    let Some(i) = members.iter().rposition(|(k, _, _)| k == key) else {
        return text.to_string();
    };
    let (start, end) = if i > 0 {
        (
            value_end(text, &members[i - 1].2),
            value_end(text, &members[i].2),
        )
    } else if i + 1 < members.len() {
        (members[i].1, members[i + 1].1)
    } else {
        (obj.offset + 1, value_end(text, obj) - 1)
    };
    format!("{}{}", &text[..start], &text[end..])
}

/// Byte offset just past the JSON string literal starting at `start` (a `"`).
fn string_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Byte offset just past the value `node` (which the parser accepted, so it is well formed).
fn value_end(text: &str, node: &Node) -> usize {
    let bytes = text.as_bytes();
    match node.value {
        Value::Str(_) => string_end(text, node.offset).unwrap_or(text.len()),
        Value::Obj(_) | Value::Arr(_) => {
            let mut depth = 0usize;
            let mut i = node.offset;
            while i < bytes.len() {
                match bytes[i] {
                    b'"' => {
                        i = string_end(text, i).unwrap_or(text.len());
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return i + 1;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            text.len()
        }
        _ => {
            let rest = &text[node.offset..];
            node.offset
                + rest
                    .find(|c: char| matches!(c, ',' | '}' | ']') || c.is_ascii_whitespace())
                    .unwrap_or(rest.len())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> String {
        let (added_text, added) = add(text).unwrap();
        let v: serde_json::Value =
            serde_json::from_str(added_text.trim_start_matches('\u{feff}')).unwrap();
        assert!(
            runs_guard(v["scripts"]["postpack"].as_str().unwrap()),
            "{added_text}"
        );
        let (again, same) = add(&added_text).unwrap();
        assert_eq!(same, Added::Already);
        assert_eq!(again, added_text);
        let back = undo(&added_text, &added).unwrap().unwrap();
        assert_eq!(back, text, "undo of\n{added_text}");
        let stateless = remove(&added_text).unwrap().unwrap();
        let v2: serde_json::Value =
            serde_json::from_str(stateless.trim_start_matches('\u{feff}')).unwrap();
        let v0: serde_json::Value =
            serde_json::from_str(text.trim_start_matches('\u{feff}')).unwrap();
        if v0.get("scripts").is_some() {
            assert_eq!(v2, v0);
        }
        added_text
    }

    #[test]
    fn appends_to_scripts_in_the_files_own_style() {
        let text = "{\n    \"name\": \"a\",\n    \"scripts\": {\n        \"build\": \"tsc\"\n    },\n    \"version\": \"1.0.0\"\n}\n";
        let out = round_trip(text);
        assert_eq!(
            out,
            "{\n    \"name\": \"a\",\n    \"scripts\": {\n        \"build\": \"tsc\",\n        \"postpack\": \"leakgate audit --packed\"\n    },\n    \"version\": \"1.0.0\"\n}\n"
        );
    }

    #[test]
    fn chains_an_existing_postpack_guard_first() {
        let text = "{\n\t\"name\": \"a\",\n\t\"scripts\": {\"postpack\": \"rm -rf \\\"tmp\\\"\", \"x\": \"y\"}\n}";
        let out = round_trip(text);
        assert!(
            out.contains(r#""postpack": "leakgate audit --packed && rm -rf \"tmp\"""#),
            "{out}"
        );
    }

    #[test]
    fn creates_scripts_when_missing_and_removes_it_again() {
        let text = "{\r\n  \"name\": \"a\",\r\n  \"version\": \"1.0.0\"\r\n}\r\n";
        let out = round_trip(text);
        assert!(
            out.ends_with("\"version\": \"1.0.0\",\r\n  \"scripts\": {\r\n    \"postpack\": \"leakgate audit --packed\"\r\n  }\r\n}\r\n"),
            "{out:?}"
        );
        let text = "\u{feff}{\"name\":\"a\",\"version\":\"1.0.0\"}";
        let out = round_trip(text);
        assert!(
            out.ends_with(r#""version":"1.0.0","scripts":{"postpack":"leakgate audit --packed"}}"#),
            "{out}"
        );
    }

    #[test]
    fn fills_an_empty_scripts_object() {
        let text = "{\n  \"name\": \"a\",\n  \"scripts\": { },\n  \"version\": \"1.0.0\"\n}\n";
        let out = round_trip(text);
        assert!(
            out.contains("\"scripts\": {\n    \"postpack\": \"leakgate audit --packed\"\n  },"),
            "{out}"
        );
    }

    #[test]
    fn an_edited_guard_is_left_alone_and_bad_input_says_where() {
        let text = "{\n  \"scripts\": {\n    \"build\": \"tsc\"\n  }\n}\n";
        let (out, added) = add(text).unwrap();
        let edited = out.replace("--packed", "--packed --quiet");
        assert_eq!(undo(&edited, &added).unwrap(), None);
        assert_eq!(remove(text).unwrap(), None);
        let e = add("{\n  \"scripts\": [1]\n}").unwrap_err();
        assert_eq!((e.line, e.column), (2, 3));
        let e = add("{\n  \"scripts\": {\"postpack\": 3}\n}").unwrap_err();
        assert_eq!((e.line, e.column), (2, 27));
        assert!(add("{\n  \"name\": ").is_err());
        assert!(add("[]").is_err());
    }
}
