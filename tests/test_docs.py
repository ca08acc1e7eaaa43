"""The documentation is tested: every proposal it shows checks, every Python example runs, and
the commands of the tutorial and the guide run and print what the page says they print.

Fenced blocks are read by their info string (the words after the opening ```):

- ```wd: a proposal; it must check clean. ```wd-error: it must fail to check (a deliberate
  mistake the text explains).
- ```wd FILE (or ```wd-error FILE): the whole of FILE at this point of a page that builds a
  file step by step; ```wd FILE append adds the block to the end of FILE. FILE, as it now
  reads, must check clean (or fail, for wd-error). A ```wd FILE block for a file the page has
  already built must equal it: the page recaps the file, it does not silently change it.
- ```diff FILE: a change to FILE in unified-diff form (lines starting with ` `, `-` or `+`;
  hunks separated by lines starting with `@@`); the context and removed lines must occur in
  FILE exactly once, and FILE after the change must check clean.
- ```sh: on the pages in SHELL_PAGES, every line starting with `wiring ` is run in a temporary
  directory holding the page's files as built so far; it must exit with 0 or 1 (never 2, usage
  or I/O, nor 70, an internal error). A ```text block right after an ```sh block is what those
  commands print (standard error, then standard output, as in a terminal); a line `...` stands
  for any number of lines.
- ```python: a Python session, in doctest form (`>>>` and `...` lines, then what they print),
  on any page. It runs with `doctest` (ELLIPSIS and NORMALIZE_WHITESPACE: `...` in an output
  stands for any text, and line breaks in an output may fall at any space) in a fresh namespace,
  from a temporary directory in which `examples/` is the repository's, so the examples' paths
  work as from the repository root and whatever the code writes stays in the temporary
  directory; on the pages in SHELL_PAGES it runs in the page's replay, beside the page's files.
  Every output is compared, so a page cannot show what the code does not print. A session
  that draws with Graphviz is skipped when Graphviz is missing.

docs/diagnostics.md, docs/analyses.md and docs/incentive_examples.md have their own tests
(tests/test_codes.py, tests/test_analyses.py); docs/gallery.md is generated.
"""

from __future__ import annotations

import doctest
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import wiring
from wiring.render import find_dot

from conftest import ROOT, require_tool

OWN_TESTS = {"diagnostics.md", "analyses.md", "incentive_examples.md", "gallery.md"}
PAGES = [ROOT / "README.md"] + sorted(p for p in (ROOT / "docs").glob("*.md")
                                      if p.name not in OWN_TESTS)
SHELL_PAGES = {"tutorial.md", "paper_to_proposal.md"}
# Every page, those with their own tests included: a Python example anywhere is checked here.
PYTHON_SCANNED = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
DOCTEST_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
NEEDS_GRAPHVIZ = re.compile(r"\b(render|to_svg|_repr_svg_)\(")

FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.S | re.M)


@dataclass
class Block:
    page: Path
    line: int
    lang: str
    words: list[str]
    text: str

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def file(self) -> str | None:
        return self.words[0] if self.words and self.words[0] != "append" else None


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        info = match.group(1).split()
        found.append(Block(page, text.count("\n", 0, match.start()) + 1,
                           info[0] if info else "", info[1:], match.group(2)))
    return found


def _id(block: Block) -> str:
    return f"{block.page.name}:{block.line}"


# ------------------------------------------------------------------------ standalone proposals

def _standalone():
    for page in PAGES:
        for block in blocks(page):
            if block.lang in ("wd", "wd-error") and (block.file is None or
                                                      page.name not in SHELL_PAGES):
                yield pytest.param(block, id=_id(block))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    # the README's first proposal is in a plain block: check it too
    for number, match in enumerate(re.finditer(r"```\n(proposal .*?)```", readme, re.S), start=1):
        yield pytest.param(Block(ROOT / "README.md", 0, "wd", [], match.group(1)),
                           id=f"README-plain-{number}")


