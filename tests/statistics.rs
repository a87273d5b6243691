//! `carrierStatistics`: group-by figures checked against sums over the raw
//! records of the demo portfolio, on SQLite and PostgreSQL.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{TestApp, error_code};
use serde_json::{Value, json};

const AS_OF: &str = "2026-06-30";

/// Every carrier of the demo with what the figures are made of, read record
/// by record.
const RECORDS: &str = r#"
query($after: String, $on: Date!) {
  carriers(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      kind status
      district { code }
      operator { ownership }
      level(asOf: $on)
      leadingIndustries
      floorArea(asOf: $on)
      tenancies(asOf: $on) { areaM2 enterprise { id } }
    }
  }
}"#;

const STATISTICS: &str = r#"
query($on: Date!, $groupBy: [CarrierDimension!]!, $filter: CarrierFilter) {
  carrierStatistics(asOf: $on, groupBy: $groupBy, filter: $filter) {
    asOf groupBy
    groups {
      district { code } kind level status operatorOwnership industry
      figures { carriers floorAreaM2 leasedAreaM2 tenants }
    }
    totals { carriers floorAreaM2 leasedAreaM2 tenants }
  }
}"#;

async fn records(app: &TestApp) -> Vec<Value> {
    let mut carriers = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = app
            .data(RECORDS, json!({ "after": after, "on": AS_OF }))
            .await["carriers"]
            .clone();
        carriers.extend(page["nodes"].as_array().expect("nodes").iter().cloned());
        if page["pageInfo"]["hasNextPage"] != true {
            return carriers;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

/// Sums of the records per group key.
#[derive(Default, Debug)]
struct Sums {
    carriers: i64,
    floor_area: f64,
    leased_area: f64,
    tenants: BTreeSet<String>,
}

impl Sums {
    fn add(&mut self, carrier: &Value) {
        self.carriers += 1;
        self.floor_area += carrier["floorArea"].as_f64().expect("floor area");
        for tenancy in carrier["tenancies"].as_array().expect("tenancies") {
            self.leased_area += tenancy["areaM2"].as_f64().expect("area");
            self.tenants
                .insert(tenancy["enterprise"]["id"].as_str().expect("id").to_owned());
        }
    }

    fn assert_matches(&self, figures: &Value, what: &str) {
        assert_eq!(figures["carriers"], self.carriers, "carriers of {what}");
        let close = |a: f64, b: f64| (a - b).abs() < 1e-6 * (1.0 + b.abs());
        assert!(
            close(
                figures["floorAreaM2"].as_f64().expect("m²"),
                self.floor_area
            ),
            "floor area of {what}: {figures} against {self:?}"
        );
        assert!(
            close(
                figures["leasedAreaM2"].as_f64().expect("m²"),
                self.leased_area
            ),
            "leased area of {what}: {figures} against {self:?}"
        );
        assert_eq!(figures["tenants"], self.tenants.len(), "tenants of {what}");
    }
}

async fn statistics(app: &TestApp, group_by: Value, filter: Value) -> Value {
    app.data(
        STATISTICS,
        json!({ "on": AS_OF, "groupBy": group_by, "filter": filter }),
    )
    .await["carrierStatistics"]
        .clone()
}

/// District × kind × level: every group equals the sums over its carriers'
/// records, no group is missing, and the groups add up to the totals.
async fn groups_equal_the_sums_over_the_records(app: TestApp) {
    app.load_demo().await;
    let carriers = records(&app).await;
    assert!(carriers.len() > 100, "the demo fills more than a page");
    let mut expected: BTreeMap<(String, String, String), Sums> = BTreeMap::new();
    let mut total = Sums::default();
    for carrier in &carriers {
        let key = (
            carrier["district"]["code"]
                .as_str()
                .expect("code")
                .to_owned(),
            carrier["kind"].as_str().expect("kind").to_owned(),
            carrier["level"].as_str().expect("level").to_owned(),
        );
        expected.entry(key).or_default().add(carrier);
        total.add(carrier);
    }
    let answer = statistics(&app, json!(["DISTRICT", "KIND", "LEVEL"]), Value::Null).await;
    assert_eq!(answer["asOf"], AS_OF);
    assert_eq!(answer["groupBy"], json!(["DISTRICT", "KIND", "LEVEL"]));
    let groups = answer["groups"].as_array().expect("groups");
    assert_eq!(
        groups.len(),
        expected.len(),
        "one group per combination present"
    );
    for group in groups {
        assert_eq!(group["status"], Value::Null, "not grouped by status");
        let key = (
            group["district"]["code"].as_str().expect("code").to_owned(),
            group["kind"].as_str().expect("kind").to_owned(),
            group["level"].as_str().expect("level").to_owned(),
        );
        let sums = expected
            .get(&key)
            .unwrap_or_else(|| panic!("no carriers in {key:?}"));
        sums.assert_matches(&group["figures"], &format!("{key:?}"));
    }
    total.assert_matches(&answer["totals"], "the totals");
    let carriers_in_groups: i64 = groups
        .iter()
        .map(|g| g["figures"]["carriers"].as_i64().expect("count"))
        .sum();
    assert_eq!(carriers_in_groups, total.carriers);
}

/// Industry groups overlap (a carrier counts under each industry it leads
/// in) while the totals count it once; a filter narrows both.
async fn industry_and_ownership_groups_follow_the_records_and_the_filter(app: TestApp) {
    app.load_demo().await;
    let carriers: Vec<Value> = records(&app)
        .await
        .into_iter()
        .filter(|c| c["kind"] == "INCUBATOR")
        .collect();
    let mut expected: BTreeMap<(String, Option<String>), Sums> = BTreeMap::new();
    let mut total = Sums::default();
    for carrier in &carriers {
        let ownership = carrier["operator"]["ownership"]
            .as_str()
            .expect("ownership");
        let industries = carrier["leadingIndustries"].as_array().expect("industries");
        let keys: Vec<Option<String>> = if industries.is_empty() {
            vec![None]
        } else {
            industries
                .iter()
                .map(|i| Some(i.as_str().expect("industry").to_owned()))
                .collect()
        };
        for industry in keys {
            expected
                .entry((ownership.to_owned(), industry))
                .or_default()
                .add(carrier);
        }
        total.add(carrier);
    }
    let answer = statistics(
        &app,
        json!(["OPERATOR_OWNERSHIP", "INDUSTRY"]),
        json!({ "kinds": ["INCUBATOR"] }),
    )
    .await;
    let groups = answer["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), expected.len());
    for group in groups {
        let key = (
            group["operatorOwnership"]
                .as_str()
                .expect("ownership")
                .to_owned(),
            group["industry"].as_str().map(str::to_owned),
        );
        expected[&key].assert_matches(&group["figures"], &format!("{key:?}"));
    }
    total.assert_matches(&answer["totals"], "the incubators");
}

/// The statement count does not grow with the groups, and a dimension named
/// twice is refused.
async fn statistics_cost_four_statements_and_refuse_a_repeated_dimension(app: TestApp) {
    app.load_demo().await;
    let mut counts = Vec::new();
    for group_by in [
        json!([]),
        json!(["KIND"]),
        json!([
            "DISTRICT",
            "KIND",
            "LEVEL",
            "STATUS",
            "OPERATOR_OWNERSHIP",
            "INDUSTRY"
        ]),
    ] {
        app.reset_statement_count();
        let answer = statistics(&app, group_by, Value::Null).await;
        assert!(answer["totals"]["carriers"].as_i64().expect("count") > 100);
        counts.push(app.statements().len());
    }
    assert_eq!(counts[0], counts[1], "statements: {counts:?}");
    assert!(
        counts[2] <= counts[1] + 1,
        "districts load in one more statement at most: {counts:?}"
    );
    let body = app
        .graphql(
            STATISTICS,
            json!({ "on": AS_OF, "groupBy": ["KIND", "DISTRICT", "KIND"] }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "groupBy");
}

on_both_databases!(
    groups_equal_the_sums_over_the_records,
    industry_and_ownership_groups_follow_the_records_and_the_filter,
    statistics_cost_four_statements_and_refuse_a_repeated_dimension,
);
