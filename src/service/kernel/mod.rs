//! Machinery every capability shares: keyset pages, the audit log, store-scoped lookups and the
//! write helper, the clock.

pub mod approval_queue;
pub mod audit;
pub mod clock;
pub mod csv_file;
pub mod page;
pub mod scope;
pub mod write;
