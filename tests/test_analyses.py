"""The alignment analyses: each finding's minimal example fires and its clean variant does not;
the expectations of ANALYSES.md hold on the examples; findings read structure, not names."""

import json
import re

import pytest

import wiring
from wiring.analysis import analyse, analyse_all
from wiring.cli import main
from wiring.codes import CODES
from wiring.witness import texts

from conftest import EXAMPLES, ROOT

FINDINGS = [c for c, e in CODES.items() if c.startswith("S") and e.example is not None]


def lint(text: str, path: str = "proposal.wd"):
    result = wiring.check_text(text, path)
    assert result.ok, result.report()
    return analyse(result.proposal)


def codes_of(analysis) -> set[str]:
    """Every code found, those shown as notes of a finding of the same loop too."""
    return {e.code for f in analysis.findings for e in (f, *f.also)}


@pytest.mark.parametrize("code", FINDINGS)
def test_minimal_example_fires(code):
    assert code in codes_of(lint(CODES[code].example))


@pytest.mark.parametrize("code", [c for c in FINDINGS if CODES[c].clean is not None])
def test_clean_variant_does_not_fire(code):
    assert code not in codes_of(lint(CODES[code].clean))


@pytest.mark.parametrize("code", FINDINGS)
def test_findings_carry_witness_why_and_help(code):
    for finding in lint(CODES[code].example).findings:
        assert finding.witness, finding
        assert finding.help
        if finding.code != "S0701":
            assert finding.why and re.search(r"\d{4}", finding.why), finding.why  # cites a paper


def _all(proposal):
    """Every top diagram analysed: the findings of the file and of each diagram together."""
    from types import SimpleNamespace

    from wiring.analysis import analyse_all

    report = analyse_all(proposal)
    return SimpleNamespace(findings=report.findings + [f for a in report.analyses
                                                       for f in a.findings])


def example(name: str):
    return _all(wiring.load(ROOT / "examples" / name))


# ANALYSES.md "expected" lines, on the examples of the proposals they name.
EXPECTED = [
    # A2 Goodhart fires on P1, P2, P3, P4, P7, P8, P11, P15; not on P14 or P16
    ("rlhf.wd", "S0101", True), ("constitutional_ai.wd", "S0101", True),
    ("best_of_n.wd", "S0101", True), ("overoptimisation.wd", "S0101", True),
    ("rrm.wd", "S0101", True), ("critiques.wd", "S0101", True),
    ("process_supervision.wd", "S0101", True), ("open_agency.wd", "S0101", True),
    ("control_trusted_monitoring.wd", "S0101", False), ("cyborgism.wd", "S0101", False),
    # A4: P4 as published does not fire; with gold-based early stopping it does
    ("overoptimisation.wd", "S0102", False), ("overoptimisation_early_stopping.wd", "S0102", True),
    # A5: RLHF deployed without an output monitor; cyborgism passes; trusted monitoring gates
    # only the audited slice; defer to trusted and trusted editing repair it; P15 passes
    ("rlhf.wd", "S0201", True), ("cyborgism.wd", "S0201", False),
    ("control_trusted_monitoring.wd", "S0202", True),
    ("control_defer_to_trusted.wd", "S0202", False), ("control_defer_to_trusted.wd", "S0201", False),
    ("control_trusted_editing.wd", "S0202", False), ("control_trusted_editing.wd", "S0201", False),
    ("open_agency.wd", "S0201", False),
    # A6: untrusted monitoring without countermeasures fires (its monitor is U itself, shared
    # weights: S0304, collusion certain, not S0301's maybe), with them the maybe clears (the
    # certain finding is acknowledged there); P8 fires
    ("control_untrusted_monitoring.wd", "S0304", True),
    ("control_untrusted_monitoring.wd", "S0301", False),
    ("control_untrusted_monitoring_countermeasures.wd", "S0301", False),
    ("critiques.wd", "S0301", True),
    # A7: a monitor in the reward fires (CoT monitor in process_supervision); not P14
    ("process_supervision.wd", "S0302", True), ("control_trusted_monitoring.wd", "S0302", False),
    # A8: the Swiss-cheese stack has fewer independent layers than layers
    ("swiss_cheese.wd", "S0203", True),
    # A9: debate (by design), RRM, critiques, and the trusted monitor reading U's code
    ("debate.wd", "S0401", True), ("rrm.wd", "S0401", True), ("critiques.wd", "S0401", True),
    ("control_trusted_monitoring.wd", "S0401", True),
    # A10: online RLHF fires via the raters; IDA with a frozen snapshot does not
    ("rlhf.wd", "S0402", True), ("ida.wd", "S0402", False),
    # A3: online RLHF has a control incentive on its reward model through the raters
    ("rlhf.wd", "S0501", True),
    # A11, A12: the OAA passes with its runtime monitor, fallback and time bound
    ("open_agency.wd", "S0601", False), ("open_agency.wd", "S0504", False),
    # A13: the control protocols do not tell U when it is audited
    ("control_trusted_monitoring.wd", "S0505", False),
    ("control_untrusted_monitoring_countermeasures.wd", "S0505", False),
]


