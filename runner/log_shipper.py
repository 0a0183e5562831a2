"""Ships a bot's console lines to the control room while it runs. Lines carry a sequence number and
stay buffered until delivered, so an unreachable control room delays them but loses none, and a
re-sent batch adds nothing twice."""
from __future__ import annotations

import logging
import threading

from runner.client import ControlRoomClient, ControlRoomRefused

log = logging.getLogger(__name__)
BATCH = 500


class LogShipper:
    def __init__(self, client: ControlRoomClient, step_run_id: int, interval: float = 0.3) -> None:
        self._client, self._step_run_id, self._interval = client, step_run_id, interval
        self._pending: list[dict] = []
        self._seq = 0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"logs-{step_run_id}", daemon=True)
        self._thread.start()

    def add(self, line: str) -> None:
        with self._lock:
            self._pending.append({"seq": self._seq, "line": line})
            self._seq += 1
        self._wake.set()

    def close(self, stop: threading.Event) -> None:
        """Deliver everything left, however long the control room is away (until the runner stops)."""
        self._closed.set()
        self._wake.set()
        while self._thread.is_alive() and not stop.is_set():
            self._thread.join(timeout=1)

    def _ship_once(self) -> bool:
        with self._lock:
            batch = self._pending[:BATCH]
        if not batch:
            return True
        try:
            self._client.send_logs(self._step_run_id, batch)
        except ControlRoomRefused as exc:
            log.error("control room refused log lines of step run %s: %s", self._step_run_id, exc)
        except ConnectionError:
            return False
        with self._lock:
            del self._pending[:len(batch)]
        return True

    def _loop(self) -> None:
        delay = self._interval
        while True:
            self._wake.wait(delay)
            self._wake.clear()
            delivered = self._ship_once()
            delay = self._interval if delivered else min(delay * 2, 30.0)
            with self._lock:
                empty = not self._pending
            if self._closed.is_set() and empty:
                return
