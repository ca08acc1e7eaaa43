"""Dependent ports (issue 14, item 3): `in q : Question; out a : Answer[q]` says the answer
answers that question (Myers' dependent lenses). A wire from `x.a : Answer[x.q]` into
`y.a : Answer[y.q]` is well typed exactly when `x.q` and `y.q` receive the same value."""

from __future__ import annotations

import json

import wiring
from wiring.codes import CODES
from wiring.render import to_dot

from conftest import ROOT

BOXES = """type Question
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
"""


def result(body: str):
    return wiring.check_text(BOXES + body, "p.wd")


def codes(body: str) -> list[str]:
    return [d.code for d in result(body).diagnostics]


ONE_QUESTION = """diagram D {
  out ok : Bool
  a = Asker; s = Solver; c = Checker
  a.question -> s.question, c.question
  s.answer -> c.answer
  c.ok -> ok
}
"""


def test_an_answer_to_the_question_it_is_checked_against_is_well_typed():
    assert codes(ONE_QUESTION) == []


def test_an_answer_to_another_question_names_both_sources():
    body = ONE_QUESTION.replace("a = Asker;", "a = Asker; b = Asker;").replace(
        "a.question -> s.question, c.question",
        "a.question -> s.question\n  b.question -> c.question")
    [error] = result(body).diagnostics
    assert error.code == "E0131"
    assert error.message == ("`s.answer : Answer[question]` answers what `s.question` receives "
                             "(from `a.question`), but `c.answer : Answer[question]` must answer "
                             "what `c.question` receives (from `b.question`)")
    assert "s.answer -> c.answer" in result(body).report()      # the wire where they part


def test_copies_of_one_source_are_one_question():
    body = ONE_QUESTION.replace("a = Asker; s = Solver; c = Checker",
                                "a = Asker; s = Solver; c = Checker; c2 = Checker") \
        .replace("a.question -> s.question, c.question",
                 "a.question -> s.question, c.question, c2.question") \
        .replace("s.answer -> c.answer", "s.answer -> c.answer, c2.answer") \
        .replace("  c.ok -> ok", "  c.ok -> ok\n  c2.ok -> ok2").replace("out ok : Bool",
                                                                      "out ok : Bool\n  out ok2 : Bool")
    assert codes(body) == []


NESTED = """diagram Amplify {
  in  question : Question
  out answer   : Answer[question]
  s = Solver
  question -> s.question
  s.answer -> answer
}
diagram D {
  out ok : Bool
  a = Asker; amp = Amplify; c = Checker
  a.question -> amp.question, c.question
  amp.answer -> c.answer
  c.ok -> ok
}
"""


def test_the_dependency_holds_through_nesting():
    assert codes(NESTED) == []
    assert codes(NESTED.replace("out answer   : Answer[question]",
                                "in other : Question\n  out answer   : Answer[other]")
                 .replace("a.question -> amp.question, c.question",
                          "a.question -> amp.question, amp.other, c.question")) == ["E0131"]


def test_a_dependent_type_inside_is_not_inferred_outside():
    body = NESTED.replace("out answer   : Answer[question]", "out answer")
    assert "E0207" in codes(body)


def test_a_dependency_is_one_step_from_an_independent_input():
    assert [d.code for d in wiring.check_text(CODES["E0132"].example, "p.wd").diagnostics] \
        == ["E0132"]
    text = BOXES.replace("out answer   : Answer[question]", "out answer   : Answer[question + 1]")
    assert [d.code for d in wiring.check_text(text, "p.wd").diagnostics] == ["E0132"]
    text = BOXES.replace("out answer   : Answer[question]", "out answer   : Answer[answer]")
    [error] = wiring.check_text(text, "p.wd").diagnostics
    assert (error.code, error.message) == ("E0132", "`answer` is indexed by `answer`, itself")


def test_the_json_keeps_the_dependency_and_checks_it_on_load():
    proposal = result(ONE_QUESTION).proposal
    data = json.loads(proposal.model_dump_json())
    solver = data["components"]["Solver"]["ports"][1]["type"]
    assert solver["indices"][0] == {"node": "port", "instance": None, "port": "question",
                                    "span": solver["indices"][0]["span"]}
    assert wiring.check_json(json.dumps(data)).ok
    solver["indices"][0]["port"] = "nope"
    assert [d.code for d in wiring.check_json(json.dumps(data)).diagnostics] == ["E0132"]


def test_the_drawing_shows_the_index_with_types():
    dot = to_dot(result(ONE_QUESTION).proposal, show_types=True)
    assert "Answer[question]" in dot


ASKED = """component User : environment {
  out question : Question
  in  answer   : Answer[question]
}
diagram D {
  modes train : training, serve : deployment
  a = Asker when train; u = User when serve; s = Solver; c = Checker when train
  a.question -> s.question, c.question when train
  u.question -> s.question when serve
  s.answer -> c.answer when train
  s.answer -> u.answer delayed when serve
}
"""


def test_an_input_may_depend_on_an_output_and_each_mode_is_judged_alone():
    # the user's answer answers the question the user asked (an output of the same box);
    # the solver's question comes from the asker in `train`, from the user in `serve`
    assert codes(ASKED) == []
    wrong = ASKED.replace("u.question -> s.question when serve", "a2 = Asker when serve\n"
                          "  a2.question -> s.question when serve")
    [error] = result(wrong).diagnostics
    assert error.code == "E0131" and error.message.endswith(
        "must answer `u.question`")


def test_the_amplification_example_is_typed_by_its_questions():
    text = (ROOT / "examples" / "amplification.wd").read_text()
    assert wiring.check_text(text, "amplification.wd").ok
    swapped = text.replace("xk.answer -> combine.answer1", "xk.answer -> combine.answer2") \
        .replace("xk2.answer -> combine.answer2", "xk2.answer -> combine.answer1")
    assert [d.code for d in wiring.check_text(swapped, "amplification.wd").diagnostics] == \
        ["E0131", "E0131"]


def test_amplifying_with_the_live_model_makes_its_own_label():
    from wiring.analysis import analyse

    text = (ROOT / "examples" / "amplification.wd").read_text()
    def found(source):
        analysis = analyse(wiring.check_text(source, "amplification.wd").proposal)
        return {e.code for f in analysis.findings for e in (f, *f.also)}
    assert "S0402" not in found(text)
    assert "S0402" in found(text.replace("xk2       = shared xk", "xk2       = shared x "))


def test_no_dependency_error_after_the_index_input_was_reported():
    unwired = ONE_QUESTION.replace("a.question -> s.question, c.question", "a.question -> s.question")
    assert codes(unwired) == ["E0210"]
    mistyped = ONE_QUESTION.replace("a = Asker; s = Solver; c = Checker",
                                    "a = Asker; s = Solver; s2 = Solver; c = Checker") \
        .replace("a.question -> s.question, c.question",
                 "a.question -> s.question, s2.question\n  s2.answer -> c.question")
    assert codes(mistyped) == ["E0203"]


def test_a_misspelt_index_suggests_the_port():
    text = BOXES.replace("out answer   : Answer[question]", "out answer   : Answer[questoin]")
    [error] = wiring.check_text(text, "p.wd").diagnostics
    assert error.code == "E0106" and error.help == "did you mean `question`, the port?"
