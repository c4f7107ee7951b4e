//! Pay bands, salaries and compa ratios. Sans-IO: the CSV files are read
//! and checked here against the framework's grades and the people stored,
//! and compa ratios are computed from rows the caller loads.
//!
//! Amounts are kept in hundredths of the currency unit (`85000.50` is
//! `8_500_050`), so nothing is lost to floating point.
//!
//! Bands file columns: `grade`, `zone`, `currency`, `min`, `mid`, `max`,
//! `effective_from`. Salaries file columns: `email`, `amount`, `currency`,
//! `effective_from`. Either file is read whole or refused whole.

use crate::Date;
use crate::people_csv::RowError;
use ladder_framework::csv::parse as parse_csv;
use ladder_framework::similar::did_you_mean;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A pay band: what a grade is paid in a zone from a date on. A band may
/// also name a job family and one of its levels (a role band): it then
/// pays that role, and wins over the grade's band for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Band {
    /// Empty for a grade band.
    pub family: String,
    /// Empty for a grade band.
    pub level: String,
    pub grade: String,
    pub zone: String,
    pub currency: String,
    pub min: i64,
    pub mid: i64,
    pub max: i64,
    pub effective_from: Date,
}

/// A person's salary from a date on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Salary {
    pub person_id: i64,
    pub amount: i64,
    pub currency: String,
    pub effective_from: Date,
}

/// What a salary import needs to know about a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payee {
    pub id: i64,
    pub family: String,
    pub level: String,
    pub grade: String,
    /// `None` when the person's location is in no zone.
    pub zone: Option<String>,
}

/// A checked file: its rows and the warnings that do not stop it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed<T> {
    pub rows: Vec<T>,
    pub warnings: Vec<String>,
}

pub const BAND_COLUMNS: [&str; 7] = [
    "grade",
    "zone",
    "currency",
    "min",
    "mid",
    "max",
    "effective_from",
];
/// Columns a bands file may add: a band for one family's level.
pub const BAND_ROLE_COLUMNS: [&str; 2] = ["family", "level"];
/// A level of a family and the grade the framework gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleGrade {
    pub family: String,
    pub level: String,
    pub grade: String,
}
pub const SALARY_COLUMNS: [&str; 4] = ["email", "amount", "currency", "effective_from"];

/// `85000`, `85000.5`, `85000.50` → hundredths. Thousands separators
/// (`85,000` in a quoted cell, `85 000`, `85_000`) are accepted.
pub fn parse_amount(s: &str) -> Option<i64> {
    // Separators group thousands: `85,000` and `1 234 567`, never
    // `1,2,3,4` (a list, not a number).
    let whole_part = s.trim().split('.').next().unwrap_or("");
    let groups: Vec<&str> = whole_part.split([',', '_', ' ']).collect();
    if groups.len() > 1
        && (groups.first().is_none_or(|g| g.is_empty() || g.len() > 3)
            || groups.iter().skip(1).any(|g| g.len() != 3))
    {
        return None;
    }
    let clean: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '_' | ' '))
        .collect();
    let (whole, frac) = clean.split_once('.').unwrap_or((&clean, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let units: i64 = whole.parse().ok()?;
    let cents: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().ok()?
    };
    units.checked_mul(100)?.checked_add(cents)
}

