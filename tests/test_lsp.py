"""`wiring lsp`, tested through the protocol: a client starts the server as a process and speaks
JSON-RPC to it over stdio, as an editor does (wiring.lsp.client)."""

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT, require_package

require_package("pygls", "lsp")

from wiring.api import check_file  # noqa: E402
from wiring.codes import CODES, docs_page  # noqa: E402
from wiring.lsp.client import Client  # noqa: E402

LIB = """\
import "std/core.wd"

component Policy(rounds : Nat >= 1 = 2) : policy, learned, untrusted {
  in  prompt : Prompt
  out answer : Response
}

component Judge : evaluator, trusted {
  in  answer : Response
  out score  : Real
}
"""

MAIN = """\
import "lib.wd"

diagram Main {
  in  prompt : Prompt
  out answer : Response
  pi    = Policy(rounds = 3)
  judge = Judge
  prompt -> pi.prompt
  pi.answer -> judge.answer, answer
  train pi by ppo maximising judge.score
}
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "lib.wd").write_text(LIB)
    (tmp_path / "main.wd").write_text(MAIN)
    return tmp_path


@pytest.fixture
def client():
    session = Client()
    session.initialize(str(ROOT))
    yield session
    assert session.close() == 0


def where(text: str, needle: str, nth: int = 0, offset: int = 0) -> tuple[int, int]:
    """(line, character) from 0 of the `nth` occurrence of `needle` in `text`, plus `offset`."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    at += offset
    return text.count("\n", 0, at), at - (text.rfind("\n", 0, at) + 1)


def published(client, uri):
    return client.wait_for("textDocument/publishDiagnostics", uri)["diagnostics"]


# ------------------------------------------------------------------------------ diagnostics

def test_without_pygls_the_command_says_how_to_install_it():
    hide = ("import sys; sys.modules['pygls'] = None\n"
            "from wiring.cli import main\nsys.exit(main(['lsp']))")
    run = subprocess.run([sys.executable, "-c", hide], capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, timeout=60)
    assert run.returncode == 2
    assert "pip install 'wiring-diagrams[lsp]'" in run.stderr and "Traceback" not in run.stderr


def test_diagnostics_carry_code_place_help_related_places_and_docs_link(client, project):
    text = MAIN.replace("  judge = Judge\n", "  judge = Judge\n  judge = Judge\n")
    uri = client.open(project / "main.wd", text)
    (problem,) = [d for d in published(client, uri) if d["code"] == "E0111" or
                  d["severity"] == 1]
    expected = check_file_text(project, text)
    first = next(d for d in expected if d.severity == "error")
    assert problem["code"] == first.code
    assert problem["range"]["start"] == {"line": first.span.line - 1,
                                         "character": first.span.column - 1}
    assert problem["message"].startswith(first.message)
    assert f"help: {first.help}" in problem["message"]
    page, anchor = docs_page(first.code)
    assert problem["codeDescription"]["href"].endswith(f"docs/{page}#{anchor}")
    assert Path(problem["codeDescription"]["href"][len("file://"):].split("#")[0]).is_file()
    related = problem["relatedInformation"]
    assert [r["location"]["range"]["start"]["line"] for r in related] == \
        [r.span.line - 1 for r in first.related]


def check_file_text(project, text):
    path = project / "scratch.wd"
    path.write_text(text)
    return check_file(str(path)).diagnostics


def test_diagnostics_follow_the_text_as_it_is_typed(client, project):
    uri = client.open(project / "main.wd")
    assert [d["code"] for d in published(client, uri) if d["severity"] == 1] == []
    client.change(uri, MAIN.replace("pi.prompt\n", "pi.promt\n"))
    broken = published(client, uri)
    assert any(d["severity"] == 1 and "promt" in d["message"] for d in broken)
    client.change(uri, MAIN)
    assert not any(d["severity"] == 1 for d in published(client, uri))


