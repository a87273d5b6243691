//! Reading an import file: CSV (UTF-8, with or without a byte order mark,
//! or GB18030/GBK as Excel and WPS save "CSV" on Chinese systems; comma- or
//! tab-separated) or a workbook (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`:
//! its first sheet), into a header and numbered rows of cells. The header is
//! the first row naming at least three columns of the layout (a title above
//! it is skipped; failing that, the first non-empty row). Rows are numbered as
//! a spreadsheet numbers them: the header is row 1 when it is the first line,
//! and a CSV row's number is the line it starts on.

use std::io::Cursor;

use calamine::{Data, DataType, Reader, open_workbook_auto_from_rs};
use chrono::NaiveDate;

use super::{FILE_FIELD, MAX_ROWS};
use crate::domain::ValidationError;

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
    pub fn is_empty(&self) -> bool {
        matches!(self, Self::Empty)
    }

    /// The cell as text, as a person would read it; `None` when empty.
    pub fn text(&self) -> Option<String> {
        match self {
            Self::Empty => None,
            Self::Text(text) | Self::Other(text) => Some(text.clone()),
            Self::Number(number) => Some(number_text(*number)),
            Self::Date(date) => Some(date.to_string()),
        }
    }
}

pub fn number_text(number: f64) -> String {
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

/// Reads a spreadsheet, a workbook when the bytes (or failing that, the file
/// name) say so, CSV otherwise, for a layout whose headers `names_column`
/// recognises.
pub fn read_sheet_of(
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
