//! `config/default.toml` (what `leakgate init` writes) and `docs/leakgate.schema.json` (what
//! `leakgate help schema` prints) are written from the one declaration of the config's keys
//! (`config::schema`). These tests keep the committed files equal to what it generates.
//!
//! After changing a key, regenerate with `LEAKGATE_BLESS=1 cargo test --test config_files`
//! and read the diff before committing it.

mod common;

use leakgate::config::generate::{default_toml, json_schema};
use leakgate::config::{Config, DEFAULT_TOML};
use serde_json::Value;
use std::path::Path;

fn check(relative: &str, generated: &str) {
    common::assert_golden(relative, generated, "cargo test --test config_files");
}

#[test]
fn the_committed_json_schema_is_generated() {
    check("docs/leakgate.schema.json", &json_schema());
}

#[test]
fn the_committed_default_config_is_generated() {
    check("config/default.toml", &default_toml());
}

#[test]
fn the_default_config_reads_as_the_built_in_defaults() {
    let read = Config::parse(&default_toml(), Path::new("leakgate.toml")).unwrap();
    assert_eq!(read.to_toml(), Config::default().to_toml());
    // What init writes is the compiled-in copy of the same text.
    assert_eq!(DEFAULT_TOML, default_toml());
}

#[test]
fn the_json_schema_defaults_are_the_built_in_ones() {
    let schema: Value = serde_json::from_str(&json_schema()).unwrap();
    let defaults = serde_json::to_value(Config::default()).unwrap();
    let props = &schema["properties"];
    assert_eq!(props["drift"]["properties"]["max-growth"]["default"], 1.5);
    assert_eq!(
        props["hooks"]["properties"]["on-error"]["default"],
        defaults["hooks"]["on-error"]
    );
    // Every default the schema states is the one an empty config reads as.
    for (table, sub) in props.as_object().unwrap() {
        if let Some(d) = sub.get("default") {
            assert_eq!(d, &defaults[table], "`{table}`");
        }
        for (name, key) in sub["properties"].as_object().into_iter().flatten() {
            if let Some(d) = key.get("default") {
                assert_eq!(d, &defaults[table][name], "`{table}.{name}`");
            }
        }
    }
    // The entries of arrays of tables say what each entry needs.
    let allow = &props["allow"]["items"];
    assert_eq!(allow["required"], serde_json::json!(["reason"]));
    assert_eq!(allow["anyOf"].as_array().unwrap().len(), 4);
    assert_eq!(
        props["secrets"]["properties"]["patterns"]["items"]["required"],
        serde_json::json!(["id", "regex"])
    );
}
