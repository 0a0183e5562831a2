"""A throw-away PostgreSQL cluster for the test session: initdb + pg_ctl as the postgres user, on a
free port, with its socket in a temporary directory. Seconds to start, gone after the session. And
a throw-away database on it for one test."""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from tests.support.live_server import free_port


def find_bindir() -> Path | None:
    for candidate in [shutil.which("initdb"), *sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)]:
        if candidate and Path(candidate).exists():
            return Path(candidate).parent
    return None


class Cluster:
    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="arfleet-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, text=True)

    def start(self) -> str:
        if self._as_postgres:
            pw = pwd.getpwnam("postgres")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        self._pg_ctl("start")
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def restart(self) -> None:
        """Stop at once (open connections are cut) and start again on the same port."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        self._pg_ctl("start")

    def _pg_ctl(self, action: str) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-o",
                  f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                  f"-c max_connections=200", action)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def admin_url() -> Iterator[str]:
    """Admin URL of the PostgreSQL server to use: ARFLEET_TEST_POSTGRES_URL when set, else a throw-away
    cluster for as long as the block runs."""
    if os.environ.get("ARFLEET_TEST_POSTGRES_URL"):
        yield os.environ["ARFLEET_TEST_POSTGRES_URL"]
        return
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL binaries (initdb, pg_ctl) not found: install postgresql or set "
                           "ARFLEET_TEST_POSTGRES_URL; the PostgreSQL tests are not optional")
    cluster = Cluster(bindir)
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@contextmanager
def throwaway_database(admin_url: str, prefix: str = "t") -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the server of ``admin_url``, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin_url.rpartition('/')[0]}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
