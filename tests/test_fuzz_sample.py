"""A seeded sample of benchmarks/fuzz.py in the suite (issue 11): 2,000 generated, mutated,
byte-level and hostile inputs through what check, export, lint, analyze and render do, each in
a worker process under a time and a memory limit. Not one may crash, hang or run out of memory.
docs/reliability.md gives the classes and the full run's figures."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 2026
COUNT = 2_000
# Generous: the sample guards against crashes and blow-ups, not against a slow shared machine
# (the full run, not a test, holds each input to 2 s).
SECONDS = 10.0
MEMORY_MB = 2048


def _fuzz():
    spec = importlib.util.spec_from_file_location("fuzz", ROOT / "benchmarks" / "fuzz.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_seeded_sample_of_the_fuzzer_finds_no_failure():
    fuzz = _fuzz()
    result = fuzz.run(SEED, COUNT, workers=2, seconds=SECONDS, memory_mb=MEMORY_MB)
    counts = result["counts"]
    assert sum(counts.values()) == COUNT
    # Every class of the harness was exercised.
    classes = {kind.split("/")[0] for kind, _ in counts}
    assert classes == set(fuzz.CLASSES)
    assert len({kind for kind, _ in counts if kind.startswith("hostile/")}) == len(fuzz.HOSTILE)
    replay = [f"#{f['index']} {f['class']}: {f['outcome']}: {f['detail']} (replay: "
              f"benchmarks/fuzz.py --seed {SEED} --show {f['index']})"
              for f in result["failures"]]
    assert not replay, "\n".join(replay)
