//! The demo's tenants' annual data (企业年报): for the last two years that
//! can be reported, most enterprises incubating at a year's end report
//! plausible figures for it (five in six; an enterprise founded after the
//! year does not). Deterministic: the same enterprise reports the same figures.

use chrono::{Datelike, NaiveDate};
use entity::{annual_report, enterprise, tenancy};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::domain::access::Actor;
use crate::domain::annual_report::AnnualFigures;
use crate::domain::money::Fen;
use crate::domain::tenancy::Span;
use crate::error::AppResult;
use crate::store;
use crate::store::annual_report::Report;

/// The figures enterprise `id` reports for the `age`-th year of the demo
/// (0 the earlier, 1 the later): revenue grows about 15% a year.
pub(super) fn figures(id: i32, age: u32) -> AnnualFigures {
    let seed = i64::from(id.unsigned_abs());
    let staff = 5 + i32::try_from(seed * 7 % 76).unwrap_or(0) + i32::try_from(age).unwrap_or(0) * 2;
    // 50万 to 3,000万 yuan, in whole yuan.
    let revenue_yuan =
        (500_000 + seed * 2_654_435 % 29_500_000) * (100 + 15 * i64::from(age)) / 100;
    let patents = i32::try_from(seed % 9).unwrap_or(0);
    let financed = seed % 7 == 3;
    AnnualFigures {
        revenue: Fen::yuan(revenue_yuan),
        rd_spend: Fen::yuan(revenue_yuan * (6 + seed % 7) / 100),
        tax: Fen::yuan(revenue_yuan * 3 / 100),
        staff,
        rd_staff: staff * 3 / 10,
        new_graduates: staff / 10,
        new_patents: patents,
        new_invention_patents: patents / 3,
        financing_rounds: i32::from(financed),
        financing: if financed {
            Fen::yuan(3_000_000 + seed * 170_000 % 17_000_000)
        } else {
            Fen(0)
        },
    }
}

/// Writes the reports, in one transaction, unless the demo has some already:
/// how many, or `None` when there were some.
pub(super) async fn write(db: &DatabaseConnection, actor: &Actor) -> AppResult<Option<usize>> {
    if annual_report::Entity::find().one(db).await?.is_some() {
        return Ok(None);
    }
    let today = store::today();
    let tenancies = tenancy::Entity::find()
        .filter(tenancy::Column::VoidedAt.is_null())
        .order_by_asc(tenancy::Column::Id)
        .all(db)
        .await?;
    let founded: std::collections::HashMap<i32, NaiveDate> = enterprise::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row.founded_on))
        .collect();
    let txn = store::begin_write(db).await?;
    let mut written = 0;
    for (age, year) in [(0, today.year() - 2), (1, today.year() - 1)] {
        let Some(year_end) = NaiveDate::from_ymd_opt(year, 12, 31) else {
            continue;
        };
        let mut reporting: Vec<i32> = tenancies
            .iter()
            .filter(|row| {
                let span = Span {
                    moved_in: row.moved_in_on,
                    moved_out: row.moved_out_on,
                };
                span.in_force_on(year_end) && row.graduated_on.is_none_or(|on| on > year_end)
            })
            .map(|row| row.enterprise_id)
            .filter(|id| id % 6 != 5)
            .filter(|id| founded.get(id).is_some_and(|on| on.year() <= year))
            .collect();
        reporting.sort_unstable();
        reporting.dedup();
        for enterprise_id in reporting {
            let report = Report {
                enterprise_id,
                year,
                figures: figures(enterprise_id, age),
                reported_on: NaiveDate::from_ymd_opt(year + 1, 3, 15).unwrap_or(today),
                version: None,
            };
            store::annual_report::report_in(&txn, actor, &report).await?;
            written += 1;
        }
    }
    txn.commit().await?;
    Ok(Some(written))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_figures_pass_the_rules_and_grow() {
        for id in 1..500 {
            for age in 0..2 {
                assert_eq!(figures(id, age).check(), Ok(()), "{id} {age}");
            }
            assert!(figures(id, 1).revenue > figures(id, 0).revenue);
        }
    }
}
