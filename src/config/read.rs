//! Reading `leakgate.toml` strictly: every key checked against [`schema`](super::schema),
//! every value's type and meaning checked, every error at `file:LINE:COL`.
//!
//! The text is parsed with `toml_edit` (it keeps byte spans) and turned into a small spanned
//! tree ([`Node`]). The reader walks that tree beside the declared keys, generically: it
//! reports unknown keys (with the key that was meant), wrong types (with what was expected)
//! and bad values, each at its own position, and builds a checked tree in normal form with
//! the declared defaults filled in. Only when there is no error does serde turn that tree
//! into a [`Config`]; serde never sees the user's text, so its messages (which have no
//! position and no suggestion) are never shown.

use super::date::Date;
use super::schema::{self, Key, Kind, Type};
use super::{pathglob, Codename, Config, ConfigError};
use crate::rules;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use toml::Value as T;

type Span = Range<usize>;

/// A TOML value with its byte span.
#[derive(Debug)]
struct Node {
    val: Val,
    span: Span,
}

#[derive(Debug)]
enum Val {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Datetime(String),
    Array(Vec<Node>),
    Table(Vec<Entry>),
}

#[derive(Debug)]
struct Entry {
    key: String,
    key_span: Span,
    node: Node,
}

impl Val {
    /// "a string", "an integer", ... for "found ..." in messages.
    fn type_name(&self) -> &'static str {
        match self {
            Val::Str(_) => "a string",
            Val::Int(_) => "an integer",
            Val::Float(_) => "a float",
            Val::Bool(_) => "a boolean",
            Val::Datetime(_) => "a date-time",
            Val::Array(_) => "an array",
            Val::Table(_) => "a table",
        }
    }
}

fn from_value(v: &toml_edit::Value, fallback: &Span) -> Node {
    use toml_edit::Value as V;
    let span = v.span().unwrap_or_else(|| fallback.clone());
    let val = match v {
        V::String(s) => Val::Str(s.value().clone()),
        V::Integer(i) => Val::Int(*i.value()),
        V::Float(f) => Val::Float(*f.value()),
        V::Boolean(b) => Val::Bool(*b.value()),
        V::Datetime(d) => Val::Datetime(d.value().to_string()),
        V::Array(a) => Val::Array(a.iter().map(|x| from_value(x, &span)).collect()),
        V::InlineTable(t) => Val::Table(
            t.iter()
                .map(|(k, x)| {
                    let key_span = t
                        .key(k)
                        .and_then(|k| k.span())
                        .unwrap_or_else(|| span.clone());
                    Entry {
                        key: k.to_string(),
                        node: from_value(x, &key_span),
                        key_span,
                    }
                })
                .collect(),
        ),
    };
    Node { val, span }
}

fn from_table(t: &toml_edit::Table, fallback: &Span) -> Node {
    let span = t.span().unwrap_or_else(|| fallback.clone());
    let entries = t
        .iter()
        .map(|(k, item)| {
            let key_span = t
                .key(k)
                .and_then(|k| k.span())
                .unwrap_or_else(|| span.clone());
            Entry {
                key: k.to_string(),
                node: from_item(item, &key_span),
                key_span,
            }
        })
        .collect();
    Node {
        val: Val::Table(entries),
        span,
    }
}

fn from_item(item: &toml_edit::Item, fallback: &Span) -> Node {
    use toml_edit::Item as I;
    match item {
        I::Value(v) => from_value(v, fallback),
        I::Table(t) => from_table(t, fallback),
        I::ArrayOfTables(a) => {
            let span = a.span().unwrap_or_else(|| fallback.clone());
            Node {
                val: Val::Array(a.iter().map(|t| from_table(t, &span)).collect()),
                span,
            }
        }
        I::None => Node {
            val: Val::Table(Vec::new()),
            span: fallback.clone(),
        },
    }
}

/// The key under which the checked tree records the line of each `[[…]]` entry. No
/// declared table has it, so a user can't set it (it would be an unknown key).
pub(crate) const LINE_KEY: &str = "line";

