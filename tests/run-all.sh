#!/usr/bin/env bash
# Every test of the project, as the README's test command: installs what is missing, then runs
# the Rust suites (unit, integration, loom models, the C header check), the C suites (cmocka,
# valgrind, the ERP example) and the Python suites (stubtest, pytest).
set -euo pipefail
cd "$(dirname "$0")/.."

tests/install-deps.sh
cargo test
ffi/tests/run.sh
python/tests/run.sh
