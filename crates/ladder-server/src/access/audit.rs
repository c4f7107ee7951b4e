//! The people team's reading of the audit log: searched, with repeated
//! reads counted, and its exports recorded.

use super::{Access, PeopleTeam};
use crate::AppError;
use ladder_store::{AuditEvent, AuditFilter, Id};

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
        let ids: Vec<Id> = entries.iter().map(|e| e.id).collect();
        let repeats = self.store.audit_repeats(&ids).await?;
        Ok(entries
            .into_iter()
            .map(|e| {
                let (n, last) = repeats.get(&e.id).copied().unwrap_or((1, e.at));
                (e, n, last)
            })
            .collect())
    }
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
