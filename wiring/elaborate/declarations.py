"""Declarations other than types: kinds, optimisers, parameters, and the interfaces of components
and diagrams (attributes and ports)."""

from __future__ import annotations

from .. import syntax
from ..diagnostics import Span, report
from ..model import (MERGE_OPERATORS, OPTIMISER_FAMILIES, PHASES, TRUST_LEVELS, Attributes,
                     Component, Diagram, Expr, KindDecl, ModeDecl, Name, Num, NumType,
                     OptimiserDecl, Param, Port, UnknownType)
from ..names import did_you_mean
from ..structure import kind_chain, phase_word
from ..syntax import bare
from ..types import Decider, port_indices, show_expr, show_interval, value_in
from .values import Values

FLAGS = ("learned", "frozen", "stateful", "instantaneous", "heldout") + TRUST_LEVELS
VALUED_ATTRIBUTES = ("provenance", "coverage", "miss", "cost", "budget")


def _attribute_group(name: str) -> str:
    """Attributes that exclude each other share a group: `trusted` and `untrusted`, ..."""
    if name in TRUST_LEVELS:
        return "trust"
    if name in ("learned", "frozen"):
        return "learned"
    if name in ("stateful", "instantaneous"):
        return "stateful"
    return name


class Declarations(Values):
    def kinds(self) -> None:
        for decl in self.of_form("kind"):
            node = decl.node
            parent = None
            if node.parent is not None and self.lookup(decl.file, node.parent.text,
                                                       node.parent.span, ("kind",), "kind"):
                parent = node.parent.text
            doc = node.doc.value if node.doc is not None else ""
            self.proposal.kinds[decl.name] = KindDecl(name=decl.name, parent=parent, doc=doc,
                                                      span=decl.span)
        for kind in self.proposal.kinds.values():  # a parent chain must end
            chain = kind_chain(self.proposal.kinds, kind.name)
            last = self.proposal.kinds.get(chain[-1])
            if last is not None and last.parent == kind.name:
                self.report(report("E0116", kind.span, f"kind `{kind.name}` is its own ancestor: "
                                  + " : ".join(chain + (kind.name,)),
                                  label="cyclic kind", help="a kind's parent chain must end"))
                kind.parent = None

    def optimisers(self) -> None:
        for decl in self.of_form("optimiser"):
            node = decl.node
            family = node.family.text
            if family not in OPTIMISER_FAMILIES:
                self.report(report("E0108", node.family.span,
                                   f"unknown optimiser family `{family}`", label="not a family",
                                   help=(did_you_mean(family, OPTIMISER_FAMILIES) or "")
                                   + " families: " + ", ".join(OPTIMISER_FAMILIES)))
                continue
            doc = node.doc.value if node.doc is not None else ""
            self.proposal.optimisers[decl.name] = OptimiserDecl(name=decl.name, family=family,
                                                                doc=doc, span=decl.span)

    def params(self) -> None:
        for decl in self.of_form("param"):
            node = decl.node
            # Parameters may bound each other (`param m : Nat <= n`); the decider reads
            # self.proposal.params live, so earlier ones are known to later ones.
            param_type = self.type_of(node.type)
            if isinstance(param_type, UnknownType):
                self.broken.add(decl.name)
                continue
            if not isinstance(param_type, NumType):
                self.report(report("E0118", node.type.span, "a parameter must be a number",
                                   help="write e.g. `param n : Nat >= 1` or `param beta : Real >= 0`"))
                continue
            default = self.expr(node.default) if node.default is not None else None
            if default is not None and self._default_cycle(decl.name, default):
                self.report(report("E0116", bare(node.default).span,
                                   f"the value of `{decl.name}` depends on itself",
                                   label="cyclic value", help="give one of the parameters a number"))
                default = None
            if default is not None and not self._value_fits(decl.name, node, default, param_type):
                default = None   # unknown from here on: its uses stay silent
            self.proposal.params[decl.name] = Param(
                name=decl.name, type=param_type, written=node.type.text, default=default,
                span=decl.span)

    def _value_fits(self, name: str, node, value: Expr, param_type: NumType) -> bool:
        """Whether a parameter's value is a value of its type; E0124 where it is not."""
        return self._fits(name, bare(node.default).span, value, param_type,
                          node.type.text, node.type.span)

    def value_fits(self, name: str, written, value: Expr, param: Param) -> bool:
        """Whether the value an instance gives a component's parameter fits its type: proved,
        as a wire's type is (E0206 when it cannot be)."""
        return self._fits(name, bare(written).span, value, param.type, param.written,
                          param.span, proved=True)

    def _fits(self, name: str, span, value: Expr, param_type: NumType, written: str,
              declared, proved: bool = False) -> bool:
        # inside a parametrised component or diagram, under its parameters' types too
        decide = Decider({**self.proposal.params, **self.local_params}) if self.local_params \
            else self.decider()
        mismatch = value_in(value, param_type, decide)
        if mismatch is None or (mismatch.code == "E0206" and not proved):
            return True   # inside, or written in parameters whose bounds cannot decide it
        if mismatch.code == "E0206":
            self.report(report("E0206", span, f"cannot prove that `{name}` = "
                               f"{show_expr(value)} is a `{written}`",
                               label=f"not proved within {show_interval(param_type)}",
                               related=[(declared, f"`{name}` is declared `{written}`")],
                               help="state the bounds of the parameters the value uses (`param "
                                    "n : Nat >= 1`), or give a value that is one"))
            return False
        integer = "integer" in mismatch.reason
        self.report(report("E0124", span,
                           f"`{name}` is {show_expr(value)}, outside its type `{written}`",
                           label=mismatch.reason if integer else None,
                           help="give an integer value, or declare it `Real`" if integer else None,
                           related=[(declared, f"`{name}` is declared `{written}`")],
                           interval=show_interval(param_type)))
        return False

    def _default_cycle(self, name: str, default: Expr) -> bool:
        """Whether a parameter's value refers back to it through other parameters' values."""
        from ..types import names_in

        seen, stack = set(), [default]
        while stack:
            for ref in names_in(stack.pop()):
                if not isinstance(ref, Name) or ref.name in seen:
                    continue
                if ref.name == name:
                    return True
                seen.add(ref.name)
                # Parameters are elaborated in order: the later one of a cycle sees it.
                other = self.proposal.params.get(ref.name)
                if other is not None and other.default is not None:
                    stack.append(other.default)
        return False

    def types(self) -> None:
        for form in ("type", "record", "enum"):
            for decl in self.of_form(form):
                if self.type_decl(decl) is None:
                    self.broken.add(decl.name)

    # ------------------------------------------------------------------------- attributes
    def attributes(self, attrs: tuple, base: Attributes | None, kind_required: bool,
                   owner: str | None = None) -> Attributes | None:
        """`: policy, learned, untrusted, provenance = "gpt-4"` on top of `base`; with
        `kind_required` the first attribute is the box's kind; `owner` is the component they
        are declared on, if any. Their values are the analyses' numbers: the parameters of
        the enclosing box (`local_params`) are for types, and are hidden from them."""
        local, self.local_params = self.local_params, {}
        self.hidden_params = dict.fromkeys(local, self.local_owner)
        try:
            return self._attributes(attrs, base, kind_required, owner)
        finally:
            self.local_params, self.hidden_params = local, {}

    def _attributes(self, attrs: tuple, base: Attributes | None, kind_required: bool,
                    owner: str | None) -> Attributes | None:
        values = base.model_dump() if base else {"kind": "system"}
        values["extra"] = dict(values.get("extra", {}))
        nodes = list(attrs)
        seen: dict[str, Span] = {}
        if kind_required:
            if not nodes or not self._kind_attribute(nodes[0], values, nodes[1:]):
                return None
            seen[nodes.pop(0).name.text] = attrs[0].span
        kinds: list[str] = []     # kinds named after the first attribute, in order
        for node in nodes:
            name, span = node.name.text, node.span
            group = _attribute_group(name)
            if group in seen:
                twice = group == name      # the same word again, not a contrary one
                self.report(report("E0114", span, f"`{name}` is given twice" if twice else
                                   f"`{name}` conflicts with an earlier attribute",
                                   label="given twice" if twice else None,
                                   related=[(seen[group], "the earlier attribute")]))
                continue
            seen[group] = span
            if node.value is None and name in self.proposal.kinds and name not in FLAGS:
                kinds.append(name)
            elif node.value is None:
                self._flag(node, values, owner=owner)
            else:
                self._valued(node, values)
        if kind_required:          # a component's further kinds
            values["also"] = kinds
        elif kinds:                # an instance's kinds replace its component's
            values["kind"], values["also"] = kinds[0], kinds[1:]
        return Attributes(**values)

    def _kind_attribute(self, first: syntax.Attr, values: dict, rest: list) -> bool:
        kind = first.name.text
        if first.value is not None or (kind in FLAGS and kind not in self.proposal.kinds):
            later = [node.name.text for node in rest
                     if node.value is None and node.name.text in self.proposal.kinds]
            example = f"`: {later[0]}, {kind}`" if later and first.value is None else \
                "`component Name : kind, attribute, ...`"
            self.report(report("E0102", first.span, "the first attribute names the kind",
                               label="an attribute, not a kind" if first.value is None
                               else "a kind is a single name",
                               help=f"the kind comes first, then the attributes: {example}"))
            return False
        if self.lookup(first.file, kind, first.name.span, ("kind",), "kind") is None:
            return False
        values["kind"] = kind
        # People and the world are not models: unless told otherwise, a box of a human
        # kind has human trust and an environment kind environment trust.
        lineage = kind_chain(self.proposal.kinds, kind)
        if "human" in lineage:
            values["trust"] = "human"
        elif "environment" in lineage:
            values["trust"] = "environment"
        return True

    def _flag(self, node: syntax.Attr, values: dict, owner: str | None) -> None:
        name = node.name.text
        if name in TRUST_LEVELS:
            values["trust"] = name
        elif name in ("learned", "frozen"):
            values["learned"] = name == "learned"
        elif name in ("stateful", "instantaneous"):
            values["stateful"] = name == "stateful"
        elif name == "heldout":
            values["heldout"] = True
        else:
            hint = did_you_mean(name, FLAGS + VALUED_ATTRIBUTES + tuple(self.proposal.kinds))
            if name in VALUED_ATTRIBUTES:
                hint = f"`{name}` needs a value: `{name} = ...`"
            self.report(report("E0108", node.span, f"unknown attribute `{name}`",
                              help=hint or "attributes: " + ", ".join(FLAGS)
                              + "; or a further kind (`: policy, critic`)"))
            # A misspelt flag may be `learned`: the checks that read the flags of this
            # declaration (E0301 on its training) would only repeat this mistake.
            if owner is not None:
                self.excused.add(("component", owner))

    def _valued(self, node: syntax.Attr, values: dict) -> None:
        name, span, value_node = node.name.text, node.span, node.value
        if name not in VALUED_ATTRIBUTES:
            self.report(report("E0108", span, f"`{name}` does not take a value",
                              label="unexpected value",
                              help=did_you_mean(name, VALUED_ATTRIBUTES) or
                              "attributes with values: " + ", ".join(VALUED_ATTRIBUTES)))
        elif name == "provenance":
            values["provenance"] = (value_node.value if type(value_node) is syntax.String
                                    else bare(value_node).text)
        elif type(value_node) is syntax.String:
            self.report(report("E0108", span, f"`{name}` is a number, not a string",
                              label="a string", help=f"write `{name} = 0.02` or name a "
                              "parameter"))
        else:
            value = self.expr(value_node)
            if value is not None:
                self._check_attribute_range(name, value, span)
                values["extra"][name] = value

    def _check_attribute_range(self, name: str, value: Expr, span: Span) -> None:
        """Probabilities are in [0, 1]; costs and budgets are not negative."""
        from ..types import evaluate

        low, high = (0, 1) if name in ("coverage", "miss") else (0, None)
        number = evaluate(value, self.proposal.params)
        if number is None and isinstance(value, Name) and value.name in self.proposal.params:
            bounds = self.proposal.params[value.name].type
            fits = self.decider().le(Num(value=str(low)), bounds.lower, a_is_lower=True,
                                     b_is_lower=True) and (high is None or self.decider().le(
                                         bounds.upper, Num(value=str(high)), a_is_lower=False,
                                         b_is_lower=False))
            if not fits:
                self.report(report("E0123", span, f"`{name} = {value.name}`: the parameter's type "
                                  f"`{self.proposal.params[value.name].written}` allows values "
                                  f"outside {'[0, 1]' if high else '[0, inf)'}",
                                  help=f"declare `param {value.name} : "
                                  f"{'Prob' if high else 'Real >= 0'}`"))
            return
        if number is not None and (number < low or (high is not None and number > high)):
            self.report(report("E0123", span, f"`{name}` is {float(number):g}, outside "
                              f"{'[0, 1]' if high else '[0, inf)'}",
                              help="coverage and miss are probabilities; cost and budget are "
                              "not negative"))

    # ------------------------------------------------------------------------------ ports
    def port(self, node: syntax.Port, modes_allowed: dict[str, None] | None) -> list[Port]:
        """One `in a, b : T ...` line; `modes_allowed` is None in a component (any names)."""
        direction, names = node.direction, node.names
        if node.type is not None:
            port_type, written = self.type_of(node.type), node.type.text
        else:
            # A diagram's outer port may leave its type to inference from its wires; a
            # component has no wires inside to infer from.
            port_type, written = UnknownType(), ""
            if modes_allowed is None:
                self.report(report("E0119", names[0].span, f"port `{names[0].text}` needs a type",
                                  direction=direction, port=names[0].text))
        default, merge, modes, notes = self._port_options(node, modes_allowed)
        inferred = node.type is None and modes_allowed is not None
        return [Port(name=name.text, direction=direction, type=port_type, written=written,
                     inferred=inferred, default=default, merge=merge, modes=modes, notes=notes,
                     span=name.span) for name in names]

    def _port_options(self, node: syntax.Port, modes_allowed: dict[str, None] | None):
        default = merge = modes = None
        notes = []
        out = node.direction == "out"
        for option in node.options:
            kind = type(option)
            if kind is syntax.Default:
                default = self.expr(option.value)
                if out:
                    self.report(report("E0214", option.span, "only inputs can have defaults",
                                      help="remove the default or make the port an input"))
                    default = None
            elif kind is syntax.Merge:
                merge = option.operator.text
                if merge not in MERGE_OPERATORS:
                    self.report(report("E0213", option.operator.span,
                                       f"unknown merge operator `{merge}`",
                                       label="not a merge operator",
                                       help=(did_you_mean(merge, MERGE_OPERATORS) or "") +
                                       " operators: " + ", ".join(MERGE_OPERATORS)))
                    merge = None
                elif out:
                    self.report(report("E0213", option.span, "only inputs can merge",
                                      label="output merge",
                                      help="outputs may feed any number of targets already"))
                    merge = None
            elif kind is syntax.When:
                modes = self.modes_of(option, modes_allowed)
            else:
                notes.append(option.note.value)
        return default, merge, modes, notes

    def modes_of(self, when: syntax.When, allowed: dict[str, None] | None) -> list[str] | None:
        """The modes of a `when` clause, of the diagram's modes `allowed` (in order; a dict, so
        that a diagram of 5,000 modes does not scan them for each clause). After an unknown
        mode the clause counts as absent, so the typo is reported once rather than as a wire
        missing from every mode."""
        modes: list[str] = []
        for ident in when.modes:
            name = ident.text
            if allowed is not None and name not in allowed:
                if not allowed:
                    self.report(report("E0109", ident.span,
                                       f"`when {name}` in a diagram that declares no modes",
                                       label="no modes declared",
                                       help="declare the diagram's modes first: `modes train, deploy`"))
                else:
                    self.report(report("E0109", ident.span, f"unknown mode `{name}`",
                                      help=did_you_mean(name, allowed) or
                                      "modes declared: " + ", ".join(allowed)))
                return None
            if name not in modes:
                modes.append(name)
        return modes

    def ports(self, members: tuple, owner: str, modes: list[str] | None) -> list[Port]:
        ports: list[Port] = []
        seen: dict[str, Port] = {}  # by name: a linear scan per port is quadratic on wide boxes
        # The box's ports, which another port's type may be indexed by (`out a : Answer[q]`;
        # `in a : Answer[q]` with q an output, as a user's answer to the question it asked).
        self.local_ports = {n.text for node in members if type(node) is syntax.Port
                            and node.type is not None for n in node.names}
        try:
            self._each_port(members, owner, None if modes is None else dict.fromkeys(modes),
                            ports, seen)
        finally:
            self.local_ports = set()
        self._check_indices(ports, owner)
        return ports

    def _check_indices(self, ports: list[Port], owner: str) -> None:
        """E0132 where a port's type is indexed by an input whose own type is indexed by a
        port: a dependency is one step, from an independent input."""
        by_name = {p.name: p for p in ports}
        for port in ports:
            for index in port_indices(port.type):
                named = by_name.get(index.port)
                if named is port or (named is not None and port_indices(named.type)):
                    self.report(report(
                        "E0132", index.span or port.span, f"`{port.name}` is indexed by "
                        f"`{index.port}`, " + ("itself" if named is port else
                                               "whose own type depends on a port"),
                        label="not an independent input",
                        related=[(named.span, f"`{index.port}` is declared here")],
                        help="index a port's type by an input whose type is not indexed "
                             f"by a port of `{owner}`"))
                    port.type = UnknownType()
                    break

    def _each_port(self, members: tuple, owner: str, modes, ports: list, seen: dict) -> None:
        for node in members:
            if type(node) is not syntax.Port:
                continue
            for port in self.port(node, modes):
                clash = seen.get(port.name)
                if clash is not None:
                    self.ambiguous_ports.add((owner, port.name))
                    self.report(report("E0112", port.span,
                                       f"`{owner}` has two ports named `{port.name}`",
                                       label="second port",
                                       related=[(clash.span, "first declared here")],
                                       help="port names are unique across inputs and outputs"))
                    continue
                seen[port.name] = port
                ports.append(port)

    # ------------------------------------------------------------------------------ boxes
    def components(self) -> None:
        for decl in self.of_form("component"):
            node = decl.node
            params = self.component_params(node.parameters, decl.name)
            attributes = self.attributes(node.attributes, None, kind_required=True,
                                         owner=decl.name)
            ports = self.ports(node.members, decl.name, None)
            self.local_params = {}
            notes = _notes(node.members)
            if attributes is None:
                self.broken.add(decl.name)
                continue
            self.proposal.components[decl.name] = Component(
                name=decl.name, params=params, attributes=attributes, ports=ports, notes=notes,
                span=decl.span)

    def component_params(self, nodes: tuple, owner: str) -> list[Param]:
        """`component Debater(rounds : Nat >= 1, turns : Nat = 2 * rounds)`: each a number,
        known from there on to the others and to the port types (`local_params`)."""
        params: list[Param] = []
        self.local_params, self.local_owner = {}, owner
        for node in nodes:
            name = node.name.text
            if name in self.local_params:
                self.report(report("E0112", node.name.span,
                                   f"`{owner}` has two parameters named `{name}`",
                                   related=[(self.local_params[name].span, "first declared here")],
                                   help="give each parameter its own name"))
                continue
            param_type = self.type_of(node.type)
            if not isinstance(param_type, NumType):
                if not isinstance(param_type, UnknownType):
                    self.report(report("E0118", node.type.span, "a parameter must be a number",
                                       help="write e.g. `rounds : Nat >= 1`"))
                param_type = NumType(base="Real")   # unknown: its uses stay silent
            default = self.expr(node.default) if node.default is not None else None
            if default is not None and not self._value_fits(name, node, default, param_type):
                default = None
            param = Param(name=name, type=param_type, written=node.type.text, default=default,
                          span=node.span)
            self.local_params[name] = param
            params.append(param)
        return params

    def diagram_headers(self) -> None:
        """Interfaces first: instances may refer to any diagram, in any order."""
        for decl in self.of_form("diagram"):
            node = decl.node
            refines = node.refines.text if node.refines is not None else None
            if refines is not None and self.lookup(decl.file, refines, node.refines.span,
                                                   ("component", "diagram"),
                                                   "component or diagram") is None:
                refines = None
            params = self.component_params(node.parameters, decl.name)
            attributes = None
            if node.attributes is not None:
                attributes = self.attributes(node.attributes, None, kind_required=True)
            phases = self.modes(decl.name, node.members)
            modes = list(phases)
            ports = self.ports(node.members, decl.name, modes)
            self.local_params = {}
            self.proposal.diagrams[decl.name] = Diagram(
                name=decl.name, params=params, refines=refines, attributes=attributes,
                modes=modes, phases=phases, ports=ports, notes=_notes(node.members),
                span=decl.span)

    def modes(self, diagram: str, members: tuple) -> dict[str, ModeDecl]:
        """A diagram's modes, in order, each with the phase it declares."""
        modes: dict[str, ModeDecl] = {}
        for member in members:
            if type(member) is not syntax.Modes:
                continue
            for ident, written in zip(member.names, member.phases):
                if ident.text in modes:
                    self.report(report("E0112", ident.span,
                                       f"mode `{ident.text}` is declared twice"))
                    continue
                span = ident.span if written is None else ident.span.model_copy(update={
                    "end_line": written.span.end_line, "end_column": written.span.end_column})
                phase = self._phase(written)
                if written is not None and phase is None:
                    # Its phase is reported as unknown (E0125): the checker is not to say
                    # again that the mode declares none (W0202).
                    self.excused.add((diagram, f"mode {ident.text}"))
                modes[ident.text] = ModeDecl(phase=phase, span=span)
        return modes

    def _phase(self, ident: syntax.Ident | None) -> str | None:
        """The phase written; after a typo, the phase it is closest to, if one is (the typo is
        reported here, E0125, and the mode excused from W0202 in `modes`)."""
        if ident is None or ident.text in PHASES:
            return ident and ident.text
        # `eval` and `deploy` are the phases' short forms: a prefix counts as close, as does
        # the phase a mode named so would be assumed to have (`serve`, `rlhf`).
        prefixed = [p for p in PHASES if p.startswith(ident.text.lower())]
        named = [phase for phase, word in [phase_word(ident.text)] if word is not None]
        close = prefixed or named or [p for p in PHASES
                                      if f"`{p}`" in did_you_mean(ident.text, PHASES)]
        self.report(report("E0125", ident.span, f"unknown phase `{ident.text}`",
                           hint=f"did you mean `{close[0]}`? " if close else ""))
        return close[0] if close else None


def _notes(members: tuple) -> list[str]:
    return [member.note.value for member in members if type(member) is syntax.Note]
