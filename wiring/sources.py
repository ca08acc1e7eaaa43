"""Reading proposal files and the files they import, with every I/O problem as a diagnostic.

This is the only stage that touches the file system. It returns the parsed files in dependency
order (each file after the files it imports), so that elaboration is a pure function of them.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
from dataclasses import dataclass, field
from importlib import resources

from .diagnostics import Diagnostic, Span, report
from .parse import ParsedFile, parse
from .syntax import Import

MAX_BYTES = 8 * 1024 * 1024
PRELUDE = "<prelude>"


@dataclass
class Program:
    root: str                  # the main file
    boundary: str = ""         # the directory its imports must stay in (see `confinement`)
    files: dict[str, ParsedFile] = field(default_factory=dict)  # dependency order
    imports: dict[str, list[str]] = field(default_factory=dict)  # file -> files it imports
    diagnostics: list[Diagnostic] = field(default_factory=list)
    read: list[str] = field(default_factory=list)  # the proposal's files read from disk
    # Texts that stand in for files on disk, by real path: an editor's unsaved buffers.
    overlay: dict[str, str] = field(default_factory=dict)


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


def _refusal(path: str, used_at: Span | None, message: str, help: str | None = None):
    """A file that cannot be read: at the import that named it, or (the main file) a usage
    error."""
    if used_at is not None:
        return report("E0403", used_at, message, label="", help=help)
    return report("E0502", None, message, label="", help=help)


def _open_regular(path: str, used_at: Span | None) -> tuple[int | None, Diagnostic | None]:
    """A descriptor of `path` when it is a regular file. It is opened without blocking, so a
    FIFO or a terminal (`/dev/stdin`) is refused at once rather than waited on."""
    shown = f"`{path!r}`" if "\x00" in path else f"`{path}`"
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) |
                     getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None, report("E0401" if used_at is not None else "E0501", used_at,
                            f"cannot find {shown}", label="")
    except (OSError, ValueError) as exc:  # ValueError: a NUL character in the path
        reason = getattr(exc, "strerror", None) or "the path is not valid"
        return None, _refusal(path, used_at, f"cannot read {shown}: {reason}")
    mode = os.fstat(fd).st_mode
    if stat.S_ISREG(mode):
        return fd, None
    os.close(fd)
    if stat.S_ISDIR(mode):
        return None, _refusal(path, used_at, f"{shown} is a directory, not a proposal file",
                              help="name a .wd file inside it")
    kind = "a pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device" if \
        stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else \
        "not a regular file"
    return None, _refusal(path, used_at, f"{shown} is {kind}, not a proposal file",
                          help="proposals are read from regular files only; save it to a .wd "
                          "file and name that")


def read_file(path: str, used_at: Span | None = None) -> tuple[str | None, Diagnostic | None]:
    """The text of `path`; `used_at` is the import statement that named it, if any."""
    fd, problem = _open_regular(path, used_at)
    if fd is None:
        return None, problem
    with os.fdopen(fd, "rb") as handle:
        size = os.fstat(fd).st_size
        # Read at most one byte past the limit: a huge file is refused by its size without
        # being loaded into memory.
        try:
            data = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            return None, _refusal(path, used_at, f"cannot read `{path}`: {exc.strerror or exc}")
    if len(data) > MAX_BYTES:
        span = Span(file=path, line=1, column=1, end_line=1, end_column=1)
        return None, report("E0007", span, f"the file is {max(size, len(data)) / 2**20:.1f} MiB; "
                            f"proposals are limited to {MAX_BYTES // 2**20} MiB", label="")
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


def prelude_text() -> str:
    return resources.files("wiring").joinpath("prelude.wd").read_text(encoding="utf-8")


def location(display: str) -> str | None:
    """The file on disk that a file's name in a program stands for (`std/world.wd` and the
    prelude are in the package), or None for text that was never a file."""
    if display == PRELUDE:
        return str(resources.files("wiring").joinpath("prelude.wd"))
    if display.startswith(STD):
        return os.path.join(_library_dir(), display[len(STD):])
    return None if display.startswith("<") else os.path.abspath(display)


def _imports_of(parsed: ParsedFile) -> list[tuple[str, Span]]:
    if parsed.syntax is None:
        return []
    return [(item.path.value, item.path.span) for item in parsed.syntax.declarations
            if type(item) is Import]


def _library_dir() -> str:
    return os.path.realpath(str(resources.files("wiring").joinpath("std")))


def _inside(path: str, directory: str) -> bool:
    """Whether `path`, once `..` and symbolic links are resolved, lies within `directory` (a
    real path): a link inside the root that points out of it is outside."""
    return _key_of(path).startswith(directory.rstrip(os.sep) + os.sep)


def confinement(path: str, root: str | None = None) -> str:
    """The directory the imports of the proposal `path` must stay in: `root` when given, else
    the nearest directory at or above `path`'s holding a `wiring.toml`, else `path`'s own."""
    if root is not None:
        return _key_of(os.path.abspath(root))
    start = _key_of(os.path.dirname(os.path.abspath(path.replace("\x00", "\\0"))))
    probe = start
    while not os.path.isfile(os.path.join(probe, "wiring.toml")):
        parent = os.path.dirname(probe)
        if parent == probe:
            return start
        probe = parent
    return probe


def _shown(path: str) -> str:
    """How a proposal's own file is named in diagnostics: a folder of the project that happens
    to be called `std` is written `./std/...`, because `std/...` names the library."""
    return "./" + path if path == "std" or path.startswith(STD) else path


def _locate(current: str, in_library: bool, target: str, boundary: str):
    """(the path to show, the path to read, whether it is in the library, why it is refused or
    None) for `import "target"` in `current`. An import spelled `std/...` names the standard
    library, whoever imports it; anything else is relative to the importing file, and a library
    module's own imports therefore stay in the library."""
    if target.startswith(STD) or in_library:
        spelled = target if target.startswith(STD) else \
            posixpath.join(posixpath.dirname(current), target)
        display = posixpath.normpath(spelled)
        real = os.path.join(_library_dir(), display[len(STD):])
        if not display.startswith(STD) or not _inside(real, _library_dir()):
            return display, real, True, "library"
        return display, real, True, None
    display = _shown(os.path.normpath(os.path.join(os.path.dirname(current), target)))
    return display, display, False, None if _inside(display, boundary) else "root"


