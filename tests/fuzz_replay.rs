//! Replays the committed fuzz inputs on stable: every file under `fuzz/seeds/<target>/` and
//! `fuzz/regressions/<target>/` goes through the same body the fuzz target runs
//! (`leakgate::fuzzing`), which asserts its properties (offsets inside the input, errors
//! with a line and column, the streamed map marker agreeing with itself, the tar reader
//! stopping after an error, configs that print and read back). A regression input is one
//! that once made a target panic, abort or hang; see `docs/fuzzing.md`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn inputs(target: &str) -> Vec<PathBuf> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut out = Vec::new();
    for dir in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join(target)) else {
            continue;
        };
        for e in entries {
            let path = e.expect("a readable directory entry").path();
            if path.is_file() {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_committed_input_passes_its_target() {
    let mut failures = Vec::new();
    for &(name, body) in leakgate::fuzzing::TARGETS {
        let files = inputs(name);
        assert!(
            !files.is_empty(),
            "no committed inputs for fuzz target `{name}` (fuzz/seeds/{name}/)"
        );
        for file in files {
            let data = std::fs::read(&file).expect("read a fuzz input");
            let started = Instant::now();
            let outcome = std::panic::catch_unwind(|| body(&data));
            let took = started.elapsed();
            if let Err(panic) = outcome {
                let msg = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("{name}: {}: {msg}", file.display()));
            } else if took > Duration::from_secs(5) {
                // libFuzzer's timeouts are regressions too: one input must not take seconds.
                failures.push(format!("{name}: {}: took {took:?}", file.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The replay covers every target the fuzz workspace builds, and nothing else.
#[test]
fn every_fuzz_target_is_replayed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/fuzz_targets");
    let mut built: Vec<String> = std::fs::read_dir(dir)
        .expect("fuzz/fuzz_targets")
        .map(|e| {
            let p = e.expect("entry").path();
            p.file_stem().expect("name").to_string_lossy().into_owned()
        })
        .collect();
    built.sort();
    let mut replayed: Vec<String> = leakgate::fuzzing::TARGETS
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    replayed.sort();
    assert_eq!(built, replayed);
}
