"""Issue 11, items 6 and 8: every output path a command is given is checked, and a failure is
exit 2 with the reason (never exit 70); `render --dpi` is bounded and a PNG has a pixel budget;
text of any length in a proposal renders (Graphviz refuses a string over 16,384 characters)."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys

import pytest

from wiring import render as R
from wiring.cli import main

from conftest import ROOT
from render_support import SMALL, load, needs_dot

WIRING = [sys.executable, "-m", "wiring"]


@pytest.fixture
def proposal_file(tmp_path):
    path = tmp_path / "small.wd"
    path.write_text(SMALL, encoding="utf-8")
    return path


def run(args, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(WIRING + [str(a) for a in args], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=120)


def long_text(size: int) -> str:
    # words, escapes and non-ASCII: every character class the DOT printer escapes
    chunk = "wörd & <b> 'q' \u2713 \U0001F600 "
    return (chunk * (size // len(chunk) + 1))[:size]


# ------------------------------------------------------------------------ item 6: output paths

@pytest.mark.parametrize("command", ["export", "render"])
def test_an_output_in_a_missing_directory_is_exit_2_naming_it(proposal_file, tmp_path, command):
    out = tmp_path / "nodir" / ("x.json" if command == "export" else "x.svg")
    done = run([command, proposal_file, "-o", out], tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"cannot write {out}: the directory {out.parent} does not exist" in done.stderr
    assert not out.parent.exists()


@pytest.mark.parametrize("command", ["export", "render"])
def test_an_output_under_a_file_is_exit_2(proposal_file, tmp_path, command):
    out = tmp_path / "small.wd" / ("x.json" if command == "export" else "x.svg")
    done = run([command, proposal_file, "-o", out], tmp_path)
    assert done.returncode == 2
    assert f"{out.parent} is not a directory" in done.stderr
    assert proposal_file.read_text(encoding="utf-8") == SMALL


@pytest.mark.parametrize("directory", [".", "pictures", "pictures/"])
def test_render_to_an_existing_directory_is_exit_2_suggesting_a_file(proposal_file, tmp_path,
                                                                       directory):
    (tmp_path / "pictures").mkdir()
    done = run(["render", proposal_file, "-o", directory], tmp_path)
    assert done.returncode == 2
    assert "it is a directory; name a file, such as -o " in done.stderr
    suggestion = os.path.join(directory, "small.svg")
    assert done.stderr.rstrip().endswith(suggestion)
    assert "Device or resource busy" not in done.stderr
    assert sorted(os.listdir(tmp_path / "pictures")) == []


def test_export_to_an_existing_directory_writes_stem_json(proposal_file, tmp_path):
    (tmp_path / "models").mkdir()
    done = run(["export", proposal_file, "-o", "models"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "models" / "small.json").is_file()


def test_export_onto_a_directory_named_stem_json_is_exit_2(proposal_file, tmp_path):
    (tmp_path / "models" / "small.json").mkdir(parents=True)
    done = run(["export", proposal_file, "-o", "models"], tmp_path)
    assert done.returncode == 2
    assert "it is a directory" in done.stderr


def _read_only_directory(tmp_path):
    """A directory this process cannot write to: chmod when not root, else a read-only
    system directory (root ignores permissions)."""
    if os.geteuid() != 0:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        return ro
    for candidate in ("/sys", "/proc/sys"):
        if os.path.isdir(candidate) and not os.access(candidate, os.W_OK):
            return candidate
        try:
            open(os.path.join(candidate, ".wiring-probe"), "w").close()
        except OSError:
            return candidate
    pytest.skip("no read-only directory to write to")


@pytest.mark.parametrize("command, name", [("export", "x.json"), ("render", "x.svg"),
                                           ("render", "x.dot"), ("new", "x")])
def test_a_read_only_output_is_exit_2_with_the_reason(proposal_file, tmp_path, command, name):
    out = os.path.join(_read_only_directory(tmp_path), name)
    args = [command, out] if command == "new" else [command, proposal_file, "-o", out]
    done = run(args, tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert re.search(r"cannot write \S+: (Permission denied|Read-only file system|the "
                     r"directory \S+ is not writable)", done.stderr), done.stderr


def test_new_in_a_missing_directory_makes_it(tmp_path):
    done = run(["new", "drafts/idea"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "drafts" / "idea.wd").is_file()


# -------------------------------------------------------------------------------- item 8: dpi

@pytest.mark.parametrize("dpi", ["-5", "0", "9", "2401", "20000", "x"])
def test_render_refuses_a_dpi_out_of_range(proposal_file, capsys, dpi):
    with pytest.raises(SystemExit) as stop:
        main(["render", str(proposal_file), "--dpi", dpi, "-o", "-"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "argument --dpi" in err
    assert ("outside 10 to 2400" in err) or ("not a whole number" in err)


def test_the_api_refuses_a_dpi_out_of_range():
    with pytest.raises(R.RenderError, match="10 to 2400 dpi, not -5"):
        R.render(load(SMALL), "png", dpi=-5)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@needs_dot
def test_a_png_over_the_pixel_budget_is_scaled_down_saying_so(proposal_file, tmp_path,
                                                             monkeypatch, capsys):
    from wiring.render import graphviz

    monkeypatch.setattr(graphviz, "MAX_PIXELS", 1_000_000)
    out = tmp_path / "small.png"
    assert main(["render", str(proposal_file), "--dpi", "600", "-o", str(out)]) == 0
    width, height = _png_size(out.read_bytes())
    assert width * height <= 1_000_000 * 1.05
    err = capsys.readouterr().err
    assert re.search(r"at 600 dpi the picture would be [\d,]+ x [\d,]+ pixels; a PNG has at "
                     r"most 1 megapixels, so it is scaled down", err), err
    assert "lower --dpi such as" in err


@needs_dot
def test_a_png_within_the_budget_is_drawn_at_its_size(proposal_file, tmp_path, capsys):
    out = tmp_path / "small.png"
    assert main(["render", str(proposal_file), "--dpi", "72", "-o", str(out)]) == 0
    assert "scaled down" not in capsys.readouterr().err
    small = _png_size(out.read_bytes())
    assert main(["render", str(proposal_file), "--dpi", "144", "-o", str(out)]) == 0
    double = _png_size(out.read_bytes())
    assert abs(double[0] - 2 * small[0]) <= 4 and abs(double[1] - 2 * small[1]) <= 4


# ------------------------------------------------------------------------ item 8: long strings

LONG_NOTES = """\
proposal "{text}"
cites "{text}"
type P
component A : policy, learned, untrusted, provenance = "{text}" {{
  in  x : P note "{text}"
  out y : P
  note "{text}"
}}
component {name} : monitor, trusted {{
  in  {name} : P
  out y : P
}}
diagram Inner {{
  note "{text}"
  in x : P
  out y : P
  a = A note "{text}"
  x -> a.x note "{text}"
  a.y -> y
}}
diagram D {{
  in x : P
  out y : P
  i = Inner note "{text}"
  m = {name}
  x -> i.x
  i.y -> m.{name}
  m.y -> y note "{text}"
}}
"""


@pytest.fixture
def long_file(tmp_path):
    path = tmp_path / "long.wd"
    path.write_text(LONG_NOTES.format(text=long_text(20_000), name="N" + "n" * 20_000),
                    encoding="utf-8")
    return path


def test_no_string_in_the_dot_text_reaches_graphvizs_limit(long_file):
    dot_text = R.to_dot(load(long_file.read_text(encoding="utf-8")), "D", show_types=True)
    # Graphviz's lexer fails on a quoted string, or a run of HTML text or a tag, over 16,384
    for token in re.findall(r'"(?:[^"\\]|\\.)*"', dot_text) + re.findall(r"[^<>]+", dot_text):
        assert len(token) < 16_384
    assert "more characters)" in dot_text


@needs_dot
@pytest.mark.parametrize("options", [[], ["--direction", "TB", "--types"], ["--flatten"],
                                     ["--highlight"], ["--format", "png"]])
def test_a_20000_character_note_and_name_render(long_file, tmp_path, options):
    out = tmp_path / ("long.png" if "png" in options else "long.svg")
    done = run(["render", long_file, "--diagram", "D", "-o", out, *options], tmp_path)
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 0


@needs_dot
def test_a_20000_character_note_renders_with_its_start_in_the_tooltip(tmp_path):
    text = "start of the note " + "x" * 20_000
    path = tmp_path / "note.wd"
    path.write_text(LONG_NOTES.format(text=text, name="M"), encoding="utf-8")
    out = tmp_path / "note.svg"
    assert main(["render", str(path), "--diagram", "D", "-o", str(out)]) == 0
    svg = out.read_text(encoding="utf-8")
    assert "start of the note" in svg and "more characters)" in svg


def test_long_ids_stay_distinct():
    # two instance names that share their first thousands of characters are two nodes
    base = "b" * 5_000
    text = ("proposal \"ids\"\ntype P\ncomponent M : monitor {\n  in x : P\n  out y : P\n}\n"
            f"diagram D {{\n  in x : P\n  out y, z : P\n  {base}1 = M\n  {base}2 = M\n"
            f"  x -> {base}1.x, {base}2.x\n  {base}1.y -> y\n  {base}2.y -> z\n}}\n")
    dot_text = R.to_dot(load(text), "D")
    ids = set(re.findall(r'^\s*"([^"]*~[0-9a-f]{40})" \[', dot_text, re.M))
    assert len(ids) == 2


@needs_dot
def test_a_laid_out_route_of_any_length_reaches_graphviz_whole():
    # a pinned wire's route (`pos`) was quoted like a long tooltip, cut at 4,000 characters:
    # Graphviz could not read the route left and drew the wire anew (open_agency's loop to
    # the stakeholders, joined within a segment, swept 30 pt below its boxes); a route of
    # 1,201 points is printed as quoted pieces joined by `+`, each within Graphviz's limit
    from wiring.render.dot import print_dot
    from wiring.render.pinned import moved

    graph = R.tree_of(R.to_scene(load(SMALL), "RLHF"))
    edge = next(iter(graph.edges()))
    route = " ".join(f"{k}.25,{k % 7}.50" for k in range(1, 1202))
    edge.attrs["pos"] = moved("e,1,1 " + route, 0.0, 0.0)
    dot_text = print_dot(graph)
    assert all(len(token) < 16_384 for token in re.findall(r'"(?:[^"\\]|\\.)*"', dot_text))
    run_canon = subprocess.run(["dot", "-Tcanon"], input=dot_text.encode(), capture_output=True,
                               check=True)
    canon = run_canon.stdout.decode().replace("\\\n", "")
    found = re.search(r'pos="e,1\.00,1\.00 ([^"]*)"', canon)
    assert found and len(found[1].split()) == 1201
