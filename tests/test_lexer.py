"""wiring's lexer (one master regex, keywords resolved against the parser state) must give
exactly the trees lark's contextual lexer gives: token types, values, positions and node
metadata, on every example, the prelude, the standard library, generated proposals and every
diagnostic example."""

import sys
from importlib import resources
from pathlib import Path

import pytest
from lark import Lark, Token, Tree

import wiring
from wiring import parse as wparse
from wiring.codes import CODES

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import generate  # noqa: E402


def _inputs() -> dict[str, str]:
    texts = {f"{shape}-{n}": generate.generate(shape, n) for shape in generate.SHAPES for n in (10, 200)}
    texts["symbolic"] = generate.symbolic()
    for path in sorted((ROOT / "examples").rglob("*.wd")):
        texts[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
    package = resources.files("wiring")
    texts["prelude"] = package.joinpath("prelude.wd").read_text(encoding="utf-8")
    for entry in package.joinpath("std").iterdir():
        if entry.name.endswith(".wd"):
            texts[f"std/{entry.name}"] = entry.read_text(encoding="utf-8")
    for code, entry in CODES.items():
        for variant in ("example", "clean"):
            text = getattr(entry, variant, None)
            if text:
                texts[f"{code}-{variant}"] = text
    return texts


INPUTS = _inputs()


@pytest.fixture(scope="module")
def contextual():
    return Lark(wparse._grammar_text(), parser="lalr", lexer="contextual",
                postlex=wparse._BracketLexer(), propagate_positions=True, maybe_placeholders=False)


@pytest.fixture(scope="module")
def ours():
    """The grammar with wiring's lexer, making lark trees rather than syntax nodes."""
    return wparse.lark_parser(propagate_positions=True)


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_same_tree_as_the_contextual_lexer(name, contextual, ours):
    text = INPUTS[name]
    try:
        expected = contextual.parse(text)
    except Exception as exc:  # a syntax error: both must fail with the same kind of error
        expected = type(exc).__name__
    try:
        got = ours.parse(text)
    except Exception as exc:
        got = type(exc).__name__
    if isinstance(expected, str) or isinstance(got, str):
        assert expected == got
    else:
        assert _same(expected, got) is None


def _same(a, b, path="") -> str | None:
    from lark import Tree

    if isinstance(a, Tree) != isinstance(b, Tree):
        return f"{path}: {a!r} vs {b!r}"
    if isinstance(a, Tree):
        if a.data != b.data or len(a.children) != len(b.children):
            return f"{path}: {a.data}/{len(a.children)} vs {b.data}/{len(b.children)}"
        for attr in ("line", "column", "end_line", "end_column", "start_pos", "end_pos"):
            if getattr(a.meta, attr, None) != getattr(b.meta, attr, None):
                return f"{path}/{a.data}: meta.{attr} {getattr(a.meta, attr, None)} vs " \
                       f"{getattr(b.meta, attr, None)}"
        for i, (x, y) in enumerate(zip(a.children, b.children)):
            found = _same(x, y, f"{path}/{a.data}[{i}]")
            if found:
                return found
        return None
    if isinstance(a, Token):
        ka = (a.type, str(a), a.start_pos, a.line, a.column, a.end_line, a.end_column, a.end_pos)
        kb = (b.type, str(b), b.start_pos, b.line, b.column, b.end_line, b.end_column, b.end_pos)
        return None if ka == kb else f"{path}: {ka} vs {kb}"
    return None if a == b else f"{path}: {a!r} vs {b!r}"




@pytest.mark.parametrize("text", ["typePrompt\n", "importout \"lib\"\n",
                                  "type Score = Real in1_0 [0, 1]\n"])
def test_a_keyword_glued_to_a_word_is_one_word(text):
    """lark's contextual lexer, where no name is acceptable, would split `typePrompt` into the
    keyword `type` and the name `Prompt` and accept the typo; a word is one token here, and
    the mistake is reported where it starts."""
    result = wiring.check_text(text)
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "E0001"
    word = text.split()[0] if not text.startswith("type Score") else "in1_0"
    assert f"`{word}`" in diagnostic.message


def test_a_glued_keyword_is_pointed_out():
    [diagnostic] = wiring.check_text("typePrompt\n").diagnostics
    assert "did you mean `type Prompt`?" in diagnostic.help
