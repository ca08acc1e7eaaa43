"""Malformed input, through the real command line: every problem is a diagnostic with a code and
the documented exit code (0 clean, 1 problems, 2 usage or I/O error), never a traceback, never
exit 70 (an internal error) and never a hang.

Each CLI test runs `python -m wiring.cli` as a subprocess from the repository root. A few tests at
the end call the Python API directly, which must return a Result rather than raise.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

import wiring

ROOT = Path(__file__).resolve().parent.parent
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70
CODE_LINE = re.compile(r"^(?:error|warning)\[([EW]\d{4})\]", re.M)


# ---------------------------------------------------------------------------------- helpers

def run_cli(*args, timeout: float = 60, preexec_fn=None) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1", PYTHONIOENCODING="utf-8")
    try:
        return subprocess.run([sys.executable, "-m", "wiring.cli", *map(str, args)], cwd=ROOT,
                              capture_output=True, text=True, encoding="utf-8", errors="replace",
                              timeout=timeout, env=env, preexec_fn=preexec_fn)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`wiring {' '.join(map(str, args))[:200]}` did not finish within "
                    f"{timeout} s (a hang)")


def check(*paths, timeout: float = 60, preexec_fn=None) -> subprocess.CompletedProcess:
    proc = run_cli("check", *paths, timeout=timeout, preexec_fn=preexec_fn)
    assert_no_crash(proc)
    return proc


def assert_no_crash(proc: subprocess.CompletedProcess) -> None:
    where = f"\n--- stderr ---\n{proc.stderr[-3000:]}\n--- stdout ---\n{proc.stdout[-1000:]}"
    assert "Traceback" not in proc.stderr, "a Python traceback escaped" + where
    assert "internal error" not in proc.stderr, "wiring reported an internal error" + where
    assert proc.returncode != EXIT_INTERNAL, "exit code 70 (internal error)" + where
    assert proc.returncode in (EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE), \
        f"unexpected exit code {proc.returncode}" + where


def codes(proc: subprocess.CompletedProcess) -> list[str]:
    return CODE_LINE.findall(proc.stderr)


def messages(proc: subprocess.CompletedProcess, code: str) -> list[str]:
    return re.findall(r"^error\[%s\]: (.*)$" % code, proc.stderr, re.M)


def lines_of(proc: subprocess.CompletedProcess, path: Path) -> list[int]:
    """Line numbers of the `--> FILE:LINE:COL` pointers into `path`."""
    return [int(n) for n in re.findall(r"--> %s:(\d+):\d+" % re.escape(str(path)), proc.stderr)]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def expect(proc: subprocess.CompletedProcess, code: str, exit_code: int) -> None:
    found = codes(proc)
    assert code in found, f"expected {code}, got {found}\n{proc.stderr}"
    assert proc.returncode == exit_code, \
        f"exit code {proc.returncode}, expected {exit_code}\n{proc.stderr}"


GOOD = """\
type Prompt
type Completion

component Policy : policy, learned, untrusted {
  in  prompt     : Prompt
  out completion : Completion
}

component Source : dataset, trusted {
  out prompt : Prompt
}

component Sink : environment {
  in completion : Completion
}

