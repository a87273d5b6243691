//! An enterprise's confidential figures have one keeper, its custodian
//! operator: a competitor that moves the enterprise into its own carrier
//! learns and changes nothing, directly, through derived fields or by
//! guessing; every change of a figure is in the trail of every host, with
//! the figures masked for those who may not read them. On SQLite and PostgreSQL.

mod common;

use common::{TestApp, error_code, errors_without_request_ids, uscc};
use serde_json::{Value, json};
use zaiti::domain::access::Role;

const REGISTER: &str = r#"
mutation($input: RegisterEnterpriseInput!) {
  registerEnterprise(input: $input) { id version financingRaised revenue { year amount } }
}"#;
const MOVE_IN: &str = "mutation($input: MoveInInput!) { moveIn(input: $input) { id } }";
const QUALIFY: &str =
    "mutation($input: RecordQualificationInput!) { recordQualification(input: $input) { id } }";
const READ: &str = r#"
query($id: ID!) { enterprise(id: $id) {
  financingRaised revenue { year amount } custodian { id }
  graduationRoutesMet(asOf: "2026-06-30")
  tenancies { clocks(asOf: "2026-06-30") { graduationDue } }
} }"#;
const AUDIT: &str = r#"
query($filter: AuditEventFilter) { auditEvents(first: 50, filter: $filter) {
  totalCount nodes { operation entityType actor tokenId before after } } }"#;

const FINANCING: &str = "6000000";

struct Scene {
    enterprise: String,
    keeper: String,
    keeper_carrier: String,
    rival: String,
    rival_carrier: String,
}

/// Operator 甲 registers its tenant with financing of 6,000,000 CNY and two
/// years of revenue over 10,000,000 CNY, and moves it in; 乙 runs a carrier too.
async fn scene(app: &TestApp) -> Scene {
    let district = app.district_id("xinwu").await;
    let mut sides = Vec::new();
    for (name, n) in [("甲运营公司", 901), ("乙运营公司", 902)] {
        let operator = app.create_operator(name, n).await;
        let carrier = app
            .create_carrier(
                &operator,
                &district,
                json!({ "name": format!("{name}孵化器"), "kind": "INCUBATOR" }),
            )
            .await;
        app.add_phase(&carrier, 1_000.0, "2022-01-01", "NEW_BUILD")
            .await;
        let token = app.token(name, Role::Operator, Some(&operator)).await;
        sides.push((operator, carrier, token));
    }
    let (_, rival_carrier, rival) = sides.pop().expect("two operators");
    let (_, keeper_carrier, keeper) = sides.pop().expect("two operators");
    let input = json!({ "uscc": uscc(903), "name": "无锡保密科技有限公司", "foundedOn": "2022-01-01",
                        "financingRaised": FINANCING,
                        "revenue": [{ "year": 2024, "amount": "6000000" }, { "year": 2025, "amount": "5000000" }] });
    let body = app
        .graphql_as(&keeper, REGISTER, json!({ "input": input }))
        .await;
    let enterprise = body["data"]["registerEnterprise"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("registered: {body}"))
        .to_owned();
    let moved = app
        .graphql_as(
            &keeper,
            MOVE_IN,
            json!({ "input": { "carrierId": keeper_carrier, "enterpriseId": enterprise,
                               "areaM2": 200.0, "movedInOn": "2024-01-01" } }),
        )
        .await;
    assert!(moved.get("errors").is_none(), "{moved}");
    Scene {
        enterprise,
        keeper,
        keeper_carrier,
        rival,
        rival_carrier,
    }
}

