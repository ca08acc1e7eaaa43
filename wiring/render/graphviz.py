"""Running Graphviz `dot`: finding it ($WIRING_DOT, else PATH), laying out DOT text as SVG, PNG
or PDF with a timeout, and saying how to install it when it is missing (`check` never needs
it)."""

from __future__ import annotations

import collections
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
# Graphviz lays out the same DOT text the same way, and a figure is laid out many times over
# with the same text: measured for each option tried, then drawn; by every trial of a tidying;
# again by `wiring watch` when another figure of its file changed. The last LAYOUTS_KEPT
# layouts are kept, each of a DOT text and an output no longer than KEPT_CHARS.
LAYOUTS_KEPT, KEPT_CHARS = 32, 1_000_000

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
            notes: list[str] | None = None, standalone: bool = False) -> bytes:
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
    if fmt == "svg":
        return _run_svg(dot, dot_text, dpi, timeout)
    if fmt == "tex":                     # Graphviz lays out; `tikz` draws (`standalone`: a document)
        from .tikz import tikz_picture

        return tikz_picture(drawing(dot_text, timeout), standalone).encode("utf-8")
    if fmt != "png":
        return _run([dot, f"-T{fmt}"] + ([f"-Gdpi={dpi}"] if dpi else []), dot_text, timeout)
    return _run_png(dot, dot_text, dpi or DEFAULT_PNG_DPI, timeout, notes)


def _run_svg(dot: str, dot_text: str, dpi: int | None, timeout: float) -> bytes:
    """The SVG as authors edit it (`svg.editable_svg`), which needs the layout's drawing
    operations (`-Tjson`: the width of every text run). One layout writes both, unless
    Graphviz 2.43 crashes writing the operations of a dotted table border of 2 points; then
    the operations come from a second layout of the same text without dotted borders (a
    border's style moves nothing)."""
    import re

    from .svg import editable_svg

    extra = [f"-Gdpi={dpi}"] if dpi else []
    try:
        data, drawing = _with_drawing([dot, "-Tsvg", *extra], dot_text, timeout)
    except DotFailed:
        if "dotted" not in dot_text:      # a failure of its own: say it, do not run it again
            raise
        data = _run([dot, "-Tsvg", *extra], dot_text, timeout)
        undotted = re.sub(r'(STYLE="[^"]*)dotted', r"\1solid", dot_text)
        drawing = _with_drawing([dot, "-Tcanon", *extra], undotted, timeout)[1]
    return editable_svg(data, drawing)


def _with_drawing(command: list[str], dot_text: str, timeout: float) -> tuple[bytes, dict]:
    """The output of `command` and, from the same layout, its drawing operations."""
    import json
    import tempfile

    with tempfile.TemporaryDirectory(prefix="wiring-") as scratch:
        ops = os.path.join(scratch, "layout.json")
        data = _run([command[0], "-Tjson", f"-o{ops}", *command[1:]], dot_text, timeout)
        with open(ops, encoding="utf-8", errors="replace") as layout:
            return data, json.load(layout)


def bounding_box(laid: dict) -> tuple[float, float, float, float]:
    """The box of a layout (`layout`, `drawing`): left, bottom, right, top, in points."""
    x0, y0, x1, y1 = (float(v) for v in laid["bb"].split(","))
    return x0, y0, x1, y1


def drawing(dot_text: str, timeout: float = 120) -> dict:
    """Graphviz's layout of DOT text with its drawing operations (`dot -Tjson`: every curve,
    polygon and text run it would draw)."""
    return _json(dot_text, "-Tjson", timeout)


def layout(dot_text: str, timeout: float = 120) -> dict:
    """Graphviz's layout of DOT text, without drawing it (`dot -Tjson0`): the graph's box,
    each node's place, each wire's curve, each frame's box, in points."""
    return _json(dot_text, "-Tjson0", timeout)


def _json(dot_text: str, fmt: str, timeout: float) -> dict:
    import json

    dot = find_dot()
    if dot is None:
        raise DotNotFound()
    return json.loads(_LAYOUTS.get((dot, fmt, dot_text, timeout),
                                   lambda: _run([dot, fmt], dot_text, timeout)))


class Kept:
    """The last `most` values made (bytes), by key, each no longer than KEPT_CHARS, nor its
    key's text: what a hostile file makes is made again rather than held. A failure to make
    one is not kept: it raises."""

    def __init__(self, most: int):
        self.most, self.values = most, collections.OrderedDict()
        _EVERY_KEPT.append(self)

    def get(self, key: tuple, make) -> bytes:
        if key in self.values:
            self.values.move_to_end(key)
            return self.values[key]
        value = make()
        if len(value) <= KEPT_CHARS and all(len(part) <= KEPT_CHARS for part in key
                                            if isinstance(part, str)):
            self.values[key] = value
            if len(self.values) > self.most:
                self.values.popitem(last=False)
        return value


_EVERY_KEPT: list[Kept] = []
_LAYOUTS = Kept(LAYOUTS_KEPT)


def forget_layouts() -> None:
    """Forget every layout kept (`Kept`): for a caller that changes how figures are tidied."""
    for kept in _EVERY_KEPT:
        kept.values.clear()


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
    fmt = [c for c in command if c.startswith("-T")][-1]     # the one written to stdout
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
