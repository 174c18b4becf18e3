//! The packages of a repository, audited: which ones (every package, or those named),
//! which npm would never publish (skipped with a note), and each one's findings. The
//! audit, the pre-push hook and `leakgate fix` share it.

use super::{audit_package, package_label, AuditError, Checks};
use crate::config::Config;
use crate::packlist::{self, PackOptions};
use crate::report::Report;
use crate::snapshot::Snapshot;
use crate::workspace::{show_dir as show, DiscoverError, Package, Unpublishable};

/// Audits `packages` of `snapshot` into `report` (findings not yet filtered by the config).
/// A package npm would never publish (no name or version, a package.json that doesn't
/// parse, `private`) is skipped with a note; a private one named in `explicit` is audited
/// anyway (npm can pack it).
pub fn audit_packages(
    snapshot: &dyn Snapshot,
    packages: &[Package],
    explicit: &[String],
    config: &Config,
    checks: &Checks,
    report: &mut Report,
) -> Result<(), AuditError> {
    let mut skipped: Vec<String> = Vec::new();
    // Judge what the repository's publisher would ship (`[publish] tool`, else detected).
    let (publisher, source) =
        packlist::publisher::for_repository(snapshot, "", config.publish.tool);
    if !packages.is_empty() {
        report
            .notes
            .push(packlist::publisher::describe(publisher, &source));
    }
    let options = PackOptions {
        publisher,
        ..PackOptions::default()
    };
    // What another tool would ship instead (`pack/publisher-differs`): npm when the
    // repository publishes with another tool, or the detected tool when the config says npm.
    let detected = match source {
        packlist::publisher::Source::Config => packlist::publisher::detect(snapshot, "").0,
        _ => publisher,
    };
    let counterpart = super::parity::counterpart(publisher, detected);
    for package in packages {
        let dir = &package.dir;
        if config.skips(package.name.as_deref(), dir) {
            report.notes.push(format!(
                "skipped {} ([[package]] skip = true)",
                package.label()
            ));
            continue;
        }
        // A directory named on the command line is audited if npm can pack it at all.
        let why = if explicit.contains(dir) {
            package.unpackable()
        } else {
            package.unpublishable()
        };
        if let Some(why) = why {
            let hint = if why == Unpublishable::Private && package.packable() {
                " (name its directory to audit it anyway)"
            } else {
                ""
            };
            skipped.push(match &package.name {
                Some(name) => format!("{name} ({}): {why}{hint}", show(dir)),
                None => format!("{}: {why}{hint}", show(dir)),
            });
            continue;
        }
        let packlist = packlist::pack(snapshot, dir, &options)?;
        let mut findings = audit_package(snapshot, &packlist, config, checks)?;
        if let Some(other) = counterpart {
            findings.extend(super::parity::check(
                snapshot, &packlist, &findings, other, config, checks,
            )?);
        }
        report.notes.push(format!(
            "audited {} ({}): {}, {}",
            package_label(&packlist),
            show(dir),
            crate::report::count(packlist.files.len(), "file"),
            crate::text::human_bytes(packlist.total_size())
        ));
        report.findings.extend(findings);
    }
    report.notes.extend(skipped_notes(skipped));
    Ok(())
}

/// Skipped packages listed one by one up to this many; past it, one line says how many.
/// A monorepo's private apps, examples and fixtures number in the hundreds.
const SKIPPED_LISTED: usize = 3;

fn skipped_notes(skipped: Vec<String>) -> Vec<String> {
    if skipped.len() <= SKIPPED_LISTED {
        return skipped
            .into_iter()
            .map(|s| format!("skipped {s}"))
            .collect();
    }
    let first: Vec<&str> = skipped
        .iter()
        .take(SKIPPED_LISTED)
        .map(|s| s.split([' ', ':']).next().unwrap_or(s))
        .collect();
    vec![format!(
        "skipped {} packages npm would never publish (private, or no name or version): {} and {} more",
        skipped.len(),
        first.join(", "),
        skipped.len() - SKIPPED_LISTED
    )]
}

/// Every package of the repository (the root and its workspaces, see
/// [`crate::workspace::discover`]). Names that several packages share are a note: npm
/// refuses such a workspace set, and leakgate judges each package by its directory.
pub fn discover(
    snapshot: &dyn Snapshot,
    report: &mut Report,
) -> Result<Vec<Package>, DiscoverError> {
    let packages = crate::workspace::discover(snapshot)?;
    for (name, dirs) in crate::workspace::duplicate_names(&packages) {
        report.notes.push(format!(
            "{} packages are named `{name}` ({}): npm refuses a workspace set with duplicate \
             names; each is judged by its directory",
            dirs.len(),
            dirs.iter().map(|d| show(d)).collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(packages)
}
