"""Stage 2: syntax trees to the model. Resolves names, imports, parameters and types.

Input: the parsed files of a program in dependency order. Output: a `Proposal`, the
diagnostics, and the set of ports whose wiring was broken by an earlier error (so the checker
does not report them as unconnected: one mistake, one diagnostic).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from fractions import Fraction

from lark import Token, Tree

from .diagnostics import Diagnostic, Span, report
from .names import did_you_mean, unquote
from .structure import kind_chain
from .model import (MERGE_OPERATORS, OPTIMISER_FAMILIES, TRUST_LEVELS, Allow, Assertion, Attributes, Binary, BoolType, Call, Chain, Link,
                    CollectionType, Component, Diagram, Endpoint, EnumType, Expr, Field_,
                    Infinity, Instance, KindDecl, Name, Neg, Num, NumType, OpaqueType,
                    OptimiserDecl, Param, Port, PortRef, Proposal, RecordType, Training,
                    TypeDecl, UnknownType, Wire)
from .parse import ParsedFile
from .sources import PRELUDE, Program, std_declaring
from .types import Decider, interval_nonempty, show_interval

MAX_EXPONENT = 400  # exact arithmetic on 10**400 is instant; on 10**999999999 it never ends
BUILTIN_TYPES = ("Real", "Int", "Nat", "Bool", "Prob", "Text", "List", "Set", "Dist")
FLAGS = ("learned", "frozen", "stateful", "instantaneous", "heldout") + TRUST_LEVELS
VALUED_ATTRIBUTES = ("provenance", "coverage", "miss", "cost", "budget")
ARGUMENT_NEEDED = {"best_of": "the number of samples n", "quantilizer": "the fraction q"}
ARGUMENT_ALLOWED = {"best_of", "quantilizer", "early_stopping", "selection", "human_selection"}
SIGNAL_FUNCTIONS = {
    # name: (arity or None for 1+, what the arguments are)
    "kl": (2, "instances"), "log": (1, "scalars"), "exp": (1, "scalars"),
    "sqrt": (1, "scalars"), "abs": (1, "scalars"), "min": (None, "scalars"),
    "max": (None, "scalars"), "mean": (None, "scalars"), "sum": (None, "scalars"),
    "match": (2, "values"), "mse": (2, "values"), "cross_entropy": (2, "values"),
    "log_likelihood": (1, "values"), "accuracy": (2, "values"), "loss": (None, "values"),
}


_OPS = {"add": "+", "sub": "-", "mul": "*", "div": "/"}


@dataclass
class Declaration:
    name: str
    form: str  # kind, type, record, enum, param, optimiser, component, diagram
    file: str
    tree: Tree
    span: Span


@dataclass
class Elaboration:
    proposal: Proposal
    diagnostics: list[Diagnostic]
    # (diagram, "inst.port" or "port") whose wiring an earlier error already accounts for
    excused: set[tuple[str, str]] = field(default_factory=set)
    # box names whose declarations were broken: instances of them are dropped silently
    broken: set[str] = field(default_factory=set)


class _Elaborator:
    def __init__(self, program: Program):
        self.program = program
        self.diagnostics: list[Diagnostic] = []
        self.decls: dict[str, Declaration] = {}
        self.damaged: set[str] = set()
        for parsed in program.files.values():
            self.damaged |= parsed.damaged
        self.visible = self._visibility()
        self.proposal = Proposal(file=program.root)
        self.excused: set[tuple[str, str]] = set()
        self.broken: set[str] = set(self.damaged)
        self._types_in_progress: set[str] = set()
        self.ambiguous_ports: set[tuple[str, str]] = set()  # declared twice: uses stay silent
        self.decide: Decider | None = None

    # ------------------------------------------------------------------------- utilities
    def span(self, file: str, node) -> Span:
        if isinstance(node, Token):
            return Span(file=file, line=node.line, column=node.column, end_line=node.end_line,
                        end_column=node.end_column)
        meta = node.meta
        return Span(file=file, line=meta.line, column=meta.column, end_line=meta.end_line,
                    end_column=meta.end_column)

    def text_of(self, file: str, node) -> str:
        source = self.program.files[file].text
        if isinstance(node, Token):
            return str(node)
        return source[node.meta.start_pos:node.meta.end_pos]

    def report(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)

    def _visibility(self) -> dict[str, set[str]]:
        """For each file, the files whose declarations it may use: itself, the prelude and
        everything it imports, transitively."""
        visible: dict[str, set[str]] = {}
        for name in self.program.files:  # dependency order: imports are done first
            seen = {name, PRELUDE}
            for imported in self.program.imports.get(name, []):
                seen |= visible.get(imported, {imported})
            visible[name] = seen
        return visible

    def lookup(self, file: str, name: str, span: Span, want: tuple[str, ...],
               what: str) -> Declaration | None:
        """The declaration `name` of one of the forms `want`, as seen from `file`, or a
        diagnostic. Names of declarations that failed to parse resolve silently to None."""
        decl = self.decls.get(name)
        if decl is not None and decl.form in want and decl.file in self.visible[file]:
            return decl
        if name in self.damaged:
            return None
        if decl is not None and decl.form in want:
            self.report(report("E0101", span, f"`{name}` is declared in `{decl.file}`, which this file "
                              "does not import", label="not imported",
                              related=[(decl.span, f"`{name}` is declared here")],
                              help=f'add `import "{decl.file}"` (paths are relative to this '
                              "file)"))
            return None
        if decl is not None:
            self.report(report("E0101", span, f"`{name}` is a {decl.form}, not a {what}",
                              label=f"expected a {what}",
                              related=[(decl.span, f"`{name}` is declared here")]))
            return None
        candidates = [d.name for d in self.decls.values()
                      if d.form in want and d.file in self.visible[file]]
        if "type" in want:
            candidates += BUILTIN_TYPES
        code = {"kind": "E0102", "component or diagram": "E0103", "optimiser": "E0107",
                "parameter": "E0106"}.get(what, "E0101")
        suggestion = did_you_mean(name, candidates)
        if not suggestion and (module := std_declaring(name)):
            suggestion = f'`{name}` is in the standard library: add `import "{module}"`'
        self.report(report(code, span, f"unknown {what} `{name}`", label=f"not a declared {what}",
                          help=suggestion or f"declare it with `{_DECLARE.get(what, what)}`"))
        return None

    # ------------------------------------------------------------------------- collection
    def collect(self) -> None:
        forms = {"kind_decl": "kind", "type_decl": "type", "record_decl": "record",
                 "enum_decl": "enum", "param_decl": "param", "optimiser_decl": "optimiser",
                 "component": "component", "diagram": "diagram"}
        for file, parsed in self.program.files.items():
            if parsed.tree is None:
                continue
            for item in parsed.tree.children:
                if item.data in forms:
                    token = item.children[0]
                    name = str(token)
                    span = self.span(file, token)
                    existing = self.decls.get(name)
                    if existing is not None:
                        self.report(report(
                            "E0111", span, f"`{name}` is declared twice", label="second declaration",
                            related=[(existing.span, "first declared here")],
                            help="rename one of them; all declarations of a proposal and its "
                            "imports share one namespace"))
                        continue
                    if name in BUILTIN_TYPES:
                        self.report(report("E0111", span, f"`{name}` is a built-in type and cannot be "
                                          "declared again", label="built-in name",
                                          help="choose another name"))
                        continue
                    self.decls[name] = Declaration(name, forms[item.data], file, item, span)
                elif file == self.program.root:
                    self._metadata(file, item)

    def _metadata(self, file: str, item: Tree, diagram: str | None = None) -> None:
        if item.data == "allow":
            self.allow(file, item, diagram)
        elif item.data == "assertion":
            self.assertion(file, item, diagram)
        elif item.data == "proposal":
            self.proposal.title = unquote(str(item.children[0]))
        elif item.data == "cites":
            self.proposal.citations += [unquote(str(t)) for t in item.children]
        elif item.data == "note":
            self.proposal.notes.append(unquote(str(item.children[0])))

    def allow(self, file: str, item: Tree, diagram: str | None) -> None:
        from .codes import CODES

        code_token = item.children[0]
        code = str(code_token)
        target = None
        reason = ""
        for child in item.children[1:]:
            if isinstance(child, Tree):
                target = ".".join(str(t) for t in child.children)
            else:
                reason = unquote(str(child))
        if code not in CODES or not code.startswith("S"):
            findings = [c for c in CODES if c.startswith("S")]
            self.report(report("E0121", self.span(file, code_token), f"`{code}` is not a finding code",
                              label="not a finding of the analyses",
                              help=did_you_mean(code, findings) or
                              "`wiring explain --list` lists the codes; findings start with S"))
            return
        if not reason.strip():
            self.report(report("E0121", self.span(file, item), "an acknowledgement needs a reason",
                              label="empty reason",
                              help='say why the finding is inherent: `because "..."`'))
            return
        self.proposal.allows.append(Allow(code=code, target=target, reason=reason,
                                          diagram=diagram, span=self.span(file, item)))

    def assertion(self, file: str, item: Tree, diagram: str | None) -> None:
        claim = item.children[0]
        paths = [".".join(str(t) for t in c.children) for c in claim.children
                 if isinstance(c, Tree) and c.data == "target"]
        avoiding = [".".join(str(t) for t in c.children)
                    for a in claim.children if isinstance(a, Tree) and a.data == "avoiding"
                    for c in a.children]
        kinds = [str(c.children[0]) for c in claim.children
                 if isinstance(c, Tree) and c.data == "incentive_kind"]
        text = " ".join(self.text_of(file, item).split())
        if claim.data in ("no_path", "no_incentive"):
            source, target = paths
        else:
            source, target = None, paths[0]
        self.proposal.assertions.append(Assertion(
            claim=claim.data, source=source, target=target, avoiding=avoiding,
            incentive=kinds[0] if kinds else None, text=text, diagram=diagram,
            span=self.span(file, item)))

    # ------------------------------------------------------------------------- expressions
    def expr(self, file: str, tree, scope: "_Scope | None" = None) -> Expr | None:
        """An expression tree to the model. Without a scope, names must be parameters (type
        indices, bounds, defaults); with one, they may be ports and instances (signals)."""
        span = self.span(file, tree)
        if isinstance(tree, Token):
            raise AssertionError(tree)
        kind = tree.data
        if kind == "number":
            text = str(tree.children[0])
            exponent = re.search(r"[eE]([+-]?\d+)$", text)
            if exponent and abs(int(exponent.group(1))) > MAX_EXPONENT:
                self.report(report("E0120", span, f"the number `{text}` is out of range",
                                  label=f"exponent beyond +/-{MAX_EXPONENT}",
                                  help="write the quantity in other units, or as a parameter"))
                return None
            return Num(value=_normal_number(text), span=span)
        if kind == "infinity":
            return Infinity(span=span)
        if kind == "neg":
            inner = self.expr(file, tree.children[0], scope)
            return Neg(arg=inner, span=span) if inner is not None else None
        if kind in ("add", "sub", "mul", "div"):
            # Flatten a left-nested chain of one precedence level iteratively.
            level = ("add", "sub") if kind in ("add", "sub") else ("mul", "div")
            links = []
            node = tree
            while isinstance(node, Tree) and node.data in level:
                links.append((_OPS[node.data], node.children[1]))
                node = node.children[0]
            first = self.expr(file, node, scope)
            rest = [(op, self.expr(file, arg, scope)) for op, arg in reversed(links)]
            if first is None or any(arg is None for _, arg in rest):
                return None
            if len(rest) == 1:
                return Binary(op=rest[0][0], left=first, right=rest[0][1], span=span)
            return Chain(first=first, rest=[Link(op=op, arg=arg) for op, arg in rest], span=span)
        if kind == "pow":
            left = self.expr(file, tree.children[0], scope)
            right = self.expr(file, tree.children[1], scope)
            if left is None or right is None:
                return None
            return Binary(op="^", left=left, right=right, span=span)
        if kind == "ref":
            parts = [str(t) for t in tree.children]
            if scope is not None:
                return scope.reference(parts, span)
            if len(parts) > 1:
                self.report(report("E0106", span, f"`{'.'.join(parts)}` is not a parameter",
                                  label="ports cannot appear here",
                                  help="types, bounds and defaults may use only numbers and "
                                  "declared parameters"))
                return None
            decl = self.lookup(file, parts[0], span, ("param",), "parameter")
            return Name(name=parts[0], span=span) if decl is not None else None
        if kind == "call":
            name_tree, *args = tree.children
            name = ".".join(str(t) for t in name_tree.children)
            if scope is None:
                self.report(report("E0110", span, f"function calls such as `{name}(...)` cannot appear "
                                  "in a type, bound or default", label="not allowed here",
                                  help="write the value as arithmetic over numbers and "
                                  "parameters"))
                return None
            return scope.call(name, args, span)
        if kind == "apply":
            self.report(report("E0117", span, "a type cannot appear inside an expression",
                              label="this is a type application"))
            return None
        raise AssertionError(kind)

    # ------------------------------------------------------------------------------- types
    def type_of(self, file: str, tree: Tree):
        """A `type` syntax node (plain, interval or bound) to a model type."""
        kind = tree.data
        base = self.type_expr(file, tree.children[0])
        if kind == "plain_type":
            return base
        if isinstance(base, UnknownType):
            return base
        span = self.span(file, tree)
        if not isinstance(base, NumType):
            self.report(report("E0118", span, f"only numbers can be refined; `{self.text_of(file, tree.children[0])}` "
                              "is not a number type", label="not Real, Int or Nat",
                              help="refine `Real`, `Int` or `Nat`, e.g. `Real in [0, 1]`"))
            return UnknownType()
        if kind == "interval_type":
            interval = tree.children[1]
            lower_tree, upper_tree = interval.children
            lower = self.expr(file, lower_tree.children[0])
            upper = self.expr(file, upper_tree.children[0])
            if lower is None or upper is None:
                return UnknownType()
            refined = NumType(base=base.base, lower=lower, upper=upper,
                              lower_open=lower_tree.data == "open_lower",
                              upper_open=upper_tree.data == "open_upper")
        else:
            _, op_token, bound_tree = tree.children
            bound = self.expr(file, bound_tree)
            if bound is None:
                return UnknownType()
            op = str(op_token)
            if op.startswith(">"):
                refined = base.model_copy(update={"lower": bound, "lower_open": op == ">"})
            else:
                refined = base.model_copy(update={"upper": bound, "upper_open": op == "<"})
        if isinstance(refined.lower, Infinity):
            refined = refined.model_copy(update={"lower": None})
        if interval_nonempty(refined, self.decider()) is False:
            self.report(report("E0115", span, f"the interval {show_interval(refined)} is empty",
                              label="no value satisfies this",
                              help="write the lower bound first: `[lower, upper]`"))
            return UnknownType()
        return refined

    def decider(self) -> Decider:
        if self.decide is None:
            self.decide = Decider(self.proposal.params)
        return self.decide

    def type_expr(self, file: str, tree):
        """An expression read as a type: `Prompt`, `List[Response]`, `Transcript[2*n]`."""
        span = self.span(file, tree)
        if tree.data == "ref":
            parts = [str(t) for t in tree.children]
            if len(parts) > 1:
                self.report(report("E0101", span, f"`{'.'.join(parts)}` is not a type",
                                  label="expected a type"))
                return UnknownType()
            return self.named_type(file, parts[0], [], span)
        if tree.data == "apply":
            name_tree, *args = tree.children
            parts = [str(t) for t in name_tree.children]
            if len(parts) > 1:
                self.report(report("E0101", span, f"`{'.'.join(parts)}` is not a type",
                                  label="expected a type"))
                return UnknownType()
            return self.named_type(file, parts[0], args, span)
        self.report(report("E0117", span, f"expected a type, found `{self.text_of(file, tree)}`",
                          label="not a type",
                          help="types are names such as `Prompt`, `Real in [0, 1]` or "
                          "`List[Response]`"))
        return UnknownType()

    def named_type(self, file: str, name: str, args: list, span: Span):
        builtin = _BUILTIN_ARITY.get(name)
        if builtin is not None:
            low, high = builtin
            if not low <= len(args) <= high:
                return self._arity_error(name, args, span, f"{low}" if low == high else
                                         f"{low} or {high}")
            if name in ("Real", "Int"):
                return NumType(base=name)
            if name == "Nat":
                return NumType(base="Int", lower=Num(value="0"))
            if name == "Prob":
                return NumType(base="Real", lower=Num(value="0"), upper=Num(value="1"))
            if name == "Bool":
                return BoolType()
            if name == "Text":
                return OpaqueType(name="Text")
            element = self.type_expr(file, args[0])
            size = self.expr(file, args[1]) if len(args) > 1 else None
            if len(args) > 1 and size is None:
                return UnknownType()
            return CollectionType(constructor=name, element=element, size=size)
        decl = self.lookup(file, name, span, ("type", "record", "enum"), "type")
        if decl is None:
            return UnknownType()
        declared = self.type_decl(decl)
        if declared is None:
            return UnknownType()
        expected = len(declared.indices)
        if len(args) != expected:
            return self._arity_error(name, args, span, str(expected), decl.span)
        if declared.form == "alias":
            return declared.target
        if declared.form == "record":
            return RecordType(name=name)
        if declared.form == "enum":
            return EnumType(name=name)
        indices = [self.expr(file, a) for a in args]
        if any(i is None for i in indices):
            return UnknownType()
        return OpaqueType(name=name, indices=indices)

    def _arity_error(self, name, args, span, expected, declared_at=None):
        self.report(report("E0113", span, f"`{name}` takes {expected} index argument"
                          f"{'s' if expected != '1' else ''}, given {len(args)}",
                          label=f"{len(args)} given",
                          related=[(declared_at, f"`{name}` is declared here")],
                          help="write `Name[i, ...]` with one index per declared parameter"
                          if expected != "0" else f"`{name}` takes no index"))
        return UnknownType()

    def type_decl(self, decl: Declaration) -> TypeDecl | None:
        """Elaborate a type declaration on first use (aliases may refer forward)."""
        done = self.proposal.types.get(decl.name)
        if done is not None:
            return done
        if decl.name in self._types_in_progress:
            self.report(report("E0116", decl.span, f"the type alias `{decl.name}` refers to itself", label="cyclic alias",
                              help="an alias must eventually name a type that is not an alias"))
            return None
        self._types_in_progress.add(decl.name)
        try:
            made = self._make_type_decl(decl)
        finally:
            self._types_in_progress.discard(decl.name)
        if made is not None:
            self.proposal.types[decl.name] = made
        return made

    def _make_type_decl(self, decl: Declaration) -> TypeDecl | None:
        tree, file = decl.tree, decl.file
        if decl.form == "enum":
            members = [str(t) for t in tree.children[1:]]
            for i, member in enumerate(members):
                if member in members[:i]:
                    self.report(report("E0112", self.span(file, tree.children[1 + i]), f"enum member `{member}` is listed twice",
                                      label="repeated", help="remove the repeat"))
            return TypeDecl(name=decl.name, form="enum", members=list(dict.fromkeys(members)),
                            span=decl.span)
        if decl.form == "record":
            fields: list[Field_] = []
            for node in tree.children[1:]:
                field_name = str(node.children[0])
                field_span = self.span(file, node.children[0])
                if any(f.name == field_name for f in fields):
                    self.report(report("E0112", field_span, f"field `{field_name}` is declared twice", label="repeated"))
                    continue
                fields.append(Field_(name=field_name, type=self.type_of(file, node.children[1]),
                                     written=self.text_of(file, node.children[1]),
                                     span=field_span))
            return TypeDecl(name=decl.name, form="record", fields=fields, span=decl.span)
        indices: list[str] = []
        target = None
        for node in tree.children[1:]:
            if node.data == "type_params":
                indices = [str(t) for t in node.children]
                for i, token in enumerate(node.children):
                    if str(token) in indices[:i]:
                        self.report(report("E0112", self.span(file, token), f"index `{token}` of `{decl.name}` is named twice", label="repeated",
                                          help="give each index its own name"))
            else:
                target = node
        if target is None:
            return TypeDecl(name=decl.name, form="family" if indices else "opaque",
                            indices=indices, span=decl.span)
        if indices:
            self.report(report("E0113", decl.span, "an alias cannot take indices",
                              help="declare an indexed family without `=`: `type Name[i]`"))
        resolved = self.type_of(file, target)
        return TypeDecl(name=decl.name, form="alias", target=resolved,
                        written=self.text_of(file, target), span=decl.span)

    # --------------------------------------------------------------------------- the rest
    def kinds(self) -> None:
        for decl in self._of("kind"):
            parent = None
            doc = ""
            for node in decl.tree.children[1:]:
                if node.type == "NAME":
                    parent_span = self.span(decl.file, node)
                    if self.lookup(decl.file, str(node), parent_span, ("kind",), "kind"):
                        parent = str(node)
                else:
                    doc = unquote(str(node))
            self.proposal.kinds[decl.name] = KindDecl(name=decl.name, parent=parent, doc=doc,
                                                      span=decl.span)
        for kind in self.proposal.kinds.values():  # a parent chain must end
            seen, current = [kind.name], kind.parent
            while current is not None and current not in seen:
                seen.append(current)
                current = self.proposal.kinds[current].parent if current in self.proposal.kinds else None
            if current == kind.name:
                self.report(report("E0116", kind.span, f"kind `{kind.name}` is its own ancestor: "
                                  + " : ".join(seen + [kind.name]),
                                  label="cyclic kind", help="a kind's parent chain must end"))
                kind.parent = None

    def optimisers(self) -> None:
        for decl in self._of("optimiser"):
            children = decl.tree.children
            family_token = children[1]
            family = str(family_token)
            doc = unquote(str(children[2])) if len(children) > 2 else ""
            if family not in OPTIMISER_FAMILIES:
                self.report(report("E0108", self.span(decl.file, family_token), f"unknown optimiser family `{family}`", label="not a family",
                                  help=(did_you_mean(family, OPTIMISER_FAMILIES) or "")
                                  + " families: " + ", ".join(OPTIMISER_FAMILIES)))
                continue
            self.proposal.optimisers[decl.name] = OptimiserDecl(name=decl.name, family=family,
                                                                doc=doc, span=decl.span)

    def params(self) -> None:
        for decl in self._of("param"):
            children = decl.tree.children
            # Parameters may bound each other (`param m : Nat <= n`); the decider reads
            # self.proposal.params live, so earlier ones are known to later ones.
            param_type = self.type_of(decl.file, children[1])
            if isinstance(param_type, UnknownType):
                self.broken.add(decl.name)
                continue
            if not isinstance(param_type, NumType):
                self.report(report("E0118", self.span(decl.file, children[1]), "a parameter must be a number",
                                  label="not Real, Int or Nat",
                                  help="write e.g. `param n : Nat >= 1` or `param beta : Real >= 0`"))
                continue
            default = self.expr(decl.file, children[2]) if len(children) > 2 else None
            if default is not None and self._default_cycle(decl.name, default):
                self.report(report("E0116", self.span(decl.file, children[2]), f"the value of `{decl.name}` depends on itself", label="cyclic value",
                                  help="give one of the parameters a number"))
                default = None
            self.proposal.params[decl.name] = Param(
                name=decl.name, type=param_type, written=self.text_of(decl.file, children[1]),
                default=default, span=decl.span)

    def _default_cycle(self, name: str, default: Expr) -> bool:
        """Whether a parameter's value refers back to it through other parameters' values."""
        from .types import names_in

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
            for decl in self._of(form):
                if self.type_decl(decl) is None:
                    self.broken.add(decl.name)

    def _of(self, form: str):
        return [d for d in self.decls.values() if d.form == form]

    def attributes(self, file: str, attrs: Tree | None, base: Attributes | None,
                   kind_required: bool) -> Attributes | None:
        """`: policy, learned, untrusted, provenance = "gpt-4"` on top of `base`."""
        values = base.model_dump() if base else {"kind": "system"}
        values["extra"] = dict(values.get("extra", {}))
        nodes = list(attrs.children) if attrs is not None else []
        if kind_required:
            if not nodes:
                return None
            first = nodes.pop(0)
            kind_token = first.children[0]
            if len(first.children) > 1:
                self.report(report("E0102", self.span(file, first), "the first attribute names the kind", label="a kind is a single name",
                                  help="write `component Name : kind, attribute, ...`"))
                return None
            kind = str(kind_token)
            if self.lookup(file, kind, self.span(file, kind_token), ("kind",), "kind") is None:
                return None
            values["kind"] = kind
            # People and the world are not models: unless told otherwise, a box of a human
            # kind has human trust and an environment kind environment trust.
            lineage = kind_chain(self.proposal.kinds, kind)
            if "human" in lineage:
                values["trust"] = "human"
            elif "environment" in lineage:
                values["trust"] = "environment"
        seen: dict[str, Span] = {}
        for node in nodes:
            name_token = node.children[0]
            name = str(name_token)
            span = self.span(file, node)
            group = "trust" if name in TRUST_LEVELS else (
                "learned" if name in ("learned", "frozen") else (
                    "stateful" if name in ("stateful", "instantaneous") else name))
            if group in seen:
                self.report(report("E0114", span, f"`{name}` conflicts with an earlier attribute",
                                  label="conflicting attribute",
                                  related=[(seen[group], "the earlier attribute")],
                                  help="give each attribute once"))
                continue
            seen[group] = span
            if len(node.children) == 1:
                if name in TRUST_LEVELS:
                    values["trust"] = name
                elif name in ("learned", "frozen"):
                    values["learned"] = name == "learned"
                elif name in ("stateful", "instantaneous"):
                    values["stateful"] = name == "stateful"
                elif name == "heldout":
                    values["heldout"] = True
                elif name in self.proposal.kinds and kind_required is False:
                    values["kind"] = name
                else:
                    hint = did_you_mean(name, FLAGS + VALUED_ATTRIBUTES)
                    if name in VALUED_ATTRIBUTES:
                        hint = f"`{name}` needs a value: `{name} = ...`"
                    self.report(report("E0108", span, f"unknown attribute `{name}`",
                                      label="not an attribute",
                                      help=hint or "attributes: " + ", ".join(FLAGS)))
                continue
            value_node = node.children[1]
            if name not in VALUED_ATTRIBUTES:
                self.report(report("E0108", span, f"`{name}` does not take a value",
                                  label="unexpected value",
                                  help=did_you_mean(name, VALUED_ATTRIBUTES) or
                                  "attributes with values: " + ", ".join(VALUED_ATTRIBUTES)))
                continue
            if name == "provenance":
                if isinstance(value_node, Token):
                    values["provenance"] = unquote(str(value_node))
                else:
                    values["provenance"] = self.text_of(file, value_node)
                continue
            if isinstance(value_node, Token):
                self.report(report("E0108", span, f"`{name}` is a number, not a string",
                                  label="a string", help=f"write `{name} = 0.02` or name a "
                                  "parameter"))
                continue
            value = self.expr(file, value_node)
            if value is not None:
                self._check_attribute_range(name, value, span)
                values["extra"][name] = value
        return Attributes(**values)

    def _check_attribute_range(self, name: str, value: Expr, span: Span) -> None:
        """Probabilities are in [0, 1]; costs and budgets are not negative."""
        from .types import evaluate

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
                                  label="out of range", help=f"declare `param {value.name} : "
                                  f"{'Prob' if high else 'Real >= 0'}`"))
            return
        if number is not None and (number < low or (high is not None and number > high)):
            self.report(report("E0123", span, f"`{name}` is {float(number):g}, outside "
                              f"{'[0, 1]' if high else '[0, inf)'}", label="out of range",
                              help="coverage and miss are probabilities; cost and budget are "
                              "not negative"))

    def port(self, file: str, node: Tree, modes_allowed: list[str] | None) -> list[Port]:
        """One `in a, b : T ...` line; `modes_allowed` is None in a component (any names)."""
        direction = str(node.children[0].children[0])
        names: list[Token] = []
        type_node = None
        options = []
        for child in node.children[1:]:
            if isinstance(child, Token):
                names.append(child)
            elif child.data in ("plain_type", "interval_type", "bound_type"):
                type_node = child
            else:
                options.append(child)
        if type_node is not None:
            port_type, written = self.type_of(file, type_node), self.text_of(file, type_node)
        else:
            # A diagram's outer port may leave its type to inference from its wires; a
            # component has no wires inside to infer from.
            port_type, written = UnknownType(), ""
            if modes_allowed is None:
                self.report(report("E0119", self.span(file, names[0]), f"port `{names[0]}` needs a type",
                                  label="no type", help=f"write `{direction} {names[0]} : Type`; only "
                                  "a diagram's outer ports can have their types inferred"))
        default = merge = None
        modes = None
        notes = []
        for option in options:
            if option.data == "default":
                default = self.expr(file, option.children[0])
                if direction == "out":
                    self.report(report("E0214", self.span(file, option), "only inputs can have defaults", label="output default",
                                      help="remove the default or make the port an input"))
                    default = None
            elif option.data == "merge":
                merge = str(option.children[0])
                if merge not in MERGE_OPERATORS:
                    self.report(report("E0213", self.span(file, option.children[0]), f"unknown merge operator `{merge}`",
                                      label="not a merge operator",
                                      help=(did_you_mean(merge, MERGE_OPERATORS) or "") +
                                      " operators: " + ", ".join(MERGE_OPERATORS)))
                    merge = None
                elif direction == "out":
                    self.report(report("E0213", self.span(file, option), "only inputs can merge",
                                      label="output merge",
                                      help="outputs may feed any number of targets already"))
                    merge = None
            elif option.data == "when":
                modes = self.modes_of(file, option, modes_allowed)
            elif option.data == "note":
                notes.append(unquote(str(option.children[0])))
        inferred = type_node is None and modes_allowed is not None
        return [Port(name=str(t), direction=direction, type=port_type, written=written,
                     inferred=inferred, default=default, merge=merge, modes=modes, notes=notes,
                     span=self.span(file, t)) for t in names]

    def modes_of(self, file: str, when: Tree, allowed: list[str] | None) -> list[str] | None:
        """The modes of a `when` clause. After an unknown mode the clause counts as absent, so
        the typo is reported once rather than as a wire missing from every mode."""
        modes: list[str] | None = []
        for token in when.children:
            name = str(token)
            if allowed is not None and name not in allowed:
                if not allowed:
                    self.report(report("E0109", self.span(file, token), f"`when {name}` in a diagram that declares no modes", label="no modes declared",
                                      help="declare the diagram's modes first: `modes train, deploy`"))
                    return None
                else:
                    self.report(report("E0109", self.span(file, token), f"unknown mode `{name}`",
                                      label="not a mode of this diagram",
                                      help=did_you_mean(name, allowed) or
                                      "modes declared: " + ", ".join(allowed)))
                return None
            if name not in modes:
                modes.append(name)
        return modes

    def _ports(self, file: str, nodes, owner: str, modes: list[str] | None) -> list[Port]:
        ports: list[Port] = []
        for node in nodes:
            for port in self.port(file, node, modes):
                clash = next((p for p in ports if p.name == port.name), None)
                if clash is not None:
                    self.ambiguous_ports.add((owner, port.name))
                    self.report(report("E0112", port.span, f"`{owner}` has two ports named `{port.name}`", label="second port",
                                      related=[(clash.span, "first declared here")],
                                      help="port names are unique across inputs and outputs"))
                    continue
                ports.append(port)
        return ports

    def components(self) -> None:
        for decl in self._of("component"):
            tree = decl.tree
            attributes = self.attributes(decl.file, tree.children[1], None, kind_required=True)
            ports = self._ports(decl.file, [n for n in tree.children[2:] if n.data == "port"],
                                decl.name, None)
            notes = [unquote(str(n.children[0])) for n in tree.children[2:] if n.data == "note"]
            if attributes is None:
                self.broken.add(decl.name)
                continue
            self.proposal.components[decl.name] = Component(
                name=decl.name, attributes=attributes, ports=ports, notes=notes, span=decl.span)

    def diagram_headers(self) -> None:
        """Interfaces first: instances may refer to any diagram, in any order."""
        for decl in self._of("diagram"):
            tree = decl.tree
            members = tree.children[1:]
            refines = None
            attributes = None
            modes: list[str] = []
            for node in members:
                if node.data == "refines":
                    refines = str(node.children[0])
                    if self.lookup(decl.file, refines, self.span(decl.file, node.children[0]),
                                   ("component", "diagram"), "component or diagram") is None:
                        refines = None
                elif node.data == "attrs":
                    attributes = self.attributes(decl.file, node, None, kind_required=True)
                elif node.data == "modes":
                    for token in node.children:
                        if str(token) in modes:
                            self.report(report("E0112", self.span(decl.file, token), f"mode `{token}` is declared twice", label="repeated"))
                        else:
                            modes.append(str(token))
            ports = self._ports(decl.file, [n for n in members if n.data == "port"], decl.name,
                                modes)
            notes = [unquote(str(n.children[0])) for n in members if n.data == "note"]
            self.proposal.diagrams[decl.name] = Diagram(
                name=decl.name, refines=refines, attributes=attributes, modes=modes, ports=ports,
                notes=notes, span=decl.span)

    def diagram_bodies(self) -> None:
        for decl in self._of("diagram"):
            diagram = self.proposal.diagrams[decl.name]
            body = _DiagramBody(self, decl, diagram)
            body.run()


_DECLARE = {"type": "type Name", "kind": "kind name", "parameter": "param name : Real",
            "component or diagram": "component Name : kind { ... }",
            "optimiser": "optimiser name : family"}
_BUILTIN_ARITY = {"Real": (0, 0), "Int": (0, 0), "Nat": (0, 0), "Bool": (0, 0), "Prob": (0, 0),
                  "Text": (0, 0), "List": (1, 2), "Set": (1, 1), "Dist": (1, 1)}


def _normal_number(text: str) -> str:
    """A canonical exact spelling of a numeric literal, so `1.50` and `1.5` compare equal."""
    value = Fraction(text)
    if value.denominator == 1:
        return str(value.numerator)
    return text.lower()


class _Scope:
    """Names inside a diagram body, used to read training signals."""

    def __init__(self, body: "_DiagramBody", mode_note: str = ""):
        self.body = body

    def reference(self, parts: list[str], span: Span) -> Expr | None:
        body = self.body
        el = body.el
        if len(parts) == 1:
            name = parts[0]
            port = body.outer.get(name)
            if port is not None:
                if port.direction == "in":
                    return PortRef(instance=None, port=name, span=span)
                el.report(report("E0201", span, f"`{name}` is an output of the diagram; a signal reads "
                                "outputs of boxes or inputs of the diagram",
                                label="cannot be read here",
                                help="name the box output that feeds it instead"))
                return None
            if name in body.instances or name in body.skipped:
                return Name(name=name, span=span)
            if name in el.proposal.params:
                return Name(name=name, span=span)
            if name in el.broken:
                return None
            el.report(report("E0106", span, f"unknown name `{name}` in the signal",
                            label="not a parameter, port or instance",
                            help=did_you_mean(name, list(el.proposal.params) + list(body.outer)
                                              + list(body.instances)) or
                            "signals use parameters, box outputs (`rm.score`) and numbers"))
            return None
        if len(parts) > 2:
            el.report(report("E0105", span, f"`{'.'.join(parts)}` has too many parts",
                            label="write `instance.port`"))
            return None
        endpoint = body.endpoint(Endpoint(instance=parts[0], port=parts[1], span=span))
        if endpoint is None:
            return None
        return PortRef(instance=parts[0], port=parts[1], span=span)

    def call(self, name: str, args: list, span: Span) -> Expr | None:
        el = self.body.el
        signature = SIGNAL_FUNCTIONS.get(name)
        if signature is None:
            el.report(report("E0110", span, f"unknown function `{name}`", label="not a function",
                            help=did_you_mean(name, SIGNAL_FUNCTIONS) or
                            "functions: " + ", ".join(sorted(SIGNAL_FUNCTIONS))))
            return None
        arity, what = signature
        if (arity is not None and len(args) != arity) or (arity is None and not args):
            el.report(report("E0306", span, f"`{name}` takes {arity if arity is not None else 'one or more'} "
                            f"argument{'s' if arity != 1 else ''}, given {len(args)}",
                            label="wrong number of arguments"))
            return None
        converted = []
        for arg in args:
            if what == "instances":
                if not (arg.data == "ref" and len(arg.children) == 1):
                    el.report(report("E0304", el.span(self.body.decl.file, arg), f"`{name}` compares two instances, e.g. `kl(pi, ref)`", label="not an instance name"))
                    return None
                instance = str(arg.children[0])
                arg_span = el.span(self.body.decl.file, arg)
                if instance not in self.body.instances:
                    if instance not in self.body.skipped:
                        el.report(report("E0104", arg_span, f"unknown instance `{instance}`",
                                        label="not an instance of this diagram",
                                        help=did_you_mean(instance, self.body.instances) or
                                        "declare it: `name = Component`"))
                    return None
                converted.append(Name(name=instance, span=arg_span))
            else:
                value = el.expr(self.body.decl.file, arg, self)
                if value is None:
                    return None
                converted.append(value)
        return Call(function=name, args=converted, span=span)


class _DiagramBody:
    def __init__(self, el: _Elaborator, decl: Declaration, diagram: Diagram):
        self.el = el
        self.decl = decl
        self.diagram = diagram
        self.outer = {p.name: p for p in diagram.ports}
        self.instances: dict[str, Instance] = {}
        self.skipped: set[str] = set()  # instances of broken declarations: uses stay silent

    def run(self) -> None:
        el, decl, diagram = self.el, self.decl, self.diagram
        file = decl.file
        members = decl.tree.children[1:]
        # Snapshots (`ref = frozen pi`) may precede the instance they copy: do them second.
        names = {str(n.children[0]) for n in members if n.data == "instance"}
        instances = [n for n in members if n.data == "instance"]
        snapshots = [n for n in instances if isinstance(n.children[1], Token)
                     and n.children[1].type == "FROZEN" and str(n.children[2]) in names]
        for node in [n for n in instances if n not in snapshots] + snapshots:
            self.instance(node)
        order = {str(n.children[0]): i for i, n in enumerate(instances)}
        self.instances = dict(sorted(self.instances.items(), key=lambda kv: order[kv[0]]))
        wires: list[Wire] = []
        trainings: list[Training] = []
        for node in members:
            if node.data in ("allow", "assertion"):
                el._metadata(file, node, diagram.name)
            if node.data == "wire":
                wires += self.wire(node)
            elif node.data == "train":
                training = self.training(node)
                if training is not None:
                    trainings.append(training)
        diagram.instances = list(self.instances.values())
        diagram.wires = wires
        diagram.trainings = trainings

    def instance(self, node: Tree) -> None:
        el, file = self.el, self.decl.file
        children = list(node.children)
        name_token = children.pop(0)
        name = str(name_token)
        span = el.span(file, name_token)
        frozen = False
        if isinstance(children[0], Token) and children[0].type == "FROZEN":
            frozen = True
            children.pop(0)
        target_token = children.pop(0)
        target = str(target_token)
        target_span = el.span(file, target_token)
        with_attrs = modes = None
        notes = []
        for child in children:
            if child.data == "with_attrs":
                with_attrs = child.children[0]
            elif child.data == "when":
                modes = el.modes_of(file, child, self.diagram.modes)
            elif child.data == "note":
                notes.append(unquote(str(child.children[0])))
        if name in self.instances or name in self.skipped:
            first = self.instances.get(name)
            el.report(report("E0112", span, f"instance `{name}` is declared twice in `{self.diagram.name}`", label="second declaration",
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
        snapshot_of = None
        if frozen and target in self.instances:
            original = self.instances[target]
            snapshot_of = target
            of, of_diagram, base = original.of, original.of_diagram, original.attributes
        else:
            decl = el.lookup(file, target, target_span, ("component", "diagram"),
                             "component or diagram")
            if decl is None:
                if frozen and target not in el.damaged:
                    # `frozen x` may have meant a snapshot of an instance
                    pass
                self.skipped.add(name)
                return
            of_diagram = decl.form == "diagram"
            of = target
            if of_diagram:
                box = el.proposal.diagrams.get(target)
                base = box.attributes if box and box.attributes else Attributes(kind="system")
            else:
                box = el.proposal.components.get(target)
                if box is None:
                    self.skipped.add(name)
                    return
                base = box.attributes
        attributes = el.attributes(file, with_attrs, base, kind_required=False)
        if frozen:
            attributes = attributes.model_copy(update={"learned": False})
        self.instances[name] = Instance(
            name=name, of=of, of_diagram=of_diagram, frozen=frozen, snapshot_of=snapshot_of,
            attributes=attributes, modes=modes, notes=notes, span=span)

    def ports_of(self, instance: Instance) -> list[Port]:
        box = self.el.proposal.box(instance.of)
        return box.ports if box is not None else []

    def excuse(self, what: str) -> None:
        self.el.excused.add((self.diagram.name, what))

    def endpoint(self, endpoint: Endpoint) -> Port | None:
        """The port an endpoint names, or a diagnostic. A wire that fails here leaves a hole the
        checker would report again (an unconnected input, an unused instance): the endpoint the
        user most likely meant is excused instead."""
        el = self.el
        if endpoint.instance is not None:
            self.excuse(endpoint.instance)
        if endpoint.instance is None:
            port = self.outer.get(endpoint.port)
            if port is not None:
                return port
            if endpoint.port in self.instances:
                ports = [p.name for p in self.ports_of(self.instances[endpoint.port])]
                el.report(report("E0105", endpoint.span, f"`{endpoint.port}` is an instance, not a port", label="name a port of it",
                                help=f"write `{endpoint.port}.<port>`; its ports: " + ", ".join(ports)))
                return None
            if endpoint.port in self.skipped:
                return None
            el.report(report("E0105", endpoint.span, f"`{self.diagram.name}` has no outer port `{endpoint.port}`", label="not a port of the diagram",
                            help=did_you_mean(endpoint.port, list(self.outer) + list(self.instances))
                            or "ports: " + (", ".join(self.outer) or "none")))
            return None
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
                            label="not an instance of this diagram",
                            help=did_you_mean(endpoint.instance, self.instances) or
                            f"declare it: `{endpoint.instance} = Component`"))
            return None
        ports = self.ports_of(instance)
        port = next((p for p in ports if p.name == endpoint.port), None)
        if (instance.of, endpoint.port) in el.ambiguous_ports:
            self.excuse(f"{instance.name}.*")
            return None  # E0112 already reported the duplicate; which one is meant is unknown
        if port is None:
            box = el.proposal.box(instance.of)
            guess = difflib.get_close_matches(endpoint.port, sorted(p.name for p in ports), n=1)
            if guess:
                self.excuse(f"{instance.name}.{guess[0]}")
            el.report(report("E0105", endpoint.span, f"`{instance.of}` has no port `{endpoint.port}`", label=f"not a port of `{endpoint.instance}`",
                            related=[(box.span if box else None, f"`{instance.of}` is declared here")],
                            help=did_you_mean(endpoint.port, [p.name for p in ports]) or
                            "its ports: " + (", ".join(f"{p.direction} {p.name}" for p in ports)
                                             or "none")))
            return None
        return port

    def _is_source(self, endpoint: Endpoint, port: Port) -> bool:
        # Inner outputs and outer inputs produce values inside the diagram.
        return (port.direction == "out") == (endpoint.instance is not None)

    def wire(self, node: Tree) -> list[Wire]:
        el, file = self.el, self.decl.file
        endpoints = []
        modes = None
        delayed = False
        notes = []
        for child in node.children:
            if isinstance(child, Token):
                delayed = True
            elif child.data == "endpoint":
                parts = [str(t) for t in child.children]
                instance, port = (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])
                endpoints.append(Endpoint(instance=instance, port=port, span=el.span(file, child)))
            elif child.data == "when":
                modes = el.modes_of(file, child, self.diagram.modes)
            elif child.data == "note":
                notes.append(unquote(str(child.children[0])))
        source, *targets = endpoints
        source_port = self.endpoint(source)
        if source_port is not None and not self._is_source(source, source_port):
            where = "an input of a box" if source.instance else "an output of the diagram"
            el.report(report("E0201", source.span, f"`{source}` is {where}; a wire starts at an output of a box "
                            "or an input of the diagram", label="cannot be a source",
                            related=[(source_port.span, f"`{source.port}` is declared here")],
                            help="swap the ends: wires run from producer to consumer"))
            source_port = None
        wires = []
        for target in targets:
            target_port = self.endpoint(target)
            if target_port is not None and self._is_source(target, target_port):
                if target.instance is not None:
                    self.excuse(f"{target.instance}.*")
                where = "an output of a box" if target.instance else "an input of the diagram"
                el.report(report("E0202", target.span, f"`{target}` is {where}; a wire ends at an input of a "
                                "box or an output of the diagram",
                                label="cannot be a target",
                                related=[(target_port.span, f"`{target.port}` is declared here")],
                                help="swap the ends: wires run from producer to consumer"))
                continue
            if target_port is None:
                continue
            if source_port is None:
                self.el.excused.add((self.diagram.name, str(target)))
                continue
            span = Span(file=source.span.file, line=source.span.line, column=source.span.column,
                        end_line=target.span.end_line, end_column=target.span.end_column)
            wires.append(Wire(source=source, target=target, delayed=delayed, modes=modes,
                              notes=notes, span=span))
        return wires

    def training(self, node: Tree) -> Training | None:
        el, file = self.el, self.decl.file
        target_token, optimiser_tree, objective_tree, signal_tree, *options = node.children
        target = str(target_token)
        modes = None
        notes = []
        for option in options:
            if option.data == "when":
                modes = el.modes_of(file, option, self.diagram.modes)
            else:
                notes.append(unquote(str(option.children[0])))
        ok = True
        if target not in self.instances:
            ok = False
            if target not in self.skipped:
                el.report(report("E0104", el.span(file, target_token), f"unknown instance `{target}` in `{self.diagram.name}`", label="not an instance of this diagram",
                                help=did_you_mean(target, self.instances) or
                                "training targets are instances of learned components"))
        optimiser = self.optimiser(optimiser_tree)
        signal = el.expr(file, signal_tree, _Scope(self))
        if not ok or optimiser is None or signal is None:
            return None
        name, family, argument = optimiser
        objective = "maximise" if str(objective_tree.children[0]).startswith("max") else "minimise"
        return Training(target=target, optimiser=name, family=family, argument=argument,
                        objective=objective, signal=signal, modes=modes, notes=notes,
                        span=el.span(file, node))

    def optimiser(self, tree: Tree):
        el, file = self.el, self.decl.file
        span = el.span(file, tree)
        if tree.data == "ref" and len(tree.children) == 1:
            name, args = str(tree.children[0]), []
        elif tree.data == "call" and len(tree.children[0].children) == 1:
            name, args = str(tree.children[0].children[0]), tree.children[1:]
        else:
            el.report(report("E0107", span, f"expected an optimiser, found `{el.text_of(file, tree)}`", label="not an optimiser",
                            help="write e.g. `by ppo` or `by best_of(n)`"))
            return None
        if el.lookup(file, name, span, ("optimiser",), "optimiser") is None:
            return None
        decl = el.proposal.optimisers.get(name)
        if decl is None:
            return None
        family = decl.family
        if len(args) > 1:
            el.report(report("E0305", span, f"`{name}` takes at most one argument",
                            label=f"{len(args)} given"))
            return None
        argument = el.expr(file, args[0]) if args else None
        if args and argument is None:
            return None
        if argument is None and family in ARGUMENT_NEEDED:
            el.report(report("E0305", span, f"`{name}` needs {ARGUMENT_NEEDED[family]}",
                            label="missing argument", help=f"write `{name}(n)`"))
            return None
        if argument is not None and family not in ARGUMENT_ALLOWED:
            el.report(report("E0305", span, f"`{name}` ({family}) takes no argument",
                            label="unexpected argument",
                            help="the strength of gradient and RL pressure is not a number of "
                            "samples; remove the argument"))
            return None
        return name, family, argument


def elaborate(program: Program) -> Elaboration:
    el = _Elaborator(program)
    el.collect()
    el.kinds()
    el.optimisers()
    el.params()
    el.types()
    el.components()
    el.diagram_headers()
    el.diagram_bodies()
    el.proposal.imports = [f for f in program.files if f not in (PRELUDE, program.root)]
    return Elaboration(proposal=el.proposal, diagnostics=el.diagnostics, excused=el.excused,
                       broken=el.broken)
