"""The one home of what every stage asks about a diagram's structure.

- the chain of a kind's ancestors in the kind hierarchy;
- whether a port, box, wire or training statement exists in a mode;
- the phase of each mode of each diagram: declared, inherited from the outer mode it runs in,
  or assumed from its name (`phases`);
- which diagrams are top diagrams (the rule: a diagram of the main file that no diagram
  instantiates; imported diagrams are never top), and which one is drawn or analysed by default;
- flattening: nested diagrams substituted by their contents (operadic substitution), wires joined
  through their boundaries, down to a given depth (`flatten`, and `outer_port`, the pseudo-box
  of an outer port among the leaves);
- what a name in an `allow ... on X` or an assertion stands for in a flattened diagram
  (`resolve`): elaboration reports names it cannot resolve, the assertions read what it finds.

The checker, the analyses and the renderer all read these; none has a copy of its own.
"""

from __future__ import annotations

import graphlib
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import AbstractSet, Iterable, NamedTuple, TypeVar

from .diagnostics import Span
from .model import (Diagram, Instance, KindDecl, Name, PortRef, Proposal, Training, Wire,
                    from_library)
from .types import names_in
from .witness import Port

T = TypeVar("T")


# --------------------------------------------------------------------------------- kinds

def kind_chain(kinds: Mapping[str, KindDecl | str | None], kind: str) -> tuple[str, ...]:
    """`kind` and its ancestors, most specific first. `kinds` maps a kind to its declaration
    (or straight to its parent's name); a cycle of parents (an error reported elsewhere) ends
    the chain where it closes."""
    chain: list[str] = []
    current: str | None = kind
    while current is not None and current not in chain:
        chain.append(current)
        decl = kinds.get(current)
        current = decl.parent if isinstance(decl, KindDecl) else decl
    return tuple(chain)


# --------------------------------------------------------------------------------- modes

def active(item_modes: Iterable[str] | None, mode: str | AbstractSet[str] | None) -> bool:
    """Whether something restricted to `item_modes` (None: every mode) exists in `mode`: one
    mode, any of a set of modes, or None for "whatever the mode"."""
    if item_modes is None or mode is None:
        return True
    if isinstance(mode, str):
        return mode in item_modes
    return not mode.isdisjoint(item_modes)


def by_mode(items: Iterable[T], modes: Iterable[str | None],
            modes_of: Callable[[T], Iterable[str] | None] = attrgetter("modes"),
            ) -> dict[str | None, list[T]]:
    """Each mode's items in their order, `{m: [x for x in items if active(x.modes, m)]}`, in
    time proportional to the answer rather than to modes times items: 1,600 modes, each with
    boxes of its own, spent most of their check and analyses filtering every box per mode."""
    found: dict[str | None, list[T]] = {m: [] for m in modes}
    everywhere = found.get(None)      # all modes together: everything is in it
    for item in items:
        restricted = modes_of(item)
        if restricted is None:
            for listed in found.values():
                listed.append(item)
            continue
        for mode in set(restricted):  # each appends to a list of its own: order is kept
            listed = found.get(mode)
            if listed is not None:
                listed.append(item)
        if everywhere is not None:
            everywhere.append(item)
    return found


class ModeOrder:
    """A diagram's modes in declaration order ([None] for a diagram without modes), and which
    of them something restricted to some modes exists in: found in the size of the
    restriction, where filtering the list made every box or statement cost every mode."""

    def __init__(self, modes: Iterable[str]):
        self.modes: list[str | None] = list(dict.fromkeys(modes)) or [None]
        self._rank = {m: i for i, m in enumerate(self.modes)}

    def of(self, restricted: Iterable[str] | None) -> list[str | None]:
        """`[m for m in self.modes if active(restricted, m)]`."""
        if restricted is None or self.modes == [None]:
            return list(self.modes)
        rank = self._rank
        return sorted({m for m in restricted if m in rank}, key=rank.__getitem__)


def meet(a: frozenset[str] | None, b: Iterable[str] | None) -> frozenset[str] | None:
    """The modes in which both of two restrictions hold (None: unrestricted)."""
    if b is None:
        return a
    b = frozenset(b)
    return b if a is None else a & b


