//! 企业年报: tenants' annual figures, who reads them, the 填报率, the Torch
//! export's tenant columns against sums recomputed here, and the plan's counts
//! among tenants, on SQLite and PostgreSQL.

mod common;

use common::{TestApp, error_code, uscc};
use futures_util::future::join_all;
use serde_json::{Value, json};
use zaiti::domain::access::Role;

const REGISTER: &str =
    "mutation($input: RegisterEnterpriseInput!) { registerEnterprise(input: $input) { id } }";
const MOVE_IN: &str = "mutation($input: MoveInInput!) { moveIn(input: $input) { id } }";
const REPORT: &str = "mutation($input: ReportAnnualDataInput!) { reportAnnualData(input: $input) { year revenue rdSpend staff version } }";
const AUDIT: &str =
    "{ auditEvents(first: 50, filter: { entityType: \"AnnualReport\" }) { nodes { after } } }";
const REPORTS: &str = "query($id: ID!) { node(id: $id) { ... on Enterprise { annualReports { year revenue rdSpend tax staff rdStaff newPatents financingRounds financing version } } } }";

/// An operator with an incubator (a phase of 5,000 m² delivered in 2022)
/// and its token: (operator token, carrier id).
async fn incubator(app: &TestApp, n: u32) -> (String, String) {
    let operator = app.create_operator(&format!("年报运营{n}"), 700 + n).await;
    let district = app.district_id("binhu").await;
    let carrier = app
        .create_carrier(
            &operator,
            &district,
            json!({ "name": format!("年报载体{n}"), "kind": "INCUBATOR" }),
        )
        .await;
    app.add_phase(&carrier, 5_000.0, "2022-01-01", "NEW_BUILD")
        .await;
    let token = app
        .token(&format!("年报运营{n}"), Role::Operator, Some(&operator))
        .await;
    (token, carrier)
}

/// A tenant registered and moved in by the operator (so it keeps it): its id.
async fn tenant(app: &TestApp, token: &str, carrier: &str, n: u32, landed: &str) -> String {
    let input = json!({ "uscc": uscc(n), "name": format!("年报企业{n}"),
                        "foundedOn": "2021-03-01", "landedOn": landed });
    let registered = app
        .graphql_as(token, REGISTER, json!({ "input": input }))
        .await;
    let id = registered["data"]["registerEnterprise"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("registered: {registered}"))
        .to_owned();
    let input = json!({ "carrierId": carrier, "enterpriseId": id, "areaM2": 100.0,
                        "movedInOn": "2023-01-01" });
    let moved = app
        .graphql_as(token, MOVE_IN, json!({ "input": input }))
        .await;
    assert!(moved["errors"].is_null(), "{moved}");
    id
}

fn figures(enterprise: &str, year: i32, revenue: &str, staff: i64) -> Value {
    json!({ "enterpriseId": enterprise, "year": year, "revenue": revenue, "rdSpend": "120000.50",
            "tax": "30000", "staff": staff, "rdStaff": 3, "newGraduates": 1, "newPatents": 4,
            "newInventionPatents": 1, "financingRounds": 1, "financing": "2000000" })
}

