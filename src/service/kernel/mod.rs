//! Machinery every capability shares: keyset pages, the audit log, store-scoped lookups and the
//! write helper.

pub mod audit;
pub mod page;
