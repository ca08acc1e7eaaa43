"""Expressions and types: syntax nodes to the model's expressions, types and type declarations."""

from __future__ import annotations

import re
from fractions import Fraction

from .. import syntax
from ..diagnostics import Span, report
from ..model import (Binary, BoolType, Chain, CollectionType, EnumType, Expr, Field_, Infinity,
                     Link, Name, Neg, Num, NumType, OpaqueType, Param, PortRef, RecordType,
                     TypeDecl, UnknownType)
from ..names import did_you_mean
from ..syntax import bare
from ..types import interval_nonempty, names_in, show_interval
from .base import Declaration, ElaboratorBase

# A literal is exact, but the analyses compute with floats: a magnitude past 1e300 would
# overflow them (`miss = 1e400`), and past a few thousand digits Python refuses to convert the
# text at all. 1e300 leaves floats room for a few products.
MAX_MAGNITUDE = 300   # |value| < 10**300, and 0 or |value| >= 10**-300
MAX_DIGITS = 400      # digits written in a literal
_BUILTIN_ARITY = {"Real": (0, 0), "Int": (0, 0), "Nat": (0, 0), "Bool": (0, 0), "Prob": (0, 0),
                  "Text": (0, 0), "List": (1, 2), "Set": (1, 1), "Dist": (1, 1)}
_LEVELS = {"+": "+-", "-": "+-", "*": "*/", "/": "*/"}  # operators of one precedence level


