//! Proves the `allot` command works as the README says: the demo sells out without overselling
//! and proves it after a reopen, `inspect` describes the directory, and `verify` exits non-zero
//! with a precise message when the log is damaged; and every subcommand that prints ends quietly
//! (no panic, status 141 as `ls` gets from SIGPIPE) when its stdout's reader has gone away.

use std::io::Read;
use std::process::{Command, Stdio};

#[path = "support/dirs.rs"]
mod dirs;
use dirs::dir_bytes;

fn allot(args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_allot")).args(args).output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into(),
        String::from_utf8_lossy(&output.stderr).into(),
    )
}

#[test]
fn demo_inspect_and_verify_tell_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let (ok, out, err) = allot(&["demo", "--dir", data, "--buyers", "4"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("oversold 0") && out.contains("stock identical: true"), "{out}");
    // A second demo clears its own earlier directory.
    assert!(allot(&["demo", "--dir", data]).0);

    let (ok, out, err) = allot(&["inspect", data]);
    assert!(ok, "{err}");
    assert!(out.contains("catalogue: 3 warehouses, 1 SKUs") && out.contains("reservations: 0 held"), "{out}");
    let (ok, out, _) = allot(&["verify", data]);
    assert!(ok && out.starts_with("ok:"), "{out}");

    // Damage a record in the middle of the log: verify must refuse and say where.
    let segment = std::fs::read_dir(data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "seg"))
        .unwrap();
    let mut bytes = std::fs::read(&segment).unwrap();
    bytes[64 + 30] ^= 0x40;
    std::fs::write(&segment, bytes).unwrap();
    let (ok, _, err) = allot(&["verify", data]);
    assert!(!ok);
    assert!(err.contains("corrupt at byte 64"), "{err}");
}

#[test]
fn the_demo_refuses_to_clear_a_directory_it_did_not_make() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("precious.txt"), "keep me").unwrap();
    let (ok, _, err) = allot(&["demo", "--dir", dir.path().to_str().unwrap()]);
    assert!(!ok && err.contains("choose another --dir"), "{err}");
    assert!(dir.path().join("precious.txt").exists());
}

fn bench_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["bench", "--json"];
    all.extend_from_slice(args);
    let (ok, out, err) = allot(&all);
    assert!(ok, "allot {all:?} failed: {err}");
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("not one JSON object ({e}): {out}"))
}

#[test]
fn bench_prints_the_schema_1_contract_for_every_workload() {
    for workload in ["uniform", "hot", "order3"] {
        let report = bench_json(&["--workload", workload, "--skus", "1000", "--ops", "20000", "--threads", "2"]);
        for key in [
            "schema",
            "workload",
            "sync",
            "threads",
            "batch",
            "ops",
            "seconds",
            "ops_per_sec",
            "latency_us",
            "succeeded",
            "refused",
            "errors",
            "oversold",
            "version",
            "git",
        ] {
            assert!(report.get(key).is_some(), "{workload}: no {key:?} in {report}");
        }
        for quantile in ["p50", "p90", "p99", "p999", "max"] {
            assert!(
                report["latency_us"][quantile].as_f64().is_some_and(|v| v > 0.0),
                "{workload} {quantile}: {report}"
            );
        }
        assert_eq!(report["schema"], 1);
        assert_eq!(report["workload"], workload);
        assert_eq!(report["ops"], 20000, "{report}");
        assert_eq!((report["succeeded"].as_u64(), report["refused"].as_u64()), (Some(20000), Some(0)));
        assert_eq!(report["oversold"], 0);
    }
}

#[test]
fn bench_sellout_sells_exactly_the_stock() {
    let report = bench_json(&["--workload", "sellout"]);
    assert_eq!((report["succeeded"].as_u64(), report["refused"].as_u64()), (Some(10_000), Some(40_000)), "{report}");
    assert_eq!(report["oversold"], 0);
    assert_eq!(report["threads"], 50);
}

#[test]
fn bench_runs_open_loop_batched_and_durable() {
    let report = bench_json(&[
        "--workload",
        "uniform",
        "--skus",
        "1000",
        "--sync",
        "always",
        "--threads",
        "4",
        "--batch",
        "16",
        "--rate",
        "20000",
        "--seconds",
        "1",
    ]);
    assert_eq!((report["batch"].as_u64(), report["sync"].as_str()), (Some(16), Some("always")));
    let rate = report["ops_per_sec"].as_f64().unwrap();
    assert!(rate > 0.0 && rate < 40_000.0, "an open-loop run does not run ahead of its rate: {report}");
    let (ok, _, err) = allot(&["bench", "--workload", "uniform", "--batch", "0"]);
    assert!(!ok && err.contains("--batch"), "{err}");
}

