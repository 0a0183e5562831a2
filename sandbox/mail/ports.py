"""Free TCP ports on loopback for servers started without a fixed port."""
from __future__ import annotations

import socket


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (another process may still take it before we do)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]
