"""Codes of reading a file, its syntax (E00) and its names and declarations (E01)."""

from __future__ import annotations

from .code import Code, TYPES, POLICY, SCORED, AGENT

CODES: dict[str, Code] = {
    "E0001": Code(
        "syntax error",
        "The parser met something that cannot continue the declaration; the message says in "
        "words what could have come next. Only the broken declaration is skipped: the rest of "
        "the file is still checked, and uses of the broken declaration's name stay silent.",
        TYPES + "component Policy : policy {\n  in prompt Prompt\n}\n",
        label="expected {expected}"),
    "E0002": Code(
        "unexpected character",
        "A character that no token of the language starts with, such as `'` or `$`. Strings use "
        "double quotes; comments start with `#`. A lone surrogate (`\\ud800`, which only a "
        "string handed to the API can hold) is not a character anywhere, even in a string.",
        "proposal 'RLHF'\n",
        label="not allowed here"),
    "E0003": Code(
        "nesting too deep",
        "Brackets nested more than 64 levels deep. Name inner parts with aliases or parameters.",
        "type T = " + "List[" * 70 + "Real" + "]" * 70 + "\n",
        label="too deep"),
    "E0004": Code(
        "empty file",
        "The file contains nothing but blank space. A proposal declares at least one component "
        "or diagram.",
        "\n",
        label="nothing declared",
        help=("a proposal declares at least one component or diagram; `wiring new NAME` writes a "
              "starter file")),
    "E0005": Code(
        "not a text file",
        "The file is binary (contains NUL bytes) or is not valid UTF-8. Proposal files are UTF-8 "
        "text.", None, trigger="check a file containing bytes such as 0x00 or 0xff",
        stops=True,
        label="not UTF-8 text"),
    "E0007": Code(
        "file too large",
        "Proposal files are limited to 8 MiB and 400,000 lines, far above any real proposal "
        "(a generated proposal of 100,000 components is 200,000 to 320,000 lines). Split large "
        "generated proposals into files joined with `import`.",
        None, trigger="check a file larger than 8 MiB, or of more than 400,000 lines",
        stops=True,
        label="too large",
        help="split the proposal into files joined with `import`"),
    "E0008": Code(
        "malformed JSON",
        "A model read with `wiring.load_json` is not JSON at all (or not UTF-8 text). Nothing "
        "else is checked. Models are written by `wiring export`; an edited one must stay JSON.",
        None, trigger='wiring.check_json(\'{"file": "x.wd",\')',
        stops=True,
        label="not JSON here",
        help="`wiring export FILE.wd` writes a valid document to start again from"),
    "E0009": Code(
        "not a proposal model",
        "A JSON document read with `wiring.load_json` (or given to a command as FILE.json) is "
        "JSON but not a model of a proposal: a field is missing, has the wrong type, or is not "
        "a field of the model; a number is not a number; an assertion lacks its source or "
        "target; or its `schema_version` is not one this wiring reads. The location is "
        "a JSON pointer (`/diagrams/Main/wires/3/target`); `wiring schema` prints the JSON "
        "Schema the document must follow. The mistakes a .wd file can also make (an unknown "
        "kind, an ill-typed wire, two ports of one name) get the codes they get there.",
        None, trigger='wiring.check_json(\'{"file": 3}\')',
        stops=True,
        label="not the model's shape",
        help="`wiring schema` prints the JSON Schema of a model"),
    "E0101": Code(
        "unknown type, or a name used as the wrong sort of thing",
        "A type name that is not declared, that is declared in a file this file does not "
        "import, or that names something else (a component, a parameter). The help line "
        "suggests the closest declared name.",
        TYPES + "component Policy : policy {\n  in prompt : Promt\n}\n",
        label="not a declared type"),
    "E0102": Code(
        "unknown kind",
        "The first attribute of a component is its kind, which must be declared with `kind`. "
        "The prelude declares the usual ones (policy, reward_model, human, overseer, monitor, "
        "simulator, world_model, environment, verifier, judge, debater, dataset, ...).",
        TYPES + "component Policy : polcy {\n  in prompt : Prompt\n}\n",
        label="not a declared kind"),
    "E0103": Code(
        "unknown component or diagram",
        "An instance (`name = Box`) or a `refines` clause names a box that is not declared.",
        POLICY + "diagram D {\n  pi = Polcy\n}\n",
        label="not a declared component or diagram"),
    "E0104": Code(
        "unknown instance",
        "A wire or training statement names an instance the diagram does not declare.",
        POLICY + "diagram D {\n  in prompt : Prompt\n  pi = Policy\n  prompt -> p.prompt\n}\n",
        label="not an instance of this diagram"),
    "E0105": Code(
        "unknown port",
        "The instance's box has no port of that name, or the diagram has no outer port of that "
        "name. The help line lists the ports that exist.",
        POLICY + "diagram D {\n  in prompt : Prompt\n  pi = Policy\n  prompt -> pi.promt\n}\n",
        label="not a port of `{instance}`"),
    "E0106": Code(
        "unknown name in an expression",
        "Type indices, bounds and defaults may use numbers and declared parameters; training "
        "signals may also use box outputs and the diagram's inputs.",
        "type Transcript[n]\ntype T = Transcript[k]\n",
        label="not a declared parameter"),
    "E0107": Code(
        "unknown optimiser",
        "`train X by OPT ...` names an optimiser that is not declared. The prelude declares "
        "gradient, sgd, adam, supervised, sft, distillation, rl, ppo, reinforce, "
        "expert_iteration, best_of, quantilizer, early_stopping, selection and human_selection.",
        SCORED + "diagram D {\n  in prompt : Prompt\n  pi = Policy\n  rm = RewardModel\n"
        "  prompt -> pi.prompt\n  pi.response -> rm.response\n"
        "  train pi by ppp maximising rm.score\n}\n",
        label="not a declared optimiser"),
    "E0108": Code(
        "unknown attribute",
        "Attributes are the flags learned, frozen, stateful, instantaneous, heldout, a trust "
        "level (human, trusted, untrusted, formal, environment), and the valued attributes "
        "provenance, coverage, miss, cost and budget. Optimiser declarations name one of the "
        "optimiser families.",
        TYPES + "component Policy : policy, lerned {\n  in prompt : Prompt\n}\n",
        label="not an attribute"),
    "E0109": Code(
        "unknown mode",
        "`when m` names a mode the diagram does not declare with `modes`.",
        POLICY + "diagram D {\n  modes train : training, deploy : deployment\n"
        "  in prompt : Prompt\n  pi = Policy when trian\n  prompt -> pi.prompt\n}\n",
        label="not a mode of this diagram"),
    "E0125": Code(
        "unknown phase",
        "A mode declares its phase after a colon: `modes sft : training, serve : deployment, "
        "heldout : evaluation`. The phases are training (what is learned), evaluation (what is "
        "measured, acting on nothing) and deployment (what acts on the world).",
        TYPES + "diagram D {\n  modes sft : trainign\n}\n",
        label="not a phase",
        help="{hint}the phases are `training`, `evaluation` and `deployment`: `modes NAME : PHASE`"),
    "E0126": Code(
        "shared copy of a diagram",
        "`d2 = shared d1` gives the box `d2` the parameters of `d1`, which must be an instance of "
        "a component: a model. A nested diagram holds its own boxes, each with its parameters or "
        "none, so it has no parameters as a whole to share.",
        POLICY + """diagram Inner {
  in  prompt   : Prompt
  out response : Response
  pi = Policy
  prompt -> pi.prompt
  pi.response -> response
}
diagram D {
  in  prompt : Prompt
  out a : Response
  out b : Response
  one = Inner
  two = shared one
  prompt -> one.prompt, two.prompt
  one.response -> a
  two.response -> b
}
""",
        label="a diagram"),
    "E0127": Code(
        "shared copies in a circle",
        "Shared copies may chain (`c = shared b`, `b = shared a`: all three use the parameters of "
        "`a`), but the chain must end at an instance that is a model of its own. An instance "
        "that shares itself, or copies that share one another, have no parameters at all.",
        POLICY + """diagram D {
  in  prompt : Prompt
  out a : Response
  out b : Response
  one = shared two
  two = shared one
  prompt -> one.prompt, two.prompt
  one.response -> a
  two.response -> b
}
""",
        label="no model at the end of the chain"),
    "E0128": Code(
        "shared copy with attributes of its own parameters",
        "Whether a model learns, how far it is trusted and where it comes from (`learned`, the "
        "trust levels, `provenance`) belong to its parameters, so a shared copy has those of the "
        "model it shares, whatever its interface component (`as Monitor`) declares. Saying "
        "otherwise with `with` on the copy is an error: set them on the model itself.",
        POLICY + """component Monitor : monitor {
  in  response  : Response
  out suspicion : Real in [0, 1]
}
diagram D {
  in  prompt    : Prompt
  out response  : Response
  out suspicion : Real in [0, 1]
  pi  = Policy with untrusted
  mon = shared pi as Monitor with trusted
  prompt -> pi.prompt
  pi.response -> mon.response, response
  mon.suspicion -> suspicion
}
""",
        label="the parameters' own attribute"),
    "E0129": Code(
        "unknown parameter of a component",
        "An instance gives values to its component's parameters by name: `d = Debater(rounds = "
        "3)`. A name the component declares no parameter of, a parameter given twice, or values "
        "given to a snapshot or shared copy (which has its model's) is an error.",
        TYPES + """type Transcript[n]
component Debater(rounds : Nat >= 1) : policy, learned {
  in  prompt     : Prompt
  out transcript : Transcript[rounds]
}
diagram D {
  in  prompt : Prompt
  out transcript : Transcript[3]
  d = Debater(round = 3)
  prompt -> d.prompt
  d.transcript -> transcript
}
""",
        label="not a parameter"),
    "E0130": Code(
        "parameter without a value",
        "Every parameter of a component that has no default needs a value at each instance "
        "(`Debater(rounds = 3)`): the instance's port types depend on it.",
        TYPES + """type Transcript[n]
component Debater(rounds : Nat >= 1) : policy, learned {
  in  prompt     : Prompt
  out transcript : Transcript[rounds]
}
diagram D {
  in  prompt : Prompt
  out transcript : Transcript[3]
  d = Debater
  prompt -> d.prompt
  d.transcript -> transcript
}
""",
        label="parameters without a value"),
    "E0131": Code(
        "answer to another question",
        "A port's type may depend on an input of the same box (`in q : Question; out a : "
        "Answer[q]`: the answer answers that question, Myers' dependent lenses). An output "
        "`x.a : Answer[x.q]` may feed an input `y.a : Answer[y.q]` exactly when `x.q` and `y.q` "
        "receive the same value: wires from one source (copies of it count as one), or one outer "
        "input of the diagram. Otherwise the answer would be checked against a question it does "
        "not answer.",
        """type Question
type Answer[q]
component Asker : dataset, trusted {
  out question : Question
}
component Solver : policy {
  in  question : Question
  out answer   : Answer[question]
}
component Checker : verifier, trusted {
  in  question : Question
  in  answer   : Answer[question]
  out ok       : Bool
}
diagram D {
  out ok : Bool
  mine = Asker; theirs = Asker; s = Solver; c = Checker
  mine.question -> s.question
  theirs.question -> c.question
  s.answer -> c.answer
  c.ok -> ok
}
""",
        label="an answer to another question"),
    "E0132": Code(
        "dependent index that is not an independent input",
        "A port's type is indexed by an input of the same box written alone (`Answer[q]`), "
        "and that input's own type is indexed by no port: a dependency is one step, from an "
        "input the box is given. A port indexed by itself, by a dependent input, or by a port "
        "inside arithmetic (`Answer[q + 1]`) is an error.",
        """type Question
type Answer[q]
component Solver : policy {
  in  question : Question
  in  hint     : Answer[question]
  out answer   : Answer[hint]
}
""",
        label="not an independent input"),
    "E0110": Code(
        "unknown function, or a call where none is allowed",
        "Signals may call kl, log, exp, sqrt, abs, min, max, mean, sum, match, mse, "
        "cross_entropy, log_likelihood, accuracy and loss. Types, bounds and defaults may not "
        "call functions.",
        SCORED + "diagram D {\n  in prompt : Prompt\n  pi = Policy\n  rm = RewardModel\n"
        "  prompt -> pi.prompt\n  pi.response -> rm.response\n"
        "  train pi by ppo maximising lg(rm.score)\n}\n",
        label="not a function"),
    "E0111": Code(
        "duplicate declaration",
        "Two declarations have the same name. A proposal and the files it imports share one "
        "namespace; built-in type names are reserved.",
        "type Prompt\ntype Prompt\n",
        label="second declaration"),
    "E0112": Code(
        "duplicate port, instance, field, member or mode",
        "Names inside one component, diagram, record or enum must be unique; an instance may "
        "not share its name with an outer port.",
        TYPES + "component Policy : policy {\n  in prompt : Prompt\n  out prompt : Response\n}\n",
        label="repeated"),
    "E0113": Code(
        "wrong number of indices",
        "An indexed family takes exactly the indices it declares (`type Tensor[b, d]` takes "
        "two); other types take none.",
        "param n : Nat\ntype Transcript[n]\ntype T = Transcript[n, n]\n",
        label="{given} given"),
    "E0114": Code(
        "conflicting attributes",
        "Each attribute group is given once: one trust level, learned or frozen, stateful or "
        "instantaneous.",
        TYPES + "component Policy : policy, trusted, untrusted {\n  in prompt : Prompt\n}\n",
        label="conflicting attribute",
        help="give each attribute once"),
    "E0115": Code(
        "empty interval",
        "A refinement whose lower bound is above its upper bound admits no value.",
        "type Score = Real in [1, 0]\n",
        label="no value satisfies this",
        help="write the lower bound first: `[lower, upper]`"),
    "E0116": Code(
        "cyclic alias or kind",
        "A type alias that refers to itself, or a kind that is its own ancestor.",
        "type A = B\ntype B = A\n",
        label="cyclic alias"),
    "E0117": Code(
        "expected a type",
        "An arithmetic expression where a type belongs, or a type inside an expression.",
        "type T = 2 + 3\n",
        label="not a type"),
    "E0118": Code(
        "refinement of a non-number",
        "Only Real, Int and Nat (and aliases of them) can be refined with `in [a, b]` or a "
        "bound; parameters are numbers.",
        "type Prompt\ntype Short = Prompt in [0, 10]\n",
        label="not Real, Int or Nat"),
    "E0119": Code(
        "port without a type",
        "Every port of a component has a type. (A diagram's outer ports may omit theirs: the "
        "checker infers them from the wires.)",
        "component Policy : policy {\n  in prompt\n}\n",
        label="no type",
        help=("write `{direction} {port} : Type`; only a diagram's outer ports can have their "
              "types inferred")),
    "E0120": Code(
        "number out of range",
        "A numeric literal of 1e300 or more (`1e400`), nonzero but below 1e-300, or written "
        "with more than 400 digits. Numbers are exact, but the analyses compute with floating "
        "point, which ends near 1e308; write such quantities in other units.",
        "param big : Real = 1e400\n",
        label="1e300 or more",
        help="write the quantity in other units, or as a parameter"),
    "E0121": Code(
        "bad acknowledgement",
        "`allow CODE because \"reason\"` acknowledges a finding of the analyses: CODE must be a "
        "finding code (S....) and the reason must say why the finding is inherent.",
        'allow S9999 because "inherent"\n',
        label="not a finding of the analyses"),
    "E0123": Code(
        "attribute value out of range",
        "`coverage` and `miss` are probabilities in [0, 1]; `cost` and `budget` are not "
        "negative. A parameter used as such a value must be declared within the range "
        "(`param q : Prob`).",
        "component Audit : auditor, human, coverage = 2 {\n}\n",
        label="out of range"),
    "E0124": Code(
        "parameter value outside its type",
        "A parameter's value must be a value of its declared type: `param alpha : Real in [0, 1] = "
        "1.5`, `param n : Nat >= 1 = 0` and `param q : Prob = -0.2` are errors where they are "
        "declared, not later where the parameter is used. A value written in other parameters is "
        "checked when the bounds decide it. So is the value an instance gives a component's "
        "parameter (`Debater(rounds = 0)` where `rounds : Nat >= 1`).",
        "param alpha : Real in [0, 1] = 1.5\n",
        label="outside {interval}",
        help="give a value inside {interval}, or widen the type"),
    "E0122": Code(
        "acknowledgement or assertion names an unknown box",
        "`allow CODE on X`, or an `assert`, names a box that the analysed diagram does not "
        "contain. Boxes are named by instance path, e.g. `deployment.monitor`; ports as "
        "`box.port`. An `allow` or `assert` inside a diagram names boxes of that diagram; one at the "
        "top level of the file, boxes of at least one top diagram. Reported by `wiring check`.",
        AGENT + """diagram D {
  out response : Response
  src = Source; pi = Policy
  src.prompt -> pi.prompt
  pi.response -> response
  allow S0201 on policy because "a typo"
}
""",
        label="unknown box"),
}
