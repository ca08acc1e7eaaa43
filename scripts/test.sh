#!/usr/bin/env bash
# Set up, then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# A test that needs Graphviz or TeX Live fails here when the set-up could not install it
# (a plain `pytest` skips it, saying why).
WIRING_TEST_STRICT=1 .venv/bin/python -m pytest "$@"
