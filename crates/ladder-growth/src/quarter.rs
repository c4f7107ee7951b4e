//! Calendar quarters: `2026-Q4`.

use ladder_org::Date;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: u16,
    /// 1 to 4.
    pub q: u8,
}

impl Quarter {
    /// The quarter a date falls in.
    pub fn of(d: Date) -> Quarter {
        Quarter {
            year: d.year(),
            q: (d.month() - 1) / 3 + 1,
        }
    }

    /// The quarter of a Unix time (UTC).
    pub fn at(unix: i64) -> Quarter {
        Quarter::of(Date::from_unix(unix))
    }

    /// Its first day.
    pub fn start(self) -> Date {
        Date::new(self.year, (self.q - 1) * 3 + 1, 1).unwrap_or(Date::LAST)
    }

    /// Its last day.
    pub fn end(self) -> Date {
        self.next().start().add_days(-1)
    }

    pub fn next(self) -> Quarter {
        if self.q >= 4 {
            Quarter {
                year: self.year.saturating_add(1),
                q: 1,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q + 1,
            }
        }
    }

    pub fn prev(self) -> Quarter {
        if self.q <= 1 {
            Quarter {
                year: self.year.saturating_sub(1),
                q: 4,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q - 1,
            }
        }
    }

    /// The first second after it: ratings made before this count for it.
    pub fn end_unix(self) -> i64 {
        self.next().start().to_unix()
    }

    pub fn contains(self, d: Date) -> bool {
        Quarter::of(d) == self
    }

    /// `count` quarters ending with this one, oldest first.
    pub fn trailing(self, count: usize) -> Vec<Quarter> {
        let mut out = vec![self];
        while out.len() < count {
            let Some(first) = out.first().copied() else {
                break;
            };
            out.insert(0, first.prev());
        }
        out
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-Q{}", self.year, self.q)
    }
}

impl FromStr for Quarter {
    type Err = String;

    fn from_str(s: &str) -> Result<Quarter, String> {
        let bad = || format!("`{s}` is not a quarter; write it as YYYY-QN, e.g. 2026-Q4");
        let (y, q) = s.trim().split_once("-Q").ok_or_else(bad)?;
        let (Ok(year), Ok(q)) = (y.parse::<u16>(), q.parse::<u8>()) else {
            return Err(bad());
        };
        if y.len() != 4 || !(1..=4).contains(&q) {
            return Err(bad());
        }
        Ok(Quarter { year, q })
    }
}

impl Serialize for Quarter {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quarter {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Quarter, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn quarters_of_dates_and_their_bounds() {
        let d: Date = "2026-11-21".parse().unwrap();
        let q = Quarter::of(d);
        assert_eq!(q.to_string(), "2026-Q4");
        assert_eq!(q.start().to_string(), "2026-10-01");
        assert_eq!(q.end().to_string(), "2026-12-31");
        assert_eq!(q.next().to_string(), "2027-Q1");
        assert_eq!(q.next().prev(), q);
        assert_eq!(
            "2026-Q1".parse::<Quarter>().unwrap().end().to_string(),
            "2026-03-31"
        );
        assert_eq!(
            q.end_unix(),
            "2027-01-01".parse::<Date>().unwrap().to_unix()
        );
        let t: Vec<String> = q.trailing(3).iter().map(ToString::to_string).collect();
        assert_eq!(t, ["2026-Q2", "2026-Q3", "2026-Q4"]);
        assert!(
            "2026-Q5"
                .parse::<Quarter>()
                .unwrap_err()
                .contains("YYYY-QN")
        );
        assert!("Q4".parse::<Quarter>().is_err());
    }
}
