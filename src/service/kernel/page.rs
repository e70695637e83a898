//! Keyset pagination shared by every list: opaque cursors holding the sort key and the id,
//! `first` at most 100, stable order with the id as tie-breaker.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, ErrorCode};

pub const MAX_PAGE: usize = 100;
pub const DEFAULT_PAGE: usize = 20;

/// The sort-key value stored in a cursor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CursorKey {
    Int(i64),
    Text(String),
    Time(DateTime<Utc>),
}

impl From<CursorKey> for sea_orm::Value {
    fn from(k: CursorKey) -> Self {
        match k {
            CursorKey::Int(i) => i.into(),
            CursorKey::Text(s) => s.into(),
            CursorKey::Time(t) => t.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Cursor {
    /// The sort key's name, so a cursor from another ordering is refused.
    s: String,
    k: CursorKey,
    i: i64,
}

/// The Relay page arguments as given: `first`/`after` pages forward, `last`/`before` backward.
#[derive(Debug, Clone, Copy, Default)]
pub struct Window<'a> {
    pub first: Option<i32>,
    pub after: Option<&'a str>,
    pub last: Option<i32>,
    pub before: Option<&'a str>,
}

impl Window<'_> {
    /// The first `n` rows.
    pub fn first(n: i32) -> Self {
        Self {
            first: Some(n),
            ..Default::default()
        }
    }
}

/// Validated page arguments.
#[derive(Debug, Clone)]
pub struct PageArgs {
    /// Page size.
    pub size: usize,
    after: Option<Cursor>,
    before: Option<Cursor>,
    /// Pages from the end (`last`/`before`).
    backward: bool,
    /// Descending order.
    pub reverse: bool,
}

fn decode_cursor(raw: &str, sort: &str, field: &'static str) -> Result<Cursor, AppError> {
    URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|b| serde_json::from_slice::<Cursor>(&b).ok())
        .filter(|c| c.s == sort)
        .ok_or_else(|| {
            AppError::invalid(
                &[field],
                ErrorCode::BadUserInput,
                format!("{field} is not a cursor of this list and ordering"),
            )
        })
}

fn size(n: i32, field: &'static str) -> Result<usize, AppError> {
    if (0..=MAX_PAGE as i32).contains(&n) {
        Ok(n as usize)
    } else {
        Err(AppError::invalid(
            &[field],
            ErrorCode::BadUserInput,
            format!("{field} must be between 0 and {MAX_PAGE}"),
        ))
    }
}

impl PageArgs {
    /// Parses the window; `sort` names the sort key the cursors must carry.
    pub fn parse(w: Window<'_>, reverse: bool, sort: &str) -> Result<Self, AppError> {
        if w.first.is_some() && w.last.is_some() {
            return Err(AppError::invalid(
                &["last"],
                ErrorCode::BadUserInput,
                "give first or last, not both",
            ));
        }
        let backward = w.last.is_some() || (w.before.is_some() && w.first.is_none());
        let size = match (w.first, w.last) {
            (Some(n), _) => size(n, "first")?,
            (_, Some(n)) => size(n, "last")?,
            _ => DEFAULT_PAGE,
        };
        Ok(Self {
            size,
            after: w
                .after
                .map(|c| decode_cursor(c, sort, "after"))
                .transpose()?,
            before: w
                .before
                .map(|c| decode_cursor(c, sort, "before"))
                .transpose()?,
            backward,
            reverse,
        })
    }
}

/// One page of rows, with their cursors and a lazily counted total.
pub struct Page<E: EntityTrait> {
    pub items: Vec<(String, E::Model)>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
    count: Select<E>,
    db: DatabaseConnection,
}

impl<E: EntityTrait> Page<E>
where
    E::Model: Sync,
{
    /// Number of rows matching the filter, over all pages.
    pub async fn total_count(&self) -> Result<u64, AppError> {
        Ok(self.count.clone().count(&self.db).await?)
    }
}

/// A sort key: its name (carried in cursors), its column, and how to read it from a row.
pub type SortSpec<'a, E, C> = (&'a str, C, fn(&<E as EntityTrait>::Model) -> CursorKey);

/// Runs a keyset-paginated query: `select` carries the filters (and store scope);
/// rows are ordered by `sort_col` then `id_col`, ascending unless `args.reverse`.
pub async fn fetch<E, C>(
    db: &DatabaseConnection,
    select: Select<E>,
    (sort_name, sort_col, key_of): SortSpec<'_, E, C>,
    id_col: C,
    id_of: fn(&E::Model) -> i64,
    args: &PageArgs,
) -> Result<Page<E>, AppError>
where
    E: EntityTrait,
    C: ColumnTrait,
    E::Model: Sync,
{
    let count = select.clone();
    let mut q = select;
    // `after` keeps rows past the cursor in the list's order, `before` rows ahead of it.
    let beyond = |c: &Cursor, later: bool| {
        let key: sea_orm::Value = c.k.clone().into();
        if later {
            Condition::any()
                .add(sort_col.gt(key.clone()))
                .add(Condition::all().add(sort_col.eq(key)).add(id_col.gt(c.i)))
        } else {
            Condition::any()
                .add(sort_col.lt(key.clone()))
                .add(Condition::all().add(sort_col.eq(key)).add(id_col.lt(c.i)))
        }
    };
    if let Some(c) = &args.after {
        q = q.filter(beyond(c, !args.reverse));
    }
    if let Some(c) = &args.before {
        q = q.filter(beyond(c, args.reverse));
    }
    // Backward pages read the list from the end and are turned round.
    let descending = args.reverse != args.backward;
    let order = if descending { Order::Desc } else { Order::Asc };
    let mut rows = q
        .order_by(sort_col, order.clone())
        .order_by(id_col, order)
        .limit(args.size as u64 + 1)
        .all(db)
        .await?;
    let more = rows.len() > args.size;
    rows.truncate(args.size);
    if args.backward {
        rows.reverse();
    }
    let (has_next_page, has_previous_page) = if args.backward {
        (args.before.is_some(), more)
    } else {
        (more, args.after.is_some())
    };
    let items = rows
        .into_iter()
        .map(|m| {
            let cursor = Cursor {
                s: sort_name.to_owned(),
                k: key_of(&m),
                i: id_of(&m),
            };
            let json = serde_json::to_vec(&cursor).unwrap_or_default();
            (URL_SAFE_NO_PAD.encode(json), m)
        })
        .collect();
    Ok(Page {
        items,
        has_next_page,
        has_previous_page,
        count,
        db: db.clone(),
    })
}
