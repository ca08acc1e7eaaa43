"""Shared weights (issue 14, item 1): `d2 = shared d1` and `mon = shared pi as Monitor` put one
set of parameters behind several boxes. Checked through the public interfaces: the checked
model, its JSON, the analyses' findings and incentive report, and the CLI."""

from __future__ import annotations

import json

import pytest

import wiring
from wiring.analysis import analyse
from wiring.cli import main
from wiring.codes import CODES

TYPES = """type Prompt
type Response
type Score = Real in [0, 1]
component Source : source, trusted {
  out prompt : Prompt
}
component Policy : policy, learned, untrusted {
  in  prompt   : Prompt
  out response : Response
}
component Monitor : monitor, trusted {
  in  response  : Response
  out suspicion : Score
}
component Paraphraser : sanitizer, trusted {
  in  response : Response
  out redacted : Response
}
component World : sink {
  in response : Response
}
"""


def checked(body: str):
    result = wiring.check_text(TYPES + body, "p.wd")
    assert result.ok, result.report()
    return result.proposal


def codes(body: str) -> list[str]:
    return [d.code for d in wiring.check_text(TYPES + body, "p.wd").diagnostics]


def findings(body: str) -> dict[str, list]:
    found: dict[str, list] = {}
    for f in analyse(checked(body)).findings:
        for entry in (f, *f.also):
            found.setdefault(entry.code, []).append(entry)
    return found


SELF_MONITOR = """diagram D {
  modes serve : deployment
  src = Source; pi = Policy; mon = shared pi as Monitor; world = World
  src.prompt -> pi.prompt
  pi.response -> mon.response, world.response
}
"""


# ------------------------------------------------------------------------------ the language

def test_a_shared_copy_has_its_models_component_and_parameters():
    proposal = checked("""diagram D {
  in prompt : Prompt
  out a : Response
  out b : Response
  one = Policy with provenance = "gpt-4"
  two = shared one
  prompt -> one.prompt, two.prompt
  one.response -> a
  two.response -> b
}
""")
    two = {i.name: i for i in proposal.diagrams["D"].instances}["two"]
    assert (two.of, two.shares) == ("Policy", "one")
    assert two.attributes.learned and two.attributes.provenance == "gpt-4"


def test_as_gives_another_interface_with_the_models_trust_and_learning():
    proposal = checked(SELF_MONITOR)
    mon = {i.name: i for i in proposal.diagrams["D"].instances}["mon"]
    assert (mon.of, mon.shares, mon.attributes.kind) == ("Monitor", "pi", "monitor")
    # Monitor is declared trusted and not learned; the parameters are pi's
    assert mon.attributes.trust == "untrusted" and mon.attributes.learned


def test_copies_may_precede_their_model_and_chain():
    proposal = checked("""diagram D {
  in prompt : Prompt
  out a : Response
  c = shared b
  b = shared one
  one = Policy
  prompt -> one.prompt, b.prompt, c.prompt
  c.response -> a
}
""")
    instances = {i.name: i for i in proposal.diagrams["D"].instances}
    assert [instances[n].shares for n in ("c", "b", "one")] == ["b", "one", None]
    assert list(instances) == ["c", "b", "one"]      # declaration order kept


def test_the_json_export_keeps_shares_and_loads_back():
    proposal = checked(SELF_MONITOR)
    text = proposal.model_dump_json()
    assert json.loads(text)["diagrams"]
    again = wiring.load_json(text)
    assert {i.name: i.shares for i in again.diagrams["D"].instances}["mon"] == "pi"


def test_a_json_share_of_an_unknown_instance_is_reported():
    data = json.loads(checked(SELF_MONITOR).model_dump_json())
    for instance in data["diagrams"]["D"]["instances"]:
        if instance["name"] == "mon":
            instance["shares"] = "nobody"
    assert [d.code for d in wiring.check_json(json.dumps(data)).diagnostics] == ["E0104"]


def test_shared_names_an_instance_not_a_component():
    result = wiring.check_text(TYPES + """diagram D {
  in prompt : Prompt
  out a : Response
  two = shared Policy
  prompt -> two.prompt
  two.response -> a
}
""", "p.wd")
    [error] = result.diagnostics
    assert error.code == "E0104" and "`two = Policy`" in error.help