async fn the_custodian_reports_and_only_it_and_admin_read(app: TestApp) {
    let (token, carrier) = incubator(&app, 1).await;
    let enterprise = tenant(&app, &token, &carrier, 1, "2023-01-01").await;
    let reported = app
        .graphql_as(
            &token,
            REPORT,
            json!({ "input": figures(&enterprise, 2025, "1500000", 12) }),
        )
        .await;
    assert!(reported["errors"].is_null(), "{reported}");
    assert_eq!(reported["data"]["reportAnnualData"]["version"], 1);

    let mine = app
        .graphql_as(&token, REPORTS, json!({ "id": enterprise }))
        .await;
    let reports = &mine["data"]["node"]["annualReports"];
    assert_eq!(reports[0]["revenue"], "1500000.00");
    assert_eq!(reports[0]["rdSpend"], "120000.50");
    assert_eq!(reports[0]["financing"], "2000000.00");
    let admin = app.data(REPORTS, json!({ "id": enterprise })).await;
    assert_eq!(admin["node"]["annualReports"], *reports);
    // The revenue is the enterprise's revenue of the year too.
    let revenue = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Enterprise { revenue { year amount } } } }",
            json!({ "id": enterprise }),
        )
        .await;
    assert_eq!(
        revenue["node"]["revenue"],
        json!([{ "year": 2025, "amount": "1500000.00" }])
    );

    // The audit trail keeps the report, in fen, for ADMIN and the custodian.
    for reader in [&token, &app.admin_token] {
        let audit = app.graphql_as(reader, AUDIT, json!({})).await;
        assert_eq!(
            audit["data"]["auditEvents"]["nodes"][0]["after"]["revenue_fen"], 150_000_000,
            "{audit}"
        );
    }
    let (other, _) = incubator(&app, 2).await;
    let viewer = app.token("年报读者", Role::Viewer, None).await;
    for reader in [&other, &viewer] {
        let seen = app
            .graphql_as(reader, REPORTS, json!({ "id": enterprise }))
            .await;
        assert_eq!(seen["data"]["node"]["annualReports"], json!([]), "{seen}");
        // Nor through the audit trail.
        let audit = app.graphql_as(reader, AUDIT, json!({})).await;
        assert!(!audit.to_string().contains("150000000"), "{audit}");
    }
    // Another operator may not write them.
    let refused = app
        .graphql_as(
            &other,
            REPORT,
            json!({ "input": figures(&enterprise, 2024, "1", 1) }),
        )
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    // Handed to the bureau, the enterprise's report is masked in the audit
    // trail for the operator that wrote it.
    let version = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Enterprise { version } } }",
            json!({ "id": enterprise }),
        )
        .await["node"]["version"]
        .clone();
    app.data(
        "mutation($input: SetEnterpriseCustodianInput!) { setEnterpriseCustodian(input: $input) { id } }",
        json!({ "input": { "enterpriseId": enterprise, "custodianOperatorId": null, "version": version } }),
    )
    .await;
    let audit = app.graphql_as(&token, AUDIT, json!({})).await;
    assert_eq!(
        audit["data"]["auditEvents"]["nodes"][0]["after"]["revenue_fen"], "CONFIDENTIAL",
        "{audit}"
    );
    assert_eq!(
        audit["data"]["auditEvents"]["nodes"][0]["after"]["year"],
        2025
    );
}

async fn reports_are_checked_and_replaced_by_version(app: TestApp) {
    let (token, carrier) = incubator(&app, 3).await;
    let enterprise = tenant(&app, &token, &carrier, 3, "2023-01-01").await;
    let mut bad = figures(&enterprise, 2025, "100", 2);
    let refused = app
        .graphql_as(&token, REPORT, json!({ "input": bad.clone() }))
        .await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{refused}");
    assert_eq!(refused["errors"][0]["extensions"]["field"], "rdStaff");
    bad["staff"] = json!(10);
    bad["year"] = json!(chrono::Datelike::year(&chrono::Utc::now().date_naive()));
    let running = app
        .graphql_as(&token, REPORT, json!({ "input": bad }))
        .await;
    assert_eq!(error_code(&running), "BAD_USER_INPUT", "{running}");
    assert_eq!(running["errors"][0]["extensions"]["field"], "year");

    let first = app
        .graphql_as(
            &token,
            REPORT,
            json!({ "input": figures(&enterprise, 2025, "100", 10) }),
        )
        .await;
    assert!(first["errors"].is_null(), "{first}");
    let again = app
        .graphql_as(
            &token,
            REPORT,
            json!({ "input": figures(&enterprise, 2025, "200", 10) }),
        )
        .await;
    assert_eq!(error_code(&again), "CONFLICT", "{again}");
    let mut stale = figures(&enterprise, 2025, "200", 10);
    stale["version"] = json!(7);
    let stale = app
        .graphql_as(&token, REPORT, json!({ "input": stale }))
        .await;
    assert_eq!(error_code(&stale), "CONFLICT", "{stale}");
    let mut replace = figures(&enterprise, 2025, "200", 10);
    replace["version"] = json!(1);
    let replaced = app
        .graphql_as(&token, REPORT, json!({ "input": replace }))
        .await;
    assert_eq!(
        replaced["data"]["reportAnnualData"]["version"], 2,
        "{replaced}"
    );
    assert_eq!(replaced["data"]["reportAnnualData"]["revenue"], "200.00");
}

