//! Source-map rules: maps that ship, embed the original sources, point off-package,
//! dangle, or reveal the build machine's paths.
//!
//! Maps are parsed, never guessed from names: `.map` files, inline `data:` maps in
//! `.js/.mjs/.cjs/.css` files (trailing or inside webpack `eval` strings), WebAssembly's
//! `sourceMappingURL` section, index maps' sections, and maps under other names (found by
//! content). Nothing here decodes `mappings` (see [`scan`]).

pub mod annotation;
pub mod data_url;
pub mod scan;
pub mod url;

use crate::config::{SourcemapSettings, Visibility};
use crate::report::{Finding, Severity};
use crate::rules::{Alias, Rule};
use crate::text::{human_bytes, thousands};
use rayon::prelude::*;
use std::collections::HashMap;
use url::Target;

/// `sourcemap/sources-content`: a shipped source map embeds original sources the package does not otherwise ship
pub static SOURCEMAP_SOURCES_CONTENT: Rule = Rule {
    id: "sourcemap/sources-content",
    default_severity: Severity::Error,
    summary: "a shipped source map embeds original sources the package does not otherwise ship",
    explanation: "A source map's `sourcesContent` holds the full text of every original source \
        file. Shipped in a package (a `.map` file, an inline `data:` map, an index map's \
        sections, or a map under another name), it publishes that code to anyone who runs \
        `npm pack` or opens the registry's code tab: the March 2026 leak of a CLI's whole \
        TypeScript source (about 1,900 files) was one `cli.js.map`. Bun always embeds \
        sources; esbuild, Vite, Rollup, tsup, swc, Babel, Parcel and webpack (without \
        `nosources-`) do by default. Sources identical to files the package ships anyway and \
        bundled third-party code (`node_modules`, webpack's runtime) are not counted. An \
        error for proprietary packages; a warning for open-source ones (an OSI licence and a \
        `repository`), whose sources are public anyway. The same map staged by the pre-commit \
        hook (`is staged`) or in the commits of a push (`is pushed`) is this rule too, judged \
        by the package that would publish it, and a note when no package would (a test \
        fixture: the sources are the repository's anyway); `staged/sourcemap`, the id the \
        pre-commit review used before, is another name for it.",
    fix: "Don't ship the map (`\"files\": [\"dist/**/*.js\"]` or `!*.map` in `files`, or `*.map` \
        in .npmignore), or build without sources (`sourcesContent: false` in esbuild, \
        `sourcemapExcludeSources` in Rollup/Vite, `nosources-` devtools in webpack, \
        `inlineSourcesContent: false` in swc; Bun can't: don't ship Bun maps).",
};

/// `staged/sourcemap`, the pre-commit review's old id of [`SOURCEMAP_SOURCES_CONTENT`].
pub static STAGED_SOURCEMAP: Alias = Alias {
    id: "staged/sourcemap",
    rule: &SOURCEMAP_SOURCES_CONTENT,
    note: "The pre-commit review reported a staged map embedding sources as `staged/sourcemap` \
        until the same map got one rule id at commit, at push and in the package. A \
        leakgate.toml that names `staged/sourcemap` (`[rules]`, `[[package]] rules`, \
        `[[allow]] rule`) still works and means `sourcemap/sources-content` at all three.",
};

/// `sourcemap/sources-differ`: a shipped source map embeds an older revision of a file the package ships
pub static SOURCEMAP_SOURCES_DIFFER: Rule = Rule {
    id: "sourcemap/sources-differ",
    default_severity: Severity::Warning,
    summary: "a shipped source map embeds an older revision of a file the package ships",
    explanation: "The map embeds a source at a path the package also ships, with other \
        content that shares most of its lines: an older revision of the same file, usually a \
        map left over from an earlier build. The file itself ships, so this is not a leak of \
        unpublished sources, but the map discloses code the package no longer ships and \
        debuggers show the wrong text. Not an error, whatever the package's visibility; a \
        map that embeds text unlike the shipped file at that path is judged as \
        `sourcemap/sources-content`.",
    fix: "Rebuild so maps and outputs come from the same build (clean the output directory \
        first), or don't ship the map.",
};

