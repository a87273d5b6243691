//! Many writers at once: rules that span rows hold under simultaneous
//! requests to a real server, on PostgreSQL (which does not serialise
//! writes) as on SQLite. Each test fires its requests together, in several
//! rounds, and checks the invariant in the database afterwards, not only
//! that nothing failed.

mod common;

use common::{TestApp, database_id, error_code, uscc};
use futures_util::future::join_all;
use serde_json::{Value, json};

const ROUNDS: u32 = 3;
const AT_ONCE: usize = 10;

const REGISTER: &str =
    "mutation($input: RegisterEnterpriseInput!) { registerEnterprise(input: $input) { id } }";
const MOVE_IN: &str = "mutation($input: MoveInInput!) { moveIn(input: $input) { id version } }";
const MOVE_OUT: &str =
    "mutation($input: MoveOutInput!) { moveOut(input: $input) { id version movedOutOn } }";
const CHANGE_AREA: &str =
    "mutation($input: ChangeTenancyAreaInput!) { changeTenancyArea(input: $input) { id } }";
const GRADUATE: &str = "mutation($input: GraduateInput!) { graduate(input: $input) { id } }";

/// Posts the same query with each of `variables` at once; the answers in order.
async fn all_at_once(app: &TestApp, query: &str, variables: Vec<Value>) -> Vec<Value> {
    join_all(
        variables
            .into_iter()
            .map(|variables| app.graphql(query, variables)),
    )
    .await
}

fn succeeded(answers: &[Value]) -> usize {
    answers.iter().filter(|a| a.get("errors").is_none()).count()
}

/// A carrier of `area` m², delivered in 2022, of a new operator.
async fn carrier(app: &TestApp, n: u32, area: f64) -> String {
    let operator = app.create_operator(&format!("并发运营{n}"), 700 + n).await;
    let district = app.district_id("liangxi").await;
    let carrier = app
        .create_carrier(
            &operator,
            &district,
            json!({ "name": format!("并发载体{n}"), "kind": "INCUBATOR" }),
        )
        .await;
    app.add_phase(&carrier, area, "2022-01-01", "NEW_BUILD")
        .await;
    carrier
}

async fn enterprise(app: &TestApp, n: u32) -> String {
    let input =
        json!({ "uscc": uscc(n), "name": format!("并发企业{n}"), "foundedOn": "2021-01-01" });
    app.data(REGISTER, json!({ "input": input })).await["registerEnterprise"]["id"]
        .as_str()
        .expect("an id")
        .to_owned()
}

/// The most area leased in carrier `id` (database id) on any day, from the rows.
async fn peak_leased(app: &TestApp, id: i32) -> f64 {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let rows = entity::tenancy::Entity::find()
        .filter(entity::tenancy::Column::CarrierId.eq(id))
        .filter(entity::tenancy::Column::VoidedAt.is_null())
        .all(&app.db)
        .await
        .expect("tenancies");
    rows.iter()
        .map(|day| {
            rows.iter()
                .filter(|row| {
                    row.moved_in_on <= day.moved_in_on
                        && row.moved_out_on.is_none_or(|out| day.moved_in_on < out)
                })
                .map(|row| row.area_m2)
                .sum::<f64>()
        })
        .fold(0.0, f64::max)
}

/// Ten move-ins at once, each of 30% of the free area: three fit, and the
/// carrier never leases more than it has.
async fn simultaneous_move_ins_never_overbook_a_carrier(app: TestApp) {
    for round in 0..ROUNDS {
        let carrier = carrier(&app, round, 10_000.0).await;
        let mut variables = Vec::new();
        for i in 0..AT_ONCE {
            let n = 7_000 + round * 100 + u32::try_from(i).expect("small");
            let enterprise = enterprise(&app, n).await;
            variables.push(
                json!({ "input": { "carrierId": carrier, "enterpriseId": enterprise,
                                              "areaM2": 3_000.0, "movedInOn": "2023-01-01" } }),
            );
        }
        let answers = all_at_once(&app, MOVE_IN, variables).await;
        assert_eq!(succeeded(&answers), 3, "round {round}: {answers:#?}");
        for refused in answers.iter().filter(|a| a.get("errors").is_some()) {
            assert_eq!(error_code(refused), "BAD_USER_INPUT", "{refused}");
        }
        let peak = peak_leased(&app, database_id(&carrier)).await;
        assert!(
            peak <= 10_000.0,
            "round {round}: {peak} m² leased of 10,000"
        );
        assert_eq!(peak, 9_000.0);
    }
}

