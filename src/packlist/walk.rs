//! The directory walk: ignore-walk's `Walker` as npm-packlist's `PackWalker` subclasses it
//! (docs/npm-pack-rules.md §5), run with an explicit stack so depth cannot overflow ours.

use super::manifest::{self, Manifest};
use super::rules::{package_rules_as, Candidates, Passed, RuleSet, Target, DEFAULT_RULES};
use super::PacklistError;
use crate::snapshot::{join, Entry, EntryKind, Snapshot};
use rayon::prelude::*;
use std::sync::Arc;

/// The rule sets a walker applies, in order (ignore-walk's `ignoreFiles`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetKind {
    /// The synthetic default exclusions.
    Default,
    /// `package.json`: the `files` set on a package walker, an ignore file elsewhere.
    PackageJson,
    /// `.npmignore` in the directory.
    Npmignore,
    /// `.gitignore` in the directory.
    Gitignore,
    /// The synthetic strict set.
    Strict,
}

use SetKind::*;

/// A package root, and every directory while a root with workspaces is packed.
pub const FULL: &[SetKind] = &[Default, PackageJson, Npmignore, Gitignore, Strict];
/// A sub-directory of an ordinary package.
pub const SUB: &[SetKind] = &[Default, Npmignore, Gitignore, Strict];
/// The root of a bundled dependency that is a real directory.
pub const BUNDLED: &[SetKind] = &[PackageJson, Strict];

/// The deepest directory nesting walked inside one package. Every entry is matched against
/// every ancestor's rules (as npm does), so the cost grows with the square of the depth;
/// real packages stay far below this.
pub const MAX_DEPTH: usize = 256;

/// Rule sets shared by every walker of a run.
pub struct Shared {
    /// DEFAULT, compiled once.
    pub default: Arc<RuleSet>,
    /// The STRICT of a sub-directory without required files (`/.git`).
    pub plain_strict: Arc<RuleSet>,
    /// The lines of DEFAULT (npm's, or pnpm's).
    pub default_lines: Vec<&'static str>,
    /// The first line of every sub-directory STRICT (`/.git`; none for pnpm).
    pub strict_head: Vec<String>,
}

/// npm's defaults pnpm matches by exact name instead (it ships `.Git/HEAD`, `.NPMRC`).
const PNPM_EXACT: &[&str] = &["**/.git", "**/.git/**", "**/.npmrc"];

impl Shared {
    /// The shared sets of this process, compiled on first use (a workspace run packs
    /// hundreds of packages with the same sets).
    pub fn get() -> &'static Shared {
        static SHARED: std::sync::OnceLock<Shared> = std::sync::OnceLock::new();
        // The lines are npm's constants; `compiles_the_shared_sets` proves they compile.
        SHARED.get_or_init(|| Shared::new().expect("npm's default rules compile"))
    }

    /// Compiles the shared sets.
    pub fn new() -> Result<Shared, PacklistError> {
        Ok(Shared {
            default: Arc::new(RuleSet::from_lines("<npm defaults>", DEFAULT_RULES)?),
            plain_strict: Arc::new(RuleSet::from_lines("<npm strict>", &["/.git"])?),
            default_lines: DEFAULT_RULES.to_vec(),
            strict_head: vec!["/.git".to_string()],
        })
    }

    /// pnpm's shared sets: npm's defaults without the ones it matches by exact name.
    pub fn get_pnpm() -> &'static Shared {
        static SHARED: std::sync::OnceLock<Shared> = std::sync::OnceLock::new();
        SHARED.get_or_init(|| {
            let lines: Vec<&'static str> = DEFAULT_RULES
                .iter()
                .copied()
                .filter(|l| !PNPM_EXACT.contains(l))
                .collect();
            Shared {
                default: Arc::new(
                    RuleSet::from_lines("<pnpm defaults>", &lines).expect("pnpm's rules compile"),
                ),
                plain_strict: Arc::new(
                    RuleSet::from_lines::<&str>("<pnpm strict>", &[]).expect("empty set"),
                ),
                default_lines: lines,
                strict_head: Vec::new(),
            }
        })
    }
}

