"""Property tests: no input, however broken, ends in an internal error.

(a) programs generated from the grammar itself (wiring/parse.py's Lark object), and
(b) mutations of the example proposals (lines deleted, duplicated and swapped, ranges cut out,
    stray tokens, non-ASCII characters, NUL bytes and invalid UTF-8 inserted).

For every input, `check_text` / `check_file` must return a Result without raising, every
diagnostic must carry a code like E0001 or W0201, and every span must point at a line that
exists in the file it names. Rendering the report (what the CLI prints) and exporting a clean
model (what `wiring export` writes) must not raise either, and neither may analysing and drawing
a mutant that still checks (about 60 % of the mutated examples do).

Also: the package source never evaluates text (no eval/exec/sympify/parse_expr).
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import shutil
import signal
import threading
import time
import tokenize
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wiring
from wiring.parse import parser

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.wd"))
CODE = re.compile(r"^[EW]\d{4}$")
PER_INPUT_SECONDS = 10  # a command taking longer than this on one input is a hang

_BASE = settings(deadline=None, print_blob=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                        HealthCheck.function_scoped_fixture,
                                        HealthCheck.filter_too_much])


def fuzz(examples: int) -> settings:
    return settings(_BASE, max_examples=examples)

# A program to mutate when no examples exist yet.
FALLBACK = """\
proposal "fallback"
type Prompt
type Completion
param k : Nat >= 1 = 4
param beta : Real in [0, 1] = 0.1
component Policy : policy, learned, untrusted {
  in  prompt     : Prompt
  out completion : Completion
}
component RM : reward_model, learned {
  in  completion : Completion
  out score      : Real
}
component Source : dataset, trusted {
  out prompt : Prompt
}
diagram Main {
  modes train : training, deploy : deployment
  src = Source
  pi  = Policy
  ref = frozen pi when train
  rm  = RM when train
  src.prompt -> pi.prompt, ref.prompt
  pi.completion -> rm.completion when train
  train pi by ppo maximising rm.score - beta * kl(pi, ref) when train
}
"""


# ----------------------------------------------------------------------------- the properties

class Hang(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float):
    """Turn a hang into a test failure (on Unix, in the main thread; elsewhere a no-op)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise Hang(f"one check took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def line_count(text: str) -> int:
    # Lines as the parser counts them: a final newline starts one more (empty) line, where a
    # "file ends too early" error points.
    return len(text.split("\n"))


def assert_sane(result, extra_line_counts: dict[str, int] | None = None) -> None:
    """The properties every Result must have, whatever the input was."""
    assert isinstance(result, wiring.Result), type(result)
    known = {name: line_count(text) for name, text in result.sources.items()}
    known.update(extra_line_counts or {})
    for d in result.diagnostics:
        assert CODE.match(d.code), f"diagnostic without a proper code: {d!r}"
        assert d.severity in ("error", "warning", "note"), d
        assert d.message.strip(), f"diagnostic without a message: {d!r}"
        spans = [d.span] + [r.span for r in d.related]
        for span in spans:
            if span is None:
                continue
            assert span.line >= 1 and span.column >= 1, f"{d.code}: bad position {span}"
            assert span.end_line >= span.line, f"{d.code}: span ends before it starts {span}"
            lines = known.get(span.file)
            if lines is not None:
                assert span.line <= lines, \
                    f"{d.code} points at line {span.line} of {span.file}, which has {lines}: {d}"
                assert span.end_line <= lines, \
                    f"{d.code} ends at line {span.end_line} of {span.file}, which has {lines}: {d}"
        d.model_dump(mode="json")  # `--format json`
    assert isinstance(result.report(), str)  # what the CLI prints
    assert isinstance(result.report(color=True), str)
    if result.ok and result.proposal is not None:
        result.proposal.model_dump_json()  # what `wiring export` writes


def checked_text(text: str, path: str = "<string>"):
    started = time.monotonic()
    with time_limit(PER_INPUT_SECONDS):
        result = wiring.check_text(text, path)
    checking = time.monotonic() - started
    assert_sane(result)
    if result.ok and result.proposal is not None:
        analysed_and_drawn(result, checking)
    return result


def analysed_and_drawn(result, checking: float = 0.0) -> None:
    """What `wiring lint`, `analyze` and `render` do with a proposal that checks: none of it
    may raise, however odd the proposal, and none of the commands (each a check, `checking`
    seconds, then its own stages) may take more than PER_INPUT_SECONDS."""
    from wiring.analysis import analyse_all
    from wiring.analysis.bounds import bounds
    from wiring.render import to_dot
    from wiring.report import incentives_text, lint_json, lint_text
    from wiring.structure import TooLarge

    spent: Counter = Counter()   # stage -> seconds

    @contextlib.contextmanager
    def stage(name: str):
        started = time.monotonic()
        yield
        spent[name] += time.monotonic() - started

    # The alarm ends a hang; each command's time is judged below.
    with time_limit(3 * PER_INPUT_SECONDS):
        try:
            with stage("analyses"):
                report = analyse_all(result.proposal)
        except TooLarge:
            return   # what lint, analyze and render report as E0244 (test_hardening_scale.py)
        for analysis in report.analyses:
            assert all(CODE.match(f.code) or re.fullmatch(r"S\d{4}", f.code)
                       for f in analysis.findings)
            with stage("analyze"):
                incentives_text("fuzz.wd", analysis)
                bounds(analysis.system)
        with stage("lint"):
            lint_text("fuzz.wd", report, result.sources, color=False)
            lint_json("fuzz.wd", report)
        with stage("render"):
            to_dot(result.proposal)
    commands = {"lint": checking + spent["analyses"] + spent["lint"],
                "analyze": checking + spent["analyses"] + spent["analyze"],
                "render --format dot": checking + spent["render"]}
    for command, seconds in commands.items():
        if seconds > PER_INPUT_SECONDS:
            raise Hang(f"`wiring {command}` took {seconds:.1f} s "
                       f"(check {checking:.1f} s, analyses {spent['analyses']:.1f} s)")


def checked_file(path: Path, data: bytes):
    with time_limit(PER_INPUT_SECONDS):
        result = wiring.check_file(str(path))
    assert_sane(result, {str(path): data.count(b"\n") + 1})
    return result


# ------------------------------------------------------------------- (a) sentences of the grammar

# Names a proposal would plausibly use, including some that are keywords elsewhere (`train`,
# `in`, `note`, `type`) and names of built-in types, kinds, optimisers and signal functions.
NAMES = ["Prompt", "Completion", "Policy", "Reward", "Ranking", "Monitor", "Source", "Main",
         "pi", "rm", "ref", "score", "prompt", "completion", "x", "y", "n", "k", "q", "beta",
         "train", "deploy", "eval", "in", "out", "note", "type", "with", "frozen", "shared", "as", "inf",
         "Real", "Int", "Nat", "Bool", "Prob", "Text", "List", "Set", "Dist",
         "policy", "learned", "untrusted", "trusted", "human", "provenance", "budget",
         "sgd", "ppo", "best_of", "kl", "log", "max", "match", "sum", "_", "T0", "élan"]
NUMBERS = ["0", "1", "2", "3", "4", "9", "64", "65", "0.5", "0.02", "1.0", "27.8", "1e3",
           "1e-3", "2.5E+2", "00", "1000000", "99999999999999999999"]
STRINGS = ['""', '"gpt3"', '"a note"', '"rlhf.wd"', '"missing.wd"', '"."', '"../examples"',
           r'"escaped \" quote"', r'"back\\slash"', '"ünïcödé ✓"', '"tab\tinside"']

KEYWORDS = {t.pattern.value for t in parser().terminals
            if type(t.pattern).__name__ == "PatternStr" and re.fullmatch(r"\w+", t.pattern.value)}
PLAIN_NAMES = [n for n in NAMES if n not in KEYWORDS and re.fullmatch(r"[A-Za-z_]\w*", n)]


class GrammarSampler:
    """Random sentences of a lark grammar, read from the compiled Lark object.

    Lark has already turned EBNF into plain rules: `x*` became a left-recursive helper rule
    named `__..._star_N`, `x?` became two expansions. Depth counts only ordinary rules; a
    helper list rule may repeat up to `max_repeat` times instead, so lists stay short without
    starving what follows them of depth.
    """

    def __init__(self, lark, names, max_repeat: int = 4):
        self.rules: dict[str, list[list[str]]] = defaultdict(list)
        for rule in lark.rules:
            self.rules[rule.origin.name].append([s.name for s in rule.expansion])
        self.terminals = {t.name: t for t in lark.terminals}
        self.start = lark.options.start[0] if isinstance(lark.options.start, list) \
            else lark.options.start
        self.names = names
        self.max_repeat = max_repeat
        self.height = self._heights()
        for options in self.rules.values():  # shrinking goes towards the simplest expansion
            options.sort(key=lambda expansion: self._expansion_height(expansion))

    def _heights(self) -> dict[str, int]:
        """The least depth at which each rule can finish (terminals have height 0)."""
        inf = float("inf")
        height = {name: inf for name in self.rules}
        changed = True
        while changed:
            changed = False
            for name, options in self.rules.items():
                best = min(1 + max((height.get(s, 0) for s in exp), default=0)
                           for exp in options)
                if best < height[name]:
                    height[name], changed = best, True
        assert all(h < inf for h in height.values()), "a rule that can never finish"
        return height

    def _expansion_height(self, expansion) -> int:
        return 1 + max((self.height.get(s, 0) for s in expansion), default=0)

    @staticmethod
    def _is_list(name: str) -> bool:
        return "_star_" in name or "_plus_" in name

    def sentence(self, draw, max_depth: int) -> str:
        tokens: list[str] = []
        self.expand(lambda seq: seq[draw(st.integers(0, len(seq) - 1))],
                    lambda name: self._terminal(draw, name), self.start, max_depth, tokens)
        return self._join(draw, tokens)

    def expand(self, choose, terminal, symbol: str, budget: int, out: list[str],
               repeats: int = 0) -> None:
        """Append to `out` a sentence of `symbol` within `budget` levels, each expansion picked
        by `choose(options)` and each terminal made by `terminal(name)` (hypothesis here; the
        fuzzer of benchmarks/fuzz.py passes `random`'s)."""
        if symbol not in self.rules:
            out.append(terminal(symbol))
            return
        options = self.rules[symbol]
        is_list = self._is_list(symbol)
        if is_list and repeats >= self.max_repeat:
            options = [e for e in options if symbol not in e] or options
        cost = 0 if is_list else 1
        fitting = [e for e in options if self._expansion_height(e) - 1 + cost <= budget]
        if not fitting:
            least = min(self._expansion_height(e) for e in options)
            fitting = [e for e in options if self._expansion_height(e) == least]
        for child in choose(fitting):
            if child == symbol:  # the recursive step of a list helper
                self.expand(choose, terminal, child, budget, out, repeats + 1)
            else:
                self.expand(choose, terminal, child, budget - cost, out)

    def _terminal(self, draw, name: str) -> str:
        pattern = self.terminals[name].pattern
        if type(pattern).__name__ == "PatternStr":
            return pattern.value
        if name == "NAME":
            return draw(st.sampled_from(self.names))
        if name == "NUMBER":
            return draw(st.sampled_from(NUMBERS) | st.integers(0, 10**6).map(str) |
                        st.builds("{}e{}".format, st.integers(1, 99), st.integers(-6000, 6000)))
        if name == "STRING":
            return draw(st.sampled_from(STRINGS))
        if name == "_NL":
            return "\n"
        if name == "COMPARE":
            return draw(st.sampled_from([">=", "<=", ">", "<"]))
        if name == "COMMENT":
            return "# a comment"
        return draw(st.from_regex(pattern.to_regexp(), fullmatch=True).filter(
            lambda s: "\n" not in s))

    @staticmethod
    def _join(draw, tokens: list[str]) -> str:
        parts = []
        for token in tokens:
            if token == "\n":
                parts.append(draw(st.sampled_from(["\n", "\n  ", "  # note\n", "\r\n", "\n\n"])))
            else:
                parts.append(token)
        return " ".join(parts).replace(" \n", "\n")


def _sampler(names) -> GrammarSampler:
    return GrammarSampler(parser(), names)


SAMPLER = _sampler(NAMES)
PLAIN_SAMPLER = _sampler(PLAIN_NAMES)


@st.composite
def programs(draw, sampler: GrammarSampler = SAMPLER):
    return sampler.sentence(draw, draw(st.integers(4, 16)))


def test_grammar_sampler_covers_the_grammar():
    # Every rule of the grammar is reachable from the start rule and can be finished, so the
    # sampler can produce every construct of the language.
    reachable, todo = set(), [SAMPLER.start]
    while todo:
        name = todo.pop()
        if name in reachable or name not in SAMPLER.rules:
            continue
        reachable.add(name)
        todo += [s for expansion in SAMPLER.rules[name] for s in expansion]
    assert reachable == set(SAMPLER.rules)
    assert {"component", "diagram", "train", "wire", "instance", "port", "interval",
            "record_decl", "enum_decl"} <= reachable


GRAMMAR_TERMINALS = sorted({s for options in SAMPLER.rules.values() for expansion in options
                            for s in expansion if s not in SAMPLER.rules})


@fuzz(20)
@given(st.data())
def test_grammar_sampler_terminals_match_their_patterns(data):
    for name in GRAMMAR_TERMINALS:
        value = PLAIN_SAMPLER._terminal(data.draw, name)
        pattern = PLAIN_SAMPLER.terminals[name].pattern.to_regexp()
        assert re.fullmatch(pattern, value), (name, value)


@fuzz(60)
@given(programs(PLAIN_SAMPLER))
def test_grammar_sentences_parse(text):
    # Sanity check of the generator (and of grammar and lexer agreeing with each other): with
    # names that are never keywords, every generated sentence parses, so the fuzzing below
    # reaches the elaborator and checker, not only the parser.
    result = checked_text(text)
    syntax = [d for d in result.diagnostics if d.code in ("E0001", "E0002")]
    assert not syntax, f"generated program does not parse:\n{text}\n{result.report()}"


@fuzz(350)
@given(programs())
def test_grammar_sentences_never_crash(text):
    checked_text(text)


@fuzz(100)
@given(st.lists(programs(), min_size=1, max_size=3), st.sampled_from(EXAMPLES or [None]))
def test_grammar_sentences_appended_to_examples_never_crash(snippets, example):
    # Generated declarations mixed into a real proposal reach deeper into the checks (they
    # refer to the example's names) and trigger redeclarations and conflicts.
    base = example.read_text(encoding="utf-8") if example else FALLBACK
    path = str(example) if example else "<string>"
    checked_text(base + "\n" + "\n".join(snippets) + "\n", path)


# -------------------------------------------------------------------- (b) mutations of examples

TOKENS = ["->", "{", "}", "[", "]", "(", ")", "in", "frozen", "shared", "as", '"', ":", ",", "=", ";", ".",
          "\n", "\t", "\r", "#", "\\", "-", "^", "*", "/", ">=", "<", "inf", "1e5", "0", "-1",
          "train", "diagram", "component", "type", "param", "import", "note", "when", "modes",
          "refines", "with", "delayed", "merge", "by", "maximising", "record", "enum", "kind",
          "List[", "Real in [0, 1]", "x.y", "a.b.c", '"unterminated', "é", "λ", "→", "✓",
          "\u00a0", "\u200b", "\ufeff", "\u2028", "😀", "\x00", "\x01", "\x7f", "\x1b[31m"]
RAW_BYTES = [b"\xff", b"\xfe", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\x80", b"\x00",
             b"\xef\xbb\xbf"]


def _example_sources() -> list[tuple[str, str]]:
    out = []
    for path in EXAMPLES:
        try:
            out.append((str(path), path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError):  # being written right now
            continue
    return out or [("<string>", FALLBACK)]


SOURCES = _example_sources()


def mutate(draw, units: list, tokens: list, joiner):
    """Apply 1 to 5 random edits to `units` (a sequence of lines, str or bytes)."""
    text = joiner(units)
    for _ in range(draw(st.integers(1, 5))):
        lines = text.splitlines(keepends=True)
        op = draw(st.sampled_from(["delete_line", "duplicate_line", "swap_lines", "delete_range",
                                   "insert_token", "insert_token", "replace_range"]))
        if op in ("delete_line", "duplicate_line", "swap_lines") and lines:
            i = draw(st.integers(0, len(lines) - 1))
            if op == "delete_line":
                del lines[i]
            elif op == "duplicate_line":
                lines.insert(i, lines[i])
            else:
                j = draw(st.integers(0, len(lines) - 1))
                lines[i], lines[j] = lines[j], lines[i]
            text = joiner(lines)
        elif op == "delete_range" and text:
            start = draw(st.integers(0, len(text) - 1))
            length = draw(st.integers(1, 40))
            text = text[:start] + text[start + length:]
        elif op == "replace_range" and text:
            start = draw(st.integers(0, len(text) - 1))
            length = draw(st.integers(1, 10))
            text = text[:start] + draw(st.sampled_from(tokens)) + text[start + length:]
        else:
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.sampled_from(tokens)) + text[at:]
    return text


@fuzz(300)
@given(st.data())
def test_mutated_examples_never_crash_check_text(data):
    path, source = data.draw(st.sampled_from(SOURCES), label="example")
    text = mutate(data.draw, [source], TOKENS, "".join)
    # Keep the real path so that the example's imports still resolve.
    checked_text(text, path)


@pytest.fixture(scope="module")
def example_copy(tmp_path_factory):
    """A private copy of examples/, so mutants sit next to the files they import."""
    target = tmp_path_factory.mktemp("examples")
    for path in EXAMPLES:
        with contextlib.suppress(OSError):
            shutil.copy(path, target / path.name)
    return target


@fuzz(250)
@given(data=st.data())
def test_mutated_example_files_never_crash_check_file(example_copy, data):
    path, source = data.draw(st.sampled_from(SOURCES), label="example")
    raw = [source.encode("utf-8")]
    tokens = [t.encode("utf-8") for t in TOKENS] + RAW_BYTES
    mutant = mutate(data.draw, raw, tokens, b"".join)
    target = example_copy / f"mutant_{Path(path).stem}.wd"
    target.write_bytes(mutant)
    checked_file(target, mutant)


@fuzz(100)
@given(data=st.binary(max_size=300) | st.text(max_size=300).map(lambda s: s.encode("utf-8")))
def test_arbitrary_bytes_never_crash_check_file(example_copy, data):
    target = example_copy / "arbitrary.wd"
    target.write_bytes(data)
    checked_file(target, data)


@fuzz(100)
@given(st.lists(st.sampled_from(TOKENS + NAMES + NUMBERS + STRINGS), max_size=60))
def test_token_soup_never_crashes(tokens):
    checked_text(" ".join(tokens))


# -------------------------------------------------------------------- no evaluation of text

FORBIDDEN = {"eval", "exec", "sympify", "parse_expr"}


def _package_sources() -> list[Path]:
    files = sorted((ROOT / "wiring").rglob("*.py"))
    assert files, "no package source found"
    return files


@pytest.mark.parametrize("path", _package_sources(), ids=lambda p: p.name)
def test_package_never_evaluates_text(path):
    source = path.read_text(encoding="utf-8")
    found = []
    # Code tokens only: names in comments and docstrings ("no text is ever evaluated") are fine.
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NAME and token.string in FORBIDDEN:
            found.append(f"{path.name}:{token.start[0]}: {token.line.strip()}")
    # And by the syntax tree: calls, references, imports and getattr-by-string.
    for node in ast.walk(ast.parse(source)):
        name = None
        if isinstance(node, ast.Name):
            name = node.id
        elif isinstance(node, ast.Attribute):
            name = node.attr
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name.split(".")[-1] in FORBIDDEN or "parsing" in alias.name.split("."):
                    found.append(f"{path.name}:{node.lineno}: imports {alias.name}")
            if isinstance(node, ast.ImportFrom) and node.module and \
                    "parsing" in node.module.split("."):
                found.append(f"{path.name}:{node.lineno}: imports from {node.module}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id == "getattr" and len(node.args) >= 2 and \
                isinstance(node.args[1], ast.Constant) and node.args[1].value in FORBIDDEN:
            found.append(f"{path.name}:{node.lineno}: getattr(..., {node.args[1].value!r})")
        if name in FORBIDDEN:
            found.append(f"{path.name}:{node.lineno}: {name}")
    assert not found, "the package must never evaluate text:\n" + "\n".join(sorted(set(found)))
