"""The fast searches of issue 11 (items 13-14) find exactly what the direct ones found: on
random proposals, `judge_taint` and `goodhart` (which trace paths only for findings, list
each judge's gates once and read the proxies a pressure passes off cached searches) and `untrusted_output` (whose gate cuts and effective depths read only
the boxes between a hazard and a sink) against reference copies of the direct
implementations."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itertools import combinations

import networkx as nx

import wiring
from wiring.analysis import gates, lints
from wiring.analysis.build import build
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


def _old_effective_depth(system, path, gates):
    layers = [n for n in path if n in gates][:14]
    graph = system.graph.copy()
    graph.remove_edges_from(zip(path, path[1:]))
    for size in range(len(layers), 0, -1):
        for subset in combinations(layers, size):
            boxes = [system.boxes[g] for g in subset]
            if len({b.provenance for b in boxes}) < len(boxes):
                continue
            if any(nx.has_path(graph, a, b) for a in subset for b in subset if a != b):
                continue
            return list(subset)
    return []


def _old_layered_gates(system):
    """untrusted_output's S0203 before the per-pair graphs: (route, effective, cut) of each
    hazard and sink reached only through full gates, on the whole deployment graphs."""
    full_gates = system.full_gates
    found = []
    for hazard in system.hazards:
        for sink in system.sinks:
            graphs = [g for g in (system.graph_in(m) for m in system.deploy_modes)
                      if hazard.path in g and sink.path in g and sink.path != hazard.path]
            layered = [p for g in graphs
                       if (p := gates._fewest_gates(g, hazard.path, sink.path, full_gates))]
            if not layered:
                continue
            route = min(layered, key=lambda p: sum(n in full_gates for n in p))
            cuts = [c for g in graphs
                    if (c := gates.gate_cut(g, hazard.path, sink.path, full_gates))]
            found.append((route, _old_effective_depth(system, route, full_gates),
                          min(cuts, key=len) if cuts else None))
    return found


@st.composite
def layered(draw) -> str:
    """An agent whose every path to the world passes gates: gates of a few provenances in a
    random forward graph (a gate's output may also reach a later gate's second input, a relayed
    verdict), fed only by the agent or earlier gates, read only by later gates or the world."""
    gates = draw(st.integers(2, 9))
    lines = ['proposal "layers"',
             "component Agent : policy, learned, untrusted {\n  in x : Real = 0\n  out y : Real\n}",
             "component World : sink, environment {\n  in x : Real merge max\n}"]
    lines += [f"component G{k} : filter, trusted, provenance = \"p{k}\" {{\n  in x : Real merge "
              f"max\n  in z : Real = 0\n  out y : Real\n}}" for k in range(3)]
    lines += ["diagram D {", "  modes deploy : deployment", "  a = Agent", "  w = World"]
    lines += [f"  g{i} = G{draw(st.integers(0, 2))}" for i in range(gates)]
    for i in range(gates):
        sources = draw(st.sets(st.integers(-1, i - 1), min_size=1, max_size=2))
        lines += [f"  {'a' if j < 0 else f'g{j}'}.y -> g{i}.x" for j in sorted(sources)]
    for i in draw(st.sets(st.integers(0, gates - 1), min_size=1, max_size=3)):
        lines.append(f"  g{i}.y -> w.x")
    for i in range(1, gates):
        if draw(st.booleans()):
            lines.append(f"  g{draw(st.integers(0, i - 1))}.y -> g{i}.z")
    return "\n".join(lines + ["}"]) + "\n"


def _layered_notes(system) -> list:
    return [(f.witness, f.notes) for f in gates.untrusted_output(system) if f.code == "S0203"]


def _old_layered_notes(system) -> list:
    out = []
    for route, effective, cut in _old_layered_gates(system):
        layers = [n for n in route if n in system.full_gates]
        cut = cut if cut is not None else layers
        if len(effective) < len(layers):
            out.append((system.steps(route), [
                f"nominal depth {len(layers)}, effective depth {len(effective)} "
                f"({', '.join(effective)}); minimum gate cut {len(cut)} ({', '.join(cut)})"]))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(proposals())
def test_fast_judge_taint_and_through_equal_the_direct_searches(text):
    proposal = wiring.loads(text)
    _assert_equivalent(build(proposal, proposal.diagrams["D"]))


def _old_goodhart(system) -> list:
    """goodhart before its candidates were read off the searches: every proxy and every
    outcome asked of `_through`. (witness, notes) of each finding."""
    proxies = {b.path for b in system.boxes.values() if lints._is_proxy(b)}
    found = []
    for pressure in system.pressures:
        target = system.boxes[pressure.target]
        if pressure.family == "supervised" or not target.is_a(*lints.AGENT_KINDS):
            continue
        honest = None
        for proxy in system.ordered(proxies - {target.path}):
            path = lints._through(system, target.path, proxy, pressure, system.environments)
            if path is None:
                continue
            if honest is None:
                honest = [b.path for b in system.boxes.values() if lints._outcome(b) and
                          lints._through(system, target.path, b.path, pressure, proxies)]
            found.append((system.steps(path + [lints._signal_label(pressure)]), not honest))
    return found


def _assert_equivalent(system) -> None:
    assert [(f.witness, any(n.startswith("only-proxy") for n in f.notes))
            for f in lints.goodhart(system)] == _old_goodhart(system)
    assert [(f.message, f.witness) for f in lints.judge_taint(system)] == \
        _old_judge_taint(system)
    assert _layered_notes(system) == _old_layered_notes(system)
    for pressure in system.pressures:
        for via in system.boxes:
            for avoiding in (frozenset(), system.environments):
                assert lints._through(system, pressure.target, via, pressure, avoiding) == \
                    _old_through(system, pressure.target, via, pressure, avoiding)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(layered())
def test_layered_gates_equal_the_whole_graph_cuts_and_depths(text):
    proposal = wiring.loads(text)
    system = build(proposal, proposal.diagrams["D"])
    assert _layered_notes(system) == _old_layered_notes(system)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_fast_searches_equal_the_direct_ones_on_every_example(path):
    proposal = wiring.load(path)
    for diagram in top_diagrams(proposal):
        _assert_equivalent(build(proposal, diagram))
