"""Diagram bodies: instances, wires and trainings, and the names a training signal may use."""

from __future__ import annotations

import difflib
from typing import NamedTuple

from .. import syntax
from ..diagnostics import Span, report
from ..model import (CHOOSING, TRUST_LEVELS, Attributes, Call, Diagram, Endpoint, Expr, Instance,
                     Name, PortRef, Port, Training, Wire)
from ..names import did_you_mean
from ..syntax import bare
from .base import Declaration
from .declarations import Declarations

ARGUMENT_NEEDED = {"best_of": "the number of samples n", "quantilizer": "the fraction q"}
SIGNAL_FUNCTIONS = {
    # name: (arity or None for 1+, what the arguments are)
    "kl": (2, "instances"), "log": (1, "scalars"), "exp": (1, "scalars"),
    "sqrt": (1, "scalars"), "abs": (1, "scalars"), "min": (None, "scalars"),
    "max": (None, "scalars"), "mean": (None, "scalars"), "sum": (None, "scalars"),
    "match": (2, "values"), "mse": (2, "values"), "cross_entropy": (2, "values"),
    "log_likelihood": (1, "values"), "accuracy": (2, "values"), "loss": (None, "values"),
}


class Diagrams(Declarations):
    def diagram_bodies(self) -> None:
        for decl in self.of_form("diagram"):
            diagram = self.proposal.diagrams[decl.name]
            # its parameters may be the values of its instances' (`Debater(rounds = n)`)
            self.local_params = {p.name: p for p in diagram.params}
            self.local_owner = diagram.name
            try:
                _DiagramBody(self, decl, diagram).run()
            finally:
                self.local_params = {}


class _Scope:
    """Names inside a diagram body, used to read training signals."""

    def __init__(self, body: "_DiagramBody"):
        self.body = body

    def reference(self, parts: list[str], span: Span) -> Expr | None:
        body = self.body
        el = body.el
        if len(parts) == 1:
            return self._name(parts[0], span)
        if len(parts) > 2:
            el.report(report("E0105", span, f"`{'.'.join(parts)}` has too many parts",
                            label="write `instance.port`"))
            return None
        endpoint = body.endpoint(Endpoint(instance=parts[0], port=parts[1], span=span))
        if endpoint is None:
            return None
        return PortRef(instance=parts[0], port=parts[1], span=span)

    def _name(self, name: str, span: Span) -> Expr | None:
        body, el = self.body, self.body.el
        port = body.outer.get(name)
        if port is not None:
            if port.direction == "in":
                return PortRef(instance=None, port=name, span=span)
            el.report(report("E0201", span, f"`{name}` is an output of the diagram; a signal reads "
                            "outputs of boxes or inputs of the diagram",
                            label="cannot be read here",
                            help="name the box output that feeds it instead"))
            return None
        if name in body.instances or name in body.skipped or name in el.proposal.params:
            return Name(name=name, span=span)
        if name in el.broken:
            return None
        el.report(report("E0106", span, f"unknown name `{name}` in the signal",
                        label="not a parameter, port or instance",
                        help=did_you_mean(name, list(el.proposal.params) + list(body.outer)
                                          + list(body.instances)) or
                        "signals use parameters, box outputs (`rm.score`) and numbers"))
        return None

    def call(self, name: str, args: tuple, span: Span) -> Expr | None:
        el = self.body.el
        signature = SIGNAL_FUNCTIONS.get(name)
        if signature is None:
            el.report(report("E0110", span, f"unknown function `{name}`",
                            help=did_you_mean(name, SIGNAL_FUNCTIONS) or
                            "functions: " + ", ".join(sorted(SIGNAL_FUNCTIONS))))
            return None
        arity, what = signature
        if (arity is not None and len(args) != arity) or (arity is None and not args):
            el.report(report("E0306", span,
                             f"`{name}` takes {arity if arity is not None else 'one or more'} "
                             f"argument{'s' if arity != 1 else ''}, given {len(args)}"))
            return None
        converted = []
        for arg in args:
            value = self._instance(name, arg) if what == "instances" else el.expr(arg, self)
            if value is None:
                return None
            converted.append(value)
        return Call(function=name, args=converted, span=span)

    def _instance(self, function: str, arg: syntax.Node) -> Name | None:
        """An argument of `kl(pi, ref)`: the name of an instance."""
        el, body = self.body.el, self.body
        arg = bare(arg)
        if not (type(arg) is syntax.Ref and len(arg.parts) == 1):
            el.report(report("E0304", arg.span,
                             f"`{function}` compares two instances, e.g. `kl(pi, ref)`"))
            return None
        instance = arg.parts[0].text
        if instance not in body.instances:
            if instance not in body.skipped:
                el.report(report("E0104", arg.span, f"unknown instance `{instance}`",
                                help=did_you_mean(instance, body.instances) or
                                "declare it: `name = Component`"))
            return None
        return Name(name=instance, span=arg.span)


