"""Which `allow` and `assert` statements speak about which analysed diagram, and which
acknowledgements acknowledged nothing.

The rule (docs/language.md, "Acknowledgements and assertions"): a statement written inside a
diagram speaks about that diagram; one at the top level of the file speaks about every top
diagram that has the boxes it names, and the other analysed diagrams list it as not applicable.
A statement of a diagram that is not analysed (a nested diagram, or one left out by `--diagram`)
is listed as not judged, never dropped in silence.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..diagnostics import Diagnostic, report, sort_key
from ..model import Allow, Assertion, Proposal
from ..structure import flatten, resolve, top_diagrams
from .graph import System


def statement(node: Allow | Assertion) -> str:
    """How a report names an `allow` or `assert`: its text and line."""
    if isinstance(node, Assertion):
        text = node.text
    else:
        text = f"allow {node.code}" + (f" on {node.target}" if node.target else "")
    return f"`{text}`" + (f" (line {node.span.line})" if node.span else "")


def allow_applies(system: System, allow: Allow) -> bool:
    """Whether `allow` speaks about the analysed diagram of `system`."""
    if allow.diagram is not None:
        return allow.diagram == system.diagram.name
    return allow.target is None or allow.target in system.flat.leaves


def assertion_applies(system: System, assertion: Assertion) -> bool:
    """Whether `assertion` speaks about the analysed diagram of `system`: its own, or a
    file-level one whose every name is a box, port or outer port of it."""
    if assertion.diagram is not None:
        return assertion.diagram == system.diagram.name
    return all(resolve(system.proposal, system.flat, n) is not None for n in assertion.names)


def not_applicable(system: System) -> list[str]:
    """The file-level statements that name boxes this diagram does not have."""
    proposal = system.proposal
    return [statement(node) for node in [*proposal.allows, *proposal.assertions]
            if node.diagram is None and not (allow_applies(system, node) if isinstance(node, Allow)
                                             else assertion_applies(system, node))]


def acknowledge(system: System, findings: list[Diagnostic]) -> tuple[list[Diagnostic], set[int]]:
    """The findings with those an applicable `allow` acknowledges marked, plus W0124 for each
    `allow` written inside this diagram that acknowledged none; and the indices (in
    `proposal.allows`) of the allows that acknowledged something."""
    allows = system.proposal.allows
    applicable = [i for i, allow in enumerate(allows) if allow_applies(system, allow)]
    marked, used = [], set()
    for finding in findings:
        on_path = {step.box for step in finding.witness}
        for index in applicable:
            allow = allows[index]
            if allow.code == finding.code and (allow.target is None or allow.target in on_path):
                finding = finding.model_copy(update={"acknowledged": allow.reason})
                used.add(index)
                break
        marked.append(finding)
    for index in applicable:
        allow = allows[index]
        if index not in used and allow.diagram is not None and allow.code.startswith("S"):
            marked.append(_stale(allow, f"`{system.diagram.name}`"))
    return sorted(marked, key=sort_key), used


def stale_file_allows(proposal: Proposal, systems: Sequence[System],
                      used: set[int]) -> list[Diagnostic]:
    """W0124, once, for each file-level `allow` that acknowledged no finding of any analysed
    diagram it applies to. An allow that applies to a top diagram left out of the run (by
    `--diagram`) may acknowledge a finding there, so it is not called stale."""
    analysed = {system.diagram.name for system in systems}
    left_out = [d for d in top_diagrams(proposal) if d.name not in analysed]
    problems = []
    for index, allow in enumerate(proposal.allows):
        if allow.diagram is not None or index in used or not allow.code.startswith("S"):
            continue
        applies = [s.diagram.name for s in systems if allow_applies(s, allow)]
        if not applies or (left_out and _may_apply(allow, left_out, proposal)):
            continue
        problems.append(_stale(allow, _listed(applies)))
    return problems


def _may_apply(allow: Allow, diagrams, proposal: Proposal) -> bool:
    if allow.target is None:
        return True
    return any(allow.target in flatten(proposal, d).leaves for d in diagrams)


def _listed(names: list[str]) -> str:
    shown = [f"`{n}`" for n in names]
    return shown[0] if len(shown) == 1 else "any of " + ", ".join(shown)


def _stale(allow: Allow, where: str) -> Diagnostic:
    on = f" on {allow.target}" if allow.target else ""
    return report("W0124", allow.span, f"`allow {allow.code}{on}` acknowledges no finding of {where}")


def not_judged(proposal: Proposal, analysed: set[str]) -> list[str]:
    """The statements written inside diagrams that were not analysed, each with how to judge it."""
    notes = []
    for node in [*proposal.assertions, *proposal.allows]:
        if node.diagram is not None and node.diagram not in analysed:
            verb = "judged" if isinstance(node, Assertion) else "applied"
            notes.append(f"{statement(node)} in diagram `{node.diagram}` was not {verb}: "
                         f"`{node.diagram}` was not analysed; `--diagram {node.diagram}` "
                         "analyses it")
    return notes
