//! Recurring 1:1s and calendar feeds.
//!
//! - A pair's series, through [`Pair`]: only the two participants start,
//!   pause, resume or end it (and only while the report still reports to
//!   the manager).
//! - The schedule makes a series' meetings ahead ([`Schedule`]).
//! - A person's feed ([`Access::calendar_feed`]) is reached by its token
//!   alone (a calendar app cannot sign in); it carries the person's own
//!   1:1s (titled by the pair's names, never their notes), the deadlines
//!   of cycles they take part in, and their checkpoint windows. The token
//!   is stored hashed and rotated by its owner, which ends the old URL.

use super::{Access, Pair, Schedule, Viewer};
use crate::AppError;
use ladder_store::{Cycle, CycleState, Id, Meeting, NewSeries, Person, Series, SeriesState};

impl Pair<'_> {
    /// The schedule, for making a series' meetings ahead right after the
    /// pair starts it (the routine does the same every hour).
    pub fn schedule(&self) -> Schedule<'_> {
        self.access.schedule()
    }

    /// The pair's series, newest first.
    pub async fn series(&self) -> Result<Vec<Series>, AppError> {
        Ok(self
            .access
            .store
            .pair_series(self.manager.id, self.report.id)
            .await?)
    }

    pub async fn start_series(&self, s: &NewSeries, now: i64) -> Result<Id, AppError> {
        self.writable()?;
        if (s.manager_id, s.report_id) != (self.manager.id, self.report.id) {
            return Err(AppError::Forbidden);
        }
        let detail = format!(
            "{} from {} until {} at {} {}",
            s.cadence.as_str(),
            s.first_date,
            s.until_date,
            s.start_time,
            s.time_zone
        );
        Ok(self
            .access
            .store
            .create_series(
                s,
                Some(self.viewer.account.id),
                now,
                &self.record("series.start", None, &detail, now),
            )
            .await?)
    }

    pub async fn set_series_state(
        &self,
        series: &Series,
        state: SeriesState,
        now: i64,
    ) -> Result<(), AppError> {
        self.writable()?;
        if (series.new.manager_id, series.new.report_id) != (self.manager.id, self.report.id) {
            return Err(AppError::Forbidden);
        }
        self.access
            .store
            .set_series_state(
                series.id,
                state,
                now,
                &self.record(
                    &format!("series.{}", state.as_str()),
                    None,
                    &format!("series {}", series.id),
                    now,
                ),
            )
            .await?;
        Ok(())
    }
}

impl Schedule<'_> {
    /// Every active series.
    pub async fn active_series(&self) -> Result<Vec<Series>, AppError> {
        Ok(self.access().store.active_series().await?)
    }

    /// The meetings a pair has.
    pub async fn meetings(&self, manager: Id, report: Id) -> Result<Vec<Meeting>, AppError> {
        Ok(self.access().store.meetings(manager, report).await?)
    }

    /// Makes a series' meeting on `date`, as the schedule, if the pair
    /// still stands (the report reports to the manager and both are
    /// active).
    pub async fn series_meeting(
        &self,
        s: &Series,
        date: &str,
        now: i64,
    ) -> Result<Option<Id>, AppError> {
        let version = self.access().store.org_version().await?;
        let org = self.access().org_at(version).await?;
        let standing = org
            .person(s.new.report_id)
            .is_some_and(|r| r.record.active && r.manager_id == Some(s.new.manager_id))
            && org
                .person(s.new.manager_id)
                .is_some_and(|m| m.record.active);
        if !standing {
            return Ok(None);
        }
        let rec = ladder_store::Record::system(
            now,
            "meeting.create",
            Some(s.new.report_id),
            &format!("{date}, series {}", s.id),
        )
        .data(serde_json::json!({
            "manager": s.new.manager_id,
            "report": s.new.report_id,
            "series": s.id,
        }));
        Ok(Some(
            self.access()
                .store
                .create_meeting(s.new.manager_id, s.new.report_id, date, now, &rec)
                .await?,
        ))
    }
}

/// What a person's calendar feed holds, already limited to what is theirs.
#[derive(Debug)]
pub struct Feed {
    pub person: Person,
    /// Each series the person is in, with the other person's name.
    pub series: Vec<(Series, String, String)>,
    /// Meetings not made by an active series: (meeting, manager name,
    /// report name).
    pub meetings: Vec<(Meeting, String, String)>,
    /// Cycles taking nominations or answers, or still in draft.
    pub cycles: Vec<Cycle>,
}

impl Access {
    /// The feed a token opens, or `None` (unknown token, or a leaver).
    pub async fn calendar_feed(&self, token_hash: &str) -> Result<Option<Feed>, AppError> {
        let Some(person) = self.store.calendar_person(token_hash).await? else {
            return Ok(None);
        };
        let version = self.store.org_version().await?;
        let org = self.org_at(version).await?;
        let Some(me) = org.person(person).filter(|p| p.record.active).cloned() else {
            return Ok(None);
        };
        let name = |id: Id| {
            org.person(id)
                .map_or_else(String::new, |p| p.record.name.clone())
        };
        let series: Vec<(Series, String, String)> = self
            .store
            .person_series(me.id)
            .await?
            .into_iter()
            .map(|s| {
                let (m, r) = (name(s.new.manager_id), name(s.new.report_id));
                (s, m, r)
            })
            .collect();
        let mut pairs: Vec<(Id, Id)> = self.store.meeting_pairs(me.id).await?;
        if let Some(m) = me.manager_id {
            pairs.push((m, me.id));
        }
        pairs.extend(org.reports(me.id).map(|r| (me.id, r.id)));
        pairs.sort_unstable();
        pairs.dedup();
        let mut meetings = Vec::new();
        for (m, r) in pairs {
            let active: Vec<&Series> = series
                .iter()
                .map(|(s, _, _)| s)
                .filter(|s| {
                    s.state == SeriesState::Active && (s.new.manager_id, s.new.report_id) == (m, r)
                })
                .collect();
            for meeting in self.store.meetings(m, r).await? {
                let from_series = active.iter().any(|s| {
                    meeting
                        .date
                        .parse()
                        .is_ok_and(|d| crate::one_on_ones::series::dates(&s.new, d, d).contains(&d))
                });
                if !from_series {
                    meetings.push((meeting, name(m), name(r)));
                }
            }
        }
        let cycles = self
            .store
            .cycles()
            .await?
            .into_iter()
            .filter(|c| c.state != CycleState::Closed)
            .collect();
        Ok(Some(Feed {
            person: me,
            series,
            meetings,
            cycles,
        }))
    }

    /// Gives the viewer a new feed token (its hash stored); the old URL
    /// stops working.
    pub async fn rotate_calendar_token(
        &self,
        v: &Viewer,
        token_hash: &str,
        now: i64,
    ) -> Result<(), AppError> {
        let me = v.person_id().ok_or(AppError::Forbidden)?;
        self.store
            .set_calendar_token(
                me,
                token_hash,
                now,
                &Access::record(v, "calendar.rotate", Some(me), "feed URL replaced", now),
            )
            .await?;
        Ok(())
    }

    pub async fn has_calendar_token(&self, v: &Viewer) -> Result<bool, AppError> {
        let me = v.person_id().ok_or(AppError::Forbidden)?;
        Ok(self.store.has_calendar_token(me).await?)
    }
}
