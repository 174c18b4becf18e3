//! The built-in secret kinds: keywords for the prefilter, the regex that confirms a hit,
//! the boundaries around it and the extra validation.
//!
//! Each regex is matched *anchored at the keyword hit* on a short window, so a clean file
//! costs one aho-corasick pass and a file full of the word `token` costs a few hundred
//! nanoseconds per occurrence. Every regex names the secret bytes `s`.

use super::filters::{is_base64, is_base64_body, is_token, is_word, never};

/// Extra checks a candidate must pass beyond its regex.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Validate {
    /// A vendor token with a fixed prefix: not a placeholder, not a documented example.
    Token,
    /// AWS secret access key in an assignment: also random enough.
    AwsSecret,
    /// `.npmrc` `_authToken=`/`_auth=`/`_password=` on an npmrc-style line.
    Npmrc,
    /// A PEM/OpenSSH/PGP private key block whose body is real key material.
    PrivateKey,
    /// A password in a `scheme://user:password@host` URL: not a reference, not a
    /// placeholder, not a local development host.
    ConnString,
    /// A high-entropy value assigned to a secret-like name (or, with a vendor in the name
    /// and the vendor's key format, that vendor's kind).
    Generic,
    /// A JWT: header and payload decode to JSON objects, a signature long enough to be one.
    Jwt,
    /// An Azure storage / Service Bus key in a connection string (`AccountKey=…`).
    AzureKey,
    /// A Google service-account JSON (`"type": "service_account"`) with its private key.
    ServiceAccount,
    /// A Google OAuth client secret (`GOCSPX-…`): a warning next to an installed-app client id.
    OAuthSecret,
}

/// One built-in kind.
pub(crate) struct BuiltIn {
    /// The rule its findings are reported under (`secret/<kind>`).
    pub rule: &'static crate::rules::Rule,
    /// What it is, for messages ("GitHub token").
    pub what: &'static str,
    /// Literal, case-sensitive keywords; a hit anchors the regex.
    pub keywords: &'static [&'static str],
    /// Regex matched at the keyword position (`^` is added); `(?P<s>…)` is the secret.
    pub regex: &'static str,
    /// A hit preceded by such a byte is inside a longer token and skipped.
    pub left: fn(u8) -> bool,
    /// A secret followed by such a byte is a prefix of something longer and skipped.
    pub right: fn(u8) -> bool,
    /// How far past the keyword the regex may look.
    pub window: usize,
    /// How many bytes before the keyword the regex starts (a shared keyword in the middle
    /// of several prefixes: `_v1_` of `dop_v1_`/`doo_v1_`/`dor_v1_`); 0 for most kinds.
    pub back: usize,
    /// Extra validation.
    pub validate: Validate,
}

impl BuiltIn {
    /// The kind: the rule id without `secret/` (what a team pattern's id must not reuse).
    pub fn kind(&self) -> &'static str {
        let id = self.rule.id;
        id.strip_prefix("secret/").unwrap_or(id)
    }
}

/// Case variants of the generic names, spelled out so the prefilter stays a fast
/// case-sensitive automaton (aho-corasick drops its SIMD prefilter when case-insensitive).
const GENERIC_KEYWORDS: &[&str] = &[
    "password",
    "Password",
    "PASSWORD",
    "passwd",
    "PASSWD",
    "secret",
    "Secret",
    "SECRET",
    "token",
    "Token",
    "TOKEN",
    "api_key",
    "apiKey",
    "ApiKey",
    "API_KEY",
    "apikey",
    "APIKEY",
    "api-key",
    "access_key",
    "accessKey",
    "AccessKey",
    "ACCESS_KEY",
    "auth_key",
    "authKey",
    "AUTH_KEY",
];

