//! 火炬统计: the survey export of incubators and makerspaces, over HTTP on
//! SQLite and PostgreSQL, against figures worked out by hand.

mod common;

use common::{TestApp, error_code, uscc};
use serde_json::{Value, json};
use zaiti::domain::access::Role;

const TORCH: &str = r#"query($year: Int!) { torchStatistics(year: $year) {
  year asOf csv
  rows { carrierId name kind districtName operatorName level floorAreaM2 tenantAreaM2
         publicServiceAreaM2 incubatingEnterprises graduatesInYear graduatesTotal staff mentors
         fundSize platforms carrier { name } }
} }"#;

const HEADER: [&str; 16] = [
    "载体名称",
    "载体类型",
    "所在区（市）",
    "行政区划代码",
    "运营主体",
    "级别",
    "场地总面积(平方米)",
    "在孵企业使用面积(平方米)",
    "公共服务场地面积(平方米)",
    "在孵企业数(家)",
    "当年毕业企业数(家)",
    "累计毕业企业数(家)",
    "专业孵化服务人员(人)",
    "创业导师(人)",
    "孵化基金规模(千元)",
    "公共技术服务平台(个)",
];

async fn write(app: &TestApp, mutation: &str, input_type: &str, input: Value) -> Value {
    let query =
        format!("mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ id version }} }}");
    app.data(&query, json!({ "input": input })).await[mutation].clone()
}

async fn enterprise(app: &TestApp, n: u32, name: &str) -> String {
    let input =
        json!({ "uscc": uscc(n), "name": name, "foundedOn": "2022-06-01", "industry": "IOT" });
    write(app, "registerEnterprise", "RegisterEnterpriseInput", input).await["id"]
        .as_str()
        .expect("an id")
        .to_owned()
}

/// Moves enterprise `n` in; returns the tenancy (id, version).
async fn tenant(app: &TestApp, carrier: &str, n: u32, area: f64, on: &str) -> Value {
    let enterprise = enterprise(app, n, &format!("企业{n}")).await;
    let input = json!({ "carrierId": carrier, "enterpriseId": enterprise, "areaM2": area, "movedInOn": on });
    write(app, "moveIn", "MoveInInput", input).await
}

async fn graduate(app: &TestApp, tenancy: &Value, on: &str, moves_out: bool) {
    let input = json!({ "id": tenancy["id"], "version": tenancy["version"], "graduatedOn": on,
                        "route": "FINANCING_RAISED", "movesOut": moves_out });
    write(app, "graduate", "GraduateInput", input).await;
}

async fn team(
    app: &TestApp,
    carrier: &str,
    staff: i32,
    mentors: i32,
    from: &str,
    until: Option<&str>,
) {
    let input = json!({ "carrierId": carrier, "name": "运营团队", "staffCount": staff,
                        "mentorCount": mentors, "formedOn": from, "disbandedOn": until });
    write(
        app,
        "createOperatingTeam",
        "CreateOperatingTeamInput",
        input,
    )
    .await;
}

async fn fund(app: &TestApp, carriers: &[&str], size: &str, from: &str, until: Option<&str>) {
    let input = json!({ "name": "孵化基金", "manager": "无锡创投", "size": size,
                        "establishedOn": from, "closedOn": until, "carrierIds": carriers });
    write(app, "createFund", "CreateFundInput", input).await;
}

async fn facility(
    app: &TestApp,
    carrier: &str,
    kind: &str,
    area: Option<f64>,
    from: &str,
    until: Option<&str>,
) {
    let input = json!({ "carrierId": carrier, "kind": kind, "areaM2": area,
                        "openedOn": from, "closedOn": until });
    write(app, "createFacility", "CreateFacilityInput", input).await;
}

async fn platform(app: &TestApp, carrier: &str, from: &str, until: Option<&str>) {
    let input = json!({ "carrierId": carrier, "name": "检验检测平台", "kind": "TESTING_INSPECTION",
                        "openedOn": from, "closedOn": until });
    write(app, "createPlatform", "CreatePlatformInput", input).await;
}