/// How to walk one package (the packed one, or a bundled dependency).
pub struct PackageWalk<'m> {
    /// The package directory in the snapshot.
    pub dir: String,
    /// The manifest (arborist's `tree.package`).
    pub manifest: &'m Manifest,
    /// The root walker's rule sets.
    pub root_kinds: &'static [SetKind],
    /// Sub-directory walkers' rule sets (FULL under a root with workspaces).
    pub sub_kinds: &'static [SetKind],
    /// Extra DEFAULT lines for the root walker (ancestor ignore files, docs/npm-pack-rules.md §9.2).
    pub extra_defaults: Vec<String>,
    /// Whether this is a bundled dependency (its `package.json` is read for rules).
    pub is_bundle: bool,
    /// List directories by name and kind only (sizes and modes of found files are 0).
    pub names_only: bool,
    /// pnpm's walk: symlinks ship as entries, names holding `*` are not skipped.
    pub pnpm: bool,
}

/// One file found by the walk, relative to the walked package.
pub struct Found {
    /// Path relative to the package directory.
    pub rel: String,
    /// Size in bytes (0 in a names-only walk).
    pub size: u64,
    /// Unix mode bits (0 in a names-only walk).
    pub mode: u32,
}

/// One walker (one directory).
struct Level {
    /// Path relative to the package ("" for its root).
    rel: String,
    exact: bool,
    /// Only the shared DEFAULT and plain STRICT sets apply here.
    plain: bool,
    kinds: &'static [SetKind],
    default: Arc<RuleSet>,
    pkg: Option<Arc<RuleSet>>,
    npmignore: Option<Arc<RuleSet>>,
    gitignore: Option<Arc<RuleSet>>,
    strict: Option<Arc<RuleSet>>,
    required: Vec<String>,
    /// pnpm: this folder was entered only for the named files below it (`required`) and an
    /// ignore file of a folder above drops it, so only those files ship from here down.
    only_required: bool,
}

impl Level {
    fn set(&self, kind: SetKind) -> Option<&RuleSet> {
        match kind {
            Default => Some(&self.default),
            PackageJson => self.pkg.as_deref(),
            Npmignore => self.npmignore.as_deref(),
            Gitignore => self.gitignore.as_deref(),
            Strict => self.strict.as_deref(),
        }
    }
}

/// A directory on the stack with the sub-directories still to visit.
struct Frame {
    level: Level,
    /// The sub-directories to visit, from the back.
    pending: Vec<Pending>,
}

/// A sub-directory to visit: its name, whether it is `exact` (its own path is included,
/// not only partially) and whether only the named files below it ship (pnpm).
struct Pending {
    name: String,
    exact: bool,
    only_required: bool,
}

/// The entry being filtered, laid out once so every ancestor can slice its own view:
/// `buf = "/" + rel + "/" + name + "/"` (no `rel` part at the root).
struct Probe {
    buf: String,
    name_len: usize,
}

impl Probe {
    #[cfg(test)]
    fn new(rel: &str, name: &str) -> Probe {
        let mut probe = Probe::in_dir(rel);
        probe.set_name(name);
        probe
    }

    /// A probe for the entries of directory `rel`, laid out up to the name.
    fn in_dir(rel: &str) -> Probe {
        let mut buf = String::with_capacity(rel.len() + 64);
        buf.push('/');
        if !rel.is_empty() {
            buf.push_str(rel);
            buf.push('/');
        }
        Probe { buf, name_len: 0 }
    }

    /// Points the probe at the entry `name` of its directory (one buffer for every entry).
    fn set_name(&mut self, name: &str) {
        self.buf
            .truncate(self.buf.len() - self.name_len - usize::from(self.name_len > 0));
        self.buf.push_str(name);
        self.buf.push('/');
        self.name_len = name.len();
    }

