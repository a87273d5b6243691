//! The GraphQL-over-HTTP specification's own compliance audit (`auditServer`
//! of the npm package `graphql-http`, pinned in
//! `tests/graphql-http-audit/package.json`) run against a real server.
//!
//! Every MUST must pass and every SHOULD too, save those in [`ALLOWED_WARNINGS`],
//! each with the reason the specification gives for deviating. MAY items are
//! printed but not required. Needs Node 20+ and npm; the first run installs
//! the pinned packages with `npm ci`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{Backend, TestApp};
use serde_json::Value;
use tokio::task::spawn_blocking;

/// SHOULD items we knowingly do not follow, by audit id, with the reason.
///
/// Empty: the server follows every SHOULD the audit checks. Add an entry only
/// with the specification's reason, e.g.
/// `("XXXX", "the spec allows ... because ...")`.
const ALLOWED_WARNINGS: &[(&str, &str)] = &[];

fn audit_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/graphql-http-audit")
}

/// Runs a command on the blocking pool, so the server keeps answering on the
/// runtime's workers while the command (a client of that server) runs.
async fn run(program: &'static str, args: Vec<String>) -> Output {
    let dir = audit_dir();
    let shown = format!("{program} {}", args.join(" "));
    spawn_blocking(move || {
        std::process::Command::new(program)
            .args(&args)
            .current_dir(&dir)
            .output()
    })
    .await
    .expect("the command's task does not panic")
    .unwrap_or_else(|err| panic!("cannot run `{shown}` (are Node and npm installed?): {err}"))
}

fn assert_success(what: &str, output: &Output) {
    assert!(
        output.status.success(),
        "`{what}` failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_passes_the_graphql_over_http_audit() {
    if !audit_dir().join("node_modules").exists() {
        let output = run(
            "npm",
            vec!["ci".into(), "--no-audit".into(), "--no-fund".into()],
        )
        .await;
        assert_success("npm ci --no-audit --no-fund", &output);
    }

    // The audit sends no token: serve it as a public reader would be served.
    let options = zaiti::http::HttpOptions {
        public_read: true,
        ..Default::default()
    };
    let app = TestApp::spawn_with(Backend::Sqlite, options).await;
    let output = run("node", vec!["audit.mjs".into(), app.graphql_url()]).await;
    assert_success("node audit.mjs", &output);
    let results: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "the audit printed no JSON ({err}):\n{}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    assert!(!results.is_empty(), "the audit ran no checks");

    let field = |result: &Value, name: &str| result[name].as_str().unwrap_or_default().to_owned();
    let mut report = String::new();
    let mut failures = Vec::new();
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for result in &results {
        let (id, name, status) = (
            field(result, "id"),
            field(result, "name"),
            field(result, "status"),
        );
        *counts.entry(status.clone()).or_default() += 1;
        let allowed = ALLOWED_WARNINGS.iter().find(|(allowed, _)| *allowed == id);
        let verdict = match (status.as_str(), allowed) {
            ("ok", _) => "ok",
            ("notice", _) => "notice (MAY, optional)",
            ("warn", Some(_)) => "warn (allowed)",
            _ => {
                failures.push(format!("{id} {name}"));
                "FAILED"
            }
        };
        report.push_str(&format!("[{verdict}] {id} {name}\n"));
        if status != "ok" {
            report.push_str(&format!("    reason: {}\n", field(result, "reason")));
            if let Some((_, why)) = allowed {
                report.push_str(&format!("    allowed because: {why}\n"));
            }
            report.push_str(&format!("    response: {}\n", result["response"]));
        }
    }
    report.push_str(&format!("{} audits: {counts:?}\n", results.len()));
    println!("{report}");

    // An allowance for an item that now passes (or is gone) is stale.
    for (id, _) in ALLOWED_WARNINGS {
        let still_warns = results
            .iter()
            .any(|r| field(r, "id") == *id && field(r, "status") == "warn");
        assert!(
            still_warns,
            "{id} is allowed to warn but does not; drop it from ALLOWED_WARNINGS"
        );
    }
    assert!(
        failures.is_empty(),
        "the server fails these GraphQL-over-HTTP audit items:\n  {}\n\nfull audit:\n{report}",
        failures.join("\n  ")
    );
}
