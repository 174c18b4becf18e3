//! Issue 15, the precision side, end to end through `leakgate audit`: the visibility rule's
//! help line is a leakgate.toml line that works when pasted, and key files a dev tool ships
//! on purpose (a key beside its self-signed certificate) are warnings, not blocks.

mod common;

use common::TempRepo;
use std::path::Path;

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/sourcemaps")
            .join(rel),
    )
    .unwrap()
}

fn audit(repo: &TempRepo) -> (i32, String) {
    let out = repo.leakgate().args(["audit", "-v"]).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// A generated RSA-looking private key (random base64 body, never a real key).
fn pem_key() -> String {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let body: String = (0..640)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            alphabet[(x % 64) as usize] as char
        })
        .collect();
    let lines: Vec<&str> = (0..10).map(|i| &body[i * 64..(i + 1) * 64]).collect();
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

/// A PEM certificate with the given issuer and subject common names: the DER skeleton of
/// an X.509 certificate (version, serial, algorithm, issuer, validity, subject).
fn pem_certificate(issuer: &str, subject: &str) -> String {
    use base64::Engine;
    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
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
    let name = |cn: &str| tlv(0x30, &tlv(0x31, &tlv(0x30, &tlv(0x0c, cn.as_bytes()))));
    let mut tbs = tlv(0xa0, &tlv(0x02, &[2]));
    tbs.extend(tlv(0x02, &[0x01, 0x23]));
    tbs.extend(tlv(0x30, &tlv(0x06, &[42, 134, 72])));
    tbs.extend(name(issuer));
    tbs.extend(tlv(
        0x30,
        &[tlv(0x17, b"250101000000Z"), tlv(0x17, b"350101000000Z")].concat(),
    ));
    tbs.extend(name(subject));
    let der = tlv(0x30, &tlv(0x30, &tbs));
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        base64::engine::general_purpose::STANDARD.encode(der)
    )
}

/// The `package = [...]` line the help offers, cut out of the help text.
fn declaration_in(text: &str) -> String {
    let at = text
        .find("package = [{")
        .unwrap_or_else(|| panic!("no declaration in {text}"));
    let end = at + text[at..].find("}]").expect("closing of the inline table") + 2;
    text[at..end].to_string()
}

#[test]
fn pasting_the_offered_declaration_makes_a_custom_licence_package_open() {
    let repo = TempRepo::new();
    // A commercial licence with a public repository: proprietary by inference.
    repo.write(
        "package.json",
        r#"{"name":"@acme/maps","version":"1.0.0","license":"SEE LICENSE IN LICENSE.txt","repository":"https://example.invalid/acme/maps.git","files":["dist"]}"#,
    )
    .write("dist/index.js", fixture("esbuild-linked/index.js"))
    .write("dist/index.js.map", fixture("esbuild-linked/index.js.map"));
    let (code, text) = audit(&repo);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("[sourcemap/sources-content]"), "{text}");
    let line = declaration_in(&text);
    assert_eq!(
        line,
        r#"package = [{ name = "@acme/maps", visibility = "open" }]"#
    );
    // Pasted as it is: the same package is open, the map is a warning, nothing blocks.
    repo.write("leakgate.toml", format!("{line}\n"));
    let (code, text) = audit(&repo);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("sourcemap/sources-content"), "{text}");
    assert!(!text.contains("package = [{"), "{text}");
}

#[test]
fn a_key_file_beside_a_self_signed_certificate_is_a_warning() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{"name":"dev-server","version":"1.0.0","license":"MIT","repository":"https://example.invalid/dev-server.git","bin":"cli.js"}"#,
    )
    .write("cli.js", "#!/usr/bin/env node\nrequire('./server');\n");
    let key = pem_key();
    // A self-signed certificate (issuer = subject), then one issued by a CA.
    let self_signed = pem_certificate("Dev Server", "Dev Server");
    repo.write("certs/server.key", &key)
        .write("certs/server.crt", &self_signed);
    let (code, text) = audit(&repo);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("self-signed certificate"), "{text}");
    // Near miss: a certificate a CA issued (a real server's pair) blocks.
    let issued = pem_certificate("Acme CA", "api.acme.io");
    repo.write("certs/server.crt", &issued);
    let (code, text) = audit(&repo);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("[file/denied]"), "{text}");
}
