#!/usr/bin/env python3
"""Regenerate docs/gallery.md and docs/gallery/*.svg from every examples/**/*.wd.

    .venv/bin/python scripts/gen_gallery.py            # write the gallery
    .venv/bin/python scripts/gen_gallery.py --check    # exit 1 if docs/gallery.md is stale, or a
                                                       # paper figure is over issue 13's bounds

For each example, the default diagram is shown in the paper style at 6.5 in and 7 pt (with the
option `wiring render` names when it does not fit as is), its full-style picture a link away;
each other top diagram (one no other diagram instantiates) gets its full picture; a diagram with
modes also gets one picture per mode, and one that nests other diagrams an overview with the
nested diagrams collapsed (`--depth 0`). A table says which examples fit a column (3.25 in) and
a page (6.5 in) at 7 pt, and with which option (`fit_cell`; benchmarks/paper_fit.py checks it).
Nothing in the gallery is written by hand: edit the examples or wiring/render/ and run this
again.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import wiring  # noqa: E402
from crossings import count_dot  # noqa: E402
from wiring.render import (RenderOptions, fitted_dot, fitting_options, render, to_dot,  # noqa: E402
                           to_scene)
from wiring.render.fit import DoesNotFit, drawn_boxes, overlays_modes  # noqa: E402
from wiring.render.options import PAGE_PT  # noqa: E402
from wiring.render.graphviz import bounding_box, layout  # noqa: E402
from wiring.structure import default_diagram, top_diagrams  # noqa: E402

EXAMPLES = ROOT / "examples"
DOCS = ROOT / "docs"
GALLERY = DOCS / "gallery"
PAPER = {"style": "paper", "font_size": "7pt"}     # the paper figures: at 7 pt ...
WIDTHS = ("3.25in", "6.5in")                       # ... a column and a page wide
PAGE = WIDTHS[-1]
PAGE_HEIGHT = f"{PAGE_PT / 72:g}in"                # a page of text's height
# Issue 13's bounds on the paper figures: crossings an example, in all, and wires through a box.
MOST_CROSSINGS, MOST_IN_ALL = 5, 40


def fit_cell(proposal, width: str) -> tuple[str, tuple[str, dict] | None]:
    """Whether the default diagram fits `width` in the paper style at 7 pt, as a table cell,
    and the option it fits with (as typed, RenderOptions fields; None: nothing tried fits)."""
    fits = fitting_options(proposal, **PAPER, width=width)
    if fits is None:
        return "no", None
    return (f"with `{fits[0]}`" if fits[0] else "fits"), fits


def page_cell(proposal, height: float) -> str:
    """Whether the paper figure at a page's width is within a page's height (PAGE_HEIGHT), as
    a table cell: "within" it, or the option `--height` then names, and how many boxes that
    draws when not every one (and the figures that draw the rest, when all fit); "no" when
    nothing tried fits."""
    if height <= float(PAGE_HEIGHT.removesuffix("in")):
        return "within"
    try:
        fitted_dot(proposal, **PAPER, width=PAGE, height=PAGE_HEIGHT)
        return "within"
    except DoesNotFit as refused:
        fits, rest = refused.fits, refused.rest
    if fits is None:
        return "no"

    scene = to_scene(proposal, options=RenderOptions(**PAPER, **fits[1]))
    drawn = drawn_boxes(scene)
    every = drawn_boxes(to_scene(proposal, options=RenderOptions(**PAPER)))
    overlaid = overlays_modes(scene)
    return f"with `{fits[0]}`" + (f", {drawn} of {every} boxes" if drawn < every else "") + \
        (", every mode in one picture" if overlaid else "") + \
        (f"; the rest as {len(rest)} more figures: " + ", ".join(f"`{r}`" for r in rest)
         if rest else "")


def tangles(proposal, fits: tuple[str, dict] | None) -> tuple[tuple, tuple, float]:
    """(crossings, wires through a box) of the paper figure at a page's width, with the
    option it needs (`scripts/crossings.py`), and of the full style's default picture; and
    how tall the paper figure is, in inches (a page of text is about 9)."""
    paper = (fitted_dot(proposal, **PAPER, width=PAGE, **fits[1]) if fits is not None
             else to_dot(proposal, **PAPER))
    pad = re.search(r'\bpad="?[0-9.]+,([0-9.]+)', paper)
    _, bottom, _, top = bounding_box(layout(paper))
    height = (top - bottom) / 72 + 2 * (float(pad.group(1)) if pad else 0.0)
    return count_dot(paper), count_dot(to_dot(proposal)), height


def summary(path: Path) -> str:
    """The first paragraph of the comment that opens an example."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        text = line[1:].strip()
        if not text:
            if lines:
                break
            continue
        lines.append(text)
    return " ".join(lines)


