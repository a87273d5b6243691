//! Relay cursor connections: the page types every list of the API shares.

use async_graphql::SimpleObject;

use crate::error::AppResult;
use crate::store::page::{DEFAULT_MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE, Page, PageArgs};

/// Where a page sits in the whole list (Relay `PageInfo`).
#[derive(SimpleObject, Debug, Clone)]
pub struct PageInfo {
    /// Whether items exist before this page.
    pub has_previous_page: bool,
    /// Whether items exist after this page.
    pub has_next_page: bool,
    /// The cursor of the first item of this page; pass it as `before` to page backward.
    pub start_cursor: Option<String>,
    /// The cursor of the last item of this page; pass it as `after` to page forward.
    pub end_cursor: Option<String>,
}

/// Declares a connection type and its edge type for one node type.
macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ty, $connection_doc:literal, $edge_doc:literal) => {
        #[doc = $connection_doc]
        #[derive(async_graphql::SimpleObject)]
        pub struct $connection {
            /// The items of this page, each with its cursor.
            pub edges: Vec<$edge>,
            /// The items of this page, without cursors.
            pub nodes: Vec<$node>,
            /// Where this page sits in the whole list.
            pub page_info: $crate::graphql::connection::PageInfo,
            /// How many items match the filter, across all pages.
            pub total_count: u64,
        }

        #[doc = $edge_doc]
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// The opaque position of this item, for `after` and `before`.
            pub cursor: String,
            /// The item.
            pub node: $node,
        }

        impl $connection {
            /// Builds the connection from a store page, converting each row.
            pub fn build<M>(
                page: $crate::store::page::Page<M>,
                total_count: u64,
                convert: impl Fn(M) -> Result<$node, $crate::error::AppError>,
            ) -> Result<Self, $crate::error::AppError>
            where
                $node: Clone,
            {
                let page_info = $crate::graphql::connection::page_info(&page);
                let edges = page
                    .edges
                    .into_iter()
                    .map(|(cursor, row)| {
                        Ok($edge {
                            cursor,
                            node: convert(row)?,
                        })
                    })
                    .collect::<Result<Vec<_>, $crate::error::AppError>>()?;
                Ok(Self {
                    nodes: edges.iter().map(|edge| edge.node.clone()).collect(),
                    edges,
                    page_info,
                    total_count,
                })
            }
        }
    };
}
pub(crate) use connection;

pub fn page_info<M>(page: &Page<M>) -> PageInfo {
    PageInfo {
        has_previous_page: page.has_previous_page,
        has_next_page: page.has_next_page,
        start_cursor: page.edges.first().map(|(cursor, _)| cursor.clone()),
        end_cursor: page.edges.last().map(|(cursor, _)| cursor.clone()),
    }
}

/// The largest page the server allows, as schema data.
#[derive(Debug, Clone, Copy)]
pub struct MaxPageSize(pub u64);

/// The paging arguments of a connection field, bounded by the server's page limit.
pub fn page_args(
    ctx: &async_graphql::Context<'_>,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> PageArgs {
    PageArgs {
        first,
        after,
        last,
        before,
        max_size: ctx
            .data_opt::<MaxPageSize>()
            .map_or(DEFAULT_MAX_PAGE_SIZE, |max| max.0),
    }
}

/// The limit and offset of an offset-paged list (`first`, `offset`): the
/// page size bounded by the server's, the offset zero or more.
pub fn limit_offset(
    ctx: &async_graphql::Context<'_>,
    first: Option<i32>,
    offset: Option<i32>,
) -> Result<(u64, u64), crate::error::AppError> {
    let max_size = page_args(ctx, first, None, None, None).max_size;
    let limit = first
        .map_or(DEFAULT_PAGE_SIZE, |n| u64::try_from(n).unwrap_or(0))
        .min(max_size);
    let offset = u64::try_from(offset.unwrap_or(0)).map_err(|_| {
        crate::error::AppError::invalid(
            "offset",
            "the offset must be zero or more",
            "偏移量（offset）应为零或正整数",
        )
    })?;
    Ok((limit, offset))
}

/// The complexity of a page: its items' selection counted once per item it
/// may hold, so a page of 100 costs 100 times one item against the limit.
/// A page past the server's page size never gets here: the document's
/// measure refused it first (`cost::CostLimits::judge_document`).
pub fn page_complexity(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let items = first
        .or(last)
        .map_or(DEFAULT_PAGE_SIZE, |n| n.max(1).unsigned_abs().into());
    usize::try_from(items)
        .unwrap_or(usize::MAX)
        .saturating_mul(child_complexity)
}

/// Runs `count` only if the client selected `totalCount` (0 otherwise, which
/// no client sees), so a page costs no count query unless asked for one.
pub async fn total_count(
    ctx: &async_graphql::Context<'_>,
    count: impl std::future::Future<Output = AppResult<u64>>,
) -> AppResult<u64> {
    if ctx.look_ahead().field("totalCount").exists() {
        count.await
    } else {
        Ok(0)
    }
}
