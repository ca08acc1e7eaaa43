"""Running Graphviz `dot`: finding it ($WIRING_DOT, else PATH), laying out DOT text as SVG, PNG
or PDF with a timeout, and saying how to install it when it is missing (`check` never needs
it)."""

from __future__ import annotations

import math
import os
import shutil
import subprocess

from .options import FORMATS, RenderError

EXIT_NO_DOT = 3          # `wiring render`: Graphviz `dot` missing; the .dot file was written
EXIT_DOT_FAILED = 4      # `wiring render`: `dot` ran and failed
DEFAULT_PNG_DPI = 192
MIN_DPI, MAX_DPI = 10, 2400  # Graphviz crashes below 1 dpi; 20,000 took 52 s and 2.5 GB
MAX_PIXELS = 100_000_000     # a PNG's budget: about 400 MB while Graphviz draws it
MAX_SIDE = 32_767            # cairo's largest picture side

INSTALL_HINT = """\
Install Graphviz, which provides `dot`:
  Debian/Ubuntu  sudo apt-get install graphviz
  Fedora         sudo dnf install graphviz
  macOS          brew install graphviz
  Windows        winget install graphviz
  conda          conda install -c conda-forge graphviz
  elsewhere      https://graphviz.org/download/
then check with `dot -V` (or `wiring doctor`); set WIRING_DOT=/path/to/dot if it is not on PATH."""


class DotNotFound(RenderError):
    """Graphviz `dot` is not on PATH; the message says how to install it."""

    def __init__(self, message: str = ""):
        super().__init__(message or "Graphviz `dot` was not found on PATH.\n" + INSTALL_HINT)


class DotFailed(RenderError):
    """`dot` ran and failed (or timed out); the message carries its error output."""


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise RenderError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")


def find_dot() -> str | None:
    """The path of Graphviz `dot` (from $WIRING_DOT, else PATH), or None."""
    explicit = os.environ.get("WIRING_DOT")
    if explicit:
        return explicit if os.path.isfile(explicit) and os.access(explicit, os.X_OK) else None
    return shutil.which("dot")


