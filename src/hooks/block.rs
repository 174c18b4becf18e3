//! Marked blocks in files leakgate shares with the team (husky scripts, lefthook configs):
//! `# >>> leakgate … >>>` … `# <<< leakgate … <<<`, whole lines, possibly indented.
//! Install inserts one, uninstall cuts exactly those bytes back out.

use super::state::{Entry, Kind, State};
use super::{io_err, set_mode, sha256_hex, Hook, HookError, Result};
use std::ops::Range;
use std::path::Path;

/// Byte range of the block whose first line trims to `start` and whose last line trims to
/// `end` (the range includes the last line's newline).
pub fn find(text: &str, start: &str, end: &str) -> Option<Range<usize>> {
    let mut offset = 0;
    let mut begin = None;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if begin.is_none() && trimmed == start {
            begin = Some(offset);
        } else if begin.is_some() && trimmed == end {
            return Some(begin.unwrap_or(0)..offset + line.len());
        }
        offset += line.len();
    }
    None
}

/// How the block in a file compares with what this version would write there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freshness {
    /// This version's block.
    Current,
    /// An earlier leakgate version's block, untouched: `install` upgrades it.
    Previous,
    /// Neither: somebody edited it.
    Edited,
}

/// The freshness of the block in `text`, `None` when there is none.
pub fn freshness(text: &str, spec: &Spec) -> Option<Freshness> {
    let range = find(text, spec.markers.0, spec.markers.1)?;
    Some(
        if text[range.clone()] == (spec.expected)(text, range.clone()) {
            Freshness::Current
        } else if (spec.previous)(text, range) {
            Freshness::Previous
        } else {
            Freshness::Edited
        },
    )
}

/// Where and what to insert into a file that has no block yet.
pub struct Insertion {
    /// Byte offset in the (possibly newline-completed) text.
    pub at: usize,
    /// The block text (whole lines).
    pub block: String,
}

/// How to find, write and recognise one kind of block.
pub struct Spec<'a> {
    /// What the state records the block as.
    pub kind: Kind,
    /// The first and last lines (trimmed).
    pub markers: (&'a str, &'a str),
    /// The block text expected at an existing block's position (indentation may depend on
    /// the surroundings).
    pub expected: &'a dyn Fn(&str, Range<usize>) -> String,
    /// True when the existing block is exactly what an earlier leakgate version wrote there:
    /// it is upgraded in place like an unedited one.
    pub previous: &'a dyn Fn(&str, Range<usize>) -> bool,
    /// Where a new block goes, or `Err(message)` when the file can't be edited safely.
    pub plan: &'a dyn Fn(&str) -> std::result::Result<Insertion, String>,
    /// The header to write when the file is missing (`None`: refuse to create it).
    pub create_header: Option<&'a str>,
}

