"""`wiring export --to networkx|pycid`: the graphs the analyses read, for other tools."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import networkx as nx
import pytest

from conftest import ROOT

WIRING = [sys.executable, "-m", "wiring"]
SMALL = "examples/incentives/grade_predictor.wd"


def _export(*args, seed="0"):
    run = subprocess.run(WIRING + ["export", *args], capture_output=True, text=True,
                         env={**os.environ, "PYTHONHASHSEED": seed})
    return run


def _analyze(path, *args):
    run = subprocess.run(WIRING + ["analyze", path, "--format", "json", *args],
                         capture_output=True, text=True)
    return json.loads(run.stdout)[0]["diagrams"][0]


@pytest.mark.parametrize("path", [SMALL, "examples/rlhf.wd", "examples/debate.wd"])
def test_networkx_export_reads_back_as_the_analysed_graphs(path):
    run = _export(path, "--to", "networkx")
    assert run.returncode == 0, run.stderr
    document = json.loads(run.stdout)
    analysed = nx.node_link_graph(document["analysed_graph"], edges="edges")
    unrolled = nx.node_link_graph(document["influence_diagram"], edges="edges")
    assert analysed.is_multigraph() and analysed.number_of_edges() > 0
    assert nx.is_directed_acyclic_graph(unrolled)
    report = _analyze(path)
    agents = unrolled.graph["agents"]
    # the agents whose incentives `wiring analyze` reports are the exported decision makers
    assert sorted(agents) == sorted(d["decision"] for d in report["decisions"])
    for parts in agents.values():
        assert all(unrolled.nodes[n]["role"] == "decision" for n in parts["decisions"])
        assert all(unrolled.nodes[n]["role"] == "utility" for n in parts["utilities"])
    # every box the incentives name is a box of the analysed graph
    named = {box for d in report["decisions"] for table in ("voi", "ri", "voc")
             for box in d[table] if not box.startswith("\u0398")}
    assert named <= set(analysed.nodes)


def test_networkx_export_is_the_same_whatever_the_hash_seed():
    assert _export("examples/ida.wd", "--to", "networkx", seed="1").stdout == \
        _export("examples/ida.wd", "--to", "networkx", seed="2").stdout


def test_steps_set_the_influence_diagram_length():
    document = json.loads(_export(SMALL, "--to", "networkx", "--steps", "2").stdout)
    steps = {n["step"] for n in document["influence_diagram"]["nodes"]}
    assert steps == {0, 1} and document["steps"] == 2


def test_an_unknown_diagram_is_a_usage_error():
    run = _export(SMALL, "--to", "networkx", "--diagram", "Nope")
    assert run.returncode == 2 and "Nope" in run.stderr


def test_pycid_module_is_written_and_names_the_decisions(tmp_path):
    out = tmp_path / "macid.py"
    run = _export(SMALL, "--to", "pycid", "-o", str(out))
    assert run.returncode == 0, run.stderr
    text = out.read_text(encoding="utf-8")
    assert text.count("import pycid") == 1 and '"predictor@0"' in text


def test_pycids_criteria_agree_with_wiring_analyze(tmp_path):
    """Where PyCID is installed (it is not by scripts/setup.sh: docs/rendering.md says why
    and how), its own criteria on the exported diagram give `wiring analyze`'s sets. One step:
    PyCID's criteria ask for sufficient recall, which an agent deciding at several steps
    without seeing its past decisions does not have."""
    pycid = pytest.importorskip("pycid", reason="PyCID is not installed (optional: see "
                                "docs/rendering.md, 'Exports for cross-checks')")
    out = tmp_path / "macid.py"
    assert _export(SMALL, "--to", "pycid", "--steps", "1", "-o", str(out)).returncode == 0
    scope: dict = {}
    exec(compile(out.read_text(encoding="utf-8"), str(out), "exec"), scope)   # our own output
    macid = scope["macid"]
    report = _analyze(SMALL, "--steps", "1")["decisions"][0]
    decision = "predictor@0"
    # by box, as the report names them (PyCID may list utility nodes too: not boxes)
    boxes = lambda nodes: {n.rsplit("@", 1)[0] for n in nodes if not n.startswith("U:")}
    assert boxes(pycid.admits_voi_list(macid, decision)) == set(report["voi"])
    assert boxes(pycid.admits_ri_list(macid, decision)) == set(report["ri"])
    assert boxes(pycid.admits_voc_list(macid)) == set(report["voc"])
    assert boxes(pycid.admits_ici_list(macid, decision)) - {"predictor"} == \
        set(report["ici_control"]) | set(report["ici_info"])


def test_several_files_go_into_a_directory(tmp_path):
    files = [SMALL, "examples/ida.wd"]
    run = _export(*files, "--to", "networkx")
    assert run.returncode == 2 and "-o DIR/" in run.stderr
    run = _export(*files, "--to", "pycid", "-o", str(tmp_path / "out") + "/")
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["grade_predictor.py",
                                                                   "ida.py"]


def test_never_written_over_an_input():
    before = (ROOT / SMALL).read_bytes()
    run = _export(SMALL, "--to", "networkx", "-o", SMALL)
    assert run.returncode == 2 and (ROOT / SMALL).read_bytes() == before


def test_two_inputs_of_one_name_are_refused_before_anything_is_written(tmp_path):
    """`a/x.wd b/x.wd -o out/` would write out/x.json twice, the second over the first."""
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.wd").write_bytes((ROOT / SMALL).read_bytes())
    out = tmp_path / "out"
    run = _export(str(tmp_path / "a" / "x.wd"), str(tmp_path / "b" / "x.wd"), "--to",
                  "networkx", "-o", str(out) + "/")
    assert run.returncode == 2 and "several inputs are named x.wd" in run.stderr
    assert not out.exists()


@pytest.mark.parametrize("option", [["--diagram", "nope"], ["--steps", "5"]])
def test_graph_options_without_a_graph_export_are_refused(tmp_path, option):
    """--diagram and --steps choose the graphs' diagram and length: with the JSON model they
    would do nothing, silently."""
    out = tmp_path / "m.json"
    run = _export(SMALL, *option, "-o", str(out))
    assert run.returncode == 2 and "--to networkx" in run.stderr and not out.exists()
