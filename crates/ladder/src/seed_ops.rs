//! The demo's pay, internships and hiring: fictional bands and salaries
//! loaded through the same checked CSV path as a real import, two
//! internships (one running, one completed) and one opening with
//! candidates part-way through the hiring process.

use ladder_org::Date;
use ladder_org::pay::{export_bands, plain};
use ladder_server::Loaded;
use ladder_server::access::{PayImport, apply_bands_csv, apply_salaries_csv, grades, pay_zones};
use ladder_store::{
    Activity, HiringRole, Moved, NewInternship, NewOpening, Person, Score, Scorecard, Side, Store,
    TeamMember,
};
use std::fmt::Write as _;

/// Who the demo's operations are about: the demo engineer's manager,
/// their team (the engineer first), and everyone (who all get a salary).
pub struct Cast<'a> {
    pub boss: &'a Person,
    pub team: &'a [&'a Person],
    pub everyone: &'a [Person],
}

/// Writes the pay, internships and opening. Errors name the part that
/// failed.
pub async fn seed_ops(
    store: &dyn Store,
    loaded: &Loaded,
    cast: &Cast<'_>,
    now: i64,
    seed: u64,
) -> Result<(), String> {
    seed_pay(store, loaded, cast.everyone, now, seed)
        .await
        .map_err(|e| format!("pay: {e}"))?;
    seed_internships(store, loaded, cast, now)
        .await
        .map_err(|e| format!("internships: {e}"))?;
    seed_hiring(store, loaded, cast, now)
        .await
        .map_err(|e| format!("hiring: {e}"))
}

/// Fictional currencies, one per zone in turn.
const CURRENCIES: [(&str, i64); 4] = [
    ("EUR", 52_000),
    ("CAD", 74_000),
    ("GBP", 46_000),
    ("USD", 80_000),
];

/// A small deterministic generator, as in the rest of the demo.
struct Lcg(u64);

