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

Steps. `plan` says what one step holds (each mode's boxes and wires, what each training statement
reads and which parameters it moves), once: `unroll` copies it over the steps, and
`steps_needed` measures on it how many steps every loop from a decision back to its reward
takes, so the note that suggests `--steps` cannot disagree with the graph the report reads.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

import networkx as nx

from .. import witness as w
from ..structure import active, by_mode
from ..witness import Node
from .graph import Pressure, System, per_system

DEFAULT_STEPS = 3
MAX_STEPS = 64   # the unrolled diagram holds a copy of every box per step


class Links(NamedTuple):
    """A graph of numbered nodes as plain adjacency (node -> successors, node -> predecessors,
    lists indexed by node): the criteria only traverse, and a requisite graph per agent is
    then a cheap copy-on-write."""

    succ: list
    pred: list

    def without(self, tail, head, copy: bool = True) -> "Links":
        """The graph without the edge tail -> head: a new one when `copy` (which holds only
        what changed, and reads the rest from this one: an agent's requisite graph differs
        from the unrolled diagram by a few links), else this one."""
        links = Links(_Changes(self.succ), _Changes(self.pred)) if copy else self
        _drop(links.succ, tail, head)
        _drop(links.pred, head, tail)
        return links


class _Changes(dict):
    """An adjacency that holds its own entries and reads the others from `base`, less the
    neighbours `dropped` from them: those are filtered out when the entry is first read. A
    dataset read by a thousand agents has a thousand successors, and each agent's requisite
    graph drops its own link from it; its searches seldom read that entry."""

    def __init__(self, base):
        super().__init__()
        self.base = base
        self.dropped: dict = {}

    def __missing__(self, node):
        dropped = self.dropped.pop(node, None)
        if dropped is None:
            return self.base[node]
        kept = self[node] = tuple(n for n in self.base[node] if n not in dropped)
        return kept


def _drop(adjacency, node, neighbour) -> None:
    """Remove `neighbour` from `node`'s entry of `adjacency`."""
    if isinstance(adjacency, _Changes) and node not in adjacency:
        adjacency.dropped.setdefault(node, set()).add(neighbour)
    else:
        adjacency[node] = tuple(n for n in adjacency[node] if n != neighbour)


class _Builder:
    """The unrolled diagram being built: its nodes numbered as they are made, each edge kept
    once, in the order first added (searches meet successors in that order, which decides
    between equally short witnesses). Numbers rather than nodes: an unrolled diagram of 10,000
    boxes has 30,000 nodes, and hashing their tuples of places cost more than the criteria.
    Every node is made at every step at once, so that node k * steps + t is the copy at step t
    of what one step holds as its k-th node: one step's description serves them all."""

    def __init__(self, steps: int):
        self.steps = steps
        self.held: list[tuple] = []   # k -> (place, role, training, mode) of one step's node k
        self.edges: dict[int, None] = {}   # tail << 32 | head: one int rather than a pair
        self.params: dict = {}   # (place, mode) -> the nodes of those parameters (`_params`)

    def add(self, place, role: str, mode, training: int = -1) -> list[int]:
        """A node at every step: their numbers, by step."""
        first = len(self.held) * self.steps
        self.held.append((place, role, training, mode))
        return list(range(first, first + self.steps))

    def link(self, tail: int, head: int) -> None:
        self.edges[tail << 32 | head] = None

    def links(self) -> Links:
        succ: list[list[int]] = [[] for _ in range(len(self.held) * self.steps)]
        pred: list[list[int]] = [[] for _ in succ]
        for edge in self.edges:
            tail, head = edge >> 32, edge & 0xFFFFFFFF
            succ[tail].append(head)
            pred[head].append(tail)
        return Links(succ, pred)

    def nodes(self) -> list[Node]:
        """The nodes by number (the criteria read them often: made once)."""
        return [Node(place, t, role, training, mode) for place, role, training, mode in self.held
                for t in range(self.steps)]

    def order(self, key) -> list[int]:
        """Each node's rank when nodes are listed by step, then by `key` of what one step
        holds (one sort of one step's nodes)."""
        held = self.held
        position = [0] * len(held)
        for rank, k in enumerate(sorted(range(len(held)), key=lambda k: key(*held[k]))):
            position[k] = rank
        return [t * len(held) + position[k] for k in range(len(held)) for t in range(self.steps)]