# --------------------------------------------------------------------------------- phases
# A mode's phase is declared with it (`modes rl : training`). A nested diagram's mode runs in
# the outer mode of the same name (E0242 holds them to it), so it takes that mode's phase. Only
# a mode with neither gets a phase assumed from words in its name, and is warned about (W0202).

_DEPLOY_WORDS = ("deploy", "inference", "serve", "production", "runtime")
_TRAIN_WORDS = ("train", "sft", "rl", "reward", "finetune", "pretrain", "distill",
                "amplify", "search", "optimis", "optimiz")


def assumed_phase(mode: str) -> str:
    """The phase assumed for a mode that declares none (`phase_word`)."""
    return phase_word(mode)[0]


def phase_word(mode: str) -> tuple[str, str | None]:
    """The phase assumed for a mode that declares none, and the word of its name it was read
    from: deployment or training when a word of its name (`rl_finetune`, `deployTime`) starts
    with one of the phase's stems; else evaluation, read from no word (None)."""
    words = re.findall(r"[a-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", mode).lower())
    words += [a + b for a, b in zip(words, words[1:])]   # `fine_tune` as `finetune`
    for phase, stems in (("deployment", _DEPLOY_WORDS), ("training", _TRAIN_WORDS)):
        word = next((w for w in words if w.startswith(stems)), None)
        if word is not None:
            return phase, word
    return "evaluation", None


def how_assumed(mode: str) -> str:
    """The phase assumed for `mode` and why, as the warnings that say so word it (W0202, and
    lint's note): "training, from `rl` in its name", or evaluation by default."""
    phase, word = phase_word(mode)
    return (f"{phase}, from `{word}` in its name" if word is not None else
            f"{phase}, the default: no word of its name says training or deployment")


class PhaseOf(NamedTuple):
    """A mode's phase and where it comes from: the mode's own declaration ("declared"), an
    outer mode's ("inherited"), or words in its name ("assumed"). `diagram` and `mode` name the
    declaration it was read from (for an assumed phase, the mode itself)."""

    phase: str
    how: str
    diagram: str
    mode: str


def phases(proposal: Proposal) -> dict[tuple[str, str], PhaseOf]:
    """The phase of every mode of every diagram, by (diagram, mode). An undeclared mode takes
    the phase of the first outer mode it runs in that has one (declared or inherited), in
    declaration order."""
    diagrams = proposal.diagrams
    outers: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for outer in diagrams.values():
        for instance in outer.instances:
            if instance.of_diagram and instance.of in diagrams and outer.modes:
                outers[instance.of].append((outer.name, instance.modes or outer.modes))
    # Outer diagrams first; diagrams that contain themselves (E0240) in declaration order.
    try:
        order = list(graphlib.TopologicalSorter(
            {name: [o for o, _ in outers[name]] for name in diagrams}).static_order())
    except graphlib.CycleError:
        order = list(diagrams)
    found: dict[tuple[str, str], PhaseOf] = {}
    for name in order:
        diagram = diagrams[name]
        for mode in diagram.modes:
            decl = diagram.phases.get(mode)
            if decl is not None and decl.phase is not None:
                found[name, mode] = PhaseOf(decl.phase, "declared", name, mode)
                continue
            outer = next((found[o, mode] for o, used in outers[name]
                          if mode in used and (o, mode) in found
                          and found[o, mode].how != "assumed"), None)
            found[name, mode] = (PhaseOf(assumed_phase(mode), "assumed", name, mode)
                                 if outer is None else outer._replace(how="inherited"))
    return found


# --------------------------------------------------------------------------- top diagrams

def top_diagrams(proposal: Proposal) -> list[Diagram]:
    """The diagrams of the main file that no diagram instantiates, in declaration order.
    Imported diagrams are never top diagrams. A diagram is known to be imported by its span's
    file being one the proposal imports (or built in), not by comparing with `proposal.file`:
    for a .wd file the two agree, and a model read from JSON keeps its top diagrams whatever
    its `file` field says."""
    used = {i.of for d in proposal.diagrams.values() for i in d.instances
            if i.of_diagram and i.of != d.name}
    imported = set(proposal.imports)
    return [d for d in proposal.diagrams.values()
            if not (d.span is not None and (d.span.file in imported or from_library(d.span)))
            and d.name not in used]


