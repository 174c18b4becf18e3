//! Development certificates: a private key shipped with the self-signed certificate it
//! belongs to is a dev tool's HTTPS pair (a local dev server, a test HTTPS client), trusted
//! by nobody and shipped on purpose. Such keys are warnings that say so, not credential
//! leaks: whoever copies the key can impersonate only a certificate no browser trusts.
//!
//! Used by the secret scanner (a key with its certificate in the same file) and by the
//! audit (a key file with a certificate file beside it in the same directory).

use crate::packlist::Packlist;
use crate::report::{Finding, Severity};
use crate::snapshot::Snapshot;

/// Why a key is a warning when its certificate is self-signed.
pub const WHY_SELF_SIGNED: &str = "the key of a self-signed certificate shipped beside it: a \
    development HTTPS pair that no browser or client trusts, shipped on purpose";

/// One DER element: (tag, contents, the rest after it).
fn tlv(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |a, &b| (a << 8) | b as usize);
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// The issuer and subject names (raw DER) of an X.509 certificate.
fn issuer_and_subject(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let (0x30, cert, _) = tlv(der)? else {
        return None;
    };
    let (0x30, tbs, _) = tlv(cert)? else {
        return None;
    };
    let mut rest = tbs;
    let (tag, _, after) = tlv(rest)?;
    if tag == 0xa0 {
        rest = after; // explicit version
    }
    let (_serial, _, after) = tlv(rest)?;
    let (_algorithm, _, after) = tlv(after)?;
    let (0x30, issuer, after) = tlv(after)? else {
        return None;
    };
    let (_validity, _, after) = tlv(after)?;
    let (0x30, subject, _) = tlv(after)? else {
        return None;
    };
    Some((issuer, subject))
}

/// True for a DER certificate whose issuer is its subject.
pub fn is_self_signed(der: &[u8]) -> bool {
    issuer_and_subject(der).is_some_and(|(i, s)| i == s)
}

/// The DER bodies of the PEM certificates in `text` (line breaks or `\n` escapes allowed).
pub fn pem_certificates(text: &[u8]) -> Vec<Vec<u8>> {
    use base64::Engine;
    const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = memchr::memmem::find(&text[from..], BEGIN) {
        let start = from + at + BEGIN.len();
        let Some(len) = memchr::memmem::find(&text[start..], b"-----END") else {
            break;
        };
        let body = &text[start..start + len];
        let mut b64 = Vec::with_capacity(body.len());
        let mut i = 0;
        while i < body.len() {
            if body[i] == b'\\' && matches!(body.get(i + 1), Some(b'n' | b'r')) {
                i += 2;
                continue;
            }
            if body[i].is_ascii_alphanumeric() || matches!(body[i], b'+' | b'/' | b'=') {
                b64.push(body[i]);
            }
            i += 1;
        }
        if let Ok(der) = base64::engine::general_purpose::STANDARD.decode(&b64) {
            out.push(der);
        }
        from = start + len;
    }
    out
}

/// True when `text` holds a self-signed PEM certificate.
pub fn has_self_signed_certificate(text: &[u8]) -> bool {
    pem_certificates(text).iter().any(|d| is_self_signed(d))
}

/// File name endings of certificates that may sit beside a key file.
const CERT_EXTS: &[&str] = &[".crt", ".cert", ".cer", ".pem"];

/// Key files (`file/denied`, `secret/private-key` errors) whose directory also ships a
/// self-signed certificate become warnings that say why. Reads only the small certificate
/// files beside a reported key.
pub fn downgrade_dev_keys(snapshot: &dyn Snapshot, packlist: &Packlist, findings: &mut [Finding]) {
    let is_key_finding = |f: &Finding| {
        f.severity == Severity::Error
            && (f.is(&super::files::FILE_DENIED) || f.is(&super::secrets::SECRET_PRIVATE_KEY))
            && f.file.as_deref().is_some_and(|p| !p.contains('!'))
    };
    if !findings.iter().any(is_key_finding) {
        return;
    }
    let mut verdicts: std::collections::HashMap<String, bool> = Default::default();
    for f in findings.iter_mut().filter(|f| is_key_finding(f)) {
        let path = f.file.clone().unwrap_or_default();
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
        let self_signed = *verdicts.entry(dir.clone()).or_insert_with(|| {
            packlist.files.iter().any(|c| {
                let (cdir, name) = c.path.rsplit_once('/').unwrap_or(("", &c.path));
                let lower = name.to_ascii_lowercase();
                cdir == dir
                    && c.size <= 64 * 1024
                    && CERT_EXTS.iter().any(|e| lower.ends_with(e))
                    && snapshot
                        .read(&c.source)
                        .is_ok_and(|b| has_self_signed_certificate(&b))
            })
        });
        if self_signed {
            f.severity = Severity::Warning;
            f.message = format!("{} ({WHY_SELF_SIGNED})", f.message);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A minimal DER certificate: SEQUENCE { tbs SEQUENCE { [0] version, serial, alg,
    /// issuer, validity, subject } } with the given names.
    pub(crate) fn der_certificate(issuer: &str, subject: &str) -> Vec<u8> {
        fn seq(tag: u8, body: &[u8]) -> Vec<u8> {
            let mut out = vec![tag];
            if body.len() < 0x80 {
                out.push(body.len() as u8);
            } else {
                out.push(0x82);
                out.extend_from_slice(&(body.len() as u16).to_be_bytes());
            }
            out.extend_from_slice(body);
            out
        }
        let name = |cn: &str| seq(0x30, &seq(0x31, &seq(0x30, &seq(0x0c, cn.as_bytes()))));
        let mut tbs = seq(0xa0, &seq(0x02, &[2]));
        tbs.extend(seq(0x02, &[0x1f, 0x2e]));
        tbs.extend(seq(0x30, &seq(0x06, &[42, 134, 72])));
        tbs.extend(name(issuer));
        tbs.extend(seq(
            0x30,
            &[seq(0x17, b"250101000000Z"), seq(0x17, b"350101000000Z")].concat(),
        ));
        tbs.extend(name(subject));
        seq(0x30, &seq(0x30, &tbs))
    }

    fn pem(der: &[u8]) -> String {
        use base64::Engine;
        format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            base64::engine::general_purpose::STANDARD.encode(der)
        )
    }

    #[test]
    fn self_signed_certificates_and_near_misses() {
        let own = der_certificate("Dev Server", "Dev Server");
        assert!(is_self_signed(&own));
        assert!(has_self_signed_certificate(pem(&own).as_bytes()));
        assert!(has_self_signed_certificate(
            pem(&own).replace('\n', "\\n").as_bytes()
        ));
        let issued = der_certificate("Acme CA", "api.acme.io");
        assert!(!is_self_signed(&issued));
        assert!(!has_self_signed_certificate(pem(&issued).as_bytes()));
        assert!(!is_self_signed(b"\x30\x03\x02\x01"));
        assert!(!has_self_signed_certificate(
            b"-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----"
        ));
    }
}
