//! Reading the cells of an import row into the domain's values; each
//! refusal says what the cell should hold, in English and in Chinese.

use chrono::NaiveDate;

use super::{Cell, number_text};
use crate::domain::Message;
use crate::domain::area::FloorArea;
use crate::domain::carrier::Industry;
use crate::domain::dates::check_plausible;
use crate::domain::uscc::Uscc;
use crate::error::AppError;

/// A required cell left empty.
pub fn empty() -> Message {
    Message::new("must not be empty", "不能为空")
}

pub fn required<T>(
    cell: &Cell,
    api: &str,
    parse: impl Fn(&Cell, &str) -> Result<T, Message>,
) -> Result<T, Message> {
    if cell.is_empty() {
        return Err(empty());
    }
    parse(cell, api)
}

pub fn optional<T>(
    cell: &Cell,
    api: &str,
    parse: impl Fn(&Cell, &str) -> Result<T, Message>,
) -> Result<Option<T>, Message> {
    if cell.is_empty() {
        return Ok(None);
    }
    parse(cell, api).map(Some)
}

pub fn carrier_id(cell: &Cell) -> Result<i32, Message> {
    let invalid = |shown: &str| {
        Message::new(
            format!("'{shown}' is neither a carrier's database id nor its global ID"),
            format!("“{shown}”既不是载体的数据库编号，也不是载体的全局 ID"),
        )
    };
    match cell {
        Cell::Empty => Err(empty()),
        Cell::Number(number) => {
            if number.fract() == 0.0 && *number >= 1.0 && *number <= f64::from(i32::MAX) {
                Ok(*number as i32)
            } else {
                Err(invalid(&number_text(*number)))
            }
        }
        other => {
            let text = other.text().unwrap_or_default();
            if text.bytes().all(|b| b.is_ascii_digit()) {
                return text
                    .parse::<i32>()
                    .ok()
                    .filter(|id| *id > 0)
                    .ok_or_else(|| invalid(&text));
            }
            let id = async_graphql::ID(text.clone());
            crate::graphql::node::expect("carrierId", &id, crate::graphql::node::NodeType::Carrier)
                .map_err(|err| match err {
                    AppError::Invalid(invalid) => invalid.reason(),
                    other => other.message(),
                })
        }
    }
}

pub fn uscc(cell: &Cell) -> Result<Uscc, Message> {
    match cell {
        Cell::Number(number) if number.abs() >= 1e15 => Err(Message::new(
            format!(
                "{} was stored as a number and lost digits; format the column as text and type the code again",
                number_text(*number)
            ),
            format!(
                "{} 被存成了数字，已丢失位数；请将该列设为文本格式后重新录入代码",
                number_text(*number)
            ),
        )),
        other => Uscc::parse(&other.text().unwrap_or_default()).map_err(|err| err.reason()),
    }
}

/// A date: a workbook's date cell, or text `YYYY-MM-DD` (or with `/` or `.`),
/// optionally followed by a midnight time.
pub fn date(cell: &Cell, api: &str) -> Result<NaiveDate, Message> {
    let date = match cell {
        Cell::Date(date) => *date,
        Cell::Number(number) => {
            return Err(Message::new(
                format!(
                    "{} is a number, not a date: write YYYY-MM-DD or format the cell as a date",
                    number_text(*number)
                ),
                format!(
                    "{} 是数字而不是日期：请写成 YYYY-MM-DD，或将单元格设为日期格式",
                    number_text(*number)
                ),
            ));
        }
        other => parse_date(&other.text().unwrap_or_default())?,
    };
    check_plausible(api, date).map_err(|err| err.reason())?;
    Ok(date)
}

