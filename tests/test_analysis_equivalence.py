"""The fast searches of issue 11 (items 13-14) find exactly what the direct ones found: on
random proposals, `judge_taint` and `goodhart` (which trace paths only for findings and list
each judge's gates once) against reference copies of the direct implementations."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wiring
from wiring.analysis import lints
from wiring.analysis.graph import build
from wiring.structure import top_diagrams

from conftest import EXAMPLES

_COMPONENTS = {
    "Agent": "policy, learned, untrusted, provenance = \"base\"",
    "Judge": "human, trusted",
    "Eval": "evaluator, trusted",
    "Proxy": "evaluator, learned, untrusted, provenance = \"rm\"",
    "Gate": "filter, trusted",
    "Clean": "sanitizer, trusted",
    "User": "sink, environment",
}


@st.composite
def proposals(draw) -> str:
    # Weighted towards what judge_taint is about: agents, judges, gates and sinks.
    palette = ["Agent", "Agent", "Judge", "Judge", "Gate", "Gate", "User", "User", *_COMPONENTS]
    kinds = draw(st.lists(st.sampled_from(palette), min_size=3, max_size=14))
    lines = ['proposal "equivalence"']
    for name, attributes in _COMPONENTS.items():
        lines += [f"component {name} : {attributes} {{", "  in x : Real = 0",
                  "  in z : Real = 0", "  out y : Real", "}"]
    lines += ["diagram D {", "  in p : Real", "  out r : Real"]
    lines += [f"  b{i} = {kind}" for i, kind in enumerate(kinds)]
    for target in range(len(kinds)):
        for port in ("x", "z"):
            source = draw(st.integers(-1, target - 1))   # forward only: no loops
            if draw(st.integers(0, 3)):
                lines.append(f"  {'p' if source < 0 else f'b{source}.y'} -> b{target}.{port}")
    last = len(kinds) - 1
    lines.append(f"  b{last}.y -> r" if kinds[last] != "User" else f"  b0.y -> r")
    agents = [i for i, kind in enumerate(kinds) if kind == "Agent"]
    for agent in agents:
        judging = [i for i, kind in enumerate(kinds) if kind in ("Judge", "Eval", "Proxy")]
        signals = draw(st.lists(st.sampled_from(judging or [last]), min_size=1, max_size=3,
                                unique=True))
        lines.append(f"  train b{agent} by rl maximising "
                     + " + ".join(f"b{signal}.y" for signal in signals))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _old_gate_fed_by(system, source, judge):
    world, deployed = system.environments, system.deploy_modes
    after_source = system.reachable(source.path, world, deployed)
    from_judge = system.reachable(judge.path, world, deployed)
    for sink in system.sinks:
        before_sink = system.reachable(sink.path, world, deployed, reverse=True)
        for gate in system.gates:
            if gate.path != judge.path and gate.path in after_source and \
                    gate.path in before_sink and gate.path in from_judge:
                return system.reaches(judge.path, gate.path, world, modes=deployed)
    return None


def _old_judge_taint(system):
    """judge_taint before issue 11, reduced to what it reports: (message, witness)."""
    stops = frozenset(b.path for b in system.boxes.values()
                      if b.is_a("sanitizer", "verifier") and b.trust in lints.TRUSTED)
    world = system.environments
    judges = [j for j in lints._trusted_judges(system) if j.path not in stops | world]
    read_by = {j.path: {m: system.search(j.path, m, stops | world, reverse=True)
                        for m in system.mode_list} for j in judges}
    # the witness into the judge is traced the way the searches went (`lints._read_by`): two
    # shortest paths may tie, and a search from either end may find the other one
    forward = lints._read_by(system, judges, stops | world)[1]
    found = []
    for source in system.hazards:
        for judge in judges:
            if source.path == judge.path or not any(source.path in r for r in read_by[judge.path].values()):
                continue
            into = system.reaches(source.path, judge.path, stops | world, backward=not forward)
            tainted_in = [m for m in system.mode_list if source.path in read_by[judge.path][m]]
            gated = _old_gate_fed_by(system, source, judge)
            if gated is not None and into is not None:
                found.append((f"`{judge.path}` reads the output of `{source.path}` and decides a "
                              f"gate on it", system.steps(into + gated[1:])))
            for pressure in system.pressures_on(source.path):
                out = lints._path_to_signal(system, judge.path, pressure, world | {source.path},
                                            train=True, start_modes=tainted_in)
                if out is None or into is None:
                    continue
                found.append((f"`{source.path}` is trained on the judgement of `{judge.path}`, "
                              f"who reads its output",
                              system.steps(into + out[1:] + [lints._signal_label(pressure)])))
                break
    return found


def _old_through(system, start, via, pressure, avoiding=frozenset()):
    best = None
    for mode in system.pressure_modes(pressure):
        first = system.reaches(start, via, avoiding, [mode])
        if first is None:
            continue
        for source in lints._computed_sources(system, pressure, False):
            second = system.reaches(via, source, avoiding, [mode], backward=True)
            if second is not None:
                path = first + second[1:]
                if best is None or len(path) < len(best):
                    best = path
    return best


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(proposals())
def test_fast_judge_taint_and_through_equal_the_direct_searches(text):
    proposal = wiring.loads(text)
    _assert_equivalent(build(proposal, proposal.diagrams["D"]))


def _assert_equivalent(system) -> None:
    assert [(f.message, f.witness) for f in lints.judge_taint(system)] == \
        _old_judge_taint(system)
    for pressure in system.pressures:
        for via in system.boxes:
            for avoiding in (frozenset(), system.environments):
                assert lints._through(system, pressure.target, via, pressure, avoiding) == \
                    _old_through(system, pressure.target, via, pressure, avoiding)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_fast_searches_equal_the_direct_ones_on_every_example(path):
    proposal = wiring.load(path)
    for diagram in top_diagrams(proposal):
        _assert_equivalent(build(proposal, diagram))
