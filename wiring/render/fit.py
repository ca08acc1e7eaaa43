"""Figures at a size on paper: `--width 3.25in` and `--font-size 8pt`.

Graphviz's own `size` and `ratio` fit a picture to a width by scaling it down, text included, so
a figure fitted that way prints its 9 pt notes at 2 pt. Here the scale is always exactly 1:

- `--font-size N` sets the smallest font of the drawing to N pt and every other font in
  proportion (a title stays larger than the notes it heads), so no text is smaller than N;
- `--width W` measures the layout (`dot -Tjson0`, without drawing it). A layout wider than W is
  refused with DoesNotFit, whose message names an option whose layout does fit (the other
  direction, panels, a smaller depth, a mode), found by measuring a few; one that fits is
  padded left and right so that the picture is exactly W wide. A narrower layout is never
  scaled up: the text of every figure in a paper then prints at the same size.
- `--height H` bounds the picture's height the same way (a page of text is about 9 in): a
  taller layout is refused, naming an option that fits both.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import time

from .dot import Assign, Graph, Html, print_dot
from .graphviz import bounding_box, layout, run_dot
from .svg import fix_svg_width
from .options import PAGE_PT, UNITS, RenderError, parse_height, parse_width

MIN_PAD_PT = 2.0        # the least margin left and right of a picture at a set width
SLACK_PT = 0.5          # a layout this much wider than asked still fits (Graphviz rounds)
# The layouts measured to find an option that fits (panels count one a mode), and the time.
# The tries bound the search; the time only guards against a hostile file, and is generous so
# that a busy machine does not change the option suggested (the gallery is compared byte for
# byte). A search it cuts short says so.
MAX_TRIES, MAX_SECONDS = 40, 60.0
MOST_PANELS = 8          # more modes than this make no figure worth suggesting as panels
# The options are sized without the training wires' layouts: a bound, for the one kept is
# never larger, but it may be narrower (cyborgism top to bottom: bounded at 3.29 in, drawn
# 3.04). An option whose bound misses the size asked by no more than this share is measured
# as it would be drawn before it is passed over.
NEAR_MISS = 0.1
# Asked only for a width, the refusal says when the option it names is taller than a page of
# text (PAGE_PT: a page-wide figure drawn top to bottom was 9 to 23 in tall).
# Figures in papers set their text at 7 to 9 pt: without --font-size (the paper style's
# default is 10 pt) the refusal also tries this size.
SMALLER_FONT_PT = 8
_POINT_SIZE = re.compile(r'POINT-SIZE="([0-9.]+)"')   # user text cannot spell it: `"` is escaped


class DoesNotFit(RenderError):
    """The layout is wider than `--width` at the font size asked for; the message says how much
    wider, and which option fits (`wiring render` exits 1). `fits` is that option: (as typed,
    RenderOptions fields), or None when nothing tried fits. When that option draws fewer boxes,
    `rest` names the figures of their own that draw the others within the size (as typed,
    each added to the options with `fits`), or is empty when not all of them do."""

    def __init__(self, message: str, fits: tuple[str, dict] | None = None,
                 rest: tuple[str, ...] = ()):
        super().__init__(message)
        self.fits, self.rest = fits, rest


def fitting_options(proposal, diagram: str | None = None,
                    **arguments) -> tuple[str, dict] | None:
    """What the picture needs to fit its `width` (the arguments of `fitted_dot`): ("", {}) when
    it fits as is, else the option DoesNotFit names (as typed, RenderOptions fields); None when
    nothing tried fits."""
    try:
        fitted_dot(proposal, diagram, **arguments)
    except DoesNotFit as exc:
        return exc.fits
    return "", {}


def scaled_tree(scene) -> Graph:
    """The DOT tree of a scene, its fonts scaled so that the smallest is `font_size` pt."""
    from .draw import tree_of

    tree = tree_of(scene)
    if scene.options.font_pt is not None:
        factor = scene.options.font_pt / smallest_font(tree)
        _map_fonts(tree, lambda size: round(size * factor, 2))
    return tree


def smallest_font(tree: Graph) -> float:
    sizes: list[float] = []
    _map_fonts(tree, lambda size: sizes.append(size) or size)
    return min(sizes, default=14.0)                  # Graphviz's default size


def _map_fonts(tree: Graph, change) -> None:
    """Replace every font size of the tree (attribute `fontsize`, HTML `POINT-SIZE`) by
    `change(size)`."""
    def value(key, old):
        if key == "fontsize":
            return change(float(old))
        if isinstance(old, Html):
            return Html(_POINT_SIZE.sub(lambda m: f'POINT-SIZE="{change(float(m[1])):g}"', old))
        return old

    for graph in (tree, *tree.subgraphs()):
        for statement in graph.statements:
            if isinstance(statement, Assign):
                statement.value = value(statement.key, statement.value)
            elif hasattr(statement, "attrs"):
                for key, old in statement.attrs.items():
                    statement.attrs[key] = value(key, old)


def fitted_dot(proposal, diagram: str | None = None, *, analysis=None, options=None,
               timeout: float = 120, notes: list[str] | None = None, **fields) -> str:
    """The DOT text of `to_dot`, and with `width`, padded to exactly that width (`height`
    only bounds the picture). Raises DoesNotFit when the layout is wider or taller,
    DotNotFound without Graphviz (a size needs a layout), RenderError for bad options.
    `notes` gets a warning when, asked only for a width, the picture is taller than a page."""
    from . import to_scene
    from .options import RenderOptions

    options = dataclasses.replace(options or RenderOptions(), **fields)
    scene = to_scene(proposal, diagram, analysis=analysis, options=options)
    if not options.sized:
        return print_dot(drawn_tree(scene, proposal, diagram, analysis, timeout))
    tree, graph, pad_y, need = _measured(scene, proposal, diagram, analysis, timeout)
    if not _fits(options, need) and options.style == "paper" and options.uniform:
        # One width per kind only where the layout allows: else each box its own.
        scene = to_scene(proposal, diagram, analysis=analysis,
                         options=dataclasses.replace(options, uniform=False))
        tree, graph, pad_y, need = _measured(scene, proposal, diagram, analysis, timeout)
    if not _fits(options, need):
        # Untangling lets a tangled picture grow (`untangle.APART`), and the refusal's options
        # are measured without the training wires' layouts: the option it names must fit when
        # taken (ida at 6.5 in: `--no-legend` fitted at 6.40 in, grown it took 7.22 in).
        fresh = to_scene(proposal, diagram, analysis=analysis, options=scene.options)
        ungrown = _measured(fresh, proposal, diagram, analysis, timeout, training=False)
        if _fits(options, ungrown[3]):
            tree, graph, pad_y, need = ungrown
            tree, need = _tidied_within(tree, need, options, timeout)
    if not _fits(options, need):
        raise DoesNotFit(*_refusal(scene, proposal, diagram, analysis, need, timeout))
    if options.width is not None:
        pad_x = max(0.0, (options.width_pt - need[0]) / 2 + MIN_PAD_PT)
        graph["pad"] = f"{pad_x / 72:.4f},{pad_y:g}"
    if notes is not None and _beyond_a_page(options, need):
        page = f"{PAGE_PT / 72:g}"
        notes.append(f"warning: the figure is {need[1] / 72:.1f} in tall, more than a page of "
                     f"text ({page} in); with --height {page}in, wiring render looks for "
                     "options that keep it within one")
    return print_dot(tree)


def _fits(options, need: tuple[float, float], share: float = 0.0) -> bool:
    """A picture of `need` (width, height in points) within the size asked for (or within
    that grown by `share` of it)."""
    width, height = options.width_pt, options.height_pt
    return (width is None or need[0] <= width * (1 + share) + SLACK_PT) and \
        (height is None or need[1] <= height * (1 + share) + SLACK_PT)


def drawn_tree(scene, proposal, diagram, analysis=None, timeout: float = 120,
               training: bool = True) -> Graph:
    """The DOT tree of a scene (its ports untangled in the paper style), or with `panels`, of
    the panels its options ask for (the scene is then the whole diagram's: what the refusal's
    options are tried on). Without `training`, the layouts of the training wires are not
    tried (`untangle.TRAINING`: the one kept is never larger, so the size is a bound)."""
    if scene.options.panels:
        from .panels import panel_tree

        return panel_tree(proposal, diagram, scene.options, analysis, timeout, training)
    from .untangle import untangled_tree

    return untangled_tree(scene, timeout, training=training)


def _tidied_within(tree: Graph, need: tuple[float, float], options,
                   timeout: float) -> tuple[Graph, tuple[float, float]]:
    """A tree laid out without its wires tidied (`drawn_tree` without `training`) and the
    size it needs: tidied within the size asked where it can be (`pinned.tidied`), else with
    only the rings of wires read a step later moved (`rings`: that changes no size).
    best_of_n's panels at 6.5 in, untidied, had loops that dropped onto their ports from
    above."""
    from .pinned import tidied

    trial = tidied(copy.deepcopy(tree), timeout, (options.width_pt, options.height_pt))
    size = tree_size(trial, timeout)
    if _fits(options, size):
        return trial, size
    return tidied(tree, timeout, rings_only=True), need


def _measured(scene, proposal, diagram, analysis, timeout: float, training: bool = True):
    """The scene's DOT tree with the least padding, its graph attributes, its vertical pad
    (inches) and the size its layout needs (points: width, height)."""
    tree = drawn_tree(scene, proposal, diagram, analysis, timeout, training)
    graph = next(s.attrs for s in tree.statements if getattr(s, "kind", "") == "graph")
    pad_y = _pads(graph.get("pad", 0.0555))[1]          # inches; Graphviz's default 4 pt
    graph["pad"] = f"{MIN_PAD_PT / 72:.4f},{pad_y:g}"
    graph["margin"] = 0          # PDF and PostScript add half an inch each side by default
    return tree, graph, pad_y, tree_size(tree, timeout)


def tree_size(tree: Graph, timeout: float) -> tuple[float, float]:
    """The size a DOT tree's layout needs on paper (`need`), in points."""
    return need(tree, layout(print_dot(tree), timeout))


