"""Shared by the render tests: small proposals, and readers of the scene and the DOT tree
(what is drawn, as data, rather than substrings of the printed DOT)."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import wiring
from wiring import render as R
from wiring.render import dot as RD
from wiring.render import scene as RS
from wiring.model import Diagram, Proposal
from wiring.types import show_expr

from conftest import ROOT



GOLDEN = Path(__file__).resolve().parent / "golden"
HAVE_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.needs_tool("dot")       # skips, or fails under WIRING_TEST_STRICT
SVG = "{http://www.w3.org/2000/svg}"

SMALL = """\
proposal "RLHF, small"
cites "Ouyang et al. 2022, Training language models to follow instructions, arXiv:2203.02155"
type Prompt
type Response
param beta : Real >= 0 = 0.1
component Policy : policy, learned, untrusted {
  in  prompt   : Prompt
  out response : Response
  note "the model being trained"
}
component RewardModel : reward_model, learned {
  in  prompt   : Prompt
  in  response : Response
  out score    : Real in [0, 1]
}
component Labeler : rater {
  in  response : Response
  out label    : Real in [0, 1]
}
diagram RLHF {
  modes train, deploy
  in  prompt   : Prompt
  out response : Response
  pi  = Policy
  ref = frozen pi when train          note "the KL anchor"
  rm  = RewardModel when train
  h   = Labeler when train
  prompt -> pi.prompt
  prompt -> ref.prompt, rm.prompt when train
  pi.response -> response
  pi.response -> rm.response, h.response when train
  train pi by ppo maximising rm.score - beta * kl(pi, ref) when train
  train rm by sgd maximising h.label when train
}
"""

NESTED = """\
proposal "Nested, with feedback"
type Obs
type Act
component Agent : policy, learned {
  in  obs : Obs
  out act : Act
}
component Guard : filter, trusted {
  in  act : Act
  in  alarm : Bool merge any
  out act_out : Act
}
component Watch : monitor, trusted, stateful {
  in  act : Act
  out alarm : Bool
}
component World : environment, environment, stateful {
  in  act : Act
  out obs : Obs
}
diagram Guarded {
  in  obs : Obs
  out act : Act
  agent = Agent
  guard = Guard
  watch = Watch
  obs -> agent.obs
  agent.act -> guard.act, watch.act
  watch.alarm -> guard.alarm
  guard.act_out -> act
}
diagram Loop {
  system = Guarded
  world  = World
  system.act -> world.act
  world.obs -> system.obs delayed
}
"""

# An untrusted, learned policy wired straight to a sink and trained on a learned reward model:
# S0201 (pi -> user) and S0101 (pi -> rm -> [ppo: maximise rm.score]).
UNGATED = """\
proposal "Ungated policy"
type Prompt
type Response
component Policy : policy, learned, untrusted {
  in  prompt   : Prompt
  out response : Response
}
component RewardModel : reward_model, learned {
  in  response : Response
  out score    : Real in [0, 1]
}
component User : sink {
  in  response : Response
}
diagram Deploy {
  in  prompt : Prompt
  pi   = Policy
  rm   = RewardModel
  user = User
  prompt -> pi.prompt
  pi.response -> user.response, rm.response
  train pi by ppo maximising rm.score
}
"""


def load(text: str, name: str = "inline.wd") -> Proposal:
    return wiring.loads(text, name)


def svg_texts(svg: bytes) -> list[str]:
    """The text of every text element of an SVG picture: one per line of a label (Graphviz
    writes one per font run, then `svg.join_runs` joins them)."""
    root = ET.fromstring(svg)
    return [("".join(t.itertext())).strip() for t in root.iter(f"{SVG}text")]


def svg_nodes(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g")
            if "node" in g.get("class", "").split()]    # "node box kind-agent ..."


# ------------------------------------------------------------------ reading the scene and tree

def drawn(proposal, diagram=None, **options):
    """The scene of a picture and its DOT syntax tree."""
    scene = R.to_scene(proposal, diagram, **options)
    return scene, R.tree_of(scene)


def wires(scene, graph) -> dict:
    """The edges of a DOT tree by the readable names of their ends, as written (a backward
    edge from its head): `pi.response` for a port of a box, `pi:h` for its header (`pi:h:ne`
    for its north-east corner), `in:prompt` for a port of the diagram, `train pi` for an
    optimiser (see `Scene.names`)."""
    names = scene.names()
    ports = {(box.id, cell): port.name for box in scene.nodes().values()
             if isinstance(box, RS.Box) for cell, port in box.ins + box.outs}

    def name(end):
        text = names[end.node]
        if (end.node, end.port) in ports:
            return text + "." + ports[(end.node, end.port)]
        if end.port is None:
            return text
        return f"{text}:{end.port}" + (f":{end.compass}" if end.compass else "")
    found: dict = {}
    for edge in graph.edges():
        key = (name(edge.tail), name(edge.head))
        assert key not in found or edge.attrs.get("style") == "invis", key
        found[key] = edge
    return found


def node_ids(scene) -> dict:
    """Node id by readable name."""
    return {name: node for node, name in scene.names().items()}


def end_name(scene, ref) -> str:
    """The readable name of one end of a scene's wire (`pi.response`, `pi`, `in:prompt`)."""
    name = scene.names()[ref.node]
    return f"{name}.{ref.name}" if ref.kind == "cell" else name


