//! Small text helpers every layer shares: sizes and counts as people read them, and
//! byte offsets as the `line:column` a diagnostic prints. Depends on nothing else in the
//! crate, so any module may use it.

/// `60123456` → `60.1 MB`: decimal units, like npm's pack summary.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.95 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// `1906` → `1,906`.
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The byte-order mark Windows editors write first: invisible, so it is no column.
const BOM: &str = "\u{feff}";

/// 1-based line and column (in characters) of byte `offset` in `text`. A leading
/// byte-order mark is not counted as a column (editors don't show it).
pub fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text[..offset].strip_prefix(BOM).unwrap_or(&text[..offset]);
    let line = before.matches('\n').count() + 1;
    let last = before.rsplit('\n').next().unwrap_or("");
    let column = last.chars().count() + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

/// Input leakgate can't read, at a place in a file: a config, a lock, a staged
/// package.json. Printed `file:line:column: message`, as editors and terminals link it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct InputError {
    /// The file, as the user should read it (relative where that is shorter).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong, and what was expected.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_counts_read_well() {
        assert_eq!(human_bytes(12), "12 B");
        assert_eq!(human_bytes(812_000), "812.0 kB");
        assert_eq!(human_bytes(59_800_000), "59.8 MB");
        assert_eq!(human_bytes(999_999), "1.0 MB");
        assert_eq!(human_bytes(3_200_000_000_000), "3.2 TB");
        assert_eq!(thousands(1906), "1,906");
        assert_eq!(thousands(12), "12");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn positions_count_characters_and_skip_a_bom() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(
            line_col("é\u{feff}x", 5),
            (1, 3),
            "a BOM mid-text is a character"
        );
        assert_eq!(line_col("\u{feff}{\"a\"", 3), (1, 1));
        assert_eq!(line_col("aé", 2), (1, 2), "inside a character: its start");
        assert_eq!(line_col("x", 99), (1, 2));
    }
}
