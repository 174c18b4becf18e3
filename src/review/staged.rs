//! The staged change, reviewed: what `git commit` is about to record, judged against the
//! commit's base (HEAD, or HEAD^ for `--amend`, or nothing before the first commit).
//!
//! Everything is read, nothing written: the change comes from one `git diff-index
//! --cached` (run with `GIT_OPTIONAL_LOCKS=0`, so git never refreshes the index), and the
//! staged bytes of the few relevant paths are read by blob id. Only what is staged counts:
//! a working-tree edit that wasn't `git add`ed is invisible here (partial staging).

use super::{is_reviewed, review_file, PackageCtx, ReviewError};
use crate::checks::content::{self, Embeds, Judge, Origin};
use crate::checks::secrets::{is_binary, Scanner, ScannerError};
use crate::checks::ContentCheck;
use crate::config::Config;
use crate::report::{Finding, Severity};
use crate::snapshot::changes::PendingDiff;
use crate::snapshot::{Change, ChangeStatus, GitRepo, SnapshotError, StagedView};
use std::collections::{HashMap, HashSet};

/// git's mode bits for a submodule (gitlink) and a symlink.
const GITLINK: u32 = 0o160000;
const SYMLINK: u32 = 0o120000;
const TYPE_MASK: u32 = 0o170000;

/// Staged files bigger than this are not read whole: they are streamed through git in
/// chunks (bounded memory) and judged for secrets and embedded sources as they pass.
const MAX_CONTENT_SCAN: usize = 64 * 1024 * 1024;

/// How to review.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Review against HEAD^ (the commit being written replaces HEAD: `git commit --amend`).
    pub amend: bool,
    /// Also report files a commit makes unpublishable.
    pub verbose: bool,
}

/// What the review found.
#[derive(Debug, Default)]
pub struct StagedReview {
    /// Findings (before config overrides and allow entries).
    pub findings: Vec<Finding>,
    /// Informational lines.
    pub notes: Vec<String>,
    /// Staged files leakgate can't read (a package.json that doesn't parse): exit 2.
    pub errors: Vec<ReviewError>,
    /// What the change was compared with (`HEAD`, `HEAD^`, or `nothing`).
    pub base: String,
    /// How many paths are staged.
    pub staged_paths: usize,
}

/// Why the review could not run at all (an internal error: the hook blocks).
#[derive(Debug, thiserror::Error)]
pub enum StagedError {
    /// git failed, or the repository can't be read.
    #[error(transparent)]
    Git(#[from] SnapshotError),
    /// A custom secret pattern in the config doesn't compile.
    #[error(transparent)]
    Scanner(#[from] ScannerError),
    /// What a package would publish after the commit can't be computed (a staged ignore
    /// file or `files` entry leakgate can't compile): the commit can't be reviewed, and
    /// passing it unreviewed would be a way around the gate.
    #[error("could not compute what {package} would publish after this commit: {source}")]
    Pack {
        /// The package's name, or its directory.
        package: String,
        /// Why (names the file and the pattern).
        source: crate::packlist::PacklistError,
    },
}

/// Reviews the staged change of the repository `repo`.
pub fn review_staged(
    repo: &GitRepo,
    config: &Config,
    opts: &Options,
) -> Result<StagedReview, StagedError> {
    review_staged_from(repo, config, opts, None)
}

/// [`review_staged`] with the staged change already being computed by `pending` (started
/// before the repository was opened; used unless amending or on an initial commit).
pub fn review_staged_from(
    repo: &GitRepo,
    config: &Config,
    opts: &Options,
    mut pending: Option<PendingDiff>,
) -> Result<StagedReview, StagedError> {
    // While git computes the staged change, build what reviewing it will need anyway.
    let deny = crate::checks::files::DenyList::new(config);
    let mut scanner: Option<Scanner> = match &pending {
        Some(_) => Some(Scanner::new(config)?),
        None => None,
    };
    let head = repo.resolve("HEAD")?;
    if head.is_none() || opts.amend {
        // It compared with HEAD, which is not the base here.
        if let Some(p) = pending.take() {
            p.discard();
        }
    }
    let (base_rev, changes) = match (&head, opts.amend) {
        (None, _) => (None, repo.staged_changes()?),
        (Some(_), true) => {
            let parent = repo.resolve("HEAD^")?;
            (
                parent.as_ref().map(|_| "HEAD^".to_string()),
                repo.staged_changes_against("HEAD^")?,
            )
        }
        (Some(_), false) => (Some("HEAD".to_string()), repo.staged_changes_from(pending)?),
    };
    let mut out = StagedReview {
        base: base_rev.clone().unwrap_or_else(|| "nothing".into()),
        staged_paths: changes.len(),
        ..StagedReview::default()
    };
    if changes.is_empty() {
        return Ok(out);
    }
    let view = StagedView::new(repo, base_rev.as_deref(), changes);
    let ctx = Ctx {
        repo,
        view: &view,
        config,
        deny,
        packages: Default::default(),
        shipped_after: Default::default(),
    };
    for change in view.changes() {
        if change.status == ChangeStatus::Unmerged {
            continue; // git refuses to commit an unresolved conflict anyway
        }
        review_text(&ctx, change, &mut out)?;
        review_content(&ctx, change, &mut scanner, &mut out)?;
    }
    super::exposure::review(&ctx, opts, &mut out)?;
    Ok(out)
}

/// Shared state of one review: the staged view, the config, package contexts by directory.
pub(crate) struct Ctx<'a> {
    pub(crate) repo: &'a GitRepo,
    pub(crate) view: &'a StagedView<'a>,
    pub(crate) config: &'a Config,
    /// The denied-file globs, compiled once per run.
    pub(crate) deny: crate::checks::files::DenyList,
    packages: std::cell::RefCell<HashMap<String, Option<PackageCtx>>>,
    /// Per package directory, the repository paths it ships after this commit (`None`: the
    /// packlist can't be computed); filled by [`super::exposure::ships_after_commit`] so a
    /// commit staging many maps packs each package once.
    pub(crate) shipped_after: std::cell::RefCell<HashMap<String, Option<HashSet<String>>>>,
}

impl Ctx<'_> {
    /// The staged text of `path` (`None` when absent, a directory or not UTF-8).
    pub(crate) fn staged_text(&self, path: &str) -> Option<String> {
        match self.view.staged_file(path) {
            Ok(Some((mode, bytes))) if mode & TYPE_MASK == 0o100000 => {
                String::from_utf8(bytes).ok()
            }
            _ => None,
        }
    }

