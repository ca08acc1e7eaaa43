"""The parse stage's syntax nodes: spans of nodes and names, comments kept beside the statements
they belong to, and deep expressions built without recursion."""

import inspect
import sys
from contextlib import contextmanager

from wiring import syntax as s
from wiring.parse import parse

SOURCE = """\
# A small proposal.
proposal "test"   # its title

type Prompt
param beta : (Real) in [0, 1) = 0.1

# the policy
component Policy : policy, learned {
  in  prompt : Prompt  # what it reads
  out answer : Prompt
  # nothing after this
}

diagram Main {  # the whole system
  modes train
  pi = Policy when train
  pi.answer -> out
  out answer : Prompt
}
# the end
"""


def _file(text: str = SOURCE) -> s.File:
    parsed = parse("test.wd", text)
    assert not parsed.diagnostics, parsed.diagnostics
    return parsed.syntax


def _declaration(file: s.File, name: str) -> s.Declaration:
    return next(d for d in file.declarations
                if isinstance(d, s.Declaration) and d.name.text == name)


def _where(node: s.Node) -> tuple[int, int, int, int]:
    span = node.span
    return span.line, span.column, span.end_line, span.end_column


def test_every_name_has_its_own_span():
    file = _file()
    policy = _declaration(file, "Policy")
    assert _where(policy.name) == (8, 11, 8, 17)
    assert [a.name.text for a in policy.attributes] == ["policy", "learned"]
    assert _where(policy.attributes[1].name) == (8, 28, 8, 35)
    prompt, answer = policy.members
    assert (prompt.direction, prompt.names[0].text) == ("in", "prompt")
    assert _where(prompt.names[0]) == (9, 7, 9, 13)
    wire = next(m for m in _declaration(file, "Main").members if isinstance(m, s.Wire))
    assert _where(wire.source.instance) == (17, 3, 17, 5)
    assert _where(wire.source.port) == (17, 6, 17, 12)
    assert _where(wire.targets[0].port) == (17, 16, 17, 19)


def test_nodes_span_their_text_and_parentheses_are_kept():
    beta = _declaration(_file(), "beta")
    assert isinstance(beta.type, s.IntervalType)
    assert beta.type.text == "(Real) in [0, 1)"
    assert isinstance(beta.type.base, s.Paren)
    assert s.bare(beta.type.base).text == "Real"
    assert beta.type.interval.upper_open and not beta.type.interval.lower_open
    assert isinstance(beta.default, s.Number) and beta.default.text == "0.1"
    assert _where(beta) == (5, 1, 5, 36)


def test_comments_stand_beside_their_statements():
    file = _file()
    title = file.declarations[0]
    assert [c.text for c in title.comments] == ["# A small proposal.", "# its title"]
    policy = _declaration(file, "Policy")
    assert [c.text for c in policy.comments] == ["# the policy", "# nothing after this"]
    assert [c.text for c in policy.members[0].comments] == ["# what it reads"]
    assert policy.members[1].comments == ()
    main = _declaration(file, "Main")
    assert [c.text for c in main.comments] == ["# the whole system"]  # on its opening line
    assert [c.text for c in file.comments] == ["# the end"]
    assert _where(file.comments[0]) == (20, 1, 20, 10)


def test_a_comment_inside_a_statement_belongs_to_it():
    file = _file('param n : Real = (1 +  # one\n  2)\n')
    [param] = file.declarations
    assert [c.text for c in param.comments] == ["# one"]


def test_a_hash_inside_a_string_is_not_a_comment():
    [title] = _file('proposal "#1"  # first\n').declarations
    assert title.title.value == "#1"
    assert [c.text for c in title.comments] == ["# first"]


@contextmanager
def _stack_limit(frames: int):
    """Python's recursion limit set `frames` above the current depth."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def test_deep_expressions_are_built_without_recursion():
    text = "param n : Real = " + " + ".join(["1"] * 350) + "\n"
    parse("warm.wd", "param n : Real = 1\n")  # the parser is built (and cached) outside the limit
    with _stack_limit(60):
        file = _file(text)
    default = file.declarations[0].default
    assert isinstance(default, s.Binary) and default.depth == 349


def test_too_deep_an_expression_is_refused_at_its_first_operand():
    text = "param n : Real = " + "-" * 1000 + "x\n"
    with _stack_limit(60):
        parsed = parse("deep.wd", text)
    [diagnostic] = parsed.diagnostics
    assert diagnostic.code == "E0003"
    assert (diagnostic.span.line, diagnostic.span.column) == (1, 1018)
    assert "n" in parsed.damaged