/// Builds an incubator and a makerspace with figures known by hand (see the
/// comments), and an accelerator the survey leaves out. Returns their IDs.
async fn portfolio(app: &TestApp) -> (String, String, String) {
    let xinwu = app.district_id("xinwu").await;
    let binhu = app.district_id("binhu").await;
    let incubator_operator = app.create_operator("孵化运营公司", 1).await;
    let maker_operator = app.create_operator("滨湖创新发展有限公司", 2).await;
    let incubator = app
        .create_carrier(
            &incubator_operator,
            &xinwu,
            json!({ "name": "太湖湾孵化器", "kind": "INCUBATOR" }),
        )
        .await;
    let makerspace = app
        .create_carrier(
            &maker_operator,
            &binhu,
            json!({ "name": "蠡湖创客空间", "kind": "MAKERSPACE" }),
        )
        .await;
    let accelerator = app
        .create_carrier(
            &incubator_operator,
            &xinwu,
            json!({ "name": "新吴加速器", "kind": "ACCELERATOR" }),
        )
        .await;
    app.add_phase(&accelerator, 5000.0, "2022-01-01", "NEW_BUILD")
        .await;

    // Incubator. Floor area on 2025-12-31: 1,000 + 500.5 = 1,500.5 m²; the 2026 phase comes later.
    app.add_phase(&incubator, 1000.0, "2022-01-01", "NEW_BUILD")
        .await;
    app.add_phase(&incubator, 500.5, "2025-03-01", "IDLE_FACTORY_RENOVATION")
        .await;
    app.add_phase(&incubator, 2000.0, "2026-06-01", "INDUSTRIAL_HIGH_RISE")
        .await;
    // Level: CITY from 2023, PROVINCIAL only from 2026.
    app.recognise(&incubator, "CITY", "2023-05-01").await;
    app.recognise(&incubator, "PROVINCIAL", "2026-01-10").await;
    // Tenants: 101 graduates in 2025 and leaves; 102 graduated in 2024; 103
    // incubates (150.25 m²); 104 graduates in 2025 and keeps its 100 m²; 105
    // arrives in 2026; 106 graduates in 2026.
    let t101 = tenant(app, &incubator, 101, 200.0, "2023-01-01").await;
    let t102 = tenant(app, &incubator, 102, 300.0, "2024-01-01").await;
    graduate(app, &t102, "2024-09-01", true).await;
    tenant(app, &incubator, 103, 150.25, "2025-02-01").await;
    let t104 = tenant(app, &incubator, 104, 100.0, "2025-03-01").await;
    graduate(app, &t101, "2025-06-01", true).await;
    graduate(app, &t104, "2025-11-01", false).await;
    tenant(app, &incubator, 105, 80.0, "2026-01-05").await;
    let t106 = tenant(app, &incubator, 106, 60.0, "2025-04-01").await;
    graduate(app, &t106, "2026-02-01", true).await;
    // On 2025-12-31: leased 150.25 + 100 + 60 = 310.25 m²; incubating 103 and
    // 106 = 2; graduated in 2025: 101, 104 = 2; cumulative: 101, 102, 104 = 3.

    // Teams in force on 2025-12-31: only the first (4 staff, 3 mentors).
    team(app, &incubator, 4, 3, "2022-01-01", None).await;
    team(app, &incubator, 2, 5, "2024-01-01", Some("2025-07-01")).await;
    team(app, &incubator, 1, 1, "2026-01-01", None).await;
    // Funds in force: half of 50,000,000 (shared with the makerspace, so split
    // between the two) + 300,000.50.
    fund(
        app,
        &[&incubator, &makerspace],
        "50000000",
        "2023-01-01",
        None,
    )
    .await;
    fund(
        app,
        &[&incubator],
        "1234567.89",
        "2025-01-01",
        Some("2025-10-01"),
    )
    .await;
    fund(app, &[&incubator], "300000.5", "2024-03-01", None).await;
    // Public-service area open on 2025-12-31: 120.5 + 79.5 = 200 m² (the
    // canteen has no area; the exhibition hall closed that day).
    facility(
        app,
        &incubator,
        "SHARED_MEETING_ROADSHOW",
        Some(120.5),
        "2022-01-01",
        None,
    )
    .await;
    facility(app, &incubator, "CANTEEN", None, "2022-01-01", None).await;
    facility(
        app,
        &incubator,
        "LABORATORY",
        Some(79.5),
        "2025-12-31",
        None,
    )
    .await;
    facility(
        app,
        &incubator,
        "EXHIBITION",
        Some(50.0),
        "2022-01-01",
        Some("2025-12-31"),
    )
    .await;
    // Platforms open on 2025-12-31: one.
    platform(app, &incubator, "2023-01-01", None).await;
    platform(app, &incubator, "2024-01-01", Some("2025-06-01")).await;
    platform(app, &incubator, "2026-01-01", None).await;

    // Makerspace: 300 m², one tenant of 50 m², the shared fund, nothing else.
    app.add_phase(&makerspace, 300.0, "2021-01-01", "URBAN_RENEWAL")
        .await;
    tenant(app, &makerspace, 201, 50.0, "2025-05-01").await;

    (incubator, makerspace, accelerator)
}