/// Inserts or refreshes the block in `path`.
pub fn install(
    hook: Hook,
    path: &Path,
    spec: &Spec,
    state: &mut State,
    force: bool,
) -> Result<String> {
    let (kind, markers) = (spec.kind, spec.markers);
    let previous = state.find(path, hook).cloned();
    let (mut text, created, header) = match std::fs::read(path) {
        Ok(bytes) => (
            String::from_utf8(bytes).map_err(|_| HookError::Conflict {
                path: path.to_path_buf(),
                message: "is not UTF-8 text; leakgate won't edit it".into(),
            })?,
            previous.as_ref().is_some_and(|e| e.created),
            previous.as_ref().and_then(|e| e.header.clone()),
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match spec.create_header {
            Some(h) => (String::new(), true, Some(h.to_string())),
            None => return Err(io_err(path)(e)),
        },
        Err(e) => return Err(io_err(path)(e)),
    };
    let fresh = !path.exists();
    if let Some(range) = find(&text, markers.0, markers.1) {
        let want = (spec.expected)(&text, range.clone());
        let have = &text[range.clone()];
        if have == want {
            if previous.is_none() {
                state.put(entry(hook, kind, path, &want, created, false, header));
            }
            return Ok("already installed".into());
        }
        let unedited = previous
            .as_ref()
            .is_some_and(|e| e.sha256 == sha256_hex(have.as_bytes()))
            || (spec.previous)(&text, range.clone());
        if !unedited && !force {
            return Err(HookError::Edited(path.to_path_buf()));
        }
        text.replace_range(range, &want);
        std::fs::write(path, &text).map_err(io_err(path))?;
        let newline_added = previous.as_ref().is_some_and(|e| e.newline_added);
        state.put(entry(
            hook,
            kind,
            path,
            &want,
            created,
            newline_added,
            header,
        ));
        return Ok(if unedited {
            "updated the leakgate block to this version".into()
        } else {
            "overwrote the edited leakgate block (--force)".into()
        });
    }
    if fresh {
        text.push_str(header.as_deref().unwrap_or(""));
    }
    let mut newline_added = false;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
        newline_added = true;
    }
    let ins = (spec.plan)(&text).map_err(|message| HookError::Conflict {
        path: path.to_path_buf(),
        message,
    })?;
    text.insert_str(ins.at, &ins.block);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    std::fs::write(path, &text).map_err(io_err(path))?;
    if fresh {
        set_mode(path, 0o755)?;
    }
    state.put(entry(
        hook,
        kind,
        path,
        &ins.block,
        created,
        newline_added,
        header,
    ));
    Ok(if fresh {
        "created it with the leakgate block".into()
    } else {
        "added the leakgate block".into()
    })
}

fn entry(
    hook: Hook,
    kind: Kind,
    path: &Path,
    block: &str,
    created: bool,
    newline_added: bool,
    header: Option<String>,
) -> Entry {
    Entry {
        hook: hook.name().to_string(),
        kind,
        path: path.to_path_buf(),
        sha256: sha256_hex(block.as_bytes()),
        chained: None,
        created,
        created_dir: false,
        newline_added,
        header: if created { header } else { None },
        publish_guard: None,
    }
}

/// Cuts the block out of `path` and undoes the newline and file creation install did.
pub fn uninstall(
    hook: Hook,
    path: &Path,
    spec: &Spec,
    state: &mut State,
    force: bool,
) -> Result<Option<String>> {
    let markers = spec.markers;
    let entry = state.find(path, hook).cloned();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            state.remove(path, hook);
            return Ok(entry.map(|_| "the file was already gone".into()));
        }
        Err(e) => return Err(io_err(path)(e)),
    };
    let Some(range) = find(&text, markers.0, markers.1) else {
        state.remove(path, hook);
        return Ok(entry.map(|_| "the leakgate block was already gone".into()));
    };
    let have = &text[range.clone()];
    let unedited = entry
        .as_ref()
        .is_some_and(|e| e.sha256 == sha256_hex(have.as_bytes()))
        || (spec.previous)(&text, range.clone());
    if entry.is_some() && !unedited && !force {
        return Err(HookError::Edited(path.to_path_buf()));
    }
    let mut rest = String::with_capacity(text.len());
    rest.push_str(&text[..range.start]);
    rest.push_str(&text[range.end..]);
    if entry.as_ref().is_some_and(|e| e.newline_added) && rest.ends_with('\n') {
        rest.pop();
    }
    let created = entry.as_ref().is_some_and(|e| e.created);
    let header = entry
        .as_ref()
        .and_then(|e| e.header.clone())
        .unwrap_or_default();
    state.remove(path, hook);
    if created && (rest.is_empty() || rest == header) {
        std::fs::remove_file(path).map_err(io_err(path))?;
        return Ok(Some("removed the file leakgate created".into()));
    }
    std::fs::write(path, rest).map_err(io_err(path))?;
    Ok(Some("removed the leakgate block".into()))
}
