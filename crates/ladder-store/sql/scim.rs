//! [`ScimStore`] for both backends: provisioning clients, and people as
//! provisioning writes them, in the transaction of the directory change.

use super::store::{Effective, apply_people_in, bump_org, commit};
use super::{DbRow, This};
use ladder_store::{Id, Record, Result, ScimClient, ScimLink, ScimStore, StoreError, async_trait};

fn client_row(r: &DbRow) -> Result<ScimClient, sqlx::Error> {
    use sqlx::Row as _;
    Ok(ScimClient {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        created_at: r.try_get("created_at")?,
        created_by: r.try_get("created_by")?,
        revoked_at: r.try_get("revoked_at")?,
        last_used_at: r.try_get("last_used_at")?,
    })
}

fn link_row(r: &DbRow) -> Result<ScimLink, sqlx::Error> {
    use sqlx::Row as _;
    let deleted: i64 = r.try_get("deleted")?;
    Ok(ScimLink {
        person_id: r.try_get("person_id")?,
        external_id: r.try_get("external_id")?,
        user_name: r.try_get("user_name")?,
        employee_number: r.try_get("employee_number")?,
        pending_manager: r.try_get("pending_manager")?,
        deleted: deleted != 0,
        refused_level: r.try_get("refused_level")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

#[async_trait]
impl ScimStore for This {
    async fn create_scim_client(
        &self,
        name: &str,
        token_hash: &str,
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<Id> {
        use sqlx::Row as _;
        let mut tx = self.begin_write().await?;
        let r = sqlx::query(
            "INSERT INTO scim_clients (name, token_hash, created_at, created_by) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(name)
        .bind(token_hash)
        .bind(now)
        .bind(by)
        .fetch_one(&mut *tx)
        .await?;
        let id = r.try_get("id")?;
        commit(self, tx, rec, Some(id)).await?;
        Ok(id)
    }

    async fn scim_clients(&self) -> Result<Vec<ScimClient>> {
        let rows = sqlx::query("SELECT * FROM scim_clients ORDER BY created_at DESC, id DESC")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(client_row).collect::<Result<_, _>>()?)
    }

    async fn revoke_scim_client(&self, id: Id, now: i64, rec: &Record) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE scim_clients SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Refused(format!(
                "provisioning client {id} does not exist or is revoked already"
            )));
        }
        commit(self, tx, rec, Some(id)).await?;
        Ok(())
    }

    async fn scim_client_by_token(&self, token_hash: &str, now: i64) -> Result<Option<ScimClient>> {
        let r =
            sqlx::query("SELECT * FROM scim_clients WHERE token_hash = $1 AND revoked_at IS NULL")
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
        let Some(r) = r else { return Ok(None) };
        let c = client_row(&r)?;
        if c.last_used_at.is_none_or(|l| now - l >= 60) {
            sqlx::query("UPDATE scim_clients SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(c.id)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(c))
    }

    async fn scim_links(&self) -> Result<Vec<ScimLink>> {
        let rows = sqlx::query("SELECT * FROM scim_users ORDER BY person_id")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(link_row).collect::<Result<_, _>>()?)
    }

    async fn scim_write(
        &self,
        person: &ladder_org::PersonRecord,
        link: &ScimLink,
        effective: &str,
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<Id> {
        let mut tx = self.begin_write().await?;
        let (_, ids) = apply_people_in(
            &mut tx,
            std::slice::from_ref(person),
            Effective::On(effective),
            by,
            now,
        )
        .await?;
        let id = *ids
            .get(&person.email)
            .ok_or_else(|| StoreError::Backend(format!("{} was not stored", person.email)))?;
        sqlx::query(
            "INSERT INTO scim_users (person_id, external_id, user_name, employee_number, \
             pending_manager, deleted, refused_level, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $7) \
             ON CONFLICT (person_id) DO UPDATE SET external_id = $2, user_name = $3, \
             employee_number = $4, pending_manager = $5, deleted = $6, updated_at = $7",
        )
        .bind(id)
        .bind(link.external_id.as_deref())
        .bind(&link.user_name)
        .bind(link.employee_number.as_deref())
        .bind(link.pending_manager.as_deref())
        .bind(i64::from(link.deleted))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // Those who named this person as their manager before they existed.
        let names = [
            id.to_string(),
            link.external_id.clone().unwrap_or_default(),
            link.user_name.to_lowercase(),
            person.email.to_lowercase(),
        ];
        let waiting = sqlx::query(
            "UPDATE scim_users SET pending_manager = NULL, updated_at = $6 \
             WHERE person_id <> $5 AND pending_manager IN ($1, $2, $3, $4) RETURNING person_id",
        )
        .bind(&names[0])
        .bind(&names[1])
        .bind(&names[2])
        .bind(&names[3])
        .bind(id)
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        if !waiting.is_empty() {
            use sqlx::Row as _;
            for w in &waiting {
                let report: Id = w.try_get("person_id")?;
                sqlx::query("UPDATE people SET manager_id = $1 WHERE id = $2")
                    .bind(id)
                    .bind(report)
                    .execute(&mut *tx)
                    .await?;
            }
            bump_org(&mut tx).await?;
        }
        let mut rec = rec.clone();
        rec.audit.subject_id = Some(id);
        commit(self, tx, &rec, Some(id)).await?;
        Ok(id)
    }

    async fn scim_set_role(
        &self,
        role: &str,
        on: &[(String, String)],
        off: &[String],
        now: i64,
        rec: &Record,
    ) -> Result<()> {
        use sqlx::Row as _;
        let mut tx = self.begin_write().await?;
        let changes = on
            .iter()
            .map(|(email, name)| (email.as_str(), Some(name.as_str()), true))
            .chain(off.iter().map(|email| (email.as_str(), None, false)));
        for (email, name, give) in changes {
            let email = email.to_lowercase();
            let found = sqlx::query("SELECT id, roles FROM accounts WHERE email = $1")
                .bind(&email)
                .fetch_optional(&mut *tx)
                .await?;
            let (id, mut roles) = match (found, name) {
                (Some(r), _) => {
                    let roles: String = r.try_get("roles")?;
                    (
                        r.try_get::<Id, _>("id")?,
                        ladder_store::Roles::decode(&roles),
                    )
                }
                (None, Some(name)) => {
                    let r = sqlx::query(
                        "INSERT INTO accounts (email, name, password_hash, roles, created_at) \
                         VALUES ($1, $2, NULL, '', $3) RETURNING id",
                    )
                    .bind(&email)
                    .bind(name)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                    (r.try_get::<Id, _>("id")?, ladder_store::Roles::NONE)
                }
                (None, None) => continue,
            };
            match role {
                "admin" => roles.admin = give,
                "people" => roles.people_team = give,
                "editor" => roles.editor = give,
                other => return Err(StoreError::Refused(format!("`{other}` is not a role"))),
            }
            sqlx::query("UPDATE accounts SET roles = $1 WHERE id = $2")
                .bind(roles.encode())
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        commit(self, tx, rec, None).await?;
        Ok(())
    }

    async fn set_refused_level(
        &self,
        person: Id,
        level: Option<&str>,
        now: i64,
        rec: &Record,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        // A person provisioning never wrote (imported from a file) gets a
        // link under their email.
        sqlx::query(
            "INSERT INTO scim_users (person_id, user_name, deleted, refused_level, created_at, \
             updated_at) SELECT id, email, 0, $1, $2, $2 FROM people WHERE id = $3 \
             ON CONFLICT (person_id) DO UPDATE SET refused_level = $1, updated_at = $2",
        )
        .bind(level)
        .bind(now)
        .bind(person)
        .execute(&mut *tx)
        .await?;
        commit(self, tx, rec, None).await?;
        Ok(())
    }
}
