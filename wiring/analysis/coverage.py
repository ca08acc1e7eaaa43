"""What the analyses had nothing to examine, and why: `0 errors, 0 warnings` on a proposal with
no sink or no training is not a clean bill, and `wiring lint` says so (one note per cause); nor
is one whose deployment modes were guessed, so a mode whose phase is only assumed is a note too
(`wiring check` warns about it, W0202, but lint prints only its own findings)."""

from __future__ import annotations

from ..structure import how_assumed
from .graph import SHORT_PHASES, System

_NO_SINK = ("no sink: no box acts on the world (a `sink` or an environment box) in a deployment "
            "mode, so the analyses of untrusted output reaching the world (S0201, S0202, S0203, "
            "S0601) and `assert gated(...)` had nothing to examine")
_NO_TRAINING = ("no training statement: the analyses of optimisation pressure (S0101, S0102, "
                "S0103, S0302, S0303, S0402, S0403; S0401 on trained models) and of incentives (S0501 to S0505, "
                "the incentive report) had nothing to examine")
_WORDS = {short: word for word, short in SHORT_PHASES.items()}   # "deploy": "deployment"
_NO_DEPLOYMENT = ("no deployment mode: none of the modes {modes} has the phase `deployment` "
                  "(declared as `modes NAME : deployment`, or inherited from an outer mode), so "
                  "the analyses of what reaches the world read every mode as deployed")


_ASSUMED = "assumed phase: no phase is declared for {modes}, so the analyses assumed {how} (W0202); "


def unexamined(system: System) -> list[str]:
    """One note per cause of an analysis having had nothing to examine, or having examined
    what it could only assume (a mode's phase)."""
    notes = []
    assumed = [m for m in system.modes if system.phase_assumed(m)]
    if assumed:
        # W0202's own words, from its entry: loaded only when there is something to say
        from ..codes import CODES

        how = (how_assumed(assumed[0]) if len(assumed) == 1 else
               "; ".join(f"`{m}` to be {how_assumed(m)}" for m in assumed))
        line = "modes " + ", ".join(f"{m} : {_WORDS[system.phase(m)]}" for m in system.modes)
        notes.append(_ASSUMED.format(modes=", ".join(f"`{m}`" for m in assumed), how=how)
                     + CODES["W0202"].help.format(line=line))
    if system.modes and not any(system.phase(m) == "deploy" for m in system.modes):
        notes.append(_NO_DEPLOYMENT.format(modes=", ".join(f"`{m}`" for m in system.modes)))
    if not system.sinks:
        notes.append(_NO_SINK)
    if not system.pressures:
        notes.append(_NO_TRAINING)
    return notes
