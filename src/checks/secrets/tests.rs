//! A hit and a near-miss per kind, plus the false-positive shapes named in the issue.
//!
//! Test credentials are generated (a fixed pseudo-random stream), never real keys.

use super::*;

pub(super) const B62: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
pub(super) const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
pub(super) const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `n` pseudo-random characters of `alphabet` (deterministic per `seed`).
pub(super) fn rand(alphabet: &[u8], n: usize, seed: u64) -> String {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            alphabet[((x >> 33) % alphabet.len() as u64) as usize] as char
        })
        .collect()
}

pub(super) fn scanner() -> Scanner {
    Scanner::new(&Config::default()).unwrap()
}

/// Rule ids found in `text`.
pub(super) fn kinds(text: &str) -> Vec<String> {
    scanner()
        .scan(text.as_bytes())
        .into_iter()
        .map(|m| m.rule)
        .collect()
}

/// `text` holds `secret`, reported as `rule` at error severity (blocking).
pub(super) fn assert_hit(text: &str, rule: &str, secret: &str) {
    assert_severity(text, rule, secret, Severity::Error);
}

/// `text` holds `secret`, reported as `rule` at `severity`.
pub(super) fn assert_severity(text: &str, rule: &str, secret: &str, severity: Severity) {
    let found = scanner().scan(text.as_bytes());
    assert!(
        found.iter().any(|m| m.rule == rule
            && &text.as_bytes()[m.range.clone()] == secret.as_bytes()
            && m.severity == severity),
        "expected {rule} = {secret:?} ({severity}) in {text:?}, found {found:?}"
    );
}

pub(super) fn assert_clean(text: &str) {
    let found = kinds(text);
    assert!(
        found.is_empty(),
        "expected nothing in {text:?}, found {found:?}"
    );
}

fn ghp() -> String {
    format!("ghp_{}", rand(B62, 36, 1))
}

