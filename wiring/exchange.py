"""A model read back from JSON (`wiring.load_json`), checked like a model from text.

An exported document carries the proposal's own declarations and the built-ins they use (see
`model.carried`); the others are restored here from the installed prelude and standard library.
The document is then checked with the same rules and codes as a .wd file: first that every name
it uses resolves (what the elaborator does for text, `_Resolver`), then the wiring rules
(`check`). Each diagnostic locates its place by a JSON pointer (`Span.pointer`), since an edited
document's spans may point anywhere: a copied wire keeps the span of the wire it was copied from.
"""

from __future__ import annotations

import json
from fractions import Fraction
from functools import lru_cache
from typing import Iterable

from pydantic import BaseModel, ValidationError

from .check import check
from .diagnostics import Diagnostic, Span, has_errors, report, sort_key, unique
from .elaborate import elaborate
from .elaborate.base import bad_acknowledgement
from .names import did_you_mean
from .model import (DECLARATIONS, LIBRARY_PREFIX, PRELUDE_FILE, SCHEMA_VERSION, Attributes,
                    Diagram, Endpoint, EnumType, Name, Num, OpaqueType, PortRef, Proposal,
                    RecordType, Training)
from .references import unresolved
from .sources import load_program
from .types import names_in, port_indices

_CODED = "E0"   # a validator's error whose type is a code: the code a .wd file gets


def read_json(text: str | bytes, path: str) -> tuple[Proposal | None, list[Diagnostic]]:
    """The checked model of a JSON document (None when it has errors) and its diagnostics."""
    data, problem = _parse(text, path)
    if problem is None:
        problem = _version_problem(data, path)
    if problem is not None:
        return None, [problem]
    try:
        exported = Proposal.model_validate(data)
    except ValidationError as exc:
        return None, sorted(unique(_schema_problem(e, data, path) for e in exc.errors()),
                            key=sort_key)
    full = restore(exported)
    pointed = _point_declarations(full, exported, path)
    diagnostics = _Resolver(pointed, exported).run()
    if not has_errors(diagnostics):
        # As elaboration does once the diagrams are whole: the boxes that acknowledgements and
        # assertions name. Which diagrams are top ones is read from the document's own spans
        # (`structure.top_diagrams`); the problems are located at the pointed allows.
        spoken = full.model_copy(update={f: getattr(pointed, f) for f in ("allows", "assertions")})
        diagnostics += unresolved(spoken) + check(pointed).diagnostics
    diagnostics = sorted(unique(diagnostics), key=sort_key)
    if has_errors(diagnostics):
        return None, diagnostics
    # The same checks on the document's own spans give the model to return (equal to the
    # model checked from text when the document is an unedited export).
    return check(full).proposal, diagnostics


def _parse(text: str | bytes, path: str):
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, report("E0008", Span(file=path, line=1, column=1, end_line=1,
                                              end_column=1),
                                f"the document is not UTF-8 text (byte {exc.start})")
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        span = Span(file=path, line=exc.lineno, column=exc.colno, end_line=exc.lineno,
                    end_column=exc.colno + 1)
        return None, report("E0008", span, f"not JSON: {exc.msg}")
    except RecursionError:
        return None, report("E0008", Span.at_pointer(path, ""), "the JSON is nested too deeply")


def _version_problem(data, path: str) -> Diagnostic | None:
    """E0009 for a document of another schema version: the rest of it has that version's
    shape, so nothing else is reported."""
    version = data.get("schema_version") if isinstance(data, dict) else None
    if type(version) is not int or version == SCHEMA_VERSION:
        return None   # absent (the current version) or mistyped (the schema reports it)
    return report("E0009", Span.at_pointer(path, "/schema_version"),
                  f"schema version {version} is not one this wiring reads (it reads version "
                  f"{SCHEMA_VERSION})", label="unknown schema version",
                  help="export the model again with this wiring: `wiring export FILE.wd`")


