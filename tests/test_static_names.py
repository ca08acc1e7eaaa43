"""Every name the code uses is defined: pyflakes' undefined-name check over the package, the
scripts, the benchmarks and the tests. A merge that renames a function on one side and calls
the old name on the other passes every test that does not reach the call; this does not."""

from pathlib import Path

import pytest

from conftest import ROOT, require_package

require_package("pyflakes", "dev")

from pyflakes import api, messages, reporter  # noqa: E402

UNDEFINED = (messages.UndefinedName, messages.UndefinedLocal, messages.UndefinedExport)


class _Collect(reporter.Reporter):
    def __init__(self):
        self.found: list = []

    def flake(self, message):
        self.found.append(message)

    def syntaxError(self, filename, msg, lineno, offset, text):
        self.found.append(f"{filename}:{lineno}: {msg}")

    def unexpectedError(self, filename, msg):
        self.found.append(f"{filename}: {msg}")


@pytest.mark.parametrize("folder", ["wiring", "scripts", "benchmarks", "tests"])
def test_no_undefined_names(folder):
    collect = _Collect()
    for path in sorted((ROOT / folder).rglob("*.py")):
        api.checkPath(str(path), collect)
    problems = [str(m) for m in collect.found
                if isinstance(m, str) or isinstance(m, UNDEFINED)]
    assert not problems, "\n".join(problems)


def test_the_check_finds_an_undefined_name(tmp_path: Path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    return _panels(1)\n", encoding="utf-8")
    collect = _Collect()
    api.checkPath(str(bad), collect)
    assert any(isinstance(m, messages.UndefinedName) for m in collect.found)
