"""Mermaid output (`wiring render -o fig.mmd`): every example parses and draws with the Mermaid
CLI, hostile names stay text, training and nesting are drawn apart, and the CLI's choices."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from wiring import render as R
from wiring.api import check_file
from wiring.render.style import HIGHLIGHT_COLOUR, TRAINING_COLOUR

from conftest import EXAMPLES, MMDC, PUPPETEER_CONFIG, ROOT
from render_support import NESTED, example_id, load
from test_render import HOSTILE, hostile_proposal

WIRING = [sys.executable, "-m", "wiring"]


def _proposal(path):
    result = check_file(str(path))
    assert result.ok, path
    return result.proposal


def _charts() -> list[tuple[str, str]]:
    """(name, chart) of every example (in turn full style and highlighted with types, paper
    style top to bottom: mmdc takes seconds a chart), as panels, and of the hostile proposal:
    what the Mermaid CLI must parse."""
    looks = [dict(highlight=True, show_types=True), dict(style="paper", direction="TB")]
    charts = []
    for number, path in enumerate(EXAMPLES):
        charts.append((example_id(path), R.to_mermaid(_proposal(path), **looks[number % 2])))
    charts.append(("rlhf panels", R.to_mermaid(_proposal(ROOT / "examples" / "rlhf.wd"),
                                               panels="modes", style="paper")))
    charts.append(("hostile", R.to_mermaid(hostile_proposal(), show_types=True)))
    charts.append(("hostile flat", R.to_mermaid(hostile_proposal(), flatten=True,
                                                style="paper")))
    return charts


# mmdc draws the charts of one Markdown page all at once, a browser page each: more than a
# few on two cores and its pages time out. So a page per batch, one mmdc run each.
BATCH = 8


@pytest.mark.needs_tool("mmdc")
def test_every_example_parses_and_draws_with_the_mermaid_cli(tmp_path):
    """mmdc fails on the first chart of a page it cannot parse, and writes one SVG per chart."""
    charts = _charts()
    svgs = []
    for start in range(0, len(charts), BATCH):
        batch = charts[start:start + BATCH]
        page = "".join(f"## {name}\n\n```mermaid\n{chart}```\n\n" for name, chart in batch)
        (tmp_path / f"page{start}.md").write_text(page, encoding="utf-8")
        run = subprocess.run([str(MMDC), "-p", str(PUPPETEER_CONFIG), "-i", f"page{start}.md",
                              "-o", f"out{start}.md"], cwd=tmp_path, capture_output=True,
                             text=True, timeout=600)
        assert run.returncode == 0, ", ".join(n for n, _ in batch) + run.stderr[-3000:]
        made = sorted(tmp_path.glob(f"out{start}-*.svg"),
                      key=lambda p: int(p.stem.split("-")[-1]))
        assert len(made) == len(batch)
        svgs += made
    # the hostile names are shown as text: no element made from them
    hostile = svgs[-2].read_text(encoding="utf-8")
    assert "<b>&amp;" not in hostile and "\U0001F642" in hostile


def _labels(chart: str) -> list[str]:
    return re.findall(r'"([^"]*)"', chart.split("\n", 4)[-1])


@pytest.mark.parametrize("options", [{}, {"flatten": True}, {"style": "paper"},
                                     {"direction": "TB", "show_types": True}])
def test_hostile_names_stay_inside_their_labels(options):
    chart = R.to_mermaid(hostile_proposal(), **options)
    body = chart.split("flowchart", 1)[1]
    # every quote opens or closes a label, and no label holds a character Mermaid reads
    assert body.count('"') % 2 == 0
    for label in _labels(body):
        assert re.fullmatch(r"([^#<>]|#[0-9]+;|<b>|</b>|<br>|<i>|</i>)*", label), label
    # node ids are made by wiring, never from names: `end` cannot be read as the keyword
    ids = re.findall(r"^\s+(\w+)[\[({]", body, re.M)
    assert ids and all(re.fullmatch(r"(p\d+_)?[ng]\d+|k[fbw]\d+[ab]?", i) for i in ids)


def test_a_name_that_is_a_keyword_is_only_a_label():
    from wiring.model import Attributes, Component, Diagram, Endpoint, Instance, Port
    from wiring.model import OpaqueType, Proposal, Wire

    port = lambda n, d: Port(name=n, direction=d, type=OpaqueType(name="T"), written="T")
    comp = Component(name="end", attributes=Attributes(kind="policy"),
                     ports=[port("end", "in"), port("subgraph", "out")])
    top = Diagram(name="end", instances=[Instance(name="end", of="end",
                                                  attributes=comp.attributes)],
                  ports=[port("graph", "in")],
                  wires=[Wire(source=Endpoint(instance=None, port="graph"),
                              target=Endpoint(instance="end", port="end"))])
    chart = R.to_mermaid(Proposal(file="x.wd", components={"end": comp},
                                  diagrams={"end": top}))
    statements = [line.split()[0] for line in chart.splitlines()[1:] if line.strip()]
    # each `end` closes a subgraph (the diagram's frame, the key): none is a name
    assert statements.count("end") == statements.count("subgraph") == 2


def test_training_and_feedback_wires_are_styled_apart():
    chart = R.to_mermaid(_proposal(ROOT / "examples" / "rlhf.wd"))
    edges = [line for line in chart.splitlines() if re.search(r" (-->|==>|-\.->)", line)]
    styles = dict(re.findall(r"linkStyle ([\d,]+) (\S+)", chart))
    numbered = {int(n): style for numbers, style in styles.items() for n in numbers.split(",")}
    assert len(numbered) == len(edges)
    updates = [i for i, e in enumerate(edges) if "==>" in e]
    assert updates and all(TRAINING_COLOUR in numbered[i] for i in updates)
    data = [i for i, e in enumerate(edges) if "-->" in e and TRAINING_COLOUR not in numbered[i]]
    assert data and any("-.->" in e for e in edges)    # the delayed loop with the user


def test_nested_diagrams_are_subgraphs():
    proposal = load(NESTED)
    scene = R.to_scene(proposal)
    frames = [c for c in scene.clusters() if c.instance is not None]
    count = lambda **o: R.to_mermaid(proposal, legend=False, **o).count("subgraph ")
    assert count() == len(frames) + 1 and frames          # and the diagram's own
    assert count(flatten=True) == 1
    assert count(style="paper", flatten=True) == 0


def test_the_key_explains_what_is_drawn_unless_left_out():
    from wiring.render.labels import WIRE_WORDS
    from wiring.render.style import FAMILY

    proposal = _proposal(ROOT / "examples" / "rlhf.wd")
    chart = R.to_mermaid(proposal)
    families, borders, wires, _ = R.to_scene(proposal).legend()
    key = chart[chart.index('subgraph key'):]
    for family in families:
        assert f'"{R.mermaid.text(FAMILY[family].label)}"' in key
    for wire in wires:
        assert f'|"{R.mermaid.text(WIRE_WORDS[wire])}"|' in key
    assert "subgraph key" not in R.to_mermaid(proposal, legend=False)


def test_panels_follow_each_other_in_order():
    chart = R.to_mermaid(_proposal(ROOT / "examples" / "rlhf.wd"), panels="modes")
    titles = re.findall(r'subgraph (p\d+)\["<b>(\w+)</b>"\]', chart)
    assert [t for _, t in titles] == ["sft", "reward", "rl", "deploy"]
    assert " ~~~ ".join(p for p, _ in titles) in chart


def test_highlighted_witnesses_are_magenta():
    chart = R.to_mermaid(_proposal(ROOT / "examples" / "debate.wd"), highlight=True)
    assert re.search(rf"classDef \w+_witness .*stroke:{HIGHLIGHT_COLOUR}", chart)
    assert "\u203c" in chart


def test_render_writes_mermaid_by_suffix_and_format(tmp_path):
    out = tmp_path / "fig.mmd"
    run = subprocess.run(WIRING + ["render", "examples/debate.wd", "-o", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "flowchart LR" in out.read_text(encoding="utf-8")
    run = subprocess.run(WIRING + ["render", "examples/debate.wd", "--format", "mermaid",
                                   "--style", "paper", "-o", "-"], capture_output=True,
                         text=True)
    assert run.returncode == 0 and run.stdout.startswith("flowchart LR")


def test_sizes_on_paper_are_refused_for_mermaid(tmp_path):
    run = subprocess.run(WIRING + ["render", "examples/debate.wd", "-o", str(tmp_path / "f.mmd"),
                                   "--width", "3in"], capture_output=True, text=True)
    assert run.returncode == 2 and "--width" in run.stderr
    assert not (tmp_path / "f.mmd").exists()


def test_the_same_chart_whatever_the_hash_seed():
    texts = set()
    for seed in ("1", "2"):
        run = subprocess.run(WIRING + ["render", "examples/ida.wd", "-o", "-", "--format",
                                       "mermaid", "--highlight"], capture_output=True,
                             env={**os.environ, "PYTHONHASHSEED": seed})
        assert run.returncode == 0
        texts.add(run.stdout)
    assert len(texts) == 1
