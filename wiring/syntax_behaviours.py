"""The syntax of behaviours (docs/behaviours.md) as data: `adversary`, `behaviour ... for ...`
and `evaluate ... over N tasks`, and the formulas their steps compute.

Like wiring/syntax.py, whose base classes these are: slotted nodes with plain constructors, each
knowing its document and extent, every name an `Ident`.
"""

from __future__ import annotations

from .syntax import At, Block, Declaration, Ident, Node, ParamDecl, Ref, Statement


# ------------------------------------------------------------------------------- formulas

class Compare(Node):
    """`a > b`, `a == b`: `op` as written."""

    __slots__ = ("op", "left", "right")

    def __init__(self, at: At, op: str, left: Node, right: Node):
        self.document, self.start_pos, self.end_pos = at
        self.op, self.left, self.right = op, left, right


class Logic(Node):
    """`a and b`, `a or b`."""

    __slots__ = ("op", "left", "right")

    def __init__(self, at: At, op: str, left: Node, right: Node):
        self.document, self.start_pos, self.end_pos = at
        self.op, self.left, self.right = op, left, right


class Not(Node):
    """`not a`"""

    __slots__ = ("operand",)

    def __init__(self, at: At, operand: Node):
        self.document, self.start_pos, self.end_pos = at
        self.operand = operand


class Choice(Node):
    """`a if condition else b`"""

    __slots__ = ("then", "condition", "otherwise")

    def __init__(self, at: At, then: Node, condition: Node, otherwise: Node):
        self.document, self.start_pos, self.end_pos = at
        self.then, self.condition, self.otherwise = then, condition, otherwise


# ---------------------------------------------------------------------------------- steps

class Step(Statement):
    """A line of a behaviour: `x ~ formula` (a draw), `x = formula`, `state x = formula`
    (a counter and its value before the first task), `next x = formula` (its value for the
    next task), or `catastrophe|stop|solved when formula` (an outcome). `form` names which;
    `target` is a `Ref` (`response.attack`), an `Ident` (state, next) or None (outcome)."""

    __slots__ = ("form", "target", "value")

    def __init__(self, at: At, form: str, target: Ref | Ident | None, value: Node):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.form, self.target, self.value = (), form, target, value


class AdversaryDecl(ParamDecl):
    """`adversary name : type = default`: a parameter the red team chooses."""

    __slots__ = ()


class BehaviourDecl(Declaration, Block):
    """`behaviour Name for Component { steps }`"""

    __slots__ = ("component", "steps")

    def __init__(self, at: At, name: Ident, component: Ident, steps: tuple[Statement, ...]):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.name, self.component, self.steps = (), name, component, steps

    @property
    def statements(self) -> tuple[Statement, ...]:
        return self.steps


class Binding(Statement):
    """`u = Attacker` in an evaluation: the box at `box` (a path through nesting) behaves so."""

    __slots__ = ("box", "behaviour")

    def __init__(self, at: At, box: Ref, behaviour: Ident):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.box, self.behaviour = (), box, behaviour


class Setting(Statement):
    """`param name = value` in an evaluation: the parameter's value there."""

    __slots__ = ("name", "value")

    def __init__(self, at: At, name: Ident, value: Node):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.name, self.value = (), name, value


class Objective(Statement):
    """`adversary minimising safety` (or `maximising catastrophe`): what the red team wants."""

    __slots__ = ("direction", "measure")

    def __init__(self, at: At, direction: str, measure: Ident):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.direction, self.measure = (), direction, measure


class Usefulness(Statement):
    """`usefulness from low to high`: the solve rates that read as 0 and 1."""

    __slots__ = ("low", "high")

    def __init__(self, at: At, low: Node, high: Node):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.low, self.high = (), low, high


class Evaluation(Block):
    """`evaluate Diagram in mode over N tasks { bindings, usefulness, notes }`"""

    __slots__ = ("diagram", "mode", "tasks", "members")

    def __init__(self, at: At, diagram: Ident, mode: Ident | None, tasks: Node,
                 members: tuple[Statement, ...]):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.diagram, self.mode, self.tasks = (), diagram, mode, tasks
        self.members = members

    @property
    def statements(self) -> tuple[Statement, ...]:
        return self.members
