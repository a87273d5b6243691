//! Tenant enterprises, tenancies, occupancy and tenant clocks, on SQLite and PostgreSQL.

mod common;

use common::{TestApp, error_code, uscc};
use serde_json::{Value, json};
use zaiti::domain::access::Role;

const REGISTER: &str = r#"
mutation($input: RegisterEnterpriseInput!) {
  registerEnterprise(input: $input) { id uscc name version financingRaised revenue { year amount } }
}"#;
const MOVE_IN: &str =
    "mutation($input: MoveInInput!) { moveIn(input: $input) { id version areaM2 } }";
const OCCUPANCY: &str = r#"
query($id: ID!, $on: Date!) {
  carrier(id: $id) {
    occupancy(asOf: $on) { leasedAreaM2 leasableAreaM2 rate ratePercent tenants incubating graduates }
  }
}"#;

async fn register(app: &TestApp, n: u32, name: &str, founded_on: &str) -> String {
    let input =
        json!({ "uscc": uscc(n), "name": name, "foundedOn": founded_on, "industry": "IOT" });
    app.data(REGISTER, json!({ "input": input })).await["registerEnterprise"]["id"]
        .as_str()
        .expect("an id")
        .to_owned()
}

async fn move_in(app: &TestApp, carrier: &str, enterprise: &str, area: f64, on: &str) -> Value {
    let input = json!({ "carrierId": carrier, "enterpriseId": enterprise, "areaM2": area, "movedInOn": on });
    app.graphql(MOVE_IN, json!({ "input": input })).await
}

async fn occupancy(app: &TestApp, carrier: &str, on: &str) -> Value {
    app.data(OCCUPANCY, json!({ "id": carrier, "on": on }))
        .await["carrier"]["occupancy"]
        .clone()
}

/// An incubator of 1,000 m² from 2022 and 500 m² more from 2024, run by a new operator.
async fn incubator(app: &TestApp, operator_n: u32) -> (String, String) {
    let operator = app.create_operator("孵化运营公司", operator_n).await;
    let district = app.district_id("xinwu").await;
    let carrier = app
        .create_carrier(&operator, &district, json!({ "kind": "INCUBATOR" }))
        .await;
    app.add_phase(&carrier, 1000.0, "2022-01-01", "NEW_BUILD")
        .await;
    app.add_phase(&carrier, 500.0, "2024-01-01", "IDLE_FACTORY_RENOVATION")
        .await;
    (operator, carrier)
}

