//! The demo's leases (租赁合同): most tenancies in force hold a lease from
//! their move-in, renewed every two or three years up to one in force today,
//! at Wuxi rents (0.80 to 2.50 元/㎡·天, a little more at each renewal);
//! some start with rent-free months or an incubation discount, and some end
//! within 60 days of the demo's today. Deterministic: the same tenancies get
//! the same leases.

use chrono::{Datelike, Days, Months, NaiveDate};
use entity::{lease, tenancy};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::domain::access::Actor;
use crate::domain::lease::{Discount, RentRate, Term, centi_m2, rent_amount};
use crate::domain::tenancy::Span;
use crate::error::AppResult;
use crate::store;
use crate::store::lease::NewLease;

/// One lease the demo writes for a tenancy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LeasePlan {
    pub term: Term,
    pub rate: RentRate,
    pub rent_free_months: u32,
    pub discount: Discount,
}

/// The leases of the `index`-th tenancy in force (moved in on `moved_in`,
/// moving out on `moved_out`) on `today`: none for every fifth, else
/// successive terms of two or three years from the move-in up to the one in
/// force today; every seventh's current lease ends 10 to 59 days after today.
pub(super) fn plan_leases(
    index: usize,
    moved_in: NaiveDate,
    moved_out: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<LeasePlan> {
    if index % 5 == 4 {
        return Vec::new();
    }
    let years = 2 + u32::try_from(index % 2).unwrap_or(0);
    let base = 8_000 + i64::try_from((index * 37) % 171).unwrap_or(0) * 100;
    let last_day = moved_out.and_then(|out| out.pred_opt());
    let mut plans = Vec::new();
    let mut starts_on = moved_in;
    for renewal in 0..20i64 {
        let mut ends_on = starts_on + Months::new(12 * years) - Days::new(1);
        let current = ends_on >= today;
        if current && index.is_multiple_of(7) {
            let soon = today + Days::new(10 + u64::try_from(index % 50).unwrap_or(0));
            if soon >= starts_on {
                ends_on = soon;
            }
        }
        if let Some(last) = last_day {
            ends_on = ends_on.min(last);
        }
        let first = renewal == 0;
        plans.push(LeasePlan {
            term: Term { starts_on, ends_on },
            rate: RentRate((base + renewal * 500).min(25_000)),
            rent_free_months: if first && index.is_multiple_of(3) {
                3
            } else {
                0
            },
            discount: match (first, index % 4) {
                (true, 0) => Discount(2_000),
                (true, 1) => Discount(1_000),
                _ => Discount::NONE,
            },
        });
        if current || last_day.is_some_and(|last| ends_on >= last) {
            break;
        }
        starts_on = ends_on + Days::new(1);
    }
    plans
}

/// Writes the leases unless one exists already; how many it wrote.
pub(super) async fn write(db: &DatabaseConnection, actor: &Actor) -> AppResult<Option<usize>> {
    if lease::Entity::find().one(db).await?.is_some() {
        return Ok(None);
    }
    let today = store::today();
    let tenancies = tenancy::Entity::find()
        .filter(tenancy::Column::VoidedAt.is_null())
        .order_by_asc(tenancy::Column::Id)
        .all(db)
        .await?;
    let mut written = 0;
    // One transaction for all of them: hundreds of commits made the demo slow to load.
    let txn = store::begin_write(db).await?;
    let in_force = tenancies.into_iter().filter(|row| {
        Span {
            moved_in: row.moved_in_on,
            moved_out: row.moved_out_on,
        }
        .in_force_on(today)
    });
    for (index, row) in in_force.enumerate() {
        let plans = plan_leases(index, row.moved_in_on, row.moved_out_on, today);
        for (n, plan) in plans.into_iter().enumerate() {
            // 三个月租金 as the deposit.
            let deposit = rent_amount(centi_m2(row.area_m2), plan.rate, 90, Discount::NONE);
            let new = NewLease {
                tenancy_id: row.id,
                contract_number: format!(
                    "ZL{}-{:05}-{}",
                    plan.term.starts_on.year(),
                    row.id,
                    n + 1
                ),
                term: plan.term,
                area: None,
                rate: plan.rate,
                deposit,
                rent_free_months: plan.rent_free_months,
                discount: plan.discount,
                signed_on: plan.term.starts_on - Days::new(15),
            };
            store::lease::add_lease_in(&txn, actor, new).await?;
            written += 1;
        }
    }
    txn.commit().await?;
    Ok(Some(written))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn leases_follow_each_other_up_to_today_within_the_tenancy() {
        let today = day("2026-12-07");
        let plans = plan_leases(1, day("2020-03-01"), None, today);
        let terms: Vec<(NaiveDate, NaiveDate)> = plans
            .iter()
            .map(|plan| (plan.term.starts_on, plan.term.ends_on))
            .collect();
        assert_eq!(
            terms,
            [
                (day("2020-03-01"), day("2023-02-28")),
                (day("2023-03-01"), day("2026-02-28")),
                (day("2026-03-01"), day("2029-02-28")),
            ]
        );
        for plan in &plans {
            assert!((8_000..=25_000).contains(&plan.rate.0), "{plan:?}");
        }
        assert!(plans[1].rate > plans[0].rate);
        assert!(plan_leases(4, day("2020-03-01"), None, today).is_empty());
        // Every seventh ends soon; a move-out bounds the last term.
        let soon = plan_leases(7, day("2025-01-01"), None, today);
        let last = soon.last().unwrap().term.ends_on;
        assert!(last > today && last <= today + Days::new(60), "{soon:?}");
        let bounded = plan_leases(2, day("2025-01-01"), Some(day("2027-06-01")), today);
        assert_eq!(bounded.last().unwrap().term.ends_on, day("2026-12-31"));
        let bounded = plan_leases(1, day("2025-01-01"), Some(day("2027-06-01")), today);
        assert_eq!(bounded.last().unwrap().term.ends_on, day("2027-05-31"));
    }
}
