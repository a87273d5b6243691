use sea_orm_migration::{prelude::*, schema::*};

use crate::timestamps::with_version_and_timestamps;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Wuxi's eight units: five districts, two county-level cities and the
/// economic development zone, as the glossary of docs/design.md lists them.
const WUXI_DISTRICTS: [(&str, &str, &str, &str); 8] = [
    ("liangxi", "梁溪区", "Liangxi District", "DISTRICT"),
    ("xishan", "锡山区", "Xishan District", "DISTRICT"),
    ("huishan", "惠山区", "Huishan District", "DISTRICT"),
    ("binhu", "滨湖区", "Binhu District", "DISTRICT"),
    ("xinwu", "新吴区", "Xinwu District", "DISTRICT"),
    ("jiangyin", "江阴市", "Jiangyin", "COUNTY_LEVEL_CITY"),
    ("yixing", "宜兴市", "Yixing", "COUNTY_LEVEL_CITY"),
    (
        "jingkai",
        "经开区",
        "Wuxi Economic Development Zone",
        "DEVELOPMENT_ZONE",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                with_version_and_timestamps(
                    Table::create()
                        .table(District::Table)
                        .if_not_exists()
                        .col(pk_auto(District::Id))
                        .col(string_uniq(District::Code))
                        .col(string(District::NameZh))
                        .col(string(District::NameEn))
                        .col(string(District::Kind)),
                )
                .to_owned(),
            )
            .await?;
        let mut insert = Query::insert();
        insert.into_table(District::Table).columns([
            District::Code,
            District::NameZh,
            District::NameEn,
            District::Kind,
        ]);
        for (code, name_zh, name_en, kind) in WUXI_DISTRICTS {
            insert.values_panic([code.into(), name_zh.into(), name_en.into(), kind.into()]);
        }
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(District::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum District {
    Table,
    Id,
    Code,
    NameZh,
    NameEn,
    Kind,
}
