"""Generators of valid proposals (as text) for the benchmarks.

Each shape takes N, the number of *component instances* (lines `name = Component` inside
diagram bodies), and returns the text of a proposal that checks clean: no errors and no
warnings. `python benchmarks/generate.py` checks every shape at a few sizes.

Shapes:

- ``chain``   N instances cycling Policy -> Critic -> Reviser in one long line, plus a frozen
              reference and a reward model for a KL-regularised training statement. No refined or
              indexed types: the fast path.
- ``tree``    a binary fan-out tree of Decomposers whose leaves are Solvers, folded back up by a
              mirrored fan-in tree of Combiners (3L - 2 instances for L leaves; padded with
              Monitors). Every node also carries a `Real in [0, 1]` confidence.
- ``nested``  leaf diagrams of 10 component instances each (a Drafter/Editor chain with a
              training statement and `Real in [0, 1]` quality outputs), instantiated 10 to a
              diagram, recursively, up to a single `System` diagram. Every diagram is distinct
              and is instantiated once. N counts component instances only; the diagram
              instances add about N/9 more.
- ``fanout``  one prompt source feeding N - 3 voters, whose `Real in [0, 1]` votes are merged
              (`merge mean`) into one aggregator; the diagram has modes `train` and `deploy`
              (a logger exists only in `deploy`, training only in `train`).

- ``judged``  one prompt source feeding (N - 1) / 2 agents, each trained by ppo on the score of
              its own trusted judge, who reads its answer: many trained agents and as many
              loops (S0401 each), nothing shared between them but the source.
- ``gated``   one prompt source feeding (N - 2) / 2 untrusted agents, each acting on one world
              through a trusted filter of its own: a hazard-sink pair per agent, every path
              gated.
- ``modal``   `judged` with a training mode per agent: its agent, its judge, their wires and
              its training exist only in that mode; the source in every mode. Many modes, each
              small: nothing may be done once per pair of a mode and a box.

Also: ``wide(n)`` (a diagram with n/2 inputs and n/2 outputs through one component with as many:
n ports, each input reaching every output), ``symbolic()`` (indexed families and parameter-bounded intervals: the sympy path) and
``plain_rlhf()`` (examples/rlhf.wd without its indexed types), used for the process timings.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------------------- chain

_CHAIN_HEADER = '''\
proposal "Generated chain of {n} components"
cites "wiring benchmark generator"
note "a long critique-and-revise pipeline with a KL-regularised RL objective"

type Prompt
type Response
type Critique
param beta : Real >= 0 = 0.05

component Policy : policy, learned, untrusted, provenance = "base-lm" {{
  in  prompt   : Prompt
  out response : Response
  note "drafts a response"
}}

component Critic : critic, learned, untrusted, provenance = "base-lm" {{
  in  response : Response
  out critique : Critique
}}

component Reviser : editor, trusted {{
  in  critique : Critique
  out prompt   : Prompt
  note "turns a critique into the next prompt"
}}

component RewardModel : reward_model, learned, untrusted {{
  in  response : Response
  out score    : Real
}}
'''

# (component, input port, output port, output type)
_CHAIN_CYCLE = [("Policy", "prompt", "response", "Response"),
                ("Critic", "response", "critique", "Critique"),
                ("Reviser", "critique", "prompt", "Prompt")]


def chain(n: int) -> str:
    """N component instances: N - 2 in a line, a frozen reference of the first, a reward model."""
    if n < 3:
        raise ValueError("chain needs n >= 3")
    length = n - 2
    out = [_CHAIN_HEADER.format(n=n)]
    last_type = _CHAIN_CYCLE[(length - 1) % 3][3]
    body = ["diagram Pipeline {", "  in  prompt : Prompt", f"  out final  : {last_type}", ""]
    for i in range(length):
        body.append(f"  s{i} = {_CHAIN_CYCLE[i % 3][0]}")
    body.append("  ref = frozen s0 note \"the KL anchor\"")
    body.append("  rm = RewardModel")
    body.append("")
    body.append("  prompt -> s0.prompt, ref.prompt")
    for i in range(length - 1):
        _, _, out_port, _ = _CHAIN_CYCLE[i % 3]
        _, in_port, _, _ = _CHAIN_CYCLE[(i + 1) % 3]
        extra = ", rm.response" if i == 0 else ""
        body.append(f"  s{i}.{out_port} -> s{i + 1}.{in_port}{extra}")
    last_out = _CHAIN_CYCLE[(length - 1) % 3][2]
    if length == 1:
        body.append(f"  s0.response -> final, rm.response")
    else:
        body.append(f"  s{length - 1}.{last_out} -> final")
    body.append("")
    body.append("  train s0 by ppo maximising rm.score - beta * kl(s0, ref)")
    body.append("}")
    out.append("\n".join(body) + "\n")
    return "\n".join(out)


# ---------------------------------------------------------------------------------- tree

_TREE_HEADER = '''\
proposal "Generated decomposition tree of {n} components"
cites "wiring benchmark generator"
note "factored cognition: a task is split recursively, leaves are solved, answers are combined"

type Task
type Answer

component Decomposer : policy, learned, untrusted, provenance = "base-lm" {{
  in  task  : Task
  out left  : Task
  out right : Task
}}

component Solver : policy, learned, untrusted, provenance = "base-lm" {{
  in  task       : Task
  out answer     : Answer
  out confidence : Real in [0, 1]
}}

component Combiner : judge, trusted {{
  in  left, right           : Answer
  in  left_conf, right_conf : Real in [0, 1]
  out answer                : Answer
  out confidence            : Real in [0, 1]
  note "merges two sub-answers; confidence is the min of both"
}}

component Monitor : monitor, trusted {{
  in  answer    : Answer
  out suspicion : Real in [0, 1]
}}
'''


def tree(n: int) -> str:
    """3L - 2 instances for L leaves (L - 1 Decomposers, L Solvers, L - 1 Combiners), padded to
    exactly N with Monitors on the root answer. Nodes are heap-numbered: node k has children
    2k + 1 and 2k + 2; nodes 0 .. L - 2 are internal."""
    if n < 1:
        raise ValueError("tree needs n >= 1")
    leaves = (n + 2) // 3
    pad = n - (3 * leaves - 2)
    internal = leaves - 1
    out = [_TREE_HEADER.format(n=n)]
    body = ["diagram Amplify {", "  in  task       : Task", "  out answer     : Answer",
            "  out confidence : Real in [0, 1]", ""]
    for k in range(internal):
        body.append(f"  d{k} = Decomposer")
        body.append(f"  c{k} = Combiner")
    for k in range(internal, internal + leaves):
        body.append(f"  s{k} = Solver")
    for m in range(pad):
        body.append(f"  m{m} = Monitor")
    body.append("")

    def down(k: int) -> str:  # the instance that receives the task at node k
        return f"d{k}" if k < internal else f"s{k}"

    def up(k: int) -> str:  # the instance that produces node k's answer
        return f"c{k}" if k < internal else f"s{k}"

    body.append(f"  task -> {down(0)}.task")
    for k in range(internal):
        left, right = 2 * k + 1, 2 * k + 2
        body.append(f"  d{k}.left -> {down(left)}.task")
        body.append(f"  d{k}.right -> {down(right)}.task")
        body.append(f"  {up(left)}.answer -> c{k}.left")
        body.append(f"  {up(right)}.answer -> c{k}.right")
        body.append(f"  {up(left)}.confidence -> c{k}.left_conf")
        body.append(f"  {up(right)}.confidence -> c{k}.right_conf")
    monitors = "".join(f", m{m}.answer" for m in range(pad))
    body.append(f"  {up(0)}.answer -> answer{monitors}")
    body.append(f"  {up(0)}.confidence -> confidence")
    body.append("")
    body.append(f"  train {down(0)} by ppo maximising {up(0)}.confidence")
    if leaves > 1:
        body.append(f"  train s{internal} by sgd maximising s{internal}.confidence")
    body.append("}")
    out.append("\n".join(body) + "\n")
    return "\n".join(out)


# -------------------------------------------------------------------------------- nested

_NESTED_HEADER = '''\
proposal "Generated nested diagrams with {n} components"
cites "wiring benchmark generator"

type Prompt
type Draft

component Drafter : policy, learned, untrusted, provenance = "base-lm" {{
  in  prompt : Prompt
  out draft  : Draft
}}

component Editor : editor, trusted {{
  in  draft   : Draft
  out prompt  : Prompt
  out quality : Real in [0, 1]
  note "edits the draft into the next prompt and grades it"
}}

component Filter : filter, trusted {{
  in  prompt : Prompt
  out passed : Prompt
}}
'''

BRANCHING = 10


def _leaf_group(name: str, size: int) -> list[str]:
    """A diagram Prompt -> Prompt with `size` component instances: Drafter/Editor pairs, then a
    Filter when `size` is odd."""
    lines = [f"diagram {name} {{", "  in  prompt : Prompt", "  out result : Prompt", ""]
    pairs, odd = divmod(size, 2)
    for p in range(pairs):
        lines.append(f"  a{p} = Drafter")
        lines.append(f"  e{p} = Editor")
    if odd:
        lines.append("  f = Filter")
    lines.append("")
    steps: list[tuple[str, str, str]] = []  # (instance, in port, out port)
    for p in range(pairs):
        steps += [(f"a{p}", "prompt", "draft"), (f"e{p}", "draft", "prompt")]
    if odd:
        steps.append(("f", "prompt", "passed"))
    lines.append(f"  prompt -> {steps[0][0]}.{steps[0][1]}")
    for (a, _, a_out), (b, b_in, _) in zip(steps, steps[1:]):
        lines.append(f"  {a}.{a_out} -> {b}.{b_in}")
    lines.append(f"  {steps[-1][0]}.{steps[-1][2]} -> result")
    if pairs:
        lines.append(f"  train a0 by sgd maximising e{pairs - 1}.quality")
    lines.append("}")
    return lines


def _composite(name: str, children: list[str]) -> list[str]:
    """A diagram Prompt -> Prompt that chains instances of the diagrams `children`."""
    lines = [f"diagram {name} {{", "  in  prompt : Prompt", "  out result : Prompt", ""]
    for i, child in enumerate(children):
        lines.append(f"  g{i} = {child}")
    lines.append("")
    lines.append("  prompt -> g0.prompt")
    for i in range(len(children) - 1):
        lines.append(f"  g{i}.result -> g{i + 1}.prompt")
    lines.append(f"  g{len(children) - 1}.result -> result")
    lines.append("}")
    return lines


def nested(n: int) -> str:
    """N component instances in leaf diagrams of 10, composed 10 at a time up to `System`."""
    if n < 1:
        raise ValueError("nested needs n >= 1")
    out = [_NESTED_HEADER.format(n=n)]
    level: list[str] = []
    remaining, index = n, 0
    while remaining:
        size = min(BRANCHING, remaining)
        name = f"Group{index}"
        out.append("\n".join(_leaf_group(name, size)) + "\n")
        level.append(name)
        remaining -= size
        index += 1
    depth = 1
    while True:
        parents: list[str] = []
        top = len(level) <= BRANCHING
        for start in range(0, len(level), BRANCHING):
            name = "System" if top else f"Level{depth}_{start // BRANCHING}"
            out.append("\n".join(_composite(name, level[start:start + BRANCHING])) + "\n")
            parents.append(name)
        if top:
            break
        level = parents
        depth += 1
    return "\n".join(out)


# -------------------------------------------------------------------------------- fanout

_FANOUT_HEADER = '''\
proposal "Generated fan-out of {n} components"
cites "wiring benchmark generator"
note "an ensemble of learned voters, one prompt source, votes averaged by a trusted aggregator"

type Prompt

component PromptSource : dataset, trusted {{
  out prompt : Prompt
}}

component Voter : judge, learned, untrusted, provenance = "base-lm" {{
  in  prompt : Prompt
  out vote   : Real in [0, 1]
}}

component Aggregator : judge, trusted {{
  in  votes   : Real in [0, 1] merge mean
  out verdict : Real in [0, 1]
}}

component Logger : sink, trusted {{
  in verdict : Real in [0, 1]
}}
'''

FANOUT_PER_LINE = 20


def fanout(n: int, shared: bool = False) -> str:
    """One source feeding N - 3 voters, merged into one aggregator, in modes train/deploy;
    with `shared`, the voters are copies of one model (`v1 = shared v0`)."""
    if n < 4:
        raise ValueError("fanout needs n >= 4")
    voters = n - 3
    out = [_FANOUT_HEADER.format(n=n)]
    body = ["diagram Ensemble {", "  modes train : training, deploy : deployment",
            "  out verdict : Real in [0, 1]", "",
            "  src = PromptSource", "  agg = Aggregator", "  log = Logger when deploy"]
    for i in range(voters):
        body.append(f"  v{i} = shared v0" if shared and i else f"  v{i} = Voter")
    body.append("")
    for start in range(0, voters, FANOUT_PER_LINE):
        targets = ", ".join(f"v{i}.prompt" for i in range(start, min(start + FANOUT_PER_LINE,
                                                                         voters)))
        body.append(f"  src.prompt -> {targets}")
    for i in range(voters):
        body.append(f"  v{i}.vote -> agg.votes")
    body.append("  agg.verdict -> verdict")
    body.append("  agg.verdict -> log.verdict when deploy")
    body.append("")
    body.append("  train v0 by ppo maximising agg.verdict when train")
    body.append("}")
    out.append("\n".join(body) + "\n")
    return "\n".join(out)


def shared(n: int) -> str:
    """`fanout` whose voters are shared copies of one trained model (self-consistency: many
    samples of one model vote), so that training v0 trains them all; the voter is a
    parametrised component (`Voter(scale = 1)`), whose vote type every copy's wire checks."""
    text = fanout(n, shared=True)
    text = text.replace("component Voter : judge,", "component Voter(scale : Real > 0) : judge,")
    text = text.replace("  out vote   : Real in [0, 1]", "  out vote   : Real in [0, scale]")
    return text.replace("  v0 = Voter\n", "  v0 = Voter(scale = 1)\n")


