"""Assertions written in a proposal, checked like Alloy commands: each holds, or fails with a
witness path through the diagram."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from .. import witness as w
from ..model import Assertion
from ..structure import Target, active, resolve
from .graph import System
from .incentives import Incentives
from .scope import placed_assertions


@dataclass
class AssertionResult:
    assertion: Assertion
    holds: bool
    message: str
    witness: w.Witness = ()


def _resolve(system: System, name: str) -> Target | None:
    return resolve(system.proposal, system.flat, name)


def _port_path(system: System, source: tuple[str, str | None], target: tuple[str, str | None],
               avoiding: set[str]) -> list[str] | None:
    """A data path inside one mode from the source (port) to the target (port), avoiding boxes."""
    for mode in system.mode_list:
        edges = [e for e in system.edges if active(e.modes, mode)]
        out: dict[str, list] = {}
        for edge in edges:
            out.setdefault(edge.source, []).append(edge)
        start, start_port = source
        goal, goal_port = target
        parents: dict[str, str | None] = {start: None}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for edge in out.get(node, []):
                if node == start and start_port is not None and edge.source_port != start_port:
                    continue
                if edge.target == goal and (goal_port is None or edge.target_port == goal_port):
                    path = [goal, node]
                    while parents[path[-1]] is not None:
                        path.append(parents[path[-1]])
                    return list(reversed(path))
                if edge.target in parents or edge.target in avoiding:
                    continue
                parents[edge.target] = node
                queue.append(edge.target)
    return None


def check_assertions(system: System, incentives: list[Incentives]) -> list[AssertionResult]:
    """The assertions that speak about the analysed diagram (`scope.placed_assertions`: a
    nested diagram's once per place it is used, its names as paths there), each judged."""
    by_decision = {i.decision: i for i in incentives}
    return [_check(system, place.node, by_decision) for place in placed_assertions(system)]


def _check(system: System, assertion: Assertion, incentives: dict[str, Incentives]) -> AssertionResult:
    resolved = {n: _resolve(system, n) for n in assertion.names}
    claim = assertion.claim
    if claim == "no_path":
        avoiding = {resolved[n][0] for n in assertion.avoiding}
        path = _port_path(system, resolved[assertion.source], resolved[assertion.target], avoiding)
        if path is None:
            return AssertionResult(assertion, True, "no such path")
        return AssertionResult(assertion, False, "a path exists", system.steps(path))
    if claim == "gated":
        box = system.boxes[resolved[assertion.target][0]]
        gates = system.full_gates
        reached = [sink for sink in system.sinks if sink.path != box.path and
                   system.reaches(box.path, sink.path, modes=system.deploy_modes) is not None]
        for sink in reached:
            path = system.reaches(box.path, sink.path, gates - {box.path}, modes=system.deploy_modes)
            if path is not None:
                return AssertionResult(assertion, False,
                                       f"`{box.path}` reaches `{sink.path}` with no trusted gate "
                                       "that examines all of it", system.steps(path))
        if not reached:
            return AssertionResult(assertion, True, f"vacuously: `{box.path}` reaches no "
                                   "sink or environment in deployment")
        return AssertionResult(assertion, True, "every path to the world passes a trusted gate")
    if claim == "trusted":
        target = resolved[assertion.target]
        for hazard in system.hazards:
            if hazard.path == target[0]:
                return AssertionResult(assertion, False, f"`{hazard.path}` is untrusted",
                                       (hazard.place,))
            path = _port_path(system, (hazard.path, None), target, system.full_gates)
            if path is not None:
                return AssertionResult(assertion, False,
                                       f"untrusted `{hazard.path}` reaches it with no trusted gate",
                                       system.steps(path))
        return AssertionResult(assertion, True, "only trusted sources reach it ungated")
    decision = resolved[assertion.source][0]
    # a shared copy decides for the agent whose parameters it uses
    found = incentives.get(decision) or incentives.get(system.boxes[decision].weights)
    if found is None:
        return AssertionResult(assertion, True, f"`{decision}` is not a trained agent: it has no "
                               "incentives")
    target = system.boxes[resolved[assertion.target][0]].place
    tables = {"control": ["ici_control"], "response": ["ri"], "information": ["voi"],
              None: ["ici_control", "ici_info"]}[assertion.incentive]
    for table in tables:
        for key in (target, w.Params(target)):
            witness = getattr(found, table).get(key)
            if witness is not None:
                label = {"ici_control": "an instrumental control incentive",
                         "ici_info": "an information-only control incentive",
                         "ri": "a response incentive", "voi": "value of information"}[table]
                return AssertionResult(assertion, False, f"`{decision}` has {label} on `{key}`",
                                       witness)
    return AssertionResult(assertion, True, "no such incentive")
