//! The SQL of pay, internships and hiring, shared by both backends.
//! Expanded inside [`sql_store!`](crate::sql_store) like
//! [`feedback_methods!`](crate::feedback_methods).

#[doc(hidden)]
#[macro_export]
macro_rules! ops_helpers {
    ($db:ty, $row:ty) => {
        fn json_col<T: $crate::serde::de::DeserializeOwned>(
            r: &$row,
            column: &str,
        ) -> Result<T, ::sqlx::Error> {
            use ::sqlx::Row as _;
            let text: String = r.try_get(column)?;
            $crate::serde_json::from_str(&text).map_err(|e| ::sqlx::Error::ColumnDecode {
                index: column.to_owned(),
                source: Box::new(e),
            })
        }

        fn date_col(r: &$row, column: &str) -> Result<::ladder_org::Date, ::sqlx::Error> {
            use ::sqlx::Row as _;
            let text: String = r.try_get(column)?;
            text.parse()
                .map_err(|e: String| ::sqlx::Error::ColumnDecode {
                    index: column.to_owned(),
                    source: e.into(),
                })
        }

        fn band_row(r: &$row) -> Result<::ladder_org::pay::Band, ::sqlx::Error> {
            use ::sqlx::Row as _;
            Ok(::ladder_org::pay::Band {
                grade: r.try_get("grade")?,
                zone: r.try_get("zone")?,
                currency: r.try_get("currency")?,
                min: r.try_get("min_amount")?,
                mid: r.try_get("mid_amount")?,
                max: r.try_get("max_amount")?,
                effective_from: date_col(r, "effective_from")?,
            })
        }

        fn salary_row(r: &$row) -> Result<::ladder_org::pay::Salary, ::sqlx::Error> {
            use ::sqlx::Row as _;
            Ok(::ladder_org::pay::Salary {
                person_id: r.try_get("person_id")?,
                amount: r.try_get("amount")?,
                currency: r.try_get("currency")?,
                effective_from: date_col(r, "effective_from")?,
            })
        }

        fn decision_of(r: &$row, side: &str) -> Result<Option<$crate::Decision>, ::sqlx::Error> {
            use ::sqlx::Row as _;
            let d: Option<i64> = r.try_get(format!("{side}_decision").as_str())?;
            let Some(d) = d else { return Ok(None) };
            Ok(Some($crate::Decision {
                approved: d != 0,
                by: r.try_get(format!("{side}_by").as_str())?,
                comment: r.try_get(format!("{side}_comment").as_str())?,
                at: r
                    .try_get::<Option<i64>, _>(format!("{side}_at").as_str())?
                    .unwrap_or(0),
            }))
        }

        fn internship_row(r: &$row) -> Result<$crate::Internship, ::sqlx::Error> {
            use ::sqlx::Row as _;
            let state: String = r.try_get("state")?;
            let competencies: String = r.try_get("competencies")?;
            Ok($crate::Internship {
                id: r.try_get("id")?,
                new: $crate::NewInternship {
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
                state: $crate::InternshipState::parse(&state)
                    .ok_or_else(|| bad_value("state", &state))?,
                manager: decision_of(r, "manager")?,
                host: decision_of(r, "host")?,
                outcome: r.try_get("outcome")?,
                moved: json_col(r, "moved")?,
                completed_at: r.try_get("completed_at")?,
                created_at: r.try_get("created_at")?,
            })
        }

        fn log_row(r: &$row) -> Result<$crate::LogEntry, ::sqlx::Error> {
            use ::sqlx::Row as _;
            Ok($crate::LogEntry {
                id: r.try_get("id")?,
                internship_id: r.try_get("internship_id")?,
                author_id: r.try_get("author_id")?,
                date: r.try_get("date")?,
                text: r.try_get("text")?,
                created_at: r.try_get("created_at")?,
            })
        }

        fn opening_row(r: &$row) -> Result<$crate::Opening, ::sqlx::Error> {
            use ::sqlx::Row as _;
            Ok($crate::Opening {
                id: r.try_get("id")?,
                new: $crate::NewOpening {
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

        fn member_row(r: &$row) -> Result<(i64, $crate::TeamMember), ::sqlx::Error> {
            use ::sqlx::Row as _;
            let role: String = r.try_get("role")?;
            Ok((
                r.try_get("opening_id")?,
                $crate::TeamMember {
                    account_id: r.try_get("account_id")?,
                    role: $crate::HiringRole::parse(&role)
                        .ok_or_else(|| bad_value("role", &role))?,
                },
            ))
        }

        fn candidate_row(r: &$row) -> Result<$crate::Candidate, ::sqlx::Error> {
            use ::sqlx::Row as _;
            Ok($crate::Candidate {
                id: r.try_get("id")?,
                opening_id: r.try_get("opening_id")?,
                name: r.try_get("name")?,
                contact: r.try_get("contact")?,
                stage: r.try_get("stage")?,
                state: r.try_get("state")?,
                created_at: r.try_get("created_at")?,
            })
        }

        fn scorecard_row(r: &$row) -> Result<$crate::Scorecard, ::sqlx::Error> {
            use ::sqlx::Row as _;
            Ok($crate::Scorecard {
                candidate_id: r.try_get("candidate_id")?,
                stage: r.try_get("stage")?,
                interviewer_id: r.try_get("interviewer_id")?,
                scores: json_col(r, "scores")?,
                notes: r.try_get("notes")?,
                submitted_at: r.try_get("submitted_at")?,
            })
        }

        fn to_json<T: $crate::serde::Serialize>(v: &T) -> $crate::Result<String> {
            $crate::serde_json::to_string(v).map_err(|e| $crate::StoreError::Backend(e.to_string()))
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! ops_methods {
    ($store:ty, $db:ty, $row:ty) => {
        #[$crate::async_trait]
        impl $crate::OpsStore for $store {
            async fn put_bands(&self, bands: &[::ladder_org::pay::Band]) -> $crate::Result<usize> {
                let mut tx = self.begin_write().await.map_err(store_err)?;
                for b in bands {
                    ::sqlx::query(
                        "INSERT INTO pay_bands (grade, zone, effective_from, currency, min_amount, mid_amount, max_amount) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (grade, zone, effective_from) DO UPDATE SET \
                         currency = excluded.currency, min_amount = excluded.min_amount, \
                         mid_amount = excluded.mid_amount, max_amount = excluded.max_amount",
                    )
                    .bind(&b.grade)
                    .bind(&b.zone)
                    .bind(b.effective_from.to_string())
                    .bind(&b.currency)
                    .bind(b.min)
                    .bind(b.mid)
                    .bind(b.max)
                    .execute(&mut *tx)
                    .await
                    .map_err(store_err)?;
                }
                tx.commit().await.map_err(store_err)?;
                Ok(bands.len())
            }

            async fn bands(&self) -> $crate::Result<Vec<::ladder_org::pay::Band>> {
                let r = ::sqlx::query("SELECT * FROM pay_bands ORDER BY zone, effective_from, grade")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(store_err)?;
                rows(r, band_row)
            }

            async fn put_salaries(&self, salaries: &[::ladder_org::pay::Salary]) -> $crate::Result<usize> {
                let mut tx = self.begin_write().await.map_err(store_err)?;
                for s in salaries {
                    ::sqlx::query(
                        "INSERT INTO salaries (person_id, effective_from, amount, currency) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (person_id, effective_from) DO UPDATE SET amount = excluded.amount, \
                         currency = excluded.currency",
                    )
                    .bind(s.person_id)
                    .bind(s.effective_from.to_string())
                    .bind(s.amount)
                    .bind(&s.currency)
                    .execute(&mut *tx)
                    .await
                    .map_err(store_err)?;
                }
                tx.commit().await.map_err(store_err)?;
                Ok(salaries.len())
            }

            async fn salaries(&self) -> $crate::Result<Vec<::ladder_org::pay::Salary>> {
                let r = ::sqlx::query("SELECT * FROM salaries ORDER BY person_id, effective_from")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(store_err)?;
                rows(r, salary_row)
            }

            async fn salaries_of(&self, person: $crate::Id) -> $crate::Result<Vec<::ladder_org::pay::Salary>> {
                let r = ::sqlx::query("SELECT * FROM salaries WHERE person_id = $1 ORDER BY effective_from")
                    .bind(person)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(store_err)?;
                rows(r, salary_row)
            }

            async fn create_internship(&self, i: &$crate::NewInternship, now: i64) -> $crate::Result<$crate::Id> {
                use ::sqlx::Row as _;
                let id: $crate::Id = ::sqlx::query(
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
                .fetch_one(&self.pool)
                .await
                .map_err(store_err)?
                .try_get("id")
                .map_err(store_err)?;
                Ok(id)
            }

            async fn internship(&self, id: $crate::Id) -> $crate::Result<Option<$crate::Internship>> {
                let r = ::sqlx::query("SELECT * FROM internships WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(store_err)?;
                r.as_ref().map(internship_row).transpose().map_err(store_err)
            }

            async fn internships(&self) -> $crate::Result<Vec<$crate::Internship>> {
                let r = ::sqlx::query("SELECT * FROM internships ORDER BY start_date DESC, id DESC")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(store_err)?;
                rows(r, internship_row)
            }

            async fn decide_internship(
                &self,
                id: $crate::Id,
                side: $crate::Side,
                approved: bool,
                by: $crate::Id,
                comment: &str,
                now: i64,
            ) -> $crate::Result<$crate::InternshipState> {
                let mut tx = self.begin_write().await.map_err(store_err)?;
                let r = ::sqlx::query("SELECT * FROM internships WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(store_err)?
                    .ok_or_else(|| $crate::StoreError::NotFound(format!("internship {id}")))?;
                let current = internship_row(&r).map_err(store_err)?;
                if current.state != $crate::InternshipState::Requested {
                    return Err($crate::StoreError::Refused(format!(
                        "the internship is already {}",
                        current.state.as_str()
                    )));
                }
                let (col, other) = match side {
                    $crate::Side::Manager => ("manager", current.host.as_ref()),
                    $crate::Side::Host => ("host", current.manager.as_ref()),
                };
                let state = if !approved {
                    $crate::InternshipState::Declined
                } else if other.is_some_and(|d| d.approved) {
                    $crate::InternshipState::Approved
                } else {
                    $crate::InternshipState::Requested
                };
                let sql = format!(
                    "UPDATE internships SET {col}_decision = $1, {col}_by = $2, {col}_comment = $3, \
                     {col}_at = $4, state = $5 WHERE id = $6"
                );
                ::sqlx::query(&sql)
                    .bind(i64::from(approved))
                    .bind(by)
                    .bind(comment)
                    .bind(now)
                    .bind(state.as_str())
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(store_err)?;
                tx.commit().await.map_err(store_err)?;
                Ok(state)
            }

            async fn add_internship_log(
                &self,
                id: $crate::Id,
                author: $crate::Id,
                date: &str,
                text: &str,
                now: i64,
            ) -> $crate::Result<$crate::Id> {
                use ::sqlx::Row as _;
                let mut tx = self.begin_write().await.map_err(store_err)?;
                let state: Option<(String,)> = ::sqlx::query_as("SELECT state FROM internships WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(store_err)?;
                match state {
                    None => return Err($crate::StoreError::NotFound(format!("internship {id}"))),
                    Some((s,)) if s != "approved" => {
                        return Err($crate::StoreError::Refused(format!(
                            "activities are logged while an internship runs; this one is {s}"
                        )));
                    }
                    Some(_) => {}
                }
                let entry: $crate::Id = ::sqlx::query(
                    "INSERT INTO internship_log (internship_id, author_id, date, text, created_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(id)
                .bind(author)
                .bind(date)
                .bind(text)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(store_err)?
                .try_get("id")
                .map_err(store_err)?;
                tx.commit().await.map_err(store_err)?;
                Ok(entry)
            }

            async fn internship_log(&self, id: $crate::Id) -> $crate::Result<Vec<$crate::LogEntry>> {
                let r = ::sqlx::query("SELECT * FROM internship_log WHERE internship_id = $1 ORDER BY date, id")
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(store_err)?;
                rows(r, log_row)
            }

            async fn complete_internship(
                &self,
                id: $crate::Id,
                outcome: &str,
                moved: &[$crate::Moved],
                now: i64,
            ) -> $crate::Result<()> {
                let done = ::sqlx::query(
                    "UPDATE internships SET state = 'completed', outcome = $1, moved = $2, completed_at = $3 \
                     WHERE id = $4 AND state = 'approved'",
                )
                .bind(outcome)
                .bind(to_json(&moved)?)
                .bind(now)
                .bind(id)
                .execute(&self.pool)
                .await
                .map_err(store_err)?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::Refused(
                        "only an approved, running internship can be completed".to_owned(),
                    ));
                }
                Ok(())
            }

            async fn create_opening(
                &self,
                o: &$crate::NewOpening,
                by: Option<$crate::Id>,
                now: i64,
            ) -> $crate::Result<$crate::Id> {
                use ::sqlx::Row as _;
                let mut tx = self.begin_write().await.map_err(store_err)?;
                let id: $crate::Id = ::sqlx::query(
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
                .await
                .map_err(store_err)?
                .try_get("id")
                .map_err(store_err)?;
                for m in &o.team {
                    ::sqlx::query("INSERT INTO hiring_team (opening_id, account_id, role) VALUES ($1, $2, $3)")
                        .bind(id)
                        .bind(m.account_id)
                        .bind(m.role.as_str())
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| match store_err(e) {
                            $crate::StoreError::Conflict(_) => $crate::StoreError::Refused(format!(
                                "account {} is on the team twice",
                                m.account_id
                            )),
                            e => e,
                        })?;
                }
                tx.commit().await.map_err(store_err)?;
                Ok(id)
            }

            async fn openings(&self) -> $crate::Result<Vec<$crate::Opening>> {
                let r = ::sqlx::query("SELECT * FROM openings ORDER BY id DESC")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(store_err)?;
                let mut list = rows(r, opening_row)?;
                let team = ::sqlx::query("SELECT * FROM hiring_team ORDER BY opening_id, account_id")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(store_err)?;
                for (opening, m) in rows(team, member_row)? {
                    if let Some(o) = list.iter_mut().find(|o| o.id == opening) {
                        o.new.team.push(m);
                    }
                }
                Ok(list)
            }

            async fn opening(&self, id: $crate::Id) -> $crate::Result<Option<$crate::Opening>> {
                let r = ::sqlx::query("SELECT * FROM openings WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(store_err)?;
                let Some(mut o) = r.as_ref().map(opening_row).transpose().map_err(store_err)? else {
                    return Ok(None);
                };
                let team = ::sqlx::query("SELECT * FROM hiring_team WHERE opening_id = $1 ORDER BY account_id")
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(store_err)?;
                o.new.team = rows(team, member_row)?.into_iter().map(|(_, m)| m).collect();
                Ok(Some(o))
            }

            async fn add_candidate(
                &self,
                opening: $crate::Id,
                name: &str,
                contact: &str,
                stage: &str,
                now: i64,
            ) -> $crate::Result<$crate::Id> {
                use ::sqlx::Row as _;
                let id: $crate::Id = ::sqlx::query(
                    "INSERT INTO candidates (opening_id, name, contact, stage, state, created_at) \
                     VALUES ($1, $2, $3, $4, 'active', $5) RETURNING id",
                )
                .bind(opening)
                .bind(name)
                .bind(contact)
                .bind(stage)
                .bind(now)
                .fetch_one(&self.pool)
                .await
                .map_err(store_err)?
                .try_get("id")
                .map_err(store_err)?;
                Ok(id)
            }

            async fn candidates(&self, opening: $crate::Id) -> $crate::Result<Vec<$crate::Candidate>> {
                let r = ::sqlx::query("SELECT * FROM candidates WHERE opening_id = $1 ORDER BY id")
                    .bind(opening)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(store_err)?;
                rows(r, candidate_row)
            }

            async fn candidate(&self, id: $crate::Id) -> $crate::Result<Option<$crate::Candidate>> {
                let r = ::sqlx::query("SELECT * FROM candidates WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(store_err)?;
                r.as_ref().map(candidate_row).transpose().map_err(store_err)
            }

            async fn move_candidate(
                &self,
                id: $crate::Id,
                from: &str,
                stage: &str,
                state: &str,
            ) -> $crate::Result<()> {
                let done = ::sqlx::query(
                    "UPDATE candidates SET stage = $1, state = $2 WHERE id = $3 AND stage = $4 AND state = 'active'",
                )
                .bind(stage)
                .bind(state)
                .bind(id)
                .bind(from)
                .execute(&self.pool)
                .await
                .map_err(store_err)?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::Refused(format!(
                        "the candidate is no longer active at stage {from}; reload to see where they are"
                    )));
                }
                Ok(())
            }

            async fn submit_scorecard(&self, s: &$crate::Scorecard) -> $crate::Result<()> {
                ::sqlx::query(
                    "INSERT INTO scorecards (candidate_id, stage, interviewer_id, scores, notes, submitted_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(s.candidate_id)
                .bind(&s.stage)
                .bind(s.interviewer_id)
                .bind(to_json(&s.scores)?)
                .bind(&s.notes)
                .bind(s.submitted_at)
                .execute(&self.pool)
                .await
                .map_err(|e| match store_err(e) {
                    $crate::StoreError::Conflict(_) => $crate::StoreError::Refused(format!(
                        "you have already submitted a scorecard for stage {}",
                        s.stage
                    )),
                    e => e,
                })?;
                Ok(())
            }

            async fn scorecards(&self, candidate: $crate::Id) -> $crate::Result<Vec<$crate::Scorecard>> {
                let r = ::sqlx::query(
                    "SELECT * FROM scorecards WHERE candidate_id = $1 ORDER BY submitted_at, interviewer_id",
                )
                .bind(candidate)
                .fetch_all(&self.pool)
                .await
                .map_err(store_err)?;
                rows(r, scorecard_row)
            }

            async fn delete_candidate(&self, id: $crate::Id) -> $crate::Result<()> {
                let mut tx = self.begin_write().await.map_err(store_err)?;
                ::sqlx::query("DELETE FROM scorecards WHERE candidate_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(store_err)?;
                let done = ::sqlx::query("DELETE FROM candidates WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(store_err)?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound(format!("candidate {id}")));
                }
                tx.commit().await.map_err(store_err)?;
                Ok(())
            }
        }
    };
}
