//! The rules of the domain, in plain Rust: no GraphQL, no ORM.
//!
//! Everything that decides whether data is acceptable or what a figure is
//! lives here, where it is unit-tested on its own.

pub mod access;
pub mod area;
pub mod carrier;
pub mod dates;
pub mod enterprise;
pub mod geometry;
pub mod level;
pub mod location;
pub mod money;
pub mod tenancy;
pub mod text;
pub mod uscc;
pub mod validation;

pub use validation::ValidationError;
