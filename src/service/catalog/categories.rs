//! Categories and their attribute definitions.

use super::*;
use crate::service::kernel::write::write;

// ---------------------------------------------------------------------------------------------
// Categories

/// Input of `categoryCreate`.
#[derive(Debug, Clone)]
pub struct CategoryInput {
    pub store_id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub key_attributes: Vec<AttributeDef>,
    pub sales_attributes: Vec<AttributeDef>,
}

pub(crate) fn validate_defs(
    defs: &[AttributeDef],
    field: &'static str,
) -> Result<Vec<AttributeDef>, AppError> {
    let mut out: Vec<AttributeDef> = Vec::new();
    for (i, d) in defs.iter().enumerate() {
        let idx = i.to_string();
        let path = ["input", field, idx.as_str(), "name"];
        let name = text::required(&d.name, &path, "attribute name", 20)
            .map_err(|e| AppError::Invalid(vec![e]))?;
        if out.iter().any(|o| o.name == name) {
            return Err(invalid(
                &path,
                ErrorCode::Taken,
                format!("attribute {name} is defined twice"),
            ));
        }
        let mut values = Vec::new();
        for v in &d.values {
            let v = text::required(
                v,
                &["input", field, idx.as_str(), "values"],
                "attribute value",
                40,
            )
            .map_err(|e| AppError::Invalid(vec![e]))?;
            if v.contains([':', ';']) {
                return Err(invalid(
                    &["input", field, idx.as_str(), "values"],
                    ErrorCode::Invalid,
                    "values must not contain ':' or ';'",
                ));
            }
            if !values.contains(&v) {
                values.push(v);
            }
        }
        if name.contains([':', ';', '/']) {
            return Err(invalid(
                &path,
                ErrorCode::Invalid,
                "attribute names must not contain ':', ';' or '/'",
            ));
        }
        out.push(AttributeDef {
            name,
            required: d.required,
            values,
        });
    }
    Ok(out)
}

/// Finds a category in the viewer's scope.
pub async fn category_in_scope(
    conn: &impl ConnectionTrait,
    staff: &Staff,
    id: i64,
) -> Result<category::Model, AppError> {
    crate::service::kernel::scope::get_in_scope::<category::Entity>(conn, staff, id, false).await
}

/// `categoryCreate` (PRODUCT_EDIT_DRAFT in the store).
#[tracing::instrument(skip_all)]
pub async fn category_create(
    ctx: &ServiceCtx,
    input: CategoryInput,
) -> Result<category::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ProductEditDraft, Some(input.store_id))?;
    let name = text::required(&input.name, &["input", "name"], "name", 40)
        .map_err(|e| AppError::Invalid(vec![e]))?;
    if name.contains('/') {
        return Err(invalid(
            &["input", "name"],
            ErrorCode::Invalid,
            "category names must not contain '/'",
        ));
    }
    let key = validate_defs(&input.key_attributes, "keyAttributes")?;
    let sales = validate_defs(&input.sales_attributes, "salesAttributes")?;
    write(ctx, staff, async |txn| {
        store::Entity::find_by_id(input.store_id)
            .one(txn)
            .await?
            .ok_or(AppError::not_found("store"))?;
        let (path, depth) = match input.parent_id {
            Some(pid) => {
                let parent = category_in_scope(txn, staff, pid)
                    .await
                    .ok()
                    .filter(|p| p.store_id == input.store_id)
                    .ok_or_else(|| {
                        invalid(
                            &["input", "parentId"],
                            ErrorCode::NotFound,
                            "parent category not found in this store",
                        )
                    })?;
                let has_products = product::Entity::find()
                    .filter(product::Column::CategoryId.eq(pid))
                    .count(txn)
                    .await?
                    > 0;
                if has_products {
                    return Err(invalid(
                        &["input", "parentId"],
                        ErrorCode::Invalid,
                        "the parent category holds products; products are listed only in leaf categories",
                    ));
                }
                (format!("{}/{}", parent.path, name), parent.depth + 1)
            }
            None => (name.clone(), 1),
        };
        let at = ctx.now();
        let model = category::ActiveModel {
            store_id: Set(input.store_id),
            parent_id: Set(input.parent_id),
            name: Set(name),
            path: Set(path),
            depth: Set(depth),
            key_attributes_json: Set(serde_json::to_string(&key).unwrap_or_else(|_| "[]".into())),
            sales_attributes_json: Set(serde_json::to_string(&sales).unwrap_or_else(|_| "[]".into())),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        }
        .insert(txn)
        .await
        .map_err(|e| {
            on_unique(e, "ux_category_path", "category.path", || {
                invalid(
                    &["input", "name"],
                    ErrorCode::Taken,
                    "a category with this path exists in the store",
                )
            })
        })?;
        let entry = audit::Entry {
                action: "category.create",
                target_type: "Category",
                target_id: Some(model.id),
                store_id: Some(model.store_id),
                after: Some(
                    json!({ "path": model.path, "keyAttributes": key, "salesAttributes": sales }),
                ),
                ..Default::default()
            };
        Ok((model, entry))
    })
    .await
}

/// One category in the viewer's scope.
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn category_get(ctx: &ServiceCtx, id: i64) -> Result<category::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ProductView, None)?;
    category_in_scope(&ctx.db, staff, id).await
}