def imported_name(program: Program, current: str, target: str) -> str:
    """The name `program` gives the file that `import "target"` in its file `current` reads
    (whether or not it could be read)."""
    display, real, _, _ = _locate(current, current.startswith(STD), target, program.boundary)
    return next((name for name in program.files
                 if not name.startswith(("<", STD)) and _key_of(name) == _key_of(real)),
                display)


def _relative(directory: str) -> str:
    """A directory as the user would write it: relative when inside the current directory."""
    here = _key_of(os.getcwd())
    return directory if not _inside(directory, here) and directory != here else \
        os.path.relpath(directory, here)


def _refused(target: str, why: str, boundary: str, span: Span) -> Diagnostic:
    if why == "library":
        return report("E0404", span, f"`{target}` leaves the standard library",
                      label="outside the library",
                      help="a `std/...` import names a module of the library: "
                      + ", ".join(f"`std/{m}`" for m in std_modules()))
    return report("E0404", span,
                  f"`{target}` is outside the proposal's root `{_relative(boundary)}`",
                  help="imports stay inside the root: the main file's directory, or the nearest "
                  "directory above it holding a `wiring.toml`; to allow this import, add a "
                  "`wiring.toml` to a directory holding both files, or pass `--root DIR`")


def read_data(program: Program, current: str, target: str) -> tuple[str | None, str]:
    """A data file a proposal names (an empirical sample), found and confined as an import
    is: relative to `current`, inside the root (or the library, for a library file), a regular
    file of at most MAX_BYTES of UTF-8. (its text, or None; the path as shown, or why not)."""
    # a library file is shown as `std/...`; a project's own folder named std as `./std/...`
    display, real, library, refused = _locate(current, current.startswith(STD), target,
                                              program.boundary)
    if refused == "library":
        return None, f"`{target}` leaves the standard library"
    if refused is not None:
        return None, (f"`{target}` is outside the proposal's root "
                      f"`{_relative(program.boundary)}`")
    text, problem = read_file(real, used_at=Span(file=current, line=1, column=1, end_line=1,
                                                 end_column=1))
    if problem is not None:
        return None, problem.message.replace("a proposal file", "a data file")
    if not library and real not in program.read:
        program.read.append(real)     # an output is never written over it
    return text, display


