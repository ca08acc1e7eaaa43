"""The paper style (`--style paper`): ports as dots, no stereotype lines or notes, the port-name
rule, one size per kind family, the one-line key; the full style stays the default."""

from __future__ import annotations

import re

import pytest

import wiring
from wiring import render as R
from wiring.cli import main

from conftest import ROOT
from render_support import (NESTED, SMALL, UNGATED, caption, drawn, frame_attrs, label_root,
                            load, needs_dot, node_label, shown, svg_texts, wires)

NAMES = """\
proposal "Port names"
type T
component Src : source {
  out a : T
  out b : T
}
component Two : judge {
  in  a : T
  in  c : T
  out v : T
  out w : T
}
component One : judge {
  in  v : T
}
diagram D {
  s = Src
  j = Two
  k = One
  m = One
  s.a -> j.a
  s.b -> j.c
  j.v -> k.v, m.v
}
"""


def port_names(label) -> dict[str, str]:
    """The name written beside each port's dot (left to right: in the dot's row), by PORT."""
    names = {}
    for row in label_root(str(label)).iter("TR"):
        tds = [td for td in row if td.tag == "TD"]
        for td in tds:
            if td.get("PORT") and td.get("PORT") != "h":
                names[td.get("PORT")] = "".join(shown(o).strip() for o in tds if o is not td)
    return names


def test_the_full_style_is_the_default_and_says_kinds_in_words():
    proposal = load(SMALL)
    full = R.to_dot(proposal)
    assert full == R.to_dot(proposal, style="full")
    assert "&#171;policy&#187;" in full or "\u00abpolicy\u00bb" in full
    assert "the model being trained" in full and "Legend" in full


def test_paper_has_no_stereotypes_notes_glyphs_title_or_legend():
    proposal = load(SMALL)
    paper = R.to_dot(proposal, style="paper")
    for absent in ("&#171;", "\u00ab", "policy&#187;", "<I>", "the model being trained",
                   "Legend", "RLHF, small", "Ouyang", "&#9888;", "\u26a0", R.MARKER, " : Policy"):
        assert absent not in paper, absent
    assert "<B>pi</B>" in paper                           # the name, one text run
    sizes = set(re.findall(r'fontsize=(\d+)', paper)) | \
        set(re.findall(r'POINT-SIZE="(\d+)"', paper))
    assert sizes == {str(R.paper.FONT_PAPER)}                # one font size throughout


def test_paper_ports_are_dots_on_the_box_sides():
    scene, graph = drawn(load(SMALL), style="paper")
    label = str(node_label(scene, graph, "rm"))
    dots = [td for td in label_root(label).iter("TD") if td.get("PORT") in ("i0", "i1", "o2")]
    assert len(dots) == 3
    for td in dots:
        assert (td.get("WIDTH"), td.get("HEIGHT"), td.get("FIXEDSIZE")) == ("4", "4", "TRUE")
        assert td.get("STYLE") == "rounded" and td.get("BGCOLOR") and not shown(td).strip()
    # the wires end at the dots, on the outer side
    dot = R.to_dot(load(SMALL), style="paper")
    assert '"pi":"o1":e -> "rm":"i1":w' in dot


