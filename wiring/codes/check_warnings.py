"""Warnings (W): what `wiring check` reports without failing."""

from __future__ import annotations

from .code import Code, TYPES, SCORED, AGENT

CODES: dict[str, Code] = {
    "W0124": Code(
        "acknowledgement matches no finding",
        "An `allow CODE [on X]` that no finding of the analysed diagram matches: the design "
        "changed since it was written, or the code or the box is wrong. It is reported so that "
        "stale acknowledgements do not hide the next real finding.",
        AGENT + """diagram D {
  out response : Response
  src = Source; pi = Policy
  src.prompt -> pi.prompt
  pi.response -> response
  allow S0301 on pi because "no monitor here: nothing can collude"
}
""",
        severity="warning",
        label="nothing to acknowledge",
        help=("the design changed, or the code or box is wrong: remove the `allow`, or run "
              "`wiring lint` to see the codes and witnesses that stand")),
    "W0301": Code(
        "signal independent of the trained box",
        "A training statement that rewards or selects a box (RL, best-of-n, selection, early "
        "stopping) reads nothing the box's output can reach: usually a missing wire or the "
        "wrong instance in the signal.",
        SCORED + "diagram D {\n  in prompt : Prompt\n  pi = Policy\n  rm = RewardModel\n"
        "  other = Policy\n  prompt -> pi.prompt, other.prompt\n  other.response -> rm.response\n"
        "  train pi by ppo maximising rm.score\n}\n",
        severity="warning",
        label="independent of the trained box",
        help=("wire the trained box's output into the evaluator the signal reads, or check the "
              "names in the signal")),
    "W0202": Code(
        "mode without a phase",
        "Each mode declares the phase it runs in: `modes sft : training, serve : deployment, "
        "heldout : evaluation`. The analyses read it: what reaches the world is looked for in "
        "the deployment modes, incentives in the others. A mode that declares none, and is not "
        "part of a nested diagram running in an outer mode that has one, gets a phase assumed "
        "from words in its name (`deploy`, `serve`, `production`, ... deployment; `train`, "
        "`rl`, `sft`, ... training; anything else evaluation), which may be wrong: `live` is "
        "assumed to be evaluation.",
        TYPES + "diagram D {\n  modes sft, live\n}\n",
        label="assumed {how}",
        # lint's note on assumed phases ends with this help too (analysis/coverage.py)
        help="declare each mode's phase: `{line}`, correcting any that is wrong"),
    "W0201": Code(
        "instance not connected",
        "An instance with no wires and no training statement is probably unfinished.",
        "type Prompt\ncomponent Source : source {\n  out prompt : Prompt\n}\n"
        "diagram D {\n  out prompt : Prompt\n  a = Source\n  b = Source\n  a.prompt -> prompt\n}\n",
        severity="warning",
        label="no wires",
        help="wire it, or remove it"),
}
