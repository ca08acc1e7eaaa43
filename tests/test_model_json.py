"""The model as JSON (issue 10 items 13 and 14): an export carries what the file declares and
uses, built-ins by name; `load_json` restores them and checks the document as a .wd file is
checked, locating each problem by a JSON pointer; signature models cannot be built ill-formed."""

from __future__ import annotations

import json
import re

import pytest
from pydantic import ValidationError

import wiring
from wiring.cli import main
from wiring.model import Attributes, Component, Num, NumType, OpaqueType, Port

from conftest import EXAMPLES

TEN_LINES = """proposal "Ten lines"
type Prompt
type Response
component Source : source { out prompt : Prompt }
component Pi : policy, learned { in prompt : Prompt; out response : Response }
component Out : sink { in response : Response }
diagram Main {
  s = Source; p = Pi; o = Out
  s.prompt -> p.prompt; p.response -> o.response
}
"""


@pytest.fixture
def ten(tmp_path):
    path = tmp_path / "ten.wd"
    path.write_text(TEN_LINES)
    return path


def _exported(ten) -> dict:
    return json.loads(wiring.load(ten).model_dump_json())


def test_export_of_a_ten_line_file_is_small_and_names_built_ins_by_reference(ten, capsys):
    assert main(["export", str(ten)]) == 0
    text = capsys.readouterr().out
    assert len(text) < 12_000, len(text)   # 23 KB before: the whole prelude
    exported = json.loads(text)
    # the kinds it uses, with their parents; no other built-in
    assert sorted(exported["kinds"]) == ["agent", "environment", "policy", "sink", "source"]
    assert exported["optimisers"] == {}
    assert "built-in" in json.dumps(wiring.Proposal.model_json_schema())  # the schema says how


def test_repr_of_a_proposal_is_short_and_says_what_the_file_declares(ten):
    text = repr(wiring.load(ten))
    assert len(text) < 200, len(text)
    assert text == f"Proposal('Ten lines', file='{ten}', 2 types, 3 components, 1 diagram: Main)"
    assert str(wiring.load(ten)) == text


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_exports_what_it_uses_and_loads_back_to_the_checked_model(path):
    from wiring.analysis import analyse_all
    from wiring.render import to_dot

    proposal = wiring.load(path)
    text = proposal.model_dump_json()
    exported = json.loads(text)
    assert len(exported["kinds"]) < len(proposal.kinds)   # not every built-in kind
    again = wiring.load_json(text)
    assert again == proposal
    assert list(again.components) == list(proposal.components)   # in the same order
    assert again.model_dump_json() == text
    def findings(model):
        report = analyse_all(model)
        return [f.model_dump(mode="json") for a in report.analyses for f in a.findings]

    assert findings(again) == findings(proposal)
    assert to_dot(again) == to_dot(proposal)


def test_an_ill_typed_wire_in_edited_json_is_e0203_at_its_json_pointer(ten):
    exported = _exported(ten)
    wires = exported["diagrams"]["Main"]["wires"]
    wires[1]["source"] = {"instance": "s", "port": "prompt"}   # a Prompt into a Response
    with pytest.raises(wiring.CheckError) as raised:
        wiring.load_json(json.dumps(exported), "ten.json")
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.code == "E0203"
    assert diagnostic.span.pointer == "/diagrams/Main/wires/1"
    assert " --> ten.json: /diagrams/Main/wires/1\n" in raised.value.result.report()


def test_an_unknown_kind_in_edited_json_is_e0102_at_its_json_pointer(ten):
    exported = _exported(ten)
    exported["components"]["Pi"]["attributes"]["kind"] = "polcy"
    result = wiring.check_json(json.dumps(exported), "ten.json")
    assert not result.ok and result.proposal is None
    [diagnostic] = result.diagnostics
    assert (diagnostic.code, str(diagnostic.span)) == \
        ("E0102", "ten.json: /components/Pi/attributes/kind")
    assert "did you mean `policy`?" in diagnostic.help


def test_an_unknown_instance_in_an_edited_wire_is_e0104(ten):
    exported = _exported(ten)
    exported["diagrams"]["Main"]["wires"][0]["target"]["instance"] = "q"
    [diagnostic] = wiring.check_json(json.dumps(exported), "ten.json").diagnostics
    assert (diagnostic.code, diagnostic.span.pointer) == \
        ("E0104", "/diagrams/Main/wires/0/target")


def test_malformed_json_is_a_diagnostic_with_line_and_column():
    result = wiring.check_json('{"file": "x.wd",\n  "title": }', "bad.json")
    [diagnostic] = result.diagnostics
    assert (diagnostic.code, str(diagnostic.span)) == ("E0008", "bad.json:2:12")
    assert "^" in result.report()


