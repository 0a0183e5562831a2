"""Serving the control room with gunicorn, plus the lease sweeper in the master process."""
from __future__ import annotations

from gunicorn.app.base import BaseApplication

from control_room.config import Settings


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
    from control_room.leases import Sweeper

    app = create_app(settings)  # fail fast (wrong master key, schema behind) before forking
    sweeper = Sweeper(app.extensions["arfleet"].sessions)

    options = {
        "bind": f"{host}:{port}", "workers": workers, "threads": threads, "worker_class": "gthread",
        "timeout": 120, "graceful_timeout": 20, "accesslog": "-",
        "when_ready": lambda _arbiter: sweeper.start(),
        "on_exit": lambda _arbiter: sweeper.stop(),
    }
    _Gunicorn(settings, options).run()