async fn the_survey_gives_each_indicator_as_worked_out_by_hand(app: TestApp) {
    let (incubator, makerspace, _) = portfolio(&app).await;
    let viewer = app.token("viewer", Role::Viewer, None).await;
    let body = app
        .graphql_as(&viewer, TORCH, json!({ "year": 2025 }))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let statistics = &body["data"]["torchStatistics"];
    assert_eq!(statistics["year"], 2025);
    assert_eq!(statistics["asOf"], "2025-12-31");
    let rows = statistics["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 2, "the accelerator is not surveyed: {rows:?}");
    assert_eq!(
        rows[0],
        json!({
            "carrierId": incubator, "name": "太湖湾孵化器", "kind": "INCUBATOR",
            "districtName": "新吴区", "operatorName": "孵化运营公司", "level": "CITY",
            "floorAreaM2": 1500.5, "tenantAreaM2": 310.25, "publicServiceAreaM2": 200.0,
            "incubatingEnterprises": 2, "graduatesInYear": 2, "graduatesTotal": 3,
            "staff": 4, "mentors": 3, "fundSize": "25300000.50", "platforms": 1,
            "carrier": { "name": "太湖湾孵化器" },
        })
    );
    assert_eq!(
        rows[1],
        json!({
            "carrierId": makerspace, "name": "蠡湖创客空间", "kind": "MAKERSPACE",
            "districtName": "滨湖区", "operatorName": "滨湖创新发展有限公司", "level": "NONE",
            "floorAreaM2": 300.0, "tenantAreaM2": 50.0, "publicServiceAreaM2": 0.0,
            "incubatingEnterprises": 1, "graduatesInYear": 0, "graduatesTotal": 0,
            "staff": 0, "mentors": 0, "fundSize": "25000000.00", "platforms": 0,
            "carrier": { "name": "蠡湖创客空间" },
        })
    );

    let csv = statistics["csv"].as_str().expect("a CSV");
    let body = csv
        .strip_prefix('\u{feff}')
        .expect("the CSV opens with a BOM");
    let lines: Vec<&str> = body.split("\r\n").collect();
    assert_eq!(lines[0], HEADER.join(","));
    assert_eq!(
        lines[1],
        "太湖湾孵化器,科技企业孵化器,新吴区,320214,孵化运营公司,市级,1500.50,310.25,200.00,2,2,3,4,3,25300.00,1"
    );
    assert_eq!(
        lines[2],
        "蠡湖创客空间,众创空间,滨湖区,320211,滨湖创新发展有限公司,未认定,300.00,50.00,0.00,1,0,0,0,0,25000.00,0"
    );
    assert_eq!(lines[3], "", "one line per row, each ending in CRLF");
    assert_eq!(lines.len(), 4);

    // The CLI's function writes the very same CSV.
    let cli = zaiti::store::torch::torch_csv(&app.db, 2025)
        .await
        .expect("the CSV");
    assert_eq!(cli, csv);

    // A year earlier: 2024's figures, on 2024-12-31.
    let data = app.data(TORCH, json!({ "year": 2024 })).await;
    let row = &data["torchStatistics"]["rows"][0];
    assert_eq!(data["torchStatistics"]["asOf"], "2024-12-31");
    assert_eq!(
        (
            &row["floorAreaM2"],
            &row["tenantAreaM2"],
            &row["incubatingEnterprises"],
            &row["graduatesInYear"],
            &row["graduatesTotal"],
            &row["staff"],
            &row["mentors"],
            &row["fundSize"],
            &row["platforms"],
        ),
        (
            &json!(1000.0),
            &json!(200.0),
            &json!(1),
            &json!(1),
            &json!(1),
            &json!(6),
            &json!(8),
            &json!("25300000.50"),
            &json!(2),
        )
    );
}

async fn the_current_year_is_taken_today_and_other_years_are_refused(app: TestApp) {
    let today = zaiti::store::today();
    let year = chrono::Datelike::year(&today);
    let data = app
        .data(
            "query($year: Int!) { torchStatistics(year: $year) { asOf rows { name } } }",
            json!({ "year": year }),
        )
        .await;
    assert_eq!(data["torchStatistics"]["asOf"], today.to_string());
    assert_eq!(data["torchStatistics"]["rows"], json!([]));
    for year in [1999, year + 1] {
        let body = app
            .graphql(
                "query($year: Int!) { torchStatistics(year: $year) { asOf } }",
                json!({ "year": year }),
            )
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "year", "{body}");
    }
    let err = zaiti::store::torch::torch_csv(&app.db, year + 1).await;
    assert!(err.is_err());
}

