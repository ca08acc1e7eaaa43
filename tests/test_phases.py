"""A mode's phase (training, evaluation, deployment) is declared with it, inherited by nested
diagrams from the outer mode they run in, and only assumed from the mode's name, with a warning
(W0202), when neither says it (issue 10, item 6)."""

import json
from importlib import resources
from pathlib import Path

import pytest

import wiring
from wiring.cli import main
from wiring.codes import CODES

from conftest import ROOT

_BOXES = """type Request
type Answer
component Assistant : policy, learned, untrusted {
  in  request : Request
  out answer  : Answer
}
component Users : sink {
  out request : Request
  in  answer  : Answer
}
component Check : filter, trusted {
  in  answer : Answer
  out passed : Answer
}
"""

# In `serve` a trusted filter stands between the policy and the users; in `live` nothing does.
_LIVE = _BOXES + """diagram Service {
  modes MODES
  pi    = Assistant
  users = Users
  check = Check when serve
  users.request -> pi.request
  pi.answer -> check.answer when serve
  check.passed -> users.answer delayed when serve
  pi.answer -> users.answer delayed when live
}
"""


def _codes(result) -> list[str]:
    return [d.code for d in result.diagnostics]


def _lint_json(capsys, tmp_path, text: str, *extra: str) -> dict:
    path = tmp_path / "p.wd"
    path.write_text(text)
    main(["lint", "--format", "json", *extra, str(path)])
    return json.loads(capsys.readouterr().out)[0]


