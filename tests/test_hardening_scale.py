"""Input whose cost explodes stays cheap and ends in a diagnostic (issue 11, items 1 to 3).

Each test runs the command in a subprocess with a timeout, so a regression fails the test
instead of hanging the suite or exhausting memory.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Seconds; each run takes about one. Short, so that on a version without the limit the
# exponential flattening is stopped before it takes much memory.
TIMEOUT = 10


def run(*args: str, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "wiring", *args], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=ROOT)


def branching(depth: int, extra: str = "") -> str:
    """A diagram nested `depth` levels deep, each level two copies of the one below: a short
    file whose flattening has 2**depth boxes."""
    parts = ['proposal "branching"', "type T",
             "component Leaf : policy, learned {\n  in x : T\n  out y : T\n}",
             "diagram D0 {\n  in x : T\n  out y : T\n  a = Leaf\n  x -> a.x\n  a.y -> y\n}"]
    for i in range(1, depth + 1):
        parts.append(f"diagram D{i} {{\n  in x : T\n  out y : T\n  l = D{i - 1}\n  r = D{i - 1}\n"
                     f"  x -> l.x\n  l.y -> r.x\n  r.y -> y\n}}")
    return "\n".join(parts) + "\n" + extra


def write(tmp_path, text: str, name: str = "p.wd") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


# ------------------------------------------------------------------- item 2: flattened size

def test_lint_of_exponential_nesting_is_an_error_with_the_count_and_the_depth_that_fits(tmp_path):
    path = write(tmp_path, branching(18))
    out = run("lint", path)
    assert out.returncode == 1, out.stderr
    assert "error[E0244]" in out.stderr
    assert "262,144 boxes" in out.stderr
    assert "--depth 13" in out.stderr   # 2**14 boxes (D4 boxes) <= 20,000 < 2**15
    assert "Traceback" not in out.stderr and "internal error" not in out.stderr


def test_a_flat_diagram_past_the_limit_is_not_told_to_pass_a_depth(tmp_path):
    # `--depth 0` was the help for a diagram of 20,001 boxes of its own, which it cannot
    # shrink, and the message blamed nested diagrams it does not have.
    chain = "".join(f"  b{i} = Leaf\n  b{i - 1}.y -> b{i}.x\n" for i in range(1, 20_000))
    text = ('proposal "flat"\ntype T\ncomponent Src : dataset {\n  out y : T\n}\n'
            'component Leaf : policy {\n  in x : T\n  out y : T\n}\n'
            f"diagram Flat {{\n  s = Src\n  b0 = Leaf\n  s.y -> b0.x\n{chain}}}\n")
    out = run("lint", write(tmp_path, text), timeout=60)
    assert out.returncode == 1, out.stderr
    assert ("error[E0244]: diagram `Flat` has 20,001 boxes of its own, more than the 20,000 "
            "the analyses and the renderer take") in out.stderr
    assert "--depth 0" not in out.stderr and "nested diagrams hold" not in out.stderr
    assert "help: split it into diagrams of their own" in out.stderr


def test_analyze_json_reports_E0244_and_stdout_stays_one_document(tmp_path):
    path = write(tmp_path, branching(18))
    out = run("analyze", path, "--format", "json")
    assert out.returncode == 1
    (entry,) = json.loads(out.stdout)
    assert [d["code"] for d in entry["diagnostics"]] == ["E0244"]
    assert "--depth" in entry["diagnostics"][0]["help"]


def test_check_does_not_flatten_and_passes(tmp_path):
    # An allow naming a deep box is taken on trust when the diagram is too large to flatten.
    path = write(tmp_path, branching(18, 'allow S0101 on l.r.l.a because "a deep box"\n'))
    out = run("check", path)
    assert out.returncode == 0, out.stderr


def test_lint_depth_analyses_nested_diagrams_as_boxes_and_says_which(tmp_path):
    path = write(tmp_path, branching(18))
    out = run("lint", path, "--depth", "2")
    assert out.returncode == 0, out.stderr
    assert "below --depth, 8 nested diagram instances analysed as one box each" in out.stdout
    assert "`D15` (l.l.l, l.l.r, l.r.l and 5 more)" in out.stdout
    out = run("lint", path, "--depth", "1", "--format", "json")
    (entry,) = json.loads(out.stdout)
    assert entry["diagrams"][0]["boxes_below_depth"] == ["l.l", "l.r", "r.l", "r.r"]


def test_analyze_depth_says_which_diagrams_were_boxes(tmp_path):
    path = write(tmp_path, branching(18))
    out = run("analyze", path, "--depth", "0")
    assert out.returncode == 0, out.stderr
    assert "note: below --depth, 2 nested diagram instances analysed as one box each" in out.stdout


def test_depth_must_be_a_whole_number_from_zero(tmp_path):
    path = write(tmp_path, branching(2))
    out = run("lint", path, "--depth", "-1")
    assert out.returncode == 2 and "-1 is below 0" in out.stderr


def test_render_past_the_limit_is_a_message_not_a_crash(tmp_path):
    path = write(tmp_path, branching(18))
    out = run("render", path, "--depth", "16", "--format", "dot", "-o", str(tmp_path / "p.dot"))
    assert out.returncode == 2, out.stderr
    assert "flattened to depth 16 would have 131,072 boxes" in out.stderr and "--depth 13" in out.stderr
    assert not (tmp_path / "p.dot").exists()


def test_the_limit_is_cheap_to_find_on_thousands_of_levels(tmp_path):
    # The count is about 10^301 boxes: counted per diagram, never built.
    path = write(tmp_path, branching(1000))
    out = run("lint", path)
    assert out.returncode == 1 and "about 10^301 boxes" in out.stderr


# ------------------------------------------------------------------- item 3: many diagnostics

def test_many_duplicates_are_linear_and_text_output_is_capped(tmp_path):
    # 20,000 duplicates took 31 s: every diagnostic split the whole file again.
    path = write(tmp_path, "type A\n" * 20000)
    out = run("check", path)
    assert out.returncode == 1
    assert out.stderr.count("error[E0111]") == 200
    assert "... and 19799 more diagnostics not shown (`--format json` lists them all)" in out.stderr
    assert "failed (19999 errors)" in out.stdout


def test_json_output_stays_complete(tmp_path):
    path = write(tmp_path, "type A\n" * 300)
    out = run("check", path, "--format", "json")
    (entry,) = json.loads(out.stdout)
    assert len(entry["diagnostics"]) == 299


def test_api_report_shows_everything_unless_limited():
    import wiring

    result = wiring.check_text("type A\n" * 5, "m.wd")
    assert result.report().count("error[E0111]") == 4
    capped = result.report(limit=2)
    assert capped.count("error[E0111]") == 2 and capped.endswith("... and 2 more diagnostics "
                                                                 "not shown (`--format json` "
                                                                 "lists them all)")


def test_the_count_is_what_flattening_makes_at_every_depth():
    import wiring
    from wiring.structure import default_diagram, flatten, leaf_count

    proposal = wiring.loads(branching(5), "m.wd")
    top = default_diagram(proposal)
    for depth in (None, 0, 1, 2, 3, 4, 5, 6):
        assert leaf_count(proposal, top, depth) == len(flatten(proposal, top, depth).leaves)


def test_the_limit_is_stated_as_it_is_everywhere_it_is_stated():
    """The bound is a number users read in the help, the explanation of E0244 and the docs."""
    from wiring.codes import CODES
    from wiring.structure import MAX_LEAVES

    shown = f"up to {MAX_LEAVES:,} boxes"
    assert shown in " ".join(run("lint", "--help").stdout.split())
    assert f"Past {MAX_LEAVES:,} boxes" in CODES["E0244"].explanation
    root = Path(__file__).resolve().parent.parent
    assert f"Past {MAX_LEAVES:,} boxes" in " ".join((root / "docs/language.md").read_text().split())
    assert shown in (root / "docs/analyses.md").read_text()


# ------------------------------------------- item 1: symbolic work in the bounds of `analyze`

def gate_ladder(levels: int, miss: str = "", provenance=lambda i: None) -> str:
    """An untrusted model whose output reaches the world through `levels` pairs of gates,
    each gate reading both of the pair before it: 2**levels paths."""
    def attributes(i: int) -> str:
        return miss + ("" if provenance(i) is None else f', provenance = "{provenance(i)}"')
    gates = "".join(f"component G{i} : filter, trusted{attributes(i)} {{\n  in a : T\n"
                    "  in b : T\n  out y : T\n}\n" for i in range(2 * levels))
    lines = ["diagram D {", "  modes deploy : deployment", "  s = Src", "  p = Pol", "  w = W",
             "  s.x -> p.x", "  p.y -> a0.a, a0.b, b0.a, b0.b", "  a_last = G0"]
    for i in range(levels):
        lines += [f"  a{i} = G{2 * i}", f"  b{i} = G{2 * i + 1}"]
        if i:
            lines += [f"  a{i - 1}.y -> a{i}.a, b{i}.a", f"  b{i - 1}.y -> a{i}.b, b{i}.b"]
    lines += [f"  a{levels - 1}.y -> a_last.a", f"  b{levels - 1}.y -> a_last.b",
              "  a_last.y -> w.x", "}"]
    return ('proposal "ladder"\ntype T\ncomponent Src : dataset, trusted {\n  out x : T\n}\n'
            'component Pol : policy, learned, untrusted {\n  in x : T\n  out y : T\n}\n'
            'component W : environment {\n  in x : T\n}\n' + gates + "\n".join(lines) + "\n")


def test_a_symbolic_bound_over_a_million_paths_ends_and_says_why(tmp_path):
    # No gate has a `miss`: the sum over 2**20 paths, written out by sympy, took 30 s at 2**12
    # paths and minutes past it.
    out = run("analyze", write(tmp_path, gate_ladder(20)))
    assert out.returncode == 0, out.stderr
    assert ("p -> w: not computed: a sum over 1,048,576 paths, too long to write; with a "
            "`miss` value for every gate, its value") in out.stdout


def test_a_bound_too_long_to_write_on_one_path_is_called_a_product(tmp_path):
    # 600 gates in a row without a `miss`: one path, so a product of 600 pass probabilities,
    # past the operations a bound is written with; it was called "a sum over 1 path".
    gates = "".join(f"  g{i} = G\n  {f'g{i - 1}' if i else 'p'}.y -> g{i}.x\n" for i in range(600))
    text = ('proposal "chain"\ntype T\ncomponent Src : dataset, trusted {\n  out x : T\n}\n'
            'component Pol : policy, learned, untrusted {\n  in x : T\n  out y : T\n}\n'
            'component G : filter, trusted {\n  in x : T\n  out y : T\n}\n'
            'component W : environment {\n  in x : T\n}\n'
            'diagram D {\n  modes deploy : deployment\n  s = Src\n  p = Pol\n  w = W\n'
            f'  s.x -> p.x\n{gates}  g599.y -> w.x\n}}\n')
    out = run("analyze", write(tmp_path, text))
    assert out.returncode == 0, out.stderr
    assert ("p -> w: not computed: a product over the 600 gates of its one path, too long to "
            "write; with a `miss` value for every gate, its value") in out.stdout


def test_a_bound_over_a_million_paths_is_summed_and_one_over_1_says_so(tmp_path):
    # Gates of distinct provenances: the sets of provenances passed were 2**20 states (1.2 GB
    # at 2**18). Gates of one provenance: one miss a path, 2**k paths, a "bound" of 25.6.
    numbers = gate_ladder(20, ", miss = 0.1", provenance=lambda i: f"v{i}")
    out = run("analyze", write(tmp_path, numbers, "n.wd"))
    assert "p -> w: <= 1/953674316406250 = 1.05e-15" in out.stdout   # exact: a number
    # each gate's miss a parameter of its own: a sum of 2**20 products of them, too long to
    # write, summed with the parameters' values
    params = "".join(f"param q{i} : Prob = 0.1\n" for i in range(40))
    distinct = gate_ladder(20, "", provenance=lambda i: f"v{i}").replace(
        'proposal "ladder"\n', f'proposal "ladder"\n{params}')
    for i in range(40):
        distinct = distinct.replace(f'provenance = "v{i}" {{', f'provenance = "v{i}", miss = q{i} {{')
    out = run("analyze", write(tmp_path, distinct))
    assert out.returncode == 0, out.stderr
    assert "p -> w: <= a sum over 1,048,576 paths, not written = 1.05e-15" in out.stdout
    # the last gate shares the first's provenance: the sets of provenances passed are counted
    assert ("if gates of one provenance fail together: not computed: its 1,048,576 paths pass "
            "more than 20,000 sets of provenances") in out.stdout
    out = run("analyze", "--format", "json", write(tmp_path, distinct, "d.wd"))
    (bound,) = json.loads(out.stdout)[0]["diagrams"][0]["bounds"]
    assert (bound["paths"], bound["independent"], bound["correlated"]) == (1_048_576, "", "")
    assert bound["value"] == pytest.approx(0.1 ** 21 * 2 ** 20)
    assert bound["correlated_value"] is None
    shared = gate_ladder(8, ", miss = 0.1", provenance=lambda i: "one-lm")
    out = run("analyze", write(tmp_path, shared, "s.wd"))
    assert ("if gates of one provenance fail together: <= 128/5 = 25.6: more than 1, so the "
            "union bound over 256 paths bounds nothing here") in out.stdout