impl Lcg {
    /// A value in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// Rounds hundredths to the nearest 500 units.
fn round_500(hundredths: i64) -> i64 {
    (hundredths + 25_000) / 50_000 * 50_000
}

/// Bands for every grade in every zone, from two years ago, and each
/// person's salary: mostly inside their band, a few outside so the
/// report has flags, with a raise this year for about half.
async fn seed_pay(
    store: &dyn Store,
    loaded: &Loaded,
    people: &[Person],
    now: i64,
    seed: u64,
) -> Result<(), String> {
    let fw = &loaded.framework;
    let today = Date::from_unix(now);
    let from = Date::new(today.year().saturating_sub(2), 1, 1).ok_or("no date two years ago")?;
    let raise = Date::new(today.year(), 1, 1).ok_or("no first of January")?;
    let zones = pay_zones(fw, people);
    let grades = grades(fw);
    let mut bands = Vec::new();
    for (z, zone) in zones.iter().enumerate() {
        let (currency, base) = CURRENCIES
            .get(z % CURRENCIES.len())
            .copied()
            .unwrap_or(("EUR", 52_000));
        for grade in &grades {
            let g: f64 = grade.parse().unwrap_or(4.0);
            // 18% more per grade above the lowest.
            let step = 1.18_f64.powf(g - 4.0);
            let mid = round_500((base as f64 * 100.0 * step) as i64);
            bands.push(ladder_org::pay::Band {
                grade: grade.clone(),
                zone: zone.clone(),
                currency: currency.to_owned(),
                min: round_500(mid * 4 / 5),
                mid,
                max: round_500(mid * 6 / 5),
                effective_from: from,
            });
        }
    }
    let imported = apply_bands_csv(
        store,
        &export_bands(&bands),
        fw,
        people,
        crate::server::demo_record(now, "pay.bands"),
    )
    .await
    .map_err(|e| e.to_string())?;
    if let PayImport::Refused(errors) = imported {
        return Err(format!("the demo's bands were refused: {errors:?}"));
    }

    let mut rng = Lcg(seed ^ 0x9e37_79b9);
    let mut csv = String::from("email,amount,currency,effective_from\n");
    for p in people {
        let Some(zone) = fw.config.policy.pay.zone_of(&p.record.location) else {
            continue;
        };
        let Some(band) = bands
            .iter()
            .find(|b| b.grade == p.record.role.grade && b.zone == zone)
        else {
            continue;
        };
        // 85–115% of the midpoint; one in twelve below or above the band.
        let percent = match rng.below(12) {
            0 => 74,
            1 => 124,
            _ => 85 + i64::try_from(rng.below(31)).unwrap_or(0),
        };
        let amount = round_500(band.mid * percent / 100);
        let start = p.record.start_date.map_or(from, |d| d.max(from));
        let _ = writeln!(
            csv,
            "{},{},{},{start}",
            p.record.email,
            plain(amount),
            band.currency
        );
        if start < raise && rng.below(2) == 0 {
            let _ = writeln!(
                csv,
                "{},{},{},{raise}",
                p.record.email,
                plain(round_500(amount * 104 / 100)),
                band.currency
            );
        }
    }
    let imported = apply_salaries_csv(
        store,
        &csv,
        fw,
        people,
        crate::server::demo_record(now, "pay.salaries"),
    )
    .await
    .map_err(|e| e.to_string())?;
    if let PayImport::Refused(errors) = imported {
        return Err(format!("the demo's salaries were refused: {errors:?}"));
    }
    Ok(())
}

/// Someone in another department than `home` with a manager: the most
/// senior engineer without reports there, so the host team's manager is
/// their manager.
fn mentor_for<'a>(people: &'a [Person], home: &str, not: &[i64]) -> Option<&'a Person> {
    let managers: std::collections::BTreeSet<i64> =
        people.iter().filter_map(|p| p.manager_id).collect();
    let grade = |p: &Person| p.record.role.grade.parse::<f64>().unwrap_or(0.0);
    people
        .iter()
        .filter(|p| {
            p.record.department != home
                && !not.contains(&p.id)
                && p.manager_id.is_some()
                && !managers.contains(&p.id)
        })
        .max_by(|a, b| grade(a).total_cmp(&grade(b)))
}

/// The competency ids a person could grow: the first few their next
/// level adds, or else the first of their own level.
fn growth_ids(loaded: &Loaded, p: &Person, n: usize) -> Vec<String> {
    let r = &p.record.role;
    let Ok(ws) = ladder_growth::worksheet::worksheet(
        &loaded.framework,
        &r.family,
        &r.level,
        r.specialty.as_deref(),
    ) else {
        return Vec::new();
    };
    let mut rows: Vec<_> = ws.rows.iter().filter(|r| r.new_at_next).collect();
    if rows.is_empty() {
        rows = ws.rows.iter().collect();
    }
    rows.into_iter().take(n).map(|r| r.id.clone()).collect()
}

