//! The false-positive filters of the secret scanner: boundaries, entropy, placeholders and
//! the vendors' documented example credentials.
//!
//! Every filter here exists because a real file tripped a naive regex: `AKIA` inside a
//! base64 blob, `sk-` inside `task-`, `ghp_XXXX…` in a README, AWS's `…EXAMPLE` keys in the
//! SDK's own docs. `docs/false-positives.md` lists what the corpus run found.

/// Bytes that continue a base64 (or base64url) run: a token prefix preceded or followed by
/// one of these is part of a blob, not a key.
pub(crate) fn is_base64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-')
}

/// Bytes that can come *before* more base64 inside a blob: `=` is padding, which only ends
/// one, so `KEY=AKIA…` starts a new value rather than continuing a blob.
pub(crate) fn is_base64_body(b: u8) -> bool {
    is_base64(b) && b != b'='
}

/// Bytes of an identifier (`[A-Za-z0-9_]`).
pub(crate) fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Bytes of a dashed token (`[A-Za-z0-9_-]`): `sk-` inside `task-sk-…` or `mask-`.
pub(crate) fn is_token(b: u8) -> bool {
    is_word(b) || b == b'-'
}

/// Never a boundary problem.
pub(crate) fn never(_: u8) -> bool {
    false
}

/// Shannon entropy of `bytes` in bits per byte.
pub fn shannon_entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let len = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / len;
            -p * p.log2()
        })
        .sum()
}

/// Credentials published by vendors in their documentation and SDKs; they are meant to
/// be copied into examples and grant nothing.
const KNOWN_EXAMPLES: &[&str] = &[
    // AWS IAM docs ("Managing access keys").
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AKIAI44QH8DHBEXAMPLE",
    "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    // GitHub docs (personal access tokens, REST API examples).
    "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    // Stripe's long-lived documentation key body (sk_test_/pk_test_/sk_live_ prefixes).
    "4eC39HqLyjWDarjtT1zdp7dc",
    // Telegram Bot API docs.
    "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11",
    // Slack API docs ("Token types").
    "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
    // The signature of jwt.io's sample token (`{"sub":"1234567890","name":"John Doe",…}`).
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    // Azure storage emulator (Azurite) account key, published for local development.
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
];

/// True for a documented example credential (exact list, plus AWS's `EXAMPLE` convention).
pub(crate) fn is_known_example(secret: &[u8]) -> bool {
    if secret.ends_with(b"EXAMPLE") || contains(secret, b"EXAMPLEKEY") {
        return true;
    }
    KNOWN_EXAMPLES
        .iter()
        .any(|e| contains(secret, e.as_bytes()))
}

/// Words that mark a value as a stand-in, whatever the rule (compared lowercased).
const PLACEHOLDER_WORDS: &[&str] = &[
    "xxxx",
    "example",
    "sample",
    "dummy",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "mytoken",
    "my_token",
    "my-token",
    "yourtoken",
    "your_",
    "your-",
    "redacted",
    "fake",
    "notreal",
    "not_real",
    "not-a-real",
    "insert",
    "replace",
    "test",
    "abcdefgh",
    "12345678",
    "****",
    "...",
    "…",
    "•",
    "${",
    "{{",
    "<",
    ">",
];

/// True when `value` is visibly a placeholder: a stand-in word, a run of one repeated
/// character (`ghp_000000…`, `XXXXXX`), or far too little entropy to be random.
pub(crate) fn is_placeholder(value: &[u8]) -> bool {
    let lower = value.to_ascii_lowercase();
    if PLACEHOLDER_WORDS
        .iter()
        .any(|w| contains(&lower, w.as_bytes()))
    {
        return true;
    }
    if longest_run(value) >= 5 {
        return true;
    }
    // Random tokens of 16+ characters from a 32+ letter alphabet sit well above 3 bits;
    // `aaaabbbbccccdddd`-style fillers don't.
    value.len() >= 16 && shannon_entropy(value) < 2.8
}