def need(tree: Graph, laid: dict) -> tuple[float, float]:
    """The width (with the least padding each side) and height (with the tree's own vertical
    padding) that `laid`, the layout of DOT tree `tree`, takes on paper, in points."""
    graph = next(s.attrs for s in tree.statements if getattr(s, "kind", "") == "graph")
    pad_y = _pads(graph.get("pad", 0.0555))[1] * 72
    x0, y0, x1, y1 = bounding_box(laid)
    return x1 - x0 + 2 * MIN_PAD_PT, y1 - y0 + 2 * pad_y


def sized_picture(dot_text: str, fmt: str, width: str | None, *, dpi: int | None = None,
                  timeout: float = 120, notes: list[str] | None = None,
                  standalone: bool = False) -> bytes:
    """The picture of `fitted_dot`'s text: the resolution only for PNG (Graphviz would size
    an SVG or PDF by it too), and an SVG declaring exactly `width` (Graphviz writes whole
    points)."""
    data = run_dot(dot_text, fmt, dpi=dpi if fmt == "png" else None, timeout=timeout,
                   notes=notes, standalone=standalone)
    if fmt == "svg" and width is not None:
        points, written = parse_width(width)
        data = fix_svg_width(data, written, points)
    return data


def _pads(pad) -> tuple[float, float]:
    """Graphviz's `pad`, "x,y" or "xy" in inches."""
    x, _, y = str(pad).partition(",")
    return float(x), float(y or x)


