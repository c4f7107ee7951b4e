#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The people CSV and the demo organisation, against the example framework.

use ladder_framework::{FileSet, Framework, compile, example};
use ladder_org::people_csv::{self, RowError};
use ladder_org::{Date, PersonRecord, demo};
use std::collections::{BTreeMap, BTreeSet};

fn framework() -> Framework {
    let mut files = FileSet::new();
    for (path, text) in example::FILES {
        files.insert_text(path, *text);
    }
    compile(&files).0
}

fn errors(csv: &str) -> Vec<RowError> {
    people_csv::parse(csv, &framework(), &BTreeMap::new()).unwrap_err()
}

/// Checks that `csv` fails with exactly one error, printed as `expected`.
fn check_one(csv: &str, expected: &str) {
    let errs = errors(csv);
    let shown: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert_eq!(shown, [expected], "{csv}");
}

const HEADER: &str = "email,name,manager_email,department,job_family,level,specialty,grade,location,start_date,active\n";

#[test]
fn reads_an_hr_export_with_its_own_column_names() {
    let csv = "Work Email,Full Name,Manager,Team,Job Family,Job Level,Specialization,Pay Grade,Office,Hire Date,Status\n\
               Kim@Example.com,Kim Lee,,Platform,Backend Engineer,Staff,Payments,,Berlin,2019-05-02,Active\n\
               ola@example.com,Ola Nord,kim@example.com,Platform,backend-engineer,SENIOR,,7.5,Lisbon,,\n";
    let got = people_csv::parse(csv, &framework(), &BTreeMap::new()).unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].email, "kim@example.com");
    assert_eq!(got[0].role.family, "backend-engineer");
    assert_eq!(got[0].role.level, "staff");
    assert_eq!(got[0].role.specialty.as_deref(), Some("payments"));
    assert_eq!(
        got[0].role.grade, "8",
        "the grade comes from the framework when empty"
    );
    assert_eq!(got[0].start_date, Date::new(2019, 5, 2));
    assert_eq!(got[1].manager_email.as_deref(), Some("kim@example.com"));
    assert_eq!(got[1].role.grade, "7.5");
    assert!(got[1].active);
}

#[test]
fn a_bad_level_is_named_with_row_column_and_did_you_mean() {
    let csv = format!(
        "{HEADER}a@example.com,A,,Platform,backend-engineer,senior,,,London,,yes\n\
         b@example.com,B,a@example.com,Platform,backend-engineer,seniorr,,,London,,yes\n"
    );
    check_one(
        &csv,
        "row 3, column `level` (`seniorr`): the `backend-engineer` family has no level `seniorr` \
         (levels: intern, associate, intermediate, senior, staff, principal, manager) — did you mean `senior`?",
    );
}

#[test]
fn unknown_family_specialty_and_manager_get_suggestions() {
    let csv = format!(
        "{HEADER}a@example.com,A,,P,backend-enginer,senior,,,L,,yes\n\
         b@example.com,B,,P,backend-engineer,senior,paymnets,,L,,yes\n\
         c@example.com,C,b@exmaple.com,P,backend-engineer,senior,,,L,,yes\n"
    );
    let errs = errors(&csv);
    let cols: Vec<(u32, &str, Option<&str>)> = errs
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.fix.as_deref()))
        .collect();
    assert_eq!(
        cols,
        [
            (2, "job_family", Some("did you mean `backend-engineer`?")),
            (3, "specialty", Some("did you mean `payments`?")),
            (4, "manager_email", Some("did you mean `b@example.com`?")),
        ]
    );
}

