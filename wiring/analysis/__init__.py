"""Stage 4: the alignment analyses, on a checked proposal.

`analyse` runs every analysis, the incentive criteria and the proposal's assertions on one
diagram, and applies its acknowledgements; `analyse_all` does so for every top diagram of a
file (or the diagrams named), which is what `wiring lint` and `wiring analyze` print (`analyze`
adds the quantitative bounds of `bounds.bounds(analysis.system)`). Which `allow` and `assert`
speak about which diagram is decided in `scope`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..diagnostics import Diagnostic, report, sort_key, unique
from ..model import Diagram, Proposal
from ..structure import no_such_diagram, top_diagrams
from .assertions import AssertionResult, check_assertions
from .causes import one_per_cause
from .coverage import unexamined
from ..collector import paused as paused_collector
from .build import build
from .graph import System
from .incentives import (DEFAULT_STEPS, Incentives, incentives as _incentives,
                         report as incentive_report, steps_needed, unroll)
from .lints import STRUCTURAL
from .scope import acknowledge, not_applicable, not_judged, stale_allows
from .tampering import audit_leaks, off_switch, tampering


@dataclass
class Analysis:
    """Everything the analyses found on one diagram."""

    system: System
    findings: list[Diagnostic] = field(default_factory=list)
    assertions: list[AssertionResult] = field(default_factory=list)
    incentives: list[Incentives] = field(default_factory=list)
    steps: int = DEFAULT_STEPS
    steps_needed: int = DEFAULT_STEPS   # to see every loop from a decision back to its signal
    unexamined: list[str] = field(default_factory=list)   # what had nothing to examine, and why
    not_applicable: list[str] = field(default_factory=list)   # file-level statements about others

    @property
    def diagram(self) -> str:
        return self.system.diagram.name

    @property
    def failed(self) -> bool:
        """An unacknowledged error finding stands (failing assertions are error findings)."""
        return _failing(self.findings)


@dataclass
class FileAnalysis:
    """The analyses of every analysed diagram of a file, and what is about the file itself."""

    analyses: list[Analysis]
    findings: list[Diagnostic] = field(default_factory=list)   # file-level allows gone stale
    not_judged: list[str] = field(default_factory=list)   # statements of unanalysed diagrams

    @property
    def failed(self) -> bool:
        return _failing(self.findings) or any(a.failed for a in self.analyses)


def _failing(findings: list[Diagnostic]) -> bool:
    return any(f.severity == "error" and f.acknowledged is None for f in findings)


def analyse_all(proposal: Proposal, diagrams: Sequence[str] | None = None,
                steps: int | None = None, depth: int | None = None) -> FileAnalysis:
    """Every top diagram of the proposal (or each of `diagrams`, in order, once), analysed as
    `analyse` does (to `depth` levels of nesting: below it a nested diagram is one box, read
    through its interface; structure.TooLarge when a flattening would pass MAX_LEAVES boxes);
    an `allow` at the top level or in a nested diagram that acknowledged no
    finding of any analysed diagram it speaks about is reported once, as a finding of the file."""
    if steps is not None and steps < 1:
        raise ValueError(f"steps must be at least 1, not {steps}")
    if depth is not None and depth < 0:
        raise ValueError(f"depth must be at least 0, not {depth}")
    names = list(dict.fromkeys(diagrams)) if diagrams else [d.name for d in top_diagrams(proposal)]
    for name in names:
        if name not in proposal.diagrams:
            raise ValueError(no_such_diagram(proposal, name))
    used: set[int] = set()
    with paused_collector():
        analyses = [_analyse(proposal, proposal.diagrams[name], steps, used, depth)
                    for name in names]
        systems = [a.system for a in analyses]
        result = FileAnalysis(
            analyses=analyses,
            findings=stale_allows(proposal, systems, used, depth),
            not_judged=not_judged(proposal, systems))
        for system in systems:
            system.forget()
    return result


def analyse(proposal: Proposal, diagram: str | None = None,
            steps: int | None = None, depth: int | None = None) -> Analysis | None:
    """Every analysis of one diagram: `diagram`, or the file's only top diagram (a file with
    several top diagrams must name one; `analyse_all` analyses them all). The incentive
    criteria read the diagram unrolled over `steps` (default 3; `steps_needed` says how many
    its longest loop takes); `depth` as for `analyse_all`. None when the file has no diagram."""
    if diagram is None:
        tops = top_diagrams(proposal)
        if len(tops) > 1:
            raise ValueError(f"{proposal.file} has {len(tops)} top diagrams ("
                             + ", ".join(d.name for d in tops) + "): name one, or use analyse_all")
        if not tops:
            return None
        diagram = tops[0].name
    report = analyse_all(proposal, [diagram], steps, depth)
    (analysis,) = report.analyses
    analysis.findings = sorted(analysis.findings + report.findings, key=sort_key)
    return analysis


def _analyse(proposal: Proposal, top: Diagram, steps: int | None, used: set[int],
             depth: int | None = None) -> Analysis:
    """One diagram's analysis; adds the indices of the allows that acknowledged a finding."""
    system = build(proposal, top, depth)
    steps = DEFAULT_STEPS if steps is None else steps
    result = Analysis(system=system, steps=steps, steps_needed=steps_needed(system),
                      unexamined=unexamined(system), not_applicable=not_applicable(system))
    findings: list[Diagnostic] = []
    for structural in STRUCTURAL:
        findings += structural(system)
    cid = unroll(system, steps)
    result.incentives = [_incentives(system, cid, agent) for agent in system.ordered(cid.decisions)]
    for incentive_analysis in (tampering, off_switch, audit_leaks):
        findings += incentive_analysis(system, cid, result.incentives)
    result.assertions = check_assertions(system, result.incentives)
    findings += [_failure(a) for a in result.assertions if not a.holds]
    marked, acknowledged = acknowledge(system, sorted(unique(findings), key=sort_key))
    used |= acknowledged
    labelled = [f.model_copy(update={"diagram": top.name}) for f in marked]
    result.findings = one_per_cause(labelled, system, result.incentives)
    return result


def _failure(result: AssertionResult) -> Diagnostic:
    """A failing assertion, reported like a finding: with its witness."""
    assertion = result.assertion
    claim = assertion.text.removeprefix("assert ").strip()
    return report("S0701", assertion.span, f"assertion fails: {claim}", label=result.message,
                  witness=result.witness)


__all__ = ["Analysis", "AssertionResult", "FileAnalysis", "analyse", "analyse_all",
           "incentive_report"]