def _refusal(scene, proposal, diagram, analysis, need: tuple[float, float],
             timeout: float) -> tuple[str, tuple[str, dict] | None]:
    """Why the picture does not fit, and an option that fits (of a few, cheapest first): the
    first that draws every box, else the one that draws the most (a mode or a depth drops
    some: the message says how many are left), with its size; when none fits, the
    narrowest tried. Then that option. Asked only for a width, the message says when that
    option's picture is taller than a page of text (PAGE_PT)."""
    from . import to_scene

    options = scene.options
    say = _sayer(options)
    head = (f"the figure needs {say(need)} at {smallest_font(scaled_tree(scene)):g} pt but "
            f"{_asked(options, say)}")
    every = drawn_boxes(scene)
    tried: list[tuple[tuple[float, float], str]] = []
    best: tuple[int, tuple, str, dict] | None = None      # boxes drawn, size, the option
    started, spent = time.monotonic(), 0
    for words, change in _alternatives(scene):
        if spent >= MAX_TRIES:
            break
        if time.monotonic() - started > MAX_SECONDS:
            head += f" (the search for an option that fits stopped after {MAX_SECONDS:g} s)"
            break
        # panels lay out every mode: each counts as a try
        spent += len(scene.diagram.modes) if change.get("panels") else 1
        other = to_scene(proposal, diagram, analysis=analysis,
                         options=dataclasses.replace(options, **change))
        # sized without trying the training wires' layouts (`fitted_dot` keeps to this
        # layout where one of those would not fit), and as drawn where that just misses
        size = tree_size(drawn_tree(other, proposal, diagram, analysis, timeout, training=False),
                         timeout)
        if not _fits(options, size) and _fits(options, size, NEAR_MISS):
            fresh = to_scene(proposal, diagram, analysis=analysis, options=other.options)
            size = tree_size(drawn_tree(fresh, proposal, diagram, analysis, timeout), timeout)
        if not _fits(options, size):
            tried.append((size, words))
            continue
        boxes = drawn_boxes(other)
        if boxes >= every:
            return (f"{head}; {words} fits ({say(size)}){_overlaid(other)}"
                    f"{_taller(options, size)}", (words, change))
        if best is None or boxes > best[0]:
            best = (boxes, size, words, change, _overlaid(other))
    if best is not None:
        boxes, size, words, change, overlaid = best
        said, rest = _the_rest(scene, proposal, diagram, change, timeout,
                               started + MAX_SECONDS)
        return (f"{head}; {words} fits ({say(size)}, drawing {boxes} of its {every} boxes)"
                f"{overlaid}{_taller(options, size)}{said}", (words, change), rest)
    return _nothing_fits(head, options, need, tried), None


