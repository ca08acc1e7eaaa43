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

from dataclasses import dataclass, field

import networkx as nx

from .graph import Pressure, System

DEFAULT_STEPS = 3


@dataclass(frozen=True)
class Node:
    box: str
    step: int
    role: str = "chance"  # chance, decision, utility, params

    def __str__(self) -> str:
        prefix = {"utility": "U:", "params": "Θ:"}.get(self.role, "")
        return f"{prefix}{self.box}@{self.step}"


@dataclass
class Incentives:
    """The incentives of one agent's decision, by box (aggregated over steps)."""

    decision: str
    voi: dict[str, list[str]] = field(default_factory=dict)          # box -> witness
    ri: dict[str, list[str]] = field(default_factory=dict)
    voc: dict[str, list[str]] = field(default_factory=dict)
    ici_control: dict[str, list[str]] = field(default_factory=dict)
    ici_info: dict[str, list[str]] = field(default_factory=dict)

    def has(self, kind: str, box: str) -> bool:
        return box in getattr(self, kind)


@dataclass
class CID:
    graph: nx.DiGraph
    decisions: dict[str, list[Node]]   # agent box -> its decision nodes, by step
    utilities: dict[str, list[Node]]   # agent box -> its utility nodes
    steps: int


def decision_boxes(system: System) -> list[str]:
    """The agents: boxes of agent kinds that a training statement optimises."""
    agents = {p.target for p in system.pressures if system.boxes[p.target].is_a("agent")}
    return system.ordered(agents)


def _learning_modes(system: System) -> frozenset[str] | None:
    """The modes in which agents learn: every mode but the deployment ones (what happens in
    deployment is not rewarded). None when the diagram has no modes."""
    from .graph import phase_of

    if not system.modes:
        return None
    learning = [m for m in system.modes if phase_of(m) != "deploy"]
    return frozenset(learning or system.modes)


def unroll(system: System, steps: int = DEFAULT_STEPS) -> CID:
    graph = nx.DiGraph()
    agents = set(decision_boxes(system))
    trained = {p.target for p in system.pressures} - agents
    modes = _learning_modes(system)

    def active(box_or_edge) -> bool:
        return modes is None or box_or_edge.modes is None or bool(box_or_edge.modes & modes)

    boxes = {path: box for path, box in system.boxes.items() if active(box)}
    edges = [e for e in system.edges if active(e) and e.source in boxes and e.target in boxes]
    for t in range(steps):
        for path, box in boxes.items():
            role = "decision" if path in agents else "chance"
            graph.add_node(Node(path, t, role))
            if box.attributes.stateful and t + 1 < steps:
                graph.add_edge(Node(path, t, role), Node(path, t + 1, role))
        for edge in edges:
            tail_role = "decision" if edge.source in agents else "chance"
            head_role = "decision" if edge.target in agents else "chance"
            # What enters a stateful box updates the state its outputs show at the next step.
            later = edge.delayed or system.boxes[edge.target].attributes.stateful
            if later:
                if t + 1 < steps:
                    graph.add_edge(Node(edge.source, t, tail_role), Node(edge.target, t + 1, head_role))
            else:
                graph.add_edge(Node(edge.source, t, tail_role), Node(edge.target, t, head_role))
        for box in trained & set(boxes):
            theta = Node(box, t, "params")
            graph.add_edge(theta, Node(box, t, "chance"))
            if t + 1 < steps:
                graph.add_edge(theta, Node(box, t + 1, "params"))
    utilities: dict[str, list[Node]] = {a: [] for a in agents}
    for index, pressure in enumerate(system.pressures):
        for t in range(steps):
            reads = [Node(s, t, "decision" if s in agents else "chance") for s in pressure.sources
                     if s in boxes]
            if pressure.target in agents:
                utility = Node(f"{pressure.target}#{index}", t, "utility")
                graph.add_node(utility)
                for read in reads:
                    graph.add_edge(read, utility)
                utilities[pressure.target].append(utility)
            elif t + 1 < steps and pressure.target in boxes:
                # Training moves the parameters the next step uses.
                for read in reads:
                    graph.add_edge(read, Node(pressure.target, t + 1, "params"))
    decisions = {a: [Node(a, t, "decision") for t in range(steps)] for a in agents if a in boxes}
    utilities = {a: u for a, u in utilities.items() if a in decisions}
    _break_cycles(graph)
    return CID(graph=graph, decisions=decisions, utilities=utilities, steps=steps)


