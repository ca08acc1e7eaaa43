"""Types and the expressions inside them: display, and the subtype relation.

Interval bounds and family indices are compared exactly. Constant expressions are decided with
fractions; only expressions that mention a parameter go to sympy, which is imported on first use
so that files without symbolic types never pay for it. Parameters become sympy symbols carrying
the assumptions the file declares (`param n : Nat >= 1`), built from the expression tree: no text
is ever parsed or evaluated.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterator

from .model import (Binary, BoolType, Call, Chain, CollectionType, EnumType, Expr, Infinity, Name, Neg,
                    Num, NumType, OpaqueType, Param, PortRef, RecordType, Type, UnknownType)

# ------------------------------------------------------------------------------------ display

_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "^": 4}


def show_expr(expr: Expr, parent: int = 0) -> str:
    if isinstance(expr, Num):
        return expr.value
    if isinstance(expr, Infinity):
        return "inf"
    if isinstance(expr, Name):
        return expr.name
    if isinstance(expr, PortRef):
        return f"{expr.instance}.{expr.port}" if expr.instance else expr.port
    if isinstance(expr, Neg):
        text = "-" + show_expr(expr.arg, 3)
        return f"({text})" if parent > 3 else text
    if isinstance(expr, Call):
        return f"{expr.function}({', '.join(show_expr(a) for a in expr.args)})"
    if isinstance(expr, Chain):
        own = _PRECEDENCE[expr.rest[0].op]
        text = show_expr(expr.first, own) + "".join(
            f" {link.op} {show_expr(link.arg, own + 1)}" for link in expr.rest)
        return f"({text})" if own < parent else text
    assert isinstance(expr, Binary)
    own = _PRECEDENCE[expr.op]
    left = show_expr(expr.left, own if expr.op != "^" else own + 1)
    right = show_expr(expr.right, own + 1 if expr.op != "^" else own)
    space = "" if expr.op == "^" else " "
    text = f"{left}{space}{expr.op}{space}{right}"
    return f"({text})" if own < parent else text


def show_interval(t: NumType) -> str:
    lower = "-inf" if t.lower is None else show_expr(t.lower)
    upper = "inf" if t.upper is None else show_expr(t.upper)
    return f"{'(' if t.lower_open else '['}{lower}, {upper}{')' if t.upper_open else ']'}"


def show_type(t: Type) -> str:
    if isinstance(t, NumType):
        if t.lower is None and t.upper is None:
            return t.base
        if t.base == "Int" and t.upper is None and not t.lower_open and _is_zero(t.lower):
            return "Nat"
        return f"{t.base} in {show_interval(t)}"
    if isinstance(t, BoolType):
        return "Bool"
    if isinstance(t, OpaqueType):
        if t.indices:
            return f"{t.name}[{', '.join(show_expr(i) for i in t.indices)}]"
        return t.name
    if isinstance(t, (RecordType, EnumType)):
        return t.name
    if isinstance(t, CollectionType):
        args = [show_type(t.element)] + ([show_expr(t.size)] if t.size is not None else [])
        return f"{t.constructor}[{', '.join(args)}]"
    return "?"


def _is_zero(expr: Expr | None) -> bool:
    return isinstance(expr, Num) and Fraction(expr.value) == 0


def names_in(expr: Expr) -> Iterator[Name | PortRef]:
    """Every parameter, instance or port reference in an expression, left to right."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, (Name, PortRef)):
            yield node
        elif isinstance(node, Neg):
            stack.append(node.arg)
        elif isinstance(node, Binary):
            stack += [node.right, node.left]
        elif isinstance(node, Chain):
            stack += [link.arg for link in reversed(node.rest)] + [node.first]
        elif isinstance(node, Call):
            stack += reversed(node.args)


def port_indices(t: Type) -> list[PortRef]:
    """The inputs a port's type is indexed by (`Answer[q]`: a dependent port), in order."""
    found: list[PortRef] = []
    stack = [t]
    while stack:
        item = stack.pop()
        if isinstance(item, OpaqueType):
            found += [i for i in item.indices if isinstance(i, PortRef)]
        elif isinstance(item, CollectionType):
            stack.append(item.element)
    return found


