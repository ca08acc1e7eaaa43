"""`wiring lint`, `wiring analyze` and `wiring diff`: the commands that run the analyses."""

from __future__ import annotations

import json
import sys

from . import (CI_FORMATS, FILE_HELP, FORMAT_HELP, add_command, color_wanted, exits, exit_code,
               print_ci_format, print_results, whole_number)


def _analysed(path: str, args):
    """Check a file, then analyse every top diagram (or each --diagram): (result, FileAnalysis
    or None, exit code if it stops here). With --format json, what is printed goes to stderr,
    so that standard output stays one JSON document."""
    from ..analysis import analyse_all
    from ..api import check_file
    from ..structure import TooLarge

    verdicts = sys.stderr if args.format != "text" else None
    result = check_file(path, root=args.root)
    if not result.ok or result.proposal is None:
        print_results([(path, result)], "text", args.color, verdicts=verdicts)
        return result, None, exit_code([result])
    try:
        return result, analyse_all(result.proposal, args.diagram, steps=args.steps,
                                   depth=args.depth), None
    except TooLarge as exc:
        result = _too_large(result, exc)
        print_results([(path, result)], "text", args.color, verdicts=verdicts)
        return result, None, exits.PROBLEMS
    except ValueError as exc:   # a --diagram the file does not have
        print(f"wiring: {exc}", file=sys.stderr)
        return result, None, exits.USAGE


def _too_large(result, exc):
    """The check's result with E0244 added: the diagram is too large to analyse whole."""
    from dataclasses import replace

    from ..diagnostics import report

    where = "of its own" if exc.own else "once flattened"
    problem = report("E0244", exc.diagram.span, str(exc), help=exc.help,
                     label=f"{exc.leaves:,} boxes {where}" if exc.leaves < 10**15 else None)
    return replace(result, diagnostics=result.diagnostics + [problem])


def _unanalysed(path: str, result) -> dict:
    """The JSON entry of a file that was not analysed: what `wiring check` found."""
    return {"file": path, "ok": False, "failed": True,
            "diagnostics": [d.model_dump(mode="json") for d in result.diagnostics],
            "findings": [], "diagrams": [], "not_judged": []}


def cmd_lint(args) -> int:
    from ..report import every_finding, lint_json, lint_text

    code = exits.OK
    payload, found = [], []   # the JSON document; each file's diagnostics for the CI formats
    for path in args.files:
        result, report, stop = _analysed(path, args)
        if stop is not None:
            code = max(code, stop)
            payload.append(_unanalysed(path, result))
            found.append((path, result.diagnostics))
            continue
        if args.format == "json":
            warnings = [d.model_dump(mode="json") for d in result.diagnostics]
            payload.append({"file": path, "ok": True, "diagnostics": warnings,
                            **lint_json(path, report)})
        elif args.format in CI_FORMATS:
            found.append((path, result.diagnostics + every_finding(report)))
        else:
            print(lint_text(path, report, result.sources, color_wanted(sys.stdout, args.color)))
        if report.failed:
            code = max(code, exits.PROBLEMS)
    if args.format == "json":
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    elif args.format in CI_FORMATS:
        print_ci_format(args.format, found)
    return code


def cmd_analyze(args) -> int:
    from ..analysis.bounds import bounds
    from ..report import bounds_json, bounds_text, incentives_json, incentives_text

    code = exits.OK
    payload, texts = [], []
    for path in args.files:
        result, report, stop = _analysed(path, args)
        if stop is not None:
            code = max(code, stop)
            payload.append({"file": path, "ok": False, "diagnostics": [
                d.model_dump(mode="json") for d in result.diagnostics], "diagrams": []})
            continue
        if not report.analyses:
            texts.append(f"{path}: no diagram to analyse")
        diagrams = []
        for analysis in report.analyses:
            found = bounds(analysis.system)
            diagrams.append({**incentives_json(path, analysis), "bounds": bounds_json(found)})
            texts.append(incentives_text(path, analysis) + bounds_text(found))
        payload.append({"file": path, "ok": True, "diagrams": diagrams})
    if args.format == "json":
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    elif texts:
        print("\n\n".join(texts))
    return code