def test_lint_findings_are_diagnostics_too(client):
    path = ROOT / "examples" / "open_agency.wd"
    uri = client.open(path)
    codes = {d["code"] for d in published(client, uri)}
    linted = subprocess.run([sys.executable, "-m", "wiring", "lint", "--format", "json",
                             str(path)], capture_output=True, text=True, timeout=120)
    assert linted.returncode in (0, 1), linted.stderr
    import json

    (entry,) = json.loads(linted.stdout)
    standing = {f["code"] for f in entry["findings"] if f.get("acknowledged") is None}
    assert standing and standing <= codes
    finding = next(c for c in codes if c.startswith("S"))
    assert CODES[finding].severity in ("error", "warning", "note")


def test_an_unsaved_imported_file_is_read_from_the_editor(client, project):
    main = client.open(project / "main.wd")
    assert not any(d["severity"] == 1 for d in published(client, main))
    lib = client.open(project / "lib.wd")
    published(client, lib)
    client.change(lib, LIB.replace("component Judge", "component Grader"))
    again = published(client, main)
    assert any(d["severity"] == 1 and "Judge" in d["message"] for d in again)
    assert (project / "lib.wd").read_text() == LIB   # nothing was saved


def test_a_problem_in_an_imported_file_is_shown_on_its_import(client, project):
    main = client.open(project / "main.wd")
    published(client, main)
    lib = client.open(project / "lib.wd")
    published(client, lib)
    client.change(lib, LIB.replace("out score  : Real", "out score  : Reall"))
    (problem,) = [d for d in published(client, main) if d["severity"] == 1]
    assert problem["range"]["start"] == {"line": 0, "character": len("import ")}
    assert problem["message"].startswith(f"in `{project / 'lib.wd'}`: ")
    assert "Reall" in problem["message"]
    (there,) = [r for r in problem["relatedInformation"]
                if r["location"]["uri"] == (project / "lib.wd").as_uri()]
    assert there["location"]["range"]["start"]["line"] == 9


# ------------------------------------------------------------------------- hover and names

def test_hover_shows_a_ports_type_a_boxs_kind_and_trust_and_a_signature(client, project):
    uri = client.open(project / "main.wd")
    port = client.at("textDocument/hover", uri, *where(MAIN, "pi.prompt", offset=4))
    assert "in  prompt : Prompt" in port["result"]["contents"]["value"]
    box = client.at("textDocument/hover", uri, *where(MAIN, "judge", 0))["result"]
    assert "kind `evaluator`, trust `trusted`" in box["contents"]["value"]
    component = client.at("textDocument/hover", uri, *where(MAIN, "Policy"))["result"]
    shown = component["contents"]["value"]
    assert "component Policy(rounds : Nat >= 1 = 2)" in shown and "out answer : Response" in shown


def test_hover_on_a_diagnostic_explains_its_code(client, project):
    text = MAIN.replace("pi.prompt\n", "pi.promt\n")
    uri = client.open(project / "main.wd", text)
    (error,) = [d for d in published(client, uri) if d["severity"] == 1]
    start = error["range"]["start"]
    shown = client.at("textDocument/hover", uri, start["line"], start["character"])
    assert CODES[error["code"]].explanation in shown["result"]["contents"]["value"]


@pytest.mark.parametrize("needle, offset, file, declared", [
    ("Policy(", 0, "lib.wd", "component Policy"),          # a component, across an import
    ("judge.score", 0, "main.wd", "judge = Judge"),         # an instance
    ("judge.score", 6, "lib.wd", "out score"),              # a port of an instance
    ("rounds = 3", 0, "lib.wd", "rounds : Nat"),            # a parameter
    ("Prompt\n", 0, "core.wd", "type Prompt"),              # a type in the standard library
])
def test_definition(client, project, needle, offset, file, declared):
    uri = client.open(project / "main.wd")
    (found,) = client.at("textDocument/definition", uri,
                         *where(MAIN, needle, offset=offset))["result"]
    assert found["uri"].endswith("/" + file)
    target = Path(found["uri"][len("file://"):]).read_text()
    line = target.split("\n")[found["range"]["start"]["line"]]
    assert declared in line
    start, end = found["range"]["start"]["character"], found["range"]["end"]["character"]
    assert line[start:end] in declared