def test_port_name_rule():
    """A name is written unless its side has a single port, or its port's only wire joins two
    ports of the same name and the other end says it: never at neither end (both ends of
    a -> a went unnamed, and a reader of process_supervision's checker could not tell its
    answer from its reference)."""
    scene, graph = drawn(load(NAMES), style="paper")
    # a -> a: said at the input, whose side names c already (so does s's, b)
    assert port_names(node_label(scene, graph, "s")) == {"o0": "", "o1": "b"}
    assert port_names(node_label(scene, graph, "j")) == \
        {"i0": "a", "i1": "c", "o2": "v", "o3": "w"}      # v has two wires, w none
    assert port_names(node_label(scene, graph, "k")) == {"i0": ""}      # alone on its side
    # where one end is alone on its side, the other says the name
    alone = NAMES.replace("  out b : T\n", "").replace("s.b -> j.c", "s.a -> j.c")
    scene, graph = drawn(load(alone), style="paper")
    assert port_names(node_label(scene, graph, "s")) == {"o0": ""}
    assert port_names(node_label(scene, graph, "j"))["i0"] == "a"
    # where only one side names others, the name goes there: j's inputs are both a -> a now
    both = NAMES.replace("  in  c : T", "  in  b : T").replace("s.b -> j.c", "s.b -> j.b")
    scene, graph = drawn(load(both), style="paper")
    assert port_names(node_label(scene, graph, "j"))["i0"] == "a"
    assert port_names(node_label(scene, graph, "s")) == {"o0": "", "o1": ""}
    full_scene, full = drawn(load(NAMES))
    assert "a" in port_names(node_label(full_scene, full, "s")).values() or \
        "a" in str(node_label(full_scene, full, "s"))


def test_boxes_of_one_family_get_one_size():
    scene, graph = drawn(load(NAMES), style="paper")

    def name_cell(name):
        (td,) = [td for td in label_root(str(node_label(scene, graph, name))).iter("TD")
                 if td.get("PORT") == "h"]
        return int(td.get("WIDTH")), int(td.get("HEIGHT"))
    # k and m are the same component; j is of the same family (judge) with longer port names:
    # its name cell is narrower by what its port columns take
    assert name_cell("k") == name_cell("m")
    assert name_cell("j")[0] < name_cell("k")[0] and name_cell("j")[1] > name_cell("k")[1] / 2


def test_at_a_font_size_text_and_boxes_scale_together():
    # Box sizes are estimated at the font size asked for: at 7 pt they were estimated at 10 pt,
    # and a figure at 7 pt was as wide as at 10.
    def name_width(**fields):
        scene, graph = drawn(load(NAMES), style="paper", **fields)
        (td,) = [td for td in label_root(str(node_label(scene, graph, "k"))).iter("TD")
                 if td.get("PORT") == "h"]
        return int(td.get("WIDTH"))

    assert name_width(font_size="7pt") < name_width()   # the text's part shrinks, not the padding
    text = R.to_dot(load(NAMES), style="paper", font_size="7pt")
    assert {float(s) for s in re.findall(r'fontsize=([\d.]+)', text)} == {7.0}


def test_the_key_lists_only_the_families_and_borders_drawn():
    _, graph = drawn(load(SMALL), style="paper")
    # the double border is only the raters', so the human entry shows both; an optimiser's
    # single and double orange lines are the wires a reader cannot guess
    assert caption(graph) == ["human", "policy", "reward model", "learned", "training signal",
                              "parameter update"]
    _, graph = drawn(load(NESTED), "Loop", style="paper")
    # and the wires a reader could misread: dashed feedback (not a learned box's border) and
    # the ring of a wire read a step later
    wires = ["feedback", "\u2014\u25cb\u25ba", "read a step later"]
    # the nested diagram is a frame, a thin line with no bar along its top: not in the key
    assert caption(graph) == ["policy", "monitor", "gate", "environment", "learned",
                              "trusted", *wires]
    _, graph = drawn(load(NESTED), "Loop", style="paper", depth=0)
    assert caption(graph) == ["environment", "nested diagram", *wires]


@needs_dot
def test_the_keys_columns_line_up_within_the_width():
    # The key's lines are rows of one table: a column is as wide as its widest entry. Packed
    # line by line, swiss_cheese's key (training signal and parameter update under shorter
    # words) took 3.32 in, and its panels at a column's width were refused for it.
    proposal = wiring.check_file(str(ROOT / "examples" / "swiss_cheese.wd")).proposal
    svg = R.render(proposal, "svg", style="paper", font_size=7, width="3.25in",
                   panels="modes", direction="TB")
    assert "parameter update" in svg.decode("utf-8")


