"""Which examples fit a page (6.5 in) and a column (3.25 in) at 7 pt, checked from the outside.

The table is the gallery's (scripts/gen_gallery.py, `fit_cell`: the option `wiring render`
names when it refuses). Here each cell is checked through the command line: without the option
`wiring render --style paper --width W --font-size 7pt` writes the picture (it fits) or exits 1
naming that option; with it, the picture declares width W and no text prints under 7 pt (both
measured by parsing the SVG). Prints the Markdown table, a cell marked when a check fails.

    PYTHONPATH=. .venv/bin/python benchmarks/paper_fit.py
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import wiring  # noqa: E402
from gen_gallery import PAPER, WIDTHS, fit_cell  # noqa: E402
from wiring.cli import main  # noqa: E402

FONT = PAPER["font_size"]
SVG = "{http://www.w3.org/2000/svg}"


def run(argv: list[str], out: Path) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(["render", *argv, "-o", str(out)])
        except SystemExit as exc:
            code = exc.code
    return code, err.getvalue()


def smallest_printed(element, scale: float = 1.0) -> float:
    for factor in re.findall(r"scale\(([-0-9.e]+)", element.get("transform", "")):
        scale *= float(factor)
    if element.tag == SVG + "text":          # a line's runs are its tspans, each its own size
        size = float(element.get("font-size", "14"))
        spans = element.findall(SVG + "tspan") or [element]
        return min(float(span.get("font-size", size)) * scale for span in spans)
    return min((smallest_printed(child, scale) for child in element), default=1e9)


def checked(out: Path, width: str) -> bool:
    root = ET.parse(out).getroot()
    return root.get("width") == width and smallest_printed(root) >= float(FONT[:-2]) - 0.01


def cell(path: Path, width: str, scratch: Path) -> str:
    proposal = wiring.check_file(str(path)).proposal
    text, fits = fit_cell(proposal, width)
    out = scratch / "out.svg"
    out.unlink(missing_ok=True)
    asked = [str(path), "--style", PAPER["style"], "--width", width, "--font-size", FONT]
    code, err = run(asked, out)
    if fits is None:
        return text if code == 1 else f"{text} **(exit {code})**"
    words = fits[0]
    refused = code == 0 if not words else code == 1 and f"; {words} fits (" in err
    if words:
        code, err = run(asked + words.split(), out)
    ok = refused and code == 0 and checked(out, width)
    return text + ("" if ok else " **(does not fit when run)**")


def main_table() -> None:
    examples = sorted(ROOT.glob("examples/**/*.wd"))
    print("| example | 3.25 in | 6.5 in |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        for path in examples:
            cells = [cell(path, width, Path(scratch)) for width in WIDTHS]
            print(f"| {path.relative_to(ROOT / 'examples').with_suffix('')} | "
                  + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main_table()
