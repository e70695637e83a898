use super::*;

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

/// Filters of `categories`.
#[derive(InputObject)]
pub struct CategoryFilter {
    /// The store (categories belong to one store).
    pub store_id: ID,
    /// Only the children of this category (default: every category of the store).
    pub parent_id: Option<ID>,
}
