//! Catalog and inventory in GraphQL: categories, products, SKUs, stock movements, compliance.

use std::collections::BTreeMap;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use entity::{category, inventory_movement, product, sku};

use super::mutation::split;
use super::scalars::{DateTime, Money};
use super::types::{Store, UserErrorObject, store_by_id};
use super::{decode_id, decode_opt_id, found, loaders, svc};
use crate::domain::compliance::{self, Group, Hit, Severity};
use crate::domain::{GlobalId, NodeType};
use crate::error::{AppError, GqlResultExt};
use crate::service::catalog::{self as cat, ProductStatus as Status, Transition};
use crate::service::inventory::{self, Change, MovementKind};
use crate::service::kernel::page::Window;

fn gid(t: NodeType, id: i64) -> ID {
    ID(GlobalId::new(t, id).encode())
}

/// Listing state of a product: `DRAFT → PENDING_REVIEW → ON_SHELF ⇄ OFF_SHELF →
/// ARCHIVED`; review can send back to DRAFT with a reason.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
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

impl From<Status> for ProductStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Draft => Self::Draft,
            Status::PendingReview => Self::PendingReview,
            Status::OnShelf => Self::OnShelf,
            Status::OffShelf => Self::OffShelf,
            Status::Archived => Self::Archived,
        }
    }
}

impl From<ProductStatus> for Status {
    fn from(s: ProductStatus) -> Self {
        match s {
            ProductStatus::Draft => Self::Draft,
            ProductStatus::PendingReview => Self::PendingReview,
            ProductStatus::OnShelf => Self::OnShelf,
            ProductStatus::OffShelf => Self::OffShelf,
            ProductStatus::Archived => Self::Archived,
        }
    }
}

/// Severity of a compliance hit.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ComplianceSeverity {
    /// Refuses submit, approve and publish.
    Block,
    /// Shown only.
    Warn,
}

/// Term group of the Advertising-Law (广告法) absolute-term list.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ComplianceGroup {
    /// 最… superlatives.
    Superlative,
    /// 第一 / 唯一 / NO.1.
    First,
    /// 国家级 / 世界级 grades.
    Grade,
    /// 顶级 / 极致 / 绝对.
    Top,
    /// 首 / 独家.
    FirstExclusive,
    /// 100% / 零风险 guarantees.
    Guarantee,
    /// 全网最低价 / 清仓 price and urgency claims.
    PriceUrgency,
    /// 国家机关推荐 / 驰名商标 authority claims.
    Authority,
    /// 治愈 / 特效 medical claims outside drug categories.
    Medical,
}

/// One Advertising-Law hit in a text.
#[derive(SimpleObject)]
pub struct ComplianceHit {
    /// The listed term that matched (as listed, e.g. `NO.1` for "ＮＯ．１").
    pub term: String,
    /// Term group.
    pub group: ComplianceGroup,
    /// BLOCK refuses submit / approve / publish; WARN is shown only.
    pub severity: ComplianceSeverity,
    /// The rule the term breaks.
    pub rule: String,
    /// Start in characters (Unicode scalar values) of the original text, inclusive.
    pub start: i32,
    /// End in characters of the original text, exclusive.
    pub end: i32,
    /// Which field of the object the hit is in (`title`, `subtitle`, `description`), or null
    /// for free text.
    pub field: Option<String>,
}

fn hit(h: Hit, field: Option<&str>) -> ComplianceHit {
    ComplianceHit {
        term: h.term,
        group: match h.group {
            Group::Superlative => ComplianceGroup::Superlative,
            Group::First => ComplianceGroup::First,
            Group::Grade => ComplianceGroup::Grade,
            Group::Top => ComplianceGroup::Top,
            Group::FirstExclusive => ComplianceGroup::FirstExclusive,
            Group::Guarantee => ComplianceGroup::Guarantee,
            Group::PriceUrgency => ComplianceGroup::PriceUrgency,
            Group::Authority => ComplianceGroup::Authority,
            Group::Medical => ComplianceGroup::Medical,
        },
        severity: match h.severity {
            Severity::Block => ComplianceSeverity::Block,
            Severity::Warn => ComplianceSeverity::Warn,
        },
        rule: h.group.rule().to_owned(),
        start: h.start as i32,
        end: h.end as i32,
        field: field.map(str::to_owned),
    }
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
        Ok(l.categories
            .load_one(pid)
            .await
            .map_err(loaders::gql_err)?
            .map(Category))
    }
    /// Key attributes (关键属性) that identify a product, e.g. 品牌, 货号.
    async fn key_attributes(&self) -> Vec<AttributeDefinition> {
        defs(&self.0.key_attributes_json)
    }
    /// Sales attributes (销售属性) whose values make SKUs, e.g. 颜色分类, 尺码.
    async fn sales_attributes(&self) -> Vec<AttributeDefinition> {
        defs(&self.0.sales_attributes_json)
    }
}

