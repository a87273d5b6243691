//! 租赁合同与租金: leases of tenancies, their rules, who reads their rent,
//! the leases expiring soon and the monthly rent roll, on SQLite and PostgreSQL.

mod common;

use std::collections::HashMap;

use chrono::{Datelike, Months, NaiveDate};
use common::{TestApp, answer_of, error_code, uscc};
use futures_util::future::join_all;
use serde_json::{Value, json};
use zaiti::domain::access::Role;

const ADD_LEASE: &str = "mutation($input: AddLeaseInput!) { addLease(input: $input) { id contractNumber version rentRate deposit incubationDiscountPercent areaM2 hasOwnArea } }";
const AMEND_LEASE: &str = "mutation($input: AmendLeaseInput!) { amendLease(input: $input) { id version rentRate endsOn } }";
const VOID_LEASE: &str =
    "mutation($input: VoidRecordInput!) { voidLease(input: $input) { id version voidedAt } }";
const REGISTER: &str =
    "mutation($input: RegisterEnterpriseInput!) { registerEnterprise(input: $input) { id } }";
const MOVE_IN: &str = "mutation($input: MoveInInput!) { moveIn(input: $input) { id version } }";
const LEASE: &str = "query($id: ID!) { node(id: $id) { ... on Lease { contractNumber startsOn endsOn areaM2 rentFreeMonths rentRate deposit incubationDiscountPercent } } }";
const ROLL: &str = "query($carrier: ID!, $month: String!) { rentRoll(carrierId: $carrier, month: $month) {
  month daysInMonth totalYuan totalWanYuan
  lines { lease { contractNumber startsOn endsOn rentFreeMonths } daysInForce rentFreeDays chargeableDays areaM2 rentRate incubationDiscountPercent amountYuan amountWanYuan } } }";
const EXPIRING: &str = "query($days: Int!, $asOf: Date, $first: Int, $offset: Int) {
  leasesExpiring(withinDays: $days, asOf: $asOf, first: $first, offset: $offset) { totalCount leases { contractNumber endsOn rentRate } } }";

/// An incubator of a new operator with a phase of `area` m² delivered in
/// 2022; the operator and the carrier.
async fn incubator(app: &TestApp, n: u32, area: f64) -> (String, String) {
    let operator = app.create_operator(&format!("租赁运营{n}"), 700 + n).await;
    let district = app.district_id("xinwu").await;
    let carrier = app
        .create_carrier(
            &operator,
            &district,
            json!({ "name": format!("租赁载体{n}"), "kind": "INCUBATOR" }),
        )
        .await;
    app.add_phase(&carrier, area, "2022-01-01", "NEW_BUILD")
        .await;
    (operator, carrier)
}

/// A tenancy of a new enterprise `n`; its id.
async fn tenancy(
    app: &TestApp,
    carrier: &str,
    n: u32,
    area: f64,
    moved_in: &str,
    moved_out: Option<&str>,
) -> String {
    let input =
        json!({ "uscc": uscc(n), "name": format!("租赁企业{n}"), "foundedOn": "2021-01-01" });
    let enterprise =
        app.data(REGISTER, json!({ "input": input })).await["registerEnterprise"]["id"]
            .as_str()
            .expect("an id")
            .to_owned();
    let input = json!({ "carrierId": carrier, "enterpriseId": enterprise, "areaM2": area,
                        "movedInOn": moved_in, "movedOutOn": moved_out });
    app.data(MOVE_IN, json!({ "input": input })).await["moveIn"]["id"]
        .as_str()
        .expect("an id")
        .to_owned()
}

fn lease_input(tenancy: &str, number: &str, from: &str, to: &str, rate: &str) -> Value {
    json!({ "tenancyId": tenancy, "contractNumber": number, "startsOn": from, "endsOn": to,
            "rentRate": rate, "signedOn": from })
}

/// Adds a lease as ADMIN; its id.
async fn lease(app: &TestApp, input: Value) -> String {
    app.data(ADD_LEASE, json!({ "input": input })).await["addLease"]["id"]
        .as_str()
        .expect("an id")
        .to_owned()
}

