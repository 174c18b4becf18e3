//! Helpers shared by the unit tests.

/// Non-ASCII characters of every UTF-8 length (2, 3 and 4 bytes), and the ones the issue
/// met in the field.
pub const NON_ASCII: [&str; 5] = ["é", "Ä", "索", "\u{2028}", "😀"];

/// `base` with each of [`NON_ASCII`] inserted at every character boundary and replacing
/// every character: an ordinary name or text with a non-ASCII character in every position,
/// so a byte index that lands inside a character is met wherever the code slices.
pub fn non_ascii_variants(base: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bounds: Vec<usize> = base
        .char_indices()
        .map(|(i, _)| i)
        .chain([base.len()])
        .collect();
    for ch in NON_ASCII {
        for (k, &i) in bounds.iter().enumerate() {
            out.push(format!("{}{ch}{}", &base[..i], &base[i..]));
            if let Some(&next) = bounds.get(k + 1) {
                out.push(format!("{}{ch}{}", &base[..i], &base[next..]));
            }
        }
    }
    out
}

#[test]
fn variants_put_a_character_everywhere() {
    let v = non_ascii_variants("ab");
    assert!(v.contains(&"éab".to_string()));
    assert!(v.contains(&"aéb".to_string()));
    assert!(v.contains(&"abé".to_string()));
    assert!(v.contains(&"éb".to_string()));
    assert!(v.contains(&"a😀".to_string()));
}