def is_scalar(t: Type) -> bool:
    return isinstance(t, (NumType, BoolType, UnknownType))


# ----------------------------------------------------------------------------- exact arithmetic

class _Symbolic(Exception):
    """Raised when an expression needs sympy (it names a parameter or is not plain arithmetic)."""


class _TooBig(_Symbolic):
    """Raised when deciding would take unbounded work: a number or a polynomial too large. The
    argument says which, for the E0206 that follows: the checker gives up rather than hang."""


# Bounds on the work of one comparison (issue 11). Constants stay within the floats the
# analyses use (2**1000 is about 1e301); sympy gets only polynomials it expands in a
# fraction of a second; and each relation has a budget of CPU time (less dependent on the
# machine's load than wall-clock time), checked between sympy's steps.
MAX_MAGNITUDE_BITS = 1000
MAX_WORK_BITS = 100_000
MAX_DEGREE = 64
MAX_TERMS = 200
BUDGET_SECONDS = 0.5


def _fold(op: str, left, right):
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    return left / right


def _constant(expr: Expr) -> Fraction:
    if isinstance(expr, Num):
        return Fraction(expr.value)
    if isinstance(expr, Chain):
        value = _constant(expr.first)
        for link in expr.rest:
            arg = _constant(link.arg)
            if link.op == "/" and arg == 0:
                raise _Symbolic
            value = _bounded(_fold(link.op, value, arg))
        return value
    if isinstance(expr, Neg):
        return -_constant(expr.arg)
    if isinstance(expr, Binary):
        left, right = _constant(expr.left), _constant(expr.right)
        if expr.op in "+-*":
            return _bounded(_fold(expr.op, left, right))
        if expr.op == "/":
            if right == 0:
                raise _Symbolic
            return _bounded(left / right)
        if expr.op == "^":
            return _power(left, right)
    raise _Symbolic


def _power(left: Fraction, right: Fraction) -> Fraction:
    """left ** right when it is rational and of bounded size. The size is estimated before
    computing: `9^9^9` has 370 million digits and would never finish."""
    if right.denominator != 1 or (left == 0 and right < 0):
        raise _Symbolic
    if abs(left) == 1 or left == 0:
        return left ** (int(right) % 2 if left else int(right))  # no size to bound
    size = max(abs(left.numerator).bit_length(), left.denominator.bit_length())
    if size * abs(right) > MAX_WORK_BITS:
        raise _TooBig(f"{'a power' if right > 0 else 'a fraction'} too large to compute")
    return _bounded(left ** int(right))


def _bounded(value: Fraction) -> Fraction:
    """`value`, unless it is beyond the range the analyses can take as a float."""
    if abs(value.numerator).bit_length() - value.denominator.bit_length() > MAX_MAGNITUDE_BITS:
        raise _TooBig("a number beyond 1e300")
    return value


def evaluate(expr: Expr, params: dict[str, Param]) -> Fraction | None:
    """The exact value of an expression, with parameters at their declared values; None when a
    parameter has no value or the expression is not plain arithmetic."""
    def substitute(node: Expr) -> Expr:
        if isinstance(node, Name):
            param = params.get(node.name)
            if param is None or param.default is None:
                raise _Symbolic
            return param.default
        if isinstance(node, Neg):
            return Neg(arg=substitute(node.arg))
        if isinstance(node, Binary):
            return Binary(op=node.op, left=substitute(node.left), right=substitute(node.right))
        if isinstance(node, Chain):
            return Chain(first=substitute(node.first),
                         rest=[link.model_copy(update={"arg": substitute(link.arg)})
                               for link in node.rest])
        return node

    try:
        return _constant(substitute(expr))
    except (_Symbolic, ZeroDivisionError, OverflowError):
        return None


