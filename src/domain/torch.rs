//! 火炬统计: the national annual statistics survey of incubators and
//! makerspaces (科技企业孵化器、众创空间火炬统计调查), as far as zaiti holds
//! its indicators: the list of indicators in the survey's order, one row per
//! carrier, and the CSV an operator pastes from instead of retyping.

use chrono::{Datelike, NaiveDate};

use super::ValidationError;
use super::annual_report::TenantTotals;
use super::carrier::{CarrierKind, DistrictKind, Level, stored_enum};
use super::level::level_name_zh;
use super::money::Fen;

/// The first survey year zaiti answers for: no carrier it holds reports earlier.
pub const FIRST_YEAR: i32 = 2000;

/// The date a year's figures are taken on: December 31 of `year`, or `today`
/// while the year is not over. Years before [`FIRST_YEAR`] or after the
/// current one are refused, naming the field `year`.
pub fn as_of(year: i32, today: NaiveDate) -> Result<NaiveDate, ValidationError> {
    let current = today.year();
    if !(FIRST_YEAR..=current).contains(&year) {
        return Err(ValidationError::new(
            "year",
            format!("the survey year must be from {FIRST_YEAR} to {current}, not {year}"),
            format!("统计年度应在{FIRST_YEAR}年至{current}年之间，填写的是{year}年"),
        ));
    }
    if year == current {
        return Ok(today);
    }
    NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(|| {
        ValidationError::new(
            "year",
            format!("{year} has no December 31"),
            format!("{year}年没有12月31日"),
        )
    })
}

/// One carrier's figures for the survey. Stock figures are on the as-of date;
/// `graduates_in_year` counts graduations from January 1 to the as-of date.
#[derive(Debug, Clone, PartialEq)]
pub struct TorchRow {
    pub carrier_id: i32,
    /// 载体名称.
    pub name: String,
    /// 载体类型: only makerspaces and incubators are surveyed.
    pub kind: CarrierKind,
    /// 所在区（市）: the full name of the district, county-level city or zone.
    pub district: String,
    /// Whether that place is a district, a county-level city or a zone (it names the level).
    pub district_kind: DistrictKind,
    /// 行政区划代码: the district's GB/T 2260 code; `None` for the development zone.
    pub admin_code: Option<String>,
    /// 运营主体: the operator's registered name.
    pub operator: String,
    /// 级别 held on the as-of date.
    pub level: Level,
    /// 场地总面积: floor area delivered by the as-of date, m².
    pub floor_area_m2: f64,
    /// 在孵企业使用面积: area under leases in force, m².
    pub tenant_area_m2: f64,
    /// 公共服务场地面积: public-service area of the facilities open, m².
    pub public_service_m2: f64,
    /// 在孵企业数: enterprises with a lease in force that have not graduated.
    pub incubating: i64,
    /// 当年毕业企业数: enterprises that graduated here within the year.
    pub graduates_in_year: i64,
    /// 累计毕业企业数: enterprises that graduated here up to the as-of date.
    pub graduates_total: i64,
    /// 专业孵化服务人员: staff of the operating teams in force.
    pub staff: u32,
    /// 创业导师: mentors of the operating teams in force.
    pub mentors: u32,
    /// 孵化基金规模: the carrier's part of the investment funds serving it
    /// (a fund serving several carriers split among them, see [`fund_share`]).
    pub fund_size: Fen,
    /// 公共技术服务平台: platforms open.
    pub platforms: u32,
    /// 提供工位数: workstations offered (makerspaces), when given.
    pub workstations: Option<i32>,
    /// The sums of the year's annual reports (企业年报) of the enterprises
    /// incubating on the as-of date; `None` where the reader may not see
    /// them (they derive from confidential figures).
    pub tenants: Option<TenantTotals>,
}

stored_enum! {
    /// The indicators zaiti holds, in the order of the export's columns.
    pub enum Indicator {
        Name,
        Kind,
        District,
        AdminCode,
        Operator,
        Level,
        FloorArea,
        TenantArea,
        PublicServiceArea,
        Incubating,
        GraduatesInYear,
        GraduatesTotal,
        Staff,
        Mentors,
        FundSize,
        Platforms,
        Workstations,
        TenantRevenue,
        TenantRdSpend,
        TenantStaff,
        TenantPatents,
        TenantInventionPatents,
        TenantsFinanced,
        TenantFinancing,
        TenantReportingRate,
    }
}