/// Ten identical move-ins of one enterprise at once: one tenancy, no overlap.
async fn simultaneous_identical_move_ins_store_one_tenancy(app: TestApp) {
    for round in 0..ROUNDS {
        let carrier = carrier(&app, 10 + round, 10_000.0).await;
        let enterprise = enterprise(&app, 7_500 + round).await;
        let input = json!({ "input": { "carrierId": carrier, "enterpriseId": enterprise,
                                       "areaM2": 100.0, "movedInOn": "2023-01-01" } });
        let answers = all_at_once(&app, MOVE_IN, vec![input; AT_ONCE]).await;
        assert_eq!(succeeded(&answers), 1, "round {round}: {answers:#?}");
        let stored = app
            .data(
                "query($id: ID!) { carrier(id: $id) { tenancies { id } } }",
                json!({ "id": carrier }),
            )
            .await;
        assert_eq!(
            stored["carrier"]["tenancies"].as_array().map(Vec::len),
            Some(1),
            "round {round}: {stored}"
        );
    }
}

/// Ten registrations of one new USCC at once all answer the same record.
async fn simultaneous_registrations_of_one_uscc_are_idempotent(app: TestApp) {
    for round in 0..ROUNDS {
        let input = json!({ "input": { "uscc": uscc(7_800 + round), "name": "同时登记科技有限公司",
                                       "foundedOn": "2021-01-01", "industry": "IOT" } });
        let answers = all_at_once(&app, REGISTER, vec![input; AT_ONCE]).await;
        assert_eq!(succeeded(&answers), AT_ONCE, "round {round}: {answers:#?}");
        let ids: std::collections::HashSet<&Value> = answers
            .iter()
            .map(|a| &a["data"]["registerEnterprise"]["id"])
            .collect();
        assert_eq!(ids.len(), 1, "round {round}: {ids:?}");
    }
    assert_eq!(app.count_rows("enterprise").await, i64::from(ROUNDS));
}

/// Ending one tenancy ten times at once, with the version read: once. The
/// others, and any later try with that version, get CONFLICT.
async fn a_tenancy_is_ended_once(app: TestApp) {
    let carrier = carrier(&app, 20, 10_000.0).await;
    for round in 0..ROUNDS {
        let enterprise = enterprise(&app, 7_900 + round).await;
        let input = json!({ "input": { "carrierId": carrier, "enterpriseId": enterprise,
                                       "areaM2": 100.0, "movedInOn": "2023-01-01" } });
        let tenancy = app.data(MOVE_IN, input).await["moveIn"]["id"].clone();
        let (mutation, input) = if round % 2 == 0 {
            (
                MOVE_OUT,
                json!({ "id": tenancy, "version": 1, "movedOutOn": "2024-01-01" }),
            )
        } else {
            (
                GRADUATE,
                json!({ "id": tenancy, "version": 1, "graduatedOn": "2024-01-01",
                               "route": "MERGED_ACQUIRED_OR_LISTED", "movesOut": true }),
            )
        };
        let answers = all_at_once(&app, mutation, vec![json!({ "input": input }); AT_ONCE]).await;
        assert_eq!(succeeded(&answers), 1, "round {round}: {answers:#?}");
        for refused in answers.iter().filter(|a| a.get("errors").is_some()) {
            assert_eq!(error_code(refused), "CONFLICT", "{refused}");
        }
        // Repeated later with the stale version: CONFLICT, before the rule
        // that a tenancy ends once is even looked at.
        let again = app.graphql(mutation, json!({ "input": input })).await;
        assert_eq!(error_code(&again), "CONFLICT", "{again}");
        let change = json!({ "input": { "id": tenancy, "version": 1, "areaM2": 50.0, "effectiveOn": "2023-06-01" } });
        let changed = app.graphql(CHANGE_AREA, change).await;
        assert_eq!(error_code(&changed), "CONFLICT", "{changed}");
    }
}