@pytest.mark.parametrize("block", list(_standalone()))
def test_documented_proposal_checks(block):
    result = wiring.check_text(block.text, "doc.wd")
    if block.lang == "wd-error":
        assert not result.ok, f"{block.where}: marked wd-error but checks clean"
    else:
        assert result.ok, f"{block.where}:\n{result.report()}"


# ------------------------------------------------------------------------ Python examples

def _python():
    for page in PYTHON_SCANNED:
        if page.name in SHELL_PAGES:
            continue  # the python blocks of pages with files run in the page's replay
        for block in blocks(page):
            if block.lang == "python":
                yield pytest.param(block, id=_id(block))


def _workspace(tmp_path: Path) -> Path:
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    return tmp_path


def run_session(block: Block) -> str:
    """Run a ```python block as a doctest in the current directory; the doctest report of
    every example whose output differs from the page's (empty when all agree)."""
    assert block.text.lstrip().startswith(">>> "), (
        f"{block.where}: a Python example is a session (`>>> ` lines, then what they print), "
        "so that tests/test_docs.py can compare its output with the page")
    parser = doctest.DocTestParser()
    test = parser.get_doctest(block.text, {"__name__": "__main__"}, block.where,
                              str(block.page.relative_to(ROOT)), block.line)
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=DOCTEST_FLAGS)
    runner.run(test, out=report.append, clear_globs=True)
    return "".join(report)


def _run_python(block: Block, cwd: Path, monkeypatch) -> None:
    monkeypatch.chdir(cwd)
    failures = run_session(block)
    assert not failures, f"{block.where}: the page shows what the code does not print:\n" \
                         f"{failures}"


@pytest.mark.parametrize("block", list(_python()))
def test_documented_python_runs(block, tmp_path, monkeypatch):
    if NEEDS_GRAPHVIZ.search(block.text):
        require_tool("dot")
    _run_python(block, _workspace(tmp_path), monkeypatch)


def test_a_wrong_printed_output_fails():
    """The check can fail: a page that shows an output the code does not print is reported,
    with what the code prints instead."""
    page = ROOT / "docs" / "python_api.md"
    wrong = Block(page, 1, "python", [], '>>> import wiring\n>>> wiring.check_file('
                  '"examples/rlhf.wd").ok\nFalse\n')
    report = run_session(wrong)
    assert "Expected:\n    False\nGot:\n    True" in report
    right = Block(page, 1, "python", [], ">>> print('a long message, examples/rlhf.wd')\n"
                  "a long ...,\n   examples/rlhf.wd\n")
    assert run_session(right) == ""   # ELLIPSIS and NORMALIZE_WHITESPACE


def test_a_python_example_is_a_session():
    """An example written as a script with its output in comments cannot be checked, so it is
    refused."""
    script = Block(ROOT / "docs" / "python_api.md", 1, "python", [], "print(1 + 1)   # 3\n")
    with pytest.raises(AssertionError, match="is a session"):
        run_session(script)


# ------------------------------------------------------------------------ pages that build files

def apply_diff(text: str, diff: str, where: str) -> str:
    for hunk in re.split(r"^@@.*\n", diff, flags=re.M):
        if not hunk.strip():
            continue
        old, new = [], []
        for line in hunk.splitlines():
            mark, rest = (line[:1], line[1:]) if line else (" ", "")
            if mark == " ":
                old.append(rest)
                new.append(rest)
            elif mark == "-":
                old.append(rest)
            elif mark == "+":
                new.append(rest)
            else:
                raise AssertionError(f"{where}: a diff line starts with {mark!r}, not ' ', '-' "
                                     f"or '+': {line!r}")
        assert any(line.strip() for line in old), f"{where}: a hunk needs context lines"
        before, after = "\n" + "\n".join(old) + "\n", "\n" + "\n".join(new) + "\n"
        count = ("\n" + text).count(before)
        assert count == 1, f"{where}: the diff's context occurs {count} times, not once:\n{before}"
        text = ("\n" + text).replace(before, after)[1:]
    return text


