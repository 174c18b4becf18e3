//! The order human output prints findings in, and which of them it prints as one group.
//!
//! Pure functions over findings: no config, no I/O, no knowledge of who raised what. Only
//! the human renderer uses them; JSON and SARIF keep every finding on its own.

use super::{Finding, Severity};
use std::cmp::Reverse;
use std::collections::HashMap;

/// A rule with more than this many warnings (or notes) in one package prints them as one
/// group. Up to three full diagnostics still read as separate problems, each with its own
/// location and help; past that the same help repeated buries the rest of the output (an
/// open-source package shipping 150 maps printed 300 warnings on every push, with the one
/// real error somewhere inside).
pub const GROUP_OVER: usize = 3;

/// One thing the human renderer prints.
#[derive(Debug)]
pub enum Entry<'a> {
    /// A finding on its own, in full.
    One(&'a Finding),
    /// More than [`GROUP_OVER`] findings of one rule and severity in one package.
    Group(Group<'a>),
}

/// Findings of one rule, one severity and one package, printed as one diagnostic.
#[derive(Debug)]
pub struct Group<'a> {
    /// The findings, in [`order`] (never empty).
    pub members: Vec<&'a Finding>,
}

impl<'a> Group<'a> {
    fn first(&self) -> &'a Finding {
        self.members[0]
    }

    /// The members' rule.
    pub fn rule(&self) -> &'a str {
        &self.first().rule
    }

    /// The members' severity.
    pub fn severity(&self) -> Severity {
        self.first().severity
    }

    /// The members' package.
    pub fn package(&self) -> Option<&'a str> {
        self.first().package.as_deref()
    }

    /// The bytes the members expose in all, when any of them has that measure.
    pub fn exposed(&self) -> Option<u64> {
        self.members
            .iter()
            .filter_map(|f| f.exposed)
            .reduce(|a, b| a.saturating_add(b))
    }

    /// The help, printed once: the members' own when they agree (one package's findings of
    /// one rule usually do), else the rule's fix from the registry, else the first member's.
    pub fn help(&self) -> Option<&'a str> {
        let first = self.first().help.as_deref();
        if self.members.iter().all(|f| f.help.as_deref() == first) {
            return first;
        }
        crate::rules::find(self.rule())
            .map(|r| r.fix)
            .or(first)
            .or_else(|| self.members.iter().find_map(|f| f.help.as_deref()))
    }
}

/// The order findings print in: errors, then warnings, then notes. Errors that measure what
/// they expose come first, biggest first, so the leak that matters most is read first;
/// everything else goes by package, file, line, column and rule. The sort is stable, so
/// findings equal on all of these keep the order the checks gave them.
pub fn order(findings: &[Finding]) -> Vec<&Finding> {
    let mut out: Vec<&Finding> = findings.iter().collect();
    out.sort_by_cached_key(|f| {
        let exposure = match (f.severity, f.exposed) {
            (Severity::Error, Some(bytes)) => (false, Reverse(bytes)),
            (Severity::Error, None) => (true, Reverse(0)),
            // Warnings and notes stay together by package: no measure orders them.
            _ => (false, Reverse(0)),
        };
        (
            Reverse(f.severity),
            exposure,
            f.package.clone(),
            f.repo_path.clone().or_else(|| f.file.clone()),
            f.line,
            f.column,
            f.rule.clone(),
        )
    });
    out
}

/// What groups findings: severity, package and rule.
type Key<'a> = (Severity, Option<&'a str>, &'a str);

fn key(f: &Finding) -> Key<'_> {
    (f.severity, f.package.as_deref(), f.rule.as_str())
}

