//! Bulk import of tenancies (在孵企业入驻) from a spreadsheet, for operators
//! who keep their tenants in one: `zaiti import tenancies FILE` and the
//! `importTenancies` mutation (the file as a multipart upload) both end here.
//!
//! # The file
//!
//! CSV (UTF-8, with or without a byte order mark, or GB18030/GBK as Excel and
//! WPS save "CSV" on Chinese systems; comma- or tab-separated) or a workbook
//! (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`: its first sheet). The header
//! is the first row naming at least three columns below (a title above it is
//! skipped; failing that, the first non-empty row); every later non-empty row
//! is one tenancy.
//! Columns are found by their header, in any order, in English or Chinese;
//! case, spaces, `_` and `-` do not matter (`moved_in_on`, `Moved In On`,
//! `movedInOn` are one column), nor does a unit in brackets (`租赁面积（㎡）`).
//! Columns with other headers are ignored and reported as such.
//!
//! | column | 中文 | required | value |
//! |---|---|---|---|
//! | `carrier_id` | 载体ID | yes | the carrier: its database id or its global ID |
//! | `uscc` | 统一社会信用代码 | yes | the enterprise's USCC (check character verified) |
//! | `enterprise_name` | 企业名称 | yes | |
//! | `founded_on` | 成立日期 | yes | a date |
//! | `landed_on` | 落地日期 | no | a date: when it landed in the city |
//! | `industry` | 行业 | no | a Chinese name, short form or code, e.g. 生物医药, 人工智能, `SOFTWARE_IT` |
//! | `headcount` | 从业人数 | no | a whole number |
//! | `unit` | 房号 | no | e.g. `B栋302` |
//! | `area_m2` | 租赁面积 | yes | leased floor area, m² |
//! | `moved_in_on` | 入驻日期 | yes | a date |
//! | `moved_out_on` | 迁出日期 | no | a date: the first day no longer leased |
//!
//! Dates are `YYYY-MM-DD` (`/` or `.` also separate; a time of `00:00[:00]`
//! after it is ignored), or date cells in a workbook. Rows are numbered as a
//! spreadsheet numbers them: the header is row 1 when it is the first line,
//! and a CSV row's number is the line it starts on.
//!
//! An enterprise is registered by its USCC (or brought up to the file's facts
//! when registered already); a blank optional cell keeps what is stored. Rows
//! of one USCC must agree on the enterprise's facts, and may hold several
//! tenancies (in different carriers, or one after another in one).
//!
//! # All or nothing
//!
//! 1. Every row is read and checked on its own, by the rules of the domain
//!    (`Uscc::parse`, `FloorArea::parse`, `Span::new`, …), and rows against
//!    each other (one enterprise's facts, overlapping tenancies in the file).
//!    Every error is collected: one per bad cell, by row and column.
//! 2. Only when every row passes, one transaction registers the enterprises
//!    ([`store::enterprise::register_in`]) and moves the tenancies in as a
//!    batch ([`store::tenancy::move_in_all_in`]), which checks the rules that
//!    need the database (the carrier exists and is the caller's to write, no
//!    overlap with stored tenancies, no day leased beyond the carrier's
//!    leasable area) in memory after reading each carrier once, so every row
//!    those rules refuse is listed, not just the first. A statement that fails
//!    (a unique value taken meanwhile by a concurrent write), which on
//!    PostgreSQL aborts the transaction, stops the import at that row.
//! 3. Any error rolls everything back. A dry run does all of the above and
//!    always rolls back, so it reports the database's refusals too.

use std::collections::HashMap;
use std::fmt;
use std::io::Cursor;
use std::sync::Mutex;

use calamine::{Data, DataType, Reader, open_workbook_auto_from_rs};
use chrono::NaiveDate;
use entity::enterprise;
use sea_orm::{ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter};

use crate::domain::access::{Actor, Role};
use crate::domain::area::FloorArea;
use crate::domain::carrier::Industry;
use crate::domain::dates::check_plausible;
use crate::domain::message::zh_date;
use crate::domain::tenancy::Span;
use crate::domain::text::{optional_text, required_text};
use crate::domain::uscc::Uscc;
use crate::domain::{Message, ValidationError};
use crate::error::{AppError, AppResult, entity_name_zh, stored};
use crate::store;
use crate::store::enterprise::EnterpriseFacts;
use crate::store::tenancy::NewTenancy;

pub mod leases;
pub mod units;

/// Most tenancy rows one file may hold; split larger files.
pub const MAX_ROWS: usize = 100_000;

/// The input field that names the file in errors about the file as a whole.
pub const FILE_FIELD: &str = "file";

/// A column of the layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Field {
    CarrierId,
    Uscc,
    EnterpriseName,
    FoundedOn,
    LandedOn,
    Industry,
    Headcount,
    Unit,
    AreaM2,
    MovedInOn,
    MovedOutOn,
}

/// How a column is named and whether it must be there.
struct Column {
    field: Field,
    /// The English header, as errors name a column the file lacks.
    name: &'static str,
    /// The Chinese header.
    chinese: &'static str,
    /// Other headers accepted (compared after [`normalise`]).
    aliases: &'static [&'static str],
    required: bool,
    /// The input field the domain rules name in their errors.
    api: &'static str,
}

const COLUMNS: [Column; 11] = [
    Column {
        field: Field::CarrierId,
        name: "carrier_id",
        chinese: "载体ID",
        aliases: &["carrier", "载体编号"],
        required: true,
        api: "carrierId",
    },
    Column {
        field: Field::Uscc,
        name: "uscc",
        chinese: "统一社会信用代码",
        aliases: &["信用代码", "enterpriseId"],
        required: true,
        api: "uscc",
    },
    Column {
        field: Field::EnterpriseName,
        name: "enterprise_name",
        chinese: "企业名称",
        aliases: &["enterprise", "name"],
        required: true,
        api: "enterpriseName",
    },
    Column {
        field: Field::FoundedOn,
        name: "founded_on",
        chinese: "成立日期",
        aliases: &["founded"],
        required: true,
        api: "foundedOn",
    },
    Column {
        field: Field::LandedOn,
        name: "landed_on",
        chinese: "落地日期",
        aliases: &["landed"],
        required: false,
        api: "landedOn",
    },
    Column {
        field: Field::Industry,
        name: "industry",
        chinese: "行业",
        aliases: &["所属行业", "产业"],
        required: false,
        api: "industry",
    },
    Column {
        field: Field::Headcount,
        name: "headcount",
        chinese: "从业人数",
        aliases: &["员工人数"],
        required: false,
        api: "headcount",
    },
    Column {
        field: Field::Unit,
        name: "unit",
        chinese: "房号",
        aliases: &["房间号"],
        required: false,
        api: "unit",
    },
    Column {
        field: Field::AreaM2,
        name: "area_m2",
        chinese: "租赁面积",
        aliases: &["area", "面积"],
        required: true,
        api: "areaM2",
    },
    Column {
        field: Field::MovedInOn,
        name: "moved_in_on",
        chinese: "入驻日期",
        aliases: &["moved_in", "入驻时间"],
        required: true,
        api: "movedInOn",
    },
    Column {
        field: Field::MovedOutOn,
        name: "moved_out_on",
        chinese: "迁出日期",
        aliases: &["moved_out", "迁出时间"],
        required: false,
        api: "movedOutOn",
    },
];

