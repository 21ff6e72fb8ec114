//! ilastik's export settings as its headless mode resolves them (a flag, else the value stored
//! in the project's `Prediction Export` group, else ilastik's default), and what pixelforest
//! writes for them: every combination it cannot write exactly as ilastik would is refused.

use anyhow::bail;
use pixelforest::ilastik::{HeadlessArgs, StoredExport};
use pixelforest::io::{ProbabilityFormat, SampleType, EXPORT_DATASET};

/// ilastik's name for the exported source, `{result_type}` in file names.
pub const RESULT_TYPE: &str = "Probabilities";

/// ilastik's default file name pattern (`ilastik/config.py`).
const DEFAULT_FILENAME: &str = "{dataset_dir}/{nickname}_{result_type}";

/// What the export writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    pub sample: SampleType,
    pub format: ProbabilityFormat,
    /// `--output_filename_format` as resolved.
    pub filename: String,
    /// False when neither the flag nor the project sets the axis order: ilastik then keeps
    /// the input's order, which the caller checks is yxc-like.
    pub axis_order_set: bool,
}

/// One setting: the flag's value, else the stored one, else `default`; notes where it came
/// from when not from the command line.
fn pick(
    notes: &mut Vec<String>,
    flag: &str,
    given: Option<&str>,
    stored: Option<&str>,
    default: Option<&str>,
) -> Option<String> {
    match (given, stored, default) {
        (Some(v), _, _) => Some(v.to_string()),
        (None, Some(v), _) => {
            notes.push(format!(
                "note: {flag} not given: {v} (stored in the project)"
            ));
            Some(v.to_string())
        }
        (None, None, Some(d)) => {
            notes.push(format!("note: {flag} not given: {d} (ilastik's default)"));
            Some(d.to_string())
        }
        (None, None, None) => None,
    }
}

/// Resolves the export settings; returns them with a note for each one not given as a flag.
pub fn resolve(a: &HeadlessArgs, stored: &StoredExport) -> anyhow::Result<(Export, Vec<String>)> {
    if stored.cutout {
        bail!("the project stores a cutout subregion (Prediction Export/RegionStart, RegionStop), which pixelforest does not export");
    }
    let mut notes = Vec::new();
    let source = a.export_source.as_deref().unwrap_or(RESULT_TYPE);
    if !source.eq_ignore_ascii_case(RESULT_TYPE) {
        bail!("--export_source={source} is not supported: pixelforest exports Probabilities");
    }
    let format = pick(
        &mut notes,
        "--output_format",
        a.output_format.as_deref(),
        stored.output_format.as_deref(),
        Some("hdf5"),
    )
    .unwrap_or_default();
    let format = match format.as_str() {
        "tiff" => ProbabilityFormat::Tiff,
        "hdf5" => ProbabilityFormat::H5,
        other => bail!(
            "--output_format={other} is not supported: pixelforest writes tiff or hdf5 \
             (ilastik's `tiff sequence`, `multipage tiff`, `compressed hdf5`, png, npy ... are not)"
        ),
    };
    let internal = pick(
        &mut notes,
        "--output_internal_path",
        a.output_internal_path.as_deref(),
        stored.output_internal_path.as_deref(),
        Some(EXPORT_DATASET),
    )
    .unwrap_or_default();
    if internal.trim_start_matches('/') != EXPORT_DATASET {
        bail!("--output_internal_path={internal} is not supported: the dataset is always `{EXPORT_DATASET}`");
    }
    let order = pick(
        &mut notes,
        "--output_axis_order",
        a.output_axis_order.as_deref(),
        stored.output_axis_order.as_deref(),
        None,
    );
    if let Some(order) = order.as_deref().filter(|o| *o != "yxc") {
        bail!("--output_axis_order={order} is not supported: pixelforest writes yxc");
    }
    let filename = pick(
        &mut notes,
        "--output_filename_format",
        a.output_filename_format.as_deref(),
        stored.output_filename_format.as_deref(),
        Some(DEFAULT_FILENAME),
    )
    .unwrap_or_default();
    let sample = sample_type(a, stored, &mut notes)?;
    Ok((
        Export {
            sample,
            format,
            filename,
            axis_order_set: order.is_some(),
        },
        notes,
    ))
}

