#!/usr/bin/env bash
# The dashboard in a real browser: Debian's headless Chromium, driven by playwright from the
# virtual environment (${VENV:-target/venv}, made by tests/install-deps.sh), runs
# tests/dashboard/test_dashboard.py against `allot serve`. The `allot` binary is $ALLOT_BIN, or
# the release build (built here); the Python package is built from ./python and installed into
# the environment. Saves a screenshot of the page to target/dashboard.png. Extra arguments go
# to pytest (for example -k, -x).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
venv=${VENV:-target/venv}
case $venv in /*) ;; *) venv=$root/$venv ;; esac
python=$venv/bin/python
if [ ! -x "$python" ]; then
    echo "tests/dashboard/run.sh: no virtual environment at $venv (run tests/install-deps.sh)" >&2
    exit 1
fi
if ! command -v chromium >/dev/null; then
    echo "tests/dashboard/run.sh: no chromium on PATH (run tests/install-deps.sh)" >&2
    exit 1
fi
# Playwright drives Debian's Chromium (executable_path); it must never fetch a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export PATH=$venv/bin:$PATH

if [ -z "${ALLOT_BIN:-}" ]; then
    echo "tests/dashboard/run.sh: building the release allot binary"
    cargo build --release --bin allot
    target=${CARGO_TARGET_DIR:-target}
    case $target in /*) ;; *) target=$root/$target ;; esac
    export ALLOT_BIN=$target/release/allot
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# Outside the source tree, so that `import allot` is the installed package.
cd "$scratch"
# The test reads the data directory with the Python module, so it must be built from this tree
# (tests/run-all.sh sets ALLOT_PYTHON_INSTALLED=1: python/tests/run.sh has just installed it).
if [ "${ALLOT_PYTHON_INSTALLED:-}" != 1 ]; then
    echo "tests/dashboard/run.sh: building and installing ./python"
    "$python" -m pip install --disable-pip-version-check --no-build-isolation --quiet "$root/python"
fi
echo "tests/dashboard/run.sh: pytest (chromium: $(command -v chromium))"
"$python" -m pytest -p no:cacheprovider --rootdir "$root/tests/dashboard" "$root/tests/dashboard" "$@"
