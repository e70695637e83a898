use super::*;
use crate::graphql::kernel::{RelayPage, relay_pages};

/// One RFM segment's figures.
pub struct SegmentFigures {
    row: members::SegmentRow,
    store_id: i64,
    as_of: chrono::NaiveDate,
    total_members: i64,
    total_spend: i64,
}

/// One RFM segment's figures.
#[relay_pages]
#[Object]
impl SegmentFigures {
    /// The segment.
    async fn segment(&self) -> Option<MemberSegment> {
        Segment::parse(&self.row.segment).map(Into::into)
    }
    /// Members in it.
    async fn member_count(&self) -> i64 {
        self.row.members
    }
    /// Its share of members with a purchase (fraction; null when there are none).
    async fn member_share(&self) -> Option<f64> {
        ratio(self.row.members, self.total_members)
    }
    /// Its members' net spend in the window.
    async fn net_spend(&self) -> Money {
        Money(Fen(self.row.monetary))
    }
    /// Share of revenue: its net spend / all members' net spend in the window (fraction; null
    /// when nothing was spent).
    async fn revenue_share(&self) -> Option<f64> {
        ratio(self.row.monetary, self.total_spend)
    }
    /// Its members.
    async fn members(
        &self,
        ctx: &Context<'_>,
        page: RelayPage,
        #[graphql(desc = "Ordering (default ID).")] sort_key: Option<MemberSortKey>,
        #[graphql(desc = "Descending instead of ascending.", default)] reverse: bool,
    ) -> async_graphql::Result<MemberConnection> {
        let Some(seg) = Segment::parse(&self.row.segment) else {
            return Err(AppError::not_found("segment")).gql();
        };
        let filter = members::MemberFilter {
            store_id: Some(self.store_id),
            segment: Some(seg),
            segment_as_of: Some(self.as_of),
            ..Default::default()
        };
        let w = page.window();
        members::list(svc(ctx)?, filter, sort(sort_key), w, reverse)
            .await
            .map(MemberConnection)
            .gql()
    }
}

pub(crate) fn sort(k: Option<MemberSortKey>) -> members::MemberSort {
    match k.unwrap_or(MemberSortKey::Id) {
        MemberSortKey::Id => members::MemberSort::Id,
        MemberSortKey::LastOrderAt => members::MemberSort::LastOrderAt,
        MemberSortKey::TotalPaid => members::MemberSort::TotalPaid,
        MemberSortKey::Points => members::MemberSort::Points,
    }
}

/// Repurchase figures of a window (复购), counted in purchases (a buyer's paid orders of one
/// day are one purchase).
#[derive(SimpleObject)]
pub struct RepurchaseFigures {
    /// First day of the window (store time zone).
    pub from: Date,
    /// Last day of the window.
    pub to: Date,
    /// Buyers with at least one purchase in the window.
    pub buyers: i64,
    /// Buyers with at least two purchases (days) in the window.
    pub repeat_buyers: i64,
    /// 复购率 = repeat buyers / buyers (fraction; null without buyers).
    pub rate: Option<f64>,
}

/// RFM segmentation of a store's members as of a day (window: the 365 days ending on it).
pub struct MemberSegmentReport(pub(crate) members::SegmentReport);

/// RFM segmentation of a store's members as of a day (window: the 365 days ending on it).
#[Object]
impl MemberSegmentReport {
    /// The store.
    async fn store(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Store>> {
        store_by_id(ctx, self.0.store_id).await
    }
    /// The day (store time zone).
    async fn as_of(&self) -> Date {
        Date(self.0.as_of)
    }
    /// First day of the 365-day window ending on asOf.
    async fn window_start(&self) -> Date {
        Date(self.0.window_start)
    }
    /// Members with at least one purchase by asOf (every one is in exactly one segment).
    async fn member_count(&self) -> i64 {
        self.0.members
    }
    /// Their net spend in the window.
    async fn net_spend(&self) -> Money {
        Money(Fen(self.0.monetary))
    }
    /// The seven segments, in rule order (zero counts included).
    async fn segments(&self) -> Vec<SegmentFigures> {
        self.0
            .rows
            .iter()
            .map(|r| SegmentFigures {
                row: r.clone(),
                store_id: self.0.store_id,
                as_of: self.0.as_of,
                total_members: self.0.members,
                total_spend: self.0.monetary,
            })
            .collect()
    }
    /// Repurchase in the same window.
    async fn repurchase(&self) -> RepurchaseFigures {
        let r = self.0.repurchase;
        RepurchaseFigures {
            from: Date(self.0.window_start),
            to: Date(self.0.as_of),
            buyers: r.buyers,
            repeat_buyers: r.repeat_buyers,
            rate: ratio(r.repeat_buyers, r.buyers),
        }
    }
}
