"""Text and JSON reports of the analyses, for `wiring lint` and `wiring analyze`."""

from __future__ import annotations

from .analysis import Analysis
from .diagnostics import render_text
from .witness import shown, texts

INCENTIVE_NAMES = {
    "voi": "value of information",
    "ri": "response incentive",
    "voc": "value of control",
    "ici_control": "instrumental control incentive (control)",
    "ici_info": "instrumental control incentive (information-only)",
    "strategic": "strategic incentive (control incentive on another agent's decision)",
}


def lint_text(path: str, analysis: Analysis, sources: dict[str, str], color: bool) -> str:
    findings = analysis.findings
    blocks = []
    if findings:
        blocks.append(render_text(findings, sources, color=color))
    holding = [f"assert {_claim(r.assertion.text)}: holds ({r.message})"
               for r in analysis.assertions if r.holds]
    if holding:
        blocks.append("\n".join(holding))
    if analysis.steps_needed > analysis.steps:
        blocks.append(_short_unrolling(analysis))
    if analysis.unexamined:
        blocks.append("\n".join(f"note: {note}" for note in analysis.unexamined))
    standing = [f for f in findings if f.acknowledged is None]
    acknowledged = len(findings) - len(standing)
    errors = sum(f.severity == "error" for f in standing)
    warnings = sum(f.severity == "warning" for f in standing)
    failed = sum(not a.holds for a in analysis.assertions)
    summary = (f"{path}: {errors} error{'s' * (errors != 1)}, {warnings} warning"
               f"{'s' * (warnings != 1)}, {acknowledged} acknowledged")
    if analysis.assertions:
        summary += f"; {len(analysis.assertions) - failed} of {len(analysis.assertions)} assertions hold"
    blocks.append(summary)
    return "\n\n".join(blocks)


def _short_unrolling(analysis: Analysis) -> str:
    return (f"note: a loop from a decision back to its own signal takes "
            f"{analysis.steps_needed} steps through stateful boxes and delayed wires; the "
            f"incentives were read over {analysis.steps}: `--steps {analysis.steps_needed}` "
            f"shows the incentives the loop carries")


def _claim(text: str) -> str:
    return text.removeprefix("assert ").strip()


def lint_json(path: str, analysis: Analysis) -> dict:
    return {
        "file": path,
        "diagram": analysis.system.diagram.name,
        "failed": analysis.failed,
        "steps": analysis.steps,
        "steps_needed": analysis.steps_needed,
        "unexamined": analysis.unexamined,
        "findings": [f.model_dump(mode="json") for f in analysis.findings],
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
        lines.append("  " + _short_unrolling(analysis))
    if not analysis.incentives:
        lines.append("  no decisions: no box of an agent kind is trained")
    several = len(analysis.incentives) > 1
    if several:
        lines.append(f"  {STRATEGIC}")
    for incentives in analysis.incentives:
        where = f" (in {', '.join(incentives.modes)})" if incentives.modes else ""
        lines.append(f"\ndecision `{incentives.decision}`{where}:")
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
    line = "one copy per mode in which something is trained: " + \
        (", ".join(f"`{m}`" for m in unrolled) or "none")
    if left:
        line += (f" ({', '.join(f'`{m}`' for m in left)}: nothing is trained there, so nothing "
                 "there reaches a reward)")
    return line


def bounds_text(found) -> str:
    if not found:
        return ""
    lines = ["", "", "probability that untrusted output reaches the world (union bound over paths):"]
    for bound in found:
        if bound.note:
            lines.append(f"  {bound.hazard} -> {bound.sink}: {bound.note}")
            continue
        value = f" = {bound.value:.3g}" if bound.value is not None else ""
        lines.append(f"  {bound.hazard} -> {bound.sink}: <= {bound.independent}{value}"
                     f"   (gates: {', '.join(bound.gates) or 'none'})")
        if bound.correlated != bound.independent:
            value = f" = {bound.correlated_value:.3g}" if bound.correlated_value is not None else ""
            lines.append(f"    if gates of one provenance fail together: <= {bound.correlated}{value}")
    return "\n".join(lines)


def bounds_json(found) -> list[dict]:
    return [{"hazard": b.hazard, "sink": b.sink, "independent": b.independent,
             "correlated": b.correlated, "value": b.value, "correlated_value": b.correlated_value,
             "gates": b.gates, "note": b.note} for b in found]


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
            {"decision": i.decision, "modes": i.modes,
             **{key: {name: texts(witness) for name, witness in _by_name(getattr(i, key))}
                for key in INCENTIVE_NAMES}}
            for i in analysis.incentives],
    }


def _by_name(table: dict) -> list[tuple[str, tuple]]:
    """An incentive table's entries by the name of what they are on (`rm`, `Θ:rm`)."""
    return sorted((str(subject), witness) for subject, witness in table.items())
