//! Which tool publishes a package, and how it is told apart: npm (11.19), pnpm (12.26),
//! yarn berry (4.18) or bun (1.4). Each decides for itself what goes in the tarball; the
//! rules of each are in `docs/publishers.md`.

use crate::snapshot::{join, Snapshot};
use serde_json::Value;

/// A tool that packs and publishes npm packages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Publisher {
    /// `npm pack` / `npm publish` (npm 11.19).
    #[default]
    Npm,
    /// `pnpm pack` / `pnpm publish` (pnpm 12.26).
    Pnpm,
    /// `yarn pack` / `yarn npm publish` (yarn berry 4.18).
    Yarn,
    /// `bun pm pack` / `bun publish` (bun 1.4).
    Bun,
}

impl Publisher {
    /// Every publisher, npm first.
    pub const ALL: [Publisher; 4] = [
        Publisher::Npm,
        Publisher::Pnpm,
        Publisher::Yarn,
        Publisher::Bun,
    ];

    /// The tool's command name.
    pub fn name(self) -> &'static str {
        match self {
            Publisher::Npm => "npm",
            Publisher::Pnpm => "pnpm",
            Publisher::Yarn => "yarn",
            Publisher::Bun => "bun",
        }
    }

    /// The version whose behaviour leakgate reproduces.
    pub fn version(self) -> &'static str {
        match self {
            Publisher::Npm => "11.19",
            Publisher::Pnpm => "12.26",
            Publisher::Yarn => "4.18",
            Publisher::Bun => "1.4",
        }
    }

    /// The command that packs (for messages).
    pub fn pack_command(self) -> &'static str {
        match self {
            Publisher::Npm => "npm pack",
            Publisher::Pnpm => "pnpm pack",
            Publisher::Yarn => "yarn pack",
            Publisher::Bun => "bun pm pack",
        }
    }

    /// Parses a tool name as written in `leakgate.toml` or `packageManager`.
    pub fn parse(s: &str) -> Option<Publisher> {
        match s {
            "npm" => Some(Publisher::Npm),
            "pnpm" => Some(Publisher::Pnpm),
            "yarn" => Some(Publisher::Yarn),
            "bun" => Some(Publisher::Bun),
            _ => None,
        }
    }
}

impl std::fmt::Display for Publisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How the publisher of a repository was decided (shown next to it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// `[publish] tool` in leakgate.toml.
    Config,
    /// The `packageManager` field of the root package.json.
    PackageManager(String),
    /// A lockfile at the root.
    Lockfile(&'static str),
    /// Nothing said otherwise.
    Default,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Config => f.write_str("[publish] tool in leakgate.toml"),
            Source::PackageManager(v) => {
                // `pnpm@11.19.0+sha512.<88 chars>`: the hash says nothing to a reader.
                let short = v.split('+').next().unwrap_or(v);
                write!(f, "packageManager \"{short}\"")
            }
            Source::Lockfile(name) => write!(f, "{name}"),
            Source::Default => f.write_str("no packageManager field or lockfile of another tool"),
        }
    }
}

/// The publisher of the repository rooted at `root` (a snapshot path): the
/// `packageManager` field of its package.json (`pnpm@12.26.0`), then its lockfiles
/// (`pnpm-lock.yaml`; `yarn.lock` with `.yarnrc.yml`; `bun.lock`/`bun.lockb`), else npm.
/// A yarn.lock without `.yarnrc.yml` is yarn classic, whose pack is npm's, so it says npm.
pub fn detect(snap: &dyn Snapshot, root: &str) -> (Publisher, Source) {
    let exists = |name: &str| {
        snap.kind(&super::join_path(root, name))
            .ok()
            .flatten()
            .is_some()
    };
    if let Ok(bytes) = snap.read(&super::join_path(root, "package.json")) {
        if let Ok(v) = serde_json::from_slice::<Value>(strip_bom(&bytes)) {
            if let Some(pm) = v.get("packageManager").and_then(Value::as_str) {
                let (tool, version) = pm.split_once('@').unwrap_or((pm, ""));
                let p = match tool {
                    "yarn" if version.starts_with("1.") || version == "1" => Some(Publisher::Npm),
                    t => Publisher::parse(t),
                };
                if let Some(p) = p {
                    return (p, Source::PackageManager(pm.to_string()));
                }
            }
        }
    }
    if exists("pnpm-lock.yaml") {
        return (Publisher::Pnpm, Source::Lockfile("pnpm-lock.yaml"));
    }
    if exists("yarn.lock") && exists(".yarnrc.yml") {
        return (Publisher::Yarn, Source::Lockfile("yarn.lock + .yarnrc.yml"));
    }
    if exists("bun.lock") {
        return (Publisher::Bun, Source::Lockfile("bun.lock"));
    }
    if exists("bun.lockb") {
        return (Publisher::Bun, Source::Lockfile("bun.lockb"));
    }
    (Publisher::Npm, Source::Default)
}

