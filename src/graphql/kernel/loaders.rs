//! Per-request DataLoaders. Built for each request with that request's viewer, so store scope
//! applies to every batch and no cache is shared across viewers. One generic loader, [`Batch`],
//! runs one service function per batch of keys; each relation is one accessor of [`Loaders`],
//! which builds its loader on first use.

use crate::service::kernel::scope::viewable_by_ids;
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{category, product, sku, staff, store};

use crate::error::AppError;
use crate::service::{self, ServiceCtx, account, catalog, compliance, member, order};

type Fetched<K, V> = Pin<Box<dyn Future<Output = Result<HashMap<K, V>, AppError>> + Send>>;
type Fetch<K, V> = Arc<dyn Fn(ServiceCtx, Vec<K>) -> Fetched<K, V> + Send + Sync>;

/// A batch of keys → values through one service function that applies the viewer's scope
/// (keys it does not return are absent: not found or not visible).
pub struct Batch<K, V> {
    ctx: ServiceCtx,
    fetch: Fetch<K, V>,
}

impl<K, V> Loader<K> for Batch<K, V>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
{
    type Value = V;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[K]) -> Result<HashMap<K, V>, Self::Error> {
        (self.fetch)(self.ctx.clone(), keys.to_vec())
            .await
            .map_err(|e| {
                // Logged once per batch here; every field awaiting it only carries the code.
                if let AppError::Internal(cause) = &e {
                    tracing::error!(error = ?cause, "loader batch failed");
                }
                Arc::new(e)
            })
    }
}

