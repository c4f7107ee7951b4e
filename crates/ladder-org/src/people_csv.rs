//! The people CSV, in the shape HR systems export: a header row, then one
//! person per row.
//!
//! Columns (any order, case and spacing ignored, common HR names accepted):
//! `email`, `name`, `manager_email`, `department`, `job_family`, `level`,
//! `specialty`, `grade`, `location`, `start_date`, `active`.
//!
//! [`parse`] checks every row and column and returns either every record or
//! every problem, never a mix, so an import is all-or-nothing.

use crate::{Date, PersonRecord, reporting_cycle, resolve_role};
use ladder_framework::Framework;
use ladder_framework::csv::{parse as parse_csv, spreadsheet_row, unescape_formula};
use ladder_framework::similar::did_you_mean;
use std::collections::BTreeMap;
use std::fmt;

/// The columns [`export`] writes, in order.
pub const COLUMNS: [&str; 11] = [
    "email",
    "name",
    "manager_email",
    "department",
    "job_family",
    "level",
    "specialty",
    "grade",
    "location",
    "start_date",
    "active",
];

const REQUIRED: [&str; 4] = ["email", "name", "job_family", "level"];

/// Other names HR exports use for the same column.
const ALIASES: [(&str, &str); 16] = [
    ("work_email", "email"),
    ("email_address", "email"),
    ("full_name", "name"),
    ("manager", "manager_email"),
    ("manager_work_email", "manager_email"),
    ("reports_to", "manager_email"),
    ("family", "job_family"),
    ("job_level", "level"),
    ("specialization", "specialty"),
    ("speciality", "specialty"),
    ("office", "location"),
    ("hire_date", "start_date"),
    ("status", "active"),
    ("employment_status", "active"),
    ("team", "department"),
    ("pay_grade", "grade"),
];

/// One problem in one cell (or the header, row 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// The spreadsheet row: the header is row 1.
    pub row: u32,
    pub column: String,
    pub value: String,
    pub message: String,
    pub fix: Option<String>,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {}, column `{}`", self.row, self.column)?;
        if !self.value.is_empty() {
            write!(f, " (`{}`)", self.value)?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(fix) = &self.fix {
            write!(f, " — {fix}")?;
        }
        Ok(())
    }
}

fn canonical(header: &str) -> String {
    header.trim().to_lowercase().replace([' ', '-'], "_")
}

fn is_email(s: &str) -> bool {
    let mut parts = s.split('@');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(a), Some(b), None) if !a.is_empty() && b.contains('.') && !b.starts_with('.') && !b.ends_with('.')
    ) && !s.contains(char::is_whitespace)
}

fn active(v: &str) -> Option<bool> {
    match v.trim().to_lowercase().as_str() {
        "" | "yes" | "y" | "true" | "1" | "active" | "employed" => Some(true),
        "no" | "n" | "false" | "0" | "inactive" | "terminated" | "left" => Some(false),
        _ => None,
    }
}