    /// Where the entry starts, for a walker at `level_rel` (an ancestor path of `rel`).
    fn start(&self, level_rel: &str) -> usize {
        if level_rel.is_empty() {
            1
        } else {
            level_rel.len() + 2
        }
    }
}

/// The rule sets of a chain of walkers, each once (every walker holds the same DEFAULT),
/// with the prefilter checks passed by the segments of the directory being listed. Built once
/// per directory, so an entry costs one test of its name per set before any rule is tried.
struct ChainSets<'a> {
    sets: Vec<&'a RuleSet>,
    /// Per set: the checks passed by some segment of the directory's path.
    dir_bits: Vec<u64>,
    /// Per set: candidates already worked out, by the bits the name passed.
    seen: Vec<Vec<(u64, Candidates)>>,
    /// Per walker of the chain and [`SetKind`]: the index of its set in `sets`.
    slots: Vec<[usize; 5]>,
    /// The shared DEFAULT and plain STRICT, where the chain holds them.
    shared: [Option<usize>; 2],
}

/// How many distinct name bit patterns a directory remembers candidates for, per set.
const SEEN_PER_SET: usize = 8;

/// No set of this kind in the walker.
const NO_SET: usize = usize::MAX;

impl SetKind {
    fn index(self) -> usize {
        match self {
            Default => 0,
            PackageJson => 1,
            Npmignore => 2,
            Gitignore => 3,
            Strict => 4,
        }
    }
}

