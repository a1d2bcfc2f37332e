//! `allot bench`: the load tester, running exactly the workloads of ../shared/WORKLOAD.md.
//!
//! Data is loaded (with `sync=none`, then the directory is reopened in the mode under test)
//! before the clock starts. Each thread keeps its own HDR histogram; with `--rate` the load is
//! open-loop and every operation's latency is measured from when it was meant to start, so a
//! stall shows in the percentiles instead of hiding behind fewer requests (no coordinated
//! omission). `--json` prints one object whose shape is a contract (schema 1).

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use allot_core::{Client, Engine, EngineOptions, Error, OrderRequest, ReserveOptions, Role, SyncMode, WarehouseSpec};
use anyhow::{Context, Result, ensure};
use hdrhistogram::Histogram;
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

/// The workloads of ../shared/WORKLOAD.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Workload {
    /// Reserve 1 unit of a uniformly random SKU.
    Uniform,
    /// Every reserve hits SKU 0 (restocked to 10^9 units first).
    Hot,
    /// Three distinct uniform SKUs, 1 unit each, all or nothing: one op.
    Order3,
    /// One SKU with 10,000 units, 50,000 attempts from concurrent clients: exactly 10,000 sold.
    Sellout,
}

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::Uniform => "uniform",
            Workload::Hot => "hot",
            Workload::Order3 => "order3",
            Workload::Sellout => "sellout",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Sync {
    None,
    Interval,
    Always,
}

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    #[arg(long, value_enum)]
    pub workload: Workload,
    /// SKUs in the catalogue (the sellout workload always has one).
    #[arg(long, default_value_t = 100_000)]
    pub skus: u32,
    /// Client threads (default 1; 50 for sellout).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Run for this many seconds (default 10; ignored for sellout).
    #[arg(long, conflicts_with = "ops")]
    pub seconds: Option<f64>,
    /// Run exactly this many operations in all (sellout: 50,000 attempts).
    #[arg(long)]
    pub ops: Option<u64>,
    #[arg(long, value_enum, default_value = "none")]
    pub sync: Sync,
    /// Orders per call (`reserve_many`: one durability wait per batch; latency per batch).
    #[arg(long, default_value_t = 1)]
    pub batch: usize,
    /// Open-loop target rate in operations per second over all threads.
    #[arg(long)]
    pub rate: Option<f64>,
    /// Data directory (default: a temporary one, removed afterwards).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Print one JSON object (schema 1) instead of a report.
    #[arg(long)]
    pub json: bool,
}

const STOCK: u64 = 1_000_000;
const HOT_STOCK: u64 = 1_000_000_000;
const SELLOUT_STOCK: u64 = 10_000;
const SELLOUT_ATTEMPTS: u64 = 50_000;
const SELLOUT_THREADS: usize = 50;
/// Latency histograms cover 1 ns to 60 s with 3 significant figures.
const LATENCY_MAX_NS: u64 = 60_000_000_000;

struct ThreadResult {
    latency: Histogram<u64>,
    succeeded: u64,
    refused: u64,
    errors: u64,
    first_error: Option<String>,
}

