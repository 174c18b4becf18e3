//! Pack-content checks: each judges what a package would ship and returns findings.
//!
//! [`audit_package`] is the orchestration: it reads every packed file once (in parallel,
//! both cores; big files streamed in chunks, never whole), runs the source-map rules and the
//! content checks (secrets, codenames) on it and on the sources embedded in its maps, plus
//! the packlist-level rules, and labels every finding with package, file and repository path.

pub mod codename;
pub mod content;
pub mod dev_certs;
pub mod drift;
pub mod files;
pub mod fix;
pub mod origin;
pub mod own_files;
pub mod packages;
pub mod parity;
pub mod pushed;
pub mod secrets;
pub mod size;
pub mod sourcemap;
pub mod tarball;

use crate::config::Config;
use crate::packlist::{PackedFile, Packlist};
use crate::report::{Finding, Severity};
use crate::rules::Rule;
use crate::snapshot::Snapshot;
use content::Origin;
use rayon::prelude::*;
use std::io::Read;
use std::sync::Arc;

/// `pack/lifecycle-scripts`: package.json runs a script when packing, so the real tarball may differ
pub static PACK_LIFECYCLE_SCRIPTS: Rule = Rule {
    id: "pack/lifecycle-scripts",
    default_severity: Severity::Warning,
    summary: "package.json runs a script when packing, so the real tarball may differ",
    explanation: "`prepack`, `prepare` and `prepublishOnly` run before `npm pack`/`npm publish` \
    build the tarball: they usually build `dist/`, and what they write is what ships. \
    leakgate audits the files as they are now (it never runs scripts), so a build script \
    that writes maps or copies files would ship things this audit did not see. A script \
    that only installs git hooks (husky's `\"prepare\": \"husky\"`, `lefthook install`) \
    is not counted.",
    fix: "Build before pushing so the audited files are the ones that will ship, and audit the \
    real tarball in CI (`npm pack` then `leakgate audit --tarball package.tgz`).",
};

/// Files up to this size are read whole (a 60 MB map is judged in one buffer); bigger
/// ones are streamed in chunks so memory stays bounded whatever ships.
pub const WHOLE_FILE_LIMIT: u64 = 256 * 1024 * 1024;

/// Chunk size for streamed files.
const CHUNK: usize = 8 * 1024 * 1024;

/// A check over file contents (secret scanning, codenames): given a label (`dist/cli.js`
/// or `dist/cli.js.map!src/auth.ts`) and the bytes, its findings with file/line set.
pub trait ContentCheck: Send + Sync {
    /// Findings for `bytes`, labelled `label`.
    fn check(&self, label: &str, bytes: &[u8]) -> Vec<Finding>;

    /// Whether the check also applies to every file of the pushed commits, shipped or not.
    /// A secret is a leak wherever it is pushed; a codename is only one in what ships (the
    /// team's own sources and leakgate.toml name it on purpose).
    fn applies_to_history(&self) -> bool {
        true
    }
}

/// A packlist-level check (denied paths, size, drift): no file contents.
pub type PacklistCheck = Box<dyn Fn(&Packlist, &Config) -> Vec<Finding> + Send + Sync>;

/// Everything an audit runs, built once per run (compiling patterns is the costly part).
#[derive(Default)]
pub struct Checks {
    /// Run on every packed text file and on every embedded source.
    pub content: Vec<Box<dyn ContentCheck>>,
    /// Run once per packlist.
    pub packlist: Vec<PacklistCheck>,
    /// The expected-contents lock (`leakgate.lock`), when the repository has one.
    pub lock: Option<drift::Lock>,
}

impl Checks {
    /// The standard set for `config`.
    pub fn new(config: &Config) -> Result<Checks, AuditError> {
        let scanner =
            secrets::Scanner::new(config).map_err(|e| AuditError::Config(e.to_string()))?;
        // One automaton for the whole run, shared by the content check, the shipped-config
        // check and every package's file names (a build per package was 20 s for 2,000
        // packages with 2,000 codenames).
        let codenames =
            codename::Matcher::new(config).map_err(|e| AuditError::Config(e.to_string()))?;
        let codenames = (!codenames.is_empty()).then(|| Arc::new(codenames));
        let shipped_config = own_files::ShippedConfig::with_matcher(codenames.clone());
        let mut content: Vec<Box<dyn ContentCheck>> =
            vec![Box::new(scanner), Box::new(shipped_config)];
        let mut packlist: Vec<PacklistCheck> = vec![Box::new(files::check), Box::new(size::check)];
        if let Some(m) = codenames {
            content.push(Box::new(Arc::clone(&m)));
            packlist.push(Box::new(move |p: &Packlist, _: &Config| m.check_names(p)));
        }
        Ok(Checks {
            content,
            packlist,
            lock: None,
        })
    }
}

impl Checks {
    /// The checks for a run in the repository at `root`: the standard set plus the
    /// repository's expected-contents lock, when it has one.
    pub fn for_repository(root: &std::path::Path, config: &Config) -> Result<Checks, AuditError> {
        let mut checks = Checks::new(config)?;
        checks.lock = drift::Lock::load(&root.join(drift::LOCK_FILE))?;
        Ok(checks)
    }
}

