"""The SVG Graphviz writes, made into the SVG authors edit: the declared width exactly the one
asked for, the caption and the legend in groups of their own, and each line of a label one
`<text>` element (Graphviz writes one per font run)."""

from __future__ import annotations

import re

SVG_NS, XLINK_NS = "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"
LEGEND_HEADING = "Legend"      # the first text of the legend (`labels.legend_rows`)
_DRAWN = {f"{{{SVG_NS}}}{tag}" for tag in ("text", "path", "polygon", "polyline", "ellipse")}
_TEXT, _TSPAN = f"{{{SVG_NS}}}text", f"{{{SVG_NS}}}tspan"


def fix_svg_width(svg: bytes, width: str, width_pt: float) -> bytes:
    """The SVG declaring exactly `width` ("3.25in"): Graphviz writes whole points. The viewBox
    keeps one unit a point, so nothing is scaled."""
    head = re.search(rb"<svg[^>]*>", svg)
    if head is None:
        return svg
    tag = re.sub(rb'width="[^"]*"', b'width="' + width.encode("ascii") + b'"', head.group(), 1)
    tag = re.sub(rb'viewBox="([-0-9.]+) ([-0-9.]+) [-0-9.]+ ',
                 lambda m: b'viewBox="%s %s %.2f ' % (m.group(1), m.group(2), width_pt), tag, 1)
    return svg[:head.start()] + tag + svg[head.end():]


def editable_svg(svg: bytes, drawing: dict | None = None) -> bytes:
    """The SVG as authors edit it: the caption's elements in `<g id="caption"
    class="caption">`, the legend's in `<g id="legend" class="legend">`, and, given the
    drawing operations of the same layout (`dot -Tjson`), each line of a label one `<text>`
    (`join_runs`). An SVG that does not parse, or needs none of it, is returned as it is."""
    import xml.etree.ElementTree as ET

    start = svg.find(b"<svg")
    try:
        root = ET.fromstring(svg[start:], ET.XMLParser(target=ET.TreeBuilder(
            insert_comments=True))) if start >= 0 else None
    except ET.ParseError:
        return svg
    if root is None:
        return svg
    changed = round_dots(root)
    changed = group_caption(root) or changed
    continued = continuing_runs(drawing or {})
    if continued:
        for parent in list(root.iter()):
            changed = join_runs(parent, continued) or changed
    if not changed:
        return svg
    # the usual prefixes (`default_namespace` would refuse the unprefixed attributes)
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    text = ET.tostring(root, encoding="unicode")
    return svg[:start] + text.encode("utf-8") + b"\n"


def round_dots(root) -> bool:
    """Draw Graphviz's dotted lines (`stroke-dasharray="1,5"`) as round dots (`style.DOTTED`);
    whether there were any."""
    from .style import DOTTED

    dotted = [e for e in root.iter() if e.get("stroke-dasharray") == "1,5"]
    for element in dotted:
        element.set("stroke-dasharray", f"{DOTTED[0]:g},{DOTTED[1]:g}")
        element.set("stroke-linecap", "round")
    return bool(dotted)


def group_caption(root) -> bool:
    """Put the caption's and the legend's elements in groups of their own: Graphviz 2.43
    writes the graph's label as loose elements (no id, though the label asks for one), after
    the background polygon and before the first group. An SVG not laid out like that is left
    as it is (False)."""
    import xml.etree.ElementTree as ET

    graph = root.find(f"{{{SVG_NS}}}g")
    if graph is None or graph.get("class") != "graph":
        return False
    children = list(graph)
    first = next((n + 1 for n, c in enumerate(children) if c.tag == f"{{{SVG_NS}}}polygon"), 0)
    end = first
    while end < len(children) and children[end].tag in _DRAWN:
        end += 1
    if not first or end == first:
        return False
    # the last such text: a title may be "Legend" too
    legend = max((n for n in range(first, end) if children[n].text == LEGEND_HEADING),
                 default=end)
    for name, (a, b) in (("legend", (legend, end)), ("caption", (first, legend))):
        if a < b:
            group = ET.Element(f"{{{SVG_NS}}}g", {"id": name, "class": name})
            group.text, group.tail = "\n", "\n"
            group.extend(children[a:b])
            for element in children[a:b]:
                graph.remove(element)
            graph.insert(a, group)
    return True


def continuing_runs(drawing: dict) -> set[tuple[float, float]]:
    """Where each text run that continues the line of the run before it starts, as SVG
    coordinates: Graphviz draws a label line's font runs one after the other, each where the
    one before ends, while the texts of two table cells have a gap between them."""
    found: set[tuple[float, float]] = set()
    for item in [drawing, *drawing.get("objects", ()), *drawing.get("edges", ())]:
        for key, ops in item.items():
            if not key.endswith("draw_") or not isinstance(ops, list):
                continue
            texts = [op for op in ops if isinstance(op, dict) and op.get("op") == "T"]
            for before, run in zip(texts, texts[1:]):
                if continues_line(before, run):
                    x, y = run["pt"]
                    found.add((round(x, 1), round(-y, 1)))      # SVG's y runs upwards
    return found


def continues_line(before: dict, run: dict) -> bool:
    """Text operation `run` (`dot -Tjson`) is the next font run of `before`'s line: both
    left-placed on one baseline, `run` starting where `before` ends."""
    (x0, y0), (x, y) = before["pt"], run["pt"]
    return before.get("align") == run.get("align") == "l" and abs(y - y0) < 0.01 \
        and abs(x0 + float(before.get("width", 0)) - x) < 0.01


def join_runs(parent, continued: set[tuple[float, float]]) -> bool:
    """Each line whose font runs Graphviz wrote as `<text>` elements one after the other
    ("**prompts** : Dataset" is two) made one `<text>` whose runs are `<tspan>`s, placed
    where Graphviz put them, so that an editor selects and edits the line as one piece. The
    attributes all runs share stay on the `<text>`; each run keeps the rest. `continued`
    says which runs continue a line (`continuing_runs`). False when none was joined."""
    import xml.etree.ElementTree as ET

    children = list(parent)
    index, joined = 0, False
    while index < len(children):
        end = index + 1
        while end < len(children) and _continues(children[end - 1], children[end], continued):
            end += 1
        if end - index > 1:
            runs = children[index:end]
            shared = {key: value for key, value in runs[0].attrib.items()
                      if key != "x" and all(r.get(key) == value for r in runs)}
            line = ET.Element(_TEXT, {**shared, "x": runs[0].get("x", "0")})
            for run in runs:
                span = ET.SubElement(line, _TSPAN,
                                     {k: v for k, v in run.attrib.items() if k not in shared})
                span.text = run.text
            line.tail = runs[-1].tail
            position = list(parent).index(runs[0])
            for run in runs:
                parent.remove(run)
            parent.insert(position, line)
            joined = True
        index = end
    return joined


def _continues(before, run, continued: set[tuple[float, float]]) -> bool:
    """`run` is the next font run of `before`'s line: two adjacent `<text>` elements on one
    baseline, the second where Graphviz drew a continuing run."""
    if not (before.tag == run.tag == _TEXT and len(before) == len(run) == 0):
        return False
    if (before.tail or "").strip() or before.get("y") != run.get("y"):
        return False
    try:
        return (round(float(run.get("x", "")), 1), round(float(run.get("y", "")), 1)) in continued
    except ValueError:
        return False
