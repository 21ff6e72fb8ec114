//! IMC `.txt` acquisition exports: one tab-separated row per pixel.
//!
//! Follows readimc's `TXTFile` (0.9.2): the header is `Start_push End_push Pushes_duration X Y Z`
//! then one `Label(MetalMassDi)` column per channel; the image is (max Y + 1) x (max X + 1) and
//! must hold exactly one row per pixel (readimc's strict check); values are read as float32.

use std::path::Path;

use ndarray::Array3;

use crate::budget::check_samples;
use crate::error::{format_err, io_err, Result};
use crate::imc_channel::{split_metal_mass, ImcChannel};

const LEADING: [&str; 6] = ["Start_push", "End_push", "Pushes_duration", "X", "Y", "Z"];

/// An IMC `.txt` acquisition: its channels and pixels `(channels, y, x)`.
#[derive(Debug, Clone)]
pub struct ImcTxt {
    /// The measurement channels, in file order.
    pub channels: Vec<ImcChannel>,
    /// The pixels, `(channels, y, x)`.
    pub data: Array3<f32>,
}

/// Reads only the channels of an IMC `.txt` file (its header line).
///
/// # Errors
/// The header lacks the push and X, Y, Z columns, or a channel column is not `Label(MetalMass..)`.
pub fn read_imc_txt_channels(path: &Path) -> Result<Vec<ImcChannel>> {
    use std::io::BufRead;
    let file = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
    let mut header = String::new();
    std::io::BufReader::new(file)
        .read_line(&mut header)
        .map_err(|e| io_err(path, e))?;
    parse_header(path, &header)
}

/// Reads an IMC `.txt` file.
///
/// # Errors
/// A malformed header or value, a negative coordinate, or a row count that is not width x height.
pub fn read_imc_txt(path: &Path) -> Result<ImcTxt> {
    use std::io::BufRead;
    let file = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
    let mut lines = std::io::BufReader::with_capacity(1 << 20, file).lines();
    let header = lines.next().transpose().map_err(|e| io_err(path, e))?;
    let channels = parse_header(path, header.as_deref().unwrap_or(""))?;
    let n = channels.len();
    // Rows streamed into one flat buffer of (x, y, values...): the text is never held whole.
    let mut rows: Vec<f32> = Vec::new();
    let (mut w, mut h, mut count) = (0usize, 0usize, 0usize);
    for (i, line) in lines.enumerate() {
        let line = line.map_err(|e| io_err(path, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let bad = |m: &str| format_err(path, format!("row {}: {m}", i + 2));
        let fields: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
        if fields.len() != n + 6 {
            return Err(bad(&format!("{} values, expected {}", fields.len(), n + 6)));
        }
        let first = rows.len();
        for f in fields.iter().skip(3).take(2).chain(fields.iter().skip(6)) {
            // pandas parses to double, then casts to float32.
            let v: f64 = f
                .trim()
                .parse()
                .map_err(|_| bad(&format!("'{f}' is not a number")))?;
            rows.push(v as f32);
        }
        let (x, y) = (rows[first], rows[first + 1]);
        if !(x >= 0.0 && y >= 0.0) {
            return Err(bad(&format!("negative or missing coordinate ({x}, {y})")));
        }
        (w, h) = (
            w.max((x as usize).saturating_add(1)),
            h.max((y as usize).saturating_add(1)),
        );
        count += 1;
    }
    if w.checked_mul(h) != Some(count) {
        return Err(format_err(
            path,
            format!("{count} rows for a {w} x {h} image: incomplete acquisition"),
        ));
    }
    check_samples(
        path,
        (n as u128) * (w as u128) * (h as u128),
        &format!("a {n} x {h} x {w} acquisition"),
    )?;
    let mut data = Array3::<f32>::zeros((n, h, w));
    for row in rows.chunks_exact(n + 2) {
        let (x, y) = (row[0] as usize, row[1] as usize);
        for (k, &v) in row[2..].iter().enumerate() {
            data[[k, y, x]] = v;
        }
    }
    Ok(ImcTxt { channels, data })
}

fn parse_header(path: &Path, line: &str) -> Result<Vec<ImcChannel>> {
    let columns: Vec<&str> = line.trim_end_matches(['\r', '\n']).split('\t').collect();
    if columns.len() < 6 || columns[..6] != LEADING {
        return Err(format_err(
            path,
            "not an IMC .txt file: header does not start with Start_push, End_push, \
             Pushes_duration, X, Y, Z",
        ));
    }
    columns[6..]
        .iter()
        .map(|c| {
            parse_column(c).ok_or_else(|| {
                format_err(
                    path,
                    format!("column '{c}' is not Label(MetalMass), e.g. DNA1(Ir191Di)"),
                )
            })
        })
        .collect()
}

/// `DNA1(Ir191Di)` -> label `DNA1`, metal `Ir`, mass 191 (readimc's
/// `^(?P<label>.*)\((?P<metal>[a-zA-Z]+)(?P<mass>[0-9]+)[^0-9]*\)$`).
fn parse_column(column: &str) -> Option<ImcChannel> {
    let inner = column.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let (metal, mass, rest) = split_metal_mass(&inner[open + 1..])?;
    if rest.contains(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some(ImcChannel {
        metal,
        mass,
        label: inner[..open].to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_with_parentheses_in_label() {
        let c = parse_column("CD3(epsilon)(Er168Di)").expect("parses");
        assert_eq!(
            (c.label.as_str(), c.name()),
            ("CD3(epsilon)", "Er168".to_string())
        );
        assert!(parse_column("CD3").is_none());
        assert!(parse_column("CD3(Er168Di2)").is_none());
    }
}
