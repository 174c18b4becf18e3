//! The key tree of `leakgate.toml`, as data: the reader checks every key against it (unknown
//! keys are errors with a "did you mean"), and a test checks that `docs/leakgate.schema.json`
//! lists exactly these keys.

/// What a key holds.
#[derive(Debug)]
pub enum Kind {
    /// A value; the string says what is expected (used in error messages).
    Value(&'static str),
    /// A table with these keys.
    Table(&'static [Key]),
    /// An array of tables (`[[name]]`), each with these keys.
    TableArray(&'static [Key]),
    /// A table whose keys are free (rule ids); the string says what each value is.
    Map(&'static str),
}

/// One key of the config.
#[derive(Debug)]
pub struct Key {
    /// The kebab-case key.
    pub name: &'static str,
    /// What it holds.
    pub kind: Kind,
}

const fn v(name: &'static str, expected: &'static str) -> Key {
    Key {
        name,
        kind: Kind::Value(expected),
    }
}

/// Expected-value descriptions, reused in messages.
pub mod expect {
    /// A severity override.
    pub const LEVEL: &str = "one of \"error\", \"warning\", \"off\"";
    /// A size.
    pub const SIZE: &str =
        "a size: an integer number of bytes or a string like \"10 MB\", \"512 KiB\"";
    /// A date.
    pub const DATE: &str = "a date YYYY-MM-DD";
    /// A glob.
    pub const GLOB: &str = "a glob string";
    /// A list of globs.
    pub const GLOBS: &str = "an array of glob strings";
    /// A list of strings.
    pub const STRINGS: &str = "an array of strings";
    /// A boolean.
    pub const BOOL: &str = "true or false";
    /// A string.
    pub const STRING: &str = "a string";
}

/// `[sourcemaps]`.
pub const SOURCEMAPS: &[Key] = &[v("allow-without-sources-content", expect::BOOL)];

/// `[[secrets.patterns]]`.
pub const SECRET_PATTERN: &[Key] = &[
    v(
        "id",
        "a kebab-case id (findings are reported as `secret/<id>`)",
    ),
    v("regex", "a regular expression string"),
    v("keywords", expect::STRINGS),
    v("description", expect::STRING),
];

/// `[secrets]`.
pub const SECRETS: &[Key] = &[Key {
    name: "patterns",
    kind: Kind::TableArray(SECRET_PATTERN),
}];

/// `[files]`.
pub const FILES: &[Key] = &[v("deny", expect::GLOBS)];

/// `[size]`.
pub const SIZE: &[Key] = &[v("max-file", expect::SIZE), v("max-package", expect::SIZE)];

/// `[drift]`.
pub const DRIFT: &[Key] = &[v("max-growth", "a number >= 1.0 (1.5 = 50% growth)")];

/// `[publish]`.
pub const PUBLISH: &[Key] = &[v("tool", "one of \"npm\", \"pnpm\", \"yarn\", \"bun\"")];

/// `[hooks]`.
pub const HOOKS: &[Key] = &[
    v("on-error", "one of \"block\", \"allow\""),
    v("require-binary", expect::BOOL),
    v("warnings", "one of \"summary\", \"full\""),
];

/// `[[package]]`.
pub const PACKAGE: &[Key] = &[
    v("name", "a package name or name glob (\"@acme/*\")"),
    v(
        "path",
        "a glob of package directories, relative to the repository root",
    ),
    v("visibility", "one of \"open\", \"proprietary\""),
    v("skip", expect::BOOL),
    Key {
        name: "rules",
        kind: Kind::Map(expect::LEVEL),
    },
];

/// `[[allow]]`.
pub const ALLOW: &[Key] = &[
    v("rule", "a rule id (see `leakgate explain --list`)"),
    v("package", "a package name or name glob"),
    v("path", "a glob relative to the repository root"),
    v("fingerprint", "a sha256 hex digest (64 hex digits)"),
    v("reason", "a non-empty string saying why"),
    v("expires", expect::DATE),
];

/// The top level.
pub const ROOT: &[Key] = &[
    v(
        "codenames",
        "an array of codenames: plaintext, or \"sha256:SALT:HEX\"",
    ),
    Key {
        name: "rules",
        kind: Kind::Map(expect::LEVEL),
    },
    Key {
        name: "sourcemaps",
        kind: Kind::Table(SOURCEMAPS),
    },
    Key {
        name: "secrets",
        kind: Kind::Table(SECRETS),
    },
    Key {
        name: "files",
        kind: Kind::Table(FILES),
    },
    Key {
        name: "size",
        kind: Kind::Table(SIZE),
    },
    Key {
        name: "drift",
        kind: Kind::Table(DRIFT),
    },
    Key {
        name: "hooks",
        kind: Kind::Table(HOOKS),
    },
    Key {
        name: "publish",
        kind: Kind::Table(PUBLISH),
    },
    Key {
        name: "package",
        kind: Kind::TableArray(PACKAGE),
    },
    Key {
        name: "allow",
        kind: Kind::TableArray(ALLOW),
    },
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
}
