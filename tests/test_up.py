"""`arfleet up`, as a newcomer runs it: everything starts, the login is printed, Ctrl-C stops it all."""
import json
import os
import re
import signal
import subprocess
import sys
import time

import requests
from sqlalchemy import select

from control_room.fleet.models import Runner
from control_room.storage.engine import make_engine, make_session_factory
from control_room.vault.models import Secret
from tests.support.live_server import free_port


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_arfleet_up_starts_everything_and_ctrl_c_stops_it(tmp_path):
    home, port = tmp_path / "home", free_port()
    up = subprocess.Popen([sys.executable, "-m", "control_room.cli", "up", "--port", str(port)], cwd=tmp_path,
                          env={**os.environ, "ARFLEET_HOME": str(home)}, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    output = []
    try:
        deadline = time.monotonic() + 180
        while not any("Ctrl-C stops everything" in line for line in output):
            assert up.poll() is None and time.monotonic() < deadline, "".join(output)
            output.append(up.stdout.readline())
        text = "".join(output)
        password = re.search(r"log in as 'admin' with password (\S+)", text).group(1)
        assert f"arfleet is up: http://127.0.0.1:{port}/" in text
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).ok
        connection = json.loads((home / "sandbox" / "connection.json").read_text())
        assert requests.get(connection["urls"]["erp"] + "/login", timeout=5).ok
        engine = make_engine(f"sqlite:///{home / 'arfleet.db'}")
        sessions = make_session_factory(engine)

        def runner_name():
            with sessions() as session:  # a fresh transaction each time: SQLite's write lock is shared
                return session.scalar(select(Runner.name))

        deadline = time.monotonic() + 30
        while runner_name() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert runner_name() == "local"
        with sessions() as session:
            assert "chorus_pro_api" in session.scalars(select(Secret.name)).all()
        engine.dispose()
        assert len(password) >= 12
        children = [int(pid) for pid in re.findall(r"started \(pid (\d+)", text)] + list(
            connection["processes"].values())
        runner_pid = int(re.search(r"runner: started \(pid (\d+)", text).group(1))
        runner_env = dict(entry.split("=", 1) for entry in
                          open(f"/proc/{runner_pid}/environ").read().split("\0") if "=" in entry)
        assert not {"ARFLEET_MASTER_KEY", "ARFLEET_DATABASE_URL", "ARFLEET_HOME"} & set(runner_env)  # as on a VM
        assert runner_env["ARFLEET_CONNECTION_FILE"] == str(home / "sandbox" / "connection.json")
    finally:
        up.send_signal(signal.SIGINT)
        rest, _ = up.communicate(timeout=120)
    assert up.returncode == 0, rest
    assert "sandbox: stopped" in rest
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [pid for pid in children if _alive(pid)] == []
