"""Text and JSON reports of the analyses, for `wiring lint` and `wiring analyze`."""

from __future__ import annotations

from dataclasses import replace

from .analysis import Analysis, AssertionResult, FileAnalysis
from .diagnostics import MAX_SHOWN, Diagnostic, render_text, sort_key
from .witness import shown, texts

INCENTIVE_NAMES = {
    "voi": "value of information",
    "ri": "response incentive",
    "voc": "value of control",
    "ici_control": "instrumental control incentive (control)",
    "ici_info": "instrumental control incentive (information-only)",
    "strategic": "strategic incentive (control incentive on another agent's decision)",
}


def lint_text(path: str, report: FileAnalysis, sources: dict[str, str], color: bool) -> str:
    """What `wiring lint` prints for a file: each analysed diagram's findings, assertions,
    notes and summary line; with several diagrams, the file's own findings and a total line."""
    several = len(report.analyses) > 1
    analyses = [_folded(report)] if len(report.analyses) == 1 else report.analyses
    blocks = [_diagram_text(path, a, sources, color, several) for a in analyses]
    tail = []
    if several and report.findings:
        tail.append(render_text(report.findings, sources, color=color, limit=MAX_SHOWN))
    if report.not_judged:
        tail.append("\n".join(f"note: {note}" for note in report.not_judged))
    if several:
        names = ", ".join(f"`{a.diagram}`" for a in report.analyses)
        totals = _counts(report.findings + [f for a in report.analyses for f in a.findings],
                         _distinct([r for a in report.analyses for r in a.assertions]))
        tail.append(f"{path}: {len(report.analyses)} diagrams analysed ({names}): {totals}")
    if not report.analyses:
        tail.append(f"{path}: no diagram to analyse")
    return "\n\n".join(blocks + tail)


def _folded(report: FileAnalysis) -> Analysis:
    """The one analysed diagram, with the file's findings among its own."""
    (analysis,) = report.analyses
    if not report.findings:
        return analysis
    return replace(analysis, findings=sorted(analysis.findings + report.findings, key=sort_key))


def _diagram_text(path: str, analysis: Analysis, sources: dict[str, str], color: bool,
                  several: bool) -> str:
    within = f" in `{analysis.diagram}`" if several else ""
    blocks = []
    if analysis.findings:
        blocks.append(render_text(analysis.findings, sources, color=color, show_diagram=several,
                                  limit=MAX_SHOWN))
    holding = [f"assert {_claim(r.assertion.text)}: holds{within} ({r.message})"
               for r in analysis.assertions if r.holds]
    if holding:
        blocks.append("\n".join(holding))
    notes = []
    if analysis.steps_needed > analysis.steps:
        notes.append(_short_unrolling(analysis))
    notes += analysis.unexamined
    if analysis.not_applicable:
        notes.append("not applicable (they name boxes this diagram does not have): "
                     + ", ".join(analysis.not_applicable))
    if (boxes := _boxes_note(analysis)) is not None:
        notes.append(boxes)
    if notes:
        blocks.append("\n".join(f"note{within}: {note}" for note in notes))
    blocks.append(f"{path}, diagram `{analysis.diagram}`: "
                  + _counts(analysis.findings, analysis.assertions))
    return "\n\n".join(blocks)


def _boxes_note(analysis: Analysis) -> str | None:
    """The nested diagrams `--depth` left as boxes: their insides were not analysed."""
    flat = analysis.system.flat
    if flat is None or not flat.cut:
        return None
    cut = flat.cut
    named: dict[str, list[str]] = {}
    for path in sorted(cut):
        named.setdefault(flat.leaves[path].instance.of, []).append(path)
    listed = "; ".join(f"`{name}` ({_few(paths)})" for name, paths in sorted(named.items()))
    return (f"below --depth, {len(cut)} nested diagram instance{'s' * (len(cut) != 1)} "
            f"analysed as one box each, through their interface (what is inside was not "
            f"examined): {listed}")


def _few(paths: list[str]) -> str:
    return ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")


def _distinct(results: list[AssertionResult]) -> list[AssertionResult]:
    """One verdict per assertion: a file-level assertion judged in several diagrams holds when
    it holds in each."""
    verdicts: dict[tuple, AssertionResult] = {}
    for result in results:
        key = (result.assertion.text, result.assertion.span)
        if key not in verdicts or not result.holds:
            verdicts[key] = result
    return list(verdicts.values())