def test_the_key_wraps_after_four_entries_and_goes_with_no_legend():
    # On one line, a key of seven entries set the width of a top-to-bottom control protocol
    # (5.92 in at 7 pt, where the boxes needed 3.1): no control protocol fitted a column.
    dot = R.to_dot(load(NESTED), "Loop", style="paper")
    key = dot[dot.index("\n  label=<<TABLE"):]                    # the graph's own label
    assert key[:key.index("</TABLE>")].count("<TR>") == 2         # 4 entries, then 3
    assert "\n  label=<" not in R.to_dot(load(NESTED), "Loop", style="paper", legend=False)


@pytest.mark.parametrize("name, lines", [("incentives/rl_rf_input_tampering", [3, 3, 3]),
                                         ("ida", [4, 3, 3]), ("open_agency", [4, 4, 3, 3])])
def test_the_keys_entries_are_shared_out_evenly_over_its_lines(name, lines):
    # nine entries were two lines of four and one alone ("parameter update" under the rest)
    proposal = wiring.check_file(str(ROOT / "examples" / f"{name}.wd")).proposal
    _, graph = drawn(proposal, style="paper", font_size=7, width="6.5in")
    (label,) = [s.value for s in graph.statements if getattr(s, "key", None) == "label"]
    (table,) = label_root(label)
    assert [sum(cell.get("ALIGN") == "LEFT" for cell in row) for row in table] == lines


def test_paper_with_highlight_and_top_to_bottom():
    proposal = load(UNGATED)
    dot = R.to_dot(proposal, style="paper", highlight=True)
    assert "&#9888;" not in dot and "on a finding&#39;s witness" in dot
    assert R.HIGHLIGHT_COLOUR in dot
    scene, graph = drawn(load(SMALL), style="paper", direction="TB")
    label = str(node_label(scene, graph, "rm"))
    assert {"i0", "i1", "o2"} <= {td.get("PORT") for td in label_root(label).iter("TD")}


def test_unknown_style_is_an_error():
    with pytest.raises(R.RenderError, match="style must be one of full, paper"):
        R.to_dot(load(SMALL), style="poster")


def test_cli_style_paper_draws_what_to_dot_draws(tmp_path, capsys):
    source = tmp_path / "proposal.wd"
    source.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "x.dot"
    assert main(["render", str(source), "-o", str(out), "--style", "paper"]) == 0
    assert out.read_text() == R.to_dot(wiring.check_file(str(source)).proposal, style="paper")
    assert main(["render", str(source), "--format", "dot", "-o", "-"]) == 0
    assert "Legend" in capsys.readouterr().out


@needs_dot
@pytest.mark.parametrize("name", ["rlhf", "control_trusted_monitoring", "debate"])
def test_examples_render_in_the_paper_style(name):
    proposal = wiring.check_file(str(ROOT / "examples" / f"{name}.wd")).proposal
    texts = svg_texts(R.render(proposal, "svg", style="paper"))
    assert texts and not any("\u00ab" in t or R.MARKER in t for t in texts)


def test_paper_frames_only_nested_diagrams():
    scene, graph = drawn(load(NESTED), "Loop", style="paper")
    root = frame_attrs(graph, scene.root.id)
    assert root["peripheries"] == 0 and root["label"] == ""
    (nested,) = [c for c in scene.clusters() if c.instance is not None]
    attrs = frame_attrs(graph, nested.id)
    assert attrs["peripheries"] == 1 and str(attrs["label"]) == "<B>system</B>"


def test_white_families_are_told_apart_by_their_bars_in_the_key_and_the_boxes():
    # Gate, dataset and other boxes are all white in the paper style (and grey in --theme
    # grey): without the full style's ink bars, the key showed three identical white boxes.
    from wiring.render.style import MARKS

    dot = R.to_dot(load(NESTED), "Loop", style="paper")
    assert f'SIDES="{MARKS["gate"]}"' in dot
    key = dot[dot.index("\n  label=<<TABLE"):]
    assert 'SIDES="LR"' in key        # the gate's entry in the key has its bars
    # a nested diagram has its bar where it is drawn as a box (as a frame it has none)
    collapsed = R.to_dot(load(NESTED), "Loop", style="paper", depth=0)
    assert collapsed.count(f'SIDES="{MARKS["system"]}"') == 2      # the box's and the key's