    /// The base's text of `path`.
    pub(crate) fn base_text(&self, path: &str) -> Option<String> {
        match self.view.base_file(path) {
            Ok(Some((mode, bytes))) if mode & TYPE_MASK == 0o100000 => {
                String::from_utf8(bytes).ok()
            }
            _ => None,
        }
    }

    /// The package containing `path`: the nearest directory above it whose staged tree
    /// (or, when the package.json is being deleted, whose base) has a package.json.
    pub(crate) fn package_of(&self, path: &str) -> Option<PackageCtx> {
        let mut dir = super::parent_dir(path).to_string();
        loop {
            if let Some(found) = self.package_at(&dir) {
                return Some(found);
            }
            if dir.is_empty() {
                return None;
            }
            dir = super::parent_dir(&dir).to_string();
        }
    }

    /// The package whose root is exactly `dir`, if any.
    pub(crate) fn package_at(&self, dir: &str) -> Option<PackageCtx> {
        if let Some(cached) = self.packages.borrow().get(dir) {
            return cached.clone();
        }
        let manifest_path = crate::snapshot::join(dir, "package.json");
        let text = self
            .staged_text(&manifest_path)
            .or_else(|| self.base_text(&manifest_path));
        let found = text.map(|text| {
            // npm accepts a byte-order mark; serde_json doesn't.
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            let manifest: serde_json::Value =
                serde_json::from_str(text).unwrap_or(serde_json::Value::Null);
            let name = manifest
                .get("name")
                .and_then(|v| v.as_str())
                .map(str::to_string);
            // The same verdict as the audit's: private, or no name or version.
            let never_published = crate::workspace::package_from(dir, &manifest, dir.is_empty())
                .unpublishable()
                .is_some();
            PackageCtx {
                dir: dir.to_string(),
                private: never_published,
                visibility: self.config.visibility(dir, &manifest),
                has_files: manifest.get("files").is_some(),
                name,
            }
        });
        self.packages
            .borrow_mut()
            .insert(dir.to_string(), found.clone());
        found
    }

