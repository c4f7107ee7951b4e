//! The SQL both backends share.

/// Implements [`Store`](crate::Store), and an inherent `migrate` that runs
/// the backend crate's own `migrations/`, for a backend struct with a
/// `pool: sqlx::Pool<DB>` field and one inherent method:
/// `async fn reset_sequences(&self, tx: &mut sqlx::Transaction<'_, DB>) -> Result<(), sqlx::Error>`
/// (after a restore wrote explicit ids). The SQL uses only what SQLite and
/// PostgreSQL both accept.
///
/// Arguments: the store type, the sqlx database type, its row type, and the
/// backend's name.
#[macro_export]
macro_rules! sql_store {
    ($store:ty, $db:ty, $row:ty, $name:literal) => {
        const PERSON_SELECT: &str = "SELECT p.id, p.email, p.name, p.manager_id, m.email AS manager_email, \
             p.department, p.family, p.level, p.specialty, p.grade, p.location, p.start_date, p.active \
             FROM people p LEFT JOIN people m ON m.id = p.manager_id";

        impl $store {
            /// Runs every migration not yet applied; returns how many ran.
            pub async fn migrate(&self) -> $crate::Result<usize> {
                let applied = || async {
                    ::sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                        .fetch_one(&self.pool)
                        .await
                        .map_or(0, |r| usize::try_from(r.0).unwrap_or(0))
                };
                let before = applied().await;
                ::sqlx::migrate!("./migrations")
                    .run(&self.pool)
                    .await
                    .map_err(|e| $crate::StoreError::Backend(format!("migration failed: {e}")))?;
                Ok(applied().await.saturating_sub(before))
            }
        }

        fn store_err(e: ::sqlx::Error) -> $crate::StoreError {
            match &e {
                ::sqlx::Error::Database(d) if d.is_unique_violation() => {
                    $crate::StoreError::Conflict(d.message().to_owned())
                }
                _ => $crate::StoreError::Backend(e.to_string()),
            }
        }

        fn person_row(r: &$row) -> Result<$crate::Person, ::sqlx::Error> {
            use ::sqlx::Row as _;
            let start: Option<String> = r.try_get("start_date")?;
            Ok($crate::Person {
                id: r.try_get("id")?,
                manager_id: r.try_get("manager_id")?,
                record: ::ladder_org::PersonRecord {
                    email: r.try_get("email")?,
                    name: r.try_get("name")?,
                    manager_email: r.try_get("manager_email")?,
                    department: r.try_get("department")?,
                    role: role_row(r)?,
                    location: r.try_get("location")?,
                    start_date: start.and_then(|s| s.parse().ok()),
                    active: r.try_get("active")?,
                },
            })
        }

        fn role_row(r: &$row) -> Result<::ladder_org::Role, ::sqlx::Error> {
            use ::sqlx::Row as _;
            Ok(::ladder_org::Role {
                family: r.try_get("family")?,
                level: r.try_get("level")?,
                specialty: r.try_get("specialty")?,
                grade: r.try_get("grade")?,
            })
        }

        fn role_change_row(r: &$row) -> Result<$crate::RoleChange, ::sqlx::Error> {
            use ::sqlx::Row as _;
            Ok($crate::RoleChange {
                id: r.try_get("id")?,
                person_id: r.try_get("person_id")?,
                effective: r.try_get("effective")?,
                role: role_row(r)?,
                reason: r.try_get("reason")?,
                recorded_at: r.try_get("recorded_at")?,
                recorded_by: r.try_get("recorded_by")?,
            })
        }

        fn account_row(r: &$row) -> Result<$crate::Account, ::sqlx::Error> {
            use ::sqlx::Row as _;
            let roles: String = r.try_get("roles")?;
            Ok($crate::Account {
                id: r.try_get("id")?,
                email: r.try_get("email")?,
                name: r.try_get("name")?,
                password_hash: r.try_get("password_hash")?,
                roles: $crate::Roles::decode(&roles),
                created_at: r.try_get("created_at")?,
            })
        }

        fn session_row(r: &$row) -> Result<$crate::Session, ::sqlx::Error> {
            use ::sqlx::Row as _;
            Ok($crate::Session {
                token_hash: r.try_get("token_hash")?,
                account_id: r.try_get("account_id")?,
                csrf: r.try_get("csrf")?,
                created_at: r.try_get("created_at")?,
                expires_at: r.try_get("expires_at")?,
            })
        }

        fn token_row(r: &$row) -> Result<$crate::ApiToken, ::sqlx::Error> {
            use ::sqlx::Row as _;
            Ok($crate::ApiToken {
                id: r.try_get("id")?,
                account_id: r.try_get("account_id")?,
                name: r.try_get("name")?,
                token_hash: r.try_get("token_hash")?,
                created_at: r.try_get("created_at")?,
            })
        }

        fn audit_row(r: &$row) -> Result<$crate::AuditEvent, ::sqlx::Error> {
            use ::sqlx::Row as _;
            Ok($crate::AuditEvent {
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                actor_id: r.try_get("actor_id")?,
                actor: r.try_get("actor")?,
                action: r.try_get("action")?,
                subject_id: r.try_get("subject_id")?,
                detail: r.try_get("detail")?,
                ip: r.try_get("ip")?,
            })
        }

        fn version_row(r: &$row) -> Result<$crate::FrameworkVersion, ::sqlx::Error> {
            use ::sqlx::Row as _;
            Ok($crate::FrameworkVersion {
                hash: r.try_get("hash")?,
                first_loaded_at: r.try_get("first_loaded_at")?,
                last_loaded_at: r.try_get("last_loaded_at")?,
                source: r.try_get("source")?,
                summary: r.try_get("summary")?,
            })
        }

        fn rows<T>(
            rows: Vec<$row>,
            f: fn(&$row) -> Result<T, ::sqlx::Error>,
        ) -> $crate::Result<Vec<T>> {
            rows.iter().map(|r| f(r).map_err(store_err)).collect()
        }

        fn person_binds<'q>(
            q: ::sqlx::query::Query<'q, $db, <$db as ::sqlx::Database>::Arguments<'q>>,
            r: &'q ::ladder_org::PersonRecord,
        ) -> ::sqlx::query::Query<'q, $db, <$db as ::sqlx::Database>::Arguments<'q>> {
            q.bind(&r.name)
                .bind(&r.department)
                .bind(&r.role.family)
                .bind(&r.role.level)
                .bind(r.role.specialty.as_deref())
                .bind(&r.role.grade)
                .bind(&r.location)
                .bind(r.start_date.map(|d| d.to_string()))
                .bind(r.active)
        }

        async fn bump_org(tx: &mut ::sqlx::Transaction<'_, $db>) -> Result<(), ::sqlx::Error> {
            ::sqlx::query("UPDATE org_version SET version = version + 1 WHERE id = 1")
                .execute(&mut **tx)
                .await?;
            Ok(())
        }

        async fn count(
            tx: &mut ::sqlx::Transaction<'_, $db>,
            table: &'static str,
        ) -> Result<i64, ::sqlx::Error> {
            use ::sqlx::Row as _;
            let sql = match table {
                "people" => "SELECT COUNT(*) AS n FROM people",
                "accounts" => "SELECT COUNT(*) AS n FROM accounts",
                _ => "SELECT COUNT(*) AS n FROM audit_log",
            };
            ::sqlx::query(sql).fetch_one(&mut **tx).await?.try_get("n")
        }

        #[$crate::async_trait]
        impl $crate::Store for $store {
            fn backend(&self) -> &'static str {
                $name
            }

            async fn list_people(&self) -> $crate::Result<Vec<$crate::Person>> {
                let sql = format!("{PERSON_SELECT} ORDER BY p.id");
                let r = ::sqlx::query(&sql).fetch_all(&self.pool).await.map_err(store_err)?;
                rows(r, person_row)
            }

            async fn person(&self, id: $crate::Id) -> $crate::Result<Option<$crate::Person>> {
                let sql = format!("{PERSON_SELECT} WHERE p.id = $1");
                let r = ::sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await.map_err(store_err)?;
                r.as_ref().map(person_row).transpose().map_err(store_err)
            }

            async fn person_by_email(&self, email: &str) -> $crate::Result<Option<$crate::Person>> {
                let sql = format!("{PERSON_SELECT} WHERE p.email = $1");
                let r = ::sqlx::query(&sql)
                    .bind(email.to_lowercase())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(store_err)?;
                r.as_ref().map(person_row).transpose().map_err(store_err)
            }

            async fn reports(&self, manager: $crate::Id) -> $crate::Result<Vec<$crate::Person>> {
                let sql = format!("{PERSON_SELECT} WHERE p.manager_id = $1 ORDER BY p.name, p.id");
                let r = ::sqlx::query(&sql).bind(manager).fetch_all(&self.pool).await.map_err(store_err)?;
                rows(r, person_row)
            }

            async fn count_people(&self) -> $crate::Result<i64> {
                use ::sqlx::Row as _;
                let r = ::sqlx::query("SELECT COUNT(*) AS n FROM people")
                    .fetch_one(&self.pool)
                    .await
                    .map_err(store_err)?;
                r.try_get("n").map_err(store_err)
            }

            async fn apply_people(
                &self,
                records: &[::ladder_org::PersonRecord],
                effective: &str,
                by: Option<$crate::Id>,
                now: i64,
            ) -> $crate::Result<$crate::ImportSummary> {
                use ::sqlx::Row as _;
                // Whole-file imports are the common case (HR exports
                // everyone), so this works in batches: one read of everyone,
                // multi-row inserts, and one multi-row update of managers,
                // rather than queries per row.
                const CHUNK: usize = 1000;
                let mut sum = $crate::ImportSummary::default();
                let mut tx = self.pool.begin().await.map_err(store_err)?;
                let stored = ::sqlx::query(PERSON_SELECT)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(store_err)?;
                let mut ids: ::std::collections::HashMap<String, $crate::Id> =
                    ::std::collections::HashMap::with_capacity(stored.len() + records.len());
                let mut old: ::std::collections::HashMap<String, $crate::Person> =
                    ::std::collections::HashMap::with_capacity(stored.len());
                for r in &stored {
                    let p = person_row(r).map_err(store_err)?;
                    ids.insert(p.record.email.clone(), p.id);
                    old.insert(p.record.email.clone(), p);
                }
                let mut seen = ::std::collections::HashSet::with_capacity(records.len());
                let mut fresh: Vec<&::ladder_org::PersonRecord> = Vec::new();
                // (record, reason) for every role change to record.
                let mut changes: Vec<(&::ladder_org::PersonRecord, &'static str)> = Vec::new();
                for r in records {
                    if !seen.insert(r.email.as_str()) {
                        return Err($crate::StoreError::Conflict(format!(
                            "{} appears twice in one import",
                            r.email
                        )));
                    }
                    match old.get(&r.email) {
                        None => {
                            fresh.push(r);
                            changes.push((r, "hired"));
                            sum.created += 1;
                        }
                        Some(p) if p.record == *r => sum.unchanged += 1,
                        Some(p) => {
                            let q = ::sqlx::query(
                                "UPDATE people SET name = $1, department = $2, family = $3, level = $4, \
                                 specialty = $5, grade = $6, location = $7, start_date = $8, active = $9 \
                                 WHERE id = $10",
                            );
                            person_binds(q, r)
                                .bind(p.id)
                                .execute(&mut *tx)
                                .await
                                .map_err(store_err)?;
                            sum.updated += 1;
                            if p.record.role != r.role {
                                changes.push((r, "import"));
                            }
                        }
                    }
                }
                for chunk in fresh.chunks(CHUNK) {
                    let mut qb = ::sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO people (name, department, family, level, specialty, grade, location, \
                         start_date, active, email) ",
                    );
                    qb.push_values(chunk, |mut b, r| {
                        b.push_bind(&r.name)
                            .push_bind(&r.department)
                            .push_bind(&r.role.family)
                            .push_bind(&r.role.level)
                            .push_bind(r.role.specialty.as_deref())
                            .push_bind(&r.role.grade)
                            .push_bind(&r.location)
                            .push_bind(r.start_date.map(|d| d.to_string()))
                            .push_bind(r.active)
                            .push_bind(&r.email);
                    });
                    qb.push(" RETURNING id, email");
                    for row in qb.build().fetch_all(&mut *tx).await.map_err(store_err)? {
                        let id: $crate::Id = row.try_get("id").map_err(store_err)?;
                        let email: String = row.try_get("email").map_err(store_err)?;
                        ids.insert(email, id);
                    }
                }
                for chunk in changes.chunks(CHUNK) {
                    let mut qb = ::sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO role_changes (person_id, effective, family, level, specialty, grade, \
                         reason, recorded_at, recorded_by) ",
                    );
                    qb.push_values(chunk, |mut b, (r, reason)| {
                        b.push_bind(ids.get(&r.email).copied())
                            .push_bind(effective)
                            .push_bind(&r.role.family)
                            .push_bind(&r.role.level)
                            .push_bind(r.role.specialty.as_deref())
                            .push_bind(&r.role.grade)
                            .push_bind(*reason)
                            .push_bind(now)
                            .push_bind(by);
                    });
                    qb.build().execute(&mut *tx).await.map_err(store_err)?;
                    sum.role_changes += chunk.len();
                }
                // Managers last: a file may list reports before managers.
                let mut links: Vec<($crate::Id, Option<$crate::Id>)> = Vec::new();
                for r in records {
                    let manager = match &r.manager_email {
                        None => None,
                        Some(m) => Some(*ids.get(m).ok_or_else(|| {
                            $crate::StoreError::NotFound(format!("the manager {m} of {}", r.email))
                        })?),
                    };
                    let id = *ids.get(&r.email).ok_or_else(|| {
                        $crate::StoreError::Backend(format!("{} was not stored", r.email))
                    })?;
                    let current = old.get(&r.email).and_then(|p| p.manager_id);
                    if manager != current {
                        links.push((id, manager));
                    }
                }
                for chunk in links.chunks(CHUNK) {
                    // VALUES columns are column1, column2 in both backends.
                    let mut qb = ::sqlx::QueryBuilder::<$db>::new(
                        "UPDATE people SET manager_id = v.column2 FROM (",
                    );
                    qb.push_values(chunk, |mut b, (id, manager)| {
                        b.push_bind(*id).push_bind(*manager);
                    });
                    qb.push(") AS v WHERE people.id = v.column1");
                    qb.build().execute(&mut *tx).await.map_err(store_err)?;
                }
                if sum.created + sum.updated > 0 {
                    bump_org(&mut tx).await.map_err(store_err)?;
                }
                tx.commit().await.map_err(store_err)?;
                Ok(sum)
            }

            async fn org_version(&self) -> $crate::Result<i64> {
                let r: (i64,) = ::sqlx::query_as("SELECT version FROM org_version WHERE id = 1")
                    .fetch_one(&self.pool)
                    .await
                    .map_err(store_err)?;
                Ok(r.0)
            }

            async fn org(&self) -> $crate::Result<$crate::Org> {
                // One transaction, so the three reads agree.
                let mut tx = self.pool.begin().await.map_err(store_err)?;
                let version: (i64,) = ::sqlx::query_as("SELECT version FROM org_version WHERE id = 1")
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(store_err)?;
                // Row by row rather than fetch_all: the rows of a big
                // organisation never sit in memory beside what they become.
                use ::futures_util::TryStreamExt as _;
                let sql = format!("{PERSON_SELECT} ORDER BY p.id");
                let mut people = Vec::new();
                {
                    let mut stream = ::sqlx::query(&sql).fetch(&mut *tx);
                    while let Some(r) = stream.try_next().await.map_err(store_err)? {
                        people.push(person_row(&r).map_err(store_err)?);
                    }
                }
                let mut history = Vec::new();
                {
                    let mut stream =
                        ::sqlx::query("SELECT * FROM role_changes ORDER BY person_id, effective, id")
                            .fetch(&mut *tx);
                    while let Some(r) = stream.try_next().await.map_err(store_err)? {
                        history.push(role_change_row(&r).map_err(store_err)?);
                    }
                }
                tx.commit().await.map_err(store_err)?;
                Ok($crate::Org { version: version.0, people, history })
            }

            async fn role_history(&self, person: $crate::Id) -> $crate::Result<Vec<$crate::RoleChange>> {
                let r = ::sqlx::query("SELECT * FROM role_changes WHERE person_id = $1 ORDER BY effective, id")
                    .bind(person)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(store_err)?;
                rows(r, role_change_row)
            }

            async fn create_account(
                &self,
                email: &str,
                name: &str,
                password_hash: Option<&str>,
                roles: $crate::Roles,
                now: i64,
            ) -> $crate::Result<$crate::Id> {
                use ::sqlx::Row as _;
                let r = ::sqlx::query(
                    "INSERT INTO accounts (email, name, password_hash, roles, created_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(email.to_lowercase())
                .bind(name)
                .bind(password_hash)
                .bind(roles.encode())
                .bind(now)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| match store_err(e) {
                    $crate::StoreError::Conflict(_) => {
                        $crate::StoreError::Conflict(format!("an account for {email}"))
                    }
                    other => other,
                })?;
                r.try_get("id").map_err(store_err)
            }

            async fn account(&self, id: $crate::Id) -> $crate::Result<Option<$crate::Account>> {
                let r = ::sqlx::query("SELECT * FROM accounts WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(store_err)?;
                r.as_ref().map(account_row).transpose().map_err(store_err)
            }

            async fn account_by_email(&self, email: &str) -> $crate::Result<Option<$crate::Account>> {
                let r = ::sqlx::query("SELECT * FROM accounts WHERE email = $1")
                    .bind(email.to_lowercase())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(store_err)?;
                r.as_ref().map(account_row).transpose().map_err(store_err)
            }

            async fn list_accounts(&self) -> $crate::Result<Vec<$crate::Account>> {
                let r = ::sqlx::query("SELECT * FROM accounts ORDER BY id")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(store_err)?;
                rows(r, account_row)
            }

            async fn count_accounts(&self) -> $crate::Result<i64> {
                use ::sqlx::Row as _;
                let r = ::sqlx::query("SELECT COUNT(*) AS n FROM accounts")
                    .fetch_one(&self.pool)
                    .await
                    .map_err(store_err)?;
                r.try_get("n").map_err(store_err)
            }

            async fn set_password(&self, id: $crate::Id, hash: &str) -> $crate::Result<()> {
                let res = ::sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
                    .bind(hash)
                    .bind(id)
                    .execute(&self.pool)
                    .await
                    .map_err(store_err)?;
                if res.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound(format!("account {id}")));
                }
                Ok(())
            }

            async fn set_roles(&self, id: $crate::Id, roles: $crate::Roles) -> $crate::Result<()> {
                let res = ::sqlx::query("UPDATE accounts SET roles = $1 WHERE id = $2")
                    .bind(roles.encode())
                    .bind(id)
                    .execute(&self.pool)
                    .await
                    .map_err(store_err)?;
                if res.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound(format!("account {id}")));
                }
                Ok(())
            }

            async fn create_session(&self, s: &$crate::Session) -> $crate::Result<()> {
                ::sqlx::query(
                    "INSERT INTO sessions (token_hash, account_id, csrf, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&s.token_hash)
                .bind(s.account_id)
                .bind(&s.csrf)
                .bind(s.created_at)
                .bind(s.expires_at)
                .execute(&self.pool)
                .await
                .map_err(store_err)?;
                Ok(())
            }

            async fn session(&self, token_hash: &str, now: i64) -> $crate::Result<Option<$crate::SessionView>> {
                use ::sqlx::Row as _;
                // Account columns keep their names, so account_row reads
                // them; the session's created_at is renamed.
                let r = ::sqlx::query(
                    "SELECT a.id, a.email, a.name, a.password_hash, a.roles, a.created_at, \
                     s.token_hash, s.account_id, s.csrf, s.created_at AS session_created_at, s.expires_at, \
                     (SELECT version FROM org_version WHERE id = 1) AS org_version \
                     FROM sessions s JOIN accounts a ON a.id = s.account_id \
                     WHERE s.token_hash = $1 AND s.expires_at > $2",
                )
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await
                .map_err(store_err)?;
                let Some(r) = r else { return Ok(None) };
                let view = (|| -> Result<$crate::SessionView, ::sqlx::Error> {
                    Ok($crate::SessionView {
                        session: $crate::Session {
                            token_hash: r.try_get("token_hash")?,
                            account_id: r.try_get("account_id")?,
                            csrf: r.try_get("csrf")?,
                            created_at: r.try_get("session_created_at")?,
                            expires_at: r.try_get("expires_at")?,
                        },
                        account: account_row(&r)?,
                        org_version: r.try_get("org_version")?,
                    })
                })()
                .map_err(store_err)?;
                Ok(Some(view))
            }

            async fn delete_session(&self, token_hash: &str) -> $crate::Result<()> {
                ::sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(token_hash)
                    .execute(&self.pool)
                    .await
                    .map_err(store_err)?;
                Ok(())
            }

            async fn delete_expired_sessions(&self, now: i64) -> $crate::Result<u64> {
                let res = ::sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                    .bind(now)
                    .execute(&self.pool)
                    .await
                    .map_err(store_err)?;
                Ok(res.rows_affected())
            }

            async fn create_api_token(
                &self,
                account: $crate::Id,
                name: &str,
                token_hash: &str,
                now: i64,
            ) -> $crate::Result<$crate::Id> {
                use ::sqlx::Row as _;
                let r = ::sqlx::query(
                    "INSERT INTO api_tokens (account_id, name, token_hash, created_at) \
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(account)
                .bind(name)
                .bind(token_hash)
                .bind(now)
                .fetch_one(&self.pool)
                .await
                .map_err(store_err)?;
                r.try_get("id").map_err(store_err)
            }

            async fn api_token(&self, token_hash: &str) -> $crate::Result<Option<$crate::ApiToken>> {
                let r = ::sqlx::query("SELECT * FROM api_tokens WHERE token_hash = $1")
                    .bind(token_hash)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(store_err)?;
                r.as_ref().map(token_row).transpose().map_err(store_err)
            }

            async fn record_failure(&self, key: &str, now: i64) -> $crate::Result<()> {
                ::sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
                    .bind(key)
                    .bind(now)
                    .execute(&self.pool)
                    .await
                    .map_err(store_err)?;
                Ok(())
            }

            async fn failures_since(&self, key: &str, since: i64) -> $crate::Result<i64> {
                use ::sqlx::Row as _;
                let r = ::sqlx::query("SELECT COUNT(*) AS n FROM login_failures WHERE key = $1 AND at >= $2")
                    .bind(key)
                    .bind(since)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(store_err)?;
                r.try_get("n").map_err(store_err)
            }

            async fn clear_failures(&self, key: &str) -> $crate::Result<()> {
                ::sqlx::query("DELETE FROM login_failures WHERE key = $1")
                    .bind(key)
                    .execute(&self.pool)
                    .await
                    .map_err(store_err)?;
                Ok(())
            }

            async fn delete_failures_before(&self, before: i64) -> $crate::Result<u64> {
                let res = ::sqlx::query("DELETE FROM login_failures WHERE at < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await
                    .map_err(store_err)?;
                Ok(res.rows_affected())
            }

            async fn create_bootstrap(&self, token_hash: &str, now: i64) -> $crate::Result<()> {
                ::sqlx::query("INSERT INTO bootstrap_tokens (token_hash, created_at) VALUES ($1, $2)")
                    .bind(token_hash)
                    .bind(now)
                    .execute(&self.pool)
                    .await
                    .map_err(store_err)?;
                Ok(())
            }

            async fn take_bootstrap(&self, token_hash: &str, not_before: i64) -> $crate::Result<bool> {
                let res = ::sqlx::query("DELETE FROM bootstrap_tokens WHERE token_hash = $1 AND created_at >= $2")
                    .bind(token_hash)
                    .bind(not_before)
                    .execute(&self.pool)
                    .await
                    .map_err(store_err)?;
                Ok(res.rows_affected() == 1)
            }

            async fn audit(&self, e: &$crate::AuditEvent) -> $crate::Result<()> {
                ::sqlx::query(
                    "INSERT INTO audit_log (at, actor_id, actor, action, subject_id, detail, ip) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(e.at)
                .bind(e.actor_id)
                .bind(&e.actor)
                .bind(&e.action)
                .bind(e.subject_id)
                .bind(&e.detail)
                .bind(&e.ip)
                .execute(&self.pool)
                .await
                .map_err(store_err)?;
                Ok(())
            }

            async fn audit_log(
                &self,
                before: Option<$crate::Id>,
                limit: i64,
            ) -> $crate::Result<Vec<$crate::AuditEvent>> {
                let r = ::sqlx::query("SELECT * FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2")
                    .bind(before.unwrap_or(i64::MAX))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(store_err)?;
                rows(r, audit_row)
            }

            async fn record_framework(
                &self,
                hash: &str,
                source: &str,
                summary: &str,
                now: i64,
            ) -> $crate::Result<bool> {
                use ::sqlx::Row as _;
                let r = ::sqlx::query(
                    "INSERT INTO framework_versions (hash, first_loaded_at, last_loaded_at, source, summary) \
                     VALUES ($1, $2, $2, $3, $4) ON CONFLICT (hash) DO UPDATE \
                     SET last_loaded_at = excluded.last_loaded_at, source = excluded.source \
                     RETURNING first_loaded_at",
                )
                .bind(hash)
                .bind(now)
                .bind(source)
                .bind(summary)
                .fetch_one(&self.pool)
                .await
                .map_err(store_err)?;
                let first: i64 = r.try_get("first_loaded_at").map_err(store_err)?;
                Ok(first == now)
            }

            async fn framework_versions(&self) -> $crate::Result<Vec<$crate::FrameworkVersion>> {
                let r = ::sqlx::query("SELECT * FROM framework_versions ORDER BY first_loaded_at, hash")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(store_err)?;
                rows(r, version_row)
            }

            async fn create_oidc_flow(&self, f: &$crate::OidcFlow) -> $crate::Result<()> {
                ::sqlx::query("INSERT INTO oidc_flows (state, nonce, verifier, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(&f.state)
                    .bind(&f.nonce)
                    .bind(&f.verifier)
                    .bind(f.created_at)
                    .execute(&self.pool)
                    .await
                    .map_err(store_err)?;
                Ok(())
            }

            async fn take_oidc_flow(
                &self,
                state: &str,
                not_before: i64,
            ) -> $crate::Result<Option<$crate::OidcFlow>> {
                use ::sqlx::Row as _;
                // Flows abandoned at the provider are never taken: drop
                // every stale one here rather than in a separate sweep.
                ::sqlx::query("DELETE FROM oidc_flows WHERE created_at < $1")
                    .bind(not_before)
                    .execute(&self.pool)
                    .await
                    .map_err(store_err)?;
                let r = ::sqlx::query(
                    "DELETE FROM oidc_flows WHERE state = $1 RETURNING state, nonce, verifier, created_at",
                )
                .bind(state)
                .fetch_optional(&self.pool)
                .await
                .map_err(store_err)?;
                let Some(r) = r else { return Ok(None) };
                let flow = (|| -> Result<$crate::OidcFlow, ::sqlx::Error> {
                    Ok($crate::OidcFlow {
                        state: r.try_get("state")?,
                        nonce: r.try_get("nonce")?,
                        verifier: r.try_get("verifier")?,
                        created_at: r.try_get("created_at")?,
                    })
                })()
                .map_err(store_err)?;
                Ok(Some(flow))
            }

            async fn dump(&self) -> $crate::Result<$crate::Dump> {
                let people = {
                    let sql = format!("{PERSON_SELECT} ORDER BY p.id");
                    rows(::sqlx::query(&sql).fetch_all(&self.pool).await.map_err(store_err)?, person_row)?
                };
                let q = |sql: &'static str| ::sqlx::query(sql).fetch_all(&self.pool);
                Ok($crate::Dump {
                    format: $crate::DUMP_FORMAT,
                    people,
                    role_changes: rows(
                        q("SELECT * FROM role_changes ORDER BY id").await.map_err(store_err)?,
                        role_change_row,
                    )?,
                    accounts: rows(q("SELECT * FROM accounts ORDER BY id").await.map_err(store_err)?, account_row)?,
                    sessions: rows(
                        q("SELECT * FROM sessions ORDER BY token_hash").await.map_err(store_err)?,
                        session_row,
                    )?,
                    api_tokens: rows(q("SELECT * FROM api_tokens ORDER BY id").await.map_err(store_err)?, token_row)?,
                    audit: rows(q("SELECT * FROM audit_log ORDER BY id").await.map_err(store_err)?, audit_row)?,
                    framework_versions: rows(
                        q("SELECT * FROM framework_versions ORDER BY first_loaded_at, hash")
                            .await
                            .map_err(store_err)?,
                        version_row,
                    )?,
                })
            }

            async fn restore(&self, d: &$crate::Dump) -> $crate::Result<()> {
                if d.format != $crate::DUMP_FORMAT {
                    return Err($crate::StoreError::Refused(format!(
                        "this backup is format {}; this build reads format {}",
                        d.format,
                        $crate::DUMP_FORMAT
                    )));
                }
                let mut tx = self.pool.begin().await.map_err(store_err)?;
                for t in ["people", "accounts", "audit_log"] {
                    if count(&mut tx, t).await.map_err(store_err)? > 0 {
                        return Err($crate::StoreError::Refused(format!(
                            "the database already holds data (table `{t}`); restore into a new, empty database"
                        )));
                    }
                }
                for a in &d.accounts {
                    ::sqlx::query(
                        "INSERT INTO accounts (id, email, name, password_hash, roles, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(a.id)
                    .bind(&a.email)
                    .bind(&a.name)
                    .bind(a.password_hash.as_deref())
                    .bind(a.roles.encode())
                    .bind(a.created_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(store_err)?;
                }
                for p in &d.people {
                    let q = ::sqlx::query(
                        "INSERT INTO people (name, department, family, level, specialty, grade, location, \
                         start_date, active, email, id) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    );
                    person_binds(q, &p.record)
                        .bind(&p.record.email)
                        .bind(p.id)
                        .execute(&mut *tx)
                        .await
                        .map_err(store_err)?;
                }
                for p in &d.people {
                    ::sqlx::query("UPDATE people SET manager_id = $1 WHERE id = $2")
                        .bind(p.manager_id)
                        .bind(p.id)
                        .execute(&mut *tx)
                        .await
                        .map_err(store_err)?;
                }
                for c in &d.role_changes {
                    ::sqlx::query(
                        "INSERT INTO role_changes (id, person_id, effective, family, level, specialty, grade, \
                         reason, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    )
                    .bind(c.id)
                    .bind(c.person_id)
                    .bind(&c.effective)
                    .bind(&c.role.family)
                    .bind(&c.role.level)
                    .bind(c.role.specialty.as_deref())
                    .bind(&c.role.grade)
                    .bind(&c.reason)
                    .bind(c.recorded_at)
                    .bind(c.recorded_by)
                    .execute(&mut *tx)
                    .await
                    .map_err(store_err)?;
                }
                for s in &d.sessions {
                    ::sqlx::query(
                        "INSERT INTO sessions (token_hash, account_id, csrf, created_at, expires_at) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(&s.token_hash)
                    .bind(s.account_id)
                    .bind(&s.csrf)
                    .bind(s.created_at)
                    .bind(s.expires_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(store_err)?;
                }
                for t in &d.api_tokens {
                    ::sqlx::query(
                        "INSERT INTO api_tokens (id, account_id, name, token_hash, created_at) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(t.id)
                    .bind(t.account_id)
                    .bind(&t.name)
                    .bind(&t.token_hash)
                    .bind(t.created_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(store_err)?;
                }
                for e in &d.audit {
                    ::sqlx::query(
                        "INSERT INTO audit_log (id, at, actor_id, actor, action, subject_id, detail, ip) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(e.id)
                    .bind(e.at)
                    .bind(e.actor_id)
                    .bind(&e.actor)
                    .bind(&e.action)
                    .bind(e.subject_id)
                    .bind(&e.detail)
                    .bind(&e.ip)
                    .execute(&mut *tx)
                    .await
                    .map_err(store_err)?;
                }
                for v in &d.framework_versions {
                    ::sqlx::query(
                        "INSERT INTO framework_versions (hash, first_loaded_at, last_loaded_at, source, summary) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(&v.hash)
                    .bind(v.first_loaded_at)
                    .bind(v.last_loaded_at)
                    .bind(&v.source)
                    .bind(&v.summary)
                    .execute(&mut *tx)
                    .await
                    .map_err(store_err)?;
                }
                self.reset_sequences(&mut tx).await.map_err(store_err)?;
                bump_org(&mut tx).await.map_err(store_err)?;
                tx.commit().await.map_err(store_err)?;
                Ok(())
            }
        }
    };
}
