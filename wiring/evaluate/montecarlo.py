"""Monte Carlo evaluation: every episode at once, one numpy array entry per episode, for any
composed program (the exact evaluator's class or not). Deterministic for a given seed."""

from __future__ import annotations

import numpy as np

from .formulas import EvaluationError, check_distribution, fold_program, mixed


def simulate(program, values: dict[str, float], episodes: int, seed: int,
             progress=None) -> dict:
    """Safety and the mean number of tasks solved over `episodes` episodes, with their 95%
    intervals (Wilson's for safety; the normal one for the mean)."""
    program = fold_program(program, values)
    rng = np.random.default_rng(seed)
    ones = np.ones(episodes)
    scope: dict[str, np.ndarray] = {}
    for name in sorted(program.states):
        scope[name] = mixed(program.states[name], {}, 1) * ones
    for name in sorted(program.delayed):
        scope[name] = np.zeros(episodes)
    alive = np.ones(episodes, dtype=bool)
    unsafe = np.zeros(episodes, dtype=bool)
    solved = np.zeros(episodes)
    for task in range(1, program.tasks + 1):
        if not alive.any():
            break
        for form, var, expression in program.ops:
            value = (mixed(expression, scope, task) if form == "let"
                     else _draw(expression, scope, task, episodes, rng)) * ones
            scope[var] = _valued(value, alive, var, task)
        ended = np.zeros(episodes, dtype=bool)
        for kind, condition in program.outcomes:
            happened = (_valued(mixed(condition, scope, task) * ones, alive, kind, task) != 0)
            happened &= alive
            if kind == "solved":
                solved += happened
            else:
                unsafe |= happened if kind == "catastrophe" else False
                ended |= happened
        following = {name: mixed(program.nexts.get(name, ("state", name)), scope, task) * ones
                     for name in program.states}
        following |= {name: mixed(program.delayed[name], scope, task) * ones
                      for name in program.delayed}
        scope.update({name: _valued(v, alive, name, task) for name, v in following.items()})
        alive &= ~ended
        if progress is not None:
            progress(task, program.tasks)
    return _summary(unsafe, solved, episodes)


def _valued(value: np.ndarray, alive: np.ndarray, name: str, task: int) -> np.ndarray:
    """`value`, refused where a live episode has none (a division by zero)."""
    if np.isnan(value[alive]).any():
        shown = name.replace("/", ".")
        raise EvaluationError(f"`{shown}` has no value in task {task}: a formula divides by zero")
    return value


def _draw(dist, scope, task, size, rng):
    name = dist[0]
    if name == "if":
        condition = mixed(dist[1], scope, task) != 0
        return np.where(condition, _draw(dist[2], scope, task, size, rng),
                        _draw(dist[3], scope, task, size, rng))
    if name == "empirical":
        return rng.choice(np.asarray(dist[1][1]), size)
    args = [mixed(a, scope, task) for a in dist[1:]]
    check_distribution(name, args)
    if name == "bernoulli":
        return (rng.random(size) < args[0]).astype(float)
    if name == "table":
        # one uniform draw per episode, against the running sum of the probabilities
        u, result, below = rng.random(size), np.zeros(size), np.zeros(size)
        for value, p in zip(args[::2], args[1::2]):
            chosen = (u >= below) & (u < below + p)
            result = np.where(chosen, value, result)
            below = below + p
        return result
    if name == "normal":
        return rng.normal(args[0], args[1], size)
    if name == "uniform":
        return rng.uniform(args[0], args[1], size)
    return rng.beta(args[0], args[1], size)


def _summary(unsafe: np.ndarray, solved: np.ndarray, episodes: int) -> dict:
    z = 1.959963984540054
    safe = float(episodes - unsafe.sum())
    p = safe / episodes
    centre = (p + z * z / (2 * episodes)) / (1 + z * z / episodes)
    half = z * np.sqrt(p * (1 - p) / episodes + z * z / (4 * episodes ** 2)) / \
        (1 + z * z / episodes)
    mean = float(solved.mean())
    spread = z * float(solved.std(ddof=1)) / np.sqrt(episodes) if episodes > 1 else 0.0
    return {"safety": p, "safety_interval": [float(max(0.0, centre - half)),
                                             float(min(1.0, centre + half))],
            "solved": mean, "solved_interval": [mean - spread, mean + spread]}
