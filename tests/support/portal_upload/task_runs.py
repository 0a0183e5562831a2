"""Running one of portal_upload's tasks as the runner does (``python -m robocorp.tasks run``), with work items
from a recording file adapter: what it released, what it output, and its inputs as saved."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
TASKS = ROOT / "bots" / "portal_upload" / "tasks.py"
RECORDING_ADAPTER = "tests.support.portal_upload.recording_adapter.RecordingFileAdapter"

def run_task(name: str, folder: Path, items: list[dict], env: dict[str, str]) -> tuple[list, list, list]:
    """Run one task on ``items``; returns (releases, outputs, inputs as saved)."""
    work = folder / name
    (work / "in").mkdir(parents=True)
    for item in items:
        for file_name in item.get("files", {}):
            (work / "in" / file_name).write_bytes(item["_bytes"][file_name])
        item.pop("_bytes", None)
    (work / "in" / "workitems.json").write_text(json.dumps(items))
    run = subprocess.run(
        [sys.executable, "-m", "robocorp.tasks", "run", str(TASKS), "-t", name, "-o", str(work / "output")],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env={
            **os.environ, **env, "RC_WORKITEM_ADAPTER": RECORDING_ADAPTER,
            "RC_WORKITEM_INPUT_PATH": str(work / "in" / "workitems.json"),
            "RC_WORKITEM_OUTPUT_PATH": str(work / "out" / "workitems.json"),
            "ARFLEET_TEST_RELEASES": str(work / "releases.json")})
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    outputs = json.loads((work / "out" / "workitems.json").read_text()) if (work / "out").exists() else []
    return (json.loads((work / "releases.json").read_text()), outputs,
            json.loads((work / "in" / "workitems.json").read_text()))
