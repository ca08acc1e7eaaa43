"""`wiring evaluate` (issue 15): behaviours composed along the wiring diagram give safety and
usefulness, exactly (a dynamic programme over the counters) or by Monte Carlo, against the
adversary's best response."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import wiring
from wiring.cli import main
from wiring.evaluate import Options, evaluate
from wiring.evaluate.exact import Refused

ROOT = Path(__file__).resolve().parent.parent
UPFRONT = ROOT / "examples" / "control_upfront_auditing.wd"


def upfront_safety(tasks: int, budget: float, works: float) -> float:
    """Upfront auditing in closed form: the first b*N tasks audited (an attack there is
    caught), an attack on each task with probability p succeeding with probability s after
    them; the red team's p minimises P(no attack in the window) * P(a success after it)."""
    audited = round(budget * tasks)
    rest = tasks - audited

    def unsafe(p: float) -> float:
        return (1 - p) ** audited * (1 - (1 - p * works) ** rest)
    # unimodal in p: a fine grid, then golden-section search around its best point
    grid = [10 ** (-6 + 6 * i / 4000) for i in range(4001)]
    best = max(range(len(grid)), key=lambda i: unsafe(grid[i]))
    a, b = grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)]
    for _ in range(200):
        c, d = b - (b - a) * 0.618, a + (b - a) * 0.618
        a, b = (a, d) if unsafe(c) > unsafe(d) else (c, b)
    return 1 - unsafe((a + b) / 2)


def proposal_with(works: float, tasks: int = 5000):
    """The upfront-auditing example, its backdoors working with probability `works`."""
    text = UPFRONT.read_text().replace("over 5000 tasks", f"over {tasks} tasks")
    result = wiring.check_text(text, "upfront.wd")
    assert result.ok, result.report()
    proposal = result.proposal
    proposal.params["backdoor_works"].default.value = str(works)
    return proposal


@pytest.mark.parametrize("works, expected", [(1.0, 0.0952), (0.5, 0.158)])
def test_upfront_auditing_matches_its_closed_form_exactly(works, expected):
    proposal = proposal_with(works)
    outcome = evaluate(proposal, proposal.evaluations[0], Options())
    assert outcome.method == "exact"
    closed = upfront_safety(5000, 0.02, works)
    assert abs(closed - expected) < 5e-4
    assert abs(outcome.safety - closed) < 1e-6
    # the honest model solves as U does: usefulness 1 on the paper's normalisation
    assert abs(outcome.usefulness - 1.0) < 1e-9


def test_monte_carlo_contains_the_exact_value_in_its_interval():
    proposal = proposal_with(1.0, tasks=1000)    # Monte Carlo steps through every task
    outcome = evaluate(proposal, proposal.evaluations[0],
                       Options(method="monte-carlo", episodes=4000, seed=3))
    low, high = outcome.safety_interval
    assert low <= upfront_safety(1000, 0.02, 1.0) <= high
    assert outcome.method == "monte-carlo" and outcome.episodes == 4000


def test_monte_carlo_is_deterministic_for_a_seed():
    proposal = proposal_with(0.5, tasks=300)
    options = Options(method="monte-carlo", episodes=500, seed=7)
    first = evaluate(proposal, proposal.evaluations[0], options)
    again = evaluate(proposal, proposal.evaluations[0], options)
    assert first.as_json() == again.as_json()


def test_the_cli_prints_safety_usefulness_and_the_best_response(capsys):
    assert main(["evaluate", str(UPFRONT)]) == 0
    out = capsys.readouterr().out
    assert "`UpfrontAuditing` over 5,000 tasks (exact: a dynamic programme" in out
    assert "against the adversary's best response (minimising safety): attack_rate = " in out
    assert "found by a grid of" in out and "golden-section search" in out
    assert "usefulness  1.0000 (solve rate 0.5400 with attack_rate = 0 (honest), normalised " \
        "from 0.22 to 0.54)" in out


