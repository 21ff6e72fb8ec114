//! What a batch did with each file, and the summary table printed at the end.

use std::path::PathBuf;
use std::time::Duration;

/// What happened to one input.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Outputs written.
    Written,
    /// All outputs already existed (resume); nothing done.
    Skipped,
    /// The input could not be processed; the message names the problem.
    Failed(String),
}

impl Status {
    /// The status and pixel count of an input from the result of processing it (`Ok(0)`:
    /// nothing to do); a failure is also handed to `report` as it happens.
    pub fn of<E: std::fmt::Display>(
        result: Result<usize, E>,
        report: impl Fn(String),
    ) -> (Status, usize) {
        match result {
            Ok(0) => (Status::Skipped, 0),
            Ok(pixels) => (Status::Written, pixels),
            Err(e) => {
                report(format!("error: {e}"));
                (Status::Failed(e.to_string()), 0)
            }
        }
    }
}

/// One input of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The input file.
    pub input: PathBuf,
    /// The files written (or that would have been).
    pub outputs: Vec<PathBuf>,
    /// Written, skipped or failed.
    pub status: Status,
    /// Pixels (height x width) processed; 0 if skipped or failed.
    pub pixels: usize,
    /// Wall time spent on it.
    pub elapsed: Duration,
}

/// A whole batch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchReport {
    /// One outcome per input, in input order.
    pub outcomes: Vec<Outcome>,
    /// Wall time of the whole batch.
    pub elapsed: Duration,
}

impl BatchReport {
    /// Number of inputs written.
    pub fn written(&self) -> usize {
        self.count(|s| matches!(s, Status::Written))
    }

    /// Number of inputs skipped (outputs already complete).
    pub fn skipped(&self) -> usize {
        self.count(|s| matches!(s, Status::Skipped))
    }

    /// Number of inputs that failed.
    pub fn failed(&self) -> usize {
        self.count(|s| matches!(s, Status::Failed(_)))
    }

    fn count(&self, f: impl Fn(&Status) -> bool) -> usize {
        self.outcomes.iter().filter(|o| f(&o.status)).count()
    }

    /// Megapixels per second over the written images.
    pub fn megapixels_per_second(&self) -> f64 {
        let px: usize = self.outcomes.iter().map(|o| o.pixels).sum();
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            px as f64 / 1e6 / secs
        } else {
            0.0
        }
    }

    /// A plain-text table: one row per input, then totals; failures listed with their reason.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let width = self
            .outcomes
            .iter()
            .map(|o| display_name(o).len())
            .max()
            .unwrap_or(5)
            .max(5);
        s.push_str(&format!(
            "{:<width$}  {:>8}  {:>9}  {:>8}  {:>7}\n",
            "image", "status", "megapix", "seconds", "Mpx/s"
        ));
        for o in &self.outcomes {
            let status = match &o.status {
                Status::Written => "written",
                Status::Skipped => "skipped",
                Status::Failed(_) => "FAILED",
            };
            let secs = o.elapsed.as_secs_f64();
            let mpx = o.pixels as f64 / 1e6;
            let rate = if secs > 0.0 && o.pixels > 0 {
                format!("{:.2}", mpx / secs)
            } else {
                "-".into()
            };
            s.push_str(&format!(
                "{:<width$}  {:>8}  {:>9.2}  {:>8.2}  {:>7}\n",
                display_name(o),
                status,
                mpx,
                secs,
                rate
            ));
        }
        s.push_str(&format!(
            "{} written, {} skipped (already complete), {} failed in {:.1} s ({:.2} Mpx/s)\n",
            self.written(),
            self.skipped(),
            self.failed(),
            self.elapsed.as_secs_f64(),
            self.megapixels_per_second()
        ));
        for o in &self.outcomes {
            if let Status::Failed(why) = &o.status {
                s.push_str(&format!("error: {why}\n"));
            }
        }
        s
    }
}

fn display_name(o: &Outcome) -> String {
    // `file.h5/dataset` inputs (ilastik's form) show both parts.
    if let Some(inner) = pixelforest_io::split_h5_path(&o.input) {
        if let Some(file) = inner.file.file_name() {
            return format!("{}/{}", file.to_string_lossy(), inner.dataset);
        }
    }
    o.input.file_name().map_or_else(
        || o.input.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Runs `work` over `inputs` in parallel with a progress bar of `what` (e.g. "stacks"), each
/// input's warnings and failure printed as they happen; `work` returns the input's outputs and
/// pixel count (0 pixels: nothing to do). One failure never stops the others.
pub(crate) fn run_parallel(
    inputs: &[std::path::PathBuf],
    what: &str,
    show_progress: bool,
    work: impl Fn(&std::path::Path, &(dyn Fn(String) + Sync)) -> crate::Result<(Vec<PathBuf>, usize)>
        + Sync,
) -> BatchReport {
    use rayon::prelude::*;
    let start = std::time::Instant::now();
    let bar = crate::progress::bar(inputs.len(), what, show_progress);
    let outcomes: Vec<Outcome> = inputs
        .par_iter()
        .map(|input| {
            let t = std::time::Instant::now();
            let result = work(input, &|msg| crate::progress::say(&bar, msg));
            bar.inc(1);
            let (outputs, result) = match result {
                Ok((outputs, px)) => (outputs, Ok(px)),
                Err(e) => (Vec::new(), Err(e)),
            };
            let (status, pixels) = Status::of(result, |m| crate::progress::say(&bar, m));
            Outcome {
                input: input.clone(),
                outputs,
                status,
                pixels,
                elapsed: t.elapsed(),
            }
        })
        .collect();
    bar.finish_and_clear();
    BatchReport {
        outcomes,
        elapsed: start.elapsed(),
    }
}