def polynomial_size(expr: Expr, name_terms: int = 1) -> tuple[int, int]:
    """(degree, number of terms) bounding the expansion of `expr`, computed from the tree
    before sympy sees it; _TooBig past MAX_DEGREE or MAX_TERMS, or for a constant part too
    large to compute. `(a+b+c+d)^60` expands to 39,711 terms and `((k+1)^64)^64` has degree
    4,096: sympy would take minutes or hours on either. A parameter counts as `name_terms`
    terms: the Decider rewrites a bounded one as `bound + s`, which widens every expansion."""
    if isinstance(expr, (Num, Infinity)):
        return 0, 1
    if isinstance(expr, (Name, PortRef)):
        return 1, name_terms
    if isinstance(expr, Neg):
        return polynomial_size(expr.arg, name_terms)
    if isinstance(expr, Call):
        for arg in expr.args:
            polynomial_size(arg, name_terms)
        return 1, 1  # sympy keeps a function application whole
    if isinstance(expr, Chain):
        size = polynomial_size(expr.first, name_terms)
        for link in expr.rest:
            size = _combine(link.op, size, polynomial_size(link.arg, name_terms))
        return size
    assert isinstance(expr, Binary)
    left, right = polynomial_size(expr.left, name_terms), polynomial_size(expr.right, name_terms)
    if expr.op != "^":
        return _combine(expr.op, left, right)
    if left[0] == 0 and right[0] == 0:
        # a constant power: _TooBig when it is too large to compute; one that is not
        # rational (`(2^0.5)^(2^64)`) sympy computes exactly too, so its exponent is bounded
        if _constant_or_none(expr) is None:
            exponent = _constant_or_none(expr.right)
            if exponent is not None and abs(exponent) > MAX_DEGREE:
                raise _TooBig(f"an irrational power with an exponent beyond {MAX_DEGREE}")
        return 0, 1
    exponent = _constant_or_none(expr.right)
    if exponent is None:
        if left[1] > 1 or left[0] > 1:
            # `(k+1)^(k+64)`: sympy rewrites and expands such powers without bound
            raise _TooBig("a symbolic power of a sum")
        return 1, 1  # `x^n`, `2^n`: sympy keeps them whole
    if abs(exponent) > MAX_DEGREE:
        raise _TooBig(f"an exponent beyond {MAX_DEGREE}")
    # sympy expands the whole part of a fractional or negative power too: `(a+b+c+d)^13.5`
    # is `(a+b+c+d)^13 * sqrt(a+b+c+d)`, 560 terms, and simplifying it took seconds; and a
    # power of a fractional power is a power of the sum (`((a+b+c+d)^0.5)^64` is
    # `(a+b+c+d)^32`, 6,545 terms), so the fraction counts as a whole power of the sum
    power = math.ceil(abs(exponent))
    degree, terms = _limited(left[0] * power, math.comb(power + left[1] - 1, left[1] - 1))
    return (max(degree, 1), terms) if exponent.denominator != 1 or exponent < 0 else \
        (degree, terms)


def _constant_or_none(expr: Expr) -> Fraction | None:
    """The exact value of a constant expression; None when it is not one; _TooBig passes."""
    try:
        return _constant(expr)
    except _TooBig:
        raise
    except _Symbolic:
        return None


def _combine(op: str, left: tuple[int, int], right: tuple[int, int]) -> tuple[int, int]:
    if op in "+-":
        return _limited(max(left[0], right[0]), left[1] + right[1])
    return _limited(left[0] + right[0], left[1] * right[1])  # * and / (a denominator)


def _limited(degree: int, terms: int) -> tuple[int, int]:
    if degree > MAX_DEGREE:
        raise _TooBig(f"a polynomial of degree beyond {MAX_DEGREE}")
    if terms > MAX_TERMS:
        raise _TooBig(f"an expansion of more than {MAX_TERMS} terms")
    return degree, terms