async fn the_survey_costs_the_same_statements_for_two_carriers_or_twelve(app: TestApp) {
    let query = "{ torchStatistics(year: 2025) { csv rows { name level fundSize platforms } } }";
    portfolio(&app).await;
    app.reset_statement_count();
    app.data(query, json!({})).await;
    let few = app.statements().len();
    let operator = app.create_operator("批量运营", 3).await;
    let district = app.district_id("liangxi").await;
    for n in 0..10u32 {
        let carrier = app
            .create_carrier(
                &operator,
                &district,
                json!({ "name": format!("孵化器{n}"), "kind": "INCUBATOR" }),
            )
            .await;
        app.add_phase(&carrier, 500.0, "2022-01-01", "NEW_BUILD")
            .await;
        app.recognise(&carrier, "DISTRICT", "2023-01-01").await;
        tenant(&app, &carrier, 300 + n, 50.0, "2024-01-01").await;
        team(&app, &carrier, 1, 1, "2024-01-01", None).await;
        platform(&app, &carrier, "2024-01-01", None).await;
    }
    app.reset_statement_count();
    let data = app.data(query, json!({})).await;
    assert_eq!(
        data["torchStatistics"]["rows"].as_array().map(Vec::len),
        Some(12)
    );
    assert_eq!(
        app.statements().len(),
        few,
        "statements for 2 and 12 carriers"
    );
}

async fn the_demo_portfolio_gives_a_row_for_every_incubator_and_makerspace(app: TestApp) {
    app.load_demo().await;
    let data = app
        .data(
            r#"{ carriers(filter: { kinds: [INCUBATOR, MAKERSPACE] }) { totalCount }
                 torchStatistics(year: 2025) { csv rows { kind name } } }"#,
            json!({}),
        )
        .await;
    let expected = data["carriers"]["totalCount"].as_u64().expect("a count");
    let rows = data["torchStatistics"]["rows"].as_array().expect("rows");
    assert!(expected > 0);
    assert_eq!(rows.len() as u64, expected);
    assert!(
        rows.iter()
            .all(|row| row["kind"] == "INCUBATOR" || row["kind"] == "MAKERSPACE"),
        "{rows:?}"
    );
    let csv = data["torchStatistics"]["csv"].as_str().expect("a CSV");
    let mut reader = csv::ReaderBuilder::new()
        .from_reader(csv.strip_prefix('\u{feff}').expect("a BOM").as_bytes());
    assert_eq!(
        reader
            .headers()
            .expect("a header")
            .iter()
            .collect::<Vec<_>>(),
        HEADER
    );
    let names: Vec<String> = reader
        .records()
        .map(|record| record.expect("a record")[0].to_owned())
        .collect();
    let expected_names: Vec<&str> = rows
        .iter()
        .map(|row| row["name"].as_str().expect("a name"))
        .collect();
    assert_eq!(names, expected_names);
}

