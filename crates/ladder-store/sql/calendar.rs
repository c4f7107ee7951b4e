//! [`CalendarStore`] for both backends: 1:1 series and feed tokens.

use super::store::{commit, enum_col, many, one};
use super::{DbRow, This};
use ladder_store::{
    Cadence, CalendarStore, Id, NewSeries, Record, Result, Series, SeriesState, StoreError,
    async_trait,
};

fn series_row(r: &DbRow) -> Result<Series, sqlx::Error> {
    use sqlx::Row as _;
    Ok(Series {
        id: r.try_get("id")?,
        new: NewSeries {
            manager_id: r.try_get("manager_id")?,
            report_id: r.try_get("report_id")?,
            cadence: enum_col(r, "cadence", Cadence::parse)?,
            first_date: r.try_get("first_date")?,
            until_date: r.try_get("until_date")?,
            start_time: r.try_get("start_time")?,
            time_zone: r.try_get("time_zone")?,
            duration_minutes: r.try_get("duration_minutes")?,
        },
        state: enum_col(r, "state", SeriesState::parse)?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

#[async_trait]
impl CalendarStore for This {
    async fn create_series(
        &self,
        s: &NewSeries,
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<Id> {
        let mut tx = self.begin_write().await?;
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM meeting_series WHERE manager_id = $1 AND report_id = $2 \
             AND state <> 'ended'",
        )
        .bind(s.manager_id)
        .bind(s.report_id)
        .fetch_one(&mut *tx)
        .await?;
        if open > 0 {
            return Err(StoreError::Conflict(
                "the pair already has a series; end it before starting another".to_owned(),
            ));
        }
        let id: Id = sqlx::query_scalar(
            "INSERT INTO meeting_series (manager_id, report_id, cadence, first_date, until_date, \
             start_time, time_zone, duration_minutes, state, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9, $10, $10) RETURNING id",
        )
        .bind(s.manager_id)
        .bind(s.report_id)
        .bind(s.cadence.as_str())
        .bind(&s.first_date)
        .bind(&s.until_date)
        .bind(&s.start_time)
        .bind(&s.time_zone)
        .bind(s.duration_minutes)
        .bind(by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        commit(self, tx, rec, Some(id)).await?;
        Ok(id)
    }

    async fn series(&self, id: Id) -> Result<Option<Series>> {
        one(
            &self.pool,
            "SELECT * FROM meeting_series WHERE id = $1",
            id,
            series_row,
        )
        .await
    }

    async fn pair_series(&self, manager: Id, report: Id) -> Result<Vec<Series>> {
        let found = sqlx::query(
            "SELECT * FROM meeting_series WHERE manager_id = $1 AND report_id = $2 \
             ORDER BY id DESC",
        )
        .bind(manager)
        .bind(report)
        .fetch_all(&self.pool)
        .await?;
        super::store::rows(found, series_row)
    }

    async fn person_series(&self, person: Id) -> Result<Vec<Series>> {
        let found = sqlx::query(
            "SELECT * FROM meeting_series WHERE manager_id = $1 OR report_id = $1 ORDER BY id DESC",
        )
        .bind(person)
        .fetch_all(&self.pool)
        .await?;
        super::store::rows(found, series_row)
    }

    async fn active_series(&self) -> Result<Vec<Series>> {
        many(
            &self.pool,
            "SELECT * FROM meeting_series WHERE state = $1 ORDER BY id",
            "active",
            series_row,
        )
        .await
    }

    async fn set_series_state(
        &self,
        id: Id,
        state: SeriesState,
        now: i64,
        rec: &Record,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE meeting_series SET state = $1, updated_at = $2 WHERE id = $3 AND state <> 'ended'",
        )
        .bind(state.as_str())
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Refused(format!(
                "series {id} has ended (or does not exist); start a new one"
            )));
        }
        commit(self, tx, &rec.clone().object(id), None).await?;
        Ok(())
    }

    async fn set_calendar_token(
        &self,
        person: Id,
        token_hash: &str,
        now: i64,
        rec: &Record,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO calendar_tokens (person_id, token_hash, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (person_id) DO UPDATE SET token_hash = $2, created_at = $3",
        )
        .bind(person)
        .bind(token_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        commit(self, tx, rec, None).await?;
        Ok(())
    }

    async fn calendar_person(&self, token_hash: &str) -> Result<Option<Id>> {
        Ok(
            sqlx::query_scalar("SELECT person_id FROM calendar_tokens WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn has_calendar_token(&self, person: Id) -> Result<bool> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM calendar_tokens WHERE person_id = $1")
                .bind(person)
                .fetch_one(&self.pool)
                .await?;
        Ok(n > 0)
    }
}