/// `sourcemap/file`: a source map ships in the package
pub static SOURCEMAP_FILE: Rule = Rule {
    id: "sourcemap/file",
    default_severity: Severity::Warning,
    summary: "a source map ships in the package",
    explanation: "Even without embedded sources a map reveals file names, the source layout and \
        identifier names, and a later build-config change can make it embed everything. Teams \
        that want no maps at all raise this rule to `error`.",
    fix: "Exclude maps from the package, or set `[sourcemaps] allow-without-sources-content = \
        true` to accept maps that embed no sources.",
};

/// `sourcemap/external-url`: a sourceMappingURL or sourceRoot points outside the package
pub static SOURCEMAP_EXTERNAL_URL: Rule = Rule {
    id: "sourcemap/external-url",
    default_severity: Severity::Error,
    summary: "a sourceMappingURL or sourceRoot points outside the package",
    explanation:
        "A `sourceMappingURL` (or a map's `sourceRoot`) that is an http(s) URL, `//host`, \
        a `file:` URL, an absolute path or a `../` path climbing out of the package sends \
        debuggers (and anyone curious) elsewhere: to a server that may serve the full sources, \
        or to the build machine's layout. The 2026 leak's map also referenced a ZIP of the \
        sources in a public Cloudflare R2 bucket; archives and storage buckets are called out.",
    fix: "Emit relative URLs to maps that ship (or none: `hidden` source maps), drop \
        `sourceRoot`/`sourcemapBaseUrl`, and make sure any bucket holding sources is private.",
};

/// `sourcemap/dangling-url`: a sourceMappingURL points at a map the package does not ship
pub static SOURCEMAP_DANGLING_URL: Rule = Rule {
    id: "sourcemap/dangling-url",
    default_severity: Severity::Warning,
    summary: "a sourceMappingURL points at a map the package does not ship",
    explanation: "The file names a map that is not in the package. Harmless for secrecy, but \
        tools print 404s, and it often means the map exists in the build output and was \
        excluded by accident of ignore rules that may change.",
    fix: "Build with `hidden` maps (no comment) when maps are not shipped, or ship the map \
        without sources.",
};

/// `sourcemap/local-paths`: a source map's sources reveal absolute or home-directory paths
pub static SOURCEMAP_LOCAL_PATHS: Rule = Rule {
    id: "sourcemap/local-paths",
    default_severity: Severity::Warning,
    summary: "a source map's sources reveal absolute or home-directory paths",
    explanation:
        "Absolute `sources` (`/home/alice/…`, `/Users/bob/…`, `C:\\Users\\…`, `file:///…`) \
        publish user names and the build machine's directory layout.",
    fix: "Make sources relative (esbuild `sourceRoot`, webpack \
        `devtoolModuleFilenameTemplate`, Rollup `sourcemapPathTransform`), or don't ship the map.",
};

/// `sourcemap/invalid`: a shipped source map can't be read, so leakgate can't say what it embeds
pub static SOURCEMAP_INVALID: Rule = Rule {
    id: "sourcemap/invalid",
    default_severity: Severity::Error,
    summary: "a shipped source map can't be read, so leakgate can't say what it embeds",
    explanation: "A `.map` file (or an inline map) that is not valid source-map JSON. It may be \
        truncated or corrupt, and may still hold sources; leakgate reports the position of \
        the first error rather than guess.",
    fix: "Fix or regenerate the map, or exclude it from the package.",
};

/// Reads a packed file by package path (`None` when it can't be read).
pub type ReadFn<'a> = Box<dyn Fn(&str) -> Option<Vec<u8>> + Send + Sync + 'a>;

/// What the source-map checks know about the package being audited.
pub struct PackageView<'a> {
    /// Severity of `sourcemap/sources-content` follows this.
    pub visibility: Visibility,
    /// `[sourcemaps]` settings.
    pub settings: &'a SourcemapSettings,
    /// Every packed path with its size.
    files: HashMap<String, u64>,
    /// Packed paths by size, to find a file identical to an embedded source cheaply.
    by_size: HashMap<u64, Vec<String>>,
    /// Reads a packed file (for the rare content comparisons).
    read: ReadFn<'a>,
}

