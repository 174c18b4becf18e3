//! The inputs npm-packlist takes from `package.json` (docs/npm-pack-rules.md §4), normalized the way
//! arborist and `@npmcli/package-json` normalize them before npm-packlist sees them.

use super::PacklistError;
use serde_json::Value;

/// What the walk needs from one package.json.
#[derive(Clone, Debug)]
pub struct Manifest {
    /// The parsed document, as written.
    pub value: Value,
    /// `files`, iterated the JS way (`None` when absent or falsy).
    pub files: Option<Vec<String>>,
    /// `main` stringified the JS way (`${main}`), when truthy.
    pub main: Option<String>,
    /// `browser` stringified the JS way, when truthy.
    pub browser: Option<String>,
    /// Normalized `bin` targets (docs/npm-pack-rules.md §4), before `directories.bin` expansion.
    pub bin: Vec<String>,
    /// Whether `bin` is absent after normalization, so `directories.bin` may apply.
    pub bin_absent: bool,
    /// `directories.bin`, made safe (`secureAndUnixifyPath`), when it applies.
    pub directories_bin: Option<String>,
    /// Normalized `bundleDependencies` names.
    pub bundle: Vec<String>,
}

/// Parses `text` (the contents of `file`) as package.json; errors carry `file:line:col`.
pub fn parse_json(file: &str, text: &[u8]) -> Result<Value, PacklistError> {
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    serde_json::from_slice::<Value>(text).map_err(|e| PacklistError::Manifest {
        file: file.to_string(),
        line: e.line().max(1),
        column: e.column().max(1),
        message: format!("invalid JSON: {}", strip_position(&e.to_string())),
    })
}

/// serde_json appends " at line L column C"; we print the position ourselves.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// JavaScript truthiness of a JSON value.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// `${value}` in JavaScript: how npm-packlist turns `main`/`browser` into rule text.
pub fn js_string(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => js_number(n),
        Value::String(s) => s.clone(),
        Value::Object(_) => "[object Object]".into(),
        // Array.prototype.join: null/undefined become empty, the rest are stringified.
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::Null => String::new(),
                other => js_string(other),
            })
            .collect::<Vec<_>>()
            .join(","),
    }
}

fn js_number(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    if f.fract() == 0.0 && f.abs() < 1e21 {
        format!("{f:.0}")
    } else {
        format!("{f}")
    }
}

/// Reads the manifest fields npm-packlist uses. `file` names package.json in messages.
pub fn read(file: &str, value: Value) -> Result<Manifest, PacklistError> {
    let obj = value.as_object();
    let get = |k: &str| obj.and_then(|o| o.get(k));
    let files = match get("files") {
        Some(v) if truthy(v) => Some(files_entries(file, v)?),
        _ => None,
    };
    let main = get("main").filter(|v| truthy(v)).map(js_string);
    let browser = get("browser").filter(|v| truthy(v)).map(js_string);
    let name = get("name").filter(|v| truthy(v)).map(js_string);
    let (bin, bin_absent) = normalize_bin(file, get("bin"), name.as_deref())?;
    let directories_bin = if bin_absent {
        match get("directories").and_then(|d| d.get("bin")) {
            Some(Value::String(s)) if !s.is_empty() => Some(secure_and_unixify(s)),
            Some(v) if truthy(v) => {
                return Err(rules_err(file, "`directories.bin` must be a string"));
            }
            _ => None,
        }
    } else {
        None
    };
    let bundle = normalize_bundle(obj);
    Ok(Manifest {
        value,
        files,
        main,
        browser,
        bin,
        bin_absent,
        directories_bin,
        bundle,
    })
}

fn rules_err(file: &str, message: &str) -> PacklistError {
    PacklistError::Rules {
        file: file.to_string(),
        message: message.to_string(),
    }
}

