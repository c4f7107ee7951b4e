//! A calendar date, `YYYY-MM-DD`, checked (no 31 February).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A day of the calendar, on `jiff`'s civil dates (years 1 to 9999 here).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(jiff::civil::Date);

/// 1970-01-01, the day Unix time counts from.
const EPOCH: jiff::civil::Date = jiff::civil::date(1970, 1, 1);

impl Date {
    /// The last day there is: where arithmetic past the calendar stops.
    pub const LAST: Date = Date(jiff::civil::date(9999, 12, 31));
    /// The first day there is (year 1).
    pub const FIRST: Date = Date(jiff::civil::date(1, 1, 1));

    /// The day, if it is one: `None` for 31 February or a year past 9999.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let year = i16::try_from(year).ok().filter(|y| *y >= 1)?;
        let month = i8::try_from(month).ok()?;
        let day = i8::try_from(day).ok()?;
        jiff::civil::Date::new(year, month, day).ok().map(Date)
    }

    pub fn year(self) -> u16 {
        u16::try_from(self.0.year()).unwrap_or(0)
    }

    /// 1 to 12.
    pub fn month(self) -> u8 {
        u8::try_from(self.0.month()).unwrap_or(1)
    }

    /// 1 to 31.
    pub fn day(self) -> u8 {
        u8::try_from(self.0.day()).unwrap_or(1)
    }

    /// The date of a Unix time in seconds (UTC), held to the calendar's
    /// ends.
    pub fn from_unix(secs: i64) -> Date {
        Date(EPOCH).add_days(secs.div_euclid(86_400))
    }

    /// The Unix time of the start of the day (UTC).
    pub fn to_unix(self) -> i64 {
        let days = self
            .0
            .since(EPOCH)
            .map_or(0, |span| i64::from(span.get_days()));
        days * 86_400
    }

    /// The day after, or `None` after the last day.
    pub fn next_day(self) -> Option<Date> {
        self.0.tomorrow().ok().map(Date)
    }

    /// The date `days` later (or earlier, when negative), held to the
    /// calendar's ends.
    pub fn add_days(self, days: i64) -> Date {
        jiff::Span::new()
            .try_days(days)
            .ok()
            .and_then(|span| self.0.checked_add(span).ok())
            .map_or(if days < 0 { Date::FIRST } else { Date::LAST }, |d| {
                Date(d).clamp(Date::FIRST, Date::LAST)
            })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.year(),
            self.month(),
            self.day()
        )
    }
}

impl FromStr for Date {
    type Err = String;

    fn from_str(s: &str) -> Result<Date, String> {
        let bad = || format!("`{s}` is not a date; write it as YYYY-MM-DD, e.g. 2024-03-01");
        let mut parts = s.trim().split('-');
        let (Some(y), Some(m), Some(d), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let (Ok(y), Ok(m), Ok(d)) = (y.parse(), m.parse(), d.parse()) else {
            return Err(bad());
        };
        Date::new(y, m, d).ok_or_else(|| format!("`{s}` is not a day of the calendar"))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_checks_and_prints() {
        assert_eq!(
            "2024-02-29".parse::<Date>().unwrap().to_string(),
            "2024-02-29"
        );
        assert!(
            "2023-02-29"
                .parse::<Date>()
                .unwrap_err()
                .contains("not a day")
        );
        assert!(
            "01/02/2024"
                .parse::<Date>()
                .unwrap_err()
                .contains("YYYY-MM-DD")
        );
        assert_eq!(Date::from_unix(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_unix(1_795_219_200).to_string(), "2026-11-21");
        for d in ["1970-01-01", "2024-02-29", "2026-11-21", "2000-03-01"] {
            let d: Date = d.parse().unwrap();
            assert_eq!(Date::from_unix(d.to_unix()), d);
        }
        let d = Date::new(2024, 12, 31).unwrap();
        assert_eq!(d.next_day(), Date::new(2025, 1, 1));
        assert_eq!(d.add_days(7), Date::new(2025, 1, 7).unwrap());
        assert_eq!(d.add_days(-366), Date::new(2023, 12, 31).unwrap());
        // The calendar's ends hold.
        assert_eq!(Date::LAST.next_day(), None);
        assert_eq!(Date::LAST.add_days(1), Date::LAST);
        assert_eq!(Date::FIRST.add_days(-1), Date::FIRST);
        assert_eq!(Date::from_unix(i64::MAX), Date::LAST);
        assert_eq!(Date::from_unix(-86_400).to_string(), "1969-12-31");
        assert_eq!(Date::new(10_000, 1, 1), None);
        assert_eq!(Date::new(2025, 2, 29), None);
    }
}
