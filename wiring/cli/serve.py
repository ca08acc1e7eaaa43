"""`wiring watch --serve`: a page on localhost that shows the latest picture and reloads it.

The page polls `/state` (a small JSON document: a version number, whether the file checks,
its diagnostics) twice a second and, when the version changes, loads `/picture.svg` again; a
file with errors shows its diagnostics above the last picture that was drawn. No external
script and no server-sent events: polling survives a server restart and needs no open
connection per page. The server binds 127.0.0.1 only: it shows a private draft. For the
same reason it answers only requests addressed to 127.0.0.1 or localhost at its port: a web
page whose name an attacker points at 127.0.0.1 (DNS rebinding) sends its own host name and
is refused.
"""

from __future__ import annotations

import html
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} (wiring watch)</title>
<style>
 body {{ font-family: sans-serif; margin: 1em; background: #fff; color: #111; }}
 #diagnostics {{ white-space: pre-wrap; background: #fff0f0; border-left: 4px solid #c00;
   padding: .5em 1em; font-family: monospace; }}
 #diagnostics:empty {{ display: none; }}
 #status {{ color: #666; font-size: 90%; }}
 img {{ max-width: 100%; }}
</style></head>
<body data-version="0" data-title="{title}">
<div id="status">{title}: waiting for the first picture</div>
<pre id="diagnostics"></pre>
<img id="picture" alt="the diagram of {title}">
<script>
"use strict";
let shown = -1;
async function poll() {{
  try {{
    const state = await (await fetch("/state", {{cache: "no-store"}})).json();
    if (state.version !== shown) {{
      shown = state.version;
      document.getElementById("diagnostics").textContent = state.diagnostics;
      if (state.picture) document.getElementById("picture").src = "/picture.svg?v=" + state.picture;
      document.getElementById("status").textContent = state.status;
      document.body.dataset.version = String(state.version);
      document.body.dataset.picture = String(state.picture);
    }}
  }} catch (err) {{
    // the title from the page's markup: a name inside this script would need JavaScript's quoting
    document.getElementById("status").textContent =
      document.body.dataset.title + ": wiring watch has stopped";
  }}
  setTimeout(poll, 500);
}}
poll();
</script>
</body></html>
"""


class Board:
    """What the page shows, updated by the watcher and read by the server's threads."""

    def __init__(self, title: str):
        self.title = title
        self.lock = threading.Lock()
        self.version = 0          # counts every check
        self.picture_version = 0  # the version whose picture `svg` is (0: none yet)
        self.svg = b""
        self.diagnostics = ""
        self.status = f"{title}: checking"

    def post(self, status: str, diagnostics: str, svg: bytes | None) -> None:
        """A new check: its status line, its diagnostics text, and its picture (None: it drew
        none, and the last one stays)."""
        with self.lock:
            self.version += 1
            self.status, self.diagnostics = status, diagnostics
            if svg is not None:
                self.svg, self.picture_version = svg, self.version

    def state(self) -> bytes:
        with self.lock:
            return json.dumps({"version": self.version, "picture": self.picture_version,
                               "status": self.status, "diagnostics": self.diagnostics},
                              sort_keys=True).encode("utf-8")


def _handler(board: Board):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            path = self.path.split("?", 1)[0]
            port = self.server.server_address[1]
            if self.headers.get("Host") not in (f"127.0.0.1:{port}", f"localhost:{port}"):
                self._send(403, "text/plain; charset=utf-8", b"only this computer's pages\n")
            elif path == "/":
                body = PAGE.format(title=html.escape(board.title)).encode("utf-8")
                self._send(200, "text/html; charset=utf-8", body)
            elif path == "/state":
                self._send(200, "application/json", board.state())
            elif path == "/picture.svg":
                with board.lock:
                    svg = board.svg
                self._send(200 if svg else 404, "image/svg+xml", svg)
            else:
                self._send(404, "text/plain; charset=utf-8", b"not found\n")

        def _send(self, code: int, kind: str, body: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # each request is not news to the user
            pass

    return Handler


def serve(board: Board, port: int) -> ThreadingHTTPServer:
    """Start serving `board` on 127.0.0.1:`port` (0: any free port) in a daemon thread; raises
    OSError when the port cannot be bound."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(board))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="wiring-serve", daemon=True).start()
    return server
