//! Machinery every capability shares: keyset pages, the audit log, store-scoped lookups and the
//! write helper.

pub mod approval_queue;
pub mod audit;
pub mod csv_file;
pub mod page;
pub mod scope;
pub mod write;
