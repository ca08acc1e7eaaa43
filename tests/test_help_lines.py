"""Help lines that point at the actual fix (issue 10, item 10): each case once misled a newcomer."""

import wiring

_TRAINED = """type P
component Pi : policy, learned {
  in p : P
  out q : Real
}
diagram D {
  in p : P
  pi = Pi
  p -> pi.p
  train pi by OPTIMISER maximising pi.q
}
"""


def _only(text: str, path: str = "<string>"):
    result = wiring.check_text(text, path)
    assert len(result.diagnostics) == 1, result.report()
    return result.diagnostics[0]


def test_dpo_is_a_built_in_optimiser_of_the_gradient_family():
    result = wiring.check_text(_TRAINED.replace("OPTIMISER", "dpo"))
    assert result.ok, result.report()
    assert result.proposal.diagrams["D"].trainings[0].family == "gradient"


def test_a_built_in_optimiser_may_be_declared_again_with_its_family():
    text = 'optimiser dpo : gradient "as the docs declare it"\n' + _TRAINED.replace("OPTIMISER", "dpo")
    assert wiring.check_text(text).ok


def test_a_built_in_optimiser_declared_with_another_family_says_what_it_is():
    found = _only("optimiser sgd : rl\n")
    assert found.code == "E0111"
    assert found.help.startswith("`sgd` is a built-in optimiser of the `gradient` family")


def test_an_unknown_optimiser_says_how_to_declare_one():
    near = _only(_TRAINED.replace("OPTIMISER", "dpx"))
    assert near.code == "E0107" and near.help.startswith("did you mean `dpo`? Or declare it with "
                                                         "`optimiser dpx : family` (families: ")
    far = _only(_TRAINED.replace("OPTIMISER", "zork"))
    assert far.help.startswith("declare it with `optimiser zork : family` (families: gradient")


def test_a_type_the_library_declares_says_to_use_the_librarys(tmp_path):
    path = tmp_path / "p.wd"
    path.write_text('import "std/core.wd"\ntype Response\n')
    found = [d for d in wiring.check_file(str(path)).diagnostics if d.code == "E0111"]
    assert len(found) == 1
    assert found[0].help == ("`std/core.wd` declares `Response`: delete this declaration to use "
                             "the library's, or choose another name")


def test_an_unclosed_string_says_so_and_where_it_opens():
    found = _only('proposal "RLHF\ntype A\n')
    assert (found.code, found.message, found.label) == \
        ("E0002", "this string is not closed", "the string opens here")
    assert (found.span.line, found.span.column) == (1, 10)
    assert found.help.startswith('close it with `"` on the same line')


def test_a_c_style_comment_says_how_comments_are_written():
    for comment in ("// a comment", "/* a comment */"):
        found = _only(f"type A\n{comment}\ntype B\n")
        assert found.code == "E0001"
        assert found.help == "comments start with `#` and run to the end of the line"
    # division itself is not mistaken for a comment
    assert "comments" not in _only("type A\nparam x : Real = 1 / \n").help


def test_a_word_used_for_a_keyword_is_told_the_keyword():
    # `input a : A` is not `in put`: a name already follows, so the word stands for `in`
    for word, keyword in (("input", "in"), ("output", "out")):
        found = _only(f"type A\ncomponent X : policy {{\n  {word} a : A\n}}\n")
        assert found.help == f"did you mean `{keyword}`? write `{keyword} a : A`"
    # a keyword glued to the name it declares is still split
    assert _only("typePrompt\n").help.startswith("did you mean `type Prompt`?")


def test_two_sources_in_a_diagram_with_modes_suggest_when_first():
    text = ("type A\ncomponent S : source {\n  out a : A\n}\ncomponent K : sink {\n  in a : A\n}\n"
            "diagram D {\n  modes train : training, deploy : deployment\n"
            "  s1 = S; s2 = S; k = K\n  s1.a -> k.a\n  s2.a -> k.a\n}\n")
    found = _only(text)
    assert found.code == "E0211"
    assert found.help.startswith("if the sources belong to different modes, restrict each wire "
                                 "to its own: `s1.a -> k.a when train`; otherwise keep one wire")
    # without modes, the help is about merging or choosing, as before
    plain = _only(text.replace("  modes train : training, deploy : deployment\n", ""))
    assert plain.help.startswith("keep one wire")


def test_an_unknown_kind_far_from_every_kind_lists_the_kinds_by_family():
    found = _only("type A\ncomponent X : supervisor {\n  in a : A\n}\n")
    assert found.code == "E0102" and "sensor" not in found.help.split(";")[0]
    assert found.help.startswith("the kinds: agent (policy, debater, adversary); evaluator "
                                 "(reward_model, preference_model, judge, critic, monitor, "
                                 "overseer")
    # a typo still gets its "did you mean"
    assert _only("type A\ncomponent X : moniter {\n  in a : A\n}\n").help == \
        "did you mean `monitor`?"


def test_a_missing_closing_brace_is_one_error_at_the_brace():
    text = ("type A\ncomponent X : policy {\n  in a : A\n\ncomponent Y : policy {\n  in b : A\n}\n"
            "diagram D {\n  in a : A\n  y = Y\n  a -> y.b\n}\n")
    found = _only(text)
    assert (found.code, found.message, found.label) == \
        ("E0001", "`component X : policy {` is not closed", "opened here")
    assert (found.span.line, found.span.column) == (2, 22)
    assert found.help == "add `}` before line 5"
    assert [(r.span.line, r.message) for r in found.related] == \
        [(5, "the next declaration starts here")]
    at_end = _only("type A\ndiagram D {\n  in a : A\n")
    assert (at_end.message, at_end.help) == \
        ("`diagram D {` is not closed", "add `}` at the end of the file")


def test_an_assertion_naming_a_missing_port_of_a_box_suggests_its_ports():
    from wiring.codes import CODES

    text = CODES["S0201"].example + "assert gated(pi.respons)\n"
    (problem,) = [d for d in wiring.check_text(text).diagnostics if d.code == "E0122"]
    assert problem.help == "`pi` has no port `respons`: did you mean `response`?"


def test_allowing_a_check_code_says_allow_takes_findings():
    from wiring.codes import CODES

    text = CODES["S0201"].example + 'allow E0210 because "x"\n'
    (problem,) = [d for d in wiring.check_text(text).diagnostics if d.code == "E0121"]
    assert "E0210 is an error of `wiring check`: fix what it reports" in problem.help


def test_a_misspelt_learned_is_one_error_not_a_cascade():
    from wiring.codes import CODES

    text = CODES["S0501"].example
    assert "learned, untrusted" in text
    broken = text.replace("learned, untrusted", "learnd, untrusted", 1)
    codes = [d.code for d in wiring.check_text(broken).diagnostics if d.severity == "error"]
    assert codes == ["E0108"]


def test_a_broken_wire_does_not_also_warn_that_the_signal_reads_nothing():
    from wiring.codes import CODES

    text = CODES["S0501"].example
    broken = text.replace("pi.response -> raters.response, rm.response",
                          "pi.response -> raters.response\n  pi.respons -> rm.response", 1)
    assert broken != text
    codes = [d.code for d in wiring.check_text(broken).diagnostics]
    assert "E0105" in codes and "W0301" not in codes


def test_an_unknown_box_with_no_close_name_lists_the_boxes():
    from wiring.codes import CODES

    text = CODES["S0201"].example + 'allow S0201 on zzz because "x"\n'
    (problem,) = [d for d in wiring.check_text(text).diagnostics if d.code == "E0122"]
    assert problem.help.startswith("the boxes here: `pi`, `src`, `world` (")
