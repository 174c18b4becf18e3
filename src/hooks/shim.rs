//! The shim in a plain hooks directory, and the hook it chains.
//!
//! Scheme: `<dir>/<hook>` is leakgate's shim; a hook that was there before is renamed to
//! `<dir>/<hook>.leakgate-chained` (a rename keeps its bytes, mode, and symlink-ness) and the
//! shim runs it first when it is executable, as git would have. Uninstall deletes the shim
//! and renames the chained hook back.

use super::state::{Entry, Kind, State};
use super::{
    io_err, is_executable, previous, set_mode, sha256_hex, Hook, HookError, Result, CHAINED_SUFFIX,
};
use std::fs;
use std::path::{Path, PathBuf};

/// How every leakgate shim starts (also for shims of other leakgate versions).
pub const SHIM_MARK: &str = "#!/bin/sh\n# leakgate ";

/// True when `bytes` is a leakgate shim (possibly edited, possibly another version).
pub fn is_shim(bytes: &[u8]) -> bool {
    bytes.starts_with(SHIM_MARK.as_bytes())
}

/// `<hook path>.leakgate-chained`.
pub fn chained_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(CHAINED_SUFFIX);
    PathBuf::from(s)
}

/// Whether something (file, dir or dangling symlink) is at `path`.
pub fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// The shim bytes at `path`, `None` when absent, a symlink, or not a leakgate shim.
pub fn read_shim(path: &Path) -> Option<Vec<u8>> {
    let meta = fs::symlink_metadata(path).ok()?;
    if !meta.file_type().is_file() {
        return None;
    }
    fs::read(path).ok().filter(|b| is_shim(b))
}

/// True when the shim at `path` is exactly what some leakgate wrote: this version's template,
/// an earlier version's (see [`previous`]), or the bytes the state recorded.
pub fn is_unedited(hook: Hook, bytes: &[u8], entry: Option<&Entry>) -> bool {
    bytes == hook.shim().as_bytes()
        || previous::is_shim(hook, bytes)
        || entry.is_some_and(|e| e.sha256 == sha256_hex(bytes))
}

fn write_shim(hook: Hook, path: &Path) -> Result<()> {
    fs::write(path, hook.shim()).map_err(io_err(path))?;
    set_mode(path, 0o755)
}

/// Installs `hook`'s shim in `dir`; returns what was done, for the user.
pub fn install(hook: Hook, dir: &Path, state: &mut State, force: bool) -> Result<String> {
    let path = dir.join(hook.name());
    let chained = chained_path(&path);
    let previous = state.find(&path, hook).cloned();
    // Both shims share the dir: remember on each that install created it.
    let mut created_dir = state
        .entries
        .iter()
        .any(|e| e.created_dir && e.path.parent() == Some(dir));
    if !dir.is_dir() {
        fs::create_dir_all(dir).map_err(io_err(dir))?;
        created_dir = true;
    }
    let entry = |chained: Option<PathBuf>| Entry {
        hook: hook.name().to_string(),
        kind: Kind::Shim,
        path: path.clone(),
        sha256: sha256_hex(hook.shim().as_bytes()),
        chained,
        created: false,
        created_dir,
        newline_added: false,
        header: None,
        publish_guard: None,
    };
    let chained_now = exists(&chained).then(|| chained.clone());

    if let Some(bytes) = read_shim(&path) {
        let what = if bytes == hook.shim().as_bytes() {
            if is_executable(&path) {
                "already installed".to_string()
            } else {
                set_mode(&path, 0o755)?;
                "already installed; made it executable again".to_string()
            }
        } else if is_unedited(hook, &bytes, previous.as_ref()) {
            write_shim(hook, &path)?;
            "updated the shim to this version".to_string()
        } else if force {
            write_shim(hook, &path)?;
            "overwrote the edited shim (--force)".to_string()
        } else {
            return Err(HookError::Edited(path));
        };
        // Keep the recorded entry when nothing changed, so the state file keeps its bytes.
        let new = entry(chained_now);
        match previous {
            Some(p) if p == new => {}
            _ => state.put(new),
        }
        return Ok(what);
    }

    if exists(&path) {
        crate::debug_pause_at("install-chain");
        if exists(&chained) {
            return Err(HookError::Conflict {
                path: path.clone(),
                message: format!(
                    "this is not leakgate's shim, and {} already holds the hook leakgate chained \
                     earlier: another tool replaced leakgate's shim. Run `leakgate uninstall` \
                     (it leaves this file alone and restores nothing over it), sort out which \
                     hook should stay, then install again",
                    chained.display()
                ),
            });
        }
        fs::rename(&path, &chained).map_err(io_err(&path))?;
        write_shim(hook, &path)?;
        state.put(entry(Some(chained.clone())));
        let runs = if is_executable(&chained) {
            "it still runs first"
        } else {
            "it is not executable, so git did not run it and leakgate won't either"
        };
        return Ok(format!(
            "installed; the existing hook was moved to {} and {runs}",
            file_name(&chained)
        ));
    }

    write_shim(hook, &path)?;
    state.put(entry(chained_now.clone()));
    Ok(match chained_now {
        Some(c) => format!("installed; chaining {} (left from before)", file_name(&c)),
        None => "installed".to_string(),
    })
}

/// Removes `hook`'s shim from `dir` and restores the chained hook; `None` when there was
/// nothing of leakgate's there.
pub fn uninstall(hook: Hook, dir: &Path, state: &mut State, force: bool) -> Result<Option<String>> {
    let path = dir.join(hook.name());
    let chained = chained_path(&path);
    let entry = state.find(&path, hook).cloned();
    let what = if let Some(bytes) = read_shim(&path) {
        if !is_unedited(hook, &bytes, entry.as_ref()) && !force {
            return Err(HookError::Edited(path));
        }
        fs::remove_file(&path).map_err(io_err(&path))?;
        if exists(&chained) {
            fs::rename(&chained, &path).map_err(io_err(&chained))?;
            Some(format!(
                "removed the shim and restored the original hook from {}",
                file_name(&chained)
            ))
        } else {
            Some("removed the shim".to_string())
        }
    } else if exists(&path) {
        if entry.is_none() && !exists(&chained) {
            return Ok(None);
        }
        Some(format!(
            "left alone: it is not leakgate's shim any more{}",
            if exists(&chained) {
                format!(
                    "; {} (the hook leakgate chained) is still there",
                    file_name(&chained)
                )
            } else {
                String::new()
            }
        ))
    } else if exists(&chained) {
        fs::rename(&chained, &path).map_err(io_err(&chained))?;
        Some(format!(
            "the shim was gone; restored the original hook from {}",
            file_name(&chained)
        ))
    } else if entry.is_some() {
        Some("the shim was already gone".to_string())
    } else {
        None
    };
    if entry.as_ref().is_some_and(|e| e.created_dir) {
        // Only succeeds when empty: never delete what others put there.
        let _ = fs::remove_dir(dir);
    }
    state.remove(&path, hook);
    Ok(what)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