def pictures(proposal) -> list[tuple[str, str, dict]]:
    """(file stem suffix, caption, render options) for every picture of one example."""
    out = []
    tops = top_diagrams(proposal)
    for diagram in tops:
        name = diagram.name
        base = "" if len(tops) == 1 else f"-{name}"
        out.append((base, f"`{name}`" + (", all modes overlaid" if diagram.modes else ""),
                    {"diagram": name}))
        nested = any(i.of_diagram for i in diagram.instances)
        if nested:
            out.append((f"{base}-overview", f"`{name}`, nested diagrams collapsed",
                        {"diagram": name, "depth": 0}))
        for mode in diagram.modes:
            out.append((f"{base}-{mode}", f"`{name}` in mode `{mode}`",
                        {"diagram": name, "mode": mode}))
    return out


def command(path: Path, options: dict, several: bool) -> str:
    parts = [f"wiring render {path.relative_to(ROOT).as_posix()}"]
    if several:
        parts.append(f"--diagram {options['diagram']}")
    if "mode" in options:
        parts.append(f"--mode {options['mode']}")
    if "depth" in options:
        parts.append(f"--depth {options['depth']}")
    return " ".join(parts)


def paper_picture(proposal, path: Path, stem: str, fits: tuple[str, dict] | None,
                  files: dict[str, bytes]) -> list[str]:
    """The default diagram in the paper style at a page's width (with `fits`, the option
    that makes it fit, `fit_cell`'s), or at its own width when nothing fits: Markdown lines."""
    name = f"{stem}-paper.svg"
    words = " ".join(f"--{key.replace('_', '-')} {value}" for key, value in PAPER.items())
    options = {**PAPER, **({"width": PAGE, **fits[1]} if fits is not None else {})}
    files[name] = render(proposal, "svg", **options)
    rel = path.relative_to(ROOT).as_posix()
    if fits is None:
        caption = f"does not fit {PAGE} at 7 pt: drawn at its own width"
        cmd = f"wiring render {rel} {words}"
    else:
        caption = f"{PAGE} wide"
        cmd = " ".join(filter(None, [f"wiring render {rel} {words} --width {PAGE}",
                                     fits[0]]))
    return [f"**Paper style, {caption}** — `{cmd}`", "",
            f"![{stem}, paper style](gallery/{name})", ""]


def section(proposal, path: Path, stem: str, title: str, fits: tuple[str, dict] | None,
            files: dict[str, bytes]) -> str:
    """One example's part of the gallery: its summary, its default diagram in the paper style
    (`fits`: what it needs to fit a page) with a link to its full style, then its other
    pictures in the full style. Adds the pictures to `files`."""
    rel = path.relative_to(ROOT).as_posix()
    lines = [f"## {title}", "", f"Source: [`{rel}`](../{rel})", ""]
    text = summary(path)
    if text:
        lines += [text, ""]
    lines += paper_picture(proposal, path, stem, fits, files)
    at = len(lines)                                  # the link to the full style goes here
    main = default_diagram(proposal).name
    several = len(top_diagrams(proposal)) > 1
    for suffix, caption, options in pictures(proposal):
        name = f"{stem}{suffix}.svg"
        files[name] = render(proposal, "svg", **options)
        cmd = command(path, options, several)
        if options == {"diagram": main}:            # drawn in the paper style above
            lines[at:at] = [f"[Full style](gallery/{name}): `{cmd}`", ""]
        else:
            lines += [f"**{caption}** — `{cmd}`", "",
                      f"![{title}: {caption}](gallery/{name})", ""]
    return "\n".join(lines)


def head(index: list[str], table: list[str]) -> list[str]:
    """The gallery's opening: how to read it, the examples, and the fit table."""
    header = [
        "# Gallery",
        "",
        "<!-- Generated by scripts/gen_gallery.py from examples/**/*.wd; do not edit by hand. -->",
        "",
        "Every example in `examples/` (and its subfolders), drawn by `wiring render`: first "
        "in the paper style at a page's width (`--style paper --width 6.5in --font-size 7pt`), "
        "its full style (the default options) a link below; then, in the full style, once per "
        "mode and, when it nests diagrams, collapsed to one level. In the paper style, ports "
        "are dots on the sides of the boxes and kind and trust are shown by fill and border "
        "only, with a key below naming them and the wires a reader could misread. How to read "
        "the full-style pictures: each box is an "
        "instance (`name : Component`, «kind» and attributes); its "
        "inputs are on the left and its outputs on the right; the header colour and the legend "
        "give the kind, the border its trust (double: human, dashed: learned, bold: trusted or "
        "formal, dotted: environment); vermilion wires are optimisation (a training signal into "
        "an optimiser, a double line from the optimiser to the parameters it updates), dashed "
        "blue wires are feedback.",
        "",
        "Regenerate with `.venv/bin/python scripts/gen_gallery.py`.",
        "",
    ]
    fit = [
        "## Which examples fit a column and a page",
        "",
        "Each example's default diagram in the paper style at 7 pt (`--style paper --font-size "
        "7pt`), a column (`--width 3.25in`) and a page (`--width 6.5in`) wide: it fits as is, "
        "or with the option `wiring render` names when it refuses (exit 1), or not with any "
        "option it tries (no). Then how tangled its wires are (`scripts/crossings.py`, the "
        "definition of the team's reference tool): pairs of wires that cross, in the paper "
        "figure at 6.5 in (with that option) and in the full style's default picture, and "
        "(after a slash, when any) wires that pass through a box other than their ends. The "
        "height is the paper figure's at 6.5 in: a page of text is about 9 in tall, and "
        "`--height 9in` finds an option that keeps a figure within it (the column 6.5 x 9 in: "
        "the figure is within a page as it is, or with that option, which may draw fewer "
        "boxes, and then the figures of their own that draw the rest within a page, each "
        "with that option and its own, when every one does; taller, `wiring render` warns).",
        "",
        *table,
        "",
    ]
    return header + index + [""] + fit


