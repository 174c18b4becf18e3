//! The JSON renderer: a documented, versioned shape (see `docs/json-format.md`).
//!
//! Every key of a finding is always present (`null` when unknown) so consumers need no
//! existence checks; `version` changes only when a key is removed or changes meaning.

use super::{Finding, Report, Severity};
use serde_json::{json, Value};

/// The version of the JSON shape.
pub const VERSION: u32 = 1;

/// One finding as JSON.
pub fn finding(f: &Finding) -> Value {
    json!({
        "rule": f.rule,
        "severity": f.severity.as_str(),
        "blocking": f.is_blocking(),
        "package": f.package,
        "file": f.file,
        "path": f.repo_path,
        "line": f.line,
        "column": f.column,
        "message": f.message,
        "help": f.help,
        "evidence": f.evidence,
        "fingerprint": f.fingerprint,
        "origin": f.origin,
        "also_at": f
            .also_at
            .iter()
            .map(|(line, column)| json!({ "line": line, "column": column }))
            .collect::<Vec<_>>(),
    })
}

/// The `summary` object.
pub fn summary(report: &Report) -> Value {
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    json!({
        "errors": count(Severity::Error),
        "warnings": count(Severity::Warning),
        "notes": count(Severity::Note),
        "blocking": report.has_blocking(),
    })
}

/// The whole report as a JSON value.
pub fn to_value(report: &Report) -> Value {
    json!({
        "version": VERSION,
        "tool": { "name": "leakgate", "version": env!("CARGO_PKG_VERSION") },
        "findings": report.findings.iter().map(finding).collect::<Vec<_>>(),
        "notes": report.notes,
        "summary": summary(report),
    })
}

/// The whole report as pretty-printed JSON (ends with a newline).
pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(&to_value(report)).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_shape() {
        let report = Report {
            findings: vec![Finding::named("allow/unused", "m")
                .severity(Severity::Error)
                .package("p")
                .file("dist/a.js")
                .at(1, 2)
                .evidence(b"ghp_abcdefghijklmnopqrstuvwxyz012345")],
            notes: vec!["n".into()],
        };
        let v: Value = serde_json::from_str(&render(&report)).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["tool"]["name"], "leakgate");
        let f = &v["findings"][0];
        assert_eq!(f["rule"], "allow/unused");
        assert_eq!(f["severity"], "error");
        assert_eq!(f["blocking"], true);
        assert_eq!(f["file"], "dist/a.js");
        assert_eq!(f["line"], 1);
        assert_eq!(f["column"], 2);
        assert_eq!(f["help"], Value::Null);
        assert_eq!(f["path"], Value::Null);
        assert_eq!(f["fingerprint"].as_str().unwrap().len(), 64);
        assert!(!f["evidence"].as_str().unwrap().contains("abcdefgh"));
        assert_eq!(v["notes"][0], "n");
        assert_eq!(v["summary"]["errors"], 1);
        assert_eq!(v["summary"]["warnings"], 0);
        assert_eq!(v["summary"]["blocking"], true);
    }

    #[test]
    fn empty_report_is_still_a_document() {
        let v: Value = serde_json::from_str(&render(&Report::default())).unwrap();
        assert_eq!(v["findings"].as_array().unwrap().len(), 0);
        assert_eq!(v["summary"]["blocking"], false);
    }
}
