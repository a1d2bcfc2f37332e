//! `allot`: the command-line face of the engine.
//!
//! `allot simulate` runs a promotion day through the whole engine and proves the result;
//! `allot demo` sells the last sofas of a flash sale from many threads; `allot bench` is the
//! load tester of ../shared/WORKLOAD.md; `allot inspect DIR` shows what a data directory holds
//! and `allot verify DIR` recovers it and checks every invariant; `allot serve` is the
//! read-only inventory health dashboard with `/metrics`.

mod bench;
mod demo;
mod inspect;
mod serve;
mod simulate;

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
    /// Run a promotion day (channels, checks, routing, review, shipping, tracking, SLAs) through
    /// the real pipeline and log, and report what happened with the proof that it adds up.
    Simulate(simulate::SimulateArgs),
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
    /// Serve the read-only inventory health dashboard and `/metrics` for a data directory.
    Serve {
        #[arg(long)]
        dir: PathBuf,
        /// Address to listen on (loopback unless you choose otherwise).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Bench(args) => match bench::run(&args) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(error) => Err(error),
        },
        Command::Simulate(args) => simulate::run(&args),
        Command::Demo { dir, buyers } => demo::run(&dir, buyers),
        Command::Inspect { dir } => inspect::inspect(&dir),
        Command::Verify { dir } => inspect::verify(&dir),
        Command::Serve { dir, addr } => serve::run(&dir, &addr),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("allot: {error:#}");
            ExitCode::FAILURE
        }
    }
}