/// ilastik's dtype conversion. It renormalizes when all four range slots are set: from the
/// flags when both range flags are given, else from the project. pixelforest writes uint16
/// renormalized from [0, 1] to [0, 65535], or float32 as computed.
fn sample_type(
    a: &HeadlessArgs,
    stored: &StoredExport,
    notes: &mut Vec<String>,
) -> anyhow::Result<SampleType> {
    if a.pipeline_result_drange.is_some() && a.export_drange.is_none() {
        // Older ImcSegmentationPipeline rules pass it alone; ilastik then keeps the stored ranges.
        notes.push(
            "note: --pipeline_result_drange without --export_drange: ilastik applies neither, \
             the project's stored ranges are used"
                .into(),
        );
    }
    let dtype = pick(
        notes,
        "--export_dtype",
        a.export_dtype.as_deref(),
        stored.export_dtype.as_deref(),
        Some("float32"),
    )
    .unwrap_or_default();
    let (input, export) = if a.export_drange.is_some() {
        (a.pipeline_result_drange, a.export_drange)
    } else {
        if stored.input_range.is_some() || stored.export_range.is_some() {
            notes.push(format!(
                "note: --pipeline_result_drange/--export_drange not given: {} -> {} (stored in the project)",
                range_text(stored.input_range),
                range_text(stored.export_range)
            ));
        }
        (stored.input_range, stored.export_range)
    };
    let renormalize = input.zip(export);
    match (dtype.as_str(), renormalize) {
        ("uint16", Some(((0.0, 1.0), (0.0, 65535.0)))) => Ok(SampleType::U16),
        ("float32", None | Some(((0.0, 1.0), (0.0, 1.0)))) => Ok(SampleType::F32),
        _ => bail!(
            "--export_dtype={dtype} with --pipeline_result_drange={} --export_drange={} is not \
             supported: pixelforest writes uint16 renormalized from (0.0,1.0) to (0,65535), or \
             float32 without renormalization",
            range_text(input),
            range_text(export)
        ),
    }
}

fn range_text(r: Option<(f64, f64)>) -> String {
    r.map_or("(unset)".into(), |(lo, hi)| format!("({lo},{hi})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(flags: &[&str]) -> HeadlessArgs {
        let v: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
        pixelforest::ilastik::parse_headless_args(&v).unwrap()
    }

    /// steinbock's TestData project stores uint16, [0, 1] -> [0, 65535], tiff (see
    /// `pixelforest_ilastik::read_export_settings`): a call giving none of them exports that.
    #[test]
    fn unset_flags_take_the_projects_stored_settings() {
        let stored = StoredExport {
            export_dtype: Some("uint16".into()),
            input_range: Some((0.0, 1.0)),
            export_range: Some((0.0, 65535.0)),
            output_format: Some("tiff".into()),
            output_filename_format: Some("{dataset_dir}/{nickname}_{result_type}.tiff".into()),
            output_internal_path: Some("exported_data".into()),
            ..StoredExport::default()
        };
        let (e, notes) = resolve(&args(&["--headless"]), &stored).unwrap();
        assert_eq!(e.sample, SampleType::U16);
        assert_eq!(e.format, ProbabilityFormat::Tiff);
        assert_eq!(e.filename, "{dataset_dir}/{nickname}_{result_type}.tiff");
        assert!(!e.axis_order_set);
        assert!(
            notes
                .iter()
                .any(|n| n.contains("uint16 (stored in the project)")),
            "{notes:?}"
        );
        // Flags win over the project.
        let (e, _) = resolve(
            &args(&[
                "--export_dtype=float32",
                "--pipeline_result_drange=(0,1)",
                "--export_drange=(0,1)",
                "--output_format=hdf5",
            ]),
            &stored,
        )
        .unwrap();
        assert_eq!(
            (e.sample, e.format),
            (SampleType::F32, ProbabilityFormat::H5)
        );
        // Without a project: ilastik's defaults.
        let (e, _) = resolve(&args(&[]), &StoredExport::default()).unwrap();
        assert_eq!(
            (e.sample, e.format),
            (SampleType::F32, ProbabilityFormat::H5)
        );
        assert_eq!(e.filename, DEFAULT_FILENAME);
    }

    #[test]
    fn combinations_pixelforest_cannot_write_are_refused() {
        let none = StoredExport::default();
        for (flags, named) in [
            (&["--export_dtype=uint16"][..], "--export_dtype=uint16"),
            (
                &[
                    "--export_dtype=uint16",
                    "--pipeline_result_drange=(0,1)",
                    "--export_drange=(0,255)",
                ][..],
                "(0,255)",
            ),
            (&["--export_dtype=uint8"][..], "uint8"),
            (&["--output_axis_order=cyx"][..], "cyx"),
            (&["--output_internal_path=data"][..], "data"),
        ] {
            let err = resolve(&args(flags), &none).unwrap_err().to_string();
            assert!(err.contains(named), "{flags:?}: {err}");
        }
        // Alone, --pipeline_result_drange changes nothing in ilastik: float32 as computed.
        let (e, notes) = resolve(&args(&["--pipeline_result_drange=(0,1)"]), &none).unwrap();
        assert_eq!(e.sample, SampleType::F32);
        assert!(
            notes.iter().any(|n| n.contains("applies neither")),
            "{notes:?}"
        );
        let cut = StoredExport {
            cutout: true,
            ..StoredExport::default()
        };
        assert!(resolve(&args(&[]), &cut)
            .unwrap_err()
            .to_string()
            .contains("cutout"));
        let cyx = StoredExport {
            output_axis_order: Some("cyx".into()),
            ..StoredExport::default()
        };
        assert!(resolve(&args(&[]), &cyx)
            .unwrap_err()
            .to_string()
            .contains("cyx"));
    }
}
