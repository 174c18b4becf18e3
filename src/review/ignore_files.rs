//! `ignore-file/*`: edits of the .npmignore/.gitignore files npm reads.
//!
//! npm reads, per directory, `.npmignore` if present, else `.gitignore` (an empty
//! .npmignore still wins), and neither at the package root when package.json has `files`
//! (`docs/npm-pack-rules.md` §2). The review compares what HEAD's rules and the
//! staged rules keep out, on sample paths of each risky kind (maps, sources, env files,
//! keys), so a reordered or rewritten file is judged by its effect, not by its text.

use super::risky::{flips, line_matches, Rules};
use super::{file_name, parent_dir, PackageCtx, StagedReader};
use crate::report::{Finding, Severity};

/// Reviews an ignore-file edit at `path` (`old` = HEAD's text, `new` = the staged text).
pub fn review(
    path: &str,
    old: Option<&str>,
    new: Option<&str>,
    pkg: &PackageCtx,
    staged: StagedReader<'_>,
) -> Vec<Finding> {
    if pkg.private {
        return Vec::new();
    }
    let dir = parent_dir(path);
    // At the package root, `files` makes npm skip the root ignore files entirely.
    if dir == pkg.dir && pkg.has_files {
        return Vec::new();
    }
    let sibling = |name: &str| staged(&crate::snapshot::join(dir, name));
    match file_name(path) {
        ".npmignore" => match (old, new) {
            (Some(old), None) => deleted(path, old, sibling(".gitignore").as_deref(), pkg),
            (None, Some(new)) => match sibling(".gitignore") {
                Some(gi) => over_gitignore(path, &gi, new, pkg),
                None => Vec::new(),
            },
            (Some(old), Some(new)) => compare(path, old, new, pkg),
            (None, None) => Vec::new(),
        },
        ".gitignore" => {
            // A .gitignore npm doesn't read (an .npmignore sits beside it) changes nothing.
            if sibling(".npmignore").is_some() {
                return Vec::new();
            }
            compare(path, old.unwrap_or(""), new.unwrap_or(""), pkg)
        }
        _ => Vec::new(),
    }
}

/// Meaningful lines (no blanks, no comments) with their 1-based line numbers.
fn lines(text: &str) -> Vec<(usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end()))
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .collect()
}

fn compare(path: &str, old: &str, new: &str, pkg: &PackageCtx) -> Vec<Finding> {
    let flipped = flips(&Rules::new(old), &Rules::new(new));
    if flipped.is_empty() {
        return Vec::new();
    }
    let old_lines = lines(old);
    let new_lines = lines(new);
    let added_negations: Vec<(usize, &str)> = new_lines
        .iter()
        .filter(|(_, l)| l.starts_with('!') && !old_lines.iter().any(|(_, o)| o == l))
        .copied()
        .collect();
    let removed: Vec<(usize, &str)> = old_lines
        .iter()
        .filter(|(_, l)| !new_lines.iter().any(|(_, n)| n == l))
        .copied()
        .collect();
    let kind = file_name(path);
    let mut out = Vec::new();
    let mut reported_neg: Vec<usize> = Vec::new();
    let mut reported_rm: Vec<usize> = Vec::new();
    let mut leftover: Vec<&str> = Vec::new();
    for (cat, sample, is_dir) in &flipped {
        if let Some((n, line)) = added_negations
            .iter()
            .find(|(_, l)| line_matches(&l[1..], sample, *is_dir))
        {
            if !reported_neg.contains(n) {
                reported_neg.push(*n);
                out.push(
                    pkg.finding(
                        &crate::review::IGNORE_FILE_REINCLUDE,
                        path,
                        format!("`{line}` re-includes {cat} that an earlier line kept out"),
                    )
                    .at(*n as u32, 1)
                    .help(format!("remove `{line}` from {kind}")),
                );
            }
            continue;
        }
        let culprits: Vec<&(usize, &str)> = removed
            .iter()
            .filter(|(_, l)| !l.starts_with('!') && line_matches(l, sample, *is_dir))
            .collect();
        if culprits.is_empty() {
            leftover.push(cat);
        }
        for (n, line) in culprits {
            if reported_rm.contains(n) {
                continue;
            }
            reported_rm.push(*n);
            out.push(
                pkg.finding(
                    &crate::review::IGNORE_FILE_PROTECTION_REMOVED,
                    path,
                    format!(
                        "`{line}` (line {n} of HEAD's {kind}) was removed: {cat} are publishable again"
                    ),
                )
                .help(format!("restore the line `{line}` in {kind}")),
            );
        }
    }
    leftover.dedup();
    if out.is_empty() && !leftover.is_empty() {
        // The rules changed shape (a rewritten pattern): say what got in.
        out.push(
            pkg.finding(
                &crate::review::IGNORE_FILE_PROTECTION_REMOVED,
                path,
                format!("{kind} no longer keeps out {}", leftover.join(", ")),
            )
            .help(format!(
                "exclude them again in {kind} (e.g. `*.map`, `.env*`)"
            )),
        );
    }
    out
}

fn deleted(path: &str, old: &str, gitignore: Option<&str>, pkg: &PackageCtx) -> Vec<Finding> {
    let after = Rules::new(gitignore.unwrap_or(""));
    let flipped = flips(&Rules::new(old), &after);
    let mut cats: Vec<&str> = flipped.iter().map(|f| f.0).collect();
    cats.dedup();
    let fallback = if gitignore.is_some() {
        "npm falls back to the .gitignore beside it"
    } else {
        "nothing excludes files in that directory any more"
    };
    let (sev, tail) = if cats.is_empty() {
        (Severity::Warning, String::new())
    } else {
        (
            pkg.severity(),
            format!("; {} are publishable again", cats.join(", ")),
        )
    };
    vec![pkg
        .finding(
            &crate::review::IGNORE_FILE_NPMIGNORE_DELETED,
            path,
            format!("{path} deleted: {fallback}{tail}"),
        )
        .severity(sev)
        .help("keep the .npmignore, or add a `files` allow-list to package.json first")]
}

