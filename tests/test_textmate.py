"""The VS Code extension: its TextMate grammar is the one generated from grammar/wiring.lark,
gives each kind of token its scope when VS Code's own tokeniser (vscode-textmate with
Oniguruma, run by editors/vscode/test/tokenise.js) reads it, and is packaged in the .vsix with
the extension's entry point."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT, VSCODE

SAMPLE = VSCODE / "test" / "sample.wd"
KEYWORD_SCOPES = ("storage.type.wiring", "keyword.", "constant.language.wiring")


def tokenise(path) -> list[tuple[int, str, list[str]]]:
    run = subprocess.run(["node", str(VSCODE / "test" / "tokenise.js"), str(path)],
                         capture_output=True, text=True, timeout=60, cwd=VSCODE)
    assert run.returncode == 0, run.stderr
    return [(line, text, scopes) for line, text, scopes in json.loads(run.stdout)]


def scope_of(tokens, text: str, line: int | None = None) -> str:
    """The innermost scope of the first token spelled `text` (on `line`)."""
    for at, spelled, scopes in tokens:
        if spelled == text and (line is None or at == line):
            return scopes[-1]
    raise AssertionError(f"no token {text!r} in {[t for _, t, _ in tokens]}")


def test_the_grammar_is_what_the_generator_writes():
    run = subprocess.run([sys.executable, "scripts/gen_textmate.py", "--check"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


@pytest.mark.needs_tool("node")
def test_each_kind_of_token_has_its_scope():
    tokens = tokenise(SAMPLE)
    expected = {
        ("# A sample of every kind of token, for tests/test_textmate.py (not a proposal that "
         "checks).", 1): "comment.line.number-sign.wiring",
        ('"', 2): "string.quoted.double.wiring",
        ('\\"', 2): "constant.character.escape.wiring",
        (" # not a comment", 2): "string.quoted.double.wiring",   # `#` inside a string
        ("proposal", 2): "storage.type.wiring",
        (";", 3): "punctuation.separator.wiring",
        ("Score", 4): "entity.name.type.wiring",
        ("1.5e3", 4): "constant.numeric.wiring",
        ("0", 4): "constant.numeric.wiring",
        ("[", 4): "punctuation.section.brackets.wiring",
        ("=", 4): "keyword.operator.wiring",
        ("Debater", 5): "entity.name.type.wiring",
        ("(", 5): "punctuation.section.parens.wiring",
        ("{", 5): "punctuation.section.braces.wiring",
        (":", 5): "punctuation.separator.wiring",
        ("in", 6): "storage.type.wiring",
        ("when", 7): "keyword.other.wiring",
        ("frozen", 10): "keyword.other.wiring",
        (".", 11): "punctuation.accessor.wiring",
        ("->", 11): "keyword.operator.arrow.wiring",
        ("delayed", 11): "keyword.other.wiring",
        ("path", 13): "keyword.other.wiring",
        ("~", 15): "keyword.operator.wiring",
        ("^", 15): "keyword.operator.wiring",
        ("-", 15): "keyword.operator.wiring",
        ("not", 16): "keyword.operator.word.wiring",
        (">=", 16): "keyword.operator.wiring",
        ("!=", 16): "keyword.operator.wiring",
        ("inf", 16): "constant.language.wiring",
    }
    for (text, line), scope in expected.items():
        assert scope_of(tokens, text, line) == scope, (text, line)
    # A keyword spelled as a name being given a value or a type is not coloured as one.
    assert " kind " in [t for line, t, _ in tokens if line == 5]
    for line, text, scopes in tokens:
        assert scopes[0] == "source.wiring"


@pytest.mark.needs_tool("node")
def test_every_keyword_of_the_language_is_highlighted(tmp_path):
    grammar = re.sub(r"//[^\n]*", "", (ROOT / "grammar" / "wiring.lark").read_text("utf-8"))
    words = sorted(set(re.findall(r'"([a-z]+)"', grammar)) |
                   set(re.findall(r'^[A-Z]+: "([a-z]+)"', grammar, re.M)))
    assert len(words) > 40, words
    sample = tmp_path / "words.wd"
    sample.write_text("\n".join(f"{w} x" for w in words) + "\n", encoding="utf-8")
    tokens = tokenise(sample)
    for line, word in enumerate(words, start=1):
        assert scope_of(tokens, word, line).startswith(KEYWORD_SCOPES), word
    # ...but never the field after a dot, nor a longer word that starts with one.
    sample.write_text("a.type = typed\n", encoding="utf-8")
    assert all(s == ["source.wiring"] for _, t, s in tokenise(sample)
               if t.strip() in ("type", "typed")), tokenise(sample)


@pytest.mark.needs_tool("node")
def test_the_vsix_holds_the_grammar_and_the_extension():
    vsix = VSCODE / "wiring.vsix"
    if not vsix.exists():      # scripts/setup.sh builds it; build it here when it did not run
        run = subprocess.run(["npm", "run", "--silent", "package"], cwd=VSCODE,
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stdout + run.stderr
    with zipfile.ZipFile(vsix) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("extension/package.json"))
        grammar = archive.read("extension/syntaxes/wiring.tmLanguage.json")
    assert grammar == (VSCODE / "syntaxes" / "wiring.tmLanguage.json").read_bytes()
    assert "extension/" + manifest["main"].removeprefix("./") in names
    assert "extension/language-configuration.json" in names
    assert "extension/node_modules/vscode-languageclient/node.js" in names
    assert [c["command"] for c in manifest["contributes"]["commands"]] == ["wiring.preview"]
    assert manifest["contributes"]["languages"][0]["extensions"] == [".wd"]
