//! The rules of the domain, in plain Rust: no GraphQL, no ORM.
//!
//! Everything that decides whether data is acceptable or what a figure is
//! lives here, where it is unit-tested on its own.

pub mod access;
pub mod annual_report;
pub mod application;
pub mod area;
pub mod carrier;
pub mod compliance;
pub mod crs;
pub mod dates;
pub mod designation;
pub mod enterprise;
pub mod geometry;
pub mod goals;
pub mod inventory;
pub mod lease;
pub mod level;
pub mod level_rules;
pub mod location;
pub mod message;
pub mod money;
pub mod period;
pub mod statistics;
pub mod support;
pub mod temporal;
pub mod tenancy;
pub mod text;
pub mod token;
pub mod torch;
pub mod uscc;
pub mod validation;

pub use message::{Language, Message};
pub use validation::ValidationError;
