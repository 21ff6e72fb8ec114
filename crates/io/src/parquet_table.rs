//! The combined cell table as Parquet (`--format parquet`), for R (`arrow::read_parquet`) and
//! Python (`pandas.read_parquet`): one row group, Snappy, every column required; text as
//! UTF-8 strings, integers as INT64, floats as DOUBLE / FLOAT (NaN kept).
//!
//! The `parquet` crate (arrow-rs) is used without arrow and with Snappy only (its low-level
//! column writer): 24 crates in its tree (ahash, bytes, chrono, half, num-bigint, snap,
//! twox-hash ...), a 27 MB debug rlib. Measured 2026-11-29 on the 2-core machine at load ~11:
//! adding it took `cargo build -p pixelforest-io` 197 s wall (it also rebuilt num-traits,
//! ndarray and tiff for a feature it unifies). With default features it would add arrow's
//! crates and five compression codecs (zstd with C code).

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, Type as PhysicalType};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, FloatType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use crate::error::{format_err, io_err, Result};
use crate::table::{ColumnData, Table};

/// Writes `table` as a Parquet file.
///
/// # Errors
/// The file cannot be written.
pub fn write_table_parquet(path: &Path, table: &Table) -> Result<()> {
    crate::atomic_write(path, |tmp| {
        let fail = |e: parquet::errors::ParquetError| format_err(path, e.to_string());
        let file = File::create(tmp).map_err(|e| io_err(path, e))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build();
        let mut writer =
            SerializedFileWriter::new(file, schema(table).map_err(fail)?, Arc::new(props))
                .map_err(fail)?;
        let mut group = writer.next_row_group().map_err(fail)?;
        for column in &table.columns {
            let Some(mut out) = group.next_column().map_err(fail)? else {
                return Err(format_err(path, "parquet schema has fewer columns"));
            };
            match &column.data {
                ColumnData::Text(v) => {
                    let bytes: Vec<ByteArray> = v.iter().map(|s| s.as_str().into()).collect();
                    out.typed::<ByteArrayType>().write_batch(&bytes, None, None)
                }
                ColumnData::UInt(v) => {
                    let ints: Vec<i64> = v.iter().map(|&x| x as i64).collect();
                    out.typed::<Int64Type>().write_batch(&ints, None, None)
                }
                ColumnData::Float64(v) => out.typed::<DoubleType>().write_batch(v, None, None),
                ColumnData::Float32(v) => out.typed::<FloatType>().write_batch(v, None, None),
            }
            .map_err(fail)?;
            out.close().map_err(fail)?;
        }
        group.close().map_err(fail)?;
        writer.close().map_err(fail)?;
        Ok(())
    })
}

fn schema(table: &Table) -> parquet::errors::Result<Arc<Type>> {
    let mut fields = Vec::with_capacity(table.columns.len());
    for column in &table.columns {
        let (physical, logical) = match column.data {
            ColumnData::Text(_) => (PhysicalType::BYTE_ARRAY, Some(LogicalType::String)),
            ColumnData::UInt(_) => (PhysicalType::INT64, None),
            ColumnData::Float64(_) => (PhysicalType::DOUBLE, None),
            ColumnData::Float32(_) => (PhysicalType::FLOAT, None),
        };
        let field = Type::primitive_type_builder(&column.name, physical)
            .with_repetition(Repetition::REQUIRED)
            .with_logical_type(logical)
            .build()?;
        fields.push(Arc::new(field));
    }
    Ok(Arc::new(
        Type::group_type_builder("schema")
            .with_fields(fields)
            .build()?,
    ))
}
