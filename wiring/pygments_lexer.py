"""A Pygments lexer for proposal files (*.wd), so that mkdocs, Sphinx and LaTeX's minted
highlight ```wd listings. It is registered through the `pygments.lexers` entry point
(pyproject.toml), so installing wiring with its `docs` extra is all a site needs; Pygments is
imported only here.

Nothing of the language is copied: the keywords and punctuation are the grammar's literal
terminals (`lexer.literal_terminals`), and each keyword's token type follows from the rules it
occurs in (`keywords`):

- words that open a statement or a member (`component`, `diagram`, `in`, `modes`, `train`, ...)
  are Keyword.Declaration, `import` Keyword.Namespace;
- the words of behaviours and evaluations (`for`, `state`, `over`, `tasks`, ...) Keyword.Reserved;
- the words of claims (`no path`, `gated`, `incentive`, ...) and the directions of training
  (`maximising`, ...) Keyword.Pseudo;
- the formula words (`and`, `or`, `not`, `if`, `else`) Operator.Word, `inf` Keyword.Constant;
- every other keyword (`when`, `by`, `with`, `because`, ...) Keyword.

The words of claims are keywords only in an assertion (up to its line's end), those of
behaviours and evaluations only in their blocks: elsewhere `response` or `state` is a port's name.

Names take their role from where they stand, as the elaborator reads them: in a component's or
diagram's attributes (after its `:`, or an instance's `with`) a trust level is Name.Builtin,
another attribute (`stateful`, `provenance = ...`) Name.Attribute and any other word a kind
(Name.Tag, as in `kind` declarations); an optimiser (after `by`, or declared) is Name.Function;
the code of an `allow` is Name.Label; the modes after `when` are names; a capitalised name (types, components, diagrams, by the
language's conventions) is Name.Class, any other Name.

wiring's parser reserves a keyword only where it can stand, so a mode may be called `train`;
the highlighter, which sees no parser state, reads a keyword as a name where it is followed by
`=`, `.` or `:` or follows a `.`, which is where names stand and keywords never do.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from typing import NamedTuple

from pygments.lexer import RegexLexer, bygroups, default, include, words
from pygments.token import (Comment, Keyword, Name, Number, Operator, Punctuation, String,
                            Whitespace, _TokenType)

from .elaborate.declarations import FLAGS, VALUED_ATTRIBUTES
from .lexer import literal_terminals
from .model import TRUST_LEVELS
from .parse import lark_parser

# Rules of the grammar whose alternatives are statements (top level, then members of
# components and diagrams): the keywords that can open one of them declare something.
STATEMENT_LISTS = ("_item", "_cmember", "_dmember")
IMPORT = "import_file"
# The rules of places where some words are keywords and elsewhere only names: an assertion's
# claim (`no path`, `gated`, ...) and a behaviour's or an evaluation's block (`state`, `over`, ...).
PLACES = {"claim": (("assertion",), ("claim",)),
          "block": (("behaviour_decl", "evaluation"), ("behaviour_decl", "evaluation"))}
OBJECTIVE = "_objective"
FORMULA, EXPRESSION = "formula", "expr"
# Brackets and separators; every other punctuation terminal is an operator (`->`, `~`, `+`, ...).
PUNCTUATION = frozenset("()[]{},.:;")
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_CODE = r"[A-Z]\d{4}\b"  # a diagnostic code (wiring/codes/), as `allow` names it


class Keywords(NamedTuple):
    tokens: dict[str, _TokenType]     # each keyword's token type
    places: dict[str, str]            # "claim" or "block" for a word that is a keyword only there
    openers: dict[str, set[str]]      # the keywords that open each place (`assert`, ...)


class _Rules:
    """The grammar's rules, by name, with the keywords (literal word terminals) in them."""

    def __init__(self):
        grammar = lark_parser()
        keywords, _ = literal_terminals(grammar.terminals)
        self.words = sorted(keywords)
        self.word_of = {name: word for word, name in keywords.items()}
        self.rules = defaultdict(list)
        for rule in grammar.rules:
            self.rules[rule.origin.name].append([symbol.name for symbol in rule.expansion])
        self.occurs = defaultdict(set)  # keyword -> the rules it occurs in
        for origin, expansions in self.rules.items():
            for symbol in (s for e in expansions for s in e if s in self.word_of):
                self.occurs[self.word_of[symbol]].add(origin)

    def reachable(self, starts) -> set[str]:
        seen, todo = set(), list(starts)
        while todo:
            name = todo.pop()
            if name not in seen and name in self.rules:
                seen.add(name)
                todo += [s for expansion in self.rules[name] for s in expansion]
        return seen

    def only_under(self, starts) -> set[str]:
        """The keywords that occur only in rules reachable from `starts`."""
        inside = self.reachable(starts)
        return {word for word, origins in self.occurs.items() if origins <= inside}

    def first_words(self, name: str, seen: frozenset = frozenset()) -> set[str]:
        if name in self.word_of:
            return {self.word_of[name]}
        if name in seen or name not in self.rules:
            return set()
        return set().union(*(self.first_words(e[0], seen | {name})
                             for e in self.rules[name] if e))


