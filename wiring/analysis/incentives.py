"""Incentives on the diagram unrolled in time: a causal influence diagram (CID) and the
graphical criteria of Everitt, Carey, Langlois, Ortega and Legg (2021, Agent Incentives: A Causal
Perspective) for value of information, response incentives, value of control and instrumental
control incentives, with the control / information-only split of Everitt, Hutter, Kumar and
Krakovna (Reward Tampering Problems and Solutions in Reinforcement Learning).

Unrolling C_k(G): one node per (box, step). Wires within a step join nodes of that step;
`delayed` wires, and the state of `stateful` boxes, join step t to step t + 1. A learned box that
is trained (and is not the agent deciding) gets a parameter node Θ that persists across steps
and is updated from the boxes its signal reads: an agent that can reach those boxes can reach
its own reward function. Decisions are the agent's boxes at each step; utilities are its
training signal at each step (a node whose parents are the boxes the signal reads).

All criteria use reachability and d-separation (networkx); no path is ever enumerated.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

import networkx as nx

from .. import witness as w
from ..structure import active
from ..witness import Node
from .graph import System, breadth_first, trace as _trace

DEFAULT_STEPS = 3


Subject = w.Box | w.Port | w.Params   # what an incentive is on


@dataclass
class Incentives:
    """The incentives of one agent's decision, by box or its parameters (aggregated over
    steps), each with a witness."""

    decision: str
    voi: dict[Subject, w.Witness] = field(default_factory=dict)
    ri: dict[Subject, w.Witness] = field(default_factory=dict)
    voc: dict[Subject, w.Witness] = field(default_factory=dict)
    ici_control: dict[Subject, w.Witness] = field(default_factory=dict)
    ici_info: dict[Subject, w.Witness] = field(default_factory=dict)

    def has(self, kind: str, subject: Subject | str) -> bool:
        """Whether the decision has incentive `kind` on `subject`, given as a step or by the
        name the report shows (`rm`, `Θ:rm`)."""
        table = getattr(self, kind)
        return subject in table or any(str(s) == subject for s in table)


class Links(NamedTuple):
    """A graph as plain adjacency (node -> successors, node -> predecessors): the criteria
    only traverse, and a requisite graph per agent is then a cheap copy-on-write."""

    succ: dict
    pred: dict

    @classmethod
    def of(cls, graph: nx.DiGraph) -> "Links":
        return cls({n: tuple(a) for n, a in graph.succ.items()},
                   {n: tuple(a) for n, a in graph.pred.items()})

    def without(self, tail, head, copy: bool = True) -> "Links":
        """The graph without the edge tail -> head: a new one when `copy`, else this one."""
        links = Links(dict(self.succ), dict(self.pred)) if copy else self
        links.succ[tail] = tuple(n for n in links.succ[tail] if n != head)
        links.pred[head] = tuple(n for n in links.pred[head] if n != tail)
        return links


@dataclass
class CID:
    graph: nx.DiGraph
    decisions: dict[str, list[Node]]   # agent box -> its decision nodes, by step
    utilities: dict[str, list[Node]]   # agent box -> its utility nodes
    steps: int
    order: dict = field(default_factory=dict)   # node -> rank: time, then declaration order

    @cached_property
    def links(self) -> Links:
        return Links.of(self.graph)


def decision_boxes(system: System) -> list[str]:
    """The agents: boxes of agent kinds that a training statement optimises."""
    agents = {p.target for p in system.pressures if system.boxes[p.target].is_a("agent")}
    return system.ordered(agents)


def _learning_modes(system: System) -> frozenset[str] | None:
    """The modes in which agents learn: every mode but the deployment ones (what happens in
    deployment is not rewarded). None when the diagram has no modes."""
    if not system.modes:
        return None
    learning = [m for m in system.modes if system.phase(m) != "deploy"]
    return frozenset(learning or system.modes)


MAX_STEPS = 64   # the unrolled diagram holds a copy of every box per step


def steps_needed(system: System) -> int:
    """How many steps to unroll so that every way an agent's decision can reach its own
    signal shows up: a loop through stateful boxes and delayed wires takes one step per such
    hop (open_agency's deployed controller reaches the stakeholders' preferences four steps
    later). At least DEFAULT_STEPS, at most MAX_STEPS."""
    forward: dict[str, list[tuple[str, int]]] = defaultdict(list)
    backward: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for edge in system.edges:
        later = int(edge.delayed or bool(system.boxes.get(edge.target) and
                                         system.boxes[edge.target].attributes.stateful))
        forward[edge.source].append((edge.target, later))
        backward[edge.target].append((edge.source, later))

    def distances(starts, links) -> dict[str, int]:   # 0-1 breadth-first search, in steps
        found = dict.fromkeys(starts, 0)
        queue = deque(found)
        while queue:
            node = queue.popleft()
            for head, cost in links[node]:
                if head not in found or found[node] + cost < found[head]:
                    found[head] = found[node] + cost
                    (queue.appendleft if cost == 0 else queue.append)(head)
        return found

    needed = DEFAULT_STEPS
    for agent in decision_boxes(system):
        reads = set().union(*(p.sources for p in system.pressures_on(agent)))
        there, back = distances([agent], forward), distances(sorted(reads), backward)
        loops = [there[box] + back[box] + 1 for box in there if box in back]
        needed = max([needed, *loops])
    return min(needed, MAX_STEPS)


def unroll(system: System, steps: int = DEFAULT_STEPS) -> CID:
    graph = nx.DiGraph()
    agents = set(decision_boxes(system))
    trained = {p.target for p in system.pressures} - agents
    modes = _learning_modes(system)

    boxes = {path: box for path, box in system.boxes.items() if active(box.modes, modes)}
    place = {path: box.place for path, box in boxes.items()}
    role = {path: "decision" if path in agents else "chance" for path in boxes}

    def node(path: str, t: int) -> Node:
        return Node(place[path], t, role[path])

    edges = [e for e in system.edges
             if active(e.modes, modes) and e.source in boxes and e.target in boxes]
    for t in range(steps):
        for path, box in boxes.items():
            graph.add_node(node(path, t))
            if box.attributes.stateful and t + 1 < steps:
                graph.add_edge(node(path, t), node(path, t + 1))
        for edge in edges:
            # What enters a stateful box updates the state its outputs show at the next step.
            later = edge.delayed or system.boxes[edge.target].attributes.stateful
            if later:
                if t + 1 < steps:
                    graph.add_edge(node(edge.source, t), node(edge.target, t + 1))
            else:
                graph.add_edge(node(edge.source, t), node(edge.target, t))
        for box in system.ordered(trained & set(boxes)):
            theta = Node(place[box], t, "params")
            graph.add_edge(theta, Node(place[box], t, "chance"))
            if t + 1 < steps:
                graph.add_edge(theta, Node(place[box], t + 1, "params"))
    utilities: dict[str, list[Node]] = {a: [] for a in agents}
    for pressure in system.pressures:
        target = pressure.target
        for t in range(steps):
            reads = [node(s, t) for s in pressure.sources if s in boxes]
            if target in agents:
                utility = Node(system.boxes[target].place, t, "utility", pressure.index)
                graph.add_node(utility)
                for read in reads:
                    graph.add_edge(read, utility)
                utilities[target].append(utility)
            elif t + 1 < steps and target in boxes:
                # Training moves the parameters the next step uses.
                for read in reads:
                    graph.add_edge(read, Node(place[target], t + 1, "params"))
    decisions = {a: [node(a, t) for t in range(steps)] for a in agents if a in boxes}
    utilities = {a: u for a, u in utilities.items() if a in decisions}
    _break_cycles(graph)
    # Witnesses and tables list nodes by time, then declaration order: never by name.
    order = {n: rank for rank, n in enumerate(sorted(
        graph, key=lambda n: (n.step, system.rank(n.place.path), n.role, n.training)))}
    return CID(graph=graph, decisions=decisions, utilities=utilities, steps=steps, order=order)


def _break_cycles(graph: nx.DiGraph) -> None:
    """Modes are unrolled together; wires of two different modes can close a loop that no
    single mode has (each mode is free of algebraic loops, as the checker ensures). Such a loop
    is cut at an edge of the latest-found cycle, so the CID stays a DAG."""
    if nx.is_directed_acyclic_graph(graph):   # the usual case, and much faster to confirm
        return
    while True:
        try:
            cycle = nx.find_cycle(graph)
        except nx.NetworkXNoCycle:
            return
        graph.remove_edge(*cycle[-1][:2])


def _d_connected(graph: Links | nx.DiGraph, sources, given: set,
                 within: set | None = None) -> set:
    """Every node joined to some node of `sources` by a trail that is active given `given`
    (Koller and Friedman 2009, algorithm 3.1, "reachable"). One linear pass answers
    d-separation for all candidates at once, where networkx's `is_d_separator` answers one
    pair per pass; d-connection is symmetric, so the search may start from the utilities.
    When `within` is an ancestral set holding `sources`, `given` and the candidates asked
    about, the pass may stay inside it: d-separation holds in an ancestral subgraph exactly
    when it holds in the whole graph (Lauritzen et al. 1990). Other nodes of the result are
    then not answered for."""
    observed_ancestors = set(breadth_first(graph.pred, given))
    # (node, True) when the trail arrives from a child (going up), (node, False) from a parent.
    reached: set = set()
    visited: set = set()
    stack = [(node, True) for node in sources]
    while stack:
        node, up = item = stack.pop()
        if item in visited or (within is not None and node not in within):
            continue
        visited.add(item)
        if node not in given:
            reached.add(node)
        if up and node not in given:
            stack += [(parent, True) for parent in graph.pred[node]]
            stack += [(child, False) for child in graph.succ[node]]
        elif not up:
            if node not in given:
                stack += [(child, False) for child in graph.succ[node]]
            if node in observed_ancestors:   # an observed collider, or one with an observed descendant
                stack += [(parent, True) for parent in graph.pred[node]]
    return reached


def _search(graph: Links, starts, forward: bool = True, through=frozenset()) -> dict:
    return breadth_first(graph.succ if forward else graph.pred, starts, through)


def requisite_graph(cid: CID, agent: str) -> Links:
    """Remove non-requisite information links, deciding in reverse topological order
    (Lauritzen and Nilsson 2001; PyCID's requisite_graph): a parent of a decision is requisite
    when it is d-connected to the decision's reward given the decision's other parents."""
    graph = cid.links
    utilities = set(cid.utilities[agent])
    # Each question concerns a reward, a decision and its parents: their ancestors. The
    # ancestors of all the agent's utilities and decisions hold them, and stay an ancestral
    # set as links are removed, so one search serves every decision.
    relevant = set(_search(graph, [*cid.utilities[agent], *cid.decisions[agent]], forward=False))
    for decision in reversed(cid.decisions[agent]):
        reward = utilities & _search(graph, [decision]).keys()
        parents = set(graph.pred[decision])
        for parent in sorted(parents, key=cid.order.__getitem__):
            family = (parents | {decision}) - {parent}
            if reward and parent in _d_connected(graph, reward, family, relevant):
                continue
            parents.discard(parent)
            graph = graph.without(parent, decision, copy=graph is cid.links)
    return graph


def incentives(system: System, cid: CID, agent: str) -> Incentives:
    """Incentives of `agent`'s first decision, reported by box with a witness path."""
    key = cid.order.__getitem__
    shown = tuple
    agent_place = system.boxes[agent].place
    graph = cid.links
    decision = cid.decisions[agent][0]
    others = frozenset(d for d in cid.decisions[agent] if d != decision)
    utilities = set(cid.utilities[agent])
    result = Incentives(decision=agent)
    if not utilities:
        return result
    requisite = requisite_graph(cid, agent)
    from_decision = _search(graph, [decision])
    reward = [u for u in sorted(utilities, key=key) if u in from_decision]
    # ICI: X on a directed path D -> X -> U. It is a *control* incentive when such a path
    # avoids the agent's later decisions, *information-only* when every one passes them.
    to_reward = _search(graph, reward, forward=False)
    free_from_decision = _search(graph, [decision], through=others)
    free_to_reward = _search(graph, reward, forward=False, through=others)
    for node in sorted(from_decision.keys() & to_reward.keys(), key=key):
        if node.role in ("utility", "decision") or node.place == agent_place:
            continue
        if node in free_from_decision and node in free_to_reward:
            path = _trace(free_from_decision, node) + _trace(free_to_reward, node)[-2::-1]
            _record(result.ici_control, node, shown(path))
        else:
            path = _trace(from_decision, node) + _trace(to_reward, node)[-2::-1]
            _record(result.ici_info, node, shown(path))
    for box in list(result.ici_info):
        if box in result.ici_control:
            del result.ici_info[box]
    # VoC: X -> U in the requisite graph.
    to_utility = _search(requisite, sorted(utilities, key=key), forward=False)
    for node in sorted(to_utility, key=key):
        if node.role not in ("utility", "decision"):
            _record(result.voc, node, shown(_trace(to_utility, node)[::-1]))
    # RI: X -> D in the requisite graph.
    to_decision = _search(requisite, [decision], forward=False)
    for node in sorted(to_decision, key=key):
        if node.role not in ("utility", "decision"):
            _record(result.ri, node, shown(_trace(to_decision, node)[::-1]))
    # VoI: X not a descendant of D and not d-separated from D's reward given D's family
    # (without X). Every X outside the family shares one conditioning set: one pass serves them.
    parents = set(requisite.pred[decision])
    family = parents | {decision}
    connected = _d_connected(requisite, reward, family) if reward else set()
    informative = {node for node in connected | parents
                   if node.role not in ("utility", "decision") and node not in from_decision
                   and node.step <= decision.step}
    for node in sorted(informative, key=key):
        if node in parents and not (
                reward and node in _d_connected(requisite, reward, family - {node})):
            continue
        _record(result.voi, node, (node, w.OBSERVED, decision))
    return result


def _record(table: dict[Subject, w.Witness], node: Node, witness: w.Witness) -> None:
    subject = w.Params(node.place) if node.role == "params" else node.place
    if subject not in table:
        table[subject] = witness


def report(system: System, steps: int = DEFAULT_STEPS) -> list[Incentives]:
    cid = unroll(system, steps)
    return [incentives(system, cid, agent) for agent in system.ordered(cid.decisions)]