/// The password of a `scheme://user:password@host` URL is a literal credential: not an
/// environment reference (`${PASS}`, `$PASS`, `%PASS%`, `{{pass}}`), not a placeholder
/// (`password`, `<password>`, `xxx`, `****`).
pub(crate) fn connection_password(value: &[u8]) -> bool {
    if value.contains(&b'$') || value.starts_with(b"%") || value.starts_with(b"{") {
        return false;
    }
    if value.starts_with(b"<") || value.starts_with(b"[") {
        return false;
    }
    let lower = value.to_ascii_lowercase();
    const DEFAULTS: &[&[u8]] = &[
        b"password",
        b"pass",
        b"passwd",
        b"pwd",
        b"secret",
        b"root",
        b"admin",
        b"postgres",
        b"mysql",
        b"guest",
        b"user",
        b"username",
        b"pw",
        b"p",
        b"x",
        // The Redis documentation's example password.
        b"foobared",
    ];
    // `mypassword`, `randompassword`, `yourPassword123`: templates, not credentials.
    if DEFAULTS.contains(&lower.as_slice()) || contains(&lower, b"password") {
        return false;
    }
    !is_placeholder(value) && !value.iter().all(|b| *b == b'*' || *b == b'x' || *b == b'.')
}

/// The schemes of database and message-broker URLs whose user-info holds a password.
pub(crate) fn is_database_scheme(scheme: &[u8]) -> bool {
    const SCHEMES: &[&[u8]] = &[
        b"postgres",
        b"postgresql",
        b"mysql",
        b"mariadb",
        b"mongodb",
        b"mongodb+srv",
        b"redis",
        b"rediss",
        b"amqp",
        b"amqps",
    ];
    SCHEMES.contains(&scheme.to_ascii_lowercase().as_slice())
}

/// A host that is this machine, a container's view of it, or a name reserved for
/// documentation (RFC 2606, RFC 6761): credentials for it open nothing anyone else can reach.
pub(crate) fn is_local_host(host: &[u8]) -> bool {
    let h = String::from_utf8_lossy(host).to_ascii_lowercase();
    let h = h.trim_start_matches('[').trim_end_matches(']');
    h == "localhost"
        || h == "::1"
        || h == "0.0.0.0"
        || h.starts_with("127.")
        || h == "host.docker.internal"
        || h.ends_with(".localhost")
        || h.ends_with(".local")
        || ["example.com", "example.org", "example.net"]
            .iter()
            .any(|d| h == *d || h.ends_with(&format!(".{d}")))
        || [".example", ".test", ".invalid"]
            .iter()
            .any(|tld| h.ends_with(tld))
}

/// Whether the assignment at `at` sits in a documentation-search config (Algolia DocSearch:
/// `appId`, `apiKey`, `indexName` side by side): that `apiKey` is a search-only key, public
/// by design (every visitor's browser sends it).
pub(crate) fn is_docsearch_key(bytes: &[u8], at: usize) -> bool {
    let from = at.saturating_sub(400);
    let to = (at + 400).min(bytes.len());
    let near = &bytes[from..to];
    contains(near, b"indexName") && (contains(near, b"appId") || contains(near, b"algolia"))
}

/// Length of the longest run of one repeated byte.
fn longest_run(value: &[u8]) -> usize {
    let mut best = 0;
    let mut run = 0;
    let mut prev = None;
    for &b in value {
        if Some(b) == prev {
            run += 1;
        } else {
            run = 1;
            prev = Some(b);
        }
        best = best.max(run);
    }
    best
}

/// Substring search (the needles here are short and the haystacks are single tokens).
pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

/// Suffixes of a variable name that make it about a secret rather than the secret itself:
/// `tokenType`, `password_field`, `secretName`, `apiKeyHeader`, `tokenizer`.
const NAME_SUFFIX_NOT_SECRET: &[&str] = &[
    "type",
    "url",
    "uri",
    "endpoint",
    "name",
    "field",
    "label",
    "hint",
    "placeholder",
    "path",
    "file",
    "dir",
    "len",
    "size",
    "count",
    "regex",
    "pattern",
    "prefix",
    "header",
    "param",
    "kind",
    "mode",
    "format",
    "policy",
    "max",
    "min",
    "expir",
    "ttl",
    "env",
    "var",
    "izer",
    "ize",
    "id",
    "ref",
    "version",
    "class",
    "style",
    "icon",
    "text",
    "message",
    "msg",
    "error",
    "hash",
    "salt",
    "store",
    "storage",
    "provider",
    "key_name",
    "cookie",
    "event",
    "attr",
    "selector",
    "input",
    "prompt",
    "strength",
    "rule",
    "valid",
    "check",
    "reset",
    "source",
    "service",
    "manager",
    "arn",
    "address",
    "addr",
    "contract",
    "mint",
];

