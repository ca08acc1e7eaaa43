"""Behaviours (docs/behaviours.md): `adversary` parameters, `behaviour ... for Component`
blocks and `evaluate` blocks, to the model. Each name a formula reads is resolved here, against
the component's ports, the steps before it and the proposal's parameters; what flows between
boxes is checked where the diagram is composed (check/behaviours.py)."""

from __future__ import annotations

from fractions import Fraction

from .. import syntax
from .. import syntax_behaviours as sb
from ..diagnostics import report
from ..model import BoolType, NumType, Param, literal_number as number
from ..model_behaviours import (DISTRIBUTIONS, FUNCTIONS, Apply, Arith, Behaviour, Binding,
                                Choice, Compare, Evaluation, Logic, Negative, Not, Sample, Step,
                                Var)
from ..names import did_you_mean
from ..sources import read_data
from ..syntax import bare
from ..types import show_interval
from .diagrams import Diagrams

BUILTIN_NAMES = ("task", "tasks", "true", "false")
_SIGNATURES = {"bernoulli": "p", "normal": "mean, sd", "uniform": "low, high", "beta": "a, b",
               "empirical": '"file.csv", "column"', "min": "a, b", "max": "a, b",
               "normal_quantile": "q, mean, sd"}
_PROBABILITY_HELP = "a probability lies in [0, 1]: declare it `: Prob` or `: Real in [0, 1]`"


MAX_SAMPLE = 1_000_000   # rows of an empirical sample


def parse_column(text: str, column: str, shown: str) -> tuple[list[float], str | None]:
    """The numbers of `column` in a CSV text with a header row, or why not."""
    import csv

    rows = csv.reader(text.splitlines())
    header = next(rows, None)
    if not header or column not in header:
        names = ", ".join(f"`{h}`" for h in (header or [])[:10]) or "none"
        return [], f"`{shown}` has no column `{column}` (its columns: {names})"
    index = header.index(column)
    values: list[float] = []
    for line, row in enumerate(rows, 2):
        if not row:
            continue
        if len(row) != len(header):
            return [], (f"`{shown}` line {line} has {len(row)} fields, and the header "
                        f"{len(header)}")
        try:
            value = float(row[index])
        except ValueError:
            return [], f"`{shown}` line {line}, column `{column}`: `{row[index][:40]}` is not " \
                "a number"
        if value != value or value in (float("inf"), float("-inf")):
            return [], f"`{shown}` line {line}: `{column}` is not a finite number"
        values.append(value)
        if len(values) > MAX_SAMPLE:
            return [], f"`{shown}` has more than {MAX_SAMPLE:,} rows"
    if not values:
        return [], f"`{shown}` has no rows under `{column}`"
    return sorted(values), None


def _sample_help(problem: str) -> str:
    if "outside the proposal's root" in problem:
        return ("data files stay inside the root, as imports do: move the file, add a "
                "`wiring.toml` to a directory holding both, or pass `--root DIR`")
    if "cannot find" in problem:
        return "the path is relative to the file that names it"
    if "has no column" in problem:
        return "name one of its columns, as written in its header row"
    if " line " in problem:
        return "each row has as many fields as the header, and the column one number"
    return "a UTF-8 CSV file with a header row, whose column holds one number a row"


