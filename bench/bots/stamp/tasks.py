"""Benchmark bot: prints when its code starts and ends, and completes its item."""
import time

from robocorp import workitems
from robocorp.tasks import task


@task
def stamp():
    print(f"BOT_START {time.time():.6f}", flush=True)
    for item in workitems.inputs:
        with item:
            pass
    print(f"BOT_END {time.time():.6f}", flush=True)
