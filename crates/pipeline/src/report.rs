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
    pub input: PathBuf,
    pub outputs: Vec<PathBuf>,
    pub status: Status,
    /// Pixels (height x width) processed; 0 if skipped or failed.
    pub pixels: usize,
    pub elapsed: Duration,
}

/// A whole batch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchReport {
    pub outcomes: Vec<Outcome>,
    pub elapsed: Duration,
}

impl BatchReport {
    pub fn written(&self) -> usize {
        self.count(|s| matches!(s, Status::Written))
    }

    pub fn skipped(&self) -> usize {
        self.count(|s| matches!(s, Status::Skipped))
    }

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
    o.input
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| o.input.display().to_string())
}