@pytest.mark.parametrize("name, code, fires", EXPECTED, ids=lambda v: str(v))
def test_analyses_md_expectations(name, code, fires):
    found = codes_of(example(name))
    assert (code in found) == fires, sorted(found)


# ------------------------------------------------------------------------ structure, not names

_KEYWORDS = set("""proposal cites note import kind type record enum param optimiser component
diagram in out refines modes frozen shared as with when train by maximising minimising maximizing minimizing
merge delayed inf allow on because assert no path avoiding gated trusted incentive control
response information""".split())


def _renamed(text: str, proposal) -> tuple[str, dict[str, str]]:
    """Rename every component, diagram and instance to an opaque name."""
    from wiring.elaborate import SIGNAL_FUNCTIONS

    reserved = set(proposal.kinds) | set(proposal.types) | set(proposal.params) | \
        set(proposal.optimisers) | _KEYWORDS | set(SIGNAL_FUNCTIONS)
    for box in [*proposal.components.values(), *proposal.diagrams.values()]:
        reserved |= {p.name for p in box.ports}
    for diagram in proposal.diagrams.values():
        reserved |= set(diagram.modes)
    # Rename what this file declares (imported declarations keep their names: their files
    # are not rewritten), and every instance.
    own = [n for n, b in [*proposal.components.items(), *proposal.diagrams.items()]
           if b.span is not None and b.span.file == proposal.file]
    names = own + sorted({i.name for d in proposal.diagrams.values() for i in d.instances})
    mapping = {}
    for index, name in enumerate(dict.fromkeys(names)):
        if name not in reserved:
            mapping[name] = f"zz{index}q"
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(mapping, key=len, reverse=True)))
                         + r")\b") if mapping else None
    out = []
    for line in text.split("\n"):
        code, hash_, comment = line.partition("#")
        # do not rename inside strings (notes, provenance): they are data, not names
        parts = re.split(r'("(?:[^"\\]|\\.)*")', code)
        parts = [p if p.startswith('"') or pattern is None else pattern.sub(lambda m: mapping[m.group(1)], p)
                 for p in parts]
        out.append("".join(parts) + hash_ + comment)
    return "\n".join(out), mapping


def _signature(analysis, back: dict[str, str]) -> list[tuple]:
    def restore(text: str) -> str:
        return re.sub(r"zz\d+q", lambda m: back.get(m.group(0), m.group(0)), text)

    return sorted((f.code, f.severity, restore(f.message), tuple(restore(str(w)) for w in f.witness))
                  for f in analysis.findings)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_findings_do_not_depend_on_names(path, tmp_path):
    text = path.read_text()
    proposal = wiring.load(path)
    renamed, mapping = _renamed(text, proposal)
    copy = tmp_path / "renamed_proposal.wd"
    copy.write_text(renamed)
    result = wiring.check_file(str(copy))
    assert result.ok, result.report()
    back = {v: k for k, v in mapping.items()}
    assert _signature(_all(result.proposal), back) == _signature(_all(proposal), {})


# ----------------------------------------------------------------------------------- CLI

def test_lint_exit_codes_and_acknowledgement(tmp_path, capsys):
    text = CODES["S0201"].example
    path = tmp_path / "p.wd"
    path.write_text(text)
    assert main(["lint", str(path)]) == 1
    out = capsys.readouterr().out
    assert "error[S0201]" in out and "witness: pi -> world" in out
    path.write_text(text + 'allow S0201 because "a sandboxed demo"\n')
    assert main(["lint", str(path)]) == 0
    out = capsys.readouterr().out
    assert "(acknowledged)" in out and "a sandboxed demo" in out and "1 acknowledged" in out


