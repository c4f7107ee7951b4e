//! A plausible organisation for `ladder demo`: a head of engineering,
//! department heads, team managers and their engineers, with levels,
//! specialties, locations and start dates spread the way real teams are.
//!
//! Deterministic for a seed, and made only of what the framework defines,
//! so every record passes the same checks as an imported file.

use crate::{Date, PersonRecord, Role, format_grade};
use ladder_framework::{Family, Framework};
use std::collections::BTreeSet;

/// The email domain of generated people.
pub const DOMAIN: &str = "example.com";

const FIRST: [&str; 40] = [
    "Ada", "Bilal", "Chen", "Dara", "Elif", "Femi", "Greta", "Hiro", "Ines", "Jonas", "Kemi",
    "Lars", "Maya", "Nikhil", "Olga", "Pablo", "Quinn", "Rosa", "Sami", "Tariq", "Uma", "Viktor",
    "Wen", "Xavi", "Yara", "Zeynep", "Amara", "Bruno", "Carmen", "Dmitri", "Esi", "Farah",
    "Gabriel", "Hana", "Ivan", "Julia", "Kofi", "Lena", "Mateo", "Noor",
];
const LAST: [&str; 40] = [
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Haddad",
    "Novak",
    "Silva",
    "Kowalski",
    "Byrne",
    "Mensah",
    "Fischer",
    "Rossi",
    "Sato",
    "Jansen",
    "Petrov",
    "Nguyen",
    "Castro",
    "Dubois",
    "Ahmed",
    "Larsen",
    "Kaur",
    "Meyer",
    "Costa",
    "Varga",
    "Abiola",
    "Horvat",
    "Quist",
    "Brennan",
    "Oyelaran",
    "Delgado",
    "Ivanova",
    "Park",
    "Santos",
    "Weber",
    "Yilmaz",
    "Ortega",
    "Hughes",
    "Baptiste",
    "Nakamura",
    "Eriksen",
];
const LOCATIONS: [&str; 6] = [
    "London",
    "Berlin",
    "Lisbon",
    "Toronto",
    "Remote (EU)",
    "Remote (Americas)",
];
/// Share of engineers per level, lowest level first.
const LEVEL_WEIGHTS: [u64; 6] = [3, 15, 35, 30, 12, 5];
const TEAM_SIZE: usize = 7;

/// SplitMix64: small, fast, and the same on every machine.
#[derive(Debug)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }

    fn pick<'a>(&mut self, options: &[&'a str]) -> &'a str {
        options
            .get(self.below(options.len()))
            .copied()
            .unwrap_or("")
    }

    fn weighted(&mut self, weights: &[u64]) -> usize {
        let total: u64 = weights.iter().sum();
        let mut x = self.next() % total.max(1);
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        0
    }
}

/// A department: a family and, optionally, one of its specialties.
#[derive(Debug)]
struct Dept<'f> {
    name: String,
    family: &'f Family,
    specialty: Option<String>,
    /// The department head's email, once there is one.
    head: Option<String>,
    /// The email of the manager of the team being filled.
    manager: Option<String>,
    in_team: usize,
}

fn grade_of(fw: &Framework, f: &Family, level: &str) -> f64 {
    f.levels
        .iter()
        .find(|l| l.level == level)
        .map(|l| l.grade)
        .or_else(|| {
            fw.config
                .levels
                .iter()
                .find(|l| l.id == level)
                .map(|l| l.grade)
        })
        .unwrap_or(0.0)
}

/// The family's management level (the lowest-graded level whose id says
/// "manager"), or its top level when it has none.
fn manager_level<'f>(fw: &Framework, f: &'f Family) -> Option<&'f str> {
    let mut levels: Vec<&str> = f.levels.iter().map(|l| l.level.as_str()).collect();
    levels.sort_by(|a, b| grade_of(fw, f, a).total_cmp(&grade_of(fw, f, b)));
    levels
        .iter()
        .find(|l| l.contains("manager"))
        .or(levels.last())
        .copied()
}

fn ic_levels<'f>(fw: &Framework, f: &'f Family) -> Vec<&'f str> {
    let mut levels: Vec<&str> = f
        .levels
        .iter()
        .map(|l| l.level.as_str())
        .filter(|l| !l.contains("manager"))
        .collect();
    levels.sort_by(|a, b| grade_of(fw, f, a).total_cmp(&grade_of(fw, f, b)));
    levels
}

