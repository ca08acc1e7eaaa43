"""The standard library (wiring/std): every module checks on its own and together with the
others; every component is documented, used by an example or listed in the library's index, and
has the kinds and defaults the analyses read; the examples written with it keep their findings,
acknowledgements and assertions."""

import re
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

import wiring
from wiring.analysis import analyse
from wiring.sources import std_modules

from conftest import EXAMPLES, ROOT

STD = Path(str(resources.files("wiring").joinpath("std")))
MODULES = std_modules()


def _everything():
    """Every module imported into one proposal, as a user would."""
    text = "".join(f'import "std/{m}"\n' for m in MODULES)
    result = wiring.check_text(text, "proposal.wd")
    assert result.ok, result.report()
    return result.proposal


def _components_by_module():
    found: dict[str, list[str]] = {m: [] for m in MODULES}
    for name, component in _everything().components.items():
        found[component.span.file.removeprefix("std/")].append(name)
    return found


def _uses_std(path: Path) -> bool:
    return 'import "std/' in path.read_text(encoding="utf-8")


STD_EXAMPLES = [p for p in EXAMPLES if _uses_std(p)]


# ------------------------------------------------------------------------------ the modules

def test_the_library_has_its_modules():
    assert {"core.wd", "models.wd", "oversight.wd", "world.wd", "tools.wd", "debate.wd"} <= \
        set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_module_checks_clean_on_its_own(module):
    result = wiring.check_file(str(STD / module))
    assert result.ok, result.report()
    assert not result.diagnostics, result.report()


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_by_its_std_name(module):
    result = wiring.check_text(f'import "std/{module}"\n', "proposal.wd")
    assert result.ok, result.report()
    assert not result.diagnostics, result.report()


def test_all_modules_import_together_without_clashes():
    proposal = _everything()
    assert proposal.components and not proposal.diagrams


def test_modules_declare_no_parameters_or_diagrams():
    # A module cannot know a proposal's numbers, and a parameter it declared would take that
    # name from every proposal that imports it; diagrams would become the analysed top. The
    # one exception is control.wd, whose numbers are the point: the shared model of attacks
    # and audits that every AI-control protocol is evaluated with (issue 15, item 7).
    proposal = _everything()
    assert {p.span.file for p in proposal.params.values()} <= {"std/control.wd"}
    assert not proposal.diagrams


def test_every_std_component_is_documented_in_its_note_and_the_index():
    """Each component says what it stands for, and core.wd's index lists each module's
    components exactly (it is the library's table of contents)."""
    proposal = _everything()
    for name, component in proposal.components.items():
        assert component.notes and len(component.notes[0]) > 20, name
    header = (STD / "core.wd").read_text(encoding="utf-8").split("All declarations", 1)[0]
    index: dict[str, set[str]] = {}
    current = None
    for line in header.splitlines():
        match = re.match(r"#\s+(\w+\.wd)\s+(.*)", line)
        if match:
            current = match.group(1)
            line = match.group(2)
        elif current is None or not line.startswith("#  "):
            continue
        index.setdefault(current, set()).update(
            w for w in re.findall(r"\b[A-Z]\w+\b", line) if w in proposal.components)
    for module, names in _components_by_module().items():
        assert index.get(module, set()) == set(names), module


def test_every_std_component_is_used_by_an_example_or_indexed():
    used = set()
    for path in STD_EXAMPLES:
        proposal = wiring.load(path)
        used |= {i.of for d in proposal.diagrams.values() for i in d.instances}
    header = (STD / "core.wd").read_text(encoding="utf-8")
    for module, names in _components_by_module().items():
        for name in names:
            assert name in used or re.search(rf"\b{name}\b", header), (module, name)
    # the library is not shelfware: most of it is used by the examples
    everything = [n for names in _components_by_module().values() for n in names]
    assert len(used & set(everything)) >= len(everything) * 2 // 3


def test_learned_models_are_untrusted_unless_claimed():
    proposal = _everything()
    for name in _components_by_module()["models.wd"]:
        attributes = proposal.components[name].attributes
        assert attributes.learned and attributes.trust == "untrusted", name


# ---------------------------------------------------- kinds and defaults the analyses read