fn message(body: &Value) -> String {
    body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The answer in Chinese: a client that asks for no language gets Chinese.
async fn in_chinese(app: &TestApp, query: &str, variables: Value) -> Value {
    answer_of(
        &app.base_url,
        Some(&app.admin_token),
        true,
        query,
        variables,
    )
    .await
}

async fn leases_follow_their_tenancy_and_do_not_overlap(app: TestApp) {
    let (_, carrier) = incubator(&app, 1, 5000.0).await;
    let (_, elsewhere) = incubator(&app, 2, 5000.0).await;
    let ended = tenancy(&app, &carrier, 1, 100.0, "2025-01-01", Some("2028-01-01")).await;
    let open = tenancy(&app, &carrier, 2, 80.0, "2024-01-01", None).await;
    let foreign = tenancy(&app, &elsewhere, 3, 80.0, "2024-01-01", None).await;

    // 2025-01-01至2027-12-31: the last day is the day before moving out.
    let mut input = lease_input(&ended, "XW-2025-001", "2025-01-01", "2027-12-31", "1.35");
    input["deposit"] = json!("12150");
    input["rentFreeMonths"] = json!(2);
    input["incubationDiscountPercent"] = json!("12.5");
    let added = app.data(ADD_LEASE, json!({ "input": input })).await["addLease"].clone();
    assert_eq!(added["rentRate"], "1.35");
    assert_eq!(added["deposit"], "12150.00");
    assert_eq!(added["incubationDiscountPercent"], "12.50");
    assert_eq!(added["areaM2"], 100.0);
    assert_eq!(added["hasOwnArea"], false);
    let first = added["id"].as_str().expect("an id").to_owned();

    // A term past the tenancy's move-out, or before its move-in, in both languages.
    let late = lease_input(&ended, "XW-2025-002", "2027-06-01", "2028-01-01", "1.35");
    let body = app.graphql(ADD_LEASE, json!({ "input": late })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert!(message(&body).contains("2028-01-01"), "{body}");
    let zh = in_chinese(&app, ADD_LEASE, json!({ "input": late })).await;
    assert!(message(&zh).contains("2028年1月1日"), "{zh}");
    let early = lease_input(&open, "XW-2023-001", "2023-12-01", "2024-12-31", "1.2");
    let body = app.graphql(ADD_LEASE, json!({ "input": early })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");

    // Renewals follow each other; an overlapping one is a CONFLICT.
    lease(
        &app,
        lease_input(&open, "XW-2024-001", "2024-01-01", "2025-12-31", "1.2"),
    )
    .await;
    let renewal = lease(
        &app,
        lease_input(&open, "XW-2026-001", "2026-01-01", "2027-12-31", "1.3"),
    )
    .await;
    let overlap = lease_input(&open, "XW-2026-009", "2027-12-31", "2029-12-31", "1.3");
    let body = app.graphql(ADD_LEASE, json!({ "input": overlap })).await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    // A contract number is used once in a carrier, not across carriers.
    let taken = lease_input(&open, "XW-2025-001", "2028-01-01", "2029-12-31", "1.3");
    let body = app.graphql(ADD_LEASE, json!({ "input": taken })).await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    lease(
        &app,
        lease_input(&foreign, "XW-2025-001", "2024-01-01", "2024-12-31", "1.3"),
    )
    .await;
    // Rates and discounts are exact decimals; a float's noise is refused.
    for (field, value) in [
        ("rentRate", json!("1.234567")),
        ("rentRate", json!("0")),
        ("incubationDiscountPercent", json!("100.5")),
        ("deposit", json!("-1")),
        ("rentFreeMonths", json!(-1)),
    ] {
        let mut input = lease_input(&open, "XW-2030-001", "2028-01-01", "2028-12-31", "1.3");
        input[field] = value;
        let body = app.graphql(ADD_LEASE, json!({ "input": input })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{field}: {body}");
    }

    // Amending with the version read; a stale version is a CONFLICT.
    let amend = json!({ "input": { "id": renewal, "version": 1, "reason": "按合同原件更正", "rentRate": "1.32" } });
    let amended = app.data(AMEND_LEASE, amend.clone()).await;
    assert_eq!(amended["amendLease"]["version"], 2);
    assert_eq!(amended["amendLease"]["rentRate"], "1.32");
    let stale = app.graphql(AMEND_LEASE, amend).await;
    assert_eq!(error_code(&stale), "CONFLICT", "{stale}");
    // An amendment meets the rules of adding: no overlap with the first lease.
    let back = json!({ "input": { "id": renewal, "version": 2, "reason": "更正", "startsOn": "2025-12-01" } });
    assert_eq!(
        error_code(&app.graphql(AMEND_LEASE, back).await),
        "CONFLICT"
    );

    // A voided lease counts nowhere: its number and term are free again; a void is final.
    let void = json!({ "input": { "id": first, "version": 1, "reason": "重复录入" } });
    let voided = app.data(VOID_LEASE, void.clone()).await;
    assert!(voided["voidLease"]["voidedAt"].is_string(), "{voided}");
    assert_eq!(error_code(&app.graphql(VOID_LEASE, void).await), "CONFLICT");
    lease(
        &app,
        lease_input(&ended, "XW-2025-001", "2025-01-01", "2027-12-31", "1.35"),
    )
    .await;
    let listed = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Tenancy { leases { contractNumber } all: leases(includeVoided: true) { voidReason } } } }",
            json!({ "id": ended }),
        )
        .await;
    assert_eq!(listed["node"]["leases"].as_array().map(Vec::len), Some(1));
    assert_eq!(listed["node"]["all"].as_array().map(Vec::len), Some(2));

    // Every write left its audit event: 5 leases added, 1 amended, 1 voided.
    let events = app
        .data(
            r#"{ auditEvents(first: 50, filter: { entityType: "Lease" }) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(events["auditEvents"]["totalCount"], 7, "{events}");
}

/// A tenancy keeps the leases it holds: moving out, graduating and moving
/// out, changing the area, correcting its dates or voiding it are refused
/// while a lease would fall outside it, naming the lease; once the lease is
/// amended or voided, the change goes through.
async fn a_tenancy_keeps_its_leases(app: TestApp) {
    let (_, carrier) = incubator(&app, 3, 5000.0).await;
    let held = tenancy(&app, &carrier, 11, 100.0, "2024-01-01", None).await;
    let first = lease(
        &app,
        lease_input(&held, "KP-2024-001", "2024-01-01", "2026-12-31", "1.2"),
    )
    .await;
    let refusals = [
        (
            "mutation($input: MoveOutInput!) { moveOut(input: $input) { version } }",
            json!({ "id": held, "version": 1, "movedOutOn": "2026-07-01" }),
            "movedOutOn",
        ),
        (
            "mutation($input: GraduateInput!) { graduate(input: $input) { version } }",
            json!({ "id": held, "version": 1, "graduatedOn": "2026-07-01", "route": "HIGH_TECH_RECOGNISED" }),
            "graduatedOn",
        ),
        (
            "mutation($input: ChangeTenancyAreaInput!) { changeTenancyArea(input: $input) { version } }",
            json!({ "id": held, "version": 1, "areaM2": 150.0, "effectiveOn": "2025-07-01" }),
            "effectiveOn",
        ),
        (
            "mutation($input: AmendTenancyInput!) { amendTenancy(input: $input) { version } }",
            json!({ "id": held, "version": 1, "reason": "按合同更正", "movedInOn": "2024-03-01" }),
            "movedInOn",
        ),
        (
            "mutation($input: AmendTenancyInput!) { amendTenancy(input: $input) { version } }",
            json!({ "id": held, "version": 1, "reason": "按合同更正", "movedOutOn": "2025-01-01" }),
            "movedOutOn",
        ),
        (
            "mutation($input: VoidRecordInput!) { voidTenancy(input: $input) { version } }",
            json!({ "id": held, "version": 1, "reason": "重复录入" }),
            "id",
        ),
    ];
    for (mutation, input, field) in &refusals {
        let body = app.graphql(mutation, json!({ "input": input })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{mutation}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], *field, "{body}");
        assert!(message(&body).contains("KP-2024-001"), "{body}");
        let zh = in_chinese(&app, mutation, json!({ "input": input })).await;
        assert!(message(&zh).contains("KP-2024-001"), "{zh}");
    }
    // Nothing was written: the tenancy is still at version 1, without an end.
    let stored = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Tenancy { version movedOutOn } } }",
            json!({ "id": held }),
        )
        .await;
    assert_eq!(stored["node"]["version"], 1, "{stored}");
    assert!(stored["node"]["movedOutOn"].is_null(), "{stored}");

    // Moving out the day after the lease's last day keeps it; so does the
    // move-out once the lease is shortened.
    let shortened = json!({ "input": { "id": first, "version": 1, "reason": "提前退租", "endsOn": "2026-06-30" } });
    app.data(AMEND_LEASE, shortened).await;
    let out = json!({ "input": { "id": held, "version": 1, "movedOutOn": "2026-07-01" } });
    let moved = app
        .data(
            "mutation($input: MoveOutInput!) { moveOut(input: $input) { version movedOutOn } }",
            out,
        )
        .await;
    assert_eq!(moved["moveOut"]["movedOutOn"], "2026-07-01", "{moved}");
    // Voided once its lease is voided.
    app.data(
        VOID_LEASE,
        json!({ "input": { "id": first, "version": 2, "reason": "重复录入" } }),
    )
    .await;
    let void = json!({ "input": { "id": held, "version": 2, "reason": "重复录入" } });
    let voided = app
        .data(
            "mutation($input: VoidRecordInput!) { voidTenancy(input: $input) { voidedAt } }",
            void,
        )
        .await;
    assert!(voided["voidTenancy"]["voidedAt"].is_string(), "{voided}");
}

