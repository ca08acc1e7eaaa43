"""Same bytes whatever the hash seed.

Sets of strings iterate in an order that changes with PYTHONHASHSEED. Every output format of
every command on every example (and on every code's example, which has mistakes to report, and
`diff` on pairs of examples) must not: one process per seed runs them all through the CLI and
prints a digest of each output, and the digests must agree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COMMANDS = {
    "check.txt": ["check", "--color", "never"],
    "check.json": ["check", "--format", "json"],
    "lint.txt": ["lint", "--color", "never"],
    "lint.json": ["lint", "--format", "json"],
    "analyze.txt": ["analyze", "--color", "never"],
    "analyze.json": ["analyze", "--format", "json"],
    "export.json": ["export"],
    "render.dot": ["render", "--format", "dot", "-o", "-"],
    "render-flat.dot": ["render", "--format", "dot", "--flatten", "-o", "-"],
    "render-highlight.dot": ["render", "--format", "dot", "--highlight", "-o", "-"],
}

# Proposals with mistakes (each code's example) go through the commands that report them.
ERROR_COMMANDS = {name: COMMANDS[name] for name in ("check.txt", "check.json", "lint.json")}
DIFFS = [("examples/overoptimisation.wd", "examples/overoptimisation_early_stopping.wd"),
         ("examples/incentives/grade_predictor.wd",
          "examples/incentives/grade_predictor_redesign.wd"),
         ("examples/incentives/content_recommender.wd",
          "examples/incentives/content_recommender_redesign.wd")]

# Runs in a fresh interpreter per seed: every command on every file, through `main`.
_PROGRAM = """
import contextlib, hashlib, io, json, sys
from wiring.cli import main

runs = json.loads(sys.argv[1])
digests = {}
for file, commands in runs:
    for name, argv in commands.items():
        # A text stream with a byte buffer below it: `render -o -` writes bytes.
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            try:
                code = main(argv + file.split(" "))
            except SystemExit as stop:
                code = stop.code
        out.flush()
        text = out.buffer.getvalue().decode()
        if "internal error" in text:
            raise SystemExit(f"{file} {name}: {text}")
        digests[f"{file} {name}"] = hashlib.sha256(f"{code}\\n{text}".encode()).hexdigest()
print(json.dumps(digests))
"""


def _start(seed: str, runs: list) -> subprocess.Popen:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    return subprocess.Popen([sys.executable, "-c", _PROGRAM, json.dumps(runs)],
                            stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def _code_examples(folder: Path) -> list[str]:
    """Each diagnostic code's example proposal, written into `folder` with what it imports."""
    from wiring.codes import CODES

    files = []
    for code, entry in sorted(CODES.items()):
        if entry.example is None:
            continue
        (folder / code).mkdir()
        for name, text in entry.files.items():
            (folder / code / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / code / name).write_text(text)
        (folder / code / "example.wd").write_text(entry.example)
        files.append(str(folder / code / "example.wd"))
    return files


def test_every_output_is_the_same_under_every_hash_seed(tmp_path):
    files = [str(p.relative_to(ROOT)) for p in sorted(ROOT.glob("examples/**/*.wd"))]
    plan = [(file, COMMANDS) for file in files]
    plan += [(file, ERROR_COMMANDS) for file in _code_examples(tmp_path)]
    plan += [(f"{a} {b}", {"diff.txt": ["diff"], "diff.json": ["diff", "--format", "json"]})
             for a, b in DIFFS]
    # The seeds run side by side: each process takes a few seconds.
    started = {seed: _start(seed, plan) for seed in ("0", "1", "2", "3")}
    runs = {seed: json.loads(process.communicate()[0]) for seed, process in started.items()}
    assert all(process.returncode == 0 for process in started.values())
    first = runs["0"]
    assert len(first) == sum(len(commands) for _, commands in plan)
    for seed, digests in runs.items():
        differing = sorted(key for key in first if digests[key] != first[key])
        assert not differing, f"PYTHONHASHSEED={seed} changes: {differing}"
