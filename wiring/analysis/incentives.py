"""Incentives on the diagram unrolled in time and in modes (`unroll`): a causal influence
diagram (CID) and the graphical criteria of Everitt, Carey, Langlois, Ortega and Legg (2021,
Agent Incentives: A Causal Perspective) for value of information, response incentives, value of
control and instrumental control incentives, with the control / information-only split of
Everitt, Hutter, Kumar and Krakovna (Reward Tampering Problems and Solutions in Reinforcement
Learning).

Each agent is read on its own: its decisions are its copies (in every mode and step), its
utilities its rewards. Another agent's decisions are chance nodes, its policy held fixed: the
single-agent criteria applied to one agent of a multi-agent influence diagram (Hammond, Fox,
Everitt, Carey, Abate, Wooldridge 2023, Reasoning about Causality in Games). They appear in every
table like any box, and an instrumental control incentive on one is a *strategic* incentive
(`strategic`): an incentive to influence the other agent.

All criteria use reachability and d-separation (networkx); no path is ever enumerated.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field

import networkx as nx

from .. import witness as w
from ..witness import Node
from .graph import System
from .search import breadth_first, trace as _trace
from .unroll import (CID, DEFAULT_STEPS, MAX_STEPS, Links, decision_boxes, steps_needed,
                     unroll)

__all__ = ["CID", "DEFAULT_STEPS", "MAX_STEPS", "Incentives", "decision_boxes", "incentives",
           "report", "requisite_graph", "steps_needed", "unroll"]


Subject = w.Box | w.Port | w.Params   # what an incentive is on

STRATEGIC = ("other agents' decisions are read as chance nodes, their policies held fixed "
             "(Hammond et al. 2023); an instrumental control incentive on one is a strategic "
             "incentive, to influence that agent")


@dataclass
class Incentives:
    """The incentives of one agent's decisions, by box or its parameters (aggregated over
    steps and modes), each with a witness. `strategic` holds the instrumental control
    incentives (control or information-only) on other agents' decisions."""

    decision: str
    modes: list[str] = field(default_factory=list)   # the modes of the decisions read
    # Where the agent decides: its box, then the boxes that share its parameters.
    boxes: list[str] = field(default_factory=list)
    voi: dict[Subject, w.Witness] = field(default_factory=dict)
    ri: dict[Subject, w.Witness] = field(default_factory=dict)
    voc: dict[Subject, w.Witness] = field(default_factory=dict)
    ici_control: dict[Subject, w.Witness] = field(default_factory=dict)
    ici_info: dict[Subject, w.Witness] = field(default_factory=dict)
    strategic: dict[Subject, w.Witness] = field(default_factory=dict)

    def has(self, kind: str, subject: Subject | str) -> bool:
        """Whether the decision has incentive `kind` on `subject`, given as a step or by the
        name the report shows (`rm`, `Θ:rm`)."""
        table = getattr(self, kind)
        return subject in table or any(str(s) == subject for s in table)


