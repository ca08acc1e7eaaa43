"""`wiring evaluate`: safety and usefulness of a proposal's `evaluate` blocks."""

from __future__ import annotations

import json
import sys

from . import FILE_HELP, add_command, exit_code, exits, print_results, whole_number
from ..version import install_hint


def cmd_evaluate(args) -> int:
    from ..api import check_file
    from ..evaluate.frontier import BadSweep, parse_sweep, settings

    try:
        points = settings([parse_sweep(text) for text in args.sweep])
    except BadSweep as problem:
        print(f"wiring: {problem}", file=sys.stderr)
        return exits.USAGE
    if args.plot and args.plot.rsplit(".", 1)[-1].lower() not in ("svg", "png", "pdf"):
        print(f"wiring: --plot {args.plot}: write .svg, .png or .pdf", file=sys.stderr)
        return exits.USAGE
    runs, code, inputs = [], exits.OK, []
    for path in args.files:
        result = check_file(path, root=args.root)
        inputs += list(result.files)
        if not result.ok or result.proposal is None:
            print_results([(path, result)], "text", args.color,
                          verdicts=sys.stderr if args.format == "json" else None)
            code = max(code, exit_code([result]))
        elif not result.proposal.evaluations:
            print(f"{path}: nothing to evaluate: no `evaluate` block (docs/behaviours.md "
                  "says how to write one)", file=sys.stderr)
            code = max(code, exits.PROBLEMS)
        elif problem := _bad_sweep(result.proposal, points):
            print(f"wiring: {path} {problem}", file=sys.stderr)
            return exits.USAGE
        else:
            series, failed = _evaluate_file(path, result.proposal, points, args)
            runs += series
            code = max(code, exits.PROBLEMS if failed else exits.OK)
    _report(runs, bool(args.sweep), args)
    if args.plot and runs and not _plot(runs, args.plot, inputs, len(args.sweep) <= 1):
        return exits.USAGE
    return code


def _bad_sweep(proposal, points) -> str | None:
    """Why the sweep does not fit this proposal: a name it lacks, or values outside a
    parameter's range."""
    from ..model import literal_number
    from ..names import did_you_mean

    params = {**proposal.params, **proposal.adversaries}
    for name in points[0] if points else {}:
        if name not in params:
            hint = did_you_mean(name, params)
            return f"has no parameter `{name}` to sweep" + (f"; {hint}" if hint else "")
        low, high = (literal_number(getattr(params[name].type, end, None)) for end in ("lower",
                                                                                 "upper"))
        for point in points:
            value = point[name]
            if (low is not None and value < low) or (high is not None and value > high):
                return (f"`{name}` is `{params[name].written}`: the sweep's {value:g} is "
                        "outside it")
    return None


def _evaluate_file(path: str, proposal, points, args) -> tuple[list, bool]:
    """One series per evaluate block: (path, label, [Outcome per setting])."""
    from ..evaluate import Options, evaluate
    from ..evaluate.exact import Refused
    from ..evaluate.formulas import EvaluationError

    options = Options(method=args.method, episodes=args.episodes, seed=args.seed,
                      progress=_progress() if sys.stderr.isatty() and not args.sweep else None)
    series, failed = [], False
    for number, evaluation in enumerate(proposal.evaluations, 1):
        label = evaluation.diagram + (f" #{number}" if len(proposal.evaluations) > 1 else "")
        try:
            outcomes = [evaluate(proposal, evaluation, options, point) for point in points]
        except Refused as why:
            print(f"{path}: `{evaluation.diagram}` is outside the exact class: {why}; "
                  "drop --exact to evaluate it by Monte Carlo", file=sys.stderr)
            failed = True
            continue
        except EvaluationError as why:
            print(f"{path}: `{evaluation.diagram}` cannot be evaluated: {why} (at the "
                  "parameters' values, or at a value the adversary search tried)",
                  file=sys.stderr)
            failed = True
            continue
        unread = sorted({n for o in outcomes for n in o.unread})
        if unread:
            print(f"{path}: `{label}` reads no {', '.join(f'`{n}`' for n in unread)}: its "
                  "figures do not depend on " + ("it" if len(unread) == 1 else "them"),
                  file=sys.stderr)
        twin = next((other for _, other, found in series if found == outcomes), None)
        if twin is not None:     # the sweep sets what the two blocks differ in
            print(f"{path}: `{label}` is the same as `{twin}` under the sweep; shown once",
                  file=sys.stderr)
            continue
        series.append((path, label, outcomes))
    return series, failed


def _report(runs, swept: bool, args) -> None:
    from ..evaluate.frontier import pareto

    outcomes = [o for _, _, found in runs for o in found]
    best = iter(pareto([(o.safety, o.usefulness if o.usefulness is not None else o.solve_rate)
                        for o in outcomes]))
    if args.format == "json":
        payload = [{"file": path, "evaluation": label,
                    "outcomes": [{**o.as_json(), **({"frontier": next(best)} if swept else {})}
                                 for o in found]} for path, label, found in runs]
        print(json.dumps(payload, indent=2))
    elif not swept:
        for path, _, found in runs:
            print(describe(path, found[0]))
    else:
        print(_table(runs, best))


