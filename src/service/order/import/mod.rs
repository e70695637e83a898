//! The order import: parse every row, then apply orders, stock and points effects once each.

use super::*;

mod apply;
mod check;
mod parse;
mod state;

pub use apply::*;
pub use parse::*;
use state::*;