@dataclass
class CID:
    links: Links   # the graph, as plain adjacency of numbered nodes: the criteria traverse it
    nodes: list[Node]   # number -> the node: what witnesses and tables show
    decisions: dict[str, list[int]]   # agent box -> all its decision nodes, by step then mode
    utilities: dict[str, list[int]]   # agent box -> its utility nodes
    steps: int
    modes: list[str | None] = field(default_factory=lambda: [None])   # the unrolled modes
    order: list[int] = field(default_factory=list)   # node -> rank: time, mode, declaration order

    @cached_property
    def graph(self) -> nx.DiGraph:
        """The graph as networkx's, of nodes rather than numbers, for questions the criteria
        do not ask."""
        graph = nx.DiGraph()
        graph.add_nodes_from(self.nodes)
        graph.add_edges_from((self.nodes[tail], self.nodes[head])
                             for tail, heads in enumerate(self.links.succ) for head in heads)
        return graph

    @cached_property
    def levels(self) -> list[int] | None:
        """Each node's topological generation (the longest path to it): it grows along every
        edge, so a path between two nodes never leaves their levels' window, and a search for
        such paths may skip every node outside it (`incentives._search`). None if the graph
        has a cycle."""
        succ, pred = self.links
        waiting = [len(tails) for tails in pred]
        level = [0] * len(succ)
        ready = [node for node, count in enumerate(waiting) if not count]
        done = 0
        while ready:   # Kahn's order: a node's level is final once its last parent is done
            node = ready.pop()
            done += 1
            below = level[node] + 1
            for head in succ[node]:
                if level[head] < below:
                    level[head] = below
                waiting[head] -= 1
                if not waiting[head]:
                    ready.append(head)
        return level if done == len(succ) else None

    @cached_property
    def agent_places(self) -> set:
        """Where the agents are: the places of their decisions (an agent with shared copies
        acts at several)."""
        return {self.nodes[node].place for nodes in self.decisions.values() for node in nodes}

    def first_decisions(self, agent: str) -> list[int]:
        """The decisions the incentive report is about: the agent's copy at the first step in
        each unrolled mode where it acts."""
        return [d for d in self.decisions.get(agent, []) if self.nodes[d].step == 0]


def decision_boxes(system: System) -> list[str]:
    """The agents: boxes of agent kinds that a training statement optimises, each named by the
    box whose parameters it uses (one policy behind all its shared copies)."""
    agents = {system.boxes[p.target].weights for p in system.pressures
              if system.boxes[p.target].is_a("agent")}
    return system.ordered(agents)


def acting(system: System, agents) -> dict[str, str]:
    """Every box that decides for an agent (the agent's own and its shared copies, whatever
    their kind: one policy acts through all of them) -> the agent."""
    agents = set(agents)
    return {path: box.weights for path, box in system.boxes.items() if box.weights in agents}


def _acting_for(system: System, made: "Plan") -> dict[str, list[int]]:
    """Each agent's boxes, by number, in declaration order."""
    boxes: dict[str, list[int]] = {a: [] for a in made.agents}
    number = system.numbers
    for path, agent in made.acting.items():
        boxes[agent].append(number[path])
    return boxes


def unrolled_modes(system: System) -> list[str | None]:
    """The modes in which some training statement is active, in declaration order ([None] for
    a diagram without modes): the only ones that can carry influence to a reward."""
    if not system.modes:
        return [None]
    if any(p.modes is None for p in system.pressures):
        return list(system.mode_order.modes)
    return system.mode_order.of({m for p in system.pressures for m in p.modes})


def carries(system: System, trained_in: str | None, used_in: str | None) -> bool:
    """Whether parameters trained in mode `trained_in` are the ones used in `used_in`:
    deployment comes last, so what is trained there reaches only deployment."""
    if trained_in is None or trained_in == used_in:
        return True
    return system.phase(trained_in) != "deploy" or system.phase(used_in) == "deploy"