impl<'a> ChainSets<'a> {
    /// The sets of `chain` (root first) for entries of directory `rel` of the package.
    fn new(shared: &Shared, chain: &[&'a Level], rel: &str) -> ChainSets<'a> {
        let mut sets: Vec<&'a RuleSet> = Vec::new();
        let mut slots = Vec::with_capacity(chain.len());
        for level in chain {
            let mut slot = [NO_SET; 5];
            for &kind in level.kinds {
                let Some(set) = level.set(kind) else { continue };
                slot[kind.index()] = match sets.iter().position(|s| std::ptr::eq(*s, set)) {
                    Some(i) => i,
                    None => {
                        sets.push(set);
                        sets.len() - 1
                    }
                };
            }
            slots.push(slot);
        }
        let find = |set: &RuleSet| sets.iter().position(|s| std::ptr::eq(*s, set));
        let shared = [find(&shared.default), find(&shared.plain_strict)];
        let dir_bits = sets.iter().map(|s| s.path_bits(rel)).collect();
        ChainSets {
            seen: vec![Vec::new(); sets.len()],
            sets,
            dir_bits,
            slots,
            shared,
        }
    }

    /// The rules of each set that may match the entry named `name`, into `out`.
    fn candidates(&mut self, name: &str, out: &mut Vec<Candidates>) {
        out.clear();
        for (i, set) in self.sets.iter().enumerate() {
            let name = set.segment_bits(name);
            // Within one directory the candidates depend on the name's bits alone, and most
            // names of a directory pass the same checks (usually none).
            let seen = &mut self.seen[i];
            let c = match seen.iter().find(|(bits, _)| *bits == name) {
                Some((_, c)) => *c,
                None => {
                    let c = set.candidates(Passed {
                        path: self.dir_bits[i] | name,
                        name,
                    });
                    if seen.len() < SEEN_PER_SET {
                        seen.push((name, c));
                    }
                    c
                }
            };
            out.push(c);
        }
    }

    /// Whether no rule of the shared sets may match: then a walker holding only those
    /// changes nothing.
    fn shared_identity(&self, candidates: &[Candidates], partial: bool, slash: bool) -> bool {
        self.shared
            .iter()
            .flatten()
            .all(|&i| self.sets[i].rules.len() <= 64 && candidates[i].mask(partial, slash) == 0)
    }
}

/// `filterEntry` of the walker on top of `chain`, iterated over the parent chain.
/// `slash`: the entry is `name + "/"` (the `exact` test; never partial).
fn filter(
    chain: &[&Level],
    sets: &ChainSets<'_>,
    candidates: &[Candidates],
    probe: &Probe,
    partial: bool,
    slash: bool,
) -> bool {
    filter_as(chain, sets, candidates, probe, (partial, slash), false)
}

/// [`filter`], optionally without the STRICT sets of the walkers below the root (the
/// named files handed down to them): pnpm does not reopen, for a named file, a folder an
/// ignore file of a sub-folder drops (it ships the named file alone).
fn filter_as(
    chain: &[&Level],
    sets: &ChainSets<'_>,
    candidates: &[Candidates],
    probe: &Probe,
    (partial, slash): (bool, bool),
    without_handed: bool,
) -> bool {
    let mut identity: Option<bool> = None;
    let mut included = true;
    let last = chain.len() - 1;
    for (i, level) in chain.iter().enumerate() {
        // ignore-walk returns early from *this* walker's filterEntry: its own rules don't
        // apply, but a deeper walker that is `exact` still applies its rules to the `false`.
        if i > 0 && !included && !level.exact {
            continue;
        }
        if level.plain
            && *identity.get_or_insert_with(|| sets.shared_identity(candidates, partial, slash))
        {
            continue;
        }
        let view = SetsView {
            sets,
            slot: &sets.slots[i],
            candidates,
        };
        let skip_strict = without_handed && i > 0;
        included = apply(
            &view,
            level,
            probe,
            (partial, slash, i < last, skip_strict),
            included,
        );
    }
    included
}

/// One walker's sets as the chain sees them.
struct SetsView<'s, 'a> {
    sets: &'s ChainSets<'a>,
    slot: &'s [usize; 5],
    candidates: &'s [Candidates],
}

/// One walker's own rule sets applied to the entry (the loop body of `filterEntry`).
/// `mode` is (partial, slash, has_basename, skip_strict).
fn apply(
    view: &SetsView<'_, '_>,
    level: &Level,
    probe: &Probe,
    mode: (bool, bool, bool, bool),
    mut included: bool,
) -> bool {
    let (partial, slash, has_basename, skip_strict) = mode;
    let buf = probe.buf.as_str();
    let len = buf.len();
    let start = probe.start(&level.rel);
    let end = if slash { len } else { len - 1 };
    let slash_entry = &buf[start - 1..end]; // "/" + entry
    let entry = &buf[start..end];
    let name = &buf[len - 1 - probe.name_len..len - 1];
    for &kind in level.kinds {
        if skip_strict && kind == Strict {
            continue;
        }
        let i = view.slot[kind.index()];
        if i == NO_SET {
            continue;
        }
        let set = view.sets.sets[i];
        let mut mask = view.candidates[i].mask(partial, slash);
        // The candidates in rule order, then any rules past the 64th (always tried).
        let mut rest = 64..set.rules.len();
        loop {
            let j = if mask != 0 {
                let j = mask.trailing_zeros() as usize;
                mask &= mask - 1;
                j
            } else if let Some(j) = rest.next() {
                j
            } else {
                break;
            };
            let rule = &set.rules[j];
            if rule.negate == included {
                continue;
            }
            let pat = &rule.pat;
            let mut hit = pat.matches(slash_entry, false) || pat.matches(entry, false);
            if !hit && partial {
                let with_slash_abs = &buf[start - 1..]; // "/" + entry + "/"
                let with_slash = &buf[start..];
                hit = pat.matches(with_slash_abs, false)
                    || pat.matches(with_slash, false)
                    || (rule.negate
                        && (pat.matches(slash_entry, true) || pat.matches(entry, true)))
                    || (has_basename
                        && rule.short
                        && (pat.matches(&buf[len - 2 - probe.name_len..], false)
                            || pat.matches(&buf[len - 1 - probe.name_len..], false)
                            || (rule.negate
                                && (pat.matches(&buf[len - 2 - probe.name_len..len - 1], true)
                                    || pat.matches(name, true)))));
            }
            if hit {
                included = rule.negate;
            }
        }
    }
    included
}

/// Reads an ignore file the way ignore-walk does (utf8, following symlinks).
fn read_rules(
    snap: &dyn Snapshot,
    path: &str,
    entry: &Entry,
) -> Result<Arc<RuleSet>, PacklistError> {
    if entry.kind == EntryKind::Dir {
        return Err(PacklistError::Rules {
            file: path.to_string(),
            message: "is a directory, not an ignore file (npm pack fails here with EISDIR)".into(),
        });
    }
    let bytes = snap.read(path)?;
    let text = String::from_utf8_lossy(&bytes);
    RuleSet::cached(path, &text)
}

/// What `lstat(join(pkgdir, file))` says, through the snapshot (docs/npm-pack-rules.md §5.5).
fn lstat_files_entry(snap: &dyn Snapshot, dir: &str, file: &str) -> Target {
    let joined = manifest::posix_normalize(&format!("/{file}"));
    let trailing = joined.len() > 1 && joined.ends_with('/');
    let rel = joined.trim_matches('/');
    if rel.split('/').any(|s| s == "..") {
        return Target::Missing;
    }
    let path = if rel.is_empty() {
        dir.to_string()
    } else {
        join(dir, rel)
    };
    if path.is_empty() {
        return Target::Dir;
    }
    match snap.kind(&path) {
        Ok(Some(kind)) => match kind {
            EntryKind::File if trailing => Target::Missing, // ENOTDIR
            EntryKind::File => Target::File,
            EntryKind::Dir => Target::Dir,
            _ => Target::Other,
        },
        _ => Target::Missing,
    }
}

/// Does `relative(file, entry) === '..'` (node's path.relative)? Then `file` is a direct
/// child of `entry` and the child walker receives `relative(entry, file)`.
fn required_for_child(required: &[String], entry: &str) -> Vec<String> {
    let mut out = Vec::new();
    for file in required {
        let norm = manifest::posix_normalize(&format!("/{file}"));
        let norm = norm.trim_start_matches('/');
        let norm = norm.strip_suffix('/').unwrap_or(norm);
        if let Some((parent, base)) = norm.rsplit_once('/') {
            if parent == entry && !base.is_empty() {
                out.push(base.to_string());
            }
        }
    }
    out
}

/// Whether a symlink in folder `rel` (of the package) with target `target` points inside
/// the package, judged on the path alone.
fn stays_inside(rel: &str, target: &str) -> bool {
    if target.starts_with('/') {
        return false;
    }
    let mut depth = rel.split('/').filter(|s| !s.is_empty()).count() as isize;
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => depth += 1,
        }
    }
    true
}