async fn registering_twice_is_idempotent_and_updates_by_uscc(app: TestApp) {
    let first = register(&app, 100, "锡芯微电子", "2021-03-01").await;
    let again = register(&app, 100, "锡芯微电子", "2021-03-01").await;
    assert_eq!(first, again);
    let input = json!({ "uscc": uscc(100), "name": "锡芯微电子有限公司", "foundedOn": "2021-03-01",
                        "financingRaised": "5000000", "revenue": [{ "year": 2023, "amount": "1234567.8" }] });
    let data = app.data(REGISTER, json!({ "input": input })).await;
    let enterprise = &data["registerEnterprise"];
    assert_eq!(enterprise["id"], first.as_str());
    assert_eq!(enterprise["version"], 2);
    assert_eq!(enterprise["financingRaised"], "5000000.00");
    assert_eq!(
        enterprise["revenue"],
        json!([{ "year": 2023, "amount": "1234567.80" }])
    );
    assert_eq!(app.count_rows("enterprise").await, 1);
    let bad = json!({ "uscc": uscc(101), "name": "x", "foundedOn": "2021-03-01", "financingRaised": "-5" });
    assert_eq!(
        error_code(&app.graphql(REGISTER, json!({ "input": bad })).await),
        "BAD_USER_INPUT"
    );
    // Codes that pass GB 32100's check character but nothing else, and a revenue year of no calendar.
    for (uscc, field) in [
        ("000000000000000000", "uscc"),
        // Right GB 32100 check character, wrong GB 11714 organisation-code digit.
        ("91350100M000100Y56", "uscc"),
    ] {
        let body = app
            .graphql(
                REGISTER,
                json!({ "input": { "uscc": uscc, "name": "无效代码", "foundedOn": "2021-03-01" } }),
            )
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{uscc}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    let far = json!({ "uscc": uscc(102), "name": "年份", "foundedOn": "2021-03-01",
                      "revenue": [{ "year": 99999, "amount": "1" }] });
    let body = app.graphql(REGISTER, json!({ "input": far })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "revenue.year",
        "{body}"
    );
    assert_eq!(
        app.count_rows("enterprise").await,
        1,
        "nothing half-written"
    );
}

async fn qualifications_answer_by_date(app: TestApp) {
    let enterprise = register(&app, 110, "太湖量子", "2020-01-01").await;
    let record = "mutation($input: RecordQualificationInput!) { recordQualification(input: $input) { validUntil } }";
    let data = app
        .data(record, json!({ "input": { "enterpriseId": enterprise, "kind": "HIGH_TECH", "validFrom": "2022-11-01" } }))
        .await;
    assert_eq!(data["recordQualification"]["validUntil"], "2025-10-31");
    // Every kind expires, 专精特新 and 小巨人 included.
    for (kind, until) in [
        ("LITTLE_GIANT", "2026-06-30"),
        ("PROVINCIAL_SPECIALIZED", "2026-06-30"),
        ("GAZELLE", "2024-06-30"),
    ] {
        let data = app
            .data(record, json!({ "input": { "enterpriseId": enterprise, "kind": kind, "validFrom": "2023-07-01" } }))
            .await;
        assert_eq!(data["recordQualification"]["validUntil"], until, "{kind}");
    }
    let query = r#"query($id: ID!) { enterprise(id: $id) {
        before: qualified(kind: HIGH_TECH, on: "2022-10-31")
        first: qualified(kind: HIGH_TECH, on: "2022-11-01")
        last: qualified(kind: HIGH_TECH, on: "2025-10-31")
        after: qualified(kind: HIGH_TECH, on: "2025-11-01")
        gazelle: qualified(kind: GAZELLE, on: "2023-01-01")
        routes: graduationRoutesMet(asOf: "2023-01-01") } }"#;
    let data = app.data(query, json!({ "id": enterprise })).await;
    assert_eq!(
        data["enterprise"],
        json!({ "before": false, "first": true, "last": true, "after": false, "gazelle": false,
                "routes": ["HIGH_TECH_RECOGNISED"] })
    );
}

async fn occupancy_follows_moves_on_every_date(app: TestApp) {
    let (_, carrier) = incubator(&app, 120).await;
    let a = register(&app, 121, "甲企业", "2021-06-01").await;
    let b = register(&app, 122, "乙企业", "2021-06-01").await;
    let lease_a = move_in(&app, &carrier, &a, 600.0, "2022-03-01").await["data"]["moveIn"].clone();
    move_in(&app, &carrier, &b, 300.0, "2023-01-01").await;
    // A grows to 900 m² once the second phase is delivered, then leaves.
    let change = "mutation($input: ChangeTenancyAreaInput!) { changeTenancyArea(input: $input) { id version } }";
    let grown = app
        .data(change, json!({ "input": { "id": lease_a["id"], "version": 1, "areaM2": 900.0, "effectiveOn": "2024-02-01" } }))
        .await["changeTenancyArea"]
        .clone();
    let move_out = "mutation($input: MoveOutInput!) { moveOut(input: $input) { movedOutOn } }";
    app.data(
        move_out,
        json!({ "input": { "id": grown["id"], "version": 1, "movedOutOn": "2025-01-01" } }),
    )
    .await;

    for (on, leased, leasable, tenants) in [
        ("2022-02-28", 0.0, 1000.0, 0),
        ("2022-03-01", 600.0, 1000.0, 1),
        ("2023-06-01", 900.0, 1000.0, 2),
        ("2024-01-31", 900.0, 1500.0, 2),
        ("2024-02-01", 1200.0, 1500.0, 2),
        ("2025-01-01", 300.0, 1500.0, 1),
    ] {
        let figures = occupancy(&app, &carrier, on).await;
        assert_eq!(figures["leasedAreaM2"], leased, "{on}: {figures}");
        assert_eq!(figures["leasableAreaM2"], leasable, "{on}: {figures}");
        assert_eq!(figures["tenants"], tenants, "{on}: {figures}");
        let rate = figures["rate"].as_f64().expect("a rate");
        assert!((rate - leased / leasable).abs() < 1e-9, "{on}: {figures}");
        assert_eq!(
            figures["ratePercent"].as_f64(),
            Some((rate * 10_000.0).round() / 100.0),
            "{on}: {figures}"
        );
    }
}

