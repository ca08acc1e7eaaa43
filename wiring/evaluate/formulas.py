"""The composed program's expressions (check/behaviours.py) evaluated: on numbers for the exact
evaluator, on numpy arrays (one entry per episode) for Monte Carlo; and the distributions'
probabilities of an interval."""

from __future__ import annotations

import math
import operator
from statistics import NormalDist

import numpy as np

CONTINUOUS = ("normal", "uniform", "beta", "empirical")
DISTRIBUTION_NAMES = ("bernoulli", "table", *CONTINUOUS)

_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
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


def mixed(node, scope: dict, task: int):
    """A folded expression (no parameters left) over a scope whose names hold numbers or numpy
    arrays (one entry per counter state): numbers where it can, arrays where it must."""
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind in ("var", "state"):
        return scope[node[1]]
    if kind == "task":
        return float(task)
    args = [mixed(child, scope, task) for child in node[1:]]
    if kind == "and":
        return np.logical_and(args[0], args[1]) * 1.0
    if kind == "or":
        return np.logical_or(args[0], args[1]) * 1.0
    if kind == "not":
        return np.logical_not(args[0]) * 1.0
    if kind == "neg":
        return -args[0]
    if kind == "if":
        return np.where(np.asarray(args[0]) != 0, args[1], args[2])
    if kind in ("min", "max"):
        return (np.minimum if kind == "min" else np.maximum)(args[0], args[1])
    if kind == "normal_quantile":
        return np.frompyfunc(normal_quantile, 3, 1)(*args).astype(float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _ARITH[kind](args[0], args[1]) * 1.0


def vector(node, scope: dict, values: dict, task: int, size: int):
    """The same over numpy arrays: each name holds one value per episode."""
    kind = node[0]
    if kind == "num":
        return np.full(size, node[1])
    if kind in ("var", "state"):
        return scope[node[1]]
    if kind == "param":
        return np.full(size, values[node[1]])
    if kind == "task":
        return np.full(size, float(task))
    args = [vector(child, scope, values, task, size) for child in node[1:]]
    if kind == "and":
        return np.logical_and(args[0], args[1]).astype(float)
    if kind == "or":
        return np.logical_or(args[0], args[1]).astype(float)
    if kind == "not":
        return np.logical_not(args[0]).astype(float)
    if kind == "neg":
        return -args[0]
    if kind == "if":
        return np.where(args[0] != 0, args[1], args[2])
    if kind == "normal_quantile":
        return np.frompyfunc(normal_quantile, 3, 1)(*args).astype(float)
    if kind == "min":
        return np.minimum(args[0], args[1])
    if kind == "max":
        return np.maximum(args[0], args[1])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.asarray(_ARITH[kind](args[0], args[1]), dtype=float)


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