impl ContentCheck for Arc<codename::Matcher> {
    fn check(&self, label: &str, bytes: &[u8]) -> Vec<Finding> {
        self.findings(label, bytes)
    }

    fn applies_to_history(&self) -> bool {
        false
    }
}

impl ContentCheck for secrets::Scanner {
    fn check(&self, label: &str, bytes: &[u8]) -> Vec<Finding> {
        self.findings(label, bytes)
    }
}

/// Why an audit could not finish. Each names the file.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// A packed file could not be read.
    #[error("{path}: {message}")]
    Read {
        /// The file (snapshot path).
        path: String,
        /// What failed.
        message: String,
    },
    /// A configured check could not be built (bad pattern in the config).
    #[error("{0}")]
    Config(String),
    /// A package's packlist could not be computed.
    #[error(transparent)]
    Pack(#[from] crate::packlist::PacklistError),
    /// The expected-contents lock (`leakgate.lock`) could not be read.
    #[error(transparent)]
    Lock(#[from] drift::LockError),
}

/// The package's name for reports: `name` from package.json, else its directory.
pub fn package_label(packlist: &Packlist) -> String {
    crate::workspace::label(packlist.name(), &packlist.dir).to_string()
}

/// Audits the packed files of one package: source maps, the content checks on files and
/// embedded sources, the packlist checks, and the lifecycle-scripts warning. Findings carry
/// `package`, `file` (package-relative) and `repo_path` (snapshot path, for allow globs);
/// severities are the checks' own: the caller applies the config (`Config::apply`).
pub fn audit_package(
    snapshot: &dyn Snapshot,
    packlist: &Packlist,
    config: &Config,
    checks: &Checks,
) -> Result<Vec<Finding>, AuditError> {
    let package = package_label(packlist);
    let visibility = config.visibility(&packlist.dir, &packlist.manifest);
    let by_path: std::collections::HashMap<&str, &PackedFile> = packlist
        .files
        .iter()
        .map(|f| (f.path.as_str(), f))
        .collect();
    let view = sourcemap::PackageView::new(
        visibility,
        &config.sourcemaps,
        packlist.files.iter().map(|f| (f.path.clone(), f.size)),
        Box::new(move |p: &str| {
            let f = by_path.get(p)?;
            if f.size > WHOLE_FILE_LIMIT {
                return None;
            }
            snapshot.read(&f.source).ok()
        }),
    );

    // Biggest first: a big map's serial parse starts at once and the small files fill the
    // other core around it, instead of the map starting last with one core left idle (the
    // packlist is sorted by path: `dist/cli.js.map` comes after `dist/chunks/*`). Findings
    // keep the packlist's order.
    //
    // Files the snapshot reads cheaply only in order (a tarball's big entries, each read by
    // decompressing the archive up to it) are judged one after another in that order, beside
    // the others: one decompression serves them all, where reading them in parallel, biggest
    // first, decompressed the archive once per entry (450 entries: 19 s).
    let mut in_order: Vec<(u64, usize)> = Vec::new();
    let mut order: Vec<usize> = Vec::new();
    for (i, f) in packlist.files.iter().enumerate() {
        match snapshot.sequential_key(&f.source) {
            Some(key) => in_order.push((key, i)),
            None => order.push(i),
        }
    }
    in_order.sort_unstable();
    order.sort_by_key(|&i| std::cmp::Reverse(packlist.files[i].size));
    let content = content::Judge::new(checks.content.iter().map(|c| c.as_ref()), Origin::Packed);
    let judge = |i: usize| (i, audit_file(snapshot, &packlist.files[i], &view, &content));
    let (mut per_file, sequential): (Vec<_>, Vec<_>) = rayon::join(
        || order.into_par_iter().map(judge).collect(),
        || in_order.into_iter().map(|(_, i)| judge(i)).collect(),
    );
    per_file.extend(sequential);
    per_file.sort_unstable_by_key(|(i, _)| *i);

    let mut findings = Vec::new();
    for (_, r) in per_file {
        findings.extend(r?);
    }
    fold_dangling(&mut findings);
    computed_help(snapshot, packlist, visibility, &mut findings);
    origin::trace(snapshot, packlist, &mut findings);
    for check in &checks.packlist {
        findings.extend(check(packlist, config));
    }
    if let Some(lock) = &checks.lock {
        findings.extend(drift::check(packlist, &packlist.dir, lock, config));
    }
    findings.extend(lifecycle_scripts(packlist));
    dev_certs::downgrade_dev_keys(snapshot, packlist, &mut findings);
    for f in &mut findings {
        f.package.get_or_insert_with(|| package.clone());
        if f.repo_path.is_none() {
            if let Some(file) = &f.file {
                let inner = file.split('!').next().unwrap_or(file);
                let repo = packlist
                    .files
                    .iter()
                    .find(|p| p.path == inner)
                    .map(|p| p.source.clone())
                    .unwrap_or_else(|| crate::snapshot::join(&packlist.from, inner));
                f.repo_path = Some(repo);
            }
        }
    }
    Ok(findings)
}

/// Replaces the templated help of the map findings by fixes that work for this package
/// ([`fix`]): a packaging change only when packing with it shows no map ships, and for an
/// inline map (no `.map` file to exclude) or beside the packaging change, the option of the
/// bundler this package builds with.
fn computed_help(
    snapshot: &dyn Snapshot,
    packlist: &Packlist,
    visibility: crate::config::Visibility,
    findings: &mut [Finding],
) {
    let is_map_rule = |f: &Finding| {
        f.is(&sourcemap::SOURCEMAP_SOURCES_CONTENT) || f.is(&sourcemap::SOURCEMAP_FILE)
    };
    if !findings.iter().any(is_map_rule) {
        return;
    }
    // `leakgate fix` applies exactly this change (it runs the same check).
    let packaging =
        fix::exclude_maps(snapshot, packlist).map(|p| format!("{p}; `leakgate fix` applies it"));
    let bundler = fix::bundler_option(&packlist.manifest);
    let stylesheets = fix::stylesheet_option(&packlist.manifest);
    for f in findings.iter_mut().filter(|f| is_map_rule(f)) {
        let map_file = f
            .file
            .as_deref()
            .is_some_and(|p| p.to_ascii_lowercase().ends_with(".map"));
        let css = f.file.as_deref().is_some_and(fix::is_stylesheet_map);
        let build = match if css { stylesheets } else { bundler } {
            Some(b) => b.to_string(),
            None if css => "build the stylesheets without embedded sources (Sass: no \
                            `--embed-sources`; PostCSS: `map: { sourcesContent: false }`)"
                .to_string(),
            // No bundler recognised: the option of each, Bun's being to drop the map.
            None => "build without embedded sources (esbuild `sourcesContent: false`, Rollup/Vite \
                     `sourcemapExcludeSources`, webpack `nosources-`, Bun: no `--sourcemap`)"
                .to_string(),
        };
        // One fix per line: the human report prints each as its own `= help:`.
        let help = match (
            &packaging,
            map_file,
            f.is(&sourcemap::SOURCEMAP_SOURCES_CONTENT),
        ) {
            (Some(p), true, true) => {
                let whose = match visibility {
                    crate::config::Visibility::Open => "open-source package",
                    crate::config::Visibility::Proprietary => "proprietary package",
                };
                format!("{whose}: {p}\nor {build}")
            }
            (Some(p), true, _) => p.clone(),
            // An inline map rides inside the code: no file to exclude, only the build.
            (_, false, _) => format!("inline map: {build}, or build without source maps"),
            (None, true, _) => build,
        };
        // The proprietary verdict is an inference: say how to declare the package open
        // when its sources are public anyway (a commercial licence, code published).
        let declare = if visibility == crate::config::Visibility::Proprietary
            && f.is(&sourcemap::SOURCEMAP_SOURCES_CONTENT)
        {
            let dir = if packlist.dir.is_empty() {
                "."
            } else {
                &packlist.dir
            };
            format!(
                "\nor, {}",
                crate::config::declare_open_help(packlist.name(), dir)
            )
        } else {
            String::new()
        };
        f.help = Some(format!("{help}{declare}"));
    }
}

/// Reads one packed file (whole, or streamed when big) and judges it: the source-map rules
/// with the package's view, and the content judge on its text and embedded sources.
fn audit_file(
    snapshot: &dyn Snapshot,
    file: &PackedFile,
    view: &sourcemap::PackageView<'_>,
    judge: &content::Judge<'_>,
) -> Result<Vec<Finding>, AuditError> {
    let read_err = |e: &dyn std::fmt::Display| AuditError::Read {
        path: file.source.clone(),
        message: e.to_string(),
    };
    // A panic on a worker thread, for the tests of the binary's panic handling.
    crate::debug_panic_at(&file.path);
    let mut out = Vec::new();
    let collect_embedded = |e: sourcemap::Embedded<'_>| -> Vec<Finding> {
        judge.text(&e.name, &embedded_text(e.text))
    };

    if file.size <= WHOLE_FILE_LIMIT {
        let bytes = snapshot
            .contents(&file.source, file.size)
            .map_err(|e| read_err(&e))?;
        match sourcemap::check_file(view, &file.path, &bytes, true, &mut out, &collect_embedded) {
            None => out.extend(judge.whole(&file.path, &bytes)),
            Some(masked) => out.extend(scan_outside(&bytes, &masked, &|piece| {
                judge.text(&file.path, piece)
            })),
        }
    } else {
        let mut reader = snapshot.open(&file.source).map_err(|e| read_err(&e))?;
        let streamed = judge
            .stream(&file.path, &mut *reader)
            .map_err(|e| read_err(&e))?;
        out.extend(streamed.findings);
        if streamed.map {
            out.push(big_map_finding(view, file, streamed.embeds));
        } else {
            let _ = sourcemap::check_file(
                view,
                &file.path,
                &streamed.tail,
                false,
                &mut out,
                &collect_embedded,
            );
        }
    }
    for f in &mut out {
        f.repo_path.get_or_insert_with(|| file.source.clone());
    }
    Ok(out)
}