/// `categories` of a store, by path (tree order).
#[tracing::instrument(skip_all, fields(store.id = store_id))]
pub async fn category_list(
    ctx: &ServiceCtx,
    store_id: i64,
    parent_id: Option<i64>,
    window: page::Window<'_>,
) -> Result<Page<category::Entity>, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ProductView, Some(store_id))?;
    let args = PageArgs::parse(window, false, "PATH")?;
    let mut q = category::Entity::find().filter(category::Column::StoreId.eq(store_id));
    if let Some(p) = parent_id {
        q = q.filter(category::Column::ParentId.eq(p));
    }
    page::fetch(
        &ctx.db,
        q,
        ("PATH", category::Column::Path, |m| {
            CursorKey::Text(m.path.clone())
        }),
        category::Column::Id,
        |m| m.id,
        &args,
    )
    .await
}

/// Categories by id within scope (loader).
#[tracing::instrument(skip_all)]
pub async fn categories_by_ids(
    ctx: &ServiceCtx,
    ids: &[i64],
) -> Result<Vec<category::Model>, AppError> {
    let staff = ctx.viewer.staff_pending_password()?;
    crate::service::kernel::scope::by_ids_in_scope::<category::Entity>(&ctx.db, staff, ids).await
}

/// Input of `categoryUpdate`; `None` keeps the value.
#[derive(Debug, Clone, Default)]
pub struct CategoryUpdate {
    pub name: Option<String>,
    pub key_attributes: Option<Vec<AttributeDef>>,
    pub sales_attributes: Option<Vec<AttributeDef>>,
}

/// `categoryUpdate` (PRODUCT_REVIEW): rename (paths below follow) or replace attribute
/// definitions. Sales attributes and values that SKUs of the category use cannot be dropped.
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn category_update(
    ctx: &ServiceCtx,
    id: i64,
    input: CategoryUpdate,
) -> Result<category::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    write(ctx, staff, async |txn| {
        let before = category_in_scope(txn, staff, id).await?;
        staff.require(Permission::ProductReview, Some(before.store_id))?;
        let mut m: category::ActiveModel = before.clone().into();
        if let Some(defs) = &input.key_attributes {
            m.key_attributes_json = Set(
                serde_json::to_string(&validate_defs(defs, "keyAttributes")?)
                    .unwrap_or_else(|_| "[]".into()),
            );
        }
        if let Some(defs) = &input.sales_attributes {
            let defs = validate_defs(defs, "salesAttributes")?;
            values_in_use_stay_defined(txn, id, &defs).await?;
            m.sales_attributes_json = Set(serde_json::to_string(&defs).unwrap_or_else(|_| "[]".into()));
        }
        let mut new_path = before.path.clone();
        if let Some(name) = &input.name {
            let name = text::required(name, &["input", "name"], "name", 40)
                .map_err(|e| AppError::Invalid(vec![e]))?;
            if name.contains('/') {
                return Err(invalid(
                    &["input", "name"],
                    ErrorCode::Invalid,
                    "category names must not contain '/'",
                ));
            }
            new_path = match before.path.rsplit_once('/') {
                Some((parent, _)) => format!("{parent}/{name}"),
                None => name.clone(),
            };
            m.name = Set(name);
            m.path = Set(new_path.clone());
        }
        m.updated_at = Set(ctx.now());
        let taken = || {
            invalid(
                &["input", "name"],
                ErrorCode::Taken,
                "a category with this path exists in the store",
            )
        };
        let model = m
            .update(txn)
            .await
            .map_err(|e| on_unique(e, "ux_category_path", "category.path", taken))?;
        if new_path != before.path {
            // Descendants' paths follow: new prefix + the rest.
            let stmt = db::raw(
                txn.get_database_backend(),
                "UPDATE category SET path = ? || substr(path, ?) WHERE store_id = ? AND path LIKE ? ESCAPE '!'",
                vec![
                    new_path.clone().into(),
                    (before.path.chars().count() as i32 + 1).into(),
                    before.store_id.into(),
                    format!(
                        "{}/%",
                        before
                            .path
                            .replace('!', "!!")
                            .replace('%', "!%")
                            .replace('_', "!_")
                    )
                    .into(),
                ],
            );
            txn.execute_raw(stmt).await.map_err(|e| {
                if e.sql_err().is_some() {
                    taken()
                } else {
                    e.into()
                }
            })?;
        }
        let entry = audit::Entry {
            action: "category.update", target_type: "Category", target_id: Some(id), store_id: Some(before.store_id),
            before: Some(json!({ "path": before.path, "keyAttributes": parse_defs(&before.key_attributes_json, id)?, "salesAttributes": parse_defs(&before.sales_attributes_json, id)? })),
            after: Some(json!({ "path": model.path, "keyAttributes": parse_defs(&model.key_attributes_json, id)?, "salesAttributes": parse_defs(&model.sales_attributes_json, id)? })),
            ..Default::default()
        };
        Ok((model, entry))
    })
    .await
}

/// Every sales-attribute value the category's SKUs use must stay defined.
async fn values_in_use_stay_defined(
    txn: &impl ConnectionTrait,
    id: i64,
    defs: &[AttributeDef],
) -> Result<(), AppError> {
    let used = sku::Entity::find()
        .filter(
            sku::Column::ProductId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(product::Column::Id)
                    .from(product::Entity)
                    .and_where(product::Column::CategoryId.eq(id))
                    .to_owned(),
            ),
        )
        .all(txn)
        .await?;
    for s in &used {
        for pair in s.attributes_key.split(';').filter(|p| !p.is_empty()) {
            let Some((k, v)) = pair.split_once('=') else {
                continue;
            };
            let kept = defs
                .iter()
                .any(|d| d.name == k && (d.values.is_empty() || d.values.iter().any(|x| x == v)));
            if !kept {
                return Err(invalid(
                    &["input", "salesAttributes"],
                    ErrorCode::Invalid,
                    format!(
                        "{k}: {v} is used by SKU {}; deactivate or regenerate its SKUs first",
                        s.code
                    ),
                ));
            }
        }
    }
    Ok(())
}