/// The findings as human output prints them, in [`order`]: a rule with more than
/// [`GROUP_OVER`] warnings (or notes) in one package becomes one [`Group`] where its first
/// member would print; everything else prints on its own. Errors are never grouped: each
/// one blocks, and whoever unblocks needs every location (and fingerprint) to fix or allow.
pub fn entries(findings: &[Finding]) -> Vec<Entry<'_>> {
    let ordered = order(findings);
    let mut sizes: HashMap<Key, usize> = HashMap::new();
    for f in ordered.iter().filter(|f| !f.is_blocking()) {
        *sizes.entry(key(f)).or_default() += 1;
    }
    let mut out: Vec<Entry> = Vec::new();
    let mut at: HashMap<Key, usize> = HashMap::new();
    for f in ordered {
        let k = key(f);
        if f.is_blocking() || sizes[&k] <= GROUP_OVER {
            out.push(Entry::One(f));
        } else if let Some(&i) = at.get(&k) {
            if let Entry::Group(g) = &mut out[i] {
                g.members.push(f);
            }
        } else {
            at.insert(k, out.len());
            out.push(Entry::Group(Group { members: vec![f] }));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warning(rule: &str, package: &str, file: &str) -> Finding {
        Finding::named(rule, format!("{file}: m"))
            .severity(Severity::Warning)
            .package(package)
            .file(file)
            .help("fix it")
    }

    fn maps(rule: &str, package: &str, n: usize) -> Vec<Finding> {
        (0..n)
            .map(|i| warning(rule, package, &format!("dist/m{i:02}.js.map")))
            .collect()
    }

    fn groups<'a>(entries: &'a [Entry<'a>]) -> Vec<&'a Group<'a>> {
        entries
            .iter()
            .filter_map(|e| match e {
                Entry::Group(g) => Some(g),
                Entry::One(_) => None,
            })
            .collect()
    }

    #[test]
    fn thirty_findings_of_one_rule_in_one_package_are_one_group() {
        let findings = maps("sourcemap/sources-content", "capycli", 30);
        let entries = entries(&findings);
        assert_eq!(entries.len(), 1, "{entries:#?}");
        let g = groups(&entries)[0];
        assert_eq!(g.members.len(), 30);
        assert_eq!(g.rule(), "sourcemap/sources-content");
        assert_eq!(g.package(), Some("capycli"));
        assert_eq!(g.help(), Some("fix it"));
        assert_eq!(g.members[0].file.as_deref(), Some("dist/m00.js.map"));
    }

    #[test]
    fn the_threshold_is_more_than_group_over() {
        let findings = maps("sourcemap/file", "capycli", GROUP_OVER);
        assert!(groups(&entries(&findings)).is_empty());
        let findings = maps("sourcemap/file", "capycli", GROUP_OVER + 1);
        assert_eq!(groups(&entries(&findings)).len(), 1);
    }

    #[test]
    fn the_same_count_over_two_packages_or_two_rules_is_not_merged() {
        // 30 split over two packages: two groups of 15, never one of 30.
        let mut findings = maps("sourcemap/file", "a", 15);
        findings.extend(maps("sourcemap/file", "b", 15));
        let e = entries(&findings);
        let g = groups(&e);
        assert_eq!(g.len(), 2, "{e:#?}");
        assert!(g.iter().all(|g| g.members.len() == 15));
        assert_eq!((g[0].package(), g[1].package()), (Some("a"), Some("b")));
        // 30 split over two rules in one package: two groups as well.
        let mut findings = maps("sourcemap/file", "a", 15);
        findings.extend(maps("sourcemap/sources-content", "a", 15));
        let e = entries(&findings);
        let g = groups(&e);
        assert_eq!(g.len(), 2, "{e:#?}");
        assert_ne!(g[0].rule(), g[1].rule());
        // And 4 split 2 + 2 is under the threshold on each side: no group at all.
        let mut findings = maps("sourcemap/file", "a", 2);
        findings.extend(maps("sourcemap/file", "b", 2));
        let e = entries(&findings);
        assert!(groups(&e).is_empty(), "{e:#?}");
        assert_eq!(e.len(), 4);
    }

    #[test]
    fn errors_are_never_grouped_and_print_before_warnings() {
        let mut findings = maps("sourcemap/file", "a", 10);
        findings.extend(
            maps("sourcemap/sources-content", "a", 10)
                .into_iter()
                .map(|f| f.severity(Severity::Error)),
        );
        findings.push(warning("file/sources", "a", "src/x.ts").severity(Severity::Note));
        let e = entries(&findings);
        assert_eq!(e.len(), 10 + 1 + 1, "{e:#?}");
        for entry in &e[..10] {
            assert!(
                matches!(entry, Entry::One(f) if f.severity == Severity::Error),
                "{entry:#?}"
            );
        }
        assert!(matches!(&e[10], Entry::Group(g) if g.severity() == Severity::Warning));
        assert!(matches!(&e[11], Entry::One(f) if f.severity == Severity::Note));
    }

    #[test]
    fn biggest_exposure_first_among_errors_then_package_and_file() {
        let error = |pkg: &str, file: &str| {
            Finding::named("x/y", "m")
                .severity(Severity::Error)
                .package(pkg)
                .file(file)
        };
        let findings = vec![
            error("b", "z.js"),
            error("a", "small.map").exposes(10),
            error("a", "y.js"),
            error("c", "big.map").exposes(5_000),
            warning("w/w", "a", "a.js").exposes(1_000_000),
        ];
        let files: Vec<&str> = order(&findings)
            .iter()
            .map(|f| f.file.as_deref().unwrap())
            .collect();
        assert_eq!(files, ["big.map", "small.map", "y.js", "z.js", "a.js"]);
    }

    #[test]
    fn a_group_sums_exposure_and_falls_back_to_the_rules_help() {
        let mut findings = maps("sourcemap/file", "a", 4);
        findings[0] = findings[0].clone().exposes(3);
        findings[1] = findings[1].clone().exposes(4).help("another help");
        let e = entries(&findings);
        let g = groups(&e)[0];
        assert_eq!(g.exposed(), Some(7));
        let fix = crate::rules::find("sourcemap/file").unwrap().fix;
        assert_eq!(g.help(), Some(fix), "members disagree: the rule's own fix");
        let same = maps("sourcemap/file", "a", 4);
        let e = entries(&same);
        assert_eq!(groups(&e)[0].exposed(), None);
    }
}