#[test]
fn github_hit_and_near_miss() {
    let t = ghp();
    assert_hit(&format!("const t = \"{t}\";"), "secret/github-token", &t);
    let pat = format!("github_pat_{}_{}", rand(B62, 22, 2), rand(B62, 59, 3));
    assert_hit(&format!("TOKEN={pat}\n"), "secret/github-token", &pat);
    // Too short, glued into an identifier, or a placeholder.
    assert_clean(&format!("x = \"ghp_{}\"", rand(B62, 20, 1)));
    assert_clean(&format!("my{t}"));
    assert_clean("token: ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    assert_clean("curl -H 'Authorization: token ghp_16C7e42F292c6912E7710c838347Ae178B4a'");
}

#[test]
fn aws_access_key_hit_and_near_miss() {
    let k = format!("AKIA{}", rand(B32, 16, 4));
    assert_hit(
        &format!("aws_access_key_id = {k}\n"),
        "secret/aws-access-key",
        &k,
    );
    // Inside a base64 blob, documented example, lowercase/base62 tail.
    assert_clean(&format!("data:image/png;base64,iVBOR{k}Qmcc"));
    assert_clean("aws_access_key_id = AKIAIOSFODNN7EXAMPLE");
    assert_clean("AKIA0000111122223333");
}

/// `KEY=AKIA…`: the `=` of an assignment ends a value, it doesn't continue a base64 blob
/// (gitleaks, ripsecrets and detect-secrets all catch these forms).
#[test]
fn aws_access_key_in_env_assignments() {
    let k = format!("AKIA{}", rand(B32, 16, 7));
    for text in [
        format!("AWS_ACCESS_KEY_ID={k}\n"),
        format!("export AWS_ACCESS_KEY_ID={k}\n"),
        format!("x={k}"),
        format!("AWS_ACCESS_KEY_ID=\"{k}\"\n"),
        format!("aws_access_key_id: '{k}'\n"),
        format!("{{\"accessKeyId\":\"{k}\"}}"),
    ] {
        assert_hit(&text, "secret/aws-access-key", &k);
    }
    // Still inside a longer base64 run (on both sides), or after padding inside a blob's
    // continuation: not a key.
    assert_clean(&format!("blob=QUJD{k}"));
    assert_clean(&format!("{k}=="));
}

#[test]
fn connection_string_hit_and_near_miss() {
    let pw = rand(B62, 18, 9);
    for (text, secret) in [
        (
            format!("DATABASE_URL=postgres://app:{pw}@db.acme-internal.net:5432/app\n"),
            &pw,
        ),
        (
            format!("const url = \"postgresql://app:{pw}@10.0.3.7/app\";"),
            &pw,
        ),
        (
            format!("MONGO=mongodb+srv://svc:{pw}@cluster0.abcd1.mongodb.net/prod"),
            &pw,
        ),
        (format!("REDIS_URL=redis://:{pw}@cache.acme.io:6379"), &pw),
        (format!("amqp://worker:{pw}@mq.acme.io/vhost"), &pw),
        (format!("mysql://root:{pw}@prod-db:3306/shop"), &pw),
    ] {
        assert_hit(&text, "secret/connection-string", secret);
    }
    // No password, a reference, a placeholder, a local or documentation host.
    assert_clean("DATABASE_URL=postgres://app@db.acme.io/app");
    assert_clean("DATABASE_URL=postgres://app:${DB_PASSWORD}@db.acme.io/app");
    assert_clean("DATABASE_URL=postgres://app:$DB_PASSWORD@db.acme.io/app");
    assert_clean("postgres://user:password@db.acme.io/app");
    assert_clean("postgres://user:<password>@db.acme.io/app");
    assert_clean(&format!("postgres://app:{pw}@localhost:5432/app"));
    assert_clean(&format!("postgres://app:{pw}@127.0.0.1/app"));
    assert_clean(&format!("mongodb://app:{pw}@db.example.com/app"));
    assert_clean(&format!("redis://:{pw}@host.docker.internal:6379"));
    // Template passwords in CLIs that scaffold a project, and the Redis docs' example.
    assert_clean("mongodb+srv://root:randompassword@cluster0.ab1cd.mongodb.net/mydb");
    assert_clean("redis://alice:foobared@awesome.redis.server:6380");
    assert_clean("postgres://app:MyPassword123@db.acme.io/app");
    // In documentation, a real-looking one is a warning that says where it is.
    let doc = format!("DATABASE_URL=postgres://app:{pw}@db.acme-internal.net/app\n");
    let f = &scanner().findings("docs/deploy.md", doc.as_bytes())[0];
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(
        scanner().findings("deploy/env.sh", doc.as_bytes())[0].severity,
        Severity::Error
    );
    // Not a scheme: glued into a longer word.
    assert_clean(&format!("xpostgres://app:{pw}@db.acme.io/app"));
}

#[test]
fn aws_secret_key_hit_and_near_miss() {
    let s = rand(B64, 40, 5);
    assert_hit(
        &format!("aws_secret_access_key = {s}\n"),
        "secret/aws-secret-key",
        &s,
    );
    assert_hit(
        &format!("{{ secretAccessKey: \"{s}\" }}"),
        "secret/aws-secret-key",
        &s,
    );
    assert_clean("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n");
    assert_clean("const secretAccessKey = credentials.secretAccessKey;");
}

#[test]
fn gitlab_hit_and_near_miss() {
    let t = format!("glpat-{}", rand(B62, 20, 6));
    assert_hit(&format!("GITLAB_TOKEN={t}\n"), "secret/gitlab-token", &t);
    assert_clean("GITLAB_TOKEN=glpat-xxxxxxxxxxxxxxxxxxxx\n");
    assert_clean(&format!("see glpat-{}", rand(B62, 8, 6)));
}

#[test]
fn npm_token_hit_and_near_miss() {
    let t = format!("npm_{}", rand(B62, 36, 7));
    assert_hit(&format!("const npmToken = '{t}';"), "secret/npm-token", &t);
    // npm's own environment variables and shorter identifiers.
    assert_clean("process.env.npm_config_registry_with_a_very_long_name_here");
    assert_clean("const n = process.env.npm_package_version;");
}

#[test]
fn npmrc_auth_token_hit_and_near_miss() {
    let v = rand(B62, 24, 8);
    assert_hit(
        &format!("registry=https://npm.acme.dev/\n//npm.acme.dev/:_authToken={v}\n"),
        "secret/npmrc-auth-token",
        &v,
    );
    // The same line with an npm token is reported as the more specific npm-token.
    let t = format!("npm_{}", rand(B62, 36, 9));
    assert_eq!(
        kinds(&format!("//registry.npmjs.org/:_authToken={t}\n")),
        ["secret/npm-token"]
    );
    assert_clean("//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n");
    assert_clean("//registry.npmjs.org/:_authToken=MYTOKEN\n");
    assert_clean("//registry.npmjs.org/:_authToken=<token>\n");
    // Code that handles the field, not an npmrc line.
    assert_clean("if (opts._authToken = getToken(registry)) {}");
}

/// A project `.npmrc` of settings and environment references: nothing of any kind, in the
/// file's own name and nested (the staged, pushed and packed paths all come through here).
const NPMRC_SETTINGS: &str = "# project settings\n\
    package-lock=false\n\
    save-exact=true\n\
    @acme:registry=https://npm.acme.dev/\n\
    //npm.acme.dev/:_authToken=${NPM_TOKEN}\n\
    //registry.npmjs.org/:_authToken=$NPM_TOKEN\n\
    //npm.pkg.github.com/:_authToken=\n\
    //other.dev/:_auth=\n\
    //other.dev/:_password=\"${NPM_PASSWORD}\"\n\
    //win.dev/:_authToken=%NPM_TOKEN%\n\
    //x.dev/:_authToken=<your-token>\n\
    //y.dev/:_authToken=YOUR_TOKEN_HERE\n\
    //z.dev/:_authToken=xxxxxxxxxxxxxxxx\n\
    always-auth=true\n\
    email=dev@acme.dev\n";

#[test]
fn npmrc_file_of_settings_is_clean() {
    for file in [".npmrc", "packages/cli/.npmrc", "node_modules/dep/.npmrc"] {
        let found = scanner().findings(file, NPMRC_SETTINGS.as_bytes());
        assert!(found.is_empty(), "{file}: {found:?}");
    }
}

#[test]
fn npmrc_file_with_a_literal_token_is_found_at_its_line_and_column() {
    let v = rand(B62, 24, 21);
    let text = format!("{NPMRC_SETTINGS}//npm.acme.dev/:_authToken={v}\n");
    let found = scanner().findings(".npmrc", text.as_bytes());
    assert_eq!(found.len(), 1, "{found:?}");
    let f = &found[0];
    assert_eq!(f.rule, "secret/npmrc-auth-token");
    assert_eq!(f.file.as_deref(), Some(".npmrc"));
    // Line 16, the value right after `//npm.acme.dev/:_authToken=` (27 characters).
    assert_eq!((f.line, f.column), (Some(16), Some(28)));
    // `_auth` (base64 user:pass) and `_password` values are credentials too.
    let b = rand(B64, 32, 22);
    let text = format!("//npm.acme.dev/:_auth={b}\n//npm.acme.dev/:_password=\"{v}\"\n");
    let lines: Vec<_> = scanner()
        .findings(".npmrc", text.as_bytes())
        .into_iter()
        .map(|f| (f.rule, f.line))
        .collect();
    assert_eq!(
        lines,
        [
            ("secret/npmrc-auth-token".to_string(), Some(1)),
            ("secret/npmrc-auth-token".to_string(), Some(2))
        ]
    );
}

#[test]
fn slack_hit_and_near_miss() {
    let t = format!(
        "xoxb-{}-{}-{}",
        rand(b"0123456789", 11, 10),
        rand(b"0123456789", 12, 11),
        rand(B62, 24, 12)
    );
    assert_hit(&format!("SLACK_BOT_TOKEN={t}\n"), "secret/slack-token", &t);
    assert_clean("token: xoxb-not-a-real-token-this-will-not-work");
    assert_clean("xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy");
    let path = format!(
        "T{}/B{}/{}",
        rand(B32, 8, 13),
        rand(B32, 8, 14),
        rand(B62, 24, 15)
    );
    assert_hit(
        &format!("url: 'https://hooks.slack.com/services/{path}'"),
        "secret/slack-webhook",
        &path,
    );
    assert_clean("https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX");
}

#[test]
fn stripe_hit_and_near_miss() {
    let k = format!("sk_live_{}", rand(B62, 24, 16));
    assert_hit(&format!("stripe({k:?})"), "secret/stripe-key", &k);
    assert_clean(&format!("stripe(\"sk_test_{}\")", rand(B62, 24, 16)));
    assert_clean("stripe('sk_live_4eC39HqLyjWDarjtT1zdp7dc')");
    // Restricted keys share the keyword; other letters before `k_live_` are no Stripe key.
    let r = format!("rk_live_{}", rand(B62, 24, 17));
    assert_hit(&format!("STRIPE_KEY={r}\n"), "secret/stripe-key", &r);
    assert_clean(&format!("pk_live_{}", rand(B62, 24, 18)));
    assert_clean(&format!("k_live_{}", rand(B62, 24, 19)));
}

#[test]
fn google_hit_and_near_miss() {
    let k = format!("AIza{}", rand(B62, 35, 17));
    assert_hit(&format!("apiKey: \"{k}\""), "secret/google-api-key", &k);
    // Inside an integrity hash / base64 blob.
    assert_clean(&format!(
        "\"integrity\": \"sha512-x{k}{}==\"",
        rand(B64, 40, 18)
    ));
}

#[test]
fn anthropic_and_openai_hit_and_near_miss() {
    let a = format!("sk-ant-api03-{}AA", rand(B62, 93, 19));
    assert_hit(
        &format!("ANTHROPIC_API_KEY={a}\n"),
        "secret/anthropic-key",
        &a,
    );
    let o = format!("sk-proj-{}", rand(B62, 120, 20));
    assert_hit(
        &format!("new OpenAI({{ apiKey: '{o}' }})"),
        "secret/openai-key",
        &o,
    );
    let legacy = format!("sk-{}T3BlbkFJ{}", rand(B62, 20, 21), rand(B62, 20, 22));
    assert_hit(&format!("key = \"{legacy}\""), "secret/openai-key", &legacy);
    // `sk-` inside words, and placeholders.
    assert_clean(&format!("task-{}", &o[3..]));
    assert_clean(&format!("mask-proj-{}", rand(B62, 60, 23)));
    assert_clean("OPENAI_API_KEY=sk-proj-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\n");
    assert_clean("ANTHROPIC_API_KEY=sk-ant-api03-your-key-here\n");
}

pub(super) fn pem_body(seed: u64) -> String {
    let raw = rand(B64, 64 * 10, seed);
    raw.as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn private_key_hit_and_near_miss() {
    let block = format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----",
        pem_body(24)
    );
    assert_hit(&format!("{block}\n"), "secret/private-key", &block);
    // Escaped inside a JSON string.
    let escaped = block.replace('\n', "\\n");
    assert_hit(
        &format!("{{\"key\": \"{escaped}\\n\"}}"),
        "secret/private-key",
        &escaped,
    );
    // Headers in code that parses keys, and dummy bodies.
    assert_clean("const re = /-----BEGIN (RSA )?PRIVATE KEY-----([\\s\\S]*?)-----END/;");
    assert_clean("if (pem.startsWith('-----BEGIN PRIVATE KEY-----')) { return parse(pem); }");
    assert_clean("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC...\n-----END PRIVATE KEY-----\n");
    assert_clean("-----BEGIN PRIVATE KEY-----\n<your key here>\n-----END PRIVATE KEY-----\n");
    assert_clean(&format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        "A".repeat(200)
    ));
    // Certificates are public.
    assert_clean(&format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        pem_body(25)
    ));
}

