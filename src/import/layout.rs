//! The columns of an import file: how each is headed (English, Chinese,
//! other spellings), whether it must be there, and which input field of the
//! domain rules it feeds, so a refusal of those rules is reported on the
//! file's own column. Every import (tenancies, units, …) is one [`Layout`].

use std::collections::HashMap;
use std::hash::Hash;

use super::{Cell, RowError, Sheet, read_sheet_of};
use crate::domain::{Message, ValidationError};
use crate::error::{AppError, entity_name_zh};

/// A column of a layout.
#[derive(Debug)]
pub struct Column<F: 'static> {
    pub field: F,
    /// The English header, as errors name a column the file lacks.
    pub name: &'static str,
    /// The Chinese header.
    pub chinese: &'static str,
    /// Other headers accepted, and other input-field names the domain rules
    /// may give this column in their errors (compared after [`normalise`]).
    pub aliases: &'static [&'static str],
    pub required: bool,
    /// The input field the domain rules name in their errors.
    pub api: &'static str,
}

impl<F> Column<F> {
    /// A column headed `name` (English) or `chinese`, or any of `aliases`,
    /// feeding input field `api` of the domain rules.
    pub const fn new(
        field: F,
        name: &'static str,
        chinese: &'static str,
        aliases: &'static [&'static str],
        required: bool,
        api: &'static str,
    ) -> Self {
        Self {
            field,
            name,
            chinese,
            aliases,
            required,
            api,
        }
    }
}

/// The columns of one kind of import file, in the order errors are sorted.
#[derive(Debug)]
pub struct Layout<F: 'static>(pub &'static [Column<F>]);

impl<F> Clone for Layout<F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F> Copy for Layout<F> {}

/// A header as compared: lower case, without whitespace, `_`, `-` or a
/// bracketed unit at the end (`租赁面积（㎡）` is `租赁面积`).
pub fn normalise(header: &str) -> String {
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

impl<F: Copy + Eq + Hash> Layout<F> {
    /// The column of `field`.
    pub fn column(self, field: F) -> &'static Column<F> {
        self.0
            .iter()
            .find(|column| column.field == field)
            .unwrap_or(&self.0[0])
    }

    /// The column a header names, if any.
    pub fn field_of_header(self, header: &str) -> Option<F> {
        let wanted = normalise(header);
        self.0
            .iter()
            .find(|column| {
                [column.name, column.chinese, column.api]
                    .iter()
                    .chain(column.aliases)
                    .any(|name| normalise(name) == wanted)
            })
            .map(|column| column.field)
    }

    /// The column of an input field the domain rules named in an error.
    pub fn field_of_api(self, api: &str) -> Option<F> {
        self.0
            .iter()
            .find(|column| column.api == api || column.aliases.contains(&api))
            .map(|column| column.field)
    }

    /// Reads a spreadsheet whose header row names columns of this layout.
    pub fn read(self, file_name: &str, bytes: &[u8]) -> Result<Sheet, ValidationError> {
        read_sheet_of(file_name, bytes, &|header| {
            self.field_of_header(header).is_some()
        })
    }

    /// Matches the sheet's header to the layout: a column named twice and a
    /// required column missing are errors on the header row.
    pub fn header(self, sheet: &Sheet) -> Header<F> {
        let mut header = Header {
            layout: self,
            positions: HashMap::new(),
            names: HashMap::new(),
            ignored: Vec::new(),
            errors: Vec::new(),
        };
        for (position, text) in sheet.header.iter().enumerate() {
            if text.trim().is_empty() {
                continue;
            }
            let Some(field) = self.field_of_header(text) else {
                header.ignored.push(text.trim().to_owned());
                continue;
            };
            match header.positions.get(&field) {
                Some(&first) => header.errors.push(RowError {
                    row: sheet.header_row,
                    column: Some(text.clone()),
                    message: Message::new(
                        format!(
                            "column {} ('{}') is {} already; keep one of them",
                            first + 1,
                            sheet.header[first],
                            self.column(field).name
                        ),
                        format!(
                            "第 {} 列（“{}”）已是“{}”列，请只保留其中一列",
                            first + 1,
                            sheet.header[first],
                            self.column(field).chinese
                        ),
                    ),
                }),
                None => {
                    header.positions.insert(field, position);
                    header.names.insert(field, text.trim().to_owned());
                }
            }
        }
        for column in self
            .0
            .iter()
            .filter(|c| c.required && !header.positions.contains_key(&c.field))
        {
            let (name, chinese) = (column.name, column.chinese);
            header.errors.push(RowError {
                row: sheet.header_row,
                column: Some(name.to_owned()),
                message: Message::new(
                    format!("the file has no {name} column: add one headed {name} (or {chinese})"),
                    format!("文件缺少“{chinese}”列：请添加表头为“{chinese}”（或 {name}）的列"),
                ),
            });
        }
        header
    }
}