/// `for (const file of files)`: a string yields its characters; an array must hold
/// strings (npm crashes on anything else, docs/npm-pack-rules.md §11).
fn files_entries(file: &str, v: &Value) -> Result<Vec<String>, PacklistError> {
    match v {
        Value::String(s) => Ok(s.chars().map(String::from).collect()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(rules_err(
                    file,
                    &format!(
                        "`files[{i}]` is {}, not a string (npm pack crashes on it: \
                         TypeError: file.startsWith is not a function)",
                        json_type(other)
                    ),
                )),
            })
            .collect(),
        other => Err(rules_err(
            file,
            &format!(
                "`files` is {}, not an array of strings (npm pack crashes on it: \
                 TypeError: files is not iterable)",
                json_type(other)
            ),
        )),
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Node's `path.posix.normalize` for the pieces npm uses.
pub fn posix_normalize(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let absolute = p.starts_with('/');
    let trailing = p.ends_with('/');
    let mut out: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !absolute {
                    out.push("..");
                }
            }
            s => out.push(s),
        }
    }
    let mut s = out.join("/");
    if absolute {
        s.insert(0, '/');
    }
    if s.is_empty() {
        return match (absolute, trailing) {
            (true, _) => "/".into(),
            (false, true) => "./".into(),
            (false, false) => ".".into(),
        };
    }
    if trailing && !s.ends_with('/') {
        s.push('/');
    }
    s
}

/// `path.posix.join(...)`.
fn posix_join(a: &str, b: &str) -> String {
    let joined = match (a.is_empty(), b.is_empty()) {
        (true, true) => return ".".into(),
        (true, false) => b.to_string(),
        (false, true) => a.to_string(),
        (false, false) => format!("{a}/{b}"),
    };
    posix_normalize(&joined)
}

/// `path.posix.basename(p)` (trailing slashes ignored).
pub fn posix_basename(p: &str) -> &str {
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "";
    }
    t.rsplit('/').next().unwrap_or(t)
}

/// `@npmcli/package-json`'s `secureAndUnixifyPath`: `\` and `:` become `/`, the path is
/// resolved under a virtual root (so `..` cannot escape) and made relative; `""` if empty.
pub fn secure_and_unixify(r: &str) -> String {
    let unix = |s: &str| s.replace(['\\', ':'], "/");
    let secured = unix(&posix_join(".", &posix_join("/", &unix(r))));
    if secured.starts_with("./") {
        String::new()
    } else {
        secured
    }
}

/// `normalizePackageBin`: returns the normalized targets and whether `bin` ends up absent.
fn normalize_bin(
    file: &str,
    bin: Option<&Value>,
    name: Option<&str>,
) -> Result<(Vec<String>, bool), PacklistError> {
    let Some(bin) = bin.filter(|b| truthy(b)) else {
        return Ok((Vec::new(), true));
    };
    // An ordered map of key -> value, in JS property order.
    let mut entries: Vec<(String, Value)> = match bin {
        Value::String(s) => match name {
            Some(n) => vec![(n.to_string(), Value::String(s.clone()))],
            None => return Ok((Vec::new(), true)),
        },
        Value::Array(items) => {
            let mut acc: Vec<(String, Value)> = Vec::new();
            for item in items {
                let Value::String(s) = item else {
                    return Err(rules_err(
                        file,
                        "`bin` array holds a non-string (npm crashes on it)",
                    ));
                };
                set_prop(&mut acc, posix_basename(s).to_string(), item.clone());
            }
            acc
        }
        Value::Object(map) => js_key_order(map.iter().map(|(k, v)| (k.clone(), v.clone()))),
        _ => return Ok((Vec::new(), true)),
    };
    // `for (const binKey in pkg.bin)`: visits the keys present at the start, skipping the
    // ones deleted meanwhile; keys added during the loop are not visited.
    let keys: Vec<String> = entries.iter().map(|(k, _)| k.clone()).collect();
    for key in keys {
        let Some(pos) = entries.iter().position(|(k, _)| *k == key) else {
            continue;
        };
        let Value::String(target) = entries[pos].1.clone() else {
            entries.remove(pos);
            continue;
        };
        let base = posix_basename(&secure_and_unixify(&key)).to_string();
        if base.is_empty() {
            entries.remove(pos);
            continue;
        }
        let target = secure_and_unixify(&target);
        if target.is_empty() {
            entries.remove(pos);
            continue;
        }
        if base != key {
            entries.remove(pos);
        }
        set_prop(&mut entries, base, Value::String(target));
    }
    if entries.is_empty() {
        return Ok((Vec::new(), true));
    }
    let targets = entries
        .into_iter()
        .filter_map(|(_, v)| v.as_str().map(str::to_string))
        .collect();
    Ok((targets, false))
}