/// True when the part of a name after the keyword (`Type` in `tokenType`) shows the value
/// is metadata about a secret, not a secret.
pub(crate) fn name_is_metadata(rest_of_name: &[u8]) -> bool {
    let lower = rest_of_name.to_ascii_lowercase();
    NAME_SUFFIX_NOT_SECRET
        .iter()
        .any(|s| contains(&lower, s.as_bytes()))
}

/// Words before the keyword that make the value a protocol token rather than a secret:
/// pagination (`nextToken`, `NextContinuationToken`), idempotency (`ClientRequestToken`,
/// `ChangeToken`), WebDAV `Lock-Token`, anti-CSRF tokens printed into pages.
const NAME_PREFIX_NOT_SECRET: &[&str] = &[
    "next",
    "continuation",
    "change",
    "request",
    "idempotency",
    "lifecycle",
    "page",
    "paging",
    "pagination",
    "lock",
    "cancel",
    "sync",
    "resume",
    "cursor",
    "csrf",
    "xsrf",
    "marker",
    "prev",
    "last",
    "first",
];

/// True when the identifier before the keyword (`next` in `nextToken`) marks a protocol
/// token, not a credential.
pub(crate) fn prefix_is_metadata(prefix: &[u8]) -> bool {
    let lower = prefix.to_ascii_lowercase();
    NAME_PREFIX_NOT_SECRET
        .iter()
        .any(|s| contains(&lower, s.as_bytes()))
}

/// sha256 (hex) of the key material (the base64 body, without line breaks) of private keys
/// that vendors and RFCs publish as samples in their documentation, and that SDKs copy into
/// their doc comments and tests. Matched by fingerprint, not by the word "example" nearby:
/// a real key next to the word "example" is still a key.
const PUBLISHED_SAMPLE_KEYS: &[&str] = &[
    // The RSA key of the custom-certificate examples in Cloudflare's API reference, copied
    // into the JSDoc of the Cloudflare SDK (and into every CLI that bundles it).
    "86206a453c3f597011cba09b088e22396da0223c51b97e99a1708409a3c58a6a",
];

/// The base64 key material of a PEM block (header, footer, `Key: value` lines, line breaks
/// and `\n` escapes removed).
fn key_material(block: &[u8]) -> Vec<u8> {
    let body_start = memchr::memmem::find(block, b"-----BEGIN ")
        .and_then(|b| memchr::memmem::find(&block[b + 11..], b"-----").map(|e| b + 11 + e + 5))
        .unwrap_or(0);
    let body_end = memchr::memmem::find(&block[body_start..], b"-----END ")
        .map_or(block.len(), |e| body_start + e);
    let text = &block[body_start..body_end];
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    let mut line: Vec<u8> = Vec::new();
    let flush = |line: &mut Vec<u8>, out: &mut Vec<u8>| {
        if !line.contains(&b':') {
            out.extend(
                line.iter()
                    .filter(|b| is_base64(**b) && **b != b'-' && **b != b'_'),
            );
        }
        line.clear();
    };
    while i < text.len() {
        if text[i] == b'\\' && matches!(text.get(i + 1), Some(b'n' | b'r')) {
            flush(&mut line, &mut out);
            i += 2;
            continue;
        }
        if text[i] == b'\n' {
            flush(&mut line, &mut out);
        } else {
            line.push(text[i]);
        }
        i += 1;
    }
    flush(&mut line, &mut out);
    out
}

/// True for a private key block that is one of the [`PUBLISHED_SAMPLE_KEYS`].
pub(crate) fn is_published_sample_key(block: &[u8]) -> bool {
    key_in(block, PUBLISHED_SAMPLE_KEYS)
}

/// True when the key material of `block` has one of the `fingerprints`.
fn key_in(block: &[u8], fingerprints: &[&str]) -> bool {
    let print = crate::report::redact::fingerprint(&key_material(block));
    fingerprints.contains(&print.as_str())
}