def _lint(text: str):
    result = wiring.check_text(text, "proposal.wd")
    assert result.ok, result.report()
    return analyse(result.proposal)


def _codes(analysis) -> set[str]:
    return {f.code for f in analysis.findings}


GATED = """import "std/models.wd"
import "std/oversight.wd"
import "std/world.wd"
diagram D {{
  src = PromptDataset; pi = Policy; gate = {gate}; world = Sink
  src.prompt -> pi.prompt{extra}
  pi.response -> gate.response
  gate.passed -> world.response
  assert gated(pi)
}}
"""


@pytest.mark.parametrize("gate, extra", [
    ("Filter", ""), ("RateLimiter", ""), ("Sandbox", ""), ("Timeout", ""),
    ("Overseer", ", gate.prompt"),
])
def test_std_gates_gate_untrusted_output(gate, extra):
    analysis = _lint(GATED.format(gate=gate, extra=extra))
    assert "S0201" not in _codes(analysis)
    assert all(a.holds for a in analysis.assertions)


def test_an_ungated_std_policy_reaches_the_world():
    analysis = _lint("""import "std/models.wd"
import "std/world.wd"
diagram D {
  src = PromptDataset; pi = Policy; world = Sink
  src.prompt -> pi.prompt
  pi.response -> world.response
}
""")
    assert "S0201" in _codes(analysis)


def test_trust_in_a_learned_check_is_claimed_per_instance():
    editor = GATED.replace("gate.passed", "gate.edited").replace("{extra}", ", gate.prompt{extra}")
    assert "S0201" in _codes(_lint(editor.format(gate="Editor", extra="")))
    assert "S0201" not in _codes(_lint(editor.format(gate="Editor with trusted", extra="")))


COLLUSION = """import "std/models.wd"
import "std/oversight.wd"
import "std/world.wd"
diagram D {{
  out suspicion : Suspicion
  src = PromptDataset; pi = Policy with provenance = "m"; mon = Monitor with provenance = "m"
  {redact}
  mon.suspicion -> suspicion
}}
"""


def test_std_monitor_of_the_same_family_may_collude_unless_redacted():
    direct = COLLUSION.format(redact="src.prompt -> pi.prompt, mon.prompt\n"
                              "  pi.response -> mon.response")
    assert "S0301" in _codes(_lint(direct))
    redacted = COLLUSION.format(redact="""r = Redactor with trusted
  src.prompt -> pi.prompt, r.prompt
  pi.response -> r.response
  r.redacted_prompt -> mon.prompt
  r.redacted_response -> mon.response""")
    assert "S0301" not in _codes(_lint(redacted))


def test_std_reward_model_in_the_signal_is_a_goodhart_proxy():
    analysis = _lint("""import "std/models.wd"
import "std/world.wd"
diagram D {
  src = PromptDataset; pi = Policy; rm = RewardModel
  src.prompt -> pi.prompt, rm.prompt
  pi.response -> rm.response
  train pi by ppo maximising rm.score
}
""")
    assert "S0101" in _codes(analysis)


# ----------------------------------------------------------- the examples written with it

