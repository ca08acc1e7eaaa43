"""`--format github` and `--format sarif` of `wiring check` and `wiring lint` (issue 16, item 2):
the SARIF log is valid against the SARIF 2.1.0 schema (vendored in tests/data/sarif/), both
formats carry exactly what `--format json` reports, at the same places, and the output is the
same bytes whatever the hash seed; `.pre-commit-hooks.yaml` names real commands."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from wiring.cli import build_parser, main
from wiring.codes import CODES, explain

from conftest import EXAMPLES, ROOT

SCHEMAS = sorted((ROOT / "tests" / "data" / "sarif").glob("*.json"))
LEVELS = {"error": "error", "warning": "warning", "note": "notice"}
# A file of every kind of check problem a CI run meets: an unknown type, a wire between ports
# of different types (with the declarations as related places), an unused box (a warning).
BROKEN = """type Prompt
type Response
component Policy : policy, learned {
  in  prompt   : Prompt
  out response : Response
}
component Judge : human {
  in  prompt : Prompt
  out score  : Real in [0, 1]
}
component Odd : human {
  in x : Missing
}
component Log : source {
  out prompt : Prompt
}
diagram D {
  in prompt : Prompt
  pi = Policy
  j  = Judge
  spare = Log
  prompt -> pi.prompt
  pi.response -> j.prompt
}
"""


def run(capsys, *argv) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def validate(log: dict) -> None:
    assert len(SCHEMAS) == 2, "tests/data/sarif/ lost a schema"
    for path in SCHEMAS:
        schema = json.loads(path.read_text(encoding="utf-8"))
        validator = jsonschema.validators.validator_for(schema)
        validator(schema, format_checker=validator.FORMAT_CHECKER).validate(log)


def json_diagnostics(capsys, command: str, files: list[str]) -> list[dict]:
    """What `--format json` reports, diagnostic by diagnostic, in its order."""
    _, out = run(capsys, command, *files, "--format", "json")
    found = []
    for entry in json.loads(out):
        found += entry["diagnostics"] + entry.get("findings", [])
    return found


@pytest.fixture
def broken(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("broken.wd").write_text(BROKEN, encoding="utf-8")
    return "broken.wd"


def _region(span: dict) -> dict:
    return {"startLine": span["line"], "startColumn": span["column"],
            "endLine": span["end_line"], "endColumn": span["end_column"]}


def _same(result: dict, diagnostic: dict) -> None:
    """A SARIF result says what the JSON diagnostic says, where it says it."""
    assert result["ruleId"] == diagnostic["code"]
    assert result["level"] == diagnostic["severity"]
    assert result["message"]["text"].split("\n")[0] == diagnostic["message"]
    if diagnostic["help"]:
        assert result["message"]["text"].endswith("help: " + diagnostic["help"])
    (location,) = result["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == Path(diagnostic["span"]["file"]).as_posix()
    assert physical["region"] == _region(diagnostic["span"])
    related = [(r["physicalLocation"]["region"], r["message"]["text"])
               for r in result.get("relatedLocations", [])]
    for note in diagnostic["related"]:
        assert (_region(note["span"]), note["message"]) in related
    assert ("suppressions" in result) == (diagnostic["acknowledged"] is not None)


def test_check_sarif_is_valid_and_says_what_json_says(broken, capsys):
    code, out = run(capsys, "check", broken, "--format", "sarif")
    assert code == 1
    log = json.loads(out)
    validate(log)
    (sarif_run,) = log["runs"]
    expected = json_diagnostics(capsys, "check", [broken])
    assert {d["severity"] for d in expected} == {"error", "warning"}
    assert any(d["related"] for d in expected)
    assert len(sarif_run["results"]) == len(expected)
    for result, diagnostic in zip(sarif_run["results"], expected):
        _same(result, diagnostic)


def test_lint_sarif_of_every_example_is_valid_and_says_what_json_says(capsys):
    files = [str(p.relative_to(ROOT)) for p in EXAMPLES]
    code, out = run(capsys, "lint", *files, "--format", "sarif")
    json_code, _ = run(capsys, "lint", *files, "--format", "json")
    assert code == json_code
    log = json.loads(out)
    validate(log)
    results = log["runs"][0]["results"]
    expected = json_diagnostics(capsys, "lint", files)
    assert any(d["acknowledged"] for d in expected) and any(d["witness"] for d in expected)
    assert len(results) == len(expected)
    for result, diagnostic in zip(results, expected):
        _same(result, diagnostic)
        if diagnostic["witness"]:
            assert result["properties"]["witness"] == diagnostic["witness"]


def test_every_code_is_a_rule_documented_at_its_help_uri(broken, capsys):
    _, out = run(capsys, "check", broken, "--format", "sarif")
    driver = json.loads(out)["runs"][0]["tool"]["driver"]
    rules = driver["rules"]
    assert [r["id"] for r in rules] == sorted(CODES)
    for result in json.loads(out)["runs"][0]["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    headings = {}
    for page in ("diagnostics.md", "analyses.md"):
        for heading in re.findall(r"^### (.+)$", (ROOT / "docs" / page).read_text("utf-8"), re.M):
            # GitHub's anchor of a heading: lower case, punctuation dropped, spaces hyphens
            slug = re.sub(r"[^a-z0-9_ -]", "", heading.lower()).replace(" ", "-")
            headings[f"{page}#{slug}"] = heading
    for rule in rules:
        entry = CODES[rule["id"]]
        assert rule["shortDescription"]["text"] == entry.title
        assert rule["fullDescription"]["text"] == entry.explanation
        assert rule["defaultConfiguration"]["level"] == entry.severity
        assert rule["help"]["text"] == explain(rule["id"])
        page_anchor = rule["helpUri"].rsplit("/docs/", 1)[1]
        assert headings.get(page_anchor, "").startswith(rule["id"] + ":"), rule["helpUri"]
    assert driver["name"] == "wiring"
    assert driver["version"] == __import__("wiring").__version__


def unescape(text: str) -> str:
    return (text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":")
            .replace("%2C", ",").replace("%25", "%"))


ANNOTATION = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")


def annotations(out: str) -> list[tuple[str, dict, str]]:
    """The workflow commands printed, read back as GitHub's runner reads them."""
    found = []
    for line in out.splitlines():
        match = ANNOTATION.match(line)
        assert match, f"not a workflow command: {line!r}"
        level, properties, message = match.groups()
        pairs = dict(p.split("=", 1) for p in properties.split(","))
        found.append((level, {k: unescape(v) for k, v in pairs.items()}, unescape(message)))
    return found


