"""Highlighting: the witnesses of the analyses' findings drawn on the picture."""

from __future__ import annotations


import pytest

import wiring
from wiring import render as R
from wiring import structure
from wiring.cli import main

from conftest import EXAMPLES, ROOT
from render_support import small_file  # noqa: F401 (a fixture)
from render_support import (NESTED, SMALL, UNGATED, example_id, caption, caption_codes, cells,
                            drawn, frame_attrs, label_root, load, needs_dot, node_ids, node_label,
                            on_witness, shown, svg_texts, wires, witnesses)


# -------------------------------------------------------------------------------- highlighting

HL = R.HIGHLIGHT_COLOUR


def test_highlight_draws_the_witness_of_each_finding():
    scene, graph = drawn(load(UNGATED), highlight=True)
    codes, on = witnesses(scene)
    # boxes on a witness: the codes of their findings; the wires between consecutive boxes
    # of a witness, the signal and the update too
    assert codes == {"pi": ["S0101", "S0201"], "user": ["S0201"], "rm": ["S0101"],
                     "train pi": ["S0101"]}
    assert on == {("pi.response", "user.response"), ("pi.response", "rm.response"),
                  ("rm.score", "train pi"), ("train pi", "pi")}
    # drawn in a thick magenta frame headed by the codes, named in the tooltip too
    nodes = graph.nodes()
    assert on_witness(graph) == {node_ids(scene)[name] for name in codes}
    for name, found in codes.items():
        node = nodes[node_ids(scene)[name]]
        assert cells(node.attrs["label"])[-1] == f"{R.MARKER} {' '.join(found)}", name
        tip = node.attrs["tooltip"].splitlines()
        below = tip[tip.index("on the witness of:") + 1:]
        assert sorted(line.split(":")[0] for line in below) == found, name
    edges = wires(scene, graph)
    for key in (("pi.response", "user.response"), ("pi.response", "rm.response"),
                ("rm.score", "train pi")):
        assert edges[key].attrs["color"] == HL and edges[key].attrs["style"] == "dashed", key
        assert edges[key].attrs["penwidth"] == 3
    assert edges[("pi:h:ne", "train pi")].attrs["color"] == f"invis:{HL}:invis:{HL}:invis"
    assert "color" not in edges[("in:prompt", "pi.prompt")].attrs
    # the caption lists the findings; the legend explains the emphasis
    said = caption(graph)
    assert caption_codes(graph) == ["S0101", "S0201"]
    assert f"{R.MARKER} S0201 error: untrusted pi reaches user with no trusted gate" in said
    assert (f"{R.MARKER} S0101 warning: optimisation pressure on pi lands on the learned "
            "proxy rm (reward_model)") in said
    assert scene.legend()[3] == ["witness box", "witness wire"]
    assert said[-2:] == [f"{R.MARKER} on the witness of a finding", "wire on a witness"]


def test_highlighted_findings_are_wrapped_not_cut_short():
    proposal = load(UNGATED)
    analysis = _with_findings(proposal, ["pi", "user"])
    analysis.findings[0].message = ("a finding whose message goes on " + "and on " * 30 +
                                    "to the very end")
    graph = R.to_tree(proposal, highlight=True, analysis=analysis)
    (row,) = [text for text in caption(graph) if text.startswith(f"{R.MARKER} S0900 ")]
    assert row.count("\n") >= 2                         # wrapped over three lines or more
    assert " ".join(row.split()) == \
        f"{R.MARKER} S0900 warning: " + " ".join(analysis.findings[0].message.split())