def _counts(findings: list[Diagnostic], assertions: list[AssertionResult]) -> str:
    standing = [f for f in findings if f.acknowledged is None]
    errors = sum(f.severity == "error" for f in standing)
    warnings = sum(f.severity == "warning" for f in standing)
    counts = (f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}, "
              f"{len(findings) - len(standing)} acknowledged")
    if assertions:
        holding = sum(a.holds for a in assertions)
        counts += f"; {holding} of {len(assertions)} assertions hold"
    return counts


def _short_unrolling(analysis: Analysis) -> str:
    return (f"a loop from a decision back to its own signal takes {analysis.steps_needed} "
            "steps (one per stateful box, delayed wire or training update on the way); the "
            f"incentives were read over {analysis.steps}: `--steps {analysis.steps_needed}` "
            "shows the incentives the loop carries")


def _claim(text: str) -> str:
    return text.removeprefix("assert ").strip()


def every_finding(report: FileAnalysis) -> list[Diagnostic]:
    """The file's own findings and those of every analysed diagram, in order of place."""
    return sorted(report.findings + [f for a in report.analyses for f in a.findings],
                  key=sort_key)


def lint_json(path: str, report: FileAnalysis) -> dict:
    """`wiring lint --format json` for a file: every finding, each with the diagram it was
    found in (null for the file's own), and per analysed diagram its summary and assertions."""
    return {
        "file": path,
        "failed": report.failed,
        "findings": [f.model_dump(mode="json") for f in every_finding(report)],
        "diagrams": [_diagram_json(a) for a in report.analyses],
        "not_judged": report.not_judged,
    }


def _diagram_json(analysis: Analysis) -> dict:
    standing = [f for f in analysis.findings if f.acknowledged is None]
    return {
        "diagram": analysis.diagram,
        "failed": analysis.failed,
        "errors": sum(f.severity == "error" for f in standing),
        "warnings": sum(f.severity == "warning" for f in standing),
        "acknowledged": len(analysis.findings) - len(standing),
        "steps": analysis.steps,
        "steps_needed": analysis.steps_needed,
        "unexamined": analysis.unexamined,
        "not_applicable": analysis.not_applicable,
        # the nested diagram instances left whole by --depth (analysed through their interface)
        "boxes_below_depth": sorted(analysis.system.flat.cut) if analysis.system.flat else [],
        "assertions": [{"assertion": _claim(a.assertion.text), "holds": a.holds,
                        "message": a.message, "witness": texts(a.witness),
                        "span": a.assertion.span.model_dump() if a.assertion.span else None}
                       for a in analysis.assertions],
    }


def incentives_text(path: str, analysis: Analysis) -> str:
    from .analysis.incentives import STRATEGIC

    lines = [f"{path}: incentive report for `{analysis.system.diagram.name}`, unrolled over "
             f"{analysis.steps} steps"]
    modes = _modes_line(analysis)
    if modes:
        lines.append("  " + modes)
    if analysis.steps_needed > analysis.steps:
        lines.append("  note: " + _short_unrolling(analysis))
    if (boxes := _boxes_note(analysis)) is not None:
        lines.append("  note: " + boxes)
    if not analysis.incentives:
        lines.append("  no decisions: no box of an agent kind is trained")
    several = len(analysis.incentives) > 1
    if several:
        lines.append(f"  {STRATEGIC}")
    for incentives in analysis.incentives:
        where = f" (in {_listed(incentives.modes)})" if incentives.modes else ""
        copies = [b for b in incentives.boxes if b != incentives.decision]
        also = (f", also acting as {_listed(copies)} (shared parameters)" if copies else "")
        lines.append(f"\ndecision `{incentives.decision}`{where}{also}:")
        for key, label in INCENTIVE_NAMES.items():
            if key == "strategic" and not several:
                continue
            table = getattr(incentives, key)
            names = ", ".join(f"`{n}`" for n in sorted(map(str, table))) or "none"
            lines.append(f"  {label}: {names}")
        witnesses = [(name, kind, witness)
                     for key, kind in (("ici_control", "control"), ("ici_info", "information-only"))
                     for name, witness in _by_name(getattr(incentives, key))]
        if witnesses:
            lines.append("  control incentive witnesses (decision -> box -> reward):")
            lines += [f"    {name} ({kind}): " + shown(witness)
                      for name, kind, witness in witnesses]
    return "\n".join(lines)


