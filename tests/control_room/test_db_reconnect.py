"""A control room keeps working after PostgreSQL restarts: pooled connections that sat idle are checked
before use and replaced when the server has gone away."""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from control_room.storage import engine as db
from tests.support.postgres import Cluster, find_bindir

pytestmark = pytest.mark.postgres


@pytest.fixture
def cluster():
    bindir = find_bindir()
    if bindir is None:
        pytest.fail("PostgreSQL binaries (initdb, pg_ctl) not found")
    own = Cluster(bindir)
    own.url = own.start()
    yield own
    own.stop()


def _select_one(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT 1")).scalar_one()


@pytest.mark.parametrize("pool", ["sessions", "one-statement calls (autocommit)"])
def test_an_idle_pooled_connection_is_replaced_after_a_database_restart(cluster, monkeypatch, pool):
    engine = db.make_engine(cluster.url)
    if pool != "sessions":
        engine = db.autocommit_twin(engine)
    assert _select_one(engine) == 1  # one connection now waits in the pool
    cluster.restart()
    monkeypatch.setattr(db, "IDLE_BEFORE_PING_S", 0.0)  # as if it had been idle for a while
    assert _select_one(engine) == 1
    engine.dispose()


def test_without_the_check_the_stale_connection_would_fail(cluster, monkeypatch):
    engine = db.make_engine(cluster.url)
    assert _select_one(engine) == 1
    cluster.restart()
    monkeypatch.setattr(db, "IDLE_BEFORE_PING_S", 3600.0)  # just used: not checked
    with pytest.raises(OperationalError):
        _select_one(engine)
    assert _select_one(engine) == 1  # the pool was invalidated on the error: the next one is fresh
    engine.dispose()
