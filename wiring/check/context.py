"""What every wiring rule reads: the proposal being checked, the diagrams checked so far, one
diagram's ports and endpoints, and problems collected per mode."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from ..diagnostics import Diagnostic
from ..model import (
    BoolType,
    CollectionType,
    Component,
    Diagram,
    Endpoint,
    Instance,
    NumType,
    Port,
    Proposal,
    Wire,
)
from ..structure import ModeOrder, active, by_mode
from ..types import Decider, show_expr

MERGE_TYPES = {
    "sum": (NumType,), "max": (NumType,), "min": (NumType,), "mean": (NumType,),
    "any": (BoolType,), "all": (BoolType,), "union": (CollectionType,),
    "concat": (CollectionType,),
}


@dataclass
class Context:
    proposal: Proposal
    decide: Decider
    excused: set[tuple[str, str]]
    broken: set[str]
    diagnostics: list[Diagnostic]
    # The checked diagrams, as they become known (nested ones first): the elaborated ones with
    # their inferred outer types, copies and merges. The elaborated model is never edited.
    checked: dict[str, Diagram]

    def report(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)

    def box(self, name: str) -> Component | Diagram | None:
        return self.proposal.components.get(name) or self.checked.get(name) or \
            self.proposal.diagrams.get(name)


class PerMode:
    """Collects problems found in each mode and reports each once, naming the modes it occurs
    in ("in modes `train`, `eval`"), or none when it occurs in every mode."""

    def __init__(self, ctx: "Context", all_modes: list[str]):
        self.ctx = ctx
        self.all_modes = all_modes
        self.found: dict[tuple, tuple[list[str | None], object]] = {}

    def add(self, key: tuple, mode: str | None, build) -> None:
        modes, _ = self.found.setdefault(key, ([], build))
        modes.append(mode)

    def flush(self) -> None:
        for modes, build in self.found.values():
            if None in modes or sorted(modes) == sorted(self.all_modes):
                text = ""
            elif len(modes) == 1:
                text = f" in mode `{modes[0]}`"
            else:
                text = " in modes " + ", ".join(f"`{m}`" for m in modes)
            self.ctx.report(build(text))


class DiagramView:
    """Ports and endpoints of one diagram, with the lookups every rule needs."""

    def __init__(self, ctx: Context, diagram: Diagram):
        self.ctx = ctx
        self.diagram = diagram
        self.instances = {i.name: i for i in diagram.instances}
        self.outer = {p.name: p for p in diagram.ports}
        self._box_ports: dict[tuple, dict[str, Port]] = {}
        self._keys: dict[str, tuple] = {}

    @cached_property
    def _wires_by_mode(self) -> dict[str | None, list[Wire]]:
        return by_mode(self.diagram.wires, self.mode_order.modes)

    @cached_property
    def _instances_by_mode(self) -> dict[str | None, list[Instance]]:
        return by_mode(self.diagram.instances, self.mode_order.modes)

    def wires_in(self, mode: str | None) -> list[Wire]:
        """The wires that exist in `mode` (None: the only mode of a diagram without modes)."""
        return self._wires_by_mode[mode]

    def instances_in(self, mode: str | None) -> list[Instance]:
        """The instances that exist in `mode`, in their order."""
        return self._instances_by_mode[mode]

    @cached_property
    def mode_order(self) -> ModeOrder:
        return ModeOrder(self.diagram.modes)

    @cached_property
    def wire_broken(self) -> bool:
        """Whether a wire of this diagram was already reported broken (an excused port)."""
        name = self.diagram.name
        return any(diagram == name and "." in what for diagram, what in self.ctx.excused)

    @cached_property
    def following(self) -> dict[str, set[str]]:
        """Instance -> the instances its wires go to ("" for an outer port): made once for
        the diagram, where each of 3,000 training statements made it again."""
        following: dict[str, set[str]] = defaultdict(set)
        for wire in self.diagram.wires:
            following[wire.source.instance or ""].add(wire.target.instance or "")
        return following

    def box_ports(self, instance: Instance) -> dict[str, Port]:
        """An instance's ports by name, with its parameter values in their types; made once
        per box and values (the copies of a model share their model's)."""
        if not instance.args:
            key: tuple = (instance.of,)
        elif (key := self._keys.get(instance.name)) is None:   # asked for every wire end
            key = self._keys[instance.name] = (
                instance.of, *(f"{k}={show_expr(v)}" for k, v in instance.args.items()))
        ports = self._box_ports.get(key)
        if ports is None:
            ports = {p.name: p for p in self.ctx.proposal.ports_of(instance)}
            self._box_ports[key] = ports
        return ports

    def port(self, endpoint: Endpoint) -> Port | None:
        if endpoint.instance is None:
            return self.outer.get(endpoint.port)
        instance = self.instances.get(endpoint.instance)
        return self.box_ports(instance).get(endpoint.port) if instance else None

    def active_port(self, endpoint: Endpoint, mode: str | None) -> tuple[bool, str]:
        """Whether an endpoint exists in `mode`, and if not, why."""
        port = self.port(endpoint)
        if endpoint.instance is not None:
            instance = self.instances[endpoint.instance]
            if not active(instance.modes, mode):
                return False, (f"`{instance.name}` exists only in mode"
                               f"{'s' if len(instance.modes) > 1 else ''} "
                               + ", ".join(f"`{m}`" for m in instance.modes))
        if port is not None and not active(port.modes, mode):
            return False, (f"`{endpoint}` exists only in mode{'s' if len(port.modes) > 1 else ''} "
                           + ", ".join(f"`{m}`" for m in port.modes))
        return True, ""

    def targets(self, mode: str | None):
        """Every endpoint that needs exactly one source in `mode`."""
        for port in self.diagram.ports:
            if port.direction == "out" and active(port.modes, mode):
                yield Endpoint(instance=None, port=port.name, span=port.span), port
        for instance in self.instances_in(mode):
            for port in self.box_ports(instance).values():
                if port.direction == "in" and active(port.modes, mode):
                    yield Endpoint(instance=instance.name, port=port.name, span=instance.span), port
