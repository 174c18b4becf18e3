//! The two files written from the key declaration in [`schema`]: the JSON schema editors
//! complete `leakgate.toml` with (`leakgate help schema`) and the commented default config
//! (`leakgate init`). Both are committed and compiled in; `tests/config_files.rs` checks they
//! equal what these functions return (`LEAKGATE_BLESS=1` rewrites them).

use super::read::parse_default;
use super::schema::{self, Key, Kind, Type};
use serde_json::{json, Map, Value};

/// The JSON schema (draft 2020-12) of `leakgate.toml`, pretty-printed, ending in a newline.
pub fn json_schema() -> String {
    let mut root = Map::new();
    root.insert(
        "$schema".into(),
        "https://json-schema.org/draft/2020-12/schema".into(),
    );
    root.insert("title".into(), "leakgate.toml".into());
    root.insert("description".into(), schema::DESCRIPTION.into());
    root.insert("type".into(), "object".into());
    root.insert("additionalProperties".into(), false.into());
    root.insert(
        "$defs".into(),
        json!({
            "level": {
                "description": "A severity: error (blocks), warning (printed) or off.",
                "enum": schema::LEVELS,
            },
            "size": {
                "description": "A size: an integer number of bytes, or a string with a unit \
                    (\"10 MB\", \"512 KiB\"; kB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024).",
                "oneOf": [
                    { "type": "integer", "minimum": 1 },
                    {
                        "type": "string",
                        "pattern": "^\\s*[0-9]+(\\.[0-9]+)?\\s*([kKmMgG][iI]?[bB]?|[bB])?\\s*$"
                    }
                ]
            },
            "glob": {
                "description": "A glob (globset syntax). Without '/' it matches at any depth; a \
                    leading '/' anchors to the root; a directory covers everything inside it.",
                "type": "string",
                "minLength": 1
            }
        }),
    );
    root.insert("properties".into(), Value::Object(properties(schema::ROOT)));
    let mut text = serde_json::to_string_pretty(&Value::Object(root))
        .unwrap_or_else(|e| format!("cannot write the schema: {e}"));
    text.push('\n');
    text
}

fn properties(keys: &[Key]) -> Map<String, Value> {
    keys.iter().map(|k| (k.name.to_string(), key(k))).collect()
}

fn key(k: &Key) -> Value {
    let mut out = Map::new();
    out.insert("description".into(), k.doc.into());
    match &k.kind {
        Kind::Value(ty) => {
            if let Value::Object(m) = value_type(ty) {
                out.extend(m);
            }
        }
        Kind::Table(keys) => {
            out.insert("type".into(), "object".into());
            out.insert("additionalProperties".into(), false.into());
            out.insert("properties".into(), Value::Object(properties(keys)));
        }
        Kind::TableArray(keys) => {
            let mut item = Map::new();
            item.insert("type".into(), "object".into());
            item.insert("additionalProperties".into(), false.into());
            let required: Vec<&str> = k
                .needs
                .iter()
                .filter(|n| n.any_of.len() == 1)
                .map(|n| n.any_of[0])
                .collect();
            if !required.is_empty() {
                item.insert("required".into(), json!(required));
            }
            let any_of: Vec<Value> = k
                .needs
                .iter()
                .filter(|n| n.any_of.len() > 1)
                .map(|n| {
                    Value::Array(
                        n.any_of
                            .iter()
                            .map(|name| json!({ "required": [name] }))
                            .collect(),
                    )
                })
                .collect();
            match any_of.len() {
                0 => {}
                1 => {
                    item.insert("anyOf".into(), any_of[0].clone());
                }
                _ => {
                    let all: Vec<Value> =
                        any_of.into_iter().map(|a| json!({ "anyOf": a })).collect();
                    item.insert("allOf".into(), Value::Array(all));
                }
            }
            item.insert("properties".into(), Value::Object(properties(keys)));
            out.insert("type".into(), "array".into());
            out.insert("items".into(), Value::Object(item));
        }
        Kind::Map(ty) => {
            out.insert("type".into(), "object".into());
            out.insert("additionalProperties".into(), value_type(ty));
        }
    }
    if let Some(d) = k.default.and_then(parse_default) {
        if let Ok(v) = serde_json::to_value(d) {
            out.insert("default".into(), v);
        }
    }
    Value::Object(out)
}

