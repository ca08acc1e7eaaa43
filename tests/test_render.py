"""Rendering: DOT text (deterministic, escaped, golden), pictures of every example, the CLI's
`render` and `doctor`, and what happens without Graphviz."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import wiring
from wiring import render as R
from wiring.render import dot as RD
from wiring import structure
from wiring.render import joined as RJ
from wiring.render import scene as RS
from wiring.cli import main
from wiring.model import (Attributes, Binary, Call, Component, Diagram, Endpoint, Instance,
                          KindDecl, Name, OpaqueType, Port, PortRef, Proposal, Training, Wire)

from conftest import EXAMPLES, ROOT

GOLDEN = Path(__file__).resolve().parent / "golden"
HAVE_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAVE_DOT, reason="Graphviz `dot` is not installed")
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
    """Every text run of an SVG picture (Graphviz splits HTML labels at font changes)."""
    root = ET.fromstring(svg)
    return [("".join(t.itertext())).strip() for t in root.iter(f"{SVG}text")]


def svg_nodes(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g")
            if g.get("class") == "node"]


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
            yield instance.name, instance.of, [p.name for p in ports if active(p.modes, diagram)]


# ------------------------------------------------------------------------------------ examples

def _example_id(path: Path) -> str:
    return path.relative_to(ROOT / "examples").with_suffix("").as_posix()


@needs_dot
@pytest.mark.parametrize("path", EXAMPLES, ids=_example_id)
def test_every_example_renders_to_svg_with_every_box_and_port_label(path):
    result = wiring.check_file(str(path))
    if not result.ok:
        pytest.skip(f"{path.name} does not check (reported by the checker's tests)")
    proposal = result.proposal
    for diagram in structure.top_diagrams(proposal):
        name = diagram.name
        for mode in [None] + diagram.modes:
            svg = R.render(proposal, "svg", name, mode=mode)
            texts = svg_texts(svg)            # parses as XML, or raises
            joined = "\n".join(texts)
            for instance, box, ports in expected_labels(proposal, diagram, mode):
                assert instance in texts, f"{path.name} {name} {mode}: box {instance} missing"
                assert f": {box}" in texts, f"{path.name}: component {box} missing"
                for port in ports:
                    assert re.search(rf"(^|\n|\s){re.escape(port)}(\s|$)", joined), \
                        f"{path.name} {name} {mode}: port {instance}.{port} missing"
            for training in diagram.trainings:
                if mode is None or training.modes is None or mode in training.modes:
                    assert f"train {training.target}" in texts
            if proposal.title:
                assert proposal.title.split("\n")[0][:40] in joined


@pytest.mark.parametrize("path", EXAMPLES, ids=_example_id)
def test_every_example_gives_the_same_dot_twice_and_after_a_json_round_trip(path):
    result = wiring.check_file(str(path))
    if not result.ok:
        pytest.skip(f"{path.name} does not check")
    proposal = result.proposal
    again = wiring.load_json(proposal.model_dump_json())
    for depth, flatten in ((None, False), (0, False), (None, True)):
        first = R.to_dot(proposal, depth=depth, flatten=flatten)
        assert first == R.to_dot(proposal, depth=depth, flatten=flatten)
        assert first == R.to_dot(again, depth=depth, flatten=flatten)
        assert first.isascii()


def test_dot_does_not_depend_on_hash_seed():
    script = ("import sys, wiring; from wiring.render import to_dot; "
              "sys.stdout.write(to_dot(wiring.load('examples/rlhf.wd')))")
    outputs = set()
    for seed in ("1", "2", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             env=env, cwd=ROOT, check=True)
        outputs.add(run.stdout)
    assert len(outputs) == 1


# -------------------------------------------------------------------------------------- golden

@pytest.mark.parametrize("name, text, options", [
    ("small", SMALL, {}),
    ("small-train-types", SMALL, {"mode": "train", "show_types": True}),
    ("nested", NESTED, {}),
    ("nested-flat-tb", NESTED, {"flatten": True, "direction": "TB"}),
    ("ungated-highlight", UNGATED, {"highlight": True}),
])
def test_golden_dot(name, text, options):
    """DOT text is compared byte for byte. After an intended change to the renderer:
    WIRING_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_render.py -k golden"""
    dot = R.to_dot(load(text, f"{name}.wd"), **options)
    path = GOLDEN / f"{name}.dot"
    if os.environ.get("WIRING_UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(dot, encoding="ascii")
    assert path.exists(), f"missing {path}; run with WIRING_UPDATE_GOLDEN=1"
    assert dot == path.read_text(encoding="ascii")


# ----------------------------------------------------------------------------- what is drawn

def test_boxes_have_port_cells_and_wires_attach_to_the_exact_port():
    scene, graph = drawn(load(SMALL))
    edges = wires(scene, graph)
    # a wire leaves its output cell on the east side and enters its input cell on the west
    wire = edges[("pi.response", "rm.response")]
    assert (wire.tail.compass, wire.head.compass) == ("e", "w")
    assert ("pi.response", "h.response") in edges and ("in:prompt", "pi.prompt") in edges
    # each port is a cell of its box's label, named as the wire's end names it and showing
    # the port's name; the header (`h`, where updates arrive) names the box and its «kind»
    nodes = graph.nodes()
    for name, kind in (("pi", "policy"), ("rm", "reward_model"), ("h", "rater")):
        box = scene.nodes()[node_ids(scene)[name]]
        shows = port_cells(nodes[box.id].attrs["label"])
        assert shows.pop("h").startswith(f"{name} : {box.box_name}\n\u00ab{kind}\u00bb")
        assert shows == {cell: port.name for cell, port in box.ins + box.outs}
    assert [p.name for _, p in scene.nodes()["rm"].ins] == ["prompt", "response"]


def test_training_is_an_optimiser_node_with_signal_and_update_wires():
    scene, graph = drawn(load(SMALL))
    opt = node_ids(scene)["train pi"]
    assert cells(graph.nodes()[opt].attrs["label"]) == [
        "train pi by ppo (rl)", "maximise rm.score - beta * kl(pi, ref)"]
    edges = wires(scene, graph)
    signal = edges[("rm.score", "train pi")]               # the signal, from the exact port
    assert signal.attrs["color"] == R.TRAINING_COLOUR and signal.attrs["arrowhead"] == "vee"
    assert ("ref:h", "train pi") in edges                   # the KL anchor, by name
    update = edges[("pi:h:ne", "train pi")]                 # written backwards, into the header
    assert update.attrs["dir"] == "back" and update.attrs["arrowtail"] == "empty"
    assert R.TRAINING_COLOUR in update.attrs["color"]
    data = edges[("pi.response", "rm.response")]
    assert "color" not in data.attrs and "style" not in data.attrs


def test_mode_keeps_only_what_is_active():
    proposal = load(SMALL)
    deploy = R.to_scene(proposal, mode="deploy").names().values()
    assert "pi" in deploy and "rm" not in deploy and "h" not in deploy
    assert not any(name.startswith("train ") for name in deploy)
    train = R.to_scene(proposal, mode="train").names().values()
    assert "rm" in train and "train rm" in train
    # what exists only in some modes says so when all modes are drawn, and only then
    scene, graph = drawn(proposal)
    assert scene.nodes()["rm"].modes_note == "only in train"
    assert "only in train" in cells(node_label(scene, graph, "rm"))
    assert "only in train" not in cells(node_label(scene, graph, "pi"))
    scene, graph = drawn(proposal, mode="train")
    assert not any(text.startswith("only in") for node in graph.nodes().values()
                   for text in cells(node.attrs["label"]))


def test_unknown_mode_and_diagram_are_errors():
    proposal = load(SMALL)
    with pytest.raises(R.RenderError, match="no mode `eval`.*train, deploy"):
        R.to_scene(proposal, mode="eval")
    with pytest.raises(R.RenderError, match="no diagram `Nope`.*RLHF"):
        R.to_scene(proposal, "Nope")
    with pytest.raises(R.RenderError, match="direction"):
        R.to_dot(proposal, direction="diagonal")
    with pytest.raises(R.RenderError, match="depth"):
        R.to_scene(proposal, depth=-1)
    with pytest.raises(R.RenderError):
        R.render(proposal, "gif")


def test_the_diagram_drawn_by_default_is_the_top_one_and_the_last_declared_of_several():
    proposal = load(NESTED)
    assert [d.name for d in structure.top_diagrams(proposal)] == ["Loop"]
    assert R.to_scene(proposal).diagram.name == "Loop"
    two = load(SMALL + "diagram Other {\n  in prompt : Prompt\n  p = Policy\n"
                       "  prompt -> p.prompt\n}\n")
    assert R.to_scene(two).diagram is structure.default_diagram(two)
    assert R.to_scene(two).diagram.name == "Other"
    assert "diagram Other" in caption(R.to_tree(two))
    assert "diagram RLHF \u00b7 all modes: train, deploy" in caption(R.to_tree(two, "RLHF"))


def test_nested_diagrams_are_clusters_with_ports_collapsible_and_flattenable():
    proposal = load(NESTED)
    full, tree = drawn(proposal)
    frames = {c.id: c for c in full.clusters()}
    system = frames[full.drawn[("system",)]]
    assert system.inner == "Guarded" and system.instance.name == "system"
    assert {full.names()[i.id] for i in system.items} >= {
        "system.in:obs", "system.out:act", "system.agent", "system.guard", "system.watch"}
    assert [s.id for s in tree.subgraphs()] == [full.root.id, system.id]
    collapsed, tree = drawn(proposal, depth=0)
    assert len(collapsed.clusters()) == 1 and len(tree.subgraphs()) == 1
    assert collapsed.nodes()[collapsed.drawn[("system",)]].is_diagram
    assert "system.agent" not in collapsed.names().values()
    flat, tree = drawn(proposal, flatten=True)
    assert len(flat.clusters()) == 1 and not flat.inner_pins
    edges = wires(flat, tree)
    # the wires into and out of the nested diagram's ports are joined to the wires inside it
    # (the delayed one closes the loop, so it is written from its head)
    assert "odot" in edges[("system.agent.obs", "world.obs")].attrs.values()
    assert ("system.guard.act_out", "world.act") in edges
    assert not [key for key in edges if "system.in:obs" in key or "system.out:act" in key]
    assert flat.nodes()[flat.drawn[("system", "agent")]].label == "system.agent"


def test_a_joined_wire_shows_the_wires_it_joins_in_its_tooltip():
    flat = R.to_scene(load(NESTED), flatten=True)
    (joined,) = [w for w in flat.wires if (end_name(flat, w.src), end_name(flat, w.dst)) ==
                 ("world.obs", "system.agent.obs")]
    assert joined.tooltip.splitlines() == ["world.obs -> system.obs : Obs (delayed)",
                                           "system: obs -> agent.obs : Obs"]
    assert joined.delayed and joined.type_text == "Obs"


def flat_ends(proposal, name, **options):
    """The data wires of a flattened drawing, and those of `wiring.structure.flatten` active
    in the mode, by their ends (box path or outer port, port)."""
    scene = R.to_scene(proposal, name, flatten=True, **options)
    names = scene.names()
    drawn = {((names[w.src.node], w.src.name), (names[w.dst.node], w.dst.name), w.delayed)
             for w in scene.wires if w.style == "data"}
    flat = structure.flatten(proposal, proposal.diagrams[name])
    mode = options.get("mode")
    wanted = {((w.source, w.source_port), (w.target, w.target_port), w.delayed)
              for w in flat.wires if structure.active(w.modes, mode)}
    return drawn, wanted


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_a_flattened_drawing_draws_the_wires_of_structure_flatten(example):
    proposal = wiring.load(example)
    for diagram in structure.top_diagrams(proposal):
        for mode in [None] + diagram.modes:
            drawn, wanted = flat_ends(proposal, diagram.name, mode=mode)
            assert drawn == wanted


MODE_OF_INNER = """\
type T
component A : policy, learned {
  in x : T
  out y : T
}
diagram Q {
  modes a, m
  in x : T
  out y : T
  q = A
  x -> q.x
  q.y -> y
}
diagram P {
  modes a
  in x : T
  out y : T
  p = A when a
  inner = Q
  x -> p.x when a
  p.y -> inner.x when a
  inner.y -> y
}
"""


def test_a_mode_only_a_nested_diagram_declares_is_drawn_as_flattening_sees_it():
    # `m` is no mode of P: what P restricts to `a` does not exist in it (as for the analyses),
    # framed or flattened
    proposal = load(MODE_OF_INNER)
    for flatten in (False, True):
        scene = R.to_scene(proposal, "P", mode="m", flatten=flatten)
        assert "p" not in scene.names().values() and "inner.q" in scene.names().values()
        ends = [(end_name(scene, w.src), end_name(scene, w.dst)) for w in scene.wires]
        assert ends == ([("inner.q.y", "out:y")] if flatten else
                        [("inner.in:x", "inner.q.x"), ("inner.q.y", "inner.out:y"),
                         ("inner.out:y", "out:y")])


def test_joined_wires_keep_the_order_flattened_drawings_always_had():
    key = RJ.order_key
    assert key([7], []) == (0, 7)
    # a wire meeting no junction comes before every joined one, in drawing order
    assert key([1], []) < key([3], []) < key([0, 2], ["j"])
    # joined wires: by their greatest junction, then by their parts
    assert key([0, 5], ["b"]) > key([4, 1], ["a"])
    assert key([0, 5, 2], ["a", "c"]) == (1, "c", 1, "a", 0, 0, 0, 5, 0, 2)
    deep = key(list(range(3000)), [f"{i:05}" for i in range(2999)])   # no recursion limit
    assert deep[:2] == (1, "02998") and len(deep) == 2 * 2999 + 2 * 3000


PORTS = """\
type T
component A : policy, learned {
  in x : T
  out y : T
}
component S : tool {
  in x : T
}
component G : tool {
  out y : T
}
component M : reward_model {
  in x : T
  out s : Real
}
diagram Inner {
  in x : T
  out y : T
  a = A
  s = S
  m = M
  g = G
  x -> a.x
  a.y -> y, s.x, m.x
  train a by ppo maximising m.s
}
diagram Outer {
  in x : T
  out y : T
  i = Inner
  b = A
  n = M
  x -> i.x
  i.y -> b.x
  b.y -> y, n.x
  train b by sgd maximising n.s
}
"""


def test_ports_sit_at_the_edges_of_their_frame():
    scene, graph = drawn(load(PORTS))
    invisible = sorted(key for key, edge in wires(scene, graph).items()
                       if edge.attrs.get("style") == "invis")
    # a nested diagram's inputs come before the boxes nothing inside feeds, its outputs
    # after the boxes that feed nothing inside and after its optimisers; the diagram drawn
    # has rank=min/max for its boxes, and invisible wires only past its optimisers
    assert invisible == [("i.g", "i.out:y"), ("i.in:x", "i.g"), ("i.s", "i.out:y"),
                         ("i.train a", "i.out:y"), ("train b", "out:y")]
    ranks = [s for s in graph.statements[-1].statements if isinstance(s, RD.SameRank)]
    assert [(r.rank, [scene.names()[n] for n in r.nodes]) for r in ranks] == [
        ("min", ["in:x"]), ("max", ["out:y"])]
    # wires meet a port of a diagram on its outer side, as they meet a box's port cells
    for direction, out, into in (("LR", "e", "w"), ("TB", "s", "n")):
        scene, graph = drawn(load(NESTED), direction=direction)
        edges = wires(scene, graph)
        for key in (("system.guard.act_out", "system.out:act"),
                    ("system.in:obs", "system.agent.obs")):
            assert (edges[key].tail.compass, edges[key].head.compass) == (out, into), key


def test_feedback_is_recognisable():
    scene, graph = drawn(load(NESTED), depth=0)
    delayed = wires(scene, graph)[("system.obs", "world.obs")]    # the way back of a loop
    assert delayed.attrs["style"] == "dashed" and delayed.attrs["color"] == R.FEEDBACK_COLOUR
    assert "odot" in delayed.attrs.values()
    # a loop closed without a delay (through a stateful box) is drawn as feedback too
    looped = load("""
