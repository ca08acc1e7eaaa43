"""Findings read off the incentive analysis: reward tampering (A3), off-switch incentives and
time-bounding (A12), and audit-flag leaks (A13)."""

from __future__ import annotations

from typing import Iterable

from .. import witness as w
from ..diagnostics import Diagnostic, report
from .graph import System, per_system
from .incentives import CID, Incentives, Subject


def _reward_process(system: System, agent: str) -> dict[Subject, str]:
    """The parts of `agent`'s reward process upstream of its signal, with their subclass
    (Everitt et al.): parameters of a learned evaluator (reward-function tampering, or feedback
    tampering when people's labels train it), a stateful evaluator holding the reward function
    (reward-function tampering), a stateful person who gives the feedback (feedback tampering),
    and a sensor whose reading an evaluator scores (reward-function-input tampering)."""
    cache = system.__dict__.setdefault("_reward_process", {})
    if agent not in cache:
        cache[agent] = _find_reward_process(system, agent)
    return cache[agent]


@per_system
def _candidate_parts(system: System) -> dict[str, object]:
    """The boxes that can be part of some agent's reward process, by path in declaration
    order: few, where the boxes upstream of each agent's signal are many."""
    trained = system.trained
    return {b.path: b for b in system.boxes.values() if b.is_a("human", "sensor", "evaluator")
            or (b.path in trained and not b.is_a("agent"))}


@per_system
def _trained_by(system: System) -> dict:
    """Each trained box, to the (last) training statement that moves its parameters."""
    return {b: p for p in system.pressures for b in system.sharing(p.target)}


def _find_reward_process(system: System, agent: str) -> dict[Subject, str]:
    parts: dict[Subject, str] = {}
    candidates = _candidate_parts(system)
    if not candidates:
        return parts
    reads = set().union(*(p.sources for p in system.pressures_on(agent))) if \
        system.pressures_on(agent) else set()
    trained = _trained_by(system)
    upstream = set().union(*(system.reachable(r, reverse=True) for r in reads))
    # Of the candidates and the boxes upstream, the fewer are scanned: a thousand agents each
    # judged on its own have a thousand candidates and a few boxes upstream each.
    if len(upstream) < len(candidates):
        found = [candidates[p] for p in system.ordered(upstream & candidates.keys())]
    else:
        found = [box for path, box in candidates.items() if path in upstream]
    for box in found:
        if box.path == agent:
            continue
        if box.path in trained and not box.is_a("agent"):
            labels = trained[box.path].sources
            fed_by_people = any(system.boxes[s].is_a("human") for s in labels if s in system.boxes)
            parts[w.Params(box.place)] = ("feedback tampering" if fed_by_people
                                          else "reward-function tampering")
        if box.stateful and box.is_a("human"):
            parts[box.place] = "feedback tampering"
        elif box.stateful and box.is_a("evaluator"):
            parts[box.place] = "reward-function tampering"
        if box.is_a("sensor"):
            parts[box.place] = "reward-function-input tampering"
        elif box.is_a("human") and box.place not in parts:
            parts[box.place] = "feedback tampering"  # their judgements or labels are the feedback
    return parts


def _parts(system: System, incentives: Incentives) -> list[tuple[Subject, str]]:
    """The parts of the agent's reward process, with their subclass, in declaration order."""
    return sorted(_reward_process(system, incentives.decision).items(),
                  key=lambda item: system.rank(item[0].box))


def reward_loops(system: System, found: list[Incentives]) -> dict[str, list[w.Witness]]:
    """For each agent, the witness of every part of its reward process it has a control
    incentive on (what its S0501 finding lists): each runs from its decision back to its own
    reward."""
    return {i.decision: [i.ici_control[p] for p, _ in _parts(system, i) if p in i.ici_control]
            for i in found}


def tampering(system: System, cid: CID, found: list[Incentives]) -> Iterable[Diagnostic]:
    """A3: one finding per agent and verdict, listing every part of its reward process it has
    that incentive on."""
    for incentives in found:
        agent = incentives.decision
        box = system.boxes[agent]
        parts = _parts(system, incentives)
        control = [(p, sub) for p, sub in parts if p in incentives.ici_control]
        info = [(p, sub) for p, sub in parts if p in incentives.ici_info]
        if control:
            first = control[0][0]
            yield report(
                "S0501", box.span,
                f"`{agent}` has an instrumental control incentive on its own reward process: "
                + ", ".join(f"`{p}` ({sub})" for p, sub in control),
                witness=incentives.ici_control[first],
                notes=["the paths avoid the agent's later decisions: control incentives"]
                + [f"`{p}`: " + w.shown(incentives.ici_control[p]) for p, _ in control[1:]])
        if info:
            first = info[0][0]
            yield report(
                "S0502", box.span,
                f"`{agent}` influences its reward process only through its own later decisions "
                "(information-only): " + ", ".join(f"`{p}` ({sub})" for p, sub in info),
                witness=incentives.ici_info[first],
                notes=[f"`{p}`: " + w.shown(incentives.ici_info[p]) for p, _ in info[1:]])


def off_switch(system: System, cid: CID, found: list[Incentives]) -> Iterable[Diagnostic]:
    """A12: a deployed loop around an untrusted agent has a shutdown or timeout gate on its
    actuator, and the agent has no control incentive on that gate."""
    stops = {b.path for b in system.boxes.values() if b.is_a("shutdown", "timeout")}
    by_agent = {i.decision: i for i in found}
    for hazard in system.hazards:
        for sink in system.sinks:
            forward = system.reaches(hazard.path, sink.path, modes=system.deploy_modes)
            back = system.reaches(sink.path, hazard.path, modes=system.deploy_modes)
            if forward is None or back is None:
                continue
            # A person who approves each action is an off-switch too.
            people = {b.path for b in system.boxes.values()
                      if b.trust == "human" and b.is_a("gate", "evaluator", "human")}
            if system.reaches(hazard.path, sink.path, stops | people,
                              modes=system.deploy_modes) is None:
                continue
            yield report(
                "S0503", hazard.span,
                f"`{hazard.path}` acts on `{sink.path}` in a closed loop with no shutdown or "
                f"timeout on its actuator",
                witness=system.steps(forward + back[1:]))
    for stop in system.ordered(stops):
        for agent, incentives in sorted(by_agent.items(), key=lambda i: system.rank(i[0])):
            if system.boxes[stop].place in incentives.ici_control:
                yield report(
                    "S0504", system.boxes[agent].span,
                    f"`{agent}` has an instrumental control incentive on the off-switch `{stop}`",
                    witness=incentives.ici_control[system.boxes[stop].place])


AUDIT_KINDS = ("auditor", "honeypot")


def audit_leaks(system: System, cid: CID, found: list[Incentives]) -> Iterable[Diagnostic]:
    """A13: nothing that tells whether an output is audited or a test reaches the untrusted
    model's input."""
    flags = [b for b in system.boxes.values() if b.is_a(*AUDIT_KINDS) or
             (b.is_a("router", "selector") and any(
                 system.boxes[c].is_a("auditor") for c in system.graph.successors(b.path)
                 if c in system.boxes))]
    for flag in sorted(flags, key=lambda b: system.rank(b.path)):
        world = {b.path for b in system.boxes.values() if b.is_a("environment")}
        for hazard in system.hazards:
            if hazard.path == flag.path:
                continue
            path = system.reaches(flag.path, hazard.path, world)
            if path is None:
                continue
            yield report(
                "S0505", flag.span,
                f"whether `{hazard.path}` is being audited or tested reaches it through "
                f"`{flag.path}`",
                witness=system.steps(path))
