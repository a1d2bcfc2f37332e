//! Proves that the committed include/allot.h is exactly what cbindgen (pinned, 0.29.4) makes of
//! ffi/src with ffi/cbindgen.toml, so the header C programs compile against never drifts from
//! the library they link. With ALLOT_BLESS_HEADER=1 the test rewrites the header instead.

use std::path::PathBuf;

#[test]
fn committed_header_matches_a_fresh_generation() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let header_path = crate_dir.join("../include/allot.h");
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("reading ffi/cbindgen.toml");
    // `with_src` follows the crate's `mod` declarations without running `cargo metadata`, so the
    // check needs neither the network nor the other workspace members' dependencies.
    let bindings = cbindgen::Builder::new()
        .with_src(crate_dir.join("src/lib.rs"))
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    let mut fresh = Vec::new();
    bindings.write(&mut fresh);

    if std::env::var("ALLOT_BLESS_HEADER").as_deref() == Ok("1") {
        std::fs::write(&header_path, &fresh).expect("writing include/allot.h");
        eprintln!("rewrote {}", header_path.display());
        return;
    }
    let committed = std::fs::read(&header_path).unwrap_or_default();
    if committed != fresh {
        let committed = String::from_utf8_lossy(&committed);
        let fresh = String::from_utf8_lossy(&fresh);
        let first_difference = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(fresh.lines().count()));
        panic!(
            "include/allot.h is stale: it differs from a fresh cbindgen generation at line {} \
             (committed: {:?}, fresh: {:?}). Regenerate it with \
             `ALLOT_BLESS_HEADER=1 cargo test -p allot-ffi --test header` and commit it.",
            first_difference + 1,
            committed.lines().nth(first_difference),
            fresh.lines().nth(first_difference),
        );
    }
}