class Copy(NamedTuple):
    """One unrolled mode's copy of the diagram: the same at every step. Boxes by number
    (`System.numbered`): a copy of 10,000 boxes is then lists of ints, not dicts of paths."""

    mode: str | None
    boxes: list[int]                    # the boxes the mode uses
    wires: list[tuple[int, int, int]]   # source box, target box, and the steps it `takes`
    stateful: list[int]                 # boxes whose state carries to the next step
    learned: list[int]                  # trained boxes other than agents: they have parameters
                                        # (those of their `weights` box, shared by its copies)


class Update(NamedTuple):
    """What a training statement does in one mode where it is active, at every step."""

    pressure: Pressure
    mode: str | None
    reads: list[int]            # the boxes (numbers) its signal reads that the mode uses
    moves: list[str | None]     # the modes whose parameters it moves (none when it trains an agent)


class Plan(NamedTuple):
    """The unrolled diagram before it is copied over the steps: what `unroll` copies and
    `steps_needed` measures, so that the two cannot disagree."""

    agents: list[str]   # in declaration order
    acting: dict[str, str]   # box -> the agent it decides for
    deciding: list[bool]     # box number -> whether it decides for an agent
    modes: list[str | None]
    copies: list[Copy]
    updates: list[Update]
    using: dict[int, list[str | None]]   # box number -> the modes using it, in their order


def takes(system: System, edge) -> int:
    """The steps a wire takes: one when it is `delayed` or enters a `stateful` box (what enters
    updates the state its outputs show at the next step), else none."""
    return int(edge.delayed or system.boxes[edge.target].stateful)


@per_system
def plan(system: System) -> Plan:
    """What one step of the unrolled diagram holds: `unroll` copies it, `steps_needed`
    measures it (kept between them: it reads every box and wire)."""
    agents = decision_boxes(system)
    deciding = acting(system, agents)
    boxes, number = system.numbered, system.numbers
    trained = [b.path in system.trained and b.path not in deciding for b in boxes]
    modes = unrolled_modes(system)
    # Each mode's boxes and wires, found in the size of the answer (by_mode), not by asking
    # every box about every mode: 1,600 modes of two boxes each made that 5 million questions.
    in_mode = by_mode(range(len(boxes)), modes, lambda i: boxes[i].modes)
    edges, ends = system.edges, system.wire_ends
    wires_in = by_mode(range(len(edges)), modes, lambda i: system.narrowest(edges[i]))
    using: dict[int, list[str | None]] = {}
    present: dict[str | None, set[int]] = {}
    copies = []
    for mode in modes:
        used = in_mode[mode]
        here = present[mode] = set(used)
        for i in used:
            using.setdefault(i, []).append(mode)
        wires = [(s, t, int(edges[i].delayed or boxes[t].stateful))
                 for i in wires_in[mode] for s, t in [ends[i]]
                 if s in here and t in here and active(edges[i].modes, mode)]
        copies.append(Copy(mode, used, wires, [i for i in used if boxes[i].stateful],
                           [i for i in used if trained[i]]))
    rank = {m: i for i, m in enumerate(modes)}
    updates = []
    for pressure in system.pressures:
        sources = [number[s] for s in pressure.sources if s in number]
        moved = {m for b in system.sharing(pressure.target) if trained[number[b]]
                 for m in using.get(number[b], [])}
        moved_in = sorted(moved, key=rank.__getitem__)
        for mode in system.pressure_modes(pressure):
            if mode in rank:
                moves = [later for later in moved_in if carries(system, mode, later)]
                updates.append(Update(pressure, mode, [s for s in sources if s in present[mode]],
                                      moves))
    return Plan(agents, deciding, [b.path in deciding for b in boxes], modes, copies, updates,
                using)