def _annotated(annotation, diagnostic: dict) -> None:
    level, properties, message = annotation
    span = diagnostic["span"]
    assert level == LEVELS[diagnostic["severity"]]
    assert properties == {"file": Path(span["file"]).as_posix(), "line": str(span["line"]),
                          "col": str(span["column"]), "endLine": str(span["end_line"]),
                          "endColumn": str(span["end_column"]), "title": diagnostic["code"]}
    assert message.split("\n")[0] == diagnostic["message"]


def test_github_annotations_say_what_json_says(capsys):
    files = [str(p.relative_to(ROOT)) for p in EXAMPLES]
    code, out = run(capsys, "lint", *files, "--format", "github")
    json_code, _ = run(capsys, "lint", *files, "--format", "json")
    assert code == json_code
    standing = [d for d in json_diagnostics(capsys, "lint", files) if d["acknowledged"] is None]
    found = annotations(out)
    assert len(found) == len(standing) > 0
    for annotation, diagnostic in zip(found, standing):
        _annotated(annotation, diagnostic)


def test_github_escapes_what_the_runner_would_cut(tmp_path, monkeypatch, capsys):
    # a file name with `,` and `:`, a message with `%` and help on a second line
    monkeypatch.chdir(tmp_path)
    name = "a,b:c 100%.wd"
    Path(name).write_text(BROKEN, encoding="utf-8")
    code, out = run(capsys, "check", name, "--format", "github")
    assert code == 1
    assert ",b:" not in out   # one line per annotation (`annotations` reads each), escaped
    found = annotations(out)
    assert found and all(props["file"] == name for _, props, _ in found)
    assert any("\nhelp: " in message for _, _, message in found)
    for annotation, diagnostic in zip(found, json_diagnostics(capsys, "check", [name])):
        _annotated(annotation, diagnostic)