fn column(field: Field) -> &'static Column {
    COLUMNS
        .iter()
        .find(|column| column.field == field)
        .unwrap_or(&COLUMNS[0])
}

/// A header as compared: lower case, without whitespace, `_`, `-` or a
/// bracketed unit at the end.
fn normalise(header: &str) -> String {
    let mut text = header.trim();
    for (open, close) in [('(', ')'), ('（', '）'), ('[', ']')] {
        if let Some(stripped) = text.strip_suffix(close)
            && let Some(at) = stripped.rfind(open)
            && at > 0
        {
            text = &stripped[..at];
            break;
        }
    }
    text.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

fn field_of_header(header: &str) -> Option<Field> {
    let wanted = normalise(header);
    COLUMNS
        .iter()
        .find(|column| {
            [column.name, column.chinese, column.api]
                .iter()
                .chain(column.aliases)
                .any(|name| normalise(name) == wanted)
        })
        .map(|column| column.field)
}

fn field_of_api(api: &str) -> Option<Field> {
    match api {
        "enterpriseId" => Some(Field::Uscc),
        "name" => Some(Field::EnterpriseName),
        _ => COLUMNS
            .iter()
            .find(|column| column.api == api)
            .map(|column| column.field),
    }
}

/// One cell, as read from either kind of file.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// A workbook's date cell.
    Date(NaiveDate),
    /// A value no column takes as it is (an error value like `#N/A`, a duration).
    Other(String),
}

impl Cell {
    fn is_empty(&self) -> bool {
        matches!(self, Self::Empty)
    }

    /// The cell as text, as a person would read it; `None` when empty.
    fn text(&self) -> Option<String> {
        match self {
            Self::Empty => None,
            Self::Text(text) | Self::Other(text) => Some(text.clone()),
            Self::Number(number) => Some(number_text(*number)),
            Self::Date(date) => Some(date.to_string()),
        }
    }
}

fn number_text(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 1e15 {
        format!("{number:.0}")
    } else {
        number.to_string()
    }
}

fn text_cell(text: &str) -> Cell {
    match text.trim() {
        "" => Cell::Empty,
        trimmed => Cell::Text(trimmed.to_owned()),
    }
}

/// A spreadsheet's header and rows, each row with its spreadsheet number.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    /// The spreadsheet number of the header row.
    pub header_row: u32,
    pub header: Vec<String>,
    /// Non-empty rows after the header: (row number, cells).
    pub rows: Vec<(u32, Vec<Cell>)>,
}

/// How many non-empty rows at the top of a sheet may hold the header.
const HEADER_SEARCH_ROWS: usize = 10;
/// Columns of the layout a row must name to be taken for the header.
const HEADER_MIN_COLUMNS: usize = 3;

impl Sheet {
    /// Takes for the header the first of the first [`HEADER_SEARCH_ROWS`]
    /// non-empty rows that names at least [`HEADER_MIN_COLUMNS`] columns of
    /// the layout, skipping titles above it (or, failing that, the first
    /// non-empty row); the non-empty rows after it are the data.
    fn from_rows(
        rows: impl Iterator<Item = (u32, Vec<Cell>)>,
        names_column: &dyn Fn(&str) -> bool,
    ) -> Result<Self, ValidationError> {
        let mut rows: Vec<(u32, Vec<Cell>)> = rows
            .filter(|(_, cells)| !cells.iter().all(Cell::is_empty))
            .collect();
        let names_columns = |cells: &[Cell]| {
            cells
                .iter()
                .filter_map(Cell::text)
                .filter(|text| names_column(text))
                .count()
                >= HEADER_MIN_COLUMNS
        };
        let at = rows
            .iter()
            .take(HEADER_SEARCH_ROWS)
            .position(|(_, cells)| names_columns(cells))
            .unwrap_or(0);
        let mut rows = rows.drain(at..);
        let Some((header_row, header)) = rows.next() else {
            return Err(ValidationError::new(
                FILE_FIELD,
                "the file is empty: it needs a header row and one row per record",
                "文件为空：应有一行表头，其下每行一条记录",
            ));
        };
        let rows: Vec<(u32, Vec<Cell>)> = rows.collect();
        if rows.len() > MAX_ROWS {
            return Err(ValidationError::new(
                FILE_FIELD,
                format!("the file has more than {MAX_ROWS} rows; split it"),
                format!("文件超过 {MAX_ROWS} 行，请拆分后分批导入"),
            ));
        }
        let header = header
            .iter()
            .map(|cell| cell.text().unwrap_or_default())
            .collect();
        Ok(Self {
            header_row,
            header,
            rows,
        })
    }
}

/// Reads a spreadsheet: a workbook when the bytes (or failing that, the file
/// name) say so, CSV otherwise.
pub fn read_sheet(file_name: &str, bytes: &[u8]) -> Result<Sheet, ValidationError> {
    read_sheet_of(file_name, bytes, &|header| {
        field_of_header(header).is_some()
    })
}

/// [`read_sheet`] for a layout whose headers `names_column` recognises.
fn read_sheet_of(
    file_name: &str,
    bytes: &[u8],
    names_column: &dyn Fn(&str) -> bool,
) -> Result<Sheet, ValidationError> {
    const ZIP: &[u8] = b"PK\x03\x04";
    const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0];
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase());
    let workbook_name = matches!(
        extension.as_deref(),
        Some("xlsx" | "xlsm" | "xlsb" | "xls" | "ods")
    );
    if bytes.starts_with(ZIP) || bytes.starts_with(OLE) || workbook_name {
        read_workbook(bytes, names_column)
    } else {
        read_csv(bytes, names_column)
    }
}