#[test]
fn generic_hit_and_near_miss() {
    let v = rand(B62, 32, 26);
    assert_hit(
        &format!("const apiSecret = \"{v}\";"),
        "secret/generic-secret",
        &v,
    );
    assert_hit(
        &format!("  \"api_key\": \"{v}\",\n"),
        "secret/generic-secret",
        &v,
    );
    assert_hit(
        "DB_PASSWORD=Tr0ub4dor&3x\n",
        "secret/generic-secret",
        "Tr0ub4dor&3x",
    );
    assert_hit(
        &format!("export AUTH_TOKEN={v}\n"),
        "secret/generic-secret",
        &v,
    );
    // Names about secrets, references, comparisons, words, low entropy, prose.
    assert_clean(&format!("const tokenType = \"{v}\";"));
    assert_clean("const token = process.env.API_TOKEN;");
    assert_clean("password: '${DB_PASSWORD}'");
    assert_clean(&format!("if (token === \"{v}\") {{}}"));
    assert_clean("token: \"refreshAccessTokenRequest\"");
    assert_clean("password: \"Password must contain at least 8 characters\"");
    assert_clean("secret: 'aaaaaaaaaaaaaaaaaaaa1'");
    assert_clean(&format!("token = getToken({v})"));
    assert_clean("api_key = \"your-api-key-here-123\"");
    assert_clean("{token:e.token,secret:n.secret}");
}

