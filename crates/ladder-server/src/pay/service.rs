//! Pay for the pages, the API and the proposals that name a band: a
//! person's line (band, compa ratio, flags), the people team's report and
//! its groups, the CSV export, the band a proposal moves someone into.

use crate::access::{OrgPay, PayAdmin, PayRows, PersonPay, Viewer};
use crate::framework::Loaded;
use crate::http::table::Orders;
use crate::{AppError, AppState};
use ladder_framework::Framework;
use ladder_org::Date;
use ladder_org::pay::{self, Band, Compa, Flag, Spread, format_amount};
use ladder_store::{Id, Person};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One person's line in a compa report.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PayLine {
    pub person_id: Id,
    pub name: String,
    pub department: String,
    pub level: String,
    pub grade: String,
    /// The direct manager's name: the team.
    pub team: String,
    pub currency: String,
    /// In hundredths of the currency unit.
    pub salary: i64,
    pub band_min: Option<i64>,
    pub band_mid: Option<i64>,
    pub band_max: Option<i64>,
    pub ratio: Option<f64>,
    /// `below_min`, `above_max`, `currency` or `no_band`.
    #[schema(value_type = Option<String>)]
    pub flag: Option<Flag>,
}

impl PayLine {
    pub fn salary_text(&self) -> String {
        format!("{} {}", format_amount(self.salary), self.currency)
    }

    pub fn band_text(&self) -> String {
        match (self.band_min, self.band_mid, self.band_max) {
            (Some(a), Some(b), Some(c)) => format!(
                "{} – {} – {}",
                format_amount(a),
                format_amount(b),
                format_amount(c)
            ),
            _ => "—".to_owned(),
        }
    }

    pub fn ratio_text(&self) -> String {
        ratio_text(self.ratio)
    }

    pub fn flag_text(&self) -> &'static str {
        self.flag.map_or("", Flag::label)
    }
}

pub fn ratio_text(r: Option<f64>) -> String {
    r.map_or_else(|| "—".to_owned(), |r| format!("{r:.2}"))
}

/// The spread of compa ratios in one group.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Group {
    pub key: String,
    pub count: usize,
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
    /// People below the band's minimum or above its maximum.
    pub flagged: usize,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub as_of: String,
    pub people: Vec<PayLine>,
    pub by_level: Vec<Group>,
    pub by_grade: Vec<Group>,
    pub by_team: Vec<Group>,
    pub by_department: Vec<Group>,
    /// Active people without a salary on the day.
    pub without_salary: usize,
}

impl Report {
    pub fn flagged(&self) -> Vec<&PayLine> {
        self.people.iter().filter(|l| l.flag.is_some()).collect()
    }
}

pub(crate) fn line(team: String, p: &Person, c: &Compa, fw: &Framework) -> PayLine {
    let band = c.band.as_ref();
    PayLine {
        person_id: p.id,
        name: p.record.name.clone(),
        department: p.record.department.clone(),
        level: fw
            .level(&p.record.role.level)
            .map_or_else(|| p.record.role.level.clone(), |l| l.title.clone()),
        grade: p.record.role.grade.clone(),
        team,
        currency: c.salary.currency.clone(),
        salary: c.salary.amount,
        band_min: band.map(|b| b.min),
        band_mid: band.map(|b| b.mid),
        band_max: band.map(|b| b.max),
        ratio: c.ratio,
        flag: c.flag,
    }
}

