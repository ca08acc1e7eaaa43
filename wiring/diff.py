"""`wiring diff`: what changed between two proposals, in the terms researchers argue in:
boxes, wires, optimisation wires, trust, and the findings of the analyses."""

from __future__ import annotations

from dataclasses import dataclass, field

from .analysis import Analysis
from .analysis.graph import Box, System
from .types import show_expr


@dataclass
class Change:
    section: str        # boxes, wires, optimisation, findings
    op: str             # "+", "-", "~"
    text: str
    summary: str = ""   # a phrase for the one-line summary


@dataclass
class Diff:
    changes: list[Change] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not self.changes

    def summary(self) -> str:
        phrases = [c.summary for c in self.changes if c.summary]
        return "; ".join(phrases) if phrases else ("no difference" if self.same else "")


def _describe(box: Box) -> str:
    a = box.attributes
    flags = [a.trust, "learned" if a.learned else "frozen"]
    if a.stateful:
        flags.append("stateful")
    if a.heldout:
        flags.append("held out")
    if a.provenance:
        flags.append(f"provenance {a.provenance}")
    return f"`{box.path}`: {box.component} «{a.kind}» " + ", ".join(flags)


def _edges(system: System) -> dict[tuple, str]:
    found = {}
    for e in system.edges:
        modes = f" when {', '.join(sorted(e.modes))}" if e.modes is not None else ""
        source = e.source if system.boxes[e.source].outer else f"{e.source}.{e.source_port}"
        target = e.target if system.boxes[e.target].outer else f"{e.target}.{e.target_port}"
        text = f"{source} -> {target}{' (delayed)' if e.delayed else ''}{modes}"
        found[(e.source, e.source_port, e.target, e.target_port, e.delayed, e.modes)] = text
    return found


def _trainings(system: System) -> dict[tuple, str]:
    found = {}
    for p in system.pressures:
        t = p.training
        argument = f"({show_expr(t.argument)})" if t.argument is not None else ""
        modes = f" when {', '.join(sorted(p.modes))}" if p.modes is not None else ""
        text = (f"train {p.target} by {t.optimiser}{argument} {t.objective}s "
                f"{show_expr(t.signal)}{modes}")
        found[(p.target, t.optimiser, text)] = text
    return found


def _findings(analysis: Analysis) -> dict[tuple, str]:
    return {(f.code, f.message): f"{f.code} {f.message}" +
            (" (acknowledged)" if f.acknowledged is not None else "")
            for shown in analysis.findings for f in (shown, *shown.also)}   # notes of a loop too


def diff(before: Analysis, after: Analysis) -> Diff:
    result = Diff()
    a, b = before.system, after.system
    for path in a.ordered(set(a.boxes) - set(b.boxes)):
        box = a.boxes[path]
        result.changes.append(Change("boxes", "-", _describe(box),
                                     f"removes {box.attributes.trust} {box.attributes.kind} `{path}`"))
    for path in b.ordered(set(b.boxes) - set(a.boxes)):
        box = b.boxes[path]
        reads = sorted({f"{e.source}.{e.source_port}" for e in b.edges if e.target == path
                        and e.source in a.boxes})
        where = f" on {', '.join(reads)}" if reads and box.is_a("evaluator", "gate") else ""
        result.changes.append(Change("boxes", "+", _describe(box),
                                     f"adds a {box.attributes.trust} {box.attributes.kind} "
                                     f"`{path}`{where}"))
    for path in b.ordered(set(a.boxes) & set(b.boxes)):
        old, new = a.boxes[path].attributes, b.boxes[path].attributes
        for name in ("kind", "trust", "learned", "stateful", "heldout", "provenance"):
            x, y = getattr(old, name), getattr(new, name)
            if x != y:
                result.changes.append(Change("boxes", "~", f"`{path}`: {name} {x} -> {y}",
                                             f"makes `{path}` {y if name in ('kind', 'trust') else f'{name}={y}'}"))
        if a.boxes[path].component != b.boxes[path].component:
            result.changes.append(Change("boxes", "~", f"`{path}`: {a.boxes[path].component} -> "
                                         f"{b.boxes[path].component}"))
    for section, (old, new) in (("wires", (_edges(a), _edges(b))),
                                ("optimisation", (_trainings(a), _trainings(b)))):
        for key in old.keys() - new.keys():
            phrase = f"removes `{old[key]}`" if section == "optimisation" else ""
            result.changes.append(Change(section, "-", old[key], phrase))
        for key in new.keys() - old.keys():
            phrase = f"adds `{new[key]}`" if section == "optimisation" else ""
            result.changes.append(Change(section, "+", new[key], phrase))
    old, new = _findings(before), _findings(after)
    for key in sorted(old.keys() - new.keys()):
        result.changes.append(Change("findings", "-", old[key], f"removes finding {key[0]} ({key[1]})"))
    for key in sorted(new.keys() - old.keys()):
        result.changes.append(Change("findings", "+", new[key], f"adds finding {key[0]} ({key[1]})"))
    order = {"boxes": 0, "wires": 1, "optimisation": 2, "findings": 3}
    result.changes.sort(key=lambda c: (order[c.section], {"-": 0, "+": 1, "~": 2}[c.op], c.text))
    return result


def to_text(d: Diff, left: str, right: str) -> str:
    if d.same:
        return f"{left} and {right}: no difference in boxes, wires, optimisation or findings"
    lines = [f"--- {left}", f"+++ {right}"]
    section = None
    for change in d.changes:
        if change.section != section:
            section = change.section
            lines.append(f"{section}:")
        lines.append(f"  {change.op} {change.text}")
    lines.append("")
    lines.append("in short: " + d.summary())
    return "\n".join(lines)


def to_json(d: Diff) -> dict:
    return {"same": d.same, "summary": d.summary(),
            "changes": [{"section": c.section, "op": c.op, "text": c.text} for c in d.changes]}