/// The vendor kind of a value assigned to a name that names the vendor, when the value has
/// that vendor's key format: `TWILIO_AUTH_TOKEN=<32 hex>`, `DD_API_KEY=<32 hex>`,
/// `MAILGUN_API_KEY=key-<32 hex>`, `HEROKU_API_KEY=<uuid>`, `CLOUDFLARE_API_TOKEN=<40>`,
/// `VERCEL_TOKEN=<24>`. `name` is lowercase.
pub(crate) fn vendor_kind(name: &[u8], value: &[u8]) -> Option<&'static crate::rules::Rule> {
    let hex = |n: usize| value.len() == n && value.iter().all(u8::is_ascii_hexdigit);
    let alnum = |n: usize| value.len() == n && value.iter().all(u8::is_ascii_alphanumeric);
    let has = |w: &str| contains(name, w.as_bytes());
    if is_placeholder(value) || shannon_entropy(value) < 3.0 {
        return None;
    }
    if has("twilio") && (hex(32) || alnum(32)) {
        return Some(&super::SECRET_TWILIO_KEY);
    }
    if (has("datadog") || name.starts_with(b"dd_")) && (hex(32) || hex(40)) {
        return Some(&super::SECRET_DATADOG_KEY);
    }
    if has("mailgun") {
        let legacy = value.len() == 36
            && value.starts_with(b"key-")
            && value[4..].iter().all(u8::is_ascii_hexdigit);
        let current = value.len() == 50
            && value.iter().enumerate().all(|(i, &b)| match i {
                32 | 41 => b == b'-',
                _ => b.is_ascii_hexdigit(),
            });
        if legacy || current {
            return Some(&super::SECRET_MAILGUN_KEY);
        }
    }
    if has("heroku") && is_uuid(value) {
        return Some(&super::SECRET_HEROKU_KEY);
    }
    if has("cloudflare") || name.starts_with(b"cf_") {
        let token = value.len() == 40
            && value
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'));
        if token || hex(37) {
            return Some(&super::SECRET_CLOUDFLARE_TOKEN);
        }
    }
    if has("vercel") && alnum(24) {
        return Some(&super::SECRET_VERCEL_TOKEN);
    }
    None
}

/// True when the code just before the key at `at` (200 bytes) names Google Maps
/// (`GOOGLE_MAPS_API_KEY = 'AIza…'`, `maps.googleapis.com/…?key=`).
pub(crate) fn maps_key_context(bytes: &[u8], at: usize) -> bool {
    let from = at.saturating_sub(200);
    let near = bytes[from..at].to_ascii_lowercase();
    contains(&near, b"maps")
}

/// True when the key at `at` sits in a Firebase web config: `authDomain` and `projectId`
/// within 400 bytes.
pub(crate) fn in_firebase_web_config(bytes: &[u8], at: usize) -> bool {
    let from = at.saturating_sub(400);
    let to = (at + 400).min(bytes.len());
    let near = &bytes[from..to];
    contains(near, b"authDomain") && contains(near, b"projectId")
}

/// Public identifiers that sit under secret-sounding names: blockchain addresses and hashes
/// (`tokenAddress: "0x…"`), AWS ARNs and PostHog project keys.
pub(crate) fn is_public_identifier(value: &[u8]) -> bool {
    let hex_after_0x =
        value.len() > 2 && value.starts_with(b"0x") && value[2..].iter().all(u8::is_ascii_hexdigit);
    // `phc_`: PostHog project keys, which only ingest events and ship in every client.
    hex_after_0x || value.starts_with(b"arn:") || value.starts_with(b"phc_")
}

/// Why a value is public by its name, when the name says so: `publicKey`, `publishableKey`,
/// `anonKey`, `defaultApiKey` (a key an SDK ships to every user), `demoToken`, `sharedSecret`
/// of a public service. `name` is lowercase.
pub(crate) fn public_by_name(name: &[u8]) -> Option<&'static str> {
    const PUBLIC: &[&str] = &[
        "public",
        "publishable",
        "anon",
        "browser",
        "client_side",
        "clienttoken",
        "client_token",
    ];
    const SHARED: &[&str] = &["default", "demo", "shared", "sandbox", "guest"];
    if PUBLIC.iter().any(|w| contains(name, w.as_bytes())) {
        return Some("its name says it is public: a key meant for browsers and clients");
    }
    if SHARED.iter().any(|w| contains(name, w.as_bytes())) {
        return Some(
            "its name says it is a default or shared key that the code hands to every user",
        );
    }
    None
}

/// Telemetry, analytics and error-reporting vendors whose client keys only send events in.
const TELEMETRY: &[&str] = &[
    // Tunnels a dev CLI opens with its own shared account.
    "ngrok",
    "localtunnel",
    "amplitude",
    "segment",
    "posthog",
    "mixpanel",
    "bugsnag",
    "rollbar",
    "notifier",
    "telemetry",
    "analytics",
    "heap.io",
    "logrocket",
    "honeybadger",
    "launchdarkly",
    "statsig",
    "ingest",
];