_JUDGED_HEADER = '''\
proposal "Generated {n} components: agents each trained on its own judge"
cites "wiring benchmark generator"
note "many separately trained agents, each rewarded by a judge who reads its answer"

type Prompt
type Answer

component PromptSource : dataset, trusted {{
  out prompt : Prompt
}}

component Agent : policy, learned, untrusted, provenance = "base-lm" {{
  in  prompt : Prompt
  out answer : Answer
}}

component Judge : judge, trusted {{
  in  answer : Answer
  out score  : Real in [0, 1]
}}

component Logger : sink, trusted {{
  in score : Real in [0, 1]
}}
'''


def judged(n: int) -> str:
    """One source feeding (N - 1) / 2 agents, each trained on the score of its own judge,
    who reads its answer (a loop finding, S0401, per agent); a logger of the first score
    pads an even N. Many trained agents and many loops: each agent's own search must stay
    near it, and nothing may be done once per pair of agents."""
    if n < 3:
        raise ValueError("judged needs n >= 3")
    agents = (n - 1) // 2
    body = ["diagram Judged {", "  src = PromptSource"]
    for i in range(agents):
        body += [f"  a{i} = Agent", f"  j{i} = Judge", f"  src.prompt -> a{i}.prompt",
                 f"  a{i}.answer -> j{i}.answer", f"  train a{i} by ppo maximising j{i}.score"]
    if (n - 1) % 2:
        body += ["  log = Logger", "  j0.score -> log.score"]
    return _JUDGED_HEADER.format(n=n) + "\n" + "\n".join(body + ["}"]) + "\n"