/// The rival moves the tenant into its own carrier for a day, at 0.01 m²:
/// the tenancy is its own record, and shows it nothing confidential.
async fn hosting_a_tenant_reveals_none_of_its_figures(app: TestApp) {
    let s = scene(&app).await;
    let moved = app
        .graphql_as(
            &s.rival,
            MOVE_IN,
            json!({ "input": { "carrierId": s.rival_carrier, "enterpriseId": s.enterprise,
                               "areaM2": 0.01, "movedInOn": "2026-06-01", "movedOutOn": "2026-06-02" } }),
        )
        .await;
    assert!(moved.get("errors").is_none(), "{moved}");

    let seen_by = |token: String| {
        let app = &app;
        let id = s.enterprise.clone();
        async move {
            app.graphql_as(&token, READ, json!({ "id": id })).await["data"]["enterprise"].clone()
        }
    };
    let keeper = seen_by(s.keeper.clone()).await;
    assert_eq!(keeper["financingRaised"], "6000000.00", "{keeper}");
    assert_eq!(
        keeper["graduationRoutesMet"],
        json!(["FINANCING_RAISED", "REVENUE_TWO_YEARS"])
    );
    let admin = seen_by(app.admin_token.clone()).await;
    assert_eq!(admin["graduationRoutesMet"], keeper["graduationRoutesMet"]);

    let viewer = app.token("看板", Role::Viewer, None).await;
    let bureau = app.token("自然资源局", Role::Bureau, None).await;
    for (who, token) in [
        ("rival", s.rival.clone()),
        ("viewer", viewer),
        ("bureau", bureau),
    ] {
        let seen = seen_by(token).await;
        assert_eq!(seen["financingRaised"], Value::Null, "{who}: {seen}");
        assert_eq!(seen["revenue"], json!([]), "{who}: {seen}");
        // Derived answers tell nothing the figures would not.
        assert_eq!(seen["graduationRoutesMet"], json!([]), "{who}: {seen}");
        for tenancy in seen["tenancies"].as_array().expect("tenancies") {
            let due = &tenancy["clocks"]["graduationDue"];
            assert!(due.is_null() || *due == json!([]), "{who}: {seen}");
        }
        assert!(
            seen["custodian"]["id"].is_string(),
            "the keeper is public: {seen}"
        );
    }
}

/// Whatever the rival sends, right guess or wrong, it gets the same refusal
/// and nothing changes; public facts it repeats as they stand are accepted.
async fn a_rival_can_neither_write_nor_guess_the_figures(app: TestApp) {
    let s = scene(&app).await;
    let facts = |financing: Option<&str>| {
        let mut input =
            json!({ "uscc": uscc(903), "name": "无锡保密科技有限公司", "foundedOn": "2022-01-01" });
        if let Some(amount) = financing {
            input["financingRaised"] = json!(amount);
        }
        json!({ "input": input })
    };
    let right = app
        .graphql_as(&s.rival, REGISTER, facts(Some(FINANCING)))
        .await;
    let wrong = app.graphql_as(&s.rival, REGISTER, facts(Some("1"))).await;
    assert_eq!(error_code(&right), "FORBIDDEN", "{right}");
    assert_eq!(
        errors_without_request_ids(&right),
        errors_without_request_ids(&wrong),
        "a guess must not show"
    );
    let revenue = json!({ "input": { "uscc": uscc(903), "name": "无锡保密科技有限公司", "foundedOn": "2022-01-01",
                                     "revenue": [{ "year": 2025, "amount": "99999999" }] } });
    let body = app.graphql_as(&s.rival, REGISTER, revenue).await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let renamed =
        json!({ "input": { "uscc": uscc(903), "name": "改名公司", "foundedOn": "2022-01-01" } });
    let body = app.graphql_as(&s.rival, REGISTER, renamed).await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let qualified = app
        .graphql_as(
            &s.rival,
            QUALIFY,
            json!({ "input": { "enterpriseId": s.enterprise, "kind": "HIGH_TECH", "validFrom": "2025-01-01" } }),
        )
        .await;
    assert_eq!(error_code(&qualified), "FORBIDDEN", "{qualified}");
    // Naming it as it is, to move it in, is fine and changes nothing.
    let named = app.graphql_as(&s.rival, REGISTER, facts(None)).await;
    assert_eq!(
        named["data"]["registerEnterprise"]["id"],
        json!(s.enterprise),
        "{named}"
    );
    assert_eq!(
        named["data"]["registerEnterprise"]["financingRaised"],
        Value::Null
    );
    assert_eq!(named["data"]["registerEnterprise"]["version"], 1);

    let admin = app.data(READ, json!({ "id": s.enterprise })).await;
    assert_eq!(admin["enterprise"]["financingRaised"], "6000000.00");
    let qualifications = app.count_rows("qualification").await;
    assert_eq!(qualifications, 0);
}