class Decider:
    """Decides comparisons between expressions under the declared parameters' assumptions.

    Answers are True, False, or None when neither can be proved.
    """

    def __init__(self, params: dict[str, Param]):
        self.params = params
        self._sympy_cache: dict[str, object] = {}
        # Why the last question was left undecided by a bound on work, for its E0206.
        self.gave_up: str | None = None

    # The public questions -------------------------------------------------------------------
    def le(self, a: Expr | None, b: Expr | None, *, a_is_lower: bool, b_is_lower: bool,
           strict: bool = False) -> bool | None:
        """a <= b (or a < b), where None stands for -inf when `*_is_lower` and +inf otherwise."""
        a_inf = _infinity(a, a_is_lower)
        b_inf = _infinity(b, b_is_lower)
        if a_inf or b_inf:
            if a_inf == -1 or b_inf == 1:
                return not (strict and a_inf == b_inf)
            if a_inf == 1 or b_inf == -1:
                return False
        assert a is not None and b is not None
        self.gave_up = None
        if not strict and show_expr(a) == show_expr(b):
            return True  # the same expression: no algebra needed
        try:
            diff = _constant(b) - _constant(a)
            return diff > 0 if strict else diff >= 0
        except _TooBig as exc:
            self.gave_up = str(exc)
            return None
        except _Symbolic:
            pass
        try:
            return self._sympy_sign(a, b, strict)
        except _TooBig as exc:
            self.gave_up = str(exc)
            return None

    def equal(self, a: Expr, b: Expr) -> bool | None:
        self.gave_up = None
        if show_expr(a) == show_expr(b):
            return True  # written the same way: equal without asking sympy
        try:
            return _constant(a) == _constant(b)
        except _TooBig as exc:
            self.gave_up = str(exc)
            return None
        except _Symbolic:
            pass
        try:
            return self._sympy_equal(a, b)
        except _TooBig as exc:
            self.gave_up = str(exc)
            return None

    # sympy ----------------------------------------------------------------------------------
    def _sympy_equal(self, a: Expr, b: Expr) -> bool | None:
        sp = _sympy()
        diff = sp.expand(self._bounded_difference(a, b))
        if diff != 0 and not diff.is_polynomial():
            # simplify is slow, and needed only past polynomials (log, sqrt, division): a
            # polynomial that expands to something other than 0 is not identically 0.
            diff = sp.simplify(diff)
        if diff == 0:
            return True
        for substituted in self._substitutions(diff, time.process_time() + BUDGET_SECONDS):
            if substituted.is_zero is False:
                return False
        return None

    def _bounded_difference(self, a: Expr, b: Expr):
        """b - a in sympy, or _TooBig when sympy's work on it, after the substitutions of
        the parameters' bounds, could be more than a fraction of a second."""
        _combine("-", polynomial_size(a, name_terms=2), polynomial_size(b, name_terms=2))
        return self._to_sympy(b) - self._to_sympy(a)

    def _sympy_sign(self, a: Expr, b: Expr, strict: bool) -> bool | None:
        sp = _sympy()
        diff = sp.expand(self._bounded_difference(a, b))
        for substituted in self._substitutions(diff, time.process_time() + BUDGET_SECONDS):
            verdict = substituted.is_positive if strict else substituted.is_nonnegative
            if verdict is not None:
                if verdict:
                    return True
                # False under one substitution means false for some admissible value only if
                # the substitution covers the whole range; (-diff) positive settles it.
                negative = substituted.is_nonpositive if strict else substituted.is_negative
                if negative:
                    return False
        return None

    def _substitutions(self, diff, deadline: float):
        """`diff` with each bounded parameter p rewritten as lower + s or upper - s, s >= 0:
        sympy then sees the bound as a sign assumption it can use. Past `deadline` it raises
        _TooBig between steps: the relation's time budget."""
        sp = _sympy()
        yield sp.expand(diff)
        for side in ("lower", "upper"):
            if time.process_time() > deadline:
                raise _TooBig(f"a comparison longer than its {BUDGET_SECONDS} s budget")
            mapping = {}
            for symbol in sorted(diff.free_symbols, key=lambda s: s.name):
                param = self.params.get(symbol.name)
                bound = getattr(param.type, side) if param else None
                if bound is None or isinstance(bound, Infinity):
                    continue
                polynomial_size(bound)
                shift = sp.Symbol(f"_{symbol.name}_{side}", nonnegative=True,
                                  integer=param.type.base == "Int" or None)
                bound_value = self.to_sympy(bound)
                mapping[symbol] = bound_value + shift if side == "lower" else bound_value - shift
            if mapping:
                yield sp.expand(diff.subs(mapping))

    def _symbol(self, name: str):
        sp = _sympy()
        param = self.params.get(name)
        if param is None:
            return sp.Symbol(name, real=True)
        assumptions = {"real": True}
        if param.type.base == "Int":
            assumptions["integer"] = True
        lower = param.type.lower
        if lower is not None and not isinstance(lower, Infinity):
            try:
                value = _constant(lower)
                if value > 0 or (value == 0 and param.type.lower_open):
                    assumptions["positive"] = True
                elif value >= 0:
                    assumptions["nonnegative"] = True
            except _Symbolic:
                pass
        return sp.Symbol(name, **assumptions)

    def to_sympy(self, expr: Expr):
        """The sympy expression of a model expression, built from its tree (never from text).
        One past the bounds on work (`2^64^64`, `((k+1)^64)^64`) is an opaque real symbol
        named by its text: sympy would compute it exactly, or expand it, for ever; as a symbol
        it stays undecided, and the analyses that substitute values in it leave it so."""
        try:
            polynomial_size(expr)
        except _TooBig:
            return _sympy().Symbol(f"({show_expr(expr)})", real=True)
        return self._to_sympy(expr)

    def _to_sympy(self, expr: Expr):
        sp = _sympy()
        if isinstance(expr, Num):
            return sp.Rational(Fraction(expr.value).numerator, Fraction(expr.value).denominator)
        if isinstance(expr, Infinity):
            return sp.oo
        if isinstance(expr, Name):
            if expr.name not in self._sympy_cache:
                self._sympy_cache[expr.name] = self._symbol(expr.name)
            return self._sympy_cache[expr.name]
        if isinstance(expr, Neg):
            return -self._to_sympy(expr.arg)
        if isinstance(expr, Chain):
            value = self._to_sympy(expr.first)
            for link in expr.rest:
                value = _fold(link.op, value, self._to_sympy(link.arg))
            return value
        if isinstance(expr, Binary):
            left, right = self._to_sympy(expr.left), self._to_sympy(expr.right)
            return {"+": lambda: left + right, "-": lambda: left - right,
                    "*": lambda: left * right, "/": lambda: left / right,
                    "^": lambda: left ** right}[expr.op]()
        if isinstance(expr, Call):
            function = {"log": sp.log, "exp": sp.exp, "sqrt": sp.sqrt, "abs": sp.Abs,
                        "min": sp.Min, "max": sp.Max}.get(expr.function)
            if function is not None:
                return function(*(self._to_sympy(a) for a in expr.args))
            return sp.Function(expr.function)(*(self._to_sympy(a) for a in expr.args))
        assert isinstance(expr, PortRef)
        return sp.Symbol(f"{expr.instance}.{expr.port}" if expr.instance else expr.port, real=True)