def witnesses(scene) -> tuple[dict, set]:
    """What a highlighted scene emphasises: finding codes by node name (sorted), and the
    wires on a witness by the names of their ends."""
    names = scene.names()
    codes = {names[node]: sorted(found) for node, found in scene.emphasis.items()}
    on = {(end_name(scene, w.src), end_name(scene, w.dst)) for w in scene.wires if w.emphasis}
    return codes, on


# What a label shows. An HTML-like label of the tree is XML-like markup: parsed, it gives the
# text a reader sees (fonts and bold dropped, character references decoded, <BR/> a newline,
# a backslash pair one backslash as Graphviz reads it), cell by cell.

def label_root(label: str) -> ET.Element:
    """An HTML-like label parsed (it must parse: user text in it is escaped)."""
    return ET.fromstring(f"<L>{label}</L>")


def shown(element: ET.Element) -> str:
    def text(e):
        parts = [e.text or ""]
        for child in e:
            parts += ["\n" if child.tag == "BR" else text(child), child.tail or ""]
        return "".join(parts)
    return text(element).replace("\\\\", "\\")


def cells(label: str) -> list[str]:
    """The text of every innermost cell of a label that shows any, in order."""
    found = [shown(td).strip() for td in label_root(label).iter("TD") if td.find(".//TD") is None]
    return [text for text in found if text]


def port_cells(label: str) -> dict[str, str]:
    """The text of each cell a wire can end at, by its PORT."""
    return {td.get("PORT"): shown(td).strip() for td in label_root(label).iter("TD")
            if td.get("PORT") is not None}


def caption(graph) -> list[str]:
    """The cells of the caption below the picture (the graph's label): [] without one."""
    labels = [s.value for s in graph.statements if isinstance(s, RD.Assign) and s.key == "label"]
    assert len(labels) <= 1
    return cells(labels[0]) if labels else []


def caption_codes(graph) -> list[str]:
    """The codes of the findings the caption lists, in order."""
    return [m.group(1) for text in caption(graph)
            for m in [re.match(rf"{R.MARKER} (\S+) [a-z]+: ", text)] if m]


def node_label(scene, graph, name: str) -> str:
    """The label of the node a scene calls `name`, before its tooltip."""
    return graph.nodes()[node_ids(scene)[name]].attrs["label"]


def frame_attrs(graph, frame: str) -> dict:
    """The attributes of a frame (the `graph [...]` that opens its subgraph)."""
    (sub,) = [s for s in graph.subgraphs() if s.id == frame]
    assert isinstance(sub.statements[0], RD.Defaults) and sub.statements[0].kind == "graph"
    return sub.statements[0].attrs


def on_witness(graph) -> set[str]:
    """The nodes drawn in the thick highlight frame."""
    tables = {node.id: label_root(node.attrs["label"])[0] for node in graph.nodes().values()}
    return {node for node, table in tables.items()
            if table.get("BORDER") == "3" and table.get("COLOR") == R.HIGHLIGHT_COLOUR}


def expected_labels(proposal: Proposal, diagram: Diagram, mode: str | None = None):
    """(instance name, box name, port names) of every box drawn for `diagram`, expanded."""
    def active(modes, owner):
        return mode is None or modes is None or mode not in owner.modes or mode in modes

    for instance in diagram.instances:
        if not active(instance.modes, diagram):
            continue
        box = proposal.box(instance.of)
        if instance.of_diagram and isinstance(box, Diagram):
            yield instance.name, box.name, [p.name for p in box.ports if active(p.modes, box)]
            yield from expected_labels(proposal, box, mode)
        else:
            ports = box.ports if box is not None else []
            values = ", ".join(f"{k} = {show_expr(v)}" for k, v in instance.args.items())
            named = f"{instance.of}({values})" if values else instance.of
            yield instance.name, named, [p.name for p in ports if active(p.modes, diagram)]


def example_id(path: Path) -> str:
    return path.relative_to(ROOT / "examples").with_suffix("").as_posix()


@pytest.fixture
def small_file(tmp_path):
    path = tmp_path / "small.wd"
    path.write_text(SMALL, encoding="utf-8")
    return path


def titles_crossed(laid: dict) -> list[tuple[str, int, int]]:
    """The panels' titles (the labels of the outermost frames of a `dot -Tjson` layout) that a
    wire runs through: (frame, tail, head) for each wire with a point of its curves (sampled
    as the crossings are counted: `untangle.curve`) or of its arrowheads in a title's box."""
    from wiring.render.untangle import curve

    inner = {g for o in laid["objects"] for g in o.get("subgraphs", [])}
    found = []
    for frame in laid["objects"]:
        if "nodes" not in frame or frame["_gvid"] in inner or "lp" not in frame:
            continue
        x, y = (float(v) for v in frame["lp"].split(","))
        w, h = float(frame["lwidth"]) * 36, float(frame["lheight"]) * 36
        for edge in laid.get("edges", []):
            arrows = [tuple(p) for op in edge.get("_hdraw_", []) + edge.get("_tdraw_", [])
                      for p in op.get("points", [])]
            if any(abs(px - x) <= w and abs(py - y) <= h for px, py in curve(edge) + arrows):
                found.append((frame["name"], edge["tail"], edge["head"]))
    return found


def bezier(points: list, t: float) -> tuple[float, float]:
    """The point at t (0 to 1) of the Bézier curve of control points `points` (de Casteljau),
    as a reader of Graphviz's `_draw_` computes it: the tests measure drawn curves with it."""
    while len(points) > 1:
        points = [((1 - t) * a[0] + t * b[0], (1 - t) * a[1] + t * b[1])
                  for a, b in zip(points, points[1:])]
    return points[0]