/// A figure's change shows before and after to the keeper and ADMIN, and
/// is in the rival's trail too once it hosts the enterprise, masked.
async fn every_change_of_a_figure_is_audited_for_every_host(app: TestApp) {
    let s = scene(&app).await;
    app.graphql_as(
        &s.rival,
        MOVE_IN,
        json!({ "input": { "carrierId": s.rival_carrier, "enterpriseId": s.enterprise,
                           "areaM2": 10.0, "movedInOn": "2026-06-01" } }),
    )
    .await;
    let change = json!({ "input": { "uscc": uscc(903), "name": "无锡保密科技有限公司", "foundedOn": "2022-01-01",
                                    "revenue": [{ "year": 2025, "amount": "7000000" }] } });
    let body = app.graphql_as(&s.keeper, REGISTER, change).await;
    assert!(body.get("errors").is_none(), "{body}");

    let filter = json!({ "filter": { "entityId": s.enterprise, "operations": ["UPDATE"] } });
    for (who, token, visible) in [
        ("keeper", &s.keeper, true),
        ("admin", &app.admin_token, true),
        ("rival", &s.rival, false),
    ] {
        let body = app.graphql_as(token, AUDIT, filter.clone()).await;
        let events = &body["data"]["auditEvents"];
        assert_eq!(events["totalCount"], 1, "{who}: {body}");
        let event = &events["nodes"][0];
        assert!(event["tokenId"].is_i64(), "{who}: {event}");
        let (before, after) = (&event["before"]["revenue"], &event["after"]["revenue"]);
        if visible {
            assert_eq!(before["2025"], 500_000_000, "{who}: {event}");
            assert_eq!(after["2025"], 700_000_000, "{who}: {event}");
        } else {
            assert_eq!(*before, json!("CONFIDENTIAL"), "{who}: {event}");
            assert_eq!(*after, json!("CONFIDENTIAL"), "{who}: {event}");
            assert_eq!(
                event["after"]["financing_raised_fen"],
                json!("CONFIDENTIAL")
            );
        }
    }
    // An operator that never hosted it sees nothing of it.
    let stranger = app.create_operator("丙运营公司", 904).await;
    let stranger = app.token("丙", Role::Operator, Some(&stranger)).await;
    let body = app.graphql_as(&stranger, AUDIT, filter).await;
    assert_eq!(body["data"]["auditEvents"]["totalCount"], 0, "{body}");
    let _ = s.keeper_carrier;
}

/// The keeper (or ADMIN) hands the enterprise over; from then on the new
/// keeper reads and writes, the old one does not. Others may not hand it.
async fn the_custodian_hands_an_enterprise_over(app: TestApp) {
    const HAND: &str = "mutation($input: SetEnterpriseCustodianInput!) { setEnterpriseCustodian(input: $input) { version custodian { id } } }";
    let s = scene(&app).await;
    let rival_operator = app
        .data(
            "query($id: ID!) { carrier(id: $id) { operator { id } } }",
            json!({ "id": s.rival_carrier }),
        )
        .await["carrier"]["operator"]["id"]
        .clone();
    let grab = app
        .graphql_as(
            &s.rival,
            HAND,
            json!({ "input": { "enterpriseId": s.enterprise, "custodianOperatorId": rival_operator, "version": 1 } }),
        )
        .await;
    assert_eq!(error_code(&grab), "FORBIDDEN", "{grab}");
    let stale = app
        .graphql_as(
            &s.keeper,
            HAND,
            json!({ "input": { "enterpriseId": s.enterprise, "custodianOperatorId": rival_operator, "version": 7 } }),
        )
        .await;
    assert_eq!(error_code(&stale), "CONFLICT", "{stale}");
    let handed = app
        .graphql_as(
            &s.keeper,
            HAND,
            json!({ "input": { "enterpriseId": s.enterprise, "custodianOperatorId": rival_operator, "version": 1 } }),
        )
        .await;
    assert_eq!(
        handed["data"]["setEnterpriseCustodian"]["custodian"]["id"], rival_operator,
        "{handed}"
    );
    let read = |token: String| {
        let app = &app;
        let id = s.enterprise.clone();
        async move {
            app.graphql_as(&token, READ, json!({ "id": id })).await["data"]["enterprise"]["financingRaised"].clone()
        }
    };
    assert_eq!(read(s.rival.clone()).await, "6000000.00");
    assert_eq!(read(s.keeper.clone()).await, Value::Null);
}

on_both_databases!(
    hosting_a_tenant_reveals_none_of_its_figures,
    a_rival_can_neither_write_nor_guess_the_figures,
    every_change_of_a_figure_is_audited_for_every_host,
    the_custodian_hands_an_enterprise_over,
);