impl<'a> PackageView<'a> {
    /// A view of a package from its packed `(path, size)` pairs and a reader for them.
    pub fn new(
        visibility: Visibility,
        settings: &'a SourcemapSettings,
        files: impl IntoIterator<Item = (String, u64)>,
        read: ReadFn<'a>,
    ) -> Self {
        let files: HashMap<String, u64> = files.into_iter().collect();
        let mut by_size: HashMap<u64, Vec<String>> = HashMap::new();
        for (path, size) in &files {
            by_size.entry(*size).or_default().push(path.clone());
        }
        PackageView {
            visibility,
            settings,
            files,
            by_size,
            read,
        }
    }

    /// True when the package ships `path`.
    pub fn ships(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// True when some shipped file has exactly these bytes (checked at `hint` first).
    fn ships_content(&self, hint: Option<&str>, content: &[u8]) -> bool {
        let len = content.len() as u64;
        let same = |p: &str| (self.read)(p).is_some_and(|b| b == content);
        if let Some(h) = hint {
            if self.files.get(h) == Some(&len) && same(h) {
                return true;
            }
        }
        self.by_size
            .get(&len)
            .is_some_and(|paths| paths.iter().any(|p| Some(p.as_str()) != hint && same(p)))
    }

    /// True when the package ships `path` with other content that is recognisably an older
    /// or newer revision of `content`: at least half of `content`'s non-blank lines appear in
    /// the shipped file. The likeness test keeps a map from hiding original sources under
    /// the name of some shipped file (its own bundle, say), which shares no lines with them.
    fn ships_revision(&self, path: &str, content: &str) -> bool {
        if !self.ships(path) {
            return false;
        }
        let Some(shipped) = (self.read)(path) else {
            return false;
        };
        let shipped = String::from_utf8_lossy(&shipped);
        let shipped_lines: std::collections::HashSet<&str> = shipped
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let (mut total, mut shared) = (0usize, 0usize);
        for line in content.lines().map(str::trim).filter(|l| !l.is_empty()) {
            total += 1;
            shared += usize::from(shipped_lines.contains(line));
        }
        total > 0 && shared * 2 >= total
    }
}

/// What kind of file a packed path is, for the source-map checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// `*.map`.
    Map,
    /// `.js`, `.mjs`, `.cjs`, `.jsx`, `.ts`, `.tsx`, `.mts`, `.cts`, `.html`, `.htm`.
    Js,
    /// `.css`.
    Css,
    /// `.wasm`.
    Wasm,
    /// Anything else (sniffed for maps by content).
    Other,
}

/// The kind of `path` by its extension.
pub fn kind(path: &str) -> FileKind {
    let lower = path.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "map" => FileKind::Map,
        // Anything a browser or node runs (or a dev server serves) can end in a
        // `//# sourceMappingURL=` comment or hold a `data:` map: TypeScript and JSX files
        // shipped as-is, and HTML pages with inline scripts.
        "js" | "mjs" | "cjs" | "jsx" | "ts" | "tsx" | "mts" | "cts" | "html" | "htm" => {
            FileKind::Js
        }
        "css" => FileKind::Css,
        "wasm" => FileKind::Wasm,
        _ => FileKind::Other,
    }
}

/// An embedded source handed to the caller for content scanning (secrets, codenames).
pub struct Embedded<'s> {
    /// `dist/cli.js.map!src/auth.ts`: the map's file, `!`, the source's name.
    pub name: String,
    /// The source text.
    pub text: &'s str,
}

/// An embedded source the package doesn't otherwise ship: its name and size in bytes.
type Leaked = (String, usize);

/// What one embedded source turned out to be.
enum Verdict {
    /// The same bytes ship anyway, or it is third-party code: nothing to say.
    Public,
    /// Another revision of a file the package ships at that path.
    Differs(String),
    /// Original source the package doesn't otherwise ship.
    Leaked(Leaked),
}

/// What the caller runs on each embedded source (secrets, codenames): called from several
/// threads at once, so it returns its findings instead of collecting them.
pub type EmbeddedCheck<'c> = dyn Fn(Embedded<'_>) -> Vec<Finding> + Sync + 'c;