def test_a_document_of_another_shape_is_e0009_at_json_pointers(ten):
    exported = _exported(ten)
    exported["components"]["Pi"]["ports"][0]["direction"] = "sideways"
    del exported["diagrams"]["Main"]["wires"][0]["target"]["port"]
    exported["title"] = 7
    result = wiring.check_json(json.dumps(exported), "ten.json")
    found = [(d.code, d.span.pointer) for d in result.diagnostics]
    assert found == [("E0009", "/components/Pi/ports/0/direction"),
                     ("E0009", "/diagrams/Main/wires/0/target"),
                     ("E0009", "/title")], found
    assert "missing field `port`" in result.report()


def test_duplicate_ports_in_json_get_the_code_they_get_in_text(ten):
    exported = _exported(ten)
    ports = exported["components"]["Pi"]["ports"]
    ports.append(dict(ports[0]))
    [diagnostic] = wiring.check_json(json.dumps(exported), "ten.json").diagnostics
    assert (diagnostic.code, diagnostic.span.pointer) == ("E0112", "/components/Pi")


def test_a_signature_with_two_ports_of_one_name_cannot_be_built():
    port = Port(name="x", direction="in", type=OpaqueType(name="Prompt"), written="Prompt")
    with pytest.raises(ValidationError, match="E0112.*|.*`C` has two ports named `x`"):
        Component(name="C", attributes=Attributes(kind="policy"), ports=[port, port])


def test_an_empty_interval_cannot_be_built_and_is_e0115_from_text():
    with pytest.raises(ValidationError, match="empty"):
        NumType(base="Real", lower=Num(value="1"), upper=Num(value="0"))
    result = wiring.check_text("type A\ncomponent C : policy { in a : Real in [1, 0]; out b : A }\n")
    assert [d.code for d in result.diagnostics] == ["E0115"]


def test_a_ten_line_file_using_the_library_exports_only_what_it_uses(tmp_path):
    # a user import, before the library's
    (tmp_path / "mine.wd").write_text("type Note\ncomponent Notes : source { out note : Note }\n")
    path = tmp_path / "main.wd"
    path.write_text('proposal "Ten lines with the library"\nimport "mine.wd"\n'
                    'import "std/models.wd"\nimport "std/world.wd"\n'
                    "component Out : sink { in response : Response; in note : Note }\n"
                    "diagram Main {\n  prompts = PromptDataset; pi = Policy; o = Out; n = Notes\n"
                    "  prompts.prompt -> pi.prompt; pi.response -> o.response; n.note -> o.note\n"
                    "}\n")
    proposal = wiring.load(path)
    text = proposal.model_dump_json(indent=2)
    assert len(text) < 20_000, len(text)   # 54 KB before, without the user import
    exported = json.loads(text)
    assert sorted(exported["components"]) == ["Notes", "Out", "Policy", "PromptDataset"]
    assert sorted(exported["types"]) == ["Note", "Prompt", "Response"]
    again = wiring.load_json(text)
    assert again == proposal
    for field in ("kinds", "types", "components", "diagrams"):
        assert list(getattr(again, field)) == list(getattr(proposal, field)), field


# ------------------------------------------------------------------------------ edited models
# An exported model, edited, is checked as a .wd file is: each mistake below is an error at its
# JSON pointer for `check` and `lint` alike, never a crash (exit code 70) nor a silent pass.

ACKNOWLEDGED = """proposal "Acknowledged"
type Prompt
type Response
component Source : source { out prompt : Prompt; out heat : Real in [0, 1] }
component Pi : policy, learned { in prompt : Prompt; in heat : Real in [0, 2]; out response : Response }
component Out : sink { in response : Response }
diagram Main {
  s = Source; p = Pi; o = Out
  s.prompt -> p.prompt; s.heat -> p.heat; p.response -> o.response
  assert no path o -> p
}
assert no path o -> s
allow S0201 on p because "the sink is a log nobody reads"
"""


def _edit(*path_and_value):
    def edit(model):
        *path, value = path_and_value
        for key in path[:-1]:
            model = model[key]
        if path[-1] == len(model):
            model.append(value)
        else:
            model[path[-1]] = value
    return edit


WIRES = ("diagrams", "Main", "wires")
HEAT = ("components", "Source", "ports", 1, "type")
EDITS = {
    "unknown port": (_edit(*WIRES, 1, "target", "port", "nosuchport"),
                     "E0105", "/diagrams/Main/wires/1/target/port"),
    "unknown outer port": (_edit(*WIRES, 1, "target", {"instance": None, "port": "nosuch"}),
                           "E0105", "/diagrams/Main/wires/1/target/port"),
    "assertion on an unknown box": (_edit("assertions", 0, "target", "nosuch"),
                                    "E0122", "/assertions/0"),
    "assertion without its source": (_edit("assertions", 0, "source", None),
                                      "E0009", "/assertions/0/source"),
    "assertion in an unknown diagram": (_edit("assertions", 0, "diagram", "Nodiag"),
                                        "E0103", "/assertions/0/diagram"),
    "allow of no finding code": (_edit("allows", 1, {"code": "S9999", "reason": "r"}),
                                 "E0121", "/allows/1/code"),
    "allow without a reason": (_edit("allows", 0, "reason", " "), "E0121", "/allows/0/reason"),
    "allow on an unknown box": (_edit("allows", 1, {"code": "S0302", "target": "nosuch",
                                                    "reason": "r"}), "E0122", "/allows/1"),
    "allow in an unknown diagram": (_edit("allows", 0, "diagram", "Nodiag"),
                                    "E0103", "/allows/0/diagram"),
    "unknown schema version": (_edit("schema_version", 99), "E0009", "/schema_version"),
    "a bound that is not a number": (_edit(*HEAT, "upper", "value", "lots"),
                                     "E0009", "/components/Source/ports/1/type/upper"),
}


