"""Codes of wiring diagrams (E02), training wires (E03), imports (E04) and the command line
(E05)."""

from __future__ import annotations

from .code import Code, TYPES, POLICY, SCORED

CODES: dict[str, Code] = {
    "E0201": Code(
        "a wire starts at an input",
        "Wires run from a box's output (or the diagram's input) to a box's input (or the "
        "diagram's output). Signals, likewise, read outputs.",
        POLICY + "diagram D {\n  in prompt : Prompt\n  out response : Response\n  pi = Policy\n"
        "  prompt -> pi.prompt\n  pi.prompt -> response\n}\n",
        label="cannot be a source"),
    "E0202": Code(
        "a wire ends at an output",
        "The target of a wire must be a box's input or the diagram's output.",
        POLICY + "diagram D {\n  in prompt : Prompt\n  pi = Policy\n  prompt -> pi.response\n}\n",
        label="cannot be a target",
        help="swap the ends: wires run from producer to consumer"),
    "E0203": Code(
        "type mismatch",
        "The source's type is not a subtype of the target's. Subtyping: Int is a Real; a "
        "refined number is a subtype when its interval is contained in the other's; lists, "
        "sets and distributions are covariant; declared types, records and enums match by name.",
        POLICY + "diagram D {\n  in prompt : Response\n  pi = Policy\n  prompt -> pi.prompt\n}\n",
        label="different types",
        help="connect ports of the same type, or insert a component that converts"),
    "E0204": Code(
        "interval not contained",
        "A refined number flows into a port whose interval does not contain the source's "
        "interval: `Real in [0, 10]` cannot feed `Real in [0, 1]`. Both intervals are shown.",
        """component Scorer : reward_model {
  out score : Real in [0, 10]
}
component Trainer : optimizer {
  in reward : Real in [0, 1]
}
diagram D {
  rm = Scorer
  ppo = Trainer
  rm.score -> ppo.reward
}
""",
        label="interval not contained",
        help="rescale with an adapter component, or widen the input's interval"),
    "E0205": Code(
        "index mismatch",
        "Members of an indexed family match only when their indices are equal for every value "
        "of the parameters, as sympy proves under the parameters' declared bounds "
        "(`Transcript[2*k]` matches `Transcript[k + k]`, not `Transcript[k + 1]`).",
        """param k : Nat >= 1
type Transcript[n]
component Debate : debater {
  out transcript : Transcript[2*k]
}
component Judge : judge {
  in transcript : Transcript[2*k + 1]
}
diagram D {
  debate = Debate
  judge = Judge
  debate.transcript -> judge.transcript
}
""",
        label="indices differ",
        help="the indices must be equal for every value of the parameters"),
    "E0206": Code(
        "cannot prove a type relation",
        "Sympy could neither prove nor refute an index equality or an interval containment, "
        "usually because a parameter's bounds are not declared. The checker does not guess: "
        "declare the bounds (`param n : Nat >= 1`) or make the expressions identical. It also "
        "gives up, rather than run for ever, on work past its bounds, and says which: a "
        "constant of 1e300 or more (`9^9^9`), an exponent beyond 64, an expansion of more "
        "than 200 terms (`(a+b+c+d)^60`), or half a second of algebra on one relation.",
        """param n : Real
param m : Real
type Transcript[i]
component A : debater {
  out t : Transcript[n]
}
component B : judge {
  in t : Transcript[m]
}
diagram D {
  a = A
  b = B
  a.t -> b.t
}
""",
        label="cannot be proved",
        help=("state the parameters' bounds (`param n : Nat >= 1`) so the comparison can be "
              "proved, or make the expressions identical (or simpler, where the checker gave "
              "up)")),
    "E0207": Code(
        "cannot infer a port's type",
        "A diagram's outer port was written without a type, and its wires do not determine "
        "one: nothing is connected to it, or its targets need types none of which fits all "
        "the others.",
        TYPES + """component Reader : policy {
  in text : Prompt
}
component Other : policy {
  in text : Response
}
diagram D {
  in text
  r = Reader
  o = Other
  text -> r.text, o.text
}
""",
        label="ambiguous type"),
    "E0210": Code(
        "input without a source",
        "Every input of every box needs exactly one source (Myers' wiring rule), unless it "
        "declares a default (`in temperature : Real = 1`).",
        POLICY + "diagram D {\n  out response : Response\n  pi = Policy\n"
        "  pi.response -> response\n}\n",
        label="`{port}` is not connected",
        help="add a wire `<source> -> {target}`, or give `{port}` a default (`= value`)"),
    "E0211": Code(
        "several sources without a merge",
        "Two wires into one input: the checker never sums them silently. Keep one, or declare "
        "how they combine on the input: `merge sum`, `max`, `min`, `mean`, `any`, `all`, "
        "`union`, `concat`.",
        POLICY + "diagram D {\n  in a : Prompt\n  in b : Prompt\n  pi = Policy\n"
        "  a -> pi.prompt\n  b -> pi.prompt\n}\n",
        label="second source"),
    "E0212": Code(
        "diagram output without a source",
        "Every output of a diagram must be fed by exactly one wire.",
        POLICY + "diagram D {\n  in prompt : Prompt\n  out response : Response\n  pi = Policy\n"
        "  prompt -> pi.prompt\n}\n",
        label="nothing feeds this",
        help="add a wire `<box>.<output> -> {target}`"),
    "E0213": Code(
        "bad merge",
        "An unknown merge operator, a merge on an output, or an operator that cannot combine "
        "the port's type (sum/max/min/mean need numbers, any/all Bool, union/concat lists or "
        "sets).",
        TYPES + "component Aggregator : judge {\n  in votes : Prompt merge sum\n}\n",
        label="incompatible merge"),
    "E0214": Code(
        "bad default",
        "A default must be a value of the port's type, and only inputs have defaults.",
        "component Sampler : policy {\n  in temperature : Real in [0, 2] = 3\n}\n",
        label="output default"),
    "E0220": Code(
        "algebraic loop",
        "Feedback must be guarded: a cycle of wires must pass through a `stateful` box or a "
        "`delayed` wire. A cycle through instantaneous boxes only has no well-defined value; "
        "the error names every box on the cycle.",
        """type Message
component Agent : policy {
  in  observation : Message
  out action      : Message
}
component World : environment {
  in  action      : Message
  out observation : Message
}
diagram Loop {
  agent = Agent
  world = World
  agent.action -> world.action
  world.observation -> agent.observation
}
""",
        label="this wire closes an instantaneous loop",
        help="mark one box on the loop `stateful`, or mark a wire on it `delayed`"),
    "E0230": Code(
        "mode inconsistency",
        "A wire or training statement is active in a mode where one of its ends does not exist. "
        "Each mode of a diagram is checked as a diagram of its own.",
        SCORED + """diagram D {
  modes train : training, deploy : deployment
  in prompt : Prompt
  pi = Policy
  rm = RewardModel when train
  prompt -> pi.prompt
  pi.response -> rm.response
}
""",
        label="active in `{mode}`"),
    "E0240": Code(
        "a diagram contains itself",
        "Nesting is operadic substitution and must be finite: a diagram cannot be an instance "
        "inside itself, directly or through other diagrams.",
        "diagram A {\n  b = B\n}\ndiagram B {\n  a = A\n}\n",
        label="this instance closes the cycle",
        help=("nesting must be finite; feedback is written with wires inside one diagram, not by "
              "instantiating a diagram in itself")),
    "E0241": Code(
        "refinement does not match",
        "A diagram that `refines` a box must have its port names and directions; its inputs "
        "must accept, and its outputs produce, types that fit the refined box's ports.",
        POLICY + """diagram Assistant refines Policy {
  in prompt : Prompt
  pi = Policy
  prompt -> pi.prompt
}
""",
        label="interface mismatch"),
    "E0242": Code(
        "nested modes do not match",
        "A diagram with modes used inside another diagram with modes is used in the outer "
        "mode of the same name, which it must declare.",
        POLICY + """diagram Inner {
  modes train
  in prompt : Prompt
  pi = Policy
  prompt -> pi.prompt
}
diagram Outer {
  modes train : training, deploy : deployment
  in prompt : Prompt
  inner = Inner
  prompt -> inner.prompt
}
""",
        label="mode not declared by the inner diagram",
        help="restrict `{instance}` with `when ...`, or declare the mode in `{inner}`"),
    "E0243": Code(
        "nested mode declares another phase",
        "A nested diagram's mode runs in the outer mode of the same name, so it has that mode's "
        "phase (training, evaluation or deployment). A phase the inner diagram declares must be "
        "the outer mode's; an inner diagram that declares none takes the outer one's.",
        POLICY + """diagram Inner {
  modes run : training
  in prompt : Prompt
  pi = Policy
  prompt -> pi.prompt
}
diagram Outer {
  modes run : deployment
  in prompt : Prompt
  inner = Inner
  prompt -> inner.prompt
}
""",
        label="the outer mode's phase is {phase}",
        help=("declare `{mode} : {phase}` here, or leave the phase out so that it is inherited; "
              "if the inner diagram is meant for another phase, run it in an outer mode of that "
              "phase")),
    "E0244": Code(
        "diagram too large to analyse whole",
        "The analyses and the renderer read a diagram flattened: every nested diagram replaced "
        "by its contents. A diagram that holds several copies of one that holds several copies "
        "of another multiplies its boxes at each level, so a short file can stand for billions "
        "of boxes. Past 20,000 boxes `wiring lint`, `analyze`, `diff` and `render` stop with "
        "this error (counted before anything is built) rather than run out of memory. "
        "`wiring check` does not flatten, and passes. A diagram with more than 20,000 boxes "
        "of its own is split into diagrams used in it as boxes, so that `--depth` can draw "
        "or analyse each as one.",
        None,
        trigger=("`wiring lint` on a diagram nested 17 levels deep, each level holding two "
                 "copies of the one below (131,072 boxes once flattened)"),
        label="too many boxes once flattened",
        help=("pass `--depth N` with the depth the message names: nested diagrams below it are "
              "analysed (or drawn) as one box each, through their interface")),
    "E0301": Code(
        "training target is not learned",
        "Only learned components have parameters to optimise. A frozen copy or snapshot "
        "(`ref = frozen pi`) cannot be trained.",
        TYPES + """component Policy : policy {
  in  prompt   : Prompt
  out response : Response
}
component RewardModel : reward_model {
  in  response : Response
  out score    : Real
}
diagram D {
  in prompt : Prompt
  pi = Policy
  rm = RewardModel
  prompt -> pi.prompt
  pi.response -> rm.response
  train pi by ppo maximising rm.score
}
""",
        label="not learned"),
    "E0302": Code(
        "signal is not a number",
        "A training signal is a scalar objective: box outputs used in it must be numbers "
        "(Real, Int, Bool). Compare structured outputs with `match(a, b)` or `cross_entropy`.",
        POLICY + """component Labeler : human {
  in  response : Response
  out label    : Response
}
diagram D {
  in prompt : Prompt
  pi = Policy
  labeler = Labeler
  prompt -> pi.prompt
  pi.response -> labeler.response
  train pi by sft maximising labeler.label
}
""",
        label="not a scalar"),
    "E0303": Code(
        "training target is a diagram",
        "Training statements target learned components; to train a nested diagram, train the "
        "learned boxes inside it, or declare the diagram itself `learned`.",
        SCORED + """diagram Inner {
  in prompt : Prompt
  out response : Response
  pi = Policy
  prompt -> pi.prompt
  pi.response -> response
}
diagram Outer {
  in prompt : Prompt
  inner = Inner
  rm = RewardModel
  prompt -> inner.prompt
  inner.response -> rm.response
  train inner by ppo maximising rm.score
}
""",
        label="not a learned component",
        help=("train the learned boxes inside `{box}`, or declare it `diagram {box} : <kind>, "
              "learned`")),
    "E0304": Code(
        "kl needs two instances",
        "`kl(a, b)` is the divergence between two instances' output distributions, e.g. a "
        "policy and its frozen reference.",
        SCORED + "diagram D {\n  in prompt : Prompt\n  pi = Policy\n  rm = RewardModel\n"
        "  prompt -> pi.prompt\n  pi.response -> rm.response\n"
        "  train pi by ppo maximising rm.score - kl(pi.response, 1)\n}\n",
        label="not an instance name"),
    "E0305": Code(
        "optimiser argument",
        "best_of needs the number of samples and quantilizer the fraction (`best_of(n)`); "
        "gradient, RL and supervised optimisers take no argument.",
        SCORED + "diagram D {\n  in prompt : Prompt\n  pi = Policy\n  rm = RewardModel\n"
        "  prompt -> pi.prompt\n  pi.response -> rm.response\n"
        "  train pi by best_of maximising rm.score\n}\n",
        label="missing argument"),
    "E0306": Code(
        "wrong number of arguments",
        "A function in a signal was called with the wrong number of arguments.",
        SCORED + "diagram D {\n  in prompt : Prompt\n  pi = Policy\n  rm = RewardModel\n"
        "  prompt -> pi.prompt\n  pi.response -> rm.response\n"
        "  train pi by ppo maximising log(rm.score, 2)\n}\n",
        label="wrong number of arguments"),
    "E0401": Code(
        "import not found",
        "`import \"path\"` names a file that does not exist. Paths are relative to the "
        "importing file.",
        'import "missing.wd"\ntype Prompt\n',
        label="not found",
        help="import paths are relative to the importing file"),
    "E0402": Code(
        "import cycle",
        "Files import each other in a cycle; the message shows the chain. Move the shared "
        "declarations into a file both import.",
        'import "a.wd"\ntype Prompt\n',
        files={"a.wd": 'import "example.wd"\ntype Response\n'},
        label="closes the cycle",
        help="move the shared declarations into a file that both import"),
    "E0403": Code(
        "import is not a readable file",
        "The imported path is a directory or cannot be read.",
        'import "lib"\ntype Prompt\n', files={"lib/keep.wd": "type X\n"},
        label="not a readable file"),
    "E0404": Code(
        "import outside the root",
        "Imports are confined, so that a proposal from someone else cannot make wiring read "
        "(and quote) any file you can read: a path not spelled `std/...` must stay inside the "
        "proposal's root, once `..` and symbolic links are resolved, and a `std/...` path must "
        "stay inside the standard library. The root is the directory of the file being checked, "
        "or the nearest directory above it holding a `wiring.toml`, or what `--root DIR` (the "
        "API's `root=`) says.",
        'import "../outside.wd"\ntype Prompt\n',
        label="outside the root",
        help="add a `wiring.toml` to a directory holding both files, or pass `--root DIR`"),
    "E0405": Code(
        "imported file is not a proposal",
        "A file that is not named *.wd and does not parse is not a proposal: it may be anything "
        "(a file of keys, a system file), so nothing of its text is shown, not even the line of "
        "the syntax error. Rename a proposal to *.wd to see its syntax errors.",
        'import "notes.txt"\ntype Prompt\n', files={"notes.txt": "API_KEY=secret\n"},
        label="not a proposal",
        help="import proposal files (*.wd); rename this one to .wd if it is one"),
    "E0501": Code(
        "file not found",
        "A file named on the command line does not exist. Exit code 2.",
        None, trigger="wiring check no-such-file.wd",
        stops=True,
        usage=True,
        label="not found",
        help="check the path"),
    "E0502": Code(
        "not a readable file",
        "A path named on the command line is a directory or cannot be read. Exit code 2.",
        None, trigger="wiring check examples/",
        stops=True,
        usage=True,
        label="not a readable file"),
}