/// pnpm hands every explicitly named file below `entry` down to its walker (npm only the
/// direct children), relative to it.
fn required_below(required: &[String], entry: &str) -> Vec<String> {
    required
        .iter()
        .filter_map(|f| {
            let f = f.trim_start_matches('/');
            f.strip_prefix(entry)
                .and_then(|r| r.strip_prefix('/'))
                .filter(|r| !r.is_empty())
                .map(str::to_string)
        })
        .collect()
}

/// Walks one package and calls `emit` for every file it would pack.
pub fn walk_package(
    snap: &dyn Snapshot,
    shared: &Shared,
    spec: &PackageWalk<'_>,
    emit: &mut dyn FnMut(Found),
) -> Result<(), PacklistError> {
    let root_default = if spec.extra_defaults.is_empty() {
        shared.default.clone()
    } else {
        let mut lines: Vec<String> = shared.default_lines.iter().map(|s| s.to_string()).collect();
        lines.extend(spec.extra_defaults.iter().cloned());
        RuleSet::cached_lines(
            &format!("{} (with workspace ancestors' ignore files)", spec.dir),
            &lines,
        )?
    };
    let root = Level {
        rel: String::new(),
        exact: false,
        plain: false,
        kinds: spec.root_kinds,
        default: root_default,
        pkg: None,
        npmignore: None,
        gitignore: None,
        strict: None,
        required: Vec::new(),
        only_required: false,
    };
    if let Some(frame) = enter(snap, shared, spec, &[], root, true, emit)? {
        walk_below(snap, shared, spec, &[], frame, emit)?;
    }
    Ok(())
}

