"""`wiring diff` and `wiring new`."""

import json
import subprocess
import sys

from wiring.cli import main

from conftest import ROOT


def test_diff_names_the_one_design_change(capsys):
    code = main(["diff", "examples/overoptimisation.wd", "examples/overoptimisation_early_stopping.wd"])
    assert code == 1
    out = capsys.readouterr().out
    assert "+ train policy by early_stopping(checkpoints) maximises gold_eval.score" in out
    assert "+ S0102 held-out `gold_eval` feeds a selection of `policy`" in out
    assert "wires:" not in out  # the wiring is the same


def test_diff_of_control_protocols_reports_the_repair(capsys):
    assert main(["diff", "--format", "json", "examples/control_trusted_monitoring.wd",
                 "examples/control_defer_to_trusted.wd"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert not report["same"]
    assert "adds a trusted router `defer`" in report["summary"]
    assert any(c["section"] == "findings" and c["op"] == "-" and c["text"].startswith("S0202")
               for c in report["changes"])


def test_diff_of_a_file_with_itself_is_empty(capsys):
    assert main(["diff", "examples/rlhf.wd", "examples/rlhf.wd"]) == 0
    assert "no difference" in capsys.readouterr().out


def test_diff_sees_trust_changes(tmp_path, capsys):
    from wiring.codes import CODES

    a, b = tmp_path / "a.wd", tmp_path / "b.wd"
    a.write_text(CODES["S0201"].example)
    b.write_text(CODES["S0201"].example.replace("component Policy : policy, learned, untrusted",
                                                "component Policy : policy, learned, trusted"))
    assert main(["diff", str(a), str(b)]) == 1
    out = capsys.readouterr().out
    assert "~ `pi`: trust untrusted -> trusted" in out
    assert "- S0201 untrusted `pi` reaches `world`" in out


def test_new_writes_a_starter_that_checks_lints_and_renders(tmp_path):
    run = lambda *args: subprocess.run([sys.executable, "-m", "wiring.cli", *args],  # noqa: E731
                                       capture_output=True, text=True, cwd=tmp_path)
    made = run("new", "safety_case")
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "safety_case.wd").is_file()
    assert run("check", "safety_case.wd").returncode == 0
    lint = run("lint", "safety_case.wd")
    assert lint.returncode == 0 and "1 of 1 assertions hold" in lint.stdout
    dot = run("render", "safety_case.wd", "-o", "safety_case.dot")
    assert dot.returncode == 0 and "digraph" in (tmp_path / "safety_case.dot").read_text()
    again = run("new", "safety_case")
    assert again.returncode == 2 and "already exists" in again.stderr
