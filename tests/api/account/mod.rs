//! Staff accounts: sessions and tokens, staff members.

mod session;
mod staff;