fn read_workbook(
    bytes: &[u8],
    names_column: &dyn Fn(&str) -> bool,
) -> Result<Sheet, ValidationError> {
    let unreadable = |detail: String, detail_zh: String| {
        ValidationError::new(
            FILE_FIELD,
            format!("not a workbook zaiti can read (.xlsx, .xlsm, .xlsb, .xls, .ods): {detail}"),
            format!("不是可读取的工作簿（.xlsx、.xlsm、.xlsb、.xls、.ods）：{detail_zh}"),
        )
    };
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|err| unreadable(err.to_string(), err.to_string()))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| unreadable("it has no sheet".into(), "其中没有工作表".into()))?
        .map_err(|err| unreadable(err.to_string(), err.to_string()))?;
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    let rows = range.rows().enumerate().map(|(index, cells)| {
        let mut row: Vec<Cell> = (0..first_column).map(|_| Cell::Empty).collect();
        row.extend(cells.iter().map(workbook_cell));
        (first_row + index as u32 + 1, row)
    });
    Sheet::from_rows(rows, names_column)
}

fn workbook_cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(text) => text_cell(text),
        Data::Int(number) => Cell::Number(*number as f64),
        Data::Float(number) => Cell::Number(*number),
        Data::Bool(value) => Cell::Text(value.to_string()),
        Data::DateTime(value) if value.is_datetime() => data
            .as_date()
            .map_or_else(|| Cell::Other(value.to_string()), Cell::Date),
        Data::DateTimeIso(text) => data.as_date().map_or_else(|| text_cell(text), Cell::Date),
        Data::DateTime(_) | Data::DurationIso(_) | Data::Error(_) => Cell::Other(data.to_string()),
    }
}

fn read_csv(bytes: &[u8], names_column: &dyn Fn(&str) -> bool) -> Result<Sheet, ValidationError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .ok_or_else(|| {
                ValidationError::new(
                    FILE_FIELD,
                    "the file is neither a workbook nor CSV text in UTF-8 or GB18030 (GBK)",
                    "文件既不是工作簿，也不是 UTF-8 或 GB18030（GBK）编码的 CSV 文本",
                )
            })?,
    };
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.matches('\t').count() > first_line.matches(',').count() {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    // The line a record starts on, counted from its byte offset: the reader
    // counts no blank lines, and a record's offset is where the blank lines
    // before it begin.
    let line_starts: Vec<usize> = text.match_indices('\n').map(|(at, _)| at + 1).collect();
    let line_of = |byte: u64| {
        let mut byte = usize::try_from(byte).unwrap_or(usize::MAX);
        while text
            .as_bytes()
            .get(byte)
            .is_some_and(|b| matches!(b, b'\n' | b'\r'))
        {
            byte += 1;
        }
        let line = line_starts.partition_point(|&start| start <= byte) + 1;
        u32::try_from(line).unwrap_or(u32::MAX)
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|err| {
            let line = err.position().map_or(0, |p| line_of(p.byte()));
            ValidationError::new(
                FILE_FIELD,
                format!("CSV cannot be read at line {line}: {err}"),
                format!("CSV 文件第 {line} 行无法读取：{err}"),
            )
        })?;
        let number = record.position().map_or(0, |p| line_of(p.byte()));
        rows.push((number, record.iter().map(text_cell).collect()));
        if rows.len() > MAX_ROWS + HEADER_SEARCH_ROWS {
            break;
        }
    }
    Sheet::from_rows(rows.into_iter(), names_column)
}

/// A bad row: where, and why (in English and in Chinese).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RowError {
    /// The spreadsheet row number (the header is row 1 when it is the first line).
    pub row: u32,
    /// The column's header as the file has it (or the layout's name for a
    /// column the file lacks); `None` when the row as a whole is at fault.
    pub column: Option<String>,
    pub message: Message,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(f, "row {}, column {column}: {}", self.row, self.message),
            None => write!(f, "row {}: {}", self.row, self.message),
        }
    }
}

/// One row, valid on its own.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    number: u32,
    carrier_id: i32,
    uscc: Uscc,
    name: String,
    founded_on: NaiveDate,
    landed_on: Option<NaiveDate>,
    industry: Option<Industry>,
    headcount: Option<i32>,
    unit: Option<String>,
    area: FloorArea,
    span: Span,
}

/// A file read and checked on its own, ready to [`run`].
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The file name, for messages.
    pub file_name: String,
    /// Rows read after the header (blank rows not counted).
    pub rows_read: usize,
    /// Every error found so far; when any, [`run`] touches no database.
    pub errors: Vec<RowError>,
    /// Headers matching no column of the layout: their cells were not read.
    pub ignored_columns: Vec<String>,
    /// Header text of each column present.
    headers: HashMap<Field, String>,
    rows: Vec<Row>,
}

impl Plan {
    /// The header of `field` as the file writes it, or the layout's name.
    fn header(&self, field: Field) -> String {
        self.headers
            .get(&field)
            .cloned()
            .unwrap_or_else(|| column(field).name.to_owned())
    }

    fn error(&self, row: u32, field: Option<Field>, message: Message) -> RowError {
        RowError {
            row,
            column: field.map(|field| self.header(field)),
            message,
        }
    }

    /// A refusal of the store on `row`, in the terms of the file.
    fn store_error(&self, row: u32, err: AppError, fallback: Field) -> RowError {
        match err {
            AppError::Invalid(invalid) => self.error(
                row,
                Some(field_of_api(&invalid.field).unwrap_or(fallback)),
                invalid.reason(),
            ),
            AppError::NotFound { entity, id } => self.error(
                row,
                Some(fallback),
                Message::new(
                    format!("no {} with id {id}", entity.to_lowercase()),
                    format!("未找到编号为 {id} 的{}", entity_name_zh(entity)),
                ),
            ),
            other => self.error(row, Some(fallback), other.message()),
        }
    }
}

/// Reads `bytes` (a file named `file_name`) and checks every row on its own.
/// `Err` only when the file cannot be read at all; bad rows are in
/// [`Plan::errors`].
pub fn plan(file_name: &str, bytes: &[u8]) -> Result<Plan, ValidationError> {
    let sheet = read_sheet(file_name, bytes)?;
    Ok(check_sheet(file_name, &sheet))
}

