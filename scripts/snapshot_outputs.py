"""Write what every command prints for every example (and every code's example) into a folder.

A refactoring must not change what users see: run this on the old tree and on the new one, with
the same PYTHONHASHSEED, and compare the two folders (`diff -r`).

    PYTHONHASHSEED=0 .venv/bin/python scripts/snapshot_outputs.py OUT_DIR
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wiring.cli import main  # noqa: E402
from wiring.codes import CODES  # noqa: E402

COMMANDS = {
    "check.txt": ["check", "--color", "never"],
    "check.json": ["check", "--format", "json"],
    "lint.txt": ["lint", "--color", "never"],
    "lint.json": ["lint", "--format", "json"],
    "analyze.txt": ["analyze", "--color", "never"],
    "analyze.json": ["analyze", "--format", "json"],
    "export.json": ["export"],
    "render.dot": ["render", "--format", "dot"],
    "render-flat.dot": ["render", "--format", "dot", "--flatten"],
    "render-highlight.dot": ["render", "--format", "dot", "--highlight"],
}


def run(argv: list[str]) -> str:
    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as tmp:
        drawn = Path(tmp) / "out.dot"
        if argv[0] == "render":
            argv = argv[:-1] + ["-o", str(drawn), argv[-1]]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:
                code = exc.code
        file = drawn.read_text() if drawn.exists() else ""
    text = f"exit {code}\n--- stdout\n{out.getvalue()}--- stderr\n{err.getvalue()}"
    return text.replace(str(drawn), "OUT.dot") + (f"--- file\n{file}" if file else "")


def snapshot(files: list[Path], out: Path, commands=COMMANDS) -> None:
    for file in files:
        name = str(file.relative_to(ROOT)) if file.is_relative_to(ROOT) else file.name
        for suffix, argv in commands.items():
            target = out / (name.replace("/", "__") + "." + suffix)
            target.write_text(run(argv + [str(file.relative_to(ROOT))
                                          if file.is_relative_to(ROOT) else str(file)]))


def main_(out_dir: str) -> None:
    import os

    os.chdir(ROOT)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    snapshot(sorted(ROOT.glob("examples/**/*.wd")), out)
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for code, entry in sorted(CODES.items()):
            if entry.example is None:
                continue
            folder = Path(tmp) / code
            folder.mkdir()
            for extra, text in entry.files.items():
                (folder / extra).parent.mkdir(parents=True, exist_ok=True)
                (folder / extra).write_text(text)
            (folder / "example.wd").write_text(entry.example)
            files.append(folder / "example.wd")
        os.chdir(tmp)
        for file in files:
            code = file.parent.name
            for suffix, argv in {k: v for k, v in COMMANDS.items()
                                 if k in ("check.txt", "check.json", "lint.txt",
                                          "lint.json")}.items():
                (out / f"code-{code}.{suffix}").write_text(
                    run(argv + [f"{code}/example.wd"]))
        os.chdir(ROOT)


if __name__ == "__main__":
    main_(sys.argv[1])
