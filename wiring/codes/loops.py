"""Findings of `wiring lint` about judges, training loops, incentives, models and assertions
(S04-S07; docs/analyses.md)."""

from __future__ import annotations

from .code import Code, AGENT, WORLD

CODES: dict[str, Code] = {
    "S0401": Code(
        "judge reads what it judges [A9]",
        "A human or trusted judge reads an untrusted model's output and its judgement trains "
        "that model or decides a gate on it: the model has an incentive to persuade or "
        "manipulate it, and its output is an injection surface. Debate accepts this by design.",
        AGENT + """component Judge : judge, human {
  in  response : Response
  out score    : Score
}
diagram D {
  src = Source; pi = Policy; judge = Judge
  src.prompt -> pi.prompt
  pi.response -> judge.response
  train pi by rl maximising judge.score
}
""",
        clean=AGENT + """component Judge : judge, human {
  in  prompt : Prompt
  out score  : Score
}
diagram D {
  out response : Response
  src = Source; pi = Policy; judge = Judge
  src.prompt -> pi.prompt, judge.prompt
  pi.response -> response
  train pi by rl maximising judge.score
}
""",
        why=("an untrusted model's output is an input to the judge that gates it: a "
             "prompt-injection and manipulation surface (Greenblatt et al. 2024: the trusted "
             "monitor reads the untrusted code)"),
        help=("show the judge a sanitised or paraphrased version, and test it on adversarial "
              "inputs"),
        severity="warning",
        label="judge reads what it judges"),
    "S0402": Code(
        "self-referential training target [A10]",
        "An agent's outputs become the training data of the learned evaluator that sets its "
        "objective (online RLHF: the policy's samples are what raters label), or its "
        "imitation target is computed from its own live output. A frozen snapshot breaks it.",
        AGENT + """component Raters : rater {
  in  response : Response
  out label    : Score
}
component RewardModel : reward_model, learned, untrusted {
  in  response : Response
  out score    : Score
}
diagram D {
  src = Source; pi = Policy; raters = Raters; rm = RewardModel
  src.prompt -> pi.prompt
  pi.response -> raters.response, rm.response
  train rm by sgd maximising log_likelihood(raters.label)
  train pi by ppo maximising rm.score
}
""",
        clean=AGENT + """component Raters : rater {
  in  response : Response
  out label    : Score
}
component RewardModel : reward_model, learned, untrusted {
  in  response : Response
  out score    : Score
}
diagram D {
  src = Source; pi = Policy; old = frozen pi; raters = Raters; rm = RewardModel
  src.prompt -> pi.prompt, old.prompt
  old.response -> raters.response
  pi.response -> rm.response
  train rm by sgd maximising log_likelihood(raters.label)
  train pi by ppo maximising rm.score
}
""",
        why=("a model whose outputs become the labels of its own reward is trained on a target it "
             "moves (feedback tampering; Everitt et al. 2021, Reward Tampering Problems and "
             "Solutions)"),
        help=("collect labels on a frozen snapshot's outputs, or freeze the evaluator while the "
              "model trains"),
        severity="warning",
        label="self-referential training target"),
    "S0403": Code(
        "world-closing training loop [A16]",
        "An agent changes the state of a person (declared `stateful`: preferences that change) "
        "whose judgements feed its own training: performative prediction, preference shaping "
        "(the content recommender of Agent Incentives).",
        AGENT + """component User : human, stateful {
  in  response : Response
  out clicks   : Score
}
diagram D {
  src = Source; pi = Policy; user = User
  src.prompt -> pi.prompt
  pi.response -> user.response
  train pi by rl maximising user.clicks
}
""",
        clean=AGENT + """component User : human {
  in  response : Response
  out clicks   : Score
}
diagram D {
  src = Source; pi = Policy; user = User
  src.prompt -> pi.prompt
  pi.response -> user.response
  train pi by rl maximising user.clicks
}
""",
        why=("a policy that can change the preferences or the world its objective is computed from"
             " has an incentive to shape them (Everitt et al. 2021, Agent Incentives: the content "
             "recommender)"),
        help=("compute the objective from preferences or states the policy cannot influence, or "
              "model them as fixed data"),
        severity="warning",
        label="world-closing training loop"),
    "S0501": Code(
        "reward tampering: control incentive on the reward process [A3]",
        "On the diagram unrolled in time, the agent has an instrumental control incentive on "
        "part of its own reward process (the parameters of a learned evaluator its signal "
        "reads, or a stateful judge or rater) along a path that avoids its later decisions. "
        "Subclasses: reward-function tampering, feedback tampering.",
        AGENT + """component Raters : rater {
  in  response : Response
  out label    : Score
}
component RewardModel : reward_model, learned, untrusted {
  in  response : Response
  out score    : Score
}
diagram D {
  src = Source; pi = Policy; raters = Raters; rm = RewardModel
  src.prompt -> pi.prompt
  pi.response -> raters.response, rm.response
  train rm by sgd maximising log_likelihood(raters.label)
  train pi by ppo maximising rm.score
}
""",
        clean=AGENT + """component RewardModel : reward_model, frozen, untrusted {
  in  response : Response
  out score    : Score
}
diagram D {
  src = Source; pi = Policy; rm = RewardModel
  src.prompt -> pi.prompt
  pi.response -> rm.response
  train pi by ppo maximising rm.score
}
""",
        why=("an agent that can influence the process that computes its reward is rewarded for "
             "corrupting it rather than for the task (Everitt, Hutter, Kumar, Krakovna 2021, "
             "Reward Tampering Problems and Solutions in Reinforcement Learning)"),
        help=("decouple the reward from what the agent can influence: train the evaluator on data "
              "the agent cannot affect, optimise the current reward function, or learn the reward "
              "directly from data it cannot tamper with (Everitt et al.)"),
        severity="warning",
        label="reward tampering: control incentive on the reward process"),
    "S0502": Code(
        "information-only incentive on the reward process [A3]",
        "The agent influences part of its reward process only through its own later "
        "decisions: what direct learning of the reward leaves (Reward Tampering Problems and "
        "Solutions, Claims 4-5). Reported for information; usually no change is needed.",
        None, trigger="lint the direct-learning example of the reward-tampering paper",
        why=("an agent that can influence the process that computes its reward is rewarded for "
             "corrupting it rather than for the task (Everitt, Hutter, Kumar, Krakovna 2021, "
             "Reward Tampering Problems and Solutions in Reinforcement Learning)"),
        help=("an information-only incentive is what direct learning leaves; no design change is "
              "needed unless the agent should not learn from it at all"),
        severity="warning",
        label="information-only incentive on the reward process"),
    "S0503": Code(
        "closed loop without an off-switch [A12]",
        "An untrusted agent acts on the world in a closed deployment loop with no trusted "
        "`shutdown` or `timeout` gate on its actuator.",
        AGENT + """component Environment : environment, stateful {
  in  response : Response
  out prompt   : Prompt
}
diagram D {
  pi = Policy; env = Environment
  env.prompt -> pi.prompt
  pi.response -> env.response
}
""",
        clean=AGENT + """component Environment : environment, stateful {
  in  response : Response
  out prompt   : Prompt
}
component Timeout : timeout, trusted, stateful {
  in  response : Response
  out passed   : Response
}
diagram D {
  pi = Policy; env = Environment; timeout = Timeout
  env.prompt -> pi.prompt
  pi.response -> timeout.response
  timeout.passed -> env.response
}
""",
        why=("an untrusted agent acting in a loop should be time-bounded and interruptible "
             "(Dalrymple et al. 2024: the deployed policy runs for a bounded time, then hands back"
             " control)"),
        help="put a trusted `timeout` or `shutdown` gate between the agent and the world",
        severity="warning",
        label="closed loop without an off-switch"),
    "S0504": Code(
        "incentive to control the off-switch [A12]",
        "The shutdown lies on a path from the agent's decision to its utility: the reward "
        "depends on whether the agent is interrupted, so it is rewarded for preventing or "
        "provoking the interruption.",
        AGENT + """component Shutdown : shutdown, trusted {
  in  response : Response
  out passed   : Response
}
component Environment : environment, stateful {
  in  response : Response
  out prompt   : Prompt
  out reward   : Score
}
diagram D {
  pi = Policy; stop = Shutdown; env = Environment
  env.prompt -> pi.prompt
  pi.response -> stop.response
  stop.passed -> env.response
  train pi by rl maximising env.reward
}
""",
        clean=AGENT + """component Shutdown : shutdown, trusted {
  in  response : Response
  out passed   : Response
}
component Environment : environment, stateful {
  in  response : Response
  out prompt   : Prompt
}
component Task : reward_model {
  in  response : Response
  out reward   : Score
}
diagram D {
  pi = Policy; stop = Shutdown; env = Environment; task = Task
  env.prompt -> pi.prompt
  pi.response -> stop.response, task.response
  stop.passed -> env.response
  train pi by rl maximising task.reward
}
""",
        why=("when the reward depends on whether the agent is interrupted, the agent is rewarded "
             "for preventing or provoking the interruption (Orseau and Armstrong 2016, Safely "
             "Interruptible Agents)"),
        help=("keep the shutdown out of every path to the agent's training signal (do not truncate "
              "the reward at shutdown)"),
        severity="error",
        label="incentive to control the off-switch"),
    "S0505": Code(
        "the untrusted model can tell it is audited [A13]",
        "A directed path leads from audit selection, an auditor or a honeypot to an untrusted "
        "model's input: it can condition its behaviour on being watched.",
        AGENT + WORLD + """component Auditor : auditor, human, stateful {
  in  response : Response
  out passed   : Response
  out audited  : Prompt
}
diagram D {
  pi = Policy; audit = Auditor; world = World
  audit.audited -> pi.prompt
  pi.response -> audit.response
  audit.passed -> world.response
}
""",
        clean=AGENT + WORLD + """component Auditor : auditor, human {
  in  response : Response
  out passed   : Response
}
diagram D {
  src = Source; pi = Policy; audit = Auditor; world = World
  src.prompt -> pi.prompt
  pi.response -> audit.response
  audit.passed -> world.response
}
""",
        why=("a model that can tell when it is watched can behave well only then: a response "
             "incentive on the audit variable (Greenblatt et al. 2024; Everitt et al. 2021)"),
        help=("keep audit selection, honeypot flags and evaluation markers out of every input of "
              "the untrusted model"),
        severity="error",
        label="the untrusted model can tell it is audited"),
    "S0601": Code(
        "optimised in a model, deployed unguarded [A11]",
        "An agent's training signal is computed only from simulators or world models (no real "
        "environment upstream) and the agent reaches the world in deployment without both a "
        "runtime monitor comparing predictions with real observations and a trusted gate.",
        AGENT + WORLD + """component Simulator : simulator, learned {
  in  response : Response
  out outcome  : Score
}
diagram D {
  src = Source; pi = Policy; sim = Simulator; world = World
  src.prompt -> pi.prompt
  pi.response -> sim.response, world.response
  train pi by rl maximising sim.outcome
}
""",
        clean=AGENT + WORLD + """component Outcome : environment, stateful {
  in  response : Response
  out outcome  : Score
}
diagram D {
  src = Source; pi = Policy; real = Outcome; world = World
  src.prompt -> pi.prompt
  pi.response -> real.response, world.response
  train pi by rl maximising real.outcome
}
""",
        why=("optimisation inside a model exploits the model's errors; in the world those errors "
             "are real (Dalrymple et al. 2024, Towards Guaranteed Safe AI)"),
        help=("add a runtime monitor reading the world model's predictions and the real "
              "observations, and a gate on the actuator that falls back to a safe controller"),
        severity="error",
        label="optimised in a model, deployed unguarded"),
    "S0701": Code(
        "assertion fails",
        "An `assert` in the proposal does not hold; the finding shows the witness. Assertions: "
        "`assert no path A -> B avoiding C, D`, `assert gated(X)`, `assert trusted(X.port)`, "
        "`assert no [control | response | information] incentive D on X`.",
        AGENT + WORLD + """diagram D {
  src = Source; pi = Policy; world = World
  src.prompt -> pi.prompt
  pi.response -> world.response
  assert gated(pi)
}
""",
        clean=AGENT + WORLD + """component Filter : filter, trusted {
  in  response : Response
  out passed   : Response
}
diagram D {
  src = Source; pi = Policy; filter = Filter; world = World
  src.prompt -> pi.prompt
  pi.response -> filter.response
  filter.passed -> world.response
  assert gated(pi)
  assert no path pi -> world avoiding filter
}
""",
        help="change the design so that the claim holds, or correct the claim",
        severity="error",
        label="assertion fails"),
}
