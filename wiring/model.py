"""The checked model of a proposal: plain pydantic data, the same from a .wd file or from JSON.

Expressions and types are trees (never strings to be parsed again), so that exporting a model to
JSON and loading it back gives an equal model without evaluating any text.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, model_serializer, model_validator
from pydantic_core import PydanticCustomError

from .diagnostics import Span

SCHEMA_VERSION = 1
# Where the built-in declarations come from (the names `sources.PRELUDE` and `sources.STD` give
# them): the prelude, and the standard library shipped in the package.
PRELUDE_FILE = "<prelude>"
LIBRARY_PREFIX = "std/"


def from_library(span: Span | None) -> bool:
    """Whether a declaration comes with wiring (the prelude or `std/...`), not from a user file."""
    return span is not None and (span.file == PRELUDE_FILE or span.file.startswith(LIBRARY_PREFIX))


def _invalid(code: str, message: str) -> PydanticCustomError:
    """A model that cannot be built: the error's type is the diagnostic code that the same
    mistake gets in a .wd file, so that a JSON load reports it under that code."""
    return PydanticCustomError(code, message)


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


# --------------------------------------------------------------------------------- expressions

class Num(_Node):
    """A numeric literal, kept as written (exact decimal) to avoid floating-point drift."""

    node: Literal["num"] = "num"
    value: str
    span: Span | None = None


class Infinity(_Node):
    node: Literal["inf"] = "inf"
    span: Span | None = None


class Name(_Node):
    """A parameter, or an instance where one is expected (`kl(pi, ref)`)."""

    node: Literal["name"] = "name"
    name: str
    span: Span | None = None


class PortRef(_Node):
    """An output of an instance (`rm.score`) or an outer input port of the diagram (`prompt`)."""

    node: Literal["port"] = "port"
    instance: str | None
    port: str
    span: Span | None = None


class Neg(_Node):
    node: Literal["neg"] = "neg"
    arg: Expr
    span: Span | None = None


class Binary(_Node):
    node: Literal["binary"] = "binary"
    op: Literal["+", "-", "*", "/", "^"]
    left: Expr
    right: Expr
    span: Span | None = None


class Link(_Node):
    op: Literal["+", "-", "*", "/"]
    arg: Expr


class Chain(_Node):
    """`a + b - c + ...` or `a * b / c * ...`: a left fold kept flat, so that a long sum is a
    shallow tree (for the JSON export, and for every stage that walks expressions)."""

    node: Literal["chain"] = "chain"
    first: Expr
    rest: list[Link]
    span: Span | None = None


class Call(_Node):
    node: Literal["call"] = "call"
    function: str
    args: list[Expr]
    span: Span | None = None


Expr = Annotated[Union[Num, Infinity, Name, PortRef, Neg, Binary, Chain, Call],
                 Field(discriminator="node")]


# --------------------------------------------------------------------------------------- types

class OpaqueType(_Node):
    """A declared base type, or a member of an indexed family (`Transcript[n]`)."""

    t: Literal["opaque"] = "opaque"
    name: str
    indices: list[Expr] = []


class NumType(_Node):
    """`Real` or `Int`, refined to an interval; a missing bound is infinite."""

    t: Literal["num"] = "num"
    base: Literal["Real", "Int"]
    lower: Expr | None = None
    upper: Expr | None = None
    lower_open: bool = False
    upper_open: bool = False

    @model_validator(mode="after")
    def _nonempty(self):
        lower, upper = literal_number(self.lower), literal_number(self.upper)
        if lower is not None and upper is not None and (
                lower > upper or (lower == upper and (self.lower_open or self.upper_open))):
            raise _invalid("E0115", "the interval of a number type is empty")
        return self


def literal_number(expr: Expr | None):
    """The value of a bound written as a number (or -number), else None: bounds written in
    parameters are decided by the checker, which knows their ranges."""
    from fractions import Fraction

    sign = 1
    if isinstance(expr, Neg):
        sign, expr = -1, expr.arg
    if isinstance(expr, Num):
        try:
            return sign * Fraction(expr.value)
        except (ValueError, ZeroDivisionError):
            return None
    return None


class BoolType(_Node):
    t: Literal["bool"] = "bool"


class RecordType(_Node):
    t: Literal["record"] = "record"
    name: str


class EnumType(_Node):
    t: Literal["enum"] = "enum"
    name: str


class CollectionType(_Node):
    t: Literal["collection"] = "collection"
    constructor: Literal["List", "Set", "Dist"]
    element: Type
    size: Expr | None = None


class UnknownType(_Node):
    """The type of something whose declaration had an error; compatible with everything, so one
    mistake is reported once."""

    t: Literal["unknown"] = "unknown"


Type = Annotated[Union[OpaqueType, NumType, BoolType, RecordType, EnumType, CollectionType,
                       UnknownType], Field(discriminator="t")]


# -------------------------------------------------------------------------------- declarations

Trust = Literal["human", "trusted", "untrusted", "formal", "environment"]
TRUST_LEVELS: tuple[str, ...] = get_args(Trust)
TRUSTED: tuple[str, ...] = ("trusted", "formal")       # trusted by construction or by proof
GATE_TRUST: tuple[str, ...] = TRUSTED + ("human",)     # trust enough to gate untrusted output
Direction = Literal["in", "out"]
Objective = Literal["maximise", "minimise"]
OptimiserFamily = Literal["gradient", "rl", "best_of", "early_stopping", "selection",
                          "quantilizer", "human_selection", "supervised"]
OPTIMISER_FAMILIES: tuple[str, ...] = get_args(OptimiserFamily)
# Families that choose among candidates (n samples, checkpoints, a fraction q): they take an
# argument, and push as hard as log(n) nats.
CHOOSING: tuple[str, ...] = ("best_of", "quantilizer", "early_stopping", "selection",
                             "human_selection")
SELECTING: tuple[str, ...] = ("best_of", "quantilizer", "human_selection")  # outputs, not params
EVALUATING: tuple[str, ...] = ("rl",) + CHOOSING     # optimise what a signal says of the output
UNBOUNDED: tuple[str, ...] = ("rl", "gradient")      # push without a bound of their own
MERGE_OPERATORS: tuple[str, ...] = ("sum", "max", "min", "any", "all", "union", "concat", "mean")
# The phase a mode runs in, declared with it (`modes rl : training, serve : deployment`): what
# the analyses read as deployment (what reaches the world), as learning, and as held-out
# evaluation.
Phase = Literal["training", "evaluation", "deployment"]
PHASES: tuple[str, ...] = get_args(Phase)


class KindDecl(_Node):
    name: str
    parent: str | None = None
    doc: str = ""
    span: Span | None = None


class Field_(_Node):
    name: str
    type: Type
    written: str
    span: Span | None = None


class TypeDecl(_Node):
    name: str
    form: Literal["opaque", "family", "alias", "record", "enum"]
    indices: list[str] = []
    target: Type | None = None
    fields: list[Field_] = []
    members: list[str] = []
    written: str = ""
    span: Span | None = None


class Param(_Node):
    name: str
    type: NumType
    written: str
    default: Expr | None = None
    span: Span | None = None


class OptimiserDecl(_Node):
    name: str
    family: OptimiserFamily
    doc: str = ""
    span: Span | None = None


class Port(_Node):
    name: str
    direction: Direction
    type: Type
    written: str
    inferred: bool = False  # an outer port of a diagram whose type the checker inferred
    default: Expr | None = None
    merge: str | None = None
    modes: list[str] | None = None
    notes: list[str] = []
    span: Span | None = None

    @model_validator(mode="after")
    def _options_fit(self):
        if self.merge is not None and (self.direction == "out" or
                                       self.merge not in MERGE_OPERATORS):
            raise _invalid("E0213", f"port `{self.name}`: only inputs merge, with one of "
                           + ", ".join(MERGE_OPERATORS))
        if self.default is not None and self.direction == "out":
            raise _invalid("E0214", f"port `{self.name}`: only inputs can have defaults")
        return self


def _unique(names: list[str], what: str, owner: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise _invalid("E0112", f"`{owner}` has two {what} named `{name}`")
        seen.add(name)


class Attributes(_Node):
    """What the alignment layer reads about a box."""

    kind: str
    also: list[str] = Field(default=[], description=(
        "the box's other kinds (`component Assistant : policy, reward_model`): every analysis "
        "treats it as each of them; `kind`, the first, sets its drawing and default trust"))
    learned: bool = False
    trust: Trust = "untrusted"
    stateful: bool = False
    heldout: bool = False
    provenance: str | None = None
    extra: dict[str, Expr] = {}  # numbers the analyses read: coverage, miss, cost, budget


class Component(_Node):
    name: str
    params: list[Param] = Field(default=[], description=(
        "parameters its port types may use (`component Debater(rounds : Nat >= 1)`), given "
        "at each instance"))
    attributes: Attributes
    ports: list[Port] = []
    notes: list[str] = []
    span: Span | None = None

    @model_validator(mode="after")
    def _signature(self):
        _unique([p.name for p in self.ports], "ports", self.name)
        _unique([p.name for p in self.params], "parameters", self.name)
        return self


class Instance(_Node):
    name: str
    of: str
    of_diagram: bool = False
    frozen: bool = False
    snapshot_of: str | None = None
    shares: str | None = Field(default=None, description=(
        "the instance of the same diagram whose parameters this one uses (`d2 = shared d1`): "
        "one model behind both boxes"))
    args: dict[str, Expr] = Field(default={}, description=(
        "the values of its component's parameters, as written (`Debater(rounds = 3)`); a "
        "parameter not given takes its default"))
    attributes: Attributes
    modes: list[str] | None = None
    notes: list[str] = []
    span: Span | None = None


class Endpoint(_Node):
    """`inst.port`, or a bare outer port of the enclosing diagram when `instance` is None."""

    instance: str | None
    port: str
    span: Span | None = None

    def __str__(self) -> str:
        return f"{self.instance}.{self.port}" if self.instance else self.port


class Wire(_Node):
    source: Endpoint
    target: Endpoint
    delayed: bool = False
    modes: list[str] | None = None
    notes: list[str] = []
    span: Span | None = None


class Training(_Node):
    """An optimisation wire (Para): a scalar signal optimising the parameters of `target`."""

    target: str
    optimiser: str
    family: OptimiserFamily
    argument: Expr | None = None
    objective: Objective
    signal: Expr
    modes: list[str] | None = None
    notes: list[str] = []
    span: Span | None = None


class Copy(_Node):
    """A source that feeds several targets: Myers' copy, free but explicit."""

    source: str
    targets: list[str]