/// A move-out and a lease past it, sent at once: the carrier's lock orders
/// them, so exactly one of each pair is written and no lease ends up outside
/// its tenancy.
async fn a_move_out_and_a_lease_past_it_at_once_write_one(app: TestApp) {
    let (_, carrier) = incubator(&app, 4, 5000.0).await;
    let mut pairs = Vec::new();
    for n in 0..5 {
        let held = tenancy(&app, &carrier, 20 + n, 50.0, "2024-01-01", None).await;
        let out = app.graphql(
            "mutation($input: MoveOutInput!) { moveOut(input: $input) { version } }",
            json!({ "input": { "id": held, "version": 1, "movedOutOn": "2025-07-01" } }),
        );
        let add = app.graphql(
            ADD_LEASE,
            json!({ "input": lease_input(&held, &format!("RACE-{n}"), "2025-01-01", "2025-12-31", "1.1") }),
        );
        pairs.push(async move { futures_util::join!(out, add) });
    }
    for (out, add) in join_all(pairs).await {
        let written = [&out, &add]
            .iter()
            .filter(|body| body["errors"].is_null())
            .count();
        assert_eq!(written, 1, "move-out {out}, lease {add}");
        let refused = if out["errors"].is_null() { &add } else { &out };
        assert_eq!(error_code(refused), "BAD_USER_INPUT", "{refused}");
    }
}

