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
    /// No progress bar.
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

/// Prints a batch's summary table; exit status 1 if any input failed.
pub fn finish(report: &BatchReport) -> ExitCode {
    eprint!("{}", report.table());
    if report.failed() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