fn over_gitignore(path: &str, gitignore: &str, new: &str, pkg: &PackageCtx) -> Vec<Finding> {
    let new_lines = lines(new);
    let dropped: Vec<&str> = lines(gitignore)
        .into_iter()
        .map(|(_, l)| l)
        .filter(|l| !new_lines.iter().any(|(_, n)| n == l))
        .collect();
    if dropped.is_empty() {
        return Vec::new();
    }
    let flipped = flips(&Rules::new(gitignore), &Rules::new(new));
    let mut cats: Vec<&str> = flipped.iter().map(|f| f.0).collect();
    cats.dedup();
    let sev = if cats.is_empty() {
        Severity::Warning
    } else {
        pkg.severity()
    };
    let shown: Vec<String> = dropped.iter().take(8).map(|l| format!("`{l}`")).collect();
    let more = if dropped.len() > 8 {
        format!(" and {} more", dropped.len() - 8)
    } else {
        String::new()
    };
    let what = if cats.is_empty() {
        String::new()
    } else {
        format!(" ({} become publishable)", cats.join(", "))
    };
    let empty = if new_lines.is_empty() {
        "an empty "
    } else {
        "a new "
    };
    vec![pkg
        .finding(
            &crate::review::IGNORE_FILE_NPMIGNORE_OVER_GITIGNORE,
            path,
            format!(
                "{empty}{path} makes npm ignore the .gitignore beside it, which kept out {}{more}{what}",
                shown.join(", ")
            ),
        )
        .severity(sev)
        .at(1, 1)
        .help("copy those .gitignore lines into the new .npmignore, or use `files` in package.json")]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Visibility;

    fn ctx(has_files: bool) -> PackageCtx {
        PackageCtx {
            dir: String::new(),
            name: Some("@acme/cli".into()),
            private: false,
            visibility: Visibility::Proprietary,
            has_files,
        }
    }

    fn none(_: &str) -> Option<String> {
        None
    }

    fn ids(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|f| f.rule.as_str()).collect()
    }

    #[test]
    fn removed_map_line_hit_and_added_map_line_near_miss() {
        let old = "node_modules\n*.map\n.env\n";
        let new = "node_modules\n.env\n";
        let f = review(".npmignore", Some(old), Some(new), &ctx(false), &none);
        assert_eq!(ids(&f), vec!["ignore-file/protection-removed"]);
        assert!(f[0].message.contains("line 2"), "{}", f[0].message);
        assert_eq!(f[0].severity, Severity::Error);
        assert!(review(".npmignore", Some(new), Some(old), &ctx(false), &none).is_empty());
    }

    #[test]
    fn negation_reinclude_hit_and_unrelated_negation_near_miss() {
        let old = "*.map\n";
        let new = "*.map\n!dist/*.map\n";
        let f = review("pkg/.npmignore", Some(old), Some(new), &ctx(false), &none);
        assert_eq!(ids(&f), vec!["ignore-file/reinclude"]);
        assert_eq!(f[0].line, Some(2));
        let benign = "*.map\n!README.md\n";
        assert!(review(".npmignore", Some(old), Some(benign), &ctx(false), &none).is_empty());
    }

    #[test]
    fn root_ignore_files_do_not_count_with_files_field() {
        let f = review(".npmignore", Some("*.map\n"), Some(""), &ctx(true), &none);
        assert!(f.is_empty());
    }

    #[test]
    fn gitignore_counts_only_without_npmignore() {
        let f = review(
            "lib/.gitignore",
            Some(".env\n"),
            Some(""),
            &ctx(true),
            &none,
        );
        assert_eq!(ids(&f), vec!["ignore-file/protection-removed"]);
        let with_npmignore = |p: &str| (p == "lib/.npmignore").then(String::new);
        let f = review(
            "lib/.gitignore",
            Some(".env\n"),
            Some(""),
            &ctx(true),
            &with_npmignore,
        );
        assert!(f.is_empty());
    }

    #[test]
    fn npmignore_deleted_hit_and_severity() {
        let f = review(".npmignore", Some("*.map\n"), None, &ctx(false), &none);
        assert_eq!(ids(&f), vec!["ignore-file/npmignore-deleted"]);
        assert_eq!(f[0].severity, Severity::Error);
        let gi = |p: &str| (p == ".gitignore").then(|| "*.map\n".to_string());
        let f = review(".npmignore", Some("*.map\n"), None, &ctx(false), &gi);
        assert_eq!(f[0].severity, Severity::Warning);
    }

    #[test]
    fn empty_npmignore_over_gitignore_hit_and_copy_near_miss() {
        let gi = |p: &str| (p == "packages/a/.gitignore").then(|| ".env\ndist/\n".to_string());
        let f = review("packages/a/.npmignore", None, Some(""), &ctx(false), &gi);
        assert_eq!(ids(&f), vec!["ignore-file/npmignore-over-gitignore"]);
        assert!(f[0].message.contains("`.env`"));
        assert_eq!(f[0].severity, Severity::Error);
        let f = review(
            "packages/a/.npmignore",
            None,
            Some(".env\ndist/\n"),
            &ctx(false),
            &gi,
        );
        assert!(f.is_empty());
    }
}
