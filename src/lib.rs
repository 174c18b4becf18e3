//! leakgate: git hooks that stop npm package leaks before they reach CI or the registry.
//!
//! The crate is built from three nouns (see `docs/ARCHITECTURE.md`):
//! a [`snapshot::Snapshot`] is a read-only tree of files (working tree, git tree,
//! tarball, overlay); a [`packlist`] says which files of a package in a snapshot
//! `npm pack` would ship; a [`report::Finding`] is what every check reports.
//!
//! Arrows point one way: `commands → review, checks → packlist, snapshot, config, report`.
//! Only `commands` prints: the lints below make that a rule the compiler checks.

#![warn(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod checks;
#[allow(clippy::print_stdout, clippy::print_stderr)]
pub mod commands;
pub mod config;
#[doc(hidden)]
pub mod fuzzing;
pub mod hooks;
pub mod packlist;
pub mod report;
pub mod review;
pub mod rules;
pub mod snapshot;
pub mod text;
pub mod workspace;

#[cfg(test)]
pub(crate) mod test_support;

/// Debug builds only: sleeps when `LEAKGATE_DEBUG_PAUSE` is `<site>:<milliseconds>`, so the
/// end-to-end tests can hold a process inside a window (between a check and the change it
/// decides) and show two processes can't both be in it. Release builds compile it to nothing.
#[doc(hidden)]
pub fn debug_pause_at(site: &str) {
    #[cfg(debug_assertions)]
    if let Some(v) = std::env::var_os("LEAKGATE_DEBUG_PAUSE") {
        let v = v.to_string_lossy();
        if let Some(ms) = v.strip_prefix(site).and_then(|r| r.strip_prefix(':')) {
            std::thread::sleep(std::time::Duration::from_millis(ms.parse().unwrap_or(0)));
        }
    }
    let _ = site;
}

/// Debug builds only: panics when `LEAKGATE_DEBUG_PANIC` names `site` (a subcommand, or a
/// packed file's path while it is judged on a worker thread), so the end-to-end tests can
/// check what a panic does to the hooks. Release builds compile it to nothing.
#[doc(hidden)]
pub fn debug_panic_at(site: &str) {
    #[cfg(debug_assertions)]
    if std::env::var_os("LEAKGATE_DEBUG_PANIC").is_some_and(|p| p == site) {
        panic!("LEAKGATE_DEBUG_PANIC at {site}");
    }
    let _ = site;
}
