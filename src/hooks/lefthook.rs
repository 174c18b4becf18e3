//! lefthook: leakgate's commands added to the committed lefthook config, so `lefthook
//! install`'s shims run them for the whole team.
//!
//! YAML is edited only where the shape is unambiguous (line-based, no YAML library that
//! would drop comments and reflow the file): a missing top-level `pre-commit:`/`pre-push:`
//! section is appended; an existing block-style section gets an entry in its `commands:`
//! map or `jobs:` list, or a new `commands:` key. Anything else (flow style, JSON/TOML
//! configs, quoted keys) is left alone and the snippet is printed instead.

use super::block::{self, Freshness, Insertion, Spec};
use super::state::{Kind, State};
use super::{previous, Hook, HookError, Result};
use std::ops::Range;
use std::path::Path;

/// Block markers for `hook` (one block per hook: both live in the same file).
pub fn markers(hook: Hook) -> (String, String) {
    (
        format!("# >>> leakgate {} >>>", hook.name()),
        format!("# <<< leakgate {} <<<", hook.name()),
    )
}

/// The `run:` line of `hook` (pre-push gets git's remote name and URL; its ref lines come on
/// stdin, which lefthook passes only with `use_stdin: true`). lefthook runs it with `sh -c`
/// at the top of the work tree: the project's own leakgate (`npm i -D leakgate`) comes
/// first, as in the shims, then the one on `PATH`.
fn command(hook: Hook) -> &'static str {
    match hook {
        Hook::PreCommit => {
            "if [ -x node_modules/.bin/leakgate ]; then node_modules/.bin/leakgate pre-commit; \
             else leakgate pre-commit; fi"
        }
        Hook::PrePush => {
            "if [ -x node_modules/.bin/leakgate ]; then node_modules/.bin/leakgate pre-push {1} {2}; \
             else leakgate pre-push {1} {2}; fi"
        }
    }
}

/// The snippet for one hook as a whole top-level section (what the README documents and
/// what is printed when the file can't be edited).
pub fn snippet(hook: Hook) -> String {
    snippet_with(hook, command(hook))
}

fn snippet_with(hook: Hook, command: &str) -> String {
    let mut s = format!(
        "{}:\n  commands:\n    leakgate:\n      run: {command}\n",
        hook.name(),
    );
    if hook == Hook::PrePush {
        s.push_str("      use_stdin: true\n");
    }
    s
}

/// A `commands:` map entry at `indent` (its keys one `step` deeper).
fn command_entry(hook: Hook, command: &str, indent: &str, step: &str) -> String {
    let mut s = format!("{indent}leakgate:\n{indent}{step}run: {command}\n");
    if hook == Hook::PrePush {
        s.push_str(&format!("{indent}{step}use_stdin: true\n"));
    }
    s
}

/// A `jobs:` list item at `indent`.
fn job_entry(hook: Hook, command: &str, indent: &str) -> String {
    let mut s = format!("{indent}- name: leakgate\n{indent}  run: {command}\n");
    if hook == Hook::PrePush {
        s.push_str(&format!("{indent}  use_stdin: true\n"));
    }
    s
}

fn wrap(hook: Hook, indent: &str, body: &str) -> String {
    let (start, end) = markers(hook);
    format!("{indent}{start}\n{body}{indent}{end}\n")
}

/// Whether the file is YAML (leakgate edits only YAML configs).
pub fn is_yaml(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "yml" || e == "yaml")
}

/// Adds (or refreshes) leakgate's entry for `hook` in the lefthook config at `path`.
/// `Err(Conflict)` carries why the file can't be edited; the caller prints the snippet.
pub fn install(hook: Hook, path: &Path, state: &mut State, force: bool) -> Result<String> {
    if !is_yaml(path) {
        return Err(HookError::Conflict {
            path: path.to_path_buf(),
            message: "only YAML lefthook configs are edited".into(),
        });
    }
    let (start, end) = markers(hook);
    let text = std::fs::read_to_string(path).unwrap_or_default();
    if block::find(&text, &start, &end).is_none() && entry_in(hook, path, &text).is_some() {
        return Ok("already runs leakgate (an entry leakgate did not add; left as is)".into());
    }
    with_spec(hook, |spec| block::install(hook, path, spec, state, force))
}

/// Removes leakgate's entry for `hook` from the lefthook config.
pub fn uninstall(
    hook: Hook,
    path: &Path,
    state: &mut State,
    force: bool,
) -> Result<Option<String>> {
    with_spec(hook, |spec| {
        block::uninstall(hook, path, spec, state, force)
    })
}

