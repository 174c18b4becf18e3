//! Reviews of a staged change: what a commit does to what npm would publish.
//!
//! The text reviews ([`review_file`]) are pure: the HEAD text and the staged text of one
//! file in, findings out. [`staged`] finds the staged changes with git (never touching the
//! index, the working tree or `.git`), and [`exposure`] computes the files a commit makes
//! publishable.

pub mod bundlers;
pub mod exposure;
pub mod ignore_files;
pub mod js;
pub mod json;
pub mod npmrc;
pub mod package_json;
pub mod probes;
pub mod risky;
pub mod shell;
pub mod staged;

use crate::config::Visibility;
use crate::report::{Finding, Severity};
use crate::rules::Rule;

/// `package-json/files-removed`: the `files` allow-list was removed from package.json (or is not an array)
pub static PACKAGE_JSON_FILES_REMOVED: Rule = Rule {
    id: "package-json/files-removed",
    default_severity: Severity::Error,
    summary: "the `files` allow-list was removed from package.json (or is not an array)",
    explanation: "Without `files`, npm packs every file of the package directory that no \
        .npmignore (or, without one, .gitignore) excludes: build output with its source maps, \
        scratch files, `.env`. The leaks of whole source trees through npm nearly all start here. \
        A `files` that is not an array is no allow-list either: npm ignores `null`, `false`, \
        `0` and `\"\"`, reads a string one character at a time (`\"*\"` ships everything) and \
        fails on an object, `true` or a number; each is reported as a removal.",
    fix: "Keep `files` as an array and list only what the package needs \
        (`[\"dist/*.js\", \"README.md\"]`); check the result with `leakgate files`.",
};

/// `package-json/files-widened`: `files` now lets in maps, sources, env files or keys it kept out
pub static PACKAGE_JSON_FILES_WIDENED: Rule = Rule {
    id: "package-json/files-widened",
    default_severity: Severity::Error,
    summary: "`files` now lets in maps, sources, env files or keys it kept out",
    explanation: "A `files` edit is judged by what npm would pack, not by how it is spelled: \
        leakgate packs the package with HEAD's and with the staged package.json over the \
        working tree plus probe files (a map, a `.ts` source, an `.env`, a key) in the package \
        root and in every directory an entry names, as a build would fill them. A probe the \
        staged `files` lets in and HEAD's kept out is reported: `dist/*.js` widened to \
        `dist` or `dist/*` lets `dist/cli.js.map` in, a dropped `!dist/*.map` lets it back, \
        while a negation made broader or new entries that only add JavaScript or \
        declarations are quiet. Real files the edit makes publishable are \
        `commit/exposes-files`. A warning for open-source packages.",
    fix: "List exact files or narrow globs (`dist/*.js`, not `dist`), keep the negations that \
        exclude `*.map`, and check with `leakgate files`.",
};

/// `package-json/private-removed`: a package npm would never publish becomes publishable
pub static PACKAGE_JSON_PRIVATE_REMOVED: Rule = Rule {
    id: "package-json/private-removed",
    default_severity: Severity::Error,
    summary: "a package npm would never publish becomes publishable",
    explanation: "`private: true` makes npm refuse to publish the package, and so does a \
        package.json without `name` or `version` (a workspace root, an app). Removing \
        `private`, or adding the missing name or version to a package that isn't private, \
        turns an internal package into one `npm publish` will upload. Nothing is reported \
        while the package stays unpublishable (dropping `private` from a versionless app).",
    fix: "Put `\"private\": true` back unless publishing is intended; if it is, review what \
        ships with `leakgate files` first.",
};

/// `package-json/publish-config`: `publishConfig` now publishes publicly or to another registry
pub static PACKAGE_JSON_PUBLISH_CONFIG: Rule = Rule {
    id: "package-json/publish-config",
    default_severity: Severity::Error,
    summary: "`publishConfig` now publishes publicly or to another registry",
    explanation: "`publishConfig.access: \"public\"` makes a scoped package world-readable. npm \
        layers `publishConfig` over the `.npmrc` settings, so a `publishConfig.registry` or \
        `publishConfig[\"@scope:registry\"]` added or changed to a registry other than the one \
        the repository's `.npmrc` (the package directory's, else the root's) configures for \
        that scope, or to the public registry, sends the tarball there instead of to the \
        company's; removing such a key is reported when the package then falls back to the \
        public registry. Setting the registry `.npmrc` already names is quiet.",
    fix:
        "Revert the change, or confirm it is intended and that the package ships nothing internal.",
};