@lru_cache(maxsize=1)
def keywords() -> Keywords:
    """The grammar's keywords: token types (the module's docstring says which) and places."""
    g = _Rules()
    statements = {e[0] for lst in STATEMENT_LISTS for e in g.rules[lst] if len(e) == 1}
    constants = {g.word_of[e[0]] for r in g.reachable([EXPRESSION]) for e in g.rules[r]
                 if len(e) == 1 and e[0] in g.word_of}  # `inf`: a keyword that is a value
    place_words = {place: g.only_under(rules) for place, (_, rules) in PLACES.items()}
    classes = [  # earlier classes win
        (g.first_words(IMPORT), Keyword.Namespace),
        (set().union(*(g.first_words(s) for s in statements)), Keyword.Declaration),
        (constants, Keyword.Constant),
        (g.only_under([FORMULA]), Operator.Word),
        (g.only_under([OBJECTIVE]), Keyword.Pseudo),
        (place_words["claim"], Keyword.Pseudo),
        (place_words["block"], Keyword.Reserved),
    ]
    tokens = {word: next((t for found, t in classes if word in found), Keyword)
              for word in g.words}
    taken = set().union(*(found for found, _ in classes[:5]))
    places = {word: place for place, found in place_words.items() for word in found - taken}
    openers = {place: set().union(*(g.first_words(r) for r in rules))
               for place, (rules, _) in PLACES.items()}
    return Keywords(tokens, places, openers)


def punctuation_tokens() -> dict[str, _TokenType]:
    """Each punctuation terminal of the grammar (and `COMPARE`'s operators) and its token type."""
    grammar = lark_parser()
    _, punct = literal_terminals(grammar.terminals)
    compare = next(t for t in grammar.terminals if t.name == "COMPARE").pattern.value
    symbols = set(punct) | set(re.sub(r"^\(\?:|\)$", "", compare).split("|"))
    return {p: Punctuation if p in PUNCTUATION else Operator for p in sorted(symbols)}


def _terminal_pattern(name: str) -> str:
    return next(t for t in lark_parser().terminals if t.name == name).pattern.to_regexp()


def _number(lexer, match):
    text = match.group()
    yield match.start(), Number.Integer if text.isdigit() else Number.Float, text


def _keyword_rules(place: str | None = None) -> list:
    """The keywords that are keywords anywhere, or only in `place`."""
    # A keyword is a name where it is followed by `=` (not `==`), `.` or `:`, or follows a `.`.
    found = keywords()
    by_token = defaultdict(list)
    for word, token in found.tokens.items():
        if found.places.get(word) == place:
            by_token[token].append(word)
    return [(words(sorted(ws), prefix=r"(?<!\.)\b", suffix=r"\b(?!\s*(?:[.:]|=(?!=)))"), token)
            for token, ws in sorted(by_token.items())]


def _opening(place: str):
    return (words(sorted(keywords().openers[place]), suffix=r"\b"), Keyword.Declaration, place)


def _operator_rules() -> list:
    # Longest first, so that `->` wins over `-` and `>=` over `>`.
    symbols = sorted(punctuation_tokens().items(), key=lambda item: -len(item[0]))
    return [(re.escape(symbol), token) for symbol, token in symbols]