SYNTAX_CODES = ("E0001", "E0002", "E0003")


def parse_read(display: str, text: str, used_at: Span | None) -> ParsedFile:
    """Parse a file read from disk. A file not named *.wd that does not parse may be anything
    (a `.env` of keys, `/etc/passwd`): it is reported without quoting a word of it."""
    parsed = parse(display, text)
    errors = [d for d in parsed.diagnostics if d.code in SYNTAX_CODES]
    if display.endswith(".wd") or not errors:
        return parsed
    line = errors[0].span.line if errors[0].span is not None else 1
    hidden = ParsedFile(path=display, text="", syntax=None)
    hidden.diagnostics.append(report(
        "E0405", used_at, f"`{display}` does not look like a proposal: it is not named *.wd and "
        f"does not parse (line {line}); its text is not shown",
        help=None if used_at is not None else "rename it to *.wd if it is a proposal, to see "
        "its syntax errors"))
    return hidden


def load_program(path: str, text: str | None = None, root: str | None = None,
                 overlay: dict[str, str] | None = None) -> Program:
    """Parse `path` (or `text`, shown as coming from `path`) and everything it imports, which
    must lie inside `root` (see `confinement`). `overlay` maps files (any spelling of their
    path) to texts read instead of the files: a language server's unsaved buffers."""
    display = _shown(path)
    program = Program(root=display, boundary=confinement(path, root),
                      overlay={_key_of(k): v.removeprefix("\ufeff")
                               for k, v in (overlay or {}).items()})
    program.files[PRELUDE] = parse(PRELUDE, prelude_text())
    program.imports[PRELUDE] = []
    if text is None:
        text, problem = read_file(display)
        if problem is not None:
            program.diagnostics.append(problem)
            return program
        program.read.append(display)
        parsed = parse_read(display, text, None)
    else:   # a file read from disk loses its byte-order mark in `decode`; an editor's text too
        parsed = parse(display, text.removeprefix("\ufeff"))
    loader = _Loader(program)
    for name in loader.walk(display, parsed):
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
        self.library: set[str] = set()   # the files that are standard-library modules

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
        boundary = self.program.boundary
        display, real, library, refused = _locate(current, current in self.library, target,
                                                  boundary)
        if refused is not None:
            self.program.diagnostics.append(_refused(target, refused, boundary, span))
            return None
        known = self.keys.get(_key_of(real))
        if known is not None:
            if known in self.visiting:
                chain = self.visiting[self.visiting.index(known):] + [known]
                self.program.diagnostics.append(report(
                    "E0402", span, "import cycle: " + " -> ".join(f"`{c}`" for c in chain)))
            else:
                self.program.imports[current].append(known)
            return None
        source = self.program.overlay.get(_key_of(real))
        problem = None
        if source is None:
            source, problem = read_file(real, used_at=span)
        if problem is not None:
            if library:  # name the module as the user wrote it
                problem = problem.model_copy(update={
                    "message": f"no standard-library module `{display}`",
                    "help": "modules: " + ", ".join(f"`std/{m}`" for m in std_modules())})
            self.program.diagnostics.append(problem)
            return None
        if library:
            self.library.add(display)
        else:
            self.program.read.append(real)
        self.program.imports[current].append(display)
        return self._enter(display, real, parse_read(display, source, span))