def test_highlight_codes_select_findings():
    proposal = load(UNGATED)
    scene, graph = drawn(proposal, highlight="S0201")
    codes, _ = witnesses(scene)
    assert codes == {"pi": ["S0201"], "user": ["S0201"]} and caption_codes(graph) == ["S0201"]
    dot = R.to_dot(proposal, highlight="S0201")
    assert R.to_dot(proposal, highlight=["s0201"]) == dot
    # one finding of each code asked for: here every finding, as without codes (the rest of
    # the picture is faded, though: tests/test_render_focus.py)
    assert witnesses(drawn(proposal, highlight="S0201, S0101")[0]) == \
        witnesses(drawn(proposal, highlight=True)[0])
    scene, graph = drawn(proposal, highlight="S0201,S0999")
    assert scene.missing == ["S0999"] and caption_codes(graph) == ["S0201"]
    assert "no finding S0999" in caption(graph)
    with pytest.raises(R.RenderError, match="finding codes"):
        R.to_scene(proposal, highlight="bogus")
    # without highlight nothing changes
    assert R.to_dot(proposal, highlight=None) == R.to_dot(proposal) == \
        R.to_dot(proposal, highlight=False)
    scene, graph = drawn(proposal)
    assert scene.findings is None and not scene.emphasis
    assert not on_witness(graph) and not caption_codes(graph)
    assert not any(HL in str(edge.attrs.get("color", "")).split(":") for edge in graph.edges())


def test_highlight_skips_acknowledged_findings_unless_asked_for():
    proposal = load(UNGATED + 'allow S0201 because "a sandboxed demo"\n')
    scene, graph = drawn(proposal, highlight=True)
    codes, _ = witnesses(scene)
    assert codes == {"pi": ["S0101"], "rm": ["S0101"], "train pi": ["S0101"]}
    assert caption_codes(graph) == ["S0101"]
    assert "1 acknowledged finding not drawn (name a code to draw it)" in caption(graph)
    scene, graph = drawn(proposal, highlight="S0201")
    codes, _ = witnesses(scene)
    assert codes == {"pi": ["S0201"], "user": ["S0201"]} and caption_codes(graph) == ["S0201"]
    assert (f"{R.MARKER} S0201 error: untrusted pi reaches user with no trusted gate "
            "(acknowledged)") in caption(graph)


def test_highlight_with_nothing_to_find():
    scene, graph = drawn(load(NESTED), "Guarded", highlight=True)
    assert scene.findings == [] and not scene.emphasis and not on_witness(graph)
    assert caption_codes(graph) == []
    assert "the analyses find nothing to highlight" in caption(graph)


def _with_findings(proposal, *witnesses, diagram=None):
    from wiring.analysis import analyse
    from wiring.diagnostics import Diagnostic

    from wiring.witness import Box

    # A plain string in a witness stands for the box of that path.
    analysis = analyse(proposal, diagram)
    analysis.findings = [Diagnostic(code=f"S09{n:02d}", severity="warning", message=f"case {n}",
                                    witness=tuple(Box(s) if isinstance(s, str) else s for s in w))
                         for n, w in enumerate(witnesses)]
    return analysis


def test_witness_entries_map_to_drawn_nodes():
    from wiring.analysis import analyse
    from wiring.witness import BREAK, OBSERVED, Box, Node, Port, Trains

    proposal = load(SMALL)
    trains_rm = next(i for i, p in enumerate(analyse(proposal).system.pressures)
                     if p.target == "rm")
    analysis = _with_findings(
        proposal,
        [Port("in", "prompt"), "pi", Port("out", "response")],   # outer ports are pins
        [Node(Box("pi"), 0), Node(Box("rm"), 0),                 # the reward of pi by training 0:
         Node(Box("pi"), 0, "utility", 0)],                      # the optimiser of that training
        [Node(Box("h"), 1), Node(Box("rm"), 1, "params"),        # Θ:rm: the optimiser training rm
         Node(Box("rm"), 1)],
        [Trains(trains_rm, "sgd", Box("rm"))],                   # an optimisation wire
        ["pi", BREAK, "h"],                                      # `...` breaks the path
        ["nobody", OBSERVED, "pi"],                              # unknown boxes are skipped
    )
    codes, on = witnesses(R.to_scene(proposal, highlight=True, analysis=analysis))
    assert codes == {"in:prompt": ["S0900"], "out:response": ["S0900"],
                     "pi": ["S0900", "S0901", "S0904", "S0905"], "rm": ["S0901", "S0902"],
                     "h": ["S0902", "S0904"], "train pi": ["S0901"],
                     "train rm": ["S0902", "S0903"]}
    assert on == {("in:prompt", "pi.prompt"), ("pi.response", "out:response"),
                  ("pi.response", "rm.response"), ("rm.score", "train pi"),
                  ("train pi", "pi"),
                  ("h.label", "train rm"),                   # Θ:rm: h's label trains rm
                  ("train rm", "rm")}                        # ...and updates rm
    assert ("pi.response", "h.response") not in on           # broken by `...`


