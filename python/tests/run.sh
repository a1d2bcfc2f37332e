#!/usr/bin/env bash
# The Python suites: builds the package from python/ and installs it into the virtual
# environment (${VENV:-target/venv}, made by tests/install-deps.sh), checks the .pyi stubs
# against the compiled module with mypy's stubtest, then runs pytest on python/tests.
# Extra arguments go to pytest (for example -k, -x).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
venv=${VENV:-target/venv}
case $venv in /*) ;; *) venv=$root/$venv ;; esac
python=$venv/bin/python
if [ ! -x "$python" ]; then
    echo "python/tests/run.sh: no virtual environment at $venv (run tests/install-deps.sh)" >&2
    exit 1
fi
# maturin (the build backend) comes from the venv, pinned in python/requirements-dev.txt;
# without build isolation pip uses it instead of fetching one.
export PATH=$venv/bin:$PATH

echo "python/tests/run.sh: building and installing ./python"
"$python" -m pip install --disable-pip-version-check --no-build-isolation --quiet ./python

# Outside the source tree, so that `import allot` is the installed package (python/allot has no
# compiled module).
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
echo "python/tests/run.sh: stubtest"
"$python" -m mypy.stubtest allot._allot
"$python" -m mypy.stubtest allot
echo "python/tests/run.sh: mypy (the stubs type the tests and the benchmark)"
"$python" -m mypy --no-incremental --cache-dir "$scratch/mypy" "$root/python/tests" "$root/python/bench"
echo "python/tests/run.sh: pytest"
"$python" -m pytest -p no:cacheprovider --rootdir "$root/python/tests" "$root/python/tests" "$@"
