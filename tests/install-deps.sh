#!/usr/bin/env bash
# Installs what the test suites need beyond the Rust toolchain, if it is missing:
# Debian packages (a C compiler, cmocka, valgrind, pkg-config, chromium for the dashboard test;
# root needed) and a Python virtual environment in target/venv with maturin, pytest, hypothesis,
# mypy and playwright (which drives Debian's chromium: it never downloads a browser).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v cc >/dev/null || packages+=(gcc)
command -v valgrind >/dev/null || packages+=(valgrind)
command -v pkg-config >/dev/null || packages+=(pkg-config)
[ -f /usr/include/cmocka.h ] || packages+=(libcmocka-dev)
python3 -c 'import venv, ensurepip' 2>/dev/null || packages+=(python3-venv)
command -v chromium >/dev/null || packages+=(chromium)
if [ ${#packages[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: missing Debian packages: ${packages[*]} (run as root, or install them)" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"
fi

venv=target/venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 "$venv/bin/python" -m pip install -q --disable-pip-version-check \
    -r python/requirements-dev.txt
