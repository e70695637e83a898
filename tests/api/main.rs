//! One integration-test binary: every test starts the real server on a random port against its
//! own database (a SQLite file, or a fresh PostgreSQL database when TEST_DATABASE_URL is set).

mod helpers;

mod audit;
mod auth;
mod catalog;
mod cli;
mod conventions;
mod demo;
mod import;
mod integrity;
mod inventory;
mod members;
mod n_plus_one;
mod orders;
mod permissions_matrix;
mod pricing;
mod promotions;
mod staff;
mod stores;
