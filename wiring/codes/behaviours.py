"""Codes of behaviours and evaluation (E06)."""

from __future__ import annotations

from .code import Code, B_POLICY, B_PIPELINE

CODES: dict[str, Code] = {
    "E0601": Code(
        "an adversary's range or honest value is missing",
        "An `adversary` is a parameter the red team chooses: `wiring evaluate` searches its "
        "range for the value that minimises safety, so the range must be bounded by numbers, "
        "and its default is the honest model's value, with which usefulness is measured.",
        "adversary rate : Real >= 0 = 0\n",
        label="the red team searches this range"),
    "E0602": Code(
        "unknown name in a behaviour",
        "A behaviour's formula reads the component's inputs, names set by earlier steps "
        "(steps run in order, once per task), counters, `param`s, `adversary`s, `task` (the "
        "task's number, from 1), `tasks`, `true` and `false`.",
        B_POLICY + "behaviour B for Policy {\n  response.correct ~ bernoulli(rat)\n}\n",
        label="not known here"),
    "E0603": Code(
        "a behaviour sets what it cannot",
        "A behaviour sets its component's outputs, features of them (`response.attack`) and "
        "names of its own, each once per task; inputs are read, never set; a counter is "
        "declared with `state` before its `next`.",
        B_POLICY + "behaviour B for Policy {\n  prompt = 1\n}\n",
        label="read, not set"),
    "E0604": Code(
        "a distribution or function used wrongly",
        "Distributions (`bernoulli(p)`, `normal(mean, sd)`, `uniform(low, high)`, "
        "`beta(a, b)`) are drawn with `~`, and only there; `min` and `max` compute. Each "
        "takes its number of arguments.",
        B_POLICY + "behaviour B for Policy {\n  response.correct = bernoulli(0.5)\n}\n",
        label="drawn only with `~`"),
    "E0605": Code(
        "a distribution outside its type",
        "Types constrain behaviours: a port of type `Real in [0, 1]` cannot be given a "
        "normal distribution (whose values go beyond it), a `Bool` is drawn from a "
        "`bernoulli`, and a `bernoulli`'s argument must be a probability: a number in "
        "[0, 1], or a parameter whose type keeps it there.",
        "type Prompt\ncomponent Rater : rater {\n  in prompt : Prompt\n"
        "  out score : Real in [0, 1]\n}\n"
        "behaviour B for Rater {\n  score ~ normal(0.5, 0.1)\n}\n",
        label="values beyond the type"),
    "E0606": Code(
        "an evaluation names what is not there",
        "An `evaluate` block names a diagram (and a mode of it), a number of tasks, and for "
        "each box (by its path through nesting) a behaviour declared for that box's "
        "component.",
        B_PIPELINE + "evaluate D over 10 tasks {\n  src = Tasks\n  u = Tasks\n"
        "  world = Tasks\n}\n",
        label="another component's behaviour"),
    "E0607": Code(
        "a box without a behaviour",
        "Every box that acts in the evaluated mode needs a behaviour: the evaluation never "
        "guesses what a box does. One diagnostic per box.",
        B_PIPELINE + "evaluate D over 10 tasks {\n  src = Tasks\n  u = Honest\n}\n",
        label="what it does in numbers is not said"),
    "E0608": Code(
        "a value read that its source does not set",
        "Values flow along the wires: an input reads what its source's behaviour sets, and "
        "a feature read at an input (`response.backdoor`) must be one its source sets.",
        B_PIPELINE.replace("component World : sink {\n  in response : Response\n}",
                          "component World : sink {\n  in response : Response\n}\n"
                          "behaviour Run for World {\n"
                          "  catastrophe when response.backdoor\n}") +
        "evaluate D over 10 tasks {\n  src = Tasks\n  u = Honest\n  world = Run\n}\n",
        label="its source does not set it"),
    "E0609": Code(
        "an empirical sample cannot be read",
        "`empirical(\"file.csv\", \"column\")` draws uniformly from a column of numbers read "
        "when the proposal is checked. The file is found as an import is: relative to the file "
        "that names it, inside the proposal's root, a regular UTF-8 file of at most 8 MiB; it "
        "has a header row, and the column one finite number a row (at most 1,000,000).",
        B_POLICY.replace("out response : Response", "out score : Real") +
        "behaviour B for Policy {\n  score ~ empirical(\"scores.csv\", \"honest\")\n}\n",
        files={"scores.csv": "attacked\n2.5\n1.9\n"},
        label="no sample"),
}