def test_a_diagram_has_no_parameters_to_share():
    result = wiring.check_text(CODES["E0126"].example, "p.wd")
    assert [d.code for d in result.diagnostics] == ["E0126"]     # and nothing after it


@pytest.mark.parametrize("copies, message", [
    ("one = shared two\n  two = shared one", "shared copies go round in a circle: `one` -> `two` -> `one`"),
    ("one = shared one\n  two = Policy", "`one` shares its own parameters"),
])
def test_a_circle_of_copies_is_one_error_without_cascades(copies, message):
    result = wiring.check_text(TYPES + f"""diagram D {{
  in prompt : Prompt
  out a : Response
  out b : Response
  {copies}
  prompt -> one.prompt, two.prompt
  one.response -> a
  two.response -> b
}}
""", "p.wd")
    assert [(d.code, d.message) for d in result.diagnostics] == [("E0127", message)]


def test_with_cannot_change_what_belongs_to_the_parameters():
    result = wiring.check_text(TYPES + SELF_MONITOR.replace(
        "shared pi as Monitor", 'shared pi as Monitor with trusted, provenance = "x"'), "p.wd")
    assert [d.code for d in result.diagnostics] == ["E0128", "E0128"]
    assert "`pi` is declared here" in result.report()


SNAPSHOT_COPY = """diagram D {
  in prompt : Prompt
  out a : Response
  pi = Policy
  ref = frozen pi
  copy = shared ref
  rm = Monitor
  prompt -> pi.prompt, ref.prompt, copy.prompt
  copy.response -> rm.response
  pi.response -> a
  train copy by rl maximising rm.suspicion
}
"""


def test_a_shared_copy_of_a_snapshot_is_frozen():
    assert "`copy` is a shared copy of the frozen `ref`; it cannot be trained" in \
        wiring.check_text(TYPES + SNAPSHOT_COPY, "p.wd").report()
    assert "E0301" in codes(SNAPSHOT_COPY)


# ------------------------------------------------------------------------------ the analyses

def test_a_monitor_that_is_the_model_it_watches_colludes_for_certain():
    found = findings(SELF_MONITOR)
    [finding] = found["S0304"]
    assert "`mon` watches `pi` and shares its parameters" in finding.message
    assert "S0301" not in found                   # not also the shared-provenance maybe


def test_no_sanitizer_clears_a_monitor_that_shares_weights():
    body = SELF_MONITOR.replace("mon = shared pi as Monitor;",
                                "mon = shared pi as Monitor; para = Paraphraser;")
    body = body.replace("pi.response -> mon.response, world.response",
                        "pi.response -> para.response, world.response\n"
                        "  para.redacted -> mon.response")
    assert "S0304" in findings(body)


def test_a_shared_monitor_watching_another_model_is_not_reported():
    body = SELF_MONITOR.replace("src = Source;", "src = Source; other = Policy;")
    body = body.replace("src.prompt -> pi.prompt", "src.prompt -> pi.prompt, other.prompt")
    body = body.replace("pi.response -> mon.response, world.response",
                        "pi.response -> world.response\n  other.response -> mon.response")
    assert "S0304" not in findings(body)


SELF_PLAY = """component Judge : judge, human {
  in  a : Response
  in  b : Response
  out verdict : Real in [-1, 1]
}
diagram D {
  src = Source; a = Policy; b = shared a; judge = Judge
  src.prompt -> a.prompt, b.prompt
  a.response -> judge.a
  b.response -> judge.b
  train a by rl maximising judge.verdict
  train b by rl maximising -judge.verdict
}
"""


def test_self_play_is_one_agent_acting_at_both_seats():
    analysis = analyse(checked(SELF_PLAY))
    [agent] = analysis.incentives
    assert (agent.decision, agent.boxes) == ("a", ["a", "b"])
    assert not agent.strategic           # b is not another agent


def test_self_play_report_says_where_the_agent_acts(tmp_path, capsys):
    path = tmp_path / "p.wd"
    path.write_text(TYPES + SELF_PLAY)
    assert main(["analyze", str(path)]) == 0
    assert "decision `a`, also acting as `b` (shared parameters):" in capsys.readouterr().out
    assert main(["analyze", str(path), "--format", "json"]) == 0
    [report] = json.loads(capsys.readouterr().out)
    [decision] = report["diagrams"][0]["decisions"]
    assert (decision["decision"], decision["boxes"]) == ("a", ["a", "b"])


