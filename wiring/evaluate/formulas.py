"""The composed program's expressions (check/behaviours.py) evaluated: on numbers for the exact
evaluator, on numpy arrays (one entry per episode) for Monte Carlo; and the distributions'
probabilities of an interval."""

from __future__ import annotations

import math
import operator
from dataclasses import replace
from statistics import NormalDist

import numpy as np

CONTINUOUS = ("normal", "uniform", "beta", "empirical")
DISTRIBUTION_NAMES = ("bernoulli", "table", *CONTINUOUS)

class EvaluationError(ValueError):
    """The behaviours ask for what has no value at these parameters (a division by zero, a
    probability outside [0, 1], a normal with no spread); the message says which."""


def check_distribution(name: str, args) -> None:
    """The arguments of a distribution, numbers or arrays, must make one."""
    args = [np.asarray(a, dtype=float) for a in args]
    if name == "bernoulli" and np.any((args[0] < 0) | (args[0] > 1) | np.isnan(args[0])):
        raise EvaluationError(f"a bernoulli's probability is {_bad(args[0], 0, 1)}, "
                              "outside [0, 1]")
    if name == "normal" and np.any(~(args[1] > 0)):
        raise EvaluationError(f"a normal's sd is {_first(args[1], lambda a: ~(a > 0))}: it must "
                              "be positive")
    if name == "uniform" and np.any(~(args[1] > args[0])):
        raise EvaluationError("a uniform's high end is not above its low end")
    if name == "beta" and np.any(~((args[0] > 0) & (args[1] > 0))):
        raise EvaluationError("a beta's parameters must be positive")
    if name == "table":
        chances = args[1::2]
        if any(np.any((p < 0) | (p > 1)) for p in chances) or \
                np.any(np.abs(sum(chances) - 1) > 1e-9):
            raise EvaluationError("a table's probabilities are not a distribution (each in "
                                  "[0, 1], adding up to 1)")


def _bad(values, low, high):
    return _first(values, lambda a: (a < low) | (a > high) | np.isnan(a))


def _first(values, wrong):
    values = np.atleast_1d(values)
    return f"{values[np.flatnonzero(wrong(values))[0]]:g}"


def _divide(a, b):
    if np.any(np.asarray(b) == 0):
        raise EvaluationError("a formula divides by zero")
    return a / b


_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": _divide,
          "^": operator.pow, "<": operator.lt, "<=": operator.le, ">": operator.gt,
          ">=": operator.ge, "==": operator.eq, "!=": operator.ne, "min": min, "max": max}


def walk(expression, parent=None):
    """Every node of an expression with its parent, depth first."""
    stack = [(expression, parent)]
    while stack:
        node, up = stack.pop()
        yield node, up
        stack += [(child, node) for child in node[1:] if isinstance(child, tuple)]


def evaluate(node, scope: dict, values: dict, task: int):
    """A number (truth values are 1.0 and 0.0) from an expression, with `scope` the names set
    so far, `values` the parameters."""
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind in ("var", "state"):
        return scope[node[1]]
    if kind == "param":
        return values[node[1]]
    if kind == "task":
        return float(task)
    if kind == "and":
        return 1.0 if evaluate(node[1], scope, values, task) and \
            evaluate(node[2], scope, values, task) else 0.0
    if kind == "or":
        return 1.0 if evaluate(node[1], scope, values, task) or \
            evaluate(node[2], scope, values, task) else 0.0
    if kind == "not":
        return 0.0 if evaluate(node[1], scope, values, task) else 1.0
    if kind == "neg":
        return -evaluate(node[1], scope, values, task)
    if kind == "if":
        chosen = node[2] if evaluate(node[1], scope, values, task) else node[3]
        return evaluate(chosen, scope, values, task)
    if kind == "normal_quantile":
        return normal_quantile(*(evaluate(a, scope, values, task) for a in node[1:]))
    result = _ARITH[kind](evaluate(node[1], scope, values, task),
                          evaluate(node[2], scope, values, task))
    return float(result)


def fold(node, values: dict):
    """The expression with every part that reads only parameters and numbers computed: the
    evaluators then meet `normal_quantile(1 - defer_fraction, 0, 1)` as one number."""
    kind = node[0]
    if kind == "param":
        return ("num", values[node[1]])
    if kind in ("num", "var", "state", "task", "sample"):
        return node
    if kind in DISTRIBUTION_NAMES:
        return (kind, *(fold(child, values) for child in node[1:]))
    children = tuple(fold(child, values) for child in node[1:])
    if all(child[0] == "num" for child in children):
        return ("num", evaluate((kind, *children), {}, values, 0))
    return (kind, *children)