def test_references_reach_every_file_of_the_project(client, project):
    uri = client.open(project / "lib.wd")
    found = client.at("textDocument/references", uri, *where(LIB, "Judge"),
                      context={"includeDeclaration": True})["result"]
    assert sorted((Path(f["uri"]).name, f["range"]["start"]["line"]) for f in found) == \
        [("lib.wd", 7), ("main.wd", 6)]
    without = client.at("textDocument/references", uri, *where(LIB, "Judge"),
                        context={"includeDeclaration": False})["result"]
    assert [Path(f["uri"]).name for f in without] == ["main.wd"]


def test_references_follow_a_project_file_changed_on_disk(client, project):
    # the project's other files are read once, and again when one changes
    uri = client.open(project / "lib.wd")
    asked = ("textDocument/references", uri, *where(LIB, "Judge"))
    found = client.at(*asked, context={"includeDeclaration": False})["result"]
    assert [(Path(f["uri"]).name, f["range"]["start"]["line"]) for f in found] == \
        [("main.wd", 6)]
    (project / "main.wd").write_text("# moved down a line\n" + MAIN)
    found = client.at(*asked, context={"includeDeclaration": False})["result"]
    assert [(Path(f["uri"]).name, f["range"]["start"]["line"]) for f in found] == \
        [("main.wd", 7)]


def test_rename_edits_every_file_and_refuses_what_it_cannot(client, project):
    uri = client.open(project / "main.wd")
    edit = client.request("textDocument/rename", {
        "textDocument": {"uri": uri}, "position": dict(zip(("line", "character"),
                                                           where(MAIN, "pi.answer", 0, 3))),
        "newName": "reply"})["result"]["changes"]
    renamed = {Path(u[len("file://"):]).name: apply(Path(u[len("file://"):]).read_text(), e)
               for u, e in edit.items()}
    assert set(renamed) == {"lib.wd", "main.wd"}
    (project / "lib.wd").write_text(renamed["lib.wd"])
    (project / "main.wd").write_text(renamed["main.wd"])
    assert check_file(str(project / "main.wd")).ok
    assert "out reply : Response" in renamed["lib.wd"] and "pi.reply" in renamed["main.wd"]
    library = client.request("textDocument/rename", {
        "textDocument": {"uri": uri}, "position": dict(zip(("line", "character"),
                                                           where(MAIN, "Prompt"))),
        "newName": "Question"})
    assert "library" in library["error"]["message"]
    keyword = client.request("textDocument/rename", {
        "textDocument": {"uri": uri}, "position": dict(zip(("line", "character"),
                                                           where(MAIN, "judge"))),
        "newName": "train"})
    assert "not a name" in keyword["error"]["message"]
    for old, new in (("judge", "pi"), ("Judge", "Policy"), ("Judge", "Response")):
        taken = client.request("textDocument/rename", {
            "textDocument": {"uri": uri}, "position": dict(zip(("line", "character"),
                                                               where(MAIN, old))),
            "newName": new})
        assert "already declared" in taken["error"]["message"], (old, new)


def apply(text: str, edits: list[dict]) -> str:
    lines = text.split("\n")
    for e in sorted(edits, key=lambda e: (e["range"]["start"]["line"],
                                          e["range"]["start"]["character"]), reverse=True):
        start, end = e["range"]["start"], e["range"]["end"]
        assert start["line"] == end["line"]
        line = lines[start["line"]]
        lines[start["line"]] = line[:start["character"]] + e["newText"] + line[end["character"]:]
    return "\n".join(lines)


# --------------------------------------------------------------------- completion, outline

def complete(client, uri, line, character):
    result = client.at("textDocument/completion", uri, line, character)["result"]
    return {item["label"]: item for item in result["items"]}