def cmd_diff(args) -> int:
    from ..diff import diff, to_json, to_text

    analyses = []
    for path, diagram, option in ((args.left, args.diagram, "--diagram"),
                                  (args.right, args.other_diagram or args.diagram,
                                   "--other-diagram" if args.diagram else "--diagram")):
        analysis, stop = _compared(path, diagram, option, args)
        if stop is not None:
            return stop
        analyses.append(analysis)
    result = diff(*analyses)
    if args.format == "json":
        print(json.dumps(to_json(result), indent=2, ensure_ascii=False))
    else:
        print(to_text(result, args.left, args.right))
    return exits.OK if result.same else exits.PROBLEMS


def _compared(path: str, diagram: str | None, option: str, args):
    """The analysis of the one diagram of `path` that diff compares: (analysis, None), or
    (None, exit code) after saying why there is none."""
    from ..analysis import analyse
    from ..api import check_file
    from ..structure import TooLarge, no_such_diagram, top_diagrams

    verdicts = sys.stderr if args.format == "json" else None
    result = check_file(path, root=args.root)
    if not result.ok or result.proposal is None:
        print_results([(path, result)], "text", args.color, verdicts=verdicts)
        return None, max(exit_code([result]), exits.PROBLEMS)
    proposal = result.proposal
    tops = [d.name for d in top_diagrams(proposal)]
    if diagram is not None and diagram not in proposal.diagrams:
        print(f"wiring: {no_such_diagram(proposal, diagram)} ({option})", file=sys.stderr)
        return None, exits.USAGE
    if diagram is None and len(tops) > 1:
        print(f"wiring: {path} has {len(tops)} top diagrams ({', '.join(tops)}): name the one to "
              f"compare with {option}", file=sys.stderr)
        return None, exits.USAGE
    try:
        analysis = analyse(proposal, diagram)
    except TooLarge as exc:
        print_results([(path, _too_large(result, exc))], "text", args.color, verdicts=verdicts)
        return None, exits.PROBLEMS
    if analysis is None:
        print(f"wiring: {path} has no diagram to compare", file=sys.stderr)
        return None, exits.PROBLEMS
    return analysis, None


def steps_argument(text: str) -> int:
    """`--steps K`: the unrolled diagram has a copy of every box per step, so K is bounded."""
    from ..analysis.incentives import MAX_STEPS

    return whole_number(1, MAX_STEPS)(text)


_depth = whole_number(0)   # `--depth N`: nesting levels


def _analysis_options(p, steps_help: str, formats=("text", "json"), format_help=None) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help=FILE_HELP)
    p.add_argument("--format", choices=formats, default="text", help=format_help)
    p.add_argument("--diagram", metavar="NAME", action="append",
                   help="a diagram to analyse; repeat for several (default: every top diagram, "
                   "i.e. every diagram of FILE that no other diagram uses)")
    p.add_argument("--steps", type=steps_argument, default=None, metavar="K", help=steps_help)
    p.add_argument("--depth", type=_depth, default=None, metavar="N",
                   help="expand nested diagrams only N levels deep; below that, each is "
                   "analysed as one box through its interface, and the report names them "
                   "(default: all the way, up to 20,000 boxes)")


def add_analysis_commands(sub) -> None:
    p = add_command(sub, "lint", "run the alignment analyses and the proposal's assertions",
                    "Check each FILE, then run the alignment analyses and the proposal's "
                    "assertions on every top diagram (or each --diagram): findings with their "
                    "witness paths, a summary line per diagram, and notes on what had nothing "
                    "to examine.")
    _analysis_options(p, "time steps to unroll for the incentive findings (default 3; the "
                      "report says when a loop needs more)", ("text", "json", *CI_FORMATS),
                      FORMAT_HELP)
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
    p.add_argument("left", metavar="A.wd", help=FILE_HELP)
    p.add_argument("right", metavar="B.wd", help=FILE_HELP)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--diagram", metavar="NAME", help="the diagram to compare (default: the top one)")
    p.add_argument("--other-diagram", metavar="NAME", help="the diagram of B.wd, if named differently")
    p.set_defaults(run=cmd_diff)