    /// Whether a staged config at `path` that doesn't parse stops the review (exit 2): the
    /// root package.json, a workspace member's that parsed before this commit, or any
    /// config of a package npm would publish. A broken fixture (`test/fixtures/bad/
    /// package.json`, broken on purpose) is not, even where a workspace glob like
    /// `packages/**` takes it for a member: it is added broken or was broken already, npm
    /// never packs it, so it can't leak, and refusing it would refuse every commit that
    /// touches it.
    fn must_parse(&self, path: &str) -> bool {
        let dir = super::parent_dir(path);
        if super::file_name(path) != "package.json" {
            return self.package_of(path).is_some_and(|p| !p.private);
        }
        if dir.is_empty() {
            return true;
        }
        let parsed_before = self
            .base_text(path)
            .is_some_and(|t| super::json::Doc::parse(&t).is_ok());
        if !parsed_before {
            return false;
        }
        let worktree = crate::snapshot::Worktree::new(self.repo.workdir());
        match crate::workspace::discover(&worktree) {
            Ok(packages) => packages.iter().any(|p| p.dir == dir),
            Err(_) => true,
        }
    }

    fn skipped(&self, pkg: &PackageCtx) -> bool {
        self.config.skips(pkg.name.as_deref(), &pkg.dir)
    }
}

fn is_file_mode(mode: u32) -> bool {
    mode & TYPE_MASK == 0o100000
}

/// The package-json / ignore-file / bundler reviews of one change. A rename or a type
/// change is a deletion at the old path plus an addition at the new one.
fn review_text(ctx: &Ctx<'_>, change: &Change, out: &mut StagedReview) -> Result<(), StagedError> {
    let old_path = change.old_path();
    let moved = old_path != change.path;
    let mut pairs: Vec<(&str, Option<String>, Option<String>)> = Vec::new();
    let old_is_file = is_file_mode(change.old_mode);
    let new_is_file = is_file_mode(change.new_mode);
    let staged_new = || {
        if new_is_file && change.status != ChangeStatus::Deleted {
            ctx.staged_text(&change.path)
        } else {
            None
        }
    };
    if moved {
        if is_reviewed(old_path) && old_is_file {
            pairs.push((old_path, ctx.base_text(old_path), None));
        }
        if is_reviewed(&change.path) {
            pairs.push((&change.path, None, staged_new()));
        }
    } else if is_reviewed(&change.path) {
        let old = if old_is_file && change.status != ChangeStatus::Added {
            ctx.base_text(old_path)
        } else {
            None
        };
        pairs.push((&change.path, old, staged_new()));
    }
    for (path, old, new) in pairs {
        if old.is_none() && new.is_none() {
            continue;
        }
        let pkg = ctx.package_of(path).unwrap_or_else(PackageCtx::none);
        if ctx.skipped(&pkg) {
            continue;
        }
        let staged = |p: &str| ctx.staged_text(p);
        match review_file(path, old.as_deref(), new.as_deref(), &pkg, &staged) {
            Ok(findings) => out.findings.extend(findings),
            Err(e) if ctx.must_parse(path) => out.errors.push(e),
            Err(e) => out.notes.push(crate::report::unchecked(format_args!(
                "{e}: not reviewed (it doesn't parse, and no package npm would publish \
                 depends on it)"
            ))),
        }
    }
    Ok(())
}

