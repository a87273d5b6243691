//! Keyset pagination for Relay connections.
//!
//! A cursor names the sort it was made for, the sort key and the row id of
//! an item; the next page starts strictly after it, so inserts and deletes
//! between requests never skip or repeat rows (unlike OFFSET).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder,
    QuerySelect, Select, Value,
};
use serde::{Deserialize, Serialize};

use crate::domain::Message;
use crate::error::{AppError, AppResult};

/// Page size when the client names none.
pub const DEFAULT_PAGE_SIZE: u64 = 20;
/// Largest page a client may ask for, unless configured otherwise.
pub const DEFAULT_MAX_PAGE_SIZE: u64 = 100;

/// The position of one item in one sort order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort the cursor belongs to, e.g. `NAME_ASC`.
    #[serde(rename = "o")]
    pub order: String,
    /// The sort key of the item, when the sort is not by id alone.
    #[serde(rename = "k", skip_serializing_if = "Option::is_none", default)]
    pub key: Option<String>,
    /// The row id, which breaks ties and makes every position unique.
    #[serde(rename = "i")]
    pub id: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).expect("a cursor serialises");
        URL_SAFE_NO_PAD.encode(json)
    }

    pub fn decode(field: &str, text: &str) -> AppResult<Self> {
        URL_SAFE_NO_PAD
            .decode(text)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| not_a_cursor(field))
    }
}

/// A cursor refused: not one this API issued (or altered since).
fn not_a_cursor(field: &str) -> AppError {
    AppError::invalid(
        field,
        "not a cursor this API issued",
        "不是本接口签发的分页游标",
    )
}

/// Relay paging arguments, checked: at most one direction, at most `max_size` items.
#[derive(Debug, Clone)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
    pub max_size: u64,
}

impl Default for PageArgs {
    fn default() -> Self {
        Self {
            first: None,
            after: None,
            last: None,
            before: None,
            max_size: DEFAULT_MAX_PAGE_SIZE,
        }
    }
}

/// A sort of one entity: by `key` (with the id breaking ties) or by id alone.
pub struct Sort<C> {
    /// The name cursors carry, e.g. `NAME_ASC`.
    pub name: String,
    pub key: Option<C>,
    pub id: C,
    pub descending: bool,
}

/// One page of rows, in the requested order, each with its encoded cursor.
#[derive(Debug)]
pub struct Page<M> {
    pub edges: Vec<(String, M)>,
    pub has_previous_page: bool,
    pub has_next_page: bool,
}

/// Runs `select` for the page `args` asks for, in the order `sort` gives.
/// `key_of` and `id_of` read a row's sort key and id. One SQL statement.
pub async fn fetch<E, C>(
    db: &C,
    select: Select<E>,
    sort: &Sort<E::Column>,
    args: &PageArgs,
    key_of: impl Fn(&E::Model) -> Option<String>,
    id_of: impl Fn(&E::Model) -> i64,
) -> AppResult<Page<E::Model>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let (size, backward) = size_and_direction(args)?;
    let after = decode_for(sort, "after", args.after.as_deref())?;
    let before = decode_for(sort, "before", args.before.as_deref())?;

    let mut select = select;
    if let Some(cursor) = &after {
        select = select.filter(beyond(sort, cursor, !sort.descending));
    }
    if let Some(cursor) = &before {
        select = select.filter(beyond(sort, cursor, sort.descending));
    }
    // Walking backward reads the sort reversed, then flips the page.
    let order = if sort.descending != backward {
        Order::Desc
    } else {
        Order::Asc
    };
    if let Some(key) = sort.key {
        select = select.order_by(key, order.clone());
    }
    let mut rows = select
        .order_by(sort.id, order)
        .limit(size + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > size;
    rows.truncate(size as usize);
    if backward {
        rows.reverse();
    }
    let edges = rows
        .into_iter()
        .map(|row| {
            let cursor = Cursor {
                order: sort.name.clone(),
                key: key_of(&row),
                id: id_of(&row),
            };
            (cursor.encode(), row)
        })
        .collect();
    Ok(Page {
        edges,
        has_previous_page: if backward { more } else { after.is_some() },
        has_next_page: if backward { before.is_some() } else { more },
    })
}

/// Why a page of `asked` items is refused by a server whose pages hold at most `max_size`.
pub fn oversized(max_size: u64, asked: impl std::fmt::Display) -> Message {
    Message::new(
        format!("a page holds 0 to {max_size} items, not {asked}"),
        format!("每页条数应在 0 至 {max_size} 之间，填写的是 {asked}"),
    )
}

