"""Every top diagram of a file is analysed (issue 10, item 1): findings, assertions and summary
lines are labelled with their diagram, and `allow`/`assert` follow the scope rule of
docs/language.md. Through the CLI and the API."""

import json
import re

import pytest

import wiring
from wiring.analysis import analyse, analyse_all
from wiring.cli import main

COMPONENTS = """\
type Prompt
type Response
component Source : source, trusted {
  out prompt : Prompt
}
component Policy : policy, learned, untrusted {
  in  prompt   : Prompt
  out response : Response
}
component Filter : filter, trusted {
  in  response : Response
  out passed   : Response
}
component World : sink {
  in response : Response
}
"""

# `Leaky` wires the untrusted policy straight to the world; `Gated` puts a filter between.
# Neither uses the other, so both are top diagrams; `Leaky` comes first.
TWO = COMPONENTS + """
diagram Leaky {
  src = Source; pi = Policy; world = World
  src.prompt -> pi.prompt
  pi.response -> world.response
  assert gated(pi)
  assert no path world -> src
}

diagram Gated {
  src = Source; pi = Policy; gate = Filter; out_world = World
  src.prompt -> pi.prompt
  pi.response -> gate.response
  gate.passed -> out_world.response
  assert gated(pi)
}

assert trusted(out_world.response)
allow S0201 on world because "a sandbox, not the world"
allow S0101 because "no proxy anywhere: stale in every diagram"
"""


def line_of(text: str, statement: str) -> int:
    (number,) = [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == statement]
    return number


TRUSTED_LINE = line_of(TWO, "assert trusted(out_world.response)")
ALLOW_LINE = line_of(TWO, 'allow S0201 on world because "a sandbox, not the world"')


@pytest.fixture
def two(tmp_path):
    path = tmp_path / "two.wd"
    path.write_text(TWO)
    return path


def test_lint_analyses_every_top_diagram_and_labels_each_line(two, capsys):
    # On main before the fix, only `Gated` (the last) was analysed: "0 errors, 0 warnings".
    TWO_UNACKED = TWO.replace('allow S0201 on world because "a sandbox, not the world"\n', "")
    two.write_text(TWO_UNACKED)
    assert main(["lint", "--color", "never", str(two)]) == 1
    out = capsys.readouterr().out
    assert "error[S0201]: untrusted `pi` reaches `world` with no trusted gate" in out
    assert f"--> {two}:" in out and "(in diagram `Leaky`)" in out
    summaries = [line for line in out.splitlines() if line.startswith(str(two))]
    assert summaries == [
        f"{two}, diagram `Leaky`: 2 errors, 0 warnings, 0 acknowledged; 1 of 2 assertions hold",
        f"{two}, diagram `Gated`: 0 errors, 0 warnings, 0 acknowledged; 2 of 2 assertions hold",
        f"{two}: 2 diagrams analysed (`Leaky`, `Gated`): 2 errors, 1 warning, 0 acknowledged; "
        "3 of 4 assertions hold",
    ]
    # the file-level `assert trusted(out_world.response)` names a box only `Gated` has
    assert "note in `Leaky`: not applicable (they name boxes this diagram does not have): " \
        f"`assert trusted(out_world.response)` (line {TRUSTED_LINE})" in out
    assert "assert trusted(out_world.response): holds in `Gated`" in out


