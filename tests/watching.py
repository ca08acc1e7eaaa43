"""Running `wiring watch` in the background for the tests: its output read line by line, a
file saved again until the watcher reacts (its watch starts a moment after it says so), and
Ctrl-C to stop it."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

WIRING = [sys.executable, "-m", "wiring"]


def starter(directory: Path) -> Path:
    """A proposal written by `wiring new`, as a user starts one."""
    path = directory / "starter.wd"
    subprocess.run([*WIRING, "new", str(path)], check=True, capture_output=True, timeout=60)
    return path


def _hear_ctrl_c() -> None:
    """In the watcher, before it starts: Ctrl-C heard, as at a terminal. A suite started as a
    background job (`cmd &` in a script) ignores SIGINT, and so would the watcher, which
    inherits that: Python then installs no KeyboardInterrupt, and `stop` waited in vain."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Watch:
    def __init__(self, *args: str, cwd: Path):
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.process = subprocess.Popen([*WIRING, "watch", "--color", "never", *args], cwd=cwd,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True, env={**os.environ, "NO_COLOR": "1"},
                                        preexec_fn=_hear_ctrl_c)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 30) -> str:
        """The first line not read before that matches `pattern`."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            self.seen.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r} in {timeout} s:\n" +
                             "\n".join(self.seen))

    def save(self, path: Path, text: str, then: str, timeout: float = 30) -> str:
        """Save `text` to `path`, again each second until a line matches `then`."""
        end = time.monotonic() + timeout
        while True:
            path.write_text(text, encoding="utf-8")
            try:
                return self.wait_for(then, timeout=1.5)
            except AssertionError:
                if time.monotonic() > end:
                    raise

    def since(self, marker: str) -> str:
        """Everything printed after the last line containing `marker`."""
        at = max(i for i, line in enumerate(self.seen) if marker in line)
        return "\n".join(self.seen[at + 1:])

    def stop(self) -> int:
        """Ctrl-C, and the exit code."""
        self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout=20)
        finally:
            self.process.kill()
        time.sleep(0.1)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return code
