//! `ladder diff --impact`: the organisation a framework change would
//! touch, read from a backup file (`ladder db backup`, so CI needs no
//! access to the live database) or from the database itself; the
//! comparison is [`ladder_growth::impact`].

use ladder_growth::impact::{OpenCycle, OpenProposal, OpenRole, Subject};
use ladder_store::{Dump, Person, Rating, RatingChange, Store};
use serde::de::DeserializeOwned;
use std::path::Path;

/// The people and ratings the report reads.
pub(crate) struct Org {
    pub people: Vec<Person>,
    pub ratings: Vec<Rating>,
    pub history: Vec<RatingChange>,
    /// Open positions.
    pub openings: Vec<OpenRole>,
    /// Running 360 cycles and whom they ask about.
    pub cycles: Vec<OpenCycle>,
    /// Pending level-change proposals.
    pub proposals: Vec<OpenProposal>,
}

/// A `proposals` row of a backup (the columns the report needs).
#[derive(serde::Deserialize)]
struct ProposalRow {
    id: i64,
    person_id: i64,
    evidence: String,
    state: String,
}

/// A `cycles` row of a backup (the columns the report needs).
#[derive(serde::Deserialize)]
struct CycleRow {
    id: i64,
    name: String,
    state: String,
}

/// A `nominations` row of a backup.
#[derive(serde::Deserialize)]
struct NominationRow {
    cycle_id: i64,
    person_id: i64,
}

/// The running cycles (nominations or feedback), each with the people it
/// asks about.
fn running(cycles: Vec<(i64, String, String)>, asked: &[(i64, i64)]) -> Vec<OpenCycle> {
    cycles
        .into_iter()
        .filter(|(_, _, state)| state == "nominations" || state == "feedback")
        .map(|(id, name, _)| {
            let mut people: Vec<i64> = asked
                .iter()
                .filter(|(c, _)| *c == id)
                .map(|(_, p)| *p)
                .collect();
            people.sort_unstable();
            people.dedup();
            OpenCycle { id, name, people }
        })
        .collect()
}

/// An `openings` row of a backup.
#[derive(serde::Deserialize)]
struct OpeningRow {
    id: i64,
    title: String,
    family: String,
    level: String,
    specialty: Option<String>,
    state: String,
}

impl Org {
    /// Everyone active, as the report's subjects.
    pub(crate) fn subjects(&self) -> Vec<Subject> {
        self.people
            .iter()
            .filter(|p| p.record.active)
            .map(Subject::from)
            .collect()
    }
}

/// Reads a backup file: its people, and its ratings and rating history
/// from the growth tables (rows of column values, named by
/// [`ladder_store::BACKUP_TABLES`]).
pub(crate) fn from_backup(path: &Path) -> Result<Org, String> {
    let text = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let dump: Dump = serde_json::from_slice(&text).map_err(|e| {
        format!(
            "{}:{}:{}: not a Ladder backup: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    let openings = table::<OpeningRow>(&dump, "openings", path)?
        .into_iter()
        .filter(|o| o.state == "open")
        .map(|o| OpenRole {
            id: o.id,
            title: o.title,
            family: o.family,
            level: o.level,
            specialty: o.specialty,
        })
        .collect();
    let asked: Vec<(i64, i64)> = table::<NominationRow>(&dump, "nominations", path)?
        .into_iter()
        .map(|n| (n.cycle_id, n.person_id))
        .collect();
    let cycles = running(
        table::<CycleRow>(&dump, "cycles", path)?
            .into_iter()
            .map(|c| (c.id, c.name, c.state))
            .collect(),
        &asked,
    );
    let proposals = table::<ProposalRow>(&dump, "proposals", path)?
        .into_iter()
        .filter(|p| p.state == "pending")
        .map(|p| OpenProposal::from_evidence(p.id, p.person_id, &p.evidence))
        .collect();
    Ok(Org {
        ratings: table(&dump, "ratings", path)?,
        history: table(&dump, "rating_history", path)?,
        people: dump.people,
        openings,
        cycles,
        proposals,
    })
}

fn table<T: DeserializeOwned>(dump: &Dump, name: &str, path: &Path) -> Result<Vec<T>, String> {
    let columns = ladder_store::BACKUP_TABLES
        .iter()
        .find(|(t, _)| *t == name)
        .map(|(_, c)| *c)
        .ok_or_else(|| format!("this build knows no `{name}` table"))?;
    let Some(rows) = dump.growth.get(name) else {
        return Ok(Vec::new());
    };
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let object: serde_json::Map<String, serde_json::Value> = columns
                .iter()
                .zip(row)
                .map(|((c, _), v)| ((*c).to_owned(), v.clone()))
                .collect();
            serde_json::from_value(serde_json::Value::Object(object))
                .map_err(|e| format!("{}: table `{name}`, row {}: {e}", path.display(), i + 1))
        })
        .collect()
}

/// Reads the live database.
pub(crate) async fn from_store(store: &dyn Store) -> Result<Org, String> {
    let people = store.list_people().await.map_err(|e| e.to_string())?;
    let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
    let openings = store
        .openings()
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|o| o.state == "open")
        .map(|o| OpenRole {
            id: o.id,
            title: o.new.title,
            family: o.new.family,
            level: o.new.level,
            specialty: o.new.specialty,
        })
        .collect();
    let mut all = Vec::new();
    let mut asked = Vec::new();
    let mut proposals = Vec::new();
    for c in store.cycles().await.map_err(|e| e.to_string())? {
        for n in store.nominations(c.id).await.map_err(|e| e.to_string())? {
            asked.push((c.id, n.person_id));
        }
        for p in store.proposals(c.id).await.map_err(|e| e.to_string())? {
            if p.state == ladder_store::ProposalState::Pending {
                proposals.push(OpenProposal::from_evidence(
                    p.id,
                    p.new.person_id,
                    &p.new.evidence,
                ));
            }
        }
        all.push((c.id, c.plan.name, c.state.as_str().to_owned()));
    }
    Ok(Org {
        ratings: store.ratings(&ids).await.map_err(|e| e.to_string())?,
        history: store
            .rating_history(&ids)
            .await
            .map_err(|e| e.to_string())?,
        people,
        openings,
        cycles: running(all, &asked),
        proposals,
    })
}