/// Runs the source-map rules on one packed file.
///
/// `bytes` is the whole file, except that for big generated files the caller may pass only
/// the tail (`whole == false`): annotations are found at the end, and a `.map` or inline
/// map that doesn't fit is reported rather than guessed. Embedded sources that the package
/// doesn't otherwise ship are passed to `embedded` so the caller scans them too; its
/// findings are added to `out`.
///
/// Returns `Some(masked)` when the whole file is a source map that was read: its embedded
/// sources went to `embedded`, so the caller scans the rest of the JSON (`sources`, `names`,
/// `x_*` keys…) with the `masked` ranges (embedded sources, `mappings`) left out, instead of
/// scanning the raw file again.
pub fn check_file(
    view: &PackageView<'_>,
    path: &str,
    bytes: &[u8],
    whole: bool,
    out: &mut Vec<Finding>,
    embedded: &EmbeddedCheck<'_>,
) -> Option<Vec<std::ops::Range<usize>>> {
    // A whole map saved under another name (`cli.js` holding the map's JSON, `.css`, `.wasm`)
    // is what a consumer pointed at it reads: judge it as a map.
    if whole
        && kind(path) != FileKind::Map
        && kind(path) != FileKind::Other
        && scan::might_be_map(bytes)
    {
        if let Ok(map) = scan::parse(bytes) {
            if map.looks_like_map() {
                judge_map(view, path, false, &[(bytes, &map)], out, embedded);
                return Some(map.masked);
            }
        }
    }
    match kind(path) {
        FileKind::Map => {
            if !whole {
                out.push(
                    Finding::new(
                        &SOURCEMAP_INVALID,
                        format!("{path} is too big to read whole"),
                    )
                    .file(path),
                );
                return None;
            }
            match scan::parse(bytes) {
                Ok(map) => {
                    judge_map(view, path, false, &[(bytes, &map)], out, embedded);
                    return Some(map.masked);
                }
                Err(e) => out.push(invalid(path, bytes, &e, false)),
            }
        }
        FileKind::Js | FileKind::Css => {
            let ann = if kind(path) == FileKind::Js {
                annotation::js_annotation(bytes)
            } else {
                annotation::css_annotation(bytes)
            };
            // (decoded bytes, parsed map, found only inside the code): a data URL inside the
            // code is a map when it decodes to one (webpack's `eval` devtool), but bundlers'
            // own sources also *build* such URLs in strings (`"…base64," + toBase64(map)`),
            // which are not maps and not findings. Only the file's real annotation must read.
            let mut inline: Vec<(Vec<u8>, Result<scan::SourceMap, String>, bool)> = Vec::new();
            let mut decode_inline = |url: &str, in_code: bool| match data_url::decode(url) {
                Ok(d) => {
                    let parsed = scan::parse(&d.bytes).map_err(|e| {
                        let (l, c) = e.line_col(&d.bytes);
                        format!("{}:{l}:{c} of the decoded map", e.message)
                    });
                    inline.push((d.bytes, parsed, in_code));
                }
                Err(e) => inline.push((Vec::new(), Err(e.to_string()), in_code)),
            };
            if let Some(a) = &ann {
                if data_url::is_data_url(&a.url) {
                    decode_inline(&a.url, false);
                } else {
                    judge_url(
                        view,
                        path,
                        &a.url,
                        "sourceMappingURL",
                        Some(a.line(bytes)),
                        out,
                    );
                }
            }
            if kind(path) == FileKind::Js {
                for r in annotation::embedded_data_urls(bytes) {
                    if ann.as_ref().is_some_and(|a| a.span == r) {
                        continue;
                    }
                    decode_inline(&String::from_utf8_lossy(&bytes[r]), true);
                }
            }
            let mut maps = Vec::new();
            for (buf, parsed, in_code) in &inline {
                match parsed {
                    Ok(m) if m.looks_like_map() => maps.push((buf.as_slice(), m)),
                    Ok(_) => {}
                    Err(_) if *in_code => {}
                    Err(msg) => out.push(
                        Finding::new(
                            &SOURCEMAP_INVALID,
                            format!("{path} has an inline source map that can't be read: {msg}"),
                        )
                        .file(path),
                    ),
                }
            }
            if !maps.is_empty() {
                judge_map(view, path, true, &maps, out, embedded);
            }
        }
        FileKind::Wasm => {
            if let Some(u) = annotation::wasm_annotation(bytes) {
                if data_url::is_data_url(&u) {
                    if let Ok(d) = data_url::decode(&u) {
                        if let Ok(m) = scan::parse(&d.bytes) {
                            judge_map(view, path, true, &[(&d.bytes, &m)], out, embedded);
                        }
                    }
                } else {
                    judge_url(view, path, &u, "sourceMappingURL", None, out);
                }
            }
        }
        FileKind::Other => {
            if whole && scan::might_be_map(bytes) {
                if let Ok(map) = scan::parse(bytes) {
                    if map.looks_like_map() {
                        judge_map(view, path, false, &[(bytes, &map)], out, embedded);
                        return Some(map.masked);
                    }
                }
            }
        }
    }
    None
}

