//! `leakgate.toml`: the team's committed configuration.
//!
//! Strict like typos' and cargo-deny's: kebab-case keys, unknown keys are errors, and every
//! error names `leakgate.toml:LINE:COL`. The commented default is `config/default.toml`
//! (compiled in, written by `leakgate init`).

use crate::report::catalog::Rule;
use crate::report::Severity;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The text `leakgate init` writes.
pub const DEFAULT_TOML: &str = include_str!("../../config/default.toml");

/// The file name looked up at the repository root.
pub const FILE_NAME: &str = "leakgate.toml";

/// Rules about the configuration itself (allow entries).
pub const RULES: &[Rule] = &[
    Rule {
        id: "allow/unused",
        default_severity: Severity::Warning,
        summary: "an [[allow]] entry matched no finding",
        explanation: "An allow entry in leakgate.toml silenced nothing in this run. Stale entries \
            hide future findings at the same path without anyone noticing, so leakgate reports them.",
        fix: "Remove the entry, or narrow it to what it was meant to allow.",
    },
    Rule {
        id: "allow/expired",
        default_severity: Severity::Warning,
        summary: "an [[allow]] entry is past its `expires` date and no longer allows anything",
        explanation: "Allow entries can carry an `expires` date so that temporary exceptions end. \
            Once the date has passed the entry stops silencing findings, and this rule says so.",
        fix: "Fix what the entry allowed, or extend `expires` with a reason the team agrees on.",
    },
];

/// A severity override in `[rules]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// OSI licence and a public repository: shipping sources is a warning, not an error.
    Open,
    /// Everything else: shipping sources is an error.
    Proprietary,
}

/// What a hook does when leakgate itself fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum OnError {
    /// Block the commit/push and print the bypass.
    #[default]
    Block,
    /// Print the error and let the commit/push through.
    Allow,
}

/// `[sourcemaps]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct SourcemapSettings {
    /// A map that lists sources but embeds none is not reported by `sourcemap/file`.
    pub allow_without_sources_content: bool,
}

/// One extra secret pattern in `[[secrets.patterns]]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SecretPattern {
    /// Rule id suffix: findings are reported as `secret/<id>`.
    pub id: String,
    /// The regex that confirms a match.
    pub regex: String,
    /// Literal keywords for the prefilter (any must occur); empty = always run the regex.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// What the secret is.
    #[serde(default)]
    pub description: Option<String>,
}

/// `[secrets]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct SecretSettings {
    /// Team-specific patterns, added to the built-in ones.
    pub patterns: Vec<SecretPattern>,
}

/// `[files]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct FileSettings {
    /// Extra globs (relative to the package) that must never ship (`file/denied`).
    pub deny: Vec<String>,
}

/// `[size]`: limits in bytes.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct SizeLimits {
    /// Largest single packed file.
    pub max_file: Option<u64>,
    /// Largest total unpacked package size.
    pub max_package: Option<u64>,
}

/// `[drift]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct DriftSettings {
    /// Growth ratio of the total size over the lock's that is flagged.
    pub max_growth: f64,
}

impl Default for DriftSettings {
    fn default() -> Self {
        DriftSettings { max_growth: 1.5 }
    }
}

/// `[hooks]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct HookSettings {
    /// What a hook does when leakgate fails internally.
    pub on_error: OnError,
    /// Whether a hook blocks when the leakgate binary is missing on this machine.
    pub require_binary: bool,
}

impl Default for HookSettings {
    fn default() -> Self {
        HookSettings {
            on_error: OnError::Block,
            require_binary: true,
        }
    }
}

/// One `[[package]]` entry: settings for packages matched by name or path glob.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PackageSettings {
    /// Package name (`@acme/cli`) this applies to.
    #[serde(default)]
    pub name: Option<String>,
    /// Glob of package directories (relative to the repository root).
    #[serde(default)]
    pub path: Option<String>,
    /// Overrides the inferred visibility.
    #[serde(default)]
    pub visibility: Option<Visibility>,
    /// Skip this package entirely.
    #[serde(default)]
    pub skip: bool,
}

/// One `[[allow]]` entry.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AllowEntry {
    /// Rule id; every rule when absent.
    #[serde(default)]
    pub rule: Option<String>,
    /// Package name; every package when absent.
    #[serde(default)]
    pub package: Option<String>,
    /// Glob relative to the repository root.
    #[serde(default)]
    pub path: Option<String>,
    /// sha256 of the matched bytes.
    #[serde(default)]
    pub fingerprint: Option<String>,
    /// Why this is allowed (required).
    pub reason: String,
    /// `YYYY-MM-DD`; the entry stops allowing after that day.
    #[serde(default)]
    pub expires: Option<String>,
}

