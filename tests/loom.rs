//! Runs the engine's loom models (core/src/loom_models.rs) as part of `cargo test`: loom needs
//! the whole crate compiled with `--cfg loom`, so this test builds it that way in a separate
//! target directory and fails if any model finds an interleaving that breaks an invariant.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn loom_models_hold_in_every_explored_interleaving() {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(&workspace)
        .args(["test", "-p", "allot-core", "--lib", "--release", "--", "loom_models", "--test-threads=2"])
        .env("RUSTFLAGS", "--cfg loom")
        .env("CARGO_TARGET_DIR", workspace.join("target").join("loom"))
        .env("LOOM_MAX_PREEMPTIONS", "2")
        .output()
        .expect("running cargo for the loom models");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(output.status.success(), "loom models failed:\n{stdout}\n{stderr}");
    let passed = stdout.lines().filter(|line| line.starts_with("test loom_models::") && line.ends_with("ok")).count();
    assert!(passed >= 8, "expected every loom model to run and pass, saw {passed}:\n{stdout}");
}
