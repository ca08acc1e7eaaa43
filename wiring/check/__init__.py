"""Stage 3: the wiring rules (docs/language.md, "Diagrams") on an elaborated model.

Per diagram and per mode: every inner input and outer output has exactly one source (or a
declared merge, or a default); wires are well-typed (subtyping, intervals, indices); feedback
passes through a stateful box or a delayed wire. Then: training statements, refinements, nested
modes, diagrams that contain themselves, and the phase of every mode.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..diagnostics import Diagnostic, has_errors
from ..model import (
    Diagram,
    Merge,
    Proposal,
)
from ..types import Decider
from .behaviours import check_behaviours
from .context import Context, DiagramView, PerMode
from .loops import check_loops, dependency_relation, instantaneous
from .nesting import (
    check_nested_modes,
    check_phases,
    check_refinement,
    explicit_copies,
    nesting_order,
    unused_instances,
)
from .training import check_training
from .wires import check_ports, check_sources, check_wire_types, infer_outer_types


@dataclass
class Checked:
    """What `check` returns: the checked proposal (the elaborated one with inferred outer
    types, explicit copies and merges; the input is left as it was) and the problems found."""

    proposal: Proposal
    diagnostics: list[Diagnostic]


def check(proposal: Proposal, excused: set[tuple[str, str]] | None = None,
          broken: set[str] | None = None) -> Checked:
    """The wiring rules on an elaborated proposal: the checked proposal and the problems found.
    `excused` ports and `broken` boxes (from elaboration) are mistakes already reported."""
    ctx = Context(proposal=proposal, decide=Decider(proposal.params), excused=excused or set(),
                  broken=broken or set(), diagnostics=[], checked={})
    for component in proposal.components.values():
        check_ports(_within(ctx, component.params), component.ports)
    relations: dict[str, dict[str, set[str]]] = {}
    for name in nesting_order(ctx):
        diagram = proposal.diagrams[name]
        ctx.checked[name] = _check_diagram(_within(ctx, diagram.params), diagram, relations)
    check_phases(ctx)
    diagrams = {name: ctx.checked.get(name, diagram) for name, diagram in proposal.diagrams.items()}
    checked = proposal.model_copy(update={"diagrams": diagrams})
    if proposal.evaluations and not has_errors(ctx.diagnostics):
        # behaviours compose only along sound wiring: after a wiring error they would repeat it
        ctx.diagnostics += check_behaviours(checked, ctx.broken)
    return Checked(checked, ctx.diagnostics)


def _within(ctx: Context, params: list) -> Context:
    """The context inside a parametrised component or diagram: its types are decided under
    its parameters' types too."""
    if not params:
        return ctx
    return replace(ctx, decide=Decider({**ctx.proposal.params, **{p.name: p for p in params}}))


def _check_diagram(ctx: Context, diagram: Diagram,
                   relations: dict[str, dict[str, set[str]]]) -> Diagram:
    """Every rule on one diagram (its nested diagrams checked already); the checked diagram."""
    check_ports(ctx, diagram.ports)
    diagram = infer_outer_types(ctx, DiagramView(ctx, diagram))
    view = DiagramView(ctx, diagram)
    check_wire_types(ctx, view)
    merges: dict[str, Merge] = {}
    relation: dict[str, set[str]] = {}  # each outer output: the outer inputs reaching it
    per_mode = PerMode(ctx, diagram.modes)
    for mode in diagram.modes or [None]:
        check_sources(ctx, view, mode, merges, per_mode)
        graph = instantaneous(ctx, view, mode, relations)
        order = graph.order()
        if order is None:
            check_loops(ctx, diagram, graph, mode, per_mode)
        else:
            for output, inputs in dependency_relation(graph, order, diagram).items():
                known = relation.get(output)  # the sets may be shared: never update one
                relation[output] = inputs if known is None else known | inputs
    per_mode.flush()
    relations[diagram.name] = relation
    for training in diagram.trainings:
        check_training(ctx, view, training)
    if diagram.refines:
        check_refinement(ctx, diagram)
    check_nested_modes(ctx, diagram)
    unused_instances(ctx, diagram)
    return diagram.model_copy(update={"copies": explicit_copies(diagram),
                                      "merges": [merges[k] for k in sorted(merges)]})