fn invalid(path: &str, buf: &[u8], e: &scan::MapError, _inline: bool) -> Finding {
    let (line, col) = e.line_col(buf);
    Finding::new(
        &SOURCEMAP_INVALID,
        format!(
            "{path} is not a valid source map: {}",
            e.message.split(" at byte").next().unwrap_or("")
        ),
    )
    .file(path)
    .at(
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(col).unwrap_or(u32::MAX),
    )
}

/// Judges a `sourceMappingURL` (or `sourceRoot`) found in `path`.
fn judge_url(
    view: &PackageView<'_>,
    path: &str,
    reference: &str,
    field: &str,
    line: Option<u32>,
    out: &mut Vec<Finding>,
) {
    let at = |f: Finding| match line {
        Some(l) => f.at(l, 1),
        None => f,
    };
    match url::classify(reference, path) {
        Target::Data | Target::OtherScheme => {}
        Target::Inside(target) => {
            if field == "sourceMappingURL" && !view.ships(&target) {
                out.push(at(Finding::new(
                    &SOURCEMAP_DANGLING_URL,
                    format!("{path}: {field} points at {target}, which the package does not ship"),
                )
                .file(path)
                .help(
                    "build with hidden source maps (no comment) when the maps don't ship",
                )));
            }
        }
        Target::Escapes => out.push(at(Finding::new(
            &SOURCEMAP_EXTERNAL_URL,
            format!("{path}: {field} `{reference}` climbs out of the package"),
        )
        .file(path)
        .help("make the URL relative to a file the package ships, or remove it"))),
        Target::Local => out.push(at(Finding::new(
            &SOURCEMAP_EXTERNAL_URL,
            format!("{path}: {field} `{reference}` is an absolute path on the build machine"),
        )
        .file(path)
        .help("make the URL relative to a file the package ships, or remove it"))),
        // A dev server on the build machine (`http://localhost:5173/…`): nobody who installs
        // the package can fetch anything from it.
        Target::Remote(r) if is_loopback(&r.host) => {}
        Target::Remote(r) => {
            let what = match (r.archive, r.bucket) {
                (true, Some(b)) => format!("an archive in a {b} storage bucket"),
                (true, None) => "an archive".to_string(),
                (false, Some(b)) => format!("a {b} storage bucket"),
                (false, None) => format!("a remote host ({})", r.host),
            };
            let loud = r.archive || r.bucket.is_some();
            let help = if loud {
                "anyone who installs the package can fetch what it points at: remove the URL, and \
                 make sure the bucket or archive holding sources is not public"
            } else {
                "ship relative URLs (or none), and check what that host serves to the public"
            };
            out.push(at(Finding::new(
                &SOURCEMAP_EXTERNAL_URL,
                format!("{path}: {field} points outside the package, at {what}: {reference}"),
            )
            .file(path)
            .help(help)));
        }
    }
}

/// `localhost`, `*.localhost`, `127.x.x.x`, `0.0.0.0` or `[::1]`, with or without a port.
fn is_loopback(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let name = if host.starts_with('[') {
        host.split(']').next().unwrap_or("").trim_start_matches('[')
    } else {
        host.split(':').next().unwrap_or("")
    };
    name == "localhost"
        || name.ends_with(".localhost")
        || name == "::1"
        || name == "0.0.0.0"
        || name.starts_with("127.")
}

/// The directory a leaf's `sourceRoot` names, when it lies inside the package.
fn in_package_root(path: &str, leaf: &scan::SourceMap) -> Option<String> {
    leaf.source_root
        .as_deref()
        .filter(|r| matches!(url::classify(r, path), Target::Inside(_)))
        .and_then(|r| url::resolve(url::dir_of(path), r))
}

