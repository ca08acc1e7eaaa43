"""The structural analyses (docs/analyses.md; criteria A2, A4-A11, A16, A17 of the project's
analysis brief) as findings with witnesses.

Each analysis is a function of the System graph: kinds and their ancestors, trust, learned,
held-out, provenance, modes and optimisation wires. None of them looks at a name.
"""

from __future__ import annotations

from typing import Callable, Iterable

from .. import witness as w
from ..diagnostics import Diagnostic, report
from ..model import CHOOSING, GATE_TRUST, TRUSTED
from .gates import untrusted_output
from .graph import HAZARD_KINDS, Box, Pressure, System, per_system
from .search import breadth_first

AGENT_KINDS = ("agent",)
PROXY_KINDS = ("evaluator", "model")                   # learned proxies of judgement or the world
DETECTOR_KINDS = ("monitor", "overseer", "auditor", "filter")
JUDGING_KINDS = ("human", "evaluator")
WATCHER_KINDS = ("monitor", "critic", "overseer", "auditor", "judge")
SANITIZER_KINDS = ("sanitizer",)

Analysis = Callable[[System], Iterable[Diagnostic]]


# S0401 and S0402 each name two mechanisms. The codes' entries give the reason and help of the
# first; the second's differ.
_PERSUADED_WHY = ("a judge who reads an optimised model's output and decides its reward is a "
                  "target for persuasion and manipulation: the model has an incentive to control "
                  "the judgement (Everitt et al. 2021, Agent Incentives)")
_PERSUADED_HELP = ("make the judge robust (debate's assumption), or keep the judged output from "
                   "being optimised against the same judge")
_OWN_LABEL_WHY = ("when the model being trained also answers the sub-questions that define its "
                  "target, it can steer its own label (Christiano et al. 2018, IDA: the target "
                  "must come from the previous iterate)")
_OWN_LABEL_HELP = "compute the target with a frozen snapshot: `prev = frozen model`"


def _computed_sources(system: System, pressure: Pressure, outcomes: bool) -> list[str]:
    """The boxes a signal reads. Without `outcomes`, real-world outcomes (environment boxes)
    are left out: an evaluator upstream of the world is an obstacle the optimiser meets, not
    the proxy its signal is computed by."""
    return system.ordered(s for s in pressure.sources if s != pressure.target and
                  (outcomes or not (system.boxes.get(s) and system.boxes[s].is_a("environment")
                                    and system.boxes[s].outer != "in")))


def _path_to_signal(system: System, start: str, pressure: Pressure, avoiding=frozenset(),
                    train: bool = False, outcomes: bool = False,
                    start_modes=None) -> list[str] | None:
    """A path from `start` to a box the pressure's signal reads: data within one of the
    pressure's modes, or with `train` also through other optimisation wires."""
    best = None
    modes = system.pressure_modes(pressure)
    for source in _computed_sources(system, pressure, outcomes):
        if train:
            path = system.train_reaches(start, source, set(avoiding), modes, start_modes)
        else:
            path = system.reaches(start, source, set(avoiding), modes)
        if path is not None and (best is None or len(path) < len(best)):
            best = path
    return best


def _through(system: System, start: str, via: str, pressure: Pressure,
             avoiding=frozenset()) -> list[str] | None:
    """A data path start -> via -> (a box the signal reads), inside one of the pressure's modes."""
    best = None
    avoiding = frozenset(avoiding)
    sources = _computed_sources(system, pressure, False)
    for mode in system.pressure_modes(pressure):
        # Membership first: tracing a path costs its length, and most boxes asked about (every
        # proxy of a long chain) are on no path to a source in this mode. Every search keeps
        # to the levels between its ends: a thousand agents in a chain, each with proxies on
        # its way to its signal, searched the whole chain each.
        ends = [s for s in sources if via in system.between(start, s, mode, avoiding)]
        if not ends:
            continue
        first = system.reaches(start, via, avoiding, [mode], bounded=True)
        if first is None:
            continue
        for source in ends:
            second = system.reaches(via, source, avoiding, [mode], backward=True, bounded=True)
            if second is not None:
                path = first + second[1:]
                if best is None or len(path) < len(best):
                    best = path
    return best


