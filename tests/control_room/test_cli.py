"""The `arfleet` command as an operator uses it."""
import json
import os
import subprocess
import sys

from sqlalchemy import select

from control_room.models import WorkItem
from tests.control_room.fleet import declare


def arfleet(settings, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "ARFLEET_HOME": str(settings.home), "ARFLEET_DATABASE_URL": settings.database_url,
           "ARFLEET_MASTER_KEY": settings.master_key}
    return subprocess.run([sys.executable, "-m", "control_room.cli", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=60)


def test_items_add_list_and_duplicate(app, sessions, settings, tmp_path):
    declare(sessions, "invoices")
    pdf = tmp_path / "F-1.pdf"
    pdf.write_bytes(b"%PDF-1.4 invoice")
    added = arfleet(settings, "items", "add", "invoices", "--payload", '{"invoice": "F-1"}', "--file", str(pdf),
                    "--reference", "F-1")
    assert added.returncode == 0, added.stderr
    item_id = int(added.stdout.strip())
    dup = arfleet(settings, "items", "add", "invoices", "--reference", "F-1")
    assert dup.returncode == 3
    assert dup.stdout.strip() == str(item_id) and "already has an item with reference 'F-1'" in dup.stderr
    listed = arfleet(settings, "items", "list", "--process", "invoices")
    assert listed.stdout.split("\n")[0].split("\t")[:4] == [str(item_id), "invoices.collect", "new", "F-1"]
    with sessions() as session:
        item = session.scalar(select(WorkItem))
        assert item.payload == {"invoice": "F-1"} and [f.name for f in item.files] == ["F-1.pdf"]
    bad = arfleet(settings, "items", "add", "invoices", "--payload", "{oops")
    assert bad.returncode == 1 and "--payload is not JSON" in bad.stderr


def test_users_and_secrets_from_stdin(app, sessions, settings):
    created = arfleet(settings, "users", "create", "claire", "--role", "handler", stdin="a long enough password\n")
    assert created.returncode == 0, created.stderr
    short = arfleet(settings, "users", "create", "bob", "--role", "ops", stdin="short\n")
    assert short.returncode == 1 and "at least 10 characters" in short.stderr
    bad_role = arfleet(settings, "users", "create", "eve", "--role", "god", stdin="whatever-long-enough\n")
    assert bad_role.returncode == 2
    stored = arfleet(settings, "secrets", "set", "erp", "--process", "collect",
                     stdin=json.dumps({"login": "clerk", "password": "TopSecret-123"}))
    assert stored.returncode == 0 and "TopSecret" not in stored.stdout + stored.stderr
    not_json = arfleet(settings, "secrets", "set", "erp", "--process", "collect", stdin="password=x")
    assert not_json.returncode == 1 and "not JSON" in not_json.stderr
    vault = app.extensions["arfleet"].vault
    from tests.control_room.fleet import ADMIN

    with sessions.begin() as session:
        assert vault.read(session, "erp", "collect", ADMIN)["password"] == "TopSecret-123"
    verified = arfleet(settings, "audit", "verify")
    assert verified.returncode == 0 and "intact" in verified.stdout


def test_every_command_has_help(settings):
    for command in (["--help"], ["items", "add", "--help"], ["secrets", "set", "--help"], ["db", "upgrade", "--help"],
                    ["users", "create", "--help"], ["audit", "verify", "--help"], ["serve", "--help"], ["up", "--help"]):
        result = arfleet(settings, *command)
        assert result.returncode == 0 and "Usage:" in result.stdout


def test_a_database_behind_the_code_is_refused_with_advice(tmp_path):
    import base64

    from control_room.config import Settings

    settings = Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path}/new.db",
                        master_key=base64.b64encode(os.urandom(32)).decode())
    result = arfleet(settings, "items", "list")
    assert result.returncode == 1 and "arfleet db upgrade" in result.stderr