/// `n` people (at least one, if the framework has a family), the same for
/// the same seed. `today` bounds the start dates.
pub fn generate(fw: &Framework, n: usize, seed: u64, today: Date) -> Vec<PersonRecord> {
    let mut rng = Rng(seed);
    let mut depts: Vec<Dept<'_>> = Vec::new();
    for f in &fw.families {
        depts.push(Dept {
            name: f.title.clone(),
            family: f,
            specialty: None,
            head: None,
            manager: None,
            in_team: 0,
        });
        for s in &f.specialties {
            depts.push(Dept {
                name: s.title.clone(),
                family: f,
                specialty: Some(s.id.clone()),
                head: None,
                manager: None,
                in_team: 0,
            });
        }
    }
    let Some(first) = fw.families.first() else {
        return Vec::new();
    };
    let mut used = BTreeSet::new();
    let mut people: Vec<PersonRecord> = Vec::new();
    let mut person = |rng: &mut Rng,
                      family: &Family,
                      level: &str,
                      spec: Option<String>,
                      dept: &str,
                      manager: Option<String>| {
        let (first_name, last_name) = (rng.pick(&FIRST), rng.pick(&LAST));
        let base = format!("{}.{}", first_name.to_lowercase(), last_name.to_lowercase());
        let mut email = format!("{base}@{DOMAIN}");
        let mut k = 2;
        while !used.insert(email.clone()) {
            email = format!("{base}{k}@{DOMAIN}");
            k += 1;
        }
        // Anywhere from two months to eleven years back: most people have
        // been at their level long enough for a promotion, some have not.
        let months_back = i64::try_from(2 + rng.below(130)).unwrap_or(2);
        let start =
            Some(today.add_days(-(months_back * 30) - i64::try_from(rng.below(28)).unwrap_or(0)));
        PersonRecord {
            email,
            name: format!("{first_name} {last_name}"),
            manager_email: manager,
            department: dept.to_owned(),
            role: Role {
                family: family.id.clone(),
                level: level.to_owned(),
                specialty: spec,
                grade: format_grade(grade_of(fw, family, level)),
            },
            location: rng.pick(&LOCATIONS).to_owned(),
            start_date: start,
            active: true,
        }
    };
    let top_level = first
        .levels
        .iter()
        .map(|l| l.level.as_str())
        .max_by(|a, b| grade_of(fw, first, a).total_cmp(&grade_of(fw, first, b)))
        .unwrap_or("");
    people.push(person(
        &mut rng,
        first,
        top_level,
        None,
        "Engineering",
        None,
    ));
    let weights: Vec<u64> = depts
        .iter()
        .map(|d| if d.specialty.is_some() { 2 } else { 3 })
        .collect();
    let top = people.first().map(|p| p.email.clone());
    while people.len() < n {
        let d = rng.weighted(&weights);
        let Some(dept) = depts.get_mut(d) else { break };
        let mgr_level = manager_level(fw, dept.family).unwrap_or("");
        // A department first gets its head, then a team manager, then
        // engineers until the team is full, then the next manager.
        let new_team = dept.manager.is_none() || dept.in_team >= TEAM_SIZE;
        let (level, reports_to) = if dept.head.is_none() {
            (mgr_level, top.clone())
        } else if new_team {
            (mgr_level, dept.head.clone())
        } else {
            let ics = ic_levels(fw, dept.family);
            let w: Vec<u64> = (0..ics.len())
                .map(|i| LEVEL_WEIGHTS.get(i).copied().unwrap_or(2))
                .collect();
            let level = ics.get(rng.weighted(&w)).copied().unwrap_or(mgr_level);
            (level, dept.manager.clone())
        };
        let p = person(
            &mut rng,
            dept.family,
            level,
            dept.specialty.clone(),
            &dept.name,
            reports_to,
        );
        let email = Some(p.email.clone());
        people.push(p);
        if dept.head.is_none() {
            dept.head = email;
        } else if new_team {
            dept.manager = email;
            dept.in_team = 0;
        } else {
            dept.in_team += 1;
        }
    }
    people.truncate(n);
    people
}
