"""Keyset pagination: pages are read from an index seek (`id < last seen`), so page 1,000 of ten
million audit events costs what page 1 costs — no OFFSET, no COUNT(*)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import request
from sqlalchemy import Select
from sqlalchemy.orm import Session

T = TypeVar("T")
PAGE_SIZE = 50


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    next_before: int | None  # the `before` value of the next (older) page, None on the last page

    @property
    def is_first(self) -> bool:
        return request.args.get("before") is None


def before_arg() -> int | None:
    value = request.args.get("before", "")
    return int(value) if value.isdigit() else None


def newest_first(session: Session, query: Select, id_column: Any, size: int = PAGE_SIZE) -> Page:
    """Rows of `query` by descending id, starting below the request's `before` argument."""
    before = before_arg()
    if before is not None:
        query = query.where(id_column < before)
    rows = list(session.scalars(query.order_by(id_column.desc()).limit(size + 1)).all())
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, rows[-1].id if more and rows else None)
