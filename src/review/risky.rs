//! What counts as risky to publish, as sample paths: a pattern that matches a sample
//! keeps that kind of file out (or lets it in). Samples are relative to the directory of
//! the ignore file or package.json being judged.

use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// A kind of file that must not ship, with sample paths (`true` = directory).
pub struct Category {
    /// Plural noun for messages (`source maps`).
    pub name: &'static str,
    /// Sample paths.
    pub samples: &'static [(&'static str, bool)],
}

/// Maps, sources, env files, keys.
pub const CATEGORIES: &[Category] = &[
    Category {
        name: "source maps",
        samples: &[
            ("cli.js.map", false),
            ("dist/cli.js.map", false),
            ("dist/index.mjs.map", false),
            ("lib/index.cjs.map", false),
            ("dist/style.css.map", false),
        ],
    },
    Category {
        name: "original sources",
        samples: &[
            ("src", true),
            ("src/index.ts", false),
            ("src/app.tsx", false),
            ("src/cli.mts", false),
            ("lib/util.ts", false),
        ],
    },
    Category {
        name: "env files",
        samples: &[
            (".env", false),
            (".env.local", false),
            (".env.production", false),
            ("config/.env", false),
        ],
    },
    Category {
        name: "keys and credentials",
        samples: &[
            ("id_rsa", false),
            ("id_ed25519", false),
            ("server.pem", false),
            ("private.key", false),
            ("cert.p12", false),
            // Not `.npmrc`: npm never packs one, whatever the ignore files or `files` say,
            // so a line about it protects nothing (its contents are judged as secrets).
        ],
    },
];

/// An ignore file's rules as npm reads them (case-insensitive, gitignore syntax).
pub struct Rules {
    gi: Gitignore,
}

impl Rules {
    /// Compiles ignore-file text; lines git/npm can't parse are skipped (as npm does).
    pub fn new(text: &str) -> Rules {
        let mut b = GitignoreBuilder::new("");
        let _ = b.case_insensitive(true);
        for line in text.lines() {
            let _ = b.add_line(None, line);
        }
        Rules {
            gi: b.build().unwrap_or_else(|_| Gitignore::empty()),
        }
    }

    /// True when the path (or a parent directory) is ignored.
    pub fn ignores(&self, path: &str, is_dir: bool) -> bool {
        self.gi
            .matched_path_or_any_parents(path, is_dir)
            .is_ignore()
    }
}

/// True when one pattern line (without a leading `!`) matches the path or a parent.
pub fn line_matches(line: &str, path: &str, is_dir: bool) -> bool {
    Rules::new(line).ignores(path, is_dir)
}

/// Samples (category, path) ignored by `old` but not by `new`.
pub fn flips(old: &Rules, new: &Rules) -> Vec<(&'static str, &'static str, bool)> {
    let mut out = Vec::new();
    for c in CATEGORIES {
        for &(p, d) in c.samples {
            if old.ignores(p, d) && !new.ignores(p, d) {
                out.push((c.name, p, d));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flips_are_what_the_new_rules_let_in() {
        let old = Rules::new("*.map\n.env*\n");
        let new = Rules::new(".env*\n");
        let f = flips(&old, &new);
        assert!(f.iter().all(|(c, _, _)| *c == "source maps"));
        assert!(!f.is_empty());
        assert!(flips(&new, &old).is_empty());
    }

    #[test]
    fn npm_matching_is_case_insensitive() {
        assert!(Rules::new("*.MAP").ignores("dist/cli.js.map", false));
    }
}
