"""A small HTTP server on 127.0.0.1 that records the raw requests it receives.

Used where a request must really cross a socket: passthrough mode, and checks that what the
server received equals what botowire captured.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    """One request as the server read it off the socket."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class RecordingServer:
    """Answers every request with ``status``/``body``/``headers`` and records it."""

    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(
        default_factory=lambda: {"Content-Type": "application/x-amz-json-1.0"}
    )
    received: list[Received] = field(default_factory=list)
    _server: Any = None
    _thread: Any = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> RecordingServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = self.headers.get("Content-Length")
                if length is not None:
                    data = self.rfile.read(int(length))
                elif self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    data = self._read_chunked()
                else:
                    data = b""
                owner.received.append(
                    Received(self.command, self.path, dict(self.headers.items()), data)
                )
                self.send_response(owner.status)
                for name, value in owner.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(owner.body)))
                self.end_headers()
                self.wfile.write(owner.body)

            def _read_chunked(self) -> bytes:
                # Keep the chunked framing out: record the payload bytes as sent inside it.
                out = b""
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return out
                    out += self.rfile.read(size)
                    self.rfile.readline()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

            def log_message(self, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
