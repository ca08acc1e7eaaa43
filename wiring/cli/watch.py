"""`wiring watch`: check and draw a proposal again each time it, or a file it imports, is saved;
with `--serve`, also show the picture on a page on localhost that reloads it (`serve`).

watchfiles (the `watch` extra) is imported only by this command. The directories of the
watched files are watched rather than the files, because editors save by writing a new file
and renaming it over the old one; any .wd file saved there counts, so that a file an import
names but that does not exist yet is picked up once it is written.
"""

from __future__ import annotations

import os
import sys
import time

from . import FILE_HELP, add_command, exits, print_results
from ..version import install_hint
from .output import can_write, write

INSTALL = (f"wiring watch needs the watchfiles package: {install_hint('watch')} (or "
           "pip install watchfiles; scripts/setup.sh installs it)")


class Watcher:
    """One proposal, checked and drawn again on demand."""

    def __init__(self, args, board=None):
        self.args, self.board = args, board
        self.files: list[str] = [os.path.abspath(args.file)]
        self.said_which = False   # which diagram is drawn, said once (as `wiring render` does)

    def run_once(self) -> None:
        """Check the file, print its diagnostics as `wiring check` does, and draw it."""
        from ..api import check_file
        from ..diagnostics import MAX_SHOWN, summary

        args = self.args
        result = check_file(args.file, root=args.root)
        self.files = sorted({os.path.abspath(f) for f in [args.file, *result.files]})
        print_results([(args.file, result)], "text", args.color)
        text = result.report(color=False, limit=MAX_SHOWN) if result.diagnostics else ""
        svg = None
        if result.ok and result.proposal is not None:
            svg, problem = self._draw(result)
            text = "\n\n".join(filter(None, [text, problem]))
        if self.board is not None:
            verdict = summary(result.diagnostics)
            status = (("ok" if result.ok else "failed") + (f" ({verdict})" if verdict else "") +
                      ("" if svg is not None else "; the picture shown is the last one drawn"))
            self.board.post(f"{args.file}: {status}, checked at {time.strftime('%H:%M:%S')}",
                            text, svg)
        sys.stdout.flush()

    def _draw(self, result) -> tuple[bytes | None, str]:
        """The SVG picture (written to -o), or None and why not (printed)."""
        from ..render import DotFailed, RenderError, run_dot, to_dot

        args = self.args
        if not self.said_which:
            from .render import say_which_diagram

            say_which_diagram(args.file, result.proposal, args.diagram)
            self.said_which = True
        try:
            svg = run_dot(to_dot(result.proposal, args.diagram), "svg")
        except (RenderError, DotFailed) as exc:
            print(f"wiring: {exc}", file=sys.stderr)
            return None, str(exc)
        if args.output and not write(args.output, svg, [args.file, *result.files]):
            return svg, f"cannot write {args.output}"
        return svg, ""

    def watched(self, _change, path: str) -> bool:
        """watchfiles' filter: a change to a file read, or to any .wd file beside them."""
        path = os.path.abspath(path)
        return path in self.files or (path.endswith(".wd") and
                                      os.path.dirname(path) in self.directories())

    def directories(self) -> list[str]:
        return sorted({os.path.dirname(f) for f in self.files if os.path.isdir(os.path.dirname(f))})


def cmd_watch(args) -> int:
    try:
        import watchfiles
    except ImportError:
        print(f"wiring: {INSTALL}", file=sys.stderr)
        return exits.USAGE
    from ..render import INSTALL_HINT, find_dot

    folder = os.path.dirname(os.path.abspath(args.file))
    if not os.path.isdir(folder):
        print(f"wiring: cannot watch {args.file}: the directory {os.path.dirname(args.file)} "
              "does not exist", file=sys.stderr)
        return exits.USAGE
    if args.output is None and args.serve is None:
        args.output = os.path.splitext(os.path.basename(args.file))[0] + ".svg"
    if args.output is not None and not args.output.lower().endswith(".svg"):
        print(f"wiring: watch draws SVG: name an .svg file, not {args.output}", file=sys.stderr)
        return exits.USAGE
    if args.output is not None and not can_write(args.output):
        return exits.USAGE
    if find_dot() is None:
        print(f"wiring: watch draws with Graphviz, and `dot` is not installed.\n{INSTALL_HINT}",
              file=sys.stderr)
        return exits.NO_DOT
    board = server = None
    if args.serve is not None:
        from .serve import Board, serve

        board = Board(os.path.basename(args.file))
        try:
            server = serve(board, args.serve)
        except OSError as exc:
            print(f"wiring: cannot serve on 127.0.0.1:{args.serve}: {exc.strerror or exc}; "
                  "name another port, or 0 for any free one", file=sys.stderr)
            return exits.USAGE
        print(f"serving http://127.0.0.1:{server.server_address[1]}/")
    try:
        return _loop(watchfiles, Watcher(args, board))
    finally:
        if server is not None:
            server.shutdown()


def _loop(watchfiles, watcher: Watcher) -> int:
    """Check, then again after each save, until Ctrl-C (exit 0: stopping is the way out)."""
    try:
        watcher.run_once()
        while True:
            directories = watcher.directories()
            shown = ", ".join(os.path.relpath(d) for d in directories)
            print(f"watching {len(watcher.files)} file(s) in {shown} "
                  "(Ctrl-C stops)", flush=True)
            # A new import in another directory means watching again with that directory.
            for changes in watchfiles.watch(*directories, watch_filter=watcher.watched,
                                            debounce=200, step=50):
                changed = sorted({os.path.relpath(p) for _, p in changes})
                print(f"\nchanged: {', '.join(changed)}", flush=True)
                watcher.run_once()
                if watcher.directories() != directories:
                    break
    except KeyboardInterrupt:
        print("stopped", flush=True)
    return exits.OK


def add_watch_command(sub) -> None:
    p = add_command(sub, "watch", "check and draw a proposal again on every save",
                    "Check FILE and draw it as SVG, then again each time FILE or a file it "
                    "imports is saved, printing the diagnostics each time as `wiring check` "
                    "does. With --serve, also serve a page on this computer (127.0.0.1 only) "
                    "that shows the picture and reloads it after each save; while the file "
                    "has errors the page shows them above the last picture drawn. Ctrl-C "
                    f"stops. Needs the watchfiles package: {install_hint('watch')}.",
                    usage="wiring watch [options] FILE")
    p.add_argument("file", metavar="FILE", help=FILE_HELP)
    p.add_argument("-o", "--output", metavar="OUT.svg",
                   help="where to write the picture, written whole or not at all, never over "
                   "an input (default: FILE's stem plus .svg in the current directory; none "
                   "with --serve unless given)")
    p.add_argument("--diagram", metavar="NAME",
                   help="the diagram to draw (default: the top one, as `wiring render`)")
    p.add_argument("--serve", nargs="?", type=_port, const=8765, metavar="PORT",
                   help="serve a page that shows the picture at http://127.0.0.1:PORT/ "
                   "(default port 8765; 0: any free port, printed)")
    p.set_defaults(run=cmd_watch)


def _port(text: str) -> int:
    from . import whole_number

    return whole_number(0, 65535)(text)
