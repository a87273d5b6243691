//! Columns every mutable row carries: an optimistic-concurrency `version` and
//! created/updated timestamps.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum Audit {
    Version,
    CreatedAt,
    UpdatedAt,
}

/// Adds `version`, `created_at` and `updated_at` to a table being created.
pub fn with_version_and_timestamps(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(integer(Audit::Version).default(1))
        .col(timestamp_with_time_zone(Audit::CreatedAt).default(Expr::current_timestamp()))
        .col(timestamp_with_time_zone(Audit::UpdatedAt).default(Expr::current_timestamp()))
}