/// Two uploads at once, each for 60% of the free area: one commits.
async fn simultaneous_imports_hold_the_carriers_capacity(app: TestApp) {
    const HEADER: &str = "carrier_id,uscc,enterprise_name,founded_on,area_m2,moved_in_on";
    const IMPORT: &str = "mutation($file: Upload!) { importTenancies(file: $file, dryRun: false) { committed errors { message } } }";
    for round in 0..ROUNDS {
        let carrier = carrier(&app, 30 + round, 1_000.0).await;
        let forms = (0..2u32).map(|upload| {
            let n = 8_000 + round * 10 + upload;
            let csv = format!(
                "{HEADER}\n{carrier},{},上传企业{n},2021-01-01,600,2023-01-01\n",
                uscc(n)
            );
            let operations = json!({ "query": IMPORT, "variables": { "file": null } });
            reqwest::multipart::Form::new()
                .text("operations", operations.to_string())
                .text("map", json!({ "0": ["variables.file"] }).to_string())
                .part(
                    "0",
                    reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("tenancies.csv"),
                )
        });
        let answers: Vec<Value> = join_all(forms.map(|form| async {
            app.post_graphql()
                .multipart(form)
                .send()
                .await
                .expect("request reaches the server")
                .json::<Value>()
                .await
                .expect("a JSON body")
        }))
        .await;
        let committed = answers
            .iter()
            .filter(|a| a["data"]["importTenancies"]["committed"] == true)
            .count();
        assert_eq!(committed, 1, "round {round}: {answers:#?}");
        let peak = peak_leased(&app, database_id(&carrier)).await;
        assert_eq!(peak, 600.0, "round {round}");
    }
}

const CREATE_FUND: &str =
    "mutation($input: CreateFundInput!) { createFund(input: $input) { id version } }";
const UPDATE_FUND: &str =
    "mutation($input: UpdateFundInput!) { updateFund(input: $input) { id carriers { id } } }";

/// Funds that each served one of two carriers, all made to serve both at
/// once: every update locks both carriers in the same order, so none waits
/// on another that waits on it (PostgreSQL would stop one as a deadlock).
async fn crossing_fund_updates_all_succeed(app: TestApp) {
    let (first, second) = (
        carrier(&app, 40, 1000.0).await,
        carrier(&app, 41, 1000.0).await,
    );
    for round in 0..ROUNDS {
        let mut updates = Vec::new();
        for n in 0..AT_ONCE {
            let serves = if n % 2 == 0 { &first } else { &second };
            let input = json!({ "name": format!("基金{round}-{n}"), "manager": "锡创投",
                                "size": "1000000", "establishedOn": "2022-01-01",
                                "carrierIds": [serves] });
            let fund =
                app.data(CREATE_FUND, json!({ "input": input })).await["createFund"]["id"].clone();
            updates.push(json!({ "input": { "id": fund, "version": 1,
                                            "carrierIds": [&first, &second] } }));
        }
        let answers = all_at_once(&app, UPDATE_FUND, updates).await;
        assert_eq!(succeeded(&answers), AT_ONCE, "round {round}: {answers:#?}");
        for answer in &answers {
            let served = answer["data"]["updateFund"]["carriers"]
                .as_array()
                .map(Vec::len);
            assert_eq!(served, Some(2), "{answer}");
        }
    }
}

const VOID_PHASE: &str =
    "mutation($input: VoidRecordInput!) { voidSpacePhase(input: $input) { id voidedAt } }";

