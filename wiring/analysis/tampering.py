"""Findings read off the incentive analysis: reward tampering (A3), off-switch incentives and
time-bounding (A12), and audit-flag leaks (A13)."""

from __future__ import annotations

from typing import Iterable

from ..diagnostics import Diagnostic
from .graph import System
from .incentives import CID, Incentives
from .lints import _finding, _hazards, _sinks

TAMPERING_WHY = ("an agent that can influence the process that computes its reward is "
                 "rewarded for corrupting it rather than for the task (Everitt, Hutter, Kumar, "
                 "Krakovna 2021, Reward Tampering Problems and Solutions in Reinforcement Learning)")


def _reward_process(system: System, agent: str) -> dict[str, str]:
    """The parts of `agent`'s reward process upstream of its signal, with their subclass
    (Everitt et al.): parameters of a learned evaluator (reward-function tampering, or feedback
    tampering when people's labels train it), a stateful evaluator holding the reward function
    (reward-function tampering), a stateful person who gives the feedback (feedback tampering),
    and a sensor whose reading an evaluator scores (reward-function-input tampering)."""
    parts: dict[str, str] = {}
    reads = set().union(*(p.sources for p in system.pressures_on(agent))) if \
        system.pressures_on(agent) else set()
    trained = {p.target: p for p in system.pressures}
    upstream = set().union(*(system.reachable(r, reverse=True) for r in reads))
    for box in system.boxes.values():
        if box.path == agent or box.path not in upstream:
            continue
        if box.path in trained and not box.is_a("agent"):
            labels = trained[box.path].sources
            fed_by_people = any(system.boxes[s].is_a("human") for s in labels if s in system.boxes)
            parts["Θ:" + box.path] = "feedback tampering" if fed_by_people else "reward-function tampering"
        if box.attributes.stateful and box.is_a("human"):
            parts[box.path] = "feedback tampering"
        elif box.attributes.stateful and box.is_a("evaluator"):
            parts[box.path] = "reward-function tampering"
        if box.is_a("sensor"):
            parts[box.path] = "reward-function-input tampering"
        elif box.is_a("human") and box.path not in parts:
            parts[box.path] = "feedback tampering"  # their judgements or labels are the feedback
    return parts


def tampering(system: System, cid: CID, report: list[Incentives]) -> Iterable[Diagnostic]:
    """A3: one finding per agent and verdict, listing every part of its reward process it has
    that incentive on."""
    for incentives in report:
        agent = incentives.decision
        box = system.boxes[agent]
        parts = sorted(_reward_process(system, agent).items(), key=lambda item: system.rank(item[0]))
        control = [(p, sub) for p, sub in parts if p in incentives.ici_control]
        info = [(p, sub) for p, sub in parts if p in incentives.ici_info]
        if control:
            first = control[0][0]
            yield _finding(
                "S0501", "warning",
                f"`{agent}` has an instrumental control incentive on its own reward process: "
                + ", ".join(f"`{p}` ({sub})" for p, sub in control),
                box, incentives.ici_control[first], TAMPERING_WHY,
                "decouple the reward from what the agent can influence: train the evaluator "
                "on data the agent cannot affect, optimise the current reward function, or "
                "learn the reward directly from data it cannot tamper with (Everitt et al.)",
                notes=["the paths avoid the agent's later decisions: control incentives"]
                + [f"`{p}`: " + " -> ".join(incentives.ici_control[p]) for p, _ in control[1:]])
        if info:
            first = info[0][0]
            yield _finding(
                "S0502", "warning",
                f"`{agent}` influences its reward process only through its own later decisions "
                "(information-only): " + ", ".join(f"`{p}` ({sub})" for p, sub in info),
                box, incentives.ici_info[first], TAMPERING_WHY,
                "an information-only incentive is what direct learning leaves; no design "
                "change is needed unless the agent should not learn from it at all",
                notes=[f"`{p}`: " + " -> ".join(incentives.ici_info[p]) for p, _ in info[1:]])


def off_switch(system: System, cid: CID, report: list[Incentives]) -> Iterable[Diagnostic]:
    """A12: a deployed loop around an untrusted agent has a shutdown or timeout gate on its
    actuator, and the agent has no control incentive on that gate."""
    stops = {b.path for b in system.boxes.values() if b.is_a("shutdown", "timeout")}
    by_agent = {i.decision: i for i in report}
    for hazard in _hazards(system):
        for sink in _sinks(system):
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
            yield _finding(
                "S0503", "warning",
                f"`{hazard.path}` acts on `{sink.path}` in a closed loop with no shutdown or "
                f"timeout on its actuator",
                hazard, forward + back[1:],
                "an untrusted agent acting in a loop should be time-bounded and interruptible "
                "(Dalrymple et al. 2024: the deployed policy runs for a bounded time, then hands "
                "back control)",
                "put a trusted `timeout` or `shutdown` gate between the agent and the world")
    for stop in system.ordered(stops):
        for agent, incentives in sorted(by_agent.items(), key=lambda i: system.rank(i[0])):
            if stop in incentives.ici_control:
                yield _finding(
                    "S0504", "error",
                    f"`{agent}` has an instrumental control incentive on the off-switch `{stop}`",
                    system.boxes[agent], incentives.ici_control[stop],
                    "when the reward depends on whether the agent is interrupted, the agent is "
                    "rewarded for preventing or provoking the interruption (Orseau and Armstrong "
                    "2016, Safely Interruptible Agents)",
                    "keep the shutdown out of every path to the agent's training signal (do not "
                    "truncate the reward at shutdown)")


AUDIT_KINDS = ("auditor", "honeypot")


def audit_leaks(system: System, cid: CID, report: list[Incentives]) -> Iterable[Diagnostic]:
    """A13: nothing that tells whether an output is audited or a test reaches the untrusted
    model's input."""
    flags = [b for b in system.boxes.values() if b.is_a(*AUDIT_KINDS) or
             (b.is_a("router", "selector") and any(
                 system.boxes[c].is_a("auditor") for c in system.graph.successors(b.path)
                 if c in system.boxes))]
    for flag in sorted(flags, key=lambda b: system.rank(b.path)):
        world = {b.path for b in system.boxes.values() if b.is_a("environment")}
        for hazard in _hazards(system):
            if hazard.path == flag.path:
                continue
            path = system.reaches(flag.path, hazard.path, world)
            if path is None:
                continue
            yield _finding(
                "S0505", "error",
                f"whether `{hazard.path}` is being audited or tested reaches it through "
                f"`{flag.path}`",
                flag, path,
                "a model that can tell when it is watched can behave well only then: a response "
                "incentive on the audit variable (Greenblatt et al. 2024; Everitt et al. 2021)",
                "keep audit selection, honeypot flags and evaluation markers out of every input "
                "of the untrusted model")
