//! Per-cell tables (steinbock's `intensities/`, `regionprops/`, `neighbors/` CSVs and the
//! combined table): typed columns written as pandas writes them, read back, and written as
//! Parquet.

use std::path::Path;

use crate::error::{format_err, io_err, Result};
use crate::py_float::{py_repr_f32, py_repr_f64};

/// The values of one column.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// Text (image names).
    Text(Vec<String>),
    /// Integers (object labels, areas).
    UInt(Vec<u64>),
    /// Measurements (means, region properties).
    Float64(Vec<f64>),
    /// steinbock's neighbour distances (float32; NaN for pixel expansion).
    Float32(Vec<f32>),
}

impl ColumnData {
    /// Number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Self::Text(v) => v.len(),
            Self::UInt(v) => v.len(),
            Self::Float64(v) => v.len(),
            Self::Float32(v) => v.len(),
        }
    }

    /// True when the column has no rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i` as pandas writes it.
    fn cell(&self, i: usize) -> String {
        match self {
            Self::Text(v) => v[i].clone(),
            Self::UInt(v) => v[i].to_string(),
            Self::Float64(v) => py_repr_f64(v[i]),
            Self::Float32(v) => py_repr_f32(v[i]),
        }
    }

    /// Appends `other`'s rows; `false` (nothing appended) when the types differ.
    fn extend(&mut self, other: &ColumnData) -> bool {
        match (self, other) {
            (Self::Text(a), Self::Text(b)) => a.extend_from_slice(b),
            (Self::UInt(a), Self::UInt(b)) => a.extend_from_slice(b),
            (Self::Float64(a), Self::Float64(b)) => a.extend_from_slice(b),
            (Self::Float32(a), Self::Float32(b)) => a.extend_from_slice(b),
            (Self::Float64(a), Self::UInt(b)) => a.extend(b.iter().map(|&x| x as f64)),
            _ => return false,
        }
        true
    }
}

/// A named column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Header of the column.
    pub name: String,
    /// Its values.
    pub data: ColumnData,
}

impl Column {
    /// A column named `name`.
    #[must_use]
    pub fn new(name: impl Into<String>, data: ColumnData) -> Self {
        Self {
            name: name.into(),
            data,
        }
    }
}

/// Columns of equal length.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// The columns, in order.
    pub columns: Vec<Column>,
}

impl Table {
    /// Number of rows (of the first column).
    #[must_use]
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.data.len())
    }

    /// The column names, in order.
    #[must_use]
    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// Appends the rows of `other`, which must have the same column names; an integer column
    /// appended to a float one is widened (a whole-number column read back from CSV).
    ///
    /// # Errors
    /// `Err` with a message when the names or a column's type differ.
    pub fn append(&mut self, other: &Table) -> std::result::Result<(), String> {
        if self.columns.is_empty() {
            *self = other.clone();
            return Ok(());
        }
        if self.names() != other.names() {
            return Err(format!(
                "columns {:?} differ from the first table's {:?}",
                other.names(),
                self.names()
            ));
        }
        if self.rows() == 0 {
            // Column types of a header-only table were guessed from no cells.
            *self = other.clone();
            return Ok(());
        }
        for (a, b) in self.columns.iter_mut().zip(&other.columns) {
            if !a.data.extend(&b.data) {
                return Err(format!("column {} has another type", b.name));
            }
        }
        Ok(())
    }
}

/// Writes `table` as CSV exactly as pandas' `to_csv(index=False)` writes it.
///
/// # Errors
/// The file cannot be written.
pub fn write_table_csv(path: &Path, table: &Table) -> Result<()> {
    crate::atomic_write(path, |tmp| {
        let mut w = csv::WriterBuilder::new()
            .from_path(tmp)
            .map_err(|e| format_err(path, e.to_string()))?;
        let fail = |e: csv::Error| format_err(path, e.to_string());
        w.write_record(table.names()).map_err(fail)?;
        for i in 0..table.rows() {
            w.write_record(table.columns.iter().map(|c| c.data.cell(i)))
                .map_err(fail)?;
        }
        w.flush().map_err(|e| io_err(path, e))
    })
}

/// Reads a CSV table written by [`write_table_csv`] (or by steinbock): a column whose every
/// cell is an unsigned integer is [`ColumnData::UInt`], one whose every cell is a number or
/// empty is [`ColumnData::Float64`] (empty = NaN), any other [`ColumnData::Text`].
///
/// # Errors
/// The file cannot be read or is not CSV.
pub fn read_table_csv(path: &Path) -> Result<Table> {
    let mut r = csv::ReaderBuilder::new()
        .from_path(path)
        .map_err(|e| format_err(path, e.to_string()))?;
    let names: Vec<String> = r
        .headers()
        .map_err(|e| format_err(path, e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut cells: Vec<Vec<String>> = vec![Vec::new(); names.len()];
    for record in r.records() {
        let record = record.map_err(|e| format_err(path, e.to_string()))?;
        for (col, v) in cells.iter_mut().zip(record.iter()) {
            col.push(v.to_string());
        }
    }
    let columns = names
        .into_iter()
        .zip(cells)
        .map(|(name, values)| Column::new(name, parse_column(values)))
        .collect();
    Ok(Table { columns })
}

fn parse_column(values: Vec<String>) -> ColumnData {
    if let Ok(ints) = values.iter().map(|v| v.parse::<u64>()).collect() {
        return ColumnData::UInt(ints);
    }
    let floats: std::result::Result<Vec<f64>, _> = values
        .iter()
        .map(|v| {
            if v.is_empty() {
                Ok(f64::NAN)
            } else {
                v.parse()
            }
        })
        .collect();
    match floats {
        Ok(f) => ColumnData::Float64(f),
        Err(_) => ColumnData::Text(values),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_round_trip_through_csv_as_pandas_writes_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let table = Table {
            columns: vec![
                Column::new("Object", ColumnData::UInt(vec![1, 2])),
                Column::new("a,b", ColumnData::Float64(vec![4.0, 5e-05])),
                Column::new("Distance", ColumnData::Float32(vec![f32::NAN, 1.5])),
            ],
        };
        write_table_csv(&path, &table).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "Object,\"a,b\",Distance\n1,4.0,\n2,5e-05,1.5\n");
        let back = read_table_csv(&path).unwrap();
        assert_eq!(back.names(), vec!["Object", "a,b", "Distance"]);
        assert_eq!(back.columns[0].data, ColumnData::UInt(vec![1, 2]));
        assert_eq!(back.columns[1].data, ColumnData::Float64(vec![4.0, 5e-05]));
    }

    #[test]
    fn tables_with_other_columns_are_not_appended() {
        let a = Table {
            columns: vec![Column::new("x", ColumnData::UInt(vec![1]))],
        };
        let mut b = a.clone();
        b.append(&a).unwrap();
        assert_eq!(b.rows(), 2);
        let c = Table {
            columns: vec![Column::new("y", ColumnData::UInt(vec![1]))],
        };
        assert!(b.append(&c).is_err());
    }
}
