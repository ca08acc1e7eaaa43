"""How the cost of each stage grows with the size of a proposal (issue 11, items 13-17): CPU
seconds at 1,000, 3,000 and 10,000 components (and 100,000 for the check), with the ratio per
x10, every figure measured in one run. Not a test: it prints a Markdown report for
docs/performance.md.

Run from the repository root:

    .venv/bin/python benchmarks/curves.py            # a few minutes
    .venv/bin/python benchmarks/curves.py --quick    # one run per cell, no 100,000
    .venv/bin/python benchmarks/curves.py --against /work/main   # and main's analyses

Cells are the median of 7 runs of `time.process_time` (CPU seconds, so that a busy shared
machine changes them less than wall time), the input made beforehand, and the sizes of one
curve interleaved (1k, 3k, 10k, 1k, ...: `interleaved`), so that the ratios compare runs made
under the same load:

- check: `wiring.check_text` of each generated shape (benchmarks/generate.py);
- analyses: `wiring.analysis.analyse_all` of the checked proposal (every analysis and the
  incentive report of every top diagram);
- lint and analyze of nested 10,000 (1,000 trained agents) as processes, CPU of the child;
- wide interfaces: `check_text` of `generate.wide(n)` at 300, 1,000 and 3,000 ports;
- DOT: `wiring.render.to_dot` of nested proposals, every level drawn (`depth=64`);
- start-up: `wiring --help`, `wiring check examples/rlhf.wd` and `wiring render --format dot`
  as processes, CPU of the child;
- with `--against DIR` (a worktree of other code, set up with scripts/setup.sh), the analyses
  of both trees again, each in fresh processes, alternating between them, so that the two are
  measured under the same load: every cell the median over the runs of both;
- a linear reference: no wiring code, only the dicts, sets and lists a graph search is made of
  (`reference`), at the sizes of the analyses. It does a fixed amount of work per node, so its
  ratio per x10 is what this machine's memory hierarchy alone adds to linear Python code.
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(REPO), str(HERE)]

import generate  # noqa: E402

WIRING = REPO / ".venv" / "bin" / "wiring"
SIZES = (1000, 3000, 10000)


def interleaved(cases: dict, runs: int) -> dict:
    """Median CPU seconds of each case over `runs` rounds that each run every case once, in
    turn: the sizes of one curve are measured under the same load, so that a change of load
    on the shared machine moves every size of a ratio alike (timed one size after the other,
    a burst of other work during the 10,000 runs made a ratio x16). A case is a function that
    makes, untimed, the call to time: a fresh input each run (a proposal loaded again, so
    that an analysis reads it the first time, as in `wiring lint`), only that input alive,
    and the heap collected before the clock starts."""
    times: dict = {key: [] for key in cases}
    for _ in range(runs):
        for key, make in cases.items():
            call = make()
            gc.collect()
            started = time.process_time()
            call()
            times[key].append(time.process_time() - started)
            del call
    return {key: statistics.median(t) for key, t in times.items()}


def child_cpu(argv: list[str], runs: int) -> float:
    """Median CPU seconds (user + system) of a process running `argv`."""
    times = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(times)


def _runs(quick: bool) -> int:
    return 1 if quick else 7


def check_and_analyses(quick: bool) -> tuple[dict, dict]:
    import wiring

    checks: dict = {}
    analyses: dict = {}
    wiring.check_text(generate.chain(10), "warmup.wd")
    for shape in generate.SHAPES:
        texts = {n: generate.generate(shape, n) for n in SIZES}
        checks.update({(shape, n): t for n, t in interleaved(
            {n: _checking(wiring, text, shape) for n, text in texts.items()},
            _runs(quick)).items()})
        if not quick:
            text = generate.generate(shape, 100_000)
            checks[shape, 100_000] = interleaved({0: _checking(wiring, text, shape)}, 1)[0]
        analyses.update({(shape, n): t for n, t in _analysed(shape, quick).items()})
        print(f"  {shape}: check " + ", ".join(
            f"{checks[shape, n]:.3f}" for n in SIZES) + " s; analyses "
            + ", ".join(f"{analyses[shape, n]:.3f}" for n in SIZES) + " s", file=sys.stderr)
    return checks, analyses


def _checking(wiring, text: str, shape: str):
    """A case of `interleaved`: the check of `text`."""
    return lambda: lambda: wiring.check_text(text, f"{shape}.wd")


def _analysed(shape: str, quick: bool) -> dict:
    """{n: median CPU s of `analyse_all`} at each size of one shape, sizes interleaved, each
    run on a proposal loaded for it (untimed)."""
    import wiring
    from wiring.analysis import analyse_all

    texts = {n: generate.generate(shape, n) for n in SIZES}
    analyse_all(wiring.loads(generate.generate(shape, 10), "warmup.wd"))    # imports
    return interleaved({n: (lambda text=text: partial(
        analyse_all, wiring.loads(text, f"{shape}.wd"))) for n, text in texts.items()},
        _runs(quick))


def report_size(shape: str, n: int) -> int:
    """How many steps of witnesses the analyses of `shape` at n components return (every
    finding's, assertion's and incentive's): the size of their answer, which no analysis that
    gives it can grow more slowly than."""
    import wiring
    from wiring.analysis import analyse_all

    done = analyse_all(wiring.loads(generate.generate(shape, n), f"{shape}.wd"))
    findings = done.findings + [f for a in done.analyses for f in a.findings]
    steps = sum(len(f.witness) for f in findings)
    steps += sum(len(a.witness) for analysis in done.analyses for a in analysis.assertions)
    kinds = ("voi", "ri", "voc", "ici_control", "ici_info", "strategic")
    return steps + sum(len(witness) for analysis in done.analyses for i in analysis.incentives
                       for kind in kinds for witness in getattr(i, kind).values())


def analyses_of(quick: bool) -> dict:
    """The analyses' cells alone (`--analyses-of`: the wiring imported is the tree's given)."""
    return {f"{shape} {n}": seconds for shape in generate.SHAPES
            for n, seconds in _analysed(shape, quick).items()}


def against(other: Path, quick: bool) -> dict:
    """The analyses of this tree and of `other`, each in fresh processes, alternating (this
    tree first, then the other first): {tree: {(shape, n): median CPU s}}."""
    import json

    trees = {"this tree": REPO, str(other): other}
    cells: dict = {name: {} for name in trees}
    order = list(trees)
    for round_ in range(1 if quick else 2):
        for name in (order if round_ % 2 == 0 else order[::-1]):
            argv = [sys.executable, str(Path(__file__).resolve()), "--analyses-of",
                    str(trees[name])] + (["--quick"] if quick else [])
            done = subprocess.run(argv, capture_output=True, text=True, check=True)
            for key, seconds in json.loads(done.stdout).items():
                shape, n = key.split()
                cells[name].setdefault((shape, int(n)), []).append(seconds)
            print(f"  {name}: round {round_ + 1}", file=sys.stderr)
    return {name: {key: statistics.median(v) for key, v in c.items()} for name, c in cells.items()}


def against_markdown(tables: dict) -> str:
    out = ["Analyses in fresh processes, both trees alternating, CPU s:", "",
           "| tree | shape | 1k | 3k | 10k | x10 |", "|---|---|---:|---:|---:|---:|"]
    for name, table in tables.items():
        for shape in generate.SHAPES:
            out.append(f"| {name} | {shape} | "
                       + " | ".join(f"{table[shape, n]:.3f}" for n in SIZES)
                       + f" | {_ratio(table, shape, 1000, 10000)} |")
    return "\n".join(out + [""])


def nested_commands(quick: bool, workdir: Path) -> dict:
    path = workdir / "nested-10000.wd"
    path.write_text(generate.generate("nested", 10_000), encoding="utf-8")
    return {command: child_cpu([str(WIRING), command, str(path)], 1 if quick else 3)
            for command in ("check", "lint", "analyze")}


def wide(quick: bool) -> dict:
    import wiring

    texts = {n: generate.wide(n) for n in (300, 1000, 3000)}
    return interleaved({n: _checking(wiring, text, "wide") for n, text in texts.items()},
                       _runs(quick))


def dot(quick: bool) -> dict:
    import wiring
    from wiring.render import to_dot

    texts = {n: generate.generate("nested", n) for n in SIZES}
    # Every level drawn: by default a drawing stops at 2,000 boxes (AUTO_BOXES).
    return interleaved({n: (lambda text=text: partial(
        to_dot, wiring.loads(text, "nested.wd"), depth=64)) for n, text in texts.items()},
        _runs(quick))


def reference(n: int) -> int:
    """A linear workload as large as the analyses of n components: build the adjacency of a
    path of 9n nodes (three steps of three ports per box), search it depth first, reverse it."""
    nodes = [(("Top", f"box{i}"), "out", step) for step in range(3) for i in range(3 * n)]
    successors: dict = {}
    for tail, head in zip(nodes, nodes[1:]):
        successors.setdefault(tail, []).append(head)
    seen, stack = {nodes[0]}, [nodes[0]]
    while stack:
        for head in successors.get(stack.pop(), ()):
            if head not in seen:
                seen.add(head)
                stack.append(head)
    predecessors: dict = {}
    for tail, heads in successors.items():
        for head in heads:
            predecessors.setdefault(head, []).append(tail)
    return len(seen) + len(predecessors)


def references(quick: bool) -> dict:
    from wiring.collector import paused

    with paused():
        return interleaved({n: (lambda n=n: partial(reference, n)) for n in SIZES},
                           1 if quick else 15)


def startup(quick: bool, workdir: Path) -> dict:
    rlhf = str(REPO / "examples" / "rlhf.wd")
    runs = 5 if quick else 15
    return {
        "wiring --help": child_cpu([str(WIRING), "--help"], runs),
        "wiring check examples/rlhf.wd": child_cpu([str(WIRING), "check", rlhf], runs),
        "wiring render --format dot examples/rlhf.wd": child_cpu(
            [str(WIRING), "render", "--format", "dot", rlhf, "-o", str(workdir / "r.dot")], runs),
    }


def _ratio(table: dict, key, low: int, high: int) -> str:
    a, b = table.get((key, low)), table.get((key, high))
    return f"x{b / a:.1f}" if a and b else ""


def report_sizes() -> dict:
    return {(shape, n): report_size(shape, n) for shape in generate.SHAPES for n in SIZES}


def markdown(checks, analyses, commands, ports, dots, starts, linear, sizes) -> str:
    out = ["| shape | check 1k | 3k | 10k | 100k | x10 (1k-10k) | x10 (10k-100k) | "
           "analyses 1k | 3k | 10k | x10 |", "|---|" + "---:|" * 10]
    for shape in generate.SHAPES:
        cells = [f"{checks.get((shape, n), float('nan')):.3f}" for n in SIZES + (100_000,)]
        cells += [_ratio(checks, shape, 1000, 10000), _ratio(checks, shape, 10000, 100_000)]
        cells += [f"{analyses[shape, n]:.3f}" for n in SIZES]
        cells.append(_ratio(analyses, shape, 1000, 10000))
        out.append(f"| {shape} | " + " | ".join(cells) + " |")
    out += ["", "Steps of witnesses the analyses return (the size of their answer): "
            + ", ".join(f"{shape} " + " / ".join(f"{sizes[shape, n]:,}" for n in SIZES)
                        + f" ({_ratio(sizes, shape, 1000, 10000) or 'none'})"
                        for shape in generate.SHAPES)]
    out += ["", "Nested 10,000 (1,000 trained agents) as processes, CPU s: "
            + ", ".join(f"`wiring {c}` {s:.2f}" for c, s in commands.items()), ""]
    out += ["Wide interfaces, `check_text`, CPU s: "
            + ", ".join(f"{n:,} ports {s:.3f}" for n, s in ports.items())
            + f" (x{ports[3000] / ports[300]:.1f} per x10 ports)", ""]
    out += ["DOT of nested proposals, `to_dot`, CPU s: "
            + ", ".join(f"{n:,} {s:.3f}" for n, s in dots.items())
            + f" (x{dots[10000] / dots[1000]:.1f} per x10)", ""]
    out += ["Linear reference (no wiring code, collector paused), CPU s: "
            + ", ".join(f"{n:,} {s:.4f}" for n, s in linear.items())
            + f" (x{linear[10000] / linear[1000]:.1f} per x10)", ""]
    out += ["Start-up, CPU s of the process: "
            + ", ".join(f"`{c}` {s * 1000:.0f} ms" for c, s in starts.items()), ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one run per cell, no 100,000")
    parser.add_argument("--against", type=Path, metavar="DIR",
                        help="also time the analyses of the wiring in DIR (a worktree)")
    parser.add_argument("--analyses-of", type=Path, help=argparse.SUPPRESS)   # a child
    args = parser.parse_args(argv)
    if args.analyses_of is not None:   # import that tree's wiring, print its cells as JSON
        import json

        sys.path.insert(0, str(args.analyses_of.resolve()))
        print(json.dumps(analyses_of(args.quick)))
        return 0
    if not WIRING.exists():
        raise SystemExit(f"{WIRING} not found: run `bash scripts/setup.sh` first")
    started = time.strftime("%Y-%m-%d %H:%M")
    with tempfile.TemporaryDirectory(prefix="wiring-curves-") as tmp:
        workdir = Path(tmp)
        print("check and analyses ...", file=sys.stderr)
        checks, analyses = check_and_analyses(args.quick)
        print("nested 10,000 as processes ...", file=sys.stderr)
        commands = nested_commands(args.quick, workdir)
        ports, dots = wide(args.quick), dot(args.quick)
        starts = startup(args.quick, workdir)
        linear = references(args.quick)
        sizes = report_sizes()
        others = against(args.against.resolve(), args.quick) if args.against else None
    print(f"<!-- {started}, `.venv/bin/python benchmarks/curves.py"
          f"{' --quick' if args.quick else ''}"
          f"{f' --against {args.against}' if args.against else ''}` -->")
    print(markdown(checks, analyses, commands, ports, dots, starts, linear, sizes))
    if others is not None:
        print(against_markdown(others))
    return 0


if __name__ == "__main__":
    sys.exit(main())