type T
component A : policy, stateful {
  in x : T
  out y : T
}
component B : tool {
  in x : T
  out y : T
}
diagram D {
  a = A
  b = B
  a.y -> b.x
  b.y -> a.x
}
""")
    scene, graph = drawn(looped)
    edges = wires(scene, graph)
    # feedback meets its ports where every wire does: into the input from its outer side,
    # out of the output from its outer side (written head first, with dir=back)
    back = edges[("a.x", "b.y")]
    assert back.attrs["style"] == "dashed" and back.attrs["dir"] == "back"
    assert (back.tail.compass, back.head.compass) == ("w", "e")
    assert "style" not in edges[("a.y", "b.x")].attrs
    scene, graph = drawn(looped, direction="TB")
    back = wires(scene, graph)[("a.x", "b.y")]
    assert (back.tail.compass, back.head.compass) == ("n", "s")


def test_parameter_updates_enter_the_header_corner_facing_the_optimiser():
    for direction, corner in (("LR", "ne"), ("TB", "nw")):
        scene, graph = drawn(load(SMALL), direction=direction)
        update = wires(scene, graph)[(f"pi:h:{corner}", "train pi")]
        assert update.attrs["dir"] == "back" and update.attrs["arrowtail"] == "empty"


def test_the_frame_leaves_room_for_wires_looping_round_the_outer_boxes():
    scene, graph = drawn(load(NESTED))
    frame = frame_attrs(graph, scene.root.id)
    assert frame["margin"] == R.FRAME_MARGIN and frame["tooltip"] == "diagram Loop"
    nested = frame_attrs(graph, scene.drawn[("system",)])
    assert nested["margin"] == 12 and nested["tooltip"] == "system : Guarded"


def test_legend_title_and_citations():
    below = caption(R.to_tree(load(SMALL)))
    assert below[:4] == ["RLHF, small", "diagram RLHF \u00b7 all modes: train, deploy",
                         "After Ouyang et al. 2022, Training language models to follow "
                         "instructions, arXiv:2203.02155", "Legend"]
    assert {"human, rater", "data wire", "training signal"} <= set(below[4:])
    assert caption(R.to_tree(load(SMALL), legend=False)) == below[:3]
    assert caption(R.to_tree(load(SMALL), title=False))[0] == "Legend"
    assert caption(R.to_tree(load(SMALL), legend=False, title=False)) == []


def test_kind_families_follow_the_parent_chain():
    proposal = load(SMALL)
    assert R.family_of("rater", proposal.kinds).key == "human"
    assert R.family_of("auditor", proposal.kinds).key == "overseer"
    assert R.family_of("preference_model", proposal.kinds).key == "evaluator"
    assert R.family_of("world_model", proposal.kinds).key == "model"
    assert R.family_of("verifier", proposal.kinds).key == "verifier"
    assert R.family_of("no_such_kind", proposal.kinds).key == "other"
    custom = load('kind tripwire : monitor "a custom kind"\n')
    assert R.family_of("tripwire", custom.kinds).key == "overseer"
    # a cyclic chain (an error the checker reports; a JSON model may still hold one) ends
    cyclic = {"a": KindDecl(name="a", parent="b"), "b": KindDecl(name="b", parent="a")}
    assert R.family_of("a", cyclic).key == "other"


def test_a_proposal_without_diagrams_draws_its_components():
    proposal = load("type T\ncomponent A : policy {\n  out y : T\n}\n")
    scene, graph = drawn(proposal)
    assert scene.diagram is None
    assert [b.instance.name for b in scene.nodes().values()] == list(graph.nodes()) == ["A"]
    assert port_cells(graph.nodes()["A"].attrs["label"]) == {
        "h": "A\n\u00abpolicy\u00bb \u00b7 untrusted", "o0": "y"}
    assert caption(graph)[0] == "components (no diagram)"


def test_options_are_one_class_checked_when_made():
    proposal = load(SMALL)
    options = R.RenderOptions(mode="train", show_types=True, direction="TB")
    assert R.to_dot(proposal, options=options) == \
        R.to_dot(proposal, mode="train", show_types=True, direction="TB")
    assert R.to_scene(proposal, options=options, mode="deploy").options.mode == "deploy"
    for bad in ({"direction": "diagonal"}, {"depth": -1}, {"highlight": "bogus"}):
        with pytest.raises(R.RenderError):
            R.RenderOptions(**bad)


def test_the_legend_lists_what_the_scene_uses():
    families, borders, wire_styles, witness = R.to_scene(load(SMALL)).legend()
    assert families == ["human", "agent", "evaluator"]
    assert borders == ["double", "dashed"]
    assert wire_styles == ["data", "signal", "update"] and witness == []
    assert R.to_scene(load(NESTED), depth=0).legend()[2] == ["data", "feedback", "delayed"]
    assert R.to_scene(load(SMALL), mode="deploy").legend()[2] == ["data"]


def test_the_dot_printer_quotes_in_one_place():
    graph = RD.Graph("g", [
        RD.Defaults("graph", {"rankdir": RD.Id("LR"), "label": 'a "quoted"\\ & <b>'}),
        RD.Subgraph("cluster_x", [
            RD.Node('n"1', {"label": RD.Html("<B>x</B>"), "penwidth": 1.5}),
            RD.Edge(RD.Endpoint('n"1', "p\u00e9", "e"), RD.Endpoint("m", RD.Id("h")), {}),
            RD.SameRank("min", ['n"1', "m"])])])
    assert RD.print_dot(graph) == (
        'digraph g {\n'
        '  graph [rankdir=LR, label="a \\"quoted\\"\\\\ &amp; <b>"];\n'
        '  subgraph "cluster_x" {\n'
        '    "n\\"1" [label=<<B>x</B>>, penwidth=1.5];\n'
        '    "n\\"1":"p&#233;":e -> "m":h [];\n'
        '    {rank=min; "n\\"1"; "m";}\n'
        '  }\n'
        '}\n')
    with pytest.raises(ValueError):
        RD.Id("two words")
    with pytest.raises(TypeError):
        RD.print_dot(RD.Graph("g", [RD.Node("a", {"x": None})]))
    deep = RD.Graph("g")
    level = deep
    for i in range(3000):                                 # no recursion in the printer
        level.statements.append(RD.Subgraph(f"s{i}"))
        level = level.statements[0]
    assert RD.print_dot(deep).count("subgraph") == 3000


# ------------------------------------------------------------------------------ hostile input

HOSTILE = 'x"<b>&amp;{}[]|\\\\n\\\n;\u00e9\u4e2d\U0001F642\x01]]>--\'%s'


def hostile_proposal() -> Proposal:
    h = HOSTILE

    def port(name, direction):
        return Port(name=name, direction=direction, type=OpaqueType(name="T" + h), written="T")
    attrs = Attributes(kind="policy", learned=True, provenance=h)
    comp = Component(name="C" + h, attributes=attrs, notes=[h],
                     ports=[port("in" + h, "in"), port("out" + h, "out")])
    other = Component(name="D" + h, attributes=Attributes(kind="k" + h),
                      ports=[port("in" + h, "in"), port("s" + h, "out")])
    inner = Diagram(name="Inner" + h, ports=[port("p" + h, "in"), port("q" + h, "out")],
                    instances=[Instance(name="i" + h, of=comp.name, attributes=attrs)],
                    wires=[Wire(source=Endpoint(instance=None, port="p" + h),
                                target=Endpoint(instance="i" + h, port="in" + h)),
                           Wire(source=Endpoint(instance="i" + h, port="out" + h),
                                target=Endpoint(instance=None, port="q" + h))])
    top = Diagram(
        name="Top" + h, modes=["m" + h], ports=[port("a" + h, "in"), port("z" + h, "out")],
        instances=[Instance(name="n" + h, of=comp.name, attributes=attrs, notes=[h],
                            modes=["m" + h]),
                   Instance(name="e" + h, of=other.name, attributes=other.attributes),
                   Instance(name="sub" + h, of=inner.name, of_diagram=True,
                            attributes=Attributes(kind="system"))],
        wires=[Wire(source=Endpoint(instance=None, port="a" + h),
                    target=Endpoint(instance="n" + h, port="in" + h), notes=[h]),
               Wire(source=Endpoint(instance="n" + h, port="out" + h),
                    target=Endpoint(instance="sub" + h, port="p" + h)),
               Wire(source=Endpoint(instance="sub" + h, port="q" + h),
                    target=Endpoint(instance="e" + h, port="in" + h)),
               Wire(source=Endpoint(instance="e" + h, port="s" + h),
                    target=Endpoint(instance=None, port="z" + h), delayed=True)],
        trainings=[Training(target="n" + h, optimiser="o" + h, family="rl",
                            objective="maximise", notes=[h],
                            signal=Binary(op="-", left=PortRef(instance="e" + h, port="s" + h),
                                          right=Call(function="f" + h,
                                                     args=[Name(name="n" + h)])))])
    return Proposal(file=h, title="Title " + h, citations=[h, "second " + h], notes=[h],
                    components={comp.name: comp, other.name: other},
                    diagrams={inner.name: inner, top.name: top})


def one_line(text: str) -> str:
    """How a name shows on one line: control characters (newlines too) become spaces."""
    return "".join(" " if ord(c) < 32 or 0x7F <= ord(c) < 0xA0 else c for c in text)


@pytest.mark.parametrize("options", [{}, {"flatten": True}, {"depth": 0},
                                     {"direction": "TB", "show_types": True}])
def test_hostile_names_cannot_break_the_dot(options):
    proposal = hostile_proposal()
    dot = R.to_dot(proposal, **options)
    assert dot.isascii()
    assert dot == R.to_dot(proposal, **options)
    if not HAVE_DOT:
        return
    svg = R.render(proposal, "svg", **options)
    svg.decode("utf-8")                                  # valid UTF-8
    texts = svg_texts(svg)                               # valid XML
    joined = "\n".join(texts)
    h = one_line(HOSTILE)
    for name in ("n", "e"):
        assert any(name + h in t for t in texts), name
    assert ": C" + h in texts and ": D" + h in texts
    for port in ("out", "in", "s"):
        assert port + h in joined
    assert "Title " in joined and "\u00e9\u4e2d\U0001F642" in joined
    # nothing was injected: exactly the nodes we drew, no more
    assert len(svg_nodes(svg)) == len(R.to_tree(proposal, **options).nodes())


def test_hostile_text_in_a_wd_file():
    text = ('proposal "A \\"quoted\\" {title} with <b>tags</b> & \\\\ backslash\\nand é 中"\n'
            'cites "Ünïcödé, <script>alert(1)</script> & co. {2024}"\n'
            'type T\n'
            'component Box : policy, provenance = "x\\"]; evil [label=\\"pwn" {\n'
            '  out y : T\n'
            '  note "a note with } and { and \\"quotes\\" and <html>"\n'
            '}\n'
            'diagram D {\n  b = Box  note "instance note <&> \\\\ \\"q\\""\n}\n')
    proposal = load(text)
    scene, graph = drawn(proposal)
    # the labels parse, and show the user's text as written (markup in it is text)
    assert caption(graph)[0] == ('A "quoted" {title} with <b>tags</b> & \\ backslash\n'
                                 'and \u00e9 \u4e2d')
    assert caption(graph)[2] == ("After \u00dcn\u00efc\u00f6d\u00e9, <script>alert(1)</script> "
                                 "& co. {2024}")
    (box,) = graph.nodes().values()
    assert cells(box.attrs["label"])[1] == 'instance note <&> \\ "q"'
    assert box.attrs["tooltip"].splitlines()[1] == 'provenance: x"]; evil [label="pwn'
    # the printer's quoting (its own test above) keeps it inside its string
    dot = R.to_dot(proposal)
    assert dot.isascii()
    assert 'tooltip="b : Box (policy)\\nprovenance: x\\"]; evil [label=\\"pwn\\n' in dot
    if HAVE_DOT:
        texts = svg_texts(R.render(proposal, "svg"))
        joined = "\n".join(texts)
        assert 'A "quoted" {title} with <b>tags</b> & \\ backslash' in joined
        assert "instance note <&> \\ \"q\"" in joined
        assert "<script>alert(1)</script>" in joined
        assert len(svg_nodes(R.render(proposal, "svg"))) == 1


def test_identifiers_are_injective():
    names = ["a", "_a", "a_", "_61", "A", "a b", "a/b", "\u00e9", "", "_"]
    assert len({RS.ident(n) for n in names}) == len(names)
    assert all(re.fullmatch(r"[A-Za-z0-9_]+", RS.ident(n) or "_") for n in names if n)


# -------------------------------------------------------------------------------- large inputs

def layered(n: int, width: int = 7, seed: int = 2) -> str:
    """A proposal of n boxes in layers of `width`, each fed from the layer before."""
    rnd = random.Random(seed)
    kinds = ["policy", "reward_model", "monitor", "human", "filter", "simulator", "environment",
             "verifier", "dataset", "tool", "rater", "overseer"]
    lines = [f'proposal "A layered proposal with {n} boxes"', "type T",
             "type Score = Real in [0, 1]"]
    for i in range(n):
        kind = kinds[i % len(kinds)]
        body = ["  out x : T"] + (["  in a : T"] if i >= width else [])
        if kind in ("reward_model", "monitor"):
            body.append("  out s : Score")
        learned = ", learned" if kind in ("policy", "reward_model", "simulator") else ""
        lines.append(f"component C{i} : {kind}{learned} {{\n" + "\n".join(body) + "\n}")
    lines.append("diagram Layered {\n  out result : T")
    lines += [f"  b{i} = C{i}" for i in range(n)]
    for i in range(width, n):
        layer = i // width
        lines.append(f"  b{rnd.randrange((layer - 1) * width, layer * width)}.x -> b{i}.a")
    lines.append(f"  b{n - 1}.x -> result")
    scores = [i for i in range(n) if kinds[i % len(kinds)] in ("reward_model", "monitor")]
    lines += [f"  train b{i} by ppo maximising b{rnd.choice(scores)}.s"
              for i in range(n) if kinds[i % len(kinds)] == "policy"]
    lines.append("}")
    return "\n".join(lines) + "\n"


@needs_dot
def test_fifty_boxes_render_with_every_label():
    proposal = load(layered(50))
    svg = R.render(proposal, "svg")
    texts = svg_texts(svg)
    for i in range(50):
        assert f"b{i}" in texts and f": C{i}" in texts


def test_a_thousand_boxes_give_dot():
    proposal = load(layered(1000, width=25))
    scene, graph = drawn(proposal)
    boxes = [item.id for item in scene.nodes().values() if isinstance(item, RS.Box)]
    assert len(boxes) == 1000 and len(scene.wires) >= 975
    nodes = graph.nodes()
    assert all(label_root(nodes[box].attrs["label"])[0].tag == "TABLE" for box in boxes)
    assert R.to_dot(proposal) == R.to_dot(proposal)


# --------------------------------------------------------------------------------- Jupyter, API

@needs_dot
def test_proposals_and_diagrams_show_themselves_as_svg():
    proposal = load(SMALL)
    svg = proposal._repr_svg_()
    assert svg.startswith("<?xml") and "RLHF, small" in svg
    diagram_svg = proposal.diagrams["RLHF"]._repr_svg_()
    ET.fromstring(diagram_svg.encode())
    assert "rm" in svg_texts(diagram_svg.encode())


def test_without_dot_the_notebook_falls_back_to_text(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("WIRING_DOT", raising=False)
    proposal = load(SMALL)
    assert proposal._repr_svg_() is None
    with pytest.raises(R.DotNotFound, match="apt-get install graphviz"):
        R.render(proposal, "png")
    assert R.render(proposal, "dot").decode() == R.to_dot(proposal)


@needs_dot
def test_render_returns_image_bytes():
    proposal = load(SMALL)
    assert R.render(proposal, "png")[:8] == b"\x89PNG\r\n\x1a\n"
    assert R.render(proposal, "pdf")[:5] == b"%PDF-"
    assert R.render(proposal, "svg").lstrip().startswith(b"<?xml")


# -------------------------------------------------------------------------------------- the CLI

@pytest.fixture
def small_file(tmp_path):
    path = tmp_path / "small.wd"
    path.write_text(SMALL, encoding="utf-8")
    return path


@needs_dot
@pytest.mark.parametrize("suffix, magic", [(".svg", b"<?xml"), (".png", b"\x89PNG"),
                                           (".pdf", b"%PDF"), (".dot", b"digraph")])
def test_cli_format_from_suffix(small_file, tmp_path, suffix, magic, capsys):
    out = tmp_path / f"picture{suffix}"
    assert main(["render", str(small_file), "-o", str(out)]) == 0
    assert out.read_bytes().startswith(magic)
    assert f"wrote {out}" in capsys.readouterr().out


@pytest.mark.parametrize("flags, options", [
    ([], {}),
    (["--direction", "TB"], {"direction": "TB"}),
    (["--mode", "deploy"], {"mode": "deploy"}),
    (["--types"], {"show_types": True}),
    (["--no-legend"], {"legend": False}),
    (["--no-title"], {"title": False}),
    (["--depth", "0"], {"depth": 0}),
    (["--flatten"], {"flatten": True}),
    (["--diagram", "Guarded"], {"diagram": "Guarded"}),
])
def test_cli_options_reach_the_drawing(tmp_path, flags, options):
    """Each option of `wiring render` draws what the same option of `to_dot` draws (and
    changes the drawing)."""
    source = tmp_path / "proposal.wd"
    source.write_text(NESTED if {"depth", "flatten", "diagram"} & set(options) else SMALL,
                      encoding="utf-8")
    out = tmp_path / "x.dot"
    assert main(["render", str(source), "-o", str(out), *flags]) == 0
    proposal = wiring.check_file(str(source)).proposal
    assert out.read_text() == R.to_dot(proposal, **options)
    assert (R.to_dot(proposal, **options) != R.to_dot(proposal)) == bool(options)


def test_cli_format_flag_and_default_output(small_file, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["render", str(small_file), "--format", "dot"]) == 0
    assert (tmp_path / "small.dot").read_text().startswith("digraph")
    capsys.readouterr()
    assert main(["render", str(small_file), "--format", "dot", "-o", "-"]) == 0
    assert capsys.readouterr().out.startswith("digraph")


def test_cli_usage_errors(small_file, tmp_path, capsys):
    assert main(["render", str(small_file), "-o", str(tmp_path / "x.gif")]) == 2
    assert "--format" in capsys.readouterr().err
    assert main(["render", str(small_file), "--diagram", "Nope", "--format", "dot",
                 "-o", str(tmp_path / "x.dot")]) == 2
    assert "RLHF" in capsys.readouterr().err
    assert main(["render", str(small_file), "--mode", "eval", "--format", "dot",
                 "-o", str(tmp_path / "x.dot")]) == 2
    assert "train, deploy" in capsys.readouterr().err
    assert main(["render", str(tmp_path / "missing.wd"), "--format", "dot"]) == 2
    assert main(["render", str(small_file), "--format", "dot",
                 "-o", str(tmp_path / "no" / "such" / "dir.dot")]) == 2
    with pytest.raises(SystemExit) as exit_:
        main(["render", str(small_file), "--direction", "diagonal"])
    assert exit_.value.code == 2


def test_cli_render_reports_errors_and_draws_nothing(tmp_path, capsys):
    broken = tmp_path / "broken.wd"
    broken.write_text("type T\ncomponent A : policy {\n  in x : T\n}\n"
                      "diagram D {\n  a = A\n  a.nope -> a.x\n}\n", encoding="utf-8")
    out = tmp_path / "broken.svg"
    assert main(["render", str(broken), "-o", str(out)]) == 1
    assert not out.exists()
    assert "error" in capsys.readouterr().err


def test_cli_without_dot_writes_the_dot_file_and_says_how_to_install(small_file, tmp_path,
                                                                     monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("WIRING_DOT", raising=False)
    out = tmp_path / "pic.svg"
    assert main(["render", str(small_file), "-o", str(out)]) == R.EXIT_NO_DOT == 3
    assert not out.exists()
    written = tmp_path / "pic.dot"
    assert written.read_text() == R.to_dot(load(SMALL))
    err = capsys.readouterr().err
    assert "Graphviz" in err and "apt-get install graphviz" in err and "brew install" in err
    assert str(written) in err
    assert err.count("wiring:") == 1                      # one message
    # checking never needs Graphviz
    assert main(["check", str(small_file)]) == 0
    assert main(["doctor"]) == 3
    report = capsys.readouterr().out
    assert "NOT FOUND" in report and "apt-get install graphviz" in report


def test_cli_without_dot_in_a_real_process(small_file, tmp_path):
    """The same as a user sees it: a shell whose PATH has no Graphviz."""
    env = dict(os.environ, PATH=str(tmp_path / "empty"))
    env.pop("WIRING_DOT", None)
    command = [sys.executable, "-m", "wiring.cli"]
    run = subprocess.run(command + ["check", str(small_file)], env=env, capture_output=True,
                         text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    run = subprocess.run(command + ["render", str(small_file), "-o", str(tmp_path / "p.png")],
                         env=env, capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 3
    assert (tmp_path / "p.dot").exists() and not (tmp_path / "p.png").exists()
    assert "install" in run.stderr and "Traceback" not in run.stderr


@needs_dot
def test_cli_doctor_with_dot(capsys):
    assert main(["doctor"]) == 0
    report = capsys.readouterr().out
    assert "dot:" in report and "svg: ok" in report and "png: ok" in report


def test_cli_help_documents_the_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["render", "--help"])
    text = capsys.readouterr().out
    assert "exit codes" in text and "3  Graphviz `dot` is not installed" in text


def test_a_failing_dot_is_reported(small_file, tmp_path, monkeypatch, capsys):
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\necho 'dot: something broke' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("WIRING_DOT", str(fake))
    assert main(["render", str(small_file), "-o", str(tmp_path / "x.svg")]) == 4
    assert "something broke" in capsys.readouterr().err
    with pytest.raises(R.DotFailed):
        R.render(load(SMALL), "svg")


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
    assert edges[("pi:h:ne", "train pi")].attrs["color"] == f"{HL}:{HL}:invis:{HL}:{HL}"
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
    assert R.to_dot(proposal, highlight="S0201, S0101") == R.to_dot(proposal, highlight=True)
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


@pytest.mark.parametrize("path", EXAMPLES, ids=_example_id)
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
    assert any(t.startswith("\u26a0 S0") for t in texts)


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


# --------------------------------------------------------------------------- very deep nesting

def _deep(depth: int) -> str:
    out = ["type P", "component Leaf : tool {", "  in x : P", "  out y : P", "}"]
    previous = "Leaf"
    for i in range(1, depth + 1):
        out += [f"diagram D{i} {{", "  in x : P", "  out y : P", f"  inner = {previous}",
                "  x -> inner.x", "  inner.y -> y", "}"]
        previous = f"D{i}"
    return "\n".join(out) + "\n"


def test_deep_nesting_is_drawn_without_recursion_and_limited_by_default():
    proposal = load(_deep(1200))
    note = (f"nested diagrams more than {R.AUTO_DEPTH} levels deep are drawn as boxes "
            "(--depth N expands N levels)")
    scene, graph = drawn(proposal)
    assert len(graph.subgraphs()) == R.AUTO_DEPTH + 1 and scene.auto_limited
    assert note in caption(graph)
    flat, graph = drawn(proposal, flatten=True)
    assert len(graph.subgraphs()) == 1 and flat.auto_limited and note in caption(graph)
    full, graph = drawn(proposal, depth=1200)             # asked for: every level, no recursion
    assert len(graph.subgraphs()) == 1200                 # D1200, and D1199 .. D1 framed
    assert not full.auto_limited and note not in caption(graph)
    shallow, graph = drawn(load(_deep(3)))
    assert not shallow.auto_limited and len(graph.subgraphs()) == 3
    assert note not in caption(graph)


# ------------------------------------------------------------------------------------- gallery

def test_gallery_lists_every_example():
    gallery = ROOT / "docs" / "gallery.md"
    if not gallery.exists():
        pytest.skip("docs/gallery.md not generated yet")
    text = gallery.read_text(encoding="utf-8")
    assert "Generated by scripts/gen_gallery.py" in text
    for path in EXAMPLES:
        rel = path.relative_to(ROOT).as_posix()
        if wiring.check_file(str(path)).ok:
            assert f"`{rel}`" in text, f"run scripts/gen_gallery.py: {rel} is not in the gallery"
    for picture in re.findall(r"\]\((gallery/[^)]+\.svg)\)", text):
        assert (ROOT / "docs" / picture).exists(), picture