impl Indicator {
    /// The indicators of the combined export (`csv`, both kinds), in column
    /// order; kept as they were so closed years compare cell by cell (a year
    /// closed before `AdminCode` existed does not hold it, and it is not compared).
    pub const ALL: [Indicator; 16] = [
        Indicator::Name,
        Indicator::Kind,
        Indicator::District,
        Indicator::AdminCode,
        Indicator::Operator,
        Indicator::Level,
        Indicator::FloorArea,
        Indicator::TenantArea,
        Indicator::PublicServiceArea,
        Indicator::Incubating,
        Indicator::GraduatesInYear,
        Indicator::GraduatesTotal,
        Indicator::Staff,
        Indicator::Mentors,
        Indicator::FundSize,
        Indicator::Platforms,
    ];

    /// The indicators summed from the tenants' annual reports (企业年报), which
    /// only ADMIN reads: the export with them is [`render_csv_with_tenants`].
    pub const TENANT_FIGURES: [Indicator; 8] = [
        Indicator::TenantRevenue,
        Indicator::TenantRdSpend,
        Indicator::TenantStaff,
        Indicator::TenantPatents,
        Indicator::TenantInventionPatents,
        Indicator::TenantsFinanced,
        Indicator::TenantFinancing,
        Indicator::TenantReportingRate,
    ];

    /// The column header: the survey's name, with its unit.
    pub fn name_zh(self) -> &'static str {
        match self {
            Indicator::Name => "载体名称",
            Indicator::Kind => "载体类型",
            Indicator::District => "所在区（市）",
            Indicator::AdminCode => "行政区划代码",
            Indicator::Operator => "运营主体",
            Indicator::Level => "级别",
            Indicator::FloorArea => "场地总面积(平方米)",
            Indicator::TenantArea => "在孵企业使用面积(平方米)",
            Indicator::PublicServiceArea => "公共服务场地面积(平方米)",
            Indicator::Incubating => "在孵企业数(家)",
            Indicator::GraduatesInYear => "当年毕业企业数(家)",
            Indicator::GraduatesTotal => "累计毕业企业数(家)",
            Indicator::Staff => "专业孵化服务人员(人)",
            Indicator::Mentors => "创业导师(人)",
            Indicator::FundSize => "孵化基金规模(千元)",
            Indicator::Platforms => "公共技术服务平台(个)",
            Indicator::Workstations => "提供工位数(个)",
            Indicator::TenantRevenue => "在孵企业总收入(千元)",
            Indicator::TenantRdSpend => "在孵企业研发投入(千元)",
            Indicator::TenantStaff => "在孵企业从业人员(人)",
            Indicator::TenantPatents => "在孵企业当年知识产权授权数(件)",
            Indicator::TenantInventionPatents => "其中：发明专利(件)",
            Indicator::TenantsFinanced => "当年获得投融资的在孵企业(家)",
            Indicator::TenantFinancing => "在孵企业当年获得投融资额(千元)",
            Indicator::TenantReportingRate => "企业年报填报率(%)",
        }
    }

    /// The indicator in English, with its unit.
    pub fn name_en(self) -> &'static str {
        match self {
            Indicator::Name => "carrier name",
            Indicator::Kind => "carrier kind",
            Indicator::District => "district",
            Indicator::AdminCode => "administrative division code (GB/T 2260)",
            Indicator::Operator => "operator",
            Indicator::Level => "level",
            Indicator::FloorArea => "total floor area (m²)",
            Indicator::TenantArea => "floor area used by tenant enterprises (m²)",
            Indicator::PublicServiceArea => "public-service floor area (m²)",
            Indicator::Incubating => "enterprises incubating",
            Indicator::GraduatesInYear => "enterprises graduated in the year",
            Indicator::GraduatesTotal => "enterprises graduated, cumulative",
            Indicator::Staff => "professional incubation staff",
            Indicator::Mentors => "start-up mentors",
            Indicator::FundSize => "incubation fund size (thousand CNY)",
            Indicator::Platforms => "public technology service platforms",
            Indicator::Workstations => "workstations offered",
            Indicator::TenantRevenue => "tenant enterprises' total revenue (thousand CNY)",
            Indicator::TenantRdSpend => "tenant enterprises' R&D spending (thousand CNY)",
            Indicator::TenantStaff => "tenant enterprises' staff",
            Indicator::TenantPatents => "intellectual property granted to tenants in the year",
            Indicator::TenantInventionPatents => "of which invention patents",
            Indicator::TenantsFinanced => "tenant enterprises financed in the year",
            Indicator::TenantFinancing => "tenants' financing in the year (thousand CNY)",
            Indicator::TenantReportingRate => "annual reports received (% of tenants)",
        }
    }

    /// Whether the indicator is a figure (an area, a count or money) rather than a word.
    pub fn is_figure(self) -> bool {
        !matches!(
            self,
            Indicator::Name
                | Indicator::Kind
                | Indicator::District
                | Indicator::AdminCode
                | Indicator::Operator
                | Indicator::Level
        )
    }

    /// This indicator's cell of `row`, as the CSV shows it.
    pub fn cell(self, row: &TorchRow) -> String {
        match self {
            Indicator::Name => text_cell(&row.name),
            Indicator::Kind => kind_zh(row.kind).to_owned(),
            Indicator::District => text_cell(&row.district),
            Indicator::AdminCode => row.admin_code.clone().unwrap_or_default(),
            Indicator::Operator => text_cell(&row.operator),
            Indicator::Level => level_name_zh(row.level, row.kind, row.district_kind).to_owned(),
            Indicator::FloorArea => area_cell(row.floor_area_m2),
            Indicator::TenantArea => area_cell(row.tenant_area_m2),
            Indicator::PublicServiceArea => area_cell(row.public_service_m2),
            Indicator::Incubating => row.incubating.to_string(),
            Indicator::GraduatesInYear => row.graduates_in_year.to_string(),
            Indicator::GraduatesTotal => row.graduates_total.to_string(),
            Indicator::Staff => row.staff.to_string(),
            Indicator::Mentors => row.mentors.to_string(),
            Indicator::FundSize => thousand_yuan(row.fund_size),
            Indicator::Platforms => row.platforms.to_string(),
            Indicator::Workstations => row.workstations.map_or_else(String::new, |n| n.to_string()),
            tenant => row
                .tenants
                .as_ref()
                .map_or_else(String::new, |totals| tenant_cell(tenant, totals)),
        }
    }
}

