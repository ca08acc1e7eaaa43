"""The Pygments lexer of .wd files (wiring/pygments_lexer.py), found as Pygments finds it: through
the `pygments.lexers` entry point, by alias and by file name. On every example, the prelude, the
standard library, every diagnostic example, generated proposals and sentences drawn from the
grammar, no visible text is left plain `Text`, and `Error` marks only the character the checker
rejects (E0002)."""

from __future__ import annotations

import sys
from importlib import metadata, resources

import pytest
from hypothesis import given

from conftest import ROOT, require_package  # noqa: E402

require_package("pygments", "docs")
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename  # noqa: E402
from pygments.token import Error, Keyword, Name, Operator, Punctuation, Text  # noqa: E402

import wiring  # noqa: E402
from wiring.codes import CODES  # noqa: E402
from wiring.parse import lark_parser  # noqa: E402
from wiring.pygments_lexer import keywords  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
import generate  # noqa: E402
from test_fuzz import SAMPLER, fuzz, programs  # noqa: E402


def _inputs() -> dict[str, str]:
    texts = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
             for p in sorted((ROOT / "examples").rglob("*.wd"))}
    package = resources.files("wiring")
    texts["prelude"] = package.joinpath("prelude.wd").read_text(encoding="utf-8")
    for entry in sorted(package.joinpath("std").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".wd"):
            texts[f"std/{entry.name}"] = entry.read_text(encoding="utf-8")
    for code, entry in CODES.items():
        for variant in ("example", "clean"):
            if getattr(entry, variant, None):
                texts[f"{code}-{variant}"] = getattr(entry, variant)
    for shape in generate.SHAPES:
        texts[f"generated-{shape}"] = generate.generate(shape, 30)
    texts["generated-symbolic"] = generate.symbolic()
    return texts


INPUTS = _inputs()


def _tokens(text: str) -> list[tuple[int, object, str]]:
    return list(get_lexer_by_name("wd").get_tokens_unprocessed(text))


def _position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _assert_all_highlighted(text: str, generated: bool = False) -> None:
    plain = [(i, v) for i, t, v in _tokens(text) if t is Text and v.strip()]
    assert not plain, f"plain text: {plain[:5]}"
    errors = [i for i, t, v in _tokens(text) if t in Error]
    if generated:
        # The sampler's names include non-ASCII words, which the language never accepts.
        assert all(not text[i].isascii() for i in errors), [text[i] for i in errors]
    elif errors:
        # Only a character the checker rejects (E0002) may be an Error, and the first one is
        # where the checker says.
        rejected = {(d.span.line, d.span.column) for d in wiring.check_text(text).diagnostics
                    if d.code == "E0002"}
        assert _position(text, errors[0]) in rejected, (errors, rejected)


def test_found_by_alias_filename_and_entry_point():
    names = {e.name: e.value for e in metadata.entry_points(group="pygments.lexers")}
    assert names.get("wiring") == "wiring.pygments_lexer:WiringLexer"
    for alias in ("wd", "wiring"):
        assert get_lexer_by_name(alias).name == "wiring"
    assert get_lexer_for_filename("proposal.wd").name == "wiring"


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_every_example_is_highlighted(name):
    _assert_all_highlighted(INPUTS[name])


def test_the_rejected_character_is_an_error():
    text = CODES["E0002"].example
    assert any(t in Error for _, t, _ in _tokens(text))


@fuzz(60)
@given(programs(SAMPLER))
def test_generated_proposals_are_highlighted(text):
    _assert_all_highlighted(text, generated=True)


def test_every_terminal_of_the_grammar_has_a_token_type():
    # Each literal terminal is a keyword (or a word operator), an operator or punctuation:
    # alone, or, for the words of claims and of behaviours, in an assertion or a behaviour.
    where = {"claim": "assert {}", "block": "behaviour B for C {{\n  {}"}
    places = keywords().places
    for terminal in lark_parser().terminals:
        if terminal.pattern.type != "str":
            continue
        value = terminal.pattern.value
        text = where[places[value]].format(value) if value in places else value
        token = [t for _, t, v in _tokens(text) if v == value][-1]
        assert token in Keyword or token in Operator or token in Punctuation, (value, token)
        if value in places:
            assert _tokens(value)[0][1] is Name, value  # elsewhere, a name
    samples = {"NAME": "reward", "NUMBER": "1.5e-3", "STRING": '"a \\" b"',
               "COMMENT": "# why", "COMPARE": ">="}
    kinds = {name: _tokens(text)[0][1] for name, text in samples.items()}
    assert len(set(kinds.values())) == len(kinds), kinds


def _roles(text: str) -> dict[str, object]:
    return {v: t for _, t, v in _tokens(text) if v.strip()}


def test_names_take_their_role_from_where_they_stand():
    roles = _roles('component Judge(rounds : Nat) : evaluator, trusted, stateful, cost = c {\n'
                   '  in transcript : Transcript\n}\n')
    assert roles["Judge"] is Name.Class and roles["Nat"] is Name.Class
    assert roles["evaluator"] is Name.Tag        # a kind
    assert roles["trusted"] is Name.Builtin      # a trust level
    assert roles["stateful"] is Name.Attribute and roles["cost"] is Name.Attribute
    assert roles["c"] is Name and roles["transcript"] is Name
    roles = _roles("train pi by ppo minimising loss when warmup\nallow W0301 because \"x\"\n")
    assert roles["ppo"] is Name.Function and roles["W0301"] is Name.Label
    assert roles["minimising"] in Keyword and roles["warmup"] is Name


def test_keywords_spelt_as_names_are_names():
    # A mode called `train`, a box called `stop`, a port called `type`: names, as the parser
    # reads them.
    text = ("diagram D {\n  modes train : training\n  stop = Halt when train\n"
            "  stop.type -> sink.x\n  train pi by rl maximising stop.type when train\n}\n")
    tokens = [(t, v) for _, t, v in _tokens(text) if v.strip()]
    assert [t for t, v in tokens if v == "train"] == [
        Name, Name, Keyword.Declaration, Name]
    assert {t for t, v in tokens if v in ("stop", "type")} == {Name}


def test_claim_and_behaviour_words_are_keywords_only_in_their_place():
    text = ("component C : tool {\n  out response : R\n  out state : S\n}\n"
            "diagram D {\n  c = C\n  c.response -> c.state\n"
            "  assert no response incentive c.response on c\n}\n"
            "behaviour B for C {\n  state n = 1\n  stop when n > 1\n}\n")
    tokens = [(t, v) for _, t, v in _tokens(text) if v.strip()]
    assert [t for t, v in tokens if v == "response"] == [Name, Name, Keyword.Pseudo, Name]
    assert [t for t, v in tokens if v == "state"] == [Name, Name, Keyword.Reserved]
    assert [t for t, v in tokens if v in ("no", "incentive", "for", "stop")] == [
        Keyword.Pseudo, Keyword.Pseudo, Keyword.Reserved, Keyword.Reserved]
