"""Parametrised components (issue 14, item 2): `component Debater(rounds : Nat >= 1)` whose
port types use `rounds`, given at each instance (`d = Debater(rounds = 3)`) and checked by sympy
for every instance. Through the public interfaces: the checked model, its JSON, the CLI, the
drawing."""

from __future__ import annotations

import json

import pytest

import wiring
from wiring.codes import CODES
from wiring.render import to_dot
from wiring.types import show_type

HEAD = """type Prompt
type Transcript[n]
param r : Nat >= 1 = 3
component Debater(rounds : Nat >= 1, turns : Nat = 2 * rounds) : policy, learned {
  in  prompt     : Prompt
  out transcript : Transcript[rounds]
  out log        : List[Prompt, turns]
  out score      : Real in [0, rounds]
}
component Judge : sink {
  in  transcript : Transcript[<n>]
  in  log        : List[Prompt, <turns>]
  in  score      : Real in [0, <high>]
}
"""


def proposal_text(instance: str = "d = Debater(rounds = r)", n: str = "r",
                  turns: str = "2 * r", high: str = "r") -> str:
    head = HEAD.replace("<n>", n).replace("<turns>", turns).replace("<high>", high)
    return head + f"""diagram D {{
  in prompt : Prompt
  {instance}
  j = Judge
  prompt -> d.prompt
  d.transcript -> j.transcript
  d.log -> j.log
  d.score -> j.score
}}
"""


def diagnostics(text: str) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in wiring.check_text(text, "p.wd").diagnostics]


def codes(text: str) -> list[str]:
    return [code for code, _ in diagnostics(text)]


def test_an_instance_has_its_values_in_its_port_types():
    result = wiring.check_text(proposal_text(), "p.wd")
    assert result.ok, result.report()
    d = {i.name: i for i in result.proposal.diagrams["D"].instances}["d"]
    assert set(d.args) == {"rounds"}
    types = {p.name: show_type(p.type) for p in result.proposal.ports_of(d)}
    # a default (`turns = 2 * rounds`) uses the parameters before it
    assert types == {"prompt": "Prompt", "transcript": "Transcript[r]",
                     "log": "List[Prompt, 2 * r]", "score": "Real in [0, r]"}


@pytest.mark.parametrize("instance, n, turns, high", [
    ("d = Debater(rounds = 3)", "3", "6", "3"),
    ("d = Debater(rounds = r + 1)", "r + 1", "2 * r + 2", "r + 1"),
    ("d = Debater(rounds = 2, turns = 5)", "2", "5", "3"),     # [0, 2] within [0, 3]
])
def test_each_instance_is_checked_with_its_own_values(instance, n, turns, high):
    assert codes(proposal_text(instance, n, turns, high)) == []


def test_a_value_that_breaks_a_wire_is_a_type_error_at_that_wire():
    found = diagnostics(proposal_text("d = Debater(rounds = 2)", "3", "4", "3"))
    assert [code for code, _ in found] == ["E0205"]
    assert "d.transcript" in found[0][1]


def test_with_keeps_setting_attributes_beside_the_values():
    result = wiring.check_text(proposal_text(
        'd = Debater(rounds = r) with provenance = "gpt4"'), "p.wd")
    d = {i.name: i for i in result.proposal.diagrams["D"].instances}["d"]
    assert result.ok and d.attributes.provenance == "gpt4" and "rounds" in d.args


def test_an_unknown_or_repeated_parameter_is_reported_once():
    found = diagnostics(proposal_text("d = Debater(round = 3)"))
    assert found == [("E0129", "`Debater` has no parameter `round`")]   # no E0130, no E0205
    assert codes(proposal_text("d = Debater(rounds = r, rounds = r)")) == ["E0129"]


def test_a_parameter_without_a_value_is_reported_and_its_wires_stay_silent():
    result = wiring.check_text(proposal_text("d = Debater"), "p.wd")
    assert [d.code for d in result.diagnostics] == ["E0130"]
    assert "write `d = Debater(rounds = ...)`" in result.report()


def test_a_value_outside_its_parameters_type_is_reported_where_it_is_given():
    result = wiring.check_text(proposal_text("d = Debater(rounds = 0)"), "p.wd")
    assert [d.code for d in result.diagnostics] == ["E0124"]
    assert "`rounds` is declared `Nat >= 1`" in result.report()


def test_copies_have_their_models_values():
    text = proposal_text().replace("  j = Judge\n", "  e = shared d\n  f = frozen d\n  j = Judge\n")
    text = text.replace("prompt -> d.prompt", "prompt -> d.prompt, e.prompt, f.prompt")
    result = wiring.check_text(text, "p.wd")
    instances = {i.name: i for i in result.proposal.diagrams["D"].instances}
    assert instances["e"].args == instances["f"].args == instances["d"].args
    # through another interface (`as`), the copy takes that interface's values
    other = wiring.check_text(text.replace("e = shared d", "e = shared d as Debater(rounds = 2)"),
                              "p.wd").proposal
    e = {i.name: i for i in other.diagrams["D"].instances}["e"]
    assert [show_type(p.type) for p in other.ports_of(e)][1] == "Transcript[2]"
    assert "E0129" in codes(text.replace("f = frozen d", "f = frozen d(rounds = 2)"))


def test_a_parameter_declaration_is_checked_like_a_param():
    assert "E0112" in codes(HEAD.replace("turns : Nat = 2 * rounds", "rounds : Nat"))
    assert "E0118" in codes(HEAD.replace("turns : Nat = 2 * rounds", "turns : Prompt"))
    assert "E0124" in codes(HEAD.replace("turns : Nat = 2 * rounds", "turns : Nat = -1"))