def _d_connected(graph: Links | nx.DiGraph, sources, given: set, window: tuple | None = None,
                 requisite: set | None = None) -> set:
    """Every node joined to some node of `sources` by a trail that is active given `given`
    (Koller and Friedman 2009, algorithm 3.1, "reachable"). One linear pass answers
    d-separation for all candidates at once, where networkx's `is_d_separator` answers one
    pair per pass; d-connection is symmetric, so the search may start from the utilities.
    `window`, (levels, cap) with levels that grow along every edge, keeps the pass among the
    nodes of level at most `cap`: an ancestral set, and d-separation holds in an ancestral
    subgraph holding the sources, `given` and a candidate exactly when it holds in the whole
    graph (Lauritzen et al. 1990). With `cap` at least the level of the sources and of
    `given`, the answer is then exact for every node of the window, at a cost bounded by the
    active trails near the sources rather than by the graph.
    `requisite`, when given, receives the nodes of `given` that the pass reaches: exactly those
    d-connected to `sources` given the others of `given` (Shachter 1998, Bayes-Ball: the
    requisite observations), so one pass decides every parent of a decision at once."""
    pred, succ = graph.pred, graph.succ
    levels, cap = window if window is not None else (None, None)
    observed_ancestor = _ancestry(pred, given, levels)
    # Two stacks: nodes the trail arrives at from a child (going up), and from a parent (going
    # down); a node is passed at most once each way. Plain lists and sets: this is the inner
    # loop of the incentive report.
    up, down = list(sources), []
    seen_up: set = set()
    seen_down: set = set()
    while up or down:
        if up:
            node = up.pop()
            if node in seen_up or (cap is not None and levels[node] > cap):
                continue
            seen_up.add(node)
            if node not in given:
                up.extend(pred[node])
                down.extend(succ[node])
        else:
            node = down.pop()
            if node in seen_down or (cap is not None and levels[node] > cap):
                continue
            seen_down.add(node)
            if node not in given:
                down.extend(succ[node])
            if observed_ancestor(node):   # an observed collider, or one with an observed descendant
                up.extend(pred[node])
    seen = seen_up | seen_down
    if requisite is not None:
        requisite.update(seen & given)
    return seen - given


def _ancestry(pred, given: set, levels: dict | None):
    """A test of whether a node is in `given` or an ancestor of one of them. Without levels,
    every ancestor is found at once. With levels (which grow along every edge) they are found
    from the top down, only as deep as the nodes asked about: the pass asks about nodes near
    the agent's utilities, while the ancestors of a decision's parents may be the whole
    upstream diagram."""
    found = set(given)
    if levels is None:
        stack = list(given)
        while stack:
            for parent in pred[stack.pop()]:
                if parent not in found:
                    found.add(parent)
                    stack.append(parent)
        return found.__contains__
    # A max-heap by level (ties broken by arrival: nodes need not be comparable).
    heap = [(-levels[node], rank, node) for rank, node in enumerate(given)]
    heapq.heapify(heap)
    arrivals = itertools.count(len(heap))

    def observed_ancestor(node) -> bool:
        # Every ancestor at `node`'s level or above has, on its path to `given`, only nodes of
        # higher levels: expanding every node found above that level finds it.
        floor = levels[node]
        while heap and -heap[0][0] > floor:
            for parent in pred[heapq.heappop(heap)[2]]:
                if parent not in found:
                    found.add(parent)
                    heapq.heappush(heap, (-levels[parent], next(arrivals), parent))
        return node in found

    return observed_ancestor


def _search(graph: Links, starts, forward: bool = True, through=frozenset(),
            window=None) -> dict:
    return breadth_first(graph.succ if forward else graph.pred, starts, through, window=window)


_INF = float("inf")


def _before(cid: CID, nodes) -> tuple | None:
    """The window of a search forward that only asks about paths into `nodes` (levels up to
    theirs): the agent's utilities are near its decisions, the rest of the graph far."""
    levels = cid.levels
    return None if levels is None else (levels, -_INF, max(levels[n] for n in nodes))


def _after(cid: CID, node) -> tuple | None:
    """The window of a search back that only asks about paths out of `node`."""
    levels = cid.levels
    return None if levels is None else (levels, levels[node], _INF)


def _up_to(cid: CID, nodes) -> tuple | None:
    """The window of a d-connection pass (`_d_connected`) about `nodes` and their ancestors:
    levels up to theirs."""
    levels = cid.levels
    return None if levels is None else (levels, max(levels[n] for n in nodes))


def requisite_graph(cid: CID, agent: str) -> Links:
    """Remove non-requisite information links, deciding in reverse topological order
    (Lauritzen and Nilsson 2001; PyCID's requisite_graph): a parent of a decision is requisite
    when it is d-connected to the decision's reward given the decision's other parents. As in
    PyCID, every parent is judged against the whole family: one pass judges them all."""
    graph = cid.links
    utilities = set(cid.utilities[agent])
    to_utilities = _before(cid, utilities)
    for decision in reversed(cid.decisions[agent]):
        reward = utilities & _search(graph, [decision], window=to_utilities).keys()
        parents = graph.pred[decision]
        requisite: set = set()
        if reward:
            # The question concerns the reward, the decision and its parents: the pass may
            # stay at or below the reward's levels, an ancestral set holding them all, and
            # stays one whatever links are removed.
            _d_connected(graph, reward, {*parents, decision}, _up_to(cid, reward), requisite)
        for parent in sorted(set(parents) - requisite, key=cid.order.__getitem__):
            graph = graph.without(parent, decision, copy=graph is cid.links)
    return graph


