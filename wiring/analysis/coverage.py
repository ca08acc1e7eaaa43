"""What the analyses had nothing to examine, and why: `0 errors, 0 warnings` on a proposal with
no sink or no training is not a clean bill, and `wiring lint` says so (one note per cause); nor
is one whose deployment modes were guessed, so a mode whose phase is only assumed is a note too
(`wiring check` warns about it, W0202, but lint prints only its own findings)."""

from __future__ import annotations

from .graph import SHORT_PHASES, System

_NO_SINK = ("no sink: no box acts on the world (a `sink` or an environment box) in a deployment "
            "mode, so the analyses of untrusted output reaching the world (S0201, S0202, S0203, "
            "S0601) and `assert gated(...)` had nothing to examine")
_NO_TRAINING = ("no training statement: the analyses of optimisation pressure (S0101, S0102, "
                "S0103, S0302, S0303, S0402, S0403; S0401 on trained models) and of incentives (S0501 to S0505, "
                "the incentive report) had nothing to examine")
_NO_DEPLOYMENT = ("no deployment mode: none of the modes {modes} has the phase `deployment` "
                  "(declared as `modes NAME : deployment`, or inherited from an outer mode), so "
                  "the analyses of what reaches the world read every mode as deployed")


_WORDS = {short: word for word, short in SHORT_PHASES.items()}   # "deploy": "deployment"
_ASSUMED = ("assumed phase: no phase is declared for {modes}, so the analyses read {them} from "
            "{their} name{s} (W0202); declare {them}: `modes {line}`, with any phase corrected")


def unexamined(system: System) -> list[str]:
    """One note per cause of an analysis having had nothing to examine, or having examined
    what it could only assume (a mode's phase)."""
    notes = []
    assumed = [m for m in system.modes if system.phase_assumed(m)]
    if assumed:
        many = len(assumed) > 1
        notes.append(_ASSUMED.format(
            modes=", ".join(f"`{m}` (read as {_WORDS[system.phase(m)]})" for m in assumed),
            them="them" if many else "it", their="their" if many else "its", s="s" if many else "",
            line=", ".join(f"{m} : {_WORDS[system.phase(m)]}" for m in system.modes)))
    if system.modes and not any(system.phase(m) == "deploy" for m in system.modes):
        notes.append(_NO_DEPLOYMENT.format(modes=", ".join(f"`{m}`" for m in system.modes)))
    if not system.sinks:
        notes.append(_NO_SINK)
    if not system.pressures:
        notes.append(_NO_TRAINING)
    return notes