class Merge(_Node):
    """Several sources into one input, allowed because the input declares `op`."""

    target: str
    op: str
    sources: list[str]


class Allow(_Node):
    """`allow CODE [on BOX] because "reason"`: a finding acknowledged as inherent to the design.
    It still appears in reports, marked acknowledged, and does not fail the run."""

    code: str
    target: str | None = None
    reason: str
    diagram: str | None = None
    span: Span | None = None


class Assertion(_Node):
    """A claim checked like an Alloy command: it holds, or fails with a witness path."""

    claim: Literal["no_path", "gated", "trusted", "no_incentive"]
    source: str | None = None      # no_path: from; no_incentive: the decision
    target: str                    # no_path: to; gated/trusted: the box or port; no_incentive: on
    avoiding: list[str] = []
    incentive: Literal["control", "response", "information"] | None = None
    text: str
    diagram: str | None = None
    span: Span | None = None

    @property
    def names(self) -> list[str]:
        """The boxes and ports the claim names, in the order written."""
        return [n for n in (self.source, self.target, *self.avoiding) if n]


class ModeDecl(_Node):
    """How a diagram declares one of its modes: the phase written with it (None: none, so the
    phase is inherited from the outer mode it runs in, or assumed) and where it is written."""

    phase: Phase | None = None
    span: Span | None = None


