"""The diagram unrolled in time and in modes: the causal influence diagram (CID) that the
incentive criteria (`incentives`) read. docs/analyses.md ("The unrolled diagram") draws it.

Copies. For each unrolled mode m and each step t, one node per box active in m (`policy[m]@t`;
a diagram without modes has one copy, and its nodes print as `policy@t`).

Data. A wire joins two nodes of the same copy: within a step, or from step t to step t + 1 when
it is `delayed` or enters a `stateful` box (whose state carries to the next step). Data flows
within one mode: no wire joins two modes' copies.

Training. A training statement acts in the modes it is active in (its `when`). In each of them,
at each step, the boxes its signal reads are the parents of
- the agent's utility node in that copy (`U:policy#k[m]@t`), when it trains an agent (a box of
  an agent kind): what the agent is rewarded for in that mode;
- the trained box's parameter node at the next step (`Θ:rm[m']@t+1`), when it trains another
  box, in every unrolled mode m' where the box is used. Parameters persist from step to step and
  feed the box's copy of their mode. This is the only way influence crosses modes.
Deployment comes last: parameters trained in a deployment mode (online learning, best-of-n at
deployment) reach only deployment modes, while parameters trained in any other mode reach every
mode that uses the box. Training and evaluation modes are not ordered among themselves: a
proposal's stages may alternate (iterated reward modelling), and the steps order them in time.

Decisions. Every copy of an agent, in every mode and step: one policy acts in all of them.

Which modes are unrolled: those in which some training statement is active. Any other mode
computes no reward and sends nothing out (no wire leaves it, nothing is trained in it), so none of
its nodes is on a path to a reward or d-connected to one; leaving it out changes no criterion.
The graph is acyclic by construction: every mode is free of instantaneous loops (the checker
ensures it), and every edge that leaves a step goes to the next one.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

import networkx as nx

from ..structure import active
from ..witness import Node
from .graph import Pressure, System

DEFAULT_STEPS = 3
MAX_STEPS = 64   # the unrolled diagram holds a copy of every box per step


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
    decisions: dict[str, list[Node]]   # agent box -> all its decision nodes, by step then mode
    utilities: dict[str, list[Node]]   # agent box -> its utility nodes
    steps: int
    modes: list[str | None] = field(default_factory=lambda: [None])   # the unrolled modes
    order: dict = field(default_factory=dict)   # node -> rank: time, mode, declaration order

    @cached_property
    def links(self) -> Links:
        return Links.of(self.graph)

    def first_decisions(self, agent: str) -> list[Node]:
        """The decisions the incentive report is about: the agent's copy at the first step in
        each unrolled mode where it acts."""
        return [d for d in self.decisions.get(agent, []) if d.step == 0]


def decision_boxes(system: System) -> list[str]:
    """The agents: boxes of agent kinds that a training statement optimises."""
    agents = {p.target for p in system.pressures if system.boxes[p.target].is_a("agent")}
    return system.ordered(agents)


def unrolled_modes(system: System) -> list[str | None]:
    """The modes in which some training statement is active, in declaration order ([None] for
    a diagram without modes): the only ones that can carry influence to a reward."""
    if not system.modes:
        return [None]
    return [m for m in system.modes if any(active(p.modes, m) for p in system.pressures)]


def carries(system: System, trained_in: str | None, used_in: str | None) -> bool:
    """Whether parameters trained in mode `trained_in` are the ones used in `used_in`:
    deployment comes last, so what is trained there reaches only deployment."""
    if trained_in is None or trained_in == used_in:
        return True
    return system.phase(trained_in) != "deploy" or system.phase(used_in) == "deploy"


def unroll(system: System, steps: int = DEFAULT_STEPS) -> CID:
    graph = nx.DiGraph()
    ordered = decision_boxes(system)   # dicts keyed by agent list them in declaration order
    agents = set(ordered)
    trained = {p.target for p in system.pressures} - agents
    modes = unrolled_modes(system)
    used = {m: [p for p, b in system.boxes.items() if active(b.modes, m)] for m in modes}
    for mode in modes:
        _add_copy(graph, system, mode, used[mode], agents, trained, steps)
    utilities: dict[str, list[Node]] = {a: [] for a in ordered}
    for pressure in system.pressures:
        for mode in modes:
            if active(pressure.modes, mode):
                _add_training(graph, system, pressure, mode, used, agents, steps, utilities)
    decisions = {a: [Node(system.boxes[a].place, t, "decision", -1, m)
                     for t in range(steps) for m in modes if a in used[m]] for a in ordered}
    decisions = {a: d for a, d in decisions.items() if d}
    utilities = {a: u for a, u in utilities.items() if a in decisions}
    # Witnesses and tables list nodes by time, then mode, then declaration order: never by name.
    mode_rank = {m: i for i, m in enumerate(modes)}
    order = {n: rank for rank, n in enumerate(sorted(graph, key=lambda n: (
        n.step, mode_rank[n.mode], system.rank(n.place.path), n.role, n.training)))}
    return CID(graph=graph, decisions=decisions, utilities=utilities, steps=steps,
               modes=modes, order=order)


def _add_copy(graph: nx.DiGraph, system: System, mode: str | None, boxes: list[str],
              agents: set[str], trained: set[str], steps: int) -> None:
    """Mode `mode`'s copy of the diagram at every step: its boxes, its wires, and the
    parameters of the trained boxes it uses."""
    here = set(boxes)
    # Every node of the copy, made once: node[path][t].
    node = {path: [Node(system.boxes[path].place, t,
                        "decision" if path in agents else "chance", -1, mode)
                   for t in range(steps)] for path in boxes}
    edges = [e for e in system.edges if active(e.modes, mode) and e.source in here
             and e.target in here]
    # What enters a stateful box updates the state its outputs show at the next step.
    wires = [(node[e.source], node[e.target],
              int(e.delayed or system.boxes[e.target].attributes.stateful)) for e in edges]
    stateful = [node[p] for p in boxes if system.boxes[p].attributes.stateful]
    learned = [(node[p], [Node(system.boxes[p].place, t, "params", -1, mode)
                          for t in range(steps)]) for p in system.ordered(trained & here)]
    # Edges are added in the same order at every step (boxes, wires, parameters): searches
    # meet successors in this order, which decides between equally short witnesses.
    for t in range(steps):
        graph.add_nodes_from(node[p][t] for p in boxes)
        if t + 1 < steps:
            graph.add_edges_from((copies[t], copies[t + 1]) for copies in stateful)
        graph.add_edges_from((tail[t], head[t + wait]) for tail, head, wait in wires
                             if t + wait < steps)
        for copies, theta in learned:
            graph.add_edge(theta[t], copies[t])
            if t + 1 < steps:
                graph.add_edge(theta[t], theta[t + 1])


def _add_training(graph: nx.DiGraph, system: System, pressure: Pressure, mode: str | None,
                  used: dict, agents: set[str], steps: int, utilities: dict) -> None:
    """What training statement `pressure` does in mode `mode`: the agent's reward there, or
    the update of the trained box's parameters in every mode whose copy uses them."""
    here = set(used[mode])
    target = pressure.target
    reads = [(system.boxes[s].place, "decision" if s in agents else "chance")
             for s in pressure.sources if s in here]
    for t in range(steps):
        nodes = [Node(place, t, role, -1, mode) for place, role in reads]
        if target in agents:
            utility = Node(system.boxes[target].place, t, "utility", pressure.index, mode)
            graph.add_node(utility)
            graph.add_edges_from((read, utility) for read in nodes)
            utilities[target].append(utility)
        elif t + 1 < steps:
            # Training moves the parameters that the next step uses, in every mode using them.
            for later in used:
                if target in used[later] and carries(system, mode, later):
                    theta = Node(system.boxes[target].place, t + 1, "params", -1, later)
                    graph.add_edges_from((read, theta) for read in nodes)


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