/// The rent of a lease is for ADMIN and its carrier's OPERATOR; others see
/// that the lease exists, with null rent, deposit, discount and amounts,
/// also in the rent roll and the audit trail.
async fn rent_is_confidential_to_admin_and_the_carriers_operator(app: TestApp) {
    let (mine, carrier) = incubator(&app, 3, 5000.0).await;
    let (theirs, _) = incubator(&app, 4, 5000.0).await;
    let tenancy_id = tenancy(&app, &carrier, 4, 100.0, "2025-01-01", None).await;
    let mut input = lease_input(&tenancy_id, "HT-001", "2025-01-01", "2026-12-31", "1.8");
    input["deposit"] = json!("5400");
    input["incubationDiscountPercent"] = json!("30");
    let id = lease(&app, input).await;
    let own = app.token("本家运营", Role::Operator, Some(&mine)).await;
    let other = app.token("他家运营", Role::Operator, Some(&theirs)).await;
    let bureau = app.token("科技局", Role::Bureau, None).await;
    let viewer = app.token("查看", Role::Viewer, None).await;
    let as_admin = app.data(LEASE, json!({ "id": id })).await;
    assert_eq!(as_admin["node"]["rentRate"], "1.80");
    assert_eq!(as_admin["node"]["deposit"], "5400.00");
    assert_eq!(as_admin["node"]["incubationDiscountPercent"], "30.00");
    let mine_sees = app.graphql_as(&own, LEASE, json!({ "id": id })).await;
    assert_eq!(mine_sees["data"]["node"], as_admin["node"], "{mine_sees}");
    let roll = json!({ "carrier": carrier, "month": "2025-03" });
    let own_roll = app.graphql_as(&own, ROLL, roll.clone()).await;
    // 100 m² × 1.80 × 31 days × 70% = 3,906.00 元.
    assert_eq!(
        own_roll["data"]["rentRoll"]["totalYuan"], "3906.00",
        "{own_roll}"
    );
    assert_eq!(own_roll["data"]["rentRoll"]["totalWanYuan"], "0.3906");
    for (who, token) in [
        ("other operator", &other),
        ("bureau", &bureau),
        ("viewer", &viewer),
    ] {
        let body = app.graphql_as(token, LEASE, json!({ "id": id })).await;
        assert!(body.get("errors").is_none(), "{who}: {body}");
        let node = &body["data"]["node"];
        assert_eq!(node["contractNumber"], "HT-001", "{who}");
        assert_eq!(node["endsOn"], "2026-12-31", "{who}");
        for field in ["rentRate", "deposit", "incubationDiscountPercent"] {
            assert_eq!(node[field], Value::Null, "{who}: {field}");
        }
        let body = app.graphql_as(token, ROLL, roll.clone()).await;
        assert!(body.get("errors").is_none(), "{who}: {body}");
        let rent_roll = &body["data"]["rentRoll"];
        assert_eq!(rent_roll["totalYuan"], Value::Null, "{who}");
        assert_eq!(rent_roll["totalWanYuan"], Value::Null, "{who}");
        let line = &rent_roll["lines"][0];
        assert_eq!(line["daysInForce"], 31, "{who}");
        for field in [
            "rentRate",
            "incubationDiscountPercent",
            "amountYuan",
            "amountWanYuan",
        ] {
            assert_eq!(line[field], Value::Null, "{who}: {field}");
        }
    }
    // The expiring list is for the lease managers: not for BUREAU or VIEWER.
    for token in [&bureau, &viewer] {
        let body = app.graphql_as(token, EXPIRING, json!({ "days": 60 })).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    }
    // Another operator cannot write the lease.
    let amend = json!({ "input": { "id": id, "version": 1, "reason": "x", "rentRate": "0.5" } });
    let body = app.graphql_as(&other, AMEND_LEASE, amend).await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");

    // The audit trail masks the rent once the carrier passes to another
    // operator: its former operator still reads its own events, not the rent.
    let events =
        r#"{ auditEvents(first: 10, filter: { entityType: "Lease" }) { nodes { after } } }"#;
    let own_events = app.graphql_as(&own, events, json!({})).await;
    let after = &own_events["data"]["auditEvents"]["nodes"][0]["after"];
    assert_eq!(after["rent_rate_e4"], 18_000, "{own_events}");
    assert_eq!(after["deposit_fen"], 540_000, "{own_events}");
    let carrier_version = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Carrier { version } } }",
            json!({ "id": carrier }),
        )
        .await["node"]["version"]
        .clone();
    app.data(
        "mutation($input: UpdateCarrierInput!) { updateCarrier(input: $input) { id } }",
        json!({ "input": { "id": carrier, "version": carrier_version, "operatorId": theirs } }),
    )
    .await;
    let own_events = app.graphql_as(&own, events, json!({})).await;
    let after = &own_events["data"]["auditEvents"]["nodes"][0]["after"];
    assert_eq!(after["contract_number"], "HT-001", "{own_events}");
    for field in ["rent_rate_e4", "deposit_fen", "discount_bp"] {
        assert_eq!(after[field], "CONFIDENTIAL", "{field}: {own_events}");
    }
    // ...and the new operator reads the rent.
    let theirs_now = app.graphql_as(&other, LEASE, json!({ "id": id })).await;
    assert_eq!(
        theirs_now["data"]["node"]["rentRate"], "1.80",
        "{theirs_now}"
    );
}

