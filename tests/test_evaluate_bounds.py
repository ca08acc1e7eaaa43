"""Static and dynamic agree (issue 15, item 6): where gates fail independently and their miss
probabilities are declared, the bound `wiring analyze` prints equals the escape probability
`wiring evaluate` computes exactly.

For every example with such a bound, the test writes behaviours from the gates' own attributes
(never from the example's name): the hazard's outputs are harmful, each gate on the path passes
harm when it does not check (probability 1 - coverage) or checks and misses (probability
miss), every other box passes harm on from its inputs of the harmful type, and harm reaching
the sink is the catastrophe. One task: the escape probability is 1 - safety."""

from __future__ import annotations

from pathlib import Path

import pytest

import wiring
from wiring.analysis import analyse_all
from wiring.analysis.bounds import bounds
from wiring.evaluate import Options, evaluate, parameter_values

ROOT = Path(__file__).resolve().parent.parent


def examples_with_bounds():
    found = []
    for path in sorted((ROOT / "examples").glob("*.wd")):
        result = wiring.check_file(str(path))
        if not result.ok:
            continue
        for analysis in analyse_all(result.proposal).analyses:
            if any(b.value is not None for b in bounds(analysis.system)):
                found.append(pytest.param(path, analysis.diagram,
                                          id=f"{path.stem}:{analysis.diagram}"))
    return found


def behaviour_for(box, proposal, harmful, role: str, values: dict) -> str:
    """The steps of one box: `role` is hazard, gate, sink or other."""
    ports = proposal.ports_of(box.instance)
    ins = [p.name for p in ports if p.direction == "in" and p.type in harmful]
    outs = [p.name for p in ports if p.direction == "out" and p.type in harmful]
    harm = " or ".join(f"{name}.bad" for name in ins) or "false"
    steps = []
    if role == "hazard":
        harm = "true"
    elif role == "gate":
        extra = box.attributes.extra
        coverage = _number(extra.get("coverage"), values, 1.0)
        miss = _number(extra.get("miss"), values, None)
        steps += [f"checked ~ bernoulli({coverage!r})", f"missed ~ bernoulli({miss!r})"]
        harm = f"({harm}) and (not checked or missed)"
    if role == "sink":
        steps.append(f"catastrophe when {harm}")
    steps += [f"{name}.bad = {harm}" for name in outs]
    return "\n  ".join(steps)


def _number(expr, values, default):
    if expr is None:
        return default
    return float(expr.value) if expr.node == "num" else values[expr.name]


@pytest.mark.parametrize("path, diagram", examples_with_bounds())
def test_the_static_bound_equals_the_exact_escape_probability(path, diagram):
    result = wiring.check_file(str(path))
    proposal = result.proposal
    [system] = [a.system for a in analyse_all(proposal, [diagram]).analyses]
    [bound] = [b for b in bounds(system) if b.value is not None]
    escapes = [escape(path, proposal, system, bound, mode)
               for mode in sorted(system.deploy_modes) or [None]]
    assert abs(max(escapes) - bound.value) < 1e-9, (escapes, bound.value)


def escape(path, proposal, system, bound, mode) -> float:
    """The exact probability that the hazard's harm reaches the sink in one task of `mode`."""
    values = parameter_values(proposal)
    hazard = system.boxes[bound.hazard]
    harmful = [p.type for p in proposal.ports_of(hazard.instance) if p.direction == "out"]
    lines, bindings = [], []
    for name, box in system.boxes.items():
        if box.instance is None or (mode and box.modes is not None and mode not in box.modes):
            continue
        role = ("hazard" if name == bound.hazard else "sink" if name == bound.sink else
                "gate" if name in bound.gates else "other")
        label = "B_" + name.replace(".", "_")
        lines.append(f"behaviour {label} for {box.component} {{\n  "
                     f"{behaviour_for(box, proposal, harmful, role, values)}\n}}")
        bindings.append(f"  {name} = {label}")
    where = f" in {mode}" if mode else ""
    text = path.read_text() + "\n" + "\n".join(lines) + \
        f"\nevaluate {system.diagram.name}{where} over 1 tasks {{\n" + "\n".join(bindings) + "\n}\n"
    checked = wiring.check_text(text, path.name)
    assert checked.ok, checked.report()
    outcome = evaluate(checked.proposal, checked.proposal.evaluations[-1], Options(method="exact"))
    assert outcome.method == "exact"
    return 1 - outcome.safety
