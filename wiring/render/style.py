"""The look of a picture: colours, kind families, borders and fonts.

Okabe-Ito hues, one meaning each. Each coloured family's fill is a tint of its hue at its own
WCAG luminance (0.12 or more apart, black text readable on all), so a greyscale print keeps the
families apart; the families without a fill differ by border (`border_of`) or marker (`MARKS`).
Vermilion is reserved for training, ink dashes for feedback, magenta (IBM's colour-blind-safe
palette, not vermilion) for the witnesses of highlighted findings.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass

from ..model import TRUSTED
from ..structure import kind_chain


@dataclass(frozen=True)
class Family:
    key: str
    label: str
    roots: tuple[str, ...]
    colour: str
    rounded: bool
    keep: float | None = None      # how much of `colour` the fill keeps (tint); None: white


# The fills' luminances, darkest first: agent 0.23, verifier 0.34, model 0.46, evaluator 0.58,
# human 0.72, overseer 0.86, white 1 (the order with the widest gaps in Rec.601 luma too;
# see tests/test_render_palette.py). The families without a fill are told apart by
# their borders and markers, not by grey.
FAMILIES: tuple[Family, ...] = (
    Family("human", "human, rater", ("human",), "#E69F00", False, 0.38),
    Family("agent", "policy, agent", ("agent",), "#0072B2", True, 0.82),
    Family("overseer", "monitor, overseer", ("monitor", "overseer"), "#F0E442", True, 0.49),
    Family("verifier", "verifier, spec", ("verifier", "spec"), "#009E73", False, 0.81),
    Family("evaluator", "reward model, judge", ("evaluator",), "#CC79A7", True, 0.48),
    Family("gate", "gate, filter", ("gate",), "#1A1A1A", False),
    Family("model", "simulator, world model", ("model",), "#56B4E9", True, 0.87),
    Family("environment", "environment", ("environment",), "#1A1A1A", False),
    Family("data", "dataset, source", ("dataset", "source"), "#1A1A1A", False),
    Family("system", "nested diagram", ("system",), "#1A1A1A", False),
    Family("other", "other kinds", (), "#1A1A1A", False),
)
_BY_ROOT = {root: f for f in FAMILIES for root in f.roots}
FAMILY = {f.key: f for f in FAMILIES}
PLAIN = tuple(f.key for f in FAMILIES if f.keep is None)     # families drawn without a fill
# The ink bars that mark a family without a fill, on the sides of its header (Graphviz SIDES:
# Left, Right, Top): a gate between two bars, data with one on the left, a nested diagram on top.
MARKS = {"gate": "LR", "data": "L", "system": "T"}
MARK_WIDTH = 3
MARK_GAP = 2        # how far the bars keep in from a dashed or dotted border (on it, a comb)

TRAINING_COLOUR = "#D55E00"
INK = "#1A1A1A"
FEEDBACK_COLOUR = INK        # dashes carry feedback: blue means agent only
HIGHLIGHT_COLOUR = "#DC267F"
# Off the path of a finding highlighted by code, every colour keeps this much of itself (mixed
# with white: opaque, so that PDF viewers and printers agree, unlike transparency).
FADE = 0.35
FONT = "Helvetica,Arial,sans-serif"
FONT_SMALL = 9
FONT_PORT = 10
MARKER = "\u203c"                # ‼, before the codes of the findings a box is on (a glyph
#                                   Liberation Sans has: a PDF then embeds one font family)
# The space inside the diagram's frame around its boxes. Graphviz keeps nodes, not wires,
# inside a cluster: a wire that loops round the outermost boxes (feedback, a parameter
# update, a wire skipping ranks) needs room to stay within the frame.
FRAME_MARGIN = 36

# The prelude's kind tree, for diagrams drawn without their proposal (a bare Diagram).
PRELUDE_PARENTS = {
    "policy": "agent", "debater": "agent", "adversary": "agent", "reward_model": "evaluator",
    "preference_model": "reward_model", "judge": "evaluator", "critic": "evaluator",
    "monitor": "evaluator", "overseer": "evaluator", "auditor": "overseer",
    "verifier": "evaluator", "spec": "evaluator", "filter": "gate", "editor": "gate",
    "sanitizer": "gate", "router": "gate", "shutdown": "gate", "timeout": "gate",
    "simulator": "model", "world_model": "model", "rater": "human", "sink": "environment",
}


def family_for(attributes, kinds: Mapping) -> Family:
    """The style family of a box: human whenever it is a person (its kind or its trust), so
    that humans are drawn one way everywhere (an `auditor, human` is a human, not an overseer)."""
    if attributes.trust == "human":
        return FAMILY["human"]
    return family_of(attributes.kind, kinds)


def family_of(kind: str, kinds: Mapping) -> Family:
    """The style family of a kind: the first kind on its parent chain that roots a family.
    Kinds not in `kinds` take their parent from the prelude's tree (a bare Diagram, or a model
    read from JSON, may lack the prelude's declarations)."""
    for name in kind_chain(ChainMap(kinds, PRELUDE_PARENTS), kind):
        if name in _BY_ROOT:
            return _BY_ROOT[name]
    return FAMILY["other"]


