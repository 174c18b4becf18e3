//! Fuzz target `js`: the body is `leakgate::fuzzing::js_tokens`, shared with the corpus replay
//! test (tests/fuzz_replay.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| leakgate::fuzzing::js_tokens(data));
