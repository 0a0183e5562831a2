"""Files people attach to work items (API and UI uploads) and their removal with the item."""
from __future__ import annotations

from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from control_room.file_store import FileStore
from control_room.models import WorkItem, WorkItemFile


class MissingFileName(ValueError):
    pass


def attach_upload(session: Session, store: FileStore, item: WorkItem, upload: FileStorage, max_bytes: int) -> WorkItemFile:
    """Store an uploaded file on the item; raises TooLarge past `max_bytes` (the caller rolls back)."""
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    if not name:
        raise MissingFileName("every file needs a file name")
    row = WorkItemFile(item_id=item.id, name=name, size=0, sha256="")
    session.add(row)
    session.flush()
    row.size, row.sha256 = store.write("items", item.id, row.id, upload.stream, max_bytes)
    return row


def remove_item_files(store: FileStore, item_id: int) -> None:
    """After a deleted item's transaction committed: its files go too."""
    folder = store.root / "items" / str(item_id)
    if folder.is_dir():
        for path in folder.iterdir():
            path.unlink(missing_ok=True)
        folder.rmdir()
