"""Findings of `wiring lint` about optimisation pressure, gates and monitors (S01-S03;
docs/analyses.md; the bracketed numbers are the criteria of the project's analysis brief)."""

from __future__ import annotations

from .code import Code, AGENT, WORLD

CODES: dict[str, Code] = {
    "S0101": Code(
        "optimisation pressure on a learned proxy (Goodhart) [A2]",
        "A training statement optimises an agent against a signal computed by a learned "
        "evaluator (reward model, judge, critic, monitor, world model, spec) that reads the "
        "agent's output. The note gives the pressure's strength: unbounded for RL and gradients "
        "(a KL anchor mitigates but does not cure), log n nats for best-of-n; `only-proxy` when "
        "no human judgement or real outcome reaches the signal except through learned proxies.",
        AGENT + """component RewardModel : reward_model, learned, untrusted {
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
        clean=AGENT + """component Rater : rater {
  in  response : Response
  out score    : Score
}
diagram D {
  src = Source; pi = Policy; rater = Rater
  src.prompt -> pi.prompt
  pi.response -> rater.response
  train pi by ppo maximising rater.score
}
""",
        why=("a learned proxy of judgement is exploited when optimised against: the true objective"
             " peaks and then falls as the proxy score rises (Gao, Schulman, Hilton 2022, Scaling "
             "Laws for Reward Model Overoptimization)"),
        help=("bound the pressure (best-of-n with small n, a KL budget, early stopping on a "
              "held-out evaluator), or put human judgement or a real outcome in the signal"),
        severity="warning",
        label="optimisation pressure on a learned proxy (Goodhart)"),
    "S0102": Code(
        "held-out evaluator used for a choice [A4]",
        "An evaluator declared `heldout` feeds an optimisation or selection (early stopping, "
        "checkpoint or hyperparameter choice) of a box it evaluates: it is no longer held out.",
        AGENT + """component Gold : reward_model, learned, trusted, heldout {
  in  response : Response
  out score    : Score
}
component Proxy : reward_model, learned, untrusted {
  in  response : Response
  out score    : Score
}
diagram D {
  src = Source; pi = Policy; gold = Gold; proxy = Proxy
  src.prompt -> pi.prompt
  pi.response -> gold.response, proxy.response
  train pi by best_of(16) maximising proxy.score
  train pi by early_stopping(20) maximising gold.score
}
""",
        clean=AGENT + """component Gold : reward_model, learned, trusted, heldout {
  in  response : Response
  out score    : Score
}
component Proxy : reward_model, learned, untrusted {
  in  response : Response
  out score    : Score
}
diagram D {
  out gold_score : Score
  src = Source; pi = Policy; gold = Gold; proxy = Proxy
  src.prompt -> pi.prompt
  pi.response -> gold.response, proxy.response
  gold.score -> gold_score
  train pi by best_of(16) maximising proxy.score
}
""",
        why=("an evaluator used to choose or train what it evaluates is no longer held out: its "
             "score is optimised too (Gao et al. 2022: even early stopping on the gold model "
             "spends log(#configurations) nats of selection)"),
        help=("evaluate with the held-out box only after every choice is made, or declare a second "
              "held-out evaluator for the selection"),
        severity="error",
        label="held-out evaluator used for a choice"),
    "S0103": Code(
        "held-out evaluator shares a source with the proxy [A4]",
        "A held-out evaluator and a proxy used in a training signal descend from the same "
        "dataset or rater pool, or share provenance: their errors are correlated and the "
        "held-out estimate is biased.",
        AGENT + """component Labels : dataset, trusted {
  out label : Score
}
component Gold : reward_model, learned, trusted, heldout {
  in  response : Response
  in  label    : Score
  out score    : Score
}
component Proxy : reward_model, learned, untrusted {
  in  response : Response
  in  label    : Score
  out score    : Score
}
diagram D {
  out gold_score : Score
  src = Source; pi = Policy; labels = Labels; gold = Gold; proxy = Proxy
  src.prompt -> pi.prompt
  labels.label -> gold.label, proxy.label
  pi.response -> gold.response, proxy.response
  gold.score -> gold_score
  train pi by best_of(16) maximising proxy.score
}
""",
        clean=AGENT + """component Labels : dataset, trusted {
  out label : Score
}
component Gold : reward_model, learned, trusted, heldout {
  in  response : Response
  out score    : Score
}
component Proxy : reward_model, learned, untrusted {
  in  response : Response
  in  label    : Score
  out score    : Score
}
diagram D {
  out gold_score : Score
  src = Source; pi = Policy; labels = Labels; gold = Gold; proxy = Proxy
  src.prompt -> pi.prompt
  labels.label -> proxy.label
  pi.response -> gold.response, proxy.response
  gold.score -> gold_score
  train pi by best_of(16) maximising proxy.score
}
""",
        why=("a held-out evaluator whose errors are correlated with the proxy's overestimates the "
             "proxy's quality (Gao et al. 2022)"),
        help="draw the held-out evaluator's data and model from a different source",
        severity="warning",
        label="held-out evaluator shares a source with the proxy"),
    "S0201": Code(
        "untrusted output reaches the world ungated [A5]",
        "An untrusted model's output reaches a sink (an environment or sink box in a "
        "deployment mode, or the diagram's output when it declares a deployment mode) on a "
        "path with no trusted gate: a monitor, filter, verifier, editor, auditor or human "
        "approval with trust trusted, formal or human.",
        AGENT + WORLD + """diagram D {
  src = Source; pi = Policy; world = World
  src.prompt -> pi.prompt
  pi.response -> world.response
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
}
""",
        why=("an untrusted model's output acts on the world unchecked: a model that is misaligned "
             "or under attack needs only one output to do harm (Greenblatt et al. 2024, AI "
             "Control)"),
        help=("put a trusted monitor with authority to block, a filter, a verifier or a human "
              "approval between them"),
        severity="error",
        label="untrusted output reaches the world ungated"),
    "S0202": Code(
        "untrusted output only partly gated [A5]",
        "Every path to the world passes a trusted gate, but the gates act on only a fraction of "
        "the output (`coverage`, e.g. an auditor who sees 2%; a shutdown latch acts on what the "
        "auditor finds). An attacker that chooses when to act faces only that fraction.",
        AGENT + WORLD + """component Auditor : auditor, human, coverage = 0.02 {
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
        why=("outputs outside the examined fraction reach the world unchecked; an attacker that "
             "picks when to act faces only that fraction (Greenblatt et al. 2024: trusted "
             "monitoring audits 2%)"),
        help=("add a gate that sees every output: defer to a trusted model or edit above a "
              "suspicion threshold"),
        severity="warning",
        label="untrusted output only partly gated"),
    "S0203": Code(
        "defence layers that are not independent [A8]",
        "The gates on the least-defended path from an untrusted model to the world (its "
        "nominal depth) include layers that share provenance or feed one another; the "
        "effective depth, the largest independent subset, is smaller. The note also gives the "
        "minimum gate cut (Menger): how few gates every path passes through.",
        AGENT + WORLD + """component Classifier : filter, trusted, provenance = "family-a" {
  in  response : Response
  out passed   : Response
}
diagram D {
  src = Source; pi = Policy; first = Classifier; second = Classifier; world = World
  src.prompt -> pi.prompt
  pi.response -> first.response
  first.passed -> second.response
  second.passed -> world.response
}
""",
        clean=AGENT + WORLD + """component Classifier : filter, trusted, provenance = "family-a" {
  in  response : Response
  out passed   : Response
}
component Reviewer : filter, human {
  in  response : Response
  out passed   : Response
}
diagram D {
  src = Source; pi = Policy; first = Classifier; second = Reviewer; world = World
  src.prompt -> pi.prompt
  pi.response -> first.response
  first.passed -> second.response
  second.passed -> world.response
}
""",
        why=("layers that share a base model, data or raters, or that feed one another, fail "
             "together: P(harm) is the product of the layers' miss rates only when they are "
             "independent (Reason's Swiss cheese model; Hendrycks et al. 2021)"),
        help=("diversify the layers' provenance, or keep one layer's verdict from feeding another's"
              " input"),
        severity="warning",
        label="defence layers that are not independent"),
    "S0301": Code(
        "monitor may collude with what it watches [A6]",
        "An untrusted monitor (or critic, judge, overseer) reads the output of a model of the "
        "same provenance over a channel no trusted sanitizer paraphrases, and no trusted "
        "honeypot validates it.",
        AGENT + """component Monitor : monitor, untrusted, provenance = "gpt-4" {
  in  response  : Response
  out suspicion : Score
}
diagram D {
  out suspicion : Score
  src = Source; pi = Policy with provenance = "gpt-4"; monitor = Monitor
  src.prompt -> pi.prompt
  pi.response -> monitor.response
  monitor.suspicion -> suspicion
}
""",
        clean=AGENT + """component Monitor : monitor, untrusted, provenance = "gpt-4" {
  in  response  : Response
  out suspicion : Score
}
component Paraphraser : sanitizer, trusted {
  in  response : Response
  out redacted : Response
}
diagram D {
  out suspicion : Score
  src = Source; pi = Policy with provenance = "gpt-4"; monitor = Monitor; para = Paraphraser
  src.prompt -> pi.prompt
  pi.response -> para.response
  para.redacted -> monitor.response
  monitor.suspicion -> suspicion
}
""",
        why=("a monitor from the same model as what it watches shares its blind spots and can "
             "coordinate with it through steganographic signals (Greenblatt et al. 2024, untrusted"
             " monitoring)"),
        help=("paraphrase or redact the monitored output with a trusted sanitizer, and validate the"
              " monitor on trusted honeypots (known-bad inputs) before trusting it"),
        severity="error",
        label="monitor may collude with what it watches"),
    "S0304": Code(
        "monitor is the model it watches [A6]",
        "A monitor (or critic, judge, overseer) shares its parameters with a model whose output "
        "it reads (`mon = shared pi as Monitor`): the same weights behind two interfaces. It "
        "needs no signal to collude with what it watches, and knows what its other copy would "
        "hide, so a trusted paraphraser or honeypots lower the risk but do not remove it: this "
        "finding holds whatever stands between them. Untrusted monitoring in Greenblatt et al. "
        "(2024) is this design. It replaces the shared-provenance finding S0301 for that pair.",
        AGENT + """component Monitor : monitor {
  in  response  : Response
  out suspicion : Score
}
diagram D {
  out suspicion : Score
  src = Source; pi = Policy; monitor = shared pi as Monitor
  src.prompt -> pi.prompt
  pi.response -> monitor.response
  monitor.suspicion -> suspicion
}
""",
        clean=AGENT + """component Monitor : monitor, untrusted, provenance = "gpt-4" {
  in  response  : Response
  out suspicion : Score
}
component Paraphraser : sanitizer, trusted {
  in  response : Response
  out redacted : Response
}
diagram D {
  out suspicion : Score
  src = Source; pi = Policy with provenance = "claude"; monitor = Monitor
  para = Paraphraser
  src.prompt -> pi.prompt
  pi.response -> para.response
  para.redacted -> monitor.response
  monitor.suspicion -> suspicion
}
""",
        why=("a model asked to judge its own outputs can recognise them and spare them without any "
             "message passing between the copies (Greenblatt et al. 2024: untrusted monitoring "
             "needs collusion-busting, and is evaluated against a monitor that colludes)"),
        help=("use a model with other parameters as the monitor (a trusted one, or another "
              "family), or acknowledge the risk with `allow S0304 because \"...\"` and say how the "
              "monitor is validated"),
        severity="error",
        label="the model it watches, under another interface"),
    "S0302": Code(
        "trained against its monitor [A7]",
        "A monitor, filter, auditor or overseer watches an agent, and its verdict is part of "
        "the agent's training signal: the agent learns to evade it.",
        AGENT + """component Monitor : monitor, trusted {
  in  response  : Response
  out suspicion : Score
}
diagram D {
  src = Source; pi = Policy; monitor = Monitor
  src.prompt -> pi.prompt
  pi.response -> monitor.response
  train pi by ppo maximising 1 - monitor.suspicion
}
""",
        clean=AGENT + """component Monitor : monitor, trusted {
  in  response  : Response
  out suspicion : Score
}
component Rater : rater {
  in  response : Response
  out score    : Score
}
diagram D {
  out suspicion : Score
  src = Source; pi = Policy; monitor = Monitor; rater = Rater
  src.prompt -> pi.prompt
  pi.response -> monitor.response, rater.response
  monitor.suspicion -> suspicion
  train pi by ppo maximising rater.score
}
""",
        why=("optimising against a detector teaches the optimised model to evade it, and the "
             "detector stops being evidence (Baker et al. 2025, Monitoring Reasoning Models for "
             "Misbehavior)"),
        help="keep the monitor out of the training signal; train on a separate evaluator",
        severity="error",
        label="trained against its monitor"),
    "S0303": Code(
        "trusted box trained on an untrusted influence [A17]",
        "A box declared trusted or formal is learned, and its training signal can be influenced "
        "by an untrusted model. Acknowledge it if the box is trusted for another reason (e.g. "
        "too weak to scheme).",
        AGENT + """component Classifier : filter, learned, trusted {
  in  response : Response
  out flagged  : Score
}
diagram D {
  src = Source; pi = Policy; clf = Classifier
  src.prompt -> pi.prompt
  pi.response -> clf.response
  train clf by sgd maximising clf.flagged
}
""",
        clean=AGENT + """component Classifier : filter, learned, trusted {
  in  response : Response
  out flagged  : Score
}
component Examples : dataset, trusted {
  out response : Response
}
diagram D {
  out flagged : Score
  src = Source; pi = Policy; clf = Classifier; data = Examples
  src.prompt -> pi.prompt
  data.response -> clf.response
  clf.flagged -> flagged
  train clf by sgd maximising clf.flagged
}
""",
        why=("trust in a learned box rests on how it was trained; an untrusted influence on its "
             "training signal can plant behaviour that later training does not remove (Hubinger et"
             " al. 2024, Sleeper Agents)"),
        help=("train `{target}` only on trusted signals, or mark it untrusted; if it is trusted for"
              " another reason (e.g. too weak to scheme) acknowledge this finding with `allow`"),
        severity="warning",
        label="trusted box trained on an untrusted influence"),
}
