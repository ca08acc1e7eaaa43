"""The Python API and the JSON model: load, loads, errors as data, export and re-import."""

import json
import subprocess
import sys

import pytest

import wiring
from wiring.cli import main
from wiring.model import Proposal

from conftest import EXAMPLES, ROOT

SMALL = """
proposal "small"
type Prompt
type Response
param beta : Real >= 0 = 0.1
component Policy : policy, learned, untrusted {
  in  prompt   : Prompt
  out response : Response
}
component RewardModel : reward_model, learned {
  in  response : Response
  out score    : Real in [0, 1]
}
diagram RLHF {
  in  prompt   : Prompt
  out response : Response
  pi  = Policy
  ref = frozen pi
  rm  = RewardModel
  prompt -> pi.prompt, ref.prompt
  pi.response -> rm.response, response
  train pi by ppo maximising rm.score - beta * kl(pi, ref)
}
"""


def test_loads_returns_the_checked_model():
    proposal = wiring.loads(SMALL)
    assert isinstance(proposal, Proposal)
    assert proposal.title == "small"
    diagram = proposal.diagrams["RLHF"]
    assert [i.name for i in diagram.instances] == ["pi", "ref", "rm"]
    ref = diagram.instances[1]
    assert ref.frozen and ref.snapshot_of == "pi" and not ref.attributes.learned
    (training,) = diagram.trainings
    assert training.target == "pi" and training.family == "rl"
    assert training.objective == "maximise"
    # copies are explicit in the model: `prompt` feeds two inputs
    assert {c.source: c.targets for c in diagram.copies} == {
        "pi.response": ["response", "rm.response"], "prompt": ["pi.prompt", "ref.prompt"]}
    assert proposal.kinds["reward_model"].parent == "evaluator"


def test_loads_raises_with_every_problem():
    broken = SMALL.replace("rm.score -", "rm.scor -").replace("pi.response -> rm.response",
                                                              "pi.response -> rm.respons")
    with pytest.raises(wiring.CheckError) as caught:
        wiring.loads(broken)
    codes = sorted(d.code for d in caught.value.diagnostics)
    assert codes == ["E0105", "E0105"]
    assert "did you mean `score`?" in str(caught.value)


def test_load_reads_a_file(tmp_path):
    path = tmp_path / "p.wd"
    path.write_text(SMALL)
    assert wiring.load(path).diagrams["RLHF"].name == "RLHF"


