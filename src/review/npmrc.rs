//! The registries a repository's `.npmrc` files configure, as npm reads them for `publish`.
//!
//! npm picks the registry of a scoped package from `@scope:registry`, else `registry`, else
//! its default (npm-registry-fetch's `pickRegistry`); `publishConfig` in package.json is
//! layered over the config first, so a `publishConfig["@acme:registry"]` silently overrides
//! the private registry an `.npmrc` names. The review compares the two.

use std::collections::HashMap;

/// npm's default registry: where a package goes when nothing else is configured.
pub const PUBLIC_REGISTRY: &str = "https://registry.npmjs.org/";

/// The top-level settings of one `.npmrc` (ini: `key = value`, `;`/`#` comments; keys
/// inside `[section]`s are not top-level settings, so npm ignores them for this).
#[derive(Clone, Debug, Default)]
pub struct Npmrc {
    settings: HashMap<String, String>,
}

impl Npmrc {
    /// Parses `.npmrc` text; lines that aren't settings are skipped, as npm's ini reader does.
    pub fn parse(text: &str) -> Self {
        let mut settings = HashMap::new();
        let mut in_section = false;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
                continue;
            }
            if line.starts_with('[') && line.ends_with(']') {
                in_section = true;
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            if in_section {
                continue;
            }
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(value);
            settings.insert(key.trim().to_string(), value.to_string());
        }
        Npmrc { settings }
    }

    /// The value of `key` (`registry`, `@acme:registry`), if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.settings.get(key).map(String::as_str)
    }
}

/// The `.npmrc` files that apply to one package, nearest first (the package directory's,
/// then the repository root's).
#[derive(Clone, Debug, Default)]
pub struct Registries {
    layers: Vec<(String, Npmrc)>,
}

impl Registries {
    /// Builds the layers from `(path, text)` pairs, nearest first.
    pub fn new(files: impl IntoIterator<Item = (String, String)>) -> Self {
        Registries {
            layers: files
                .into_iter()
                .map(|(path, text)| (path, Npmrc::parse(&text)))
                .collect(),
        }
    }

    /// The nearest `.npmrc` setting of `key`, with the file that sets it.
    fn lookup(&self, key: &str) -> Option<(&str, &str)> {
        self.layers
            .iter()
            .find_map(|(path, rc)| rc.get(key).map(|v| (path.as_str(), v)))
    }

    /// Where npm would publish a package of `scope` (`@acme`, or `None` when unscoped)
    /// without any `publishConfig`, and the `.npmrc` that says so (`None`: npm's default).
    pub fn registry_for(&self, scope: Option<&str>) -> (String, Option<String>) {
        let scoped = scope.and_then(|s| self.lookup(&format!("{s}:registry")));
        match scoped.or_else(|| self.lookup("registry")) {
            Some((path, url)) => (url.to_string(), Some(path.to_string())),
            None => (PUBLIC_REGISTRY.to_string(), None),
        }
    }
}

/// A registry URL in a comparable form: trimmed, scheme and host lowercased, no trailing
/// `/` (npm appends paths to it the same way with or without one).
pub fn normalize(url: &str) -> String {
    let url = url.trim().trim_end_matches('/');
    match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            let host_end = rest.find('/').unwrap_or(rest.len());
            format!(
                "{}://{}{}",
                url[..i].to_ascii_lowercase(),
                rest[..host_end].to_ascii_lowercase(),
                &rest[host_end..]
            )
        }
        None => url.to_ascii_lowercase(),
    }
}

/// True when `url` is npm's public registry (any spelling of its default, or the `http`
/// form npm upgrades).
pub fn is_public(url: &str) -> bool {
    let n = normalize(url);
    n == normalize(PUBLIC_REGISTRY) || n == normalize(&PUBLIC_REGISTRY.replace("https", "http"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_settings_and_skips_sections_and_comments() {
        let rc = Npmrc::parse(
            "; comment\n# comment\n@acme:registry = \"https://npm.acme.internal/\"\n\
             registry=https://r.example/\n[section]\n@other:registry=https://x/\n",
        );
        assert_eq!(rc.get("@acme:registry"), Some("https://npm.acme.internal/"));
        assert_eq!(rc.get("registry"), Some("https://r.example/"));
        assert_eq!(rc.get("@other:registry"), None);
    }

    #[test]
    fn nearest_layer_wins_and_scope_beats_registry() {
        let regs = Registries::new([
            (
                "pkg/.npmrc".to_string(),
                "registry=https://near/\n".to_string(),
            ),
            (
                ".npmrc".to_string(),
                "@acme:registry=https://acme/\nregistry=https://far/\n".to_string(),
            ),
        ]);
        assert_eq!(regs.registry_for(Some("@acme")).0, "https://acme/");
        assert_eq!(regs.registry_for(None).0, "https://near/");
        assert_eq!(
            Registries::default().registry_for(Some("@acme")),
            (PUBLIC_REGISTRY.to_string(), None)
        );
    }

    #[test]
    fn normalizes_spellings() {
        assert_eq!(
            normalize("HTTPS://Npm.Acme.Internal/"),
            "https://npm.acme.internal"
        );
        assert_eq!(normalize(" https://h/path/ "), "https://h/path");
        assert!(is_public("https://registry.npmjs.org"));
        assert!(is_public("http://registry.npmjs.org/"));
        assert!(!is_public("https://npm.acme.internal/"));
    }
}
