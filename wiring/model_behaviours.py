"""The model of behaviours (docs/behaviours.md): what each box does in numbers, and how a
diagram is evaluated. Plain pydantic data like the rest of the model, and exported with it.

A behaviour's formulas are trees of their own (`Formula`), not the model's `Expr`: they read
ports, features of values, counters and the task number, and they compare and choose, where an
`Expr` (a type's index, an attribute's value) is arithmetic over parameters only.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field

from .diagnostics import Span
from .model import Expr, Num, _Node

# The functions a formula may call: distributions (only on the right of `~`), and arithmetic.
DISTRIBUTIONS = {"bernoulli": 1, "normal": 2, "uniform": 2, "beta": 2,
                 "table": None,    # table(value, probability, value, probability, ...)
                 "empirical": 2}   # empirical("file.csv", "column"): a sample, drawn uniformly
FUNCTIONS = {"min": 2, "max": 2, "normal_quantile": 3}   # normal_quantile(q, mean, sd)
OUTCOMES = ("catastrophe", "stop", "solved")


class Var(_Node):
    """A name in a formula: `response.attack` is the feature `attack` of the value at port
    `response`; a lone name is a port, a name set by an earlier step, a counter, a `param`,
    an `adversary`, `task` (the task's number, from 1), `tasks`, `true` or `false`."""

    node: Literal["var"] = "var"
    path: list[str]
    span: Span | None = None


class Arith(_Node):
    node: Literal["arith"] = "arith"
    op: Literal["+", "-", "*", "/", "^"]
    left: Formula
    right: Formula
    span: Span | None = None


class Negative(_Node):
    node: Literal["negative"] = "negative"
    arg: Formula
    span: Span | None = None


class Apply(_Node):
    """`bernoulli(p)`, `min(a, b)`"""

    node: Literal["apply"] = "apply"
    function: str
    args: list[Formula]
    span: Span | None = None


class Sample(_Node):
    """`empirical("file.csv", "column")`'s data, read when the proposal is checked: the model
    carries the numbers, so an export is whole without the file."""

    node: Literal["sample"] = "sample"
    file: str
    column: str
    values: list[float]
    span: Span | None = None


class Compare(_Node):
    node: Literal["compare"] = "compare"
    op: Literal["==", "!=", "<", "<=", ">", ">="]
    left: Formula
    right: Formula
    span: Span | None = None


class Logic(_Node):
    node: Literal["logic"] = "logic"
    op: Literal["and", "or"]
    left: Formula
    right: Formula
    span: Span | None = None


class Not(_Node):
    node: Literal["not"] = "not"
    arg: Formula
    span: Span | None = None


class Choice(_Node):
    """`then if condition else otherwise`"""

    node: Literal["choice"] = "choice"
    then: Formula
    condition: Formula
    otherwise: Formula
    span: Span | None = None


Formula = Annotated[Union[Num, Var, Arith, Negative, Apply, Sample, Compare, Logic, Not, Choice],
                    Field(discriminator="node")]


class Step(_Node):
    """A line of a behaviour, run in order once per task: `draw` (`x ~ formula`), `let`
    (`x = formula`), `state` (a counter and its value before the first task), `next` (its
    value for the next task), or an outcome (`catastrophe`, `stop`, `solved` `when formula`).
    `target` is the name set (`["response", "attack"]`), empty for an outcome."""

    form: Literal["draw", "let", "state", "next", "catastrophe", "stop", "solved"]
    target: list[str] = []
    value: Formula
    span: Span | None = None


class Behaviour(_Node):
    """`behaviour Name for Component { steps }`"""

    name: str
    component: str
    steps: list[Step] = []
    notes: list[str] = []
    span: Span | None = None


class Binding(_Node):
    """`box = Behaviour` in an evaluation; `box` is a path through nesting (`inner.u`)."""

    box: list[str]
    behaviour: str
    span: Span | None = None


class Evaluation(_Node):
    """`evaluate Diagram in mode over N tasks { ... }`"""

    diagram: str
    mode: str | None = None
    tasks: Expr
    bindings: list[Binding] = []
    settings: dict[str, Expr] = Field(default={}, description=(
        "parameters (and adversaries, which the search then leaves alone) given a value for "
        "this evaluation only: `param defer_fraction = 0.2`"))
    usefulness: list[Expr] = []     # [low, high], or empty for the raw solve rate
    objective: str = Field(default="minimising safety", description=(
        "what the adversary's search optimises, as declared (`adversary minimising safety`, "
        "or the same said the other way, `adversary maximising catastrophe`)"))
    notes: list[str] = []
    span: Span | None = None
