//! Values that look like secrets but are public by design, samples, fixtures or too weak to
//! judge: each shape with a near-miss that still blocks. Named by kind, never by package.
//!
//! Test credentials are generated (a fixed pseudo-random stream), never real keys.

use super::tests::{assert_clean, assert_hit, assert_severity, pem_body, rand, scanner, B62};
use super::*;
use base64::Engine;

const HEX: &[u8] = b"0123456789abcdef";

#[test]
fn firebase_web_config_api_keys_are_a_note() {
    let k = format!("AIza{}", rand(B62, 35, 60));
    let config = format!(
        "const firebaseConfig = {{\n  apiKey: \"{k}\",\n  authDomain: \"acme.firebaseapp.com\",\n  projectId: \"acme\",\n  appId: \"1:123:web:abc\"\n}};"
    );
    assert_severity(&config, "secret/google-api-key", &k, Severity::Note);
    // The same key on its own (a server calling a Google API) still blocks.
    assert_hit(
        &format!("const vision = new Client({{ key: '{k}' }});"),
        "secret/google-api-key",
        &k,
    );
}

#[test]
fn google_maps_keys_and_keys_in_docs_are_warnings() {
    let k = format!("AIza{}", rand(B62, 35, 72));
    assert_severity(
        &format!("const GOOGLE_MAPS_API_KEY = '{k}';"),
        "secret/google-api-key",
        &k,
        Severity::Warning,
    );
    let s = scanner();
    let text = format!("Set `key: '{k}'` and call the API.\n");
    let f = &s.findings("docs/geocoding.md", text.as_bytes())[0];
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("documentation"), "{}", f.message);
    // Near miss: the same line in code blocks.
    assert_eq!(
        s.findings("lib/geo.js", text.as_bytes())[0].severity,
        Severity::Error
    );
}

#[test]
fn a_default_key_a_conditional_falls_back_to_is_a_warning() {
    let hex = rand(HEX, 40, 73);
    let text = format!("token = isValid(_token) ? _token : '{hex}';");
    assert_severity(&text, "secret/generic-secret", &hex, Severity::Warning);
    // Near miss: the same key as a plain object value blocks.
    assert_hit(
        &format!("{{ token: '{hex}' }}"),
        "secret/generic-secret",
        &hex,
    );
}

#[test]
fn truncated_tokens_and_minified_assignment_chains_are_not_secrets() {
    assert_clean("subject_token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6Ikp...'");
    assert_clean("api_key: 'q8Zr2LmP4vN7xT1kW9sB…'");
    assert_clean(
        "_.AuthenticationMD5Password=_.ParameterStatusMessage=_.RowDescription1Message=\n",
    );
    // Near miss: an env line whose value ends in base64 padding.
    let v = format!("{}==", rand(B62, 30, 74));
    assert_hit(&format!("API_TOKEN={v}\n"), "secret/generic-secret", &v);
}

#[test]
fn a_key_with_its_self_signed_certificate_in_the_same_file_is_a_warning() {
    let key = private_key(75);
    let der = crate::checks::dev_certs::tests::der_certificate("Dev Tool", "Dev Tool");
    let cert = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        base64::engine::general_purpose::STANDARD.encode(&der)
    );
    let text = format!("export default {{ cert: `{cert}`, key: `{key}` }};");
    assert_severity(&text, "secret/private-key", &key, Severity::Warning);
    // Near miss: a certificate issued by a CA.
    let der = crate::checks::dev_certs::tests::der_certificate("Acme CA", "api.acme.io");
    let cert = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        base64::engine::general_purpose::STANDARD.encode(&der)
    );
    let text = format!("export default {{ cert: `{cert}`, key: `{key}` }};");
    assert_hit(&text, "secret/private-key", &key);
}

#[test]
fn public_identifiers_under_secret_names_are_not_secrets() {
    let addr = format!("0x{}", rand(HEX, 40, 61));
    assert_clean(&format!("const tokenAddress = \"{addr}\";"));
    assert_clean(&format!("{{ \"token\": \"{addr}\" }}"));
    assert_clean(
        "secretArn: \"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf\"",
    );
    assert_clean(&format!(
        "posthog.init(apiKey = 'phc_{}')",
        rand(B62, 43, 62)
    ));
    // Near miss: a random value under the same name is still a secret.
    let v = rand(B62, 32, 63);
    assert_hit(
        &format!("const token = \"{v}\";"),
        "secret/generic-secret",
        &v,
    );
}

#[test]
fn keys_the_code_calls_public_or_default_are_warnings() {
    let v = rand(B62, 32, 64);
    for text in [
        format!("const PUBLIC_API_KEY = \"{v}\";"),
        format!("publishableApiKey: '{v}'"),
        format!("const defaultApiKey = \"{v}\";"),
        format!("SHARED_SECRET=\"{v}\"\n"),
    ] {
        assert_severity(&text, "secret/generic-secret", &v, Severity::Warning);
    }
    // The reason is in the message.
    let f = &scanner().findings(
        "dist/sdk.js",
        format!("const defaultApiKey = \"{v}\";").as_bytes(),
    )[0];
    assert!(f.message.contains("default or shared key"), "{}", f.message);
    // Near miss: the same value under a plain secret name blocks.
    assert_hit(
        &format!("const apiKey = \"{v}\";"),
        "secret/generic-secret",
        &v,
    );
}