def _passed(system: System, start: str, pressure: Pressure, boxes: frozenset,
            avoiding: frozenset) -> list[str]:
    """Of `boxes`, those `_through` finds a path through (start -> box -> a box the signal
    reads, in one of the pressure's modes, avoiding `avoiding`), in declaration order: read
    off the searches `_through` caches, from the start and back from each source. Asking it
    of every box made a thousand agents, each trained on its own reward model, quadratic;
    searching all that lies after the start and before each source made a thousand agents
    in a chain quadratic (`System.between` keeps to the levels between them)."""
    if not boxes:     # nothing to ask about: no search
        return []
    found: set[str] = set()
    sources = _computed_sources(system, pressure, False)
    for mode in system.pressure_modes(pressure):
        for source in sources:
            found.update(boxes.intersection(system.between(start, source, mode, avoiding)))
    return system.ordered(found)


def _signal_label(pressure: Pressure) -> w.Signal:
    from ..types import show_expr

    verb = "maximise" if pressure.training.objective == "maximise" else "minimise"
    return w.Signal(pressure.index, pressure.training.optimiser, verb,
                    show_expr(pressure.training.signal))


def _is_proxy(box: Box) -> bool:
    return box.learned and box.is_a(*PROXY_KINDS) and not box.is_a("agent")


def _outcome(box: Box) -> bool:
    """A node that stands for real human judgement or real-world outcome."""
    return box.is_a("human", "environment") and box.outer != "out"


# ------------------------------------------------------------------------------------ A2

def goodhart(system: System) -> Iterable[Diagnostic]:
    proxies = frozenset(b.path for b in system.boxes.values() if _is_proxy(b))
    outcomes = frozenset(b.path for b in system.boxes.values() if _outcome(b))
    world = system.environments
    for pressure in system.pressures:
        target = system.boxes[pressure.target]
        if pressure.family == "supervised" or not target.is_a(*AGENT_KINDS):
            continue
        honest = None
        for proxy in _passed(system, target.path, pressure, proxies - {target.path}, world):
            path = _through(system, target.path, proxy, pressure, world)
            if path is None:
                continue
            if honest is None:
                honest = _passed(system, target.path, pressure, outcomes, proxies)
            notes = [f"pressure: {pressure.strength()}"]
            if not honest:
                notes.append("only-proxy: no human judgement or real outcome reaches the signal "
                             "except through learned proxies")
            box = system.boxes[proxy]
            yield report("S0101", target.span,
                         f"optimisation pressure on `{target.path}` lands on the learned proxy "
                         f"`{proxy}` ({box.attributes.kind})",
                         witness=system.steps(path + [_signal_label(pressure)]),
                         related=[(box.span, f"`{proxy}` is the proxy"), (pressure.span, "the optimisation wire")],
                         notes=notes)


# ------------------------------------------------------------------------------------ A4

def heldout_contamination(system: System) -> Iterable[Diagnostic]:
    for held in sorted((b for b in system.boxes.values() if b.heldout), key=lambda b: system.rank(b.path)):
        for pressure in system.pressures:
            # Fitting a proxy to the held-out box's fixed labels is the design (Gao et al.);
            # choosing or training something the held-out box then evaluates is the leak.
            if system.reaches(pressure.target, held.path) is None:
                continue
            path = _path_to_signal(system, held.path, pressure)
            if path is None:
                continue
            selection = pressure.family in CHOOSING
            target = system.boxes[pressure.target]
            kind = "a selection" if selection else "an optimisation"
            yield report(
                "S0102", held.span,
                f"held-out `{held.path}` feeds {kind} of `{target.path}` "
                f"({pressure.strength()})",
                witness=system.steps(path + [_signal_label(pressure)]),
                related=[(pressure.span, "the optimisation wire")])
        yield from _shared_source(system, held)