def _modes_line(analysis: Analysis) -> str:
    """Which modes the unrolled diagram copies, and why the others are left out."""
    from .analysis.unroll import unrolled_modes

    system = analysis.system
    if not system.modes:
        return ""
    unrolled = unrolled_modes(system)
    left = [m for m in system.modes if m not in unrolled]
    line = "one copy per mode in which something is trained: " + (_listed(unrolled) or "none")
    if left:
        line += f" ({_listed(left)}: nothing is trained there, so nothing there reaches a reward)"
    return line


def _listed(names) -> str:
    """Names of modes or boxes as the report writes them: `sft`, `rl`."""
    return ", ".join(f"`{n}`" for n in names)


BOUNDS_HEADER = ("probability that untrusted output reaches the world (a union bound over "
                 "paths; on each path the gates fail independently):")


def bounds_text(found) -> str:
    if not found:
        return ("\n\nprobability that untrusted output reaches the world: nothing to bound "
                "(no untrusted box reaches a sink or environment in deployment)")
    lines = ["", "", BOUNDS_HEADER]
    for bound in found:
        if bound.note:
            lines.append(f"  {bound.hazard} -> {bound.sink}: {bound.note}")
            continue
        lines.append(f"  {bound.hazard} -> {bound.sink}: "
                     f"{_bound_text(bound, bound.independent, bound.value)}"
                     f"   (gates: {', '.join(bound.gates) or 'none'})")
        if bound.correlated != bound.independent or bound.correlated_value != bound.value:
            lines.append("    if gates of one provenance fail together: "
                         + _bound_text(bound, bound.correlated, bound.correlated_value))
    return "\n".join(lines)


def _bound_text(bound, written: str, value: float | None) -> str:
    """`<= expression = value`; a value of more than 1 bounds nothing and says so; an
    expression too long to write is left out (`bounds.MAX_WRITTEN`)."""
    from .analysis.bounds import MAX_STATES

    shown = f"{value:.3g}" if value is not None else None
    paths = f"{bound.paths:,} path{'s' if bound.paths != 1 else ''}"
    # one path: no sum, the product of its gates' pass probabilities
    what = (f"a product over the {len(bound.gates):,} gates of its one path" if bound.paths == 1
            else f"a sum over {paths}")
    if not written:
        if shown is None and bound.valued:
            return (f"not computed: its {paths} pass more than {MAX_STATES:,} sets of "
                    "provenances")
        if shown is None:
            return (f"not computed: {what}, too long to write; with a `miss` value for every "
                    "gate, its value")
        written = f"{what}, not written"
    text = f"<= {written}" + (f" = {shown}" if shown is not None else "")
    if value is not None and value > 1:
        text += f": more than 1, so the union bound over {paths} bounds nothing here"
    return text


def bounds_json(found) -> list[dict]:
    return [{"hazard": b.hazard, "sink": b.sink, "independent": b.independent,
             "correlated": b.correlated, "value": b.value, "correlated_value": b.correlated_value,
             "gates": b.gates, "paths": b.paths, "note": b.note} for b in found]


def incentives_json(path: str, analysis: Analysis) -> dict:
    from .analysis.incentives import STRATEGIC
    from .analysis.unroll import unrolled_modes

    return {
        "file": path,
        "diagram": analysis.system.diagram.name,
        "steps": analysis.steps,
        "steps_needed": analysis.steps_needed,
        "unrolled_modes": [m for m in unrolled_modes(analysis.system) if m is not None],
        "other_agents": STRATEGIC,
        "decisions": [
            {"decision": i.decision, "modes": i.modes, "boxes": i.boxes,
             **{key: {name: texts(witness) for name, witness in _by_name(getattr(i, key))}
                for key in INCENTIVE_NAMES}}
            for i in analysis.incentives],
    }


def _by_name(table: dict) -> list[tuple[str, tuple]]:
    """An incentive table's entries by the name of what they are on (`rm`, `Θ:rm`)."""
    return sorted((str(subject), witness) for subject, witness in table.items())
