//! One `install` or `uninstall` at a time per repository.
//!
//! Both decide from what they find (is `pre-commit` the user's hook? is the chained name
//! free?) and then rename and write. Two at once could both see the user's hook and both
//! move "it" aside, the second moving the first one's shim over it: the user's hook lost.
//! So each holds `<git common dir>/leakgate/install.lock`, created exclusively (`O_EXCL`),
//! for its whole run; a second one waits for it. A lock older than [`STALE_AFTER`] is
//! left by a run that never finished (killed, power loss): it is reported with how to
//! remove it, never taken over silently.

use super::{io_err, HookError, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// How long a second install waits for the first (an install takes milliseconds).
pub const WAIT_FOR: Duration = Duration::from_secs(10);

/// A lock older than this belongs to a run that never finished.
pub const STALE_AFTER: Duration = Duration::from_secs(10 * 60);

/// The lock file under a repository's git common dir.
pub fn lock_path(common_dir: &Path) -> PathBuf {
    common_dir.join("leakgate").join("install.lock")
}

/// The held lock; dropping it removes the file (and the `leakgate` dir when that leaves it
/// empty, so an uninstall leaves nothing behind).
#[derive(Debug)]
pub struct InstallLock {
    path: PathBuf,
}

impl InstallLock {
    /// Takes the lock of the repository whose git common dir is `common_dir`, waiting up to
    /// [`WAIT_FOR`] for another install or uninstall to finish.
    pub fn acquire(common_dir: &Path) -> Result<InstallLock> {
        Self::acquire_within(common_dir, WAIT_FOR)
    }

    fn acquire_within(common_dir: &Path, wait: Duration) -> Result<InstallLock> {
        let path = lock_path(common_dir);
        let dir = path.parent().unwrap_or(common_dir);
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        let start = Instant::now();
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    let since = SystemTime::now()
                        .duration_since(SystemTime::UNIX_EPOCH)
                        .map_or(0, |d| d.as_secs());
                    // Who holds it, for the message a waiting or later run prints.
                    let _ = writeln!(file, "leakgate pid {} since {since}", std::process::id());
                    return Ok(InstallLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(io_err(&path)(e)),
            }
            // Gone between the two calls: the holder just finished.
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            let age = meta
                .modified()
                .ok()
                .and_then(|m| m.elapsed().ok())
                .unwrap_or_default();
            let holder = std::fs::read_to_string(&path).unwrap_or_default();
            let holder = holder.trim();
            if age > STALE_AFTER {
                return Err(HookError::Conflict {
                    path: path.clone(),
                    message: format!(
                        "a leakgate install or uninstall took this lock {} minutes ago and never \
                         finished ({holder}); if none is running, remove it and run again: \
                         rm '{}'",
                        age.as_secs() / 60,
                        path.display()
                    ),
                });
            }
            if start.elapsed() >= wait {
                return Err(HookError::Conflict {
                    path: path.clone(),
                    message: format!(
                        "another leakgate install or uninstall is running in this repository \
                         ({holder}); wait for it and run again, or if none is running, remove \
                         the lock: rm '{}'",
                        path.display()
                    ),
                });
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for InstallLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        if let Some(dir) = self.path.parent() {
            // Only succeeds when empty: the state file keeps it.
            let _ = std::fs::remove_dir(dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_waits_then_gives_up_naming_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let first = InstallLock::acquire(dir.path()).unwrap();
        let path = lock_path(dir.path());
        assert!(std::fs::read_to_string(&path)
            .unwrap()
            .contains(&format!("pid {}", std::process::id())));
        let err = InstallLock::acquire_within(dir.path(), Duration::from_millis(60))
            .unwrap_err()
            .to_string();
        assert!(err.contains("another leakgate install"), "{err}");
        assert!(err.contains("rm '"), "{err}");
        drop(first);
        assert!(!path.exists());
        assert!(!dir.path().join("leakgate").exists(), "empty dir removed");
        let again = InstallLock::acquire_within(dir.path(), Duration::ZERO).unwrap();
        drop(again);
    }

    #[test]
    fn a_stale_lock_is_reported_with_how_to_remove_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = lock_path(dir.path());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "leakgate pid 1 since 0\n").unwrap();
        let old = SystemTime::now() - STALE_AFTER - Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let err = InstallLock::acquire(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("never finished (leakgate pid 1 since 0)"),
            "{err}"
        );
        assert!(err.contains(&format!("rm '{}'", path.display())), "{err}");
        assert!(path.exists(), "a stale lock is never taken over silently");
    }
}
