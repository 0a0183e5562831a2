"""What the sandbox apps' tests do the same way with a test client: read a form's CSRF token and a
page's text, make a small PDF to upload, and move a portal's or Chorus Pro's clock through the
admin API (token ``admin-secret``)."""
from __future__ import annotations

import io
import re

from reportlab.pdfgen import canvas

ADMIN = {"X-Admin-Token": "admin-secret"}


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def text_of(response) -> str:
    """The page's text with runs of white space folded."""
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def make_pdf(text: str = "Invoice") -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, text)
    c.save()
    return buf.getvalue()


def advance(client, seconds: float) -> None:
    assert client.post("/_admin/advance", json={"seconds": seconds}, headers=ADMIN).status_code == 200


def submissions(client) -> list[dict]:
    """A portal's submissions, as ``GET /_admin/submissions`` lists them."""
    return client.get("/_admin/submissions", headers=ADMIN).json["submissions"]
