"""The incentive report and the steps hint search windows of levels (issue 11, item 14): near
each agent's decisions and rewards rather than the whole unrolled diagram. On random proposals
(several agents, trained models, stateful boxes, delayed wires, side branches, modes) and on
every example, they find exactly what searches of the whole diagram find."""

from __future__ import annotations

import importlib
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wiring
import wiring.analysis
from wiring.analysis import incentives as inc
from wiring.analysis.build import build
from wiring.structure import top_diagrams

from conftest import EXAMPLES

# The module, not the function `wiring.analysis.unroll` that shadows it as an attribute.
unrolling = importlib.import_module("wiring.analysis.unroll")

_COMPONENTS = {
    "Agent": "policy, learned, untrusted",
    "Model": "reward_model, learned",
    "Judge": "human, trusted",
    "Store": "memory, stateful",
    "Tool": "tool",
    "Log": "sink, environment",
}


@st.composite
def proposals(draw) -> str:
    palette = ["Agent", "Agent", "Model", "Judge", "Store", "Tool", "Tool", "Log"]
    kinds = draw(st.lists(st.sampled_from(palette), min_size=2, max_size=16))
    modes = draw(st.integers(0, 3)) == 0
    lines = ['proposal "windows"']
    for name, attributes in _COMPONENTS.items():
        lines += [f"component {name} : {attributes} {{", "  in x : Real = 0",
                  "  in z : Real = 0", "  out y : Real", "}"]
    lines += ["diagram D {", "  in p : Real", "  out r : Real"]
    if modes:
        lines.append("  modes train : training, serve : deployment")
    lines += [f"  b{i} = {kind}" for i, kind in enumerate(kinds)]
    for target in range(len(kinds)):
        for port in ("x", "z"):
            if not draw(st.integers(0, 3)):
                continue
            # Chains half the time: side chains longer than the way to a reward are what
            # leaves the window of an agent's utilities.
            source = target - 1 if draw(st.booleans()) else draw(st.integers(-1, len(kinds) - 1))
            backward = source >= target   # a loop: delayed, so that it is allowed
            delayed = " delayed" if backward or draw(st.integers(0, 5)) == 0 else ""
            lines.append(f"  {'p' if source < 0 else f'b{source}.y'} -> b{target}.{port}{delayed}")
    lines.append(f"  b{len(kinds) - 1}.y -> r")
    signals = [i for i, kind in enumerate(kinds) if kind in ("Model", "Judge", "Tool", "Store")]
    for i, kind in enumerate(kinds):
        if kind in ("Agent", "Model") and signals:
            read = draw(st.lists(st.sampled_from(signals), min_size=1, max_size=2, unique=True))
            when = f" when {draw(st.sampled_from(['train', 'serve']))}" if modes else ""
            lines.append(f"  train b{i} by rl maximising "
                         + " + ".join(f"b{s}.y" for s in read) + when)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _table(incentives) -> list:
    return [(i.decision, i.modes, i.voi, i.ri, i.voc, i.ici_control, i.ici_info, i.strategic)
            for i in incentives]


def _assert_windows_change_nothing(system, steps: int) -> None:
    cid = inc.unroll(system, steps)
    windowed = _table(inc.incentives(system, cid, agent) for agent in system.ordered(cid.decisions))
    whole = inc.unroll(system, steps)
    whole.__dict__["levels"] = None   # no levels: every search and pass covers the whole graph
    unwindowed = _table(inc.incentives(system, whole, agent)
                        for agent in system.ordered(whole.decisions))
    assert windowed == unwindowed
    needed = unrolling.steps_needed(system)
    with pytest.MonkeyPatch.context() as patch:   # every node at level 0: nothing skipped
        patch.setattr(unrolling, "_levels", lambda folded: defaultdict(int))
        assert unrolling.steps_needed(system) == needed


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(proposals(), st.sampled_from([1, 1, 2, 4]))
def test_windows_find_what_whole_graph_searches_find(text, steps):
    result = wiring.check_text(text, "windows.wd")
    if not result.ok:   # a loop the generator made without a delay, and the like
        return
    _assert_windows_change_nothing(build(result.proposal, result.proposal.diagrams["D"]), steps)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_windows_find_what_whole_graph_searches_find_on_every_example(path):
    proposal = wiring.load(path)
    for diagram in top_diagrams(proposal):
        _assert_windows_change_nothing(build(proposal, diagram), 3)


_SIDE_CHAIN = """
proposal "voi"
type P
component A : policy, learned, untrusted {
  in x : P
  out y : P
}
component T : tool {
  in x : P
  out y : P
}
component J : human, trusted {
  in a : P
  in b : P
  out s : Real
}
diagram D {
  in p : P
  a = A
  t1 = T
  t2 = T
  t3 = T
  t4 = T
  j = J
  p -> a.x
  p -> t1.x
  t1.y -> t2.x
  t2.y -> t3.x
  t3.y -> t4.x
  a.y -> j.a
  t1.y -> j.b
  train a by rl maximising j.s
}
"""


def test_value_of_information_past_the_levels_of_the_reward():
    """`t4` is further from the prompt than the reward is, and shares a cause (`t1`) with the
    judgement: observing it would tell the policy about the reward."""
    analysis = wiring.analysis.analyse(wiring.loads(_SIDE_CHAIN))
    (policy,) = analysis.incentives
    assert sorted(str(s) for s in policy.voi) == ["in:p", "t1", "t2", "t3", "t4"]