pub fn run(args: &BenchArgs) -> Result<bool> {
    ensure!(args.batch >= 1 && args.batch <= 8192, "--batch must be 1 to 8192");
    ensure!(args.skus >= 3 || args.workload == Workload::Sellout, "--skus must be at least 3");
    let sellout = args.workload == Workload::Sellout;
    let threads = args.threads.unwrap_or(if sellout { SELLOUT_THREADS } else { 1 });
    ensure!((1..=1024).contains(&threads), "--threads must be 1 to 1024");
    if let Some(rate) = args.rate {
        ensure!(rate > 0.0 && rate.is_finite(), "--rate must be a positive number");
    }
    let temp;
    let dir = match &args.dir {
        Some(dir) => dir.clone(),
        None => {
            temp = tempfile::Builder::new().prefix("allot-bench-").tempdir()?;
            temp.path().to_path_buf()
        }
    };
    let skus = if sellout { 1 } else { args.skus };
    let codes = load(&dir, args.workload, skus)?;
    let sync = match args.sync {
        Sync::None => SyncMode::None,
        Sync::Interval => SyncMode::Interval(Duration::from_millis(100)),
        Sync::Always => SyncMode::Always,
    };
    let options = EngineOptions::default().sync(sync).checkpoint_every_bytes(0).default_ttl_ms(None);
    let engine = Engine::open(&dir, options).with_context(|| format!("opening {}", dir.display()))?;

    let budget = if sellout { Some(args.ops.unwrap_or(SELLOUT_ATTEMPTS)) } else { args.ops };
    let deadline = Duration::from_secs_f64(args.seconds.unwrap_or(10.0));
    let claimed = AtomicU64::new(0);
    let progress = progress_bar(budget, deadline);
    let started = Instant::now();
    let results: Vec<ThreadResult> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (engine, codes, claimed, progress) = (&engine, &codes, &claimed, &progress);
                scope.spawn(move || {
                    let plan = Plan { workload: args.workload, batch: args.batch, budget, deadline, started };
                    let pace = args.rate.map(|rate| Duration::from_secs_f64(threads as f64 / rate));
                    worker(engine.client(Role::Orders), t, codes, &plan, claimed, pace, progress)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("bench thread panicked")).collect()
    });
    let seconds = started.elapsed().as_secs_f64();
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }

    let mut latency = Histogram::<u64>::new_with_bounds(1, LATENCY_MAX_NS, 3)?;
    let (mut succeeded, mut refused, mut errors, mut first_error) = (0, 0, 0, None);
    for result in &results {
        latency.add(&result.latency)?;
        succeeded += result.succeeded;
        refused += result.refused;
        errors += result.errors;
        first_error = first_error.or(result.first_error.clone());
    }
    let ops = succeeded + refused + errors;
    let (oversold, sold_out) = scan(&engine, &codes)?;
    engine.check_invariants().context("invariants after the run")?;
    engine.close()?;

    let micros = |q: f64| latency.value_at_quantile(q) as f64 / 1000.0;
    let report = serde_json::json!({
        "schema": 1,
        "workload": args.workload.name(),
        "sync": format!("{:?}", args.sync).to_lowercase(),
        "threads": threads,
        "batch": args.batch,
        "ops": ops,
        "seconds": seconds,
        "ops_per_sec": ops as f64 / seconds,
        "latency_us": {
            "p50": micros(0.5), "p90": micros(0.9), "p99": micros(0.99), "p999": micros(0.999),
            "max": latency.max() as f64 / 1000.0,
        },
        "succeeded": succeeded,
        "refused": refused,
        "errors": errors,
        "oversold": oversold,
        "version": env!("CARGO_PKG_VERSION"),
        "git": env!("ALLOT_GIT_COMMIT"),
    });
    // The sellout contract: exactly the stock sold, never more, and the log agrees.
    let mut ok = oversold == 0 && errors == 0;
    if sellout {
        ok &= succeeded == SELLOUT_STOCK && sold_out == 1;
    } else if args.rate.is_none() {
        ok &= refused == 0; // a refusal skips the write and would flatter the numbers
    }
    if args.json {
        say!("{report}")?;
    } else {
        print_report(&report, sold_out, first_error.as_deref())?;
    }
    if !ok {
        eprintln!(
            "allot bench: the run broke its contract (succeeded {succeeded}, refused {refused}, errors {errors}, \
             oversold {oversold}){}",
            first_error.map(|e| format!("; first error: {e}")).unwrap_or_default()
        );
    }
    Ok(ok)
}

