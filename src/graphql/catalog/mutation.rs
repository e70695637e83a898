use super::*;

pub(crate) fn content(input: ProductContentInput) -> Result<cat::ProductContent, AppError> {
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

pub(crate) fn product_payload(
    res: Result<product::Model, AppError>,
) -> async_graphql::Result<ProductPayload> {
    let (p, user_errors) = split(res)?;
    Ok(ProductPayload {
        product: p.map(Product),
        user_errors,
    })
}

pub(crate) async fn transition(
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

#[derive(Default)]
pub struct CatalogMutation;

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
}