def no_such_diagram(proposal: Proposal, name: str) -> str:
    """What every stage says about a diagram name the proposal does not have."""
    known = ", ".join(f"`{d}`" for d in proposal.diagrams) or "none"
    return f"no diagram `{name}` in {proposal.file}; its diagrams: {known}"


def default_diagram(proposal: Proposal, name: str | None = None) -> Diagram | None:
    """The diagram named `name`, or by default the last top diagram (None if there is none)."""
    if name is not None:
        return proposal.diagrams.get(name)
    tops = top_diagrams(proposal)
    return tops[-1] if tops else None


# ------------------------------------------------------------------------------ flattening

def outer_port(direction: str, name: str) -> str:
    """The pseudo-box that stands for an outer port of the flattened diagram (`in:prompt`)
    among its leaves: wires start and end there, and witnesses step through it."""
    return Port(direction, name).path

def join(prefix: str, name: str) -> str:
    """The path of `name` inside the nested diagram at `prefix` (`deployment.monitor`)."""
    return f"{prefix}.{name}" if prefix else name


@dataclass(frozen=True, slots=True)
class Leaf:
    """A box of the flattened diagram: a component instance, or a nested diagram instance
    below the depth asked for (then `opaque`, drawn and analysed through its interface).
    With slots: a flattening makes one per box, and a dict each made 10,000 of them twice
    the memory."""

    path: str
    instance: Instance
    modes: frozenset[str] | None    # None: active in every mode
    opaque: bool = False


DeclaredWire = tuple[str, Wire]   # a wire of the model, and the path of its diagram


@dataclass(slots=True)
class FlatWire:
    """A wire between leaves (or the top diagram's outer ports `in:NAME`, `out:NAME`),
    composed through the boundaries of the nested diagrams it crosses. `via` gives the wires
    of the model it is made of, in order, for readers that show them (the renderer's
    tooltips); it is stored as the last one and those `before` it, so that a wire crossing no
    boundary (nearly all, on large proposals) costs no new object. (Slots, not frozen: tens
    of thousands are made per analysis, and a frozen dataclass is five times slower to make.)"""

    source: str
    source_port: str
    target: str
    target_port: str
    delayed: bool
    modes: frozenset[str] | None
    span: Span | None                   # the last wire's
    prefix: str = ""                    # the path of the diagram declaring the last wire
    wire: Wire | None = None            # the last wire
    before: tuple[DeclaredWire, ...] = ()

    @property
    def via(self) -> tuple[DeclaredWire, ...]:
        return self.before + ((self.prefix, self.wire),)


@dataclass
class FlatTraining:
    """A training statement of a (possibly nested) diagram, its target and the outputs its
    signal reads given as leaf paths."""

    target: str
    training: Training
    reads: list[tuple[str, str]]        # (leaf path or `in:NAME`, output port)
    anchors: list[str]                  # instances named in kl(...) besides the target
    modes: frozenset[str] | None
    prefix: str                         # the path of the diagram it is declared in


@dataclass
class Flat:
    diagram: Diagram
    leaves: dict[str, Leaf] = field(default_factory=dict)
    wires: list[FlatWire] = field(default_factory=list)
    trainings: list[FlatTraining] = field(default_factory=list)
    expanded: dict[str, str] = field(default_factory=dict)   # nested diagrams substituted: path -> name
    cut: set[str] = field(default_factory=set)        # ... left opaque because of `depth`
    # The ports of nested diagrams (and of the top diagram) that training signals read, as
    # (owner path, port), each with the wires that reach it from leaf outputs or outer inputs.
    feeds: dict[tuple[str, str], list[FlatWire]] = field(default_factory=dict)