def incentives(system: System, cid: CID, agent: str) -> Incentives:
    """Incentives of `agent`'s first decision in each unrolled mode where it acts, reported by
    box with a witness path: the shortest any of those decisions has (the first mode's, between
    equals)."""
    first = cid.first_decisions(agent)
    nodes = cid.nodes
    result = Incentives(decision=agent,
                        modes=list(dict.fromkeys(nodes[d].mode for d in first
                                                 if nodes[d].mode is not None)),
                        boxes=list(dict.fromkeys(nodes[d].place.path
                                                 for d in cid.decisions[agent])))
    if not cid.utilities.get(agent):
        return result
    requisite = requisite_graph(cid, agent)
    key = cid.order.__getitem__
    # The searches from a decision only ask about paths into the agent's utilities.
    to_utilities = _before(cid, cid.utilities[agent])
    for decision in first:
        from_decision = _search(cid.links, [decision], window=to_utilities)
        reward = [u for u in sorted(cid.utilities[agent], key=key) if u in from_decision]
        part = Incentives(decision=agent)
        _control(cid, agent, decision, from_decision, reward, part)
        _information(cid, agent, decision, from_decision, reward, requisite, part)
        # Of the decisions' witnesses, the shortest; between equals, the first mode's.
        for kind in ("voi", "ri", "voc", "ici_control", "ici_info"):
            table = getattr(result, kind)
            for subject, witness in getattr(part, kind).items():
                if subject not in table or len(witness) < len(table[subject]):
                    table[subject] = witness
    for box in list(result.ici_info):
        if box in result.ici_control:
            del result.ici_info[box]
    own = _places(cid, agent)   # its box and its shared copies
    result.strategic = {subject: witness for table in (result.ici_control, result.ici_info)
                        for subject, witness in table.items()
                        if subject in cid.agent_places and subject not in own}
    return result


def _own(node: Node, places: frozenset) -> bool:
    """A node the agent's criteria are not about: a utility, or one of its own decisions (at
    any of its `places`: its box and its shared copies). Another agent's decision is a chance
    node (its policy held fixed)."""
    return node.role == "utility" or (node.role == "decision" and node.place in places)


def _places(cid: CID, agent: str) -> frozenset:
    """Where an agent decides: its box and its shared copies."""
    return frozenset(cid.nodes[d].place for d in cid.decisions[agent])


def _control(cid: CID, agent: str, decision: int, from_decision: dict, reward: list[int],
             result: Incentives) -> None:
    """ICI: X on a directed path D -> X -> U. It is a *control* incentive when such a path
    avoids the agent's later decisions, *information-only* when every one passes them."""
    key = cid.order.__getitem__
    graph = cid.links
    others = frozenset(d for d in cid.decisions[agent] if d != decision)
    # Every node asked about lies between the decision and its reward: the searches stay in
    # that window of levels, and find there what whole-graph searches find.
    to_reward = _search(graph, reward, forward=False, window=_after(cid, decision))
    free_from_decision = _search(graph, [decision], through=others,
                                 window=_before(cid, cid.utilities[agent]))
    free_to_reward = _search(graph, reward, forward=False, through=others,
                             window=_after(cid, decision))
    places = _places(cid, agent)
    for node in sorted(from_decision.keys() & to_reward.keys(), key=key):
        if _own(cid.nodes[node], places) or cid.nodes[node].place in places:
            continue
        if node in free_from_decision and node in free_to_reward:
            _record(result.ici_control, cid.nodes[node], lambda: _witness(
                cid, _trace(free_from_decision, node) + _trace(free_to_reward, node)[-2::-1]))
        else:
            _record(result.ici_info, cid.nodes[node], lambda: _witness(
                cid, _trace(from_decision, node) + _trace(to_reward, node)[-2::-1]))