class Diagram(_Node):
    name: str
    params: list[Param] = Field(default=[], description=(
        "parameters its outer port types and its instances' values may use "
        "(`diagram Debate(rounds : Nat >= 1)`), given at each instance"))
    refines: str | None = None
    attributes: Attributes | None = None
    modes: list[str] = []
    # Each mode's declaration, by name (a mode missing here declares no phase).
    phases: dict[str, ModeDecl] = {}
    ports: list[Port] = []
    instances: list[Instance] = []
    wires: list[Wire] = []
    trainings: list[Training] = []
    copies: list[Copy] = []
    merges: list[Merge] = []
    notes: list[str] = []
    span: Span | None = None

    @model_validator(mode="after")
    def _signature(self):
        _unique([p.name for p in self.ports], "ports", self.name)
        return self


_CARRIED = ("Declared in the proposal's own files, or used by them. A name this document "
            "refers to (a kind, type, parameter, optimiser, component or diagram) that it does "
            "not carry is a built-in: declared in the prelude or in one of the `imports` that "
            "start with `std/`, the standard library shipped with wiring, and referenced by "
            "name; `wiring.load_json` restores these from the installed library.")


# Behaviours read the expressions above; the proposal holds them (imported here, once those
# are defined, since that module builds on this one).
from .model_behaviours import Behaviour, Evaluation  # noqa: E402