pub(crate) fn groups(
    lines: &[PayLine],
    key: impl Fn(&PayLine) -> String,
    order: &[String],
) -> Vec<Group> {
    let mut by: BTreeMap<String, (Vec<f64>, usize)> = BTreeMap::new();
    for l in lines {
        let e = by.entry(key(l)).or_default();
        if let Some(r) = l.ratio {
            e.0.push(r);
        }
        if matches!(l.flag, Some(Flag::BelowMin | Flag::AboveMax)) {
            e.1 += 1;
        }
    }
    let mut out: Vec<Group> = by
        .into_iter()
        .filter_map(|(key, (ratios, flagged))| {
            let Spread {
                count,
                min,
                q1,
                median,
                q3,
                max,
            } = pay::spread(&ratios)?;
            Some(Group {
                key,
                count,
                min,
                q1,
                median,
                q3,
                max,
                flagged,
            })
        })
        .collect();
    out.sort_by_key(|g| order.iter().position(|o| *o == g.key).unwrap_or(usize::MAX));
    out
}

/// The report over the rows a capability handed out.
pub fn report(rows: &PayRows, fw: &Framework, as_of: Date) -> Report {
    let mut people: Vec<PayLine> = rows
        .iter()
        .filter_map(|(p, c)| c.map(|c| line(rows.team_of(&p), &p, c, fw)))
        .collect();
    people.sort_by(|a, b| (&a.department, &a.name).cmp(&(&b.department, &b.name)));
    let levels: Vec<String> = fw.config.levels.iter().map(|l| l.title.clone()).collect();
    let mut grades: Vec<String> = people.iter().map(|l| l.grade.clone()).collect();
    grades.sort_by(|a, b| {
        let n = |s: &str| s.parse::<f64>().unwrap_or(f64::MAX);
        n(a).total_cmp(&n(b))
    });
    grades.dedup();
    Report {
        as_of: as_of.to_string(),
        by_level: groups(&people, |l| l.level.clone(), &levels),
        by_grade: groups(&people, |l| l.grade.clone(), &grades),
        by_team: groups(&people, |l| l.team.clone(), &[]),
        by_department: groups(&people, |l| l.department.clone(), &[]),
        without_salary: rows.iter().filter(|(_, c)| c.is_none()).count(),
        people,
    }
}

/// How many rows of a list the pay page shows at most (flagged people,
/// groups): the page stays the same size however large the organisation;
/// the table of everyone pages, and the export has every row.
pub(crate) const SHOWN: usize = 50;

/// The people team's report with what its page shows on top, computed
/// once per day and version of the organisation and the framework (the
/// page, the compa API and the export share it).
#[derive(Debug)]
pub struct Figures {
    pub report: Report,
    pub chart: Option<String>,
    /// (with a salary, outside their band, that as a percent, the median
    /// compa ratio).
    pub totals: (usize, usize, String, String),
    /// The first [`SHOWN`] of those outside their band.
    pub flagged: Vec<PayLine>,
    /// Each grouping, at most [`SHOWN`] groups of it, and how many more.
    pub groups: Vec<(&'static str, Vec<Group>, usize)>,
    /// The orders the pay table has been asked for, of `report.people`.
    pub orders: Orders,
}

/// The kind of [`Figures`] in the framework version's cache of views.
const FIGURES: &str = "pay.figures";

/// The people team's report on `as_of`, found or computed once for the
/// day and version (the page, the compa API and the export share it), not
/// yet read.
pub async fn org_figures<'a>(
    admin: &'a PayAdmin<'a>,
    loaded: &Loaded,
    as_of: Date,
) -> Result<OrgPay<'a, Figures>, AppError> {
    let fw = &loaded.framework;
    admin
        .everyone(loaded, as_of, FIGURES, |rows| figures(rows, fw, as_of))
        .await
}

