//! Bulk import through the API: `importTenancies` takes a spreadsheet as a
//! multipart upload (the GraphQL multipart request specification) and runs
//! [`crate::import`] on it as the caller.

use std::io::Read;

use async_graphql::{Context, ID, Object, SimpleObject, Upload};

use super::cost::{FIXED_SMALL_LIST, list_complexity};
use super::error::{ApiError, ApiResult};
use super::node::{NodeType, global_id};
use crate::domain::Language;
use crate::error::AppError;
use crate::import::tenancies::{self, Summary};
use crate::import::{RowError, Silent};

#[derive(Default)]
pub struct ImportMutation;

#[Object]
impl ImportMutation {
    /// Imports tenancies (在孵企业入驻) from a spreadsheet: CSV (UTF-8 or GB18030)
    /// or a workbook (.xlsx, .xls, .ods; its first sheet), one header row, then
    /// one tenancy a row. Columns, in English or Chinese: carrier_id/载体ID,
    /// uscc/统一社会信用代码, enterprise_name/企业名称, founded_on/成立日期,
    /// landed_on/落地日期, industry/行业, headcount/从业人数, unit/房号,
    /// area_m2/租赁面积, moved_in_on/入驻日期, moved_out_on/迁出日期 (see the README).
    /// Enterprises are registered by USCC, then the tenancies moved in by the
    /// rules of `moveIn`. All or nothing: when any row is bad, nothing is
    /// written and `errors` lists every bad row by number and column, in the
    /// request's language and in both (bad rows are an answer, not a GraphQL
    /// error; a file that is no spreadsheet at all is BAD_USER_INPUT on
    /// `file`). An OPERATOR token imports into its own operator's carriers only.
    async fn import_tenancies(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The spreadsheet, sent as a multipart upload.")] file: Upload,
        #[graphql(
            desc = "Check every row, against the database too, and write nothing.",
            default = false
        )]
        dry_run: bool,
    ) -> ApiResult<ImportResult> {
        let (db, actor) = (super::db(ctx)?, super::actor(ctx)?);
        let upload = file
            .value(ctx)
            .map_err(internal("cannot open the upload"))?;
        let plan = tokio::task::spawn_blocking(move || {
            let file_name = upload.filename.clone();
            let mut bytes = Vec::new();
            upload.into_read().read_to_end(&mut bytes)?;
            Ok::<_, std::io::Error>(tenancies::plan(&file_name, &bytes))
        })
        .await
        .map_err(internal("the import task failed"))?
        .map_err(internal("cannot read the upload"))??;
        let summary = tenancies::run(db, actor, plan, dry_run, &Silent).await?;
        Ok(ImportResult::new(summary, super::language(ctx)))
    }
}

/// Logs a failure on our side and hides it from the client.
fn internal<E: std::fmt::Display>(what: &'static str) -> impl FnOnce(E) -> ApiError {
    move |err| {
        tracing::error!(error = %err, "{what}");
        ApiError(AppError::Internal)
    }
}

/// What an import did, or why it did nothing.
#[derive(SimpleObject, Debug, Clone)]
pub struct ImportResult {
    /// Rows read after the header (blank rows are not counted).
    pub rows_read: i32,
    /// Enterprises registered because their USCC was new (in a dry run: that
    /// would be); 0 when the file is refused.
    pub enterprises_created: i32,
    /// Tenancies moved in (in a dry run: that would be); 0 when the file is refused.
    pub tenancies_created: i32,
    /// Every bad row, by spreadsheet row number and column; empty when the
    /// file was accepted (or, in a dry run, would be).
    #[graphql(complexity = "list_complexity(FIXED_SMALL_LIST, child_complexity)")]
    pub errors: Vec<ImportRowError>,
    /// Whether this was a dry run, which writes nothing.
    pub dry_run: bool,
    /// Whether the file was written: no errors and not a dry run.
    pub committed: bool,
    /// The global IDs of the carriers the file's rows name.
    pub carrier_ids: Vec<ID>,
    /// Headers that match no column of the layout; their cells were not read.
    pub ignored_columns: Vec<String>,
}

impl ImportResult {
    /// What `summary` tells, its errors' `message` in `language`.
    pub fn new(summary: Summary, language: Language) -> Self {
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        Self {
            rows_read: count(summary.rows_read),
            enterprises_created: count(summary.enterprises_created),
            tenancies_created: count(summary.tenancies_created),
            errors: summary
                .errors
                .into_iter()
                .map(|err| ImportRowError::new(err, language))
                .collect(),
            dry_run: summary.dry_run,
            committed: summary.committed,
            carrier_ids: summary
                .carrier_ids
                .into_iter()
                .map(|id| global_id(NodeType::Carrier, id))
                .collect(),
            ignored_columns: summary.ignored_columns,
        }
    }
}

/// A bad row of an imported file.
#[derive(SimpleObject, Debug, Clone)]
pub struct ImportRowError {
    /// The spreadsheet row number: the header is row 1 when it is the first line.
    pub row: i32,
    /// The column's header as the file has it (the layout's English name for
    /// a required column the file lacks); null when the row as a whole is at fault.
    pub column: Option<String>,
    /// What is wrong, and what would be right, in the request's language
    /// (`Accept-Language`; Chinese unless the server defaults to English).
    pub message: String,
    /// The message in English.
    pub message_en: String,
    /// The message in Chinese.
    pub message_zh: String,
}

impl ImportRowError {
    fn new(err: RowError, language: Language) -> Self {
        Self {
            row: i32::try_from(err.row).unwrap_or(i32::MAX),
            column: err.column,
            message: err.message.in_language(language).to_owned(),
            message_en: err.message.en,
            message_zh: err.message.zh,
        }
    }
}
