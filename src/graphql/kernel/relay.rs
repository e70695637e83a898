//! Relay connection types over service `Page`s. A node is built from its row with `TryFrom`, so
//! a row that cannot be read (an unknown status, an unreadable spec) is an internal error
//! naming the row, never a default.

use async_graphql::SimpleObject;

/// Relay page information.
#[derive(SimpleObject, Debug, Clone)]
pub struct PageInfo {
    /// Whether more items follow this page.
    pub has_next_page: bool,
    /// Whether items precede this page (true when `after` was given).
    pub has_previous_page: bool,
    /// Cursor of the first item of the page.
    pub start_cursor: Option<String>,
    /// Cursor of the last item; pass it as `after` for the next page.
    pub end_cursor: Option<String>,
}

/// Defines `<Name>Connection` and `<Name>Edge` for a node type built from an entity model.
macro_rules! connection {
    ($conn:ident, $edge:ident, $node:ident, $entity:path, $what:literal) => {
        #[doc = concat!("A page of ", $what, ".")]
        pub struct $conn(pub crate::service::kernel::page::Page<$entity>);

        #[doc = concat!("One ", $what, " with its cursor.")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// Opaque cursor of this edge, for `after`.
            pub cursor: String,
            /// The item.
            pub node: $node,
        }

        #[doc = concat!("A page of ", $what, ".")]
        #[async_graphql::Object]
        impl $conn {
            /// The items of this page with their cursors.
            async fn edges(&self) -> async_graphql::Result<Vec<$edge>> {
                self.0
                    .items
                    .iter()
                    .map(|(c, m)| {
                        Ok($edge {
                            cursor: c.clone(),
                            node: $node::try_from(m.clone()).map_err(async_graphql::Error::from)?,
                        })
                    })
                    .collect()
            }

            /// The items of this page, without cursors.
            async fn nodes(&self) -> async_graphql::Result<Vec<$node>> {
                self.0
                    .items
                    .iter()
                    .map(|(_, m)| $node::try_from(m.clone()).map_err(async_graphql::Error::from))
                    .collect()
            }

            /// Pagination state.
            async fn page_info(&self) -> crate::graphql::kernel::relay::PageInfo {
                crate::graphql::kernel::relay::PageInfo {
                    has_next_page: self.0.has_next_page,
                    has_previous_page: self.0.has_previous_page,
                    start_cursor: self.0.items.first().map(|(c, _)| c.clone()),
                    end_cursor: self.0.items.last().map(|(c, _)| c.clone()),
                }
            }

            /// Number of items matching the filter over all pages (one extra COUNT query;
            /// ask only when needed).
            async fn total_count(&self) -> async_graphql::Result<i64> {
                use crate::error::GqlResultExt;
                self.0.total_count().await.map(|n| n as i64).gql()
            }
        }
    };
}

pub(crate) use connection;
