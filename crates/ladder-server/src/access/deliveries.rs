//! Notifications as people see them: their own preferences, and for
//! admins and the people team the delivery log (kinds, recipients, times,
//! results; never a body, which is not stored) and the chat webhooks.

use super::{Access, Viewer};
use crate::AppError;
use ladder_store::{Delivery, Id, Message, MessageState, Webhook};

impl Access {
    /// The viewer's own choices per kind (kinds without one are sent at
    /// once). Only the viewer's own: there is no way to read another's.
    pub async fn my_notification_prefs(
        &self,
        v: &Viewer,
    ) -> Result<Vec<(String, Delivery)>, AppError> {
        let me = v.person_id().ok_or(AppError::Forbidden)?;
        Ok(self
            .store
            .notification_prefs(&[me])
            .await?
            .into_iter()
            .map(|(_, k, d)| (k, d))
            .collect())
    }

    pub async fn set_my_notification_prefs(
        &self,
        v: &Viewer,
        prefs: &[(String, Delivery)],
        now: i64,
    ) -> Result<(), AppError> {
        let me = v.person_id().ok_or(AppError::Forbidden)?;
        let detail = prefs
            .iter()
            .map(|(k, d)| format!("{k}={}", d.as_str()))
            .collect::<Vec<_>>()
            .join(" ");
        self.store
            .set_notification_prefs(
                me,
                prefs,
                &Access::record(v, "notifications.prefs", Some(me), &detail, now),
            )
            .await?;
        Ok(())
    }

    /// The delivery log: admins and the people team.
    pub fn delivery_log<'a>(&'a self, v: &'a Viewer) -> Result<DeliveryLog<'a>, AppError> {
        if !(v.roles().admin || v.roles().people_team) {
            return Err(AppError::Forbidden);
        }
        Ok(DeliveryLog {
            access: self,
            viewer: v,
        })
    }
}

#[derive(Debug)]
pub struct DeliveryLog<'a> {
    access: &'a Access,
    viewer: &'a Viewer,
}

impl DeliveryLog<'_> {
    pub async fn messages(&self, before: Option<Id>, limit: i64) -> Result<Vec<Message>, AppError> {
        Ok(self.access.store.messages(before, limit).await?)
    }

    pub async fn counts(&self) -> Result<Vec<(MessageState, i64)>, AppError> {
        Ok(self.access.store.message_counts().await?)
    }

    /// Sends a sent or failed message again.
    pub async fn resend(&self, id: Id, now: i64) -> Result<(), AppError> {
        let m = self
            .access
            .store
            .message(id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.access
            .store
            .resend_message(
                id,
                now,
                &Access::record(
                    self.viewer,
                    "message.resend",
                    m.new.person_id,
                    &format!("message {id} ({})", m.new.kind),
                    now,
                ),
            )
            .await?;
        Ok(())
    }

    pub async fn webhooks(&self) -> Result<Vec<Webhook>, AppError> {
        Ok(self.access.store.webhooks().await?)
    }

    /// Registering and removing webhooks: admins only.
    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.viewer.roles().admin {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub async fn add_webhook(
        &self,
        url: &str,
        kinds: &[String],
        secret: &str,
        now: i64,
    ) -> Result<Id, AppError> {
        self.require_admin()?;
        Ok(self
            .access
            .store
            .create_webhook(
                url,
                kinds,
                secret,
                Some(self.viewer.account.id),
                now,
                &Access::record(self.viewer, "webhook.create", None, url, now),
            )
            .await?)
    }

    pub async fn delete_webhook(&self, id: Id, now: i64) -> Result<(), AppError> {
        self.require_admin()?;
        self.access
            .store
            .delete_webhook(
                id,
                &Access::record(
                    self.viewer,
                    "webhook.delete",
                    None,
                    &format!("webhook {id}"),
                    now,
                ),
            )
            .await?;
        Ok(())
    }
}
