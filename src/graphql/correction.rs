//! What every correction takes (see `store::correction`).

use async_graphql::{ID, InputObject};

use super::node::{NodeType, expect};
use crate::domain::text::required_text;
use crate::error::AppError;

/// 作废: a record entered in error, to be kept but counted nowhere.
#[derive(InputObject)]
pub struct VoidRecordInput {
    /// The record, by global ID.
    pub id: ID,
    /// The version read; a stale one gets CONFLICT.
    pub version: i32,
    /// Why it is voided (kept on the record and in the audit trail), e.g. 重复录入.
    pub reason: String,
}

impl VoidRecordInput {
    /// The database id (which must be of type `kind`), the version and the reason.
    pub fn validate(self, kind: NodeType) -> Result<(i32, i32, String), AppError> {
        Ok((
            expect("id", &self.id, kind)?,
            self.version,
            required_text("reason", &self.reason)?,
        ))
    }
}
