//! [`FeedbackStore`](FeedbackStore) for both backends: 360 cycles,
//! nominations, answers, proposals and calibration locks.

use super::{Db, DbRow, ROW_LOCK, This};
#[allow(unused_imports)]
use super::{ops::*, store::*};
use ladder_store::{
    Answer, CalibrationLock, Cycle, CycleState, CycleStep, FeedbackRelation, FeedbackStore, Id,
    NewAnswer, NewCycle, NewNomination, NewProposal, NewRelease, Nomination, NominationList,
    Proposal, ProposalState, ProposalStep, Record, Release, Result, Snapshot,
};
use ladder_store::{StoreError, async_trait};
#[allow(unused_imports)]
use ladder_store::{serde, serde_json};

pub(super) fn cycle_row(r: &DbRow) -> Result<Cycle, sqlx::Error> {
    use sqlx::Row as _;
    let state: String = r.try_get("state")?;
    Ok(Cycle {
        id: r.try_get("id")?,
        plan: NewCycle {
            name: r.try_get("name")?,
            nominations_open: r.try_get("nominations_open")?,
            nominations_close: r.try_get("nominations_close")?,
            feedback_open: r.try_get("feedback_open")?,
            feedback_close: r.try_get("feedback_close")?,
            anonymity_threshold: r.try_get("anonymity_threshold")?,
            min_peers: r.try_get("min_peers")?,
            max_peers: r.try_get("max_peers")?,
        },
        state: CycleState::parse(&state).ok_or_else(|| bad_value("state", &state))?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

pub(super) fn bad_value(column: &str, value: &str) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: format!("unknown value `{value}`").into(),
    }
}

pub(super) fn relation_of(r: &DbRow) -> Result<FeedbackRelation, sqlx::Error> {
    use sqlx::Row as _;
    let rel: String = r.try_get("relation")?;
    FeedbackRelation::parse(&rel).ok_or_else(|| bad_value("relation", &rel))
}

pub(super) fn nomination_row(r: &DbRow) -> Result<Nomination, sqlx::Error> {
    use sqlx::Row as _;
    Ok(Nomination {
        cycle_id: r.try_get("cycle_id")?,
        person_id: r.try_get("person_id")?,
        respondent_id: r.try_get("respondent_id")?,
        relation: relation_of(r)?,
        source: r.try_get("source")?,
        answered_on: r.try_get("answered_on")?,
    })
}

pub(super) fn cycle_step_row(r: &DbRow) -> Result<CycleStep, sqlx::Error> {
    use sqlx::Row as _;
    let state: String = r.try_get("state")?;
    Ok(CycleStep {
        cycle_id: r.try_get("cycle_id")?,
        state: CycleState::parse(&state).ok_or_else(|| bad_value("state", &state))?,
        by: r.try_get("by_account")?,
        at: r.try_get("at")?,
    })
}

pub(super) fn release_row(r: &DbRow) -> Result<Release, sqlx::Error> {
    use sqlx::Row as _;
    Ok(Release {
        id: r.try_get("id")?,
        cycle_id: r.try_get("cycle_id")?,
        released_by: r.try_get("released_by")?,
        released_at: r.try_get("released_at")?,
        closing: r.try_get::<i64, _>("closing")? != 0,
        people: r.try_get("people")?,
        held_back: r.try_get("held_back")?,
    })
}

/// Rows per multi-row insert: a cycle of 100,000 people is written in a
/// few hundred statements rather than one per row, and the binds of one
/// statement (at most 5 per row here) stay far below either backend's
/// limit (32,766 for SQLite, 65,535 for PostgreSQL).
const BATCH: usize = 1000;

/// Writes a release and its snapshots inside `tx`.
async fn insert_release(
    tx: &mut sqlx::Transaction<'_, Db>,
    cycle: Id,
    release: &NewRelease,
    closing: bool,
    by: Option<Id>,
    now: i64,
) -> Result<Id> {
    use sqlx::Row as _;
    let id: Id = sqlx::query(
        "INSERT INTO feedback_releases (cycle_id, released_by, released_at, closing, people, held_back) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(cycle)
    .bind(by)
    .bind(now)
    .bind(i64::from(closing))
    .bind(i64::try_from(release.snapshots.len()).unwrap_or(i64::MAX))
    .bind(i64::try_from(release.held_back).unwrap_or(i64::MAX))
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    for chunk in release.snapshots.chunks(BATCH) {
        let mut qb = sqlx::QueryBuilder::<Db>::new(
            "INSERT INTO feedback_snapshots (cycle_id, person_id, release_id, results, tally) ",
        );
        qb.push_values(chunk, |mut b, s| {
            b.push_bind(cycle)
                .push_bind(s.person_id)
                .push_bind(id)
                .push_bind(&s.results)
                .push_bind(&s.tally);
        });
        qb.build().execute(&mut **tx).await?;
    }
    Ok(id)
}

pub(super) fn answer_row(r: &DbRow) -> Result<Answer, sqlx::Error> {
    use sqlx::Row as _;
    Ok(Answer {
        id: r.try_get("id")?,
        cycle_id: r.try_get("cycle_id")?,
        person_id: r.try_get("person_id")?,
        relation: relation_of(r)?,
        question: r.try_get("question")?,
        value: r.try_get("value")?,
        comment: r.try_get("comment")?,
    })
}

pub(super) fn proposal_row(r: &DbRow) -> Result<Proposal, sqlx::Error> {
    use sqlx::Row as _;
    let state: String = r.try_get("state")?;
    let chain: String = r.try_get("chain")?;
    Ok(Proposal {
        id: r.try_get("id")?,
        new: NewProposal {
            cycle_id: r.try_get("cycle_id")?,
            person_id: r.try_get("person_id")?,
            department: r.try_get("department")?,
            kind: r.try_get("kind")?,
            to_level: r.try_get("to_level")?,
            to_specialty: r.try_get("to_specialty")?,
            to_grade: r.try_get("to_grade")?,
            case_text: r.try_get("case_text")?,
            evidence: r.try_get("evidence")?,
            override_reason: r.try_get("override_reason")?,
            chain: chain
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            proposed_by: r.try_get("proposed_by")?,
        },
        from_family: r.try_get("from_family")?,
        from_level: r.try_get("from_level")?,
        from_specialty: r.try_get("from_specialty")?,
        from_grade: r.try_get("from_grade")?,
        state: ProposalState::parse(&state).ok_or_else(|| bad_value("state", &state))?,
        next_step: r.try_get("next_step")?,
        effective: r.try_get("effective")?,
        created_at: r.try_get("created_at")?,
        decided_at: r.try_get("decided_at")?,
    })
}

pub(super) fn proposal_step_row(r: &DbRow) -> Result<ProposalStep, sqlx::Error> {
    use sqlx::Row as _;
    let approved: i64 = r.try_get("approved")?;
    Ok(ProposalStep {
        proposal_id: r.try_get("proposal_id")?,
        step: r.try_get("step")?,
        approver: r.try_get("approver")?,
        approved: approved != 0,
        comment: r.try_get("comment")?,
        by: r.try_get("by_account")?,
        at: r.try_get("at")?,
    })
}

/// The cycle's state, with its row locked to the end of the transaction
/// (PostgreSQL): two writes that check the state and then move on (two
/// nodes' schedules, two clicks) take turns, and the second sees the first's
/// move.
pub(super) async fn cycle_state_in(
    tx: &mut sqlx::Transaction<'_, Db>,
    cycle: Id,
) -> Result<CycleState> {
    let sql = format!("SELECT * FROM cycles WHERE id = $1{ROW_LOCK}");
    let r = sqlx::query(&sql)
        .bind(cycle)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("cycle {cycle}")))?;
    Ok(cycle_row(&r)?.state)
}

