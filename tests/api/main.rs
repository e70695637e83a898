//! One integration-test binary: every test starts the real server on a random port against its
//! own database (a SQLite file, or a fresh PostgreSQL database when TEST_DATABASE_URL is set).

mod helpers;

mod account;
mod audit;
mod catalog;
mod cli;
mod conventions;
mod demo;
mod import;
mod integrity;
mod inventory;
mod member;
mod n_plus_one;
mod order;
mod permissions_matrix;
mod plans;
mod pricing;
mod promotion;
mod store;
