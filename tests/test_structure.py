"""Flattening (`wiring.structure.flatten`): the one substitution of nested diagrams that the
analyses and the renderer read."""

from __future__ import annotations

import wiring
from wiring.structure import flatten

NESTED = """\
type Obs
type Act
component Agent : policy, learned {
  in  obs : Obs
  out act : Act
}
component Guard : filter, trusted {
  in  act : Act
  out act_out : Act
}
component World : environment, environment, stateful {
  in  act : Act
  out obs : Obs
}
component Judge : reward_model, trusted {
  in  act : Act
  out score : Real
}
component Critic : reward_model, learned {
  in  act : Act
  out value : Real
}
diagram Guarded {
  in  obs : Obs
  out act : Act
  out score : Real
  agent = Agent
  guard = Guard
  judge = Judge
  obs -> agent.obs
  agent.act -> guard.act, judge.act
  guard.act_out -> act
  judge.score -> score
  train agent by sgd maximising judge.score
}
diagram Loop {
  modes train, deploy
  system = Guarded
  world  = World
  critic = Critic when train
  system.act -> world.act
  system.act -> critic.act when train
  world.obs -> system.obs delayed
  train critic by sgd maximising system.score when train
}
"""


def flat_of(depth=None):
    proposal = wiring.loads(NESTED, "nested.wd")
    return flatten(proposal, proposal.diagrams["Loop"], depth)


def wire(flat, source, target):
    found = [w for w in flat.wires if (w.source, w.target) == (source, target)]
    assert len(found) == 1, found
    return found[0]


def test_a_joined_wire_keeps_the_wires_it_is_made_of_in_order():
    flat = flat_of()
    joined = wire(flat, "world", "system.agent")
    assert [(prefix, str(w.source), str(w.target)) for prefix, w in joined.via] == \
        [("", "world.obs", "system.obs"), ("system", "obs", "agent.obs")]
    assert joined.delayed and joined.modes is None
    assert joined.span == joined.via[-1][1].span
    assert wire(flat, "system.guard", "critic").modes == {"train"}


def test_a_wire_inside_one_diagram_is_its_own_single_step():
    flat = flat_of()
    inner = wire(flat, "system.agent", "system.guard")
    assert [(prefix, str(w.source)) for prefix, w in inner.via] == [("system", "agent.act")]
    assert not inner.delayed and inner.modes is None


def test_depth_leaves_nested_diagrams_opaque_and_says_which():
    flat = flat_of(depth=0)
    assert flat.leaves["system"].opaque and flat.cut == {"system"} and not flat.expanded
    assert [len(w.via) for w in flat.wires] == [1, 1, 1]
    flat = flat_of()
    assert set(flat.expanded) == {"system"} and not flat.cut


def test_a_signal_reading_a_nested_port_reads_the_leaf_that_feeds_it():
    flat = flat_of()
    critic = flat.trainings[-1]
    assert critic.target == "critic" and critic.reads == [("system.judge", "score")]
    (feed,) = flat.feeds["system", "score"]
    assert (feed.source, feed.source_port) == ("system.judge", "score")
    assert [(prefix, str(w.target)) for prefix, w in feed.via] == [("system", "score")]
    assert [t.target for t in flat.trainings] == ["system.agent", "critic"]


def test_a_diagram_containing_itself_is_not_entered_again():
    proposal = wiring.loads(NESTED, "nested.wd")
    guarded = proposal.diagrams["Guarded"]
    inner = guarded.instances[0].model_copy(update={"name": "again", "of": "Guarded",
                                                    "of_diagram": True})
    proposal.diagrams["Guarded"] = guarded.model_copy(
        update={"instances": guarded.instances + [inner]})
    flat = flatten(proposal, proposal.diagrams["Loop"])
    assert set(flat.expanded) == {"system"} and flat.leaves["system.again"].opaque
    assert not flat.cut   # opaque because of the cycle, not of a depth


# ------------------------------------------------------------- each mode's boxes and wires

from typing import NamedTuple  # noqa: E402

from hypothesis import given, strategies as st  # noqa: E402

from wiring.structure import ModeOrder, active, by_mode  # noqa: E402

MODE_NAMES = ["a", "b", "c", "d", "e"]


class _Item(NamedTuple):
    name: int
    modes: frozenset | None


_restrictions = st.one_of(st.none(), st.frozensets(st.sampled_from(MODE_NAMES + ["gone"])))


@given(st.lists(_restrictions, max_size=30),
       st.lists(st.sampled_from(MODE_NAMES), unique=True, max_size=5))
def test_each_modes_items_are_those_active_in_it_in_their_order(restrictions, modes):
    # What the checker and the analyses read a mode's boxes and wires from, in place of
    # filtering every box once per mode (quadratic in the modes): it must be that filter.
    items = [_Item(i, r) for i, r in enumerate(restrictions)]
    for listed in (modes, [None], [None, *modes]):
        found = by_mode(items, listed)
        assert list(found) == listed
        for mode in listed:
            assert found[mode] == [x for x in items if active(x.modes, mode)]
    order = ModeOrder(modes)
    for r in restrictions:
        assert order.of(r) == [m for m in (modes or [None]) if active(r, m)]