def unroll(system: System, steps: int = DEFAULT_STEPS) -> CID:
    graph = _Builder(steps)
    made = plan(system)
    boxes: dict = {}   # mode -> box number -> its nodes, one a step (only the mode's boxes)
    for copy in made.copies:
        boxes[copy.mode] = _add_copy(graph, system, copy, made.deciding, steps)
    utilities: dict[str, list[int]] = {a: [] for a in made.agents}
    for update in made.updates:
        _add_training(graph, system, update, made.acting, steps, boxes[update.mode], utilities)
    mode_rank = {m: i for i, m in enumerate(made.modes)}
    mine = _acting_for(system, made)
    decisions = {}
    for a in made.agents:   # by step, then mode, then declaration order
        copies = sorted((mode_rank[m], k, m, p) for k, p in enumerate(mine[a])
                        for m in made.using.get(p, ()))
        decisions[a] = [boxes[m][p][t] for t in range(steps) for _, _, m, p in copies]
    decisions = {a: d for a, d in decisions.items() if d}
    utilities = {a: u for a, u in utilities.items() if a in decisions}
    # Witnesses and tables list nodes by time, then mode, then declaration order: never by name.
    order = graph.order(lambda place, role, training, mode: (
        mode_rank[mode], system.rank(place.path), role, training))
    return CID(links=graph.links(), nodes=graph.nodes(), decisions=decisions,
               utilities=utilities, steps=steps, modes=made.modes, order=order)


def _params(graph: _Builder, system: System, box, mode) -> list[int]:
    """The nodes, one a step, of the parameters a trained box (a path or a number) uses in a
    mode: those of its `weights` box, which the boxes that share them share (made when first
    asked for)."""
    box = system.numbered[box] if isinstance(box, int) else system.boxes[box]
    place = system.boxes[box.weights].place
    if (place, mode) not in graph.params:
        graph.params[place, mode] = graph.add(place, "params", mode)
    return graph.params[place, mode]


def _add_copy(graph: _Builder, system: System, copy: Copy, deciding: list[bool],
              steps: int) -> dict[int, list[int]]:
    """A mode's copy of the diagram at every step: its boxes, its wires, and the parameters
    of the trained boxes it uses. Returns the nodes of each box the mode uses, one a step, by
    box number."""
    mode, boxes = copy.mode, system.numbered
    node: dict[int, list[int]] = {}
    for i in copy.boxes:
        node[i] = graph.add(boxes[i].place, "decision" if deciding[i] else "chance", mode)
    wires = [(node[source], node[target], wait) for source, target, wait in copy.wires]
    stateful = [node[p] for p in copy.stateful]
    learned = [(node[p], _params(graph, system, p, mode)) for p in copy.learned]
    # Edges are added in the same order at every step (state, wires, parameters): searches meet
    # successors in this order, which decides between equally short witnesses.
    link = graph.link
    for t in range(steps):
        if t + 1 < steps:
            for copies in stateful:
                link(copies[t], copies[t + 1])
        for tail, head, wait in wires:
            if t + wait < steps:
                link(tail[t], head[t + wait])
        for copies, theta in learned:   # shared parameters: one theta, several copies
            link(theta[t], copies[t])
            if t + 1 < steps:
                link(theta[t], theta[t + 1])
    return node


def _add_training(graph: _Builder, system: System, update: Update, agents: dict[str, str],
                  steps: int, boxes: list, utilities: dict) -> None:
    """What a training statement does in one mode: the agent's reward there, or the update
    of the trained box's parameters in every mode whose copy uses them. `boxes`: the nodes of
    the mode's boxes, by box number."""
    pressure, mode = update.pressure, update.mode
    target = pressure.target
    agent = agents.get(target)
    reads = [boxes[s] for s in update.reads]
    if agent is not None:
        utility = graph.add(system.boxes[agent].place, "utility", mode, pressure.index)
        utilities[agent] += utility
    for t in range(steps):
        if agent is not None:
            for read in reads:
                graph.link(read[t], utility[t])
        elif t + 1 < steps:
            # Training moves the parameters that the next step uses, in every mode using them.
            for later in update.moves:
                theta = _params(graph, system, target, later)[t + 1]
                for read in reads:
                    graph.link(read[t], theta)