/// Translation catalogs name the word for "password" as a value; a documentation site's
/// DocSearch config ships its search-only key on purpose. Neither is a credential; the
/// same shapes with a generated value still are.
#[test]
fn i18n_values_and_docsearch_keys_are_not_credentials() {
    assert_clean("{ \"password\": \"Contraseña1\", \"username\": \"Usuario\" }");
    assert_clean("password: 'Mot_dé_passe!'");
    let key = rand(B62, 32, 31);
    assert_clean(&format!(
        "algolia: {{\n  appId: 'X1Y2Z3W4V5',\n  apiKey: '{key}',\n  indexName: 'docs',\n}},"
    ));
    // Near misses: an ASCII password value, and an apiKey with no search index beside it.
    assert_hit(
        "password: 'Contrasena#77'",
        "secret/generic-secret",
        "Contrasena#77",
    );
    assert_hit(
        &format!("const config = {{ apiKey: '{key}' }};"),
        "secret/generic-secret",
        &key,
    );
}

#[test]
fn lockfile_integrity_and_maps_are_quiet() {
    let lock = format!(
        "\"node_modules/x\": {{\n  \"version\": \"1.0.0\",\n  \"resolved\": \"https://registry.npmjs.org/x/-/x-1.0.0.tgz\",\n  \"integrity\": \"sha512-{}AKIA{}{}==\"\n}}",
        rand(B64, 10, 27),
        rand(B32, 16, 28),
        rand(B64, 60, 29)
    );
    assert_clean(&lock);
    let map = format!(
        "{{\"version\":3,\"sources\":[\"a.ts\"],\"names\":[],\"mappings\":\";AKIA{};AIza{},\"}}",
        rand(B32, 16, 30),
        rand(B62, 35, 31)
    );
    assert_clean(&map);
}

