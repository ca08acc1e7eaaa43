"""The renderer from the outside: `wiring render` and `doctor`, images, the notebook, what
happens without Graphviz, very deep nesting and the gallery."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import wiring
from wiring import render as R
from wiring.cli import main

from conftest import EXAMPLES, ROOT
from render_support import small_file  # noqa: F401 (a fixture)
from render_support import (NESTED, SMALL, caption, drawn, load, needs_dot, svg_texts)


# --------------------------------------------------------------------------------- Jupyter, API

@needs_dot
def test_proposals_and_diagrams_show_themselves_as_svg():
    proposal = load(SMALL)
    svg = proposal._repr_svg_()
    assert svg.startswith("<?xml") and "RLHF, small" in svg
    diagram_svg = proposal.diagrams["RLHF"]._repr_svg_()
    ET.fromstring(diagram_svg.encode())
    assert "rm : RewardModel" in svg_texts(diagram_svg.encode())


def test_without_dot_the_notebook_falls_back_to_text(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("WIRING_DOT", raising=False)
    proposal = load(SMALL)
    assert proposal._repr_svg_() is None
    with pytest.raises(R.DotNotFound, match="apt-get install graphviz"):
        R.render(proposal, "png")
    assert R.render(proposal, "dot").decode() == R.to_dot(proposal)


@needs_dot
def test_render_returns_image_bytes():
    proposal = load(SMALL)
    assert R.render(proposal, "png")[:8] == b"\x89PNG\r\n\x1a\n"
    assert R.render(proposal, "pdf")[:5] == b"%PDF-"
    assert R.render(proposal, "svg").lstrip().startswith(b"<?xml")


# -------------------------------------------------------------------------------------- the CLI

@needs_dot
@pytest.mark.parametrize("suffix, magic", [(".svg", b"<?xml"), (".png", b"\x89PNG"),
                                           (".pdf", b"%PDF"), (".dot", b"digraph")])
def test_cli_format_from_suffix(small_file, tmp_path, suffix, magic, capsys):
    out = tmp_path / f"picture{suffix}"
    assert main(["render", str(small_file), "-o", str(out)]) == 0
    assert out.read_bytes().startswith(magic)
    assert f"wrote {out}" in capsys.readouterr().out


@pytest.mark.parametrize("flags, options", [
    ([], {}),
    (["--direction", "TB"], {"direction": "TB"}),
    (["--mode", "deploy"], {"mode": "deploy"}),
    (["--types"], {"show_types": True}),
    (["--no-legend"], {"legend": False}),
    (["--no-title"], {"title": False}),
    (["--depth", "0"], {"depth": 0}),
    (["--flatten"], {"flatten": True}),
    (["--diagram", "Guarded"], {"diagram": "Guarded"}),
])
def test_cli_options_reach_the_drawing(tmp_path, flags, options):
    """Each option of `wiring render` draws what the same option of `to_dot` draws (and
    changes the drawing)."""
    source = tmp_path / "proposal.wd"
    source.write_text(NESTED if {"depth", "flatten", "diagram"} & set(options) else SMALL,
                      encoding="utf-8")
    out = tmp_path / "x.dot"
    assert main(["render", str(source), "-o", str(out), *flags]) == 0
    proposal = wiring.check_file(str(source)).proposal
    assert out.read_text() == R.to_dot(proposal, **options)
    assert (R.to_dot(proposal, **options) != R.to_dot(proposal)) == bool(options)


def test_cli_format_flag_and_default_output(small_file, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["render", str(small_file), "--format", "dot"]) == 0
    assert (tmp_path / "small.dot").read_text().startswith("digraph")
    capsys.readouterr()
    assert main(["render", str(small_file), "--format", "dot", "-o", "-"]) == 0
    assert capsys.readouterr().out.startswith("digraph")


def test_cli_usage_errors(small_file, tmp_path, capsys):
    assert main(["render", str(small_file), "-o", str(tmp_path / "x.gif")]) == 2
    assert "--format" in capsys.readouterr().err
    assert main(["render", str(small_file), "--diagram", "Nope", "--format", "dot",
                 "-o", str(tmp_path / "x.dot")]) == 2
    assert "RLHF" in capsys.readouterr().err
    assert main(["render", str(small_file), "--mode", "eval", "--format", "dot",
                 "-o", str(tmp_path / "x.dot")]) == 2
    assert "train, deploy" in capsys.readouterr().err
    assert main(["render", str(tmp_path / "missing.wd"), "--format", "dot"]) == 2
    assert main(["render", str(small_file), "--format", "dot",
                 "-o", str(tmp_path / "no" / "such" / "dir.dot")]) == 2
    with pytest.raises(SystemExit) as exit_:
        main(["render", str(small_file), "--direction", "diagonal"])
    assert exit_.value.code == 2


def test_cli_render_reports_errors_and_draws_nothing(tmp_path, capsys):
    broken = tmp_path / "broken.wd"
    broken.write_text("type T\ncomponent A : policy {\n  in x : T\n}\n"
                      "diagram D {\n  a = A\n  a.nope -> a.x\n}\n", encoding="utf-8")
    out = tmp_path / "broken.svg"
    assert main(["render", str(broken), "-o", str(out)]) == 1
    assert not out.exists()
    assert "error" in capsys.readouterr().err


def test_cli_without_dot_writes_the_dot_file_and_says_how_to_install(small_file, tmp_path,
                                                                     monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("WIRING_DOT", raising=False)
    out = tmp_path / "pic.svg"
    assert main(["render", str(small_file), "-o", str(out)]) == R.EXIT_NO_DOT == 3
    assert not out.exists()
    written = tmp_path / "pic.dot"
    assert written.read_text() == R.to_dot(load(SMALL))
    err = capsys.readouterr().err
    assert "Graphviz" in err and "apt-get install graphviz" in err and "brew install" in err
    assert str(written) in err
    assert err.count("wiring:") == 1                      # one message
    # checking never needs Graphviz
    assert main(["check", str(small_file)]) == 0
    assert main(["doctor"]) == 3
    report = capsys.readouterr().out
    assert "NOT FOUND" in report and "apt-get install graphviz" in report


def test_cli_without_dot_in_a_real_process(small_file, tmp_path):
    """The same as a user sees it: a shell whose PATH has no Graphviz."""
    env = dict(os.environ, PATH=str(tmp_path / "empty"))
    env.pop("WIRING_DOT", None)
    command = [sys.executable, "-m", "wiring.cli"]
    run = subprocess.run(command + ["check", str(small_file)], env=env, capture_output=True,
                         text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    run = subprocess.run(command + ["render", str(small_file), "-o", str(tmp_path / "p.png")],
                         env=env, capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 3
    assert (tmp_path / "p.dot").exists() and not (tmp_path / "p.png").exists()
    assert "install" in run.stderr and "Traceback" not in run.stderr


@needs_dot
def test_cli_doctor_with_dot(capsys):
    assert main(["doctor"]) == 0
    report = capsys.readouterr().out
    assert "dot:" in report and "svg: ok" in report and "png: ok" in report


def test_cli_help_documents_the_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["render", "--help"])
    text = capsys.readouterr().out
    assert "exit codes" in text and "3   Graphviz `dot` is not installed" in text


def test_a_failing_dot_is_reported(small_file, tmp_path, monkeypatch, capsys):
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\necho 'dot: something broke' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("WIRING_DOT", str(fake))
    assert main(["render", str(small_file), "-o", str(tmp_path / "x.svg")]) == 4
    assert "something broke" in capsys.readouterr().err
    with pytest.raises(R.DotFailed):
        R.render(load(SMALL), "svg")


@needs_dot
def test_a_layout_kept_for_its_dot_text_is_a_copy_of_its_own_and_of_its_dot(tmp_path,
                                                                             monkeypatch):
    # Graphviz's layouts, tidied or not, are kept by their DOT text: a caller that changes
    # one does not change the next, and another `dot` lays the text out anew
    from wiring.render.graphviz import drawing
    from wiring.render.pinned import tidied_drawing

    text = R.to_dot(load(SMALL))
    for lay in (drawing, lambda text: tidied_drawing(text)[0]):
        first = lay(text)
        first["objects"].clear()
        assert lay(text)["objects"] and lay(text) == lay(text)
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\necho 'dot: something broke' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("WIRING_DOT", str(fake))
    for lay in (drawing, tidied_drawing):
        with pytest.raises(R.DotFailed, match="something broke"):
            lay(text)


def test_what_is_kept_is_bounded_in_count_and_in_size():
    # a hostile file's layouts are made again rather than held, and `forget_layouts` forgets
    from wiring.render.graphviz import KEPT_CHARS, Kept

    kept, made = Kept(2), []

    def get(key: str, value: bytes) -> bytes:
        return kept.get((key,), lambda: made.append(key) or value)
    for key in ("a", "b", "a", "c", "a", "b"):       # b, the least recently used, made again
        get(key, b"1")
    assert made == ["a", "b", "c", "b"]
    made.clear()
    for key, value in (("big", b"x" * (KEPT_CHARS + 1)), ("y" * (KEPT_CHARS + 1), b"1")):
        assert get(key, value) == get(key, value) == value
    assert len(made) == 4
    made.clear()
    R.forget_layouts()
    get("a", b"1")
    assert made == ["a"]


# --------------------------------------------------------------------------- very deep nesting

def _deep(depth: int) -> str:
    out = ["type P", "component Leaf : tool {", "  in x : P", "  out y : P", "}"]
    previous = "Leaf"
    for i in range(1, depth + 1):
        out += [f"diagram D{i} {{", "  in x : P", "  out y : P", f"  inner = {previous}",
                "  x -> inner.x", "  inner.y -> y", "}"]
        previous = f"D{i}"
    return "\n".join(out) + "\n"


def test_deep_nesting_is_drawn_without_recursion_and_limited_by_default():
    proposal = load(_deep(1200))
    note = (f"nested diagrams more than {R.AUTO_DEPTH} levels deep are drawn as boxes "
            "(--depth N expands N levels)")
    scene, graph = drawn(proposal)
    assert len(graph.subgraphs()) == R.AUTO_DEPTH + 1 and scene.auto_limited
    assert note in caption(graph)
    flat, graph = drawn(proposal, flatten=True)
    assert len(graph.subgraphs()) == 1 and flat.auto_limited and note in caption(graph)
    full, graph = drawn(proposal, depth=1200)             # asked for: every level, no recursion
    assert len(graph.subgraphs()) == 1200                 # D1200, and D1199 .. D1 framed
    assert not full.auto_limited and note not in caption(graph)
    shallow, graph = drawn(load(_deep(3)))
    assert not shallow.auto_limited and len(graph.subgraphs()) == 3
    assert note not in caption(graph)


def _branching(depth: int) -> str:
    out = ["type P", "component Leaf : tool {", "  in x : P", "  out y : P", "}",
           "diagram D0 {", "  in x : P", "  out y : P", "  a = Leaf", "  x -> a.x", "  a.y -> y",
           "}"]
    for i in range(1, depth + 1):
        out += [f"diagram D{i} {{", "  in x : P", "  out y : P", f"  l = D{i - 1}",
                f"  r = D{i - 1}", "  x -> l.x", "  l.y -> r.x", "  r.y -> y", "}"]
    return "\n".join(out) + "\n"


def test_by_default_a_drawing_stops_expanding_before_it_passes_the_box_budget(capsys):
    # Two copies of the diagram below at each level: 16,384 boxes at depth 14, where a drawing
    # took 3 s to write and Graphviz minutes to lay out. By default, as many levels as fit.
    proposal = load(_branching(14))
    scene, graph = drawn(proposal)
    assert scene.auto_limited and scene.auto_depth == 9     # 2**10 = 1,024 boxes drawn
    assert len(scene.drawn) == 1_022 + 1_024                   # frames, then boxes
    assert ("nested diagrams more than 9 levels deep are drawn as boxes "
            "(--depth N expands N levels)") in caption(graph)
    with pytest.raises(SystemExit):
        main(["render", "--help"])
    root = Path(__file__).resolve().parent.parent
    for stated in (" ".join((root / "docs" / "language.md").read_text().split()),
                   " ".join(capsys.readouterr().out.split())):
        assert f"{R.AUTO_DEPTH} levels" in stated and f"{R.AUTO_BOXES:,} boxes" in stated
    asked, _ = drawn(load(_branching(11)), depth=11)          # asked for: all 2,048 leaves
    assert not asked.auto_limited
    assert len([p for p in asked.drawn if p and p[-1] == "a"]) == 2 ** 11


# ------------------------------------------------------------------------------------- gallery

def test_gallery_lists_every_example():
    gallery = ROOT / "docs" / "gallery.md"
    if not gallery.exists():
        pytest.skip("docs/gallery.md not generated yet")
    text = gallery.read_text(encoding="utf-8")
    assert "Generated by scripts/gen_gallery.py" in text
    for path in EXAMPLES:
        rel = path.relative_to(ROOT).as_posix()
        if wiring.check_file(str(path)).ok:
            assert f"`{rel}`" in text, f"run scripts/gen_gallery.py: {rel} is not in the gallery"
    for picture in re.findall(r"\]\((gallery/[^)]+\.svg)\)", text):
        assert (ROOT / "docs" / picture).exists(), picture


@needs_dot
def test_gallery_is_up_to_date():
    # The paper-style pictures and the fit table are measured layouts: only the script knows
    # them, so the test asks it (it compares docs/gallery.md and the pictures' names, and
    # fails when a paper figure crosses more than 5 pairs of wires, all more than 40, or a
    # wire passes through a box: issue 13's bounds).
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_gallery.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

