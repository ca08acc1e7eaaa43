"""Pictures that authors can edit: in the SVG, every box, port, optimiser, frame and wire a group
with an id and a class; the caption and the legend groups of their own; one text element per
label in the paper style; PDFs with one font family, the one `--font` names."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zlib

import pytest

from wiring import render as R
from wiring.cli import main
from wiring.render.graphviz import font_substitute
from wiring.render.svg import editable_svg

from render_support import small_file  # noqa: F401 (a fixture)
from render_support import NESTED, SMALL, SVG, load, needs_dot


def groups(svg: bytes) -> dict[str, tuple[set[str], list[str]]]:
    """Each group with an id: its classes and its texts."""
    root = ET.fromstring(svg)
    return {g.get("id"): (set(g.get("class", "").split()),
                          ["".join(t.itertext()) for t in g.iter(f"{SVG}text")])
            for g in root.iter(f"{SVG}g") if g.get("id")}


def pdf_fonts(pdf: bytes) -> set[str]:
    """The /BaseFont names of a PDF, in its plain text and its Flate streams (cairo may pack
    the font dictionaries into object streams)."""
    chunks = [pdf]
    for found in re.finditer(rb"stream\r?\n", pdf):
        end = pdf.find(b"endstream", found.end())
        try:
            chunks.append(zlib.decompress(pdf[found.end():end]))
        except zlib.error:
            pass
    return {name.decode() for chunk in chunks
            for name in re.findall(rb"/BaseFont\s*/([A-Za-z0-9+_-]+)", chunk)}


def families(pdf: bytes) -> set[str]:
    """The font families of a PDF: subset prefix ("ABCDEF+") and face ("-Bold") dropped."""
    return {name.split("+")[-1].split("-")[0] for name in pdf_fonts(pdf)}


@needs_dot
@pytest.mark.parametrize("style", ["full", "paper"])
def test_each_box_is_a_group_with_its_id_and_a_class_naming_kind_and_trust(style):
    drawn = groups(R.render(load(SMALL), "svg", style=style))
    classes, _ = drawn["pi"]
    assert {"box", "kind-agent", "trust-untrusted", "learned"} <= classes
    assert {"box", "kind-evaluator", "learned"} <= drawn["rm"][0]
    assert {"box", "kind-human"} <= drawn["h"][0] and "learned" not in drawn["h"][0]
    assert any("optimiser" in c for c, _ in drawn.values())
    assert any({"port", "in"} <= c for c, _ in drawn.values())


@needs_dot
def test_wires_and_frames_have_ids_and_classes():
    drawn = groups(R.render(load(NESTED), "svg"))
    wires = {key: c for key, (c, _) in drawn.items() if "edge" in c and "wire" in c}
    assert wires and all(re.fullmatch(r"@w[0-9]+", key) for key in wires)
    kinds = {k for c in wires.values() for k in c & {"data", "feedback", "training"}}
    assert {"data", "feedback"} <= kinds
    assert all(len(c & {"data", "feedback", "training"}) == 1 for c in wires.values())
    assert any("diagram" in c for c, _ in drawn.values())
    training = groups(R.render(load(SMALL), "svg"))
    assert any({"wire", "training"} <= c for c, _ in training.values())


@needs_dot
def test_caption_and_legend_are_groups_of_their_own():
    svg = R.render(load(SMALL), "svg")
    drawn = groups(svg)
    assert "caption" in drawn["caption"][0] and "RLHF, small" in drawn["caption"][1]
    assert drawn["legend"][1][0] == "Legend" and "Legend" not in drawn["caption"][1]
    graph = ET.fromstring(svg).find(f"{SVG}g")
    assert not [e for e in graph if e.tag == f"{SVG}text"], "a text outside any group"
    paper = groups(R.render(load(SMALL), "svg", style="paper"))
    assert paper["caption"][1] and "legend" not in paper


@needs_dot
def test_an_svg_without_a_caption_or_not_laid_out_as_expected_is_left_as_it_is():
    plain = R.run_dot("digraph { a -> b }", "svg")
    assert b'id="caption"' not in plain
    for odd in (b"not svg", b"<svg xmlns='http://www.w3.org/2000/svg'><rect/></svg>",
                b"<?xml version='1.0'?><svg><g class='graph'><text>x</text>"):
        assert editable_svg(odd) == odd


@needs_dot
def test_in_the_paper_style_each_label_is_one_text_element():
    drawn = groups(R.render(load(SMALL), "svg", style="paper"))
    assert "pi" in drawn["pi"][1]
    assert all(" : " not in text for _, texts in drawn.values() for text in texts)


@needs_dot
@pytest.mark.parametrize("style", ["paper", "full"])
@pytest.mark.parametrize("source", [SMALL, NESTED])
def test_a_pdf_embeds_one_font_family(source, style):
    # The full style's ▶ and ⚠ were not in Liberation Sans: its PDFs embedded DejaVu Sans too.
    pdf = R.render(load(source), "pdf", style=style, highlight=True)
    assert len(families(pdf)) == 1, pdf_fonts(pdf)


@needs_dot
def test_font_names_the_family_of_every_text(small_file, tmp_path):
    if font_substitute("DejaVu Sans"):
        pytest.skip("DejaVu Sans is not installed")
    out = tmp_path / "small.svg"
    assert main(["render", str(small_file), "--font", "DejaVu Sans", "-o", str(out)]) == 0
    fonts = {t.get("font-family") for t in ET.parse(out).getroot().iter(f"{SVG}text")}
    assert fonts == {"DejaVu Sans"}
    # the full style's arrows and markers, which Helvetica's stand-ins lack, are in the family
    pdf = R.render(load(NESTED), "pdf", font="DejaVu Sans", highlight=True)
    assert families(pdf) == {"DejaVuSans"}, pdf_fonts(pdf)


def test_a_bad_font_name_is_a_usage_error(small_file, capsys):
    with pytest.raises(SystemExit) as exit:
        main(["render", str(small_file), "--font", "Sans; rm", "--format", "dot"])
    assert exit.value.code == 2
    assert "--font" in capsys.readouterr().err
    with pytest.raises(R.RenderError):
        R.RenderOptions(font="Helvetica,Arial")


def test_a_font_not_installed_is_warned_about(small_file, capsys, monkeypatch):
    from wiring.render import graphviz

    monkeypatch.setattr(graphviz, "font_substitute", lambda family: "DejaVu Sans")
    assert main(["render", str(small_file), "--font", "No Such Font", "--format", "dot",
                 "-o", "-"]) == 0
    assert "'No Such Font'" in capsys.readouterr().err


def _runs(svg: bytes) -> list[tuple[str, str, str, str]]:
    """Every run as drawn: (x, y, size, text), a tspan taking its line's y and its size."""
    out = []
    for line in ET.fromstring(svg).iter(f"{SVG}text"):
        for run in line.findall(f"{SVG}tspan") or [line]:
            out.append((run.get("x", line.get("x")), line.get("y"),
                        run.get("font-size", line.get("font-size")), run.text or ""))
    return out