def _wiring_command() -> list[str]:
    script = Path(sys.executable).with_name("wiring")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from wiring.cli import main; sys.exit(main())"]


def _matches(expected: str, actual: str) -> bool:
    pattern = "".join(r"(?:.*\n)*?" if line == "..." else re.escape(line) + r"\n"
                      for line in expected.splitlines())
    return re.fullmatch(pattern, actual.rstrip("\n") + "\n") is not None


def _replayed():
    for page in PAGES:
        if page.name in SHELL_PAGES:
            yield pytest.param(page, id=page.name)


@pytest.mark.parametrize("page", list(_replayed()))
def test_page_replays(page, tmp_path, monkeypatch):
    """Follow the page as a reader would: write its files, run its commands and its Python,
    and compare what the commands print with what the page shows."""
    work = _workspace(tmp_path)
    files: dict[str, str] = {}
    # The `wiring` script imports the installed package; PYTHONPATH makes it this checkout's
    # (a worktree beside an editable install of another one would otherwise test that one).
    env = dict(os.environ, NO_COLOR="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    last_output: str | None = None
    ran = 0

    def write_and_check(block: Block, name: str, expect_ok: bool) -> None:
        (work / name).write_text(files[name], encoding="utf-8")
        result = wiring.check_file(str(work / name))
        if expect_ok:
            assert result.ok, f"{block.where}: `{name}` does not check:\n{result.report()}"
        else:
            assert not result.ok, f"{block.where}: marked wd-error but `{name}` checks clean"

    for block in blocks(page):
        if block.lang in ("wd", "wd-error") and block.file is not None:
            name = block.file
            if "append" in block.words[1:]:
                assert name in files, f"{block.where}: appends to `{name}`, not written yet"
                files[name] = files[name].rstrip("\n") + "\n\n" + block.text
            elif name in files:
                assert block.text == files[name], (
                    f"{block.where}: this listing of `{name}` differs from the file the page "
                    "built up to here")
            else:
                files[name] = block.text
            write_and_check(block, name, block.lang == "wd")
            last_output = None
        elif block.lang == "diff":
            name = block.file
            assert name in files, f"{block.where}: a diff of `{name}`, which is not written yet"
            files[name] = apply_diff(files[name], block.text, block.where)
            write_and_check(block, name, True)
            last_output = None
        elif block.lang == "sh":
            output = []
            for line in block.text.splitlines():
                if not line.startswith("wiring "):
                    continue
                argv = _wiring_command() + shlex.split(line, comments=True)[1:]
                run = subprocess.run(argv, cwd=work, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, timeout=300)
                ran += 1
                allowed = (0, 1, 3) if argv[len(_wiring_command())] == "render" and \
                    find_dot() is None else (0, 1)
                assert run.returncode in allowed, (
                    f"{block.where}: `{line}` exited with {run.returncode}:\n{run.stdout}")
                output.append(run.stdout)
            last_output = "".join(output) if output else None
        elif block.lang == "text" and last_output is not None:
            if find_dot() is None and "wrote " in block.text:
                last_output = None
                continue  # without Graphviz, render writes .dot files and says so
            assert _matches(block.text, last_output), (
                f"{block.where}: the page shows\n{block.text}\nbut the commands print\n"
                f"{last_output}")
            last_output = None
        elif block.lang == "python" and not (find_dot() is None
                                             and NEEDS_GRAPHVIZ.search(block.text)):
            for name, text in files.items():
                (work / name).write_text(text, encoding="utf-8")
            _run_python(block, work, monkeypatch)
            last_output = None
        else:
            last_output = None
    if page.name == "tutorial.md":
        assert ran, "the tutorial runs no `wiring` command"
