//! `leakgate help [TOPIC | COMMAND]`: the reference pages, compiled in, so every pointer the
//! CLI prints (`leakgate help config`, …) resolves for someone who has only the binary.
//! A command name prints that command's `--help`; the command-line parsing lives in main.

/// One help topic: its name, a one-line summary, and the page (a file of `docs/`).
pub struct Topic {
    /// What `leakgate help NAME` is typed with.
    pub name: &'static str,
    /// One line for the list of topics.
    pub summary: &'static str,
    /// The page, as in leakgate's repository.
    pub text: &'static str,
}

/// Every topic, in the order `leakgate help` lists them.
pub const TOPICS: &[Topic] = &[
    Topic {
        name: "config",
        summary: "leakgate.toml: every key, allow entries, severities",
        text: include_str!("../../docs/config.md"),
    },
    Topic {
        name: "schema",
        summary: "the JSON schema of leakgate.toml, for editors (redirect it to a file)",
        text: include_str!("../../docs/leakgate.schema.json"),
    },
    Topic {
        name: "ci",
        summary: "the GitHub Action, GitLab CI, a shell step, the npm publish guard",
        text: include_str!("../../docs/ci.md"),
    },
    Topic {
        name: "hooks",
        summary: "where the hooks go; husky, lefthook, the pre-commit framework",
        text: include_str!("../../docs/hooks.md"),
    },
    Topic {
        name: "checks",
        summary: "what the pre-commit review, audit and pre-push check; the output",
        text: include_str!("../../docs/checks.md"),
    },
    Topic {
        name: "packlist",
        summary: "how leakgate computes what npm pack ships",
        text: include_str!("../../docs/packlist.md"),
    },
    Topic {
        name: "publishers",
        summary: "what pnpm, yarn and bun pack, and how the publisher is detected",
        text: include_str!("../../docs/publishers.md"),
    },
    Topic {
        name: "json",
        summary: "the --format json document",
        text: include_str!("../../docs/json-format.md"),
    },
    Topic {
        name: "install",
        summary: "the npm packages, building from source, LEAKGATE_BIN",
        text: include_str!("../../docs/install.md"),
    },
    Topic {
        name: "performance",
        summary: "benchmarks and how leakgate is fast",
        text: include_str!("../../docs/performance.md"),
    },
];

/// The topic called `name`.
pub fn find(name: &str) -> Option<&'static Topic> {
    TOPICS.iter().find(|t| t.name == name)
}

/// The list printed after the main help.
pub fn list() -> String {
    let mut s = String::from("Help topics (leakgate help TOPIC):\n");
    for t in TOPICS {
        s.push_str(&format!("  {:<12} {}\n", t.name, t.summary));
    }
    s.push_str("Rules: leakgate explain --list, leakgate explain RULE\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_topic_has_a_page() {
        for t in TOPICS {
            assert!(t.text.len() > 200, "{}", t.name);
            assert!(find(t.name).is_some());
        }
        assert!(find("nope").is_none());
        assert!(list().contains("  config "));
    }
}
