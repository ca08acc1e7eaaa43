"""CPU seconds of drawing each example to DOT, in the full and the paper style (issues 11, 13).

Most of `wiring.render.to_dot` is spent tidying the wires once Graphviz has laid them out
(`render/pinned.py` and the modules it runs). For each example's default diagram and style,
this measures the CPU seconds of `to_dot` alone (not the check, not Graphviz, which runs in
a child process) in a fresh process, and a digest of the DOT it writes. With `--against DIR`
(a worktree of another commit: `git worktree add /tmp/base REV`), the same is measured there,
alternating run by run, so the ratio is measured in one run on the shared machine, and the
digests say whether any figure changed. Not a test: it prints a Markdown table.

`--styles fit` measures instead what the gallery's table asks of a paper figure: the options
`--width` would name at a column and at a page (`fitting_options`), then the figure drawn at a
page; each option is laid out and tidied to be measured, so this counts Graphviz's CPU (its
child processes) too.

    .venv/bin/python benchmarks/tidy_cpu.py [--against DIR] [--runs 3] [--styles full,paper]
        [EXAMPLE ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Run in the tree measured (its own `wiring`): the CPU seconds of to_dot and the DOT's digest.
_MEASURE = """
import hashlib, json, resource, sys, time
sys.path.insert(0, '.')
from wiring.api import check_file
from wiring.render import fitting_options, to_dot

def children() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime

proposal = check_file(sys.argv[1]).proposal
started, graphviz = time.process_time(), children()
if sys.argv[2] == "fit":
    paper = {"style": "paper", "font_size": "7pt"}
    dot = "".join(repr(fitting_options(proposal, **paper, width=width))
                  for width in ("3.25in", "6.5in")) + to_dot(proposal, **paper, width="6.5in")
    started -= children() - graphviz
else:
    dot = to_dot(proposal, style=sys.argv[2])
print(json.dumps([time.process_time() - started, hashlib.sha256(dot.encode()).hexdigest()]))
"""


def measure(tree: Path, example: str, style: str) -> tuple[float, str]:
    run = subprocess.run([sys.executable, "-c", _MEASURE, example, style], cwd=tree,
                         capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONHASHSEED": "0"})
    seconds, digest = json.loads(run.stdout)
    return seconds, digest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("examples", nargs="*", help="paths under examples/ (default: every one)")
    parser.add_argument("--against", type=Path, help="another tree to measure alternately")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--styles", default="full,paper",
                        help="full, paper and fit, separated by commas (default: full,paper)")
    args = parser.parse_args()
    examples = args.examples or sorted(str(p.relative_to(ROOT))
                                       for p in (ROOT / "examples").rglob("*.wd"))
    trees = [ROOT] + ([args.against.resolve()] if args.against else [])
    head = "| example | style | CPU s |" + (" against | ratio | same DOT |" if args.against
                                            else "")
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    totals = [0.0] * len(trees)
    for example in examples:
        for style in args.styles.split(","):
            seconds: list[list[float]] = [[] for _ in trees]
            digests = [set() for _ in trees]
            for _ in range(args.runs):
                for k, tree in enumerate(trees):
                    cpu, digest = measure(tree, example, style)
                    seconds[k].append(cpu)
                    digests[k].add(digest)
            medians = [statistics.median(s) for s in seconds]
            totals = [t + m for t, m in zip(totals, medians)]
            row = f"| {example} | {style} | {medians[0]:.2f} |"
            if args.against:
                same = "yes" if digests[0] == digests[1] and len(digests[0]) == 1 else "**no**"
                row += f" {medians[1]:.2f} | ×{medians[0] / max(medians[1], 1e-9):.2f} | {same} |"
            print(row, flush=True)
    print(f"\nTotal of the medians: {totals[0]:.2f} s"
          + (f" against {totals[1]:.2f} s (×{totals[0] / totals[1]:.2f})" if args.against
             else ""))


if __name__ == "__main__":
    main()
