//! ilastik's headless command line (`run_ilastik.sh --headless ...`) as the tools that drive
//! it pass it, parsed the way ilastik's argparse parsers do (`ilastik/app.py`,
//! `applets/dataSelection/dataSelectionApplet.py`, `applets/dataExport/dataExportApplet.py`,
//! ilastik commit ebbaf9b9). The export's file names are in `export_naming`.
//!
//! Every flag this module does not know is an error naming it: a caller's option is never
//! silently dropped.

use std::path::PathBuf;

/// Errors of the headless command line; each names the flag or value at fault.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum HeadlessError {
    /// A flag ilastik has that pixelforest does not implement, or one ilastik does not have.
    #[error("ilastik option {0} is not supported by pixelforest headless (supported: {SUPPORTED_FLAGS})")]
    UnknownFlag(String),
    /// A flag given without its value.
    #[error("{0} needs a value")]
    MissingValue(String),
    /// A value given to a flag that takes none.
    #[error("{flag} takes no value (got {value:?})")]
    UnexpectedValue {
        /// The flag.
        flag: String,
        /// The value given.
        value: String,
    },
    /// A value ilastik's parser refuses.
    #[error("{flag}={value:?}: {why}")]
    Invalid {
        /// The flag.
        flag: String,
        /// The value given.
        value: String,
        /// Why it is refused.
        why: BadValue,
    },
    /// Input paths both after the flags and in `--raw_data` (ilastik refuses the mix).
    #[error("trailing input paths ({}) cannot be combined with --raw_data", .0.join(" "))]
    InputsTwice(Vec<String>),
    /// `--export_drange` without `--pipeline_result_drange` (ilastik cannot renormalize).
    #[error("cannot renormalize to a custom --export_drange without --pipeline_result_drange")]
    ExportRangeAlone,
}

/// Why a flag's value is refused, as ilastik's parser refuses it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum BadValue {
    /// Not one of configparser's boolean words.
    #[error("expected one of 1, yes, true, on, 0, no, false, off")]
    NotBool,
    /// Several comma-separated axis lists; a Pixel Classification project has one input role.
    #[error("one axis list for the single Raw Data role")]
    SeveralAxisLists,
    /// A letter outside `xyztc`.
    #[error("axes must be a combination of x, y, z, t, c")]
    UnknownAxis,
    /// An axis given twice.
    #[error("repeated axis key {0}")]
    RepeatedAxis(char),
    /// `x` or `y` missing.
    #[error("x and y need to be present")]
    NoXy,
    /// An `--output_axis_order` letter outside `txyzc`.
    #[error("axes must be among t, x, y, z, c")]
    UnknownOutputAxis,
    /// An `--export_dtype` ilastik does not offer.
    #[error("choose from {}", DTYPES.join(", "))]
    Dtype,
    /// Not a `(min, max)` list of numbers (the parser's message).
    #[error("expected a (min, max) pair such as (0.0,1.0): {0}")]
    NotARange(String),
    /// A list of another length than two.
    #[error("expected two numbers, got {0}")]
    RangeLength(usize),
}

/// The flags [`parse_headless_args`] accepts, for error messages.
pub const SUPPORTED_FLAGS: &str =
    "--headless, --project, --readonly, --input_axes, --export_source, \
    --output_format, --output_filename_format, --output_internal_path, --export_dtype, \
    --output_axis_order, --pipeline_result_drange, --export_drange, --raw_data, --logfile";

/// ilastik's headless settings for a Pixel Classification batch, as given (validated as
/// ilastik validates them; what pixelforest implements is decided by the caller).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HeadlessArgs {
    /// `--headless`.
    pub headless: bool,
    /// `--project`: the `.ilp` file.
    pub project: Option<PathBuf>,
    /// `--readonly` with its optional boolean (`--readonly`, `--readonly 1`, `--readonly=false`).
    pub readonly: Option<bool>,
    /// `--input_axes`, lowercase (`cyx`).
    pub input_axes: Option<String>,
    /// `--export_source`, e.g. `Probabilities`.
    pub export_source: Option<String>,
    /// `--output_format`, e.g. `tiff`.
    pub output_format: Option<String>,
    /// `--output_filename_format`, e.g. `{dataset_dir}/{nickname}_{result_type}`.
    pub output_filename_format: Option<String>,
    /// `--output_internal_path` (dataset of an HDF5 export).
    pub output_internal_path: Option<String>,
    /// `--export_dtype`, e.g. `uint16`.
    pub export_dtype: Option<String>,
    /// `--output_axis_order`, lowercase.
    pub output_axis_order: Option<String>,
    /// `--pipeline_result_drange`: the range renormalized from.
    pub pipeline_result_drange: Option<(f64, f64)>,
    /// `--export_drange`: the range renormalized to.
    pub export_drange: Option<(f64, f64)>,
    /// `--logfile`.
    pub logfile: Option<PathBuf>,
    /// Input images (`--raw_data` or trailing paths); `file.h5/dataset` names a dataset.
    pub inputs: Vec<String>,
}