/// Hundredths as `85,000` or `85,000.50`.
pub fn format_amount(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    let units = (c / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    match c % 100 {
        0 => format!("{sign}{grouped}"),
        f => format!("{sign}{grouped}.{f:02}"),
    }
}

/// A grade as written in a file or a person's record, in the framework's
/// spelling (`7.0` → `7`), if it is a number.
fn normal_grade(s: &str) -> Option<String> {
    let g: f64 = s.trim().parse().ok()?;
    g.is_finite().then(|| crate::format_grade(g))
}

fn is_currency(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// The rows of a CSV file with its header mapped to `columns`, or the
/// header's problems.
#[allow(clippy::type_complexity)]
fn table<'c>(
    text: &str,
    columns: &[&'c str],
    optional: &[&'c str],
) -> Result<(BTreeMap<&'c str, usize>, usize, Vec<(u32, Vec<String>)>), Vec<RowError>> {
    let problem = |row: u32, column: &str, message: String, fix: Option<String>| RowError {
        row,
        column: column.to_owned(),
        value: String::new(),
        message,
        fix,
    };
    let rows = parse_csv(text).map_err(|line| {
        vec![problem(
            line,
            "",
            "a quoted field starts here and never closes".to_owned(),
            Some("add the closing `\"`".to_owned()),
        )]
    })?;
    let mut rows = rows
        .into_iter()
        .filter(|(_, f)| f.iter().any(|v| !v.trim().is_empty()));
    let Some((header_row, header)) = rows.next() else {
        return Err(vec![problem(
            1,
            "",
            "the file is empty".to_owned(),
            Some(format!("start with a header row: {}", columns.join(","))),
        )]);
    };
    let mut errors = Vec::new();
    let mut index = BTreeMap::new();
    for (i, h) in header.iter().enumerate() {
        let c = h.trim().to_lowercase().replace([' ', '-'], "_");
        match columns.iter().chain(optional).find(|k| **k == c) {
            Some(k) if index.contains_key(k) => errors.push(problem(
                header_row,
                h,
                format!("a second column for `{k}`"),
                Some("keep one of them".to_owned()),
            )),
            Some(k) => {
                index.insert(*k, i);
            }
            None => errors.push(problem(
                header_row,
                h,
                "unknown column".to_owned(),
                Some(
                    match did_you_mean(&c, columns.iter().chain(optional).copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!(
                            "the columns are: {}",
                            columns
                                .iter()
                                .chain(optional)
                                .copied()
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    },
                ),
            )),
        }
    }
    for c in columns {
        if !index.contains_key(c) {
            errors.push(problem(
                header_row,
                c,
                "this column is required and missing".to_owned(),
                Some(format!("add a `{c}` column")),
            ));
        }
    }
    if errors.is_empty() {
        Ok((index, header.len(), rows.collect()))
    } else {
        Err(errors)
    }
}

/// One row's cells by column name, collecting its problems.
struct Row<'a> {
    row: u32,
    index: &'a BTreeMap<&'a str, usize>,
    fields: &'a [String],
    errors: &'a mut Vec<RowError>,
}

impl Row<'_> {
    fn get(&self, c: &str) -> &str {
        self.index
            .get(c)
            .and_then(|i| self.fields.get(*i))
            .map_or("", |s| ladder_framework::csv::unescape_formula(s.trim()))
    }

    fn err(&mut self, column: &str, message: impl Into<String>, fix: Option<String>) {
        let value = self.get(column).to_owned();
        self.errors.push(RowError {
            row: self.row,
            column: column.to_owned(),
            value,
            message: message.into(),
            fix,
        });
    }

    fn amount(&mut self, c: &str) -> Option<i64> {
        let v = self.get(c);
        if v.is_empty() {
            self.err(
                c,
                "missing amount",
                Some("write the amount, e.g. `85000`".to_owned()),
            );
            return None;
        }
        match parse_amount(v) {
            Some(0) => {
                self.err(c, "an amount must be more than 0", None);
                None
            }
            Some(a) => Some(a),
            None => {
                self.err(
                    c,
                    "not an amount",
                    Some("write digits with at most two decimals, e.g. `85000` or `85000.50`, without the currency".to_owned()),
                );
                None
            }
        }
    }

    fn currency(&mut self) -> Option<String> {
        let v = self.get("currency");
        if is_currency(v) {
            return Some(v.to_owned());
        }
        let upper = v.to_uppercase();
        self.err(
            "currency",
            if v.is_empty() {
                "missing currency"
            } else {
                "not a currency code"
            },
            Some(if is_currency(&upper) {
                format!("write it in capitals: `{upper}`")
            } else {
                "use the three-letter ISO code, e.g. `EUR`".to_owned()
            }),
        );
        None
    }

    fn date(&mut self) -> Option<Date> {
        let v = self.get("effective_from");
        match v.parse::<Date>() {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(
                    "effective_from",
                    if v.is_empty() {
                        "missing date".to_owned()
                    } else {
                        e
                    },
                    Some("write the date as YYYY-MM-DD".to_owned()),
                );
                None
            }
        }
    }

    fn width(&mut self, header: usize) {
        if self.fields.len() != header {
            let n = self.fields.len();
            self.errors.push(RowError {
                row: self.row,
                column: String::new(),
                value: String::new(),
                message: format!("{n} fields, but the header has {header}"),
                fix: Some("check for a stray or missing comma".to_owned()),
            });
        }
    }
}

/// Reads a bands file. `grades` are the framework's grades (as
/// [`crate::format_grade`] writes them) and `zones` the zones people can be
/// in. Every row is checked; any problem refuses the whole file. Bands of
/// adjacent grades that overlap in a zone are warnings.
/// Reads a bands file: `grades` are the framework's, `roles` each family's
/// levels with their grades (for role bands), `zones` the pay zones.
pub fn parse_bands(
    text: &str,
    grades: &[String],
    roles: &[RoleGrade],
    zones: &[String],
) -> Result<Parsed<Band>, Vec<RowError>> {
    let (index, width, rows) = table(text, &BAND_COLUMNS, &BAND_ROLE_COLUMNS)?;
    let mut errors = Vec::new();
    let mut bands = Vec::new();
    let mut first: BTreeMap<(String, String, String, String, Date), u32> = BTreeMap::new();
    let mut grade_rows: BTreeMap<String, u32> = BTreeMap::new();
    for (row, fields) in &rows {
        let mut r = Row {
            row: *row,
            index: &index,
            fields,
            errors: &mut errors,
        };
        r.width(width);
        let role = role_of(&mut r, roles);
        let mut raw_grade = r.get("grade").to_owned();
        if let Some(Some(rg)) = &role {
            if raw_grade.is_empty() {
                raw_grade = rg.grade.clone();
            } else if normal_grade(&raw_grade).as_deref() != Some(rg.grade.as_str()) {
                r.err(
                    "grade",
                    format!(
                        "{} {} is grade {} in the framework",
                        rg.family, rg.level, rg.grade
                    ),
                    Some(format!("write {} or leave the grade empty", rg.grade)),
                );
            }
        }
        let grade = match normal_grade(&raw_grade) {
            Some(g) if grades.contains(&g) => Some(g),
            _ => {
                let fix = match did_you_mean(&raw_grade, grades.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("the framework's grades are: {}", grades.join(", ")),
                };
                r.err(
                    "grade",
                    if raw_grade.is_empty() {
                        "missing grade"
                    } else {
                        "no level or family in the framework has this grade"
                    },
                    Some(fix),
                );
                None
            }
        };
        let zone = r.get("zone").to_owned();
        let zone = if zone.is_empty() {
            r.err(
                "zone",
                "missing zone",
                Some(format!("write one of: {}", zones.join(", "))),
            );
            None
        } else if let Some(z) = zones.iter().find(|z| z.eq_ignore_ascii_case(&zone)) {
            Some(z.clone())
        } else {
            let fix = match did_you_mean(&zone, zones.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the zones are: {}", zones.join(", ")),
            };
            r.err("zone", "unknown zone", Some(fix));
            None
        };
        let currency = r.currency();
        let (min, mid, max) = (r.amount("min"), r.amount("mid"), r.amount("max"));
        if let (Some(min), Some(mid)) = (min, mid)
            && min > mid
        {
            r.err(
                "min",
                format!("the minimum is above the midpoint ({})", format_amount(mid)),
                Some("a band needs min ≤ mid ≤ max".to_owned()),
            );
        }
        if let (Some(mid), Some(max)) = (mid, max)
            && mid > max
        {
            r.err(
                "mid",
                format!("the midpoint is above the maximum ({})", format_amount(max)),
                Some("a band needs min ≤ mid ≤ max".to_owned()),
            );
        }
        let date = r.date();
        let (family, level) = match &role {
            Some(Some(rg)) => (rg.family.clone(), rg.level.clone()),
            _ => (String::new(), String::new()),
        };
        if let (Some(g), Some(z), Some(d)) = (&grade, &zone, date) {
            if family.is_empty() {
                grade_rows.entry(g.clone()).or_insert(*row);
            }
            let key = (family.clone(), level.clone(), g.clone(), z.clone(), d);
            if let Some(earlier) = first.insert(key, *row) {
                let what = if family.is_empty() {
                    format!("grade {g}")
                } else {
                    format!("{family} {level}")
                };
                r.err(
                    "effective_from",
                    format!("{what} in zone {z} from {d} is already given in row {earlier}"),
                    Some("keep one row per band, zone and date".to_owned()),
                );
            }
        }
        if let (
            Some(_),
            Some(grade),
            Some(zone),
            Some(currency),
            Some(min),
            Some(mid),
            Some(max),
            Some(d),
        ) = (role, grade, zone, currency, min, mid, max, date)
        {
            bands.push(Band {
                family,
                level,
                grade,
                zone,
                currency,
                min,
                mid,
                max,
                effective_from: d,
            });
        }
    }
    // Every grade the file sets is set in every zone its grade bands name
    // (a role band alone does not ask for a zone's grade bands).
    let file_zones: BTreeSet<&str> = bands
        .iter()
        .filter(|b| b.family.is_empty())
        .map(|b| b.zone.as_str())
        .collect();
    for (grade, row) in &grade_rows {
        for z in &file_zones {
            if !bands
                .iter()
                .any(|b| &b.grade == grade && b.zone == *z && b.family.is_empty())
            {
                errors.push(RowError {
                    row: *row,
                    column: "zone".to_owned(),
                    value: String::new(),
                    message: format!(
                        "grade {grade} has no band in zone {z}, which other grades have"
                    ),
                    fix: Some(format!("add a row for grade {grade} in zone {z}")),
                });
            }
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Err(errors);
    }
    let warnings = overlaps(&bands);
    Ok(Parsed {
        rows: bands,
        warnings,
    })
}

/// A row's role: `Some(None)` for a grade band (no family and no level),
/// `Some(Some(role))` for a role band, `None` (with the error recorded)
/// when the family or level is missing or unknown.
fn role_of<'r>(r: &mut Row<'_>, roles: &'r [RoleGrade]) -> Option<Option<&'r RoleGrade>> {
    let family = r.get("family").to_owned();
    let level = r.get("level").to_owned();
    match (family.is_empty(), level.is_empty()) {
        (true, true) => return Some(None),
        (false, true) => {
            r.err(
                "level",
                "a family without a level",
                Some("give the family's level too, or neither for a grade band".to_owned()),
            );
            return None;
        }
        (true, false) => {
            r.err(
                "family",
                "a level without a family",
                Some("give the level's family too, or neither for a grade band".to_owned()),
            );
            return None;
        }
        (false, false) => {}
    }
    let families: BTreeSet<&str> = roles.iter().map(|g| g.family.as_str()).collect();
    if !families.contains(family.as_str()) {
        let fix = match did_you_mean(&family, families.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "the framework's families are: {}",
                families.iter().copied().collect::<Vec<_>>().join(", ")
            ),
        };
        r.err(
            "family",
            "no job family in the framework has this id",
            Some(fix),
        );
        return None;
    }
    let levels: Vec<&RoleGrade> = roles.iter().filter(|g| g.family == family).collect();
    match levels.iter().find(|g| g.level == level) {
        Some(g) => Some(Some(*g)),
        None => {
            let fix = match did_you_mean(&level, levels.iter().map(|g| g.level.as_str())) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!(
                    "{family}'s levels are: {}",
                    levels
                        .iter()
                        .map(|g| g.level.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            r.err("level", format!("{family} has no such level"), Some(fix));
            None
        }
    }
}

/// Adjacent grades whose bands overlap, per zone and date.
pub fn overlaps(bands: &[Band]) -> Vec<String> {
    let mut groups: BTreeMap<(&str, Date), Vec<&Band>> = BTreeMap::new();
    for b in bands.iter().filter(|b| b.family.is_empty()) {
        groups
            .entry((b.zone.as_str(), b.effective_from))
            .or_default()
            .push(b);
    }
    let mut out = Vec::new();
    for ((zone, date), mut list) in groups {
        list.sort_by(|a, b| grade_num(&a.grade).total_cmp(&grade_num(&b.grade)));
        for pair in list.windows(2) {
            if let [lo, hi] = pair
                && lo.max > hi.min
            {
                out.push(format!(
                    "zone {zone} from {date}: grade {} goes up to {}, above grade {}'s minimum of {}",
                    lo.grade,
                    format_amount(lo.max),
                    hi.grade,
                    format_amount(hi.min)
                ));
            }
        }
    }
    out
}

fn grade_num(g: &str) -> f64 {
    g.parse().unwrap_or(f64::MAX)
}

/// The band for a person's role and zone in force on `as_of`: their
/// family and level's band if there is one, else their grade's; of
/// either, the one with the latest `effective_from` not after it.
pub fn band_for<'a>(
    bands: &'a [Band],
    person: &Payee,
    zone: &str,
    as_of: Date,
) -> Option<&'a Band> {
    band_among(bands.iter(), person, zone, as_of)
}

fn band_among<'a, I>(bands: I, person: &Payee, zone: &str, as_of: Date) -> Option<&'a Band>
where
    I: Iterator<Item = &'a Band> + Clone,
{
    let in_force = |b: &&Band| b.zone == zone && b.effective_from <= as_of;
    let role = bands
        .clone()
        .filter(in_force)
        .filter(|b| !b.family.is_empty() && b.family == person.family && b.level == person.level)
        .max_by_key(|b| b.effective_from);
    if role.is_some() {
        return role;
    }
    let grade = normal_grade(&person.grade)?;
    bands
        .filter(in_force)
        .filter(|b| b.family.is_empty() && b.grade == grade)
        .max_by_key(|b| b.effective_from)
}

/// The salary in force on `as_of` among one person's salaries.
pub fn salary_on(salaries: &[Salary], person: i64, as_of: Date) -> Option<&Salary> {
    salaries
        .iter()
        .filter(|s| s.person_id == person && s.effective_from <= as_of)
        .max_by_key(|s| s.effective_from)
}

/// Reads a salaries file. `people` are everyone stored, by lowercase email,
/// and `bands` the bands stored, so that a salary's currency can be
/// checked against its band.
pub fn parse_salaries(
    text: &str,
    people: &BTreeMap<String, Payee>,
    bands: &[Band],
) -> Result<Parsed<Salary>, Vec<RowError>> {
    let (index, width, rows) = table(text, &SALARY_COLUMNS, &[])?;
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    let mut first: BTreeMap<(i64, Date), u32> = BTreeMap::new();
    for (row, fields) in &rows {
        let mut r = Row {
            row: *row,
            index: &index,
            fields,
            errors: &mut errors,
        };
        r.width(width);
        let email = r.get("email").to_lowercase();
        let payee = match people.get(&email) {
            Some(p) => Some(p),
            None => {
                let fix = did_you_mean(&email, people.keys().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`?"))
                    .or_else(|| Some("import the person first".to_owned()));
                r.err(
                    "email",
                    if email.is_empty() {
                        "missing email"
                    } else {
                        "nobody with this email is stored"
                    },
                    fix,
                );
                None
            }
        };
        let amount = r.amount("amount");
        let currency = r.currency();
        let date = r.date();
        if let (Some(p), Some(d)) = (payee, date) {
            if let Some(earlier) = first.insert((p.id, d), *row) {
                r.err(
                    "effective_from",
                    format!("a salary for {email} from {d} is already given in row {earlier}"),
                    Some("keep one row per person and date".to_owned()),
                );
            }
            match p.zone.as_deref().and_then(|z| band_for(bands, p, z, d)) {
                Some(b) => {
                    if let Some(c) = &currency
                        && *c != b.currency
                    {
                        let msg = format!(
                            "the band for grade {} in zone {} is in {}",
                            b.grade, b.zone, b.currency
                        );
                        let fix = Some(format!("write the salary in {}", b.currency));
                        r.err("currency", msg, fix);
                    }
                }
                None => warnings.push(format!(
                    "row {row}: {email} has no band on {d} (grade {}, zone {}), so no compa ratio",
                    p.grade,
                    p.zone.as_deref().unwrap_or("none")
                )),
            }
        }
        if let (Some(p), Some(amount), Some(currency), Some(d)) = (payee, amount, currency, date) {
            out.push(Salary {
                person_id: p.id,
                amount,
                currency,
                effective_from: d,
            });
        }
    }
    if errors.is_empty() {
        Ok(Parsed {
            rows: out,
            warnings,
        })
    } else {
        Err(errors)
    }
}

/// Where a salary sits against its band.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    BelowMin,
    AboveMax,
    /// The salary is not in the band's currency: no ratio.
    Currency,
    /// No band for the person's grade and zone.
    NoBand,
}

impl Flag {
    pub fn label(self) -> &'static str {
        match self {
            Flag::BelowMin => "below the band",
            Flag::AboveMax => "above the band",
            Flag::Currency => "salary not in the band's currency",
            Flag::NoBand => "no band",
        }
    }
}

/// One person's pay against their band on a date.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Compa {
    pub salary: Salary,
    pub band: Option<Band>,
    /// Salary ÷ band midpoint.
    pub ratio: Option<f64>,
    pub flag: Option<Flag>,
}

/// A person's compa ratio on `as_of`, or `None` without a salary then.
pub fn compa(salaries: &[Salary], bands: &[Band], person: &Payee, as_of: Date) -> Option<Compa> {
    let salary = salary_on(salaries, person.id, as_of)?;
    let band = person
        .zone
        .as_deref()
        .and_then(|z| band_for(bands, person, z, as_of));
    Some(measure(salary, band))
}

/// A salary against a band.
fn measure(salary: &Salary, band: Option<&Band>) -> Compa {
    let (ratio, flag) = match band {
        None => (None, Some(Flag::NoBand)),
        Some(b) if b.currency != salary.currency => (None, Some(Flag::Currency)),
        Some(b) => {
            #[allow(clippy::cast_precision_loss)] // amounts far below 2^52
            let ratio = salary.amount as f64 / b.mid as f64;
            let flag = if salary.amount < b.min {
                Some(Flag::BelowMin)
            } else if salary.amount > b.max {
                Some(Flag::AboveMax)
            } else {
                None
            };
            (Some(ratio), flag)
        }
    };
    Compa {
        salary: salary.clone(),
        band: band.cloned(),
        ratio,
        flag,
    }
}

/// Every salary and band, indexed once so that the compa ratios of a
/// whole organisation cost one lookup each (by person, then by zone)
/// instead of a scan of everyone's salaries per person.
#[derive(Debug)]
pub struct PayBook<'a> {
    salaries: HashMap<i64, Vec<&'a Salary>>,
    bands: HashMap<&'a str, Vec<&'a Band>>,
}

impl<'a> PayBook<'a> {
    pub fn new(salaries: &'a [Salary], bands: &'a [Band]) -> PayBook<'a> {
        let mut by_person: HashMap<i64, Vec<&Salary>> = HashMap::new();
        for s in salaries {
            by_person.entry(s.person_id).or_default().push(s);
        }
        let mut by_zone: HashMap<&str, Vec<&Band>> = HashMap::new();
        for b in bands {
            by_zone.entry(b.zone.as_str()).or_default().push(b);
        }
        PayBook {
            salaries: by_person,
            bands: by_zone,
        }
    }

    /// What [`compa`] gives for this person, without the scans.
    pub fn compa(&self, person: &Payee, as_of: Date) -> Option<Compa> {
        let salary = self
            .salaries
            .get(&person.id)?
            .iter()
            .filter(|s| s.effective_from <= as_of)
            .max_by_key(|s| s.effective_from)?;
        let band = person.zone.as_deref().and_then(|z| {
            let here = self.bands.get(z)?;
            band_among(here.iter().copied(), person, z, as_of)
        });
        Some(measure(salary, band))
    }
}

/// Median and quartiles of a group's compa ratios.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Spread {
    pub count: usize,
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
}

/// The spread of `values` (quartiles by linear interpolation), or `None`
/// for no values.
pub fn spread(values: &[f64]) -> Option<Spread> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let (first, last) = (*v.first()?, *v.last()?);
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let at = |q: f64| -> f64 {
        let pos = q * (v.len() - 1) as f64;
        let lo = pos.floor() as usize;
        let hi = pos.ceil() as usize;
        let (a, b) = (
            v.get(lo).copied().unwrap_or(last),
            v.get(hi).copied().unwrap_or(last),
        );
        a + (b - a) * (pos - pos.floor())
    };
    Some(Spread {
        count: v.len(),
        min: first,
        q1: at(0.25),
        median: at(0.5),
        q3: at(0.75),
        max: last,
    })
}

/// Bands as a CSV file in the import's shape.
pub fn export_bands(bands: &[Band]) -> String {
    // The role columns only when a band names a role.
    let roles = bands.iter().any(|b| !b.family.is_empty());
    let mut out = if roles {
        format!("{},{}", BAND_ROLE_COLUMNS.join(","), BAND_COLUMNS.join(","))
    } else {
        BAND_COLUMNS.join(",")
    };
    out.push('\n');
    for b in bands {
        let mut cells = Vec::new();
        if roles {
            cells.push(b.family.clone());
            cells.push(b.level.clone());
        }
        cells.extend([
            b.grade.clone(),
            b.zone.clone(),
            b.currency.clone(),
            plain(b.min),
            plain(b.mid),
            plain(b.max),
            b.effective_from.to_string(),
        ]);
        ladder_framework::csv::spreadsheet_row(&mut out, &cells);
    }
    out
}

/// Hundredths as a plain number for a file: `85000` or `85000.50`.
pub fn plain(cents: i64) -> String {
    match cents % 100 {
        0 => (cents / 100).to_string(),
        f => format!("{}.{:02}", cents / 100, f.abs()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn grades() -> Vec<String> {
        ["5", "6", "7"].map(str::to_owned).to_vec()
    }

    fn zones() -> Vec<String> {
        ["eu", "na"].map(str::to_owned).to_vec()
    }

    const HEAD: &str = "grade,zone,currency,min,mid,max,effective_from\n";

    /// The indexed book and the plain scan agree on every person and day,
    /// role bands, zones, currencies and dates before any salary included.
    #[test]
    fn the_book_gives_what_the_scan_gives() {
        let day = |y, m| Date::new(y, m, 1).unwrap();
        let band = |family: &str, grade: &str, zone: &str, currency: &str, mid: i64, from| Band {
            family: family.to_owned(),
            level: if family.is_empty() {
                String::new()
            } else {
                "senior".to_owned()
            },
            grade: grade.to_owned(),
            zone: zone.to_owned(),
            currency: currency.to_owned(),
            min: mid - 10,
            mid,
            max: mid + 10,
            effective_from: from,
        };
        let bands = vec![
            band("", "6", "eu", "EUR", 100, day(2025, 1)),
            band("", "6", "eu", "EUR", 120, day(2026, 1)),
            band("", "7", "eu", "EUR", 150, day(2025, 6)),
            band("", "6", "na", "CAD", 200, day(2025, 1)),
            band("backend", "7", "eu", "EUR", 170, day(2026, 3)),
        ];
        let mut salaries = Vec::new();
        for id in 1..=12_i64 {
            for (k, (y, m)) in [(2025, 3), (2025, 9), (2026, 2)].iter().enumerate() {
                if (id + k as i64).rem_euclid(3) != 0 {
                    salaries.push(Salary {
                        person_id: id,
                        amount: 90 + id * 7 + k as i64 * 5,
                        currency: if id == 5 { "USD" } else { "EUR" }.to_owned(),
                        effective_from: day(*y, *m),
                    });
                }
            }
        }
        let book = PayBook::new(&salaries, &bands);
        let mut seen = 0;
        for id in 1..=12_i64 {
            let who = Payee {
                id,
                family: if id.rem_euclid(2) == 0 {
                    "backend"
                } else {
                    "frontend"
                }
                .to_owned(),
                level: "senior".to_owned(),
                grade: if id < 6 { "6" } else { "7" }.to_owned(),
                zone: match id.rem_euclid(4) {
                    0 => None,
                    1 => Some("na".to_owned()),
                    _ => Some("eu".to_owned()),
                },
            };
            for as_of in [day(2024, 1), day(2025, 4), day(2025, 12), day(2026, 6)] {
                let scan = compa(&salaries, &bands, &who, as_of);
                seen += usize::from(scan.as_ref().is_some_and(|c| c.ratio.is_some()));
                assert_eq!(book.compa(&who, as_of), scan, "person {id} on {as_of}");
            }
        }
        assert!(seen > 10, "only {seen} ratios compared");
    }

    #[test]
    fn amounts_are_exact_hundredths() {
        assert_eq!(parse_amount("85000"), Some(8_500_000));
        assert_eq!(parse_amount("85,000.5"), Some(8_500_050));
        assert_eq!(parse_amount("85 000.05"), Some(8_500_005));
        assert_eq!(parse_amount("-1"), None);
        assert_eq!(parse_amount("1.234"), None);
        assert_eq!(parse_amount("€100"), None);
        assert_eq!(parse_amount("1,234,567"), Some(123_456_700));
        assert_eq!(parse_amount("1,2,3,4"), None, "a list, not a number");
        assert_eq!(parse_amount("12,34"), None);
        assert_eq!(parse_amount("1234,567"), None);
        assert_eq!(format_amount(8_500_050), "85,000.50");
        assert_eq!(format_amount(100_000), "1,000");
        assert_eq!(plain(8_500_050), "85000.50");
    }

    #[test]
    fn a_good_bands_file_reads_and_warns_about_overlaps() {
        let text = format!(
            "{HEAD}6,eu,EUR,50000,60000,72000,2026-01-01\n7,EU,EUR,70000,80000,95000,2026-01-01\n\
             6,na,CAD,60000,70000,80000,2026-01-01\n7,na,CAD,80000,90000,100000,2026-01-01\n"
        );
        let p = parse_bands(&text, &grades(), &[], &zones()).unwrap();
        assert_eq!(p.rows.len(), 4);
        assert_eq!(p.rows[1].zone, "eu", "zones match without case");
        assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
        assert!(p.warnings[0].contains("grade 6 goes up to 72,000"));
        let again = parse_bands(&export_bands(&p.rows), &grades(), &[], &zones()).unwrap();
        assert_eq!(again.rows, p.rows);
    }

    #[test]
    fn every_bad_cell_is_named_and_nothing_is_returned() {
        let text = format!(
            "{HEAD}6,eu,EUR,70000,60000,72000,2026-01-01\n8,eu,EUR,1,2,3,2026-01-01\n\
             7,,eur,1,2,3,2026-13-01\n6,eu,EUR,1,2,3,2026-01-01\n7,eu,EUR,1,3,2,2026-01-01\n\
             6,na,CAD,1,2,3,2026-01-01\n"
        );
        let errs = parse_bands(&text, &grades(), &[], &zones()).unwrap_err();
        let at = |row: u32, col: &str| errs.iter().find(|e| e.row == row && e.column == col);
        assert!(at(2, "min").unwrap().message.contains("above the midpoint"));
        assert!(at(3, "grade").unwrap().message.contains("no level"));
        assert!(at(4, "zone").unwrap().message.contains("missing zone"));
        assert_eq!(
            at(4, "currency").unwrap().fix.as_deref(),
            Some("write it in capitals: `EUR`")
        );
        assert!(at(4, "effective_from").is_some());
        assert!(at(5, "effective_from").unwrap().message.contains("row 2"));
        assert!(at(6, "mid").unwrap().message.contains("above the maximum"));
        // Grade 7 is set in eu but not in na, which grade 6 has.
        assert!(
            errs.iter()
                .any(|e| e.column == "zone" && e.message.contains("no band in zone na"))
        );
        let header = parse_bands("grade,zone,curency\n", &grades(), &[], &zones()).unwrap_err();
        assert_eq!(header[0].fix.as_deref(), Some("did you mean `currency`?"));
    }

    fn payees() -> BTreeMap<String, Payee> {
        let mut m = BTreeMap::new();
        m.insert(
            "ana@example.com".to_owned(),
            Payee {
                id: 1,
                family: "backend-engineer".to_owned(),
                level: "senior".to_owned(),
                grade: "7".to_owned(),
                zone: Some("eu".to_owned()),
            },
        );
        m
    }

    fn bands() -> Vec<Band> {
        let text = format!(
            "{HEAD}7,eu,EUR,70000,80000,95000,2025-01-01\n7,eu,EUR,75000,85000,100000,2026-01-01\n"
        );
        parse_bands(&text, &grades(), &[], &zones()).unwrap().rows
    }

    fn roles() -> Vec<RoleGrade> {
        let r = |family: &str, level: &str, grade: &str| RoleGrade {
            family: family.to_owned(),
            level: level.to_owned(),
            grade: grade.to_owned(),
        };
        vec![
            r("backend-engineer", "senior", "7"),
            r("backend-engineer", "staff", "8"),
            r("data-engineer", "senior", "7"),
        ]
    }

    /// A band may name a family's level: it pays that role, wins over the
    /// grade's band for it, takes its grade from the framework, and every
    /// family, level and grade it names must exist and agree.
    #[test]
    fn role_bands_are_keyed_by_family_level_and_grade() {
        let text = "family,level,grade,zone,currency,min,mid,max,effective_from
            ,,7,eu,EUR,70000,80000,95000,2026-01-01
            backend-engineer,senior,,eu,EUR,80000,90000,100000,2026-01-01
            data-engineer,senior,7,eu,EUR,75000,85000,98000,2026-01-01
";
        let p = parse_bands(text, &grades(), &roles(), &zones()).unwrap();
        assert_eq!(p.rows.len(), 3);
        assert_eq!(p.rows[1].grade, "7", "the grade comes from the framework");
        let ana = &payees()["ana@example.com"];
        let day = "2026-03-01".parse::<Date>().unwrap();
        let b = band_for(&p.rows, ana, "eu", day).unwrap();
        assert_eq!((b.family.as_str(), b.mid), ("backend-engineer", 9_000_000));
        let other = Payee {
            family: "frontend-engineer".to_owned(),
            ..ana.clone()
        };
        let b = band_for(&p.rows, &other, "eu", day).unwrap();
        assert!(b.family.is_empty(), "the grade's band for other roles");
        // The file round-trips with its role columns.
        let again = parse_bands(&export_bands(&p.rows), &grades(), &roles(), &zones()).unwrap();
        assert_eq!(again.rows, p.rows);

        let bad = "family,level,grade,zone,currency,min,mid,max,effective_from
            backend-enginer,senior,,eu,EUR,1,2,3,2026-01-01
            backend-engineer,principal,,eu,EUR,1,2,3,2026-01-01
            backend-engineer,staff,7,eu,EUR,1,2,3,2026-01-01
            backend-engineer,,7,eu,EUR,1,2,3,2026-01-01
";
        let errs = parse_bands(bad, &grades(), &roles(), &zones()).unwrap_err();
        let at = |row: u32, column: &str| {
            errs.iter()
                .find(|e| e.row == row && e.column == column)
                .unwrap_or_else(|| panic!("no error at row {row}, {column}: {errs:?}"))
        };
        assert_eq!(
            at(2, "family").fix.as_deref(),
            Some("did you mean `backend-engineer`?")
        );
        assert!(
            at(3, "level")
                .fix
                .as_deref()
                .unwrap()
                .contains("senior, staff")
        );
        assert!(
            at(4, "grade")
                .message
                .contains("backend-engineer staff is grade 8")
        );
        assert!(at(5, "level").message.contains("a family without a level"));
    }

    #[test]
    fn salaries_are_checked_against_people_and_bands() {
        let ok = "email,amount,currency,effective_from\nANA@example.com,90000,EUR,2026-03-01\n";
        let p = parse_salaries(ok, &payees(), &bands()).unwrap();
        assert_eq!(p.rows[0].amount, 9_000_000);
        let bad = "email,amount,currency,effective_from\nanna@example.com,90000,EUR,2026-03-01\n\
                   ana@example.com,0,USD,2026-03-01\nana@example.com,1,USD,2026-03-01\n";
        let errs = parse_salaries(bad, &payees(), &bands()).unwrap_err();
        assert_eq!(
            errs[0].fix.as_deref(),
            Some("did you mean `ana@example.com`?")
        );
        assert!(errs.iter().any(|e| e.row == 3 && e.column == "amount"));
        assert!(
            errs.iter()
                .any(|e| e.row == 3 && e.column == "currency" && e.message.contains("is in EUR"))
        );
        assert!(
            errs.iter()
                .any(|e| e.row == 4 && e.message.contains("row 3"))
        );
    }

    #[test]
    fn compa_uses_the_band_and_salary_in_force() {
        let bands = bands();
        let s = |amount: i64, d: &str| Salary {
            person_id: 1,
            amount,
            currency: "EUR".to_owned(),
            effective_from: d.parse().unwrap(),
        };
        let salaries = [s(7_200_000, "2025-06-01"), s(10_200_000, "2026-06-01")];
        let p = &payees()["ana@example.com"];
        let day = |d: &str| d.parse::<Date>().unwrap();
        assert!(compa(&salaries, &bands, p, day("2025-01-01")).is_none());
        let c = compa(&salaries, &bands, p, day("2025-12-31")).unwrap();
        assert!((c.ratio.unwrap() - 0.9).abs() < 1e-9);
        assert_eq!(c.flag, None);
        let c = compa(&salaries, &bands, p, day("2026-01-01")).unwrap();
        assert_eq!(
            c.flag,
            Some(Flag::BelowMin),
            "the 2026 band starts at 75,000"
        );
        let c = compa(&salaries, &bands, p, day("2026-07-01")).unwrap();
        assert_eq!(c.flag, Some(Flag::AboveMax));
        assert!((c.ratio.unwrap() - 1.2).abs() < 1e-9);
    }

    #[test]
    fn spread_gives_quartiles() {
        let s = spread(&[1.0, 0.8, 1.2, 0.9, 1.1]).unwrap();
        assert_eq!((s.count, s.min, s.median, s.max), (5, 0.8, 1.0, 1.2));
        assert!((s.q1 - 0.9).abs() < 1e-9 && (s.q3 - 1.1).abs() < 1e-9);
        let two = spread(&[1.0, 2.0]).unwrap();
        assert!((two.median - 1.5).abs() < 1e-9);
        assert!(spread(&[]).is_none());
    }
}