#[test]
fn binary_buffers_are_skipped() {
    let t = ghp();
    let mut bytes = b"\x00\x01PNG".to_vec();
    bytes.extend_from_slice(t.as_bytes());
    assert!(is_binary(&bytes));
    assert!(scanner().scan(&bytes).is_empty());
}

#[test]
fn line_and_column_are_one_based_and_in_characters() {
    let t = ghp();
    let text = format!("first\n// é {t}\n");
    let m = &scanner().scan(text.as_bytes())[0];
    assert_eq!((m.line, m.column), (2, 6));
}

#[test]
fn findings_are_redacted_and_fingerprinted() {
    let t = ghp();
    let f = &scanner().findings("dist/cli.js", format!("x=\"{t}\"").as_bytes())[0];
    assert_eq!(f.rule, "secret/github-token");
    assert_eq!(f.file.as_deref(), Some("dist/cli.js"));
    assert!(!f.evidence.as_ref().unwrap().contains(&t[8..]));
    assert_eq!(
        f.fingerprint.as_deref(),
        Some(crate::report::redact::fingerprint(t.as_bytes()).as_str())
    );
    assert_eq!(f.severity, Severity::Error);
}

#[test]
fn custom_patterns_with_and_without_keywords() {
    let config: Config = Config::parse(
        r#"
[[secrets.patterns]]
id = "acme-key"
regex = 'acme_(?P<secret>[a-f0-9]{32})'
keywords = ["acme_"]

[[secrets.patterns]]
id = "internal-host"
regex = 'db\.internal\.acme\.dev'
"#,
        std::path::Path::new("leakgate.toml"),
    )
    .unwrap();
    let s = Scanner::new(&config).unwrap();
    let hex = rand(b"0123456789abcdef", 32, 32);
    let text = format!("k = 'acme_{hex}'\nhost = db.internal.acme.dev\n");
    let found = s.scan(text.as_bytes());
    let rules: Vec<_> = found.iter().map(|m| m.rule.as_str()).collect();
    assert_eq!(rules, ["secret/acme-key", "secret/internal-host"]);
    assert_eq!(&text.as_bytes()[found[0].range.clone()], hex.as_bytes());
    assert!(s.scan(b"k = 'acme_nothex'").is_empty());
}