/// Checks every row of `sheet` on its own, then rows against each other.
pub fn check_sheet(file_name: &str, sheet: &Sheet) -> Plan {
    let mut plan = Plan {
        file_name: file_name.to_owned(),
        rows_read: sheet.rows.len(),
        ..Plan::default()
    };
    let mut positions: HashMap<Field, usize> = HashMap::new();
    for (position, header) in sheet.header.iter().enumerate() {
        if header.trim().is_empty() {
            continue;
        }
        match field_of_header(header) {
            Some(field) => match positions.get(&field) {
                Some(&first) => plan.errors.push(RowError {
                    row: sheet.header_row,
                    column: Some(header.clone()),
                    message: Message::new(
                        format!(
                            "column {} ('{}') is {} already; keep one of them",
                            first + 1,
                            sheet.header[first],
                            column(field).name
                        ),
                        format!(
                            "第 {} 列（“{}”）已是“{}”列，请只保留其中一列",
                            first + 1,
                            sheet.header[first],
                            column(field).chinese
                        ),
                    ),
                }),
                None => {
                    positions.insert(field, position);
                    plan.headers.insert(field, header.trim().to_owned());
                }
            },
            None => plan.ignored_columns.push(header.trim().to_owned()),
        }
    }
    for column in COLUMNS
        .iter()
        .filter(|c| c.required && !positions.contains_key(&c.field))
    {
        plan.errors.push(RowError {
            row: sheet.header_row,
            column: Some(column.name.to_owned()),
            message: Message::new(
                format!(
                    "the file has no {} column: add one headed {} (or {})",
                    column.name, column.name, column.chinese
                ),
                format!(
                    "文件缺少“{}”列：请添加表头为“{}”（或 {}）的列",
                    column.chinese, column.chinese, column.name
                ),
            ),
        });
    }
    if !plan.errors.is_empty() {
        return plan;
    }
    let mut rows = Vec::with_capacity(sheet.rows.len());
    let mut found: Vec<(u32, Field, Message)> = Vec::new();
    for (number, cells) in &sheet.rows {
        let cell = |field: Field| {
            positions
                .get(&field)
                .and_then(|&position| cells.get(position))
                .unwrap_or(&EMPTY_CELL)
        };
        let mut errors = Vec::new();
        if let Some(row) = check_row(*number, &cell, &mut errors) {
            rows.push(row);
        }
        found.extend(
            errors
                .into_iter()
                .map(|(field, message)| (*number, field, message)),
        );
    }
    found.extend(check_across(&rows));
    let errors: Vec<RowError> = found
        .into_iter()
        .map(|(row, field, message)| plan.error(row, Some(field), message))
        .collect();
    plan.errors = errors;
    sort_errors(&mut plan.errors);
    plan.rows = rows;
    plan
}

static EMPTY_CELL: Cell = Cell::Empty;

/// Orders errors by row, then by column as the layout orders them.
fn sort_errors(errors: &mut [RowError]) {
    errors.sort_by_cached_key(|err| {
        (
            err.row,
            err.column.as_deref().and_then(field_of_header),
            err.message.en.clone(),
        )
    });
}

/// Checks one row's cells; pushes (column, reason) for each bad one.
fn check_row<'a>(
    number: u32,
    cell: &impl Fn(Field) -> &'a Cell,
    errors: &mut Vec<(Field, Message)>,
) -> Option<Row> {
    fn take<T>(
        errors: &mut Vec<(Field, Message)>,
        field: Field,
        result: Result<T, Message>,
    ) -> Option<T> {
        result.map_err(|message| errors.push((field, message))).ok()
    }
    let carrier_id = take(errors, Field::CarrierId, carrier_id(cell(Field::CarrierId)));
    let uscc = take(errors, Field::Uscc, uscc(cell(Field::Uscc)));
    let name = cell(Field::EnterpriseName).text().unwrap_or_default();
    let name = take(
        errors,
        Field::EnterpriseName,
        required_text("enterpriseName", &name).map_err(|err| err.reason()),
    );
    let founded_on = required(cell(Field::FoundedOn), "foundedOn", date);
    let founded_on = take(errors, Field::FoundedOn, founded_on);
    let landed_on = optional(cell(Field::LandedOn), "landedOn", date);
    let landed_on = take(errors, Field::LandedOn, landed_on);
    let industry = optional(cell(Field::Industry), "industry", industry);
    let industry = take(errors, Field::Industry, industry);
    let headcount = optional(cell(Field::Headcount), "headcount", headcount);
    let headcount = take(errors, Field::Headcount, headcount);
    let unit = optional_text("unit", cell(Field::Unit).text().as_deref());
    let unit = take(errors, Field::Unit, unit.map_err(|err| err.reason()));
    let area = take(
        errors,
        Field::AreaM2,
        required(cell(Field::AreaM2), "areaM2", area),
    );
    let moved_in = required(cell(Field::MovedInOn), "movedInOn", date);
    let moved_in = take(errors, Field::MovedInOn, moved_in);
    let moved_out = optional(cell(Field::MovedOutOn), "movedOutOn", date);
    let moved_out = take(errors, Field::MovedOutOn, moved_out);
    let span = match (moved_in, moved_out) {
        (Some(moved_in), Some(moved_out)) => match Span::new(moved_in, moved_out) {
            Ok(span) => Some(span),
            Err(err) => {
                let field = field_of_api(&err.field).unwrap_or(Field::MovedOutOn);
                errors.push((field, err.reason()));
                None
            }
        },
        _ => None,
    };
    Some(Row {
        number,
        carrier_id: carrier_id?,
        uscc: uscc?,
        name: name?,
        founded_on: founded_on?,
        landed_on: landed_on?,
        industry: industry?,
        headcount: headcount?,
        unit: unit?,
        area: area?,
        span: span?,
    })
}

/// Rows against each other: one enterprise, one set of facts; and no two
/// tenancies of one enterprise in one carrier overlapping.
fn check_across(rows: &[Row]) -> Vec<(u32, Field, Message)> {
    let mut errors = Vec::new();
    let mut first_of: HashMap<&Uscc, &Row> = HashMap::new();
    let mut spans: HashMap<(i32, &Uscc), Vec<&Row>> = HashMap::new();
    for row in rows {
        if let Some(first) = first_of.get(&row.uscc) {
            let differs = |field: Field, mine: Option<String>, theirs: Option<String>| match (
                mine, theirs,
            ) {
                (Some(mine), Some(theirs)) if mine != theirs => Some((
                    row.number,
                    field,
                    Message::new(
                        format!(
                            "'{mine}' differs from '{theirs}' in row {} for the same USCC; an enterprise has one {}",
                            first.number,
                            column(field).name
                        ),
                        format!(
                            "“{mine}”与第 {} 行的“{theirs}”不一致；同一统一社会信用代码的企业只能有一个{}",
                            first.number,
                            column(field).chinese
                        ),
                    ),
                )),
                _ => None,
            };
            errors.extend(
                [
                    differs(
                        Field::EnterpriseName,
                        Some(row.name.clone()),
                        Some(first.name.clone()),
                    ),
                    differs(
                        Field::FoundedOn,
                        Some(row.founded_on.to_string()),
                        Some(first.founded_on.to_string()),
                    ),
                    differs(
                        Field::LandedOn,
                        row.landed_on.map(|d| d.to_string()),
                        first.landed_on.map(|d| d.to_string()),
                    ),
                    differs(
                        Field::Industry,
                        row.industry.map(|i| i.to_string()),
                        first.industry.map(|i| i.to_string()),
                    ),
                    differs(
                        Field::Headcount,
                        row.headcount.map(|h| h.to_string()),
                        first.headcount.map(|h| h.to_string()),
                    ),
                ]
                .into_iter()
                .flatten(),
            );
        } else {
            first_of.insert(&row.uscc, row);
        }
        let earlier = spans.entry((row.carrier_id, &row.uscc)).or_default();
        if let Some(clash) = earlier.iter().find(|other| other.span.overlaps(&row.span)) {
            errors.push((
                row.number,
                Field::MovedInOn,
                Message::new(
                    format!(
                        "overlaps the tenancy of row {} ({} to {}) of the same enterprise in the same carrier",
                        clash.number,
                        clash.span.moved_in,
                        clash
                            .span
                            .moved_out
                            .map_or_else(|| "open".to_owned(), |d| d.to_string())
                    ),
                    format!(
                        "与第 {} 行同一企业在同一载体的入驻期间（{}{}）重叠",
                        clash.number,
                        zh_date(clash.span.moved_in),
                        clash
                            .span
                            .moved_out
                            .map_or_else(|| "起".to_owned(), |d| format!("至{}", zh_date(d)))
                    ),
                ),
            ));
        } else {
            earlier.push(row);
        }
    }
    errors
}

