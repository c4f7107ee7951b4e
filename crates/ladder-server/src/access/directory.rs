//! Reading the directory: everyone, a page of them, a department, a
//! search. Open to every signed-in account.

use super::{DirectoryEntry, OrgView};
use crate::http::paging::Paging;
use ladder_store::Id;
use std::sync::Arc;

/// Reading the directory.
#[derive(Clone, Debug)]
pub struct Directory {
    pub(super) org: Arc<OrgView>,
}

impl Directory {
    /// The version of the organisation it shows: views computed from it
    /// are kept under this version ([`crate::Loaded::view`]).
    pub fn version(&self) -> i64 {
        self.org.version
    }

    pub fn all(&self) -> Vec<DirectoryEntry> {
        self.org.people.iter().map(DirectoryEntry::from).collect()
    }

    /// The person with this email (any case), if any.
    pub fn id_of(&self, email: &str) -> Option<Id> {
        self.org.by_email(email).map(|p| p.id)
    }

    /// A person's name, if they are stored.
    pub fn name(&self, id: Id) -> Option<&str> {
        self.org.person(id).map(|p| p.record.name.as_str())
    }

    pub fn get(&self, id: Id) -> Option<DirectoryEntry> {
        self.org.person(id).map(DirectoryEntry::from)
    }

    /// One page of everyone, in id order: a seek, then the page's rows
    /// (and the next page's cursor).
    pub fn page(&self, p: Paging) -> (Vec<DirectoryEntry>, Option<String>) {
        let people = &self.org.people;
        let start = p.after.map_or(0, |a| people.partition_point(|x| x.id <= a));
        let rest = people.get(start..).unwrap_or_default();
        crate::http::paging::page(
            rest.iter().map(DirectoryEntry::from),
            |e| e.id,
            Paging { after: None, ..p },
        )
    }

    /// Each active person's level, for counts.
    pub fn active_levels(&self) -> impl Iterator<Item = &str> {
        self.org
            .people
            .iter()
            .filter(|p| p.record.active)
            .map(|p| p.record.role.level.as_str())
    }

    /// Each department with how many active people it has, by name.
    pub fn departments(&self) -> Vec<(String, usize)> {
        self.org.departments.clone()
    }

    /// One page of a department's active people, in id order.
    pub fn department_page(
        &self,
        department: &str,
        p: Paging,
    ) -> (Vec<DirectoryEntry>, Option<String>) {
        crate::http::paging::page(
            self.org
                .people
                .iter()
                .filter(|x| x.record.active && x.record.department == department)
                .map(DirectoryEntry::from),
            |e| e.id,
            p,
        )
    }

    pub fn reports_of(&self, id: Id) -> Vec<DirectoryEntry> {
        self.org.reports(id).map(DirectoryEntry::from).collect()
    }

    /// People whose name, email or department contains every word of `q`.
    pub fn search(&self, q: &str, limit: usize) -> Vec<DirectoryEntry> {
        let words: Vec<String> = q.split_whitespace().map(str::to_lowercase).collect();
        self.org
            .people
            .iter()
            .filter(|p| {
                let r = &p.record;
                let hay = format!("{} {} {}", r.name, r.email, r.department).to_lowercase();
                words.iter().all(|w| hay.contains(w.as_str()))
            })
            .take(limit)
            .map(DirectoryEntry::from)
            .collect()
    }
}
