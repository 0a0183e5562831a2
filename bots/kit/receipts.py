"""What a bot keeps to show what it did, and what went wrong, the same way in every bot: a JSON
receipt for an answer that has no screen to photograph (an API's), evidence files named after the
reference they prove, and — when a piece of work fails — the screenshot and trace of the failure
attached to its work item before the item is released, so a person sees them beside the reason.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from bots.kit.browser import FailureEvidence

__all__ = ["failures_attached", "safe_file_name", "write_receipt"]


class TakesFiles(Protocol):
    """What a work item offers for keeping files (``robocorp.workitems.Input``)."""

    def add_file(self, path: Path) -> Any: ...

    def save(self) -> None: ...


def write_receipt(path: Path, content: dict[str, Any]) -> Path:
    """A JSON receipt kept as evidence (API answers have no screen to photograph)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    return path


def safe_file_name(text: str) -> str:
    """A reference (an invoice number, a Message-ID…) made fit for a file name: letters, digits,
    ``-``, ``_`` and ``.`` kept, anything else replaced by ``_``."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)


@contextmanager
def failures_attached(item: TakesFiles, failures: Callable[[], Iterable[FailureEvidence]]) -> Iterator[None]:
    """If the block fails, attach to ``item`` the files of every failure ``failures()`` lists that
    it did not list before the block (``BrowserSession.failures``, ``Chromium.failures``), and save
    the item, before the exception goes on to release it."""
    known = {id(failure) for failure in failures()}
    try:
        yield
    except BaseException:
        kept = [path for failure in failures() if id(failure) not in known for path in failure.files]
        for path in kept:
            item.add_file(path)
        if kept:
            item.save()
        raise
