"""robocorp-workitems' file adapter, plus a record of how each input item was released (the file
adapter only logs it), so a test can check what a bot run did with every item."""
from __future__ import annotations

import json
import os
from pathlib import Path

from robocorp.workitems._adapters._file import FileAdapter
from robocorp.workitems._types import State


class RecordingFileAdapter(FileAdapter):
    def release_input(self, item_id: str, state: State, exception: dict | None = None) -> None:
        super().release_input(item_id, state, exception)
        path = Path(os.environ["ARFLEET_TEST_RELEASES"])
        releases = json.loads(path.read_text()) if path.exists() else []
        releases.append({"item": int(item_id), "state": state.value, "exception": exception})
        path.write_text(json.dumps(releases, indent=2))
