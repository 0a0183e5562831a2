"""robocorp-workitems' file adapter, plus a record of how each input item was released (the file
adapter only logs it), so a test can check what a bot run did with every item; and, like the
control room, it refuses an output whose ``work_item_reference`` the queue already has (the
references listed in ARFLEET_TEST_TAKEN_REFERENCES)."""
from __future__ import annotations

import json
import os
from pathlib import Path

from robocorp.workitems._adapters._file import FileAdapter
from robocorp.workitems._requests import HTTPError
from robocorp.workitems._types import State


class RecordingFileAdapter(FileAdapter):
    def create_output(self, parent_id: str, payload=None) -> str:
        taken = [r for r in os.environ.get("ARFLEET_TEST_TAKEN_REFERENCES", "").split(",") if r]
        if isinstance(payload, dict) and payload.get("work_item_reference") in taken:
            raise HTTPError(f"queue already has an item with reference {payload['work_item_reference']!r}",
                            status_code=409, reason="duplicate_reference")
        return super().create_output(parent_id, payload)

    def release_input(self, item_id: str, state: State, exception: dict | None = None) -> None:
        super().release_input(item_id, state, exception)
        path = Path(os.environ["ARFLEET_TEST_RELEASES"])
        releases = json.loads(path.read_text()) if path.exists() else []
        releases.append({"item": int(item_id), "state": state.value, "exception": exception})
        path.write_text(json.dumps(releases, indent=2))
