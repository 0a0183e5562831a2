"""The runner's HTTP client for the control room. Transient failures (connection refused, 5xx, 429)
are retried with capped exponential back-off, so a control-room restart costs a delay, not a run."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

log = logging.getLogger(__name__)
TRANSIENT = (requests.ConnectionError, requests.Timeout)


class ControlRoomUnreachable(ConnectionError):
    """The request did not go through: no answer (`status` None) or a server error that outlived the retries."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ControlRoomRefused(RuntimeError):
    """The control room answered with a 4xx: retrying will not help."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status


def _message(response: requests.Response) -> str:
    try:
        return response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return response.text[:300]


class ControlRoomClient:
    def __init__(self, url: str, credential: str | None = None, stop: threading.Event | None = None,
                 max_backoff: float = 30.0, request_timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self._credential = credential
        self._stop = stop or threading.Event()
        self._max_backoff, self._timeout = max_backoff, request_timeout
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"ControlRoomClient(url={self.url!r})"

    def with_credential(self, credential: str) -> ControlRoomClient:
        return ControlRoomClient(self.url, credential, self._stop, self._max_backoff, self._timeout)

    @property
    def _session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session

    def request(self, method: str, path: str, *, retry_for: float | None = None, **kwargs) -> requests.Response:
        """Send, retrying transient failures for `retry_for` seconds (None: until the runner stops)."""
        headers = kwargs.pop("headers", {})
        if self._credential:
            headers["Authorization"] = f"Bearer {self._credential}"
        deadline = None if retry_for is None else time.monotonic() + retry_for
        delay = 0.5
        status: int | None = None
        while True:
            try:
                response = self._session.request(method, self.url + path, headers=headers, timeout=self._timeout,
                                                 **kwargs)
                if response.status_code < 500 and response.status_code != 429:
                    if response.status_code >= 400:
                        raise ControlRoomRefused(response.status_code, _message(response))
                    return response
                problem, status = f"HTTP {response.status_code}", response.status_code
            except TRANSIENT as exc:
                problem, status = type(exc).__name__, None
            if self._stop.is_set() or (deadline is not None and time.monotonic() + delay > deadline):
                raise ControlRoomUnreachable(f"control room unreachable at {self.url} ({problem})", status)
            log.warning("control room %s %s failed (%s); retrying in %.1fs", method, path, problem, delay)
            self._stop.wait(delay)
            delay = min(delay * 2, self._max_backoff)

    def post_json(self, path: str, body: dict[str, Any], **kwargs) -> requests.Response:
        return self.request("POST", path, json=body, **kwargs)

    # --- the runner API ------------------------------------------------------------------------------
    def register(self, token: str, name: str, labels: list[str], capacity: int) -> dict[str, Any]:
        return self.post_json("/api/v1/runners/register", {"token": token, "name": name, "labels": labels,
                                                           "capacity": capacity}, retry_for=120).json()

    def heartbeat(self) -> list[int]:
        return self.post_json("/api/v1/runners/heartbeat", {}, retry_for=0).json()["stop"]

    def next_assignment(self, wait_seconds: float) -> dict[str, Any] | None:
        response = self.post_json("/api/v1/runners/assignments", {"wait_seconds": wait_seconds}, retry_for=0)
        return None if response.status_code == 204 else response.json()

    def send_logs(self, step_run_id: int, lines: list[dict[str, Any]]) -> None:
        self.post_json(f"/api/v1/step-runs/{step_run_id}/logs", {"lines": lines}, retry_for=0)

    def upload_artifact(self, step_run_id: int, path: Path, name: str) -> None:
        def send() -> requests.Response:
            with path.open("rb") as stream:
                return self.request("POST", f"/api/v1/step-runs/{step_run_id}/artifacts", retry_for=0,
                                    files={"file": (name, stream)})
        retry_until_delivered(send, self._stop)

    def finish(self, step_run_id: int, exit_code: int, log_lines_lost: int = 0) -> dict[str, Any]:
        return self.post_json(f"/api/v1/step-runs/{step_run_id}/finish",
                              {"exit_code": exit_code, "log_lines_lost": log_lines_lost}).json()


def retry_until_delivered(send: Callable[[], requests.Response], stop: threading.Event,
                          max_backoff: float = 30.0) -> requests.Response:
    """For uploads whose body must be re-opened on every try."""
    delay = 0.5
    while True:
        try:
            return send()
        except ConnectionError:
            if stop.is_set():
                raise
            stop.wait(delay)
            delay = min(delay * 2, max_backoff)
