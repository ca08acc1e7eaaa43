"""Witnesses: the path through a diagram that shows a finding, as a tuple of typed steps.

A finding of the analyses (`Diagnostic.witness`), a failing assertion (`AssertionResult.witness`)
and each entry of the incentive report (`Incentives.voi` and the other tables) carry a witness:
a `tuple` of the steps below. Each step prints itself the way the text and JSON output show it
(`str(step)`; JSON lists those strings), and has a `box` property: the path of the box of the
analysed diagram it names, or None. Nothing needs to read a witness back from its text.

    Box(path)                     `policy`, `deployment.monitor`: a (leaf) box, by instance path
    Port(direction, name)         `in:prompt`, `out:answer`: an outer port of the analysed diagram
    Params(of)                    `Θ:rm`: the learned parameters of the trained box `of` (a Box)
    Node(place, step, role, training, mode)
                                  a node of the diagram unrolled in time (the incentive analysis):
                                  `place` (a Box or Port) at time `step`; `role` is "chance" or
                                  "decision" (`policy@0`), "params" (`Θ:rm@1`: its parameters) or
                                  "utility" (`U:policy#2@1`: the reward of the agent `place` by
                                  the training statement `training`); `mode` is the copy of the
                                  diagram it belongs to in a diagram with modes (`policy[rl]@0`),
                                  None in one without
    Signal(training, optimiser, verb, signal)
                                  `[ppo: maximise rm.score]`: the signal of training statement
                                  `training`
    Trains(training, optimiser, target)
                                  `[sgd trains rm]`: the optimisation wire of training statement
                                  `training` into the Box `target`
    BREAK, OBSERVED               `...` (the path breaks off) and `(observed)` (what follows is
                                  observed by the decision, not reached from it)
    AND                           `;`: a second path starts (a finding about two boxes with a
                                  shared ancestor prints a path from the ancestor to each)

Every witness of a finding is a real directed path of the analysed diagram in the order it is
printed (data wires, a signal read by the box before it, an optimisation wire into the box
after it), or, separated by AND, several such paths (`labels -> gold; labels -> proxy`).

`training` indexes `System.pressures` (`analysis.system.pressures[step.training]`), the
flattened training statements of the analysed diagram in order. Places of unrolled nodes and
steps are compared by value: `Node.place == Box("rm")`.

The steps are named tuples: hashable, immutable and cheap, since the incentive analysis builds
and hashes nodes in its inner loops. Tuples compare by value, so the types are shaped to differ
(a Box holds one string, a Params one Box, a Port two strings, a Mark a string and None), and
steps of different types are never equal.
"""

from __future__ import annotations

from typing import Iterable, NamedTuple


class Box(NamedTuple):
    """A box of the analysed diagram, by instance path: `policy`, `deployment.monitor`."""

    path: str

    def __str__(self) -> str:
        return self.path

    @property
    def box(self) -> str:
        return self.path



class Port(NamedTuple):
    """An outer port of the analysed diagram: `in:prompt`, `out:answer`."""

    direction: str   # "in" or "out"
    name: str

    def __str__(self) -> str:
        return f"{self.direction}:{self.name}"

    @property
    def path(self) -> str:
        """Its name among the analysed system's boxes (where outer ports are pseudo-boxes)."""
        return f"{self.direction}:{self.name}"

    @property
    def box(self) -> None:
        return None



class Params(NamedTuple):
    """The learned parameters Θ of a trained box: `Θ:rm`."""

    of: Box

    def __str__(self) -> str:
        return f"Θ:{self.of}"

    @property
    def box(self) -> str:
        return self.of.box



_PREFIX = {"params": "Θ:", "utility": "U:"}


class Node(NamedTuple):
    """A node of the diagram unrolled in time: `policy@0`, `Θ:rm@1`, `U:policy#2@1`, and in a
    diagram with modes `policy[rl]@0` (the copy of `policy` in mode `rl`)."""

    place: Box | Port
    step: int
    role: str = "chance"   # chance, decision, params (the box's Θ), utility (the agent's reward)
    training: int = -1     # a utility's training statement: an index into System.pressures
    mode: str | None = None   # the mode whose copy of the diagram holds it (None: no modes)

    def __str__(self) -> str:
        copy = f"#{self.training}" if self.role == "utility" else ""
        mode = f"[{self.mode}]" if self.mode is not None else ""
        return f"{_PREFIX.get(self.role, '')}{self.place}{copy}{mode}@{self.step}"

    @property
    def box(self) -> str | None:
        return self.place.box



class Signal(NamedTuple):
    """The signal of an optimisation wire: `[ppo: maximise rm.score]`."""

    training: int    # an index into System.pressures
    optimiser: str
    verb: str        # maximise or minimise
    signal: str      # the signal expression, as shown

    def __str__(self) -> str:
        return f"[{self.optimiser}: {self.verb} {self.signal}]"

    @property
    def box(self) -> None:
        return None



class Trains(NamedTuple):
    """An optimisation wire into the box it trains: `[sgd trains rm]`."""

    training: int    # an index into System.pressures
    optimiser: str
    target: Box

    def __str__(self) -> str:
        return f"[{self.optimiser} trains {self.target}]"

    @property
    def box(self) -> None:
        return None



class Mark(NamedTuple):
    """A step that is no place of the diagram: BREAK or OBSERVED."""

    text: str
    box: None = None

    def __str__(self) -> str:
        return self.text



BREAK = Mark("...")
OBSERVED = Mark("(observed)")
AND = Mark(";")

Step = Box | Port | Params | Node | Signal | Trains | Mark
Witness = tuple[Step, ...]


def texts(witness: Iterable[Step]) -> list[str]:
    """The witness as the output shows it: one string per step."""
    return [str(step) for step in witness]


def paths(witness: Iterable[Step]) -> list[tuple[Step, ...]]:
    """The paths of a witness: one, or several separated by AND."""
    found: list[list[Step]] = [[]]
    for step in witness:
        if step == AND:
            found.append([])
        else:
            found[-1].append(step)
    return [tuple(path) for path in found]


def shown(witness: Iterable[Step]) -> str:
    """The witness on one line: `pi -> filter -> world`, or `labels -> gold; labels -> proxy`
    for two paths."""
    return f"{AND} ".join(" -> ".join(str(step) for step in path) for path in paths(witness))