def _shared_source(system: System, held: Box) -> Iterable[Diagnostic]:
    """S0103: the held-out box and a proxy its signal reads share a dataset or rater pool
    upstream, or their provenance. The witness is a path from the shared ancestor to each;
    with provenance alone, the two boxes, since no path joins them."""
    # Ancestors by data paths within one mode, so that the witness paths exist.
    upstream = system.reachable(held.path, reverse=True) - {held.path}
    pools = [a for a in system.ordered(upstream) if system.boxes[a].is_a("dataset", "human")]
    for pressure in system.pressures:
        for source in system.ordered(pressure.sources):
            proxy = system.boxes.get(source)
            if proxy is None or not _is_proxy(proxy) or proxy.path == held.path:
                continue
            common = [a for a in pools if a != proxy.path and
                      a in system.reachable(proxy.path, reverse=True)]
            shared = proxy.provenance == held.provenance
            if not common and not shared:
                continue
            if common:
                witness = [*system.reaches(common[0], held.path), w.AND,
                           *system.reaches(common[0], proxy.path)]
            else:
                witness = [held.path, w.AND, proxy.path]
            yield report(
                "S0103", held.span,
                f"held-out `{held.path}` and the proxy `{proxy.path}` share "
                + (f"the ancestor `{common[0]}`" if common else
                   f"provenance `{held.provenance}`"),
                witness=system.steps(witness),
                related=[(proxy.span, "the proxy")])


# ------------------------------------------------------------------------------ A6, A7

def _same_family(a: Box, b: Box) -> bool:
    snapshot = a.instance.snapshot_of or b.instance.snapshot_of
    return (a.provenance == b.provenance or a.component == b.component or
            (snapshot is not None and snapshot in (a.instance.name, b.instance.name)))


def monitor_collusion(system: System) -> Iterable[Diagnostic]:
    sanitizers = frozenset(b.path for b in system.boxes.values()
                           if b.is_a(*SANITIZER_KINDS) and b.trust in TRUSTED)
    honeypots = [b for b in system.boxes.values() if b.is_a("honeypot") and b.trust in GATE_TRUST]
    hazards = {p.path: p for p in system.hazards}
    # What `_same_family` can match among the hazards: a monitor that matches none of it
    # watches no hazard of its family, and is not searched from (a fan-out of 10,000
    # untrusted judges of no hazard's family would be 10,000 searches that find nothing).
    provenances = {h.provenance for h in hazards.values()}
    components = {h.component for h in hazards.values()}
    snapshots = any(h.instance.snapshot_of is not None for h in hazards.values())
    for monitor in sorted(system.of_kind(*WATCHER_KINDS), key=lambda b: system.rank(b.path)):
        if monitor.trust != "untrusted":
            continue
        yield from _watches_itself(system, monitor)
        if not (snapshots or monitor.instance.snapshot_of is not None or
                monitor.provenance in provenances or monitor.component in components):
            continue
        if any(h.path in system.reachable(monitor.path, reverse=True) for h in honeypots):
            continue  # validated on known-bad inputs
        # The same-family models nearest upstream of the monitor over unsanitised channels
        # (a search back from it that stops once it has a few): one finding per monitor.
        watched, more = system.nearest(
            monitor.path, lambda p: p in hazards and _same_family(hazards[p], monitor)
            and hazards[p].weights != monitor.weights, 6, sanitizers, reverse=True)
        if not watched:
            continue
        (nearest, path), others = watched[0], [p for p, _ in watched[1:]]
        policy = system.boxes[nearest]
        yield report(
            "S0301", monitor.span,
            f"`{monitor.path}` watches `{policy.path}`, which shares its provenance "
            f"`{policy.provenance}`, over an unsanitised channel, with no honeypot validation",
            witness=system.steps(path),
            related=[(policy.span, f"`{policy.path}` is watched")],
            notes=[_listing("it also watches", others, more=more)] if others else [])


