"""Exact evaluation: a dynamic programme over the counters' states.

The class it decides: every draw is a finite distribution (`bernoulli`) or a continuous one
(`normal`, `uniform`, `beta`) read only through comparisons with constants (thresholds set by
parameters), and the counters, with the values that delayed wires keep, take finitely many
values (bounded by the number of tasks). Then one task is a finite tree of branches: a
continuous draw branches on the intervals between its thresholds, each with the probability
its distribution gives it. From each state the tree gives the probability of a catastrophe, of
a stop, of the task being solved, and of each next state; the episode is the chain of those
transitions, run for N tasks with numpy. This is the class of the recurrences of Griffin et
al. (2024), "Games for AI Control", for memoryless threshold protocols.

Anything else is refused with the reason (`Refused`), and `wiring evaluate` says it.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from .formulas import (CONTINUOUS, EvaluationError, check_distribution, evaluate,
                       fold_program, mixed, probability_between, walk)

MAX_STATES = 200_000     # counter states reachable in an episode
MAX_BRANCHES = 100_000   # branches of one task from one state


class Refused(Exception):
    """The proposal is outside the exact class; the message says why."""


def solve(program, values: dict[str, float]) -> dict:
    """Safety (probability of no catastrophe over the episode) and the expected number of tasks
    solved, exactly, with the parameters at `values`."""
    program = fold_program(program, values)
    thresholds = _thresholds(program, values)
    keyed = _task_only(program)
    chain = _Chain(program, values, thresholds)
    keys = [tuple(evaluate(e, {}, values, task) for e in keyed)
            for task in range(1, program.tasks + 1)] if keyed else [()] * program.tasks
    mass = np.ones(1)
    catastrophe = solved = 0.0
    task = 1
    while task <= program.tasks:       # runs of tasks with the same task-only values
        end = task
        while end < program.tasks and keys[end] == keys[task - 1]:
            end += 1
        step = chain.closed(keys[task - 1], task)
        mass = np.concatenate([mass, np.zeros(step.size - len(mass))])
        mass, lost, done = _run(step, mass, end - task + 1)
        catastrophe += lost
        solved += done
        task = end + 1
    # sums of many products can stray past 0 or 1 by rounding
    return {"safety": min(1.0, max(0.0, 1.0 - catastrophe)), "solved": solved,
            "states": len(chain.states)}


DENSE = 400    # up to this many states, a run of tasks is computed by repeated squaring


def _run(step, mass: np.ndarray, length: int) -> tuple[np.ndarray, float, float]:
    """`length` tasks from `mass`: the mass after them, the probability of a catastrophe in
    them and the expected number solved."""
    if step.size > DENSE or length < 16:
        lost = done = 0.0
        for _ in range(length):
            lost += float(mass @ step.catastrophe)
            done += float(mass @ step.solved)
            mass = np.bincount(step.dst, weights=step.p * mass[step.src], minlength=step.size)
        return mass, lost, done
    matrix = np.zeros((step.size, step.size))
    np.add.at(matrix, (step.src, step.dst), step.p)
    power, total = _powers(matrix, length)
    reached = mass @ total      # the expected time spent in each state over the run
    return mass @ power, float(reached @ step.catastrophe), float(reached @ step.solved)


def _powers(matrix: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """(M^length, M^0 + ... + M^(length-1)) by repeated squaring."""
    size = len(matrix)
    power, total = np.eye(size), np.zeros((size, size))        # for 0 steps
    base, base_total = matrix, np.eye(size)                      # for 1 step
    while length:
        if length & 1:
            total = total + power @ base_total
            power = power @ base
        base_total = base_total + base @ base_total
        base = base @ base
        length >>= 1
    return power, total


class _Step:
    """The transitions from every state seen so far, for one key of the task-only values:
    lists while states are added, numpy arrays (`arrays`) for the chain to run."""

    def __init__(self):
        self.src: list[int] = []
        self.dst: list[int] = []
        self.prob: list[float] = []
        self.cat: list[float] = []   # per state: the probability of a catastrophe
        self.sol: list[float] = []   # per state: the probability the task is solved
        self.covered = 0             # states expanded
        self.arrays: _Arrays | None = None


class _Arrays:
    def __init__(self, step: _Step, size: int):
        pad = np.zeros(size - len(step.cat))
        self.size = size
        self.src = np.array(step.src, dtype=np.int64)
        self.dst = np.array(step.dst, dtype=np.int64)
        self.p = np.array(step.prob)
        self.catastrophe = np.concatenate([np.array(step.cat), pad])
        self.solved = np.concatenate([np.array(step.sol), pad])


class _Chain:
    def __init__(self, program, values, thresholds):
        self.program = program
        self.values = values
        self.thresholds = thresholds
        self.counters = sorted(program.states) + sorted(program.delayed)
        initial = tuple([evaluate(program.states[c], {}, values, 1) for c in
                         sorted(program.states)] + [0.0] * len(program.delayed))
        self.states = [initial]
        self.index = {initial: 0}
        self.steps: dict[tuple, _Step] = {}
        self.independent, self.dependent = _split(program)
        self.prefixes: dict[tuple, list] = {}    # key -> branches of the independent steps

    def closed(self, key: tuple, task: int) -> _Arrays:
        """The transitions under `key` from every state reachable under it."""
        step = self.steps.setdefault(key, _Step())
        leaves = not any(form == "draw" for form, _, _ in self.dependent)
        while step.covered < len(self.states):
            if leaves:
                self._expand_leaves(step, key, step.covered, task)
            else:
                self._expand(step, step.covered, task)
            step.covered += 1
            step.arrays = None
            if len(self.states) > MAX_STATES:
                raise Refused(f"the counters reach more than {MAX_STATES:,} states")
        if step.arrays is None or step.arrays.size != len(self.states):
            step.arrays = _Arrays(step, len(self.states))
        return step.arrays

    def _expand_leaves(self, step: _Step, key: tuple, index: int, task: int) -> None:
        """One state's transitions when no draw reads a counter: the draws' branches are
        enumerated once per key and kept as columns, one entry per branch, and what reads the
        counters is computed on those columns with numpy."""
        prefix = self.prefixes.get(key)
        if prefix is None:
            head = replace(self.program, ops=self.independent)
            prefix = self.prefixes[key] = _columns(list(_branches(head, {}, self.values,
                                                                  self.thresholds, task)))
        weights, scope = prefix
        scope = {**scope, **dict(zip(self.counters, self.states[index]))}
        for _, var, expression in self.dependent:
            scope[var] = _valued(mixed(expression, scope, task), weights, var, task)
        ones = np.ones(len(weights))
        lost, stopped = np.zeros(len(weights), dtype=bool), np.zeros(len(weights), dtype=bool)
        solved = 0.0
        for kind, condition in self.program.outcomes:
            happened = _valued(mixed(condition, scope, task) * ones, weights, kind, task) != 0
            if kind == "solved":
                solved += float(weights @ happened)
            elif kind == "catastrophe":
                lost |= happened
            else:
                stopped |= happened
        following = [mixed(self.program.nexts.get(c, ("state", c)), scope, task) * ones
                     for c in sorted(self.program.states)] + \
            [mixed(self.program.delayed[d], scope, task) * ones
             for d in sorted(self.program.delayed)]
        moves: dict[tuple, float] = {}
        rows = zip(*following) if following else [()] * len(weights)
        for weight, move, going in zip(weights.tolist(), rows, (~(lost | stopped)).tolist()):
            if going:
                moves[move] = moves.get(move, 0.0) + weight
        self._record(step, index, moves, float(weights @ lost), solved)

    def _record(self, step: _Step, index: int, moves: dict, catastrophe: float,
                solved: float) -> None:
        for following, weight in moves.items():
            target = self.index.get(following)
            if target is None:
                target = self.index[following] = len(self.states)
                self.states.append(following)
            step.src.append(index)
            step.dst.append(target)
            step.prob.append(weight)
        step.cat.append(catastrophe)
        step.sol.append(solved)

    def _expand(self, step: _Step, state_index: int, task: int) -> None:
        state = self.states[state_index]
        env = dict(zip(self.counters, state))
        outcomes: dict[tuple, float] = {}
        catastrophe = solved = 0.0
        for weight, leaf in _branches(self.program, env, self.values, self.thresholds, task):
            ended = None
            for kind, condition in self.program.outcomes:
                if kind != "solved" and evaluate(condition, leaf, self.values, task):
                    ended = "catastrophe" if kind == "catastrophe" or ended == "catastrophe" \
                        else "stop"
            for kind, condition in self.program.outcomes:
                if kind == "solved" and evaluate(condition, leaf, self.values, task):
                    solved += weight
            if ended == "catastrophe":
                catastrophe += weight
                continue
            if ended == "stop":
                continue
            following = tuple([float(evaluate(self.program.nexts.get(c, ("state", c)), leaf,
                                                self.values, task))
                               for c in sorted(self.program.states)] +
                              [float(evaluate(self.program.delayed[d], leaf, self.values, task))
                               for d in sorted(self.program.delayed)])
            outcomes[following] = outcomes.get(following, 0.0) + weight
        self._record(step, state_index, outcomes, catastrophe, solved)


def _columns(branches: list) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Branches (probability, values) as a column of probabilities and one per name."""
    weights = np.array([weight for weight, _ in branches])
    names = branches[0][1].keys() if branches else ()
    return weights, {name: np.array([scope[name] for _, scope in branches], dtype=float)
                     for name in names}


