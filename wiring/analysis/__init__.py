"""Stage 4: the alignment analyses, on a checked proposal.

`analyse` runs every analysis, the incentive criteria and the proposal's assertions on one
diagram, and applies its acknowledgements: what `wiring lint` and `wiring analyze` print
(`analyze` adds the quantitative bounds of `bounds.bounds(analysis.system)`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..diagnostics import Diagnostic, report, sort_key, unique
from ..model import Proposal
from .assertions import AssertionResult, check_assertions
from .causes import one_per_cause
from .coverage import unexamined
from ..structure import default_diagram, top_diagrams
from .graph import System, build
from .incentives import (DEFAULT_STEPS, Incentives, incentives as _incentives,
                         report as incentive_report, steps_needed, unroll)
from .lints import STRUCTURAL
from .tampering import audit_leaks, off_switch, tampering


@dataclass
class Analysis:
    system: System
    findings: list[Diagnostic] = field(default_factory=list)
    assertions: list[AssertionResult] = field(default_factory=list)
    incentives: list[Incentives] = field(default_factory=list)
    steps: int = DEFAULT_STEPS
    steps_needed: int = DEFAULT_STEPS   # to see every loop from a decision back to its signal
    unexamined: list[str] = field(default_factory=list)   # what had nothing to examine, and why

    @property
    def failed(self) -> bool:
        """An unacknowledged error finding stands (failing assertions are error findings)."""
        return any(f.severity == "error" and f.acknowledged is None for f in self.findings)


def analyse(proposal: Proposal, diagram: str | None = None,
            steps: int | None = None) -> Analysis | None:
    """Every analysis of the top diagram (or `diagram`); the incentive criteria on the diagram
    unrolled over `steps` (default 3; `steps_needed` says how many its longest loop takes)."""
    if steps is not None and steps < 1:
        raise ValueError(f"steps must be at least 1, not {steps}")
    top = default_diagram(proposal, diagram)
    if top is None:
        return None
    system = build(proposal, top)
    steps = DEFAULT_STEPS if steps is None else steps
    result = Analysis(system=system, steps=steps, steps_needed=steps_needed(system),
                      unexamined=unexamined(system))
    findings: list[Diagnostic] = []
    for structural in STRUCTURAL:
        findings += structural(system)
    cid = unroll(system, steps)
    result.incentives = [_incentives(system, cid, agent) for agent in sorted(cid.decisions)]
    for incentive_analysis in (tampering, off_switch, audit_leaks):
        findings += incentive_analysis(system, cid, result.incentives)
    result.assertions = check_assertions(proposal, top.name, system, result.incentives)
    findings += [_failure(a) for a in result.assertions if not a.holds]
    findings = _acknowledge(proposal, top.name, sorted(unique(findings), key=sort_key))
    result.findings = one_per_cause(findings, system, result.incentives)
    return result


def _failure(result: AssertionResult) -> Diagnostic:
    """A failing assertion, reported like a finding: with its witness."""
    assertion = result.assertion
    claim = assertion.text.removeprefix("assert ").strip()
    return report("S0701", assertion.span, f"assertion fails: {claim}", label=result.message,
                  witness=result.witness)


def _applicable(proposal: Proposal, diagram: str):
    """The acknowledgements that speak about `diagram`: its own and the file-level ones."""
    return [a for a in proposal.allows if a.diagram in (None, diagram)]


def _acknowledge(proposal: Proposal, diagram: str, findings: list[Diagnostic]) -> list[Diagnostic]:
    marked = []
    used = set()
    allows = _applicable(proposal, diagram)
    for finding in findings:
        for index, allow in enumerate(allows):
            if allow.code != finding.code:
                continue
            if allow.target is not None and \
                    allow.target not in {step.box for step in finding.witness}:
                continue
            finding = finding.model_copy(update={"acknowledged": allow.reason})
            used.add(index)
            break
        marked.append(finding)
    # A file-level `allow` may speak about another top diagram of the file (analysed with
    # `--diagram`): it is stale only when this diagram is the file's one top diagram.
    alone = len(top_diagrams(proposal)) == 1
    for index, allow in enumerate(allows):
        if index not in used and allow.code.startswith("S") and (allow.diagram or alone):
            on = f" on {allow.target}" if allow.target else ""
            marked.append(report("W0124", allow.span,
                                 f"`allow {allow.code}{on}` acknowledges no finding of `{diagram}`"))
    return sorted(marked, key=sort_key)


__all__ = ["Analysis", "AssertionResult", "analyse", "incentive_report"]