diagram Main {
  src  = Source
  pi   = Policy
  sink = Sink
  src.prompt -> pi.prompt
  pi.completion -> sink.completion
}
"""


def test_a_good_file_is_clean(tmp_path):
    # The baseline the other tests break: this file checks clean with exit code 0.
    proc = check(write(tmp_path / "good.wd", GOOD))
    assert proc.returncode == EXIT_OK, proc.stderr
    assert codes(proc) == [] or all(c.startswith("W") for c in codes(proc)), proc.stderr


# ------------------------------------------------------------------------------ syntax errors

SYNTAX_ERRORS = {
    # name: (text, line of the error)
    "port without colon": ("type Prompt\ncomponent A : policy {\n  in x Prompt\n}\n", 3),
    "component without colon": ("component A policy {\n}\n", 1),
    "param without type": ("param k : = 3\n", 1),
    "double colon in a record": ("type P\nrecord R {\n  a : : P\n}\n", 3),
    "wire without target": ("type P\ncomponent A : tool {\n  in x : P\n  out y : P\n}\n"
                            "diagram D {\n  a = A\n  a.y ->\n}\n", 8),
    "instance without box": ("diagram D {\n  a =\n}\n", 2),
    "stray closing brace": ("type A\n}\n", 2),
    # an unclosed `{` is reported at the brace (tests/test_help_lines.py)
    "unclosed parenthesis at end of file": ("param k : Nat = (1 + 2", 1),
    "wrong arrow": ("type P\ndiagram D {\n  a.x => b.y\n}\n", 3),
    "train without objective": ("type P\ncomponent A : policy, learned {\n  out y : P\n}\n"
                                "diagram D {\n  a = A\n  train a by sgd a.y\n}\n", 7),
}


@pytest.mark.parametrize("name", list(SYNTAX_ERRORS))
def test_syntax_error_says_what_was_expected(tmp_path, name):
    text, line = SYNTAX_ERRORS[name]
    path = write(tmp_path / "bad.wd", text)
    proc = check(path)
    expect(proc, "E0001", EXIT_PROBLEMS)
    message = messages(proc, "E0001")[0]
    assert "expected" in message, f"the message does not say what was expected: {message!r}"
    # The message names what it found, in words: a token in backquotes, or the end of a line/file.
    assert re.search(r"found (`.+`|end of line|end of file)$", message), message
    assert line in lines_of(proc, path), proc.stderr


@pytest.mark.parametrize("text, char", [("proposal 'single quotes'\n", "'"),
                                        ("type Prömpt\n", "ö"),
                                        ("type A $ B\n", "$")])
def test_unexpected_character(tmp_path, text, char):
    path = write(tmp_path / "bad.wd", text)
    proc = check(path)
    expect(proc, "E0002", EXIT_PROBLEMS)
    assert char in messages(proc, "E0002")[0]
    assert lines_of(proc, path) == [1]


def test_all_syntax_errors_of_a_file_are_reported_in_one_run(tmp_path):
    path = write(tmp_path / "two.wd", """\
type Prompt

component A : policy {
  in x Prompt
}

component B : policy {
  out y : : Prompt
}

param k : Nat = = 3
""")
    proc = check(path)
    assert proc.returncode == EXIT_PROBLEMS
    assert codes(proc) == ["E0001", "E0001", "E0001"], proc.stderr
    assert lines_of(proc, path) == [4, 8, 11], proc.stderr


BROKEN_THEN_USED = {
    "component": """\
type Prompt
component A : policy {
  in x Prompt
  out y : Prompt
}
component S : dataset {
  out p : Prompt
}
diagram D {
  s = S
  a = A
  s.p -> a.x
}
""",
    "type": """\
type Prompt = =
component A : policy {
  in x : Prompt
}
""",
    "param": """\
type Prompt
param k : Nat = = 3
component A : policy {
  in x : List[Prompt, k]
}
""",
    "record": """\
type Prompt
record R { a : : Prompt }
component A : policy {
  in x : R
}
""",
    "inner diagram": """\
type Prompt
component A : tool {
  in x : Prompt
  out y : Prompt
}
diagram Inner {
  in x : Prompt
  out y : Prompt
  a = A
  x -> a.x
  a.y -> y y
}
diagram Outer {
  in x : Prompt
  out y : Prompt
  i = Inner
  x -> i.x
  i.y -> y
}
""",
    "optimiser": """\