/// The publisher of the repository at `root`: `[publish] tool` when the config sets one,
/// else [`detect`].
pub fn for_repository(
    snap: &dyn Snapshot,
    root: &str,
    configured: Option<Publisher>,
) -> (Publisher, Source) {
    match configured {
        Some(p) => (p, Source::Config),
        None => detect(snap, root),
    }
}

/// The line reports print: `publisher: pnpm 12.26 (from pnpm-lock.yaml)`.
pub fn describe(p: Publisher, source: &Source) -> String {
    format!(
        "publisher: {} {} (from {source}); judged: what `{}` would ship",
        p.name(),
        p.version(),
        p.pack_command()
    )
}

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b)
}

/// The yarn project around `dir`: the nearest folder (the package's own included) holding a
/// `yarn.lock`, else the package itself. Returns the paths, relative to `dir`, that yarn's
/// global list rejects (its lockfile and folders when inside the package, other workspaces).
pub fn yarn_context(snap: &dyn Snapshot, dir: &str) -> super::yarn::YarnContext {
    let mut project = None;
    let mut cur = dir.to_string();
    loop {
        if snap
            .kind(&super::join_path(&cur, "yarn.lock"))
            .ok()
            .flatten()
            .is_some()
        {
            project = Some(cur.clone());
            break;
        }
        if cur.is_empty() {
            break;
        }
        cur = match cur.rfind('/') {
            Some(i) => cur[..i].to_string(),
            None => String::new(),
        };
    }
    let project = project.unwrap_or_else(|| dir.to_string());
    let mut rejected = Vec::new();
    let lock = super::join_path(&project, "yarn.lock");
    let unreadable_lockfile = match snap.read(&lock) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let readable = text.trim().is_empty()
                || text.contains("__metadata:")
                || text.contains("# yarn lockfile v1");
            (!readable).then_some(lock)
        }
        Err(_) => None,
    };
    if project == dir {
        for p in [
            "yarn.lock",
            ".yarn/cache",
            ".yarn/install-state.gz",
            ".yarn/__virtual__",
            ".yarn/unplugged",
            ".pnp.cjs",
            ".pnp.data.json",
            ".pnp.loader.mjs",
        ] {
            rejected.push(p.to_string());
        }
        if let Ok(bytes) = snap.read(&join(dir, ".yarnrc.yml")) {
            for line in String::from_utf8_lossy(&bytes).lines() {
                if let Some(v) = line.strip_prefix("yarnPath:") {
                    let v = v.trim().trim_matches(|c| c == '"' || c == '\'');
                    let v = v.trim_start_matches("./");
                    if !v.is_empty() && !v.starts_with("..") && !v.starts_with('/') {
                        rejected.push(v.to_string());
                    }
                }
            }
        }
    }
    // Other workspaces of the project inside the package.
    if let Ok(bytes) = snap.read(&super::join_path(&project, "package.json")) {
        if let Ok(m) = serde_json::from_slice::<Value>(strip_bom(&bytes)) {
            if let Ok(members) = crate::workspace::npm_workspaces(snap, &project, &m) {
                for member in members {
                    let rel = if dir.is_empty() {
                        Some(member.as_str())
                    } else {
                        member.strip_prefix(dir).and_then(|r| r.strip_prefix('/'))
                    };
                    if let Some(rel) = rel.filter(|r| !r.is_empty()) {
                        rejected.push(rel.to_string());
                    }
                }
            }
        }
    }
    super::yarn::YarnContext {
        rejected,
        unreadable_lockfile,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back() {
        for p in Publisher::ALL {
            assert_eq!(Publisher::parse(p.name()), Some(p));
        }
        assert_eq!(Publisher::parse("Yarn"), None);
    }
}
