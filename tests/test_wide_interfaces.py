"""Loops are found through components and nested diagrams however the dependency graph is
stored (a component's inputs reach its outputs through one hub node; a nested diagram's
relation shares sets between outputs), and wide interfaces check clean."""

import wiring

_INNER = """
type T
component Pass : tool {
  in  a : T
  in  b : T
  out c : T
  out d : T
}
component Store : memory, stateful {
  in  a : T
  out c : T
}
diagram Inner {
  in  x : T
  in  z : T
  out y : T
  out w : T
  p = Pass
  s = Store
  x -> p.a
  z -> p.b
  p.c -> y
  x -> s.a
  s.c -> w
  p.d -> s.a
}
"""


def _codes(text: str) -> list[str]:
    return [d.code for d in wiring.check_text(text).diagnostics]


def test_a_loop_through_a_component_inside_a_nested_diagram_is_algebraic():
    outer = _INNER + """
diagram Outer {
  in  q : T
  out r : T
  i = Inner
  q -> i.x
  i.y -> i.z
  i.y -> r
  i.w -> r
}
"""
    result = wiring.check_text(outer)
    loops = [d for d in result.diagnostics if d.code == "E0220"]
    assert len(loops) == 1 and "`i`" in loops[0].message


def test_a_loop_only_through_a_stateful_box_is_not_algebraic():
    outer = _INNER + """
diagram Outer {
  in  q : T
  out r : T
  i = Inner
  q -> i.z
  i.w -> i.x
  i.y -> r
}
"""
    assert "E0220" not in _codes(outer)


def test_a_wide_interface_checks_clean():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import generate

    assert wiring.check_text(generate.wide(400)).diagnostics == []
