//! Fuzz target `sourcemap`: the body is `leakgate::fuzzing::sourcemap`, shared with the corpus replay
//! test (tests/fuzz_replay.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| leakgate::fuzzing::sourcemap(data));
