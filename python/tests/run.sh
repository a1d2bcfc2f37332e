#!/usr/bin/env bash
# The Python suites (being built).
set -euo pipefail