# file, top diagram, findings left standing, findings acknowledged, number of assertions,
# assertions that fail. Acknowledged findings still print; an assertion that fails is a real
# disagreement between the design and the claim (the early-stopping variant breaks the
# overoptimisation experiment's premise on purpose).
STD_FINDINGS = [
    ("best_of_n.wd", "BestOfN", ["S0201", "S0503"], ["S0101"], 0, []),
    ("best_of_n.wd", "Filtering", ["S0101", "S0302", "S0401", "S0401", "S0503"], [], 2, []),
    ("constitutional_ai.wd", "ConstitutionalAI",
     ["S0201", "S0301", "S0301", "S0402", "S0501", "S0503"], ["S0101"], 0, []),
    ("control_defer_to_trusted.wd", "DeferToTrusted", [], ["S0401", "S0401"], 6, []),
    ("control_trusted_editing.wd", "TrustedEditing", [], ["S0401", "S0401"], 6, []),
    ("control_trusted_monitoring.wd", "TrustedMonitoring", ["S0202"], ["S0401", "S0401"], 4, []),
    ("control_untrusted_monitoring.wd", "UntrustedMonitoring", ["S0202", "S0304"], ["S0401"],
     4, []),
    ("control_untrusted_monitoring_countermeasures.wd", "UntrustedMonitoringWithCountermeasures",
     ["S0202"], ["S0304", "S0401"], 7, []),
    ("control_upfront_auditing.wd", "UpfrontAuditing", ["S0202"], ["S0401"], 5, []),
    ("critiques.wd", "CritiqueAssistedEvaluation", ["S0201", "S0201", "S0402", "S0501"],
     ["S0101", "S0301", "S0401"], 1, []),
    ("cyborgism.wd", "Cyborgism", [], ["S0401"], 2, []),
    ("debate.wd", "Debate", ["S0503", "S0503"], ["S0401", "S0401", "S0401", "S0401"], 2, []),
    ("ida.wd", "IDA", ["S0201", "S0503"], [], 3, []),
    ("open_agency.wd", "OpenAgency", ["S0403"],
     ["S0101", "S0303", "S0401", "S0401", "S0401", "S0401"], 5, []),
    ("overoptimisation.wd", "Overoptimisation", [], ["S0101", "S0103"], 1, []),
    ("overoptimisation_early_stopping.wd", "Overoptimisation", ["S0102", "S0401", "S0701"],
     ["S0101", "S0103"], 1, ["no incentive policy on gold_eval"]),
    ("process_supervision.wd", "ProcessVsOutcome",
     ["S0101", "S0201", "S0302", "S0401", "S0402", "S0501"], ["S0101", "S0401"], 1, []),
    ("rlhf.wd", "InstructGPT", ["S0201", "S0402", "S0501", "S0503"], ["S0101", "S0401"], 0, []),
    ("rrm.wd", "RecursiveRewardModeling", ["S0201", "S0301", "S0402", "S0501", "S0503"],
     ["S0101", "S0401"], 0, []),
    ("swiss_cheese.wd", "SwissCheese", ["S0203", "S0303"],
     ["S0101", "S0401", "S0401", "S0401", "S0401"], 5, []),
]


def test_the_converted_examples_use_the_library():
    names = {p.relative_to(ROOT / "examples").as_posix() for p in STD_EXAMPLES}
    assert {row[0] for row in STD_FINDINGS} == names
    assert {"rlhf.wd", "debate.wd", "best_of_n.wd", "critiques.wd",
            "control_trusted_monitoring.wd"} <= names


@pytest.mark.parametrize("name, diagram, standing, acknowledged, asserts, failing", STD_FINDINGS,
                         ids=lambda v: str(v))
def test_std_example_keeps_its_findings(name, diagram, standing, acknowledged, asserts, failing):
    analysis = analyse(wiring.load(ROOT / "examples" / name), diagram)
    # Every finding, those shown as notes of another of the same loop too (`also`).
    found = [e for f in analysis.findings for e in (f, *f.also)]
    assert Counter(f.code for f in found if f.acknowledged is None) == Counter(standing)
    assert Counter(f.code for f in found if f.acknowledged is not None) == Counter(acknowledged)
    assert len(analysis.assertions) == asserts
    assert sorted(a.assertion.text.removeprefix("assert ") for a in analysis.assertions
                  if not a.holds) == sorted(failing)


def _top_diagrams(proposal):
    used = {i.of for d in proposal.diagrams.values() for i in d.instances if i.of_diagram}
    return [d.name for d in proposal.diagrams.values()
            if d.span.file == proposal.file and d.name not in used]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_acknowledgement_is_used_and_gives_a_sourced_reason(path):
    """An `allow` that acknowledges nothing is stale; its reason cites the source's position."""
    proposal = wiring.load(path)
    for allow in proposal.allows:
        assert re.search(r"\b(19|20)\d\d\b", allow.reason), allow.reason
        diagrams = [allow.diagram] if allow.diagram else _top_diagrams(proposal)
        matched = False
        for diagram in diagrams:
            analysis = analyse(proposal, diagram)
            matched |= any(e.acknowledged == allow.reason and e.code == allow.code
                           for f in analysis.findings for e in (f, *f.also))
        assert matched, f"{path.name}: allow {allow.code} acknowledges nothing"
