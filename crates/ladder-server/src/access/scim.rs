//! The provisioning capability: what a SCIM client (an identity provider,
//! authenticated by its own bearer token) may read and write: the
//! directory, and nothing else. Admins make and revoke the clients.

use super::{Access, Viewer};
use crate::AppError;
use crate::auth::{random_token, token_hash};
use ladder_org::PersonRecord;
use ladder_store::{Id, Person, Record, ScimClient, ScimLink};

impl Access {
    /// The provisioning client a bearer token belongs to, if it is live.
    pub async fn provisioning(&self, token: &str, now: i64) -> Result<Provisioning<'_>, AppError> {
        let client = self
            .store
            .scim_client_by_token(&token_hash(token), now)
            .await?
            .ok_or(AppError::NotSignedIn)?;
        Ok(Provisioning {
            access: self,
            client,
        })
    }

    /// Admins: the provisioning clients, newest first.
    pub async fn scim_clients(&self, v: &Viewer) -> Result<Vec<ScimClient>, AppError> {
        if !v.roles().admin {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.scim_clients().await?)
    }

    /// Admins: makes a provisioning client; its token is shown once.
    pub async fn create_scim_client(
        &self,
        v: &Viewer,
        name: &str,
        now: i64,
    ) -> Result<String, AppError> {
        if !v.roles().admin {
            return Err(AppError::Forbidden);
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::BadRequest(
                "name: name the client (e.g. `Okta`), up to 100 characters".to_owned(),
            ));
        }
        let token = format!("ladder_scim_{}", random_token()?);
        self.store
            .create_scim_client(
                name,
                &token_hash(&token),
                Some(v.account.id),
                now,
                &Access::record(v, "scim.client.create", None, name, now),
            )
            .await?;
        Ok(token)
    }

    /// Admins: revokes a provisioning client; its token is refused at once.
    pub async fn revoke_scim_client(&self, v: &Viewer, id: Id, now: i64) -> Result<(), AppError> {
        if !v.roles().admin {
            return Err(AppError::Forbidden);
        }
        self.store
            .revoke_scim_client(
                id,
                now,
                &Access::record(v, "scim.client.revoke", None, "", now),
            )
            .await
            .map_err(|e| match e {
                ladder_store::StoreError::Refused(m) => AppError::BadRequest(m),
                other => other.into(),
            })
    }
}

/// A live provisioning client.
#[derive(Debug)]
pub struct Provisioning<'a> {
    access: &'a Access,
    pub client: ScimClient,
}

impl Provisioning<'_> {
    /// The record of a write by this client: its audit entry names it.
    pub fn record(&self, action: &str, subject: Option<Id>, detail: &str, now: i64) -> Record {
        let mut r = Record::system(now, action, subject, detail);
        r.audit.actor = format!("scim:{}", self.client.name);
        r
    }

    /// Everyone in the directory and every provisioning link.
    pub async fn directory(&self) -> Result<(Vec<Person>, Vec<ScimLink>), AppError> {
        Ok((
            self.access.store.list_people().await?,
            self.access.store.scim_links().await?,
        ))
    }

    /// Writes a person as checked by the SCIM service, with their link.
    pub async fn write(
        &self,
        person: &PersonRecord,
        link: &ScimLink,
        effective: &str,
        rec: &Record,
        now: i64,
    ) -> Result<Id, AppError> {
        Ok(self
            .access
            .store
            .scim_write(person, link, effective, None, now, rec)
            .await?)
    }

    /// Notes a level provisioning sent and Ladder refused (or clears it).
    pub async fn refused_level(
        &self,
        person: Id,
        level: Option<&str>,
        now: i64,
    ) -> Result<(), AppError> {
        let detail = level.unwrap_or("cleared");
        let rec = self.record("scim.level_refused", Some(person), detail, now);
        self.access
            .store
            .set_refused_level(person, level, now, &rec)
            .await?;
        Ok(())
    }
}

impl Provisioning<'_> {
    /// Every account (for the role groups).
    pub async fn accounts(&self) -> Result<Vec<ladder_store::Account>, AppError> {
        Ok(self.access.store.list_accounts().await?)
    }

    /// Gives a role to the accounts of `on` (making single sign-on
    /// accounts for people without one) and takes it from those of `off`,
    /// all or nothing.
    pub async fn set_role(
        &self,
        role: &str,
        on: &[&Person],
        off: &[&Person],
        now: i64,
    ) -> Result<(), AppError> {
        if on.is_empty() && off.is_empty() {
            return Ok(());
        }
        let detail = format!("{role}: {} given, {} taken", on.len(), off.len());
        let rec = self.record("scim.group.members", None, &detail, now);
        let on: Vec<(String, String)> = on
            .iter()
            .map(|p| (p.record.email.clone(), p.record.name.clone()))
            .collect();
        let off: Vec<String> = off.iter().map(|p| p.record.email.clone()).collect();
        self.access
            .store
            .scim_set_role(role, &on, &off, now, &rec)
            .await?;
        Ok(())
    }
}
