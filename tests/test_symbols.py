"""wiring.symbols.Index (which declaration each written name refers to) and the overlay of
unsaved texts that `check_text` reads in place of files: the core the language server asks."""

from wiring.api import check_file, check_text
from wiring.symbols import Index

from conftest import EXAMPLES

LIB = "type Prompt\ncomponent P : policy {\n  in prompt : Prompt\n}\n"
MAIN = 'import "lib.wd"\ndiagram D {\n  in prompt : Prompt\n  p = P\n  prompt -> p.prompt\n}\n'


def test_an_overlay_is_read_in_place_of_the_file(tmp_path):
    (tmp_path / "lib.wd").write_text(LIB)
    main = tmp_path / "main.wd"
    assert check_text(MAIN, str(main)).ok
    edited = {str(tmp_path / "lib.wd"): LIB.replace("in prompt", "in question")}
    result = check_text(MAIN, str(main), overlay=edited)
    assert not result.ok and any("prompt" in d.message for d in result.diagnostics)
    assert result.sources[str(tmp_path / "lib.wd")] == edited[str(tmp_path / "lib.wd")]
    assert (tmp_path / "lib.wd").read_text() == LIB


def test_every_name_of_every_example_leads_to_a_declaration_of_that_name():
    for path in EXAMPLES:
        result = check_file(str(path))
        index = Index(result.program)
        text = result.sources[str(path)].split("\n")
        found = index.occurrences[str(path)]
        assert len(found) > 10, path
        for o in found:
            written = text[o.span.line - 1][o.span.column - 1:o.span.end_column - 1]
            assert written == o.symbol.name, (path, o)
            (declared,) = [d for d in index.references(o.symbol) if d.declaration]
            assert declared.span == o.symbol.span
            assert index.at(str(path), o.span.line, o.span.column).symbol == o.symbol


def test_a_port_after_a_box_is_the_port_of_that_boxs_component(tmp_path):
    (tmp_path / "lib.wd").write_text(LIB)
    result = check_text(MAIN, str(tmp_path / "main.wd"))
    index = Index(result.program)
    line = MAIN.split("\n").index("  prompt -> p.prompt") + 1
    use = index.at(str(tmp_path / "main.wd"), line, len("  prompt -> p.") + 1)
    assert (use.symbol.form, use.symbol.owner, use.symbol.file) == \
        ("port", "P", str(tmp_path / "lib.wd"))
    outer = index.at(str(tmp_path / "main.wd"), line, 3)
    assert (outer.symbol.form, outer.symbol.owner) == ("port", "D")
    assert [s.name for s in index.ports_of("D", "p")] == ["prompt"]
