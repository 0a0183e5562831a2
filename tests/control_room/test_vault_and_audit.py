"""The vault (encryption at rest, scopes, rotation, wrong key) and the audit chain."""
import base64
import os

import pytest
from sqlalchemy import select, text

from control_room.audit import SensitiveDetail, record, seal_all, verify_chain
from control_room.audit.actors import Actor
from control_room.audit.log import _write_pending_events
from control_room.audit.models import AuditEvent
from control_room.vault.models import SecretVersion
from control_room.vault.store import SecretOutOfScope
from credentials.master_key import MasterKeyError
from tests.support.seeds import ADMIN

RUN = Actor.run(7)


def test_secret_is_encrypted_at_rest_scoped_and_rotated(app, sessions):
    vault = app.extensions["arfleet"].vault
    with sessions.begin() as session:
        vault.set(session, "erp", {"login": "clerk", "password": "Hunter2-very-secret"}, ADMIN, processes=["collect"])
    with sessions() as session:
        raw = b"".join(v.ciphertext for v in session.scalars(select(SecretVersion)))
    assert b"Hunter2" not in raw and b"clerk" not in raw
    with sessions.begin() as session:
        values = vault.read(session, "erp", "collect", RUN, run_id=7)
        assert values["password"] == "Hunter2-very-secret"
        assert "Hunter2" not in repr(values) and "Hunter2" not in str(values)
    with sessions.begin() as session:
        with pytest.raises(SecretOutOfScope):
            vault.read(session, "erp", "dunning", RUN, run_id=7)
    with sessions.begin() as session:
        assert vault.set(session, "erp", {"login": "clerk", "password": "rotated-2"}, ADMIN) == 2
    with sessions.begin() as session:
        assert vault.read(session, "erp", "collect", RUN)["password"] == "rotated-2"
        assert len(session.scalars(select(SecretVersion)).all()) == 2  # previous version kept
        vault.prune(session, "erp", ADMIN)
        assert [v.version for v in session.scalars(select(SecretVersion))] == [2]
    with sessions() as session:
        actions = [e.action for e in session.scalars(select(AuditEvent).where(AuditEvent.object_type == "secret"))]
        assert actions == ["secret.created", "secret.read", "secret.read_refused", "secret.rotated", "secret.read",
                           "secret.pruned"]
        assert not any("Hunter2" in str(e.details) or "rotated-2" in str(e.details)
                       for e in session.scalars(select(AuditEvent)))


def test_wrong_master_key_fails_at_start_with_a_clear_error(app, settings):
    from control_room import create_app

    other = base64.b64encode(os.urandom(32)).decode()
    with pytest.raises(MasterKeyError, match="does not match this database"):
        create_app(settings.__class__(home=settings.home, database_url=settings.database_url, master_key=other))


def test_master_key_file_is_created_private(tmp_path):
    from credentials.master_key import load_or_create

    key_file = tmp_path / "keys" / "master.key"
    key = load_or_create(None, key_file)
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert load_or_create(None, key_file) == key
    with pytest.raises(MasterKeyError, match="32 bytes"):
        load_or_create(base64.b64encode(b"short").decode(), key_file)


def test_audit_refuses_secret_details(sessions):
    with sessions.begin() as session:
        with pytest.raises(SensitiveDetail):
            record(session, ADMIN, "x", "secret", "s", {"password": "nope"})


def _tamper(sessions, statement: str) -> None:
    """What a DBA with direct access could do: bypass the append-only triggers and edit a row."""
    with sessions.begin() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SET LOCAL session_replication_role = replica"))
            session.execute(text(statement))
        else:
            session.execute(text("DROP TRIGGER audit_events_no_update"))
            session.execute(text("DROP TRIGGER audit_events_no_delete"))
            session.execute(text(statement))


def test_database_refuses_update_and_delete_on_the_audit_log(sessions):
    with sessions.begin() as session:
        record(session, ADMIN, "user.created", "user", "u1", {"role": "ops"})
    # not yet sealed: still only the sealing may touch it
    unsealed_edits = ("UPDATE audit_events SET action = 'x'", "UPDATE audit_events SET details = '{}'",
                      "UPDATE audit_events SET action = 'x', seq = 1, hash = 'h'", "DELETE FROM audit_events")
    for statement in unsealed_edits:
        with pytest.raises(Exception, match="append-only"):
            with sessions.begin() as session:
                session.execute(text(statement))
    with sessions.begin() as session:
        assert seal_all(session) == 1
    for statement in ("UPDATE audit_events SET action = 'x'", "UPDATE audit_events SET seq = 9, hash = 'h'",
                      "DELETE FROM audit_events"):
        with pytest.raises(Exception, match="append-only"):
            with sessions.begin() as session:
                session.execute(text(statement))
    with sessions() as session:
        [event] = session.scalars(select(AuditEvent)).all()
        assert (event.action, event.seq) == ("user.created", 1) and len(event.hash) == 64


def test_events_are_sealed_in_one_chain_whatever_order_they_commit_in(sessions):
    first = sessions()
    if first.get_bind().dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers: events commit in id order")
    record(first, ADMIN, "item.created", "work_item", 1, {})
    _write_pending_events(first)  # written (lower id) but not committed yet
    with sessions.begin() as session:
        record(session, ADMIN, "item.created", "work_item", 2, {})
    with sessions.begin() as session:
        assert seal_all(session) == 1  # only what has committed
    first.commit()
    first.close()
    with sessions.begin() as session:
        verdict = verify_chain(session)
        chain = session.execute(select(AuditEvent.id, AuditEvent.object_id).order_by(AuditEvent.seq)).all()
    assert verdict.ok and verdict.events_checked == 2
    assert [o for _, o in chain] == ["2", "1"] and chain[0].id > chain[1].id


def test_edited_audit_row_is_caught_by_arfleet_audit_verify(sessions, settings):
    with sessions.begin() as session:
        for n in range(5):
            record(session, ADMIN, "item.created", "work_item", n, {"n": n})
    from click.testing import CliRunner

    from control_room.cli import main

    def verify():  # in-process; the command disposes its engine, so no connection outlives the call
        return CliRunner().invoke(main, ["audit", "verify"], catch_exceptions=False, env={
            "ARFLEET_HOME": str(settings.home), "ARFLEET_DATABASE_URL": settings.database_url})

    ok = verify()
    assert ok.exit_code == 0 and ok.stdout == "audit log intact: 5 events verified\n"
    with sessions() as session:
        third = session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()[2]
    _tamper(sessions, f"UPDATE audit_events SET details = '{{\"n\": 99}}' WHERE id = {third}")
    broken = verify()
    assert broken.exit_code == 1
    assert f"event {third}" in broken.stderr and "altered" in broken.stderr


def test_removed_audit_row_is_caught(sessions):
    with sessions.begin() as session:
        for n in range(4):
            record(session, ADMIN, "item.created", "work_item", n, {})
    with sessions() as session:
        ids = session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    with sessions.begin() as session:
        seal_all(session)  # as the control room's sealer does within a second
    _tamper(sessions, f"DELETE FROM audit_events WHERE id = {ids[1]}")
    with sessions() as session:
        verdict = verify_chain(session)
    assert not verdict.ok and verdict.first_bad_event_id == ids[2] and "removed" in verdict.reason
