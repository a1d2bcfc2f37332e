//! What the crash loops share (`tests/crash_loop.rs`, `tests/pipeline_crash_loop.rs`): one
//! executable is both the parent and, with `ALLOT_CRASH_CHILD` set, the child the parent starts
//! and kills with SIGKILL.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::Duration;

/// Runs `child(dir, run, seed)` in a child process, else `parent()` unless `cargo test`'s
/// filter excludes the test called `name`.
pub fn main(name: &str, child: fn(&Path, usize, u64), parent: fn()) {
    if let Ok(dir) = std::env::var("ALLOT_CRASH_CHILD") {
        let run: usize = std::env::var("ALLOT_CRASH_RUN").unwrap().parse().unwrap();
        let seed: u64 = std::env::var("ALLOT_CRASH_SEED").unwrap().parse().unwrap();
        child(Path::new(&dir), run, seed);
        return;
    }
    // `cargo test -- <filter>` passes a filter; run unless it excludes this file's one test.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    if !args.is_empty() && !args.iter().any(|a| name.contains(a.as_str())) {
        return;
    }
    parent();
}

/// What a killed child left: the lines it printed, what it wrote to stderr, how it ended.
pub struct Killed {
    pub lines: Vec<String>,
    pub stderr: String,
    pub status: ExitStatus,
}

/// Starts this executable as the child for `run` on `dir` and kills it after `delay`.
pub fn run_and_kill(dir: &Path, run: usize, seed: u64, delay: Duration) -> Killed {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env("ALLOT_CRASH_CHILD", dir)
        .env("ALLOT_CRASH_RUN", run.to_string())
        .env("ALLOT_CRASH_SEED", seed.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let reader = thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<_>>());
    thread::sleep(delay);
    child.kill().unwrap();
    let status = child.wait().unwrap();
    let lines = reader.join().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    Killed { lines, stderr, status }
}