async fn impossible_tenancies_are_refused_and_nothing_is_written(app: TestApp) {
    let (_, carrier) = incubator(&app, 130).await;
    let a = register(&app, 131, "丙企业", "2021-06-01").await;
    move_in(&app, &carrier, &a, 800.0, "2022-03-01").await;
    let b = register(&app, 132, "丁企业", "2021-06-01").await;
    let other_operator = app.create_operator("别家运营公司", 133).await;
    let token = app
        .token("别家", Role::Operator, Some(&other_operator))
        .await;
    let before = (
        app.count_rows("tenancy").await,
        app.count_rows("audit_event").await,
    );
    // More than the 1,000 m² delivered in 2022.
    let body = move_in(&app, &carrier, &b, 300.0, "2022-05-01").await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("leasable")),
        "{body}"
    );
    // The same enterprise twice at once.
    let body = move_in(&app, &carrier, &a, 10.0, "2023-01-01").await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    // Moving out before moving in.
    let input = json!({ "carrierId": carrier, "enterpriseId": b, "areaM2": 10.0, "movedInOn": "2023-01-01", "movedOutOn": "2022-12-31" });
    let body = app.graphql(MOVE_IN, json!({ "input": input })).await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "movedOutOn",
        "{body}"
    );
    // An area that would be stored, to the hundredth, as nothing.
    let body = move_in(&app, &carrier, &b, 0.004, "2023-01-01").await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "areaM2", "{body}");
    // Another operator's carrier.
    let input = json!({ "carrierId": carrier, "enterpriseId": b, "areaM2": 10.0, "movedInOn": "2024-06-01" });
    let body = app
        .graphql_as(&token, MOVE_IN, json!({ "input": input }))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    assert_eq!(
        (
            app.count_rows("tenancy").await,
            app.count_rows("audit_event").await
        ),
        before
    );
    // Once the second phase is there, it fits.
    let body = move_in(&app, &carrier, &b, 300.0, "2024-01-01").await;
    assert!(body.get("errors").is_none(), "{body}");
}

async fn graduation_and_tenant_clocks_follow_the_rules(app: TestApp) {
    let (_, carrier) = incubator(&app, 140).await;
    let late = register(&app, 141, "老企业", "2018-01-01").await;
    let rich = register(&app, 142, "融资企业", "2020-06-01").await;
    move_in(&app, &carrier, &late, 100.0, "2022-01-01").await;
    let lease = move_in(&app, &carrier, &rich, 100.0, "2022-01-01").await["data"]["moveIn"].clone();
    let input = json!({ "uscc": uscc(142), "name": "融资企业", "foundedOn": "2020-06-01", "financingRaised": "6000000" });
    app.data(REGISTER, json!({ "input": input })).await;
    let clocks = r#"query($id: ID!, $on: Date!) { carrier(id: $id) { tenancies { enterprise { name }
        status(asOf: $on) clocks(asOf: $on) { monthsIncubated enteredLate overdue graduationDue } } } }"#;
    let data = app
        .data(clocks, json!({ "id": carrier, "on": "2026-01-02" }))
        .await;
    let tenants = data["carrier"]["tenancies"]
        .as_array()
        .expect("tenancies")
        .clone();
    let by_name = |name: &str| {
        tenants
            .iter()
            .find(|t| t["enterprise"]["name"] == name)
            .expect("a tenant")
            .clone()
    };
    assert_eq!(
        by_name("老企业")["clocks"],
        json!({ "monthsIncubated": 48, "enteredLate": true, "overdue": true, "graduationDue": [] })
    );
    assert_eq!(
        by_name("融资企业")["clocks"]["graduationDue"],
        json!(["FINANCING_RAISED"])
    );

    let graduate = "mutation($input: GraduateInput!) { graduate(input: $input) { graduatedOn movedOutOn graduationRoute } }";
    let data = app
        .data(graduate, json!({ "input": { "id": lease["id"], "version": 1, "graduatedOn": "2025-06-01", "route": "FINANCING_RAISED" } }))
        .await;
    assert_eq!(
        data["graduate"],
        json!({ "graduatedOn": "2025-06-01", "movedOutOn": "2025-06-01", "graduationRoute": "FINANCING_RAISED" })
    );
    let figures = occupancy(&app, &carrier, "2025-06-01").await;
    assert_eq!(
        (figures["tenants"].clone(), figures["graduates"].clone()),
        (json!(1), json!(1))
    );
    let figures = occupancy(&app, &carrier, "2025-05-31").await;
    assert_eq!(
        (figures["tenants"].clone(), figures["graduates"].clone()),
        (json!(2), json!(0))
    );
    let data = app
        .data(clocks, json!({ "id": carrier, "on": "2026-01-02" }))
        .await;
    let graduated = data["carrier"]["tenancies"]
        .as_array()
        .expect("tenancies")
        .iter()
        .find(|t| t["enterprise"]["name"] == "融资企业")
        .expect("a tenant")
        .clone();
    assert_eq!(graduated["status"], "GRADUATED");
    assert_eq!(graduated["clocks"]["graduationDue"], json!([]));
}

