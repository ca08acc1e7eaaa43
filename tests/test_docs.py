"""Every proposal shown in the documentation checks clean."""

import re

import pytest

import wiring

from conftest import ROOT

DOCS = [ROOT / "README.md", ROOT / "docs" / "language.md"]


def _blocks():
    for path in DOCS:
        text = path.read_text()
        for number, match in enumerate(re.finditer(r"```wd\n(.*?)```", text, re.S), start=1):
            yield pytest.param(match.group(1), id=f"{path.name}-{number}")
    readme = (ROOT / "README.md").read_text()
    # the README's first proposal is in a plain block: check it too
    for number, match in enumerate(re.finditer(r"```\n(proposal .*?)```", readme, re.S), start=1):
        yield pytest.param(match.group(1), id=f"README-plain-{number}")


@pytest.mark.parametrize("text", list(_blocks()))
def test_documented_proposal_checks_clean(text):
    result = wiring.check_text(text, "doc.wd")
    assert result.ok, result.report()