/// How leakgate's block for `hook` in the config compares with this version's (`None`: no
/// block).
pub fn freshness(hook: Hook, path: &Path) -> Option<Freshness> {
    let text = std::fs::read_to_string(path).ok()?;
    with_spec(hook, |spec| block::freshness(&text, spec))
}

/// Runs `f` with the block spec of `hook`.
fn with_spec<R>(hook: Hook, f: impl FnOnce(&Spec) -> R) -> R {
    let (start, end) = markers(hook);
    let expected = |text: &str, range: Range<usize>| expected_at(hook, command(hook), text, range);
    // An earlier version's block: the same shape, with the `run:` command it wrote.
    let previous = |text: &str, range: Range<usize>| {
        previous::lefthook_commands(hook)
            .any(|old| expected_at(hook, old, text, range.clone()) == text[range.clone()])
    };
    let plan_at = |text: &str| plan(hook, text);
    f(&Spec {
        kind: Kind::LefthookBlock,
        markers: (&start, &end),
        expected: &expected,
        previous: &previous,
        plan: &plan_at,
        create_header: None,
    })
}

/// An entry of the config that runs `leakgate <hook>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// It has `use_stdin: true` (pre-push needs it: lefthook passes git's ref lines only then).
    pub use_stdin: bool,
}

/// The entry of the lefthook config at `path` that runs `leakgate <hook>`, if any.
pub fn runs_leakgate(hook: Hook, path: &Path) -> Option<Entry> {
    let text = std::fs::read_to_string(path).ok()?;
    entry_in(hook, path, &text)
}

/// The entry that runs `leakgate <hook>`, read from the config's structure (YAML, JSON or
/// TOML by the file name): a `run:` of an entry of `<hook>: commands:` or of an item of
/// `<hook>: jobs:` (groups included), not skipped. Text that merely mentions the command (a
/// comment, another key's value, another hook's section) is no entry.
fn entry_in(hook: Hook, path: &Path, text: &str) -> Option<Entry> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let doc = match ext {
        "json" => serde_json::from_str(text).ok()?,
        "toml" => serde_json::to_value(toml::from_str::<toml::Value>(text).ok()?).ok()?,
        _ => super::yaml::parse(text)?,
    };
    let section = doc.get(hook.name())?;
    let commands = section.get("commands").and_then(|c| c.as_object());
    let from_commands = commands.into_iter().flat_map(|m| m.values());
    let mut entries: Vec<&serde_json::Value> = from_commands.collect();
    if let Some(jobs) = section.get("jobs") {
        collect_jobs(jobs, &mut entries);
    }
    entries.into_iter().find_map(|e| {
        let run = e.get("run")?.as_str()?;
        let skipped = e
            .get("skip")
            .is_some_and(|s| s != &serde_json::Value::Bool(false));
        (!skipped && runs_command(hook, run)).then(|| Entry {
            use_stdin: e.get("use_stdin") == Some(&serde_json::Value::Bool(true)),
        })
    })
}

/// The items of a `jobs:` list, and of the `group: jobs:` lists inside it.
fn collect_jobs<'v>(jobs: &'v serde_json::Value, out: &mut Vec<&'v serde_json::Value>) {
    for job in jobs.as_array().into_iter().flatten() {
        out.push(job);
        if let Some(inner) = job.get("group").and_then(|g| g.get("jobs")) {
            collect_jobs(inner, out);
        }
    }
}

/// True when a `run:` command runs `leakgate <hook>`: leakgate as the program (a path to it,
/// or behind `npx`/`pnpm exec`-style runners and `VAR=x` assignments), the hook its first
/// argument.
fn runs_command(hook: Hook, run: &str) -> bool {
    // Each simple command of each line, comments cut off: `if [ -x node_modules/.bin/leakgate
    // ]; then node_modules/.bin/leakgate pre-commit; else leakgate pre-commit; fi` (what
    // install writes) runs it; `eslint # later: leakgate pre-commit` does not.
    let commands = run.lines().flat_map(|line| {
        let code = match line.find(" #") {
            Some(i) => &line[..i],
            None if line.trim_start().starts_with('#') => "",
            None => line,
        };
        code.split([';', '&', '|'])
    });
    commands.into_iter().any(|command| {
        let words: Vec<&str> = command
            .split_whitespace()
            .map(|w| w.trim_matches(['"', '\'']))
            .skip_while(|w| matches!(*w, "if" | "then" | "else" | "elif" | "do" | "!"))
            .collect();
        let runner = |w: &str| {
            w.starts_with('-')
                || w.contains('=')
                || matches!(
                    w,
                    "npx"
                        | "bunx"
                        | "pnpx"
                        | "pnpm"
                        | "yarn"
                        | "npm"
                        | "bun"
                        | "exec"
                        | "run"
                        | "dlx"
                        | "x"
                        | "env"
                        | "command"
                        | "--"
                )
        };
        let Some(at) = words.iter().position(|w| !runner(w)) else {
            return false;
        };
        let program = words[at].rsplit('/').next().unwrap_or("");
        matches!(program, "leakgate" | "leakgate.exe") && words.get(at + 1) == Some(&hook.name())
    })
}

