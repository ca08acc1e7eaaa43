"""The boxes that `allow ... on X` and assertions name, resolved when the proposal is elaborated.

A name is a box by its instance path (`deployment.monitor`, through nested diagrams), a port of
one (`pi.response`), or an outer port of the diagram. Scope: an `allow` or `assert` written inside
a diagram speaks about that diagram; one at the top level of the file speaks about every top
diagram, and its names must be found in at least one of them.
"""

from __future__ import annotations

from .diagnostics import Diagnostic, report
from .model import Diagram, Proposal
from .names import did_you_mean
from .structure import Flat, TooLarge, flatten, resolve, top_diagrams


class _Names:
    """The names one diagram resolves (`structure.resolve`, as the analyses do)."""

    def __init__(self, proposal: Proposal, diagram: Diagram):
        self.proposal = proposal
        self.diagram = diagram
        # A diagram too large to flatten (lint says so, with the --depth that fits) has its
        # names taken on trust here rather than reported on a guess.
        try:
            self.flat: Flat | None = flatten(proposal, diagram)
        except TooLarge:
            self.flat = None

    def has(self, name: str) -> bool:
        return self.flat is None or resolve(self.proposal, self.flat, name) is not None

    def has_box(self, name: str) -> bool:
        """A leaf box, the only thing a witness step names and an `allow` can match."""
        return self.flat is None or name in self.flat.leaves

    def candidates(self) -> set[str]:
        return set(self.flat.leaves) | {p.name for p in self.diagram.ports}


def unresolved(proposal: Proposal) -> list[Diagnostic]:
    """E0122 for every name an `allow` or an assertion uses that no diagram it speaks about has."""
    cache: dict[str, _Names] = {}

    def scope(diagram_name: str | None) -> list[_Names]:
        diagrams = [proposal.diagrams[diagram_name]] if diagram_name in proposal.diagrams \
            else [] if diagram_name is not None else top_diagrams(proposal)
        for diagram in diagrams:
            if diagram.name not in cache:
                cache[diagram.name] = _Names(proposal, diagram)
        return [cache[d.name] for d in diagrams]

    problems = []
    for allow in proposal.allows:
        where = scope(allow.diagram)
        if allow.target is not None and where and \
                not any(n.has_box(allow.target) for n in where):
            problems.append(report(
                "E0122", allow.span, f"`allow {allow.code} on {allow.target}`: no box "
                f"`{allow.target}` in {_shown(where)}",
                help=did_you_mean(allow.target, _boxes(where)) or _listing(where)))
    for assertion in proposal.assertions:
        where = scope(assertion.diagram)
        for name in assertion.names:
            if where and not any(n.has(name) for n in where):
                problems.append(report(
                    "E0122", assertion.span, f"`{assertion.text}`: no box `{name}` in "
                    f"{_shown(where)}",
                    help=_name_help(name, where)))
    return problems


def _listing(where: list[_Names]) -> str:
    """The boxes a name could have meant, a few of them, and how a nested one is named."""
    boxes = sorted(set().union(*(set(n.flat.leaves) for n in where)))
    shown = ", ".join(f"`{b}`" for b in boxes[:10]) + (", ..." if len(boxes) > 10 else "")
    return (f"the boxes here: {shown or 'none'} (a box inside a nested diagram is named by its "
            "instance path, `instance.box`)")


def _name_help(name: str, where: list[_Names]) -> str:
    """Help for an assertion's name: the ports of the box it names, if the box is there."""
    box, _, port = name.rpartition(".")
    for names in where:
        if box in names.flat.leaves:
            declared = names.proposal.box(names.flat.leaves[box].instance.of)
            ports = [p.name for p in declared.ports] if declared is not None else []
            return f"`{box}` has no port `{port}`: " + (
                did_you_mean(port, ports) or f"its ports are {', '.join(ports) or 'none'}")
    return did_you_mean(name.split(".")[0], _boxes(where)) or \
        _listing(where) + "; a port is named `box.port`, an outer port of the diagram by its name"


def _shown(where: list[_Names]) -> str:
    names = [f"`{n.diagram.name}`" for n in where]
    return names[0] if len(names) == 1 else "any of " + ", ".join(names)


def _boxes(where: list[_Names]) -> set[str]:
    return set().union(*(n.candidates() for n in where))
