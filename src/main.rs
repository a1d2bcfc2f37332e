//! `allot`: the command-line face of the engine.
//!
//! `allot demo` sells the last sofas of a flash sale from many threads and proves, after a
//! reopen, that nothing was oversold; `allot inspect DIR` shows what a data directory holds;
//! `allot verify DIR` recovers it and checks every invariant. (The load tester, the promotion
//! simulation and the dashboard arrive with later work.)

mod bench;
mod demo;
mod inspect;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "allot", version, about = "Allot: an embedded inventory and order engine")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a flash sale of a best-selling sofa on a real data directory and prove the result.
    Demo {
        /// Data directory (created; reused if it holds an earlier demo).
        #[arg(long, default_value = "allot-data")]
        dir: PathBuf,
        /// Concurrent buyers.
        #[arg(long, default_value_t = 8)]
        buyers: usize,
    },
    /// The load tester: the workloads of ../shared/WORKLOAD.md, with `--json` for tools.
    Bench(bench::BenchArgs),
    /// Show the segments, checkpoints, catalogue and reservations of a data directory.
    Inspect { dir: PathBuf },
    /// Recover a data directory and check every invariant; exits non-zero on any violation.
    Verify { dir: PathBuf },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Bench(args) => match bench::run(&args) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(error) => Err(error),
        },
        Command::Demo { dir, buyers } => demo::run(&dir, buyers),
        Command::Inspect { dir } => inspect::inspect(&dir),
        Command::Verify { dir } => inspect::verify(&dir),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("allot: {error:#}");
            ExitCode::FAILURE
        }
    }
}
