//! Geometry, kept portably: GeoJSON text (WGS84) with bounding-box columns
//! the database indexes, on SQLite and PostgreSQL alike (no PostGIS). Spatial
//! filters prefilter by box in SQL and decide exactly in Rust.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                shape_columns(
                    Table::create()
                        .table(CarrierFootprint::Table)
                        .if_not_exists()
                        .col(integer(CarrierFootprint::CarrierId).primary_key())
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_carrier_footprint_carrier")
                                .from(CarrierFootprint::Table, CarrierFootprint::CarrierId)
                                .to(Carrier::Table, Carrier::Id)
                                .on_delete(ForeignKeyAction::Cascade),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                shape_columns(
                    Table::create()
                        .table(DistrictBoundary::Table)
                        .if_not_exists()
                        .col(integer(DistrictBoundary::DistrictId).primary_key())
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_district_boundary_district")
                                .from(DistrictBoundary::Table, DistrictBoundary::DistrictId)
                                .to(District::Table, District::Id)
                                .on_delete(ForeignKeyAction::Cascade),
                        ),
                )
                .to_owned(),
            )
            .await?;
        for table in [
            CarrierFootprint::Table.into_iden(),
            DistrictBoundary::Table.into_iden(),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(format!("idx_{table}_bbox"))
                        .table(table)
                        .col(Shape::MinLon)
                        .col(Shape::MaxLon)
                        .col(Shape::MinLat)
                        .col(Shape::MaxLat)
                        .to_owned(),
                )
                .await?;
        }
        // Carriers without a footprint are filtered by their location point.
        manager
            .create_index(
                Index::create()
                    .name("idx_carrier_location")
                    .table(Carrier::Table)
                    .col(Carrier::Longitude)
                    .col(Carrier::Latitude)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_carrier_location")
                    .table(Carrier::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(DistrictBoundary::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(CarrierFootprint::Table).to_owned())
            .await
    }
}

/// The columns of a stored shape: the geometry, its box and its geodesic area.
fn shape_columns(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        // A GeoJSON geometry object, WGS84 longitude-latitude.
        .col(text(Shape::Geojson))
        .col(double(Shape::MinLon))
        .col(double(Shape::MinLat))
        .col(double(Shape::MaxLon))
        .col(double(Shape::MaxLat))
        // Geodesic area on the WGS84 ellipsoid, m².
        .col(double(Shape::AreaM2))
}

#[derive(DeriveIden)]
enum Shape {
    Geojson,
    MinLon,
    MinLat,
    MaxLon,
    MaxLat,
    AreaM2,
}

#[derive(DeriveIden)]
enum CarrierFootprint {
    Table,
    CarrierId,
}

#[derive(DeriveIden)]
enum DistrictBoundary {
    Table,
    DistrictId,
}

#[derive(DeriveIden)]
enum Carrier {
    Table,
    Id,
    Longitude,
    Latitude,
}

#[derive(DeriveIden)]
enum District {
    Table,
    Id,
}
