"""Serve a WSGI app on a free loopback port in a background thread, as tests' live server."""
from __future__ import annotations

import socket
import threading
from dataclasses import dataclass

from werkzeug.serving import BaseWSGIServer, make_server


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    server: BaseWSGIServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


def serve(app, port: int | None = None) -> LiveServer:
    """Start ``app`` (threaded) and return once it accepts connections."""
    server = make_server("127.0.0.1", port or 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return LiveServer(server, thread)