def _information(cid: CID, agent: str, decision: int, from_decision: dict,
                 reward: list[int], requisite: Links, result: Incentives) -> None:
    """VoC, RI and VoI of one decision, on the agent's requisite graph."""
    key = cid.order.__getitem__
    nodes = cid.nodes
    utilities = set(cid.utilities[agent])
    places = _places(cid, agent)
    # VoC: X -> U in the requisite graph.
    to_utility = _search(requisite, sorted(utilities, key=key), forward=False)
    for node in sorted(to_utility, key=key):
        if not _own(nodes[node], places):
            _record(result.voc, nodes[node], lambda: _witness(cid, _trace(to_utility, node)[::-1]))
    # RI: X -> D in the requisite graph.
    to_decision = _search(requisite, [decision], forward=False)
    for node in sorted(to_decision, key=key):
        if not _own(nodes[node], places):
            _record(result.ri, nodes[node],
                    lambda: _witness(cid, _trace(to_decision, node)[::-1]))
    # VoI: X not a descendant of D and not d-separated from D's reward given D's family
    # (without X). Every X outside the family shares one conditioning set: one pass serves them.
    parents = set(requisite.pred[decision])
    family = parents | {decision}
    needed: set = set()   # the parents d-connected to the reward given the rest of the family
    window = _before(cid, utilities)   # the one `from_decision` was searched in
    connected = _connected_to_reward(requisite, reward, family, window, from_decision, needed)
    candidates = {node for node in connected | parents
                  if not _own(nodes[node], places) and nodes[node].step <= nodes[decision].step}
    if window is not None and any(window[0][node] > window[2] for node in candidates):
        from_decision = _search(cid.links, [decision])   # asked about nodes past the window
    informative = {node for node in candidates if node not in from_decision}
    for node in sorted(informative, key=key):
        if node in parents and node not in needed:
            continue
        _record(result.voi, nodes[node], lambda: (nodes[node], w.OBSERVED, nodes[decision]))


def _connected_to_reward(requisite: Links, reward: list[int], family: set, window,
                         from_decision: dict, needed: set) -> set:
    """The nodes d-connected to the decision's `reward` given its `family` in the requisite
    graph, but for descendants of the decision past `window` (`_before` the agent's utilities,
    where `from_decision` was searched; VoI is not asked of descendants). The pass stays in
    that window (`_d_connected`); past it no node is an ancestor of the family or the reward,
    so a trail that leaves the window only goes on down: from a node the pass reached, not
    observed, and (for the nodes asked about) not a descendant of the decision."""
    if not reward:
        return set()
    if window is None:
        return _d_connected(requisite, reward, family, requisite=needed)
    levels, _, cap = window
    connected = _d_connected(requisite, reward, family, (levels, cap), requisite=needed)
    succ = requisite.succ
    leaving = {child for node in connected if node not in from_decision
               for child in succ[node] if levels[child] > cap}
    return connected | (_search(requisite, leaving).keys() if leaving else set())


def _witness(cid: CID, path: list[int]) -> w.Witness:
    """A path of numbered nodes as the witness that shows it."""
    return tuple(cid.nodes[node] for node in path)


def _record(table: dict[Subject, w.Witness], node: Node, witness) -> None:
    """The witness `witness()` for the box (or parameters) of `node`, unless it has one: the
    first, in the order nodes are met. Made only then: a box has a node at every step."""
    subject = w.Params(node.place) if node.role == "params" else node.place
    if subject not in table:
        table[subject] = witness()


def report(system: System, steps: int = DEFAULT_STEPS) -> list[Incentives]:
    cid = unroll(system, steps)
    return [incentives(system, cid, agent) for agent in system.ordered(cid.decisions)]