class Values(ElaboratorBase):
    def __init__(self, program):
        super().__init__(program)
        self._types_in_progress: set[str] = set()
        # The parameters of the component being elaborated, which its port types may use.
        self.local_params: dict[str, Param] = {}
        # The inputs of the box whose ports are elaborated, which may index a port's type
        # (`out a : Answer[q]`), and whether an index is being read (only there).
        self.local_ports: set[str] = set()
        self._in_index = False
        self.local_owner = ""    # the component or diagram those parameters are of
        # While a box's attributes are elaborated, its parameters (name -> box), which they
        # may not use: named there, they get their own E0106.
        self.hidden_params: dict[str, str] = {}

    # ------------------------------------------------------------------------- expressions
    def expr(self, node: syntax.Node, scope=None) -> Expr | None:
        """An expression to the model. Without a scope, names must be parameters (type
        indices, bounds, defaults); with one (a `Scope` of a diagram body), they may be ports
        and instances (signals)."""
        node = bare(node)
        kind = type(node)
        if kind is syntax.Number:
            return self._number(node)
        if kind is syntax.Infinity:
            return Infinity(span=node.span)
        if kind is syntax.Neg:
            inner = self.expr(node.operand, scope)
            return Neg(arg=inner, span=node.span) if inner is not None else None
        if kind is syntax.Binary:
            return self._binary(node, scope)
        if kind is syntax.Ref:
            return self._reference(node, scope)
        if kind is syntax.Call:
            if scope is None:
                self.report(report("E0110", node.span,
                                   f"function calls such as `{node.function.dotted}(...)` cannot appear "
                                   "in a type, bound or default", label="not allowed here",
                                   help="write the value as arithmetic over numbers and "
                                   "parameters"))
                return None
            return scope.call(node.function.dotted, node.args, node.span)
        if kind is syntax.String:
            self.report(report("E0110", node.span, f"{node.text} is a string, not a number",
                               label="not a number",
                               help="strings are arguments of `empirical(\"file.csv\", "
                               "\"column\")` in a behaviour, and nothing else"))
            return None
        if kind is not syntax.Apply:     # a comparison or `and`, in parentheses
            self.report(report("E0110", node.span, f"`{node.text}` is a condition, which only "
                               "a behaviour computes", label="not a number",
                               help="write a number, or arithmetic over numbers and parameters"))
            return None
        self.report(report("E0117", node.span, "a type cannot appear inside an expression",
                          label="this is a type application"))
        return None

    def _number(self, node: syntax.Number) -> Num | None:
        text = node.text
        why = out_of_range(text)
        if why is not None:
            shown = text if len(text) <= 40 else f"{text[:20]}...{text[-10:]}"
            self.report(report("E0120", node.span, f"the number `{shown}` is out of range",
                               label=why))
            return None
        return Num(value=_normal_number(text), span=node.span)

    def _binary(self, node: syntax.Binary, scope) -> Expr | None:
        if node.op == "^":
            left, right = self.expr(node.left, scope), self.expr(node.right, scope)
            if left is None or right is None:
                return None
            return Binary(op="^", left=left, right=right, span=node.span)
        # A left-nested chain of one precedence level (`a + b - c`) is one Chain, flattened
        # iteratively: the parse stage allows 400 operators.
        level = _LEVELS[node.op]
        links = []
        first = node
        while type(first) is syntax.Binary and first.op in level:
            links.append((first.op, first.right))
            first = bare(first.left)
        head = self.expr(first, scope)
        rest = [(op, self.expr(arg, scope)) for op, arg in reversed(links)]
        if head is None or any(arg is None for _, arg in rest):
            return None
        if len(rest) == 1:
            return Binary(op=rest[0][0], left=head, right=rest[0][1], span=node.span)
        return Chain(first=head, rest=[Link(op=op, arg=arg) for op, arg in rest], span=node.span)

    def _reference(self, node: syntax.Ref, scope) -> Expr | None:
        parts, span = node.names, node.span
        if scope is not None:
            return scope.reference(parts, span)
        if len(parts) > 1:
            self.report(report("E0106", span, f"`{'.'.join(parts)}` is not a parameter",
                              label="ports cannot appear here",
                              help="types, bounds and defaults may use only numbers and "
                              "declared parameters"))
            return None
        if parts[0] in self.local_params:
            return Name(name=parts[0], span=span)
        if parts[0] in self.local_ports and self._in_index:
            return PortRef(instance=None, port=parts[0], span=span)
        if self._in_index and parts[0] not in self.proposal.params:
            guess = did_you_mean(parts[0], self.local_ports)   # a port misspelt in `Answer[q]`
            if guess:
                self.report(report("E0106", span, f"unknown name `{parts[0]}`",
                                   label="neither a parameter nor a port of this box",
                                   help=guess.replace("`?", "`, the port?")))
                return None
        if parts[0] in self.hidden_params:
            self.report(report("E0106", span, f"`{parts[0]}` is a parameter of "
                               f"`{self.hidden_params[parts[0]]}`, which is for its types",
                               label="not usable here",
                               help="attribute values (coverage, cost, ...) are the analyses' "
                                    f"numbers: use a proposal `param {parts[0]} : ...` here"))
            return None
        decl = self.lookup(node.file, parts[0], span, ("param",), "parameter")
        return Name(name=parts[0], span=span) if decl is not None else None

    # ------------------------------------------------------------------------------- types
    def type_of(self, node: syntax.Node):
        """A type (plain, interval or bound) to a model type."""
        base = self.type_expr(node.base)
        if type(node) is syntax.PlainType or isinstance(base, UnknownType):
            return base
        if not isinstance(base, NumType):
            self.report(report("E0118", node.span,
                               f"only numbers can be refined; `{bare(node.base).text}` "
                               "is not a number type",
                               help="refine `Real`, `Int` or `Nat`, e.g. `Real in [0, 1]`"))
            return UnknownType()
        refined = self._refined(node, base)
        if refined is None:
            return UnknownType()
        if isinstance(refined.lower, Infinity):
            refined = refined.model_copy(update={"lower": None})
        nonempty = interval_nonempty(refined, self.decider())
        if nonempty is False:
            self.report(report("E0115", node.span, f"the interval {show_interval(refined)} is empty"))
            return UnknownType()
        if nonempty is None and self.decider().gave_up:
            # A bound the checker cannot compute with (`9^9^9`): every later comparison with
            # it would be undecided too, so say so once, here.
            self.report(report("E0206", node.span, "cannot prove the interval "
                               f"{show_interval(refined)} is not empty",
                               label=f"the checker gave up on {self.decider().gave_up}",
                               help="write the bound as a number below 1e300, or leave the "
                               "interval open (`Real >= 0`)"))
            return UnknownType()
        return refined

    def _refined(self, node, base: NumType) -> NumType | None:
        if type(node) is syntax.IntervalType:
            interval = node.interval
            lower, upper = self.expr(interval.lower), self.expr(interval.upper)
            if lower is None or upper is None:
                return None
            # Unvalidated, like the bound below: `type_of` reports an empty interval as
            # E0115 and drops it, where NumType's own validation would raise.
            return base.model_copy(update={"lower": lower, "upper": upper,
                                           "lower_open": interval.lower_open,
                                           "upper_open": interval.upper_open})
        bound = self.expr(node.bound)
        if bound is None:
            return None
        if node.op.startswith(">"):
            return base.model_copy(update={"lower": bound, "lower_open": node.op == ">"})
        return base.model_copy(update={"upper": bound, "upper_open": node.op == "<"})

    def type_expr(self, node: syntax.Node):
        """An expression read as a type: `Prompt`, `List[Response]`, `Transcript[2*n]`."""
        node = bare(node)
        kind = type(node)
        if kind in (syntax.Ref, syntax.Apply):
            ref, args = (node, ()) if kind is syntax.Ref else (node.function, node.args)
            if len(ref.parts) > 1:
                self.report(report("E0101", node.span, f"`{ref.dotted}` is not a type",
                                  label="expected a type"))
                return UnknownType()
            return self.named_type(node.file, ref.parts[0].text, args, node.span)
        self.report(report("E0117", node.span, f"expected a type, found `{node.text}`",
                          help="types are names such as `Prompt`, `Real in [0, 1]` or "
                          "`List[Response]`"))
        return UnknownType()

    def named_type(self, file: str, name: str, args: tuple, span: Span):
        if name in _BUILTIN_ARITY:
            return self._builtin_type(name, args, span)
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
        self._in_index = True       # `Answer[q]`: an index may name an input of the box
        try:
            indices = [self.expr(a) for a in args]
        finally:
            self._in_index = False
        if any(i is None for i in indices):
            return UnknownType()
        for index in indices:
            if not isinstance(index, PortRef) and any(
                    isinstance(n, PortRef) for n in names_in(index)):
                self.report(report("E0132", index.span or span, "a port stands alone as an "
                                   "index: it names what a value answers, not a number",
                                   label="a port inside arithmetic",
                                   help=f"write the input's name alone: `{name}[<input>]`"))
                return UnknownType()
        return OpaqueType(name=name, indices=indices)

    def _builtin_type(self, name: str, args: tuple, span: Span):
        low, high = _BUILTIN_ARITY[name]
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
        element = self.type_expr(args[0])
        size = self.expr(args[1]) if len(args) > 1 else None
        if len(args) > 1 and size is None:
            return UnknownType()
        return CollectionType(constructor=name, element=element, size=size)

    def _arity_error(self, name, args, span, expected, declared_at=None):
        self.report(report("E0113", span, f"`{name}` takes {expected} index argument"
                          f"{'s' if expected != '1' else ''}, given {len(args)}",
                          given=len(args),
                          related=[(declared_at, f"`{name}` is declared here")],
                          help="write `Name[i, ...]` with one index per declared parameter"
                          if expected != "0" else f"`{name}` takes no index"))
        return UnknownType()

    # ------------------------------------------------------------------- type declarations
    def type_decl(self, decl: Declaration) -> TypeDecl | None:
        """Elaborate a type declaration on first use (aliases may refer forward)."""
        done = self.proposal.types.get(decl.name)
        if done is not None:
            return done
        if decl.name in self._types_in_progress:
            self.report(report("E0116", decl.span, f"the type alias `{decl.name}` refers to itself",
                              help="an alias must eventually name a type that is not an alias"))
            return None
        self._types_in_progress.add(decl.name)
        local, self.local_params = self.local_params, {}   # a type sees no component's
        ports, self.local_ports = self.local_ports, set()
        try:
            node = decl.node
            made = (self._enum(decl, node) if type(node) is syntax.EnumDecl else
                    self._record(decl, node) if type(node) is syntax.RecordDecl else
                    self._type(decl, node))
        finally:
            self._types_in_progress.discard(decl.name)
            self.local_params, self.local_ports = local, ports
        if made is not None:
            self.proposal.types[decl.name] = made
        return made

    def _enum(self, decl: Declaration, node: syntax.EnumDecl) -> TypeDecl:
        members = [member.text for member in node.members]
        for i, member in enumerate(members):
            if member in members[:i]:
                self.report(report("E0112", node.members[i].span,
                                   f"enum member `{member}` is listed twice",
                                   help="remove the repeat"))
        return TypeDecl(name=decl.name, form="enum", members=list(dict.fromkeys(members)),
                        span=decl.span)

    def _record(self, decl: Declaration, node: syntax.RecordDecl) -> TypeDecl:
        fields: list[Field_] = []
        for field in node.fields:
            name, span = field.name.text, field.name.span
            if any(f.name == name for f in fields):
                self.report(report("E0112", span, f"field `{name}` is declared twice"))
                continue
            fields.append(Field_(name=name, type=self.type_of(field.type),
                                 written=field.type.text, span=span))
        return TypeDecl(name=decl.name, form="record", fields=fields, span=decl.span)

    def _type(self, decl: Declaration, node: syntax.TypeDecl) -> TypeDecl:
        indices = [index.text for index in node.indices]
        for i, index in enumerate(node.indices):
            if index.text in indices[:i]:
                self.report(report("E0112", index.span,
                                   f"index `{index.text}` of `{decl.name}` is named twice",
                                   help="give each index its own name"))
        if node.definition is None:
            return TypeDecl(name=decl.name, form="family" if indices else "opaque",
                            indices=indices, span=decl.span)
        if indices:
            self.report(report("E0113", decl.span, "an alias cannot take indices", label="",
                              help="declare an indexed family without `=`: `type Name[i]`"))
        return TypeDecl(name=decl.name, form="alias", target=self.type_of(node.definition),
                        written=node.definition.text, span=decl.span)


