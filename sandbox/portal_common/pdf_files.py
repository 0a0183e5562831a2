"""Uploaded invoice PDFs: the checks a portal makes before accepting one, and where it is kept.

Files are stored content-addressed (by sha256) under the app's data folder, so the same bytes
attached twice (a wizard step revisited, a retried upload) are stored once and a test can compare a
submission's sha256 with the file the bot sent.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

MAX_PDF_BYTES = 10 * 1024 * 1024
MISSING = "Attach the invoice as a PDF file."
NOT_A_PDF = "The file is not a PDF document."
TOO_LARGE = "The file exceeds the 10 MB limit."


@dataclass(frozen=True)
class StoredPdf:
    filename: str  # as the user named it
    path: str  # absolute path on disk
    sha256: str
    size: int


def read_upload(stream: BinaryIO) -> bytes:
    """At most one byte more than the limit: enough to tell a file is too large."""
    return stream.read(MAX_PDF_BYTES + 1)


def pdf_problem(data: bytes) -> str | None:
    """Why ``data`` cannot be accepted as an invoice PDF, or None if it can."""
    if not data:
        return MISSING
    if len(data) > MAX_PDF_BYTES:
        return TOO_LARGE
    if not data.startswith(b"%PDF-"):
        return NOT_A_PDF
    return None


def store_pdf(data_dir: Path, filename: str, data: bytes) -> StoredPdf:
    digest = hashlib.sha256(data).hexdigest()
    path = data_dir / "uploads" / digest[:2] / f"{digest}.pdf"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    return StoredPdf(filename=filename, path=str(path), sha256=digest, size=len(data))