def _watches_itself(system: System, monitor: Box) -> Iterable[Diagnostic]:
    """S0304: the monitor reads the output of a box with its own parameters. Nothing between
    them helps (it needs no channel to collude with itself): the search passes everything."""
    if len(system.sharing(monitor.path)) < 2:
        return
    watched, more = system.nearest(
        monitor.path, lambda p: p != monitor.path and system.boxes[p].weights == monitor.weights,
        6, frozenset(), reverse=True)
    if not watched:
        return
    (nearest, path), others = watched[0], [p for p, _ in watched[1:]]
    model = system.boxes[monitor.weights]
    if nearest == model.path:
        shared, related = "shares its parameters", [(model.span, f"`{nearest}` is watched")]
    else:
        shared = f"both use the parameters of `{model.path}`"
        related = [(system.boxes[nearest].span, f"`{nearest}` is watched"),
                   (model.span, f"`{model.path}`: the parameters both use")]
    yield report(
        "S0304", monitor.span,
        f"`{monitor.path}` watches `{nearest}` and {shared}: it can collude with what it "
        "watches without any signal", witness=system.steps(path), related=related,
        notes=[_listing("it also watches its own copies", others, more=more)] if others else [])


def _listing(what: str, paths: list[str], limit: int = 5, more: bool = False) -> str:
    """`what a, b, c and 2 more`; with `more`, the list was cut short by the search itself."""
    text = f"{what} " + ", ".join(f"`{p}`" for p in paths[:limit])
    if len(paths) > limit:
        text += f" and {len(paths) - limit} more"
    return text + (", and others further away" if more else "")


def training_against_monitor(system: System) -> Iterable[Diagnostic]:
    world = system.environments
    for pressure in system.pressures:
        target = system.boxes[pressure.target]
        if not target.is_a(*AGENT_KINDS):
            continue
        found = []
        for monitor in sorted(system.of_kind(*DETECTOR_KINDS), key=lambda b: system.rank(b.path)):
            if monitor.path == target.path or monitor.is_a("human"):
                continue
            path = _through(system, target.path, monitor.path, pressure, world)
            if path is not None:
                found.append((monitor, path))
        if not found:
            continue
        monitor, path = min(found, key=lambda f: len(f[1]))
        others = [m.path for m, _ in found if m is not monitor]
        yield report(
            "S0302", monitor.span,
            f"`{target.path}` is trained on the verdict of `{monitor.path}`, which monitors it",
            witness=system.steps(path + [_signal_label(pressure)]),
            related=[(pressure.span, "the optimisation wire")],
            notes=[f"also on the path: {', '.join(others)}"] if others else [])


# ------------------------------------------------------------------------------------ A9

