//! Fuzz target `tar`: the body is `leakgate::fuzzing::tar`, shared with the corpus replay
//! test (tests/fuzz_replay.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| leakgate::fuzzing::tar(data));
