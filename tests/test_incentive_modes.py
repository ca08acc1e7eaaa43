"""The incentive analyses keep modes apart (issue 10, item 5) and report other agents'
decisions as strategic incentives (item 7).

Data flows within one mode; a training statement acts only in the modes of its `when`; learned
parameters carry influence from the mode where they are trained to the modes where they are used,
never out of deployment into an earlier phase. Read through the CLI and `analyse`, as users do."""

import json

import wiring
from wiring.analysis import analyse
from wiring.cli import main
from wiring.witness import texts

from conftest import ROOT

HEADER = """
type Prompt
type Response
type Score = Real in [0, 1]
component Source : source, trusted {
  out prompt : Prompt
}
component Reference : dataset, trusted {
  out response : Response
}
component Policy : policy, learned, untrusted {
  in  prompt   : Prompt
  out response : Response
}
component Raters : rater {
  in  response : Response
  out label    : Score
}
component RewardModel : reward_model, learned, untrusted {
  in  response : Response
  out score    : Score
}
"""


def analysed(body: str):
    result = wiring.check_text(HEADER + body, "modes.wd")
    assert result.ok, result.report()
    return analyse(result.proposal)


def tampering(analysis) -> list:
    return [f for f in analysis.findings if f.code == "S0501"]


def control(analysis, agent: str = "pi") -> set[str]:
    (found,) = [i for i in analysis.incentives if i.decision == agent]
    return set(map(str, found.ici_control))


# In `train` the raters label reference answers and the reward model learns from them; in
# `eval` the same raters read the policy's answers, and nothing learns from that.
RATED_IN_EVAL = """
diagram D {
  modes train, eval
  src = Source; ref = Reference; pi = Policy; raters = Raters
  rm = RewardModel when train
  src.prompt -> pi.prompt
  ref.response -> raters.response when train
  pi.response -> rm.response when train
  pi.response -> raters.response when eval
  train rm by sgd maximising log_likelihood(raters.label) when train
  train pi by ppo maximising rm.score when train
}
"""


def test_eval_mode_data_does_not_reach_the_reward_trained_in_another_mode():
    # Joining `eval`'s wire pi -> raters to `train`'s training of rm made a path pi -> raters
    # -> Θ:rm -> rm -> reward that the proposal does not have.
    analysis = analysed(RATED_IN_EVAL)
    assert tampering(analysis) == []
    assert control(analysis) == {"rm"}   # not `raters` nor `Θ:rm`


def test_ida_overseer_model_has_no_tampering_incentive_through_the_other_mode():
    # H' feeds X_k only in `imitation`; X_k feeds H only in `human`: no mode has H' -> H.
    analysis = analyse(wiring.load(ROOT / "examples" / "ida.wd"))
    assert [f for f in analysis.findings if f.code == "S0501"] == []
    assert control(analysis, "hp") == set()


# The reward model learns from the raters' labels of the policy's own answers in `reward`, and
# the policy is trained on the reward model in `rl`: the RLHF loop, across two modes.
RLHF_IN_TWO_MODES = """
diagram D {
  modes reward, rl
  src = Source; pi = Policy; raters = Raters when reward; rm = RewardModel
  src.prompt -> pi.prompt
  pi.response -> raters.response when reward
  pi.response -> rm.response
  train rm by sgd maximising log_likelihood(raters.label) when reward
  train pi by ppo maximising rm.score when rl
}
"""


def test_parameters_carry_influence_across_modes():
    (finding,) = tampering(analysed(RLHF_IN_TWO_MODES))
    assert "`Θ:rm` (feedback tampering)" in finding.message
    assert texts(finding.witness) == [
        "pi[reward]@0", "raters[reward]@0", "Θ:rm[rl]@1", "rm[rl]@1", "U:pi#1[rl]@1"]


def test_a_witness_changes_mode_only_at_trained_parameters():
    for name in ("rlhf.wd", "constitutional_ai.wd", "process_supervision.wd"):
        for incentives in analyse(wiring.load(ROOT / "examples" / name)).incentives:
            for witness in incentives.ici_control.values():
                for tail, head in zip(witness, witness[1:]):
                    assert tail.mode == head.mode or head.role == "params", \
                        (name, texts(witness))


# The raters read the policy's answers in both modes; the training statement of the reward
# model decides in which of them their labels train it.
RATED_IN_BOTH = """
diagram D {
  modes sft, rl
  src = Source; ref = Reference; pi = Policy; raters = Raters; rm = RewardModel
  src.prompt -> pi.prompt
  ref.response -> raters.response, rm.response when sft
  pi.response -> raters.response, rm.response when rl
  train rm by sgd maximising log_likelihood(raters.label) when {when}
  train pi by ppo maximising rm.score when rl
}
"""


