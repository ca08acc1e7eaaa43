"""Which `allow` and `assert` statements speak about which analysed diagram, and which
acknowledgements acknowledged nothing.

The rule (docs/language.md, "Acknowledgements and assertions"): a statement written inside a
diagram speaks about that diagram: when it is analysed, and wherever it is nested in an analysed
diagram (at each place `p` it is used, its names become `p.name`). One at the top level of the
file speaks about every analysed top diagram that has the boxes it names; the others list it as
not applicable. A statement that speaks about no analysed diagram is listed as not judged,
never dropped in silence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..diagnostics import Diagnostic, report, sort_key
from ..model import Allow, Assertion, Proposal
from ..structure import Flat, TooLarge, flatten, join, resolve, top_diagrams
from .graph import System


@dataclass(frozen=True)
class Placed:
    """A statement as it speaks about one analysed diagram, its names paths of that diagram."""

    index: int                    # in `proposal.allows` or `proposal.assertions`
    node: Allow | Assertion       # names rewritten to paths of the analysed diagram
    within: str = ""              # the path of the nested diagram it was written in


def statement(node: Allow | Assertion) -> str:
    """How a report names an `allow` or `assert`: its text and line."""
    if isinstance(node, Assertion):
        text = node.text
    else:
        text = f"allow {node.code}" + (f" on {node.target}" if node.target else "")
    return f"`{text}`" + (f" (line {node.span.line})" if node.span else "")


def placed_allows(system: System) -> list[Placed]:
    return [p for i, allow in enumerate(system.proposal.allows)
            for p in _placed(system.proposal, system.flat, i, allow)]


def placed_assertions(system: System) -> list[Placed]:
    return [p for i, assertion in enumerate(system.proposal.assertions)
            for p in _placed(system.proposal, system.flat, i, assertion)]


def _placed(proposal: Proposal, flat: Flat, index: int, node: Allow | Assertion) -> list[Placed]:
    """`node` at each place it speaks about in the flattened diagram `flat` (none, one, or
    one per use of the nested diagram it was written in)."""
    if node.diagram is None or node.diagram == flat.diagram.name:
        return [Placed(index, node)] if node.diagram or _resolves(proposal, flat, node) else []
    places = []
    for path, name in flat.expanded.items():
        if name == node.diagram:
            moved = _moved(node, path)
            if _resolves(proposal, flat, moved):
                places.append(Placed(index, moved, path))
    return places


def _moved(node: Allow | Assertion, path: str) -> Allow | Assertion:
    """A statement of a nested diagram, its names prefixed with the path where it is used."""
    if isinstance(node, Allow):
        return node.model_copy(update={"target": node.target and join(path, node.target)})
    return node.model_copy(update={
        "source": node.source and join(path, node.source), "target": join(path, node.target),
        "avoiding": [join(path, n) for n in node.avoiding], "text": f"{node.text} (in `{path}`)"})


def _resolves(proposal: Proposal, flat: Flat, node: Allow | Assertion) -> bool:
    if isinstance(node, Allow):
        return node.target is None or node.target in flat.leaves
    return all(resolve(proposal, flat, n) is not None for n in node.names)


def not_applicable(system: System) -> list[str]:
    """The file-level statements that name boxes this diagram does not have."""
    proposal = system.proposal
    return [statement(node) for node in [*proposal.allows, *proposal.assertions]
            if node.diagram is None and not _resolves(proposal, system.flat, node)]


def acknowledge(system: System, findings: list[Diagnostic]) -> tuple[list[Diagnostic], set[int]]:
    """The findings with those an applicable `allow` acknowledges marked, plus W0124 for each
    `allow` written inside this diagram that acknowledged none; and the indices (in
    `proposal.allows`) of the allows that acknowledged something."""
    placed = placed_allows(system)
    marked, used = [], set()
    for finding in findings:
        # The boxes of a witness, read only when some allow may apply (thousands of findings
        # with long witnesses are common, allows few).
        on_path = {step.box for step in finding.witness if step.box} if placed else set()
        for place in placed:
            if _acknowledges(place, finding, on_path):
                finding = finding.model_copy(update={"acknowledged": place.node.reason})
                used.add(place.index)
                break
        marked.append(finding)
    for place in placed:
        allow = place.node
        if place.index not in used and allow.diagram == system.diagram.name and \
                allow.code.startswith("S"):
            marked.append(_stale(allow, f"`{system.diagram.name}`"))
    return sorted(marked, key=sort_key), used


def _acknowledges(place: Placed, finding: Diagnostic, on_path: set[str]) -> bool:
    allow = place.node
    if allow.code != finding.code:
        return False
    if allow.target is not None:
        return allow.target in on_path
    return not place.within or any(box.startswith(place.within + ".") for box in on_path)


def stale_allows(proposal: Proposal, systems: Sequence[System], used: set[int],
                 depth: int | None = None) -> list[Diagnostic]:
    """W0124, once, for each `allow` not written in an analysed diagram (at the top level, or
    in a nested diagram) that acknowledged no finding of any analysed diagram it speaks about.
    One that may speak about a top diagram left out of the run (by `--diagram`) may
    acknowledge a finding there, so it is not called stale."""
    analysed = {system.diagram.name for system in systems}
    left_out = [d for d in top_diagrams(proposal) if d.name not in analysed]
    problems = []
    for index, allow in enumerate(proposal.allows):
        if allow.diagram in analysed or index in used or not allow.code.startswith("S"):
            continue
        where = [s.diagram.name for s in systems if _placed(proposal, s.flat, index, allow)]
        if not where or any(_may_place(proposal, d, depth, index, allow) for d in left_out):
            continue
        problems.append(_stale(allow, _listed(where)))
    return problems


def _may_place(proposal: Proposal, diagram, depth: int | None, index: int, allow: Allow) -> bool:
    """Whether `allow` may speak about a top diagram left out of the run; one too large to
    flatten may (it is not called stale on a guess)."""
    try:
        return bool(_placed(proposal, flatten(proposal, diagram, depth), index, allow))
    except TooLarge:
        return True


def _listed(names: list[str]) -> str:
    shown = [f"`{n}`" for n in names]
    return shown[0] if len(shown) == 1 else "any of " + ", ".join(shown)


def _stale(allow: Allow, where: str) -> Diagnostic:
    on = f" on {allow.target}" if allow.target else ""
    return report("W0124", allow.span, f"`allow {allow.code}{on}` acknowledges no finding of {where}")


def not_judged(proposal: Proposal, systems: Sequence[System]) -> list[str]:
    """The statements written inside a diagram that speak about no analysed diagram, each
    with why and how to judge it."""
    analysed = {system.diagram.name for system in systems}
    notes = []
    for kind, nodes in (("assertion", proposal.assertions), ("allow", proposal.allows)):
        for index, node in enumerate(nodes):
            if node.diagram is None or node.diagram in analysed or \
                    any(_placed(proposal, s.flat, index, node) for s in systems):
                continue
            users = [s.diagram.name for s in systems if node.diagram in s.flat.expanded.values()]
            verb = "judged" if kind == "assertion" else "applied"
            why = (f"it names a port of `{node.diagram}` that is no box of `{users[0]}`, where "
                   "it is used" if users else f"`{node.diagram}` was not analysed")
            notes.append(f"{statement(node)} in diagram `{node.diagram}` was not {verb}: {why}; "
                         f"`--diagram {node.diagram}` analyses it on its own")
    return notes