/// The JSON schema of one value type.
fn value_type(ty: &Type) -> Value {
    match ty {
        Type::Bool => json!({ "type": "boolean" }),
        Type::Str | Type::NameGlob | Type::RuleId | Type::Regex => json!({ "type": "string" }),
        Type::NonEmpty(_) => json!({ "type": "string", "minLength": 1 }),
        Type::Choice(choices) => json!({ "enum": choices }),
        Type::Level => json!({ "$ref": "#/$defs/level" }),
        Type::Size => json!({ "$ref": "#/$defs/size" }),
        Type::Number { min, .. } => json!({ "type": "number", "minimum": min }),
        Type::Glob => json!({ "$ref": "#/$defs/glob" }),
        Type::Date => json!({ "type": "string", "format": "date" }),
        Type::Fingerprint => json!({ "type": "string", "pattern": "^(sha256:)?[0-9a-fA-F]{64}$" }),
        Type::Codename => json!({
            "type": "string",
            "anyOf": [
                { "pattern": "^sha256:.*:[0-9a-fA-F]{64}$" },
                { "not": { "pattern": "^sha256:" } }
            ]
        }),
        Type::SecretId => json!({ "type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$" }),
        Type::List(item) => json!({ "type": "array", "items": value_type(item) }),
    }
}

/// The commented default `leakgate.toml`: every key with its doc, set to its default when
/// it has one, else shown commented out with an example.
pub fn default_toml() -> String {
    let mut out = String::new();
    // The header is laid out by hand: written as it is.
    for line in schema::HEADER.lines() {
        out.push_str(if line.is_empty() { "#" } else { "# " });
        out.push_str(line);
        out.push('\n');
    }
    for k in schema::ROOT {
        out.push('\n');
        top_level(&mut out, k);
    }
    out
}

/// Lines of width at most this (with their `# `), like the rest of the file.
const WIDTH: usize = 92;

/// `text` as `#` comment lines after `prefix`, wrapped; its own line breaks are kept.
fn comment(out: &mut String, prefix: &str, text: &str) {
    for para in text.lines() {
        let mut line = format!("{prefix}#");
        for word in unbreakable(para) {
            if line.len() + 1 + word.len() > WIDTH && line.len() > prefix.len() + 1 {
                out.push_str(&line);
                out.push('\n');
                line = format!("{prefix}#");
            }
            line.push(' ');
            line.push_str(&word);
        }
        out.push_str(&line);
        out.push('\n');
    }
}

/// The words of `text`, keeping a `code span` or a "quoted string" on one line (a command
/// split over two comment lines can't be copied).
fn unbreakable(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut open = false;
    for word in text.split_whitespace() {
        match out.last_mut() {
            Some(last) if open => {
                last.push(' ');
                last.push_str(word);
            }
            _ => out.push(word.to_string()),
        }
        let quotes = word.chars().filter(|c| matches!(c, '`' | '"')).count();
        open ^= quotes % 2 == 1;
    }
    out
}

fn top_level(out: &mut String, k: &Key) {
    comment(out, "", k.doc);
    match &k.kind {
        Kind::Value(_) => value_lines(out, k, k.default, ""),
        Kind::Map(_) => {
            out.push_str(&format!("[{}]\n", k.name));
            for e in k.examples {
                out.push_str(&format!("# {e}\n"));
            }
        }
        Kind::Table(keys) => {
            out.push_str(&format!("[{}]\n", k.name));
            for sub in *keys {
                match sub.kind {
                    Kind::TableArray(_) => entry_block(out, sub, &format!("{}.", k.name)),
                    _ => {
                        comment(out, "", sub.doc);
                        value_lines(out, sub, sub.default, "");
                    }
                }
            }
        }
        Kind::TableArray(_) => entry_block(out, k, ""),
    }
}

/// A value's lines: `name = default` when it has one, then each example commented out.
/// `prefix` is `"# "` inside a commented-out block (where the default is commented too).
fn value_lines(out: &mut String, k: &Key, default: Option<&str>, prefix: &str) {
    if let Some(d) = default {
        out.push_str(&format!("{prefix}{} = {d}\n", k.name));
    }
    for e in k.examples {
        out.push_str(&format!("# {} = {e}\n", k.name));
    }
}

/// An array of tables, as one commented-out example entry.
fn entry_block(out: &mut String, k: &Key, parent: &str) {
    if !parent.is_empty() {
        comment(out, "", k.doc);
    }
    out.push_str(&format!("# [[{parent}{}]]\n", k.name));
    for sub in k.keys() {
        comment(out, "# ", sub.doc);
        // An example says more than the default (`keywords = []`), so the default shows
        // only when there is none (`skip = false`).
        let default = sub.default.filter(|_| sub.examples.is_empty());
        value_lines(out, sub, default, "# ");
    }
}