/// The report's figures from everyone's rows.
pub fn figures(rows: &PayRows, fw: &Framework, as_of: Date) -> Result<Figures, AppError> {
    let report = report(rows, fw, as_of);
    let chart = if report.by_level.is_empty() {
        None
    } else {
        Some(chart(&report)?)
    };
    let all_flagged = report.flagged();
    let flagged_count = all_flagged.len();
    let flagged: Vec<PayLine> = all_flagged.into_iter().take(SHOWN).cloned().collect();
    let with = report.people.len();
    let mut ratios: Vec<f64> = report.people.iter().filter_map(|l| l.ratio).collect();
    ratios.sort_by(f64::total_cmp);
    let median = ratios
        .get(ratios.len() / 2)
        .map_or_else(|| "–".to_owned(), |r| format!("{r:.2}"));
    #[allow(clippy::cast_precision_loss)]
    let share = if with == 0 {
        "–".to_owned()
    } else {
        format!("{:.0}%", flagged_count as f64 * 100.0 / with as f64)
    };
    let groups = vec![
        bounded("Per level", &report.by_level),
        bounded("Per grade", &report.by_grade),
        bounded("Per team (by manager)", &report.by_team),
        bounded("Per department", &report.by_department),
    ];
    Ok(Figures {
        totals: (with, flagged_count, share, median),
        flagged,
        groups,
        chart,
        report,
        orders: Orders::default(),
    })
}

/// A grouping as the page shows it: all of it when short, else the
/// [`SHOWN`] groups with the most people out of band (then the lowest
/// median), in the grouping's own order, and how many were left out.
pub(crate) fn bounded(title: &'static str, groups: &[Group]) -> (&'static str, Vec<Group>, usize) {
    if groups.len() <= SHOWN {
        return (title, groups.to_vec(), 0);
    }
    let mut rank: Vec<usize> = (0..groups.len()).collect();
    rank.sort_by(|a, b| {
        let (ga, gb) = (groups.get(*a), groups.get(*b));
        let flagged = |g: Option<&Group>| g.map_or(0, |g| g.flagged);
        let median = |g: Option<&Group>| g.map_or(f64::INFINITY, |g| g.median);
        flagged(gb)
            .cmp(&flagged(ga))
            .then(median(ga).total_cmp(&median(gb)))
    });
    rank.truncate(SHOWN);
    rank.sort_unstable();
    let kept = rank
        .iter()
        .filter_map(|i| groups.get(*i).cloned())
        .collect();
    (title, kept, groups.len() - SHOWN)
}

/// The kind of a chain's [`Report`] in the framework version's cache.
pub const TEAM_REPORT: &str = "pay.team";

/// The buckets of the compa chart, as (upper bound, label): five, one
/// shade each, so no two buckets look alike.
pub(crate) const BUCKETS: [(f64, &str); 5] = [
    (0.8, "under 0.80"),
    (0.95, "0.80–0.94"),
    (1.05, "0.95–1.04"),
    (1.2, "1.05–1.19"),
    (f64::INFINITY, "1.20 and over"),
];

/// Compa ratios per level as stacked bars, one segment per bucket.
pub fn chart(r: &Report) -> Result<String, AppError> {
    let mut rows: Vec<(String, Vec<(i64, usize)>)> = Vec::new();
    for g in &r.by_level {
        let mut counts = vec![0usize; BUCKETS.len()];
        for l in r.people.iter().filter(|l| l.level == g.key) {
            if let Some(ratio) = l.ratio
                && let Some(i) = BUCKETS.iter().position(|(up, _)| ratio < *up)
                && let Some(c) = counts.get_mut(i)
            {
                *c += 1;
            }
        }
        let bucket_counts = (0i64..).zip(counts).collect();
        rows.push((g.key.clone(), bucket_counts));
    }
    let scale: Vec<(i64, String)> = (0i64..)
        .zip(BUCKETS.iter().map(|(_, l)| (*l).to_owned()))
        .collect();
    ladder_growth::charts::distribution(
        "compa-chart",
        "Compa ratios per level",
        "People per range of compa ratios",
        false,
        &rows,
        &scale,
    )
    .map_err(|e| AppError::Internal(format!("compa chart: {e}")))
}

/// The report as CSV, one person per row: its first line.
pub const EXPORT_HEADER: &str = "name,department,level,grade,team,currency,salary,band_min,band_mid,band_max,compa_ratio,flag\n";