/// An embedded source is text by declaration (a JSON string): a NUL near its start must not
/// make the content checks skip it as binary, so NULs become spaces (same positions).
pub fn embedded_text(text: &str) -> std::borrow::Cow<'_, [u8]> {
    let bytes = text.as_bytes();
    if secrets::is_binary(bytes) {
        std::borrow::Cow::Owned(
            bytes
                .iter()
                .map(|&b| if b == 0 { b' ' } else { b })
                .collect(),
        )
    } else {
        std::borrow::Cow::Borrowed(bytes)
    }
}

/// Runs `check` on a source map's JSON outside `masked` (its embedded sources, judged on
/// their own, and `mappings`): the `sources` and `names` lists, `file`, `sourceRoot` and
/// `x_*` extension keys are text that ships too. Each gap is checked on its own and its
/// findings' positions moved to the file's.
pub fn scan_outside(
    bytes: &[u8],
    masked: &[std::ops::Range<usize>],
    check: &dyn Fn(&[u8]) -> Vec<Finding>,
) -> Vec<Finding> {
    let mut ranges: Vec<std::ops::Range<usize>> = masked.to_vec();
    ranges.sort_by_key(|r| r.start);
    let mut out = Vec::new();
    let mut from = 0usize;
    let mut gaps = Vec::new();
    for r in ranges
        .iter()
        .chain(std::iter::once(&(bytes.len()..bytes.len())))
    {
        if r.start > from {
            gaps.push(from..r.start.min(bytes.len()));
        }
        from = from.max(r.end);
    }
    for gap in gaps {
        let piece = &bytes[gap.clone()];
        if piece.len() < 4 {
            continue;
        }
        let before = &bytes[..gap.start];
        let lines_before = memchr::memchr_iter(b'\n', before).count() as u32;
        let col_before = (gap.start - memchr::memrchr(b'\n', before).map_or(0, |p| p + 1)) as u32;
        for mut f in check(piece) {
            if f.line == Some(1) {
                f.column = f.column.map(|c| c.saturating_add(col_before));
            }
            f.line = f.line.map(|l| l.saturating_add(lines_before));
            out.push(f);
        }
    }
    out
}

