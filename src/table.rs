//! Tables as the bureau's staff open them: CSV the way Excel writes it
//! (UTF-8 with a byte-order mark, CRLF line ends, RFC 4180 quoting) and XLSX.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::domain::statistics::Cell;
use crate::domain::torch::BOM;

/// `header` and `rows` as CSV. Excel on a Chinese Windows reads a CSV
/// without a BOM as GBK; the BOM tells it the file is UTF-8.
pub fn csv<R, C>(header: &[&str], rows: R) -> String
where
    R: IntoIterator<Item = C>,
    C: IntoIterator,
    C::Item: AsRef<[u8]>,
{
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .flexible(false)
        .from_writer(BOM.as_bytes().to_vec());
    // Writing to memory cannot fail; every row has the header's width.
    writer
        .write_record(header)
        .expect("the header is written to memory");
    for row in rows {
        writer
            .write_record(row)
            .expect("a row of the header's width is written to memory");
    }
    let bytes = writer.into_inner().expect("the CSV is flushed to memory");
    String::from_utf8(bytes).expect("the CSV is built from UTF-8 strings")
}

/// A cell as CSV text: areas to the hundredth.
pub fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => text.clone(),
        Cell::Count(count) => count.to_string(),
        Cell::Area(area) => format!("{area:.2}"),
    }
}

/// `header` and `rows` as an XLSX workbook of one sheet named `sheet`:
/// the header bold and frozen, counts and areas as numbers.
pub fn xlsx(sheet: &str, header: &[&str], rows: &[Vec<Cell>]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let worksheet = workbook.add_worksheet();
    worksheet.set_name(sheet)?;
    let bold = Format::new().set_bold();
    let count = Format::new().set_num_format("0");
    let area = Format::new().set_num_format("0.00");
    for (column, title) in (0u16..).zip(header) {
        worksheet.write_string_with_format(0, column, *title, &bold)?;
        worksheet.set_column_width(column, 16)?;
    }
    worksheet.set_freeze_panes(1, 0)?;
    for (row, cells) in (1u32..).zip(rows) {
        for (column, cell) in (0u16..).zip(cells) {
            match cell {
                Cell::Text(text) => worksheet.write_string(row, column, text)?,
                Cell::Count(n) => {
                    worksheet.write_number_with_format(row, column, *n as f64, &count)?
                }
                Cell::Area(m2) => worksheet.write_number_with_format(row, column, *m2, &area)?,
            };
        }
    }
    workbook.save_to_buffer()
}
