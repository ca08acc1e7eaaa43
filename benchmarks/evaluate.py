"""Benchmarks of `wiring evaluate` (issue 15; docs/behaviours.md, docs/performance.md).

    .venv/bin/python benchmarks/evaluate.py            # medians of 5 runs
    .venv/bin/python benchmarks/evaluate.py --reps 3

(a) Trusted monitoring over 5,000 tasks at one attack rate: one exact solve (the dynamic
    programme) and one Monte Carlo run of 10,000 episodes. Targets: < 0.1 s and < 5 s.
(b) A frontier of 50 settings of the deferral fraction of defer-to-trusted, each against the
    adversary's best response (exact). Target: < 60 s.

CPU seconds (process time) and wall seconds, medians, measured in one run. Nothing here is a
test: the numbers are only printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import wiring  # noqa: E402
from wiring.check.behaviours import compose  # noqa: E402
from wiring.evaluate import Options, evaluate, parameter_values  # noqa: E402
from wiring.evaluate.exact import solve  # noqa: E402
from wiring.evaluate.montecarlo import simulate  # noqa: E402


def timed(function, reps: int) -> tuple[float, float]:
    cpu, wall = [], []
    for _ in range(reps):
        c, w = time.process_time(), time.perf_counter()
        function()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return statistics.median(cpu), statistics.median(wall)


def checked(name: str):
    result = wiring.check_file(str(REPO / "examples" / f"{name}.wd"))
    assert result.ok, result.report()
    return result.proposal


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    proposal = checked("control_trusted_monitoring")
    program, _ = compose(proposal, proposal.evaluations[0])
    values = {**parameter_values(proposal), "attack_rate": 0.01}
    rows = [("trusted monitoring, exact, 5,000 tasks", 0.1,
             timed(lambda: solve(program, values), args.reps)),
            ("trusted monitoring, Monte Carlo, 5,000 tasks x 10,000 episodes", 5.0,
             timed(lambda: simulate(program, values, 10_000, 0), max(1, args.reps // 2)))]
    defer = checked("control_defer_to_trusted")
    evaluation = defer.evaluations[0]
    settings = [{"defer_fraction": round(i / 49 * 0.5, 6)} for i in range(50)]

    def frontier():
        for setting in settings:
            evaluate(defer, evaluation, Options(), setting)
    rows.append(("defer to trusted, frontier of 50 settings, each against its best response",
                 60.0, timed(frontier, 1)))
    print("| case | CPU s | wall s | target | |")
    print("|---|---:|---:|---:|---|")
    for label, target, (cpu, wall) in rows:
        print(f"| {label} | {cpu:.3f} | {wall:.3f} | < {target:g} s | "
              f"{'PASS' if wall < target else 'FAIL'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
