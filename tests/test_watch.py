"""`wiring watch`: checks and draws a proposal again each time it or a file it imports is
saved, printing what `wiring check` prints; stops cleanly on Ctrl-C; says how to install
watchfiles when it is missing. The page of `--serve` is tested in a browser by
tests/test_watch_browser.py; here only what it serves."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from conftest import require_package
from watching import WIRING, Watch, starter


@pytest.fixture
def _watchfiles():
    require_package("watchfiles", "watch")


def check_output(path) -> str:
    run = subprocess.run([*WIRING, "check", "--color", "never", path.name], capture_output=True,
                         text=True, timeout=60, cwd=path.parent)
    return (run.stderr + run.stdout).strip()


@pytest.mark.needs_tool("dot")
@pytest.mark.usefixtures("_watchfiles")
def test_a_save_redraws_and_an_error_is_reported_as_check_reports_it(tmp_path):
    source = starter(tmp_path)
    text = source.read_text(encoding="utf-8")
    out = tmp_path / "pictures" / "out.svg"
    out.parent.mkdir()
    watch = Watch(str(source.name), "-o", "pictures/out.svg", cwd=tmp_path)
    try:
        watch.wait_for(r"^watching ")
        first = out.read_bytes()
        assert b"<svg" in first and b"Filter" in first
        watch.save(source, text.replace("Filter", "Sieve"), then=r"^wrote pictures/out.svg")
        assert b"Sieve" in out.read_bytes() and b"Filter" not in out.read_bytes()

        broken = text.replace("filter.passed -> response", "filter.passed -> nowhere")
        watch.save(source, broken, then=r"^starter.wd: failed")
        assert watch.since("changed: starter.wd") == check_output(tmp_path / "starter.wd")
        assert b"Sieve" in out.read_bytes()        # the last picture stays
    finally:
        code = watch.stop()
    assert code == 0 and watch.seen[-1] == "stopped", watch.seen


@pytest.mark.needs_tool("dot")
@pytest.mark.usefixtures("_watchfiles")
def test_a_save_of_an_imported_file_redraws(tmp_path):
    source = starter(tmp_path)
    text = source.read_text(encoding="utf-8")
    start = text.index("component Filter")
    end = text.index("}", start) + 1
    (tmp_path / "parts").mkdir()       # in another directory: watched as well
    parts = tmp_path / "parts" / "filter.wd"
    parts.write_text('import "std/core.wd"\n\n' + text[start:end] + "\n", encoding="utf-8")
    source.write_text(text[:start] + 'import "parts/filter.wd"\n' + text[end:], encoding="utf-8")
    assert check_output(source).endswith("starter.wd: ok")
    watch = Watch("starter.wd", "-o", "out.svg", cwd=tmp_path)
    try:
        watch.wait_for(r"^watching 2 file\(s\) in ")
        changed = parts.read_text(encoding="utf-8").replace("trusted gate", "checked gate")
        watch.save(parts, changed, then=r"^wrote out.svg")
        assert b"checked gate" in (tmp_path / "out.svg").read_bytes()
    finally:
        assert watch.stop() == 0


@pytest.mark.needs_tool("dot")
@pytest.mark.usefixtures("_watchfiles")
def test_the_served_state_and_picture(tmp_path):
    source = starter(tmp_path)
    watch = Watch("starter.wd", "--serve", "0", cwd=tmp_path)
    try:
        url = watch.wait_for(r"^serving http://127\.0\.0\.1:\d+/$").split()[-1]
        watch.wait_for(r"^watching ")
        state = json.loads(urllib.request.urlopen(url + "state", timeout=10).read())
        assert state["picture"] == state["version"] == 1 and state["diagnostics"] == ""
        svg = urllib.request.urlopen(url + "picture.svg", timeout=10).read()
        assert b"<svg" in svg
        page = urllib.request.urlopen(url, timeout=10).read().decode()
        assert "/state" in page and "<script src" not in page     # no external script
        watch.save(source, "oops\n", then=r"^starter.wd: failed")
        for _ in range(100):    # the verdict is printed just before the page's state is set
            state = json.loads(urllib.request.urlopen(url + "state", timeout=10).read())
            if state["version"] == 2:
                break
            time.sleep(0.1)
        assert state["version"] == 2 and state["picture"] == 1
        assert "error[E0001]" in state["diagnostics"] and "starter.wd:1:1" in state["diagnostics"]
        assert not (tmp_path / "starter.svg").exists()    # --serve alone writes no file
        # a page of another site whose name resolves to 127.0.0.1 (DNS rebinding) is refused
        port = url.rstrip("/").rsplit(":", 1)[1]
        for host, status in (("evil.example:" + port, 403), ("localhost:" + port, 200)):
            request = urllib.request.Request(url + "state", headers={"Host": host})
            try:
                answer = urllib.request.urlopen(request, timeout=10).status
            except urllib.error.HTTPError as refused:
                answer = refused.code
            assert answer == status, host
    finally:
        assert watch.stop() == 0


@pytest.mark.needs_tool("dot")     # a taken port is found after the check that dot is there
@pytest.mark.usefixtures("_watchfiles")
def test_usage_errors(tmp_path):
    source = starter(tmp_path)
    run = subprocess.run([*WIRING, "watch", "starter.wd", "-o", "starter.wd"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "name an .svg file" in run.stderr
    run = subprocess.run([*WIRING, "watch", "starter.wd", "-o", "nowhere/x.svg"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "does not exist" in run.stderr
    run = subprocess.run([*WIRING, "watch", "nowhere/x.wd"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "the directory nowhere does not exist" in run.stderr
    run = subprocess.run([*WIRING, "watch", str(source), "--serve", "70000"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "70000 is outside 0 to 65535" in run.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        run = subprocess.run([*WIRING, "watch", str(source), "--serve", port],
                             capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and f"cannot serve on 127.0.0.1:{port}" in run.stderr


def test_without_watchfiles_it_says_how_to_install_it(tmp_path):
    starter(tmp_path)
    blocker = tmp_path / "blocker"
    (blocker / "watchfiles").mkdir(parents=True)
    (blocker / "watchfiles" / "__init__.py").write_text("raise ImportError('not here')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(blocker), os.getcwd()])}
    run = subprocess.run([sys.executable, "-m", "wiring", "watch", "starter.wd"], cwd=tmp_path,
                         env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2, run.stderr
    assert "pip install 'wiring-diagrams[watch]'" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.needs_tool("dot")
@pytest.mark.usefixtures("_watchfiles")
def test_which_diagram_is_drawn_is_said_once(tmp_path):
    source = starter(tmp_path)
    text = source.read_text(encoding="utf-8")
    # A second top diagram: a copy of the first under another name.
    second = text[text.index("diagram Starter"):].replace("diagram Starter", "diagram Other")
    source.write_text(text + "\n" + second, encoding="utf-8")
    watch = Watch("starter.wd", "-o", "out.svg", cwd=tmp_path)
    try:
        said = watch.wait_for(r"top diagrams")
        assert "has 2 top diagrams; drawing `Other` (`--diagram Starter` draws another)" in said
        watch.wait_for(r"^watching ")
        watch.save(source, text + "\n" + second + "\n# edited\n", then=r"^wrote out.svg")
    finally:
        assert watch.stop() == 0
    assert sum("top diagrams" in line for line in watch.seen) == 1
