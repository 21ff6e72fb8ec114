//! Options and output shared by the batch commands.

use std::process::ExitCode;

use anyhow::Context;
use pixelforest::pipeline::BatchReport;

/// Options every batch command has.
#[derive(Debug, clap::Args)]
pub struct BatchArgs {
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Process only every N-th input starting at I (0-based), for cluster job arrays, e.g.
    /// `--shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<pixelforest::pipeline::Shard>,
    /// Redo inputs whose outputs already exist (by default they are skipped, so an interrupted
    /// run can simply be started again).
    #[arg(long)]
    pub overwrite: bool,
    /// Print nothing but errors (no progress bar, no summary table).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

impl BatchArgs {
    /// Sets up the thread pool; call once before any work.
    pub fn init_threads(&self) -> anyhow::Result<()> {
        init_threads(self.jobs)
    }

    /// Applies `--shard` to the sorted inputs.
    pub fn shard<T>(&self, items: Vec<T>) -> Vec<T> {
        match self.shard {
            Some(shard) => shard.select(items),
            None => items,
        }
    }
}

/// Sizes rayon's global pool.
pub fn init_threads(jobs: Option<usize>) -> anyhow::Result<()> {
    if let Some(n) = jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .context("cannot set up the worker threads")?;
    }
    Ok(())
}

/// Prints a batch's summary table (with `quiet`, only a count of the failures, whose errors
/// were printed as they happened); exit status 1 if any input failed.
pub fn finish(report: &BatchReport, quiet: bool) -> ExitCode {
    if !quiet {
        eprint!("{}", report.table());
    } else if report.failed() > 0 {
        eprintln!(
            "error: {} of {} inputs failed",
            report.failed(),
            report.outcomes.len()
        );
    }
    if report.failed() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Sample type of written maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Dtype {
    /// [0, 1] renormalized to [0, 65535], truncated, as ilastik's uint16 export.
    Uint16,
    /// [0, 1] floats.
    Float32,
}

impl From<Dtype> for pixelforest::io::SampleType {
    fn from(d: Dtype) -> Self {
        match d {
            Dtype::Uint16 => Self::U16,
            Dtype::Float32 => Self::F32,
        }
    }
}

/// Which workflow's files a command reads and writes (`prepare`, `segment`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Layout {
    /// ImcSegmentationPipeline (CellProfiler's `1_prepare_ilastik`, `2_segment_ilastik.cppipe`).
    Isp,
    /// steinbock (`classify ilastik prepare`, `segment cellprofiler`).
    Steinbock,
}

/// Container of written probability maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One page, classes as interleaved samples (ilastik's 2-D `tiff` export).
    Tiff,
    /// Dataset `exported_data`, (y, x, class), as ilastik's HDF5 export.
    H5,
}

impl From<Format> for pixelforest::io::ProbabilityFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Tiff => Self::Tiff,
            Format::H5 => Self::H5,
        }
    }
}

/// TIFF compression of written maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Compression {
    /// Uncompressed.
    None,
    /// LZW, as ilastik (vigra's TIFF writer) writes.
    Lzw,
    /// Deflate (zlib).
    Deflate,
}

impl From<Compression> for pixelforest::io::TiffCompression {
    fn from(c: Compression) -> Self {
        match c {
            Compression::None => Self::None,
            Compression::Lzw => Self::Lzw,
            Compression::Deflate => Self::Deflate,
        }
    }
}