BARRED = """\
type T
component Pool : dataset, learned {
  out x : T
}
component Plain : dataset {
  out x : T
}
component Screen : filter, learned {
  in  x : T
  out y : T
}
component Sink : sink {
  in  y : T
}
diagram D {
  p = Pool
  q = Plain
  f = Screen
  k = Sink
  m = Sink
  p.x -> f.x
  f.y -> k.y
  q.x -> m.y
}
"""


def _bars_and_border(laid: dict, name: str) -> tuple[list[float], tuple[float, float]]:
    """The x of each ink bar of a box (lines MARK_WIDTH wide) and the x of its dashed border's
    inner edges, as Graphviz draws them."""
    from wiring.render.style import MARK_WIDTH

    (box,) = [o for o in laid["objects"] if o.get("name") == name]
    pen, dashed, bars, border = 1.0, False, [], None
    for op in box["_ldraw_"]:
        if op["op"] == "S" and op["style"].startswith("setlinewidth("):
            pen = float(op["style"][len("setlinewidth("):-1])
        elif op["op"] == "S":
            dashed = op["style"].startswith("dashed")
        elif op["op"] == "L" and pen == MARK_WIDTH:
            bars.append(op["points"][0][0])
        elif op["op"] in "pP" and dashed:
            xs = [x for x, _ in op["points"]]
            border = (min(xs) + pen / 2, max(xs) - pen / 2)
    return sorted(bars), border


@needs_dot
@pytest.mark.parametrize("style", ["paper", "full"])
@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_bars_keep_in_from_a_dashed_border_and_the_box_its_size(style, direction):
    # swiss_cheese's learned gates: the bars lay on the dashed border, each dash ran into
    # them and the side read as a comb; they keep MARK_GAP in from the border's inner edge
    # (a dataset's on its left; a gate's on both sides wherever its name spans the box: top
    # to bottom in the paper style, always in the full one), and in the paper style the box
    # keeps its family's size
    import json
    import subprocess

    from wiring.render.style import MARK_GAP, MARK_WIDTH

    dot = R.to_dot(load(BARRED), style=style, direction=direction)
    laid = json.loads(subprocess.run(["dot", "-Tjson"], input=dot, capture_output=True,
                                     text=True, check=True).stdout)
    checked = [("p", 1)] + ([("f", 2)] if direction == "TB" or style == "full" else [])
    for name, count in checked:
        bars, border = _bars_and_border(laid, name)
        assert border is not None and len(bars) == count, (name, border, bars)
        assert bars[0] - MARK_WIDTH / 2 - border[0] >= MARK_GAP - 0.51, (name, bars, border)
        if count == 2:
            assert border[1] - (bars[1] + MARK_WIDTH / 2) >= MARK_GAP - 0.51, (bars, border)
    size = {o.get("name"): (o["width"], o["height"]) for o in laid["objects"] if "width" in o}
    if style == "paper":                # the full style's header names the learned one so
        assert size["p"] == size["q"]   # learned (dashed) and not: one family, one size


TRUST = """\
type P
type R
component Prompts : dataset {
  out p : P
}
component Model : policy, learned {
  in  p : P
  out r : R
}
diagram Control {
  source = Prompts
  u = Model
  t = Model with trusted
  source.p -> u.p
  source.p -> t.p
}
"""


@pytest.mark.parametrize("style", ["paper", "full"])
def test_a_trusted_learned_model_is_drawn_bold_dashed_unlike_an_untrusted_one(style):
    # AI control's T and U are both learned: the dashed border alone drew them alike.
    _, graph = drawn(load(TRUST), style=style)
    nodes = graph.nodes()

    def border(name: str) -> tuple[str, str]:
        table = re.search(r'<TABLE BORDER="(\d)"[^>]*?(?:STYLE="([^"]*)")?>',
                          str(nodes[name].attrs["label"]))
        return table[1], table[2] or ""
    assert border("t")[0] == "2" and "dashed" in border("t")[1]
    assert border("u")[0] == "1" and "dashed" in border("u")[1]
    scene = R.to_scene(load(TRUST), style=style)
    assert scene.legend()[1] == ["dashed", "bold"]     # explained by its two parts


