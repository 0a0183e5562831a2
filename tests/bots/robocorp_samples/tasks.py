"""Robocorp bots as their authors write them for Robocorp's Control Room, unmodified: the simplest bot of
robocorp-workitems' README, a report written to $ROBOT_ARTIFACTS, a file fetched without a path, an item
held longer than its lease, a bot that talks a lot, and one that prints a NUL."""
import os
import time
from pathlib import Path

from robocorp import workitems
from robocorp.tasks import task


@task
def handle_item():
    """robocorp-workitems' README, verbatim: reads the current item, creates an output, never releases."""
    item = workitems.inputs.current
    print("Received payload:", item.payload)
    workitems.outputs.create(payload={"key": "value"})


@task
def write_report():
    """A report for the people reading the run, where Robocorp keeps a run's artifacts."""
    Path(os.environ["ROBOT_ARTIFACTS"], "report.txt").write_text("3 invoices checked\n")


@task
def fetch_file():
    """`get_file` without a path, then a relative write, with a pause so two runs overlap."""
    item = workitems.inputs.current
    fetched = item.get_file("inv.pdf")
    time.sleep(float(item.payload.get("pause", 2)))
    Path("scratch.txt").write_text(str(item.payload["n"]))
    item.payload = {**item.payload, "fetched": fetched.read_text(), "fetched_to": str(fetched.resolve()),
                    "scratch": Path("scratch.txt").read_text(), "scratch_at": str(Path("scratch.txt").resolve())}
    item.save()
    item.done()


@task
def hold():
    """Works on each item for `seconds`, longer than its lease."""
    for item in workitems.inputs:
        with item:
            print(f"holding item {item.id}", flush=True)
            time.sleep(float(item.payload.get("seconds", 5)))


@task
def talk():
    """`lines` console lines of `width` characters, numbered."""
    item = workitems.inputs.current
    lines, width = int(item.payload["lines"]), int(item.payload.get("width", 10))
    for n in range(lines):
        print(f"line {n:06d} " + "x" * max(0, width - 12), flush=False)


@task
def print_odd_text():
    """A NUL byte in the console (a binary file printed by mistake), then carries on."""
    print("before\x00after", flush=True)
    print("still talking", flush=True)
