//! Geometry, kept portably: GeoJSON text (WGS84) with bounding-box columns
//! the database indexes, on SQLite and PostgreSQL alike (no PostGIS). Spatial
//! filters prefilter by box in SQL and decide exactly in Rust.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        shape_table(
            manager,
            CarrierFootprint::Table,
            CarrierFootprint::CarrierId,
            (Carrier::Table, Carrier::Id),
        )
        .await?;
        shape_table(
            manager,
            DistrictBoundary::Table,
            DistrictBoundary::DistrictId,
            (District::Table, District::Id),
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

/// A table of shapes, one a row of `parent` (keyed and deleted with it):
/// the geometry, its box and its geodesic area.
async fn shape_table(
    manager: &SchemaManager<'_>,
    table: impl IntoIden + Copy + 'static,
    key: impl IntoIden + Copy + 'static,
    (parent, parent_id): (impl IntoIden + 'static, impl IntoIden + 'static),
) -> Result<(), DbErr> {
    let name = table.into_iden().to_string();
    let mut create = Table::create();
    create
        .table(table)
        .if_not_exists()
        .col(integer(key).primary_key())
        .foreign_key(
            ForeignKey::create()
                .name(format!("fk_{name}_parent"))
                .from(table, key)
                .to(parent, parent_id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        // A GeoJSON geometry object, WGS84 longitude-latitude.
        .col(text(Shape::Geojson))
        .col(double(Shape::MinLon))
        .col(double(Shape::MinLat))
        .col(double(Shape::MaxLon))
        .col(double(Shape::MaxLat))
        // Geodesic area on the WGS84 ellipsoid, m².
        .col(double(Shape::AreaM2));
    manager.create_table(create).await
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

#[derive(DeriveIden, Clone, Copy)]
enum CarrierFootprint {
    Table,
    CarrierId,
}

#[derive(DeriveIden, Clone, Copy)]
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