/// The whole configuration.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Config {
    /// Internal codenames that must never ship (plaintext, or `sha256:SALT:HEX`).
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
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ConfigError {
    /// The config file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What was wrong and what was expected.
    pub message: String,
}

impl Config {
    /// Parses config text; `file` is used in error messages.
    pub fn parse(text: &str, file: &Path) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
            ConfigError {
                file: file.display().to_string(),
                line,
                column,
                message: e.message().to_string(),
            }
        })?;
        config.source = Some(file.to_path_buf());
        Ok(config)
    }

    /// Reads and parses a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.display().to_string(),
            line: 1,
            column: 1,
            message: format!("cannot read: {e}"),
        })?;
        Config::parse(&text, path)
    }
}

/// 1-based line and column of byte offset `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

impl Config {
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

    /// Applies `[rules]` severity overrides and `[[allow]]` entries to raw findings.
    /// Returns what remains, plus `allow/unused` and `allow/expired` findings.
    pub fn apply(&self, findings: Vec<crate::report::Finding>) -> Vec<crate::report::Finding> {
        findings
            .into_iter()
            .filter_map(|mut f| match self.rules.get(&f.rule) {
                Some(Level::Off) => None,
                Some(Level::Error) => {
                    f.severity = Severity::Error;
                    Some(f)
                }
                Some(Level::Warning) => {
                    f.severity = Severity::Warning;
                    Some(f)
                }
                None => Some(f),
            })
            .collect()
    }

    /// The visibility of a package: a `[[package]]` override, else inferred from its
    /// package.json (open only with an OSI licence and a `repository`).
    pub fn visibility(&self, package_dir: &str, manifest: &serde_json::Value) -> Visibility {
        let name = manifest.get("name").and_then(|v| v.as_str());
        for p in &self.packages {
            let by_name = p.name.is_some() && p.name.as_deref() == name;
            let by_path = p.path.as_deref() == Some(package_dir);
            if by_name || by_path {
                if let Some(v) = p.visibility {
                    return v;
                }
            }
        }
        infer_visibility(manifest)
    }
}

/// Open only when package.json declares an OSI licence and a `repository`, and is not private.
pub fn infer_visibility(manifest: &serde_json::Value) -> Visibility {
    let private = manifest.get("private").and_then(|v| v.as_bool()) == Some(true);
    let has_repo = match manifest.get("repository") {
        Some(serde_json::Value::String(s)) => !s.trim().is_empty(),
        Some(serde_json::Value::Object(o)) => o
            .get("url")
            .and_then(|u| u.as_str())
            .is_some_and(|u| !u.trim().is_empty()),
        _ => false,
    };
    let license = manifest
        .get("license")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    if !private && has_repo && is_osi_license(license) {
        Visibility::Open
    } else {
        Visibility::Proprietary
    }
}

/// True for an SPDX expression made only of common OSI-approved licences.
pub fn is_osi_license(expr: &str) -> bool {
    const OSI: &[&str] = &[
        "MIT",
        "ISC",
        "Apache-2.0",
        "BSD-2-Clause",
        "BSD-3-Clause",
        "0BSD",
        "MPL-2.0",
        "LGPL-2.1",
        "LGPL-2.1-only",
        "LGPL-2.1-or-later",
        "LGPL-3.0",
        "LGPL-3.0-only",
        "LGPL-3.0-or-later",
        "GPL-2.0",
        "GPL-2.0-only",
        "GPL-2.0-or-later",
        "GPL-3.0",
        "GPL-3.0-only",
        "GPL-3.0-or-later",
        "AGPL-3.0",
        "AGPL-3.0-only",
        "AGPL-3.0-or-later",
        "EPL-2.0",
        "Artistic-2.0",
        "Zlib",
        "BSL-1.0",
        "Unlicense",
        "CC0-1.0",
        "Python-2.0",
        "BlueOak-1.0.0",
        "MIT-0",
        "UPL-1.0",
        "EUPL-1.2",
        "OFL-1.1",
    ];
    let cleaned = expr.replace(['(', ')'], " ");
    let mut any = false;
    for token in cleaned.split_whitespace() {
        if matches!(token, "OR" | "AND" | "WITH") {
            continue;
        }
        if !OSI.iter().any(|l| l.eq_ignore_ascii_case(token)) {
            return false;
        }
        any = true;
    }
    any
}
