//! zaiti (载体): the system of record for a city's science and technology
//! incubation carriers, served as one GraphQL API.
//!
//! Data flows one way: `http` → `graphql` → `store` / `domain` → `entity`.

pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod events;
pub mod features;
pub mod graphql;
pub mod http;
pub mod import;
pub mod store;
pub mod table;
pub mod telemetry;
pub mod webhooks;
