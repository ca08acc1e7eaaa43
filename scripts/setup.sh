#!/usr/bin/env bash
# Set up everything wiring needs on a fresh machine: the Graphviz `dot` program (for images)
# and a virtual environment in .venv with wiring and its development tools.
set -euo pipefail
cd "$(dirname "$0")/.."

GRAPHVIZ_HELP="install Graphviz yourself (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz; Fedora: dnf install graphviz; others: https://graphviz.org/download/); checking and analysing work without it, rendering images does not (\`wiring doctor\` tells)"
if ! command -v dot >/dev/null 2>&1; then
  echo "==> installing Graphviz (the dot program)"
  SUDO=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
  installed=0
  if command -v apt-get >/dev/null 2>&1; then
    $SUDO apt-get update -qq && \
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq graphviz >/dev/null && installed=1
  elif command -v brew >/dev/null 2>&1; then
    brew install graphviz && installed=1
  elif command -v dnf >/dev/null 2>&1; then
    $SUDO dnf install -y graphviz && installed=1
  fi
  # Without Graphviz the rest still works: warn and go on rather than stop half-way.
  [ "$installed" = 1 ] || echo "warning: could not install Graphviz: $GRAPHVIZ_HELP" >&2
fi

# TeX Live's LaTeX and PGF/TikZ: only to compile `wiring render -o fig.tex --standalone` (the
# tests compile every example's figure). Without them everything else works. cm-super: the
# T1 fonts of Computer Modern as outlines at every size (a full TeX Live has them), where the
# guillemets of a document in OT1 come from; without it pdflatex makes bitmap (Type 3) fonts,
# which some publishers refuse. poppler's pdftotext: the tests read back what a figure prints.
if ! command -v pdflatex >/dev/null 2>&1 || ! kpsewhich tikz.sty >/dev/null 2>&1 \
    || ! kpsewhich sfss0900.pfb >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then
  echo "==> installing TeX Live's LaTeX and TikZ (pdflatex)"
  SUDO=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
  installed=0
  if command -v apt-get >/dev/null 2>&1; then
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
      --no-install-recommends texlive-latex-base texlive-pictures cm-super poppler-utils >/dev/null \
      && installed=1
  elif command -v brew >/dev/null 2>&1; then
    brew install --cask basictex && brew install poppler && installed=1
  elif command -v dnf >/dev/null 2>&1; then
    $SUDO dnf install -y texlive-latex texlive-pgf texlive-cm-super poppler-utils && installed=1
  fi
  [ "$installed" = 1 ] || echo "warning: could not install TeX Live (pdflatex with TikZ): \
TikZ figures are still written, but not compiled by the tests; install texlive-latex-base \
texlive-pictures and cm-super (Debian) to compile them" >&2
fi

# Debian's Chromium, headless: only for the tests that drive a browser (the page of `wiring watch
# --serve` reloading, and the Mermaid CLI, which draws every `wiring render -o fig.mmd`).
# Without it everything else works.
if ! [ -x /usr/bin/chromium ]; then
  echo "==> installing Chromium (for the browser tests: watch --serve, Mermaid)"
  SUDO=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
  installed=0
  if command -v apt-get >/dev/null 2>&1; then
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
      --no-install-recommends chromium >/dev/null && installed=1
  fi
  [ "$installed" = 1 ] || echo "warning: could not install Chromium at /usr/bin/chromium: \
\`wiring watch --serve\` works in any browser and Mermaid charts are still written, but the \
tests that drive a browser cannot run; install the Debian package chromium" >&2
fi

# The npm packages of the VS Code extension (editors/vscode: the test tokenises with VS Code's
# own TextMate engine; the .vsix) and the Mermaid CLI (tools/mermaid, from its lock file;
# puppeteer's own browser download is skipped: tools/mermaid/puppeteer.json points it at
# /usr/bin/chromium), where Node.js is present.
if command -v npm >/dev/null 2>&1; then
  echo "==> installing the VS Code extension's npm packages and packaging editors/vscode/wiring.vsix"
  (cd editors/vscode && npm ci --no-audit --no-fund --loglevel=error && \
    npm run --silent package >/dev/null) || \
    echo "warning: could not build the VS Code extension (editors/vscode): npm ci or vsce failed" >&2
  echo "==> installing the Mermaid CLI (tools/mermaid)"
  (cd tools/mermaid && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --silent) || \
    echo "warning: npm ci failed in tools/mermaid: Mermaid charts are not parsed by the tests" >&2
else
  echo "warning: Node.js (npm) is not installed: the VS Code extension editors/vscode/wiring.vsix \
is not built, Mermaid charts are not parsed, and their tests cannot run; install Node.js 20 or \
later and run scripts/setup.sh again" >&2
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
echo "==> installing wiring into .venv"
.venv/bin/python -m pip install -q --upgrade pip
# The distribution was called `wiring` before it took the free name wiring-diagrams: a .venv made
# then still holds that one, which would install the same package and command a second time.
if .venv/bin/python -m pip show -q wiring >/dev/null 2>&1; then
  .venv/bin/python -m pip uninstall -q -y wiring
fi
.venv/bin/python -m pip install -q -e '.[dev,plot,docs,watch,lsp]'
# Compile wiring's modules once: Python still reads bytecode when PYTHONDONTWRITEBYTECODE is
# set, and an editable install is otherwise recompiled by every process (30-50 ms a start).
.venv/bin/python -m compileall -q wiring
