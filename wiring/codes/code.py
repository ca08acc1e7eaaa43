"""The entry of a diagnostic code, and the declarations that its examples share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Code:
    title: str                # the one line after the code: `error[E0203]: <message>` has its own
    explanation: str          # for `wiring explain` and the docs
    example: str | None       # a proposal that triggers the code; None when it needs special input
    files: dict[str, str] = field(default_factory=dict)  # other files the example imports
    trigger: str = ""         # how to trigger a code whose input cannot be shown as text
    clean: str | None = None  # for findings: the same design changed so it does not fire
    # The short text under the caret, unless the report gives its own; like `help`, a
    # `str.format` template filled with the report's facts.
    label: str = ""
    help: str = ""            # a help template (`str.format` with the report's facts), if any
    why: str = ""             # findings: why it matters, with the paper it comes from
    severity: Literal["error", "warning", "note"] = "error"  # W codes warn; S codes say which
    # The file it is about cannot be read at all: when that is the main file, nothing after
    # reading runs (no elaboration, no check).
    stops: bool = False
    usage: bool = False       # a problem with the command line, not the proposal: exit code 2
    code: str = ""            # its own key, filled in by `codes.CODES`


TYPES = "type Prompt\ntype Response\n"
POLICY = TYPES + """component Policy : policy, learned {
  in  prompt   : Prompt
  out response : Response
}
"""
SCORED = POLICY + """component RewardModel : reward_model, learned {
  in  response : Response
  out score    : Real in [0, 1]
}
"""

AGENT = """type Prompt
type Response
type Score = Real in [0, 1]
component Source : source, trusted {
  out prompt : Prompt
}
component Policy : policy, learned, untrusted {
  in  prompt   : Prompt
  out response : Response
}
"""
WORLD = """component World : sink {
  in response : Response
}
"""

# Behaviours and evaluation (E06xx): the examples' shared declarations.
B_POLICY = """type Prompt
type Response
component Policy : policy, learned {
  in  prompt   : Prompt
  out response : Response
}
"""

B_PIPELINE = B_POLICY + """component Source : source, trusted {
  out prompt : Prompt
}
component World : sink {
  in response : Response
}
diagram D {
  src = Source
  u = Policy
  world = World
  src.prompt -> u.prompt
  u.response -> world.response
}
behaviour Tasks for Source {
}
behaviour Honest for Policy {
  response.correct ~ bernoulli(0.5)
}
"""