/// The clocks are those of the carrier's rules and the tenant's industry: a
/// makerspace team has none, a biomedicine tenant of an incubator 60 months.
async fn clocks_follow_the_kind_of_carrier_and_the_industry(app: TestApp) {
    let (operator, incubator) = incubator(&app, 145).await;
    let district = app.district_id("xinwu").await;
    let makerspace = app
        .create_carrier(&operator, &district, json!({ "kind": "MAKERSPACE" }))
        .await;
    app.add_phase(&makerspace, 800.0, "2020-01-01", "NEW_BUILD")
        .await;
    let enterprise = |n: u32, name: &'static str, industry: &'static str| json!({ "input": { "uscc": uscc(n), "name": name, "foundedOn": "2018-01-01", "industry": industry } });
    let team =
        app.data(REGISTER, enterprise(146, "创客团队", "IOT")).await["registerEnterprise"]["id"]
            .clone();
    let pharma = app
        .data(REGISTER, enterprise(147, "生物医药企业", "BIOMEDICINE"))
        .await["registerEnterprise"]["id"]
        .clone();
    for (carrier, tenant) in [(&makerspace, &team), (&incubator, &pharma)] {
        let body = move_in(
            &app,
            carrier,
            tenant.as_str().expect("an id"),
            100.0,
            "2022-01-01",
        )
        .await;
        assert!(body.get("errors").is_none(), "{body}");
    }
    let clocks = r#"query($id: ID!, $on: Date!) { carrier(id: $id) { tenancies {
        clocks(asOf: $on) { entryWindowMonths incubationLimitMonths monthsIncubated enteredLate overdue } } } }"#;
    let clocks_of = |carrier: &String, on: &'static str| {
        let app = &app;
        let carrier = carrier.clone();
        async move {
            app.data(clocks, json!({ "id": carrier, "on": on })).await["carrier"]["tenancies"][0]
                ["clocks"]
                .clone()
        }
    };
    assert_eq!(
        clocks_of(&makerspace, "2027-01-02").await,
        json!({ "entryWindowMonths": null, "incubationLimitMonths": null, "monthsIncubated": 60,
                "enteredLate": false, "overdue": false })
    );
    assert_eq!(
        clocks_of(&incubator, "2026-12-01").await,
        json!({ "entryWindowMonths": 24, "incubationLimitMonths": 60, "monthsIncubated": 59,
                "enteredLate": true, "overdue": false })
    );
    assert_eq!(clocks_of(&incubator, "2027-01-02").await["overdue"], true);
}