_GATED_HEADER = '''\
proposal "Generated {n} components: agents each behind its own filter"
cites "wiring benchmark generator"
note "many untrusted agents, each acting on the world through a trusted filter of its own"

type Prompt
type Action

component PromptSource : dataset, trusted {{
  out prompt : Prompt
}}

component Agent : policy, learned, untrusted, provenance = "base-lm" {{
  in  prompt : Prompt
  out action : Action
}}

component Guard : filter, trusted, miss = 0.1 {{
  in  action : Action
  out passed : List[Action]
}}

component World : environment {{
  in actions : List[Action] merge concat
}}
'''


def gated(n: int) -> str:
    """One source feeding (N - 2) / 2 agents, each acting on one world through a filter of
    its own (a hazard and a sink per agent pair, every path gated); an odd N gets one more
    filter, after the first. Each hazard's gate questions must read only its own path."""
    if n < 4:
        raise ValueError("gated needs n >= 4")
    agents = (n - 2) // 2
    body = ["diagram Gated {", "  modes deploy : deployment", "  src = PromptSource",
            "  world = World"]
    for i in range(agents):
        body += [f"  a{i} = Agent", f"  g{i} = Guard", f"  src.prompt -> a{i}.prompt",
                 f"  a{i}.action -> g{i}.action", f"  g{i}.passed -> world.actions"]
    if (n - 2) % 2:
        body += ["  extra = Guard", "  a0.action -> extra.action", "  extra.passed -> world.actions"]
    return _GATED_HEADER.format(n=n) + "\n" + "\n".join(body + ["}"]) + "\n"


