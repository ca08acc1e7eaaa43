"""`wiring evaluate`: what a composed proposal does in numbers (docs/behaviours.md).

A checked proposal's `evaluate` block, composed into one program per task
(check/behaviours.py), is run exactly (exact.py, when the program is in its class) or by Monte
Carlo (montecarlo.py), against the adversary's best response (search.py): safety is the
probability that no catastrophe happens over the episode, usefulness the rate of solved tasks
with the adversary at its honest values, normalised when the block says from what to what.
numpy is imported here and only here, so that no other command pays for it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

# The matrices here are small (hundreds of states): BLAS threads would spin on the shared
# machine for more CPU time than the products take. Set before numpy is first imported.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

from ..check.behaviours import compose
from ..model import Proposal, literal_number
from ..model_behaviours import Evaluation
from .exact import Refused, solve
from .montecarlo import simulate
from .search import best_response

SEARCH_EPISODES = 1_000   # Monte Carlo episodes per point while searching


@dataclass
class Options:
    method: str = "auto"          # auto, exact, monte-carlo
    episodes: int = 10_000
    seed: int = 0
    progress: object = None       # called with (task, tasks) during long simulations


@dataclass
class Outcome:
    """One evaluation's figures and how they were found."""

    diagram: str
    mode: str | None
    tasks: int
    method: str                        # exact or monte-carlo
    why_not_exact: str | None
    safety: float
    safety_interval: list[float] | None
    solve_rate: float
    solve_interval: list[float] | None
    usefulness: float | None           # normalised, when the block says from what to what
    normalised_from: list[float] | None
    attack: dict[str, float] = field(default_factory=dict)   # the best response
    honest: dict[str, float] = field(default_factory=dict)
    search: str = ""
    episodes: int | None = None
    seed: int | None = None
    states: int | None = None
    settings: dict[str, float] = field(default_factory=dict)   # the --sweep point, if any
    unread: list[str] = field(default_factory=list)   # adversaries and swept names it ignores
    objective: str = "minimising safety"              # the adversary's, as declared

    def as_json(self) -> dict:
        return dict(self.__dict__)


def evaluate(proposal: Proposal, evaluation: Evaluation, options: Options,
             overrides: dict[str, float] | None = None) -> Outcome:
    """`overrides`: parameters given values by the command line (`--sweep`), over the
    block's own."""
    program, problems = compose(proposal, evaluation)
    if program is None:
        raise ValueError(problems)
    values = parameter_values(proposal)
    honest = {name: values[name] for name in proposal.adversaries}
    for name, expr in evaluation.settings.items():   # in the order written
        values[name] = _value(expr, values)
    values.update(overrides or {})
    given = {*evaluation.settings, *(overrides or {})}
    read = _parameters_read(program)
    ranges = {name: _range(param) for name, param in proposal.adversaries.items()
              if name not in given and name in read}
    fixed = {name: values[name] for name in proposal.adversaries if name in given}
    method, why = _method(program, values, options.method)

    def safety(chosen: dict[str, float], episodes: int | None = None) -> float:
        point = {**values, **chosen}
        if method == "exact":
            return solve(program, point)["safety"]
        return simulate(program, point, episodes or SEARCH_EPISODES, options.seed)["safety"]

    def precise(chosen: dict[str, float]) -> float:
        return simulate(program, {**values, **chosen}, options.episodes, options.seed)["safety"]

    attack, search = best_response(safety, ranges, {**honest, **fixed},
                                   precise if method == "monte-carlo" else None)
    at_attack = {**values, **attack}
    at_honest = {**values, **honest}
    if method == "exact":
        risky, calm = solve(program, at_attack), solve(program, at_honest)
        intervals = (None, None)
    else:
        risky = simulate(program, at_attack, options.episodes, options.seed, options.progress)
        calm = simulate(program, at_honest, options.episodes, options.seed + 1, options.progress)
        intervals = (risky["safety_interval"], [x / program.tasks for x in calm["solved_interval"]])
    rate = calm["solved"] / program.tasks
    low_high = [_value(e, values) for e in evaluation.usefulness] or None
    useful = (rate - low_high[0]) / (low_high[1] - low_high[0]) if low_high and \
        low_high[1] != low_high[0] else None
    return Outcome(diagram=evaluation.diagram, mode=evaluation.mode, tasks=program.tasks,
                   method=method, why_not_exact=why, safety=risky["safety"],
                   safety_interval=intervals[0], solve_rate=rate, solve_interval=intervals[1],
                   usefulness=useful, normalised_from=low_high, attack=attack, honest=honest,
                   search=search, episodes=None if method == "exact" else options.episodes,
                   seed=None if method == "exact" else options.seed,
                   states=risky.get("states"), settings=dict(overrides or {}),
                   objective=evaluation.objective,
                   unread=sorted(name for name in [*proposal.adversaries, *(overrides or {})]
                                 if name not in read))


def _parameters_read(program) -> set[str]:
    from .formulas import walk

    expressions = [e for _, _, e in program.ops] + [c for _, c in program.outcomes] + \
        list(program.states.values()) + list(program.nexts.values()) + \
        [e for e in program.delayed.values() if isinstance(e, tuple)]
    return {node[1] for e in expressions for node, _ in walk(e) if node[0] == "param"}


def _method(program, values, asked: str) -> tuple[str, str | None]:
    if asked == "monte-carlo":
        return "monte-carlo", None
    try:
        solve(program.__class__(**{**program.__dict__, "tasks": 1}), values)
    except Refused as why:
        if asked == "exact":
            raise
        return "monte-carlo", str(why)
    return "exact", None


def parameter_values(proposal: Proposal) -> dict[str, float]:
    """Every `param` and `adversary` at its default, as a float (a default written in other
    parameters is computed from theirs)."""
    values: dict[str, float] = {}
    for name, param in [*proposal.params.items(), *proposal.adversaries.items()]:
        if param.default is not None:
            try:
                values[name] = _value(param.default, values)
            except (KeyError, ZeroDivisionError, OverflowError):
                pass
    return values


def _value(expr, values: dict[str, float]) -> float:
    node = expr.node
    if node == "num":
        return float(expr.value)
    if node == "name":
        return values[expr.name]
    if node == "neg":
        return -_value(expr.arg, values)
    if node == "binary":
        return _apply(expr.op, _value(expr.left, values), _value(expr.right, values))
    if node == "chain":
        result = _value(expr.first, values)
        for link in expr.rest:
            result = _apply(link.op, result, _value(link.arg, values))
        return result
    raise KeyError(node)


def _apply(op: str, a: float, b: float) -> float:
    return {"+": a + b, "-": a - b, "*": a * b}.get(op) if op in "+-*" else \
        (a / b if op == "/" else a ** b)


def _range(param) -> tuple[float, float]:
    return float(literal_number(param.type.lower)), float(literal_number(param.type.upper))