/// Loads the workload's data with `sync=none` and closes the directory (so that loading is not
/// timed and does not pay for syncs); returns the SKU codes.
fn load(dir: &std::path::Path, workload: Workload, skus: u32) -> Result<Vec<String>> {
    let engine = Engine::open(dir, EngineOptions::default().sync(SyncMode::None).checkpoint_every_bytes(0))
        .with_context(|| format!("opening {}", dir.display()))?;
    let admin = engine.client(Role::Admin);
    let codes: Vec<String> = (0..skus).map(|i| i.to_string()).collect();
    if admin.warehouses()?.is_empty() {
        admin.add_warehouse("WH", WarehouseSpec::new("000000", 1))?;
    }
    let existing = admin.skus()?.len();
    ensure!(
        existing == 0 || existing == codes.len(),
        "{} holds {existing} SKUs, not {}: use an empty --dir",
        dir.display(),
        codes.len()
    );
    for (i, code) in codes.iter().enumerate() {
        if existing == 0 {
            admin.add_sku(code, "bench")?;
        }
        let reserved = admin.cell(code, "WH")?.reserved;
        let stock = match workload {
            Workload::Sellout => SELLOUT_STOCK,
            Workload::Hot if i == 0 => HOT_STOCK,
            _ => STOCK,
        };
        ensure!(reserved == 0 || workload != Workload::Sellout, "{} already holds reservations", dir.display());
        admin.set_stock(code, "WH", stock + reserved)?;
    }
    engine.checkpoint()?;
    engine.close()?;
    Ok(codes)
}

struct Plan {
    workload: Workload,
    batch: usize,
    budget: Option<u64>,
    deadline: Duration,
    started: Instant,
}

fn worker(
    orders: Client,
    thread: usize,
    codes: &[String],
    plan: &Plan,
    claimed: &AtomicU64,
    pace: Option<Duration>,
    progress: &Option<indicatif::ProgressBar>,
) -> ThreadResult {
    let mut rng = SmallRng::seed_from_u64(0x5EED ^ thread as u64);
    let mut result = ThreadResult {
        latency: Histogram::new_with_bounds(1, LATENCY_MAX_NS, 3).expect("valid bounds"),
        succeeded: 0,
        refused: 0,
        errors: 0,
        first_error: None,
    };
    let options = ReserveOptions::new();
    let mut ids: Vec<String> = Vec::with_capacity(plan.batch);
    let mut lines: Vec<[(usize, u32); 3]> = Vec::with_capacity(plan.batch);
    let mut n = 0u64;
    let mut intended = Instant::now();
    loop {
        // How many ops this call may take (the shared budget, or the clock).
        let take = match plan.budget {
            Some(budget) => {
                let before = claimed.fetch_add(plan.batch as u64, Ordering::Relaxed);
                if before >= budget {
                    break;
                }
                (budget - before).min(plan.batch as u64) as usize
            }
            None if plan.started.elapsed() >= plan.deadline => break,
            None => plan.batch,
        };
        ids.clear();
        lines.clear();
        for _ in 0..take {
            let mut id = String::with_capacity(24);
            let _ = write!(id, "b{thread}-{n}");
            n += 1;
            ids.push(id);
            lines.push(pick(plan.workload, codes.len(), &mut rng));
        }
        let start = match pace {
            Some(pace) => {
                let now = Instant::now();
                if intended > now {
                    wait_until(intended);
                }
                let start = intended;
                intended += pace * take as u32;
                start
            }
            None => Instant::now(),
        };
        let outcomes = call(&orders, plan.workload, codes, &ids, &lines, &options);
        let elapsed = start.elapsed().as_nanos().clamp(1, u128::from(LATENCY_MAX_NS)) as u64;
        let _ = result.latency.record(elapsed);
        for outcome in outcomes {
            match outcome {
                Ok(()) => result.succeeded += 1,
                Err(Error::InsufficientStock { .. }) => result.refused += 1,
                Err(error) => {
                    result.errors += 1;
                    result.first_error.get_or_insert_with(|| error.to_string());
                }
            }
        }
        if let Some(bar) = progress {
            match plan.budget {
                Some(_) => bar.inc(take as u64),
                None => bar.set_position(plan.started.elapsed().as_millis() as u64),
            }
        }
    }
    result
}

/// The SKUs (indexes into the codes) of one operation; unused slots are ignored.
fn pick(workload: Workload, skus: usize, rng: &mut SmallRng) -> [(usize, u32); 3] {
    match workload {
        Workload::Uniform => [(rng.random_range(0..skus), 1), (0, 0), (0, 0)],
        Workload::Hot | Workload::Sellout => [(0, 1), (0, 0), (0, 0)],
        Workload::Order3 => {
            let a = rng.random_range(0..skus);
            let mut b = rng.random_range(0..skus);
            while b == a {
                b = rng.random_range(0..skus);
            }
            let mut c = rng.random_range(0..skus);
            while c == a || c == b {
                c = rng.random_range(0..skus);
            }
            [(a, 1), (b, 1), (c, 1)]
        }
    }
}

