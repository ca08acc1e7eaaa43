"""Running Graphviz `dot`: finding it ($WIRING_DOT, else PATH), laying out DOT text as SVG, PNG
or PDF with a timeout, and saying how to install it when it is missing (`check` never needs
it)."""

from __future__ import annotations

import os
import shutil
import subprocess

from .options import FORMATS, RenderError

EXIT_NO_DOT = 3          # `wiring render`: Graphviz `dot` missing; the .dot file was written
EXIT_DOT_FAILED = 4      # `wiring render`: `dot` ran and failed
DEFAULT_PNG_DPI = 192

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


def run_dot(dot_text: str, fmt: str, *, dpi: int | None = None, timeout: float = 120) -> bytes:
    """Lay out DOT text with Graphviz `dot` and return the image bytes."""
    check_format(fmt)
    if fmt == "dot":
        return dot_text.encode("ascii")
    dot = find_dot()
    if dot is None:
        raise DotNotFound()
    command = [dot, f"-T{fmt}"]
    if fmt == "png":
        command.append(f"-Gdpi={dpi or DEFAULT_PNG_DPI}")
    elif dpi:
        command.append(f"-Gdpi={dpi}")
    try:
        run = subprocess.run(command, input=dot_text.encode("ascii"), capture_output=True,
                             timeout=timeout)
    except FileNotFoundError as exc:
        raise DotNotFound() from exc
    except subprocess.TimeoutExpired as exc:
        raise DotFailed(f"`dot` did not finish within {timeout:g} s") from exc
    except OSError as exc:
        raise DotFailed(f"could not run `{dot}`: {exc}") from exc
    if run.returncode != 0 or not run.stdout:
        message = run.stderr.decode("utf-8", "replace").strip()
        raise DotFailed(f"`dot -T{fmt}` failed (exit {run.returncode})" +
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
