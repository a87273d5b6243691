//! 入驻申请: an enterprise's application to enter a carrier, reviewed by the
//! carrier's operator; an approval moves it in (a tenancy).

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
                        .table(EntryApplication::Table)
                        .if_not_exists()
                        .col(pk_auto(EntryApplication::Id))
                        .col(integer(EntryApplication::CarrierId))
                        .col(string(EntryApplication::EnterpriseName))
                        .col(string(EntryApplication::Uscc))
                        .col(date(EntryApplication::FoundedOn))
                        .col(string(EntryApplication::Industry))
                        .col(integer(EntryApplication::Headcount))
                        .col(string(EntryApplication::ContactPerson))
                        .col(string(EntryApplication::ContactPhone))
                        .col(double(EntryApplication::WantedAreaM2))
                        // The units wanted (房源), ids separated by commas; empty for none.
                        .col(string(EntryApplication::WantedUnitIds).default(""))
                        .col(date(EntryApplication::WantedMoveInOn))
                        .col(text(EntryApplication::BusinessDescription))
                        .col(string(EntryApplication::Status).default("SUBMITTED"))
                        .col(string(EntryApplication::SubmittedBy))
                        // The token it was submitted with: an APPLICANT token reads back only its own.
                        .col(integer_null(EntryApplication::SubmittedTokenId))
                        .col(string_null(EntryApplication::DecidedBy))
                        .col(timestamp_with_time_zone_null(EntryApplication::DecidedAt))
                        .col(text_null(EntryApplication::DecisionReason))
                        // What an approval registered and moved in.
                        .col(integer_null(EntryApplication::EnterpriseId))
                        .col(integer_null(EntryApplication::TenancyId))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_entry_application_carrier")
                                .from(EntryApplication::Table, EntryApplication::CarrierId)
                                .to(Carrier::Table, Carrier::Id),
                        ),
                )
                .to_owned(),
            )
            .await?;
        // The review queue of a carrier reads by status, oldest first.
        manager
            .create_index(
                Index::create()
                    .name("idx_entry_application_carrier_status")
                    .table(EntryApplication::Table)
                    .col(EntryApplication::CarrierId)
                    .col(EntryApplication::Status)
                    .col(EntryApplication::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_entry_application_token")
                    .table(EntryApplication::Table)
                    .col(EntryApplication::SubmittedTokenId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EntryApplication::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum EntryApplication {
    Table,
    Id,
    CarrierId,
    EnterpriseName,
    Uscc,
    FoundedOn,
    Industry,
    Headcount,
    ContactPerson,
    ContactPhone,
    WantedAreaM2,
    WantedUnitIds,
    WantedMoveInOn,
    BusinessDescription,
    Status,
    SubmittedBy,
    SubmittedTokenId,
    DecidedBy,
    DecidedAt,
    DecisionReason,
    EnterpriseId,
    TenancyId,
}