def test_a_border_a_family_always_has_is_shown_once_in_the_key():
    # The redesigned grade predictor drew "environment" twice: the family's white sample and
    # the dotted border, which a dataset of the environment's also had.
    proposal = wiring.check_file(str(ROOT / "examples" / "incentives"
                                     / "grade_predictor_redesign.wd")).proposal
    key = caption(drawn(proposal, style="paper")[1])
    assert key.count("environment") == 1 and "dataset" in key


def test_optimisers_that_would_read_the_same_say_their_modes():
    proposal = wiring.check_file(str(ROOT / "examples" / "ida.wd")).proposal
    _, graph = drawn(proposal, style="paper")
    words = sorted(re.findall(r"train x by [^<]+", " ".join(
        str(n.attrs["label"]) for n in graph.nodes().values())))
    assert words == ["train x by distillation in human", "train x by distillation in imitation"]
    _, graph = drawn(proposal, style="paper", mode="human")      # one of them: no modes said
    assert "train x by distillation<" in " ".join(str(n.attrs["label"])
                                                  for n in graph.nodes().values())


def _update_groups(svg: bytes) -> list:
    """The SVG groups of the parameter updates: a training wire drawn with several strokes."""
    import xml.etree.ElementTree as ET

    ns = {"s": "http://www.w3.org/2000/svg"}
    groups = ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}g")
    return [g for g in groups if "training" in g.get("class", "").split()
            and len(g.findall(".//s:path", ns)) > 1], ns


@needs_dot
@pytest.mark.parametrize("fields", [{"style": "paper"}, {"style": "full"},
                                    {"style": "paper", "direction": "TB", "highlight": True},
                                    {"style": "full", "highlight": True}])
@pytest.mark.parametrize("name", ["rlhf", "ida", "debate"])
def test_a_parameter_update_is_two_strokes_and_an_arrow_as_the_key_draws_it(name, fields):
    # the key draws an update as two lines; the wire was four strokes (two pairs 2 pt apart),
    # because Graphviz gives a wire drawn backwards the second colour of its list for its arrow
    proposal = wiring.check_file(str(ROOT / "examples" / f"{name}.wd")).proposal
    groups, ns = _update_groups(R.render(proposal, "svg", **fields))
    assert groups
    for group in groups:
        visible = [p for p in group.findall(".//s:path", ns)
                   if p.get("stroke") not in ("transparent", "none")]
        assert len(visible) == 2, group.get("id")
        (arrow,) = group.findall(".//s:polygon", ns)
        assert arrow.get("stroke") not in ("transparent", "none"), group.get("id")


@pytest.mark.parametrize("direction", ["LR", "TB"])
@pytest.mark.parametrize("name, box", [("rlhf", "policy"), ("ida", "x")])
def test_updates_into_one_box_meet_it_at_points_of_their_own(name, box, direction):
    # At one corner, two updates' arrowheads lay one over the other (rlhf's policy is
    # trained by sft and by ppo; ida's x by distillation in two modes)
    proposal = wiring.check_file(str(ROOT / "examples" / f"{name}.wd")).proposal
    scene, graph = drawn(proposal, style="paper", direction=direction)
    updates = {id(w) for w in scene.wires if w.style == "update" and w.dst.node == box}
    assert len(updates) == 2
    # an update is written backwards, from the box it updates (`draw.edge`)
    ends = [e.tail for e in graph.edges() if e.tail.node == box
            and e.attrs["class"] == "wire training" and str(e.attrs.get("dir")) == "back"]
    assert len(ends) == 2 and ends[0].compass != ends[1].compass, ends


