"""The `arfleet` command as an operator uses it: in-process through click's CliRunner (what the operator
sees on stdout and stderr, and the exit code), plus one smoke test of the real `python -m control_room.cli`."""
import json
import os
import subprocess
import sys

import psycopg
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from control_room.cli import main
from control_room.queue.models import WorkItem
from tests.support.seeds import ADMIN, declare


def _postgres_clients(database_url: str) -> int:
    """Client connections open on the test's PostgreSQL database (0 on SQLite)."""
    if not database_url.startswith("postgresql"):
        return 0
    with psycopg.connect(database_url) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()").fetchone()[0]


@pytest.fixture
def arfleet(monkeypatch):
    """``arfleet(settings, *args, stdin="")``: the command in-process with ``settings`` in the environment.
    Every engine it made must be disposed when it returns: no connection is left open on the database."""
    from control_room.storage import engine as engines

    made, make_engine = [], engines.make_engine

    def recorded(url: str):
        made.append(make_engine(url))
        return made[-1]

    monkeypatch.setattr(engines, "make_engine", recorded)

    def run(settings, *args: str, stdin: str = "") -> Result:
        env = {"ARFLEET_HOME": str(settings.home), "ARFLEET_DATABASE_URL": settings.database_url,
               "ARFLEET_MASTER_KEY": settings.master_key}
        made.clear()
        before = _postgres_clients(settings.database_url)
        result = CliRunner().invoke(main, list(args), input=stdin, env=env, catch_exceptions=False)
        assert [e.pool.checkedin() + e.pool.checkedout() for e in made] == [0] * len(made), \
            f"arfleet {' '.join(args)} left a connection open"
        assert _postgres_clients(settings.database_url) <= before
        return result

    return run


def test_items_add_list_and_duplicate(arfleet, app, sessions, settings, tmp_path):
    declare(sessions, "invoices")
    pdf = tmp_path / "F-1.pdf"
    pdf.write_bytes(b"%PDF-1.4 invoice")
    added = arfleet(settings, "items", "add", "invoices", "--payload", '{"invoice": "F-1"}', "--file", str(pdf),
                    "--reference", "F-1")
    assert added.exit_code == 0, added.stderr
    item_id = int(added.stdout.strip())
    dup = arfleet(settings, "items", "add", "invoices", "--reference", "F-1")
    assert dup.exit_code == 3
    assert dup.stdout.strip() == str(item_id) and "already has an item with reference 'F-1'" in dup.stderr
    listed = arfleet(settings, "items", "list", "--process", "invoices")
    assert listed.exit_code == 0, listed.stderr
    assert listed.stdout.split("\n")[0].split("\t")[:4] == [str(item_id), "invoices.collect", "new", "F-1"]
    with sessions() as session:
        item = session.scalar(select(WorkItem))
        assert item.payload == {"invoice": "F-1"} and [f.name for f in item.files] == ["F-1.pdf"]
    bad = arfleet(settings, "items", "add", "invoices", "--payload", "{oops")
    assert bad.exit_code == 1 and "--payload is not JSON" in bad.stderr
    unknown = arfleet(settings, "items", "list", "--process", "nope")
    assert unknown.exit_code == 1 and unknown.stderr.startswith("Error: ")


def test_users_and_secrets_from_stdin(arfleet, app, sessions, settings):
    created = arfleet(settings, "users", "create", "claire", "--role", "handler", stdin="a long enough password\n")
    assert created.exit_code == 0, created.stderr
    assert created.stdout == "created user claire (handler)\n"
    short = arfleet(settings, "users", "create", "bob", "--role", "ops", stdin="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.stderr
    bad_role = arfleet(settings, "users", "create", "eve", "--role", "god", stdin="whatever-long-enough\n")
    assert bad_role.exit_code == 2 and "Invalid value for '--role'" in bad_role.stderr
    stored = arfleet(settings, "secrets", "set", "erp", "--process", "collect",
                     stdin=json.dumps({"login": "clerk", "password": "TopSecret-123"}))
    assert stored.exit_code == 0, stored.stderr
    assert stored.stdout == "secret erp stored (version 1, readable by collect)\n"
    assert "TopSecret" not in stored.stdout + stored.stderr
    not_json = arfleet(settings, "secrets", "set", "erp", "--process", "collect", stdin="password=x")
    assert not_json.exit_code == 1 and "not JSON" in not_json.stderr
    vault = app.extensions["arfleet"].vault
    with sessions.begin() as session:
        assert vault.read(session, "erp", "collect", ADMIN)["password"] == "TopSecret-123"
    verified = arfleet(settings, "audit", "verify")
    assert verified.exit_code == 0 and "intact" in verified.stdout


def test_every_command_has_help(arfleet, settings):
    for command in (["--help"], ["items", "add", "--help"], ["secrets", "set", "--help"], ["db", "upgrade", "--help"],
                    ["users", "create", "--help"], ["audit", "verify", "--help"], ["serve", "--help"], ["up", "--help"],
                    ["runner", "-h"], ["sandbox", "--help"]):
        result = arfleet(settings, *command)
        assert result.exit_code == 0 and "Usage:" in result.stdout, command


def test_a_database_behind_the_code_is_refused_with_advice(arfleet, tmp_path):
    import base64

    from control_room.config import Settings

    settings = Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path}/new.db",
                        master_key=base64.b64encode(os.urandom(32)).decode())
    result = arfleet(settings, "items", "list")
    assert result.exit_code == 1 and "arfleet db upgrade" in result.stderr


def test_python_m_control_room_cli_upgrades_and_creates_a_user(settings):
    """The real command in its own process: the `-m` entry point, the environment, standard input."""
    env = {**os.environ, "ARFLEET_HOME": str(settings.home), "ARFLEET_DATABASE_URL": settings.database_url,
           "ARFLEET_MASTER_KEY": settings.master_key}

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "control_room.cli", *args], input=stdin, env=env, check=False,
                              capture_output=True, text=True, timeout=60)

    upgraded = run("db", "upgrade")
    assert upgraded.returncode == 0 and upgraded.stdout.startswith("database is at revision "), upgraded.stderr
    created = run("users", "create", "claire", "--role", "admin", stdin="a long enough password\n")
    assert created.returncode == 0 and created.stdout == "created user claire (admin)\n", created.stderr
    again = run("users", "create", "claire", "--role", "admin", stdin="a long enough password\n")
    assert again.returncode == 1 and again.stderr.startswith("Error: ")
