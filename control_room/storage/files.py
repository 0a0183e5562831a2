"""Work-item files and run artifacts on disk, under ARFLEET_HOME/files; the database keeps names,
sizes and hashes. Writes go to a temporary file first, so a refused or broken upload leaves nothing."""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import IO

CHUNK = 1024 * 1024


class TooLarge(ValueError):
    pass


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, kind: str, owner_id: int, file_id: int) -> Path:
        return self.root / kind / str(owner_id) / str(file_id)

    def write(self, kind: str, owner_id: int, file_id: int, stream: IO[bytes], max_bytes: int) -> tuple[int, str]:
        """Copy `stream` into place; returns (size, sha256). Raises TooLarge past `max_bytes`."""
        target = self.path(kind, owner_id, file_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(f"file larger than {max_bytes} bytes")
                    digest.update(chunk)
                    out.write(chunk)
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return size, digest.hexdigest()

    def delete(self, kind: str, owner_id: int, file_id: int) -> None:
        self.path(kind, owner_id, file_id).unlink(missing_ok=True)
