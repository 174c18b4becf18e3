//! Fuzz target `shell`: the body is `leakgate::fuzzing::shell_line`, shared with the corpus replay
//! test (tests/fuzz_replay.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| leakgate::fuzzing::shell_line(data));