def _break_cycles(graph: nx.DiGraph) -> None:
    """Modes are unrolled together; wires of two different modes can close a loop that no
    single mode has (each mode is free of algebraic loops, as the checker ensures). Such a loop
    is cut at an edge of the latest-found cycle, so the CID stays a DAG."""
    while True:
        try:
            cycle = nx.find_cycle(graph)
        except nx.NetworkXNoCycle:
            return
        graph.remove_edge(*cycle[-1][:2])


def _d_separated(graph: nx.DiGraph, x: set, y: set, z: set) -> bool:
    if not x or not y:
        return True
    return nx.is_d_separator(graph, x, y, z)


def requisite_graph(cid: CID, agent: str) -> nx.DiGraph:
    """Remove non-requisite information links, deciding in reverse topological order
    (Lauritzen and Nilsson 2001; PyCID's requisite_graph)."""
    graph = cid.graph.copy()
    utilities = set(cid.utilities[agent])
    for decision in reversed(cid.decisions[agent]):
        descendants = nx.descendants(graph, decision)
        reward = utilities & descendants
        parents = set(graph.predecessors(decision))
        for parent in sorted(parents, key=lambda n: (n.step, n.box, n.role)):
            family = (parents | {decision}) - {parent}
            if _d_separated(graph, {parent}, reward, family):
                graph.remove_edge(parent, decision)
                parents.discard(parent)
    return graph


def incentives(system: System, cid: CID, agent: str) -> Incentives:
    """Incentives of `agent`'s first decision, reported by box with a witness path."""
    def key(node: Node):  # time, then declaration order: never names
        return (node.step, system.rank(node.box), node.role)

    graph = cid.graph
    decision = cid.decisions[agent][0]
    others = [d for d in cid.decisions[agent] if d != decision]
    utilities = set(cid.utilities[agent])
    result = Incentives(decision=agent)
    if not utilities:
        return result
    requisite = requisite_graph(cid, agent)
    descendants = nx.descendants(graph, decision)
    reward = utilities & descendants
    # ICI: X on a directed path D -> X -> U (in the original graph).
    towards_reward = set().union(*(nx.ancestors(graph, u) for u in reward)) if reward else set()
    free = nx.restricted_view(graph, others, [])
    free_desc = nx.descendants(free, decision)
    free_towards = set().union(*(nx.ancestors(free, u) for u in reward if u in free)) if reward else set()
    for node in sorted(descendants & towards_reward, key=key):
        if node.role in ("utility", "decision") or node.box == agent:
            continue
        if node in free_desc and node in free_towards:
            _record(result.ici_control, node, _witness(free, decision, node, reward, key))
        else:
            _record(result.ici_info, node, _witness(graph, decision, node, reward, key))
    for box in list(result.ici_info):
        if box in result.ici_control:
            del result.ici_info[box]
    # VoC: X -> U in the requisite graph.
    for node in sorted(requisite.nodes, key=key):
        if node.role in ("utility", "decision"):
            continue
        if nx.descendants(requisite, node) & utilities:
            _record(result.voc, node, _witness(requisite, node, None, utilities, key))
    # RI: X -> D in the requisite graph.
    for node in sorted(nx.ancestors(requisite, decision), key=key):
        if node.role in ("utility", "decision"):
            continue
        _record(result.ri, node, [str(n) for n in nx.shortest_path(requisite, node, decision)])
    # VoI: X requisite for D once observed (X not a descendant of D).
    parents = set(requisite.predecessors(decision))
    for node in sorted(graph.nodes, key=key):
        if node.role in ("utility", "decision") or node in descendants or node == decision:
            continue
        if node.step > decision.step:
            continue
        family = (parents | {decision}) - {node}
        if not _d_separated(requisite, {node}, reward, family):
            _record(result.voi, node, [str(node), "(observed)", str(decision)])
    return result


def _record(table: dict[str, list[str]], node: Node, witness: list[str]) -> None:
    name = ("Θ:" if node.role == "params" else "") + node.box
    if name not in table:
        table[name] = witness


def _witness(graph: nx.DiGraph, start: Node, via: Node | None, ends: set, key) -> list[str]:
    """A directed path start -> via -> some end, as text."""
    first = nx.shortest_path(graph, start, via) if via is not None else [start]
    here = via if via is not None else start
    for end in sorted(ends, key=key):
        if end in graph and nx.has_path(graph, here, end):
            rest = nx.shortest_path(graph, here, end)
            return [str(n) for n in first + rest[1:]]
    return [str(n) for n in first]


def report(system: System, steps: int = DEFAULT_STEPS) -> list[Incentives]:
    cid = unroll(system, steps)
    return [incentives(system, cid, agent) for agent in system.ordered(cid.decisions)]