/// Builds a [`Config`] from text, collecting every error.
pub(crate) struct Reader<'a> {
    file: &'a Path,
    text: &'a str,
    /// Every error found, in document order.
    pub(crate) errors: Vec<ConfigError>,
    /// The rule ids of the config's own secret patterns (`secret/<id>`), known once
    /// `secrets` has been read (it is declared before the keys that name rules).
    custom: Vec<String>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(file: &'a Path, text: &'a str) -> Self {
        Reader {
            file,
            text,
            errors: Vec::new(),
            custom: Vec::new(),
        }
    }

    fn err(&mut self, span: &Span, message: impl Into<String>) {
        let (line, column) = crate::text::line_col(self.text, span.start);
        self.errors.push(ConfigError {
            file: self.file.display().to_string(),
            line: line as usize,
            column: column as usize,
            message: message.into(),
        });
    }

    fn line_of(&self, span: &Span) -> usize {
        crate::text::line_col(self.text, span.start).0 as usize
    }

    /// Parses the whole document. Returns `None` when there was any error (see `errors`).
    pub(crate) fn read(&mut self) -> Option<Config> {
        let doc = match toml_edit::ImDocument::parse(self.text) {
            Ok(d) => d,
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let msg = e.message().trim().to_string();
                self.err(&span, format!("invalid TOML: {msg}"));
                return None;
            }
        };
        let root = from_table(doc.as_table(), &(0..0));
        let checked = self.table(&root, "", schema::ROOT);
        self.errors.sort_by_key(|e| (e.line, e.column));
        if !self.errors.is_empty() {
            return None;
        }
        match T::Table(checked?).try_into::<Config>() {
            Ok(config) => Some(config),
            Err(e) => {
                // The checked tree and the structs disagree: a bug in the declaration, not
                // in the user's file (a test reads a config that sets every key).
                self.err(&(0..0), format!("internal error reading the config: {e}"));
                None
            }
        }
    }

    /// A table checked against `keys`: unknown keys reported, each declared key read (in
    /// declaration order) or its default filled in.
    fn table(&mut self, node: &Node, name: &str, keys: &[Key]) -> Option<toml::Table> {
        let Val::Table(entries) = &node.val else {
            self.err(
                &node.span,
                format!("`{name}` must be a table, found {}", node.val.type_name()),
            );
            return None;
        };
        for e in entries {
            if !keys.iter().any(|k| k.name == e.key) {
                let place = if name.is_empty() {
                    "at the top level".to_string()
                } else {
                    format!("in `{name}`")
                };
                let msg = match schema::did_you_mean(&e.key, keys.iter().map(|k| k.name)) {
                    Some(s) => format!("unknown key `{}` {place}: did you mean `{s}`?", e.key),
                    None => format!(
                        "unknown key `{}` {place}; expected one of {}",
                        e.key,
                        keys.iter()
                            .map(|k| format!("`{}`", k.name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                self.err(&e.key_span, msg);
            }
        }
        let mut out = toml::Table::new();
        for key in keys {
            let path = if name.is_empty() {
                key.name.to_string()
            } else {
                format!("{name}.{}", key.name)
            };
            let found = entries.iter().find(|e| e.key == key.name);
            let value = match found {
                Some(e) => self.item(key, &e.node, &path),
                None => default_of(key, &path, &node.span),
            };
            if let Some(v) = value {
                out.insert(key.name.to_string(), v);
            }
        }
        Some(out)
    }

    /// The value of one present key, checked.
    fn item(&mut self, key: &Key, node: &Node, path: &str) -> Option<T> {
        match &key.kind {
            Kind::Value(ty) => self.value(ty, node, path, false),
            Kind::Table(keys) => self.table(node, path, keys).map(T::Table),
            Kind::TableArray(keys) => Some(T::Array(self.entries(key, keys, node, path))),
            Kind::Map(ty) => Some(T::Table(self.rule_map(ty, node, path))),
        }
    }

    /// The entries of an array of tables, each checked against `keys` and against the key's
    /// `needs` and `unique`, with its line recorded under [`LINE_KEY`].
    fn entries(&mut self, key: &Key, keys: &[Key], node: &Node, name: &str) -> Vec<T> {
        let Val::Array(items) = &node.val else {
            self.err(
                &node.span,
                format!(
                    "`{name}` must be an array of tables (`[[{name}]]`), found {}",
                    node.val.type_name()
                ),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        // The unique key's values so far, with the line that set each.
        let mut seen: Vec<(T, usize)> = Vec::new();
        for item in items {
            let Val::Table(present) = &item.val else {
                self.err(
                    &item.span,
                    format!(
                        "each `{name}` entry must be a table, found {}",
                        item.val.type_name()
                    ),
                );
                continue;
            };
            let Some(mut t) = self.table(item, name, keys) else {
                continue;
            };
            for need in key.needs {
                if !present
                    .iter()
                    .any(|e| need.any_of.contains(&e.key.as_str()))
                {
                    self.err(&item.span, need.message);
                }
            }
            if let Some(u) = key.unique {
                let at = present.iter().find(|e| e.key == u);
                if let (Some(e), Some(v)) = (at, t.get(u)) {
                    let line = self.line_of(&e.node.span);
                    match seen.iter().find(|(s, _)| s == v) {
                        Some((_, first)) => self.err(
                            &e.node.span,
                            format!(
                                "duplicate `{name}.{u}` {v}: line {first} sets it already; \
                                 each entry needs its own"
                            ),
                        ),
                        None => seen.push((v.clone(), line)),
                    }
                }
            }
            t.insert(
                LINE_KEY.to_string(),
                T::Integer(self.line_of(&item.span) as i64),
            );
            out.push(T::Table(t));
        }
        out
    }

    fn mismatch(&mut self, node: &Node, name: &str, expected: &str, entry: bool) {
        let found = node.val.type_name();
        let msg = if entry {
            format!("each entry of `{name}` must be {expected}, found {found}")
        } else {
            format!("`{name}` must be {expected}, found {found}")
        };
        self.err(&node.span, msg);
    }

    /// A value of type `ty`, checked and in normal form. `entry`: the node is an entry of
    /// the array `name` (said so in type errors).
    fn value(&mut self, ty: &Type, node: &Node, name: &str, entry: bool) -> Option<T> {
        let span = &node.span;
        match ty {
            Type::Bool => match node.val {
                Val::Bool(b) => Some(T::Boolean(b)),
                _ => {
                    self.mismatch(node, name, &ty.expected(), entry);
                    None
                }
            },
            Type::Size => self.size(node, name),
            Type::Number { min, .. } => {
                let v = match node.val {
                    Val::Float(f) => Some(f),
                    Val::Int(i) => Some(i as f64),
                    _ => None,
                };
                match v {
                    Some(f) if f.is_finite() && f >= *min => Some(T::Float(f)),
                    // A number, but out of range: show it rather than its type.
                    Some(f) => {
                        let expected = ty.expected();
                        self.err(span, format!("`{name}` must be {expected}, found {f}"));
                        None
                    }
                    None => {
                        self.mismatch(node, name, &ty.expected(), entry);
                        None
                    }
                }
            }
            Type::Date => {
                let text = match &node.val {
                    Val::Str(s) | Val::Datetime(s) => s.clone(),
                    _ => {
                        self.mismatch(node, name, &ty.expected(), entry);
                        return None;
                    }
                };
                match Date::parse(&text) {
                    Ok(d) => Some(T::String(d.to_string())),
                    Err(e) => {
                        self.err(span, format!("`{name}`: {e}"));
                        None
                    }
                }
            }
            Type::List(item) => {
                let Val::Array(items) = &node.val else {
                    self.mismatch(node, name, &ty.expected(), entry);
                    return None;
                };
                let checked = items
                    .iter()
                    .filter_map(|i| self.value(item, i, name, true))
                    .collect();
                Some(T::Array(checked))
            }
            // The rest are strings with a meaning.
            _ => {
                let Val::Str(s) = &node.val else {
                    self.mismatch(node, name, &ty.expected(), entry);
                    return None;
                };
                self.string(ty, s, span, name).map(T::String)
            }
        }
    }

    /// A string value of type `ty`: checked, and in normal form.
    fn string(&mut self, ty: &Type, s: &str, span: &Span, name: &str) -> Option<String> {
        let problem = match ty {
            Type::Str => None,
            Type::NonEmpty(why) => s
                .trim()
                .is_empty()
                .then(|| format!("`{name}` is empty: {why}")),
            Type::Choice(choices) => (!choices.contains(&s))
                .then(|| format!("unknown `{name}` value `{s}`; expected {}", ty.expected())),
            Type::Level => (!schema::LEVELS.contains(&s)).then(|| {
                format!(
                    "unknown severity `{s}` for `{name}`; expected {}",
                    ty.expected()
                )
            }),
            Type::Glob => pathglob::compile(s)
                .err()
                .map(|e| format!("`{name}`: {e}; expected {}", ty.expected())),
            Type::NameGlob => pathglob::compile_name(s)
                .err()
                .map(|e| format!("`{name}`: {e}")),
            Type::Regex => regex::Regex::new(s)
                .err()
                .map(|e| format!("invalid regex: {}", regex_error(&e))),
            Type::Codename => Codename::parse(s).err().map(|e| format!("`{name}`: {e}")),
            Type::RuleId => {
                let context = format!("`{name}`");
                return self.known_rule(s, span, &context).then(|| s.to_string());
            }
            Type::Fingerprint => {
                let hex = s.strip_prefix("sha256:").unwrap_or(s);
                if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Some(hex.to_ascii_lowercase());
                }
                Some(format!("`{name}` `{s}` is not {}", ty.expected()))
            }
            Type::SecretId => {
                let full = format!("secret/{s}");
                if !super::is_kebab(s) {
                    Some(format!(
                        "secret pattern id `{s}` must be kebab-case (`[a-z0-9]` words joined by `-`)"
                    ))
                } else if rules::find(&full).is_some() {
                    Some(format!(
                        "secret pattern id `{s}`: `{full}` is already a built-in rule; choose another id"
                    ))
                } else {
                    self.custom.push(full);
                    None
                }
            }
            // Not strings: `value` handles them before calling here.
            Type::Bool | Type::Size | Type::Number { .. } | Type::Date | Type::List(_) => None,
        };
        match problem {
            Some(message) => {
                self.err(span, message);
                None
            }
            None => Some(s.to_string()),
        }
    }

    fn size(&mut self, node: &Node, name: &str) -> Option<T> {
        let result = match &node.val {
            Val::Int(i) if *i > 0 => Ok(*i as u64),
            Val::Int(_) => Err("must be greater than 0".to_string()),
            Val::Str(s) => super::parse_size(s),
            other => Err(format!("found {}", other.type_name())),
        };
        let result = result.and_then(|n| {
            i64::try_from(n).map_err(|_| "is larger than any file system allows".to_string())
        });
        match result {
            Ok(n) => Some(T::Integer(n)),
            Err(e) => {
                let expected = Type::Size.expected();
                self.err(&node.span, format!("`{name}` {e}; expected {expected}"));
                None
            }
        }
    }

    /// A rule id must be in the rule registry (an alias counts) or be one of the config's own
    /// secret patterns.
    fn known_rule(&mut self, id: &str, span: &Span, name: &str) -> bool {
        if rules::find(id).is_some() || self.custom.iter().any(|c| c == id) {
            return true;
        }
        let ids: Vec<&str> = rules::all()
            .map(|r| r.id)
            .chain(self.custom.iter().map(String::as_str))
            .collect();
        let msg = match schema::did_you_mean(id, ids.iter().copied()) {
            Some(s) => format!("{name}: unknown rule `{id}`: did you mean `{s}`?"),
            None => {
                format!("{name}: unknown rule `{id}`; see `leakgate explain --list` for every rule")
            }
        };
        self.err(span, msg);
        false
    }

    /// A table keyed by rule id ([`Kind::Map`]): each key a known rule, stored under the
    /// rule's current id, each value of type `ty`.
    fn rule_map(&mut self, ty: &Type, node: &Node, name: &str) -> toml::Table {
        let mut out = toml::Table::new();
        // Rule id -> the key that set it.
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        let Val::Table(entries) = &node.val else {
            let expected = format!("a table of rule ids to {}", ty.expected());
            self.mismatch(node, name, &expected, false);
            return out;
        };
        let context = if name.contains('.') {
            format!("`{name}`")
        } else {
            format!("`[{name}]`")
        };
        for e in entries {
            let known = self.known_rule(&e.key, &e.key_span, &context);
            let path = format!("{name}.\"{}\"", e.key);
            let Some(v) = self.value(ty, &e.node, &path, false) else {
                continue;
            };
            if !known {
                continue;
            }
            // An old id (an alias) sets its rule: stored under the rule's id, which is what
            // findings carry. Both ids in one table would be two settings for one rule.
            let id = rules::canonical(&e.key);
            if let Some(other) = seen.insert(id.to_string(), e.key.clone()) {
                self.err(
                    &e.key_span,
                    format!(
                        "`{}` and `{other}` are the same rule (`{id}`): set it once",
                        e.key
                    ),
                );
                continue;
            }
            out.insert(id.to_string(), v);
        }
        out
    }
}

/// The value an absent key takes: its declared default; a table of its keys' defaults; an
/// empty array of tables or rule table; `None` (unset) for a value without a default.
fn default_of(key: &Key, path: &str, span: &Span) -> Option<T> {
    match &key.kind {
        Kind::Value(_) => key.default.and_then(parse_default),
        Kind::Table(keys) => {
            let empty = Node {
                val: Val::Table(Vec::new()),
                span: span.clone(),
            };
            // An empty table has no key to be wrong about: no error can be recorded.
            let mut r = Reader::new(Path::new(""), "");
            r.table(&empty, path, keys).map(T::Table)
        }
        Kind::TableArray(_) => Some(T::Array(Vec::new())),
        Kind::Map(_) => Some(T::Table(toml::Table::new())),
    }
}

/// A declared default (TOML value text) as a value.
pub(crate) fn parse_default(text: &str) -> Option<T> {
    format!("v = {text}")
        .parse::<toml::Table>()
        .ok()?
        .remove("v")
}

/// The one-line cause of a regex error (the crate's message spans several lines).
fn regex_error(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .map(str::to_string)
        .unwrap_or_else(|| text.lines().last().unwrap_or("").trim().to_string())
}
