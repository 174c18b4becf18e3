//! Package visibility: are a package's sources public anyway?
//!
//! Open only when package.json declares an OSI licence *and* a `repository` and is not
//! `private`; everything else is proprietary (no licence, `UNLICENSED`, `SEE LICENSE IN …`
//! — the leaked CLI's own licence field — or no repository). `[[package]]` entries override.

use super::Visibility;

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
    let license = license_of(manifest);
    if !private && has_repo && is_osi_license(&license) {
        Visibility::Open
    } else {
        Visibility::Proprietary
    }
}

/// The `leakgate.toml` line that declares a package open source: the one-line form of a
/// `[[package]]` table (a TOML array of inline tables), so it can be pasted as it is.
/// Matched by `name` when the package has one, else by its directory (`path`).
pub fn open_declaration(name: Option<&str>, dir: &str) -> String {
    let quote = |v: &str| serde_json::Value::String(v.to_string()).to_string();
    match name {
        Some(n) => format!(
            "package = [{{ name = {}, visibility = \"open\" }}]",
            quote(n)
        ),
        None => format!(
            "package = [{{ path = {}, visibility = \"open\" }}]",
            quote(dir)
        ),
    }
}

/// The help sentence for a proprietary-looking package blocked for shipping its sources:
/// how to declare it open when its sources are public anyway (a commercial or custom
/// licence whose code is published elsewhere). The rule stays conservative: only the team
/// can say the code is public.
pub fn declare_open_help(name: Option<&str>, dir: &str) -> String {
    format!(
        "if the sources are public anyway, declare the package open in leakgate.toml: {} \
         (or a `[[package]]` table with these keys, beside any others)",
        open_declaration(name, dir)
    )
}

/// The licence expression of a manifest: the `license` string, the legacy
/// `license: { "type": ... }` object, or the legacy `licenses: [{ "type": ... }]` array
/// (all joined with `OR`, since any of them may be chosen).
pub fn license_of(manifest: &serde_json::Value) -> String {
    match manifest.get("license") {
        Some(serde_json::Value::String(s)) => return s.clone(),
        Some(serde_json::Value::Object(o)) => {
            return o
                .get("type")
                .and_then(|t| t.as_str())
                .unwrap_or("")
                .to_string()
        }
        _ => {}
    }
    manifest
        .get("licenses")
        .and_then(|l| l.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.get("type").and_then(|t| t.as_str()))
                .collect::<Vec<_>>()
                .join(" OR ")
        })
        .unwrap_or_default()
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
    let mut tokens = cleaned.split_whitespace();
    while let Some(token) = tokens.next() {
        match token {
            "OR" | "AND" => continue,
            // `WITH` names an exception to the licence before it, not another licence.
            "WITH" => {
                tokens.next();
                continue;
            }
            _ => {}
        }
        // `GPL-2.0+` is the old spelling of `GPL-2.0-or-later`.
        let token = token.trim_end_matches('+');
        if !OSI.iter().any(|l| l.eq_ignore_ascii_case(token)) {
            return false;
        }
        any = true;
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_open_declaration_pastes_into_leakgate_toml_and_makes_the_package_open() {
        let manifest = json!({"name": "@acme/cli", "license": "SEE LICENSE IN LICENSE.md"});
        assert_eq!(infer_visibility(&manifest), Visibility::Proprietary);
        for (name, dir) in [(Some("@acme/cli"), "packages/cli"), (None, "packages/cli")] {
            let line = open_declaration(name, dir);
            assert!(declare_open_help(name, dir).contains(&line));
            let config = crate::config::Config::parse(
                &format!("{line}\n"),
                std::path::Path::new("leakgate.toml"),
            )
            .unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(
                config.visibility("packages/cli", &manifest),
                Visibility::Open,
                "{line}"
            );
            // Near miss: another package stays proprietary.
            let other = json!({"name": "@acme/other", "license": "UNLICENSED"});
            assert_eq!(
                config.visibility("packages/other", &other),
                Visibility::Proprietary,
                "{line}"
            );
        }
    }

    fn vis(m: serde_json::Value) -> Visibility {
        infer_visibility(&m)
    }

    #[test]
    fn osi_licence_and_repository_is_open() {
        let m = json!({"name": "a", "license": "MIT", "repository": "github:acme/a"});
        assert_eq!(vis(m), Visibility::Open);
        let m = json!({"license": "(MIT OR Apache-2.0)",
            "repository": {"type": "git", "url": "https://github.com/acme/a"}});
        assert_eq!(vis(m), Visibility::Open);
    }

    #[test]
    fn no_repository_is_proprietary() {
        assert_eq!(vis(json!({"license": "MIT"})), Visibility::Proprietary);
        assert_eq!(
            vis(json!({"license": "MIT", "repository": ""})),
            Visibility::Proprietary
        );
        assert_eq!(
            vis(json!({"license": "MIT", "repository": {"type": "git"}})),
            Visibility::Proprietary
        );
    }

    #[test]
    fn unlicensed_and_see_license_are_proprietary() {
        let repo = "https://github.com/acme/a";
        for l in ["UNLICENSED", "SEE LICENSE IN README.md", "Proprietary", ""] {
            assert_eq!(
                vis(json!({"license": l, "repository": repo})),
                Visibility::Proprietary,
                "{l}"
            );
        }
        assert_eq!(vis(json!({"repository": repo})), Visibility::Proprietary);
    }

    #[test]
    fn private_is_proprietary() {
        let m = json!({"license": "MIT", "repository": "x/y", "private": true});
        assert_eq!(vis(m), Visibility::Proprietary);
    }

    #[test]
    fn mixed_expression_with_a_non_osi_licence_is_proprietary() {
        assert!(!is_osi_license("MIT AND SEE-LICENSE"));
        assert!(is_osi_license("Apache-2.0 WITH LLVM-exception"));
        assert!(is_osi_license("GPL-2.0+"));
        assert!(!is_osi_license("SEE LICENSE IN LICENSE.md"));
        assert!(is_osi_license("mit"));
    }

    #[test]
    fn legacy_licence_forms() {
        let m = json!({"license": {"type": "MIT"}, "repository": "x/y"});
        assert_eq!(vis(m), Visibility::Open);
        let m = json!({"licenses": [{"type": "BSD-3-Clause"}], "repository": "x/y"});
        assert_eq!(vis(m), Visibility::Open);
    }
}
