//! Pack-content checks: what a package would ship, judged.

pub mod sourcemap;