/// Inserts nominations, `(person reviewed, nomination)`, in multi-row
/// statements. A respondent listed twice for one person is refused with
/// their id before anything is written.
pub(super) async fn insert_nominations(
    tx: &mut sqlx::Transaction<'_, Db>,
    cycle: Id,
    rows: &[(Id, &NewNomination)],
) -> Result<()> {
    let mut seen = std::collections::HashSet::with_capacity(rows.len());
    if let Some((_, n)) = rows
        .iter()
        .find(|(person, n)| !seen.insert((*person, n.respondent_id)))
    {
        return Err(StoreError::Refused(format!(
            "person {} is nominated twice",
            n.respondent_id
        )));
    }
    for chunk in rows.chunks(BATCH) {
        let mut qb = sqlx::QueryBuilder::<Db>::new(
            "INSERT INTO nominations (cycle_id, person_id, respondent_id, relation, source) ",
        );
        qb.push_values(chunk, |mut b, (person, n)| {
            b.push_bind(cycle)
                .push_bind(*person)
                .push_bind(n.respondent_id)
                .push_bind(n.relation.as_str())
                .push_bind(&n.source);
        });
        qb.build()
            .execute(&mut **tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict(_) => {
                    StoreError::Refused("a person is nominated twice".to_owned())
                }
                e => e,
            })?;
    }
    Ok(())
}

