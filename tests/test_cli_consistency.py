"""Every subcommand behaves alike (issue 10, item 11): check, lint, analyze and export take
several files; each command's --help describes it and lists its exit codes from one table;
every command that writes a file prints the same `wrote PATH` line, writes atomically and never
over one of its inputs."""

import json
import re
import shutil
import subprocess
import sys

import pytest

from wiring.cli import build_parser, main
from wiring.cli.exits import EXITS

from conftest import ROOT

WROTE = re.compile(r"^wrote (\S+)$")


@pytest.mark.parametrize("command", sorted(EXITS))
def test_each_help_describes_the_command_and_lists_its_exit_codes(command, capsys):
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    head, _, codes = text.partition("\nexit codes:\n")
    assert codes, f"`wiring {command} --help` lists no exit codes"
    listed = [int(m) for m in re.findall(r"^  (\d+) ", codes, re.M)]
    assert listed == [code for code, _ in EXITS[command]] + [70, 130]
    description = head.split("\n\n")[1]
    assert len(description.split()) >= 6, f"`wiring {command} --help` has no description"


def test_every_subcommand_is_in_the_exit_code_table():
    parser = build_parser()
    (sub,) = [a for a in parser._actions if a.dest == "command"]
    assert set(sub.choices) - {"analyse"} == set(EXITS)


def test_render_help_shows_file_as_required(capsys):
    with pytest.raises(SystemExit):
        main(["render", "--help"])
    assert capsys.readouterr().out.startswith("usage: wiring render [options] FILE\n")


def test_analyze_takes_several_files(capsys):
    files = ["examples/rlhf.wd", "examples/debate.wd"]
    assert main(["analyze", *files]) == 0
    out = capsys.readouterr().out
    assert "examples/rlhf.wd: incentive report for `InstructGPT`" in out
    assert "examples/debate.wd: incentive report for" in out
    assert main(["analyze", "--format", "json", *files]) == 0
    assert [r["file"] for r in json.loads(capsys.readouterr().out)] == files


def test_export_of_several_files_is_json_lines(capsys):
    files = ["examples/rlhf.wd", "examples/debate.wd"]
    assert main(["export", *files]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert [json.loads(line)["file"].endswith(name) for line, name in
            zip(lines, ("rlhf.wd", "debate.wd"))] == [True, True]


def test_export_to_a_directory_writes_one_document_per_file(tmp_path, capsys):
    out = tmp_path / "models"
    assert main(["export", "examples/rlhf.wd", "examples/debate.wd", "-o", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed == [f"wrote {out / 'rlhf.json'}", f"wrote {out / 'debate.json'}"]
    assert json.loads((out / "rlhf.json").read_text())["title"]
    assert sorted(p.name for p in out.iterdir()) == ["debate.json", "rlhf.json"]   # no temp files


def test_export_refuses_to_write_over_its_input(tmp_path, capsys):
    source = tmp_path / "p.wd"
    shutil.copy(ROOT / "examples" / "rlhf.wd", source)
    before = source.read_bytes()
    assert main(["export", str(source), "-o", str(source)]) == 2
    assert "it is an input of this command" in capsys.readouterr().err
    assert source.read_bytes() == before


def test_every_writing_command_prints_the_same_wrote_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    outputs = {
        "new": (["new", "starter"], "starter.wd"),
        "render": (["render", str(ROOT / "examples" / "rlhf.wd"), "-o", "r.dot"], "r.dot"),
        "export": (["export", str(ROOT / "examples" / "rlhf.wd"), "-o", "r.json"], "r.json"),
    }
    for command, (argv, path) in outputs.items():
        assert main(argv) == 0, command
        first = capsys.readouterr().out.splitlines()[0]
        assert WROTE.match(first) and WROTE.match(first).group(1) == path, (command, first)
        assert (tmp_path / path).stat().st_size > 0


def test_an_unwritable_output_is_a_usage_error(tmp_path, capsys):
    target = tmp_path / "missing" / "out.json"
    assert main(["export", "examples/rlhf.wd", "-o", str(target)]) == 2
    assert f"cannot write {target}" in capsys.readouterr().err
    assert not target.parent.exists()


def test_python_dash_m_wiring_runs_the_command_line():
    run = subprocess.run([sys.executable, "-m", "wiring", "check", "examples/rlhf.wd"], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout == "examples/rlhf.wd: ok\n"


def test_commands_accept_an_exported_model(tmp_path, capsys):
    exported = tmp_path / "rlhf.json"
    assert main(["export", "examples/rlhf.wd", "-o", str(exported)]) == 0
    assert main(["lint", "--format", "json", "examples/rlhf.wd"]) == 1
    capsys.readouterr()
    assert main(["check", str(exported)]) == 0
    assert capsys.readouterr().out == f"{exported}: ok\n"
    assert main(["lint", "--format", "json", "examples/rlhf.wd", str(exported)]) == 1
    from_text, from_json = json.loads(capsys.readouterr().out)
    assert from_json["findings"] == from_text["findings"]
    edited = json.loads(exported.read_text())
    edited["components"]["Policy"]["attributes"]["kind"] = "polcy"
    exported.write_text(json.dumps(edited))
    assert main(["check", str(exported)]) == 1
    assert f"--> {exported}: /components/Policy/attributes/kind" in capsys.readouterr().err


def test_export_dash_o_dash_is_standard_output(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    files = [str(ROOT / "examples" / "rlhf.wd"), str(ROOT / "examples" / "debate.wd")]
    assert main(["export", *files, "-o", "-"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["check", "lint", "analyze", "render", "export", "diff"])
def test_help_says_a_file_may_be_an_exported_model(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert "(.json)" in capsys.readouterr().out


def test_an_export_whose_files_all_fail_leaves_no_directory(tmp_path, capsys):
    bad, worse = tmp_path / "bad.wd", tmp_path / "worse.wd"
    bad.write_text("component {\n")
    worse.write_text("diagram {\n")
    assert main(["export", str(bad), str(worse), "-o", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out").exists()


def test_analyze_says_when_there_is_nothing_to_bound(tmp_path, capsys):
    path = tmp_path / "p.wd"
    path.write_text("type Q\ncomponent Src : source {\n  out q : Q\n}\n"
                    "diagram D {\n  out q : Q\n  s = Src\n  s.q -> q\n}\n")
    assert main(["analyze", str(path)]) == 0
    assert "reaches the world: nothing to bound" in capsys.readouterr().out