class Proposal(_Node):
    """A checked proposal. An export carries the declarations of the proposal's own files and
    the built-in ones (the prelude's kinds and optimisers, the standard library's declarations)
    that they use, transitively; every other built-in is referenced by name only."""

    schema_version: int = SCHEMA_VERSION
    file: str
    title: str | None = None
    citations: list[str] = []
    notes: list[str] = []
    imports: list[str] = []
    kinds: dict[str, KindDecl] = Field(default={}, description=_CARRIED)
    types: dict[str, TypeDecl] = Field(default={}, description=_CARRIED)
    params: dict[str, Param] = Field(default={}, description=_CARRIED)
    optimisers: dict[str, OptimiserDecl] = Field(default={}, description=_CARRIED)
    components: dict[str, Component] = Field(default={}, description=_CARRIED)
    diagrams: dict[str, Diagram] = Field(default={}, description=_CARRIED)
    allows: list[Allow] = []
    assertions: list[Assertion] = []
    # What the boxes do in numbers, for `wiring evaluate` (docs/behaviours.md).
    adversaries: dict[str, Param] = {}
    behaviours: dict[str, Behaviour] = {}
    evaluations: list[Evaluation] = []

    def box(self, name: str) -> Component | Diagram | None:
        return self.components.get(name) or self.diagrams.get(name)

    def ports_of(self, instance: Instance) -> list[Port]:
        """An instance's ports: its box's, with the values of the component's parameters in
        their types (`Debater(rounds = 3)`: `Transcript[rounds]` is `Transcript[3]`)."""
        box = self.box(instance.of)
        if box is None:
            return []
        params = getattr(box, "params", [])
        if not params:
            return box.ports
        values: dict[str, Expr] = {}
        unknown: set[str] = set()
        for param in params:    # in order: a default may use the parameters before it
            value = instance.args.get(param.name, param.default)
            if value is None or mentions(value, unknown):
                unknown.add(param.name)
            else:
                values[param.name] = substitute(value, values)
        # A parameter left without a value was reported (E0130, E0124): the types that use it
        # are unknown, so that its wires stay silent.
        return [p.model_copy(update={"type": UnknownType() if mentions(p.type, unknown)
                                     else substitute(p.type, values)}) for p in box.ports]

    @model_serializer(mode="wrap")
    def _carried_only(self, handler):
        """Every dump (`model_dump_json`, `wiring export`) leaves out the built-ins the
        proposal does not use: a ten-line file is not the whole prelude."""
        data = handler(self)
        keep = carried(self)
        for field in DECLARATIONS:
            if isinstance(data.get(field), dict):
                data[field] = {k: v for k, v in data[field].items() if k in keep[field]}
        return data

    def __repr__(self) -> str:
        """`Proposal('RLHF', file='rlhf.wd', 3 components, 1 diagram: Main; imports std/...)`:
        what the file declares, never the prelude (the fields are there to read)."""
        counts = []
        for field in DECLARATIONS:
            own = [n for n, d in getattr(self, field).items() if not from_library(d.span)]
            if own:
                noun = field[:-1] if len(own) == 1 else field
                shown = ", ".join(own[:5]) + (f", +{len(own) - 5} more" if len(own) > 5 else "")
                counts.append(f"{len(own)} {noun}" + (f": {shown}" if field == "diagrams" else ""))
        head = ([repr(self.title)] if self.title else []) + [f"file={self.file!r}"] + counts
        tail = f"; imports {', '.join(self.imports)}" if self.imports else ""
        return f"Proposal({', '.join(head)}{tail})"

    __str__ = __repr__