fn simulate_json(dir: &str, orders: &str, seed: &str) -> serde_json::Value {
    let (ok, out, err) = allot(&["simulate", "--dir", dir, "--orders", orders, "--seed", seed, "--json"]);
    assert!(ok, "allot simulate failed: {err}");
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("not one JSON object ({e}): {out}"))
}

#[test]
fn simulate_runs_a_deterministic_day_and_proves_it_after_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("day");
    let data = data.to_str().unwrap();
    let first = simulate_json(data, "3000", "42");
    assert_eq!(first["orders"], 3000);
    assert_eq!(first["oversold"], 0);
    assert_eq!(first["stock_identical_after_reopen"], true);
    assert_eq!(first["stock_balanced"], true);
    // The realistic mix shows up: several kinds of flag, every review path, SLA breaches in tiers
    // and shipments whose tracking never came.
    let flags = first["flags"].as_object().unwrap();
    for reason in ["stock_short", "unpaid", "unknown_city", "amount_too_high"] {
        assert!(flags.get(reason).and_then(|n| n.as_u64()).unwrap_or(0) > 0, "no {reason} flag: {first}");
    }
    let paths = first["paths"].as_object().unwrap();
    assert!(["auto", "manual_review", "risk_review"].iter().all(|p| paths.contains_key(*p)), "{first}");
    let tiers = first["escalations_by_tier"].as_object().unwrap();
    assert!(["remind", "supervisor", "critical"].iter().all(|t| tiers.contains_key(*t)), "{first}");
    assert!(first["tracking_alerts"].as_u64().unwrap() > 0, "{first}");
    let zero_touch = first["zero_touch_share"].as_f64().unwrap();
    assert!((0.5..1.0).contains(&zero_touch), "{first}");
    let states: u64 = first["states"].as_object().unwrap().values().map(|n| n.as_u64().unwrap()).sum();
    assert_eq!(states, 3000, "every order ends in some state: {first}");

    // The same seed replays the same day; another seed another day.
    let again = simulate_json(data, "3000", "42");
    for key in ["flags", "paths", "states", "escalations_by_tier", "tracking_alerts", "log_records"] {
        assert_eq!(first[key], again[key], "{key} differs between two runs of seed 42");
    }
    let other = simulate_json(data, "3000", "43");
    assert_ne!(first["flags"], other["flags"]);

    // The directory is a real engine directory: inspect and verify read it.
    let (ok, out, err) = allot(&["inspect", data]);
    assert!(ok, "{err}");
    assert!(out.contains("catalogue: 5 warehouses, 1000 SKUs") && out.contains("delivered"), "{out}");
    let (ok, out, err) = allot(&["verify", data]);
    assert!(ok && out.starts_with("ok:"), "{out}{err}");
}

#[test]
fn simulate_prints_its_report_and_refuses_a_directory_it_did_not_make() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("day");
    let (ok, out, err) = allot(&["simulate", "--dir", data.to_str().unwrap(), "--orders", "500"]);
    assert!(ok, "{err}");
    for line in ["orders/s", "latency", "zero-touch", "flags:", "paths:", "SLA escalations by tier", "oversold 0"] {
        assert!(out.contains(line), "the report lacks {line:?}: {out}");
    }
    assert!(out.contains("stock sums consistent after reopening the directory: true"), "{out}");
    assert!(err.is_empty(), "nothing on stderr when it is not a terminal: {err}");

    std::fs::write(dir.path().join("precious.txt"), "keep me").unwrap();
    let (ok, _, err) = allot(&["simulate", "--dir", dir.path().to_str().unwrap(), "--orders", "10"]);
    assert!(!ok && err.contains("choose another --dir"), "{err}");
    assert!(dir.path().join("precious.txt").exists());
    let (ok, _, err) = allot(&["simulate", "--dir", data.to_str().unwrap(), "--orders", "0"]);
    assert!(!ok && err.contains("--orders"), "{err}");
}