_Node = tuple[str, str]   # (owner path, port); the top diagram's own ports belong to ""
# A wire leaving a port node: where it goes, delayed, its modes, the path of its diagram, itself.
_Hop = tuple[_Node, bool, "frozenset[str] | None", str, Wire]


# Each diagram may hold several copies of the one below, so the flattened size can grow
# exponentially with the nesting depth of a short file (a diagram holding two copies of the
# previous one, 30 levels deep, is a billion boxes). Past this many leaves `flatten` refuses,
# before building anything, and says which depth would fit. The bound is what the analyses and
# the renderer handle in about two seconds (docs/performance.md): a 1 KB file must not hold a
# command for minutes. Real proposals are a few hundred boxes; the benchmarks' largest, 10,000.
MAX_LEAVES = 20_000


class TooLarge(ValueError):
    """A diagram whose flattening would have more than MAX_LEAVES leaves. `fits` is the
    largest depth whose flattening stays within the limit (what `--depth` should say)."""

    def __init__(self, diagram: Diagram, leaves: int, depth: int | None, fits: int):
        self.diagram, self.leaves, self.depth, self.fits = diagram, leaves, depth, fits
        # No depth helps a diagram whose own boxes are too many: each nested one is one box.
        self.own = len(diagram.instances) > MAX_LEAVES
        levels = "all its nesting levels" if depth is None else f"depth {depth}"
        # (A count with thousands of digits cannot even be printed: str() refuses it.)
        shown = f"{leaves:,}" if leaves < 10**15 else f"about 10^{leaves.bit_length() * 0.30103:.0f}"
        limit = f"more than the {MAX_LEAVES:,} the analyses and the renderer take"
        super().__init__(
            f"diagram `{diagram.name}` has {len(diagram.instances):,} boxes of its own, {limit}"
            if self.own else f"diagram `{diagram.name}` flattened to {levels} would have "
            f"{shown} boxes, {limit} (its nested diagrams hold several copies each)")

    @property
    def help(self) -> str:
        if self.own:
            return ("split it into diagrams of their own, used in it as boxes: with `--depth`, "
                    "each is analysed or drawn as one box, through its interface")
        return (f"pass `--depth {self.fits}` (or less): nested diagrams below that depth are "
                f"analysed or drawn as one box each, through their interface")


def leaf_count(proposal: Proposal, diagram: Diagram, depth: int | None = None,
               limit: int | None = None) -> int:
    """How many leaves `flatten(proposal, diagram, depth)` would make, counted without
    building them: per diagram, the sum over its instances, memoised by (diagram, levels
    left), so the cost is the size of the file, not of the flattening. Iterative (nesting may
    be a thousand levels deep). A diagram that contains itself (E0240) counts as one box where
    it recurs, as `flatten` leaves it. Counting stops early once past `limit`."""
    memo: dict[tuple[str, int | None], int] = {}
    on_path: set[str] = set()
    # Frames: (diagram, levels left, next instance index, sum so far).
    stack: list[list] = [[diagram, depth, 0, 0]]
    on_path.add(diagram.name)
    result = 0
    while stack:
        frame = stack[-1]
        d, left, index, total = frame
        if index == len(d.instances) or (limit is not None and total > limit):
            stack.pop()
            on_path.discard(d.name)
            memo[d.name, left] = total
            if stack:
                stack[-1][3] += total
            result = total
            continue
        frame[2] += 1
        instance = d.instances[index]
        inner = proposal.diagrams.get(instance.of) if instance.of_diagram else None
        if inner is None:
            frame[3] += 0 if instance.of_diagram else 1
        elif inner.name in on_path or (left is not None and left < 1):
            frame[3] += 1
        else:
            below = None if left is None else left - 1
            if (inner.name, below) in memo:
                frame[3] += memo[inner.name, below]
            else:
                on_path.add(inner.name)
                stack.append([inner, below, 0, 0])
    return result