fn day(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

/// A lease's rent in a month, recomputed here from the contract's figures,
/// independently of the server: day by day, in integers of 10^-8 fen.
fn expected_fen(
    from: &str,
    to: &str,
    area: f64,
    rate_e4: i128,
    free_months: u32,
    discount_bp: i128,
    month: &str,
) -> Option<i64> {
    let (from, to) = (day(from), day(to));
    let free_until = from + Months::new(free_months);
    let first = day(&format!("{month}-01"));
    let mut chargeable = 0i128;
    let mut in_force = false;
    let mut date = first;
    while date.month() == first.month() {
        if from <= date && date <= to {
            in_force = true;
            if date >= free_until {
                chargeable += 1;
            }
        }
        date = date.succ_opt().expect("a next day");
    }
    let area = (area * 100.0).round() as i128;
    let exact = area * rate_e4 * chargeable * (10_000 - discount_bp);
    in_force.then(|| i64::try_from((exact * 2 + 100_000_000) / 200_000_000).expect("small"))
}

fn fen(text: &str) -> i64 {
    let (whole, fraction) = text.split_once('.').expect("two decimals");
    whole.parse::<i64>().expect("yuan") * 100 + fraction.parse::<i64>().expect("fen")
}

/// The rent roll has a line per lease in force in the month, each as the
/// contract's figures give it, and a total that is the sum of its lines.
async fn the_rent_roll_adds_up(app: TestApp) {
    let (_, carrier) = incubator(&app, 5, 5000.0).await;
    // (area, from, to, rate, 10^-4 元, rent-free months, discount in 0.01%)
    let leases = [
        (123.45, "2025-01-01", "2027-12-31", "0.85", 8_500, 0, 2_000),
        (66.67, "2026-02-15", "2028-02-14", "1.35", 13_500, 1, 0),
        (250.0, "2024-03-01", "2026-03-10", "2.4", 24_000, 0, 1_250),
        (33.33, "2026-03-20", "2027-03-19", "1.2345", 12_345, 0, 333),
        (40.0, "2024-01-01", "2026-02-28", "1.1", 11_000, 0, 0),
    ];
    let mut numbers = HashMap::new();
    for (n, (area, from, to, rate, _, free, bp)) in leases.iter().enumerate() {
        let n = u32::try_from(n).expect("small");
        let tenancy_id = tenancy(&app, &carrier, 10 + n, *area, "2024-01-01", None).await;
        let mut input = lease_input(&tenancy_id, &format!("RR-{n}"), from, to, rate);
        input["rentFreeMonths"] = json!(free);
        input["incubationDiscountPercent"] = json!(format!("{}.{:02}", bp / 100, bp % 100));
        lease(&app, input).await;
        numbers.insert(format!("RR-{n}"), n as usize);
    }
    // A voided lease is on no roll.
    let extra = tenancy(&app, &carrier, 30, 10.0, "2024-01-01", None).await;
    let voided = lease(
        &app,
        lease_input(&extra, "RR-VOID", "2024-01-01", "2030-12-31", "2"),
    )
    .await;
    app.data(
        VOID_LEASE,
        json!({ "input": { "id": voided, "version": 1, "reason": "录入错误" } }),
    )
    .await;
    for month in ["2026-02", "2026-03", "2025-07"] {
        let roll = app
            .data(ROLL, json!({ "carrier": carrier, "month": month }))
            .await["rentRoll"]
            .clone();
        let lines = roll["lines"].as_array().expect("lines");
        let mut expected_lines = 0;
        let mut sum = 0;
        for (area, from, to, _, rate_e4, free, bp) in leases {
            if expected_fen(from, to, area, rate_e4, free, bp, month).is_some() {
                expected_lines += 1;
            }
        }
        assert_eq!(lines.len(), expected_lines, "{month}: {roll}");
        for line in lines {
            let number = line["lease"]["contractNumber"].as_str().expect("a number");
            let (area, from, to, _, rate_e4, free, bp) = leases[numbers[number]];
            let expected = expected_fen(from, to, area, rate_e4, free, bp, month)
                .expect("only leases in force are listed");
            let amount = fen(line["amountYuan"].as_str().expect("an amount"));
            assert_eq!(amount, expected, "{month} {number}: {line}");
            sum += amount;
        }
        assert_eq!(
            fen(roll["totalYuan"].as_str().expect("a total")),
            sum,
            "{month}: {roll}"
        );
    }
    // March 2026: the third lease ends on the 10th (10 days), the fourth starts on the 20th.
    let march = app
        .data(ROLL, json!({ "carrier": carrier, "month": "2026-03" }))
        .await["rentRoll"]
        .clone();
    let days: HashMap<&str, (i64, i64)> = march["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|line| {
            (
                line["lease"]["contractNumber"].as_str().expect("a number"),
                (
                    line["daysInForce"].as_i64().expect("days"),
                    line["rentFreeDays"].as_i64().expect("days"),
                ),
            )
        })
        .collect();
    assert_eq!(days["RR-2"], (10, 0));
    assert_eq!(days["RR-3"], (12, 0));
    // Rent-free from 15 February to 14 March 2026.
    assert_eq!(days["RR-1"], (31, 14));
    assert!(!days.contains_key("RR-4"), "ended in February");
    let bad = app
        .graphql(ROLL, json!({ "carrier": carrier, "month": "2026-13" }))
        .await;
    assert_eq!(error_code(&bad), "BAD_USER_INPUT", "{bad}");
}

