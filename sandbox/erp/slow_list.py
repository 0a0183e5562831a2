"""The slowness of the ERP's heavier list pages: the page comes back at once with a spinner, and
the list itself arrives from a fragment endpoint after ``config["SLOW_LIST_S"]`` seconds (a number,
or a [min, max] pair for a random wait; 0 in tests)."""
from __future__ import annotations

import random
import time

from flask import current_app


def wait_for_list() -> None:
    """Hold the fragment response as long as the real system takes to build the list."""
    delay = current_app.config.get("SLOW_LIST_S", 0)
    if isinstance(delay, (list, tuple)):
        delay = random.uniform(float(delay[0]), float(delay[1]))
    if delay:
        time.sleep(float(delay))