@pytest.fixture
def acknowledged(tmp_path):
    path = tmp_path / "ack.wd"
    path.write_text(ACKNOWLEDGED)
    return path


@pytest.mark.parametrize("edit", EDITS, ids=list(EDITS))
def test_an_edited_model_is_checked_as_a_wd_file_for_check_and_lint(acknowledged, tmp_path,
                                                                     capsys, edit):
    mutate, code, pointer = EDITS[edit]
    exported = json.loads(wiring.load(acknowledged).model_dump_json())
    mutate(exported)
    path = tmp_path / "ack.json"
    path.write_text(json.dumps(exported))
    for command in ("check", "lint"):
        assert main([command, str(path)]) == 1, command
        out = "".join(capsys.readouterr())
        assert f"error[{code}]" in out and f" --> {path}: {pointer}\n" in out, (command, out)
        assert out.count("error[") == 1, out


def test_an_unedited_acknowledged_model_checks_and_lints_as_its_file(acknowledged, tmp_path,
                                                                     capsys):
    path = tmp_path / "ack.json"
    assert main(["export", str(acknowledged), "-o", str(path)]) == 0
    capsys.readouterr()
    assert main(["lint", str(acknowledged)]) == 0
    from_text = "".join(capsys.readouterr())
    assert main(["lint", str(path)]) == 0
    # the same findings at the same places; only the file's own text is shown, the .wd file's
    # lines only when it is the file read
    def located(text):
        return [line for line in text.splitlines() if not re.match(r"\s*\d*\s*\|", line)]

    assert located("".join(capsys.readouterr())) == \
        located(from_text.replace(f"{acknowledged}, diagram", f"{path}, diagram"))


def test_a_renamed_file_field_keeps_the_top_diagrams(acknowledged, tmp_path, capsys):
    exported = json.loads(wiring.load(acknowledged).model_dump_json())
    exported["file"] = "renamed.wd"
    path = tmp_path / "ack.json"
    path.write_text(json.dumps(exported))
    assert main(["check", str(path)]) == 0
    assert main(["lint", str(path)]) == 0
    out = "".join(capsys.readouterr())
    assert f"{path}, diagram `Main`: 0 errors, 0 warnings, 1 acknowledged; 2 of 2 " \
        "assertions hold" in out, out
    assert "no diagram to analyse" not in out


def test_lint_of_a_model_whose_source_file_is_gone_locates_at_the_spans_it_carries(
        acknowledged, tmp_path, capsys):
    exported = json.loads(wiring.load(acknowledged).model_dump_json())
    acknowledged.unlink()
    # a span past the end of its file, and one into the JSON document itself, past its end
    exported["diagrams"]["Main"]["instances"][1]["span"].update(line=999, end_line=999)
    path = tmp_path / "ack.json"
    exported["diagrams"]["Main"]["instances"][2]["span"].update(
        file=str(path), line=999, end_line=999, column=400, end_column=3)
    path.write_text(json.dumps(exported))
    assert main(["lint", str(path)]) == 0
    out = "".join(capsys.readouterr())
    assert f"--> {acknowledged}:999:15\n" in out and f"--> {path}:999:400\n" in out, out


def test_an_imported_diagram_is_never_a_top_one_in_the_file_or_its_model(tmp_path, capsys):
    (tmp_path / "lib.wd").write_text("type Prompt\ncomponent Src : source { out p : Prompt }\n"
                                     "component Snk : sink { in p : Prompt }\n"
                                     "diagram Lib { s = Src; k = Snk; s.p -> k.p }\n")
    main_file = tmp_path / "main.wd"
    main_file.write_text('proposal "Only imports"\nimport "lib.wd"\n')
    exported = json.loads(wiring.load(main_file).model_dump_json())
    exported["file"] = "renamed.wd"
    model = tmp_path / "main.json"
    model.write_text(json.dumps(exported))
    for path in (main_file, model):
        assert main(["lint", str(path)]) == 0
        assert "".join(capsys.readouterr()) == f"{path}: no diagram to analyse\n"
