//! Member edits: profile fields and tags.

use super::*;
use crate::service::kernel::write::write;

/// Input of `memberUpdate`; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct MemberUpdate {
    pub id: i64,
    pub nick: Option<String>,
    /// `Some("")` clears the note.
    pub note: Option<String>,
    pub tags: Option<Vec<String>>,
}

pub(crate) fn clean_tags(tags: &[String]) -> Result<Vec<String>, AppError> {
    let mut out: Vec<String> = Vec::new();
    for (i, t) in tags.iter().enumerate() {
        let idx = i.to_string();
        let t = text::required(t, &["input", "tags", &idx], "a tag", 20)
            .map_err(|e| AppError::Invalid(vec![e]))?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    if out.len() > 20 {
        return Err(AppError::invalid(
            &["input", "tags"],
            ErrorCode::Invalid,
            "a member has at most 20 tags",
        ));
    }
    Ok(out)
}

/// The member's tags, in name order.
pub async fn tags_of(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<String>>, AppError> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for t in member_tag::Entity::find()
        .filter(member_tag::Column::MemberId.is_in(ids.to_vec()))
        .all(conn)
        .await?
    {
        out.entry(t.member_id).or_default().push(t.tag);
    }
    for v in out.values_mut() {
        v.sort();
    }
    Ok(out)
}

pub(crate) async fn replace_tags(
    conn: &impl ConnectionTrait,
    m: &member::Model,
    tags: &[String],
) -> Result<(), AppError> {
    member_tag::Entity::delete_many()
        .filter(member_tag::Column::MemberId.eq(m.id))
        .exec(conn)
        .await?;
    if !tags.is_empty() {
        member_tag::Entity::insert_many(tags.iter().map(|t| member_tag::ActiveModel {
            member_id: Set(m.id),
            tag: Set(t.clone()),
            store_id: Set(m.store_id),
        }))
        .exec(conn)
        .await?;
    }
    Ok(())
}

/// `memberUpdate` (MEMBER_EDIT): nickname (directors and specialists), note and tags (everyone
/// with MEMBER_EDIT).
#[tracing::instrument(skip_all)]
pub async fn update(ctx: &ServiceCtx, input: MemberUpdate) -> Result<member::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    let access = staff.require(Permission::MemberEdit, None)?;
    if input.nick.is_some() && access == Access::Limited {
        return Err(AppError::Forbidden(crate::error::ForbiddenReason::Other(
            "assistants may edit members' tags and notes, not nicknames",
        )));
    }
    let nick = input
        .nick
        .as_deref()
        .map(|n| text::required(n, &["input", "nick"], "nick", 64))
        .transpose()
        .map_err(|e| AppError::Invalid(vec![e]))?;
    let note = match input.note.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(n) => Some(Some(
            text::required(n, &["input", "note"], "note", 1000)
                .map_err(|e| AppError::Invalid(vec![e]))?,
        )),
    };
    let tags = input.tags.as_deref().map(clean_tags).transpose()?;
    write(ctx, staff, async |txn| {
        let m = member_for_update(txn, staff, input.id).await?;
        let before_tags = tags_of(txn, &[m.id])
            .await?
            .remove(&m.id)
            .unwrap_or_default();
        let mut am: member::ActiveModel = m.clone().into();
        if let Some(n) = &nick {
            am.nick = Set(n.clone());
        }
        if let Some(n) = &note {
            am.note = Set(n.clone());
        }
        am.updated_at = Set(ctx.now());
        let after = am.update(txn).await?;
        if let Some(t) = &tags {
            replace_tags(txn, &m, t).await?;
        }
        let entry = audit::Entry {
            action: "member.update", target_type: "Member", target_id: Some(m.id), store_id: Some(m.store_id),
            before: Some(json!({ "nick": m.nick, "note": m.note.is_some(), "tags": before_tags })),
            after: Some(json!({ "nick": after.nick, "note": after.note.is_some(), "tags": tags.unwrap_or(before_tags) })),
            ..Default::default()
        };
        Ok((after, entry))
    })
    .await
}

/// `memberTagsSet` (MEMBER_EDIT): adds and removes tags on many members of one store at once.
#[tracing::instrument(skip_all)]
pub async fn tags_set(
    ctx: &ServiceCtx,
    ids: &[i64],
    add: &[String],
    remove: &[String],
) -> Result<Vec<member::Model>, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::MemberEdit, None)?;
    if ids.is_empty() || ids.len() > 100 {
        return Err(AppError::invalid(
            &["input", "memberIds"],
            ErrorCode::Invalid,
            "give 1 to 100 members",
        ));
    }
    let add = clean_tags(add)?;
    let remove = clean_tags(remove)?;
    if add.is_empty() && remove.is_empty() {
        return Err(AppError::invalid(
            &["input", "add"],
            ErrorCode::Blank,
            "give tags to add or to remove",
        ));
    }
    write(ctx, staff, async |txn| {
        // Lock the members in id order (no deadlock between overlapping calls) before reading
        // their tags: concurrent edits of one member queue instead of overwriting each other.
        // One statement; a member outside the viewer's stores is as missing as one that is not.
        use sea_orm::QueryOrder;
        let members: Vec<member::Model> = member::Entity::find()
            .filter(member::Column::Id.is_in(ids.to_vec()))
            .order_by_asc(member::Column::Id)
            .lock_exclusive()
            .all(txn)
            .await?
            .into_iter()
            .filter(|m| staff.sees_store(m.store_id))
            .collect();
        if ids.iter().any(|id| !members.iter().any(|m| m.id == *id)) {
            return Err(AppError::not_found("member"));
        }
        let mut entries = Vec::new();
        let member_ids: Vec<i64> = members.iter().map(|m| m.id).collect();
        let current = tags_of(txn, &member_ids).await?;
        for m in &members {
            let i = ids.iter().position(|id| *id == m.id).unwrap_or_default();
            let mut tags = current.get(&m.id).cloned().unwrap_or_default();
            tags.retain(|t| !remove.contains(t));
            for t in &add {
                if !tags.contains(t) {
                    tags.push(t.clone());
                }
            }
            if tags.len() > 20 {
                return Err(AppError::invalid(
                    &["input", "memberIds", &i.to_string()],
                    ErrorCode::Invalid,
                    "a member has at most 20 tags",
                ));
            }
            replace_tags(txn, m, &tags).await?;
            entries.push(audit::Entry {
                action: "member.tagsSet",
                target_type: "Member",
                target_id: Some(m.id),
                store_id: Some(m.store_id),
                before: Some(json!({ "tags": current.get(&m.id).cloned().unwrap_or_default() })),
                after: Some(json!({ "tags": tags })),
                ..Default::default()
            });
        }
        // Answer in the order asked.
        let answer = ids
            .iter()
            .filter_map(|id| members.iter().find(|m| m.id == *id).cloned())
            .collect();
        Ok((answer, entries))
    })
    .await
}
