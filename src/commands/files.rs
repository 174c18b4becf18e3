//! `leakgate files`: the files `npm pack` would ship, computed natively.

use super::{CmdResult, Exit, Format, Globals};
use crate::packlist::{pack, PackOptions, Packlist, Publisher};
use crate::snapshot::memo::Memo;
use crate::snapshot::worktree::Worktree;
use crate::workspace::{self, Package};
use anyhow::{anyhow, bail, Context};
use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `leakgate files`.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    /// The package directory (default: the package containing the current directory).
    pub dir: Option<PathBuf>,
    /// Print JSON: name, version, totals, and size and mode per file.
    #[arg(long)]
    pub json: bool,
    /// List every package of the repository (root and workspaces).
    #[arg(long, conflicts_with = "workspace")]
    pub workspaces: bool,
    /// Only the workspace package with this name (or directory).
    #[arg(short = 'w', long = "workspace", value_name = "NAME")]
    pub workspace: Option<String>,
    /// Whose pack to reproduce: npm 11.19, pnpm 12.26, yarn 4.18 (berry) or bun 1.4.
    #[arg(long, value_enum, default_value_t = Publisher::Npm)]
    pub publisher: Publisher,
}

/// Runs the command.
pub fn run(args: &Args, globals: &Globals) -> CmdResult {
    let as_json = args.json || globals.format == Format::Json;
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let start = match &args.dir {
        Some(d) => cwd.join(d),
        None => cwd.clone(),
    };
    let start = start
        .canonicalize()
        .with_context(|| format!("{}: no such directory", start.display()))?;
    // The snapshot is the whole filesystem so npm's upward searches (workspace roots)
    // see what npm sees; paths inside it are absolute paths minus the leading `/`.
    let snap = Worktree::new("/");
    let rel = |p: &Path| p.to_string_lossy().trim_start_matches('/').to_string();
    let shown = |snap_path: &str| display_path(&cwd, snap_path);

    if args.workspaces || args.workspace.is_some() {
        let root = repo_root(&start);
        let root_rel = rel(&root);
        // One memo for the whole run: discovery lists the member directories and reads
        // their manifests, the root's walk lists every member's tree (npm packs them into the
        // root's tarball too), and the members are then packed from what it kept.
        let snap = Memo::new(snap);
        let mut packages = workspace::discover_in(&snap, &root_rel)
            .map_err(|e| anyhow!("{}", localize(&e.to_string(), &shown)))?;
        // A broken member's reason names its package.json as errors do: shown, not as a
        // snapshot path (the absolute path without its `/`).
        for p in &mut packages {
            if let Some(why) = &mut p.broken {
                *why = localize(why, &shown);
            }
        }
        if packages.is_empty() {
            // A repository with no root package (a Go project whose npm packages sit in
            // `npm/`) is valid: nothing to list is an answer, not an error; `-w` names one.
            if args.workspace.is_some() {
                bail!("{}: no package.json and no workspaces here", root.display());
            }
            eprintln!(
                "note: {}: no package.json at the root and no workspaces; nothing to list \
                 (name a package directory: `leakgate files DIR`)",
                root.display()
            );
            return print_many(&root_rel, &[], as_json);
        }
        let selected: Vec<&Package> = match &args.workspace {
            Some(name) => {
                vec![find_workspace(&packages, name)?]
            }
            None => packages.iter().collect(),
        };
        // npm packs a member of the root's npm workspaces with the root's ancestor ignore
        // files (docs/npm-pack-rules.md §9.2); resolve them once instead of once per member.
        let root_manifest = workspace::read_manifest(&snap, &root_rel).ok().flatten();
        let npm_members = match &root_manifest {
            Some(m) => workspace::npm_workspaces(&snap, &root_rel, m).unwrap_or_default(),
            None => Vec::new(),
        };
        // The root first (its walk fills the memo, spread over the cores), then the members
        // on both cores from memory.
        // A package npm can't pack (a versionless workspace root, a broken fixture) ships
        // nothing: it is listed with the reason, not packed.
        let pack_one = |p: &Package| -> anyhow::Result<Option<Packlist>> {
            if !p.packable() {
                return Ok(None);
            }
            let dir = crate::packlist::join_path(&root_rel, &p.dir);
            let options = PackOptions {
                workspace_root: npm_members.contains(&dir).then(|| root_rel.clone()),
                standalone: false,
                names_only: !as_json,
                publisher: args.publisher,
            };
            pack(&snap, &dir, &options)
                .map(Some)
                .map_err(|e| anyhow!("{}", localize(&e.to_string(), &shown)))
        };
        let (roots, members): (Vec<&Package>, Vec<&Package>) =
            selected.iter().partition(|p| p.dir.is_empty());
        let mut lists = roots
            .iter()
            .map(|p| Ok((*p, pack_one(p)?)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        lists.extend(
            members
                .par_iter()
                .map(|p| Ok((*p, pack_one(p)?)))
                .collect::<anyhow::Result<Vec<_>>>()?,
        );
        if args.workspace.is_some() {
            let (p, list) = &lists[0];
            let Some(list) = list else {
                bail!(
                    "{} ({}): {}",
                    p.label(),
                    if p.dir.is_empty() { "." } else { &p.dir },
                    p.unpackable().map(|u| u.to_string()).unwrap_or_default()
                );
            };
            return print_one(list, Some(p), as_json);
        }
        return print_many(&root_rel, &lists, as_json);
    }

    let dir = package_dir(&start)?;
    // Paths alone need no stat per file (what made this 2-3x a plain `find`); `--json`
    // reports sizes and modes, so its walk stats every entry it lists.
    let options = PackOptions {
        names_only: !as_json,
        publisher: args.publisher,
        ..PackOptions::default()
    };
    let list = pack(&snap, &rel(&dir), &options)
        .map_err(|e| anyhow!("{}", localize(&e.to_string(), &shown)))?;
    print_one(&list, None, as_json)
}

/// How many package names an unknown `-w NAME` error lists.
const KNOWN_SHOWN: usize = 12;

/// The package `-w NAME` names: by package name, or by directory.
fn find_workspace<'a>(packages: &'a [Package], name: &str) -> anyhow::Result<&'a Package> {
    let as_dir = match name.trim_matches('/') {
        "." => "",
        d => d.strip_prefix("./").unwrap_or(d),
    };
    if let Some(p) = packages.iter().find(|p| p.dir == as_dir) {
        return Ok(p);
    }
    let named: Vec<&Package> = packages
        .iter()
        .filter(|p| p.name.as_deref() == Some(name))
        .collect();
    match named.as_slice() {
        [one] => return Ok(one),
        [] => {}
        many => bail!(
            "{} packages are named `{name}` ({}): npm refuses a workspace set with duplicate \
             names; name the directory instead: `-w {}`",
            many.len(),
            many.iter()
                .map(|p| p.dir.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            many[0].dir
        ),
    }
    // A monorepo has hundreds: name a few, say how many more, and how to see them all.
    // (Never empty: discovery found at least one package, or the command stopped there.)
    let known: Vec<&str> = packages
        .iter()
        .take(KNOWN_SHOWN)
        .map(|p| p.name.as_deref().unwrap_or(p.dir.as_str()))
        .collect();
    let more = packages.len().saturating_sub(KNOWN_SHOWN);
    let more = if more > 0 {
        format!(" and {more} more; `leakgate files --workspaces` lists them all")
    } else {
        String::new()
    };
    bail!(
        "no workspace package named `{name}` (known: {}{more})",
        known.join(", ")
    )
}

/// The innermost directory at or above `start` holding a package.json.
fn package_dir(start: &Path) -> anyhow::Result<PathBuf> {
    let mut cur = Some(start);
    while let Some(d) = cur {
        if d.join("package.json").exists() {
            return Ok(d.to_path_buf());
        }
        cur = d.parent();
    }
    bail!(
        "{}: no package.json here or in any parent directory",
        start.display()
    )
}

/// The repository root for `--workspaces`: the git work tree root if there is one, else
/// the outermost ancestor with a package.json.
fn repo_root(start: &Path) -> PathBuf {
    let mut outermost = None;
    let mut cur = Some(start);
    while let Some(d) = cur {
        if d.join("package.json").exists() || d.join("pnpm-workspace.yaml").exists() {
            outermost = Some(d.to_path_buf());
        }
        if d.join(".git").exists() {
            return outermost.unwrap_or_else(|| d.to_path_buf());
        }
        cur = d.parent();
    }
    outermost.unwrap_or_else(|| start.to_path_buf())
}

/// A snapshot path (absolute minus `/`) as the user should read it: relative to the
/// current directory when inside it.
fn display_path(cwd: &Path, snap_path: &str) -> String {
    let abs = PathBuf::from(format!("/{snap_path}"));
    match abs.strip_prefix(cwd) {
        Ok(r) if !r.as_os_str().is_empty() => r.display().to_string(),
        _ => abs.display().to_string(),
    }
}

/// Rewrites the leading snapshot path of an error message for display.
fn localize(msg: &str, shown: &dyn Fn(&str) -> String) -> String {
    // Library errors start with the file they concern (`path: ...` or `path:1:2: ...`).
    let end = msg.find(": ").unwrap_or(0);
    let head = &msg[..end];
    let (path, pos) = match head.find(":") {
        Some(i)
            if head[i + 1..]
                .chars()
                .all(|c| c.is_ascii_digit() || c == ':') =>
        {
            (&head[..i], &head[i..])
        }
        _ => (head, ""),
    };
    if path.is_empty() || path.contains(' ') {
        return msg.to_string();
    }
    format!("{}{}{}", shown(path), pos, &msg[end..])
}

/// One package of the `--json` output, keys in this order (the README's `leakgate files`).
/// Serialized straight from the packlist: building a `serde_json::Value` per file cost more
/// than computing the packlist.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct PackageJson<'a> {
    name: Option<&'a str>,
    version: Option<&'a str>,
    /// The package directory, absolute.
    dir: String,
    /// Why npm can't pack this package (nothing ships); absent when it can.
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<String>,
    entry_count: usize,
    unpacked_size: u64,
    files: Vec<FileJson<'a>>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    workspace: Option<WorkspaceJson<'a>>,
}

