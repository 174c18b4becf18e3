//! The SARIF 2.1.0 renderer, for code-scanning dashboards.
//!
//! One `run`; `tool.driver.rules` holds every rule of the registry (plus any rule a result
//! uses that the registry doesn't know, e.g. a team's `secret/<custom-id>`), each with its
//! help text. A file inside a file (`dist/cli.js.map!src/auth.ts`) is reported on the outer
//! artifact (`dist/cli.js.map`, the file that really exists in the repository), with the
//! full `a!b` name as a logical location and the inner path and position as properties,
//! because a line number of the embedded source is not a line of the outer file.

use super::{Finding, Report, Severity};
use crate::rules::{self, Rule};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::{json, Map, Value};

/// The SARIF schema URI put in `$schema`.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Characters escaped in artifact URIs (a relative URI reference; `/` stays).
const URI: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// SARIF's `level` for a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// A `reportingDescriptor` for a registered rule.
fn rule_descriptor(r: &Rule) -> Value {
    let area = r.id.split('/').next().unwrap_or(r.id);
    json!({
        "id": r.id,
        "name": r.id,
        "shortDescription": { "text": r.summary },
        "fullDescription": { "text": r.explanation },
        "help": {
            "text": format!("{}\n\nFix: {}\n\nMore: leakgate explain {}", r.explanation, r.fix, r.id),
            "markdown": format!("{}\n\n**Fix:** {}\n\n`leakgate explain {}`", r.explanation, r.fix, r.id),
        },
        "defaultConfiguration": { "level": level(r.default_severity) },
        "properties": { "tags": ["security", area] },
    })
}

/// A descriptor for a rule the registry doesn't list (a team's custom secret pattern).
fn unknown_descriptor(id: &str) -> Value {
    json!({
        "id": id,
        "name": id,
        "shortDescription": { "text": format!("{id} (defined in leakgate.toml)") },
        "help": { "text": "A rule defined by this repository's leakgate.toml." },
        "defaultConfiguration": { "level": "error" },
    })
}

/// The artifact URI of a path (percent-encoded, `/`-separated).
fn uri(path: &str) -> String {
    utf8_percent_encode(path, URI).to_string()
}

/// The `locations` of a finding.
fn locations(f: &Finding) -> Vec<Value> {
    let Some(path) = f.repo_path.as_deref().or(f.file.as_deref()) else {
        return f
            .package
            .as_ref()
            .map(|p| vec![json!({ "logicalLocations": [{ "name": p, "kind": "package" }] })])
            .unwrap_or_default();
    };
    let (outer, inner) = match path.split_once('!') {
        Some((o, i)) => (o, Some(i)),
        None => (path, None),
    };
    let mut physical = Map::new();
    physical.insert(
        "artifactLocation".into(),
        json!({ "uri": uri(outer), "uriBaseId": "%SRCROOT%" }),
    );
    if inner.is_none() {
        if let Some(line) = f.line {
            physical.insert(
                "region".into(),
                json!({ "startLine": line, "startColumn": f.column.unwrap_or(1) }),
            );
        }
    }
    let mut loc = Map::new();
    loc.insert("physicalLocation".into(), Value::Object(physical));
    if let Some(inner) = inner {
        loc.insert(
            "logicalLocations".into(),
            json!([{ "name": inner, "fullyQualifiedName": path, "kind": "resource" }]),
        );
    }
    vec![Value::Object(loc)]
}

/// One `result`.
fn result(f: &Finding, rule_index: usize) -> Value {
    let mut props = Map::new();
    if let Some(p) = &f.package {
        props.insert("package".into(), json!(p));
    }
    if let Some(file) = &f.file {
        props.insert("file".into(), json!(file));
    }
    if let Some(path) = f.repo_path.as_deref().or(f.file.as_deref()) {
        if let Some((_, inner)) = path.split_once('!') {
            props.insert("innerPath".into(), json!(inner));
            if let Some(line) = f.line {
                props.insert("innerLine".into(), json!(line));
                props.insert("innerColumn".into(), json!(f.column.unwrap_or(1)));
            }
        }
    }
    if let Some(e) = &f.evidence {
        props.insert("evidence".into(), json!(e));
    }
    if let Some(h) = &f.help {
        props.insert("help".into(), json!(h));
    }
    let text = match &f.help {
        // A help's lines are alternative fixes; a code-scanning alert shows one paragraph.
        Some(h) => format!("{} ({})", f.message, h.replace('\n', "; ")),
        None => f.message.clone(),
    };
    let mut r = json!({
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": { "text": text },
        "locations": locations(f),
        "properties": Value::Object(props),
    });
    let mut fingerprints = Map::new();
    fingerprints.insert("leakgate/v1".into(), json!(identity(f)));
    if let Some(fp) = &f.fingerprint {
        fingerprints.insert("leakgate/matchSha256".into(), json!(fp));
    }
    r["partialFingerprints"] = Value::Object(fingerprints);
    r
}