fn call(
    orders: &Client,
    workload: Workload,
    codes: &[String],
    ids: &[String],
    picks: &[[(usize, u32); 3]],
    options: &ReserveOptions<'_>,
) -> Vec<Result<(), Error>> {
    let width = if workload == Workload::Order3 { 3 } else { 1 };
    let lines: Vec<Vec<(&str, u32)>> =
        picks.iter().map(|pick| pick[..width].iter().map(|&(sku, qty)| (codes[sku].as_str(), qty)).collect()).collect();
    if ids.len() == 1 {
        return vec![orders.reserve(&ids[0], &lines[0], options).map(drop)];
    }
    let batch: Vec<OrderRequest<'_>> =
        ids.iter().zip(&lines).map(|(id, lines)| OrderRequest { order_id: id, lines, options: *options }).collect();
    match orders.reserve_many(&batch) {
        Ok(results) => results.into_iter().map(|r| r.map(drop)).collect(),
        Err(error) => {
            let message = error.to_string();
            (0..ids.len()).map(|_| Err(Error::Internal { detail: message.clone() })).collect()
        }
    }
}

/// Sleeps most of the way, then spins: open-loop pacing needs better than the scheduler's tick.
fn wait_until(when: Instant) {
    let now = Instant::now();
    if when > now + Duration::from_micros(200) {
        std::thread::sleep(when - now - Duration::from_micros(100));
    }
    while Instant::now() < when {
        std::hint::spin_loop();
    }
}

/// Oversold SKUs (reserved above on hand) and sold-out ones (reserved equal to on hand).
fn scan(engine: &Engine, codes: &[String]) -> Result<(u64, u64)> {
    let viewer = engine.client(Role::Viewer);
    let (mut oversold, mut sold_out) = (0, 0);
    for code in codes {
        let stock = viewer.stock(code)?;
        oversold += u64::from(stock.reserved > stock.on_hand);
        sold_out += u64::from(stock.reserved == stock.on_hand);
    }
    Ok((oversold, sold_out))
}

fn progress_bar(budget: Option<u64>, deadline: Duration) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = match budget {
        Some(ops) => indicatif::ProgressBar::new(ops),
        None => indicatif::ProgressBar::new(deadline.as_millis() as u64),
    };
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    Some(bar)
}

fn print_report(report: &serde_json::Value, sold_out: u64, first_error: Option<&str>) -> std::io::Result<()> {
    let latency = &report["latency_us"];
    say!(
        "allot bench: {} with sync={}, {} thread(s), batch {}",
        report["workload"].as_str().unwrap_or(""),
        report["sync"].as_str().unwrap_or(""),
        report["threads"],
        report["batch"]
    )?;
    say!(
        "  {} ops in {:.2} s = {:.0} ops/s",
        report["ops"],
        report["seconds"].as_f64().unwrap_or(0.0),
        report["ops_per_sec"].as_f64().unwrap_or(0.0)
    )?;
    say_latency("latency", latency)?;
    say!(
        "  succeeded {}  refused {}  errors {}  oversold {}  sold out {sold_out}",
        report["succeeded"],
        report["refused"],
        report["errors"],
        report["oversold"]
    )?;
    if let Some(error) = first_error {
        say!("  first error: {error}")?;
    }
    Ok(())
}

/// One line of a latency summary (the percentiles of the schema-1 JSON contract), as `bench` and
/// `simulate` print it.
pub fn say_latency(what: &str, latency: &serde_json::Value) -> std::io::Result<()> {
    say!(
        "  {what} µs: p50 {} p90 {} p99 {} p99.9 {} max {}",
        latency["p50"],
        latency["p90"],
        latency["p99"],
        latency["p999"],
        latency["max"]
    )
}
