"""`wiring watch --serve` in a real browser: headless Chromium, driven through the DevTools
protocol, shows the page; after a save the page shows the new picture by itself, and after a
save with an error it shows the diagnostics above the last picture."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request

import pytest

from conftest import require_package
from watching import Watch, starter

pytestmark = [pytest.mark.needs_tool("dot"), pytest.mark.needs_tool("chromium")]

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-port=0", "--window-size=1200,900"]


class Browser:
    """Chromium showing `url`, and a DevTools connection to its page."""

    def __init__(self, url: str, profile):
        require_package("websocket", "dev")     # websocket-client
        import websocket
        self.process = subprocess.Popen([shutil.which("chromium"), *FLAGS,
                                         f"--user-data-dir={profile}", url],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = profile / "DevToolsActivePort"     # where Chromium says which port it took
        end = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            assert time.monotonic() < end and self.process.poll() is None, "Chromium did not start"
            time.sleep(0.2)
        port = port_file.read_text().split()[0]
        pages = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list",
                                                  timeout=10).read())
        page = next(p for p in pages if p["type"] == "page")
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30,
                                                  suppress_origin=True)
        self.calls = 0

    def call(self, method: str, **params) -> dict:
        self.calls += 1
        self.socket.send(json.dumps({"id": self.calls, "method": method, "params": params}))
        while True:   # events arrive between the replies
            reply = json.loads(self.socket.recv())
            if reply.get("id") == self.calls:
                assert "error" not in reply, reply
                return reply["result"]

    def value(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def until(self, expression: str, timeout: float = 30):
        """Wait until `expression` is truthy in the page; its value."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            value = self.value(expression)
            if value:
                return value
            time.sleep(0.2)
        raise AssertionError(f"the page never had {expression}: " +
                             str(self.value("document.body.innerText")))

    def screenshot(self, path) -> None:
        import base64

        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot")["data"]))

    def close(self) -> None:
        try:
            self.socket.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


# Once the page shows picture version {v}: its size and a checksum of its pixels, which differ
# between two different pictures (the canvas is readable: the picture is from the page's origin).
LOADED = """(() => {
  const i = document.getElementById('picture');
  if (!(i.complete && i.naturalWidth > 0 && i.src.endsWith('?v={v}'))) return null;
  const c = document.createElement('canvas');
  c.width = i.naturalWidth; c.height = i.naturalHeight;
  const x = c.getContext('2d');
  x.drawImage(i, 0, 0);
  const d = x.getImageData(0, 0, c.width, c.height).data;
  let h = 0;
  for (let k = 0; k < d.length; k += 4) h = (h * 31 + d[k] + 7 * d[k + 1] + 13 * d[k + 2]) >>> 0;
  return c.width + 'x' + c.height + ':' + h;
})()"""


def test_the_page_shows_the_new_picture_after_a_save(tmp_path):
    require_package("watchfiles", "watch")
    source = starter(tmp_path)
    text = source.read_text(encoding="utf-8")
    watch = Watch("starter.wd", "--serve", "0", cwd=tmp_path)
    browser = None
    try:
        url = watch.wait_for(r"^serving http://127\.0\.0\.1:\d+/$").split()[-1]
        watch.wait_for(r"^watching ")
        browser = Browser(url, tmp_path / "profile")
        first = browser.until(LOADED.replace("{v}", "1"))
        browser.screenshot(tmp_path / "first.png")

        # A box renamed: another picture, which the page loads without being asked.
        watch.save(source, text.replace("Filter", "SafetyFilterOfResponses"),
                   then=r"^starter.wd: ok")
        second = browser.until(LOADED.replace("{v}", "2"))
        assert second != first
        assert browser.value("document.getElementById('diagnostics').textContent") == ""

        watch.save(source, text.replace("filter.passed -> response", "filter.passed -> nowhere"),
                   then=r"^starter.wd: failed")
        shown = browser.until("document.body.dataset.version === '3' && "
                              "document.getElementById('diagnostics').textContent")
        assert "error[E" in shown and "starter.wd:" in shown and "help:" in shown
        assert browser.value(LOADED.replace("{v}", "2")) == second   # the last picture stays
        browser.screenshot(tmp_path / "error.png")
    finally:
        if browser is not None:
            browser.close()
        assert watch.stop() == 0
