//! Corrections in the open: a record entered wrongly is amended, or voided
//! when it should not exist, always with a reason, never silently.
//!
//! A voided record keeps its row (with `voided_at` and `void_reason`) and
//! counts in no figure from then on; every figure's query leaves voided rows
//! out. Each correction is one transaction under the rules of creating the
//! record, with an AMEND or VOID audit event carrying the reason; since the
//! event holds the whole row, `knownAt` before the correction replays the
//! record as it was.

use chrono::Utc;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, DatabaseConnection, DatabaseTransaction, IntoActiveModel, PrimaryKeyTrait,
};
use serde::Serialize;

use super::Versioned;
use super::audit::{self, Change, Operation};
use crate::domain::access::Actor;
use crate::error::{AppError, AppResult};

/// What a correction does to a record.
#[derive(Debug, Clone)]
pub enum Correction<Amendment> {
    /// Changes the fields the amendment names.
    Amend(Amendment),
    /// Entered in error: kept, with the reason, and counted nowhere.
    Void,
}

/// A carrier's record that can be voided.
pub(crate) trait Voidable: Versioned {
    /// The carrier the record belongs to (its operator's data).
    fn carrier_id(model: &Self::Model) -> i32;
    fn version(model: &Self::Model) -> i32;
    fn is_voided(model: &Self::Model) -> bool;
    /// Marks `row` voided now, for `reason`.
    fn void(row: &mut Self::ActiveModel, reason: &str);
}

/// Tables whose rows carry `carrier_id`, `version`, `voided_at` and `void_reason`.
macro_rules! voidable {
    ($($module:ident),+ $(,)?) => {$(
        impl Voidable for entity::$module::Entity {
            fn carrier_id(model: &entity::$module::Model) -> i32 {
                model.carrier_id
            }
            fn version(model: &entity::$module::Model) -> i32 {
                model.version
            }
            fn is_voided(model: &entity::$module::Model) -> bool {
                model.voided_at.is_some()
            }
            fn void(row: &mut entity::$module::ActiveModel, reason: &str) {
                row.voided_at = Set(Some(Utc::now()));
                row.void_reason = Set(Some(reason.to_owned()));
            }
        }
    )+};
}
voidable!(
    space_phase,
    level_recognition,
    tenancy,
    platform,
    operating_team,
    facility
);

/// One correction asked for: of record `id`, read at `version`, for `reason`.
#[derive(Debug, Clone)]
pub(crate) struct Asked<A> {
    pub id: i32,
    pub version: i32,
    pub correction: Correction<A>,
    pub reason: String,
}

/// Corrects record `id` of `E`, read at `version`, for `reason`: ADMIN or the
/// operator of its carrier (whose row is locked, serialising this with every
/// other write to the carrier), not yet voided (else CONFLICT), at the
/// version read (else CONFLICT). `amend` applies an amendment to the row;
/// `check` then judges the corrected row (`None` when voided) against the
/// rules that span rows, inside the transaction.
pub(crate) async fn correct<E, A>(
    db: &DatabaseConnection,
    actor: &Actor,
    asked: Asked<A>,
    amend: impl FnOnce(&mut E::ActiveModel, A) -> AppResult<()>,
    check: impl AsyncFnOnce(&DatabaseTransaction, i32, Option<&E::ActiveModel>) -> AppResult<()>,
) -> AppResult<E::Model>
where
    E: Voidable,
    E::Model: IntoActiveModel<E::ActiveModel> + Serialize + Clone,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i32>,
{
    let Asked {
        id,
        version,
        correction,
        reason,
    } = asked;
    let txn = super::begin_write(db).await?;
    let not_found = || AppError::not_found(E::NAME, id);
    let found = E::find_by_id(id).one(&txn).await?.ok_or_else(not_found)?;
    let carrier_id = E::carrier_id(&found);
    let carrier = super::carrier::writable(&txn, actor, carrier_id).await?;
    // Read again under the carrier's lock: what the correction starts from.
    let before = E::find_by_id(id).one(&txn).await?.ok_or_else(not_found)?;
    if E::is_voided(&before) {
        return Err(AppError::Conflict(format!(
            "{} {id} was voided and cannot be corrected again / 该记录已作废，不能再更正",
            E::NAME
        )));
    }
    let stored = E::version(&before);
    super::check_version::<E>(id, stored, version)?;
    let mut row = before.clone().into_active_model();
    let operation = match correction {
        Correction::Amend(amendment) => {
            amend(&mut row, amendment)?;
            check(&txn, carrier_id, Some(&row)).await?;
            Operation::Amend
        }
        Correction::Void => {
            E::void(&mut row, &reason);
            check(&txn, carrier_id, None).await?;
            Operation::Void
        }
    };
    let after = super::versioned_update::<E, _>(&txn, row, id, stored, version).await?;
    let change = Change::updated(E::NAME, id, Some(carrier.operator_id), &before, &after)?;
    audit::record_with_reason(&txn, actor, operation, change, Some(reason)).await?;
    txn.commit().await?;
    Ok(after)
}