/// Directories this shallow (package root = 0) with several sub-directories to visit have
/// them walked in parallel: a workspace root's `packages/` holds hundreds of members.
/// Deeper, the walk stays on one thread (forks there would cost more than they save).
const FORK_DEPTH: usize = 3;

/// Walks everything below `first` (whose ancestors are `ancestors`, root first), depth
/// first with an explicit stack so deep trees cannot overflow ours. Near the package root
/// the sub-directories of a frame are walked in parallel, each into its own list; the lists
/// are emitted in the serial walk's order and the first error in that order is returned,
/// so the answer does not depend on the threads.
fn walk_below(
    snap: &dyn Snapshot,
    shared: &Shared,
    spec: &PackageWalk<'_>,
    ancestors: &[&Level],
    first: Frame,
    emit: &mut dyn FnMut(Found),
) -> Result<(), PacklistError> {
    let mut stack: Vec<Frame> = vec![first];
    while let Some(top) = stack.last_mut() {
        let depth = top.level.rel.matches('/').count() + usize::from(!top.level.rel.is_empty());
        if depth < FORK_DEPTH && top.pending.len() >= 2 {
            let mut pending = std::mem::take(&mut top.pending);
            pending.reverse(); // `pending` is popped from the back: restore the walk order
            let chain = walkers(ancestors, &stack);
            let parent = *chain.last().expect("the frame itself");
            let lists: Vec<Result<Vec<Found>, PacklistError>> = pending
                .into_par_iter()
                .map(|p| {
                    let level = child_level(shared, spec, parent, &p, depth)?;
                    let mut out = Vec::new();
                    let mut push = |f: Found| out.push(f);
                    if let Some(f) = enter(snap, shared, spec, &chain, level, false, &mut push)? {
                        walk_below(snap, shared, spec, &chain, f, &mut push)?;
                    }
                    Ok(out)
                })
                .collect();
            for list in lists {
                list?.into_iter().for_each(&mut *emit);
            }
            continue;
        }
        let Some(p) = top.pending.pop() else {
            stack.pop();
            continue;
        };
        let level = child_level(shared, spec, &top.level, &p, depth)?;
        let chain = walkers(ancestors, &stack);
        let frame = enter(snap, shared, spec, &chain, level, false, emit)?;
        drop(chain);
        if let Some(f) = frame {
            stack.push(f);
        }
    }
    Ok(())
}

/// The walkers from the package root down to the top of `stack`.
fn walkers<'a>(ancestors: &[&'a Level], stack: &'a [Frame]) -> Vec<&'a Level> {
    ancestors
        .iter()
        .copied()
        .chain(stack.iter().map(|f| &f.level))
        .collect()
}

/// The walker of sub-directory `name` of `parent` (at `depth`), with its STRICT set.
fn child_level(
    shared: &Shared,
    spec: &PackageWalk<'_>,
    parent: &Level,
    pending: &Pending,
    depth: usize,
) -> Result<Level, PacklistError> {
    let name = pending.name.as_str();
    let rel = join(&parent.rel, name);
    if depth >= MAX_DEPTH {
        return Err(PacklistError::Rules {
            file: super::join_path(&spec.dir, &rel),
            message: format!(
                "directories nested more than {MAX_DEPTH} levels deep; leakgate stops here \
                 (npm's walk is quadratic in the depth and would take hours)"
            ),
        });
    }
    let required = if spec.pnpm {
        required_below(&parent.required, name)
    } else {
        required_for_child(&parent.required, name)
    };
    let strict = if required.is_empty() {
        shared.plain_strict.clone()
    } else {
        let mut lines = shared.strict_head.clone();
        // pnpm anchors each file handed down to its folder: only a named path with a
        // slash is handed down, and it names that path alone (npm's `!x.js` matches any
        // `x.js` below).
        let anchor = if spec.pnpm { "/" } else { "" };
        lines.extend(required.iter().map(|f| format!("!{anchor}{f}")));
        RuleSet::cached_lines("<npm strict>", &lines)?
    };
    Ok(Level {
        rel,
        exact: pending.exact,
        plain: false,
        kinds: spec.sub_kinds,
        default: shared.default.clone(),
        pkg: None,
        npmignore: None,
        gitignore: None,
        strict: Some(strict),
        required,
        only_required: pending.only_required,
    })
}

