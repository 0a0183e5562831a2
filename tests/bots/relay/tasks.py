"""A plain robocorp bot for the runner tests: forwards, consumes, talks slowly, or hangs."""
import time

from robocorp import workitems
from robocorp.tasks import task


@task
def forward():
    """Step 1: each input becomes an output for step 2."""
    for item in workitems.inputs:
        with item:
            workitems.outputs.create(payload={**item.payload, "forwarded": True})


@task
def consume():
    for item in workitems.inputs:
        with item:
            print(f"consumed {item.payload.get('n')}", flush=True)


@task
def talk_slowly():
    """Prints a line every 0.3 s for `seconds`, then completes its items."""
    for item in workitems.inputs:
        with item:
            for n in range(int(item.payload.get("seconds", 2) / 0.3)):
                print(f"working line {n}", flush=True)
                time.sleep(0.3)


@task
def hang():
    print("taking my item and never letting go", flush=True)
    workitems.inputs.current  # noqa: B018 - reserves the input
    time.sleep(3600)