def test_allow_on_a_box_only_covers_that_box(tmp_path):
    text = CODES["S0201"].example
    assert lint(text + 'allow S0201 on pi because "r"\n').findings[0].acknowledged == "r"
    assert lint(text + 'allow S0201 on src because "r"\n').findings[0].acknowledged is None


def test_lint_json(tmp_path, capsys):
    path = tmp_path / "p.wd"
    path.write_text(CODES["S0701"].example)
    assert main(["lint", "--format", "json", str(path)]) == 1
    (report,) = json.loads(capsys.readouterr().out)
    assert report["failed"] is True
    assert {f["code"] for f in report["findings"]} >= {"S0201", "S0701"}
    (diagram,) = report["diagrams"]
    assert {f["diagram"] for f in report["findings"]} == {diagram["diagram"]}
    (assertion,) = diagram["assertions"]
    assert assertion["holds"] is False and assertion["witness"] == ["pi", "world"]


def test_assertions_on_the_top_diagram(tmp_path):
    text = CODES["S0701"].clean.replace("assert gated(pi)", """assert gated(pi)
  assert trusted(world.response)
  assert no path pi.response -> world.response
  assert no incentive pi on filter""")
    analysis = lint(text)
    verdicts = {a.assertion.text: (a.holds, texts(a.witness)) for a in analysis.assertions}
    assert verdicts["assert gated(pi)"] == (True, [])
    assert verdicts["assert trusted(world.response)"] == (True, [])
    assert verdicts["assert no path pi.response -> world.response"] == \
        (False, ["pi", "filter", "world"])
    assert verdicts["assert no incentive pi on filter"][0] is True  # pi is not trained


def test_incentive_assertion_fails_with_witness():
    text = CODES["S0501"].example.replace("train pi by ppo maximising rm.score", """train pi by ppo maximising rm.score
  assert no control incentive pi on rm
  assert no incentive pi on src""")
    verdicts = {a.assertion.text: a for a in lint(text).assertions}
    failed = verdicts["assert no control incentive pi on rm"]
    steps = texts(failed.witness)
    assert not failed.holds and steps[0] == "pi@0" and steps[-1].startswith("U:pi")
    assert any(w.startswith(("rm@", "Θ:rm@")) for w in steps)
    # the steps name their boxes: the decision, the reward model, the agent's reward
    assert failed.witness[0].box == "pi" and failed.witness[-1].box == "pi"
    assert "rm" in {step.box for step in failed.witness}
    assert verdicts["assert no incentive pi on src"].holds