class Behaviours(Diagrams):
    def __init__(self, program):
        super().__init__(program)
        self.samples: dict[tuple, list[float] | None] = {}   # (file, csv, column) -> values

    # ----------------------------------------------------------------------- adversaries
    def adversaries(self) -> None:
        for decl in self.of_form("adversary"):
            self.broken.add(decl.name)      # until it is elaborated whole
            node = decl.node
            kind = self.type_of(node.type)
            if not isinstance(kind, NumType):
                self.report(report("E0601", node.type.span, "an adversary chooses a number",
                                   label="not a number type",
                                   help="write e.g. `adversary rate : Real in [0, 1] = 0`"))
                continue
            low, high = number(kind.lower), number(kind.upper)
            if low is None or high is None:
                self.report(report("E0601", node.type.span,
                                   f"the range of `{decl.name}` is not bounded by numbers",
                                   label="the red team searches this range",
                                   help="give it numeric bounds: `: Real in [0, 1]`"))
                continue
            default = self.expr(node.default) if node.default is not None else None
            value = number(default) if default is not None else None
            if value is None or not low <= value <= high:
                where = node.default.span if node.default is not None else decl.span
                self.report(report(
                    "E0601", where, f"`{decl.name}` needs an honest value within "
                    f"{show_interval(kind)}", label="the honest value",
                    help=f"its default is the behaviour without attack, used for usefulness: "
                    f"`adversary {decl.name} : {node.type.text} = {low}`"))
                continue
            self.proposal.adversaries[decl.name] = Param(
                name=decl.name, type=kind, written=node.type.text, default=default,
                span=decl.span)
            self.broken.discard(decl.name)

    # ------------------------------------------------------------------------ behaviours
    def behaviours(self) -> None:
        for decl in self.of_form("behaviour"):
            node = decl.node
            target = self.lookup(decl.file, node.component.text, node.component.span,
                                 ("component",), "component or diagram")
            component = self.proposal.components.get(target.name) if target else None
            if component is None:
                self.broken.add(decl.name)    # its bindings stay silent: one mistake
                continue
            before = len(self.diagnostics)
            reader = _Steps(self, component)
            steps = reader.run(node.steps)
            if len(self.diagnostics) > before or reader.quiet:
                # a step was dropped: composing it would only report what is missing
                self.broken.add(decl.name)
            notes = [s.note.value for s in node.steps if type(s) is syntax.Note]
            self.proposal.behaviours[decl.name] = Behaviour(
                name=decl.name, component=component.name, steps=steps, notes=notes,
                span=decl.span)

    def sample(self, node: syntax.Call) -> Sample | None:
        """`empirical("file.csv", "column")`: the column's numbers, read now (E0609 when they
        cannot be)."""
        if not all(type(a) is syntax.String for a in node.args):
            self.report(report("E0609", node.span, "`empirical` takes a file and a column, "
                               "both strings", label="not two strings",
                               help='write `empirical("scores.csv", "suspicion")`'))
            return None
        file, column = (a.value for a in node.args)
        key = (node.document.path, file, column)
        if key not in self.samples:
            self.samples[key] = self._read_sample(node, file, column)
        values = self.samples[key]
        return None if values is None else Sample(file=file, column=column, values=values,
                                                  span=node.span)

    def _read_sample(self, node: syntax.Call, file: str, column: str) -> list[float] | None:
        text, shown = read_data(self.program, node.document.path, file)
        problem = shown if text is None else None
        values: list[float] = []
        if text is not None:
            values, problem = parse_column(text, column, file)    # named as written
        if problem is not None:
            self.report(report("E0609", node.args[0].span if text is None else node.span,
                               problem, label="no sample", help=_sample_help(problem)))
            return None
        return values

    def param_range(self, name: str) -> tuple[Fraction | None, Fraction | None] | None:
        param = self.proposal.params.get(name) or self.proposal.adversaries.get(name)
        if param is None:
            return None
        return number(param.type.lower), number(param.type.upper)

    # ----------------------------------------------------------------------- evaluations
    def evaluations(self) -> None:
        """The main file's `evaluate` blocks (an imported file's are its own business)."""
        parsed = self.program.files.get(self.program.root)
        for item in parsed.syntax.declarations if parsed and parsed.syntax else ():
            if type(item) is sb.Evaluation:
                self.evaluation(item)

    def evaluation(self, item: sb.Evaluation) -> None:
        decl = self.lookup(item.document.path, item.diagram.text, item.diagram.span,
                           ("diagram",), "component or diagram")
        diagram = self.proposal.diagrams.get(decl.name) if decl is not None else None
        if diagram is None:
            return
        mode = item.mode.text if item.mode is not None else None
        if mode is not None and mode not in diagram.modes:
            self.report(report("E0606", item.mode.span,
                               f"`{diagram.name}` has no mode `{mode}`", label="unknown mode",
                               help=did_you_mean(mode, diagram.modes) or
                               f"its modes: {', '.join(diagram.modes) or 'none'}"))
            return
        tasks = self.expr(item.tasks)
        bindings, usefulness, notes, settings = [], [], [], {}
        objective = "minimising safety"
        for member in item.members:
            if type(member) is sb.Objective:
                objective = self.objective(member) or objective
            if type(member) is sb.Setting:
                value = self.setting(member, settings)
                if value is not None:
                    settings[member.name.text] = value
            elif type(member) is sb.Binding:
                bindings.append(Binding(box=[p.text for p in member.box.parts],
                                        behaviour=member.behaviour.text, span=member.span))
            elif type(member) is sb.Usefulness:
                usefulness = [self.expr(member.low), self.expr(member.high)]
            elif type(member) is syntax.Note:
                notes.append(member.note.value)
        if tasks is None or None in usefulness:
            return
        self.proposal.evaluations.append(Evaluation(
            diagram=diagram.name, mode=mode, tasks=tasks, bindings=bindings,
            settings=settings, usefulness=usefulness, objective=objective, notes=notes,
            span=item.span))

    def objective(self, member: sb.Objective) -> str | None:
        """The red team's objective: to minimise safety, which is to maximise the chance of a
        catastrophe over the episode; either may be declared, nothing else."""
        direction = member.direction.replace("iz", "is")
        said = f"{direction} {member.measure.text}"
        if said in ("minimising safety", "maximising catastrophe"):
            return said
        self.report(report("E0606", member.span, f"the adversary cannot be `{said}`",
                           label="not an objective `evaluate` computes",
                           help="the adversary minimises safety (`adversary minimising "
                           "safety`), which is maximising the chance of a catastrophe "
                           "(`adversary maximising catastrophe`)"))
        return None

    def setting(self, member: sb.Setting, settings: dict):
        name = member.name.text
        bounds = self.param_range(name)
        if bounds is None:
            self.report(report("E0606", member.name.span, f"no parameter `{name}` to set",
                               label="not a `param` or `adversary`",
                               help=did_you_mean(name, [*self.proposal.params,
                                                        *self.proposal.adversaries]) or
                               "declare it with `param NAME : TYPE = VALUE`"))
            return None
        if name in settings:
            self.report(report("E0606", member.span, f"`{name}` is set twice",
                               label="set again"))
            return None
        value = self.expr(member.value)
        written = number(value) if value is not None else None
        low, high = bounds
        if written is not None and ((low is not None and written < low) or
                                    (high is not None and written > high)):
            shown = ", ".join("inf" if b is None else f"{float(b):g}" for b in (low, high))
            self.report(report("E0606", member.value.span, f"{float(written):g} is outside "
                               f"the range of `{name}`", label="out of range",
                               help=f"give a value within [{shown}]"))
            return None
        return value