/// Reads a people file against the framework. `existing` holds everyone
/// already stored, by email: managers may be in the file or already
/// stored, cycles are checked over both (the file wins), and a column the
/// file does not have keeps its stored value for people already stored.
pub fn parse(
    text: &str,
    fw: &Framework,
    existing: &BTreeMap<String, PersonRecord>,
) -> Result<Vec<PersonRecord>, Vec<RowError>> {
    let mut errors = Vec::new();
    let rows = match parse_csv(text) {
        Ok(r) => r,
        Err(line) => {
            return Err(vec![RowError {
                row: line,
                column: String::new(),
                value: String::new(),
                message: "a quoted field starts here and never closes".to_owned(),
                fix: Some("add the closing `\"`".to_owned()),
            }]);
        }
    };
    let mut rows = rows
        .into_iter()
        .filter(|(_, f)| f.iter().any(|v| !v.trim().is_empty()));
    let Some((header_row, header)) = rows.next() else {
        return Err(vec![RowError {
            row: 1,
            column: String::new(),
            value: String::new(),
            message: "the file is empty".to_owned(),
            fix: Some(format!("start with a header row: {}", COLUMNS.join(","))),
        }]);
    };
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let known: Vec<&str> = COLUMNS
        .iter()
        .copied()
        .chain(ALIASES.iter().map(|(a, _)| *a))
        .collect();
    for (i, h) in header.iter().enumerate() {
        let c = canonical(h);
        let col = COLUMNS
            .iter()
            .find(|k| **k == c)
            .copied()
            .or_else(|| ALIASES.iter().find(|(a, _)| *a == c).map(|(_, k)| *k));
        match col {
            Some(k) if index.contains_key(k) => errors.push(RowError {
                row: header_row,
                column: h.clone(),
                value: String::new(),
                message: format!("a second column for `{k}`"),
                fix: Some("keep one of them".to_owned()),
            }),
            Some(k) => {
                index.insert(k, i);
            }
            None => errors.push(RowError {
                row: header_row,
                column: h.clone(),
                value: String::new(),
                message: "unknown column".to_owned(),
                fix: Some(match did_you_mean(&c, known.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("the columns are: {}", COLUMNS.join(", ")),
                }),
            }),
        }
    }
    for r in REQUIRED {
        if !index.contains_key(r) {
            errors.push(RowError {
                row: header_row,
                column: r.to_owned(),
                value: String::new(),
                message: "this column is required and missing".to_owned(),
                fix: Some(format!("add a `{r}` column")),
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let rows: Vec<(u32, Vec<String>)> = rows.collect();
    let mut first_row: BTreeMap<String, u32> = BTreeMap::new();
    for (row, fields) in &rows {
        if let Some(e) = fields.get(index.get("email").copied().unwrap_or(0)) {
            first_row.entry(e.trim().to_lowercase()).or_insert(*row);
        }
    }
    let mut records = Vec::new();
    for (row, fields) in &rows {
        let row = *row;
        let get = |c: &str| -> &str {
            index
                .get(c)
                .and_then(|i| fields.get(*i))
                .map_or("", |s| unescape_formula(s.trim()))
        };
        let mut err = |column: &str, value: &str, message: String, fix: Option<String>| {
            errors.push(RowError {
                row,
                column: column.to_owned(),
                value: value.to_owned(),
                message,
                fix,
            });
        };
        if fields.len() != header.len() {
            err(
                "",
                "",
                format!(
                    "{} fields, but the header has {}",
                    fields.len(),
                    header.len()
                ),
                Some("quote values that contain commas".to_owned()),
            );
            continue;
        }
        // Every cell: of a sane length, and no control characters (a NUL
        // cannot be stored by PostgreSQL; none belongs in a directory).
        let mut bad_cell = false;
        for (column, i) in &index {
            let Some(v) = fields.get(*i) else { continue };
            let longest = if *column == "email" { 254 } else { MAX_CELL };
            let n = v.chars().count();
            if n > longest {
                let head: String = v.chars().take(40).collect();
                err(
                    column,
                    &format!("{head}…"),
                    format!("is {n} characters long; at most {longest} fit here"),
                    None,
                );
                bad_cell = true;
            } else if v.chars().any(|c| c.is_control() && c != '\t') {
                err(
                    column,
                    &v.replace(|c: char| c.is_control(), "�"),
                    "holds a control character (shown as �), such as NUL".to_owned(),
                    Some("remove it; a directory value is plain text on one line".to_owned()),
                );
                bad_cell = true;
            }
        }
        if bad_cell {
            continue;
        }
        let email = get("email").to_lowercase();
        if !is_email(&email) {
            err(
                "email",
                get("email"),
                "not an email address".to_owned(),
                None,
            );
        } else if let Some(first) = first_row.get(&email).filter(|f| **f != row) {
            err(
                "email",
                get("email"),
                format!("duplicate email; row {first} has it already"),
                Some("keep one row per person".to_owned()),
            );
        }
        let old = existing.get(&email);
        let has = |c: &str| index.contains_key(c);
        let kept = |c: &str, stored: Option<&str>| -> String {
            if has(c) {
                get(c).to_owned()
            } else {
                stored.unwrap_or("").to_owned()
            }
        };
        let name = get("name");
        if name.is_empty() {
            err("name", "", "a name is required".to_owned(), None);
        }
        let manager = kept(
            "manager_email",
            old.and_then(|o| o.manager_email.as_deref()),
        )
        .to_lowercase();
        if !manager.is_empty()
            && !first_row.contains_key(&manager)
            && !existing.contains_key(&manager)
        {
            let all = first_row.keys().chain(existing.keys()).map(String::as_str);
            err(
                "manager_email",
                &manager,
                "unknown manager email: nobody in this file or already stored has it".to_owned(),
                Some(match did_you_mean(&manager, all) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "add the manager as a row, or leave it empty".to_owned(),
                }),
            );
        }
        // A level changes only through an approved proposal in a 360
        // feedback cycle, never through a file.
        if let Some(o) = old
            && !get("level").is_empty()
            && !o.role.level.eq_ignore_ascii_case(get("level"))
        {
            err(
                "level",
                get("level"),
                format!(
                    "{} is at `{}`: a level changes only through a proposal approved in a 360 feedback cycle",
                    o.name, o.role.level
                ),
                Some(format!(
                    "keep `{}` here; their manager proposes the change during the next feedback cycle",
                    o.role.level
                )),
            );
        }
        // Specialty and grade carry over only while family (and level) stay.
        let same_family = old.filter(|o| o.role.family.eq_ignore_ascii_case(get("job_family")));
        let same_level = same_family.filter(|o| o.role.level.eq_ignore_ascii_case(get("level")));
        let specialty = kept(
            "specialty",
            same_family.and_then(|o| o.role.specialty.as_deref()),
        );
        let grade_text = kept("grade", same_level.map(|o| o.role.grade.as_str()));
        let role = match resolve_role(fw, get("job_family"), get("level"), &specialty, &grade_text)
        {
            Ok(r) => Some(r),
            Err(p) => {
                let column = if p.field == "family" {
                    "job_family"
                } else {
                    p.field
                };
                err(column, &p.value, p.message, p.fix);
                None
            }
        };
        let grade = grade_text.as_str();
        if !grade.is_empty()
            && !grade
                .parse::<f64>()
                .is_ok_and(|g| g.is_finite() && (0.0..=MAX_GRADE).contains(&g))
        {
            err(
                "grade",
                grade,
                format!("a grade is a number from 0 to {MAX_GRADE}, such as 7 or 9.5"),
                None,
            );
        }
        let old_start = old.and_then(|o| o.start_date).map(|d| d.to_string());
        let start = kept("start_date", old_start.as_deref());
        let start = start.as_str();
        let start_date = if start.is_empty() {
            None
        } else {
            match start.parse::<Date>() {
                Ok(d) => Some(d),
                Err(m) => {
                    err("start_date", start, m, None);
                    None
                }
            }
        };
        let is_active = if has("active") {
            active(get("active"))
        } else {
            Some(old.is_none_or(|o| o.active))
        };
        if is_active.is_none() {
            err(
                "active",
                get("active"),
                "not a yes/no value".to_owned(),
                Some("write yes or no (active, inactive and terminated also work)".to_owned()),
            );
        }
        if let (Some(role), Some(active)) = (role, is_active) {
            records.push(PersonRecord {
                email,
                name: name.to_owned(),
                manager_email: (!manager.is_empty()).then_some(manager),
                department: kept("department", old.map(|o| o.department.as_str())),
                role,
                location: kept("location", old.map(|o| o.location.as_str())),
                start_date,
                active,
            });
        }
    }
    if errors.is_empty() {
        let mut managers: BTreeMap<String, Option<String>> = existing
            .iter()
            .map(|(e, p)| (e.clone(), p.manager_email.clone()))
            .collect();
        for r in &records {
            managers.insert(r.email.clone(), r.manager_email.clone());
        }
        if let Some(cycle) = reporting_cycle(&managers) {
            let first = cycle.first().cloned().unwrap_or_default();
            let row = records
                .iter()
                .zip(&rows)
                .find(|(r, _)| cycle.contains(&r.email))
                .map_or(header_row, |(_, (row, _))| *row);
            errors.push(RowError {
                row,
                column: "manager_email".to_owned(),
                value: first,
                message: format!(
                    "reporting lines go round in a circle: {}",
                    cycle.join(" → ")
                ),
                fix: Some("someone in that circle must report to someone outside it".to_owned()),
            });
        }
    }
    if errors.is_empty() {
        Ok(records)
    } else {
        Err(errors)
    }
}

/// The longest value of a cell but the email (254, as RFC 5321 allows).
pub const MAX_CELL: usize = 200;
/// The highest grade a person may have.
pub const MAX_GRADE: f64 = 1000.0;

/// Writes people as a CSV that [`parse`] reads back to the same records.
pub fn export(records: &[PersonRecord]) -> String {
    let mut out = export_header();
    export_rows(&mut out, records);
    out
}

/// The export's first line, with its end.
pub fn export_header() -> String {
    let mut out = COLUMNS.join(",");
    out.push('\n');
    out
}

/// Appends one line per record to `out`: an export written a chunk at a
/// time is [`export_header`] and then these.
pub fn export_rows<'a>(out: &mut String, records: impl IntoIterator<Item = &'a PersonRecord>) {
    for r in records {
        let start = r.start_date.map(|d| d.to_string()).unwrap_or_default();
        let values = [
            r.email.as_str(),
            &r.name,
            r.manager_email.as_deref().unwrap_or(""),
            &r.department,
            &r.role.family,
            &r.role.level,
            r.role.specialty.as_deref().unwrap_or(""),
            &r.role.grade,
            &r.location,
            &start,
            if r.active { "yes" } else { "no" },
        ];
        spreadsheet_row(out, &values);
    }
}
