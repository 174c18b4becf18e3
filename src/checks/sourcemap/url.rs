//! Where a `sourceMappingURL`, `sourceRoot` or `sources` entry points, relative to the
//! package: inside it, outside it (escaping `../`, absolute paths, `file:`), or to a remote
//! host — and whether that remote is an archive or a storage bucket (the March 2026 leak's
//! map referenced a `.zip` of the sources in a public R2 bucket).

/// Where a reference points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A `data:` URL (an inline map).
    Data,
    /// A path inside the package (normalised, package-relative, no query or fragment).
    Inside(String),
    /// A relative path whose `..` climbs above the package root.
    Escapes,
    /// An absolute filesystem path, `~/…`, or a `file:` URL.
    Local,
    /// `http(s):`, `//host`, or a storage scheme (`s3:`, `gs:`).
    Remote(Remote),
    /// Another scheme (`webpack://`, `ng://`, …): a name, not something fetched.
    OtherScheme,
}

/// Facts about a remote URL that make it worse.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Remote {
    /// The host (lowercase), if there is one.
    pub host: String,
    /// The path names an archive (`.zip`, `.tar*`, `.tgz`, `.7z`, `.rar`).
    pub archive: bool,
    /// The host or scheme is a cloud storage bucket: which service.
    pub bucket: Option<&'static str>,
}

/// Classifies `reference`, found in the file at package path `from` (its directory is the
/// base for relative references).
pub fn classify(reference: &str, from: &str) -> Target {
    let r = reference.trim();
    let lower = r.to_ascii_lowercase();
    if lower.starts_with("data:") {
        return Target::Data;
    }
    if lower.starts_with("file:") || r.starts_with("~/") || r == "~" || is_absolute_path(r) {
        return Target::Local;
    }
    if r.starts_with("//") {
        return Target::Remote(remote(&lower[2..], &lower));
    }
    if let Some((scheme, rest)) = split_scheme(&lower) {
        return match scheme {
            "http" | "https" | "ftp" | "ftps" => {
                Target::Remote(remote(rest.trim_start_matches('/'), &lower))
            }
            "s3" | "gs" | "r2" | "az" | "abfs" | "abfss" | "wasbs" => {
                let mut rem = remote(rest.trim_start_matches('/'), &lower);
                rem.bucket = Some(match scheme {
                    "s3" => "Amazon S3",
                    "gs" => "Google Cloud Storage",
                    "r2" => "Cloudflare R2",
                    _ => "Azure Blob Storage",
                });
                Target::Remote(rem)
            }
            _ => Target::OtherScheme,
        };
    }
    let path = r.split(['?', '#']).next().unwrap_or("");
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    match resolve(dir_of(from), &path) {
        Some(p) => Target::Inside(p),
        None => Target::Escapes,
    }
}

/// `/abs`, `\abs`, `C:\…` or `C:/…` (but not the protocol-relative `//host`).
pub fn is_absolute_path(p: &str) -> bool {
    let b = p.as_bytes();
    (b.first() == Some(&b'/') && b.get(1) != Some(&b'/'))
        || b.first() == Some(&b'\\')
        || (b.len() >= 3
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && matches!(b[2], b'\\' | b'/'))
}

/// True when `s` starts with a URL scheme (`https:`, `webpack:`; not a drive letter).
pub fn has_scheme(s: &str) -> bool {
    split_scheme(s).is_some()
}

/// `scheme:` per RFC 3986 (two letters at least, so `C:` stays a drive letter).
fn split_scheme(s: &str) -> Option<(&str, &str)> {
    let colon = s.find(':')?;
    let scheme = &s[..colon];
    let ok = scheme.len() >= 2
        && scheme.as_bytes()[0].is_ascii_alphabetic()
        && scheme
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'));
    ok.then(|| (scheme, &s[colon + 1..]))
}

fn remote(after_scheme: &str, whole: &str) -> Remote {
    let host_end = after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len());
    let authority = &after_scheme[..host_end];
    let host = authority.rsplit('@').next().unwrap_or("");
    // `[::1]:3000`: an IPv6 literal keeps its colons inside the brackets.
    let host = match host.strip_prefix('[') {
        Some(v6) => format!("[{}]", v6.split(']').next().unwrap_or("")),
        None => host.split(':').next().unwrap_or("").to_string(),
    };
    let path = whole.split(['?', '#']).next().unwrap_or("");
    let archive = path.split('/').any(|seg| {
        [
            ".zip", ".tar", ".tgz", ".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst", ".7z", ".rar",
        ]
        .iter()
        .any(|ext| seg.ends_with(ext))
    });
    let bucket = bucket_service(&host);
    Remote {
        host,
        archive,
        bucket,
    }
}