def test_the_cli_writes_json(capsys):
    assert main(["evaluate", str(UPFRONT), "--format", "json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert entry["evaluation"] == "UpfrontAuditing"
    [figures] = entry["outcomes"]
    assert figures["method"] == "exact" and figures["tasks"] == 5000
    assert math.isclose(figures["safety"], 0.1582, abs_tol=5e-5)
    assert set(figures["attack"]) == {"attack_rate"}


CONTINUOUS_USE = """import "std/control.wd"
behaviour Odd for Monitor {
  raw ~ normal(0, 1)
  suspicion = raw * 2
}
"""


def test_exact_refuses_a_continuous_draw_used_in_arithmetic(tmp_path, capsys):
    text = UPFRONT.read_text().replace('import "std/control.wd"', CONTINUOUS_USE.strip())
    text = text.replace("schedule = AuditSchedule", "schedule = AuditSchedule\n  mon = Monitor")
    text = text.replace("u.response -> audit.response", "u.response -> audit.response, "
                        "mon.response\n  problems.prompt -> mon.prompt")
    text = text.replace("  world    = Deployment", "  world    = Deployment\n  mon = Odd")
    # a shorter deployment: Monte Carlo steps through every task of every episode
    text = text.replace("over 5000 tasks", "over 300 tasks")
    assert "over 300 tasks" in text
    path = tmp_path / "odd.wd"
    path.write_text(text)
    code = main(["evaluate", str(path), "--exact"])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "is outside the exact class: `mon.raw` is drawn from a continuous distribution " \
        "and used other than compared with a constant" in err
    assert main(["evaluate", str(path), "--episodes", "200"]) == 0
    out = capsys.readouterr().out
    assert "Monte Carlo: 200 episodes, seed 0; " in out and "not exact because `mon.raw`" in out
    assert "its 6 best points compared again with every episode" in out


def test_a_file_without_an_evaluate_block_says_so(capsys):
    assert main(["evaluate", str(ROOT / "examples" / "rlhf.wd")]) == 1
    assert "nothing to evaluate: no `evaluate` block" in capsys.readouterr().err


def test_check_does_not_import_numpy():
    import subprocess
    import sys
    code = ("import sys; from wiring.cli import main; main(['check', %r]); "
            "print('numpy' in sys.modules)" % str(UPFRONT))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert out.strip().endswith("False")


# ------------------------------------------------------------------ the paper's protocols

def figures(name: str) -> list:
    result = wiring.check_file(str(ROOT / "examples" / f"control_{name}.wd"))
    assert result.ok, result.report()
    return [evaluate(result.proposal, e, Options()) for e in result.proposal.evaluations]


@pytest.fixture(scope="module")
def protocols() -> dict:
    """Every control protocol evaluated with the one shared model of std/control.wd, whose
    numbers were fixed before this test was written."""
    upfront, = figures("upfront_auditing")
    monitoring, = figures("trusted_monitoring")
    defer10, defer20 = figures("defer_to_trusted")
    editing, = figures("trusted_editing")
    return {"upfront": upfront, "monitoring": monitoring, "defer10": defer10,
            "defer20": defer20, "editing20": editing}


def test_the_protocols_order_as_the_paper_found(protocols):
    order = ["upfront", "monitoring", "defer10", "defer20"]
    safety = [protocols[name].safety for name in order]
    usefulness = [protocols[name].usefulness for name in order]
    assert all(outcome.method == "exact" for outcome in protocols.values())
    assert safety == sorted(safety) and len(set(safety)) == len(safety), safety
    # Deferring costs usefulness; monitoring alone leaves U's code as it is (the paper's 97%
    # for it comes from effects this model leaves out), so it may tie with upfront auditing.
    assert usefulness == sorted(usefulness, reverse=True), usefulness
    assert usefulness[1] > usefulness[2] > usefulness[3]
    editing, defer10 = protocols["editing20"], protocols["defer10"]
    assert editing.safety >= defer10.safety and editing.usefulness >= defer10.usefulness


# ----------------------------------------------------------------- sweeps and frontiers

def test_a_sweep_marks_the_pareto_frontier_across_protocols(capsys):
    files = [str(ROOT / "examples" / f"control_{n}.wd") for n in ("defer_to_trusted",
                                                                  "trusted_monitoring")]
    assert main(["evaluate", *files, "--sweep", "defer_fraction=0:0.3:0.15",
                 "--format", "json"]) == 0
    captured = capsys.readouterr()
    entries = json.loads(captured.out)
    # the example's two blocks differ only in defer_fraction, which the sweep sets
    assert [e["evaluation"] for e in entries] == ["DeferToTrusted #1", "TrustedMonitoring"]
    assert "`DeferToTrusted #2` is the same as `DeferToTrusted #1` under the sweep; shown " \
        "once" in captured.err
    points = [(o["settings"]["defer_fraction"], o["safety"], o["usefulness"], o["frontier"])
              for e in entries for o in e["outcomes"]]
    assert [p[0] for p in points[:3]] == [0.0, 0.15, 0.3]
    # deferring more buys safety with usefulness, so each deferral is on the frontier
    defer = points[:3]
    assert defer[0][1] < defer[1][1] < defer[2][1] and defer[0][2] > defer[1][2] > defer[2][2]
    for _, safety, useful, frontier in points:
        tie = 1e-9    # rounding does not decide the frontier
        beaten = any(s >= safety - tie and u >= useful - tie and
                     (s > safety + tie or u > useful + tie) for _, s, u, _ in points)
        assert frontier == (not beaten)


@pytest.mark.parametrize("bad", ["defer_fraction", "defer_fraction=0:1", "x=1:0:0.1",
                                 "defer_fraction=0:1:0"])
def test_a_malformed_sweep_is_a_usage_error(bad, capsys):
    assert main(["evaluate", str(UPFRONT), "--sweep", bad]) == 2
    assert capsys.readouterr().err.startswith("wiring: --sweep")


def test_sweeping_a_parameter_the_file_lacks_is_a_usage_error(capsys):
    assert main(["evaluate", str(UPFRONT), "--sweep", "rounds=1:2:1"]) == 2
    assert "has no parameter `rounds` to sweep" in capsys.readouterr().err


def test_the_plot_is_written_atomically_and_deterministically(tmp_path, capsys):
    pytest.importorskip("matplotlib", reason="the plot extra is not installed")
    out = tmp_path / "frontier.svg"
    args = ["evaluate", str(UPFRONT), "--sweep", "audit_budget=0.01:0.03:0.01",
            "--plot", str(out)]
    assert main(args) == 0
    first = out.read_bytes()
    assert b"<svg" in first and b"usefulness" in first and b"Pareto frontier" in first
    assert main(args) == 0
    assert out.read_bytes() == first
    before = UPFRONT.read_bytes()
    capsys.readouterr()
    assert main(["evaluate", str(UPFRONT), "--plot", str(UPFRONT)]) == 2
    assert capsys.readouterr().err == (f"wiring: --plot {UPFRONT}: write .svg, .png or "
                                       ".pdf\n")
    assert UPFRONT.read_bytes() == before


# ------------------------------------------------------------------- discrete tables

TABLE = """component Src : source {
  out level : Real in [0, 2]
}
component World : sink {
  in level : Real in [0, 2]
}
behaviour Levels for Src {
  level ~ table(0, 0.5, 1, 0.3, 2, 0.2)
}
behaviour Judge for World {
  catastrophe when level >= 2
  solved when level == 1
}
diagram D {
  s = Src
  w = World
  s.level -> w.level
}
evaluate D over 3 tasks {
  s = Levels
  w = Judge
}
"""


def test_a_table_is_a_discrete_distribution_in_both_methods():
    result = wiring.check_text(TABLE, "t.wd")
    assert result.ok, result.report()
    evaluation = result.proposal.evaluations[0]
    exact = evaluate(result.proposal, evaluation, Options())
    assert exact.method == "exact"
    assert abs(exact.safety - 0.8 ** 3) < 1e-12
    assert abs(exact.solve_rate - (0.3 + 0.8 * 0.3 + 0.64 * 0.3) / 3) < 1e-12
    sampled = evaluate(result.proposal, evaluation,
                       Options(method="monte-carlo", episodes=20000, seed=2))
    low, high = sampled.safety_interval
    assert low <= 0.8 ** 3 <= high


@pytest.mark.parametrize("table, code, message", [
    ("table(0, 0.5, 1, 0.3, 2, 0.3)", "E0605", "add up to 1.1, not 1"),
    ("table(0, 0.5, 1, 0.3, 3, 0.2)", "E0605", "`table` cannot give `level`'s values"),
    ("table(0, 0.5, 1)", "E0604", "`table` takes pairs of a value and its probability"),
    ("table(0, 1.5, 1, -0.5)", "E0605", "`1.5` is not a probability"),
])
def test_a_wrong_table_is_reported_once_without_cascading(table, code, message):
    result = wiring.check_text(TABLE.replace("table(0, 0.5, 1, 0.3, 2, 0.2)", table), "t.wd")
    codes = [d.code for d in result.diagnostics]
    assert code in codes and "E0608" not in codes and "E0607" not in codes, result.report()
    assert any(message in d.message for d in result.diagnostics), result.report()


# ------------------------------------------------------------------ empirical samples

SAMPLED = """component Src : source {
  out flag : Bool
}
component World : sink {
  in flag : Bool
}
behaviour Scores for Src {
  s ~ empirical("scores.csv", "attacked")
  flag = s >= 2
}
behaviour Judge for World {
  catastrophe when not flag
}
diagram D {
  a = Src
  w = World
  a.flag -> w.flag
}
evaluate D over 2 tasks {
  a = Scores
  w = Judge
}
"""


def sampled(tmp_path, text: str = SAMPLED, csv: str = "honest,attacked\n0.1,2.5\n0.3,1.9\n"
            "1.2,3.1\n0.7,0.4\n2.0,2.0\n"):
    (tmp_path / "scores.csv").write_text(csv)
    (tmp_path / "p.wd").write_text(text)
    return wiring.check_file(str(tmp_path / "p.wd"))


def test_an_empirical_sample_is_drawn_from_exactly_with_its_ties(tmp_path):
    result = sampled(tmp_path)
    assert result.ok, result.report()
    evaluation = result.proposal.evaluations[0]
    # 3 of the 5 values are >= 2, one of them exactly 2 (the threshold itself)
    exact = evaluate(result.proposal, evaluation, Options())
    assert exact.method == "exact" and abs(exact.safety - 0.6 ** 2) < 1e-12
    low, high = evaluate(result.proposal, evaluation,
                         Options(method="monte-carlo", episodes=20000)).safety_interval
    assert low <= 0.36 <= high


def test_the_sample_travels_with_the_exported_model(tmp_path):
    result = sampled(tmp_path)
    data = json.loads(result.proposal.model_dump_json())
    [step] = data["behaviours"]["Scores"]["steps"][:1]
    assert step["value"]["args"][0]["values"] == [0.4, 1.9, 2.0, 2.5, 3.1]
    assert step["value"]["args"][0]["file"] == "scores.csv"
    assert wiring.check_json(json.dumps(data)).ok


@pytest.mark.parametrize("change, message", [
    (("\"attacked\"", "\"nope\""), "`scores.csv` has no column `nope` (its columns: `honest`, "
                                   "`attacked`)"),
    (("scores.csv", "../outside.csv"), "`../outside.csv` is outside the proposal's root"),
    (("scores.csv", "missing.csv"), "cannot find"),
    (("empirical(\"scores.csv\", \"attacked\")", "empirical(scores, \"attacked\")"),
     "`empirical` takes a file and a column, both strings"),
])
def test_a_sample_that_cannot_be_read_is_one_error(tmp_path, change, message):
    result = sampled(tmp_path, SAMPLED.replace(*change))
    assert [d.code for d in result.diagnostics] == ["E0609"], result.report()
    assert message in result.diagnostics[0].message


def test_a_sample_with_a_word_in_it_names_the_line(tmp_path):
    result = sampled(tmp_path, csv="attacked\n1\nmany\n")
    [error] = result.diagnostics
    assert (error.code, error.message) == ("E0609", "`scores.csv` line 3, column `attacked`: "
                                                    "`many` is not a number")


def test_a_ragged_sample_names_the_line(tmp_path):
    result = sampled(tmp_path, csv="honest,attacked\n1,2\n1.0,2,3\n")
    [error] = result.diagnostics
    assert error.message == "`scores.csv` line 3 has 3 fields, and the header 2"
    assert error.help == "each row has as many fields as the header, and the column one number"


def test_render_will_not_write_over_the_sample(tmp_path, capsys):
    sampled(tmp_path)
    target = tmp_path / "scores.csv"
    before = target.read_bytes()
    code = main(["export", str(tmp_path / "p.wd"), "-o", str(target)])
    assert code == 2 and target.read_bytes() == before
    assert "it is an input of this command" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["upfront_auditing", "trusted_monitoring", "defer_to_trusted",
                                  "trusted_editing", "untrusted_monitoring",
                                  "untrusted_monitoring_countermeasures"])
def test_exact_and_monte_carlo_agree_on_every_control_example(name):
    """At the best response the exact method finds, a simulation agrees with the exact safety
    and solve rate within its interval, widened from 1.96 to 4 standard errors: with a dozen
    figures compared, a 95% interval would miss one by chance every other run of seeds."""
    result = wiring.check_file(str(ROOT / "examples" / f"control_{name}.wd"))
    for evaluation in result.proposal.evaluations:
        exact = evaluate(result.proposal, evaluation, Options())
        sampled = evaluate(result.proposal, evaluation,
                           Options(method="monte-carlo", episodes=3000, seed=5), exact.attack)
        for value, estimate, (low, high) in [
                (exact.safety, sampled.safety, sampled.safety_interval),
                (exact.solve_rate, sampled.solve_rate, sampled.solve_interval)]:
            error = (high - low) / 2 / 1.96
            assert abs(value - estimate) <= 4 * error + 1e-12, (value, estimate, low, high)


# --------------------------------------------------------------- what has no value

@pytest.mark.parametrize("k, draw, message", [
    (2, "level ~ table(0, 0.5, 1, 0.3, 2, 0.2 * k)", "a table's probabilities are not a "
                                                     "distribution"),
    (1, "x ~ normal(1, k - 1)\n  level = 1 if x > 0 else 0", "a normal's sd is 0: it must be "
                                                             "positive"),
    (3, "x ~ bernoulli(k / 2)\n  level = 1 if x else 0", "a bernoulli's probability is 1.5"),
    (1, "level = 1 / (k - 1)", "a formula divides by zero"),
])
def test_what_has_no_value_at_the_parameters_is_an_error_not_a_number(tmp_path, capsys, k,
                                                                      draw, message):
    text = f"param k : Real = {k}\n" + TABLE.replace("level ~ table(0, 0.5, 1, 0.3, 2, 0.2)",
                                                     draw)
    path = tmp_path / "t.wd"
    path.write_text(text)
    for method in ("--exact", "--monte-carlo"):
        assert main(["evaluate", str(path), method, "--episodes", "50"]) == 1
        err = capsys.readouterr().err
        assert "`D` cannot be evaluated: " in err and message in err, err


def test_a_negative_seed_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["evaluate", str(UPFRONT), "--seed", "-1"])
    assert stop.value.code == 2
    assert "-1 is below 0" in capsys.readouterr().err