def _the_rest(scene, proposal, diagram, change: dict, timeout: float,
              deadline: float) -> tuple[str, tuple[str, ...]]:
    """What the refusal adds when the option it names draws fewer boxes (a mode, a depth):
    the figures of their own that would draw the rest within the size asked, as a paper's
    subfigures do: when it names a mode, each other mode; when it names a depth, each nested
    diagram it draws as one box (`--diagram NAME`, drawn whole). Each is the options asked
    for plus its own, in their direction or else the other. Said only when every one of them
    was measured (at most MOST_PANELS, within the refusal's time). (What the message adds,
    and those figures' own options when every one fits.)"""
    from . import to_scene
    from .scene import Box

    asked = scene.options
    if "mode" in change:
        others = [mode for mode in scene.diagram.modes if mode != change["mode"]]
        alone = {"panels": None} if asked.panels else {}        # the panels as figures
        figures = [(f"--mode {mode}", diagram, {"mode": mode, **alone}) for mode in others]
        what = "the other modes"
    else:
        shown = to_scene(proposal, diagram, options=dataclasses.replace(asked, **change))
        names = sorted({item.box_name for item in shown.nodes().values()
                        if isinstance(item, Box) and item.is_diagram})
        # asked for panels, a nested diagram without modes is drawn as it is, and says so
        bare = {name for name in names if asked.panels and not proposal.diagrams[name].modes}
        figures = [(f"--diagram {name}" + (" without --panels" if name in bare else ""), name,
                    {"panels": None} if name in bare else {}) for name in names]
        what = "the nested diagrams it draws as one box"
    if not figures or len(figures) > MOST_PANELS:
        return "", ()
    turned = "TB" if asked.direction == "LR" else "LR"
    fit, unfit = [], []
    for words, name, fields in figures:
        for more, direction in (("", asked.direction), (f" --direction {turned}", turned)):
            if time.monotonic() > deadline:
                return "", ()
            try:
                other = to_scene(proposal, name, options=dataclasses.replace(
                    asked, **fields, direction=direction))
                tree = drawn_tree(other, proposal, name, None, timeout, training=False)
            except RenderError:          # a bare diagram: its nested diagrams cannot be named
                return "", ()
            size = tree_size(tree, timeout)
            if _fits(asked, size):
                fit.append(words + more)
                break
        else:
            unfit.append(words)
    asked_for = "the options asked for, without --panels," if asked.panels and "mode" in change \
        else "the options asked for"
    if not unfit:
        return (f"; so do {what}, each as a figure of its own ({asked_for} with "
                f"{_listed(fit)}): together the figures draw every box"), tuple(fit)
    if not fit:
        return f"; {what} do not fit as figures of their own ({_listed(unfit)})", ()
    return (f"; of {what}, as figures of their own ({asked_for} with one of "
            f"these), {_listed(fit)} {'fits' if len(fit) == 1 else 'fit'} but "
            f"{_listed(unfit)} {'does' if len(unfit) == 1 else 'do'} not"), ()


