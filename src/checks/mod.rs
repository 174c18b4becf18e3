//! Pack-content checks: what a package would ship, judged.

pub mod codename;
pub mod drift;
pub mod files;
pub mod secrets;
pub mod size;
pub mod sourcemap;
