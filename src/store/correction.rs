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
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, IntoActiveModel,
    PrimaryKeyTrait,
};
use serde::Serialize;

use super::Versioned;
use super::audit::{self, Change, Operation};
use crate::domain::access::Actor;
use crate::error::{AppError, AppResult, entity_name_zh};

/// What a correction does to a record.
#[derive(Debug, Clone)]
pub enum Correction<Amendment> {
    /// Changes the fields the amendment names.
    Amend(Amendment),
    /// Entered in error: kept, with the reason, and counted nowhere.
    Void,
}

/// A record that can be corrected and voided.
pub(crate) trait Voidable: Versioned {
    /// What the record belongs to, whose row serialises its corrections with
    /// every other write to it: its carrier, or its enterprise.
    fn owner(model: &Self::Model) -> i32;
    /// Refuses `actor` unless it may write the records of owner `owner`,
    /// then locks the owner's row until the transaction ends; the operator
    /// whose data the record is, for the audit trail.
    fn lock_owner<'a, C: ConnectionTrait>(
        txn: &'a C,
        actor: &'a Actor,
        owner: i32,
    ) -> impl Future<Output = AppResult<Option<i32>>> + Send + 'a;
    fn version(model: &Self::Model) -> i32;
    fn is_voided(model: &Self::Model) -> bool;
    /// Marks `row` voided now, for `reason`.
    fn void(row: &mut Self::ActiveModel, reason: &str);
}

/// Voidable tables: rows with `version`, `voided_at` and `void_reason`,
/// owned by their carrier (`carrier_id`) unless the owner is given.
macro_rules! voidable {
    (@record $module:ident) => {
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
    };
    ($($module:ident),+ $(,)?) => {$(
        impl Voidable for entity::$module::Entity {
            fn owner(model: &entity::$module::Model) -> i32 {
                model.carrier_id
            }
            async fn lock_owner<C: ConnectionTrait>(
                txn: &C,
                actor: &Actor,
                owner: i32,
            ) -> AppResult<Option<i32>> {
                let carrier = super::carrier::writable(txn, actor, owner).await?;
                Ok(Some(carrier.operator_id))
            }
            voidable!(@record $module);
        }
    )+};
}
voidable!(
    space_phase,
    level_recognition,
    tenancy,
    platform,
    operating_team,
    facility,
    lease
);

/// A qualification is its enterprise's: corrected by its custodian or ADMIN.
impl Voidable for entity::qualification::Entity {
    fn owner(model: &entity::qualification::Model) -> i32 {
        model.enterprise_id
    }
    async fn lock_owner<C: ConnectionTrait>(
        txn: &C,
        actor: &Actor,
        owner: i32,
    ) -> AppResult<Option<i32>> {
        let enterprise = super::enterprise::keepable(txn, actor, owner).await?;
        Ok(enterprise.custodian_operator_id)
    }
    voidable!(@record qualification);
}

/// One correction asked for: of record `id`, read at `version`, for `reason`.
#[derive(Debug, Clone)]
pub(crate) struct Asked<A> {
    pub id: i32,
    pub version: i32,
    pub correction: Correction<A>,
    pub reason: String,
}

/// Corrects record `id` of `E`, read at `version`, for `reason`: by those
/// who may write its owner (whose row is locked, serialising this with every
/// other write to it: see [`Voidable::lock_owner`]), not yet voided (else
/// CONFLICT), at the version read (else CONFLICT). `amend` applies an
/// amendment to the row; `check` then judges the corrected row (`None` when
/// voided) against the rules that span rows, given the owner, inside the
/// transaction.
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
    let owner = E::owner(&found);
    let operator_id = E::lock_owner(&txn, actor, owner).await?;
    // Read again under the owner's lock: what the correction starts from.
    let before = E::find_by_id(id).one(&txn).await?.ok_or_else(not_found)?;
    if E::is_voided(&before) {
        return Err(AppError::conflict(
            format!("{} {id} was voided and cannot be corrected again", E::NAME),
            format!(
                "该{}（编号 {id}）已作废，不能再更正",
                entity_name_zh(E::NAME)
            ),
        ));
    }
    let stored = E::version(&before);
    super::check_version::<E>(id, stored, version)?;
    let mut row = before.clone().into_active_model();
    let operation = match correction {
        Correction::Amend(amendment) => {
            amend(&mut row, amendment)?;
            check(&txn, owner, Some(&row)).await?;
            Operation::Amend
        }
        Correction::Void => {
            E::void(&mut row, &reason);
            check(&txn, owner, None).await?;
            Operation::Void
        }
    };
    let after = super::versioned_update::<E, _>(&txn, row, id, stored, version).await?;
    let change = Change::updated(E::NAME, id, operator_id, &before, &after)?;
    audit::record_with_reason(&txn, actor, operation, change, Some(reason)).await?;
    txn.commit().await?;
    Ok(after)
}
