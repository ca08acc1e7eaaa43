"""Several kinds for one box (issue 14, item 4): `component Assistant : policy, critic` is a
policy and a critic, and every analysis treats it as each; the drawing shows them all."""

from __future__ import annotations

import json

import wiring
from wiring.analysis import analyse
from wiring.render import to_dot
from wiring.render.paper import fill_of
from wiring.render.style import FAMILY

TYPES = """type Prompt
type Response
component Source : source, trusted {
  out prompt : Prompt
}
component Policy : policy, learned, untrusted, provenance = "lab" {
  in  prompt   : Prompt
  out response : Response
}
component World : sink {
  in response : Response
}
"""

# An assistant of the policy's family that also critiques its output (recursive reward
# modelling's assistants): as a critic it may collude with the policy it judges.
ASSISTED = TYPES + """component Assistant : {kinds}, untrusted, provenance = "lab" {
  in  response : Response
  out critique : Response
}
diagram D {
  modes serve : deployment
  src = Source; pi = Policy; helper = Assistant; world = World
  src.prompt -> pi.prompt
  pi.response -> helper.response
  helper.critique -> world.response
}
"""


def checked(text: str):
    result = wiring.check_text(text, "p.wd")
    assert result.ok, result.report()
    return result.proposal


def findings(text: str) -> list[tuple[str, str]]:
    return [(e.code, e.message) for f in analyse(checked(text)).findings for e in (f, *f.also)]


def test_a_component_keeps_every_kind_it_names():
    proposal = checked(ASSISTED.replace("{kinds}", "policy, critic"))
    attributes = proposal.components["Assistant"].attributes
    assert (attributes.kind, attributes.also) == ("policy", ["critic"])
    data = json.loads(proposal.model_dump_json())
    assert data["components"]["Assistant"]["attributes"]["also"] == ["critic"]


def test_an_instance_may_name_its_kinds_instead():
    proposal = checked(ASSISTED.replace("{kinds}", "policy").replace(
        "helper = Assistant", "helper = Assistant with critic, policy"))
    helper = {i.name: i for i in proposal.diagrams["D"].instances}["helper"]
    assert (helper.attributes.kind, helper.attributes.also) == ("critic", ["policy"])


def test_a_kind_named_twice_is_given_twice():
    result = wiring.check_text(ASSISTED.replace("{kinds}", "policy, critic, policy"), "p.wd")
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("E0114", "`policy` is given twice")]


def test_an_unknown_second_kind_is_reported_from_json():
    data = json.loads(checked(ASSISTED.replace("{kinds}", "policy, critic")).model_dump_json())
    data["components"]["Assistant"]["attributes"]["also"] = ["critik"]
    assert [d.code for d in wiring.check_json(json.dumps(data)).diagnostics] == ["E0102"]


def test_every_analysis_reads_each_kind():
    # as a critic of the policy's family it may collude with it (S0301); as a policy its
    # own untrusted output reaches the world (S0201); with one kind, only one of the two holds
    collusion = ("S0301", "`helper` watches `pi`, which shares its provenance `lab`, over an "
                          "unsanitised channel, with no honeypot validation")
    ungated = ("S0201", "untrusted `helper` reaches `world` with no trusted gate")
    assert {collusion, ungated} <= set(findings(ASSISTED.replace("{kinds}", "policy, critic")))
    assert collusion not in findings(ASSISTED.replace("{kinds}", "policy"))
    assert ungated not in findings(ASSISTED.replace("{kinds}", "critic"))


def test_the_drawing_shows_every_kind():
    proposal = checked(ASSISTED.replace("{kinds}", "policy, reward_model"))
    assert "&#171;policy, reward_model&#187;" in to_dot(proposal)      # «policy, reward_model»
    paper = to_dot(proposal, style="paper")
    reward_fill = fill_of(FAMILY["evaluator"])
    assert f'BGCOLOR="{reward_fill}"></TD>' in paper       # the band of its second kind
    assert "reward model" in paper                          # and its entry in the key


def test_an_attribute_written_before_the_kind_says_the_kind_comes_first():
    result = wiring.check_text(ASSISTED.replace("{kinds}", "learned, critic"), "p.wd")
    [error] = result.diagnostics
    assert (error.code, error.message) == ("E0102", "the first attribute names the kind")
    assert error.help == "the kind comes first, then the attributes: `: critic, learned`"