/// A tenant-figure indicator's cell of `totals`.
fn tenant_cell(indicator: Indicator, totals: &TenantTotals) -> String {
    match indicator {
        Indicator::TenantRevenue => thousand_yuan(totals.revenue),
        Indicator::TenantRdSpend => thousand_yuan(totals.rd_spend),
        Indicator::TenantStaff => totals.staff.to_string(),
        Indicator::TenantPatents => totals.new_patents.to_string(),
        Indicator::TenantInventionPatents => totals.new_invention_patents.to_string(),
        Indicator::TenantsFinanced => totals.financed_enterprises.to_string(),
        Indicator::TenantFinancing => thousand_yuan(totals.financing),
        Indicator::TenantReportingRate => format!("{:.1}", totals.completeness.percent()),
        _ => String::new(),
    }
}

/// 载体类型 as the survey writes it.
pub fn kind_zh(kind: CarrierKind) -> &'static str {
    match kind {
        CarrierKind::Makerspace => "众创空间",
        CarrierKind::Incubator => "科技企业孵化器",
        CarrierKind::Accelerator => "加速器",
        CarrierKind::ScienceComplex => "科创综合体",
    }
}

/// A fund's part for carrier `carrier_id`, one of the carriers `served`
/// (ascending ids): its size split evenly among them, the fen that do not
/// divide going one each to the first carriers. The parts add up to the size
/// exactly, so a fund serving several carriers counts once in a city total
/// rather than in full for each. A carrier it does not serve gets nothing.
pub fn fund_share(size: Fen, served: &[i32], carrier_id: i32) -> Fen {
    let Some(position) = served.iter().position(|&id| id == carrier_id) else {
        return Fen(0);
    };
    let count = served.len() as i64;
    let (each, left_over) = (size.0 / count, size.0 % count);
    Fen(each + i64::from((position as i64) < left_over))
}

/// Money as the survey form asks for it: 千元 (thousands of yuan), to 0.01
/// (ten yuan), halves rounded up.
pub fn thousand_yuan(money: Fen) -> String {
    // 0.01 千元 is 1,000 fen.
    let tens_of_yuan = (money.0 + 500).div_euclid(1_000);
    format!("{}.{:02}", tens_of_yuan / 100, tens_of_yuan % 100)
}

/// An area in m², rounded to 0.01 m² as the survey reports it.
pub fn round_area(square_metres: f64) -> f64 {
    let rounded = (square_metres * 100.0).round() / 100.0;
    // -0.0 would print as "-0.00".
    if rounded == 0.0 { 0.0 } else { rounded }
}

fn area_cell(square_metres: f64) -> String {
    format!("{:.2}", round_area(square_metres))
}

