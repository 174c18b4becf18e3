//! `data:` URL decoding for inline source maps: base64 or percent-encoded, any media type
//! and parameter spelling (`charset=utf-8`, `charset=UTF-8`, `utf8`, `text/json`, none).
//!
//! Real bundlers emit `data:application/json;base64,` and
//! `data:application/json;charset=utf-8;base64,`; the `sourcemap` crate rejects the other
//! legal forms, which is how an inline map slips past a scanner.

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

/// A decoded `data:` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataUrl {
    /// The media type, lowercased (`application/json`; empty when the URL gives none).
    pub mime: String,
    /// The decoded bytes.
    pub bytes: Vec<u8>,
}

impl DataUrl {
    /// True for the media types a source map may be served as (`application/json`,
    /// `text/json`, `*+json`, or none at all).
    pub fn is_json(&self) -> bool {
        self.mime.is_empty()
            || self.mime == "application/json"
            || self.mime == "text/json"
            || self.mime.ends_with("+json")
    }
}

/// Why a `data:` URL could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataUrlError {
    /// Not a `data:` URL, or no `,` separating the header from the data.
    #[error("not a data: URL (expected `data:[<media type>][;base64],<data>`)")]
    Malformed,
    /// The base64 payload is invalid.
    #[error("invalid base64 in data: URL: {0}")]
    Base64(String),
}

/// True when `url` starts with `data:` (any case).
pub fn is_data_url(url: &str) -> bool {
    // Bytes, not `&url[..5]`: the fifth byte may sit inside a character (`abcdé.js.map`).
    url.as_bytes()
        .get(..5)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"data:"))
}

/// Decodes a `data:` URL.
pub fn decode(url: &str) -> Result<DataUrl, DataUrlError> {
    if !is_data_url(url) {
        return Err(DataUrlError::Malformed);
    }
    let rest = &url[5..];
    let comma = rest.find(',').ok_or(DataUrlError::Malformed)?;
    let (header, data) = (&rest[..comma], &rest[comma + 1..]);
    let mut params = header.split(';');
    let mime = params.next().unwrap_or("").trim().to_ascii_lowercase();
    let base64 = params.any(|p| p.trim().eq_ignore_ascii_case("base64"));
    let unescaped: Vec<u8> = percent_encoding::percent_decode_str(data).collect();
    let bytes = if base64 {
        let compact: Vec<u8> = unescaped
            .into_iter()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let engine = |alphabet| {
            GeneralPurpose::new(
                alphabet,
                GeneralPurposeConfig::new()
                    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
                    .with_decode_allow_trailing_bits(true),
            )
        };
        engine(&base64::alphabet::STANDARD)
            .decode(&compact)
            .or_else(|_| engine(&base64::alphabet::URL_SAFE).decode(&compact))
            .map_err(|e| DataUrlError::Base64(e.to_string()))?
    } else {
        unescaped
    };
    Ok(DataUrl { mime, bytes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_decodes() {
        for url in [
            "data:application/json;base64,eyJhIjoxfQ==",
            "data:application/json;charset=utf-8;base64,eyJhIjoxfQ==",
            "data:application/json;charset=UTF-8;base64,eyJhIjoxfQ",
            "data:application/json;charset=utf8;base64,eyJhIjoxfQ==",
            "data:text/json;base64,eyJhIjoxfQ==",
            "DATA:Application/JSON;BASE64,eyJhIjoxfQ==",
            "data:application/json,%7B%22a%22%3A1%7D",
            "data:application/json;charset=utf-8,{\"a\":1}",
            "data:;base64,eyJhIjoxfQ==",
        ] {
            let d = decode(url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(d.bytes, br#"{"a":1}"#, "{url}");
            assert!(d.is_json(), "{url}");
        }
    }

    #[test]
    fn bad_urls_are_errors() {
        assert_eq!(decode("https://x"), Err(DataUrlError::Malformed));
        assert_eq!(
            decode("data:application/json"),
            Err(DataUrlError::Malformed)
        );
        assert!(matches!(
            decode("data:application/json;base64,@@@"),
            Err(DataUrlError::Base64(_))
        ));
        assert!(!decode("data:text/plain,x").unwrap().is_json());
    }

    #[test]
    fn non_ascii_anywhere_never_panics() {
        for seed in [
            "data:application/json;base64,e30=",
            "data:,{}",
            "abcd.js.map",
            "data",
        ] {
            for v in crate::test_support::non_ascii_variants(seed) {
                let _ = is_data_url(&v);
                let _ = decode(&v);
            }
        }
        assert!(!is_data_url("abcdé.js.map"));
        assert!(is_data_url("DATA:é"));
        assert_eq!(decode("data:,é").unwrap().bytes, "é".as_bytes());
    }
}
