//! Every key of `leakgate.toml`, declared once, as data: its name, what it holds, its doc
//! text, its default and an example.
//!
//! Three things walk this tree, so none of them lists a key again:
//! - the reader (`read.rs`) checks every key and value against it (unknown keys are errors with
//!   a "did you mean", wrong types name what was expected, defaults are filled in) and hands
//!   the checked tree to serde to build [`Config`](super::Config);
//! - [`json_schema`](super::generate::json_schema) writes `docs/leakgate.schema.json`;
//! - [`default_toml`](super::generate::default_toml) writes `config/default.toml`, the
//!   commented file `leakgate init` writes.
//!
//! A test keeps the two committed files equal to what is generated.

/// What a value must be. The reader checks it (with a `file:line:col` error naming the key)
/// and stores it in a normal form serde reads (sizes as bytes, dates as `YYYY-MM-DD`,
/// fingerprints as lowercase hex, rule ids as their current id).
#[derive(Debug)]
pub enum Type {
    /// `true` or `false`.
    Bool,
    /// Any string.
    Str,
    /// A string that is not blank; the text says why (shown when it is).
    NonEmpty(&'static str),
    /// One of these strings.
    Choice(&'static [&'static str]),
    /// A severity: `"error"`, `"warning"` or `"off"`.
    Level,
    /// A size: an integer number of bytes or a string with a unit (`"10 MB"`).
    Size,
    /// A number (integer or float) at least `min`; `hint` says what it means.
    Number {
        /// The smallest accepted value.
        min: f64,
        /// What a value means, shown in errors (`1.5 = 50% growth`).
        hint: &'static str,
    },
    /// A path glob (see [`pathglob`](super::pathglob)).
    Glob,
    /// A package name or name glob (`@acme/*`).
    NameGlob,
    /// A calendar date `YYYY-MM-DD` (a string or a TOML local date).
    Date,
    /// A rule id known to the rule registry (an old id counts) or a `[[secrets.patterns]]` id.
    RuleId,
    /// A sha256 hex digest, optionally prefixed `sha256:`.
    Fingerprint,
    /// A codename: plaintext or `sha256:SALT:HEX`.
    Codename,
    /// The id of a custom secret pattern: kebab-case, and `secret/<id>` not a built-in rule.
    SecretId,
    /// A regular expression (Rust `regex` syntax).
    Regex,
    /// An array of values of one type.
    List(&'static Type),
}

impl Type {
    /// What a value of this type is, for "`key` must be …, found …" messages.
    pub fn expected(&self) -> String {
        let quoted = |vs: &[&str]| {
            vs.iter()
                .map(|v| format!("\"{v}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Type::Bool => "true or false".into(),
            Type::Str | Type::NonEmpty(_) => "a string".into(),
            Type::Choice(vs) => format!("one of {}", quoted(vs)),
            Type::Level => format!("one of {}", quoted(LEVELS)),
            Type::Size => {
                "a size: an integer number of bytes or a string like \"10 MB\", \"512 KiB\"".into()
            }
            Type::Number { min, hint } => format!("a number >= {min:.1} ({hint})"),
            Type::Glob => "a glob string".into(),
            Type::NameGlob => "a package name".into(),
            Type::Date => "a date YYYY-MM-DD".into(),
            Type::RuleId => "a rule id".into(),
            Type::Fingerprint => "a sha256 hex digest (64 hex digits)".into(),
            Type::Codename => "a codename: plaintext, or \"sha256:SALT:HEX\"".into(),
            Type::SecretId => "a kebab-case id".into(),
            Type::Regex => "a regular expression string".into(),
            Type::List(Type::Glob) => "an array of glob strings".into(),
            Type::List(_) => "an array of strings".into(),
        }
    }
}

/// The severities of `[rules]`, in the order messages list them.
pub const LEVELS: &[&str] = &["error", "warning", "off"];

/// What a key holds.
#[derive(Debug)]
pub enum Kind {
    /// A value of this type.
    Value(Type),
    /// A table with these keys.
    Table(&'static [Key]),
    /// An array of tables (`[[name]]`), each with these keys.
    TableArray(&'static [Key]),
    /// A table whose keys are free: rule ids (checked against the rule registry), each holding a
    /// value of this type.
    Map(Type),
}

/// A condition on an entry of an array of tables: at least one of these keys is set.
#[derive(Debug)]
pub struct Need {
    /// The keys, any of which satisfies the condition.
    pub any_of: &'static [&'static str],
    /// The error when none is set (reported at the entry's header).
    pub message: &'static str,
}

/// One key of the config.
#[derive(Debug)]
pub struct Key {
    /// The kebab-case key.
    pub name: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// What it means: the JSON schema's description and the comment above it in
    /// `config/default.toml`.
    pub doc: &'static str,
    /// The default, as TOML value text: filled in when the key is absent, written
    /// uncommented in `config/default.toml`. `None`: absent means unset.
    pub default: Option<&'static str>,
    /// Examples, written commented out in `config/default.toml`: TOML value text
    /// (`"10 MB"`, `{ "sourcemap/file" = "off" }`), except for a top-level [`Kind::Map`],
    /// which is written as its own `[table]` and whose examples are whole `key = value` lines.
    pub examples: &'static [&'static str],
    /// For a [`Kind::TableArray`]: conditions each entry must meet.
    pub needs: &'static [Need],
    /// For a [`Kind::TableArray`]: a key whose value must differ between entries.
    pub unique: Option<&'static str>,
}

impl Key {
    const fn new(name: &'static str, kind: Kind, doc: &'static str) -> Key {
        Key {
            name,
            kind,
            doc,
            default: None,
            examples: &[],
            needs: &[],
            unique: None,
        }
    }

    const fn default(self, default: &'static str) -> Key {
        Key {
            default: Some(default),
            ..self
        }
    }

    const fn examples(self, examples: &'static [&'static str]) -> Key {
        Key { examples, ..self }
    }

    const fn needs(self, needs: &'static [Need]) -> Key {
        Key { needs, ..self }
    }

    const fn unique(self, key: &'static str) -> Key {
        Key {
            unique: Some(key),
            ..self
        }
    }

    /// The sub-keys of a table or of each entry of an array of tables (empty otherwise).
    pub fn keys(&self) -> &'static [Key] {
        match self.kind {
            Kind::Table(keys) | Kind::TableArray(keys) => keys,
            Kind::Value(_) | Kind::Map(_) => &[],
        }
    }
}

const fn value(name: &'static str, ty: Type, doc: &'static str) -> Key {
    Key::new(name, Kind::Value(ty), doc)
}

const fn table(name: &'static str, keys: &'static [Key], doc: &'static str) -> Key {
    Key::new(name, Kind::Table(keys), doc)
}

/// The first lines of `config/default.toml`, before the keys.
pub const HEADER: &str = "\
leakgate.toml: the team's leakgate policy. Commit it.

Every key is optional: what is commented out below shows the default or an example.
The file is strict: keys are kebab-case, unknown keys and wrong types are errors
(`leakgate config --check` lists them with line:column). Reference: `leakgate help config`.
Editors can complete it with the JSON schema: `leakgate help schema > leakgate.schema.json`.";

/// What the JSON schema says the file is.
pub const DESCRIPTION: &str = "The team's leakgate policy (committed at the repository root as \
    leakgate.toml). Reference: `leakgate help config`.";

/// `[sourcemaps]`.
pub const SOURCEMAPS: &[Key] = &[value(
    "allow-without-sources-content",
    Type::Bool,
    "A map that lists its sources but embeds none (no sourcesContent) is not reported.",
)
.default("false")];

/// `[[secrets.patterns]]`.
pub const SECRET_PATTERN: &[Key] = &[
    value(
        "id",
        Type::SecretId,
        "kebab-case id; findings are reported as secret/<id>. Must not be a built-in rule.",
    )
    .examples(&["\"acme-api-key\""]),
    value(
        "regex",
        Type::Regex,
        "A regular expression (Rust regex syntax) that confirms a match.",
    )
    .examples(&["'acme_[a-z0-9]{32}'"]),
    value(
        "keywords",
        Type::List(&Type::Str),
        "Literal keywords for the prefilter (any must occur); empty = always run the regex.",
    )
    .default("[]")
    .examples(&["[\"acme_\"]"]),
    value("description", Type::Str, "What the secret is.").examples(&["\"Acme internal API key\""]),
];

/// `[secrets]`.
pub const SECRETS: &[Key] = &[Key::new(
    "patterns",
    Kind::TableArray(SECRET_PATTERN),
    "Team-specific secret patterns, added to the built-in ones. Findings are reported as \
     `secret/<id>` and can be allowed or re-leveled like any rule.",
)
.needs(&[
    Need {
        any_of: &["id"],
        message: "a `[[secrets.patterns]]` entry needs an `id`",
    },
    Need {
        any_of: &["regex"],
        message: "a `[[secrets.patterns]]` entry needs a `regex`",
    },
])
.unique("id")];

/// `[files]`.
pub const FILES: &[Key] = &[value(
    "deny",
    Type::List(&Type::Glob),
    "Extra globs that must never ship (`file/denied`), relative to each package, added to the \
     built-in list (.env*, *.pem, *.key, id_rsa*, *.p12, .netrc, .git-credentials). .npmrc is \
     judged by content instead: a literal _authToken in it is secret/npmrc-auth-token. A glob \
     without \"/\" matches at any depth; a directory covers everything inside it.",
)
.default("[]")
.examples(&["[\"*.sqlite\", \"internal-docs/\", \"/fixtures/private/**\"]"])];

/// `[size]`.
pub const SIZE: &[Key] = &[
    value(
        "max-file",
        Type::Size,
        "Largest single shipped file (`pack/size`). Unset: the check's own default, which no \
         popular package exceeds.",
    )
    .examples(&["\"10 MB\""]),
    value(
        "max-package",
        Type::Size,
        "Largest total unpacked package size (`pack/size`). Unset: the check's own default.",
    )
    .examples(&["\"50 MB\""]),
];

/// `[drift]`.
pub const DRIFT: &[Key] = &[value(
    "max-growth",
    Type::Number {
        min: 1.0,
        hint: "1.5 = 50% growth",
    },
    "`pack/drift`: flag a package that grows beyond this ratio of the size recorded in \
     leakgate.lock (1.5 = 50% growth). A number >= 1.0.",
)
.default("1.5")];

/// The names `[publish] tool` accepts (a test checks they are `Publisher::ALL`'s).
pub const PUBLISHERS: &[&str] = &["npm", "pnpm", "yarn", "bun"];

/// `[publish]`.
pub const PUBLISH: &[Key] = &[value(
    "tool",
    Type::Choice(PUBLISHERS),
    "The tool that publishes this repository's packages: \"npm\", \"pnpm\", \"yarn\" (berry) or \
     \"bun\". Each packs different files; leakgate judges what this one ships (audit, pre-push, \
     pre-commit and lock). Unset: detected from package.json's packageManager, then lockfiles \
     (pnpm-lock.yaml; yarn.lock with .yarnrc.yml; bun.lock), else npm.",
)
.examples(&["\"pnpm\""])];

/// `[hooks]`.
pub const HOOKS: &[Key] = &[
    value(
        "on-error",
        Type::Choice(&["block", "allow"]),
        "What the git hooks do when leakgate itself fails: \"block\" (and print the bypass, \
         `git commit --no-verify`) or \"allow\" (print the error and let the commit/push through).",
    )
    .default("\"block\""),
    value(
        "require-binary",
        Type::Bool,
        "Whether a hook blocks when the leakgate binary is missing on a teammate's machine.",
    )
    .default("true"),
    value(
        "warnings",
        Type::Choice(&["summary", "full"]),
        "How the hooks print warnings: \"summary\" counts them in one line (errors always print \
         in full; `-v` shows everything), \"full\" prints them as `leakgate audit` does.",
    )
    .default("\"summary\""),
];

/// `[[package]]`.
pub const PACKAGE: &[Key] = &[
    value(
        "name",
        Type::NameGlob,
        "Package name or name glob (\"@acme/*\") this entry applies to.",
    )
    .examples(&["\"@acme/cli\""]),
    value(
        "path",
        Type::Glob,
        "Glob of package directories, relative to the repository root.",
    )
    .examples(&["\"packages/cli\""]),
    value(
        "visibility",
        Type::Choice(&["open", "proprietary"]),
        "\"open\": sources are public anyway (shipping them is a warning); \"proprietary\": an \
         error. Inferred when unset: open only when package.json has an OSI licence and a \
         `repository` and is not private.",
    )
    .examples(&["\"proprietary\""]),
    value("skip", Type::Bool, "true: never audit this package.").default("false"),
    Key::new(
        "rules",
        Kind::Map(Type::Level),
        "Severity overrides for this package's findings, over the top-level [rules].",
    )
    .examples(&["{ \"sourcemap/file\" = \"off\" }"]),
];

/// `[[allow]]`.
pub const ALLOW: &[Key] = &[
    value(
        "rule",
        Type::RuleId,
        "Rule id (see `leakgate explain --list`); every rule when absent.",
    )
    .examples(&["\"secret/npm-token\""]),
    value(
        "package",
        Type::NameGlob,
        "Package name or name glob; every package when absent.",
    )
    .examples(&["\"@acme/cli\""]),
    value("path", Type::Glob, "Glob relative to the repository root.")
        .examples(&["\"lib/fixtures/registry-token.js\""]),
    value(
        "fingerprint",
        Type::Fingerprint,
        "sha256 (hex) of the matched bytes, as printed with -v and in JSON/SARIF output.",
    )
    .examples(&["\"<sha256 of the matched text, shown by `-v`>\""]),
    value(
        "reason",
        Type::NonEmpty("say why this is allowed"),
        "Why this is allowed (required).",
    )
    .examples(&["\"fake token used by the login tests\""]),
    value(
        "expires",
        Type::Date,
        "YYYY-MM-DD: the entry stops allowing after this day (and is reported).",
    )
    .examples(&["\"2026-12-31\""]),
];

/// The top level.
pub const ROOT: &[Key] = &[
    value(
        "codenames",
        Type::List(&Type::Codename),
        "Internal codenames that must never ship, in file contents or file names \
         (case-insensitive, whole words). A name that is itself secret can be committed as a \
         salted sha256 instead: \"sha256:SALT:HEX\", HEX = sha256(SALT + lowercase(name)). A \
         package that ships this file publishes plaintext names (config/codenames-shipped).",
    )
    .default("[]")
    .examples(&["[\"Nightjar\", \"sha256:k3y:5e1f...64 hex digits...\"]"]),
    table("sourcemaps", SOURCEMAPS, "Source map settings."),
    // Before `rules`, `package` and `allow` in this list: the reader walks keys in this
    // order, and the ids of custom patterns are rule ids those keys may name.
    table("secrets", SECRETS, "Secret scanning settings."),
    Key::new(
        "rules",
        Kind::Map(Type::Level),
        "Severity overrides by rule id: \"error\" (blocks), \"warning\" (printed) or \"off\". \
         Every rule id is listed by `leakgate explain --list`; the ids of [[secrets.patterns]] \
         (secret/<id>) count too.",
    )
    .examples(&[
        "\"sourcemap/file\" = \"error\"        # ship no source maps at all",
        "\"file/archive\" = \"off\"",
    ]),
    table("files", FILES, "Denied files."),
    table(
        "size",
        SIZE,
        "Size limits for `pack/size`: an integer (bytes) or a string with a unit (\"500 kB\", \
         \"10 MB\", \"1 GB\" are powers of 1000; \"512 KiB\", \"10 MiB\" powers of 1024).",
    ),
    table("drift", DRIFT, "Growth between releases."),
    table("hooks", HOOKS, "Git hook behaviour."),
    table("publish", PUBLISH, "Which tool publishes."),
    Key::new(
        "package",
        Kind::TableArray(PACKAGE),
        "Per-package settings, by package name (or name glob) or by directory glob relative to \
         the repository root. When several entries match, the last one that sets a key wins.",
    )
    .needs(&[Need {
        any_of: &["name", "path"],
        message: "a `[[package]]` entry needs a `name` or a `path` to say which packages it \
                  applies to",
    }]),
    Key::new(
        "allow",
        Kind::TableArray(ALLOW),
        "Allowed findings. Each entry needs a `reason`, and at least one of rule / package / \
         path / fingerprint. An entry past its `expires` date stops allowing and is reported \
         (`allow/expired`); one that matched nothing in a full audit is reported \
         (`allow/unused`). `leakgate explain RULE` prints a ready-to-paste entry.",
    )
    .needs(&[
        Need {
            any_of: &["reason"],
            message: "this `[[allow]]` entry has no `reason`: every allow entry must say why \
                      (reason = \"...\")",
        },
        Need {
            any_of: &["rule", "package", "path", "fingerprint"],
            message: "this `[[allow]]` entry would allow everything: give it a `rule`, \
                      `package`, `path` or `fingerprint`",
        },
    ]),
];

/// Edit distance between two strings (Levenshtein, by chars).
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The closest candidate to `word`, if it is close enough to be a plausible typo
/// (also catching snake_case or camelCase spellings of kebab-case keys).
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let folded = |s: &str| s.to_ascii_lowercase().replace(['_', '-'], "");
    let w = folded(word);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = if folded(c) == w { 0 } else { distance(word, c) };
        if best.map_or(true, |(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    let limit = (word.chars().count() / 3).max(2);
    best.filter(|(d, _)| *d <= limit).map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let keys = ["allow-without-sources-content", "deny", "max-file"];
        assert_eq!(
            did_you_mean("allow-without-source-content", keys),
            Some("allow-without-sources-content")
        );
        assert_eq!(did_you_mean("max_file", keys), Some("max-file"));
        assert_eq!(did_you_mean("maxFile", keys), Some("max-file"));
        assert_eq!(did_you_mean("dny", keys), Some("deny"));
        assert_eq!(did_you_mean("completely-different", keys), None);
    }

    #[test]
    fn distances() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
    }

