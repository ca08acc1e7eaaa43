"""The architecture holds: no module imports a module above it in the pipeline, counting imports
inside functions; and every diagnostic code is both known and raisable."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "wiring"

# The pipeline, bottom up (docs/architecture.md). A module may import modules of its own layer
# or of a layer below; a module not listed here makes the test fail, so that a new module is
# placed on purpose.
LAYERS = [
    ("wiring.names", "wiring.codes", "wiring.witness", "wiring.version", "wiring.collector"),
    ("wiring.diagnostics",),
    ("wiring.lexer", "wiring.syntax", "wiring.syntax_behaviours", "wiring.builder",
     "wiring.parse", "wiring.fmt"),
    ("wiring.model", "wiring.model_behaviours"),
    ("wiring.types",),
    ("wiring.structure",),
    ("wiring.sources",),
    ("wiring.elaborate", "wiring.references", "wiring.symbols"),
    ("wiring.check",),
    ("wiring.analysis", "wiring.evaluate"),
    ("wiring.render", "wiring.report", "wiring.diff", "wiring.pygments_lexer", "wiring.graphs"),
    ("wiring.api", "wiring.exchange"),
    ("wiring", "wiring.cli", "wiring.__main__", "wiring.lsp"),
]


def _layer(module: str) -> int:
    best = None
    for index, names in enumerate(LAYERS):
        for name in names:
            if module == name or module.startswith(name + ".") and name != "wiring":
                if best is None or len(name) > len(best[1]):
                    best = (index, name)
    assert best is not None, f"{module} is on no layer of tests/test_architecture.py"
    return best[0]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str) -> bool:
    where = Path(ROOT, *name.split("."))
    return where.with_suffix(".py").exists() or (where / "__init__.py").exists()


def _imports(source: str, module: str, package: bool) -> list[tuple[str, int]]:
    """Every module of wiring that `source` (the text of `module`) imports, at module level or
    in a function: `import wiring.x`, `from wiring.x import y`, `from ..x import y` and
    `from . import x` (which imports the submodule x when there is one)."""
    here = module if package else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            base = here.split(".")[:len(here.split(".")) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            if target == "wiring" or target.startswith("wiring."):
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    found.append((sub if _is_module(sub) else target, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.startswith("wiring")]
    return found


def _violations(source: str, module: str, package: bool = False) -> list[str]:
    wrong = []
    leaf = next((name for name in LEAVES if _within(module, name)), None)
    for target, line in _imports(source, module, package):
        if leaf is not None and not _within(target, leaf):
            wrong.append(f"{module}:{line}: the leaf {leaf} imports {target}")
        elif _layer(target) > _layer(module):
            wrong.append(f"{module}:{line}: {module} imports {target}, a layer above it")
    return wrong


# Leaves import nothing of wiring at all (not even each other).
LEAVES = set(LAYERS[0])


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, _module_name(path)


def test_no_module_imports_a_module_above_it():
    wrong = []
    for path, module in _modules():
        wrong += _violations(path.read_text(), module, path.name == "__init__.py")
    assert wrong == []


def test_every_module_is_placed_on_a_layer():
    for _, module in _modules():
        _layer(module)  # raises for a module no layer names


def test_the_layer_test_catches_what_it_should():
    # An import hidden in a function, relative or absolute, and a leaf importing a leaf.
    inside = "def show(self):\n    from ..render import repr_svg\n"
    assert _violations(inside, "wiring.check.wires")
    assert _violations("def f():\n    import wiring.render\n", "wiring.model")
    assert _violations("def f():\n    from wiring import api\n", "wiring.types")
    assert _violations("from .codes import CODES\n", "wiring.names")
    # a leaf that is a package may import its own modules, and nothing else of wiring
    assert not _violations("from .code import Code\n", "wiring.codes.reading")
    assert _violations("from ..names import closest\n", "wiring.codes.reading")
    assert not _violations("def f():\n    from .render import repr_svg\n", "wiring.api")
    assert not _violations("from .diagnostics import Span\n", "wiring.model")


def test_modules_are_imported_by_import_statements():
    # `importlib.import_module` and `__import__` would hide an import from the layer test.
    hidden = [str(path.relative_to(ROOT)) for path, _ in _modules()
              if re.search(r"import_module\(|__import__\(", path.read_text())]
    assert hidden == []


def _raised_codes() -> dict[str, str]:
    """Codes the package's source names as string literals, with where."""
    seen = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent.name == "codes":      # the table itself
            continue
        for match in re.finditer(r'"([EWS]\d{4})"', path.read_text()):
            seen.setdefault(match.group(1), str(path.relative_to(ROOT)))
    return seen