def build(write: bool) -> tuple[str, dict[str, bytes], list[str]]:
    """The gallery's Markdown, its pictures by name, and the paper figures over issue 13's
    bounds (`MOST_CROSSINGS`), said as sentences."""
    files: dict[str, bytes] = {}
    over: list[str] = []
    sections = []
    index = []
    table = ["| example | 3.25 in | 6.5 in | height at 6.5 in | 6.5 x 9 in | crossings, paper | "
             "crossings, full |", "|---|---|---|---:|---|---:|---:|"]
    totals = [0, 0, 0, 0]
    for path in sorted(EXAMPLES.rglob("*.wd")):
        result = wiring.check_file(str(path))
        stem = path.relative_to(EXAMPLES).with_suffix("").as_posix().replace("/", "-")
        rel = path.relative_to(ROOT).as_posix()
        if not result.ok or result.proposal is None:
            sections.append(f"## {stem}\n\n`{rel}` does not check yet; run `wiring check {rel}`.\n")
            continue
        proposal = result.proposal
        title = proposal.title or stem
        anchor = re.sub(r"[^a-z0-9 -]", "", title.lower()).strip().replace(" ", "-")
        index.append(f"- [{title}](#{anchor}) (`{rel}`)")
        cells = [fit_cell(proposal, width) for width in WIDTHS]
        paper, full, height = tangles(proposal, cells[-1][1])
        totals = [t + n for t, n in zip(totals, (*paper, *full))]
        counts = [f"{c}" + (f" / {b}" if b else "") for c, b in (paper, full)]
        if paper[0] > MOST_CROSSINGS or paper[1]:
            over.append(f"{stem}: {paper[0]} crossings (at most {MOST_CROSSINGS}), "
                        f"{paper[1]} wires through a box (none) in the paper style")
        table.append(f"| [`{stem}`](#{anchor}) | " + " | ".join(c for c, _ in cells)
                     + f" | {height:.1f} in | {page_cell(proposal, height)} | "
                     + " | ".join(counts) + " |")
        sections.append(section(proposal, path, stem, title, cells[-1][1], files))
    table.append(f"| all | | | | | {totals[0]}" + (f" / {totals[1]}" if totals[1] else "")
                 + f" | {totals[2]}" + (f" / {totals[3]}" if totals[3] else "") + " |")
    if totals[0] > MOST_IN_ALL:
        over.append(f"all: {totals[0]} crossings (at most {MOST_IN_ALL}) in the paper style")
    markdown = "\n".join(head(index, table) + sections).rstrip() + "\n"
    if write:
        GALLERY.mkdir(parents=True, exist_ok=True)
        for old in GALLERY.glob("*.svg"):
            if old.name not in files:
                old.unlink()
        for name, data in files.items():
            (GALLERY / name).write_bytes(data)
        (DOCS / "gallery.md").write_text(markdown, encoding="utf-8")
    return markdown, files, over


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only report whether docs/gallery.md and its pictures' names are "
                        "up to date, and the paper figures within issue 13's bounds (exit 1 "
                        "if not)")
    args = parser.parse_args()
    markdown, files, over = build(write=not args.check)
    for sentence in over:
        print(f"over issue 13's bounds: {sentence}", file=sys.stderr)
    if args.check:
        current = (DOCS / "gallery.md").read_text(encoding="utf-8") \
            if (DOCS / "gallery.md").exists() else ""
        names = {p.name for p in GALLERY.glob("*.svg")} if GALLERY.exists() else set()
        if current != markdown or names != set(files):
            print("docs/gallery.md is out of date: run scripts/gen_gallery.py", file=sys.stderr)
            return 1
        print("docs/gallery.md is up to date")
        return 1 if over else 0
    print(f"wrote docs/gallery.md and {len(files)} pictures in docs/gallery/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
