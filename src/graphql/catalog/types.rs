use super::*;

/// Listing state of a product: `DRAFT → PENDING_REVIEW → ON_SHELF ⇄ OFF_SHELF →
/// ARCHIVED`; review can send back to DRAFT with a reason.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "Status")]
pub enum ProductStatus {
    /// 草稿: being written; may be saved with compliance hits.
    Draft,
    /// 待审核: submitted; a specialist or director other than the submitter approves or sends back.
    PendingReview,
    /// 出售中: listed.
    OnShelf,
    /// 仓库中: approved but not listed (taken off, or scheduled).
    OffShelf,
    /// 已归档: final.
    Archived,
}

/// An attribute definition of a category.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "AttributeDefinitionInput")]
pub struct AttributeDefinition {
    /// Attribute name, e.g. 材质, 颜色分类, 尺码 (1–20 characters).
    pub name: String,
    /// Whether products must give it (key attributes).
    #[graphql(default)]
    pub required: bool,
    /// Allowed values; empty means free text.
    #[graphql(default)]
    pub values: Vec<String>,
}

/// A category (类目) of a store's tree, with its attribute definitions. Products are listed only
/// in leaf categories.
#[derive(Clone)]
pub struct Category(pub category::Model);

/// A category (类目) of a store's tree, with its attribute definitions. Products are listed only
/// in leaf categories.
#[Object]
impl Category {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        gid(NodeType::Category, self.0.id)
    }
    /// Name (1–40 characters).
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Names from the root joined by `/`, e.g. `女装/连衣裙`.
    async fn path(&self) -> &str {
        &self.0.path
    }
    /// Level in the tree, 1 for a root.
    async fn depth(&self) -> i32 {
        self.0.depth
    }
    /// The parent category; null for a root.
    async fn parent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Category>> {
        let Some(pid) = self.0.parent_id else {
            return Ok(None);
        };
        let l = ctx.data::<loaders::Loaders>()?;
        Ok(l.categories()
            .load_one(pid)
            .await
            .map_err(loaders::gql_err)?
            .map(Category))
    }
    /// Key attributes (关键属性) that identify a product, e.g. 品牌, 货号.
    async fn key_attributes(&self) -> async_graphql::Result<Vec<AttributeDefinition>> {
        defs(&self.0.key_attributes_json, self.0.id)
    }
    /// Sales attributes (销售属性) whose values make SKUs, e.g. 颜色分类, 尺码.
    async fn sales_attributes(&self) -> async_graphql::Result<Vec<AttributeDefinition>> {
        defs(&self.0.sales_attributes_json, self.0.id)
    }
}

pub(crate) fn defs(json: &str, id: i64) -> async_graphql::Result<Vec<AttributeDefinition>> {
    Ok(cat::parse_defs(json, id)
        .gql()?
        .into_iter()
        .map(|d| AttributeDefinition {
            name: d.name,
            required: d.required,
            values: d.values,
        })
        .collect())
}

