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
from functools import lru_cache
from typing import Iterable

from pydantic import BaseModel, ValidationError

from .check import check
from .diagnostics import Diagnostic, Span, has_errors, report, sort_key, unique
from .elaborate import elaborate
from .names import did_you_mean
from .model import (DECLARATIONS, LIBRARY_PREFIX, PRELUDE_FILE, Attributes, Diagram, Endpoint,
                    EnumType, Name, OpaqueType, PortRef, Proposal, RecordType, Training)
from .sources import load_program
from .types import names_in

_CODED = "E0"   # a validator's error whose type is a code: the code a .wd file gets


def read_json(text: str | bytes, path: str) -> tuple[Proposal | None, list[Diagnostic]]:
    """The checked model of a JSON document (None when it has errors) and its diagnostics."""
    data, problem = _parse(text, path)
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
        diagnostics += check(pointed).diagnostics
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

class _Resolver:
    """Every name the document's own declarations use, resolved as the elaborator resolves
    the names of a .wd file, with its codes: the checker then reads a model whose names all
    exist."""

    def __init__(self, model: Proposal, exported: Proposal):
        self.model = model
        self.own = {field: list(getattr(exported, field)) for field in DECLARATIONS}
        self.diagnostics: list[Diagnostic] = []

    def run(self) -> list[Diagnostic]:
        model = self.model
        for field, names in self.own.items():
            for name in names:
                decl = getattr(model, field)[name]
                if decl.name != name:   # the elaborator keys every declaration by its name
                    self.diagnostics.append(report(
                        "E0009", _at(decl.span, "name"),
                        f"`{decl.name}` is listed under `{name}` in `{field}`",
                        help="the key and the `name` of a declaration are the same"))
        for name in self.own["kinds"]:
            kind = model.kinds[name]
            if kind.parent is not None and kind.parent not in model.kinds:
                self.unknown("E0102", "kind", kind.parent, _at(kind.span, "parent"),
                             self.model.kinds)
        for name in self.own["types"]:
            self.names(model.types[name])
        for name in self.own["params"]:
            self.names(model.params[name])
        for name in self.own["components"]:
            component = model.components[name]
            self.kind(component.attributes, component.span)
            self.names(component)
        for name in self.own["diagrams"]:
            self.diagram(model.diagrams[name])
        return self.diagnostics

    def unknown(self, code: str, what: str, name: str, span: Span | None,
                among: Iterable[str] = ()) -> None:
        among = list(among)
        listed = f"{what}s here: " + (", ".join(among) or "none")
        self.diagnostics.append(report(code, span, f"unknown {what} `{name}`",
                                       help=did_you_mean(name, among) or listed))

    def kind(self, attributes: Attributes | None, owner: Span | None) -> None:
        if attributes is not None and attributes.kind not in self.model.kinds:
            self.unknown("E0102", "kind", attributes.kind, _at(owner, "attributes", "kind"),
                         self.model.kinds)

    def names(self, node: BaseModel, instances: frozenset[str] = frozenset()) -> None:
        """The types and parameters named anywhere inside `node` (`instances` may be named in
        a training signal). A type has no span of its own: it is located by its owner's."""
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
                    self.unknown("E0101", "type", item.name, owner, self.model.types)
                elif isinstance(item, Name) and item.name not in self.model.params and \
                        item.name not in instances:
                    self.unknown("E0106", "name", item.name, item.span or owner,
                                 [*self.model.params, *instances])
                owner = getattr(item, "span", None) or owner
                stack += [(v, owner) for k, v in item.__dict__.items() if k != "span"]

    def diagram(self, diagram: Diagram) -> None:
        self.kind(diagram.attributes, diagram.span)
        if diagram.refines is not None and self.model.box(diagram.refines) is None:
            self.unknown("E0103", "component or diagram", diagram.refines,
                         _at(diagram.span, "refines"), [*self.model.components, *self.model.diagrams])
        self.names(diagram.ports)
        instances = {i.name: i for i in diagram.instances}
        firsts: dict[str, object] = {}
        for instance in diagram.instances:
            first = firsts.setdefault(instance.name, instance)
            if first is not instance:
                self.diagnostics.append(report(
                    "E0112", instance.span, f"`{diagram.name}` has two instances named "
                    f"`{instance.name}`", related=[(first.span, "first declared here")]))
            if self.model.box(instance.of) is None:
                self.unknown("E0103", "component or diagram", instance.of,
                             _at(instance.span, "of"), [*self.model.components, *self.model.diagrams])
            self.kind(instance.attributes, instance.span)
        for owner in [*diagram.ports, *diagram.instances, *diagram.wires, *diagram.trainings]:
            for mode in owner.modes or []:
                if mode not in diagram.modes:
                    self.unknown("E0109", "mode", mode, _at(owner.span, "modes"), diagram.modes)
        for wire in diagram.wires:
            self.endpoint(diagram, instances, wire.source, producer=True)
            self.endpoint(diagram, instances, wire.target, producer=False)
        for training in diagram.trainings:
            self.training(diagram, instances, training)

    def endpoint(self, diagram: Diagram, instances: dict, end: Endpoint, producer: bool) -> None:
        if end.instance is None:
            ports = {p.name: p for p in diagram.ports}
        elif end.instance not in instances:
            self.unknown("E0104", "instance", end.instance, end.span,
                         instances)
            return
        else:
            box = self.model.box(instances[end.instance].of)
            if box is None:
                return   # reported at the instance
            ports = {p.name: p for p in box.ports}
        port = ports.get(end.port)
        if port is None:
            self.unknown("E0105", "port", str(end), end.span, ports)
        elif ((port.direction == "out") == (end.instance is not None)) != producer:
            code = "E0201" if producer else "E0202"
            self.diagnostics.append(report(code, end.span, f"`{end}` is an {port.direction}put "
                                           f"of {'a box' if end.instance else 'the diagram'}; a "
                                           "wire runs from an output of a box or an input of "
                                           "the diagram to an input of a box or an output of "
                                           "the diagram"))

    def training(self, diagram: Diagram, instances: dict, training: Training) -> None:
        if training.target not in instances:
            self.unknown("E0104", "instance", training.target, _at(training.span, "target"),
                         instances)
        if training.optimiser not in self.model.optimisers:
            self.unknown("E0107", "optimiser", training.optimiser,
                         _at(training.span, "optimiser"), self.model.optimisers)
        self.names(training, frozenset(instances))
        for ref in names_in(training.signal):
            if isinstance(ref, PortRef) and ref.instance is not None:
                if ref.instance not in instances:
                    self.unknown("E0104", "instance", ref.instance, ref.span, instances)
                    continue
                box = self.model.box(instances[ref.instance].of)
                if box is not None and ref.port not in {p.name for p in box.ports}:
                    self.unknown("E0105", "port", f"{ref.instance}.{ref.port}", ref.span,
                                 [p.name for p in box.ports])