/// A finding's identity across runs, for code scanning to match alerts: the rule, the
/// package, the file in the package (embedded path included) and the matched bytes'
/// fingerprint. Not the line (an edit above must not make a new alert), not the message
/// (it carries sizes), not the repository path (a tarball audited without knowing its
/// directory names the same file).
fn identity(f: &Finding) -> String {
    let parts = [
        f.rule.as_str(),
        f.package.as_deref().unwrap_or(""),
        f.file.as_deref().or(f.repo_path.as_deref()).unwrap_or(""),
        f.fingerprint.as_deref().unwrap_or(""),
    ];
    crate::report::redact::fingerprint(parts.join("\0").as_bytes())
}

/// The whole report as a SARIF log value.
pub fn to_value(report: &Report) -> Value {
    let mut ids: Vec<String> = Vec::new();
    let mut descriptors: Vec<Value> = Vec::new();
    for r in rules::all() {
        ids.push(r.id.to_string());
        descriptors.push(rule_descriptor(r));
    }
    let mut results = Vec::new();
    for f in &report.findings {
        let index = match ids.iter().position(|id| *id == f.rule) {
            Some(i) => i,
            None => {
                ids.push(f.rule.clone());
                descriptors.push(unknown_descriptor(&f.rule));
                ids.len() - 1
            }
        };
        results.push(result(f, index));
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "leakgate",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/leakgate/leakgate",
                "rules": descriptors,
            }},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "The repository root." } } },
            "results": results,
            "invocations": [{ "executionSuccessful": true }],
            "properties": { "notes": report.notes },
        }],
    })
}

/// The whole report as pretty-printed SARIF (ends with a newline).
pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(&to_value(report)).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(report: &Report) -> Value {
        serde_json::from_str(&render(report)).unwrap()
    }

    #[test]
    fn log_shape_and_rules() {
        let report = Report {
            findings: vec![Finding::named("allow/expired", "m")
                .file("dist/a b.js")
                .at(3, 4)],
            notes: vec![],
        };
        let v = parse(&report);
        assert_eq!(v["version"], "2.1.0");
        assert_eq!(v["$schema"], SCHEMA);
        assert_eq!(v["runs"].as_array().unwrap().len(), 1);
        let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), rules::all().count());
        for r in rules {
            assert!(!r["help"]["text"].as_str().unwrap().is_empty());
        }
        let res = &v["runs"][0]["results"][0];
        assert_eq!(res["ruleId"], "allow/expired");
        assert_eq!(res["level"], "warning");
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], "allow/expired");
        let phys = &res["locations"][0]["physicalLocation"];
        assert_eq!(phys["artifactLocation"]["uri"], "dist/a%20b.js");
        assert_eq!(phys["region"]["startLine"], 3);
        assert_eq!(phys["region"]["startColumn"], 4);
        // Every result has a stable identity, even without matched bytes.
        let id = res["partialFingerprints"]["leakgate/v1"].as_str().unwrap();
        assert_eq!(id.len(), 64);
        assert!(res["partialFingerprints"]
            .get("leakgate/matchSha256")
            .is_none());
    }

    #[test]
    fn fingerprints_ignore_lines_but_not_files_or_rules() {
        let id = |f: Finding| {
            let v = parse(&Report {
                findings: vec![f],
                notes: vec![],
            });
            v["runs"][0]["results"][0]["partialFingerprints"]["leakgate/v1"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let base = || Finding::named("sourcemap/sources-content", "m").package("a");
        let one = id(base().file("dist/x.js.map").at(1, 1));
        assert_eq!(one, id(base().file("dist/x.js.map").at(40, 2)));
        assert_eq!(
            one,
            id(base()
                .file("dist/x.js.map")
                .repo_path("packages/a/dist/x.js.map"))
        );
        assert_ne!(one, id(base().file("dist/y.js.map")));
        assert_ne!(
            one,
            id(Finding::named("sourcemap/file", "m")
                .package("a")
                .file("dist/x.js.map"))
        );
    }

    #[test]
    fn inner_files_point_at_the_outer_artifact() {
        let report = Report {
            findings: vec![Finding::named("secret/custom-thing", "m")
                .file("cli.js.map!src/auth.ts")
                .repo_path("packages/cli/dist/cli.js.map!src/auth.ts")
                .at(12, 1)
                .evidence(b"super-secret-value-1234")],
            notes: vec![],
        };
        let v = parse(&report);
        let res = &v["runs"][0]["results"][0];
        let loc = &res["locations"][0];
        assert_eq!(
            loc["physicalLocation"]["artifactLocation"]["uri"],
            "packages/cli/dist/cli.js.map"
        );
        assert!(loc["physicalLocation"].get("region").is_none());
        assert_eq!(loc["logicalLocations"][0]["name"], "src/auth.ts");
        assert_eq!(res["properties"]["innerPath"], "src/auth.ts");
        assert_eq!(res["properties"]["innerLine"], 12);
        assert!(!res["properties"]["evidence"]
            .as_str()
            .unwrap()
            .contains("secret-value"));
        // The unknown rule got a descriptor, and the index points at it.
        let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], "secret/custom-thing");
        assert_eq!(
            res["partialFingerprints"]["leakgate/matchSha256"]
                .as_str()
                .unwrap()
                .len(),
            64
        );
    }
}
