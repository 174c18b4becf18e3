//! Path globs of the config (`[[allow]] path`, `[files] deny`, `[[package]] path`).
//!
//! The syntax is globset's (`*`, `?`, `[...]`, `{a,b}`, `**`), with gitignore-like
//! anchoring because that is what people expect from a path list:
//! - `*` does not cross `/`; `**` does;
//! - a pattern without `/` (`*.pem`, `.env*`) matches at any depth;
//! - a leading `/` anchors to the root; a trailing `/` is allowed (`fixtures/`);
//! - a pattern that matches a directory matches everything under it.

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

/// Compiles one config path glob (see the module doc for the anchoring rules).
pub fn compile(pattern: &str) -> Result<Glob, String> {
    let p = pattern.trim();
    if p.is_empty() {
        return Err("empty glob".into());
    }
    let p = p.strip_suffix('/').unwrap_or(p);
    let anchored = if let Some(rest) = p.strip_prefix('/') {
        rest.to_string()
    } else if p.contains('/') {
        p.strip_prefix("./").unwrap_or(p).to_string()
    } else {
        format!("**/{p}")
    };
    GlobBuilder::new(&anchored)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map_err(|e| format!("invalid glob `{pattern}`: {}", e.kind()))
}

/// Compiles a name glob (`@acme/*`): no anchoring rules, `*` doesn't cross `/`.
pub fn compile_name(pattern: &str) -> Result<Glob, String> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("invalid glob `{pattern}`: {}", e.kind()))
}

/// Builds a set from already-validated globs.
pub fn set(globs: impl IntoIterator<Item = Glob>) -> GlobSet {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(g);
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

/// Normalises a path for matching: `/` separators, no leading `./` or `/`.
pub fn normalize(path: &str) -> String {
    let p = path.replace('\\', "/");
    let p = p.trim_start_matches("./").trim_start_matches('/');
    p.trim_end_matches('/').to_string()
}

/// The indices of the globs in `set` that match `path` or one of its parent directories.
/// For a file inside a file (`dist/cli.js.map!src/a.ts`) the outer file counts too, so an
/// entry for `dist/cli.js.map` covers what is embedded in it.
pub fn matches(set: &GlobSet, path: &str) -> Vec<usize> {
    let path = normalize(path);
    let mut hits = Vec::new();
    let mut candidates = vec![path.clone()];
    if let Some((outer, _)) = path.split_once('!') {
        candidates.push(outer.to_string());
    }
    for c in &candidates {
        let mut prefix = c.as_str();
        loop {
            for i in set.matches(prefix) {
                if !hits.contains(&i) {
                    hits.push(i);
                }
            }
            match prefix.rfind('/') {
                Some(i) => prefix = &prefix[..i],
                None => break,
            }
        }
    }
    hits.sort_unstable();
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, path: &str) -> bool {
        !matches(&set([compile(pattern).unwrap()]), path).is_empty()
    }

    #[test]
    fn anchoring() {
        assert!(m(
            "lib/fixtures/registry-token.js",
            "lib/fixtures/registry-token.js"
        ));
        assert!(!m(
            "lib/fixtures/registry-token.js",
            "x/lib/fixtures/registry-token.js"
        ));
        assert!(m("*.pem", "deep/dir/key.pem"));
        assert!(m(".env*", ".env.local"));
        assert!(!m("lib/*.js", "lib/a/b.js"));
        assert!(m("lib/**/*.js", "lib/a/b.js"));
        assert!(m("/top.js", "top.js"));
        assert!(!m("/top.js", "a/top.js"));
    }

    #[test]
    fn directories_cover_their_contents() {
        assert!(m("fixtures/", "fixtures/a/b.txt"));
        assert!(m("test/fixtures", "test/fixtures/token.js"));
        assert!(!m("test/fixtures", "test/fixtures2/token.js"));
    }

    #[test]
    fn inner_files_match_their_outer_file() {
        assert!(m("dist/cli.js.map", "dist/cli.js.map!src/auth.ts"));
        assert!(m("dist/*.map", "dist/cli.js.map!src/auth.ts"));
        assert!(!m("src/auth.ts", "dist/cli.js.map!src/auth.ts"));
    }

    #[test]
    fn bad_globs_are_errors() {
        assert!(compile("lib/[").is_err());
        assert!(compile("{a,b").is_err());
        assert!(compile("").is_err());
    }

    #[test]
    fn name_globs() {
        let s = set([compile_name("@acme/*").unwrap()]);
        assert!(s.is_match("@acme/cli"));
        assert!(!s.is_match("@other/cli"));
    }
}
