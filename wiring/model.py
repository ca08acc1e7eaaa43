"""The checked model of a proposal: plain pydantic data, the same from a .wd file or from JSON.

Expressions and types are trees (never strings to be parsed again), so that exporting a model to
JSON and loading it back gives an equal model without evaluating any text.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union, get_args

from pydantic import BaseModel, ConfigDict, Field

from .diagnostics import Span

SCHEMA_VERSION = 1


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


class Attributes(_Node):
    """What the alignment layer reads about a box."""

    kind: str
    learned: bool = False
    trust: Trust = "untrusted"
    stateful: bool = False
    heldout: bool = False
    provenance: str | None = None
    extra: dict[str, Expr] = {}  # numbers the analyses read: coverage, miss, cost, budget


class Component(_Node):
    name: str
    attributes: Attributes
    ports: list[Port] = []
    notes: list[str] = []
    span: Span | None = None


class Instance(_Node):
    name: str
    of: str
    of_diagram: bool = False
    frozen: bool = False
    snapshot_of: str | None = None
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


class Proposal(_Node):
    schema_version: int = SCHEMA_VERSION
    file: str
    title: str | None = None
    citations: list[str] = []
    notes: list[str] = []
    imports: list[str] = []
    kinds: dict[str, KindDecl] = {}
    types: dict[str, TypeDecl] = {}
    params: dict[str, Param] = {}
    optimisers: dict[str, OptimiserDecl] = {}
    components: dict[str, Component] = {}
    diagrams: dict[str, Diagram] = {}
    allows: list[Allow] = []
    assertions: list[Assertion] = []

    def box(self, name: str) -> Component | Diagram | None:
        return self.components.get(name) or self.diagrams.get(name)


for _model in (Neg, Binary, Link, Chain, Call, CollectionType):
    _model.model_rebuild()
