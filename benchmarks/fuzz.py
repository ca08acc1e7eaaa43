"""Fuzzing wiring at scale: generated, mutated and hostile inputs through every command's code
path, each under a time and a memory limit. Not a test: it prints counts and failures (see
docs/reliability.md); tests/test_fuzz.py runs a seeded sample of the same generators.

Run from the repository root:

    .venv/bin/python benchmarks/fuzz.py --count 100000            # the full run (hours here)
    .venv/bin/python benchmarks/fuzz.py --count 5000 --workers 2  # a sample
    .venv/bin/python benchmarks/fuzz.py --show 1234               # print input 1234 of the run

A long run prints how many inputs it has done to stderr every REPORT_SECONDS; Ctrl-C (or
SIGTERM) stops it and prints the counts and failures of the inputs that finished.

Input i of a run is made from `random.Random(f"{seed}:{i}")` alone, so any failure is
reproduced with --show i (and the same --seed). Classes, in turn (i modulo the table below):

  grammar   sentences of the grammar (tests/test_fuzz.py's sampler, driven by random here)
  mutated   the example proposals with 1-5 edits (lines deleted, duplicated, swapped, ranges
            cut out, stray tokens, control and non-ASCII characters)
  bytes     the examples as bytes with invalid UTF-8, NUL bytes and a BOM spliced in, read
            from a file by check_file
  soup      tokens, names, numbers and strings in random order
  hostile   the shapes of issue 11: huge numbers and exponents, symbolic blow-ups, branching
            nesting, thousands of duplicates, strings past Graphviz's limits, lone surrogates,
            imports of system files, wide interfaces, ladders of gates (2^k paths for the
            bounds), many agents each on its own judge, reward model or gate

Each input runs in a worker process (RLIMIT_AS = --memory MB) through what `check`, `export`,
`lint`, `analyze` and `render -o x.dot` do, in process: wiring.check_text (check_file for
`bytes`), the sanity properties of tests/test_fuzz.py (codes, spans, the text and JSON
report, the JSON export), and for a proposal that checks: every analysis, the incentive report,
the bounds, lint's text and JSON and the DOT text. An input fails when any of it raises, when
a command takes more than --seconds on it (check; lint: check, analyses and lint's report;
analyze: check, analyses and the incentive report and bounds; render: check and the DOT text),
when it runs so long that the worker's alarm stops it, or, past twice the limit plus 5 s, the
parent kills the worker (a hang in C code), or when it exhausts the memory limit.
"""

from __future__ import annotations

import argparse
import collections
import json
import multiprocessing as mp
import os
import random
import resource
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

import generate  # noqa: E402

CLASSES = ["grammar", "mutated", "mutated", "bytes", "soup", "hostile"]
REPORT_SECONDS = 300     # how often a run prints how far it has got (to stderr)


# ------------------------------------------------------------------------------ the generators

def _fuzz_module():
    import test_fuzz   # the generators and properties of the test suite

    return test_fuzz