#[test]
fn telemetry_and_error_reporting_client_keys_are_warnings() {
    let hex = rand(HEX, 32, 65);
    for text in [
        format!("amplitude.getInstance().init(apiKey = \"{hex}\")"),
        format!("Bugsnag.start({{ apiKey: '{hex}', appVersion: v }})"),
        format!("new Rollbar({{ accessToken: '{hex}', captureUncaught: true }})"),
        format!("// telemetry\nconst TELEMETRY_TOKEN = \"{hex}\";"),
        format!("const NGROK_CONFIG = {{ authToken: '{hex}', domain: 'dev.example' }};"),
    ] {
        assert_severity(&text, "secret/generic-secret", &hex, Severity::Warning);
    }
    assert_hit(
        &format!("const client = new Billing({{ apiKey: '{hex}' }})"),
        "secret/generic-secret",
        &hex,
    );
}

#[test]
fn weak_generic_values_warn_and_strong_ones_block() {
    // Passes the value tests but is short or regular: a name alone can't block.
    for (text, value) in [
        ("api_key = \"abc123def456ghi789\"", "abc123def456ghi789"),
        ("password: 'Passw0rd!'", "Passw0rd!"),
        ("token: \"a1b2c3d4e5f6g7h8\"", "a1b2c3d4e5f6g7h8"),
    ] {
        assert_severity(text, "secret/generic-secret", value, Severity::Warning);
        let f = &scanner().findings("lib/x.js", text.as_bytes())[0];
        assert!(
            f.message.contains("too short or too regular"),
            "{}",
            f.message
        );
    }
    let strong = rand(B62, 24, 66);
    assert_hit(
        &format!("api_key = \"{strong}\""),
        "secret/generic-secret",
        &strong,
    );
    let hex = rand(HEX, 40, 67);
    assert_hit(
        &format!("SECRET_KEY={hex}\n"),
        "secret/generic-secret",
        &hex,
    );
    assert_hit(
        "DB_PASSWORD=Tr0ub4dor&3x\n",
        "secret/generic-secret",
        "Tr0ub4dor&3x",
    );
}

/// A PEM certificate whose DER body mentions `host` (generated bytes, not a real DER: the
/// check reads the names, not the structure).
fn certificate(host: &str, seed: u64) -> String {
    let mut der = rand(B62, 300, seed).into_bytes();
    der.splice(120..120, host.bytes());
    let b64 = base64::engine::general_purpose::STANDARD.encode(&der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

fn private_key(seed: u64) -> String {
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----",
        pem_body(seed)
    )
}

#[test]
fn a_localhost_dev_certificate_key_is_a_warning_that_says_so() {
    let key = private_key(68);
    let dev = format!("{}{key}\n", certificate("localhost", 69));
    assert_severity(&dev, "secret/private-key", &key, Severity::Warning);
    let f = &scanner().findings("lib/dev-server/cert.js", dev.as_bytes())[0];
    assert!(f.message.contains("localhost"), "{}", f.message);
    // Near miss: the key of a certificate for a real host blocks.
    let prod = format!("{}{key}\n", certificate("api.acme.io", 70));
    assert_hit(&prod, "secret/private-key", &key);
}

#[test]
fn keys_and_tokens_in_test_fixtures_are_warnings_that_say_so() {
    let key = private_key(71);
    let s = scanner();
    for path in [
        "test/fixtures/id_rsa",
        "lib/__tests__/keys.js",
        "spec/ssl.spec.js",
        "dist/cli.js.map!test/fixtures/key.ts",
    ] {
        let found = s.findings(path, key.as_bytes());
        assert_eq!(found.len(), 1, "{path}");
        assert_eq!(found[0].severity, Severity::Warning, "{path}");
        assert!(
            found[0].message.contains("test or fixture"),
            "{}",
            found[0].message
        );
    }
    // Near miss: the same key in shipped code, and a token in a README, block.
    for path in ["lib/sign.js", "README.md", "examples/keys.js"] {
        let found = s.findings(path, key.as_bytes());
        assert_eq!(found[0].severity, Severity::Error, "{path}");
    }
}

#[test]
fn fixture_and_sample_paths() {
    assert!(is_fixture_path("test/fixtures/a.pem"));
    assert!(is_fixture_path("packages/x/__tests__/a.js"));
    assert!(is_fixture_path("src/a.test.ts"));
    assert!(!is_fixture_path("lib/testing.js"));
    assert!(is_fixture_path("runtime_tests/lagon/.env.lagon"));
    assert!(is_fixture_path("packages/api/integration-tests/keys.pem"));
    // Near misses: a suffix of the file name, or a word that merely ends in "test".
    assert!(!is_fixture_path("lib/run_tests"));
    assert!(!is_fixture_path("latest/.env"));
    assert!(!is_fixture_path("contest/.env"));
    assert!(!is_fixture_path("README.md"));
    assert!(is_sample_path("README.md"));
}