def border_of(attributes, family: Family) -> str:
    """The border style of a box: double, dashed, bold dashed (learned and trusted: the AI
    control setting's T), bold, dotted or solid."""
    if attributes is None:
        return "solid"
    if attributes.trust == "human" or family.key == "human":
        return "double"
    if attributes.learned:
        return "bold-dashed" if attributes.trust in TRUSTED else "dashed"
    if attributes.trust in TRUSTED:
        return "bold"
    if attributes.trust == "environment" or family.key == "environment":
        return "dotted"
    return "solid"


# How each border is drawn: its line pattern, and 2 pt (heavy) or 1 pt. The pattern says
# learned (dashed) or the world (dotted); the weight says trusted, whatever the pattern (dots
# are drawn at 2 pt to be seen at all: a dotted border says the world, not trust).
BORDER_PATTERN = {"dashed": "dashed", "bold-dashed": "dashed", "dotted": "dotted"}
HEAVY_BORDERS = {"bold", "bold-dashed", "dotted"}
# A dotted border's dashes and gaps, in points (`svg`, `tikz`): dots made round by the line's
# round caps, 4 pt apart. Graphviz dots a border with dashes 1 pt long on its 2 pt pen, ticks
# across the line that made a box's border read as a comb (its own PNG and PDF still do).
DOTTED = (0.01, 4.0)
# A combined border is explained by the entries of its parts.
BORDER_PARTS = {"bold-dashed": ("dashed", "bold")}
BORDERS = {"double": "human (double border)", "dashed": "learned (dashed border)",
           "bold": "trusted or formal (bold border)", "dotted": "environment (dotted border)",
           "solid": "untrusted, not learned"}
# The frame of an expanded nested diagram, by its instance's border.
CLUSTER_STYLE = {"double": "rounded,bold", "dashed": "rounded,dashed", "bold": "rounded,bold",
                 "bold-dashed": "rounded,dashed,bold",
                 "dotted": "rounded,dotted"}


def tint(colour: str, amount: float = 0.22) -> str:
    """`colour` mixed with white: `amount` of the colour is kept."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    mix = [round(255 - (255 - c) * amount) for c in (r, g, b)]
    return "#" + "".join(f"{c:02X}" for c in mix)


def fill(family: Family) -> str:
    """The fill of a family's boxes (their header in the full style): a tint, or white."""
    return "#FFFFFF" if family.keep is None else tint(family.colour, family.keep)


def luminance(colour: str) -> float:
    """WCAG relative luminance: linearised sRGB, weighted 0.2126/0.7152/0.0722."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(int(colour[i:i + 2], 16) / 255) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(y1: float, y2: float) -> float:
    """WCAG contrast ratio of two luminances."""
    return (max(y1, y2) + 0.05) / (min(y1, y2) + 0.05)


def grey_of(colour: str) -> str:
    """The neutral grey of `colour`'s luminance (`--theme grey`): prints as `colour` does."""
    y = luminance(colour)
    c = 12.92 * y if y <= 0.0031308 else 1.055 * y ** (1 / 2.4) - 0.055
    return "#" + f"{round(c * 255):02X}" * 3


def dark(colour: str) -> bool:
    """Whether white text reads better than black on `colour` (the higher WCAG contrast)."""
    y = luminance(colour)
    return contrast(y, 1.0) > contrast(y, 0.0)
