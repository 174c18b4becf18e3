//! husky: a marked block in the committed `.husky/<hook>` scripts, so the whole team runs
//! leakgate (husky's generated `.husky/_/` shims source those scripts; leakgate never touches
//! `_/`, which husky rewrites).
//!
//! The block goes at the top, after the shebang and husky v5-8's `. "…/_/husky.sh"` line, so
//! nothing earlier in the script can `exit 0` past it or eat pre-push's stdin; the pre-push
//! block saves the ref lines and re-opens them as the script's stdin for what follows.

use super::block::{self, Freshness, Insertion, Spec};
use super::state::{Kind, State};
use super::{previous, Hook, Result, BLOCK_END, BLOCK_START};
use std::ops::Range;
use std::path::Path;

/// The block for `hook`.
pub fn block(hook: Hook) -> &'static str {
    match hook {
        Hook::PreCommit => include_str!("../../hooks/husky-pre-commit"),
        Hook::PrePush => include_str!("../../hooks/husky-pre-push"),
    }
}

/// What install writes first when it creates a husky v5-8 script (git runs it directly).
pub const LEGACY_HEADER: &str = "#!/usr/bin/env sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n";

/// Runs `f` with the block spec of `hook` (`header`: what a created script starts with).
fn with_spec<R>(hook: Hook, header: &str, f: impl FnOnce(&Spec) -> R) -> R {
    let expected = |_: &str, _: Range<usize>| block(hook).to_string();
    let previous = |text: &str, range: Range<usize>| previous::is_husky_block(hook, &text[range]);
    let plan = |text: &str| {
        Ok(Insertion {
            at: header_len(text),
            block: block(hook).to_string(),
        })
    };
    f(&Spec {
        kind: Kind::HuskyBlock,
        markers: (BLOCK_START, BLOCK_END),
        expected: &expected,
        previous: &previous,
        plan: &plan,
        create_header: Some(header),
    })
}

/// Adds (or refreshes) the block in `<husky dir>/<hook>`, creating the script if missing.
pub fn install(
    hook: Hook,
    dir: &Path,
    legacy: bool,
    state: &mut State,
    force: bool,
) -> Result<String> {
    let header = if legacy { LEGACY_HEADER } else { "" };
    with_spec(hook, header, |spec| {
        block::install(hook, &dir.join(hook.name()), spec, state, force)
    })
}

/// Removes the block from `<husky dir>/<hook>`.
pub fn uninstall(hook: Hook, dir: &Path, state: &mut State, force: bool) -> Result<Option<String>> {
    with_spec(hook, "", |spec| {
        block::uninstall(hook, &dir.join(hook.name()), spec, state, force)
    })
}

/// How the block in `<husky dir>/<hook>` compares with this version's (`None`: no block).
pub fn freshness(hook: Hook, dir: &Path) -> Option<Freshness> {
    let text = std::fs::read_to_string(dir.join(hook.name())).ok()?;
    with_spec(hook, "", |spec| block::freshness(&text, spec))
}

/// Whether `<husky dir>/<hook>` holds the block.
pub fn has_block(hook: Hook, dir: &Path) -> bool {
    freshness(hook, dir).is_some()
}

/// Length of the leading lines that must stay first: a shebang and husky's `husky.sh` line.
fn header_len(text: &str) -> usize {
    let mut len = 0;
    for line in text.split_inclusive('\n') {
        let is_header = line.starts_with("#!") || line.contains("husky.sh");
        if !is_header || !line.ends_with('\n') {
            break;
        }
        len += line.len();
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_goes_after_shebang_and_husky_sh() {
        let text = "#!/usr/bin/env sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n\nnpx lint-staged\n";
        assert_eq!(header_len(text), LEGACY_HEADER.len());
        assert_eq!(header_len("npx lint-staged\n"), 0);
        assert_eq!(header_len("#!/bin/sh"), 0);
    }

    #[test]
    fn blocks_are_marked() {
        for hook in Hook::ALL {
            let b = block(hook);
            assert_eq!(block::find(b, BLOCK_START, BLOCK_END), Some(0..b.len()));
            assert!(b.contains(&format!("\"$leakgate_bin\" {}", hook.name())));
            assert!(b.contains(hook.bypass()));
        }
    }
}