/// The finding for a shipped source map too big to parse whole, from its streamed raw
/// JSON: embedded sources are `sourcemap/sources-content` (by the package's visibility, as
/// for any map), none seen is `sourcemap/file`.
fn big_map_finding(view: &sourcemap::PackageView<'_>, file: &PackedFile, embeds: bool) -> Finding {
    let size = crate::text::human_bytes(file.size);
    if embeds {
        let severity = match view.visibility {
            crate::config::Visibility::Proprietary => crate::report::Severity::Error,
            crate::config::Visibility::Open => crate::report::Severity::Warning,
        };
        Finding::new(
            &crate::checks::sourcemap::SOURCEMAP_SOURCES_CONTENT,
            format!(
                "{} embeds original sources ({size}; judged streaming, too big to parse whole)",
                file.path
            ),
        )
        .severity(severity)
        .file(&file.path)
        .exposes(file.size)
    } else {
        Finding::new(
            &crate::checks::sourcemap::SOURCEMAP_FILE,
            format!(
                "{} ships a source map ({size}; too big to parse whole, no embedded source seen)",
                file.path
            ),
        )
        .file(&file.path)
    }
}

/// Streams `reader` in chunks that end at a line break (so each chunk's line numbers are
/// an offset away from the file's), calling `each(chunk, lines_before)`. Binary content
/// (a NUL in the first 8 KiB) stops the read after the first chunk: nothing scans binary.
/// Returns the last chunk (the file's tail, for annotations).
pub fn stream_chunks(
    reader: &mut dyn Read,
    mut each: impl FnMut(&[u8], u32),
) -> std::io::Result<Vec<u8>> {
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + 64 * 1024);
    let mut lines_before: u32 = 0;
    let mut first = true;
    loop {
        let start = buf.len();
        buf.resize(CHUNK.max(start + 64 * 1024), 0);
        let mut filled = start;
        while filled < buf.len() {
            match reader.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let eof = filled < buf.len();
        buf.truncate(filled);
        if first {
            first = false;
            if memchr::memchr(0, &buf[..buf.len().min(8 * 1024)]).is_some() {
                return Ok(buf);
            }
        }
        if eof {
            each(&buf, lines_before);
            return Ok(buf);
        }
        // Cut after the last newline; a line longer than a chunk is cut where it is.
        let cut = memchr::memrchr(b'\n', &buf).map_or(buf.len(), |p| p + 1);
        each(&buf[..cut], lines_before);
        let n = memchr::memchr_iter(b'\n', &buf[..cut]).count();
        lines_before = lines_before.saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
        buf.drain(..cut);
    }
}