#[test]
fn duplicates_cycles_dates_and_flags_are_refused() {
    check_one(
        &format!(
            "{HEADER}a@example.com,A,,P,backend-engineer,senior,,,L,,yes\nA@example.com,A2,,P,backend-engineer,senior,,,L,,yes\n"
        ),
        "row 3, column `email` (`A@example.com`): duplicate email; row 2 has it already — keep one row per person",
    );
    check_one(
        &format!(
            "{HEADER}a@example.com,A,b@example.com,P,backend-engineer,senior,,,L,,yes\nb@example.com,B,a@example.com,P,backend-engineer,senior,,,L,,yes\n"
        ),
        "row 2, column `manager_email` (`a@example.com`): reporting lines go round in a circle: \
         a@example.com → b@example.com → a@example.com — someone in that circle must report to someone outside it",
    );
    check_one(
        &format!("{HEADER}a@example.com,A,,P,backend-engineer,senior,,,L,2024-02-30,yes\n"),
        "row 2, column `start_date` (`2024-02-30`): `2024-02-30` is not a day of the calendar",
    );
    check_one(
        &format!("{HEADER}a@example.com,A,,P,backend-engineer,senior,,,L,,maybe\n"),
        "row 2, column `active` (`maybe`): not a yes/no value — write yes or no (active, inactive and terminated also work)",
    );
    check_one(
        &format!("{HEADER}not-an-email,A,,P,backend-engineer,senior,,,L,,yes\n"),
        "row 2, column `email` (`not-an-email`): not an email address",
    );
}

#[test]
fn header_problems_are_reported_before_rows() {
    let errs = errors("emial,name,job_family\nx,y,z\n");
    let shown: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "row 1, column `emial`: unknown column — did you mean `email`?",
            "row 1, column `email`: this column is required and missing — add a `email` column",
            "row 1, column `level`: this column is required and missing — add a `level` column",
        ]
    );
    assert_eq!(errors("")[0].message, "the file is empty");
    assert_eq!(errors("email,name\n\"open\n")[0].row, 2);
}

fn stored(email: &str, manager: Option<&str>) -> PersonRecord {
    let mut p = people_csv::parse(
        &format!("{HEADER}{email},Stored,,Platform,backend-engineer,staff,payments,8.5,Berlin,2020-01-02,yes\n"),
        &framework(),
        &BTreeMap::new(),
    )
    .unwrap()
    .remove(0);
    p.manager_email = manager.map(str::to_owned);
    p
}

#[test]
fn a_manager_already_stored_counts_and_closes_cycles() {
    let fw = framework();
    let mut existing = BTreeMap::new();
    existing.insert(
        "boss@example.com".to_owned(),
        stored("boss@example.com", Some("new@example.com")),
    );
    let csv =
        format!("{HEADER}new@example.com,N,boss@example.com,P,backend-engineer,senior,,,L,,yes\n");
    let errs = people_csv::parse(&csv, &fw, &existing).unwrap_err();
    assert!(errs[0].message.contains("circle"), "{errs:?}");
    existing.insert(
        "boss@example.com".to_owned(),
        stored("boss@example.com", None),
    );
    assert_eq!(people_csv::parse(&csv, &fw, &existing).unwrap().len(), 1);
}

#[test]
fn columns_a_file_leaves_out_keep_their_stored_values() {
    let fw = framework();
    let mut existing = BTreeMap::new();
    existing.insert(
        "boss@example.com".to_owned(),
        stored("boss@example.com", None),
    );
    existing.insert(
        "kim@example.com".to_owned(),
        stored("kim@example.com", Some("boss@example.com")),
    );
    // Only the name changes; the rest is not in the file.
    let csv = "email,name,job_family,level\nkim@example.com,Kim B.,backend-engineer,staff\n";
    let got = people_csv::parse(csv, &fw, &existing).unwrap();
    let kim = &got[0];
    assert_eq!(kim.name, "Kim B.");
    assert_eq!(kim.manager_email.as_deref(), Some("boss@example.com"));
    assert_eq!(
        (kim.department.as_str(), kim.location.as_str()),
        ("Platform", "Berlin")
    );
    assert_eq!(
        kim.role.specialty.as_deref(),
        Some("payments"),
        "same family keeps the specialty"
    );
    assert_eq!(kim.start_date, Date::new(2020, 1, 2));
    // A level change is refused: it goes through a 360 cycle's proposal.
    let promoted = "email,name,job_family,level\nkim@example.com,Kim,backend-engineer,principal\n";
    let errors = people_csv::parse(promoted, &fw, &existing).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!(
        (e.row, e.column.as_str(), e.value.as_str()),
        (2, "level", "principal")
    );
    assert!(e.message.contains("360 feedback cycle"), "{}", e.message);
    assert_eq!(
        e.fix.as_deref(),
        Some("keep `staff` here; their manager proposes the change during the next feedback cycle")
    );
    let same = "email,name,job_family,level\nkim@example.com,Kim,backend-engineer,staff\n";
    assert_eq!(
        people_csv::parse(same, &fw, &existing).unwrap()[0]
            .role
            .grade,
        "8.5",
        "same level keeps its grade"
    );
}