/// The storage service a host belongs to, for the well-known public bucket endpoints.
fn bucket_service(host: &str) -> Option<&'static str> {
    let ends = |suffix: &str| host == suffix.trim_start_matches('.') || host.ends_with(suffix);
    if ends(".r2.dev") || ends(".r2.cloudflarestorage.com") {
        Some("Cloudflare R2")
    } else if ends(".amazonaws.com")
        && (host.starts_with("s3.") || host.contains(".s3.") || host.contains(".s3-"))
    {
        Some("Amazon S3")
    } else if ends(".storage.googleapis.com")
        || host == "storage.googleapis.com"
        || host == "storage.cloud.google.com"
    {
        Some("Google Cloud Storage")
    } else if ends(".blob.core.windows.net") || ends(".dfs.core.windows.net") {
        Some("Azure Blob Storage")
    } else if ends(".digitaloceanspaces.com") {
        Some("DigitalOcean Spaces")
    } else if ends(".backblazeb2.com") {
        Some("Backblaze B2")
    } else {
        None
    }
}

/// The directory part of a package path (`""` for a top-level file).
pub fn dir_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// Joins `rel` to `base` and normalises `.`/`..`; `None` when `..` climbs above the root.
pub fn resolve(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// A readable name for a `sources` entry: the `webpack://<ns>/` or `file://` prefix and
/// leading `./`/`../` segments removed (`../../src/auth.ts` → `src/auth.ts`).
pub fn display_source(source: &str) -> String {
    let mut s = strip_namespace(source);
    while let Some(rest) = s.strip_prefix("./").or_else(|| s.strip_prefix("../")) {
        s = rest;
    }
    if s.is_empty() {
        source.to_string()
    } else {
        s.to_string()
    }
}

/// The path part of a `sources` entry: after `webpack://<namespace>/` (or `webpack:///`),
/// after `file://`, or the entry itself.
pub fn strip_namespace(source: &str) -> &str {
    if let Some(rest) = source.strip_prefix("webpack://") {
        if rest.starts_with('/') {
            return rest.trim_start_matches('/');
        }
        return rest.find('/').map_or(rest, |i| &rest[i + 1..]);
    }
    source.strip_prefix("file://").unwrap_or(source)
}

/// True when a `sources` entry names an absolute or home-directory path on the machine
/// that built the map; the kind of path, for the message.
pub fn local_path_kind(source: &str) -> Option<&'static str> {
    let s = source.trim();
    let path = if let Some(rest) = s.strip_prefix("webpack://") {
        // `webpack:///home/u/x` and `webpack://ns//home/u/x` keep an absolute path;
        // `webpack://ns/./src/x` and `webpack:///./src/x` do not.
        let after_ns = match rest.strip_prefix('/') {
            Some(p) => p,
            None => rest.find('/').map_or("", |i| &rest[i + 1..]),
        };
        if after_ns.starts_with('/') || (rest.starts_with('/') && !after_ns.starts_with('.')) {
            format!("/{}", after_ns.trim_start_matches('/'))
        } else {
            return None;
        }
    } else if let Some(rest) = s.strip_prefix("file://") {
        let p = rest.trim_start_matches('/');
        if p.is_empty() {
            return None;
        }
        format!("/{p}")
    } else {
        s.to_string()
    };
    let p = path.as_str();
    if p.starts_with("~/") {
        return Some("home directory");
    }
    let lower = p.to_ascii_lowercase().replace('\\', "/");
    if lower.starts_with("/home/")
        || lower.starts_with("/users/")
        || lower.starts_with("/root/")
        // `C:/Users/…`: compared as bytes, as the first character may be `Ä`.
        || (lower.len() > 3 && lower.as_bytes()[1..].starts_with(b":/users/"))
    {
        return Some("home directory");
    }
    // A bare `/name.js` (what `webpack:///name.js` means) names no directory of anyone's
    // machine; `/builds/x/a.ts` does.
    let dirs = lower
        .split('/')
        .filter(|seg| !seg.is_empty() && !seg.ends_with(':'))
        .count();
    if is_absolute_path(p) && dirs >= 2 {
        return Some("absolute");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_references_resolve_inside_or_escape() {
        assert_eq!(
            classify("index.js.map", "dist/index.js"),
            Target::Inside("dist/index.js.map".into())
        );
        assert_eq!(
            classify("./a%20b.map?x#y", "dist/x.js"),
            Target::Inside("dist/a b.map".into())
        );
        assert_eq!(
            classify("../src", "dist/x.js.map"),
            Target::Inside("src".into())
        );
        assert_eq!(
            classify("../../../build/sourcemaps/index.js.map", "dist/index.js"),
            Target::Escapes
        );
    }

    #[test]
    fn absolute_and_local_references() {
        assert_eq!(classify("file:///home/ci/x.map", "a.js"), Target::Local);
        assert_eq!(classify("/srv/x.map", "a.js"), Target::Local);
        assert_eq!(classify("C:\\build\\x.map", "a.js"), Target::Local);
        assert_eq!(classify("~/x.map", "a.js"), Target::Local);
        assert_eq!(classify("webpack://capycli/", "a.js"), Target::OtherScheme);
        assert_eq!(classify("data:application/json,{}", "a.js"), Target::Data);
    }

    #[test]
    fn remotes_know_archives_and_buckets() {
        let Target::Remote(r) = classify(
            "https://pub-0000.r2.dev/capycli-0.3.1-src.zip/",
            "dist/cli.js.map",
        ) else {
            panic!()
        };
        assert!(r.archive);
        assert_eq!(r.bucket, Some("Cloudflare R2"));
        let Target::Remote(r) = classify("//cdn.example.com/x.js.map", "a.js") else {
            panic!()
        };
        assert_eq!(r.host, "cdn.example.com");
        assert!(!r.archive && r.bucket.is_none());
        let Target::Remote(r) = classify("https://b.s3.us-east-1.amazonaws.com/src.tar.gz", "a")
        else {
            panic!()
        };
        assert!(r.archive);
        assert_eq!(r.bucket, Some("Amazon S3"));
        let Target::Remote(r) = classify("gs://bucket/x.map", "a") else {
            panic!()
        };
        assert_eq!(r.bucket, Some("Google Cloud Storage"));
        let Target::Remote(r) = classify("https://acct.blob.core.windows.net/c/x.map", "a") else {
            panic!()
        };
        assert_eq!(r.bucket, Some("Azure Blob Storage"));
    }

    #[test]
    fn source_names_and_local_paths() {
        assert_eq!(display_source("../../src/auth.ts"), "src/auth.ts");
        assert_eq!(display_source("webpack://capycli/./src/x.ts"), "src/x.ts");
        assert_eq!(display_source("webpack:///./src/x.ts"), "src/x.ts");
        assert_eq!(
            local_path_kind("/home/alice/proj/src/a.ts"),
            Some("home directory")
        );
        assert_eq!(local_path_kind("/Users/bob/a.ts"), Some("home directory"));
        assert_eq!(
            local_path_kind("C:\\Users\\bob\\a.ts"),
            Some("home directory")
        );
        assert_eq!(local_path_kind("file:///builds/x/a.ts"), Some("absolute"));
        assert_eq!(
            local_path_kind("webpack:///home/u/a.ts"),
            Some("home directory")
        );
        assert_eq!(local_path_kind("../../src/a.ts"), None);
        // node-forge's map: a root-level name, no directory revealed.
        assert_eq!(local_path_kind("webpack:///prime.worker.min.js"), None);
        assert_eq!(local_path_kind("/a.ts"), None);
        assert_eq!(local_path_kind("/opt/build/a.ts"), Some("absolute"));
        assert_eq!(local_path_kind("C:\\build\\a.ts"), Some("absolute"));
        assert_eq!(local_path_kind("webpack://capycli/./src/a.ts"), None);
        assert_eq!(local_path_kind("<anon>"), None);
        assert_eq!(local_path_kind("/"), None);
    }

    /// Ordinary names hold non-ASCII characters (`Ärger.ts`, `索引.js.map`): every function
    /// here takes them anywhere without slicing inside a character.
    #[test]
    fn non_ascii_anywhere_never_panics() {
        let seeds = [
            "abcd.js.map",
            "//cdn.example.com/a.zip",
            "https://x.r2.dev/src.zip?x#y",
            "s3://bucket/a.tgz",
            "webpack:///./src/a.ts",
            "webpack://ns//home/u/a.ts",
            "webpack://ns/src/a.ts",
            "file:///Users/u/a.ts",
            "C:/Users/u/a.ts",
            "C:\\a\\b.ts",
            "~/a.ts",
            "../../src/a.ts",
            "data:application/json;base64,e30=",
        ];
        for seed in seeds {
            for v in crate::test_support::non_ascii_variants(seed) {
                let _ = classify(&v, "dist/x.js");
                let _ = classify("a.map", &v);
                let _ = local_path_kind(&v);
                let _ = display_source(&v);
                let _ = strip_namespace(&v);
                let _ = has_scheme(&v);
                let _ = is_absolute_path(&v);
                let _ = resolve(&v, &v);
                let _ = dir_of(&v);
            }
        }
        assert_eq!(local_path_kind("Ärger.ts"), None);
        assert_eq!(
            local_path_kind("C:/Users/Ärger/a.ts"),
            Some("home directory")
        );
        assert_eq!(local_path_kind("/home/jürgen/a.ts"), Some("home directory"));
    }
}