/// The package path the `i`th source of a map resolves to (from the map's directory
/// `base`, or its in-package `sourceRoot` `root_dir`), and the name a finding gives it after
/// `MAP!`: that path, else the source as written (tidied), else `<source i>`.
fn source_name(
    base: &str,
    root_dir: Option<&str>,
    source: Option<&str>,
    i: usize,
) -> (Option<String>, String) {
    let resolved = source.and_then(|s| {
        if url::has_scheme(s) {
            None
        } else {
            url::resolve(root_dir.unwrap_or(base), s)
        }
    });
    let name = match (&resolved, source) {
        (Some(r), _) => r.clone(),
        (None, Some(s)) => url::display_source(s),
        (None, None) => format!("<source {i}>"),
    };
    (resolved, name)
}

/// [`source_name`] for the `i`th source of `leaf`, a map (or an index map's section) at
/// `path`: how the audit, the pre-commit review and the pre-push check all name an
/// embedded source (`dist/cli.js.map!src/auth.ts`).
pub fn embedded_name(path: &str, leaf: &scan::SourceMap, i: usize) -> (Option<String>, String) {
    let root_dir = in_package_root(path, leaf);
    let source = leaf.sources.get(i).cloned().flatten();
    source_name(url::dir_of(path), root_dir.as_deref(), source.as_deref(), i)
}

