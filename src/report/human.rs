//! The human renderer: rustc/ruff-style diagnostics.
//!
//! ```text
//! error[secret/npm-token]: npm access token in a shipped file
//!   --> packages/cli/dist/auth.js:12:5
//!    = package: @acme/cli
//!    = evidence: npm_************
//!    = help: revoke the token, then remove it from the source
//!
//! warning[sourcemap/file]: 30 files: dist/a.js.map, dist/b.js.map and 28 more
//!    = package: @acme/ui
//!    = help: exclude maps from the package (`!*.map` in `files`, or `*.map` in .npmignore)
//!    = note: run with -v to see each of them
//!
//! 1 error, 30 warnings
//! ```
//!
//! Errors come first, then warnings, then notes (see [`group::order`]); a rule's many
//! warnings in one package print as one group (see [`group::entries`]).

use super::group::{self, Entry, Group};
use super::terminal::{escape, is_unsafe};
use super::{Finding, Report, Severity};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// How much of the findings human output shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Detail {
    /// Every finding in full, one by one (`-v`).
    Each,
    /// Errors in full; a rule's warnings or notes in one package as one group when there
    /// are more than [`group::GROUP_OVER`] of them (`leakgate audit`).
    #[default]
    Grouped,
    /// Errors in full; warnings and notes only counted, in the summary line, followed by
    /// `hint` (how to see them). The hooks' default, so a blocking error is never lost.
    Summary {
        /// Says how to see what was left out, e.g. `run with -v to see them`.
        hint: &'static str,
    },
}

/// How to render human output.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Emit ANSI colour codes.
    pub color: bool,
    /// Also print fingerprints (what `[[allow]] fingerprint` takes).
    pub verbose: bool,
    /// How much of the findings to show.
    pub detail: Detail,
    /// Put before the summary line: the hooks say `leakgate: `, because git's own output
    /// surrounds theirs.
    pub prefix: &'static str,
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

/// The file a finding names, as shown: the repository path when known (clickable from the
/// repository root), else the package-relative file.
pub fn path(f: &Finding) -> Option<String> {
    Some(match (f.repo_path.as_deref(), f.file.as_deref()) {
        // A file inside a file (`dist/cli.js.map!src/auth.ts`): line and column belong to
        // the inner file, so the inner name must stay in the location.
        (Some(repo), Some(file)) => match file.split_once('!') {
            Some((_, inner)) if !repo.contains('!') => format!("{repo}!{inner}"),
            _ => repo.to_string(),
        },
        (Some(repo), None) => repo.to_string(),
        (None, file) => file?.to_string(),
    })
}

/// The location shown after `-->`: [`path`] with `:line:col`.
pub fn location(f: &Finding) -> Option<String> {
    let mut loc = path(f)?;
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
        match &f.origin {
            Some(origin) => {
                let _ = writeln!(out, "  {arrow} {loc} (from {origin})");
            }
            None => {
                let _ = writeln!(out, "  {arrow} {loc}");
            }
        }
    }
    if let Some(pkg) = &f.package {
        let _ = writeln!(out, "   {eq} package: {pkg}");
    }
    if !f.also_at.is_empty() {
        let _ = writeln!(out, "   {eq} also at: {}", also_at(&f.also_at));
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
        help_lines(out, &eq, style, help);
    }
    out.push('\n');
}

/// One `= help:` line per line of `help`: a finding with several fixes lists them the way
/// rustc does, one per line, instead of one long sentence.
fn help_lines(out: &mut String, eq: &str, style: &Style, help: &str) {
    for line in help.lines() {
        let _ = writeln!(out, "   {eq} {}: {line}", style.bold("help"));
    }
}

