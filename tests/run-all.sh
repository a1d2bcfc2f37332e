#!/usr/bin/env bash
# Every test of the project, as the README's test command: installs what is missing, then runs
# the Rust suites (unit, integration, loom models, the C header check), the C suites (cmocka,
# valgrind, the ERP example), the Python suites (stubtest, pytest) and the dashboard in a real
# browser (headless chromium driven by playwright).
set -euo pipefail
cd "$(dirname "$0")/.."

tests/install-deps.sh
cargo test
ffi/tests/run.sh
python/tests/run.sh
# python/tests/run.sh has just built and installed the Python package the dashboard test uses.
ALLOT_PYTHON_INSTALLED=1 tests/dashboard/run.sh
