//! The demo portfolio loads, idempotently, and covers what the README promises.

mod common;

use common::TestApp;
use serde_json::json;

async fn the_demo_portfolio_loads_once_and_covers_every_district_and_kind(app: TestApp) {
    app.load_demo().await;
    app.load_demo().await;
    let data = app
        .data(
            "{ carriers(first: 1) { totalCount } districts { code } }",
            json!({}),
        )
        .await;
    let total = data["carriers"]["totalCount"].as_u64().expect("a count");
    assert!(total >= 120, "only {total} demo carriers");
    assert_eq!(
        app.count_rows("carrier").await as u64,
        total,
        "a second load must add nothing"
    );
    for district in data["districts"].as_array().expect("districts") {
        let code = district["code"].as_str().expect("a code");
        let query =
            "query($code: String!) { carriers(filter: {districtCodes: [$code]}) { totalCount } }";
        let count =
            app.data(query, json!({ "code": code })).await["carriers"]["totalCount"].clone();
        assert!(count.as_u64() > Some(0), "no demo carrier in {code}");
    }
    for kind in ["MAKERSPACE", "INCUBATOR", "ACCELERATOR", "SCIENCE_COMPLEX"] {
        let query =
            "query($kind: CarrierKind!) { carriers(filter: {kinds: [$kind]}) { totalCount } }";
        let count =
            app.data(query, json!({ "kind": kind })).await["carriers"]["totalCount"].clone();
        assert!(count.as_u64() > Some(0), "no demo {kind}");
    }
}

on_both_databases!(the_demo_portfolio_loads_once_and_covers_every_district_and_kind);