def _infinity(expr: Expr | None, is_lower: bool) -> int:
    """-1 or +1 when `expr` is an infinite bound, 0 when finite."""
    if expr is None:
        return -1 if is_lower else 1
    if isinstance(expr, Infinity):
        return 1
    if isinstance(expr, Neg) and isinstance(expr.arg, Infinity):
        return -1
    return 0


def _sympy():
    import sympy

    return sympy


# ---------------------------------------------------------------------------------- subtyping

@dataclass
class Mismatch:
    """Why a type is not a subtype of another: the diagnostic code and a short reason."""

    code: str
    reason: str


def subtype(src: Type, dst: Type, decide: Decider) -> Mismatch | None:
    """None when every value of `src` is a value of `dst`; otherwise why not."""
    if isinstance(src, UnknownType) or isinstance(dst, UnknownType):
        return None
    if isinstance(src, NumType) and isinstance(dst, NumType):
        if src.base == "Real" and dst.base == "Int":
            return Mismatch("E0203", "a Real is not an Int")
        return _interval_within(src, dst, decide)
    if type(src) is not type(dst):
        return Mismatch("E0203", f"{show_type(src)} and {show_type(dst)} are different types")
    if isinstance(src, BoolType):
        return None
    if isinstance(src, (RecordType, EnumType)):
        if src.name != dst.name:
            return Mismatch("E0203", f"{src.name} and {dst.name} are different types")
        return None
    if isinstance(src, OpaqueType):
        assert isinstance(dst, OpaqueType)
        if src.name != dst.name or len(src.indices) != len(dst.indices):
            return Mismatch("E0203", f"{show_type(src)} and {show_type(dst)} are different types")
        for position, (a, b) in enumerate(zip(src.indices, dst.indices), start=1):
            verdict = decide.equal(a, b)
            if verdict is None:
                return Mismatch("E0206", f"cannot prove index {position} equal: "
                                f"{show_expr(a)} = {show_expr(b)}{_given_up(decide)}")
            if not verdict:
                return Mismatch("E0205", f"index {position} differs: "
                                f"{show_expr(a)} is not {show_expr(b)}")
        return None
    assert isinstance(src, CollectionType) and isinstance(dst, CollectionType)
    if src.constructor != dst.constructor:
        return Mismatch("E0203", f"a {src.constructor} is not a {dst.constructor}")
    if dst.size is not None:
        if src.size is None:
            return Mismatch("E0205", f"the target needs a {dst.constructor} of size "
                            f"{show_expr(dst.size)}, the source has no fixed size")
        verdict = decide.equal(src.size, dst.size)
        if verdict is None:
            return Mismatch("E0206", f"cannot prove sizes equal: {show_expr(src.size)} = "
                            f"{show_expr(dst.size)}{_given_up(decide)}")
        if not verdict:
            return Mismatch("E0205", f"sizes differ: {show_expr(src.size)} is not "
                            f"{show_expr(dst.size)}")
    inner = subtype(src.element, dst.element, decide)
    if inner is not None:
        return Mismatch(inner.code, f"elements: {inner.reason}")
    return None