/// A required cell left empty.
fn empty() -> Message {
    Message::new("must not be empty", "不能为空")
}

fn required<T>(
    cell: &Cell,
    api: &str,
    parse: impl Fn(&Cell, &str) -> Result<T, Message>,
) -> Result<T, Message> {
    if cell.is_empty() {
        return Err(empty());
    }
    parse(cell, api)
}

fn optional<T>(
    cell: &Cell,
    api: &str,
    parse: impl Fn(&Cell, &str) -> Result<T, Message>,
) -> Result<Option<T>, Message> {
    if cell.is_empty() {
        return Ok(None);
    }
    parse(cell, api).map(Some)
}

fn carrier_id(cell: &Cell) -> Result<i32, Message> {
    let invalid = |shown: &str| {
        Message::new(
            format!("'{shown}' is neither a carrier's database id nor its global ID"),
            format!("“{shown}”既不是载体的数据库编号，也不是载体的全局 ID"),
        )
    };
    match cell {
        Cell::Empty => Err(empty()),
        Cell::Number(number) => {
            if number.fract() == 0.0 && *number >= 1.0 && *number <= f64::from(i32::MAX) {
                Ok(*number as i32)
            } else {
                Err(invalid(&number_text(*number)))
            }
        }
        other => {
            let text = other.text().unwrap_or_default();
            if text.bytes().all(|b| b.is_ascii_digit()) {
                return text
                    .parse::<i32>()
                    .ok()
                    .filter(|id| *id > 0)
                    .ok_or_else(|| invalid(&text));
            }
            let id = async_graphql::ID(text.clone());
            crate::graphql::node::expect("carrierId", &id, crate::graphql::node::NodeType::Carrier)
                .map_err(|err| match err {
                    AppError::Invalid(invalid) => invalid.reason(),
                    other => other.message(),
                })
        }
    }
}

fn uscc(cell: &Cell) -> Result<Uscc, Message> {
    match cell {
        Cell::Number(number) if number.abs() >= 1e15 => Err(Message::new(
            format!(
                "{} was stored as a number and lost digits; format the column as text and type the code again",
                number_text(*number)
            ),
            format!(
                "{} 被存成了数字，已丢失位数；请将该列设为文本格式后重新录入代码",
                number_text(*number)
            ),
        )),
        other => Uscc::parse(&other.text().unwrap_or_default()).map_err(|err| err.reason()),
    }
}

/// A date: a workbook's date cell, or text `YYYY-MM-DD` (or with `/` or `.`),
/// optionally followed by a midnight time.
fn date(cell: &Cell, api: &str) -> Result<NaiveDate, Message> {
    let date = match cell {
        Cell::Date(date) => *date,
        Cell::Number(number) => {
            return Err(Message::new(
                format!(
                    "{} is a number, not a date: write YYYY-MM-DD or format the cell as a date",
                    number_text(*number)
                ),
                format!(
                    "{} 是数字而不是日期：请写成 YYYY-MM-DD，或将单元格设为日期格式",
                    number_text(*number)
                ),
            ));
        }
        other => parse_date(&other.text().unwrap_or_default())?,
    };
    check_plausible(api, date).map_err(|err| err.reason())?;
    Ok(date)
}

fn parse_date(text: &str) -> Result<NaiveDate, Message> {
    let invalid = || {
        Message::new(
            format!("'{text}' is not a date like 2024-03-22 (YYYY-MM-DD)"),
            format!("“{text}”不是形如 2024-03-22（YYYY-MM-DD）的日期"),
        )
    };
    let mut parts = text.split(['T', ' ']).filter(|part| !part.is_empty());
    let day = parts.next().ok_or_else(invalid)?;
    let midnight = parts.all(|time| {
        let time = time.trim_end_matches('Z');
        ["00:00", "00:00:00", "00:00:00.000"].contains(&time)
    });
    if !midnight {
        return Err(invalid());
    }
    let pieces: Vec<&str> = day.split(['-', '/', '.']).collect();
    let [year, month, day] = pieces.as_slice() else {
        return Err(invalid());
    };
    if year.len() != 4 || !(1..=2).contains(&month.len()) || !(1..=2).contains(&day.len()) {
        return Err(invalid());
    }
    let number = |piece: &str| piece.parse::<u32>().map_err(|_| invalid());
    NaiveDate::from_ymd_opt(number(year)? as i32, number(month)?, number(day)?).ok_or_else(invalid)
}

fn industry(cell: &Cell, _api: &str) -> Result<Industry, Message> {
    let text = cell.text().unwrap_or_default();
    Industry::from_label(&text).ok_or_else(|| {
        let names: Vec<String> = <Industry as strum::IntoEnumIterator>::iter()
            .map(|industry| format!("{} {industry}", industry.name_zh()))
            .collect();
        Message::new(
            format!(
                "'{text}' is not an industry; use a Chinese name or code: {}",
                names.join(", ")
            ),
            format!(
                "“{text}”不是可识别的行业，请填写中文名称或代码：{}",
                names.join("、")
            ),
        )
    })
}

