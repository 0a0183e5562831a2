"""Office files are ZIP archives whose entries carry the time they were written; rewriting them
with one fixed time makes the same workbook the same bytes, whenever it is generated."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime


def restamp(archive: bytes, when: datetime) -> bytes:
    """``archive`` with every entry dated ``when`` (order, names and contents unchanged)."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second - when.second % 2)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()