/// `2:4, 3:4, 9:1` for the first few other places of a folded finding, then how many more.
fn also_at(places: &[(u32, u32)]) -> String {
    const LISTED: usize = 5;
    let mut text = places
        .iter()
        .take(LISTED)
        .map(|(l, c)| format!("{l}:{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    if places.len() > LISTED {
        let _ = write!(text, " and {} more", places.len() - LISTED);
    }
    let _ = write!(text, " ({} places in all)", places.len() + 1);
    text
}

/// Renders a group of findings as one diagnostic: how many, a couple of example files,
/// the package, the help once, and how to see each one.
fn group(out: &mut String, g: &Group, style: &Style) {
    let files: Vec<String> = {
        let mut seen = BTreeSet::new();
        g.members
            .iter()
            .filter_map(|f| path(f))
            .filter(|p| seen.insert(p.clone()))
            .collect()
    };
    let n = g.members.len();
    let mut what = if files.len() == n {
        super::count(n, "file")
    } else if files.is_empty() {
        super::count(n, "finding")
    } else {
        format!(
            "{} in {}",
            super::count(n, "finding"),
            super::count(files.len(), "file")
        )
    };
    if let Some(bytes) = g.exposed() {
        let _ = write!(what, " ({} exposed)", crate::text::human_bytes(bytes));
    }
    if !files.is_empty() {
        let _ = write!(what, ": {}", examples(&files));
    }
    let _ = writeln!(
        out,
        "{}{}: {}",
        style.severity(g.severity()),
        style.bold(&format!("[{}]", g.rule())),
        style.bold(&what)
    );
    let eq = style.blue("=");
    if let Some(pkg) = g.package() {
        let _ = writeln!(out, "   {eq} package: {pkg}");
    }
    if let Some(help) = g.help() {
        help_lines(out, &eq, style, help);
    }
    let _ = writeln!(out, "   {eq} note: run with -v to see each of them");
    out.push('\n');
}

/// `a, b and 28 more`; all of them when there are three or fewer.
fn examples(files: &[String]) -> String {
    const SHOWN: usize = 2;
    match files {
        [] => String::new(),
        [one] => one.clone(),
        _ if files.len() <= SHOWN + 1 => format!(
            "{} and {}",
            files[..files.len() - 1].join(", "),
            files[files.len() - 1]
        ),
        _ => format!(
            "{} and {} more",
            files[..SHOWN].join(", "),
            files.len() - SHOWN
        ),
    }
}

/// The summary line, e.g. `2 errors, 1 warning`.
pub fn summary(report: &Report) -> String {
    let n = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    format!(
        "{}, {}",
        super::count(n(Severity::Error), "error"),
        super::count(n(Severity::Warning), "warning")
    )
}

/// The summary line when warnings and notes are only counted:
/// `1 error, 42 warnings in 3 packages (HINT)`.
fn summary_with_hidden(report: &Report, hint: &str) -> String {
    let hidden: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| !f.is_blocking())
        .collect();
    if hidden.is_empty() {
        return summary(report);
    }
    let errors = report.findings.len() - hidden.len();
    let warnings = hidden
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    let notes = hidden.len() - warnings;
    let mut line = format!(
        "{}, {}",
        super::count(errors, "error"),
        super::count(warnings, "warning")
    );
    if notes > 0 {
        let _ = write!(line, " and {}", super::count(notes, "note"));
    }
    let packages: BTreeSet<&str> = hidden.iter().filter_map(|f| f.package.as_deref()).collect();
    if !packages.is_empty() {
        let _ = write!(line, " in {}", super::count(packages.len(), "package"));
    }
    let _ = write!(line, " ({hint})");
    line
}

/// The report with every string escaped for a terminal ([`super::terminal`]): file names,
/// map sources, package names and config values come from input, and a raw ESC or CR in
/// them could erase the finding that names them. Done once, before grouping, so no line
/// of the output can miss it.
fn printable(report: &Report) -> Cow<'_, Report> {
    let unsafe_text = |s: &str| s.chars().any(is_unsafe);
    let opt = |s: &Option<String>| s.as_deref().is_some_and(unsafe_text);
    let dirty = report.notes.iter().any(|n| unsafe_text(n))
        || report.findings.iter().any(|f| {
            unsafe_text(&f.rule)
                || unsafe_text(&f.message)
                || opt(&f.package)
                || opt(&f.file)
                || f.help
                    .as_deref()
                    .is_some_and(|h| h.split('\n').any(unsafe_text))
                || opt(&f.evidence)
                || opt(&f.fingerprint)
                || opt(&f.repo_path)
                || opt(&f.origin)
        });
    if !dirty {
        return Cow::Borrowed(report);
    }
    let esc = |s: &String| escape(s).into_owned();
    let esc_opt = |s: &Option<String>| s.as_ref().map(esc);
    Cow::Owned(Report {
        findings: report
            .findings
            .iter()
            .map(|f| Finding {
                rule: esc(&f.rule),
                message: esc(&f.message),
                package: esc_opt(&f.package),
                file: esc_opt(&f.file),
                // Lines of a help are separate fixes (see `help_lines`): escape within each.
                help: f.help.as_ref().map(|h| {
                    h.split('\n')
                        .map(|l| escape(l).into_owned())
                        .collect::<Vec<_>>()
                        .join("\n")
                }),
                evidence: esc_opt(&f.evidence),
                fingerprint: esc_opt(&f.fingerprint),
                repo_path: esc_opt(&f.repo_path),
                origin: esc_opt(&f.origin),
                ..f.clone()
            })
            .collect(),
        notes: report.notes.iter().map(esc).collect(),
    })
}

