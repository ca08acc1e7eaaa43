"""Stage 2: syntax nodes to the model. Resolves names, imports, parameters and types.

Input: a `Program` (its parsed files in dependency order). Output: a `Proposal`, the
diagnostics, the ports whose wiring an earlier error already accounts for (`excused`) and the
boxes whose declarations were broken (`broken`), so that the checker reports neither: one
mistake, one diagnostic. Last, `references` resolves the boxes that acknowledgements and
assertions name.

The elaborator's methods are grouped by what they elaborate, each group a class in its own
module, built on the one before: base (declarations by name, what each file sees, metadata),
values (expressions and types), declarations (kinds, optimisers, parameters, component and
diagram interfaces) and diagrams (instances, wires, trainings and their signals).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..diagnostics import Diagnostic, has_errors
from ..model import Proposal
from ..references import unresolved
from ..sources import PRELUDE, Program
from .behaviours import Behaviours
from .diagrams import SIGNAL_FUNCTIONS

__all__ = ["Elaboration", "elaborate", "SIGNAL_FUNCTIONS"]


@dataclass
class Elaboration:
    proposal: Proposal
    diagnostics: list[Diagnostic]
    # (diagram, "inst.port" or "port") whose wiring an earlier error already accounts for, and
    # (diagram, "mode NAME") whose phase it does
    excused: set[tuple[str, str]] = field(default_factory=set)
    # box names whose declarations were broken: instances of them are dropped silently
    broken: set[str] = field(default_factory=set)


def elaborate(program: Program) -> Elaboration:
    el = Behaviours(program)
    el.collect()
    el.kinds()
    el.optimisers()
    el.params()
    el.adversaries()
    el.types()
    el.components()
    el.diagram_headers()
    el.diagram_bodies()
    el.behaviours()
    el.evaluations()
    el.proposal.imports = [f for f in program.files if f not in (PRELUDE, program.root)]
    diagnostics = el.diagnostics
    if not has_errors(diagnostics) and not has_errors(program.diagnostics):
        # The boxes named by `allow ... on X` and assertions, once the diagrams they name are
        # whole (a box dropped by an earlier error, or a diagram dropped by a syntax error,
        # which can make a nested diagram look like a top one, would only cascade into E0122).
        diagnostics = diagnostics + unresolved(el.proposal)
    return Elaboration(proposal=el.proposal, diagnostics=diagnostics, excused=el.excused,
                       broken=el.broken)
