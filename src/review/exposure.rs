//! `commit/exposes-files`: the files a commit makes publishable.
//!
//! For every package whose package.json or ignore files (at any depth) are staged, the
//! packlist is computed twice over the same working tree: once with the base's versions
//! of those files (HEAD's, or HEAD^'s for an amend) and once with the staged versions
//! (two [`Overlay`]s over the [`Worktree`]). What the staged list adds is what this commit
//! makes publishable; each added file is judged by the audit's content rules (maps with
//! sources, denied files, secrets, codenames).
//!
//! Only touched packages are packed, and a package.json edit that changes none of the
//! fields npm's file selection reads (a version bump) packs nothing at all.

use super::probes::Probes;
use super::staged::{Ctx, Options, StagedError, StagedReview};
use super::{file_name, parent_dir, PackageCtx};
use crate::checks::secrets::{is_binary, Scanner};
use crate::checks::sourcemap::scan;
use crate::checks::{codename, own_files};
use crate::config::Visibility;
use crate::packlist::{self, PackOptions, PackedFile, PacklistError};
use crate::report::{Finding, Severity};
use crate::snapshot::{ChangeStatus, Overlay, Replacement, Snapshot, Worktree};
use crate::text::{human_bytes, thousands};
use std::collections::{BTreeMap, BTreeSet};

/// package.json fields npm's file selection reads (docs/npm-pack-rules.md §4–§8).
const PACKLIST_FIELDS: &[&str] = &[
    "files",
    "main",
    "bin",
    "browser",
    "directories",
    "bundleDependencies",
    "bundledDependencies",
    "dependencies",
    "optionalDependencies",
    "devDependencies",
    "workspaces",
    "name",
    "version",
];

/// Files judged by content only up to this size (a bigger one is still listed by size).
const MAX_JUDGE: u64 = 256 * 1024 * 1024;

fn is_rules_file(path: &str) -> bool {
    matches!(
        file_name(path),
        "package.json" | ".npmignore" | ".gitignore"
    )
}

/// The staged rules files (package.json, .npmignore, .gitignore at any depth), each with
/// its base and staged version.
type RulesFiles = BTreeMap<String, (Replacement, Replacement)>;

fn rules_files(ctx: &Ctx<'_>) -> Result<RulesFiles, StagedError> {
    let mut rules = RulesFiles::new();
    for change in ctx.view.changes() {
        if change.status == ChangeStatus::Unmerged {
            continue;
        }
        for (path, side_old, side_new) in [
            (change.old_path(), true, change.old_path() == change.path),
            (change.path.as_str(), change.old_path() == change.path, true),
        ] {
            if !is_rules_file(path) || rules.contains_key(path) {
                continue;
            }
            let base = if side_old {
                replacement(ctx.view.base_file(path)?)
            } else {
                Replacement::Absent
            };
            let staged = if side_new {
                replacement(ctx.view.staged_file(path)?)
            } else {
                Replacement::Absent
            };
            rules.insert(path.to_string(), (base, staged));
        }
    }
    Ok(rules)
}

/// The working tree with the staged (`staged = true`) or the base's versions of the rules
/// files: what npm would pack after, or before, this commit.
fn overlay(ctx: &Ctx<'_>, rules: &RulesFiles, staged: bool) -> Overlay<Worktree> {
    let worktree = Worktree::new(ctx.repo.workdir());
    let label = if staged {
        "working tree + staged files"
    } else {
        "working tree + HEAD's files"
    };
    let mut o = Overlay::new(worktree).with_label(label);
    for (path, (base, new)) in rules {
        o.set(path, if staged { new.clone() } else { base.clone() });
    }
    o
}