#[test]
fn the_demo_organisation_is_plausible_and_round_trips_through_csv() {
    let fw = framework();
    let today = Date::new(2026, 11, 21).unwrap();
    let people = demo::generate(&fw, 200, 7, today);
    assert_eq!(people.len(), 200);
    assert_eq!(
        people,
        demo::generate(&fw, 200, 7, today),
        "deterministic for a seed"
    );
    assert_ne!(people, demo::generate(&fw, 200, 8, today));
    assert_eq!(
        people.iter().filter(|p| p.manager_email.is_none()).count(),
        1
    );
    let emails: BTreeSet<&str> = people.iter().map(|p| p.email.as_str()).collect();
    assert_eq!(emails.len(), 200);
    let managers: BTreeSet<&str> = people
        .iter()
        .filter_map(|p| p.manager_email.as_deref())
        .collect();
    assert!(
        managers.len() >= 20,
        "teams stay small: {} managers",
        managers.len()
    );
    let levels: BTreeSet<&str> = people.iter().map(|p| p.role.level.as_str()).collect();
    assert!(levels.len() >= 5, "{levels:?}");
    let departments: BTreeSet<&str> = people.iter().map(|p| p.department.as_str()).collect();
    assert!(departments.len() >= 5, "{departments:?}");
    assert!(
        people
            .iter()
            .all(|p| p.start_date.is_some_and(|d| d < today))
    );
    // Start days from months to years back: some people too new for a
    // promotion's months at level, most not.
    let year_ago = today.add_days(-365);
    let recent = people
        .iter()
        .filter(|p| p.start_date.is_some_and(|d| d > year_ago))
        .count();
    assert!((5..=60).contains(&recent), "{recent} joined within a year");
    assert!(
        people
            .iter()
            .any(|p| p.start_date.is_some_and(|d| d < today.add_days(-365 * 8))),
        "some have been here for years"
    );
    let csv = people_csv::export(&people);
    let back = people_csv::parse(&csv, &fw, &BTreeMap::new()).unwrap();
    assert_eq!(back, people);
}

/// A name a spreadsheet would run as a formula leaves the export defused
/// (a leading `'`), and the export reads back to the same records.
#[test]
fn exports_defuse_formulas_and_read_back() {
    let csv = format!(
        "{HEADER}eve@example.com,\"=cmd|' /C calc'!A0\",,@Platform,backend-engineer,senior,,,+Lisbon,,yes\n"
    );
    let people = people_csv::parse(&csv, &framework(), &BTreeMap::new()).unwrap();
    assert_eq!(people[0].name, "=cmd|' /C calc'!A0");
    let out = people_csv::export(&people);
    for line in out.lines().skip(1) {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "`{cell}` would run in a spreadsheet: {out}"
            );
        }
    }
    assert!(out.contains("'=cmd") && out.contains("'@Platform") && out.contains("'+Lisbon"));
    let back = people_csv::parse(&out, &framework(), &BTreeMap::new()).unwrap();
    assert_eq!(back, people);
}

/// Absurd values are refused with their row and column: grades that are
/// not a sane number, cells of any length, control characters.
#[test]
fn absurd_values_are_refused_by_row_and_column() {
    let long = "x".repeat(5000);
    for (grade, name, what) in [
        ("NaN", "Ana", "grade"),
        ("1e309", "Ana", "grade"),
        ("-5", "Ana", "grade"),
        ("inf", "Ana", "grade"),
        ("7", long.as_str(), "name"),
        ("7", "A\u{0}na", "name"),
    ] {
        let csv = format!(
            "{HEADER}a@example.com,{name},,Platform,backend-engineer,senior,,{grade},London,,yes\n"
        );
        let errors = people_csv::parse(&csv, &framework(), &BTreeMap::new()).unwrap_err();
        assert_eq!(errors[0].row, 2, "{grade} {what}");
        assert_eq!(errors[0].column, what, "{grade}: {errors:?}");
    }
}
