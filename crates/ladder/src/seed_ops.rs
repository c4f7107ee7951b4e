//! The demo's pay, internships and hiring: fictional bands and salaries
//! loaded through the same checked CSV path as a real import, three
//! internships (one running, one completed, one waiting for its
//! decisions) and one opening with
//! candidates part-way through the hiring process.

use ladder_org::Date;
use ladder_org::pay::{export_bands, plain};
use ladder_server::access::{PayImport, apply_bands_csv, apply_salaries_csv, grades, pay_zones};
use ladder_server::internships::service::{ActivityInput, InternshipInput};
use ladder_server::{AppState, Loaded};
use ladder_store::{Person, Store};

/// The address the demo's own writes are audited from.
const DEMO_IP: &str = "demo";
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
    state: &AppState,
    store: &dyn Store,
    cast: &Cast<'_>,
    people_team: &str,
    now: i64,
    seed: u64,
) -> Result<(), String> {
    let loaded = state.framework();
    seed_pay(store, &loaded, cast.everyone, now, seed)
        .await
        .map_err(|e| format!("pay: {e}"))?;
    seed_internships(state, &loaded, cast, now)
        .await
        .map_err(|e| format!("internships: {e}"))?;
    seed_hiring(state, &loaded, cast, people_team, now)
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
                family: String::new(),
                level: String::new(),
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
    state: &AppState,
    loaded: &Loaded,
    cast: &Cast<'_>,
    now: i64,
) -> Result<(), String> {
    use ladder_server::internships::service as internships;
    let err = |e: ladder_server::AppError| e.to_string();
    let access = state.access();
    let as_ = async |p: &Person| {
        access
            .acting_as(&p.record.email, DEMO_IP)
            .await
            .map_err(err)
    };
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
                ActivityInput {
                    kind: "on_call_shadow".to_owned(),
                    detail: "Two weeks beside the primary on-call engineer".to_owned(),
                },
                ActivityInput {
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
                ActivityInput {
                    kind: "release_shadow".to_owned(),
                    detail: "Shadow two monthly releases".to_owned(),
                },
                ActivityInput {
                    kind: "other".to_owned(),
                    detail: "Write the runbook for a rollback drill".to_owned(),
                },
            ],
            "Deploy rights on staging",
        ),
        (
            // Asked for last week, starting next month: waiting for the
            // manager's and the host's decisions.
            28,
            84,
            "Learn how the host team designs data models, and review one of theirs.",
            vec![ActivityInput {
                kind: "pairing".to_owned(),
                detail: "Pair on a schema change from design to rollout".to_owned(),
            }],
            "Read access to the host team's design documents",
        ),
    ];
    let mut mentors = Vec::new();
    for (k, (start, end, goals, activities, needs)) in plans.into_iter().enumerate() {
        // One person each; a small team's first asks again.
        let Some(intern) = cast.team.get(k).or(cast.team.first()) else {
            break;
        };
        let Some(mentor) = mentor_for(cast.everyone, &intern.record.department, &mentors) else {
            break;
        };
        mentors.push(mentor.id);
        let Some(home_manager) = intern
            .manager_id
            .and_then(|m| cast.everyone.iter().find(|p| p.id == m))
        else {
            break;
        };
        let competencies = growth_ids(loaded, intern, 2);
        let input = InternshipInput {
            host_department: mentor.record.department.clone(),
            mentor_id: mentor.id,
            goals: goals.to_owned(),
            competencies: competencies.clone(),
            share: if k == 0 { 20 } else { 30 },
            start_date: day(start),
            end_date: day(end),
            activities,
            access: needs.to_owned(),
        };
        let (me, boss, host) = (
            as_(intern).await?,
            as_(home_manager).await?,
            as_(mentor).await?,
        );
        let asked = if start < 0 { at(start - 14) } else { at(-7) };
        let id = internships::request(access, &me, &input, &loaded.framework, asked)
            .await
            .map_err(err)?;
        let decided = if start < 0 {
            vec![
                (
                    &boss,
                    "Yes: a good fit for your focus areas.",
                    at(start - 12),
                ),
                (&host, "Welcome aboard.", at(start - 10)),
            ]
        } else {
            Vec::new()
        };
        for (v, comment, when) in decided {
            let view = access.internship(v, id).await.map_err(err)?;
            internships::decide(&view, true, comment, when)
                .await
                .map_err(err)?;
        }
        let log = [
            (&me, 2, "Set up access; read the team's runbooks."),
            (&host, 6, "Walked through last month's incidents together."),
            (
                &me,
                12,
                "Handled a low-severity alert with the mentor watching.",
            ),
        ];
        for (v, offset, text) in log {
            if start + offset < end.min(0) {
                let view = access.internship(v, id).await.map_err(err)?;
                internships::add_log(&view, &day(start + offset), text, at(start + offset))
                    .await
                    .map_err(err)?;
            }
        }
        if end < 0 {
            let view = access.internship(&boss, id).await.map_err(err)?;
            internships::complete(
                &view,
                "Ran a staging release on their own and wrote the rollback runbook the \
                 home team now uses.",
                &competencies,
                at(end),
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
    state: &AppState,
    loaded: &Loaded,
    cast: &Cast<'_>,
    people_team: &str,
    now: i64,
) -> Result<(), String> {
    use ladder_server::hiring::service::{self as hiring, OpeningInput, ScoreIn, ScorecardIn};
    let err = |e: ladder_server::AppError| e.to_string();
    let access = state.access();
    let as_ = async |email: &str| access.acting_as(email, DEMO_IP).await.map_err(err);
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
    if view.hiring_process.len() < 2 {
        // A family without a hiring process has nothing to score.
        return Ok(());
    }
    let interviewers: Vec<&Person> = cast.team.iter().take(2).copied().collect();
    let admin_viewer = as_(people_team).await?;
    let admin = access.hiring_admin(&admin_viewer).map_err(err)?;
    let input = OpeningInput {
        title: format!("{} (demo opening)", view.title),
        family: role.family.clone(),
        level: role.level.clone(),
        specialty: role.specialty.clone(),
        leads: vec![cast.boss.record.email.clone()],
        interviewers: interviewers
            .iter()
            .map(|p| p.record.email.clone())
            .collect(),
    };
    let (opening, _) = hiring::open(state, &admin, &input, now - 20 * 86_400)
        .await
        .map_err(err)?;
    let lead = as_(&cast.boss.record.email).await?;
    let teammate = match interviewers.get(1) {
        Some(p) => as_(&p.record.email).await?,
        None => as_(&cast.boss.record.email).await?,
    };
    let points: Vec<i32> = loaded
        .framework
        .config
        .rating_scale
        .iter()
        .map(|p| p.value)
        .collect();
    let opening_view = access.opening(&lead, opening).await.map_err(err)?;
    let template = hiring::template_of(state, &opening_view.opening).map_err(err)?;
    let (Some(first), Some(second)) = (template.stages.first(), template.stages.get(1)) else {
        return Ok(());
    };
    let card = |stage: &str, k: usize| ScorecardIn {
        stage: stage.to_owned(),
        scores: template
            .requirements
            .iter()
            .enumerate()
            .map(|(i, r)| ScoreIn {
                requirement: r.id.clone(),
                // Every fourth requirement was not covered in this stage.
                score: (i % 4 != 3)
                    .then(|| points.get((i + k) % points.len().max(1)).copied())
                    .flatten(),
                notes: String::new(),
            })
            .collect(),
        notes: "Clear communicator; asked good questions about the team.".to_owned(),
    };
    for (k, (name, contact)) in CANDIDATES.iter().enumerate() {
        let at = now - (15 - i64::try_from(k).unwrap_or(0) * 4) * 86_400;
        let id = hiring::add_candidate(state, &opening_view, name, contact, at)
            .await
            .map_err(err)?;
        let candidate = access.candidate(&lead, id).await.map_err(err)?;
        hiring::score(
            state,
            &candidate,
            lead.account.id,
            &card(&first.id, k),
            at + 86_400,
        )
        .await
        .map_err(err)?;
        match k {
            0 => {
                hiring::move_candidate(state, &candidate, "next", at + 2 * 86_400)
                    .await
                    .map_err(err)?;
                let c = access.candidate(&teammate, id).await.map_err(err)?;
                hiring::score(
                    state,
                    &c,
                    teammate.account.id,
                    &card(&second.id, k + 1),
                    at + 3 * 86_400,
                )
                .await
                .map_err(err)?;
            }
            2 => hiring::move_candidate(state, &candidate, "rejected", at + 2 * 86_400)
                .await
                .map_err(err)?,
            _ => {}
        }
    }
    Ok(())
}