/// Every built-in kind, most specific first: when two kinds match overlapping bytes the
/// earlier one is reported.
pub(crate) static BUILTINS: &[BuiltIn] = &[
    BuiltIn {
        rule: &super::SECRET_GCP_SERVICE_ACCOUNT,
        what: "Google Cloud / Firebase Admin service-account key",
        // The JSON key file: `"type": "service_account"` and, in the same object, a
        // `private_key` with a real PEM body (that body is the reported secret).
        keywords: &["service_account"],
        regex: r"service_account",
        left: never,
        right: never,
        window: 16,
        back: 0,
        validate: Validate::ServiceAccount,
    },
    BuiltIn {
        rule: &super::SECRET_PRIVATE_KEY,
        what: "private key",
        keywords: &["-----BEGIN "],
        regex: r"-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----",
        left: never,
        right: never,
        window: 64,
        back: 0,
        validate: Validate::PrivateKey,
    },
    BuiltIn {
        rule: &super::SECRET_AWS_ACCESS_KEY,
        what: "AWS access key id",
        keywords: &["AKIA", "ASIA", "ABIA", "ACCA"],
        // AWS key ids are a 4-letter prefix and 16 base32 characters.
        regex: r"(?P<s>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})",
        left: is_base64_body,
        right: is_base64,
        window: 24,
        back: 0,
        validate: Validate::Token,
    },
    BuiltIn {
        rule: &super::SECRET_AWS_SECRET_KEY,
        what: "AWS secret access key",
        // Keyed on `secret` (shared with generic-secret, keeping the prefilter small);
        // validation asks the whole name to mention aws or an access key.
        keywords: &["secret", "Secret", "SECRET"],
        regex: r#"(?i:secret)(?P<rest>[A-Za-z0-9_.-]{0,30})["'`]?\]?[ \t]*(?::=|=|:|=>|,)[ \t]*["'`]?(?P<s>[A-Za-z0-9/+]{40})"#,
        left: never,
        right: is_base64,
        window: 120,
        back: 0,
        validate: Validate::AwsSecret,
    },
    BuiltIn {
        rule: &super::SECRET_GITHUB_TOKEN,
        what: "GitHub token",
        keywords: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
        regex: r"(?P<s>gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})",
        left: is_word,
        right: is_word,
        window: 100,
        back: 0,
        validate: Validate::Token,
    },
    BuiltIn {
        rule: &super::SECRET_GITLAB_TOKEN,
        what: "GitLab token",
        keywords: &["glp", "gldt-", "glrt-"],
        regex: r"(?P<s>gl(?:pat|ptt|dt|rt)-[A-Za-z0-9_-]{20,64}(?:\.[0-9a-z]{2}\.[0-9a-z]{9})?)",
        left: is_token,
        right: is_token,
        window: 100,
        back: 0,
        validate: Validate::Token,
    },
    BuiltIn {
        rule: &super::SECRET_NPM_TOKEN,
        what: "npm access token",
        keywords: &["npm_"],
        regex: r"(?P<s>npm_[A-Za-z0-9]{36})",
        left: is_word,
        right: is_word,
        window: 48,
        back: 0,
        validate: Validate::Token,
    },
    BuiltIn {
        rule: &super::SECRET_NPMRC_AUTH_TOKEN,
        what: "npm registry credential (.npmrc)",
        keywords: &["_auth", "_password"],
        regex: r#"(?:_authToken|_auth|_password)[ \t]*=[ \t]*["']?(?P<s>[^\s"'#;]{8,512})"#,
        left: is_word,
        right: never,
        window: 560,
        back: 0,
        validate: Validate::Npmrc,
    },
    BuiltIn {
        rule: &super::SECRET_SLACK_WEBHOOK,
        what: "Slack incoming webhook URL",
        keywords: &["hooks.slack.com/"],
        regex: r"hooks\.slack\.com/(?:services|workflows|triggers)/(?P<s>T[A-Z0-9]{6,}/[A-Z0-9]{6,}/[A-Za-z0-9/]{16,80})",
        left: never,
        right: is_word,
        window: 200,
        back: 0,
        validate: Validate::Token,
    },
    BuiltIn {
        rule: &super::SECRET_SLACK_TOKEN,
        what: "Slack token",
        // `xox` covers the six `xox?-` kinds (one keyword each would crowd the prefilter).
        keywords: &["xox", "xapp-"],
        regex: r"(?P<s>xox[abprse]-(?:[0-9]{6,}-){1,3}[A-Za-z0-9]{16,64}|xapp-[0-9]-[A-Z0-9]{8,}-[0-9]{8,}-[a-z0-9]{32,})",
        left: is_token,
        right: is_token,
        window: 200,
        back: 0,
        validate: Validate::Token,
    },
    BuiltIn {
        rule: &super::SECRET_STRIPE_KEY,
        what: "Stripe live secret key",
        // One keyword for both prefixes (`sk_live_`, `rk_live_`) keeps the prefilter small.
        keywords: &["k_live_"],
        regex: r"(?P<s>[sr]k_live_[A-Za-z0-9]{20,247})",
        left: is_word,
        right: is_word,
        window: 260,
        back: 1,
        validate: Validate::Token,
    },
    BuiltIn {
        rule: &super::SECRET_GOOGLE_API_KEY,
        what: "Google API key",
        keywords: &["AIza"],
        regex: r"(?P<s>AIza[0-9A-Za-z_-]{35})",
        left: is_base64_body,
        right: is_base64,
        window: 40,
        back: 0,
        validate: Validate::Token,
    },
    BuiltIn {
        rule: &super::SECRET_ANTHROPIC_KEY,
        what: "Anthropic API key",
        keywords: &["sk-"],
        regex: r"(?P<s>sk-ant-[a-z]{2,8}[0-9]{2}-[A-Za-z0-9_-]{32,200})",
        left: is_token,
        right: is_token,
        window: 240,
        back: 0,
        validate: Validate::Token,
    },
    BuiltIn {
        rule: &super::SECRET_OPENAI_KEY,
        what: "OpenAI API key",
        keywords: &["sk-"],
        regex: r"(?P<s>sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,250}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}))",
        left: is_token,
        right: is_token,
        window: 280,
        back: 0,
        validate: Validate::Token,
    },
    BuiltIn {
        rule: &super::SECRET_CONNECTION_STRING,
        what: "database or broker URL with a password",
        // Keyed on `://` (one keyword keeps the prefilter within Teddy's limit); validation
        // reads the scheme before it. `://user:password@host`: the password is the secret,
        // the host is checked so `localhost` examples stay quiet.
        keywords: &["://"],
        regex: r#"://(?P<user>[^\s:@/'"`]{0,128}):(?P<s>[^\s@/'"`]{1,256})@(?P<host>[^\s/:'"`?#,;)]{1,253})"#,
        left: never,
        right: never,
        window: 700,
        back: 0,
        validate: Validate::ConnString,
    },
    BuiltIn {
        rule: &super::SECRET_JWT,
        what: "JSON Web Token",
        keywords: &["eyJ"],
        // header.payload.signature, base64url; both JSON parts start with `{"` (`eyJ`).
        regex: r"(?P<s>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)",
        left: is_token,
        right: is_token,
        window: 8192,
        back: 0,
        validate: Validate::Jwt,
    },
    BuiltIn {
        rule: &super::SECRET_SUPABASE_SERVICE_KEY,
        what: "Supabase service-role or secret key",
        // `sb_secret_…`; service-role JWTs are found by the jwt kind and reported here.
        keywords: &["sb_secret_"],
        regex: r"(?P<s>sb_secret_[A-Za-z0-9_-]{24,80})",
        left: is_word,
        right: is_token,
        window: 100,
        back: 0,
        validate: Validate::Token,
    },
    BuiltIn {
        rule: &super::SECRET_AZURE_STORAGE_KEY,
        what: "Azure storage or Service Bus key",
        keywords: &["AccountKey=", "SharedAccessKey="],
        regex: r"(?:AccountKey|SharedAccessKey)=(?P<s>[A-Za-z0-9+/]{40,100}={0,2})",
        left: is_word,
        right: is_base64,
        window: 140,
        back: 0,
        validate: Validate::AzureKey,
    },
    BuiltIn {
        rule: &super::SECRET_SENDGRID_KEY,
        what: "SendGrid API key",
        keywords: &["SG."],
        regex: r"(?P<s>SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})",
        left: is_token,
        right: is_token,
        window: 72,
        back: 0,
        validate: Validate::Token,
    },
    BuiltIn {
        rule: &super::SECRET_DIGITALOCEAN_TOKEN,
        what: "DigitalOcean token",
        // `dop_v1_` (personal), `doo_v1_` (OAuth), `dor_v1_` (refresh): one keyword, the
        // regex starts three bytes before it.
        keywords: &["_v1_"],
        regex: r"(?P<s>do[opr]_v1_[a-f0-9]{64})",
        left: is_word,
        right: is_word,
        window: 80,
        back: 3,
        validate: Validate::Token,
    },
    BuiltIn {
        rule: &super::SECRET_HEROKU_KEY,
        what: "Heroku API key",
        // `HRKU-AA…`; the older UUID keys are found by name (`HEROKU_API_KEY=…`).
        keywords: &["HRKU-"],
        regex: r"(?P<s>HRKU-AA[0-9A-Za-z_-]{58})",
        left: is_token,
        right: is_token,
        window: 80,
        back: 0,
        validate: Validate::Token,
    },
    BuiltIn {
        rule: &super::SECRET_SENTRY_TOKEN,
        what: "Sentry auth token",
        // User tokens (`sntryu_` + 64 hex) and organisation tokens (`sntrys_` + base64 JSON
        // claims + `_` + 43 characters).
        keywords: &["sntry"],
        regex: r"(?P<s>sntryu_[a-f0-9]{64}|sntrys_eyJ[A-Za-z0-9+/=]{20,600}_[A-Za-z0-9+/]{43})",
        left: is_word,
        right: is_word,
        window: 720,
        back: 0,
        validate: Validate::Token,
    },
    BuiltIn {
        rule: &super::SECRET_VERCEL_TOKEN,
        what: "Vercel token or API key",
        // Personal (`vcp_`), integration (`vci_`), app access (`vca_`) and app refresh
        // (`vcr_`) tokens and API keys (`vck_`); older unprefixed tokens are found by name
        // (`VERCEL_TOKEN=…`).
        keywords: &["vcp_", "vck_", "vci_", "vca_", "vcr_"],
        regex: r"(?P<s>vc[pkiar]_[A-Za-z0-9]{24,80})",
        left: is_word,
        right: is_word,
        window: 90,
        back: 0,
        validate: Validate::Token,
    },
    BuiltIn {
        rule: &super::SECRET_GOOGLE_OAUTH_SECRET,
        what: "Google OAuth client secret",
        keywords: &["GOCSPX-"],
        regex: r"(?P<s>GOCSPX-[A-Za-z0-9_-]{28})",
        left: is_token,
        right: is_token,
        window: 40,
        back: 0,
        validate: Validate::OAuthSecret,
    },
    BuiltIn {
        rule: &super::SECRET_TWILIO_KEY,
        what: "Twilio auth token or API key secret",
        // Found by name only (`TWILIO_AUTH_TOKEN=<32 hex>`): see `Validate::Generic`.
        keywords: &[],
        regex: r"(?P<s>x)",
        left: never,
        right: never,
        window: 0,
        back: 0,
        validate: Validate::Generic,
    },
    BuiltIn {
        rule: &super::SECRET_DATADOG_KEY,
        what: "Datadog API or application key",
        keywords: &[],
        regex: r"(?P<s>x)",
        left: never,
        right: never,
        window: 0,
        back: 0,
        validate: Validate::Generic,
    },
    BuiltIn {
        rule: &super::SECRET_MAILGUN_KEY,
        what: "Mailgun API key",
        keywords: &[],
        regex: r"(?P<s>x)",
        left: never,
        right: never,
        window: 0,
        back: 0,
        validate: Validate::Generic,
    },
    BuiltIn {
        rule: &super::SECRET_CLOUDFLARE_TOKEN,
        what: "Cloudflare API token or key",
        keywords: &[],
        regex: r"(?P<s>x)",
        left: never,
        right: never,
        window: 0,
        back: 0,
        validate: Validate::Generic,
    },
    BuiltIn {
        rule: &super::SECRET_SENTRY_DSN,
        what: "Sentry DSN with its secret key",
        // Found by the connection-string kind: `https://<public>:<secret>@host/project`.
        keywords: &[],
        regex: r"(?P<s>x)",
        left: never,
        right: never,
        window: 0,
        back: 0,
        validate: Validate::ConnString,
    },
    BuiltIn {
        rule: &super::SECRET_GENERIC_SECRET,
        what: "hard-coded secret",
        keywords: GENERIC_KEYWORDS,
        // name continuation, optional closing quote/bracket, an assignment (not `==`,
        // not `=>`), an optional opening quote, then the value.
        regex: r#"(?i:password|passwd|secret|token|api[_-]?key|access[_-]?key|auth[_-]?key)(?P<rest>[A-Za-z0-9_.-]{0,24})["'`]?\]?[ \t]*(?::=|=|:)[ \t]*(?P<q>["'`]?)(?P<s>[^\s"'`\\,;=>(){}\[\]][^\s"'`\\,;(){}\[\]]{0,255})"#,
        left: never,
        right: never,
        window: 320,
        back: 0,
        validate: Validate::Generic,
    },
];

#[cfg(test)]
mod tests {
    #[test]
    fn the_prefilter_stays_small_enough_for_teddy() {
        // aho-corasick's SIMD searcher (Teddy) gives up beyond 64 literals.
        let mut all: Vec<&str> = BUILTINS
            .iter()
            .flat_map(|b| b.keywords.iter().copied())
            .collect();
        all.sort();
        all.dedup();
        assert!(all.len() <= 64, "{} keywords", all.len());
    }

    use super::*;

    #[test]
    fn every_regex_compiles_and_names_the_secret() {
        for b in BUILTINS {
            let re = regex::bytes::Regex::new(&format!("^(?:{})", b.regex)).unwrap();
            let names: Vec<_> = re.capture_names().flatten().collect();
            assert!(
                matches!(b.validate, Validate::PrivateKey | Validate::ServiceAccount)
                    || names.contains(&"s"),
                "{}",
                b.rule.id
            );
        }
    }

    #[test]
    fn kinds_are_unique_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for b in BUILTINS {
            assert!(seen.insert(b.kind()), "duplicate {}", b.rule.id);
            assert!(b.rule.id.starts_with("secret/"), "{}", b.rule.id);
            assert!(b
                .kind()
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-'));
        }
    }
}
