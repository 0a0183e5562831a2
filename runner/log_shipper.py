"""Ships a bot's console lines to the control room while it runs. Lines carry a sequence number and
stay buffered until delivered, so an unreachable control room delays them but loses none, and a
re-sent batch adds nothing twice.

Nothing is lost in silence: a line longer than MAX_LINE_CHARS is cut and says so; batches are sized to
fit the control room's body limit (MAX_BATCH_CHARS), and a batch it still refuses as too large is split;
lines it refuses for any other reason, or keeps failing on (a server error, five times over, even alone),
are counted (`lost`), marked in the console with the reason, and reported with the run's end, which the
control room shows as a warning on the run. Only an unreachable control room is waited for."""
from __future__ import annotations

import logging
import threading
from typing import Any

from runner.client import ControlRoomClient, ControlRoomRefused, ControlRoomUnreachable

log = logging.getLogger(__name__)
BATCH = 500  # lines per request at most
MAX_BATCH_CHARS = 256 * 1024  # well inside the control room's 1 MB body limit, escapes included
MAX_LINE_CHARS = 8000  # the control room keeps at most 10,000 characters of a line
MAX_SERVER_ERRORS = 5  # a batch the control room fails on this many times in a row is split, then given up


def cut(line: str, limit: int = MAX_LINE_CHARS) -> str:
    """The line, or its first `limit` characters and a mark saying how much was cut."""
    if len(line) <= limit:
        return line
    return f"{line[:limit]} […cut: {len(line) - limit} more characters]"


def next_batch(lines: list[dict[str, Any]], max_lines: int, max_chars: int) -> list[dict[str, Any]]:
    """The longest head of `lines` within both limits (at least one line)."""
    size, count = 0, 0
    for entry in lines[:max_lines]:
        size += len(entry["line"]) + 32  # the JSON around a line
        if count and size > max_chars:
            break
        count += 1
    return lines[:count]


class LogShipper:
    def __init__(self, client: ControlRoomClient, step_run_id: int, interval: float = 0.3) -> None:
        self._client, self._step_run_id, self._interval = client, step_run_id, interval
        self._pending: list[dict[str, Any]] = []
        self._seq = 0
        self._max_lines = BATCH
        self._server_errors = 0
        self.lost = 0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"logs-{step_run_id}", daemon=True)
        self._thread.start()

    def add(self, line: str) -> None:
        with self._lock:
            self._pending.append({"seq": self._seq, "line": cut(line)})
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
            batch = next_batch(self._pending, self._max_lines, MAX_BATCH_CHARS)
        if not batch:
            return True
        try:
            self._client.send_logs(self._step_run_id, [{"seq": e["seq"], "line": e["line"]} for e in batch])
        except ControlRoomRefused as exc:
            if exc.status == 413 and len(batch) > 1:
                self._max_lines = max(1, len(batch) // 2)  # too large after all: smaller batches
                return True
            self._lose(batch, str(exc))
            return True
        except ControlRoomUnreachable as exc:
            if exc.status is None or exc.status == 429:
                return False  # the control room is away: keep the lines until it is back
            self._server_errors += 1  # it answers, but fails on these lines: never retry them for ever
            if self._server_errors < MAX_SERVER_ERRORS:
                return False
            self._server_errors = 0
            if len(batch) > 1:
                self._max_lines = max(1, len(batch) // 2)  # find the line it cannot take
            else:
                self._lose(batch, str(exc))
            return True
        self._server_errors = 0
        with self._lock:
            del self._pending[:len(batch)]
        return True

    def _lose(self, batch: list[dict[str, Any]], reason: str) -> None:
        """The control room will never take these lines: count them, and put a mark in their place (under
        the last one's number, so the console keeps its order) unless what was refused is such a mark."""
        log.error("control room refused %d log line(s) of step run %s: %s", len(batch), self._step_run_id, reason)
        marks_only = all(entry.get("mark") for entry in batch)
        with self._lock:
            del self._pending[:len(batch)]
            if not marks_only:
                lost = sum(1 for entry in batch if not entry.get("mark"))
                self.lost += lost
                self._pending.insert(0, {"seq": batch[-1]["seq"], "mark": True,
                                         "line": cut(f"[runner] {lost} log line(s) lost: {reason}")})

    def _loop(self) -> None:
        delay = self._interval
        while True:
            self._wake.wait(delay)
            self._wake.clear()
            delivered = self._ship_once()
            delay = 0 if delivered and self._pending else self._interval if delivered else min(delay * 2, 30.0)
            with self._lock:
                empty = not self._pending
            if self._closed.is_set() and empty:
                return
