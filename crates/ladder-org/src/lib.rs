//! People and organisation, without IO: the person record, the people CSV
//! (read with per-row, per-column errors and did-you-mean from the
//! framework; written in the same shape), reporting-line checks, and the
//! demo organisation generator.
//!
//! The store saves these records; the server and the CLI read and write the
//! files. Nothing here touches the disk, the clock or a random source: the
//! demo generator takes its seed as a parameter.

mod date;
pub mod demo;
pub mod pay;
pub mod people_csv;

pub use date::Date;
use ladder_framework::Framework;
use ladder_framework::similar::did_you_mean;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One person as the organisation knows them: who they are, where they
/// sit, and their role in the framework.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRecord {
    /// Work email, lower-cased; the key people are matched by.
    pub email: String,
    pub name: String,
    pub manager_email: Option<String>,
    pub department: String,
    pub role: Role,
    pub location: String,
    pub start_date: Option<Date>,
    pub active: bool,
}

/// A role in the framework: job family, level, optional specialty, grade.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub family: String,
    pub level: String,
    pub specialty: Option<String>,
    /// The grade as written (`7`, `9.5`); defaults to the framework's
    /// grade for the family level.
    pub grade: String,
}

/// Why a role does not fit the framework, and the likely fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleProblem {
    /// `family`, `level` or `specialty`.
    pub field: &'static str,
    pub value: String,
    pub message: String,
    pub fix: Option<String>,
}

/// Matches `wanted` against ids and titles, case-insensitively.
fn find<'a>(
    wanted: &str,
    options: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> Option<&'a str> {
    let w = wanted.trim();
    options
        .clone()
        .find(|(id, title)| id.eq_ignore_ascii_case(w) || title.eq_ignore_ascii_case(w))
        .map(|(id, _)| id)
}

fn suggest<'a>(
    wanted: &str,
    options: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> (Option<String>, String) {
    let all: Vec<&str> = options.clone().flat_map(|(id, t)| [id, t]).collect();
    let list = options.map(|(id, _)| id).collect::<Vec<_>>().join(", ");
    (
        did_you_mean(wanted, all.iter().copied()).map(|s| format!("did you mean `{s}`?")),
        list,
    )
}

/// Resolves a family, level and specialty as a person or a file wrote them
/// (ids or titles, any case) to the framework's ids, and fills the grade
/// from the framework when it is empty.
pub fn resolve_role(
    fw: &Framework,
    family: &str,
    level: &str,
    specialty: &str,
    grade: &str,
) -> Result<Role, RoleProblem> {
    let fams = fw
        .families
        .iter()
        .map(|f| (f.id.as_str(), f.title.as_str()));
    let Some(fid) = find(family, fams.clone()) else {
        let (fix, list) = suggest(family, fams);
        return Err(RoleProblem {
            field: "family",
            value: family.to_owned(),
            message: format!("no job family `{family}` in the framework (families: {list})"),
            fix,
        });
    };
    let Some(f) = fw.families.iter().find(|f| f.id == fid) else {
        return Err(RoleProblem {
            field: "family",
            value: family.to_owned(),
            message: "the family vanished while resolving".to_owned(),
            fix: None,
        });
    };
    let title_of = |id: &str| {
        fw.config
            .levels
            .iter()
            .find(|l| l.id == id)
            .map_or("", |l| l.title.as_str())
    };
    let levels = f
        .levels
        .iter()
        .map(|l| (l.level.as_str(), title_of(&l.level)));
    let Some(lid) = find(level, levels.clone()) else {
        let (fix, list) = suggest(level, levels);
        return Err(RoleProblem {
            field: "level",
            value: level.to_owned(),
            message: format!(
                "the `{}` family has no level `{level}` (levels: {list})",
                f.id
            ),
            fix,
        });
    };
    let spec = if specialty.trim().is_empty() {
        None
    } else {
        let specs = f
            .specialties
            .iter()
            .map(|s| (s.id.as_str(), s.title.as_str()));
        match find(specialty, specs.clone()) {
            Some(s) => Some(s.to_owned()),
            None => {
                let (fix, list) = suggest(specialty, specs);
                let list = if list.is_empty() {
                    "none".to_owned()
                } else {
                    list
                };
                return Err(RoleProblem {
                    field: "specialty",
                    value: specialty.to_owned(),
                    message: format!(
                        "the `{}` family has no specialty `{specialty}` (specialties: {list})",
                        f.id
                    ),
                    fix,
                });
            }
        }
    };
    let grade = if grade.trim().is_empty() {
        f.levels
            .iter()
            .find(|l| l.level == lid)
            .map(|l| format_grade(l.grade))
            .unwrap_or_default()
    } else {
        grade.trim().to_owned()
    };
    Ok(Role {
        family: f.id.clone(),
        level: lid.to_owned(),
        specialty: spec,
        grade,
    })
}

/// `7.0` → `7`, `9.5` → `9.5`.
pub fn format_grade(g: f64) -> String {
    if g.fract() == 0.0 {
        format!("{g:.0}")
    } else {
        format!("{g}")
    }
}

/// A reporting cycle through these emails, if the manager links make one:
/// the emails in order, the first repeated at the end.
pub fn reporting_cycle(managers: &BTreeMap<String, Option<String>>) -> Option<Vec<String>> {
    let mut done: BTreeSet<&str> = BTreeSet::new();
    for start in managers.keys() {
        let mut path: Vec<&str> = Vec::new();
        let mut cur = Some(start.as_str());
        while let Some(c) = cur {
            if done.contains(c) {
                break;
            }
            if let Some(pos) = path.iter().position(|p| *p == c) {
                let mut cycle: Vec<String> = path
                    .get(pos..)
                    .unwrap_or_default()
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect();
                cycle.push(c.to_owned());
                return Some(cycle);
            }
            path.push(c);
            cur = managers.get(c).and_then(|m| m.as_deref());
        }
        done.extend(path);
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn finds_cycles_and_only_cycles() {
        let mut m = BTreeMap::new();
        m.insert("a".to_owned(), Some("b".to_owned()));
        m.insert("b".to_owned(), Some("c".to_owned()));
        m.insert("c".to_owned(), None);
        assert_eq!(reporting_cycle(&m), None);
        m.insert("c".to_owned(), Some("a".to_owned()));
        assert_eq!(reporting_cycle(&m).unwrap(), ["a", "b", "c", "a"]);
        let mut own = BTreeMap::new();
        own.insert("x".to_owned(), Some("x".to_owned()));
        assert_eq!(reporting_cycle(&own).unwrap(), ["x", "x"]);
    }

    #[test]
    fn grades_print_like_people_write_them() {
        assert_eq!(format_grade(7.0), "7");
        assert_eq!(format_grade(9.5), "9.5");
    }
}
