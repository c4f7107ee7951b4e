//! Recurring 1:1s: a pair's series, checked, and the days it meets.
//!
//! A series meets weekly, every two weeks or monthly from its first date
//! until its end date, at a time in its own time zone. The routine makes
//! its meetings two weeks ahead; the calendar feed carries it as one event
//! with an `RRULE` that expands to the same days ([`dates`]).

use crate::AppError;
use crate::access::{Pair, Schedule};
use ladder_org::Date;
use ladder_store::{Cadence, Id, NewSeries, Series, SeriesState};
use serde::Deserialize;

/// How far ahead the routine makes a series' meetings.
pub const AHEAD_DAYS: i64 = 14;
/// The longest a series may run: it needs an end, and a near one.
pub const MAX_YEARS: i64 = 2;

/// A series as a form or a JSON body gives it.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct SeriesInput {
    /// `weekly`, `biweekly` or `monthly`.
    pub cadence: String,
    /// `YYYY-MM-DD`: the first meeting (today or later).
    pub first_date: String,
    /// `HH:MM`, in `time_zone`.
    pub start_time: String,
    /// An IANA name, e.g. `Europe/Lisbon`.
    pub time_zone: String,
    /// Minutes; 30 when left out.
    #[serde(default)]
    pub duration_minutes: Option<i64>,
    /// `YYYY-MM-DD`: the last day a meeting may fall on.
    pub until: String,
}

fn bad(msg: String) -> AppError {
    AppError::BadRequest(msg)
}

/// Checks a series for the pair, as of `today`; each error names its
/// field.
pub fn check(
    input: &SeriesInput,
    manager: Id,
    report: Id,
    today: Date,
) -> Result<NewSeries, AppError> {
    let cadence = Cadence::parse(input.cadence.trim()).ok_or_else(|| {
        bad(format!(
            "cadence: `{}` is not one; use weekly, biweekly or monthly",
            input.cadence
        ))
    })?;
    let day = |field: &str, v: &str| -> Result<Date, AppError> {
        v.trim()
            .parse::<Date>()
            .map_err(|_| bad(format!("{field}: `{v}` is not a date; use YYYY-MM-DD")))
    };
    let first = day("first_date", &input.first_date)?;
    if first < today {
        return Err(bad(format!(
            "first_date: {first} is in the past; a series starts today ({today}) or later"
        )));
    }
    if input.until.trim().is_empty() {
        return Err(bad(
            "until: a series needs an end date (at most two years ahead); set one, and extend it later"
                .to_owned(),
        ));
    }
    let until = day("until", &input.until)?;
    if until < first {
        return Err(bad(format!(
            "until: {until} is before the first meeting ({first})"
        )));
    }
    if until > first.add_days(MAX_YEARS * 366) {
        return Err(bad(format!(
            "until: {until} is more than {MAX_YEARS} years after {first}; choose a nearer end"
        )));
    }
    let time = input.start_time.trim();
    let ok_time = time.len() == 5
        && time.as_bytes().get(2) == Some(&b':')
        && time
            .get(0..2)
            .and_then(|h| h.parse::<u8>().ok())
            .is_some_and(|h| h < 24)
        && time
            .get(3..5)
            .and_then(|m| m.parse::<u8>().ok())
            .is_some_and(|m| m < 60);
    if !ok_time {
        return Err(bad(format!(
            "start_time: `{time}` is not a time; use HH:MM, e.g. 10:30"
        )));
    }
    let zone = input.time_zone.trim();
    if jiff::tz::TimeZone::get(zone).is_err() {
        return Err(bad(format!(
            "time_zone: `{zone}` is not a time zone; use an IANA name such as Europe/Lisbon or America/Toronto"
        )));
    }
    let duration = input.duration_minutes.unwrap_or(30);
    if !(5..=480).contains(&duration) {
        return Err(bad(format!(
            "duration_minutes: {duration} is out of range; 5 to 480"
        )));
    }
    Ok(NewSeries {
        manager_id: manager,
        report_id: report,
        cadence,
        first_date: first.to_string(),
        until_date: until.to_string(),
        start_time: time.to_owned(),
        time_zone: zone.to_owned(),
        duration_minutes: duration,
    })
}

