//! [`Store`](Store) for both backends: people, accounts, sessions,
//! tokens, the audit log, framework versions, the growth tables and backup.

use super::{Db, DbRow, GATHER_IN_JSON, JSON_AGG, JSON_OBJECT, NAME, TIDIES, This};
#[allow(unused_imports)]
use super::{feedback::*, ops::*};
use ladder_store::{
    ADDED_LATER, Account, ActionItem, AgendaItem, ApiToken, AuditEvent, AuditFilter, BACKUP_TABLES,
    Checkpoint, CheckpointState, Col, DUMP_FORMAT, Dump, Event, FocusArea, FrameworkRelease,
    FrameworkVersion, Id, ImportSummary, Meeting, NewFocusArea, NewFrameworkRelease, OidcFlow, Org,
    Person, PersonGrowth, PrivateNote, Rater, Rating, RatingChange, Record, Result, Retention,
    RoleChange, Roles, Seen, Session, SessionView, StandingItem, Store, Swept,
};
use ladder_store::{StoreError, async_trait};
#[allow(unused_imports)]
use ladder_store::{serde, serde_json};

pub(super) const PERSON_SELECT: &str = "SELECT p.id, p.email, p.name, p.manager_id, m.email AS manager_email, \
     p.department, p.family, p.level, p.specialty, p.grade, p.location, p.start_date, p.active \
     FROM people p LEFT JOIN people m ON m.id = p.manager_id";

impl This {
    /// Runs every migration not yet applied; returns how many ran.
    pub async fn migrate(&self) -> Result<usize> {
        let applied = || async {
            sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await
                .map_or(0, |r| usize::try_from(r.0).unwrap_or(0))
        };
        let before = applied().await;
        sqlx::migrate!("./migrations")
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Backend(format!("migration failed: {e}")))?;
        Ok(applied().await.saturating_sub(before))
    }
}

pub(super) fn person_row(r: &DbRow) -> Result<Person, sqlx::Error> {
    use sqlx::Row as _;
    let start: Option<String> = r.try_get("start_date")?;
    Ok(Person {
        id: r.try_get("id")?,
        manager_id: r.try_get("manager_id")?,
        record: ladder_org::PersonRecord {
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

pub(super) fn role_row(r: &DbRow) -> Result<ladder_org::Role, sqlx::Error> {
    use sqlx::Row as _;
    Ok(ladder_org::Role {
        family: r.try_get("family")?,
        level: r.try_get("level")?,
        specialty: r.try_get("specialty")?,
        grade: r.try_get("grade")?,
    })
}

pub(super) fn role_change_row(r: &DbRow) -> Result<RoleChange, sqlx::Error> {
    use sqlx::Row as _;
    Ok(RoleChange {
        id: r.try_get("id")?,
        person_id: r.try_get("person_id")?,
        effective: r.try_get("effective")?,
        role: role_row(r)?,
        reason: r.try_get("reason")?,
        recorded_at: r.try_get("recorded_at")?,
        recorded_by: r.try_get("recorded_by")?,
    })
}

pub(super) fn account_row(r: &DbRow) -> Result<Account, sqlx::Error> {
    use sqlx::Row as _;
    let roles: String = r.try_get("roles")?;
    Ok(Account {
        id: r.try_get("id")?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        password_hash: r.try_get("password_hash")?,
        roles: Roles::decode(&roles),
        created_at: r.try_get("created_at")?,
        deactivated_at: r.try_get("deactivated_at")?,
    })
}

/// A row whose fields are its columns, decoded by sqlx's `FromRow` derive.
pub(super) fn from_row<T>(r: &DbRow) -> Result<T, sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, DbRow>,
{
    T::from_row(r)
}

/// A text column read as one of an enum's values.
pub(super) fn enum_col<T>(
    r: &DbRow,
    column: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, sqlx::Error> {
    use sqlx::Row as _;
    let text: String = r.try_get(column)?;
    parse(&text).ok_or_else(|| sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: format!("unknown value `{text}`").into(),
    })
}

pub(super) fn rater_of(s: &str) -> Result<Rater, sqlx::Error> {
    Rater::parse(s).ok_or_else(|| sqlx::Error::Decode(format!("unknown rater `{s}`").into()))
}

pub(super) fn rating_row(r: &DbRow) -> Result<Rating, sqlx::Error> {
    use sqlx::Row as _;
    let rater: String = r.try_get("rater")?;
    Ok(Rating {
        person_id: r.try_get("person_id")?,
        statement_id: r.try_get("statement_id")?,
        rater: rater_of(&rater)?,
        value: r.try_get("value")?,
        evidence: r.try_get("evidence")?,
        statement_text: r.try_get("statement_text")?,
        framework_hash: r.try_get("framework_hash")?,
        rated_by: r.try_get("rated_by")?,
        rated_at: r.try_get("rated_at")?,
    })
}

pub(super) fn rating_change_row(r: &DbRow) -> Result<RatingChange, sqlx::Error> {
    use sqlx::Row as _;
    let rater: String = r.try_get("rater")?;
    Ok(RatingChange {
        id: r.try_get("id")?,
        person_id: r.try_get("person_id")?,
        statement_id: r.try_get("statement_id")?,
        rater: rater_of(&rater)?,
        old_value: r.try_get("old_value")?,
        new_value: r.try_get("new_value")?,
        old_evidence: r.try_get("old_evidence")?,
        new_evidence: r.try_get("new_evidence")?,
        framework_hash: r.try_get("framework_hash")?,
        changed_by: r.try_get("changed_by")?,
        changed_at: r.try_get("changed_at")?,
    })
}

pub(super) fn checkpoint_row(r: &DbRow) -> Result<Checkpoint, sqlx::Error> {
    use sqlx::Row as _;
    Ok(Checkpoint {
        id: r.try_get("id")?,
        person_id: r.try_get("person_id")?,
        quarter: r.try_get("quarter")?,
        opened_at: r.try_get("opened_at")?,
        opened_by: r.try_get("opened_by")?,
        closed_at: r.try_get("closed_at")?,
        closed_by: r.try_get("closed_by")?,
        areas: Vec::new(),
    })
}

pub(super) fn focus_row(r: &DbRow) -> Result<(Id, FocusArea), sqlx::Error> {
    use sqlx::Row as _;
    Ok((
        r.try_get("checkpoint_id")?,
        FocusArea {
            id: r.try_get("id")?,
            ref_id: r.try_get("ref_id")?,
            title: r.try_get("title")?,
            goals: r.try_get("goals")?,
            targets: r.try_get("targets")?,
            ideas: r.try_get("ideas")?,
            summary: r.try_get("summary")?,
        },
    ))
}

pub(super) const ACTION_SELECT: &str = "SELECT a.id, a.manager_id, a.report_id, a.meeting_id, a.owner_id, a.text, \
     a.created_at, a.done_meeting_id, a.done_at, m.date AS meeting_date, d.date AS done_date \
     FROM action_items a JOIN meetings m ON m.id = a.meeting_id \
     LEFT JOIN meetings d ON d.id = a.done_meeting_id";

/// Rows of `sql` followed by ` IN (values…)` and `tail`, in chunks: ids,
/// or any other value a column holds (message keys).
pub(super) async fn fetch_in<'a, T: Sync>(
    pool: &sqlx::Pool<Db>,
    sql: &str,
    values: &'a [T],
    tail: &str,
) -> Result<Vec<DbRow>, sqlx::Error>
where
    &'a T: sqlx::Encode<'a, Db> + sqlx::Type<Db> + Send,
{
    let mut out = Vec::new();
    for chunk in values.chunks(500) {
        let mut qb = sqlx::QueryBuilder::<Db>::new(sql);
        qb.push(" IN (");
        let mut sep = qb.separated(", ");
        for value in chunk {
            sep.push_bind(value);
        }
        qb.push(") ");
        qb.push(tail);
        out.extend(qb.build().fetch_all(pool).await?);
    }
    Ok(out)
}

pub(super) async fn with_areas(
    pool: &sqlx::Pool<Db>,
    mut list: Vec<Checkpoint>,
) -> Result<Vec<Checkpoint>> {
    let ids: Vec<Id> = list.iter().map(|c| c.id).collect();
    let found = fetch_in(
        pool,
        "SELECT * FROM focus_areas WHERE checkpoint_id",
        &ids,
        "ORDER BY checkpoint_id, position",
    )
    .await?;
    let mut by: std::collections::HashMap<Id, Vec<FocusArea>> = std::collections::HashMap::new();
    for r in &found {
        let (c, a) = focus_row(r)?;
        by.entry(c).or_default().push(a);
    }
    for c in &mut list {
        c.areas = by.remove(&c.id).unwrap_or_default();
    }
    Ok(list)
}

pub(super) async fn dump_growth(
    pool: &sqlx::Pool<Db>,
) -> Result<std::collections::BTreeMap<String, Vec<Vec<serde_json::Value>>>> {
    use sqlx::Row as _;
    let mut out = std::collections::BTreeMap::new();
    for (table, cols) in BACKUP_TABLES {
        let names: Vec<&str> = cols.iter().map(|c| c.0).collect();
        // Every column orders the rows, so that a backup is the same bytes
        // for the same data.
        let order: Vec<String> = (1..=names.len()).map(|i| i.to_string()).collect();
        let sql = format!(
            "SELECT {} FROM {table} ORDER BY {}",
            names.join(", "),
            order.join(", ")
        );
        let found = sqlx::query(&sql).fetch_all(pool).await?;
        let mut table_rows = Vec::with_capacity(found.len());
        for r in &found {
            let mut values = Vec::with_capacity(cols.len());
            for (i, (_, kind)) in cols.iter().enumerate() {
                values.push(match kind {
                    Col::Int => r
                        .try_get::<Option<i64>, _>(i)?
                        .map_or(serde_json::Value::Null, serde_json::Value::from),
                    Col::Text => r
                        .try_get::<Option<String>, _>(i)?
                        .map_or(serde_json::Value::Null, serde_json::Value::from),
                });
            }
            table_rows.push(values);
        }
        out.insert((*table).to_owned(), table_rows);
    }
    Ok(out)
}

pub(super) async fn restore_growth(
    tx: &mut sqlx::Transaction<'_, Db>,
    growth: &std::collections::BTreeMap<String, Vec<Vec<serde_json::Value>>>,
) -> Result<()> {
    if let Some(t) = growth
        .keys()
        .find(|t| !BACKUP_TABLES.iter().any(|(n, _)| n == t))
    {
        return Err(StoreError::Refused(format!(
            "this backup has a table `{t}` this build does not know"
        )));
    }
    for (table, cols) in BACKUP_TABLES {
        let Some(list) = growth.get(*table) else {
            continue;
        };
        let names: Vec<&str> = cols.iter().map(|c| c.0).collect();
        let marks: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            names.join(", "),
            marks.join(", ")
        );
        let later = ADDED_LATER
            .iter()
            .find(|(t, _)| t == table)
            .map_or(0, |(_, n)| *n);
        for (n, values) in list.iter().enumerate() {
            // A row from before the columns added later: each empty.
            let padded;
            let values = if later > 0 && values.len() + later == cols.len() {
                padded = values
                    .iter()
                    .cloned()
                    .chain(std::iter::repeat_n(serde_json::Value::from(""), later))
                    .collect::<Vec<_>>();
                &padded
            } else {
                values
            };
            if values.len() != cols.len() {
                return Err(StoreError::Refused(format!(
                    "backup table `{table}` row {}: {} values for {} columns",
                    n + 1,
                    values.len(),
                    cols.len()
                )));
            }
            let mut q = sqlx::query(&sql);
            for (v, (col, kind)) in values.iter().zip(cols.iter()) {
                let bad = || {
                    StoreError::Refused(format!(
                        "backup table `{table}` row {} column `{col}`: {v} is not a {}",
                        n + 1,
                        if *kind == Col::Int {
                            "whole number"
                        } else {
                            "string"
                        }
                    ))
                };
                q = match (kind, v) {
                    (Col::Int, serde_json::Value::Null) => q.bind(None::<i64>),
                    (Col::Text, serde_json::Value::Null) => q.bind(None::<String>),
                    (Col::Int, v) => q.bind(v.as_i64().ok_or_else(bad)?),
                    (Col::Text, v) => q.bind(v.as_str().ok_or_else(bad)?.to_owned()),
                };
            }
            q.execute(&mut **tx).await?;
        }
    }
    Ok(())
}

/// The row `sql` selects by its one parameter (`$1`), decoded.
pub(super) async fn one<'q, K, T>(
    pool: &sqlx::Pool<Db>,
    sql: &'q str,
    key: K,
    decode: fn(&DbRow) -> Result<T, sqlx::Error>,
) -> Result<Option<T>>
where
    K: sqlx::Encode<'q, Db> + sqlx::Type<Db> + Send + 'q,
{
    let r = sqlx::query(sql).bind(key).fetch_optional(pool).await?;
    Ok(r.as_ref().map(decode).transpose()?)
}

/// The rows `sql` selects by its one parameter (`$1`), decoded.
pub(super) async fn many<'q, K, T>(
    pool: &sqlx::Pool<Db>,
    sql: &'q str,
    key: K,
    decode: fn(&DbRow) -> Result<T, sqlx::Error>,
) -> Result<Vec<T>>
where
    K: sqlx::Encode<'q, Db> + sqlx::Type<Db> + Send + 'q,
{
    rows(sqlx::query(sql).bind(key).fetch_all(pool).await?, decode)
}