async fn summaries_by_district_and_kind_add_up(app: TestApp) {
    let (_, xinwu_carrier) = incubator(&app, 150).await;
    let operator = app.create_operator("滨湖运营", 151).await;
    let binhu = app.district_id("binhu").await;
    let binhu_carrier = app
        .create_carrier(&operator, &binhu, json!({ "kind": "MAKERSPACE" }))
        .await;
    app.add_phase(&binhu_carrier, 400.0, "2021-01-01", "URBAN_RENEWAL")
        .await;
    let a = register(&app, 152, "戊企业", "2021-06-01").await;
    let b = register(&app, 153, "己企业", "2021-06-01").await;
    move_in(&app, &xinwu_carrier, &a, 500.0, "2022-03-01").await;
    move_in(&app, &binhu_carrier, &b, 200.0, "2022-03-01").await;
    let query = r#"{ byDistrict: occupancySummary(asOf: "2024-06-01", groupBy: DISTRICT) { district { code } occupancy { leasedAreaM2 leasableAreaM2 tenants } }
                    byKind: occupancySummary(asOf: "2024-06-01", groupBy: KIND) { kind occupancy { leasedAreaM2 leasableAreaM2 tenants } } }"#;
    let data = app.data(query, json!({})).await;
    let find = |list: &str, key: &str, value: &str| {
        data[list]
            .as_array()
            .expect("groups")
            .iter()
            .find(|g| g[key] == value || g[key]["code"] == value)
            .expect("a group")["occupancy"]
            .clone()
    };
    assert_eq!(
        find("byDistrict", "district", "xinwu"),
        json!({ "leasedAreaM2": 500.0, "leasableAreaM2": 1500.0, "tenants": 1 })
    );
    assert_eq!(
        find("byDistrict", "district", "binhu"),
        json!({ "leasedAreaM2": 200.0, "leasableAreaM2": 400.0, "tenants": 1 })
    );
    assert_eq!(
        find("byKind", "kind", "INCUBATOR"),
        json!({ "leasedAreaM2": 500.0, "leasableAreaM2": 1500.0, "tenants": 1 })
    );
    assert_eq!(
        find("byKind", "kind", "MAKERSPACE"),
        json!({ "leasedAreaM2": 200.0, "leasableAreaM2": 400.0, "tenants": 1 })
    );
}

/// Registered by the bureau, the enterprise is kept by no operator until the
/// bureau hands it to its host; hosting it alone shows nothing.
async fn confidential_figures_show_to_admin_and_the_custodian_only(app: TestApp) {
    let (host, carrier) = incubator(&app, 160).await;
    let input = json!({ "uscc": uscc(161), "name": "保密企业", "foundedOn": "2021-01-01", "financingRaised": "1000000" });
    let registered = app.data(REGISTER, json!({ "input": input })).await;
    let enterprise = registered["registerEnterprise"]["id"].clone();
    move_in(
        &app,
        &carrier,
        enterprise.as_str().expect("id"),
        100.0,
        "2023-01-01",
    )
    .await;
    let host_token = app.token("host", Role::Operator, Some(&host)).await;
    let query =
        "query($id: ID!) { enterprise(id: $id) { financingRaised version custodian { id } } }";
    let before = app
        .graphql_as(&host_token, query, json!({ "id": enterprise }))
        .await;
    assert_eq!(
        before["data"]["enterprise"]["financingRaised"],
        Value::Null,
        "{before}"
    );
    assert_eq!(
        before["data"]["enterprise"]["custodian"],
        Value::Null,
        "{before}"
    );
    let handed = app
        .data(
            "mutation($input: SetEnterpriseCustodianInput!) { setEnterpriseCustodian(input: $input) { custodian { id } } }",
            json!({ "input": { "enterpriseId": enterprise, "custodianOperatorId": host,
                               "version": before["data"]["enterprise"]["version"] } }),
        )
        .await;
    assert_eq!(
        handed["setEnterpriseCustodian"]["custodian"]["id"],
        json!(host)
    );
    let stranger = app.create_operator("旁观运营", 162).await;
    let query = "query($id: ID!) { enterprise(id: $id) { financingRaised } }";
    for (token, expected) in [
        (app.admin_token.clone(), json!("1000000.00")),
        (host_token.clone(), json!("1000000.00")),
        (
            app.token("stranger", Role::Operator, Some(&stranger)).await,
            Value::Null,
        ),
        (app.token("viewer", Role::Viewer, None).await, Value::Null),
    ] {
        let body = app
            .graphql_as(&token, query, json!({ "id": enterprise }))
            .await;
        assert_eq!(
            body["data"]["enterprise"]["financingRaised"], expected,
            "{body}"
        );
    }
}

