"""Which examples fit a page (6.5 in) and a column (3.25 in) at 7 pt, and with which option.

For every example, `wiring render --width W --font-size 7pt` either writes a picture exactly W
wide (it fits) or exits 1 naming an option that fits; that option is then run, and the picture
checked: declared width W, no text printed under 7 pt. Prints a Markdown table.

    PYTHONPATH=. .venv/bin/python benchmarks/paper_fit.py [--style STYLE]
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
sys.path.insert(0, str(ROOT))

from wiring.cli import main  # noqa: E402

WIDTHS = ("3.25in", "6.5in")
FONT = "7pt"
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
    own = [float(element.get("font-size", "14")) * scale] if element.tag == SVG + "text" else []
    return min(own + [smallest_printed(child, scale) for child in element], default=1e9)


def checked(out: Path, width: str) -> bool:
    root = ET.parse(out).getroot()
    return root.get("width") == width and smallest_printed(root) >= float(FONT[:-2]) - 0.01


def cell(path: Path, width: str, extra: list[str], scratch: Path) -> str:
    out = scratch / "out.svg"
    out.unlink(missing_ok=True)
    asked = [str(path), *extra, "--width", width, "--font-size", FONT]
    code, err = run(asked, out)
    if code == 0:
        return "fits" if checked(out, width) else "**wrong size**"
    named = re.search(r"; (--.+) fits \(", err)
    if code != 1 or not named:
        narrowest = re.search(r"narrowest: (.+?), ([0-9.]+ in)", err)
        return (f"no (narrowest: `{narrowest[1]}`, {narrowest[2]})" if narrowest
                else f"exit {code}: {err.strip()[:80]}")
    code, err = run(asked + named[1].split(), out)
    ok = code == 0 and checked(out, width)
    return f"with `{named[1]}`" + ("" if ok else " **(does not fit when run)**")


def main_table(extra: list[str]) -> None:
    examples = sorted(ROOT.glob("examples/**/*.wd"))
    print("| example | 3.25 in | 6.5 in |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        for path in examples:
            cells = [cell(path, width, extra, Path(scratch)) for width in WIDTHS]
            print(f"| {path.relative_to(ROOT / 'examples').with_suffix('')} | "
                  + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main_table(sys.argv[1:])
