"""The Python API: everything the command line does, as functions returning data."""

from __future__ import annotations

from dataclasses import dataclass, field

from .check import check
from .collector import paused as paused_collector
from .diagnostics import Diagnostic, has_errors, render_text, sort_key, unique
from .elaborate import elaborate
from .model import Diagram, Proposal
from .sources import Program, load_program, read_file


@dataclass
class Result:
    """A checked proposal: the model (None when the file could not be read or parsed at all),
    every diagnostic, the source texts the diagnostics point into, and the paths of the files
    read (the main file and its imports, not the library), which commands never write over."""

    proposal: Proposal | None
    diagnostics: list[Diagnostic]
    sources: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    program: Program | None = None   # the parsed files, for tools that read the syntax

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)

    def report(self, color: bool = False, limit: int | None = None) -> str:
        """The diagnostics as text; with `limit`, the first `limit` and a line counting the
        rest (`wiring check` shows diagnostics.MAX_SHOWN)."""
        return render_text(self.diagnostics, self.sources, color=color, limit=limit)


class CheckError(Exception):
    """Raised by `load` and `loads` when a proposal has errors; `.result` has them all."""

    def __init__(self, result: Result):
        self.result = result
        self.diagnostics = result.diagnostics
        super().__init__("\n\n" + result.report())


def _run(program: Program) -> Result:
    sources = {name: parsed.text for name, parsed in program.files.items()}
    if program.diagnostics and _stops(program):
        return Result(None, program.diagnostics, sources, program.read, program)
    elaboration = elaborate(program)
    checked = check(elaboration.proposal, elaboration.excused, elaboration.broken)
    diagnostics = program.diagnostics + elaboration.diagnostics + checked.diagnostics
    return Result(checked.proposal, sorted(unique(diagnostics), key=sort_key), sources,
                  program.read, program)


def _stops(program: Program) -> bool:
    """Whether the main file cannot be read at all: nothing after reading can run."""
    from .codes import CODES  # only when there is something to report

    return any(CODES[d.code].stops and (d.span is None or d.span.file == program.root)
               for d in program.diagnostics)


def check_file(path: str, root: str | None = None) -> Result:
    """Check a proposal file and what it imports, or a model exported as JSON (a `.json`
    file, see `check_json`); never raises for problems in the input. Imports must stay inside
    `root` (default: `path`'s directory, or the nearest directory above it holding a
    `wiring.toml`; docs/language.md, Imports)."""
    path = str(path)
    if path.endswith(".json"):
        text, problem = read_file(path)
        if problem is not None:
            return Result(None, [problem], {})
        result = check_json(text, path)
        result.files = [path]
        return result
    with paused_collector():
        return _run(load_program(path, root=None if root is None else str(root)))


def check_text(text: str, path: str = "<string>", root: str | None = None,
               overlay: dict[str, str] | None = None) -> Result:
    """Check proposal text; imports are resolved relative to `path`'s directory and must stay
    inside `root` (default: as for `check_file`). `overlay` maps files to texts read in their
    place (an editor's unsaved buffers)."""
    with paused_collector():
        return _run(load_program(path, text, root=None if root is None else str(root),
                                 overlay=overlay))


def load(path) -> Proposal:
    """The checked model of a proposal file, or CheckError listing every problem."""
    result = check_file(str(path))
    if not result.ok or result.proposal is None:
        raise CheckError(result)
    return result.proposal


def loads(text: str, path: str = "<string>") -> Proposal:
    """The checked model of proposal text, or CheckError listing every problem."""
    result = check_text(text, path)
    if not result.ok or result.proposal is None:
        raise CheckError(result)
    return result.proposal


def _repr_svg(model: Proposal | Diagram) -> str | None:
    """Jupyter shows a proposal as the picture of its top diagram, and a diagram as its
    picture (text when Graphviz is missing). A bare diagram does not hold its components, so its
    boxes show only their wired ports; for full boxes draw it with its proposal:
    `wiring.render.to_svg(proposal, "Name")`. Attached here, above the model, so that the model
    does not import the renderer."""
    from .render import repr_svg

    return repr_svg(model)


Proposal._repr_svg_ = Diagram._repr_svg_ = _repr_svg


def check_json(text: str | bytes, path: str = "<json>") -> Result:
    """Check a model exported as JSON (`wiring export`, `Proposal.model_dump_json`), perhaps
    edited since, as a .wd file is checked: the same rules and codes, each diagnostic located
    by a JSON pointer (`path: /diagrams/Main/wires/3`). Malformed JSON (E0008) and a document
    of another shape (E0009) are diagnostics too; never raises for problems in the input."""
    from .exchange import read_json

    with paused_collector():
        proposal, diagnostics = read_json(text, path)
    shown = text if isinstance(text, str) else text.decode("utf-8", "replace")
    return Result(proposal, diagnostics, {path: shown})


def load_json(text: str | bytes, path: str = "<json>") -> Proposal:
    """The checked model of an exported JSON document, or CheckError listing every problem
    (see `check_json`). The built-ins an export references by name are restored."""
    result = check_json(text, path)
    if not result.ok or result.proposal is None:
        raise CheckError(result)
    return result.proposal