async fn simultaneous_first_reports_write_once(app: TestApp) {
    let (token, carrier) = incubator(&app, 4).await;
    let enterprise = tenant(&app, &token, &carrier, 4, "2023-01-01").await;
    let answers = join_all((0..10).map(|i| {
        let input = figures(&enterprise, 2025, &format!("{}", 1000 + i), 10);
        let (app, token) = (&app, &token);
        async move {
            app.graphql_as(token, REPORT, json!({ "input": input }))
                .await
        }
    }))
    .await;
    let won = answers.iter().filter(|a| a["errors"].is_null()).count();
    let conflicts = answers
        .iter()
        .filter(|a| !a["errors"].is_null() && error_code(a) == "CONFLICT")
        .count();
    assert_eq!((won, conflicts), (1, 9), "{answers:?}");
    assert_eq!(app.count_rows("annual_report").await, 1);
}

/// Thousands of yuan to 0.01, halves up, from fen: as the survey form writes money.
fn thousand_yuan(fen: i64) -> String {
    let tens = (fen + 500).div_euclid(1_000);
    format!("{}.{:02}", tens / 100, tens % 100)
}

async fn the_torch_export_sums_the_reports_for_admin_only(app: TestApp) {
    let (token, carrier) = incubator(&app, 5).await;
    let a = tenant(&app, &token, &carrier, 51, "2024-05-01").await;
    let b = tenant(&app, &token, &carrier, 52, "2024-06-01").await;
    let _silent = tenant(&app, &token, &carrier, 53, "2024-07-01").await;
    let reports = [(a, "1500000.25", 12), (b, "800000", 7)];
    for (id, revenue, staff) in &reports {
        let input = figures(id, 2025, revenue, *staff);
        let done = app
            .graphql_as(&token, REPORT, json!({ "input": input }))
            .await;
        assert!(done["errors"].is_null(), "{done}");
    }
    let csv = app
        .data("{ torchStatistics(year: 2025) { tenantCsv } }", json!({}))
        .await["torchStatistics"]["tenantCsv"]
        .as_str()
        .expect("ADMIN reads the tenant CSV")
        .to_owned();
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let row: Vec<&str> = lines
        .find(|line| line.starts_with("年报载体5,"))
        .expect("the carrier's row")
        .split(',')
        .collect();
    let cell = |name: &str| {
        let at = header.iter().position(|h| *h == name).expect(name);
        row[at].to_owned()
    };
    // Recomputed here from what was reported.
    let revenue_fen = 150_000_025 + 80_000_000;
    assert_eq!(cell("在孵企业总收入(千元)"), thousand_yuan(revenue_fen));
    assert_eq!(
        cell("在孵企业研发投入(千元)"),
        thousand_yuan(2 * 12_000_050)
    );
    assert_eq!(cell("在孵企业从业人员(人)"), "19");
    assert_eq!(cell("在孵企业当年知识产权授权数(件)"), "8");
    assert_eq!(cell("其中：发明专利(件)"), "2");
    assert_eq!(cell("当年获得投融资的在孵企业(家)"), "2");
    assert_eq!(
        cell("在孵企业当年获得投融资额(千元)"),
        thousand_yuan(2 * 200_000_000)
    );
    assert_eq!(cell("企业年报填报率(%)"), "66.7");
    // The CLI writes the same file.
    let cli = zaiti::store::torch::torch_csv_with_tenants(&app.db, 2025)
        .await
        .expect("the export");
    assert_eq!(cli, csv);

    let reporting = app
        .data(
            "query($ids: [ID!]) { annualReporting(year: 2025, carrierIds: $ids) { tenants reported percent } }",
            json!({ "ids": [carrier] }),
        )
        .await;
    assert_eq!(
        reporting["annualReporting"],
        json!([{ "tenants": 3, "reported": 2, "percent": 66.7 }])
    );

    for reader in [token, app.token("年报读者5", Role::Viewer, None).await] {
        let seen = app
            .graphql_as(
                &reader,
                "{ torchStatistics(year: 2025) { tenantCsv rows { tenantFigures { revenue } } } }",
                json!({}),
            )
            .await;
        assert!(seen["errors"].is_null(), "{seen}");
        assert!(seen["data"]["torchStatistics"]["tenantCsv"].is_null());
        assert!(!seen.to_string().contains("1500000"), "{seen}");
    }
}