/// One file of [`PackageJson`].
#[derive(serde::Serialize)]
struct FileJson<'a> {
    path: &'a str,
    size: u64,
    mode: u32,
}

/// What `--workspaces` adds to a [`PackageJson`].
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct WorkspaceJson<'a> {
    workspace_dir: &'a str,
    private: bool,
    root: bool,
}

fn package_json<'a>(list: &'a Packlist, pkg: Option<&'a Package>) -> PackageJson<'a> {
    PackageJson {
        name: list.name(),
        version: list.version(),
        dir: format!("/{}", list.dir),
        skipped: None,
        entry_count: list.files.len(),
        unpacked_size: list.total_size(),
        files: list
            .files
            .iter()
            .map(|f| FileJson {
                path: &f.path,
                size: f.size,
                mode: f.mode,
            })
            .collect(),
        workspace: pkg.map(|p| WorkspaceJson {
            workspace_dir: &p.dir,
            private: p.private,
            root: p.root,
        }),
    }
}

/// A package npm can't pack, in `--workspaces --json`: no files, and why.
fn unpacked_json<'a>(root: &str, pkg: &'a Package) -> PackageJson<'a> {
    PackageJson {
        name: pkg.name.as_deref(),
        version: pkg.version.as_deref(),
        dir: format!("/{}", crate::packlist::join_path(root, &pkg.dir)),
        skipped: pkg.unpackable().map(|u| u.to_string()),
        entry_count: 0,
        unpacked_size: 0,
        files: Vec::new(),
        workspace: Some(WorkspaceJson {
            workspace_dir: &pkg.dir,
            private: pkg.private,
            root: pkg.root,
        }),
    }
}