/// Places and levels as their authorities name them: a recognition by
/// 江阴市 is 县级, a national makerspace 国家备案, the zone by its full name.
async fn places_and_levels_are_named_as_their_authorities_name_them(app: TestApp) {
    let operator = app.create_operator("江阴孵化运营", 481).await;
    let jiangyin = app.district_id("jiangyin").await;
    let jingkai = app.district_id("jingkai").await;
    let incubator = app
        .create_carrier(
            &operator,
            &jiangyin,
            json!({ "name": "澄江孵化器", "kind": "INCUBATOR" }),
        )
        .await;
    let makerspace = app
        .create_carrier(
            &operator,
            &jingkai,
            json!({ "name": "经开创客空间", "kind": "MAKERSPACE", "workstations": 88 }),
        )
        .await;
    app.add_phase(&incubator, 1000.0, "2024-01-01", "NEW_BUILD")
        .await;
    app.add_phase(&makerspace, 600.0, "2024-01-01", "NEW_BUILD")
        .await;
    app.recognise(&incubator, "DISTRICT", "2024-06-01").await;
    app.recognise(&makerspace, "NATIONAL", "2024-06-01").await;
    let query = r#"query($id: ID!) { carrier(id: $id) { levelNameZh(asOf: "2025-12-31")
        district { nameZh shortNameZh adminCode divisionCode kind } } }"#;
    let named = app.data(query, json!({ "id": incubator })).await;
    assert_eq!(
        named["carrier"],
        json!({ "levelNameZh": "县级", "district": { "nameZh": "江阴市", "shortNameZh": "江阴",
                "adminCode": "320281", "divisionCode": "320281", "kind": "COUNTY_LEVEL_CITY" } })
    );
    let named = app.data(query, json!({ "id": makerspace })).await;
    assert_eq!(
        named["carrier"],
        json!({ "levelNameZh": "国家备案", "district": { "nameZh": "无锡经济开发区",
                "shortNameZh": "经开区", "adminCode": null, "divisionCode": null,
                "kind": "DEVELOPMENT_ZONE" } })
    );
    let csv = app
        .data("{ torchStatistics(year: 2025) { csv } }", json!({}))
        .await["torchStatistics"]["csv"]
        .as_str()
        .expect("a CSV")
        .to_owned();
    assert!(
        csv.contains("澄江孵化器,科技企业孵化器,江阴市,320281,江阴孵化运营,县级,"),
        "{csv}"
    );
    assert!(
        csv.contains("经开创客空间,众创空间,无锡经济开发区,,江阴孵化运营,国家备案,"),
        "{csv}"
    );

    // Each kind its own form: the makerspace's with its workstations.
    let forms = app
        .data("{ torchStatistics(year: 2025) { makerspaceCsv incubatorCsv rows { name workstations adminCode } } }", json!({}))
        .await;
    let statistics = &forms["torchStatistics"];
    let makerspaces = statistics["makerspaceCsv"].as_str().expect("a CSV");
    let incubators = statistics["incubatorCsv"].as_str().expect("a CSV");
    assert!(makerspaces.contains("提供工位数(个)") && !makerspaces.contains("当年毕业企业数"));
    assert!(
        makerspaces.contains("\r\n经开创客空间,无锡经济开发区,,江阴孵化运营,国家备案,600.00,88,"),
        "{makerspaces}"
    );
    assert!(
        !makerspaces.contains("澄江孵化器") && incubators.contains("澄江孵化器,江阴市,320281,")
    );
    assert!(incubators.contains("当年毕业企业数(家)") && !incubators.contains("工位"));
    assert!(
        statistics["rows"]
            .as_array()
            .expect("rows")
            .contains(&json!({ "name": "经开创客空间", "workstations": 88, "adminCode": null }))
    );
    // A district filter takes the GB/T 2260 code as well as the short code.
    for codes in [
        json!(["320281"]),
        json!(["jiangyin"]),
        json!(["320281", "jingkai"]),
    ] {
        let found = app
            .data(
                "query($codes: [String!]) { carriers(filter: { districtCodes: $codes }) { edges { node { name } } } }",
                json!({ "codes": codes }),
            )
            .await;
        let names: Vec<&str> = found["carriers"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|edge| edge["node"]["name"].as_str().expect("a name"))
            .collect();
        let wanted = if codes.as_array().expect("codes").len() == 2 {
            vec!["澄江孵化器", "经开创客空间"]
        } else {
            vec!["澄江孵化器"]
        };
        assert_eq!(names, wanted, "{codes}");
    }
    let body = app
        .graphql(
            "{ carriers(filter: { districtCodes: [\"320299\"] }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert!(
        body.to_string().contains("jiangyin (320281)"),
        "the message lists both codes: {body}"
    );
    // A typo of extra zeros is refused.
    let body = app
        .graphql(
            "mutation($input: UpdateCarrierInput!) { updateCarrier(input: $input) { id } }",
            json!({ "input": { "id": makerspace, "version": 2, "workstations": 8_800_000 } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
}

on_both_databases!(
    places_and_levels_are_named_as_their_authorities_name_them,
    the_survey_gives_each_indicator_as_worked_out_by_hand,
    the_current_year_is_taken_today_and_other_years_are_refused,
    the_survey_costs_the_same_statements_for_two_carriers_or_twelve,
    the_demo_portfolio_gives_a_row_for_every_incubator_and_makerspace,
);
