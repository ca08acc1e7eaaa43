#!/usr/bin/env bash
# Set up, then check and render the bundled RLHF example.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/wiring check examples/rlhf.wd
if .venv/bin/wiring --help 2>/dev/null | grep -q "render"; then
  mkdir -p out
  .venv/bin/wiring render examples/rlhf.wd -o out/rlhf.svg
  echo "rendered out/rlhf.svg"
fi
