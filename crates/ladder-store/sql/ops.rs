//! [`OpsStore`](OpsStore) for both backends: pay, internships and hiring.

use super::{Db, DbRow, This};
#[allow(unused_imports)]
use super::{feedback::*, store::*};
use ladder_store::{
    Candidate, Decision, HiringRole, Id, Internship, InternshipState, LogEntry, Moved,
    NewInternship, NewOpening, Opening, OpsStore, Record, Result, Scorecard, Side, TeamMember,
};
use ladder_store::{StoreError, async_trait};
#[allow(unused_imports)]
use ladder_store::{serde, serde_json};

pub(super) fn json_col<T: serde::de::DeserializeOwned>(
    r: &DbRow,
    column: &str,
) -> Result<T, sqlx::Error> {
    use sqlx::Row as _;
    let text: String = r.try_get(column)?;
    serde_json::from_str(&text).map_err(|e| sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: Box::new(e),
    })
}

pub(super) fn date_col(r: &DbRow, column: &str) -> Result<ladder_org::Date, sqlx::Error> {
    use sqlx::Row as _;
    let text: String = r.try_get(column)?;
    text.parse().map_err(|e: String| sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: e.into(),
    })
}

pub(super) fn band_row(r: &DbRow) -> Result<ladder_org::pay::Band, sqlx::Error> {
    use sqlx::Row as _;
    Ok(ladder_org::pay::Band {
        family: r.try_get("family")?,
        level: r.try_get("level")?,
        grade: r.try_get("grade")?,
        zone: r.try_get("zone")?,
        currency: r.try_get("currency")?,
        min: r.try_get("min_amount")?,
        mid: r.try_get("mid_amount")?,
        max: r.try_get("max_amount")?,
        effective_from: date_col(r, "effective_from")?,
    })
}

pub(super) fn salary_row(r: &DbRow) -> Result<ladder_org::pay::Salary, sqlx::Error> {
    use sqlx::Row as _;
    Ok(ladder_org::pay::Salary {
        person_id: r.try_get("person_id")?,
        amount: r.try_get("amount")?,
        currency: r.try_get("currency")?,
        effective_from: date_col(r, "effective_from")?,
    })
}

pub(super) fn decision_of(r: &DbRow, side: &str) -> Result<Option<Decision>, sqlx::Error> {
    use sqlx::Row as _;
    let d: Option<i64> = r.try_get(format!("{side}_decision").as_str())?;
    let Some(d) = d else { return Ok(None) };
    Ok(Some(Decision {
        approved: d != 0,
        by: r.try_get(format!("{side}_by").as_str())?,
        comment: r.try_get(format!("{side}_comment").as_str())?,
        at: r
            .try_get::<Option<i64>, _>(format!("{side}_at").as_str())?
            .unwrap_or(0),
    }))
}

pub(super) fn internship_row(r: &DbRow) -> Result<Internship, sqlx::Error> {
    use sqlx::Row as _;
    let state: String = r.try_get("state")?;
    let competencies: String = r.try_get("competencies")?;
    Ok(Internship {
        id: r.try_get("id")?,
        new: NewInternship {
            person_id: r.try_get("person_id")?,
            host_department: r.try_get("host_department")?,
            mentor_id: r.try_get("mentor_id")?,
            goals: r.try_get("goals")?,
            competencies: competencies
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            share: r.try_get("share")?,
            start_date: r.try_get("start_date")?,
            end_date: r.try_get("end_date")?,
            activities: json_col(r, "activities")?,
            access: r.try_get("access")?,
        },
        state: InternshipState::parse(&state).ok_or_else(|| bad_value("state", &state))?,
        manager: decision_of(r, "manager")?,
        host: decision_of(r, "host")?,
        outcome: r.try_get("outcome")?,
        moved: json_col(r, "moved")?,
        completed_at: r.try_get("completed_at")?,
        created_at: r.try_get("created_at")?,
    })
}