def test_a_training_statement_acts_only_in_the_modes_of_its_when():
    only_sft = analysed(RATED_IN_BOTH.replace("{when}", "sft"))
    assert tampering(only_sft) == []
    assert "Θ:rm" not in control(only_sft)
    also_rl = analysed(RATED_IN_BOTH.replace("{when}", "sft, rl"))
    (finding,) = tampering(also_rl)
    assert texts(finding.witness) == [
        "pi[rl]@0", "raters[rl]@0", "Θ:rm[rl]@1", "rm[rl]@1", "U:pi#1[rl]@1"]


ONLINE = """
component Users : sink, environment {
  in  response : Response
  out prompt   : Prompt
  out rating   : Score
}
diagram D {
  modes train, deploy
  src = Source; pi = Policy; rm = RewardModel; users = Users when deploy
  src.prompt -> pi.prompt when train
  users.prompt -> pi.prompt when deploy
  pi.response -> rm.response
  pi.response -> users.response delayed when deploy
  train rm by sgd maximising log_likelihood(users.rating) when deploy
  train pi by ppo maximising rm.score when {when}
}
"""


def test_training_in_deployment_is_analysed_and_reaches_only_deployment():
    # Learning online from users' ratings, the policy can shape its own reward model.
    online = analysed(ONLINE.replace("{when}", "deploy"))
    (finding,) = tampering(online)
    assert texts(finding.witness)[0] == "pi[deploy]@0"
    # The same reward model trained online does not reach the policy's training, which comes
    # first: what deployment trains reaches only deployment.
    offline = analysed(ONLINE.replace("{when}", "train"))
    assert tampering(offline) == []
    assert "Θ:rm" not in control(offline)


def test_the_report_names_the_modes_it_unrolls(capsys):
    assert main(["analyze", str(ROOT / "examples" / "rlhf.wd")]) == 0
    out = capsys.readouterr().out
    assert ("one copy per mode in which something is trained: `sft`, `reward`, `rl` "
            "(`deploy`: nothing is trained there, so nothing there reaches a reward)") in out
    assert "decision `policy` (in sft, reward, rl):" in out


# -------------------------------------------------------------- item 7: other agents


def test_debate_reports_the_opponent_as_a_strategic_incentive_in_text(capsys):
    assert main(["analyze", str(ROOT / "examples" / "debate.wd")]) == 0
    out = capsys.readouterr().out
    assert ("other agents' decisions are read as chance nodes, their policies held fixed "
            "(Hammond et al. 2023); an instrumental control incentive on one is a strategic "
            "incentive, to influence that agent") in out
    a, b = out.split("decision `a`")[1].split("decision `b`")
    assert "strategic incentive (control incentive on another agent's decision): `b`" in a
    assert "instrumental control incentive (control): `b`, `judge`, `referee`" in a
    assert "value of control: `b`, `judge`, `questions`, `referee`" in a
    assert ("b (control): a[train]@0 -> referee[train]@1 -> b[train]@1 -> judge[train]@1 "
            "-> U:a#0[train]@1") in a
    assert "strategic incentive (control incentive on another agent's decision): `a`" in b


def test_debate_reports_the_opponent_as_a_strategic_incentive_in_json(capsys):
    assert main(["analyze", "--format", "json", str(ROOT / "examples" / "debate.wd")]) == 0
    ((report,),) = [f["diagrams"] for f in json.loads(capsys.readouterr().out)]
    assert "strategic incentive" in report["other_agents"]
    assert report["unrolled_modes"] == ["train"]
    by_agent = {d["decision"]: d for d in report["decisions"]}
    assert by_agent["a"]["strategic"] == {"b": [
        "a[train]@0", "referee[train]@1", "b[train]@1", "judge[train]@1", "U:a#0[train]@1"]}
    assert set(by_agent["b"]["strategic"]) == {"a"}
    assert "b" in by_agent["a"]["ici_control"] and "a" in by_agent["b"]["voc"]
    assert by_agent["a"]["modes"] == ["train"]


def test_one_agent_report_is_unchanged_by_the_convention(capsys):
    assert main(["analyze", str(ROOT / "examples" / "incentives" / "grade_predictor.wd")]) == 0
    out = capsys.readouterr().out
    assert "strategic" not in out and "chance nodes" not in out