/// `package-json/guard-removed`: a `prepublishOnly`/`prepack` guard script was removed
pub static PACKAGE_JSON_GUARD_REMOVED: Rule = Rule {
    id: "package-json/guard-removed",
    default_severity: Severity::Error,
    summary: "a `prepublishOnly`/`prepack` guard script was removed",
    explanation: "`prepublishOnly` and `prepack` run before every publish; teams put their last \
        check there (`leakgate audit`, a clean build, a refusal). Removing it removes that check.",
    fix: "Keep the guard script (or move the check into CI before publishing).",
};

/// `package-json/entry-in-sources`: `main`, `bin` or `exports` now point into the sources
pub static PACKAGE_JSON_ENTRY_IN_SOURCES: Rule = Rule {
    id: "package-json/entry-in-sources",
    default_severity: Severity::Error,
    summary: "`main`, `bin` or `exports` now point into the sources",
    explanation: "npm always packs the files `main` and `bin` name, and the whole directory \
        around an ignored `main`; pointing them at `src/` or at `.ts` sources ships the sources \
        even when `files` or .npmignore leave them out.",
    fix: "Point `main`/`bin`/`exports` at the built output (`dist/index.js`).",
};

/// `ignore-file/npmignore-deleted`: an .npmignore was deleted
pub static IGNORE_FILE_NPMIGNORE_DELETED: Rule = Rule {
    id: "ignore-file/npmignore-deleted",
    default_severity: Severity::Error,
    summary: "an .npmignore was deleted",
    explanation: "Without .npmignore, npm falls back to .gitignore in that directory (or to \
        nothing): files the .npmignore kept out, like maps and sources, ship again.",
    fix: "Keep the .npmignore, or add a `files` allow-list to package.json first.",
};

/// `ignore-file/protection-removed`: an ignore line that kept out maps, sources, env files or keys was removed
pub static IGNORE_FILE_PROTECTION_REMOVED: Rule = Rule {
    id: "ignore-file/protection-removed",
    default_severity: Severity::Error,
    summary: "an ignore line that kept out maps, sources, env files or keys was removed",
    explanation: "A line of .npmignore (or of a .gitignore npm reads because there is no \
        .npmignore) that excluded `*.map`, `src/`, `.env` or key files was removed, so those \
        files are publishable again.",
    fix: "Restore the line (the message quotes it).",
};

/// `ignore-file/reinclude`: a `!` negation re-includes maps, sources, env files or keys
pub static IGNORE_FILE_REINCLUDE: Rule = Rule {
    id: "ignore-file/reinclude",
    default_severity: Severity::Error,
    summary: "a `!` negation re-includes maps, sources, env files or keys",
    explanation: "A negation added to an ignore file npm reads puts back files an earlier line \
        kept out; npm also re-opens the whole excluded directory for it.",
    fix: "Remove the negation, or make it name exactly the file that must ship.",
};

/// `ignore-file/npmignore-over-gitignore`: a new .npmignore makes npm stop reading the .gitignore beside it
pub static IGNORE_FILE_NPMIGNORE_OVER_GITIGNORE: Rule = Rule {
    id: "ignore-file/npmignore-over-gitignore",
    default_severity: Severity::Error,
    summary: "a new .npmignore makes npm stop reading the .gitignore beside it",
    explanation: "npm reads .npmignore *instead of* .gitignore in the same directory; even an \
        empty .npmignore does this. Everything the .gitignore kept out of the package (`.env`, \
        build scratch, maps) becomes publishable unless the new file repeats it.",
    fix: "Copy the .gitignore lines that must stay out (the message lists them) into the new \
        .npmignore, or use a `files` allow-list instead.",
};

/// `bundler/sourcemap-enabled`: a staged build config or script turns source maps on (or makes them embed sources)
pub static BUNDLER_SOURCEMAP_ENABLED: Rule = Rule {
    id: "bundler/sourcemap-enabled",
    default_severity: Severity::Error,
    summary: "a staged build config or script turns source maps on (or makes them embed sources)",
    explanation: "Source maps with `sourcesContent` carry the complete original source code; \
        one `cli.js.map` leaked a CLI's whole TypeScript source in March 2026 after the build \
        gained Bun's `--sourcemap`. Bun, esbuild, Vite, Rollup, tsup, swc, Babel, Parcel and \
        webpack (unless `nosources-`) embed sources; tsc only with `inlineSources`. Maps that \
        embed nothing are warnings; for open-source packages every case is a warning, for \
        private packages none is reported.",
    fix: "Turn maps off for published builds (`--sourcemap=none`, `sourcemap: false`, \
        `devtool: false`), or keep them out of the package (`files`, .npmignore `*.map`), or \
        stop embedding sources (`sourcesContent: false`, `nosources-source-map`).",
};