RM = """component Labeler : human {
  in  response : Response
  out label    : Score
}
component RewardModel : evaluator, learned, untrusted {
  in  response : Response
  out score    : Score
}
diagram D {
  src = Source; pi = Policy; rater = Labeler
  rm = RewardModel
  scorer = {scorer}
  src.prompt -> pi.prompt
  pi.response -> rater.response, rm.response, scorer.response
  train rm by supervised minimising mse(rm.score, rater.label)
  train pi by rl maximising scorer.score
}
"""


def test_training_one_copy_moves_the_parameters_the_other_uses():
    # the policy's reward comes from `scorer`; training `rm` on the policy's outputs moves
    # the scorer's parameters only when they are rm's
    shared = analyse(checked(RM.replace("{scorer}", "shared rm")))
    apart = analyse(checked(RM.replace("{scorer}", "RewardModel")))
    [incentives] = shared.incentives
    assert incentives.has("ici_control", "Θ:rm")
    assert not any(i.has("ici_control", "Θ:rm") for i in apart.incentives)


IMITATION = """component Human : human, stateful {
  in  question : Prompt
  in  subanswer : Response
  out subquestion : Prompt
  out answer : Response
}
diagram D {
  src = Source; h = Human; x = Policy
  helper = {helper}
  src.prompt -> h.question, x.prompt
  h.subquestion -> helper.prompt
  helper.response -> h.subanswer
  train x by supervised maximising match(x.response, h.answer)
}
"""


def test_a_label_computed_by_a_shared_copy_of_the_trained_model_is_its_own():
    def s0402(helper):
        return [f for f in findings(IMITATION.replace("{helper}", helper)).get("S0402", [])
                if "imitation target" in f.message]
    assert s0402("shared x")          # amplification by the live model steers its own label
    assert not s0402("frozen x")      # by the previous iterate (IDA's snapshot) it does not


# ------------------------------------------------------------------------------ the drawing

def test_the_drawing_says_whose_parameters_a_copy_uses():
    from wiring.render import to_dot

    proposal = checked(SELF_MONITOR)
    assert "same parameters as pi" in to_dot(proposal)
    assert "mon (= pi)" in to_dot(proposal, style="paper")


def test_an_incentive_assertion_may_name_a_shared_copy():
    body = SELF_PLAY.replace("  train b by rl", "  assert no control incentive b on judge\n  train b by rl")
    [result] = analyse(checked(body)).assertions
    assert not result.holds and "`b` has an instrumental control incentive on `judge`" in result.message


def test_a_shared_copy_is_of_its_models_family_in_the_bounds():
    # two monitors in a row, both copies of one model without a declared provenance: their
    # misses are one, not independent (effective depth 1)
    proposal = checked("""component Gate : filter, untrusted {
  in  response : Response
  out passed   : Response
}
diagram D {
  modes serve : deployment
  src = Source; pi = Policy; g1 = shared pi as Gate; g2 = shared pi as Gate; world = World
  src.prompt -> pi.prompt
  pi.response -> g1.response
  g1.passed -> g2.response
  g2.passed -> world.response
}
""")
    system = analyse(proposal).system
    assert system.boxes["g1"].provenance == system.boxes["g2"].provenance == \
        system.boxes["pi"].provenance == "component:Policy"


def test_copies_of_a_broken_instance_stay_silent():
    result = wiring.check_text(TYPES + """diagram D {
  in prompt : Prompt
  out a : Response
  one = shared two
  two = shared one
  snap = frozen one
  bad = Nope
  copy = shared bad
  prompt -> snap.prompt
  snap.response -> a
}
""", "p.wd")
    assert [d.code for d in result.diagnostics] == ["E0127", "E0103"]


def test_a_long_circle_is_one_short_error():
    n = 2000
    copies = [f"  v{i} = shared v{(i + 1) % n}" for i in range(n)]
    result = wiring.check_text(TYPES + "diagram D {\n  in prompt : Prompt\n" + "\n".join(copies)
                               + "\n  prompt -> v0.prompt\n}\n", "p.wd")
    [error] = [d for d in result.diagnostics if d.code == "E0127"]
    assert f"({n} copies)" in error.message and len(error.related) == 4
