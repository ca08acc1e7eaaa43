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
                       if p.parent.name != "codes")
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


def test_every_code_has_its_severity_and_label():
    for code, entry in CODES.items():
        assert entry.label.strip(), code
        expected = {"E": {"error"}, "W": {"warning"}, "S": {"error", "warning"}}[code[0]]
        assert entry.severity in expected, code
        assert not entry.usage or entry.stops, code  # a usage error is one that stops


def _fields(template: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_templates_name_plain_fields():
    """Labels and helps are `str.format` templates: a literal brace is doubled, and a field is
    a plain name (a fact the report passes), not an attribute or an index."""
    for code, entry in CODES.items():
        for template in (entry.label, entry.help):
            for name in _fields(template):
                assert name.isidentifier(), (code, template)


def _report_sites():
    """(codes, keywords) of every `report(CODE, ...)` call in the package: the codes a literal
    (or `A if cond else B`) names, None when the code is computed."""
    import ast

    def literal_codes(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            body, orelse = literal_codes(node.body), literal_codes(node.orelse)
            return body | orelse if body is not None and orelse is not None else None
        return None

    for path in sorted((ROOT / "wiring").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "report" \
                    and node.args and not isinstance(node.args[0], ast.Call):
                yield (path.name, node.lineno), literal_codes(node.args[0]), \
                    {k.arg for k in node.keywords}


def test_every_template_field_is_supplied_by_the_reports():
    """Each report that takes a code's default label or help passes every fact its template
    names; a code raised only with a computed code (E0204 from a type mismatch) has templates
    without fields, since no site can be checked to fill them."""
    named: set[str] = set()
    for site, codes, keywords in _report_sites():
        for code in codes or ():
            named.add(code)
            for part in ("label", "help"):
                if part not in keywords:
                    missing = _fields(getattr(CODES[code], part)) - keywords
                    assert not missing, (site, code, part, missing)
    for code, entry in CODES.items():
        if code not in named:
            assert not _fields(entry.label) and not _fields(entry.help), code