def test_lint_json_labels_every_finding_and_counts_assertions_per_diagram(two, capsys):
    assert main(["lint", "--format", "json", str(two)]) == 1
    (report,) = json.loads(capsys.readouterr().out)
    assert [d["diagram"] for d in report["diagrams"]] == ["Leaky", "Gated"]
    leaky, gated = report["diagrams"]
    assert [len(leaky["assertions"]), len(gated["assertions"])] == [2, 2]
    assert leaky["not_applicable"] == [f"`assert trusted(out_world.response)` (line {TRUSTED_LINE})"]
    assert gated["not_applicable"] == [f"`allow S0201 on world` (line {ALLOW_LINE})"]
    by_code = {(f["code"], f["diagram"]) for f in report["findings"]}
    assert ("S0201", "Leaky") in by_code and ("S0701", "Leaky") in by_code
    # the acknowledged S0201 is Leaky's; the stale file-level allow is one finding of the file
    assert [f["acknowledged"] is not None for f in report["findings"] if f["code"] == "S0201"] \
        == [True]
    stale = [f for f in report["findings"] if f["code"] == "W0124"]
    assert len(stale) == 1 and stale[0]["diagram"] is None
    assert "any of `Leaky`, `Gated`" in stale[0]["message"]


def test_repeated_diagram_option_chooses_and_orders(two, capsys):
    assert main(["lint", "--format", "json", "--diagram", "Gated", "--diagram", "Leaky",
                 "--diagram", "Gated", str(two)]) == 1
    (report,) = json.loads(capsys.readouterr().out)
    assert [d["diagram"] for d in report["diagrams"]] == ["Gated", "Leaky"]
    assert main(["lint", "--format", "json", "--diagram", "Gated", str(two)]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    assert [d["diagram"] for d in report["diagrams"]] == ["Gated"]
    # the unanalysed `Leaky` may have the finding the file-level allow is for: not called stale
    assert not [f for f in report["findings"] if f["code"] == "W0124"]
    assert main(["lint", "--diagram", "Nope", str(two)]) == 2
    assert f"no diagram `Nope` in {two}; its diagrams: `Leaky`, `Gated`" in capsys.readouterr().err


def test_analyze_reports_every_top_diagram(two, capsys):
    assert main(["analyze", str(two)]) == 0
    out = capsys.readouterr().out
    assert "incentive report for `Leaky`" in out and "incentive report for `Gated`" in out
    assert main(["analyze", "--format", "json", str(two)]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    assert [d["diagram"] for d in report["diagrams"]] == ["Leaky", "Gated"]


NESTED = COMPONENTS + """
diagram Inner {
  in  prompt : Prompt
  out response : Response
  pi = Policy
  prompt -> pi.prompt
  pi.response -> response
  assert no path pi -> response
  assert gated(pi)
  allow S0201 on pi because "INNER_REASON"
}
diagram Outer {
  src = Source; inner = Inner; world = World
  src.prompt -> inner.prompt
  inner.response -> world.response
}
"""


def test_statements_of_a_nested_diagram_are_judged_where_it_is_used(tmp_path, capsys):
    path = tmp_path / "nested.wd"
    path.write_text(NESTED)
    assert main(["lint", "--color", "never", str(path)]) == 1
    out = capsys.readouterr().out
    # `gated(pi)` is judged in `Outer`, as `gated(inner.pi)`, where `inner.pi` reaches the world
    assert "error[S0701]: assertion fails: gated(pi) (in `inner`)" in out
    assert "witness: inner.pi -> world" in out
    # the `allow` inside `Inner` acknowledges the finding about its `pi`, used as `inner.pi`
    assert "error[S0201] (acknowledged): untrusted `inner.pi` reaches `world`" in out
    # `response` is an outer port of `Inner`, no box of `Outer`: said, with how to judge it
    line = line_of(NESTED, "assert no path pi -> response")
    assert f"note: `assert no path pi -> response` (line {line}) in diagram `Inner` was not " \
        "judged: it names a port of `Inner` that is no box of `Outer`, where it is used; " \
        "`--diagram Inner` analyses it on its own" in out
    assert main(["lint", "--color", "never", "--diagram", "Inner", str(path)]) == 1
    assert "assertion fails: no path pi -> response" in capsys.readouterr().out


def test_an_allow_in_a_nested_diagram_that_acknowledges_nothing_is_stale_once(tmp_path):
    text = NESTED.replace("allow S0201 on pi", "allow S0101 on pi")
    report = analyse_all(wiring.loads(text), ["Outer"])
    assert [(f.code, f.diagram) for f in report.findings] == [("W0124", None)]
    assert "`allow S0101 on pi` acknowledges no finding of `Outer`" in report.findings[0].message


def test_the_api_analyses_every_diagram_and_refuses_to_guess():
    proposal = wiring.loads(TWO)
    with pytest.raises(ValueError, match=r"2 top diagrams \(Leaky, Gated\): name one"):
        analyse(proposal)
    report = analyse_all(proposal)
    assert [a.diagram for a in report.analyses] == ["Leaky", "Gated"]
    assert report.failed
    assert [{f.diagram for f in a.findings} for a in report.analyses] == [{"Leaky"}, set()]
    assert [f.diagram for f in report.findings] == [None]   # the stale file-level allow
    assert analyse(proposal, "Gated").diagram == "Gated"
    with pytest.raises(ValueError, match="no diagram `Nope`"):
        analyse_all(proposal, ["Nope"])


def test_render_says_which_of_several_top_diagrams_it_draws(two, tmp_path, capsys):
    out = tmp_path / "two.dot"
    assert main(["render", str(two), "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert "has 2 top diagrams; drawing `Gated` (`--diagram Leaky` draws another)" in captured.err
    assert re.search(r"^wrote .*two\.dot$", captured.out, re.M)


def test_the_file_total_counts_each_assertion_once(tmp_path, capsys):
    # one file-level assertion judged in both diagrams is one assertion in the total
    both = COMPONENTS + """
diagram A {
  src = Source; pi = Policy; gate = Filter; world = World
  src.prompt -> pi.prompt
  pi.response -> gate.response
  gate.passed -> world.response
}
diagram B {
  src = Source; pi = Policy; world = World
  src.prompt -> pi.prompt
  pi.response -> world.response
}
assert gated(pi)
"""
    path = tmp_path / "both.wd"
    path.write_text(both)
    assert main(["lint", "--color", "never", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].endswith("; 0 of 1 assertions hold")
    assert f"{path}, diagram `A`: 0 errors, 0 warnings, 0 acknowledged; 1 of 1 assertions hold" \
        in lines


def test_json_output_stays_json_when_a_file_does_not_check(two, tmp_path, capsys):
    bad = tmp_path / "bad.wd"
    bad.write_text("component {\n")
    assert main(["lint", "--format", "json", str(bad), str(two)]) == 1
    captured = capsys.readouterr()
    entries = json.loads(captured.out)
    assert [(e["file"], e["ok"]) for e in entries] == [(str(bad), False), (str(two), True)]
    assert entries[0]["diagnostics"] and entries[0]["diagrams"] == []
    assert f"{bad}: failed" in captured.err
    assert main(["analyze", "--format", "json", str(bad), str(two)]) == 1
    entries = json.loads(capsys.readouterr().out)
    assert [e["ok"] for e in entries] == [False, True]


def test_diff_asks_which_of_several_top_diagrams(two, capsys):
    assert main(["diff", str(two), str(two)]) == 2
    assert "has 2 top diagrams (Leaky, Gated): name the one to compare with --diagram" \
        in capsys.readouterr().err
    assert main(["diff", "--diagram", "Gated", str(two), str(two)]) == 0


def test_a_syntax_error_does_not_cascade_into_unresolved_names(tmp_path):
    # Both top diagrams have a syntax error and are dropped: `Inner`, used by `Outer`, must
    # not be taken for a top diagram whose boxes the file-level assertion then misses.
    text = NESTED.replace("src.prompt -> inner.prompt", "src.prompt => inner.prompt") \
        + "assert gated(inner.pi)\n"
    result = wiring.check_text(text, "broken.wd")
    assert [d.code for d in result.diagnostics if d.severity == "error"] == ["E0001"]
