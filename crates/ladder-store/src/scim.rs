//! SCIM provisioning: the clients identity providers connect as, and what
//! they say of each person beyond the directory.

use crate::{Id, Record, Result};
use ladder_org::PersonRecord;
use serde::{Deserialize, Serialize};

/// A provisioning client: one identity provider connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScimClient {
    pub id: Id,
    pub name: String,
    pub created_at: i64,
    pub created_by: Option<Id>,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

/// What provisioning says of a person beyond the directory.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScimLink {
    pub person_id: Id,
    /// The provider's id for the person.
    pub external_id: Option<String>,
    pub user_name: String,
    pub employee_number: Option<String>,
    /// A manager named (by id, externalId, userName or email) before they
    /// existed; set as the manager when they arrive.
    pub pending_manager: Option<String>,
    /// The provider deleted them: inactive, and no longer shown to SCIM.
    pub deleted: bool,
    /// A level the provider sent that differs from Ladder's.
    pub refused_level: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The SCIM part of the [`Store`](crate::Store).
#[async_trait::async_trait]
pub trait ScimStore: Send + Sync {
    async fn create_scim_client(
        &self,
        name: &str,
        token_hash: &str,
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<Id>;
    /// Every client, newest first, revoked ones too.
    async fn scim_clients(&self) -> Result<Vec<ScimClient>>;
    /// Revokes a client; `Refused` if it is revoked already.
    async fn revoke_scim_client(&self, id: Id, now: i64, rec: &Record) -> Result<()>;
    /// The client a token belongs to, if it is not revoked; notes the use
    /// (at most once a minute).
    async fn scim_client_by_token(&self, token_hash: &str, now: i64) -> Result<Option<ScimClient>>;

    /// Every link, by person id.
    async fn scim_links(&self) -> Result<Vec<ScimLink>>;
    /// Writes a person as provisioning sent them, in one transaction: the
    /// directory record (created or updated as a people import would,
    /// role changes effective `effective`), the link (its `person_id` is
    /// filled in), and every person whose pending manager names this one
    /// (by id, externalId, userName or email) gets them as manager. The
    /// record's `manager_email`, if any, must be a person that exists.
    /// Returns the person's id.
    #[allow(clippy::too_many_arguments)]
    async fn scim_write(
        &self,
        person: &PersonRecord,
        link: &ScimLink,
        effective: &str,
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<Id>;
    /// Gives a role (`admin`, `people`, `editor`) to the accounts of the
    /// people in `on` (making an account, single sign-on only, for those
    /// without one: (email, name)) and takes it from the accounts with the
    /// emails in `off`, all in one transaction.
    async fn scim_set_role(
        &self,
        role: &str,
        on: &[(String, String)],
        off: &[String],
        now: i64,
        rec: &Record,
    ) -> Result<()>;
    /// Notes (or clears, with `None`) a level provisioning sent that
    /// Ladder refused, for the people team.
    async fn set_refused_level(
        &self,
        person: Id,
        level: Option<&str>,
        now: i64,
        rec: &Record,
    ) -> Result<()>;
}