const NESTED: &str = r#"query($first: Int!) { carriers(first: $first) { nodes {
  occupancy(asOf: "2024-06-01") { leasedAreaM2 rate }
  tenancies { areaM2 enterprise { name qualifications { kind } qualified(kind: HIGH_TECH, on: "2024-06-01") } }
} } }"#;

async fn a_page_of_carriers_with_tenants_costs_constant_statements(app: TestApp) {
    let operator = app.create_operator("批量运营", 170).await;
    let district = app.district_id("liangxi").await;
    for n in 0..20u32 {
        let carrier = app
            .create_carrier(
                &operator,
                &district,
                json!({ "name": format!("载体{n:02}") }),
            )
            .await;
        app.add_phase(&carrier, 1000.0, "2022-01-01", "NEW_BUILD")
            .await;
        let enterprise = register(&app, 1000 + n, &format!("企业{n:02}"), "2021-01-01").await;
        move_in(&app, &carrier, &enterprise, 100.0, "2023-01-01").await;
    }
    let mut counts = Vec::new();
    for size in [2, 20] {
        app.reset_statement_count();
        let data = app.data(NESTED, json!({ "first": size })).await;
        assert_eq!(
            data["carriers"]["nodes"].as_array().map(Vec::len),
            Some(size)
        );
        counts.push(app.statements().len());
    }
    assert_eq!(counts[0], counts[1], "statements for 2 and 20 carriers");
}

/// The load benchmark's page (`bench/page.zaiti.graphql`), sized by `$first`.
const BENCHMARK_PAGE: &str = r#"query($first: Int!) { carriers(first: $first) {
  totalCount pageInfo { hasNextPage endCursor }
  nodes {
    id name kind status landmark
    operator { id name } district { id code nameZh }
    phases { id areaM2 deliveredOn source }
    tenancies { id areaM2 movedInOn movedOutOn enterprise { id uscc name } }
  } } }"#;

async fn the_benchmark_page_costs_the_same_statements_for_1_10_and_100_carriers_of_20_tenants(
    app: TestApp,
) {
    let size = zaiti::demo::portfolio::Size {
        carriers: 100,
        tenancies_per_carrier: 20,
        operators: 10,
        ..Default::default()
    };
    zaiti::demo::portfolio::fill(&app.db, &size)
        .await
        .expect("the portfolio is written");
    let mut counts = Vec::new();
    for first in [1, 10, 100] {
        app.reset_statement_count();
        let data = app.data(BENCHMARK_PAGE, json!({ "first": first })).await;
        let statements = app.statements();
        let nodes = data["carriers"]["nodes"].as_array().expect("nodes");
        assert_eq!(nodes.len(), first);
        // 2,000 enterprises on the largest page: over async-graphql's default
        // batch of 1,000 keys, still one statement.
        for node in nodes {
            let tenancies = node["tenancies"].as_array().expect("tenancies");
            assert_eq!(tenancies.len(), 20, "{node}");
            assert!(
                tenancies
                    .iter()
                    .all(|t| t["enterprise"]["uscc"].is_string())
            );
        }
        assert!(
            statements.len() <= 8,
            "a page should cost a handful of statements:\n{}",
            statements.join("\n")
        );
        counts.push(statements.len());
    }
    assert_eq!(
        counts, [counts[0]; 3],
        "statements for pages of 1, 10 and 100"
    );
}

