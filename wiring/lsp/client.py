"""A small synchronous client that starts `wiring lsp` as a process and speaks JSON-RPC to it
over stdio, framed as LSP frames it (`Content-Length` headers): what the tests and
benchmarks/lsp.py drive the server with, exactly as an editor would. Plain JSON in and out, so
that it needs neither pygls nor lsprotocol."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path


class Client:
    def __init__(self, command: list[str] | None = None, cwd: str | None = None):
        command = command or [sys.executable, "-m", "wiring", "lsp"]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, cwd=cwd)
        self.messages: queue.Queue = queue.Queue()
        self.next_id = 0
        self.notifications: list[dict] = []
        self.versions: dict[str, int] = {}
        self.errors: list[bytes] = []   # what the server wrote on stderr, read as it comes so
        # that a chatty server never blocks on a full pipe
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=lambda: self.errors.extend(self.process.stderr),
                         daemon=True).start()

    @property
    def stderr(self) -> str:
        return b"".join(self.errors).decode("utf-8", "replace")

    # --------------------------------------------------------------------------- framing
    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.messages.put(None)
                    return
                if not line.strip():
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            self.messages.put(json.loads(stream.read(length)))

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _next(self, deadline: float) -> dict:
        message = self.messages.get(timeout=max(deadline - time.monotonic(), 0.001))
        if message is None:
            self.process.wait(timeout=10)
            raise ConnectionError("the server ended: " + self.stderr)
        return message

    # ------------------------------------------------------------------------ messages
    def request(self, method: str, params: dict | None, timeout: float = 20) -> dict:
        """The response to a request: its `result`, or a dict with `error`."""
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while True:
            message = self._next(deadline)
            if message.get("id") == self.next_id and "method" not in message:
                return {"error": message["error"]} if "error" in message else \
                    {"result": message.get("result")}
            if "method" in message and "id" in message:   # a request from the server
                self.send({"id": message["id"], "result": None})
            elif "method" in message:
                self.notifications.append(message)

    def notify(self, method: str, params: dict) -> None:
        self.send({"method": method, "params": params})

    def wait_for(self, method: str, uri: str | None = None, timeout: float = 20) -> dict:
        """The next notification `method` (about `uri`), waiting for it."""
        deadline = time.monotonic() + timeout
        while True:
            for i, message in enumerate(self.notifications):
                if message["method"] == method and \
                        (uri is None or message["params"].get("uri") == uri):
                    return self.notifications.pop(i)["params"]
            message = self._next(deadline)
            if "method" in message and "id" in message:
                self.send({"id": message["id"], "result": None})
            elif "method" in message:
                self.notifications.append(message)

    # ------------------------------------------------------------------------ sessions
    def initialize(self, root: str | None = None) -> dict:
        result = self.request("initialize", {
            "processId": None, "rootUri": Path(root).resolve().as_uri() if root else None,
            "capabilities": {}})
        self.notify("initialized", {})
        return result["result"]

    def open(self, path: str | Path, text: str | None = None) -> str:
        path = Path(path).resolve()
        uri = path.as_uri()
        self.versions[uri] = 1
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "wiring", "version": 1,
            "text": path.read_text(encoding="utf-8") if text is None else text}})
        return uri

    def change(self, uri: str, text: str) -> None:
        self.versions[uri] += 1
        self.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": self.versions[uri]},
            "contentChanges": [{"text": text}]})

    def at(self, method: str, uri: str, line: int, character: int, **more) -> dict:
        """A request about a place (line and character from 0)."""
        return self.request(method, {"textDocument": {"uri": uri},
                                     "position": {"line": line, "character": character},
                                     **more})

    def close(self) -> int:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", {})
            return self.process.wait(timeout=10)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                stream.close()