def test_witnesses_cross_frames_and_fall_into_collapsed_boxes():
    proposal = load(NESTED)
    analysis = _with_findings(proposal, ["system.agent", "system.guard", "world"])
    codes, on = witnesses(R.to_scene(proposal, highlight=True, analysis=analysis))
    assert codes == {"system.agent": ["S0900"], "system.guard": ["S0900"], "world": ["S0900"]}
    # the wire from guard leaves through the nested diagram's outer port
    assert on == {("system.agent.act", "system.guard.act"),
                  ("system.guard.act_out", "system.out:act"), ("system.out:act", "world.act")}
    codes, on = witnesses(R.to_scene(proposal, depth=0, highlight=True, analysis=analysis))
    assert codes == {"system": ["S0900"], "world": ["S0900"]}
    assert on == {("system.act", "world.act")}
    # a witness entry that is a whole (framed) nested diagram marks its frame
    scene, graph = drawn(proposal, highlight=True, analysis=_with_findings(proposal, ["system"]))
    assert witnesses(scene)[0] == {"system": ["S0900"]}
    attrs = frame_attrs(graph, scene.drawn[("system",)])
    assert attrs["color"] == HL and attrs["penwidth"] == 3
    assert shown(label_root(attrs["label"])).splitlines() == [
        f"{R.MARKER} S0900", "system : Guarded", "\u00absystem\u00bb"]


def test_highlight_top_to_bottom_puts_codes_beside_the_box():
    scene, graph = drawn(load(UNGATED), highlight=True, direction="TB")
    (row,) = label_root(node_label(scene, graph, "pi"))[0].findall("TR")
    box, codes = row.findall("TD")                      # one row: the box, then the codes
    assert box.find("TABLE") is not None and codes.get("VALIGN") == "TOP"
    assert shown(codes) == f"{R.MARKER} S0101\nS0201"     # one code a line


@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_every_example_highlights_deterministically(path):
    result = wiring.check_file(str(path))
    if not result.ok:
        pytest.skip(f"{path.name} does not check")
    from wiring.analysis import analyse

    proposal = result.proposal
    top = structure.default_diagram(proposal)
    if top is None:
        pytest.skip("no diagram")
    name = top.name
    analysis = analyse(proposal, name)
    dot = R.to_dot(proposal, highlight=True, analysis=analysis)
    assert dot == R.to_dot(proposal, highlight=True)
    assert dot.isascii()
    scene, graph = drawn(proposal, highlight=True, analysis=analysis)
    unacknowledged = [f for f in analysis.findings if f.acknowledged is None]
    assert caption_codes(graph) == [f.code for f in unacknowledged]
    framed = on_witness(graph)
    assert framed == {node for node in scene.emphasis if node in graph.nodes()}
    if any(f.witness for f in unacknowledged):
        assert framed


@needs_dot
@pytest.mark.parametrize("example", ["rlhf.wd", "control_trusted_monitoring.wd"])
def test_highlighted_examples_render(example):
    svg = R.render(wiring.load(str(ROOT / "examples" / example)), "svg", highlight=True)
    texts = svg_texts(svg)
    assert any(t.startswith(f"{R.MARKER} S0") for t in texts)