/// Renders a whole report: its findings (see [`Detail`]), its notes, and a summary line.
/// An empty report renders nothing, so a clean hook run with nothing to say stays silent.
/// Text from input is shown with its control and bidi characters escaped.
pub fn render(report: &Report, opts: Options) -> String {
    let report = printable(report);
    let report = report.as_ref();
    let style = Style { on: opts.color };
    let mut out = String::new();
    let entries: Vec<Entry> = match opts.detail {
        Detail::Each => group::order(&report.findings)
            .into_iter()
            .map(Entry::One)
            .collect(),
        Detail::Grouped => group::entries(&report.findings),
        Detail::Summary { .. } => group::order(&report.findings)
            .into_iter()
            .filter(|f| f.is_blocking())
            .map(Entry::One)
            .collect(),
    };
    for e in &entries {
        match e {
            Entry::One(f) => finding(&mut out, f, &style, opts),
            Entry::Group(g) => group(&mut out, g, &style),
        }
    }
    // A hook's notes (what was checked, what was skipped) are for `-v` unless it blocks (then
    // they carry the bypass): a harmless commit or push prints nothing at all.
    let notes: Vec<&String> = match opts.detail {
        Detail::Summary { .. } if !report.has_blocking() => report
            .notes
            .iter()
            .filter(|n| n.starts_with(super::UNCHECKED))
            .collect(),
        _ => report.notes.iter().collect(),
    };
    for n in &notes {
        let _ = writeln!(out, "{}: {n}", style.paint("1;36", "note"));
    }
    if report.findings.is_empty() && notes.is_empty() {
        return out;
    }
    if !notes.is_empty() {
        out.push('\n');
    }
    let line = match opts.detail {
        Detail::Summary { hint } => summary_with_hidden(report, hint),
        _ => summary(report),
    };
    let code = if report.has_blocking() {
        "1;31"
    } else if report.findings.is_empty() {
        "1;32"
    } else {
        "1;33"
    };
    let _ = writeln!(out, "{}{}", opts.prefix, style.paint(code, &line));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Report {
        Report {
            findings: vec![
                Finding::named("allow/unused", "secret token")
                    .severity(Severity::Error)
                    .package("@acme/cli")
                    .file("dist/auth.js")
                    .repo_path("packages/cli/dist/auth.js")
                    .at(12, 5)
                    .help("revoke it")
                    .evidence(b"npm_abcdefghijklmnopqrstuvwxyz0123456789"),
                Finding::named("allow/expired", "old entry").severity(Severity::Warning),
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
    fn each_line_of_a_help_is_its_own_help_and_stays_escaped() {
        let f = Finding::named("sourcemap/file", "ships a map")
            .severity(Severity::Error)
            .help("exclude it\nor rebuild \x1b[2Kit");
        let text = render(
            &Report {
                findings: vec![f],
                notes: vec![],
            },
            Options::default(),
        );
        assert!(
            text.contains("   = help: exclude it\n   = help: or rebuild \\x1b[2Kit\n"),
            "{text}"
        );
    }

    #[test]
    fn text_from_input_is_escaped_and_colour_codes_stay() {
        let evil = Finding::named("secret/github-token", "token in a\x1b[2K\rclean.js")
            .severity(Severity::Error)
            .package("p\u{202e}kg")
            .file("a\x1b[2K\rclean.js")
            .at(1, 1)
            .help("rename \u{2066}it");
        let report = Report {
            findings: vec![evil],
            notes: vec!["skipped \x07bell".into()],
        };
        let text = render(
            &report,
            Options {
                color: true,
                ..Options::default()
            },
        );
        assert!(!text.contains('\r') && !text.contains('\x07'), "{text:?}");
        assert!(!text.contains("\x1b[2K"), "{text:?}");
        assert!(
            !text.contains('\u{202e}') && !text.contains('\u{2066}'),
            "{text:?}"
        );
        assert!(text.contains(r"a\x1b[2K\rclean.js:1:1"), "{text}");
        assert!(
            text.contains(r"p\u{202e}kg") && text.contains(r"\x07bell"),
            "{text}"
        );
        // leakgate's own colours still work.
        assert!(text.contains("\x1b[1;31merror\x1b[0m"), "{text:?}");
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
        let f = Finding::named("x/y", "m")
            .file("a.js.map!src/b.ts")
            .at(3, 1);
        assert_eq!(location(&f).as_deref(), Some("a.js.map!src/b.ts:3:1"));
        assert_eq!(location(&Finding::named("x/y", "m")), None);
    }

    #[test]
    fn embedded_files_keep_their_inner_name_next_to_the_repo_path() {
        let f = Finding::named("x/y", "m")
            .file("dist/a.js.map!src/b.ts")
            .repo_path("pkg/dist/a.js.map")
            .at(12, 5);
        assert_eq!(
            location(&f).as_deref(),
            Some("pkg/dist/a.js.map!src/b.ts:12:5")
        );
    }

    /// An open-source package shipping `n` maps with sources: two warnings per map.
    fn open_source_maps(n: usize) -> Vec<Finding> {
        let mut out = Vec::new();
        for i in 0..n {
            let map = format!("dist/m{i:02}.js.map");
            out.push(
                Finding::named(
                    "sourcemap/sources-content",
                    format!("{map} embeds 1 source"),
                )
                .severity(Severity::Warning)
                .package("capycli")
                .file(&map)
                .help("open-source package: don't ship the map")
                .exposes(100),
            );
            out.push(
                Finding::named("sourcemap/file", format!("{map} ships a source map"))
                    .severity(Severity::Warning)
                    .package("capycli")
                    .file(&map)
                    .help("exclude maps"),
            );
        }
        out
    }

    fn secret_error() -> Finding {
        Finding::named("secret/npm-token", "npm access token in a shipped file")
            .severity(Severity::Error)
            .package("capycli")
            .file("dist/zz.js")
            .at(3, 9)
            .help("revoke it")
    }

    const HINT: Detail = Detail::Summary {
        hint: "run with -v to see them",
    };

    fn with(detail: Detail) -> Options {
        Options {
            detail,
            ..Options::default()
        }
    }

    #[test]
    fn many_warnings_of_one_rule_print_as_one_group_with_examples() {
        let report = Report {
            findings: open_source_maps(30),
            notes: vec![],
        };
        let text = render(&report, Options::default());
        assert!(
            text.contains(
                "warning[sourcemap/sources-content]: 30 files (3.0 kB exposed): \
                 dist/m00.js.map, dist/m01.js.map and 28 more\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "warning[sourcemap/file]: 30 files: dist/m00.js.map, dist/m01.js.map and 28 more\n"
            ),
            "{text}"
        );
        assert_eq!(
            text.matches("= help: open-source package").count(),
            1,
            "{text}"
        );
        assert_eq!(text.matches("= help: exclude maps").count(), 1, "{text}");
        assert!(!text.contains("-->"), "no per-file lines: {text}");
        assert!(!text.contains("dist/m17.js.map"), "{text}");
        assert!(text.contains("run with -v to see each of them"), "{text}");
        assert!(text.trim_end().ends_with("0 errors, 60 warnings"), "{text}");
        // `-v`: every map, each with its own location.
        let each = render(&report, with(Detail::Each));
        for i in 0..30 {
            assert!(
                each.contains(&format!("  --> dist/m{i:02}.js.map\n")),
                "{each}"
            );
        }
        assert_eq!(each.matches("= help: exclude maps").count(), 30);
    }

    #[test]
    fn a_few_findings_print_one_by_one_as_before() {
        let report = Report {
            findings: open_source_maps(3),
            notes: vec![],
        };
        let text = render(&report, Options::default());
        assert_eq!(text.matches("  --> dist/m").count(), 6, "{text}");
        assert!(!text.contains("run with -v"), "{text}");
    }

    #[test]
    fn errors_print_first_and_in_full() {
        let mut findings = open_source_maps(12);
        findings.push(secret_error());
        let report = Report {
            findings,
            notes: vec![],
        };
        for opts in [Options::default(), with(Detail::Each), with(HINT)] {
            let text = render(&report, opts);
            let error = text.find("error[secret/npm-token]").expect(&text);
            assert!(text.contains("  --> dist/zz.js:3:9\n"), "{text}");
            if let Some(warning) = text.find("warning[") {
                assert!(error < warning, "{text}");
            }
        }
    }

    #[test]
    fn hook_summary_counts_warnings_in_one_line_and_never_hides_errors() {
        let mut findings = open_source_maps(12);
        findings.extend(open_source_maps(1).into_iter().map(|f| f.package("other")));
        findings.push(secret_error());
        let report = Report {
            findings,
            notes: vec!["checked 1 pushed commit".into()],
        };
        let text = render(
            &report,
            Options {
                prefix: "leakgate: ",
                ..with(HINT)
            },
        );
        assert!(!text.contains("warning["), "{text}");
        assert!(!text.contains("dist/m00.js.map"), "{text}");
        assert!(text.contains("error[secret/npm-token]"), "{text}");
        assert!(text.contains("   = help: revoke it\n"), "{text}");
        // A blocked hook keeps its notes (the bypass is one); a clean one prints none.
        assert!(text.contains("note: checked 1 pushed commit\n"), "{text}");
        let last = text.lines().last().unwrap();
        assert_eq!(
            last,
            "leakgate: 1 error, 26 warnings in 2 packages (run with -v to see them)"
        );
        assert_eq!(
            text.lines().filter(|l| l.contains("warnings")).count(),
            1,
            "{text}"
        );
        // Nothing hidden: the plain summary.
        let report = Report {
            findings: vec![secret_error()],
            notes: vec![],
        };
        let text = render(&report, with(HINT));
        assert_eq!(text.lines().last(), Some("1 error, 0 warnings"), "{text}");
    }

    #[test]
    fn a_clean_hook_run_prints_nothing() {
        let report = Report {
            findings: vec![],
            notes: vec!["checked 1 pushed commit touching 2 paths".into()],
        };
        assert_eq!(render(&report, with(HINT)), "");
    }

    #[test]
    fn a_run_with_only_notes_still_ends_with_a_summary() {
        let report = Report {
            findings: vec![],
            notes: vec!["audited ok@1.0.0 (ok-1.0.0.tgz): 2 files, 100 B".into()],
        };
        let text = render(&report, Options::default());
        assert_eq!(text.lines().last(), Some("0 errors, 0 warnings"), "{text}");
    }

    #[test]
    fn group_examples() {
        let s = |v: &[&str]| examples(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(s(&["a"]), "a");
        assert_eq!(s(&["a", "b"]), "a and b");
        assert_eq!(s(&["a", "b", "c"]), "a, b and c");
        assert_eq!(s(&["a", "b", "c", "d"]), "a, b and 2 more");
    }

    #[test]
    fn a_group_of_findings_in_fewer_files_says_so() {
        let findings: Vec<Finding> = (1..=5)
            .map(|line| {
                Finding::named("secret/generic-secret", "m")
                    .severity(Severity::Warning)
                    .package("p")
                    .file(if line < 4 { "a.js" } else { "b.js" })
                    .at(line, 1)
            })
            .collect();
        let text = render(
            &Report {
                findings,
                notes: vec![],
            },
            Options::default(),
        );
        assert!(
            text.contains("warning[secret/generic-secret]: 5 findings in 2 files: a.js and b.js\n"),
            "{text}"
        );
    }
}
