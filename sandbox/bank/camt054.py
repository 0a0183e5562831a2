"""camt.054.001.02, the debit/credit notification (avis d'opération): lines reported as they are
booked during the day, without balances. French banks send one per incoming transfer or batch."""
from __future__ import annotations

from sandbox.bank.entries import EntryWriter
from sandbox.bank.message_header import PARIS, account_block, group_header, maker, serialise, timestamp
from sandbox.bank.model import Notification
from sandbox.bank.schemas import validate

MESSAGE = "camt.054.001.02"


def write_camt054(notification: Notification, *, message_id: str | None = None) -> bytes:
    """The notification as a camt.054 file (UTF-8 bytes), checked against the official schema."""
    E = maker(MESSAGE)
    created_at = notification.created_at
    local = created_at.astimezone(PARIS)
    message_id = message_id or f"C54{local:%Y%m%d%H%M%S}{notification.sequence_number:05d}"
    entries = EntryWriter(E, notification.account)
    ntfctn = E.Ntfctn(
        E.Id(notification.notification_id or f"AVI{local:%Y%m%d}{notification.sequence_number:05d}"),
        E.ElctrncSeqNb(str(notification.sequence_number)),
        E.CreDtTm(timestamp(created_at)),
        account_block(E, notification.account),
    )
    ntfctn.extend(entries.entry(e) for e in notification.entries)
    document = E.Document(E.BkToCstmrDbtCdtNtfctn(group_header(E, message_id, created_at), ntfctn))
    data = serialise(document)
    validate(data)
    return data