async fn tenant_statistics_count_qualifications_and_landings(app: TestApp) {
    let (token, carrier) = incubator(&app, 6).await;
    let year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
    let landed_this_year = format!("{year}-01-02");
    let a = tenant(&app, &token, &carrier, 61, &landed_this_year).await;
    let _b = tenant(&app, &token, &carrier, 62, "2023-01-01").await;
    let added = app
        .graphql_as(
            &token,
            "mutation($input: RecordQualificationInput!) { recordQualification(input: $input) { id } }",
            json!({ "input": { "enterpriseId": a, "kind": "HIGH_TECH", "validFrom": "2024-01-01" } }),
        )
        .await;
    assert!(added["errors"].is_null(), "{added}");
    let stats = app
        .data(
            "{ tenantStatistics { tenants landedInYear landedYearlyTarget qualifications { kind nameZh tenants } } }",
            json!({}),
        )
        .await["tenantStatistics"]
        .clone();
    assert_eq!(stats["tenants"], 2, "{stats}");
    assert_eq!(stats["landedInYear"], 1, "{stats}");
    assert_eq!(stats["landedYearlyTarget"], 10_000);
    let high_tech = stats["qualifications"]
        .as_array()
        .expect("qualifications")
        .iter()
        .find(|q| q["kind"] == "HIGH_TECH")
        .expect("HIGH_TECH listed")
        .clone();
    assert_eq!(
        high_tech,
        json!({ "kind": "HIGH_TECH", "nameZh": "高新技术企业", "tenants": 1 })
    );
    assert!(
        stats["qualifications"]
            .as_array()
            .expect("qualifications")
            .iter()
            .any(|q| q["kind"] == "LITTLE_GIANT" && q["tenants"] == 0)
    );
}

/// A page of enterprises with their reports costs the same statements for 1 and 3.
async fn annual_reports_cost_the_same_statements_for_1_and_3_enterprises(app: TestApp) {
    let (token, carrier) = incubator(&app, 7).await;
    for n in 0..3 {
        let id = tenant(&app, &token, &carrier, 70 + n, "2023-01-01").await;
        for year in [2024, 2025] {
            let input = figures(&id, year, "1000", 10);
            let done = app
                .graphql_as(&token, REPORT, json!({ "input": input }))
                .await;
            assert!(done["errors"].is_null(), "{done}");
        }
    }
    let query = "query($n: Int) { enterprises(first: $n) { nodes { name annualReports { year revenue staff } revenue { year } } } }";
    let mut counts = Vec::new();
    for n in [1, 3] {
        app.reset_statement_count();
        let data = app.data(query, json!({ "n": n })).await;
        let nodes = data["enterprises"]["nodes"].as_array().expect("nodes");
        assert_eq!(nodes.len(), n);
        assert!(
            nodes
                .iter()
                .all(|e| e["annualReports"].as_array().map(Vec::len) == Some(2)),
            "{data}"
        );
        counts.push(app.statements().len());
    }
    assert_eq!(counts[0], counts[1], "statements for 1 and 3 enterprises");
}

/// The sample file imports into the demo data as the README shows; run again
/// it replaces the same reports; a bad file writes nothing and names every bad cell.
async fn annual_data_import_from_a_spreadsheet_all_or_nothing(app: TestApp) {
    app.load_demo().await;
    let before = app.count_rows("annual_report").await;
    assert!(before > 0, "the demo has annual reports");
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/annual-data.csv");
    for _ in 0..2 {
        let done = app.cli(&["import", "annual-data", sample]);
        assert!(
            done.status.success(),
            "{}",
            String::from_utf8_lossy(&done.stderr)
        );
        let stdout = String::from_utf8_lossy(&done.stdout);
        assert!(stdout.contains("5 annual reports written"), "{stdout}");
        assert_eq!(app.count_rows("annual_report").await, before + 5);
    }
    let bad = std::env::temp_dir().join(format!("annual-{}.csv", std::process::id()));
    std::fs::write(
        &bad,
        format!(
            "uscc,year,revenue,rd_spend,tax,staff,rd_staff\n{},2023,100,10,1,5,9\n91320211MAWQB8XQ3C,2023,abc,10,1,5,1\n",
            uscc(999_999)
        ),
    )
    .expect("a temporary file");
    let refused = app.cli(&["import", "annual-data", bad.to_str().expect("a path")]);
    let _ = std::fs::remove_file(&bad);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("row 2, column rd_staff"), "{stderr}");
    assert!(stderr.contains("row 3, column revenue"), "{stderr}");
    assert_eq!(app.count_rows("annual_report").await, before + 5);
}

on_both_databases!(
    annual_reports_cost_the_same_statements_for_1_and_3_enterprises,
    annual_data_import_from_a_spreadsheet_all_or_nothing,
    the_custodian_reports_and_only_it_and_admin_read,
    reports_are_checked_and_replaced_by_version,
    simultaneous_first_reports_write_once,
    the_torch_export_sums_the_reports_for_admin_only,
    tenant_statistics_count_qualifications_and_landings,
);