fn headcount(cell: &Cell, _api: &str) -> Result<i32, Message> {
    let invalid = |shown: String| {
        Message::new(
            format!("'{shown}' is not a whole number of people"),
            format!("“{shown}”不是整数人数"),
        )
    };
    let number = match cell {
        Cell::Number(number) => *number,
        other => {
            let text = other.text().unwrap_or_default();
            text.trim()
                .parse::<f64>()
                .map_err(|_| invalid(text.clone()))?
        }
    };
    if number.fract() != 0.0 || !(0.0..=f64::from(i32::MAX)).contains(&number) {
        return Err(invalid(number_text(number)));
    }
    Ok(number as i32)
}

fn area(cell: &Cell, api: &str) -> Result<FloorArea, Message> {
    let square_metres = match cell {
        Cell::Number(number) => *number,
        other => {
            let text = other.text().unwrap_or_default();
            text.replace([',', '，'], "")
                .trim()
                .parse::<f64>()
                .map_err(|_| {
                    Message::new(
                        format!("'{text}' is not a number of square metres"),
                        format!("“{text}”不是以平方米计的面积数值"),
                    )
                })?
        }
    };
    FloorArea::parse(api, square_metres).map_err(|err| err.reason())
}

/// What an import did (or, in a dry run or when refused, would have done).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub file_name: String,
    pub rows_read: usize,
    /// Enterprises registered because their USCC was new (in a dry run: would be).
    pub enterprises_created: usize,
    /// Tenancies moved in (in a dry run: would be); 0 when refused.
    pub tenancies_created: usize,
    /// Every bad row; empty when the file was (or, in a dry run, would be) accepted.
    pub errors: Vec<RowError>,
    pub dry_run: bool,
    /// Whether anything was written: no errors and not a dry run.
    pub committed: bool,
    /// The carriers the file's rows name (database ids), in order of first mention.
    pub carrier_ids: Vec<i32>,
    /// Headers matching no column of the layout.
    pub ignored_columns: Vec<String>,
}

/// The stages of an import that take time on a large file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    RegisteringEnterprises,
    MovingIn,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::RegisteringEnterprises => "registering enterprises",
            Self::MovingIn => "moving tenancies in",
        })
    }
}

/// Told how an import advances, e.g. to draw a progress bar.
pub trait Progress: Send + Sync {
    /// A stage of `total` steps begins.
    fn start(&self, stage: Stage, total: u64);
    /// One more step of the current stage is done.
    fn advance(&self);
    /// The import is over.
    fn finish(&self);
}

/// Progress nobody watches.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _stage: Stage, _total: u64) {}
    fn advance(&self) {}
    fn finish(&self) {}
}

/// Files with at least this many rows get a progress bar on a terminal.
pub const PROGRESS_MIN_ROWS: usize = 500;

/// A progress bar on standard error (drawn only when it is a terminal).
#[derive(Debug, Default)]
pub struct TerminalProgress(Mutex<Option<indicatif::ProgressBar>>);

impl Progress for TerminalProgress {
    fn start(&self, stage: Stage, total: u64) {
        let bar = indicatif::ProgressBar::new(total);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg:>24} [{bar:40}] {pos}/{len} rows ({eta} left)",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(stage.to_string());
        tracing::info!(%stage, total, "import");
        if let Ok(mut current) = self.0.lock()
            && let Some(previous) = current.replace(bar)
        {
            previous.finish();
        }
    }

    fn advance(&self) {
        if let Ok(current) = self.0.lock()
            && let Some(bar) = current.as_ref()
        {
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Ok(mut current) = self.0.lock()
            && let Some(bar) = current.take()
        {
            bar.finish();
        }
    }
}

/// Writes `plan` as `actor` in one transaction, all or nothing (see the
/// module's documentation); with `dry_run`, checks everything and writes
/// nothing. Refusals are in [`Summary::errors`]; `Err` only for failures on
/// our side.
#[tracing::instrument(skip_all, fields(file = %plan.file_name, rows = plan.rows_read, dry_run = dry_run))]
pub async fn run(
    db: &DatabaseConnection,
    actor: &Actor,
    plan: Plan,
    dry_run: bool,
    progress: &dyn Progress,
) -> AppResult<Summary> {
    let mut summary = Summary {
        file_name: plan.file_name.clone(),
        rows_read: plan.rows_read,
        errors: plan.errors.clone(),
        dry_run,
        ignored_columns: plan.ignored_columns.clone(),
        ..Summary::default()
    };
    for row in &plan.rows {
        if !summary.carrier_ids.contains(&row.carrier_id) {
            summary.carrier_ids.push(row.carrier_id);
        }
    }
    if !summary.errors.is_empty() {
        return Ok(summary);
    }
    let txn = crate::store::begin_write(db).await?;
    let outcome = write(&txn, actor, &plan, &mut summary, progress).await;
    progress.finish();
    outcome?;
    sort_errors(&mut summary.errors);
    summary.committed = settle(txn, &summary.errors, dry_run).await?;
    if summary.committed {
        tracing::info!(
            enterprises = summary.enterprises_created,
            tenancies = summary.tenancies_created,
            "import written"
        );
    } else if !summary.errors.is_empty() {
        summary.enterprises_created = 0;
        summary.tenancies_created = 0;
    }
    Ok(summary)
}

/// Ends an import's transaction: committed when no row was refused and it
/// is no dry run, rolled back otherwise. Whether it committed.
async fn settle(txn: DatabaseTransaction, errors: &[RowError], dry_run: bool) -> AppResult<bool> {
    if errors.is_empty() && !dry_run {
        txn.commit().await?;
        Ok(true)
    } else {
        txn.rollback().await?;
        Ok(false)
    }
}

