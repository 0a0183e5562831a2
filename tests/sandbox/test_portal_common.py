"""What both portals share and decide without a server: amounts as people type them, the PDF
checks, and the status lifecycle."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from sandbox.portal_common.amounts import parse_decimal
from sandbox.portal_common.lifecycle import Status, Timing, status_history
from sandbox.portal_common.pdf_files import MAX_PDF_BYTES, MISSING, NOT_A_PDF, TOO_LARGE, pdf_problem


@pytest.mark.parametrize("text, expected", [
    ("1250.00", Decimal("1250.00")), ("1250,5", Decimal("1250.5")), ("1 250,00", Decimal("1250.00")),
    ("1\u202f250,00", Decimal("1250.00")), ("1,250.00", None), ("12.345", None), ("abc", None), ("", None),
])
def test_amounts_are_read_as_people_type_them(text, expected):
    assert parse_decimal(text, places=2) == expected


def test_pdf_checks():
    assert pdf_problem(b"") == MISSING
    assert pdf_problem(b"GIF89a") == NOT_A_PDF
    assert pdf_problem(b"%PDF-1.7" + b"0" * (MAX_PDF_BYTES - 8)) is None
    assert pdf_problem(b"%PDF-1.7" + b"0" * (MAX_PDF_BYTES - 7)) == TOO_LARGE


def test_a_rejected_invoice_is_never_paid():
    at = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    timing = Timing(review=timedelta(hours=1), payment=timedelta(days=2))
    later = at + timedelta(days=30)
    assert [e.status for e in status_history(at, None, timing, later)] == \
        [Status.RECEIVED, Status.APPROVED, Status.PAID]
    events = status_history(at, "Amount does not match PO", timing, later)
    assert [(e.status, e.reason) for e in events] == \
        [(Status.RECEIVED, None), (Status.REJECTED, "Amount does not match PO")]
    assert events[-1].at == at + timedelta(hours=1)
