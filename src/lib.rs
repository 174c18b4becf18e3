//! leakgate: git hooks that stop npm package leaks before they reach CI or the registry.
//!
//! The crate is built from three nouns (see `DESIGN.md` in the shared folder):
//! a [`snapshot::Snapshot`] is a read-only tree of files (working tree, git tree,
//! tarball, overlay); a [`packlist`] says which files of a package in a snapshot
//! `npm pack` would ship; a [`report::Finding`] is what every check reports.
//!
//! Arrows point one way: `commands → review, checks → packlist, snapshot, config, report`.
//! Only `commands` prints.

pub mod checks;
pub mod commands;
pub mod config;
pub mod hooks;
pub mod packlist;
pub mod report;
pub mod review;
pub mod snapshot;
pub mod workspace;
