"""Benchmarks of wiring against the performance targets (see docs/performance.md).

Run from the repository root:

    .venv/bin/python benchmarks/bench.py            # full run (a few minutes)
    .venv/bin/python benchmarks/bench.py --quick    # fewer repetitions
    .venv/bin/python benchmarks/bench.py --stages   # also split the 10,000 runs into stages
    .venv/bin/python benchmarks/bench.py --profile tree:10000   # cProfile one case, then exit
    .venv/bin/python benchmarks/bench.py --against /tmp/base    # start-up here vs another tree

`--against TREE` compares start-up (`check examples/rlhf.wd`, `--help`, `render --format dot`) from this tree and
from TREE (a checkout of another commit, e.g. `git worktree add /tmp/base main`), in one run with
the two interleaved, so that both see the same machine load; it prints both medians and their
ratio, then exits.

(a) Process timings: `.venv/bin/wiring check FILE` end to end, median wall time of ~15 runs, for
    examples/rlhf.wd, a plain variant of it (no indexed types) and a generated file whose
    indexed and refined types need sympy. Also the floors: the bare interpreter, `import wiring`.
(b) In-process timings: `wiring.check_text` on generated proposals (benchmarks/generate.py) of
    each shape at 10, 100, 1,000 and 10,000 component instances; median of several runs.
(c) Rendering: DOT generation (`wiring.render.to_dot`) for 1,000-box proposals of each shape,
    and `wiring render` of the largest example to SVG as a process, end to end.
(d) Analyses: every analysis (`wiring.analysis.analyse`, with the quantitative bounds) on the
    generated 1,000-component proposals, and the incentive report unrolled to 8 steps on every
    example and on the generated proposals at 100 and 1,000 components.

Figures are medians of wall time. Nothing here is a test: the numbers are only printed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

VENV_BIN = REPO / ".venv" / "bin"
WIRING = VENV_BIN / "wiring"
PYTHON = VENV_BIN / "python"

SIZES = (10, 100, 1000, 10000)
SHAPES = tuple(generate.SHAPES)

# Targets (seconds, wall, medians)
PROCESS_PLAIN_TARGET = 0.3      # `wiring check` on a file without indexed or refined types
PROCESS_SYMBOLIC_TARGET = 1.0   # `wiring check` on a file with them (sympy allowed)
INPROCESS_10K_TARGET = 3.0      # check_text of 10,000 components
RATIO_TARGET = 12.0             # time(10,000) / time(1,000)
DOT_1K_TARGET = 0.5             # DOT generation for a 1,000-box proposal
RENDER_TARGET = 2.0             # `wiring render` of the largest example to SVG, as a process
ANALYSES_1K_TARGET = 2.0        # every analysis on a 1,000-component proposal
INCENTIVES_8_TARGET = 1.0       # the incentive report on a diagram unrolled to 8 steps
FMT_CHECK_TARGET = 1.0          # `wiring fmt --check examples/*.wd`, all in one process (issue 17)


def _median(times: list[float]) -> float:
    return statistics.median(times)


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


# --------------------------------------------------------------------- (a) process timings

def time_process(argv: list[str], reps: int, expect_rc: int = 0,
                 env: dict[str, str] | None = None) -> tuple[list[float], list[float]]:
    """Wall times and CPU times (user + sys of the child) of `argv` run `reps` times, after one
    untimed warm-up (page cache, lark's grammar cache)."""
    first = subprocess.run(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, env=env)
    if first.returncode != expect_rc:
        raise SystemExit(f"{' '.join(argv)} exited {first.returncode}:\n{first.stdout}"
                         f"{first.stderr}")
    times, cpu = [], []
    for _ in range(reps):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(argv, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=env)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return times, cpu


# The commands whose start-up `--against` compares (docs/performance.md, items 15-17 of issue 11).
STARTUP_COMMANDS = {
    "check rlhf.wd": ["check", "examples/rlhf.wd"],
    "--help": ["--help"],
    "render --format dot rlhf.wd": ["render", "--format", "dot", "-o", "-", "examples/rlhf.wd"],
}


def startup_against(other: Path, reps: int) -> int:
    """Median wall and CPU time of each start-up command from this tree and from `other`, runs
    interleaved (the machine is shared and noisy: both sides see the same load)."""
    trees = {"this tree": REPO, str(other): other.resolve()}
    for label, args in STARTUP_COMMANDS.items():
        argv = [str(PYTHON), "-m", "wiring.cli", *args]
        times: dict[str, list[float]] = {name: [] for name in trees}
        cpu: dict[str, list[float]] = {name: [] for name in trees}
        for name, tree in trees.items():   # warm-up: bytecode and page cache
            subprocess.run(argv, cwd=tree, capture_output=True)
        for _ in range(reps):
            for name, tree in trees.items():
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                subprocess.run(argv, cwd=tree, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
                times[name].append(time.perf_counter() - start)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[name].append(after.ru_utime + after.ru_stime
                                 - before.ru_utime - before.ru_stime)
        print(f"{label} as a process, median of {reps} interleaved runs (wall, CPU):")
        for name in trees:
            print(f"  {name:<30} {_median(times[name]) * 1000:7.1f} ms {_median(cpu[name]) * 1000:7.1f} ms")
        here, there = (_median(c) for c in cpu.values())
        print(f"  CPU ratio (this / other)       {here / there:7.3f}")
    return 0


def modules_loaded(path: Path) -> dict[str, bool]:
    """Which heavy libraries a `wiring check` of `path` imports (one extra process)."""
    probe = ("import sys, io, contextlib, wiring.cli\n"
             "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
             f"    wiring.cli.main(['check', {str(path)!r}])\n"
             "print(','.join(m for m in ('sympy', 'networkx', 'pydantic', 'lark', 'graphviz') "
             "if m in sys.modules))")
    out = subprocess.run([str(PYTHON), "-c", probe], cwd=REPO, capture_output=True, text=True)
    loaded = set(out.stdout.strip().split(",")) if out.returncode == 0 else set()
    return {m: m in loaded for m in ("sympy", "networkx", "pydantic", "lark", "graphviz")}


def process_benchmarks(reps: int, workdir: Path) -> list[dict]:
    plain = workdir / "rlhf-plain.wd"
    plain.write_text(generate.plain_rlhf(), encoding="utf-8")
    symbolic = workdir / "debate-symbolic.wd"
    symbolic.write_text(generate.symbolic(), encoding="utf-8")
    cases = [
        # (label, argv, target, file probed for imports)
        ("python -c pass (floor)", [str(PYTHON), "-c", "pass"], None, None),
        ("python -c 'import wiring'", [str(PYTHON), "-c", "import wiring"], None, None),
        ("wiring check rlhf-plain.wd (no indexed types)", [str(WIRING), "check", str(plain)],
         PROCESS_PLAIN_TARGET, plain),
        ("wiring check examples/rlhf.wd (Ranking[k], List[_, k])",
         [str(WIRING), "check", "examples/rlhf.wd"], PROCESS_SYMBOLIC_TARGET,
         REPO / "examples" / "rlhf.wd"),
        ("wiring check debate-symbolic.wd (Transcript[2*n], Real in [0, c])",
         [str(WIRING), "check", str(symbolic)], PROCESS_SYMBOLIC_TARGET, symbolic),
        ("wiring fmt --check examples/*.wd", [str(WIRING), "fmt", "--check", *sorted(
            str(p.relative_to(REPO)) for p in (REPO / "examples").glob("*.wd"))],
         FMT_CHECK_TARGET, None),
    ]
    cases = [(label, argv, target, probe, None) for label, argv, target, probe in cases]
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        # This environment forbids writing .pyc files, so an editable install recompiles
        # wiring's own modules in every process. A wheel install (or a normal shell) has them
        # cached; measure that too, with the cache in the temporary directory.
        cached = dict(os.environ, PYTHONPYCACHEPREFIX=str(workdir / "pycache"))
        cached.pop("PYTHONDONTWRITEBYTECODE")
        cases.append(("wiring check rlhf-plain.wd, bytecode cached", [str(WIRING), "check",
                      str(plain)], PROCESS_PLAIN_TARGET, None, cached))
        cases.append(("wiring check examples/rlhf.wd, bytecode cached", [str(WIRING), "check",
                      "examples/rlhf.wd"], PROCESS_SYMBOLIC_TARGET, None, cached))
    rows = []
    for label, argv, target, probe, env in cases:
        times, cpu = time_process(argv, reps, env=env)
        median = _median(times)
        rows.append({"case": label, "median": median, "min": min(times), "max": max(times),
                     "cpu": _median(cpu),
                     "reps": reps, "target": target,
                     "pass": None if target is None else median < target,
                     "loaded": modules_loaded(probe) if probe else None})
        print(f"  {label}: {_fmt(median)}", file=sys.stderr)
    return rows


# ------------------------------------------------------------------- (b) in-process timings

def _reps_for(n: int, quick: bool) -> int:
    if quick:
        return {10: 5, 100: 5, 1000: 3, 10000: 1}.get(n, 1)
    return {10: 21, 100: 15, 1000: 7, 10000: 3}.get(n, 3)


def time_check_text(text: str, path: str, reps: int,
                    gc_off: bool = False) -> tuple[list[float], list[float]]:
    import gc

    import wiring

    times, cpu = [], []
    for _ in range(reps):
        if gc_off:  # an experiment: what the checker would take without the cyclic collector
            gc.collect()
            gc.disable()
        try:
            start, start_cpu = time.perf_counter(), time.process_time()
            result = wiring.check_text(text, path)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        finally:
            if gc_off:
                gc.enable()
        if not result.ok or result.diagnostics:
            raise SystemExit(f"generated {path} does not check clean:\n{result.report()}")
    return times, cpu


def inprocess_benchmarks(shapes, sizes, quick: bool,
                        gc_off: bool = False) -> dict[str, dict[int, dict]]:
    import wiring

    generate.assert_clean(generate.chain(10), "warmup.wd")  # lark grammar, lazy imports
    table: dict[str, dict[int, dict]] = {}
    for shape in shapes:
        table[shape] = {}
        for n in sizes:
            text = generate.generate(shape, n)
            reps = _reps_for(n, quick)
            times, cpu = time_check_text(text, f"{shape}-{n}.wd", reps, gc_off)
            table[shape][n] = {"median": _median(times), "min": min(times), "reps": reps,
                               "cpu": _median(cpu),
                               "bytes": len(text.encode()), "lines": text.count("\n")}
            print(f"  {shape} {n}: {_fmt(_median(times))}", file=sys.stderr)
    del wiring
    return table


def stage_breakdown(shape: str, n: int) -> dict[str, dict[str, float]] | None:
    """One run of check_text split into its stages, mirroring wiring.api._run, once with the
    garbage collector as configured and once with it disabled (how much of the time is GC).
    Internal API: if the stages change shape this returns None instead of failing."""
    import gc

    try:
        from wiring.check import check
        from wiring.diagnostics import sort_key, unique
        from wiring.elaborate import elaborate
        from wiring.sources import load_program
    except ImportError as exc:
        print(f"  stage breakdown unavailable: {exc}", file=sys.stderr)
        return None
    text = generate.generate(shape, n)
    names = ("load+parse", "elaborate", "check", "sort")
    splits = {}
    for label in ("gc on", "gc off"):
        enabled = gc.isenabled()
        if label == "gc off":
            gc.disable()
        try:
            marks = [time.perf_counter()]
            program = load_program(f"{shape}-{n}.wd", text)
            marks.append(time.perf_counter())
            elaboration = elaborate(program)
            marks.append(time.perf_counter())
            diagnostics = program.diagnostics + elaboration.diagnostics
            diagnostics += check(elaboration.proposal, elaboration.excused, elaboration.broken)
            marks.append(time.perf_counter())
            sorted(unique(diagnostics), key=sort_key)
            marks.append(time.perf_counter())
        except Exception as exc:  # internal API moved: report, do not fail
            print(f"  stage breakdown unavailable: {type(exc).__name__}: {exc}", file=sys.stderr)
            return None
        finally:
            if enabled:
                gc.enable()
        del program, elaboration, diagnostics
        gc.collect()
        splits[label] = {name: b - a for name, a, b in zip(names, marks, marks[1:])}
        splits[label]["total"] = marks[-1] - marks[0]
    return splits


# ------------------------------------------------------------------------ (c) rendering

def dot_benchmark(reps: int) -> dict | None:
    """DOT generation for 1,000-box proposals of each shape: wiring.render.to_dot on a checked
    Proposal (DOT text only; the Graphviz `dot` program is not run). None when rendering is not
    available."""
    # ==========================================================================================
    # RENDERING TARGET: DOT generation for a 1,000-box proposal in under 0.5 s (median).
    # Times `to_dot(proposal)` (default diagram, nested diagrams expanded) on the generated
    # shapes at N = 1,000. If the rendering API changes, adapt `_to_dot` below.
    # ==========================================================================================
    try:
        from wiring.render import to_dot as _to_dot
    except ImportError:
        return None
    import wiring

    rows = {}
    for shape in SHAPES:
        proposal = wiring.loads(generate.generate(shape, 1000), f"{shape}-1000.wd")
        times = []
        for _ in range(reps):
            start = time.perf_counter()
            dot = _to_dot(proposal)
            times.append(time.perf_counter() - start)
        median = _median(times)
        rows[shape] = {"median": median, "bytes": len(dot), "reps": reps,
                       "pass": median < DOT_1K_TARGET}
        print(f"  to_dot {shape} 1000: {_fmt(median)}", file=sys.stderr)
    return rows


def largest_example() -> tuple[Path, int]:
    """The example with the most boxes once nested diagrams are flattened."""
    import wiring
    from wiring.analysis.build import build
    from wiring.structure import default_diagram as top_diagram

    sizes = []
    for path in sorted((REPO / "examples").rglob("*.wd")):
        proposal = wiring.load(path)
        sizes.append((len(build(proposal, top_diagram(proposal, None)).boxes), path))
    boxes, path = max(sizes, key=lambda item: (item[0], str(item[1])))
    return path, boxes


def render_benchmark(reps: int, workdir: Path) -> dict | None:
    """`wiring render EXAMPLE -o OUT.svg` end to end (check, DOT, Graphviz) on the largest
    example. None when Graphviz is not installed."""
    import shutil

    if shutil.which("dot") is None:
        return None
    path, boxes = largest_example()
    out = workdir / "largest.svg"
    walls, cpus = time_process([str(WIRING), "render", str(path), "-o", str(out)], reps)
    median = _median(walls)
    print(f"  render {path.name} ({boxes} boxes): {_fmt(median)}", file=sys.stderr)
    return {"example": str(path.relative_to(REPO)), "boxes": boxes, "median": median,
            "min": min(walls), "reps": reps, "pass": median < RENDER_TARGET}


# ------------------------------------------------------------------------ (d) analyses

def _timed(function, reps: int) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return _median(times)


def analyses_benchmark(reps: int) -> dict:
    """All analyses (with the bounds) at 1,000 components; the incentive report at 8 steps."""
    import wiring
    from wiring.analysis import analyse
    from wiring.analysis.bounds import bounds
    from wiring.analysis.build import build
    from wiring.structure import default_diagram as top_diagram
    from wiring.analysis.incentives import report

    def everything(proposal):
        analysis = analyse(proposal)
        bounds(analysis.system)
        return analysis

    rows: dict = {"all": {}, "incentives": {}}
    for shape in SHAPES:
        proposal = wiring.loads(generate.generate(shape, 1000), f"{shape}-1000.wd")
        everything(proposal)  # warm-up: sympy's first import belongs to no one run
        median = _timed(lambda: everything(proposal), reps)
        analysis = everything(proposal)
        rows["all"][shape] = {"median": median, "findings": len(analysis.findings),
                              "boxes": len(analysis.system.boxes),
                              "pass": median < ANALYSES_1K_TARGET}
        print(f"  analyses {shape} 1000: {_fmt(median)}", file=sys.stderr)
    cases = [(str(p.relative_to(REPO)), wiring.load(p)) for p in sorted((REPO / "examples").rglob("*.wd"))]
    cases += [(f"generated {shape} {n}", wiring.loads(generate.generate(shape, n)))
              for n in (100, 1000) for shape in SHAPES]
    for name, proposal in cases:
        system = build(proposal, top_diagram(proposal, None))
        median = _timed(lambda: report(system, 8), reps)
        agents = len(report(system, 8))
        rows["incentives"][name] = {"median": median, "boxes": len(system.boxes),
                                    "agents": agents, "pass": median < INCENTIVES_8_TARGET}
    worst = max(rows["incentives"].items(), key=lambda item: item[1]["median"])
    print(f"  incentive report, 8 steps: slowest {worst[0]} {_fmt(worst[1]['median'])}",
          file=sys.stderr)
    return rows


# ------------------------------------------------------------------------------- profiling

def profile(case: str, top: int = 30) -> None:
    import cProfile
    import pstats

    import wiring

    shape, _, size = case.partition(":")
    n = int(size or 10000)
    text = generate.generate(shape, n)
    wiring.check_text(generate.chain(10), "warmup.wd")
    profiler = cProfile.Profile()
    profiler.enable()
    wiring.check_text(text, f"{shape}-{n}.wd")
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs()
    print(f"## {shape} {n}: by cumulative time")
    stats.sort_stats("cumulative").print_stats(top)
    print(f"## {shape} {n}: by own time")
    stats.sort_stats("tottime").print_stats(top)


# ---------------------------------------------------------------------------------- report

def machine() -> dict[str, str]:
    info = {"date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            "nproc": str(os.cpu_count()),
            "python": subprocess.run([str(PYTHON), "-c", "import sys; print(sys.version.split()[0])"],
                                     capture_output=True, text=True).stdout.strip(),
            "platform": platform.platform(),
            "load": "%.2f %.2f %.2f" % os.getloadavg(),
            "PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE", "")}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions = subprocess.run(
        [str(PYTHON), "-c", "from importlib.metadata import version as v\n"
         "print(' '.join(f'{p}={v(p)}' for p in ('lark', 'pydantic', 'sympy', 'networkx')))"],
        capture_output=True, text=True).stdout.strip()
    info["libraries"] = versions
    return info


def markdown(info, process_rows, table, sizes, stages, dot, command,
             gc_off: bool = False, rendered: dict | None = None,
             analyses: dict | None = None) -> str:
    out = [f"Command: `{command}`  ", f"Date: {info['date']}  ",
           f"Machine: {info['nproc']} cores ({info.get('cpu', 'unknown CPU')}), "
           f"Python {info['python']}, {info['platform']}  ",
           f"Libraries: {info['libraries']}  ",
           f"Load average at start: {info['load']}; at end: {info.get('load_end', '?')} "
           f"(other processes share the cores; `min` columns are less sensitive to them)  ",
           f"PYTHONDONTWRITEBYTECODE={info['PYTHONDONTWRITEBYTECODE'] or '(unset)'}", ""]
    if process_rows:
        out += ["### Process: end to end, median wall time", "",
                "| case | median wall | min wall | median CPU | runs | sympy loaded | "
                "networkx loaded | target | verdict (wall) |",
                "|---|---:|---:|---:|---:|:---:|:---:|---:|:---:|"]
        for row in process_rows:
            loaded = row["loaded"] or {}
            yes = lambda m: ("yes" if loaded.get(m) else "no") if row["loaded"] else ""  # noqa: E731
            out.append(f"| {row['case']} | {_fmt(row['median'])} | {_fmt(row['min'])} | "
                       f"{_fmt(row['cpu'])} | {row['reps']} | {yes('sympy')} | {yes('networkx')} | "
                       f"{'< ' + _fmt(row['target']) if row['target'] else ''} | "
                       f"{_verdict(row['pass']) if row['target'] else ''} |")
        out.append("")
    if table:
        out += ["### In process: `wiring.check_text`, median wall time"
                + (" (EXPERIMENT: garbage collector disabled)" if gc_off else ""), "",
                "| shape | " + " | ".join(f"{n:,}" for n in sizes) + " | 10,000 / 1,000 | "
                "10,000 < 3 s | ratio <= 12 |",
                "|---|" + "---:|" * len(sizes) + "---:|:---:|:---:|"]
        for shape, by_n in table.items():
            cells = [_fmt(by_n[n]["median"]) for n in sizes]
            ratio = big = None
            if 10000 in by_n:
                big = by_n[10000]["median"] < INPROCESS_10K_TARGET
                if 1000 in by_n:
                    ratio = by_n[10000]["median"] / by_n[1000]["median"]
            out.append(f"| {shape} | " + " | ".join(cells) +
                       f" | {'' if ratio is None else f'{ratio:.1f}'} | {_verdict(big)} | "
                       f"{_verdict(None if ratio is None else ratio <= RATIO_TARGET)} |")
        out += ["", "Minimum wall time and median CPU time (process_time) of the same runs, less "
                "sensitive to other load on the machine:", "",
                "| shape | " + " | ".join(f"{n:,} min / CPU" for n in sizes) + " | CPU 10,000 / 1,000 |",
                "|---|" + "---:|" * (len(sizes) + 1)]
        for shape, by_n in table.items():
            cpu_ratio = (f"{by_n[10000]['cpu'] / by_n[1000]['cpu']:.1f}"
                         if 10000 in by_n and 1000 in by_n else "")
            out.append(f"| {shape} | " + " | ".join(
                f"{_fmt(by_n[n]['min'])} / {_fmt(by_n[n]['cpu'])}" for n in sizes)
                + f" | {cpu_ratio} |")
        reps = {n: next(iter(table.values()))[n]["reps"] for n in sizes}
        out += ["", "Runs per cell: " + ", ".join(f"{n:,}: {r}" for n, r in reps.items()) +
                f". Input sizes ({max(sizes):,}): " + ", ".join(
                    f"{s} {by_n[max(sizes)]['bytes'] / 1024:.0f} KiB" for s, by_n in table.items()),
                ""]
    if stages:
        out += [f"### Stages of one {max(sizes):,}-component run, with and without the garbage "
                "collector", "",
                "| shape | gc | load+parse | elaborate | check | sort | total |",
                "|---|---|---:|---:|---:|---:|---:|"]
        for shape, splits in stages.items():
            for label, split in (splits or {}).items():
                out.append(f"| {shape} | {label} | " + " | ".join(
                    _fmt(split[k]) for k in ("load+parse", "elaborate", "check", "sort", "total"))
                    + " |")
        out.append("")
    out += ["### Rendering: `wiring.render.to_dot` at 1,000 components, median wall time", ""]
    if dot is None:
        out.append(f"DOT generation (target < {_fmt(DOT_1K_TARGET)}): not available "
                   "(see `dot_benchmark` in benchmarks/bench.py).")
    else:
        out += ["| shape | median | DOT size | target | verdict |", "|---|---:|---:|---:|:---:|"]
        for shape, row in dot.items():
            out.append(f"| {shape} | {_fmt(row['median'])} | {row['bytes'] / 1024:.0f} KiB | "
                       f"< {_fmt(DOT_1K_TARGET)} | {_verdict(row['pass'])} |")
    out.append("")
    if rendered is None:
        out += ["`wiring render` to SVG: not measured (Graphviz `dot` is not installed).", ""]
    else:
        out += [f"`wiring render {rendered['example']} -o OUT.svg` (the largest example, "
                f"{rendered['boxes']} boxes), as a process: median {_fmt(rendered['median'])}, "
                f"min {_fmt(rendered['min'])} over {rendered['reps']} runs; target "
                f"< {_fmt(RENDER_TARGET)}: {_verdict(rendered['pass'])}", ""]
    if analyses:
        out += ["### Analyses: every analysis and the bounds at 1,000 components, median wall time",
                "", "| shape | boxes | findings | median | target | verdict |",
                "|---|---:|---:|---:|---:|:---:|"]
        for shape, row in analyses["all"].items():
            out.append(f"| {shape} | {row['boxes']} | {row['findings']} | {_fmt(row['median'])} | "
                       f"< {_fmt(ANALYSES_1K_TARGET)} | {_verdict(row['pass'])} |")
        out += ["", "### The incentive report unrolled to 8 steps, median wall time", "",
                "| diagram | boxes | agents | median | target | verdict |",
                "|---|---:|---:|---:|---:|:---:|"]
        for name, row in analyses["incentives"].items():
            out.append(f"| {name} | {row['boxes']} | {row['agents']} | {_fmt(row['median'])} | "
                       f"< {_fmt(INCENTIVES_8_TARGET)} | {_verdict(row['pass'])} |")
        out.append("")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--stages", action="store_true",
                        help="also time the stages of each 10,000-component check")
    parser.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated shapes")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)),
                        help="comma-separated sizes")
    parser.add_argument("--no-process", action="store_true", help="skip the process timings")
    parser.add_argument("--no-inprocess", action="store_true", help="skip check_text timings")
    parser.add_argument("--no-analyses", action="store_true", help="skip the analysis timings")
    parser.add_argument("--gc-off", action="store_true",
                        help="experiment: disable the garbage collector during each check_text")
    parser.add_argument("--json", metavar="OUT", help="also write the raw figures as JSON")
    parser.add_argument("--profile", metavar="SHAPE:N",
                        help="cProfile one check_text run (e.g. tree:10000) and exit")
    parser.add_argument("--against", metavar="TREE", type=Path,
                        help="compare start-up with another checkout, then exit")
    args = parser.parse_args(argv)

    if args.against:
        return startup_against(args.against, 10 if args.quick else 40)
    if not WIRING.exists():
        raise SystemExit(f"{WIRING} not found: run `bash scripts/setup.sh` first")
    if args.profile:
        profile(args.profile)
        return 0
    shapes = [s for s in args.shapes.split(",") if s]
    sizes = [int(s) for s in args.sizes.split(",") if s]
    unknown = [s for s in shapes if s not in generate.SHAPES]
    if unknown:
        parser.error(f"unknown shapes {unknown}; shapes: {', '.join(generate.SHAPES)}")

    command = ".venv/bin/python benchmarks/bench.py" + (" " + " ".join(argv or sys.argv[1:])
                                                         if (argv or sys.argv[1:]) else "")
    info = machine()
    process_rows: list[dict] = []
    if not args.no_process:
        print("process timings ...", file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="wiring-bench-") as tmp:
            process_rows = process_benchmarks(5 if args.quick else 15, Path(tmp))
    table: dict = {}
    if not args.no_inprocess:
        print("in-process timings ...", file=sys.stderr)
        table = inprocess_benchmarks(shapes, sizes, args.quick, args.gc_off)
    stages = {}
    if args.stages:
        print("stage breakdown ...", file=sys.stderr)
        stages = {shape: stage_breakdown(shape, max(sizes)) for shape in shapes}
    dot = dot_benchmark(3 if args.quick else 7)
    with tempfile.TemporaryDirectory(prefix="wiring-bench-") as tmp:
        rendered = render_benchmark(3 if args.quick else 7, Path(tmp))
    analyses = None if args.no_analyses else analyses_benchmark(3 if args.quick else 5)

    info["load_end"] = "%.2f %.2f %.2f" % os.getloadavg()
    print(markdown(info, process_rows, table, sizes, stages, dot, command, args.gc_off,
                   rendered, analyses))
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"machine": info, "command": command, "process": process_rows,
             "inprocess": {s: {str(n): v for n, v in t.items()} for s, t in table.items()},
             "stages": stages, "dot": dot, "render": rendered, "analyses": analyses},
            indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