/// Why a value is a telemetry or error-reporting client key, when the code around it (300
/// bytes either side) names such a vendor or calls the key public: write-only keys that
/// every installed copy sends events with.
pub(crate) fn public_by_context(bytes: &[u8], at: usize) -> Option<&'static str> {
    let from = at.saturating_sub(300);
    let to = (at + 300).min(bytes.len());
    let near = bytes[from..to].to_ascii_lowercase();
    if TELEMETRY.iter().any(|w| contains(&near, w.as_bytes())) {
        return Some(
            "a telemetry, error-reporting or dev-tunnel client key (the code around it names \
            the vendor): such keys only send events or open a shared tunnel, and ship in every \
            client",
        );
    }
    if contains(&near, b"public") || contains(&near, b"publishable") {
        return Some("the code around it calls the key public");
    }
    None
}

/// Why a generic value is a warning rather than an error.
pub(crate) const WHY_WEAK: &str = "the value is too short or too regular to judge: \
    a secret-like name alone is not enough to block";

/// Strong evidence for a generic assignment: a long, random, mixed value (generated keys),
/// a long hex or base64 string, or a password of 10+ characters from three classes.
/// [`generic_value_is_secret`] values that fall short are warnings.
pub(crate) fn generic_value_is_strong(value: &[u8], password_like: bool) -> bool {
    let lower = value.iter().any(u8::is_ascii_lowercase);
    let upper = value.iter().any(u8::is_ascii_uppercase);
    let digit = value.iter().any(u8::is_ascii_digit);
    let other = value.iter().any(|b| !b.is_ascii_alphanumeric());
    let entropy = shannon_entropy(value);
    if password_like {
        let classes = [lower, upper, digit, other].iter().filter(|&&c| c).count();
        return value.len() >= 10 && classes >= 3 && entropy >= 3.0;
    }
    let hex = value.iter().all(u8::is_ascii_hexdigit);
    if hex {
        return value.len() >= 32 && entropy >= 3.5;
    }
    value.len() >= 20 && entropy >= 4.0 && lower && upper && digit
}

