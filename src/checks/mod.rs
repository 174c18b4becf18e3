//! Pack-content checks: what a package would ship, judged.

pub mod secrets;
pub mod sourcemap;