pub(super) async fn locked_in(
    tx: &mut sqlx::Transaction<'_, Db>,
    cycle: Id,
    department: &str,
) -> Result<bool> {
    Ok(
        sqlx::query("SELECT 1 FROM calibration_locks WHERE cycle_id = $1 AND department = $2")
            .bind(cycle)
            .bind(department)
            .fetch_optional(&mut **tx)
            .await?
            .is_some(),
    )
}

#[async_trait]
impl FeedbackStore for This {
    async fn create_cycle(
        &self,
        c: &NewCycle,
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<Id> {
        use sqlx::Row as _;
        let mut tx = self.begin_write().await?;
        let id: Id = sqlx::query(
            "INSERT INTO cycles (name, nominations_open, nominations_close, feedback_open, feedback_close, \
             anonymity_threshold, min_peers, max_peers, state, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft', $9, $10) RETURNING id",
        )
        .bind(&c.name)
        .bind(&c.nominations_open)
        .bind(&c.nominations_close)
        .bind(&c.feedback_open)
        .bind(&c.feedback_close)
        .bind(c.anonymity_threshold)
        .bind(c.min_peers)
        .bind(c.max_peers)
        .bind(by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        ?
        .try_get("id")
        ?;
        sqlx::query("INSERT INTO cycle_steps (cycle_id, state, by_account, at) VALUES ($1, 'draft', $2, $3)")
            .bind(id)
            .bind(by)
            .bind(now)
            .execute(&mut *tx)
            .await
            ?;
        commit(self, tx, rec, Some(id)).await?;
        Ok(id)
    }

    async fn cycle(&self, id: Id) -> Result<Option<Cycle>> {
        one(
            &self.pool,
            "SELECT * FROM cycles WHERE id = $1",
            id,
            cycle_row,
        )
        .await
    }

    async fn cycles(&self) -> Result<Vec<Cycle>> {
        all(
            &self.pool,
            "SELECT * FROM cycles ORDER BY id DESC",
            cycle_row,
        )
        .await
    }

    async fn advance_cycle(
        &self,
        id: Id,
        from: CycleState,
        fill: &[(Id, Vec<NewNomination>)],
        release: Option<&NewRelease>,
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<CycleState> {
        let mut tx = self.begin_write().await?;
        let state = cycle_state_in(&mut tx, id).await?;
        let Some(to) = from.next() else {
            return Err(StoreError::Refused(
                "a closed cycle cannot move on".to_owned(),
            ));
        };
        if state != from {
            return Err(StoreError::Refused(format!(
                "the cycle is in {}, not {}",
                state.as_str(),
                from.as_str()
            )));
        }
        if to == CycleState::Feedback {
            sqlx::query(
                "UPDATE nomination_lists SET approved_at = $1 WHERE cycle_id = $2 AND approved_at IS NULL",
            )
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await
            ?;
            // Everyone without a list gets the automatic one, in batches:
            // the lists first (those already saved are kept), then the
            // nominations of the lists just made.
            let mut made = std::collections::HashSet::with_capacity(fill.len());
            for chunk in fill.chunks(BATCH) {
                let mut qb = sqlx::QueryBuilder::<Db>::new(
                    "INSERT INTO nomination_lists (cycle_id, person_id, saved_at, approved_at) ",
                );
                qb.push_values(chunk, |mut b, (person, _)| {
                    b.push_bind(id)
                        .push_bind(*person)
                        .push_bind(now)
                        .push_bind(now);
                });
                qb.push(" ON CONFLICT DO NOTHING RETURNING person_id");
                for r in qb.build().fetch_all(&mut *tx).await? {
                    made.insert(sqlx::Row::try_get::<Id, _>(&r, "person_id")?);
                }
            }
            let rows: Vec<(Id, &NewNomination)> = fill
                .iter()
                .filter(|(person, _)| made.contains(person))
                .flat_map(|(person, list)| list.iter().map(move |n| (*person, n)))
                .collect();
            insert_nominations(&mut tx, id, &rows).await?;
        }
        if to == CycleState::Closed {
            let pending: Vec<(i64,)> = sqlx::query_as(
                "SELECT id FROM proposals WHERE cycle_id = $1 AND state = 'pending' ORDER BY id",
            )
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            if !pending.is_empty() {
                let ids: Vec<String> = pending.iter().map(|p| format!("#{}", p.0)).collect();
                return Err(StoreError::Refused(format!(
                    "{} proposal(s) are still pending ({}): approve or reject them before closing",
                    ids.len(),
                    ids.join(", ")
                )));
            }
        }
        if let (CycleState::Closed, Some(release)) = (to, release) {
            insert_release(&mut tx, id, release, true, by, now).await?;
        }
        sqlx::query("UPDATE cycles SET state = $1 WHERE id = $2")
            .bind(to.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO cycle_steps (cycle_id, state, by_account, at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(to.as_str())
        .bind(by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        commit(self, tx, rec, None).await?;
        Ok(to)
    }

    async fn cycle_steps(&self, id: Id) -> Result<Vec<CycleStep>> {
        let found = sqlx::query("SELECT * FROM cycle_steps WHERE cycle_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        rows(found, cycle_step_row)
    }

    async fn save_nominations(
        &self,
        cycle: Id,
        person: Id,
        list: &[NewNomination],
        approved_by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let state = cycle_state_in(&mut tx, cycle).await?;
        if state != CycleState::Nominations {
            return Err(StoreError::Refused(format!(
                "nominations are closed: the cycle is in {}",
                state.as_str()
            )));
        }
        let approved: Option<(Option<i64>,)> = sqlx::query_as(
            "SELECT approved_at FROM nomination_lists WHERE cycle_id = $1 AND person_id = $2",
        )
        .bind(cycle)
        .bind(person)
        .fetch_optional(&mut *tx)
        .await?;
        if approved_by.is_none() && matches!(approved, Some((Some(_),))) {
            return Err(StoreError::Refused(
                "the list is approved already; ask your manager to change it".to_owned(),
            ));
        }
        sqlx::query("DELETE FROM nominations WHERE cycle_id = $1 AND person_id = $2")
            .bind(cycle)
            .bind(person)
            .execute(&mut *tx)
            .await?;
        let rows: Vec<(Id, &NewNomination)> = list.iter().map(|n| (person, n)).collect();
        insert_nominations(&mut tx, cycle, &rows).await?;
        let at = approved_by.map(|_| now);
        sqlx::query(
            "INSERT INTO nomination_lists (cycle_id, person_id, saved_at, approved_by, approved_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (cycle_id, person_id) DO UPDATE \
             SET saved_at = $3, approved_by = $4, approved_at = $5",
        )
        .bind(cycle)
        .bind(person)
        .bind(now)
        .bind(approved_by)
        .bind(at)
        .execute(&mut *tx)
        .await
        ?;
        commit(self, tx, rec, None).await?;
        Ok(())
    }

    async fn nominations(&self, cycle: Id) -> Result<Vec<Nomination>> {
        many(
            &self.pool,
            "SELECT * FROM nominations WHERE cycle_id = $1 ORDER BY person_id, respondent_id",
            cycle,
            nomination_row,
        )
        .await
    }

    async fn nomination_counts(&self, cycle: Id) -> Result<Vec<(Id, i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT person_id, COUNT(*), COUNT(answered_on) FROM nominations \
             WHERE cycle_id = $1 GROUP BY person_id ORDER BY person_id",
        )
        .bind(cycle)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn owed_counts(&self, cycle: Id) -> Result<Vec<(Id, i64)>> {
        Ok(sqlx::query_as(
            "SELECT respondent_id, COUNT(*) FROM nominations \
             WHERE cycle_id = $1 AND answered_on IS NULL GROUP BY respondent_id ORDER BY respondent_id",
        )
        .bind(cycle)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn owed_feedback(&self, respondent: Id) -> Result<Vec<Nomination>> {
        many(
            &self.pool,
            "SELECT n.* FROM nominations n JOIN cycles c ON c.id = n.cycle_id \
             WHERE n.respondent_id = $1 AND n.answered_on IS NULL AND c.state = 'feedback' \
             ORDER BY n.cycle_id, n.person_id",
            respondent,
            nomination_row,
        )
        .await
    }

    async fn nomination_lists(&self, cycle: Id) -> Result<Vec<NominationList>> {
        let found =
            sqlx::query("SELECT * FROM nomination_lists WHERE cycle_id = $1 ORDER BY person_id")
                .bind(cycle)
                .fetch_all(&self.pool)
                .await?;
        rows(found, from_row::<NominationList>)
    }

    async fn nomination_lists_for(&self, cycle: Id, people: &[Id]) -> Result<Vec<NominationList>> {
        let mut out = Vec::new();
        for chunk in people.chunks(500) {
            let mut qb =
                sqlx::QueryBuilder::<Db>::new("SELECT * FROM nomination_lists WHERE cycle_id = ");
            qb.push_bind(cycle);
            qb.push(" AND person_id IN (");
            let mut sep = qb.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            qb.push(")");
            out.extend(rows(
                qb.build().fetch_all(&self.pool).await?,
                from_row::<NominationList>,
            )?);
        }
        out.sort_by_key(|l| l.person_id);
        Ok(out)
    }

    async fn nominations_about(&self, cycle: Id, person: Id) -> Result<Vec<Nomination>> {
        let found = sqlx::query(
            "SELECT * FROM nominations WHERE cycle_id = $1 AND person_id = $2 ORDER BY respondent_id",
        )
        .bind(cycle)
        .bind(person)
        .fetch_all(&self.pool)
        .await?;
        rows(found, nomination_row)
    }

    async fn cycle_counts(&self, cycle: Id) -> Result<(i64, i64, i64, i64)> {
        let lists: (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COUNT(approved_at) FROM nomination_lists WHERE cycle_id = $1",
        )
        .bind(cycle)
        .fetch_one(&self.pool)
        .await?;
        let asked: (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COUNT(answered_on) FROM nominations WHERE cycle_id = $1",
        )
        .bind(cycle)
        .fetch_one(&self.pool)
        .await?;
        Ok((lists.0, lists.1, asked.0, asked.1))
    }

    async fn nominations_by(&self, cycle: Id, respondent: Id) -> Result<Vec<Nomination>> {
        // Put in order here: with `ORDER BY person_id`, SQLite walks the
        // cycle's nominations in the primary key's order instead of seeking
        // the respondent's (migration 0019).
        let found =
            sqlx::query("SELECT * FROM nominations WHERE cycle_id = $1 AND respondent_id = $2")
                .bind(cycle)
                .bind(respondent)
                .fetch_all(&self.pool)
                .await?;
        let mut found = rows(found, nomination_row)?;
        found.sort_by_key(|n| n.person_id);
        Ok(found)
    }

    async fn submit_feedback(
        &self,
        cycle: Id,
        person: Id,
        respondent: Id,
        answers: &[NewAnswer],
        day: &str,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let state = cycle_state_in(&mut tx, cycle).await?;
        if state != CycleState::Feedback {
            return Err(StoreError::Refused(format!(
                "feedback is not open: the cycle is in {}",
                state.as_str()
            )));
        }
        let r = sqlx::query(
            "SELECT n.*, l.approved_at FROM nominations n JOIN nomination_lists l \
             ON l.cycle_id = n.cycle_id AND l.person_id = n.person_id \
             WHERE n.cycle_id = $1 AND n.person_id = $2 AND n.respondent_id = $3",
        )
        .bind(cycle)
        .bind(person)
        .bind(respondent)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound("a nomination to answer".to_owned()))?;
        let n = nomination_row(&r)?;
        if n.answered_on.is_some() {
            return Err(StoreError::Refused(
                "you have answered already; answers cannot be changed".to_owned(),
            ));
        }
        let done = sqlx::query(
            "UPDATE nominations SET answered_on = $1 \
             WHERE cycle_id = $2 AND person_id = $3 AND respondent_id = $4 AND answered_on IS NULL",
        )
        .bind(day)
        .bind(cycle)
        .bind(person)
        .bind(respondent)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Refused("you have answered already".to_owned()));
        }
        // The answers about this person are written again, all of them,
        // in the order of their random ids: where a row sits says nothing
        // of when it was given, and no block of rows is one respondent's.
        let kept = sqlx::query("SELECT * FROM answers WHERE cycle_id = $1 AND person_id = $2")
            .bind(cycle)
            .bind(person)
            .fetch_all(&mut *tx)
            .await?;
        let mut all: Vec<Answer> = rows(kept, answer_row)?;
        all.extend(answers.iter().map(|a| Answer {
            id: a.id.clone(),
            cycle_id: cycle,
            person_id: person,
            relation: n.relation,
            question: a.question.clone(),
            value: a.value,
            comment: a.comment.clone(),
        }));
        all.sort_by(|a, b| a.id.cmp(&b.id));
        sqlx::query("DELETE FROM answers WHERE cycle_id = $1 AND person_id = $2")
            .bind(cycle)
            .bind(person)
            .execute(&mut *tx)
            .await?;
        for a in &all {
            sqlx::query(
                "INSERT INTO answers (id, cycle_id, person_id, relation, question, value, comment) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&a.id)
            .bind(cycle)
            .bind(person)
            .bind(a.relation.as_str())
            .bind(&a.question)
            .bind(a.value)
            .bind(&a.comment)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn answers(&self, cycle: Id, person: Id) -> Result<Vec<Answer>> {
        let r =
            sqlx::query("SELECT * FROM answers WHERE cycle_id = $1 AND person_id = $2 ORDER BY id")
                .bind(cycle)
                .bind(person)
                .fetch_all(&self.pool)
                .await?;
        rows(r, answer_row)
    }

    async fn cycle_answers(&self, cycle: Id) -> Result<Vec<Answer>> {
        many(
            &self.pool,
            "SELECT * FROM answers WHERE cycle_id = $1 ORDER BY person_id, id",
            cycle,
            answer_row,
        )
        .await
    }

    async fn release_feedback(
        &self,
        cycle: Id,
        release: &NewRelease,
        by: Option<Id>,
        now: i64,
        rec: &Record,
    ) -> Result<Id> {
        let mut tx = self.begin_write().await?;
        let state = cycle_state_in(&mut tx, cycle).await?;
        if state != CycleState::Feedback {
            return Err(StoreError::Refused(format!(
                "results are released during the feedback phase (and when the cycle closes); \
                 this cycle is in {}",
                state.as_str()
            )));
        }
        let id = insert_release(&mut tx, cycle, release, false, by, now).await?;
        commit(self, tx, rec, Some(id)).await?;
        Ok(id)
    }

    async fn releases(&self, cycle: Id) -> Result<Vec<Release>> {
        many(
            &self.pool,
            "SELECT * FROM feedback_releases WHERE cycle_id = $1 ORDER BY id",
            cycle,
            release_row,
        )
        .await
    }

    async fn snapshot(&self, cycle: Id, person: Id) -> Result<Option<Snapshot>> {
        use sqlx::Row as _;
        let found = sqlx::query(
            "SELECT s.release_id, r.released_at, s.results, s.tally FROM feedback_snapshots s \
             JOIN feedback_releases r ON r.id = s.release_id \
             WHERE s.cycle_id = $1 AND s.person_id = $2 ORDER BY s.release_id DESC LIMIT 1",
        )
        .bind(cycle)
        .bind(person)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = found else { return Ok(None) };
        Ok(Some(Snapshot {
            release_id: r.try_get("release_id")?,
            released_at: r.try_get("released_at")?,
            results: r.try_get("results")?,
            tally: r.try_get("tally")?,
        }))
    }

    async fn tallies(&self, cycle: Id) -> Result<std::collections::BTreeMap<Id, String>> {
        // Oldest first: each person's latest release is the one kept.
        let found: Vec<(Id, String)> = sqlx::query_as(
            "SELECT person_id, tally FROM feedback_snapshots WHERE cycle_id = $1 \
             ORDER BY person_id, release_id",
        )
        .bind(cycle)
        .fetch_all(&self.pool)
        .await?;
        Ok(found.into_iter().collect())
    }

    async fn create_proposal(&self, p: &NewProposal, now: i64, rec: &Record) -> Result<Id> {
        use sqlx::Row as _;
        let mut tx = self.begin_write().await?;
        let state = cycle_state_in(&mut tx, p.cycle_id).await?;
        if state != CycleState::Feedback {
            return Err(StoreError::Refused(format!(
                "level changes are proposed only while a feedback cycle is in its feedback phase; \
                 this cycle is in {}",
                state.as_str()
            )));
        }
        if locked_in(&mut tx, p.cycle_id, &p.department).await? {
            return Err(StoreError::Refused(format!(
                "the calibration of {} is locked for this cycle",
                p.department
            )));
        }
        let id: Id = sqlx::query(
            "INSERT INTO proposals (cycle_id, person_id, department, kind, from_family, from_level, \
             from_specialty, from_grade, to_level, to_specialty, to_grade, case_text, evidence, \
             override_reason, chain, next_step, state, proposed_by, created_at) \
             SELECT $1, id, $2, $3, family, level, specialty, grade, $4, $5, $6, $7, $8, $9, $10, 0, \
             'pending', $11, $12 FROM people WHERE id = $13 RETURNING id",
        )
        .bind(p.cycle_id)
        .bind(&p.department)
        .bind(&p.kind)
        .bind(&p.to_level)
        .bind(p.to_specialty.as_deref())
        .bind(&p.to_grade)
        .bind(&p.case_text)
        .bind(&p.evidence)
        .bind(p.override_reason.as_deref())
        .bind(p.chain.join(","))
        .bind(p.proposed_by)
        .bind(now)
        .bind(p.person_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => {
                StoreError::Conflict("a pending proposal for this person".to_owned())
            }
            e => e,
        })?
        .ok_or_else(|| StoreError::NotFound(format!("person {}", p.person_id)))?
        .try_get("id")
        ?;
        commit(self, tx, rec, Some(id)).await?;
        Ok(id)
    }

    async fn proposal(&self, id: Id) -> Result<Option<Proposal>> {
        one(
            &self.pool,
            "SELECT * FROM proposals WHERE id = $1",
            id,
            proposal_row,
        )
        .await
    }

    async fn proposals(&self, cycle: Id) -> Result<Vec<Proposal>> {
        many(
            &self.pool,
            "SELECT * FROM proposals WHERE cycle_id = $1 ORDER BY id",
            cycle,
            proposal_row,
        )
        .await
    }

    async fn person_proposals(&self, person: Id) -> Result<Vec<Proposal>> {
        many(
            &self.pool,
            "SELECT * FROM proposals WHERE person_id = $1 ORDER BY id",
            person,
            proposal_row,
        )
        .await
    }

    async fn proposal_steps(&self, proposal: Id) -> Result<Vec<ProposalStep>> {
        many(
            &self.pool,
            "SELECT * FROM proposal_steps WHERE proposal_id = $1 ORDER BY step",
            proposal,
            proposal_step_row,
        )
        .await
    }

    async fn decide_proposal(
        &self,
        id: Id,
        step: i64,
        approved: bool,
        comment: &str,
        by: Id,
        effective: &str,
        now: i64,
        rec: &Record,
    ) -> Result<ProposalState> {
        let mut tx = self.begin_write().await?;
        let r = sqlx::query("SELECT * FROM proposals WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("proposal {id}")))?;
        let p = proposal_row(&r)?;
        let state = cycle_state_in(&mut tx, p.new.cycle_id).await?;
        if state != CycleState::Feedback {
            return Err(StoreError::Refused(format!(
                "level changes are decided only while the cycle is in its feedback phase; it is in {}",
                state.as_str()
            )));
        }
        let Some(approver) = p.waiting_for().map(str::to_owned) else {
            return Err(StoreError::Refused(format!(
                "the proposal is {} already",
                p.state.as_str()
            )));
        };
        if p.next_step != step {
            return Err(StoreError::Refused(format!(
                "the proposal waits for step {} ({approver}), not step {step}",
                p.next_step + 1
            )));
        }
        sqlx::query(
            "INSERT INTO proposal_steps (proposal_id, step, approver, approved, comment, by_account, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(step)
        .bind(&approver)
        .bind(i64::from(approved))
        .bind(comment)
        .bind(by)
        .bind(now)
        .execute(&mut *tx)
        .await
        ?;
        let last = usize::try_from(step + 1).map_or(true, |n| n >= p.new.chain.len());
        let new_state = match (approved, last) {
            (false, _) => ProposalState::Rejected,
            (true, false) => ProposalState::Pending,
            (true, true) => ProposalState::Approved,
        };
        sqlx::query(
            "UPDATE proposals SET next_step = $1, state = $2, decided_at = $3, effective = $4 WHERE id = $5",
        )
        .bind(step + 1)
        .bind(new_state.as_str())
        .bind((new_state != ProposalState::Pending).then_some(now))
        .bind((new_state == ProposalState::Approved).then_some(effective))
        .bind(id)
        .execute(&mut *tx)
        .await
        ?;
        if new_state == ProposalState::Approved {
            sqlx::query("UPDATE people SET level = $1, specialty = $2, grade = $3 WHERE id = $4")
                .bind(&p.new.to_level)
                .bind(p.new.to_specialty.as_deref())
                .bind(&p.new.to_grade)
                .bind(p.new.person_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO role_changes (person_id, effective, family, level, specialty, grade, \
                 reason, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(p.new.person_id)
            .bind(effective)
            .bind(&p.from_family)
            .bind(&p.new.to_level)
            .bind(p.new.to_specialty.as_deref())
            .bind(&p.new.to_grade)
            .bind(format!("{} (proposal #{id})", p.new.kind))
            .bind(now)
            .bind(by)
            .execute(&mut *tx)
            .await?;
            bump_org(&mut tx).await?;
        }
        commit(self, tx, rec, None).await?;
        Ok(new_state)
    }

    async fn lock_calibration(
        &self,
        cycle: Id,
        department: &str,
        by: Id,
        now: i64,
        rec: &Record,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        cycle_state_in(&mut tx, cycle).await?;
        sqlx::query(
            "INSERT INTO calibration_locks (cycle_id, department, locked_by, locked_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(cycle)
        .bind(department)
        .bind(by)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => {
                StoreError::Conflict(format!("a lock on {department}'s calibration"))
            }
            e => e,
        })?;
        commit(self, tx, rec, None).await?;
        Ok(())
    }

    async fn calibration_locks(&self, cycle: Id) -> Result<Vec<CalibrationLock>> {
        let found =
            sqlx::query("SELECT * FROM calibration_locks WHERE cycle_id = $1 ORDER BY department")
                .bind(cycle)
                .fetch_all(&self.pool)
                .await?;
        rows(found, from_row::<CalibrationLock>)
    }
}