async fn an_operator_runs_the_tenancies_of_its_own_carriers(app: TestApp) {
    let (operator, carrier) = incubator(&app, 180).await;
    let token = app.token("孵化运营", Role::Operator, Some(&operator)).await;
    let input = json!({ "uscc": uscc(181), "name": "自家企业", "foundedOn": "2022-01-01" });
    let body = app
        .graphql_as(&token, REGISTER, json!({ "input": input }))
        .await;
    let enterprise = body["data"]["registerEnterprise"]["id"].clone();
    assert!(enterprise.is_string(), "{body}");
    let input = json!({ "carrierId": carrier, "enterpriseId": enterprise, "areaM2": 200.0, "movedInOn": "2023-03-01" });
    let body = app
        .graphql_as(&token, MOVE_IN, json!({ "input": input }))
        .await;
    let lease = body["data"]["moveIn"].clone();
    assert!(lease["id"].is_string(), "{body}");
    let move_out = "mutation($input: MoveOutInput!) { moveOut(input: $input) { movedOutOn } }";
    let body = app
        .graphql_as(
            &token,
            move_out,
            json!({ "input": { "id": lease["id"], "version": 1, "movedOutOn": "2024-03-01" } }),
        )
        .await;
    assert_eq!(
        body["data"]["moveOut"]["movedOutOn"], "2024-03-01",
        "{body}"
    );
    // Renaming an enterprise it never hosted is refused.
    let stranger = register(&app, 182, "他家企业", "2022-01-01").await;
    let input = json!({ "uscc": uscc(182), "name": "改名企业", "foundedOn": "2022-01-01" });
    let body = app
        .graphql_as(&token, REGISTER, json!({ "input": input }))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body} ({stranger})");
}

/// The body of an answer, byte for byte.
async fn raw_answer(app: &TestApp, query: &str, variables: Value) -> String {
    let response = app
        .post_graphql()
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("request reaches the server");
    assert_eq!(response.status(), 200);
    response.text().await.expect("a body")
}

