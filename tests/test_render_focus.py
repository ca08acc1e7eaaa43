"""Highlighting one finding (`--highlight CODE#N`): its witness drawn, the rest faded."""

from __future__ import annotations

import re

import pytest

from wiring import render as R
from wiring.cli import main

from render_support import caption, caption_codes, drawn, load, node_ids, wires, witnesses

# Two findings of one code with separate witnesses: `first -> user` and `second -> bystander`.
TWO = """\
proposal "Two ungated policies"
type Prompt
type Response
component Policy : policy, learned, untrusted {
  in  prompt   : Prompt
  out response : Response
}
component User : sink {
  in  response : Response
}
diagram Deploy {
  in  prompt : Prompt
  first  = Policy
  second = Policy
  user   = User
  bystander = User
  prompt -> first.prompt, second.prompt
  first.response -> user.response
  second.response -> bystander.response
}
"""
FIRST = {"first": ["S0201"], "user": ["S0201"]}, {("first.response", "user.response")}
SECOND = {"second": ["S0201"], "bystander": ["S0201"]}, {("second.response", "bystander.response")}
HEX = re.compile(r"#([0-9A-Fa-f]{6})\b")


def colours(attrs: dict) -> list[str]:
    """Every colour named in a node's, frame's or wire's attributes, its label included."""
    return [m for value in attrs.values() for m in HEX.findall(str(value))]


def faded(attrs: dict) -> bool:
    """Drawn in light tints only: no colour darker than a light grey, text colour set."""
    return "fontcolor" in attrs and all(min(int(c[i:i + 2], 16) for i in (0, 2, 4)) >= 0x90
                                        for c in colours(attrs))


def test_code_and_index_highlight_that_one_finding():
    proposal = load(TWO)
    for asked, expected, message in (("S0201", FIRST, "untrusted first reaches user"),
                                     ("S0201#1", FIRST, "untrusted first reaches user"),
                                     ("S0201#2", SECOND, "untrusted second reaches bystander")):
        scene, graph = drawn(proposal, highlight=asked)
        assert witnesses(scene) == expected, asked
        # the caption names that finding alone, by its message
        assert caption_codes(graph) == ["S0201"]
        assert message in " ".join(caption(graph)), asked
    # `--highlight` alone: every finding, nothing faded (as before CODE#N)
    scene, graph = drawn(proposal, highlight=True)
    assert witnesses(scene) == ({**FIRST[0], **SECOND[0]}, FIRST[1] | SECOND[1])
    assert not any(faded(node.attrs) for node in graph.nodes().values())


@pytest.mark.parametrize("style", ["full", "paper"])
def test_the_rest_is_faded_in_opaque_tints(style):
    proposal = load(TWO)
    scene, graph = drawn(proposal, highlight="S0201#2", style=style)
    ids, nodes = node_ids(scene), graph.nodes()
    for name in ("first", "user", "in:prompt"):
        assert faded(nodes[ids[name]].attrs), name
    for name in ("second", "bystander"):
        assert not faded(nodes[ids[name]].attrs), name
    edges = wires(scene, graph)
    assert faded(edges[("first.response", "user.response")].attrs)
    assert faded(edges[("in:prompt", "second.prompt")].attrs)
    on = edges[("second.response", "bystander.response")].attrs
    if style == "paper":        # in print: the wire in ink, 2.5 times as wide
        assert (on["color"], on["penwidth"]) == (R.INK, 2.0)
    else:
        assert (on["color"], on["style"]) == (R.HIGHLIGHT_COLOUR, "dashed")
    # opaque colours only (no #RRGGBBAA), so that PDF and print agree
    assert not re.search(r"#[0-9A-Fa-f]{8}\b", R.to_dot(proposal, highlight="S0201#2",
                                                         style=style))
    # unfaded, the same nodes are drawn in ink
    plain = drawn(proposal, style=style)
    assert not faded(plain[1].nodes()[node_ids(plain[0])["first"]].attrs)


def test_past_the_count_is_reported_like_a_missing_code(tmp_path, capsys):
    source = tmp_path / "two.wd"
    source.write_text(TWO)
    scene, graph = drawn(load(TWO), highlight="S0201#3")
    assert scene.missing == ["S0201#3 (there are 2)"] and scene.focus is None
    assert "no finding S0201#3 (there are 2)" in " ".join(caption(graph))
    out = tmp_path / "two.dot"
    assert main(["render", str(source), "--highlight", "S0201#3", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "no S0201#3 finding in `Deploy` to highlight (there are 2)" in err
    assert main(["render", str(source), "--highlight", "S0201#2", "-o", str(out)]) == 0
    assert "to highlight" not in capsys.readouterr().err


@pytest.mark.parametrize("asked", ["S0201#0", "S0201#x", "S0201#", "S0201#2#3"])
def test_a_bad_index_is_a_usage_error(asked, tmp_path, capsys):
    with pytest.raises(R.RenderError, match="S0201#2"):
        R.to_dot(load(TWO), highlight=asked)
    source = tmp_path / "two.wd"
    source.write_text(TWO)
    assert main(["render", str(source), "--highlight", asked, "-o",
                 str(tmp_path / "two.dot")]) == 2
    assert "--highlight takes finding codes" in capsys.readouterr().err