/// Every row `sql` selects, decoded.
pub(super) async fn all<T>(
    pool: &sqlx::Pool<Db>,
    sql: &str,
    decode: fn(&DbRow) -> Result<T, sqlx::Error>,
) -> Result<Vec<T>> {
    rows(sqlx::query(sql).fetch_all(pool).await?, decode)
}

pub(super) fn rows<T>(rows: Vec<DbRow>, f: fn(&DbRow) -> Result<T, sqlx::Error>) -> Result<Vec<T>> {
    rows.iter()
        .map(|r| f(r).map_err(StoreError::from))
        .collect()
}

pub(super) fn person_binds<'q>(
    q: sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>>,
    r: &'q ladder_org::PersonRecord,
) -> sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>> {
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

pub(super) async fn bump_org(tx: &mut sqlx::Transaction<'_, Db>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE org_version SET version = version + 1 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(super) async fn count(
    tx: &mut sqlx::Transaction<'_, Db>,
    table: &'static str,
) -> Result<i64, sqlx::Error> {
    use sqlx::Row as _;
    let sql = match table {
        "people" => "SELECT COUNT(*) AS n FROM people",
        "accounts" => "SELECT COUNT(*) AS n FROM accounts",
        _ => "SELECT COUNT(*) AS n FROM audit_log",
    };
    sqlx::query(sql).fetch_one(&mut **tx).await?.try_get("n")
}

/// `column = value`, or `column IS NULL` without a value. Written out
/// rather than as `(column = $1 OR (column IS NULL AND $1 IS NULL))`:
/// PostgreSQL's generic plan for that (used after a prepared statement's
/// fifth run) cannot seek an index, and a page of fifty recorded reads went
/// from 30 ms to 170 ms.
fn push_is(qb: &mut sqlx::QueryBuilder<'_, Db>, column: &'static str, value: Option<Id>) {
    match value {
        Some(v) => {
            qb.push(column).push(" = ").push_bind(v);
        }
        None => {
            qb.push(column).push(" IS NULL");
        }
    }
}

/// Records a read inside `tx`: a read repeated within five minutes of the
/// entry that recorded it counts on that entry instead of adding one.
async fn read_in(tx: &mut sqlx::Transaction<'_, Db>, e: &AuditEvent) -> Result<(), sqlx::Error> {
    let mut qb = sqlx::QueryBuilder::<Db>::new("SELECT id FROM audit_log WHERE ");
    push_is(&mut qb, "actor_id", e.actor_id);
    qb.push(" AND action = ")
        .push_bind(&e.action)
        .push(" AND at >= ")
        .push_bind(e.at - REPEAT_SECONDS)
        .push(" AND at <= ")
        .push_bind(e.at);
    qb.push(" AND ");
    push_is(&mut qb, "subject_id", e.subject_id);
    qb.push(" AND detail = ")
        .push_bind(&e.detail)
        .push(" AND ip = ")
        .push_bind(&e.ip)
        .push(" AND actor = ")
        .push_bind(&e.actor)
        .push(" ORDER BY id DESC LIMIT 1");
    let found: Option<(Id,)> = qb.build_query_as().fetch_optional(&mut **tx).await?;
    match found {
        Some((entry,)) => {
            sqlx::query(
                "INSERT INTO audit_repeats (entry_id, count, last_at) VALUES ($1, 2, $2) \
                 ON CONFLICT (entry_id) DO UPDATE \
                 SET count = audit_repeats.count + 1, last_at = $2",
            )
            .bind(entry)
            .bind(e.at)
            .execute(&mut **tx)
            .await?;
        }
        None => insert_audit(tx, e, &e.detail).await?,
    }
    Ok(())
}

/// Many reads at once, as [`read_in`] records each, in a number of
/// statements that does not grow with the reads: per actor and action, one
/// query finds the recent entries, then the repeats are counted and the
/// new entries inserted in chunks. (One lookup per read cost a scan of
/// every recent entry of that actor each time: a pay report of 100,000
/// people took minutes.) A read given twice in one call falls back to
/// [`read_in`], in order.
async fn reads_in(
    tx: &mut sqlx::Transaction<'_, Db>,
    events: &[AuditEvent],
) -> Result<(), sqlx::Error> {
    use std::collections::{BTreeMap, HashMap, HashSet};
    type Key = (Option<Id>, String, String, String);
    let key = |e: &AuditEvent| -> Key {
        (
            e.subject_id,
            e.detail.clone(),
            e.ip.clone(),
            e.actor.clone(),
        )
    };
    let mut groups: BTreeMap<(Option<Id>, &str), Vec<&AuditEvent>> = BTreeMap::new();
    for e in events {
        groups
            .entry((e.actor_id, e.action.as_str()))
            .or_default()
            .push(e);
    }
    for ((actor_id, action), group) in groups {
        let from = group.iter().map(|e| e.at).min().unwrap_or(0) - REPEAT_SECONDS;
        let until = group.iter().map(|e| e.at).max().unwrap_or(0);
        // A few subjects (a page reads fifty): the recent entries about
        // them alone, since after an export of everyone the actor's recent
        // reads number as many as the organisation. Many subjects (an
        // export): every recent entry of the actor, once.
        let mut subjects: Vec<Option<Id>> = group.iter().map(|e| e.subject_id).collect();
        subjects.sort_unstable();
        subjects.dedup();
        let mut recent: Vec<(Id, i64, Option<Id>, String, String, String)> = Vec::new();
        let (named, unnamed): (Vec<Option<Id>>, Vec<Option<Id>>) =
            subjects.into_iter().partition(Option::is_some);
        let mut asks: Vec<Option<&[Option<Id>]>> = if named.len() > SUBJECTS_ASKED {
            vec![None]
        } else {
            named.chunks(SUBJECTS_ASKED).map(Some).collect()
        };
        if !unnamed.is_empty() && named.len() <= SUBJECTS_ASKED {
            asks.push(Some(&[]));
        }
        for ask in asks {
            let mut qb = sqlx::QueryBuilder::<Db>::new(
                "SELECT id, at, subject_id, detail, ip, actor FROM audit_log WHERE ",
            );
            push_is(&mut qb, "actor_id", actor_id);
            qb.push(" AND action = ")
                .push_bind(action)
                .push(" AND at >= ")
                .push_bind(from)
                .push(" AND at <= ")
                .push_bind(until);
            match ask {
                Some([]) => {
                    qb.push(" AND subject_id IS NULL");
                }
                Some(ids) => {
                    qb.push(" AND subject_id IN (");
                    let mut list = qb.separated(", ");
                    for id in ids {
                        list.push_bind(*id);
                    }
                    qb.push(")");
                }
                None => {}
            }
            qb.push(" ORDER BY id");
            // Planned for its values each time, never kept: PostgreSQL's
            // plan for any values (after a statement's fifth run) walks
            // every recent entry of the actor by time, and after an export
            // of everyone's pay a page of 100 took 100 ms instead of 1.
            recent.extend(
                qb.build_query_as::<(Id, i64, Option<Id>, String, String, String)>()
                    .persistent(false)
                    .fetch_all(&mut **tx)
                    .await?,
            );
        }
        recent.sort_unstable_by_key(|r| r.0);
        // The latest entries per read, newest last.
        let mut latest: HashMap<Key, Vec<(Id, i64)>> = HashMap::new();
        for (id, at, subject, detail, ip, actor) in recent {
            latest
                .entry((subject, detail, ip, actor))
                .or_default()
                .push((id, at));
        }
        let mut seen: HashSet<Key> = HashSet::new();
        let mut again: Vec<&AuditEvent> = Vec::new();
        let mut repeats: BTreeMap<Id, (i64, i64)> = BTreeMap::new();
        let mut fresh: Vec<&AuditEvent> = Vec::new();
        for e in group {
            let k = key(e);
            if !seen.insert(k.clone()) {
                again.push(e);
                continue;
            }
            let hit = latest.get(&k).and_then(|entries| {
                entries
                    .iter()
                    .rev()
                    .find(|(_, at)| *at >= e.at - REPEAT_SECONDS && *at <= e.at)
            });
            match hit {
                Some((entry, _)) => {
                    let r = repeats.entry(*entry).or_insert((0, e.at));
                    r.0 += 1;
                    r.1 = r.1.max(e.at);
                }
                None => fresh.push(e),
            }
        }
        let repeats: Vec<(Id, (i64, i64))> = repeats.into_iter().collect();
        for chunk in repeats.chunks(500) {
            let mut qb = sqlx::QueryBuilder::<Db>::new(
                "INSERT INTO audit_repeats (entry_id, count, last_at) ",
            );
            qb.push_values(chunk, |mut b, (entry, (n, last))| {
                b.push_bind(*entry).push_bind(n + 1).push_bind(*last);
            });
            qb.push(
                " ON CONFLICT (entry_id) DO UPDATE \
                 SET count = audit_repeats.count + excluded.count - 1, last_at = excluded.last_at",
            );
            qb.build().execute(&mut **tx).await?;
        }
        for chunk in fresh.chunks(500) {
            let mut qb = sqlx::QueryBuilder::<Db>::new(
                "INSERT INTO audit_log (at, actor_id, actor, action, subject_id, detail, ip) ",
            );
            qb.push_values(chunk, |mut b, e| {
                b.push_bind(e.at)
                    .push_bind(e.actor_id)
                    .push_bind(&e.actor)
                    .push_bind(&e.action)
                    .push_bind(e.subject_id)
                    .push_bind(&e.detail)
                    .push_bind(&e.ip);
            });
            qb.build().execute(&mut **tx).await?;
        }
        for e in again {
            read_in(tx, e).await?;
        }
    }
    Ok(())
}

/// Past this many subjects in one call, [`reads_in`] reads every recent
/// entry of the actor at once rather than asking about each subject.
const SUBJECTS_ASKED: usize = 500;

/// How long after a read's entry the same read counts on it (seconds).
const REPEAT_SECONDS: i64 = 300;

/// Appends an audit entry, with `detail` for its own.
pub(super) async fn insert_audit(
    conn: &mut <Db as sqlx::Database>::Connection,
    a: &AuditEvent,
    detail: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor, action, subject_id, detail, ip) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(a.at)
    .bind(a.actor_id)
    .bind(&a.actor)
    .bind(&a.action)
    .bind(a.subject_id)
    .bind(detail)
    .bind(&a.ip)
    .execute(conn)
    .await?;
    Ok(())
}

