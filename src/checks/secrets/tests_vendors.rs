//! A hit and a near-miss for each vendor kind added after the first corpus (JWT, Supabase,
//! Azure, Google service accounts and OAuth clients, SendGrid, DigitalOcean, Heroku, Sentry,
//! Vercel, Twilio, Datadog, Mailgun, Cloudflare), and every token kind in the assignment
//! forms users write (`=`, `:`, `export`, quotes).
//!
//! Test credentials are generated (a fixed pseudo-random stream), never real keys.

use super::tests::{
    assert_clean, assert_hit, assert_severity, kinds, pem_body, rand, scanner, B62, B64,
};
use super::*;
use base64::Engine;

const HEX: &[u8] = b"0123456789abcdef";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn b64url(json: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

/// A JWT with `claims` as its payload and a generated HS256-length signature.
fn jwt(claims: &str, seed: u64) -> String {
    format!(
        "{}.{}.{}",
        b64url(r#"{"alg":"HS256","typ":"JWT"}"#),
        b64url(claims),
        rand(B64URL, 43, seed)
    )
}

#[test]
fn jwt_hit_and_near_miss() {
    let t = jwt(r#"{"sub":"42","iat":1700000000,"exp":4102444800}"#, 1);
    assert_hit(
        &format!("headers: {{ Authorization: `Bearer {t}` }}"),
        "secret/jwt",
        &t,
    );
    assert_hit(&format!("SERVICE_TOKEN={t}\n"), "secret/jwt", &t);
    // Expired: a warning that says so.
    let old = jwt(r#"{"sub":"42","exp":1000000000}"#, 2);
    assert_severity(
        &format!("token = \"{old}\""),
        "secret/jwt",
        &old,
        Severity::Warning,
    );
    // No registered claim at all (an emulator's or sample token): a warning.
    let emulated = jwt(r#"{"source":"dev server","testData":"EMULATED"}"#, 58);
    assert_severity(
        &format!("authorization: 'Bearer {emulated}'"),
        "secret/jwt",
        &emulated,
        Severity::Warning,
    );
    // Truncated documentation tokens, no signature, `alg: none`, jwt.io's sample, a payload
    // that is not JSON, and an inline source map (base64 JSON without dots).
    let header = b64url(r#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = b64url(r#"{"sub":"42"}"#);
    assert_clean(&format!(
        "// Authorization: Bearer {header}.{payload}.abc123"
    ));
    assert_clean(&format!("token: '{header}.{payload}.'"));
    assert_clean(&format!("token: '{header}.eyJhbGciOi...'"));
    let none = format!(
        "{}.{payload}.{}",
        b64url(r#"{"alg":"none"}"#),
        rand(B64URL, 43, 3)
    );
    assert_clean(&format!("t = '{none}'"));
    assert_clean("Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c");
    assert_clean(&format!(
        "t = '{header}.eyJ{}.{}'",
        rand(B64URL, 30, 4),
        rand(B64URL, 43, 5)
    ));
    assert_clean(&format!(
        "//# sourceMappingURL=data:application/json;base64,{}",
        base64::engine::general_purpose::STANDARD
            .encode(r#"{"version":3,"sources":["a.ts"],"mappings":"AAAA"}"#)
    ));
}

#[test]
fn supabase_service_keys_block_and_anon_keys_do_not() {
    let service = jwt(
        r#"{"iss":"supabase","ref":"abcd","role":"service_role"}"#,
        6,
    );
    assert_hit(
        &format!("SUPABASE_SERVICE_ROLE_KEY={service}\n"),
        "secret/supabase-service-key",
        &service,
    );
    let anon = jwt(r#"{"iss":"supabase","ref":"abcd","role":"anon"}"#, 7);
    assert_clean(&format!("createClient(url, '{anon}')"));
    let secret = format!("sb_secret_{}", rand(B62, 32, 8));
    assert_hit(
        &format!("const key = \"{secret}\";"),
        "secret/supabase-service-key",
        &secret,
    );
    assert_clean(&format!(
        "const key = \"sb_publishable_{}\";",
        rand(B62, 32, 9)
    ));
}

#[test]
fn azure_storage_keys_hit_and_near_miss() {
    let key = format!("{}==", rand(B64, 86, 10));
    let conn = format!(
        "DefaultEndpointsProtocol=https;AccountName=acmeprod;AccountKey={key};EndpointSuffix=core.windows.net"
    );
    assert_hit(
        &format!("AZURE_STORAGE_CONNECTION_STRING=\"{conn}\"\n"),
        "secret/azure-storage-key",
        &key,
    );
    let sas = rand(B64, 44, 11);
    assert_hit(
        &format!("Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={sas}"),
        "secret/azure-storage-key",
        &sas,
    );
    // The storage emulator's published key, and placeholders.
    assert_clean("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;");
    assert_clean("AccountName=x;AccountKey=<your-account-key>;");
    assert_clean(&format!("AccountKey={}", "A".repeat(88)));
}

/// A service-account key file as Google Cloud writes it (`\n`-escaped PEM in JSON).
fn service_account_json(kind: &str, seed: u64) -> (String, String) {
    let block = format!(
        "-----BEGIN PRIVATE KEY-----\\n{}\\n-----END PRIVATE KEY-----",
        pem_body(seed).replace('\n', "\\n")
    );
    let json = format!(
        "{{\n  \"type\": \"{kind}\",\n  \"project_id\": \"acme-prod\",\n  \"private_key_id\": \"{}\",\n  \"private_key\": \"{block}\\n\",\n  \"client_email\": \"firebase-adminsdk-x1@acme-prod.iam.gserviceaccount.com\"\n}}\n",
        rand(HEX, 40, seed + 1)
    );
    (json, block)
}

#[test]
fn gcp_service_account_hit_and_near_miss() {
    let (json, block) = service_account_json("service_account", 12);
    assert_hit(&json, "secret/gcp-service-account", &block);
    assert_eq!(kinds(&json), ["secret/gcp-service-account"]);
    // Code that checks the type, and a key file with a dummy body.
    assert_clean("if (credentials.type === \"service_account\") { return new JWT(credentials); }");
    assert_clean(
        "{\"type\": \"service_account\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----\\n\"}",
    );
    // Another key type still holds a private key: reported as one.
    let (other, block) = service_account_json("external_account", 13);
    assert_hit(&other, "secret/private-key", &block);
}

#[test]
fn sendgrid_digitalocean_heroku_hit_and_near_miss() {
    let sg = format!("SG.{}.{}", rand(B64URL, 22, 14), rand(B64URL, 43, 15));
    assert_hit(
        &format!("sgMail.setApiKey('{sg}');"),
        "secret/sendgrid-key",
        &sg,
    );
    assert_clean(&format!("SG.{}.{}", rand(B62, 22, 14), rand(B62, 20, 15)));
    assert_clean("SG.prototype.render = function () {};");

    let d = format!("dop_v1_{}", rand(HEX, 64, 16));
    assert_hit(
        &format!("DIGITALOCEAN_TOKEN={d}\n"),
        "secret/digitalocean-token",
        &d,
    );
    let o = format!("doo_v1_{}", rand(HEX, 64, 17));
    assert_hit(&format!("token: '{o}'"), "secret/digitalocean-token", &o);
    assert_clean(&format!("xdop_v1_{}", rand(HEX, 64, 16)));
    assert_clean(&format!("dop_v1_{}", rand(HEX, 40, 16)));
    assert_clean("api_v1_handler");

    let h = format!("HRKU-AA{}", rand(B64URL, 58, 18));
    assert_hit(&format!("HEROKU_API_KEY={h}\n"), "secret/heroku-key", &h);
    let uuid = "3c0f9a1e-7b2d-4e8f-a6c5-91d2b7e4f083";
    assert_hit(
        &format!("HEROKU_API_KEY={uuid}\n"),
        "secret/heroku-key",
        uuid,
    );
    // A UUID under another name is a request id, not a key.
    assert_clean(&format!("REQUEST_TOKEN={uuid}\n"));
    assert_clean(&format!("HRKU-AA{}", rand(B62, 20, 18)));
}

#[test]
fn sentry_tokens_and_dsns_with_a_secret() {
    let u = format!("sntryu_{}", rand(HEX, 64, 19));
    assert_hit(
        &format!("SENTRY_AUTH_TOKEN={u}\n"),
        "secret/sentry-token",
        &u,
    );
    let claims = base64::engine::general_purpose::STANDARD
        .encode(r#"{"iat":1700000000,"url":"https://sentry.io","region_url":"https://us.sentry.io","org":"acme"}"#)
        .trim_end_matches('=')
        .to_string();
    let s = format!("sntrys_{claims}_{}", rand(B62, 43, 20));
    assert_hit(&format!("authToken: \"{s}\""), "secret/sentry-token", &s);
    assert_clean(&format!("sntryu_{}", rand(HEX, 30, 19)));

    let (public, secret) = (rand(HEX, 32, 21), rand(HEX, 32, 22));
    assert_hit(
        &format!("Sentry.init({{ dsn: 'https://{public}:{secret}@o12345.ingest.sentry.io/678' }})"),
        "secret/sentry-dsn",
        &secret,
    );
    // The public DSN carries no secret and ships in every browser bundle.
    assert_clean(&format!(
        "Sentry.init({{ dsn: 'https://{public}@o12345.ingest.sentry.io/678' }})"
    ));
    // Basic auth in an ordinary web URL is not a Sentry DSN.
    assert_clean(&format!(
        "fetch('https://user:{}@api.acme.io/v1')",
        rand(B62, 12, 23)
    ));
}

#[test]
fn vercel_tokens_hit_and_near_miss() {
    let v = format!("vcp_{}", rand(B62, 56, 24));
    assert_hit(&format!("VERCEL_TOKEN={v}\n"), "secret/vercel-token", &v);
    let k = format!("vck_{}", rand(B62, 56, 25));
    assert_hit(
        &format!("{{ \"apiKey\": \"{k}\" }}"),
        "secret/vercel-token",
        &k,
    );
    let legacy = rand(B62, 24, 26);
    assert_hit(
        &format!("VERCEL_TOKEN={legacy}\n"),
        "secret/vercel-token",
        &legacy,
    );
    let refresh = format!("vcr_{}", rand(B62, 56, 27));
    assert_hit(
        &format!("const refresh = '{refresh}';"),
        "secret/vercel-token",
        &refresh,
    );
    assert_clean(&format!("vcp_{}", rand(B62, 10, 24)));
    assert_clean(&format!("srcvcp_{}", rand(B62, 56, 24)));
    // `vcx_` is no Vercel prefix.
    assert_clean(&format!("vcx_{}", rand(B62, 56, 28)));
}

#[test]
fn google_oauth_client_secrets_block_unless_an_installed_app_client_id_is_beside_them() {
    let s = format!("GOCSPX-{}", rand(B64URL, 28, 27));
    assert_hit(
        &format!("GOOGLE_CLIENT_SECRET={s}\n"),
        "secret/google-oauth-secret",
        &s,
    );
    let cli = format!(
        "const CLIENT_ID = '563584335869-fgrhgmd47bqnekij5i8b5pr03ho849e6.apps.googleusercontent.com';\nconst CLIENT_SECRET = '{s}';\n"
    );
    assert_severity(&cli, "secret/google-oauth-secret", &s, Severity::Warning);
    let f = &scanner().findings("lib/auth.js", cli.as_bytes())[0];
    assert!(f.message.contains("installed application"), "{}", f.message);
    // An older unprefixed client secret next to an installed-app client id: a warning too.
    let old = rand(B62, 24, 28);
    let text =
        format!("clientId: '1234-abc.apps.googleusercontent.com',\nclientSecret: '{old}',\n");
    assert_severity(&text, "secret/generic-secret", &old, Severity::Warning);
    assert_clean("GOOGLE_CLIENT_SECRET=GOCSPX-xxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
}

#[test]
fn vendor_named_keys_hit_and_near_miss() {
    let twilio = rand(HEX, 32, 29);
    assert_hit(
        &format!("TWILIO_AUTH_TOKEN={twilio}\n"),
        "secret/twilio-key",
        &twilio,
    );
    assert_clean("TWILIO_AUTH_TOKEN=your_auth_token\n");

    let dd = rand(HEX, 32, 30);
    assert_hit(&format!("DD_API_KEY={dd}\n"), "secret/datadog-key", &dd);
    let app = rand(HEX, 40, 31);
    assert_hit(
        &format!("datadogApiKey: '{app}'"),
        "secret/datadog-key",
        &app,
    );
    // A browser client token is public by design: a warning, not a datadog-key.
    let pub_token = format!("pub{}", rand(HEX, 32, 32));
    assert_severity(
        &format!("DD_CLIENT_TOKEN={pub_token}\n"),
        "secret/generic-secret",
        &pub_token,
        Severity::Warning,
    );

    let mg = format!("key-{}", rand(HEX, 32, 33));
    assert_hit(
        &format!("MAILGUN_API_KEY={mg}\n"),
        "secret/mailgun-key",
        &mg,
    );
    let mg2 = format!(
        "{}-{}-{}",
        rand(HEX, 32, 34),
        rand(HEX, 8, 35),
        rand(HEX, 8, 36)
    );
    assert_hit(
        &format!("mailgunApiKey: \"{mg2}\""),
        "secret/mailgun-key",
        &mg2,
    );
    // The same shape under a name that is no vendor's is judged as a generic value.
    assert!(!kinds(&format!("CACHE_API_KEY={mg}\n")).contains(&"secret/mailgun-key".to_string()));

    let cf = rand(B64URL, 40, 37);
    assert_hit(
        &format!("CLOUDFLARE_API_TOKEN={cf}\n"),
        "secret/cloudflare-token",
        &cf,
    );
    let global = rand(HEX, 37, 38);
    assert_hit(
        &format!("CF_API_KEY=\"{global}\"\n"),
        "secret/cloudflare-token",
        &global,
    );
    assert_clean("CLOUDFLARE_API_TOKEN=<your-cloudflare-token>\n");
}

/// Every prefixed token kind in the forms users write it: env lines with and without
/// `export` and quotes, YAML, JSON, JS object literals, TOML.
#[test]
fn every_token_kind_in_every_assignment_form() {
    let tokens = [
        ("secret/github-token", format!("ghp_{}", rand(B62, 36, 40))),
        (
            "secret/gitlab-token",
            format!("glpat-{}", rand(B62, 20, 41)),
        ),
        ("secret/npm-token", format!("npm_{}", rand(B62, 36, 42))),
        (
            "secret/aws-access-key",
            format!("AKIA{}", rand(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16, 43)),
        ),
        (
            "secret/stripe-key",
            format!("sk_live_{}", rand(B62, 24, 44)),
        ),
        (
            "secret/google-api-key",
            format!("AIza{}", rand(B62, 35, 45)),
        ),
        (
            "secret/slack-token",
            format!(
                "xoxb-{}-{}-{}",
                rand(b"0123456789", 11, 1),
                rand(b"0123456789", 12, 2),
                rand(B62, 24, 46)
            ),
        ),
        (
            "secret/anthropic-key",
            format!("sk-ant-api03-{}AA", rand(B62, 93, 47)),
        ),
        (
            "secret/openai-key",
            format!("sk-proj-{}", rand(B62, 120, 48)),
        ),
        (
            "secret/sendgrid-key",
            format!("SG.{}.{}", rand(B64URL, 22, 49), rand(B64URL, 43, 50)),
        ),
        (
            "secret/digitalocean-token",
            format!("dop_v1_{}", rand(HEX, 64, 51)),
        ),
        (
            "secret/heroku-key",
            format!("HRKU-AA{}", rand(B64URL, 58, 52)),
        ),
        (
            "secret/sentry-token",
            format!("sntryu_{}", rand(HEX, 64, 53)),
        ),
        ("secret/vercel-token", format!("vcp_{}", rand(B62, 56, 54))),
        (
            "secret/supabase-service-key",
            format!("sb_secret_{}", rand(B62, 32, 55)),
        ),
        (
            "secret/google-oauth-secret",
            format!("GOCSPX-{}", rand(B64URL, 28, 56)),
        ),
        ("secret/jwt", jwt(r#"{"sub":"svc","exp":4102444800}"#, 57)),
    ];
    for (rule, t) in &tokens {
        for text in [
            format!("KEY={t}\n"),
            format!("export KEY={t}\n"),
            format!("export KEY=\"{t}\"\n"),
            format!("KEY='{t}'\n"),
            format!("key: {t}\n"),
            format!("key: \"{t}\"\n"),
            format!("{{\"key\":\"{t}\"}}"),
            format!("const c = {{ key: '{t}' }};"),
            format!("key = \"{t}\"\n"),
            format!("x={t}"),
            format!("fetch(url, {{ headers: {{ Authorization: `Bearer {t}` }} }})"),
        ] {
            assert_hit(&text, rule, t);
        }
    }
}