/// `8-4-4-4-12` hex: request ids and idempotency keys far more often than credentials in
/// shipped code (UUID-shaped npm and Heroku tokens are caught by their own rules' contexts).
fn is_uuid(value: &[u8]) -> bool {
    let v = value.strip_prefix(b"urn:uuid:").unwrap_or(value);
    v.len() == 36
        && v.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// `2016-09-08T21:47:36Z`-style timestamps.
fn is_date(value: &[u8]) -> bool {
    value.len() >= 10
        && value[..4].iter().all(u8::is_ascii_digit)
        && value[4] == b'-'
        && value[5..7].iter().all(u8::is_ascii_digit)
        && value[7] == b'-'
}

/// The value tests of `generic-secret`: long and random enough, mixed characters, not a
/// reference to somewhere else (`process.env.X`, `${VAR}`, a path, a URL, `a.b.c`).
pub(crate) fn generic_value_is_secret(value: &[u8], password_like: bool) -> bool {
    let min_len = if password_like { 8 } else { 16 };
    if value.len() < min_len || value.len() > 200 {
        return false;
    }
    if is_placeholder(value) || is_known_example(value) {
        return false;
    }
    // Letters outside ASCII are a human language (a translation catalog's
    // `"password": "Contraseña"`), not a generated credential.
    if value.iter().any(|b| *b >= 0x80) {
        return false;
    }
    let lower = value.to_ascii_lowercase();
    for word in [
        "password",
        "passwd",
        "secret",
        "token",
        "process.env",
        "environ",
        "://",
        "sha1-",
        "sha256-",
        "sha384-",
        "sha512-",
        "null",
        "undefined",
        "none",
        "true",
        "false",
    ] {
        if contains(&lower, word.as_bytes()) {
            return false;
        }
    }
    if matches!(
        value[0],
        b'/' | b'.' | b'$' | b'%' | b'#' | b'@' | b'&' | b'*' | b'!'
    ) {
        return false;
    }
    if is_dotted_identifier(value) || is_words(value) || is_uuid(value) || is_date(value) {
        return false;
    }
    let digits = value.iter().any(u8::is_ascii_digit);
    let letters = value.iter().any(u8::is_ascii_alphabetic);
    if !letters {
        return false;
    }
    let entropy = shannon_entropy(value);
    if password_like {
        // Passwords are short and human-made: ask for mixed classes, not randomness.
        let classes = [
            value.iter().any(u8::is_ascii_lowercase),
            value.iter().any(u8::is_ascii_uppercase),
            digits,
            value.iter().any(|b| !b.is_ascii_alphanumeric()),
        ]
        .iter()
        .filter(|&&c| c)
        .count();
        classes >= 3 && entropy >= 2.8
    } else {
        digits && entropy >= 3.5
    }
}

/// `a.b.c` member chains and `Foo.Bar` references are code, not values.
fn is_dotted_identifier(value: &[u8]) -> bool {
    value.contains(&b'.')
        && value.split(|&b| b == b'.').all(|part| {
            !part.is_empty()
                && !part[0].is_ascii_digit()
                && part.iter().all(|&b| is_word(b) || b == b'$')
        })
}

/// `kebab-case-words`, `snake_case_words`, `CONSTANT_NAMES` and `camelCaseWords` with at
/// most a trailing number: names and labels, not random strings.
fn is_words(value: &[u8]) -> bool {
    let body: &[u8] = {
        let end = value
            .iter()
            .rposition(|b| !b.is_ascii_digit())
            .map_or(0, |i| i + 1);
        &value[..end]
    };
    if body.is_empty() || body.iter().any(u8::is_ascii_digit) {
        return false;
    }
    if !body
        .iter()
        .all(|&b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'-' | b'.'))
    {
        return false;
    }
    // Random letters switch case constantly; words switch at most once per word.
    let switches = body
        .windows(2)
        .filter(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
        .count();
    let words = body
        .split(|&b| matches!(b, b'_' | b'-' | b'.'))
        .filter(|w| !w.is_empty())
        .count();
    switches <= words + 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_uniform_and_constant() {
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
    }

    #[test]
    fn placeholders() {
        assert!(is_placeholder(b"XXXXXXXXXXXXXXXXXXXX"));
        assert!(is_placeholder(b"ghp_000000000000000000000000000000000000"));
        assert!(is_placeholder(b"MYTOKEN"));
        assert!(is_placeholder(b"${NPM_TOKEN}"));
        assert!(is_placeholder(b"<token>"));
        assert!(!is_placeholder(b"q8Zr2LmP4vN7xT1kW9sB3dF6hJ0cY5gA"));
    }

    #[test]
    fn known_examples() {
        assert!(is_known_example(b"AKIAIOSFODNN7EXAMPLE"));
        assert!(is_known_example(
            b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        ));
        assert!(!is_known_example(b"AKIAZ7QK3LMN4PQRS2TU"));
    }

    #[test]
    fn published_sample_keys_match_by_fingerprint_of_their_material() {
        let body = "MIIEpAIBAAKCAQEAq8Zr2LmP4vN7xT1kW9sB3dF6hJ0cY5gAq8Zr2LmP4vN7xT1k";
        let pem = format!("-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----");
        let print = crate::report::redact::fingerprint(body.as_bytes());
        assert!(key_in(pem.as_bytes(), &[print.as_str()]));
        // The same material escaped in a JS string, in a doc comment's one line.
        let escaped = pem.replace('\n', "\\n");
        assert!(key_in(escaped.as_bytes(), &[print.as_str()]));
        // Near miss: one character changed.
        let other = pem.replace("q8Zr", "q8Zs");
        assert!(!key_in(other.as_bytes(), &[print.as_str()]));
        for f in PUBLISHED_SAMPLE_KEYS {
            assert!(
                f.len() == 64 && f.bytes().all(|b| b.is_ascii_hexdigit()),
                "{f}"
            );
        }
    }

    #[test]
    fn generic_values() {
        assert!(generic_value_is_secret(b"q8Zr2LmP4vN7xT1kW9sB3dF6", false));
        assert!(!generic_value_is_secret(b"someVariableName", false));
        assert!(!generic_value_is_secret(b"config.auth.apiKey", false));
        assert!(!generic_value_is_secret(b"my-secret-name-1", false));
        assert!(!generic_value_is_secret(b"https://example.com/x1", false));
        assert!(generic_value_is_secret(b"Tr0ub4dor&3x", true));
        assert!(!generic_value_is_secret(b"hunter22", true));
    }
}
