//! Bulk import from spreadsheets, for operators who keep their records in
//! them: `zaiti import tenancies|units FILE`, and the `importTenancies`
//! mutation (the file as a multipart upload). One submodule per kind of file,
//! each a [`Layout`] of columns and the rules of its rows; what they share is
//! here and in [`sheet`], [`cells`] and [`layout`].
//!
//! # The file
//!
//! CSV or a workbook ([`sheet`]). Columns are found by their header, in any
//! order, in English or Chinese; case, spaces, `_` and `-` do not matter
//! (`moved_in_on`, `Moved In On`, `movedInOn` are one column), nor does a unit
//! in brackets (`租赁面积（㎡）`). Columns with other headers are ignored and
//! reported as such. Dates are `YYYY-MM-DD` (`/` or `.` also separate; a time
//! of `00:00[:00]` after it is ignored), or date cells in a workbook.
//!
//! # All or nothing
//!
//! 1. Every row is read and checked on its own, by the rules of the domain
//!    (`Uscc::parse`, `FloorArea::parse`, `Span::new`, …), and rows against
//!    each other. Every error is collected: one per bad cell, by row and column.
//! 2. Only when every row passes, one transaction writes them through the
//!    store's rules, collecting every row those rules refuse. A statement that
//!    fails (a unique value taken meanwhile by a concurrent write), which on
//!    PostgreSQL aborts the transaction, stops the import at that row.
//! 3. Any error rolls everything back. A dry run does all of the above and
//!    always rolls back, so it reports the database's refusals too.

use std::fmt;
use std::hash::Hash;
use std::sync::Mutex;

use sea_orm::DatabaseTransaction;

use crate::domain::Message;
use crate::error::AppResult;

pub mod annual_data;
pub mod cells;
pub mod layout;
pub mod leases;
pub mod sheet;
pub mod tenancies;
pub mod units;

pub use self::layout::{Header, Layout, RowCheck};
pub use self::sheet::{Cell, Sheet, number_text, read_sheet_of};

/// Most rows one file may hold; split larger files.
pub const MAX_ROWS: usize = 100_000;

/// The input field that names the file in errors about the file as a whole.
pub const FILE_FIELD: &str = "file";

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

/// A file read and its rows checked on their own, ready to be written.
#[derive(Debug, Clone)]
pub struct Plan<F: 'static, R> {
    /// The file name, for messages.
    pub file_name: String,
    /// Rows read after the header (blank rows not counted).
    pub rows_read: usize,
    /// Every error found so far; when any, nothing is written.
    pub errors: Vec<RowError>,
    /// Headers matching no column of the layout: their cells were not read.
    pub ignored_columns: Vec<String>,
    header: Header<F>,
    rows: Vec<R>,
}

impl<F: Copy + Eq + Hash, R> Plan<F, R> {
    /// Matches the sheet's header to `layout`, then checks every row with
    /// `check_row`, which notes each bad cell in its [`RowCheck`]; a row is
    /// kept only when it has none.
    pub fn check<'s>(
        file_name: &str,
        layout: Layout<F>,
        sheet: &'s Sheet,
        mut check_row: impl FnMut(u32, &dyn Fn(F) -> &'s Cell, &mut RowCheck<F>) -> Option<R>,
    ) -> Self {
        let header = layout.header(sheet);
        let mut plan = Self {
            file_name: file_name.to_owned(),
            rows_read: sheet.rows.len(),
            errors: header.errors.clone(),
            ignored_columns: header.ignored.clone(),
            header,
            rows: Vec::new(),
        };
        if !plan.errors.is_empty() {
            return plan;
        }
        for (number, cells) in &sheet.rows {
            let mut check = RowCheck::default();
            let row = check_row(*number, &|field| plan.header.cell(cells, field), &mut check);
            match row {
                Some(row) if check.errors.is_empty() => plan.rows.push(row),
                _ => {}
            }
            for (field, message) in check.errors {
                plan.errors.push(plan.header.error(*number, field, message));
            }
        }
        plan.sort_errors();
        plan
    }

    /// The rows that passed their own checks.
    pub fn rows(&self) -> &[R] {
        &self.rows
    }

    /// The file's header, to name its columns in errors.
    pub fn header(&self) -> &Header<F> {
        &self.header
    }

    /// Adds errors found across rows, as (row, column, reason).
    pub fn add_errors(&mut self, found: impl IntoIterator<Item = (u32, F, Message)>) {
        for (row, field, message) in found {
            self.errors.push(self.header.error(row, field, message));
        }
        self.sort_errors();
    }

    /// Orders the errors by row, then by column as the layout orders them.
    pub fn sort_errors(&mut self) {
        self.header.sort(&mut self.errors);
    }
}

/// Ends an import's transaction: committed when no row was refused and it
/// is no dry run, rolled back otherwise. Whether it committed.
pub async fn settle(
    txn: DatabaseTransaction,
    errors: &[RowError],
    dry_run: bool,
) -> AppResult<bool> {
    if errors.is_empty() && !dry_run {
        txn.commit().await?;
        Ok(true)
    } else {
        txn.rollback().await?;
        Ok(false)
    }
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

/// What an import whose rows are written one by one did (in a dry run, or
/// when refused, what it would have done): the part every import reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    pub file_name: String,
    pub rows_read: usize,
    /// Every bad row; empty when the file was (or would be) accepted.
    pub errors: Vec<RowError>,
    pub dry_run: bool,
    /// Whether anything was written: no errors and not a dry run.
    pub committed: bool,
    /// Headers matching no column of the layout.
    pub ignored_columns: Vec<String>,
    /// Rows written (in a dry run: that would be); 0 when refused.
    pub written: usize,
}

impl<F: Copy + Eq + Hash, R> Plan<F, R> {
    /// The outcome before anything is written: what was read, and refused.
    pub fn outcome(&self, dry_run: bool) -> Outcome {
        Outcome {
            file_name: self.file_name.clone(),
            rows_read: self.rows_read,
            errors: self.errors.clone(),
            dry_run,
            ignored_columns: self.ignored_columns.clone(),
            ..Outcome::default()
        }
    }

    /// Ends the import's transaction (see [`settle`]), its errors ordered as
    /// the file's columns; nothing counts as written when any row was refused.
    pub async fn finish(&self, txn: DatabaseTransaction, outcome: &mut Outcome) -> AppResult<()> {
        self.header.sort(&mut outcome.errors);
        outcome.committed = settle(txn, &outcome.errors, outcome.dry_run).await?;
        if !outcome.errors.is_empty() {
            outcome.written = 0;
        }
        Ok(())
    }
}

/// A CLI line of what an import wrote: "[dry run: ]N rows read; <written> written",
/// `written` saying what and how many, e.g. "7 leases".
pub fn outcome_line(outcome: &Outcome, written: &str) -> String {
    format!(
        "{}{} rows read; {written} {}",
        if outcome.dry_run { "dry run: " } else { "" },
        outcome.rows_read,
        if outcome.dry_run {
            "would be written (nothing was)"
        } else {
            "written"
        },
    )
}
