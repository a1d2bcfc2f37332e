//! `allot`: the command-line face of the engine.
//!
//! `allot simulate` runs a promotion day through the whole engine and proves the result;
//! `allot demo` sells the last sofas of a flash sale from many threads; `allot bench` is the
//! load tester of ../shared/WORKLOAD.md; `allot inspect DIR` shows what a data directory holds
//! and `allot verify DIR` recovers it and checks every invariant; `allot serve` is the
//! read-only inventory health dashboard with `/metrics`.

/// `println!` that hands back the write's error instead of panicking, for `?`: when the reader
/// of stdout goes away (`allot inspect DIR | head`), the command ends quietly (see
/// [`broken_pipe`]) instead of panicking with "failed printing to stdout".
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

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
        Err(error) if broken_pipe(&error) => ExitCode::from(EXIT_BROKEN_PIPE),
        Err(error) => {
            eprintln!("allot: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The status of a command whose reader closed stdout: 128 + SIGPIPE, what a shell reports for
/// `ls` in `ls | head` (killed by the signal). Not 0: `allot verify DIR | head -1` must never
/// pass for a verification that did not finish saying what it found.
const EXIT_BROKEN_PIPE: u8 = 128 + 13;

/// Whether `error` is stdout's reader having gone away: nothing more can be said, and saying so
/// on stderr would be noise (`ls | head` prints nothing either).
fn broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
