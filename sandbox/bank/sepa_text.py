"""Text as it comes out of the SEPA network: the Latin character set only, fields cut to length.

Banks transliterate what payers type, so "Société Générale & Fils" reaches us as "Societe
Generale Fils" and a 160-character remittance loses its end: the bots must cope with that.
"""
from __future__ import annotations

import re
import unicodedata

_OUTSIDE_SEPA = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")
_SPACES = re.compile(r"\s+")
_REFERENCE = re.compile(r"^[A-Za-z0-9/\-?:().,'+]{1,35}$")


def sepa_text(text: str, limit: int) -> str:
    """``text`` in the SEPA basic character set, at most ``limit`` characters, never empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = _SPACES.sub(" ", _OUTSIDE_SEPA.sub(" ", ascii_text)).strip()
    return cleaned[:limit].rstrip() or "NOTPROVIDED"


def reference(value: str, what: str) -> str:
    """A reference (end-to-end id, creditor reference, bank reference) passes through unchanged,
    so it must already fit: up to 35 SEPA characters without spaces."""
    if not _REFERENCE.match(value):
        raise ValueError(f"{what} must be 1 to 35 SEPA characters without spaces: {value!r}")
    return value