DECLARATIONS = ("kinds", "types", "params", "optimisers", "components", "diagrams")


def carried(proposal: Proposal) -> dict[str, set[str]]:
    """The names of the declarations an export carries, by field: every declaration of the
    user's files, and the built-in ones these use, transitively."""
    keep: dict[str, set[str]] = {field: set() for field in DECLARATIONS}
    stack = [(field, name) for field in DECLARATIONS
             for name, decl in getattr(proposal, field).items() if not from_library(decl.span)]
    while stack:
        field, name = stack.pop()
        decl = getattr(proposal, field).get(name)
        if decl is None or name in keep[field]:
            continue
        keep[field].add(name)
        stack += _references(decl)
    return keep


def _references(decl: BaseModel) -> list[tuple[str, str]]:
    """Every (field, name) that a declaration names, anywhere inside it."""
    found: list[tuple[str, str]] = []
    stack: list = [decl]
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):
            stack += node
        elif isinstance(node, dict):
            stack += node.values()
        elif isinstance(node, BaseModel):
            found += _names_of(node)
            stack += [v for k, v in node.__dict__.items() if k != "span"]
    return found


def _names_of(node: BaseModel) -> list[tuple[str, str]]:
    if isinstance(node, KindDecl):
        return [("kinds", node.parent)] if node.parent else []
    if isinstance(node, Attributes):
        return [("kinds", kind) for kind in (node.kind, *node.also)]
    if isinstance(node, (OpaqueType, RecordType, EnumType)):
        return [("types", node.name)]
    if isinstance(node, Name):
        return [("params", node.name)]
    if isinstance(node, Instance):
        return [("components", node.of), ("diagrams", node.of)]
    if isinstance(node, Training):
        return [("optimisers", node.optimiser)]
    if isinstance(node, Diagram) and node.refines:
        return [("components", node.refines), ("diagrams", node.refines)]
    return []


def substitute(node, values: dict[str, Expr]):
    """A type or expression with each parameter named in `values` replaced by its value."""
    if not values:
        return node
    if isinstance(node, Name):
        return values.get(node.name, node)
    if isinstance(node, list):
        return [substitute(item, values) for item in node]
    if not isinstance(node, BaseModel):
        return node
    changed = {key: substitute(value, values) for key, value in node.__dict__.items()
               if isinstance(value, (BaseModel, list))}
    return node.model_copy(update=changed) if changed else node


def mentions(node, names: set[str]) -> bool:
    """Whether a type or expression names any of `names`."""
    if not names:
        return False
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Name):
            if item.name in names:
                return True
        elif isinstance(item, list):
            stack += item
        elif isinstance(item, BaseModel):
            stack += [v for v in item.__dict__.values() if isinstance(v, (BaseModel, list))]
    return False


for _model in (Neg, Binary, Link, Chain, Call, CollectionType):
    _model.model_rebuild()
