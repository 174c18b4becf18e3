//! pnpm's `publishConfig` (pnpm 12.26, checked against the real tool): the folder it packs
//! (`publishConfig.directory`) and the manifest keys it takes from `publishConfig`.
//!
//! npm, yarn berry and bun pack the package folder whatever `publishConfig.directory`
//! says; yarn's own `publishConfig` keys are read in `yarn.rs`.

use super::PacklistError;
use serde_json::Value;

/// The keys pnpm copies from `publishConfig` over the manifest's own before it packs (its
/// exportable manifest). Of these, `main`, `bin` and `browser` change which files ship
/// (they are forced in); the others only change the packed package.json.
pub const PNPM_HOISTED: &[&str] = &[
    "name",
    "bin",
    "engines",
    "type",
    "imports",
    "main",
    "module",
    "typings",
    "types",
    "exports",
    "browser",
    "esnext",
    "es2015",
    "unpkg",
    "umd:main",
    "os",
    "cpu",
    "libc",
    "typesVersions",
];

/// The sub-folder (relative to the package, `/`-separated, no `.` or empty segments)
/// that pnpm packs instead of the package itself, from `publishConfig.directory`:
/// `None` when absent, `null`, empty or naming the package itself.
///
/// pnpm refuses a value that is not a string, is absolute, or has a `..` segment ("must
/// be a relative path inside the package directory"); so does this, at the value's
/// position in `file` (whose contents are `text`).
pub fn pnpm_directory(
    file: &str,
    text: &[u8],
    manifest: &Value,
) -> Result<Option<String>, PacklistError> {
    let Some(raw) = manifest
        .get("publishConfig")
        .and_then(Value::as_object)
        .and_then(|o| o.get("directory"))
    else {
        return Ok(None);
    };
    let refuse = |shown: &str| {
        let (line, column) = key_position(text, "directory");
        PacklistError::Manifest {
            file: file.to_string(),
            line,
            column,
            message: format!(
                "publishConfig.directory {shown} must be a relative path inside the package \
                 directory (pnpm pack refuses it)"
            ),
        }
    };
    let s = match raw {
        Value::Null => return Ok(None),
        Value::String(s) => s,
        other => return Err(refuse(&other.to_string())),
    };
    if s.starts_with('/') {
        return Err(refuse(&format!("{s:?}")));
    }
    let mut parts = Vec::new();
    for seg in s.split('/') {
        match seg {
            "" | "." => {}
            ".." => return Err(refuse(&format!("{s:?}"))),
            other => parts.push(other),
        }
    }
    Ok((!parts.is_empty()).then(|| parts.join("/")))
}

/// The manifest pnpm packs: `publishConfig`'s [`PNPM_HOISTED`] keys copied over the
/// manifest's own (a `publishConfig` that is not an object changes nothing).
pub fn pnpm_hoist(manifest: &mut Value) {
    let Some(config) = manifest
        .get("publishConfig")
        .and_then(Value::as_object)
        .cloned()
    else {
        return;
    };
    let Some(obj) = manifest.as_object_mut() else {
        return;
    };
    for (key, value) in config {
        if PNPM_HOISTED.contains(&key.as_str()) {
            obj.insert(key, value);
        }
    }
}

/// The 1-based line and column of the first `"key"` in `text` followed by a `:`, for an
/// error that points at a value; 1:1 when it can't be found.
fn key_position(text: &[u8], key: &str) -> (usize, usize) {
    let needle = format!("\"{key}\"");
    let hay = String::from_utf8_lossy(text);
    let mut from = 0;
    while let Some(i) = hay[from..].find(&needle) {
        let at = from + i;
        let after = hay[at + needle.len()..].trim_start();
        if after.starts_with(':') {
            let before = &hay[..at];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            return (line, column);
        }
        from = at + needle.len();
    }
    (1, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dir_of(v: Value) -> Result<Option<String>, PacklistError> {
        let text = serde_json::to_vec_pretty(&v).unwrap();
        pnpm_directory("p/package.json", &text, &v)
    }

    #[test]
    fn directory_forms_like_pnpm() {
        let d = |s: Value| dir_of(json!({"publishConfig": {"directory": s}}));
        assert_eq!(d(json!("dist")).unwrap().as_deref(), Some("dist"));
        assert_eq!(d(json!("./dist//")).unwrap().as_deref(), Some("dist"));
        assert_eq!(d(json!("out/./lib")).unwrap().as_deref(), Some("out/lib"));
        assert_eq!(d(json!(".")).unwrap(), None);
        assert_eq!(d(json!("")).unwrap(), None);
        assert_eq!(d(json!(null)).unwrap(), None);
        assert_eq!(dir_of(json!({"publishConfig": "dist"})).unwrap(), None);
        assert_eq!(dir_of(json!({"name": "x"})).unwrap(), None);
        for bad in [
            json!("../out"),
            json!("dist/../dist"),
            json!("/abs"),
            json!(5),
        ] {
            assert!(d(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_refusal_points_at_the_value() {
        let text =
            b"{\n  \"name\": \"a\",\n  \"publishConfig\": {\n    \"directory\": \"../x\"\n  }\n}";
        let v: Value = serde_json::from_slice(text).unwrap();
        match pnpm_directory("a/package.json", text, &v) {
            Err(PacklistError::Manifest {
                file,
                line,
                column,
                message,
            }) => {
                assert_eq!((file.as_str(), line, column), ("a/package.json", 4, 5));
                assert!(message.contains("\"../x\""), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn hoists_only_the_listed_keys() {
        let mut v = json!({
            "main": "src/index.ts",
            "files": ["src"],
            "publishConfig": {"main": "dist/index.js", "bin": {"x": "dist/x.js"},
                              "files": ["dist"], "access": "public", "umd:main": "u.js"}
        });
        pnpm_hoist(&mut v);
        assert_eq!(v["main"], "dist/index.js");
        assert_eq!(v["bin"]["x"], "dist/x.js");
        assert_eq!(v["umd:main"], "u.js");
        assert_eq!(
            v["files"],
            json!(["src"]),
            "files is not taken from publishConfig"
        );
        assert!(v.get("access").is_none());
    }
}