/// The engineer interns with another department now (approved, a few
/// log entries); a teammate finished one last quarter, with its outcome
/// and the ratings it moved.
async fn seed_internships(
    store: &dyn Store,
    loaded: &Loaded,
    cast: &Cast<'_>,
    now: i64,
) -> Result<(), String> {
    let err = |e: ladder_store::StoreError| e.to_string();
    let today = Date::from_unix(now);
    let day = |offset: i64| today.add_days(offset).to_string();
    let at = |offset: i64| now + offset * 86_400;
    let plans = [
        (
            // Running: started three weeks ago.
            -21_i64,
            70_i64,
            "Learn how the host team runs its services in production, and bring the practice back.",
            vec![
                Activity {
                    kind: "on_call_shadow".to_owned(),
                    detail: "Two weeks beside the primary on-call engineer".to_owned(),
                },
                Activity {
                    kind: "pairing".to_owned(),
                    detail: "Pair on the alert-tuning issues in the host team's backlog".to_owned(),
                },
            ],
            "Read access to the dashboards and the paging tool",
        ),
        (
            // Completed: ran for two months, ended a month ago.
            -95,
            -30,
            "Get confident with release engineering: pipelines, rollbacks, release notes.",
            vec![
                Activity {
                    kind: "release_shadow".to_owned(),
                    detail: "Shadow two monthly releases".to_owned(),
                },
                Activity {
                    kind: "other".to_owned(),
                    detail: "Write the runbook for a rollback drill".to_owned(),
                },
            ],
            "Deploy rights on staging",
        ),
    ];
    let mut mentors = Vec::new();
    for (k, (start, end, goals, activities, access)) in plans.into_iter().enumerate() {
        let Some(intern) = cast.team.get(k) else {
            break;
        };
        let Some(mentor) = mentor_for(cast.everyone, &intern.record.department, &mentors) else {
            break;
        };
        mentors.push(mentor.id);
        let Some(home_manager) = intern.manager_id else {
            break;
        };
        let competencies = growth_ids(loaded, intern, 2);
        let id = store
            .create_internship(
                &NewInternship {
                    person_id: intern.id,
                    host_department: mentor.record.department.clone(),
                    mentor_id: mentor.id,
                    goals: goals.to_owned(),
                    competencies: competencies.clone(),
                    share: if k == 0 { 20 } else { 30 },
                    start_date: day(start),
                    end_date: day(end),
                    activities,
                    access: access.to_owned(),
                },
                at(start - 14),
                &crate::server::demo_record(now, "create_internship"),
            )
            .await
            .map_err(err)?;
        store
            .decide_internship(
                id,
                Side::Manager,
                true,
                home_manager,
                "Yes: a good fit for your focus areas.",
                at(start - 12),
                &crate::server::demo_record(now, "decide_internship"),
            )
            .await
            .map_err(err)?;
        store
            .decide_internship(
                id,
                Side::Host,
                true,
                mentor.id,
                "Welcome aboard.",
                at(start - 10),
                &crate::server::demo_record(now, "decide_internship"),
            )
            .await
            .map_err(err)?;
        let log = [
            (intern.id, 2, "Set up access; read the team's runbooks."),
            (
                mentor.id,
                6,
                "Walked through last month's incidents together.",
            ),
            (
                intern.id,
                12,
                "Handled a low-severity alert with the mentor watching.",
            ),
        ];
        for (author, offset, text) in log {
            if start + offset < end.min(0) {
                store
                    .add_internship_log(
                        id,
                        author,
                        &day(start + offset),
                        text,
                        at(start + offset),
                        &crate::server::demo_record(now, "add_internship_log"),
                    )
                    .await
                    .map_err(err)?;
            }
        }
        if end < 0 {
            let ratings = store.ratings(&[intern.id]).await.map_err(err)?;
            let moved = Moved::from_ratings(&ratings, &competencies);
            store
                .complete_internship(
                    id,
                    "Ran a staging release on their own and wrote the rollback runbook the \
                     home team now uses.",
                    &moved,
                    at(end),
                    &crate::server::demo_record(now, "complete_internship"),
                )
                .await
                .map_err(err)?;
        }
    }
    Ok(())
}

/// Fictional candidates: names and contacts only, as the product keeps.
const CANDIDATES: [(&str, &str); 3] = [
    ("Sam Placeholder", "sam.placeholder@example.net"),
    ("Jo Sample", "jo.sample@example.net"),
    ("Kim Fictional", "kim.fictional@example.net"),
];

