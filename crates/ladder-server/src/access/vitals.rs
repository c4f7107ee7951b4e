//! What a node's metrics read from the database: sizes and queues, never
//! anyone's data. Handed out only to a caller holding the metrics token
//! (checked by [`crate::metrics`]).

use super::Access;
use crate::AppError;
use ladder_store::{MessageState, PoolUse};

/// The organisation's size and the work waiting, at one moment.
#[derive(Debug)]
pub struct Vitals {
    pub people: i64,
    pub accounts: i64,
    pub pool: PoolUse,
    /// Messages by state: pending and held are the outbox's depth, failed
    /// the deliveries given up on.
    pub messages: Vec<(MessageState, i64)>,
}

impl Access {
    pub async fn vitals(&self) -> Result<Vitals, AppError> {
        Ok(Vitals {
            people: self.store.count_people().await?,
            accounts: self.store.count_accounts().await?,
            pool: self.store.pool_use(),
            messages: self.store.message_counts().await?,
        })
    }
}
