//! The human renderer: rustc/ruff-style diagnostics.
//!
//! ```text
//! error[secret/npm-token]: npm access token in a shipped file
//!   --> packages/cli/dist/auth.js:12:5
//!    = package: @acme/cli
//!    = evidence: npm_************
//!    = help: revoke the token, then remove it from the source
//!
//! 1 error, 0 warnings
//! ```

use super::{Finding, Report, Severity};
use std::fmt::Write as _;

/// How to render human output.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Emit ANSI colour codes.
    pub color: bool,
    /// Also print fingerprints (what `[[allow]] fingerprint` takes).
    pub verbose: bool,
}

/// ANSI styles, or nothing when colour is off.
struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn severity(&self, s: Severity) -> String {
        let code = match s {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Note => "1;36",
        };
        self.paint(code, s.as_str())
    }

    fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }

    fn blue(&self, text: &str) -> String {
        self.paint("1;34", text)
    }
}

/// The location shown after `-->`: the repository path when known (clickable from the
/// repository root), else the package-relative file, with `:line:col`.
pub fn location(f: &Finding) -> Option<String> {
    let mut loc = match (f.repo_path.as_deref(), f.file.as_deref()) {
        // A file inside a file (`dist/cli.js.map!src/auth.ts`): line and column belong to
        // the inner file, so the inner name must stay in the location.
        (Some(repo), Some(file)) => match file.split_once('!') {
            Some((_, inner)) if !repo.contains('!') => format!("{repo}!{inner}"),
            _ => repo.to_string(),
        },
        (Some(repo), None) => repo.to_string(),
        (None, file) => file?.to_string(),
    };
    if let Some(line) = f.line {
        let _ = write!(loc, ":{line}:{}", f.column.unwrap_or(1));
    }
    Some(loc)
}

/// Renders one finding (ends with a blank line).
fn finding(out: &mut String, f: &Finding, style: &Style, opts: Options) {
    let _ = writeln!(
        out,
        "{}{}: {}",
        style.severity(f.severity),
        style.bold(&format!("[{}]", f.rule)),
        style.bold(&f.message)
    );
    let arrow = style.blue("-->");
    let eq = style.blue("=");
    if let Some(loc) = location(f) {
        let _ = writeln!(out, "  {arrow} {loc}");
    }
    if let Some(pkg) = &f.package {
        let _ = writeln!(out, "   {eq} package: {pkg}");
    }
    if let Some(ev) = &f.evidence {
        let _ = writeln!(out, "   {eq} evidence: {ev}");
    }
    if opts.verbose {
        if let Some(fp) = &f.fingerprint {
            let _ = writeln!(out, "   {eq} fingerprint: {fp}");
        }
    }
    if let Some(help) = &f.help {
        let _ = writeln!(out, "   {eq} {}: {help}", style.bold("help"));
    }
    out.push('\n');
}

/// `1 error`, `2 warnings`.
fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The summary line, e.g. `2 errors, 1 warning`.
pub fn summary(report: &Report) -> String {
    let errors = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    format!("{}, {}", count(errors, "error"), count(warnings, "warning"))
}

/// Renders a whole report. An empty report renders its notes only (no summary line), so
/// a clean hook run prints nothing.
pub fn render(report: &Report, opts: Options) -> String {
    let style = Style { on: opts.color };
    let mut out = String::new();
    for f in &report.findings {
        finding(&mut out, f, &style, opts);
    }
    for n in &report.notes {
        let _ = writeln!(out, "{}: {n}", style.paint("1;36", "note"));
    }
    if !report.findings.is_empty() {
        if !report.notes.is_empty() {
            out.push('\n');
        }
        let line = summary(report);
        let line = if report.has_blocking() {
            style.paint("1;31", &line)
        } else {
            style.paint("1;33", &line)
        };
        let _ = writeln!(out, "{line}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Report {
        Report {
            findings: vec![
                Finding::new("allow/unused", "secret token")
                    .severity(Severity::Error)
                    .package("@acme/cli")
                    .file("dist/auth.js")
                    .repo_path("packages/cli/dist/auth.js")
                    .at(12, 5)
                    .help("revoke it")
                    .evidence(b"npm_abcdefghijklmnopqrstuvwxyz0123456789"),
                Finding::new("allow/expired", "old entry").severity(Severity::Warning),
            ],
            notes: vec!["skipped private package @acme/internal".into()],
        }
    }

    #[test]
    fn rustc_style_lines() {
        let text = render(&sample(), Options::default());
        assert!(
            text.contains("error[allow/unused]: secret token\n"),
            "{text}"
        );
        assert!(
            text.contains("  --> packages/cli/dist/auth.js:12:5\n"),
            "{text}"
        );
        assert!(text.contains("   = package: @acme/cli\n"), "{text}");
        assert!(text.contains("   = help: revoke it\n"), "{text}");
        assert!(text.contains("   = evidence: npm_"), "{text}");
        assert!(
            text.contains("warning[allow/expired]: old entry\n"),
            "{text}"
        );
        assert!(text.contains("note: skipped private package"), "{text}");
        assert!(text.trim_end().ends_with("1 error, 1 warning"), "{text}");
        assert!(!text.contains('\x1b'), "no colour unless asked: {text}");
    }

    #[test]
    fn secrets_never_printed_whole() {
        let text = render(&sample(), Options::default());
        assert!(!text.contains("abcdefghijklmnop"), "{text}");
    }

    #[test]
    fn fingerprint_only_when_verbose() {
        let quiet = render(&sample(), Options::default());
        assert!(!quiet.contains("fingerprint"));
        let verbose = render(
            &sample(),
            Options {
                verbose: true,
                ..Options::default()
            },
        );
        assert!(verbose.contains("= fingerprint: "), "{verbose}");
    }

    #[test]
    fn colour_when_asked() {
        let text = render(
            &sample(),
            Options {
                color: true,
                ..Options::default()
            },
        );
        assert!(text.contains("\x1b[1;31merror\x1b[0m"), "{text}");
    }

    #[test]
    fn empty_report_prints_nothing() {
        assert_eq!(render(&Report::default(), Options::default()), "");
    }

    #[test]
    fn file_falls_back_when_no_repo_path() {
        let f = Finding::new("x/y", "m").file("a.js.map!src/b.ts").at(3, 1);
        assert_eq!(location(&f).as_deref(), Some("a.js.map!src/b.ts:3:1"));
        assert_eq!(location(&Finding::new("x/y", "m")), None);
    }

    #[test]
    fn embedded_files_keep_their_inner_name_next_to_the_repo_path() {
        let f = Finding::new("x/y", "m")
            .file("dist/a.js.map!src/b.ts")
            .repo_path("pkg/dist/a.js.map")
            .at(12, 5);
        assert_eq!(
            location(&f).as_deref(),
            Some("pkg/dist/a.js.map!src/b.ts:12:5")
        );
    }
}
