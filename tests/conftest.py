import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").rglob("*.wd"))

# The system tools some tests need, and what installs them. scripts/test.sh (what CI runs) sets
# WIRING_TEST_STRICT=1, under which a test whose tool is missing fails instead of skipping: a
# set-up that silently lost Graphviz or TeX Live would otherwise pass with those tests unrun.
TOOLS = {"dot": "Graphviz `dot`", "pdflatex": "TeX Live's `pdflatex`",
         "node": "Node.js (`node`, with the npm packages of editors/vscode)",
         "chromium": "Chromium (`chromium`)",
         "mmdc": "the Mermaid CLI (tools/mermaid, `npm ci`) with Debian's chromium",
         "cm-super": "cm-super (Computer Modern's T1 fonts as outlines, for pdflatex)",
         "pdftotext": "poppler's `pdftotext` (Debian: poppler-utils)"}
VSCODE = ROOT / "editors" / "vscode"
# The Mermaid CLI as scripts/setup.sh installs it, and how it runs Debian's chromium.
MMDC = ROOT / "tools" / "mermaid" / "node_modules" / ".bin" / "mmdc"
PUPPETEER_CONFIG = ROOT / "tools" / "mermaid" / "puppeteer.json"
CHROMIUM = "/usr/bin/chromium"
STRICT = os.environ.get("WIRING_TEST_STRICT") == "1"


def missing_tool(name: str) -> str | None:
    """Why a test needing tool `name` cannot run (None: it can)."""
    if name == "pdflatex":
        found = shutil.which("pdflatex") and shutil.which("kpsewhich")
    elif name == "node":   # the tests run node with the packages `npm ci` installs
        found = shutil.which("node") and (VSCODE / "node_modules" / "vscode-textmate").is_dir()
    elif name == "cm-super":     # the sans serif at 9 pt of T1, as a full TeX Live has it
        found = shutil.which("kpsewhich") and subprocess.run(
            ["kpsewhich", "sfss0900.pfb"], capture_output=True, text=True).stdout.strip()
    elif name == "mmdc":
        found = MMDC.exists() and os.access(CHROMIUM, os.X_OK)
    else:
        found = shutil.which(name)
    return None if found else f"{TOOLS[name]} is not installed (bash scripts/setup.sh installs it)"


def require_tool(name: str) -> None:
    """Skip the running test when tool `name` is missing, or fail it under WIRING_TEST_STRICT."""
    reason = missing_tool(name)
    if reason is None:
        return
    if STRICT:
        pytest.fail(f"{reason}; WIRING_TEST_STRICT=1 (scripts/test.sh) does not skip")
    pytest.skip(reason)


def require_package(module: str, extra: str) -> None:
    """Skip the running test when Python module `module` (of wiring's extra `extra`) is not
    installed, or fail it under WIRING_TEST_STRICT: scripts/setup.sh installs every extra."""
    if importlib.util.find_spec(module) is not None:
        return
    reason = (f"{module} is not installed (the `{extra}` extra: bash scripts/setup.sh, or "
              f"pip install -e '.[{extra}]')")
    if STRICT:
        pytest.fail(f"{reason}; WIRING_TEST_STRICT=1 (scripts/test.sh) does not skip")
    pytest.skip(reason, allow_module_level=True)


def pytest_configure(config):
    config.addinivalue_line("markers", "needs_tool(name): the test runs the system tool `name`")


def pytest_runtest_setup(item):
    for marker in item.iter_markers("needs_tool"):
        require_tool(marker.args[0])


@pytest.fixture
def fresh_layouts():
    """For a test that changes how figures are laid out or tidied (monkeypatching
    wiring.render's modules): the layouts kept by their DOT text are forgotten before it and
    after it (`wiring.render.forget_layouts`)."""
    from wiring.render import forget_layouts

    forget_layouts()
    yield
    forget_layouts()


@pytest.fixture(autouse=True)
def _run_from_repository_root(monkeypatch):
    # Tests name files relative to the repository, as a user in a clone would.
    monkeypatch.chdir(ROOT)
