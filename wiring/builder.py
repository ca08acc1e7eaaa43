"""The parse stage's second half: each rule the parser reduces becomes a syntax node.

`SyntaxBuilder` is given to lark as the parser's transformer, so nodes are made as the LALR parser
reduces, bottom-up, without a parse tree and without recursion: a chain of a thousand operators
is a thousand reductions. The parser keeps every token, so each method sees its rule's keywords
and punctuation too (a node's extent runs from its first token to its last); rules of the
grammar named with a leading `_` arrive spliced into the rule that uses them.

The file being parsed is per call, not per parser: `building()` holds it in a context variable
for the methods, with the comments the lexer passes by and the first over-deep expression.
"""

from __future__ import annotations

from bisect import bisect_right
from contextlib import contextmanager
from contextvars import ContextVar

from lark import Token, Transformer

from . import syntax as s
from . import syntax_behaviours as b

MAX_EXPRESSION_DEPTH = 400  # operators chained in one expression (`1 + 1 + ...`)


class _Build:
    """What one parse collects besides its nodes."""

    def __init__(self, document: s.Document):
        self.document = document
        self.comments: list[s.Comment] = []
        self.too_deep: s.Node | None = None  # the first expression over MAX_EXPRESSION_DEPTH


_BUILD: ContextVar[_Build] = ContextVar("wiring_build")


@contextmanager
def building(document: s.Document):
    build = _Build(document)
    token = _BUILD.set(build)
    try:
        yield build
    finally:
        _BUILD.reset(token)


def keep_comment(token: Token) -> None:
    """The lexer's callback for each comment it skips."""
    build = _BUILD.get()
    build.comments.append(s.Comment((build.document, token.start_pos, token.end_pos)))


def _ident(token: Token) -> s.Ident:
    return s.Ident((_BUILD.get().document, token.start_pos, token.end_pos), token.value)


def _string(token: Token) -> s.String:
    return s.String((_BUILD.get().document, token.start_pos, token.end_pos))


def _names(children, skip: int = 0) -> tuple:
    """The NAME tokens among `children` as identifiers, after the first `skip` of them."""
    return tuple(_ident(c) for c in children if type(c) is Token and c.type == "NAME")[skip:]


def _strings(children) -> tuple:
    return tuple(_string(c) for c in children if type(c) is Token and c.type == "STRING")


def _of(children, kind) -> tuple:
    return tuple(c for c in children if isinstance(c, kind))


def _first(children, kind):
    return next((c for c in children if isinstance(c, kind)), None)


def _has(children, token_type: str) -> bool:
    return any(type(c) is Token and c.type == token_type for c in children)


def _depth(expression: s.Node) -> int:
    expression = s.bare(expression)
    return expression.depth if type(expression) in (s.Binary, s.Neg) else 0