/// `commit/exposes-files`: this commit makes files publishable that were not
pub static COMMIT_EXPOSES_FILES: Rule = Rule {
    id: "commit/exposes-files",
    default_severity: Severity::Error,
    summary: "this commit makes files publishable that were not",
    explanation: "leakgate packs each package whose package.json or ignore files are staged \
        twice over the same working tree, once with HEAD's versions of those files and once \
        with the staged ones, and lists what the staged versions add. An error when an added \
        file would fail the audit (a map with sources, an env file, a key, a secret, a \
        codename); a warning otherwise.",
    fix: "Check the list: exclude what must not ship (`files`, .npmignore), or accept it.",
};

/// The package a reviewed file belongs to, as the staged tree describes it.
#[derive(Clone, Debug)]
pub struct PackageCtx {
    /// The package directory relative to the repository root (`""` = root).
    pub dir: String,
    /// The `name` from package.json.
    pub name: Option<String>,
    /// npm would never publish it: the staged package.json says `private: true`, or lacks
    /// `name` or `version` (a workspace root, an app). Its file and bundler rules can't leak.
    pub private: bool,
    /// Open-source or proprietary ([`crate::config::Config::visibility`]).
    pub visibility: Visibility,
    /// The staged package.json has a `files` field.
    pub has_files: bool,
}

impl PackageCtx {
    /// A context for a file outside any package (treated as proprietary).
    pub fn none() -> Self {
        PackageCtx {
            dir: String::new(),
            name: None,
            private: false,
            visibility: Visibility::Proprietary,
            has_files: false,
        }
    }

    /// The severity of a risky change: an error for proprietary packages, a warning for
    /// open-source ones, whose sources are public anyway.
    pub fn severity(&self) -> Severity {
        match self.visibility {
            Visibility::Open => Severity::Warning,
            Visibility::Proprietary => Severity::Error,
        }
    }

    /// The label used in findings (name, else directory).
    pub fn label(&self) -> Option<String> {
        self.name.clone().or_else(|| {
            if self.dir.is_empty() {
                None
            } else {
                Some(self.dir.clone())
            }
        })
    }

    /// A finding of `rule` at `path` (repository-relative), tagged with this package.
    pub fn finding(&self, rule: &'static Rule, path: &str, message: impl Into<String>) -> Finding {
        let mut f = Finding::new(rule, message)
            .severity(self.severity())
            .file(path)
            .repo_path(path);
        if let Some(label) = self.label() {
            f = f.package(label);
        }
        f
    }
}

/// A staged file leakgate can't read: a package.json or tsconfig that doesn't parse.
pub type ReviewError = crate::text::InputError;

impl ReviewError {
    /// Wraps a JSON error for `file`.
    pub fn json(file: &str, e: json::JsonError) -> Self {
        ReviewError {
            file: file.to_string(),
            line: e.line,
            column: e.column,
            message: e.message,
        }
    }
}

/// Reads the staged version of a repository path (`None` when absent or not text).
pub type StagedReader<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The last path component.
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The directory of a path (`""` for a root file).
pub fn parent_dir(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// True when the text review has something to say about files with this path.
pub fn is_reviewed(path: &str) -> bool {
    let name = file_name(path);
    name == "package.json"
        || name == ".npmignore"
        || name == ".gitignore"
        || bundlers::kind_of(path).is_some()
}

/// Reviews one staged file: `old` is HEAD's text (`None` when added), `new` the staged
/// text (`None` when deleted). `staged` reads other staged files (tsconfig `extends`, the
/// .gitignore beside a new .npmignore).
pub fn review_file(
    path: &str,
    old: Option<&str>,
    new: Option<&str>,
    pkg: &PackageCtx,
    staged: StagedReader<'_>,
) -> Result<Vec<Finding>, ReviewError> {
    let name = file_name(path);
    let mut out = Vec::new();
    match name {
        "package.json" => out.extend(package_json::review(path, old, new, pkg, staged)?),
        ".npmignore" | ".gitignore" => {
            out.extend(ignore_files::review(path, old, new, pkg, staged))
        }
        _ => {}
    }
    if !pkg.private {
        out.extend(bundlers::review(path, old, new, pkg, staged)?);
    }
    Ok(out)
}