def judge_taint(system: System) -> Iterable[Diagnostic]:
    stops = frozenset(b.path for b in system.boxes.values()
                      if b.is_a("sanitizer", "verifier") and b.trust in TRUSTED)
    world = system.environments
    # Trusted sanitizers and verifiers stop the taint; they are not judges it reaches.
    judges = [j for j in _trusted_judges(system) if j.path not in stops | world]
    read_by, forward = _read_by(system, judges, stops | world)
    reached_by: dict[str, list[Box]] = {}
    gates_fed = _GatesFed(system)
    for judge in judges:
        for source in set().union(*read_by[judge.path].values()):
            if source != judge.path:
                reached_by.setdefault(source, []).append(judge)
    for source in system.hazards:
        for judge in reached_by.get(source.path, []):
            # The path into the judge is traced only for a finding: pairs are many (every
            # judge a hazard's output reaches), findings few. It is read off the searches
            # `_read_by` made, from the judges or from the sources.
            def into(source=source, judge=judge) -> list[str] | None:
                return system.reaches(source.path, judge.path, stops | world,
                                      backward=not forward)

            gated = gates_fed(source, judge)
            if gated is not None and into() is not None:
                yield report(
                    "S0401", judge.span,
                    f"`{judge.path}` reads the output of `{source.path}` and decides a gate on it",
                    witness=system.steps(into() + gated[1:]))
            for pressure in system.pressures_on(source.path):
                # The judge is tainted in the modes where the output reaches it; its judgement
                # carries to other modes only through what it trains.
                tainted_in = [m for m, found in read_by[judge.path].items() if source.path in found]
                out = _path_to_signal(system, judge.path, pressure, world | {source.path},
                                      train=True, start_modes=tainted_in)
                if out is None or into() is None:
                    continue
                yield report(
                    "S0401", judge.span,
                    f"`{source.path}` is trained on the judgement of `{judge.path}`, who reads "
                    f"its output",
                    help=_PERSUADED_HELP, why=_PERSUADED_WHY,
                    witness=system.steps(into() + out[1:] + [_signal_label(pressure)]),
                    related=[(pressure.span, "the optimisation wire")])
                break


def _read_by(system: System, judges: list[Box], avoiding: frozenset) -> tuple[dict, bool]:
    """judge -> mode -> the hazards `judge_taint` asks about whose output reaches the judge in
    that mode, and whether the searches went forward from the hazards. A pair is reported
    when a gate the judge feeds is on the hazard's way to a sink, or when the hazard is
    trained: without gates, only trained hazards are asked about. The searches start from the
    side with fewer boxes: back from each judge, or (without gates, when they are fewer)
    forward from each trained hazard. On a tree of judges each judge reads its whole subtree
    (n log n from the judges); a thousand separately trained agents and a few judges are the
    other way round."""
    hazards = {h.path for h in system.hazards}
    trained = hazards & system.trained
    # each judge's modes only, in declaration order: nothing reaches it in another
    if (system.gates and system.sinks) or len(judges) <= len(trained):
        return {j.path: {m: hazards.intersection(system.search(j.path, m, avoiding, reverse=True))
                         for m in system.modes_with(j.path)} for j in judges}, False
    read: dict = {j.path: {m: set() for m in system.modes_with(j.path)} for j in judges}
    for hazard in system.ordered(trained):
        for mode in system.modes_with(hazard):
            for box in system.search(hazard, mode, avoiding):
                if box in read:
                    read[box][mode].add(hazard)
    return read, True


@per_system
def _trusted_judges(system: System) -> list[Box]:
    return [b for b in system.of_kind(*JUDGING_KINDS) if b.trust in ("human", "trusted")]


class _GatesFed:
    """For a (source, judge) pair, a path from the judge to a gate on the source's way to a
    sink: the first sink (in order), then its first gate, that the source reaches, that reaches
    the sink, and that the judge reaches (not the judge itself). Judges are few and sources
    many: each judge's candidate gates are listed once, in that order, and each source's
    reachable set is computed once, so a pair costs a scan of the judge's short list."""

    def __init__(self, system: System):
        self.system = system
        self.world = system.environments
        self.deployed = system.deploy_modes
        self._after: dict[str, set[str]] = {}
        self._candidates: dict[str, list[str]] = {}

    def _reachable(self, path: str, reverse: bool = False) -> set[str]:
        return self.system.reachable(path, self.world, self.deployed, reverse=reverse)

    def _gates_of(self, judge: str) -> list[str]:
        if judge not in self._candidates:
            # Without gates there is nothing to list: no search from the judge.
            from_judge = self._reachable(judge) if self.system.gates else set()
            self._candidates[judge] = [
                gate.path for sink in self.system.sinks
                for before_sink in [self._reachable(sink.path, reverse=True)]
                for gate in self.system.gates
                if gate.path != judge and gate.path in before_sink and gate.path in from_judge]
        return self._candidates[judge]

    def __call__(self, source: Box, judge: Box) -> list[str] | None:
        candidates = self._gates_of(judge.path)
        if not candidates:
            return None
        if source.path not in self._after:
            self._after[source.path] = self._reachable(source.path)
        after_source = self._after[source.path]
        gate = next((g for g in candidates if g in after_source), None)
        if gate is None:
            return None
        return self.system.reaches(judge.path, gate, self.world, modes=self.deployed)