def dot_version(dot: str | None = None) -> str | None:
    dot = dot or find_dot()
    if dot is None:
        return None
    try:
        run = subprocess.run([dot, "-V"], capture_output=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    text = (run.stderr or run.stdout).decode("utf-8", "replace").strip()
    return text or None


def run_dot(dot_text: str, fmt: str, *, dpi: int | None = None, timeout: float = 120,
            notes: list[str] | None = None) -> bytes:
    """Lay out DOT text with Graphviz `dot` and return the image bytes. A PNG is kept within
    MAX_PIXELS (scaled down, saying so in `notes`, or as a warning when `notes` is None).
    Raises RenderError for a resolution outside MIN_DPI to MAX_DPI."""
    check_format(fmt)
    check_dpi(dpi)
    if fmt == "dot":
        return dot_text.encode("ascii")
    dot = find_dot()
    if dot is None:
        raise DotNotFound()
    if fmt != "png":
        data = _run([dot, f"-T{fmt}"] + ([f"-Gdpi={dpi}"] if dpi else []), dot_text, timeout)
        return group_caption(data) if fmt == "svg" else data
    return _run_png(dot, dot_text, dpi or DEFAULT_PNG_DPI, timeout, notes)


def layout_width(dot_text: str, timeout: float = 120) -> float:
    """The width in points of the layout of DOT text, without its `pad` (the graph's `bb`
    from `dot -Tjson0`): measuring a picture without drawing it."""
    import json

    dot = find_dot()
    if dot is None:
        raise DotNotFound()
    layout = json.loads(_run([dot, "-Tjson0"], dot_text, timeout))
    left, _, right, _ = (float(v) for v in layout["bb"].split(","))
    return right - left


def fix_svg_width(svg: bytes, width: str, width_pt: float) -> bytes:
    """The SVG declaring exactly `width` ("3.25in"): Graphviz writes whole points. The viewBox
    keeps one unit a point, so nothing is scaled."""
    import re

    head = re.search(rb"<svg[^>]*>", svg)
    if head is None:
        return svg
    tag = re.sub(rb'width="[^"]*"', b'width="' + width.encode("ascii") + b'"', head.group(), 1)
    tag = re.sub(rb'viewBox="([-0-9.]+) ([-0-9.]+) [-0-9.]+ ',
                 lambda m: b'viewBox="%s %s %.2f ' % (m.group(1), m.group(2), width_pt), tag, 1)
    return svg[:head.start()] + tag + svg[head.end():]


SVG_NS, XLINK_NS = "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"
LEGEND_HEADING = "Legend"      # the first text of the legend (`labels.legend_rows`)
_DRAWN = {f"{{{SVG_NS}}}{tag}" for tag in ("text", "path", "polygon", "polyline", "ellipse")}


def group_caption(svg: bytes) -> bytes:
    """The SVG with the caption's elements in `<g id="caption" class="caption">` and the
    legend's in `<g id="legend" class="legend">`, for authors editing the picture: Graphviz
    2.43 writes the graph's label as loose elements (no id, though the label asks for one),
    after the background polygon and before the first group. An SVG not laid out like that is
    returned as it is."""
    import xml.etree.ElementTree as ET

    start = svg.find(b"<svg")
    try:
        root = ET.fromstring(svg[start:], ET.XMLParser(target=ET.TreeBuilder(
            insert_comments=True))) if start >= 0 else None
    except ET.ParseError:
        return svg
    graph = None if root is None else root.find(f"{{{SVG_NS}}}g")
    if graph is None or graph.get("class") != "graph":
        return svg
    children = list(graph)
    first = next((n + 1 for n, c in enumerate(children) if c.tag == f"{{{SVG_NS}}}polygon"), 0)
    end = first
    while end < len(children) and children[end].tag in _DRAWN:
        end += 1
    if not first or end == first:
        return svg
    # the last such text: a title may be "Legend" too
    legend = max((n for n in range(first, end) if children[n].text == LEGEND_HEADING),
                 default=end)
    for name, (a, b) in (("legend", (legend, end)), ("caption", (first, legend))):
        if a < b:
            group = ET.Element(f"{{{SVG_NS}}}g", {"id": name, "class": name})
            group.text, group.tail = "\n", "\n"
            group.extend(children[a:b])
            for element in children[a:b]:
                graph.remove(element)
            graph.insert(a, group)
    # the usual prefixes (`default_namespace` would refuse the unprefixed attributes)
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    text = ET.tostring(root, encoding="unicode")
    return svg[:start] + text.encode("utf-8") + b"\n"


def font_substitute(family: str) -> str | None:
    """The family fontconfig draws instead of `family` when it has no such font (Graphviz
    measures text with it, and a viewer without it substitutes its own), or None when it has
    it or `fc-match` is not there to ask."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        run = subprocess.run([fc_match, "-f", "%{family}", family], capture_output=True,
                             timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    found = run.stdout.decode("utf-8", "replace").strip()
    names = [name.strip().lower() for name in found.split(",")]
    return found if found and family.strip().lower() not in names else None


def check_dpi(dpi: int | None) -> None:
    """Graphviz crashes on a resolution below 1 and takes minutes and gigabytes far above."""
    if dpi is not None and not MIN_DPI <= dpi <= MAX_DPI:
        raise RenderError(f"the resolution must be {MIN_DPI} to {MAX_DPI} dpi, not {dpi}")


def _run_png(dot: str, dot_text: str, dpi: int, timeout: float, notes: list[str] | None) -> bytes:
    """A PNG of at most MAX_PIXELS. The first run lays out once and writes both the picture,
    kept within a square of MAX_PIXELS by Graphviz's `size`, and the scale Graphviz drew it at
    (`-Tplain`); only a picture that square cut more than the budget needs (a long thin one)
    is drawn again, at the largest scale that fits."""
    import tempfile

    side = math.sqrt(MAX_PIXELS) / dpi            # inches: any picture within is in the budget
    with tempfile.TemporaryDirectory(prefix="wiring-") as scratch:
        plain = os.path.join(scratch, "layout.txt")
        command = [dot, "-Tplain", f"-o{plain}", "-Tpng", f"-Gdpi={dpi}"]
        data = _run(command + [f"-Gsize={side:.4f},{side:.4f}"], dot_text, timeout)
        with open(plain, encoding="ascii", errors="replace") as layout:
            drawn = float(layout.readline().split()[1])     # `graph SCALE WIDTH HEIGHT`
    if drawn >= 1 or data[12:16] != b"IHDR":
        return data
    # the natural size, from the picture's header and the scale it was drawn at
    width, height = (int.from_bytes(data[i:i + 4], "big") / drawn for i in (16, 20))
    scale = min(1.0, math.sqrt(MAX_PIXELS / (width * height)), MAX_SIDE / width,
                MAX_SIDE / height)
    if scale > drawn * 1.01:
        size = f"-Gsize={width * scale / dpi:.4f},{height * scale / dpi:.4f}"
        data = _run([dot, "-Tpng", f"-Gdpi={dpi}", size], dot_text, timeout)
    else:
        scale = drawn
    if scale < 1:
        _say(f"at {dpi} dpi the picture would be {width:,.0f} x {height:,.0f} pixels; a PNG has "
             f"at most {MAX_PIXELS // 1_000_000} megapixels, so it is scaled down to about "
             f"{width * scale:,.0f} x {height * scale:,.0f} (for more detail, draw SVG or PDF; "
             f"for a smaller file, a lower --dpi such as {max(MIN_DPI, int(dpi * scale))})", notes)
    return data


def _say(message: str, notes: list[str] | None) -> None:
    if notes is not None:
        notes.append(message)
    else:
        import warnings

        warnings.warn(message, RuntimeWarning, stacklevel=4)


def _run(command: list[str], dot_text: str, timeout: float) -> bytes:
    """The output of `dot` given DOT text on its standard input; DotFailed when it fails."""
    fmt = next(c for c in command if c.startswith("-T") and c != "-Tplain")
    try:
        run = subprocess.run(command, input=dot_text.encode("ascii"), capture_output=True,
                             timeout=timeout)
    except FileNotFoundError as exc:
        raise DotNotFound() from exc
    except subprocess.TimeoutExpired as exc:
        raise DotFailed(f"`dot` did not finish within {timeout:g} s") from exc
    except OSError as exc:
        raise DotFailed(f"could not run `{command[0]}`: {exc}") from exc
    if run.returncode != 0 or not run.stdout:
        message = run.stderr.decode("utf-8", "replace").strip()
        raise DotFailed(f"`dot {fmt}` failed (exit {run.returncode})" +
                        (f": {message}" if message else ""))
    return run.stdout


def doctor() -> tuple[bool, list[str]]:
    """Whether images can be rendered, and a report of the renderer found (or how to get it)."""
    import sys

    from ..version import __version__

    lines = [f"wiring {__version__} on Python {sys.version.split()[0]} ({sys.executable})"]
    try:
        from importlib.metadata import version

        lines.append(f"graphviz (Python package) {version('graphviz')}")
    except Exception:  # noqa: BLE001 - reporting only
        lines.append("graphviz (Python package): not installed (not needed for rendering)")
    dot = find_dot()
    if dot is None:
        where = "$WIRING_DOT" if os.environ.get("WIRING_DOT") else "PATH"
        lines.append(f"dot: NOT FOUND on {where}")
        lines.append("`wiring check` works without it; `wiring render` writes only .dot files.")
        lines.append(INSTALL_HINT)
        return False, lines
    lines.append(f"dot: {dot} ({dot_version(dot) or 'unknown version'})")
    ok = True
    for fmt in ("svg", "png", "pdf"):
        try:
            run_dot("digraph{a->b}", fmt, timeout=30)
            lines.append(f"  {fmt}: ok")
        except RenderError as exc:
            ok = False
            lines.append(f"  {fmt}: FAILED ({exc})")
    if not ok:
        lines.append("Some formats failed: install Graphviz with its cairo plugins "
                     "(Debian/Ubuntu: `sudo apt-get install graphviz`).")
    return ok, lines