/// How many values a flag takes.
#[derive(Clone, Copy)]
enum Arity {
    None,
    One,
    /// argparse `nargs="?"` with ilastik's `OptionalFlagAction` (booleans).
    OptionalBool,
    /// argparse `nargs="+"`.
    Many,
}

/// Flag spellings (argparse accepts both `_` and `-` forms for the data-selection flags).
const FLAGS: &[(&[&str], Arity)] = &[
    (&["--headless"], Arity::None),
    (&["--project"], Arity::One),
    (&["--readonly"], Arity::OptionalBool),
    (&["--input_axes", "--input-axes"], Arity::One),
    (&["--export_source"], Arity::One),
    (&["--output_format"], Arity::One),
    (&["--output_filename_format"], Arity::One),
    (&["--output_internal_path"], Arity::One),
    (&["--export_dtype"], Arity::One),
    (&["--output_axis_order"], Arity::One),
    (&["--pipeline_result_drange"], Arity::One),
    (&["--export_drange"], Arity::One),
    (&["--raw_data", "--raw-data"], Arity::Many),
    (&["--logfile"], Arity::One),
];

/// `--export_dtype` choices of ilastik's parser.
const DTYPES: &[&str] = &[
    "uint8", "uint16", "uint32", "int8", "int16", "int32", "float32", "float64",
];

/// configparser's boolean words, which `OptionalFlagAction` accepts.
fn parse_bool(flag: &str, v: &str) -> Result<bool, HeadlessError> {
    match v.to_lowercase().as_str() {
        "1" | "yes" | "true" | "on" => Ok(true),
        "0" | "no" | "false" | "off" => Ok(false),
        _ => Err(HeadlessError::Invalid {
            flag: flag.into(),
            value: v.into(),
            why: BadValue::NotBool,
        }),
    }
}

/// argparse treats a token as an option when it starts with `-` and is not a negative number.
fn is_option(token: &str) -> bool {
    token.starts_with('-') && token.len() > 1 && token.parse::<f64>().is_err()
}

/// Parses ilastik's headless arguments (`--flag=value` and `--flag value` forms).
///
/// # Errors
/// An unknown flag, a missing or malformed value, or a combination ilastik itself refuses.
pub fn parse_headless_args(args: &[String]) -> Result<HeadlessArgs, HeadlessError> {
    let mut out = HeadlessArgs::default();
    let mut trailing: Vec<String> = Vec::new();
    let mut raw_data: Option<Vec<String>> = None;
    let mut i = 0;
    while i < args.len() {
        let token = &args[i];
        i += 1;
        if token == "--" {
            trailing.extend(args[i..].iter().cloned());
            break;
        }
        if !is_option(token) {
            trailing.push(token.clone());
            continue;
        }
        let (name, inline) = match token.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (token.as_str(), None),
        };
        let Some((names, arity)) = FLAGS.iter().find(|(names, _)| names.contains(&name)) else {
            return Err(HeadlessError::UnknownFlag(name.to_string()));
        };
        let canonical = names[0];
        let from_following = inline.is_none();
        let mut values = take_values(canonical, *arity, inline, &args[i..])?;
        if from_following {
            i += values.len();
        }
        if canonical == "--raw_data" {
            raw_data = Some(values);
        } else {
            set(&mut out, canonical, values.pop())?;
        }
    }
    out.inputs = match raw_data {
        Some(_) if !trailing.is_empty() => return Err(HeadlessError::InputsTwice(trailing)),
        Some(files) => files,
        None => trailing,
    };
    if out.export_drange.is_some() && out.pipeline_result_drange.is_none() {
        return Err(HeadlessError::ExportRangeAlone);
    }
    Ok(out)
}