def escape(key) -> str:
    """One reference token of a JSON pointer (RFC 6901)."""
    return str(key).replace("~", "~0").replace("/", "~1")


def _schema_problem(error: dict, data, path: str) -> Diagnostic:
    """A pydantic error as a diagnostic at the JSON pointer of its place. Pydantic's location
    also names union members (`opaque`, `function-after[...]`) that are not keys of the
    document: only the parts that lead into the document make the pointer."""
    here, tokens, loc = data, [], list(error["loc"])
    for index, part in enumerate(loc):
        if isinstance(here, dict) and str(part) in here:
            here = here[str(part)]
        elif isinstance(here, list) and isinstance(part, int) and 0 <= part < len(here):
            here = here[part]
        elif error["type"] == "missing" and index == len(loc) - 1:
            break
        else:
            continue
        tokens.append(escape(part))
    pointer = "".join("/" + t for t in tokens)
    code = error["type"] if error["type"].startswith(_CODED) else "E0009"
    message = error["msg"]
    if error["type"] == "missing":
        message = f"missing field `{loc[-1]}`"
    elif error["type"] == "extra_forbidden":
        message = f"`{loc[-1]}` is not a field here"
    elif code == "E0009":
        message = f"{message[0].lower()}{message[1:]}"
    return report(code, Span.at_pointer(path, pointer), message)


# ------------------------------------------------------------------------------ the built-ins

@lru_cache(maxsize=16)
def _library(modules: tuple[str, ...]) -> Proposal:
    """The prelude and the standard-library modules `modules`, checked as text is."""
    program = load_program("<library>", "".join(f'import "{m}"\n' for m in modules))
    return check(elaborate(program).proposal).proposal


def restore(exported: Proposal) -> Proposal:
    """The exported model with the built-ins it references by name, in the order elaboration
    gives them (the prelude, then the imports in dependency order, then the proposal)."""
    library = _library(tuple(m for m in exported.imports if m.startswith(LIBRARY_PREFIX)))
    files = [PRELUDE_FILE, *exported.imports, exported.file]
    rank = {name: i for i, name in enumerate(files)}
    update = {}
    for field in DECLARATIONS:
        own, builtin = getattr(exported, field), getattr(library, field)
        # A name keeps the place of its first declaration (a built-in declared again stays
        # where the prelude put it).
        items = [(name, own.get(name) or decl.model_copy(deep=True), decl.span)
                 for name, decl in builtin.items()]
        items += [(name, decl, decl.span) for name, decl in own.items() if name not in builtin]
        items.sort(key=lambda item: rank.get(item[2].file if item[2] else "", len(files)))
        update[field] = {name: decl for name, decl, _ in items}
    return exported.model_copy(update=update)


# ------------------------------------------------------------------------------ JSON pointers

def _pointed(value, file: str, pointer: str):
    """`value` with every span replaced by the JSON pointer of its object."""
    if isinstance(value, BaseModel):
        update = {}
        for key, item in value.__dict__.items():
            if key != "span":
                update[key] = _pointed(item, file, f"{pointer}/{escape(key)}")
        if "span" in type(value).model_fields:
            update["span"] = Span.at_pointer(file, pointer)
        return value.model_copy(update=update)
    if isinstance(value, list):
        return [_pointed(item, file, f"{pointer}/{i}") for i, item in enumerate(value)]
    if isinstance(value, dict):
        return {k: _pointed(item, file, f"{pointer}/{escape(k)}") for k, item in value.items()}
    return value


def _point_declarations(full: Proposal, exported: Proposal, file: str) -> Proposal:
    """The restored model, with the document's own parts located by JSON pointers; restored
    built-ins keep their spans in the library's files."""
    update = {}
    for field in DECLARATIONS:
        own = getattr(exported, field)
        update[field] = {name: _pointed(decl, file, f"/{field}/{escape(name)}") if name in own
                         else decl for name, decl in getattr(full, field).items()}
    for field in ("allows", "assertions"):
        update[field] = _pointed(getattr(full, field), file, f"/{field}")
    return full.model_copy(update=update)