def test_check_file_never_raises_on_io_problems(tmp_path):
    result = wiring.check_file(str(tmp_path / "missing.wd"))
    assert not result.ok and result.proposal is None
    assert [d.code for d in result.diagnostics] == ["E0501"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_exported_json_loads_back_to_an_equal_model(path):
    proposal = wiring.load(path)
    text = proposal.model_dump_json()
    again = wiring.load_json(text)
    assert again == proposal
    assert again.model_dump_json() == text  # and exports identically


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_checks_clean(path):
    result = wiring.check_file(str(path))
    assert result.ok, result.report()
    assert not [d for d in result.diagnostics if d.severity == "warning"], result.report()


def test_export_and_schema_commands(tmp_path, capsys):
    out = tmp_path / "rlhf.json"
    assert main(["export", "examples/rlhf.wd", "-o", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out}\n"
    exported = json.loads(out.read_text())
    assert exported["schema_version"] == 1
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "Proposal"
    # the exported model validates against its own schema's shape (top-level keys)
    assert set(exported) <= set(schema["properties"])


def test_export_is_deterministic(tmp_path):
    first = subprocess.run([sys.executable, "-m", "wiring.cli", "export", "examples/rlhf.wd"],
                           capture_output=True, text=True, cwd=ROOT).stdout
    second = subprocess.run([sys.executable, "-m", "wiring.cli", "export", "examples/rlhf.wd"],
                            capture_output=True, text=True, cwd=ROOT).stdout
    assert first and first == second


def test_check_json_format(tmp_path, capsys):
    path = tmp_path / "bad.wd"
    path.write_text(SMALL)
    assert main(["check", "--format", "json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)[0]["diagnostics"] == []
    path.write_text(SMALL.replace("in  prompt   : Prompt\n  out response",
                                  "in  prompt   : Response\n  out response", 1))
    assert main(["check", "--format", "json", str(path)]) == 1
    (report,) = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    diagnostic = report["diagnostics"][0]
    assert diagnostic["code"] == "E0203"
    assert diagnostic["span"]["line"] > 0 and diagnostic["help"]


def test_exit_codes(tmp_path):
    good, bad = tmp_path / "good.wd", tmp_path / "bad.wd"
    good.write_text(SMALL)
    bad.write_text(SMALL + "\ntype Prompt\n")
    assert main(["check", str(good)]) == 0
    assert main(["check", str(bad)]) == 1
    assert main(["check", str(tmp_path / "nope.wd")]) == 2
    assert main(["check", str(tmp_path)]) == 2
    with pytest.raises(SystemExit) as usage:
        main(["check"])
    assert usage.value.code == 2


def test_imports_share_declarations(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "types.wd").write_text("type Prompt\ntype Response\n")
    (tmp_path / "main.wd").write_text('import "lib/types.wd"\n' + SMALL.replace(
        "type Prompt\ntype Response\n", ""))
    proposal = wiring.load(tmp_path / "main.wd")
    assert proposal.types["Prompt"].span.file.endswith("types.wd")
    assert proposal.imports == [str(tmp_path / "lib" / "types.wd")]


def test_names_from_files_not_imported_are_reported(tmp_path):
    (tmp_path / "a.wd").write_text("type Prompt\n")
    (tmp_path / "b.wd").write_text('import "a.wd"\ntype Response\n')
    (tmp_path / "main.wd").write_text('import "b.wd"\ncomponent P : policy {\n  in x : Prompt\n}\n')
    # transitive imports are visible
    assert wiring.check_file(str(tmp_path / "main.wd")).ok
    (tmp_path / "c.wd").write_text('import "a.wd"\n')
    (tmp_path / "main2.wd").write_text('import "c.wd"\nimport "b.wd"\n')
    assert wiring.check_file(str(tmp_path / "main2.wd")).ok


def test_wheel_installs_and_runs_from_elsewhere(tmp_path):
    """The grammar and prelude ship inside the wheel: an installed copy works from any
    directory."""
    dist = tmp_path / "dist"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                            "-w", str(dist), str(ROOT)], capture_output=True, text=True)
    if build.returncode != 0:
        build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w",
                                str(dist), str(ROOT)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = dist.glob("*.whl")   # wiring_diagrams-VERSION-...: the distribution
    target = tmp_path / "site"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--target",
                              str(target), str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-2000:]
    assert (target / "wiring" / "grammar" / "wiring.lark").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "p.wd").write_text(SMALL)
    run = subprocess.run([sys.executable, "-c", "import sys, wiring.cli; "
                          "print(wiring.__file__); sys.exit(wiring.cli.main(['check', 'p.wd']))"],
                         capture_output=True, text=True, cwd=elsewhere,
                         env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stdout + run.stderr
    assert str(target) in run.stdout and "p.wd: ok" in run.stdout


def test_check_returns_the_checked_proposal_and_leaves_the_elaborated_one_alone():
    # Stages are functions: check infers outer port types and records copies and merges in the
    # proposal it returns, and never edits the one elaboration gave it.
    from wiring.check import check
    from wiring.elaborate import elaborate
    from wiring.sources import load_program

    text = ("type Prompt\ncomponent P : policy {\n  in prompt : Prompt\n  out response : Prompt\n}\n"
            "diagram D {\n  in prompt\n  out response\n  a = P\n  b = P\n"
            "  prompt -> a.prompt, b.prompt\n  a.response -> response\n}\n")
    elaborated = elaborate(load_program("<string>", text)).proposal
    before = elaborated.model_dump_json()
    checked = check(elaborated)
    assert checked.diagnostics == [] or all(d.severity != "error" for d in checked.diagnostics)
    assert elaborated.model_dump_json() == before
    ports = {p.name: p.written for p in checked.proposal.diagrams["D"].ports}
    assert ports == {"prompt": "Prompt", "response": "Prompt"}
    assert [c.targets for c in checked.proposal.diagrams["D"].copies] == [["a.prompt", "b.prompt"]]
    assert elaborated.diagrams["D"].copies == []


def test_a_byte_order_mark_is_read_as_from_a_file(tmp_path):
    """An editor's buffer (the language server's text) may keep the UTF-8 byte-order mark that
    reading a file drops: the API reads both alike, not as an E0002 at 1:1."""
    text = 'import "std/core.wd"\ntype Note\n'
    path = tmp_path / "bom.wd"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert wiring.check_file(str(path)).ok
    assert wiring.check_text("\ufeff" + text, str(path)).ok