def test_analyze_reports_incentives_and_bounds(capsys):
    assert main(["analyze", "examples/rlhf.wd"]) == 0
    out = capsys.readouterr().out
    assert "decision `policy`" in out
    assert "instrumental control incentive (control): `labelers`, `rm`, `sampler`, `Θ:rm`" in out
    assert main(["analyze", "--format", "json", "examples/control_trusted_monitoring.wd"]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    (diagram,) = report["diagrams"]
    (bound,) = diagram["bounds"]
    assert bound["hazard"] == "u" and bound["sink"] == "world"
    assert "miss_audit" in bound["independent"]


def test_bounds_are_evaluated_with_parameter_values():
    text = CODES["S0203"].clean.replace(
        'component Classifier : filter, trusted, provenance = "family-a" {',
        'param p : Prob = 0.1\ncomponent Classifier : filter, trusted, provenance = "family-a", miss = p {'
    ).replace("component Reviewer : filter, human {", "component Reviewer : filter, human, miss = 0.2 {")
    from wiring.analysis.bounds import bounds

    (bound,) = bounds(lint(text).system)
    assert bound.value == pytest.approx(0.02)
    assert bound.independent == "p/5"


def test_correlated_gates_do_not_multiply():
    text = CODES["S0203"].example.replace('provenance = "family-a"',
                                          'provenance = "family-a", miss = 0.1')
    from wiring.analysis.bounds import bounds

    (bound,) = bounds(lint(text).system)
    assert bound.value == pytest.approx(0.01)
    assert bound.correlated_value == pytest.approx(0.1)


# --------------------------------------------------------- the causal-incentives papers

def _published():
    """The machine-checkable list at the end of docs/incentive_examples.md: file, decision,
    node, incentive kind, expected, provenance of the verdict."""
    text = (ROOT / "docs" / "incentive_examples.md").read_text()
    block = text.split("## The list", 1)[1].split("```", 2)[1]
    rows = []
    for line in block.strip().splitlines():
        name, decision, node, kind, expected, source = line.split()
        rows.append(pytest.param(name, decision, node, kind, expected == "true",
                                 id=f"{name}-{node}-{kind}-{source}"))
    return rows


@pytest.mark.parametrize("name, decision, node, kind, expected", _published())
def test_incentive_report_reproduces_the_papers(name, decision, node, kind, expected):
    analysis = analyse(wiring.load(ROOT / "examples" / "incentives" / f"{name}.wd"))
    (incentives,) = [i for i in analysis.incentives if i.decision == decision]
    assert incentives.has(kind, node) == expected


@pytest.mark.parametrize("name, code, fires", [
    ("rl_modifiable_reward.wd", "S0501", True),        # reward-function tampering, control
    ("rl_current_rf.wd", "S0501", False),              # current-RF optimisation removes it
    ("rl_feedback_tampering.wd", "S0501", True),       # online feedback
    ("rl_direct_learning.wd", "S0501", False),         # direct learning: no control incentive
    ("rl_direct_learning.wd", "S0502", True),          # ... only an information-only one
    ("rl_rf_input_tampering.wd", "S0501", True),       # the agent can alter the sensor
    ("rl_model_based_rewards.wd", "S0501", False),     # model-based rewards remove it
])
def test_tampering_verdicts_on_the_reward_tampering_diagrams(name, code, fires):
    found = codes_of(analyse(wiring.load(ROOT / "examples" / "incentives" / name)))
    assert (code in found) == fires, sorted(found)


_IMITATION = """
type X
type Y
type Loss = Real in [0, 1]
component Data : dataset {
  out x : X
  out y : Y
}
component Student : policy, learned, untrusted {
  in  x : X
  out y : Y
}
component Teacher : human, trusted {
  in  x     : X
  in  draft : Y
  out y     : Y
}
component Loss_ : evaluator, trusted {
  in  predicted : Y
  in  label     : Y
  out loss      : Loss
}
"""


def test_a_supervised_loss_reading_the_prediction_is_not_self_reference():
    analysis = lint(_IMITATION + """diagram D {
  data = Data; student = Student; loss = Loss_
  data.x -> student.x
  student.y -> loss.predicted
  data.y -> loss.label
  train student by supervised minimising loss.loss
}
""")
    assert "S0402" not in codes_of(analysis)


def test_a_label_computed_from_the_live_model_is_self_reference():
    analysis = lint(_IMITATION + """diagram D {
  data = Data; student = Student; teacher = Teacher; loss = Loss_
  data.x -> student.x, teacher.x
  student.y -> loss.predicted, teacher.draft
  teacher.y -> loss.label
  train student by supervised minimising loss.loss
}
""")
    [finding] = [e for f in analysis.findings for e in (f, *f.also) if e.code == "S0402"]
    assert texts(finding.witness) == ["student", "teacher", "loss", "[supervised: minimise loss.loss]"]


def test_merge_help_fits_the_type():
    def help_for(port_type: str) -> str:
        result = wiring.check_text(f"""type R
component P : policy {{
  out r : {port_type}
}}
component C : sink {{
  in r : {port_type}
}}
diagram D {{
  p = P; q = P; c = C
  p.r -> c.r
  q.r -> c.r
}}
""")
        [diagnostic] = result.diagnostics
        assert diagnostic.code == "E0211"
        return diagnostic.help

    assert "merge sum" in help_for("Real")
    assert "merge any" in help_for("Bool")
    assert "merge union" in help_for("List[R]")
    assert "do not merge" in help_for("R") and "router" in help_for("R")


def test_unknown_name_from_the_standard_library_suggests_its_import():
    result = wiring.check_text("diagram D {\n  pi = Policy\n}\n")
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "E0103"
    assert 'import "std/models.wd"' in diagnostic.help


def test_the_report_says_when_a_loop_needs_more_steps(capsys):
    from wiring.analysis.build import build
    from wiring.structure import default_diagram as top_diagram
    from wiring.analysis.incentives import steps_needed

    def needed(name):
        proposal = wiring.load(ROOT / "examples" / name)
        return steps_needed(build(proposal, top_diagram(proposal, None)))

    assert needed("rlhf.wd") == 2   # the reward model trained at one step, used at the next
    # the deployed controller reaches the stakeholders' preferences through stateful boxes
    assert needed("open_agency.wd") == 8
    assert main(["analyze", "examples/open_agency.wd"]) == 0
    assert "`--steps 8` shows the incentives" in capsys.readouterr().out
    main(["lint", "examples/open_agency.wd"])
    assert "`--steps 8` shows the incentives" in capsys.readouterr().out
    main(["lint", "examples/open_agency.wd", "--steps", "8"])
    assert "`--steps" not in capsys.readouterr().out
    assert main(["analyze", "examples/open_agency.wd", "--steps", "8"]) == 0
    out = capsys.readouterr().out
    assert "--steps" not in out and "`stakeholders`" in out.split("(control):")[1].split("\n")[0]


def test_an_allow_that_acknowledges_nothing_is_reported():
    base = CODES["W0124"].example
    assert "W0124" in codes_of(lint(base))
    # a file-level allow in a file with two top diagrams may be meant for the other one
    two = base.replace('  allow S0301 on pi because "no monitor here: nothing can collude"\n', "") \
        + 'diagram E {\n  src = Source\n}\nallow S0301 because "meant for another diagram"\n'
    proposal = wiring.loads(two)
    assert "W0124" not in codes_of(analyse(proposal, "E"))   # the other diagram was not analysed
    report = analyse_all(proposal)                             # both were: it is stale, once
    assert [f.code for f in report.findings] == ["W0124"]
    assert "acknowledges no finding of any of" in report.findings[0].message
    assert not any(f.code == "W0124" for a in report.analyses for f in a.findings)


@pytest.mark.parametrize("typo, meant", [("py", "pi"), ("policy", "Policy"), ("Polcy", "Policy")])
def test_did_you_mean_short_names_and_case(typo, meant):
    from wiring.names import did_you_mean

    assert did_you_mean(typo, ["pi", "rm", "Policy", "Source"]) == f"did you mean `{meant}`?"


@pytest.mark.parametrize("steps", ["0", "-1", "x", "65"])
def test_steps_out_of_range_is_a_usage_error(steps, capsys):
    for command in ("analyze", "lint"):
        with pytest.raises(SystemExit) as stop:
            main([command, "examples/rlhf.wd", "--steps", steps])
        assert stop.value.code == 2
        assert "--steps" in capsys.readouterr().err


def test_a_monitor_watching_many_models_is_one_finding_listing_the_nearest():
    """Each critic of a long critique chain watches every earlier policy of its family: one
    finding per critic, naming the nearest, with a few others in a note."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import generate

    text = generate.chain(60)
    analysis = lint(text)
    collusion = [f for f in analysis.findings if f.code == "S0301"]
    critics = {f.witness[-1].box for f in collusion}
    assert len(collusion) == len(critics) == text.count("= Critic") > 10
    last = max(collusion, key=lambda f: analysis.system.rank(f.witness[-1].box))
    assert len(last.witness) == 2   # the policy right before it
    assert last.notes and last.notes[0].startswith("it also watches")
    assert last.notes[0].endswith("and others further away")


_TWO_TOPS = """type Prompt
type Response
component Source : source, trusted {
  out prompt : Prompt
}
component Policy : policy, learned, untrusted {
  in  prompt   : Prompt
  out response : Response
}
component Monitor : monitor, trusted {
  in  response : Response
  out checked  : Response
}
component World : sink {
  in response : Response
}
diagram Monitored {
  src = Source; pi = Policy; mon = Monitor; world = World
  src.prompt -> pi.prompt
  pi.response -> mon.response
  mon.checked -> world.response
}
diagram Plain {
  src = Source; agent = Policy; world = World
  src.prompt -> agent.prompt
  agent.response -> world.response
}
"""


def test_names_in_allows_and_assertions_are_resolved_by_check(tmp_path):
    # Elaboration resolves the boxes an `allow ... on X` or an assertion names, so `check`
    # (not only `lint`) reports a name that no diagram it speaks about has.
    path = tmp_path / "p.wd"
    path.write_text(_TWO_TOPS + 'assert gated(mn)\nallow S0201 on agnt because "typo"\n')
    result = wiring.check_file(str(path))
    found = sorted((d.code, d.message, d.help) for d in result.diagnostics)
    assert found == [
        ("E0122", "`allow S0201 on agnt`: no box `agnt` in any of `Monitored`, `Plain`",
         "did you mean `agent`?"),
        ("E0122", "`assert gated(mn)`: no box `mn` in any of `Monitored`, `Plain`",
         "did you mean `mon`?"),
    ]
    assert not result.ok


def test_a_file_level_assertion_applies_to_the_top_diagrams_that_have_its_boxes(tmp_path):
    path = tmp_path / "p.wd"
    path.write_text(_TWO_TOPS + "assert gated(pi)\n")
    result = wiring.check_file(str(path))
    assert result.ok, result.report()
    from wiring.analysis import analyse

    monitored = analyse(result.proposal, "Monitored")
    assert [(a.assertion.text, a.holds) for a in monitored.assertions] == \
        [("assert gated(pi)", True)]
    # `Plain` has no box `pi`: the assertion is not about it, and not an error there
    plain = analyse(result.proposal, "Plain")
    assert plain.assertions == []
    assert not [f for f in plain.findings if f.code == "E0122"]


def test_an_earlier_error_does_not_cascade_into_unknown_boxes(tmp_path):
    # `mon`'s component is broken, so elaboration drops the instance: the assertion naming it
    # must not add an E0122 to the one real mistake.
    broken = _TWO_TOPS.replace("out checked  : Response",
                               "out checked  : Response\n  out checked  : Response")
    path = tmp_path / "p.wd"
    path.write_text(broken + "assert gated(mon)\n")
    assert [d.code for d in wiring.check_file(str(path)).diagnostics] == ["E0112"]


@pytest.mark.parametrize("statement, name", [
    ('allow S0201 on pi.response because "a port cannot be on a witness"', "pi.response"),
    ('allow S0201 on pi.nothing because "no such port"', "pi.nothing"),
    ("assert no path pi.nothing -> world", "pi.nothing"),
    ("assert gated(nowhere)", "nowhere"),
])
def test_names_resolve_to_what_the_analyses_can_match(tmp_path, statement, name):
    # An `allow` matches the boxes on a witness, so it must name a box; an assertion may name a
    # box, a port the box declares, or an outer port. Anything else is E0122 from `check`.
    path = tmp_path / "p.wd"
    path.write_text(_TWO_TOPS.replace("diagram Plain {", "diagram Plain {\n  " + statement))
    found = [(d.code, d.message) for d in wiring.check_file(str(path)).diagnostics]
    assert len(found) == 1 and found[0][0] == "E0122" and f"no box `{name}`" in found[0][1]


def test_an_assertion_may_name_a_declared_port_or_an_outer_port(tmp_path):
    path = tmp_path / "p.wd"
    path.write_text(_TWO_TOPS.replace("diagram Plain {", "diagram Plain {\n"
                                      "  assert no path agent.response -> world.response"))
    result = wiring.check_file(str(path))
    assert result.ok, result.report()


def test_lint_says_what_had_nothing_to_examine(tmp_path, capsys):
    # An evaluation-only protocol (no training, no sink) must not read as a clean bill.
    path = tmp_path / "eval.wd"
    path.write_text("type Q\ncomponent Source : source {\n  out q : Q\n}\n"
                    "component Model : policy, untrusted {\n  in q : Q\n  out a : Q\n}\n"
                    "diagram Eval {\n  modes collect : evaluation, score : evaluation\n  out a : Q\n  src = Source\n"
                    "  m = Model\n  src.q -> m.q\n  m.a -> a\n}\n")
    assert main(["lint", "--color", "never", str(path)]) == 0
    text = capsys.readouterr().out
    notes = [line for line in text.splitlines() if line.startswith("note: no ")]
    assert [n.split(":")[1].strip() for n in notes] == \
        ["no deployment mode", "no sink", "no training statement"]
    assert "none of the modes `collect`, `score` has the phase `deployment`" in notes[0]
    assert main(["lint", "--format", "json", str(path)]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert [n.split(":")[0] for n in payload[0]["diagrams"][0]["unexamined"]] == \
        ["no deployment mode", "no sink", "no training statement"]
    # a trained proposal that deploys to a sink has nothing unexamined
    assert main(["lint", "--format", "json", "examples/rlhf.wd"]) in (0, 1)
    assert json.loads(capsys.readouterr().out)[0]["diagrams"][0]["unexamined"] == []
