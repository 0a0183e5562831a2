"""The whole product at work: the sandbox (ERP, supplier portals A and B, Chorus Pro, the mailbox)
started as `arfleet up` starts it, a live control room with schedules.yaml applied and the
sandbox's demo accounts in its vault, and real `arfleet runner` subprocesses running the real
bots with Debian's Chromium (the helpers are in tests/support/distribution.py).

The sandbox is shared by the e2e tests (it takes seconds to start); each test adds its own batch
of invoices to the ERP, issued on a day of its own (``World.batch_day``: each batch a day later than
the one before), and collects from that day, so tests never see each other's invoices.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.distribution import CUSTOMERS, DEMO_AGE_DAYS, SEED, DistributionFleet, World, today
from tests.support.postgres import throwaway_database


@pytest.fixture(scope="session")
def world() -> Iterator[World]:
    from sandbox.launcher import Sandbox

    # Dovecot keeps mail as the `mail` user, which cannot enter pytest's 0700 tmp_path.
    folder = Path(tempfile.mkdtemp(prefix="arfleet-e2e-"))
    folder.chmod(0o755)
    sandbox = Sandbox(folder / "sandbox", seed=SEED, customers=CUSTOMERS,
                      as_of=today() - timedelta(days=DEMO_AGE_DAYS))
    sandbox.start()
    try:
        demo = json.loads(Path(sandbox.connection["files"]["demo_data"]).read_text(encoding="utf-8"))
        yield World(sandbox, sandbox.connection, demo)
    finally:
        sandbox.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def database_url(request, tmp_path) -> Iterator[str]:
    """SQLite unless the test is marked ``ON_BOTH_DATABASES``: the queue semantics are proven on
    PostgreSQL elsewhere, and the whole product is run on it by the tests that ask for it."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield f"sqlite:///{tmp_path / 'arfleet.db'}"
        return
    with throwaway_database(request.getfixturevalue("postgres_server"), "e2e") as url:  # the suite's cluster
        yield url


@pytest.fixture
def fleet(app, sessions, settings, world, tmp_path) -> Iterator[DistributionFleet]:
    running = DistributionFleet(app, sessions, settings, world, tmp_path)
    yield running
    running.stop()
