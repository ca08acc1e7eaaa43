"""What can be asked of the renderer: one options class, checked once, read by every stage."""

from __future__ import annotations

import re
from dataclasses import dataclass

FORMATS: tuple[str, ...] = ("svg", "png", "pdf", "tex", "dot")   # tex: a TikZ picture
DIRECTIONS: tuple[str, ...] = ("LR", "TB")
# "full" explains itself (kinds, trust, notes, legend, title); "paper" is a figure for a paper
# (see `wiring.render.paper`).
STYLES: tuple[str, ...] = ("full", "paper")
THEMES: tuple[str, ...] = ("colour", "grey")      # grey: for black-and-white print
# One picture of several panels (see `wiring.render.panels`): one per mode of the diagram, or
# one per top diagram of the file.
PANELS: tuple[str, ...] = ("modes", "diagrams")
# Without `depth`, nested diagrams are expanded this many levels at most (deeper ones are drawn
# as boxes, and the caption says so): Graphviz cannot lay out hundreds of nested frames.
AUTO_DEPTH = 16
# ... and no deeper than keeps the drawing within this many boxes: no figure is read at that
# size, Graphviz takes minutes to lay it out, and a short file nesting two copies of a diagram
# at each level would otherwise make tens of thousands (`--depth` draws more when asked).
AUTO_BOXES = 2_000

# a finding code, and which of its findings (`S0201#2`: the second; none: the first)
_CODE = re.compile(r"[A-Z][0-9]{4}(#[1-9][0-9]*)?\Z")