/// Whether a source map's raw JSON, fed chunk by chunk, embeds at least one source: a
/// `"sourcesContent"` key whose array holds a string. For maps too big to parse whole.
///
/// A state machine over the bytes, so the answer doesn't depend on where the chunks are
/// cut: it used to look at a 64-byte carry and the next chunk's first 256 bytes only, so
/// an array opening with a few dozen `null`s across a chunk boundary (`[null, null, …,
/// "src"]`) was read as holding no source, and a map embedding its sources passed as one
/// without (found by the `sourcemap` fuzz target).
#[derive(Default)]
pub struct SourcesMarker {
    phase: MarkerPhase,
    found: bool,
}

/// Where [`SourcesMarker`] is in the text.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
enum MarkerPhase {
    /// Looking for the key; this many of its bytes were the end of the last chunk.
    #[default]
    Key0,
    Key(usize),
    /// After the key: blanks, then `:`.
    Colon,
    /// After the `:`: blanks, then `[`.
    Bracket,
    /// Inside the array: a `"` before the `]` is an embedded source.
    Array,
}

const SOURCES_KEY: &[u8] = b"\"sourcesContent\"";

impl SourcesMarker {
    /// Feeds the next chunk.
    pub fn feed(&mut self, chunk: &[u8]) {
        let mut i = 0;
        while i < chunk.len() && !self.found {
            let c = chunk[i];
            match self.phase {
                MarkerPhase::Key0 => {
                    let rest = &chunk[i..];
                    match memchr::memmem::find(rest, SOURCES_KEY) {
                        Some(at) => {
                            i += at + SOURCES_KEY.len();
                            self.phase = MarkerPhase::Colon;
                        }
                        None => {
                            // The key's only `"`s are its first and last bytes: a cut key
                            // starts at the chunk's last `"`.
                            if let Some(q) = memchr::memrchr(b'"', rest) {
                                let tail = &rest[q..];
                                if tail.len() < SOURCES_KEY.len() && SOURCES_KEY.starts_with(tail) {
                                    self.phase = MarkerPhase::Key(tail.len());
                                }
                            }
                            i = chunk.len();
                        }
                    }
                }
                MarkerPhase::Key(matched) => {
                    if c == SOURCES_KEY[matched] {
                        i += 1;
                        self.phase = if matched + 1 == SOURCES_KEY.len() {
                            MarkerPhase::Colon
                        } else {
                            MarkerPhase::Key(matched + 1)
                        };
                    } else {
                        // No key can start inside the matched part (it has no other `"`):
                        // look again from this byte.
                        self.phase = MarkerPhase::Key0;
                    }
                }
                MarkerPhase::Colon | MarkerPhase::Bracket => {
                    let want = if self.phase == MarkerPhase::Colon {
                        b':'
                    } else {
                        b'['
                    };
                    if c.is_ascii_whitespace() {
                        i += 1;
                    } else if c == want {
                        i += 1;
                        self.phase = if want == b':' {
                            MarkerPhase::Bracket
                        } else {
                            MarkerPhase::Array
                        };
                    } else {
                        self.phase = MarkerPhase::Key0; // this byte may open another key
                    }
                }
                MarkerPhase::Array => match memchr::memchr2(b'"', b']', &chunk[i..]) {
                    // The first entries may be `null`: any string before the array ends counts.
                    Some(at) if chunk[i + at] == b'"' => self.found = true,
                    Some(at) => {
                        i += at + 1;
                        self.phase = MarkerPhase::Key0;
                    }
                    None => i = chunk.len(),
                },
            }
        }
    }

    /// Whether any chunk so far showed an embedded source.
    pub fn found(&self) -> bool {
        self.found
    }
}

/// Many files pointing at maps that don't ship is one decision (maps excluded on purpose,
/// comments left in): past a few, report it once with a count instead of once per file.
fn fold_dangling(findings: &mut Vec<Finding>) {
    const KEEP: usize = 3;
    let n = findings
        .iter()
        .filter(|f| f.is(&sourcemap::SOURCEMAP_DANGLING_URL))
        .count();
    if n <= KEEP {
        return;
    }
    let mut first: Option<Finding> = None;
    findings.retain(|f| {
        if !f.is(&sourcemap::SOURCEMAP_DANGLING_URL) {
            return true;
        }
        if first.is_none() {
            first = Some(f.clone());
        }
        false
    });
    if let Some(mut f) = first {
        f.message = format!(
            "{} files point at source maps the package does not ship, e.g. {}",
            crate::text::thousands(n),
            f.message
        );
        findings.push(f);
    }
}

/// `pack/lifecycle-scripts`: scripts npm runs while packing.
fn lifecycle_scripts(packlist: &Packlist) -> Vec<Finding> {
    let Some(scripts) = packlist.manifest.get("scripts").and_then(|s| s.as_object()) else {
        return Vec::new();
    };
    let present: Vec<&str> = ["prepack", "prepare", "prepublishOnly", "prepublish"]
        .into_iter()
        .filter(|s| {
            scripts
                .get(*s)
                .and_then(|v| v.as_str())
                .is_some_and(|v| !v.trim().is_empty() && !installs_git_hooks_only(v))
        })
        .collect();
    if present.is_empty() {
        return Vec::new();
    }
    vec![Finding::new(
        &PACK_LIFECYCLE_SCRIPTS,
        format!(
            "package.json runs `{}` when packing: the published tarball may contain files this audit did not see",
            present.join("`, `")
        ),
    )
    .file("package.json")
    .help("build before pushing, and audit the real tarball in CI: `npm pack && leakgate audit --tarball *.tgz`")]
}