def _valued(value, weights: np.ndarray, name: str, task: int):
    """`value`, refused where a branch that can happen has none (a division by zero)."""
    if np.isnan(np.asarray(value, dtype=float) * np.ones(len(weights)))[weights > 0].any():
        raise EvaluationError(f"`{name.replace('/', '.')}` has no value in task {task}: a "
                              "formula divides by zero")
    return value


def _split(program) -> tuple[list, list]:
    """The steps that read no counter (nor what one decides), in order, and the rest: the
    first can be enumerated once for every state."""
    tainted = set(program.states) | set(program.delayed)
    independent, dependent = [], []
    for op in program.ops:
        reads = {node[1] for node, _ in walk(op[2]) if node[0] in ("var", "state")}
        if reads & tainted:
            tainted.add(op[1])
            dependent.append(op)
        else:
            independent.append(op)
    return independent, dependent


def _branches(program, env: dict, values, thresholds, task: int):
    """Every branch of one task from the counters in `env`: (probability, values)."""
    count = 0
    stack = [(0, 1.0, dict(env))]
    while stack:
        index, weight, scope = stack.pop()
        if weight == 0.0:
            continue
        if index == len(program.ops):
            count += 1
            if count > MAX_BRANCHES:
                raise Refused(f"one task has more than {MAX_BRANCHES:,} branches")
            yield weight, scope
            continue
        form, var, expression = program.ops[index]
        if form == "let":
            scope[var] = evaluate(expression, scope, values, task)
            stack.append((index + 1, weight, scope))
            continue
        for value, p in _atoms(expression, scope, values, task, thresholds.get(var, [])):
            branch = dict(scope)
            branch[var] = value
            stack.append((index + 1, weight * p, branch))


