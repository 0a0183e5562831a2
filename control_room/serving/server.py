"""Serving the control room with gunicorn; the scheduler and the lease sweeper run in its master
process (one of each per control-room machine; several machines coordinate through the database)."""
from __future__ import annotations

from typing import Protocol

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from control_room.api.robot_queue import ROUTE as PER_ITEM_CALL
from control_room.config import Settings


class AccessLog(Logger):
    """gunicorn's access log without the successful reserve/release calls: a bot makes two per work
    item, each already in the audit log with its run, and hundreds of lines a second would bury the
    requests people need to see. Refused or failed calls are still logged."""

    def access(self, resp, req, environ, request_time) -> None:
        if (resp.status_code or 500) < 400 and PER_ITEM_CALL.fullmatch(environ.get("PATH_INFO", "")):
            return
        super().access(resp, req, environ, request_time)


class _BackgroundService(Protocol):
    """What the master process runs beside gunicorn: the lease sweeper, the audit sealer, the scheduler."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Settings, options: dict) -> None:
        self._settings, self._options = settings, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        from control_room import create_app

        return create_app(self._settings)


def serve(settings: Settings, host: str, port: int, workers: int, threads: int) -> None:
    from control_room import create_app
    from control_room.audit import Sealer
    from control_room.fleet.scheduler import FleetScheduler
    from control_room.queue.leases import Sweeper

    app = create_app(settings)  # fail fast (wrong master key, schema behind) before forking
    sessions = app.extensions["arfleet"].sessions
    background: list[_BackgroundService] = [Sweeper(sessions), Sealer(sessions), FleetScheduler(sessions)]

    def when_ready(_arbiter) -> None:
        for job in background:
            job.start()

    def on_exit(_arbiter) -> None:
        for job in reversed(background):
            job.stop()

    options = {
        "bind": f"{host}:{port}", "workers": workers, "threads": threads, "worker_class": "gthread",
        "timeout": 120, "graceful_timeout": 20, "accesslog": "-", "logger_class": AccessLog,
        "when_ready": when_ready, "on_exit": on_exit,
        # workers build their own app; the master's pooled connections must not be shared across fork
        "post_fork": lambda _server, _worker: app.extensions["arfleet"].engine.dispose(close=False),
    }
    _Gunicorn(settings, options).run()