/// `leasesExpiring`: an OPERATOR sees its own carriers' leases ending within
/// the window, ADMIN every carrier's; paged and counted.
async fn expiring_leases_are_scoped_to_the_operator(app: TestApp) {
    let (mine, carrier) = incubator(&app, 6, 5000.0).await;
    let (_, elsewhere) = incubator(&app, 7, 5000.0).await;
    let ends = [
        (&carrier, "2026-01-10"),
        (&carrier, "2026-02-20"),
        (&carrier, "2026-04-30"),
        (&elsewhere, "2026-01-31"),
        (&carrier, "2025-12-31"),
    ];
    for (n, (at, to)) in ends.iter().enumerate() {
        let n = u32::try_from(n).expect("small");
        let tenancy_id = tenancy(&app, at, 40 + n, 50.0, "2024-01-01", None).await;
        lease(
            &app,
            lease_input(&tenancy_id, &format!("EX-{n}"), "2024-01-01", to, "1.5"),
        )
        .await;
    }
    let own = app.token("到期运营", Role::Operator, Some(&mine)).await;
    let window = json!({ "days": 60, "asOf": "2026-01-01" });
    let body = app.graphql_as(&own, EXPIRING, window.clone()).await;
    let page = &body["data"]["leasesExpiring"];
    let numbers: Vec<&str> = page["leases"]
        .as_array()
        .expect("leases")
        .iter()
        .map(|lease| lease["contractNumber"].as_str().expect("a number"))
        .collect();
    assert_eq!(numbers, ["EX-0", "EX-1"], "{body}");
    assert_eq!(page["totalCount"], 2);
    assert_eq!(page["leases"][0]["rentRate"], "1.50");
    let all = app.data(EXPIRING, window).await["leasesExpiring"].clone();
    assert_eq!(all["totalCount"], 3, "{all}");
    assert_eq!(all["leases"][1]["contractNumber"], "EX-3", "{all}");
    let second = app
        .data(
            EXPIRING,
            json!({ "days": 60, "asOf": "2026-01-01", "first": 1, "offset": 1 }),
        )
        .await["leasesExpiring"]
        .clone();
    assert_eq!(second["leases"].as_array().map(Vec::len), Some(1));
    assert_eq!(second["leases"][0]["contractNumber"], "EX-3");
    assert_eq!(second["totalCount"], 3);
    let too_far = app.graphql(EXPIRING, json!({ "days": 100_000 })).await;
    assert_eq!(error_code(&too_far), "BAD_USER_INPUT", "{too_far}");
}

