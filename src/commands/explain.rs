//! `leakgate explain`: what a rule catches, why it matters, how to fix and how to allow it.

use super::{CmdResult, Exit, Format, Globals};
use crate::config::schema::did_you_mean;
use crate::rules::{self, Rule};
use std::fmt::Write as _;
use std::io::Write as _;

/// Arguments of `leakgate explain`.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    /// The rule id (`sourcemap/sources-content`).
    #[arg(required_unless_present = "list", conflicts_with = "list")]
    pub rule: Option<String>,
    /// List every rule with its default severity.
    #[arg(long)]
    pub list: bool,
}

/// The `[[allow]]` snippet for a rule, ready to paste into leakgate.toml.
pub fn allow_snippet(rule: &str) -> String {
    format!(
        "[[allow]]\nrule = \"{rule}\"\npath = \"path/to/file\"          # glob, relative to the repository root\nreason = \"why this is not a leak\"\n# expires = \"2026-12-31\"         # optional: stop allowing after this day\n"
    )
}

/// The full explanation of one rule, as text.
pub fn explain_text(r: &Rule) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} (default severity: {})", r.id, r.default_severity);
    let _ = writeln!(s, "\n{}\n", r.summary);
    let _ = writeln!(
        s,
        "What it catches and why it matters:\n  {}\n",
        r.explanation
    );
    let _ = writeln!(s, "How to fix it:\n  {}\n", r.fix);
    let _ = writeln!(s, "How to allow it (leakgate.toml):");
    for line in allow_snippet(r.id).lines() {
        let _ = writeln!(s, "  {line}");
    }
    let _ = writeln!(
        s,
        "\nHow to change its severity (leakgate.toml):\n  [rules]\n  \"{}\" = \"warning\"   # or \"error\", \"off\"",
        r.id
    );
    s
}

fn rule_json(r: &Rule) -> serde_json::Value {
    serde_json::json!({
        "id": r.id,
        "default_severity": r.default_severity.as_str(),
        "summary": r.summary,
        "explanation": r.explanation,
        "fix": r.fix,
        "allow": allow_snippet(r.id),
    })
}

fn print(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// The explanation of a team's own `secret/<id>` from `[[secrets.patterns]]`, when the
/// repository's config defines it (a config that doesn't load is ignored here:
/// `leakgate config --check` is where it gets reported).
fn custom_pattern(id: &str, globals: &Globals) -> Option<String> {
    let suffix = id.strip_prefix("secret/")?;
    let root = super::init::root_or_cwd().ok()?;
    let config = crate::config::Config::discover(&root, globals.config.as_deref()).ok()?;
    let p = config.secrets.patterns.iter().find(|p| p.id == suffix)?;
    let mut s = String::new();
    let _ = writeln!(s, "{id} (default severity: error)");
    let _ = writeln!(
        s,
        "\n{}\n",
        p.description
            .as_deref()
            .unwrap_or("a secret pattern defined by this repository")
    );
    let _ = writeln!(
        s,
        "What it catches:\n  text matching the regex `{}` in shipped files, defined in [[secrets.patterns]] of {}\n",
        p.regex,
        config
            .source
            .as_deref()
            .map(|p| crate::config::shown_path(p).display().to_string())
            .unwrap_or_default()
    );
    let _ = writeln!(s, "How to fix it:\n  remove the secret from the source, and rotate it if it was ever pushed or published\n");
    let _ = writeln!(s, "How to allow it (leakgate.toml):");
    for line in allow_snippet(id).lines() {
        let _ = writeln!(s, "  {line}");
    }
    Some(s)
}

/// Runs the command.
pub fn run(args: &Args, globals: &Globals) -> CmdResult {
    let json = globals.format != Format::Human;
    if args.list {
        let text = if json {
            let all: Vec<_> = rules::all().map(rule_json).collect();
            format!("{}\n", serde_json::to_string_pretty(&all)?)
        } else {
            let width = rules::all().map(|r| r.id.len()).max().unwrap_or(0);
            let mut s = String::new();
            for r in rules::all() {
                let _ = writeln!(
                    s,
                    "{:<7}  {:<width$}  {}",
                    r.default_severity.as_str(),
                    r.id,
                    r.summary
                );
            }
            s
        };
        print(&text)?;
        return Ok(Exit::Clean);
    }
    let id = args.rule.as_deref().unwrap_or_default();
    if let Some(text) = custom_pattern(id, globals) {
        print(&text)?;
        return Ok(Exit::Clean);
    }
    let Some(rule) = rules::find(id) else {
        let hint = match did_you_mean(id, rules::all().map(|r| r.id)) {
            Some(s) => format!(": did you mean `{s}`?"),
            None => "; `leakgate explain --list` lists every rule".to_string(),
        };
        eprintln!("error: unknown rule `{id}`{hint}");
        return Ok(Exit::Usage);
    };
    // An old id explains the rule it names, and says so first.
    let alias = rules::alias(id);
    let text = if json {
        let mut v = rule_json(rule);
        if let Some(a) = alias {
            v["alias"] = serde_json::json!({"id": a.id, "note": a.note});
        }
        format!("{}\n", serde_json::to_string_pretty(&v)?)
    } else {
        match alias {
            Some(a) => format!(
                "{} is another name for {}: findings are reported as {}.\n  {}\n\n{}",
                a.id,
                a.rule.id,
                a.rule.id,
                a.note,
                explain_text(rule)
            ),
            None => explain_text(rule),
        }
    };
    print(&text)?;
    Ok(Exit::Clean)
}