pub(super) fn opening_row(r: &DbRow) -> Result<Opening, sqlx::Error> {
    use sqlx::Row as _;
    Ok(Opening {
        id: r.try_get("id")?,
        new: NewOpening {
            title: r.try_get("title")?,
            family: r.try_get("family")?,
            level: r.try_get("level")?,
            specialty: r.try_get("specialty")?,
            team: Vec::new(),
        },
        state: r.try_get("state")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

pub(super) fn member_row(r: &DbRow) -> Result<(i64, TeamMember), sqlx::Error> {
    use sqlx::Row as _;
    let role: String = r.try_get("role")?;
    Ok((
        r.try_get("opening_id")?,
        TeamMember {
            account_id: r.try_get("account_id")?,
            role: HiringRole::parse(&role).ok_or_else(|| bad_value("role", &role))?,
        },
    ))
}

pub(super) fn scorecard_row(r: &DbRow) -> Result<Scorecard, sqlx::Error> {
    use sqlx::Row as _;
    Ok(Scorecard {
        candidate_id: r.try_get("candidate_id")?,
        stage: r.try_get("stage")?,
        interviewer_id: r.try_get("interviewer_id")?,
        scores: json_col(r, "scores")?,
        notes: r.try_get("notes")?,
        submitted_at: r.try_get("submitted_at")?,
    })
}

pub(super) fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Backend(e.to_string()))
}

/// Rows per multi-row insert (at most 9 binds a row: far below either
/// backend's limit).
const BATCH: usize = 1000;

#[async_trait]
impl OpsStore for This {
    async fn put_bands(&self, bands: &[ladder_org::pay::Band], rec: &Record) -> Result<usize> {
        // A band given twice keeps its last row, as one row after another
        // would; a multi-row upsert may not touch a row twice.
        let mut last = std::collections::HashMap::with_capacity(bands.len());
        for (i, b) in bands.iter().enumerate() {
            last.insert(
                (&b.family, &b.level, &b.grade, &b.zone, b.effective_from),
                i,
            );
        }
        let kept: Vec<&ladder_org::pay::Band> = bands
            .iter()
            .enumerate()
            .filter(|(i, b)| {
                last.get(&(&b.family, &b.level, &b.grade, &b.zone, b.effective_from)) == Some(i)
            })
            .map(|(_, b)| b)
            .collect();
        let mut tx = self.begin_write().await?;
        for chunk in kept.chunks(BATCH) {
            let mut qb = sqlx::QueryBuilder::<Db>::new(
                "INSERT INTO pay_bands (grade, zone, effective_from, currency, min_amount, mid_amount, max_amount, family, level) ",
            );
            qb.push_values(chunk, |mut q, b| {
                q.push_bind(&b.grade)
                    .push_bind(&b.zone)
                    .push_bind(b.effective_from.to_string())
                    .push_bind(&b.currency)
                    .push_bind(b.min)
                    .push_bind(b.mid)
                    .push_bind(b.max)
                    .push_bind(&b.family)
                    .push_bind(&b.level);
            });
            qb.push(
                " ON CONFLICT (family, level, grade, zone, effective_from) DO UPDATE SET \
                 currency = excluded.currency, min_amount = excluded.min_amount, \
                 mid_amount = excluded.mid_amount, max_amount = excluded.max_amount",
            );
            qb.build().execute(&mut *tx).await?;
        }
        // Cached pay views are per version of the organisation.
        bump_org(&mut tx).await?;
        commit(self, tx, rec, None).await?;
        Ok(bands.len())
    }

    async fn bands(&self) -> Result<Vec<ladder_org::pay::Band>> {
        all(
            &self.pool,
            "SELECT * FROM pay_bands ORDER BY zone, effective_from, grade, family, level",
            band_row,
        )
        .await
    }

    async fn put_salaries(
        &self,
        salaries: &[ladder_org::pay::Salary],
        rec: &Record,
    ) -> Result<usize> {
        let mut last = std::collections::HashMap::with_capacity(salaries.len());
        for (i, s) in salaries.iter().enumerate() {
            last.insert((s.person_id, s.effective_from), i);
        }
        let kept: Vec<&ladder_org::pay::Salary> = salaries
            .iter()
            .enumerate()
            .filter(|(i, s)| last.get(&(s.person_id, s.effective_from)) == Some(i))
            .map(|(_, s)| s)
            .collect();
        let mut tx = self.begin_write().await?;
        for chunk in kept.chunks(BATCH) {
            let mut qb = sqlx::QueryBuilder::<Db>::new(
                "INSERT INTO salaries (person_id, effective_from, amount, currency) ",
            );
            qb.push_values(chunk, |mut q, s| {
                q.push_bind(s.person_id)
                    .push_bind(s.effective_from.to_string())
                    .push_bind(s.amount)
                    .push_bind(&s.currency);
            });
            qb.push(
                " ON CONFLICT (person_id, effective_from) DO UPDATE SET amount = excluded.amount, \
                 currency = excluded.currency",
            );
            qb.build().execute(&mut *tx).await?;
        }
        bump_org(&mut tx).await?;
        commit(self, tx, rec, None).await?;
        Ok(salaries.len())
    }

    async fn salaries(&self) -> Result<Vec<ladder_org::pay::Salary>> {
        all(
            &self.pool,
            "SELECT * FROM salaries ORDER BY person_id, effective_from",
            salary_row,
        )
        .await
    }

    async fn salaries_of(&self, person: Id) -> Result<Vec<ladder_org::pay::Salary>> {
        many(
            &self.pool,
            "SELECT * FROM salaries WHERE person_id = $1 ORDER BY effective_from",
            person,
            salary_row,
        )
        .await
    }

    async fn salaries_for(&self, people: &[Id]) -> Result<Vec<ladder_org::pay::Salary>> {
        let rows = fetch_in(
            &self.pool,
            "SELECT * FROM salaries WHERE person_id",
            people,
            "",
        )
        .await?;
        let mut out = rows.iter().map(salary_row).collect::<Result<Vec<_>, _>>()?;
        out.sort_by_key(|a| (a.person_id, a.effective_from));
        Ok(out)
    }

    async fn create_internship(&self, i: &NewInternship, now: i64, rec: &Record) -> Result<Id> {
        use sqlx::Row as _;
        let mut tx = self.begin_write().await?;
        let id: Id = sqlx::query(
            "INSERT INTO internships (person_id, host_department, mentor_id, goals, competencies, share, \
             start_date, end_date, activities, access, state, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'requested', $11) RETURNING id",
        )
        .bind(i.person_id)
        .bind(&i.host_department)
        .bind(i.mentor_id)
        .bind(&i.goals)
        .bind(i.competencies.join(","))
        .bind(i.share)
        .bind(&i.start_date)
        .bind(&i.end_date)
        .bind(to_json(&i.activities)?)
        .bind(&i.access)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        ?
        .try_get("id")
        ?;
        commit(self, tx, rec, Some(id)).await?;
        Ok(id)
    }

    async fn internship(&self, id: Id) -> Result<Option<Internship>> {
        one(
            &self.pool,
            "SELECT * FROM internships WHERE id = $1",
            id,
            internship_row,
        )
        .await
    }

    async fn internships(&self) -> Result<Vec<Internship>> {
        all(
            &self.pool,
            "SELECT * FROM internships ORDER BY start_date DESC, id DESC",
            internship_row,
        )
        .await
    }

    async fn decide_internship(
        &self,
        id: Id,
        side: Side,
        approved: bool,
        by: Id,
        comment: &str,
        now: i64,
        rec: &Record,
    ) -> Result<InternshipState> {
        let mut tx = self.begin_write().await?;
        let r = sqlx::query("SELECT * FROM internships WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("internship {id}")))?;
        let current = internship_row(&r)?;
        if current.state != InternshipState::Requested {
            return Err(StoreError::Refused(format!(
                "the internship is already {}",
                current.state.as_str()
            )));
        }
        let (col, other) = match side {
            Side::Manager => ("manager", current.host.as_ref()),
            Side::Host => ("host", current.manager.as_ref()),
        };
        let state = if !approved {
            InternshipState::Declined
        } else if other.is_some_and(|d| d.approved) {
            InternshipState::Approved
        } else {
            InternshipState::Requested
        };
        let sql = format!(
            "UPDATE internships SET {col}_decision = $1, {col}_by = $2, {col}_comment = $3, \
             {col}_at = $4, state = $5 WHERE id = $6"
        );
        sqlx::query(&sql)
            .bind(i64::from(approved))
            .bind(by)
            .bind(comment)
            .bind(now)
            .bind(state.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        commit(self, tx, rec, None).await?;
        Ok(state)
    }

    async fn add_internship_log(
        &self,
        id: Id,
        author: Id,
        date: &str,
        text: &str,
        now: i64,
        rec: &Record,
    ) -> Result<Id> {
        use sqlx::Row as _;
        let mut tx = self.begin_write().await?;
        let state: Option<(String,)> =
            sqlx::query_as("SELECT state FROM internships WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        match state {
            None => {
                return Err(StoreError::NotFound(format!("internship {id}")));
            }
            Some((s,)) if s != "approved" => {
                return Err(StoreError::Refused(format!(
                    "activities are logged while an internship runs; this one is {s}"
                )));
            }
            Some(_) => {}
        }
        let entry: Id = sqlx::query(
            "INSERT INTO internship_log (internship_id, author_id, date, text, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(id)
        .bind(author)
        .bind(date)
        .bind(text)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        commit(self, tx, rec, None).await?;
        Ok(entry)
    }

    async fn internship_log(&self, id: Id) -> Result<Vec<LogEntry>> {
        many(
            &self.pool,
            "SELECT * FROM internship_log WHERE internship_id = $1 ORDER BY date, id",
            id,
            from_row::<LogEntry>,
        )
        .await
    }

    async fn complete_internship(
        &self,
        id: Id,
        outcome: &str,
        moved: &[Moved],
        now: i64,
        rec: &Record,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE internships SET state = 'completed', outcome = $1, moved = $2, completed_at = $3 \
             WHERE id = $4 AND state = 'approved'",
        )
        .bind(outcome)
        .bind(to_json(&moved)?)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await
        ?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Refused(
                "only an approved, running internship can be completed".to_owned(),
            ));
        }
        commit(self, tx, rec, None).await?;
        Ok(())
    }

    async fn create_opening(
        &self,
        o: &NewOpening,
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<Id> {
        use sqlx::Row as _;
        let mut tx = self.begin_write().await?;
        let id: Id = sqlx::query(
            "INSERT INTO openings (title, family, level, specialty, state, created_by, created_at) \
             VALUES ($1, $2, $3, $4, 'open', $5, $6) RETURNING id",
        )
        .bind(&o.title)
        .bind(&o.family)
        .bind(&o.level)
        .bind(&o.specialty)
        .bind(by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        for m in &o.team {
            sqlx::query(
                "INSERT INTO hiring_team (opening_id, account_id, role) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(m.account_id)
            .bind(m.role.as_str())
            .execute(&mut *tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict(_) => {
                    StoreError::Refused(format!("account {} is on the team twice", m.account_id))
                }
                e => e,
            })?;
        }
        commit(self, tx, rec, Some(id)).await?;
        Ok(id)
    }

    async fn openings(&self) -> Result<Vec<Opening>> {
        let r = sqlx::query("SELECT * FROM openings ORDER BY id DESC")
            .fetch_all(&self.pool)
            .await?;
        let mut list = rows(r, opening_row)?;
        let team = sqlx::query("SELECT * FROM hiring_team ORDER BY opening_id, account_id")
            .fetch_all(&self.pool)
            .await?;
        for (opening, m) in rows(team, member_row)? {
            if let Some(o) = list.iter_mut().find(|o| o.id == opening) {
                o.new.team.push(m);
            }
        }
        Ok(list)
    }

    async fn opening(&self, id: Id) -> Result<Option<Opening>> {
        let r = sqlx::query("SELECT * FROM openings WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(mut o) = r.as_ref().map(opening_row).transpose()? else {
            return Ok(None);
        };
        let team =
            sqlx::query("SELECT * FROM hiring_team WHERE opening_id = $1 ORDER BY account_id")
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
        o.new.team = rows(team, member_row)?
            .into_iter()
            .map(|(_, m)| m)
            .collect();
        Ok(Some(o))
    }

    async fn add_candidate(
        &self,
        opening: Id,
        name: &str,
        contact: &str,
        stage: &str,
        now: i64,
        rec: &Record,
    ) -> Result<Id> {
        use sqlx::Row as _;
        let mut tx = self.begin_write().await?;
        let id: Id = sqlx::query(
            "INSERT INTO candidates (opening_id, name, contact, stage, state, created_at) \
             VALUES ($1, $2, $3, $4, 'active', $5) RETURNING id",
        )
        .bind(opening)
        .bind(name)
        .bind(contact)
        .bind(stage)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        commit(self, tx, rec, Some(id)).await?;
        Ok(id)
    }

    async fn candidates(&self, opening: Id) -> Result<Vec<Candidate>> {
        many(
            &self.pool,
            "SELECT * FROM candidates WHERE opening_id = $1 ORDER BY id",
            opening,
            from_row::<Candidate>,
        )
        .await
    }

    async fn candidate(&self, id: Id) -> Result<Option<Candidate>> {
        one(
            &self.pool,
            "SELECT * FROM candidates WHERE id = $1",
            id,
            from_row::<Candidate>,
        )
        .await
    }

    async fn move_candidate(
        &self,
        id: Id,
        from: &str,
        stage: &str,
        state: &str,
        rec: &Record,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE candidates SET stage = $1, state = $2 WHERE id = $3 AND stage = $4 AND state = 'active'",
        )
        .bind(stage)
        .bind(state)
        .bind(id)
        .bind(from)
        .execute(&mut *tx)
        .await
        ?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Refused(format!(
                "the candidate is no longer active at stage {from}; reload to see where they are"
            )));
        }
        commit(self, tx, rec, None).await?;
        Ok(())
    }

    async fn submit_scorecard(&self, s: &Scorecard, rec: &Record) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO scorecards (candidate_id, stage, interviewer_id, scores, notes, submitted_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(s.candidate_id)
        .bind(&s.stage)
        .bind(s.interviewer_id)
        .bind(to_json(&s.scores)?)
        .bind(&s.notes)
        .bind(s.submitted_at)
        .execute(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Refused(format!(
                "you have already submitted a scorecard for stage {}",
                s.stage
            )),
            e => e,
        })?;
        commit(self, tx, rec, None).await?;
        Ok(())
    }

    async fn scorecards(&self, candidate: Id) -> Result<Vec<Scorecard>> {
        let r = sqlx::query(
            "SELECT * FROM scorecards WHERE candidate_id = $1 ORDER BY submitted_at, interviewer_id",
        )
        .bind(candidate)
        .fetch_all(&self.pool)
        .await
        ?;
        rows(r, scorecard_row)
    }

    async fn delete_candidate(&self, id: Id, rec: &Record) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM scorecards WHERE candidate_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM candidates WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("candidate {id}")));
        }
        commit(self, tx, rec, None).await?;
        Ok(())
    }
}