def modal(n: int) -> str:
    """`judged` with (N - 1) / 2 training modes, one per agent: everything of an agent exists
    only in its mode, the source in all. The check, the analyses and the unrolled diagram
    each used to ask every box and wire about every mode."""
    if n < 3:
        raise ValueError("modal needs n >= 3")
    agents = (n - 1) // 2
    body = ["diagram Modal {", "  modes " + ", ".join(f"m{i} : training" for i in range(agents)),
            "  src = PromptSource"]
    for i in range(agents):
        when = f" when m{i}"
        body += [f"  a{i} = Agent{when}", f"  j{i} = Judge{when}",
                 f"  src.prompt -> a{i}.prompt{when}", f"  a{i}.answer -> j{i}.answer{when}",
                 f"  train a{i} by ppo maximising j{i}.score{when}"]
    if (n - 1) % 2:
        body += ["  log = Logger when m0", "  j0.score -> log.score when m0"]
    header = _JUDGED_HEADER.format(n=n).replace("each trained on", "each in a mode of its own, "
                                                "trained on")
    return header + "\n" + "\n".join(body + ["}"]) + "\n"


SHAPES = {"chain": chain, "tree": tree, "nested": nested, "fanout": fanout, "shared": shared,
          "judged": judged, "gated": gated, "modal": modal}