/// Lines of the export, one per person.
pub fn export_lines(lines: &[PayLine]) -> String {
    let mut out = String::new();
    for l in lines {
        let opt = |v: Option<i64>| v.map(pay::plain).unwrap_or_default();
        let cells = [
            l.name.clone(),
            l.department.clone(),
            l.level.clone(),
            l.grade.clone(),
            l.team.clone(),
            l.currency.clone(),
            pay::plain(l.salary),
            opt(l.band_min),
            opt(l.band_mid),
            opt(l.band_max),
            l.ratio.map(|r| format!("{r:.3}")).unwrap_or_default(),
            l.flag
                .map(|f| {
                    serde_json::to_value(f)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                })
                .unwrap_or_default(),
        ];
        ladder_framework::csv::spreadsheet_row(&mut out, &cells);
    }
    out
}

/// `?as_of=YYYY-MM-DD`, today when absent.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct AsOf {
    pub as_of: Option<String>,
}

impl AsOf {
    pub fn date(&self, now: i64) -> Result<Date, AppError> {
        match self.as_of.as_deref().map(str::trim) {
            None | Some("") => Ok(Date::from_unix(now)),
            Some(d) => crate::http::date_field("as_of", d),
        }
    }
}

/// The band a new grade would be paid in, and the compa ratio at today's
/// salary, for a proposed level change.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NewBand {
    pub grade: String,
    pub zone: String,
    pub currency: String,
    pub min: i64,
    pub mid: i64,
    pub max: i64,
    /// Today's salary ÷ the new band's midpoint, if the salary is in the
    /// band's currency.
    pub ratio_at_current_salary: Option<f64>,
    #[schema(value_type = Option<String>)]
    pub flag: Option<Flag>,
}

impl NewBand {
    pub fn ratio_text(&self) -> String {
        ratio_text(self.ratio_at_current_salary)
    }

    pub fn text(&self) -> String {
        format!(
            "grade {} in {}: {} – {} – {} {}",
            self.grade,
            self.zone,
            format_amount(self.min),
            format_amount(self.mid),
            format_amount(self.max),
            self.currency
        )
    }
}

/// The new band for the person at `level` and `grade` (their family's
/// role band, else the grade's), given what the viewer may see of the
/// person's pay.
pub fn new_band(
    pay: &PersonPay,
    bands: &[Band],
    (level, grade): (&str, &str),
    as_of: Date,
) -> Option<NewBand> {
    let zone = pay.zone.as_deref()?;
    let fake = ladder_org::pay::Payee {
        id: pay.person.id,
        family: pay.person.record.role.family.clone(),
        level: level.to_owned(),
        grade: grade.to_owned(),
        zone: Some(zone.to_owned()),
    };
    let band = pay::band_for(bands, &fake, zone, as_of)?;
    let salary = pay::salary_on(&pay.history, pay.person.id, as_of);
    let at = salary.and_then(|_| pay::compa(&pay.history, bands, &fake, as_of));
    Some(NewBand {
        grade: band.grade.clone(),
        zone: band.zone.clone(),
        currency: band.currency.clone(),
        min: band.min,
        mid: band.mid,
        max: band.max,
        ratio_at_current_salary: at.as_ref().and_then(|c| c.ratio),
        flag: at.and_then(|c| c.flag),
    })
}

/// The band of a proposed grade and the compa ratio at today's salary,
/// if the viewer may see the person's pay (the read is audited then).
pub async fn proposal_band(
    s: &AppState,
    v: &Viewer,
    person: Id,
    (level, grade): (&str, &str),
) -> Result<Option<NewBand>, AppError> {
    let now = s.now();
    let today = Date::from_unix(now);
    let loaded = s.framework();
    match s
        .access()
        .pay_of(v, &loaded.framework, person, today, now)
        .await
    {
        Ok(p) => Ok(new_band(&p, &p.bands, (level, grade), today)),
        Err(AppError::Forbidden) => Ok(None),
        Err(e) => Err(e),
    }
}
