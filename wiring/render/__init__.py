"""Rendering: a checked proposal as Graphviz DOT text, and DOT as SVG, PNG or PDF.

A picture is made in stages, one module each:

- `options`: RenderOptions, what was asked (checked once, read by every stage);
- `scene`: what is drawn, as data: boxes, ports, optimisers, wires, frames, legend entries;
- `highlight`: the witnesses of the analyses' findings laid onto the scene;
- `draw`: the scene as a DOT syntax tree (`labels` makes its HTML-like labels, `paper` those of
  the paper style, `style` holds colours, kind families and fonts);
- `dot`: the DOT syntax tree and its one printer, with all quoting and escaping;
- `joined`: the wires of a flattened drawing, from `wiring.structure.flatten`;
- `graphviz`: finding and running `dot`;
- `fit`: sizes on paper (`width`, `font_size`): fonts scaled, the layout measured and padded;
- `mermaid`: the scene as a Mermaid flowchart instead (`to_mermaid`), for Markdown pages.

`to_dot` is a pure function of the model: the same proposal and options give byte-identical
text. `render` runs Graphviz `dot` (raising `DotNotFound` with install instructions when it is
missing); `check` never needs it.
"""

from __future__ import annotations

import dataclasses

from .. import structure
from ..collector import paused as paused_collector
from ..model import Diagram, Proposal
from .dot import Graph, print_dot
from .draw import tree_of
from .fit import DoesNotFit, drawn_tree, fitted_dot, fitting_options, scaled_tree, sized_picture
from .graphviz import (DEFAULT_PNG_DPI, EXIT_DOT_FAILED, EXIT_NO_DOT, INSTALL_HINT, DotFailed,
                       DotNotFound, check_format, doctor, dot_version, find_dot, forget_layouts,
                       run_dot)
from .highlight import highlight as _highlight
from .options import (AUTO_BOXES, AUTO_DEPTH, DIRECTIONS, FORMATS, RenderError, RenderOptions,
                      highlight_codes)
from .scene import Scene, bare_proposal, build_scene
from .style import (BORDERS, FAMILIES, FEEDBACK_COLOUR, FONT, FRAME_MARGIN, HIGHLIGHT_COLOUR,
                    INK, MARKER, TRAINING_COLOUR, Family, family_of)

__all__ = [
    "AUTO_BOXES", "AUTO_DEPTH", "BORDERS", "DEFAULT_PNG_DPI", "DIRECTIONS", "EXIT_DOT_FAILED", "EXIT_NO_DOT",
    "DoesNotFit", "fitted_dot", "fitting_options", "sized_picture",
    "FAMILIES", "FEEDBACK_COLOUR", "FONT", "FORMATS", "FRAME_MARGIN", "HIGHLIGHT_COLOUR",
    "INK", "INSTALL_HINT", "MARKER", "TRAINING_COLOUR", "DotFailed", "DotNotFound", "Family",
    "Graph", "RenderError", "RenderOptions", "Scene", "doctor", "dot_version", "family_of",
    "find_dot", "forget_layouts", "highlight_codes", "render", "repr_svg", "run_dot", "to_dot",
    "to_mermaid",
    "to_scene",
    "to_svg", "to_tree", "tree_of",
]


@paused_collector()
def to_scene(proposal: Proposal | Diagram, diagram: str | None = None, *, analysis=None,
             options: RenderOptions | None = None, **fields) -> Scene:
    """What `to_dot` draws, as data (see `wiring.render.scene`); the arguments are those of
    `to_dot`."""
    options = dataclasses.replace(options or RenderOptions(), **fields)
    if isinstance(proposal, Diagram):
        if diagram not in (None, proposal.name):
            raise RenderError(f"this diagram is `{proposal.name}`, not `{diagram}`")
        proposal, name = bare_proposal(proposal), proposal.name
    else:
        name = diagram
        if name is None:
            top = structure.default_diagram(proposal)
            name = top.name if top is not None else None
        if name is not None and name not in proposal.diagrams:
            raise RenderError(structure.no_such_diagram(proposal, diagram))
    scene = build_scene(proposal, name, options)
    if options.highlighting:
        if analysis is None and name is not None:
            from ..analysis import analyse

            analysis = analyse(proposal, name)
        # a witness is a path of every mode at once: one mode's picture is checked against it
        every = build_scene(proposal, name, dataclasses.replace(options, mode=None)) \
            if options.mode is not None and name is not None else None
        _highlight(scene, analysis, options.codes, every)
    return scene


@paused_collector()
def to_tree(proposal: Proposal | Diagram, diagram: str | None = None, *, analysis=None,
            options: RenderOptions | None = None, **fields) -> Graph:
    """The DOT syntax tree of `to_dot` (see `wiring.render.dot`)."""
    options = dataclasses.replace(options or RenderOptions(), **fields)
    if options.panels and isinstance(proposal, Diagram):
        raise RenderError("panels are drawn from a proposal, not from a bare diagram")
    scene = to_scene(proposal, diagram, analysis=analysis, options=options)
    return drawn_tree(scene, proposal, diagram, analysis)