/// Whether the file at repository path `path` would ship in its package's tarball after
/// this commit (the package's packlist with the staged package.json and ignore files).
/// `false` when no package npm would publish contains it; `None` when that can't be
/// computed (then the caller keeps its default verdict).
pub(crate) fn ships_after_commit(
    ctx: &Ctx<'_>,
    pkg: Option<&PackageCtx>,
    path: &str,
) -> Option<bool> {
    let Some(pkg) = pkg else {
        return Some(false);
    };
    if pkg.private {
        return Some(false);
    }
    let mut cache = ctx.shipped_after.borrow_mut();
    let shipped = cache.entry(pkg.dir.clone()).or_insert_with(|| {
        let rules = rules_files(ctx).ok()?;
        let after = overlay(ctx, &rules, true);
        let options = PackOptions {
            publisher: publisher_of(ctx, &after),
            ..PackOptions::default()
        };
        let list = packlist::pack(&after, &pkg.dir, &options).ok()?;
        Some(list.files.into_iter().map(|f| f.source).collect())
    });
    shipped.as_ref().map(|files| files.contains(path))
}

/// Adds the exposure delta of the staged change to `out`.
pub(crate) fn review(
    ctx: &Ctx<'_>,
    opts: &Options,
    out: &mut StagedReview,
) -> Result<(), StagedError> {
    let rules = rules_files(ctx)?;
    if rules.is_empty() {
        return Ok(());
    }
    // The packages those files belong to.
    // The packages those files belong to, each with the staged files that may change
    // what it ships (the finding points at the first).
    let mut packages: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (path, (base, staged)) in &rules {
        if file_name(path) == "package.json" {
            if !packlist_fields_changed(Some(base), Some(staged)) {
                continue;
            }
            let causes = packages.entry(parent_dir(path).to_string()).or_default();
            causes.insert(0, path.as_str());
        } else if let Some(pkg) = ctx.package_of(path) {
            packages.entry(pkg.dir).or_default().push(path.as_str());
        }
    }
    let mut judge = Judge::new(ctx)?;
    for (dir, causes) in packages {
        let Some(pkg) = ctx.package_at(&dir) else {
            continue;
        };
        if pkg.private || ctx.config.skips(pkg.name.as_deref(), &pkg.dir) {
            continue;
        }
        let mut before = overlay(ctx, &rules, false);
        let mut after = overlay(ctx, &rules, true);
        // A `files` edit is judged by what it lets in: both packs see the same probe files.
        let files_edit = files_edit(&rules, &dir);
        let probes = match &files_edit {
            Some(edit) => Probes::for_files(
                &dir,
                edit.old.iter().chain(&edit.new).map(String::as_str),
                after.base(),
            ),
            None => Probes::default(),
        };
        probes.apply(&mut before);
        probes.apply(&mut after);
        let opts_pack = PackOptions {
            publisher: publisher_of(ctx, &after),
            ..PackOptions::default()
        };
        // The two packs are independent walks of the same package: run them side by side
        // (the hook's wall time is what makes people `--no-verify` it).
        let (new_res, old_res) = std::thread::scope(|s| {
            let old = s.spawn(|| packlist::pack(&before, &dir, &opts_pack));
            let new = packlist::pack(&after, &dir, &opts_pack);
            (new, old.join())
        });
        let old_res = match old_res {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        let new_list = match new_res {
            Ok(list) => list,
            Err(PacklistError::Manifest { .. }) => continue, // no package after the commit
            // A package.json npm itself can't pack (`files: {}`, a bad `bin`): nothing
            // publishes; the package.json review says what is wrong with it.
            Err(_) if !npm_can_pack(&after, &dir) => continue,
            Err(e) => {
                return Err(StagedError::Pack {
                    package: pkg.label().unwrap_or_else(|| "the root package".into()),
                    source: e,
                })
            }
        };
        let (old_files, new_package) = match old_res {
            Ok(list) => (list.files, false),
            Err(_) => (Vec::new(), true), // a new package (or HEAD's manifest was broken)
        };
        let old_paths: BTreeSet<&str> = old_files.iter().map(|f| f.path.as_str()).collect();
        let new_paths: BTreeSet<&str> = new_list.files.iter().map(|f| f.path.as_str()).collect();
        let (probed, exposed): (Vec<&PackedFile>, Vec<&PackedFile>) = new_list
            .files
            .iter()
            .filter(|f| !old_paths.contains(f.path.as_str()))
            .partition(|f| probes.category(&f.source).is_some());
        let hidden: Vec<&PackedFile> = old_files
            .iter()
            .filter(|f| !new_paths.contains(f.path.as_str()))
            .filter(|f| probes.category(&f.source).is_none())
            .collect();
        if let (Some(edit), false) = (&files_edit, new_package) {
            out.findings
                .extend(files_widened(&pkg, edit, &probes, &probed));
        }
        if opts.verbose && !hidden.is_empty() {
            let names: Vec<String> = hidden.iter().take(20).map(|f| f.path.clone()).collect();
            out.notes.push(format!(
                "{}: this commit makes {} file{} unpublishable: {}{}",
                pkg.label().unwrap_or_else(|| "root package".into()),
                hidden.len(),
                plural(hidden.len()),
                names.join(", "),
                if hidden.len() > 20 { ", …" } else { "" }
            ));
        }
        if exposed.is_empty() {
            continue;
        }
        let judged: Vec<(&PackedFile, Vec<Why>)> = exposed
            .iter()
            .map(|f| (*f, judge.judge(&after, f, &pkg)))
            .collect();
        if let Some(f) = finding(&pkg, &dir, &judged, new_package) {
            let (file, at) = cause(&rules, &causes, &dir);
            let f = f.file(&file).repo_path(&file);
            out.findings.push(match at {
                Some((line, col)) => f.at(line, col),
                None => f,
            });
        }
    }
    Ok(())
}

/// Whether npm gets past reading the package's manifest (the `files`, `bin` and
/// `directories` shapes it crashes on); a packlist error past that point is leakgate's
/// own refusal (a pattern it won't compile), which must stop the review.
fn npm_can_pack(snap: &dyn Snapshot, dir: &str) -> bool {
    let path = crate::snapshot::join(dir, "package.json");
    snap.read(&path)
        .ok()
        .and_then(|bytes| packlist::manifest::parse_json(&path, &bytes).ok())
        .is_some_and(|value| packlist::manifest::read(&path, value).is_ok())
}

/// A staged change of a package's `files` array (both versions arrays, not equal).
struct FilesEdit {
    /// The package.json's repository path.
    manifest: String,
    /// HEAD's entries.
    old: Vec<String>,
    /// The staged entries.
    new: Vec<String>,
    /// The staged package.json text (for line numbers).
    text: String,
}

/// The `files` edit of the package at `dir`, if its package.json is staged with one.
fn files_edit(rules: &RulesFiles, dir: &str) -> Option<FilesEdit> {
    let manifest = crate::snapshot::join(dir, "package.json");
    let (base, staged) = rules.get(&manifest)?;
    let text = |r: &Replacement| match r {
        Replacement::File { bytes, .. } => String::from_utf8(bytes.clone()).ok(),
        _ => None,
    };
    let entries = |t: &str| -> Option<Vec<String>> {
        let v: serde_json::Value =
            serde_json::from_str(t.strip_prefix('\u{feff}').unwrap_or(t)).ok()?;
        let files = v.get("files")?.as_array()?;
        Some(
            files
                .iter()
                .filter_map(|e| e.as_str().map(str::to_string))
                .collect(),
        )
    };
    let (old_text, new_text) = (text(base)?, text(staged)?);
    let (old, new) = (entries(&old_text)?, entries(&new_text)?);
    (old != new).then_some(FilesEdit {
        manifest,
        old,
        new,
        text: new_text,
    })
}

/// `package-json/files-widened`: the staged `files` lets probe files of a risky kind in
/// that HEAD's kept out (see [`super::probes`]): one finding per package, naming each kind
/// with an example path, at the first new entry.
fn files_widened(
    pkg: &PackageCtx,
    edit: &FilesEdit,
    probes: &Probes,
    probed: &[&PackedFile],
) -> Option<Finding> {
    let mut kinds: Vec<(&str, &str)> = Vec::new();
    for f in probed {
        let Some(category) = probes.category(&f.source) else {
            continue;
        };
        if !kinds.iter().any(|(c, _)| *c == category) {
            kinds.push((category, f.path.as_str()));
        }
    }
    if kinds.is_empty() {
        return None;
    }
    let order = |c: &str| {
        super::risky::CATEGORIES
            .iter()
            .position(|k| k.name == c)
            .unwrap_or(usize::MAX)
    };
    kinds.sort_by_key(|(c, _)| order(c));
    let what: Vec<String> = kinds
        .iter()
        .map(|(c, example)| format!("{c} (e.g. {example})"))
        .collect();
    let added: Vec<&String> = edit.new.iter().filter(|e| !edit.old.contains(e)).collect();
    let dropped: Vec<&String> = edit.old.iter().filter(|e| !edit.new.contains(e)).collect();
    let quote = |v: &[&String]| {
        v.iter()
            .take(3)
            .map(|e| format!("\"{e}\""))
            .collect::<Vec<_>>()
            .join(", ")
            + if v.len() > 3 { ", …" } else { "" }
    };
    let change = match (added.is_empty(), dropped.is_empty()) {
        (false, true) => format!("`files` gains {}", quote(&added)),
        (true, false) => format!("`files` drops {}", quote(&dropped)),
        _ => format!(
            "`files` changed ({} instead of {})",
            quote(&added),
            quote(&dropped)
        ),
    };
    let message = format!(
        "{change}: it now lets in {} that it kept out before",
        join_and(&what)
    );
    let doc = super::json::Doc::parse(&edit.text).ok();
    let at = doc.as_ref().and_then(|doc| {
        let files = doc.root.get("files")?;
        let first_new = files
            .items()
            .iter()
            .find(|n| n.as_str().is_some_and(|s| !edit.old.iter().any(|o| o == s)))
            .map(|n| n.offset);
        let off = first_new.or_else(|| doc.root.member("files").map(|m| m.0))?;
        Some(doc.line_col(off))
    });
    let f = pkg
        .finding(
            &crate::review::PACKAGE_JSON_FILES_WIDENED,
            &edit.manifest,
            message,
        )
        .help(
            "list exact files or narrow globs (`dist/*.js`, not `dist` or `dist/*`), keep the \
             negations that exclude maps (`!*.map`); check with `leakgate files`",
        );
    Some(match at {
        Some((l, c)) => f.at(l, c),
        None => f,
    })
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The staged file (and line) that changed what package `dir` ships: its package.json at
/// the first file-selection field that changed, else the first staged ignore file at its
/// first added line.
fn cause(rules: &RulesFiles, causes: &[&str], dir: &str) -> (String, Option<(u32, u32)>) {
    let Some(first) = causes.first() else {
        return (crate::snapshot::join(dir, "package.json"), None);
    };
    let text = |r: &Replacement| match r {
        Replacement::File { bytes, .. } => Some(String::from_utf8_lossy(bytes).into_owned()),
        _ => None,
    };
    let Some((base, staged)) = rules.get(*first) else {
        return (first.to_string(), None);
    };
    let (Some(new), old) = (text(staged), text(base)) else {
        return (first.to_string(), None); // deleted: no line to point at
    };
    let at = if file_name(first) == "package.json" {
        // The manifest parser npm's rules use (it skips a byte-order mark, as npm does).
        let manifest = |t: &str| crate::packlist::manifest::parse_json(first, t.as_bytes()).ok();
        let old = old.and_then(|t| manifest(&t));
        super::json::Doc::parse(&new).ok().and_then(|doc| {
            PACKLIST_FIELDS
                .iter()
                .filter(|k| **k != "version")
                .filter(|k| {
                    let new_v = manifest(&new).and_then(|v| v.get(**k).cloned());
                    old.as_ref().and_then(|o| o.get(**k).cloned()) != new_v
                })
                .find_map(|k| doc.root.member(k))
                .map(|(off, _)| doc.line_col(off))
        })
    } else {
        let added = super::staged::added_lines(old.unwrap_or_default().as_bytes(), new.as_bytes());
        added.into_iter().min().map(|l| (l, 1))
    };
    (first.to_string(), at)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn replacement(file: Option<(u32, Vec<u8>)>) -> Replacement {
    match file {
        Some((mode, bytes)) if mode & 0o170000 == 0o100000 => Replacement::File {
            bytes,
            mode: if mode & 0o111 != 0 { 0o755 } else { 0o644 },
        },
        Some((mode, bytes)) if mode & 0o170000 == 0o120000 => Replacement::Symlink {
            target: String::from_utf8_lossy(&bytes).into_owned(),
        },
        _ => Replacement::Absent,
    }
}

/// True when a package.json edit touches a field npm's file selection reads (or can't
/// be parsed, in which case the packs decide).
fn packlist_fields_changed(base: Option<&Replacement>, staged: Option<&Replacement>) -> bool {
    let parse = |r: Option<&Replacement>| -> Option<serde_json::Value> {
        match r {
            Some(Replacement::File { bytes, .. }) => {
                crate::packlist::manifest::parse_json("package.json", bytes).ok()
            }
            _ => None,
        }
    };
    let (Some(a), Some(b)) = (parse(base), parse(staged)) else {
        return true;
    };
    // A version bump changes `version`, which only names the tarball: not a file change.
    PACKLIST_FIELDS
        .iter()
        .filter(|k| **k != "version")
        .any(|k| a.get(k) != b.get(k))
}

/// The audit's content rules, applied to one newly publishable file.
struct Judge<'c> {
    ctx: &'c Ctx<'c>,
    scanner: Option<Scanner>,
    codenames: Option<codename::Matcher>,
}

/// One reason a newly published file deserves a look.
struct Why {
    /// What the file is or holds, shown after its size.
    text: String,
    /// Whether this reason makes the exposure blocking.
    risky: bool,
}

impl Why {
    fn risky(text: impl Into<String>) -> Self {
        Why {
            text: text.into(),
            risky: true,
        }
    }
}

impl<'c> Judge<'c> {
    fn new(ctx: &'c Ctx<'c>) -> Result<Self, StagedError> {
        Ok(Judge {
            ctx,
            scanner: None,
            codenames: codename::Matcher::new(ctx.config)
                .ok()
                .filter(|m| !m.is_empty()),
        })
    }

    /// Why `file` is risky to publish (empty when it isn't), plus a size/sources detail
    /// in the first entry when it is a map.
    fn judge(&mut self, snap: &dyn Snapshot, file: &PackedFile, pkg: &PackageCtx) -> Vec<Why> {
        let mut why = Vec::new();
        if let Some(reason) = self.ctx.deny.reason(&file.path) {
            why.push(Why::risky(reason));
        }
        // leakgate's own files name codenames and paths on purpose (see checks::own_files).
        let own = own_files::is_own_file(&file.path);
        if let Some(m) = self.codenames.as_ref().filter(|_| !own) {
            if !m.find_in_name(&file.path).is_empty() {
                why.push(Why::risky("its name holds an internal codename"));
            }
        }
        if file.size > MAX_JUDGE {
            return why;
        }
        let Ok(bytes) = snap.read(&file.source) else {
            return why;
        };
        if file.path.to_ascii_lowercase().ends_with(".map") || scan::might_be_map(&bytes) {
            if let Ok(map) = scan::parse(&bytes) {
                let count: usize = map
                    .leaves()
                    .iter()
                    .map(|l| {
                        let n = l
                            .sources
                            .len()
                            .max(l.sources_content.as_ref().map_or(0, Vec::len));
                        (0..n).filter(|i| l.content(*i).is_some()).count()
                    })
                    .sum();
                if count > 0 {
                    let sev = if pkg.visibility == Visibility::Proprietary {
                        ""
                    } else {
                        " (open source)"
                    };
                    why.push(Why {
                        text: format!("embeds {} source{}{sev}", thousands(count), plural(count)),
                        risky: pkg.visibility != Visibility::Open,
                    });
                }
                return why; // the map's JSON holds the sources: scanned by the audit
            }
        }
        if is_binary(&bytes) {
            return why;
        }
        if self.scanner.is_none() {
            self.scanner = Scanner::new(self.ctx.config).ok();
        }
        if let Some(s) = &self.scanner {
            let secrets = s.scan(&bytes);
            // A value the scanner judged harmless (public by design, a sample, a fixture)
            // is named but does not make the file risky: the audit reports it as a warning.
            if let Some(first) = secrets.iter().find(|m| m.severity == Severity::Error) {
                why.push(Why::risky(format!("holds a secret ({})", first.rule)));
            } else if let Some(first) = secrets.first() {
                let reason = first.why.unwrap_or("not judged a credential");
                why.push(Why {
                    text: format!("holds a value like a secret ({}: {reason})", first.rule),
                    risky: false,
                });
            }
        }
        if own_files::is_config(&file.path) {
            if !own_files::plain_codenames(&bytes, self.codenames.as_ref()).is_empty() {
                why.push(Why::risky("names internal codenames in plain text"));
            }
        } else if let Some(m) = self.codenames.as_ref().filter(|_| !own) {
            if !m.find(&bytes).is_empty() {
                why.push(Why::risky("mentions an internal codename"));
            }
        }
        why
    }
}

fn finding(
    pkg: &PackageCtx,
    dir: &str,
    judged: &[(&PackedFile, Vec<Why>)],
    new_package: bool,
) -> Option<Finding> {
    let risky: Vec<&(&PackedFile, Vec<Why>)> = judged
        .iter()
        .filter(|(_, why)| why.iter().any(|w| w.risky))
        .collect();
    // A brand-new package ships everything it has: only the risky part is news.
    if new_package && risky.is_empty() {
        return None;
    }
    let shown: Vec<&(&PackedFile, Vec<Why>)> = if new_package {
        risky.clone()
    } else {
        judged.iter().collect()
    };
    let total = shown.len();
    let mut sorted = shown.clone();
    // Risky files first, then by size (the big surprises), then by name.
    let calm = |why: &[Why]| !why.iter().any(|w| w.risky);
    sorted.sort_by(|a, b| {
        (calm(&a.1), std::cmp::Reverse(a.0.size), &a.0.path).cmp(&(
            calm(&b.1),
            std::cmp::Reverse(b.0.size),
            &b.0.path,
        ))
    });
    let items: Vec<String> = sorted
        .iter()
        .take(10)
        .map(|(f, why)| {
            let mut parts = vec![human_bytes(f.size)];
            parts.extend(why.iter().map(|w| w.text.clone()));
            format!("{} ({})", f.path, parts.join(", "))
        })
        .collect();
    let more = if total > 10 {
        format!(" and {} more", total - 10)
    } else {
        String::new()
    };
    let manifest = crate::snapshot::join(dir, "package.json");
    let sev = if risky.is_empty() {
        Severity::Warning
    } else {
        Severity::Error
    };
    let subject = if new_package {
        "this new package would publish"
    } else {
        "this commit makes"
    };
    let tail = if new_package { "" } else { " publishable" };
    let mut f = Finding::new(
        &crate::review::COMMIT_EXPOSES_FILES,
        format!(
            "{subject} {total} file{}{tail}: {}{more}",
            plural(total),
            items.join(", ")
        ),
    )
    .severity(sev)
    .file(&manifest)
    .repo_path(&manifest)
    .exposes(shown.iter().map(|(f, _)| f.size).sum())
    .help(if risky.is_empty() {
        "check the list with `leakgate files`; exclude anything that must not ship"
    } else {
        "keep them out: narrow `files` in package.json or exclude them in .npmignore, then `leakgate files` to check"
    });
    if let Some(label) = pkg.label() {
        f = f.package(label);
    }
    Some(f)
}

/// The repository's publisher (`[publish] tool`, else detected from the staged tree): the
/// exposure delta is what *it* would ship before and after the commit.
fn publisher_of(ctx: &Ctx<'_>, after: &dyn Snapshot) -> packlist::Publisher {
    packlist::publisher::for_repository(after, "", ctx.config.publish.tool).0
}
