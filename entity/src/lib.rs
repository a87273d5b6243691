//! sea-orm entities of zaiti: one module a table.
//!
//! Enumerated columns are plain strings here; `zaiti::domain` owns the
//! enumerations and parses them, so a new enum value never needs an ORM change
//! and this crate knows nothing of GraphQL.

pub mod annual_report;
pub mod api_token;
pub mod audit_event;
pub mod building;
pub mod carrier;
pub mod carrier_footprint;
pub mod carrier_industry;
pub mod carrier_status_change;
pub mod designation_request;
pub mod district;
pub mod district_boundary;
pub mod enterprise;
pub mod enterprise_revenue;
pub mod entry_application;
pub mod facility;
pub mod fund;
pub mod fund_carrier;
pub mod lease;
pub mod level_recognition;
pub mod operating_team;
pub mod operator;
pub mod outbox_event;
pub mod platform;
pub mod qualification;
pub mod reporting_period;
pub mod setting;
pub mod space_phase;
pub mod tenancy;
pub mod tenancy_unit;
pub mod unit;
pub mod webhook;
pub mod webhook_delivery;
