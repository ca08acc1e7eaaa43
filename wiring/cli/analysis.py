"""`wiring lint`, `wiring analyze` and `wiring diff`: the commands that run the analyses."""

from __future__ import annotations

import argparse
import json
import sys

from . import add_command, color_wanted, exits, exit_code, print_results


def _analysed(path: str, args):
    """Check a file, then analyse every top diagram (or each --diagram): (result, FileAnalysis
    or None, exit code if it stops here)."""
    from ..analysis import analyse_all
    from ..api import check_file

    result = check_file(path)
    if not result.ok or result.proposal is None:
        print_results([(path, result)], "text", args.color)
        return result, None, exit_code([result])
    unknown = [n for n in args.diagram or () if n not in result.proposal.diagrams]
    if unknown:
        print(f"wiring: `{path}` has no diagram `{unknown[0]}`; diagrams: "
              + ", ".join(result.proposal.diagrams), file=sys.stderr)
        return result, None, exits.USAGE
    return result, analyse_all(result.proposal, args.diagram, steps=args.steps), None


def cmd_lint(args) -> int:
    from ..report import lint_json, lint_text

    code = exits.OK
    payload = []
    for path in args.files:
        result, report, stop = _analysed(path, args)
        if stop is not None:
            code = max(code, stop)
            continue
        if args.format == "json":
            payload.append(lint_json(path, report))
        else:
            print(lint_text(path, report, result.sources, color_wanted(sys.stdout, args.color)))
        if report.failed:
            code = max(code, exits.PROBLEMS)
    if args.format == "json":
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    return code


def cmd_analyze(args) -> int:
    from ..analysis.bounds import bounds
    from ..report import bounds_json, bounds_text, incentives_json, incentives_text

    code = exits.OK
    payload, texts = [], []
    for path in args.files:
        _, report, stop = _analysed(path, args)
        if stop is not None:
            code = max(code, stop)
            continue
        if not report.analyses:
            texts.append(f"{path}: no diagram to analyse")
        diagrams = []
        for analysis in report.analyses:
            found = bounds(analysis.system)
            diagrams.append({**incentives_json(path, analysis), "bounds": bounds_json(found)})
            texts.append(incentives_text(path, analysis) + bounds_text(found))
        payload.append({"file": path, "diagrams": diagrams})
    if args.format == "json":
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    elif texts:
        print("\n\n".join(texts))
    return code


def cmd_diff(args) -> int:
    from ..analysis import analyse
    from ..api import check_file
    from ..diff import diff, to_json, to_text

    analyses = []
    for path, diagram in ((args.left, args.diagram), (args.right, args.other_diagram or args.diagram)):
        result = check_file(path)
        if not result.ok or result.proposal is None:
            print_results([(path, result)], "text", args.color)
            return exits.PROBLEMS if exit_code([result]) == exits.OK else exit_code([result])
        try:
            analysis = analyse(result.proposal, diagram)
        except ValueError as exc:   # an unknown diagram, or several top diagrams and no name
            print(f"wiring: {exc} (--diagram / --other-diagram)", file=sys.stderr)
            return exits.USAGE
        if analysis is None:
            print(f"wiring: {path} has no diagram to compare", file=sys.stderr)
            return exits.PROBLEMS
        analyses.append(analysis)
    result = diff(*analyses)
    if args.format == "json":
        print(json.dumps(to_json(result), indent=2, ensure_ascii=False))
    else:
        print(to_text(result, args.left, args.right))
    return exits.OK if result.same else exits.PROBLEMS


def _steps(text: str) -> int:
    """`--steps K`: the unrolled diagram has a copy of every box per step, so K is bounded."""
    from ..analysis.incentives import MAX_STEPS

    try:
        steps = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a whole number") from None
    if not 1 <= steps <= MAX_STEPS:
        raise argparse.ArgumentTypeError(f"{steps} is outside 1 to {MAX_STEPS}")
    return steps


def _analysis_options(p, steps_help: str) -> None:
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--diagram", metavar="NAME", action="append",
                   help="a diagram to analyse; repeat for several (default: every top diagram, "
                   "i.e. every diagram of FILE that no other diagram uses)")
    p.add_argument("--steps", type=_steps, default=None, metavar="K", help=steps_help)


def add_analysis_commands(sub) -> None:
    p = add_command(sub, "lint", "run the alignment analyses and the proposal's assertions",
                    "Check each FILE, then run the alignment analyses and the proposal's "
                    "assertions on every top diagram (or each --diagram): findings with their "
                    "witness paths, a summary line per diagram, and notes on what had nothing "
                    "to examine.")
    _analysis_options(p, "time steps to unroll for the incentive findings (default 3; the "
                      "report says when a loop needs more)")
    p.set_defaults(run=cmd_lint)

    p = add_command(sub, "analyze", "incentive report per decision on the diagram unrolled in time",
                    "Check each FILE, then print for every top diagram (or each --diagram) the "
                    "incentive report of each trained agent on the diagram unrolled in time, "
                    "and the bounds on untrusted output reaching the world.",
                    aliases=["analyse"])
    _analysis_options(p, "time steps to unroll (default 3; the report says when a loop "
                      "through stateful boxes and delayed wires needs more)")
    p.set_defaults(run=cmd_analyze)

    p = add_command(sub, "diff", "what changed between two proposals: boxes, wires, "
                    "optimisation, trust and findings",
                    "Compare one diagram of A.wd with one of B.wd: boxes, wires, optimisation, "
                    "trust and findings. A file with several top diagrams needs --diagram.")
    p.add_argument("left", metavar="A.wd")
    p.add_argument("right", metavar="B.wd")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--diagram", metavar="NAME", help="the diagram to compare (default: the top one)")
    p.add_argument("--other-diagram", metavar="NAME", help="the diagram of B.wd, if named differently")
    p.set_defaults(run=cmd_diff)