/// Inserts a write's audit entry and its event, in the write's own
/// transaction; `created` is the id of the row the write made, if any.
/// Call it last, just before the commit: the event's insert takes the
/// backend's outbox lock (`order_events`), held until the commit.
pub(super) async fn record(
    this: &This,
    tx: &mut sqlx::Transaction<'_, Db>,
    rec: &Record,
    created: Option<Id>,
) -> Result<(), sqlx::Error> {
    let a = &rec.audit;
    let detail = match created {
        Some(id) => a.detail.replace("{id}", &id.to_string()),
        None => a.detail.clone(),
    };
    insert_audit(tx, a, &detail).await?;
    this.order_events(tx).await?;
    let e = rec.event(created);
    sqlx::query(
        "INSERT INTO events (at, kind, actor_id, person_id, object_id, data) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(e.at)
    .bind(&e.kind)
    .bind(e.actor_id)
    .bind(e.person_id)
    .bind(e.object_id)
    .bind(e.data.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// [`record`] and the commit: the end of every write that is not part of
/// a larger one.
pub(super) async fn commit(
    this: &This,
    mut tx: sqlx::Transaction<'_, Db>,
    rec: &Record,
    created: Option<Id>,
) -> Result<(), sqlx::Error> {
    record(this, &mut tx, rec, created).await?;
    tx.commit().await
}

/// Moves a consumer's event cursor from `from` to `to` (a compare and
/// set); true if it was at `from`.
pub(super) async fn move_cursor(
    tx: &mut sqlx::Transaction<'_, Db>,
    consumer: &str,
    from: Id,
    to: Id,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = if from == 0 {
        // A first read: the row may not exist yet.
        sqlx::query(
            "INSERT INTO event_cursors (consumer, position, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (consumer) DO UPDATE SET position = $2, updated_at = $3 \
             WHERE event_cursors.position = 0",
        )
        .bind(consumer)
        .bind(to)
        .bind(now)
        .execute(&mut **tx)
        .await?
    } else {
        sqlx::query(
            "UPDATE event_cursors SET position = $1, updated_at = $2 \
             WHERE consumer = $3 AND position = $4",
        )
        .bind(to)
        .bind(now)
        .bind(consumer)
        .bind(from)
        .execute(&mut **tx)
        .await?
    };
    Ok(done.rows_affected() == 1)
}

pub(super) fn event_row(r: &DbRow) -> Result<Event, sqlx::Error> {
    use sqlx::Row as _;
    let data: String = r.try_get("data")?;
    Ok(Event {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        kind: r.try_get("kind")?,
        actor_id: r.try_get("actor_id")?,
        person_id: r.try_get("person_id")?,
        object_id: r.try_get("object_id")?,
        data: serde_json::from_str(&data).map_err(|e| sqlx::Error::ColumnDecode {
            index: "data".to_owned(),
            source: Box::new(e),
        })?,
    })
}

/// [`Store::growth_of`] where each row of a result costs a round trip
/// between the driver and the caller (SQLite): one row, the ratings and
/// the history as JSON arrays, and what they last saw. Not ordered: an
/// `ORDER BY` inside the aggregate makes SQLite sort through a temporary
/// table.
async fn growth_as_json(pool: &sqlx::Pool<Db>, person: Id) -> Result<PersonGrowth> {
    use sqlx::Row as _;
    let sql = format!(
        "SELECT CAST((SELECT {JSON_AGG}({JSON_OBJECT}('person_id', person_id, \
         'statement_id', statement_id, 'rater', rater, 'value', value, 'evidence', evidence, \
         'statement_text', statement_text, 'framework_hash', framework_hash, \
         'rated_by', rated_by, 'rated_at', rated_at)) \
         FROM ratings WHERE person_id = $1) AS TEXT) AS ratings, \
         CAST((SELECT {JSON_AGG}({JSON_OBJECT}('id', id, 'person_id', person_id, \
         'statement_id', statement_id, 'rater', rater, 'old_value', old_value, \
         'new_value', new_value, 'old_evidence', old_evidence, 'new_evidence', new_evidence, \
         'framework_hash', framework_hash, 'changed_by', changed_by, \
         'changed_at', changed_at)) \
         FROM rating_history WHERE person_id = $1) AS TEXT) AS history, \
         s.framework_hash, s.snapshot, s.seen_at \
         FROM (SELECT 1 AS one) AS o LEFT JOIN worksheet_seen s ON s.person_id = $1"
    );
    let r = sqlx::query(&sql).bind(person).fetch_one(pool).await?;
    let decode = |e: serde_json::Error| StoreError::Backend(format!("growth of {person}: {e}"));
    let ratings: Option<String> = r.try_get("ratings")?;
    let history: Option<String> = r.try_get("history")?;
    let seen_at: Option<i64> = r.try_get("seen_at")?;
    Ok(PersonGrowth {
        ratings: match ratings {
            Some(t) => serde_json::from_str(&t).map_err(decode)?,
            None => Vec::new(),
        },
        history: match history {
            Some(t) => serde_json::from_str(&t).map_err(decode)?,
            None => Vec::new(),
        },
        seen: match seen_at {
            Some(seen_at) => Some(Seen {
                person_id: person,
                framework_hash: r.try_get("framework_hash")?,
                snapshot: r.try_get("snapshot")?,
                seen_at,
            }),
            None => None,
        },
    })
}

/// [`Store::growth_of`] where rows stream cheaply but building JSON does
/// not (PostgreSQL): the three reads in one statement, each row marked
/// with the part it belongs to.
async fn growth_as_rows(pool: &sqlx::Pool<Db>, person: Id) -> Result<PersonGrowth> {
    use sqlx::Row as _;
    let rows = sqlx::query(
        "SELECT 0 AS part, CAST(NULL AS BIGINT) AS id, statement_id, rater, \
         value AS old_value, value AS new_value, evidence AS old_evidence, \
         evidence AS new_evidence, statement_text AS text, framework_hash, \
         rated_by AS who, rated_at AS at FROM ratings WHERE person_id = $1 \
         UNION ALL SELECT 1, id, statement_id, rater, old_value, new_value, old_evidence, \
         new_evidence, NULL, framework_hash, changed_by, changed_at \
         FROM rating_history WHERE person_id = $1 \
         UNION ALL SELECT 2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, snapshot, \
         framework_hash, NULL, seen_at FROM worksheet_seen WHERE person_id = $1",
    )
    .bind(person)
    .fetch_all(pool)
    .await?;
    let mut g = PersonGrowth::default();
    for r in rows {
        let part: i32 = r.try_get("part")?;
        let framework_hash: String = r.try_get("framework_hash")?;
        if part == 2 {
            g.seen = Some(Seen {
                person_id: person,
                framework_hash,
                snapshot: r.try_get("text")?,
                seen_at: r.try_get("at")?,
            });
            continue;
        }
        let statement_id: String = r.try_get("statement_id")?;
        let rater = rater_of(&r.try_get::<String, _>("rater")?)?;
        if part == 0 {
            g.ratings.push(Rating {
                person_id: person,
                statement_id,
                rater,
                value: r.try_get("new_value")?,
                evidence: r.try_get("new_evidence")?,
                statement_text: r.try_get("text")?,
                framework_hash,
                rated_by: r.try_get("who")?,
                rated_at: r.try_get("at")?,
            });
        } else {
            g.history.push(RatingChange {
                id: r.try_get("id")?,
                person_id: person,
                statement_id,
                rater,
                old_value: r.try_get("old_value")?,
                new_value: r.try_get("new_value")?,
                old_evidence: r.try_get("old_evidence")?,
                new_evidence: r.try_get("new_evidence")?,
                framework_hash,
                changed_by: r.try_get("who")?,
                changed_at: r.try_get("at")?,
            });
        }
    }
    Ok(g)
}

#[async_trait]
impl Store for This {
    fn backend(&self) -> &'static str {
        NAME
    }

    fn pool_use(&self) -> ladder_store::PoolUse {
        let open = self.pool.size();
        ladder_store::PoolUse {
            open,
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(open),
            max: self.pool.options().get_max_connections(),
        }
    }

    async fn list_people(&self) -> Result<Vec<Person>> {
        let sql = format!("{PERSON_SELECT} ORDER BY p.id");
        all(&self.pool, &sql, person_row).await
    }

    async fn person(&self, id: Id) -> Result<Option<Person>> {
        let sql = format!("{PERSON_SELECT} WHERE p.id = $1");
        one(&self.pool, &sql, id, person_row).await
    }

    async fn person_by_email(&self, email: &str) -> Result<Option<Person>> {
        let sql = format!("{PERSON_SELECT} WHERE p.email = $1");
        one(&self.pool, &sql, email.to_lowercase(), person_row).await
    }

    async fn reports(&self, manager: Id) -> Result<Vec<Person>> {
        let sql = format!("{PERSON_SELECT} WHERE p.manager_id = $1 ORDER BY p.name, p.id");
        many(&self.pool, &sql, manager, person_row).await
    }

    async fn count_people(&self) -> Result<i64> {
        use sqlx::Row as _;
        let r = sqlx::query("SELECT COUNT(*) AS n FROM people")
            .fetch_one(&self.pool)
            .await?;
        r.try_get("n").map_err(StoreError::from)
    }

    async fn apply_people(
        &self,
        records: &[ladder_org::PersonRecord],
        effective: &str,
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<ImportSummary> {
        apply_people_as(self, records, Effective::On(effective), by, now, rec).await
    }

    async fn apply_people_from_start(
        &self,
        records: &[ladder_org::PersonRecord],
        today: &str,
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<ImportSummary> {
        apply_people_as(self, records, Effective::FromStart(today), by, now, rec).await
    }

    async fn org_version(&self) -> Result<i64> {
        let r: (i64,) = sqlx::query_as("SELECT version FROM org_version WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(r.0)
    }

    async fn org(&self) -> Result<Org> {
        // One transaction, so the three reads agree.
        let mut tx = self.pool.begin().await?;
        let version: (i64,) = sqlx::query_as("SELECT version FROM org_version WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
        // Row by row rather than fetch_all: the rows of a big
        // organisation never sit in memory beside what they become.
        use ::futures_util::TryStreamExt as _;
        let sql = format!("{PERSON_SELECT} ORDER BY p.id");
        let mut people = Vec::new();
        {
            let mut stream = sqlx::query(&sql).fetch(&mut *tx);
            while let Some(r) = stream.try_next().await? {
                people.push(person_row(&r)?);
            }
        }
        let mut history = Vec::new();
        {
            let mut stream =
                sqlx::query("SELECT * FROM role_changes ORDER BY person_id, effective, id")
                    .fetch(&mut *tx);
            while let Some(r) = stream.try_next().await? {
                history.push(role_change_row(&r)?);
            }
        }
        tx.commit().await?;
        Ok(Org {
            version: version.0,
            people,
            history,
        })
    }

    async fn role_history(&self, person: Id) -> Result<Vec<RoleChange>> {
        many(
            &self.pool,
            "SELECT * FROM role_changes WHERE person_id = $1 ORDER BY effective, id",
            person,
            role_change_row,
        )
        .await
    }

    async fn create_account(
        &self,
        email: &str,
        name: &str,
        password_hash: Option<&str>,
        roles: Roles,
        now: i64,
        rec: &Record,
    ) -> Result<Id> {
        use sqlx::Row as _;
        let mut tx = self.begin_write().await?;
        let r = sqlx::query(
            "INSERT INTO accounts (email, name, password_hash, roles, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(email.to_lowercase())
        .bind(name)
        .bind(password_hash)
        .bind(roles.encode())
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict(format!("an account for {email}")),
            other => other,
        })?;
        let id = r.try_get("id")?;
        commit(self, tx, rec, Some(id)).await?;
        Ok(id)
    }

    async fn create_accounts(
        &self,
        accounts: &[ladder_store::NewAccount],
        now: i64,
        rec: &Record,
    ) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        for chunk in accounts.chunks(1000) {
            let mut qb = sqlx::QueryBuilder::<Db>::new(
                "INSERT INTO accounts (email, name, password_hash, roles, created_at) ",
            );
            qb.push_values(chunk, |mut b, a| {
                b.push_bind(a.email.trim().to_lowercase())
                    .push_bind(&a.name)
                    .push_bind(a.password_hash.as_deref())
                    .push_bind(a.roles.encode())
                    .push_bind(now);
            });
            qb.build()
                .execute(&mut *tx)
                .await
                .map_err(|e| match StoreError::from(e) {
                    StoreError::Conflict(_) => StoreError::Conflict(
                        "an account for one of these emails already exists".to_owned(),
                    ),
                    other => other,
                })?;
        }
        commit(self, tx, rec, None).await?;
        Ok(accounts.len())
    }

    async fn account(&self, id: Id) -> Result<Option<Account>> {
        one(
            &self.pool,
            "SELECT * FROM accounts WHERE id = $1",
            id,
            account_row,
        )
        .await
    }

    async fn account_by_email(&self, email: &str) -> Result<Option<Account>> {
        one(
            &self.pool,
            "SELECT * FROM accounts WHERE email = $1",
            email.to_lowercase(),
            account_row,
        )
        .await
    }

    async fn list_accounts(&self) -> Result<Vec<Account>> {
        all(
            &self.pool,
            "SELECT * FROM accounts ORDER BY id",
            account_row,
        )
        .await
    }

    async fn count_accounts(&self) -> Result<i64> {
        use sqlx::Row as _;
        let r = sqlx::query("SELECT COUNT(*) AS n FROM accounts")
            .fetch_one(&self.pool)
            .await?;
        r.try_get("n").map_err(StoreError::from)
    }

    async fn set_password(&self, id: Id, hash: &str, rec: &Record) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let res = sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if res.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("account {id}")));
        }
        commit(self, tx, rec, None).await?;
        Ok(())
    }

    async fn set_roles(&self, id: Id, roles: Roles, rec: &Record) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let res = sqlx::query("UPDATE accounts SET roles = $1 WHERE id = $2")
            .bind(roles.encode())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if res.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("account {id}")));
        }
        commit(self, tx, rec, None).await?;
        Ok(())
    }

    async fn create_session(&self, s: &Session) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, csrf, created_at, expires_at, ip, agent) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&s.token_hash)
        .bind(s.account_id)
        .bind(&s.csrf)
        .bind(s.created_at)
        .bind(s.expires_at)
        .bind(&s.ip)
        .bind(&s.agent)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn session(&self, token_hash: &str, now: i64) -> Result<Option<SessionView>> {
        use sqlx::Row as _;
        // Account columns keep their names, so account_row reads
        // them; the session's created_at is renamed.
        let r = sqlx::query(
            "SELECT a.id, a.email, a.name, a.password_hash, a.roles, a.created_at, a.deactivated_at, \
             s.token_hash, s.account_id, s.csrf, s.created_at AS session_created_at, s.expires_at, \
             s.ip, s.agent, (SELECT version FROM org_version WHERE id = 1) AS org_version, \
             p.id AS own_person, COALESCE(g.version, 0) AS own_growth \
             FROM sessions s JOIN accounts a ON a.id = s.account_id \
             LEFT JOIN people p ON p.email = a.email \
             LEFT JOIN growth_versions g ON g.person_id = p.id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.deactivated_at IS NULL",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = r else { return Ok(None) };
        let view = (|| -> Result<SessionView, sqlx::Error> {
            Ok(SessionView {
                session: Session {
                    token_hash: r.try_get("token_hash")?,
                    account_id: r.try_get("account_id")?,
                    csrf: r.try_get("csrf")?,
                    created_at: r.try_get("session_created_at")?,
                    expires_at: r.try_get("expires_at")?,
                    ip: r.try_get("ip")?,
                    agent: r.try_get("agent")?,
                },
                account: account_row(&r)?,
                org_version: r.try_get("org_version")?,
                own_growth: r
                    .try_get::<Option<Id>, _>("own_person")?
                    .map(|p| r.try_get("own_growth").map(|v| (p, v)))
                    .transpose()?,
            })
        })()?;
        Ok(Some(view))
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_expired_sessions(&self, now: i64) -> Result<u64> {
        let res = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(res.rows_affected())
    }

    async fn record_failure(&self, key: &str, now: i64) -> Result<()> {
        sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
            .bind(key)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn failures_since(&self, key: &str, since: i64) -> Result<i64> {
        use sqlx::Row as _;
        let r = sqlx::query("SELECT COUNT(*) AS n FROM login_failures WHERE key = $1 AND at >= $2")
            .bind(key)
            .bind(since)
            .fetch_one(&self.pool)
            .await?;
        r.try_get("n").map_err(StoreError::from)
    }

    async fn clear_failures(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_failures_before(&self, before: i64) -> Result<u64> {
        let res = sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(res.rows_affected())
    }

    async fn create_bootstrap(&self, token_hash: &str, now: i64) -> Result<()> {
        sqlx::query("INSERT INTO bootstrap_tokens (token_hash, created_at) VALUES ($1, $2)")
            .bind(token_hash)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn take_bootstrap(&self, token_hash: &str, not_before: i64) -> Result<bool> {
        let res =
            sqlx::query("DELETE FROM bootstrap_tokens WHERE token_hash = $1 AND created_at >= $2")
                .bind(token_hash)
                .bind(not_before)
                .execute(&self.pool)
                .await?;
        Ok(res.rows_affected() == 1)
    }

    async fn audit(&self, e: &AuditEvent) -> Result<()> {
        if !e.action.ends_with(".read") {
            let mut conn = self.pool.acquire().await?;
            insert_audit(&mut conn, e, &e.detail).await?;
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        read_in(&mut tx, e).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn sweep(&self, r: &Retention, now: i64, rec: &Record) -> Result<Swept> {
        let mut tx = self.begin_write().await?;
        let cutoff = |days: i64| (days > 0).then(|| now - days * 86_400);
        let mut swept = Swept::default();
        if let Some(before) = cutoff(r.audit_log_days) {
            sqlx::query("INSERT INTO audit_unlock (reason) VALUES ('retention')")
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "DELETE FROM audit_repeats WHERE entry_id IN (SELECT id FROM audit_log WHERE at < $1)",
            )
            .bind(before)
            .execute(&mut *tx)
            .await?;
            swept.audit_entries = sqlx::query("DELETE FROM audit_log WHERE at < $1")
                .bind(before)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            sqlx::query("DELETE FROM audit_unlock")
                .execute(&mut *tx)
                .await?;
        }
        if let Some(before) = cutoff(r.delivery_log_days) {
            swept.messages = sqlx::query(
                "DELETE FROM messages WHERE created_at < $1 AND state IN ('sent', 'failed', 'digested')",
            )
            .bind(before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        if let Some(before) = cutoff(r.leaver_one_on_ones_days) {
            let day = ladder_org::Date::from_unix(before).to_string();
            let old = "SELECT m.id FROM meetings m JOIN people a ON a.id = m.manager_id \
                 JOIN people b ON b.id = m.report_id \
                 WHERE m.date < $1 AND (NOT a.active OR NOT b.active)";
            for sql in [
                format!("DELETE FROM private_notes WHERE meeting_id IN ({old})"),
                format!("DELETE FROM agenda_items WHERE meeting_id IN ({old})"),
                format!(
                    "UPDATE action_items SET done_meeting_id = NULL WHERE done_meeting_id IN ({old})"
                ),
                format!("DELETE FROM action_items WHERE meeting_id IN ({old})"),
            ] {
                sqlx::query(&sql).bind(&day).execute(&mut *tx).await?;
            }
            swept.meetings = sqlx::query(&format!("DELETE FROM meetings WHERE id IN ({old})"))
                .bind(&day)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        if let Some(before) = cutoff(r.candidate_days) {
            let old = "SELECT c.id FROM candidates c JOIN openings o ON o.id = c.opening_id \
                 WHERE o.state = 'closed' AND c.created_at < $1";
            sqlx::query(&format!(
                "DELETE FROM scorecards WHERE candidate_id IN ({old})"
            ))
            .bind(before)
            .execute(&mut *tx)
            .await?;
            swept.candidates = sqlx::query(&format!("DELETE FROM candidates WHERE id IN ({old})"))
                .bind(before)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        if let Some(before) = cutoff(r.closed_cycle_answers_days) {
            swept.answers = sqlx::query(
                "DELETE FROM answers WHERE cycle_id IN \
                 (SELECT cycle_id FROM cycle_steps WHERE state = 'closed' AND at < $1)",
            )
            .bind(before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        let mut rec = rec.clone();
        rec.audit.detail = format!(
            "{}{} audit entries, {} messages, {} meetings of leavers, {} candidates, {} answers of closed cycles",
            rec.audit.detail,
            swept.audit_entries,
            swept.messages,
            swept.meetings,
            swept.candidates,
            swept.answers
        );
        commit(self, tx, &rec, None).await?;
        Ok(swept)
    }

    async fn audit_reads(&self, events: &[AuditEvent]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        reads_in(&mut tx, events).await?;
        tx.commit().await?;
        // An export's reads (one per person) change what the next lookup
        // should seek by; the statistics the planner reads follow at once.
        // Only plans depend on it: the reads are recorded whatever it says.
        if TIDIES && events.len() >= SUBJECTS_ASKED {
            let _refreshed = sqlx::query("ANALYZE audit_log").execute(&self.pool).await;
        }
        Ok(())
    }

    async fn audit_repeats(
        &self,
        entries: &[Id],
    ) -> Result<std::collections::BTreeMap<Id, (i64, i64)>> {
        let mut out = std::collections::BTreeMap::new();
        for chunk in entries.chunks(500) {
            let list: Vec<String> = chunk.iter().map(ToString::to_string).collect();
            let found: Vec<(Id, i64, i64)> = sqlx::query_as(&format!(
                "SELECT entry_id, count, last_at FROM audit_repeats WHERE entry_id IN ({})",
                list.join(", ")
            ))
            .fetch_all(&self.pool)
            .await?;
            out.extend(found.into_iter().map(|(id, n, last)| (id, (n, last))));
        }
        Ok(out)
    }

    async fn latest_event(&self) -> Result<Id> {
        let r: (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM events")
            .fetch_one(&self.pool)
            .await?;
        Ok(r.0.unwrap_or(0))
    }

    async fn events_after(&self, after: Id, limit: i64) -> Result<Vec<Event>> {
        let r = sqlx::query("SELECT * FROM events WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows(r, event_row)
    }

    async fn event_cursor(&self, consumer: &str) -> Result<Id> {
        let r: Option<(i64,)> =
            sqlx::query_as("SELECT position FROM event_cursors WHERE consumer = $1")
                .bind(consumer)
                .fetch_optional(&self.pool)
                .await?;
        Ok(r.map_or(0, |r| r.0))
    }

    async fn advance_event_cursor(
        &self,
        consumer: &str,
        from: Id,
        to: Id,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let moved = move_cursor(&mut tx, consumer, from, to, now).await?;
        tx.commit().await?;
        Ok(moved)
    }

    async fn schema(&self) -> Result<std::collections::BTreeMap<String, Vec<String>>> {
        let mut out: std::collections::BTreeMap<String, Vec<String>> =
            std::collections::BTreeMap::new();
        for (table, column) in self.table_columns().await? {
            out.entry(table).or_default().push(column);
        }
        Ok(out)
    }

    async fn audit_log(&self, before: Option<Id>, limit: i64) -> Result<Vec<AuditEvent>> {
        let r = sqlx::query("SELECT * FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2")
            .bind(before.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows(r, from_row::<AuditEvent>)
    }

    async fn audit_search(
        &self,
        filter: &AuditFilter,
        before: Option<Id>,
        limit: i64,
    ) -> Result<Vec<AuditEvent>> {
        // `action` is matched as a prefix, its LIKE wildcards escaped.
        let action = filter.action.as_ref().map(|a| {
            let escaped = a
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("{escaped}%")
        });
        let r = sqlx::query(
            "SELECT * FROM audit_log WHERE id < $1 \
             AND ($2 IS NULL OR actor_id = $2) AND ($3 IS NULL OR subject_id = $3) \
             AND ($4 IS NULL OR action LIKE $4 ESCAPE '\\') \
             AND ($5 IS NULL OR at >= $5) AND ($6 IS NULL OR at < $6) \
             ORDER BY id DESC LIMIT $7",
        )
        .bind(before.unwrap_or(i64::MAX))
        .bind(filter.actor_id)
        .bind(filter.subject_id)
        .bind(action)
        .bind(filter.from)
        .bind(filter.until)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows(r, from_row::<AuditEvent>)
    }

    async fn record_framework(
        &self,
        hash: &str,
        source: &str,
        summary: &str,
        now: i64,
        rec: &Record,
    ) -> Result<bool> {
        use sqlx::Row as _;
        let mut tx = self.begin_write().await?;
        let r = sqlx::query(
            "INSERT INTO framework_versions (hash, first_loaded_at, last_loaded_at, source, summary) \
             VALUES ($1, $2, $2, $3, $4) ON CONFLICT (hash) DO UPDATE \
             SET last_loaded_at = excluded.last_loaded_at, source = excluded.source \
             RETURNING first_loaded_at",
        )
        .bind(hash)
        .bind(now)
        .bind(source)
        .bind(summary)
        .fetch_one(&mut *tx)
        .await
        ?;
        let first: i64 = r.try_get("first_loaded_at")?;
        commit(self, tx, rec, None).await?;
        Ok(first == now)
    }

    async fn framework_versions(&self) -> Result<Vec<FrameworkVersion>> {
        all(
            &self.pool,
            "SELECT * FROM framework_versions ORDER BY first_loaded_at, hash",
            from_row::<FrameworkVersion>,
        )
        .await
    }

    async fn stage_framework(&self, r: &NewFrameworkRelease, rec: &Record) -> Result<Id> {
        use sqlx::Row as _;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE framework_releases SET state = 'discarded' WHERE state = 'staged'")
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query(
            "INSERT INTO framework_releases (hash, source, summary, files, state, staged_by, staged_at) \
             VALUES ($1, $2, $3, $4, 'staged', $5, $6) RETURNING id",
        )
        .bind(&r.hash)
        .bind(&r.source)
        .bind(&r.summary)
        .bind(&r.files)
        .bind(r.by)
        .bind(r.at)
        .fetch_one(&mut *tx)
        .await?;
        let id: Id = row.try_get("id")?;
        commit(self, tx, rec, None).await?;
        Ok(id)
    }

    async fn publish_framework(
        &self,
        id: Id,
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<()> {
        use sqlx::Row as _;
        let mut tx = self.begin_write().await?;
        let state: Option<String> =
            sqlx::query("SELECT state FROM framework_releases WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get("state"))
                .transpose()?;
        match state.as_deref() {
            None => return Err(StoreError::NotFound(format!("framework release {id}"))),
            Some("staged" | "retired") => {}
            Some(other) => {
                return Err(StoreError::Refused(format!(
                    "framework release {id} is {other}; only a staged or an earlier release can be published"
                )));
            }
        }
        sqlx::query("UPDATE framework_releases SET state = 'retired' WHERE state = 'live'")
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE framework_releases SET state = 'live', published_by = $2, published_at = $3 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        commit(self, tx, rec, None).await?;
        Ok(())
    }

    async fn framework_releases(&self, limit: i64) -> Result<Vec<FrameworkRelease>> {
        let r = sqlx::query(
            "SELECT id, hash, source, summary, state, staged_by, staged_at, published_by, published_at \
             FROM framework_releases ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows(r, from_row::<FrameworkRelease>)
    }

    async fn framework_files(&self, id: Id) -> Result<Option<String>> {
        use sqlx::Row as _;
        sqlx::query("SELECT files FROM framework_releases WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.try_get("files"))
            .transpose()
            .map_err(Into::into)
    }

    async fn live_framework(&self) -> Result<Option<(Id, String)>> {
        use sqlx::Row as _;
        match sqlx::query("SELECT id, hash FROM framework_releases WHERE state = 'live'")
            .fetch_optional(&self.pool)
            .await?
        {
            Some(r) => Ok(Some((r.try_get("id")?, r.try_get("hash")?))),
            None => Ok(None),
        }
    }

    async fn create_oidc_flow(&self, f: &OidcFlow) -> Result<()> {
        sqlx::query(
            "INSERT INTO oidc_flows (state, nonce, verifier, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&f.state)
        .bind(&f.nonce)
        .bind(&f.verifier)
        .bind(f.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn take_oidc_flow(&self, state: &str, not_before: i64) -> Result<Option<OidcFlow>> {
        use sqlx::Row as _;
        // Flows abandoned at the provider are never taken: drop
        // every stale one here rather than in a separate sweep.
        sqlx::query("DELETE FROM oidc_flows WHERE created_at < $1")
            .bind(not_before)
            .execute(&self.pool)
            .await?;
        let r = sqlx::query(
            "DELETE FROM oidc_flows WHERE state = $1 RETURNING state, nonce, verifier, created_at",
        )
        .bind(state)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = r else { return Ok(None) };
        let flow = (|| -> Result<OidcFlow, sqlx::Error> {
            Ok(OidcFlow {
                state: r.try_get("state")?,
                nonce: r.try_get("nonce")?,
                verifier: r.try_get("verifier")?,
                created_at: r.try_get("created_at")?,
            })
        })()?;
        Ok(Some(flow))
    }

    async fn ratings(&self, people: &[Id]) -> Result<Vec<Rating>> {
        let r = fetch_in(
            &self.pool,
            "SELECT * FROM ratings WHERE person_id",
            people,
            "ORDER BY person_id, statement_id, rater",
        )
        .await?;
        rows(r, rating_row)
    }

    async fn set_rating(&self, g: &Rating, rec: &Record) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let old = sqlx::query(
            "SELECT * FROM ratings WHERE person_id = $1 AND statement_id = $2 AND rater = $3",
        )
        .bind(g.person_id)
        .bind(&g.statement_id)
        .bind(g.rater.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let old = old.as_ref().map(rating_row).transpose()?;
        if let Some(o) = &old
            && (o.value, &o.evidence, &o.statement_text, &o.framework_hash)
                == (g.value, &g.evidence, &g.statement_text, &g.framework_hash)
        {
            return Ok(());
        }
        let sql = if old.is_some() {
            "UPDATE ratings SET value = $4, evidence = $5, statement_text = $6, framework_hash = $7, \
             rated_by = $8, rated_at = $9 WHERE person_id = $1 AND statement_id = $2 AND rater = $3"
        } else {
            "INSERT INTO ratings (person_id, statement_id, rater, value, evidence, statement_text, \
             framework_hash, rated_by, rated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        };
        sqlx::query(sql)
            .bind(g.person_id)
            .bind(&g.statement_id)
            .bind(g.rater.as_str())
            .bind(g.value)
            .bind(&g.evidence)
            .bind(&g.statement_text)
            .bind(&g.framework_hash)
            .bind(g.rated_by)
            .bind(g.rated_at)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO rating_history (person_id, statement_id, rater, old_value, new_value, \
             old_evidence, new_evidence, framework_hash, changed_by, changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(g.person_id)
        .bind(&g.statement_id)
        .bind(g.rater.as_str())
        .bind(old.as_ref().map(|o| o.value))
        .bind(g.value)
        .bind(old.as_ref().map(|o| o.evidence.as_str()))
        .bind(&g.evidence)
        .bind(&g.framework_hash)
        .bind(g.rated_by)
        .bind(g.rated_at)
        .execute(&mut *tx)
        .await?;
        commit(self, tx, rec, None).await.map_err(StoreError::from)
    }

    async fn rating_history(&self, people: &[Id]) -> Result<Vec<RatingChange>> {
        let mut r = rows(
            fetch_in(
                &self.pool,
                "SELECT * FROM rating_history WHERE person_id",
                people,
                "",
            )
            .await?,
            rating_change_row,
        )?;
        r.sort_by_key(|c| (c.changed_at, c.id));
        Ok(r)
    }

    async fn worksheet_seen(&self, person: Id) -> Result<Option<Seen>> {
        use sqlx::Row as _;
        let r = sqlx::query("SELECT * FROM worksheet_seen WHERE person_id = $1")
            .bind(person)
            .fetch_optional(&self.pool)
            .await?;
        let Some(r) = r else { return Ok(None) };
        let get = || -> Result<Seen, sqlx::Error> {
            Ok(Seen {
                person_id: r.try_get("person_id")?,
                framework_hash: r.try_get("framework_hash")?,
                snapshot: r.try_get("snapshot")?,
                seen_at: r.try_get("seen_at")?,
            })
        };
        get().map(Some).map_err(StoreError::from)
    }

    async fn growth_of(&self, person: Id) -> Result<PersonGrowth> {
        let mut g = if GATHER_IN_JSON {
            growth_as_json(&self.pool, person).await?
        } else {
            growth_as_rows(&self.pool, person).await?
        };
        g.ratings.sort_by(|a, b| {
            (&a.statement_id, a.rater.as_str()).cmp(&(&b.statement_id, b.rater.as_str()))
        });
        g.history.sort_by_key(|c| (c.changed_at, c.id));
        Ok(g)
    }

    async fn growth_version(&self, person: Id) -> Result<i64> {
        let (v,): (i64,) = sqlx::query_as(
            "SELECT COALESCE((SELECT version FROM growth_versions WHERE person_id = $1), 0)",
        )
        .bind(person)
        .fetch_one(&self.pool)
        .await?;
        Ok(v)
    }

    async fn set_worksheet_seen(&self, s: &Seen) -> Result<()> {
        sqlx::query(
            "INSERT INTO worksheet_seen (person_id, framework_hash, snapshot, seen_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (person_id) DO UPDATE SET \
             framework_hash = excluded.framework_hash, snapshot = excluded.snapshot, \
             seen_at = excluded.seen_at",
        )
        .bind(s.person_id)
        .bind(&s.framework_hash)
        .bind(&s.snapshot)
        .bind(s.seen_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn open_checkpoint(
        &self,
        person: Id,
        quarter: &str,
        areas: &[NewFocusArea],
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<Id> {
        use sqlx::Row as _;
        let mut tx = self.begin_write().await?;
        let id: Id = sqlx::query(
            "INSERT INTO checkpoints (person_id, quarter, opened_at, opened_by) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(person)
        .bind(quarter)
        .bind(now)
        .bind(by)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict(format!("a checkpoint for {quarter}")),
            e => e,
        })?
        .try_get("id")?;
        for (i, a) in areas.iter().enumerate() {
            sqlx::query(
                "INSERT INTO focus_areas (checkpoint_id, position, ref_id, title, goals, targets, ideas) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(i64::try_from(i).unwrap_or(i64::MAX))
            .bind(&a.ref_id)
            .bind(&a.title)
            .bind(&a.goals)
            .bind(&a.targets)
            .bind(&a.ideas)
            .execute(&mut *tx)
            .await
            ?;
        }
        commit(self, tx, rec, Some(id)).await?;
        Ok(id)
    }

    async fn checkpoint(&self, id: Id) -> Result<Option<Checkpoint>> {
        let r = sqlx::query("SELECT * FROM checkpoints WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let list = r
            .iter()
            .map(checkpoint_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(with_areas(&self.pool, list).await?.into_iter().next())
    }

    async fn checkpoints(&self, person: Id) -> Result<Vec<Checkpoint>> {
        let r = sqlx::query("SELECT * FROM checkpoints WHERE person_id = $1 ORDER BY quarter DESC")
            .bind(person)
            .fetch_all(&self.pool)
            .await?;
        with_areas(&self.pool, rows(r, checkpoint_row)?).await
    }

    async fn close_checkpoint(
        &self,
        id: Id,
        summaries: &[(Id, String)],
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let c = sqlx::query("SELECT * FROM checkpoints WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let c = c.as_ref().map(checkpoint_row).transpose()?;
        let c = c.ok_or_else(|| StoreError::NotFound(format!("checkpoint {id}")))?;
        if c.closed_at.is_some() {
            return Err(StoreError::Refused(format!(
                "the checkpoint for {} is already closed",
                c.quarter
            )));
        }
        let areas =
            sqlx::query("SELECT * FROM focus_areas WHERE checkpoint_id = $1 ORDER BY position")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
        // Every summary is checked before any is written.
        let mut checked = Vec::with_capacity(areas.len());
        for r in &areas {
            let (_, a) = focus_row(r)?;
            let summary = summaries
                .iter()
                .find(|(i, _)| *i == a.id)
                .map(|(_, s)| s.trim())
                .filter(|s| !s.is_empty())
                .ok_or_else(|| {
                    StoreError::Refused(format!(
                        "focus area `{}` needs a progress summary",
                        a.title
                    ))
                })?;
            checked.push((a.id, summary));
        }
        for (area, summary) in checked {
            sqlx::query("UPDATE focus_areas SET summary = $1 WHERE id = $2")
                .bind(summary)
                .bind(area)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE checkpoints SET closed_at = $1, closed_by = $2 WHERE id = $3")
            .bind(now)
            .bind(by)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        commit(self, tx, rec, None).await.map_err(StoreError::from)
    }

    async fn checkpoint_states(&self, quarters: &[String]) -> Result<Vec<CheckpointState>> {
        use sqlx::Row as _;
        let mut out = Vec::new();
        for q in quarters {
            let r = sqlx::query(
                "SELECT person_id, quarter, closed_at FROM checkpoints WHERE quarter = $1 ORDER BY person_id",
            )
            .bind(q)
            .fetch_all(&self.pool)
            .await
            ?;
            for row in &r {
                let closed: Option<i64> = row.try_get("closed_at")?;
                out.push(CheckpointState {
                    person_id: row.try_get("person_id")?,
                    quarter: row.try_get("quarter")?,
                    closed: closed.is_some(),
                });
            }
        }
        Ok(out)
    }

    async fn create_meeting(
        &self,
        manager: Id,
        report: Id,
        date: &str,
        now: i64,
        rec: &Record,
    ) -> Result<Id> {
        use sqlx::Row as _;
        let mut tx = self.begin_write().await?;
        let id = sqlx::query(
            "INSERT INTO meetings (manager_id, report_id, date, shared_notes, version, created_at) \
             VALUES ($1, $2, $3, '', 1, $4) RETURNING id",
        )
        .bind(manager)
        .bind(report)
        .bind(date)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict(format!("a meeting on {date}")),
            e => e,
        })?
        .try_get("id")?;
        commit(self, tx, rec, Some(id)).await?;
        Ok(id)
    }

    async fn meeting(&self, id: Id) -> Result<Option<Meeting>> {
        one(
            &self.pool,
            "SELECT * FROM meetings WHERE id = $1",
            id,
            from_row::<Meeting>,
        )
        .await
    }

    async fn meetings(&self, manager: Id, report: Id) -> Result<Vec<Meeting>> {
        let r = sqlx::query(
            "SELECT * FROM meetings WHERE manager_id = $1 AND report_id = $2 ORDER BY date, id",
        )
        .bind(manager)
        .bind(report)
        .fetch_all(&self.pool)
        .await?;
        rows(r, from_row::<Meeting>)
    }

    async fn meetings_on(&self, date: &str) -> Result<Vec<Meeting>> {
        let r = sqlx::query("SELECT * FROM meetings WHERE date = $1 ORDER BY id")
            .bind(date)
            .fetch_all(&self.pool)
            .await?;
        rows(r, from_row::<Meeting>)
    }

    async fn meeting_pairs(&self, person: Id) -> Result<Vec<(Id, Id)>> {
        use sqlx::Row as _;
        let r = sqlx::query(
            "SELECT DISTINCT manager_id, report_id FROM meetings \
             WHERE manager_id = $1 OR report_id = $1 ORDER BY manager_id, report_id",
        )
        .bind(person)
        .fetch_all(&self.pool)
        .await?;
        r.iter()
            .map(|r| Ok((r.try_get("manager_id")?, r.try_get("report_id")?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    async fn save_shared_notes(
        &self,
        meeting: Id,
        text: &str,
        expected: i64,
        rec: &Record,
    ) -> Result<i64> {
        use sqlx::Row as _;
        let mut tx = self.begin_write().await?;
        let r = sqlx::query(
            "UPDATE meetings SET shared_notes = $1, version = version + 1 \
             WHERE id = $2 AND version = $3 RETURNING version",
        )
        .bind(text)
        .bind(meeting)
        .bind(expected)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(r) = r {
            let version = r.try_get("version")?;
            commit(self, tx, rec, None).await?;
            return Ok(version);
        }
        drop(tx);
        match self.meeting(meeting).await? {
            None => Err(StoreError::NotFound(format!("meeting {meeting}"))),
            Some(m) => Err(StoreError::Stale {
                version: m.version,
                text: m.shared_notes,
            }),
        }
    }

    async fn add_agenda_item(
        &self,
        meeting: Id,
        author: Id,
        text: &str,
        now: i64,
        rec: &Record,
    ) -> Result<Id> {
        use sqlx::Row as _;
        let mut tx = self.begin_write().await?;
        let id = sqlx::query(
            "INSERT INTO agenda_items (meeting_id, author_id, text, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(meeting)
        .bind(author)
        .bind(text)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        commit(self, tx, rec, Some(id)).await?;
        Ok(id)
    }

    async fn agenda_items(&self, meeting: Id) -> Result<Vec<AgendaItem>> {
        many(
            &self.pool,
            "SELECT * FROM agenda_items WHERE meeting_id = $1 ORDER BY id",
            meeting,
            from_row::<AgendaItem>,
        )
        .await
    }

    async fn add_standing_item(
        &self,
        manager: Id,
        report: Id,
        author: Id,
        text: &str,
        now: i64,
        rec: &Record,
    ) -> Result<Id> {
        use sqlx::Row as _;
        let mut tx = self.begin_write().await?;
        let id = sqlx::query(
            "INSERT INTO standing_items (manager_id, report_id, author_id, text, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(manager)
        .bind(report)
        .bind(author)
        .bind(text)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        commit(self, tx, rec, Some(id)).await?;
        Ok(id)
    }

    async fn standing_items(&self, manager: Id, report: Id) -> Result<Vec<StandingItem>> {
        let r = sqlx::query(
            "SELECT * FROM standing_items WHERE manager_id = $1 AND report_id = $2 ORDER BY id",
        )
        .bind(manager)
        .bind(report)
        .fetch_all(&self.pool)
        .await?;
        rows(r, from_row::<StandingItem>)
    }

    async fn add_action_item(
        &self,
        meeting: Id,
        owner: Id,
        text: &str,
        now: i64,
        rec: &Record,
    ) -> Result<Id> {
        use sqlx::Row as _;
        let mut tx = self.begin_write().await?;
        // The pair comes from the meeting, in the same statement.
        let r = sqlx::query(
            "INSERT INTO action_items (manager_id, report_id, meeting_id, owner_id, text, created_at) \
             SELECT manager_id, report_id, id, $2, $3, $4 FROM meetings WHERE id = $1 RETURNING id",
        )
        .bind(meeting)
        .bind(owner)
        .bind(text)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await
        ?
        .ok_or_else(|| StoreError::NotFound(format!("meeting {meeting}")))?;
        let id = r.try_get("id")?;
        commit(self, tx, rec, Some(id)).await?;
        Ok(id)
    }

    async fn action_item(&self, id: Id) -> Result<Option<ActionItem>> {
        let sql = format!("{ACTION_SELECT} WHERE a.id = $1");
        one(&self.pool, &sql, id, from_row::<ActionItem>).await
    }

    async fn action_items(&self, manager: Id, report: Id) -> Result<Vec<ActionItem>> {
        let sql = format!(
            "{ACTION_SELECT} WHERE a.manager_id = $1 AND a.report_id = $2 ORDER BY m.date, a.id"
        );
        let r = sqlx::query(&sql)
            .bind(manager)
            .bind(report)
            .fetch_all(&self.pool)
            .await?;
        rows(r, from_row::<ActionItem>)
    }

    async fn complete_action(&self, id: Id, meeting: Id, now: i64, rec: &Record) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE action_items SET done_meeting_id = $1, done_at = $2 \
             WHERE id = $3 AND done_meeting_id IS NULL",
        )
        .bind(meeting)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 1 {
            commit(self, tx, rec, None).await?;
            return Ok(());
        }
        drop(tx);
        match self.action_item(id).await? {
            None => Err(StoreError::NotFound(format!("action item {id}"))),
            Some(a) => Err(StoreError::Refused(format!("`{}` is already done", a.text))),
        }
    }

    async fn private_note(&self, meeting: Id, author: Id) -> Result<Option<PrivateNote>> {
        let r = sqlx::query("SELECT * FROM private_notes WHERE meeting_id = $1 AND author_id = $2")
            .bind(meeting)
            .bind(author)
            .fetch_optional(&self.pool)
            .await?;
        r.as_ref()
            .map(from_row::<PrivateNote>)
            .transpose()
            .map_err(StoreError::from)
    }

    async fn private_notes(&self) -> Result<Vec<PrivateNote>> {
        let r = sqlx::query("SELECT * FROM private_notes ORDER BY meeting_id, author_id")
            .fetch_all(&self.pool)
            .await?;
        rows(r, from_row::<PrivateNote>)
    }

    async fn reseal_private_notes(&self, notes: &[(Id, Id, String)], rec: &Record) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for (meeting, author, text) in notes {
            sqlx::query(
                "UPDATE private_notes SET text = $1 WHERE meeting_id = $2 AND author_id = $3",
            )
            .bind(text)
            .bind(meeting)
            .bind(author)
            .execute(&mut *tx)
            .await?;
        }
        commit(self, tx, rec, None).await?;
        Ok(())
    }

    async fn save_private_note(
        &self,
        meeting: Id,
        author: Id,
        text: &str,
        expected: i64,
        now: i64,
        rec: &Record,
    ) -> Result<i64> {
        use sqlx::Row as _;
        let mut tx = self.begin_write().await?;
        let r = if expected == 0 {
            sqlx::query(
                "INSERT INTO private_notes (meeting_id, author_id, text, version, updated_at) \
                 VALUES ($1, $2, $3, 1, $4) ON CONFLICT (meeting_id, author_id) DO NOTHING \
                 RETURNING version",
            )
            .bind(meeting)
            .bind(author)
            .bind(text)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await
        } else {
            sqlx::query(
                "UPDATE private_notes SET text = $1, version = version + 1, updated_at = $2 \
                 WHERE meeting_id = $3 AND author_id = $4 AND version = $5 RETURNING version",
            )
            .bind(text)
            .bind(now)
            .bind(meeting)
            .bind(author)
            .bind(expected)
            .fetch_optional(&mut *tx)
            .await
        };
        if let Some(r) = r? {
            let version = r.try_get("version")?;
            commit(self, tx, rec, None).await?;
            return Ok(version);
        }
        drop(tx);
        match self.private_note(meeting, author).await? {
            Some(n) => Err(StoreError::Stale {
                version: n.version,
                text: n.text,
            }),
            None => Err(StoreError::Stale {
                version: 0,
                text: String::new(),
            }),
        }
    }

    async fn dump(&self) -> Result<Dump> {
        let people = {
            let sql = format!("{PERSON_SELECT} ORDER BY p.id");
            rows(sqlx::query(&sql).fetch_all(&self.pool).await?, person_row)?
        };
        let q = |sql: &'static str| sqlx::query(sql).fetch_all(&self.pool);
        Ok(Dump {
            format: DUMP_FORMAT,
            people,
            role_changes: rows(
                q("SELECT * FROM role_changes ORDER BY id").await?,
                role_change_row,
            )?,
            accounts: rows(q("SELECT * FROM accounts ORDER BY id").await?, account_row)?,
            sessions: rows(
                q("SELECT * FROM sessions ORDER BY token_hash").await?,
                from_row::<Session>,
            )?,
            api_tokens: rows(
                q("SELECT * FROM api_tokens ORDER BY id").await?,
                from_row::<ApiToken>,
            )?,
            audit: rows(
                q("SELECT * FROM audit_log ORDER BY id").await?,
                from_row::<AuditEvent>,
            )?,
            framework_versions: rows(
                q("SELECT * FROM framework_versions ORDER BY first_loaded_at, hash").await?,
                from_row::<FrameworkVersion>,
            )?,
            growth: dump_growth(&self.pool).await?,
        })
    }

    async fn restore(&self, d: &Dump) -> Result<()> {
        if d.format != DUMP_FORMAT {
            return Err(StoreError::Refused(format!(
                "this backup is format {}; this build reads format {}",
                d.format, DUMP_FORMAT
            )));
        }
        let mut tx = self.begin_write().await?;
        for t in ["people", "accounts", "audit_log"] {
            if count(&mut tx, t).await? > 0 {
                return Err(StoreError::Refused(format!(
                    "the database already holds data (table `{t}`); restore into a new, empty database"
                )));
            }
        }
        for a in &d.accounts {
            sqlx::query(
                "INSERT INTO accounts (id, email, name, password_hash, roles, created_at, \
                 deactivated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(a.id)
            .bind(&a.email)
            .bind(&a.name)
            .bind(a.password_hash.as_deref())
            .bind(a.roles.encode())
            .bind(a.created_at)
            .bind(a.deactivated_at)
            .execute(&mut *tx)
            .await?;
        }
        for p in &d.people {
            let q = sqlx::query(
                "INSERT INTO people (name, department, family, level, specialty, grade, location, \
                 start_date, active, email, id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            );
            person_binds(q, &p.record)
                .bind(&p.record.email)
                .bind(p.id)
                .execute(&mut *tx)
                .await?;
        }
        for p in &d.people {
            sqlx::query("UPDATE people SET manager_id = $1 WHERE id = $2")
                .bind(p.manager_id)
                .bind(p.id)
                .execute(&mut *tx)
                .await?;
        }
        for c in &d.role_changes {
            sqlx::query(
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
            ?;
        }
        for s in &d.sessions {
            sqlx::query(
                "INSERT INTO sessions (token_hash, account_id, csrf, created_at, expires_at, ip, \
                 agent) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&s.token_hash)
            .bind(s.account_id)
            .bind(&s.csrf)
            .bind(s.created_at)
            .bind(s.expires_at)
            .bind(&s.ip)
            .bind(&s.agent)
            .execute(&mut *tx)
            .await?;
        }
        for t in &d.api_tokens {
            sqlx::query(
                "INSERT INTO api_tokens (id, account_id, name, token_hash, created_at, expires_at, \
                 last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(t.id)
            .bind(t.account_id)
            .bind(&t.name)
            .bind(&t.token_hash)
            .bind(t.created_at)
            .bind(t.expires_at)
            .bind(t.last_used_at)
            .execute(&mut *tx)
            .await?;
        }
        for e in &d.audit {
            sqlx::query(
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
            .await?;
        }
        for v in &d.framework_versions {
            sqlx::query(
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
            ?;
        }
        restore_growth(&mut tx, &d.growth).await?;
        self.reset_sequences(&mut tx).await?;
        bump_org(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Creates or updates people by email inside `tx` (see
/// [`Store::apply_people`]); returns what changed and every stored person's
/// id by email. Bumps the organisation's version when anything changed.
/// [`PeopleStore::apply_people`] with the day role changes take effect.
async fn apply_people_as(
    store: &This,
    records: &[ladder_org::PersonRecord],
    effective: Effective<'_>,
    by: Option<Id>,
    now: i64,
    rec: &Record,
) -> Result<ImportSummary> {
    let mut tx = store.begin_write().await?;
    let (sum, _) = apply_people_in(&mut tx, records, effective, by, now).await?;

    let rec = Record {
        audit: AuditEvent {
            detail: sum.to_string(),
            ..rec.audit.clone()
        },
        object_id: None,
        data: serde_json::json!({
            "created": sum.created,
            "updated": sum.updated,
            "unchanged": sum.unchanged,
            "role_changes": sum.role_changes,
            "left": sum.left,
            "returned": sum.returned,
        }),
    };
    commit(store, tx, &rec, None).await?;
    Ok(sum)
}

/// When the role changes an import records take effect.
#[derive(Clone, Copy, Debug)]
pub(super) enum Effective<'a> {
    /// Every change on this day.
    On(&'a str),
    /// A new person's role from their start date (this day when they
    /// have none); any other change on this day.
    FromStart(&'a str),
}

pub(super) async fn apply_people_in(
    tx: &mut sqlx::Transaction<'_, Db>,
    records: &[ladder_org::PersonRecord],
    effective: Effective<'_>,
    by: Option<Id>,
    now: i64,
) -> Result<(ImportSummary, std::collections::HashMap<String, Id>)> {
    use sqlx::Row as _;
    // Whole-file imports are the common case (HR exports
    // everyone), so this works in batches: one read of everyone,
    // multi-row inserts, and one multi-row update of managers,
    // rather than queries per row.
    const CHUNK: usize = 1000;
    let mut sum = ImportSummary::default();
    let stored = sqlx::query(PERSON_SELECT).fetch_all(&mut **tx).await?;
    let mut ids: std::collections::HashMap<String, Id> =
        std::collections::HashMap::with_capacity(stored.len() + records.len());
    let mut old: std::collections::HashMap<String, Person> =
        std::collections::HashMap::with_capacity(stored.len());
    for r in &stored {
        let p = person_row(r)?;
        ids.insert(p.record.email.clone(), p.id);
        old.insert(p.record.email.clone(), p);
    }
    let mut seen = std::collections::HashSet::with_capacity(records.len());
    let mut fresh: Vec<&ladder_org::PersonRecord> = Vec::new();
    // (record, reason) for every role change to record.
    let mut changes: Vec<(&ladder_org::PersonRecord, &'static str)> = Vec::new();
    for r in records {
        if !seen.insert(r.email.as_str()) {
            return Err(StoreError::Conflict(format!(
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
                let q = sqlx::query(
                    "UPDATE people SET name = $1, department = $2, family = $3, level = $4, \
                         specialty = $5, grade = $6, location = $7, start_date = $8, active = $9 \
                         WHERE id = $10",
                );
                person_binds(q, r).bind(p.id).execute(&mut **tx).await?;
                sum.updated += 1;
                if p.record.active && !r.active {
                    super::accounts::leave(tx, p.id, &r.email, now).await?;
                    sum.left += 1;
                } else if !p.record.active && r.active {
                    super::accounts::come_back(tx, &r.email).await?;
                    sum.returned += 1;
                }
                if p.record.role != r.role {
                    changes.push((r, "import"));
                }
            }
        }
    }
    for chunk in fresh.chunks(CHUNK) {
        let mut qb = sqlx::QueryBuilder::<Db>::new(
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
        for row in qb.build().fetch_all(&mut **tx).await? {
            let id: Id = row.try_get("id")?;
            let email: String = row.try_get("email")?;
            ids.insert(email, id);
        }
    }
    for chunk in changes.chunks(CHUNK) {
        let mut qb = sqlx::QueryBuilder::<Db>::new(
            "INSERT INTO role_changes (person_id, effective, family, level, specialty, grade, \
                 reason, recorded_at, recorded_by) ",
        );
        qb.push_values(chunk, |mut b, (r, reason)| {
            let day = match (effective, *reason, r.start_date) {
                (Effective::FromStart(_), "hired", Some(start)) => start.to_string(),
                (Effective::On(day) | Effective::FromStart(day), _, _) => day.to_owned(),
            };
            b.push_bind(ids.get(&r.email).copied())
                .push_bind(day)
                .push_bind(&r.role.family)
                .push_bind(&r.role.level)
                .push_bind(r.role.specialty.as_deref())
                .push_bind(&r.role.grade)
                .push_bind(*reason)
                .push_bind(now)
                .push_bind(by);
        });
        qb.build().execute(&mut **tx).await?;
        sum.role_changes += chunk.len();
    }
    // Managers last: a file may list reports before managers.
    let mut links: Vec<(Id, Option<Id>)> = Vec::new();
    for r in records {
        let manager =
            match &r.manager_email {
                None => None,
                Some(m) => Some(*ids.get(m).ok_or_else(|| {
                    StoreError::NotFound(format!("the manager {m} of {}", r.email))
                })?),
            };
        let id = *ids
            .get(&r.email)
            .ok_or_else(|| StoreError::Backend(format!("{} was not stored", r.email)))?;
        let current = old.get(&r.email).and_then(|p| p.manager_id);
        if manager != current {
            links.push((id, manager));
        }
    }
    for chunk in links.chunks(CHUNK) {
        // VALUES columns are column1, column2 in both backends.
        let mut qb =
            sqlx::QueryBuilder::<Db>::new("UPDATE people SET manager_id = v.column2 FROM (");
        qb.push_values(chunk, |mut b, (id, manager)| {
            b.push_bind(*id).push_bind(*manager);
        });
        qb.push(") AS v WHERE people.id = v.column1");
        qb.build().execute(&mut **tx).await?;
    }
    if sum.created + sum.updated > 0 {
        bump_org(tx).await?;
    }
    Ok((sum, ids))
}
