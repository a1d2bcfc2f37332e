#!/usr/bin/env bash
# Reservation throughput, C face against Rust face, on the same workload (see reserve.c):
# builds liballot (release) and ffi/bench/reserve.c against liballot.a, runs it, then runs the
# same loop through the Rust API (ffi/bench/rust_reserve.rs, `cargo bench`), alternating
# C, Rust, C, Rust so that machine noise hits both. Not part of the tests.
#
#   ffi/bench/run.sh [PER_ROUND] [ROUNDS] [PAIRS]      (defaults 400000 5 3)
#
# Data directories go to ${ALLOT_BENCH_DIR:-$CARGO_TARGET_DIR or target}, removed afterwards.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
per_round="${1:-400000}"
rounds="${2:-5}"
pairs="${3:-3}"

target="${CARGO_TARGET_DIR:-target}"
case "$target" in
/*) ;;
*) target="$root/$target" ;;
esac
bench_dir="${ALLOT_BENCH_DIR:-$target}"
mkdir -p "$target/ffi-bench" "$bench_dir"

cargo build --release -p allot-ffi
"${CC:-cc}" -std=c11 -O2 -Wall -Wextra -Werror -Iinclude ffi/bench/reserve.c "$target/release/liballot.a" \
    -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc -o "$target/ffi-bench/reserve"
cargo bench -p allot-ffi --bench rust_reserve --no-run

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for pair in $(seq 1 "$pairs"); do
    echo "== pair $pair"
    data="$(mktemp -d "$bench_dir/bench-c.XXXXXX")"
    "$target/ffi-bench/reserve" "$data" "$per_round" "$rounds" | tee -a "$log"
    rm -rf "$data"
    data="$(mktemp -d "$bench_dir/bench-rust.XXXXXX")"
    cargo bench -q -p allot-ffi --bench rust_reserve -- "$data" "$per_round" "$rounds" | tee -a "$log"
    rm -rf "$data"
done

# The median over the pairs of each side's median, and C as a share of Rust.
awk '
    / median: / { side = $1; wall[side, ++n[side]] = $3; cpu = $6; sub(/;/, "", cpu); cpus[side, n[side]] = cpu }
    function median(a, side, k,   i, j, t, v) {
        for (i = 1; i <= k; i++) v[i] = a[side, i]
        for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
        return v[int((k + 1) / 2)]
    }
    END {
        cw = median(wall, "c", n["c"]); rw = median(wall, "rust", n["rust"])
        cc = median(cpus, "c", n["c"]); rc = median(cpus, "rust", n["rust"])
        printf "\nover %d pairs: C %.0f/s, Rust %.0f/s by wall time (C = %.1f%% of Rust); ", n["c"], cw, rw, 100 * cw / rw
        printf "by CPU time C %.0f/s, Rust %.0f/s (C = %.1f%%)\n", cc, rc, 100 * cc / rc
    }' "$log"