/// Text typed by operators, made safe for a spreadsheet: a cell starting
/// with `=`, `+`, `-`, `@` or a tab is run by Excel as a formula (CSV
/// injection), so such text gets a leading apostrophe, which Excel hides.
fn text_cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// The byte order mark that opens the CSV.
///
/// Excel on Chinese Windows reads a CSV without one in the ANSI code page
/// (GBK), which turns UTF-8 Chinese into mojibake; the BOM tells it the file
/// is UTF-8, and other tools (LibreOffice, WPS, pandas with `utf-8-sig`) accept it.
pub const BOM: &str = "\u{feff}";

/// The columns of the survey's form for carriers of `kind`: the makerspace
/// form reports workstations and no graduations or leased area, the
/// incubator form the reverse; neither repeats the kind.
pub fn form(kind: CarrierKind) -> &'static [Indicator] {
    use Indicator::*;
    match kind {
        CarrierKind::Makerspace => &[
            Name,
            District,
            AdminCode,
            Operator,
            Level,
            FloorArea,
            Workstations,
            PublicServiceArea,
            Incubating,
            Staff,
            Mentors,
            FundSize,
            Platforms,
        ],
        _ => &[
            Name,
            District,
            AdminCode,
            Operator,
            Level,
            FloorArea,
            TenantArea,
            PublicServiceArea,
            Incubating,
            GraduatesInYear,
            GraduatesTotal,
            Staff,
            Mentors,
            FundSize,
            Platforms,
        ],
    }
}

/// The form of carriers of `kind` as CSV: the rows of that kind only, in
/// that form's columns.
pub fn render_form(rows: &[TorchRow], kind: CarrierKind) -> String {
    let of_kind: Vec<&TorchRow> = rows.iter().filter(|row| row.kind == kind).collect();
    render_columns(of_kind, form(kind))
}

/// The CSV of the survey: a BOM, the header of Chinese indicator names, then
/// one line per row, CRLF-terminated (RFC 4180, as Excel writes it).
pub fn render_csv(rows: &[TorchRow]) -> String {
    render_columns(rows.iter().collect(), &Indicator::ALL)
}

/// [`render_csv`] with the tenants' figures ([`Indicator::TENANT_FIGURES`])
/// after the survey's columns: what `zaiti export torch --tenants` writes
/// and `torchStatistics.tenantCsv` answers ADMIN.
pub fn render_csv_with_tenants(rows: &[TorchRow]) -> String {
    let columns: Vec<Indicator> = Indicator::ALL
        .iter()
        .chain(Indicator::TENANT_FIGURES.iter())
        .copied()
        .collect();
    render_columns(rows.iter().collect(), &columns)
}

