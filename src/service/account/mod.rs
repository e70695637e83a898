//! Staff accounts: logging in, tokens and sessions, staff members and the first director.

pub mod auth;
pub mod bootstrap;
pub mod staff;
