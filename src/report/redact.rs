//! Redaction of matched secrets and their fingerprints.

use sha2::{Digest, Sha256};

/// Redacts a matched value: keeps at most the first 4 characters of long values
/// (enough to recognise `AKIA`, `ghp_`, `npm_`) and replaces the rest with `*`s,
/// never printing more than a quarter of the value.
pub fn redact(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let chars: Vec<char> = text.chars().collect();
    let keep = if chars.len() >= 16 { 4 } else { 0 };
    let mut out: String = chars[..keep].iter().collect();
    out.push_str(&"*".repeat(chars.len().saturating_sub(keep).clamp(3, 12)));
    out
}

/// sha256 of the matched bytes as lowercase hex: what `[[allow]] fingerprint` takes.
pub fn fingerprint(raw: &[u8]) -> String {
    let digest = Sha256::digest(raw);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_keep_a_short_prefix_only() {
        let r = redact(b"ghp_abcdefghijklmnopqrstuvwxyz0123456789");
        assert!(r.starts_with("ghp_"));
        assert!(!r.contains("abcdef"));
    }

    #[test]
    fn short_values_are_fully_hidden() {
        assert_eq!(redact(b"hunter2"), "*******");
    }

    #[test]
    fn fingerprint_is_sha256_hex() {
        assert_eq!(
            fingerprint(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