def generate(shape: str, n: int) -> str:
    return SHAPES[shape](n)


def count_component_instances(text: str) -> int:
    """Instances of components (not of diagrams) in a generated proposal."""
    components = set(re.findall(r"^component (\w+)", text, re.M))
    return sum(1 for target in re.findall(r"^  \w+ = (?:frozen )?(\w+)", text, re.M)
               if target in components or target.islower())  # `frozen s0` is a snapshot


# ---------------------------------------------------------------- files for process timing

def wide(n: int) -> str:
    """A wide interface: a diagram with n/2 inputs and n/2 outputs wired through one component
    with n/2 of each (not in SHAPES: N counts ports here, not component instances)."""
    half = n // 2
    lines = ['proposal "Generated wide interface of {n} ports"'.format(n=n), "type T",
             "component Wide : tool, trusted {"]
    lines += [f"  in  i{k} : T" for k in range(half)] + [f"  out o{k} : T" for k in range(half)]
    lines += ["}", "", "diagram System {"]
    lines += [f"  in  a{k} : T" for k in range(half)] + [f"  out b{k} : T" for k in range(half)]
    lines += ["  w = Wide"] + [f"  a{k} -> w.i{k}" for k in range(half)]
    lines += [f"  w.o{k} -> b{k}" for k in range(half)] + ["}"]
    return "\n".join(lines) + "\n"