# What belongs to a model's parameters, not to the interface it is used through: a shared copy
# has its model's.
WEIGHTS_ATTRIBUTES = ("learned", "trust", "provenance")


class _Of(NamedTuple):
    """What an instance is of: the box (component or diagram), whether a diagram, the instance
    it snapshots, and the attributes it starts from."""

    of: str
    of_diagram: bool
    snapshot_of: str | None
    base: Attributes
    args: dict | None = None    # a copy's: its model's values of the parameters


class _DiagramBody:
    def __init__(self, el: Diagrams, decl: Declaration, diagram: Diagram):
        self.el = el
        self.node: syntax.DiagramDecl = decl.node
        self.diagram = diagram
        self.mode_names = dict.fromkeys(diagram.modes)
        self.outer = {p.name: p for p in diagram.ports}
        self.instances: dict[str, Instance] = {}
        self.skipped: set[str] = set()  # instances of broken declarations: uses stay silent
        # Each box's ports by name, built once: a scan per wire end is quadratic on wide boxes.
        self.port_index: dict[str, dict[str, Port]] = {}

    def run(self) -> None:
        el, diagram = self.el, self.diagram
        members = self.node.members
        instances = [m for m in members if type(m) is syntax.Instance]
        self._in_order(instances)
        order = {i.name.text: index for index, i in enumerate(instances)}
        self.instances = dict(sorted(self.instances.items(), key=lambda kv: order[kv[0]]))
        wires: list[Wire] = []
        trainings: list[Training] = []
        for node in members:
            kind = type(node)
            if kind in (syntax.Allow, syntax.Assert):
                el.metadata(node, diagram.name)
            elif kind is syntax.Wire:
                wires += self.wire(node)
            elif kind is syntax.Train:
                training = self.training(node)
                if training is not None:
                    trainings.append(training)
        diagram.instances = list(self.instances.values())
        diagram.wires = wires
        diagram.trainings = trainings

    def _in_order(self, instances: list[syntax.Instance]) -> None:
        """Elaborate every instance, each after the instance it copies: a snapshot
        (`ref = frozen pi`) or a shared copy (`d2 = shared d1`) may be written before it, and
        shared copies may chain. A copy's chain is followed depth first (a long chain costs
        its length, once); a chain that comes back is a cycle (E0127)."""
        names = {i.name.text for i in instances}
        copies: dict[str, syntax.Instance] = {}   # by name, the first of that name
        done: set[int] = set()                    # ids of the instances elaborated
        for node in instances:
            if node.shared or node.frozen and node.target.text in names:
                copies.setdefault(node.name.text, node)
            else:
                self.instance(node)
                done.add(id(node))
        for node in instances:
            stack, on_stack = [node], {id(node)}
            while stack and id(stack[-1]) not in done:
                top = stack[-1]
                below = copies.get(top.target.text)
                if below is not None and id(below) in on_stack:
                    cycle = stack[stack.index(below):]
                    self._sharing_cycle(cycle)
                    done.update(map(id, cycle))
                    on_stack.difference_update(map(id, cycle))
                    del stack[-len(cycle):]
                elif below is not None and id(below) not in done:
                    stack.append(below)
                    on_stack.add(id(below))
                else:
                    self.instance(top)
                    done.add(id(top))
                    on_stack.discard(id(stack.pop()))

    def _sharing_cycle(self, cycle: list[syntax.Instance]) -> None:
        """E0127 for copies that copy one another, each `cycle[i + 1]` the target of
        `cycle[i]`, at the one written first. They are skipped: their uses and the copies
        that wait on them stay silent."""
        written = min(cycle, key=lambda n: n.start_pos)
        at = cycle.index(written)
        loop = [n.name.text for n in cycle[at:] + cycle[:at]]
        component = next((n.interface.text for n in cycle if n.interface), "<component>")
        shown = " -> ".join(f"`{n}`" for n in loop[:6] + loop[:1]) if len(loop) <= 6 else \
            " -> ".join(f"`{n}`" for n in loop[:5]) + f" -> ... ({len(loop)} copies) -> `{loop[0]}`"
        self.el.report(report(
            "E0127", written.target.span,
            f"`{loop[0]}` shares its own parameters" if len(loop) == 1 else
            "shared copies go round in a circle: " + shown,
            related=[(n.target.span, f"`{n.name.text}` shares `{n.target.text}`")
                     for n in (cycle[at + 1:] + cycle[:at])[:4]],
            help=("one of them" if len(loop) > 1 else f"`{loop[0]}`")
            + f" must be a model of its own: `{loop[0]} = {component}`"))
        self.skipped.update(loop)

    def _options(self, node) -> tuple[list[str] | None, list[str]]:
        """The modes and notes of an instance, wire or training, in the order written."""
        modes = None
        notes = []
        for option in node.options:
            if type(option) is syntax.When:
                modes = self.el.modes_of(option, self.mode_names)
            else:
                notes.append(option.note.value)
        return modes, notes

    def instance(self, node: syntax.Instance) -> None:
        el = self.el
        name, span = node.name.text, node.name.span
        modes, notes = self._options(node)
        if name in self.instances or name in self.skipped:
            first = self.instances.get(name)
            el.report(report("E0112", span,
                             f"instance `{name}` is declared twice in `{self.diagram.name}`",
                             label="second declaration",
                             related=[(first.span if first else None, "first declared here")],
                             help="give each instance its own name"))
            return
        if name in self.outer:
            el.report(report("E0112", span, f"instance `{name}` has the name of an outer port of "
                            f"`{self.diagram.name}`", label="ambiguous name",
                            related=[(self.outer[name].span, "the port")],
                            help="rename the instance or the port"))
            self.skipped.add(name)
            return
        box = self._box(node)
        if box is None:
            self.skipped.add(name)
            return
        attributes = el.attributes(node.attributes, box.base, kind_required=False)
        args = self._arguments(node, box)
        frozen, snapshot_of = node.frozen, box.snapshot_of
        if node.frozen:
            attributes = attributes.model_copy(update={"learned": False})
        if node.shared:
            model = self.instances[node.target.text]
            attributes = self._weights_attributes(node, attributes, model)
            frozen, snapshot_of = model.frozen, model.snapshot_of
        self.instances[name] = Instance(
            name=name, of=box.of, of_diagram=box.of_diagram, frozen=frozen,
            snapshot_of=snapshot_of, shares=node.target.text if node.shared else None,
            args=args, attributes=attributes, modes=modes, notes=notes, span=span)

    def _box(self, node: syntax.Instance) -> "_Of | None":
        """What an instance is of, or None after a diagnostic."""
        target = node.target.text
        if (node.shared or node.frozen) and target in self.skipped:
            return None     # a copy of a broken instance: that one was reported
        if node.shared:
            return self._shared_box(node)
        if node.frozen and target in self.instances:  # `frozen pi`: a snapshot of an instance
            original = self.instances[target]
            return _Of(original.of, original.of_diagram, target, original.attributes,
                       original.args)
        decl = self.el.lookup(node.file, target, node.target.span, ("component", "diagram"),
                              "component or diagram")
        if decl is None:
            return None
        if decl.form == "diagram":
            box = self.el.proposal.diagrams.get(target)
            return _Of(target, True, None, (box.attributes if box and box.attributes
                                            else Attributes(kind="system")))
        box = self.el.proposal.components.get(target)
        return _Of(target, False, None, box.attributes) if box is not None else None

    def _shared_box(self, node: syntax.Instance) -> "_Of | None":
        """`d2 = shared d1` is of d1's component; `mon = shared pi as Monitor` of Monitor,
        with the parameters of `pi` either way."""
        target = node.target.text
        model = self.instances.get(target)
        if model is None:
            self.el.report(report(
                "E0104", node.target.span, f"`shared {target}`: no instance `{target}` in "
                f"`{self.diagram.name}`", label="not an instance of this diagram",
                help=did_you_mean(target, self.instances) or
                "`shared` names an instance of the same diagram, whose parameters the new box "
                f"uses; a model of its own is `{node.name.text} = {target}`"))
            return None
        if model.of_diagram:
            self.el.report(report(
                "E0126", node.target.span, f"`{target}` is a diagram (`{model.of}`): only a "
                "component's parameters can be shared",
                related=[(model.span, f"`{target}` is declared here")],
                help=f"share the learned boxes inside `{model.of}` there, or use `{model.of}` "
                     "again as a box of its own"))
            return None
        if node.interface is None:
            return _Of(model.of, False, None, model.attributes, model.args)
        decl = self.el.lookup(node.file, node.interface.text, node.interface.span,
                              ("component",), "component")
        box = self.el.proposal.components.get(node.interface.text) if decl else None
        return _Of(box.name, False, None, box.attributes) if box is not None else None

    def _weights_attributes(self, node: syntax.Instance, attributes: Attributes,
                            model: Instance) -> Attributes:
        """A shared copy's attributes: its interface's and its own, except what belongs to
        the parameters (whether they learn, whom they can be trusted by, where they come
        from), which are the model's; E0128 where `with` says otherwise."""
        weights = {k: getattr(model.attributes, k) for k in WEIGHTS_ATTRIBUTES}
        for attr in node.attributes:
            word = attr.name.text
            key = ("learned" if word in ("learned", "frozen") else
                   "trust" if word in TRUST_LEVELS else word)
            if key in weights and getattr(attributes, key) != weights[key]:
                has = {"learned": "learned" if weights["learned"] else "frozen",
                       "trust": weights["trust"],
                       "provenance": f'of provenance "{weights["provenance"]}"'
                       if weights["provenance"] else "of no declared provenance"}[key]
                self.el.report(report(
                    "E0128", attr.span, f"`{attr.text}` on a shared copy of `{model.name}`, "
                    f"which is {has}", label="the parameters' own attribute",
                    related=[(model.span, f"`{model.name}` is declared here")],
                    help=f"a shared copy is what the model it shares is ({has}); remove "
                         f"`{attr.text}`, or set it on `{model.name}`"))
        return attributes.model_copy(update=weights)

    def _arguments(self, node: syntax.Instance, box: "_Of") -> dict[str, Expr]:
        """The values an instance gives its component's parameters: E0129 for a name the
        component has no parameter of, E0130 for a parameter given no value and having no
        default, E0124 for a value outside its parameter's type."""
        el = self.el
        if box.args is not None:         # a snapshot or shared copy: its model's
            if node.arguments:
                el.report(report("E0129", node.arguments[0].span,
                                 f"`{node.name.text}` is a copy of `{node.target.text}`, whose "
                                 "parameter values it has", label="a copy's values are its model's",
                                 help=f"give the values to `{node.target.text}`"))
            return box.args
        owner = el.proposal.box(box.of)
        params = {p.name: p for p in owner.params} if owner is not None else {}
        args: dict[str, Expr] = {}
        misnamed = False     # then a parameter left without a value is most likely that one
        for arg in node.arguments:
            name = arg.name.text
            param = params.get(name)
            misnamed = misnamed or param is None
            if param is None or name in args:
                el.report(report(
                    "E0129", arg.name.span, f"`{box.of}` has no parameter `{name}`" if param is None
                    else f"`{name}` is given twice", label="not a parameter" if param is None
                    else "given twice", help=(did_you_mean(name, params) or "its parameters: "
                                              + (", ".join(params) or "none")) if param is None
                    else "give each parameter once"))
                continue
            value = el.expr(arg.value)
            if value is not None and el.value_fits(name, arg.value, value, param):
                args[name] = value
            elif value is None:
                args[name] = Name(name=name)   # broken: silent from here on
        missing = [p for p in params.values() if p.default is None and p.name not in args
                   and not any(a.name.text == p.name for a in node.arguments)]
        if missing and not misnamed:
            written = f"shared {node.target.text} as " if node.shared else ""
            el.report(report(
                "E0130", (node.interface or node.target).span, f"`{box.of}` needs a value for "
                + ", ".join(f"`{p.name}`" for p in missing), label="parameters without a value",
                related=[(p.span, f"`{p.name} : {p.written}` has no default") for p in missing],
                help=f"write `{node.name.text} = {written}{box.of}("
                     + ", ".join(f"{p.name} = ..." for p in missing) + ")`"))
        return args

    def ports_of(self, instance: Instance) -> list[Port]:
        box = self.el.proposal.box(instance.of)
        return box.ports if box is not None else []

    def excuse(self, what: str) -> None:
        self.el.excused.add((self.diagram.name, what))

    def endpoint(self, endpoint: Endpoint) -> Port | None:
        """The port an endpoint names, or a diagnostic. A wire that fails here leaves a hole the
        checker would report again (an unconnected input, an unused instance): the endpoint the
        user most likely meant is excused instead."""
        if endpoint.instance is None:
            return self._outer_endpoint(endpoint)
        self.excuse(endpoint.instance)
        el = self.el
        instance = self.instances.get(endpoint.instance)
        if instance is None:
            if endpoint.instance in self.skipped:
                return None
            guess = difflib.get_close_matches(endpoint.instance, sorted(self.instances), n=1)
            if guess:
                self.excuse(f"{guess[0]}.{endpoint.port}")
                self.excuse(guess[0])
            el.report(report("E0104", endpoint.span, f"unknown instance `{endpoint.instance}` in "
                            f"`{self.diagram.name}`",
                            help=did_you_mean(endpoint.instance, self.instances) or
                            f"declare it: `{endpoint.instance} = Component`"))
            return None
        return self._inner_endpoint(endpoint, instance)

    def _outer_endpoint(self, endpoint: Endpoint) -> Port | None:
        port = self.outer.get(endpoint.port)
        if port is not None:
            return port
        if endpoint.port in self.instances:
            ports = [p.name for p in self.ports_of(self.instances[endpoint.port])]
            self.el.report(report("E0105", endpoint.span,
                                  f"`{endpoint.port}` is an instance, not a port",
                                  label="name a port of it",
                                  help=f"write `{endpoint.port}.<port>`; its ports: " + ", ".join(ports)))
            return None
        if endpoint.port in self.skipped:
            return None
        self.el.report(report("E0105", endpoint.span,
                              f"`{self.diagram.name}` has no outer port `{endpoint.port}`",
                              label="not a port of the diagram",
                              help=did_you_mean(endpoint.port, list(self.outer) + list(self.instances))
                              or "ports: " + (", ".join(self.outer) or "none")))
        return None

    def _inner_endpoint(self, endpoint: Endpoint, instance: Instance) -> Port | None:
        ports = self.ports_of(instance)
        index = self.port_index.get(instance.of)
        if index is None:
            # The first of two same-named ports, as a scan would find (E0112 reports the second).
            index = self.port_index[instance.of] = {}
            for p in ports:
                index.setdefault(p.name, p)
        port = index.get(endpoint.port)
        if (instance.of, endpoint.port) in self.el.ambiguous_ports:
            self.excuse(f"{instance.name}.*")
            return None  # E0112 already reported the duplicate; which one is meant is unknown
        if port is None:
            box = self.el.proposal.box(instance.of)
            guess = difflib.get_close_matches(endpoint.port, sorted(p.name for p in ports), n=1)
            if guess:
                self.excuse(f"{instance.name}.{guess[0]}")
            self.el.report(report("E0105", endpoint.span,
                                  f"`{instance.of}` has no port `{endpoint.port}`",
                                  instance=endpoint.instance,
                                  related=[(box.span if box else None, f"`{instance.of}` is declared here")],
                                  help=did_you_mean(endpoint.port, [p.name for p in ports]) or
                                  "its ports: " + (", ".join(f"{p.direction} {p.name}" for p in ports)
                                  or "none")))
        return port

    def _is_source(self, endpoint: Endpoint, port: Port) -> bool:
        # Inner outputs and outer inputs produce values inside the diagram.
        return (port.direction == "out") == (endpoint.instance is not None)

    def wire(self, node: syntax.Wire) -> list[Wire]:
        modes, notes = self._options(node)
        source = _endpoint(node.source)
        source_port = self.endpoint(source)
        if source_port is not None and not self._is_source(source, source_port):
            where = "an input of a box" if source.instance else "an output of the diagram"
            self.el.report(report("E0201", source.span,
                                  f"`{source}` is {where}; a wire starts at an output of a box "
                                  "or an input of the diagram",
                                  related=[(source_port.span, f"`{source.port}` is declared here")],
                                  help="swap the ends: wires run from producer to consumer"))
            source_port = None
        wires = []
        for target in map(_endpoint, node.targets):
            if not self._reaches(target):
                continue
            if source_port is None:
                self.excuse(str(target))
                continue
            span = Span(file=source.span.file, line=source.span.line, column=source.span.column,
                        end_line=target.span.end_line, end_column=target.span.end_column)
            wires.append(Wire(source=source, target=target, delayed=node.delayed, modes=modes,
                              notes=notes, span=span))
        return wires

    def _reaches(self, target: Endpoint) -> bool:
        """Whether a wire may end at `target`; if not, a diagnostic (unless already given)."""
        target_port = self.endpoint(target)
        if target_port is None:
            return False
        if not self._is_source(target, target_port):
            return True
        if target.instance is not None:
            self.excuse(f"{target.instance}.*")
        where = "an output of a box" if target.instance else "an input of the diagram"
        self.el.report(report("E0202", target.span,
                              f"`{target}` is {where}; a wire ends at an input of a "
                              "box or an output of the diagram",
                              related=[(target_port.span, f"`{target.port}` is declared here")]))
        return False

    def training(self, node: syntax.Train) -> Training | None:
        el = self.el
        target = node.target.text
        modes, notes = self._options(node)
        ok = target in self.instances
        if not ok and target not in self.skipped:
            el.report(report("E0104", node.target.span,
                             f"unknown instance `{target}` in `{self.diagram.name}`",
                             help=did_you_mean(target, self.instances) or
                             "training targets are instances of learned components"))
        optimiser = self.optimiser(node.optimiser)
        signal = el.expr(node.signal, _Scope(self))
        if not ok or optimiser is None or signal is None:
            return None
        name, family, argument = optimiser
        objective = "maximise" if node.objective.startswith("max") else "minimise"
        return Training(target=target, optimiser=name, family=family, argument=argument,
                        objective=objective, signal=signal, modes=modes, notes=notes,
                        span=node.span)

    def optimiser(self, node: syntax.Node):
        """`ppo` or `best_of(n)`: (name, family, argument), or None after a diagnostic."""
        el = self.el
        node = bare(node)
        span = node.span
        kind = type(node)
        if kind is syntax.Ref and len(node.parts) == 1:
            name, args = node.parts[0].text, ()
        elif kind is syntax.Call and len(node.function.parts) == 1:
            name, args = node.function.parts[0].text, node.args
        else:
            el.report(report("E0107", span, f"expected an optimiser, found `{node.text}`",
                             label="not an optimiser", help="write e.g. `by ppo` or `by best_of(n)`"))
            return None
        if el.lookup(node.file, name, span, ("optimiser",), "optimiser") is None:
            return None
        decl = el.proposal.optimisers.get(name)
        if decl is None:
            return None
        return self._optimiser_argument(name, decl.family, args, span)

    def _optimiser_argument(self, name: str, family: str, args: tuple, span: Span):
        el = self.el
        if len(args) > 1:
            el.report(report("E0305", span, f"`{name}` takes at most one argument",
                            label=f"{len(args)} given"))
            return None
        argument = el.expr(args[0]) if args else None
        if args and argument is None:
            return None
        if argument is None and family in ARGUMENT_NEEDED:
            el.report(report("E0305", span, f"`{name}` needs {ARGUMENT_NEEDED[family]}",
                            help=f"write `{name}(n)`"))
            return None
        if argument is not None and family not in CHOOSING:
            el.report(report("E0305", span, f"`{name}` ({family}) takes no argument",
                            label="unexpected argument",
                            help="the strength of gradient and RL pressure is not a number of "
                            "samples; remove the argument"))
            return None
        return name, family, argument


def _endpoint(node: syntax.Endpoint) -> Endpoint:
    instance = node.instance.text if node.instance is not None else None
    return Endpoint(instance=instance, port=node.port.text, span=node.span)
