#!/usr/bin/env bash
# Set up, then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# A test that needs Graphviz or TeX Live fails here when the set-up could not install it
# (a plain `pytest` skips it, saying why).
# The suite is mostly rendering (Graphviz and the tidying of its layouts): it runs on every CPU
# (pytest-xdist; `-n 0` after the script's name runs it in one process), and names its slowest
# tests, where to look when it grows.
WIRING_TEST_STRICT=1 .venv/bin/python -m pytest -n auto --durations=15 "$@"