/// The block (running `command`) expected where an existing one sits: same kind and
/// indentation as it has.
fn expected_at(hook: Hook, command: &str, text: &str, range: Range<usize>) -> String {
    let have = &text[range];
    let indent: String = have.chars().take_while(|c| *c == ' ').collect();
    let first = have.lines().nth(1).unwrap_or("").trim_start();
    let body = if first.starts_with(&format!("{}:", hook.name())) {
        snippet_with(hook, command)
    } else if first.starts_with("- ") {
        job_entry(hook, command, &indent)
    } else if first.starts_with("commands:") {
        let step = child_step(have, &indent);
        format!(
            "{indent}commands:\n{}",
            command_entry(hook, command, &format!("{indent}{step}"), &step)
        )
    } else {
        let step = child_step(have, &indent);
        command_entry(hook, command, &indent, &step)
    };
    wrap(hook, &indent, &body)
}

/// The indentation step used inside an existing block (its second content line's extra indent).
fn child_step(block: &str, indent: &str) -> String {
    block
        .lines()
        .nth(2)
        .map(|l| {
            let n = l.chars().take_while(|c| *c == ' ').count();
            " ".repeat(n.saturating_sub(indent.len()).max(1))
        })
        .unwrap_or_else(|| "  ".into())
}

fn indent_of(line: &str) -> usize {
    line.chars().take_while(|c| *c == ' ').count()
}

fn is_content(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && !t.starts_with('#')
}

