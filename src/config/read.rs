//! Reading `leakgate.toml` strictly: every key checked against [`schema`](super::schema),
//! every value's type and meaning checked, every error at `file:LINE:COL`.
//!
//! The text is parsed with `toml_edit` (it keeps byte spans), turned into a small spanned
//! tree ([`Node`]), and the [`Config`] is built from that tree by hand. Doing it by hand
//! rather than through serde is what lets each error name the exact key or value, say
//! what was expected, and suggest the key that was meant.

use super::date::Date;
use super::schema::{self, expect, Key};
use super::{
    pathglob, AllowEntry, Codename, Config, ConfigError, DriftSettings, FileSettings, HookSettings,
    HookWarnings, Level, OnError, PackageSettings, PublishSettings, SecretPattern, SecretSettings,
    SizeLimits, SourcemapSettings, Visibility,
};
use crate::rules as catalog;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

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

/// Builds a [`Config`] from text, collecting every error.
pub(crate) struct Reader<'a> {
    file: &'a Path,
    text: &'a str,
    /// Every error found, in document order.
    pub(crate) errors: Vec<ConfigError>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(file: &'a Path, text: &'a str) -> Self {
        Reader {
            file,
            text,
            errors: Vec::new(),
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
        let config = self.config(&root);
        self.errors.sort_by_key(|e| (e.line, e.column));
        if self.errors.is_empty() {
            config
        } else {
            None
        }
    }

    /// The entries of a table node, checking its keys against `keys`.
    fn table<'n>(&mut self, node: &'n Node, name: &str, keys: &[Key]) -> Option<&'n [Entry]> {
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
        Some(entries)
    }

    /// The tables of an array-of-tables node.
    fn table_array<'n>(&mut self, node: &'n Node, name: &str) -> Vec<&'n Node> {
        match &node.val {
            Val::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    if matches!(item.val, Val::Table(_)) {
                        out.push(item);
                    } else {
                        self.err(
                            &item.span,
                            format!(
                                "each `{name}` entry must be a table, found {}",
                                item.val.type_name()
                            ),
                        );
                    }
                }
                out
            }
            other => {
                self.err(
                    &node.span,
                    format!(
                        "`{name}` must be an array of tables (`[[{name}]]`), found {}",
                        other.type_name()
                    ),
                );
                Vec::new()
            }
        }
    }

    fn mismatch(&mut self, node: &Node, name: &str, expected: &str) {
        self.err(
            &node.span,
            format!(
                "`{name}` must be {expected}, found {}",
                node.val.type_name()
            ),
        );
    }

    fn string(&mut self, node: &Node, name: &str, expected: &str) -> Option<String> {
        match &node.val {
            Val::Str(s) => Some(s.clone()),
            _ => {
                self.mismatch(node, name, expected);
                None
            }
        }
    }

    fn boolean(&mut self, node: &Node, name: &str) -> Option<bool> {
        match node.val {
            Val::Bool(b) => Some(b),
            _ => {
                self.mismatch(node, name, expect::BOOL);
                None
            }
        }
    }

    /// An array of strings, each with its span.
    fn strings<'n>(
        &mut self,
        node: &'n Node,
        name: &str,
        expected: &str,
    ) -> Vec<(String, &'n Span)> {
        let Val::Array(items) = &node.val else {
            self.mismatch(node, name, expected);
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            match &item.val {
                Val::Str(s) => out.push((s.clone(), &item.span)),
                other => self.err(
                    &item.span,
                    format!(
                        "each entry of `{name}` must be a string, found {}",
                        other.type_name()
                    ),
                ),
            }
        }
        out
    }

    /// A string field holding a path glob: the string when it compiles, else `None` (with
    /// the error recorded).
    fn glob_field(&mut self, node: &Node, name: &str) -> Option<String> {
        let s = self.string(node, name, expect::GLOB)?;
        self.glob(&s, &node.span, name).then_some(s)
    }

    /// A string field holding a package-name glob, like [`Self::glob_field`].
    fn name_glob_field(&mut self, node: &Node, name: &str) -> Option<String> {
        let s = self.string(node, name, "a package name")?;
        self.name_glob(&s, &node.span, name).then_some(s)
    }

    fn glob(&mut self, pattern: &str, span: &Span, name: &str) -> bool {
        match pathglob::compile(pattern) {
            Ok(_) => true,
            Err(e) => {
                self.err(span, format!("`{name}`: {e}; expected {}", expect::GLOB));
                false
            }
        }
    }

    fn name_glob(&mut self, pattern: &str, span: &Span, name: &str) -> bool {
        match pathglob::compile_name(pattern) {
            Ok(_) => true,
            Err(e) => {
                self.err(span, format!("`{name}`: {e}"));
                false
            }
        }
    }

    fn config(&mut self, root: &Node) -> Option<Config> {
        let entries = self.table(root, "", schema::ROOT)?;
        let mut c = Config::default();
        // Custom secret ids count as known rule ids, so read them before `rules`/`allow`.
        if let Some(e) = entries.iter().find(|e| e.key == "secrets") {
            c.secrets = self.secrets(&e.node);
        }
        let custom: Vec<String> = c
            .secrets
            .patterns
            .iter()
            .map(|p| format!("secret/{}", p.id))
            .collect();
        for e in entries {
            let n = &e.node;
            match e.key.as_str() {
                "codenames" => c.codenames = self.codenames(n),
                "rules" => c.rules = self.rules(n, &custom),
                "sourcemaps" => c.sourcemaps = self.sourcemaps(n),
                "secrets" => {}
                "files" => c.files = self.files(n),
                "size" => c.size = self.size(n),
                "drift" => c.drift = self.drift(n),
                "hooks" => c.hooks = self.hooks(n),
                "publish" => c.publish = self.publish(n),
                "package" => c.packages = self.packages(n, &custom),
                "allow" => c.allow = self.allows(n, &custom),
                _ => {} // reported by `table`
            }
        }
        Some(c)
    }

    fn codenames(&mut self, node: &Node) -> Vec<String> {
        let mut out = Vec::new();
        for (s, span) in self.strings(node, "codenames", expect::STRINGS) {
            match Codename::parse(&s) {
                Ok(_) => out.push(s),
                Err(e) => self.err(span, format!("`codenames`: {e}")),
            }
        }
        out
    }

    /// A rule id must be in the catalog (an alias counts) or be one of the config's own
    /// secret patterns.
    fn known_rule(&mut self, id: &str, span: &Span, name: &str, custom: &[String]) -> bool {
        if catalog::find(id).is_some() || custom.iter().any(|c| c == id) {
            return true;
        }
        let ids: Vec<&str> = catalog::all()
            .map(|r| r.id)
            .chain(custom.iter().map(String::as_str))
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

    fn rules(&mut self, node: &Node, custom: &[String]) -> BTreeMap<String, Level> {
        let mut out = BTreeMap::new();
        // Rule id -> the key that set it.
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        let Val::Table(entries) = &node.val else {
            self.mismatch(node, "rules", "a table of rule ids to severities");
            return out;
        };
        for e in entries {
            let known = self.known_rule(&e.key, &e.key_span, "`[rules]`", custom);
            let Some(s) = self.string(&e.node, &format!("rules.\"{}\"", e.key), expect::LEVEL)
            else {
                continue;
            };
            let level = match s.as_str() {
                "error" => Level::Error,
                "warning" => Level::Warning,
                "off" => Level::Off,
                other => {
                    self.err(
                        &e.node.span,
                        format!(
                            "unknown severity `{other}` for rule `{}`; expected {}",
                            e.key,
                            expect::LEVEL
                        ),
                    );
                    continue;
                }
            };
            if !known {
                continue;
            }
            // An old id (an alias) sets its rule: stored under the rule's id, which is what
            // findings carry. Both ids in one table would be two settings for one rule.
            let id = catalog::canonical(&e.key);
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
            out.insert(id.to_string(), level);
        }
        out
    }

    fn sourcemaps(&mut self, node: &Node) -> SourcemapSettings {
        let mut s = SourcemapSettings::default();
        for e in self
            .table(node, "sourcemaps", schema::SOURCEMAPS)
            .unwrap_or(&[])
        {
            if e.key == "allow-without-sources-content" {
                if let Some(b) = self.boolean(&e.node, "sourcemaps.allow-without-sources-content") {
                    s.allow_without_sources_content = b;
                }
            }
        }
        s
    }

    fn secrets(&mut self, node: &Node) -> SecretSettings {
        let mut s = SecretSettings::default();
        let entries = self.table(node, "secrets", schema::SECRETS).unwrap_or(&[]);
        for e in entries {
            if e.key != "patterns" {
                continue;
            }
            for t in self.table_array(&e.node, "secrets.patterns") {
                if let Some(p) = self.secret_pattern(t) {
                    if s.patterns.iter().any(|q| q.id == p.id) {
                        self.err(&t.span, format!("duplicate secret pattern id `{}`", p.id));
                    } else {
                        s.patterns.push(p);
                    }
                }
            }
        }
        s
    }

    fn secret_pattern(&mut self, node: &Node) -> Option<SecretPattern> {
        let entries = self.table(node, "secrets.patterns", schema::SECRET_PATTERN)?;
        let (mut id, mut regex, mut keywords, mut description) = (None, None, Vec::new(), None);
        for e in entries {
            let n = &e.node;
            match e.key.as_str() {
                "id" => {
                    if let Some(s) = self.string(n, "secrets.patterns.id", "a kebab-case id") {
                        let full = format!("secret/{s}");
                        if !super::is_kebab(&s) {
                            self.err(
                                &n.span,
                                format!("secret pattern id `{s}` must be kebab-case (`[a-z0-9]` words joined by `-`)"),
                            );
                        } else if catalog::find(&full).is_some() {
                            self.err(
                                &n.span,
                                format!("secret pattern id `{s}`: `{full}` is already a built-in rule; choose another id"),
                            );
                        } else {
                            id = Some(s);
                        }
                    }
                }
                "regex" => {
                    if let Some(s) =
                        self.string(n, "secrets.patterns.regex", "a regular expression string")
                    {
                        match regex::Regex::new(&s) {
                            Ok(_) => regex = Some(s),
                            Err(err) => {
                                self.err(&n.span, format!("invalid regex: {}", regex_error(&err)))
                            }
                        }
                    }
                }
                "keywords" => {
                    keywords = self
                        .strings(n, "secrets.patterns.keywords", expect::STRINGS)
                        .into_iter()
                        .map(|(s, _)| s)
                        .collect()
                }
                "description" => {
                    description = self.string(n, "secrets.patterns.description", expect::STRING)
                }
                _ => {}
            }
        }
        let has_id = entries.iter().any(|e| e.key == "id");
        let has_regex = entries.iter().any(|e| e.key == "regex");
        if !has_id {
            self.err(&node.span, "a `[[secrets.patterns]]` entry needs an `id`");
        }
        if !has_regex {
            self.err(&node.span, "a `[[secrets.patterns]]` entry needs a `regex`");
        }
        Some(SecretPattern {
            id: id?,
            regex: regex?,
            keywords,
            description,
        })
    }

    fn files(&mut self, node: &Node) -> FileSettings {
        let mut f = FileSettings::default();
        for e in self.table(node, "files", schema::FILES).unwrap_or(&[]) {
            if e.key == "deny" {
                for (g, span) in self.strings(&e.node, "files.deny", expect::GLOBS) {
                    if self.glob(&g, span, "files.deny") {
                        f.deny.push(g);
                    }
                }
            }
        }
        f
    }

    fn size_value(&mut self, node: &Node, name: &str) -> Option<u64> {
        let result = match &node.val {
            Val::Int(i) if *i > 0 => Ok(*i as u64),
            Val::Int(_) => Err("must be greater than 0".to_string()),
            Val::Str(s) => super::parse_size(s),
            other => Err(format!("found {}", other.type_name())),
        };
        match result {
            Ok(n) => Some(n),
            Err(e) => {
                self.err(
                    &node.span,
                    format!("`{name}` {e}; expected {}", expect::SIZE),
                );
                None
            }
        }
    }

    fn size(&mut self, node: &Node) -> SizeLimits {
        let mut s = SizeLimits::default();
        for e in self.table(node, "size", schema::SIZE).unwrap_or(&[]) {
            match e.key.as_str() {
                "max-file" => s.max_file = self.size_value(&e.node, "size.max-file"),
                "max-package" => s.max_package = self.size_value(&e.node, "size.max-package"),
                _ => {}
            }
        }
        s
    }

    fn drift(&mut self, node: &Node) -> DriftSettings {
        let mut d = DriftSettings::default();
        for e in self.table(node, "drift", schema::DRIFT).unwrap_or(&[]) {
            if e.key == "max-growth" {
                let v = match e.node.val {
                    Val::Float(f) => Some(f),
                    Val::Int(i) => Some(i as f64),
                    _ => None,
                };
                match v {
                    Some(f) if f.is_finite() && f >= 1.0 => d.max_growth = f,
                    _ => self.mismatch(
                        &e.node,
                        "drift.max-growth",
                        "a number >= 1.0 (1.5 = 50% growth)",
                    ),
                }
            }
        }
        d
    }

    fn publish(&mut self, node: &Node) -> PublishSettings {
        let mut p = PublishSettings::default();
        for e in self.table(node, "publish", schema::PUBLISH).unwrap_or(&[]) {
            if e.key == "tool" {
                let expected = "one of \"npm\", \"pnpm\", \"yarn\", \"bun\"";
                if let Some(name) = self.string(&e.node, "publish.tool", expected) {
                    match crate::packlist::Publisher::parse(&name) {
                        Some(t) => p.tool = Some(t),
                        None => self.err(
                            &e.node.span,
                            format!("unknown `publish.tool` value `{name}`; expected {expected}"),
                        ),
                    }
                }
            }
        }
        p
    }

    fn hooks(&mut self, node: &Node) -> HookSettings {
        let mut h = HookSettings::default();
        for e in self.table(node, "hooks", schema::HOOKS).unwrap_or(&[]) {
            match e.key.as_str() {
                "on-error" => {
                    let expected = "one of \"block\", \"allow\"";
                    match self.string(&e.node, "hooks.on-error", expected).as_deref() {
                        Some("block") => h.on_error = OnError::Block,
                        Some("allow") => h.on_error = OnError::Allow,
                        Some(other) => self.err(
                            &e.node.span,
                            format!(
                                "unknown `hooks.on-error` value `{other}`; expected {expected}"
                            ),
                        ),
                        None => {}
                    }
                }
                "require-binary" => {
                    if let Some(b) = self.boolean(&e.node, "hooks.require-binary") {
                        h.require_binary = b;
                    }
                }
                "warnings" => {
                    let expected = "one of \"summary\", \"full\"";
                    match self.string(&e.node, "hooks.warnings", expected).as_deref() {
                        Some("summary") => h.warnings = HookWarnings::Summary,
                        Some("full") => h.warnings = HookWarnings::Full,
                        Some(other) => self.err(
                            &e.node.span,
                            format!(
                                "unknown `hooks.warnings` value `{other}`; expected {expected}"
                            ),
                        ),
                        None => {}
                    }
                }
                _ => {}
            }
        }
        h
    }

    fn packages(&mut self, node: &Node, custom: &[String]) -> Vec<PackageSettings> {
        let mut out = Vec::new();
        for t in self.table_array(node, "package") {
            let Some(entries) = self.table(t, "package", schema::PACKAGE) else {
                continue;
            };
            let mut p = PackageSettings {
                name: None,
                path: None,
                visibility: None,
                skip: false,
                rules: BTreeMap::new(),
                line: self.line_of(&t.span),
            };
            for e in entries {
                let n = &e.node;
                match e.key.as_str() {
                    "name" => p.name = self.name_glob_field(n, "package.name"),
                    "path" => p.path = self.glob_field(n, "package.path"),
                    "visibility" => {
                        let expected = "one of \"open\", \"proprietary\"";
                        match self.string(n, "package.visibility", expected).as_deref() {
                            Some("open") => p.visibility = Some(Visibility::Open),
                            Some("proprietary") => p.visibility = Some(Visibility::Proprietary),
                            Some(other) => self.err(
                                &n.span,
                                format!("unknown visibility `{other}`; expected {expected}"),
                            ),
                            None => {}
                        }
                    }
                    "skip" => p.skip = self.boolean(n, "package.skip").unwrap_or(false),
                    "rules" => p.rules = self.rules(n, custom),
                    _ => {}
                }
            }
            if !entries.iter().any(|e| e.key == "name" || e.key == "path") {
                self.err(
                    &t.span,
                    "a `[[package]]` entry needs a `name` or a `path` to say which packages it applies to",
                );
            }
            out.push(p);
        }
        out
    }

    fn allows(&mut self, node: &Node, custom: &[String]) -> Vec<AllowEntry> {
        let mut out = Vec::new();
        for t in self.table_array(node, "allow") {
            let Some(entries) = self.table(t, "allow", schema::ALLOW) else {
                continue;
            };
            let mut a = AllowEntry {
                rule: None,
                package: None,
                path: None,
                fingerprint: None,
                reason: String::new(),
                expires: None,
                line: self.line_of(&t.span),
            };
            for e in entries {
                let n = &e.node;
                match e.key.as_str() {
                    "rule" => {
                        if let Some(s) = self.string(n, "allow.rule", "a rule id") {
                            if self.known_rule(&s, &n.span, "`[[allow]] rule`", custom) {
                                a.rule = Some(s);
                            }
                        }
                    }
                    "package" => a.package = self.name_glob_field(n, "allow.package"),
                    "path" => a.path = self.glob_field(n, "allow.path"),
                    "fingerprint" => {
                        let expected = "a sha256 hex digest (64 hex digits)";
                        if let Some(s) = self.string(n, "allow.fingerprint", expected) {
                            let hex = s.strip_prefix("sha256:").unwrap_or(&s);
                            if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                                a.fingerprint = Some(hex.to_ascii_lowercase());
                            } else {
                                self.err(
                                    &n.span,
                                    format!("`allow.fingerprint` `{s}` is not {expected}"),
                                );
                            }
                        }
                    }
                    "reason" => {
                        if let Some(s) = self.string(n, "allow.reason", expect::STRING) {
                            if s.trim().is_empty() {
                                self.err(
                                    &n.span,
                                    "`allow.reason` is empty: say why this is allowed",
                                );
                            }
                            a.reason = s;
                        }
                    }
                    "expires" => {
                        let text = match &n.val {
                            Val::Str(s) | Val::Datetime(s) => Some(s.clone()),
                            _ => {
                                self.mismatch(n, "allow.expires", expect::DATE);
                                None
                            }
                        };
                        if let Some(s) = text {
                            match Date::parse(&s) {
                                Ok(d) => a.expires = Some(d.to_string()),
                                Err(e) => self.err(&n.span, format!("`allow.expires`: {e}")),
                            }
                        }
                    }
                    _ => {}
                }
            }
            if !entries.iter().any(|e| e.key == "reason") {
                self.err(
                    &t.span,
                    "this `[[allow]]` entry has no `reason`: every allow entry must say why (reason = \"...\")",
                );
            }
            if !entries
                .iter()
                .any(|e| matches!(e.key.as_str(), "rule" | "package" | "path" | "fingerprint"))
            {
                self.err(
                    &t.span,
                    "this `[[allow]]` entry would allow everything: give it a `rule`, `package`, `path` or `fingerprint`",
                );
            }
            out.push(a);
        }
        out
    }
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
