//! Districts as their authorities name them: the full official name
//! (无锡经济开发区, not 经开区), the short form people say (梁溪, 江阴, 经开区)
//! as its own column, and the GB/T 2260 administrative division code that
//! government data sets join on (none for the development zone, which is a
//! functional zone, not an administrative division).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// code, full name, short name, GB/T 2260 code.
const NAMES: [(&str, &str, &str, Option<&str>); 8] = [
    ("liangxi", "梁溪区", "梁溪", Some("320213")),
    ("xishan", "锡山区", "锡山", Some("320205")),
    ("huishan", "惠山区", "惠山", Some("320206")),
    ("binhu", "滨湖区", "滨湖", Some("320211")),
    ("xinwu", "新吴区", "新吴", Some("320214")),
    ("jiangyin", "江阴市", "江阴", Some("320281")),
    ("yixing", "宜兴市", "宜兴", Some("320282")),
    ("jingkai", "无锡经济开发区", "经开区", None),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        let columns = [
            ColumnDef::new(District::ShortNameZh)
                .text()
                .null()
                .to_owned(),
            ColumnDef::new(District::DivisionCode)
                .text()
                .null()
                .to_owned(),
        ];
        for mut column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(District::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        for (code, full, short, division) in NAMES {
            manager
                .exec_stmt(
                    Query::update()
                        .table(District::Table)
                        .value(District::NameZh, full)
                        .value(District::ShortNameZh, short)
                        .value(District::DivisionCode, division)
                        .and_where(Expr::col(District::Code).eq(code))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .exec_stmt(
                Query::update()
                    .table(District::Table)
                    .value(District::NameZh, "经开区")
                    .and_where(Expr::col(District::Code).eq("jingkai"))
                    .to_owned(),
            )
            .await?;
        for column in [District::DivisionCode, District::ShortNameZh] {
            manager
                .alter_table(
                    Table::alter()
                        .table(District::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum District {
    Table,
    Code,
    NameZh,
    ShortNameZh,
    DivisionCode,
}
