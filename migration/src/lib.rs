//! Migrations of zaiti, one file a migration, named by date and deed.
//! Every migration runs on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261127_000001_create_district;
mod m20261127_000002_create_operator;
mod m20261127_000003_create_carrier;
mod m20261127_000004_create_space_phase;
mod m20261127_000005_create_level_recognition;
mod m20261127_000006_create_api_token;
mod m20261127_000007_create_audit_event;
mod m20261127_000008_create_enterprise;
mod m20261127_000009_create_qualification;
mod m20261127_000010_create_tenancy;
mod m20261127_000011_create_platform;
mod m20261127_000012_create_fund;
mod m20261127_000013_create_operating_team;
mod m20261127_000014_create_facility;
mod m20261127_000015_create_setting;
mod m20261127_000016_index_leases_in_force;
mod m20261127_000020_create_geometry;
mod m20261127_000021_create_carrier_status_change;
mod m20261128_000022_trust;
mod m20261128_000023_corrections;
mod m20261128_000024_create_designation_request;
mod m20261128_000025_create_reporting_period;
mod m20261128_000026_tenancy_corrections;
mod m20261128_000027_support_corrections;
mod m20261207_000028_reporting_period_torch_rows;
mod m20261207_000029_district_names;
mod m20261207_000030_name_pinyin;
mod m20261207_000031_carrier_workstations;
mod m20261207_000032_create_space_inventory;
mod m20261207_000033_create_lease;
mod m20261207_000034_create_entry_application;
mod m20261207_000035_create_annual_report;
mod m20261207_000036_webhooks;
mod m20261207_000037_token_expiry;
mod m20261207_000038_outbox_tail;
mod timestamps;

/// Applies zaiti's migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_create_district::Migration),
            Box::new(m20261127_000002_create_operator::Migration),
            Box::new(m20261127_000003_create_carrier::Migration),
            Box::new(m20261127_000004_create_space_phase::Migration),
            Box::new(m20261127_000005_create_level_recognition::Migration),
            Box::new(m20261127_000006_create_api_token::Migration),
            Box::new(m20261127_000007_create_audit_event::Migration),
            Box::new(m20261127_000008_create_enterprise::Migration),
            Box::new(m20261127_000009_create_qualification::Migration),
            Box::new(m20261127_000010_create_tenancy::Migration),
            Box::new(m20261127_000011_create_platform::Migration),
            Box::new(m20261127_000012_create_fund::Migration),
            Box::new(m20261127_000013_create_operating_team::Migration),
            Box::new(m20261127_000014_create_facility::Migration),
            Box::new(m20261127_000015_create_setting::Migration),
            Box::new(m20261127_000016_index_leases_in_force::Migration),
            Box::new(m20261127_000020_create_geometry::Migration),
            Box::new(m20261127_000021_create_carrier_status_change::Migration),
            Box::new(m20261128_000022_trust::Migration),
            Box::new(m20261128_000023_corrections::Migration),
            Box::new(m20261128_000024_create_designation_request::Migration),
            Box::new(m20261128_000025_create_reporting_period::Migration),
            Box::new(m20261128_000026_tenancy_corrections::Migration),
            Box::new(m20261128_000027_support_corrections::Migration),
            Box::new(m20261207_000028_reporting_period_torch_rows::Migration),
            Box::new(m20261207_000029_district_names::Migration),
            Box::new(m20261207_000030_name_pinyin::Migration),
            Box::new(m20261207_000031_carrier_workstations::Migration),
            Box::new(m20261207_000032_create_space_inventory::Migration),
            Box::new(m20261207_000033_create_lease::Migration),
            Box::new(m20261207_000034_create_entry_application::Migration),
            Box::new(m20261207_000035_create_annual_report::Migration),
            Box::new(m20261207_000036_webhooks::Migration),
            Box::new(m20261207_000037_token_expiry::Migration),
            Box::new(m20261207_000038_outbox_tail::Migration),
        ]
    }
}