/// True for a script that only installs git hooks: `husky` (v9), `husky install [DIR]`
/// (v5-8), `lefthook install`, `simple-git-hooks`, husky's `node .husky/install.mjs`,
/// through `npx`/`pnpm exec`/`yarn`/`bunx`, after `cd DIR`, and with guards like `is-ci ||`
/// or `|| true`. husky's setup puts `"prepare": "husky"` in the package.json, and what it
/// writes (`.husky/_/`, kept out by its own `*` .gitignore) never ships: no reason to warn
/// that packing may differ from the audit.
fn installs_git_hooks_only(script: &str) -> bool {
    let plain = |w: &str| {
        w.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._/-".contains(&b))
    };
    let mut installs = false;
    for part in script.replace("&&", ";").replace("||", ";").split(';') {
        let words: Vec<&str> = part.split_whitespace().collect();
        let mut w: &[&str] = &words;
        loop {
            w = match w {
                ["npx", "--no" | "--no-install", rest @ ..] | ["pnpm", "exec", rest @ ..] => rest,
                ["npx" | "bunx" | "yarn", rest @ ..] => rest,
                _ => break,
            };
        }
        match w {
            [] | ["is-ci"] | ["true"] | [":"] | ["exit", "0"] => {}
            ["cd", dir] if plain(dir) => {}
            ["husky"]
            | ["husky", "install"]
            | ["lefthook", "install"]
            | ["simple-git-hooks"]
            | ["node", ".husky/install.mjs"] => installs = true,
            ["husky", "install", dir] if plain(dir) => installs = true,
            _ => return false,
        }
    }
    installs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packlist::PackedFile;

    #[test]
    fn hook_installers_are_not_packing_scripts() {
        for script in [
            "husky",
            "npx husky",
            "husky install",
            "husky install .config/husky",
            "cd .. && husky install frontend/.husky",
            "is-ci || husky install",
            "husky || true",
            "node .husky/install.mjs",
            "lefthook install",
            "pnpm exec simple-git-hooks",
        ] {
            assert!(installs_git_hooks_only(script), "{script}");
        }
        for script in [
            "",
            "true",
            "npm run build",
            "husky && npm run build",
            "tsc; husky",
            "husky install > log.txt",
            "husky install $(pwd)",
            "husky | tee x",
            "bun run build --sourcemap",
        ] {
            assert!(!installs_git_hooks_only(script), "{script}");
        }
    }
    use crate::snapshot::worktree::Worktree;

    const TOKEN: &str = "ghp_Zq8vN3kLmP2xR7tY4wB9cD1fG6hJ0sA5eU2i";

    /// The codename automaton is built once per run and shared by every package: building
    /// it for each one cost 20 s for 2,000 packages with 2,000 codenames (issue 13).
    #[test]
    fn codenames_compile_once_per_run_not_per_package() {
        let config = Config {
            codenames: vec!["Nightjar".into(), "Orchid".into()],
            ..Config::default()
        };
        let before = codename::builds_on_this_thread();
        let checks = Checks::new(&config).unwrap();
        assert_eq!(
            codename::builds_on_this_thread() - before,
            1,
            "one build per run"
        );
        let built = codename::builds_on_this_thread();
        let mut names = 0;
        for i in 0..3 {
            let p = Packlist {
                publisher: crate::packlist::Publisher::Npm,
                dir: format!("p{i}"),
                from: format!("p{i}"),
                manifest: serde_json::json!({"name": format!("p{i}"), "version": "1.0.0"}),
                files: vec![PackedFile {
                    path: "dist/nightjar.js".into(),
                    source: format!("p{i}/dist/nightjar.js"),
                    size: 1,
                    mode: 0o644,
                }],
            };
            for check in &checks.packlist {
                names += check(&p, &config)
                    .iter()
                    .filter(|f| f.rule == "codename")
                    .count();
            }
        }
        assert_eq!(names, 3, "each package's file name is still judged");
        assert_eq!(
            codename::builds_on_this_thread(),
            built,
            "no build per package"
        );
    }

    /// A big file scanned in pieces finds exactly what one whole-buffer scan finds, with the
    /// same lines and columns, including multi-line key blocks cut by a piece boundary.
    #[test]
    fn big_files_scanned_in_pieces_match_one_whole_scan() {
        let mut x = 0x9E37_79B9_7F4A_7C15_u64;
        let b64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut text = String::new();
        let mut blocks = 0;
        while text.len() < 9 * 1024 * 1024 {
            for _ in 0..40 {
                text.push_str("  const value = compute(input, options);\n");
            }
            let mut body = String::new();
            for line in 0..10 {
                for _ in 0..64 {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    body.push(b64[(x % 64) as usize] as char);
                }
                if line < 9 {
                    body.push('\n');
                }
            }
            text.push_str(&format!(
                "-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\n"
            ));
            text.push_str(&format!("const t = \"{TOKEN}\";\n"));
            blocks += 1;
        }
        let checks = Checks::new(&Config::default()).unwrap();
        let key = |f: &Finding| (f.rule.clone(), f.line, f.column);
        let judge = content::Judge::new(checks.content.iter().map(|c| c.as_ref()), Origin::Packed);
        let mut pieces: Vec<_> = judge
            .whole("dist/big.js", text.as_bytes())
            .iter()
            .map(key)
            .collect();
        let mut whole: Vec<_> = checks
            .content
            .iter()
            .flat_map(|c| c.check("dist/big.js", text.as_bytes()))
            .map(|f| key(&f))
            .collect();
        pieces.sort();
        whole.sort();
        assert_eq!(whole.len(), 2 * blocks, "every key block and token found");
        let missed: Vec<_> = whole
            .iter()
            .filter(|k| !pieces.contains(k))
            .take(5)
            .collect();
        assert!(
            pieces == whole,
            "{} findings in pieces, {} in one scan; missed e.g. {missed:?}",
            pieces.len(),
            whole.len()
        );
    }

    fn packlist(dir: &Path, manifest: serde_json::Value) -> Packlist {
        let mut files = Vec::new();
        let mut stack = vec![String::new()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(dir.join(&d)).unwrap() {
                let e = e.unwrap();
                let p = crate::snapshot::join(&d, &e.file_name().into_string().unwrap());
                if e.file_type().unwrap().is_dir() {
                    stack.push(p);
                } else {
                    files.push(PackedFile {
                        path: p.clone(),
                        source: p,
                        size: e.metadata().unwrap().len(),
                        mode: 0o644,
                    });
                }
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Packlist {
            publisher: crate::packlist::Publisher::Npm,
            dir: String::new(),
            from: String::new(),
            manifest,
            files,
        }
    }

    use std::path::Path;

    #[test]
    fn claude_code_pattern_blocks_and_embedded_secrets_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let auth = format!("export const a = 1;\nconst TOKEN = \"{TOKEN}\";\n");
        let map = serde_json::json!({
            "version": 3,
            "sources": ["../src/auth.ts", "../src/main.ts"],
            "sourcesContent": [auth, "console.log('hi');\n"],
            "mappings": "AAAA",
            "names": []
        });
        std::fs::create_dir_all(dir.path().join("dist")).unwrap();
        std::fs::write(dir.path().join("dist/cli.js.map"), map.to_string()).unwrap();
        std::fs::write(
            dir.path().join("dist/cli.js"),
            "console.log('hi');\n//# sourceMappingURL=cli.js.map\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("package.json"), "{}").unwrap();
        let manifest = serde_json::json!({
            "name": "@acme/cli", "version": "2.1.88", "license": "SEE LICENSE IN README.md",
            "files": ["dist"], "scripts": {"prepack": "bun run build"}
        });
        let pl = packlist(dir.path(), manifest);
        let config = Config::default();
        let checks = Checks::new(&config).unwrap();
        let snap = Worktree::new(dir.path());
        let findings = audit_package(&snap, &pl, &config, &checks).unwrap();
        let leak = findings
            .iter()
            .find(|f| f.rule == "sourcemap/sources-content")
            .expect("sources-content");
        assert_eq!(leak.severity, Severity::Error);
        assert_eq!(leak.package.as_deref(), Some("@acme/cli"));
        assert_eq!(leak.repo_path.as_deref(), Some("dist/cli.js.map"));
        let secret = findings
            .iter()
            .find(|f| f.rule.starts_with("secret/"))
            .unwrap_or_else(|| panic!("no secret finding: {findings:#?}"));
        assert_eq!(secret.file.as_deref(), Some("dist/cli.js.map!src/auth.ts"));
        assert_eq!(secret.line, Some(2));
        assert!(
            !format!("{secret:?}").contains(&TOKEN[8..]),
            "secret not redacted"
        );
        assert!(findings.iter().any(|f| f.rule == "pack/lifecycle-scripts"));
    }

    #[test]
    fn clean_package_has_no_findings() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("dist")).unwrap();
        std::fs::write(dir.path().join("dist/index.js"), "module.exports = 1;\n").unwrap();
        std::fs::write(dir.path().join("package.json"), "{}").unwrap();
        let manifest = serde_json::json!({"name": "ok", "version": "1.0.0"});
        let pl = packlist(dir.path(), manifest);
        let config = Config::default();
        let checks = Checks::new(&config).unwrap();
        let findings = audit_package(&Worktree::new(dir.path()), &pl, &config, &checks).unwrap();
        assert!(findings.is_empty(), "{findings:#?}");
    }

    #[test]
    fn many_dangling_urls_fold_into_one_finding() {
        let d = |i: usize| {
            Finding::new(
                &crate::checks::sourcemap::SOURCEMAP_DANGLING_URL,
                format!("dist/{i}.js: x"),
            )
            .file(format!("dist/{i}.js"))
        };
        let mut few: Vec<Finding> = (0..3).map(d).collect();
        fold_dangling(&mut few);
        assert_eq!(few.len(), 3);
        let mut many: Vec<Finding> = (0..40).map(d).collect();
        many.push(Finding::named("secret/x", "s"));
        fold_dangling(&mut many);
        assert_eq!(many.len(), 2);
        assert!(
            many[1].message.starts_with("40 files point at"),
            "{}",
            many[1].message
        );
    }

    #[test]
    fn streamed_chunks_end_at_lines_and_count_them() {
        let text: String = (0..3_000_000).map(|i| format!("line {i}\n")).collect();
        let mut seen = Vec::new();
        let tail = stream_chunks(&mut text.as_bytes(), |chunk, before| {
            assert!(chunk.ends_with(b"\n"));
            let first = std::str::from_utf8(&chunk[..20])
                .unwrap()
                .lines()
                .next()
                .unwrap()
                .to_string();
            seen.push((before, first));
        })
        .unwrap();
        assert!(seen.len() >= 3, "{}", seen.len());
        for (before, first) in &seen {
            assert_eq!(first, &format!("line {before}"));
        }
        assert!(tail.ends_with(b"line 2999999\n"));
    }

    #[test]
    fn binary_streams_stop_after_the_first_chunk() {
        struct Zeros(u64);
        impl Read for Zeros {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = (buf.len() as u64).min(self.0) as usize;
                buf[..n].fill(0);
                self.0 -= n as u64;
                Ok(n)
            }
        }
        let mut calls = 0;
        let mut z = Zeros(4 << 30);
        stream_chunks(&mut z, |_, _| calls += 1).unwrap();
        assert_eq!(calls, 0);
        assert!(z.0 > (3 << 30), "read too much: {} left", z.0);
    }

    #[test]
    fn sources_marker_sees_embedded_sources_across_chunks() {
        let mut m = SourcesMarker::default();
        m.feed(br#"{"version":3,"sources":["a.ts"],"sourcesCon"#);
        m.feed(br#"tent": [null, "export const a = 1;"],"mappings":"AAAA"}"#);
        assert!(m.found());
        // Near misses: the key with an empty or all-null array, or no key at all.
        for text in [
            &br#"{"sources":["a.ts"],"sourcesContent":[],"mappings":""}"#[..],
            br#"{"sources":["a.ts"],"sourcesContent": [null, null],"mappings":""}"#,
            br#"{"sources":["a.ts"],"mappings":"AAAA"}"#,
        ] {
            let mut m = SourcesMarker::default();
            m.feed(text);
            assert!(!m.found(), "{}", String::from_utf8_lossy(text));
        }
    }

    /// Regression (fuzz target `sourcemap`): an array that opens with many `null`s, cut by a
    /// chunk boundary inside them, was read as holding no source.
    #[test]
    fn sources_marker_sees_a_source_after_nulls_across_a_chunk_boundary() {
        let nulls = "null, ".repeat(40);
        let text = format!(r#"{{"sourcesContent" : [ {nulls}"x"], "sources":[], "mappings":""}}"#);
        let cut = text.find("null").unwrap() + 3 * 6;
        let mut m = SourcesMarker::default();
        m.feed(&text.as_bytes()[..cut]);
        m.feed(&text.as_bytes()[cut..]);
        assert!(m.found());
        // The near miss: the same nulls and no string before the array ends.
        let text =
            format!(r#"{{"sourcesContent" : [ {nulls}null], "sources":["x"], "mappings":""}}"#);
        let mut m = SourcesMarker::default();
        m.feed(&text.as_bytes()[..cut]);
        m.feed(&text.as_bytes()[cut..]);
        assert!(!m.found());
    }

    /// Wherever the stream is cut (every one- and two-cut split), the answer is the
    /// one-chunk answer, on texts where the key, the blanks, the `:`/`[` or the first
    /// string sit at the boundary, and on texts that almost hold a source.
    #[test]
    fn sources_marker_answer_does_not_depend_on_the_cuts() {
        let texts: [(&[u8], bool); 8] = [
            (br#"{"sourcesContent"  :  [ null ,"a"]}"#, true),
            (
                br#"{"sourcesContent":[null],"x":"sourcesContent","y":["s"]}"#,
                false,
            ),
            (br#""sourcesContent" "sourcesContent": ["a"]"#, true),
            (br#""sourcesContent": "sourcesContent": ["a"]"#, true),
            (br#""sourcesConten"sourcesContent":["a"]"#, true),
            (br#""sourcesContent"x:["a"]"#, false),
            (br#""sourcesContent":["#, false),
            (br#"[]"sourcesContent"][:["a"]"#, false),
        ];
        for (text, want) in texts {
            let shown = String::from_utf8_lossy(text);
            let mut whole = SourcesMarker::default();
            whole.feed(text);
            assert_eq!(whole.found(), want, "{shown}");
            for a in 0..=text.len() {
                for b in a..=text.len() {
                    let mut m = SourcesMarker::default();
                    m.feed(&text[..a]);
                    m.feed(&text[a..b]);
                    m.feed(&text[b..]);
                    assert_eq!(m.found(), want, "{shown} cut at {a}, {b}");
                }
            }
        }
    }
}
