"""Generate the TextMate grammar of .wd files (editors/vscode/syntaxes/wiring.tmLanguage.json)
from the language's own grammar, so that VS Code's highlighting cannot drift from the language.

Nothing of the language is copied here. The keywords, what each is, and where some are
keywords only (the words of claims after `assert`, those of behaviours and evaluations in
their blocks) are the highlighter's (`wiring.pygments_lexer.keywords`, derived from
grammar/wiring.lark's rules; its docstring says how), so that documentation listings and the
editor colour a proposal alike; the punctuation is the lexer's (`wiring.lexer.literal_terminals`),
and the comment, string, number and name patterns are the grammar's terminals. This script only
maps each kind of token to a TextMate scope, and each place to a begin/end region.

TextMate grammars see no parser state: a word is read as a name, not a keyword, where it follows
`.` or is followed by `=`, `.` or `:`, which is where names stand and keywords never do (as the
Pygments lexer reads it).

Needs Pygments (the `docs` extra, which scripts/setup.sh installs).

    python scripts/gen_textmate.py          # write the grammar
    python scripts/gen_textmate.py --check  # exit 1 if the file is not what would be written
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pygments.token import Keyword, Operator, Punctuation  # noqa: E402

from wiring.lexer import literal_terminals  # noqa: E402
from wiring.parse import lark_parser  # noqa: E402
from wiring.pygments_lexer import keywords, punctuation_tokens  # noqa: E402

OUT = ROOT / "editors" / "vscode" / "syntaxes" / "wiring.tmLanguage.json"
# Each kind of keyword of the highlighter, as the TextMate scope themes colour.
SCOPES = {
    Keyword.Declaration: "storage.type.wiring",
    Keyword.Namespace: "keyword.control.import.wiring",
    Keyword.Constant: "constant.language.wiring",
    Operator.Word: "keyword.operator.word.wiring",
    Keyword.Pseudo: "keyword.other.pseudo.wiring",
    Keyword.Reserved: "keyword.other.reserved.wiring",
    Keyword: "keyword.other.wiring",
}
# Where a place ends: a claim at its line's end, a block (which holds no braces) at its `}`;
# and whether its opening word is followed by a name (`behaviour B`, `evaluate D`).
PLACE_ENDS = {"claim": ("$", None, False),
              "block": (r"\}", "punctuation.section.braces.wiring", True)}
# The STRING terminal that the begin/end rule of strings reproduces (strings stop at a line end).
STRING = '"([^"\\\\\n]|\\\\.)*"'
BRACKETS = {"(": "parens", ")": "parens", "[": "brackets", "]": "brackets",
            "{": "braces", "}": "braces"}
EDGE = r"(?<![.\w])"                             # not the field after `.`, not mid-word
AFTER = r"(?!\w)(?!\s*(?:=(?!=)|:|\.))"          # not a name being defined, typed or entered


def words(alternatives) -> str:
    return "|".join(re.escape(w) for w in sorted(alternatives, key=lambda w: (-len(w), w)))


def symbol_scope(text: str, token, arrow: str) -> str:
    if text == arrow:
        return "keyword.operator.arrow.wiring"
    if token is not Punctuation:
        return "keyword.operator.wiring"
    if text in BRACKETS:
        return f"punctuation.section.{BRACKETS[text]}.wiring"
    return "punctuation.accessor.wiring" if text == "." else "punctuation.separator.wiring"


def keyword_rules(chosen: dict[str, str]) -> list[dict]:
    """One match rule per scope, for the words `chosen` ({word: scope})."""
    return [{"name": scope, "match": EDGE + f"({words(w for w, s in chosen.items() if s == scope)})"
             + AFTER} for scope in sorted(set(chosen.values()))]


def declaration_rule(scopes: dict[str, str]) -> dict:
    """A declaration keyword and the name a rule reads right after it (`component Debater`)."""
    parser = lark_parser()
    word_of = {name: word for word, name in literal_terminals(parser.terminals)[0].items()}
    declaring = sorted({word_of[r.expansion[0].name] for r in parser.rules
                        if len(r.expansion) > 1 and r.expansion[0].name in word_of
                        and r.expansion[1].name == "NAME"
                        and scopes.get(word_of[r.expansion[0].name]) == "storage.type.wiring"})
    name = _terminal("NAME")
    return {"match": rf"{EDGE}({words(declaring)})\s+({name})(?!\w)",
            "captures": {"1": {"name": "storage.type.wiring"},
                         "2": {"name": "entity.name.type.wiring"}}}


def _terminal(name: str) -> str:
    return next(t for t in lark_parser().terminals if t.name == name).pattern.to_regexp()


def repository() -> dict:
    found = keywords()
    scopes = {word: SCOPES[token] for word, token in found.tokens.items()}
    everywhere = {w: s for w, s in scopes.items() if w not in found.places}
    _, punct = literal_terminals(lark_parser().terminals)
    arrow = next(text for text, name in punct.items() if name == "ARROW")
    by_scope: dict[str, list[str]] = {}
    for text, token in punctuation_tokens().items():
        by_scope.setdefault(symbol_scope(text, token, arrow), []).append(text)
    common = [{"include": "#comment"}, {"include": "#string"}, declaration_rule(scopes),
              *keyword_rules(everywhere),
              {"name": "constant.numeric.wiring", "match": rf"(?<![\w.]){_terminal('NUMBER')}"},
              # the arrow's scope sorts first, so `->` is never read as `-` then `>`
              *({"name": scope, "match": words(by_scope[scope])} for scope in sorted(by_scope))]
    repo = {
        "comment": {"name": "comment.line.number-sign.wiring", "match": _terminal("COMMENT")},
        "string": {"name": "string.quoted.double.wiring", "begin": '"', "end": '"|$',
                   "patterns": [{"name": "constant.character.escape.wiring", "match": r"\\."}]},
        "common": {"patterns": common},
    }
    for place, openers in sorted(found.openers.items()):
        end, end_scope, named = PLACE_ENDS[place]
        [scope] = {scopes[w] for w in openers}
        name = rf"(?:\s+({_terminal('NAME')})(?!\w))?" if named else ""
        region = {"begin": EDGE + f"({words(openers)}){AFTER}{name}",
                  "beginCaptures": {"1": {"name": scope}, "2": {"name": "entity.name.type.wiring"}},
                  "end": end,
                  "patterns": [*keyword_rules({w: scopes[w] for w, p in found.places.items()
                                               if p == place}), {"include": "#common"}]}
        if end_scope:
            region["endCaptures"] = {"0": {"name": end_scope}}
        repo[place] = region
    return repo


def tm_grammar() -> dict:
    if _terminal("STRING") != STRING:
        sys.exit(f"gen_textmate: the STRING terminal changed to {_terminal('STRING')}: update "
                 "the string rule of scripts/gen_textmate.py")
    repo = repository()
    places = sorted(set(repo) - {"comment", "string", "common"})
    return {
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/"
                   "tmlanguage.json",
        "name": "Wiring",
        "scopeName": "source.wiring",
        "fileTypes": ["wd"],
        "comment": "Generated by scripts/gen_textmate.py from grammar/wiring.lark: do not edit.",
        # comments and strings first: an `assert` in a comment opens no claim
        "patterns": [{"include": "#comment"}, {"include": "#string"},
                     *({"include": f"#{p}"} for p in places), {"include": "#common"}],
        "repository": repo,
    }


def render() -> str:
    return json.dumps(tm_grammar(), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the grammar file is missing or out of date")
    args = parser.parse_args()
    text = render()
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else None
        if current != text:
            print(f"{OUT.relative_to(ROOT)} is out of date: run python scripts/gen_textmate.py",
                  file=sys.stderr)
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
