"""Findings read right (issue 10, items 8 and 9).

Every witness of every finding is a real directed path of the analysed diagram, printed in its
direction (or, separated by `;`, several such paths from a shared ancestor): checked on every
example, every code's example, and on proposals generated at random. And one root cause is one
finding: the loop findings S0501, S0403, S0402 and S0401 about the same loop are reported once,
the others attached as notes (JSON keeps every code).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wiring
from wiring.analysis import analyse
from wiring.analysis.incentives import unroll
from wiring.cli import main
from wiring.codes import CODES
from wiring.witness import BREAK, OBSERVED, Box, Node, Port, Signal, Trains, texts

from conftest import EXAMPLES, ROOT

INCENTIVE_EXAMPLES = sorted((ROOT / "examples" / "incentives").glob("*.wd"))


# ------------------------------------------------------------------------ the path property

def _entries(finding):
    yield finding
    yield from getattr(finding, "also", [])


def paths(witness) -> list[tuple]:
    """The paths of a witness, as the output separates them (`;`)."""
    found: list[list] = [[]]
    for step in witness:
        if str(step) == ";":
            found.append([])
        else:
            found[-1].append(step)
    return [tuple(path) for path in found]


def _step_problem(analysis, cid, a, b) -> str | None:
    """Why `a -> b` is no step of a real path of the analysed diagram, or None."""
    system = analysis.system
    pressures = system.pressures
    if isinstance(a, (Box, Port)) and isinstance(b, (Box, Port)):
        return None if system.graph.has_edge(a.path, b.path) else "no wire"
    if isinstance(a, (Box, Port)) and isinstance(b, (Signal, Trains)):
        return None if a.path in pressures[b.training].sources else "the signal does not read it"
    if isinstance(a, Signal) and isinstance(b, (Box, Port)):
        return None if b.path == pressures[a.training].target else "not what the signal trains"
    if isinstance(a, Trains) and isinstance(b, (Box, Port)):
        return None if b == a.target else "not the box it trains"
    if isinstance(a, Node) and isinstance(b, Node):
        return None if cid.graph.has_edge(a, b) else "no edge of the unrolled diagram"
    return "steps of different kinds"


def witness_problems(analysis) -> list[str]:
    """Every step of a witness that is no step of a real directed path, as readable text."""
    cid = unroll(analysis.system, analysis.steps)
    problems = []
    for finding in analysis.findings:
        for entry in _entries(finding):
            witness = entry.witness
            where = f"{entry.code} `{entry.message}`: {texts(witness)}"
            if BREAK in witness:
                problems.append(f"{where}: breaks off")
            for path in paths(witness):
                if not path:
                    problems.append(f"{where}: an empty path")
                # Value of information (`assert no information incentive`) shows what the
                # decision would observe: `X@0 -> (observed) -> D@0`, marked as no path.
                if len(path) == 3 and path[1] == OBSERVED and path[2].role == "decision":
                    continue
                for a, b in zip(path, path[1:]):
                    problem = _step_problem(analysis, cid, a, b)
                    if problem:
                        problems.append(f"{where}: `{a} -> {b}`: {problem}")
    return problems


def _code_examples():
    for code, entry in sorted(CODES.items()):
        for variant, text in (("example", entry.example), ("clean", entry.clean)):
            if code.startswith("S") and text is not None:
                yield pytest.param(text, id=f"{code}-{variant}")


@pytest.mark.parametrize("text", list(_code_examples()))
def test_every_witness_of_a_code_example_is_a_real_path(text):
    assert witness_problems(analyse(wiring.loads(text))) == []


@pytest.mark.parametrize("path", EXAMPLES + INCENTIVE_EXAMPLES, ids=lambda p: p.name)
def test_every_witness_of_an_example_is_a_real_path(path):
    from wiring.analysis import analyse_all

    for analysis in analyse_all(wiring.load(path)).analyses:
        assert witness_problems(analysis) == [], analysis.diagram


# Random proposals: boxes of every kind the analyses look at, with random attributes, wires and
# training statements, sometimes in two modes. Every port carries a score, so any wire and any
# signal type-checks; wires run forward in declaration order, and back only into a stateful box
# or delayed, so that no algebraic loop is made.
KINDS = ["policy", "policy", "policy", "reward_model", "reward_model", "judge", "monitor",
         "filter", "rater", "human", "dataset", "environment", "sink", "sensor", "simulator",
         "auditor", "shutdown", "timeout", "sanitizer", "verifier", "honeypot", "source"]
TRUST = ["", ", trusted", ", untrusted", ", untrusted", ", human"]
WHEN = ["", "", "", " when train", " when deploy"]


@st.composite
def proposals(draw) -> str:
    count = draw(st.integers(3, 8))
    modes = draw(st.booleans())
    when = (lambda: draw(st.sampled_from(WHEN))) if modes else (lambda: "")
    boxes = [(draw(st.sampled_from(KINDS)), draw(st.sampled_from(TRUST)),
              draw(st.sampled_from([True, True, False])), draw(st.booleans()),
              draw(st.sampled_from([False, False, False, True])),
              draw(st.sampled_from(["", ', provenance = "p"']))) for _ in range(count)]
    lines = ["type S = Real in [0, 1]"]
    for i, (kind, trust, learned, stateful, heldout, provenance) in enumerate(boxes):
        attrs = (kind + trust + (", learned" if learned else "") + (", stateful" if stateful else "")
                 + (", heldout" if heldout else "") + provenance)
        lines += [f"component C{i} : {attrs} {{", "  in  a : S = 0", "  in  b : S = 0",
                  "  out o : S", "}"]
    lines += ["diagram D {"] + (["  modes train, deploy"] if modes else [])
    # some boxes use an earlier box's parameters through their own interface (shared weights)
    shares = [None] + [draw(st.sampled_from([None, None, None, *range(i)]))
                       for i in range(1, count)]
    lines += ["  " + "; ".join(f"x{i} = C{i}" if shares[i] is None else
                               f"x{i} = shared x{shares[i]} as C{i}" for i in range(count))]
    for i in range(count):   # a copy learns if its model does
        if shares[i] is not None:
            boxes[i] = (boxes[i][0], boxes[i][1], boxes[shares[i]][2], *boxes[i][3:])
    for target in range(1, count):
        for port in "ab":
            source = draw(st.integers(-1, count - 1))
            if source < 0 or source == target:
                continue
            delay = " delayed" if source > target and not boxes[target][3] else ""
            lines.append(f"  x{source}.o -> x{target}.{port}{delay}{when()}")
    learned = [i for i, box in enumerate(boxes) if box[2]]
    for _ in range(draw(st.integers(0, 3)) if learned else 0):
        target = draw(st.sampled_from(learned))
        reads = draw(st.lists(st.integers(0, count - 1), min_size=1, max_size=2, unique=True))
        optimiser = draw(st.sampled_from(["ppo", "sgd", "rl", "best_of(4)"]))
        signal = " + ".join(f"x{r}.o" for r in reads)
        lines.append(f"  train x{target} by {optimiser} maximising {signal}{when()}")
    return "\n".join(lines + ["}", ""])


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(proposals())
def test_every_witness_of_a_generated_proposal_is_a_real_path(text):
    result = wiring.check_text(text, "generated.wd")
    if not result.ok:
        return
    from wiring.analysis import analyse_all

    for analysis in analyse_all(result.proposal).analyses:
        assert witness_problems(analysis) == [], text


# ------------------------------------------------------------------------------ S0103 witness

METRIC_READS_PROXY = """\
type Prompt
type Response
type Score = Real in [0, 1]
component Source : source, trusted {
  out prompt : Prompt
}
component Policy : policy, learned, untrusted {
  in  prompt   : Prompt
  out response : Response
}
component Labels : dataset, trusted {
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
component Metric : evaluator, trusted {
  in  predicted : Score
  in  gold      : Score
  out agreement : Score
}
diagram D {
  out agreement : Score
  src = Source; pi = Policy; labels = Labels; gold = Gold; proxy = Proxy; metric = Metric
  src.prompt -> pi.prompt
  labels.label -> gold.label, proxy.label
  pi.response -> gold.response, proxy.response
  proxy.score -> metric.predicted
  gold.score -> metric.gold
  metric.agreement -> agreement
  train pi by best_of(16) maximising proxy.score
}
"""


def _lint(tmp_path, capsys, text: str, *args: str):
    path = tmp_path / "proposal.wd"
    path.write_text(text)
    code = main(["lint", *args, str(path)])
    return code, capsys.readouterr().out


def test_s0103_prints_a_path_from_the_shared_ancestor_to_each_box(tmp_path, capsys):
    _, out = _lint(tmp_path, capsys, METRIC_READS_PROXY, "--format", "json")
    (report,) = json.loads(out)
    (finding,) = [f for f in report["findings"] if f["code"] == "S0103"]
    assert finding["witness"] == ["labels", "gold", ";", "labels", "proxy"]
    _, text = _lint(tmp_path, capsys, METRIC_READS_PROXY)
    assert "witness: labels -> gold; labels -> proxy\n" in text
    assert witness_problems(analyse(wiring.loads(METRIC_READS_PROXY))) == []


def test_s0103_with_shared_provenance_alone_prints_the_two_boxes_as_two_paths(tmp_path, capsys):
    text = METRIC_READS_PROXY.replace("labels.label -> gold.label, proxy.label\n",
                                      "labels.label -> proxy.label\n  labels.label -> gold.label\n")
    text = text.replace("heldout {", 'heldout, provenance = "rm-v1" {').replace(
        "Proxy : reward_model, learned, untrusted {",
        'Proxy : reward_model, learned, untrusted, provenance = "rm-v1" {').replace(
        "labels.label -> gold.label\n", "")
    text = text.replace("  in  label    : Score\n  out score    : Score\n}\ncomponent Proxy",
                        "  out score    : Score\n}\ncomponent Proxy", 1)
    _, out = _lint(tmp_path, capsys, text, "--format", "json")
    (finding,) = [f for f in json.loads(out)[0]["findings"] if f["code"] == "S0103"]
    assert "provenance `rm-v1`" in finding["message"]
    assert finding["witness"] == ["gold", ";", "proxy"]


# ------------------------------------------------------------------ one root cause, one finding

LOOP = CODES["S0403"].example   # pi -> user (stateful) -> pi's signal: S0501, S0403 and S0401
LOOP_CODES = ("S0501", "S0403", "S0402", "S0401")


def _loop_findings(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["code"] in LOOP_CODES]


def test_one_loop_is_one_finding_with_the_others_as_a_note(tmp_path, capsys):
    code, text = _lint(tmp_path, capsys, LOOP)
    assert code == 0
    assert [line.split(":")[0] for line in text.splitlines()
            if line.startswith(("warning[", "error["))] == ["warning[S0501]"]
    assert ("note: also S0403 (world-closing training loop: `pi` changes `user`, whose state "
            "feeds `pi`'s training) and S0401 (`pi` is trained on the judgement of `user`, who "
            "reads its output) for the same loop\n") in text
    assert text.rstrip().endswith("0 errors, 1 warning, 0 acknowledged")
    _, out = _lint(tmp_path, capsys, LOOP, "--format", "json")
    (finding,) = _loop_findings(json.loads(out)[0])
    assert finding["code"] == "S0501"
    assert [(a["code"], a["acknowledged"]) for a in finding["also"]] == \
        [("S0403", None), ("S0401", None)]
    assert finding["also"][0]["witness"] == ["pi", "user", "[rl: maximise user.clicks]"]


def _judged_by_a_chain(judges: int) -> str:
    """A policy whose output passes through a chain of trusted judges, the last one's score
    its signal: every judge reads its output and decides its reward, one loop."""
    lines = ["type T", "component Data : dataset, trusted {\n  out x : T\n}",
             "component Pi : policy, learned, untrusted {\n  in x : T\n  out y : T\n}",
             "component J : judge, trusted {\n  in x : T\n  out y : T\n"
             "  out score : Real in [0, 1]\n}", "diagram Chain {", "  data = Data", "  pi = Pi",
             *(f"  j{i} = J" for i in range(judges)), "  data.x -> pi.x", "  pi.y -> j0.x",
             *(f"  j{i}.y -> j{i + 1}.x" for i in range(judges - 1)),
             f"  train pi by ppo maximising j{judges - 1}.score", "}"]
    return "\n".join(lines) + "\n"


def test_a_loop_with_many_findings_names_a_few_and_counts_the_rest(tmp_path, capsys):
    # At 10,000 components a decomposition tree's policy was judged by 3,333 combiners: the
    # note naming the others was one line of 248,823 characters.
    _, text = _lint(tmp_path, capsys, _judged_by_a_chain(12))
    (note,) = [line for line in text.splitlines() if line.startswith("note: also ")]
    assert note.count("S0401 (") == 5
    assert note.startswith("note: also S0401 (`pi` is trained on the judgement of `j1`, who "
                           "reads its output), ")
    assert note.endswith("`j5`, who reads its output) and 6 more for the same loop (every one "
                         "under `also` in --format json)")
    _, out = _lint(tmp_path, capsys, _judged_by_a_chain(12), "--format", "json")
    (finding,) = _loop_findings(json.loads(out)[0])
    assert [a["message"] for a in finding["also"]] == [
        f"`pi` is trained on the judgement of `j{i}`, who reads its output" for i in range(1, 12)]


def test_render_highlight_finds_a_code_shown_as_a_note(tmp_path, capsys):
    path = tmp_path / "loop.wd"
    path.write_text(LOOP)
    assert main(["render", str(path), "--highlight", "S0403", "-o", str(tmp_path / "x.dot")]) == 0
    captured = capsys.readouterr()
    assert "no S0403 finding" not in captured.err
    dot = (tmp_path / "x.dot").read_text()
    assert "S0403" in dot and "world-closing training loop" in dot


def test_an_allow_of_a_code_shown_as_a_note_acknowledges_it(tmp_path, capsys):
    text = LOOP + 'allow S0401 because "the user\'s clicks are the objective"\n'
    _, out = _lint(tmp_path, capsys, text)
    assert "W0124" not in out
    assert ("and S0401 (`pi` is trained on the judgement of `user`, who reads its output; "
            "acknowledged) for the same loop") in out
    _, out = _lint(tmp_path, capsys, text, "--format", "json")
    report = json.loads(out)[0]
    assert not [f for f in report["findings"] if f["code"] == "W0124"]
    (finding,) = _loop_findings(report)
    assert finding["code"] == "S0501" and finding["acknowledged"] is None
    assert [(a["code"], a["acknowledged"]) for a in finding["also"]] == \
        [("S0403", None), ("S0401", "the user's clicks are the objective")]


def test_a_loop_stands_until_every_code_that_reports_it_is_acknowledged(tmp_path, capsys):
    text = LOOP + 'allow S0501 because "r"\n'
    _, out = _lint(tmp_path, capsys, text, "--format", "json")
    (finding,) = _loop_findings(json.loads(out)[0])
    assert (finding["code"], finding["acknowledged"]) == ("S0403", None)
    assert [(a["code"], a["acknowledged"]) for a in finding["also"]] == \
        [("S0501", "r"), ("S0401", None)]
    everything = text + 'allow S0403 because "r"\nallow S0401 because "r"\n'
    _, out = _lint(tmp_path, capsys, everything)
    assert "W0124" not in out and "warning[S0501] (acknowledged)" in out
    assert out.rstrip().endswith("0 errors, 0 warnings, 1 acknowledged")


def test_judges_read_by_a_signal_through_different_boxes_are_two_causes():
    text = """\
type Prompt
type Response
type Score = Real in [0, 1]
component Source : source, trusted {
  out prompt : Prompt
}
component Policy : policy, learned, untrusted {
  in  prompt   : Prompt
  out response : Response
}
component Judge : judge, trusted {
  in  response : Response
  out score    : Score
}
diagram D {
  out response : Response
  src = Source; pi = Policy; first = Judge; second = Judge
  src.prompt -> pi.prompt
  pi.response -> first.response, second.response, response
  train pi by rl maximising first.score + second.score
}
"""
    found = [f for f in analyse(wiring.loads(text)).findings if f.code in LOOP_CODES]
    assert [(f.code, f.also) for f in found] == [("S0401", []), ("S0401", [])]
