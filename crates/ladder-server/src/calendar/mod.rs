//! Calendar feeds: each person's private iCalendar (RFC 5545) URL, with
//! their 1:1 series as recurring events, other 1:1 meetings, the deadlines
//! of running 360 cycles and their checkpoint windows.
//!
//! [`ics`] writes the feed from [`crate::access::Feed`] (what the token's
//! owner may see, and nothing else); [`pages`] serves it and lets its
//! owner make or replace its URL.

pub(crate) mod pages;

use crate::access::{Feed, checkpoint_close_from, checkpoint_open_by};
use jiff::tz::TimeZone;
use jiff::{Timestamp, civil};
use ladder_growth::Quarter;
use ladder_org::Date;
use ladder_store::{Cadence, CycleState, Series, SeriesState};

/// Escapes a TEXT value (RFC 5545 3.3.11).
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line, folded at 75 octets, ending in CRLF.
fn line(out: &mut String, l: &str) {
    let mut width = 0;
    for c in l.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn compact(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

fn utc(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

fn offset(o: jiff::tz::Offset) -> String {
    let secs = o.seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    format!("{sign}{:02}{:02}", a / 3600, (a % 3600) / 60)
}

/// A VTIMEZONE for `name` covering `from..to`: one observance per
/// transition in that span (or the fixed offset when it has none).
fn vtimezone(out: &mut String, name: &str, from: Timestamp, to: Timestamp) {
    let Ok(tz) = TimeZone::get(name) else { return };
    line(out, "BEGIN:VTIMEZONE");
    line(out, &format!("TZID:{name}"));
    let mut before = tz.to_offset(from);
    let mut any = false;
    for t in tz.following(from) {
        if t.timestamp() > to {
            break;
        }
        any = true;
        let kind = if t.dst().is_dst() {
            "DAYLIGHT"
        } else {
            "STANDARD"
        };
        let local = t.timestamp().to_zoned(TimeZone::fixed(before)).datetime();
        line(out, &format!("BEGIN:{kind}"));
        line(out, &format!("DTSTART:{}", local.strftime("%Y%m%dT%H%M%S")));
        line(out, &format!("TZOFFSETFROM:{}", offset(before)));
        line(out, &format!("TZOFFSETTO:{}", offset(t.offset())));
        line(out, &format!("TZNAME:{}", text(t.abbreviation())));
        line(out, &format!("END:{kind}"));
        before = t.offset();
    }
    if !any {
        line(out, "BEGIN:STANDARD");
        line(out, "DTSTART:19700101T000000");
        line(out, &format!("TZOFFSETFROM:{}", offset(before)));
        line(out, &format!("TZOFFSETTO:{}", offset(before)));
        line(out, "END:STANDARD");
    }
    line(out, "END:VTIMEZONE");
}

/// The RRULE of a series: its cadence, until the end of its last day in
/// its own time zone (as UTC, as RFC 5545 requires with a TZID start).
pub fn rrule(s: &Series) -> Option<String> {
    let until: Date = s.new.until_date.parse().ok()?;
    let tz = TimeZone::get(&s.new.time_zone).ok()?;
    let end = civil::date(
        i16::try_from(until.year()).ok()?,
        i8::try_from(until.month()).ok()?,
        i8::try_from(until.day()).ok()?,
    )
    .at(23, 59, 59, 0)
    .to_zoned(tz)
    .ok()?
    .timestamp();
    let freq = match s.new.cadence {
        Cadence::Weekly => "FREQ=WEEKLY",
        Cadence::Biweekly => "FREQ=WEEKLY;INTERVAL=2",
        Cadence::Monthly => "FREQ=MONTHLY",
    };
    Some(format!("{freq};UNTIL={}", utc(end)))
}

fn all_day(
    out: &mut String,
    uid: &str,
    stamp: &str,
    start: Date,
    end: Date,
    summary: &str,
    url: &str,
) {
    line(out, "BEGIN:VEVENT");
    line(out, &format!("UID:{uid}"));
    line(out, &format!("DTSTAMP:{stamp}"));
    line(out, &format!("DTSTART;VALUE=DATE:{}", compact(start)));
    line(out, &format!("DTEND;VALUE=DATE:{}", compact(end)));
    line(out, &format!("SUMMARY:{}", text(summary)));
    line(out, &format!("URL:{url}"));
    line(out, "TRANSP:TRANSPARENT");
    line(out, "END:VEVENT");
}

/// The feed, as of `now`, with links under `base`.
pub fn ics(feed: &Feed, base: &str, now: i64) -> String {
    let stamp = Timestamp::from_second(now).map_or_else(|_| "19700101T000000Z".to_owned(), utc);
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//Ladder//Ladder//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(
        &mut out,
        &format!(
            "X-WR-CALNAME:{}",
            text(&format!("Ladder: {}", feed.person.record.name))
        ),
    );
    // Time zones first, each once, spanning its series.
    let live: Vec<&(Series, String, String)> = feed
        .series
        .iter()
        .filter(|(s, _, _)| s.state == SeriesState::Active)
        .collect();
    let mut zones: Vec<&str> = live
        .iter()
        .map(|(s, _, _)| s.new.time_zone.as_str())
        .collect();
    zones.sort_unstable();
    zones.dedup();
    let span = |d: &str, days: i64| {
        d.parse::<Date>()
            .ok()
            .and_then(|d| Timestamp::from_second(d.add_days(days).to_unix()).ok())
    };
    for z in zones {
        let from = live
            .iter()
            .filter(|(s, _, _)| s.new.time_zone == z)
            .filter_map(|(s, _, _)| span(&s.new.first_date, -366))
            .min();
        let to = live
            .iter()
            .filter(|(s, _, _)| s.new.time_zone == z)
            .filter_map(|(s, _, _)| span(&s.new.until_date, 366))
            .max();
        if let (Some(from), Some(to)) = (from, to) {
            vtimezone(&mut out, z, from, to);
        }
    }
    for (s, manager, report) in live {
        let Some(rule) = rrule(s) else { continue };
        let Ok(first) = s.new.first_date.parse::<Date>() else {
            continue;
        };
        let time = s.new.start_time.replace(':', "");
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:series-{}@ladder", s.id));
        line(&mut out, &format!("DTSTAMP:{stamp}"));
        line(
            &mut out,
            &format!(
                "DTSTART;TZID={}:{}T{time}00",
                s.new.time_zone,
                compact(first)
            ),
        );
        line(&mut out, &format!("DURATION:PT{}M", s.new.duration_minutes));
        line(&mut out, &format!("RRULE:{rule}"));
        line(
            &mut out,
            &format!("SUMMARY:{}", text(&format!("1:1: {manager} and {report}"))),
        );
        line(
            &mut out,
            &format!(
                "URL:{base}/one-on-ones/{}/{}",
                s.new.manager_id, s.new.report_id
            ),
        );
        line(&mut out, "END:VEVENT");
    }
    for (m, manager, report) in &feed.meetings {
        let Ok(d) = m.date.parse::<Date>() else {
            continue;
        };
        all_day(
            &mut out,
            &format!("meeting-{}@ladder", m.id),
            &stamp,
            d,
            d.add_days(1),
            &format!("1:1: {manager} and {report}"),
            &format!("{base}/meetings/{}", m.id),
        );
    }
    for c in &feed.cycles {
        let deadlines = [
            (
                CycleState::Nominations,
                &c.plan.nominations_close,
                "Nominations close",
            ),
            (
                CycleState::Feedback,
                &c.plan.feedback_close,
                "Feedback closes",
            ),
        ];
        for (phase, day, what) in deadlines {
            if c.state > phase {
                continue;
            }
            let Ok(d) = day.parse::<Date>() else { continue };
            all_day(
                &mut out,
                &format!("cycle-{}-{}@ladder", c.id, phase.as_str()),
                &stamp,
                d,
                d.add_days(1),
                &format!("{what}: {}", c.plan.name),
                &format!("{base}/cycles/{}", c.id),
            );
        }
    }
    // This quarter's and the next's checkpoint windows.
    let q = Quarter::at(now);
    for q in [q, q.next()] {
        let pid = feed.person.id;
        all_day(
            &mut out,
            &format!("checkpoint-open-{q}-{pid}@ladder"),
            &stamp,
            q.start(),
            checkpoint_open_by(q).add_days(1),
            &format!("Checkpoint {q}: pick focus areas"),
            &format!("{base}/people/{pid}/checkpoints"),
        );
        all_day(
            &mut out,
            &format!("checkpoint-close-{q}-{pid}@ladder"),
            &stamp,
            checkpoint_close_from(q),
            q.end().add_days(1),
            &format!("Checkpoint {q}: write the summaries"),
            &format!("{base}/people/{pid}/checkpoints"),
        );
    }
    line(&mut out, "END:VCALENDAR");
    out
}