/// The writes of [`run`], inside `txn`; refusals go to `summary.errors`.
async fn write(
    txn: &DatabaseTransaction,
    actor: &Actor,
    plan: &Plan,
    summary: &mut Summary,
    progress: &dyn Progress,
) -> AppResult<()> {
    // One registration per enterprise, from its rows; blanks keep what is stored.
    let mut enterprises: Vec<Told> = Vec::new();
    let mut position: HashMap<&Uscc, usize> = HashMap::new();
    for row in &plan.rows {
        match position.get(&row.uscc) {
            Some(&at) => enterprises[at].add(row),
            None => {
                position.insert(&row.uscc, enterprises.len());
                enterprises.push(Told::of(row));
            }
        }
    }
    let registered = registered_enterprises(txn, &enterprises).await?;
    progress.start(Stage::RegisteringEnterprises, enterprises.len() as u64);
    let mut ids: HashMap<&Uscc, i32> = HashMap::with_capacity(enterprises.len());
    let mut created_ids = Vec::new();
    // An OPERATOR keeps the enterprises it registers; those the bureau
    // registers go to the host they move into, below.
    let custodian = actor.operator_id.filter(|_| actor.role == Role::Operator);
    for told in &enterprises {
        let first = told.first;
        let facts = told.facts(registered.get(first.uscc.as_str()))?;
        match store::enterprise::register_in(txn, actor, facts, custodian).await {
            Ok((model, created)) => {
                ids.insert(&first.uscc, model.id);
                if created {
                    created_ids.push(model.id);
                }
                summary.enterprises_created += usize::from(created);
            }
            Err(AppError::Internal) => return Err(AppError::Internal),
            // A failed statement: on PostgreSQL the transaction is lost, so stop here.
            Err(err @ AppError::Conflict(_)) => {
                summary
                    .errors
                    .push(plan.store_error(first.number, err, Field::Uscc));
                return Ok(());
            }
            Err(err) => summary
                .errors
                .push(plan.store_error(first.number, err, Field::Uscc)),
        }
        progress.advance();
    }

    let rows: Vec<&Row> = plan
        .rows
        .iter()
        .filter(|row| ids.contains_key(&row.uscc))
        .collect();
    let batch: Vec<NewTenancy> = rows
        .iter()
        .map(|row| NewTenancy {
            carrier_id: row.carrier_id,
            enterprise_id: ids[&row.uscc],
            unit: row.unit.clone(),
            area: row.area,
            span: row.span,
            unit_ids: Vec::new(),
        })
        .collect();
    progress.start(Stage::MovingIn, batch.len() as u64);
    let mut next = 0;
    let outcome = store::tenancy::move_in_all_in(txn, actor, &batch, |index| {
        next = index + 1;
        progress.advance();
    })
    .await;
    match outcome {
        Ok(Ok(models)) => {
            summary.tenancies_created = models.len();
            store::enterprise::give_to_last_host(txn, &created_ids).await?;
        }
        Ok(Err(refusals)) => summary.errors.extend(
            refusals
                .into_iter()
                .map(|(index, err)| plan.store_error(rows[index].number, err, Field::CarrierId)),
        ),
        Err(AppError::Internal) => return Err(AppError::Internal),
        Err(err) => match rows.get(next) {
            Some(row) => summary
                .errors
                .push(plan.store_error(row.number, err, Field::CarrierId)),
            None => return Err(err),
        },
    }
    Ok(())
}

/// What a file tells of one enterprise: its first row, and the optional
/// facts of whichever of its rows give them.
struct Told<'a> {
    first: &'a Row,
    landed_on: Option<NaiveDate>,
    industry: Option<Industry>,
    headcount: Option<i32>,
}

impl<'a> Told<'a> {
    fn of(row: &'a Row) -> Self {
        Self {
            first: row,
            landed_on: row.landed_on,
            industry: row.industry,
            headcount: row.headcount,
        }
    }

    fn add(&mut self, row: &Row) {
        self.landed_on = self.landed_on.or(row.landed_on);
        self.industry = self.industry.or(row.industry);
        self.headcount = self.headcount.or(row.headcount);
    }

    /// The facts to register: the file's, with what is stored where the file
    /// says nothing (blank optional cells, and facts the layout lacks).
    fn facts(&self, registered: Option<&enterprise::Model>) -> AppResult<EnterpriseFacts> {
        let registered_industry = match registered.and_then(|model| model.industry.as_deref()) {
            Some(code) => Some(stored::<Industry>("enterprise.industry", code)?),
            None => None,
        };
        Ok(EnterpriseFacts {
            uscc: self.first.uscc.clone(),
            name: self.first.name.clone(),
            founded_on: self.first.founded_on,
            landed_on: self
                .landed_on
                .or(registered.and_then(|model| model.landed_on)),
            industry: self.industry.or(registered_industry),
            headcount: self
                .headcount
                .or(registered.and_then(|model| model.headcount)),
            // The file says nothing of financing: what is stored stays.
            financing_raised: None,
            exited_on: registered.and_then(|model| model.exited_on),
            revenue: Vec::new(),
        })
    }
}

