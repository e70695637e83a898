//! Zhanggui (掌柜): the GraphQL backend for the operations teams of marketplace merchants.
//!
//! Layers: `http` → `graphql` → `service` → `entity`, one folder per capability in each; see
//! `docs/ARCHITECTURE.md`.

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
pub mod jobs;
pub mod metrics;
pub mod service;
pub mod startup;
pub mod telemetry;
