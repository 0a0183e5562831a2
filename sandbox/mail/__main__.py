"""``python -m sandbox.mail --dir D``: run the AR mailbox (Dovecot and the SMTP relay) in the
foreground until Ctrl-C or SIGTERM, printing where to connect as one JSON line."""
from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from sandbox.mail.server import MailServer


def _account(text: str) -> tuple[str, str]:
    address, sep, password = text.partition(":")
    if not sep:
        raise argparse.ArgumentTypeError("expected ADDRESS:PASSWORD")
    return address, password


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.mail", description=__doc__)
    parser.add_argument("--dir", required=True, help="data folder: config, passwd-file, Maildirs, log")
    parser.add_argument("--imap-port", type=int)
    parser.add_argument("--smtp-port", type=int)
    parser.add_argument("--lmtp-port", type=int)
    parser.add_argument(
        "--account", type=_account, action="append", default=[], metavar="ADDRESS:PASSWORD",
        help="create or update a mailbox (repeatable); mailboxes already in --dir are kept",
    )
    parser.add_argument("--smtp-auth-required", action="store_true", help="refuse mail sent without SMTP AUTH")
    args = parser.parse_args(argv)

    server = MailServer(
        args.dir, dict(args.account), args.imap_port, args.smtp_port,
        lmtp_port=args.lmtp_port, smtp_auth_required=args.smtp_auth_required,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with server:
        print(json.dumps({
            "host": server.host, "imap_port": server.imap_port, "smtp_port": server.smtp_port,
            "lmtp_port": server.lmtp_port, "accounts": server.accounts, "log": str(server.log_path),
        }), flush=True)
        if not server.accounts:
            print("no mailbox yet: add some with --account ADDRESS:PASSWORD", file=sys.stderr, flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
