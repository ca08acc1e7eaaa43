"""Highlighting: the witnesses of the analyses' findings laid onto a scene.

A witness is a tuple of typed steps (`wiring.witness`). Each step becomes the drawn nodes it
stands for: a Box the innermost drawn box or frame that contains it (deeper nesting may be
collapsed), a Port the outer pin, a Signal or Trains step the optimiser of its training
statement (or, collapsed, the box that holds it), the parameters of X (`Θ:X`) and the reward of
an agent by training k (`U:X#k`) the optimiser that trains X; an unrolled node's time step is
dropped. Consecutive steps are joined by the drawn wires between their nodes (through the ports
of framed nested diagrams); BREAK (`...`) breaks the path, and AND (`;`) starts the next path
of a witness of several (two paths from a shared ancestor). An optimiser on a witness also has
its update wire emphasised: the path closes there.

A witness is a path of the diagram analysed, every mode at once. A picture of one mode (`--mode`,
a panel of `--panels modes`) draws a finding only if its whole witness is drawn in that mode:
the same nodes, and as many of its steps joined by wires, as in the drawing of every mode (a
step of an unrolled node names its mode). Otherwise the finding is not drawn there, and the
caption says "not on this picture": half a loop framed in a mode without the loop says what is
not so.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..witness import AND, BREAK, Box, Mark, Node, Params, Port, Signal, Step, Trains
from .scene import Scene, Wire, ident, path_id


@dataclass
class Finding:
    """A finding as the caption lists it."""

    code: str
    severity: str
    message: str
    acknowledged: str | None
    drawn: bool = False         # some node of its witness is on the picture
    skipped: bool = False       # acknowledged, and not asked for by its code: not drawn


def highlight(scene: Scene, analysis, codes: frozenset[str] | None,
              every: Scene | None = None) -> None:
    """Emphasise on `scene` the witnesses of the findings asked for (every unacknowledged
    finding when `codes` is None, else one finding per code asked for, acknowledged or not:
    see `select`), and list them for the caption. Asked for by code, the rest of the picture
    is faded (`Scene.focus`): the point is one path, not every box a code touches. `every`,
    for a scene of one mode, is the drawing of every mode: a witness not whole in the mode
    is not drawn (see the module's note)."""
    scene.findings, scene.missing = [], sorted(codes or ())
    if analysis is None:
        return
    highlighter = _Highlighter(scene, analysis,
                               _Highlighter(every, analysis) if every is not None else None)
    if codes is None:
        # a finding shown with others of the same loop as notes (`also`) stands for them all
        scene.findings = [highlighter.draw(f, skip=f.acknowledged is not None)
                          for f in analysis.findings]
        return
    chosen, scene.missing = select(analysis, codes)
    scene.findings = [highlighter.draw(entry, skip=False) for entry in chosen]
    # the ports a highlighted wire crosses a nested diagram's frame at are on the path too
    # (nothing drawn, nothing faded)
    scene.focus = set(scene.emphasis) | {end.node for w in scene.wires if w.emphasis
                                         for end in (w.src, w.dst)} or None


def select(analysis, codes: frozenset[str]) -> tuple[list, list[str]]:
    """The findings that `codes` name, in the order the analyses report them, and the codes
    that name none. `CODE#N` is the N-th finding of that code and `CODE` the first, counting
    the findings shown with another as its notes (`also`) after it, as `wiring lint` lists
    them; a code past its count is missing as "S0201#3 (there are 2)"."""
    entries = [e for f in analysis.findings for e in (f, *f.also)]
    chosen, missing = [], []
    for asked in sorted(codes):
        code, _, n = asked.partition("#")
        same = [e for e in entries if e.code == code]
        if len(same) >= int(n or 1):
            chosen.append(same[int(n or 1) - 1])
        else:
            missing.append(f"{asked} (there {'is' if len(same) == 1 else 'are'} {len(same)})"
                           if same else asked)
    return [e for e in entries if any(e is c for c in chosen)], missing


class _Highlighter:
    def __init__(self, scene: Scene, analysis, every: _Highlighter | None = None):
        self.scene = scene
        self.analysis = analysis
        self.every = every              # of the drawing of every mode, for a scene of one
        self.successors: dict[str, dict[str, list[Wire]]] = {}
        for wire in scene.wires:
            if wire.src.node != wire.dst.node:
                self.successors.setdefault(wire.src.node, {}).setdefault(
                    wire.dst.node, []).append(wire)

    # entries -> nodes -----------------------------------------------------------------------
    def box(self, path: str) -> list[str]:
        parts = tuple(path.split("."))
        for end in range(len(parts), 0, -1):
            found = self.scene.drawn.get(parts[:end])
            if found is not None:
                return [found]
        return []

    def trainings(self, pressures) -> list[str]:
        nodes: list[str] = []
        for pressure in pressures:
            drawn = [opt for prefix, opt, training in self.scene.optimisers
                     if ".".join(prefix) == pressure.diagram_path and training == pressure.training]
            for node in drawn or self.box(pressure.target):
                if node not in nodes:
                    nodes.append(node)
        return nodes

    def trained(self, box: str, training: int = -1) -> list[str]:
        """The optimisers that train `box` (or training statement `training`), else the box."""
        pressures = self.analysis.system.pressures
        found = [pressures[training]] if 0 <= training < len(pressures) else \
            [p for p in pressures if p.target == box]
        return self.trainings(found) or self.box(box)

    def resolve(self, step: Step) -> list[str] | None:
        """The drawn nodes of one witness step; None for a break in the path."""
        match step:
            case Mark():
                return None if step in (BREAK, AND) else []
            case Box():
                return self.box(step.path)
            case Port():
                pin = path_id((), "@" + step.direction, ident(step.name))
                return [pin] if pin in self.scene.outer_pins else []
            case Params():
                return self.trained(step.box)
            case Signal() | Trains():
                return self.trainings([self.analysis.system.pressures[step.training]])
            case Node(mode=str(mode)) if self.scene.options.mode not in (None, mode):
                return []                       # a step of another mode's copy
            case Node(role="params" | "utility"):
                return self.trained(step.place.box, step.training)
            case Node():
                return self.resolve(step.place)
        return []

    # wires ----------------------------------------------------------------------------------
    def route(self, a: str, b: str) -> list[Wire]:
        """The drawn wires of a shortest path from node a to node b whose inner nodes are ports
        of framed nested diagrams (a wire between two boxes crosses their frames there)."""
        if a == b:
            return []
        before: dict[str, str] = {a: a}
        queue = [a]
        for node in queue:
            for nxt in self.successors.get(node, {}):
                if nxt in before or (nxt != b and nxt not in self.scene.inner_pins):
                    continue
                before[nxt] = node
                if nxt == b:
                    wires: list[Wire] = []
                    while nxt != a:
                        wires = self.successors[before[nxt]][nxt] + wires
                        nxt = before[nxt]
                    return wires
                queue.append(nxt)
        return []

    def runs(self, witness: tuple[Step, ...]) -> list[list[list[str]]]:
        """The witness as runs (broken by `...`) of drawn node groups, one per step; a step
        that stands for several nodes keeps those joined to its neighbours."""
        runs: list[list[list[str]]] = [[]]
        for step in witness:
            nodes = self.resolve(step)
            if nodes is None:
                runs.append([])
            elif nodes and not (runs[-1] and runs[-1][-1] == nodes):
                runs[-1].append(nodes)
        for run in runs:
            for i, nodes in enumerate(run):
                if len(nodes) < 2:
                    continue
                joined = [n for n in nodes
                          if (i > 0 and any(self.route(p, n) for p in run[i - 1])) or
                          (i + 1 < len(run) and any(self.route(n, q) for q in run[i + 1]))]
                run[i] = joined or nodes
        return runs

    def lay(self, witness: tuple[Step, ...]) -> tuple[list[str], list[Wire], int]:
        """The nodes and wires one witness is drawn with, and how many of its consecutive
        steps are joined by wires."""
        chosen: list[str] = []
        wires: list[Wire] = []
        joined = 0
        for run in self.runs(witness):
            for i, nodes in enumerate(run):
                chosen += [n for n in nodes if n not in chosen]
                if i + 1 < len(run):
                    routes = [w for a in nodes for b in run[i + 1] for w in self.route(a, b)]
                    wires += routes
                    joined += bool(routes)
        optimisers = {opt for _, opt, _ in self.scene.optimisers} & set(chosen)
        wires += [w for w in self.scene.wires if w.style == "update" and w.src.node in optimisers]
        return chosen, wires, joined

    def whole(self, witness: tuple[Step, ...], nodes: list[str], joined: int) -> bool:
        """Whether a witness drawn with `nodes` and `joined` steps is all there: as in the
        drawing of every mode (always, without one)."""
        if self.every is None:
            return True
        every_nodes, _, every_joined = self.every.lay(witness)
        return set(nodes) == set(every_nodes) and joined == every_joined

    def draw(self, finding, skip: bool) -> Finding:
        """Emphasise one finding's witness (unless `skip`), and its row of the caption."""
        row = Finding(finding.code, finding.severity, finding.message, finding.acknowledged)
        if skip:
            row.skipped = True
            return row
        nodes, wires, joined = self.lay(finding.witness)
        if not self.whole(finding.witness, nodes, joined):
            return row                                  # not drawn: "not on this picture"
        for node in nodes:
            marks = self.scene.emphasis.setdefault(node, [])
            if finding.code not in marks:
                marks.append(finding.code)
        for wire in wires:
            wire.emphasis = True
        row.drawn = bool(nodes)
        return row
