//! Zhanggui (掌柜): the GraphQL backend for the operations teams of marketplace merchants.
//!
//! Layers: `http` → `graphql` → `service` → `entity`. See DESIGN.md for the contract.

pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod engine;
pub mod error;
pub mod graphql;
pub mod http;
pub mod metrics;
pub mod service;
pub mod startup;
pub mod telemetry;