def _listed(options: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return options[0] if len(options) == 1 else f"{', '.join(options[:-1])} and {options[-1]}"


def overlays_modes(scene) -> bool:
    """Whether a scene is a paper-style picture of every mode of a diagram at once, which does
    not say which mode a box or wire is active in (the full style's "only in" notes do; a
    panel per mode shows it)."""
    options = scene.options
    return options.style == "paper" and options.mode is None and options.panels is None \
        and scene.diagram is not None and len(scene.diagram.modes) > 1


def _overlaid(scene) -> str:
    """What the refusal adds when the option it names draws every mode in one picture."""
    return (", but with every mode in one picture, not saying which mode a box is in"
            if overlays_modes(scene) else "")


def _beyond_a_page(options, size: tuple[float, float]) -> bool:
    """Asked only for a width, a picture taller than a page of text."""
    return options.height is None and size[1] > PAGE_PT + SLACK_PT


def _taller(options, size: tuple[float, float]) -> str:
    """What the refusal adds when the option it names, asked only for a width, makes a
    picture taller than a page of text: `--height` then finds one within a page, if any."""
    if not _beyond_a_page(options, size):
        return ""
    return (f", but {size[1] / 72:.1f} in tall: more than a page of text; --height "
            f"{PAGE_PT / 72:g}in looks for an option within a page")


def _nothing_fits(head: str, options, need: tuple[float, float],
                  tried: list[tuple[tuple[float, float], str]]) -> str:
    """The refusal's message when no option tried fits: the nearest tried, if any comes
    nearer than the figure as it is."""
    wider = ("a wider --width" if options.height is None else
             "a taller --height" if options.width is None else "a wider --width or taller --height")
    if not tried:
        return f"{head}; {wider} or a smaller --font-size fits"
    say = _sayer(options)

    def over(size: tuple[float, float]) -> float:     # how far past the size asked
        return max(size[0] / (options.width_pt or size[0] or 1),
                   size[1] / (options.height_pt or size[1] or 1))
    size, words = min(tried, key=lambda t: over(t[0]))
    if over(size) >= over(need):          # nothing tried comes nearer than the figure as is
        return f"{head}; nothing tried fits: use {wider} or a smaller --font-size"
    return (f"{head}; nothing tried fits (the {'narrowest' if options.height is None else 'nearest'}: "
            f"{words}, {say(size)}): use {wider} or a smaller --font-size")


def _sayer(options):
    """How sizes are said: in the unit of --width (else of --height); the width alone when
    only a width is asked for, width x height when a height is."""
    written = parse_width(options.width)[1] if options.width else \
        parse_height(options.height)[1]
    unit = written.lstrip("0123456789.")

    def length(points: float) -> str:
        return f"{points / UNITS[unit]:.2f} {unit}"

    def say(size: tuple[float, float]) -> str:
        if options.height is None:
            return length(size[0])
        if options.width is None:
            return f"{length(size[1])} tall"
        return f"{length(size[0])} x {length(size[1])}"
    return say


def _asked(options, say) -> str:
    if options.height is None:
        return f"--width is {say((options.width_pt, 0))}"
    if options.width is None:
        return f"--height is {say((0, options.height_pt)).removesuffix(' tall')}"
    return f"--width x --height is {say((options.width_pt, options.height_pt))}"


def drawn_boxes(scene) -> int:
    """How many boxes a scene draws (components, and nested diagrams drawn as one box)."""
    from .scene import Box

    return sum(isinstance(item, Box) for item in scene.nodes().values())


def _alternatives(scene):
    """(the options as typed, RenderOptions fields) to try, cheapest change first: the other
    direction and a panel per mode (in either direction; panels first in the paper style),
    each of those at SMALLER_FONT_PT when no size was asked (the paper style), a smaller depth, each mode, the other direction at a smaller depth or in each
    mode; each alone, then without the legend and title (in the full style the caption is
    often the widest)."""
    options = scene.options
    other = "TB" if options.direction == "LR" else "LR"
    drawn = max((len(path) for path in scene.drawn), default=1) - 1    # levels expanded
    turned = [(f"--direction {other}", {"direction": other})]
    panels = []
    if options.panels is None and options.mode is None and scene.diagram is not None \
            and 1 < len(scene.diagram.modes) <= MOST_PANELS:   # every box, a panel a mode
        panels = [("--panels modes", {"panels": "modes"}),
                  (f"--panels modes --direction {other}", {"panels": "modes", "direction": other})]
    # The paper style does not say which mode a box or wire is active in (the full style's
    # "only in" notes): there a panel per mode comes first, then the other direction.
    changes = [("", {})] + (panels + turned if options.style == "paper" else turned + panels)
    if options.font_size is None and options.style == "paper":   # full: 8 pt already
        smaller = f"--font-size {SMALLER_FONT_PT}"
        changes += [(f"{words} {smaller}".lstrip(), {**change, "font_size": SMALLER_FONT_PT})
                    for words, change in changes]
    changes += [(f"--depth {d}", {"depth": d}) for d in range(drawn - 1, -1, -1)]
    # each mode alone; asked for a panel per mode, each as a figure of its own (a paper's
    # subfigures), the panels left out: `_the_rest` then measures the others
    alone, unpanelled = ({"panels": None}, " without --panels") \
        if options.panels == "modes" else ({}, "")
    modes = scene.diagram.modes if options.mode is None and scene.diagram is not None \
        and options.panels in (None, "modes") else ()
    changes += [(f"--mode {m}{unpanelled}", {"mode": m, **alone}) for m in modes]
    changes += [(f"--direction {other} --depth {d}", {"direction": other, "depth": d})
                for d in range(drawn - 1, -1, -1)]
    changes += [(f"--direction {other} --mode {m}{unpanelled}",
                 {"direction": other, "mode": m, **alone}) for m in modes]
    # the paper style has no title: leaving out its key is all there is to leave out
    drop = ("--no-legend", {"legend": False}) if options.style == "paper" else \
        ("--no-legend --no-title", {"legend": False, "title": False})
    bare = options.legend or (options.title and options.style != "paper")
    for words, change in changes:
        if words:
            yield words, change
        if bare:
            yield f"{words} {drop[0]}".lstrip(), {**change, **drop[1]}