/// Judges one map (or the several inline maps of one file): `leaves` are the regular maps
/// with the buffers their content ranges point into.
fn judge_map(
    view: &PackageView<'_>,
    path: &str,
    inline: bool,
    maps: &[(&[u8], &scan::SourceMap)],
    out: &mut Vec<Finding>,
    embedded: &EmbeddedCheck<'_>,
) {
    let base = url::dir_of(path);
    let subject = if inline {
        format!("{path} (inline source map)")
    } else {
        path.to_string()
    };
    let mut total_sources = 0usize;
    let mut any_content = false;
    let mut leaked: Vec<(String, usize)> = Vec::new();
    let mut differs: Vec<String> = Vec::new();
    // The file a map describes is never "another revision" of its own sources.
    let generated: Vec<&str> = if inline {
        vec![path]
    } else {
        path.strip_suffix(".map").into_iter().collect()
    };
    let mut local: Vec<(String, &'static str)> = Vec::new();
    let mut roots_seen: Vec<String> = Vec::new();
    for (buf, top) in maps {
        for leaf in top.leaves() {
            if let Some(root) = leaf
                .source_root
                .as_deref()
                .filter(|r| !r.is_empty() && *r != "/")
            {
                if !roots_seen.iter().any(|r| r == root) {
                    roots_seen.push(root.to_string());
                    judge_url(view, path, root, "sourceRoot", None, out);
                }
            }
            let root_dir = in_package_root(path, leaf);
            let n = leaf
                .sources
                .len()
                .max(leaf.sources_content.as_ref().map_or(0, Vec::len));
            total_sources += leaf.sources.len();
            let mut jobs = Vec::new();
            for i in 0..n {
                let source = leaf.sources.get(i).cloned().flatten();
                if let Some(s) = &source {
                    if let Some(kind) = url::local_path_kind(s) {
                        local.push((s.clone(), kind));
                    }
                }
                if let Some(range) = leaf.content(i) {
                    jobs.push((i, source, range));
                }
            }
            any_content |= !jobs.is_empty();
            // Decoding and scanning ~1,900 embedded sources is most of a big map's cost:
            // spread it over the cores (the rest of the package is audited alongside).
            let judged: Vec<(Verdict, Vec<Finding>)> =
                jobs.par_iter()
                    .map(|(i, source, range)| {
                        let text = scan::decode_string(&buf[(*range).clone()]);
                        let (resolved, name) =
                            source_name(base, root_dir.as_deref(), source.as_deref(), *i);
                        if view.ships_content(resolved.as_deref(), text.as_bytes()) {
                            return (Verdict::Public, Vec::new());
                        }
                        let findings = embedded(Embedded {
                            name: format!("{path}!{name}"),
                            text: &text,
                        });
                        let verdict = if source.as_deref().is_some_and(is_third_party) {
                            Verdict::Public
                        } else if resolved.as_deref().is_some_and(|r| {
                            !generated.contains(&r) && view.ships_revision(r, &text)
                        }) {
                            Verdict::Differs(name)
                        } else {
                            Verdict::Leaked((name, text.len()))
                        };
                        (verdict, findings)
                    })
                    .collect();
            for (verdict, findings) in judged {
                match verdict {
                    Verdict::Public => {}
                    Verdict::Differs(name) => differs.push(name),
                    Verdict::Leaked(leak) => leaked.push(leak),
                }
                out.extend(findings);
            }
        }
    }

    if !view.settings.allow_without_sources_content || any_content {
        let what = if any_content {
            "embeds sources"
        } else {
            "embeds no sources"
        };
        out.push(
            Finding::new(
                &SOURCEMAP_FILE,
                format!(
                    "{subject} ships a source map ({} sources listed; {what})",
                    thousands(total_sources)
                ),
            )
            .file(path)
            .help("exclude maps from the package (`!*.map` in `files`, or `*.map` in .npmignore)"),
        );
    }

    if !leaked.is_empty() {
        let bytes: usize = leaked.iter().map(|(_, n)| n).sum();
        let examples: Vec<&str> = leaked.iter().take(3).map(|(n, _)| n.as_str()).collect();
        let more = if leaked.len() > 3 {
            format!(", and {} more", thousands(leaked.len() - 3))
        } else {
            String::new()
        };
        let severity = match view.visibility {
            Visibility::Proprietary => Severity::Error,
            Visibility::Open => Severity::Warning,
        };
        let visibility = match view.visibility {
            Visibility::Proprietary => "proprietary package",
            Visibility::Open => "open-source package",
        };
        out.push(
            Finding::new(
                &SOURCEMAP_SOURCES_CONTENT,
                format!(
                    "{subject} embeds {} original source{} ({}) that the package does not ship: {}{more}",
                    thousands(leaked.len()),
                    if leaked.len() == 1 { "" } else { "s" },
                    human_bytes(bytes as u64),
                    examples.join(", ")
                ),
            )
            .severity(severity)
            .file(path)
            .exposes(bytes as u64)
            .help(format!(
                "{visibility}: don't ship the map (`!*.map` in `files`, or `*.map` in .npmignore), or \
                 build without sourcesContent (esbuild `sourcesContent: false`, webpack `nosources-`, \
                 Rollup/Vite `sourcemapExcludeSources`, Bun: no `--sourcemap`)"
            )),
        );
    }

    if !differs.is_empty() {
        let examples: Vec<&str> = differs.iter().take(3).map(String::as_str).collect();
        let more = if differs.len() > 3 {
            format!(", and {} more", thousands(differs.len() - 3))
        } else {
            String::new()
        };
        out.push(
            Finding::new(
                &SOURCEMAP_SOURCES_DIFFER,
                format!(
                    "{subject} embeds {} source{} that differ{} from the file the package ships at \
                     the same path (an older build?): {}{more}",
                    thousands(differs.len()),
                    if differs.len() == 1 { "" } else { "s" },
                    if differs.len() == 1 { "s" } else { "" },
                    examples.join(", ")
                ),
            )
            .file(path)
            .help("rebuild so the map and the shipped files come from one build, or don't ship the map"),
        );
    }

    if !local.is_empty() {
        let home = local.iter().find(|(_, k)| *k == "home directory");
        let (example, kind) = home.unwrap_or(&local[0]);
        out.push(
            Finding::new(
                &SOURCEMAP_LOCAL_PATHS,
                format!(
                    "{subject} lists {} source{} with {kind} paths, e.g. {example}",
                    thousands(local.len()),
                    if local.len() == 1 { "" } else { "s" }
                ),
            )
            .file(path)
            .help("make sources relative to the project (e.g. esbuild `sourceRoot`, webpack `devtoolModuleFilenameTemplate`)"),
        );
    }
}

/// Bundled third-party code and bundler runtime: public, not the package's own sources.
fn is_third_party(source: &str) -> bool {
    let name = url::display_source(source);
    source.contains("node_modules/")
        || name.starts_with("webpack/")
        || name.starts_with("(webpack)")
}

#[cfg(test)]
mod tests;
