"""`--panels modes` and `--panels diagrams`: one picture of several panels, each drawn and laid
out as that mode or diagram alone, placed in rows no wider than `--width`, every position then
fixed for Graphviz (layout=nop2)."""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest

import wiring
from wiring import render as R
from wiring.cli import main

from conftest import ROOT
from render_support import SVG, needs_dot

RLHF = str(ROOT / "examples" / "rlhf.wd")
MODES = ["sft", "reward", "rl", "deploy"]


def rlhf():
    return wiring.check_file(RLHF).proposal


def boxes(tree) -> set[str]:
    return {n for n in tree.nodes() if not n.endswith("@train0") and "@" not in n}


@needs_dot
@pytest.mark.parametrize("style", ["paper", "full"])
def test_each_mode_is_a_titled_panel_with_what_is_active_in_it(style):
    proposal = rlhf()
    tree = R.to_tree(proposal, style=style, panels="modes")
    for mode in MODES:
        alone = R.to_tree(proposal, style=style, mode=mode)
        drawn = {n.split("/", 1)[1] for n in tree.nodes() if n.startswith(f"{mode}/")}
        assert drawn == set(alone.nodes()), mode
    dot = R.to_dot(proposal, style=style, panels="modes")
    assert re.search(r"layout=\"?nop2", dot)
    titles = re.findall(r"<B>(\w+)</B></FONT>", dot)
    assert [t for t in titles if t in MODES] == MODES


def _layout(dot_text: str) -> dict:
    run = subprocess.run(["dot", "-Tjson"], input=dot_text.encode(), capture_output=True,
                         check=True)
    return json.loads(run.stdout)


@needs_dot
def test_every_wire_starts_and_ends_at_its_own_boxes():
    # Graphviz lists the wires between two boxes together: matched by order, a panel's wires
    # were drawn between the wrong ports.
    layout = _layout(R.to_dot(rlhf(), style="paper", panels="modes"))
    boxes = {}
    for o in layout["objects"]:
        if "pos" in o:
            x, y = (float(v) for v in o["pos"].split(","))
            w, h = float(o["width"]) * 36 + 4, float(o["height"]) * 36 + 4
            boxes[o["_gvid"]] = (x - w, y - h, x + w, y + h)
    assert layout["edges"]
    for edge in layout["edges"]:
        points = [tuple(float(v) for v in p.split(",")[-2:]) for p in edge["pos"].split()]
        start = next(p for p, t in zip(points, edge["pos"].split()) if not t.startswith("e,"))
        ends = [p for p, t in zip(points, edge["pos"].split()) if t.startswith("e,")] \
            or [points[-1]]
        for point, box in ((start, boxes[edge["tail"]]), (ends[0], boxes[edge["head"]])):
            x0, y0, x1, y1 = box
            assert x0 <= point[0] <= x1 and y0 <= point[1] <= y1, (edge["tail"], edge["head"])