/// The days a series meets within `from..=to` (and its own first and last
/// day), in order. Monthly series skip months without their day, as
/// iCalendar's `FREQ=MONTHLY` does.
pub fn dates(s: &NewSeries, from: Date, to: Date) -> Vec<Date> {
    let (Ok(first), Ok(until)) = (s.first_date.parse::<Date>(), s.until_date.parse::<Date>())
    else {
        return Vec::new();
    };
    let (from, to) = (from.max(first), to.min(until));
    let mut out = Vec::new();
    match s.cadence {
        Cadence::Weekly | Cadence::Biweekly => {
            let step = if s.cadence == Cadence::Weekly { 7 } else { 14 };
            // The first occurrence on or after `from`.
            let gap = (from.to_unix() - first.to_unix()).div_euclid(86_400).max(0);
            let mut d = first.add_days(gap.div_euclid(step) * step);
            while d < from {
                d = d.add_days(step);
            }
            while d <= to {
                out.push(d);
                d = d.add_days(step);
            }
        }
        Cadence::Monthly => {
            let (mut y, mut m) = (i64::from(first.year()), i64::from(first.month()));
            loop {
                let month_start = u16::try_from(y)
                    .ok()
                    .zip(u8::try_from(m).ok())
                    .and_then(|(y, m)| Date::new(y, m, 1));
                let Some(month_start) = month_start else {
                    break;
                };
                if month_start > to {
                    break;
                }
                if let Some(d) = u16::try_from(y)
                    .ok()
                    .zip(u8::try_from(m).ok())
                    .and_then(|(y, m)| Date::new(y, m, first.day()))
                    && d >= from
                    && d <= to
                {
                    out.push(d);
                }
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
    }
    out
}

/// Makes the series' meetings from `today` to [`AHEAD_DAYS`] ahead that
/// the pair does not have yet; a day that already has a meeting keeps it.
/// Returns how many were made.
pub async fn make_ahead(
    schedule: &Schedule<'_>,
    s: &Series,
    today: Date,
    now: i64,
) -> Result<usize, AppError> {
    let days = dates(&s.new, today, today.add_days(AHEAD_DAYS));
    if days.is_empty() {
        return Ok(0);
    }
    let have: std::collections::HashSet<String> = schedule
        .meetings(s.new.manager_id, s.new.report_id)
        .await?
        .into_iter()
        .map(|m| m.date)
        .collect();
    let mut made = 0;
    for d in days {
        let day = d.to_string();
        if have.contains(&day) {
            continue;
        }
        match schedule.series_meeting(s, &day, now).await {
            Ok(Some(_)) => made += 1,
            Ok(None) => break,
            // Made by another node in the meantime.
            Err(AppError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(made)
}

/// Starts a series for the pair and makes its first meetings.
pub async fn start(p: &Pair<'_>, input: &SeriesInput, now: i64) -> Result<Id, AppError> {
    let checked = check(input, p.manager.id, p.report.id, Date::from_unix(now))?;
    let id = p.start_series(&checked, now).await?;
    if let Some(s) = p.series().await?.into_iter().find(|s| s.id == id) {
        make_ahead(&p.schedule(), &s, Date::from_unix(now), now).await?;
    }
    Ok(id)
}

/// Pauses, resumes or ends the pair's series.
pub async fn set_state(p: &Pair<'_>, series: &Series, to: &str, now: i64) -> Result<(), AppError> {
    let state = match to {
        "pause" => SeriesState::Paused,
        "resume" => SeriesState::Active,
        "end" => SeriesState::Ended,
        other => {
            return Err(bad(format!(
                "`{other}`: a series can be paused, resumed or ended"
            )));
        }
    };
    p.set_series_state(series, state, now).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn series(cadence: Cadence, first: &str, until: &str) -> NewSeries {
        NewSeries {
            manager_id: 1,
            report_id: 2,
            cadence,
            first_date: first.to_owned(),
            until_date: until.to_owned(),
            start_time: "10:00".to_owned(),
            time_zone: "UTC".to_owned(),
            duration_minutes: 30,
        }
    }

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn cadences_give_their_days() {
        let w = series(Cadence::Biweekly, "2026-12-07", "2027-01-31");
        let got: Vec<String> = dates(&w, d("2026-12-20"), d("2027-02-28"))
            .iter()
            .map(Date::to_string)
            .collect();
        assert_eq!(got, ["2026-12-21", "2027-01-04", "2027-01-18"]);
        let m = series(Cadence::Monthly, "2027-01-31", "2027-06-30");
        let got: Vec<String> = dates(&m, d("2027-01-01"), d("2027-12-31"))
            .iter()
            .map(Date::to_string)
            .collect();
        assert_eq!(
            got,
            ["2027-01-31", "2027-03-31", "2027-05-31"],
            "no 31st, no meeting"
        );
    }

    #[test]
    fn bad_series_name_their_field() {
        let today = d("2026-11-21");
        let ok = SeriesInput {
            cadence: "weekly".to_owned(),
            first_date: "2026-11-23".to_owned(),
            start_time: "09:30".to_owned(),
            time_zone: "Europe/Lisbon".to_owned(),
            duration_minutes: None,
            until: "2027-03-31".to_owned(),
        };
        assert!(check(&ok, 1, 2, today).is_ok());
        let cases = [
            (
                SeriesInput {
                    cadence: "daily".to_owned(),
                    ..ok.clone()
                },
                "cadence:",
            ),
            (
                SeriesInput {
                    first_date: "2026-11-01".to_owned(),
                    ..ok.clone()
                },
                "first_date: 2026-11-01 is in the past",
            ),
            (
                SeriesInput {
                    until: String::new(),
                    ..ok.clone()
                },
                "until: a series needs an end date",
            ),
            (
                SeriesInput {
                    until: "2030-01-01".to_owned(),
                    ..ok.clone()
                },
                "until: 2030-01-01 is more than 2 years",
            ),
            (
                SeriesInput {
                    start_time: "25:00".to_owned(),
                    ..ok.clone()
                },
                "start_time:",
            ),
            (
                SeriesInput {
                    time_zone: "Mars/Olympus".to_owned(),
                    ..ok.clone()
                },
                "time_zone: `Mars/Olympus` is not a time zone",
            ),
            (
                SeriesInput {
                    duration_minutes: Some(0),
                    ..ok.clone()
                },
                "duration_minutes:",
            ),
        ];
        for (input, want) in cases {
            match check(&input, 1, 2, today) {
                Err(AppError::BadRequest(m)) => assert!(m.starts_with(want), "{m}"),
                other => panic!("{want}: {other:?}"),
            }
        }
    }
}