def symbolic() -> str:
    """About the size of examples/rlhf.wd, with indexed families and parameter-bounded
    intervals whose comparisons need sympy (`Transcript[2*n]` against `Transcript[n + n]`)."""
    return '''\
proposal "Debate with symbolic sizes"
cites "Irving et al. 2018, AI safety via debate, arXiv:1805.00899"

param n : Nat >= 1 = 4                  # rounds per debater
param c : Real >= 1 = 2                 # score scale
param beta : Real >= 0 = 0.1
type Question
type Argument
type Transcript[len]
type Score = Real in [0, c]

component Questions : dataset, trusted {
  out question : Question
}

component Debater : debater, learned, untrusted, provenance = "base-lm" {
  in  question   : Question
  out transcript : Transcript[2*n]
  out arguments  : List[Argument, n]
}

component Judge : judge, learned, untrusted {
  in  question   : Question
  in  transcript : Transcript[n + n]
  in  arguments  : List[Argument, 2*n - n]
  out verdict    : Score
}

component Calibrator : judge, trusted {
  in  verdict : Real in [0, c + 1]
  out reward  : Real in [-1, c + 1]
}

diagram Debate {
  in  question : Question
  out reward   : Real in [-1, c + 2]

  alice = Debater
  bob   = Debater
  ref   = frozen alice
  judge = Judge
  cal   = Calibrator

  question -> alice.question, bob.question, ref.question, judge.question
  alice.transcript -> judge.transcript
  alice.arguments -> judge.arguments
  judge.verdict -> cal.verdict
  cal.reward -> reward

  train alice by ppo maximising cal.reward - beta * kl(alice, ref)
}
'''


def plain_rlhf() -> str:
    """examples/rlhf.wd with its indexed types made plain (`Ranking[k]` -> `Ranking`,
    `List[Completion, k]` -> `List[Completion]`): the same size, no index to compare."""
    text = (REPO / "examples" / "rlhf.wd").read_text(encoding="utf-8")
    text = text.replace("Ranking[k]", "Ranking").replace("List[Completion, k]", "List[Completion]")
    assert "[k]" not in text and ", k]" not in text
    return text


def assert_clean(text: str, path: str = "<generated>") -> None:
    """Raise AssertionError unless `text` checks with no diagnostics at all."""
    import wiring

    result = wiring.check_text(text, path)
    assert result.ok and not result.diagnostics, f"{path}:\n{result.report()}"


def main() -> None:
    for shape, make in SHAPES.items():
        for n in (4, 5, 6, 7, 10, 11, 12, 23, 100, 101, 1000):
            text = make(n)
            assert_clean(text, f"{shape}-{n}.wd")
            found = count_component_instances(text)
            assert found == n, (shape, n, found)
        print(f"{shape}: ok")
    assert_clean(symbolic(), "symbolic.wd")
    assert_clean(plain_rlhf(), "rlhf-plain.wd")
    print("symbolic, plain_rlhf: ok")


if __name__ == "__main__":
    main()