# ---------------------------------------------------------------------------- A10, A16

def self_reference(system: System) -> Iterable[Diagnostic]:
    # Listed once: a proposal may train a thousand agents and no evaluator.
    evaluators = [p for p in system.pressures if not system.boxes[p.target].is_a(*AGENT_KINDS)]
    for pressure in system.pressures:
        target = system.boxes[pressure.target]
        if not target.is_a(*AGENT_KINDS):
            continue
        # The target shapes the training data of a learned evaluator that sets its objective.
        for other in evaluators:
            evaluator = system.boxes[other.target]
            if evaluator.weights == target.weights:
                continue
            into = _path_to_signal(system, target.path, other)
            out = _path_to_signal(system, evaluator.path, pressure)
            if into is None or out is None:
                continue
            yield report("S0402", target.span,
                         f"`{target.path}` shapes the training of `{evaluator.path}`, which sets "
                         f"`{target.path}`'s own objective",
                         witness=system.steps([*into, _signal_label(other), evaluator.path, *out[1:],
                         _signal_label(pressure)]),
                         related=[(other.span, "the evaluator's training"), (pressure.span, "the model's training")])
            break
        if pressure.family == "supervised":
            path = _own_label(system, target, pressure)
            if path is not None:
                yield report(
                    "S0402", target.span,
                    f"the imitation target of `{target.path}` is computed from its own live output",
                    help=_OWN_LABEL_HELP, why=_OWN_LABEL_WHY,
                    witness=system.steps([*path, _signal_label(pressure)]),
                    related=[(pressure.span, "the optimisation wire")])


def _own_label(system: System, target: Box, pressure: Pressure) -> list[str] | None:
    """A path by which a box trained by imitation computes part of its own target. A loss
    (an evaluator that is not a person) reads the prediction by design: only its other inputs,
    the labels, must not depend on the trained box. Any other box the signal reads is a label."""
    modes = system.pressure_modes(pressure)
    live = system.sharing(target.path)   # the box and its shared copies: one live model
    for source in system.ordered(pressure.sources - {target.path}):
        box = system.boxes.get(source)
        is_loss = box is not None and box.is_a("evaluator") and not box.is_a("human")
        labels = [source] if not is_loss else system.ordered(
            {e.source for e in system.edges if e.target == source and e.source != target.path})
        path = next((p + ([source] if is_loss else []) for label in labels for start in live
                     if (p := system.reaches(start, label, modes=modes))), None)
        if path is not None:
            return path
    return None


def world_closing(system: System) -> Iterable[Diagnostic]:
    """A16: a policy changes the state of a person or the world whose judgements train it."""
    # Preferences that change: a stateful person (A16: the content recommender's user).
    shaped = sorted((b for b in system.boxes.values() if b.is_a("human")
                     and b.stateful), key=lambda b: system.rank(b.path))
    for pressure in system.pressures:
        target = system.boxes[pressure.target]
        if not target.is_a(*AGENT_KINDS):
            continue
        for box in shaped:
            into = system.reaches(target.path, box.path)
            out = (_path_to_signal(system, box.path, pressure, {target.path}, train=True,
                                   outcomes=True) if into else None)
            if out is None:
                continue
            yield report(
                "S0403", target.span,
                f"world-closing training loop: `{target.path}` changes `{box.path}`, whose "
                f"state feeds `{target.path}`'s training",
                witness=system.steps(into + out[1:] + [_signal_label(pressure)]),
                related=[(pressure.span, "the optimisation wire")])
            break


