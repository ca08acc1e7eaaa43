"""Stage 4: the alignment analyses, on a checked proposal."""

from __future__ import annotations

from ..diagnostics import Diagnostic, sort_key, unique
from ..model import Proposal
from .graph import System, build, top_diagram
from .lints import STRUCTURAL


def analyse(proposal: Proposal, diagram: str | None = None) -> tuple[System | None, list[Diagnostic]]:
    top = top_diagram(proposal, diagram)
    if top is None:
        return None, []
    system = build(proposal, top)
    findings: list[Diagnostic] = []
    for analysis in STRUCTURAL:
        findings += analysis(system)
    return system, sorted(unique(findings), key=sort_key)