fn print_one(list: &Packlist, pkg: Option<&Package>, as_json: bool) -> CmdResult {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if as_json {
        serde_json::to_writer_pretty(&mut out, &package_json(list, pkg))?;
        writeln!(out)?;
    } else {
        for f in &list.files {
            writeln!(out, "{}", f.path)?;
        }
    }
    out.flush()?;
    Ok(Exit::Clean)
}

fn print_many(root: &str, lists: &[(&Package, Option<Packlist>)], as_json: bool) -> CmdResult {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if as_json {
        #[derive(serde::Serialize)]
        struct All<'a> {
            packages: Vec<PackageJson<'a>>,
        }
        let packages = lists
            .iter()
            .map(|(p, l)| match l {
                Some(l) => package_json(l, Some(p)),
                None => unpacked_json(root, p),
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &All { packages })?;
        writeln!(out)?;
    } else {
        for (i, (p, l)) in lists.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            let name = p.name.as_deref().unwrap_or("(unnamed)");
            let dir = if p.dir.is_empty() {
                "."
            } else {
                p.dir.as_str()
            };
            let private = if p.private { " (private)" } else { "" };
            let Some(l) = l else {
                let why = p.unpackable().map(|u| u.to_string()).unwrap_or_default();
                writeln!(out, "# {name} {dir}{private}: not packed ({why})")?;
                continue;
            };
            // Sizes are not read for the human listing (`--json` has them).
            writeln!(
                out,
                "# {name} {dir}{private}: {}",
                crate::report::count(l.files.len(), "file")
            )?;
            for f in &l.files {
                writeln!(out, "{}", f.path)?;
            }
        }
    }
    out.flush()?;
    Ok(Exit::Clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localizes_error_paths() {
        let shown = |p: &str| format!("<{p}>");
        assert_eq!(
            localize("tmp/x/package.json:2:8: invalid JSON", &shown),
            "<tmp/x/package.json>:2:8: invalid JSON"
        );
        assert_eq!(
            localize("tmp/.npmignore: is a directory", &shown),
            "<tmp/.npmignore>: is a directory"
        );
    }

    #[test]
    fn non_ascii_anywhere_never_panics() {
        let shown = |p: &str| format!("<{p}>");
        for seed in ["pkg/package.json:3:4: expected value", "a: b", "x"] {
            for v in crate::test_support::non_ascii_variants(seed) {
                let _ = localize(&v, &shown);
            }
        }
    }
}