def test_completion_of_ports_after_a_box_and_a_dot(client, project):
    uri = client.open(project / "main.wd")
    published(client, uri)
    typing = MAIN.replace("  prompt -> pi.prompt\n", "  prompt -> pi.prompt\n  judge.\n")
    client.change(uri, typing)
    line, character = where(typing, "judge.\n", offset=len("judge."))
    assert set(complete(client, uri, line, character)) == {"answer", "score"}


def test_completion_of_names_kinds_and_optimisers(client, project):
    uri = client.open(project / "main.wd")
    published(client, uri)
    typing = MAIN.replace("  train pi by ppo", "  train pi by p")
    client.change(uri, typing)
    optimisers = complete(client, uri, *where(typing, "by p", offset=4))
    assert "ppo" in optimisers and "Policy" not in optimisers
    typing = MAIN.replace("  judge = Judge\n", "  judge = Judge\n  x = \n")
    client.change(uri, typing)
    boxes = complete(client, uri, *where(typing, "x = ", offset=4))
    assert {"Policy", "Judge"} <= set(boxes) and "ppo" not in boxes
    typing = MAIN + "component New : \n"
    client.change(uri, typing)
    kinds = complete(client, uri, *where(typing, "New : ", offset=6))
    assert {"policy", "evaluator", "monitor"} <= set(kinds)
    typing = MAIN.replace("  judge = Judge\n", "  judge = Judge\n  \n")
    client.change(uri, typing)
    anything = complete(client, uri, *where(typing, "Judge\n  \n", offset=8))
    assert {"pi", "judge", "prompt", "Main", "Prompt", "train", "diagram", "Real"} <= \
        set(anything)


def test_document_symbols_outline_diagrams_and_their_instances(client, project):
    uri = client.open(project / "main.wd")
    (main,) = client.request("textDocument/documentSymbol",
                             {"textDocument": {"uri": uri}})["result"]
    assert main["name"] == "Main"
    assert [c["name"] for c in main["children"]] == ["prompt", "answer", "pi", "judge"]
    lib = client.open(project / "lib.wd")
    outline = client.request("textDocument/documentSymbol", {"textDocument": {"uri": lib}})
    assert [(s["name"], [c["name"] for c in s["children"]]) for s in outline["result"]] == \
        [("Policy", ["rounds", "prompt", "answer"]), ("Judge", ["answer", "score"])]


def test_formatting_is_wiring_fmt(client, project):
    from wiring.fmt import format_source

    messy = MAIN.replace("  pi    = Policy", "  pi =    Policy").replace("  judge = ", "judge=")
    uri = client.open(project / "main.wd", messy)
    edits = client.request("textDocument/formatting", {
        "textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": True}})
    (edit,) = edits["result"]
    assert edit["newText"] == format_source(messy, str(project / "main.wd"))
    client.change(uri, MAIN + "component {")
    assert client.request("textDocument/formatting", {
        "textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": True}}) \
        == {"result": []}


# ----------------------------------------------------------------------------- any proposal

def test_every_example_every_name_leads_to_its_declaration(client):
    """On every example: the diagnostics are check's, and each top-level declaration's
    references all lead back to it."""
    for path in EXAMPLES:
        uri = client.open(path)
        text = path.read_text()
        codes = sorted(d["code"] for d in published(client, uri) if d["code"][0] != "S")
        assert codes == sorted(d.code for d in check_file(str(path)).diagnostics), path
        outline = client.request("textDocument/documentSymbol",
                                 {"textDocument": {"uri": uri}})["result"]
        for entry in outline:
            start = entry["selectionRange"]["start"]
            refs = client.at("textDocument/references", uri, start["line"],
                             start["character"], context={"includeDeclaration": False})
            for ref in refs["result"]:
                if ref["uri"] != uri:
                    continue
                back = client.at("textDocument/definition", uri,
                                 ref["range"]["start"]["line"],
                                 ref["range"]["start"]["character"])["result"]
                assert [b["range"]["start"] for b in back] == [start], (path, entry["name"])
        line = text.split("\n")[outline[0]["selectionRange"]["start"]["line"]]
        assert outline[0]["name"] in line
