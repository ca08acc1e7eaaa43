"""One root cause, one finding: the loop findings that report the same loop are shown once.

Four analyses report a trained agent whose output comes back into its own training signal:
reward tampering (S0501), a world-closing loop (S0403), a self-referential target (S0402) and
a judge who reads what it judges (S0401). On one loop (RLHF's policy -> raters -> reward model
-> policy) they all fire; a reader handed three findings for it counts three problems.

The loop of such a finding is read off its witness, which runs from the agent's output to its
own signal: (the agent, the training statement whose signal it reaches, the box that signal
reads where the path ends). An S0501 finding has the loop of every part of the reward process
it lists (`reward_loops`). Findings have the same root cause when one's loop is a loop of the
other, the most specific one (S0501, then S0403, S0402, S0401) deciding which loops a group
has: two judges read by one signal through two different boxes are two causes, two judges
whose judgements reach the signal through the same box (a user who clicks) are one.

A group is shown as one finding: the most specific one that no `allow` acknowledges, or the
most specific when all are acknowledged; the others are attached to it (`also`, every code in
JSON) and named in a note. A loop so disappears from the standing findings only when every
code that reports it is acknowledged. Acknowledgements are applied to each finding before
grouping, so an `allow` of a code that became a note acknowledges that note, and is not stale.
"""

from __future__ import annotations

from ..diagnostics import Diagnostic
from ..witness import Box, Node, Port, Signal, Witness
from .graph import System
from .incentives import Incentives
from .tampering import reward_loops

MOST_SPECIFIC_FIRST = ("S0501", "S0403", "S0402", "S0401")
# The most findings a group's note names: a decomposition tree of 10,000 components judged its
# policy by 3,333 combiners, and the note naming them all was one line of 248,823 characters.
NAMED = 5

Loop = tuple[str, int, str]   # the agent, the training statement, the box its signal reads


def loop_of(witness: Witness) -> Loop | None:
    """The loop a witness runs through, if it runs from an agent's output to its own signal:
    ending in a signal (`... -> rm -> [ppo: maximise rm.score]`) or in the agent's reward on the
    unrolled diagram (`... -> rm@1 -> U:pi#1@1`)."""
    if len(witness) < 2:
        return None
    last = witness[-1]
    if not (isinstance(last, Signal) or isinstance(last, Node) and last.role == "utility"):
        return None
    agent, source = _place(witness[0]), _place(witness[-2])
    if agent is None or source is None:
        return None
    return agent, last.training, source


def _place(step) -> str | None:
    place = step.place if isinstance(step, Node) else step
    return place.path if isinstance(place, (Box, Port)) else None


def one_per_cause(findings: list[Diagnostic], system: System,
                  incentives: list[Incentives]) -> list[Diagnostic]:
    """`findings` (acknowledged where an `allow` says so) with each group of loop findings
    of the same root cause shown as one, in the place of the one shown."""
    tampered = {agent: {loop_of(w) for w in ws} for agent, ws in
                reward_loops(system, incentives).items()}

    def loops(finding: Diagnostic) -> set[Loop]:
        found = {loop_of(finding.witness)}
        if finding.code == "S0501" and finding.witness:
            found |= tampered.get(_place(finding.witness[0]) or "", set())
        return found - {None}

    rank = MOST_SPECIFIC_FIRST.index
    candidates = sorted((f for f in findings if f.code in MOST_SPECIFIC_FIRST and loops(f)),
                        key=lambda f: rank(f.code))   # stable: report order among equals
    # A finding joins the first group whose first finding's loops share one of its own. Each
    # loop names the group it opened, so a finding is placed without a scan of the groups: a
    # thousand agents, each judged on its own loop, made a thousand groups.
    groups: list[list[Diagnostic]] = []
    opened: dict[Loop, int] = {}
    for finding in candidates:
        own = loops(finding)
        group = min((opened[loop] for loop in own if loop in opened), default=None)
        if group is None:
            for loop in own:
                opened.setdefault(loop, len(groups))
            groups.append([finding])
        else:
            groups[group].append(finding)
    shown: dict[int, Diagnostic] = {}
    hidden: set[int] = set()
    for members in groups:
        if len(members) > 1:
            head = next((f for f in members if f.acknowledged is None), members[0])
            shown[id(head)] = _merged(head, [f for f in members if f is not head])
            hidden |= {id(f) for f in members if f is not head}
    return [shown.get(id(f), f) for f in findings if id(f) not in hidden]


def _merged(head: Diagnostic, others: list[Diagnostic]) -> Diagnostic:
    """`head` with the other findings of its loop attached, and the first NAMED of them named
    in one note (the rest counted: JSON lists every one)."""
    named = [f"{f.code} ({f.message}{'; acknowledged' if f.acknowledged is not None else ''})"
             for f in others[:NAMED]]
    if len(others) > NAMED:
        listing = f"{', '.join(named)} and {len(others) - NAMED:,} more for the same loop " \
            "(every one under `also` in --format json)"
    else:
        listing = (named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]) \
            + " for the same loop"
    return head.model_copy(update={
        "also": [*head.also, *others], "notes": [*head.notes, f"also {listing}"]})
