"""The AR mailbox: mail sent by a bot through the sandbox's SMTP relay is read back over IMAP from
a real Dovecot, as the customer (or the AR team) would read it."""
from __future__ import annotations

import email
import json
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from sandbox.mail import DeliveryError, MailServer, MailServerError

AR = ("ar@arfleet.test", "ar-secret")
CLIENT_A = ("compta@client-a.fr", "a-secret")
CLIENT_B = ("compta@client-b.fr", "b-secret")  # same local part as CLIENT_A, another company
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"  # binary, so any mangling shows


def _data_dir() -> Path:
    # Dovecot keeps mail as the `mail` user, which cannot enter pytest's 0700 tmp_path.
    path = Path(tempfile.mkdtemp(prefix="arfleet-mail-test-"))
    path.chmod(0o755)
    return path


@pytest.fixture(scope="module")
def server() -> Iterator[MailServer]:
    folder = _data_dir()
    with MailServer(folder, dict([AR, CLIENT_A, CLIENT_B])) as running:
        yield running
    shutil.rmtree(folder, ignore_errors=True)


def _inbox(server: MailServer, account: tuple[str, str]) -> list[email.message.EmailMessage]:
    with IMAPClient(server.host, server.imap_port, ssl=False, timeout=10) as imap:
        imap.login(*account)
        imap.select_folder("INBOX", readonly=True)
        ids = imap.search()
        fetched = imap.fetch(ids, ["BODY.PEEK[]"]) if ids else {}
        return [email.message_from_bytes(fetched[i][b"BODY[]"], policy=default_policy) for i in ids]


def _dunning_letter(to: str, subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Service recouvrement <recouvrement@arfleet.test>"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = email.utils.make_msgid(domain="arfleet.test")
    message.set_content("Bonjour,\n\nSauf erreur de notre part, la facture FA-2026-0042 reste impayée.\n")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="relance-FA-2026-0042.pdf")
    return message


def test_mail_sent_over_smtp_is_read_back_over_imap(server: MailServer) -> None:
    subject = "Relance : facture FA-2026-0042 échue"
    with smtplib.SMTP(server.host, server.smtp_port, timeout=10) as smtp:
        smtp.send_message(_dunning_letter(CLIENT_A[0], subject))

    [received] = [m for m in _inbox(server, CLIENT_A) if m["Subject"] == subject]
    assert "la facture FA-2026-0042 reste impayée" in received.get_body(("plain",)).get_content()
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename() == "relance-FA-2026-0042.pdf"
    assert attachment.get_content() == PDF
    assert received["Return-Path"] == "<recouvrement@arfleet.test>"
    assert any("arfleet sandbox relay" in line for line in received.get_all("Received"))


def test_smtp_auth_with_a_mailbox_password(server: MailServer) -> None:
    with smtplib.SMTP(server.host, server.smtp_port, timeout=10) as smtp:
        smtp.login(*AR)
        smtp.send_message(_dunning_letter(CLIENT_B[0], "Relance authentifiée"))
    [received] = [m for m in _inbox(server, CLIENT_B) if m["Subject"] == "Relance authentifiée"]
    assert any(" with ESMTPA " in line for line in received.get_all("Received"))
    with smtplib.SMTP(server.host, server.smtp_port, timeout=10) as smtp:
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            smtp.login(AR[0], "wrong")
    assert refused.value.smtp_code == 535


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # loopback only
def test_relay_that_requires_auth_refuses_anonymous_mail() -> None:
    folder = _data_dir()
    try:
        with MailServer(folder, dict([AR]), smtp_auth_required=True) as strict:
            letter = _dunning_letter(AR[0], "Sans AUTH")
            with smtplib.SMTP(strict.host, strict.smtp_port, timeout=10) as smtp:
                with pytest.raises(smtplib.SMTPSenderRefused) as refused:
                    smtp.send_message(letter)
            assert refused.value.smtp_code == 530
            with smtplib.SMTP(strict.host, strict.smtp_port, timeout=10) as smtp:
                smtp.login(*AR)
                del letter["Subject"]
                letter["Subject"] = "Avec AUTH"
                smtp.send_message(letter)
            assert [m["Subject"] for m in _inbox(strict, AR)] == ["Avec AUTH"]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_unknown_recipients_are_refused(server: MailServer) -> None:
    with smtplib.SMTP(server.host, server.smtp_port, timeout=10) as smtp:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as unknown:
            smtp.send_message(_dunning_letter("personne@client-a.fr", "Perdue"))
        code, reply = unknown.value.recipients["personne@client-a.fr"]
        assert code == 550 and reply.startswith(b"5.1.1 ") and b"User unknown" in reply

        with pytest.raises(smtplib.SMTPRecipientsRefused) as foreign:
            smtp.send_message(_dunning_letter("someone@example.org", "Dehors"))
        assert foreign.value.recipients["someone@example.org"][0] == 554

        # One good and one bad recipient: the good one still gets it, the bad one is reported.
        letter = _dunning_letter(f"{CLIENT_A[0]}, personne@client-a.fr", "Moitié")
        refused = smtp.send_message(letter)
    assert list(refused) == ["personne@client-a.fr"]
    assert [m["Subject"] for m in _inbox(server, CLIENT_A)].count("Moitié") == 1


