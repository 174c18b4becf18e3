//! Printing reports: the one place a command turns a [`Report`] into bytes on stdout.

use super::{ColorChoice, Exit, Format, Globals};
use crate::config::HookWarnings;
use crate::report::{human, json, sarif, Report};
use std::io::{IsTerminal, Write};

/// Whether human output gets colour: `--color always` always; `never` never; `auto` only
/// when stdout is a terminal and `NO_COLOR` is unset or empty (<https://no-color.org>).
pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            !no_color && std::io::stdout().is_terminal()
        }
    }
}

/// The report as `globals` asks for it: `-q` keeps only blocking findings and drops notes
/// (in every format, so a quiet JSON run is as quiet as a quiet human one).
pub fn visible(report: &Report, globals: &Globals) -> Report {
    if !globals.quiet {
        return report.clone();
    }
    Report {
        findings: report
            .findings
            .iter()
            .filter(|f| f.is_blocking())
            .cloned()
            .collect(),
        notes: Vec::new(),
    }
}

/// Who is printing: a command run by hand, or a git hook (whose output git's surrounds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// `leakgate audit` and the other commands: warnings print, a rule's many warnings in
    /// one package as one group.
    #[default]
    Command,
    /// `leakgate pre-commit` / `pre-push`: errors in full; warnings as `[hooks] warnings`
    /// says (by default one line counting them).
    Hook(HookWarnings),
}

/// What the hooks' summary line says when it counts warnings instead of printing them.
pub const HOOK_HINT: &str = "run with -v or set [hooks] warnings = \"full\" to see them";

/// The human renderer's options for `globals` and `mode`: `-v` shows every finding (and
/// its fingerprint) whatever the mode.
pub fn human_options(globals: &Globals, mode: Mode) -> human::Options {
    let verbose = globals.verbose > 0;
    let detail = match mode {
        _ if verbose => human::Detail::Each,
        Mode::Hook(HookWarnings::Summary) => human::Detail::Summary { hint: HOOK_HINT },
        Mode::Hook(HookWarnings::Full) | Mode::Command => human::Detail::Grouped,
    };
    human::Options {
        color: use_color(globals.color),
        verbose,
        detail,
        prefix: match mode {
            Mode::Hook(_) => "leakgate: ",
            Mode::Command => "",
        },
    }
}

/// Renders the report in `--format` to a string. Only human output groups or summarizes:
/// JSON and SARIF hold every finding the report has (after `-q`).
pub fn render(report: &Report, globals: &Globals, mode: Mode) -> String {
    let report = visible(report, globals);
    match globals.format {
        Format::Human => human::render(&report, human_options(globals, mode)),
        Format::Json => json::render(&report),
        Format::Sarif => sarif::render(&report),
    }
}

/// Prints the report to stdout in `--format`. A closed pipe (`leakgate audit | head`) is
/// not an error: the rest is dropped quietly and the command still exits with the code its
/// findings call for (a blocking report must never turn into a pass).
pub fn emit(report: &Report, globals: &Globals, mode: Mode) -> std::io::Result<()> {
    let text = render(report, globals, mode);
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// The exit status a report calls for: 1 when any finding blocks, else 0.
pub fn exit_for(report: &Report) -> Exit {
    if report.has_blocking() {
        Exit::Blocked
    } else {
        Exit::Clean
    }
}

/// The error and its causes joined by `: `, skipping a cause whose text the message already
/// holds (many of leakgate's errors name their cause themselves: `x.tgz: No such file…`).
/// Escaped for the terminal: errors name input files, whose names can hold ESC or CR.
pub fn error_text(e: &anyhow::Error) -> String {
    crate::report::terminal::escaped(&joined_causes(e))
}

fn joined_causes(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Finding, Severity};

    fn report() -> Report {
        Report {
            findings: vec![
                Finding::named("a/b", "blocking one").severity(Severity::Error),
                Finding::named("a/c", "just a warning").severity(Severity::Warning),
            ],
            notes: vec!["a note".into()],
        }
    }

    #[test]
    fn quiet_keeps_only_blocking() {
        let g = Globals {
            quiet: true,
            ..Globals::default()
        };
        let text = render(&report(), &g, Mode::Command);
        assert!(text.contains("blocking one"));
        assert!(!text.contains("just a warning"));
        assert!(!text.contains("a note"));
    }

    #[test]
    fn formats_are_chosen() {
        let g = Globals {
            format: Format::Json,
            ..Globals::default()
        };
        let v: serde_json::Value =
            serde_json::from_str(&render(&report(), &g, Mode::Command)).unwrap();
        assert_eq!(v["version"], 1);
        let g = Globals {
            format: Format::Sarif,
            ..Globals::default()
        };
        let v: serde_json::Value =
            serde_json::from_str(&render(&report(), &g, Mode::Command)).unwrap();
        assert_eq!(v["version"], "2.1.0");
    }

    #[test]
    fn colour_choice() {
        assert!(use_color(ColorChoice::Always));
        assert!(!use_color(ColorChoice::Never));
    }

    #[test]
    fn exit_codes() {
        assert_eq!(exit_for(&report()), Exit::Blocked);
        assert_eq!(exit_for(&Report::default()), Exit::Clean);
        let warn_only = Report {
            findings: vec![Finding::named("a/c", "w").severity(Severity::Warning)],
            notes: vec![],
        };
        assert_eq!(exit_for(&warn_only), Exit::Clean);
    }
}
