//! Erasure on request (GDPR article 17), by the people team: one
//! irreversible action, confirmed by typing the person's email, audited
//! with the person's id as its only subject (an id that names no one
//! afterwards). What it removes and what it keeps is the store's
//! `erase_person`.

use super::{Access, PeopleTeam};
use crate::AppError;
use ladder_store::{Id, Person};

impl PeopleTeam<'_> {
    /// The person to erase, for the confirmation page.
    pub async fn erasable(&self, person: Id) -> Result<Person, AppError> {
        let org = self.access.org(self.viewer).await?;
        org.person(person).cloned().ok_or(AppError::NotFound)
    }

    /// Erases `person`, who has left, once `confirm` is their email.
    pub async fn erase(&self, person: Id, confirm: &str, now: i64) -> Result<(), AppError> {
        let p = self.erasable(person).await?;
        if p.record.active {
            return Err(AppError::BadRequest(
                "only someone who has left can be erased: mark them as leaving first (a people \
                 import with active false, or their identity provider)"
                    .to_owned(),
            ));
        }
        if !confirm.trim().eq_ignore_ascii_case(&p.record.email) {
            return Err(AppError::BadRequest(
                "confirm: type the person's email exactly, to show this is the person you mean"
                    .to_owned(),
            ));
        }
        self.access
            .store
            .erase_person(
                person,
                &Access::record(
                    self.viewer,
                    "person.erase",
                    Some(person),
                    "erased at their request",
                    now,
                ),
            )
            .await?;
        Ok(())
    }
}