fn defs(json: &str) -> Vec<AttributeDefinition> {
    cat::parse_defs(json)
        .into_iter()
        .map(|d| AttributeDefinition {
            name: d.name,
            required: d.required,
            values: d.values,
        })
        .collect()
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
        let (_, double) = cat::title_rule(&store.map(|s| s.0.platform).unwrap_or_default());
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
    async fn key_attributes(&self) -> Vec<AttributeValue> {
        serde_json::from_str::<BTreeMap<String, String>>(&self.0.key_attributes_json)
            .unwrap_or_default()
            .into_iter()
            .map(|(name, value)| AttributeValue { name, value })
            .collect()
    }
    /// Up to 5 main image URLs (主图); the first is the main image.
    async fn images(&self) -> Vec<String> {
        serde_json::from_str(&self.0.images_json).unwrap_or_default()
    }
    /// Main video URL.
    async fn video_url(&self) -> Option<&str> {
        self.0.video_url.as_deref()
    }
    /// Listing state. An OFF_SHELF product whose `scheduledOnShelfAt` has come reads ON_SHELF.
    async fn status(&self) -> ProductStatus {
        cat::effective_status(&self.0).into()
    }
    /// When the approved product goes on the shelf by itself (定时上架); null when not scheduled
    /// or already due.
    async fn scheduled_on_shelf_at(&self) -> Option<DateTime> {
        self.0
            .scheduled_on_shelf_at
            .filter(|t| *t > chrono::Utc::now())
            .map(Into::into)
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
        Ok(l.categories
            .load_one(self.0.category_id)
            .await
            .map_err(loaders::gql_err)?
            .map(Category))
    }
    /// SKUs, in creation order.
    async fn skus(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Sku>> {
        let l = ctx.data::<loaders::Loaders>()?;
        Ok(l.product_skus
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
            .allowlists
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

async fn cost_visible(ctx: &Context<'_>, store_id: i64) -> async_graphql::Result<bool> {
    let staff = svc(ctx)?.viewer.staff_pending_password().gql()?;
    let l = ctx.data::<loaders::Loaders>()?;
    Ok(l.stores
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
    async fn attributes(&self) -> Vec<AttributeValue> {
        serde_json::from_str::<Vec<serde_json::Value>>(&self.0.attributes_json)
            .unwrap_or_default()
            .into_iter()
            .map(|v| AttributeValue {
                name: v["name"].as_str().unwrap_or_default().to_owned(),
                value: v["value"].as_str().unwrap_or_default().to_owned(),
            })
            .collect()
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
        Ok(l.products
            .load_one(self.0.product_id)
            .await
            .map_err(loaders::gql_err)?
            .map(Product))
    }
}

/// Kind of a stock movement: every change of on-hand or reserved units is one movement.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum InventoryMovementKind {
    /// 入库: on hand + q.
    Restock,
    /// 调整: on hand ± q, never below reserved; with a reason.
    Adjustment,
    /// 盘点: on hand := counted; quantity = counted − previous on hand.
    Stocktake,
    /// 预占: reserved + q, only when available ≥ q.
    Reservation,
    /// 释放: reserved − q.
    Release,
    /// 销售出库: on hand − q at payment.
    Sale,
    /// 退货入库: on hand + q for sellable returns.
    Return,
}

impl From<InventoryMovementKind> for MovementKind {
    fn from(k: InventoryMovementKind) -> Self {
        match k {
            InventoryMovementKind::Restock => Self::Restock,
            InventoryMovementKind::Adjustment => Self::Adjustment,
            InventoryMovementKind::Stocktake => Self::Stocktake,
            InventoryMovementKind::Reservation => Self::Reservation,
            InventoryMovementKind::Release => Self::Release,
            InventoryMovementKind::Sale => Self::Sale,
            InventoryMovementKind::Return => Self::Return,
        }
    }
}

/// One entry of the stock ledger. A SKU's on-hand and reserved figures always equal the sum
/// of its movements.
#[derive(Clone)]
pub struct InventoryMovement(pub inventory_movement::Model);

/// One entry of the stock ledger. A SKU's on-hand and reserved figures always equal the sum
/// of its movements.
#[Object]
impl InventoryMovement {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        gid(NodeType::InventoryMovement, self.0.id)
    }
    /// Kind.
    async fn kind(&self) -> InventoryMovementKind {
        match self.0.kind.as_str() {
            "ADJUSTMENT" => InventoryMovementKind::Adjustment,
            "STOCKTAKE" => InventoryMovementKind::Stocktake,
            "RESERVATION" => InventoryMovementKind::Reservation,
            "RELEASE" => InventoryMovementKind::Release,
            "SALE" => InventoryMovementKind::Sale,
            "RETURN" => InventoryMovementKind::Return,
            _ => InventoryMovementKind::Restock,
        }
    }
    /// Signed quantity: change of on hand (RESTOCK, ADJUSTMENT, STOCKTAKE, SALE, RETURN) or of
    /// reserved (RESERVATION positive, RELEASE negative).
    async fn quantity(&self) -> i64 {
        self.0.quantity
    }
    /// On hand after the movement.
    async fn on_hand_after(&self) -> i64 {
        self.0.on_hand_after
    }
    /// Reserved after the movement.
    async fn reserved_after(&self) -> i64 {
        self.0.reserved_after
    }
    /// Why.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// External reference (inbound note, order number, …).
    async fn reference(&self) -> Option<&str> {
        self.0.reference.as_deref()
    }
    /// Who made it.
    async fn actor(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<super::types::StaffMember>> {
        super::types::staff_member(ctx, self.0.actor_id).await
    }
    /// The SKU.
    async fn sku(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Sku>> {
        Ok(found(cat::sku_get(svc(ctx)?, self.0.sku_id).await)?.map(Sku))
    }
    /// When.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

super::pagination::connection!(
    CategoryConnection,
    CategoryEdge,
    Category,
    entity::category::Entity,
    "categories"
);
super::pagination::connection!(
    ProductConnection,
    ProductEdge,
    Product,
    entity::product::Entity,
    "products"
);
super::pagination::connection!(SkuConnection, SkuEdge, Sku, entity::sku::Entity, "SKUs");
super::pagination::connection!(
    InventoryMovementConnection,
    InventoryMovementEdge,
    InventoryMovement,
    entity::inventory_movement::Entity,
    "stock movements"
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
impl From<inventory_movement::Model> for InventoryMovement {
    fn from(m: inventory_movement::Model) -> Self {
        Self(m)
    }
}

/// Orderings of `products`.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProductSortKeys {
    /// Last change (default).
    #[default]
    UpdatedAt,
    /// Creation time.
    CreatedAt,
    /// Title.
    Title,
    /// Lowest SKU price (products without SKUs are left out).
    Price,
    /// Available stock.
    Stock,
}

/// Filters of `products`; all given conditions must hold.
#[derive(InputObject, Default)]
pub struct ProductFilter {
    /// Only this store.
    pub store_id: Option<ID>,
    /// Only this category.
    pub category_id: Option<ID>,
    /// Only this listing state.
    pub status: Option<ProductStatus>,
    /// Title contains this text.
    pub title_contains: Option<String>,
    /// Has an active SKU priced at or above this.
    pub price_min: Option<Money>,
    /// Has an active SKU priced at or below this.
    pub price_max: Option<Money>,
    /// true: has a low-stock SKU; false: has none.
    pub low_stock: Option<bool>,
}

/// Filters of `inventoryMovements`.
#[derive(InputObject, Default)]
pub struct InventoryMovementFilter {
    /// Only this store.
    pub store_id: Option<ID>,
    /// Only this SKU.
    pub sku_id: Option<ID>,
    /// Only this kind.
    pub kind: Option<InventoryMovementKind>,
}

/// Result of `complianceCheck`.
#[derive(SimpleObject)]
pub struct ComplianceCheckResult {
    /// Every hit, in text order.
    pub hits: Vec<ComplianceHit>,
    /// Whether a BLOCK hit would refuse publication.
    pub blocked: bool,
}

#[derive(Default)]
pub struct CatalogQuery;

/// Catalog and inventory reads.
#[Object]
impl CatalogQuery {
    /// Checks a text against the Advertising-Law absolute-term list (极限词): each hit
    /// with its term, rule, severity and position; with a store, its allow-list applies.
    async fn compliance_check(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Text to check (at most 25,000 characters).")] text: String,
        #[graphql(desc = "Apply this store's allow-list.")] store_id: Option<ID>,
    ) -> async_graphql::Result<ComplianceCheckResult> {
        let svc = svc(ctx)?;
        svc.viewer.staff().gql()?;
        let allowed: Vec<String> = match decode_opt_id(&store_id, NodeType::Store, "storeId")? {
            Some(s) => crate::service::compliance::list(svc, s)
                .await
                .gql()?
                .into_iter()
                .map(|a| a.phrase)
                .collect(),
            None => Vec::new(),
        };
        if text.chars().count() > cat::DESCRIPTION_MAX {
            return Err(AppError::invalid(
                &["text"],
                crate::error::ErrorCode::TooLong,
                "text must be at most 25,000 characters",
            ))
            .gql();
        }
        let hits = compliance::check(&text, &allowed);
        Ok(ComplianceCheckResult {
            blocked: compliance::blocks(&hits),
            hits: hits.into_iter().map(|h| hit(h, None)).collect(),
        })
    }

    /// One category.
    async fn category(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID.")] id: ID,
    ) -> async_graphql::Result<Category> {
        let id = decode_id(&id, NodeType::Category, "id").gql()?;
        cat::category_get(svc(ctx)?, id).await.map(Category).gql()
    }

    /// A store's categories in tree order (by path).
    async fn categories(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The store.")] store_id: ID,
        #[graphql(desc = "Only the children of this category.")] parent_id: Option<ID>,
        #[graphql(desc = "Page size, 0–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
        #[graphql(desc = "Page size counted from the end, 0–100 (instead of first).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor before which the page ends.")] before: Option<String>,
    ) -> async_graphql::Result<CategoryConnection> {
        let store = decode_id(&store_id, NodeType::Store, "storeId").gql()?;
        let parent = decode_opt_id(&parent_id, NodeType::Category, "parentId")?;
        cat::category_list(
            svc(ctx)?,
            store,
            parent,
            Window {
                first,
                after: after.as_deref(),
                last,
                before: before.as_deref(),
            },
        )
        .await
        .map(CategoryConnection)
        .gql()
    }

    /// One product.
    async fn product(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID.")] id: ID,
    ) -> async_graphql::Result<Product> {
        let id = decode_id(&id, NodeType::Product, "id").gql()?;
        cat::product_get(svc(ctx)?, id).await.map(Product).gql()
    }

    /// Products of the viewer's stores.
    async fn products(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
        #[graphql(desc = "Page size counted from the end, 0–100 (instead of first).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor before which the page ends.")] before: Option<String>,
        #[graphql(desc = "Filters.")] filter: Option<ProductFilter>,
        #[graphql(desc = "Ordering (default UPDATED_AT).", default)] sort_key: ProductSortKeys,
        #[graphql(desc = "Reverse the ordering.", default)] reverse: bool,
    ) -> async_graphql::Result<ProductConnection> {
        let f = filter.unwrap_or_default();
        let filter = cat::ProductFilter {
            store_id: decode_opt_id(&f.store_id, NodeType::Store, "filter.storeId")?,
            category_id: decode_opt_id(&f.category_id, NodeType::Category, "filter.categoryId")?,
            status: f.status.map(Into::into),
            title_contains: f.title_contains,
            price_min_fen: f.price_min.map(|m| m.0.0),
            price_max_fen: f.price_max.map(|m| m.0.0),
            low_stock: f.low_stock,
        };
        let sort = match sort_key {
            ProductSortKeys::UpdatedAt => cat::ProductSort::UpdatedAt,
            ProductSortKeys::CreatedAt => cat::ProductSort::CreatedAt,
            ProductSortKeys::Title => cat::ProductSort::Title,
            ProductSortKeys::Price => cat::ProductSort::Price,
            ProductSortKeys::Stock => cat::ProductSort::Stock,
        };
        cat::product_list(
            svc(ctx)?,
            filter,
            sort,
            Window {
                first,
                after: after.as_deref(),
                last,
                before: before.as_deref(),
            },
            reverse,
        )
        .await
        .map(ProductConnection)
        .gql()
    }

    /// A SKU by its code (商家编码) in a store.
    async fn sku_by_code(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The store.")] store_id: ID,
        #[graphql(desc = "SKU code.")] code: String,
    ) -> async_graphql::Result<Sku> {
        let store = decode_id(&store_id, NodeType::Store, "storeId").gql()?;
        cat::sku_by_code(svc(ctx)?, store, &code)
            .await
            .map(Sku)
            .gql()
    }

    /// Active SKUs of a store whose available stock is at or below their threshold.
    async fn low_stock_skus(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The store.")] store_id: ID,
        #[graphql(desc = "Page size, 0–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
        #[graphql(desc = "Page size counted from the end, 0–100 (instead of first).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor before which the page ends.")] before: Option<String>,
    ) -> async_graphql::Result<SkuConnection> {
        let store = decode_id(&store_id, NodeType::Store, "storeId").gql()?;
        cat::low_stock_skus(
            svc(ctx)?,
            store,
            Window {
                first,
                after: after.as_deref(),
                last,
                before: before.as_deref(),
            },
        )
        .await
        .map(SkuConnection)
        .gql()
    }

    /// The stock ledger, newest first.
    async fn inventory_movements(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
        #[graphql(desc = "Page size counted from the end, 0–100 (instead of first).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor before which the page ends.")] before: Option<String>,
        #[graphql(desc = "Filters.")] filter: Option<InventoryMovementFilter>,
        #[graphql(desc = "Oldest first instead.", default)] reverse: bool,
    ) -> async_graphql::Result<InventoryMovementConnection> {
        let f = filter.unwrap_or_default();
        let filter = inventory::MovementFilter {
            store_id: decode_opt_id(&f.store_id, NodeType::Store, "filter.storeId")?,
            sku_id: decode_opt_id(&f.sku_id, NodeType::Sku, "filter.skuId")?,
            kind: f.kind.map(Into::into),
        };
        inventory::movements(
            svc(ctx)?,
            filter,
            Window {
                first,
                after: after.as_deref(),
                last,
                before: before.as_deref(),
            },
            reverse,
        )
        .await
        .map(InventoryMovementConnection)
        .gql()
    }
}

// ---------------------------------------------------------------------------------------------
// Mutations

/// Input of `categoryCreate`.
#[derive(InputObject)]
pub struct CategoryCreateInput {
    /// The store.
    pub store_id: ID,
    /// Parent category (none: a root). A category holding products cannot get children.
    pub parent_id: Option<ID>,
    /// Name, 1–40 characters, without `/`.
    pub name: String,
    /// Key attributes (关键属性).
    #[graphql(default)]
    pub key_attributes: Vec<AttributeDefinition>,
    /// Sales attributes (销售属性) whose values make SKUs.
    #[graphql(default)]
    pub sales_attributes: Vec<AttributeDefinition>,
}

/// Input of `categoryUpdate`; omitted fields are unchanged.
#[derive(InputObject)]
pub struct CategoryUpdateInput {
    /// The category.
    pub id: ID,
    /// New name (the paths below it follow).
    pub name: Option<String>,
    /// Replaces the key-attribute definitions.
    pub key_attributes: Option<Vec<AttributeDefinition>>,
    /// Replaces the sales-attribute definitions; values used by SKUs must stay.
    pub sales_attributes: Option<Vec<AttributeDefinition>>,
}

/// Result of `categoryCreate` / `categoryUpdate`.
#[derive(SimpleObject)]
pub struct CategoryPayload {
    /// The category; null when refused.
    pub category: Option<Category>,
    /// Why the change was refused; empty on success.
    pub user_errors: Vec<UserErrorObject>,
}

/// Content of a product. On update, omitted fields are unchanged.
#[derive(InputObject, Default)]
pub struct ProductContentInput {
    /// Leaf category of the product's store.
    pub category_id: Option<ID>,
    /// Title, within the platform's limit.
    pub title: Option<String>,
    /// Selling point, at most 150 characters.
    pub subtitle: Option<String>,
    /// Description text.
    pub description: Option<String>,
    /// Key-attribute values (replaces all).
    pub key_attributes: Option<Vec<AttributeValue>>,
    /// Up to 5 image URLs; the first is the main image (replaces all).
    pub images: Option<Vec<String>>,
    /// Main video URL.
    pub video_url: Option<String>,
    /// List automatically at this time once approved (定时上架; PRODUCT_SHELVE; in the future).
    pub scheduled_on_shelf_at: Option<DateTime>,
    /// Remove the schedule (PRODUCT_SHELVE).
    #[graphql(default)]
    pub clear_schedule: bool,
}

/// Input of `productCreate`.
#[derive(InputObject)]
pub struct ProductCreateInput {
    /// The store.
    pub store_id: ID,
    /// Content; `categoryId` and `title` are required.
    pub content: ProductContentInput,
}

/// Input of `productUpdate`.
#[derive(InputObject)]
pub struct ProductUpdateInput {
    /// The product.
    pub id: ID,
    /// Fields to change.
    pub content: ProductContentInput,
}

/// Input of the lifecycle mutations.
#[derive(InputObject)]
pub struct ProductTransitionInput {
    /// The product.
    pub id: ID,
    /// Send-back reason (required for `productSendBack`); take-off reason for
    /// `productTakeOffShelf`: MANUAL, SOLD_OUT, PLATFORM_VIOLATION or SEASON_END (default MANUAL).
    pub reason: Option<String>,
    /// `productApprove`: list at once (default true); false keeps it OFF_SHELF.
    pub list_now: Option<bool>,
}

/// Result of product mutations.
#[derive(SimpleObject)]
pub struct ProductPayload {
    /// The product as saved; null when refused.
    pub product: Option<Product>,
    /// Why the change was refused; empty on success.
    pub user_errors: Vec<UserErrorObject>,
}

/// One sales attribute and its chosen values.
#[derive(InputObject)]
pub struct SalesAttributeChoice {
    /// A sales attribute of the product's category.
    pub name: String,
    /// Chosen values.
    pub values: Vec<String>,
}

/// Input of `skusGenerate`.
#[derive(InputObject)]
pub struct SkusGenerateInput {
    /// The product.
    pub product_id: ID,
    /// Sales attributes and values; empty makes the one default SKU.
    #[graphql(default)]
    pub attributes: Vec<SalesAttributeChoice>,
    /// Price of the new SKUs.
    pub price: Money,
    /// Unit cost of the new SKUs (needs COST_EDIT).
    pub cost: Option<Money>,
    /// Low-stock threshold of the new SKUs (default 0).
    #[graphql(default)]
    pub low_stock_threshold: i32,
    /// Prefix of generated codes (default `P<product number>`); codes are `<prefix>-001`, ….
    pub code_prefix: Option<String>,
}

/// Result of `skusGenerate`.
#[derive(SimpleObject)]
pub struct SkusGeneratePayload {
    /// The product with all its SKUs.
    pub product: Option<Product>,
    /// The SKUs this call created (existing combinations are kept, never duplicated).
    pub created: Vec<Sku>,
    /// Why the change was refused; empty on success.
    pub user_errors: Vec<UserErrorObject>,
}

/// Input of the stock mutations.
#[derive(InputObject)]
pub struct StockChangeInput {
    /// The SKU.
    pub sku_id: ID,
    /// Units: restocked, reserved or released (positive); the change for `stockAdjust`
    /// (non-zero, signed); the counted stock for `stockTake`.
    pub quantity: i64,
    /// Why (required for adjustments).
    pub reason: Option<String>,
    /// External reference (inbound note, order number, …).
    pub reference: Option<String>,
    /// Assistants: file an approval request for an adjustment or stocktake instead of being
    /// refused with APPROVAL_REQUIRED.
    #[graphql(default)]
    pub request_approval: bool,
}

/// Result of stock mutations.
#[derive(SimpleObject)]
pub struct StockChangePayload {
    /// The SKU after the change.
    pub sku: Option<Sku>,
    /// The ledger entry written.
    pub movement: Option<InventoryMovement>,
    /// The approval request filed instead (assistants with `requestApproval`).
    pub approval_request: Option<super::pricing::ApprovalRequest>,
    /// Why the change was refused (e.g. STOCK_INSUFFICIENT); empty on success.
    pub user_errors: Vec<UserErrorObject>,
}

#[derive(Default)]
pub struct CatalogMutation;

fn content(input: ProductContentInput) -> Result<cat::ProductContent, AppError> {
    Ok(cat::ProductContent {
        category_id: input
            .category_id
            .as_ref()
            .map(|i| decode_id(i, NodeType::Category, "input.content.categoryId"))
            .transpose()?,
        title: input.title,
        subtitle: input.subtitle.map(Some),
        description: input.description.map(Some),
        key_attributes: input
            .key_attributes
            .map(|a| a.into_iter().map(|v| (v.name, v.value)).collect()),
        images: input.images,
        video_url: input.video_url.map(Some),
        scheduled_on_shelf_at: if input.clear_schedule {
            Some(None)
        } else {
            input.scheduled_on_shelf_at.map(|t| Some(t.0))
        },
    })
}

fn product_payload(res: Result<product::Model, AppError>) -> async_graphql::Result<ProductPayload> {
    let (p, user_errors) = split(res)?;
    Ok(ProductPayload {
        product: p.map(Product),
        user_errors,
    })
}

async fn transition(
    ctx: &Context<'_>,
    input: ProductTransitionInput,
    make: impl FnOnce(&ProductTransitionInput) -> Transition,
) -> async_graphql::Result<ProductPayload> {
    let svc = svc(ctx)?;
    let action = make(&input);
    let res = match decode_id(&input.id, NodeType::Product, "input.id") {
        Ok(id) => cat::product_transition(svc, id, action).await,
        Err(e) => Err(e),
    };
    product_payload(res)
}

async fn stock(
    ctx: &Context<'_>,
    input: StockChangeInput,
    change: fn(i64) -> Change,
) -> async_graphql::Result<StockChangePayload> {
    let svc = svc(ctx)?;
    let res = match decode_id(&input.sku_id, NodeType::Sku, "input.skuId") {
        Ok(id) => {
            inventory::apply(
                svc,
                inventory::StockInput {
                    sku_id: id,
                    change: change(input.quantity),
                    reason: input.reason,
                    reference: input.reference,
                },
                input.request_approval,
            )
            .await
        }
        Err(e) => Err(e),
    };
    let (v, user_errors) = split(res)?;
    let (sku, movement, approval_request) = match v {
        Some(inventory::StockOutcome::Applied(s, m)) => {
            (Some(Sku(s)), Some(InventoryMovement(m)), None)
        }
        Some(inventory::StockOutcome::Requested(r)) => {
            (None, None, Some(super::pricing::ApprovalRequest(r)))
        }
        None => (None, None, None),
    };
    Ok(StockChangePayload {
        sku,
        movement,
        approval_request,
        user_errors,
    })
}

/// Catalog and inventory changes.
#[Object]
impl CatalogMutation {
    /// Creates a category (PRODUCT_EDIT_DRAFT in the store).
    async fn category_create(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CategoryCreateInput,
    ) -> async_graphql::Result<CategoryPayload> {
        let svc = svc(ctx)?;
        let res = async {
            let cmd = cat::CategoryInput {
                store_id: decode_id(&input.store_id, NodeType::Store, "input.storeId")?,
                parent_id: input
                    .parent_id
                    .as_ref()
                    .map(|i| decode_id(i, NodeType::Category, "input.parentId"))
                    .transpose()?,
                name: input.name,
                key_attributes: input
                    .key_attributes
                    .into_iter()
                    .map(|d| cat::AttributeDef {
                        name: d.name,
                        required: d.required,
                        values: d.values,
                    })
                    .collect(),
                sales_attributes: input
                    .sales_attributes
                    .into_iter()
                    .map(|d| cat::AttributeDef {
                        name: d.name,
                        required: d.required,
                        values: d.values,
                    })
                    .collect(),
            };
            cat::category_create(svc, cmd).await
        }
        .await;
        let (c, user_errors) = split(res)?;
        Ok(CategoryPayload {
            category: c.map(Category),
            user_errors,
        })
    }

    /// Renames a category or replaces its attribute definitions (PRODUCT_REVIEW). Sales
    /// attributes and values in use by SKUs cannot be dropped.
    async fn category_update(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CategoryUpdateInput,
    ) -> async_graphql::Result<CategoryPayload> {
        let svc = svc(ctx)?;
        let defs = |d: Vec<AttributeDefinition>| {
            d.into_iter()
                .map(|d| cat::AttributeDef {
                    name: d.name,
                    required: d.required,
                    values: d.values,
                })
                .collect()
        };
        let res = match decode_id(&input.id, NodeType::Category, "input.id") {
            Ok(id) => {
                let cmd = cat::CategoryUpdate {
                    name: input.name,
                    key_attributes: input.key_attributes.map(defs),
                    sales_attributes: input.sales_attributes.map(defs),
                };
                cat::category_update(svc, id, cmd).await
            }
            Err(e) => Err(e),
        };
        let (c, user_errors) = split(res)?;
        Ok(CategoryPayload {
            category: c.map(Category),
            user_errors,
        })
    }

    /// Creates a DRAFT product (PRODUCT_EDIT_DRAFT). Drafts may hold compliance hits.
    async fn product_create(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ProductCreateInput,
    ) -> async_graphql::Result<ProductPayload> {
        let svc = svc(ctx)?;
        let res = async {
            let store = decode_id(&input.store_id, NodeType::Store, "input.storeId")?;
            cat::product_create(svc, store, content(input.content)?).await
        }
        .await;
        product_payload(res)
    }

    /// Changes a product's content: drafts with PRODUCT_EDIT_DRAFT; past DRAFT with
    /// PRODUCT_REVIEW, refused while a BLOCK term remains.
    async fn product_update(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ProductUpdateInput,
    ) -> async_graphql::Result<ProductPayload> {
        let svc = svc(ctx)?;
        let res = async {
            let id = decode_id(&input.id, NodeType::Product, "input.id")?;
            cat::product_update(svc, id, content(input.content)?).await
        }
        .await;
        product_payload(res)
    }

    /// DRAFT → PENDING_REVIEW (PRODUCT_SUBMIT). Refused with COMPLIANCE_BLOCKED naming the terms
    /// while a BLOCK term remains, and without SKUs.
    async fn product_submit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ProductTransitionInput,
    ) -> async_graphql::Result<ProductPayload> {
        transition(ctx, input, |_| Transition::Submit).await
    }

    /// PENDING_REVIEW → ON_SHELF (or OFF_SHELF with `listNow: false`) (PRODUCT_REVIEW; not by
    /// the submitter unless a director, whose self-approval is audited).
    async fn product_approve(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ProductTransitionInput,
    ) -> async_graphql::Result<ProductPayload> {
        transition(ctx, input, |i| Transition::Approve {
            list_now: i.list_now.unwrap_or(true),
        })
        .await
    }

    /// PENDING_REVIEW → DRAFT with a reason (PRODUCT_REVIEW).
    async fn product_send_back(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ProductTransitionInput,
    ) -> async_graphql::Result<ProductPayload> {
        transition(ctx, input, |i| Transition::SendBack {
            reason: i.reason.clone().unwrap_or_default(),
        })
        .await
    }

    /// OFF_SHELF → ON_SHELF (PRODUCT_SHELVE); refused while a BLOCK term remains.
    async fn product_put_on_shelf(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ProductTransitionInput,
    ) -> async_graphql::Result<ProductPayload> {
        transition(ctx, input, |_| Transition::PutOnShelf).await
    }

    /// ON_SHELF → OFF_SHELF with a reason (PRODUCT_SHELVE).
    async fn product_take_off_shelf(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ProductTransitionInput,
    ) -> async_graphql::Result<ProductPayload> {
        transition(ctx, input, |i| Transition::TakeOffShelf {
            reason: i.reason.clone().unwrap_or_else(|| "MANUAL".into()),
        })
        .await
    }

    /// DRAFT or OFF_SHELF → ARCHIVED, final (PRODUCT_ARCHIVE).
    async fn product_archive(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ProductTransitionInput,
    ) -> async_graphql::Result<ProductPayload> {
        transition(ctx, input, |_| Transition::Archive).await
    }

    /// Makes the product's SKUs the Cartesian product of the chosen sales-attribute values (the
    /// full choice, not an addition): existing combinations are kept and none is duplicated;
    /// combinations no longer chosen are removed when nothing refers to them (no stock, no
    /// movements, no price history), else deactivated; chosen again, they are reactivated. At
    /// most 600 per product.
    async fn skus_generate(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: SkusGenerateInput,
    ) -> async_graphql::Result<SkusGeneratePayload> {
        let svc = svc(ctx)?;
        let res = async {
            let cmd = cat::SkusGenerate {
                product_id: decode_id(&input.product_id, NodeType::Product, "input.productId")?,
                attributes: input
                    .attributes
                    .into_iter()
                    .map(|a| (a.name, a.values))
                    .collect(),
                price_fen: input.price.0.0,
                cost_fen: input.cost.map(|c| c.0.0),
                low_stock_threshold: input.low_stock_threshold,
                code_prefix: input.code_prefix,
            };
            cat::skus_generate(svc, cmd).await
        }
        .await;
        let (v, user_errors) = split(res)?;
        Ok(match v {
            Some((p, created)) => SkusGeneratePayload {
                product: Some(Product(p)),
                created: created.into_iter().map(Sku).collect(),
                user_errors,
            },
            None => SkusGeneratePayload {
                product: None,
                created: Vec::new(),
                user_errors,
            },
        })
    }

    /// Inbound stock: on hand + quantity (STOCK_RESTOCK, assistants too).
    async fn stock_restock(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: StockChangeInput,
    ) -> async_graphql::Result<StockChangePayload> {
        stock(ctx, input, Change::Restock).await
    }

    /// Adjustment: on hand ± quantity with a reason, never below reserved (STOCK_ADJUST).
    async fn stock_adjust(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: StockChangeInput,
    ) -> async_graphql::Result<StockChangePayload> {
        stock(ctx, input, Change::Adjust).await
    }

    /// Stocktake: on hand := the counted quantity, not below reserved (STOCK_ADJUST).
    async fn stock_take(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: StockChangeInput,
    ) -> async_graphql::Result<StockChangePayload> {
        stock(ctx, input, Change::Stocktake).await
    }

    /// Reserves stock (e.g. an order placed in 拍下减库存 mode, a gift hold): only when available
    /// ≥ quantity, else STOCK_INSUFFICIENT — also under concurrent requests (STOCK_ADJUST).
    async fn stock_reserve(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: StockChangeInput,
    ) -> async_graphql::Result<StockChangePayload> {
        stock(ctx, input, Change::Reserve).await
    }

    /// Releases reserved stock (STOCK_ADJUST).
    async fn stock_release(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: StockChangeInput,
    ) -> async_graphql::Result<StockChangePayload> {
        stock(ctx, input, Change::Release).await
    }
}

/// Input of `productsImport`.
#[derive(InputObject)]
pub struct ProductsImportInput {
    /// The store.
    pub store_id: ID,
    /// The CSV file (GraphQL multipart upload), UTF-8, one row per SKU with the columns
    /// `product_ref,title,category_path,status,sku_code,sales_attrs,price,cost,stock`.
    pub file: async_graphql::Upload,
}

/// What an import did.
#[derive(SimpleObject)]
pub struct ProductImportReport {
    /// Data rows read.
    pub rows: i32,
    /// Categories created (missing `category_path` segments).
    pub categories_created: i32,
    /// Products created.
    pub products_created: i32,
    /// Existing products whose title or status changed.
    pub products_updated: i32,
    /// SKUs created.
    pub skus_created: i32,
    /// Existing SKUs whose price, cost or stock changed.
    pub skus_updated: i32,
    /// Rows that matched what is stored (a re-import changes nothing).
    pub rows_unchanged: i32,
}

/// One bad cell of an import file.
#[derive(SimpleObject)]
pub struct ImportRowError {
    /// Line number in the file (the header is line 1).
    pub row: i32,
    /// Column name.
    pub column: String,
    /// What is wrong.
    pub message: String,
}

/// Result of `productsImport`.
#[derive(SimpleObject)]
pub struct ProductsImportPayload {
    /// What was imported; null when the file was rejected.
    pub report: Option<ProductImportReport>,
    /// Each bad row and column (at most 1,000); any makes the whole file rejected with nothing
    /// written.
    pub row_errors: Vec<ImportRowError>,
    /// Number of row errors, including those not listed.
    pub total_row_errors: i32,
    /// Why the import was refused as a whole; empty on success.
    pub user_errors: Vec<UserErrorObject>,
}

#[derive(Default)]
pub struct ImportMutation;

/// Bulk imports.
#[Object]
impl ImportMutation {
    /// Imports products from a CSV file (PRODUCT_EDIT_DRAFT; rows setting ON_SHELF or OFF_SHELF need
    /// PRODUCT_SHELVE, a non-empty cost COST_EDIT, price changes of existing SKUs the PRICE_CHANGE
    /// limits, stock changes of existing SKUs STOCK_ADJUST). Every row is validated first; any
    /// error rejects the whole file and nothing is written. Products match by `product_ref` and
    /// SKUs by `sku_code`, so re-importing a file changes nothing. `category_path` (`女装/连衣裙`)
    /// is created if missing; `sales_attrs` is `颜色:红;尺码:M`; money is decimal.
    async fn products_import(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ProductsImportInput,
    ) -> async_graphql::Result<ProductsImportPayload> {
        use crate::service::catalog::import::{self, Outcome};
        let svc = svc(ctx)?;
        let store = match decode_id(&input.store_id, NodeType::Store, "input.storeId") {
            Ok(s) => s,
            Err(AppError::Invalid(e)) => {
                return Ok(ProductsImportPayload {
                    report: None,
                    row_errors: Vec::new(),
                    total_row_errors: 0,
                    user_errors: e.into_iter().map(Into::into).collect(),
                });
            }
            Err(e) => return Err(e).gql(),
        };
        let upload = input
            .file
            .value(ctx)
            .map_err(|_| {
                AppError::invalid(
                    &["input", "file"],
                    crate::error::ErrorCode::Invalid,
                    "the file could not be read",
                )
            })
            .gql()?;
        let outcome = import::import(svc, store, upload.into_read(), import::no_progress()).await;
        let (v, user_errors) = split(outcome)?;
        Ok(match v {
            Some(Outcome::Imported(r)) => ProductsImportPayload {
                report: Some(ProductImportReport {
                    rows: r.rows as i32,
                    categories_created: r.categories_created as i32,
                    products_created: r.products_created as i32,
                    products_updated: r.products_updated as i32,
                    skus_created: r.skus_created as i32,
                    skus_updated: r.skus_updated as i32,
                    rows_unchanged: r.rows_unchanged as i32,
                }),
                row_errors: Vec::new(),
                total_row_errors: 0,
                user_errors,
            },
            Some(Outcome::Rejected {
                errors,
                total_errors,
            }) => ProductsImportPayload {
                report: None,
                row_errors: errors
                    .into_iter()
                    .map(|e| ImportRowError {
                        row: e.row as i32,
                        column: e.column,
                        message: e.message,
                    })
                    .collect(),
                total_row_errors: total_errors as i32,
                user_errors: vec![UserErrorObject {
                    field: Some(vec!["input".into(), "file".into()]),
                    code: crate::error::ErrorCode::Invalid,
                    message: format!(
                        "the file has {total_errors} invalid cells; nothing was imported"
                    ),
                }],
            },
            None => ProductsImportPayload {
                report: None,
                row_errors: Vec::new(),
                total_row_errors: 0,
                user_errors,
            },
        })
    }
}

/// A phrase allowed in a store's copy although it contains listed terms (a trademark, a standard
/// grade, a provable dated claim such as "2023年天猫连衣裙类目销量第一"); hits inside it are dropped.
#[derive(Clone)]
pub struct ComplianceAllowlistEntry(pub entity::compliance_allowlist::Model);

/// A phrase allowed in a store's copy although it contains listed terms (a trademark, a standard
/// grade, a provable dated claim such as "2023年天猫连衣裙类目销量第一"); hits inside it are dropped.
#[Object]
impl ComplianceAllowlistEntry {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        gid(NodeType::ComplianceAllowlistEntry, self.0.id)
    }
    /// The allowed phrase.
    async fn phrase(&self) -> &str {
        &self.0.phrase
    }
    /// Why it is lawful.
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// When it was allowed.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

#[derive(Default)]
pub struct ComplianceQuery;

/// Compliance reads.
#[Object]
impl ComplianceQuery {
    /// A store's allow-listed phrases.
    async fn compliance_allowlist(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The store.")] store_id: ID,
    ) -> async_graphql::Result<Vec<ComplianceAllowlistEntry>> {
        let store = decode_id(&store_id, NodeType::Store, "storeId").gql()?;
        Ok(crate::service::compliance::list(svc(ctx)?, store)
            .await
            .gql()?
            .into_iter()
            .map(ComplianceAllowlistEntry)
            .collect())
    }
}

/// Input of `complianceAllowlistAdd`.
#[derive(InputObject)]
pub struct ComplianceAllowlistAddInput {
    /// The store.
    pub store_id: ID,
    /// The phrase (2–100 characters), as it appears in the copy.
    pub phrase: String,
    /// Why it is lawful (trademark, standard grade, dated provable claim, …).
    pub reason: String,
}

/// Input of `complianceAllowlistRemove`.
#[derive(InputObject)]
pub struct ComplianceAllowlistRemoveInput {
    /// The entry.
    pub id: ID,
}

/// Result of the allow-list mutations.
#[derive(SimpleObject)]
pub struct ComplianceAllowlistPayload {
    /// The entry added or removed; null when refused.
    pub entry: Option<ComplianceAllowlistEntry>,
    /// Why the change was refused; empty on success.
    pub user_errors: Vec<UserErrorObject>,
}

#[derive(Default)]
pub struct ComplianceMutation;

/// Compliance changes.
#[Object]
impl ComplianceMutation {
    /// Allows a phrase in the store's copy (COMPLIANCE_ALLOWLIST: directors; audited with the
    /// reason). The 2023 SAMR exemptions need human judgement, hence a director.
    async fn compliance_allowlist_add(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ComplianceAllowlistAddInput,
    ) -> async_graphql::Result<ComplianceAllowlistPayload> {
        let svc = svc(ctx)?;
        let res = match decode_id(&input.store_id, NodeType::Store, "input.storeId") {
            Ok(store) => {
                crate::service::compliance::add(svc, store, &input.phrase, &input.reason).await
            }
            Err(e) => Err(e),
        };
        let (entry, user_errors) = split(res)?;
        Ok(ComplianceAllowlistPayload {
            entry: entry.map(ComplianceAllowlistEntry),
            user_errors,
        })
    }

    /// Removes an allowed phrase (COMPLIANCE_ALLOWLIST).
    async fn compliance_allowlist_remove(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ComplianceAllowlistRemoveInput,
    ) -> async_graphql::Result<ComplianceAllowlistPayload> {
        let svc = svc(ctx)?;
        let res = match decode_id(&input.id, NodeType::ComplianceAllowlistEntry, "input.id") {
            Ok(id) => crate::service::compliance::remove(svc, id).await,
            Err(e) => Err(e),
        };
        let (entry, user_errors) = split(res)?;
        Ok(ComplianceAllowlistPayload {
            entry: entry.map(ComplianceAllowlistEntry),
            user_errors,
        })
    }
}
