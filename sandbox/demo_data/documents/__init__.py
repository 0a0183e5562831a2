"""The demo company's documents: the remittance advices its customers send (PDF tables in two
AP systems' layouts, PDF letters, Excel sheets, mail bodies; French and English; with typos,
missing references, grouped, partial and short payments, discounts, bank fees, groups paying for
subsidiaries), the inbound AR mailbox stream (RFC 5322 ``.eml``: remittances, disputes, copy
requests, purchase orders, payment promises, portal notifications, out-of-office replies,
newsletters, and the hostile or malformed mail a real mailbox gets), and the bank's camt.053 and
camt.054 files; with the ground truth beside them.

``ground_truth(data)`` is cheap (``generate()`` includes it under ``"documents"``);
``render(data)`` makes the bytes; ``write(directory, data)`` writes them under ``directory``.
Everything derives from ``generate()``'s output: same seed, same bytes.
"""
from __future__ import annotations

from pathlib import Path

from sandbox.demo_data.documents.plan import make_plan
from sandbox.demo_data.documents.rendering import render_files

__all__ = ["ground_truth", "render", "write"]


def ground_truth(data: dict) -> dict:
    """{"ar_mailbox", "remittances": [...], "mails": [...], "bank_files": [...]}, file paths
    relative to the documents folder."""
    return make_plan(data).truth()


def render(data: dict) -> dict[str, bytes]:
    """{relative path: bytes} of every document."""
    return render_files(make_plan(data))


def write(directory: str | Path, data: dict) -> Path:
    """Write every document under ``directory`` (remittances/, mailbox/, bank/camt053/,
    bank/camt054/); returns the directory."""
    directory = Path(directory)
    for relative, content in render(data).items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return directory