fn size_and_direction(args: &PageArgs) -> AppResult<(u64, bool)> {
    let checked = |field: &str, n: i32| -> AppResult<u64> {
        if n < 0 || n as u64 > args.max_size {
            let Message { en, zh } = oversized(args.max_size, n);
            return Err(AppError::invalid(field, en, zh));
        }
        Ok(n as u64)
    };
    match (args.first, args.last) {
        (Some(_), Some(_)) => Err(AppError::invalid(
            "last",
            "give either first (paging forward) or last (paging backward), not both",
            "first（向后翻页）与 last（向前翻页）只能填写其一",
        )),
        (Some(first), None) => Ok((checked("first", first)?, false)),
        (None, Some(last)) => Ok((checked("last", last)?, true)),
        (None, None) => Ok((
            DEFAULT_PAGE_SIZE.min(args.max_size),
            args.before.is_some() && args.after.is_none(),
        )),
    }
}

fn decode_for<C>(sort: &Sort<C>, field: &str, text: Option<&str>) -> AppResult<Option<Cursor>> {
    let Some(text) = text else { return Ok(None) };
    let cursor = Cursor::decode(field, text)?;
    if cursor.order != sort.name || cursor.key.is_some() != sort.key.is_some() {
        return Err(AppError::invalid(
            field,
            format!(
                "this cursor belongs to the order {}, not {}",
                cursor.order, sort.name
            ),
            format!(
                "该游标属于排序方式 {}，不适用于 {}",
                cursor.order, sort.name
            ),
        ));
    }
    Ok(Some(cursor))
}

/// Rows strictly after (`forward`) or before the cursor in ascending terms.
fn beyond<C: ColumnTrait>(sort: &Sort<C>, cursor: &Cursor, forward: bool) -> Condition {
    let past = |column: C, value: Value| {
        if forward {
            column.gt(value)
        } else {
            column.lt(value)
        }
    };
    match (sort.key, &cursor.key) {
        (Some(column), Some(key)) => Condition::any().add(past(column, key.clone().into())).add(
            Condition::all()
                .add(column.eq(key.clone()))
                .add(past(sort.id, cursor.id.into())),
        ),
        _ => Condition::all().add(past(sort.id, cursor.id.into())),
    }
}

/// Pages a list computed in memory (figures no single SQL sort yields), in
/// the order of `key` descending, ties by id ascending: the same keyset
/// rules as [`fetch`], so a cursor stays valid while the figures move.
/// Forward paging only (`first`, `after`).
pub fn by_key_descending<T>(
    items: Vec<T>,
    args: &PageArgs,
    order: &str,
    key_of: impl Fn(&T) -> f64,
    id_of: impl Fn(&T) -> i64,
) -> AppResult<Page<T>> {
    if args.last.is_some() || args.before.is_some() {
        return Err(AppError::invalid(
            "last",
            "this list pages forward only: use first and after",
            "该列表只能向后翻页，请使用 first 和 after",
        ));
    }
    let (size, _) = size_and_direction(args)?;
    let after = args
        .after
        .as_deref()
        .map(|text| Cursor::decode("after", text))
        .transpose()?;
    let after = match after {
        Some(cursor) if cursor.order != order => {
            return Err(AppError::invalid(
                "after",
                "the cursor belongs to another list or sort",
                "该游标属于其他列表或排序方式",
            ));
        }
        Some(cursor) => Some((
            cursor
                .key
                .as_deref()
                .and_then(|key| key.parse::<f64>().ok())
                .ok_or_else(|| not_a_cursor("after"))?,
            cursor.id,
        )),
        None => None,
    };
    let mut items: Vec<(f64, i64, T)> = items
        .into_iter()
        .map(|item| (key_of(&item), id_of(&item), item))
        .filter(|(key, id, _)| {
            after.is_none_or(|(after_key, after_id)| {
                *key < after_key || (*key == after_key && *id > after_id)
            })
        })
        .collect();
    items.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let has_next_page = items.len() as u64 > size;
    items.truncate(size as usize);
    Ok(Page {
        edges: items
            .into_iter()
            .map(|(key, id, item)| {
                let cursor = Cursor {
                    order: order.to_owned(),
                    key: Some(key.to_string()),
                    id,
                };
                (cursor.encode(), item)
            })
            .collect(),
        has_previous_page: after.is_some(),
        has_next_page,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_survives_encoding() {
        let cursor = Cursor {
            order: "NAME_ASC".into(),
            key: Some("锡创空间".into()),
            id: 42,
        };
        assert_eq!(Cursor::decode("after", &cursor.encode()).unwrap(), cursor);
    }

    #[test]
    fn garbage_is_not_a_cursor() {
        assert!(Cursor::decode("after", "not-a-cursor").is_err());
    }

    #[test]
    fn first_and_last_together_are_refused() {
        let args = PageArgs {
            first: Some(1),
            last: Some(1),
            ..Default::default()
        };
        assert!(size_and_direction(&args).is_err());
    }

    #[test]
    fn a_page_beyond_the_maximum_is_refused() {
        let args = PageArgs {
            first: Some(DEFAULT_MAX_PAGE_SIZE as i32 + 1),
            ..Default::default()
        };
        assert!(size_and_direction(&args).is_err());
    }
}