/// Reads one directory, loads its rule sets, emits its files and returns the frame with
/// the sub-directories to visit (`None` when there are none).
fn enter(
    snap: &dyn Snapshot,
    shared: &Shared,
    spec: &PackageWalk<'_>,
    ancestors: &[&Level],
    mut level: Level,
    is_root: bool,
    emit: &mut dyn FnMut(Found),
) -> Result<Option<Frame>, PacklistError> {
    let dir = super::join_path(&spec.dir, &level.rel);
    let listing = snap.listing(&dir, spec.names_only)?;
    if listing.is_empty() {
        return Ok(None);
    }
    // Load the rule sets named in this walker's list that exist among the entries.
    for e in listing.iter() {
        let kind = match e.name.as_str() {
            "package.json" => PackageJson,
            ".npmignore" => Npmignore,
            ".gitignore" => Gitignore,
            _ => continue,
        };
        if !level.kinds.contains(&kind) {
            continue;
        }
        let path = join(&dir, &e.name);
        if kind == PackageJson && is_root {
            // processPackage: `files` → the package.json set, plus STRICT.
            let m = spec.manifest;
            let rules = package_rules_as(
                m.files.as_deref(),
                m.main.as_deref(),
                m.browser.as_deref(),
                &m.bin,
                |f| match lstat_files_entry(snap, &spec.dir, f) {
                    // pnpm packs a symlink a `files` entry names, as a link.
                    Target::Other if spec.pnpm => Target::File,
                    t => t,
                },
                spec.pnpm,
            );
            let source = path.clone();
            if let Some(set) = &rules.files_set {
                level.pkg = Some(RuleSet::cached_lines(&source, set)?);
            }
            level.strict = Some(RuleSet::cached_lines(&source, &rules.strict)?);
            level.required = rules.required;
            continue;
        }
        let set = read_rules(snap, &path, e)?;
        match kind {
            PackageJson => level.pkg = Some(set),
            Npmignore => level.npmignore = Some(set),
            Gitignore => level.gitignore = Some(set),
            _ => {}
        }
    }
    // Precedence: package.json beats .npmignore beats .gitignore (per directory).
    if level.pkg.is_some() {
        level.npmignore = None;
        level.gitignore = None;
    } else if level.npmignore.is_some() {
        level.gitignore = None;
    }
    level.plain = level.pkg.is_none()
        && level.npmignore.is_none()
        && level.gitignore.is_none()
        && Arc::ptr_eq(&level.default, &shared.default)
        && level
            .strict
            .as_ref()
            .map_or(true, |s| Arc::ptr_eq(s, &shared.plain_strict));
    // The chain of walkers, root first, this one last.
    let mut chain: Vec<&Level> = ancestors.to_vec();
    chain.push(&level);
    let mut sets = ChainSets::new(shared, &chain, &level.rel);
    let mut candidates = Vec::with_capacity(sets.sets.len());
    let mut probe = Probe::in_dir(&level.rel);
    let mut pending = Vec::new();
    // Sort so the walk (and any error) is deterministic across snapshots.
    let mut entries: Vec<&Entry> = listing.iter().collect();
    entries.sort_unstable_by(|a, b| a.name.cmp(&b.name));
    for e in entries {
        let kind = match e.kind {
            // pnpm packs a symlink as a link, unless it points out of the package.
            EntryKind::Symlink if spec.pnpm => match snap.read_link(&join(&dir, &e.name)) {
                Ok(t) if stays_inside(&level.rel, &t) => EntryKind::File,
                _ => continue,
            },
            k => k,
        };
        match kind {
            EntryKind::File => {
                // pnpm drops these by exact name (npm by any case).
                if spec.pnpm && matches!(e.name.as_str(), ".npmrc" | ".git") {
                    continue;
                }
                if e.name.contains('*') && !spec.pnpm {
                    continue;
                }
                // pnpm, in a folder entered only for named files: those alone.
                if level.only_required && !level.required.contains(&e.name) {
                    continue;
                }
                probe.set_name(&e.name);
                sets.candidates(&e.name, &mut candidates);
                if filter(&chain, &sets, &candidates, &probe, false, false) {
                    emit(Found {
                        rel: join(&level.rel, &e.name),
                        size: e.size,
                        mode: e.mode,
                    });
                }
            }
            EntryKind::Dir => {
                if e.name.contains('*') && !spec.pnpm {
                    continue;
                }
                // pnpm never enters a version-control folder (exact names).
                if spec.pnpm && matches!(e.name.as_str(), ".git" | ".svn" | ".hg" | "CVS") {
                    continue;
                }
                probe.set_name(&e.name);
                sets.candidates(&e.name, &mut candidates);
                if !filter(&chain, &sets, &candidates, &probe, true, false) {
                    continue;
                }
                let exact = filter(&chain, &sets, &candidates, &probe, false, false)
                    || filter(&chain, &sets, &candidates, &probe, false, true);
                // pnpm: a folder that only the named files handed down below the root
                // reopen (an ignore file of a sub-folder drops it) ships those files alone.
                let only_required = spec.pnpm
                    && (level.only_required
                        || (!level.required.is_empty()
                            && !filter_as(
                                &chain,
                                &sets,
                                &candidates,
                                &probe,
                                (true, false),
                                true,
                            )));
                if only_required && required_below(&level.required, &e.name).is_empty() {
                    continue;
                }
                pending.push(Pending {
                    name: e.name.clone(),
                    exact,
                    only_required,
                });
            }
            // Symlinks, FIFOs, sockets, devices and gitlinks are never packed or entered.
            EntryKind::Symlink | EntryKind::Other => {}
        }
    }
    if pending.is_empty() {
        return Ok(None);
    }
    pending.reverse();
    drop(sets);
    drop(chain);
    Ok(Some(Frame { level, pending }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_the_shared_sets() {
        let shared = Shared::new().unwrap();
        assert_eq!(shared.default.rules.len(), DEFAULT_RULES.len());
        assert!(std::ptr::eq(Shared::get(), Shared::get()));
    }

    #[test]
    fn required_files_go_one_level_down() {
        let req = vec![
            "lib/x.js".to_string(),
            "lib/x/y.js".to_string(),
            "lib//z.js".to_string(),
            "a.js".to_string(),
        ];
        assert_eq!(required_for_child(&req, "lib"), vec!["x.js", "z.js"]);
        assert!(required_for_child(&req, "x").is_empty());
    }

    #[test]
    fn probe_slices() {
        let mut p = Probe::new("a/b", "c.js");
        assert_eq!(p.buf, "/a/b/c.js/");
        assert_eq!(p.start(""), 1);
        assert_eq!(p.start("a"), 3);
        assert_eq!(&p.buf[p.start("a/b")..], "c.js/");
        p.set_name("longer.js");
        assert_eq!(p.buf, "/a/b/longer.js/");
        p.set_name("x");
        assert_eq!(p.buf, "/a/b/x/");
        let mut root = Probe::in_dir("");
        root.set_name("a");
        assert_eq!(root.buf, "/a/");
    }
}
