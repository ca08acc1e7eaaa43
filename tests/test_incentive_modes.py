"""The incentive analyses keep modes apart (issue 10, item 5) and report other agents'
decisions as strategic incentives (item 7).

Data flows within one mode; a training statement acts only in the modes of its `when`; learned
parameters carry influence from the mode where they are trained to the modes where they are used,
never out of deployment into an earlier phase. Read through the CLI and `analyse`, as users do."""

import json

import wiring
from wiring.analysis import analyse, analyse_all
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
    assert "decision `policy` (in `sft`, `reward`, `rl`):" in out


# -------------------------------------------------------------- item 7: other agents


def two_debaters(tmp_path) -> str:
    """The debate example with debater B a model of its own (of A's family) rather than A's
    shared copy: two agents."""
    text = (ROOT / "examples" / "debate.wd").read_text()
    assert "b         = shared a" in text
    path = tmp_path / "debate.wd"
    path.write_text(text.replace("b         = shared a",
                                 'b         = ChoiceDebater(options = k) with provenance = "debater"'))
    return str(path)


def test_debate_by_self_play_is_one_agent_at_both_seats(capsys):
    assert main(["analyze", str(ROOT / "examples" / "debate.wd")]) == 0
    out = capsys.readouterr().out
    assert "decision `a` (in `train`), also acting as `b` (shared parameters):" in out
    assert "decision `b`" not in out and "strategic" not in out