class _Steps:
    """The steps of one behaviour, in order, with the names each may read."""

    def __init__(self, el: Behaviours, component):
        self.el = el
        self.component = component
        self.inputs = {p.name: p for p in component.ports if p.direction == "in"}
        self.outputs = {p.name: p for p in component.ports if p.direction == "out"}
        self.set: set[str] = set()       # outputs and local names set so far
        self.states: set[str] = set()
        self.advanced: set[str] = set()  # counters given a `next`

    def run(self, nodes) -> list[Step]:
        self.quiet = False   # a step was dropped for another declaration's error
        steps = []
        for node in nodes:
            if type(node) is sb.Step:
                step = self.step(node)
                if step is not None:
                    steps.append(step)
        return steps

    def step(self, node: sb.Step) -> Step | None:
        value = self.formula(node.value, draw=node.form == "draw")
        if node.form in ("draw", "let"):
            target = self.target(node.target)
            if target is None or value is None:
                return None
            if node.form == "draw" and not _is_distribution(value):
                self.el.report(report("E0604", node.value.span, "`~` draws from a distribution",
                                      label="not a distribution",
                                      help="write `x ~ bernoulli(p)` (or `normal`, `uniform`, "
                                      "`beta`), or `x = ...` for a value computed"))
                return None
            if node.form == "draw" and len(target) == 1:
                self.fits(target[0], value, node)
            if node.form == "let" and len(target) == 1 and not self.computes(target[0], value,
                                                                               node):
                return None
            return Step(form=node.form, target=target, value=value, span=node.span)
        if node.form in ("state", "next"):
            return self.counter(node, value)
        return Step(form=node.form, value=value, span=node.span) if value is not None else None

    def counter(self, node: sb.Step, value) -> Step | None:
        name = node.target.text
        if node.form == "state":
            if name in self.states or name in self.set or name in self.inputs or \
                    name in self.outputs:
                self._twice(node.target, "it is already a name of this behaviour")
                return None
            self.states.add(name)
        elif name not in self.states:
            self.el.report(report("E0603", node.target.span, f"`{name}` is not a counter",
                                  label="no `state` of this name before",
                                  help=f"declare it first: `state {name} = 0`"))
            return None
        elif name in self.advanced:
            self._twice(node.target, "a counter has one `next`")
            return None
        else:
            self.advanced.add(name)
        if value is None:
            return None
        return Step(form=node.form, target=[name], value=value, span=node.span)

    def target(self, ref: syntax.Ref) -> list[str] | None:
        parts = [p.text for p in ref.parts]
        first = parts[0]
        if first in self.inputs:
            self.el.report(report("E0603", ref.span, f"`{first}` is an input",
                                  label="read, not set",
                                  help="a behaviour sets its outputs and names of its own"))
            return None
        if len(parts) > 2 or (len(parts) == 2 and first not in self.outputs):
            self.el.report(report("E0603", ref.span, f"cannot set `{ref.dotted}`",
                                  label="not an output's feature",
                                  help=f"set a feature of an output (`{next(iter(self.outputs), 'out')}"
                                  f".{parts[-1]}`) or a name of its own"))
            return None
        name = ".".join(parts)
        if name in self.set or first in self.states:
            self._twice(ref, "each name is set once per task")
            return None
        self.set.add(name)
        if len(parts) == 2:
            self.set.add(first)     # the record at the output exists once a feature is set
        return parts

    def _twice(self, node, why: str) -> None:
        self.el.report(report("E0603", node.span, f"`{node.text}` is set twice",
                              label="set again", help=why))

    # ------------------------------------------------------------------------- formulas
    def formula(self, node, draw: bool = False):
        node = bare(node)
        kind = type(node)
        span = node.span
        if kind is syntax.Number:
            return self.el.expr(node)
        if kind is syntax.Infinity:
            self.el.report(report("E0602", span, "`inf` is not a value a behaviour can compute",
                                  label="not a number"))
            return None
        if kind is syntax.Ref:
            return self.name(node)
        if kind is syntax.Neg:
            arg = self.formula(node.operand)
            return Negative(arg=arg, span=span) if arg is not None else None
        if kind is syntax.Binary:
            return self._pair(Arith, node.op, node.left, node.right, span)
        if kind is sb.Compare:
            return self._pair(Compare, node.op, node.left, node.right, span)
        if kind is sb.Logic:
            return self._pair(Logic, node.op, node.left, node.right, span)
        if kind is sb.Not:
            arg = self.formula(node.operand)
            return Not(arg=arg, span=span) if arg is not None else None
        if kind is sb.Choice:
            parts = [self.formula(node.then, draw), self.formula(node.condition),
                     self.formula(node.otherwise, draw)]
            return None if None in parts else Choice(then=parts[0], condition=parts[1],
                                                     otherwise=parts[2], span=span)
        if kind is syntax.Call:
            return self.call(node, draw)
        self.el.report(report("E0602", span, "not a formula", label="a type here",
                              help="a behaviour computes numbers and truth values"))
        return None

    def _pair(self, cls, op, left, right, span):
        a, b = self.formula(left), self.formula(right)
        return cls(op=op, left=a, right=b, span=span) if a is not None and b is not None \
            else None

    def call(self, node: syntax.Call, draw: bool):
        name = node.function.dotted
        if name not in DISTRIBUTIONS and name not in FUNCTIONS:
            self.el.report(report("E0604", node.function.span, f"unknown function `{name}`",
                                  label="not a distribution or function",
                                  help=did_you_mean(name, [*DISTRIBUTIONS, *FUNCTIONS]) or
                                  "distributions: " + ", ".join(DISTRIBUTIONS) +
                                  "; functions: " + ", ".join(FUNCTIONS)))
            return None
        if name in DISTRIBUTIONS and not draw:
            self.el.report(report("E0604", node.span, f"`{name}(...)` is a distribution",
                                  label="drawn only with `~`",
                                  help=f"draw it into a name: `x ~ {node.text}`, then use `x`"))
            return None
        arity = DISTRIBUTIONS[name] if name in DISTRIBUTIONS else FUNCTIONS[name]
        if arity is None and (len(node.args) < 2 or len(node.args) % 2):
            self.el.report(report("E0604", node.span, f"`{name}` takes pairs of a value and "
                                  f"its probability, not {len(node.args)} arguments",
                                  label="values and probabilities in pairs",
                                  help="write `table(0, 0.7, 1, 0.2, 2, 0.1)`"))
            return None
        if arity is not None and len(node.args) != arity:
            self.el.report(report("E0604", node.span, f"`{name}` takes {arity} "
                                  f"argument{'s' if arity > 1 else ''}, not {len(node.args)}",
                                  label="wrong number of arguments",
                                  help=f"`{name}({_SIGNATURES[name]})`"))
            return None
        if name != "empirical" and any(type(a) is syntax.String for a in node.args):
            self.el.report(report("E0604", node.span, f"`{name}` takes numbers, not strings",
                                  label="a string here",
                                  help="only `empirical(\"file.csv\", \"column\")` reads "
                                  "strings"))
            return None
        args = [] if name == "empirical" else [self.formula(a) for a in node.args]
        if None in args:
            return None
        if name == "empirical":
            sample = self.el.sample(node)
            return None if sample is None else Apply(function=name, args=[sample],
                                                     span=node.span)
        if name == "bernoulli":
            self.probability(node.args[0], args[0])
        if name == "table":
            self.table(node, args)
        return Apply(function=name, args=args, span=node.span)

    def table(self, node: syntax.Call, args) -> None:
        """`table(v, p, ...)`: each p a probability, and together 1 when all are written."""
        for written, value in zip(node.args[1::2], args[1::2]):
            self.probability(written, value)
        numbers = [Fraction(a.value) for a in args[1::2] if type(a).__name__ == "Num"]
        if len(numbers) == len(args) // 2 and sum(numbers) != 1:
            self.el.report(report("E0605", node.span, f"the probabilities of `{node.text}` "
                                  f"add up to {float(sum(numbers)):g}, not 1",
                                  label="not a distribution",
                                  help="make the probabilities add up to 1"))

    def name(self, ref: syntax.Ref):
        parts = [p.text for p in ref.parts]
        first = parts[0]
        known = first in self.inputs or first in self.set or first in self.states
        if len(parts) == 1 and not known:
            known = first in BUILTIN_NAMES or self.el.param_range(first) is not None
            if first in self.el.broken and first in self.el.decls:
                self.quiet = True     # an adversary with an error of its own: said once
                return None
        if not known or len(parts) > 2:
            candidates = [*self.inputs, *self.set, *self.states, *BUILTIN_NAMES,
                          *self.el.proposal.params, *self.el.proposal.adversaries]
            later = first in self.outputs
            self.el.report(report(
                "E0602", ref.span, f"unknown name `{ref.dotted}`" if not later else
                f"`{first}` is read before it is set", label="not known here",
                help=("steps run in order: set it in an earlier step" if later else
                      did_you_mean(first, candidates) or
                      "a formula reads inputs, names set by earlier steps, counters, "
                      "`param`s, `adversary`s, `task` and `tasks`")))
            return None
        return Var(path=parts, span=ref.span)

    # ----------------------------------------------------------------------- type fits
    def probability(self, node, value) -> None:
        """`bernoulli(p)`: p must be a probability, written or by its parameter's type."""
        low = high = None
        if type(value).__name__ == "Num":
            low = high = Fraction(value.value)
        elif isinstance(value, Var) and len(value.path) == 1:
            bounds = self.el.param_range(value.path[0])
            low, high = bounds if bounds else (Fraction(0), Fraction(1))
        else:
            return
        if low is None or high is None or low < 0 or high > 1:
            constant = type(value).__name__ == "Num"
            self.el.report(report(
                "E0605", node.span, f"`{node.text}` is not a probability",
                label="outside [0, 1]" if constant else "may lie outside [0, 1]",
                help="a probability is a number in [0, 1]" if constant else _PROBABILITY_HELP))

    def computes(self, name: str, value, node: sb.Step) -> bool:
        """`out = formula` into a typed output: an opaque value (a `Response`) is a record of
        features, passed on whole, never a number; a number written must be of the type."""
        port = self.outputs.get(name)
        if port is None:
            return True
        if not isinstance(port.type, (NumType, BoolType)):
            if _passes_on(value):
                return True
            self.el.report(report(
                "E0605", node.value.span, f"`{name}` is a `{port.written}`, not a number",
                label="a number here", related=[(port.span, "the port's type")],
                help=f"set its features (`{name}.correct = ...`) or pass a value on "
                f"(`{name} = {next(iter(self.inputs), 'input')}`)"))
            return False
        written = number(value) if type(value).__name__ == "Num" else None
        if written is None:
            return True
        allowed = written in (0, 1) if isinstance(port.type, BoolType) else \
            _within(("real", (written, written), ""), port.type)
        if not allowed:
            self.el.report(report(
                "E0605", node.value.span, f"{float(written):g} is not a value of `{name}`",
                label="outside the type", related=[(port.span, "the port's type")],
                help=f"`{name}` is `{port.written}`" + (": write `true` or `false`"
                                                          if isinstance(port.type, BoolType)
                                                          else "")))
        return allowed

    def fits(self, name: str, value, node: sb.Step) -> None:
        """A draw into a typed output: its distribution's values must lie in the type."""
        port = self.outputs.get(name)
        if port is None:
            return
        for dist in _distributions(value):
            support = _support(dist)
            if support is None:
                continue
            if not _within(support, port.type):
                self.el.report(report(
                    "E0605", dist.span, f"`{dist.function}` cannot give `{name}`'s values",
                    label=f"values in {support[2]}", related=[(port.span, "the port's type")],
                    help=f"`{name}` is a Bool: draw it from `bernoulli(p)`"
                    if isinstance(port.type, BoolType) else
                    f"`{name}` is `{port.written}`: draw from a distribution within it (`beta` "
                    "or `uniform` for an interval, a `table` of values in it)"))


