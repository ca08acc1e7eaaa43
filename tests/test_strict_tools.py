"""A test that needs a system tool skips when it is missing, saying which and how to get it, and
fails instead under WIRING_TEST_STRICT=1, which scripts/test.sh (what CI runs) sets."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

NEEDS_TOOLS = """\
import pytest

@pytest.mark.needs_tool("dot")
def test_draws():
    pass

@pytest.mark.needs_tool("pdflatex")
def test_compiles():
    pass
"""


def run_pytest(tmp_path, strict: bool) -> subprocess.CompletedProcess:
    shutil.copy(ROOT / "tests" / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_tools.py").write_text(NEEDS_TOOLS, encoding="utf-8")
    empty = tmp_path / "no-tools"            # a PATH on which neither tool is found
    empty.mkdir()
    env = {**os.environ, "PATH": str(empty), "WIRING_TEST_STRICT": "1" if strict else "0"}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:randomly",
                           "-p", "no:cacheprovider", str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("strict", [False, True])
def test_a_missing_tool_skips_or_under_the_strict_flag_fails(tmp_path, strict):
    run = run_pytest(tmp_path, strict)
    out = run.stdout
    assert "Graphviz `dot` is not installed (bash scripts/setup.sh installs it)" in out, out
    assert "TeX Live's `pdflatex` is not installed" in out, out
    if strict:
        assert run.returncode == 1 and "2 errors" in out and "does not skip" in out, out
    else:
        assert run.returncode == 0 and "2 skipped" in out, out


def test_the_readme_test_command_sets_the_strict_flag():
    script = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert "WIRING_TEST_STRICT=1 .venv/bin/python -m pytest" in script