class _Sampler:
    """tests/test_fuzz.py's grammar sampler with its choices made by `random` instead of
    Hypothesis (the same rules, heights and terminals)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.base = _fuzz_module().SAMPLER

    def sentence(self, depth: int) -> str:
        out: list[str] = []
        self.base.expand(self.rng.choice, self._terminal, self.base.start, depth, out)
        newline = ["\n", "\n  ", "  # note\n", "\r\n", "\n\n"]
        parts = [self.rng.choice(newline) if t == "\n" else t for t in out]
        return " ".join(parts).replace(" \n", "\n")

    def _terminal(self, name: str) -> str:
        fz, rng = _fuzz_module(), self.rng
        pattern = self.base.terminals[name].pattern
        if type(pattern).__name__ == "PatternStr":
            return pattern.value
        simple = {"NAME": lambda: rng.choice(fz.NAMES), "STRING": lambda: rng.choice(fz.STRINGS),
                  "_NL": lambda: "\n", "COMMENT": lambda: "# a comment",
                  "COMPARE": lambda: rng.choice([">=", "<=", ">", "<"]),
                  "NUMBER": lambda: rng.choice([
                      rng.choice(fz.NUMBERS), str(rng.randint(0, 10**6)),
                      f"{rng.randint(1, 99)}e{rng.randint(-6000, 6000)}"])}
        if name in simple:
            return simple[name]()
        return rng.choice(["x", "1", "a_b", "T"])   # other regex terminals: a plain token


def _mutate(rng: random.Random, text, tokens: list):
    """1 to 5 edits of `text` (str or bytes), as tests/test_fuzz.py's `mutate`."""
    for _ in range(rng.randint(1, 5)):
        lines = text.splitlines(keepends=True)
        op = rng.choice(["delete_line", "duplicate_line", "swap_lines", "delete_range",
                         "insert_token", "insert_token", "replace_range"])
        if op in ("delete_line", "duplicate_line", "swap_lines") and lines:
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            if op == "delete_line":
                del lines[i]
            elif op == "duplicate_line":
                lines.insert(i, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            text = text[:0].join(lines)
        elif op in ("delete_range", "replace_range") and text:
            start = rng.randrange(len(text))
            cut = rng.randint(1, 40 if op == "delete_range" else 10)
            middle = text[:0] if op == "delete_range" else rng.choice(tokens)
            text = text[:start] + middle + text[start + cut:]
        else:
            at = rng.randint(0, len(text))
            text = text[:at] + rng.choice(tokens) + text[at:]
    return text


def _hostile(rng: random.Random) -> tuple[str, str]:
    """One input of a shape issue 11 found (at a random size), and the shape's name."""
    name = rng.choice(sorted(HOSTILE))
    return name, HOSTILE[name](rng)


def _nesting(rng: random.Random) -> str:
    depth = rng.randint(1, 20)
    parts = ["proposal \"nest\"\ntype P\n"
             "component C : policy, learned {\n  in x : P\n  out y : P\n}\n"
             "diagram D0 {\n  in x : P\n  out y : P\n  c = C\n  x -> c.x\n  c.y -> y\n}\n"]
    for d in range(1, depth + 1):
        parts.append(f"diagram D{d} {{\n  in x : P\n  out y : P\n  a = D{d - 1}\n  b = D{d - 1}\n"
                     "  x -> a.x\n  a.y -> b.x\n  b.y -> y\n}\n")
    return "".join(parts)


def _wide(rng: random.Random) -> str:
    n = rng.choice([10, 100, 1000, 3000])
    ports = "".join(f"  in i{k} : P\n  out o{k} : P\n" for k in range(n))
    wires = "".join(f"  i{k} -> o{k}\n" for k in range(n))
    return f"proposal \"wide\"\ntype P\ndiagram W {{\n{ports}{wires}}}\n"


def _text_of_size(rng: random.Random) -> str:
    size = rng.choice([100, 16_385, 20_000, 70_000])
    body = "".join(rng.choice("ab é\\'&<>\u2713\U0001F600") for _ in range(size))
    return body.replace('"', "'").replace("\\", "/")


_BIG_BOUNDS = ["9^9^9", "2^64^64", "10^4000"]
_BIG_REALS = ["1e400", "-1e400", "1e-400", "0." + "5" * 5000]
_LENGTHS = ["(k+1)^64", "2^64^64", "(k+k+k+k)^60"]
_SURROGATES = ["\ud800", "\udfff", "a\udc80b"]
_IMPORTS = ["/etc/passwd", "../../../../etc/hostname", "std/../../../etc/hostname", "\ud800"]
_USES = ("component B : model {\n  out y : List[P, k]\n}\n"
         "diagram D {\n  out y : P\n  a = A\n  b = B\n  b.y -> a.x\n  a.y -> y\n}\n")


def _long_strings(r: random.Random) -> str:
    title, note = _text_of_size(r), _text_of_size(r)
    return (f"proposal \"{title}\"\ntype P\ncomponent A : policy {{\n  in x : P\n"
            f"  out y : P\n  note \"{note}\"\n}}\ndiagram D {{\n  in x : P\n"
            "  out y : P\n  a = A\n  x -> a.x\n  a.y -> y\n}\n")


def _ladder(rng: random.Random) -> str:
    """An untrusted model reaching the world through k pairs of gates, each reading both of
    the pair before: 2^k paths for the bounds of `analyze`, with misses symbolic, numeric or
    parameters, and provenances one, a few or all distinct."""
    k = rng.choice([4, 12, 20, 30])
    miss = rng.choice(["", ", miss = 0.1", ", miss = q{i}"])
    kinds = rng.choice([1, 3, 2 * k])
    gates = "".join(f"param q{i} : Prob = 0.1\n" for i in range(2 * k)) if "q" in miss else ""
    gates += "".join(f"component G{i} : filter, trusted{miss.format(i=i)}, provenance = "
                     f"\"v{i % kinds}\" {{\n  in a : P\n  in b : P\n  out y : P\n}}\n"
                     for i in range(2 * k))
    wires = "".join(f"  a{i} = G{2 * i}\n  b{i} = G{2 * i + 1}\n" for i in range(k))
    wires += "".join(f"  a{i - 1}.y -> a{i}.a, b{i}.a\n  b{i - 1}.y -> a{i}.b, b{i}.b\n"
                     for i in range(1, k))
    return ("proposal \"ladder\"\ntype P\ncomponent S : dataset {\n  out x : P\n}\n"
            "component A : policy, learned, untrusted {\n  in x : P\n  out y : P\n}\n"
            "component W : environment {\n  in x : P\n}\n" + gates +
            "diagram D {\n  modes deploy : deployment\n  s = S\n  p = A\n  w = W\n"
            f"  s.x -> p.x\n  p.y -> a0.a, a0.b, b0.a, b0.b\n{wires}  last = G0\n"
            f"  a{k - 1}.y -> last.a\n  b{k - 1}.y -> last.b\n  last.y -> w.x\n}}\n")


def _agents(rng: random.Random) -> str:
    """Many agents, each trained on its own judge or reward model, or acting through a gate
    of its own (the shapes `judged` and `gated` of benchmarks/generate.py, and one of
    learned reward models), or each in a training mode of its own (`modal`), or in a chain
    with learned reward models on its way to its signal (`nested`'s editors learned), that
    were quadratic."""
    n = rng.choice([100, 300, 1000])
    shape = rng.choice(["judged", "gated", "rewarded", "modal", "proxied"])
    if shape in ("judged", "gated", "modal"):
        return generate.generate(shape, n)
    if shape == "proxied":
        return generate.nested(n).replace("component Editor : editor, trusted",
                                          "component Editor : reward_model, learned, untrusted")
    return generate.judged(n).replace("component Judge : judge, trusted",
                                      "component Judge : reward_model, learned, untrusted")


HOSTILE = {
    "power": lambda r: f"proposal \"n\"\nparam n : Real in [0, {r.choice(_BIG_BOUNDS)}] = 1\n",
    "digits": lambda r: f"proposal \"n\"\nparam n : Int = {'9' * r.choice([100, 4300, 5000])}\n",
    "float": lambda r: f"proposal \"n\"\nparam n : Real = {r.choice(_BIG_REALS)}\n",
    "symbolic": lambda r: ("proposal \"e\"\ntype P\nparam k : Nat = 2\ncomponent A : policy {\n"
                           f"  in x : List[P, {r.choice(_LENGTHS)}]\n  out y : P\n}}\n" + _USES),
    "nesting": _nesting,
    "duplicates": lambda r: "proposal \"dup\"\n" + "type A\n" * r.choice([10, 1000, 20_000]),
    "long-text": _long_strings,
    "surrogate": lambda r: f"proposal \"s\"\nnote \"{r.choice(_SURROGATES)}\"\n",
    "import": lambda r: f"import \"{r.choice(_IMPORTS)}\"\n",
    "wide": _wide,
    "ladder": _ladder,
    "agents": _agents,
}


def make_input(seed: int, index: int) -> tuple[str, str | bytes]:
    """Input `index` of the run with `seed`: its class and its text (bytes for `bytes`)."""
    fz = _fuzz_module()
    rng = random.Random(f"{seed}:{index}")
    kind = CLASSES[index % len(CLASSES)]
    if kind == "grammar":
        return kind, _Sampler(rng).sentence(rng.randint(4, 16))
    if kind == "mutated":
        return kind, _mutate(rng, rng.choice(fz.SOURCES)[1], fz.TOKENS)
    if kind == "bytes":
        data = rng.choice(fz.SOURCES)[1].encode("utf-8")
        return kind, _mutate(rng, data, fz.RAW_BYTES + [t.encode("utf-8") for t in fz.TOKENS])
    if kind == "soup":
        pool = fz.TOKENS + fz.NAMES + fz.NUMBERS + fz.STRINGS
        return kind, " ".join(rng.choice(pool) for _ in range(rng.randint(0, 60)))
    shape, text = _hostile(rng)
    return f"hostile/{shape}", text


# --------------------------------------------------------------------------------- the workers

def _run_one(fz, kind: str, text, scratch: Path) -> None:
    """What the commands do with one input; raises on a failure."""
    if kind == "bytes":
        path = scratch / "input.wd"
        path.write_bytes(text)
        fz.checked_file(path, text)
        return
    fz.checked_text(text, "fuzz.wd")   # check, the report, export; lint, analyze, DOT


def _worker(seed: int, indices, seconds: float, memory_mb: int, conn) -> None:
    """Run inputs one by one, telling the parent which one starts and how each ended."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
    sys.setrecursionlimit(10_000)
    fz = _fuzz_module()
    fz.PER_INPUT_SECONDS = seconds
    scratch = Path(tempfile.mkdtemp(prefix="wiring-fuzz-"))
    os.chdir(scratch)
    for index in indices:
        kind, text = make_input(seed, index)
        conn.send(("start", index, kind))
        started = time.process_time()
        try:
            _run_one(fz, kind, text, scratch)
            outcome = ("ok", "")
        except fz.Hang as exc:
            outcome = ("hang", str(exc))
        except MemoryError:
            outcome = ("memory", f"over {memory_mb} MB")
        except RecursionError as exc:
            outcome = ("crash", f"RecursionError: {exc}")
        except Exception as exc:   # noqa: BLE001 - a failure to record
            where = traceback.extract_tb(exc.__traceback__)[-1]
            outcome = ("crash", f"{type(exc).__name__}: {str(exc)[:200]} "
                                f"({Path(where.filename).name}:{where.lineno})")
        conn.send(("done", index, kind, *outcome, time.process_time() - started))
    conn.send(("finished",))


def run(seed: int, count: int, workers: int, seconds: float, memory_mb: int,
        minutes: float | None = None) -> dict:
    """Every input of the run through the workers (until `minutes` have passed: the inputs
    not finished by then are not counted); counts and failures by class."""
    deadline = time.monotonic() + 60 * minutes if minutes else float("inf")
    counts = collections.Counter()
    failures: list[dict] = []
    pending = list(range(count))
    # whole rounds of the classes to each worker, so that every worker sees every class
    chunks = [[i for i in pending if (i // len(CLASSES)) % workers == w] for w in range(workers)]
    live = [_start(seed, chunk, seconds, memory_mb) for chunk in chunks if chunk]
    report, stopped = time.monotonic() + REPORT_SECONDS, None
    try:
        while live:
            if time.monotonic() > deadline:
                stopped = f"after {minutes:g} minutes"
                break
            if time.monotonic() > report:        # a long run says how far it has got
                report += REPORT_SECONDS
                print(f"{sum(counts.values()):,} inputs, {len(failures)} failed",
                      file=sys.stderr, flush=True)
            for job in list(live):
                if not _poll(job, seconds, counts, failures):
                    live.remove(job)
                    rest = job["left"]
                    if rest:
                        live.append(_start(seed, rest, seconds, memory_mb))
    except KeyboardInterrupt:                # Ctrl-C or SIGTERM: what finished is counted
        stopped = "when interrupted"
    for job in live:
        job["process"].kill()
    return {"counts": counts, "failures": sorted(failures, key=lambda f: f["index"]),
            "stopped": stopped}


def _start(seed, indices, seconds, memory_mb) -> dict:
    parent, child = mp.Pipe()
    process = mp.Process(target=_worker, args=(seed, indices, seconds, memory_mb, child),
                         daemon=True)
    process.start()
    return {"process": process, "conn": parent, "left": list(indices), "current": None,
            "since": time.monotonic()}


def _poll(job, seconds, counts, failures) -> bool:
    """Take the worker's messages; False when it has finished or was killed (its remaining
    inputs are in job["left"])."""
    conn, process = job["conn"], job["process"]
    if conn.poll(0.05):
        try:
            message = conn.recv()
        except EOFError:
            message = ("died",)
        if message[0] == "start":
            job["current"], job["since"] = message[1:], time.monotonic()
            return True
        if message[0] == "done":
            _, index, kind, outcome, detail, cpu = message
            counts[(kind, outcome)] += 1
            job["left"].remove(index)
            job["current"] = None
            if outcome != "ok":
                failures.append({"index": index, "class": kind, "outcome": outcome,
                                 "detail": detail, "cpu_s": round(cpu, 2)})
            return True
        elif message[0] == "finished":
            process.join()
            return False
        elif message[0] != "died":
            return True
    stuck = job["current"] and time.monotonic() - job["since"] > 2 * seconds + 5
    if stuck or (not process.is_alive() and not conn.poll(0)):
        process.kill()
        process.join()
        if job["current"]:
            index, kind = job["current"]
            outcome = "hang" if stuck else f"killed (exit {process.exitcode})"
            counts[(kind, "hang" if stuck else "killed")] += 1
            failures.append({"index": index, "class": kind, "outcome": outcome,
                             "detail": "stopped by the parent" if stuck else "worker died",
                             "cpu_s": None})
            job["left"].remove(index)
        return False
    return True


# ------------------------------------------------------------------------------------- the CLI

def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--count", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2) - 1))
    p.add_argument("--seconds", type=float, default=10.0, help="time limit per input")
    p.add_argument("--memory", type=int, default=2048, help="memory limit per worker, MB")
    p.add_argument("--minutes", type=float, help="stop after this long (counting what finished)")
    p.add_argument("--json", metavar="FILE", help="also write the counts and failures as JSON")
    p.add_argument("--show", type=int, metavar="I", help="print input I and exit")
    args = p.parse_args(argv)
    if args.show is not None:
        kind, text = make_input(args.seed, args.show)
        print(f"# class {kind}", file=sys.stderr)
        out = sys.stdout.buffer
        out.write(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
        return 0
    started = time.monotonic()
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    result = run(args.seed, args.count, args.workers, args.seconds, args.memory, args.minutes)
    elapsed = time.monotonic() - started
    _print(result, args, elapsed)
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"seed": args.seed, "count": args.count, "seconds": round(elapsed, 1),
             "stopped": result["stopped"],
             "counts": {f"{k}/{o}": n for (k, o), n in sorted(result["counts"].items())},
             "failures": result["failures"]}, indent=1), encoding="utf-8")
    return 1 if result["failures"] else 0


def _print(result: dict, args, elapsed: float) -> None:
    counts = result["counts"]
    kinds = sorted({k for k, _ in counts})
    print(f"{sum(counts.values()):,} inputs (seed {args.seed}) in {elapsed:,.0f} s with "
          f"{args.workers} workers, limits {args.seconds:g} s and {args.memory} MB per input"
          + (f"; stopped {result['stopped']}" if result["stopped"] else ""))
    print(f"{'class':<20}{'inputs':>9}{'ok':>9}{'failed':>8}")
    for kind in kinds:
        total = sum(n for (k, _), n in counts.items() if k == kind)
        ok = counts[(kind, "ok")]
        print(f"{kind:<20}{total:>9,}{ok:>9,}{total - ok:>8,}")
    by_outcome = collections.Counter(f["outcome"] for f in result["failures"])
    print("failures: " + (", ".join(f"{n} {o}" for o, n in sorted(by_outcome.items())) or "none"))
    for failure in result["failures"][:60]:
        print(f"  #{failure['index']} {failure['class']}: {failure['outcome']}: "
              f"{failure['detail']}")


if __name__ == "__main__":
    sys.exit(main())