class SyntaxBuilder(Transformer):
    """One method per rule of grammar/wiring.lark; each gets the rule's children, tokens kept."""

    @staticmethod
    def _at(children) -> s.At:
        """Where the node of `children` is: its document, and from its first child to its last."""
        return _BUILD.get().document, children[0].start_pos, children[-1].end_pos

    # ------------------------------------------------------------------------- expressions
    def number(self, children):
        return s.Number(self._at(children), children[0].value)

    def infinity(self, children):
        return s.Infinity(self._at(children))

    def ref(self, children):
        return s.Ref(self._at(children), _names(children))

    def target(self, children):
        return s.Dotted(self._at(children), _names(children))

    def text(self, children):
        return _string(children[0])

    def call(self, children):
        return s.Call(self._at(children), children[0], _of(children[1:], s.Node))

    def apply(self, children):
        return s.Apply(self._at(children), children[0], _of(children[1:], s.Node))

    def atom(self, children):  # the only `atom` that reaches here is `( expr )`
        return s.Paren(self._at(children), children[1])

    def neg(self, children):
        operand = children[1]
        return self._bounded(s.Neg(self._at(children), operand, _depth(operand) + 1))

    def _binary(self, children):
        left, op, right = children
        depth = max(_depth(left), _depth(right)) + 1
        return self._bounded(s.Binary(self._at(children), op.value, left, right, depth))

    add = sub = mul = div = pow = _binary

    @staticmethod
    def _bounded(expression):
        build = _BUILD.get()
        if expression.depth > MAX_EXPRESSION_DEPTH and build.too_deep is None:
            build.too_deep = expression
        return expression

    # ------------------------------------------------------------------------------- types
    def plain_type(self, children):
        return s.PlainType(self._at(children), children[0])

    def interval_type(self, children):
        return s.IntervalType(self._at(children), children[0], children[2])

    def interval(self, children):
        # ("[" | "(") expr "," expr ("]" | ")")
        opening, lower, _, upper, closing = children
        return s.Interval(self._at(children), lower, upper, opening.value == "(",
                          closing.value == ")")

    def bound_type(self, children):
        base, op, bound = children
        return s.BoundType(self._at(children), base, op.value, bound)

    # ---------------------------------------------------------------------------- pieces
    def attr(self, children):
        value = children[2] if len(children) > 2 else None
        if type(value) is Token:
            value = _string(value)
        return s.Attr(self._at(children), _ident(children[0]), value)

    def default(self, children):
        return s.Default(self._at(children), children[1])

    def merge(self, children):
        return s.Merge(self._at(children), _ident(children[1]))

    def when(self, children):
        return s.When(self._at(children), _names(children))

    def endpoint(self, children):
        names = _names(children)
        instance, port = names if len(names) == 2 else (None, names[0])
        return s.Endpoint(self._at(children), instance, port)

    def field(self, children):
        return s.Field(self._at(children), _ident(children[0]), children[2])

    # ----------------------------------------------------------------- file and metadata
    def start(self, children):
        document = _BUILD.get().document
        return s.File((document, 0, len(document.text)), _of(children, s.Statement))

    def proposal(self, children):
        return s.Title(self._at(children), _string(children[1]))

    def cites(self, children):
        return s.Cites(self._at(children), _strings(children))

    def note(self, children):
        return s.Note(self._at(children), _string(children[1]))

    def import_file(self, children):
        return s.Import(self._at(children), _string(children[1]))

    def allow(self, children):
        reason = _string(children[-1])
        return s.Allow(self._at(children), _ident(children[1]), _first(children, s.Dotted), reason)

    def assertion(self, children):
        return s.Assert(self._at(children), children[1])

    def _claim(self, children, kind: str):
        targets = _of(children, s.Dotted)
        incentive = next((c.value for c in children if type(c) is Token and c.value in
                          ("control", "response", "information")), None)
        two_ended = kind in ("no_path", "no_incentive")
        return s.Claim(self._at(children), kind, targets[0] if two_ended else None,
                       targets[1] if two_ended else targets[0], targets[2:], incentive)

    def no_path(self, children):
        return self._claim(children, "no_path")

    def gated(self, children):
        return self._claim(children, "gated")

    def trusted(self, children):
        return self._claim(children, "trusted")

    def no_incentive(self, children):
        return self._claim(children, "no_incentive")

    # ---------------------------------------------------------------------- declarations
    def kind_decl(self, children):
        # "kind" NAME (":" NAME)? STRING?
        parent = _names(children, skip=1)
        doc = _strings(children)
        return s.KindDecl(self._at(children), _ident(children[1]), parent[0] if parent else None,
                          doc[0] if doc else None)

    def type_decl(self, children):
        # "type" NAME ("[" NAME ("," NAME)* "]")? ("=" type)?
        return s.TypeDecl(self._at(children), _ident(children[1]), _names(children, skip=1),
                          _first(children, s.Type))

    def record_decl(self, children):
        return s.RecordDecl(self._at(children), _ident(children[1]), _of(children, s.Field))

    def enum_decl(self, children):
        return s.EnumDecl(self._at(children), _ident(children[1]), _names(children, skip=1))

    def param_decl(self, children):
        # "param" NAME ":" type ("=" expr)?
        default = children[5] if len(children) > 4 else None
        return s.ParamDecl(self._at(children), _ident(children[1]), children[3], default)

    def optimiser_decl(self, children):
        # "optimiser" NAME ":" NAME STRING?
        doc = _strings(children)
        return s.OptimiserDecl(self._at(children), _ident(children[1]), _ident(children[3]),
                               doc[0] if doc else None)

    def component(self, children):
        return s.ComponentDecl(self._at(children), _ident(children[1]), _of(children, s.Attr),
                               _of(children, s.Statement), _of(children, s.Parameter))

    def parameter(self, children):
        # NAME ":" type ("=" expr)?
        default = children[4] if len(children) > 3 else None
        return s.Parameter(self._at(children), _ident(children[0]), children[2], default)

    def argument(self, children):
        # NAME "=" expr
        return s.Argument(self._at(children), _ident(children[0]), children[2])

    def diagram(self, children):
        # "diagram" NAME ("refines" NAME)? (":" attrs)? "{" members "}"
        refines = _names(children, skip=1)
        return s.DiagramDecl(self._at(children), _ident(children[1]),
                             refines[0] if refines else None, _of(children, s.Attr) or None,
                             _of(children, s.Statement), _of(children, s.Parameter))

    # --------------------------------------------------------------------------- behaviours
    def adversary_decl(self, children):
        # "adversary" NAME ":" type ("=" expr)?
        default = children[5] if len(children) > 4 else None
        return b.AdversaryDecl(self._at(children), _ident(children[1]), children[3], default)

    def behaviour_decl(self, children):
        # "behaviour" NAME "for" NAME "{" steps "}"
        name, component = _names(children)[:2]
        return b.BehaviourDecl(self._at(children), name, component, _of(children, s.Statement))

    def draw(self, children):
        return b.Step(self._at(children), "draw", children[0], children[2])

    def assign(self, children):
        return b.Step(self._at(children), "let", children[0], children[2])

    def state(self, children):
        return b.Step(self._at(children), "state", _ident(children[1]), children[3])

    def next(self, children):
        return b.Step(self._at(children), "next", _ident(children[1]), children[3])

    def outcome(self, children):
        return b.Step(self._at(children), children[0].value, None, children[2])

    def evaluation(self, children):
        # "evaluate" NAME ("in" NAME)? "over" expr "tasks" "{" members "}"
        names = [c for c in children[:4] if type(c) is Token and c.type == "NAME"]
        mode = _ident(names[1]) if len(names) > 1 else None
        tasks = next(c for c in children if isinstance(c, s.Node) and not isinstance(
            c, s.Statement))
        return b.Evaluation(self._at(children), _ident(names[0]), mode, tasks,
                            _of(children, s.Statement))

    def binding(self, children):
        return b.Binding(self._at(children), children[0], _ident(children[2]))

    def setting(self, children):
        return b.Setting(self._at(children), _ident(children[1]), children[3])

    def objective(self, children):
        # "adversary" ("minimising" | ...) NAME
        return b.Objective(self._at(children), children[1].value, _ident(children[2]))

    def usefulness(self, children):
        return b.Usefulness(self._at(children), children[2], children[4])

    def compare(self, children):
        left, op, right = children
        return b.Compare(self._at(children), op.value, left, right)

    def either(self, children):
        return b.Logic(self._at(children), "or", children[0], children[2])

    def both(self, children):
        return b.Logic(self._at(children), "and", children[0], children[2])

    def negate(self, children):
        return b.Not(self._at(children), children[1])

    def choice(self, children):
        return b.Choice(self._at(children), children[0], children[2], children[4])

    # ----------------------------------------------------------------- lines of a block
    def port(self, children):
        # ("in" | "out") NAME ("," NAME)* (":" type)? options
        return s.Port(self._at(children), children[0].value, _names(children),
                      _first(children, s.Type), _of(children, s.OPTIONS))

    def modes(self, children):
        # "modes" NAME (":" NAME)? ("," NAME (":" NAME)?)*: a NAME after `:` is a phase
        names: list[s.Ident] = []
        phases: list[s.Ident | None] = []
        for before, child in zip(children, children[1:]):
            if type(child) is Token and child.type == "NAME":
                if type(before) is Token and before.type == "COLON":
                    phases[-1] = _ident(child)
                else:
                    names.append(_ident(child))
                    phases.append(None)
        return s.Modes(self._at(children), tuple(names), tuple(phases))

    def instance(self, children):
        # NAME "=" (FROZEN? NAME | SHARED NAME (AS NAME)?) ("with" attrs)? options
        name, target, *interface = _names(children)
        return s.Instance(self._at(children), name, _has(children, "FROZEN"), target,
                          _of(children, s.Attr), _of(children, s.OPTIONS),
                          shared=_has(children, "SHARED"),
                          interface=interface[0] if interface else None,
                          arguments=_of(children, s.Argument))

    def wire(self, children):
        source, *targets = _of(children, s.Endpoint)
        return s.Wire(self._at(children), source, tuple(targets), _has(children, "DELAYED"),
                      _of(children, s.OPTIONS))

    def train(self, children):
        # "train" NAME "by" expr objective expr options
        _, target, _, optimiser, objective, signal, *options = children
        return s.Train(self._at(children), _ident(target), optimiser, objective.value, signal,
                       tuple(options))


def attach_comments(file: s.File, comments: list[s.Comment]) -> None:
    """Give each comment, in source order, to the statement it stands beside."""
    starts: dict[int, list[int]] = {}  # id of a block -> where its statements start
    for comment in comments:
        owner = _owner(file, comment, starts)
        owner.comments += (comment,)


def _owner(block: s.Block, comment: s.Comment, starts: dict[int, list[int]]) -> s.Statement:
    """A statement the comment is inside of (innermost), or ends the line of (trailing), or
    comes before (leading); else the block it is in: on the line that opens the block, or after
    the block's last statement."""
    at, line = comment.start_pos, comment.document.line
    while True:
        statements = block.statements
        if id(block) not in starts:
            starts[id(block)] = [statement.start_pos for statement in statements]
        index = bisect_right(starts[id(block)], at)
        before = statements[index - 1] if index else None
        if before is not None and at < before.end_pos:
            if isinstance(before, s.Block):
                block = before
                continue
            return before
        if before is not None and line(before.end_pos) == line(at):
            return before
        if before is None and type(block) is not s.File and line(block.start_pos) == line(at):
            return block
        return statements[index] if index < len(statements) else block
