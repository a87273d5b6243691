//! How rows read in bulk become models.
//!
//! sea-orm's derived models read each column by name: a hashed lookup per
//! column, and on NULL an error whose message is formatted only to be thrown
//! away. A page of 100 carriers reads 2,000 tenancies and 2,000 enterprises,
//! and decoding them by name was a fifth of the page's CPU. The tables read
//! in such numbers are decoded by position instead (`SELECT` lists a table's
//! columns in the model's field order); the rest keep sea-orm's decoding.
//! `tests/tenancy.rs` checks on both databases that the two agree row for row.

use entity::lease;
use entity::{
    building, carrier, carrier_footprint, carrier_industry, carrier_status_change,
    designation_request, district, district_boundary, enterprise, enterprise_revenue, facility,
    fund, fund_carrier, level_recognition, operating_team, operator, platform, qualification,
    setting, space_phase, tenancy, tenancy_unit, unit,
};
use sea_orm::sqlx::{self, Postgres, Row};
use sea_orm::{DbErr, EntityTrait, FromQueryResult, QueryResult, TryGetable};

/// A table whose rows are decoded from query results.
pub trait Decode: EntityTrait {
    /// One row of `SELECT` of all the table's columns, in order.
    fn decode(row: &QueryResult) -> Result<Self::Model, DbErr> {
        Self::Model::from_query_result(row, "")
    }
}

macro_rules! by_name {
    ($($module:ident),+ $(,)?) => {$(
        impl Decode for $module::Entity {}
    )+};
}
by_name!(
    lease,
    building,
    unit,
    tenancy_unit,
    carrier,
    designation_request,
    carrier_footprint,
    carrier_industry,
    carrier_status_change,
    district,
    district_boundary,
    enterprise_revenue,
    facility,
    fund,
    fund_carrier,
    level_recognition,
    operating_team,
    operator,
    platform,
    qualification,
    setting,
    space_phase,
);
impl Decode for entity::annual_report::Entity {}

/// Column `index` of `row`. On PostgreSQL, sqlx would check each value's
/// type against the field's before decoding it (a dozen comparisons of type
/// descriptors, 56,000 times a page); the types are fixed by the migrations,
/// and `tests/tenancy.rs` decodes every column both ways on PostgreSQL, so
/// the check is skipped. A value of another type still fails to decode.
fn column<T>(row: &QueryResult, index: usize) -> Result<T, DbErr>
where
    T: TryGetable + for<'r> sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>,
{
    match row.try_as_pg_row() {
        Some(pg) => pg
            .try_get_unchecked(index)
            .map_err(|err| DbErr::Type(err.to_string())),
        None => row.try_get_by_index(index),
    }
}

/// Decodes `$module`'s rows by position: `$field`s are the model's fields
/// in declaration order (a missing field does not compile; the order is
/// what the test checks).
macro_rules! by_position {
    ($module:ident { $($field:ident),+ $(,)? }) => {
        impl Decode for $module::Entity {
            fn decode(row: &QueryResult) -> Result<Self::Model, DbErr> {
                let mut index = 0..;
                // Fields are initialised in the order written.
                Ok($module::Model {
                    $($field: column(row, index.next().unwrap_or_default())?,)+
                })
            }
        }
    };
}
by_position!(tenancy {
    id,
    carrier_id,
    enterprise_id,
    unit,
    area_m2,
    moved_in_on,
    moved_out_on,
    incubation_started_on,
    graduated_on,
    graduation_route,
    previous_tenancy_id,
    voided_at,
    void_reason,
    version,
    created_at,
    updated_at,
});
by_position!(enterprise {
    id,
    uscc,
    name,
    founded_on,
    landed_on,
    industry,
    headcount,
    financing_raised_fen,
    exited_on,
    custodian_operator_id,
    version,
    created_at,
    updated_at,
    name_pinyin,
});