/// A phase voided while a tenant moves in, in ten carriers at once: each
/// carrier has two phases of 600 m² and the tenant wants 700 m², so the
/// two writes fit alone but not together. In every carrier exactly one
/// succeeds, and no day is leased beyond the phases that still count.
async fn voiding_a_phase_while_a_tenant_moves_in_never_overbooks(app: TestApp) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    for round in 0..ROUNDS {
        let mut pairs = Vec::new();
        for i in 0..AT_ONCE {
            let n = 50 + round * 20 + u32::try_from(i).expect("small");
            let carrier = carrier(&app, n, 600.0).await;
            let phase = app
                .add_phase(&carrier, 600.0, "2022-06-01", "NEW_BUILD")
                .await;
            let enterprise = enterprise(&app, 9_000 + n).await;
            pairs.push((carrier, phase, enterprise));
        }
        let writes = pairs.iter().flat_map(|(carrier, phase, enterprise)| {
            [
                app.graphql(
                    VOID_PHASE,
                    json!({ "input": { "id": phase, "version": 1, "reason": "重复录入" } }),
                ),
                app.graphql(
                    MOVE_IN,
                    json!({ "input": { "carrierId": carrier, "enterpriseId": enterprise,
                                       "areaM2": 700.0, "movedInOn": "2023-01-01" } }),
                ),
            ]
        });
        let answers = join_all(writes).await;
        for (pair, answers) in pairs.iter().zip(answers.chunks(2)) {
            assert_eq!(succeeded(answers), 1, "round {round}: {answers:#?}");
            let refused = answers
                .iter()
                .find(|a| a.get("errors").is_some())
                .expect("one refused");
            assert_eq!(error_code(refused), "BAD_USER_INPUT", "{refused}");
            let id = database_id(&pair.0);
            let leasable: f64 = entity::space_phase::Entity::find()
                .filter(entity::space_phase::Column::CarrierId.eq(id))
                .filter(entity::space_phase::Column::VoidedAt.is_null())
                .all(&app.db)
                .await
                .expect("phases")
                .iter()
                .map(|phase| phase.area_m2)
                .sum();
            let peak = peak_leased(&app, id).await;
            assert!(
                peak <= leasable,
                "round {round}: {peak} m² leased of {leasable}"
            );
        }
    }
}

/// A tenancy's area amended while another tenant moves in, in ten carriers
/// at once: each alone fits, both together would overbook, so exactly one
/// is written and no day is ever leased beyond the carrier's space.
async fn amending_a_tenancy_while_another_moves_in_never_overbooks(app: TestApp) {
    const AMEND_TENANCY: &str =
        "mutation($input: AmendTenancyInput!) { amendTenancy(input: $input) { id } }";
    for round in 0..ROUNDS {
        let mut cases = Vec::new();
        for i in 0..AT_ONCE {
            let n = 300 + round * 20 + u32::try_from(i).expect("small");
            let carrier = carrier(&app, n, 1000.0).await;
            let (first, second) = (
                enterprise(&app, 12_000 + n).await,
                enterprise(&app, 13_000 + n).await,
            );
            let tenancy = app
                .data(
                    MOVE_IN,
                    json!({ "input": { "carrierId": carrier, "enterpriseId": first,
                                       "areaM2": 400.0, "movedInOn": "2023-01-01" } }),
                )
                .await["moveIn"]["id"]
                .clone();
            cases.push((carrier, tenancy, second));
        }
        let writes = cases.iter().flat_map(|(carrier, tenancy, second)| {
            [
                app.graphql(
                    AMEND_TENANCY,
                    json!({ "input": { "id": tenancy, "version": 1, "areaM2": 700.0, "reason": "按合同更正" } }),
                ),
                app.graphql(
                    MOVE_IN,
                    json!({ "input": { "carrierId": carrier, "enterpriseId": second,
                                       "areaM2": 500.0, "movedInOn": "2023-01-01" } }),
                ),
            ]
        });
        let answers = join_all(writes).await;
        for (case, answers) in cases.iter().zip(answers.chunks(2)) {
            assert_eq!(succeeded(answers), 1, "round {round}: {answers:#?}");
            let refused = answers
                .iter()
                .find(|a| a.get("errors").is_some())
                .expect("one refused");
            assert_eq!(error_code(refused), "BAD_USER_INPUT", "{refused}");
            let peak = peak_leased(&app, database_id(&case.0)).await;
            assert!(peak <= 1000.0, "round {round}: {peak} m² leased of 1000");
        }
    }
}

on_both_databases!(
    amending_a_tenancy_while_another_moves_in_never_overbooks,
    voiding_a_phase_while_a_tenant_moves_in_never_overbooks,
    simultaneous_move_ins_never_overbook_a_carrier,
    simultaneous_identical_move_ins_store_one_tenancy,
    simultaneous_registrations_of_one_uscc_are_idempotent,
    a_tenancy_is_ended_once,
    simultaneous_imports_hold_the_carriers_capacity,
    crossing_fund_updates_all_succeed,
);