def test_every_code_named_in_the_source_is_in_codes():
    from wiring.codes import CODES

    unknown = {code: where for code, where in _raised_codes().items() if code not in CODES}
    assert unknown == {}


def test_every_code_in_codes_can_be_raised():
    # A code is raisable when some module names it: a code nothing can raise is dead text.
    from wiring.codes import CODES

    named = set(_raised_codes())
    assert sorted(set(CODES) - named) == []


def test_codes_carry_what_a_report_needs():
    from wiring.codes import CODES

    for key, code in CODES.items():
        assert code.code == key and code.title and code.explanation
        assert code.severity == {"E": "error", "W": "warning"}.get(key[0], code.severity)
        if key.startswith("S"):
            assert code.label, key


def test_start_up_stays_lean():
    # `import wiring` and a clean check of a plain proposal load neither networkx nor sympy, nor
    # the renderer, the analyses or the code table: they come with what needs them.
    import subprocess
    import sys

    probe = ("import sys, wiring\n"
             "assert wiring.check_text('type Prompt\\ncomponent P : policy {\\n"
             "  in prompt : Prompt\\n}\\ndiagram D {\\n  in prompt : Prompt\\n"
             "  p = P\\n  prompt -> p.prompt\\n}\\n').diagnostics == []\n"
             "print(sorted(m for m in ('networkx', 'sympy', 'wiring.render', 'wiring.analysis',"
             " 'wiring.codes')"
             " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_modules_and_functions_stay_small():
    long_modules, long_functions = [], []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = str(path.relative_to(ROOT))
        text = path.read_text()
        if text.count("\n") > 700:
            long_modules.append(name)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > 60:
                    long_functions.append(f"{name}:{node.lineno} {node.name} ({length} lines)")
    assert (long_modules, long_functions) == ([], [])


def _modules_loaded_by(*argv: str) -> set[str]:
    """The modules a command of the CLI has loaded when it ends, run in a fresh interpreter."""
    import subprocess
    import sys

    probe = ("import sys\n"
             "from wiring.cli import main\n"
             f"sys.argv = ['wiring'] + {list(argv)!r}\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "sys.stderr.write('\\nMODULES ' + ' '.join(sorted(sys.modules)))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert "MODULES " in out.stderr, out.stderr
    return set(out.stderr.rsplit("MODULES ", 1)[1].split())


def test_help_loads_neither_the_parser_nor_the_checker():
    # `wiring --help` (and `import wiring.cli`) must answer at once: the package's API is
    # loaded on first use, the commands import what they need when they run.
    loaded = _modules_loaded_by("--help")
    heavy = {"lark", "pydantic", "networkx", "sympy", "wiring.api", "wiring.check",
             "wiring.elaborate", "wiring.parse", "wiring.model", "pygls", "lsprotocol"}
    assert sorted(heavy & loaded) == []


def test_check_loads_no_language_server():
    # pygls is an optional extra: only `wiring lsp` imports it.
    loaded = _modules_loaded_by("check", "examples/rlhf.wd")
    assert sorted(m for m in loaded if m.split(".")[0] in ("pygls", "lsprotocol") or
                  m.startswith(("wiring.lsp", "wiring.symbols"))) == []


def test_render_to_dot_loads_no_networkx(tmp_path):
    # rlhf.wd has feedback loops: the renderer finds them itself. Only highlighting, which
    # runs the analyses, brings networkx in.
    out = tmp_path / "rlhf.dot"
    loaded = _modules_loaded_by("render", "--format", "dot", "-o", str(out), "examples/rlhf.wd")
    assert out.read_text().startswith("digraph")
    assert "networkx" not in loaded and "wiring.analysis" not in loaded
    highlighted = _modules_loaded_by("render", "--format", "dot", "-o", str(out), "--highlight",
                                     "examples/rlhf.wd")
    assert "networkx" in highlighted


def test_the_api_is_still_reached_through_the_package():
    import subprocess
    import sys

    probe = ("import wiring\n"
             "assert 'check_text' in dir(wiring) and wiring.Proposal.__name__ == 'Proposal'\n"
             "from wiring import CheckError, Result, check_file, load\n"
             "print(wiring.check_text('type T').diagnostics)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