/// The enterprises already registered under the USCCs `told`, by USCC.
async fn registered_enterprises(
    txn: &DatabaseTransaction,
    told: &[Told<'_>],
) -> AppResult<HashMap<String, enterprise::Model>> {
    let mut found = HashMap::new();
    // Well below the bound parameters SQLite and PostgreSQL take in one statement.
    for chunk in told.chunks(500) {
        let models = enterprise::Entity::find()
            .filter(
                enterprise::Column::Uscc.is_in(chunk.iter().map(|told| told.first.uscc.as_str())),
            )
            .all(txn)
            .await?;
        found.extend(models.into_iter().map(|model| (model.uscc.clone(), model)));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "carrier_id,uscc,enterprise_name,founded_on,area_m2,moved_in_on,moved_out_on";

    fn uscc(n: u32) -> String {
        Uscc::with_check_characters(&format!("91320214M{n:07}"))
            .unwrap()
            .to_string()
    }

    fn csv(rows: &[String]) -> Plan {
        let text = std::iter::once(HEADER.to_owned())
            .chain(rows.iter().cloned())
            .collect::<Vec<_>>()
            .join("\n");
        plan("t.csv", text.as_bytes()).unwrap()
    }

    fn good(n: u32) -> String {
        format!("1,{},企业{n},2023-01-01,100,2024-01-01,", uscc(n))
    }

    #[test]
    fn a_good_file_has_no_errors() {
        let plan = csv(&[good(1), good(2)]);
        assert_eq!(plan.errors, vec![]);
        assert_eq!((plan.rows_read, plan.rows.len()), (2, 2));
    }

    #[test]
    fn every_bad_cell_is_named_by_row_and_column() {
        let bad_area = format!("1,{},企业2,2023-01-01,-5,2024-01-01,", uscc(2));
        let bad_code = "1,91320214MA0000000X,企业3,2023-01-01,100,2024-13-01,".to_owned();
        let plan = csv(&[good(1), bad_area, bad_code, good(4)]);
        let found: Vec<(u32, Option<&str>)> = plan
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_deref()))
            .collect();
        assert_eq!(
            found,
            vec![
                (3, Some("area_m2")),
                (4, Some("uscc")),
                (4, Some("moved_in_on"))
            ]
        );
    }

    #[test]
    fn headers_are_matched_in_chinese_and_in_any_case_or_spacing() {
        let text = format!(
            "载体ID, USCC ,企业名称,成立日期,租赁面积（㎡）,Moved In On,备注\n1,{},企业,2023-01-01,100,2024/1/1,x\n",
            uscc(1)
        );
        let plan = plan("t.csv", text.as_bytes()).unwrap();
        assert_eq!(plan.errors, vec![]);
        assert_eq!(plan.ignored_columns, vec!["备注".to_owned()]);
        assert_eq!(
            plan.rows[0].span.moved_in,
            NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
        );
    }

    #[test]
    fn a_missing_required_column_is_reported_on_the_header_row() {
        let plan = plan("t.csv", "carrier_id,uscc\n1,x\n".as_bytes()).unwrap();
        let missing: Vec<_> = plan
            .errors
            .iter()
            .map(|e| (e.row, e.column.clone().unwrap()))
            .collect();
        assert!(missing.contains(&(1, "area_m2".to_owned())), "{missing:?}");
        assert!(missing.iter().all(|(row, _)| *row == 1));
    }

    #[test]
    fn blank_lines_are_skipped_but_rows_keep_their_numbers() {
        let text = format!("{HEADER}\n{}\n\n{}\n", good(1), good(2).replace("100", "x"));
        let plan = plan("t.csv", text.as_bytes()).unwrap();
        assert_eq!(plan.rows_read, 2);
        assert_eq!(plan.errors[0].row, 4);
    }

    #[test]
    fn a_title_above_the_header_is_skipped() {
        let text = format!(
            "2024年在孵企业台账,,,\n\n{HEADER}\n{}\r\n{}\r\n",
            good(1),
            good(2)
        );
        let plan = plan("t.csv", text.as_bytes()).unwrap();
        assert_eq!(plan.errors, vec![]);
        assert_eq!(
            plan.rows.iter().map(|r| r.number).collect::<Vec<_>>(),
            vec![4, 5]
        );
    }

    #[test]
    fn a_gbk_csv_is_read() {
        let text = format!(
            "载体ID,统一社会信用代码,企业名称,成立日期,租赁面积,入驻日期\n1,{},无锡企业,2023-01-01,100,2024-01-01\n",
            uscc(1)
        );
        let (bytes, _, _) = encoding_rs::GBK.encode(&text);
        let plan = plan("t.csv", &bytes).unwrap();
        assert_eq!(plan.errors, vec![]);
        assert_eq!(plan.rows[0].name, "无锡企业");
    }

    #[test]
    fn one_enterprise_has_one_set_of_facts_and_no_overlapping_tenancies_in_one_carrier() {
        let other_name = good(1).replace("企业1", "别名");
        let overlapping = good(1).replace("2024-01-01", "2024-06-01");
        let elsewhere = good(1).replacen("1,", "2,", 1);
        let plan = csv(&[good(1), other_name, overlapping, elsewhere]);
        let found: Vec<(u32, Option<&str>)> = plan
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_deref()))
            .collect();
        assert_eq!(
            found,
            vec![
                (3, Some("enterprise_name")),
                (3, Some("moved_in_on")),
                (4, Some("moved_in_on"))
            ]
        );
        assert!(
            plan.errors[2].message.en.contains("row 2"),
            "{}",
            plan.errors[2].message
        );
        assert!(
            plan.errors[2].message.zh.contains("第 2 行"),
            "{}",
            plan.errors[2].message.zh
        );
    }

    #[test]
    fn moving_out_before_moving_in_is_named_on_the_moved_out_column() {
        let row = good(1).trim_end_matches(',').to_owned() + ",2023-12-31";
        let plan = csv(&[row]);
        assert_eq!(plan.errors[0].column.as_deref(), Some("moved_out_on"));
    }

    #[test]
    fn dates_are_read_in_the_usual_spellings() {
        let day = NaiveDate::from_ymd_opt(2024, 3, 22).unwrap();
        for text in [
            "2024-03-22",
            "2024/3/22",
            "2024.03.22",
            "2024-03-22 00:00:00",
            "2024-03-22T00:00:00Z",
        ] {
            assert_eq!(parse_date(text), Ok(day), "{text}");
        }
        for text in ["22/03/2024", "2024-02-30", "2024-03-22 12:00", "March 22"] {
            assert!(parse_date(text).is_err(), "{text}");
        }
    }

    #[test]
    fn a_carrier_is_named_by_database_id_or_global_id() {
        let global = crate::graphql::node::global_id(crate::graphql::node::NodeType::Carrier, 7);
        assert_eq!(carrier_id(&Cell::Text(global.0)), Ok(7));
        assert_eq!(carrier_id(&Cell::Number(7.0)), Ok(7));
        assert_eq!(carrier_id(&Cell::Text("7".into())), Ok(7));
        let operator = crate::graphql::node::global_id(crate::graphql::node::NodeType::Operator, 7);
        assert!(carrier_id(&Cell::Text(operator.0)).is_err());
        assert!(carrier_id(&Cell::Number(7.5)).is_err());
    }

    #[test]
    fn a_workbook_with_date_cells_is_read() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        for (column, header) in [
            "载体ID",
            "统一社会信用代码",
            "企业名称",
            "成立日期",
            "租赁面积",
            "入驻日期",
            "从业人数",
        ]
        .iter()
        .enumerate()
        {
            sheet.write_string(1, column as u16, *header).unwrap();
        }
        sheet.write_number(2, 0, 3).unwrap();
        sheet.write_string(2, 1, uscc(1)).unwrap();
        sheet.write_string(2, 2, "无锡企业").unwrap();
        sheet
            .write_datetime_with_format(2, 3, ExcelDateTime::from_ymd(2023, 5, 1).unwrap(), &date)
            .unwrap();
        sheet.write_number(2, 4, 88.5).unwrap();
        sheet
            .write_datetime_with_format(2, 5, ExcelDateTime::from_ymd(2024, 2, 29).unwrap(), &date)
            .unwrap();
        sheet.write_number(2, 6, 12).unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let plan = plan("t.xlsx", &bytes).unwrap();
        assert_eq!(plan.errors, vec![]);
        let row = &plan.rows[0];
        assert_eq!(row.number, 3);
        assert_eq!(
            (row.carrier_id, row.headcount, row.area.square_metres()),
            (3, Some(12), 88.5)
        );
        assert_eq!(
            row.span.moved_in,
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
        assert_eq!(row.founded_on, NaiveDate::from_ymd_opt(2023, 5, 1).unwrap());
    }

    #[test]
    fn not_a_spreadsheet_is_refused_as_a_whole() {
        assert_eq!(
            plan("t.xlsx", b"PK\x03\x04garbage").unwrap_err().field,
            FILE_FIELD
        );
        assert_eq!(plan("t.csv", b"").unwrap_err().field, FILE_FIELD);
        assert_eq!(
            plan("t.csv", &[0xff, 0xfe, 0xfd, 0x80]).unwrap_err().field,
            FILE_FIELD
        );
    }
}
