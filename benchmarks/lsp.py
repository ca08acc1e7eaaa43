"""Latency of the language server (`wiring lsp`), measured through the protocol as an editor sees
it: a client process (wiring.lsp.client) speaks JSON-RPC to the server over stdio.

    .venv/bin/python benchmarks/lsp.py            # 30 rounds of each
    .venv/bin/python benchmarks/lsp.py --rounds 10

Figures (medians of wall time, targets from issue 17): diagnostics for examples/open_agency.wd
published after a change (the server waits DEBOUNCE after the last change, then checks and
lints), < 300 ms; completion after `box.`, < 100 ms; hover on a port, < 50 ms.
Nothing here is a test: the numbers are only printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from wiring.lsp.client import Client  # noqa: E402

FILE = REPO / "examples" / "open_agency.wd"
TARGETS = {"diagnostics after a change": 0.300, "completion": 0.100, "hover": 0.050}


def place(text: str, needle: str, offset: int) -> tuple[int, int]:
    at = text.index(needle) + offset
    return text.count("\n", 0, at), at - (text.rfind("\n", 0, at) + 1)


def measure(rounds: int) -> dict[str, list[float]]:
    text = FILE.read_text(encoding="utf-8")
    client = Client([str(REPO / ".venv" / "bin" / "wiring"), "lsp"])
    times: dict[str, list[float]] = {name: [] for name in TARGETS}
    try:
        client.initialize(str(REPO))
        uri = client.open(FILE, text)
        client.wait_for("textDocument/publishDiagnostics", uri)
        for i in range(rounds):
            # A real edit: a port renamed and back, so that every other check has an error.
            changed = text if i % 2 else text.replace("-> reviewers.proposal",
                                                      "-> reviewers.proposals")
            start = time.perf_counter()
            client.change(uri, changed)
            client.wait_for("textDocument/publishDiagnostics", uri)
            times["diagnostics after a change"].append(time.perf_counter() - start)
        client.change(uri, text)
        client.wait_for("textDocument/publishDiagnostics", uri)
        typing = text.replace("  store.model -> ", "  store.\n  store.model -> ", 1)
        client.change(uri, typing)
        client.wait_for("textDocument/publishDiagnostics", uri)
        line, character = place(typing, "  store.\n", len("  store."))
        for _ in range(rounds):
            start = time.perf_counter()
            items = client.at("textDocument/completion", uri, line, character)
            times["completion"].append(time.perf_counter() - start)
        assert items["result"]["items"], "completion found nothing"
        client.change(uri, text)
        client.wait_for("textDocument/publishDiagnostics", uri)
        line, character = place(text, "reviewers.proposal", len("reviewers.") + 2)
        for _ in range(rounds):
            start = time.perf_counter()
            shown = client.at("textDocument/hover", uri, line, character)
            times["hover"].append(time.perf_counter() - start)
        assert shown["result"], "hover found nothing"
    finally:
        client.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    times = measure(args.rounds)
    print(f"wiring lsp on {FILE.relative_to(REPO)}, {args.rounds} rounds, medians:")
    for name, values in times.items():
        median = statistics.median(values)
        verdict = "ok" if median < TARGETS[name] else "OVER"
        print(f"  {name:<28} {median * 1000:7.1f} ms   (target < {TARGETS[name] * 1000:.0f} ms: "
              f"{verdict}; max {max(values) * 1000:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
