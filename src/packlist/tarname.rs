//! The name node-tar writes for a packed path (docs/npm-pack-rules.md §10): `stripAbsolutePath` removes
//! Windows roots (`C:`, `C:/`, `\`, `\\server\share\`) and leading `/` repeatedly.

fn is_sep(b: u8) -> bool {
    b == b'/' || b == b'\\'
}

/// `path.win32.parse(p).root`, as a byte length.
fn win32_root_len(p: &[u8]) -> usize {
    let len = p.len();
    if len == 0 {
        return 0;
    }
    if is_sep(p[0]) {
        if len == 1 || !is_sep(p[1]) {
            return 1;
        }
        // Possible UNC root: \\server\share\
        let mut j = 2;
        let mut last = j;
        while j < len && !is_sep(p[j]) {
            j += 1;
        }
        if j < len && j != last {
            last = j;
            while j < len && is_sep(p[j]) {
                j += 1;
            }
            if j < len && j != last {
                last = j;
                while j < len && !is_sep(p[j]) {
                    j += 1;
                }
                if j == len {
                    return j;
                }
                if j != last {
                    return j + 1;
                }
            }
        }
        return 1;
    }
    if p[0].is_ascii_alphabetic() && len >= 2 && p[1] == b':' {
        if len == 2 {
            return 2;
        }
        if is_sep(p[2]) {
            return 3;
        }
        return 2;
    }
    0
}

/// `path.win32.isAbsolute(p)`.
fn win32_is_absolute(p: &[u8]) -> bool {
    !p.is_empty()
        && (is_sep(p[0])
            || (p.len() > 2 && p[0].is_ascii_alphabetic() && p[1] == b':' && is_sep(p[2])))
}

/// The entry name node-tar gives `path` (relative to the package, `/`-separated).
pub fn tar_name(path: &str) -> &str {
    let mut p = path;
    loop {
        let b = p.as_bytes();
        let root = win32_root_len(b);
        if !win32_is_absolute(b) && root == 0 {
            return p;
        }
        let cut = if b.first() == Some(&b'/') && !p.starts_with("//?/") {
            1
        } else {
            root
        };
        if cut == 0 {
            return p;
        }
        p = &p[cut..];
    }
}

#[cfg(test)]
mod tests {
    use super::tar_name;

    #[test]
    fn strips_windows_roots_like_node_tar() {
        assert_eq!(tar_name("C:evil.js"), "evil.js");
        assert_eq!(tar_name("C:D:twice.js"), "twice.js");
        assert_eq!(tar_name("z:/x.js"), "x.js");
        assert_eq!(tar_name("\\lead.js"), "lead.js");
        assert_eq!(tar_name("\\\\srv\\share\\unc.js"), "unc.js");
        assert_eq!(tar_name("ab:c.js"), "ab:c.js");
        assert_eq!(tar_name("1:x.js"), "1:x.js");
        assert_eq!(tar_name("lib/c:kept.js"), "lib/c:kept.js");
        assert_eq!(tar_name("sub/\\x.js"), "sub/\\x.js");
    }

    #[test]
    fn non_ascii_anywhere_never_panics() {
        for seed in [
            "C:\\a\\b.js",
            "//server/share/x",
            "/abs/x",
            "C:x",
            "\\\\?\\c",
        ] {
            for v in crate::test_support::non_ascii_variants(seed) {
                let _ = tar_name(&v);
            }
        }
    }
}