@needs_dot
def test_panels_fill_rows_no_wider_than_the_width_asked(tmp_path, capsys):
    wide = _layout(R.to_dot(rlhf(), style="paper", panels="modes", font_size=7))
    out = tmp_path / "fig.svg"
    code = main(["render", RLHF, "--style", "paper", "--panels", "modes", "--font-size", "7pt",
                 "--width", "6.5in", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    svg = out.read_text(encoding="utf-8")
    assert re.search(r'<svg[^>]* width="6.5in"', svg)
    fitted = _layout(R.fitted_dot(rlhf(), style="paper", panels="modes", font_size=7,
                                  width="6.5in"))
    width = lambda layout: float(layout["bb"].split(",")[2])          # noqa: E731
    height = lambda layout: float(layout["bb"].split(",")[3])         # noqa: E731
    assert width(fitted) <= 6.5 * 72 < width(wide)        # one row was too wide: two rows
    assert height(fitted) > height(wide)


def _two_diagrams(narrow_box: str) -> str:
    """A file of a chain of seven boxes and one of two, the second named `narrow_box`: at
    6.5 in and 7 pt their panels take two rows."""
    steps = [f"b{i}" for i in range(1, 7)]
    wide = "".join(f"  {b} = Step\n" for b in steps) + "".join(
        f"  {a}.y -> {b}.x\n" for a, b in zip(["s", *steps], steps))
    return (ONE_MODE.split("component Box")[0] + "component Step : policy, learned {\n"
            "  in x : T\n  out y : T\n}\n" + f"diagram Wide {{\n  s = Source\n{wide}}}\n"
            f"diagram Narrow {{\n  t = Source\n  {narrow_box} = Step\n"
            f"  t.y -> {narrow_box}.x\n}}\n")


def _rows_of(laid: dict) -> dict[float, list[float]]:
    """The left and right edges of the panels of each row (by the row's top), and of the key
    where it stands beside the panels of a row."""
    rows: dict[float, list[float]] = {}
    bottoms: dict[float, float] = {}
    for frame in (o for o in laid["objects"] if o.get("name", "").startswith("cluster_")):
        x0, y0, x1, y1 = (float(v) for v in frame["bb"].split(","))
        rows.setdefault(y1, []).extend([x0, x1])
        bottoms[y1] = min(y0, bottoms.get(y1, y0))
    x0, y0, x1, y1 = _key_box(laid)
    for top, bottom in bottoms.items():
        if y0 < top and y1 > bottom:
            rows[top].extend([x0, x1])
    return rows


def _key_box(laid: dict) -> tuple[float, float, float, float]:
    x, y = (float(v) for v in laid["lp"].split(","))
    half_w, half_h = float(laid["lwidth"]) * 36, float(laid["lheight"]) * 36
    return x - half_w, y - half_h, x + half_w, y + half_h


def _frames(laid: dict) -> list[tuple[float, float, float, float]]:
    return [tuple(float(v) for v in o["bb"].split(",")) for o in laid["objects"]
            if o.get("name", "").startswith("cluster_")]


def _apart(a: tuple, b: tuple) -> bool:
    return a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


@needs_dot
def test_the_key_stands_beside_a_short_last_row_of_panels_where_it_fits():
    # Below the panels the key took an inch of a page's height, beside a last row of one
    # narrow panel that left most of the width empty (process_supervision was 13.8 in tall)
    proposal = wiring.check_file(str(ROOT / "examples" / "process_supervision.wd")).proposal
    options = dict(style="paper", panels="modes", font_size=7, width="6.5in", direction="TB")
    laid = _layout(R.fitted_dot(proposal, **options))
    key = _key_box(laid)
    frames = _frames(laid)
    assert all(_apart(key, frame) for frame in frames)
    lowest = min(frames, key=lambda f: f[1])
    assert key[1] < lowest[3] and key[0] >= lowest[2]        # in the last row, to its right
    assert float(laid["bb"].split(",")[2]) <= 6.5 * 72 + 0.5
    # where the last row leaves no room, the key stays below every panel
    laid = _layout(R.fitted_dot(proposal, **{**options, "width": "4in"}))
    assert _key_box(laid)[3] <= min(f[1] for f in _frames(laid))


@needs_dot
def test_a_row_of_panels_narrower_than_the_figure_is_centred():
    # The short row was left-aligned, with the spare width all on the right.
    proposal = wiring.check_text(_two_diagrams("k"), "two.wd").proposal
    laid = _layout(R.fitted_dot(proposal, style="paper", panels="diagrams", font_size=7,
                                width="6.5in"))
    rows = _rows_of(laid)
    assert len(rows) == 2
    centres = [(min(xs) + max(xs)) / 2 for xs in rows.values()]
    assert max(centres) - min(centres) < 10, centres


def _centres(laid: dict, name: str) -> list[float]:
    return [float(o["pos"].split(",")[0]) for o in laid["objects"]
            if o.get("name", "").endswith(f"/{name}") and "pos" in o]


@needs_dot
def test_a_box_drawn_in_several_rows_stands_at_one_x_where_the_rows_allow():
    # Centred, each row put the same box somewhere else: rlhf's policy at four places, so a
    # reader could not follow it from step to step.
    proposal = wiring.check_text(_two_diagrams("b3"), "two.wd").proposal
    laid = _layout(R.fitted_dot(proposal, style="paper", panels="diagrams", font_size=7,
                                width="6.5in"))
    assert len(_rows_of(laid)) == 2
    (wide, narrow) = _centres(laid, "b3")
    assert abs(wide - narrow) < 0.5
    # constitutional_ai at 6.5 in: three rows, the policy in each, and the figure still no
    # wider than the width asked; each row stands where its policy is as near the others' as
    # the rows' room allows (the sl panel fills the width: the others come as near it as
    # they can)
    proposal = wiring.check_file(str(ROOT / "examples" / "constitutional_ai.wd")).proposal
    laid = _layout(R.fitted_dot(proposal, style="paper", panels="modes", font_size=7,
                                width="6.5in", direction="TB"))
    rows = _rows_of(laid)
    assert len(rows) == 3
    assert float(laid["bb"].split(",")[2]) <= 6.5 * 72
    left, right = min(min(xs) for xs in rows.values()), max(max(xs) for xs in rows.values())
    reach = []           # per row: the policy's x, and how far left and right the row could go
    for top, xs in rows.items():
        frames = [o for o in laid["objects"] if o.get("name", "").startswith("cluster_")
                  and float(o["bb"].split(",")[3]) == top]
        x = min(float(o["pos"].split(",")[0]) for o in laid["objects"]
                if o.get("name", "").endswith("/policy") and "pos" in o
                and any(_inside(o, frame) for frame in frames))
        reach.append((x, x - (min(xs) - left), x + (right - max(xs))))
    spread = max(x for x, _, _ in reach) - min(x for x, _, _ in reach)
    least = max(0.0, max(low for _, low, _ in reach) - min(high for _, _, high in reach))
    assert spread <= least + 0.5, (reach, spread, least)


def _inside(node: dict, frame: dict) -> bool:
    x, y = (float(v) for v in node["pos"].split(",")[:2])
    x0, y0, x1, y1 = (float(v) for v in frame["bb"].split(","))
    return x0 <= x <= x1 and y0 <= y <= y1


@needs_dot
def test_the_refusal_names_panels_when_they_fit(tmp_path, capsys):
    out = tmp_path / "fig.svg"
    code = main(["render", RLHF, "--style", "paper", "--font-size", "7pt", "--width", "4in",
                 "--direction", "TB", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and "; --panels modes fits (" in err and "boxes)" not in err, err


@needs_dot
@pytest.mark.parametrize("options", [{}, {"width": "6.5in", "direction": "TB"}])
def test_each_diagram_is_a_panel_under_one_key_of_them_all(options):
    proposal = wiring.check_file(str(ROOT / "examples" / "best_of_n.wd")).proposal
    svg = R.render(proposal, "svg", style="paper", panels="diagrams", **options)
    root = __import__("xml.etree.ElementTree", fromlist=["x"]).fromstring(svg)
    ids = [g.get("id") for g in root.iter(f"{SVG}g") if g.get("id")]
    assert any(i.startswith("BestOfN/") for i in ids) and any(i.startswith("Filtering/")
                                                           for i in ids)
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    # one key, of the kinds of both: a reward model in one diagram, a monitor in the other
    # ("policy" is also a box of each)
    assert texts.count("monitor") == texts.count("reward model") == 1
    assert texts.count("learned") == texts.count("feedback") == 1
    # ...clear of every panel (below them, or beside the last)
    laid = _layout(R.fitted_dot(proposal, style="paper", panels="diagrams", **options)
                   if options else R.to_dot(proposal, style="paper", panels="diagrams"))
    assert all(_apart(_key_box(laid), frame) for frame in _frames(laid))


@needs_dot
def test_the_caption_of_diagram_panels_names_the_diagrams_drawn():
    from render_support import caption

    proposal = wiring.check_file(str(ROOT / "examples" / "best_of_n.wd")).proposal
    text = " ".join(caption(R.to_tree(proposal, style="full", panels="diagrams")))
    assert "diagrams BestOfN, Filtering, a panel each" in text
    assert "all modes" not in text and "diagram Filtering" not in text
    # the modes' panels are of one diagram, every mode of which the caption names
    text = " ".join(caption(R.to_tree(proposal, style="full", panels="modes")))
    assert "diagram Filtering \u00b7 all modes: filter, resample" in text


ONE_MODE = """type T
component Source : dataset, trusted {
  out y : T
}
component Box : policy, learned {
  in x : T
}
diagram Chain {
  modes only
  s = Source
  b = Box
  s.y -> b.x
}
"""


@needs_dot
@pytest.mark.parametrize("file, argv, words", [
    (str(ROOT / "examples" / "open_agency.wd"), ["--panels", "diagrams"],
     "--panels diagrams: the file has 1 top diagram, `OpenAgency`, so the figure is one "
     "panel (draw it without --panels)"),
    (None, ["--panels", "modes"],
     "--panels modes: diagram `Chain` has 1 mode, `only`, so the figure is one panel (draw "
     "it without --panels)"),
])
def test_panels_of_one_panel_are_drawn_with_a_warning_saying_so(tmp_path, capsys, file, argv,
                                                                words):
    if file is None:
        file = tmp_path / "one.wd"
        file.write_text(ONE_MODE, encoding="utf-8")
        file = str(file)
    for out in ("x.svg", "x.mmd"):
        code = main(["render", file, *argv, "-o", str(tmp_path / out)])
        err = capsys.readouterr().err
        assert code == 0 and f"wiring: warning: {words}" in err, err
    # two or more panels: no warning
    code = main(["render", RLHF, "--panels", "modes", "-o", str(tmp_path / "y.svg")])
    assert code == 0 and "warning" not in capsys.readouterr().err


# Every example with modes, in both styles and directions, and the one the figure editor saw
# (swiss_cheese's training update looped into "deploy" and "retrain" at 6.5 in, TB)
MULTI_MODE = sorted(p.stem for p in (ROOT / "examples").glob("*.wd")
                    if re.search(r"^\s*modes\s", p.read_text(encoding="utf-8"), re.M))


@needs_dot
@pytest.mark.parametrize("example", MULTI_MODE)
def test_no_wire_runs_through_a_panel_title(example):
    from render_support import titles_crossed

    proposal = wiring.check_file(str(ROOT / "examples" / f"{example}.wd")).proposal
    for style in ("paper", "full"):
        for direction in ("LR", "TB"):
            laid = _layout(R.to_dot(proposal, style=style, panels="modes", direction=direction))
            assert titles_crossed(laid) == [], (style, direction)
    laid = _layout(R.fitted_dot(proposal, style="paper", panels="modes", direction="TB",
                                width="6.5in", font_size=7))
    assert titles_crossed(laid) == [], "paper TB 6.5in 7pt"


@pytest.mark.parametrize("argv, message", [
    (["--panels", "modes", "--mode", "sft"], "leave out --mode"),
    (["--panels", "diagrams", "--diagram", "InstructGPT"], "leave out --diagram"),
    (["--panels", "sideways"], "invalid choice"),
])
def test_panels_that_make_no_sense_are_usage_errors(tmp_path, capsys, argv, message):
    try:
        code = main(["render", RLHF, *argv, "-o", str(tmp_path / "x.svg")])
    except SystemExit as exc:
        code = exc.code
    assert code == 2 and message in capsys.readouterr().err


@needs_dot
def test_a_diagram_without_modes_has_no_mode_panels(tmp_path, capsys):
    code = main(["render", str(ROOT / "examples" / "cyborgism.wd"), "--panels", "modes",
                 "-o", str(tmp_path / "x.svg")])
    assert code == 2
    assert "diagram `Cyborgism` has no modes" in capsys.readouterr().err


def _places(dot_text: str) -> dict[str, dict[str, tuple[float, float]]]:
    """Each panel's boxes (by title): where each is drawn, from the panel's top left corner
    (the panel is its outermost frame, whose box comes from the layout)."""
    laid = _layout(dot_text)
    frames = {o["name"]: o["bb"] for o in laid["objects"] if "bb" in o and "nodes" in o}
    corners = {}
    for name, bb in frames.items():
        title = name.removeprefix("cluster_").split("/", 1)[0]
        x0, _, _, y1 = (float(v) for v in bb.split(","))
        if title not in corners or x0 <= corners[title][0] and y1 >= corners[title][1]:
            corners[title] = (x0, y1)
    places: dict[str, dict] = {}
    for o in laid["objects"]:
        if "pos" in o and "nodes" not in o and "/" in o["name"]:
            title, box = o["name"].split("/", 1)
            x, y = (float(v) for v in o["pos"].split(","))
            places.setdefault(title, {})[box] = (round(x - corners[title][0], 1),
                                                 round(corners[title][1] - y, 1))
    return places


def assert_common_boxes_in_place(places: dict) -> int:
    """Every box drawn in several panels at one place in each; the number of such boxes."""
    seen: dict[str, tuple] = {}
    common = 0
    for title, boxes in places.items():
        for box, place in boxes.items():
            if box in seen:
                assert place == seen[box][1], (box, seen[box][0], title)
                common += 1
            else:
                seen[box] = (title, place)
    return common


@needs_dot
@pytest.mark.parametrize("example, options", [
    ("best_of_n", {"diagram": "BestOfN"}), ("rrm", {}),
    ("control_untrusted_monitoring_countermeasures", {"direction": "TB"}),
    ("swiss_cheese", {}), ("ida", {}),
    ("best_of_n", {"diagram": "BestOfN", "width": "6.5in", "font_size": 7}),
    ("amplification", {"direction": "TB", "width": "6.5in", "font_size": 7}),
])
def test_a_box_in_several_mode_panels_is_at_the_same_place_in_each(example, options):
    proposal = wiring.check_file(str(ROOT / "examples" / f"{example}.wd")).proposal
    dot = (R.fitted_dot if "width" in options else R.to_dot)(
        proposal, style="paper", panels="modes", **options)
    places = _places(dot)
    assert len(places) > 1 and assert_common_boxes_in_place(places) > 0


@needs_dot
def test_panels_at_a_width_are_cut_from_one_layout_only_if_that_is_not_much_taller():
    # RLHF's four panels at a page's width, cut from the layout of every mode, were 13.3 in
    # tall (each as wide as that layout: one a row) where laid out apart they take 8.3 in
    proposal = wiring.check_file(str(ROOT / "examples" / "rlhf.wd")).proposal
    svg = R.render(proposal, "svg", style="paper", panels="modes", width="6.5in", font_size=7)
    assert float(ET.fromstring(svg).get("height").removesuffix("pt")) <= 9 * 72


def _generated(seed: int) -> str:
    """A proposal of a chain of boxes in a few modes, each mode without one or two of them
    (and their wires), some boxes trained in one mode."""
    import random

    rng = random.Random(seed)
    modes = [f"m{i}" for i in range(rng.randint(2, 4))]
    count = rng.randint(4, 7)
    lines = ["type T", "component Box : policy, learned {", "  in x : T", "  out y : T", "}",
             "component Source : dataset, trusted {", "  out y : T", "}",
             "diagram Chain {", f"  modes {', '.join(modes)}", "  b0 = Source"]
    only = {}
    for i in range(1, count):
        dropped = set(rng.sample(modes, rng.randint(0, 1)))
        only[i] = [m for m in modes if m not in dropped]
        when = f" when {', '.join(only[i])}" if dropped else ""
        lines.append(f"  b{i} = Box{when}")
    for i in range(1, count):
        source = rng.randrange(i)
        both = [m for m in only[i] if source == 0 or m in only[source]]
        if both:
            lines.append(f"  b{source}.y -> b{i}.x when {', '.join(both)}")
    lines.append(f"  train b1 by sgd maximising b{count - 1}.y when {modes[0]}"
                 if modes[0] in only[1] and modes[0] in only[count - 1] else "")
    return "\n".join(lines + ["}", ""])


@needs_dot
@pytest.mark.parametrize("seed", range(8))
def test_a_box_in_several_mode_panels_of_a_generated_proposal_stays_in_place(seed):
    result = wiring.check_text(_generated(seed))
    assert result.proposal is not None, result
    places = _places(R.to_dot(result.proposal, style="paper", panels="modes"))
    assert len(places) > 1 and assert_common_boxes_in_place(places) > 0


@pytest.mark.parametrize("panels", ["modes", "diagrams"])
def test_more_panels_than_a_figure_holds_are_refused_before_any_layout(panels, tmp_path, capsys):
    # Each panel is a Graphviz layout of its own: 149 modes took 23 s, 5,000 would take half
    # an hour, for a figure nobody can read.
    from wiring.render.panels import MAX_PANELS

    n = MAX_PANELS + 1
    component = "type T\ncomponent C : model {\n  in x : T\n  out y : T\n}\n"
    if panels == "modes":
        text = component + "diagram D {\n  modes " + ", ".join(
            f"m{i} : training" for i in range(n)) + "\n  c = C\n  c.y -> c.x delayed\n}\n"
    else:
        text = component + "".join(f"diagram D{i} {{\n  c = C\n  c.y -> c.x delayed\n}}\n"
                                   for i in range(n))
    path = tmp_path / "many.wd"
    path.write_text(text)
    code = main(["render", str(path), "--panels", panels, "-o", str(tmp_path / "f.svg")])
    err = capsys.readouterr().err
    assert code == 2, err
    what = f"{n} modes" if panels == "modes" else f"{n} top diagrams"
    assert f"has {what}, more panels than a figure holds ({n - 1})" in err
    assert not (tmp_path / "f.svg").exists()
    with pytest.raises(R.RenderError):
        R.render(wiring.check_text(text, "many.wd").proposal, "svg", panels=panels)