@pytest.mark.parametrize("change, code", [
    (("behaviour Levels for Src", "behaviour Levels for Sorce"), "E0103"),
    (("component Src : source", "adversary k : Real >= 0 = 0\ncomponent Src : source"), "E0601"),
])
def test_one_mistake_in_a_behaviour_or_adversary_is_one_error(change, code):
    text = TABLE.replace(*change)
    if code == "E0601":
        text = text.replace("table(0, 0.5, 1, 0.3, 2, 0.2)", "table(0, 0.5, 1, 0.3, 2, 0.2 + k)")
    result = wiring.check_text(text, "t.wd")
    assert [d.code for d in result.diagnostics] == [code], result.report()


def test_a_sweep_outside_its_parameters_type_or_misspelt_is_a_usage_error(capsys):
    assert main(["evaluate", str(UPFRONT), "--sweep", "audit_budget=0:2:0.5"]) == 2
    assert "`audit_budget` is `Prob`: the sweep's 1.5 is outside it" in capsys.readouterr().err
    assert main(["evaluate", str(UPFRONT), "--sweep", "audit_budgt=0:0.1:0.05"]) == 2
    assert "did you mean `audit_budget`?" in capsys.readouterr().err


def test_a_sweep_says_which_evaluations_do_not_read_it(capsys):
    assert main(["evaluate", str(UPFRONT), "--sweep", "defer_fraction=0:0.1:0.1"]) == 0
    assert ("`UpfrontAuditing` reads no `defer_fraction`: its figures do not depend on it"
            in capsys.readouterr().err)