/// A carrier's tenancies and their enterprises are resolved field after field
/// when the selection is plain, and by async-graphql otherwise: the bytes
/// must not tell the two apart (values, order, `__typename`, aliases).
async fn tenancies_answer_the_same_bytes_however_the_selection_is_written(app: TestApp) {
    let (_, carrier) = incubator(&app, 190).await;
    for n in 0..3 {
        let enterprise = register(&app, 191 + n, &format!("字节企业{n}"), "2022-02-02").await;
        move_in(
            &app,
            &carrier,
            &enterprise,
            50.0 + f64::from(n),
            "2023-03-03",
        )
        .await;
    }
    let plain = r#"query($id: ID!) { carrier(id: $id) { tenancies {
      __typename area: areaM2 id movedInOn movedOutOn status(asOf: "2024-01-01")
      enterprise { name __typename id uscc foundedOn financingRaised } } } }"#;
    let with_fragments = r#"query($id: ID!) { carrier(id: $id) { tenancies { ...T } } }
    fragment T on Tenancy {
      __typename area: areaM2 id movedInOn movedOutOn status(asOf: "2024-01-01")
      enterprise { ...E } }
    fragment E on Enterprise { name __typename id uscc foundedOn financingRaised }"#;
    let with_directives = r#"query($id: ID!) { carrier(id: $id) { tenancies {
      __typename area: areaM2 id @include(if: true) movedInOn movedOutOn status(asOf: "2024-01-01")
      enterprise { name __typename @skip(if: false) id uscc foundedOn financingRaised } } } }"#;
    // Two fields that wait (enterprise, carrier): async-graphql's path too.
    let two_waiting = r#"query($id: ID!) { carrier(id: $id) { tenancies {
      __typename area: areaM2 id movedInOn movedOutOn status(asOf: "2024-01-01")
      enterprise { name __typename id uscc foundedOn financingRaised } carrier { id } } } }"#;
    let variables = json!({ "id": carrier });
    let expected = raw_answer(&app, plain, variables.clone()).await;
    assert!(
        expected.starts_with(
            r#"{"data":{"carrier":{"tenancies":[{"__typename":"Tenancy","area":50.0,"id":"#
        ),
        "{expected}"
    );
    assert!(
        expected.contains(r#""enterprise":{"name":"字节企业0","__typename":"Enterprise","id":"#),
        "{expected}"
    );
    for query in [with_fragments, with_directives] {
        assert_eq!(raw_answer(&app, query, variables.clone()).await, expected);
    }
    let carrier_id = format!(r#","carrier":{{"id":"{carrier}"}}}}"#);
    let with_carrier = raw_answer(&app, two_waiting, variables).await;
    assert_eq!(
        with_carrier.matches(&carrier_id).count(),
        3,
        "{with_carrier}"
    );
    assert_eq!(
        with_carrier.replace(&carrier_id, "}"),
        expected,
        "the same tenancies, each with its carrier"
    );
}

/// Tenancies and enterprises, read in bulk, are decoded by column position
/// (`zaiti::store::decode`): each must come out as sea-orm's decoding by
/// name gives it, with every nullable column filled with a distinct value
/// so that two swapped columns of one type cannot pass.
async fn rows_decoded_by_position_equal_rows_decoded_by_name(app: TestApp) {
    use entity::{enterprise, operator, tenancy};
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
    let (_, carrier) = incubator(&app, 200).await;
    let enterprise_id = register(&app, 201, "逐列企业", "2021-01-01").await;
    move_in(&app, &carrier, &enterprise_id, 80.0, "2022-02-02").await;
    let date = |text: &str| text.parse::<chrono::NaiveDate>().expect("a date");
    let custodian = operator::Entity::find()
        .one(&app.db)
        .await
        .expect("read")
        .expect("an operator");
    let row = enterprise::Entity::find()
        .filter(enterprise::Column::Name.eq("逐列企业"))
        .one(&app.db)
        .await
        .expect("read")
        .expect("the enterprise");
    let mut filled = row.into_active_model();
    filled.landed_on = Set(Some(date("2021-03-03")));
    filled.industry = Set(Some("BIOMEDICINE".to_owned()));
    filled.headcount = Set(Some(37));
    filled.financing_raised_fen = Set(Some(123_456_789));
    filled.exited_on = Set(Some(date("2025-04-04")));
    filled.custodian_operator_id = Set(Some(custodian.id));
    let enterprise = filled.update(&app.db).await.expect("filled");
    let row = tenancy::Entity::find()
        .filter(tenancy::Column::EnterpriseId.eq(enterprise.id))
        .one(&app.db)
        .await
        .expect("read")
        .expect("the tenancy");
    let id = row.id;
    let mut filled = row.into_active_model();
    filled.unit = Set(Some("B栋302".to_owned()));
    filled.moved_out_on = Set(Some(date("2024-06-06")));
    filled.incubation_started_on = Set(date("2022-01-01"));
    filled.graduated_on = Set(Some(date("2024-05-05")));
    filled.graduation_route = Set(Some("HIGH_TECH_RECOGNISED".to_owned()));
    filled.previous_tenancy_id = Set(Some(id));
    filled.voided_at = Set(Some(chrono::Utc::now()));
    filled.void_reason = Set(Some("重复录入".to_owned()));
    filled.version = Set(7);
    let tenancy = filled.update(&app.db).await.expect("filled");

    let by_position = zaiti::store::rows_where_in::<enterprise::Entity>(
        &app.db,
        enterprise::Column::Id,
        [enterprise.id],
    )
    .await
    .expect("read by position");
    assert_eq!(by_position, [enterprise]);
    let by_position =
        zaiti::store::rows_where_in::<tenancy::Entity>(&app.db, tenancy::Column::Id, [id])
            .await
            .expect("read by position");
    assert_eq!(by_position, [tenancy]);
}

on_both_databases!(
    clocks_follow_the_kind_of_carrier_and_the_industry,
    an_operator_runs_the_tenancies_of_its_own_carriers,
    registering_twice_is_idempotent_and_updates_by_uscc,
    qualifications_answer_by_date,
    occupancy_follows_moves_on_every_date,
    impossible_tenancies_are_refused_and_nothing_is_written,
    graduation_and_tenant_clocks_follow_the_rules,
    summaries_by_district_and_kind_add_up,
    confidential_figures_show_to_admin_and_the_custodian_only,
    a_page_of_carriers_with_tenants_costs_constant_statements,
    the_benchmark_page_costs_the_same_statements_for_1_10_and_100_carriers_of_20_tenants,
    tenancies_answer_the_same_bytes_however_the_selection_is_written,
    rows_decoded_by_position_equal_rows_decoded_by_name,
);
