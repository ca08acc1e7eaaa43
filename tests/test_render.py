"""Rendering: what is drawn for every example (on the scene and the DOT tree), determinism,
golden DOT, hostile names and large inputs."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys

import pytest

import wiring
from wiring import render as R
from wiring.render import dot as RD
from wiring import structure
from wiring.render import joined as RJ
from wiring.render import scene as RS
from wiring.model import (Attributes, Binary, Call, Component, Diagram, Endpoint, Instance,
                          KindDecl, Name, OpaqueType, Port, PortRef, Proposal, Training, Wire)

from conftest import EXAMPLES, ROOT, require_tool
from render_support import (GOLDEN, example_id, NESTED, SMALL, UNGATED, caption, cells, drawn,
                            end_name, expected_labels, frame_attrs, label_root, load, needs_dot,
                            node_ids, node_label, port_cells, svg_nodes, svg_texts, wires)


# ------------------------------------------------------------------------------------ examples

@needs_dot
@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
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
                assert f"{instance} : {box}" in texts, \
                    f"{path.name} {name} {mode}: box {instance} : {box} missing"
                for port in ports:
                    assert re.search(rf"(^|\n|\s){re.escape(port)}(\s|$)", joined), \
                        f"{path.name} {name} {mode}: port {instance}.{port} missing"
            for training in diagram.trainings:
                if mode is None or training.modes is None or mode in training.modes:
                    assert any(t.startswith(f"train {training.target} by ") for t in texts)
            if proposal.title:
                assert proposal.title.split("\n")[0][:40] in joined


@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_every_example_gives_the_same_dot_twice_and_after_a_json_round_trip(path):
    result = wiring.check_file(str(path))
    if not result.ok:
        pytest.skip(f"{path.name} does not check")
    proposal = result.proposal
    again = wiring.load_json(proposal.model_dump_json())
    for depth, flatten in ((None, False), (0, False), (None, True)):
        first = R.to_dot(proposal, depth=depth, flatten=flatten)
        R.forget_layouts()              # laid out and tidied again, not the layouts kept
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
    require_tool("dot")                        # the rest reads the SVG Graphviz draws
    svg = R.render(proposal, "svg", **options)
    svg.decode("utf-8")                                  # valid UTF-8
    texts = svg_texts(svg)                               # valid XML
    joined = "\n".join(texts)
    h = one_line(HOSTILE)
    for name in ("n", "e"):
        assert any(name + h in t for t in texts), name
    assert any(t.endswith(": C" + h) for t in texts) and any(t.endswith(": D" + h) for t in texts)
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
    require_tool("dot")
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
        assert f"b{i} : C{i}" in texts


def test_a_thousand_boxes_give_dot():
    proposal = load(layered(1000, width=25))
    scene, graph = drawn(proposal)
    boxes = [item.id for item in scene.nodes().values() if isinstance(item, RS.Box)]
    assert len(boxes) == 1000 and len(scene.wires) >= 975
    nodes = graph.nodes()
    assert all(label_root(nodes[box].attrs["label"])[0].tag == "TABLE" for box in boxes)
    assert R.to_dot(proposal) == R.to_dot(proposal)


