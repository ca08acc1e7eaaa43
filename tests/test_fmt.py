"""`wiring fmt` (issue 17, item 1): one canonical layout that keeps every token and comment.

Properties, on proposals generated from the grammar and by benchmarks/generate.py and on the
examples, with comments inserted and the spacing scrambled: formatting keeps the checked model
(its JSON export, source positions aside) and the comments, in order, and formatting the result
again changes nothing. The examples and the standard library are already formatted. The command
line: in place, `-`, --check, --diff, a syntax error, a read-only file."""

from __future__ import annotations

import importlib.util
import os
import re
import stat
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from wiring.api import check_text
from wiring.cli import main
from wiring.fmt import CannotFormat, format_source

from conftest import EXAMPLES, ROOT
from test_fuzz import PLAIN_SAMPLER, programs

STD = sorted((ROOT / "wiring" / "std").glob("*.wd"))
# A string, or a comment (group 1), or a run of spaces (group 2) between tokens of a line.
_PIECES = re.compile(r'"(?:[^"\\\n]|\\.)*"|(#[^\n]*)|(?<=\S)([ \t]+)(?=\S)')
_POSITIONS = {"span", "line", "column", "end_line", "end_column"}
# No shrinking: a failing proposal is shown whole, and shrinking one takes minutes.
_SETTINGS = settings(deadline=None, max_examples=40, phases=[Phase.explicit, Phase.generate],
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _generate():
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATE = _generate()


def comments(text: str) -> list[str]:
    return [m.group(1).rstrip() for m in _PIECES.finditer(text) if m.group(1)]


def without_positions(value):
    """A model's JSON without source positions, and with the source text it echoes (`written`:
    a type as the author spelled it) without its spaces, which are fmt's to choose."""
    if isinstance(value, dict):
        return {k: re.sub(r"\s+", "", v) if k == "written" else without_positions(v)
                for k, v in value.items() if k not in _POSITIONS}
    if isinstance(value, list):
        return [without_positions(v) for v in value]
    return value


def model(text: str):
    result = check_text(text, str(ROOT / "examples" / "generated.wd"))
    assert result.proposal is not None, result.report()
    return without_positions(result.proposal.model_dump(mode="json"))


@st.composite
def scrambled(draw, text: str) -> str:
    """`text` with spaces between tokens changed, indentation dropped or changed, blank lines
    doubled, and comments added at the ends of lines and on lines of their own."""
    text = _PIECES.sub(lambda m: m.group(0) if not m.group(2) else
                       " " * draw(st.integers(1, 4)), text)
    lines = []
    for n, line in enumerate(text.split("\n")):
        if draw(st.integers(0, 3)) == 0:
            line = " " * draw(st.integers(0, 6)) + line.lstrip()
        if line.strip() and "#" not in line and draw(st.integers(0, 4)) == 0:
            line += " " * draw(st.integers(1, 5)) + f"# trailing {n}"
        going_on = lines and lines[-1].split("\n")[-1].split("#")[0].rstrip().endswith(",")
        if draw(st.integers(0, 8)) == 0 and not going_on:
            line = f"# own line {n}\n" + line
        if not line.strip() and draw(st.booleans()):
            line += "\n"
        lines.append(line)
    return "\n".join(lines)


def assert_formats_faithfully(text: str, checked: bool) -> str:
    formatted = format_source(text)
    assert format_source(formatted) == formatted, "a second fmt changed the text"
    assert comments(formatted) == comments(text)
    if checked:
        assert model(formatted) == model(text)
    return formatted


# ----------------------------------------------------------------------------- properties


@pytest.mark.parametrize("path", EXAMPLES + STD, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_examples_and_library_are_formatted(path):
    text = path.read_text(encoding="utf-8")
    assert format_source(text, str(path)) == text


def test_fmt_check_passes_on_the_examples_and_library(capsys):
    assert main(["fmt", "--check", *map(str, EXAMPLES + STD)]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_scrambled_examples_format_back(path):
    """Scrambling an example's spacing and formatting gives the example back, but for the
    comments added; the model and the comments are kept."""
    text = path.read_text(encoding="utf-8")

    @settings(_SETTINGS, max_examples=5)
    @given(st.data())
    def check(data):
        messy = data.draw(scrambled(text))
        formatted = format_source(messy, str(path))
        assert format_source(formatted) == formatted
        assert comments(formatted) == comments(messy)
        kept = [line for line in formatted.split("\n") if "# own line" not in line]
        # A trailing comment keeps the column it was written at (when clear of its code).
        assert _gap(re.sub(r" *# trailing \d+", "", "\n".join(kept))) == _gap(text)

    check()


def _gap(text: str) -> str:
    return re.sub(r"(?m)(?<=\S) +#", " #", text)


@_SETTINGS
@given(st.data(), st.sampled_from(sorted(GENERATE.SHAPES)), st.integers(4, 40))
def test_generated_proposals_keep_their_model_and_comments(data, shape, size):
    text = data.draw(scrambled(GENERATE.generate(shape, size)))
    assert_formats_faithfully(text, checked=True)


@_SETTINGS
@given(programs(PLAIN_SAMPLER))
def test_grammar_sentences_keep_their_tokens_and_comments(text):
    """Any sentence of the grammar (most do not check): the tokens are kept, in order."""
    try:
        formatted = assert_formats_faithfully(text, checked=False)
    except CannotFormat as failure:   # the sampler can nest past the parser's limits
        assert {d.code for d in failure.diagnostics} <= {"E0003", "E0004"}
        return
    words = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|\w+|[^\s\w;,]')
    assert words.findall(formatted) == words.findall(text)


LAYOUT_IN = """\
# a proposal written carelessly\r
proposal "p"; type Prompt
param k:Nat>=1=3   # how many
param w : Real in (0,1)


component Pick(n:Nat):tool,trusted{  # picks one
in options:List[Prompt,2*n]
  out best:Prompt merge any
      # the choice
 out why : Prompt when explain note "reasons"

}
enum Verdict {
  good,
  bad  # the rest
}
record Pair { a : Prompt; b : Prompt; }
record Named {
  name: Prompt
  long_name  :  Prompt
}
component Empty : tool {
}
diagram D {
  modes train : training,
     explain : deployment
  p=Pick( n = k )   note  "the picker"
  longer_name = frozen p when train
  p.best->p.options
  train p by rl maximising -f(p.best, g(1,
      2))^2
  # before the end
}
"""
LAYOUT_OUT = """\
# a proposal written carelessly
proposal "p"
type Prompt
param k : Nat >= 1 = 3  # how many
param w : Real in (0, 1)

component Pick(n : Nat) : tool, trusted {  # picks one
  in  options : List[Prompt, 2 * n]
  out best    : Prompt merge any
  # the choice
  out why     : Prompt when explain note "reasons"
}
enum Verdict {
  good
  bad  # the rest
}
record Pair { a : Prompt; b : Prompt }
record Named {
  name      : Prompt
  long_name : Prompt
}
component Empty : tool {}
diagram D {
  modes train : training,
        explain : deployment
  p           = Pick(n = k)  note "the picker"
  longer_name = frozen p when train
  p.best -> p.options
  train p by rl maximising -f(p.best, g(1,
                                        2))^2
  # before the end
}
"""


def test_the_layout():
    """Each rule of docs/language.md's layout section, on one file."""
    assert format_source(LAYOUT_IN) == LAYOUT_OUT
    assert format_source(LAYOUT_OUT) == LAYOUT_OUT


def test_syntax_error_raises_with_the_diagnostics():
    with pytest.raises(CannotFormat) as failure:
        format_source("component A : policy {\n  in x : \n}\n", "p.wd")
    (diagnostic,) = failure.value.diagnostics
    assert diagnostic.code == "E0001" and diagnostic.span.file == "p.wd"


# ----------------------------------------------------------------------------- command line

MESSY = "type Prompt # what a model reads\ncomponent A:policy{\nin  x:Prompt\n  out yy : Prompt}\n"
TIDY = ("type Prompt  # what a model reads\ncomponent A : policy {\n  in  x  : Prompt\n"
        "  out yy : Prompt\n}\n")


@pytest.fixture
def messy(tmp_path):
    path = tmp_path / "p.wd"
    path.write_text(MESSY)
    return path


def test_fmt_rewrites_in_place_and_keeps_permissions(messy, capsys):
    os.chmod(messy, 0o640)
    assert main(["fmt", str(messy)]) == 0
    assert messy.read_text() == TIDY
    assert capsys.readouterr().out == f"wrote {messy}\n"
    assert stat.S_IMODE(messy.stat().st_mode) == 0o640
    assert main(["fmt", str(messy)]) == 0   # already formatted: nothing written
    assert capsys.readouterr().out == ""
    assert [p.name for p in messy.parent.iterdir()] == ["p.wd"]


def test_fmt_check_lists_unformatted_files_and_writes_nothing(messy, tmp_path, capsys):
    tidy = tmp_path / "tidy.wd"
    tidy.write_text(TIDY)
    assert main(["fmt", "--check", str(messy), str(tidy)]) == 1
    out = capsys.readouterr().out
    assert str(messy) in out and str(tidy) not in out
    assert messy.read_text() == MESSY
    assert main(["fmt", "--check", str(tidy)]) == 0


def test_fmt_diff_prints_a_unified_diff_and_writes_nothing(messy, capsys):
    assert main(["fmt", "--diff", str(messy)]) == 1
    out = capsys.readouterr().out
    assert "\n-type Prompt # what a model reads\n" in out
    assert "\n+type Prompt  # what a model reads\n" in out
    assert out.startswith(f"--- {messy}")
    assert messy.read_text() == MESSY


def test_fmt_stdin_to_stdout():
    run = subprocess.run([sys.executable, "-m", "wiring", "fmt", "-"], input=MESSY,
                         capture_output=True, text=True, cwd=ROOT)
    assert (run.returncode, run.stdout) == (0, TIDY)


def test_fmt_leaves_a_file_with_a_syntax_error_untouched(tmp_path, capsys):
    path = tmp_path / "bad.wd"
    bad = "component A : policy {\n  in x :: Prompt\n}\n"
    path.write_text(bad)
    assert main(["fmt", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"error[E0001]" in err and f"{path}:2:" in err and "help:" in err
    assert path.read_text() == bad


def test_fmt_refuses_a_read_only_file(messy, capsys):
    os.chmod(messy, 0o444)
    assert main(["fmt", str(messy)]) == 2
    assert "read-only" in capsys.readouterr().err
    assert messy.read_text() == MESSY


def test_fmt_of_a_missing_file_is_an_io_error(tmp_path, capsys):
    assert main(["fmt", str(tmp_path / "none.wd")]) == 2
    assert "E0501" in capsys.readouterr().err


def test_fmt_of_an_exported_model_says_what_it_is(tmp_path, capsys):
    """Other commands read a `.json` model; fmt lays out only `.wd` text, and says so rather
    than report the model's `{` as a syntax error."""
    model = tmp_path / "model.json"
    assert main(["export", "examples/rlhf.wd", "-o", str(model)]) == 0
    before = model.read_bytes()
    capsys.readouterr()
    assert main(["fmt", str(model)]) == 2
    err = capsys.readouterr().err
    assert "exported JSON model" in err and "E0001" not in err
    assert model.read_bytes() == before