def steps_needed(system: System) -> int:
    """How many steps to unroll so that every instrumental control incentive shows up, with
    its kind: the longest of the shortest loops from an agent's decision through a box back
    to its own reward, counted in the steps of the unrolled diagram (`plan`: one copy per
    mode, parameters the only way between modes). A stateful box, a delayed wire and a
    training update each take one step: open_agency's deployed controller reaches the
    stakeholders' preferences several steps later. Unrolled over fewer steps, some box is on
    no loop, or only on loops through the agent's later decisions (information-only); over
    more, the report's control incentives stay the same. At least 1, at most MAX_STEPS."""
    made = plan(system)
    folded = _folded(system, made)
    levels = _levels(folded)
    needed = 1
    boxes_of = _acting_for(system, made)
    for agent in made.agents:
        mine = {folded.boxes[m][p] for p in boxes_of[agent] for m in made.using.get(p, ())}
        rewards = folded.rewards.get(agent, [])
        if mine and rewards:
            needed = max(needed, _longest_loop(folded, levels, mine, rewards))
    return min(needed, MAX_STEPS)


class Folded(NamedTuple):
    """The unrolled diagram folded over time (`_folded`), its nodes numbered 0, 1, ...: lists
    indexed by node and edges packed in ints keep the searches off tuples of places (on
    10,000 boxes, hashing them cost more than the searches themselves)."""

    succ: list[list[int]]   # node -> its edges out, each `head << 1 | steps` (steps: 0 or 1)
    pred: list[list[int]]   # node -> its edges in, each `tail << 1 | steps`
    places: list            # node -> its place (the agent's reward: the agent's)
    subjects: list          # node -> what the report names it by: its place, Params, or None
                            # for a reward
    boxes: dict             # mode -> box number -> its node (only the mode's boxes)
    rewards: dict           # agent -> its reward nodes, one per training statement and mode


def _longest_loop(folded: Folded, levels, decisions: set[int], rewards: list[int]) -> int:
    """Over the boxes and parameters on a loop from one of `decisions` (an agent's copies at
    its first step) to one of its `rewards`: the steps the shortest loop through each takes,
    or its shortest control loop (one through no later decision of the agent) when it has one.
    The report shows each at its first length, and as a control incentive at the second."""
    # Every node of a loop is an ancestor of a reward and a descendant of a decision: each
    # search stays within what the one before reached, the first at or above the decisions'
    # levels. Forward, a path through a later copy of the decision is matched by a shorter one
    # from that copy's first step: only backward does avoiding the decisions change the length.
    floor = (levels, min(levels[d] for d in decisions))
    back = _fewest_steps(folded.pred, rewards, floor=floor)
    there = _fewest_steps(folded.succ, decisions, within=back)
    free = _fewest_steps(folded.pred, rewards, through=decisions, within=there)
    agent = {folded.places[d] for d in decisions}   # where it acts: its box and shared copies
    shortest: dict = {}   # subject -> its shortest loop
    control: dict = {}    # subject -> its shortest control loop
    for node, steps in there.items():
        subject = folded.subjects[node]
        if subject is None or folded.places[node] in agent:
            continue
        shortest[subject] = min(shortest.get(subject, MAX_STEPS + 1), steps + back[node] + 1)
        if node in free:
            control[subject] = min(control.get(subject, MAX_STEPS + 1), steps + free[node] + 1)
    return max((control.get(s, length) for s, length in shortest.items()), default=1)


