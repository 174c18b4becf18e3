//! `file/denied`, `file/archive`, `file/sources`: judged by path alone.
//!
//! Credentials files (`.env`, keys, `.netrc`) must never ship; archives inside a package
//! usually mean a build artefact or a backup slipped in; TypeScript sources next to a
//! built `dist/` usually mean `files` or `.npmignore` forgot to keep them out.
//!
//! The denied list is also what the pre-commit review (a staged file) and the pre-push hook
//! (a file in the pushed commits) judge by name, under the same rule id, so one `[[allow]]`
//! entry covers a file everywhere. `.npmrc` is not on it: a project `.npmrc` of settings and
//! `${NPM_TOKEN}` references is normal, and a literal credential in one is found by content
//! (`secret/npmrc-auth-token`).

use super::content::Origin;
use crate::config::pathglob;
use crate::config::{Config, Visibility};
use crate::packlist::Packlist;
use crate::report::{Finding, Severity};
use crate::rules::{Alias, Rule};
use std::collections::{BTreeMap, HashSet};

/// `file/denied`: a credentials file ships, is staged or is pushed (.env, private keys, .netrc, keystores, …)
pub static FILE_DENIED: Rule = Rule {
    id: "file/denied",
    default_severity: Severity::Error,
    summary: "a credentials file ships, is staged or is pushed (.env, private keys, .netrc, keystores, …)",
    explanation: "Files that exist to hold credentials, judged by name: `.env*` (but not \
        `.env.example`, `.env.sample`, `.env.template`), `*.pem`, `*.key`, `id_rsa*`/\
        `id_ed25519*`/`id_ecdsa*`/`id_dsa*` (not `.pub`), `*.p12`, `*.pfx`, `*.ppk`, \
        `*.keystore`, `*.jks`, `.netrc`, `.git-credentials`, `.pgpass`, `.htpasswd`, plus the \
        globs in `[files] deny`. The same file is the same finding wherever leakgate meets it: \
        in a package (`ships`), staged by the pre-commit hook (`is staged`) and in the commits \
        of a push (`is pushed`), so one `[[allow]]` entry with `rule = \"file/denied\"` covers \
        all three. `staged/denied-file`, the id the pre-commit review used before, is another \
        name for this rule: leakgate.toml entries that use it still work. `.npmrc` is judged by \
        content instead (settings and `${NPM_TOKEN}` references are fine; a literal token is \
        `secret/npmrc-auth-token`). Once a file is published, every version stays downloadable \
        from the registry and its mirrors. In a package, key files shipped on purpose are \
        warnings that say why: under a test or fixture path, Android's `debug.keystore`, a \
        `localhost` certificate, or a key whose directory ships a self-signed certificate \
        (a development server's HTTPS pair).",
    fix: "Keep the file out of the package (`files` in package.json, or a line in \
        .npmignore) and out of git (.gitignore; `git restore --staged FILE` before a commit, \
        `git rebase -i` before a push). Credentials inside it are judged by content, as \
        `secret/*` findings.",
};

/// `file/archive`: an archive (.zip, .tar, .tgz, .7z, .rar, …) ships inside the package
pub static FILE_ARCHIVE: Rule = Rule {
    id: "file/archive",
    default_severity: Severity::Warning,
    summary: "an archive (.zip, .tar, .tgz, .7z, .rar, …) ships inside the package",
    explanation: "Archives inside a package are usually build artefacts, backups or a \
        previous `npm pack` output swept in by a broad `files` entry; nothing inside them is \
        visible to a reviewer of the package's file list.",
    fix: "Keep the archive out of the package (`files` or .npmignore); if it must ship, \
        allow it with an [[allow]] entry naming its path.",
};

/// `file/sources`: original sources (.ts/.tsx/.vue/.svelte) ship next to the package's build output
pub static FILE_SOURCES: Rule = Rule {
    id: "file/sources",
    default_severity: Severity::Error,
    summary: "original sources (.ts/.tsx/.vue/.svelte) ship next to the package's build output",
    explanation: "A package with a build output (JavaScript in `dist/`, `lib/`, `build/` or \
        `out/`) that also ships the sources it was built from publishes the code the build \
        was meant to hide, comments and all: the same leak as a source map with \
        `sourcesContent` (`sourcemap/sources-content`), in another container, and judged \
        the same way: an error for proprietary packages, a note for open-source ones (an OSI \
        licence and a `repository`), whose sources are public anyway. A source counts when \
        it lies under `src/` or `source/`, or when a built `.js`/`.mjs`/`.cjs` of the same \
        name ships; TypeScript (`.ts`, `.tsx`, `.mts`, `.cts`, not declaration files), Vue \
        and Svelte components. Packages with no build output (TypeScript-only packages), \
        examples and type tests are not reported.",
    fix: "Restrict `files` in package.json to the build output (for example \
        `\"files\": [\"dist\"]`), or add `src/` to .npmignore when there is no `files`.",
};

/// `staged/denied-file`, the pre-commit review's old id of [`FILE_DENIED`].
pub static STAGED_DENIED_FILE: Alias = Alias {
    id: "staged/denied-file",
    rule: &FILE_DENIED,
    note: "The pre-commit review reported a staged denied file as `staged/denied-file` until \
        the same file got one rule id at commit, at push and in the package. A leakgate.toml \
        that names `staged/denied-file` (`[rules]`, `[[package]] rules`, `[[allow]] rule`) still \
        works and means `file/denied` at all three.",
};

/// Suffixes of `.env.<suffix>` files that document the variables instead of holding them.
const ENV_TEMPLATES: &[&str] = &[
    "example", "sample", "template", "tmpl", "tpl", "dist", "defaults", "schema",
];

/// Archive extensions, compound ones first.
const ARCHIVES: &[&str] = &[
    ".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst", ".tgz", ".tbz2", ".txz", ".zip", ".tar", ".7z",
    ".rar",
];

/// Build output directories that make shipped `.ts` sources suspicious.
const BUILD_DIRS: &[&str] = &["dist", "lib", "build", "out"];

/// Why `name` (a file name, no directory) is a credentials file, by the built-in list.
fn builtin_reason(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let ext = |e: &str| lower.ends_with(e) && lower.len() > e.len();
    if lower == ".env" || lower == ".envrc" {
        return Some("environment file (usually holds credentials)");
    }
    if let Some(rest) = lower.strip_prefix(".env.") {
        let template = rest
            .split('.')
            .any(|part| ENV_TEMPLATES.contains(&part) || part.contains("example"));
        return (!template).then_some("environment file (usually holds credentials)");
    }
    for key in ["id_rsa", "id_ed25519", "id_ecdsa", "id_dsa"] {
        if lower.starts_with(key) && !lower.ends_with(".pub") {
            return Some("SSH private key");
        }
    }
    // `.npmrc` is not here: npm's own settings file is judged by what it holds (a literal
    // `_authToken` is `secret/npmrc-auth-token`), and npm never packs one anyway.
    match lower.as_str() {
        ".netrc" | "_netrc" => return Some(".netrc (login credentials)"),
        ".git-credentials" => return Some("git credential store"),
        ".pgpass" => return Some("PostgreSQL password file"),
        ".htpasswd" => return Some("htpasswd password file"),
        _ => {}
    }
    if ext(".pem") {
        return Some("PEM key or certificate");
    }
    if ext(".key") {
        return Some("private key file");
    }
    if ext(".p12") || ext(".pfx") {
        return Some("PKCS#12 key store");
    }
    if ext(".ppk") {
        return Some("PuTTY private key");
    }
    if ext(".keystore") || ext(".jks") {
        return Some("Java key store");
    }
    None
}

/// The denied-file matcher: the built-in list plus the `[files] deny` globs (compiled
/// once, with the config's gitignore-like anchoring: see `config::pathglob`).
#[derive(Debug)]
pub struct DenyList {
    globs: globset::GlobSet,
}

impl DenyList {
    /// Compiles the team's globs (they were validated when the config was read).
    pub fn new(config: &Config) -> DenyList {
        DenyList {
            globs: config.denied(),
        }
    }

    /// Why `path` (relative to the package, `/`-separated) must not ship, or `None`.
    pub fn reason(&self, path: &str) -> Option<&'static str> {
        let name = path.rsplit('/').next().unwrap_or(path);
        if let Some(r) = builtin_reason(name) {
            return Some(r);
        }
        (!pathglob::matches(&self.globs, path).is_empty()).then_some(TEAM_GLOB)
    }
}

/// The reason given for a path the team's `[files] deny` globs name.
const TEAM_GLOB: &str = "matches a `[files] deny` glob in leakgate.toml";

/// Why a denied file (denied for `reason`) is there on purpose (see [`shipped_on_purpose`]),
/// unless the team denied it by name: an explicit `[files] deny` glob is never excused by
/// where the file sits.
pub fn excused(path: &str, reason: &str) -> Option<&'static str> {
    if reason == TEAM_GLOB {
        return None;
    }
    shipped_on_purpose(path)
}

/// Why `path` must not ship (built-in list or the team's `[files] deny` globs), or `None`.
/// Compiles the globs on every call: build a [`DenyList`] to judge many paths.
pub fn denied_reason(path: &str, config: &Config) -> Option<&'static str> {
    DenyList::new(config).reason(path)
}

/// Why a denied key file in a package is shipped on purpose, when its path says so: a test
/// suite's fixture, Android's debug keystore (created by the SDK with the published password
/// `android`), or a dev server's `localhost` certificate. Still a warning: a reviewer should
/// see it, but it is no credential leak. Content rules judge what is inside separately.
fn shipped_on_purpose(path: &str) -> Option<&'static str> {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    if name == "debug.keystore" {
        return Some(
            "Android's debug keystore: created by the SDK with a published password, it signs \
            only debug builds",
        );
    }
    if name.contains("localhost") {
        return Some(
            "a `localhost` development certificate: it secures nothing outside this machine",
        );
    }
    if crate::checks::secrets::is_fixture_path(path) {
        return Some("under a test or fixture path: test suites ship such files on purpose");
    }
    None
}

/// Top-level directories whose sources are the package's own whatever their names.
const SOURCE_DIRS: &[&str] = &["src", "source"];

/// True for an original source a build compiles (TypeScript that is not a declaration file,
/// a Vue or Svelte component).
fn is_ts_source(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let ts = [".ts", ".tsx", ".mts", ".cts", ".vue", ".svelte"]
        .iter()
        .any(|e| lower.ends_with(e));
    let decl = [".d.ts", ".d.mts", ".d.cts"]
        .iter()
        .any(|e| lower.ends_with(e))
        // `foo.d.css.ts`-style declaration files generated for CSS modules and the like.
        || lower.contains(".d.");
    ts && !decl
}

/// `a` of `src/a.ts` / `src/a.tsx` / `src/a.mts` / `src/a.cts`.
fn ts_stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

/// The archive extension of `path`, if any.
fn archive_ext(path: &str) -> Option<&'static str> {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    ARCHIVES
        .iter()
        .find(|e| name.ends_with(*e) && name.len() > e.len())
        .copied()
}

/// Every file rule over one package's packlist.
///
/// Findings carry the package name and the path inside the package; the caller sets
/// `repo_path` (package dir + path) if it applies allow entries by repository path.
pub fn check(packlist: &Packlist, config: &Config) -> Vec<Finding> {
    let package = packlist
        .name()
        .map(str::to_string)
        .unwrap_or_else(|| packlist.dir.clone());
    let mut out = Vec::new();
    let deny = DenyList::new(config);
    // Stems (`cli` of `dist/esm/cli.js`) of the built JavaScript: a TS file with the same
    // stem is a source of the build. Type helpers, examples and tests that were never
    // compiled into the output don't count.
    let built: HashSet<&str> = packlist
        .files
        .iter()
        .filter(|f| {
            f.path
                .split_once('/')
                .is_some_and(|(top, _)| BUILD_DIRS.contains(&top))
        })
        .filter_map(|f| {
            let name = f.path.rsplit('/').next()?;
            [".js", ".mjs", ".cjs"]
                .iter()
                .find_map(|e| name.strip_suffix(e))
        })
        .collect();
    // TS sources grouped by top-level directory: one warning per tree, not per file.
    let mut sources: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for f in &packlist.files {
        if let Some(finding) = super::content::denied(&deny, &f.path, Origin::Packed) {
            out.push(finding.package(&package));
        }
        if let Some(ext) = archive_ext(&f.path) {
            out.push(
                Finding::new(
                    &FILE_ARCHIVE,
                    format!("{} ships: a {ext} archive inside the package", f.path),
                )
                .package(&package)
                .file(&f.path)
                .help("Keep archives out of the package (`files` or .npmignore)."),
            );
        }
        let in_source_dir = f
            .path
            .split_once('/')
            .is_some_and(|(top, _)| SOURCE_DIRS.contains(&top));
        if is_ts_source(&f.path)
            && !built.is_empty()
            && (in_source_dir || built.contains(ts_stem(&f.path)))
        {
            let top = f.path.split_once('/').map_or(f.path.as_str(), |(t, _)| t);
            sources.entry(top).or_default().push(&f.path);
        }
    }
    // Open-source packages publish their sources anyway (and are often asked to ship them
    // for source maps): a note. Proprietary ones: the leak itself, as for a map with sources.
    let sources_severity = match config.visibility(&packlist.dir, &packlist.manifest) {
        Visibility::Open => Severity::Note,
        Visibility::Proprietary => Severity::Error,
    };
    for (top, files) in sources {
        let n = files.len();
        let shown: Vec<&str> = files.iter().take(3).copied().collect();
        let more = if n > 3 { ", …" } else { "" };
        let what = if n == 1 {
            format!(
                "{} ships: an original source next to the built output",
                files[0]
            )
        } else {
            format!(
                "{top}/ ships {n} original sources next to the built output ({}{more})",
                shown.join(", ")
            )
        };
        let mut help = format!(
            "Restrict `files` in package.json to the build output, or add `{}` to .npmignore.",
            if n == 1 {
                files[0].to_string()
            } else {
                format!("{top}/")
            }
        );
        if sources_severity == Severity::Error {
            help.push_str(" Or, ");
            help.push_str(&crate::config::declare_open_help(
                packlist.name(),
                &packlist.dir,
            ));
            help.push('.');
        }
        out.push(
            Finding::new(&FILE_SOURCES, what)
                .severity(sources_severity)
                .package(&package)
                .file(files[0])
                .help(help),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packlist::PackedFile;

    fn packlist(paths: &[&str]) -> Packlist {
        Packlist {
            publisher: crate::packlist::Publisher::Npm,
            dir: "pkg".into(),
            from: "pkg".into(),
            manifest: serde_json::json!({"name": "@acme/cli", "version": "1.0.0"}),
            files: paths
                .iter()
                .map(|p| PackedFile {
                    path: p.to_string(),
                    source: format!("pkg/{p}"),
                    size: 10,
                    mode: 0o644,
                })
                .collect(),
        }
    }

    fn rules(findings: &[Finding]) -> Vec<(&str, &str)> {
        findings
            .iter()
            .map(|f| (f.rule.as_str(), f.file.as_deref().unwrap_or("")))
            .collect()
    }

    #[test]
    fn denied_hits() {
        let c = Config::default();
        for p in [
            ".env",
            "config/.env.production",
            ".env.local",
            "certs/server.pem",
            "tls.key",
            "id_rsa",
            "keys/id_ed25519",
            "id_ecdsa_sk",
            "cert.p12",
            "cert.PFX",
            ".netrc",
            ".git-credentials",
            "android/release.keystore",
            "app.jks",
        ] {
            assert!(denied_reason(p, &c).is_some(), "{p} should be denied");
        }
    }

    #[test]
    fn denied_near_misses() {
        let c = Config::default();
        for p in [
            ".env.example",
            ".env.sample",
            ".env.template",
            ".env.local.example",
            "id_rsa.pub",
            "keys/id_ed25519.pub",
            "src/environment.ts",
            "docs/keyboard.md",
            "lib/key.js",
            "README.pem.md",
            ".npmrc.md",
            // Judged by content (secret/npmrc-auth-token), at any depth and in any case.
            ".npmrc",
            "packages/cli/.npmrc",
            ".NPMRC",
        ] {
            assert!(denied_reason(p, &c).is_none(), "{p} should pass");
        }
    }

    #[test]
    fn team_deny_globs() {
        let c = Config::parse(
            "[files]\ndeny = [\"*.sqlite\", \"internal/**\"]\n",
            std::path::Path::new("leakgate.toml"),
        )
        .unwrap();
        assert!(denied_reason("data/dev.sqlite", &c).is_some());
        assert!(denied_reason("internal/notes.md", &c).is_some());
        assert!(denied_reason("lib/internal/notes.md", &c).is_none());
        assert!(denied_reason("data/dev.sqlite3", &c).is_none());
    }

    #[test]
    fn check_reports_denied_and_archives() {
        let f = check(
            &packlist(&[".env", "index.js", "backup.tar.gz", "vendor/x.zip", "x.gz"]),
            &Config::default(),
        );
        assert_eq!(
            rules(&f),
            [
                ("file/denied", ".env"),
                ("file/archive", "backup.tar.gz"),
                ("file/archive", "vendor/x.zip")
            ]
        );
        assert_eq!(f[0].severity, Severity::Error);
        assert_eq!(f[1].severity, Severity::Warning);
        assert_eq!(f[0].package.as_deref(), Some("@acme/cli"));
    }

    #[test]
    fn key_files_shipped_on_purpose_are_warnings_that_say_why() {
        let f = check(
            &packlist(&[
                "test/fixtures/id_rsa",
                "android/debug.keystore",
                "dev/certs/localhost-key.pem",
                "certs/server.pem",
                "android/release.keystore",
            ]),
            &Config::default(),
        );
        let by_file = |p: &str| f.iter().find(|x| x.file.as_deref() == Some(p)).unwrap();
        for (path, why) in [
            ("test/fixtures/id_rsa", "test or fixture"),
            ("android/debug.keystore", "debug keystore"),
            ("dev/certs/localhost-key.pem", "localhost"),
        ] {
            let x = by_file(path);
            assert_eq!(x.severity, Severity::Warning, "{path}");
            assert!(x.message.contains(why), "{}", x.message);
        }
        // Near misses: a server key and a release keystore block.
        assert_eq!(by_file("certs/server.pem").severity, Severity::Error);
        assert_eq!(
            by_file("android/release.keystore").severity,
            Severity::Error
        );
    }

    #[test]
    fn proprietary_sources_say_how_to_declare_the_package_open() {
        let mut p = packlist(&["dist/index.js", "src/index.ts"]);
        p.manifest = serde_json::json!({"name": "@acme/cli", "license": "SEE LICENSE IN EULA"});
        let f = check(&p, &Config::default());
        let help = f[0].help.as_deref().unwrap();
        assert_eq!(f[0].severity, Severity::Error);
        let line = crate::config::open_declaration(Some("@acme/cli"), "pkg");
        assert!(help.contains(&line), "{help}");
        // Pasting it makes the same package's sources a note.
        let config = Config::parse(&line, std::path::Path::new("leakgate.toml")).unwrap();
        let f = check(&p, &config);
        assert_eq!(f[0].severity, Severity::Note);
        assert!(!f[0].help.as_deref().unwrap().contains("visibility"));
    }

    #[test]
    fn sources_next_to_dist() {
        let f = check(
            &packlist(&[
                "dist/index.js",
                "dist/index.d.ts",
                "dist/esm/a.js",
                "dist/b.js",
                "dist/c.mjs",
                "dist/d.cjs",
                "src/a.ts",
                "src/b.tsx",
                "src/types.d.ts",
                "src/c.mts",
                "src/d.cts",
                "src/helpers-only-types.ts",
                "test/a.test.ts",
                "index.ts",
            ]),
            &Config::default(),
        );
        let r = rules(&f);
        assert_eq!(
            r,
            [("file/sources", "index.ts"), ("file/sources", "src/a.ts")]
        );
        // Everything under src/ counts (a bundle's sources don't share its name), except
        // declarations.
        assert!(
            f[1].message.contains("5 original sources"),
            "{}",
            f[1].message
        );
    }

    /// `files: ["dist", "src"]` under a bundler: `dist/cli.js` shares no name with the
    /// sources, yet `src/` is the whole original code. Proprietary: an error, as the same
    /// sources in a map are; open source: a note.
    #[test]
    fn a_bundles_src_tree_is_the_leak_itself() {
        let files = [
            "dist/cli.js",
            "src/index.ts",
            "src/auth/token.ts",
            "src/ui/App.vue",
            "src/ui/Button.svelte",
        ];
        let f = check(&packlist(&files), &Config::default());
        assert_eq!(rules(&f), [("file/sources", "src/index.ts")]);
        assert_eq!(f[0].severity, Severity::Error);
        assert!(
            f[0].message.contains("4 original sources"),
            "{}",
            f[0].message
        );
        let mut open = packlist(&files);
        open.manifest = serde_json::json!({
            "name": "oss", "version": "1.0.0", "license": "MIT",
            "repository": "github:acme/oss"
        });
        let f = check(&open, &Config::default());
        assert_eq!(f[0].severity, Severity::Note);
        // Near miss: the same sources with no build output (a TypeScript-only package).
        assert!(check(&packlist(&files[1..]), &Config::default()).is_empty());
    }

    #[test]
    fn sources_without_a_build_are_fine() {
        // A TS-only package (Deno-style), declarations next to dist, or TS files that were
        // not compiled into the output (examples, type tests) are not reported.
        assert!(check(
            &packlist(&[
                "lib/server.js",
                "examples/typescript-server.ts",
                "test/types/a.tst.ts"
            ]),
            &Config::default()
        )
        .is_empty());
        assert!(check(&packlist(&["mod.ts", "src/a.ts"]), &Config::default()).is_empty());
        assert!(check(
            &packlist(&["dist/index.js", "dist/index.d.ts", "dist/x.d.mts"]),
            &Config::default()
        )
        .is_empty());
    }
}

#[cfg(test)]
mod excused_tests {
    use super::*;

    #[test]
    fn a_fixture_path_excuses_the_built_in_list_but_never_the_teams_globs() {
        let reason = builtin_reason(".env").expect(".env is on the built-in list");
        assert!(excused("test/fixtures/.env", reason).is_some());
        assert!(excused("src/.env", reason).is_none());
        assert!(excused("test/fixtures/settings.json", TEAM_GLOB).is_none());
    }
}
