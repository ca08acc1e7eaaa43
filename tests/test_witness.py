"""Witnesses are tuples of typed steps that print what the output shows and name their boxes."""

from __future__ import annotations

import json

import pytest

import wiring
from wiring.analysis import analyse
from wiring.cli import main
from wiring.codes import CODES
from wiring.witness import (BREAK, OBSERVED, Box, Node, Params, Port, Signal, Trains, shown,
                            texts)

from conftest import EXAMPLES

RM = Box("rm")


@pytest.mark.parametrize("step, text, box", [
    (Box("deployment.monitor"), "deployment.monitor", "deployment.monitor"),
    (Port("in", "prompt"), "in:prompt", None),
    (Params(RM), "Θ:rm", "rm"),
    (Node(Box("policy"), 0, "decision"), "policy@0", "policy"),
    (Node(Port("out", "answer"), 2), "out:answer@2", None),
    (Node(RM, 1, "params"), "Θ:rm@1", "rm"),
    (Node(Box("policy"), 1, "utility", 2), "U:policy#2@1", "policy"),
    (Signal(0, "ppo", "maximise", "rm.score"), "[ppo: maximise rm.score]", None),
    (Trains(1, "sgd", RM), "[sgd trains rm]", None),
    (BREAK, "...", None),
    (OBSERVED, "(observed)", None),
])
def test_each_step_prints_itself_and_names_its_box(step, text, box):
    assert str(step) == text and step.box == box
    assert hash(step) == hash(type(step)(*step))   # frozen values


def test_steps_of_different_types_are_never_equal():
    steps = [Box("a"), Port("in", "a"), Params(Box("a")), Node(Box("a"), 0),
             Node(Box("a"), 0, "params"), Signal(0, "a", "maximise", "a"), Trains(0, "a", Box("a")),
             BREAK, OBSERVED]
    assert len(set(steps)) == len(steps)
    assert shown([Box("pi"), BREAK, Port("out", "x")]) == "pi -> ... -> out:x"


def _findings(code: str):
    return analyse(wiring.loads(CODES[code].example)).findings


def test_findings_carry_steps_and_json_shows_their_text(tmp_path, capsys):
    path = tmp_path / "p.wd"
    path.write_text(CODES["S0501"].example)
    main(["lint", "--format", "json", str(path)])
    (report,) = json.loads(capsys.readouterr().out)
    for finding, shown_as in zip(_findings("S0501"), report["findings"]):
        assert shown_as["witness"] == texts(finding.witness)
    tampering = next(f for f in _findings("S0501") if f.code == "S0501")
    assert tampering.witness[0] == Node(Box("pi"), 0, "decision")
    assert Node(RM, 1, "params") in tampering.witness
    assert tampering.witness[-1].role == "utility"
    taint = next(a for f in _findings("S0501") for a in f.also if a.code == "S0401")
    (wire,) = [s for s in taint.witness if isinstance(s, Trains)]
    assert wire.target == RM


def test_training_steps_index_the_systems_training_statements():
    analysis = analyse(wiring.loads(CODES["S0501"].example))
    for finding in analysis.findings:
        for step in finding.witness:
            if isinstance(step, (Signal, Trains)) or getattr(step, "role", "") == "utility":
                pressure = analysis.system.pressures[step.training]
                assert pressure.training.optimiser in str(step) or step.box == pressure.target


def test_allow_on_a_box_matches_its_nodes_in_an_unrolled_witness():
    text = CODES["S0501"].example
    on_rm = analyse(wiring.loads(text + 'allow S0501 on rm because "r"\n'))
    assert [e.acknowledged for f in on_rm.findings for e in (f, *f.also)
            if e.code == "S0501"] == ["r"]
    on_src = analyse(wiring.loads(text + 'allow S0501 on src because "r"\n'))
    assert [e.acknowledged for f in on_src.findings for e in (f, *f.also)
            if e.code == "S0501"] == [None]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_witness_steps_name_boxes_of_the_analysed_diagram(path):
    from wiring.analysis import analyse_all

    for analysis in analyse_all(wiring.load(path)).analyses:
        _witnesses_name_boxes_of(analysis)


def _witnesses_name_boxes_of(analysis):
    for finding in analysis.findings:
        for step in finding.witness:
            assert step.box is None or step.box in analysis.system.boxes, (finding.code, step)
    for incentives in analysis.incentives:
        for table in (incentives.voi, incentives.ri, incentives.voc, incentives.ici_control,
                      incentives.ici_info):
            for subject, witness in table.items():
                assert isinstance(subject, (Box, Port, Params))
                assert all(isinstance(step, Node) or step is OBSERVED for step in witness)
