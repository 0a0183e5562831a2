"""`arfleet sandbox up`: every practice system starts in its own process, seeded with the demo
company; the connection file says where, with the demo credentials apart; a person (or a bot)
logs into the ERP and the portals over HTTP and reads the AR inbox over IMAP; a restart keeps
what is there; stopping leaves no process behind."""
from __future__ import annotations

import base64
import email
import json
import os
import re
import shutil
import signal
import smtplib
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pyotp
import pytest
import requests
from click.testing import CliRunner
from imapclient import IMAPClient

from sandbox.cli import sandbox as sandbox_command
from sandbox.launcher import Sandbox
from tests.support.sandbox_web import csrf

REPO = Path(__file__).resolve().parents[2]
SEED, CUSTOMERS = 3, 10


def _state(stat_line: str) -> tuple[str, int]:
    """A process's state letter and parent pid, from /proc/PID/stat."""
    fields = stat_line.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    """Running; a zombie (gone, waiting for its parent, here often init, to reap it) is not."""
    try:
        return _state(Path(f"/proc/{pid}/stat").read_text())[0] != "Z"
    except OSError:
        return False


def processes_of(folder: Path) -> set[int]:
    """Processes started for ``folder`` (its path is on their command line) and their children."""
    parents: dict[int, int] = {}
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            status = (entry / "stat").read_text()
        except OSError:
            continue
        state, parent = _state(status)
        if state == "Z":
            continue
        parents[int(entry.name)] = parent
        if str(folder) in command and int(entry.name) != os.getpid():
            found.add(int(entry.name))
    grown = True
    while grown:
        children = {pid for pid, parent in parents.items() if parent in found} - found
        found |= children
        grown = bool(children)
    return found


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    # Dovecot keeps mail as the `mail` user, which cannot enter pytest's 0700 tmp_path.
    path = Path(tempfile.mkdtemp(prefix="arfleet-sandbox-test-"))
    path.chmod(0o755)
    yield path / "sandbox"
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def said() -> list[str]:
    """What the first start reported, step by step."""
    return []


