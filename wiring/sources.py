"""Reading proposal files and the files they import, with every I/O problem as a diagnostic.

This is the only stage that touches the file system. It returns the parsed files in dependency
order (each file after the files it imports), so that elaboration is a pure function of them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from importlib import resources

from .diagnostics import Diagnostic, Span, report
from .parse import ParsedFile, parse
from .syntax import Import

MAX_BYTES = 8 * 1024 * 1024
PRELUDE = "<prelude>"


@dataclass
class Program:
    root: str
    files: dict[str, ParsedFile] = field(default_factory=dict)  # dependency order
    imports: dict[str, list[str]] = field(default_factory=dict)  # file -> files it imports
    diagnostics: list[Diagnostic] = field(default_factory=list)


def decode(path: str, data: bytes) -> tuple[str | None, Diagnostic | None]:
    """Source text from raw bytes, refusing what is not a text proposal."""
    span = Span(file=path, line=1, column=1, end_line=1, end_column=1)
    if len(data) > MAX_BYTES:
        return None, report("E0007", span,
                            f"the file is {len(data) / 2**20:.1f} MiB; proposals are "
                            f"limited to {MAX_BYTES // 2**20} MiB", label="")
    if b"\x00" in data:
        return None, report("E0005", span, "this is a binary file, not a proposal", label="",
                           help="proposal files are UTF-8 text, usually named *.wd")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, report("E0005", Span(file=path, line=line, column=column, end_line=line,
                            end_column=column + 1),
                            f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x})", label="",
                            help="save the file as UTF-8")
    return text.removeprefix("\ufeff"), None


def read_file(path: str, used_at: Span | None = None) -> tuple[str | None, Diagnostic | None]:
    """The text of `path`; `used_at` is the import statement that named it, if any."""
    importing = used_at is not None
    where = used_at or Span(file=path, line=1, column=1, end_line=1, end_column=1)
    if "\x00" not in path and os.path.isdir(path):
        return None, report("E0403" if importing else "E0502", where if importing else None,
                            f"`{path}` is a directory, not a "
                            "proposal file", label="", help="name a .wd file inside it")
    try:
        # Read at most one byte past the limit: a huge file is refused by its size without
        # being loaded into memory.
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            size = os.path.getsize(path)
            span = Span(file=path, line=1, column=1, end_line=1, end_column=1)
            shown = f"{size / 2**20:.1f} MiB" if size > MAX_BYTES else \
                f"more than {MAX_BYTES // 2**20} MiB"  # a device or pipe has no size
            return None, report("E0007", span, f"the file is {shown}; proposals are "
                               f"limited to {MAX_BYTES // 2**20} MiB", label="")
    except FileNotFoundError:
        return None, report("E0401" if importing else "E0501", where if importing else None,
                            f"cannot find `{path}`", label="")
    except (OSError, ValueError) as exc:  # ValueError: a NUL character in the path
        reason = getattr(exc, "strerror", None) or "the path is not valid"
        return None, report("E0403" if importing else "E0502", where if importing else None,
                            f"cannot read `{path!r}`: {reason}" if "\x00" in path else
                            f"cannot read `{path}`: {reason}", label="")
    return decode(path, data)


STD = "std/"  # imports starting with this name the standard library shipped in the package


def std_declaring(name: str) -> str | None:
    """The standard-library module that declares `name` (for "did you forget an import?"),
    read with a line scan: this runs only when a name is unknown."""
    pattern = re.compile(r"^(?:kind|type|record|enum|param|optimiser|component|diagram)\s+"
                         + re.escape(name) + r"\b", re.M)
    for module in std_modules():
        text = resources.files("wiring").joinpath("std", module).read_text(encoding="utf-8")
        if pattern.search(text):
            return STD + module
    return None


def std_modules() -> list[str]:
    return sorted(p.name for p in resources.files("wiring").joinpath("std").iterdir()
                  if p.name.endswith(".wd"))


def _locate(current: str, target: str) -> tuple[str, str]:
    """The path to show for an import and the path to read it from. `std/...` is the standard
    library; anything else is relative to the importing file (a standard-library module's own
    imports therefore stay inside the library)."""
    display = os.path.normpath(os.path.join(os.path.dirname(current), target))
    if current.startswith(STD) and not target.startswith(STD):
        target = display
    if target.startswith(STD):
        return target, str(resources.files("wiring").joinpath("std", target[len(STD):]))
    return display, display


def prelude_text() -> str:
    return resources.files("wiring").joinpath("prelude.wd").read_text(encoding="utf-8")


def _imports_of(parsed: ParsedFile) -> list[tuple[str, Span]]:
    if parsed.syntax is None:
        return []
    return [(item.path.value, item.path.span) for item in parsed.syntax.declarations
            if type(item) is Import]


def load_program(path: str, text: str | None = None) -> Program:
    """Parse `path` (or `text`, shown as coming from `path`) and everything it imports."""
    program = Program(root=path)
    program.files[PRELUDE] = parse(PRELUDE, prelude_text())
    program.imports[PRELUDE] = []
    if text is None:
        text, problem = read_file(path)
        if problem is not None:
            program.diagnostics.append(problem)
            return program
    loader = _Loader(program)
    for name in loader.walk(path, parse(path, text)):
        program.files[name] = loader.parsed[name]
        program.diagnostics += loader.parsed[name].diagnostics
    program.diagnostics = program.files[PRELUDE].diagnostics + program.diagnostics
    return program


def _key_of(display: str) -> str:
    """The file a path names, whatever the way it is written."""
    return os.path.realpath(display.replace("\x00", "\\0"))


class _Loader:
    """Follows imports depth-first with an explicit stack, so that a long chain of imports
    cannot overflow Python's recursion limit; `visiting` holds the current chain for cycle
    reports."""

    def __init__(self, program: Program):
        self.program = program
        self.parsed: dict[str, ParsedFile] = {}
        self.keys: dict[str, str] = {}   # real path -> display path
        self.visiting: list[str] = []

    def walk(self, path: str, root: ParsedFile) -> list[str]:
        """The files in dependency order (each after the files it imports)."""
        order: list[str] = []
        stack = [self._enter(path, path, root)]
        while stack:
            current, pending = stack[-1]
            if not pending:
                stack.pop()
                self.visiting.pop()
                order.append(current)
                continue
            target, span = pending.pop(0)
            entered = self._follow(current, target, span)
            if entered is not None:
                stack.append(entered)
        return order

    def _enter(self, display: str, real: str, parsed: ParsedFile):
        self.parsed[display] = parsed
        self.keys[_key_of(real)] = display
        self.program.imports[display] = []
        self.visiting.append(display)
        return display, _imports_of(parsed)

    def _follow(self, current: str, target: str, span: Span):
        """One import of `current`: a file already known, a cycle, a problem, or a new file to
        enter (returned with its own imports)."""
        display, real = _locate(current, target)
        known = self.keys.get(_key_of(real))
        if known is not None:
            if known in self.visiting:
                chain = self.visiting[self.visiting.index(known):] + [known]
                self.program.diagnostics.append(report(
                    "E0402", span, "import cycle: " + " -> ".join(f"`{c}`" for c in chain)))
            else:
                self.program.imports[current].append(known)
            return None
        source, problem = read_file(real, used_at=span)
        if problem is not None:
            if display != real:  # a standard-library module: name it as the user wrote it
                problem = problem.model_copy(update={
                    "message": f"no standard-library module `{display}`",
                    "help": "modules: " + ", ".join(f"`std/{m}`" for m in std_modules())})
            self.program.diagnostics.append(problem)
            return None
        self.program.imports[current].append(display)
        return self._enter(display, real, parse(display, source))