fn set_prop(acc: &mut Vec<(String, Value)>, key: String, value: Value) {
    match acc.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = value,
        None => acc.push((key, value)),
    }
}

/// JS own-property order: integer-like keys ascending, then the rest (serde_json's map is
/// sorted, which is the best available stand-in for insertion order).
fn js_key_order(items: impl Iterator<Item = (String, Value)>) -> Vec<(String, Value)> {
    let mut ints = Vec::new();
    let mut rest = Vec::new();
    for (k, v) in items {
        match k.parse::<u32>() {
            Ok(n) if n.to_string() == k && n != u32::MAX => ints.push((n, k, v)),
            _ => rest.push((k, v)),
        }
    }
    ints.sort_by_key(|(n, _, _)| *n);
    ints.into_iter()
        .map(|(_, k, v)| (k, v))
        .chain(rest)
        .collect()
}

/// `bundleDependencies` (or `bundledDependencies` when the former is undefined):
/// `true` = every dependency, an object = its keys, an array as is, else nothing.
fn normalize_bundle(obj: Option<&serde_json::Map<String, Value>>) -> Vec<String> {
    let Some(obj) = obj else { return Vec::new() };
    let bd = obj
        .get("bundleDependencies")
        .or_else(|| obj.get("bundledDependencies"));
    match bd {
        Some(Value::Bool(true)) => obj
            .get("dependencies")
            .and_then(Value::as_object)
            .map(|d| d.keys().cloned().collect())
            .unwrap_or_default(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        Some(Value::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secure_paths_like_npm() {
        assert_eq!(secure_and_unixify("./bin/cli.js"), "bin/cli.js");
        assert_eq!(secure_and_unixify("../x"), "x");
        assert_eq!(secure_and_unixify("C:\\t\\c.js"), "C/t/c.js");
        assert_eq!(secure_and_unixify(""), "");
        assert_eq!(secure_and_unixify("."), "");
        assert_eq!(secure_and_unixify("bin/"), "bin/");
    }

    #[test]
    fn js_stringification() {
        assert_eq!(js_string(&json!({"a": 1})), "[object Object]");
        assert_eq!(js_string(&json!(["x.js", "y.js"])), "x.js,y.js");
        assert_eq!(js_string(&json!([null, 1, [2, 3]])), ",1,2,3");
        assert_eq!(js_string(&json!(1.5)), "1.5");
        assert_eq!(js_string(&json!(true)), "true");
    }

    #[test]
    fn bin_forms() {
        let m = read("p", json!({"name": "@s/n", "bin": "./cli.js"})).unwrap();
        assert_eq!(m.bin, vec!["cli.js"]);
        let m = read("p", json!({"bin": "./cli.js"})).unwrap();
        assert!(m.bin.is_empty() && m.bin_absent);
        let m = read("p", json!({"bin": {"a": "../a.js", "b": 5, "c": ""}})).unwrap();
        assert_eq!(m.bin, vec!["a.js"]);
        let m = read("p", json!({"bin": ["x/a.js", "b.js"]})).unwrap();
        assert_eq!(m.bin, vec!["x/a.js", "b.js"]);
    }

    #[test]
    fn files_forms() {
        let m = read("p", json!({"files": "ab"})).unwrap();
        assert_eq!(m.files.unwrap(), vec!["a", "b"]);
        assert!(read("p", json!({"files": ["a", 5]})).is_err());
        assert!(read("p", json!({"files": {"a": 1}})).is_err());
        assert!(read("p", json!({"files": null})).unwrap().files.is_none());
        assert!(read("p", json!({"files": 0})).unwrap().files.is_none());
    }

    #[test]
    fn bundle_forms() {
        let m = read(
            "p",
            json!({"dependencies": {"a": "1", "b": "1"}, "bundledDependencies": true}),
        )
        .unwrap();
        assert_eq!(m.bundle, vec!["a", "b"]);
        let m = read(
            "p",
            json!({"bundleDependencies": false, "bundledDependencies": ["x"]}),
        )
        .unwrap();
        assert!(m.bundle.is_empty());
    }

    #[test]
    fn json_errors_have_positions() {
        match parse_json("pkg/package.json", b"{\n  \"a\": ,\n}") {
            Err(PacklistError::Manifest { line, column, .. }) => {
                assert_eq!((line, column), (2, 8));
            }
            other => panic!("{other:?}"),
        }
    }
}