/// The lines of `new` that `old` doesn't have (as a multiset: a moved line is not new).
pub fn added_lines(old: &[u8], new: &[u8]) -> HashSet<u32> {
    let mut counts: HashMap<&[u8], usize> = HashMap::new();
    for line in old.split(|b| *b == b'\n') {
        *counts.entry(trim_cr(line)).or_default() += 1;
    }
    let mut added = HashSet::new();
    for (i, line) in new.split(|b| *b == b'\n').enumerate() {
        match counts.get_mut(trim_cr(line)) {
            Some(n) if *n > 0 => *n -= 1,
            _ => {
                added.insert(i as u32 + 1);
            }
        }
    }
    added
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// `file/denied`, source maps embedding sources and secrets: the staged content of an
/// added or modified regular file, judged by the content judge (`checks::content`), as the
/// audit and the pre-push check judge it, so a file has the same rule ids at all three.
fn review_content(
    ctx: &Ctx<'_>,
    change: &Change,
    scanner: &mut Option<Scanner>,
    out: &mut StagedReview,
) -> Result<(), StagedError> {
    if change.status == ChangeStatus::Deleted
        || change.new_mode & TYPE_MASK == GITLINK
        || change.new_mode & TYPE_MASK == SYMLINK
        || !is_file_mode(change.new_mode)
    {
        return Ok(());
    }
    let path = change.path.as_str();
    let pkg = ctx.package_of(path);
    if pkg.as_ref().is_some_and(|p| ctx.skipped(p)) {
        return Ok(());
    }
    let label = pkg.as_ref().and_then(PackageCtx::label);
    let tag = |f: Finding| {
        let f = f.repo_path(path);
        match &label {
            Some(l) => f.package(l.clone()),
            None => f,
        }
    };
    if let Some(f) = content::denied(&ctx.deny, path, Origin::Staged) {
        out.findings.push(tag(f));
    }
    let Some(oid) = &change.new_oid else {
        return Ok(());
    };
    let scanner: &Scanner = match scanner {
        Some(s) => s,
        None => scanner.insert(Scanner::new(ctx.config)?),
    };
    let judge = Judge::new([scanner as &dyn ContentCheck], Origin::Staged);
    let size = ctx.repo.blob_size(oid)?;
    if size > MAX_CONTENT_SCAN as u64 {
        // Too big to read whole: streamed, secrets anywhere in it (its lines can't be
        // diffed against HEAD's cheaply, so every line counts).
        let mut reader = ctx.repo.open_blob(oid)?;
        let streamed = judge.stream(path, &mut reader).map_err(|e| {
            StagedError::Git(SnapshotError::Io {
                path: path.to_string(),
                source: e,
            })
        })?;
        out.findings.extend(streamed.findings.into_iter().map(&tag));
        if streamed.embeds {
            let f = staged_map(ctx, pkg.as_ref(), path, Embeds::Streamed(size));
            out.findings.push(tag(f));
        }
        return Ok(());
    }
    let bytes = ctx.view_blob(oid)?;
    if is_binary(&bytes) {
        return Ok(());
    }
    let judged = judge.file(path, &bytes);
    // Secrets only in the lines this commit adds: what HEAD already holds was reviewed
    // when it was committed (and is the pre-push audit's business).
    let old = match (&change.old_oid, is_file_mode(change.old_mode)) {
        (Some(old_oid), true) => ctx.view_blob(old_oid)?,
        _ => Vec::new(),
    };
    let mut found = Vec::new();
    if let Some(sources) = judged.sources {
        if !sources.is_empty() {
            let bytes = sources.iter().map(|s| s.text.len() as u64).sum();
            let embeds = Embeds::Counted(sources.len(), bytes);
            out.findings
                .push(tag(staged_map(ctx, pkg.as_ref(), path, embeds)));
        }
        // In each embedded source, the lines the same source in HEAD's map didn't have
        // (all of them for a new source).
        let before: HashMap<String, String> = content::read_map(path, &old)
            .map(|m| {
                content::embedded_sources(path, &old, &m)
                    .into_iter()
                    .collect()
            })
            .unwrap_or_default();
        for source in sources.into_iter().filter(|s| !s.findings.is_empty()) {
            let was = before.get(&source.name).map_or(&b""[..], |t| t.as_bytes());
            let added = added_lines(was, source.text.as_bytes());
            found.extend(
                source
                    .findings
                    .into_iter()
                    .filter(|f| f.line.is_some_and(|l| added.contains(&l))),
            );
        }
    }
    if !judged.findings.is_empty() {
        let added = added_lines(&old, &bytes);
        found.extend(
            judged
                .findings
                .into_iter()
                .filter(|f| f.line.is_some_and(|l| added.contains(&l))),
        );
    }
    out.findings.extend(found.into_iter().map(tag));
    Ok(())
}

/// The finding for a staged source map that embeds sources: by the verdict of the package
/// that would publish it after this commit, a note when none would.
fn staged_map(ctx: &Ctx<'_>, pkg: Option<&PackageCtx>, path: &str, embeds: Embeds) -> Finding {
    let ships = super::exposure::ships_after_commit(ctx, pkg, path);
    let severity = match pkg {
        Some(p) if ships == Some(true) => p.severity(),
        _ => Severity::Error,
    };
    content::committed_map(path, Origin::Staged, embeds, ships, severity)
}

impl Ctx<'_> {
    fn view_blob(&self, oid: &str) -> Result<Vec<u8>, StagedError> {
        Ok(self.repo.blob(oid)?)
    }
}

/// Findings sorted for stable output: errors first, then by file and line.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let sev = |s: Severity| std::cmp::Reverse(s);
        (sev(a.severity), &a.file, a.line, &a.rule).cmp(&(
            sev(b.severity),
            &b.file,
            b.line,
            &b.rule,
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_lines_is_a_multiset_difference() {
        let old = b"a\nb\nb\nc\n";
        let new = b"a\nb\nX\nb\nb\nc\n";
        let added = added_lines(old, new);
        assert_eq!(added, [3u32, 5].into_iter().collect());
        assert!(added_lines(b"", b"x").contains(&1));
        assert!(added_lines(b"k\r\n", b"k\n").is_empty());
    }
}
