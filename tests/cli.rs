//! Proves the `allot` command works as the README says: the demo sells out without overselling
//! and proves it after a reopen, `inspect` describes the directory, and `verify` exits non-zero
//! with a precise message when the log is damaged.

use std::process::Command;

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