def test_a_ports_default_is_decided_under_the_parameters_bounds():
    text = """type P
component C(n : Nat >= 1) : policy {
  in  x : Real in [0, n] = 2 * n
  out y : P
}
"""
    assert codes(text) == ["E0214"]
    assert codes(text.replace("= 2 * n", "= n")) == []


def test_the_json_keeps_parameters_and_values_and_checks_them_on_load():
    proposal = wiring.check_text(proposal_text(), "p.wd").proposal
    data = json.loads(proposal.model_dump_json())
    assert [p["name"] for p in data["components"]["Debater"]["params"]] == ["rounds", "turns"]
    assert wiring.check_json(json.dumps(data)).ok
    instance = next(i for i in data["diagrams"]["D"]["instances"] if i["name"] == "d")
    instance["args"] = {"roundz": instance["args"]["rounds"]}
    assert sorted(d.code for d in wiring.check_json(json.dumps(data)).diagnostics) == \
        ["E0129", "E0130"]


def test_the_drawing_shows_the_values_and_the_types_they_make():
    proposal = wiring.check_text(proposal_text("d = Debater(rounds = 3)", "3", "6", "3"),
                                 "p.wd").proposal
    dot = to_dot(proposal, show_types=True)
    assert "Debater(rounds = 3)" in dot
    assert "Transcript[3]" in dot and "List[Prompt, 2 * 3]" in dot


def test_every_new_code_has_an_example_that_triggers_it():
    for code in ("E0129", "E0130"):
        assert code in codes(CODES[code].example)


NESTED = """type Prompt
type Transcript[n]
param r : Nat >= 1 = 3
component Debater(rounds : Nat >= 1) : policy, learned {
  in  prompt     : Prompt
  out transcript : Transcript[rounds]
}
diagram Debate(rounds : Nat >= 1) {
  in  prompt     : Prompt
  out transcript : Transcript[rounds]
  d = Debater(rounds = rounds)
  prompt -> d.prompt
  d.transcript -> transcript
}
diagram Top {
  in  prompt : Prompt
  out long   : Transcript[r]
  out short  : Transcript[2]
  a = Debate(rounds = r)
  b = Debate(rounds = 2)
  prompt -> a.prompt, b.prompt
  a.transcript -> long
  b.transcript -> short
}
"""


def test_a_nested_diagram_takes_parameters_the_same_way():
    assert codes(NESTED) == []
    assert codes(NESTED.replace("out short  : Transcript[2]", "out short  : Transcript[3]")) \
        == ["E0205"]
    assert codes(NESTED.replace("b = Debate(rounds = 2)", "b = Debate")) == ["E0130"]
    # inside, the diagram's wires are decided under its parameter's type
    assert codes(NESTED.replace("d = Debater(rounds = rounds)", "d = Debater(rounds = rounds + 1)")) \
        == ["E0205"]


def test_a_diagrams_parameters_are_for_types_not_for_the_analyses_numbers():
    text = NESTED.replace("d = Debater(rounds = rounds)",
                          "d = Debater(rounds = rounds) with cost = rounds")
    assert codes(text) == ["E0106"]


def test_a_parametrised_diagram_goes_through_json():
    proposal = wiring.check_text(NESTED, "p.wd").proposal
    data = json.loads(proposal.model_dump_json())
    assert [p["name"] for p in data["diagrams"]["Debate"]["params"]] == ["rounds"]
    assert wiring.check_json(json.dumps(data)).ok


def test_a_value_that_cannot_be_proved_inside_its_type_is_e0206():
    found = diagnostics(proposal_text("d = Debater(rounds = r - 5)", "r - 5", "2 * (r - 5)",
                                      "r - 5"))
    assert found == [("E0206", "cannot prove that `rounds` = r - 5 is a `Nat >= 1`")]


def test_a_boxs_parameter_in_an_attribute_value_says_what_it_is_for():
    text = HEAD.replace("<n>", "r").replace("<turns>", "2 * r").replace("<high>", "r").replace(
        "component Debater(rounds : Nat >= 1, turns : Nat = 2 * rounds) : policy, learned {",
        "component Debater(rounds : Nat >= 1, turns : Nat = 2 * rounds) : policy, learned, "
        "cost = rounds {")
    [error] = wiring.check_text(text, "p.wd").diagnostics
    assert (error.code, error.message) == (
        "E0106", "`rounds` is a parameter of `Debater`, which is for its types")


def test_a_missing_value_through_another_interface_keeps_the_sharing_in_its_help():
    text = proposal_text().replace("  j = Judge\n", "  m = shared d as Debater\n  j = Judge\n") \
        .replace("prompt -> d.prompt", "prompt -> d.prompt, m.prompt")
    result = wiring.check_text(text, "p.wd")
    assert [d.code for d in result.diagnostics] == ["E0130"]
    assert "write `m = shared d as Debater(rounds = ...)`" in result.report()


@pytest.mark.parametrize("instance, hint", [
    ("y = Debater(3)", "values are given by name: `Name(parameter = value)`"),
    ("y = shared d(rounds = 2)", "a shared copy has the values of the model it shares"),
    ("y = frozen shared d", "a snapshot of a shared copy is a snapshot of the parameters it "
                            "shares: write `frozen d`"),
    ("y = Debater with trusted (rounds = 2)", "parameter values come before the attributes"),
])
def test_syntax_slips_in_an_instance_get_a_hint(instance, hint):
    text = proposal_text().replace("  j = Judge\n", f"  {instance}\n  j = Judge\n")
    [error] = wiring.check_text(text, "p.wd").diagnostics
    assert error.code == "E0001" and error.help.startswith(hint)
