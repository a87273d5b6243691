//! 租赁合同: the leases (contracts) of a tenancy, with their term and rent.
//!
//! The term is inclusive at both ends (`ends_on` is the last day let), as
//! Chinese contracts write it. Money is exact: the rent rate in
//! ten-thousandths of a yuan per m² per day, the deposit in fen, the
//! incubation discount in hundredths of a percent. Contract numbers are
//! unique within a carrier among leases not voided, which the store checks
//! under the carrier's lock (a unique index would keep a voided number taken).

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
                        .table(Lease::Table)
                        .if_not_exists()
                        .col(pk_auto(Lease::Id))
                        .col(integer(Lease::TenancyId))
                        .col(integer(Lease::CarrierId))
                        .col(string(Lease::ContractNumber))
                        .col(date(Lease::StartsOn))
                        .col(date(Lease::EndsOn))
                        .col(double_null(Lease::AreaM2))
                        .col(big_integer(Lease::RentRateE4))
                        .col(big_integer(Lease::DepositFen))
                        .col(integer(Lease::RentFreeMonths))
                        .col(integer(Lease::DiscountBp))
                        .col(date(Lease::SignedOn))
                        .col(timestamp_with_time_zone_null(Lease::VoidedAt))
                        .col(text_null(Lease::VoidReason))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_lease_tenancy")
                                .from(Lease::Table, Lease::TenancyId)
                                .to(Tenancy::Table, Tenancy::Id),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_lease_carrier")
                                .from(Lease::Table, Lease::CarrierId)
                                .to(Carrier::Table, Carrier::Id),
                        ),
                )
                .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("idx_lease_tenancy", vec![Lease::TenancyId]),
            (
                "idx_lease_carrier_contract",
                vec![Lease::CarrierId, Lease::ContractNumber],
            ),
            ("idx_lease_ends_on", vec![Lease::EndsOn]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Lease::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Lease::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Lease {
    Table,
    Id,
    TenancyId,
    CarrierId,
    ContractNumber,
    StartsOn,
    EndsOn,
    AreaM2,
    #[sea_orm(iden = "rent_rate_e4")]
    RentRateE4,
    DepositFen,
    RentFreeMonths,
    DiscountBp,
    SignedOn,
    VoidedAt,
    VoidReason,
}

#[derive(DeriveIden)]
enum Tenancy {
    Table,
    Id,
}
