//! The viewer cache: who a valid access token belongs to (role, stores, when their password last
//! changed), kept in memory so an authenticated request needs no database round trip.
//!
//! Exactness: every change that affects a viewer (deactivation, role, password change or reset,
//! store assignment) evicts them. Within a process the service that made the change evicts after
//! its commit, before it answers. Across processes on PostgreSQL, triggers on `staff` and
//! `staff_store` send `NOTIFY zhanggui_staff, '<id>'` on commit and every server listens: the
//! eviction lands as soon as the listener task runs (normally before the client's next request;
//! a few milliseconds later on a starved machine); while its listening
//! connection is down a server bypasses the cache, and it forgets everything when the connection
//! comes back (notifications sent meanwhile are lost). A load racing an eviction never stores
//! what it read: an entry is kept only if no eviction happened since the load began (`epoch`).
//! SQLite is served by one process, so in-process eviction is exact there.

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use chrono::{DateTime, Utc};

use crate::auth::Staff;

/// The channel the PostgreSQL triggers notify.
pub const CHANNEL: &str = "zhanggui_staff";

/// Entries at most; beyond it the cache starts over (a company has far fewer staff).
const CAPACITY: usize = 10_000;

/// A cached viewer: the staff member as a request sees them, and their last password change
/// (tokens issued before it are void).
#[derive(Debug, Clone)]
pub struct Entry {
    pub staff: Staff,
    pub password_changed_at: DateTime<Utc>,
}

#[derive(Debug)]
pub struct ViewerCache {
    entries: RwLock<HashMap<i64, Entry>>,
    epoch: AtomicU64,
    live: AtomicBool,
}

impl ViewerCache {
    /// A cache that is in use from the start (SQLite, or tests).
    pub fn live() -> Self {
        Self {
            entries: RwLock::new(HashMap::new()),
            epoch: AtomicU64::new(0),
            live: AtomicBool::new(true),
        }
    }

    /// A cache that serves nothing until its invalidation channel is up (PostgreSQL).
    pub fn waiting() -> Self {
        let cache = Self::live();
        cache.live.store(false, Ordering::SeqCst);
        cache
    }

    /// The cached viewer `id`, if the cache is in use and holds them.
    pub fn get(&self, id: i64) -> Option<Entry> {
        if !self.live.load(Ordering::SeqCst) {
            return None;
        }
        self.entries.read().ok()?.get(&id).cloned()
    }

    /// The epoch to pass to [`ViewerCache::insert`] for a load that starts now.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// Keeps `entry` unless something was evicted since `epoch` (the load may be stale).
    pub fn insert(&self, epoch: u64, entry: Entry) {
        if !self.live.load(Ordering::SeqCst) {
            return;
        }
        let Ok(mut entries) = self.entries.write() else {
            return;
        };
        if self.epoch.load(Ordering::SeqCst) != epoch {
            return;
        }
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(entry.staff.id, entry);
    }

    /// Forgets viewer `id` (after a change to them).
    pub fn evict(&self, id: i64) {
        if let Ok(mut entries) = self.entries.write() {
            self.epoch.fetch_add(1, Ordering::SeqCst);
            entries.remove(&id);
        }
    }

    /// Forgets everyone; `live` says whether the cache may serve again.
    pub fn reset(&self, live: bool) {
        if let Ok(mut entries) = self.entries.write() {
            self.epoch.fetch_add(1, Ordering::SeqCst);
            entries.clear();
        }
        self.live.store(live, Ordering::SeqCst);
    }
}

/// Listens for staff changes of other processes on PostgreSQL and evicts accordingly, for as
/// long as the process runs.
pub fn listen(url: String, cache: std::sync::Arc<ViewerCache>) {
    use sea_orm::sqlx::postgres::PgListener;
    tokio::spawn(async move {
        loop {
            let mut listener = match PgListener::connect(&url).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "viewer cache: cannot listen for staff changes");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    continue;
                }
            };
            if let Err(e) = listener.listen(CHANNEL).await {
                tracing::warn!(error = %e, "viewer cache: LISTEN failed");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                continue;
            }
            // Subscribed: changes made from now on arrive; forget what may have been missed.
            cache.reset(true);
            loop {
                match listener.try_recv().await {
                    Ok(Some(n)) => match n.payload().parse::<i64>() {
                        Ok(id) => cache.evict(id),
                        Err(_) => cache.reset(true),
                    },
                    Ok(None) | Err(_) => {
                        // The connection is gone: serve from the database until it is back.
                        cache.reset(false);
                        break;
                    }
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn entry(id: i64) -> Entry {
        Entry {
            staff: Staff {
                id,
                username: format!("u{id}"),
                role: Role::Specialist,
                stores: vec![1],
                must_change_password: false,
            },
            password_changed_at: Utc::now(),
        }
    }

    #[test]
    fn a_load_that_raced_an_eviction_is_not_kept() {
        let cache = ViewerCache::live();
        let epoch = cache.epoch();
        cache.evict(7);
        cache.insert(epoch, entry(7));
        assert!(cache.get(7).is_none());
        cache.insert(cache.epoch(), entry(7));
        assert!(cache.get(7).is_some());
        cache.evict(7);
        assert!(cache.get(7).is_none());
    }

    #[test]
    fn a_waiting_cache_serves_nothing_until_reset_live() {
        let cache = ViewerCache::waiting();
        cache.insert(cache.epoch(), entry(1));
        assert!(cache.get(1).is_none());
        cache.reset(true);
        cache.insert(cache.epoch(), entry(1));
        assert!(cache.get(1).is_some());
        cache.reset(false);
        assert!(cache.get(1).is_none());
    }
}