/// Ten overlapping leases of one tenancy asked for at once: exactly one is
/// written, the others get CONFLICT.
async fn simultaneous_overlapping_leases_write_one(app: TestApp) {
    const AT_ONCE: usize = 10;
    let (_, carrier) = incubator(&app, 8, 5000.0).await;
    let tenancy_id = tenancy(&app, &carrier, 60, 100.0, "2024-01-01", None).await;
    let inputs: Vec<Value> = (0..AT_ONCE)
        .map(|n| {
            let from = format!("2025-0{}-01", 1 + n % 9);
            lease_input(&tenancy_id, &format!("SIM-{n}"), &from, "2027-12-31", "1.5")
        })
        .collect();
    let answers = join_all(
        inputs
            .iter()
            .map(|input| app.graphql(ADD_LEASE, json!({ "input": input }))),
    )
    .await;
    let succeeded = answers.iter().filter(|a| a.get("errors").is_none()).count();
    assert_eq!(succeeded, 1, "{answers:#?}");
    for refused in answers.iter().filter(|a| a.get("errors").is_some()) {
        assert_eq!(error_code(refused), "CONFLICT", "{refused}");
    }
    assert_eq!(app.count_rows("lease").await, 1);
}

const LEASES_OF_TENANCIES: &str = r#"query($first: Int!) { carriers(first: $first) { nodes {
  tenancies { leases { contractNumber areaM2 rentRate carrier { name } } }
} } }"#;

