"""The arfleet control room: a Flask app serving the robot API, the native API and the web UI."""
from __future__ import annotations

from flask import Flask

from control_room.clock import SYSTEM_CLOCK, Clock
from control_room.config import Settings


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> Flask:
    """Build the app. Nothing connects at import; the master key is checked here, so a wrong key
    fails at start with a clear message. `clock` (default: the wall clock) is the time every decision
    of this app reads; tests pass a `clock.MovableClock`."""
    from control_room import context, ui
    from control_room.api import errors, files, native, robot, robot_queue, runners
    from control_room.storage import migrate
    from control_room.storage.engine import make_engine, make_session_factory
    from control_room.storage.files import FileStore
    from control_room.storage.signed_urls import UrlSigner
    from control_room.vault.store import Vault
    from credentials import master_key

    settings = settings or Settings.from_env()
    settings.home.mkdir(parents=True, exist_ok=True)
    key = master_key.load_or_create(settings.master_key, settings.resolved_master_key_file)
    engine = make_engine(settings.resolved_database_url)
    migrate.require_current(engine)
    file_store = FileStore(settings.files_dir)
    clock = clock or SYSTEM_CLOCK
    sessions = make_session_factory(engine, file_store, clock)
    vault = Vault(key)
    with sessions.begin() as session:
        vault.check_master_key(session)

    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # (DefaultJSONProvider) payloads show "Bâti-Ouest", not "B\u00e2ti-Ouest"
    app.config.update(
        SECRET_KEY=context.derive_key(key, "flask-session"),
        MAX_CONTENT_LENGTH=settings.max_file_bytes + 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.extensions["arfleet"] = context.Services(
        settings=settings, engine=engine, sessions=sessions, vault=vault,
        files=file_store,
        signer=UrlSigner(context.derive_key(key, "signed-urls"), settings.signed_url_seconds), clock=clock,
    )
    app.teardown_appcontext(context.close_db)
    errors.init_app(app)
    app.register_blueprint(robot.bp)
    app.register_blueprint(files.bp)
    app.register_blueprint(native.bp)
    app.register_blueprint(runners.bp)
    ui.init_app(app)

    app.wsgi_app = robot_queue.RobotQueueFront(app.wsgi_app, app.extensions["arfleet"])  # type: ignore[method-assign]

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app