#[test]
fn bad_custom_patterns_name_the_file_and_entry() {
    // The config reader validates custom patterns (foundation): a bad regex or an id that
    // shadows a built-in rule is a config error at line:col, before any scanner is built.
    let e = Config::parse(
        "[[secrets.patterns]]\nid = \"x\"\nregex = '(unclosed'\n",
        std::path::Path::new("leakgate.toml"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("leakgate.toml:3:9:") && e.contains("regex"),
        "{e}"
    );
    let e = Config::parse(
        "[[secrets.patterns]]\nid = \"github-token\"\nregex = 'x'\n",
        std::path::Path::new("leakgate.toml"),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("built-in"), "{e}");
}

#[test]
fn every_kind_is_registered_and_every_secret_rule_has_a_kind() {
    for b in BUILTINS {
        assert!(
            crate::rules::find(b.rule.id).is_some_and(|r| r == b.rule),
            "{} missing from the registry",
            b.rule.id
        );
    }
    for r in crate::rules::all().filter(|r| r.id.starts_with("secret/")) {
        let kinds = BUILTINS.iter().filter(|b| b.rule == r).count();
        assert_eq!(kinds, 1, "{}: {kinds} built-in kinds", r.id);
    }
}

#[test]
fn clean_minified_code_is_clean() {
    let code = "function t(e){return e.token?e.token:null}var n={password:\"\",secret:void 0,apiKey:e.apiKey};\
        const r=/sk-[a-z]+/;let task-list;var AKIAmap={};";
    assert_clean(code);
}

#[test]
fn corpus_false_positives_stay_fixed() {
    // aws-sdk *.examples.json / .d.ts: pagination and idempotency tokens, UUIDs, dates.
    assert_clean("\"nextToken\": \"gPFEGk7CF4wS901w7ppYclt7gPFEGk7CF4wS901w7ppYclt7\",");
    assert_clean(
        "\"NextContinuationToken\": \"1w41l63U0xa8q7smH50vCxyTQqdxo69O3EmK28Bi5PcROI4wI/EyIJg==\",",
    );
    assert_clean("\"ClientRequestToken\": \"550e8400-e29b-41d4-a716-446655440003\",");
    assert_clean("\"ChangeToken\": \"abcd12f2-46da-4fdb-b8d5-fbd4c466928f\",");
    assert_clean("'Lock-Token': 'urn:uuid:a515cfa4-5da4-22e1-f5b5-00a0451e6bf7'");
    assert_clean("\"PasswordLastUsed\": \"2016-09-08T21:47:36Z\",");
    // pino docs: Telegram's documented bot token.
    assert_clean("botToken: \"123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11\",");
}

#[test]
fn generic_is_off_in_docs_tests_and_examples_but_tokens_are_not() {
    let s = scanner();
    let v = rand(B62, 32, 40);
    let text = format!("var password = '{v}';\n");
    for path in [
        "README.md",
        "docs/guide.md",
        "test/http.test.js",
        "src/__tests__/a.js",
        "apis/kms-2014-11-01.examples.json",
        "dist-types/commands/X.d.ts",
        "dist/cli.js.map!test/fixtures/auth.ts",
    ] {
        assert!(s.scan_file(path, text.as_bytes()).is_empty(), "{path}");
    }
    assert_eq!(s.scan_file("lib/db.js", text.as_bytes()).len(), 1);
    assert_eq!(
        s.findings("dist/cli.js.map!src/db.ts", text.as_bytes())
            .len(),
        1
    );
    let t = ghp();
    assert_eq!(s.scan_file("README.md", t.as_bytes()).len(), 1);
}

#[test]
fn keywords_inside_longer_keywords_still_trigger() {
    // `_password` is the prefilter's longest match; the generic rule sits at `password`.
    let v = rand(B62, 32, 41);
    assert_hit(
        &format!("db_password = \"{v}\""),
        "secret/generic-secret",
        &v,
    );
    // `secret` inside `aws_secret_access_key` triggers the AWS secret-key rule.
    let k = rand(B64, 40, 42);
    assert_hit(
        &format!("AWS_SECRET_ACCESS_KEY={k}\n"),
        "secret/aws-secret-key",
        &k,
    );
    // ...but a 40-character value under an unrelated `secret` name is not an AWS key.
    assert!(
        !kinds(&format!("client_secret = \"{k}\"")).contains(&"secret/aws-secret-key".to_string())
    );
}

#[test]
fn many_team_keywords_fall_back_to_the_automaton_with_the_same_findings() {
    // Teddy takes at most 64 literals: 40 team keywords push the set past it.
    let mut toml = String::new();
    for i in 0..40 {
        toml.push_str(&format!(
            "[[secrets.patterns]]\nid = \"team-{i}\"\nregex = 'tk{i}_[a-f0-9]{{24}}'\nkeywords = [\"tk{i}_\"]\n"
        ));
    }
    let config = Config::parse(&toml, std::path::Path::new("leakgate.toml")).unwrap();
    let many = Scanner::new(&config).unwrap();
    assert!(matches!(many.prefilter, Keywords::Automaton(_)));
    let few = scanner();
    assert!(matches!(few.prefilter, Keywords::ByLength(_)));

    let gh = format!("ghp_{}", rand(B62, 36, 7));
    let pw = rand(B62, 20, 8);
    let hex = rand(b"0123456789abcdef", 24, 9);
    let text = format!(
        "const a = '{gh}';\n// task-list mask-image\nconfig.password = \"{pw}\";\nx = tk7_{hex}\n"
    );
    let ids = |s: &Scanner| -> Vec<String> {
        s.scan(text.as_bytes())
            .into_iter()
            .map(|m| format!("{}@{}", m.rule, m.line))
            .collect()
    };
    assert_eq!(
        ids(&few),
        ["secret/github-token@1", "secret/generic-secret@3"]
    );
    assert_eq!(
        ids(&many),
        [
            "secret/github-token@1",
            "secret/generic-secret@3",
            "secret/team-7@4"
        ]
    );
}

#[test]
fn keywords_split_by_length_find_what_one_searcher_of_all_finds() {
    // The built-in keywords, split into a 4-byte-fingerprint searcher and a 3-byte one,
    // merged: the same leftmost-longest, non-overlapping hits as one automaton of them all,
    // on text dense with overlaps between the two parts (`sk-` in `task-`, `://` before
    // `hooks.slack.com/`, `_password` around `password`, `SG.` beside `SECRET`).
    let mut keywords: Vec<String> = Vec::new();
    for b in rules::BUILTINS {
        for kw in b.keywords {
            if !keywords.iter().any(|k| k == kw) {
                keywords.push(kw.to_string());
            }
        }
    }
    let split = Keywords::new(&keywords).unwrap();
    assert!(matches!(split, Keywords::ByLength(_)));
    let one = Keywords::Automaton(
        AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&keywords)
            .unwrap(),
    );
    let pieces = [
        "task-",
        "sk-",
        "https://",
        "hooks.slack.com/",
        "_password",
        "password",
        "SG.",
        "SECRET",
        "eyJ",
        "xoxb-",
        "glpat-",
        "ghp_",
        "AKIA",
        "token",
        "Token",
        " ",
        "=",
        "x",
        "://eyJ",
        "sk-ant-",
        "api_key",
        "apikey",
        "k_live_",
        "_v1_",
    ];
    let mut state: u64 = 7;
    for round in 0..300 {
        let mut text = String::new();
        for _ in 0..40 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            text.push_str(pieces[(state >> 33) as usize % pieces.len()]);
        }
        let hits = |k: &Keywords| -> Vec<(usize, usize, usize)> {
            k.find_iter(text.as_bytes())
                .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
                .collect()
        };
        assert_eq!(hits(&split), hits(&one), "round {round}: {text}");
    }
}
