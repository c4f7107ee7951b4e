//! The people team's reading of the audit log: searched, with repeated
//! reads counted, and its exports recorded.

use super::{Access, PeopleTeam};
use crate::AppError;
use ladder_store::{AuditEvent, AuditFilter, Id, Store};
use std::sync::Arc;

/// How many entries a read of the whole log takes at a time.
const BATCH: i64 = 1000;

impl Access {
    /// Every entry matching `filter`, newest first, read a batch at a time.
    pub(super) async fn audit_every(
        &self,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditEvent>, AppError> {
        let mut out = Vec::new();
        let mut before = None;
        loop {
            let page = self.store.audit_search(filter, before, BATCH).await?;
            let full = page.len() == usize::try_from(BATCH).unwrap_or(usize::MAX);
            before = page.last().map(|e| e.id);
            out.extend(page);
            if !full {
                return Ok(out);
            }
        }
    }

    /// The entries with the repeated reads each one counts: (entry, reads
    /// in all, last read).
    async fn with_repeats(
        &self,
        entries: Vec<AuditEvent>,
    ) -> Result<Vec<(AuditEvent, i64, i64)>, AppError> {
        with_repeats(self.store.as_ref(), entries).await
    }
}

async fn with_repeats(
    store: &dyn Store,
    entries: Vec<AuditEvent>,
) -> Result<Vec<(AuditEvent, i64, i64)>, AppError> {
    let ids: Vec<Id> = entries.iter().map(|e| e.id).collect();
    let repeats = store.audit_repeats(&ids).await?;
    Ok(entries
        .into_iter()
        .map(|e| {
            let (n, last) = repeats.get(&e.id).copied().unwrap_or((1, e.at));
            (e, n, last)
        })
        .collect())
}

/// What [`PeopleTeam::audit_stream`] remembers between batches: where the
/// next one starts, and whether the last was the end.
struct Reading {
    store: Arc<dyn Store>,
    filter: AuditFilter,
    before: Option<Id>,
    done: bool,
}

impl PeopleTeam<'_> {
    /// Audit entries matching `filter`, newest first, with the repeated
    /// reads each one counts: (entry, reads in all, last read).
    pub async fn audit_log(
        &self,
        filter: &AuditFilter,
        before: Option<Id>,
        limit: i64,
    ) -> Result<Vec<(AuditEvent, i64, i64)>, AppError> {
        let entries = self
            .access
            .store
            .audit_search(filter, before, limit)
            .await?;
        self.access.with_repeats(entries).await
    }

    /// Every entry matching `filter`, newest first, with the repeated
    /// reads each counts, read a batch at a time as the stream is polled:
    /// an export of a log of any length holds one batch in memory.
    pub fn audit_stream(
        &self,
        filter: AuditFilter,
    ) -> impl futures_util::Stream<Item = Result<Vec<(AuditEvent, i64, i64)>, AppError>>
    + Send
    + 'static
    + use<> {
        let start = Reading {
            store: Arc::clone(&self.access.store),
            filter,
            before: None,
            done: false,
        };
        futures_util::stream::unfold(start, |r| async move {
            if r.done {
                return None;
            }
            let batch = async {
                let page = r.store.audit_search(&r.filter, r.before, BATCH).await?;
                let full = page.len() == usize::try_from(BATCH).unwrap_or(usize::MAX);
                let last = page.last().map(|e| e.id);
                Ok::<_, AppError>((with_repeats(r.store.as_ref(), page).await?, full, last))
            }
            .await;
            match batch {
                Ok((rows, _, _)) if rows.is_empty() => None,
                Ok((rows, full, last)) => Some((
                    Ok(rows),
                    Reading {
                        before: last,
                        done: !full,
                        ..r
                    },
                )),
                Err(e) => Some((Err(e), Reading { done: true, ..r })),
            }
        })
    }

    /// Every entry matching `filter`, for an export, as [`Self::audit_log`]
    /// gives a page.
    pub async fn audit_all(
        &self,
        filter: &AuditFilter,
    ) -> Result<Vec<(AuditEvent, i64, i64)>, AppError> {
        let entries = self.access.audit_every(filter).await?;
        self.access.with_repeats(entries).await
    }

    /// Records an export of the audit log.
    pub async fn exported(&self, detail: &str, now: i64) -> Result<(), AppError> {
        self.access
            .audit(self.viewer, "audit.export", None, detail, now)
            .await
    }

    /// The account with this email, to filter the log by who acted.
    pub async fn account_id(&self, email: &str) -> Result<Option<Id>, AppError> {
        Ok(self
            .access
            .store
            .account_by_email(&email.trim().to_lowercase())
            .await?
            .map(|a| a.id))
    }
}
