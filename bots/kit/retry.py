"""Trying a step again when the failure is transient (a server error, a dropped connection), and
only then: anything else is raised at once, so a wrong invoice is never "retried" into a portal.

The pauses are given by the caller (``Settings.retry_delays_s``); tests pass zeros.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

__all__ = ["retry_call"]

T = TypeVar("T")
LOGGER = logging.getLogger(__name__)


def retry_call(
    step: Callable[[], T],
    *,
    retry_on: tuple[type[BaseException], ...],
    delays: Sequence[float],
    what: str = "step",
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``step()``, tried once more after each delay in ``delays`` while it raises ``retry_on``.

    The last failure is raised as is when the delays are spent.
    """
    for attempt, delay in enumerate([*delays, None], start=1):
        try:
            return step()
        except retry_on as exc:
            if delay is None:
                raise
            LOGGER.warning("%s failed (attempt %d, %s); trying again in %.1f s", what, attempt, exc, delay)
            if delay > 0:
                sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover
