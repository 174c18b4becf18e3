//! `leakgate.toml`: the team's committed configuration.
//!
//! Strict like typos' and cargo-deny's: kebab-case keys, unknown keys are errors, and every
//! error names `leakgate.toml:LINE:COL`. Every key is declared once, in [`schema`]: the
//! reader, the JSON schema and the commented default (`config/default.toml`, compiled in,
//! written by `leakgate init`) all come from that declaration ([`generate`]);
//! `docs/config.md` is the reference.
//!
//! Callers use three entry points: [`Config::discover`] (find and read the config),
//! [`Config::apply`] / [`Config::apply_complete`] (severity overrides and `[[allow]]`), and
//! [`Config::visibility`] (is a package's source public anyway?).

mod apply;
pub mod date;
pub mod generate;
pub mod pathglob;
mod read;
pub mod schema;
pub mod visibility;

pub use date::Date;
pub use visibility::{
    declare_open_help, infer_visibility, is_osi_license, license_of, open_declaration,
};

use crate::report::Severity;
use crate::rules::Rule;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The text `leakgate init` writes: [`generate::default_toml`]'s output, committed (a test
/// keeps the two equal).
pub const DEFAULT_TOML: &str = include_str!("../../config/default.toml");

/// The file name looked up at the repository root.
pub const FILE_NAME: &str = "leakgate.toml";

/// `allow/unused`: an [[allow]] entry matched no finding
pub static ALLOW_UNUSED: Rule = Rule {
    id: "allow/unused",
    default_severity: Severity::Warning,
    summary: "an [[allow]] entry matched no finding",
    explanation: "An allow entry in leakgate.toml silenced nothing in this run. Stale entries \
        hide future findings at the same path without anyone noticing, so leakgate reports them.",
    fix: "Remove the entry, or narrow it to what it was meant to allow.",
};

/// `allow/expired`: an [[allow]] entry is past its `expires` date and no longer allows anything
pub static ALLOW_EXPIRED: Rule = Rule {
    id: "allow/expired",
    default_severity: Severity::Warning,
    summary: "an [[allow]] entry is past its `expires` date and no longer allows anything",
    explanation: "Allow entries can carry an `expires` date so that temporary exceptions end. \
        Once the date has passed the entry stops silencing findings, and this rule says so.",
    fix: "Fix what the entry allowed, or extend `expires` with a reason the team agrees on.",
};

/// A severity override in `[rules]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Report as an error (blocks).
    Error,
    /// Report as a warning.
    Warning,
    /// Don't report.
    Off,
}

/// Whether a package's sources are public anyway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// OSI licence and a public repository: shipping sources is a warning, not an error.
    Open,
    /// Everything else: shipping sources is an error.
    Proprietary,
}

/// What a hook does when leakgate itself fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnError {
    /// Block the commit/push and print the bypass.
    Block,
    /// Print the error and let the commit/push through.
    Allow,
}

/// How the hooks print warnings (and notes) in human output: `[hooks] warnings`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HookWarnings {
    /// One line counting them (errors still print in full); `-v` shows them.
    Summary,
    /// As `leakgate audit` prints them (a rule's many warnings in a package as one group).
    Full,
}

/// `[sourcemaps]`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct SourcemapSettings {
    /// A map that lists sources but embeds none is not reported by `sourcemap/file`.
    pub allow_without_sources_content: bool,
}

/// One extra secret pattern in `[[secrets.patterns]]` (validated: `id` is kebab-case and not
/// a built-in rule, `regex` compiles).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct SecretPattern {
    /// Rule id suffix: findings are reported as `secret/<id>`.
    pub id: String,
    /// The regex that confirms a match.
    pub regex: String,
    /// Literal keywords for the prefilter (any must occur); empty = always run the regex.
    pub keywords: Vec<String>,
    /// What the secret is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `[secrets]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct SecretSettings {
    /// Team-specific patterns, added to the built-in ones.
    pub patterns: Vec<SecretPattern>,
}

/// `[files]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct FileSettings {
    /// Extra globs (relative to the package) that must never ship (`file/denied`); see
    /// [`pathglob`] for the syntax, and [`Config::denied`] for a compiled matcher.
    pub deny: Vec<String>,
}

/// `[size]`: limits in bytes (`None` = the check's own default).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct SizeLimits {
    /// Largest single packed file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_file: Option<u64>,
    /// Largest total unpacked package size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_package: Option<u64>,
}

/// `[drift]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct DriftSettings {
    /// Growth ratio of the total size over the lock's that is flagged (>= 1.0).
    pub max_growth: f64,
}

/// `[publish]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct PublishSettings {
    /// The tool that publishes this repository's packages, overriding detection
    /// (`packageManager`, lockfiles); `None` = detect.
    #[serde(serialize_with = "ser_tool", deserialize_with = "de_tool", default)]
    pub tool: Option<crate::packlist::Publisher>,
}

fn ser_tool<S: serde::Serializer>(
    t: &Option<crate::packlist::Publisher>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(p) => s.serialize_str(p.name()),
        None => s.serialize_none(),
    }
}

/// The reader checked the name against [`schema::PUBLISHERS`]; an unknown one here is an
/// error all the same.
fn de_tool<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<crate::packlist::Publisher>, D::Error> {
    let name = String::deserialize(d)?;
    crate::packlist::Publisher::parse(&name)
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(format!("unknown publisher `{name}`")))
}

/// `[hooks]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct HookSettings {
    /// What a hook does when leakgate fails internally.
    pub on_error: OnError,
    /// Whether a hook blocks when the leakgate binary is missing on this machine.
    pub require_binary: bool,
    /// How the hooks print warnings.
    pub warnings: HookWarnings,
}

/// One `[[package]]` entry: settings for packages matched by name (or name glob) or by
/// directory glob. When several entries match, the last one that sets a key wins.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct PackageSettings {
    /// Package name or name glob (`@acme/cli`, `@acme/*`) this applies to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Glob of package directories (relative to the repository root).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Overrides the inferred visibility.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility: Option<Visibility>,
    /// Skip this package entirely.
    pub skip: bool,
    /// Severity overrides for this package's findings (over the top-level `[rules]`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub rules: BTreeMap<String, Level>,
    /// Line of the entry in the config (0 when not read from a file).
    #[serde(skip_serializing, default)]
    pub line: usize,
}

/// One `[[allow]]` entry (validated: `reason` present, `rule` known, globs and date valid).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct AllowEntry {
    /// Rule id; every rule when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Package name or name glob; every package when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// Glob relative to the repository root (matched against `Finding::repo_path`, else
    /// `Finding::file`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// sha256 (lowercase hex) of the matched bytes (`Finding::fingerprint`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Why this is allowed (required).
    pub reason: String,
    /// `YYYY-MM-DD`; the entry stops allowing after that day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Line of the entry in the config (0 when not read from a file).
    #[serde(skip_serializing, default)]
    pub line: usize,
}

/// The whole configuration. Its keys, types and defaults are declared in [`schema`];
/// [`Config::default`] is what an empty file reads as.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Config {
    /// Internal codenames that must never ship (plaintext, or `sha256:SALT:HEX`); see
    /// [`Config::codenames_parsed`].
    pub codenames: Vec<String>,
    /// Per-rule severity overrides.
    pub rules: BTreeMap<String, Level>,
    /// Source map settings.
    pub sourcemaps: SourcemapSettings,
    /// Secret scanning settings.
    pub secrets: SecretSettings,
    /// Denied files.
    pub files: FileSettings,
    /// Size limits.
    pub size: SizeLimits,
    /// Drift settings.
    pub drift: DriftSettings,
    /// Hook behaviour.
    pub hooks: HookSettings,
    /// Which tool publishes (`[publish] tool`).
    pub publish: PublishSettings,
    /// Per-package settings.
    #[serde(rename = "package")]
    pub packages: Vec<PackageSettings>,
    /// Allowed findings.
    pub allow: Vec<AllowEntry>,
    /// Where the config was read from (`None` = built-in defaults).
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

/// A configuration error, naming the file and position.
pub type ConfigError = crate::text::InputError;

/// A codename from `codenames`: plaintext, or a salted sha256 for names that are secret
/// themselves (`sha256:SALT:HEX`, HEX = sha256 of SALT followed by the lowercased name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Codename {
    /// Matched case-insensitively on word boundaries.
    Plain(String),
    /// Matched by hashing candidate words: sha256(salt + lowercase(word)) == hex.
    Hashed {
        /// The salt, prepended to the lowercased word before hashing.
        salt: String,
        /// Lowercase hex of the expected digest (64 digits).
        hex: String,
    },
}

impl Codename {
    /// Parses one `codenames` entry.
    pub fn parse(s: &str) -> Result<Codename, String> {
        if let Some(rest) = s.strip_prefix("sha256:") {
            let Some((salt, hex)) = rest.rsplit_once(':') else {
                return Err(format!(
                    "`{s}` is not `sha256:SALT:HEX` (expected a salt and a 64-digit hex digest)"
                ));
            };
            if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!(
                    "`{s}`: the digest must be 64 hex digits (sha256), found {} characters",
                    hex.len()
                ));
            }
            return Ok(Codename::Hashed {
                salt: salt.to_string(),
                hex: hex.to_ascii_lowercase(),
            });
        }
        let t = s.trim();
        if t.is_empty() {
            return Err("empty codename".into());
        }
        if t != s {
            return Err(format!("codename `{s}` has leading or trailing spaces"));
        }
        Ok(Codename::Plain(s.to_string()))
    }

    /// The `sha256:SALT:HEX` form of a plaintext codename (what a team commits instead of
    /// the name itself).
    pub fn hash(salt: &str, name: &str) -> String {
        let mut input = salt.as_bytes().to_vec();
        input.extend(name.to_lowercase().as_bytes());
        format!(
            "sha256:{salt}:{}",
            crate::report::redact::fingerprint(&input)
        )
    }
}

/// Where leakgate.toml text names codenames in plain text: the byte ranges of the names in
/// its `codenames` entries that are not `sha256:SALT:HEX` hashes (inside the quotes). Empty
/// when there are none, and when the text is not TOML: a file that doesn't parse is
/// `leakgate config --check`'s business, and holds no list leakgate could read.
pub fn plain_codename_entries(text: &str) -> Vec<std::ops::Range<usize>> {
    let Ok(doc) = toml_edit::ImDocument::parse(text) else {
        return Vec::new();
    };
    let Some(toml_edit::Item::Value(toml_edit::Value::Array(entries))) = doc.get("codenames")
    else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|v| {
            let s = v.as_str()?;
            let span = v.span()?;
            if !matches!(Codename::parse(s), Ok(Codename::Plain(_))) {
                return None;
            }
            // The span covers the quotes: `"…"`, `'…'`, or three of either.
            let quoted = &text[span.clone()];
            let q = if quoted.starts_with("\"\"\"") || quoted.starts_with("'''") {
                3
            } else {
                1
            };
            (span.len() >= 2 * q).then(|| span.start + q..span.end - q)
        })
        .collect()
}

/// Parses a size: `"10 MB"`, `"512KiB"`, `"1.5 GB"`, `"2048"` (bytes). Decimal units are
/// powers of 1000 (kB/KB, MB, GB), binary units powers of 1024 (KiB, MiB, GiB); `B` = bytes.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num.parse().map_err(|_| format!("`{s}` is not a size"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(format!(
                "`{s}`: unknown unit `{other}` (use B, kB, MB, GB, KiB, MiB or GiB)"
            ))
        }
    };
    let bytes = (value * mult).round();
    if bytes < 1.0 {
        return Err(format!("`{s}` must be greater than 0"));
    }
    // TOML integers are signed: the effective config prints the size as one.
    if !bytes.is_finite() || bytes >= i64::MAX as f64 {
        return Err(format!("`{s}` is larger than any file system allows"));
    }
    Ok(bytes as u64)
}

/// True for `[a-z0-9]` words joined by single `-`.
pub fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// How a path is shown in errors: relative to the current directory when it is below it
/// (`leakgate.toml:3:1`, not `/home/…/leakgate.toml:3:1`).
pub fn shown_path(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| path.to_path_buf())
}

impl Default for Config {
    /// What a file without keys reads as: every default declared in [`schema`].
    fn default() -> Config {
        read::Reader::new(Path::new(FILE_NAME), "")
            .read()
            .expect("the declared defaults make a valid config (a test reads them)")
    }
}

impl Config {
    /// Every error in config text, in document order (empty when valid). `file` is used in
    /// the messages. `leakgate config --check` prints them all.
    pub fn check(text: &str, file: &Path) -> Vec<ConfigError> {
        let mut r = read::Reader::new(file, text);
        r.read();
        r.errors
    }

    /// Parses config text; `file` is used in error messages. Returns the first error.
    pub fn parse(text: &str, file: &Path) -> Result<Config, ConfigError> {
        let mut r = read::Reader::new(file, text);
        match r.read() {
            Some(mut config) => {
                config.source = Some(file.to_path_buf());
                Ok(config)
            }
            None => Err(r.errors.into_iter().next().unwrap_or(ConfigError {
                file: file.display().to_string(),
                line: 1,
                column: 1,
                message: "invalid config".into(),
            })),
        }
    }

    /// Reads and parses a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let shown = shown_path(path);
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: shown.display().to_string(),
            line: 1,
            column: 1,
            message: format!("cannot read the config: {e}"),
        })?;
        let mut config = Config::parse(&text, &shown)?;
        config.source = Some(path.to_path_buf());
        Ok(config)
    }

    /// The config for a repository: `explicit` if given, else `<repo_root>/leakgate.toml`
    /// if it exists, else the built-in defaults.
    pub fn discover(repo_root: &Path, explicit: Option<&Path>) -> Result<Config, ConfigError> {
        match explicit {
            Some(path) => Config::load(path),
            None => {
                let path = repo_root.join(FILE_NAME);
                if path.is_file() {
                    Config::load(&path)
                } else {
                    Ok(Config::default())
                }
            }
        }
    }

    /// The effective configuration as TOML (what `leakgate config` prints).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_else(|e| format!("# cannot print the config: {e}\n"))
    }

    /// The codenames, parsed (entries were validated when the config was read; any that
    /// don't parse, in a hand-built config, are skipped).
    pub fn codenames_parsed(&self) -> Vec<Codename> {
        self.codenames
            .iter()
            .filter_map(|c| Codename::parse(c).ok())
            .collect()
    }

    /// The `[files] deny` globs compiled into one set, for paths relative to the package
    /// (use with [`pathglob::matches`], which also matches parent directories).
    pub fn denied(&self) -> globset::GlobSet {
        pathglob::set(
            self.files
                .deny
                .iter()
                .filter_map(|g| pathglob::compile(g).ok()),
        )
    }

    /// The `[files] deny` glob that denies `path` (relative to the package), if any.
    pub fn denied_by(&self, path: &str) -> Option<&str> {
        let set = self.denied();
        let valid: Vec<&String> = self
            .files
            .deny
            .iter()
            .filter(|g| pathglob::compile(g).is_ok())
            .collect();
        pathglob::matches(&set, path)
            .first()
            .map(|&i| valid[i].as_str())
    }

    /// The `[[package]]` entries that apply to a package (by name or name glob, or by
    /// directory glob relative to the repository root), in config order.
    pub fn package_settings(&self, name: Option<&str>, package_dir: &str) -> Vec<&PackageSettings> {
        let dir = pathglob::normalize(package_dir);
        let dir = if dir.is_empty() { ".".to_string() } else { dir };
        self.packages
            .iter()
            .filter(|p| {
                let by_name = match (&p.name, name) {
                    (Some(pat), Some(n)) => pathglob::compile_name(pat)
                        .map(|g| g.compile_matcher().is_match(n))
                        .unwrap_or(false),
                    _ => false,
                };
                let by_path = p.path.as_deref().is_some_and(|pat| {
                    let pat = pathglob::normalize(pat);
                    let pat = if pat.is_empty() { ".".to_string() } else { pat };
                    // Package paths are anchored at the root (unlike file globs): `packages/*`.
                    globset::GlobBuilder::new(&pat)
                        .literal_separator(true)
                        .build()
                        .map(|g| g.compile_matcher().is_match(&dir))
                        .unwrap_or(false)
                });
                by_name || by_path
            })
            .collect()
    }

    /// Whether `[[package]] skip = true` applies to this package.
    pub fn skips(&self, name: Option<&str>, package_dir: &str) -> bool {
        self.package_settings(name, package_dir)
            .iter()
            .any(|p| p.skip)
    }

    /// The visibility of a package: a `[[package]]` override (the last matching entry
    /// that sets one), else inferred from its package.json (open only with an OSI licence
    /// and a `repository`, and not private). `package_dir` is relative to the repository root.
    pub fn visibility(&self, package_dir: &str, manifest: &serde_json::Value) -> Visibility {
        let name = manifest.get("name").and_then(|v| v.as_str());
        self.package_settings(name, package_dir)
            .iter()
            .rev()
            .find_map(|p| p.visibility)
            .unwrap_or_else(|| infer_visibility(manifest))
    }
}

#[cfg(test)]
mod tests;