def _at(span: Span | None, *tokens) -> Span | None:
    if span is None or span.pointer is None:
        return span
    return Span.at_pointer(span.file, span.pointer + "".join(f"/{escape(t)}" for t in tokens))


# ------------------------------------------------------------------------------ resolution

def _number(text: str) -> bool:
    """Whether a numeric literal is one the checker can read (exactly, as a fraction)."""
    try:
        Fraction(text)
    except (ValueError, ZeroDivisionError):
        return False
    return True


def _unknown(what: str, name: str, among: Iterable[str]) -> dict[str, str]:
    """The message and help of a diagnostic for an unknown name, as `report`'s keywords (each
    caller names its code, so that the codes' templates can be checked against the call)."""
    among = list(among)
    return {"message": f"unknown {what} `{name}`",
            "help": did_you_mean(name, among) or f"{what}s here: " + (", ".join(among) or "none")}


class _Resolver:
    """Every name the document's own declarations use, resolved as the elaborator resolves
    the names of a .wd file, with its codes: the checker then reads a model whose names all
    exist. Acknowledgements and assertions get the checks their statements get in a file."""

    def __init__(self, model: Proposal, exported: Proposal):
        self.model = model
        self.own = {field: list(getattr(exported, field)) for field in DECLARATIONS}
        self.diagnostics: list[Diagnostic] = []

    def add(self, diagnostic: Diagnostic | None) -> None:
        if diagnostic is not None:
            self.diagnostics.append(diagnostic)

    def run(self) -> list[Diagnostic]:
        model = self.model
        for field, names in self.own.items():
            for name in names:
                decl = getattr(model, field)[name]
                if decl.name != name:   # the elaborator keys every declaration by its name
                    self.add(report("E0009", _at(decl.span, "name"),
                                    f"`{decl.name}` is listed under `{name}` in `{field}`",
                                    help="the key and the `name` of a declaration are the same"))
        for name in self.own["kinds"]:
            kind = model.kinds[name]
            if kind.parent is not None and kind.parent not in model.kinds:
                self.add(report("E0102", _at(kind.span, "parent"),
                                **_unknown("kind", kind.parent, model.kinds)))
        for name in self.own["types"]:
            self.names(model.types[name])
        for name in self.own["params"]:
            self.names(model.params[name])
        for name in self.own["components"]:
            component = model.components[name]
            self.kind(component.attributes, component.span)
            self.names(component, frozenset(p.name for p in component.params))
            self.indices(component.ports)
        for name in self.own["diagrams"]:
            self.diagram(model.diagrams[name])
        self.statements()
        return self.diagnostics

    def statements(self) -> None:
        """What a file's `allow` and `assert` statements are checked for before their boxes
        are resolved (`references.unresolved`, after the diagrams): an allow's code and reason
        (`bad_acknowledgement`, as the elaborator), the diagram each speaks about (written
        inside it in a file, so there it always exists), and the parts of its claim that the
        grammar of `assert` requires."""
        for allow in self.model.allows:
            self.add(bad_acknowledgement(allow.code, allow.reason, _at(allow.span, "code"),
                                         _at(allow.span, "reason")))
        for item in [*self.model.allows, *self.model.assertions]:
            if item.diagram is not None and item.diagram not in self.model.diagrams:
                self.add(report("E0103", _at(item.span, "diagram"),
                                **_unknown("diagram", item.diagram, self.model.diagrams)))
        for assertion in self.model.assertions:
            named = {"target": assertion.target}
            if assertion.claim in ("no_path", "no_incentive"):
                named["source"] = assertion.source
            named.update({("avoiding", i): name for i, name in enumerate(assertion.avoiding)})
            for place, name in named.items():
                if not name:
                    where = place if isinstance(place, tuple) else (place,)
                    self.add(report("E0009", _at(assertion.span, *where),
                                    f"a `{assertion.claim}` assertion names a box here",
                                    label="no name"))

    def kind(self, attributes: Attributes | None, owner: Span | None) -> None:
        if attributes is None:
            return
        if attributes.kind not in self.model.kinds:
            self.add(report("E0102", _at(owner, "attributes", "kind"),
                            **_unknown("kind", attributes.kind, self.model.kinds)))
        for index, kind in enumerate(attributes.also):
            if kind not in self.model.kinds:
                self.add(report("E0102", _at(owner, "attributes", "also", str(index)),
                                **_unknown("kind", kind, self.model.kinds)))

    def names(self, node: BaseModel, instances: frozenset[str] = frozenset()) -> None:
        """The types and parameters named anywhere inside `node` (`instances` may be named in
        a training signal, a component's parameters in its own types). A type has no span of
        its own: it is located by its owner's."""
        stack: list = [(node, getattr(node, "span", None))]
        while stack:
            item, owner = stack.pop()
            if isinstance(item, (list, tuple)):
                stack += [(child, owner) for child in item]
            elif isinstance(item, dict):
                stack += [(child, owner) for child in item.values()]
            elif isinstance(item, BaseModel):
                if isinstance(item, (OpaqueType, RecordType, EnumType)) and \
                        item.name not in self.model.types and item.name != "Text":
                    self.add(report("E0101", owner,
                                    **_unknown("type", item.name, self.model.types)))
                elif isinstance(item, Name) and item.name not in self.model.params and \
                        item.name not in instances:
                    self.add(report("E0106", item.span or owner, **_unknown(
                        "name", item.name, [*self.model.params, *instances])))
                elif isinstance(item, Num) and not _number(item.value):
                    self.add(report("E0009", item.span or owner, f"`{item.value}` is not a number",
                                    label="not a number"))
                owner = getattr(item, "span", None) or owner
                stack += [(v, owner) for k, v in item.__dict__.items() if k != "span"]

    def diagram(self, diagram: Diagram) -> None:
        self.kind(diagram.attributes, diagram.span)
        self.indices(diagram.ports)
        boxes = [*self.model.components, *self.model.diagrams]
        if diagram.refines is not None and self.model.box(diagram.refines) is None:
            self.add(report("E0103", _at(diagram.span, "refines"),
                            **_unknown("component or diagram", diagram.refines, boxes)))
        params = frozenset(p.name for p in diagram.params)
        self.names(diagram.params, params)
        self.names(diagram.ports, params)
        instances = {i.name: i for i in diagram.instances}
        firsts: dict[str, object] = {}
        for instance in diagram.instances:
            first = firsts.setdefault(instance.name, instance)
            if first is not instance:
                self.add(report(
                    "E0112", instance.span, f"`{diagram.name}` has two instances named "
                    f"`{instance.name}`", related=[(first.span, "first declared here")]))
            if self.model.box(instance.of) is None:
                self.add(report("E0103", _at(instance.span, "of"),
                                **_unknown("component or diagram", instance.of, boxes)))
            self.kind(instance.attributes, instance.span)
            self.shares(instances, instance)
            self.arguments(instance, params)
        for owner in [*diagram.ports, *diagram.instances, *diagram.wires, *diagram.trainings]:
            for mode in owner.modes or []:
                if mode not in diagram.modes:
                    self.add(report("E0109", _at(owner.span, "modes"),
                                    **_unknown("mode", mode, diagram.modes)))
        for wire in diagram.wires:
            self.endpoint(diagram, instances, wire.source, producer=True)
            self.endpoint(diagram, instances, wire.target, producer=False)
        for training in diagram.trainings:
            self.training(diagram, instances, training)

    def indices(self, ports: list) -> None:
        """A dependent port's index (`Answer[q]`) names another port of the same box."""
        names = [p.name for p in ports]
        for port in ports:
            for index in port_indices(port.type):
                if index.port not in names or index.port == port.name:
                    self.add(report("E0132", _at(port.span, "type"), f"`{port.name}` is "
                                    f"indexed by `{index.port}`, which is no other port of its "
                                    "box", help="ports here: " + ", ".join(names)))

    def arguments(self, instance, known: frozenset[str]) -> None:
        """An instance's `args` name its box's parameters, give each that has no default a
        value, and use the proposal's parameters or those of the diagram it is in (`known`)."""
        self.names(list(instance.args.values()), known)
        box = self.model.box(instance.of)
        params = {p.name: p for p in getattr(box, "params", [])}
        for name in instance.args:
            if name not in params:
                self.add(report("E0129", _at(instance.span, "args", name),
                                f"`{instance.of}` has no parameter `{name}`"))
        missing = [p for p in params.values() if p.default is None and p.name not in instance.args]
        if missing:
            self.add(report("E0130", _at(instance.span, "args"), f"`{instance.of}` needs a "
                            "value for " + ", ".join(f"`{p.name}`" for p in missing)))

    def shares(self, instances: dict, instance) -> None:
        """`shares` names a component instance of the same diagram, at the end of a chain
        that does not come back (what the elaborator ensures of a text)."""
        if instance.shares is None:
            return
        seen, name = [instance.name], instance.shares
        while name in instances and name not in seen:
            seen.append(name)
            name = instances[name].shares
            if name is None:
                if instances[seen[-1]].of_diagram:
                    self.add(report("E0126", _at(instance.span, "shares"),
                                    f"`{seen[-1]}` is a diagram: only a component's "
                                    "parameters can be shared"))
                return
        if name in seen:
            self.add(report("E0127", _at(instance.span, "shares"),
                            "shared copies go round in a circle: "
                            + " -> ".join(f"`{n}`" for n in seen + [name])))
        else:
            self.add(report("E0104", _at(instance.span, "shares"),
                            **_unknown("instance", name, instances)))

    def endpoint(self, diagram: Diagram, instances: dict, end: Endpoint, producer: bool) -> None:
        if end.instance is None:
            ports = {p.name: p for p in diagram.ports}
        elif end.instance not in instances:
            self.add(report("E0104", end.span, **_unknown("instance", end.instance, instances)))
            return
        else:
            box = self.model.box(instances[end.instance].of)
            if box is None:
                return   # reported at the instance
            ports = {p.name: p for p in box.ports}
        port = ports.get(end.port)
        if port is None:
            self.add(report("E0105", _at(end.span, "port"), **_unknown("port", end.port, ports),
                            label=f"not a port of `{end.instance or diagram.name}`"))
        elif ((port.direction == "out") == (end.instance is not None)) != producer:
            code = "E0201" if producer else "E0202"
            self.add(report(code, end.span, f"`{end}` is an {port.direction}put of "
                            f"{'a box' if end.instance else 'the diagram'}; a wire runs from an "
                            "output of a box or an input of the diagram to an input of a box or "
                            "an output of the diagram"))

    def training(self, diagram: Diagram, instances: dict, training: Training) -> None:
        if training.target not in instances:
            self.add(report("E0104", _at(training.span, "target"),
                            **_unknown("instance", training.target, instances)))
        if training.optimiser not in self.model.optimisers:
            self.add(report("E0107", _at(training.span, "optimiser"),
                            **_unknown("optimiser", training.optimiser, self.model.optimisers)))
        self.names(training, frozenset(instances))
        for ref in names_in(training.signal):
            if isinstance(ref, PortRef) and ref.instance is not None:
                if ref.instance not in instances:
                    self.add(report("E0104", ref.span,
                                    **_unknown("instance", ref.instance, instances)))
                    continue
                box = self.model.box(instances[ref.instance].of)
                if box is not None and ref.port not in {p.name for p in box.ports}:
                    self.add(report("E0105", ref.span, **_unknown(
                        "port", ref.port, [p.name for p in box.ports]), instance=ref.instance))