def _root() -> list:
    return [
        include("lexemes"),
        (r"(allow)(\s+)(%s)" % _CODE, bygroups(Keyword.Declaration, Whitespace, Name.Label)),
        (r"(by)(\s+)(%s)" % _NAME, bygroups(Keyword, Whitespace, Name.Function)),
        (r"(optimiser)(\s+)(%s)" % _NAME, bygroups(Keyword.Declaration, Whitespace, Name.Function)),
        (r"(kind)(\s+)(%s)(\s*)(:)(\s*)(%s)" % (_NAME, _NAME),
         bygroups(Keyword.Declaration, Whitespace, Name.Tag, Whitespace, Punctuation, Whitespace,
                  Name.Tag)),
        (r"(kind)(\s+)(%s)" % _NAME, bygroups(Keyword.Declaration, Whitespace, Name.Tag)),
        (r"(component|diagram)\b", Keyword.Declaration, "header"),
        (r"(with)\b", Keyword, "attributes"),
        (r"(when)\b", Keyword, "modes"),
        _opening("claim"),
        _opening("block"),
        include("words"),
        include("operators"),
    ]


def _places() -> dict[str, list]:
    return {
        # An assertion's claim, up to the end of its line.
        "claim": [
            (r"(?=[\n;}])", Whitespace, "#pop"),
            (r"[\t \f]+", Whitespace),
            *_keyword_rules("claim"),
            include("root"),
        ],
        # A behaviour or an evaluation, up to its closing brace (its body has no other).
        "block": [
            (r"\}", Punctuation, "#pop"),
            *_keyword_rules("block"),
            include("root"),
        ],
        # `when train, deploy`: the modes are names, even those spelt like keywords.
        "modes": [
            (r"[\t \f]+", Whitespace),
            (r",", Punctuation),
            (_NAME, Name),
            default("#pop"),
        ],
    }


def _tokens() -> dict[str, list]:
    name_class = (r"[A-Z][A-Za-z0-9_]*\b", Name.Class)
    name = (_NAME, Name)
    trust = words(TRUST_LEVELS, suffix=r"\b(?!\s*=)")
    attribute = words(FLAGS + VALUED_ATTRIBUTES, suffix=r"\b")
    return {
        "root": _root(),
        "lexemes": [
            (r"\s+", Whitespace),
            (_terminal_pattern("COMMENT"), Comment.Single),
            (_terminal_pattern("STRING"), String.Double),
            (_terminal_pattern("NUMBER"), _number),
        ],
        "words": [*_keyword_rules(), name_class, name],
        "operators": _operator_rules(),
        # `component Name(params) :` or `diagram Name(params) refines Other :`, up to `{`.
        "header": [
            (r"\{", Punctuation, "#pop"),
            (r":", Punctuation, ("#pop", "attributes")),
            (r"\(", Punctuation, "parameters"),
            include("lexemes"),
            include("words"),
            include("operators"),
        ],
        "parameters": [
            (r"\)", Punctuation, "#pop"),
            (r"\(", Punctuation, "#push"),
            include("lexemes"),
            include("words"),
            include("operators"),
        ],
        **_places(),
        # Attributes end at the body's `{`, or an instance's at its line's end or next option.
        "attributes": [
            (r"\{", Punctuation, "#pop"),
            (r"(?=[\n;}])", Whitespace, "#pop"),
            (r"(?=\b(?:note|when)\b)", Whitespace, "#pop"),
            (r"[\t \f]+", Whitespace),
            (r"(=)(\s*)(%s)" % _NAME, bygroups(Operator, Whitespace, Name)),
            (trust, Name.Builtin),
            (attribute, Name.Attribute),
            (r"%s\b(?!\s*=)" % _NAME, Name.Tag),
            (_NAME, Name.Attribute),
            include("lexemes"),
            include("operators"),
        ],
    }


class WiringLexer(RegexLexer):
    """Proposals written in wiring's language of typed wiring diagrams."""

    name = "wiring"
    aliases = ["wiring", "wd"]
    filenames = ["*.wd"]
    mimetypes = ["text/x-wiring"]
    tokens = _tokens()