def out_of_range(text: str) -> str | None:
    """Why a numeric literal is out of range, or None. Read from its digits, never converted
    first: converting is what fails (or never ends) for the ones this refuses."""
    found = re.fullmatch(r"(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?", text)
    assert found is not None, text
    whole, fraction, exponent = found.group(1), found.group(2) or "", found.group(3) or "0"
    if len(whole) + len(fraction) > MAX_DIGITS:
        return f"{len(whole) + len(fraction)} digits, more than {MAX_DIGITS}"
    if len(exponent.lstrip("+-")) > 6:
        return f"beyond 1e{MAX_MAGNITUDE}" if not exponent.startswith("-") else \
            f"not zero, but below 1e-{MAX_MAGNITUDE}"
    if not (whole + fraction).strip("0"):
        return None  # zero, whatever its exponent
    if whole.strip("0"):
        lead = len(whole.lstrip("0")) - 1
    else:
        lead = -(len(fraction) - len(fraction.lstrip("0"))) - 1
    power = lead + int(exponent)
    if power >= MAX_MAGNITUDE:
        return f"1e{MAX_MAGNITUDE} or more"
    if power < -MAX_MAGNITUDE:
        return f"not zero, but below 1e-{MAX_MAGNITUDE}"
    return None


def _normal_number(text: str) -> str:
    """A canonical exact spelling of a numeric literal, so `1.50` and `1.5` compare equal."""
    value = Fraction(text)
    if value.denominator == 1:
        return str(value.numerator)
    return text.lower()
