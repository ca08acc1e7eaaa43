"""S0301 (a monitor watching a model of its own family) on a fan-out of untrusted monitors:
each monitor of the watched model's family is one finding, and monitors of no hazard's
family give none (the analysis does not search from them: docs/performance.md)."""

from __future__ import annotations

import pytest

import wiring
from wiring.analysis import analyse

_FAN = """type Prompt
type Response
component Source : source, trusted {{
  out prompt : Prompt
}}
component Policy : policy, learned, untrusted, provenance = "base-lm" {{
  in  prompt   : Prompt
  out response : Response
}}
component Judge : monitor, untrusted, provenance = "{provenance}" {{
  in  response : Response
  out verdict  : Real in [0, 1]
}}
diagram Fan {{
  src = Source
  pi = Policy
{judges}
  src.prompt -> pi.prompt
  pi.response -> {inputs}
}}
"""


def _fan(provenance: str, judges: int) -> str:
    return _FAN.format(provenance=provenance,
                       judges="\n".join(f"  j{i} = Judge" for i in range(judges)),
                       inputs=", ".join(f"j{i}.response" for i in range(judges)))


@pytest.mark.parametrize("judges", [1, 7, 40])
def test_every_monitor_of_the_models_family_is_one_finding(judges):
    analysis = analyse(wiring.loads(_fan("base-lm", judges), "fan.wd"))
    collusion = [f for f in analysis.findings if f.code == "S0301"]
    assert sorted(f.witness[-1].box for f in collusion) == sorted(f"j{i}" for i in range(judges))
    assert all([s.box for s in f.witness] == ["pi", f.witness[-1].box] for f in collusion)


@pytest.mark.parametrize("judges", [1, 7, 40])
def test_monitors_of_no_hazards_family_give_no_finding(judges):
    analysis = analyse(wiring.loads(_fan("other-lab", judges), "fan.wd"))
    assert not [f for f in analysis.findings if f.code == "S0301"]
