#!/usr/bin/env bash
# Set up everything wiring needs on a fresh machine: the Graphviz `dot` program (for images)
# and a virtual environment in .venv with wiring and its development tools.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dot >/dev/null 2>&1; then
  echo "==> installing Graphviz (the dot program)"
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq graphviz >/dev/null
  elif command -v brew >/dev/null 2>&1; then
    brew install graphviz
  elif command -v dnf >/dev/null 2>&1; then
    sudo dnf install -y graphviz
  else
    echo "warning: install Graphviz yourself (https://graphviz.org/download/);" \
         "checking works without it, rendering images does not" >&2
  fi
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
echo "==> installing wiring into .venv"
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'
# Compile wiring's modules once: Python still reads bytecode when PYTHONDONTWRITEBYTECODE is
# set, and an editable install is otherwise recompiled by every process (30-50 ms a start).
.venv/bin/python -m compileall -q wiring