def _atoms(dist, scope, values, task, cuts):
    """(value, probability) of a distribution: two for a bernoulli, one per interval between
    the thresholds for a continuous one (the value a point inside it)."""
    name = dist[0]
    if name == "if":
        chosen = dist[2] if evaluate(dist[1], scope, values, task) else dist[3]
        return _atoms(chosen, scope, values, task, cuts)
    if name == "empirical":
        return _sample_atoms(dist[1][1], cuts)
    args = [evaluate(a, scope, values, task) for a in dist[1:]]
    check_distribution(name, args)
    if name == "table":
        return list(zip(args[::2], args[1::2]))
    if name == "bernoulli":
        return [(1.0, args[0]), (0.0, 1.0 - args[0])]
    points = [-math.inf, *cuts, math.inf]
    atoms = []
    for low, high in zip(points, points[1:]):
        inside = (low + high) / 2 if math.isfinite(low) and math.isfinite(high) else \
            (high - 1.0 if math.isfinite(high) else low + 1.0 if math.isfinite(low) else 0.0)
        atoms.append((inside, probability_between(name, args, low, high)))
    return atoms


def _sample_atoms(sample: list[float], cuts: list[float]):
    """An empirical sample's atoms: the share of it strictly between each pair of thresholds,
    and the share exactly at each threshold (a sample, unlike a density, has ties)."""
    data = np.asarray(sample)         # sorted when it was read
    size = len(data)
    atoms = []
    points = [-math.inf, *cuts, math.inf]
    for low, high in zip(points, points[1:]):
        inside = np.searchsorted(data, high, "left") - np.searchsorted(data, low, "right")
        where = (low + high) / 2 if math.isfinite(low) and math.isfinite(high) else \
            (high - 1.0 if math.isfinite(high) else low + 1.0 if math.isfinite(low) else 0.0)
        atoms.append((where, inside / size))
    for cut in cuts:
        at = np.searchsorted(data, cut, "right") - np.searchsorted(data, cut, "left")
        atoms.append((cut, at / size))
    return atoms


