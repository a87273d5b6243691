//! The published schema: it matches the code, and every element of it is documented.

mod common;

use common::{Backend, TestApp};
use serde_json::{Value, json};

#[test]
fn schema_graphql_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let generated = zaiti::graphql::sdl();
    assert!(
        committed == generated,
        "schema.graphql is out of date with the code; regenerate it with\n    cargo run -- schema > schema.graphql"
    );
}

const DESCRIPTIONS: &str = r#"{
  __schema {
    types {
      name kind description
      fields(includeDeprecated: true) { name description args { name description } }
      inputFields { name description }
      enumValues(includeDeprecated: true) { name description }
    }
  }
}"#;

fn blank(value: &Value) -> bool {
    value.as_str().is_none_or(|text| text.trim().is_empty())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_type_field_argument_and_enum_value_is_documented() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let data = app.data(DESCRIPTIONS, json!({})).await;
    let builtin = ["String", "Int", "Float", "Boolean", "ID"];
    let mut undocumented = Vec::new();
    for ty in data["__schema"]["types"].as_array().expect("types") {
        let name = ty["name"].as_str().expect("a name");
        if name.starts_with("__") || builtin.contains(&name) {
            continue;
        }
        if blank(&ty["description"]) {
            undocumented.push(name.to_owned());
        }
        for (list, what) in [
            ("fields", "field"),
            ("inputFields", "input field"),
            ("enumValues", "value"),
        ] {
            for member in ty[list].as_array().into_iter().flatten() {
                if blank(&member["description"]) {
                    undocumented.push(format!("{what} {name}.{}", member["name"]));
                }
                for arg in member["args"].as_array().into_iter().flatten() {
                    if blank(&arg["description"]) {
                        undocumented.push(format!(
                            "argument {name}.{}({})",
                            member["name"], arg["name"]
                        ));
                    }
                }
            }
        }
    }
    assert!(
        undocumented.is_empty(),
        "undocumented schema elements:\n{}",
        undocumented.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standard_introspection_query_of_front_end_tools_is_answered() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let query = include_str!("introspection_query.graphql");
    let data = app.data(query, json!({})).await;
    assert!(
        data["__schema"]["types"]
            .as_array()
            .is_some_and(|t| t.len() > 20)
    );
}

/// `zaiti schema --possible-types` prints what introspection says: every
/// interface and union with its `possibleTypes`, nothing more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn possible_types_match_introspection() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_zaiti"))
        .args(["schema", "--possible-types"])
        .output()
        .expect("zaiti runs");
    assert!(output.status.success(), "{output:?}");
    let printed: std::collections::BTreeMap<String, Vec<String>> =
        serde_json::from_slice(&output.stdout).expect("a JSON object of lists");

    let app = TestApp::spawn(Backend::Sqlite).await;
    let data = app
        .data(
            "{ __schema { types { name possibleTypes { name } } } }",
            json!({}),
        )
        .await;
    let mut introspected = std::collections::BTreeMap::new();
    for ty in data["__schema"]["types"].as_array().expect("types") {
        let Some(possible) = ty["possibleTypes"].as_array() else {
            continue;
        };
        let mut names: Vec<String> = possible
            .iter()
            .map(|t| t["name"].as_str().expect("a name").to_owned())
            .collect();
        names.sort();
        introspected.insert(ty["name"].as_str().expect("a name").to_owned(), names);
    }
    assert!(
        introspected
            .get("Node")
            .is_some_and(|types| types.contains(&"Carrier".to_owned())),
        "introspection lists Carrier as a Node: {introspected:?}"
    );
    assert_eq!(printed, introspected);
}