def fitting_depth(proposal: Proposal, diagram: Diagram, limit: int = MAX_LEAVES,
                  most: int | None = None) -> int:
    """The largest depth, up to `most`, at which `diagram` flattens to at most `limit` leaves
    (0 at least: the diagram's own boxes, each nested diagram one box). Without `most`, no
    deeper than where flattening stops adding leaves."""
    depth = 0
    while (most is None or depth < most) and \
            leaf_count(proposal, diagram, depth + 1, limit) <= limit:
        if most is None and \
                leaf_count(proposal, diagram, depth + 1) == leaf_count(proposal, diagram, depth):
            break
        depth += 1
    return depth


def check_size(proposal: Proposal, diagram: Diagram, depth: int | None = None) -> None:
    """Raise TooLarge when flattening `diagram` to `depth` would pass MAX_LEAVES leaves."""
    leaves = leaf_count(proposal, diagram, depth, MAX_LEAVES)
    if leaves > MAX_LEAVES:
        raise TooLarge(diagram, leaf_count(proposal, diagram, depth), depth,
                       fitting_depth(proposal, diagram))


def flatten(proposal: Proposal, diagram: Diagram, depth: int | None = None) -> Flat:
    """`diagram` with its nested diagrams substituted by their contents, down to `depth`
    levels (None: all the way; 0: none). Raises TooLarge, before building anything, when
    that would make more than MAX_LEAVES leaves."""
    check_size(proposal, diagram, depth)
    flat = Flat(diagram=diagram)
    hops: dict[_Node, list[_Hop]] = defaultdict(list)
    _place(proposal, flat, hops, depth)
    flat.wires = _compose(flat, hops)
    for training in flat.trainings:
        training.reads = _resolve_reads(flat, training.reads)
    return flat


def _place(proposal: Proposal, flat: Flat, hops: dict, depth: int | None) -> None:
    """Every leaf, wire and training statement, nesting level by level. Depth-first with an
    explicit stack (nesting may be a thousand levels deep): a diagram's boxes are entered in
    declaration order, a nested diagram's boxes where it is declared; its wires and trainings
    once all of its boxes exist."""
    stack: list[tuple[Diagram, str, frozenset[str] | None, tuple[str, ...], int]] = \
        [(flat.diagram, "", None, (flat.diagram.name,), 0)]
    leaves = flat.leaves
    while stack:
        d, prefix, modes, chain, index = stack.pop()
        instances = d.instances
        # A diagram's leaves in one loop; its frame goes back on the stack only to enter a
        # nested diagram (a frame per box was a tuple made and dropped per box).
        while index < len(instances):
            instance = instances[index]
            index += 1
            path, here = join(prefix, instance.name), meet(modes, instance.modes)
            inner = proposal.diagrams.get(instance.of) if instance.of_diagram else None
            # A diagram that contains itself (an error the checker reports) is not entered
            # again: flattening ends on any input.
            if inner is not None and inner.name not in chain and \
                    (depth is None or len(chain) <= depth):
                flat.expanded[path] = inner.name
                stack.append((d, prefix, modes, chain, index))
                stack.append((inner, path, here, chain + (inner.name,), 0))
                break
            if inner is not None or not instance.of_diagram:
                leaves[path] = Leaf(path, instance, here, opaque=inner is not None)
                if inner is not None and inner.name not in chain:
                    flat.cut.add(path)
        else:
            _place_wires(d, prefix, modes, hops)
            _place_trainings(d, prefix, modes, flat)


def _place_wires(d: Diagram, prefix: str, modes, hops: dict) -> None:
    for wire in d.wires:
        source = (join(prefix, wire.source.instance) if wire.source.instance else prefix,
                  wire.source.port)
        target = (join(prefix, wire.target.instance) if wire.target.instance else prefix,
                  wire.target.port)
        hops[source].append((target, wire.delayed, meet(modes, wire.modes), prefix, wire))