def test_a_clean_file_prints_nothing_and_exits_0(capsys):
    assert run(capsys, "check", "examples/rlhf.wd", "--format", "github") == (0, "")
    code, out = run(capsys, "check", "examples/rlhf.wd", "--format", "sarif")
    assert code == 0 and json.loads(out)["runs"][0]["results"] == []


def test_lint_of_a_file_that_fails_check_reports_the_check(broken, capsys):
    code, out = run(capsys, "lint", broken, "--format", "sarif")
    assert code == 1
    log = json.loads(out)   # standard output is the log alone
    validate(log)
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == \
        [d["code"] for d in json_diagnostics(capsys, "check", [broken])]
    code, out = run(capsys, "lint", broken, "--format", "github")
    assert code == 1 and len(annotations(out)) == len(log["runs"][0]["results"])


def test_a_file_outside_the_working_directory_is_named_by_its_absolute_path(
        tmp_path, monkeypatch, capsys):
    (tmp_path / "broken.wd").write_text(BROKEN, encoding="utf-8")
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    _, out = run(capsys, "check", str(tmp_path / "broken.wd"), "--format", "sarif")
    log = json.loads(out)
    validate(log)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in log["runs"][0]["results"]}
    assert uris == {(tmp_path / "broken.wd").as_uri()}
    _, out = run(capsys, "check", str(tmp_path / "broken.wd"), "--format", "github")
    assert {p["file"] for _, p, _ in annotations(out)} == {(tmp_path / "broken.wd").as_posix()}


def test_a_place_in_a_json_model_is_its_file_and_pointer(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["export", str(ROOT / "examples" / "rlhf.wd"), "-o", "model.json"]) == 0
    model = json.loads(Path("model.json").read_text(encoding="utf-8"))
    model["schema_version"] = 99
    Path("model.json").write_text(json.dumps(model), encoding="utf-8")
    capsys.readouterr()
    code, out = run(capsys, "check", "model.json", "--format", "sarif")
    assert code == 1
    log = json.loads(out)
    validate(log)
    (result,) = log["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "model.json"}}
    assert "(at /schema_version)" in result["message"]["text"]
    _, out = run(capsys, "check", "model.json", "--format", "github")
    ((_, properties, _),) = annotations(out)
    assert properties == {"file": "model.json", "title": result["ruleId"]}


def test_output_is_the_same_bytes_whatever_the_hash_seed():
    files = [str(p.relative_to(ROOT)) for p in EXAMPLES[:6]]
    outputs = set()
    for seed in ("0", "1", "12345"):
        for fmt in ("sarif", "github"):
            done = subprocess.run([sys.executable, "-m", "wiring", "lint", *files, "--format", fmt],
                                  capture_output=True, cwd=ROOT,
                                  env={**os.environ, "PYTHONHASHSEED": seed})
            assert done.stdout and done.returncode in (0, 1), done.stderr
            outputs.add((fmt, done.stdout))
    assert len(outputs) == 2


def test_pre_commit_hooks_run_real_commands_on_proposals(capsys):
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (sub,) = [a for a in build_parser()._actions if a.dest == "command"]
    assert {h["id"] for h in hooks} >= {"wiring-check", "wiring-lint", "wiring-fmt"}
    for hook in hooks:
        program, command, *options = hook["entry"].split()
        assert program == "wiring" and command in sub.choices, hook["entry"]
        assert hook["id"] == f"wiring-{command}" and hook["language"] == "python"
        files = re.compile(hook["files"])
        assert files.search("examples/rlhf.wd") and not files.search("wiring/cli/formats.py")
        # pre-commit appends the staged files' names to the entry: they are read (a proposal
        # gives a verdict, 0 or 1; a missing file is an I/O error, 2)
        assert main([command, *options, "examples/rlhf.wd"]) in (0, 1)
        assert main([command, *options, "examples/rlhf.wd", "examples/no/such.wd"]) == 2
    capsys.readouterr()