def test_mailboxes_are_isolated(server: MailServer) -> None:
    with smtplib.SMTP(server.host, server.smtp_port, timeout=10) as smtp:
        smtp.send_message(_dunning_letter(CLIENT_A[0], "Pour A seulement"))
    assert "Pour A seulement" in [m["Subject"] for m in _inbox(server, CLIENT_A)]
    assert "Pour A seulement" not in [m["Subject"] for m in _inbox(server, CLIENT_B)]
    assert "Pour A seulement" not in [m["Subject"] for m in _inbox(server, AR)]
    with pytest.raises(LoginError):
        _inbox(server, (CLIENT_B[0], CLIENT_A[1]))


def test_deliver_drops_demo_mail_into_the_inbox(server: MailServer) -> None:
    remittance = (
        b"From: Tresorerie Dupont <tresorerie@dupont.fr>\n"
        b"To: ar@arfleet.test\n"
        b"Subject: Avis de paiement 2026-11\n"
        b"Message-ID: <avis-2026-11@dupont.fr>\n"
        b"\n"
        b"Virement de 1 450,00 EUR : FA-2026-0042, FA-2026-0043\n"
    )
    server.deliver(remittance, "ar+remittances@arfleet.test", mail_from="tresorerie@dupont.fr")
    [received] = [m for m in _inbox(server, AR) if m["Message-ID"] == "<avis-2026-11@dupont.fr>"]
    assert received.get_content().strip() == "Virement de 1 450,00 EUR : FA-2026-0042, FA-2026-0043"
    with pytest.raises(DeliveryError) as unknown:
        server.deliver(remittance, "personne@arfleet.test")
    assert unknown.value.code == 550 and unknown.value.permanent


def test_account_added_while_running_receives_mail(server: MailServer) -> None:
    newcomer = ("factures@client-c.fr", "c-secret")
    server.add_account(*newcomer)
    with smtplib.SMTP(server.host, server.smtp_port, timeout=10) as smtp:
        smtp.send_message(_dunning_letter(newcomer[0], "Bienvenue"))
    assert [m["Subject"] for m in _inbox(server, newcomer)] == ["Bienvenue"]


def test_restart_on_the_same_ports_keeps_mailboxes_and_mail() -> None:
    folder = _data_dir()
    try:
        with MailServer(folder, dict([AR])) as first:
            ports = first.imap_port, first.smtp_port, first.lmtp_port
            first.deliver(b"Subject: avant\r\n\r\nhello\r\n", AR[0])
        imap_port, smtp_port, lmtp_port = ports
        # No accounts given: the ones in the data folder are kept.
        with MailServer(folder, imap_port=imap_port, smtp_port=smtp_port, lmtp_port=lmtp_port) as second:
            assert (second.imap_port, second.smtp_port, second.lmtp_port) == ports
            assert [m["Subject"] for m in _inbox(second, AR)] == ["avant"]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_data_folder_the_mail_user_cannot_enter_is_refused(tmp_path: Path) -> None:
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    with pytest.raises(MailServerError, match="chmod o\\+x"):
        MailServer(closed / "mail", dict([AR])).start()


def test_command_line_serves_until_interrupted() -> None:
    folder = _data_dir()
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.mail", "--dir", str(folder), "--account", f"{AR[0]}:{AR[1]}"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        ports = json.loads(process.stdout.readline())
        with IMAPClient(ports["host"], ports["imap_port"], ssl=False, timeout=10) as imap:
            imap.login(*AR)
        master_pid = int((folder / "run" / "master.pid").read_text())
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        assert not Path(f"/proc/{master_pid}").exists()  # Dovecot went with it
    finally:
        if process.poll() is None:
            process.kill()
        shutil.rmtree(folder, ignore_errors=True)