def _table(runs, best) -> str:
    lines = []
    for path, label, found in runs:
        lines.append(f"{path}: `{label}` over {found[0].tasks:,} tasks "
                     f"({'exact' if found[0].method == 'exact' else 'Monte Carlo'})")
        for o in found:
            setting = ", ".join(f"{k} = {v:g}" for k, v in o.settings.items())
            attack = ", ".join(f"{k} = {v:.4g}" for k, v in o.attack.items()) or "none"
            useful = o.usefulness if o.usefulness is not None else o.solve_rate
            mark = "  frontier" if next(best) else ""
            lines.append(f"  {setting:<28} safety {o.safety:.4f}  usefulness {useful:.4f}  "
                         f"best response {attack}{mark}")
    return "\n".join(lines)


def _plot(runs, path: str, inputs: list[str], joined: bool) -> bool:
    from ..evaluate.frontier import pareto
    from ..evaluate.plot import NoMatplotlib, plot
    from .output import write

    fmt = path.rsplit(".", 1)[-1].lower()
    outcomes = [o for _, _, found in runs for o in found]
    scores = [(o.usefulness if o.usefulness is not None else o.solve_rate, o.safety)
              for o in outcomes]
    marks = iter(pareto([(s, u) for u, s in scores]))
    points = iter(scores)
    series = [(label, [(*next(points), next(marks)) for _ in found]) for _, label, found in runs]
    try:
        data = plot(series, fmt, joined=joined)
    except NoMatplotlib as missing:
        print(f"wiring: {missing}", file=sys.stderr)
        return False
    return write(path, data, inputs)


def describe(path: str, o) -> str:
    mode = f" in mode `{o.mode}`" if o.mode else ""
    if o.method == "exact":
        how = (f"exact: a dynamic programme over {o.states:,} counter "
               f"state{'s' if o.states != 1 else ''}")
    else:
        how = f"Monte Carlo: {o.episodes:,} episodes, seed {o.seed}"
        if o.attack:
            how += ("; the interval is the simulation's at the response found, which the "
                    "search itself estimated with fewer episodes")
        if o.why_not_exact:
            how += f"; not exact because {o.why_not_exact}"
    lines = [f"{path}: `{o.diagram}`{mode} over {o.tasks:,} tasks ({how})"]
    interval = (f" (95% interval {o.safety_interval[0]:.4f} to {o.safety_interval[1]:.4f})"
                if o.safety_interval else "")
    if o.attack:
        attack = ", ".join(f"{k} = {v:.6g}" for k, v in o.attack.items())
        lines.append(f"  safety      {o.safety:.4f}{interval} against the adversary's best "
                     f"response ({o.objective}): {attack}")
        lines.append(f"              found by a {o.search}")
    else:
        lines.append(f"  safety      {o.safety:.4f}{interval} (no adversary parameters)")
    honest = ", ".join(f"{k} = {v:g}" for k, v in o.honest.items())
    rate = f"solve rate {o.solve_rate:.4f}" + (f" with {honest} (honest)" if honest else "")
    if o.usefulness is not None:
        low, high = o.normalised_from
        lines.append(f"  usefulness  {o.usefulness:.4f} ({rate}, normalised from {low:g} to "
                     f"{high:g})")
    else:
        lines.append(f"  usefulness  {o.solve_rate:.4f} ({rate})")
    return "\n".join(lines)


def _progress():
    shown = [-1]

    def show(task: int, tasks: int) -> None:
        percent = 100 * task // tasks
        if percent != shown[0]:
            shown[0] = percent
            end = "\n" if task == tasks else ""
            print(f"\rsimulating: {percent:3d}% of {tasks:,} tasks", end=end, file=sys.stderr,
                  flush=True)
    return show


def add_evaluate_command(sub) -> None:
    p = add_command(sub, "evaluate", "safety and usefulness from the proposal's behaviours",
                    "Check each FILE, compose the behaviours of each `evaluate` block along its "
                    "diagram, and print safety (the probability of no catastrophe over the "
                    "episode) against the adversary's best response, and usefulness (the solve "
                    "rate with the adversary honest). Exact when the behaviours allow it "
                    "(finite draws, thresholds on continuous ones, bounded counters), Monte "
                    "Carlo otherwise, with 95% intervals. docs/behaviours.md has the language.")
    p.add_argument("files", nargs="+", metavar="FILE", help=FILE_HELP)
    p.add_argument("--format", choices=("text", "json"), default="text")
    method = p.add_mutually_exclusive_group()
    method.add_argument("--exact", dest="method", action="store_const", const="exact",
                        help="refuse, with the reason, unless the exact method applies")
    method.add_argument("--monte-carlo", dest="method", action="store_const",
                        const="monte-carlo", help="simulate even when exact would apply")
    p.set_defaults(method="auto")
    p.add_argument("--episodes", type=whole_number(2), default=10_000, metavar="N",
                   help="Monte Carlo episodes (default 10,000)")
    p.add_argument("--seed", type=whole_number(0), default=0, help="Monte Carlo seed (default 0)")
    p.add_argument("--sweep", action="append", default=[], metavar="NAME=LO:HI:STEP",
                   help="evaluate at each value of a protocol parameter (repeat for a grid), "
                   "each against its own best response, and mark the Pareto frontier of "
                   "safety against usefulness over every file given")
    p.add_argument("--plot", metavar="OUT", help="draw safety against usefulness, one series "
                   "per evaluate block, the frontier marked (.svg, .png or .pdf; needs the "
                   f"plot extra: {install_hint('plot')})")
    p.set_defaults(run=cmd_evaluate)