# ----------------------------------------------------------------------------------- A11

def _upstream(system: System, pressure: Pressure) -> set[str]:
    """Every box whose output can influence the pressure's signal (data and parameters)."""
    graph = system.train_graph
    starts = [(source, mode) for mode in system.pressure_modes(pressure)
              for source in system.ordered(pressure.sources) if (source, mode) in graph.succ]
    return {node[0] for node in breadth_first(graph.pred, starts)}


def sim_to_real(system: System) -> Iterable[Diagnostic]:
    sinks = system.sinks
    gates = {b.path for b in system.gates}
    # Runtime monitors that compare a model's predictions with the real world.
    monitors = [m for m in system.of_kind("monitor") if m.trust in GATE_TRUST and
                any(system.boxes[a].is_a("model") for a in system.ancestors(m.path)) and
                any(system.boxes[a].is_a("environment") for a in system.ancestors(m.path))]
    if not any(b.is_a("model") for b in system.boxes.values()):
        return  # nothing is simulated: no search upstream of each signal can find a model
    for pressure in system.pressures:
        target = system.boxes[pressure.target]
        if not target.is_a(*AGENT_KINDS):
            continue
        upstream = _upstream(system, pressure) - {target.path}
        simulated = system.ordered(p for p in upstream if system.boxes.get(p) and system.boxes[p].is_a("model"))
        real = [p for p in upstream if system.boxes.get(p) and system.boxes[p].is_a("environment")
                and system.boxes[p].outer != "in"]
        if not simulated or real:
            continue
        for sink in sinks:
            reached = system.reaches(target.path, sink.path, modes=system.deploy_modes)
            if reached is None:
                continue
            ungated = system.reaches(target.path, sink.path, gates, modes=system.deploy_modes)
            if monitors and ungated is None:
                continue
            missing = []
            if not monitors:
                missing.append("no runtime monitor compares the model's predictions with real "
                               "observations")
            if ungated is not None:
                missing.append("no trusted gate with a fallback stands between it and the world")
            yield report(
                "S0601", target.span,
                f"`{target.path}` is optimised only in a model ({', '.join(simulated[:3])}) "
                f"and deployed to `{sink.path}` unguarded",
                witness=system.steps(ungated or reached),
                notes=missing)


# ----------------------------------------------------------------------------------- A17

def trust_consistency(system: System) -> Iterable[Diagnostic]:
    for pressure in system.pressures:
        target = system.boxes[pressure.target]
        if target.trust not in TRUSTED:
            continue
        upstream = _upstream(system, pressure) - {target.path}
        untrusted = system.ordered(p for p in upstream if system.boxes.get(p) and
                           system.boxes[p].trust == "untrusted" and
                           system.boxes[p].is_a(*HAZARD_KINDS))
        if not untrusted:
            continue
        # The signal may read the trained box itself (a classifier's own verdict): then the
        # path ends there.
        path = _path_to_signal(system, untrusted[0], pressure, train=True) or min(
            (p for s in system.ordered(pressure.sources) if (p := system.train_reaches(
                untrusted[0], s, b_modes=system.pressure_modes(pressure))) is not None),
            key=len)
        yield report(
            "S0303", target.span,
            f"`{target.path}` is {target.trust} but trained on a signal that untrusted "
            f"`{untrusted[0]}` influences",
            witness=system.steps(path + [_signal_label(pressure)]),
            target=target.path,
            related=[(pressure.span, "the optimisation wire")])


STRUCTURAL: list[Analysis] = [goodhart, heldout_contamination, untrusted_output,
                              monitor_collusion, training_against_monitor, judge_taint,
                              self_reference, world_closing, sim_to_real, trust_consistency]