/// One opening in the engineer's role, led by their manager, with the
/// engineer and a teammate interviewing, and three candidates: one
/// waiting for the engineer's second-stage scorecard (a teammate's is in,
/// hidden until the engineer submits), one just screened, one rejected.
async fn seed_hiring(
    store: &dyn Store,
    loaded: &Loaded,
    cast: &Cast<'_>,
    now: i64,
) -> Result<(), String> {
    let err = |e: ladder_store::StoreError| e.to_string();
    let Some(engineer) = cast.team.first() else {
        return Ok(());
    };
    let role = &engineer.record.role;
    let view = ladder_framework::resolve::role(
        &loaded.framework,
        &role.family,
        &role.level,
        role.specialty.as_deref(),
        false,
    )
    .map_err(|e| e.to_string())?;
    let stages: Vec<&str> = view.hiring_process.iter().map(|s| s.id.as_str()).collect();
    let (Some(first), Some(second)) = (stages.first(), stages.get(1)) else {
        // A family without a hiring process has nothing to score.
        return Ok(());
    };
    let account = |p: &Person| {
        let email = p.record.email.clone();
        async move {
            store
                .account_by_email(&email)
                .await
                .map_err(err)?
                .map(|a| a.id)
                .ok_or_else(|| format!("{email} has no account"))
        }
    };
    let lead = account(cast.boss).await?;
    let mut team = vec![TeamMember {
        account_id: lead,
        role: HiringRole::Lead,
    }];
    let mut interviewers = Vec::new();
    for p in cast.team.iter().take(2) {
        let id = account(p).await?;
        interviewers.push(id);
        team.push(TeamMember {
            account_id: id,
            role: HiringRole::Interviewer,
        });
    }
    let opening = store
        .create_opening(
            &NewOpening {
                title: format!("{} (demo opening)", view.title),
                family: role.family.clone(),
                level: role.level.clone(),
                specialty: role.specialty.clone(),
                team,
            },
            None,
            now - 20 * 86_400,
            &crate::server::demo_record(now, "create_opening"),
        )
        .await
        .map_err(err)?;
    let points: Vec<i32> = loaded
        .framework
        .config
        .rating_scale
        .iter()
        .map(|p| p.value)
        .collect();
    let card = |candidate, stage: &str, by, k: usize, at| Scorecard {
        candidate_id: candidate,
        stage: stage.to_owned(),
        interviewer_id: by,
        scores: view
            .requirements
            .iter()
            .enumerate()
            .map(|(i, r)| Score {
                requirement: r.id.clone(),
                // Every fourth requirement was not covered in this stage.
                score: (i % 4 != 3)
                    .then(|| points.get((i + k) % points.len().max(1)).copied())
                    .flatten(),
                notes: String::new(),
            })
            .collect(),
        notes: "Clear communicator; asked good questions about the team.".to_owned(),
        submitted_at: at,
    };
    let teammate = interviewers.get(1).copied().unwrap_or(lead);
    for (k, (name, contact)) in CANDIDATES.iter().enumerate() {
        let at = now - (15 - i64::try_from(k).unwrap_or(0) * 4) * 86_400;
        let id = store
            .add_candidate(
                opening,
                name,
                contact,
                first,
                at,
                &crate::server::demo_record(now, "add_candidate"),
            )
            .await
            .map_err(err)?;
        store
            .submit_scorecard(
                &card(id, first, lead, k, at + 86_400),
                &crate::server::demo_record(now, "submit_scorecard"),
            )
            .await
            .map_err(err)?;
        match k {
            0 => {
                store
                    .move_candidate(
                        id,
                        first,
                        second,
                        "active",
                        &crate::server::demo_record(now, "move_candidate"),
                    )
                    .await
                    .map_err(err)?;
                store
                    .submit_scorecard(
                        &card(id, second, teammate, k + 1, at + 3 * 86_400),
                        &crate::server::demo_record(now, "submit_scorecard"),
                    )
                    .await
                    .map_err(err)?;
            }
            2 => store
                .move_candidate(
                    id,
                    first,
                    first,
                    "rejected",
                    &crate::server::demo_record(now, "move_candidate"),
                )
                .await
                .map_err(err)?,
            _ => {}
        }
    }
    Ok(())
}