def _folded(system: System, made: Plan) -> Folded:
    """The unrolled diagram folded over time: a node per box (or parameters, or reward) and
    mode, at step 0; each edge with the steps it takes. The edges from a node to its own next
    step (stateful boxes, parameters that persist) never shorten a loop and are left out."""
    folded = Folded([], [], [], [], {}, {})
    params: dict = {}   # (weights box, mode) -> its parameters' node

    def new(place, subject) -> int:
        folded.succ.append([])
        folded.pred.append([])
        folded.places.append(place)
        folded.subjects.append(subject)
        return len(folded.succ) - 1

    def theta(box, mode) -> int:   # the parameters a trained box (path or number) uses
        weights = (system.numbered[box] if isinstance(box, int) else system.boxes[box]).weights
        if (weights, mode) not in params:
            place = system.boxes[weights].place
            params[weights, mode] = new(place, w.Params(place))
        return params[weights, mode]

    def link(tail: int, head: int, steps: int) -> None:
        folded.succ[tail].append(head << 1 | steps)
        folded.pred[head].append(tail << 1 | steps)

    boxes = system.numbered
    for c in made.copies:
        node = folded.boxes[c.mode] = {}
        for p in c.boxes:
            place = boxes[p].place
            node[p] = new(place, place)
        for source, target, steps in c.wires:
            link(node[source], node[target], steps)
        for p in c.learned:
            link(theta(p, c.mode), node[p], 0)
    for u in made.updates:
        target = u.pressure.target
        if target in made.acting:   # the agent's reward in this mode, at the same step
            agent = made.acting[target]
            heads = [(new(system.boxes[agent].place, None), 0)]
            folded.rewards.setdefault(agent, []).append(heads[0][0])
        else:   # the parameters the next step uses, in every mode that uses them
            heads = [(theta(target, later), 1) for later in u.moves]
        for read in u.reads:
            for head, steps in heads:
                link(folded.boxes[u.mode][read], head, steps)
    return folded


def _levels(folded: Folded) -> list[int]:
    """Each node's level in the folded diagram's condensation (its loops, which the folding
    makes, as one node each): it never falls along an edge, so a path between two nodes
    stays within their levels, and a search for loops through an agent's decisions may skip
    every node below them (an agent's loops are near it; the diagram upstream may be long)."""
    component, components = _components(folded.succ)
    level = [0] * len(components)
    # Tarjan's algorithm finds the components sinks first: the reverse is a topological order,
    # in which a component's level is final before its successors read it.
    for number in range(len(components) - 1, -1, -1):
        below = level[number] + 1
        for node in components[number]:
            for edge in folded.succ[node]:
                head = component[edge >> 1]
                if head != number and level[head] < below:
                    level[head] = below
    return [level[c] for c in component]


def _components(succ: list[list[int]]) -> tuple[list[int], list[list[int]]]:
    """The strongly connected components of a graph of numbered nodes (edges packed as in
    `Folded`), by Tarjan's algorithm without recursion: each node's component, and each
    component's nodes, in the order found (sinks first)."""
    index = [-1] * len(succ)   # the order a node was met in
    low = [0] * len(succ)      # the earliest node its search reaches back to, still open
    component = [-1] * len(succ)
    components: list[list[int]] = []
    open_: list[int] = []      # met, component not yet found
    met = 0
    for root in range(len(succ)):
        if index[root] >= 0:
            continue
        work = [(root, 0)]   # a node and the next of its edges to follow
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = met
                met += 1
                open_.append(node)
            edges = succ[node]
            while i < len(edges):
                head = edges[i] >> 1
                i += 1
                if index[head] < 0:   # follow it first; come back to this node after
                    work += [(node, i), (head, 0)]
                    break
                if component[head] < 0:
                    low[node] = min(low[node], index[head])
            else:
                if low[node] == index[node]:   # the first node met of its component
                    members = []
                    while not members or members[-1] != node:
                        members.append(open_.pop())
                        component[members[-1]] = len(components)
                    components.append(members)
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
    return component, components


def _fewest_steps(links: list[list[int]], starts, through=frozenset(), within=None,
                  floor=None) -> dict:
    """The fewest steps from `starts` to every node reached (a 0-1 breadth-first search: an
    edge takes 0 or 1 step). Nodes of `through` are reached, not passed; when `within` is
    given, the search stays among its nodes; when `floor`, (levels, low), among the nodes of
    level at least `low`."""
    found = dict.fromkeys(starts, 0)
    queue = deque(found)
    done = set()
    levels, low = floor if floor is not None else ({}, None)
    while queue:
        node = queue.popleft()
        if node in done:
            continue
        done.add(node)
        if node in through:
            continue
        for edge in links[node]:
            head, steps = edge >> 1, edge & 1
            if within is not None and head not in within:
                continue
            if low is not None and levels[head] < low:
                continue
            if head not in found or found[node] + steps < found[head]:
                found[head] = found[node] + steps
                (queue.append if steps else queue.appendleft)(head)
    return found
