"""What every demo PDF shares: building it reproducibly (reportlab's invariant mode: no creation
date, a fixed document id), optional encryption, and the paragraph styles of business paper."""
from __future__ import annotations

import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, TableStyle

_BASE = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_BASE["Normal"], fontName="Helvetica", fontSize=10, leading=13)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10)
TITLE = ParagraphStyle("title", parent=BODY, fontName="Helvetica-Bold", fontSize=15, leading=19, spaceAfter=4 * mm)
HEADING = ParagraphStyle("heading", parent=BODY, fontName="Helvetica-Bold", fontSize=11, leading=14)
GRID = colors.HexColor("#7a8594")
SHADE = colors.HexColor("#e4e9f0")


def para(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    """A paragraph of plain text (escaped: company names carry "&"); newlines are kept."""
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def table_style(header_rows: int = 1, total_row: bool = True, *, boxed: bool = True) -> TableStyle:
    """Rows of 8-point text; ``header_rows`` bold on a shade, a bold total row, a grid or none."""
    commands = [("FONT", (0, 0), (-1, -1), "Helvetica", 8), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (0, 0), (-1, -1), "LEFT")]
    if header_rows:
        commands += [("FONT", (0, 0), (-1, header_rows - 1), "Helvetica-Bold", 8),
                     ("BACKGROUND", (0, 0), (-1, header_rows - 1), SHADE)]
    if boxed:
        commands.append(("GRID", (0, 0), (-1, -1), 0.5, GRID))
    elif header_rows:
        commands.append(("LINEBELOW", (0, header_rows - 1), (-1, header_rows - 1), 0.8, colors.black))
    if total_row:
        commands += [("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 8),
                     ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black)]
    return TableStyle(commands)


def build_pdf(story: Sequence[Flowable], *, title: str, author: str, pagesize: tuple[float, float],
              password: str | None = None, margins: float = 18 * mm) -> bytes:
    """The PDF bytes of ``story``: same story, same bytes. With ``password`` the file opens
    only with it (128-bit RC4, which reportlab derives from the invariant document id alone)."""
    buffer = io.BytesIO()
    encrypt = StandardEncryption(password, canPrint=1, canModify=0, canCopy=0, strength=128) if password else None
    document = SimpleDocTemplate(buffer, pagesize=pagesize, title=title, author=author, subject=title,
                                 creator=author, invariant=1, encrypt=encrypt, leftMargin=margins,
                                 rightMargin=margins, topMargin=margins, bottomMargin=margins)
    document.build(list(story))
    return buffer.getvalue()