def test_cli_highlight(small_file, tmp_path, capsys):
    out = tmp_path / "h.dot"
    ungated = tmp_path / "ungated.wd"
    ungated.write_text(UNGATED, encoding="utf-8")
    proposal = wiring.check_file(str(ungated)).proposal
    assert main(["render", str(ungated), "--highlight", "-o", str(out)]) == 0
    assert out.read_text() == R.to_dot(proposal, highlight=True)
    # FILE may come after a bare --highlight
    assert main(["render", "--highlight", str(ungated), "-o", str(out)]) == 0
    assert out.read_text() == R.to_dot(proposal, highlight=True)
    assert main(["render", str(ungated), "--highlight", "S0201", "-o", str(out)]) == 0
    assert out.read_text() == R.to_dot(proposal, highlight="S0201")
    capsys.readouterr()
    assert main(["render", str(ungated), "--highlight", "S0201,S0999", "-o", str(out)]) == 0
    assert "no S0999 finding in `Deploy`" in capsys.readouterr().err
    assert main(["render", str(ungated), "--highlight", "nonsense", "-o", str(out)]) == 2
    assert "finding codes" in capsys.readouterr().err
    assert main(["render", "--highlight", "S0201", "-o", str(out)]) == 2
    assert "FILE is required" in capsys.readouterr().err
    assert main(["render", str(ungated), "-o", str(out)]) == 0
    assert out.read_text() == R.to_dot(proposal)




# ------------------------------------------------------------ in print, and in a mode's picture

DEBATE = str(ROOT / "examples" / "debate.wd")


def test_in_print_a_highlighted_wire_is_thick_ink_keeping_its_line():
    # the paper key says a dashed wire is feedback: a highlighted feedback wire stays dashed
    # (its loop was thick and solid), the witness's other wires stay solid, an update double
    proposal = wiring.check_file(DEBATE).proposal
    scene, graph = drawn(proposal, style="paper", highlight=True, direction="TB")
    marked = {w.feedback for w in scene.wires if w.emphasis}
    assert marked == {True, False}
    for wire in (w for w in scene.wires if w.emphasis):
        (edge,) = [e for e in graph.edges() if _ends(e) == {wire.src.key(), wire.dst.key()}]
        assert float(edge.attrs["penwidth"]) >= 2
        assert edge.attrs["color"] in (R.INK, f"invis:{R.INK}:invis:{R.INK}:invis")
        assert (str(edge.attrs.get("style")) == "dashed") == wire.feedback, wire


def _ends(edge) -> set[tuple]:
    return {(edge.tail.node, edge.tail.port), (edge.head.node, edge.head.port)}


def test_a_picture_of_one_mode_draws_a_finding_only_where_its_whole_witness_is():
    # debate's S0503 loop (a -> pick -> user -> a) is in deploy; train has a and b, not the
    # loop, and framed them as if it had it
    proposal = wiring.check_file(DEBATE).proposal
    for mode, drawn_there in (("train", False), ("deploy", True), (None, True)):
        scene, graph = drawn(proposal, mode=mode, highlight=True)
        assert bool(on_witness(graph)) == drawn_there, mode
        rows = [" ".join(row.split()) for row in caption(graph) if "S0503" in row]
        assert rows and all(("not on this picture" in row) != drawn_there for row in rows)


@needs_dot
def test_mode_panels_frame_a_witness_only_in_the_modes_it_is_in():
    proposal = wiring.check_file(DEBATE).proposal
    graph = R.to_tree(proposal, style="paper", panels="modes", highlight=True,
                      direction="TB")
    framed = {n.split("/", 1)[0] for n, node in graph.nodes().items()
              if HL in str(node.attrs.get("label", ""))}
    assert framed == {"deploy"}