/// A loader of the values `f` returns per key.
fn batch<K, V, F, Fut>(ctx: &ServiceCtx, f: F) -> DataLoader<Batch<K, V>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
    F: Fn(ServiceCtx, Vec<K>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<HashMap<K, V>, AppError>> + Send + 'static,
{
    let fetch: Fetch<K, V> = Arc::new(move |c, keys| Box::pin(f(c, keys)));
    DataLoader::new(
        Batch {
            ctx: ctx.clone(),
            fetch,
        },
        tokio::spawn,
    )
}

/// A loader of rows by id through `f`, a service function returning the visible rows.
fn by_id<M, F, Fut>(ctx: &ServiceCtx, f: F, id: fn(&M) -> i64) -> DataLoader<Batch<i64, M>>
where
    M: Send + Sync + Clone + 'static,
    F: Fn(ServiceCtx, Vec<i64>) -> Fut + Send + Sync + Copy + 'static,
    Fut: Future<Output = Result<Vec<M>, AppError>> + Send + 'static,
{
    batch(ctx, move |c, keys| async move {
        Ok(f(c, keys).await?.into_iter().map(|m| (id(&m), m)).collect())
    })
}

/// RFM figures keyed by (store, epoch day, member).
type RfmLoader = DataLoader<Batch<(i64, i32, i64), service::member::RfmRow>>;

/// A store's parsed tier ladder, or why its stored JSON could not be read.
type TierLadder = Result<Arc<Vec<member::TierDef>>, Arc<AppError>>;

/// The request's loaders, each built on first use (a request that needs none builds none).
pub struct Loaders {
    ctx: ServiceCtx,
    stores: OnceLock<DataLoader<Batch<i64, Arc<store::Model>>>>,
    /// Each store's tier ladder, parsed once per request from the shared store row.
    store_tiers: Mutex<HashMap<i64, TierLadder>>,
    staff: OnceLock<DataLoader<Batch<i64, staff::Model>>>,
    /// Store ids assigned to each staff member (only stores the viewer sees).
    staff_stores: OnceLock<DataLoader<Batch<i64, Vec<i64>>>>,
    categories: OnceLock<DataLoader<Batch<i64, category::Model>>>,
    products: OnceLock<DataLoader<Batch<i64, product::Model>>>,
    /// SKUs of each product.
    product_skus: OnceLock<DataLoader<Batch<i64, Vec<sku::Model>>>>,
    /// Compliance allow-list phrases of each store.
    allowlists: OnceLock<DataLoader<Batch<i64, Vec<String>>>>,
    skus: OnceLock<DataLoader<Batch<i64, sku::Model>>>,
    members: OnceLock<DataLoader<Batch<i64, entity::member::Model>>>,
    /// Tags of each member (the member was already loaded in scope).
    member_tags: OnceLock<DataLoader<Batch<i64, Vec<String>>>>,
    orders: OnceLock<DataLoader<Batch<i64, entity::sales_order::Model>>>,
    /// Lines of each order (the order was already loaded in scope).
    order_lines: OnceLock<DataLoader<Batch<i64, Vec<entity::order_line::Model>>>>,
    /// RFM figures keyed by (store, epoch day, member): one SQL query per store and day.
    rfm: OnceLock<RfmLoader>,
    promotions: OnceLock<DataLoader<Batch<i64, entity::promotion::Model>>>,
}

impl Loaders {
    pub fn new(ctx: &ServiceCtx) -> Self {
        Self {
            ctx: ctx.clone(),
            stores: OnceLock::new(),
            store_tiers: Mutex::default(),
            staff: OnceLock::new(),
            staff_stores: OnceLock::new(),
            categories: OnceLock::new(),
            products: OnceLock::new(),
            product_skus: OnceLock::new(),
            allowlists: OnceLock::new(),
            skus: OnceLock::new(),
            members: OnceLock::new(),
            member_tags: OnceLock::new(),
            orders: OnceLock::new(),
            order_lines: OnceLock::new(),
            rfm: OnceLock::new(),
            promotions: OnceLock::new(),
        }
    }

    /// Stores by id, shared (`Arc`): every row of a page that shows its store gets the same one.
    pub fn stores(&self) -> &DataLoader<Batch<i64, Arc<store::Model>>> {
        self.stores.get_or_init(|| {
            batch(&self.ctx, |c, k| async move {
                Ok((service::store::by_ids(&c, &k).await?.into_iter())
                    .map(|m| (m.id, Arc::new(m)))
                    .collect())
            })
        })
    }

    /// A store's tier ladder (`None` outside the viewer's stores). The store row comes through
    /// [`Self::stores`], so a page that shows both a member's store and tier reads stores once;
    /// its tier JSON is parsed once per request, not once per member.
    pub async fn store_tiers(
        &self,
        store_id: i64,
    ) -> Result<Option<Arc<Vec<member::TierDef>>>, Arc<AppError>> {
        let memo = || {
            let m = self.store_tiers.lock().unwrap_or_else(|p| p.into_inner());
            m.get(&store_id).cloned()
        };
        if let Some(ladder) = memo() {
            return ladder.map(Some);
        }
        let Some(store) = self.stores().load_one(store_id).await? else {
            return Ok(None);
        };
        let ladder: TierLadder = member::tiers(&store).map(Arc::new).map_err(|e| {
            // Logged once per request and store; every member awaiting it only carries the code.
            if let AppError::Internal(cause) = &e {
                tracing::error!(error = ?cause, "unreadable tier ladder");
            }
            Arc::new(e)
        });
        (self.store_tiers.lock().unwrap_or_else(|p| p.into_inner()))
            .insert(store_id, ladder.clone());
        ladder.map(Some)
    }

    pub fn staff(&self) -> &DataLoader<Batch<i64, staff::Model>> {
        self.staff.get_or_init(|| {
            by_id(
                &self.ctx,
                |c, k| async move { account::staff::by_ids(&c, &k).await },
                |m| m.id,
            )
        })
    }

    /// Store ids assigned to each staff member (only stores the viewer sees).
    pub fn staff_stores(&self) -> &DataLoader<Batch<i64, Vec<i64>>> {
        self.staff_stores.get_or_init(|| {
            batch(&self.ctx, |c, k| async move {
                account::staff::store_ids_by_staff(&c, &k).await
            })
        })
    }

    pub fn categories(&self) -> &DataLoader<Batch<i64, category::Model>> {
        self.categories.get_or_init(|| {
            by_id(
                &self.ctx,
                |c, k| async move { catalog::categories_by_ids(&c, &k).await },
                |m| m.id,
            )
        })
    }

    pub fn products(&self) -> &DataLoader<Batch<i64, product::Model>> {
        self.products.get_or_init(|| {
            by_id(
                &self.ctx,
                |c, k| async move { catalog::products_by_ids(&c, &k).await },
                |m| m.id,
            )
        })
    }

    /// SKUs of each product.
    pub fn product_skus(&self) -> &DataLoader<Batch<i64, Vec<sku::Model>>> {
        self.product_skus.get_or_init(|| {
            batch(&self.ctx, |c, k| async move {
                catalog::skus_by_products(&c, &k).await
            })
        })
    }

    /// Compliance allow-list phrases of each store.
    pub fn allowlists(&self) -> &DataLoader<Batch<i64, Vec<String>>> {
        self.allowlists.get_or_init(|| {
            batch(&self.ctx, |c, k| async move {
                compliance::phrases_by_store(&c, &k).await
            })
        })
    }

    pub fn skus(&self) -> &DataLoader<Batch<i64, sku::Model>> {
        self.skus.get_or_init(|| {
            by_id(
                &self.ctx,
                |c, k| async move { viewable_by_ids::<entity::sku::Entity>(&c, &k).await },
                |m| m.id,
            )
        })
    }

    pub fn members(&self) -> &DataLoader<Batch<i64, entity::member::Model>> {
        self.members.get_or_init(|| {
            by_id(
                &self.ctx,
                |c, k| async move { viewable_by_ids::<entity::member::Entity>(&c, &k).await },
                |m| m.id,
            )
        })
    }

    /// Tags of each member (the member was already loaded in scope).
    pub fn member_tags(&self) -> &DataLoader<Batch<i64, Vec<String>>> {
        self.member_tags.get_or_init(|| {
            batch(
                &self.ctx,
                |c, k| async move { member::tags_of(&c.db, &k).await },
            )
        })
    }

    pub fn orders(&self) -> &DataLoader<Batch<i64, entity::sales_order::Model>> {
        self.orders.get_or_init(|| {
            by_id(
                &self.ctx,
                |c, k| async move { viewable_by_ids::<entity::sales_order::Entity>(&c, &k).await },
                |m| m.id,
            )
        })
    }

    /// Lines of each order (the order was already loaded in scope).
    pub fn order_lines(&self) -> &DataLoader<Batch<i64, Vec<entity::order_line::Model>>> {
        self.order_lines.get_or_init(|| {
            batch(
                &self.ctx,
                |c, k| async move { order::lines_of(&c.db, &k).await },
            )
        })
    }

    /// RFM figures keyed by (store, epoch day, member): one SQL query per store and day.
    pub fn rfm(&self) -> &RfmLoader {
        self.rfm
            .get_or_init(|| batch(&self.ctx, |c, k| async move { rfm(&c, &k).await }))
    }

    pub fn promotions(&self) -> &DataLoader<Batch<i64, entity::promotion::Model>> {
        self.promotions.get_or_init(|| {
            by_id(
                &self.ctx,
                |c, k| async move { viewable_by_ids::<entity::promotion::Entity>(&c, &k).await },
                |m| m.id,
            )
        })
    }
}

async fn rfm(
    ctx: &ServiceCtx,
    keys: &[(i64, i32, i64)],
) -> Result<HashMap<(i64, i32, i64), service::member::RfmRow>, AppError> {
    let mut groups: HashMap<(i64, i32), Vec<i64>> = HashMap::new();
    for (s, d, m) in keys {
        groups.entry((*s, *d)).or_default().push(*m);
    }
    let mut out = HashMap::new();
    for ((store, day), ids) in groups {
        let date = service::member::day_date(day);
        let rows = service::member::rfm_of(&ctx.db, store, date, &ids).await?;
        out.extend(rows.into_iter().map(|r| ((store, day, r.member_id), r)));
    }
    Ok(out)
}

/// Converts a loader error into a GraphQL error with its code (the batch already logged it).
pub fn gql_err(e: Arc<AppError>) -> async_graphql::Error {
    e.as_ref().extend_quietly()
}