/// Where the entry for `hook` goes, or why the file can't be edited safely.
fn plan(hook: Hook, text: &str) -> std::result::Result<Insertion, String> {
    if text.contains('\t') {
        return Err("it contains tabs, so its indentation is ambiguous".into());
    }
    let lines: Vec<(usize, &str)> = {
        let mut off = 0;
        text.split_inclusive('\n')
            .map(|l| {
                let at = off;
                off += l.len();
                (at, l)
            })
            .collect()
    };
    let key = format!("{}:", hook.name());
    let Some(si) = lines.iter().position(|(_, l)| {
        indent_of(l) == 0 && (l.trim_end() == key || l.starts_with(&format!("{key} #")))
    }) else {
        if lines.iter().any(|(_, l)| {
            let t = l.trim_start();
            indent_of(l) == 0
                && (t.starts_with(&key)
                    || t.contains(&format!("\"{}\"", hook.name()))
                    || t.contains(&format!("'{}'", hook.name())))
        }) {
            return Err(format!(
                "its `{}` section is not a plain block mapping",
                hook.name()
            ));
        }
        return Ok(Insertion {
            at: text.len(),
            block: wrap(hook, "", &snippet(hook)),
        });
    };
    // The section's own lines: until the next top-level content line.
    let section: Vec<(usize, &str)> = lines[si + 1..]
        .iter()
        .copied()
        .take_while(|(_, l)| !(is_content(l) && indent_of(l) == 0))
        .collect();
    let after_key = lines[si].0 + lines[si].1.len();
    let children: Vec<&(usize, &str)> = section.iter().filter(|(_, l)| is_content(l)).collect();
    let Some(first) = children.first() else {
        // `pre-commit:` with nothing under it yet.
        let body = format!(
            "  commands:\n{}",
            command_entry(hook, command(hook), "    ", "  ")
        );
        return Ok(Insertion {
            at: after_key,
            block: wrap(hook, "  ", &body),
        });
    };
    let i1 = indent_of(first.1);
    let step = " ".repeat(i1);
    let pad = " ".repeat(i1);
    let child_key = |name: &str| {
        children.iter().position(|(_, l)| {
            indent_of(l) == i1 && {
                let t = l.trim();
                t == format!("{name}:") || t.starts_with(&format!("{name}: #"))
            }
        })
    };
    if let Some(ci) = child_key("commands") {
        let (at, line) = *children[ci];
        let at = at + line.len();
        if children
            .iter()
            .any(|(_, l)| l.trim() == "leakgate:" && indent_of(l) > i1)
        {
            return Err("it already has a `leakgate` command".into());
        }
        let inner = match children.get(ci + 1) {
            Some((_, next)) if indent_of(next) > i1 => indent_of(next),
            _ => i1 * 2,
        };
        let ind = " ".repeat(inner);
        let step = " ".repeat(inner - i1);
        return Ok(Insertion {
            at,
            block: wrap(hook, &ind, &command_entry(hook, command(hook), &ind, &step)),
        });
    }
    if let Some(ci) = child_key("jobs") {
        let (at, line) = *children[ci];
        let at = at + line.len();
        let next = children.get(ci + 1);
        let ind = match next {
            Some((_, n)) if n.trim_start().starts_with("- ") && indent_of(n) >= i1 => indent_of(n),
            _ => return Err("its `jobs:` is not a block list".into()),
        };
        let pad = " ".repeat(ind);
        return Ok(Insertion {
            at,
            block: wrap(hook, &pad, &job_entry(hook, command(hook), &pad)),
        });
    }
    if children
        .iter()
        .any(|(_, l)| indent_of(l) == i1 && l.trim_start().starts_with("commands"))
    {
        return Err("its `commands` key is not a plain block mapping".into());
    }
    let body = format!(
        "{pad}commands:\n{}",
        command_entry(hook, command(hook), &format!("{pad}{step}"), &step)
    );
    Ok(Insertion {
        at: after_key,
        block: wrap(hook, &pad, &body),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `run:` commands, spelled out: they are what teammates' configs hold.
    const PC: &str = "if [ -x node_modules/.bin/leakgate ]; then node_modules/.bin/leakgate pre-commit; else leakgate pre-commit; fi";
    const PP: &str = "if [ -x node_modules/.bin/leakgate ]; then node_modules/.bin/leakgate pre-push {1} {2}; else leakgate pre-push {1} {2}; fi";

    fn apply(hook: Hook, text: &str) -> String {
        let ins = plan(hook, text).expect("editable");
        let mut t = text.to_string();
        t.insert_str(ins.at, &ins.block);
        // What install would find again must be what it expects (idempotence).
        let (s, e) = markers(hook);
        let r = block::find(&t, &s, &e).unwrap();
        assert_eq!(
            expected_at(hook, command(hook), &t, r.clone()),
            t[r].to_string()
        );
        t
    }

    #[test]
    fn appends_a_missing_section() {
        let t = apply(
            Hook::PrePush,
            "pre-commit:\n  commands:\n    lint:\n      run: eslint\n",
        );
        assert!(t.ends_with(
            &format!("# >>> leakgate pre-push >>>\npre-push:\n  commands:\n    leakgate:\n      run: {PP}\n      use_stdin: true\n# <<< leakgate pre-push <<<\n")
        ), "{t}");
    }

    #[test]
    fn adds_to_an_existing_commands_map() {
        let t = apply(
            Hook::PreCommit,
            "pre-commit:\n  parallel: true\n  commands:\n    lint:\n      run: eslint\n",
        );
        assert_eq!(
            t,
            format!("pre-commit:\n  parallel: true\n  commands:\n    # >>> leakgate pre-commit >>>\n    leakgate:\n      run: {PC}\n    # <<< leakgate pre-commit <<<\n    lint:\n      run: eslint\n")
        );
    }

    #[test]
    fn adds_to_a_jobs_list() {
        let t = apply(
            Hook::PrePush,
            "pre-push:\n  jobs:\n    - name: test\n      run: npm test\n",
        );
        assert!(t.contains(&format!("  jobs:\n    # >>> leakgate pre-push >>>\n    - name: leakgate\n      run: {PP}\n      use_stdin: true\n")), "{t}");
    }

    #[test]
    fn adds_commands_to_a_section_without_them() {
        let t = apply(
            Hook::PreCommit,
            "pre-commit:\n    parallel: true\nother: 1\n",
        );
        assert!(t.starts_with(&format!("pre-commit:\n    # >>> leakgate pre-commit >>>\n    commands:\n        leakgate:\n            run: {PC}\n")), "{t}");
    }

    #[test]
    fn refuses_flow_style_and_existing_entries() {
        assert!(plan(Hook::PreCommit, "pre-commit: {commands: {}}\n").is_err());
        assert!(plan(
            Hook::PreCommit,
            "pre-commit:\n  commands:\n    leakgate:\n      run: x\n"
        )
        .is_err());
        assert!(plan(Hook::PreCommit, "pre-commit:\n\tcommands:\n").is_err());
    }

    /// A block an earlier version wrote (`run: leakgate pre-commit`), in each shape, is
    /// recognised as that version's and not as an edit; the same block edited is not.
    #[test]
    fn blocks_of_earlier_versions_are_recognised() {
        let inputs = [
            (
                Hook::PrePush,
                "pre-commit:\n  commands:\n    lint:\n      run: eslint\n",
            ),
            (
                Hook::PreCommit,
                "pre-commit:\n  parallel: true\n  commands:\n    lint:\n      run: eslint\n",
            ),
            (
                Hook::PrePush,
                "pre-push:\n  jobs:\n    - name: test\n      run: npm test\n",
            ),
            (
                Hook::PreCommit,
                "pre-commit:\n    parallel: true\nother: 1\n",
            ),
        ];
        for (hook, input) in inputs {
            let now = apply(hook, input);
            let old_command = previous::lefthook_commands(hook).next().unwrap();
            let old = now.replace(command(hook), old_command);
            assert_ne!(old, now);
            let fresh = |text: &str| with_spec(hook, |spec| block::freshness(text, spec));
            assert_eq!(fresh(&now), Some(Freshness::Current), "{now}");
            assert_eq!(fresh(&old), Some(Freshness::Previous), "{old}");
            let edited = old.replace(
                &format!("run: {old_command}\n"),
                &format!("run: {old_command} --verbose\n"),
            );
            assert_eq!(fresh(&edited), Some(Freshness::Edited), "{edited}");
        }
    }

    #[test]
    fn the_node_modules_first_line_runs_leakgate_and_comments_never_do() {
        assert!(runs_command(Hook::PreCommit, command(Hook::PreCommit)));
        assert!(runs_command(Hook::PrePush, command(Hook::PrePush)));
        assert!(!runs_command(
            Hook::PreCommit,
            "true # ; leakgate pre-commit"
        ));
        assert!(!runs_command(Hook::PreCommit, "# leakgate pre-commit"));
        assert!(!runs_command(
            Hook::PreCommit,
            "if [ -x node_modules/.bin/leakgate ]; then echo leakgate pre-commit; fi"
        ));
    }

    #[test]
    fn only_a_run_of_the_hooks_entries_counts() {
        let at = |text: &str, hook| entry_in(hook, Path::new("lefthook.yml"), text);
        let entry = Some(Entry { use_stdin: false });
        // Mentions in comments, other keys, other hooks' sections: no entry.
        let mentions = "# leakgate pre-commit
pre-commit:
  commands:
    lint:
      run: eslint # leakgate pre-commit
      glob: leakgate pre-commit
post-merge:
  commands:
    x:
      run: leakgate pre-commit
";
        assert_eq!(at(mentions, Hook::PreCommit), None);
        assert_eq!(
            at(
                "pre-commit: {commands: {x: {run: leakgate pre-commit}}}
",
                Hook::PreCommit
            ),
            None
        );
        assert_eq!(
            at(
                "pre-commit:
  commands:
    x:
      run: echo leakgate pre-commit
",
                Hook::PreCommit
            ),
            None
        );
        assert_eq!(
            at(
                "pre-commit:
  commands:
    x:
      run: leakgate pre-commit
      skip: true
",
                Hook::PreCommit
            ),
            None
        );
        // Entries in every form lefthook reads.
        assert_eq!(
            at(
                "pre-commit:
  commands:
    gate:
      run: leakgate pre-commit
",
                Hook::PreCommit
            ),
            entry
        );
        assert_eq!(
            at(
                "pre-commit:
  commands:
    gate:
      run: npx --yes ./bin/leakgate pre-commit
",
                Hook::PreCommit
            ),
            entry
        );
        assert_eq!(
            at(
                "pre-push:
  jobs:
    - name: t
      group:
        jobs:
          - run: leakgate pre-push {1} {2}
            use_stdin: true
",
                Hook::PrePush
            ),
            Some(Entry { use_stdin: true })
        );
        let json = r#"{"pre-push": {"commands": {"g": {"run": "leakgate pre-push {1} {2}", "use_stdin": true}}}}"#;
        assert_eq!(
            entry_in(Hook::PrePush, Path::new("lefthook.json"), json),
            Some(Entry { use_stdin: true })
        );
        let toml = "[pre-commit.commands.g]\nrun = \"leakgate pre-commit\"\n";
        assert_eq!(
            entry_in(Hook::PreCommit, Path::new("lefthook.toml"), toml),
            entry
        );
        assert_eq!(
            entry_in(
                Hook::PreCommit,
                Path::new("lefthook.toml"),
                "# leakgate pre-commit\n"
            ),
            None
        );
    }
}