/// `inspect` and `verify` never change a data directory: not a healthy one, not one whose end an
/// open would cut (they say what it would cut), and they work on a read-only file system. Only
/// an open repairs.
#[test]
fn inspect_and_verify_change_no_byte_and_work_on_a_read_only_file_system() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_str = data.to_str().unwrap();
    assert!(allot(&["demo", "--dir", data_str, "--buyers", "4"]).0);
    let healthy = dir_bytes(&data);
    let (ok, out, err) = allot(&["inspect", data_str]);
    assert!(ok && out.contains("last writer stopped: clean"), "{out}{err}");
    let (ok, out, err) = allot(&["verify", data_str]);
    assert!(ok && out.starts_with("ok: last writer stopped: clean"), "{out}{err}");
    assert!(dir_bytes(&data) == healthy, "inspect or verify changed a healthy directory");

    // As if the process had been killed in the middle of an append: the next record's payload
    // lies behind the log's end mark.
    allot_core::Faults::simulate_crash(&data, allot_core::SimulatedCrash::ProcessKilled).unwrap();
    let segment = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "seg"))
        .max()
        .unwrap();
    let mut bytes = std::fs::read(&segment).unwrap();
    let end = bytes.iter().rposition(|&b| b != 0).unwrap() + 1;
    bytes[end + 24..end + 64].fill(0x5a);
    std::fs::write(&segment, &bytes).unwrap();
    let torn = dir_bytes(&data);
    let (ok, out, err) = allot(&["verify", data_str]);
    assert!(ok && out.contains("an open would cut the log") && out.contains("process_crash"), "{out}{err}");
    let (ok, out, err) = allot(&["inspect", data_str]);
    assert!(ok && out.contains("an open would cut the log"), "{out}{err}");
    assert!(dir_bytes(&data) == torn, "inspect or verify repaired what only an open may");

    // On a read-only file system (a private tmpfs, remounted read-only, in a user namespace).
    let script = r#"mount -t tmpfs tmpfs "$RO" && cp -a "$SRC"/. "$RO" && mount -o remount,ro "$RO" \
        && ! touch "$RO/probe" 2>/dev/null && "$ALLOT" verify "$RO" && "$ALLOT" inspect "$RO""#;
    let mount_point = tempfile::tempdir().unwrap();
    let output = Command::new("unshare")
        .args(["-rm", "sh", "-c", script])
        .env("RO", mount_point.path())
        .env("SRC", &data)
        .env("ALLOT", env!("CARGO_BIN_EXE_allot"))
        .output();
    match output {
        Ok(output) if output.status.success() => {
            let out = String::from_utf8_lossy(&output.stdout);
            assert!(out.contains("an open would cut the log") && out.contains("catalogue:"), "{out}");
        }
        Ok(output) if String::from_utf8_lossy(&output.stderr).contains("mount") => {
            println!("no private mounts here ({}): the read-only file system case is skipped", output.status);
        }
        Ok(output) => panic!(
            "verify or inspect failed on a read-only file system:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(error) => println!("unshare is not available ({error}): the read-only file system case is skipped"),
    }

    // An open repairs: the unfinished append is cut, and the directory is whole again.
    let engine = allot_core::Engine::open(&data, allot_core::EngineOptions::default()).unwrap();
    let cut = engine.recovery().torn_tail.clone().expect("the open cuts what verify reported");
    assert_eq!((cut.offset as usize, cut.discarded_records), (end - 24, 0));
    engine.close().unwrap();
    let (ok, out, _) = allot(&["verify", data_str]);
    assert!(ok && !out.contains("would cut"), "{out}");
}

/// Runs `allot args` with a stdout pipe whose reader reads `read_bytes` (0: none) and then goes
/// away, as `head -c` does; returns the exit code and what the command wrote to stderr.
fn allot_into_closed_pipe(args: &[&str], read_bytes: usize) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_allot"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = vec![0; read_bytes];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    (child.wait().unwrap().code(), stderr)
}

#[test]
fn every_printing_subcommand_ends_quietly_when_its_reader_goes_away() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    assert!(allot(&["demo", "--dir", data, "--buyers", "2"]).0);
    let day = dir.path().join("day");
    let demo = dir.path().join("demo");
    let runs: [&[&str]; 7] = [
        &["inspect", data],
        &["verify", data],
        &["simulate", "--dir", day.to_str().unwrap(), "--orders", "50"],
        &["simulate", "--dir", day.to_str().unwrap(), "--orders", "50", "--json"],
        &["bench", "--json", "--workload", "uniform", "--skus", "100", "--ops", "1000", "--threads", "1"],
        &["bench", "--workload", "uniform", "--skus", "100", "--ops", "1000", "--threads", "1"],
        &["demo", "--dir", demo.to_str().unwrap(), "--buyers", "2"],
    ];
    for args in runs {
        // The reader is gone before the first line: every write the command makes fails.
        let (code, stderr) = allot_into_closed_pipe(args, 0);
        assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "allot {args:?}: {stderr}");
        assert_eq!(code, Some(141), "allot {args:?} exits as a SIGPIPE would: {stderr}");
        assert!(stderr.is_empty(), "allot {args:?} says nothing: {stderr}");
    }
    // `allot inspect DIR | head -c 10`: whether the rest of the output still fit in the pipe
    // before the reader left is a race, so both outcomes pass, but never a panic.
    let (code, stderr) = allot_into_closed_pipe(&["inspect", data], 10);
    assert!(matches!(code, Some(0 | 141)) && stderr.is_empty(), "{code:?}: {stderr}");
}
