//! The demo's designation requests: facts that count toward the targets,
//! proposed by operators and decided by the bureau. One approved (a
//! professional operating team), one rejected (a landmark asked for too
//! early), one waiting in the queue (a platform's city level).

use chrono::NaiveDate;
use entity::{carrier, operating_team, platform};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::domain::access::{Actor, Role};
use crate::domain::carrier::Level;
use crate::domain::designation::{DesignationKind, Proposal};
use crate::error::AppResult;
use crate::store;
use crate::store::designation::Decision;

/// Files and decides the demo's requests; how many it filed.
pub(super) async fn write(db: &DatabaseConnection, bureau: &Actor) -> AppResult<usize> {
    let today = store::today();
    let mut filed = 0;

    if let Some(team) = operating_team::Entity::find()
        .filter(operating_team::Column::ProfessionalRecognisedOn.is_null())
        .order_by_asc(operating_team::Column::Id)
        .one(db)
        .await?
    {
        let effective_on = team.formed_on.max(date(2025, 9, 15)).min(today);
        let proposal = Proposal {
            kind: DesignationKind::ProfessionalTeam,
            subject_id: team.id,
            level: None,
            effective_on,
            authority: Some("无锡市科学技术局".into()),
            document_number: Some("锡科发〔2025〕47号".into()),
            document_date: Some(effective_on),
            notes: Some(
                "团队12人，其中持证技术经理人5名 / 12 staff, 5 certified technology managers"
                    .into(),
            ),
        };
        let request = submit(db, team.carrier_id, proposal).await?;
        store::designation::decide(
            db,
            bureau,
            request.id,
            request.version,
            Decision::Approve,
            Some(
                "材料齐全，符合高水平专业化运营团队条件 / complete evidence; meets the criteria"
                    .into(),
            ),
        )
        .await?;
        filed += 1;
    }

    if let Some(complex) = carrier::Entity::find()
        .filter(carrier::Column::Kind.eq("SCIENCE_COMPLEX"))
        .filter(carrier::Column::Landmark.eq(false))
        .order_by_asc(carrier::Column::Id)
        .one(db)
        .await?
    {
        let proposal = Proposal {
            kind: DesignationKind::Landmark,
            subject_id: complex.id,
            level: None,
            effective_on: date(2026, 3, 1).min(today),
            authority: None,
            document_number: None,
            document_date: None,
            notes: Some(
                "二期建成后总面积将超过10万平方米 / over 100,000 m² once phase two is built".into(),
            ),
        };
        let request = submit(db, complex.id, proposal).await?;
        store::designation::decide(
            db,
            bureau,
            request.id,
            request.version,
            Decision::Reject,
            Some("二期尚未交付，暂不具备地标型综合体条件，交付后可重新申请 / phase two is not delivered yet; apply again once it is".into()),
        )
        .await?;
        filed += 1;
    }

    if let Some(platform) = platform::Entity::find()
        .filter(platform::Column::Level.eq(Level::None.as_ref()))
        .order_by_asc(platform::Column::Id)
        .one(db)
        .await?
    {
        let effective_on = platform.opened_on.max(date(2026, 6, 30)).min(today);
        let proposal = Proposal {
            kind: DesignationKind::PlatformLevel,
            subject_id: platform.id,
            level: Some(Level::City),
            effective_on,
            authority: Some("无锡市科学技术局".into()),
            document_number: Some("锡科计〔2026〕9号".into()),
            document_date: Some(effective_on),
            notes: Some("年服务企业120家次 / served 120 enterprises last year".into()),
        };
        submit(db, platform.carrier_id, proposal).await?;
        filed += 1;
    }
    Ok(filed)
}

/// Files `proposal` as the operator of carrier `carrier_id` would.
async fn submit(
    db: &DatabaseConnection,
    carrier_id: i32,
    proposal: Proposal,
) -> AppResult<entity::designation_request::Model> {
    let operator_id = carrier::Entity::find_by_id(carrier_id)
        .one(db)
        .await?
        .map(|carrier| carrier.operator_id);
    let operator = Actor {
        name: "demo operator".into(),
        role: Role::Operator,
        operator_id,
        token_id: None,
    };
    store::designation::submit(db, &operator, proposal).await
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a valid date")
}
