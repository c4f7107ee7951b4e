//! The people team's reading of the audit log: searched, with repeated
//! reads counted, and its exports recorded.

use super::PeopleTeam;
use crate::AppError;
use ladder_store::{AuditEvent, Id};

impl PeopleTeam<'_> {
    /// Audit entries matching `filter`, newest first, with the repeated
    /// reads each one counts: (entry, reads in all, last read).
    pub async fn audit_log(
        &self,
        filter: &ladder_store::AuditFilter,
        before: Option<Id>,
        limit: i64,
    ) -> Result<Vec<(AuditEvent, i64, i64)>, AppError> {
        let store = &self.access.store;
        let entries = store.audit_search(filter, before, limit).await?;
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