/// A name/value pair of attributes.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "AttributeValueInput")]
pub struct AttributeValue {
    /// Attribute name.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// A product (商品) of a store, with its listing state, SKUs and compliance hits.
#[derive(Clone)]
pub struct Product(pub product::Model);

/// A product (商品) of a store, with its listing state, SKUs and compliance hits.
#[Object]
impl Product {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        gid(NodeType::Product, self.0.id)
    }
    /// Title, stored as given. Counted as the platform counts it: Taobao/Tmall/Pinduoduo/own
    /// site 60 and JD 90 with wide characters counting 2; Douyin 30 characters.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Title length as the store's platform counts it.
    async fn title_length(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        let store = self.store(ctx).await?;
        let (_, double) = cat::title_rule(&store.map(|s| s.0.platform.clone()).unwrap_or_default());
        Ok(compliance::title_length(&self.0.title, double) as i32)
    }
    /// Selling point (宝贝卖点), at most 150 characters.
    async fn subtitle(&self) -> Option<&str> {
        self.0.subtitle.as_deref()
    }
    /// Description text of the detail page.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Key-attribute values.
    async fn key_attributes(&self) -> async_graphql::Result<Vec<AttributeValue>> {
        Ok(cat::key_attributes(&self.0)
            .gql()?
            .into_iter()
            .map(|(name, value)| AttributeValue { name, value })
            .collect())
    }
    /// Up to 5 main image URLs (主图); the first is the main image.
    async fn images(&self) -> async_graphql::Result<Vec<String>> {
        cat::images(&self.0).gql()
    }
    /// Main video URL.
    async fn video_url(&self) -> Option<&str> {
        self.0.video_url.as_deref()
    }
    /// Listing state. An OFF_SHELF product whose `scheduledOnShelfAt` has come reads ON_SHELF.
    async fn status(&self, ctx: &Context<'_>) -> async_graphql::Result<ProductStatus> {
        cat::effective_status(&self.0, svc(ctx)?.now())
            .map(Into::into)
            .gql()
    }
    /// When the approved product goes on the shelf by itself (定时上架); null when not scheduled
    /// or already due.
    async fn scheduled_on_shelf_at(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<DateTime>> {
        let now = svc(ctx)?.now();
        Ok(self
            .0
            .scheduled_on_shelf_at
            .filter(|t| *t > now)
            .map(Into::into))
    }
    /// Why it is in its state: the send-back reason in DRAFT, the take-off reason in OFF_SHELF.
    async fn status_reason(&self) -> Option<&str> {
        self.0.status_reason.as_deref()
    }
    /// The store.
    async fn store(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Store>> {
        store_by_id(ctx, self.0.store_id).await
    }
    /// The (leaf) category.
    async fn category(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Category>> {
        let l = ctx.data::<loaders::Loaders>()?;
        Ok(l.categories()
            .load_one(self.0.category_id)
            .await
            .map_err(loaders::gql_err)?
            .map(Category))
    }
    /// SKUs, in creation order.
    async fn skus(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Sku>> {
        let l = ctx.data::<loaders::Loaders>()?;
        Ok(l.product_skus()
            .load_one(self.0.id)
            .await
            .map_err(loaders::gql_err)?
            .unwrap_or_default()
            .into_iter()
            .map(Sku)
            .collect())
    }
    /// Lowest price of the active SKUs (the shown price is min–max); null without SKUs.
    async fn min_price(&self) -> Option<Money> {
        self.0.min_price_fen.map(Into::into)
    }
    /// Highest price of the active SKUs.
    async fn max_price(&self) -> Option<Money> {
        self.0.max_price_fen.map(Into::into)
    }
    /// Σ on-hand stock of the SKUs.
    async fn total_on_hand(&self) -> i64 {
        self.0.total_on_hand
    }
    /// Σ available stock (on hand − reserved) of the SKUs.
    async fn total_available(&self) -> i64 {
        self.0.total_available
    }
    /// True when ON_SHELF with no available stock (售罄); the product stays listed.
    async fn sold_out(&self) -> bool {
        self.0.status == "ON_SHELF" && self.0.total_available <= 0
    }
    /// Advertising-Law absolute terms (极限词) in title, subtitle and description, less those
    /// inside the store's allow-listed phrases. BLOCK hits refuse submit, approve and putting on
    /// the shelf.
    async fn compliance_issues(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<ComplianceHit>> {
        let l = ctx.data::<loaders::Loaders>()?;
        let allowed = l
            .allowlists()
            .load_one(self.0.store_id)
            .await
            .map_err(loaders::gql_err)?
            .unwrap_or_default();
        Ok(cat::product_hits(&self.0, &allowed)
            .into_iter()
            .map(|(f, h)| hit(h, Some(f)))
            .collect())
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
    /// When it was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// A SKU: one combination of sales-attribute values, with price, cost and stock. Cost and
/// margin are null for viewers without COST_VIEW in the store.
#[derive(Clone)]
pub struct Sku(pub sku::Model);

/// Whether the viewer sees costs in `store_id`. The store is loaded only when the answer
/// depends on its setting (specialists' cost view); directors and assistants need no lookup.
pub(crate) async fn cost_visible(ctx: &Context<'_>, store_id: i64) -> async_graphql::Result<bool> {
    let staff = svc(ctx)?.viewer.staff_pending_password().gql()?;
    if let Some(known) = staff.can_regardless_of_store(crate::auth::Permission::CostView, store_id)
    {
        return Ok(known);
    }
    let l = ctx.data::<loaders::Loaders>()?;
    Ok(l.stores()
        .load_one(store_id)
        .await
        .map_err(loaders::gql_err)?
        .is_some_and(|s| cat::cost_visible(staff, &s)))
}

/// A SKU: one combination of sales-attribute values, with price, cost and stock. Cost and
/// margin are null for viewers without COST_VIEW in the store.
#[Object]
impl Sku {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        gid(NodeType::Sku, self.0.id)
    }
    /// 商家编码 (outer_id), unique in the store.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Sales-attribute values, in the category's attribute order; empty for a default SKU.
    async fn attributes(&self) -> async_graphql::Result<Vec<AttributeValue>> {
        let pairs = cat::attributes_of(&self.0).gql()?;
        Ok((pairs.into_iter())
            .map(|(name, value)| AttributeValue { name, value })
            .collect())
    }
    /// List price.
    async fn price(&self) -> Money {
        self.0.price_fen.into()
    }
    /// Unit cost; null without COST_VIEW (specialists: only where the store grants it).
    async fn cost(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Money>> {
        Ok(if cost_visible(ctx, self.0.store_id).await? {
            self.0.cost_fen.map(Into::into)
        } else {
            None
        })
    }
    /// Gross margin rate `(price − cost) / price` as a fraction; null without COST_VIEW or cost.
    async fn margin(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<f64>> {
        if !cost_visible(ctx, self.0.store_id).await? || self.0.price_fen <= 0 {
            return Ok(None);
        }
        Ok(self.0.cost_fen.map(|c| {
            ((self.0.price_fen - c) as f64 / self.0.price_fen as f64 * 10_000.0).round() / 10_000.0
        }))
    }
    /// Floor price (破价线) set by a director; promotions and price changes may not go below it.
    async fn floor_price(&self) -> Option<Money> {
        self.0.floor_price_fen.map(Into::into)
    }
    /// Stock on hand.
    async fn on_hand(&self) -> i64 {
        self.0.on_hand
    }
    /// Stock reserved by orders not yet paid and other holds.
    async fn reserved(&self) -> i64 {
        self.0.reserved
    }
    /// `onHand − reserved`; never below zero.
    async fn available(&self) -> i64 {
        self.0.on_hand - self.0.reserved
    }
    /// Low-stock threshold: the SKU is low when available ≤ threshold.
    async fn low_stock_threshold(&self) -> i32 {
        self.0.low_stock_threshold
    }
    /// Whether available stock is at or below the threshold.
    async fn low_stock(&self) -> bool {
        self.0.on_hand - self.0.reserved <= i64::from(self.0.low_stock_threshold)
    }
    /// Whether the SKU is sold.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// The product.
    async fn product(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Product>> {
        let l = ctx.data::<loaders::Loaders>()?;
        Ok(l.products()
            .load_one(self.0.product_id)
            .await
            .map_err(loaders::gql_err)?
            .map(Product))
    }
}

crate::graphql::kernel::relay::connection!(
    CategoryConnection,
    CategoryEdge,
    Category,
    entity::category::Entity,
    "categories"
);
crate::graphql::kernel::relay::connection!(
    ProductConnection,
    ProductEdge,
    Product,
    entity::product::Entity,
    "products"
);
crate::graphql::kernel::relay::connection!(
    SkuConnection,
    SkuEdge,
    Sku,
    entity::sku::Entity,
    "SKUs"
);

impl From<category::Model> for Category {
    fn from(m: category::Model) -> Self {
        Self(m)
    }
}
impl From<product::Model> for Product {
    fn from(m: product::Model) -> Self {
        Self(m)
    }
}
impl From<sku::Model> for Sku {
    fn from(m: sku::Model) -> Self {
        Self(m)
    }
}
