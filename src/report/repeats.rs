//! Repeated hits of one rule in one file, folded into one finding with a count.
//!
//! A codename used nine times in a bundle is one problem with nine places, not nine problems:
//! printed nine times with the same help, it pushed a 20-source map leak to the end of the
//! output. Only hits that are the same thing are folded: same rule, severity, package, file
//! and fingerprint (the same matched bytes). Two different tokens in one file stay two
//! findings, each with its own fingerprint to allow or revoke.

use super::Finding;
use std::collections::HashMap;

/// What makes two findings the same hit at different places.
type Key = (
    String,
    super::Severity,
    Option<String>,
    Option<String>,
    String,
);

fn key(f: &Finding) -> Option<Key> {
    let fingerprint = f.fingerprint.clone()?;
    // A finding without a place can't be "the same hit somewhere else".
    f.line?;
    Some((
        f.rule.clone(),
        f.severity,
        f.package.clone(),
        f.repo_path.clone().or_else(|| f.file.clone()),
        fingerprint,
    ))
}

/// Folds repeated hits: the first place (by line, then column) keeps the finding and the
/// others go to its [`Finding::also_at`]. Everything else keeps its order. Run it after
/// allow entries are applied, so an entry that allows one place still allows just that one.
pub fn fold(findings: Vec<Finding>) -> Vec<Finding> {
    let mut first: HashMap<Key, usize> = HashMap::new();
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    for f in findings {
        let Some(k) = key(&f) else {
            out.push(f);
            continue;
        };
        match first.get(&k) {
            Some(&i) => {
                let kept = &mut out[i];
                let here = (f.line.unwrap_or(0), f.column.unwrap_or(0));
                let there = (kept.line.unwrap_or(0), kept.column.unwrap_or(0));
                if here < there {
                    kept.also_at.push(there);
                    kept.line = f.line;
                    kept.column = f.column;
                } else {
                    kept.also_at.push(here);
                }
                kept.also_at.extend(f.also_at);
            }
            None => {
                first.insert(k, out.len());
                out.push(f);
            }
        }
    }
    for f in &mut out {
        f.also_at.sort_unstable();
        f.also_at.dedup();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Severity;

    fn hit(line: u32, bytes: &[u8]) -> Finding {
        Finding::named("codename", "internal codename in dist/a.js")
            .severity(Severity::Error)
            .package("pkg")
            .file("dist/a.js")
            .at(line, 4)
            .evidence(bytes)
    }

    #[test]
    fn same_bytes_in_one_file_are_one_finding_with_every_place() {
        let folded = fold(vec![hit(9, b"Tengu"), hit(2, b"Tengu"), hit(5, b"Tengu")]);
        assert_eq!(folded.len(), 1);
        assert_eq!(folded[0].line, Some(2), "the first place leads");
        assert_eq!(folded[0].also_at, vec![(5, 4), (9, 4)]);
        assert_eq!(folded[0].occurrences(), 3);
    }

    #[test]
    fn different_bytes_files_or_rules_stay_apart() {
        let other_file = hit(3, b"Tengu").file("dist/b.js");
        let other_rule = Finding {
            rule: "secret/generic-secret".into(),
            ..hit(4, b"Tengu")
        };
        let folded = fold(vec![
            hit(1, b"Tengu"),
            hit(2, b"Kappa"),
            other_file,
            other_rule,
        ]);
        assert_eq!(folded.len(), 4);
        assert!(folded.iter().all(|f| f.also_at.is_empty()));
    }

    #[test]
    fn findings_without_a_place_or_fingerprint_are_left_alone() {
        let no_place = Finding::named("codename", "in the file name").evidence(b"Tengu");
        let no_print = Finding::named("sourcemap/file", "a map")
            .file("a.map")
            .at(1, 1);
        let folded = fold(vec![no_place.clone(), no_place, no_print.clone(), no_print]);
        assert_eq!(folded.len(), 4);
    }
}
