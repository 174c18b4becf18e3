//! Where a leak in a bundle came from: a secret or codename found at `dist/cli.js:90964` is
//! also placed at its original source (`src/auth.ts:12`) when a map for that bundle is at
//! hand (shipped or not), so the fix lands in the source, not in the build output.
//!
//! This is the one place leakgate decodes `mappings` (with the `sourcemap` crate): off the
//! hot path, once per bundle that has findings, never for a clean package.

use super::sourcemap::{annotation, data_url, url};
use crate::packlist::Packlist;
use crate::report::Finding;
use crate::snapshot::Snapshot;
use std::collections::HashMap;

/// Maps bigger than this are not decoded for an origin (the finding keeps its bundle
/// location): a full decode holds every token in memory.
const MAP_LIMIT: u64 = 64 * 1024 * 1024;

/// True for findings whose text came from a bundle's code, where an origin helps.
fn wants_origin(f: &Finding) -> bool {
    (f.rule.starts_with("secret/") || f.is(&super::codename::CODENAME))
        && f.line.is_some()
        && f.origin.is_none()
        && f.file.as_deref().is_some_and(|p| !p.contains('!'))
}

/// Sets [`Finding::origin`] on the findings of `packlist` that a local source map places.
pub fn trace(snapshot: &dyn Snapshot, packlist: &Packlist, findings: &mut [Finding]) {
    let mut maps: HashMap<String, Option<sourcemap::DecodedMap>> = HashMap::new();
    for f in findings.iter_mut().filter(|f| wants_origin(f)) {
        let Some(path) = f.file.clone() else { continue };
        let map = maps
            .entry(path.clone())
            .or_insert_with(|| map_for(snapshot, packlist, &path));
        let Some(map) = map else { continue };
        let (Some(line), col) = (f.line, f.column.unwrap_or(1)) else {
            continue;
        };
        f.origin = locate(map, line, col);
    }
}

/// `src/auth.ts:12` for a 1-based position in the generated file, when the map has a
/// mapping on that line at or before that column.
pub fn locate(map: &sourcemap::DecodedMap, line: u32, column: u32) -> Option<String> {
    let (line0, col0) = (line.checked_sub(1)?, column.saturating_sub(1));
    let token = map.lookup_token(line0, col0)?;
    // The nearest mapping before the position may sit on an earlier line: that maps some
    // other code, not this one.
    if token.get_dst_line() != line0 {
        return None;
    }
    let source = token.get_source()?;
    Some(format!(
        "{}:{}",
        url::display_source(source),
        token.get_src_line() + 1
    ))
}

/// The decoded map of the packed file `path`: its `sourceMappingURL` (a `data:` URL, or a
/// file in the package directory, shipped or not), else `PATH.map` beside it.
fn map_for(
    snapshot: &dyn Snapshot,
    packlist: &Packlist,
    path: &str,
) -> Option<sourcemap::DecodedMap> {
    let in_snapshot = |p: &str| {
        if packlist.from.is_empty() {
            p.to_string()
        } else {
            format!("{}/{p}", packlist.from)
        }
    };
    let bytes = read_limited(snapshot, &in_snapshot(path))?;
    let lower = path.to_ascii_lowercase();
    let found = if lower.ends_with(".css") {
        annotation::css_annotation(&bytes)
    } else {
        annotation::js_annotation(&bytes)
    };
    let mut candidates: Vec<String> = Vec::new();
    if let Some(a) = found {
        if data_url::is_data_url(&a.url) {
            let decoded = data_url::decode(&a.url).ok()?;
            return sourcemap::decode_slice(&decoded.bytes).ok();
        }
        if !url::has_scheme(&a.url) && !url::is_absolute_path(&a.url) {
            let clean = a.url.split(['?', '#']).next().unwrap_or("");
            let decoded = percent_encoding::percent_decode_str(clean).decode_utf8_lossy();
            if let Some(p) = url::resolve(url::dir_of(path), &decoded) {
                candidates.push(p);
            }
        }
    }
    candidates.push(format!("{path}.map"));
    candidates.into_iter().find_map(|p| {
        let bytes = read_limited(snapshot, &in_snapshot(&p))?;
        sourcemap::decode_slice(&bytes).ok()
    })
}

/// The file at `path` when it exists, is at most [`MAP_LIMIT`] bytes and is cheap to read
/// again: a tarball's big entry (readable only by decompressing the archive up to it) is
/// not worth a second pass for an origin.
fn read_limited(snapshot: &dyn Snapshot, path: &str) -> Option<Vec<u8>> {
    if snapshot.sequential_key(path).is_some() {
        return None;
    }
    let entry = snapshot.lstat(path).ok()??;
    if entry.size > MAP_LIMIT {
        return None;
    }
    snapshot.read(path).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(json: &str) -> sourcemap::DecodedMap {
        sourcemap::decode_slice(json.as_bytes()).unwrap()
    }

    #[test]
    fn a_position_maps_to_its_original_line() {
        // Line 1 of the bundle: columns 0 and 10 come from src/a.ts lines 1 and 12.
        let m = map(r#"{"version":3,"sources":["../src/a.ts"],"names":[],"mappings":"AAAA,UAWA"}"#);
        assert_eq!(locate(&m, 1, 1).as_deref(), Some("src/a.ts:1"));
        assert_eq!(locate(&m, 1, 15).as_deref(), Some("src/a.ts:12"));
    }

    #[test]
    fn a_line_without_mappings_has_no_origin() {
        // Only line 1 is mapped: line 3 must not borrow line 1's origin.
        let m = map(r#"{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA;;"}"#);
        assert_eq!(locate(&m, 3, 5), None);
        assert_eq!(locate(&m, 0, 5), None);
    }
}