/// The values of one flag: its inline `=value`, else as many of the following tokens as its
/// arity takes (argparse stops at the next option).
fn take_values(
    flag: &str,
    arity: Arity,
    inline: Option<String>,
    rest: &[String],
) -> Result<Vec<String>, HeadlessError> {
    let following = rest.iter().take_while(|v| !is_option(v));
    match (arity, inline) {
        (Arity::None, Some(value)) => Err(HeadlessError::UnexpectedValue {
            flag: flag.into(),
            value,
        }),
        (Arity::None, None) => Ok(Vec::new()),
        (_, Some(v)) => Ok(vec![v]),
        (Arity::OptionalBool, None) => Ok(following.take(1).cloned().collect()),
        (Arity::One, None) => match following.take(1).cloned().collect::<Vec<_>>() {
            v if v.is_empty() => Err(HeadlessError::MissingValue(flag.into())),
            v => Ok(v),
        },
        (Arity::Many, None) => match following.cloned().collect::<Vec<_>>() {
            v if v.is_empty() => Err(HeadlessError::MissingValue(flag.into())),
            v => Ok(v),
        },
    }
}

/// Stores one parsed flag (the last occurrence wins, as with argparse).
fn set(out: &mut HeadlessArgs, flag: &str, value: Option<String>) -> Result<(), HeadlessError> {
    let invalid = |v: &str, why: BadValue| HeadlessError::Invalid {
        flag: flag.into(),
        value: v.into(),
        why,
    };
    let Some(v) = value else {
        match flag {
            "--headless" => out.headless = true,
            "--readonly" => out.readonly = Some(true),
            _ => return Err(HeadlessError::MissingValue(flag.into())),
        }
        return Ok(());
    };
    match flag {
        "--project" => out.project = Some(PathBuf::from(v)),
        "--readonly" => out.readonly = Some(parse_bool(flag, &v)?),
        "--input_axes" => {
            let axes = v.trim().to_lowercase();
            if axes.contains(',') {
                return Err(invalid(&v, BadValue::SeveralAxisLists));
            }
            check_axes(&axes).map_err(|why| invalid(&v, why))?;
            out.input_axes = Some(axes);
        }
        "--export_source" => out.export_source = Some(v),
        "--output_format" => out.output_format = Some(v),
        "--output_filename_format" => out.output_filename_format = Some(v),
        "--output_internal_path" => out.output_internal_path = Some(v),
        "--export_dtype" => {
            if !DTYPES.contains(&v.as_str()) {
                return Err(invalid(&v, BadValue::Dtype));
            }
            out.export_dtype = Some(v);
        }
        "--output_axis_order" => {
            let axes = v.to_lowercase();
            if axes.chars().any(|c| !"txyzc".contains(c)) {
                return Err(invalid(&v, BadValue::UnknownOutputAxis));
            }
            out.output_axis_order = Some(axes);
        }
        "--pipeline_result_drange" => {
            out.pipeline_result_drange = Some(parse_range(&v).map_err(|why| invalid(&v, why))?);
        }
        "--export_drange" => {
            out.export_drange = Some(parse_range(&v).map_err(|why| invalid(&v, why))?);
        }
        "--logfile" => out.logfile = Some(PathBuf::from(v)),
        other => return Err(HeadlessError::UnknownFlag(other.into())),
    }
    Ok(())
}

/// ilastik's `parse_axiskeys`: letters of `xyztc`, none repeated, `x` and `y` present.
fn check_axes(axes: &str) -> Result<(), BadValue> {
    if axes.chars().any(|c| !"xyztc".contains(c)) {
        return Err(BadValue::UnknownAxis);
    }
    let mut seen = String::new();
    for c in axes.chars() {
        if seen.contains(c) {
            return Err(BadValue::RepeatedAxis(c));
        }
        seen.push(c);
    }
    if !axes.contains('x') || !axes.contains('y') {
        return Err(BadValue::NoXy);
    }
    Ok(())
}