/// A page of carriers with their tenancies' leases costs the same SQL
/// statements for 1 carrier as for 3.
async fn tenancy_leases_cost_the_same_statements_for_1_and_3_carriers(app: TestApp) {
    for c in 0..3u32 {
        let (_, carrier) = incubator(&app, 20 + c, 5000.0).await;
        for t in 0..2u32 {
            let tenancy_id =
                tenancy(&app, &carrier, 100 + c * 10 + t, 50.0, "2024-01-01", None).await;
            for (k, (from, to)) in [("2024-01-01", "2024-12-31"), ("2025-01-01", "2026-12-31")]
                .iter()
                .enumerate()
            {
                lease(
                    &app,
                    lease_input(&tenancy_id, &format!("C{c}-T{t}-{k}"), from, to, "1.1"),
                )
                .await;
            }
        }
    }
    let mut counts: HashMap<usize, usize> = HashMap::new();
    for first in [1, 3] {
        app.reset_statement_count();
        let data = app
            .data(LEASES_OF_TENANCIES, json!({ "first": first }))
            .await;
        let leases: usize = data["carriers"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .flat_map(|c| c["tenancies"].as_array().expect("tenancies").iter())
            .map(|t| t["leases"].as_array().map_or(0, Vec::len))
            .sum();
        assert_eq!(leases, 4 * first, "{data}");
        counts.insert(first, app.statements().len());
    }
    assert_eq!(
        counts[&1], counts[&3],
        "statements for 1 and 3 carriers: {counts:?}"
    );
}

/// The sample file imports into the demo data with the command the README
/// shows; a second run is refused row by row and writes nothing; a bad file
/// gets every bad cell by row and column.
async fn leases_import_from_a_spreadsheet_all_or_nothing(app: TestApp) {
    app.load_demo().await;
    let before = app.count_rows("lease").await;
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/leases.csv");
    let rows = std::fs::read_to_string(sample)
        .expect("the sample")
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .count();
    let done = app.cli(&["import", "leases", sample]);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(
        String::from_utf8_lossy(&done.stdout).contains(&format!("{rows} leases written")),
        "{}",
        String::from_utf8_lossy(&done.stdout)
    );
    let written = before + i64::try_from(rows).expect("small");
    assert_eq!(app.count_rows("lease").await, written);
    let again = app.cli(&["import", "leases", sample]);
    assert!(!again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert_eq!(
        stderr.matches("another lease of this tenancy").count(),
        rows,
        "{stderr}"
    );
    // An overlap is the term's fault: reported on its start, not on the number.
    let start_column = std::fs::read_to_string(sample)
        .expect("the sample")
        .lines()
        .next()
        .and_then(|header| {
            header
                .trim_start_matches('\u{feff}')
                .split(',')
                .nth(3)
                .map(str::to_owned)
        })
        .expect("a header");
    assert_eq!(
        stderr.matches(&format!("column {start_column}:")).count(),
        rows,
        "{stderr}"
    );
    assert_eq!(app.count_rows("lease").await, written);
    // The imported leases are on their carrier's rent roll, and it adds up.
    let roll = app
        .data(
            ROLL,
            json!({ "carrier": "Q2Fycmllcjox", "month": "2021-03" }),
        )
        .await["rentRoll"]
        .clone();
    let lines = roll["lines"].as_array().expect("lines");
    assert!(
        lines
            .iter()
            .any(|line| line["lease"]["contractNumber"] == "HT2020-002"),
        "{roll}"
    );
    let sum: i64 = lines
        .iter()
        .map(|line| fen(line["amountYuan"].as_str().expect("an amount")))
        .sum();
    assert_eq!(fen(roll["totalYuan"].as_str().expect("a total")), sum);

    // Every bad cell, by row and column; nothing is written.
    let bad = "载体ID,统一社会信用代码,合同编号,租期开始,租期结束,租金单价,签订日期\n\
        1,91320211MAWQB8XQ3C,N-1,2020-01-08,2019-01-07,1.2,2019-12-20\n\
        1,91320211MAWQB8XQ3C,N-2,2020-01-08,2021-01-07,abc,2019-12-20\n";
    let plan = zaiti::import::leases::plan("bad.csv", bad.as_bytes()).expect("readable");
    let found: Vec<(u32, Option<String>)> = plan
        .errors
        .iter()
        .map(|e| (e.row, e.column.clone()))
        .collect();
    assert_eq!(
        found,
        [
            (2, Some("租期结束".to_owned())),
            (3, Some("租金单价".to_owned()))
        ],
        "{:#?}",
        plan.errors
    );
    // A row whose tenant has no tenancy in the carrier on the term's first day.
    let stray = "载体ID,统一社会信用代码,合同编号,租期开始,租期结束,租金单价,签订日期\n\
        2,91320211MAWQB8XQ3C,N-3,2020-01-08,2021-01-07,1.2,2019-12-20\n";
    let plan = zaiti::import::leases::plan("stray.csv", stray.as_bytes()).expect("readable");
    let actor = zaiti::domain::access::Actor::system("test import");
    let summary = zaiti::import::leases::run(&app.db, &actor, plan, false)
        .await
        .expect("a summary");
    assert!(!summary.committed);
    assert_eq!(summary.errors.len(), 1, "{:#?}", summary.errors);
    assert_eq!(summary.errors[0].row, 2);
    assert_eq!(app.count_rows("lease").await, written);
}

/// The demo gives most tenancies in force a lease in force today, at Wuxi
/// rents, with renewals and some leases ending within 60 days.
async fn the_demo_has_leases_for_most_tenancies_in_force(app: TestApp) {
    use entity::{lease, tenancy};
    use sea_orm::EntityTrait;
    app.load_demo().await;
    let today = zaiti::store::today();
    let tenancies = tenancy::Entity::find()
        .all(&app.db)
        .await
        .expect("tenancies");
    let leases = lease::Entity::find().all(&app.db).await.expect("leases");
    let in_force: Vec<&tenancy::Model> = tenancies
        .iter()
        .filter(|t| {
            t.voided_at.is_none()
                && t.moved_in_on <= today
                && t.moved_out_on.is_none_or(|out| today < out)
        })
        .collect();
    let leased = in_force
        .iter()
        .filter(|t| {
            leases
                .iter()
                .any(|l| l.tenancy_id == t.id && l.starts_on <= today && today <= l.ends_on)
        })
        .count();
    assert!(
        leased * 10 >= in_force.len() * 7,
        "{leased} of {} tenancies in force hold a lease",
        in_force.len()
    );
    for lease in &leases {
        assert!((8_000..=25_000).contains(&lease.rent_rate_e4), "{lease:?}");
    }
    let mut per_tenancy: HashMap<i32, usize> = HashMap::new();
    for lease in &leases {
        *per_tenancy.entry(lease.tenancy_id).or_default() += 1;
    }
    assert!(per_tenancy.values().any(|&n| n > 1), "some renewals");
    let soon = app.data(EXPIRING, json!({ "days": 60 })).await["leasesExpiring"]["totalCount"]
        .as_i64()
        .expect("a count");
    assert!(soon >= 5, "{soon} leases end within 60 days");
    // Loading again writes nothing more.
    app.load_demo().await;
    assert_eq!(
        app.count_rows("lease").await,
        i64::try_from(leases.len()).expect("small")
    );
}

on_both_databases!(
    leases_follow_their_tenancy_and_do_not_overlap,
    a_tenancy_keeps_its_leases,
    a_move_out_and_a_lease_past_it_at_once_write_one,
    rent_is_confidential_to_admin_and_the_carriers_operator,
    the_rent_roll_adds_up,
    expiring_leases_are_scoped_to_the_operator,
    simultaneous_overlapping_leases_write_one,
    tenancy_leases_cost_the_same_statements_for_1_and_3_carriers,
    leases_import_from_a_spreadsheet_all_or_nothing,
    the_demo_has_leases_for_most_tenancies_in_force,
);
