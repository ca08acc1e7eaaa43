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
    assert "has no diagram `Nope`; diagrams: Leaky, Gated" in capsys.readouterr().err


def test_analyze_reports_every_top_diagram(two, capsys):
    assert main(["analyze", str(two)]) == 0
    out = capsys.readouterr().out
    assert "incentive report for `Leaky`" in out and "incentive report for `Gated`" in out
    assert main(["analyze", "--format", "json", str(two)]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    assert [d["diagram"] for d in report["diagrams"]] == ["Leaky", "Gated"]


def test_statements_of_a_diagram_not_analysed_are_listed(tmp_path, capsys):
    nested = COMPONENTS + """
diagram Inner {
  in  prompt : Prompt
  out response : Response
  pi = Policy
  prompt -> pi.prompt
  pi.response -> response
  assert no path pi -> response
}
diagram Outer {
  src = Source; inner = Inner; world = World
  src.prompt -> inner.prompt
  inner.response -> world.response
}
"""
    path = tmp_path / "nested.wd"
    path.write_text(nested)
    assert main(["lint", "--color", "never", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"note: `assert no path pi -> response` (line {line_of(nested, 'assert no path pi -> response')}) in diagram `Inner` was not judged: " \
        "`Inner` was not analysed; `--diagram Inner` analyses it" in out
    assert main(["lint", "--color", "never", "--diagram", "Inner", str(path)]) == 1
    assert "assertion fails: no path pi -> response" in capsys.readouterr().out


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
