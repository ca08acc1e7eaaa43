"""Same bytes whatever the hash seed.

Sets of strings iterate in an order that changes with PYTHONHASHSEED. Every output format of
every command on every example must not: one process per seed runs them all through the CLI
and prints a digest of each output, and the digests must agree.
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

# Runs in a fresh interpreter per seed: every command on every example, through `main`.
_PROGRAM = """
import contextlib, hashlib, io, json, sys
from wiring.cli import main

commands, files = json.loads(sys.argv[1]), sys.argv[2:]
digests = {}
for file in files:
    for name, argv in commands.items():
        # A text stream with a byte buffer below it: `render -o -` writes bytes.
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            try:
                code = main(argv + [file])
            except SystemExit as stop:
                code = stop.code
        out.flush()
        text = out.buffer.getvalue().decode()
        if "internal error" in text:
            raise SystemExit(f"{file} {name}: {text}")
        digests[f"{file} {name}"] = hashlib.sha256(f"{code}\\n{text}".encode()).hexdigest()
print(json.dumps(digests))
"""


def _start(seed: str, files: list[str]) -> subprocess.Popen:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    return subprocess.Popen([sys.executable, "-c", _PROGRAM, json.dumps(COMMANDS), *files],
                            stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def test_every_output_is_the_same_under_every_hash_seed():
    files = [str(p.relative_to(ROOT)) for p in sorted(ROOT.glob("examples/**/*.wd"))]
    # The seeds run side by side: each process takes a few seconds.
    started = {seed: _start(seed, files) for seed in ("0", "1", "2", "3")}
    runs = {seed: json.loads(process.communicate()[0]) for seed, process in started.items()}
    assert all(process.returncode == 0 for process in started.values())
    first = runs["0"]
    assert len(first) == len(files) * len(COMMANDS)
    for seed, digests in runs.items():
        differing = sorted(key for key in first if digests[key] != first[key])
        assert not differing, f"PYTHONHASHSEED={seed} changes: {differing}"
