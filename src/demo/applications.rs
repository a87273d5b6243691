//! The demo's entry applications (入驻申请): in every state, to the first
//! carriers (by id) that have vacant units, entered by each carrier's
//! operator on the applicant's behalf and taken through the same store
//! functions as the API (an approval creates its tenancy there).

use chrono::{Days, NaiveDate};
use entity::{carrier, carrier_industry, entry_application};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::domain::access::{Actor, Role};
use crate::domain::application::{Applicant, Step, check_reason};
use crate::domain::area::FloorArea;
use crate::domain::carrier::Industry;
use crate::domain::uscc::Uscc;
use crate::error::{AppError, AppResult, stored};
use crate::store;

/// Where each demo application ends, in the order written.
const ENDS: [Step; 6] = [
    Step::StartReview, // stays UNDER_REVIEW
    Step::Approve,
    Step::Reject,
    Step::Withdraw,
    Step::ConfirmMoveIn, // approved, then moved in
    Step::StartReview,   // a second UNDER_REVIEW, for the queue
];
/// Carriers that receive applications.
const CARRIERS: usize = 4;

/// Writes the applications unless some are there; how many, if it wrote.
pub(super) async fn write(db: &DatabaseConnection, today: NaiveDate) -> AppResult<Option<usize>> {
    if entry_application::Entity::find().one(db).await?.is_some() {
        return Ok(None);
    }
    let carriers = carrier::Entity::find()
        .order_by_asc(carrier::Column::Id)
        .all(db)
        .await?;
    let mut written = 0u32;
    let mut served = 0;
    for carrier in carriers {
        if served == CARRIERS {
            break;
        }
        let vacant = store::inventory::vacant_units(db, carrier.id, today, 0.0).await?;
        if vacant.is_empty() {
            continue;
        }
        served += 1;
        let operator = Actor {
            name: "demo operator".into(),
            role: Role::Operator,
            operator_id: Some(carrier.operator_id),
            token_id: None,
        };
        let leading = carrier_industry::Entity::find()
            .filter(carrier_industry::Column::CarrierId.eq(carrier.id))
            .order_by_asc(carrier_industry::Column::Industry)
            .all(db)
            .await?;
        let own_industry = match leading.first() {
            Some(row) => stored("carrier_industry.industry", &row.industry)?,
            None => Industry::SoftwareIt,
        };
        // A just-submitted one, then one for each end.
        let mut next_unit = vacant.iter();
        for (index, end) in std::iter::once(None).chain(ENDS.map(Some)).enumerate() {
            written += 1;
            // Every third applicant is outside the carrier's industries, the
            // rejected one among them; the wanting of a unit alternates.
            let industry = if index % 3 == 2 {
                Industry::Quantum
            } else {
                own_industry
            };
            let unit = if matches!(end, Some(Step::Approve | Step::ConfirmMoveIn)) || index % 2 == 0
            {
                next_unit.next()
            } else {
                None
            };
            let applicant = Applicant {
                carrier_id: carrier.id,
                enterprise_name: format!("{}申请企业{written}号", short_name(&carrier.name)),
                uscc: Uscc::with_check_characters(&format!("91320214E{written:07}"))?,
                founded_on: today - Days::new(200 + 90 * u64::from(written % 9)),
                industry,
                headcount: 3 + i32::try_from(written % 17).unwrap_or(0),
                contact_person: format!("申请联系人{written}"),
                contact_phone: format!("0510-8{:07}", 5_000_000 + written),
                wanted_area: FloorArea::parse(
                    "wantedAreaM2",
                    unit.map_or(80.0, |unit| unit.area_m2),
                )?,
                wanted_unit_ids: unit.map(|unit| unit.id).into_iter().collect(),
                // Approved ones move in on a past date, so they can arrive.
                wanted_move_in_on: today - Days::new(30),
                business_description: format!(
                    "{}方向研发与技术服务 / R&D and technical services in {}",
                    industry.name_zh(),
                    industry.as_ref()
                ),
            };
            let row = store::application::submit(db, &operator, applicant).await?;
            take(db, &operator, row, end).await?;
        }
    }
    Ok(Some(usize::try_from(written).unwrap_or(usize::MAX)))
}

/// Takes application `row` to where `end` leaves it.
async fn take(
    db: &DatabaseConnection,
    operator: &Actor,
    row: entry_application::Model,
    end: Option<Step>,
) -> AppResult<()> {
    let Some(end) = end else {
        return Ok(());
    };
    let path: &[Step] = match end {
        Step::StartReview => &[Step::StartReview],
        Step::Withdraw => &[Step::Withdraw],
        Step::Approve => &[Step::StartReview, Step::Approve],
        Step::Reject => &[Step::StartReview, Step::Reject],
        Step::ConfirmMoveIn => &[Step::StartReview, Step::Approve, Step::ConfirmMoveIn],
    };
    let (id, mut version) = (row.id, row.version);
    for &step in path {
        let reason = match step {
            Step::Reject => {
                Some("不属于本载体主导产业 / not among the carrier's leading industries")
            }
            Step::Withdraw => Some("企业另择场地 / the applicant chose other premises"),
            Step::Approve => Some("材料齐全，同意入驻 / complete, approved"),
            _ => None,
        };
        let reason = check_reason(step, reason)?;
        match store::application::advance(db, operator, id, version, step, reason).await {
            Ok(after) => version = after.version,
            // The carrier's space may be fully leased on some later day: the
            // application then stays under review, as it would in the API.
            Err(AppError::Invalid(_) | AppError::Conflict(_)) if step == Step::Approve => break,
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

/// The carrier's name up to its first four characters, for applicant names.
fn short_name(name: &str) -> String {
    name.chars().take(4).collect()
}
