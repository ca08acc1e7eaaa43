"""The VS Code extension: its TextMate grammar is the one generated from grammar/wiring.lark,
gives each kind of token its scope when VS Code's own tokeniser (vscode-textmate with
Oniguruma, run by editors/vscode/test/tokenise.js) reads it, and is packaged in the .vsix with
the extension's entry point; the extension, run against a stand-in for VS Code's API
(editors/vscode/test/extension.js), starts `wiring lsp` and previews a file with the real
`wiring render`."""

from __future__ import annotations

import json
import base64
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, VSCODE, require_package

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
    require_package("pygments", "docs")      # the generator reads the Pygments lexer's keywords
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
        ("import", 3): "keyword.control.import.wiring",
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
        ("path", 13): "keyword.other.pseudo.wiring",
        ("B", 14): "entity.name.type.wiring",
        ("for", 14): "keyword.other.reserved.wiring",
        ("stop", 16): "keyword.other.reserved.wiring",
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
    # A keyword spelled as a name being given a value or a type is not coloured as one, nor
    # the word of a claim outside an assertion.
    assert " kind " in [t for line, t, _ in tokens if line == 5]
    assert " response " in [t for line, t, _ in tokens if line == 11]
    for line, text, scopes in tokens:
        assert scopes[0] == "source.wiring"


@pytest.mark.needs_tool("node")
def test_every_keyword_of_the_language_is_highlighted(tmp_path):
    require_package("pygments", "docs")
    from wiring.pygments_lexer import keywords

    grammar = re.sub(r"//[^\n]*", "", (ROOT / "grammar" / "wiring.lark").read_text("utf-8"))
    words = sorted(set(re.findall(r'"([a-z]+)"', grammar)))
    assert len(words) > 40, words
    places = keywords().places   # the words of claims and of blocks: keywords only there
    assert {"path", "state"} <= set(places), places
    where = {"claim": "assert {} x", "block": "behaviour B for C {{ {} x }}"}
    sample = tmp_path / "words.wd"
    lines = [where[places[w]].format(w) if w in places else f"{w} x" for w in words]
    sample.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tokens = tokenise(sample)
    for line, word in enumerate(words, start=1):
        assert scope_of(tokens, word, line).startswith(KEYWORD_SCOPES), word
    # ...but never the field after a dot, a longer word that starts with one, or a word of a
    # place outside it.
    sample.write_text("a.type = typed\nx -> state, path\n", encoding="utf-8")
    assert all(s == ["source.wiring"] for _, t, s in tokenise(sample)
               if t.strip(" ,") in ("type", "typed", "state", "path")), tokenise(sample)


@pytest.mark.needs_tool("node")
def test_the_vsix_holds_the_grammar_and_the_extension(tmp_path):
    # Packaged afresh (scripts/setup.sh packages editors/vscode/wiring.vsix the same way), so
    # that what is checked is what the sources make now.
    vsix = tmp_path / "wiring.vsix"
    run = subprocess.run(["npm", "run", "--silent", "package", "--", "-o", str(vsix)],
                         cwd=VSCODE, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    with zipfile.ZipFile(vsix) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("extension/package.json"))
        grammar = archive.read("extension/syntaxes/wiring.tmLanguage.json")
        entry = archive.read("extension/" + manifest["main"].removeprefix("./"))
    assert grammar == (VSCODE / "syntaxes" / "wiring.tmLanguage.json").read_bytes()
    # The entry is extension.js bundled by esbuild with the language client: nothing else.
    assert manifest["main"] == "./dist/extension.js"
    assert b'"wiring.preview"' in entry and b"var LanguageClient = class" in entry
    assert not any(name.startswith("extension/node_modules/") for name in names)
    assert "extension/language-configuration.json" in names
    assert [c["command"] for c in manifest["contributes"]["commands"]] == ["wiring.preview"]
    assert manifest["contributes"]["languages"][0]["extensions"] == [".wd"]


@pytest.mark.needs_tool("node")
@pytest.mark.needs_tool("dot")
def test_the_extension_starts_the_server_and_previews_the_file(tmp_path):
    wiring = str(Path(sys.executable).with_name("wiring"))   # as the setting wiring.path names it
    source = tmp_path / "starter.wd"
    subprocess.run([wiring, "new", str(source)], check=True, capture_output=True, timeout=60)
    broken = tmp_path / "broken.wd"
    broken.write_text(source.read_text(encoding="utf-8").replace("-> response", "-> nowhere"),
                      encoding="utf-8")
    run = subprocess.run(["node", "test/extension.js", wiring, str(source), str(broken)],
                         cwd=VSCODE, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    [client] = seen["clients"]
    assert client["server"]["command"] == wiring and client["server"]["args"] == ["lsp"]
    assert client["selector"] == [{"scheme": "file", "language": "wiring"}]
    assert seen["commands"] == ["wiring.preview"] and seen["messages"] == []
    assert seen["panels"] == 1 and seen["title"] == "Preview starter.wd"
    assert seen["scripts"] is False
    picture = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', seen["first"])
    assert picture and b"<svg" in base64.b64decode(picture.group(1))
    # After a save with errors: the diagnostics, as `wiring render` prints them, in its place.
    assert "does not render" in seen["second"] and "data:image" not in seen["second"]
    assert "error[E0105]" in seen["second"] and "starter.wd:" in seen["second"]