def test_an_optimisers_words_keep_its_argument_as_written():
    # "train policy by best_of" left out what the selection is over: best_of(n), as the full
    # style and the file say
    proposal = wiring.check_file(str(ROOT / "examples" / "best_of_n.wd")).proposal
    for style in ("paper", "full"):
        dot = R.to_dot(proposal, "BestOfN", style=style)
        assert "best_of(n)" in dot, style


def test_a_box_of_two_kinds_has_its_band_explained_in_the_key():
    # rrm's assistants are a policy and a critic: a blue box with a pink band under its name,
    # which the key did not explain (it listed "reward model" for the pink, as for rm).
    proposal = wiring.check_file(str(ROOT / "examples" / "rrm.wd")).proposal
    key = caption(drawn(proposal, style="paper")[1])
    assert "band: a second kind" in key
    plain = caption(drawn(load(NAMES), style="paper")[1])
    assert not any("band" in cell for cell in plain)


_TWO_OUTPUTS = """\
type Prompt
type Response
param beta : Real >= 0 = 0.1
component Policy : policy, learned {
  in  prompt   : Prompt
  out response : Response
}
component Talker : policy, learned {
  in  prompt : Prompt
  out reply  : Response
  out aside  : Response
}
component Scorer : reward_model, learned {
  in  response : Response
  out score    : Real in [0, 1]
}
diagram D {
  in  prompt : Prompt
  pi  = Policy
  two = Talker
  rm  = Scorer
  prompt -> pi.prompt, two.prompt
  pi.response -> rm.response
  train pi by ppo maximising rm.score - beta * kl(pi, two)
}
"""


@pytest.mark.parametrize("direction, side", [("LR", "e"), ("TB", "s")])
def test_a_signal_read_from_a_whole_box_leaves_by_its_outputs_side(direction, side):
    # `kl(policy, ref)` reads the two models, not a port: in the paper style the signal left
    # the box from wherever Graphviz clipped it (rlhf's ref from its top, beside its bare
    # output); it now leaves from the output's dot, or the outputs' side of a box of several
    proposal = load(_TWO_OUTPUTS)
    scene, graph = drawn(proposal, "D", style="paper", direction=direction)
    found = wires(scene, graph)
    assert ("pi.response", "train pi") in found and ("rm.score", "train pi") in found
    assert ("two:h:" + side, "train pi") in found, sorted(found)
    scene, graph = drawn(proposal, "D", style="full", direction=direction)
    found = wires(scene, graph)
    assert ("pi:h", "train pi") in found and ("two:h", "train pi") in found, sorted(found)


@needs_dot
@pytest.mark.parametrize("name, options", [
    ("rlhf", {"width": "6.5in", "panels": "modes"}),                     # a key of two columns
    ("critiques", {"width": "6.5in", "panels": "modes", "direction": "TB"})])  # one column
def test_each_wire_in_the_key_is_drawn_level_with_its_words(name, options):
    # the training signal's line sat a quarter of a sample below its words, so that in a key
    # of one column it read as a third line of the parameter update's double line under it
    import json
    import subprocess

    proposal = wiring.check_file(str(ROOT / "examples" / f"{name}.wd")).proposal
    dot_text = R.to_dot(proposal, style="paper", font_size=7,
                        **options)
    laid = json.loads(subprocess.run(["dot", "-Tjson"], input=dot_text.encode(),
                                     capture_output=True, check=True).stdout)
    ops = laid["_ldraw_"]
    lines = [op["points"] for op in ops if op["op"] == "L"
             and op["points"][0][1] == op["points"][1][1]]           # level lines
    words = [op for op in ops if op["op"] == "T"
             and op["text"] in ("feedback", "training signal", "parameter update")]
    assert len(words) == 3
    for word in words:
        x, baseline = word["pt"]
        middle = baseline + 0.35 * 7                                    # of its letters
        mine = [points[0][1] for points in lines
                if 0 < x - max(points[0][0], points[1][0]) < 12
                and abs(points[0][1] - middle) < 6.5]                   # its row's sample
        assert mine and abs(sum(mine) / len(mine) - middle) < 1.5, (word["text"], mine, middle)
