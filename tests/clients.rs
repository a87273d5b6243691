//! The clients front-end teams use, run against a real server from the npm
//! package in `tests/clients/` (versions pinned in its `package.json` and
//! `package-lock.json`): the GraphQL-over-HTTP specification's compliance
//! audit (`auditServer` of `graphql-http`), graphql-codegen with the scalar
//! mappings of `codegen.yml` followed by `tsc`, and Apollo Client with its
//! persisted-query link and the `possibleTypes` of
//! `zaiti schema --possible-types`.
//!
//! For the audit, every MUST must pass and every SHOULD too, save those in
//! [`ALLOWED_WARNINGS`], each with the reason the specification gives for
//! deviating. MAY items are printed but not required. Needs Node 20+ and
//! npm; the first run installs the pinned packages with `npm ci`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{Backend, TestApp};
use serde_json::Value;
use tokio::sync::OnceCell;
use tokio::task::spawn_blocking;

/// SHOULD items we knowingly do not follow, by audit id, with the reason.
///
/// Empty: the server follows every SHOULD the audit checks. Add an entry only
/// with the specification's reason, e.g.
/// `("XXXX", "the spec allows ... because ...")`.
const ALLOWED_WARNINGS: &[(&str, &str)] = &[];

fn clients_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients")
}

/// Runs a command in `tests/clients` on the blocking pool, so the server
/// keeps answering on the runtime's workers while the command (a client of
/// that server) runs.
async fn run(program: &str, args: Vec<String>) -> Output {
    let dir = clients_dir();
    let program = program.to_owned();
    let shown = format!("{program} {}", args.join(" "));
    spawn_blocking(move || {
        std::process::Command::new(&program)
            .args(&args)
            .current_dir(&dir)
            .output()
    })
    .await
    .expect("the command's task does not panic")
    .unwrap_or_else(|err| panic!("cannot run `{shown}` (are Node and npm installed?): {err}"))
}

/// Runs one of the package's own commands (`node_modules/.bin`).
async fn run_installed(program: &str, args: &[&str]) -> Output {
    installed().await;
    let path = clients_dir().join("node_modules/.bin").join(program);
    let output = run(
        path.to_str().expect("a UTF-8 path"),
        args.iter().map(|arg| (*arg).to_owned()).collect(),
    )
    .await;
    assert_success(&format!("{program} {}", args.join(" ")), &output);
    output
}

/// Installs the pinned packages once per test binary (the tests run at once).
async fn installed() {
    static INSTALL: OnceCell<()> = OnceCell::const_new();
    INSTALL
        .get_or_init(|| async {
            if !clients_dir()
                .join("node_modules/.package-lock.json")
                .exists()
            {
                let output = run(
                    "npm",
                    vec!["ci".into(), "--no-audit".into(), "--no-fund".into()],
                )
                .await;
                assert_success("npm ci --no-audit --no-fund", &output);
            }
        })
        .await;
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
    installed().await;
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

/// graphql-codegen types the schema and the documents (the benchmark's page,
/// and queries using every custom scalar) with `codegen.yml`'s mappings, and
/// `tsc` compiles `typed.ts`, which states each scalar's type exactly: a
/// wrong mapping, or a new scalar without one, fails here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codegen_maps_every_scalar_and_tsc_accepts_the_types() {
    let generated = clients_dir().join("generated/graphql.ts");
    let _ = std::fs::remove_file(&generated);
    run_installed("graphql-codegen", &["--config", "codegen.yml"]).await;
    let types = std::fs::read_to_string(&generated).expect("codegen wrote its file");
    for (scalar, mapped) in [
        ("Date", "{ input: string; output: string; }"),
        ("DateTime", "{ input: string; output: string; }"),
        ("Upload", "{ input: File | Blob; output: never; }"),
    ] {
        assert!(
            types.contains(&format!("{scalar}: {mapped}")),
            "{scalar} is not mapped to {mapped}"
        );
    }
    assert!(
        types.contains("export type PageQuery"),
        "the benchmark's page is typed"
    );
    run_installed("tsc", &["--noEmit", "-p", "tsconfig.json"]).await;
}

/// Apollo Client's persisted-query link over POST and over GET, and a
/// `... on Node` fragment through an InMemoryCache given the
/// `possibleTypes` that `zaiti schema --possible-types` prints.
async fn apollo_client_with_persisted_queries_and_possible_types(app: TestApp) {
    app.load_demo().await;
    let printed = std::process::Command::new(env!("CARGO_BIN_EXE_zaiti"))
        .args(["schema", "--possible-types"])
        .output()
        .expect("zaiti runs");
    assert_success("zaiti schema --possible-types", &printed);
    let possible_types = String::from_utf8(printed.stdout).expect("UTF-8");
    installed().await;
    let output = run(
        "node",
        vec![
            "apollo.mjs".into(),
            app.graphql_url(),
            app.admin_token.clone(),
            possible_types,
        ],
    )
    .await;
    assert_success("node apollo.mjs", &output);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "apollo.mjs printed no JSON ({err}):\n{}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    // What each request of a step sent, and what came back.
    let requests = |step: &str| -> Vec<(String, bool, Option<String>, bool)> {
        report[step]
            .as_array()
            .unwrap_or_else(|| panic!("no step {step}: {report}"))
            .iter()
            .map(|sent| {
                assert_eq!(sent["status"], 200, "{step}: {sent}");
                assert_eq!(
                    sent["withHash"], true,
                    "{step}: every request carries the hash"
                );
                (
                    sent["method"].as_str().unwrap_or_default().to_owned(),
                    sent["withQuery"] == true,
                    sent["code"].as_str().map(str::to_owned),
                    sent["data"] == true,
                )
            })
            .collect()
    };
    let not_found = Some("PERSISTED_QUERY_NOT_FOUND".to_owned());
    for (first, repeat, method) in [
        ("postFirst", "postRepeat", "POST"),
        ("getFirst", "getRepeat", "GET"),
    ] {
        assert_eq!(
            requests(first),
            [
                (method.to_owned(), false, not_found.clone(), false),
                ("POST".to_owned(), true, None, true),
            ],
            "{first}: the hash alone, then the query after PERSISTED_QUERY_NOT_FOUND"
        );
        assert_eq!(
            requests(repeat),
            [(method.to_owned(), false, None, true)],
            "{repeat}: the hash alone is answered"
        );
    }
    assert_eq!(report["nodeFromCache"]["typename"], "Carrier", "{report}");
    assert!(report["nodeFromCache"]["id"].is_string(), "{report}");
    assert_eq!(
        report["nodeWithoutPossibleTypes"],
        Value::Null,
        "without possibleTypes the cache drops the Node fragment (so the map is what makes it work)"
    );
}

on_both_databases!(apollo_client_with_persisted_queries_and_possible_types);