/// ilastik's `convertStringToList` for a (min, max) pair: `(0.0,1.0)`, `[0, 65535]`.
fn parse_range(v: &str) -> Result<(f64, f64), BadValue> {
    let json = v
        .replace('(', "[")
        .replace(')', "]")
        .replace("None", "null");
    let parsed: Vec<f64> =
        serde_json::from_str(&json).map_err(|e| BadValue::NotARange(e.to_string()))?;
    match parsed.as_slice() {
        [lo, hi] => Ok((*lo, *hi)),
        _ => Err(BadValue::RangeLength(parsed.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    /// steinbock's `run_pixel_classification` argument list (BodenmillerGroup/steinbock
    /// `steinbock/classification/ilastik/_ilastik.py`, commit 848fc5ed).
    #[test]
    fn parses_steinbocks_call() {
        let a = parse_headless_args(&strings(&[
            "--headless",
            "--project=pixel_classifier.ilp",
            "--readonly",
            "--input_axes=cyx",
            "--export_source=Probabilities",
            "--output_format=tiff",
            "--output_filename_format=ilastik_probabilities/{nickname}.tiff",
            "--export_dtype=uint16",
            "--output_axis_order=yxc",
            "--pipeline_result_drange=(0.0,1.0)",
            "--export_drange=(0,65535)",
            "ilastik_img/a.h5/img",
            "ilastik_img/b.h5/img",
        ]))
        .unwrap();
        assert!(a.headless);
        assert_eq!(a.project, Some(PathBuf::from("pixel_classifier.ilp")));
        assert_eq!(a.readonly, Some(true));
        assert_eq!(a.input_axes.as_deref(), Some("cyx"));
        assert_eq!(a.pipeline_result_drange, Some((0.0, 1.0)));
        assert_eq!(a.export_drange, Some((0.0, 65535.0)));
        assert_eq!(a.inputs, ["ilastik_img/a.h5/img", "ilastik_img/b.h5/img"]);
    }

    /// The ImcSegmentationPipeline Snakemake rule's forms (`--readonly 1`, spaced ranges in
    /// brackets; BodenmillerGroup/ImcSegmentationPipeline `workflow/rules/ilastik.smk`, commit
    /// a71dcd77): `--flag value` and `--flag=value` give the same settings.
    #[test]
    fn space_separated_values_and_optional_booleans() {
        let a = parse_headless_args(&strings(&[
            "--headless",
            "--project",
            "p.ilp",
            "--export_drange=[0, 65535]",
            "--pipeline_result_drange",
            "(0.0, 1.0)",
            "--readonly",
            "1",
            "x.h5",
        ]))
        .unwrap();
        assert_eq!(a.project, Some(PathBuf::from("p.ilp")));
        assert_eq!(a.readonly, Some(true));
        assert_eq!(a.export_drange, Some((0.0, 65535.0)));
        assert_eq!(a.inputs, ["x.h5"]);
        let b = parse_headless_args(&strings(&["--readonly=off", "--raw_data", "a.h5", "b.h5"]))
            .unwrap();
        assert_eq!(b.readonly, Some(false));
        assert_eq!(b.inputs, ["a.h5", "b.h5"]);
    }

    #[test]
    fn unknown_flags_and_bad_values_are_named() {
        let e = parse_headless_args(&strings(&["--cutout_subregion=[(0,0),(1,1)]"])).unwrap_err();
        assert_eq!(e, HeadlessError::UnknownFlag("--cutout_subregion".into()));
        assert!(e.to_string().contains("--cutout_subregion"));
        let e = parse_headless_args(&strings(&["--export_dtype=uint12"])).unwrap_err();
        assert!(e.to_string().contains("uint12"), "{e}");
        assert!(matches!(
            e,
            HeadlessError::Invalid {
                why: BadValue::Dtype,
                ..
            }
        ));
        let e = parse_headless_args(&strings(&["--export_drange=(0,255)"])).unwrap_err();
        assert_eq!(e, HeadlessError::ExportRangeAlone);
        assert!(e.to_string().contains("--pipeline_result_drange"), "{e}");
        let e = parse_headless_args(&strings(&["--readonly=maybe"])).unwrap_err();
        assert!(e.to_string().contains("maybe"), "{e}");
        let e = parse_headless_args(&strings(&["--input_axes=cyxy"])).unwrap_err();
        assert!(matches!(
            e,
            HeadlessError::Invalid {
                why: BadValue::RepeatedAxis('y'),
                ..
            }
        ));
        let e = parse_headless_args(&strings(&["--pipeline_result_drange=(0,1,2)"])).unwrap_err();
        assert!(matches!(
            e,
            HeadlessError::Invalid {
                why: BadValue::RangeLength(3),
                ..
            }
        ));
        let e = parse_headless_args(&strings(&["--project"])).unwrap_err();
        assert_eq!(e, HeadlessError::MissingValue("--project".into()));
        let e = parse_headless_args(&strings(&["--raw_data", "a.h5", "--headless", "b.h5"]))
            .unwrap_err();
        assert_eq!(e, HeadlessError::InputsTwice(vec!["b.h5".into()]));
        assert!(e.to_string().contains("--raw_data"), "{e}");
    }
}