def fold_program(program, values: dict):
    """The program with its parameters' parts computed once (`fold`)."""
    def folded(expression):
        if expression[0] == "if" and expression[2][0] in DISTRIBUTION_NAMES + ("if",):
            return ("if", fold(expression[1], values), folded(expression[2]),
                    folded(expression[3]))
        return fold(expression, values)
    return replace(program, ops=[(form, var, folded(e)) for form, var, e in program.ops],
                   states={k: fold(e, values) for k, e in program.states.items()},
                   nexts={k: fold(e, values) for k, e in program.nexts.items()},
                   outcomes=[(kind, fold(c, values)) for kind, c in program.outcomes],
                   delayed={k: fold(e, values) for k, e in program.delayed.items()})


def mixed(node, scope: dict, task: int):
    """A folded expression (no parameters left) over a scope whose names hold numbers or numpy
    arrays (one entry per episode, or per branch): numbers where it can, arrays where it must.
    A division by zero is nan, and nan goes through comparisons and logic, so that it shows
    where it is used and vanishes in the branch of an `if` that is not taken."""
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind in ("var", "state"):
        return scope[node[1]]
    if kind == "task":
        return float(task)
    args = [mixed(child, scope, task) for child in node[1:]]
    if kind == "neg":
        return -args[0]
    if kind == "normal_quantile":
        return np.frompyfunc(normal_quantile, 3, 1)(*args).astype(float)
    if kind == "if":
        chosen = np.where(np.asarray(args[0]) != 0, args[1], args[2])
        return np.where(np.isnan(args[0]), np.nan, chosen)
    if kind in ("min", "max"):
        return (np.fmin if kind == "min" else np.fmax)(args[0], args[1]) + _nan(args)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if kind == "/":
            return np.where(np.asarray(args[1]) == 0, np.nan, np.divide(args[0], args[1]))
        if kind in _LOGIC:
            return _logic(kind, args)
        result = _ARITH[kind](args[0], args[1]) * 1.0
        return result + _nan(args) if kind in _COMPARISONS else result


_LOGIC = ("and", "or", "not")


def _logic(kind: str, args):
    """`and`, `or`, `not` over truth values that may be nan (no value): a false operand decides
    an `and` and a true one an `or` whatever the other, as a short-circuit would."""
    known = [~np.isnan(np.asarray(a, dtype=float)) for a in args]
    truth = [np.asarray(a, dtype=float) != 0 for a in args]
    if kind == "not":
        return np.where(known[0], (~truth[0]) * 1.0, np.nan)
    if kind == "and":
        decided = (known[0] & ~truth[0]) | (known[1] & ~truth[1])
        return np.where(decided, 0.0, np.where(known[0] & known[1], 1.0, np.nan))
    decided = (known[0] & truth[0]) | (known[1] & truth[1])
    return np.where(decided, 1.0, np.where(known[0] & known[1], 0.0, np.nan))
_COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")


def _nan(args):
    """0 where every argument has a value, nan where one has none."""
    return sum(np.where(np.isnan(np.asarray(a, dtype=float)), np.nan, 0.0) for a in args)


def normal_quantile(q: float, mean: float, sd: float) -> float:
    """The value a normal distribution stays below with probability q: -inf at 0 (every value
    is above it), inf at 1, nan for a q outside [0, 1] or a non-positive sd."""
    if not 0.0 <= q <= 1.0 or not sd > 0:
        return math.nan
    if q in (0.0, 1.0):
        return math.inf if q else -math.inf
    return NormalDist(mean, sd).inv_cdf(q)


def probability_between(name: str, args: list[float], low: float, high: float) -> float:
    """P(low < X < high) for a continuous distribution."""
    return max(0.0, _cdf(name, args, high) - _cdf(name, args, low))


def _cdf(name: str, args: list[float], x: float) -> float:
    if x == -math.inf:
        return 0.0
    if x == math.inf:
        return 1.0
    if name == "normal":
        mean, sd = args
        return 0.5 * math.erfc(-(x - mean) / (sd * math.sqrt(2)))
    if name == "uniform":
        low, high = args
        return min(max((x - low) / (high - low), 0.0), 1.0)
    a, b = args
    return _regularised_beta(a, b, min(max(x, 0.0), 1.0))


def _regularised_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b), the beta distribution's CDF, by its continued fraction (Lentz's method)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    if x > (a + 1) / (a + b + 2):
        return 1.0 - _regularised_beta(b, a, 1.0 - x)
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                     + a * math.log(x) + b * math.log1p(-x)) / a
    tiny = 1e-300
    f, c, d = 1.0, 1.0, 0.0
    for i in range(400):
        m = i // 2
        if i == 0:
            numerator = 1.0
        elif i % 2 == 0:
            numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        else:
            numerator = -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1))
        d = 1.0 + numerator * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + numerator / c
        c = c if abs(c) > tiny else tiny
        f *= c * d
        if abs(1.0 - c * d) < 1e-15:
            break
    return front * (f - 1.0)