@needs_dot
@pytest.mark.parametrize("style", ["full", "paper"])
def test_each_line_of_a_label_is_one_text_element_with_its_runs_where_graphviz_put_them(style):
    proposal = load(SMALL)
    svg = R.render(proposal, "svg", style=style)
    raw = R.graphviz._run([R.graphviz.find_dot(), "-Tsvg"], R.to_dot(proposal, style=style), 60)
    assert _runs(svg) == _runs(raw)
    texts = ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]
    if style == "full":
        assert "pi : Policy" in texts                   # a name and its component: one element
        assert "train pi by ppo (rl)" in texts          # five runs
        assert texts.count("prompt") >= 2 and "response" in texts   # two cells stay two


@needs_dot
@pytest.mark.parametrize("fmt", ["svg", "tex"])
def test_a_dotted_border_is_round_dots_not_a_comb_of_ticks(fmt):
    # Graphviz dots a border with dashes 1 pt long on a 2 pt pen: ticks across the line, and a
    # user's box read as a comb (a figure editor's review); dots are round, their gap even
    import wiring
    from conftest import ROOT

    proposal = wiring.check_file(str(ROOT / "examples" / "rlhf.wd")).proposal
    text = R.render(proposal, fmt, style="paper").decode("utf-8")
    if fmt == "svg":
        dotted = re.findall(r'<[^>]*stroke-dasharray="([^"]*)"[^>]*>', text)
        assert dotted and "1,5" not in dotted
        assert all('stroke-linecap="round"' in element for element in
                   re.findall(r'<[^>]*stroke-dasharray="0[^"]*"[^>]*>', text))
        assert re.search(r'stroke-dasharray="0[.0-9]*,[0-9.]+"', text)
    else:
        assert "on 1bp off 5bp" not in text and "line cap=round" in text