def _passes_on(value) -> bool:
    """A value that can stand for a record: a name, or a choice between names."""
    if isinstance(value, Choice):
        return _passes_on(value.then) and _passes_on(value.otherwise)
    return isinstance(value, Var)


def _is_distribution(value) -> bool:
    if isinstance(value, Choice):
        return _is_distribution(value.then) and _is_distribution(value.otherwise)
    return isinstance(value, Apply) and value.function in DISTRIBUTIONS


def _distributions(value):
    if isinstance(value, Choice):
        return [*_distributions(value.then), *_distributions(value.otherwise)]
    return [value] if isinstance(value, Apply) and value.function in DISTRIBUTIONS else []


def _support(dist: Apply):
    """(kind, (low, high), shown): what values a distribution gives."""
    if dist.function == "bernoulli":
        return ("bool", None, "{false, true}")
    if dist.function == "normal":
        return ("real", (None, None), "(-inf, inf)")
    if dist.function == "beta":
        return ("real", (Fraction(0), Fraction(1)), "[0, 1]")
    if dist.function == "empirical":
        values = dist.args[0].values
        return ("real", (Fraction(values[0]), Fraction(values[-1])),
                f"[{values[0]:g}, {values[-1]:g}]")
    if dist.function == "table":
        values = [number(a) if type(a).__name__ == "Num" else None for a in dist.args[::2]]
        if None in values:
            return None
        return ("real", (min(values), max(values)), "{" + ", ".join(map(str, values)) + "}")
    bounds = [number(a) if type(a).__name__ == "Num" else None for a in dist.args]
    if None in bounds:
        return None
    return ("real", tuple(bounds), f"[{bounds[0]}, {bounds[1]}]")


def _within(support, kind) -> bool:
    what, bounds, _ = support
    if isinstance(kind, BoolType):
        return what == "bool"
    if not isinstance(kind, NumType):
        return True      # an opaque value: its features are what the behaviour sets
    if what == "bool":
        return False
    low, high = bounds
    type_low, type_high = number(kind.lower), number(kind.upper)
    if kind.lower is not None and (low is None or type_low is None or low < type_low):
        return False
    return not (kind.upper is not None and (high is None or type_high is None or
                                           high > type_high))