def test_phases_are_declared_with_the_modes_and_exported(tmp_path, capsys):
    text = "diagram D {\n  modes sft : training, serve : deployment, heldout : evaluation\n}\n"
    result = wiring.check_text(text)
    assert result.ok and result.diagnostics == [], result.report()
    diagram = result.proposal.diagrams["D"]
    assert diagram.modes == ["sft", "serve", "heldout"]
    assert {m: d.phase for m, d in diagram.phases.items()} == \
        {"sft": "training", "serve": "deployment", "heldout": "evaluation"}
    path = tmp_path / "d.wd"
    path.write_text(text)
    assert main(["export", str(path)]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert {m: d["phase"] for m, d in exported["diagrams"]["D"]["phases"].items()} == \
        {"sft": "training", "serve": "deployment", "heldout": "evaluation"}
    loaded = wiring.load_json(json.dumps(exported)).diagrams["D"].phases
    assert {m: d.phase for m, d in loaded.items()} == {m: d.phase for m, d in diagram.phases.items()}


@pytest.mark.parametrize("mode, phase", [
    ("train", "training"), ("training", "training"), ("rl_finetune", "training"),
    ("rlhf", "training"), ("fine_tune", "training"), ("sft", "training"),
    ("deploy", "deployment"), ("deployTime", "deployment"), ("serve_time", "deployment"),
    ("production", "deployment"), ("eval", "evaluation"),
    # words, not substrings: "world" holds "rl", "observe" holds "serve"; and a guess can be
    # wrong, which is why it is a warning: `live` is a deployment in most papers
    ("world", "evaluation"), ("observe", "evaluation"), ("label", "evaluation"),
    ("live", "evaluation")])
def test_a_mode_without_a_phase_warns_with_the_phase_assumed(mode, phase):
    result = wiring.check_text(f"diagram D {{\n  modes {mode}\n}}\n")
    [warning] = result.diagnostics
    assert warning.code == "W0202" and warning.severity == "warning"
    assert warning.message == f"mode `{mode}` of `D` declares no phase; the analyses assumed {phase}"
    assert (warning.span.line, warning.span.column) == (2, 9)
    assert f"`modes {mode} : {phase}`" in warning.help


def test_each_mode_without_a_phase_warns_once():
    result = wiring.check_text("diagram D {\n  modes sft, live : deployment, heldout\n"
                               "  modes extra\n}\n")
    warnings = [d for d in result.diagnostics if d.code == "W0202"]
    assert [w.message.split("`")[1] for w in warnings] == ["sft", "heldout", "extra"]
    assert result.ok and len(result.diagnostics) == 3
    assert warnings[0].help == ("declare each mode's phase: `modes sft : training, "
                                "live : deployment, heldout : evaluation, extra : evaluation`, "
                                "correcting any that is wrong")
    # each says how its phase was assumed: read from a word of the name, or by default
    assert [w.label for w in warnings] == [
        "assumed training, from `sft` in its name",
        "assumed evaluation, the default: no word of its name says training or deployment",
        "assumed evaluation, the default: no word of its name says training or deployment"]


@pytest.mark.parametrize("word, suggestion", [
    ("trainign", "training"), ("deploy", "deployment"), ("eval", "evaluation"),
    ("Deployment", "deployment")])
def test_a_misspelt_phase_is_an_error_with_did_you_mean(word, suggestion):
    result = wiring.check_text(f"diagram D {{\n  modes a : {word}\n}}\n")
    assert _codes(result) == ["E0125"], result.report()
    [error] = result.diagnostics
    assert error.message == f"unknown phase `{word}`"
    assert (error.span.line, error.span.column) == (2, 13)
    assert error.help.startswith(f"did you mean `{suggestion}`?")


def test_a_phase_with_nothing_close_lists_the_phases():
    result = wiring.check_text("diagram D {\n  modes a : banana\n}\n")
    assert _codes(result) == ["E0125"], result.report()
    [error] = result.diagnostics
    assert error.help == ("the phases are `training`, `evaluation` and `deployment`: "
                          "`modes NAME : PHASE`")


@pytest.mark.parametrize("word, help", [
    ("prod", "the phases are"),
    ("banana", "the phases are"),
    ("eval", "did you mean `evaluation`? the phases are"),
    # a word that a mode's name would be read by suggests that phase
    ("serve", "did you mean `deployment`? the phases are"),
    ("rlhf", "did you mean `training`? the phases are")])
def test_a_mode_whose_phase_is_unknown_gets_that_error_only(word, help, tmp_path, capsys):
    """Not also W0202 (the mode declares no phase), which would contradict the error."""
    path = tmp_path / "p.wd"
    path.write_text(f"diagram D {{\n  modes a : training, b : deployment, c : {word}\n}}\n")
    assert main(["check", "--format", "json", str(path)]) == 1
    [diagnostic] = json.loads(capsys.readouterr().out)[0]["diagnostics"]
    assert (diagnostic["code"], diagnostic["message"]) == ("E0125", f"unknown phase `{word}`")
    assert diagnostic["help"].startswith(help)


def test_a_nested_mode_whose_phase_is_unknown_gets_that_error_only():
    result = wiring.check_text(_nested("tune : training, live : prod",
                                       "tune : training, live : deployment"))
    assert _codes(result) == ["E0125"], result.report()
    result = wiring.check_text(_nested("live : banana", "live"))
    # the outer mode still declares no phase: that warning stays
    assert sorted(_codes(result)) == ["E0125", "W0202"], result.report()
    assert [d.message for d in result.diagnostics if d.code == "W0202"] == \
        ["mode `live` of `Outer` declares no phase; the analyses assumed evaluation"]


def test_a_modes_list_goes_on_after_a_comma_at_the_end_of_a_line():
    text = ("diagram D {\n  modes sft : training,   # tuning\n\n        serve : deployment,\n"
            "        heldout\n  modes extra : evaluation\n}\n")
    result = wiring.check_text(text)
    assert _codes(result) == ["W0202"], result.report()
    diagram = result.proposal.diagrams["D"]
    assert diagram.modes == ["sft", "serve", "heldout", "extra"]
    assert {m: (d.phase, d.span.line, d.span.column) for m, d in diagram.phases.items()} == {
        "sft": ("training", 2, 9), "serve": ("deployment", 4, 9), "heldout": (None, 5, 9),
        "extra": ("evaluation", 6, 9)}


@pytest.mark.parametrize("after", ["}", "  pi = Assistant", "  train pi by x maximising y"])
def test_a_comma_ending_a_modes_list_says_it_carries_the_list_on(after):
    result = wiring.check_text(f"diagram D {{\n  modes a : training,\n\n{after}\n}}\n")
    [error] = result.diagnostics
    assert error.code == "E0001" and error.span.line == 4, result.report()
    assert error.help == ("the `,` at the end of line 2 carries the `modes` list on to the next "
                          "line: remove it if the list ends there")


_NESTED = _BOXES + """diagram Inner {
  modes INNER
  in  request : Request
  out answer  : Answer
  pi = Assistant
  request -> pi.request
  pi.answer -> answer
}
diagram Outer {
  modes OUTER
  users = Users
  inner = Inner
  users.request -> inner.request
  inner.answer -> users.answer delayed
}
"""


def _nested(inner: str, outer: str) -> str:
    return _NESTED.replace("INNER", inner).replace("OUTER", outer)


def test_a_nested_mode_takes_the_phase_of_the_outer_mode_it_runs_in(tmp_path, capsys):
    text = _nested("tune, live", "tune : training, live : deployment")
    result = wiring.check_text(text)
    assert result.diagnostics == [], result.report()
    # analysed on its own, the inner diagram's `live` is a deployment mode, as in `Outer`: its
    # outer output is the world there, so the ungated policy is found
    inner = _lint_json(capsys, tmp_path, text, "--diagram", "Inner")
    assert "S0201" in [f["code"] for f in inner["findings"]]
    assert not any(n.startswith("assumed phase") for n in inner["diagrams"][0]["unexamined"])


def test_nesting_passes_phases_down_every_level():
    text = _nested("live", "live : deployment").replace("diagram Outer {", """diagram Middle {
  modes live
  in  request : Request
  out answer  : Answer
  inner = Inner
  request -> inner.request
  inner.answer -> answer
}
diagram Outer {""").replace("inner = Inner\n  users.request", "inner = Middle\n  users.request")
    result = wiring.check_text(text)
    assert result.diagnostics == [], result.report()


def test_a_nested_mode_without_a_phase_in_an_outer_mode_without_one_warns():
    result = wiring.check_text(_nested("live", "live"))
    assert sorted(d.message.split("`")[3] for d in result.diagnostics if d.code == "W0202") == \
        ["Inner", "Outer"]


def test_a_nested_mode_that_declares_another_phase_is_an_error():
    result = wiring.check_text(_nested("tune : training, live : training",
                                       "tune : training, live : deployment"))
    assert _codes(result) == ["E0243"], result.report()
    [error] = result.diagnostics
    assert error.message == ("mode `live` of `Inner` declares phase training, but it runs in mode "
                             "`live` of `Outer`, whose phase is deployment")
    # at the inner declaration, with the outer one (and the instance) related
    assert (error.span.line, error.span.column, error.span.end_column) == (16, 26, 41)
    assert [(r.span.line, r.span.column) for r in error.related] == [(24, 26), (26, 3)]
    assert "`Outer` declares `live : deployment`" in error.related[0].message
    assert "leave the phase out" in error.help


def test_an_outer_mode_whose_phase_is_assumed_imposes_none():
    result = wiring.check_text(_nested("live : deployment", "live"))
    assert _codes(result) == ["W0202"], result.report()


def test_a_live_mode_declared_as_deployment_is_examined_for_ungated_output(tmp_path, capsys):
    declared = _lint_json(capsys, tmp_path, _LIVE.replace("MODES", "serve : deployment, live : deployment"))
    assert "S0201" in [f["code"] for f in declared["findings"]]
    # undeclared, `live` is assumed to be evaluation (and lint says so): the gating analysis
    # then looks only at `serve`, where the filter gates the policy
    assumed = _lint_json(capsys, tmp_path, _LIVE.replace("MODES", "serve : deployment, live"))
    assert "S0201" not in [f["code"] for f in assumed["findings"]]
    [note] = [n for n in assumed["diagrams"][0]["unexamined"] if n.startswith("assumed phase")]
    # nothing was read from the name `live`: the note says evaluation is the default
    assert note == ("assumed phase: no phase is declared for `live`, so the analyses assumed "
                    "evaluation, the default: no word of its name says training or deployment "
                    "(W0202); declare each mode's phase: `modes serve : deployment, "
                    "live : evaluation`, correcting any that is wrong")


def test_the_assumed_phase_note_says_how_each_was_assumed_as_check_does(tmp_path, capsys):
    text = _LIVE.replace("MODES", "rl_tune, serve : deployment, live").replace(
        "delayed when live", "delayed when live, rl_tune")
    [note] = [n for n in _lint_json(capsys, tmp_path, text)["diagrams"][0]["unexamined"]
              if n.startswith("assumed phase")]
    assert note.startswith("assumed phase: no phase is declared for `rl_tune`, `live`, so the "
                           "analyses assumed `rl_tune` to be training, from `rl` in its name; "
                           "`live` to be evaluation, the default: no word of its name says "
                           "training or deployment (W0202); ")
    # and ends as W0202's help does: one wording of the fix
    warnings = [d for d in wiring.check_text(text).diagnostics if d.code == "W0202"]
    assert len(warnings) == 2 and note.endswith("(W0202); " + warnings[0].help)


def test_no_deployment_mode_note_speaks_of_declared_phases(tmp_path, capsys):
    payload = _lint_json(capsys, tmp_path, _LIVE.replace("MODES", "serve : evaluation, live : training"))
    [note] = [n for n in payload["diagrams"][0]["unexamined"] if n.startswith("no deployment mode")]
    assert "none of the modes `serve`, `live` has the phase `deployment`" in note


def _sources() -> list[tuple[str, str]]:
    found = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8"))
             for p in sorted((ROOT / "examples").rglob("*.wd"))]
    package = resources.files("wiring")
    found += [(f"std/{e.name}", e.read_text(encoding="utf-8"))
              for e in sorted(package.joinpath("std").iterdir(), key=lambda e: e.name)
              if e.name.endswith(".wd")]
    found += [(f"{code}-{variant}", getattr(entry, variant))
              for code, entry in CODES.items() if code != "W0202"
              for variant in ("example", "clean") if getattr(entry, variant)]
    return found


@pytest.mark.parametrize("name, text", _sources(), ids=[n for n, _ in _sources()])
def test_every_example_declares_its_phases(name, text, tmp_path):
    path = tmp_path / Path(name).name
    path.write_text(text)
    if name.startswith("examples/"):   # examples import the standard library by path
        path = ROOT / name
    result = wiring.check_file(str(path))
    assert "W0202" not in _codes(result), result.report()


def test_the_starter_proposal_declares_its_phases(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "starter"]) == 0
    result = wiring.check_file(str(tmp_path / "starter.wd"))
    assert result.ok and "W0202" not in _codes(result), result.report()
