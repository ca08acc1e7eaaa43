"""Composing behaviours along a diagram (docs/behaviours.md): an `evaluate` block's diagram,
flattened by operadic substitution, becomes one program that runs once per task.

Each box's steps are run in the order of the wires (a delayed wire reads the value its source
had in the task before; the first task reads 0), each input reads its source's value (copy is
free: several inputs read one value; discard is free: a value no one reads is dropped), and a
feature read at an input (`response.attack`) must be one its source sets. An outcome of a box
is blocked by a `stop` in a box upstream of it in the same task: a protocol that shut down
before the code was submitted has no catastrophe from it.

The program is data (`Program`): scalar operations over named values, for the exact and Monte
Carlo evaluators to run. Expressions are tuples: ("num", v), ("var", name), ("param", name),
("task",), ("state", name), (op, a, b) for arithmetic, comparisons, "and", "or", "min" and
"max", ("neg", a), ("not", a), ("if", condition, then, otherwise); a draw's distribution is
(name, *arguments) or ("if", condition, distribution, distribution).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..diagnostics import Diagnostic, report
from ..model import Proposal, literal_number
from ..model_behaviours import Behaviour, Evaluation, Formula, Step
from ..names import did_you_mean
from ..structure import TooLarge, active, flatten

Value = tuple    # a scalar's expression
_COPIES = ("var", "num", "state", "param", "task")   # expressions a name can stand for
Record = dict    # feature -> expression: the value of an opaque port


@dataclass
class Program:
    """One task of an evaluated diagram, as scalar steps in order."""

    evaluation: Evaluation
    tasks: int
    ops: list[tuple] = field(default_factory=list)        # ("let"|"draw", var, expression)
    states: dict[str, Value] = field(default_factory=dict)  # counter -> initial expression
    nexts: dict[str, Value] = field(default_factory=dict)   # counter -> next expression
    outcomes: list[tuple[str, Value]] = field(default_factory=list)  # (kind, condition)
    boxes: list[str] = field(default_factory=list)          # leaves in the order they run
    delayed: dict[str, Value] = field(default_factory=dict)  # memory var -> value it keeps


def compose(proposal: Proposal, evaluation: Evaluation) -> tuple[Program | None,
                                                                  list[Diagnostic]]:
    return _Composer(proposal, evaluation).run()


def check_behaviours(proposal: Proposal, broken: set[str] = frozenset()) -> list[Diagnostic]:
    """Every `evaluate` block composes: the problems `wiring check` reports. A block that
    binds a behaviour with an error of its own (`broken`) is left alone: what it would find
    missing is that error again."""
    found: list[Diagnostic] = []
    for evaluation in proposal.evaluations:
        if not any(b.behaviour in broken for b in evaluation.bindings):
            found += compose(proposal, evaluation)[1]
    return found


class _Composer:
    def __init__(self, proposal: Proposal, evaluation: Evaluation):
        self.proposal = proposal
        self.evaluation = evaluation
        self.diagnostics: list[Diagnostic] = []
        self.outputs: dict[tuple[str, str], Value | Record] = {}   # (leaf, port) -> value
        self.program: Program | None = None

    def report(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)

    def run(self):
        ev = self.evaluation
        diagram = self.proposal.diagrams[ev.diagram]
        try:
            flat = flatten(self.proposal, diagram)
        except TooLarge as error:
            self.report(report("E0606", ev.span, str(error), label="too large to evaluate"))
            return None, self.diagnostics
        leaves = {p: leaf for p, leaf in flat.leaves.items() if active(leaf.modes, ev.mode)}
        wires = [w for w in flat.wires if active(w.modes, ev.mode) and w.source in leaves]
        behaviours = self.bind(leaves)
        tasks = _integer(ev.tasks, self.proposal)
        if tasks is None or tasks < 1:
            self.report(report("E0606", ev.tasks.span or ev.span,
                               "the number of tasks must be a whole number of at least 1",
                               label="not a number of tasks",
                               help="write e.g. `over 5000 tasks`, or a `param` whose value is "
                               "one"))
        if behaviours is None or tasks is None or tasks < 1:
            return None, self.diagnostics
        self.program = Program(evaluation=ev, tasks=tasks)
        feeds = {(w.target, w.target_port): w for w in wires if w.target in leaves}
        inside = [w for w in wires if not w.delayed and w.target in leaves]
        order, late = _order(leaves, inside)
        self.late = late
        upstream = _upstream(order, [w for w in inside if id(w) not in late])
        stops: dict[str, list[Value]] = {}
        for path in order:
            self.box(path, behaviours[path], feeds, stops, upstream[path])
        self.program.boxes = order
        self.close_delays(feeds)
        return (self.program if not self.diagnostics else None), self.diagnostics

    # --------------------------------------------------------------------------- binding
    def bind(self, leaves) -> dict[str, Behaviour] | None:
        ev = self.evaluation
        bound: dict[str, Behaviour] = {}
        for binding in ev.bindings:
            path = ".".join(binding.box)
            leaf = leaves.get(path)
            behaviour = self.proposal.behaviours.get(binding.behaviour)
            if leaf is None:
                self.report(report("E0606", binding.span, f"`{ev.diagram}` has no box `{path}`"
                                   + (f" in mode `{ev.mode}`" if ev.mode else ""),
                                   label="no such box", help=did_you_mean(path, leaves) or
                                   "its boxes: " + ", ".join(sorted(leaves))))
            elif behaviour is None:
                self.report(report("E0606", binding.span,
                                   f"unknown behaviour `{binding.behaviour}`",
                                   label="no behaviour of this name",
                                   help=did_you_mean(binding.behaviour, self.proposal.behaviours)
                                   or "declare it: `behaviour Name for Component { ... }`"))
            elif behaviour.component != leaf.instance.of:
                self.report(report(
                    "E0606", binding.span, f"`{binding.behaviour}` is a behaviour for "
                    f"`{behaviour.component}`, and `{path}` is a `{leaf.instance.of}`",
                    label="another component's behaviour",
                    related=[(behaviour.span, "the behaviour is declared here")],
                    help=self._candidates(leaf.instance.of)))
            elif path in bound:
                self.report(report("E0606", binding.span, f"`{path}` is given two behaviours",
                                   label="given again"))
            else:
                bound[path] = behaviour
        for path, leaf in leaves.items():
            if path not in bound and not any(".".join(b.box) == path for b in ev.bindings):
                self.report(report(
                    "E0607", leaf.instance.span or ev.span,
                    f"box `{path}` has no behaviour in `evaluate {ev.diagram}`",
                    label="what it does in numbers is not said",
                    related=[(ev.span, "the evaluation")],
                    help=f"add `{path} = NAME` to the evaluate block; "
                    + self._candidates(leaf.instance.of)))
        return bound if not self.diagnostics else None

    def _candidates(self, component: str) -> str:
        names = [b.name for b in self.proposal.behaviours.values() if b.component == component]
        if names:
            return f"behaviours for `{component}`: " + ", ".join(names)
        return f"declare one: `behaviour Name for {component} {{ ... }}`"

    # ------------------------------------------------------------------------------ boxes
    def box(self, path: str, behaviour: Behaviour, feeds, stops, upstream: set[str]) -> None:
        env: dict[str, Value | Record] = {}
        for (target, port), wire in feeds.items():
            if target == path:
                env[port] = self.source(wire)
        blockers = [c for up in upstream for c in stops.get(up, [])]
        for step in behaviour.steps:
            self.step(path, step, env, blockers, stops)
        for port, value in env.items():
            if not isinstance(value, (_Unset, _Late)):
                self.outputs[(path, port)] = value

    def source(self, wire) -> Value | Record:
        key = (wire.source, wire.source_port)
        if wire.delayed or id(wire) in self.late:
            return _Late(wire)
        # An output its behaviour never sets is an error only where it is read: a value no
        # one reads may as well not exist.
        return self.outputs.get(key, _Unset(wire))

    def step(self, path: str, step: Step, env, blockers, stops) -> None:
        value = self.formula(path, step.value, env, step)
        name = ".".join(step.target)
        var = f"{path}/{name}"
        if step.form in ("draw", "let"):
            if isinstance(value, dict) or value[0] in _COPIES:
                result = value                        # a copy: no new variable
            else:
                self.program.ops.append((step.form, var, value))
                result = ("var", var)
            if len(step.target) == 2:
                record = env.setdefault(step.target[0], {})
                record[step.target[1]] = result
            else:
                env[name] = result
        elif step.form == "state":
            self.program.states[var] = value
            env[name] = ("state", var)
        elif step.form == "next":
            self.program.nexts[var] = value
        else:
            condition = ("and", value, ("not", _any(blockers))) if blockers else value
            self.program.outcomes.append((step.form, condition))
            if step.form == "stop":
                stops.setdefault(path, []).append(value)

    def remember(self, late: "_Late", feature: str | None) -> Value:
        """The value a late wire's source had in the task before (0 in the first), kept in a
        memory named after it; the program fills it in once every box has run."""
        wire = late.wire
        name = f"{wire.source}.{wire.source_port}" + (f".{feature}" if feature else "") + \
            "@before"
        self.program.delayed[name] = ((wire.source, wire.source_port), feature, wire)
        return ("var", name)

    def close_delays(self, feeds) -> None:
        for name, (key, feature, wire) in list(self.program.delayed.items()):
            value = self.outputs.get(key)
            if isinstance(value, dict) and feature is not None:
                value = value.get(feature)
            if value is None or isinstance(value, dict):
                what = f"`{key[0]}.{key[1]}`" + (f" has no feature `{feature}`" if feature
                                                 else " is not set as a number")
                self.report(report("E0608", wire.span, f"{what}, and it is read a task later",
                                   label="read a task later",
                                   help=f"set it in `{key[0]}`'s behaviour"))
                value = ("num", 0.0)
            self.program.delayed[name] = value

    # --------------------------------------------------------------------------- formulas
    def formula(self, path: str, node: Formula, env, step: Step):
        kind = node.node
        if kind == "num":
            return ("num", float(node.value))
        if kind == "sample":
            return ("sample", node.values)     # a list: the evaluators never walk into it
        if kind == "var":
            return self.read(path, node, env, step)
        if kind == "arith":
            return (node.op, self.formula(path, node.left, env, step),
                    self.formula(path, node.right, env, step))
        if kind in ("compare",):
            return (node.op, self.formula(path, node.left, env, step),
                    self.formula(path, node.right, env, step))
        if kind == "logic":
            return (node.op, self.formula(path, node.left, env, step),
                    self.formula(path, node.right, env, step))
        if kind == "negative":
            return ("neg", self.formula(path, node.arg, env, step))
        if kind == "not":
            return ("not", self.formula(path, node.arg, env, step))
        if kind == "choice":
            then = self.formula(path, node.then, env, step)
            otherwise = self.formula(path, node.otherwise, env, step)
            condition = self.formula(path, node.condition, env, step)
            if isinstance(then, dict) or isinstance(otherwise, dict):
                return _choose_records(condition, then, otherwise)
            return ("if", condition, then, otherwise)
        args = [self.formula(path, a, env, step) for a in node.args]
        return (node.function, *args)

    def read(self, path: str, node, env, step: Step):
        first, *rest = node.path
        if first in env:
            value = env[first]
            if isinstance(value, _Late):
                return self.remember(value, rest[0] if rest else None)
            if isinstance(value, _Unset):
                wire = value.wire
                self.report(report(
                    "E0608", node.span, f"`{path}.{first}` reads `{wire.source}."
                    f"{wire.source_port}`, which its behaviour never sets",
                    label="read here, never set", related=[(wire.span, "the wire")],
                    help=f"set `{wire.source_port}` in `{wire.source}`'s behaviour"))
                return ("num", 0.0)
            if not rest:
                return value
            if not isinstance(value, dict):
                self.report(report("E0608", node.span, f"`{first}` is a number here, with no "
                                   f"feature `{rest[0]}`", label="not a record",
                                   help=f"read `{first}` itself"))
                return ("num", 0.0)
            if rest[0] not in value:
                self.report(report(
                    "E0608", node.span, f"`{path}.{first}` has no feature `{rest[0]}`",
                    label="its source does not set it",
                    help=(f"its source sets {', '.join(f'`{f}`' for f in sorted(value))}" if
                          value else "its source sets no features") +
                    f"; set `{first}.{rest[0]}` in the behaviour that produces it"))
                return ("num", 0.0)
            return value[rest[0]]
        if first == "task":
            return ("task",)
        if first == "tasks":
            return ("num", float(self.program.tasks))
        if first in ("true", "false"):
            return ("num", 1.0 if first == "true" else 0.0)
        if first in self.proposal.params or first in self.proposal.adversaries:
            return ("param", first)
        # An input with no wire in this mode (or an unread feature of one): unconnected.
        self.report(report("E0608", node.span, f"`{path}.{first}` has no source in "
                           f"`evaluate {self.evaluation.diagram}`", label="nothing feeds it",
                           help="wire it, or evaluate a mode in which it is fed"))
        return ("num", 0.0)


class _Late:
    """The value at an input read a task late (a delayed wire, or a loop's stateful box)."""

    def __init__(self, wire):
        self.wire = wire


class _Unset:
    """The value at an input whose source never sets it."""

    def __init__(self, wire):
        self.wire = wire


def _any(conditions: list[Value]) -> Value:
    result = conditions[0]
    for condition in conditions[1:]:
        result = ("or", result, condition)
    return result


def _choose_records(condition, then, otherwise) -> Record:
    then = then if isinstance(then, dict) else {}
    otherwise = otherwise if isinstance(otherwise, dict) else {}
    zero = ("num", 0.0)
    return {f: ("if", condition, then.get(f, zero), otherwise.get(f, zero))
            for f in sorted({*then, *otherwise})}


def _order(leaves: dict, wires) -> tuple[list[str], set[int]]:
    """The leaves in the order values flow (declaration order among equals), and the wires
    read a task late: a loop without a delayed wire is guarded by a stateful box (the checker
    sees to it), whose outputs on the loop are read as they were in the task before: a
    stateful box's outputs come from what it kept."""
    inputs: dict[str, set[str]] = {leaf: set() for leaf in leaves}
    for wire in wires:
        if wire.source != wire.target:
            inputs[wire.target].add(wire.source)
    order, done, late = [], set(), set()
    while len(order) < len(leaves):
        waiting = [leaf for leaf in leaves if leaf not in done]
        ready = [leaf for leaf in waiting if inputs[leaf] <= done]
        if not ready:     # a loop: its stateful box's outputs on it come from the task before
            keeper = next((leaf for leaf in waiting
                           if leaves[leaf].instance.attributes.stateful), waiting[0])
            for wire in wires:
                if wire.source == keeper and wire.target in waiting and wire.target != keeper:
                    late.add(id(wire))
                    inputs[wire.target].discard(keeper)
            continue
        order.append(ready[0])
        done.add(ready[0])
    return order, late


def _upstream(order: list[str], wires) -> dict[str, set[str]]:
    sources: dict[str, set[str]] = {leaf: set() for leaf in order}
    for wire in wires:
        sources[wire.target].add(wire.source)
    found: dict[str, set[str]] = {}
    for leaf in order:
        found[leaf] = set().union(*(found.get(s, set()) | {s} for s in sources[leaf])) \
            if sources[leaf] else set()
    return found


def _integer(expr, proposal: Proposal) -> int | None:
    value = literal_number(expr)
    if value is None and expr.node == "name":
        param = proposal.params.get(expr.name)
        value = literal_number(param.default) if param is not None and param.default else None
    if value is None or value.denominator != 1:
        return None
    return int(value)
