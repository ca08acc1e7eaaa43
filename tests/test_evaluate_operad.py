"""The algebra respects the operad (issue 15): evaluating a nested diagram gives the same
distribution of outcomes as evaluating its flattening, and copying an output then discarding
the copy changes nothing. Hypothesis generates the protocols: chains of boxes with draws,
thresholds on continuous draws and a counter, with a run of them nested in a diagram."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import wiring
from wiring.evaluate import Options, evaluate

STEPS = {
    "and": "d ~ bernoulli({p})\n  y = x and d",
    "or": "d ~ bernoulli({p})\n  y = x or d",
    "not": "y = not x",
    "threshold": "s ~ normal({m}, 1) if x else normal(0, 1)\n  y = s > {t}",
    "flip": "d ~ bernoulli({p})\n  y = d if x else not d",
}


@st.composite
def protocols(draw):
    count = draw(st.integers(2, 5))
    boxes = [(draw(st.sampled_from(sorted(STEPS))), draw(st.sampled_from([0.1, 0.3, 0.7])),
              draw(st.sampled_from([0.5, 1.5])), draw(st.sampled_from([0.0, 1.0])))
             for _ in range(count)]
    start = draw(st.integers(0, count - 1))
    end = draw(st.integers(start + 1, count))
    source_p = draw(st.sampled_from([0.2, 0.5]))
    copied = draw(st.integers(0, count - 1))
    return boxes, (start, end), source_p, copied


def declarations(boxes, source_p: float) -> str:
    lines = ["component Source : source {\n  out y : Bool\n}",
             f"behaviour Emit for Source {{\n  y ~ bernoulli({source_p})\n}}",
             "component World : sink {\n  in x : Bool\n}",
             "behaviour Judge for World {\n  state seen = 0\n  next seen = seen + 1 if x "
             "else seen\n  stop when seen >= 3\n  catastrophe when x and seen >= 1\n"
             "  solved when not x\n}",
             "component Drop : sink {\n  in x : Bool\n}",
             "behaviour Ignore for Drop {\n}"]
    for i, (kind, p, m, t) in enumerate(boxes):
        lines.append(f"component C{i} : tool {{\n  in x : Bool\n  out y : Bool\n}}")
        lines.append(f"behaviour B{i} for C{i} {{\n  " +
                     STEPS[kind].format(p=p, m=m, t=t) + "\n}")
    return "\n".join(lines) + "\n"


def chain(names: list[str], first: str, last: str) -> list[str]:
    wires = [f"  {first} -> {names[0]}.x"] if names else []
    wires += [f"  {a}.y -> {b}.x" for a, b in zip(names, names[1:])]
    wires.append(f"  {names[-1]}.y -> {last}" if names else f"  {first} -> {last}")
    return wires


def flat(boxes, copied: int | None) -> str:
    names = [f"b{i}" for i in range(len(boxes))]
    body = ["  src = Source", "  world = World"] + \
        [f"  {n} = C{i}" for i, n in enumerate(names)] + chain(names, "src.y", "world.x")
    bindings = ["  src = Emit", "  world = Judge"] + [f"  {n} = B{i}" for i, n in enumerate(names)]
    if copied is not None:
        body += ["  drop = Drop", f"  b{copied}.y -> drop.x"]
        bindings.append("  drop = Ignore")
    return ("diagram Top {\n" + "\n".join(body) + "\n}\n" +
            "evaluate Top over 12 tasks {\n" + "\n".join(bindings) + "\n}\n")


def nested(boxes, span: tuple[int, int]) -> str:
    start, end = span
    inner = [f"b{i}" for i in range(start, end)]
    outer = [f"b{i}" for i in range(len(boxes)) if not start <= i < end]
    inner_diagram = ("diagram Inner {\n  in x : Bool\n  out y : Bool\n" +
                     "\n".join(f"  b{i} = C{i}" for i in range(start, end)) + "\n" +
                     "\n".join(chain(inner, "x", "y")) + "\n}\n")
    before = [f"b{i}" for i in range(start)]
    after = [f"b{i}" for i in range(end, len(boxes))]
    order = before + ["inner"] + after
    body = ["  src = Source", "  world = World", "  inner = Inner"] + \
        [f"  {n} = C{n[1:]}" for n in outer] + chain(order, "src.y", "world.x")
    bindings = ["  src = Emit", "  world = Judge"] + \
        [f"  {n} = B{n[1:]}" for n in outer] + [f"  inner.{n} = B{n[1:]}" for n in inner]
    return (inner_diagram + "diagram Top {\n" + "\n".join(body) + "\n}\n" +
            "evaluate Top over 12 tasks {\n" + "\n".join(bindings) + "\n}\n")


def figures(text: str) -> tuple[float, float]:
    result = wiring.check_text(text, "p.wd")
    assert result.ok, result.report() + "\n" + text
    outcome = evaluate(result.proposal, result.proposal.evaluations[0], Options(method="exact"))
    return outcome.safety, outcome.solve_rate


@settings(max_examples=40, deadline=None)
@given(protocols())
def test_a_nested_protocol_evaluates_as_its_flattening(protocol):
    boxes, span, source_p, _ = protocol
    common = declarations(boxes, source_p)
    safety, solved = figures(common + flat(boxes, None))
    nested_safety, nested_solved = figures(common + nested(boxes, span))
    assert abs(safety - nested_safety) < 1e-9 and abs(solved - nested_solved) < 1e-9


@settings(max_examples=40, deadline=None)
@given(protocols())
def test_copying_an_output_and_discarding_the_copy_changes_nothing(protocol):
    boxes, _, source_p, copied = protocol
    common = declarations(boxes, source_p)
    plain = figures(common + flat(boxes, None))
    with_copy = figures(common + flat(boxes, copied))
    assert abs(plain[0] - with_copy[0]) < 1e-9 and abs(plain[1] - with_copy[1]) < 1e-9


def binomial_tail(k: int, n: int, p: float) -> float:
    """The probability of a count at least as far from n*p as k, on k's side: P(X >= k) above
    the mean, P(X <= k) below it (exact sums, in logs)."""
    import math

    if p <= 0.0 or p >= 1.0:
        return 1.0 if k == round(n * p) else 0.0
    counts = range(k, n + 1) if k >= n * p else range(0, k + 1)
    logs = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
            + i * math.log(p) + (n - i) * math.log1p(-p) for i in counts]
    top = max(logs)
    return min(1.0, math.exp(top) * sum(math.exp(v - top) for v in logs))


@settings(max_examples=15, deadline=None)
@given(protocols())
def test_exact_and_monte_carlo_agree_on_generated_protocols(protocol):
    """The exact method is tested against simulation on generated members of its class, not
    on the examples alone. The simulated count of safe episodes must not be one the exact
    safety makes rarer than 1 in a million (an exact binomial tail, right near 0 and 1 where
    normal intervals are not): hypothesis draws new protocols each run, so the test may not
    lean on a lucky seed."""
    boxes, span, source_p, _ = protocol
    text = declarations(boxes, source_p) + nested(boxes, span)
    result = wiring.check_text(text, "p.wd")
    evaluation = result.proposal.evaluations[0]
    exact = evaluate(result.proposal, evaluation, Options(method="exact"))
    episodes = 3000
    sampled = evaluate(result.proposal, evaluation,
                       Options(method="monte-carlo", episodes=episodes, seed=11))
    safe = round(sampled.safety * episodes)
    assert binomial_tail(safe, episodes, exact.safety) > 1e-6, (exact.safety, sampled.safety)
