"""Small helpers about names and literals that every stage uses; imports nothing of wiring."""

from __future__ import annotations

import difflib


def unquote(token: str) -> str:
    """The value of a string literal: the quotes removed, escapes resolved (no evaluation)."""
    body = token[1:-1]
    out, i = [], 0
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            out.append(escapes.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def did_you_mean(name: str, candidates) -> str:
    """`did you mean `x`?` for the closest candidate, or "" when none is close."""
    candidates = sorted(set(candidates))
    same_but_case = [c for c in candidates if c.lower() == name.lower()]
    # One wrong letter in a two- or three-letter name (`py` for `pi`) is half of it.
    close = same_but_case or difflib.get_close_matches(
        name, candidates, n=1, cutoff=0.5 if len(name) <= 3 else 0.6)
    return f"did you mean `{close[0]}`?" if close else ""