def _place_trainings(d: Diagram, prefix: str, modes, flat: Flat) -> None:
    """The trainings of leaves; and, for every training (a nested diagram can be trained
    too, and the renderer draws it), the ports of diagrams its signal reads, whose feeds
    `_compose` collects."""
    instances = {i.name for i in d.instances}
    for training in d.trainings:
        target = join(prefix, training.target)
        reads: list[tuple[str, str]] = []
        anchors: list[str] = []
        for ref in names_in(training.signal):
            if isinstance(ref, PortRef):
                owner = join(prefix, ref.instance) if ref.instance else prefix
                reads.append((owner, ref.port))
                if owner in flat.expanded or owner == "":
                    flat.feeds.setdefault((owner, ref.port), [])
            elif isinstance(ref, Name) and ref.name in instances:
                if (box := join(prefix, ref.name)) != target:
                    anchors.append(box)
        if target in flat.leaves:
            flat.trainings.append(FlatTraining(target, training, reads, anchors,
                                               meet(modes, training.modes), prefix))


def _outer(flat: Flat, inputs: set[str], node: _Node) -> str | None:
    """The leaf (or outer port pseudo-box) a port node stands for; None inside a boundary.
    `inputs`: the names of the top diagram's inputs."""
    owner, port = node
    if owner == "":
        return outer_port("in" if port in inputs else "out", port)
    return owner if owner in flat.leaves else None


def _compose(flat: Flat, hops: dict) -> list[FlatWire]:
    """Follow each leaf output through nested boundaries to the leaf inputs it reaches (and
    to the ports whose feeds are asked for)."""
    wires = []
    # Made once: a wide diagram has thousands of ports and a wire to each.
    inputs = {p.name for p in flat.diagram.ports if p.direction == "in"}
    for start in list(hops):
        origin = _outer(flat, inputs, start)
        if origin is None or start[0] in flat.expanded or origin.startswith("out:"):
            continue
        # (port node, delayed, modes, the wires joined before reaching it)
        stack: list[tuple[_Node, bool, frozenset[str] | None, tuple[DeclaredWire, ...]]] = \
            [(start, False, None, ())]
        seen = set()
        while stack:
            node, delayed, modes, before = stack.pop()
            for target, wire_delayed, wire_modes, prefix, wire in hops.get(node, []):
                joined = meet(modes, wire_modes)
                key = (target, delayed or wire_delayed, joined)
                if key in seen or (joined is not None and not joined):
                    continue
                seen.add(key)
                delayed_here = delayed or wire_delayed
                if target in flat.feeds:
                    flat.feeds[target].append(FlatWire(origin, start[1], *target, delayed_here,
                                                       joined, wire.span, prefix, wire, before))
                if target[0] in flat.expanded:
                    stack.append((target, delayed_here, joined, before + ((prefix, wire),)))
                elif (end := _outer(flat, inputs, target)) is not None:
                    wires.append(FlatWire(origin, start[1], end, target[1], delayed_here,
                                          joined, wire.span, prefix, wire, before))
    return wires


def _resolve_reads(flat: Flat, reads: list[_Node]) -> list[tuple[str, str]]:
    """A signal may read a nested diagram's output: the leaf outputs that produce it."""
    resolved: list[tuple[str, str]] = []
    for node in reads:
        if node in flat.feeds:
            resolved += [(wire.source, wire.source_port) for wire in flat.feeds[node]]
        else:
            resolved.append(node)
    return [(o, p) for o, p in resolved if o in flat.leaves or o.startswith("in:")]


# ------------------------------------------------------------------------------- names

class Target(NamedTuple):
    """What a name in an `allow ... on X` or an assertion stands for in a flattened diagram."""

    box: str            # a leaf's path, or an outer port's pseudo-box (`in:prompt`)
    port: str | None    # a port of that leaf, or None for the box itself


def resolve(proposal: Proposal, flat: Flat, name: str) -> Target | None:
    """`name` as a leaf box by instance path (`deployment.monitor`), a declared port of one
    (`pi.response`), or an outer port of the diagram by its name (`prompt`, or `in:prompt`);
    None when it is none of these."""
    if name in flat.leaves:
        return Target(name, None)
    box, _, port = name.rpartition(".")
    if box in flat.leaves:
        declared = proposal.box(flat.leaves[box].instance.of)
        known = declared is not None and any(p.name == port for p in declared.ports)
        return Target(box, port) if known else None
    for outer in flat.diagram.ports:
        pseudo = outer_port(outer.direction, outer.name)
        if name in (outer.name, pseudo):
            return Target(pseudo, None)
    return None