type Prompt
optimiser myopt : : rl
component A : policy, learned {
  out y : Prompt
}
diagram D {
  a = A
  train a by myopt maximising a.y
}
""",
}


@pytest.mark.parametrize("what", list(BROKEN_THEN_USED))
def test_a_syntax_error_does_not_cascade_into_unknown_names(tmp_path, what):
    # The declaration with the syntax error is reported once; its uses stay silent (no
    # "unknown component / type / parameter", no unconnected-port errors about it).
    proc = check(write(tmp_path / "cascade.wd", BROKEN_THEN_USED[what]))
    assert proc.returncode == EXIT_PROBLEMS
    assert [c for c in codes(proc) if c.startswith("E")] == ["E0001"], proc.stderr


# --------------------------------------------------------------------------- files that are not text

@pytest.mark.parametrize("content", [b"", b"\n\n   \n\t\n", b"\r\n\r\n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.wd"
    path.write_bytes(content)
    proc = check(path)
    expect(proc, "E0004", EXIT_PROBLEMS)


@pytest.mark.parametrize("content", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
    b"type Prompt\n\x00\n",
    bytes(range(256)) * 4,
])
def test_binary_file(tmp_path, content):
    path = tmp_path / "binary.wd"
    path.write_bytes(content)
    proc = check(path)
    expect(proc, "E0005", EXIT_PROBLEMS)


def test_non_utf8_file(tmp_path):
    path = tmp_path / "latin1.wd"
    path.write_bytes("type Prompt\n# café, written in Latin-1\n".encode("latin-1"))
    proc = check(path)
    expect(proc, "E0005", EXIT_PROBLEMS)
    assert lines_of(proc, path) == [2], proc.stderr  # points at the bad byte


def test_utf8_with_bom_is_fine(tmp_path):
    path = tmp_path / "bom.wd"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    proc = check(path)
    assert proc.returncode == EXIT_OK, proc.stderr


def test_ten_megabyte_file_is_refused_quickly(tmp_path):
    path = tmp_path / "huge.wd"
    line = b"param p : Real = 1  # " + b"x" * 77 + b"\n"
    with open(path, "wb") as handle:
        handle.write(b"type Prompt\n")
        handle.write(line * (10 * 2**20 // len(line) + 1))
    assert path.stat().st_size > 10 * 2**20
    start = time.monotonic()
    proc = check(path, timeout=30)
    elapsed = time.monotonic() - start
    expect(proc, "E0007", EXIT_PROBLEMS)
    assert elapsed < 10, f"refusing a 10 MB file took {elapsed:.1f} s"


def test_a_file_of_a_million_short_lines_is_refused_before_it_is_parsed(tmp_path):
    # 8 MiB of `type A` lines (1.2 million of them) took 65 s and 4.4 GB to report every
    # duplicate: a line costs 3 to 6 KB while checked. Within 1 GiB, it is now refused at once.
    path = tmp_path / "lines.wd"
    path.write_bytes(b'proposal "dup"\n' + b"type A\n" * 1_000_000)
    proc = check(path, timeout=30, preexec_fn=_limit_memory)
    expect(proc, "E0007", EXIT_PROBLEMS)
    assert "the file has 1,000,002 lines; proposals are limited to 400,000" in proc.stderr


def test_the_line_limit_applies_to_text_given_to_the_api():
    import wiring

    result = wiring.check_text("type A\n" * 400_001, "m.wd")
    assert [d.code for d in result.diagnostics] == ["E0007"]


def _limit_memory():  # runs in the child: 1 GiB of address space is plenty for `wiring check`
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))


@pytest.mark.skipif(not hasattr(os, "truncate") or sys.platform == "win32",
                    reason="needs sparse files and resource limits")
def test_huge_file_is_refused_without_reading_it(tmp_path):
    # A 4 GiB (sparse) file must be refused by its size, not read into memory first.
    path = tmp_path / "enormous.wd"
    with open(path, "wb") as handle:
        handle.truncate(4 * 2**30)
    start = time.monotonic()
    proc = check(path, timeout=30, preexec_fn=_limit_memory)
    elapsed = time.monotonic() - start
    expect(proc, "E0007", EXIT_PROBLEMS)
    assert elapsed < 10, f"refusing a 4 GiB file took {elapsed:.1f} s"


# ----------------------------------------------------------------------------------- deep nesting

DEPTH = 1000


def test_types_nested_1000_deep(tmp_path):
    text = "type Prompt\nparam p : " + "List[" * DEPTH + "Prompt" + "]" * DEPTH + "\n"
    path = write(tmp_path / "deep_list.wd", text)
    proc = check(path, timeout=30)
    expect(proc, "E0003", EXIT_PROBLEMS)
    assert lines_of(proc, path) == [2]


def test_parentheses_nested_1000_deep(tmp_path):
    text = "param n : Real = " + "(" * DEPTH + "1" + ")" * DEPTH + "\n"
    proc = check(write(tmp_path / "deep_parens.wd", text), timeout=30)
    expect(proc, "E0003", EXIT_PROBLEMS)


def test_calls_nested_1000_deep_in_a_training_signal(tmp_path):
    signal = "max(" * DEPTH + "a.y" + ")" * DEPTH
    text = ("type P\ncomponent A : policy, learned {\n  out y : Real\n}\n"
            f"diagram D {{\n  a = A\n  train a by sgd maximising {signal}\n}}\n")
    proc = check(write(tmp_path / "deep_calls.wd", text), timeout=30)
    expect(proc, "E0003", EXIT_PROBLEMS)


def _nested_diagrams(depth: int) -> str:
    out = ["type Prompt", "",
           "component Leaf : tool, trusted {", "  in  x : Prompt", "  out y : Prompt", "}", ""]
    previous = "Leaf"
    for i in range(1, depth + 1):
        out += [f"diagram D{i} {{", "  in  x : Prompt", "  out y : Prompt",
                f"  inner = {previous}", "  x -> inner.x", "  inner.y -> y", "}", ""]
        previous = f"D{i}"
    return "\n".join(out)


def test_diagrams_nested_1000_deep(tmp_path):
    # D1 instantiates Leaf, D2 instantiates D1, ... D1000: a legitimate program. It must give
    # the same verdict as the same program three levels deep: no RecursionError, no "too deep".
    shallow = check(write(tmp_path / "shallow.wd", _nested_diagrams(3)))
    start = time.monotonic()
    deep = check(write(tmp_path / "deep.wd", _nested_diagrams(DEPTH)), timeout=120)
    elapsed = time.monotonic() - start
    assert "RecursionError" not in deep.stderr + deep.stdout
    assert deep.returncode == shallow.returncode, deep.stderr
    assert sorted(set(codes(deep))) == sorted(set(codes(shallow))), deep.stderr
    assert shallow.returncode == EXIT_OK, shallow.stderr
    assert elapsed < 60, f"checking 1000 nested diagrams took {elapsed:.1f} s"


@pytest.mark.parametrize("command", ["lint", "analyze", "render", "render --flatten", "export"])
def test_diagrams_nested_1000_deep_through_every_command(tmp_path, command):
    # The commands that walk the diagram hierarchy (analyses, rendering) must not recurse once
    # per level either: same verdict as three levels deep.
    def run(depth: int):
        path = write(tmp_path / f"nested{depth}.wd", _nested_diagrams(depth))
        args = command.split()
        if args[0] == "render":
            args += ["--format", "dot", "-o", tmp_path / f"out{depth}.dot"]
        proc = run_cli(*args, path, timeout=120)
        assert_no_crash(proc)
        return proc

    shallow, deep = run(3), run(DEPTH)
    assert deep.returncode == shallow.returncode == EXIT_OK, deep.stderr


def test_refinement_chain_1000_deep(tmp_path):
    out = ["type Prompt", "diagram R0 {", "  in x : Prompt", "  out y : Prompt", "  x -> y", "}"]
    for i in range(1, DEPTH + 1):
        out += [f"diagram R{i} refines R{i - 1} {{", "  in x : Prompt", "  out y : Prompt",
                "  x -> y", "}"]
    proc = check(write(tmp_path / "refines.wd", "\n".join(out) + "\n"), timeout=120)
    assert "RecursionError" not in proc.stderr
    assert proc.returncode in (EXIT_OK, EXIT_PROBLEMS)


def test_declaration_chains_1000_deep(tmp_path):
    # type T1 = T0, T2 = T1, ...; param p1 = p0 + 1, ...; kind k1 : k0, ...
    out = ["type T0", 'kind k0 "root"', "param p0 : Real = 1"]
    for i in range(1, DEPTH + 1):
        out += [f"type T{i} = T{i - 1}", f"kind k{i} : k{i - 1}",
                f"param p{i} : Real = p{i - 1} + 1"]
    out += [f"component A : k{DEPTH} {{", f"  in x : T{DEPTH}", "}"]
    proc = check(write(tmp_path / "chains.wd", "\n".join(out) + "\n"), timeout=120)
    assert proc.returncode == EXIT_OK, proc.stderr


def test_import_chain_300_files(tmp_path):
    n = 300
    for i in range(n):
        head = f'import "f{i + 1}.wd"\n' if i < n - 1 else ""
        write(tmp_path / f"f{i}.wd", head + f"type X{i}\n")
    proc = check(tmp_path / "f0.wd", timeout=120)
    assert proc.returncode == EXIT_OK, proc.stderr


# Long expressions without any brackets: flat in the source, but a deep tree once parsed
# (left-associative sums, right-associative powers, prefix minus). They must not crash the
# checker: either they check, or a diagnostic says the expression is too long.
LONG = 1000
LONG_EXPRESSIONS = {
    "sum": " + ".join(["1"] * LONG),
    "product": " * ".join(["1"] * LONG),
    "unary minus": "-" * LONG + "1",
    "power": "^".join(["1"] * LONG),
}


@pytest.mark.parametrize("name", list(LONG_EXPRESSIONS))
def test_long_flat_expression(tmp_path, name):
    text = f"param n : Real = {LONG_EXPRESSIONS[name]}\n"
    proc = check(write(tmp_path / "long.wd", text), timeout=60)
    assert "RecursionError" not in proc.stderr
    assert proc.returncode in (EXIT_OK, EXIT_PROBLEMS)


def test_long_flat_expression_in_a_training_signal(tmp_path):
    signal = " + ".join(["a.y"] * LONG)
    text = ("component A : policy, learned {\n  out y : Real\n}\n"
            f"diagram D {{\n  a = A\n  train a by sgd maximising {signal}\n}}\n")
    proc = check(write(tmp_path / "long_signal.wd", text), timeout=60)
    assert proc.returncode in (EXIT_OK, EXIT_PROBLEMS)


def test_export_of_a_long_expression(tmp_path):
    # 300 terms check clean; exporting the model must not fail either.
    text = "param n : Real = " + " + ".join(["1"] * 300) + "\n"
    path = write(tmp_path / "long_export.wd", text)
    assert check(path).returncode == EXIT_OK
    proc = run_cli("export", path)
    assert_no_crash(proc)
    assert proc.returncode in (EXIT_OK, EXIT_PROBLEMS)


# ---------------------------------------------------------------------------------- numbers

@pytest.mark.parametrize("literal", ["1e5000", "1e-5000", "123456789e4400", "1.5e99999"])
def test_huge_number_literals(tmp_path, literal):
    proc = check(write(tmp_path / "num.wd", f"param n : Real = {literal}\n"), timeout=30)
    assert proc.returncode in (EXIT_OK, EXIT_PROBLEMS)


@pytest.mark.parametrize("text", ["param n : Real = 1e999999999\n",
                                  "param n : Real >= 1e-999999999 = 1\n"])
def test_astronomical_number_literal_does_not_hang(tmp_path, text):
    proc = check(write(tmp_path / "num.wd", text), timeout=10)
    assert proc.returncode in (EXIT_OK, EXIT_PROBLEMS)


# ------------------------------------------------------------------------------------ imports

def test_import_cycle(tmp_path):
    write(tmp_path / "a.wd", 'import "b.wd"\ntype A\n')
    write(tmp_path / "b.wd", 'import "c.wd"\ntype B\n')
    c = write(tmp_path / "c.wd", 'import "a.wd"\ntype C\n')
    proc = check(tmp_path / "a.wd")
    expect(proc, "E0402", EXIT_PROBLEMS)
    assert codes(proc).count("E0402") == 1, proc.stderr
    assert lines_of(proc, c) == [1], proc.stderr


def test_file_importing_itself(tmp_path):
    path = write(tmp_path / "self.wd", 'type A\nimport "self.wd"\n')
    proc = check(path)
    expect(proc, "E0402", EXIT_PROBLEMS)
    assert lines_of(proc, path) == [2]


def test_missing_import(tmp_path):
    path = write(tmp_path / "main.wd", 'type A\nimport "nowhere.wd"\n')
    proc = check(path)
    expect(proc, "E0401", EXIT_PROBLEMS)
    assert lines_of(proc, path) == [2]


def test_directory_imported(tmp_path):
    (tmp_path / "lib").mkdir()
    path = write(tmp_path / "main.wd", 'import "lib"\ntype A\n')
    proc = check(path)
    expect(proc, "E0403", EXIT_PROBLEMS)
    assert lines_of(proc, path) == [1]


@pytest.mark.parametrize("content, code", [(b"", "E0004"), (b"\x00\x01", "E0005"),
                                           (b"\xff\xfe t", "E0005"), (b"type B\n}\n", "E0001")])
def test_bad_imported_file(tmp_path, content, code):
    (tmp_path / "lib.wd").write_bytes(content)
    proc = check(write(tmp_path / "main.wd", 'import "lib.wd"\ntype A\n'))
    expect(proc, code, EXIT_PROBLEMS)


# ------------------------------------------------------------------------------- command line

def test_directory_on_the_command_line(tmp_path):
    proc = check(tmp_path)
    expect(proc, "E0502", EXIT_USAGE)


def test_missing_file_on_the_command_line(tmp_path):
    proc = check(tmp_path / "does_not_exist.wd")
    expect(proc, "E0501", EXIT_USAGE)


def test_missing_file_among_good_ones(tmp_path):
    good = write(tmp_path / "good.wd", GOOD)
    proc = check(good, tmp_path / "missing.wd")
    expect(proc, "E0501", EXIT_USAGE)
    assert f"{good}: ok" in proc.stdout


def test_json_output_carries_the_codes(tmp_path):
    import json

    path = write(tmp_path / "bad.wd", "component A policy {\n}\n")
    proc = run_cli("check", "--format", "json", path)
    assert_no_crash(proc)
    assert proc.returncode == EXIT_PROBLEMS
    payload = json.loads(proc.stdout)
    assert [d["code"] for d in payload[0]["diagnostics"]] == ["E0001"]


def test_usage_errors_exit_2():
    proc = run_cli("check")  # no file
    assert_no_crash(proc)
    assert proc.returncode == EXIT_USAGE
    proc = run_cli("no-such-command")
    assert_no_crash(proc)
    assert proc.returncode == EXIT_USAGE


# --------------------------------------------------------------------------------- Python API

def _api_codes(result) -> list[str]:
    assert isinstance(result, wiring.api.Result)
    return [d.code for d in result.diagnostics]


def test_api_never_raises_on_bad_paths(tmp_path):
    assert "E0502" in _api_codes(wiring.check_file(str(tmp_path)))
    assert "E0501" in _api_codes(wiring.check_file(str(tmp_path / "missing.wd")))
    assert _api_codes(wiring.check_file(str(tmp_path / ("x" * 5000 + ".wd"))))


def test_api_never_raises_on_a_path_with_a_nul_byte(tmp_path):
    result = wiring.check_file(str(tmp_path / "a\x00b.wd"))
    assert _api_codes(result), "a path with a NUL byte must give a diagnostic"


def test_api_never_raises_on_an_import_with_a_nul_byte(tmp_path):
    # Text handed to check_text is not decoded from bytes, so it can contain NUL characters.
    result = wiring.check_text('import "a\x00b.wd"\ntype A\n', str(tmp_path / "main.wd"))
    assert _api_codes(result)


def test_api_text_with_nul_and_control_characters(tmp_path):
    result = wiring.check_text("type A\x00\x01\x7f\n", str(tmp_path / "main.wd"))
    assert _api_codes(result)