    fn walk(keys: &'static [Key], prefix: &str, out: &mut Vec<(String, &'static Key)>) {
        for k in keys {
            let path = format!("{prefix}{}", k.name);
            out.push((path.clone(), k));
            walk(k.keys(), &format!("{path}."), out);
        }
    }

    fn all_keys() -> Vec<(String, &'static Key)> {
        let mut out = Vec::new();
        walk(ROOT, "", &mut out);
        out
    }

    /// `config/default.toml` shows every value: either its default or an example, so a
    /// key without either would be documented nowhere in the file `init` writes.
    #[test]
    fn every_value_has_a_default_or_an_example_and_a_doc() {
        for (path, k) in all_keys() {
            assert!(!k.doc.trim().is_empty(), "`{path}` has no doc");
            if matches!(k.kind, Kind::Value(_)) {
                assert!(
                    k.default.is_some() || !k.examples.is_empty(),
                    "`{path}` has neither a default nor an example"
                );
            }
        }
    }

    /// The reader records each `[[…]]` entry's line under a key no table may declare.
    #[test]
    fn no_key_is_the_reserved_line_key() {
        for (path, _) in all_keys() {
            let leaf = path.rsplit('.').next().unwrap();
            assert_ne!(leaf, super::super::read::LINE_KEY, "`{path}`");
        }
    }

    #[test]
    fn keys_are_kebab_case_and_unique_per_table() {
        let mut tables: Vec<&[Key]> = vec![ROOT];
        tables.extend(all_keys().iter().map(|(_, k)| k.keys()));
        for keys in tables {
            for (i, k) in keys.iter().enumerate() {
                assert!(super::super::is_kebab(k.name), "`{}`", k.name);
                assert!(
                    keys[..i].iter().all(|o| o.name != k.name),
                    "`{}` declared twice",
                    k.name
                );
            }
        }
    }

    /// `needs` and `unique` name keys of their own entries (a typo there would make a rule
    /// that can never be met, or never checked).
    #[test]
    fn needs_and_unique_name_real_keys() {
        for (path, k) in all_keys() {
            let has = |name: &str| k.keys().iter().any(|s| s.name == name);
            for n in k.needs {
                assert!(!n.any_of.is_empty(), "`{path}`");
                for name in n.any_of {
                    assert!(has(name), "`{path}` needs unknown key `{name}`");
                }
            }
            if let Some(u) = k.unique {
                assert!(has(u), "`{path}` unique on unknown key `{u}`");
            }
            assert!(
                matches!(k.kind, Kind::TableArray(_)) || (k.needs.is_empty() && k.unique.is_none()),
                "`{path}`: needs/unique only apply to arrays of tables"
            );
        }
    }

    #[test]
    fn publishers_are_the_packlists() {
        let names: Vec<&str> = crate::packlist::Publisher::ALL
            .iter()
            .map(|p| p.name())
            .collect();
        assert_eq!(names, PUBLISHERS);
    }

    /// The defaults are TOML values of their key's type (the reader fills them in, so a bad
    /// one would make every config fail).
    #[test]
    fn defaults_parse_as_the_built_in_config() {
        let c = super::super::Config::parse("", std::path::Path::new("leakgate.toml")).unwrap();
        assert_eq!(c.drift.max_growth, 1.5);
        assert!(c.hooks.require_binary);
        assert!(!c.sourcemaps.allow_without_sources_content);
    }
}