pub fn parse_date(text: &str) -> Result<NaiveDate, Message> {
    let invalid = || {
        Message::new(
            format!("'{text}' is not a date like 2024-03-22 (YYYY-MM-DD)"),
            format!("“{text}”不是形如 2024-03-22（YYYY-MM-DD）的日期"),
        )
    };
    let mut parts = text.split(['T', ' ']).filter(|part| !part.is_empty());
    let day = parts.next().ok_or_else(invalid)?;
    let midnight = parts.all(|time| {
        let time = time.trim_end_matches('Z');
        ["00:00", "00:00:00", "00:00:00.000"].contains(&time)
    });
    if !midnight {
        return Err(invalid());
    }
    let pieces: Vec<&str> = day.split(['-', '/', '.']).collect();
    let [year, month, day] = pieces.as_slice() else {
        return Err(invalid());
    };
    if year.len() != 4 || !(1..=2).contains(&month.len()) || !(1..=2).contains(&day.len()) {
        return Err(invalid());
    }
    let number = |piece: &str| piece.parse::<u32>().map_err(|_| invalid());
    NaiveDate::from_ymd_opt(number(year)? as i32, number(month)?, number(day)?).ok_or_else(invalid)
}

pub fn industry(cell: &Cell, _api: &str) -> Result<Industry, Message> {
    let text = cell.text().unwrap_or_default();
    Industry::from_label(&text).ok_or_else(|| {
        let names: Vec<String> = <Industry as strum::IntoEnumIterator>::iter()
            .map(|industry| format!("{} {industry}", industry.name_zh()))
            .collect();
        Message::new(
            format!(
                "'{text}' is not an industry; use a Chinese name or code: {}",
                names.join(", ")
            ),
            format!(
                "“{text}”不是可识别的行业，请填写中文名称或代码：{}",
                names.join("、")
            ),
        )
    })
}

pub fn headcount(cell: &Cell, _api: &str) -> Result<i32, Message> {
    let invalid = |shown: String| {
        Message::new(
            format!("'{shown}' is not a whole number of people"),
            format!("“{shown}”不是整数人数"),
        )
    };
    let number = match cell {
        Cell::Number(number) => *number,
        other => {
            let text = other.text().unwrap_or_default();
            text.trim()
                .parse::<f64>()
                .map_err(|_| invalid(text.clone()))?
        }
    };
    if number.fract() != 0.0 || !(0.0..=f64::from(i32::MAX)).contains(&number) {
        return Err(invalid(number_text(number)));
    }
    Ok(number as i32)
}

pub fn area(cell: &Cell, api: &str) -> Result<FloorArea, Message> {
    let square_metres = match cell {
        Cell::Number(number) => *number,
        other => {
            let text = other.text().unwrap_or_default();
            text.replace([',', '，'], "")
                .trim()
                .parse::<f64>()
                .map_err(|_| {
                    Message::new(
                        format!("'{text}' is not a number of square metres"),
                        format!("“{text}”不是以平方米计的面积数值"),
                    )
                })?
        }
    };
    FloorArea::parse(api, square_metres).map_err(|err| err.reason())
}

/// A whole number: a number cell, or text of digits.
pub fn whole(cell: &Cell) -> Result<i32, Message> {
    let text = cell.text().ok_or_else(empty)?;
    match cell {
        Cell::Number(number) if number.fract() == 0.0 && number.abs() < 1e9 => Ok(*number as i32),
        _ => text.trim().parse().map_err(|_| {
            Message::new(
                format!("'{text}' is not a whole number"),
                format!("“{text}”不是整数"),
            )
        }),
    }
}

/// A value named in the cell: `None` for a blank optional cell.
pub fn named<T>(
    cell: &Cell,
    parse: fn(&str) -> Option<T>,
    needed: bool,
) -> Result<Option<T>, Message> {
    match cell.text() {
        None if needed => Err(empty()),
        None => Ok(None),
        Some(text) => parse(&text).map(Some).ok_or_else(|| {
            Message::new(
                format!("'{text}' is not one of the values this column takes"),
                format!("“{text}”不是该列可填写的值"),
            )
        }),
    }
}
