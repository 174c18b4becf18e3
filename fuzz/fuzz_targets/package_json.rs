//! Fuzz target `package_json`: the body is `leakgate::fuzzing::package_json`, shared with the corpus replay
//! test (tests/fuzz_replay.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| leakgate::fuzzing::package_json(data));