def _thresholds(program, values) -> dict[str, list[float]]:
    """For each continuous draw, the constants it is compared with; refused when it is read in
    any other way."""
    continuous = {var for form, var, e in program.ops
                  if form == "draw" and _is_continuous(e)}
    cuts: dict[str, set[float]] = {var: set() for var in continuous}
    expressions = [e for _, _, e in program.ops] + [c for _, c in program.outcomes] + \
        list(program.nexts.values()) + list(program.delayed.values())
    for expression in expressions:
        for node, parent in walk(expression):
            if node[0] != "var" or node[1] not in continuous:
                continue
            if parent is None or parent[0] not in ("<", "<=", ">", ">=") or \
                    not _constant(parent[2] if parent[1] == node else parent[1]):
                raise Refused(f"`{node[1].replace('/', '.')}` is drawn from a continuous "
                              "distribution and used other than compared with a constant")
            other = parent[2] if parent[1] == node else parent[1]
            cut = float(evaluate(other, {}, values, 1))
            if math.isfinite(cut):      # against inf or nan a comparison needs no interval
                cuts[node[1]].add(cut)
    return {var: sorted(found) for var, found in cuts.items()}


def _is_continuous(dist) -> bool:
    if dist[0] == "if":
        return _is_continuous(dist[2]) or _is_continuous(dist[3])
    return dist[0] in CONTINUOUS


def _constant(expression) -> bool:
    return all(node[0] not in ("var", "state", "task") for node, _ in walk(expression))


def _task_only(program) -> list[tuple]:
    """The largest parts of the program's expressions that read the task's number and nothing
    drawn or counted: their values are the key under which one task's transitions repeat."""
    found: list[tuple] = []
    expressions = [e for _, _, e in program.ops] + [c for _, c in program.outcomes] + \
        list(program.nexts.values()) + list(program.delayed.values())

    def visit(node):
        kinds = {n[0] for n, _ in walk(node)}
        if "task" in kinds and not kinds & {"var", "state"}:
            if node not in found:
                found.append(node)
            return
        for child in node[1:]:
            if isinstance(child, tuple):
                visit(child)
    for expression in expressions:
        visit(expression)
    return found
