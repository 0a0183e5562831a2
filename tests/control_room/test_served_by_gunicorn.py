"""`arfleet serve` (gunicorn, as in production) answers the per-item calls and keeps its access log for
the requests people need to see: not the successful reserve/release calls (each is in the audit log)."""
import os
import subprocess
import sys

import pytest
import requests
from sqlalchemy import select

from control_room.audit.models import AuditEvent
from tests.support.live_fleet import wait_until
from tests.support.live_server import free_port
from tests.support.seeds import auth, declare, user_token


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_per_item_calls_are_served_and_left_out_of_the_access_log(app, sessions, settings, tmp_path):
    declare(sessions, "invoices")
    ops, it = user_token(sessions, "ops"), user_token(sessions, "it")
    port, log = free_port(), tmp_path / "serve.log"
    env = {**os.environ, "ARFLEET_HOME": str(settings.home), "ARFLEET_DATABASE_URL": settings.database_url,
           "ARFLEET_MASTER_KEY": settings.master_key}
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "control_room.cli", "serve", "--port", str(port)],
                                  env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _up(base), timeout=60, what="arfleet serve to answer")
        reg = requests.post(f"{base}/api/v1/registration-tokens", json={}, headers=auth(it), timeout=10).json()
        runner = requests.post(f"{base}/api/v1/runners/register", json={"token": reg["token"], "name": "vm-1"},
                               timeout=10).json()["credential"]
        requests.post(f"{base}/api/v1/processes/invoices/runs",
                      json={"payloads": [{"payload": {"n": 1}}, {"payload": {"n": 2}}]},
                      headers=auth(ops), timeout=10).raise_for_status()
        env_rc = requests.post(f"{base}/api/v1/runners/assignments", json={"wait_seconds": 0}, headers=auth(runner),
                               timeout=10).json()["env"]
        calls = (f"{base}/process-v1/workspaces/arfleet/processes/{env_rc['RC_PROCESS_ID']}/runs/"
                 f"{env_rc['RC_PROCESS_RUN_ID']}/robotRuns/{env_rc['RC_ACTIVITY_RUN_ID']}")
        token = auth(env_rc["RC_API_PROCESS_TOKEN"])
        with requests.Session() as bot:  # one keep-alive connection, as robocorp-workitems keeps
            first = env_rc["RC_WORKITEM_ID"]
            assert bot.post(f"{calls}/release-work-item", json={"workItemId": first, "state": "COMPLETED"},
                            headers=token, timeout=10).status_code == 200
            second = bot.post(f"{calls}/reserve-next-work-item", headers=token, timeout=10).json()["workItemId"]
            assert second not in (None, first)
            assert bot.post(f"{calls}/release-work-item", json={"workItemId": second, "state": "COMPLETED"},
                            headers=token, timeout=10).status_code == 200
            assert bot.post(f"{calls}/reserve-next-work-item", headers=token, timeout=10).json() == {"workItemId": None}
            assert bot.post(f"{calls}/reserve-next-work-item", headers=auth("rt_forged"), timeout=10).status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=30)
    access = [line for line in log.read_text().splitlines() if '"POST ' in line or '"GET ' in line]
    assert any("/api/v1/runners/assignments" in line for line in access)
    per_item = [line for line in access if "-work-item" in line]
    assert len(per_item) == 1 and '" 401 ' in per_item[0], per_item  # only the refused call
    with sessions() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "work_item")).all()
    assert actions.count("item.done") == 2 and actions.count("item.reserved") == 2


def _up(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=1).ok
    except requests.ConnectionError:
        return False
