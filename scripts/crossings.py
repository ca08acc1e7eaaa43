"""How tangled a laid-out picture is: the pairs of wires whose curves cross, and the wires that
pass through a box other than their ends (`wiring.render.untangle.crossings`, the definition of
the team's reference tool, ../shared/tools/crossings.py). scripts/gen_gallery.py puts the counts
in docs/gallery.md.

    .venv/bin/python scripts/crossings.py examples/debate.wd [--style paper --direction TB ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wiring.render.graphviz import drawing  # noqa: E402
from wiring.render.untangle import crossings  # noqa: E402


def count_dot(dot_text: str) -> tuple[int, int]:
    """`crossings` of the layout Graphviz makes of DOT text."""
    return crossings(drawing(dot_text))


def main(argv: list[str]) -> int:
    import wiring
    from wiring.render import to_dot

    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    proposal = wiring.check_file(argv[0]).proposal
    words = argv[1:]
    options = {key.lstrip("-").replace("-", "_"): value
               for key, value in zip(words[::2], words[1::2])}
    crossed, through = count_dot(to_dot(proposal, **options))
    print(f"{crossed} crossings, {through} wires through a box")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