fn render_columns(rows: Vec<&TorchRow>, columns: &[Indicator]) -> String {
    let header: Vec<&str> = columns.iter().map(|column| column.name_zh()).collect();
    let cells = rows
        .into_iter()
        .map(|row| columns.iter().map(move |column| column.cell(row)));
    crate::table::csv(&header, cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn row() -> TorchRow {
        TorchRow {
            carrier_id: 7,
            name: "太湖湾科创孵化器".into(),
            kind: CarrierKind::Incubator,
            district: "新吴区".into(),
            district_kind: DistrictKind::District,
            admin_code: Some("320214".into()),
            operator: "无锡产业发展集团, 有限公司".into(),
            level: Level::Provincial,
            floor_area_m2: 12_000.456,
            tenant_area_m2: 8000.0,
            public_service_m2: 1234.5,
            incubating: 52,
            graduates_in_year: 3,
            graduates_total: 21,
            staff: 6,
            mentors: 8,
            fund_size: Fen(500_000_012),
            platforms: 2,
            workstations: None,
            tenants: None,
        }
    }

    #[test]
    fn a_past_year_is_taken_on_december_31() {
        assert_eq!(as_of(2025, day("2026-11-27")), Ok(day("2025-12-31")));
        assert_eq!(as_of(2000, day("2026-11-27")), Ok(day("2000-12-31")));
    }

    #[test]
    fn the_current_year_is_taken_on_today() {
        assert_eq!(as_of(2026, day("2026-11-27")), Ok(day("2026-11-27")));
    }

    #[test]
    fn a_year_in_the_future_or_before_2000_is_refused() {
        assert_eq!(as_of(2027, day("2026-11-27")).unwrap_err().field, "year");
        assert_eq!(as_of(1999, day("2026-11-27")).unwrap_err().field, "year");
    }

    #[test]
    fn the_header_is_the_chinese_indicator_names_after_a_bom() {
        let csv = render_csv(&[]);
        assert_eq!(
            csv,
            "\u{feff}载体名称,载体类型,所在区（市）,行政区划代码,运营主体,级别,场地总面积(平方米),在孵企业使用面积(平方米),\
             公共服务场地面积(平方米),在孵企业数(家),当年毕业企业数(家),累计毕业企业数(家),\
             专业孵化服务人员(人),创业导师(人),孵化基金规模(千元),公共技术服务平台(个)\r\n"
        );
    }

    #[test]
    fn a_row_gives_exact_money_areas_to_the_hundredth_and_chinese_words() {
        let csv = render_csv(&[row()]);
        let line = csv.split("\r\n").nth(1).unwrap();
        assert_eq!(
            line,
            "太湖湾科创孵化器,科技企业孵化器,新吴区,320214,\"无锡产业发展集团, 有限公司\",省级,\
             12000.46,8000.00,1234.50,52,3,21,6,8,5000.00,2"
        );
        assert!(csv.ends_with("\r\n"));
    }

    #[test]
    fn every_indicator_has_a_chinese_and_an_english_name_and_a_cell() {
        for indicator in Indicator::ALL {
            assert!(!indicator.name_zh().is_empty() && !indicator.name_en().is_empty());
            assert!(!indicator.cell(&row()).is_empty(), "{indicator:?}");
        }
    }

    #[test]
    fn a_fund_serving_several_carriers_is_split_to_the_fen() {
        let served = [3, 5, 9];
        let parts: Vec<Fen> = served
            .iter()
            .map(|&id| fund_share(Fen(1_000), &served, id))
            .collect();
        assert_eq!(parts, [Fen(334), Fen(333), Fen(333)]);
        assert_eq!(parts.iter().map(|f| f.0).sum::<i64>(), 1_000);
        assert_eq!(fund_share(Fen(1_000), &served, 4), Fen(0));
        assert_eq!(
            fund_share(Fen::yuan(50_000_000), &[7], 7),
            Fen::yuan(50_000_000)
        );
    }

    #[test]
    fn money_is_given_in_thousands_of_yuan() {
        assert_eq!(thousand_yuan(Fen::yuan(50_000_000)), "50000.00");
        assert_eq!(thousand_yuan(Fen(500_000_012)), "5000.00");
        assert_eq!(thousand_yuan(Fen::yuan(1_234_565)), "1234.57");
        assert_eq!(thousand_yuan(Fen(0)), "0.00");
    }

    #[test]
    fn each_kind_has_its_own_form() {
        let mut makerspace = row();
        makerspace.kind = CarrierKind::Makerspace;
        makerspace.workstations = Some(120);
        let rows = [row(), makerspace];
        let form = render_form(&rows, CarrierKind::Makerspace);
        let lines: Vec<&str> = form.trim_start_matches(BOM).split("\r\n").collect();
        assert_eq!(
            lines[0],
            "载体名称,所在区（市）,行政区划代码,运营主体,级别,场地总面积(平方米),提供工位数(个),公共服务场地面积(平方米),\
             在孵企业数(家),专业孵化服务人员(人),创业导师(人),孵化基金规模(千元),公共技术服务平台(个)"
        );
        assert!(lines[1].contains(",12000.46,120,1234.50,"), "{}", lines[1]);
        assert_eq!(lines.len(), 3, "the makerspace only");
        let incubators = render_form(&rows, CarrierKind::Incubator);
        assert!(incubators.contains("当年毕业企业数(家)") && !incubators.contains("工位"));
    }

    #[test]
    fn levels_are_named_by_place_and_kind() {
        let mut row = row();
        row.level = Level::District;
        row.district_kind = DistrictKind::CountyLevelCity;
        assert_eq!(Indicator::Level.cell(&row), "县级");
        row.kind = CarrierKind::Makerspace;
        row.level = Level::National;
        assert_eq!(Indicator::Level.cell(&row), "国家备案");
    }

    #[test]
    fn text_that_a_spreadsheet_would_run_as_a_formula_is_defused() {
        let mut row = row();
        row.name = "=HYPERLINK(\"http://x\")".into();
        assert_eq!(Indicator::Name.cell(&row), "'=HYPERLINK(\"http://x\")");
        row.name = "普通名称".into();
        assert_eq!(Indicator::Name.cell(&row), "普通名称");
    }

    #[test]
    fn areas_round_to_the_hundredth_without_a_negative_zero() {
        assert_eq!(round_area(0.004), 0.0);
        assert_eq!(round_area(-0.001).to_string(), "0");
        assert_eq!(area_cell(1500.0), "1500.00");
        assert_eq!(area_cell(99.999), "100.00");
    }
}