@pytest.mark.parametrize("step, message", [
    ("level = 3", "3 is not a value of `level`"),
])
def test_a_number_outside_its_port_is_refused_where_written(step, message):
    result = wiring.check_text(TABLE.replace("level ~ table(0, 0.5, 1, 0.3, 2, 0.2)", step),
                               "t.wd")
    assert [d.code for d in result.diagnostics] == ["E0605"], result.report()
    assert result.diagnostics[0].message == message


OPAQUE = """type Code
component Writer : policy {
  in  task : Real
  out code : Code
}
behaviour Numbers for Writer {
  code = 5
}
"""


def test_an_opaque_output_is_passed_on_or_given_features_not_a_number():
    result = wiring.check_text(OPAQUE, "o.wd")
    [error] = result.diagnostics
    assert (error.code, error.message) == ("E0605", "`code` is a `Code`, not a number")
    assert error.help == ("set its features (`code.correct = ...`) or pass a value on "
                          "(`code = task`)")
    fine = OPAQUE.replace("code = 5", "code.correct = task > 1")
    assert wiring.check_text(fine, "o.wd").ok


def test_the_adversarys_objective_is_declared_and_shown(tmp_path, capsys):
    text = UPFRONT.read_text().replace("  usefulness from trusted_solves to untrusted_solves",
                                       "  usefulness from trusted_solves to untrusted_solves\n"
                                       "  adversary maximising catastrophe")
    path = tmp_path / "u.wd"
    path.write_text(text)
    assert main(["evaluate", str(path)]) == 0
    assert "best response (maximising catastrophe): attack_rate = 0.00132" in \
        capsys.readouterr().out
    wrong = wiring.check_text(text.replace("maximising catastrophe", "minimising usefulness"),
                              "u.wd")
    [error] = wrong.diagnostics
    assert (error.code, error.message) == ("E0606", "the adversary cannot be `minimising "
                                                    "usefulness`")
