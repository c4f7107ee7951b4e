//! `ladder diff --impact`: the organisation a framework change would
//! touch, read from a backup file (`ladder db backup`, so CI needs no
//! access to the live database). From the database it is read as the web
//! app reads it ([`ladder_server::access::organisation`]); the comparison
//! is [`ladder_growth::impact::report`].

use ladder_growth::impact::{OpenCycle, OpenProposal, OpenRole, Organisation, Subject};
use ladder_store::{CycleState, Dump, ProposalState};
use serde::de::DeserializeOwned;
use std::path::Path;

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
        .filter(|(_, _, state)| {
            [CycleState::Nominations, CycleState::Feedback]
                .iter()
                .any(|s| s.as_str() == state)
        })
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

/// Reads a backup file: its people, and its ratings and rating history
/// from the growth tables (rows of column values, named by
/// [`ladder_store::BACKUP_TABLES`]).
pub(crate) fn from_backup(path: &Path) -> Result<Organisation, String> {
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
        .filter(|p| p.state == ProposalState::Pending.as_str())
        .map(|p| OpenProposal::from_evidence(p.id, p.person_id, &p.evidence))
        .collect();
    Ok(Organisation {
        ratings: table(&dump, "ratings", path)?,
        history: table(&dump, "rating_history", path)?,
        people: dump
            .people
            .iter()
            .filter(|p| p.record.active)
            .map(Subject::from)
            .collect(),
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