PAGE_PT = 9 * 72       # a page of text is about 9 in tall
# Sizes on paper, in points (1/72 in): `--width 3.25in`, `--font-size 8pt` (see `fit`).
UNITS = {"in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "pt": 1.0}
MAX_WIDTH_IN = 100                    # a poster; past that a length is a typo
MIN_FONT_PT, MAX_FONT_PT = 4, 72
_LENGTH = re.compile(r"\s*([0-9]*\.?[0-9]+)\s*(in|cm|mm|pt)?\s*\Z")


class RenderError(Exception):
    """A problem with what was asked of the renderer (unknown diagram or mode, bad option)."""


@dataclass(frozen=True)
class RenderOptions:
    """How to draw a diagram (see `wiring.render.to_dot`). Invalid values raise RenderError
    when the options are made, before any drawing."""

    mode: str | None = None          # keep only what is active in this mode
    depth: int | None = None         # expand nested diagrams this many levels (None: as fits)
    flatten: bool = False            # expanded nested diagrams without their frames
    direction: str = "LR"            # "LR" (left to right) or "TB" (top to bottom)
    show_types: bool = False         # each port cell names its type
    legend: bool = True
    title: bool = True               # title, diagram and mode, citations
    highlight: object = None         # None/False, True/"all", or finding codes (CODE[#N])
    width: str | None = None         # the picture's width on paper ("3.25in", "17cm"; see fit)
    height: str | None = None        # the most the picture may take down the page ("9in")
    font_size: str | float | None = None   # the smallest text, in pt ("8pt" or 8)
    style: str = "full"              # "full" or "paper" (see STYLES)
    # Paper style: boxes of one kind family share one width (heights always). With `width`,
    # `fit` draws them at their own widths when the shared ones would not fit.
    uniform: bool = True
    font: str | None = None          # the font family ("DejaVu Sans"); None: style.FONT
    theme: str = "colour"            # "colour" or "grey" (see THEMES)
    panels: str | None = None        # "modes" or "diagrams" (see PANELS); None: one picture

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise RenderError(f"direction must be one of {', '.join(DIRECTIONS)}, "
                              f"not {self.direction!r}")
        if self.style not in STYLES:
            raise RenderError(f"style must be one of {', '.join(STYLES)}, not {self.style!r}")
        if self.theme not in THEMES:
            raise RenderError(f"theme must be one of {', '.join(THEMES)}, not {self.theme!r}")
        if self.panels is not None and self.panels not in PANELS:
            raise RenderError(f"panels must be one of {', '.join(PANELS)}, not {self.panels!r}")
        if self.panels == "modes" and self.mode is not None:
            raise RenderError("--panels modes draws every mode, one panel each: leave out --mode")
        if self.depth is not None and self.depth < 0:
            raise RenderError(f"depth must be 0 or more, not {self.depth}")
        if self.highlighting:
            highlight_codes(self.highlight)      # a bad code is an error before any work
        if self.width is not None:               # ... and a bad size
            parse_width(self.width)
        if self.height is not None:
            parse_height(self.height)
        if self.font_size is not None:
            parse_font_size(self.font_size)
        if self.font is not None:
            check_font(self.font)

    @property
    def width_pt(self) -> float | None:
        return None if self.width is None else parse_width(self.width)[0]

    @property
    def height_pt(self) -> float | None:
        return None if self.height is None else parse_height(self.height)[0]

    @property
    def sized(self) -> bool:
        """A size on paper is asked for: the layout is measured (see `fit`)."""
        return self.width is not None or self.height is not None

    @property
    def font_pt(self) -> float | None:
        return None if self.font_size is None else parse_font_size(self.font_size)

    @property
    def highlighting(self) -> bool:
        return self.highlight is not None and self.highlight is not False

    @property
    def codes(self) -> frozenset[str] | None:
        """The finding codes to highlight; None for every unacknowledged finding."""
        return highlight_codes(self.highlight)


def highlight_codes(highlight) -> frozenset[str] | None:
    """The finding codes asked for: None for every finding (`True`, "all" or ""), else the
    codes of a comma-separated string or an iterable of strings, each CODE or CODE#N (the
    N-th finding of that code; `highlight.select`). Raises RenderError for a string that is
    not one (a letter and four digits, then # and a number from 1)."""
    if highlight is True or highlight is None:
        return None
    if isinstance(highlight, str):
        if highlight.strip().lower() in ("", "all"):
            return None
        items = highlight.split(",")
    else:
        items = list(highlight)
    codes = {str(item).strip().upper() for item in items if str(item).strip()}
    bad = sorted(c for c in codes if not _CODE.match(c))
    if bad:
        raise RenderError(f"--highlight takes finding codes such as S0201 or S0201#2 (the second "
                          f"S0201 finding; comma-separated), "
                          f"not {', '.join(bad)}")
    return frozenset(codes) or None


def parse_width(text: str) -> tuple[float, str]:
    """`--width`: a length with its unit (in, cm, mm, pt), as points and as written tidily
    ("3.25in"). Raises RenderError for a length that is not one, not positive or past
    MAX_WIDTH_IN."""
    return _length(text, "--width", "3.25in or 17cm")


def parse_height(text: str) -> tuple[float, str]:
    """`--height`: as `parse_width`, the most a picture may take down the page."""
    return _length(text, "--height", "9in or 22cm")


def _length(text: str, option: str, example: str) -> tuple[float, str]:
    found = _LENGTH.match(str(text))
    if not found or not found.group(2):
        raise RenderError(f"{option} takes a length with its unit (in, cm, mm or pt), such as "
                          f"{example}, not {text!r}")
    number, unit = float(found.group(1)), found.group(2)
    points = number * UNITS[unit]
    if not 0 < points <= MAX_WIDTH_IN * 72:
        raise RenderError(f"{option} must be more than 0 and at most {MAX_WIDTH_IN}in, "
                          f"not {text!r}")
    return points, f"{number:g}{unit}"


def parse_font_size(text) -> float:
    """`--font-size`: points ("8pt", or a bare number), MIN_FONT_PT to MAX_FONT_PT."""
    found = _LENGTH.match(str(text))
    if not found or found.group(2) not in (None, "pt"):
        raise RenderError(f"--font-size takes a size in points, such as 8pt or 8, not {text!r}")
    points = float(found.group(1))
    if not MIN_FONT_PT <= points <= MAX_FONT_PT:
        raise RenderError(f"--font-size must be {MIN_FONT_PT} to {MAX_FONT_PT} pt, "
                          f"not {text!r}")
    return points


# A font family's name: it goes into DOT as it is, and one family, not a fallback list.
_FONT = re.compile(r"[A-Za-z0-9][A-Za-z0-9 -]*\Z")


def check_font(name: str) -> str:
    """`--font`: one family's name, of letters, digits, spaces and hyphens."""
    if not isinstance(name, str) or not _FONT.match(name) or len(name) > 100:
        raise RenderError(f"--font takes the name of one font family (letters, digits, spaces "
                          f"and hyphens), such as \"DejaVu Sans\", not {name!r}")
    return name
