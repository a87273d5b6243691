//! Designation requests (认定申请): facts that count toward the plan's
//! targets (landmark status, levels, professional teams) are proposed by an
//! operator with evidence and decided once by the bureau.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000003_create_carrier::Carrier;
use crate::timestamps::with_version_and_timestamps;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                with_version_and_timestamps(
                    Table::create()
                        .table(DesignationRequest::Table)
                        .if_not_exists()
                        .col(pk_auto(DesignationRequest::Id))
                        .col(integer(DesignationRequest::CarrierId))
                        .col(string(DesignationRequest::Kind))
                        // The platform or team designated; none for the carrier's own.
                        .col(integer_null(DesignationRequest::SubjectId))
                        .col(string_null(DesignationRequest::Level))
                        .col(date(DesignationRequest::EffectiveOn))
                        .col(string_null(DesignationRequest::Authority))
                        .col(string_null(DesignationRequest::DocumentNumber))
                        .col(date_null(DesignationRequest::DocumentDate))
                        .col(text_null(DesignationRequest::Notes))
                        .col(string(DesignationRequest::Status).default("PENDING"))
                        .col(string(DesignationRequest::SubmittedBy))
                        .col(string_null(DesignationRequest::DecidedBy))
                        .col(timestamp_with_time_zone_null(DesignationRequest::DecidedAt))
                        .col(text_null(DesignationRequest::DecisionReason))
                        // The level recognition an approval recorded.
                        .col(integer_null(DesignationRequest::RecognitionId))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_designation_request_carrier")
                                .from(DesignationRequest::Table, DesignationRequest::CarrierId)
                                .to(Carrier::Table, Carrier::Id),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_designation_request_carrier")
                    .table(DesignationRequest::Table)
                    .col(DesignationRequest::CarrierId)
                    .to_owned(),
            )
            .await?;
        // The review queue reads by status.
        manager
            .create_index(
                Index::create()
                    .name("idx_designation_request_status")
                    .table(DesignationRequest::Table)
                    .col(DesignationRequest::Status)
                    .col(DesignationRequest::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DesignationRequest::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum DesignationRequest {
    Table,
    Id,
    CarrierId,
    Kind,
    SubjectId,
    Level,
    EffectiveOn,
    Authority,
    DocumentNumber,
    DocumentDate,
    Notes,
    Status,
    SubmittedBy,
    DecidedBy,
    DecidedAt,
    DecisionReason,
    RecognitionId,
}