def _interval_within(src: NumType, dst: NumType, decide: Decider) -> Mismatch | None:
    lower = decide.le(dst.lower, src.lower, a_is_lower=True, b_is_lower=True,
                      strict=dst.lower_open and not src.lower_open)
    upper = decide.le(src.upper, dst.upper, a_is_lower=False, b_is_lower=False,
                      strict=dst.upper_open and not src.upper_open)
    if lower and upper:
        return None
    inner, outer = show_interval(src), show_interval(dst)
    if lower is False or upper is False:
        return Mismatch("E0204", f"{inner} is not contained in {outer}")
    return Mismatch("E0206", f"cannot prove {inner} is contained in {outer}{_given_up(decide)}")


def _given_up(decide: Decider) -> str:
    """Why the checker stopped trying, when a bound on its work stopped it."""
    return f" (the checker gave up on {decide.gave_up})" if decide.gave_up else ""


def interval_nonempty(t: NumType, decide: Decider) -> bool | None:
    return decide.le(t.lower, t.upper, a_is_lower=True, b_is_lower=False,
                     strict=t.lower_open or t.upper_open)


def value_in(value: Expr, t: Type, decide: Decider) -> Mismatch | None:
    """Whether a default value (a number) belongs to a numeric type."""
    if isinstance(t, UnknownType):
        return None
    if isinstance(t, BoolType):
        try:
            if _constant(value) in (0, 1):
                return None
        except _Symbolic:
            pass
        return Mismatch("E0214", "a Bool default is 0 or 1")
    if not isinstance(t, NumType):
        return Mismatch("E0214", f"a number is not a value of {show_type(t)}")
    point = NumType(base="Real", lower=value, upper=value)
    try:
        if t.base == "Int" and _constant(value).denominator != 1:
            return Mismatch("E0214", f"{show_expr(value)} is not an integer")
    except _Symbolic:
        pass
    found = _interval_within(point, t, decide)
    if found is not None:
        # "E0206" when the bounds cannot decide it (a value written in other parameters)
        return Mismatch("E0214" if found.code == "E0204" else "E0206",
                        f"{show_expr(value)} is outside {show_interval(t)}")
    return None
