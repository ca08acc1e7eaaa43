"""The system graph the analyses read: a checked diagram flattened to its leaf boxes.

Nesting is kept in the model; analyses need the leaf boxes and the data that flows between
them, so `build.build` makes the System from the diagram flattened by
`wiring.structure.flatten` (every nested diagram substituted by its contents, the wires that
meet at a boundary joined). Box paths name the nesting (`deployment.monitor`). Outer ports of the top diagram become pseudo-boxes `in:NAME` and
`out:NAME`.

The analyses read structure and attributes only: kinds (with their ancestors in the kind
hierarchy), trust, learned/frozen, held-out, provenance, modes with their phases and
optimisation wires.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, wraps
from typing import NamedTuple

import networkx as nx

from .. import witness as w
from ..diagnostics import Span
from ..model import (CHOOSING, GATE_TRUST, UNBOUNDED, Attributes, Diagram, Expr, Instance,
                     Proposal, Training)
from ..structure import (Flat, FlatWire, ModeOrder, PhaseOf, active, assumed_phase, by_mode,
                         phases)
from .search import breadth_first, trace

HAZARD_KINDS = ("agent", "model")       # untrusted producers of content
GATE_KINDS = ("gate", "verifier", "auditor", "overseer", "monitor", "human")

# The analyses' short names of the phases (`System.phase`).
SHORT_PHASES = {"training": "train", "evaluation": "eval", "deployment": "deploy"}


@lru_cache(maxsize=None)
def _kind_set(kinds: tuple[str, ...]) -> frozenset[str]:
    """One set per kind chain, shared by its boxes (`is_a` is asked of every box, often)."""
    return frozenset(kinds)


@dataclass(slots=True)
class Box:
    """A leaf box of the analysed system. With slots, not a dict per box: the analyses read
    boxes by the ten thousand, and their memory is what makes a large diagram slow."""

    path: str
    instance: Instance
    component: str
    attributes: Attributes
    kinds: tuple[str, ...]          # its kinds and their ancestors, most specific first
    modes: frozenset[str] | None    # None: active in every mode
    span: Span | None
    place: w.Box | w.Port           # how a witness names it
    # The box whose parameters this one uses: itself, or the end of its `shared` chain. Boxes
    # with the same weights are one model behind several interfaces.
    weights: str = ""
    model: str = ""     # that box's component (a shared copy's own may be another interface)

    kind_set: frozenset[str] = field(init=False, repr=False, compare=False)
    # The attributes the analyses scan every box for, copied out of `attributes`: read from
    # the box itself, a scan touches the boxes (made together, so near each other in memory)
    # rather than a model object per box scattered over the whole proposal's heap.
    trust: str = field(init=False, repr=False, compare=False)
    stateful: bool = field(init=False, repr=False, compare=False)
    learned: bool = field(init=False, repr=False, compare=False)
    heldout: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.kind_set = _kind_set(self.kinds)
        attributes = self.attributes
        self.trust, self.stateful = attributes.trust, attributes.stateful
        self.learned, self.heldout = attributes.learned, attributes.heldout

    def is_a(self, *kinds: str) -> bool:
        return not self.kind_set.isdisjoint(kinds)

    @property
    def outer(self) -> str | None:
        """"in" or "out" for an outer port of the diagram (a pseudo-box), else None."""
        return self.place.direction if isinstance(self.place, w.Port) else None

    @property
    def provenance(self) -> str:
        """Boxes with the same provenance have correlated errors; a box without a declared
        provenance is its own (its component's name; a shared copy's, its model's)."""
        return self.attributes.provenance or f"component:{self.model or self.component}"

    def expr(self, name: str) -> Expr | None:
        return self.attributes.extra.get(name)


# A data wire between leaf boxes of the analysed system: the flattened wire itself.
Edge = FlatWire


class TrainGraph(NamedTuple):
    """`System.train_graph`: nodes (box, mode) as plain adjacency."""
    succ: dict   # node -> its successors (in the order their edges were first added)
    pred: dict   # node -> its predecessors
    pressures: dict   # (tail, head) of an optimisation wire -> its training statement


@dataclass
class Pressure:
    """An optimisation wire: a training statement, with the boxes its signal reads."""
    target: str
    training: Training
    reads: list[tuple[str, str]]        # (box path, output port) the signal reads
    anchors: list[str]                  # boxes named in kl(...) besides the target
    modes: frozenset[str] | None
    diagram_path: str
    index: int                          # its place in System.pressures

    @property
    def family(self) -> str:
        return self.training.family

    @property
    def span(self) -> Span | None:
        return self.training.span

    @property
    def sources(self):
        """The boxes the signal reads, once each, in the order it reads them: a set would
        iterate in an order that changes with the hash seed, and the order in which the
        unrolled diagram and the train graph add their edges decides between equal paths."""
        return dict.fromkeys(box for box, _ in self.reads).keys()

    def strength(self) -> str:
        """How hard the optimiser pushes, in words (Gao et al.: BoN spends log n nats)."""
        from ..types import show_expr

        arg = self.training.argument
        if self.family == "best_of":
            return f"best-of-{show_expr(arg)}: log({show_expr(arg)}) nats"
        if self.family == "quantilizer":
            return f"quantilizer: -log({show_expr(arg)}) nats"
        if self.family in CHOOSING:
            return (f"{self.family.replace('_', ' ')} among {show_expr(arg)}: log({show_expr(arg)}) nats"
                    if arg is not None else f"{self.family.replace('_', ' ')}: log(#candidates) nats")
        if self.family == "supervised":
            return "supervised imitation of fixed targets"
        regulariser = " with a KL anchor (mitigated, not cured)" if self.anchors else ""
        return f"{'RL' if self.family == 'rl' else 'gradient'}: unbounded{regulariser}"

    @property
    def unbounded(self) -> bool:
        return self.family in UNBOUNDED


@dataclass
class System:
    proposal: Proposal
    diagram: Diagram
    boxes: dict[str, Box] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    pressures: list[Pressure] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)
    flat: Flat | None = None     # what it was built from

    def forget(self) -> None:
        """Drop what the analyses cached on the system (every search from every box asked
        about, adjacencies, graphs, per-system results): most of its memory once they are
        done. What is asked later (bounds, drawings) computes again what it needs. Dropped
        while the collector is paused (`analyse_all`), they are freed at once; kept, the
        collector's next pass would walk all of them, and it starts as soon as it resumes."""
        fields = {f.name for f in dataclasses.fields(self)}
        for name in [name for name in vars(self) if name not in fields]:
            value = self.__dict__.pop(name)
            # A networkx graph is in a reference cycle with its views: emptied, its nodes and
            # edges are freed now rather than by the collector. Nothing outside the analyses
            # holds these graphs (the system was made by them).
            for graph in (value.values() if name == "_graphs" else [value]):
                if isinstance(graph, nx.Graph):
                    graph.clear()

    # ------------------------------------------------------------------ graphs
    # Data flows within one mode: a path that needs a wire of `train` and a wire of `deploy`
    # is not a path. Between modes, influence travels only through learned parameters (the
    # optimisation wires), which the product graph `train_graph` adds.

    @cached_property
    def mode_list(self) -> list[str | None]:
        return list(self.modes) or [None]

    @cached_property
    def mode_order(self) -> ModeOrder:
        return ModeOrder(self.modes)

    def modes_with(self, *paths: str) -> list[str | None]:
        """The modes in which every one of some boxes exists, in declaration order (anything
        not a box is in every mode): a search from a box in any other mode finds nothing, and
        1,600 modes made each question ask 1,600."""
        restrictions = [box.modes for p in paths
                        if (box := self.boxes.get(p)) is not None and box.modes is not None]
        if not restrictions:
            return self.mode_list
        return self.mode_order.of(frozenset.intersection(*map(frozenset, restrictions)))

    def _modes_from(self, start: str, modes) -> list[str | None]:
        """The modes of `modes` (a list in declaration order; None: all) that `start` exists
        in, found from the shorter of the two lists."""
        box = self.boxes.get(start)
        if modes is None:
            return self.modes_with(start)
        if box is None or box.modes is None:
            return modes
        if len(modes) <= len(box.modes):
            return [m for m in modes if m in box.modes]
        allowed = self.deployed if modes is self.deploy_modes else frozenset(modes)
        return [m for m in self.mode_order.of(box.modes) if m in allowed]

    @cached_property
    def _in_mode(self) -> tuple[dict, dict]:
        """Each mode's boxes and the edges that may be in it (key None: all modes together),
        in declaration order: what each mode's graph is built from, found in the size of the
        answer (`by_mode`)."""
        modes = [None, *dict.fromkeys(self.modes)]
        return by_mode(self.boxes.values(), modes), by_mode(self.edges, modes, self.narrowest)

    def graph_in(self, mode: str | None) -> nx.DiGraph:
        cache = self.__dict__.setdefault("_graphs", {})
        if mode not in cache:
            cache[mode] = self._graph(mode)
        return cache[mode]

    @property
    def graph(self) -> nx.DiGraph:
        """Data flow between boxes, all modes together (for questions without a path)."""
        return self.graph_in(None)

    def phase(self, mode: str) -> str:
        """The phase of one of the diagram's modes: "deploy", "train" or "eval", as declared
        (or inherited from the outer mode it runs in, or else assumed: `structure.phases`)."""
        of = self._phases.get((self.diagram.name, mode))
        return SHORT_PHASES[of.phase if of is not None else assumed_phase(mode)]

    def phase_assumed(self, mode: str) -> bool:
        """Whether `phase(mode)` is only assumed: the mode declares no phase and runs in no
        outer mode that has one (W0202)."""
        of = self._phases.get((self.diagram.name, mode))
        return of is None or of.how == "assumed"

    @cached_property
    def _phases(self) -> dict[tuple[str, str], PhaseOf]:
        return phases(self.proposal)

    @cached_property
    def deploy_modes(self) -> list[str | None]:
        deploy = [m for m in self.modes if self.phase(m) == "deploy"]
        return deploy or self.mode_list

    @cached_property
    def deployed(self) -> frozenset[str | None]:
        """`deploy_modes` as a set, for membership."""
        return frozenset(self.deploy_modes)

    def _graph(self, mode: str | None) -> nx.DiGraph:
        boxes, edges = self._in_mode
        graph = nx.DiGraph()
        graph.add_nodes_from(box.path for box in boxes[mode])
        for edge in edges[mode]:
            if not active(edge.modes, mode):
                continue
            if edge.source in graph and edge.target in graph:
                if graph.has_edge(edge.source, edge.target):
                    graph.edges[edge.source, edge.target]["edges"].append(edge)
                else:
                    graph.add_edge(edge.source, edge.target, edges=[edge])
        return graph

    def descendants(self, path: str) -> set[str]:
        return set(self.search(path, None, frozenset())) - {path}

    def ancestors(self, path: str) -> set[str]:
        return set(self.search(path, None, frozenset(), reverse=True)) - {path}

    def reaches(self, a: str, b: str, avoiding=frozenset(), modes=None,
                backward: bool = False, bounded: bool = False) -> list[str] | None:
        """The shortest data path from a to b inside one mode (of `modes`, default all) whose
        inner boxes avoid `avoiding`, or None. With `backward` the search starts at b, cheaper
        when many boxes ask about the same b: a path as short, which may pass other boxes
        where two shortest paths tie. With `bounded` the search keeps to the levels between a
        and b (`levels`): the same path, at the cost of what lies between them, for a
        question asked once (the cache keeps every search)."""
        best = None
        avoiding = frozenset(avoiding)
        start, end = (b, a) if backward else (a, b)
        for mode in self._modes_from(start, modes):
            window = self._window(a, b, mode) if bounded else None
            if bounded and window is None:
                continue
            parents = self.search(start, mode, avoiding, reverse=backward, window=window)
            if end not in parents or (b == a and a not in self._links(mode, False)):
                continue
            path = trace(parents, end)
            path = path[::-1] if backward else path
            if best is None or len(path) < len(best):
                best = path
        return best

    def search(self, start: str, mode, avoiding: frozenset, reverse: bool = False,
               window: tuple[int, int] | None = None) -> dict:
        """Breadth-first search from `start` inside one mode, never passing through `avoiding`
        (but reaching it as an end): parent links of every box reached; with `window`, of
        every box within those `levels` (`breadth_first`). Cached, because the analyses ask
        many questions from the same start."""
        cache = self.__dict__.setdefault("_searches", {})
        key = (start, mode, avoiding, reverse, window)
        if key not in cache:
            links = self._links(mode, reverse)
            cache[key] = breadth_first(links, [start] if start in links else [], through=avoiding,
                                       window=window and (self.levels(mode), *window))
        return cache[key]

    def levels(self, mode) -> dict[str, int]:
        """Each box's level in one mode's graph with its loops condensed: 0 at the sources, else
        one more than its highest predecessor. A level never falls along a wire, so every path
        from a to b keeps to the levels between theirs."""
        cache = self.__dict__.setdefault("_levels", {})
        if mode not in cache:
            dag = nx.condensation(self.graph_in(mode))
            level: dict[int, int] = {}
            for part in nx.topological_sort(dag):
                level[part] = max((level[p] + 1 for p in dag.predecessors(part)), default=0)
            cache[mode] = {box: level[part] for box, part in dag.graph["mapping"].items()}
        return cache[mode]

    def _window(self, a: str, b: str, mode) -> tuple[int, int] | None:
        level = self.levels(mode)
        return (level[a], level[b]) if a in level and b in level else None

    def between(self, a: str, b: str, mode, avoiding: frozenset) -> set[str]:
        """The boxes on some path from a to b inside `mode` whose inner boxes avoid `avoiding`
        (a and b too, if there is one): searched from both ends within the levels between
        them, so a path's surroundings are read, not everything after a and before b."""
        window = self._window(a, b, mode)
        if window is None:
            return set()
        after = self.search(a, mode, avoiding, window=window)
        return after.keys() & self.search(b, mode, avoiding, reverse=True, window=window).keys()

    def _links(self, mode, reverse: bool) -> dict[str, list[str]]:
        """The graph of one mode (`graph_in`) as plain adjacency, built without networkx:
        searches read it millions of times on large diagrams, networkx's adjacency views cost
        a call at every read, and its graph costs a dict per node and per edge."""
        cache = self.__dict__.get("_adjacency")
        if cache is None:
            cache = self.__dict__["_adjacency"] = self._adjacencies()
        return cache[mode, reverse]

    def _adjacencies(self) -> dict:
        """`_links` of every mode (and of None, all modes together), in one pass over the
        boxes and one over the wires: each is read once, not once per mode. Each pair of
        boxes is linked once, in the order its first wire comes (as `graph_in`'s adjacency):
        searches meet successors in that order, which decides between equal witnesses."""
        boxes, edges = self._in_mode
        adjacency = {}
        for mode in boxes:
            succ: dict[str, list[str]] = {box.path: [] for box in boxes[mode]}
            pred: dict[str, list[str]] = {path: [] for path in succ}
            linked = set()
            for edge in edges[mode]:
                source, target = edge.source, edge.target
                heads = succ.get(source)
                if heads is None or target not in succ or (source, target) in linked or \
                        not active(edge.modes, mode):
                    continue
                linked.add((source, target))
                heads.append(target)
                pred[target].append(source)
            adjacency[mode, False], adjacency[mode, True] = succ, pred
        return adjacency

    def narrowest(self, edge) -> frozenset[str] | None:
        """The fewest modes an edge can be in: its own restriction or its ends'."""
        ends = (self.boxes.get(edge.source), self.boxes.get(edge.target))
        restrictions = [edge.modes, *(box.modes for box in ends if box is not None)]
        return min((r for r in restrictions if r is not None), key=len, default=None)

    def nearest(self, start: str, accept, limit: int, avoiding=frozenset(),
                reverse: bool = False) -> tuple[list[tuple[str, list[str]]], bool]:
        """The boxes nearest to `start` (or, with `reverse`, that reach it) for which
        `accept(path)` holds, with a shortest path to each (always written in the direction of
        the data), nearest first, then in declaration order: at least `limit` of them when
        there are, all those at the distance where the limit was reached. Also whether the
        search stopped early. The search stops once it has enough, so asking for the nearest
        few costs what lies between them, not the whole diagram."""
        avoiding = frozenset(avoiding)
        found: dict[str, list[str]] = {}
        stopped = False
        for mode in self.modes_with(start):
            links = self._links(mode, reverse)
            if start not in links:
                continue
            hits: list[str] = []

            def enough(layer: list[str]) -> bool:
                hits.extend(node for node in layer if accept(node))
                return len(hits) >= limit

            parents = breadth_first(links, [start], through=avoiding, until=enough)
            stopped = stopped or len(hits) >= limit
            for node in hits:
                path = trace(parents, node)
                path = path[::-1] if reverse else path
                if node not in found or len(path) < len(found[node]):
                    found[node] = path
        ordered = sorted(found.items(), key=lambda item: (len(item[1]), self.rank(item[0])))
        return ordered, stopped

    def reachable(self, start: str, avoiding=frozenset(), modes=None, reverse: bool = False) -> set[str]:
        """Every box a data path from `start` (or, with `reverse`, to it) reaches inside one
        mode of `modes` (default all), not passing through `avoiding`."""
        avoiding = frozenset(avoiding)
        found: set[str] = set()
        for mode in self._modes_from(start, modes):
            found.update(self.search(start, mode, avoiding, reverse))
        return found

    @cached_property
    def train_graph(self) -> "TrainGraph":
        """Nodes (box, mode): data edges inside each mode, and optimisation wires from every box
        a signal reads (in the training's modes) to the trained box in every mode. Plain
        adjacency, as `_links`: a networkx graph of every box in every mode cost more to
        build than the searches that read it."""
        succ: dict = {}   # node -> its heads (a dict: each once, in the order first added)
        pred: dict = {}
        pressures: dict = {}   # (tail, head) -> the training statement of an optimisation wire
        for mode in self.mode_list:
            links = self._links(mode, False)   # graph_in(mode), without building it
            for node in links:
                succ[node, mode], pred[node, mode] = {}, {}
            for a, heads in links.items():
                for b in heads:
                    succ[a, mode][b, mode] = pred[b, mode][a, mode] = None
        position = {m: i for i, m in enumerate(self.mode_list)}
        for pressure in self.pressures:
            trained = self.sharing(pressure.target)   # every box of the parameters it moves
            # each in every mode it exists in, by mode then box (the order heads are met in)
            heads = [(target, later) for *_, target, later in sorted(
                (position[later], k, target, later) for k, target in enumerate(trained)
                for later in self.modes_with(target))]
            for mode in self.pressure_modes(pressure):
                for source in pressure.sources:
                    tail = (source, mode)
                    for head in heads if tail in succ else ():
                        if head in succ:
                            succ[tail][head] = pred[head][tail] = None
                            pressures[tail, head] = pressure
        return TrainGraph({node: tuple(heads) for node, heads in succ.items()},
                          {node: tuple(tails) for node, tails in pred.items()}, pressures)

    def pressure_modes(self, pressure: "Pressure") -> list[str | None]:
        """The modes a training statement acts in, found once (asked for every proxy)."""
        cache = self.__dict__.setdefault("_pressure_modes", {})
        if pressure.index not in cache:
            cache[pressure.index] = self.mode_order.of(pressure.modes)
        return list(cache[pressure.index])

    def train_reaches(self, a: str, b: str, avoiding=frozenset(), b_modes=None,
                      a_modes=None) -> list | None:
        """A path from a (in one of `a_modes`) to b (in one of `b_modes`) in the train graph
        (data within modes, parameters across them), as box paths, with each optimisation wire
        as its witness step (`[optimiser trains box]`). Searched back from b: the analyses ask
        it of many boxes (every judge of a tree of them) and few b (a signal's sources), and
        one search back from b answers every box, where a search from each box would cover
        what lies between it and b again (n log n on a tree)."""
        graph = self.train_graph
        starts = [(a, m) for m in (self.mode_list if a_modes is None else a_modes)
                  if (a, m) in graph.succ]
        ends = [(b, m) for m in (self.mode_list if b_modes is None else b_modes)
                if (b, m) in graph.succ]
        if not starts or not ends:
            return None
        avoiding = frozenset(avoiding) - {a, b}
        cache = self.__dict__.setdefault("_train_searches", {})
        key = (tuple(ends), avoiding)
        if key not in cache:
            cache[key] = breadth_first(graph.pred, ends, through=avoiding, by=lambda n: n[0])
        parents = cache[key]
        back = min((trace(parents, start) for start in starts if start in parents), key=len,
                   default=None)
        if back is None:
            return None
        best = back[::-1]
        shown: list[str] = []
        for tail, head in zip(best, best[1:]):
            if not shown:
                shown.append(tail[0])
            if (tail, head) in graph.pressures:
                pressure = graph.pressures[tail, head]
                shown.append(w.Trains(pressure.index, pressure.training.optimiser,
                                      self.boxes[head[0]].place))
            if head[0] != shown[-1]:
                shown.append(head[0])
        return shown or [a]

    # ------------------------------------------------------------------ roles
    # What several analyses ask of the same system: where untrusted content comes from, where
    # it acts on the world, and which trusted boxes stand in its way. Each is computed once;
    # lists are in declaration order (the order of `boxes`).

    @cached_property
    def environments(self) -> frozenset[str]:
        return frozenset(b.path for b in self.boxes.values() if b.is_a("environment"))

    @cached_property
    def hazards(self) -> list[Box]:
        """Untrusted producers of content: agents and models marked untrusted."""
        return [b for b in self.boxes.values() if b.trust == "untrusted" and b.is_a(*HAZARD_KINDS)]

    @cached_property
    def sinks(self) -> list[Box]:
        """Where outputs act on the world: sink and environment boxes in the deployment modes,
        and the diagram's own outputs when it declares a deployment mode (its actuators)."""
        deployed = set().union(*(self._links(m, False) for m in self.deploy_modes))
        has_deploy = any(self.phase(m) == "deploy" for m in self.modes)
        return [b for b in self.boxes.values() if b.path in deployed and
                (b.is_a("sink") or (b.is_a("environment") and b.outer is None)
                 or (b.outer == "out" and has_deploy))]

    @staticmethod
    def is_gate(box: Box) -> bool:
        """A trusted box that can stop what passes it."""
        return box.is_a(*GATE_KINDS) and box.trust in GATE_TRUST

    @cached_property
    def gates(self) -> list[Box]:
        return [b for b in self.boxes.values() if self.is_gate(b)]

    @cached_property
    def full_gates(self) -> frozenset[str]:
        """The trusted gates that examine everything that reaches them."""
        return frozenset(b.path for b in self.gates if self.examined(b) >= 1)

    def examined(self, gate: Box) -> float:
        """The fraction of what reaches `gate` on which it acts after an examination. A gate
        that examines content itself (an evaluator, a person, a filter, an editor, a
        sanitizer) covers what it sees (its `coverage`); a gate that only acts on verdicts (a
        router, a shutdown latch, a timeout) examines as much as the best-covering chain of
        evaluators that informs it: a verdict relayed through a box that examines only a
        fraction (an auditor) is limited to that fraction (a bottleneck path)."""
        cache = self.__dict__.setdefault("_examined", {})
        if gate.path not in cache:
            cache[gate.path] = self.number(gate, "coverage", 1.0)
            examines = gate.is_a("evaluator", "human", "filter", "editor", "sanitizer")
            relayed = None if examines else self._relayed_coverage(gate)
            if relayed is not None:
                cache[gate.path] = min(cache[gate.path], relayed)
        return cache[gate.path]

    def _relayed_coverage(self, gate: Box) -> float | None:
        """The best coverage of an evaluator whose verdict reaches `gate` through evaluators
        that cover at least as much: 0 when none does, None when no evaluator informs the gate."""
        judges, world = self._judges, self.environments
        informers = self.reachable(gate.path, world, self.deploy_modes, reverse=True) & \
            judges.keys() - {gate.path}
        if not informers:
            return None
        narrower = self.__dict__.setdefault("_narrower", {})
        for level in sorted({judges[p] for p in informers}, reverse=True):
            # Evaluators that cover less than `level` would narrow the chain: do not pass them.
            if level not in narrower:
                narrower[level] = frozenset(p for p, c in judges.items() if c < level) | world
            reached = self.reachable(gate.path, narrower[level], self.deploy_modes, reverse=True)
            if any(judges[p] >= level for p in informers & reached):
                return level
        return 0.0

    @cached_property
    def _judges(self) -> dict[str, float]:
        """Every evaluator and person, with the fraction of what it sees that it examines."""
        return {p: self.number(b, "coverage", 1.0) for p, b in self.boxes.items()
                if b.is_a("evaluator", "human")}

    # ------------------------------------------------------------------ numbers and order

    def number(self, box: Box, name: str, default: float | None = None) -> float | None:
        """A numeric attribute of a box, with parameters at their declared values."""
        from ..types import evaluate

        expr = box.expr(name)
        value = evaluate(expr, self.proposal.params) if expr is not None else None
        return float(value) if value is not None else default

    @cached_property
    def numbers(self) -> dict[str, int]:
        """Each box's number: its place in declaration order (`numbered`)."""
        return {path: index for index, path in enumerate(self.boxes)}

    @cached_property
    def numbered(self) -> list[Box]:
        """The boxes by number: their declaration order (`rank`). Analyses that read every
        box keep lists indexed by these numbers rather than dicts keyed by path: on 10,000
        boxes the dicts' memory, not the work, is what grows faster than the diagram."""
        return list(self.boxes.values())

    @cached_property
    def wire_ends(self) -> list[tuple[int, int]]:
        """Each data wire's (source, target) by box number (-1 for an end that is no box),
        in the order of `edges`."""
        rank = self.numbers
        return [(rank.get(e.source, -1), rank.get(e.target, -1)) for e in self.edges]

    def rank(self, path: str) -> int:
        """Declaration order: analyses choose among equal witnesses in this order, never by
        name, so that renaming boxes cannot change a finding."""
        return self.numbers.get(path, len(self.numbers))

    def steps(self, path) -> w.Witness:
        """A witness from a path of the analyses: box paths become the boxes' steps; steps
        (optimisation wires, breaks) stay."""
        return tuple(self.boxes[item].place if isinstance(item, str) else item for item in path)

    def ordered(self, paths) -> list[str]:
        return sorted(paths, key=self.rank)

    def pressures_on(self, path: str) -> list[Pressure]:
        """The training statements that move the parameters `path` uses: those written on it,
        then those on a box it shares weights with."""
        moving = self._moving.get(self.boxes[path].weights, [])
        return sorted(moving, key=lambda p: p.target != path)

    @cached_property
    def _moving(self) -> dict[str, list[Pressure]]:
        """The training statements by the parameters they move (asked for every agent)."""
        out: dict[str, list[Pressure]] = {}
        for pressure in self.pressures:
            out.setdefault(self.boxes[pressure.target].weights, []).append(pressure)
        return out

    @cached_property
    def _sharing(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for path, box in self.boxes.items():
            out.setdefault(box.weights, []).append(path)
        return out

    def sharing(self, path: str) -> list[str]:
        """The boxes that use the parameters of `path` (itself included), in declaration
        order: what a training statement on it trains."""
        return self._sharing[self.boxes[path].weights]

    @cached_property
    def trained(self) -> frozenset[str]:
        """The boxes whose parameters some training statement moves."""
        return frozenset(b for p in self.pressures for b in self.sharing(p.target))

    def of_kind(self, *kinds: str) -> list[Box]:
        cache = self.__dict__.setdefault("_of_kind", {})
        if kinds not in cache:
            cache[kinds] = [b for b in self.boxes.values() if b.is_a(*kinds)]
        return list(cache[kinds])


def per_system(analysis):
    """Memoise a function of the system alone (its sinks, hazards, gates): the analyses ask
    for them in inner loops."""
    @wraps(analysis)
    def memoised(system: "System"):
        memo = system.__dict__.setdefault("_memo", {})
        if analysis not in memo:
            memo[analysis] = analysis(system)
        return memo[analysis]
    return memoised