@pytest.fixture(scope="module")
def running(folder, said) -> Iterator[Sandbox]:
    started = Sandbox(folder, seed=SEED, customers=CUSTOMERS, progress=said.append).start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def connection(running) -> dict:
    return json.loads(running.connection_file.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def documents(running) -> dict:
    return json.loads((running.layout.demo / "documents.json").read_text(encoding="utf-8"))


def test_first_start_generates_seeds_and_describes_everything(running, said, connection):
    for step in ("generating the demo company", "seeded erp", "seeded portal_a", "seeded portal_b",
                 "seeded chorus_pro", "delivered", "bank files", "connection file"):
        assert step in "\n".join(said)
    meta = json.loads((running.layout.demo / "demo_data.json").read_text(encoding="utf-8"))["meta"]
    assert meta["as_of"] == datetime.now(ZoneInfo("Europe/Paris")).date().isoformat()  # today's books
    assert stat.S_IMODE(running.connection_file.stat().st_mode) == 0o600
    assert set(connection["urls"]) >= {"erp", "portal_a", "portal_b", "chorus_pro", "chorus_pro_api"}
    for url in connection["urls"].values():
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+(/[\w/]+)?", url)
    # What the bots read carries no secret: every credential value lives under "credentials" only.
    readable = json.dumps({k: v for k, v in connection.items() if k != "credentials"})
    credentials = connection["credentials"]
    hidden = [v for secret in credentials.values() for k, v in secret.items()
              if any(word in k for word in ("password", "secret", "token"))]
    hidden += list(credentials["mail_customers"].values())
    assert len(hidden) > 10 and not [v for v in hidden if v in readable]


def test_the_erp_takes_the_demo_login_and_shows_the_demo_customers(running, connection):
    clerk = connection["credentials"]["erp_c.martin"]
    erp = connection["urls"]["erp"]
    with requests.Session() as browser:
        login = browser.get(f"{erp}/login", timeout=10)
        wrong = browser.post(f"{erp}/login", data={"csrf_token": csrf(login.text), "username": clerk["username"],
                                                   "password": "not-the-password"}, timeout=10)
        assert wrong.status_code == 401
        answer = browser.post(f"{erp}/login", data={"csrf_token": csrf(wrong.text), **clerk}, timeout=10)
        assert answer.status_code == 200 and answer.url.rstrip("/") == erp
        customers = browser.get(f"{erp}/customers", timeout=10).text
    demo = json.loads((running.layout.demo / "erp.json").read_text(encoding="utf-8"))
    for customer in demo["customers"]:
        assert customer["code"] in customers


def test_portal_a_signs_in_with_password_and_authenticator_code(connection):
    (account,) = [v for k, v in connection["credentials"].items() if k.startswith("portal_a_")]
    portal = connection["urls"]["portal_a"]
    with requests.Session() as browser:
        page = browser.get(f"{portal}/login", timeout=10)
        step = browser.post(f"{portal}/login", data={"csrf_token": csrf(page.text), "login": account["login"],
                                                     "password": account["password"]}, timeout=10)
        assert "/login/verify" in step.url
        done = browser.post(step.url, data={"csrf_token": csrf(step.text),
                                            "totp_code": pyotp.TOTP(account["totp_secret"]).now()}, timeout=10)
        assert done.status_code == 200 and done.url.endswith("/invoices")


def test_portal_b_finds_the_demo_purchase_orders(running, connection):
    (account,) = [v for k, v in connection["credentials"].items() if k.startswith("portal_b_")]
    orders = json.loads((running.layout.demo / "portal_b.json").read_text(encoding="utf-8"))["purchase_orders"]
    order = next(o for o in orders if o["supplier_id"] == account["supplier_id"])
    portal = connection["urls"]["portal_b"]
    with requests.Session() as browser:
        page = browser.get(f"{portal}/login", timeout=10)
        home = browser.post(f"{portal}/login", data={"csrf_token": csrf(page.text), "username": account["login"],
                                                     "password": account["password"]}, timeout=10)
        wizard = browser.get(f"{portal}/invoice/create", timeout=10)
        assert home.status_code == 200 and wizard.status_code == 200 and "/login" not in wizard.url
        found = browser.post(f"{portal}/invoice/create", data={"csrf_token": csrf(wizard.text),
                                                               "po_number": order["po_number"]}, timeout=10)
        assert found.url.endswith("/invoice/create/lines")
        assert order["lines"][0]["description"] in found.text


def test_chorus_pro_knows_the_demo_client_and_public_buyers(running, connection):
    api = connection["credentials"]["chorus_pro_api"]
    token = requests.post(connection["urls"]["chorus_pro_token"], timeout=10, data={
        "grant_type": "client_credentials", "client_id": api["client_id"], "client_secret": api["client_secret"],
        "scope": "openid"})
    assert token.status_code == 200
    account = base64.b64encode(f"{api['technical_login']}:{api['technical_password']}".encode()).decode()
    found = requests.post(f"{connection['urls']['chorus_pro_api']}/structures/v1/rechercher", timeout=10,
                          json={"structure": {}, "restreindreStructuresPrivees": True},
                          headers={"Authorization": f"Bearer {token.json()['access_token']}", "cpro-account": account})
    assert found.status_code == 200
    structures = json.loads((running.layout.demo / "chorus_pro.json").read_text(encoding="utf-8"))["structures"]
    assert sorted(s["identifiantStructure"] for s in found.json()["listeStructures"]) == sorted(
        s["siret"] for s in structures)


def _inbox_message_ids(connection: dict, account: dict) -> list[str]:
    mail = connection["mail"]
    with IMAPClient(mail["host"], mail["imap_port"], ssl=False, timeout=10) as imap:
        imap.login(account["address"], account["password"])
        imap.select_folder("INBOX", readonly=True)
        ids = imap.search()
        fetched = imap.fetch(ids, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"]) if ids else {}
    return [email.message_from_bytes(f[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"], policy=default_policy)["Message-ID"]
            .strip() for f in fetched.values()]


def test_the_ar_inbox_holds_the_demo_mailbox_stream(connection, documents):
    ids = _inbox_message_ids(connection, connection["credentials"]["mail_ar"])
    assert sorted(ids) == sorted(m["message_id"] for m in documents["mails"])
    assert connection["mail"]["ar_mailbox"] == documents["ar_mailbox"]


def test_a_customer_reads_over_imap_what_was_sent_over_smtp(connection):
    address, password = next(iter(connection["credentials"]["mail_customers"].items()))
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = connection["mail"]["ar_mailbox"], address, "Relance"
    message["Message-ID"] = "<launcher-test@mid-demo.example>"
    message.set_content("Bonjour, sauf erreur de notre part…")
    with smtplib.SMTP(connection["mail"]["host"], connection["mail"]["smtp_port"], timeout=10) as smtp:
        smtp.send_message(message)
    assert _inbox_message_ids(connection, {"address": address, "password": password}) == [message["Message-ID"]]


def test_the_bank_files_are_in_the_bank_folder(connection, documents):
    statements = sorted(p.name for p in Path(connection["files"]["bank_statements"]).glob("*.xml"))
    notifications = sorted(p.name for p in Path(connection["files"]["bank_notifications"]).glob("*.xml"))
    assert statements and statements == sorted(
        Path(b["file"]).name for b in documents["bank_files"] if b["kind"] == "camt.053")
    assert notifications == sorted(Path(b["file"]).name for b in documents["bank_files"] if b["kind"] == "camt.054")


def test_stop_leaves_nothing_behind_and_a_restart_keeps_the_data(folder, running, connection, documents):
    before = processes_of(folder)
    assert {connection["processes"][app] for app in ("erp", "portal_a", "portal_b", "chorus_pro")} <= before
    assert len(before) >= 5  # the four apps and Dovecot (with its own children)
    running.stop()
    assert not processes_of(folder) and not [pid for pid in before if alive(pid)]
    assert not running.connection_file.exists()

    messages: list[str] = []
    with Sandbox(folder, progress=messages.append) as again:
        said = "\n".join(messages)
        assert "generating" not in said and "seeded" not in said and "delivered" not in said
        reopened = json.loads(again.connection_file.read_text(encoding="utf-8"))
        ids = _inbox_message_ids(reopened, reopened["credentials"]["mail_ar"])
        assert len(ids) == len(documents["mails"])  # kept, not delivered twice
        assert reopened["credentials"] == connection["credentials"]
        assert requests.get(f"{reopened['urls']['erp']}/login", timeout=10).status_code == 200
    assert not processes_of(folder)


def test_the_command_line_serves_until_ctrl_c(folder, running):
    running.stop()  # the folder is already seeded: this start is a restart
    process = subprocess.Popen(
        [sys.executable, "-c", "from sandbox.cli import sandbox; sandbox()", "up", "--dir", str(folder)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if "Ctrl-C stops everything" in line:
                break
        erp = re.search(r"erp\s+(http://\S+)", "".join(lines)).group(1)
        assert requests.get(f"{erp}/login", timeout=10).status_code == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert not processes_of(folder)


def test_the_seed_command_writes_the_demo_company(tmp_path):
    result = CliRunner().invoke(sandbox_command, ["seed", "--seed", "2", "--customers", "5", "--out",
                                                  str(tmp_path), "--as-of", "2026-10-31"])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "demo_data.json").read_text(encoding="utf-8"))
    assert data["meta"] == {"seed": 2, "customers": 5, "as_of": "2026-10-31", "start": "2025-11-01"}
    truth = json.loads((tmp_path / "documents.json").read_text(encoding="utf-8"))
    assert all((tmp_path / "documents" / m["file"]).is_file() for m in truth["mails"])
    bad = CliRunner().invoke(sandbox_command, ["up", "--port", "ftp=21"])
    assert bad.exit_code == 2 and "NAME=PORT" in bad.output