/// A file's header matched to its layout: where each column is, and how
/// the file heads it, so errors name the column as the file does.
#[derive(Debug, Clone)]
pub struct Header<F: 'static> {
    layout: Layout<F>,
    positions: HashMap<F, usize>,
    names: HashMap<F, String>,
    /// Headers matching no column of the layout: their cells are not read.
    pub ignored: Vec<String>,
    /// The header's own faults (a column twice, a required one missing).
    pub errors: Vec<RowError>,
}

static EMPTY_CELL: Cell = Cell::Empty;

impl<F: Copy + Eq + Hash> Header<F> {
    pub fn layout(&self) -> Layout<F> {
        self.layout
    }

    /// The cell of `field` in a row (empty when the file lacks the column).
    pub fn cell<'a>(&self, cells: &'a [Cell], field: F) -> &'a Cell {
        self.positions
            .get(&field)
            .and_then(|&position| cells.get(position))
            .unwrap_or(&EMPTY_CELL)
    }

    /// The header of `field` as the file writes it, or the layout's name.
    pub fn name(&self, field: F) -> String {
        self.names
            .get(&field)
            .cloned()
            .unwrap_or_else(|| self.layout.column(field).name.to_owned())
    }

    pub fn error(&self, row: u32, field: F, message: Message) -> RowError {
        RowError {
            row,
            column: Some(self.name(field)),
            message,
        }
    }

    /// A refusal of the store on `row`, in the terms of the file: on the
    /// column of the input field it names, else on `fallback`.
    pub fn store_error(&self, row: u32, err: AppError, fallback: F) -> RowError {
        match err {
            AppError::Invalid(invalid) => self.error(
                row,
                self.layout.field_of_api(&invalid.field).unwrap_or(fallback),
                invalid.reason(),
            ),
            AppError::NotFound { entity, id } => self.error(
                row,
                fallback,
                Message::new(
                    format!("no {} with id {id}", entity.to_lowercase()),
                    format!("未找到编号为 {id} 的{}", entity_name_zh(entity)),
                ),
            ),
            other => self.error(row, fallback, other.message()),
        }
    }

    /// Orders errors by row, then by column as the layout orders them.
    pub fn sort(&self, errors: &mut [RowError]) {
        let order = |column: Option<&str>| {
            column
                .and_then(|text| self.layout.field_of_header(text))
                .and_then(|field| self.layout.0.iter().position(|c| c.field == field))
        };
        errors.sort_by_cached_key(|err| {
            (
                err.row,
                order(err.column.as_deref()),
                err.message.en.clone(),
            )
        });
    }
}

/// The bad cells of one row, by column, as its checks find them.
#[derive(Debug)]
pub struct RowCheck<F> {
    pub errors: Vec<(F, Message)>,
}

impl<F> Default for RowCheck<F> {
    fn default() -> Self {
        Self { errors: Vec::new() }
    }
}

impl<F> RowCheck<F> {
    /// The value, or `None` with the reason noted against `field`.
    pub fn take<T>(&mut self, field: F, result: Result<T, Message>) -> Option<T> {
        result
            .map_err(|message| self.errors.push((field, message)))
            .ok()
    }

    pub fn push(&mut self, field: F, message: Message) {
        self.errors.push((field, message));
    }
}
