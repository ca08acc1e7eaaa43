"""Monte Carlo evaluation: every episode at once, one numpy array entry per episode, for any
composed program (the exact evaluator's class or not). Deterministic for a given seed."""

from __future__ import annotations

import numpy as np

from .formulas import vector


def simulate(program, values: dict[str, float], episodes: int, seed: int,
             progress=None) -> dict:
    """Safety and the mean number of tasks solved over `episodes` episodes, with their 95%
    intervals (Wilson's for safety; the normal one for the mean)."""
    rng = np.random.default_rng(seed)
    size = episodes
    scope: dict[str, np.ndarray] = {}
    for name in sorted(program.states):
        scope[name] = vector(program.states[name], {}, values, 1, size)
    for name in sorted(program.delayed):
        scope[name] = np.zeros(size)
    alive = np.ones(size, dtype=bool)
    unsafe = np.zeros(size, dtype=bool)
    solved = np.zeros(size)
    for task in range(1, program.tasks + 1):
        if not alive.any():
            break
        for form, var, expression in program.ops:
            scope[var] = (vector(expression, scope, values, task, size) if form == "let"
                          else _draw(expression, scope, values, task, size, rng))
        ended = np.zeros(size, dtype=bool)
        for kind, condition in program.outcomes:
            happened = (vector(condition, scope, values, task, size) != 0) & alive
            if kind == "solved":
                solved += happened
            elif kind == "catastrophe":
                unsafe |= happened
                ended |= happened
            else:
                ended |= happened
        following = {name: vector(program.nexts.get(name, ("state", name)), scope, values,
                                  task, size) for name in program.states}
        following |= {name: vector(program.delayed[name], scope, values, task, size)
                      for name in program.delayed}
        scope.update(following)
        alive &= ~ended
        if progress is not None:
            progress(task, program.tasks)
    return _summary(unsafe, solved, episodes)


def _draw(dist, scope, values, task, size, rng):
    name = dist[0]
    if name == "if":
        condition = vector(dist[1], scope, values, task, size) != 0
        return np.where(condition, _draw(dist[2], scope, values, task, size, rng),
                        _draw(dist[3], scope, values, task, size, rng))
    if name == "empirical":
        return rng.choice(np.asarray(dist[1][1]), size)
    args = [vector(a, scope, values, task, size) for a in dist[1:]]
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
        return rng.normal(args[0], args[1])
    if name == "uniform":
        return rng.uniform(args[0], args[1])
    return rng.beta(args[0], args[1])


def _summary(unsafe: np.ndarray, solved: np.ndarray, episodes: int) -> dict:
    z = 1.959963984540054
    safe = float(episodes - unsafe.sum())
    p = safe / episodes
    centre = (p + z * z / (2 * episodes)) / (1 + z * z / episodes)
    half = z * np.sqrt(p * (1 - p) / episodes + z * z / (4 * episodes ** 2)) / \
        (1 + z * z / episodes)
    mean = float(solved.mean())
    spread = z * float(solved.std(ddof=1)) / np.sqrt(episodes) if episodes > 1 else 0.0
    return {"safety": p, "safety_interval": [max(0.0, centre - half), min(1.0, centre + half)],
            "solved": mean, "solved_interval": [mean - spread, mean + spread]}