def test_debate_reports_the_opponent_as_a_strategic_incentive_in_text(capsys, tmp_path):
    assert main(["analyze", two_debaters(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert ("other agents' decisions are read as chance nodes, their policies held fixed "
            "(Hammond et al. 2023); an instrumental control incentive on one is a strategic "
            "incentive, to influence that agent") in out
    assert "decision `a` (in `train`):" in out and "decision `b` (in `train`):" in out
    a, b = out.split("decision `a`")[1].split("decision `b`")
    assert "strategic incentive (control incentive on another agent's decision): `b`" in a
    assert "instrumental control incentive (control): `b`, `judge`, `referee`" in a
    assert "value of control: `b`, `judge`, `questions`, `referee`" in a
    assert ("b (control): a[train]@0 -> referee[train]@1 -> b[train]@1 -> judge[train]@1 "
            "-> U:a#0[train]@1") in a
    assert "strategic incentive (control incentive on another agent's decision): `a`" in b


def test_debate_reports_the_opponent_as_a_strategic_incentive_in_json(capsys, tmp_path):
    assert main(["analyze", "--format", "json", two_debaters(tmp_path)]) == 0
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


# ------------------------------------------------- how many steps the report needs (`--steps`)

# The log is written in deployment (`b`) through four stateful stages, and read by the
# policy's reward only in training (`a`), where it holds reference answers: no loop from `pi`
# back to its reward, over any number of steps.
LOGGED_IN_ANOTHER_MODE = """
component Stage : memory, trusted, stateful {
  in  x : Response
  out y : Response
}
component Log : memory, trusted, stateful {
  in  x     : Response
  out score : Score
}
diagram D {
  modes a : training, b : deployment
  src = Source; ref = Reference; pi = Policy; log = Log
  s1 = Stage when b; s2 = Stage when b; s3 = Stage when b; s4 = Stage when b
  src.prompt -> pi.prompt
  ref.response -> log.x when a
  pi.response -> s1.x when b
  s1.y -> s2.x when b
  s2.y -> s3.x when b
  s3.y -> s4.x when b
  s4.y -> log.x when b
  train pi by ppo maximising log.score when a
}
"""


def _report(tmp_path, body: str, capsys, *argv: str) -> str:
    path = tmp_path / "steps.wd"
    path.write_text(HEADER + body, encoding="utf-8")
    main([*argv, str(path)])
    return capsys.readouterr().out


def _incentives_json(tmp_path, body: str, capsys, *argv: str) -> dict:
    (file,) = json.loads(_report(tmp_path, body, capsys, "analyze", "--format", "json", *argv))
    (diagram,) = file["diagrams"]
    return diagram


def test_no_steps_hint_for_a_loop_that_only_joining_modes_would_make(tmp_path, capsys):
    # steps_needed walked every mode's wires together: pi -> s1 .. s4 -> log (in `b`) and the
    # training on log.score (in `a`) made a 6-step loop the unrolled diagram does not have.
    assert "--steps" not in _report(tmp_path, LOGGED_IN_ANOTHER_MODE, capsys, "lint")
    report = _incentives_json(tmp_path, LOGGED_IN_ANOTHER_MODE, capsys)
    assert report["steps_needed"] == 1
    longer = _incentives_json(tmp_path, LOGGED_IN_ANOTHER_MODE, capsys, "--steps", "8")
    assert longer["decisions"] == report["decisions"]


# `mem` reaches the grader at once through the policy's next decision (information-only), and
# without it only through two delayed wires: a control incentive from 4 steps on.
REMEMBERED = """
component Memory : memory, trusted, stateful {
  in  response : Response
  out prompt   : Prompt
}
component Relay : memory, trusted {
  in  held     : Prompt
  in  response : Response
  out passed   : Prompt
}
component Grader : reward_model, trusted {
  in  response : Response
  in  context  : Prompt
  out score    : Score
}
diagram D {
  mem = Memory; pi = Policy; relay = Relay; grader = Grader
  mem.prompt -> pi.prompt
  pi.response -> mem.response, relay.response, grader.response
  mem.prompt -> relay.held delayed
  relay.passed -> grader.context delayed
  train pi by ppo maximising grader.score
}
"""


def test_the_steps_hint_counts_until_an_incentive_shows_as_control(tmp_path, capsys):
    report = _incentives_json(tmp_path, REMEMBERED, capsys, "--steps", "3")
    assert report["steps_needed"] == 4
    assert set(report["decisions"][0]["ici_info"]) == {"mem"}
    text = _report(tmp_path, REMEMBERED, capsys, "analyze", "--steps", "3")
    assert "`--steps 4` shows the incentives the loop carries" in text
    report = _incentives_json(tmp_path, REMEMBERED, capsys, "--steps", "4")
    assert "mem" in report["decisions"][0]["ici_control"]
    assert "--steps" not in _report(tmp_path, REMEMBERED, capsys, "lint", "--steps", "4")


def test_the_steps_hint_counts_training_updates(capsys):
    # critique_rm's parameters reach the generator's reward only through two more training
    # updates (critic, then answer_rm): a loop of 4 steps, which the old count left out.
    path = str(ROOT / "examples" / "critiques.wd")
    assert main(["analyze", path]) == 0
    out = capsys.readouterr().out
    assert "`--steps 4` shows the incentives the loop carries" in out
    control = out.split("instrumental control incentive (control): ")[1].split("\n")[0]
    assert "`Θ:critic`" in control and "`Θ:critique_rm`" not in control
    assert main(["analyze", path, "--steps", "4"]) == 0
    out = capsys.readouterr().out
    assert "--steps" not in out and "Θ:critique_rm (control): generator[train]@0" in out


def test_the_steps_hint_is_given_exactly_when_more_steps_show_more():
    # Over steps_needed steps the control incentives (and their kinds) are those of any longer
    # unrolling; over one step fewer, some are missing.
    def control(proposal, steps):
        return [{kind: set(map(str, getattr(i, kind))) for kind in ("ici_control", "ici_info")}
                for a in analyse_all(proposal, steps=steps).analyses for i in a.incentives]

    for name in ("rlhf.wd", "debate.wd", "swiss_cheese.wd", "incentives/rl_direct_learning.wd"):
        proposal = wiring.load(ROOT / "examples" / name)
        (needed,) = {a.steps_needed for a in analyse_all(proposal).analyses}
        assert control(proposal, needed) == control(proposal, needed + 3), name
        assert control(proposal, needed - 1) != control(proposal, needed), name


# ------------------------------------------------------------------ decisions, declared order

TWO_AGENTS = """
diagram D {
  src = Source; zed = Policy; amy = Policy; rz = RewardModel; ra = RewardModel
  src.prompt -> zed.prompt, amy.prompt
  zed.response -> rz.response
  amy.response -> ra.response
  train zed by ppo maximising rz.score
  train amy by ppo maximising ra.score
}
"""


def test_decisions_are_reported_in_declaration_order(tmp_path, capsys):
    assert [i.decision for i in analysed(TWO_AGENTS).incentives] == ["zed", "amy"]
    text = _report(tmp_path, TWO_AGENTS, capsys, "analyze")
    assert text.index("decision `zed`") < text.index("decision `amy`")
    report = _incentives_json(tmp_path, TWO_AGENTS, capsys)
    assert [d["decision"] for d in report["decisions"]] == ["zed", "amy"]