@paused_collector()
def to_dot(proposal: Proposal | Diagram, diagram: str | None = None, *, analysis=None,
           options: RenderOptions | None = None, **fields) -> str:
    """The DOT text of one diagram of a proposal.

    `diagram` defaults to `wiring.structure.default_diagram(proposal)`. The options are a
    RenderOptions, or its fields as keywords: `mode` keeps only the boxes, ports and wires
    active in that mode; `depth` expands nested diagrams that many levels (0: none; None: up to
    AUTO_DEPTH levels, as many as fit in AUTO_BOXES boxes, the caption saying so) and `flatten` draws the expanded ones without their clusters; `direction` is "LR" (left to
    right) or "TB" (top to bottom); `show_types` writes each wire's type on it; `legend` and
    `title` keep the legend and the title, diagram and citations below the picture; `style`
    is "full" (the default) or "paper": a figure for a paper, ports as dots, kind and trust
    by fill and border only, a one-line key instead of title and legend (`wiring.render.paper`);
    `font_size` ("8pt", or a number of points) sets the smallest text to that size and the
    rest in proportion (`width` is for `render`: see `wiring.render.fit`).

    `highlight` runs the analyses (`wiring.analysis.analyse`, or uses `analysis` when given)
    and draws the witnesses of their findings: True (or "all") for every unacknowledged
    finding, or codes ("S0201,S0101", or a list) for one finding of each, acknowledged or
    not: "S0201" the first, "S0201#2" the second (as `wiring lint` lists them), and the rest
    of the picture faded. Boxes and optimisers on a witness get a thick magenta frame
    headed by ‼ and the finding codes, the wires between them are thick, magenta and dashed
    (paper style: thick and in ink, each keeping its line, feedback dashed and the rest
    solid), and the caption lists the findings (code, severity, message). With a `mode`, a
    finding is drawn only if its whole witness is drawn in that mode (`highlight`).
    Acknowledged findings are not drawn unless their code is asked for; the caption counts
    them, and names a code asked for that finds nothing ("S0201#3 (there are 2)").
    Raises RenderError for an unknown diagram, mode or option.
    """
    return print_dot(to_tree(proposal, diagram, analysis=analysis, options=options, **fields))


@paused_collector()
def to_mermaid(proposal: Proposal | Diagram, diagram: str | None = None, *, analysis=None,
               options: RenderOptions | None = None, **fields) -> str:
    """The Mermaid flowchart of one diagram (see `wiring.render.mermaid`), for a ```mermaid
    block of a Markdown page: what `to_dot` draws, from the same scene and with the same
    options, except the sizes on paper (`width`, `height`, `font_size`, `font`), which Mermaid
    sets itself. `panels` draws each panel as a subgraph, side by side. Needs no Graphviz.
    Raises RenderError for an unknown diagram, mode or option."""
    from .mermaid import mermaid_text
    from .panels import panel_list

    options = dataclasses.replace(options or RenderOptions(), **fields)
    if options.panels is None:
        scene = to_scene(proposal, diagram, analysis=analysis, options=options)
        return mermaid_text([(None, scene)], options)
    if isinstance(proposal, Diagram):
        raise RenderError("panels are drawn from a proposal, not from a bare diagram")
    scenes = [(title, to_scene(proposal, name, analysis=analysis if name == diagram else None,
                               options=panel_options))
              for title, name, panel_options in panel_list(proposal, diagram, options)]
    return mermaid_text(scenes, options)


def render(proposal: Proposal | Diagram, fmt: str = "svg", diagram: str | None = None, *,
           dpi: int | None = None, timeout: float = 120, standalone: bool = False,
           **options) -> bytes:
    """The picture of a diagram as image bytes (`fmt`: svg, png, pdf, tex for a TikZ picture
    (with `standalone`, a LaTeX document of one page the picture's size), or dot for the DOT
    text).
    `options` are those of `to_dot`, and `width` ("3.25in", "17cm", "80mm", "234pt"): the
    picture is exactly that wide, its text at the size asked for (never scaled), or
    DoesNotFit says which option fits. Raises DotNotFound when Graphviz is missing, DotFailed
    when it fails, RenderError for bad options."""
    check_format(fmt)
    width = options.get("width")
    if width is None and options.get("height") is None:
        return run_dot(to_dot(proposal, diagram, **options), fmt, dpi=dpi, timeout=timeout,
                       standalone=standalone)
    return sized_picture(fitted_dot(proposal, diagram, timeout=timeout, **options), fmt, width,
                         dpi=dpi, timeout=timeout, standalone=standalone)


def to_svg(proposal: Proposal | Diagram, diagram: str | None = None, **options) -> str:
    return render(proposal, "svg", diagram, **options).decode("utf-8")


def repr_svg(obj: Proposal | Diagram) -> str | None:
    """For Jupyter: the SVG of a proposal's default diagram (or of a diagram), or None when
    Graphviz is missing or the drawing fails, so that the notebook falls back to text."""
    try:
        return to_svg(obj)
    except RenderError:
        return None
