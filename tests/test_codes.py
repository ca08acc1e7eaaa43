"""Every diagnostic code is documented, has an example, and the example triggers it."""

import re
from pathlib import Path

import pytest

import wiring
from wiring.codes import CODES, explain
from wiring.cli import main

ROOT = Path(__file__).resolve().parent.parent
WITH_EXAMPLES = [c for c, e in CODES.items() if e.example is not None and not c.startswith("S")]


def _check_example(tmp_path, code):
    entry = CODES[code]
    for name, text in entry.files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    main_file = tmp_path / "example.wd"
    main_file.write_text(entry.example)
    result = wiring.check_file(str(main_file))
    if result.ok and result.proposal is not None:
        # codes such as W0124 come from the analyses, which run on checked proposals
        from wiring.analysis import analyse

        analysis = analyse(result.proposal)
        if analysis is not None:
            result.diagnostics += [f for f in analysis.findings if not f.code.startswith("S")]
    return result


@pytest.mark.parametrize("code", WITH_EXAMPLES)
def test_example_triggers_its_code(tmp_path, code):
    result = _check_example(tmp_path, code)
    codes = [d.code for d in result.diagnostics]
    assert code in codes, result.report()


@pytest.mark.parametrize("code", WITH_EXAMPLES)
def test_example_gives_no_unrelated_error(tmp_path, code):
    """One mistake, one diagnostic: the minimal example of a code raises no other error."""
    result = _check_example(tmp_path, code)
    others = {d.code for d in result.diagnostics if d.severity == "error"} - {code}
    assert not others, result.report()


@pytest.mark.parametrize("code", WITH_EXAMPLES)
def test_diagnostics_point_into_the_file(tmp_path, code):
    result = _check_example(tmp_path, code)
    for diagnostic in result.diagnostics:
        assert diagnostic.span is not None, diagnostic
        lines = result.sources[diagnostic.span.file].split("\n")
        assert 1 <= diagnostic.span.line <= len(lines)
        assert diagnostic.help or diagnostic.code.startswith("E0") and diagnostic.label
        text = result.report()
        assert f"[{code}]" in text and "-->" in text and "^" in text


def test_every_code_the_package_emits_is_documented():
    source = "\n".join(p.read_text() for p in (ROOT / "wiring").rglob("*.py")
                       if p.name != "codes.py")
    emitted = set(re.findall(r'"([EWS]\d{4})"', source))
    assert emitted - set(CODES) == set(), "undocumented codes"
    # and every documented code is emitted somewhere (no stale documentation)
    assert set(CODES) - emitted == set(), "documented codes that nothing emits"


def test_codes_without_example_say_how_to_trigger_them():
    for code, entry in CODES.items():
        assert entry.example is not None or entry.trigger, code


def test_explain_prints_the_example(capsys):
    assert main(["explain", "E0204"]) == 0
    out = capsys.readouterr().out
    assert "interval not contained" in out and "Real in [0, 10]" in out


def test_explain_unknown_code_is_a_usage_error(capsys):
    assert main(["explain", "E9999"]) == 2
    assert "no diagnostic code" in capsys.readouterr().err


def test_explain_is_case_insensitive(capsys):
    assert main(["explain", "e0220"]) == 0
    assert explain("E0220").splitlines()[0] in capsys.readouterr().out


def test_docs_list_every_code():
    diagnostics = (ROOT / "docs" / "diagnostics.md").read_text()
    analyses = (ROOT / "docs" / "analyses.md").read_text()
    for code, entry in CODES.items():
        text = analyses if code.startswith("S") else diagnostics
        assert f"### {code}: {entry.title}" in text, code


def test_diagnostics_doc_is_generated_from_the_table():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
