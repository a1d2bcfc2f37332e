#!/usr/bin/env bash
# The C suites (being built).
set -euo pipefail
