"""The look of a picture: colours, kind families, borders and fonts.

Okabe-Ito colours; the header's lightness differs between neighbours, the «kind» tag and the
border carry the rest, so the picture survives greyscale and colour blindness. Vermilion is
reserved for training, blue dashes for feedback, magenta (IBM's colour-blind-safe palette, not
vermilion) for the witnesses of highlighted findings.
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


FAMILIES: tuple[Family, ...] = (
    Family("human", "human, rater", ("human",), "#E69F00", False),
    Family("agent", "policy, agent", ("agent",), "#0072B2", True),
    Family("overseer", "monitor, overseer", ("monitor", "overseer"), "#F0E442", True),
    Family("verifier", "verifier, spec", ("verifier", "spec"), "#009E73", False),
    Family("evaluator", "reward model, judge", ("evaluator",), "#CC79A7", True),
    Family("gate", "gate, filter", ("gate",), "#222222", False),
    Family("model", "simulator, world model", ("model",), "#56B4E9", True),
    Family("environment", "environment", ("environment",), "#8C8C8C", False),
    Family("data", "dataset, source", ("dataset", "source"), "#D0D0D0", False),
    Family("system", "nested diagram", ("system",), "#FFFFFF", False),
    Family("other", "other kinds", (), "#FFFFFF", False),
)
_BY_ROOT = {root: f for f in FAMILIES for root in f.roots}
FAMILY = {f.key: f for f in FAMILIES}
PLAIN = ("system", "other")          # families drawn in black and white

TRAINING_COLOUR = "#D55E00"
FEEDBACK_COLOUR = "#0072B2"
HIGHLIGHT_COLOUR = "#DC267F"
# Off the path of a finding highlighted by code, every colour keeps this much of itself (mixed
# with white: opaque, so that PDF viewers and printers agree, unlike transparency).
FADE = 0.35
INK = "#1A1A1A"
FONT = "Helvetica,Arial,sans-serif"
FONT_SMALL = 9
FONT_PORT = 10
MARKER = "\u26a0"                # ⚠, before the codes of the findings a box is on
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


def family_of(kind: str, kinds: Mapping) -> Family:
    """The style family of a kind: the first kind on its parent chain that roots a family.
    Kinds not in `kinds` take their parent from the prelude's tree (a bare Diagram, or a model
    read from JSON, may lack the prelude's declarations)."""
    for name in kind_chain(ChainMap(kinds, PRELUDE_PARENTS), kind):
        if name in _BY_ROOT:
            return _BY_ROOT[name]
    return FAMILY["other"]


def border_of(attributes, family: Family) -> str:
    """The border style of a box: double, dashed, bold, dotted or solid."""
    if attributes is None:
        return "solid"
    if attributes.trust == "human" or family.key == "human":
        return "double"
    if attributes.learned:
        return "dashed"
    if attributes.trust in TRUSTED:
        return "bold"
    if attributes.trust == "environment" or family.key == "environment":
        return "dotted"
    return "solid"


BORDERS = {"double": "human (double border)", "dashed": "learned (dashed border)",
           "bold": "trusted or formal (bold border)", "dotted": "environment (dotted border)",
           "solid": "untrusted, not learned"}
# The frame of an expanded nested diagram, by its instance's border.
CLUSTER_STYLE = {"double": "rounded,bold", "dashed": "rounded,dashed", "bold": "rounded,bold",
                 "dotted": "rounded,dotted"}


def tint(colour: str, amount: float = 0.22) -> str:
    """`colour` mixed with white: `amount` of the colour is kept."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    mix = [round(255 - (255 - c) * amount) for c in (r, g, b)]
    return "#" + "".join(f"{c:02X}" for c in mix)


def dark(colour: str) -> bool:
    """Whether white text reads better than black on `colour`."""
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5
